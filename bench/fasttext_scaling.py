"""FastText thread scaling: 1 vs 2 workers, interleaved, with and without private n-gram rows.

    python bench/fasttext_scaling.py --corpus bench/data/english.txt --sg 0 1 --repeats 5 \\
        --hot-ngram-rows 0 256

Each measurement is a fresh process that builds the vocabulary (not timed), then calls
``train()`` for ``--epochs`` epochs at bench/run_fasttext.py's settings (dim 100, window 5, 5
negatives, n-grams 3-6 in 2,000,000 buckets, min_count 5, t 1e-4, lr 0.05). Timed: the whole
``train()`` call (wall and process CPU, what run_fasttext.py's ``train_s`` measures) and,
inside it, the epochs alone (the kernel's part: workers running), so the serial work around
the epochs (encoding the corpus, the compact copy gathered and written back, the word means)
shows as the difference. ``fastembed_core.models.fasttext.HOT_NGRAM_ROWS`` is set per run
(``--hot-ngram-rows``; it only matters with more than one worker). Before each run the
core-to-core round trip of a cache line is measured (bench/scaling.py, bench/SCALING.md), and
other processes' CPU use during the run is recorded. Scaling is taken per repeat: the
1-worker time over the 2-worker time of the same repeat and variant. On a busy machine a
2-worker run may not get two cores at once: ``parallelism`` (epoch CPU / epoch wall) says how
close it came to 2, and the summary also reports the runs that reached ``--min-parallelism``.
Writes bench/results/<date>-<name>.json.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

from scaling import FAR_CORES_NS, busy_jiffies, coherence_probe, run_pair

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[6])
import fastembed_core
from fastembed_core import FastText
from fastembed_core.models import fasttext as ft
path, sg, workers, epochs, hot = sys.argv[1], *map(int, sys.argv[2:6])
ft.HOT_NGRAM_ROWS = hot
epoch_time = [0.0, 0.0]
run_epoch = ft.FastText._run_epoch

def timed_epoch(self, *args, **kwargs):
    w, c = time.perf_counter(), time.process_time()
    try:
        return run_epoch(self, *args, **kwargs)
    finally:
        epoch_time[0] += time.perf_counter() - w
        epoch_time[1] += time.process_time() - c

ft.FastText._run_epoch = timed_epoch
m = FastText(vector_size=100, window=5, negative=5, min_n=3, max_n=6, bucket=2_000_000,
             min_count=5, sample=1e-4, alpha=0.05, ns_exponent=0.5, sg=sg, hs=0,
             workers=workers, epochs=epochs, seed=1)
m.build_vocab(corpus_file=path)
if len(sys.argv) > 7:  # one of a pair: say ready, then start when the parent says go
    import os
    open(sys.argv[7] + ".ready", "w").close()
    while not os.path.exists(sys.argv[7] + ".go"):
        time.sleep(0.001)
w, c = time.perf_counter(), time.process_time()
m.train(corpus_file=path, total_examples=m.corpus_count, total_words=m.corpus_total_words,
        epochs=epochs)
wall, cpu = time.perf_counter() - w, time.process_time() - c
print(json.dumps({"train_wall_s": wall, "train_cpu_s": cpu, "epochs_wall_s": epoch_time[0],
                  "epochs_cpu_s": epoch_time[1], "package": fastembed_core.__file__}))
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="bench/data/english.txt")
    ap.add_argument("--sg", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--hot-ngram-rows", type=int, nargs="+", default=[0, 256])
    ap.add_argument("--min-parallelism", type=float, default=1.7)
    ap.add_argument(
        "--pair",
        action="store_true",
        help="also run two independent 1-worker processes at once (the no-sharing ceiling, "
        "bench/scaling.py): 'workers' is then \"pair\" and its times the slower process's",
    )
    ap.add_argument("--name", default="fasttext-scaling", help="results: <date>-<name>.json")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tick = os.sysconf("SC_CLK_TCK")
    probe = coherence_probe()
    runs = []
    for rep in range(args.repeats):
        for sg in args.sg:
            for hot in args.hot_ngram_rows:
                order = [1, 2] if rep % 2 == 0 else [2, 1]
                for workers in order + (["pair"] if args.pair else []):
                    round_trip = probe() if probe else None
                    before, load = busy_jiffies(), os.getloadavg()[0]
                    argv = [sys.executable, "-c", CHILD, args.corpus]
                    argv += [str(x) for x in (sg, 1 if workers == "pair" else workers)]
                    argv += [str(args.epochs), str(hot), root]
                    if workers == "pair":
                        parts = [
                            json.loads(out.strip().splitlines()[-1])
                            for out in run_pair(argv, dict(os.environ))
                        ]
                        # two processes' work in the slower one's time; CPU of both
                        r = {
                            key: max(p[key] for p in parts)
                            if "wall" in key
                            else sum(p[key] for p in parts)
                            for key in (
                                "train_wall_s",
                                "train_cpu_s",
                                "epochs_wall_s",
                                "epochs_cpu_s",
                            )
                        }
                        r["package"] = parts[0]["package"]
                        r["pair_train_wall_s"] = [p["train_wall_s"] for p in parts]
                    else:
                        out = subprocess.run(argv, capture_output=True, text=True, check=True)
                        r = json.loads(out.stdout.strip().splitlines()[-1])
                    r.update(
                        sg=sg,
                        workers=workers,
                        hot_ngram_rows=hot,
                        repeat=rep,
                        load_before=load,
                        machine_busy_cpu_s=(busy_jiffies() - before) / tick,
                        core_round_trip_ns=round_trip,
                        parallelism=r["epochs_cpu_s"] / r["epochs_wall_s"],
                    )
                    runs.append(r)
                    print(json.dumps(r), flush=True)
    summary = {}
    for sg in args.sg:
        for hot in args.hot_ngram_rows:
            mine = [r for r in runs if (r["sg"], r["hot_ngram_rows"]) == (sg, hot)]
            by = {(r["repeat"], r["workers"]): r for r in mine}
            reps = sorted({r["repeat"] for r in mine})
            key = f"{'sg' if sg else 'cbow'}_hot{hot}"
            entry = {}
            for workers in [1, 2] + (["pair"] if args.pair else []):
                for field in ("train_wall_s", "train_cpu_s", "epochs_wall_s", "epochs_cpu_s"):
                    entry[f"median_{field}_w{workers}"] = statistics.median(
                        by[(k, workers)][field] for k in reps
                    )
            for field in ("train_wall_s", "epochs_wall_s"):
                ratios = [by[(k, 1)][field] / by[(k, 2)][field] for k in reps]
                entry[f"scaling_{field}_median"] = statistics.median(ratios)
                entry[f"scaling_{field}_range"] = [min(ratios), max(ratios)]
                if args.pair:  # the pair does twice one process's work
                    pair = [2 * by[(k, 1)][field] / by[(k, "pair")][field] for k in reps]
                    entry[f"pair_{field}_median"] = statistics.median(pair)
                    entry[f"pair_{field}_range"] = [min(pair), max(pair)]
            parallel = [k for k in reps if by[(k, 2)]["parallelism"] >= args.min_parallelism]
            entry["repeats_with_two_cores"] = len(parallel)
            if parallel:
                entry["scaling_train_wall_s_two_cores"] = statistics.median(
                    by[(k, 1)]["train_wall_s"] / by[(k, 2)]["train_wall_s"] for k in parallel
                )
                entry["scaling_epochs_wall_s_two_cores"] = statistics.median(
                    by[(k, 1)]["epochs_wall_s"] / by[(k, 2)]["epochs_wall_s"] for k in parallel
                )
            entry["runs_on_far_cores"] = sum(
                1 for r in mine if (r["core_round_trip_ns"] or 0) > FAR_CORES_NS
            )
            summary[key] = entry
    print(json.dumps(summary, indent=1))
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=root
    ).stdout.strip()
    doc = {
        "what": args.name,
        "date": datetime.date.today().isoformat(),
        "command": "python bench/fasttext_scaling.py " + " ".join(sys.argv[1:]),
        "commit": commit,
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "settings": vars(args),
        "runs": runs,
        "summary": summary,
        "load_note": "machine_busy_cpu_s counts all CPU use during a run, ours included; "
        "parallelism near 1 for a 2-worker run means it did not get two cores",
    }
    path = os.path.join(root, "bench", "results", f"{doc['date']}-{args.name}.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
