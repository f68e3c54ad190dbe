"""Graph embeddings: DeepWalk and node2vec random walks on the word2vec kernel.

A graph in any supported form (edge-list file, numpy edge array, list of edges, scipy.sparse
matrix, networkx graph) becomes a :class:`Graph` once: node ids of any hashable type are
mapped to contiguous ids ``0..N-1`` and the edges stored as CSR (int64 ``indptr``, uint32
``indices`` sorted within each row, optional float64 ``weights``). Walks are generated in C
(``src/fe_walk.h``) by several threads with the GIL released and handed to :class:`Word2Vec`
as an :class:`~fastembed_core.vocab.EncodedCorpus` (uint32 ids + int64 offsets), never as
Python lists; the trained vectors come back keyed by the *original* node ids.

Memory: the walks take ``num_walks * N * walk_length * 4`` bytes (10 walks of 80 nodes per node
is 3.2 KB per node: 3.2 GB for a million nodes). For graphs where that is too much, pass
``rounds=k``: the walks are generated and trained ``num_walks / k`` per node at a time, with
the learning rate decaying across the rounds, so only one round's walks are held at once.

Conventions (chosen on purpose, tested in tests/test_graph.py):

- Undirected graphs store each edge in both rows. A self-loop is stored once.
- Repeated edges: unweighted graphs keep one copy; weighted graphs add the weights (like a
  multigraph). An undirected edge listed in both directions is a repeated edge.
- Zero-weight edges are dropped; negative, NaN or infinite weights are refused.
- Node2vec's distance d(t, x) on directed graphs: x is at distance 1 from the previous node t
  when the edge t -> x exists.
- A walk that reaches a node without out-edges (a sink of a directed graph, an isolated node)
  ends there, so it is shorter than ``walk_length``. Every node, isolated ones included, starts
  ``num_walks`` walks and gets a vector.
"""

import logging
import os
import re
import time

import numpy as np

from .. import _walks
from ..validation import check_float, check_int
from ..vectors.keyedvectors import KeyedVectors
from .vocab import EncodedCorpus
from .word2vec import Word2Vec
from .workers import available_cores, run_workers

logger = logging.getLogger("fastembed_core")

__all__ = ["Graph", "as_graph", "load_edgelist", "generate_walks", "Node2Vec", "DeepWalk"]

_WALK_STREAM = 0x57A1C


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

    def __init__(self, indptr, indices, weights, nodes, directed):
        self.indptr = np.ascontiguousarray(indptr, dtype=np.int64)
        self.indices = np.ascontiguousarray(indices, dtype=np.uint32)
        self.weights = None if weights is None else np.ascontiguousarray(weights, np.float64)
        self.nodes = list(nodes)
        self.directed = bool(directed)
        if len(self.nodes) != self.indptr.size - 1:
            raise ValueError("need one node id per CSR row")
        _walks.validate_csr(self.indptr, self.indices)
        self.node_index = {k: i for i, k in enumerate(self.nodes)}
        self._walk_graph = None

    @property
    def n_nodes(self):
        return self.indptr.size - 1

    @property
    def n_edges(self):
        """Stored (directed) edges: an undirected edge counts twice, a self-loop once."""
        return int(self.indptr[-1])

    @property
    def weighted(self):
        return self.weights is not None

    def __repr__(self):
        kind = "directed" if self.directed else "undirected"
        w = "weighted" if self.weighted else "unweighted"
        return f"Graph<{self.n_nodes} nodes, {self.n_edges} stored edges, {kind}, {w}>"

    def degree(self):
        """Out-degree of every node (contiguous id order)."""
        return np.diff(self.indptr)

    def neighbors(self, node):
        """Original ids of the out-neighbours of ``node`` (an original id)."""
        v = self.node_index[node]
        return [self.nodes[u] for u in self.indices[self.indptr[v] : self.indptr[v + 1]].tolist()]

    def edges(self):
        """Stored edges as (src, dst, weight) arrays of contiguous ids (weight 1 if unweighted)."""
        src = np.repeat(np.arange(self.n_nodes, dtype=np.int64), np.diff(self.indptr))
        w = self.weights if self.weighted else np.ones(self.n_edges)
        return src, self.indices.astype(np.int64), w

    def to_keys(self, ids):
        """Original node ids of an array of contiguous ids (e.g. one walk)."""
        nodes = self.nodes
        return [nodes[i] for i in np.asarray(ids).tolist()]

    def _walker(self):
        if self._walk_graph is None:
            alias = None
            if self.weighted:
                alias = _walks.alias_build(self.indptr, self.weights)
            self._walk_graph = _walks.WalkGraph(self.indptr, self.indices, alias)
        return self._walk_graph

    # ---------------------------------------------------------------- construction

    @classmethod
    def from_edges(cls, src, dst, weights=None, directed=False, weighted=None, nodes=()):
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
        indptr, indices, w = _build_csr(len(keys), src_ids, dst_ids, w, directed)
        return cls(indptr, indices, w, keys, directed)


