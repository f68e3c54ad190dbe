"""Graph embeddings: DeepWalk and node2vec random walks on the word2vec kernel.

A graph in any supported form becomes a :class:`~fastembed_core.models.graph_input.Graph`
(:func:`as_graph`, in ``graph_input``). Walks are generated in C (``src/fe_walk.h``) by several
threads with the GIL released and trained as an
:class:`~fastembed_core.models.vocab.EncodedCorpus` (uint32 ids + int64 offsets), never as
Python lists. :class:`Node2Vec` and :class:`DeepWalk` are :class:`Word2Vec` models whose
vocabulary is the graph's nodes, keyed by the *original* node ids.

Memory: the walks take ``num_walks * N * walk_length * 4`` bytes (10 walks of 80 nodes per node
is 3.2 KB per node: 3.2 GB for a million nodes). For graphs where that is too much, pass
``rounds=k``: the walks are generated and trained ``num_walks / k`` per node at a time, with
the learning rate decaying across the rounds, so only one round's walks are held at once.

Conventions (chosen on purpose, tested in tests/test_graph.py; the input conventions are in
``graph_input``):

- Node2vec's distance d(t, x) on directed graphs: x is at distance 1 from the previous node t
  when the edge t -> x exists.
- A walk that reaches a node without out-edges (a sink of a directed graph, an isolated node)
  ends there, so it is shorter than ``walk_length``. Every node, isolated ones included, starts
  ``num_walks`` walks and gets a vector.
"""

from __future__ import annotations

import logging
import time
from typing import Any, ClassVar

import numpy as np

from ..validation import check_float, check_int
from ..vectors.keyedvectors import KeyedVectors
from . import vocab as vocab_mod
from .graph_input import Graph, as_graph, load_edgelist
from .vocab import EncodedCorpus
from .word2vec import Word2Vec
from .workers import available_cores, run_workers

logger = logging.getLogger("fastembed_core")

__all__ = ["Graph", "as_graph", "load_edgelist", "generate_walks", "Node2Vec", "DeepWalk"]

_WALK_STREAM = 0x57A1C


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
    walker = g.walker()
    cfg = dict(walk_length=walk_length, p=p, q=q, seed=_walk_seed(seed, first_round))
    bounds = np.linspace(0, n_walks, min(workers, n_walks) + 1).astype(np.int64)
    t0 = time.perf_counter()

    def work(k):
        walker.walk_range(starts, n, int(bounds[k]), int(bounds[k + 1]), out, lengths, **cfg)

    # Even one worker runs on its own thread: the calling thread then stays free to turn
    # Ctrl-C into a stop request, instead of seeing it only after the last walk.
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


