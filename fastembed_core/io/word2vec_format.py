"""Plain vector file formats: word2vec text and binary, GloVe, fastText ``.vec``, projector TSV.

Every reader here is strict by default and says what is wrong with a file instead of
returning a half-loaded or silently wrong object:

* the first bytes are sniffed, so a gzip file, an HTML page, a pickle, a fastText ``.bin``
  model, a native ``fastembed_core`` file, a text file read as binary (and the reverse) or a
  GloVe file without a ``count dim`` header each get a :class:`~fastembed_core.errors.FormatError`
  saying what the file looks like and which option to use;
* a file that ends before the records its header promises raises
  :class:`~fastembed_core.errors.TruncatedFileError` with the expected and actual counts and the
  byte offset where it ended;
* the header is checked against the file size before anything is allocated, so a corrupt
  header cannot make the loader ask for terabytes;
* lines with the wrong number of values, unparsable or non-finite numbers (``1_000`` too),
  empty keys (a line starting with a space), tokens without a terminating space, duplicate
  keys and extra records are all reported with the line (text) or record number and byte
  offset (binary); a last line without its newline gives a warning (see
  :func:`read_word2vec`).

Streams (pipes, ``/dev/fd/N``, ``<(zcat f.gz)``) are read once, front to back, in chunks, with
consumed bytes dropped and rows grown by doubling, so they load in the same linear time as a
regular file; only the up-front size check is skipped for them.

Files are read through a chunked buffer whose size is a private parameter (``_chunk_size``),
so the tests can check that records straddling chunk edges load right. The writers
(:func:`write_word2vec`, :func:`write_projector`) live in
:mod:`fastembed_core.io.word2vec_writer` and are importable from here too.

The reader returns plain data (:class:`VectorsData`); building a
:class:`~fastembed_core.KeyedVectors` from it is done in :mod:`fastembed_core.vectors`.

Size: near 900 lines because it is one reader: the chunked byte stream and the record reader
share the header, offset and error-reporting state and are not useful apart, and most of the
length is the documented checks and their messages.

On-disk conventions follow word2vec.c and gensim 4 byte for byte: a ``"N D\\n"`` header; text
records ``key v1 ... vD\\n`` with each value printed as numpy prints the scalar (shortest
round-trip representation); binary records ``key`` + one space + ``D`` little-endian float32
values, with no newline after the vector (the variant word2vec.c writes, with a newline after
each vector, is read too). Binary values are little-endian on disk whatever the host's byte
order.
"""

from __future__ import annotations

import bz2
import gzip
import logging
import os
import warnings
from array import array
from collections.abc import Hashable, Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from ..errors import FormatError, TruncatedFileError
from .detect import SNIFF_BYTES as _SNIFF_BYTES
from .detect import (
    describe_head,
    is_regular_file,
    looks_like_binary_record,
    looks_like_text_record,
)
from .word2vec_writer import MAX_KEY_BYTES, first_nonfinite, write_projector, write_word2vec

__all__ = ["VectorsData", "read_word2vec", "warn_nonfinite", "write_word2vec", "write_projector"]

logger = logging.getLogger(__name__)

_CHUNK_SIZE = 1 << 20  # bytes read from the file at a time
# Longer "tokens" mean a malformed file, not a long word: the bound is the longest key the
# writers write and the corpus tokenizer makes (1 MiB), so all that can be saved loads.
_MAX_TOKEN_BYTES = MAX_KEY_BYTES
_MAX_DIM = 1 << 24  # no embedding has 16 million dimensions
_MAX_HEADER_LINE = 4096
_UTF8_BOM = b"\xef\xbb\xbf"


