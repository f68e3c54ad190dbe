"""Doc2Vec on a Dask cluster against one process: the classifier accuracy of its document
vectors as worker processes are added, and what a round moves.

    python bench/dask_doc2vec.py --processes 2 4 8 --seeds 1 2 \\
        --wordnet-dir bench/work/wordnet/usr/share/wordnet

The corpus and the measure are ``bench_doc2vec_labelled.py``'s: the 97,659 training WordNet
glosses, written one a line to a file (the line number is the tag, as in
``Doc2Vec(corpus_file=...)``), its settings (``vector_size=100, window=5, min_count=2,
negative=5, sample=1e-3, epochs=10``), and the accuracy of a logistic regression fitted on
the trained vectors of a fixed 20,000 training documents and scored on the inferred vectors
of the 20,000 held-out glosses (45 classes). The reference is one process with one thread
(``Doc2Vec(corpus_file=...)``, ``workers=1``; ``--local-alpha``: also at other learning
rates); each Dask run is a ``LocalCluster`` of
``--processes`` processes of one thread (more processes than cores measures quality, not
speed), the package's default combine and ``sync_words``.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import re
import statistics
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_dask import load_average, start_cluster  # noqa: E402
from bench_doc2vec_labelled import (  # noqa: E402
    CLASSIFIER_DOCS,
    MODES,
    SETTINGS,
    load_split,
    record,
    results_stem,
    write_results,
)

DEFAULT_ALPHA = 0.025  # Doc2Vec's (and gensim's) default: the reference runs'


def write_corpus(docs, path):
    with open(path, "w", encoding="utf-8") as f:
        for words in docs:
            f.write(" ".join(words) + "\n")


def accuracy(model, train_labels, test_docs, test_labels):
    """bench_doc2vec_labelled's classifier on ``model``'s vectors."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    n_fit = min(CLASSIFIER_DOCS, len(train_labels))
    fit = np.random.default_rng(0).choice(len(train_labels), n_fit, replace=False)
    inferred = model.infer_vectors(test_docs, workers=1)
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    classifier.fit(np.asarray(model.dv.vectors[fit]), train_labels[fit])
    return float(classifier.score(inferred, test_labels))


def round_figures(log):
    """Medians over the rounds of what a round moved and how long it took."""
    return {
        "rounds": len(log),
        "round_mb_from_workers": statistics.median(e["bytes_from_workers"] for e in log) / 1e6,
        "round_mb_to_workers": statistics.median(e["bytes_to_workers"] for e in log) / 1e6,
        "round_compute_s": statistics.median(e["compute_seconds"] for e in log),
        "round_exchange_s": statistics.median(e["exchange_seconds"] for e in log),
        "rows_changed": {
            name: statistics.median(e["rows_changed"][name] for e in log)
            for name in log[0]["rows_changed"]
        },
    }


