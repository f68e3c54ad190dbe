"""Cost model of synchronous data-parallel training: projected throughput on N machines.

    python bench/dask_cost_model.py bench/results/<date>-dask-throughput.json
    python bench/dask_cost_model.py --rate 600000 --upload-mb 32 --model-mb 32 --machines 16 64

Fed by a bench/bench_dask.py throughput file (or the same numbers on the command line):

    r  words/s one worker trains (compute_words_per_s_per_worker: the round's words per worker
       over the slowest worker's compute seconds; median over rounds and repeats)
    u  bytes each worker sends back per round (bytes_from_workers / processes)
    D  bytes of the combined delta every worker receives per round
    M  bytes of the whole trainable state (rows of every matrix the deltas cover, with their
       8-byte row ids): the bound of D, reached when the workers together touch every row
    S  sync_words, the words each worker trains between two combines
    C  bytes/s the combining node adds deltas at (fastembed_core.distributed.combine.combine,
       timed here in process CPU time on deltas of the model's shape)
    W  seconds a worker spends per round outside training on its own model (add the combined
       delta to the base it keeps, reset the model to it, subtract the base from the trained
       model; CPU time measured here at the model's size)
    B  link bandwidth (10 Gbit/s = 1.25e9 B/s, times --link-efficiency for framing/TCP)
    L  latency of one message hop, scheduling included (--latency-ms)

A round is compute then exchange (no overlap: the workers wait for the combined delta):

    T_round(N) = S / r + W + T_x(N)      throughput(N) = N * S / T_round(N)
    speedup(N) = throughput(N) / r       (one machine trains at r with no exchange)

(the table's "exchange s" is W + T_x). The transfer T_x(N) for four ways of moving the deltas, with h = ceil(log2 N):

    star   (every delta to the driver, the result back to every worker, one link at the driver)
           T_x = 2 L + N u / B + N u / C + N D / B
    dask   (what fastembed_core.dask does: every worker fetches the other workers' deltas
           over its own link, all at once, and combines them itself; the next round starts
           from that; the driver fetches one combined delta while the next round trains)
           T_x = 2 L + (N - 1) u / B + N u / C
    tree   (reduce in a binary tree, each inner node combining its children's deltas, then
           broadcast down the same tree; a partial sum is bounded by D)
           T_x = 2 h L + h (2 D / B + 2 D / C) + h (2 D / B)
    ring   (bandwidth-optimal allreduce of the dense state, e.g. NCCL/Gloo style)
           T_x = 2 (N - 1) L + 2 (N - 1) / N * M / B + M / C

Assumptions, stated so they can be argued with: D(N) = M for N >= 16 (with S = 500,000 words
each worker already touches most rows of a 40,000-word vocabulary; the measured D/M is
printed); u does not grow with N (each worker trains S words whatever N is); machines are
alike and the slowest worker sets the pace (no straggler allowance); the quality measured at
2-8 workers holds at 16-64 with the same S (not measured: more workers with the same S means
more words between syncs in total, and the schemes' drift grows with it).
"""

import argparse
import json
import math
import statistics
import sys
import time

import numpy as np

PATTERNS = ("star", "dask", "tree", "ring")


def exchange_seconds(pattern, n, u, d, m, bandwidth, latency, combine_rate, worker_s=0.0):
    """T_x(N) of one round, in seconds (formulas in the module docstring)."""
    return worker_s + _transfer_seconds(pattern, n, u, d, m, bandwidth, latency, combine_rate)


def _transfer_seconds(pattern, n, u, d, m, bandwidth, latency, combine_rate):
    h = math.ceil(math.log2(n)) if n > 1 else 0
    if pattern == "star":
        return 2 * latency + n * u / bandwidth + n * u / combine_rate + n * d / bandwidth
    if pattern == "dask":
        return 2 * latency + (n - 1) * u / bandwidth + n * u / combine_rate
    if pattern == "tree":
        return (
            2 * h * latency + h * (2 * d / bandwidth + 2 * d / combine_rate) + h * 2 * d / bandwidth
        )
    if pattern == "ring":
        return 2 * (n - 1) * latency + 2 * (n - 1) / n * m / bandwidth + m / combine_rate
    raise ValueError(f"pattern must be one of {PATTERNS}; got {pattern!r}")


