"""Doc2Vec training and inference with one and two workers, fastembed_core alone.

The WordNet-gloss corpus and settings of ``bench_doc2vec_labelled.py``; each round trains
one model per (mode, workers), worker counts alternating, and times ``train`` and
``infer_vectors`` of the 20,000 held-out documents in wall time. The speed-up is the median
over rounds of the one-worker time over the two-worker time of the same round. With
``--word2vec-control``, Word2Vec (skip-gram and CBOW) on the glosses as sentences runs in the
same rounds: on a shared machine it shows what two workers can give at that moment.

    python bench/doc2vec_scaling.py --repeats 3 --wordnet-dir bench/work/wordnet/usr/share/wordnet
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_doc2vec_labelled import (  # noqa: E402
    MODES,
    SETTINGS,
    load_split,
    results_stem,
    timed,
    workers_speedup,
    write_results,
)

from fastembed_core import Doc2Vec, TaggedDocument, Word2Vec  # noqa: E402


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
    args = ap.parse_args()
    train_docs, _, test_docs, _ = load_split(args.wordnet_dir)
    tagged = [TaggedDocument(words, [i]) for i, words in enumerate(train_docs)]
    runs = []
    modes = args.modes + (["w2v-sg", "w2v-cbow"] if args.word2vec_control else [])
    for repeat in range(args.repeats):
        for mode in modes:
            for workers in (1, 2) if repeat % 2 == 0 else (2, 1):
                if mode.startswith("w2v"):
                    model = Word2Vec(
                        **SETTINGS, sg=int(mode == "w2v-sg"), seed=repeat, workers=workers
                    )
                    corpus = train_docs
                else:
                    model = Doc2Vec(**SETTINGS, **MODES[mode], seed=repeat, workers=workers)
                    corpus = tagged
                model.build_vocab(corpus)
                _, train_wall, train_cpu = timed(
                    lambda m=model, c=corpus: m.train(c, total_examples=len(c), epochs=m.epochs)
                )
                infer_wall = None
                if not mode.startswith("w2v"):
                    _, infer_wall, _ = timed(
                        lambda m=model, w=workers: m.infer_vectors(test_docs, workers=w)
                    )
                run = dict(
                    mode=mode,
                    workers=workers,
                    repeat=repeat,
                    train_wall=train_wall,
                    train_cpu=train_cpu,
                    infer_wall=infer_wall,
                    load1=os.getloadavg()[0],
                )
                print(json.dumps(run), flush=True)
                runs.append(run)
    summary = {}
    for mode in modes:
        for key in ("train_wall", "infer_wall") if mode in MODES else ("train_wall",):
            summary[f"{mode} {key} 1->2 workers"] = workers_speedup(runs, mode, key)
    print(json.dumps(summary, indent=1))
    write_results(results_stem(args.name), runs, summary)


if __name__ == "__main__":
    main()