class StartBytes(logging.Handler):
    """Keeps the model size the driver logs as sent to the workers at the start."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.mb: float | None = None

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r"([0-9.]+) MB of model sent", record.getMessage())
        if found:
            self.mb = float(found.group(1))


def _alpha(run):
    return run.get("alpha", DEFAULT_ALPHA)


def summarise(runs, modes):
    """Per (mode, processes): the mean accuracy over seeds and its difference to one process
    on the same seeds."""
    out = {}
    for mode in modes:
        one = [r for r in runs if r["mode"] == mode and r["processes"] == 1]
        local = {r["seed"]: r["accuracy"] for r in one if _alpha(r) == DEFAULT_ALPHA}
        clusters = {(r["processes"], r.get("combine")) for r in runs if r["processes"] > 1}
        for processes, combine in sorted(clusters, key=lambda pc: (pc[0], str(pc[1]))):
            rows = [
                r
                for r in runs
                if (r["mode"], r["processes"], r.get("combine")) == (mode, processes, combine)
            ]
            if not rows:
                continue
            paired = [r["accuracy"] - local[r["seed"]] for r in rows if r["seed"] in local]
            label = f", {combine}" if combine else ""  # the first runs recorded no combine
            out[f"{mode} {processes} processes{label}"] = {
                "accuracy": statistics.mean(r["accuracy"] for r in rows),
                "difference to one process": statistics.mean(paired) if paired else None,
                "train_s": statistics.mean(r["train_s"] for r in rows),
            }
        if local:
            out[f"{mode} 1 process"] = {"accuracy": statistics.mean(local.values())}
        for alpha in sorted({_alpha(r) for r in one} - {DEFAULT_ALPHA}):
            hot = [r["accuracy"] for r in one if _alpha(r) == alpha]
            out[f"{mode} 1 process, alpha {alpha:g}"] = {"accuracy": statistics.mean(hot)}
    return out


def main() -> None:
    warnings.filterwarnings("ignore")
    logging.getLogger("fastembed_core").setLevel(logging.ERROR)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--processes", type=int, nargs="*", default=[2, 4, 8])
    ap.add_argument(
        "--local-alpha",
        type=float,
        nargs="*",
        default=[],
        help="also one process at these learning rates (is a hotter schedule better here?)",
    )
    ap.add_argument("--modes", nargs="+", default=["dbow", "dm"], choices=["dbow", "dm"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--wordnet-dir", default=None)
    ap.add_argument("--corpus", default="bench/work/wordnet-train-glosses.txt")
    ap.add_argument("--combine", nargs="+", help="default: the package's default scheme")
    ap.add_argument("--name", default="dask-doc2vec")
    ap.add_argument("--no-local", action="store_true", help="skip the one-process references")
    ap.add_argument(
        "--send-all-rows",
        action="store_true",
        help="start every replica from the whole input matrix (as before each worker was "
        "sent only its own documents' rows): the same model, more sent",
    )
    args = ap.parse_args()

    from fastembed_core import Doc2Vec
    from fastembed_core.dask import train
    from fastembed_core.distributed.combine import DEFAULT_COMBINE

    train_docs, train_labels, test_docs, test_labels = load_split(args.wordnet_dir)
    os.makedirs(os.path.dirname(args.corpus) or ".", exist_ok=True)
    write_corpus(train_docs, args.corpus)
    stem = results_stem(args.name)
    runs: list[dict] = []
    summary: dict = {}

    def score(model, **fields):
        record(
            runs,
            **fields,
            accuracy=accuracy(model, train_labels, test_docs, test_labels),
            words=int(model.corpus_total_words),
        )
        write_results(stem, runs, summarise(runs, args.modes))

    start_bytes = StartBytes()
    dask_logger = logging.getLogger("fastembed_core.dask")
    dask_logger.setLevel(logging.INFO)
    dask_logger.addHandler(start_bytes)
    if args.send_all_rows:
        from fastembed_core.distributed.family import family_of

        family = family_of(Doc2Vec)
        family.shard_rows = lambda model, parts, first: [None] * len(parts)  # type: ignore[method-assign]
    for seed in [] if args.no_local else args.seeds:
        for mode in args.modes:
            for alpha in [DEFAULT_ALPHA, *args.local_alpha]:
                params = dict(SETTINGS, **MODES[mode], seed=seed, workers=1, alpha=alpha)
                t0 = time.perf_counter()
                model = Doc2Vec(corpus_file=args.corpus, **params)
                score(
                    model,
                    mode=mode,
                    seed=seed,
                    processes=1,
                    alpha=alpha,
                    train_s=time.perf_counter() - t0,
                )
    combines = args.combine or [DEFAULT_COMBINE]
    for processes in args.processes:
        cluster, client = start_cluster(processes)
        try:
            for seed, mode, combine in itertools.product(args.seeds, args.modes, combines):
                params = dict(SETTINGS, **MODES[mode], seed=seed, workers=1)
                t0 = time.perf_counter()
                model = train(
                    client,
                    corpus_file=args.corpus,
                    model_class=Doc2Vec,
                    combine=combine,
                    **params,
                )
                score(
                    model,
                    mode=mode,
                    seed=seed,
                    processes=processes,
                    combine=combine,
                    train_s=time.perf_counter() - t0,
                    start_mb_to_workers=start_bytes.mb,
                    sent_all_rows=args.send_all_rows,
                    load=load_average(),
                    **round_figures(model.distributed_log),
                )
        finally:
            client.close()
            cluster.close()
    summary = summarise(runs, args.modes)
    for key, value in summary.items():
        print(key, value)
    write_results(stem, runs, summary)


if __name__ == "__main__":
    main()
