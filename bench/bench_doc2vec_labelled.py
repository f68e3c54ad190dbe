"""Doc2Vec against gensim 4.4's on a labelled corpus: training speed, inference speed, the
accuracy of a classifier on the vectors, and peak memory.

    python bench/bench_doc2vec_labelled.py --seeds 0 1 2 --workers 1 2 --scaling-seeds 1

The corpus: all 117,659 WordNet 3.0 glosses (Debian ``wordnet-base``, see
``corpus_sources.wordnet_labelled_glosses``), each labelled with its synset's lexicographer
file (45 classes, e.g. ``noun.animal``, ``verb.motion``). A fixed split (seed 0) holds out
20,000 glosses as unseen test documents; the other 97,659 are the training documents, tagged
0, 1, ...

Every run is its own subprocess (one library, one mode, one seed, one worker count), so its
``ru_maxrss`` is its own; runs of the two libraries alternate (ours first, then gensim first,
...) so that load on a shared machine falls on both alike. A run times ``build_vocab`` and
``train`` (wall and CPU time of the process), then infers the test documents (ours:
``infer_vectors`` in one call; gensim: ``infer_vector`` in a loop), reads its peak RSS, and
then -- untimed -- fits scikit-learn's ``LogisticRegression`` (on standardised features) on
the trained vectors of a fixed sample of 20,000 training documents and scores it on the
inferred vectors of the 20,000 test documents.

Medians over seeds are reported per (mode, workers), with the ratios gensim / ours.
``--train-docs N`` trains on the first N training documents only (the test documents and
the classifier's are unchanged; it is fitted on min(N, 20,000) of them).
"""

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_sources as cs  # noqa: E402

MODES = {
    "dbow": dict(dm=0),
    "dm": dict(dm=1),
    "dbow_words": dict(dm=0, dbow_words=1),
    # PV-DM with the concatenated layer: (1 + 2 * window) * vector_size inputs a word, about
    # ten times the work of "dm"; --train-docs keeps its runs short
    "dm_concat": dict(dm=1, dm_concat=1),
}
SETTINGS = dict(vector_size=100, window=5, min_count=2, negative=5, sample=1e-3, epochs=10)
TEST_DOCS = 20000
CLASSIFIER_DOCS = 20000


def load_split(wordnet_dir):
    """(train tokens, train labels, test tokens, test labels): a fixed shuffle (seed 0) of
    every labelled gloss, the last TEST_DOCS held out."""
    data = list(cs.wordnet_labelled_glosses(cs.wordnet_dir(wordnet_dir)))
    order = np.random.default_rng(0).permutation(len(data))
    docs = [data[i][1] for i in order]
    labels = np.array([data[i][0] for i in order])
    cut = len(docs) - TEST_DOCS
    return docs[:cut], labels[:cut], docs[cut:], labels[cut:]


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(call):
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def child(spec):
    """One run; prints its figures as one JSON line."""
    train_docs, train_labels, test_docs, test_labels = load_split(spec["wordnet_dir"])
    if spec.get("train_docs"):
        train_docs, train_labels = (
            train_docs[: spec["train_docs"]],
            train_labels[: spec["train_docs"]],
        )
    rss_corpus = peak_rss_mib()
    settings = dict(SETTINGS, **MODES[spec["mode"]], seed=spec["seed"], workers=spec["workers"])
    if spec["library"] == "gensim":
        from gensim.models.doc2vec import Doc2Vec, TaggedDocument
    else:
        from fastembed_core import Doc2Vec, TaggedDocument
    tagged = [TaggedDocument(words, [i]) for i, words in enumerate(train_docs)]
    model = Doc2Vec(**settings)
    _, vocab_wall, vocab_cpu = timed(lambda: model.build_vocab(tagged))
    _, train_wall, train_cpu = timed(
        lambda: model.train(tagged, total_examples=len(tagged), epochs=model.epochs)
    )
    if spec["library"] == "gensim":

        def infer():
            return np.array([model.infer_vector(words) for words in test_docs])

    else:

        def infer():
            return model.infer_vectors(test_docs, workers=spec["workers"])

    inferred, infer_wall, infer_cpu = timed(infer)
    rss_peak = peak_rss_mib()
    result = dict(
        spec,
        words=sum(map(len, train_docs)),
        vocab_wall=vocab_wall,
        vocab_cpu=vocab_cpu,
        train_wall=train_wall,
        train_cpu=train_cpu,
        infer_wall=infer_wall,
        infer_cpu=infer_cpu,
        rss_corpus_mib=rss_corpus,
        rss_peak_mib=rss_peak,
    )
    if spec["classify"]:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        # a fixed sample of the training documents fits the classifier: the whole 97,659
        # took minutes of CPU per run, and the sample is the same for both libraries
        n_fit = min(CLASSIFIER_DOCS, len(train_docs))
        fit = np.random.default_rng(0).choice(len(train_docs), n_fit, replace=False)
        train_vectors = np.asarray(model.dv.vectors[fit])
        classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
        classifier.fit(train_vectors, train_labels[fit])
        result["accuracy"] = float(classifier.score(inferred, test_labels))
    print(json.dumps(result), flush=True)