class VectorsData:
    """What a vectors file holds, as plain data (what :func:`read_word2vec` returns).

    Unpacks as ``keys, vectors, counts = data``.

    Parameters
    ----------
    keys : list of str
        The keys, in file order (duplicates removed).
    vectors : numpy.ndarray
        ``(len(keys), dim)`` matrix, one row per key.
    counts : numpy.ndarray
        int64 count of each key.
    key_to_index : dict
        Row of each key, built while checking the keys for duplicates.
    """

    __slots__ = ("keys", "vectors", "counts", "key_to_index")

    def __init__(
        self,
        keys: list[str],
        vectors: NDArray[np.floating[Any]],
        counts: NDArray[np.int64],
        key_to_index: dict[str, int],
    ) -> None:
        self.keys = keys
        self.vectors = vectors
        self.counts = counts
        self.key_to_index = key_to_index

    def __iter__(self) -> Iterator[Any]:
        return iter((self.keys, self.vectors, self.counts))

    def __repr__(self) -> str:
        return f"VectorsData({len(self.keys)} keys, dim={self.vectors.shape[1]})"


def warn_nonfinite(
    what: str, keys: Sequence[Hashable], vectors: NDArray[Any], stacklevel: int = 2
) -> int:
    """Warns when ``vectors`` (loaded with ``allow_nonfinite=True``) hold NaN or infinity.

    Queries do not skip such vectors: every similarity or distance involving one is NaN, so
    the warning says so once, at load time, instead of letting NaN results appear silently.

    Parameters
    ----------
    what : str
        The file, for the message.
    keys : sequence
        One key per row.
    vectors : numpy.ndarray
        The matrix.
    stacklevel : int
        As for :func:`warnings.warn`.

    Returns
    -------
    int
        The number of vectors holding a non-finite value.
    """
    first: Any  # the row of the first bad vector; set whenever bad > 0
    bad, first = 0, None
    block = 1 << 14
    for lo in range(0, vectors.shape[0], block):
        ok = np.isfinite(vectors[lo : lo + block]).all(axis=1)
        if not ok.all():
            bad += int((~ok).sum())
            if first is None:
                first = lo + int(np.argmin(ok))
    if bad:
        warnings.warn(
            f"{what}: {bad} vector(s) hold NaN or infinite values (first: {keys[first]!r}), "
            f"loaded because allow_nonfinite=True; every similarity or distance involving "
            f"them is NaN, and queries do not skip them",
            UserWarning,
            stacklevel=stacklevel + 1,
        )
    return bad


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


class _ByteStream:
    """Chunked reader over a binary file object that knows the file offset of every byte."""

    __slots__ = ("_f", "_chunk", "buf", "pos", "base", "eof")

    def __init__(self, f, chunk_size):
        self._f = f
        self._chunk = int(chunk_size)
        self.buf = bytearray()
        self.pos = 0  # next unread byte in buf
        self.base = 0  # file offset of buf[0]
        self.eof = False

    @property
    def offset(self):
        return self.base + self.pos

    def available(self):
        return len(self.buf) - self.pos

    def fill(self):
        """Appends one chunk to the buffer (dropping consumed bytes); False at end of file."""
        if self.eof:
            return False
        data = self._f.read(self._chunk)
        if not data:
            self.eof = True
            return False
        if self.pos:
            del self.buf[: self.pos]
            self.base += self.pos
            self.pos = 0
        self.buf += data
        return True

    def ensure(self, n):
        """Buffers at least ``n`` unread bytes if the file has them; returns whether it does."""
        while len(self.buf) - self.pos < n:
            if not self.fill():
                return False
        return True

    def peek(self, n):
        self.ensure(n)
        return bytes(self.buf[self.pos : self.pos + n])

    def readline(self, limit):
        """The next line with its ``\\n`` (without one at end of file), ``b""`` at end of file,
        or ``None`` if no newline comes within ``limit`` bytes (nothing is consumed then)."""
        scanned = 0
        while True:
            nl = self.buf.find(b"\n", self.pos + scanned)
            if nl >= 0:
                if nl + 1 - self.pos > limit:
                    return None
                line = bytes(self.buf[self.pos : nl + 1])
                self.pos = nl + 1
                return line
            scanned = len(self.buf) - self.pos
            if scanned > limit:
                return None
            if not self.fill():
                line = bytes(self.buf[self.pos :])
                self.pos = len(self.buf)
                return line

    def skip_newlines(self):
        """Skips ``\\n`` bytes; returns False if the file ends first."""
        while True:
            buf, pos, n = self.buf, self.pos, len(self.buf)
            while pos < n and buf[pos] == 10:
                pos += 1
            self.pos = pos
            if pos < n:
                return True
            if not self.fill():
                return False

    def rest_is_blank(self):
        """Whether only ASCII whitespace remains in the file (reads until it finds more)."""
        while True:
            if self.buf[self.pos :].strip():
                return False
            self.pos = len(self.buf)
            if not self.fill():
                return True


