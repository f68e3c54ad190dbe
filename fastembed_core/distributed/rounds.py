"""Training rounds on a Dask cluster: the driver loop and the tasks the workers run.

Data parallelism with worker-resident replicas (the worker side is :mod:`.tasks`). Each shard
of the corpus lives on one Dask worker, encoded once, next to a replica of the whole model (a
module-level cache keyed by the run's id and the shard). A round: every shard trains its next
slice (about ``sync_words`` words) with the multithreaded kernel, the learning rate following
the global schedule (linear over the words of all shards and epochs, as local training's), and
returns the delta of the rows it changed (dense when most rows changed). Every worker fetches
the other workers' deltas and combines them (:mod:`.combine`, in shard order: the same floats
everywhere); the next round's task on that worker takes the combined delta its worker kept,
adds it to the replica's kept base (the model at the round's start), and resets the replica to
it, so every replica equals the driver's model bit for bit before it trains again. The driver
submits the next round's tasks as soon as the combines are done (they take no Dask input from
the round before, so the scheduler keeps no chain of rounds), then fetches one combined delta
and adds it to its own model while the next round trains.

Faults: a round is applied only when every shard's result for it has arrived. A task that
finds no replica, or one not at the round the driver expects (the worker died and Dask ran
the task elsewhere), raises :class:`StaleReplica`; the driver then starts that shard afresh
on a live worker from its current model (the shard is read and encoded again there) and runs
the round's task again, and combines the round again.

Checkpoints (``checkpoint=dir``): after every ``CHECKPOINT_ROUNDS``-th round and after each
epoch's last round, the model is saved in the native format as ``model-<round>.fe`` and then
``state.json`` (written to a temporary name and renamed) names it with the epoch, the next
round, the words done and the shard plan; older model files are removed after. The random
streams are derived from (seed, epoch, round, shard, thread), so the state needs no generator.

Size: over 700 lines because the driver's round loop, its fault handling (restarts, lost
deltas, combining again), the per-round log and the checkpoints all act on one run's state
(:class:`_Driver`); split, each part would reach into the others' fields.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
import uuid
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..models.doc2vec import Doc2Vec
from ..models.word2vec import Word2Vec
from . import combine as combine_mod
from .combine import DEFAULT_COMBINE
from .family import family_of
from .shards import (
    BagShard,
    FileShard,
    plan_bag_shards,
    plan_file_shards,
    resolve_paths,
)
from .tasks import (
    MissingDelta,
    StaleReplica,
    combine_task,
    count_task,
    drop_run,
    round_task,
    start_task,
)

logger = logging.getLogger("fastembed_core.dask")

__all__ = [
    "train",
    "StaleReplica",
    "DEFAULT_COMBINE",
    "CHECKPOINT_ROUNDS",
    "SYNC_WORDS",
    "default_sync_words",
    "resolve_sync_words",
    "replica_rate_scale",
]

CHECKPOINT_ROUNDS = 10
_STATE = "state.json"
_STATE_FORMAT = 1
# resubmissions of one shard's task in one round before the driver gives up
_MAX_RESTARTS = 5
# the highest replica rate measured for skip-gram and hierarchical softmax: 8 workers at
# alpha 0.025 before the cap below, which lost 0.018-0.040 on one score or another
# (bench/DISTRIBUTED.md, "Shorter rounds for skip-gram and hierarchical softmax")
_SCALED_ALPHA_TESTED = 0.2
# The highest rate skip-gram's and hs's replicas train at while the mean can stand in for one
# process (scaled_average at up to 4 workers with alpha 0.025). At 8 workers, rounds of
# 20,000 words, replicas at 0.2 with the mean lost 0.018-0.040 on WordSim-353 on one corpus
# or the other; at 0.1 with the sum / 4 no score fell more than 0.013 (bench/DISTRIBUTED.md).
_RATE_CAP = 0.1
# words each Dask worker trains between two combines when the call does not say
SYNC_WORDS = 500_000
# Skip-gram and hierarchical softmax need rounds that shorten as workers are added, about as
# 1 / workers^2. In the one-process simulation of the rounds (bench/DISTRIBUTED.md, "Shorter
# rounds for skip-gram and hierarchical softmax"; 2-3 seeds, english.txt and
# english-gcide.txt) 4 workers lost up to 0.031 with 500,000 words a round, 0.017 with
# 100,000 and 0.033 with 25,000, and held with 80,000; 8 workers (with the rate cap below)
# held with 20,000 and lost up to 0.027 with 25,000 and 0.036 with 100,000.
_SHORT_ROUNDS = 1_280_000
# the longest default round for them: at 2 workers the rule above gives 320,000, and on a
# cluster of 2 processes (english-gcide.txt, skip-gram with hierarchical softmax, 3 seeds)
# 320,000-word rounds scored WordSim-353 0.018 above one process, 160,000-word rounds 0.013
# and 0.015, and 100,000-word rounds stayed within 0.014 of it on every score
_LONGEST_SHORT_ROUND = 100_000
# the shortest default round: at 8 workers rounds of 6,250 words scored lower than rounds of
# 20,000 (the replicas' rate, not the round, is the limit there), and cost far more exchange
_MIN_SYNC_WORDS = 20_000


# ------------------------------------------------------------------ driver side


def default_sync_words(family: Any, model: Any, n_shards: int) -> int:
    """``sync_words`` when the call leaves it out: :data:`SYNC_WORDS`, and for skip-gram and
    hierarchical softmax (``family.rate_sensitive``) rounds about ``1 / n_shards^2`` as
    long, at most 100,000 words: 100,000 at 2 workers, 80,000 at 4, 20,000 at 8 and
    beyond."""
    if not family.rate_sensitive(model) or n_shards < 2:
        return SYNC_WORDS
    return max(_MIN_SYNC_WORDS, min(_LONGEST_SHORT_ROUND, _SHORT_ROUNDS // n_shards**2))


def replica_rate_scale(family: Any, model: Any, scheme: str, n_shards: int) -> float:
    """The factor on the learning-rate schedule the replicas train at: ``n_shards`` under
    ``"scaled_average"``, and for skip-gram and hierarchical softmax at most
    ``_RATE_CAP / alpha`` but never under ``n_shards / 2``
    (:func:`.combine.learning_rate_scale`)."""
    max_scale = _RATE_CAP / model.alpha if family.rate_sensitive(model) else None
    return combine_mod.learning_rate_scale(scheme, n_shards, max_scale)


def resolve_sync_words(family: Any, model: Any, n_shards: int, sync_words: int | None) -> int:
    """The run's ``sync_words``: the call's, or :func:`default_sync_words`. Warns when the
    call's is longer than the default where longer rounds were measured to lose quality."""
    default = default_sync_words(family, model, n_shards)
    if sync_words is None:
        if default < SYNC_WORDS:
            logger.info(
                "skip-gram or hierarchical softmax over %d workers: rounds of %d words "
                "(shorter rounds hold the quality, longer ones exchange less: sync_words=)",
                n_shards,
                default,
            )
        return default
    if sync_words > default and n_shards >= 4:
        logger.warning(
            "sync_words=%d over %d workers: skip-gram and hierarchical softmax were measured "
            "to lose up to 0.035 with rounds longer than %d words at this many workers "
            "(bench/DISTRIBUTED.md); leave sync_words out to use that",
            sync_words,
            n_shards,
            default,
        )
    return sync_words


