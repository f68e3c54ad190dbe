"""Facebook fastText's binary model files (``.bin``): a strict reader and an exact writer.

Layout of a file (every number in the byte order of the machine that wrote it; fastText
models are in practice all little-endian, which is what is read and written here)::

    int32   magic 793712314
    int32   version (12 for fastText 0.2-0.9; 11 for files from 2017; files from 2016 have
            neither field, nor pruneidx_size and the two bool flags, and are read too)
    args    int32 dim, ws, epoch, min_count, neg, word_ngrams, loss, model, bucket, minn,
            maxn, lr_update_rate; float64 t
    dict    int32 size, nwords, nlabels; int64 ntokens, pruneidx_size;
            size entries of (the word's bytes, a NUL byte, int64 count, int8 type);
            pruneidx_size pairs of int32 (only in pruned, quantized models)
    bool    quant_input (1 byte)
    matrix  int64 rows, cols; rows * cols float32: the input matrix, nwords + bucket rows
            (the words' own rows, then the hashed n-gram buckets)
    bool    qout (1 byte)
    matrix  the output matrix: nwords rows (nlabels in a supervised model)

``loss`` is 1 hs, 2 ns, 3 softmax, 4 one-vs-all; ``model`` is 1 cbow, 2 skip-gram,
3 supervised (:data:`LOSS_NAMES`, :data:`MODEL_NAMES`). Entry types are 0 for a word and 1 for
a label; words come first.

The reader checks every count and size against the bytes left in the file before it
allocates anything, so a corrupt header fails at once with a
:class:`~fastembed_core.errors.FormatError` naming the field instead of asking for terabytes;
a file cut short raises :class:`~fastembed_core.errors.TruncatedFileError`, one with bytes
after the output matrix a ``FormatError``. Quantized models (``.ftz``) are refused with a
message saying so. Words that are not valid UTF-8 are decoded as gensim decodes them (invalid
bytes become ``\\xNN`` escapes) and counted in one logged warning. The matrices' values are
not checked (a scan would defeat ``mmap="r"``).

The writer produces byte for byte what fastText 0.9's ``saveModel`` writes for the same data
(``fasttext.load_model`` and gensim's ``load_facebook_model`` read it), through
:func:`fastembed_core.io.native.atomic_write`: a failed save leaves any previous file as it was.
Its ``.vec`` companion is word2vec text, written by :mod:`fastembed_core.io.word2vec_writer`.

This module is pure format code: it returns and takes plain data
(:class:`FacebookModelData`); models and vectors are built from it in
:mod:`fastembed_core.models` and :mod:`fastembed_core.vectors`.

Size: over 700 lines because it is one format, read and written: the reader and the writer
share the layout and the rules a model must keep, and most of the length is those checks
and their messages.
"""

from __future__ import annotations

import io
import logging
import math
import os
import struct
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import FormatError, TruncatedFileError, UnsupportedVersionError
from .detect import describe_head, is_regular_file
from .native import atomic_write
from .word2vec_writer import MAX_KEY_BYTES, first_nonfinite

__all__ = [
    "MAGIC",
    "VERSION",
    "OLD_FORMAT",
    "ARG_FIELDS",
    "LOSS_NAMES",
    "MODEL_NAMES",
    "WORD",
    "LABEL",
    "FacebookModelData",
    "read_facebook_bin",
    "write_facebook_bin",
]

logger = logging.getLogger(__name__)

MAGIC = 793712314
"""First int32 of every fastText model file since 2017."""
VERSION = 12
"""The file format version fastText 0.2 to 0.9 write."""
_READABLE_VERSIONS = (11, 12)  # 11: the same layout, written by fastText before 0.2
OLD_FORMAT = 0
"""``args["version"]`` of a file from before fastText's magic number (2016)."""

