"""Where the wall time of one Doc2Vec ``train()`` goes, at one and two workers.

The WordNet-gloss corpus and settings of ``bench_doc2vec_labelled.py``. Per round, one model
per (mode, workers), worker counts alternating: ``train()`` is timed whole, and split into
the encoding of the documents (run alone first, on the same model, then the train() call
encodes again), the epochs' kernel time (the workers' start to their join, per epoch) and the
rest (serial Python: the per-epoch finite check, callbacks, setting up the run). Medians
over rounds; the kernel's own speed-up is the median of one-worker over two-worker kernel
time of the same round.

    python bench/doc2vec_profile.py --repeats 5 --wordnet-dir bench/work/wordnet/usr/share/wordnet
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_doc2vec_labelled import (  # noqa: E402
    MODES,
    SETTINGS,
    git_commit,
    load_split,
    results_stem,
    workers_speedup,
    write_results,
)

from fastembed_core import Doc2Vec, TaggedDocument  # noqa: E402


def profile_once(tagged, mode, workers, seed):
    model = Doc2Vec(**SETTINGS, **MODES[mode], seed=seed, workers=workers)
    model.build_vocab(tagged)
    t0 = time.perf_counter()
    model._encode(tagged, None)
    encode = time.perf_counter() - t0
    model._doc_tables = None
    epochs = []
    run_epoch = model._run_epoch

    def timed_epoch(*args, **kwargs):
        t = time.perf_counter()
        result = run_epoch(*args, **kwargs)
        epochs.append(time.perf_counter() - t)
        return result

    model._run_epoch = timed_epoch
    load = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    model.train(tagged, total_examples=len(tagged), epochs=model.epochs)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    kernel = sum(epochs)
    return dict(
        mode=mode,
        workers=workers,
        seed=seed,
        train_wall=wall,
        train_cpu=cpu,
        encode=encode,
        kernel=kernel,
        other=wall - kernel - encode,
        load1=load,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--modes", nargs="+", default=["dbow", "dm"], choices=sorted(MODES))
    ap.add_argument("--wordnet-dir", default=None)
    ap.add_argument("--name", default="doc2vec-profile")
    args = ap.parse_args()
    train_docs, _, _, _ = load_split(args.wordnet_dir)
    tagged = [TaggedDocument(words, [i]) for i, words in enumerate(train_docs)]
    runs = []
    for repeat in range(args.repeats):
        for mode in args.modes:
            for workers in (1, 2) if repeat % 2 == 0 else (2, 1):
                run = profile_once(tagged, mode, workers, repeat)
                run["repeat"] = repeat
                print(json.dumps(run), flush=True)
                runs.append(run)
    lines = [
        "| mode | workers | train() s | encode s | kernel s (epochs) | other serial s | "
        "kernel share |",
        "|---|---|---|---|---|---|---|",
    ]
    summary = {}
    for mode in args.modes:
        for workers in (1, 2):
            chosen = [r for r in runs if r["mode"] == mode and r["workers"] == workers]
            med = {
                k: statistics.median(r[k] for r in chosen)
                for k in ("train_wall", "encode", "kernel", "other")
            }
            summary[f"{mode} {workers}"] = med
            lines.append(
                f"| {mode} | {workers} | {med['train_wall']:.2f} | {med['encode']:.2f} | "
                f"{med['kernel']:.2f} | {med['other']:.2f} | "
                f"{med['kernel'] / med['train_wall']:.0%} |"
            )
        for key in ("train_wall", "kernel"):
            speedup = workers_speedup(runs, mode, key)
            summary[f"{mode} {key} 1->2 workers"] = speedup
            lines.append(f"{mode}: {key} 1 -> 2 workers {speedup:.2f}x")
    print("\n".join(lines))
    stem = results_stem(args.name)
    write_results(stem, runs, summary)
    with open(stem + ".txt", "w") as f:
        f.write(f"{' '.join(sys.argv)}\ncommit {git_commit()}\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
