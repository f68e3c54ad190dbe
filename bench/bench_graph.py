"""Graph-embedding benchmark: fastembed_core's Node2Vec against pecanpy (SparseOTF, PreComp)
+ gensim, on labelled graphs.

Graphs (all offline, from packages or generated):
  karate     Zachary's karate club (networkx), labels = the two clubs after the split.
  drosophila the left hemisphere of the larval Drosophila mushroom-body connectome shipped in
             graspologic's wheel (213 neurons, weighted; symmetrised), labels = cell type.
             The wheel is fetched with `pip download graspologic --no-deps` and only its CSV
             files are read; graspologic itself is not installed.
  sbm        a seeded stochastic block model, 5000 nodes in 10 blocks (p_in 0.01,
             p_out 0.0005), labels = block; the timing case.

Every run is a child process (walks, training, wall time and its own peak RSS); runs are
interleaved tool by tool and repeated, medians reported. Quality: macro-F1 of scikit-learn's
LogisticRegression on the vectors, 5 fixed stratified 50/50 splits (mean).

pecanpy needs numpy < 2, so it runs from its own virtual environment (--pecanpy-python).

    python bench/bench_graph.py --pecanpy-python /path/to/venv/bin/python
"""

import argparse
import datetime
import glob
import json
import os
import platform
import resource
import subprocess
import sys
import time
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, "work", "graph")
RESULTS = os.path.join(HERE, "results")


# ----------------------------------------------------------------------------- datasets