#: The model's parameters in the order ``Args::save`` writes them: twelve int32 and a float64.
ARG_FIELDS = (
    "dim",
    "ws",
    "epoch",
    "min_count",
    "neg",
    "word_ngrams",
    "loss",
    "model",
    "bucket",
    "minn",
    "maxn",
    "lr_update_rate",
    "t",
)
LOSS_NAMES = {1: "hs", 2: "ns", 3: "softmax", 4: "ova"}
"""fastText's loss codes (``args["loss"]``)."""
MODEL_NAMES = {1: "cbow", 2: "sg", 3: "sup"}
"""fastText's model codes (``args["model"]``)."""
WORD, LABEL = 0, 1
"""Entry types of the dictionary."""
_SUPERVISED = 3

_HEADER = struct.Struct("<ii")
_ARGS = struct.Struct("<12id")
_DICT_HEADER = struct.Struct("<iiiqq")  # size, nwords, nlabels, ntokens, pruneidx_size
_OLD_DICT_HEADER = struct.Struct("<iiiq")  # before the magic number: no pruneidx_size
_ENTRY_TAIL = struct.Struct("<qb")  # after the word and its NUL: count, type
_MATRIX_HEADER = struct.Struct("<qq")
# The smallest dictionary entry: an empty word (fastText writes them at times), its NUL,
# count and type.
_MIN_ENTRY_BYTES = 1 + _ENTRY_TAIL.size
_INT32_MAX = 2**31 - 1
_CHUNK = 1 << 20  # bytes of the dictionary read at a time
_MATRIX_BLOCK = 1 << 26  # bytes of a matrix read or written per call
_F32: np.dtype[np.float32] = np.dtype("<f4")


@dataclass
class FacebookModelData:
    """What a fastText ``.bin`` file holds, as plain data.

    Attributes
    ----------
    args : dict
        The fields of :data:`ARG_FIELDS` (``t`` a float, the others ints) and ``version``
        (the file's format version; fastText treats a version 11 supervised model as
        having ``maxn = 0``, which is left to the caller).
    words : list of str
        The dictionary's entries in file order: the ``nwords`` words, then the labels.
    counts : numpy.ndarray
        int64 count of each entry.
    entry_types : numpy.ndarray
        int8 type of each entry: :data:`WORD` (0) or :data:`LABEL` (1).
    ntokens : int
        Number of tokens in the training corpus.
    input_matrix : numpy.ndarray
        float32 ``(nwords + bucket, dim)``: the words' own rows, then the n-gram buckets.
    output_matrix : numpy.ndarray or None
        float32 ``(nwords, dim)`` (``(nlabels, dim)`` for a supervised model); ``None`` when
        read with ``full_model=False``.
    """

    args: dict[str, Any]
    words: list[str]
    counts: NDArray[np.int64]
    entry_types: NDArray[np.int8]
    ntokens: int
    input_matrix: NDArray[np.float32]
    output_matrix: NDArray[np.float32] | None = None

    @property
    def nwords(self) -> int:
        """Number of word entries (the first rows of the input matrix)."""
        return int(np.count_nonzero(np.asarray(self.entry_types) == WORD))

    @property
    def nlabels(self) -> int:
        """Number of label entries (supervised models)."""
        return len(self.entry_types) - self.nwords

    def __repr__(self) -> str:
        out = None if self.output_matrix is None else self.output_matrix.shape
        return (
            f"FacebookModelData({len(self.words)} entries, input {self.input_matrix.shape}, "
            f"output {out})"
        )


# ---------------------------------------------------------------------------------------------
# Checks shared by the reader (FormatError) and the writer (ValueError)
# ---------------------------------------------------------------------------------------------