def run_child(spec):
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"run {spec} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def load_average():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def summarise(runs):
    """Medians per (mode, workers, library) and the gensim / ours ratios."""
    keys = ("train_wall", "train_cpu", "infer_wall", "infer_cpu", "rss_peak_mib", "accuracy")
    table = []
    for mode in dict.fromkeys(r["mode"] for r in runs):
        for workers in sorted({r["workers"] for r in runs}):
            row = {"mode": mode, "workers": workers}
            for library in ("ours", "gensim"):
                chosen = [
                    r
                    for r in runs
                    if r["mode"] == mode and r["workers"] == workers and r["library"] == library
                ]
                for key in keys:
                    values = [r[key] for r in chosen if key in r]
                    if values:
                        row[f"{library}_{key}"] = statistics.median(values)
                if chosen:
                    row[f"{library}_words_per_s"] = statistics.median(
                        r["words"] * SETTINGS["epochs"] / r["train_wall"] for r in chosen
                    )
                    accs = [r["accuracy"] for r in chosen if "accuracy" in r]
                    if accs:
                        row[f"{library}_accuracies"] = accs
            if "ours_train_wall" in row and "gensim_train_wall" in row:
                for key in ("train_wall", "train_cpu", "infer_wall", "infer_cpu"):
                    row[f"ratio_{key}"] = row[f"gensim_{key}"] / row[f"ours_{key}"]
                if "ours_accuracy" in row and "gensim_accuracy" in row:
                    row["accuracy_difference"] = row["ours_accuracy"] - row["gensim_accuracy"]
            table.append(row)
    # thread scaling: train time at the fewest workers over train time at each count
    for library in ("ours", "gensim"):
        for mode in dict.fromkeys(r["mode"] for r in runs):
            rows = [r for r in table if r["mode"] == mode and f"{library}_train_wall" in r]
            if len(rows) > 1:
                base = rows[0][f"{library}_train_wall"]
                for r in rows[1:]:
                    r[f"{library}_thread_speedup"] = base / r[f"{library}_train_wall"]
    return table


