"""Thread scaling of fastembed_core's training: 1 worker vs N workers, interleaved.

    python bench/scaling.py --corpus bench/data/english.txt --workers 1 2 --repeats 5 --sg 1 0

The same harness compares the vector code paths (FASTEMBED_SIMD) at several row lengths:

    python bench/scaling.py --workers 1 --simd avx2 avx512 --dims 100 300 --name simd-paths

and the number of private hot rows per worker (fastembed_core.models.word2vec.HOT_ROWS;
a number above the vocabulary gives every worker a replica of the whole model) and the words
between their merges (HOT_MERGE_WORDS):

    python bench/scaling.py --workers 1 2 --hot-rows 0 64 1000000 --merge-words 0 65536

``--pair`` adds, in every repeat, two independent 1-worker processes training at the same time
(each its own model, nothing shared): their combined throughput over one process alone is
what this machine allows two workers when no row is shared, the ceiling for 1 -> 2 workers.

    python bench/scaling.py --workers 1 2 --pair --sg 0 1 --epochs 3 --repeats 3 --name pair-ceiling

Each measurement is a fresh process: build the vocabulary and encode the corpus (not timed),
then train ``--epochs`` epochs (timed: wall and process CPU), so the figure is the kernel's
scaling, not the file reading. Other processes' CPU use during each run is recorded from
/proc/stat: on a shared machine a 2-worker run on 2 cores only scales if nothing else runs.
Before each run the core-to-core round trip of a cache line is measured
(bench/coherence_probe.c): on a virtual machine the two cores can land on distant parts of the
host, which multiplies the cost of every row two workers share. Writes
bench/results/<date>-<name>.json.
"""

import argparse
import datetime
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, resource, sys, time
import fastembed_core.models.word2vec
from fastembed_core import Word2Vec, _corpus
path, sg, workers, epochs, dim, hot, merge = sys.argv[1], *map(int, sys.argv[2:8])
if hot >= 0:
    fastembed_core.models.word2vec.HOT_ROWS = hot
if merge >= 0:
    fastembed_core.models.word2vec.HOT_MERGE_WORDS = merge
import os
rate = 1
if os.environ.get("SCALING_AVERAGED") == "1" and workers > 1:  # averaged replicas
    rate = workers
    fastembed_core.models.word2vec.HOT_MERGE_SCALE = 1.0 / workers
hs = int(os.environ.get("SCALING_HS", "0"))  # hierarchical softmax instead of negatives
nodes = int(os.environ.get("SCALING_HS_NODES", "-1"))
if nodes >= 0:
    fastembed_core.models.word2vec.HOT_HS_NODES = nodes
    fastembed_core.models.word2vec.HOT_HS_NODES_SG = nodes
m = Word2Vec(vector_size=dim, window=5, negative=0 if hs else 5, hs=hs, sample=1e-3,
             min_count=5, sg=sg, workers=workers, epochs=epochs, seed=1, alpha=0.025 * rate,
             min_alpha=1e-4 * rate)
m.build_vocab(corpus_file=path)
if fastembed_core.models.word2vec.HOT_ROWS > len(m.wv):  # "all": a whole replica per worker
    fastembed_core.models.word2vec.HOT_ROWS = len(m.wv)
ids, offsets, raw = _corpus.encode_file([path], m.wv.index_to_key)
if len(sys.argv) > 8:  # a pair: say ready, then start when the parent says go
    open(sys.argv[8] + ".ready", "w").close()
    while not os.path.exists(sys.argv[8] + ".go"):
        time.sleep(0.001)
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t_wall, t_cpu = time.perf_counter(), time.process_time()
run = m._make_run(ids, offsets, epochs, m.alpha, m.min_alpha)
words = effective = 0
for epoch in range(epochs):
    w, e, _, _, _ = m._run_epoch(run, offsets, epoch, 0, len(ids), epochs)
    words += w
    effective += e