def _check_args(args: dict[str, Any], error: type[ValueError], where: str) -> None:
    """The parameters a well-formed model can have; ``error`` names the field otherwise."""
    for name in ARG_FIELDS[:-1]:
        value = args[name]
        if value < 0:
            raise error(f"{where}: {name} is negative ({value})")
    if args["dim"] < 1:
        raise error(f"{where}: dim is {args['dim']}; a model has at least one dimension")
    if args["loss"] not in LOSS_NAMES:
        codes = ", ".join(f"{k} {v}" for k, v in LOSS_NAMES.items())
        raise error(f"{where}: loss code {args['loss']} is not one of fastText's ({codes})")
    if args["model"] not in MODEL_NAMES:
        codes = ", ".join(f"{k} {v}" for k, v in MODEL_NAMES.items())
        raise error(f"{where}: model code {args['model']} is not one of fastText's ({codes})")
    if not (math.isfinite(args["t"]) and args["t"] >= 0):
        raise error(f"{where}: the sampling threshold t is {args['t']!r}")


def _check_entry_types(
    types: NDArray[np.int8], nwords: int, error: type[ValueError], where: str
) -> None:
    bad = np.flatnonzero((types != WORD) & (types != LABEL))
    if len(bad):
        raise error(
            f"{where}: dictionary entry {int(bad[0])} has type {int(types[bad[0]])}; "
            f"fastText's types are 0 (word) and 1 (label)"
        )
    expected: NDArray[np.int8] = np.full(len(types), LABEL, np.int8)
    expected[:nwords] = WORD
    misplaced = np.flatnonzero(types != expected)
    if len(misplaced):
        raise error(
            f"{where}: dictionary entry {int(misplaced[0])} is out of place: the {nwords} "
            f"words must come first, then the labels"
        )


def _check_unique(words: list[str], error: type[ValueError], where: str) -> None:
    if len(set(words)) != len(words):
        seen: dict[str, int] = {}
        for i, w in enumerate(words):
            if w in seen:
                raise error(
                    f"{where}: the word {w!r} appears twice in the dictionary "
                    f"(entries {seen[w]} and {i})"
                )
            seen[w] = i


def _output_rows(args: dict[str, Any], nwords: int, nlabels: int) -> tuple[int, str]:
    """Rows of the output matrix: one per label in a supervised model, else one per word."""
    if args["model"] == _SUPERVISED:
        return nlabels, "nlabels (a supervised model)"
    return nwords, "nwords"


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


