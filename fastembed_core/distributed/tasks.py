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

from ..errors import TrainingDivergedError
from ..models.workers import CHUNKS_PER_WORKER, train_sentences
from . import combine as combine_mod
from .family import EncodedShard, Word2VecFamily, family_of
from .shards import BagShard, FileShard, ShardCount

__all__ = [
    "StaleReplica",
    "MissingDelta",
    "count_task",
    "start_task",
    "round_task",
    "combine_task",
    "drop_run",
]

_SEED_STREAM = 0xDA5C


class StaleReplica(RuntimeError):
    """The worker running a round has no replica of the shard at the round expected (it was
    lost with its worker): the driver restarts the shard from its current model."""


class MissingDelta(RuntimeError):
    """The replica is sound but this worker holds no combined delta of the round before (its
    combine ran on another worker): the driver sends its own copy."""


@dataclass
class Replica:
    family: Word2VecFamily
    model: Any
    shard: EncodedShard
    # the driver's model at `version`, kept from round to round: a round's delta is the
    # model minus it (one subtraction, no copy of the model per round), and the next round's
    # model is it plus the combined delta
    base: dict[str, np.ndarray]
    version: int  # the global round `base` is at
    trained: bool = False  # the model holds the replica's own round on top of `base`
    lock: threading.Lock = field(default_factory=threading.Lock)


# (run id, shard) -> replica, or -> the tokens the vocabulary count kept for the start
_REPLICAS: dict[tuple[str, int], Replica] = {}
_COUNTED: dict[tuple[str, int], ShardCount] = {}
# run id -> (version, result of combine_task): the combined delta that brings this worker's
# replicas to `version`, kept here rather than passed as a Dask dependency, so that a round's
# task does not depend on the round before and the scheduler keeps no chain of every round
_COMBINED: dict[str, tuple[int, dict[str, Any]]] = {}


def count_task(
    run_id: str,
    model_class: type,
    shard: FileShard | BagShard,
    partitions: Sequence[Any],
    max_vocab_size: int | None,
) -> ShardCount:
    counted = family_of(model_class).count(shard, partitions, max_vocab_size)
    if counted.tokens is not None:
        _COUNTED[(run_id, shard.index)] = counted  # for the start: no second read
    return counted.summary()


def start_task(
    run_id: str,
    model_class: type,
    shard: FileShard | BagShard,
    partitions: Sequence[Any],
    init_params: dict[str, Any],
    payload: dict[str, Any],
    version: int,
    first_sentence: int,
) -> dict[str, Any]:
    """Builds (or rebuilds) the shard's replica from the driver's model at ``version``
    (``payload``: its matrices and vocabulary, ``family.payload``); ``first_sentence``: the
    number of the shard's first sentence in the whole corpus (a file document's tag)."""
    t0 = time.perf_counter()
    family = family_of(model_class)
    model = family.replica(init_params, payload)
    counted = _COUNTED.pop((run_id, shard.index), None)
    encoded = family.encode(model, shard, counted, partitions, first_sentence)
    base = {name: arr.copy() for name, arr in family.arrays(model).items()}
    _REPLICAS[(run_id, shard.index)] = Replica(family, model, encoded, base, version)
    words = int(len(encoded.ids))
    return {"words": words, "seconds": time.perf_counter() - t0, "pid": os.getpid()}


def _round_cut(offsets: np.ndarray, r: int, rounds: int) -> int:
    """The first sentence of round r of ``rounds`` (the slices split the words evenly)."""
    target = int(offsets[-1]) * r // rounds
    return int(np.searchsorted(offsets, target, side="left")) if r < rounds else len(offsets) - 1


