# cython: language_level=3
"""Thin driver between ``fastembed_core.graph`` and the C walk generator (src/fe_walk.h).

Checks every array's dtype, shape and range once, fills ``fe_graph`` / ``fe_walk_cfg``, and
releases the GIL for a whole range of walks. Python threads call :meth:`WalkGraph.walk_range`
on disjoint ranges at once.
"""
import numpy as np

from libc.stdint cimport INT32_MAX, int32_t, int64_t, uint32_t, uint64_t


cdef extern from "fe_atomic.h" nogil:
    void fe_atomic_store_int(int32_t *p, int32_t v)


cdef extern from "fe_walk.h" nogil:
    ctypedef struct fe_graph:
        int64_t n_nodes
        const int64_t *indptr
        const uint32_t *indices
        const uint64_t *alias

    ctypedef struct fe_walk_cfg:
        int64_t walk_length
        double p
        double q
        uint64_t seed

    int64_t fe_walk_alias_build(const int64_t *indptr, int64_t n_nodes, const double *weight,
                                uint64_t *alias, int64_t *work)
    int fe_walk_has_edge(const fe_graph *g, uint32_t t, uint32_t x)
    int fe_walk_range(const fe_graph *g, const fe_walk_cfg *cfg, const uint32_t *starts,
                      int64_t n_starts, int64_t first, int64_t last, uint32_t *out,
                      int32_t *lengths, const volatile int32_t *stop)


cdef int _check_indptr(const int64_t[::1] indptr, int64_t n_edges, str what) except -1:
    """indptr of n >= 1 rows: starts at 0, never decreases, ends at n_edges."""
    cdef int64_t n = indptr.shape[0] - 1, v, bad = -1
    if n < 1:
        raise ValueError("the graph has no nodes")
    if indptr[0] != 0 or indptr[n] != n_edges:
        raise ValueError(f"indptr must start at 0 and end at len({what})={n_edges}")
    with nogil:
        for v in range(n):
            if indptr[v + 1] < indptr[v]:
                bad = v
                break
    if bad >= 0:
        raise ValueError(f"indptr decreases at node {bad}")
    return 0


def validate_csr(const int64_t[::1] indptr, const uint32_t[::1] indices):
    """Checks a CSR graph: indptr starts at 0, never decreases, ends at len(indices); every
    neighbour id is a node; every row is sorted ascending. Raises ValueError otherwise."""
    cdef int64_t n = indptr.shape[0] - 1, v, e, bad = -1, bad_kind = 0
    _check_indptr(indptr, indices.shape[0], "indices")
    if n >= 0xFFFFFFFF:
        raise ValueError(f"{n} nodes exceed the 32-bit node id space")
    with nogil:
        for v in range(n):
            for e in range(indptr[v], indptr[v + 1]):
                if indices[e] >= n:
                    bad, bad_kind = v, 2
                    break
                if e > indptr[v] and indices[e] <= indices[e - 1]:
                    bad, bad_kind = v, 3
                    break
            if bad >= 0:
                break
    if bad_kind == 2:
        raise ValueError(f"row {bad} has a neighbour id >= {n} nodes")
    if bad_kind == 3:
        raise ValueError(f"row {bad} is not sorted ascending without repeats")


def alias_build(indptr_in, const double[::1] weight):
    """Per-row alias tables of a weighted CSR graph: one uint64 entry per edge."""
    # A private copy: the rows are read without the GIL, so nothing may change them meanwhile.
    cdef const int64_t[::1] indptr = np.array(indptr_in, copy=True)
    cdef int64_t n = indptr.shape[0] - 1, v, longest = 1, rc
    _check_indptr(indptr, weight.shape[0], "weight")
    for v in range(n):
        longest = max(longest, indptr[v + 1] - indptr[v])
    alias = np.zeros(weight.shape[0], dtype=np.uint64)
    work = np.empty(2 * longest, dtype=np.int64)
    cdef uint64_t[::1] a = alias
    cdef int64_t[::1] wk = work
    cdef uint64_t *a_ptr = &a[0] if a.shape[0] else NULL
    cdef const double *w_ptr = &weight[0] if weight.shape[0] else NULL
    with nogil:
        rc = fe_walk_alias_build(&indptr[0], n, w_ptr, a_ptr, &wk[0])
    if rc != 0:
        raise ValueError(f"the edge weights of node {-rc - 1} are unusable (need finite, "
                         f">= 0, with a positive sum)")
    return alias


