"""Graph input: any supported form of a graph (edge-list file, numpy edge array, list of
edges, scipy.sparse matrix, networkx graph) to one :class:`Graph` in CSR form.

Node ids of any hashable type are mapped to contiguous ids ``0..N-1`` and the edges stored as
CSR (int64 ``indptr``, uint32 ``indices`` sorted within each row, optional float64
``weights``). The walk models in :mod:`fastembed_core.models.graph` take any of these inputs.

Conventions (chosen on purpose, tested in tests/test_graph.py):

- Undirected graphs store each edge in both rows. A self-loop is stored once.
- Repeated edges: unweighted graphs keep one copy; weighted graphs add the weights (like a
  multigraph). An undirected edge listed in both directions is a repeated edge.
- Zero-weight edges are dropped; negative, NaN or infinite weights are refused.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import _walks

__all__ = ["Graph", "as_graph", "load_edgelist"]


class Graph:
    """A graph in CSR form with its original node ids.

    Build one with :func:`as_graph` (any input form), :func:`load_edgelist` or
    :meth:`from_edges`; the constructor takes finished, validated arrays.

    Attributes
    ----------
    indptr : numpy.ndarray of int64, shape (N + 1,)
    indices : numpy.ndarray of uint32
        Row ``v`` (out-neighbours of node ``v``) is ``indices[indptr[v]:indptr[v+1]]``, sorted.
    weights : numpy.ndarray of float64 or None
        Edge weights aligned with ``indices``; None for an unweighted graph.
    nodes : list
        Original id of each contiguous node id (ints stay ints).
    directed : bool
    """

    def __init__(
        self,
        indptr: ArrayLike,
        indices: ArrayLike,
        weights: ArrayLike | None,
        nodes: Iterable[Hashable],
        directed: bool,
    ) -> None:
        self.indptr = np.ascontiguousarray(indptr, dtype=np.int64)
        self.indices = np.ascontiguousarray(indices, dtype=np.uint32)
        self.weights = None if weights is None else np.ascontiguousarray(weights, np.float64)
        self.nodes = list(nodes)
        self.directed = bool(directed)
        if len(self.nodes) != self.indptr.size - 1:
            raise ValueError("need one node id per CSR row")
        _walks.validate_csr(self.indptr, self.indices)
        self.node_index = {k: i for i, k in enumerate(self.nodes)}
        self._walk_graph: Any = None  # the compiled walker, built on first use

    def __getstate__(self) -> dict[str, Any]:
        # the compiled walker holds pointers into this process's arrays: a copy builds its own
        return {**self.__dict__, "_walk_graph": None}

    @property
    def n_nodes(self) -> int:
        return self.indptr.size - 1

    @property
    def n_edges(self) -> int:
        """Stored (directed) edges: an undirected edge counts twice, a self-loop once."""
        return int(self.indptr[-1])

    @property
    def weighted(self) -> bool:
        return self.weights is not None

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        w = "weighted" if self.weighted else "unweighted"
        return f"Graph<{self.n_nodes} nodes, {self.n_edges} stored edges, {kind}, {w}>"

    def degree(self) -> NDArray[np.int64]:
        """Out-degree of every node (contiguous id order)."""
        return np.diff(self.indptr)

    def neighbors(self, node: Hashable) -> list[Any]:
        """Original ids of the out-neighbours of ``node`` (an original id)."""
        v = self.node_index[node]
        return [self.nodes[u] for u in self.indices[self.indptr[v] : self.indptr[v + 1]].tolist()]

    def edges(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        """Stored edges as (src, dst, weight) arrays of contiguous ids (weight 1 if unweighted)."""
        src: NDArray[np.int64] = np.repeat(
            np.arange(self.n_nodes, dtype=np.int64), np.diff(self.indptr)
        )
        w = self.weights if self.weighted else np.ones(self.n_edges)
        return src, self.indices.astype(np.int64), w

    def to_keys(self, ids: ArrayLike) -> list[Any]:
        """Original node ids of an array of contiguous ids (e.g. one walk)."""
        nodes = self.nodes
        return [nodes[i] for i in np.asarray(ids).tolist()]

    def walker(self) -> Any:
        """The C walk generator over this graph (built once, with the alias tables of a
        weighted graph)."""
        if self._walk_graph is None:
            alias = None
            if self.weighted:
                alias = _walks.alias_build(self.indptr, self.weights)
            self._walk_graph = _walks.WalkGraph(self.indptr, self.indices, alias)
        return self._walk_graph

    _walker = walker  # the name before the walker was public

    # ---------------------------------------------------------------- construction

    @classmethod
    def from_edges(
        cls,
        src: Sequence[Hashable] | NDArray[Any],
        dst: Sequence[Hashable] | NDArray[Any],
        weights: ArrayLike | None = None,
        directed: bool = False,
        weighted: bool | None = None,
        nodes: Iterable[Hashable] = (),
    ) -> Graph:
        """Builds a graph from parallel sequences of source ids, target ids and weights.

        Parameters
        ----------
        src, dst : sequence or array
            Node ids (ints, strings or other hashables; not floats, None or bool).
        weights : sequence or array of float, optional
        directed : bool
        weighted : bool, optional
            Use the weights (default: when they are given). False ignores them.
        nodes : iterable, optional
            Extra node ids, e.g. isolated nodes.
        """
        if weighted is None:
            weighted = weights is not None
        if weighted and weights is None:
            raise ValueError("weighted=True but the input has no edge weights")
        n_edges = len(src)
        if len(dst) != n_edges:
            raise ValueError(f"{len(src)} sources but {len(dst)} targets")
        keys, src_ids, dst_ids = _map_nodes(src, dst, list(nodes))
        if len(keys) == 0:
            raise ValueError("the graph is empty: no nodes and no edges")
        w = None
        if weighted:
            w = _check_weights(weights, n_edges)
            if n_edges and not np.any(w > 0):
                # every edge would be dropped: the walks would never leave their start node
                # and the vectors would stay at their random initial values
                raise ValueError(
                    f"every one of the {n_edges} edge weights is 0, so no edge can be walked; "
                    "give positive weights, or pass weighted=False to ignore them"
                )
        indptr, indices, w = _build_csr(len(keys), src_ids, dst_ids, w, directed)
        return cls(indptr, indices, w, keys, directed)


# -------------------------------------------------------------------- input forms


def _check_weights(weights: ArrayLike, n_edges: int) -> NDArray[np.float64]:
    try:
        w = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("edge weights must be numbers") from None
    if w.shape != (n_edges,):
        raise ValueError(f"need one weight per edge ({n_edges}); got shape {w.shape}")
    if not np.all(np.isfinite(w)):
        raise ValueError("edge weights must be finite (found NaN or inf)")
    if np.any(w < 0):
        raise ValueError(f"edge weights must be >= 0; found {w[w < 0][0]!r}")
    return w


def _check_key(key: Any) -> Hashable:
    if key is None or isinstance(key, (bool, np.bool_, float, np.floating, complex)):
        raise TypeError(
            f"unsupported node id {key!r} ({type(key).__name__}): use ints, "
            f"strings or other hashable ids"
        )
    try:
        hash(key)
    except TypeError:
        raise TypeError(f"node ids must be hashable; got {type(key).__name__}") from None
    return key.item() if isinstance(key, np.integer) else key


def _map_nodes(
    src: Sequence[Hashable] | NDArray[Any],
    dst: Sequence[Hashable] | NDArray[Any],
    extra: list[Hashable],
) -> tuple[list[Any], NDArray[np.int64], NDArray[np.int64]]:
    """Contiguous ids for the node ids of src, dst and extra: (keys, src_ids, dst_ids).

    Integer ids are sorted ascending; other ids keep a sorted order when they can be sorted
    and first-seen order otherwise, so every input form of a graph gives the same numbering."""
    dst_a: Any  # an array whenever src_a is one
    src_a, dst_a = np.asarray(src) if not isinstance(src, list) else None, None
    if src_a is not None:
        dst_a = np.asarray(dst)
    extra_a = (
        np.asarray(extra, dtype=np.int64)
        if extra
        and all(
            isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)) for k in extra
        )
        else None
    )
    if (
        src_a is not None
        and src_a.dtype.kind in "iu"
        and dst_a.dtype.kind in "iu"
        and src_a.ndim == 1
        and (not extra or extra_a is not None)
    ):
        if src_a.size and (src_a.dtype.kind == "u" and src_a.dtype.itemsize == 8):
            if max(src_a.max(initial=0), dst_a.max(initial=0)) > np.iinfo(np.int64).max:
                raise ValueError("node ids above 2**63 - 1 are not supported")
        allv = np.concatenate(
            [
                src_a.astype(np.int64),
                dst_a.astype(np.int64),
                extra_a if extra_a is not None else np.zeros(0, np.int64),
            ]
        )
        keys = np.unique(allv)
        return keys.tolist(), np.searchsorted(keys, src_a), np.searchsorted(keys, dst_a)
    src_l = [_check_key(k) for k in (src.tolist() if isinstance(src, np.ndarray) else src)]
    dst_l = [_check_key(k) for k in (dst.tolist() if isinstance(dst, np.ndarray) else dst)]
    extra_l = [_check_key(k) for k in extra]
    index: dict[Hashable, int] = {}
    for k in src_l + dst_l + extra_l:
        if k not in index:
            index[k] = len(index)
    keys = list(index)
    try:
        keys.sort()
        index = {k: i for i, k in enumerate(keys)}
    except TypeError:
        pass  # mixed, unorderable ids: first-seen order
    src_ids = np.fromiter((index[k] for k in src_l), dtype=np.int64, count=len(src_l))
    dst_ids = np.fromiter((index[k] for k in dst_l), dtype=np.int64, count=len(dst_l))
    return keys, src_ids, dst_ids


def _build_csr(
    n: int, src: ArrayLike, dst: ArrayLike, w: NDArray[np.float64] | None, directed: bool
) -> tuple[NDArray[np.int64], NDArray[np.uint32], NDArray[np.float64] | None]:
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    if n >= 0xFFFFFFFF:
        raise ValueError(f"{n} nodes exceed the 32-bit node id space")
    if w is not None:
        keep = w > 0
        src, dst, w = src[keep], dst[keep], w[keep]
    if not directed:
        loop = src == dst
        src, dst = np.concatenate([src, dst[~loop]]), np.concatenate([dst, src[~loop]])
        if w is not None:
            w = np.concatenate([w, w[~loop]])
    if n < (1 << 31):
        key = src * n + dst
        order = np.argsort(key, kind="stable")
        key = key[order]
    else:
        order = np.lexsort((dst, src))
        key = None
    src, dst = src[order], dst[order]
    if w is not None:
        w = w[order]
    if src.size:
        if key is not None:
            first = np.concatenate(([True], key[1:] != key[:-1]))
        else:
            first = np.concatenate(([True], (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])))
        if w is not None:
            w = np.add.reduceat(w, np.flatnonzero(first))
        src, dst = src[first], dst[first]
    indptr: NDArray[np.int64] = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return indptr, dst.astype(np.uint32), w


_SPLIT = re.compile(r"[,\s]+")
# An id is read as an int only when written the one way Python writes that int: "007", "+7"
# and "7" would otherwise all become node 7.
_CANONICAL_INT = re.compile(r"-?(0|[1-9][0-9]*)")
_INT64 = (-(2**63), 2**63 - 1)


def _int_ids(ids: Sequence[str]) -> NDArray[np.int64] | None:
    """The ids as int64 if every one is a canonical integer in int64's range; else None, with
    a warning when they looked like integers but one was not written canonically or is out of
    range (they are then all kept as strings, and distinct)."""
    odd = None
    for text in ids:
        if _CANONICAL_INT.fullmatch(text) is None or not _INT64[0] <= int(text) <= _INT64[1]:
            if odd is None and re.fullmatch(r"[+-]?[0-9_]+", text):
                odd = text
            elif re.fullmatch(r"[+-]?[0-9_]+", text) is None:
                return None  # names, not numbers: strings, as documented
    if odd is not None:
        warnings.warn(
            f"node id {odd!r} is not a plain integer in int64's range, so every node id is kept "
            "as a string (look them up as kv['7'], not kv[7]); ids such as '007' and '7' stay "
            "distinct nodes",
            UserWarning,
            stacklevel=3,
        )
        return None
    return np.array([int(t) for t in ids], dtype=np.int64)


def load_edgelist(
    path: str | bytes | os.PathLike[Any],
    directed: bool = False,
    weighted: bool | None = None,
    comments: str | None = "#",
    encoding: str = "utf8",
) -> Graph:
    """Reads an edge-list file: one edge ``src dst [weight]`` per line, fields separated by
    whitespace and/or commas; text after ``comments`` is ignored, blank lines skipped.

    Node ids that are all plain integers (as Python writes them, within int64) become ints,
    otherwise every id is a string: ids are never merged by reading "007" or "+7" as 7 (a
    warning says when integer-looking ids are kept as strings). Every line must have the same
    number of fields (2 or 3). A line that is not valid ``encoding`` text is named in the
    error."""
    src, dst, wts = [], [], []
    n_fields = None
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                line = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ValueError(
                    f"{os.fsdecode(path)}:{lineno}: not valid {encoding} text ({exc.reason} at "
                    f"byte {exc.start} of the line); pass encoding= with the file's encoding, "
                    "e.g. encoding='latin-1'"
                ) from None
            if comments:
                line = line.split(comments, 1)[0]
            line = line.strip()
            if not line:
                continue
            fields = _SPLIT.split(line)
            if len(fields) not in (2, 3) or (n_fields is not None and len(fields) != n_fields):
                expect = "2 or 3" if n_fields is None else str(n_fields)
                raise ValueError(
                    f"{os.fsdecode(path)}:{lineno}: expected {expect} fields "
                    f"(src dst [weight]); got {len(fields)}: {line[:60]!r}"
                )
            n_fields = len(fields)
            src.append(fields[0])
            dst.append(fields[1])
            if n_fields == 3:
                wts.append(fields[2])
    if not src:
        raise ValueError(f"{os.fsdecode(path)}: the edge list is empty")
    ends = _int_ids(src + dst)
    src_a, dst_a = (src, dst) if ends is None else (ends[: len(src)], ends[len(src) :])
    weights = None
    if wts:
        try:
            weights = np.array(wts, dtype=np.float64)
        except ValueError:
            raise ValueError(
                f"{os.fsdecode(path)}: the third column must hold numeric weights"
            ) from None
    return Graph.from_edges(src_a, dst_a, weights, directed=directed, weighted=weighted)


def _from_array(arr: NDArray[Any], directed: bool, weighted: bool | None) -> Graph:
    if arr.ndim != 2 or arr.shape[1] not in (2, 3):
        raise ValueError(f"an edge array must have shape (E, 2) or (E, 3); got {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError("the graph is empty: no edges")
    weights = arr[:, 2] if arr.shape[1] == 3 else None
    ends = arr[:, :2]
    if ends.dtype.kind == "f":
        if not np.all(np.isfinite(ends)) or np.any(ends != np.round(ends)):
            raise TypeError("node ids in a float edge array must be whole numbers")
        ends = ends.astype(np.int64)
    elif ends.dtype.kind == "O":
        src, dst = list(ends[:, 0]), list(ends[:, 1])
        return Graph.from_edges(src, dst, weights, directed=directed, weighted=weighted)
    elif ends.dtype.kind not in "iuU":
        raise TypeError(f"unsupported edge array dtype {arr.dtype}")
    if ends.dtype.kind == "U":
        return Graph.from_edges(
            ends[:, 0].tolist(), ends[:, 1].tolist(), weights, directed=directed, weighted=weighted
        )
    return Graph.from_edges(ends[:, 0], ends[:, 1], weights, directed=directed, weighted=weighted)


def _from_scipy(mat: Any, directed: bool, weighted: bool | None) -> Graph:
    import scipy.sparse as sp

    coo = sp.coo_matrix(mat)
    if coo.shape[0] != coo.shape[1]:
        raise ValueError(f"an adjacency matrix must be square; got shape {coo.shape}")
    if coo.shape[0] == 0:
        raise ValueError("the graph is empty: a 0 x 0 matrix")
    coo.sum_duplicates()
    coo.eliminate_zeros()
    row, col, data = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    if data.dtype.kind not in "biuf":
        raise TypeError(f"unsupported matrix dtype {data.dtype}")
    data = data.astype(np.float64)
    if not directed:
        sym = (coo.T != coo).nnz == 0
        if sym:  # each undirected edge once: the upper triangle
            upper = row <= col
            row, col, data = row[upper], col[upper], data[upper]
    if weighted is None:
        weighted = bool(data.size) and not np.all(data == 1.0)
    n = coo.shape[0]
    keys = list(range(n))
    w = _check_weights(data, data.size) if weighted else None
    indptr, indices, w = _build_csr(n, row, col, w, directed)
    return Graph(indptr, indices, w, keys, directed)


def _from_networkx(g: Any, directed: bool | None, weighted: bool | None) -> Graph:
    nodes = list(g.nodes())
    if not nodes:
        raise ValueError("the graph is empty: no nodes")
    edges = list(g.edges(data=True))
    src = [e[0] for e in edges]
    dst = [e[1] for e in edges]
    has_w = any("weight" in e[2] for e in edges)
    if weighted is None:
        weighted = has_w
    weights = [e[2].get("weight", 1.0) for e in edges] if weighted else None
    if directed is None:
        directed = g.is_directed()
    return Graph.from_edges(src, dst, weights, directed=directed, weighted=weighted, nodes=nodes)


def as_graph(graph: Any, directed: bool | None = False, weighted: bool | None = None) -> Graph:
    """Converts any supported graph input to a :class:`Graph`.

    Parameters
    ----------
    graph : Graph, str or path, numpy array, list of edges, scipy.sparse matrix, networkx graph
        An edge-list file (see :func:`load_edgelist`); an (E, 2) or (E, 3) array of
        ``src, dst[, weight]``; a list of ``(src, dst)`` or ``(src, dst, weight)`` tuples; a
        square adjacency matrix (row = source); or a networkx graph (its nodes, including
        isolated ones, and its ``weight`` edge attributes).
    directed : bool
        Treat edges as directed. For a networkx graph ``None`` follows the graph's own kind.
    weighted : bool, optional
        Use edge weights. Default: when the input has them (a third column, matrix values
        other than 1, ``weight`` attributes).
    """
    if isinstance(graph, Graph):
        return graph
    if isinstance(graph, (str, bytes, os.PathLike)):
        return load_edgelist(graph, directed=bool(directed), weighted=weighted)
    mod = type(graph).__module__ or ""
    if mod.startswith("networkx"):
        return _from_networkx(graph, directed, weighted)
    if mod.startswith("scipy.sparse"):
        return _from_scipy(graph, bool(directed), weighted)
    if isinstance(graph, np.ndarray):
        return _from_array(graph, bool(directed), weighted)
    if isinstance(graph, (list, tuple)):
        if not graph:
            raise ValueError("the graph is empty: no edges")
        lengths = {len(e) if isinstance(e, (list, tuple)) else -1 for e in graph}
        if -1 in lengths or len(lengths) != 1 or not lengths <= {2, 3}:
            raise ValueError(
                "a list of edges must hold (src, dst) or (src, dst, weight) "
                "tuples, all of the same length"
            )
        cols = list(zip(*graph))
        weights = cols[2] if len(cols) == 3 else None
        return Graph.from_edges(
            list(cols[0]), list(cols[1]), weights, directed=bool(directed), weighted=weighted
        )
    raise TypeError(
        f"unsupported graph input {type(graph).__name__}: pass an edge-list path, "
        f"an (E, 2|3) array, a list of edges, a scipy.sparse matrix or a networkx graph"
    )
