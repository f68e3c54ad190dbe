"""Train a model on a Dask cluster: ``from fastembed_core.dask import train``.

Needs the optional extra: ``pip install fastembed_core[dask]`` (dask[distributed]).
The work is done in :mod:`fastembed_core.distributed`; this module only checks that Dask is
there and documents the entry point.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from .distributed.combine import DEFAULT_COMBINE
from .models.word2vec import Word2Vec

__all__ = ["train"]


def _require_distributed() -> None:
    try:
        import dask.distributed  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "fastembed_core.dask needs Dask's distributed scheduler: "
            "pip install fastembed_core[dask]"
        ) from exc


def train(
    client: Any,
    corpus_file: Any = None,
    corpus: Any = None,
    *,
    workers: int = 1,
    sync_words: int | None = None,
    combine: str = DEFAULT_COMBINE,
    checkpoint: str | os.PathLike | None = None,
    resume: bool = False,
    callbacks: Iterable[Any] = (),
    model_class: type = Word2Vec,
    **model_params: Any,
) -> Any:
    """Train a :class:`~fastembed_core.Word2Vec` (or an :class:`~fastembed_core.Item2Vec`, a
    :class:`~fastembed_core.Doc2Vec` or a :class:`~fastembed_core.FastText`) on a Dask
    cluster, data-parallel.

    The corpus is cut into one shard per Dask worker. The vocabulary is counted where the
    shards are and merged in order, so it equals ``build_vocab(corpus_file=...)`` on one
    machine. Each worker then keeps its shard, encoded, and a replica of the model; in every
    round each trains its next ``sync_words`` words with ``workers`` kernel threads and sends
    back the rows it changed. The driver combines those deltas, updates its model and sends
    the combined delta to every worker for the next round. The learning rate follows local
    training's schedule over the words of all workers and epochs.

    Parameters
    ----------
    client : dask.distributed.Client
        The cluster to train on (``Client(LocalCluster())`` on one machine,
        ``Client("scheduler:8786")`` on a real one).
    corpus_file : str, os.PathLike, or list of them, optional
        Whitespace-tokenized text, one sentence per line: local paths (visible from every
        worker at the same path, e.g. a shared filesystem), fsspec URLs (``s3://...``; needs
        fsspec) or globs of either; not compressed (a shard is a byte range of the text). For Doc2Vec every line is a document, tagged with its
        line number counted over the files in order (with one file, the tags of
        ``Doc2Vec(corpus_file=...)``).
    corpus : dask.bag.Bag, optional
        Instead of files: a bag of token lists (Doc2Vec: of ``TaggedDocument``), one of
        ``corpus_file`` and ``corpus``.
    workers : int
        Kernel threads inside each Dask worker.
    sync_words : int, optional
        Corpus words each Dask worker trains between two combines. Fewer: closer to one
        machine's training, more exchange; more: less exchange, more drift between replicas.
        By default 500,000, and for skip-gram and hierarchical softmax rounds that shorten
        as about ``1 / n^2`` with ``n`` Dask workers, at most 100,000 words (100,000 at 2,
        80,000 at 4, 20,000 from 8 on): longer rounds were measured to lose up to 0.035 on
        SimLex-999 and analogies at 4 and 8 workers and to drift 0.018 above one process on
        WordSim-353 at 2 (bench/DISTRIBUTED.md). Short rounds cost
        exchange time; pass a larger value to trade quality for throughput.
    combine : {"scaled_average", "capped_sum", "sum", "row_mean", "average"}
        How the workers' deltas are combined (:mod:`fastembed_core.distributed.combine`).
        ``"scaled_average"`` (the default) trains every replica at ``n`` times the learning
        rate (``n`` Dask workers) and averages their models: each worker's progress is kept
        and rows that every worker trains do not overshoot, so the quality holds as workers
        are added. Skip-gram's and hierarchical softmax's replicas train at most at 0.1
        (but never under ``n / 2`` times the rate), and the sum of the deltas is divided by
        that factor. Measured in bench/DISTRIBUTED.md: CBOW within 0.015 of one process or
        above it at 2, 4 and 8 workers; skip-gram and hierarchical softmax likewise with
        the default ``sync_words`` (no score more than 0.013 below one process at 8).
        ``"sum"`` keeps every worker's change at the schedule's rate (unstable
        from 3 workers on: rows every worker trains overshoot); ``"capped_sum"``
        too, except that a row changed by ``k > 2`` workers moves by ``2 / k`` of the sum;
        ``"row_mean"`` averages each row over the workers that changed it; ``"average"`` is
        the mean of the whole models (Spark's scheme), which divides every worker's progress
        by their number.
    checkpoint : path, optional
        A directory: the model is saved there (native format) with a small ``state.json``
        after every 10th round and at the end of every epoch.
    resume : bool
        Continue from the checkpoint in ``checkpoint`` (same corpus, parameters and number of
        Dask workers); starts afresh if there is none yet.
    callbacks : iterable
        As locally; called on the driver (``on_train_begin``, ``on_epoch_begin``,
        ``on_epoch_end``, ``on_train_end``), with the driver's model up to date. They may
        read it; what they change in its vectors does not reach the workers' replicas
        (and a FastText's trained rows are written over it at the next epoch's end).
    model_class : type
        :class:`~fastembed_core.Word2Vec` (the default), :class:`~fastembed_core.Item2Vec`,
        :class:`~fastembed_core.Doc2Vec` or :class:`~fastembed_core.FastText`. An Item2Vec
        without a ``window`` takes the longest session of the corpus, as locally. A Doc2Vec's document rows travel in the same
        deltas as the words' (a document is in one shard, so its row changes on one worker
        only), and a worker is sent and holds only its own documents' rows; its vocabulary
        and tags equal ``build_vocab`` on one machine. A FastText's
        replicas train, and its deltas carry, only the input rows training reaches (the
        words' own and the n-gram buckets some word uses), as local training packs them;
        the driver writes them back into the full matrix at the end of every epoch.
    **model_params
        Every other parameter of ``model_class`` (``vector_size``, ``sg``/``dm``, ``hs``,
        ``negative``, ``window``, ``min_count``, ``sample``, ``alpha``, ``min_alpha``,
        ``epochs``, ``seed``, ...). ``max_vocab_size`` prunes each shard's count and the
        merged one, so the vocabulary then may differ from one machine's.

    Returns
    -------
    Word2Vec, Item2Vec, Doc2Vec or FastText
        A local model, like one trained on one machine (save, query, train further). Its
        ``distributed_log`` lists one dict per round: ``epoch``, ``round``, ``words``,
        ``compute_seconds`` (slowest worker), ``exchange_seconds`` (the rest of the round's
        wall time), ``bytes_to_workers``, ``bytes_from_workers``, ``alpha_start``,
        ``alpha_end`` (the replicas' learning rate), ``rows_changed`` (rows of each matrix in the combined delta),
        ``restarts`` (shards restarted after a lost worker), ``worker_sync_seconds`` and
        ``combine_seconds`` (parts of ``exchange_seconds``). The logger
        ``"fastembed_core.dask"`` prints a line per round.

    Raises
    ------
    TypeError, ValueError
        No client, both or neither corpus, an unreadable path, an empty corpus, or a bad
        parameter: raised before any training.
    """
    _require_distributed()
    from .distributed.rounds import train as train_rounds

    return train_rounds(
        client,
        corpus_file,
        corpus,
        workers=workers,
        sync_words=sync_words,
        combine=combine,
        checkpoint=checkpoint,
        resume=resume,
        callbacks=callbacks,
        model_class=model_class,
        **model_params,
    )
