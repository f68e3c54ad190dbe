"""Doc2Vec training and inference with one and two workers, fastembed_core alone.

The WordNet-gloss corpus and settings of ``bench_doc2vec_labelled.py``; each round trains
one model per (mode, workers), worker counts alternating, and times ``train`` and
``infer_vectors`` of the 20,000 held-out documents in wall time. The speed-up is the median
over rounds of the one-worker time over the two-worker time of the same round. With
``--word2vec-control``, Word2Vec (skip-gram and CBOW) on the glosses as sentences runs in the
same rounds: on a shared machine it shows what two workers can give at that moment.

    python bench/doc2vec_scaling.py --repeats 3 --wordnet-dir bench/work/wordnet/usr/share/wordnet

``--pair`` adds, in every round and mode, two independent 1-worker processes training at the
same moment (bench/scaling.py): twice one worker's work over the slower one's time is what
two cores of this machine give when no row is shared, the ceiling for 1 -> 2 workers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_doc2vec_labelled import (  # noqa: E402
    MODES,
    SETTINGS,
    load_split,
    record,
    results_stem,
    timed,
    workers_speedup,
    write_results,
)
from scaling import run_pair  # noqa: E402

from fastembed_core import Doc2Vec, TaggedDocument, Word2Vec  # noqa: E402


def make_model(mode, repeat, workers, train_docs):
    """The model of one run, its vocabulary built, and the corpus it trains on."""
    if mode.startswith("w2v"):
        model = Word2Vec(**SETTINGS, sg=int(mode == "w2v-sg"), seed=repeat, workers=workers)
        corpus = train_docs
    else:
        model = Doc2Vec(**SETTINGS, **MODES[mode], seed=repeat, workers=workers)
        corpus = [TaggedDocument(words, [i]) for i, words in enumerate(train_docs)]
    model.build_vocab(corpus)
    return model, corpus


def train(model, corpus):
    """(wall, cpu) seconds of one ``train`` call."""
    _, wall, cpu = timed(
        lambda: model.train(corpus, total_examples=len(corpus), epochs=model.epochs)
    )
    return wall, cpu


def pair_child(mode, repeat, flag, wordnet_dir):
    """One of a pair: ready once the model is built, trains when the parent says go."""
    model, corpus = make_model(mode, repeat, 1, load_split(wordnet_dir)[0])
    open(flag + ".ready", "w").close()
    while not os.path.exists(flag + ".go"):
        time.sleep(0.001)
    wall, cpu = train(model, corpus)
    print(json.dumps({"train_wall": wall, "train_cpu": cpu}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--modes", nargs="+", default=["dbow", "dm"], choices=sorted(MODES))
    ap.add_argument("--wordnet-dir", default=None)
    ap.add_argument("--name", default="doc2vec-scaling")
    ap.add_argument(
        "--word2vec-control",
        action="store_true",
        help="also Word2Vec skip-gram and CBOW on the same glosses (modes w2v-sg, w2v-cbow): "
        "what two workers give on this machine at this moment, to read the Doc2Vec rows by",
    )
    ap.add_argument(
        "--pair",
        action="store_true",
        help='also two independent 1-worker processes at once (workers "pair")',
    )
    ap.add_argument(
        "--pair-child", nargs=3, metavar=("MODE", "REPEAT", "FLAG"), help=argparse.SUPPRESS
    )
    args = ap.parse_args()
    if args.pair_child:
        mode, repeat, flag = args.pair_child
        pair_child(mode, int(repeat), flag, args.wordnet_dir)
        return
    train_docs, _, test_docs, _ = load_split(args.wordnet_dir)
    runs = []
    modes = args.modes + (["w2v-sg", "w2v-cbow"] if args.word2vec_control else [])
    for repeat in range(args.repeats):
        for mode in modes:
            order = [1, 2] if repeat % 2 == 0 else [2, 1]
            for workers in order + (["pair"] if args.pair else []):
                infer_wall = None
                if workers == "pair":
                    argv = [sys.executable, os.path.abspath(__file__)]
                    if args.wordnet_dir:
                        argv += ["--wordnet-dir", args.wordnet_dir]
                    argv += ["--pair-child", mode, str(repeat)]  # run_pair appends the flag
                    outs = run_pair(argv, dict(os.environ))
                    parts = [json.loads(out.strip().splitlines()[-1]) for out in outs]
                    # twice one worker's work: the slower one's wall time, both CPU times
                    train_wall = max(p["train_wall"] for p in parts)
                    train_cpu = sum(p["train_cpu"] for p in parts)
                else:
                    model, corpus = make_model(mode, repeat, workers, train_docs)
                    train_wall, train_cpu = train(model, corpus)
                if mode in MODES and workers != "pair":
                    _, infer_wall, _ = timed(
                        lambda m=model, w=workers: m.infer_vectors(test_docs, workers=w)
                    )
                record(
                    runs,
                    mode=mode,
                    workers=workers,
                    repeat=repeat,
                    train_wall=train_wall,
                    train_cpu=train_cpu,
                    infer_wall=infer_wall,
                )
    summary = {}
    for mode in modes:
        for key in ("train_wall", "infer_wall") if mode in MODES else ("train_wall",):
            summary[f"{mode} {key} 1->2 workers"] = workers_speedup(runs, mode, key)
        if args.pair:
            summary[f"{mode} train_wall 1->pair"] = 2 * workers_speedup(
                runs, mode, "train_wall", versus="pair"
            )
    print(json.dumps(summary, indent=1))
    write_results(results_stem(args.name), runs, summary)


if __name__ == "__main__":
    main()
