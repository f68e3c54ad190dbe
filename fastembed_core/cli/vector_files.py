"""Reading and writing vector files in every format the command knows, the format detected
from the file's first bytes (:mod:`fastembed_core.io.detect`) or chosen from its name."""

import os

import numpy as np

from ..io.detect import native_kind, sniff_format

__all__ = ["VECTOR_FORMATS", "load_vectors", "save_vectors"]

#: The formats of ``--format``, ``--from`` and ``--to`` (besides ``"auto"``).
VECTOR_FORMATS = ("text", "binary", "glove", "fasttext", "native")


def load_vectors(path, fmt="auto", limit=None, fvocab=None):
    """Loads vectors from any supported file as :class:`~fastembed_core.KeyedVectors`.

    Parameters
    ----------
    path : str
    fmt : {"auto", "text", "binary", "glove", "fasttext", "native"}
        ``"auto"`` sniffs the file (:func:`fastembed_core.io.detect.sniff_format`). A native
        file may hold vectors or a whole :class:`~fastembed_core.Word2Vec` model (its ``wv``
        is returned).
    limit : int, optional
        Read only the first ``limit`` vectors.
    fvocab : str, optional
        A vocabulary file (``word count`` lines) giving the counts of a word2vec-format file,
        which stores none; refused for a native file, which carries its own.

    Returns
    -------
    KeyedVectors
    """
    from ..vectors.keyedvectors import KeyedVectors

    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(2, "No such file or directory", path)
    if os.path.isdir(path):
        raise IsADirectoryError(21, "Is a directory (expected a vectors file)", path)
    if fmt == "auto":
        fmt = sniff_format(path) or "text"  # None: a pipe, not read; text is what streams hold
    if fmt not in VECTOR_FORMATS:
        raise ValueError(f"unknown vectors format {fmt!r}; use one of {', '.join(VECTOR_FORMATS)}")
    if fmt == "native":
        if fvocab:
            raise ValueError(
                f"{path} is a native file, which carries its own counts; a vocabulary file is "
                f"only read beside a word2vec text or binary file"
            )
        if native_kind(path) == "Word2Vec":
            from ..models.word2vec import Word2Vec

            return Word2Vec.load(path).wv
        kv = KeyedVectors.load(path)
        if limit:
            kv = _head(kv, int(limit))
        return kv
    return KeyedVectors.load_word2vec_format(
        path,
        fvocab=fvocab,
        binary=(fmt == "binary"),
        no_header=(fmt == "glove"),
        limit=limit or None,
    )


def _head(kv, n):
    from ..vectors.keyedvectors import KeyedVectors

    return KeyedVectors.from_arrays(
        kv.index_to_key[:n],
        np.ascontiguousarray(kv.vectors[:n]),
        attrs={name: np.asarray(values)[:n] for name, values in kv.expandos.items()},
        copy=False,
    )


def _format_for_output(path, fmt):
    if fmt != "auto":
        return fmt
    lower = os.fspath(path).lower()
    if lower.endswith(".bin"):
        return "binary"
    if lower.endswith((".fe", ".kv", ".model")):
        return "native"
    if lower.endswith(".vec"):
        return "fasttext"
    return "text"


def save_vectors(kv, path, fmt="auto"):
    """Saves ``kv`` in a vectors file.

    Parameters
    ----------
    kv : KeyedVectors
    path : str
    fmt : {"auto", "text", "binary", "glove", "fasttext", "native"}
        ``"auto"``: from the file name: ``.bin`` binary word2vec, ``.fe``/``.kv``/``.model``
        native, ``.vec`` fastText text, anything else word2vec text.

    Returns
    -------
    str
        The format used.
    """
    from ..vectors import formats

    fmt = _format_for_output(path, fmt)
    if fmt == "native":
        kv.save(path)
    elif fmt == "glove":
        formats.save_glove(kv, path)
    elif fmt == "fasttext":
        formats.save_fasttext_vec(kv, path)
    elif fmt in ("text", "binary"):
        kv.save_word2vec_format(path, binary=(fmt == "binary"))
    else:
        raise ValueError(f"unknown vectors format {fmt!r}; use one of {', '.join(VECTOR_FORMATS)}")
    return fmt
