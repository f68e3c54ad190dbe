"""FastText, fastembed_core against gensim 4 and Facebook's fastText, side by side on one corpus.

    python bench/bench_fasttext.py --lines 20000 --repeats 3

The corpus is the first ``--lines`` lines of the bundled sample corpus (20,000 lines: about
250 k tokens). Each repeat trains, interleaved: fastembed_core and gensim with the same gensim
parameters (skip-gram, 100 dims, 5 epochs, min_count 5, 2,000,000 buckets), then
fastembed_core with the settings of its ``skipgram`` verb (fastText's defaults) and
Facebook's ``fasttext`` package with its own defaults, all on ``--workers`` threads. The time
is the whole call (vocabulary, initialisation, training). Two quality measures on each model:
WordSim-353 (Spearman) and the fraction of 100 misspelt frequent words of 10+ letters (the
misspelling unseen) whose nearest vocabulary word is the word itself.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings

import numpy as np

from fastembed_core import FastText, datasets
from fastembed_core.cli.fasttext_cli import fasttext_params, parse_fasttext_args
from fastembed_core.models.fasttext import load_facebook_vectors


def misspell(word, rng):
    """A doubled, dropped or swapped letter inside the word."""
    i = int(rng.integers(1, len(word) - 2))
    kind = rng.integers(0, 3)
    if kind == 0:
        return word[:i] + word[i] + word[i:]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def typo_hits(wv, seed=7):
    rng = np.random.default_rng(seed)
    longs = sorted(w for w in wv.index_to_key[:3000] if len(w) >= 10 and w.isalpha())
    hits = tried = 0
    for word in rng.choice(longs, 100, replace=False):
        typo = misspell(word, rng)
        if typo in wv.key_to_index:
            continue
        tried += 1
        hits += wv.most_similar(typo, topn=1)[0][0] == word
    return hits / tried


def quality(wv):
    rho = wv.evaluate_word_pairs(datasets.evaluation_file("wordsim353"))[1][0]
    return {"wordsim353": round(float(rho), 4), "typo_top1": round(typo_hits(wv), 4)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="bench/results/2026-12-01-fasttext.json")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    import fasttext
    from gensim.models import FastText as GensimFastText

    folder = tempfile.mkdtemp(prefix="bench-fasttext-")
    corpus = os.path.join(folder, "corpus.txt")
    with open(datasets.sample_corpus_path(), "rb") as src, open(corpus, "wb") as dst:
        dst.write(b"".join(src.readline() for _ in range(args.lines)))
    gensim_params = dict(
        vector_size=100, min_count=5, bucket=2000000, epochs=5, sg=1, workers=args.workers
    )
    verb_params = fasttext_params("skipgram", parse_fasttext_args([]))
    verb_params["workers"] = args.workers

    def ours_gensim(rep):
        return FastText(corpus_file=corpus, seed=rep + 1, **gensim_params).wv

    def gensim(rep):
        return GensimFastText(corpus_file=corpus, seed=rep + 1, **gensim_params).wv

    def ours_fasttext(rep):
        return FastText(corpus_file=corpus, **{**verb_params, "seed": rep}).wv

    def facebook(rep):
        model = fasttext.train_unsupervised(
            corpus, model="skipgram", thread=args.workers, verbose=0
        )
        path = os.path.join(folder, "fb.bin")
        model.save_model(path)
        return load_facebook_vectors(path)

    runs = {
        "fastembed_core, gensim's parameters": ours_gensim,
        "gensim": gensim,
        "fastembed_core, fastText's defaults": ours_fasttext,
        "fastText (fasttext package)": facebook,
    }
    results = {name: [] for name in runs}
    for rep in range(args.repeats):
        for name, run in runs.items():
            t0 = time.perf_counter()
            wv = run(rep)
            seconds = time.perf_counter() - t0
            results[name].append({"seconds": round(seconds, 2), **quality(wv)})
            print(rep, name, results[name][-1], file=sys.stderr, flush=True)
    summary = {
        name: {
            "median_seconds": statistics.median(r["seconds"] for r in rows),
            "wordsim353": [r["wordsim353"] for r in rows],
            "typo_top1": [r["typo_top1"] for r in rows],
        }
        for name, rows in results.items()
    }
    report = {
        "command": " ".join(["python", *sys.argv]),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "lines": args.lines,
        "workers": args.workers,
        "runs": results,
        "summary": summary,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
    for name, s in summary.items():
        print(f"{name}: {s}")


if __name__ == "__main__":
    main()
