"""What two workers on one model pay that two independent models do not, in one process.

Each round trains, in alternating order, the same model (the WordNet-gloss corpus and
settings of ``bench_doc2vec_labelled.py``; Doc2Vec modes, or Word2Vec on the glosses as
sentences) several ways, all in this one process (``--kinds``, ``--hot``):

- ``one``: one worker, the reference;
- ``shared``: two workers on one model, as shipped (Hogwild, 64 private hot rows a worker,
  the epoch in 8 pieces a worker);
- ``replicas``: two workers on one model, each with a private copy of *every* word row of
  both matrices, merged only at the end of its piece (one piece a worker an epoch). The
  workers then write no row in common (a document row belongs to one piece): what it costs
  beyond ``pair`` is its copies' own (making, filling and merging them);
- ``pair``: two one-worker models trained at once on two threads: twice the work, nothing
  shared but the process;
- ``pair-shared-out``: ``pair``, but the second model's output matrix (``syn1neg``) *is*
  the first's: the two threads share nothing but the output rows, which both write;
- ``hot<R>@<W>`` (``--hot R:W``): ``shared`` with R private hot rows a worker merged every
  W words instead of the shipped 64 at the kernel's cadence.

For each it records wall and process CPU time, and the CPU time per unit of work (``pair``
does two units) over the ``one`` run of the same round: 1.0 means the second core came for
free. ``replicas`` and ``hot<R>@<W>`` set the module constants ``HOT_ROWS``,
``HOT_MERGE_WORDS`` (word2vec) and ``CHUNKS_PER_WORKER`` (workers) for their runs and restore
them after.

    python bench/two_core_probe.py --modes dbow dm --rounds 8 \\
        --wordnet-dir bench/work/wordnet/usr/share/wordnet
    python bench/two_core_probe.py --modes dbow w2v-cbow --rounds 5 \\
        --kinds shared pair pair-shared-out --hot 512:16384 2048:32768 \\
        --wordnet-dir bench/work/wordnet/usr/share/wordnet
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_doc2vec_labelled import (  # noqa: E402
    MODES,
    load_split,
    record,
    results_stem,
    write_results,
)
from doc2vec_scaling import make_model  # noqa: E402
from scaling import coherence_probe  # noqa: E402

import fastembed_core.models.word2vec as word2vec_module  # noqa: E402
import fastembed_core.models.workers as workers_module  # noqa: E402

KINDS = ("one", "shared", "replicas", "pair", "pair-shared-out")


class _Settings:
    """While active: the module constants of ``settings`` ((module, name, value) triples)."""

    def __init__(self, *settings):
        self.settings = settings

    def __enter__(self):
        self.saved = [getattr(module, name) for module, name, _ in self.settings]
        for module, name, value in self.settings:
            setattr(module, name, value)

    def __exit__(self, *exc):
        for (module, name, _), value in zip(self.settings, self.saved):
            setattr(module, name, value)


def train_at_once(models):
    """(wall, CPU) seconds of training ``models`` (model, corpus) pairs, each on a thread."""
    threads = [
        threading.Thread(target=lambda m=m, c=c: m.train(c, total_examples=len(c), epochs=m.epochs))
        for m, c in models
    ]
    wall, cpu = time.perf_counter(), time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - wall, time.process_time() - cpu


def run_kind(kind, mode, seed, docs):
    if kind == "one":
        return train_at_once([make_model(mode, seed, 1, docs)])
    if kind == "shared":
        return train_at_once([make_model(mode, seed, 2, docs)])
    if kind == "replicas":  # every word row private, merged once a piece, a piece a worker
        with _Settings(
            (word2vec_module, "HOT_ROWS", 1 << 40),
            (word2vec_module, "HOT_MERGE_WORDS", 1 << 60),
            (workers_module, "CHUNKS_PER_WORKER", 1),
        ):
            return train_at_once([make_model(mode, seed, 2, docs)])
    if kind.startswith("hot"):
        rows, merge_words = (int(x) for x in kind[3:].split("@"))
        with _Settings(
            (word2vec_module, "HOT_ROWS", rows), (word2vec_module, "HOT_MERGE_WORDS", merge_words)
        ):
            return train_at_once([make_model(mode, seed, 2, docs)])
    # a second model with another seed, so that the two are not the same computation
    models = [make_model(mode, seed, 1, docs), make_model(mode, seed + 1000, 1, docs)]
    if kind == "pair-shared-out":
        (first, _), (second, _) = models
        second.syn1neg = first.syn1neg  # same vocabulary, so the same shape
    return train_at_once(models)


def summarise(runs, mode, kinds):
    """Per kind: medians over rounds of the speed-up and the CPU per unit of work, both
    against the same round's ``one``."""
    one = {r["round"]: r for r in runs if r["mode"] == mode and r["kind"] == "one"}
    out = {}
    for kind in kinds[1:]:
        rows = [r for r in runs if r["mode"] == mode and r["kind"] == kind]
        out[f"{mode} {kind} speed-up"] = statistics.median(
            r["work"] * one[r["round"]]["wall"] / r["wall"] for r in rows
        )
        out[f"{mode} {kind} cpu per work / one"] = statistics.median(
            r["cpu"] / r["work"] / one[r["round"]]["cpu"] for r in rows
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--modes", nargs="+", default=["dbow", "dm"], choices=[*MODES, "w2v-sg", "w2v-cbow"]
    )
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--wordnet-dir", default=None)
    ap.add_argument("--kinds", nargs="+", default=list(KINDS[1:4]), choices=KINDS[1:])
    ap.add_argument(
        "--hot",
        nargs="*",
        default=[],
        metavar="ROWS:WORDS",
        help="also `shared` with ROWS private hot rows merged every WORDS words",
    )
    ap.add_argument("--name", default="two-core-probe")
    args = ap.parse_args()
    kinds = ["one", *args.kinds, *(f"hot{h.replace(':', '@')}" for h in args.hot)]
    docs = load_split(args.wordnet_dir)[0]
    probe = coherence_probe()
    runs = []
    for rnd in range(args.rounds):
        for mode in args.modes:
            for kind in kinds if rnd % 2 == 0 else kinds[::-1]:
                round_trip_ns = probe() if probe else None
                wall, cpu = run_kind(kind, mode, rnd, docs)
                record(
                    runs,
                    mode=mode,
                    kind=kind,
                    round=rnd,
                    work=2 if kind.startswith("pair") else 1,
                    wall=wall,
                    cpu=cpu,
                    round_trip_ns=round_trip_ns,
                )
    summary = {}
    for mode in args.modes:
        summary.update(summarise(runs, mode, kinds))
    print(json.dumps(summary, indent=1))
    write_results(results_stem(args.name), runs, summary)


if __name__ == "__main__":
    main()
