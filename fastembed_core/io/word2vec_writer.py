"""Writers of the plain vector file formats: word2vec text and binary (GloVe and fastText
``.vec`` are its variants) and TensorBoard projector TSV.

They take plain data (keys, a matrix, optional counts), validate everything first (keys that
would break the format, non-finite values) and then write through
:func:`fastembed_core.io.native.atomic_write_many`: a failed save leaves no partial file and
every previous file untouched (a pair such as vectors + vocabulary is replaced both or
neither). The on-disk conventions are described in :mod:`fastembed_core.io.word2vec_format`,
whose reader reads back what is written here; :func:`check_keys` is the one rule for which
keys both sides accept.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .native import atomic_write_many

__all__ = ["MAX_KEY_BYTES", "check_keys", "first_nonfinite", "write_word2vec", "write_projector"]

logger = logging.getLogger(__name__)

_WRITE_BATCH = 1 << 12  # records encoded per write() call


def _key_text(key: object) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_)):
        return str(int(key))
    raise TypeError(
        f"key {key!r} has type {type(key).__name__}; only str and int keys can be "
        f"written to a vectors file"
    )


#: Longest key, in UTF-8 bytes, that the writers accept and the reader reads back: the corpus
#: tokenizer's longest token (``FE_DEFAULT_MAX_TOKEN`` in ``src/fe_vocab.h``), so whatever
#: training can produce can be saved and loaded again. Longer runs of bytes without a space
#: mean a malformed file to the reader, which is how it stays bounded on garbage.
MAX_KEY_BYTES = 1 << 20

# The only characters that separate fields in the whitespace-separated formats: what
# word2vec.c, gensim (``line.rstrip().split(" ")`` on bytes) and our reader split at, and what
# the corpus tokenizer splits at. Every other character, Unicode spaces such as U+3000 or
# U+00A0 included, may appear anywhere in a key.
_ASCII_WHITESPACE = frozenset(" \t\n\r\x0b\x0c")


def check_keys(
    keys: Iterable[str | int], prefix: str = "", what: str = "the word2vec format"
) -> list[str]:
    """Checks that ``keys`` can be written in a whitespace-separated format and read back.

    A key may hold any character except ASCII whitespace (space, tab, line feed, carriage
    return, vertical tab, form feed), must not be empty and must be at most
    :data:`MAX_KEY_BYTES` bytes in UTF-8; and no two keys may have the same text (the int
    ``1`` and the str ``"1"`` are both written ``1``; the same key given twice is left to
    the caller). The command line calls this right
    after the vocabulary is built, so a key that could not be saved fails before training.

    Parameters
    ----------
    keys : iterable of str or int
        The keys, as they would be written (without ``prefix``).
    prefix : str
        Prepended to every key when written.
    what : str
        The format's name, for the messages.

    Returns
    -------
    list of str
        The text of each key, prefix included.

    Raises
    ------
    ValueError
        Naming the first offending keys; for a collision, both keys.
    TypeError
        A key is neither str nor int.
    """
    keys = list(keys)
    texts = [prefix + _key_text(k) for k in keys]
    bad: list[str]
    long: str | None
    bad, n_bad, long = [], 0, None
    for t in texts:
        if not t or not _ASCII_WHITESPACE.isdisjoint(t):
            n_bad += 1
            if len(bad) < 5:
                bad.append(t)
        elif long is None and len(t) * 4 > MAX_KEY_BYTES and _utf8_len(t) > MAX_KEY_BYTES:
            long = t
    if n_bad:
        shown = ", ".join(repr(t) for t in bad)
        raise ValueError(
            f"{n_bad} key(s) are empty or contain ASCII whitespace, which {what} cannot "
            f"represent (first: {shown}); nothing was written. Replace the whitespace "
            f"(e.g. with '_') first."
        )
    if long is not None:
        raise ValueError(
            f"the key {long[:40]!r}... is {_utf8_len(long)} bytes long, longer than "
            f"{MAX_KEY_BYTES} bytes, the longest key a vectors file is read back with; "
            f"nothing was written"
        )
    if len(set(texts)) != len(texts):
        first: dict[str, str | int] = {}
        for k, t in zip(keys, texts):
            # Equal keys given twice are the caller's (a KeyedVectors never has them; the tests
            # write them to make malformed files); two different keys with one text are not.
            if t in first and not _same_key(first[t], k):
                raise ValueError(
                    f"the keys {first[t]!r} and {k!r} have the same text {t!r} in {what}, "
                    f"so the file could not be read back; nothing was written. Make the "
                    f"keys all str (or all int) first."
                )
            first.setdefault(t, k)
    return texts


def _same_key(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b or (not isinstance(a, str) and not isinstance(b, str))


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


# Rows checked for finiteness at once: the boolean copy of a block stays small beside a large
# matrix, which is never copied whole.
_FINITE_BLOCK = 1 << 14


def first_nonfinite(
    vectors: NDArray[Any], rows: NDArray[np.intp] | None = None
) -> tuple[int, int] | None:
    """Where the first NaN or infinite value of ``vectors`` is, found a block of rows at a time.

    The one scan behind every "this vector is not finite" check of the readers and writers
    (word2vec formats and the native container); each caller words its own message.

    Parameters
    ----------
    vectors : numpy.ndarray
        A 2-D matrix.
    rows : numpy.ndarray of int, optional
        Row indices to check, in this order (default: every row, in index order).

    Returns
    -------
    (int, int) or None
        The position of the first offending row (in ``rows`` when given, else its index) and
        the column of its first non-finite value; ``None`` when every value is finite.
    """
    n = vectors.shape[0] if rows is None else len(rows)
    for lo in range(0, n, _FINITE_BLOCK):
        part = (
            vectors[lo : lo + _FINITE_BLOCK]
            if rows is None
            else vectors[rows[lo : lo + _FINITE_BLOCK]]
        )
        ok = np.isfinite(part)
        if not ok.all():
            r, c = map(int, np.argwhere(~ok)[0])
            return lo + r, c
    return None


def _check_finite_rows(
    vectors: NDArray[Any], order: NDArray[np.intp], texts: Sequence[str]
) -> None:
    found = first_nonfinite(vectors, order)
    if found is not None:
        raise ValueError(
            f"the vector of {texts[found[0]]!r} is not finite (NaN or inf); refusing to "
            f"write it (pass allow_nonfinite=True to write it anyway)"
        )


def _copy_existing(path: str | os.PathLike[str], fout: IO[bytes]) -> None:
    if os.path.exists(path):
        with open(path, "rb") as fin:
            shutil.copyfileobj(fin, fout)


def write_word2vec(
    fname: str | os.PathLike[str],
    keys: Sequence[str | int],
    vectors: ArrayLike,
    *,
    binary: bool = False,
    order: ArrayLike | None = None,
    counts: Sequence[int] | NDArray[np.integer[Any]] | None = None,
    fvocab: str | os.PathLike[str] | None = None,
    total_vec: int | None = None,
    write_header: bool = True,
    prefix: str = "",
    append: bool = False,
    allow_nonfinite: bool = False,
    _byteorder: str = "<",
    _text_formatter: Callable[[NDArray[Any]], str] | None = None,
    _what: str = "the word2vec format",
) -> None:
    """Writes keys and their vectors in word2vec format.

    Parameters
    ----------
    fname : str or os.PathLike
        Target file; written atomically (a failed write leaves any previous file untouched),
        together with ``fvocab``: either both files are replaced or neither is.
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
        Vocabulary file to write (needs ``counts``). Our reader splits its lines at ASCII
        whitespace only; gensim's splits them with ``str.split()``, at any Unicode space, so
        gensim cannot read the vocabulary file of keys holding U+3000 or U+00A0 (the
        vectors file it reads fine).
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
        A key is empty, contains ASCII whitespace or is longer than :data:`MAX_KEY_BYTES`
        (the first offenders are listed), two keys have the same text (``1`` and ``"1"``),
        or a vector is not finite. Nothing is written then (see :func:`check_keys`; Unicode
        spaces such as U+3000 inside keys are fine).
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
        texts = check_keys(keys, prefix, _what)
    else:
        order = np.asarray(order, dtype=np.intp)
        texts = check_keys([keys[i] for i in order], prefix, _what)
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
        # counts is not None here: fvocab without counts was refused above
        ordered_counts = [counts[i] for i in order]  # type: ignore[index]

        def write_vocab(f: IO[bytes]) -> None:
            if append:
                _copy_existing(os.fspath(fvocab), f)
            f.write("".join(f"{t} {c}\n" for t, c in zip(texts, ordered_counts)).encode("utf8"))

    def write(f: IO[bytes]) -> None:
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
                    parts.append(f"{texts[lo + j]} ".encode())
                    parts.append(raw[j * step : (j + 1) * step])
                f.write(b"".join(parts))
            else:
                f.write(
                    "".join(f"{texts[lo + j]} {fmt(block[j])}\n" for j in range(hi - lo)).encode(
                        "utf8"
                    )
                )

    logger.info("storing %sx%s vectors into %s", total_vec, dim, path)
    jobs = [(path, write)]
    if fvocab is not None:
        logger.info("storing vocabulary in %s", fvocab)
        jobs.append((os.fspath(fvocab), write_vocab))
    # Both files or neither: a vocabulary that no longer matches its vectors is worse than
    # an old pair, so the second file failing (disk full) must not leave the first replaced.
    atomic_write_many(jobs)


def write_projector(
    vectors_tsv: str | os.PathLike[str],
    keys: Sequence[str | int],
    vectors: ArrayLike,
    metadata_tsv: str | os.PathLike[str] | None = None,
    columns: Mapping[str, Sequence[Any]] | None = None,
) -> None:
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

    def write_vectors(f: IO[bytes]) -> None:
        for lo in range(0, n, _WRITE_BATCH):
            block = np.asarray(vectors[lo : min(lo + _WRITE_BATCH, n)])
            f.write("".join("\t".join(map(str, row)) + "\n" for row in block).encode("utf8"))

    jobs = [(os.fspath(vectors_tsv), write_vectors)]
    if metadata_tsv is not None:

        def write_meta(f: IO[bytes]) -> None:
            lines = []
            if columns:
                lines.append("\t".join(["key", *columns]) + "\n")
                cols = list(columns.values())
                for i, t in enumerate(texts):
                    lines.append("\t".join([t, *(str(c[i]) for c in cols)]) + "\n")
            else:
                lines.extend(t + "\n" for t in texts)
            f.write("".join(lines).encode("utf8"))

        jobs.append((os.fspath(metadata_tsv), write_meta))
    atomic_write_many(jobs)  # vectors and labels both or neither, like write_word2vec