# -------------------------------------------------------------------- input forms


def _check_weights(weights, n_edges):
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


def _check_key(key):
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


def _map_nodes(src, dst, extra):
    """Contiguous ids for the node ids of src, dst and extra: (keys, src_ids, dst_ids).

    Integer ids are sorted ascending; other ids keep a sorted order when they can be sorted
    and first-seen order otherwise, so every input form of a graph gives the same numbering."""
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
    index = {}
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


def _build_csr(n, src, dst, w, directed):
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
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return indptr, dst.astype(np.uint32), w


_SPLIT = re.compile(r"[,\s]+")


def load_edgelist(path, directed=False, weighted=None, comments="#", encoding="utf8"):
    """Reads an edge-list file: one edge ``src dst [weight]`` per line, fields separated by
    whitespace and/or commas; text after ``comments`` is ignored, blank lines skipped.

    Node ids that all parse as integers become ints, otherwise every id is a string. Every
    line must have the same number of fields (2 or 3)."""
    src, dst, wts = [], [], []
    n_fields = None
    with open(path, encoding=encoding) as fh:
        for lineno, line in enumerate(fh, 1):
            if comments:
                line = line.split(comments, 1)[0]
            line = line.strip()
            if not line:
                continue
            fields = _SPLIT.split(line)
            if len(fields) not in (2, 3) or (n_fields is not None and len(fields) != n_fields):
                expect = "2 or 3" if n_fields is None else str(n_fields)
                raise ValueError(
                    f"{os.fspath(path)}:{lineno}: expected {expect} fields "
                    f"(src dst [weight]); got {len(fields)}: {line[:60]!r}"
                )
            n_fields = len(fields)
            src.append(fields[0])
            dst.append(fields[1])
            if n_fields == 3:
                wts.append(fields[2])
    if not src:
        raise ValueError(f"{os.fspath(path)}: the edge list is empty")
    try:
        src_a = np.array(src, dtype=np.int64)
        dst_a = np.array(dst, dtype=np.int64)
    except (ValueError, OverflowError):
        src_a, dst_a = src, dst
    weights = None
    if wts:
        try:
            weights = np.array(wts, dtype=np.float64)
        except ValueError:
            raise ValueError(
                f"{os.fspath(path)}: the third column must hold numeric weights"
            ) from None
    return Graph.from_edges(src_a, dst_a, weights, directed=directed, weighted=weighted)


def _from_array(arr, directed, weighted):
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


def _from_scipy(mat, directed, weighted):
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


def _from_networkx(g, directed, weighted):
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


def as_graph(graph, directed=False, weighted=None):
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


# -------------------------------------------------------------------- walks


def _walk_seed(seed, first_round=0):
    """The C generator's 64-bit seed; batches starting at other rounds get other streams."""
    state = np.random.SeedSequence([_WALK_STREAM, seed, first_round]).generate_state(1, np.uint64)
    return int(state[0])


def _start_nodes(n, rounds, seed, first_round=0):
    """Every node once per round, in a fresh seeded order each round (like node2vec's
    shuffle), so the learning rate does not decay along a fixed node order."""
    out = np.empty(rounds * n, dtype=np.uint32)
    for r in range(rounds):
        rng = np.random.Generator(
            np.random.PCG64(np.random.SeedSequence([_WALK_STREAM, seed, first_round + r]))
        )
        out[r * n : (r + 1) * n] = rng.permutation(n)
    return out


