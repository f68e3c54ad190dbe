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
* lines with the wrong number of values, unparsable or non-finite numbers, tokens without a
  terminating space, duplicate keys and extra records are all reported with the line (text) or
  record number and byte offset (binary).

Files are read through a chunked buffer whose size is a private parameter (``_chunk_size``),
so the tests can check that records straddling chunk edges load right. Writers validate
everything first (keys that would break the format, non-finite values) and then write through
:func:`fastembed_core.native.atomic_write`: a failed save leaves no partial file and any
previous file untouched.

On-disk conventions follow word2vec.c and gensim 4 byte for byte: a ``"N D\\n"`` header; text
records ``key v1 ... vD\\n`` with each value printed as numpy prints the scalar (shortest
round-trip representation); binary records ``key`` + one space + ``D`` little-endian float32
values, with no newline after the vector (the variant word2vec.c writes, with a newline after
each vector, is read too). Binary values are little-endian on disk whatever the host's byte
order.
"""

import bz2
import gzip
import logging
import os
import shutil
import warnings
from array import array

import numpy as np

from ..errors import FormatError, TruncatedFileError
from .native import MAGIC as _NATIVE_MAGIC
from .native import atomic_write

__all__ = [
    "VectorsData",
    "read_word2vec",
    "write_word2vec",
    "load_word2vec_format",
    "save_word2vec_format",
    "load_glove",
    "save_glove",
    "load_fasttext_vec",
    "save_fasttext_vec",
    "export_projector",
]

logger = logging.getLogger(__name__)

_CHUNK_SIZE = 1 << 20  # bytes read from the file at a time
_MAX_TOKEN_BYTES = 1 << 16  # longer "tokens" mean a malformed file, not a long word
_MAX_DIM = 1 << 24  # no embedding has 16 million dimensions
_MAX_HEADER_LINE = 4096
_SNIFF_BYTES = 1 << 16
_WRITE_BATCH = 1 << 12  # records encoded per write() call
_FASTTEXT_BIN_MAGICS = (b"\xba\x16\x4f\x2f", b"\x2f\x4f\x16\xba")
_UTF8_BOM = b"\xef\xbb\xbf"


class VectorsData:
    """What a vectors file holds: ``keys`` (list of str), ``vectors`` (2-D array, one row per
    key), ``counts`` (int64 array) and ``key_to_index`` (dict)."""

    __slots__ = ("keys", "vectors", "counts", "key_to_index")

    def __init__(self, keys, vectors, counts, key_to_index):
        self.keys = keys
        self.vectors = vectors
        self.counts = counts
        self.key_to_index = key_to_index

    def __iter__(self):
        return iter((self.keys, self.vectors, self.counts))

    def __repr__(self):
        return f"VectorsData({len(self.keys)} keys, dim={self.vectors.shape[1]})"


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
    or ``None`` when it cannot be known without reading everything.
    """
    lower = path.lower()
    if lower.endswith(".gz"):
        return gzip.open(path, "rb"), None
    if lower.endswith(".bz2"):
        return bz2.open(path, "rb"), None
    return open(path, "rb"), os.path.getsize(path)


def _parse_floats(fields):
    """Floats of ``fields`` (bytes), or ``None`` if any is not a number."""
    try:
        return [float(x) for x in fields]
    except ValueError:
        return None


def _looks_like_text_record(line, dim=None):
    """Whether ``line`` parses as ``key v1 ... vD`` (any D >= 1 when ``dim`` is None)."""
    fields = line.rstrip().split(b" ")
    if len(fields) < 2 or (dim is not None and len(fields) != dim + 1):
        return False
    return _parse_floats(fields[1:]) is not None


def _looks_like_binary_record(data, dim, max_token):
    """Whether ``data`` starts with ``key`` + space + ``dim`` float32 values that are not text."""
    data = data.lstrip(b"\n")
    sp = data.find(b" ", 0, max_token + 1)
    if sp < 0 or len(data) < sp + 1 + 4 * dim:
        return False
    raw = data[sp + 1 : sp + 1 + 4 * dim]
    if not any(b < 9 or 13 < b < 32 or b == 127 for b in raw):
        try:
            raw.decode("utf-8")
            return False  # plausible text
        except UnicodeDecodeError:
            pass
    with np.errstate(all="ignore"):
        values = np.frombuffer(raw, dtype="<f4")
        return bool(np.isfinite(values).all() and np.abs(values).max(initial=0) < 1e6)


