"""Quality of hierarchical softmax with 2 workers as the copies of the top of the tree vary.

Each worker keeps private copies of ``word2vec.HOT_HS_NODES`` nodes at the top of the Huffman
tree, merged every ``HOT_MERGE_WORDS`` words (src/fe_train.h, "Hot rows"). This trains the
same corpus and seeds with several (nodes, merge period) settings, 2 workers, ``hs=1,
negative=0`` and the other settings of ``quality_seeds.py``, and scores each model as it
does; every setting is paired with ``nodes0`` (no copies) on the same seed.

    python bench/hs_tree_nodes.py --corpus bench/data/gcide.txt --sg 0 --seeds 7 \\
        --variants 0:0 64:0 256:0 256:2048 1024:0
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quality_seeds  # noqa: E402
from bench_doc2vec_labelled import record, results_stem, write_results  # noqa: E402

SCORES = ("wordsim353", "simlex999", "analogy")


def summarise(runs, names):
    """Per setting: the mean of each score, and its paired difference to ``nodes0`` with
    twice the standard error."""
    base = {r["seed"]: r for r in runs if r["setting"] == "nodes0"}
    out = {}
    for name in names:
        mine = [r for r in runs if r["setting"] == name]
        entry = {s: statistics.mean(r[s] for r in mine) for s in SCORES}
        paired = [r for r in mine if r["seed"] in base]
        if name != "nodes0" and len(paired) > 1:
            for s in SCORES:
                diffs = [r[s] - base[r["seed"]][s] for r in paired]
                entry[f"{s}_diff"] = statistics.mean(diffs)
                entry[f"{s}_2se"] = 2 * statistics.stdev(diffs) / len(diffs) ** 0.5
        out[name] = entry
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="bench/data/gcide.txt")
    ap.add_argument("--sg", type=int, default=0)
    ap.add_argument("--seeds", type=int, default=7)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument(
        "--variants",
        nargs="+",
        default=["0:0", "64:0", "256:0", "256:2048", "1024:0"],
        metavar="NODES:MERGE",
        help="HOT_HS_NODES and HOT_MERGE_WORDS (0: the kernel's default period)",
    )
    ap.add_argument("--name", default="hs-tree-nodes")
    args = ap.parse_args()

    import fastembed_core.models.word2vec as w2v

    settings = dict(quality_seeds.SETTINGS, epochs=args.epochs, workers=2, hs=1, negative=0)
    variants = {}
    for v in args.variants:
        nodes, merge = (int(x) for x in v.split(":"))
        variants[f"nodes{nodes}" + (f"-merge{merge}" if merge else "")] = (nodes, merge)
    stem = results_stem(args.name)
    runs: list[dict] = []
    default = w2v.HOT_HS_NODES, w2v.HOT_HS_NODES_SG, w2v.HOT_MERGE_WORDS
    for seed in range(args.seeds):
        for name, (nodes, merge) in variants.items():
            w2v.HOT_HS_NODES, w2v.HOT_HS_NODES_SG, w2v.HOT_MERGE_WORDS = nodes, nodes, merge
            try:
                model = w2v.Word2Vec(corpus_file=args.corpus, sg=args.sg, seed=seed, **settings)
            finally:
                w2v.HOT_HS_NODES, w2v.HOT_HS_NODES_SG, w2v.HOT_MERGE_WORDS = default
            scores = quality_seeds.evaluate(model.wv.to_gensim())
            record(runs, setting=name, seed=seed, sg=args.sg, corpus=args.corpus, **scores)
        write_results(stem, runs, summarise(runs, list(variants)))
    for name, entry in summarise(runs, list(variants)).items():
        print(name, {k: round(v, 4) for k, v in entry.items()})


if __name__ == "__main__":
    main()