def generate_walks(
    graph, walk_length=80, num_walks=10, p=1.0, q=1.0, seed=1, workers=None, first_round=0
):
    """Random walks on ``graph`` as an :class:`EncodedCorpus` of contiguous node ids.

    ``num_walks`` rounds, each starting one walk at every node in a shuffled order. With
    ``p == q == 1`` the walks are first-order (DeepWalk; weighted graphs step in proportion to
    edge weight), otherwise node2vec's second-order walks. Generated in C by ``workers``
    threads; the result depends only on ``seed`` (and ``first_round``), not on ``workers``.
    Map ids back to the original node ids with ``graph.to_keys``.
    """
    g = graph if isinstance(graph, Graph) else as_graph(graph)
    walk_length = check_int("walk_length", walk_length, 1)
    num_walks = check_int("num_walks", num_walks, 1)
    p, q = check_float("p", p, 0, low_open=True), check_float("q", q, 0, low_open=True)
    workers = available_cores() if workers is None else check_int("workers", workers, 1)
    n = g.n_nodes
    n_walks = num_walks * n
    if n_walks * walk_length >= (1 << 62):
        raise ValueError("too many walks: pass rounds= to generate them a round at a time")
    starts = _start_nodes(n, num_walks, seed, first_round)
    out = np.empty(n_walks * walk_length, dtype=np.uint32)
    lengths = np.empty(n_walks, dtype=np.int32)
    walker = g._walker()
    cfg = dict(walk_length=walk_length, p=p, q=q, seed=_walk_seed(seed, first_round))
    bounds = np.linspace(0, n_walks, min(workers, n_walks) + 1).astype(np.int64)
    t0 = time.perf_counter()

    def work(k):
        walker.walk_range(starts, n, int(bounds[k]), int(bounds[k + 1]), out, lengths, **cfg)

    if len(bounds) == 2:
        work(0)
    else:
        walker.reset_stop()
        try:
            run_workers(len(bounds) - 1, work, walker.request_stop, name="fastembed-walker")
        finally:
            walker.reset_stop()
    logger.info(
        "generated %d walks of up to %d nodes in %.2fs",
        n_walks,
        walk_length,
        time.perf_counter() - t0,
    )
    if np.all(lengths == walk_length):
        offsets = np.arange(n_walks + 1, dtype=np.int64) * walk_length
        return EncodedCorpus(out, offsets)
    mask = (np.arange(walk_length, dtype=np.int32)[None, :] < lengths[:, None]).ravel()
    offsets = np.zeros(n_walks + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return EncodedCorpus(out[mask], offsets)


# -------------------------------------------------------------------- models


class Node2Vec:
    """node2vec embeddings (Grover & Leskovec 2016): biased second-order random walks trained
    with skip-gram.

    Parameters
    ----------
    graph : any input accepted by :func:`as_graph`
    dimensions : int
        Vector size.
    walk_length : int
        Nodes per walk (shorter when a walk reaches a node without out-edges).
    num_walks : int
        Walks started at every node.
    p : float
        Return parameter: a step back to the previous node is weighted 1/p.
    q : float
        In-out parameter: a step to a node not adjacent to the previous one is weighted 1/q.
    window : int
        Skip-gram window.
    workers : int, optional
        Threads for the walks and the training (default: all available cores).
    seed : int
        Seed of the walks and of the training. The walks depend only on the seed; with
        ``workers=1`` the vectors are bitwise reproducible too.
    directed, weighted : bool
        See :func:`as_graph`.
    rounds : int
        Generate and train the walks in this many rounds (``num_walks`` must be divisible by
        it) to hold only ``num_walks / rounds`` walks per node in memory at once.
    **word2vec_kwargs
        Passed to :class:`Word2Vec` (``epochs``, ``negative``, ``hs``, ``alpha``, ``sample``,
        ...). Defaults differ from Word2Vec's as in common node2vec use: ``sg=1``,
        ``min_count=1`` (every node gets a vector) and ``epochs=1`` (the walks already visit
        each node many times).

    Examples
    --------
    >>> import networkx as nx
    >>> kv = Node2Vec(nx.karate_club_graph(), dimensions=32, p=1, q=0.5).fit()
    >>> kv.most_similar(0, topn=5)
    """

    _defaults = {"sg": 1, "min_count": 1, "epochs": 1}

    def __init__(
        self,
        graph,
        dimensions=128,
        walk_length=80,
        num_walks=10,
        p=1.0,
        q=1.0,
        window=10,
        workers=None,
        seed=1,
        directed=False,
        weighted=None,
        rounds=1,
        **word2vec_kwargs,
    ):
        self.graph = as_graph(graph, directed=directed, weighted=weighted)
        self.dimensions = check_int("dimensions", dimensions, 1)
        self.walk_length = check_int("walk_length", walk_length, 1)
        self.num_walks = check_int("num_walks", num_walks, 1)
        self.p, self.q = (
            check_float("p", p, 0, low_open=True),
            check_float("q", q, 0, low_open=True),
        )
        self.window = check_int("window", window, 1)
        self.workers = available_cores() if workers is None else check_int("workers", workers, 1)
        self.seed = check_int("seed", seed, 0)
        self.rounds = check_int("rounds", rounds, 1)
        if self.num_walks % self.rounds:
            raise ValueError(f"num_walks={num_walks} must be divisible by rounds={rounds}")
        if "vector_size" in word2vec_kwargs:
            vs = word2vec_kwargs.pop("vector_size")
            if vs != dimensions and dimensions != 128:
                raise ValueError("pass dimensions or vector_size, not both")
            self.dimensions = check_int("vector_size", vs, 1)
        for bad in ("sentences", "corpus_file", "corpus_iterable"):
            if bad in word2vec_kwargs:
                raise TypeError(f"{bad} is not accepted: the corpus is the graph's walks")
        self.word2vec_kwargs = {**self._defaults, **word2vec_kwargs}
        self._walks = None
        self.model = None
        self.wv = None
        self.walk_time = 0.0
        self.train_time = 0.0

    def _walk_params(self):
        return dict(
            walk_length=self.walk_length, p=self.p, q=self.q, seed=self.seed, workers=self.workers
        )

    def walks(self):
        """All walks (``num_walks`` per node) as an :class:`EncodedCorpus` of contiguous node
        ids; ``self.graph.to_keys(ids)`` gives original ids. Generated once, then cached."""
        if self._walks is None:
            t0 = time.perf_counter()
            self._walks = generate_walks(
                self.graph, num_walks=self.num_walks, **self._walk_params()
            )
            self.walk_time += time.perf_counter() - t0
        return self._walks

    def _new_model(self):
        kw = dict(self.word2vec_kwargs)
        return Word2Vec(
            vector_size=self.dimensions,
            window=self.window,
            workers=self.workers,
            seed=self.seed,
            **kw,
        )

    def fit(self):
        """Generates the walks, trains skip-gram on them and returns the :class:`KeyedVectors`
        keyed by the original node ids (also kept as ``self.wv``; the trainer is
        ``self.model``, keyed by contiguous ids)."""
        model = self._new_model()
        if self.rounds == 1:
            walks = self.walks()
            t0 = time.perf_counter()
            model.build_vocab(walks)
            model.train(walks)
            self.train_time += time.perf_counter() - t0
        else:
            per = self.num_walks // self.rounds
            alpha, min_alpha = model.alpha, model.min_alpha
            for r in range(self.rounds):
                t0 = time.perf_counter()
                walks = generate_walks(
                    self.graph, num_walks=per, first_round=r * per, **self._walk_params()
                )
                self.walk_time += time.perf_counter() - t0
                t0 = time.perf_counter()
                if r == 0:
                    model.build_vocab(walks)
                start = alpha - (alpha - min_alpha) * r / self.rounds
                end = alpha - (alpha - min_alpha) * (r + 1) / self.rounds
                model.train(walks, start_alpha=start, end_alpha=end)
                self.train_time += time.perf_counter() - t0
                del walks
        self.model = model
        self.wv = _rekey(model.wv, self.graph.nodes)
        return self.wv


def _rekey(wv, nodes):
    """The trainer's vectors keyed by the original node ids (rows shared, not copied)."""
    return KeyedVectors.from_arrays(
        [nodes[i] for i in wv.index_to_key], wv.vectors, attrs=wv.expandos, copy=False
    )


class DeepWalk(Node2Vec):
    """DeepWalk embeddings (Perozzi et al. 2014): uniform first-order random walks (weighted
    graphs: steps in proportion to edge weight) trained with skip-gram.

    Same parameters as :class:`Node2Vec` without ``p`` and ``q``. DeepWalk's original
    training used hierarchical softmax: pass ``hs=1, negative=0`` for it; the default is
    negative sampling, as in :class:`Node2Vec`.
    """

    def __init__(
        self,
        graph,
        dimensions=128,
        walk_length=80,
        num_walks=10,
        window=10,
        workers=None,
        seed=1,
        directed=False,
        weighted=None,
        rounds=1,
        **word2vec_kwargs,
    ):
        if "p" in word2vec_kwargs or "q" in word2vec_kwargs:
            raise TypeError("DeepWalk walks are uniform: use Node2Vec for p and q")
        super().__init__(
            graph,
            dimensions=dimensions,
            walk_length=walk_length,
            num_walks=num_walks,
            p=1.0,
            q=1.0,
            window=window,
            workers=workers,
            seed=seed,
            directed=directed,
            weighted=weighted,
            rounds=rounds,
            **word2vec_kwargs,
        )
