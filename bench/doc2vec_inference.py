"""Doc2Vec inference alone against gensim 4.4's ``infer_vector`` loop, on one trained model.

The WordNet-gloss corpus and settings of ``bench_doc2vec_labelled.py``. Per mode, one model
is trained (ours, seed 0) and copied to gensim (``to_gensim()``), so both infer against the
same weights. Then, ``--rounds`` times, interleaved (the order alternating): ours
``infer_vectors`` of the 20,000 held-out documents at one worker (and at two), gensim's
``infer_vector`` over the same documents in a loop, and both libraries' per-call loop over
the first ``--loop-docs`` of them (``infer_vector`` one document at a time). Wall times (and
the CPU time of the one-worker batch and of gensim's loop); the ratio of each round is
gensim's time over ours in that round, reported as min / median / max.

    python bench/doc2vec_inference.py --rounds 7 --wordnet-dir bench/work/wordnet/usr/share/wordnet
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_doc2vec_labelled import (  # noqa: E402
    MODES,
    SETTINGS,
    load_split,
    results_stem,
    write_results,
)

from fastembed_core import Doc2Vec, TaggedDocument  # noqa: E402


def wall(call, cpu=None, key=None):
    """Wall seconds of call(); its CPU seconds (this process's) go to cpu[key] if given."""
    t, c = time.perf_counter(), time.process_time()
    call()
    if cpu is not None:
        cpu[key] = time.process_time() - c
    return time.perf_counter() - t


def ours_batch(ours, theirs, test_docs, loop_docs):
    cpu: dict[str, float] = {}
    return dict(
        ours_w1=wall(lambda: ours.infer_vectors(test_docs, workers=1), cpu, "ours_w1_cpu"),
        ours_w2=wall(lambda: ours.infer_vectors(test_docs, workers=2)),
        ours_loop=wall(lambda: [ours.infer_vector(d) for d in loop_docs]),
        **cpu,
    )


def gensim_batch(ours, theirs, test_docs, loop_docs):
    cpu: dict[str, float] = {}
    return dict(
        gensim=wall(
            lambda: np.array([theirs.infer_vector(d) for d in test_docs]), cpu, "gensim_cpu"
        ),
        gensim_loop=wall(lambda: [theirs.infer_vector(d) for d in loop_docs]),
        **cpu,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--modes", nargs="+", default=["dbow", "dm"], choices=sorted(MODES))
    ap.add_argument("--loop-docs", type=int, default=2000)
    ap.add_argument("--wordnet-dir", default=None)
    ap.add_argument("--name", default="doc2vec-inference")
    args = ap.parse_args()
    train_docs, _, test_docs, _ = load_split(args.wordnet_dir)
    tagged = [TaggedDocument(words, [i]) for i, words in enumerate(train_docs)]
    loop_docs = test_docs[: args.loop_docs]
    runs, summary = [], {}
    for mode in args.modes:
        ours = Doc2Vec(tagged, **SETTINGS, **MODES[mode], seed=0, workers=2)
        theirs = ours.to_gensim()
        for r in range(args.rounds):
            timings: dict[str, float] = {}
            load = os.getloadavg()[0]
            steps = (ours_batch, gensim_batch) if r % 2 == 0 else (gensim_batch, ours_batch)
            for step in steps:
                timings.update(step(ours, theirs, test_docs, loop_docs))
            run = dict(mode=mode, round=r, load1_before=load, load1_after=os.getloadavg()[0])
            run.update(timings)
            run["ratio_w1"] = timings["gensim"] / timings["ours_w1"]
            run["ratio_w1_cpu"] = timings["gensim_cpu"] / timings["ours_w1_cpu"]
            run["ratio_w2"] = timings["gensim"] / timings["ours_w2"]
            run["ratio_loop"] = timings["gensim_loop"] / timings["ours_loop"]
            run["workers_1_to_2"] = timings["ours_w1"] / timings["ours_w2"]
            print(json.dumps(run), flush=True)
            runs.append(run)
        chosen = [r for r in runs if r["mode"] == mode]
        for key in ("ours_w1", "ours_w2", "gensim", "ours_loop", "gensim_loop"):
            summary[f"{mode} {key} median s"] = statistics.median(r[key] for r in chosen)
        for key in ("ratio_w1", "ratio_w1_cpu", "ratio_w2", "ratio_loop", "workers_1_to_2"):
            values = [r[key] for r in chosen]
            summary[f"{mode} {key}"] = dict(
                min=min(values), median=statistics.median(values), max=max(values)
            )
    print(json.dumps(summary, indent=1))
    write_results(results_stem(args.name), runs, summary)


if __name__ == "__main__":
    main()
