"""The tasks a Dask worker runs, and the replicas they keep between rounds.

A worker keeps, per (run id, shard), the shard's encoded tokens and a replica of the model
(:class:`Replica`), in this module's cache: it outlives the tasks, so each round only the
combined delta travels. A task that finds no replica, or one at another round than the driver
expects, raises :class:`StaleReplica` (the worker was lost and Dask ran the task elsewhere);
the driver (:mod:`.rounds`) then starts the shard afresh.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..models.word2vec import Word2Vec
from ..models.workers import CHUNKS_PER_WORKER, train_sentences
from . import combine as combine_mod
from .family import Word2VecFamily, family_of
from .shards import BagShard, FileShard, ShardCount, count_shard, encode_shard

__all__ = ["StaleReplica", "count_task", "start_task", "round_task", "drop_run"]

_SEED_STREAM = 0xDA5C


class StaleReplica(RuntimeError):
    """The worker running a round has no replica of the shard at the round expected (it was
    lost with its worker): the driver restarts the shard from its current model."""


@dataclass
class Replica:
    family: Word2VecFamily
    model: Word2Vec
    ids: np.ndarray
    offsets: np.ndarray
    version: int  # the global round whose model this replica holds (before its pending delta)
    pending: dict[str, tuple[np.ndarray, np.ndarray]] | None = None  # own rows: (rows, before)
    lock: threading.Lock = field(default_factory=threading.Lock)


# (run id, shard) -> replica, or -> the tokens the vocabulary count kept for the start
_REPLICAS: dict[tuple[str, int], Replica] = {}
_COUNTED: dict[tuple[str, int], ShardCount] = {}


def count_task(
    run_id: str, shard: FileShard | BagShard, partitions: Sequence[Any], max_vocab_size: int | None
) -> ShardCount:
    counted = count_shard(shard, partitions, max_vocab_size)
    if counted.tokens is not None:
        _COUNTED[(run_id, shard.index)] = counted  # for the start: no second read
    return counted.summary()


def start_task(
    run_id: str,
    shard: FileShard | BagShard,
    partitions: Sequence[Any],
    init_params: dict[str, Any],
    payload: dict[str, Any],
    version: int,
) -> dict[str, Any]:
    """Builds (or rebuilds) the shard's replica from the driver's model at ``version``
    (``payload``: its matrices by name, the word counts as ``"count"`` and the words as
    ``"keys"``)."""
    t0 = time.perf_counter()
    family = family_of(Word2Vec)
    arrays = {name: arr for name, arr in payload.items() if name not in ("count", "keys")}
    model = family.replica(init_params, payload["keys"], payload["count"], arrays)
    counted = _COUNTED.pop((run_id, shard.index), None)
    ids, offsets = encode_shard(shard, model.wv.key_to_index, counted, partitions)
    _REPLICAS[(run_id, shard.index)] = Replica(family, model, ids, offsets, version)
    return {"words": int(len(ids)), "seconds": time.perf_counter() - t0, "pid": os.getpid()}


def _round_cut(offsets: np.ndarray, r: int, rounds: int) -> int:
    """The first sentence of round r of ``rounds`` (the slices split the words evenly)."""
    target = int(offsets[-1]) * r // rounds
    return int(np.searchsorted(offsets, target, side="left")) if r < rounds else len(offsets) - 1


def round_task(
    run_id: str,
    shard_index: int,
    version: int,
    combined: dict[str, tuple[np.ndarray, np.ndarray]] | None,
    plan: dict[str, Any],
) -> dict[str, Any]:
    """Brings the replica to the driver's model at ``version`` (when it trained the round
    before: its own changes undone, ``combined`` of that round added), trains this round's
    slice and returns its sparse delta."""
    rep = _REPLICAS.get((run_id, shard_index))
    if rep is None:
        raise StaleReplica(f"no replica of shard {shard_index} on this worker")
    with rep.lock:
        t_sync = time.perf_counter()
        arrays = rep.family.arrays(rep.model)
        if rep.pending is not None and version == rep.version + 1 and combined is not None:
            for name, (rows, before) in rep.pending.items():
                arrays[name][rows] = before
            for name, (rows, values) in combined.items():
                combine_mod.apply_delta(arrays[name], rows, values)
            rep.version, rep.pending = version, None
        if rep.pending is not None or rep.version != version:
            raise StaleReplica(
                f"the replica of shard {shard_index} holds round {rep.version}, not {version}"
            )
        sync_seconds = time.perf_counter() - t_sync
        first = _round_cut(rep.offsets, plan["round"], plan["rounds"])
        end = _round_cut(rep.offsets, plan["round"] + 1, plan["rounds"])
        snapshot = {name: arr.copy() for name, arr in arrays.items()}
        words = effective = 0
        loss = 0.0
        t_train = time.perf_counter()
        if end > first:
            words, effective, loss = _train_slice(rep, first, end, plan)
        train_seconds = time.perf_counter() - t_train
        t_diff = time.perf_counter()
        delta, pending = {}, {}
        for name, arr in arrays.items():
            rows, values = combine_mod.row_delta(snapshot[name], arr)
            delta[name] = (rows, values)
            pending[name] = (rows, snapshot[name][rows])
        rep.pending = pending
        sync_seconds += time.perf_counter() - t_diff
    return {
        "shard": shard_index,
        "delta": delta,
        "words": words,
        "effective": effective,
        "loss": loss,
        "train_seconds": train_seconds,
        "sync_seconds": sync_seconds,
    }


def _train_slice(
    rep: Replica, first: int, end: int, plan: dict[str, Any]
) -> tuple[int, int, float]:
    """Trains sentences [first, end) of the shard on the replica's threads."""
    lo, hi = int(rep.offsets[first]), int(rep.offsets[end])
    ids = rep.ids[lo:hi]
    offsets: np.ndarray = rep.offsets[first : end + 1] - lo
    run = rep.family.make_run(rep.model, ids, offsets, plan["alpha_start"], plan["alpha_end"])
    n_threads = max(1, min(rep.model.workers, end - first))
    seeds = np.random.SeedSequence(
        [_SEED_STREAM, rep.model.seed, plan["epoch"], plan["round"], plan["shard_seed"]]
    ).generate_state(n_threads * CHUNKS_PER_WORKER, np.uint64)
    results = train_sentences(run, offsets, n_threads, lambda piece: int(seeds[piece]))
    return (
        sum(r[1] for r in results),
        sum(r[2] for r in results),
        float(sum(r[3] for r in results)),
    )


def drop_run(run_id: str) -> int:
    """Frees a run's replicas and kept tokens on this worker (``client.run`` calls it)."""
    doomed = [key for key in (*_REPLICAS, *_COUNTED) if key[0] == run_id]
    for key in doomed:
        _REPLICAS.pop(key, None)
        _COUNTED.pop(key, None)
    return len(doomed)
