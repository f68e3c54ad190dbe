"""Large matrices whose untouched rows cost no memory.

FastText's input matrix has a row per hashed n-gram bucket (2,000,000 by default: 800 MB at
100 dimensions), yet a vocabulary's words use only a small share of the buckets (about
120,000 of 2,000,000 on a 22,000-word English vocabulary). :func:`zeroed_rows` allocates such a
matrix as anonymous memory that the operating system backs with physical pages only where it
is written: rows no word uses stay zero and are never resident. Reading them is free as well
(every untouched page reads the kernel's one shared zero page).

Why not ``np.zeros``: numpy asks for transparent huge pages on large arrays, so writing a
single row commits the 2 MB around it; with the buckets scattered by a hash, initialising the
used rows then commits the whole matrix. Here huge pages are declined (4 KB pages, about ten
rows each), where the platform allows it.

The price is paid in training: rows scattered over 800 MB of 4 KB pages miss the TLB and the
caches. :class:`CompactRows` is the dense copy that training works on instead: only the rows
training can reach, packed together in an ordinary array (huge pages allowed), gathered from
the big matrix before and written back after.
"""

from __future__ import annotations

import functools
import mmap
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

__all__ = ["zeroed_rows", "copy_nonzero_rows", "CompactRows", "run_in_threads"]

# Rows read at a time by copy_nonzero_rows: a bounded temporary however large the matrix.
_BLOCK_ROWS = 1 << 14


def zeroed_rows(n_rows: int, dim: int, dtype: DTypeLike = np.float32) -> NDArray[Any]:
    """A writable C-contiguous ``(n_rows, dim)`` array of zeros whose memory is committed a
    4 KB page at a time as rows are written (anonymous memory map without huge pages).

    The array keeps the map alive (it is the array's base); pickling or copying it gives an
    ordinary numpy array. Small arrays are plain ``np.zeros``.
    """
    dtype = np.dtype(dtype)
    n_bytes = int(n_rows) * int(dim) * dtype.itemsize
    if n_bytes < mmap.PAGESIZE * 16:
        return np.zeros((n_rows, dim), dtype=dtype)
    if hasattr(mmap, "MAP_PRIVATE"):
        # private: pages never written read the kernel's zero page (a shared anonymous map
        # would allocate a page on the first read as well)
        region = mmap.mmap(-1, n_bytes, flags=mmap.MAP_PRIVATE)  # -1: anonymous
    else:
        region = mmap.mmap(-1, n_bytes)
    no_huge_pages = getattr(mmap, "MADV_NOHUGEPAGE", None)
    if no_huge_pages is not None:
        region.madvise(no_huge_pages)
    return np.frombuffer(region, dtype=dtype).reshape(n_rows, dim)


def copy_nonzero_rows(src: NDArray[Any], dst: NDArray[Any]) -> None:
    """Copies into ``dst`` the rows of ``src`` that hold a non-zero value, a block of rows at a
    time; ``dst``'s other rows are not written (for a :func:`zeroed_rows` destination they stay
    uncommitted). ``src`` and ``dst`` have the same shape."""
    if src.shape != dst.shape:
        raise ValueError(f"copy_nonzero_rows: shapes differ, {src.shape} and {dst.shape}")
    for start in range(0, len(src), _BLOCK_ROWS):
        block = src[start : start + _BLOCK_ROWS]
        used = np.flatnonzero(block.any(axis=1))
        if len(used):
            dst[start + used] = block[used]