def prepare(name):
    """Writes WORK/<name>.edg (tab-separated src dst weight, undirected) and <name>.labels."""
    os.makedirs(WORK, exist_ok=True)
    edg, lab = os.path.join(WORK, name + ".edg"), os.path.join(WORK, name + ".labels")
    if os.path.exists(edg) and os.path.exists(lab):
        return edg, lab
    if name == "karate":
        import networkx as nx

        g = nx.karate_club_graph()
        edges = [(u, v, 1.0) for u, v in g.edges()]
        labels = [g.nodes[v]["club"] for v in sorted(g.nodes())]
    elif name == "drosophila":
        whl = glob.glob(os.path.join(WORK, "graspologic-*.whl"))
        if not whl:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "graspologic==3.4.4",
                    "--no-deps",
                    "-q",
                    "-d",
                    WORK,
                ],
                check=True,
            )
            whl = glob.glob(os.path.join(WORK, "graspologic-*.whl"))
        with zipfile.ZipFile(whl[0]) as z:
            adj = np.loadtxt(z.open("graspologic/datasets/drosophila/left_adjacency.csv"))
            labels = z.read("graspologic/datasets/drosophila/left_cell_labels.csv").decode().split()
        sym = adj + adj.T
        iu, ju = np.nonzero(np.triu(sym, 1))
        edges = [(int(a), int(b), float(sym[a, b])) for a, b in zip(iu, ju)]
    elif name == "sbm":
        rng = np.random.default_rng(2024)
        n, blocks = 5000, 10
        label = np.repeat(np.arange(blocks), n // blocks)
        edges = []
        for i in range(n):  # row by row: never materialise the n x n matrix
            j = np.arange(i + 1, n)
            prob = np.where(label[j] == label[i], 0.01, 0.0005)
            edges.extend((i, int(k), 1.0) for k in j[rng.random(j.size) < prob])
        labels = [str(b) for b in label]
    else:
        raise ValueError(name)
    with open(edg, "w") as fh:
        fh.writelines(f"{u}\t{v}\t{w:g}\n" for u, v, w in edges)
    with open(lab, "w") as fh:
        fh.writelines(f"{x}\n" for x in labels)
    return edg, lab


# ----------------------------------------------------------------------------- child runs


def child(args):
    """One run in this process: writes the vectors (row k = node k) and a JSON of timings."""
    n = sum(1 for _ in open(args.labels))
    t0 = time.perf_counter()
    if args.tool == "fastembed":
        from fastembed_core.models.graph import Node2Vec

        m = Node2Vec(
            args.edges,
            dimensions=args.dim,
            walk_length=args.walk_length,
            num_walks=args.num_walks,
            p=args.p,
            q=args.q,
            window=args.window,
            workers=args.workers,
            seed=args.seed,
            weighted=True,
        )
        m.walks()
        kv = m.fit()
        walk_s, train_s = m.walk_time, m.train_time
        vecs = np.stack([kv[k] if k in kv else np.zeros(args.dim, np.float32) for k in range(n)])
    else:
        from gensim.models import Word2Vec
        from pecanpy import pecanpy

        cls = {"pecanpy-SparseOTF": pecanpy.SparseOTF, "pecanpy-PreComp": pecanpy.PreComp}[
            args.tool
        ]
        g = cls(p=args.p, q=args.q, workers=args.workers, verbose=False, random_state=args.seed)
        g.read_edg(args.edges, weighted=True, directed=False)
        t1 = time.perf_counter()
        g.preprocess_transition_probs()
        walks = g.simulate_walks(args.num_walks, args.walk_length)
        walk_s = time.perf_counter() - t1
        t1 = time.perf_counter()
        w2v = Word2Vec(
            walks,
            vector_size=args.dim,
            window=args.window,
            sg=1,
            min_count=0,
            workers=args.workers,
            epochs=1,
            seed=args.seed,
        )
        train_s = time.perf_counter() - t1
        vecs = np.stack(
            [
                w2v.wv[str(k)] if str(k) in w2v.wv else np.zeros(args.dim, np.float32)
                for k in range(n)
            ]
        )
    total = time.perf_counter() - t0
    np.save(args.out, vecs.astype(np.float32))
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    json.dump(
        {"walk_s": walk_s, "train_s": train_s, "total_s": total, "peak_rss_mb": rss_kb / 1024.0},
        open(args.out + ".json", "w"),
    )


def macro_f1(vecs, labels, splits=5):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedShuffleSplit

    y = np.asarray(labels)
    sss = StratifiedShuffleSplit(n_splits=splits, test_size=0.5, random_state=0)
    scores = []
    for tr, te in sss.split(vecs, y):
        clf = LogisticRegression(max_iter=2000).fit(vecs[tr], y[tr])
        scores.append(f1_score(y[te], clf.predict(vecs[te]), average="macro"))
    return float(np.mean(scores))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--tool")
    ap.add_argument("--edges")
    ap.add_argument("--labels")
    ap.add_argument("--out")
    ap.add_argument("--datasets", default="karate,drosophila,sbm")
    ap.add_argument("--tools", default="fastembed,pecanpy-SparseOTF,pecanpy-PreComp")
    ap.add_argument("--pecanpy-python", default=sys.executable)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--walk-length", type=int, default=80)
    ap.add_argument("--num-walks", type=int, default=10)
    ap.add_argument("--window", type=int, default=10)
    ap.add_argument("--p", type=float, default=1.0)
    ap.add_argument("--q", type=float, default=0.5)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.child:
        return child(args)

    settings = {
        k: getattr(args, k)
        for k in ("dim", "walk_length", "num_walks", "window", "p", "q", "workers")
    }
    results = {
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "commit": git_commit(),
        "settings": settings,
        "note": "shared, noisy 2-core machine: medians of interleaved repeats",
        "runs": [],
    }
    for name in args.datasets.split(","):
        edg, lab = prepare(name)
        labels = open(lab).read().splitlines()
        for rep in range(args.repeats):
            for tool in args.tools.split(","):  # interleaved: A B C A B C ...
                py = sys.executable if tool == "fastembed" else args.pecanpy_python
                out = os.path.join(WORK, f"{name}-{tool}-{rep}.npy")
                env = dict(os.environ, NUMBA_NUM_THREADS=str(args.workers))
                cmd = [
                    py,
                    os.path.abspath(__file__),
                    "--child",
                    "--tool",
                    tool,
                    "--edges",
                    edg,
                    "--labels",
                    lab,
                    "--out",
                    out,
                    "--seed",
                    str(args.seed + rep),
                ]
                cmd += [f"--{k.replace('_', '-')}={v}" for k, v in settings.items()]
                t0 = time.perf_counter()
                subprocess.run(cmd, check=True, env=env, cwd=WORK)
                wall = time.perf_counter() - t0
                run = json.load(open(out + ".json"))
                run.update(
                    dataset=name,
                    tool=tool,
                    repeat=rep,
                    process_wall_s=wall,
                    nodes=len(labels),
                    macro_f1=macro_f1(np.load(out), labels),
                )
                results["runs"].append(run)
                print(json.dumps(run), flush=True)
    results["summary"] = summarise(results["runs"])
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, f"{results['date']}-graph.json")
    json.dump(results, open(path, "w"), indent=1)
    print(table(results))
    print("wrote", path)


def summarise(runs):
    out = []
    keys = sorted({(r["dataset"], r["tool"]) for r in runs}, key=lambda k: (k[0], k[1]))
    for ds, tool in keys:
        rs = [r for r in runs if r["dataset"] == ds and r["tool"] == tool]

        def med(f, rs=rs):
            return float(np.median([r[f] for r in rs]))

        out.append(
            {
                "dataset": ds,
                "tool": tool,
                "nodes": rs[0]["nodes"],
                "repeats": len(rs),
                **{
                    f: med(f)
                    for f in (
                        "walk_s",
                        "train_s",
                        "total_s",
                        "process_wall_s",
                        "peak_rss_mb",
                        "macro_f1",
                    )
                },
            }
        )
    return out


def table(results):
    lines = [
        "| graph | nodes | tool | walks s | training s | total s | process wall s | "
        "peak RSS MB | macro-F1 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in results["summary"]:
        lines.append(
            f"| {s['dataset']} | {s['nodes']} | {s['tool']} | {s['walk_s']:.3f} | "
            f"{s['train_s']:.3f} | {s['total_s']:.3f} | {s['process_wall_s']:.2f} | "
            f"{s['peak_rss_mb']:.0f} | {s['macro_f1']:.3f} |"
        )
    return "\n".join(lines)


def machine():
    cpu = platform.processor()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()}


def git_commit():
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=HERE, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return None


if __name__ == "__main__":
    main()