class _Reader:
    """Reads a file front to back through a buffer, knowing the offset of every byte and how
    many bytes are left, so every field can be checked against the file's size."""

    def __init__(self, f: io.BufferedIOBase, size: int, path: str) -> None:
        self.f = f
        self.size = size
        self.path = path
        self.buf = b""
        self.pos = 0  # next unread byte of buf
        self.base = 0  # file offset of buf[0]

    @property
    def offset(self) -> int:
        return self.base + self.pos

    @property
    def left(self) -> int:
        return self.size - self.offset

    def _fill(self, need: int) -> None:
        """Makes at least ``need`` unread bytes available, or as many as the file has."""
        have = len(self.buf) - self.pos
        if have >= need:
            return
        more = self.f.read(max(need - have, _CHUNK))
        self.base += self.pos
        self.buf = self.buf[self.pos :] + more
        self.pos = 0

    def take(self, n: int, what: str) -> bytes:
        self._fill(n)
        if len(self.buf) - self.pos < n:
            raise TruncatedFileError(
                f"{self.path}: the file ends inside {what} (at byte {self.offset}; "
                f"{n} bytes needed, {len(self.buf) - self.pos} left)"
            )
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: struct.Struct, what: str) -> tuple[Any, ...]:
        return fmt.unpack(self.take(fmt.size, what))

    def until_nul(self, limit: int, what: str) -> bytes:
        """The bytes up to the next NUL (which is consumed), at most ``limit`` of them."""
        start = self.pos
        while True:
            end = self.buf.find(b"\0", start, self.pos + limit + 1)
            if end >= 0:
                out = self.buf[self.pos : end]
                self.pos = end + 1
                return out
            available = len(self.buf) - self.pos
            if available > limit:
                raise FormatError(
                    f"{self.path}: {what} has no end: no NUL byte within {limit} bytes "
                    f"of byte {self.offset}"
                )
            if self.offset + available < self.size:
                self._fill(available + 1)
            if len(self.buf) - self.pos == available:  # nothing more to read
                raise TruncatedFileError(
                    f"{self.path}: the file ends inside {what} (at byte {self.offset + available})"
                )
            start = self.pos + available  # the bytes before were searched already

    def skip(self, n: int) -> None:
        """Moves ``n`` bytes on (the caller has checked that they exist)."""
        self.base = self.offset + n
        self.buf, self.pos = b"", 0
        self.f.seek(self.base)

    def matrix(
        self, which: str, shape: tuple[int, int], names: str, mmap: str | None, load: bool
    ) -> NDArray[Any]:
        """A ``rows cols float32...`` matrix whose header must give ``shape`` (``names`` says
        where its rows come from) and whose bytes must be in the file: read, mapped
        (``mmap``), or skipped (``load=False``: an empty placeholder is returned)."""
        rows, cols = self.unpack(_MATRIX_HEADER, f"the {which} matrix's header")
        where = f"{self.path}: the {which} matrix"
        if rows < 0 or cols < 0:
            raise FormatError(f"{where} has a negative shape ({rows}, {cols})")
        # the shape is checked before the size: a matrix of no columns has no bytes to check
        if cols != shape[1]:
            raise FormatError(f"{where} has {cols} columns but dim is {shape[1]}")
        if rows != shape[0]:
            raise FormatError(f"{where} has {rows} rows but {names} = {shape[0]}")
        nbytes = rows * cols * _F32.itemsize
        if nbytes > self.left:
            raise TruncatedFileError(
                f"{where} ({rows} x {cols} float32, {nbytes} bytes from byte {self.offset}) "
                f"does not fit in the {self.left} bytes left of the file"
            )
        start = self.offset
        arr: NDArray[Any]
        if not load or not nbytes:
            arr = np.empty((rows if load else 0, cols), np.float32)
        elif mmap:
            arr = np.memmap(self.path, dtype=_F32, mode=mmap, offset=start, shape=(rows, cols))
        else:
            arr = np.empty((rows, cols), _F32)
            self.f.seek(start)
            view = memoryview(arr).cast("B")
            for lo in range(0, nbytes, _MATRIX_BLOCK):
                part = view[lo : lo + _MATRIX_BLOCK]
                if self.f.readinto(part) != len(part):
                    raise TruncatedFileError(f"{self.path}: the {which} matrix is cut short")
            if not np.little_endian:
                arr = arr.astype(np.float32)
        self.skip(nbytes)
        return arr


def _read_entries(r: _Reader, size: int) -> tuple[list[bytes], list[int], list[int]]:
    """The dictionary's ``size`` entries: (word bytes, counts, types).

    The entries inside the reader's buffer are parsed in place; only one that straddles the
    buffer's end (or is malformed) goes through the reader's checked, refilling calls, so
    the loop makes no method call of its own per entry."""
    words: list[bytes] = []
    counts: list[int] = []
    types: list[int] = []
    tail, unpack_tail = _ENTRY_TAIL.size, _ENTRY_TAIL.unpack_from
    while len(words) < size:
        buf, pos, n = r.buf, r.pos, len(r.buf)
        for _ in range(size - len(words)):
            end = buf.find(b"\0", pos, pos + MAX_KEY_BYTES + 1)
            if end < 0 or end + 1 + tail > n:
                break
            words.append(buf[pos:end])
            count, kind = unpack_tail(buf, end + 1)
            counts.append(count)
            types.append(kind)
            pos = end + 1 + tail
        r.pos = pos
        if len(words) < size:
            what = f"dictionary entry {len(words)} of {size}"
            words.append(r.until_nul(MAX_KEY_BYTES, what))
            count, kind = r.unpack(_ENTRY_TAIL, what)
            counts.append(count)
            types.append(kind)
    return words, counts, types