class Node2Vec(Word2Vec):
    """node2vec embeddings (Grover & Leskovec 2016): biased second-order random walks trained
    with skip-gram.

    A :class:`Word2Vec` whose corpus is the walks on a graph and whose vocabulary is the
    graph's nodes: ``Node2Vec(graph, ...)`` generates the walks and trains at once, and
    ``model.wv`` holds the vectors keyed by the original node ids. ``Node2Vec(None, ...)``
    waits for the step-by-step form: ``build_vocab(graph)`` then ``train()`` (``train()``
    without a corpus trains on all walks of the graph given last; ``rounds`` applies only to
    the construct-and-train form and :meth:`fit`).

    Parameters
    ----------
    graph : any input accepted by :func:`as_graph`, optional
        The graph; None leaves the model untrained.
    dimensions : int
        Vector size (``vector_size=`` is accepted too).
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
        ``callbacks``, ...). Defaults differ from Word2Vec's as in common node2vec use:
        ``sg=1``, ``min_count=1`` (every node gets a vector) and ``epochs=1`` (the walks
        already visit each node many times).

    Notes
    -----
    Saved files hold the vectors, the trained layers and the parameters, not the graph: a
    loaded model answers queries and continues training on walks of a graph given to
    ``build_vocab``/``train``. Only str and int node ids can be saved.

    Examples
    --------
    >>> import networkx as nx
    >>> model = Node2Vec(nx.karate_club_graph(), dimensions=32, p=1, q=0.5)
    >>> model.wv.most_similar(0, topn=5)
    """

    _KIND: ClassVar[str] = "Node2Vec"
    _TRAIN_NEEDS_SIZES: ClassVar[bool] = False  # train(graph) walks it: no sizes to give
    _defaults: ClassVar[dict[str, Any]] = {"sg": 1, "min_count": 1, "epochs": 1}
    _WALK_PARAMS: ClassVar[tuple[str, ...]] = ("walk_length", "num_walks", "p", "q", "rounds")
    _INIT_PARAMS: ClassVar[tuple[str, ...]] = Word2Vec._INIT_PARAMS + _WALK_PARAMS
    _PARAMS: ClassVar[tuple[str, ...]] = Word2Vec._PARAMS + _WALK_PARAMS

    def __init__(
        self,
        graph: Any = None,
        dimensions: int = 128,
        walk_length: int = 80,
        num_walks: int = 10,
        p: float = 1.0,
        q: float = 1.0,
        window: int = 10,
        workers: int | None = None,
        seed: int = 1,
        directed: bool | None = False,
        weighted: bool | None = None,
        rounds: int = 1,
        **word2vec_kwargs: Any,
    ) -> None:
        self.directed, self.weighted = directed, weighted
        graph = None if graph is None else as_graph(graph, directed=directed, weighted=weighted)
        self.walk_length = check_int("walk_length", walk_length, 1)
        self.num_walks = check_int("num_walks", num_walks, 1)
        self.p, self.q = (
            check_float("p", p, 0, low_open=True),
            check_float("q", q, 0, low_open=True),
        )
        self.rounds = check_int("rounds", rounds, 1)
        if self.num_walks % self.rounds:
            raise ValueError(f"num_walks={num_walks} must be divisible by rounds={rounds}")
        vector_size = check_int("dimensions", dimensions, 1)
        if "vector_size" in word2vec_kwargs:
            vs = word2vec_kwargs.pop("vector_size")
            if vs != dimensions and dimensions != 128:
                raise ValueError("pass dimensions or vector_size, not both")
            vector_size = check_int("vector_size", vs, 1)
        for bad in ("sentences", "corpus_file", "corpus_iterable"):
            if bad in word2vec_kwargs:
                raise TypeError(f"{bad} is not accepted: the corpus is the graph's walks")
        self.word2vec_kwargs = {**self._defaults, **word2vec_kwargs}
        super().__init__(
            vector_size=vector_size,
            window=window,
            workers=workers,
            seed=seed,
            **self.word2vec_kwargs,
        )
        self.graph = graph
        self._walks: EncodedCorpus | None = None
        self.walk_time = 0.0
        self.train_time = 0.0
        if graph is not None:
            self._fit()

    @property
    def dimensions(self) -> int:
        """The vector size (node2vec's name for it)."""
        return self.vector_size

    @property
    def model(self) -> Node2Vec:
        """The trained model: the object itself (kept for code written when the trainer was a
        separate Word2Vec keyed by contiguous node ids)."""
        return self

    def _walk_params(self):
        return dict(
            walk_length=self.walk_length, p=self.p, q=self.q, seed=self.seed, workers=self.workers
        )

    def walks(self) -> EncodedCorpus:
        """All walks (``num_walks`` per node) of the model's graph.

        Returns
        -------
        EncodedCorpus
            Contiguous node ids; ``self.graph.to_keys(ids)`` gives original ids. Generated
            once, then cached.
        """
        if self.graph is None:
            raise ValueError("the model has no graph: pass one to build_vocab() or the constructor")
        if self._walks is None:
            t0 = time.perf_counter()
            self._walks = generate_walks(
                self.graph, num_walks=self.num_walks, **self._walk_params()
            )
            self.walk_time += time.perf_counter() - t0
        return self._walks

    def _walks_of(self, corpus, corpus_file):
        """The walks to count or train: given ones, those of a newly given graph, or (None)
        those of the model's graph."""
        if corpus_file is not None:
            raise TypeError("corpus_file is not accepted: the corpus is the graph's walks")
        if corpus is None:
            return self.walks()
        if isinstance(corpus, EncodedCorpus):
            if self.graph is None:
                raise ValueError("walks need the graph their ids refer to: pass the graph")
            return corpus
        graph = as_graph(corpus, directed=self.directed, weighted=self.weighted)
        if graph is not self.graph:
            self.graph, self._walks = graph, None
        return self.walks()

    def _scan(self, corpus_iterable, corpus_file):
        counts, total, n_walks = vocab_mod.count_ids(self._walks_of(corpus_iterable, corpus_file))
        nodes = self.graph.nodes
        return {nodes[i]: c for i, c in counts.items()}, total, n_walks

    def _encode(self, corpus_iterable, corpus_file):
        walks = self._walks_of(corpus_iterable, corpus_file)
        index = self.wv.key_to_index
        rows = {i: index[k] for i, k in enumerate(self.graph.nodes) if k in index}
        return vocab_mod.encode_ids(walks, rows)

    def _fit(self):
        if self.rounds == 1:
            walks = self.walks()
            t0 = time.perf_counter()
            self.build_vocab(walks)
            self.train(walks)
            self.train_time += time.perf_counter() - t0
            return
        per = self.num_walks // self.rounds
        alpha, min_alpha = self.alpha, self.min_alpha
        for r in range(self.rounds):
            t0 = time.perf_counter()
            walks = generate_walks(
                self.graph, num_walks=per, first_round=r * per, **self._walk_params()
            )
            self.walk_time += time.perf_counter() - t0
            t0 = time.perf_counter()
            if r == 0:
                self.build_vocab(walks)
            start = alpha - (alpha - min_alpha) * r / self.rounds
            end = alpha - (alpha - min_alpha) * (r + 1) / self.rounds
            self.train(walks, start_alpha=start, end_alpha=end)
            self.train_time += time.perf_counter() - t0
            del walks

    def fit(self) -> KeyedVectors:
        """The node vectors, training first if the model has not been trained.

        ``Node2Vec(graph, ...)`` trains at once, so ``Node2Vec(graph, ...).fit()`` returns the
        vectors of that training without training again (as a fitted scikit-learn estimator
        is usable at once). To train more, call :meth:`train`.

        Returns
        -------
        KeyedVectors
            ``self.wv``: the vectors keyed by the original node ids.
        """
        if self.train_count == 0:
            if self.graph is None:
                raise ValueError("the model has no graph: pass one to Node2Vec(graph, ...)")
            self._fit()
        return self.wv

    def __str__(self):
        return (
            f"{type(self).__name__}<nodes={len(self.wv)}, vector_size={self.vector_size}, "
            f"walk_length={self.walk_length}, num_walks={self.num_walks}, p={self.p}, "
            f"q={self.q}>"
        )

    __repr__ = __str__


