"""Combine schemes for data-parallel rounds, simulated in one process.

    python bench/dask_combine_sim.py --workers 4 --sync-words 100000 20000 \
        --schemes capped_sum sum count_weighted:1e-3 --seeds 1

Each simulated worker is a replica of the model trained by the same kernel, on its own
contiguous share of the corpus, with the same global learning-rate schedule and round cuts as
``fastembed_core.dask.train``; after every round the replicas' deltas are combined and every
replica restarts from the combined model. No Dask, no network: what is measured is the
combine scheme alone, so a scheme can be tried at 2-8 workers in seconds, where the cluster
runs of bench/bench_dask.py take minutes. Replicas train one after another, so the seconds
printed say nothing about throughput.

Schemes: every name in ``fastembed_core.distributed.combine.SCHEMES`` (the library's own
code), plus ``count_weighted:RHO``, an experiment not in the library: per row, the mean of the
workers' deltas scaled by ``(1 - (1-RHO)^n_total) / (1 - (1-RHO)^n_mean)``, where ``n`` are
the row's expected updates this round (occurrences for input rows — times the window's
context uses — and occurrences plus expected negative draws for ``syn1neg`` rows). For rows
with few updates it is the sum (each worker's progress kept); for rows every worker drives
to the same point (many updates) it tends to the mean (no overshoot). RHO stands for the
per-update contraction of a row towards its optimum. ``scaled_average`` (a library scheme)
trains every replica at the number of workers times the schedule's rate and takes the mean;
for skip-gram and hierarchical softmax the replicas' rate is capped at 0.1 (never under
half the workers' factor) and the sum is divided by that factor (``replica_rate_scale``).
``lr_scaled:S`` is the family it belongs to, for experiments: replicas at S times the rate
(``k`` = the number of workers, ``k/2``, or a number), the deltas summed and divided by S.
``momentum:S``: replicas at S times the rate, the mean of the deltas fed to a block momentum ``G = mu G + mean`` with
``mu = 1 - S/k`` and the model moved by ``G`` (BMUF; ``momentum:k`` is ``scaled_average``).

``--sg 1`` trains skip-gram, ``--hs 1`` hierarchical softmax instead of negative sampling,
``--alpha`` sets the learning rate (with ``--workers 1``: one process at another rate).

Appends one JSON line per run to ``--out`` (default bench/results/<date>-dask-combine-sim.jsonl).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quality_seeds import evaluate  # noqa: E402

from fastembed_core import Word2Vec  # noqa: E402
from fastembed_core.distributed import combine as combine_mod  # noqa: E402
from fastembed_core.distributed.family import EncodedShard, family_of  # noqa: E402
from fastembed_core.distributed.rounds import replica_rate_scale  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def schedule(model: Word2Vec, done: float, total: float) -> float:
    return max(
        model.alpha - (model.alpha - model.min_alpha) * min(done / total, 1.0), model.min_alpha
    )


def expected_updates(model, slice_ids, n_rows, negative_p):
    """Per matrix, each row's expected updates from training one slice."""
    occurrences = np.bincount(slice_ids, minlength=n_rows).astype(np.float64)
    # a CBOW/skip-gram window uses a word as context about 2 * window * (mean shrink) times
    context_uses = 2 * model.window * 0.6
    return {
        "vectors": occurrences * context_uses,
        "syn1neg": occurrences + model.negative * len(slice_ids) * negative_p,
        "syn1": occurrences * context_uses,
    }


def count_weighted(deltas, updates, rho):
    out = {}
    n = len(deltas)
    for name in deltas[0]:
        total = sum(d[name] for d in deltas)
        counts = np.stack([u[name] for u in updates])
        n_total, n_mean = counts.sum(0), np.maximum(counts.mean(0), 1e-12)
        log_keep = np.log1p(-rho)
        ratio = np.where(
            n_total > 0, np.expm1(log_keep * n_total) / np.expm1(log_keep * n_mean), 0.0
        )
        out[name] = (total / n * ratio[:, None]).astype(np.float32)
    return out


def library_scheme(deltas, scheme, scale):
    sparse = []
    for d in deltas:
        sparse.append({name: _sparse(v) for name, v in d.items()})
    combined = combine_mod.combine(sparse, scheme, len(deltas), scale)
    out = {}
    for name, (rows, values) in combined.items():
        dense = np.zeros_like(deltas[0][name])
        dense[rows] = values
        out[name] = dense
    return out


def _sparse(dense):
    rows = np.flatnonzero((dense != 0).any(axis=1)).astype(np.int64)
    return rows, dense[rows]


def lr_scale_of(scheme, n_workers, model):
    """``lr_scaled:S``: every replica trains at S times the schedule's rate and the deltas
    are summed and divided by S (S = ``k``: the number of workers, or a number). A library
    scheme: the library's factor for this model (``replica_rate_scale``)."""
    if scheme in combine_mod.SCHEMES:
        return replica_rate_scale(family_of(Word2Vec), model, scheme, n_workers)
    if not scheme.startswith(("lr_scaled:", "momentum:")):
        return 1.0
    spec = scheme.split(":")[1]
    if spec == "k":
        return float(n_workers)
    if spec.startswith("k/"):
        return n_workers / float(spec[2:])
    return float(spec)


