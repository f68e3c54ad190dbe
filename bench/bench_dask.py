"""Training on a Dask cluster (fastembed_core.dask.train): quality, throughput and a fault.

    python bench/bench_dask.py corpus                       # -> bench/data/english-gcide.txt
    python bench/bench_dask.py quality --processes 2 4 8 --seeds 2 --modes default spark
    python bench/bench_dask.py quality --processes 2 4 8 --seeds 2 --modes default \
        --combine average row_mean --name dask-quality-combine
    python bench/bench_dask.py throughput --repeats 5 [--pair]
    python bench/bench_dask.py fault --processes 2
    python bench/bench_dask.py transfer                     # CPU of moving one round's delta
    python bench/bench_dask.py cpu --repeats 2 --sync-words 500000 2000000  # CPU a round
    python bench/bench_dask.py table bench/results/<date>-dask-quality.json \
        bench/results/<date>-spark-word2vec.json

Every Dask run uses a ``LocalCluster`` of ``--processes`` worker processes with one thread
each (more processes than cores is fine for quality; for throughput the 2 processes of a
2-core machine are the honest case), and ``train(..., workers=1)``: one kernel thread per
process. The reference is one process training the same corpus with one thread
(``Word2Vec(corpus_file=..., workers=1)``) at the same settings and epochs.

Settings (``--modes``): ``default`` is the package's default (CBOW, negative sampling 5,
``sample=1e-3``); ``spark`` is what Spark MLlib's Word2Vec trains (skip-gram, hierarchical
softmax, no negative sampling, no subsampling), to compare with bench/spark_word2vec.py.
Both: 100 dimensions, window 5, min_count 5, alpha 0.025, 5 epochs.

Scores: ``quality_seeds.evaluate`` (WordSim-353, SimLex-999, questions-words restricted to
the 30,000 most frequent words), as in every other quality script. Results go to
bench/results/<date>-<name>.json, rewritten after every run so a stopped run keeps its work.

The corpus (``corpus`` subcommand): bench/data/english.txt and gcide.txt (make_corpora.py)
with their lines shuffled together (fixed seed), 4.44 M tokens: one file, so that the linear
learning-rate decay does not end on one source only.
"""

import argparse
import datetime
import json
import logging
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quality_seeds import _sha256, evaluate  # noqa: E402

CORPUS = "bench/data/english-gcide.txt"
CORPUS_PARTS = ("bench/data/english.txt", "bench/data/gcide.txt")
CORPUS_SEED = 20261201
COMMON = dict(vector_size=100, window=5, min_count=5, alpha=0.025)
MODES = {
    "default": dict(sg=0, hs=0, negative=5, sample=1e-3),
    "spark": dict(sg=1, hs=1, negative=0, sample=0.0),
}
METRICS = ("wordsim353", "simlex999", "analogy")


# ----------------------------------------------------------------------------- helpers


def make_corpus(out=CORPUS, parts=CORPUS_PARTS, seed=CORPUS_SEED):
    """Shuffles the non-empty lines of ``parts`` together into ``out``; returns (lines, tokens)."""
    lines = []
    for path in parts:
        with open(path, encoding="utf-8") as f:
            lines.extend(line for line in f if line.strip())
    random.Random(seed).shuffle(lines)
    with open(out, "w", encoding="utf-8") as f:
        f.writelines(lines)
    return len(lines), sum(len(line.split()) for line in lines)


def settings(mode, epochs, seed, alpha=None):
    """``alpha``: instead of COMMON's (is a hotter schedule better on this corpus?)."""
    out = {**COMMON, **MODES[mode], "epochs": epochs, "seed": seed}
    if alpha is not None:
        out["alpha"] = alpha
    return out