def _schedule(alpha: float, min_alpha: float, done: float, total: float) -> float:
    """Local training's learning rate after ``done`` of ``total`` words."""
    progress = min(done / total, 1.0) if total > 0 else 1.0
    return max(alpha - (alpha - min_alpha) * progress, min_alpha)


def _check_client(client: Any) -> None:
    from distributed import Client

    if client is None:
        raise TypeError("train() needs a dask.distributed.Client as its first argument")
    if not isinstance(client, Client):
        raise TypeError(f"client must be a dask.distributed.Client; got {type(client).__name__}")


def _live_workers(client: Any) -> list[str]:
    return sorted(client.ncores())


def _settle(futures: Sequence[Any]) -> None:
    """Waits until none of ``futures`` is pending (each finished, failed or cancelled)."""
    from distributed import wait

    while any(f.status == "pending" for f in futures):
        try:
            wait([f for f in futures if f.status == "pending"])
        except Exception:  # wait raises when one was cancelled; the statuses tell which
            pass


def _raise_unless_lost(future: Any) -> None:
    """Re-raises a task's own error; a lost replica, a lost combined delta or a lost input
    (cancelled) returns."""
    if future.status == "error":
        exc = future.exception()
        if not isinstance(exc, (StaleReplica, MissingDelta)):
            raise exc