def project(n, rate, sync_words, u, d, m, bandwidth, latency, combine_rate, pattern, worker_s=0.0):
    compute = sync_words / rate
    x = exchange_seconds(pattern, n, u, d, m, bandwidth, latency, combine_rate, worker_s)
    throughput = n * sync_words / (compute + x)
    return {
        "machines": n,
        "pattern": pattern,
        "sync_words": sync_words,
        "compute_s": compute,
        "exchange_s": x,
        "words_per_s": throughput,
        "speedup": throughput / rate,
        "efficiency": throughput / rate / n,
    }


def _cpu_seconds(work, repeats=3):
    """Least process CPU time of ``work()``: what it costs on a core of its own, whatever
    else the machine runs."""
    best = math.inf
    for _ in range(repeats):
        t0 = time.process_time()
        work()
        best = min(best, time.process_time() - t0)
    return best


def measure_combine_rate(rows, dim, n_deltas=4):
    """Bytes/s of delta input fastembed_core's combine() sums (one matrix, every row changed:
    the dense form the workers send when most rows change)."""
    from fastembed_core.distributed.combine import combine

    rng = np.random.default_rng(0)
    every_row = np.ones(rows, dtype=bool)
    deltas = [
        {"m": (every_row, rng.standard_normal((rows, dim), dtype=np.float32))}
        for _ in range(n_deltas)
    ]
    return n_deltas * rows * (1 + 4 * dim) / _cpu_seconds(lambda: combine(deltas, "sum"))


def measure_worker_seconds(rows, dim, matrices=2):
    """CPU seconds a worker spends per round outside training, for a model of ``matrices``
    matrices of ``rows`` x ``dim``: add the combined delta to the kept base, reset the model
    to it, and take the trained model's delta against it (as fastembed_core's round task
    does)."""
    from fastembed_core.distributed.combine import apply_delta, delta_of

    rng = np.random.default_rng(0)
    base = rng.standard_normal((rows, dim), dtype=np.float32)
    model = base + np.float32(0.01)
    combined = (np.ones(rows, dtype=bool), np.full((rows, dim), 0.01, np.float32))

    def one_matrix():
        apply_delta(base, *combined)
        np.copyto(model, base)
        model[::2] += np.float32(0.01)  # stands for the training (not timed apart: cheap)
        delta_of(base, model)

    return matrices * _cpu_seconds(one_matrix)