def start_cluster(processes):
    import dask
    from dask.distributed import Client, LocalCluster

    # a machine shared with other jobs can stall a process for many seconds: generous
    # timeouts keep Dask from declaring a slow but live connection dead
    dask.config.set(
        {"distributed.comm.timeouts.connect": "120s", "distributed.comm.timeouts.tcp": "600s"}
    )

    cluster = LocalCluster(
        n_workers=processes,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    return cluster, Client(cluster)


def load_average():
    return os.getloadavg()[0]


def model_class(name="word2vec"):
    """The model family ``--model`` names."""
    import fastembed_core

    return {"word2vec": fastembed_core.Word2Vec, "fasttext": fastembed_core.FastText}[name]


def train_local(corpus, params, family="word2vec"):
    """One process, one thread. Returns (model, wall seconds of vocabulary + training,
    seconds of training alone)."""
    t0 = time.perf_counter()
    model = model_class(family)(workers=1, **params)
    model.build_vocab(corpus_file=corpus)
    t1 = time.perf_counter()
    model.train(corpus_file=corpus, total_words=model.corpus_total_words, epochs=model.epochs)
    t2 = time.perf_counter()
    return model, t2 - t0, t2 - t1


def _one_of_a_pair(corpus, params, barrier, out):
    from fastembed_core import Word2Vec

    model = Word2Vec(workers=1, **params)
    model.build_vocab(corpus_file=corpus)
    barrier.wait()  # both trainings start together: the times overlap
    t0 = time.perf_counter()
    model.train(corpus_file=corpus, total_words=model.corpus_total_words, epochs=model.epochs)
    out.put((time.perf_counter() - t0, model.corpus_total_words, len(model.wv)))


def train_pair(corpus, params):
    """Two independent one-process trainings at once, one per core: the most two processes
    on this machine can do with no exchange at all (they share the memory bus and caches).
    Returns (the slower one's training seconds, raw words of one, vocabulary)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_one_of_a_pair, args=(corpus, params, barrier, out)) for _ in "ab"]
    for proc in procs:
        proc.start()
    results = [out.get() for _ in procs]
    for proc in procs:
        proc.join()
    return max(r[0] for r in results), results[0][1], results[0][2]


def train_dask(
    client, corpus, params, combine=None, sync_words=None, callbacks=(), family="word2vec"
):
    """Returns (model, wall seconds of the whole call, seconds of the training rounds)."""
    from fastembed_core.dask import train

    extra = {"model_class": model_class(family)}
    if combine is not None:
        extra["combine"] = combine
    if sync_words:  # 0: the library's default for the run
        extra["sync_words"] = sync_words
    t0 = time.perf_counter()
    model = train(client, corpus_file=corpus, workers=1, callbacks=callbacks, **extra, **params)
    wall = time.perf_counter() - t0
    rounds = sum(e["compute_seconds"] + e["exchange_seconds"] for e in model.distributed_log)
    return model, wall, rounds


def default_combine():
    from fastembed_core.dask import train

    return train.__kwdefaults__["combine"]


def log_summary(log, processes):
    """Per-round medians of a distributed_log and the per-worker compute rate."""
    med = statistics.median
    return {
        "rounds": len(log),
        "restarts": sum(e.get("restarts", 0) for e in log),
        "compute_s_per_round": med(e["compute_seconds"] for e in log),
        "exchange_s_per_round": med(e["exchange_seconds"] for e in log),
        "exchange_s_total": sum(e["exchange_seconds"] for e in log),
        "compute_s_total": sum(e["compute_seconds"] for e in log),
        "bytes_to_workers_per_round": med(e["bytes_to_workers"] for e in log),
        "bytes_from_workers_per_round": med(e["bytes_from_workers"] for e in log),
        "words_per_round": med(e["words"] for e in log),
        # each worker trains words/processes in compute_seconds (the slowest worker's time)
        "compute_words_per_s_per_worker": med(
            e["words"] / processes / e["compute_seconds"] for e in log if e["compute_seconds"]
        ),
        # where a round's exchange goes (logged since the workers combine for themselves)
        **{
            f"{key}_per_round": med(e[key] for e in log if e.get(key) is not None)
            for key in (
                "worker_sync_seconds",
                "delta_fetch_seconds",
                "combine_task_seconds",
                "start_seconds",
                "combine_seconds",
                "bytes_moved",
            )
            if any(e.get(key) is not None for e in log)
        },
        "rows_changed_per_round": {
            name: med(e["rows_changed"][name] for e in log)
            for name in (log[0].get("rows_changed") or {})
        },
    }


def write(name, doc):
    doc.setdefault("date", datetime.date.today().isoformat())
    doc.setdefault(
        "commit",
        subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip(),
    )
    path = f"bench/results/{doc['date']}-{name}.json"
    os.makedirs("bench/results", exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    return path


def record(name, doc, run):
    """Adds a run to the results, prints it and rewrites the file (a run at a time, so an
    interrupted benchmark keeps what it measured)."""
    doc["runs"].append(run)
    print(json.dumps(run), flush=True)
    write(name, doc)


def header(args):
    return {
        "corpus": args.corpus,
        "corpus_sha256": _sha256(args.corpus),
        "common": COMMON,
        "modes": {m: MODES[m] for m in getattr(args, "modes", ["default"])},
        "epochs": args.epochs,
        "model": getattr(args, "model", "word2vec"),
        "alpha": getattr(args, "alpha", None) or COMMON["alpha"],
        "cpus": os.cpu_count(),
    }


# ----------------------------------------------------------------------------- quality


def run_quality(args):
    """Single-process runs first (the reference), then every Dask run, one cluster a size."""
    combines = args.combine or [default_combine()]
    doc = {"what": "Dask training vs one process: quality", **header(args), "runs": []}
    doc["sync_words"] = args.sync_words[0]
    seeds = range(args.first_seed, args.first_seed + args.seeds)

    if not args.no_local:
        for seed in seeds:
            for mode in args.modes:
                model, wall, train_s = train_local(
                    args.corpus, settings(mode, args.epochs, seed, args.alpha), args.model
                )
                scores = evaluate(model.wv.to_gensim())
                record(
                    args.name, doc,
                    {"engine": "local", "processes": 1, "combine": None, "mode": mode,
                     "seed": seed, **scores, "wall_s": wall, "train_s": train_s,
                     "load": load_average()}
                )  # fmt: skip
    for processes in args.processes:
        cluster, client = start_cluster(processes)
        try:
            for seed in seeds:
                for mode in args.modes:
                    for combine in combines:
                        model, wall, train_s = train_dask(
                            client, args.corpus, settings(mode, args.epochs, seed, args.alpha),
                            combine=combine, sync_words=args.sync_words[0],
                            family=args.model,
                        )  # fmt: skip
                        scores = evaluate(model.wv.to_gensim())
                        record(
                            args.name, doc,
                            {"engine": "dask", "processes": processes, "combine": combine,
                             "mode": mode, "seed": seed, **scores, "wall_s": wall,
                             "train_s": train_s, "load": load_average(),
                             **log_summary(model.distributed_log, processes)}
                        )  # fmt: skip
        finally:
            client.close()
            cluster.close()
    print("wrote", write(args.name, doc))


# ----------------------------------------------------------------------------- throughput


def run_throughput(args):
    """One process vs ``--processes`` Dask workers at each ``--sync-words``, interleaved
    ``--repeats`` times (engines ``local`` and ``dask-<sync_words>``)."""
    params = settings(args.modes[0], args.epochs, args.first_seed)
    processes = args.processes[0]
    doc = {
        "what": f"throughput, 1 process vs {processes} Dask worker processes "
        "(1 thread each), interleaved repeats",
        **header(args),
        "mode": args.modes[0],
        "sync_words": args.sync_words,
        "combine": args.combine[0] if args.combine else default_combine(),
        "runs": [],
    }
    engines = ["local"] + (["pair"] if args.pair else []) + [f"dask-{s}" for s in args.sync_words]
    cluster, client = start_cluster(processes)
    try:
        # one untimed Dask run: workers import the package and warm their caches
        train_dask(client, args.corpus, {**params, "epochs": 1})
        for repeat in range(args.repeats):
            for engine in engines:
                load_before = load_average()
                if engine == "pair":
                    train_s, one, vocabulary = train_pair(args.corpus, params)
                    raw = 2 * one * args.epochs  # two trainings' words
                    run = {
                        "engine": engine,
                        "repeat": repeat,
                        "train_s": train_s,
                        "raw_words": raw,
                        "words_per_s": raw / train_s,
                        "vocabulary": vocabulary,
                        "load_before": load_before,
                        "load_after": load_average(),
                        "processes": 2,
                    }
                    record(args.name, doc, run)
                    continue
                if engine == "local":
                    model, wall, train_s = train_local(args.corpus, params)
                    extra = {"processes": 1}
                else:
                    sync_words = int(engine.split("-")[1])
                    model, wall, train_s = train_dask(
                        client, args.corpus, params, combine=doc["combine"],
                        sync_words=sync_words,
                    )  # fmt: skip
                    extra = {
                        "processes": processes,
                        "sync_words": sync_words,
                        **log_summary(model.distributed_log, processes),
                    }
                raw = model.corpus_total_words * args.epochs
                run = {
                    "engine": engine,
                    "repeat": repeat,
                    "wall_s": wall,
                    "train_s": train_s,
                    "raw_words": raw,
                    "words_per_s": raw / train_s,
                    "words_per_s_wall": raw / wall,
                    "effective_words_per_s": model.words_per_second,
                    "vocabulary": len(model.wv),
                    "vector_size": model.vector_size,
                    "load_before": load_before,
                    "load_after": load_average(),
                    **extra,
                }
                record(args.name, doc, run)
    finally:
        client.close()
        cluster.close()
    doc["summary"] = throughput_summary(doc["runs"], engines)
    print(json.dumps(doc["summary"], indent=1))
    print("wrote", write(args.name, doc))


def throughput_summary(runs, engines):
    """Medians per engine; each Dask engine's speed-up over one process, taken per repeat
    (runs next to each other in time share the machine's load) and as the median of those."""
    med = statistics.median
    out = {}
    for engine in engines:
        rs = [r for r in runs if r["engine"] == engine]
        out[engine] = {
            k: med(r[k] for r in rs)
            for k in ("words_per_s", "words_per_s_wall", "effective_words_per_s", "train_s")
            if all(k in r for r in rs)
        }
        if engine == "local":
            continue
        local = {r["repeat"]: r for r in runs if r["engine"] == "local"}
        ratios = [r["words_per_s"] / local[r["repeat"]]["words_per_s"] for r in rs]
        if engine == "pair":
            out[engine].update(speedup_per_repeat=ratios, speedup_median=med(ratios))
            continue
        pair = {r["repeat"]: r for r in runs if r["engine"] == "pair"}
        if pair:  # the share of the no-exchange ceiling that the cluster reaches
            of_pair = [r["words_per_s"] / pair[r["repeat"]]["words_per_s"] for r in rs]
            out[engine].update(of_pair_per_repeat=of_pair, of_pair_median=med(of_pair))
        walls = [r["words_per_s_wall"] / local[r["repeat"]]["words_per_s_wall"] for r in rs]
        out[engine].update(
            speedup_per_repeat=ratios,
            speedup_median=med(ratios),
            speedup_wall_median=med(walls),
            exchange_share=med(r["exchange_s_total"] / r["train_s"] for r in rs),
        )
    return out


# ----------------------------------------------------------------------------- transfer


def _dense_delta(rows, dim):
    import numpy as np

    return {name: (np.ones(rows, bool), np.ones((rows, dim), np.float32)) for name in "ab"}


def _cpu():
    return time.process_time()


def _received(x):
    return len(x)


def run_transfer(args):
    """Process CPU time of moving one round's delta (2 matrices of the model's shape, dense)
    worker -> driver and worker -> worker on a LocalCluster: what every byte of the exchange
    costs the cores it runs on, whatever else the machine runs."""
    from distributed import wait

    rows, dim, n = args.rows, COMMON["vector_size"], args.repeats
    cluster, client = start_cluster(2)
    try:
        src, dst = sorted(client.ncores())
        made = [client.submit(_dense_delta, rows, dim, pure=False, workers=[src]) for _ in range(n)]
        wait(made)
        mb = rows * (1 + 4 * dim) * 2 / 1e6
        w0, d0, t0 = client.run(_cpu), time.process_time(), time.perf_counter()
        for fut in made:
            fut.result()
        t1, d1, w1 = time.perf_counter(), time.process_time(), client.run(_cpu)
        to_driver = {
            "wall_ms": (t1 - t0) / n * 1e3,
            "receiver_cpu_ms": (d1 - d0) / n * 1e3,
            "sender_cpu_ms": (w1[src] - w0[src]) / n * 1e3,
        }
        w0, t0 = client.run(_cpu), time.perf_counter()
        wait([client.submit(_received, f, pure=False, workers=[dst]) for f in made])
        t1, w1 = time.perf_counter(), client.run(_cpu)
        to_worker = {
            "wall_ms": (t1 - t0) / n * 1e3,
            "receiver_cpu_ms": (w1[dst] - w0[dst]) / n * 1e3,
            "sender_cpu_ms": (w1[src] - w0[src]) / n * 1e3,
        }
    finally:
        client.close()
        cluster.close()
    doc = {
        "what": "CPU of moving one dense round delta between processes (medians not taken: "
        "means over --repeats transfers)",
        "megabytes": mb,
        "transfers": n,
        "worker_to_driver": to_driver,
        "worker_to_worker": to_worker,
        "load": load_average(),
    }
    print(json.dumps(doc, indent=1))
    print("wrote", write(args.name, doc))


# ----------------------------------------------------------------------------- cpu


class CpuOverRounds:
    """Callback: the process CPU time the driver and every worker spend from the first round
    to the last (the vocabulary count and the shards' start left out)."""

    def __init__(self, client):
        self.client = client

    def on_train_begin(self, model):
        self.workers0, self.driver0 = self.client.run(_cpu), time.process_time()

    def on_train_end(self, model):
        self.driver = time.process_time() - self.driver0
        workers1 = self.client.run(_cpu)
        self.workers = sum(workers1[w] - self.workers0[w] for w in workers1 if w in self.workers0)


def run_cpu(args):
    """CPU seconds a round of the driver (its process runs the scheduler of a LocalCluster)
    and of the workers together, at each ``--sync-words``: what a round costs the cores,
    training included, whatever else the machine runs."""
    params = settings(args.modes[0], args.epochs, args.first_seed)
    doc = {"what": "process CPU seconds a round, driver and workers", **header(args), "runs": []}
    cluster, client = start_cluster(args.processes[0])
    try:
        train_dask(client, args.corpus, {**params, "epochs": 1})  # warm the workers up
        for repeat in range(args.repeats):
            for sync_words in args.sync_words:
                cpu = CpuOverRounds(client)
                model, wall, train_s = train_dask(
                    client, args.corpus, params, sync_words=sync_words, callbacks=[cpu]
                )
                rounds = len(model.distributed_log)
                run = {
                    "repeat": repeat,
                    "sync_words": sync_words,
                    "rounds": rounds,
                    "train_s": train_s,
                    "driver_cpu_s_per_round": cpu.driver / rounds,
                    "workers_cpu_s_per_round": cpu.workers / rounds,
                    "load": load_average(),
                }
                record(args.name, doc, run)
    finally:
        client.close()
        cluster.close()
    print("wrote", write(args.name, doc))


# ----------------------------------------------------------------------------- fault


class KillOneWorker:
    """Callback: when epoch ``epoch`` begins, starts a timer that kills one Dask worker
    process (SIGKILL; its nanny starts a new one) ``fraction`` of an epoch later, an epoch's
    duration being measured on the first epoch."""

    def __init__(self, client, epoch, fraction):
        self.client, self.epoch, self.fraction = client, epoch, fraction
        self.seen = 0
        self.t_epoch = None
        self.killed = None

    def on_epoch_begin(self, model):
        now = time.perf_counter()
        if self.seen == 1:
            self.epoch_seconds = now - self.t_epoch
        self.t_epoch = now
        if self.seen == self.epoch:
            threading.Timer(self.fraction * self.epoch_seconds, self.kill).start()
        self.seen += 1

    def on_epoch_end(self, model):
        pass

    def kill(self):
        address = sorted(self.client.scheduler_info()["workers"])[-1]
        pid = self.client.run(os.getpid, workers=[address])[address]
        self.killed = {"address": address, "pid": pid, "at": time.perf_counter()}
        print(f"killing worker {address} (pid {pid})", flush=True)
        os.kill(pid, signal.SIGKILL)  # the cluster is local: as abrupt as a machine failing


def run_fault(args):
    processes = args.processes[0]
    doc = {"what": "one Dask worker process killed mid-training", **header(args), "runs": []}
    cluster, client = start_cluster(processes)
    try:
        for mode in args.modes:
            params = settings(mode, args.epochs, args.first_seed)
            for fault in (True,) if args.no_baseline else (False, True):
                killer = KillOneWorker(client, epoch=2, fraction=0.5) if fault else None
                model, wall, train_s = train_dask(
                    client, args.corpus, params, sync_words=args.sync_words[0],
                    callbacks=[killer] if killer else (),
                )  # fmt: skip
                run = {
                    "engine": "dask",
                    "processes": processes,
                    "mode": mode,
                    "seed": args.first_seed,
                    "fault": fault,
                    "killed": killer.killed["address"] if killer and killer.killed else None,
                    "workers_after": len(client.scheduler_info()["workers"]),
                    **evaluate(model.wv.to_gensim()),
                    "wall_s": wall,
                    "train_s": train_s,
                    "restarted_rounds": [
                        (e["epoch"], e["round"], e["restarts"])
                        for e in model.distributed_log
                        if e.get("restarts")
                    ],
                    **log_summary(model.distributed_log, processes),
                }
                record(args.name, doc, run)
                client.wait_for_workers(processes, timeout=120)
    finally:
        client.close()
        cluster.close()
    print("wrote", write(args.name, doc))


# ----------------------------------------------------------------------------- table


def _mean(runs, metric):
    return statistics.mean(r[metric] for r in runs)


def _round_words(run):
    """The words a worker trained a round, on average, to two significant digits (0 if the
    run did not record it): what tells apart runs of one setting with different
    ``sync_words``, including a 0 (the library's default) that changed over time. The last
    round of a shard's epoch is shorter, so this is a little below ``sync_words``."""
    words = run.get("words_per_round")
    if not words:
        return 0
    per_worker = words / run["processes"]
    return int(float(f"{per_worker:.2g}"))


def quality_table(paths, tolerance=0.015):
    """Markdown: every engine's mean score over seeds and its difference to one process on
    the same seeds (Spark's seeds are not ours: its rows are compared with every local seed)."""
    runs, spark = [], []
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        for r in doc["runs"]:
            (spark if r.get("library") == "spark_mllib" else runs).append(r)
    lines = [
        "| setting | engine | seeds | WS353 (diff) | SimLex (diff) | analogy (diff) "
        "| train s (loaded) |",
        "|---|---|---|---|---|---|---:|",
    ]
    for mode in MODES:
        local = [r for r in runs if r["engine"] == "local" and r["mode"] == mode]
        if not local:
            continue
        groups = {}
        for r in runs:
            if r["mode"] == mode and r["engine"] == "dask":
                groups.setdefault((r["processes"], r["combine"], _round_words(r)), []).append(r)
        rows = [("1 process", local, local)]
        for (p, c, words), rs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            seeds = {r["seed"] for r in rs}
            label = f"Dask {p} processes, {c}" + (f", ~{words:,} words a round" if words else "")
            rows.append((label, rs, [r for r in local if r["seed"] in seeds]))
        if mode == "spark":
            by_parts = {}
            for r in spark:
                by_parts.setdefault(r["partitions"], []).append(r)
            rows += [
                (f"Spark MLlib, {p} partition(s)", rs, local) for p, rs in sorted(by_parts.items())
            ]
        for label, rs, ref in rows:
            cells = []
            for metric in METRICS:
                m = _mean(rs, metric)
                if rs is local:
                    cells.append(f"{m:.3f}")
                    continue
                diff = m - _mean(ref, metric)
                mark = " **!**" if abs(diff) > tolerance else ""
                cells.append(f"{m:.3f} ({diff:+.3f}{mark})")
            seeds = ", ".join(str(s) for s in sorted({r["seed"] for r in rs}))
            lines.append(
                f"| {mode} | {label} | {seeds} | {' | '.join(cells)} | {_mean(rs, 'train_s'):.0f} |"
            )
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main


def main(argv=None):
    warnings.filterwarnings("ignore")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("corpus", help=f"write {CORPUS}")
    commands = (("quality", [2, 4, 8]), ("throughput", [2]), ("fault", [2]), ("cpu", [2]))
    for name, default_processes in commands:
        p = sub.add_parser(name)
        p.add_argument("--corpus", default=CORPUS)
        p.add_argument("--processes", type=int, nargs="*", default=default_processes)
        p.add_argument("--alpha", type=float, help="instead of 0.025 (quality)")
        p.add_argument("--modes", nargs="+", default=["default"], choices=sorted(MODES))
        p.add_argument("--combine", nargs="+", help="default: the package's default scheme")
        p.add_argument("--epochs", type=int, default={"throughput": 3, "cpu": 2}.get(name, 5))
        p.add_argument("--seeds", type=int, default=2)
        p.add_argument("--first-seed", type=int, default=1)
        p.add_argument(
            "--sync-words",
            type=int,
            nargs="+",
            default=[500_000],
            help="words per worker between combines (throughput: one engine per value; "
            "quality: 0 for the library's default)",
        )
        p.add_argument("--repeats", type=int, default=5)
        p.add_argument("--no-local", action="store_true", help="skip the one-process runs")
        p.add_argument(
            "--pair",
            action="store_true",
            help="throughput: also two independent one-process trainings at once in every "
            "repeat (engine 'pair'), the ceiling for 2 processes with no exchange",
        )
        p.add_argument(
            "--no-baseline", action="store_true", help="fault: skip the run without a fault"
        )
        p.add_argument("--model", default="word2vec", choices=["word2vec", "fasttext"])
        p.add_argument("--name", default=f"dask-{name}", help="results: <date>-<name>.json")
    tr = sub.add_parser("transfer", help="CPU of moving one round's delta between processes")
    tr.add_argument("--rows", type=int, default=39_704, help="rows of each of the 2 matrices")
    tr.add_argument("--repeats", type=int, default=20)
    tr.add_argument("--name", default="dask-transfer")
    t = sub.add_parser("table", help="markdown quality table of result files")
    t.add_argument("paths", nargs="+")
    args = ap.parse_args(argv)
    if args.command == "corpus":
        lines, tokens = make_corpus()
        print(f"wrote {CORPUS}: {lines:,} lines, {tokens:,} tokens, sha256 {_sha256(CORPUS)}")
    elif args.command == "table":
        print(quality_table(args.paths))
    elif args.command == "transfer":
        run_transfer(args)
    else:
        commands = {
            "quality": run_quality,
            "throughput": run_throughput,
            "fault": run_fault,
            "cpu": run_cpu,
        }
        commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
