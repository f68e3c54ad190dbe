"""Writers of the plain vector file formats: word2vec text and binary (GloVe and fastText
``.vec`` are its variants) and TensorBoard projector TSV.

They take plain data (keys, a matrix, optional counts), validate everything first (keys that
would break the format, non-finite values) and then write through
:func:`fastembed_core.io.native.atomic_write`: a failed save leaves no partial file and any
previous file untouched. The on-disk conventions are described in
:mod:`fastembed_core.io.word2vec_format`, whose reader reads back what is written here.
"""

import logging
import os
import shutil

import numpy as np

from .native import atomic_write

__all__ = ["write_word2vec", "write_projector"]

logger = logging.getLogger(__name__)

_WRITE_BATCH = 1 << 12  # records encoded per write() call


def _key_text(key):
    if isinstance(key, str):
        return key
    if isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_)):
        return str(int(key))
    raise TypeError(
        f"key {key!r} has type {type(key).__name__}; only str and int keys can be "
        f"written to a vectors file"
    )


def _check_tokens(texts, prefix, what):
    """ValueError listing the first keys that would break a whitespace-separated format."""
    bad = []
    n_bad = 0
    for t in texts:
        t = prefix + t
        if not t or any(ch.isspace() for ch in t):
            n_bad += 1
            if len(bad) < 5:
                bad.append(t)
    if n_bad:
        shown = ", ".join(repr(t) for t in bad)
        raise ValueError(
            f"{n_bad} key(s) are empty or contain whitespace, which {what} cannot represent "
            f"(first: {shown}); nothing was written. Replace the whitespace (e.g. with '_') first."
        )


def _check_finite_rows(vectors, order, texts):
    block = 1 << 14
    for lo in range(0, len(order), block):
        idx = order[lo : lo + block]
        ok = np.isfinite(vectors[idx]).all(axis=1)
        if not ok.all():
            j = lo + int(np.argmin(ok))
            raise ValueError(
                f"the vector of {texts[j]!r} is not finite (NaN or inf); refusing to "
                f"write it (pass allow_nonfinite=True to write it anyway)"
            )


def _copy_existing(path, fout):
    if os.path.exists(path):
        with open(path, "rb") as fin:
            shutil.copyfileobj(fin, fout)


def write_word2vec(
    fname,
    keys,
    vectors,
    *,
    binary=False,
    order=None,
    counts=None,
    fvocab=None,
    total_vec=None,
    write_header=True,
    prefix="",
    append=False,
    allow_nonfinite=False,
    _byteorder="<",
    _text_formatter=None,
    _what="the word2vec format",
):
    """Writes keys and their vectors in word2vec format.

    Parameters
    ----------
    fname : str or os.PathLike
        Target file; written atomically (a failed write leaves any previous file untouched).
    keys : sequence of str or int
        One key per row of ``vectors``.
    vectors : 2-D array
        One row per key.
    binary : bool
        Binary (little-endian float32) instead of text.
    order : sequence of int, optional
        Rows to write, in file order (default: every row in index order). Keys and counts
        follow the same order; the matrix is not copied as a whole.
    counts : sequence, optional
        Per-key counts (aligned with ``keys``), written to ``fvocab`` as ``key count`` lines.
    fvocab : str, optional
        Vocabulary file to write (needs ``counts``).
    total_vec : int, optional
        Count written in the header (default: the number of rows written).
    write_header : bool
        Write the ``"count dim"`` first line (``False`` gives GloVe's layout).
    prefix : str
        Prepended to every key.
    append : bool
        Append to an existing file instead of replacing it.
    allow_nonfinite : bool
        Write NaN/inf values instead of refusing with ``ValueError``.

    Raises
    ------
    ValueError
        A key is empty or contains whitespace (the first offenders are listed), or a vector is
        not finite. Nothing is written then.
    TypeError
        A key is neither str nor int.
    OSError
        The file cannot be written; any previous file is left as it was.
    """
    path = os.fspath(fname)
    if not isinstance(vectors, np.ndarray):
        vectors = np.asarray(vectors)
    if vectors.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array; got shape {vectors.shape}")
    if len(keys) != vectors.shape[0]:
        raise ValueError(f"{len(keys)} keys but {vectors.shape[0]} vectors")
    if not isinstance(prefix, str):
        raise TypeError("prefix must be a str")
    if counts is not None and len(counts) != len(keys):
        raise ValueError(f"{len(counts)} counts for {len(keys)} keys")
    if order is None:
        order = np.arange(len(keys))
        texts = [_key_text(k) for k in keys]
    else:
        order = np.asarray(order, dtype=np.intp)
        texts = [_key_text(keys[i]) for i in order]
    _check_tokens(texts, prefix, _what)
    if not allow_nonfinite and len(texts):
        _check_finite_rows(vectors, order, texts)
    if fvocab is not None and counts is None:
        raise ValueError("fvocab needs counts")
    dim = vectors.shape[1]
    if total_vec is None:
        total_vec = len(texts)
    fmt = _text_formatter or (lambda row: " ".join(map(str, row)))
    le = np.dtype(np.float32).newbyteorder(_byteorder)

    if fvocab is not None:
        ordered_counts = [counts[i] for i in order]

        def write_vocab(f):
            if append:
                _copy_existing(os.fspath(fvocab), f)
            f.write(
                "".join(f"{prefix}{t} {c}\n" for t, c in zip(texts, ordered_counts)).encode("utf8")
            )

        logger.info("storing vocabulary in %s", fvocab)
        atomic_write(os.fspath(fvocab), write_vocab)

    def write(f):
        if append:
            _copy_existing(path, f)
        if write_header:
            f.write(f"{total_vec} {dim}\n".encode())
        for lo in range(0, len(texts), _WRITE_BATCH):
            hi = min(lo + _WRITE_BATCH, len(texts))
            block = np.asarray(vectors[order[lo:hi]])
            if binary:
                raw = block.astype(le, copy=False).tobytes()
                step = 4 * dim
                parts = []
                for j in range(hi - lo):
                    parts.append(f"{prefix}{texts[lo + j]} ".encode())
                    parts.append(raw[j * step : (j + 1) * step])
                f.write(b"".join(parts))
            else:
                f.write(
                    "".join(
                        f"{prefix}{texts[lo + j]} {fmt(block[j])}\n" for j in range(hi - lo)
                    ).encode("utf8")
                )

    logger.info("storing %sx%s vectors into %s", total_vec, dim, path)
    atomic_write(path, write)