cdef class WalkGraph:
    """A validated CSR graph (and alias tables, if weighted) ready for walks.

    It holds its own read-only copies of the arrays: the walks read them without the GIL long
    after the checks, so the caller's arrays (e.g. a Graph's public attributes) may change
    without reaching them.
    """
    cdef fe_graph g
    cdef object _arrays
    cdef int32_t[::1] _stop
    cdef readonly int64_t n_nodes
    cdef bint _ready

    def __init__(self, indptr_in, indices_in, alias_in=None):
        # Set up once: walks may be running on the arrays this instance holds.
        if self._ready:
            raise RuntimeError("WalkGraph is already set up; make a new one")
        indptr_copy = np.array(indptr_in, copy=True)
        indices_copy = np.array(indices_in, copy=True)
        alias_copy = None if alias_in is None else np.array(alias_in, copy=True)
        cdef const int64_t[::1] indptr = indptr_copy
        cdef const uint32_t[::1] indices = indices_copy
        cdef const uint64_t[::1] alias
        cdef int64_t v, e, deg, bad = -1
        validate_csr(indptr, indices)
        self.g.alias = NULL
        if alias_copy is not None:
            alias = alias_copy
            if alias.shape[0] != indices.shape[0]:
                raise ValueError("alias must hold one entry per edge")
            # Every entry's alias (high 32 bits) must be a position inside its own row.
            with nogil:
                for v in range(indptr.shape[0] - 1):
                    deg = indptr[v + 1] - indptr[v]
                    for e in range(indptr[v], indptr[v + 1]):
                        if <int64_t>(alias[e] >> 32) >= deg:
                            bad = v
                            break
                    if bad >= 0:
                        break
            if bad >= 0:
                raise ValueError(f"the alias table of node {bad} points outside its row")
            if alias.shape[0]:
                self.g.alias = &alias[0]
        for arr in (indptr_copy, indices_copy, alias_copy):
            if arr is not None:
                arr.flags.writeable = False
        self._arrays = (indptr_copy, indices_copy, alias_copy)
        self.n_nodes = indptr.shape[0] - 1
        self.g.n_nodes = self.n_nodes
        self.g.indptr = &indptr[0]
        self.g.indices = &indices[0] if indices.shape[0] else NULL
        self._stop = np.zeros(1, dtype=np.int32)
        self._ready = True

    def request_stop(self):
        """Ask every running walk_range to return at its next block of walks."""
        fe_atomic_store_int(&self._stop[0], 1)   # walks read it atomically, mid-run

    def reset_stop(self):
        fe_atomic_store_int(&self._stop[0], 0)

    def has_edge(self, uint32_t t, uint32_t x):
        """Test hook: whether the edge t -> x exists (binary search in row t)."""
        if t >= self.n_nodes or x >= self.n_nodes:
            raise ValueError("node id out of range")
        return bool(fe_walk_has_edge(&self.g, t, x))

    def walk_range(self, const uint32_t[::1] starts, int64_t n_starts, int64_t first,
                   int64_t last, uint32_t[::1] out, int32_t[::1] lengths, *,
                   int64_t walk_length, double p, double q, uint64_t seed):
        """Generates walks ``first .. last-1`` of the batch into ``out`` / ``lengths`` with the
        GIL released. Returns 1 if stopped by :meth:`request_stop`, else 0."""
        cdef fe_walk_cfg cfg
        cdef int64_t n_walks = starts.shape[0], i
        cdef int rc
        if walk_length < 1:
            raise ValueError(f"walk_length must be >= 1; got {walk_length}")
        if not (p > 0 and q > 0) or p != p or q != q or p == float("inf") or q == float("inf"):
            raise ValueError(f"p and q must be finite and > 0; got p={p}, q={q}")
        if n_starts < 1 or n_walks % n_starts != 0:
            raise ValueError("starts must hold whole rounds of n_starts walks")
        if not (0 <= first <= last <= n_walks):
            raise ValueError(f"walk range {first}..{last} is outside 0..{n_walks}")
        if walk_length > INT32_MAX:
            raise ValueError(f"walk_length must be < 2**31; got {walk_length}")
        # Python ints: the product must not wrap around int64 and pass by accident.
        if out.shape[0] != <object>n_walks * <object>walk_length or lengths.shape[0] != n_walks:
            raise ValueError("out must hold len(starts) * walk_length ids and lengths "
                             "len(starts) entries")
        for i in range(first, last):
            if starts[i] >= self.n_nodes:
                raise ValueError(f"start node {starts[i]} is out of range")
        if first == last:
            return 0
        cfg.walk_length = walk_length
        cfg.p = p
        cfg.q = q
        cfg.seed = seed
        with nogil:
            rc = fe_walk_range(&self.g, &cfg, &starts[0], n_starts, first, last, &out[0],
                               &lengths[0], &self._stop[0])
        if rc < 0:
            raise MemoryError("out of memory for a node2vec step's scratch row")
        return rc