def inputs_from_results(path, processes=2, vocabulary=None, dim=None):
    """(r, u, D, M, S, vocabulary, dim) from a bench_dask.py throughput (or quality) file:
    medians over its Dask runs with ``processes`` workers."""
    with open(path) as f:
        doc = json.load(f)
    runs = [
        {"sync_words": doc["sync_words"], **r}
        for r in doc["runs"]
        if r["engine"].startswith("dask") and r["processes"] == processes
    ]
    if not runs:
        raise SystemExit(f"{path}: no Dask run with {processes} processes")
    sync = min(r["sync_words"] for r in runs)  # the runs at the smallest sync_words
    runs = [r for r in runs if r["sync_words"] == sync]
    med = statistics.median
    rate = med(r["compute_words_per_s_per_worker"] for r in runs)
    upload = med(r["bytes_from_workers_per_round"] for r in runs) / processes
    down = med(r["bytes_to_workers_per_round"] for r in runs) / processes
    vocabulary = runs[0].get("vocabulary", vocabulary)
    dim = runs[0].get("vector_size", dim)
    if vocabulary is None or dim is None:
        raise SystemExit(f"{path} does not record the model's size: give --vocabulary, --dim")
    matrices = len(runs[0]["rows_changed_per_round"]) or 2
    model = matrices * vocabulary * (8 + 4 * dim)
    return rate, upload, down, model, sync, vocabulary, dim


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="?", help="bench_dask.py throughput JSON")
    ap.add_argument("--rate", type=float, help="r: words/s per worker")
    ap.add_argument("--upload-mb", type=float, help="u: MB each worker sends per round")
    ap.add_argument("--model-mb", type=float, help="M: MB of the whole trainable state")
    ap.add_argument("--processes", type=int, default=2, help="which runs of the file to use")
    ap.add_argument("--vocabulary", type=int, default=39704, help="rows of each matrix")
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--sync-words", type=int, nargs="+", help="S (default: the run's, and 4x)")
    ap.add_argument("--machines", type=int, nargs="+", default=[2, 16, 64])
    ap.add_argument("--gbit", type=float, default=10.0, help="link bandwidth, Gbit/s")
    ap.add_argument("--link-efficiency", type=float, default=0.8)
    ap.add_argument("--latency-ms", type=float, default=5.0, help="L: per message hop")
    ap.add_argument("--combine-gbps", type=float, help="C in GB/s (default: measured here)")
    ap.add_argument("--worker-ms", type=float, help="W in ms (default: measured here)")
    ap.add_argument("--json", help="also write the projections to this file")
    args = ap.parse_args(argv)

    if args.results:
        rate, upload, down, model, sync, vocabulary, dim = inputs_from_results(
            args.results, args.processes, args.vocabulary, args.dim
        )
    else:
        if args.rate is None or args.upload_mb is None:
            ap.error("give a results file or --rate and --upload-mb")
        rate, upload, sync = args.rate, args.upload_mb * 1e6, 500_000
        vocabulary, dim = args.vocabulary, args.dim
        model = args.model_mb * 1e6 if args.model_mb else 2 * vocabulary * (8 + 4 * dim)
        down = model
    rate = args.rate or rate
    upload = args.upload_mb * 1e6 if args.upload_mb else upload
    model = args.model_mb * 1e6 if args.model_mb else model
    syncs = args.sync_words or [sync, 4 * sync]
    bandwidth = args.gbit * 1e9 / 8 * args.link_efficiency
    latency = args.latency_ms / 1e3
    combine_rate = (
        args.combine_gbps * 1e9 if args.combine_gbps else measure_combine_rate(vocabulary, dim)
    )
    # the worker's own share scales with the rows it holds: measured at the model's size
    worker_s = (
        args.worker_ms / 1e3
        if args.worker_ms is not None
        else measure_worker_seconds(vocabulary, dim)
    )
    print(
        f"inputs: r = {rate:,.0f} words/s per worker, u = {upload / 1e6:.1f} MB/worker/round, "
        f"D measured = {down / 1e6:.1f} MB (D/M = {down / model:.2f}), M = {model / 1e6:.1f} MB, "
        f"B = {bandwidth / 1e9:.2f} GB/s, L = {latency * 1e3:.1f} ms, "
        f"C = {combine_rate / 1e9:.2f} GB/s, W = {worker_s * 1e3:.0f} ms"
    )
    print("| machines | S (sync_words) | pattern | compute s | exchange s | words/s | speedup "
          "| efficiency |")  # fmt: skip
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    rows = []
    for n in args.machines:
        d = model if n >= 16 else max(down, upload)
        for s in syncs:
            for pattern in PATTERNS:
                p = project(
                    n, rate, s, upload, d, model, bandwidth, latency, combine_rate, pattern,
                    worker_s,
                )  # fmt: skip
                rows.append(p)
                print(
                    f"| {n} | {s:,} | {pattern} | {p['compute_s']:.3f} | {p['exchange_s']:.3f} "
                    f"| {p['words_per_s'] / 1e6:.2f} M | {p['speedup']:.1f}x "
                    f"| {100 * p['efficiency']:.0f}% |"
                )
    if args.json:
        with open(args.json, "w") as f:
            inputs = dict(rate=rate, upload=upload, down=down, model=model, bandwidth=bandwidth,
                          latency=latency, combine_rate=combine_rate, worker_s=worker_s,
                          sync_words=syncs)  # fmt: skip
            json.dump({"inputs": inputs, "projections": rows}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