def _open_for_reading(path):
    """Opens ``path`` for binary reading; ``.gz``/``.bz2`` names are decompressed on the fly.

    Returns ``(fileobj, size)`` where ``size`` is the byte size of the (uncompressed) content,
    or ``None`` when it cannot be known without reading everything (compressed files, pipes).
    """
    lower = path.lower()
    if lower.endswith(".gz"):
        return gzip.open(path, "rb"), None
    if lower.endswith(".bz2"):
        return bz2.open(path, "rb"), None
    return open(path, "rb"), os.path.getsize(path) if is_regular_file(path) else None


def _parse_floats(fields):
    """Floats of ``fields`` (bytes), or ``None`` if any is not a number.

    Python's ``float()`` also takes ``1_000`` (digit grouping in source code); no program
    writes vectors that way, and C's ``strtof`` (word2vec.c) stops at the ``_``, so such a
    field is refused like any other that is not a number."""
    try:
        values = [float(x) for x in fields]
    except ValueError:
        return None
    for x in fields:
        if b"_" in x:
            return None
    return values


def _parse_int(field):
    """``int`` of ``field`` (bytes or str) in plain decimal, or ``None`` (no ``1_000``)."""
    if ("_" if isinstance(field, str) else b"_") in field:
        return None
    try:
        return int(field)
    except ValueError:
        return None


def _check_datatype(datatype):
    dt = np.dtype(datatype)
    if dt.kind != "f":
        raise ValueError(f"datatype must be a floating-point type; got {dt}")
    return dt.newbyteorder("=")


class _Rows:
    """A growable float matrix: starts small (or at a size the file can hold) and doubles."""

    def __init__(self, dim, dtype, initial, ceiling):
        self.dim = dim
        self.ceiling = ceiling  # never more rows than this (None: unbounded)
        self.arr = np.empty((max(int(initial), 0), dim), dtype=dtype)
        self.n = 0

    def next_row(self):
        if self.n == self.arr.shape[0]:
            grow = max(16, self.arr.shape[0])
            if self.ceiling is not None:
                grow = min(grow, max(self.ceiling - self.arr.shape[0], 1))
            new = np.empty((self.arr.shape[0] + grow, self.dim), dtype=self.arr.dtype)
            new[: self.n] = self.arr[: self.n]
            self.arr = new
        i = self.n
        self.n += 1
        return i

    def drop_last(self):
        self.n -= 1

    def result(self):
        if self.n == self.arr.shape[0]:
            return self.arr
        return np.ascontiguousarray(self.arr[: self.n])


def _read_counts_file(fvocab, encoding, unicode_errors):
    counts, line_of = {}, {}
    with open(fvocab, "rb") as fin:
        for line_no, line in enumerate(fin, 1):
            if not line.strip():
                continue
            # Split the bytes, at ASCII whitespace only: keys may hold Unicode spaces (U+3000),
            # which str.split() would cut at.
            parts = line.split()
            count = _parse_int(parts[1]) if len(parts) == 2 else None
            try:
                word = parts[0].decode(encoding, unicode_errors)
            except UnicodeDecodeError:
                count = None
            if count is None:
                raise FormatError(
                    f"{fvocab}: line {line_no}: expected 'word count', got {line[:80]!r}"
                )
            if not 0 <= count < 2**63:  # counts are stored as int64
                raise FormatError(
                    f"{fvocab}: line {line_no}: count {count} is out of range (0 .. 2**63-1)"
                )
            if word in line_of:
                raise FormatError(
                    f"{fvocab}: line {line_no}: the word {word!r} is listed again (first at "
                    f"line {line_of[word]}); which count is meant?"
                )
            line_of[word] = line_no
            counts[word] = count
    return counts