def _lacks_delta(future: Any) -> bool:
    """Whether a round's task failed for want of the combined delta (its replica is sound)."""
    if future.status == "cancelled":
        return True  # its input (the driver's copy of the combined delta) is gone
    return future.status == "error" and isinstance(future.exception(), MissingDelta)


class _Driver:
    """One distributed training run: the plan, the shard -> worker map and the round loop."""

    def __init__(
        self,
        client: Any,
        model: Any,
        shards: list[FileShard] | list[BagShard],
        partitions: list[Any],
        *,
        sync_words: int,
        combine: str,
        checkpoint: str | None,
        callbacks: Sequence[Any],
    ) -> None:
        self.client = client
        self.model = model
        self.family = family_of(type(model))
        self.shards = shards
        self.partitions = partitions  # per shard: the bag partitions' futures (or empty)
        self.sync_words = sync_words
        self.combine = combine
        self.checkpoint = checkpoint
        self.callbacks = tuple(callbacks)
        self.run_id = uuid.uuid4().hex
        workers = _live_workers(client)
        self.where = [workers[k % len(workers)] for k in range(len(shards))]
        self.log: list[dict[str, Any]] = []
        self.restarts = 0
        self.round_restarts = 0
        self.bytes_to_workers = 0
        self.shard_words: list[int] = []
        # each shard's first sentence in the whole corpus (a file document's tag is its line)
        self.first_sentences = [0] * len(shards)
        # each shard's rows of the input matrix beyond the words' (family.shard_rows)
        self.shard_rows: list[np.ndarray | None] = [None] * len(shards)

    # ---------------------------------------------------------------- vocabulary

    def build_vocab(self, params: dict[str, Any]) -> None:
        """Counts every shard where it is read and gives the driver's model the merged
        vocabulary (:meth:`.family.Word2VecFamily.build_vocab`)."""
        parts = self._count()
        self.first_sentences = self.family.build_vocab(self.model, parts, params)
        self.shard_rows = self.family.shard_rows(self.model, parts, self.first_sentences)

    def find_shard_rows(self) -> None:
        """A resumed run: what each shard needs of the model, counted again if the family
        needs the counts for it."""
        if self.family.counts_on_resume:
            parts = self._count()
            self.shard_rows = self.family.shard_rows(self.model, parts, self.first_sentences)

    def _count(self) -> list[Any]:
        futures = [
            self.client.submit(
                count_task,
                self.run_id,
                type(self.model),
                shard,
                self.partitions[k],
                self.model.max_vocab_size,
                workers=[self.where[k]],
                allow_other_workers=True,
                pure=False,
            )
            for k, shard in enumerate(self.shards)
        ]
        return list(self.client.gather(futures))

    # ---------------------------------------------------------------- replicas

    def _init_params(self) -> dict[str, Any]:
        params = {name: getattr(self.model, name) for name in self.model._INIT_PARAMS}
        params["callbacks"] = ()
        return params

    def _submit_start(self, k: int, version: int) -> Any:
        payload = self.family.payload(self.model, self.shard_rows[k])
        # a list of one: a scattered dict would become one future per entry, keyed by name
        (sent,) = self.client.scatter([payload], workers=[self.where[k]], hash=False)
        self.bytes_to_workers += sum(a.nbytes for a in payload.values() if hasattr(a, "nbytes"))
        return self.client.submit(
            start_task,
            self.run_id,
            type(self.model),
            self.shards[k],
            self.partitions[k],
            self._init_params(),
            sent,
            version,
            self.first_sentences[k],
            workers=[self.where[k]],
            allow_other_workers=True,
            pure=False,
        )

    def start(self, version: int) -> None:
        """Builds every shard's replica from the driver's model at ``version``."""
        self.bytes_to_workers = 0
        futures = [self._submit_start(k, version) for k in range(len(self.shards))]
        _settle(futures)
        started = []
        for k, fut in enumerate(futures):
            if fut.status != "finished":
                fut = self._restart(k, version, fut)
            started.append(fut.result())
        self.shard_words = [s["words"] for s in started]
        logger.info(
            "started %d shards on %d workers: %s words, %.1f MB of model sent",
            len(self.shards),
            len(set(self.where)),
            "+".join(map(str, self.shard_words)),
            self.bytes_to_workers / 1e6,
        )

    def _restart(self, k: int, version: int, failed: Any) -> Any:
        """Shard k's replica was lost (``failed``: the future that found out): rebuilds it on
        a live worker from the driver's model at ``version``; returns the finished start."""
        for attempt in range(1, _MAX_RESTARTS + 1):
            _raise_unless_lost(failed)
            workers = _live_workers(self.client)
            if not workers:
                raise RuntimeError("no Dask worker is left to train on")
            load = {w: 0 for w in workers}
            for j, w in enumerate(self.where):
                if j != k and w in load:
                    load[w] += 1
            self.where[k] = min(workers, key=lambda w: (load[w], w))
            self.restarts += 1
            self.round_restarts += 1
            logger.warning(
                "shard %d lost its replica (worker gone?): restarting it on %s from round %d "
                "(attempt %d)",
                k,
                self.where[k],
                version,
                attempt,
            )
            started = self._submit_start(k, version)
            _settle([started])
            if started.status == "finished":
                return started
            failed = started
        raise RuntimeError(f"shard {k} could not be restarted in {_MAX_RESTARTS} attempts")

    # ---------------------------------------------------------------- rounds

    def _submit_round(self, k: int, version: int, combined: Any, plan: dict[str, Any]) -> Any:
        return self.client.submit(
            round_task,
            self.run_id,
            k,
            version,
            combined,
            {**plan, "shard_seed": k},
            workers=[self.where[k]],
            allow_other_workers=True,
            pure=False,
        )

    def _send_combined(self, combined: dict[str, Any]) -> Any:
        """The driver's copy of the combined delta on every worker (one copy each), for a
        worker whose own is missing (its combine ran elsewhere, or was lost)."""
        (future,) = self.client.scatter([{"delta": combined}], broadcast=True, hash=False)
        self.bytes_to_workers += combine_mod.delta_bytes(combined) * len(_live_workers(self.client))
        return future

    def run_round(
        self,
        version: int,
        combined: dict[str, Any] | None,
        plan: dict[str, Any],
        futures: list[Any] | None = None,
    ) -> list[Any]:
        """Every shard's finished task of the round that starts from the model at ``version``
        (``combined``: the driver's copy of the delta that made it from ``version - 1``;
        ``futures``: this round's tasks already submitted, of which those not finished are
        run again). A task takes the combined delta its own worker kept; where that is
        missing, the driver sends its copy; a shard whose replica was lost is restarted
        and its task run again. Returns when every shard's task is finished; the results
        stay on the workers."""
        if futures is None:
            futures = [self._submit_round(k, version, None, plan) for k in range(len(self.shards))]
        futures = list(futures)
        for _ in range(4 * _MAX_RESTARTS * len(futures)):
            _settle(futures)
            lacking = []
            for k, fut in enumerate(futures):
                if fut.status == "finished":
                    continue
                if combined is not None and _lacks_delta(fut):
                    lacking.append(k)
                else:
                    self._restart(k, version, fut)
                    # the fresh replica holds the model at `version`: it needs no delta
                    futures[k] = self._submit_round(k, version, None, plan)
            if lacking:
                assert combined is not None
                logger.warning("a worker lacks the combined delta: sending the driver's copy")
                sent = self._send_combined(combined)
                for k in lacking:
                    futures[k] = self._submit_round(k, version, sent, plan)
            if all(f.status == "finished" for f in futures):
                return futures
        raise RuntimeError(f"round {version + 1} did not complete: workers keep failing")

    def combine_round(
        self,
        version: int,
        combined: dict[str, Any] | None,
        plan: dict[str, Any],
        futures: list[Any] | None,
        next_plan: dict[str, Any] | None,
    ) -> tuple[dict[str, Any], list[Any] | None]:
        """Runs the round from the model at ``version`` (``futures``: its tasks, if already
        submitted; see :meth:`run_round`) and combines its deltas on every worker that holds
        a shard: each worker fetches the others' deltas (one transfer each, all at once, not
        two in turn through the driver) and combines them in shard order, so every worker
        holds the same combined delta, bit for bit, and keeps it for its replicas. As soon as
        the combines are done the next round's tasks (``next_plan``) are submitted, and only
        then is the combined delta fetched for the driver's own model, while the next round
        trains. Returns the fetched result and the next round's futures.

        A round's task takes no Dask input from the round before (the combined delta is
        kept on its worker), so the scheduler holds no chain of every round, and a lost key
        is never recomputed from round 1. Nothing is applied anywhere until every shard's
        delta is in: if a delta is lost with its worker before every combine read it, or
        the combined delta before the driver fetched it, the next round's tasks are dropped
        (a replica that already applied it is restarted by the next :meth:`run_round`), the
        lost shards' round is run again and the round combined again."""
        if futures is None:
            futures = self.run_round(version, combined, plan)
        label = f"epoch {plan['epoch'] + 1}, round {plan['round'] + 1}"
        for _ in range(4 * _MAX_RESTARTS * len(self.shards)):
            by_worker = {
                worker: self.client.submit(
                    combine_task,
                    self.run_id,
                    version + 1,
                    futures,
                    self.combine,
                    len(futures),
                    label,
                    self.model.alpha,
                    plan["scale"],
                    workers=[worker],
                    allow_other_workers=True,
                    pure=False,
                )
                for worker in sorted(set(self.where))
            }
            combines = list(by_worker.values())
            _settle(combines)
            for fut in combines:
                _raise_unless_lost(fut)  # a diverged round, or a task's own error, raises here
            if all(fut.status == "finished" for fut in combines):
                following = None
                if next_plan is not None:
                    following = [
                        self._submit_round(k, version + 1, None, next_plan)
                        for k in range(len(self.shards))
                    ]
                try:
                    return by_worker[self.where[0]].result(), following
                except (StaleReplica, MissingDelta):  # lost before the driver's fetch
                    logger.warning("the combined delta was lost with its worker: combining again")
                    if following:
                        self.client.cancel(following)
            else:
                logger.warning("a round's delta was lost with its worker: running it again")
            futures = self.run_round(version, combined, plan, futures)
        raise RuntimeError(f"round {version + 1} could not be combined: workers keep failing")

    def train(self, state: dict[str, Any]) -> None:
        model = self.model
        epochs, total_per_epoch = model.epochs, sum(self.shard_words)
        if total_per_epoch == 0:
            raise ValueError("no token of the corpus is in the vocabulary: nothing to train on")
        rounds = max(1, math.ceil(max(self.shard_words) / self.sync_words))
        if state.get("rounds", rounds) != rounds:
            raise ValueError(
                f"the checkpoint was made with {state['rounds']} rounds an epoch, this run "
                f"plans {rounds}: resume with the sync_words it was started with"
            )
        n_shards = len(self.shards)
        if self.combine == "sum" and n_shards > 2:
            # measured on english.txt (README): 4 workers diverged (WordSim-353 0.05-0.06
            # against 0.38 on one process, sync_words 100,000 and 500,000). A row that every
            # worker drives to the same point moves k times as far when k deltas are summed:
            # from k = 3 on, the overshoot grows from round to round.
            logger.warning(
                "combine='sum' over %d workers: summed deltas of more than 2 workers were "
                "measured to diverge (rows every worker trains overshoot); use "
                "combine='scaled_average' (the default)",
                n_shards,
            )
        total = total_per_epoch * epochs
        alpha_scale = replica_rate_scale(self.family, model, self.combine, n_shards)
        if self.family.rate_sensitive(model) and alpha_scale * model.alpha > _SCALED_ALPHA_TESTED:
            # scaled_average needs n * alpha to be a rate one process trains well at: one
            # process of skip-gram at 0.2 already loses 0.01-0.02 on SimLex-999 and analogies
            # against 0.025, and no replica rate above 0.2 was measured
            logger.warning(
                "combine=%r over %d workers trains every replica at %g (alpha x %g); "
                "skip-gram and hierarchical softmax were measured up to %g "
                "(bench/DISTRIBUTED.md): use fewer Dask workers with more kernel threads "
                "each (workers=), or a lower alpha",
                self.combine,
                n_shards,
                alpha_scale * model.alpha,
                alpha_scale,
                _SCALED_ALPHA_TESTED,
            )
        version = state.get("version", 0)
        epoch0, round0 = state.get("epoch", 0), state.get("round", 0)
        words_done = state.get("words_done", 0)
        arrays = self.family.arrays(model)

        def plan_of(epoch: int, r: int) -> dict[str, Any]:
            done = epoch * total_per_epoch + total_per_epoch * r / rounds
            end = epoch * total_per_epoch + total_per_epoch * (r + 1) / rounds
            return {
                "epoch": epoch,
                "round": r,
                "rounds": rounds,
                "alpha_start": alpha_scale * _schedule(model.alpha, model.min_alpha, done, total),
                "alpha_end": alpha_scale * _schedule(model.alpha, model.min_alpha, end, total),
                "scale": alpha_scale,
            }

        # every round left, in order; the next one is submitted before the driver fetches
        # and applies the current one's combined delta (see combine_round)
        schedule = [
            (epoch, r)
            for epoch in range(epoch0, epochs)
            for r in range(round0 if epoch == epoch0 else 0, rounds)
        ]
        combined: dict[str, Any] | None = None
        submitted: list[Any] | None = None  # this round's tasks, when already submitted
        t_run = time.perf_counter()
        losses = list(state.get("losses", []))
        self.log = list(state.get("log", []))
        for cb in self.callbacks:
            if hasattr(cb, "on_train_begin"):
                cb.on_train_begin(model)
        epoch_loss = 0.0
        combined_at: float | None = None  # when the combine before this round ended
        t0 = time.perf_counter()
        for i, (epoch, r) in enumerate(schedule):
            if i == 0 or r == 0:
                for cb in self.callbacks:
                    if hasattr(cb, "on_epoch_begin"):
                        cb.on_epoch_begin(model)
                epoch_loss = losses[epoch] if epoch < len(losses) else 0.0
            self.round_restarts = 0
            self.bytes_to_workers = 0
            plan = plan_of(epoch, r)
            next_plan = plan_of(*schedule[i + 1]) if i + 1 < len(schedule) else None
            out, submitted = self.combine_round(version, combined, plan, submitted, next_plan)
            combined, results = out["delta"], out["shards"]
            for name, (rows, values) in combined.items():
                combine_mod.apply_delta(arrays[name], rows, values)
            version += 1
            words = sum(res["words"] for res in results)
            words_done += words
            epoch_loss += sum(res["loss"] for res in results)
            t_applied = time.perf_counter()
            # a round's time runs from the driver's having applied the round before to its
            # having applied this one: the rounds' times add up to the training's
            wall, t0 = t_applied - t0, t_applied
            compute = max(res["train_seconds"] for res in results)
            delta_bytes = [res["delta_bytes"] for res in results]
            combined_bytes = combine_mod.delta_bytes(combined)
            # each worker fetches the deltas of the shards on other workers; the driver
            # fetches the combined delta once
            moved = combined_bytes + sum(
                delta_bytes[j]
                for w in set(self.where)
                for j in range(len(results))
                if self.where[j] != w
            )
            entry = {
                "epoch": epoch,
                "round": r,
                "words": words,
                "effective_words": sum(res["effective"] for res in results),
                "compute_seconds": compute,
                "exchange_seconds": max(wall - compute, 0.0),
                # as with the driver combining every delta and sending the result to every
                # worker (the logical exchange; what actually travels is `bytes_moved`)
                "bytes_to_workers": self.bytes_to_workers
                + combined_bytes * len(_live_workers(self.client)),
                "bytes_from_workers": sum(delta_bytes),
                "bytes_moved": moved + self.bytes_to_workers,
                "alpha_start": plan["alpha_start"],
                "alpha_end": plan["alpha_end"],
                "rows_changed": {
                    name: combine_mod.rows_changed(rows) for name, (rows, _) in combined.items()
                },
                "restarts": self.round_restarts,
                # parts of exchange_seconds: the slowest worker's bringing its replica up to
                # date and finding its changed rows; from the last shard's finishing to the
                # driver's model updated (the workers fetching each other's deltas and
                # combining, the driver fetching and applying the result; by the workers'
                # clocks: exact on one machine); the first worker's combine itself
                "worker_sync_seconds": max(res["sync_seconds"] for res in results),
                "combine_seconds": time.time() - max(res["finished_at"] for res in results),
                "combine_task_seconds": out["seconds"],
                # from the last shard's finishing to shard 0's worker's combine starting (the
                # deltas moving between the workers), and from the end of its combine before
                # this round to shard 0's task starting (the driver's submitting it)
                "delta_fetch_seconds": out["started_at"]
                - max(res["finished_at"] for res in results),
                "start_seconds": (
                    results[0]["started_at"] - combined_at if combined_at is not None else None
                ),
            }
            combined_at = out["started_at"] + out["seconds"]
            self.log.append(entry)
            logger.info(
                "epoch %d round %d/%d: %d words, compute %.2fs, exchange %.2fs, "
                "%.1f MB out / %.1f MB back, alpha %.5f -> %.5f%s",
                epoch + 1,
                r + 1,
                rounds,
                words,
                compute,
                entry["exchange_seconds"],
                entry["bytes_to_workers"] / 1e6,
                entry["bytes_from_workers"] / 1e6,
                plan["alpha_start"],
                plan["alpha_end"],
                f", {self.round_restarts} shard(s) restarted" if self.round_restarts else "",
            )
            last_of_epoch = r + 1 == rounds
            save = self.checkpoint and (last_of_epoch or version % CHECKPOINT_ROUNDS == 0)
            if save or last_of_epoch:
                self.family.sync(model)  # the model as callbacks and the file see it
            if save:
                next_epoch, next_round = (epoch + 1, 0) if last_of_epoch else (epoch, r + 1)
                self._save_checkpoint(
                    {
                        "version": version,
                        "epoch": next_epoch,
                        "round": next_round,
                        "rounds": rounds,
                        "words_done": words_done,
                        "losses": [*losses[:epoch], epoch_loss],
                        "log": self.log,
                    }
                )
            if last_of_epoch:
                losses[epoch:] = [epoch_loss]
                for cb in self.callbacks:
                    if hasattr(cb, "on_epoch_end"):
                        cb.on_epoch_end(model)
        self.family.finish(model)
        elapsed = time.perf_counter() - t_run
        model.train_count += 1
        model.total_train_time += elapsed
        model.min_alpha_yet_reached = model.min_alpha
        effective = sum(e.get("effective_words", 0) for e in self.log)
        model.words_per_second = effective / max(elapsed, 1e-9)
        if model.compute_loss:
            model.epoch_losses = losses
            model.running_training_loss = float(sum(losses))
        for cb in self.callbacks:
            if hasattr(cb, "on_train_end"):
                cb.on_train_end(model)

    # ---------------------------------------------------------------- checkpoints

    def _save_checkpoint(self, state: dict[str, Any]) -> None:
        assert self.checkpoint is not None
        name = f"model-{state['version']:08d}.fe"
        self.model.save(os.path.join(self.checkpoint, name))
        state = {
            "format": _STATE_FORMAT,
            "model": name,
            "combine": self.combine,
            "sync_words": self.sync_words,
            "shards": [shard.describe() for shard in self.shards],
            "first_sentences": self.first_sentences,
            **state,
        }
        path = os.path.join(self.checkpoint, _STATE)
        tmp = f"{path}.tmp-{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        for old in os.listdir(self.checkpoint):
            if old.startswith("model-") and old.endswith(".fe") and old != name:
                os.remove(os.path.join(self.checkpoint, old))
        logger.info("checkpoint: %s after round %d", name, state["version"])

    def close(self) -> None:
        try:
            self.client.run(drop_run, self.run_id)
        except Exception as exc:  # a cleanup failure must not hide the trained model
            logger.warning("could not free the replicas on the workers: %s", exc)