class CompactRows:
    """A dense copy of the rows ``rows`` (unique, in any order) of the matrix ``full``.

    ``matrix[i]`` stands for ``full[rows[i]]``; :meth:`gather` fills it from ``full``,
    :meth:`scatter` writes it back, and :meth:`remap` turns row ids of ``full`` (each one of
    ``rows``) into row ids of ``matrix``.
    """

    def __init__(self, full: NDArray[Any], rows: NDArray[Any]) -> None:
        rows = np.asarray(rows)
        if rows.ndim != 1 or rows.dtype.kind not in "iu":
            raise ValueError(f"CompactRows: rows must be a 1-D integer array; got {rows.shape}")
        if len(rows) and (rows.min() < 0 or rows.max() >= len(full)):
            raise ValueError(f"CompactRows: rows must be row ids of a {len(full)}-row matrix")
        # a flag per row of full (a byte per row, against dim floats a row of full) instead
        # of sorting the rows: 1 ms against 14 ms for FastText's 140,000 on english.txt
        seen: NDArray[np.bool_] = np.zeros(len(full), dtype=bool)
        seen[rows] = True
        if np.count_nonzero(seen) != len(rows):
            raise ValueError("CompactRows: rows must be unique")
        self._order: NDArray[np.intp] | None = None  # rows sorted, for remap's search
        self._sorted: NDArray[Any] | None = None
        self.full = full
        self.rows = rows.astype(np.intp, copy=False)
        # np.empty: an ordinary allocation, which numpy asks the OS to back with huge pages
        self.matrix = np.empty((len(rows),) + full.shape[1:], dtype=full.dtype)

    def remap(self, full_rows: NDArray[Any]) -> NDArray[np.uint32]:
        """Row ids of ``full`` (each one of ``rows``) as row ids of ``matrix``, uint32."""
        full_rows = np.asarray(full_rows)
        if len(full_rows) and not len(self.rows):
            raise ValueError("CompactRows.remap: a row id is not one of the compact rows")
        if len(self.full) <= 16 * (len(self.rows) + len(full_rows)):
            # a table over every row of full: one lookup per id, 4x faster than a binary
            # search (0.03 s against 0.12 s for FastText's 562,685 ids on english.txt)
            table = np.zeros(len(self.full), dtype=np.uint32)
            table[self.rows] = np.arange(len(self.rows), dtype=np.uint32)
            compact = table[np.clip(full_rows, 0, len(self.full) - 1)]
        else:
            if self._order is None or self._sorted is None:
                self._order = np.argsort(self.rows, kind="stable")
                self._sorted = self.rows[self._order]
            at = np.minimum(np.searchsorted(self._sorted, full_rows), len(self.rows) - 1)
            compact = self._order[at].astype(np.uint32)
        if (self.rows[compact] != full_rows).any():
            raise ValueError("CompactRows.remap: a row id is not one of the compact rows")
        return compact

    def _parts(self, parts: int) -> list[slice]:
        bounds = np.linspace(0, len(self.rows), max(1, min(parts, len(self.rows))) + 1)
        bounds = bounds.astype(np.int64).tolist()
        return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]

    def gather(self, parts: int = 1) -> None:
        """``matrix`` = the rows of ``full``, in ``parts`` pieces copied by as many threads
        (numpy releases the GIL while it copies; a fresh ``matrix``'s pages are first
        touched here, and the threads take those page faults side by side)."""

        def copy(part: slice) -> None:
            # mode="clip" writes straight into the output ("raise" would fill a temporary
            # copy first); the rows were checked to be in range when this object was made
            np.take(self.full, self.rows[part], axis=0, out=self.matrix[part], mode="clip")

        run_in_threads([functools.partial(copy, part) for part in self._parts(parts)])

    def scatter(self, parts: int = 1) -> None:
        """The rows of ``full`` = ``matrix``, in ``parts`` pieces written by as many threads."""

        def copy(part: slice) -> None:
            self.full[self.rows[part]] = self.matrix[part]

        run_in_threads([functools.partial(copy, part) for part in self._parts(parts)])


def run_in_threads(jobs: Sequence[Callable[[], Any]]) -> None:
    """Calls every job, the first on this thread and each other one on a thread of its own,
    and returns when all have returned; the first exception raised is raised here. Meant for
    work that releases the GIL (numpy's copies, the kernels' nogil loops)."""
    errors: list[BaseException] = []

    def run(job: Callable[[], Any]) -> None:
        try:
            job()
        except BaseException as exc:  # raised in the caller after the join
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,), daemon=True) for job in jobs[1:]]
    for thread in threads:
        thread.start()
    try:
        if jobs:
            jobs[0]()
    finally:
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