def _describe(head):
    """What a file that is not a word2vec/GloVe file looks like, from its first bytes, or None."""
    if head[:2] == b"\x1f\x8b":
        return (
            "a gzip-compressed file: decompress it first, or give it a name ending in .gz "
            "so it is decompressed while reading"
        )
    if head[:3] == b"BZh" and head[4:10] == b"1AY&SY":
        return "a bzip2-compressed file: decompress it first, or give it a name ending in .bz2"
    if head[:4] == b"PK\x03\x04":
        return "a zip archive: extract the vectors file from it first"
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return (
            "a Python pickle (e.g. a gensim .save() / .model file). Pickles are never "
            "loaded here because loading one can run arbitrary code: load it with gensim "
            "and convert with KeyedVectors.from_gensim(), or save it in word2vec format"
        )
    if head[:4] in _FASTTEXT_BIN_MAGICS:
        return (
            "a fastText .bin model, not a vectors file: load the .vec file that fastText "
            "writes beside it (load_fasttext_vec / binary=False)"
        )
    if head[: len(_NATIVE_MAGIC)] == _NATIVE_MAGIC:
        return "a fastembed_core native file: load it with KeyedVectors.load()"
    if head[:6] == b"\x93NUMPY":
        return "a numpy .npy array (no keys): build KeyedVectors with add_vectors() instead"
    start = head.lstrip()[:16].lower()
    if start.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body", b"<!--")):
        return "an HTML/XML document (a failed download or an error page?)"
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
    counts = {}
    with open(fvocab, "rb") as fin:
        for line_no, line in enumerate(fin, 1):
            if not line.strip():
                continue
            try:
                parts = line.decode(encoding, unicode_errors).split()
                word, count = parts
                count = int(count)
            except (ValueError, UnicodeDecodeError):
                raise FormatError(
                    f"{fvocab}: line {line_no}: expected 'word count', got {line[:80]!r}"
                ) from None
            if not 0 <= count < 2**63:  # counts are stored as int64
                raise FormatError(
                    f"{fvocab}: line {line_no}: count {count} is out of range (0 .. 2**63-1)"
                )
            counts[word] = count
    return counts