def _load_checkpoint(directory: str, model_class: Any) -> tuple[Any, dict[str, Any]] | None:
    path = os.path.join(directory, _STATE)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        state = json.load(f)
    if not isinstance(state, dict) or state.get("format") != _STATE_FORMAT:
        raise ValueError(f"{path}: not a checkpoint state this version writes")
    # load() refuses a file of another family, naming it
    model = model_class.load(os.path.join(directory, state["model"]))
    return model, state


def _check_resumed(
    model: Any, params: dict[str, Any], state: dict[str, Any], shards: list, combine: str
) -> None:
    for name, value in params.items():
        if name in ("workers", "callbacks", "comment"):
            continue
        if name in model._INIT_PARAMS and getattr(model, name) != value:
            raise ValueError(
                f"the checkpoint's model has {name}={getattr(model, name)!r}, this call "
                f"{value!r}: resume with the parameters the run was started with"
            )
    if state.get("combine", combine) != combine:
        # the scheme sets the replicas' learning rate too: a switch would change the schedule
        raise ValueError(
            f"the checkpoint was made with combine={state['combine']!r}, this call "
            f"{combine!r}: resume with the combine it was started with"
        )
    if state.get("shards") != [shard.describe() for shard in shards]:
        raise ValueError(
            "the checkpoint was made on another corpus or another number of shards (Dask "
            "workers): resume on the same files with as many workers"
        )


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
    """See :func:`fastembed_core.dask.train`."""
    _check_client(client)
    family = family_of(model_class)
    if (corpus_file is None) == (corpus is None):
        raise ValueError("pass exactly one corpus: corpus_file=path(s) or corpus=dask.bag")
    for name in ("sentences", "corpus_iterable", "documents"):
        if name in model_params:
            raise TypeError(f"{name} is not a parameter here: pass corpus=<dask.bag> instead")
    if combine not in combine_mod.SCHEMES:
        raise ValueError(
            f"combine must be one of {', '.join(map(repr, combine_mod.SCHEMES))}; got {combine!r}"
        )
    if sync_words is not None and (
        isinstance(sync_words, bool) or not isinstance(sync_words, int) or sync_words < 1
    ):
        raise ValueError(f"sync_words must be a positive int or None; got {sync_words!r}")
    callbacks = tuple(callbacks)
    # every parameter checked by the model itself, before any work on the cluster; `workers`
    # are threads on the Dask workers, whose cores the driver's machine does not tell
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="workers=", category=RuntimeWarning)
        model = family.model_class(workers=workers, callbacks=callbacks, **model_params)
    if not _live_workers(client):
        raise ValueError("the Dask cluster has no worker")
    n_workers = len(_live_workers(client))
    partitions: list[Any]
    if corpus_file is not None:
        paths = resolve_paths(corpus_file)
        shards: list[Any] = plan_file_shards(paths, n_workers, model.corpus_file_errors)
        partitions = [() for _ in shards]
    else:
        import dask.bag

        if not isinstance(corpus, dask.bag.Bag):
            items = "TaggedDocuments" if model_class is Doc2Vec else "token lists"
            raise TypeError(
                f"corpus must be a dask.bag.Bag of {items}; got {type(corpus).__name__}"
            )
        shards = plan_bag_shards(corpus.npartitions, n_workers)
        # computed once and held for the run; Dask recomputes a partition lost with a worker
        parts = client.compute(corpus.to_delayed())
        partitions = [parts[s.first : s.end] for s in shards]
    sync_words = resolve_sync_words(family, model, len(shards), sync_words)
    checkpoint_dir = os.fspath(checkpoint) if checkpoint is not None else None
    if resume and checkpoint_dir is None:
        raise ValueError("resume=True needs checkpoint=<the directory of the run>")
    if checkpoint_dir is not None:
        os.makedirs(checkpoint_dir, exist_ok=True)
    resumed = _load_checkpoint(checkpoint_dir, model_class) if resume and checkpoint_dir else None
    driver = _Driver(
        client,
        model,
        shards,
        partitions,
        sync_words=sync_words,
        combine=combine,
        checkpoint=checkpoint_dir,
        callbacks=callbacks,
    )
    try:
        state: dict[str, Any] = {}
        if resumed is not None:
            loaded, state = resumed
            _check_resumed(loaded, {"workers": workers, **model_params}, state, shards, combine)
            loaded.workers, loaded.callbacks = model.workers, callbacks
            driver.model = model = loaded
            driver.first_sentences = list(state.get("first_sentences", driver.first_sentences))
            driver.find_shard_rows()
            logger.info(
                "resuming from %s: epoch %d, round %d",
                checkpoint_dir,
                state["epoch"] + 1,
                state["round"] + 1,
            )
        else:
            if resume:
                logger.info("no checkpoint in %s yet: starting afresh", checkpoint_dir)
            driver.build_vocab(model_params)
        driver.start(state.get("version", 0))
        driver.train(state)
    finally:
        driver.close()
    model.distributed_log = driver.log
    return model