def _decode_words(raw: list[bytes], path: str) -> list[str]:
    """UTF-8, or for the bytes that are not, gensim's fallback: ``\\xNN`` escapes."""
    if not raw:
        return []
    try:  # all at once (no word holds a NUL byte), the common case
        return b"\0".join(raw).decode("utf-8").split("\0")
    except UnicodeDecodeError:
        pass
    words, bad = [], []
    for b in raw:
        try:
            words.append(b.decode("utf-8"))
        except UnicodeDecodeError:
            words.append(b.decode("utf-8", "backslashreplace"))
            bad.append(len(words) - 1)
    if bad:
        logger.warning(
            "%s: %d word(s) of the dictionary are not valid UTF-8; their invalid bytes were "
            "replaced with \\xNN escapes, as gensim does (first: %r)",
            path,
            len(bad),
            words[bad[0]],
        )
    return words


def _read_dictionary(
    r: _Reader, new_format: bool
) -> tuple[list[str], NDArray[np.int64], NDArray[np.int8], int, int]:
    """The dictionary: (words, counts, entry types, ntokens, pruneidx_size)."""
    path = r.path
    if new_format:
        size_, nwords, nlabels, ntokens, prune_size = r.unpack(
            _DICT_HEADER, "the dictionary's header"
        )
    else:
        size_, nwords, nlabels, ntokens = r.unpack(_OLD_DICT_HEADER, "the dictionary's header")
        prune_size = -1
    for name, value in (("size", size_), ("nwords", nwords), ("nlabels", nlabels)):
        if value < 0:
            raise FormatError(f"{path}: the dictionary's {name} is negative ({value})")
    if nwords + nlabels != size_:
        raise FormatError(
            f"{path}: the dictionary holds {size_} entries but nwords + nlabels = "
            f"{nwords} + {nlabels}"
        )
    if ntokens < 0:
        raise FormatError(f"{path}: ntokens is negative ({ntokens})")
    if prune_size < -1:
        raise FormatError(f"{path}: pruneidx_size is {prune_size} (at least -1)")
    if size_ * _MIN_ENTRY_BYTES > r.left:
        raise TruncatedFileError(
            f"{path}: the dictionary's size {size_} needs at least "
            f"{size_ * _MIN_ENTRY_BYTES} bytes but {r.left} are left in the file"
        )
    raw_words, count_list, type_list = _read_entries(r, size_)
    counts = np.array(count_list, np.int64)
    types = np.array(type_list, np.int8)
    del count_list, type_list
    if size_ and counts.min() < 0:
        first = int(np.argmax(counts < 0))
        raise FormatError(
            f"{path}: dictionary entry {first} has a negative count ({counts[first]})"
        )
    _check_entry_types(types, nwords, FormatError, path)
    words = _decode_words(raw_words, path)
    _check_unique(words, FormatError, path)
    if prune_size > 0:
        if prune_size * 8 > r.left:
            raise TruncatedFileError(
                f"{path}: pruneidx_size {prune_size} needs {prune_size * 8} bytes but "
                f"{r.left} are left in the file"
            )
        r.skip(prune_size * 8)
    return words, counts, types, int(ntokens), int(prune_size)


def _flag(r: _Reader, name: str) -> bool:
    (value,) = r.take(1, f"the {name} flag")
    if value not in (0, 1):
        raise FormatError(f"{r.path}: the {name} flag is {value} (a bool: 0 or 1)")
    return bool(value)


def _quantized(path: str) -> FormatError:
    return FormatError(
        f"{path}: a quantized fastText model (.ftz): not supported; load the "
        f"full-precision .bin model instead"
    )