def read_word2vec(
    fname,
    binary=False,
    *,
    encoding="utf8",
    unicode_errors="strict",
    limit=None,
    datatype=np.float32,
    no_header=False,
    fvocab=None,
    strict=True,
    allow_nonfinite=False,
    _chunk_size=_CHUNK_SIZE,
    _max_token_bytes=_MAX_TOKEN_BYTES,
    _byteorder="<",
):
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
        Accept NaN and infinite values (rejected by default).

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
        The file ends before the vectors its header declares.
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
        if not head.strip():
            raise FormatError(f"{path}: the file is empty")
        what = _describe(head)
        if what is not None:
            raise FormatError(f"{path}: this looks like {what}")

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
            if isinstance(exc, FormatError) or size is not None:
                raise
            raise TruncatedFileError(
                f"{path}: the compressed stream is damaged after {reader.records} vectors ({exc})"
            ) from None

    vectors = reader.rows.result()
    if not allow_nonfinite:
        reader.check_finite(vectors)
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
                try:
                    n, dim = int(fields[0]), int(fields[1])
                    header_ok = True
                except ValueError:
                    pass
        if not header_ok:
            first = head.split(b"\n", 1)[0]
            if _looks_like_text_record(first):
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
            if _looks_like_text_record(first, dim):
                self._fail(
                    "binary=True, but the vectors are text (the first record reads as a "
                    "text line with the declared number of values): pass binary=False"
                )
        self._allocate()

    def start_headerless(self, head, limit):
        line = self.stream.readline(_SNIFF_BYTES)
        if line is None or not _looks_like_text_record(line):
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
        if self.records == 0 and _looks_like_binary_record(
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
            if len(fields) != dim + 1:
                if not line.endswith(b"\n") and len(fields) < dim + 1:
                    self._truncated(stream.offset, f" (line {self.line_no} is cut short)")
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
            row = self._add_key(key, self.line_no)
            if row is None:
                continue
            self.rows.arr[row] = values
        if self.declared is not None and self.target == self.declared:
            self._check_extra(stream)

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
        block = 1 << 14
        for lo in range(0, vectors.shape[0], block):
            part = vectors[lo : lo + block]
            ok = np.isfinite(part)
            if ok.all():
                continue
            r, c = map(int, np.argwhere(~ok)[0])
            row = lo + r
            value = part[r, c]
            if self.binary:
                place = (
                    f"vector {row + 1} ({self.keys[row]!r}, byte {self.where[row]}), value {c + 1}"
                )
            else:
                place = f"line {self.where[row]}, column {c + 2} (key {self.keys[row]!r})"
            self._fail(
                f"{place}: {value} is not a finite number; pass allow_nonfinite=True to "
                f"accept NaN/inf"
            )


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


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
    """Writes ``keys`` and the rows of ``vectors`` (in that order) in word2vec format.

    Parameters
    ----------
    fname : str or os.PathLike
        Target file; written atomically (a failed write leaves any previous file untouched).
    keys : sequence of str or int
        One key per row of ``vectors``.
    vectors : 2-D array
    binary : bool
        Binary (little-endian float32) instead of text.
    counts : sequence, optional
        Per-key counts, written to ``fvocab`` as ``key count`` lines.
    fvocab : str, optional
        Vocabulary file to write (needs ``counts``).
    total_vec : int, optional
        Count written in the header (default: ``len(keys)``).
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
    if not isinstance(vectors, _Reordered):
        vectors = np.asarray(vectors)
    if vectors.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array; got shape {vectors.shape}")
    if len(keys) != vectors.shape[0]:
        raise ValueError(f"{len(keys)} keys but {vectors.shape[0]} vectors")
    if not isinstance(prefix, str):
        raise TypeError("prefix must be a str")
    texts = [_key_text(k) for k in keys]
    _check_tokens(texts, prefix, _what)
    order = np.arange(len(texts))
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

        def write_vocab(f):
            if append:
                _copy_existing(os.fspath(fvocab), f)
            f.write("".join(f"{prefix}{t} {c}\n" for t, c in zip(texts, counts)).encode("utf8"))

        logger.info("storing vocabulary in %s", fvocab)
        atomic_write(os.fspath(fvocab), write_vocab)

    def write(f):
        if append:
            _copy_existing(path, f)
        if write_header:
            f.write(f"{total_vec} {dim}\n".encode())
        for lo in range(0, len(texts), _WRITE_BATCH):
            hi = min(lo + _WRITE_BATCH, len(texts))
            block = np.asarray(vectors[lo:hi])
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


# ---------------------------------------------------------------------------------------------
# KeyedVectors-level helpers
# ---------------------------------------------------------------------------------------------


def _kv_class(cls):
    if cls is None:
        from ..vectors.keyedvectors import KeyedVectors

        return KeyedVectors
    return cls


def _build_kv(cls, data, dtype):
    kv = _kv_class(cls)(data.vectors.shape[1], dtype=dtype)
    kv.index_to_key = data.keys
    kv.key_to_index = data.key_to_index
    kv.vectors = data.vectors
    kv.next_index = len(data.keys)
    kv.expandos["count"] = data.counts
    return kv


def load_word2vec_format(
    fname,
    fvocab=None,
    binary=False,
    encoding="utf8",
    unicode_errors="strict",
    limit=None,
    datatype=np.float32,
    no_header=False,
    *,
    strict=True,
    allow_nonfinite=False,
    cls=None,
    **private,
):
    """Loads a word2vec-format file as :class:`~fastembed_core.keyedvectors.KeyedVectors`.

    Same parameters as :func:`read_word2vec` (and as gensim 4's
    ``KeyedVectors.load_word2vec_format``); the per-key ``"count"`` attribute is set from
    ``fvocab`` or, like gensim, to made-up descending counts in file order.
    """
    data = read_word2vec(
        fname,
        binary,
        encoding=encoding,
        unicode_errors=unicode_errors,
        limit=limit,
        datatype=datatype,
        no_header=no_header,
        fvocab=fvocab,
        strict=strict,
        allow_nonfinite=allow_nonfinite,
        **private,
    )
    return _build_kv(cls, data, data.vectors.dtype)


def _store_order(kv, sort_attr, fvocab):
    n = len(kv.index_to_key)
    if sort_attr in kv.expandos:
        values = np.asarray(kv.expandos[sort_attr])
        if values.shape[0] != n:
            raise ValueError(f"attribute {sort_attr!r} has {values.shape[0]} values for {n} keys")
        if values.dtype.kind not in "iuf":
            raise TypeError(f"attribute {sort_attr!r} is not numeric; cannot sort by it")
        order = np.argsort(-values.astype(np.float64), kind="stable")
        return order, values
    if fvocab is not None:
        raise ValueError(
            f"cannot write vocabulary with {sort_attr!r} because that attribute does not exist"
        )
    logger.warning("attribute %s not present in %s; storing in index order", sort_attr, kv)
    return np.arange(n), None


def save_word2vec_format(
    kv,
    fname,
    fvocab=None,
    binary=False,
    total_vec=None,
    write_header=True,
    prefix="",
    append=False,
    sort_attr="count",
    *,
    allow_nonfinite=False,
    **private,
):
    """Saves ``kv`` in word2vec format, most frequent first (by ``sort_attr``), like gensim 4.

    Keys are written in descending order of the ``sort_attr`` per-key attribute when it exists
    (ties keep index order), else in index order. See :func:`write_word2vec` for the other
    parameters and the errors.
    """
    vectors = kv.vectors
    if vectors.shape != (len(kv.index_to_key), kv.vector_size):
        raise ValueError(
            f"vectors have shape {vectors.shape} but there are "
            f"{len(kv.index_to_key)} keys of dimension {kv.vector_size}"
        )
    order, values = _store_order(kv, sort_attr, fvocab)
    keys = [kv.index_to_key[i] for i in order]
    counts = None if values is None else [values[i] for i in order]
    write_word2vec(
        fname,
        keys,
        _Reordered(vectors, order),
        binary=binary,
        counts=counts,
        fvocab=fvocab,
        total_vec=total_vec,
        write_header=write_header,
        prefix=prefix,
        append=append,
        allow_nonfinite=allow_nonfinite,
        **private,
    )


class _Reordered:
    """Rows of ``vectors`` in ``order`` without copying the whole matrix."""

    def __init__(self, vectors, order):
        self._v = vectors
        self._order = np.asarray(order)
        self.shape = (len(self._order), vectors.shape[1])
        self.ndim = 2
        self.dtype = vectors.dtype

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, item):
        return self._v[self._order[item]]

    def __array__(self, dtype=None, copy=None):
        out = self._v[self._order]
        return out if dtype is None else out.astype(dtype)


def load_glove(
    fname,
    *,
    encoding="utf8",
    unicode_errors="strict",
    limit=None,
    datatype=np.float32,
    strict=True,
    allow_nonfinite=False,
    cls=None,
    **private,
):
    """Loads a GloVe text file (``key v1 ... vD`` lines, no header)."""
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


def save_glove(kv, fname, *, sort_attr="count", allow_nonfinite=False):
    """Saves ``kv`` as a GloVe text file (no header line)."""
    save_word2vec_format(
        kv,
        fname,
        binary=False,
        write_header=False,
        sort_attr=sort_attr,
        allow_nonfinite=allow_nonfinite,
    )


def load_fasttext_vec(
    fname,
    *,
    encoding="utf8",
    unicode_errors="strict",
    limit=None,
    datatype=np.float32,
    strict=True,
    allow_nonfinite=False,
    cls=None,
    **private,
):
    """Loads a fastText ``.vec`` file (word2vec text: a ``count dim`` header, one key per line,
    values followed by a trailing space)."""
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


def save_fasttext_vec(kv, fname, *, precision=5, sort_attr="count", allow_nonfinite=False):
    """Saves ``kv`` as fastText writes ``.vec`` files: a ``count dim`` header, each value with
    ``precision`` significant digits followed by a space (``precision=None``: shortest
    round-trip repr)."""
    if precision is None:

        def fmt(row):
            return "".join(f"{v} " for v in row)
    else:
        spec = f"{{:.{int(precision)}g}} "

        def fmt(row):
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


def export_projector(kv, vectors_tsv, metadata_tsv=None, limit=None, attrs=()):
    """Writes TSV files for TensorBoard's Embedding Projector (projector.tensorflow.org).

    Parameters
    ----------
    kv : KeyedVectors
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
    """
    n = len(kv.index_to_key) if limit is None else min(int(limit), len(kv.index_to_key))
    texts = [_key_text(k) for k in kv.index_to_key[:n]]
    bad = [t for t in texts if any(c in t for c in "\t\n\r")]
    if bad:
        raise ValueError(
            f"{len(bad)} key(s) contain tabs or line breaks, which TSV cannot "
            f"hold (first: {', '.join(map(repr, bad[:5]))}); nothing was written"
        )
    for a in attrs:
        if a not in kv.expandos:
            raise KeyError(f"no per-key attribute {a!r}; have {sorted(kv.expandos)}")
    vectors = kv.vectors

    def write_vectors(f):
        for lo in range(0, n, _WRITE_BATCH):
            block = np.asarray(vectors[lo : min(lo + _WRITE_BATCH, n)])
            f.write("".join("\t".join(map(str, row)) + "\n" for row in block).encode("utf8"))

    atomic_write(os.fspath(vectors_tsv), write_vectors)
    if metadata_tsv is not None:

        def write_meta(f):
            lines = []
            if attrs:
                lines.append("\t".join(["key", *attrs]) + "\n")
                cols = [kv.expandos[a] for a in attrs]
                for i, t in enumerate(texts):
                    lines.append("\t".join([t, *(str(c[i]) for c in cols)]) + "\n")
            else:
                lines.extend(t + "\n" for t in texts)
            f.write("".join(lines).encode("utf8"))

        atomic_write(os.fspath(metadata_tsv), write_meta)