def read_word2vec(
    fname: str | os.PathLike[str],
    binary: bool = False,
    *,
    encoding: str = "utf8",
    unicode_errors: str = "strict",
    limit: int | None = None,
    datatype: DTypeLike = np.float32,
    no_header: bool = False,
    fvocab: str | os.PathLike[str] | None = None,
    strict: bool = True,
    allow_nonfinite: bool = False,
    _chunk_size: int = _CHUNK_SIZE,
    _max_token_bytes: int = _MAX_TOKEN_BYTES,
    _byteorder: str = "<",
) -> VectorsData:
    """Reads a word2vec-format (or GloVe / fastText ``.vec``) file into keys and a matrix.

    Parameters
    ----------
    fname : str or os.PathLike
        The file. Names ending in ``.gz`` or ``.bz2`` are decompressed while reading.
    binary : bool
        ``True`` for word2vec's binary format, ``False`` for text.
    encoding, unicode_errors : str
        How keys are decoded. ``unicode_errors="replace"`` or ``"ignore"`` helps with files
        whose tokens were cut inside a multibyte character (word2vec.c does that).
    limit : int, optional
        Read at most this many vectors (``None`` or ``0``: all, like gensim).
    datatype : numpy float type
        dtype of the returned matrix (float32 by default).
    no_header : bool
        The file has no ``"count dim"`` first line (GloVe). Text files only.
    fvocab : str, optional
        A ``word count`` file (word2vec.c's ``-save-vocab``) giving the counts.
    strict : bool
        ``True`` (default): duplicate keys and records beyond the header's count are
        :class:`FormatError`. ``False``: keep the first of duplicate keys and ignore extra
        records, each with a warning.
    allow_nonfinite : bool
        Accept NaN and infinite values (rejected by default, with the line or record named).
        When some are loaded, a ``UserWarning`` names how many vectors hold them and the
        first key: every similarity or distance involving such a vector is NaN, so a
        ``most_similar`` ranking that includes one is meaningless.

    Returns
    -------
    VectorsData
        ``keys`` (list of str), ``vectors`` (``len(keys) x dim`` array of ``datatype``),
        ``counts`` (int64; from ``fvocab``, else made-up descending counts like gensim's) and
        ``key_to_index``.

    Raises
    ------
    FormatError
        The file is not in the expected format or is malformed; the message names the line or
        byte and, for a different kind of file, what it looks like.
    TruncatedFileError
        The file ends before the vectors its header declares, or its last line stops
        before its last value.

    Notes
    -----
    What cannot be detected: a text file cut right after a complete line. With a header the
    count it declares catches that, but a GloVe file (``no_header=True``) has no count, so
    a GloVe file cut at a line end loads as a shorter file without any error. A last line
    without its newline is suspicious (every writer ends lines with one; a cut inside the
    last number, ``0.987654`` read as ``0.98``, looks like that) and gives a ``UserWarning``
    naming the file and the key.

    Keys may hold any character but ASCII whitespace, Unicode spaces such as U+3000 or
    U+00A0 included (as gensim reads them); a line starting with a space (an empty key) is
    an error. Numbers are plain decimal or exponent notation: ``1_000``, which Python's
    ``float()`` would take, is an error naming the line and column.
    """
    path = os.fspath(fname)
    dtype = _check_datatype(datatype)
    if no_header and binary:
        raise ValueError("no_header=True works only for text files (binary=False)")
    if limit is not None and (not isinstance(limit, (int, np.integer)) or limit < 0):
        raise ValueError(f"limit must be None or a non-negative integer; got {limit!r}")
    if _chunk_size < 1:
        raise ValueError("_chunk_size must be positive")
    limit = int(limit) if limit else None
    file_dtype = np.dtype(np.float32).newbyteorder(_byteorder)

    counts_by_word = None
    if fvocab is not None:
        logger.info("loading word counts from %s", fvocab)
        counts_by_word = _read_counts_file(os.fspath(fvocab), encoding, unicode_errors)

    logger.info("loading vectors from %s", path)
    fin, size = _open_for_reading(path)
    with fin:
        stream = _ByteStream(fin, _chunk_size)
        try:
            head = stream.peek(_SNIFF_BYTES)
        except EOFError as exc:  # a compressed stream cut short
            raise TruncatedFileError(f"{path}: the compressed data is cut short ({exc})") from None
        except OSError as exc:  # e.g. a corrupt gzip stream
            raise FormatError(f"{path}: cannot read the file: {exc}") from None
        if head.startswith(_UTF8_BOM):
            stream.pos += len(_UTF8_BOM)
            head = head[len(_UTF8_BOM) :]
        what = describe_head(head, "word2vec")
        if what is not None:
            raise FormatError(f"{path}: {what}")

        reader = _Reader(
            path,
            stream,
            size,
            binary=binary,
            encoding=encoding,
            unicode_errors=unicode_errors,
            dtype=dtype,
            file_dtype=file_dtype,
            strict=strict,
            max_token=int(_max_token_bytes),
        )
        if no_header:
            reader.start_headerless(head, limit)
        else:
            reader.start_with_header(head, limit)
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # non-finite values: see below
                reader.read_all()
        except (OSError, EOFError) as exc:  # a compressed stream that is cut or corrupt
            if isinstance(exc, FormatError) or not path.lower().endswith((".gz", ".bz2")):
                raise
            raise TruncatedFileError(
                f"{path}: the compressed stream is damaged after {reader.records} vectors ({exc})"
            ) from None

    vectors = reader.rows.result()
    if not allow_nonfinite:
        reader.check_finite(vectors)
    else:
        warn_nonfinite(path, keys=reader.keys, vectors=vectors, stacklevel=4)
    keys = reader.keys
    n_records = reader.records
    if reader.duplicates:
        warnings.warn(
            f"{path}: {reader.duplicates} duplicate key(s) skipped, keeping the first occurrence "
            f"of each (first duplicate: {reader.first_duplicate!r})",
            UserWarning,
            stacklevel=3,
        )

    if counts_by_word is None:
        # gensim's convention when no counts are known: descending made-up counts in file order.
        counts = n_records - np.arange(len(keys), dtype=np.int64)
    else:
        counts = np.zeros(len(keys), dtype=np.int64)
        missing = 0
        for i, k in enumerate(keys):
            c = counts_by_word.get(k)
            if c is None:
                missing += 1
            else:
                counts[i] = c
        if missing:
            warnings.warn(
                f"{fvocab}: the vocabulary file lacks {missing} of the {len(keys)} keys "
                f"(their count is set to 0)",
                UserWarning,
                stacklevel=3,
            )
    logger.info("loaded %s matrix of type %s from %s", vectors.shape, vectors.dtype, path)
    return VectorsData(keys, vectors, counts, reader.key_to_index)