def simulate(corpus, n_workers, sync_words, scheme, seed, params):
    model = Word2Vec(workers=1, seed=seed, **params)
    model.build_vocab(corpus_file=corpus)
    family = family_of(Word2Vec)
    ids, offsets, _, _ = model._encode(None, corpus)
    encoded = EncodedShard(ids, offsets)
    init = {k: getattr(model, k) for k in model._INIT_PARAMS}
    init["callbacks"] = ()
    arrays = family.arrays(model)
    keys, counts = list(model.wv.index_to_key), model.wv.expandos["count"]
    replicas = [family.replica(init, family.payload(model)) for _ in range(n_workers)]
    weights = counts.astype(np.float64) ** model.ns_exponent
    negative_p = weights / weights.sum()

    words = int(offsets[-1])
    cuts = [int(np.searchsorted(offsets, words * k // n_workers)) for k in range(n_workers + 1)]
    cuts[-1] = len(offsets) - 1
    shard_words = [int(offsets[cuts[k + 1]] - offsets[cuts[k]]) for k in range(n_workers)]
    rounds = max(1, -(-max(shard_words) // sync_words))
    total = words * model.epochs

    def round_cut(k, r):
        lo, hi = cuts[k], cuts[k + 1]
        if r >= rounds:
            return hi
        sub = offsets[lo : hi + 1]
        return lo + int(np.searchsorted(sub, sub[0] + (sub[-1] - sub[0]) * r // rounds))

    scale = lr_scale_of(scheme, n_workers, model)
    # momentum:S — block momentum over the rounds: G = mu G + mean of the deltas, the model
    # moves by G, mu = 1 - S/k; a direction kept round after round moves k/S times the mean
    momentum = {name: np.zeros_like(arr) for name, arr in arrays.items()}
    mu = np.float32(1.0 - scale / n_workers)
    t0 = time.perf_counter()
    for epoch in range(model.epochs):
        for r in range(rounds):
            a0 = schedule(model, epoch * words + words * r / rounds, total)
            a1 = schedule(model, epoch * words + words * (r + 1) / rounds, total)
            deltas, updates = [], []
            for k, replica in enumerate(replicas):
                rep_arrays = family.arrays(replica)
                for name, arr in arrays.items():
                    rep_arrays[name][...] = arr
                first, end = round_cut(k, r), round_cut(k, r + 1)
                lo, hi = int(offsets[first]), int(offsets[end])
                if end > first:
                    run = family.make_run(replica, encoded, first, end, a0 * scale, a1 * scale)
                    run.train_range(0, end - first, seed * 1_000_003 + epoch * 1009 + r * 31 + k)
                deltas.append({name: rep_arrays[name] - arr for name, arr in arrays.items()})
                updates.append(expected_updates(model, ids[lo:hi], len(keys), negative_p))
            if scheme.startswith("momentum:"):
                for name in arrays:
                    momentum[name] *= mu
                    momentum[name] += sum(d[name] for d in deltas) / np.float32(n_workers)
                combined = momentum
            elif scheme.startswith("lr_scaled:"):
                combined = {
                    name: sum(d[name] for d in deltas) / np.float32(scale) for name in arrays
                }
            elif scheme.startswith("count_weighted:"):
                combined = count_weighted(deltas, updates, float(scheme.split(":")[1]))
            else:
                combined = library_scheme(deltas, scheme, scale)
            for name, arr in arrays.items():
                arr += combined[name]
    return rounds, time.perf_counter() - t0, model


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=os.path.join(HERE, "data", "english.txt"))
    ap.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    ap.add_argument("--sync-words", type=int, nargs="+", default=[100_000])
    ap.add_argument("--schemes", nargs="+", default=["capped_sum", "count_weighted:1e-3"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1])
    ap.add_argument("--sg", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--hs", type=int, default=0)
    ap.add_argument("--alpha", type=float, default=0.025)
    ap.add_argument("--out")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    out = args.out or os.path.join(
        HERE, "results", f"{datetime.date.today().isoformat()}-dask-combine-sim.jsonl"
    )
    params = dict(
        vector_size=100,
        window=5,
        negative=0 if args.hs else 5,
        hs=args.hs,
        min_count=5,
        epochs=args.epochs,
        sg=args.sg,
        alpha=args.alpha,
    )
    for seed in args.seeds:
        for n in args.workers:
            for sync in args.sync_words:
                for scheme in args.schemes:
                    rounds, secs, model = simulate(args.corpus, n, sync, scheme, seed, params)
                    row = dict(
                        corpus=os.path.basename(args.corpus),
                        workers=n,
                        sync_words=sync,
                        scheme=scheme,
                        seed=seed,
                        sg=args.sg,
                        hs=args.hs,
                        alpha=args.alpha,
                        rounds_per_epoch=rounds,
                        seconds=round(secs, 1),
                        **evaluate(model.wv),
                    )
                    print(json.dumps(row), flush=True)
                    with open(out, "a") as fh:
                        fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