def _read_model(
    r: _Reader, new_format: bool, full_model: bool, mmap: str | None
) -> FacebookModelData:
    """Everything after the magic number (``new_format``) or from the first byte (a file
    written before fastText had one: no version, pruneidx_size or quantization flags)."""
    path = r.path
    if new_format:
        _, version = r.unpack(_HEADER, "the version number")
        if version not in _READABLE_VERSIONS:
            raise UnsupportedVersionError(
                f"{path}: fastText file format version {version}; versions 11 and 12 "
                f"(written by fastText up to 0.9) are read"
            )
    else:
        version = OLD_FORMAT
    args = dict(zip(ARG_FIELDS, r.unpack(_ARGS, "the model's parameters")))
    _check_args(args, FormatError, path)
    args["version"] = version
    words, counts, types, ntokens, prune_size = _read_dictionary(r, new_format)
    nwords = len(words) - int(np.count_nonzero(types))

    if new_format and _flag(r, "quant_input"):
        raise _quantized(path)
    if prune_size >= 0:  # only quantization prunes; fastText refuses this file too
        raise FormatError(f"{path}: a pruned dictionary without quantization: the file is corrupt")
    dim, bucket = args["dim"], args["bucket"]
    inp = r.matrix(
        "input", (nwords + bucket, dim), f"nwords + bucket = {nwords} + {bucket}", mmap, True
    )
    if new_format and _flag(r, "qout"):
        raise _quantized(path)
    want, name = _output_rows(args, nwords, len(words) - nwords)
    out = r.matrix("output", (want, dim), name, None, full_model)
    if r.left:
        raise FormatError(
            f"{path}: {r.left} bytes of unexpected data after the output matrix "
            f"(from byte {r.offset}): the file is corrupt or not a fastText model"
        )
    return FacebookModelData(
        args=args,
        words=words,
        counts=counts,
        entry_types=types,
        ntokens=ntokens,
        input_matrix=inp,
        output_matrix=out if full_model else None,
    )


def read_facebook_bin(
    path: str | os.PathLike[str], *, full_model: bool = True, mmap: str | None = None
) -> FacebookModelData:
    """Reads a fastText ``.bin`` model file.

    Files fastText wrote before it had a magic number (2016; gensim reads them too) are
    read when they parse as such; their ``args["version"]`` is :data:`OLD_FORMAT`.

    Parameters
    ----------
    path : str or os.PathLike
        A regular file (its size bounds every count in it before anything is allocated).
    full_model : bool
        Read the output matrix too (needed to continue training). With ``False`` its header
        and size are still checked, but its values are not read and ``output_matrix`` is
        ``None``.
    mmap : {None, "r", "r+", "c"}
        Memory-map the input matrix from the file in this mode instead of reading it.

    Returns
    -------
    FacebookModelData

    Raises
    ------
    FormatError
        Not a fastText model (no magic number, and not a model from before it either), a
        quantized model (``.ftz``), a field with an impossible value (negative or
        inconsistent counts, unknown loss or model codes, a matrix whose shape does not
        match ``dim``, ``nwords`` or ``bucket``, duplicate words), or bytes after the output
        matrix. The message names the field.
    UnsupportedVersionError
        A format version other than 11 or 12.
    TruncatedFileError
        The file ends before the data its header promises.
    """
    if mmap not in (None, "r", "r+", "c"):
        raise ValueError(f"mmap must be None, 'r', 'r+' or 'c'; got {mmap!r}")
    path = os.fspath(path)
    if os.path.exists(path) and not is_regular_file(path):
        raise FormatError(f"{path}: not a regular file; a fastText .bin is read from a file")
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(256)
        f.seek(0)
        r = _Reader(f, size, path)
        if len(head) >= 4 and struct.unpack("<i", head[:4])[0] == MAGIC:
            return _read_model(r, True, full_model, mmap)
        not_fasttext = (
            f"{path}: not a fastText .bin model: it does not start with fastText's magic "
            f"number {MAGIC}"
        )
        if head[:4] == struct.pack(">i", MAGIC):
            raise FormatError(
                f"{not_fasttext} but with its bytes swapped (a file written on a big-endian "
                f"machine); only little-endian fastText files are read"
            )
        # what the file is, if it is a kind we know (the word2vec reader names a native
        # file, the native reader a vectors file)
        hint = describe_head(head, "word2vec") or describe_head(head, "native")
        if hint and not hint.startswith("this is not"):
            raise FormatError(f"{not_fasttext}; {hint}")
        try:
            return _read_model(r, False, full_model, mmap)
        except FormatError as exc:
            reason = str(exc).removeprefix(f"{path}: ")
            raise FormatError(
                f"{not_fasttext} (nor is it one from before 2017, when the number was "
                f"added: read as such, {reason})"
            ) from None


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def _int_field(value: Any, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"args[{name!r}] must be an int; got {type(value).__name__}")
    value = int(value)
    if not -(2**31) <= value <= _INT32_MAX:
        raise ValueError(f"args[{name!r}] = {value} does not fit the file's int32 field")
    return value