class _Reader:
    """Reads records from a _ByteStream; one instance per file."""

    def __init__(
        self,
        path,
        stream,
        size,
        *,
        binary,
        encoding,
        unicode_errors,
        dtype,
        file_dtype,
        strict,
        max_token,
    ):
        self.path = path
        self.stream = stream
        self.size = size
        self.binary = binary
        self.encoding = encoding
        self.unicode_errors = unicode_errors
        self.dtype = dtype
        self.file_dtype = file_dtype
        self.strict = strict
        self.max_token = max_token
        self.keys = []
        self.key_to_index = {}
        self.where = array("q")  # line number (text) or byte offset (binary) of each row
        self.records = 0  # records read, duplicates included
        self.duplicates = 0
        self.first_duplicate = None
        self.line_no = 0
        self.declared = None  # vectors the header declares (None: no header)
        self.target = None  # vectors to read (None: until end of file)
        self.dim = None
        self.capacity_note = ""
        self.first_record_bytes = b""

    # -- header ---------------------------------------------------------------------------------
    def _fail(self, msg, cls=FormatError):
        raise cls(f"{self.path}: {msg}")

    def start_with_header(self, head, limit):
        stream = self.stream
        line = stream.readline(_MAX_HEADER_LINE)
        header_ok = False
        if line:
            fields = line.split()
            if len(fields) == 2:
                n, dim = _parse_int(fields[0]), _parse_int(fields[1])
                header_ok = n is not None and dim is not None
        if not header_ok:
            first = head.split(b"\n", 1)[0]
            if looks_like_text_record(first):
                nvals = len(first.rstrip().split(b" ")) - 1
                key = first.split(b" ", 1)[0][:40].decode("utf-8", "replace")
                self._fail(
                    f"there is no 'count dim' header: the first line looks like the vector "
                    f"of {key!r} with {nvals} values. For a GloVe file (no header), pass "
                    f"no_header=True" + (" and binary=False" if self.binary else "")
                )
            self._fail(
                f"the first line should be a 'count dim' header (two integers), got "
                f"{first[:60]!r}; this is not a word2vec-format file"
            )
        self.line_no = 1
        if n < 0 or dim <= 0:
            self._fail(
                f"invalid header {line.strip()[:60]!r}: the vector count must be >= 0 and "
                f"the dimension > 0"
            )
        if dim > _MAX_DIM:
            self._fail(
                f"the header claims dimension {dim}, which is implausible (limit "
                f"{_MAX_DIM}): the header is corrupt or this is not a word2vec file"
            )
        self.dim = dim
        self.declared = n
        self.target = min(n, limit) if limit else n
        self.first_record_bytes = stream.peek(self._record_sniff_len())
        if self.binary and self.target:
            first = self.first_record_bytes.split(b"\n", 1)[0]
            if looks_like_text_record(first, dim):
                self._fail(
                    "binary=True, but the vectors are text (the first record reads as a "
                    "text line with the declared number of values): pass binary=False"
                )
        self._allocate()

    def start_headerless(self, head, limit):
        line = self.stream.readline(_SNIFF_BYTES)
        if line is None or not looks_like_text_record(line):
            shown = head.split(b"\n", 1)[0][:60]
            self._fail(f"no_header=True, but the first line is not 'key v1 v2 ...' text: {shown!r}")
        fields = line.rstrip().split(b" ")
        self.dim = len(fields) - 1
        if self.dim > _MAX_DIM:
            self._fail(f"the first line has {self.dim} values, which is implausible")
        # Put the line back: the stream position is right after it.
        self.stream.pos -= len(line)
        self.target = limit
        self.first_record_bytes = self.stream.peek(self._record_sniff_len())
        self._allocate()

    def _record_sniff_len(self):
        return min(self.max_token + 1 + 4 * self.dim + 64, _SNIFF_BYTES + 4 * self.dim)

    def _min_record_bytes(self):
        # binary: space + 4*dim (an empty key is legal); text: each value is at least
        # a separator and one character.
        return 1 + 4 * self.dim if self.binary else 2 * self.dim

    def _allocate(self):
        remaining = None if self.size is None else max(self.size - self.stream.offset, 0)
        if remaining is not None:
            fits = remaining // self._min_record_bytes() + 1
            if self.target is not None and self.target > 2 * fits + 16:
                self.capacity_note = (
                    f" (the header's count of {self.declared} vectors of dimension {self.dim} "
                    f"cannot fit in the {remaining} bytes after it: the file is truncated or the "
                    f"header is wrong)"
                )
            initial = min(fits, 1024) if self.target is None else min(self.target, fits)
            ceiling = fits if self.target is None else initial
        else:
            # Size unknown (compressed): grow as records arrive, never beyond the target.
            initial = 1024 if self.target is None else min(self.target, 1024)
            ceiling = self.target
        self.rows = _Rows(self.dim, self.dtype, initial, ceiling)

    # -- records --------------------------------------------------------------------------------
    def read_all(self):
        if self.binary:
            self._read_binary()
        else:
            self._read_text()

    def _truncated(self, offset, detail=""):
        self._fail(
            f"the file ends early: expected {self.target} vectors, got {self.records}, at "
            f"byte {offset}{detail}{self.capacity_note}",
            TruncatedFileError,
        )

    def _decode_key(self, raw, where):
        try:
            return raw.decode(self.encoding, self.unicode_errors)
        except UnicodeDecodeError as exc:
            hint = "" if self.binary else self._looks_binary_hint()
            self._fail(
                f"{self._place(where, self.records + 1)}: the key {bytes(raw[:60])!r} is "
                f"not valid {self.encoding} ({exc.reason}); pass unicode_errors='replace' "
                f"or 'ignore' to load it anyway{hint}"
            )
        except LookupError:
            raise ValueError(f"unknown encoding {self.encoding!r}") from None

    def _place(self, where, record):
        if self.binary:
            return f"vector {record} (byte {where})"
        return f"line {where}"

    def _add_key(self, key, where):
        """Registers ``key``; returns its row, or None if it is a skipped duplicate."""
        self.records += 1
        first = self.key_to_index.get(key)
        if first is not None:
            if self.strict:
                seen = self._where_text(self.where[first])
                self._fail(
                    f"{self._place(where, self.records)}: duplicate key {key!r} (first at "
                    f"{seen}); pass strict=False to keep the first occurrence of each key"
                )
            self.duplicates += 1
            if self.first_duplicate is None:
                self.first_duplicate = key
            return None
        row = self.rows.next_row()
        self.key_to_index[key] = row
        self.keys.append(key)
        self.where.append(where)
        return row

    def _where_text(self, where):
        return f"byte {where}" if self.binary else f"line {where}"

    def _looks_binary_hint(self):
        if self.records == 0 and looks_like_binary_record(
            self.first_record_bytes, self.dim, self.max_token
        ):
            return "; the data looks like word2vec's binary format: pass binary=True"
        return ""

    def _read_text(self):
        stream, dim = self.stream, self.dim
        max_line = self.max_token + 64 * dim + 64
        while self.target is None or self.records < self.target:
            start = stream.offset
            line = stream.readline(max_line)
            self.line_no += 1
            if line is None:
                self._fail(
                    f"line {self.line_no} (byte {start}) is longer than {max_line} bytes "
                    f"without a newline{self._looks_binary_hint()}"
                )
            if not line:
                if self.target is None:
                    return
                self._truncated(stream.offset)
            body = line.rstrip()
            if not body:
                continue  # blank line
            fields = body.split(b" ")
            if not fields[0]:
                self._fail(
                    f"line {self.line_no}: the line starts with a space, which would make an "
                    f"empty key; a record is 'key v1 ... vD' with the key first"
                )
            if len(fields) != dim + 1:
                if not line.endswith(b"\n") and len(fields) < dim + 1:
                    self._cut_short(len(fields) - 1, stream.offset)
                hint = self._looks_binary_hint()
                if not hint and len(fields) == dim + 2 and _parse_floats(fields[1:2]) is None:
                    hint = " (does the key contain a space?)"
                elif not hint and b"\t" in body:
                    hint = " (the values seem to be separated by tabs; the format uses spaces)"
                self._fail(
                    f"line {self.line_no}: expected {dim} values, got {len(fields) - 1}{hint}"
                )
            values = _parse_floats(fields[1:])
            if values is None:
                for col, field in enumerate(fields[1:], 2):
                    if _parse_floats([field]) is None:
                        self._fail(
                            f"line {self.line_no}, column {col}: cannot parse {field[:40]!r} "
                            f"as a number{self._looks_binary_hint()}"
                        )
            key = self._decode_key(fields[0], self.line_no)
            if not line.endswith(b"\n"):
                self._warn_no_final_newline(key)
            row = self._add_key(key, self.line_no)
            if row is None:
                continue
            self.rows.arr[row] = values
        if self.declared is not None and self.target == self.declared:
            self._check_extra(stream)

    def _cut_short(self, nvals, offset):
        expected = "" if self.target is None else f"expected {self.target} vectors, got "
        expected += "" if self.target is None else f"{self.records}; "
        self._fail(
            f"the file ends early: {expected}line {self.line_no} is cut short: it has "
            f"{nvals} of {self.dim} values and no newline (at byte {offset}){self.capacity_note}",
            TruncatedFileError,
        )

    def _warn_no_final_newline(self, key):
        # Every writer (ours, gensim's, word2vec.c's) ends a line with a newline, so a last
        # line without one was most likely cut, possibly inside its last number ("0.987654"
        # read as "0.98"), which no check can see. Said, not refused: hand-made files lack it.
        warnings.warn(
            f"{self.path}: line {self.line_no} (key {key!r}) is the last and has no newline: "
            f"the file may have been cut inside the line's last number",
            UserWarning,
            stacklevel=7,
        )

    def _read_binary(self):
        stream = self.stream
        while self.records < self.target:
            self._read_binary_buffered()
            if self.records < self.target:
                self._read_binary_one()
        if self.target == self.declared:
            self._check_extra(stream)

    def _read_binary_buffered(self):
        """Reads every complete record already in the buffer (the fast path)."""
        stream, rec_bytes, max_token = self.stream, 4 * self.dim, self.max_token
        buf, pos, end, base = stream.buf, stream.pos, len(stream.buf), stream.base
        want = self.target - self.records
        raw_keys, starts, values = [], [], []
        while len(raw_keys) < want:
            while pos < end and buf[pos] == 10:
                pos += 1
            sp = buf.find(b" ", pos, min(pos + max_token + 1, end))
            if sp < 0 or sp + 1 + rec_bytes > end:
                break
            raw_keys.append(buf[pos:sp])
            starts.append(base + pos)
            pos = sp + 1 + rec_bytes
            values.append(buf[sp + 1 : pos])
        if not raw_keys:
            return
        stream.pos = pos
        block = np.frombuffer(b"".join(values), dtype=self.file_dtype).reshape(-1, self.dim)
        rows, taken = [], []
        for j, (raw, start) in enumerate(zip(raw_keys, starts)):
            row = self._add_key(self._decode_key(raw, start), start)
            if row is not None:
                rows.append(row)
                taken.append(j)
        if rows:
            self.rows.arr[rows] = block[taken] if len(taken) < len(block) else block

    def _read_binary_one(self):
        """Reads one record that straddles the buffer's end, refilling as needed."""
        stream, dim, max_token = self.stream, self.dim, self.max_token
        rec_bytes = 4 * dim
        if not stream.skip_newlines():
            self._truncated(stream.offset)
        start = stream.offset
        scanned = 0
        while True:
            sp = stream.buf.find(b" ", stream.pos + scanned, stream.pos + max_token + 1)
            if sp >= 0:
                break
            scanned = stream.available()
            if scanned > max_token:
                self._fail(
                    f"vector {self.records + 1} (byte {start}): no space within "
                    f"{max_token} bytes to end its key: a giant token, or not a "
                    f"word2vec binary file"
                )
            if not stream.fill():
                self._truncated(stream.base + len(stream.buf), " (inside a key)")
        key_len = sp - stream.pos
        raw_key = bytes(stream.buf[stream.pos : sp])
        if not stream.ensure(key_len + 1 + rec_bytes):
            self._truncated(stream.base + len(stream.buf), " (inside a vector)")
        row = self._add_key(self._decode_key(raw_key, start), start)
        if row is not None:
            vec_at = stream.pos + key_len + 1
            self.rows.arr[row] = np.frombuffer(
                bytes(stream.buf[vec_at : vec_at + rec_bytes]), dtype=self.file_dtype
            )
        stream.pos += key_len + 1 + rec_bytes

    def _check_extra(self, stream):
        at = stream.offset
        if stream.rest_is_blank():
            return
        msg = (
            f"the file has more data after the {self.declared} vectors its header declares "
            f"(from byte {at})"
        )
        if self.strict:
            self._fail(msg + "; pass strict=False to ignore the extra records")
        warnings.warn(f"{self.path}: {msg}; ignored", UserWarning, stacklevel=5)

    def check_finite(self, vectors):
        found = first_nonfinite(vectors)
        if found is None:
            return
        row, c = found
        value = vectors[row, c]
        if self.binary:
            place = f"vector {row + 1} ({self.keys[row]!r}, byte {self.where[row]}), value {c + 1}"
        else:
            place = f"line {self.where[row]}, column {c + 2} (key {self.keys[row]!r})"
        self._fail(
            f"{place}: {value} is not a finite number; pass allow_nonfinite=True to accept NaN/inf"
        )
