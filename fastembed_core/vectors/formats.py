"""Plain vector file formats for :class:`~fastembed_core.KeyedVectors`: word2vec text and
binary, GloVe, fastText ``.vec``, TensorBoard projector TSV.

The functions here take or return a ``KeyedVectors``; the readers and writers of plain data
they call (:func:`read_word2vec`, :func:`write_word2vec`, :func:`write_projector`, re-exported
here) live in :mod:`fastembed_core.io.word2vec_format`, which is where the formats and their
checks are described. ``fastembed_core.formats`` (the module path of version 0.1) names this
module.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from ..io.word2vec_format import VectorsData, read_word2vec, write_projector, write_word2vec
from .keyedvectors import KeyedVectors
from .storage import save_word2vec

__all__ = [
    "VectorsData",
    "read_word2vec",
    "write_word2vec",
    "write_projector",
    "load_word2vec_format",
    "save_word2vec_format",
    "load_glove",
    "save_glove",
    "load_fasttext_vec",
    "save_fasttext_vec",
    "export_projector",
]


def load_word2vec_format(
    fname: str | os.PathLike[str],
    fvocab: str | os.PathLike[str] | None = None,
    binary: bool = False,
    encoding: str = "utf8",
    unicode_errors: str = "strict",
    limit: int | None = None,
    datatype: DTypeLike = np.float32,
    no_header: bool = False,
    *,
    strict: bool = True,
    allow_nonfinite: bool = False,
    cls: type[KeyedVectors] | None = None,
    **private: Any,
) -> KeyedVectors:
    """Loads a word2vec-format file as :class:`~fastembed_core.KeyedVectors`.

    Parameters
    ----------
    fname, fvocab, binary, encoding, unicode_errors, limit, datatype, no_header
        As for :func:`read_word2vec` (and gensim 4's ``KeyedVectors.load_word2vec_format``).
    strict, allow_nonfinite
        As for :func:`read_word2vec` (and gensim 4's ``KeyedVectors.load_word2vec_format``).
    cls : type, optional
        The class to build (default :class:`~fastembed_core.KeyedVectors`).
    **private
        Reader options for the tests (``_chunk_size``...).

    Returns
    -------
    KeyedVectors
        The per-key ``"count"`` attribute is set from ``fvocab`` or, like gensim, to made-up
        descending counts in file order.
    """
    return (cls or KeyedVectors).load_word2vec_format(
        fname,
        fvocab=fvocab,
        binary=binary,
        encoding=encoding,
        unicode_errors=unicode_errors,
        limit=limit,
        datatype=datatype,
        no_header=no_header,
        strict=strict,
        allow_nonfinite=allow_nonfinite,
        **private,
    )


def save_word2vec_format(
    kv: KeyedVectors,
    fname: str | os.PathLike[str],
    fvocab: str | os.PathLike[str] | None = None,
    binary: bool = False,
    total_vec: int | None = None,
    write_header: bool = True,
    prefix: str = "",
    append: bool = False,
    sort_attr: str | None = "count",
    *,
    allow_nonfinite: bool = False,
    **private: Any,
) -> None:
    """Saves ``kv`` in word2vec format, most frequent first (by ``sort_attr``), like gensim 4.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors.
    fname, fvocab, binary, total_vec, write_header, prefix, append, allow_nonfinite
        As for :func:`write_word2vec`.
    sort_attr : str
        Keys are written in descending order of this per-key attribute when it exists (ties
        keep index order), else in index order.
    **private
        Writer options for the tests (``_byteorder``...).

    Raises
    ------
    ValueError
        A key is empty, contains ASCII whitespace or is too long, two keys have the same text
        (``1`` and ``"1"``), or a vector is not finite; nothing is written (see
        :func:`fastembed_core.io.word2vec_writer.check_keys`).
    """
    save_word2vec(
        kv,
        fname,
        sort_attr=sort_attr,
        fvocab=fvocab,
        binary=binary,
        total_vec=total_vec,
        write_header=write_header,
        prefix=prefix,
        append=append,
        allow_nonfinite=allow_nonfinite,
        **private,
    )


def load_glove(
    fname: str | os.PathLike[str],
    *,
    encoding: str = "utf8",
    unicode_errors: str = "strict",
    limit: int | None = None,
    datatype: DTypeLike = np.float32,
    strict: bool = True,
    allow_nonfinite: bool = False,
    cls: type[KeyedVectors] | None = None,
    **private: Any,
) -> KeyedVectors:
    """Loads a GloVe text file (``key v1 ... vD`` lines, no header).

    Parameters
    ----------
    fname, encoding, unicode_errors, limit, datatype, strict, allow_nonfinite, cls
        As for :func:`load_word2vec_format`.
    **private
        As for :func:`load_word2vec_format`.

    Returns
    -------
    KeyedVectors
    """
    return load_word2vec_format(
        fname,
        binary=False,
        encoding=encoding,
        unicode_errors=unicode_errors,
        limit=limit,
        datatype=datatype,
        no_header=True,
        strict=strict,
        allow_nonfinite=allow_nonfinite,
        cls=cls,
        **private,
    )


def save_glove(
    kv: KeyedVectors,
    fname: str | os.PathLike[str],
    *,
    sort_attr: str | None = "count",
    allow_nonfinite: bool = False,
) -> None:
    """Saves ``kv`` as a GloVe text file (no header line).

    Parameters
    ----------
    kv : KeyedVectors
        The vectors.
    fname : str or os.PathLike
        Target file.
    sort_attr, allow_nonfinite
        As for :func:`save_word2vec_format`.
    """
    save_word2vec_format(
        kv,
        fname,
        binary=False,
        write_header=False,
        sort_attr=sort_attr,
        allow_nonfinite=allow_nonfinite,
    )


def load_fasttext_vec(
    fname: str | os.PathLike[str],
    *,
    encoding: str = "utf8",
    unicode_errors: str = "strict",
    limit: int | None = None,
    datatype: DTypeLike = np.float32,
    strict: bool = True,
    allow_nonfinite: bool = False,
    cls: type[KeyedVectors] | None = None,
    **private: Any,
) -> KeyedVectors:
    """Loads a fastText ``.vec`` file.

    That is word2vec text: a ``count dim`` header, one key per line, values followed by a
    trailing space.

    Parameters
    ----------
    fname, encoding, unicode_errors, limit, datatype, strict, allow_nonfinite, cls
        As for :func:`load_word2vec_format`.
    **private
        As for :func:`load_word2vec_format`.

    Returns
    -------
    KeyedVectors
    """
    return load_word2vec_format(
        fname,
        binary=False,
        encoding=encoding,
        unicode_errors=unicode_errors,
        limit=limit,
        datatype=datatype,
        strict=strict,
        allow_nonfinite=allow_nonfinite,
        cls=cls,
        **private,
    )


def save_fasttext_vec(
    kv: KeyedVectors,
    fname: str | os.PathLike[str],
    *,
    precision: int | None = 5,
    sort_attr: str | None = "count",
    allow_nonfinite: bool = False,
) -> None:
    """Saves ``kv`` as fastText writes ``.vec`` files.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors.
    fname : str or os.PathLike
        Target file.
    precision : int or None
        Significant digits of each value (each followed by a space, as fastText writes);
        ``None``: the shortest round-trip representation.
    sort_attr, allow_nonfinite
        As for :func:`save_word2vec_format`.
    """
    if precision is None:

        def fmt(row: NDArray[Any]) -> str:
            return "".join(f"{v} " for v in row)
    else:
        spec = f"{{:.{int(precision)}g}} "

        def fmt(row: NDArray[Any]) -> str:
            return "".join(spec.format(v) for v in row.tolist())

    save_word2vec_format(
        kv,
        fname,
        binary=False,
        sort_attr=sort_attr,
        allow_nonfinite=allow_nonfinite,
        _text_formatter=fmt,
        _what="the fastText .vec format",
    )


def export_projector(
    kv: KeyedVectors,
    vectors_tsv: str | os.PathLike[str],
    metadata_tsv: str | os.PathLike[str] | None = None,
    limit: int | None = None,
    attrs: Sequence[str] = (),
) -> None:
    """Writes TSV files for TensorBoard's Embedding Projector (projector.tensorflow.org).

    Parameters
    ----------
    kv : KeyedVectors
        The vectors.
    vectors_tsv : str
        One vector per line, values separated by tabs, no header.
    metadata_tsv : str, optional
        The labels. With no ``attrs`` it has one key per line and no header (the projector's
        single-column form); with ``attrs`` (names of per-key attributes such as ``"count"``)
        it starts with a header line ``key<TAB>attr...``.
    limit : int, optional
        Export only the first ``limit`` keys (index order).
    attrs : sequence of str
        Per-key attributes (``kv.expandos``) to add as metadata columns.

    Raises
    ------
    ValueError
        A key contains a tab or a line break (the first offenders are listed); nothing is
        written then.
    KeyError
        An attribute in ``attrs`` does not exist.
    """
    n = len(kv.index_to_key) if limit is None else min(int(limit), len(kv.index_to_key))
    for a in attrs:
        if a not in kv.expandos:
            raise KeyError(f"no per-key attribute {a!r}; have {sorted(kv.expandos)}")
    write_projector(
        vectors_tsv,
        kv.index_to_key[:n],
        kv.vectors[:n],
        metadata_tsv,
        columns={a: kv.expandos[a] for a in attrs},
    )