def _checked_args(args: dict[str, Any]) -> dict[str, Any]:
    missing = [name for name in ARG_FIELDS if name not in args]
    if missing:
        raise ValueError(f"args lacks {', '.join(missing)} (a .bin stores all of {ARG_FIELDS})")
    out: dict[str, Any] = {name: _int_field(args[name], name) for name in ARG_FIELDS[:-1]}
    try:
        out["t"] = float(args["t"])
    except (TypeError, ValueError):
        raise TypeError(f"args['t'] must be a number; got {args['t']!r}") from None
    _check_args(out, ValueError, "write_facebook_bin")
    version = args.get("version", VERSION)
    if version not in (OLD_FORMAT, *_READABLE_VERSIONS):
        raise ValueError(
            f"args['version'] is {version!r}; fastText files are version 11 or 12 "
            f"({OLD_FORMAT} for a model read from a file without the magic number)"
        )
    # A model from before the magic number is written as version 11, which fastText reads
    # with the same meaning (its supervised models use no character n-grams).
    out["version"] = 11 if version == OLD_FORMAT else int(version)
    return out


def _float_matrix(arr: Any, name: str) -> NDArray[Any]:
    if not isinstance(arr, np.ndarray):
        arr = np.asarray(arr)
    if arr.ndim != 2 or arr.dtype.kind != "f":
        raise ValueError(f"{name} must be a 2-D float array; got {arr.dtype} of shape {arr.shape}")
    return arr


