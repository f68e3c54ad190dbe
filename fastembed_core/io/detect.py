"""What kind of file is this? One detector for every vectors and model file the package reads.

:func:`classify_head` names the kind of a file from its first bytes: a vectors format the
package reads (``"native"``, ``"binary"``, ``"text"``, ``"glove"``) or a foreign kind
(``"pickle"``, ``"gzip"``, ``"zip"``, ...). :func:`describe_head` turns a foreign kind into the
sentence a loader's :class:`~fastembed_core.errors.FormatError` carries, so the word2vec
reader and the native reader explain a wrong file with the same words. :func:`sniff_format`
applies the detector to a path; :func:`native_kind` reads which object a native container
holds. The record-level tests the word2vec reader uses to tell text from binary data
(:func:`looks_like_text_record`, :func:`looks_like_binary_record`) live here too.

This module imports nothing else from the package: the native reader and the word2vec reader
both import it, so every signature (our own magic included) is written down in one place.
"""

from __future__ import annotations

import bz2
import gzip
import json
import os
import stat
import struct
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = [
    "NATIVE_MAGIC",
    "SNIFF_BYTES",
    "classify_head",
    "describe_head",
    "sniff_format",
    "native_kind",
    "is_regular_file",
    "looks_like_text_record",
    "looks_like_binary_record",
]

NATIVE_MAGIC = b"\x93FEMBED\n"
"""First 8 bytes of a native container (see :mod:`fastembed_core.io.native`)."""

SNIFF_BYTES = 1 << 16
"""How many leading bytes the detector looks at."""

_UTF8_BOM = b"\xef\xbb\xbf"
_FASTTEXT_BIN_MAGICS = (b"\xba\x16\x4f\x2f", b"\x2f\x4f\x16\xba")
_HTML_STARTS = (b"<!doctype", b"<html", b"<?xml", b"<head", b"<body", b"<!--")

# What a foreign kind of file is, and what to do about it, for a loader's error message.
_FOREIGN = {
    "gzip": (
        "a gzip-compressed file: decompress it first, or give it a name ending in .gz "
        "so it is decompressed while reading"
    ),
    "bzip2": "a bzip2-compressed file: decompress it first, or give it a name ending in .bz2",
    "zip": "a zip archive (e.g. a numpy .npz): extract the vectors file from it first",
    "pickle": (
        "a Python pickle (e.g. a gensim .save() / .model file). Pickles are never "
        "loaded here because loading one can run arbitrary code. If you trust the file, "
        "load it with gensim (gensim.models.Word2Vec.load or KeyedVectors.load) and convert "
        "it: Word2Vec.from_gensim(model) for a whole model, KeyedVectors.from_gensim(vectors) "
        "for its vectors; or save it from gensim in word2vec format"
    ),
    "fasttext_bin": (
        "a fastText .bin model, not a vectors file: load the .vec file that fastText "
        "writes beside it (load_fasttext_vec / binary=False)"
    ),
    "npy": "a numpy .npy array (no keys): build KeyedVectors with from_arrays() instead",
    "html": "an HTML/XML document (a failed download or an error page?)",
}
_VECTORS_FOR_NATIVE = {
    "native": "a fastembed_core native file: load it with KeyedVectors.load()",
    "binary": (
        "a word2vec binary vectors file: load it with "
        "KeyedVectors.load_word2vec_format(binary=True)"
    ),
    "text": "a word2vec-format text vectors file: load it with KeyedVectors.load_word2vec_format",
    "glove": (
        "a GloVe text vectors file (no header): load it with "
        "KeyedVectors.load_word2vec_format(no_header=True)"
    ),
}


def _floats(fields: Iterable[bytes]) -> bool:
    try:
        for x in fields:
            float(x)
    except ValueError:
        return False
    return True


def looks_like_text_record(line: bytes, dim: int | None = None) -> bool:
    """Whether a line parses as a word2vec text record ``key v1 ... vD``.

    Parameters
    ----------
    line : bytes
        One line of the file (a trailing newline is allowed).
    dim : int, optional
        The expected number of values; any number of at least one when omitted.

    Returns
    -------
    bool
    """
    fields = line.rstrip().split(b" ")
    if len(fields) < 2 or (dim is not None and len(fields) != dim + 1):
        return False
    return _floats(fields[1:])


def looks_like_binary_record(data: bytes, dim: int, max_token: int) -> bool:
    """Whether ``data`` starts with a word2vec binary record rather than text.

    Parameters
    ----------
    data : bytes
        Bytes from the start of a record (leading newlines are skipped).
    dim : int
        Number of float32 values in a record.
    max_token : int
        Longest key, in bytes, to look for the space that ends it.

    Returns
    -------
    bool
        ``True`` when a key and a space are followed by ``dim`` finite, modest float32 values
        whose bytes are not plausible text.
    """
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


def _foreign_kind(head: bytes) -> str | None:
    """The foreign kind of a file from its first bytes (BOM removed), or None."""
    if not head.strip():
        return "empty"
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:3] == b"BZh" and head[4:10] == b"1AY&SY":
        return "bzip2"
    if head[:4] == b"PK\x03\x04":
        return "zip"
    # Protocols 2-5 start with the PROTO opcode and the protocol number.
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "pickle"
    if head[:4] in _FASTTEXT_BIN_MAGICS:
        return "fasttext_bin"
    if head[:6] == b"\x93NUMPY":
        return "npy"
    if head.lstrip()[:16].lower().startswith(_HTML_STARTS):
        return "html"
    return None