wall, cpu = time.perf_counter() - t_wall, time.process_time() - t_cpu
import fastembed_core
print(json.dumps({"wall_s": wall, "cpu_s": cpu, "effective_words": effective, "words": words,
                  "simd_path": fastembed_core.simd_path(),
                  "hot_rows": fastembed_core.models.word2vec.HOT_ROWS,
                  "hot_merge_words": fastembed_core.models.word2vec.HOT_MERGE_WORDS,
                  "hot_hs_nodes": (fastembed_core.models.word2vec.HOT_HS_NODES_SG if sg else
                                   fastembed_core.models.word2vec.HOT_HS_NODES) if hs else 0,
                  "vocab_size": len(m.wv),
                  "peak_rss_mb_before_training": rss_before / 1024,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


FAR_CORES_NS = 150  # round trips here: ~55 ns on cores sharing a cache, ~330 ns when not


def coherence_probe():
    """A callable giving the core-to-core round trip in ns (bench/coherence_probe.c, compiled
    on first use with the system C compiler), or None when it cannot be built."""
    exe = os.path.join("bench", "work", "coherence_probe")
    if not os.path.exists(exe):
        os.makedirs(os.path.dirname(exe), exist_ok=True)
        built = subprocess.run(
            ["cc", "-O2", "-pthread", "bench/coherence_probe.c", "-o", exe], capture_output=True
        )
        if built.returncode != 0:
            return None
    return lambda: float(subprocess.run([exe], capture_output=True, text=True, check=True).stdout)


def run_pair(argv, env):
    """Runs two copies of the child at once, training started together once both have
    encoded the corpus; returns their outputs."""
    with tempfile.TemporaryDirectory() as tmp:
        flags = [os.path.join(tmp, f"child{i}") for i in range(2)]
        procs = [
            subprocess.Popen(argv + [flag], stdout=subprocess.PIPE, text=True, env=env)
            for flag in flags
        ]
        while not all(os.path.exists(flag + ".ready") for flag in flags):
            if any(p.poll() not in (None, 0) for p in procs):
                raise RuntimeError("a child of the pair failed")
            time.sleep(0.005)
        for flag in flags:
            open(flag + ".go", "w").close()
        outs = [p.communicate()[0] for p in procs]
        if any(p.returncode for p in procs):
            raise RuntimeError("a child of the pair failed")
        return outs


def busy_jiffies():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4]  # everything but idle and iowait


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="bench/data/english.txt")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--sg", type=int, nargs="+", default=[1, 0])
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--dims", type=int, nargs="+", default=[100], help="vector_size values")
    ap.add_argument("--simd", nargs="+", default=["auto"], help="FASTEMBED_SIMD values")
    ap.add_argument(
        "--hot-rows",
        type=int,
        nargs="+",
        default=[-1],
        help="HOT_ROWS values (-1: the library's default)",
    )
    ap.add_argument(
        "--merge-words",
        type=int,
        nargs="+",
        default=[-1],
        help="HOT_MERGE_WORDS values (-1: the library's default; 0: the kernel's default)",
    )
    ap.add_argument(
        "--variants",
        nargs="+",
        default=None,
        metavar="HOT:MERGE",
        help="(HOT_ROWS, HOT_MERGE_WORDS) pairs to run instead of every combination of "
        "--hot-rows and --merge-words",
    )
    ap.add_argument(
        "--averaged",
        type=int,
        nargs="+",
        default=[0],
        help="1: the workers' copies are averaged (HOT_MERGE_SCALE = 1/workers, every worker "
        "at workers times the rate), as whole replicas need",
    )
    ap.add_argument(
        "--hs",
        action="store_true",
        help="hierarchical softmax (hs=1, negative=0) instead of 5 negatives",
    )
    ap.add_argument(
        "--hs-nodes",
        type=int,
        nargs="+",
        default=[-1],
        help="with --hs: HOT_HS_NODES values, the top tree nodes copied per worker (-1: the "
        "library's default)",
    )
    ap.add_argument(
        "--pair",
        action="store_true",
        help="also run two independent 1-worker processes at once (the no-sharing ceiling)",
    )
    ap.add_argument("--name", default="scaling", help="results file: <date>-<name>.json")
    args = ap.parse_args()
    tick = os.sysconf("SC_CLK_TCK")
    probe = coherence_probe()
    runs = []
    pairs = (
        [tuple(int(x) for x in v.split(":")) for v in args.variants]
        if args.variants
        else list(itertools.product(args.hot_rows, args.merge_words))
    )
    variants = [
        (sg, dim, simd, hot, merge, avg, nodes)
        for sg, dim, simd, (hot, merge), avg, nodes in itertools.product(
            args.sg, args.dims, args.simd, pairs, args.averaged, args.hs_nodes
        )
    ]
    for rep in range(args.repeats):
        for sg, dim, simd, hot, merge, avg, nodes in variants:
            order = args.workers if rep % 2 == 0 else args.workers[::-1]
            for workers in order + (["pair"] if args.pair else []):
                env = dict(
                    os.environ,
                    FASTEMBED_SIMD=simd,
                    SCALING_AVERAGED=str(avg),
                    SCALING_HS=str(int(args.hs)),
                    SCALING_HS_NODES=str(nodes),
                )
                argv = [
                    sys.executable,
                    "-c",
                    CHILD,
                    args.corpus,
                    str(sg),
                    "1" if workers == "pair" else str(workers),
                    str(args.epochs),
                    str(dim),
                    str(hot),
                    str(merge),
                ]
                round_trip = probe() if probe else None
                before = busy_jiffies()
                if workers == "pair":
                    outs = run_pair(argv, env)
                else:
                    outs = [
                        subprocess.run(
                            argv, capture_output=True, text=True, check=True, env=env
                        ).stdout
                    ]
                busy = (busy_jiffies() - before) / tick
                parts = [json.loads(out.strip().splitlines()[-1]) for out in outs]
                r = dict(parts[0])
                if workers == "pair":  # two processes' words over the slower one's time
                    r["effective_words"] = sum(p["effective_words"] for p in parts)
                    r["words"] = sum(p["words"] for p in parts)
                    r["wall_s"] = max(p["wall_s"] for p in parts)
                    r["cpu_s"] = sum(p["cpu_s"] for p in parts)
                    r["pair_wall_s"] = [p["wall_s"] for p in parts]
                r.update(
                    sg=sg,
                    workers=workers,
                    dim=dim,
                    simd=simd,
                    averaged=avg,
                    hs_nodes_setting=nodes,
                    repeat=rep,
                    machine_busy_cpu_s=busy,
                    core_round_trip_ns=round_trip,
                )
                r["eff_wps"] = r["effective_words"] / r["wall_s"]
                r["eff_wpcs"] = r["effective_words"] / r["cpu_s"]
                runs.append(r)
                print(json.dumps(r), flush=True)
    summary = {}
    for sg, dim, simd, hot, merge, avg, nodes in variants:
        mine = [
            r
            for r in runs
            if (r["sg"], r["dim"], r["simd"]) == (sg, dim, simd)
            and (hot < 0 or r["hot_rows"] == min(hot, r["vocab_size"]))
            and (merge < 0 or r["hot_merge_words"] == merge)
            and r["averaged"] == avg
            and r.get("hs_nodes_setting", -1) == nodes
        ]

        def median(key, workers, mine=mine):
            return statistics.median(r[key] for r in mine if r["workers"] == workers)

        base = median("eff_wps", args.workers[0])
        for workers in args.workers + (["pair"] if args.pair else []):
            key = f"{'sg' if sg else 'cbow'}_d{dim}_{simd}_hot{hot}_merge{merge}"
            key += f"{'_averaged' if avg else ''}{f'_nodes{nodes}' if nodes >= 0 else ''}"
            key += f"_w{workers}"
            summary[key] = {
                "median_eff_wps": median("eff_wps", workers),
                "median_peak_rss_mb": median("peak_rss_mb", workers),
                "median_eff_wpcs": median("eff_wpcs", workers),
                "speedup_vs_first": median("eff_wps", workers) / base,
            }
            # runs whose two cores were far apart (round trip well above a shared cache's)
            far = [
                r
                for r in mine
                if r["workers"] == workers and (r["core_round_trip_ns"] or 0) > FAR_CORES_NS
            ]
            near = [r["eff_wps"] for r in mine if r["workers"] == workers and r not in far]
            summary[key]["runs_on_far_cores"] = len(far)
            if far and near:
                summary[key]["median_eff_wps_near_cores"] = statistics.median(near)
                summary[key]["median_eff_wps_far_cores"] = statistics.median(
                    r["eff_wps"] for r in far
                )
    print(json.dumps(summary, indent=1))
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in open("/proc/cpuinfo")
            if ln.startswith("model name")
        ),
        "?",
    )
    doc = {
        "what": args.name,
        "date": datetime.date.today().isoformat(),
        "commit": commit,
        "machine": {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()},
        "settings": vars(args),
        "runs": runs,
        "summary": summary,
        "load_note": "machine_busy_cpu_s counts all CPU use during a run, ours included: "
        "well above cpu_s means other work competed",
    }
    os.makedirs("bench/results", exist_ok=True)
    path = f"bench/results/{doc['date']}-{args.name}.json"
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
