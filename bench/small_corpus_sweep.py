"""Settings for small corpora: candidate settings against the best tuned peers, over seeds.

    python bench/small_corpus_sweep.py --corpus bench/data/english.txt bench/data/gcide.txt \
        bench/data/pydoc.txt --sg 0 1 --seeds 3 --epochs 3 --workers 2

On corpora of a few million tokens gensim's default learning rate (``alpha=0.025``, decayed
linearly to ``min_alpha``) under-trains. Every configuration below trains on every corpus,
model and seed with negative sampling, the rest of the settings being bench/quality_seeds.py's
(``vector_size=100, window=5, negative=5, min_count=5``; epochs and workers from the command
line), and is scored by the same evaluation (WordSim-353, SimLex-999, analogies). The
reference points are what a gensim user can do on a small corpus:

* ``gensim-tuned``: iterable mode with ``alpha=0.05, ns_exponent=0.5``;
* ``gensim-corpus-file``: gensim's defaults in ``corpus_file`` mode, whose learning rate falls
  ``workers`` times slower (see bench/README.md, "Which gensim mode the quality comparison
  uses");
* ``fasttext-like``: fastText's defaults for word vectors (learning rate 0.05 decayed to 0,
  sub-sampling threshold 1e-4, negatives drawn in proportion to count ** 0.5), in gensim's
  iterable mode, without subwords.

The ``fastembed_core`` configurations are the candidates, including ``preset-small-corpus``,
:meth:`fastembed_core.Word2Vec.small_corpus` itself. Runs are interleaved per seed (every
configuration trains before the next seed starts), so load on the machine hits all alike;
training times are recorded to check that a candidate costs no more than the defaults.
Writes bench/results/<date>-<name>.json after each corpus and seed.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quality_seeds as qs  # noqa: E402

TUNED = {"alpha": 0.05, "ns_exponent": 0.5}

# name -> (library, settings on top of quality_seeds.SETTINGS)
CONFIGS = {
    "gensim-default": ("gensim_iterable", {}),
    "gensim-tuned": ("gensim_iterable", TUNED),
    "gensim-corpus-file": ("gensim", {}),
    "fasttext-like": (
        "gensim_iterable",
        {"alpha": 0.05, "min_alpha": 0.0, "sample": 1e-4, "ns_exponent": 0.5},
    ),
    "default": ("fastembed_core", {}),
    "a05-n05": ("fastembed_core", TUNED),
    "a05-n05-s1e-4": ("fastembed_core", {**TUNED, "sample": 1e-4}),
    "a075-n05": ("fastembed_core", {"alpha": 0.075, "ns_exponent": 0.5}),
    "a10-n05": ("fastembed_core", {"alpha": 0.1, "ns_exponent": 0.5}),
    "a075-n05-s1e-4": ("fastembed_core", {"alpha": 0.075, "ns_exponent": 0.5, "sample": 1e-4}),
    "a15-n05": ("fastembed_core", {"alpha": 0.15, "ns_exponent": 0.5}),
    "a20-n05": ("fastembed_core", {"alpha": 0.2, "ns_exponent": 0.5}),
    "a05-n05-m01": ("fastembed_core", {**TUNED, "min_alpha": 0.01}),
    "a05-n05-w8": ("fastembed_core", {**TUNED, "window": 8}),
    "a075-n05-w8": ("fastembed_core", {"alpha": 0.075, "ns_exponent": 0.5, "window": 8}),
    "a075-w8": ("fastembed_core", {"alpha": 0.075, "window": 8}),
    "a05-w8": ("fastembed_core", {"alpha": 0.05, "window": 8}),
    # a wider window paid for with fewer negatives: about the same dot products a token
    "a075-n05-w8-neg3": (
        "fastembed_core",
        {"alpha": 0.075, "ns_exponent": 0.5, "window": 8, "negative": 3},
    ),
    "a075-n05-w7-neg3": (
        "fastembed_core",
        {"alpha": 0.075, "ns_exponent": 0.5, "window": 7, "negative": 3},
    ),
    "preset-small-corpus": ("fastembed_core", "preset"),
}


def settings_of(name, sg):
    library, extra = CONFIGS[name]
    if extra == "preset":
        from fastembed_core import Word2Vec

        extra = Word2Vec.preset_settings("small-corpus", sg)
    return library, {**qs.SETTINGS, **extra}


def main():
    warnings.filterwarnings("ignore")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", nargs="+", default=["bench/data/english.txt"])
    ap.add_argument("--sg", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    ap.add_argument("--name", default="small-corpus-sweep")
    args = ap.parse_args()
    qs.SETTINGS.update(epochs=args.epochs, workers=args.workers)
    runs = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for corpus in args.corpus:
            for sg in args.sg:
                for name in args.configs:
                    library, settings = settings_of(name, sg)
                    kv, seconds = qs.train(library, corpus, sg, seed, settings)
                    runs.append(
                        {
                            "corpus": os.path.basename(corpus),
                            "model": "skip-gram" if sg else "CBOW",
                            "library": name,
                            "engine": library,
                            "seed": seed,
                            **qs.evaluate(kv),
                            "train_s": seconds,
                        }
                    )
                    print(json.dumps(runs[-1]), flush=True)
            print("wrote", write_results(args, runs), flush=True)


def write_results(args, runs):
    """Writes (or rewrites, after each corpus) the results file; returns its path."""
    doc = {
        "what": "small-corpus settings: candidates vs tuned gensim, over seeds",
        "date": datetime.date.today().isoformat(),
        "commit": subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True
        ).stdout.strip(),
        "corpus": args.corpus,
        "base_settings": qs.SETTINGS,
        "configs": {
            f"{name} sg={sg}": dict(zip(("engine", "settings"), settings_of(name, sg)))
            for name in args.configs
            for sg in args.sg
        },
        "runs": runs,
        "summary": qs.summarize(runs, args.configs, ("corpus", "model")),
    }
    path = f"bench/results/{doc['date']}-{args.name}.json"
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    return path


if __name__ == "__main__":
    sys.exit(main())