def print_table(table):
    print(
        "| mode | workers | train s ours / gensim (x) | CPU s ours / gensim (x) | "
        "infer s ours / gensim (x) | accuracy ours / gensim | peak RSS MiB ours / gensim |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in table:
        if "ratio_train_wall" not in r:
            continue
        acc = (
            f"{r['ours_accuracy']:.4f} / {r['gensim_accuracy']:.4f}"
            if "ours_accuracy" in r and "gensim_accuracy" in r
            else "-"
        )
        print(
            f"| {r['mode']} | {r['workers']} "
            f"| {r['ours_train_wall']:.2f} / {r['gensim_train_wall']:.2f} "
            f"({r['ratio_train_wall']:.2f}) "
            f"| {r['ours_train_cpu']:.2f} / {r['gensim_train_cpu']:.2f} "
            f"({r['ratio_train_cpu']:.2f}) "
            f"| {r['ours_infer_wall']:.2f} / {r['gensim_infer_wall']:.2f} "
            f"({r['ratio_infer_wall']:.1f}) "
            f"| {acc} | {r['ours_rss_peak_mib']:.0f} / {r['gensim_rss_peak_mib']:.0f} |"
        )


def results_stem(name):
    """bench/results/<today>-<name>, without an extension."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "results", f"{datetime.date.today():%Y-%m-%d}-{name}")


def write_results(stem, runs, summary):
    """``stem``.json: the command line, the commit, every run and the summary."""
    with open(stem + ".json", "w") as f:
        json.dump(
            dict(command=" ".join(sys.argv), commit=git_commit(), runs=runs, summary=summary),
            f,
            indent=1,
        )


def record(runs, **fields):
    """Appends one run, with the 1-minute load average, to ``runs`` and prints it as a JSON
    line."""
    run = dict(fields, load1=os.getloadavg()[0])
    print(json.dumps(run), flush=True)
    runs.append(run)


def workers_speedup(runs, mode, key, versus=2):
    """The median over repeats of ``key`` at one worker over ``key`` at ``versus`` workers,
    per repeat."""
    return statistics.median(
        one[key] / two[key]
        for one in runs
        for two in runs
        if one["mode"] == two["mode"] == mode
        and one["repeat"] == two["repeat"]
        and (one["workers"], two["workers"]) == (1, versus)
    )


def git_commit():
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            cwd=os.path.dirname(os.path.abspath(__file__)),
        ).stdout.strip()
    except OSError:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--modes", nargs="+", default=["dbow", "dm"], choices=sorted(MODES))
    parser.add_argument(
        "--classify-workers",
        type=int,
        nargs="+",
        default=None,
        help="worker counts whose runs are scored by the classifier (default: all)",
    )
    parser.add_argument(
        "--scaling-seeds",
        type=int,
        default=None,
        help="only the first N seeds run every worker count; the rest run the first only "
        "(default: all)",
    )
    parser.add_argument("--wordnet-dir", help="folder of WordNet's data.* files")
    parser.add_argument(
        "--train-docs", type=int, default=None, help="train on the first N documents only"
    )
    parser.add_argument("--name", default="doc2vec-wordnet")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return

    import gensim

    import fastembed_core

    record = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "commit": git_commit(),
        "versions": {"gensim": gensim.__version__, "fastembed_core": fastembed_core.__version__},
        "corpus": "WordNet 3.0 glosses labelled with their lexicographer file (45 classes); "
        f"{TEST_DOCS} held out (seed 0) and inferred, the rest trained",
        "settings": SETTINGS,
        "train_docs": args.train_docs,
        "load_before": load_average(),
        "runs": [],
    }
    classify = set(args.classify_workers or args.workers)
    turn = 0
    for seed_number, seed in enumerate(args.seeds):
        scaling = args.scaling_seeds is None or seed_number < args.scaling_seeds
        for mode in args.modes:
            for workers in args.workers if scaling else args.workers[:1]:
                libraries = ("ours", "gensim") if turn % 2 == 0 else ("gensim", "ours")
                turn += 1
                for library in libraries:
                    spec = dict(
                        library=library,
                        mode=mode,
                        seed=seed,
                        workers=workers,
                        classify=workers in classify,
                        wordnet_dir=args.wordnet_dir,
                        train_docs=args.train_docs,
                    )
                    result = run_child(spec)
                    result["load"] = load_average()
                    record["runs"].append(result)
                    print(
                        f"{library:6} {mode:10} seed {seed} workers {workers}: train "
                        f"{result['train_wall']:.2f} s (CPU {result['train_cpu']:.2f}), infer "
                        f"{result['infer_wall']:.2f} s, peak {result['rss_peak_mib']:.0f} MiB, "
                        f"accuracy {result.get('accuracy', float('nan')):.4f}, "
                        f"load {result['load'][0]:.2f}",
                        flush=True,
                    )
    record["load_after"] = load_average()
    record["summary"] = summarise(record["runs"])
    print_table(record["summary"])
    out = os.path.join(
        cs.BENCH_DIR, "results", f"{datetime.date.today().isoformat()}-{args.name}.json"
    )
    with open(out, "w") as f:
        json.dump(record, f, indent=1)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