def round_task(
    run_id: str,
    shard_index: int,
    version: int,
    combined: dict[str, Any] | None,
    plan: dict[str, Any],
) -> dict[str, Any]:
    """Brings the replica to the driver's model at ``version`` (when it trained the round
    before: its base plus the combined delta of that round, ``combined["delta"]`` or, when
    ``combined`` is None, the one this worker's :func:`combine_task` kept), trains this
    round's slice and returns its delta (:func:`.combine.delta_of`: dense when most rows
    changed)."""
    rep = _REPLICAS.get((run_id, shard_index))
    if rep is None:
        raise StaleReplica(f"no replica of shard {shard_index} on this worker")
    started_at = time.time()
    with rep.lock:
        t_sync = time.perf_counter()
        arrays = rep.family.arrays(rep.model)
        if rep.trained and version == rep.version + 1 and combined is None:
            kept = _COMBINED.get(run_id)
            if kept is None or kept[0] != version:
                raise MissingDelta(f"no combined delta of round {version} on this worker")
            combined = kept[1]
        if rep.trained and version == rep.version + 1 and combined is not None:
            # the driver's model at `version`: the base plus the combined delta, the very
            # float32 additions the driver made; then the model is reset to it
            for name, delta in combined["delta"].items():
                rows, values = rep.family.to_replica(rep.model, name, delta)
                combine_mod.apply_delta(rep.base[name], rows, values)
            for name, arr in arrays.items():
                np.copyto(arr, rep.base[name])
            rep.version, rep.trained = version, False
        if rep.trained or rep.version != version:
            raise StaleReplica(
                f"the replica of shard {shard_index} holds round {rep.version}, not {version}"
            )
        sync_seconds = time.perf_counter() - t_sync
        first = _round_cut(rep.shard.offsets, plan["round"], plan["rounds"])
        end = _round_cut(rep.shard.offsets, plan["round"] + 1, plan["rounds"])
        words = effective = 0
        loss = 0.0
        t_train = time.perf_counter()
        if end > first:
            words, effective, loss = _train_slice(rep, first, end, plan)
        train_seconds = time.perf_counter() - t_train
        t_diff = time.perf_counter()
        delta = {
            name: rep.family.to_driver(rep.model, name, combine_mod.delta_of(rep.base[name], arr))
            for name, arr in arrays.items()
        }
        rep.trained = True
        sync_seconds += time.perf_counter() - t_diff
    return {
        "shard": shard_index,
        "delta": delta,
        "words": words,
        "effective": effective,
        "loss": loss,
        "train_seconds": train_seconds,
        "sync_seconds": sync_seconds,
        "started_at": started_at,
        "finished_at": time.time(),
    }


def combine_task(
    run_id: str,
    version: int,
    results: list[dict[str, Any]],
    scheme: str,
    n_replicas: int,
    label: str,
    alpha: float,
    scale: float | None = None,
) -> dict[str, Any]:
    """Combines one round's results (every shard's :func:`round_task` result, in shard
    order) on a worker: the combined delta (``"delta"``) and each shard's result without its
    delta (``"shards"``, with the delta's size as ``"delta_bytes"``). Every worker that holds
    a shard runs it on the same inputs and gets the same floats and keeps the result for
    its replicas' next round (at ``version``, the round the combined delta leads to); the
    driver fetches one for its own model.
    A combined delta holding NaN or inf raises (``label`` names the round, ``alpha`` the rate
    the message suggests lowering): nothing downstream of it runs. ``scale`` is the factor
    the replicas trained at (:func:`.combine.combine`)."""
    started_at, t0 = time.time(), time.perf_counter()
    combined = combine_mod.combine([res["delta"] for res in results], scheme, n_replicas, scale)
    for name, (_, values) in combined.items():
        if not np.isfinite(values).all():
            raise TrainingDivergedError(
                f"training diverged in {label}: the combined {name} delta holds NaN or inf; "
                f"lower alpha (e.g. {alpha / 10:g}) or sync_words"
            )
    shards = [
        {
            **{key: value for key, value in res.items() if key != "delta"},
            "delta_bytes": combine_mod.delta_bytes(res["delta"]),
        }
        for res in results
    ]
    out = {
        "delta": combined,
        "shards": shards,
        "started_at": started_at,
        "seconds": time.perf_counter() - t0,
    }
    _COMBINED[run_id] = (version, out)  # the one before is no longer needed: every task of
    return out  # its round has finished (they are this combine's inputs)


def _train_slice(
    rep: Replica, first: int, end: int, plan: dict[str, Any]
) -> tuple[int, int, float]:
    """Trains sentences [first, end) of the shard on the replica's threads."""
    run = rep.family.make_run(
        rep.model, rep.shard, first, end, plan["alpha_start"], plan["alpha_end"]
    )
    offsets = rep.shard.offsets[first : end + 1] - rep.shard.offsets[first]
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
    _COMBINED.pop(run_id, None)
    return len(doomed)