def write_projector(vectors_tsv, keys, vectors, metadata_tsv=None, columns=None):
    """Writes TSV files for TensorBoard's Embedding Projector (projector.tensorflow.org).

    Parameters
    ----------
    vectors_tsv : str or os.PathLike
        One vector per line, values separated by tabs, no header.
    keys : sequence of str or int
        The label of each row of ``vectors``.
    vectors : 2-D array
        One row per key.
    metadata_tsv : str or os.PathLike, optional
        The labels. Without ``columns`` it has one key per line and no header (the
        projector's single-column form); with ``columns`` it starts with a header line
        ``key<TAB>name...``.
    columns : dict of str to sequence, optional
        Extra metadata columns (name -> one value per key), in the order given.

    Raises
    ------
    ValueError
        A key contains a tab or a line break (the first offenders are listed), or the sizes
        disagree; nothing is written then.
    """
    n = len(keys)
    if len(vectors) != n:
        raise ValueError(f"{n} keys but {len(vectors)} vectors")
    texts = [_key_text(k) for k in keys]
    bad = [t for t in texts if any(c in t for c in "\t\n\r")]
    if bad:
        raise ValueError(
            f"{len(bad)} key(s) contain tabs or line breaks, which TSV cannot "
            f"hold (first: {', '.join(map(repr, bad[:5]))}); nothing was written"
        )
    columns = dict(columns or {})
    for name, values in columns.items():
        if len(values) < n:
            raise ValueError(f"column {name!r} has {len(values)} values for {n} keys")

    def write_vectors(f):
        for lo in range(0, n, _WRITE_BATCH):
            block = np.asarray(vectors[lo : min(lo + _WRITE_BATCH, n)])
            f.write("".join("\t".join(map(str, row)) + "\n" for row in block).encode("utf8"))

    atomic_write(os.fspath(vectors_tsv), write_vectors)
    if metadata_tsv is not None:

        def write_meta(f):
            lines = []
            if columns:
                lines.append("\t".join(["key", *columns]) + "\n")
                cols = list(columns.values())
                for i, t in enumerate(texts):
                    lines.append("\t".join([t, *(str(c[i]) for c in cols)]) + "\n")
            else:
                lines.extend(t + "\n" for t in texts)
            f.write("".join(lines).encode("utf8"))

        atomic_write(os.fspath(metadata_tsv), write_meta)
