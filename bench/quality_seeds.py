"""Quality of fastembed_core vs gensim over several seeds (the spread a single run hides).

    python bench/quality_seeds.py --corpus bench/data/english.txt --sg 0 1 --seeds 4
    python bench/quality_seeds.py --corpus bench/data/english.txt bench/data/gcide.txt \
        --sg 0 1 --losses ns hs --seeds 3 --epochs 3 --workers 2 \
        --libraries fastembed_core gensim_iterable --set alpha=0.05

``--losses``: ``ns`` is negative sampling (``hs=0, negative=5``), ``hs`` hierarchical softmax
alone (``hs=1, negative=0``). ``--set key=value`` overrides any setting below for every
library (numbers are parsed as int or float). Every run records its training time.

For each seed, both libraries train the standard setting (5 epochs, 2 workers) on the same
corpus file and are scored by the same evaluation as bench/run_bench.py (gensim's
WordSim-353 and SimLex-999 scores; questions-words restricted to the 30,000 most frequent
words, answered as gensim's ``evaluate_word_analogies`` does but in batches: see
``analogy_accuracy``). Seeds are the outer loop and the results file is rewritten after
every corpus, so a run stopped early keeps every finished seed.

Which gensim: ``gensim`` is gensim's ``corpus_file`` mode, ``gensim_iterable`` its iterable
mode (a ``LineSentence`` over the same file). They are not the same schedule: in iterable
mode the learning rate decays linearly on the progress of all workers together, as
fastembed_core's does; in ``corpus_file`` mode each worker decays it on its own progress
measured against the whole corpus's word count, so with N workers the rate falls N times
slower and ends near ``alpha * (1 - 1/N)`` instead of ``min_alpha``. On a small corpus that
higher rate under-trains less and scores higher; it is an accident of the schedule, not
better training, so the like-for-like comparison is with iterable mode (or any mode with
``workers=1``). Writes
bench/results/<date>-<name>.json with every score and the mean and standard deviation per
corpus, model, loss and library, and prints the differences of the means.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

SETTINGS = dict(
    vector_size=100,
    window=5,
    negative=5,
    hs=0,
    sample=1e-3,
    min_count=5,
    alpha=0.025,
    epochs=5,
    workers=2,
)


def evaluate(kv):
    from gensim.test.utils import datapath

    ws = kv.evaluate_word_pairs(datapath("wordsim353.tsv"))
    sl = kv.evaluate_word_pairs(datapath("simlex999.txt"))
    an, asked = analogy_accuracy(kv, datapath("questions-words.txt"), restrict_vocab=30000)
    return {
        "wordsim353": float(ws[1][0]),
        "simlex999": float(sl[1][0]),
        "analogy": float(an),
        # how much of each test the corpus's vocabulary covers: small coverage, noisy score
        "wordsim353_oov_pct": float(ws[2]),
        "simlex999_oov_pct": float(sl[2]),
        "analogy_n": asked,
    }


def analogy_accuracy(kv, path, restrict_vocab=30000, chunk=2048):
    """gensim's ``evaluate_word_analogies`` score (3CosAdd), computed in batches.

    The same rule as gensim's: only the ``restrict_vocab`` most frequent words take part;
    questions with another word are skipped; the answer is the nearest of those words (cosine)
    to ``b + c - a`` of the unit vectors, the three question words excluded. gensim asks
    ``most_similar`` once per question; one matrix product per batch of questions is several
    times cheaper, which matters when every run of a long grid is scored. Returns
    (accuracy, questions asked).
    """
    import numpy as np

    keys = kv.index_to_key[:restrict_vocab]
    index = {}
    for i in reversed(range(len(keys))):  # like gensim: the most frequent spelling wins
        index[str(keys[i]).upper()] = i
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if line.startswith(":") or len(words) != 4:
                continue
            ids = [index.get(w.upper()) for w in words]
            if None not in ids:
                rows.append(ids)
    if not rows:
        return 0.0, 0
    q = np.asarray(rows, dtype=np.int64)
    unit = kv.vectors[: len(keys)].astype(np.float32)
    unit /= np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
    correct = 0
    for start in range(0, len(q), chunk):
        a, b, c, expected = q[start : start + chunk].T
        scores = (unit[b] + unit[c] - unit[a]) @ unit.T
        asked = np.arange(len(a))
        for excluded in (a, b, c):
            scores[asked, excluded] = -np.inf
        correct += int((scores.argmax(axis=1) == expected).sum())
    return correct / len(q), len(q)


LIBRARIES = (
    "fastembed_core",
    "fastembed_core_no_hot_rows",
    # hierarchical softmax without private copies of the top of the tree (HOT_HS_NODES and
    # HOT_HS_NODES_SG = 0)
    "fastembed_core_shared_tree",
    "fastembed_core_replicas",
    "fastembed_core_avg_replicas",
    # skip-gram's negatives drawn afresh for every (context, centre) pair and applied pair by
    # pair, as gensim and word2vec.c do, instead of one set a window in a block update
    "fastembed_core_pair_negatives",
    "gensim",
    "gensim_iterable",
)
LOSSES = {"ns": {"hs": 0}, "hs": {"hs": 1, "negative": 0}}
REPLICA_MERGE_WORDS = 524288  # --replica-merge-words


def _fastembed_variant(library):
    """(HOT_ROWS, HOT_MERGE_WORDS, HOT_HS_NODES, HOT_HS_NODES_SG) of a fastembed_core
    variant: the defaults, no private rows, no private tree nodes, or a replica of the whole
    model per worker (every row private, merged every REPLICA_MERGE_WORDS words)."""
    import fastembed_core.models.word2vec as w2v

    nodes = w2v.HOT_HS_NODES, w2v.HOT_HS_NODES_SG
    if library == "fastembed_core_no_hot_rows":
        return 0, w2v.HOT_MERGE_WORDS, 0, 0
    if library == "fastembed_core_shared_tree":
        return w2v.HOT_ROWS, w2v.HOT_MERGE_WORDS, 0, 0
    if library in ("fastembed_core_replicas", "fastembed_core_avg_replicas"):
        return 2**62, REPLICA_MERGE_WORDS, *nodes
    return w2v.HOT_ROWS, w2v.HOT_MERGE_WORDS, *nodes


def train(library, corpus, sg, seed, settings=None):
    """Trains one model; returns (gensim KeyedVectors, seconds spent in training).

    The time covers vocabulary scan and training (the model's constructor), not scoring.
    """
    settings = SETTINGS if settings is None else settings
    t0 = time.perf_counter()
    if library.startswith("fastembed_core"):
        import fastembed_core.models.word2vec as w2v

        default = (
            w2v.HOT_ROWS,
            w2v.HOT_MERGE_WORDS,
            w2v.HOT_MERGE_SCALE,
            w2v.HOT_HS_NODES,
            w2v.HOT_HS_NODES_SG,
        )
        variant = _fastembed_variant(library)
        w2v.HOT_ROWS, w2v.HOT_MERGE_WORDS, w2v.HOT_HS_NODES, w2v.HOT_HS_NODES_SG = variant
        if library == "fastembed_core_avg_replicas":
            # every replica at k times the rate, each merge adding 1/k of its change: the
            # replicas' mean, as the Dask rounds' scaled_average
            k = settings["workers"]
            w2v.HOT_MERGE_SCALE = 1.0 / k
            settings = {
                **settings,
                "alpha": k * settings.get("alpha", 0.025),
                "min_alpha": k * settings.get("min_alpha", 0.0001),
            }
        if library == "fastembed_core_pair_negatives":
            settings = {**settings, "shared_negatives": False}
        try:
            model = w2v.Word2Vec(corpus_file=corpus, sg=sg, seed=seed, **settings)
        finally:
            (
                w2v.HOT_ROWS,
                w2v.HOT_MERGE_WORDS,
                w2v.HOT_MERGE_SCALE,
                w2v.HOT_HS_NODES,
                w2v.HOT_HS_NODES_SG,
            ) = default
        return model.wv.to_gensim(), time.perf_counter() - t0
    from gensim.models import Word2Vec

    if library == "gensim_iterable":
        from gensim.models.word2vec import LineSentence

        model = Word2Vec(LineSentence(corpus), sg=sg, seed=seed, **settings)
    else:
        model = Word2Vec(corpus_file=corpus, sg=sg, seed=seed, **settings)
    return model.wv, time.perf_counter() - t0


def parse_overrides(pairs):
    """``["alpha=0.05", "window=8"]`` -> ``{"alpha": 0.05, "window": 8}``."""
    out = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if not value:
            raise SystemExit(f"--set {pair!r}: expected key=value")
        try:
            out[key] = int(value)
        except ValueError:
            out[key] = float(value)
    return out


def summarize(runs, libraries, key_fields):
    """Mean and standard deviation over seeds of every score, per group of ``key_fields``
    (e.g. corpus, model, loss) and library, with each library's difference to gensim's modes."""
    groups = {}
    for r in runs:
        groups.setdefault(tuple(r[k] for k in key_fields), []).append(r)
    summary = {}
    for key, group in groups.items():
        node = summary
        for part in key:
            node = node.setdefault(str(part), {})
        for metric in ("wordsim353", "simlex999", "analogy", "train_s"):
            row = {}
            for library in libraries:
                vals = [r[metric] for r in group if r["library"] == library]
                if vals:
                    row[library] = {
                        "mean": statistics.mean(vals),
                        "stdev": statistics.pstdev(vals),
                        "values": vals,
                    }
            trained = list(row)
            for base, suffix in (("gensim", ""), ("gensim_iterable", "_vs_iterable")):
                if base in row:
                    for library in trained:
                        if library != base:
                            row[f"difference_{library}{suffix}"] = (
                                row[library]["mean"] - row[base]["mean"]
                            )
            node[metric] = row
    return summary


def main():
    global REPLICA_MERGE_WORDS
    warnings.filterwarnings("ignore")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", nargs="+", default=["bench/data/english.txt"])
    ap.add_argument("--sg", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--losses", nargs="+", default=["ns"], choices=sorted(LOSSES))
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument(
        "--libraries",
        nargs="+",
        default=["fastembed_core", "gensim"],
        choices=LIBRARIES,
        help="fastembed_core_no_hot_rows: HOT_ROWS = 0; fastembed_core_replicas: a replica "
        "of the whole model per worker",
    )
    ap.add_argument(
        "--replica-merge-words",
        type=int,
        default=REPLICA_MERGE_WORDS,
        help="words between the merges of fastembed_core_replicas",
    )
    ap.add_argument("--name", default="quality-seeds", help="results file: <date>-<name>.json")
    ap.add_argument("--epochs", type=int, default=SETTINGS["epochs"])
    ap.add_argument("--workers", type=int, default=SETTINGS["workers"])
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE")
    args = ap.parse_args()
    SETTINGS.update(epochs=args.epochs, workers=args.workers, **parse_overrides(args.set))
    REPLICA_MERGE_WORDS = args.replica_merge_words
    runs = []
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    # Seeds outermost: a run cut short still covers every corpus and setting, with fewer seeds.
    for seed in seeds:
        for corpus in args.corpus:
            for sg in args.sg:
                for loss in args.losses:
                    settings = {**SETTINGS, **LOSSES[loss]}
                    for library in args.libraries:  # interleaved: load hits every library alike
                        kv, seconds = train(library, corpus, sg, seed, settings)
                        runs.append(
                            {
                                "corpus": os.path.basename(corpus),
                                "model": "skip-gram" if sg else "CBOW",
                                "loss": loss,
                                "library": library,
                                "sg": sg,
                                "seed": seed,
                                **evaluate(kv),
                                "train_s": seconds,
                            }
                        )
                        print(json.dumps(runs[-1]), flush=True)
            path = write_results(args, runs)  # after each corpus: a long run keeps what it did
            print("wrote", path, flush=True)


def write_results(args, runs):
    """Writes (or rewrites, after each corpus) the results file; returns its path."""
    summary = summarize(runs, args.libraries, ("corpus", "model", "loss"))
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    doc = {
        "what": "quality over seeds, fastembed_core vs gensim ("
        + ", ".join(lib for lib in args.libraries if lib.startswith("gensim"))
        + "; gensim = corpus_file mode)",
        "date": datetime.date.today().isoformat(),
        "commit": commit,
        "corpus": args.corpus,
        "corpus_sha256": {os.path.basename(c): _sha256(c) for c in args.corpus},
        "settings": SETTINGS,
        "replica_merge_words": REPLICA_MERGE_WORDS,
        "losses": {loss: LOSSES[loss] for loss in args.losses},
        "runs": runs,
        "summary": summary,
    }
    path = f"bench/results/{doc['date']}-{args.name}.json"
    os.makedirs("bench/results", exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    return path


def _sha256(path):
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


if __name__ == "__main__":
    sys.exit(main())
