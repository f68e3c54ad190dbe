"""The native file container: JSON metadata plus raw little-endian arrays, never pickle.

Layout of a file::

    8 bytes   magic  b"\\x93FEMBED\\n"
    8 bytes   length N of the JSON header, uint64 little-endian
    N bytes   JSON header (UTF-8): format version, kind, user metadata, and for every array
              its dtype, shape, byte offset, byte length and CRC-32
    4 bytes   CRC-32 of the N header bytes, uint32 little-endian (format version 2 on)
    ...       each array's raw bytes, starting on a 64-byte boundary

The header has its own checksum because it carries meaning the array checksums cannot guard:
the keys, the parameters, and which array is which (``vectors`` and ``syn1neg`` swapped in the
table would otherwise load without complaint). Version 1 files, which lack it, still load.

Why not ``.npz`` or pickle: a pickle runs code when loaded (an untrusted model file must never
do that), and members of a zip cannot be memory-mapped. Here every array can be opened with
``mmap="r"`` straight from the file, and the header is plain text a user can inspect.

Files are written to a temporary name in the target folder and renamed over the target only
once complete, so a failed save (disk full, Ctrl-C) leaves any previous file untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import struct
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import FrameType
from typing import IO, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import FormatError, TruncatedFileError, UnsupportedVersionError, WrongKindError
from .detect import NATIVE_MAGIC, describe_head

__all__ = [
    "MAGIC",
    "FORMAT_VERSION",
    "write_container",
    "read_container",
    "atomic_write",
    "atomic_write_many",
    "new_file_mode",
]

MAGIC = NATIVE_MAGIC  # the detector keeps every file signature; this name stays for callers
FORMAT_VERSION = 2
_FIRST_WITH_HEADER_CRC = 2
_ALIGN = 64
# Only plain numeric dtypes are ever accepted from a file: no object arrays, no structured types.
_ALLOWED_DTYPES = {"<f4", "<f8", "<i4", "<i8", "<u4", "<u8", "|u1", "|i1", "<u2", "<i2"}
_MAX_HEADER = 1 << 31


def new_file_mode() -> int:
    """The mode ``open()`` would give a new file: 0o666 less the process umask.

    Linux reports the umask in /proc without changing it; elsewhere it is read by setting and
    restoring it, which is brief but not atomic, hence the /proc path first."""
    try:
        with open("/proc/self/status", "rb") as f:
            for line in f:
                if line.startswith(b"Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _target(path: str | os.PathLike[str]) -> str:
    """Where a save to ``path`` really writes: the file a symlink points to (the link stays a
    link, as with ``open(path, "w")``), or ``path`` itself."""
    path = os.fspath(path)
    return os.path.realpath(path) if os.path.islink(path) else path


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While a save runs in the main thread, SIGTERM raises SystemExit instead of ending the
    process at once, so the ``finally`` below removes the (possibly multi-GB) temporary files.
    Only the default handler is replaced; a handler the application set is left alone."""
    swap = (
        threading.current_thread() is threading.main_thread()
        and hasattr(signal, "SIGTERM")
        and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    )
    if swap:

        def terminate(signum: int, frame: FrameType | None) -> None:
            raise SystemExit(128 + signum)

        signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        if swap:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


def atomic_write_many(
    jobs: Sequence[tuple[str | os.PathLike[str], Callable[[IO[Any]], object]]], mode: str = "wb"
) -> None:
    """Writes several files all-or-nothing: ``jobs`` is a list of ``(path, write_fn)``.

    Every ``write_fn(fileobj)`` writes a temporary file beside its target; only when all of them
    are complete and flushed to disk are they renamed over their targets. On any error (disk
    full, Ctrl-C, SIGTERM) the temporary files are removed and every target is left as it was,
    so a pair such as vectors + vocabulary never ends up mismatched. New files get the mode
    ``open()`` would give them (0o666 less the umask); a file that exists keeps its mode; a
    symlink is followed, and its target is replaced.
    """
    written = []  # (temporary path, final path)
    try:
        with _sigterm_raises():
            for path, write_fn in jobs:
                path = _target(path)
                folder = os.path.dirname(os.path.abspath(path))
                fd, tmp = tempfile.mkstemp(
                    prefix=".tmp-" + os.path.basename(path) + "-", dir=folder
                )
                written.append((tmp, path))
                try:
                    keep = stat.S_IMODE(os.stat(path).st_mode)
                except OSError:
                    keep = new_file_mode()
                with os.fdopen(fd, mode) as f:
                    if hasattr(os, "fchmod"):  # mkstemp made it 0o600
                        os.fchmod(f.fileno(), keep)
                    write_fn(f)
                    f.flush()
                    os.fsync(f.fileno())
            for tmp, path in written:
                os.replace(tmp, path)
    except BaseException:
        for tmp, _ in written:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise


def atomic_write(
    path: str | os.PathLike[str], write_fn: Callable[[IO[Any]], object], mode: str = "wb"
) -> None:
    """Calls ``write_fn(fileobj)`` on a temporary file beside ``path``, then renames it over
    ``path``. On any error the temporary file is removed and ``path`` is left as it was.
    (One file of :func:`atomic_write_many`: the same modes, symlinks and signals.)"""
    atomic_write_many([(path, write_fn)], mode)


def write_container(
    path: str | os.PathLike[str],
    kind: str,
    meta: Mapping[str, Any],
    arrays: Mapping[str, ArrayLike],
) -> None:
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

    def header_bytes(offset0: int) -> bytes:
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
        new_start = -(-(20 + len(hdr)) // _ALIGN) * _ALIGN
        if new_start == start:
            break
        start = new_start
    hdr = header_bytes(start)

    def write(f: IO[bytes]) -> None:
        f.write(MAGIC)
        f.write(struct.pack("<Q", len(hdr)))
        f.write(hdr)
        f.write(struct.pack("<I", zlib.crc32(hdr)))
        pos = 20 + len(hdr)
        for arr in prepared.values():
            pad = -pos % _ALIGN
            f.write(b"\0" * pad)
            pos += pad
            if arr.nbytes:  # memoryview cannot cast an empty array of shape (0, n)
                f.write(memoryview(arr).cast("B"))
            pos += arr.nbytes

    atomic_write(path, write)


def read_container(
    path: str | os.PathLike[str], kind: str | None = None, mmap: str | None = None
) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
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
        stored_crc = f.read(4)
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
    end_of_header = 16 + hlen
    if version >= _FIRST_WITH_HEADER_CRC:
        if len(stored_crc) < 4:
            raise TruncatedFileError(f"{path}: file ends inside the header checksum")
        if struct.unpack("<I", stored_crc)[0] != zlib.crc32(raw):
            raise FormatError(
                f"{path}: header checksum mismatch: the metadata was edited or is corrupt"
            )
        end_of_header += 4
    if kind is not None and doc.get("kind") != kind:
        found = doc.get("kind")
        hint = (
            f": load it with {found}.load()"
            if isinstance(found, str) and found.isidentifier()
            else ""
        )
        raise WrongKindError(f"{path}: holds a {found!r}, not a {kind!r}{hint}")
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
                dtype: np.dtype[Any] = np.dtype(raw_dtype)
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
            if offset < end_of_header or offset + nbytes > size:
                raise TruncatedFileError(
                    f"{path}: array {name!r} needs bytes {offset}..{offset + nbytes} but the file "
                    f"has {size} bytes"
                )
            arr: NDArray[Any]
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
