"""The native file container: JSON metadata plus raw little-endian arrays, never pickle.

Layout of a file::

    8 bytes   magic  b"\\x93FEMBED\\n"
    8 bytes   length of the JSON header, uint64 little-endian
    N bytes   JSON header (UTF-8): format version, kind, user metadata, and for every array
              its dtype, shape, byte offset, byte length and CRC-32
    ...       each array's raw bytes, starting on a 64-byte boundary

Why not ``.npz`` or pickle: a pickle runs code when loaded (an untrusted model file must never
do that), and members of a zip cannot be memory-mapped. Here every array can be opened with
``mmap="r"`` straight from the file, and the header is plain text a user can inspect.

Files are written to a temporary name in the target folder and renamed over the target only
once complete, so a failed save (disk full, Ctrl-C) leaves any previous file untouched.
"""

import json
import os
import struct
import tempfile
import zlib

import numpy as np

from ..errors import FormatError, TruncatedFileError, UnsupportedVersionError
from .detect import NATIVE_MAGIC, describe_head

__all__ = ["MAGIC", "FORMAT_VERSION", "write_container", "read_container", "atomic_write"]

MAGIC = NATIVE_MAGIC  # the detector keeps every file signature; this name stays for callers
FORMAT_VERSION = 1
_ALIGN = 64
# Only plain numeric dtypes are ever accepted from a file: no object arrays, no structured types.
_ALLOWED_DTYPES = {"<f4", "<f8", "<i4", "<i8", "<u4", "<u8", "|u1", "|i1", "<u2", "<i2"}
_MAX_HEADER = 1 << 31