class DeepWalk(Node2Vec):
    """DeepWalk embeddings (Perozzi et al. 2014): uniform first-order random walks (weighted
    graphs: steps in proportion to edge weight) trained with skip-gram.

    Same parameters and lifecycle as :class:`Node2Vec` without ``p`` and ``q``. DeepWalk's
    original training used hierarchical softmax: pass ``hs=1, negative=0`` for it; the
    default is negative sampling, as in :class:`Node2Vec`.

    Parameters
    ----------
    graph : any input accepted by :func:`as_graph`, optional
        The graph; None leaves the model untrained.
    dimensions, walk_length, num_walks, window, workers, seed, directed, weighted, rounds
        As in :class:`Node2Vec`.
    **word2vec_kwargs
        As in :class:`Node2Vec`.
    """

    _KIND: ClassVar[str] = "DeepWalk"
    _WALK_PARAMS: ClassVar[tuple[str, ...]] = ("walk_length", "num_walks", "rounds")
    _INIT_PARAMS: ClassVar[tuple[str, ...]] = Word2Vec._INIT_PARAMS + _WALK_PARAMS
    _PARAMS: ClassVar[tuple[str, ...]] = Word2Vec._PARAMS + _WALK_PARAMS

    def __init__(
        self,
        graph: Any = None,
        dimensions: int = 128,
        walk_length: int = 80,
        num_walks: int = 10,
        window: int = 10,
        workers: int | None = None,
        seed: int = 1,
        directed: bool | None = False,
        weighted: bool | None = None,
        rounds: int = 1,
        **word2vec_kwargs: Any,
    ) -> None:
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