def classify_head(head: bytes) -> str:
    """Names the kind of a file from its first bytes.

    Parameters
    ----------
    head : bytes
        The first bytes of the (decompressed) file; :data:`SNIFF_BYTES` are enough. A UTF-8
        byte order mark is ignored.

    Returns
    -------
    str
        A vectors format the package reads: ``"native"`` (fastembed_core's container),
        ``"binary"`` (word2vec binary), ``"text"`` (word2vec text, fastText ``.vec``) or
        ``"glove"`` (text without a ``count dim`` header); or a foreign kind: ``"empty"``,
        ``"gzip"``, ``"bzip2"``, ``"zip"``, ``"pickle"``, ``"fasttext_bin"``, ``"npy"``,
        ``"html"``. Bytes that fit none of these are called ``"text"``: the text reader then
        says what is wrong with them.
    """
    if head.startswith(NATIVE_MAGIC):
        return "native"
    if head.startswith(_UTF8_BOM):
        head = head[len(_UTF8_BOM) :]
    foreign = _foreign_kind(head)
    if foreign is not None:
        return foreign
    first, _, rest = head.partition(b"\n")
    parts = first.split()
    if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
        dim = int(parts[1])
        record = rest.lstrip(b"\n").split(b"\n", 1)[0]
        fields = record.split()
        if not rest.strip() or (len(fields) == dim + 1 and _floats(fields[1:])):
            return "text"
        return "binary"
    if len(parts) >= 2 and _floats(parts[1:]):
        return "glove"
    return "text"


def describe_head(head: bytes, expected: str) -> str | None:
    """What a file that a loader cannot read looks like, as a sentence for its error message.

    Parameters
    ----------
    head : bytes
        The first bytes of the file.
    expected : {"word2vec", "native"}
        Which loader asks: the word2vec-format reader (which handles the vectors formats
        itself, with more precise messages) or the native container reader.

    Returns
    -------
    str or None
        ``None`` when the file is of a kind ``expected`` reads (or, for ``"word2vec"``, a
        text or binary vectors file whose details the reader checks); otherwise a sentence
        such as ``"this looks like a gzip-compressed file: decompress it first, ..."`` or
        ``"the file is empty"``.
    """
    if expected not in ("word2vec", "native"):
        raise ValueError(f"expected must be 'word2vec' or 'native'; got {expected!r}")
    kind = classify_head(head)
    if kind == "empty":
        return "the file is empty"
    if kind in _FOREIGN:
        return "this looks like " + _FOREIGN[kind]
    if expected == "native":
        if kind == "native":
            return None
        if kind == "text":
            first = head.split(b"\n", 1)[0].split()
            if not (len(first) == 2 and all(p.isdigit() for p in first)):
                return "this is not a fastembed_core native file (nor a kind of file recognised)"
        return "this looks like " + _VECTORS_FOR_NATIVE[kind]
    return "this looks like " + _VECTORS_FOR_NATIVE["native"] if kind == "native" else None


def _open_head(path: str | os.PathLike[str], n: int = SNIFF_BYTES) -> bytes:
    lower = os.fspath(path).lower()
    opener = gzip.open if lower.endswith(".gz") else bz2.open if lower.endswith(".bz2") else open
    with opener(path, "rb") as f:
        return f.read(n)


def is_regular_file(path: str | bytes | os.PathLike[Any]) -> bool:
    """Whether ``path`` names a regular file (not a pipe, FIFO, ``/dev/fd/N`` or device).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    bool
        ``False`` also when ``path`` does not exist.
    """
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def sniff_format(path: str | os.PathLike[str]) -> str | None:
    """Guesses the vectors format of a file from its first bytes.

    Only a regular file is read. A pipe, FIFO or ``/dev/fd/N`` path is *not* read: reading
    its first bytes would consume them, and the loader that follows would miss them. For
    such a path the function returns ``None`` and the caller must know the format (for a
    command line: the user passes it explicitly; ``None`` should be read as "word2vec text",
    the only format that a stream is read in without a choice being made).

    Parameters
    ----------
    path : str or os.PathLike
        The file. Names ending in ``.gz`` or ``.bz2`` are decompressed for the look.

    Returns
    -------
    str or None
        ``"native"`` (fastembed_core's own file), ``"binary"`` (word2vec binary), ``"text"``
        (word2vec text, fastText ``.vec``) or ``"glove"`` (text without a ``count dim``
        header); ``None`` for a path that is not a regular file. A file that fits none is
        called ``"text"``, and the text loader then says what is wrong with it (see
        :func:`classify_head` for the finer answer).
    """
    if os.path.exists(path) and not is_regular_file(path):
        return None
    kind = classify_head(_open_head(path))
    return kind if kind in ("native", "binary", "text", "glove") else "text"


def native_kind(path: str | os.PathLike[str]) -> str | None:
    """The ``kind`` recorded in a native file's JSON header.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    str or None
        ``"KeyedVectors"``, ``"Word2Vec"``...; ``None`` when ``path`` is not a regular file
        or not a readable native file.
    """
    if not is_regular_file(path):
        return None
    with open(path, "rb") as f:
        head = f.read(16)
        if len(head) < 16 or head[:8] != NATIVE_MAGIC:
            return None
        (hlen,) = struct.unpack("<Q", head[8:16])
        if hlen > min(os.path.getsize(path), 1 << 31):
            return None
        try:
            return json.loads(f.read(hlen).decode("utf-8")).get("kind")
        except (ValueError, UnicodeDecodeError, AttributeError):
            return None