def atomic_write(path, write_fn, mode="wb"):
    """Calls ``write_fn(fileobj)`` on a temporary file beside ``path``, then renames it over
    ``path``. On any error the temporary file is removed and ``path`` is left as it was."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-" + os.path.basename(path) + "-", dir=folder)
    try:
        with os.fdopen(fd, mode) as f:
            write_fn(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_container(path, kind, meta, arrays):
    """Writes ``arrays`` (name -> ndarray) and JSON-serialisable ``meta`` to ``path``.

    Arrays are stored little-endian; ``kind`` names what the file holds (e.g. ``"KeyedVectors"``)
    so a loader can refuse a file of the wrong kind with a clear message.
    """
    prepared = {}
    for name, arr in arrays.items():
        arr = np.asarray(arr)
        if arr.dtype.kind not in "fiu":
            raise TypeError(f"array {name!r} has dtype {arr.dtype}; only numeric arrays are stored")
        arr = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
        prepared[name] = arr

    def header_bytes(offset0):
        table, offset = {}, offset0
        for name, arr in prepared.items():
            table[name] = {
                "dtype": arr.dtype.str,
                "shape": list(arr.shape),
                "offset": offset,
                "nbytes": int(arr.nbytes),
                "crc32": zlib.crc32(memoryview(arr).cast("B")) if arr.nbytes else 0,
            }
            offset += -(-arr.nbytes // _ALIGN) * _ALIGN
        doc = {
            "format": "fastembed_core",
            "format_version": FORMAT_VERSION,
            "kind": kind,
            "meta": meta,
            "arrays": table,
        }
        return json.dumps(doc, ensure_ascii=False, allow_nan=False).encode("utf-8")

    # The offsets depend on the header length and vice versa: iterate until stable (twice).
    start = 0
    for _ in range(4):
        hdr = header_bytes(start)
        new_start = -(-(16 + len(hdr)) // _ALIGN) * _ALIGN
        if new_start == start:
            break
        start = new_start
    hdr = header_bytes(start)

    def write(f):
        f.write(MAGIC)
        f.write(struct.pack("<Q", len(hdr)))
        f.write(hdr)
        pos = 16 + len(hdr)
        for arr in prepared.values():
            pad = -pos % _ALIGN
            f.write(b"\0" * pad)
            pos += pad
            f.write(memoryview(arr).cast("B"))
            pos += arr.nbytes

    atomic_write(path, write)


def read_container(path, kind=None, mmap=None):
    """Reads a native file; returns ``(meta, arrays)``.

    ``mmap="r"`` maps arrays read-only instead of reading them (checksums are then not
    verified, since that would read every byte). Raises :class:`FormatError` for anything that
    is not a well-formed native file, :class:`UnsupportedVersionError` for a newer format.
    """
    if mmap not in (None, "r", "c", "r+"):
        raise ValueError(f"mmap must be None, 'r', 'r+' or 'c'; got {mmap!r}")
    path = os.fspath(path)
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(16)
        if head[:8] != MAGIC:
            raise FormatError(f"{path}: {describe_head(head + f.read(256), 'native')}")
        if len(head) < 16:
            raise TruncatedFileError(f"{path}: file ends inside the header ({size} bytes)")
        (hlen,) = struct.unpack("<Q", head[8:16])
        if hlen > min(size - 16, _MAX_HEADER):
            raise TruncatedFileError(
                f"{path}: header claims {hlen} bytes but the file has only {size - 16} after the magic"
            )
        raw = f.read(hlen)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FormatError(f"{path}: the JSON header is corrupt ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != "fastembed_core":
        raise FormatError(f"{path}: the header is not a fastembed_core header")
    version = doc.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise FormatError(f"{path}: invalid format_version {version!r}")
    if version > FORMAT_VERSION:
        raise UnsupportedVersionError(
            f"{path}: written with native format version {version}; this release reads up to "
            f"version {FORMAT_VERSION}. Upgrade fastembed_core to load it."
        )
    if kind is not None and doc.get("kind") != kind:
        raise FormatError(f"{path}: holds a {doc.get('kind')!r}, not a {kind!r}")
    table = doc.get("arrays")
    if not isinstance(table, dict):
        raise FormatError(f"{path}: the header has no array table")

    arrays = {}
    with open(path, "rb") as f:
        for name, info in table.items():
            raw_dtype = info.get("dtype") if isinstance(info, dict) else None
            if not isinstance(raw_dtype, str) or raw_dtype not in _ALLOWED_DTYPES:
                # checked before numpy parses the string (it evaluates shapes in dtype strings)
                raise FormatError(f"{path}: array {name!r} has disallowed dtype {raw_dtype!r}")
            try:
                dtype = np.dtype(raw_dtype)
                shape = tuple(int(s) for s in info["shape"])
                offset, nbytes = int(info["offset"]), int(info["nbytes"])
            except (KeyError, TypeError, ValueError, OverflowError) as exc:
                raise FormatError(f"{path}: bad entry for array {name!r}: {exc}") from None
            if dtype.str not in _ALLOWED_DTYPES:
                raise FormatError(f"{path}: array {name!r} has disallowed dtype {info['dtype']!r}")
            if (
                any(s < 0 for s in shape)
                or int(np.prod(shape, dtype=object)) * dtype.itemsize != nbytes
            ):
                raise FormatError(
                    f"{path}: array {name!r}: shape {shape} does not match {nbytes} bytes"
                )
            if offset < 16 + hlen or offset + nbytes > size:
                raise TruncatedFileError(
                    f"{path}: array {name!r} needs bytes {offset}..{offset + nbytes} but the file "
                    f"has {size} bytes"
                )
            if mmap and nbytes:
                arr = np.memmap(path, dtype=dtype, mode=mmap, offset=offset, shape=shape)
            else:
                f.seek(offset)
                buf = bytearray(nbytes)
                if f.readinto(buf) != nbytes:
                    raise TruncatedFileError(f"{path}: array {name!r} is cut short")
                if zlib.crc32(buf) != info.get("crc32", 0):
                    raise FormatError(
                        f"{path}: checksum mismatch in array {name!r}: the file is corrupt"
                    )
                arr = np.frombuffer(buf, dtype=dtype).reshape(
                    shape
                )  # writable: backed by a bytearray
            if dtype.byteorder == "<" and not np.little_endian:
                arr = arr.astype(dtype.newbyteorder("="))
            arrays[name] = arr
    return doc.get("meta") or {}, arrays