def _write_matrix(f: IO[bytes], arr: NDArray[Any]) -> None:
    f.write(_MATRIX_HEADER.pack(*arr.shape))
    if arr.size == 0:
        return
    if arr.dtype == _F32 and arr.flags.c_contiguous:
        f.write(memoryview(arr).cast("B"))  # no copy of a large matrix
        return
    rows = max(1, _MATRIX_BLOCK // max(1, arr.shape[1] * 4))
    for lo in range(0, arr.shape[0], rows):
        f.write(np.ascontiguousarray(arr[lo : lo + rows], dtype=_F32).tobytes())


def write_facebook_bin(
    path: str | os.PathLike[str], data: FacebookModelData, *, allow_nonfinite: bool = False
) -> None:
    """Writes ``data`` as fastText 0.9 writes a ``.bin`` model, atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Target file: written to a temporary file beside it, then renamed over it, so a
        failed save leaves any previous file untouched. A new file gets the mode ``open()``
        would give it.
    data : FacebookModelData
        Everything is checked before a byte is written: the arguments (:data:`ARG_FIELDS`,
        ``version`` 11 or 12, 12 when absent, 11 for :data:`OLD_FORMAT`), the dictionary
        (distinct words without NUL characters, the empty word allowed as fastText writes
        it at times; non-negative counts; words before labels) and the matrices' shapes
        (input ``(nwords + bucket, dim)``, output ``(nwords, dim)`` or ``(nlabels, dim)``
        for a supervised model). The output matrix is required: fastText
        cannot load a model without it.
    allow_nonfinite : bool
        Write NaN or infinite values instead of refusing with ``ValueError``.

    Raises
    ------
    ValueError
        Naming the first problem; nothing is written then.
    TypeError
        A field of the wrong type.
    OSError
        The file cannot be written; any previous file is left as it was.
    """
    where = "write_facebook_bin"
    args = _checked_args(dict(data.args))
    words = list(data.words)
    if any(not isinstance(w, str) for w in words):
        bad = next(w for w in words if not isinstance(w, str))
        raise TypeError(f"words must be str; got {type(bad).__name__} {bad!r}")
    encoded = []
    for i, w in enumerate(words):
        try:
            b = w.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(f"word {i} {w!r} cannot be encoded in UTF-8 ({exc.reason})") from None
        if b"\0" in b or len(b) > MAX_KEY_BYTES:
            raise ValueError(
                f"word {i} {w[:40]!r} holds a NUL character or is longer than "
                f"{MAX_KEY_BYTES} bytes: a .bin dictionary cannot store it"
            )
        encoded.append(b)
    _check_unique(words, ValueError, where)
    n = len(words)
    if n > _INT32_MAX:
        raise ValueError(f"{n} words: more than a .bin dictionary's int32 size")
    counts = np.asarray(data.counts)
    types = np.asarray(data.entry_types)
    if counts.shape != (n,) or types.shape != (n,):
        raise ValueError(
            f"{n} words but counts of shape {counts.shape} and entry_types {types.shape}"
        )
    if counts.dtype.kind not in "iu" or types.dtype.kind not in "iu":
        raise TypeError(
            f"counts and entry_types must be integer arrays; got {counts.dtype}, {types.dtype}"
        )
    if n and (counts.min() < 0 or counts.max() > np.iinfo(np.int64).max):
        raise ValueError(
            f"counts must be non-negative int64 values; they range from {counts.min()} "
            f"to {counts.max()}"
        )
    nwords = int(np.count_nonzero(types == WORD))
    _check_entry_types(types, nwords, ValueError, where)
    ntokens = int(data.ntokens)
    if ntokens < 0:
        raise ValueError(f"ntokens is negative ({ntokens})")

    dim = args["dim"]
    inp = _float_matrix(data.input_matrix, "input_matrix")
    if inp.shape != (nwords + args["bucket"], dim):
        raise ValueError(
            f"input_matrix has shape {inp.shape}; a model of {nwords} words, bucket "
            f"{args['bucket']} and dim {dim} needs ({nwords + args['bucket']}, {dim})"
        )
    if data.output_matrix is None:
        raise ValueError(
            "output_matrix is None (read with full_model=False?): fastText cannot load a "
            ".bin without its output matrix"
        )
    out = _float_matrix(data.output_matrix, "output_matrix")
    want, name = _output_rows(args, nwords, n - nwords)
    if out.shape != (want, dim):
        raise ValueError(
            f"output_matrix has shape {out.shape}; {name} and dim need ({want}, {dim})"
        )
    if not allow_nonfinite:
        for label, matrix in (("input_matrix", inp), ("output_matrix", out)):
            found = first_nonfinite(matrix)
            if found is not None:
                raise ValueError(
                    f"{label} row {found[0]} holds a NaN or infinite value; refusing to write "
                    f"it (pass allow_nonfinite=True to write it anyway)"
                )

    def write(f: IO[bytes]) -> None:
        f.write(_HEADER.pack(MAGIC, args["version"]))
        f.write(_ARGS.pack(*(args[name] for name in ARG_FIELDS)))
        f.write(_DICT_HEADER.pack(n, nwords, n - nwords, ntokens, -1))  # -1: not pruned
        pack_tail = _ENTRY_TAIL.pack
        for lo in range(0, n, 1 << 14):
            hi = min(n, lo + (1 << 14))
            entries = zip(encoded[lo:hi], counts[lo:hi].tolist(), types[lo:hi].tolist())
            f.write(b"".join(b"%s\0%s" % (b, pack_tail(c, t)) for b, c, t in entries))
        f.write(b"\0")  # quant_input: not quantized
        _write_matrix(f, inp)
        f.write(b"\0")  # qout
        _write_matrix(f, out)

    atomic_write(path, write)
