"""How long workers wait for each other at the end of every epoch: static halves against pieces.

Trains on the WordNet glosses (the corpus and settings of ``bench_doc2vec_labelled.py``, 10
epochs) with 2 workers, once with the epoch cut into one piece a worker (a static half
each: what training did before) and once with ``CHUNKS_PER_WORKER`` pieces a worker that the
workers claim as they finish (``fastembed_core.models.workers.train_sentences``), the two
interleaved in every repeat. For every epoch it records when each worker returned; the
difference between the first and the last is time one core sat idle. Reported per run: the
train() wall time, the epochs' wall time, and that idle time summed over the epochs.

    python bench/load_balance.py --repeats 3 --wordnet-dir bench/work/wordnet/usr/share/wordnet
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_doc2vec_labelled import MODES, load_split, results_stem, write_results  # noqa: E402
from doc2vec_scaling import make_model  # noqa: E402

import fastembed_core.models.workers as workers_module  # noqa: E402

RUN_WORKERS = workers_module.run_workers


def timed_epochs(epoch_log):
    """run_workers that appends (epoch wall, [each worker's return time]) to epoch_log."""

    def run_workers(n_workers, work, request_stop, poll=None, **kwargs):
        start = time.perf_counter()
        returned = [0.0] * n_workers

        def timed_work(k):
            result = work(k)
            returned[k] = time.perf_counter() - start
            return result

        results = RUN_WORKERS(n_workers, timed_work, request_stop, poll, **kwargs)
        epoch_log.append((time.perf_counter() - start, returned))
        return results

    return run_workers


def one_run(mode, pieces, repeat, train_docs, n_workers):
    workers_module.CHUNKS_PER_WORKER = pieces
    model, corpus = make_model(mode, repeat, n_workers, train_docs)
    epoch_log: list = []
    workers_module.run_workers = timed_epochs(epoch_log)
    try:
        start = time.perf_counter()
        model.train(corpus, total_examples=len(corpus), epochs=model.epochs)
        wall = time.perf_counter() - start
    finally:
        workers_module.run_workers = RUN_WORKERS
    return dict(
        mode=mode,
        pieces_per_worker=pieces,
        repeat=repeat,
        train_wall=wall,
        epochs_wall=sum(seconds for seconds, _ in epoch_log),
        idle_core_s=sum(max(r) - min(r) for _, r in epoch_log),
        load1=os.getloadavg()[0],
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--modes",
        nargs="+",
        default=["w2v-sg", "w2v-cbow", "dbow", "dm"],
        choices=["w2v-sg", "w2v-cbow", *sorted(MODES)],
    )
    ap.add_argument("--pieces", type=int, nargs="+", default=[1, workers_module.CHUNKS_PER_WORKER])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--wordnet-dir", default=None)
    ap.add_argument("--name", default="load-balance")
    args = ap.parse_args()
    train_docs = load_split(args.wordnet_dir)[0]
    runs = []
    for repeat in range(args.repeats):
        for mode in args.modes:
            order = args.pieces if repeat % 2 == 0 else args.pieces[::-1]
            for pieces in order:
                run = one_run(mode, pieces, repeat, train_docs, args.workers)
                print(json.dumps(run), flush=True)
                runs.append(run)
    summary = {}
    for mode in args.modes:
        for pieces in args.pieces:
            mine = [r for r in runs if (r["mode"], r["pieces_per_worker"]) == (mode, pieces)]
            summary[f"{mode} pieces={pieces}"] = {
                key: statistics.median(r[key] for r in mine)
                for key in ("train_wall", "epochs_wall", "idle_core_s")
            }
        first, *rest = args.pieces
        for pieces in rest:  # per repeat: the first setting's wall time over this one's
            ratios = [
                a["train_wall"] / b["train_wall"]
                for a in runs
                for b in runs
                if a["mode"] == b["mode"] == mode
                and a["repeat"] == b["repeat"]
                and (a["pieces_per_worker"], b["pieces_per_worker"]) == (first, pieces)
            ]
            summary[f"{mode} speed-up pieces {first} -> {pieces}"] = {
                "median": statistics.median(ratios),
                "per_repeat": ratios,
            }
    print(json.dumps(summary, indent=1))
    write_results(results_stem(args.name), runs, summary)


if __name__ == "__main__":
    main()
