"""The vocabulary scan of a text file, fastembed_core against gensim, side by side.

Times ``Word2Vec(...).build_vocab`` on one corpus file for

* ``fastembed_core``: ``build_vocab(corpus_file=path)`` (the C scan, which also keeps every
  token as an index into the words it found, then choosing the vocabulary and allocating the
  vectors, as gensim's build_vocab does too);
* ``fastembed_core_scan``: only the C scan inside it, ``vocab.count_files`` (the file cut at
  line starts into one part per worker, each counted on its own thread, then merged; one
  thread with ``--workers 1``; a breakdown, not a peer);
* ``gensim_file``: gensim's ``build_vocab(corpus_file=path)``;
* ``gensim_iterable``: gensim's ``build_vocab(LineSentence(path))``.

All in one process, interleaved: every round runs each of them once, in an order that rotates
from round to round, after one untimed warm-up round (file in the page cache, imports done).
Wall time (``perf_counter``) and the process's CPU time are both recorded; the ratios are taken
per round (gensim's time over fastembed_core's in the same round) and their median reported,
so that load from other processes on a shared machine, which changes from minute to minute,
cancels as far as it can. The vocabularies both produce (words and counts at ``min_count``)
are compared once.

    python bench/vocab_scan.py --corpus bench/data/english.txt --repeats 9
    python bench/vocab_scan.py --corpus bench/data/english.txt --repeats 9 --workers 2

gensim's scan is single-threaded whatever ``workers`` says; ours follows ``workers`` (at most
one thread a core), so ``--workers 1`` is the one-thread comparison.
"""

import argparse
import datetime
import json
import logging
import os
import statistics
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)

from run_bench import RESULTS_DIR, STANDARD, git_info, machine_info  # noqa: E402

PEERS = ("fastembed_core", "fastembed_core_scan", "gensim_file", "gensim_iterable")
RATIOS = (("gensim_file", "fastembed_core"), ("gensim_iterable", "fastembed_core"))
# With --workers > 1, the one-thread build_vocab too, in the same rounds: both ratios honest.
ONE_THREAD = "fastembed_core_1_thread"


def peers_for(workers):
    return PEERS + (ONE_THREAD,) if workers > 1 else PEERS


def ratios_for(workers):
    return RATIOS + (("gensim_file", ONE_THREAD),) if workers > 1 else RATIOS


def _settings(workers):
    return dict(STANDARD, workers=workers, seed=1)


def make_runners(path, workers):
    """peer -> a function that runs its scan once and returns the model (or None)."""
    from gensim.models import Word2Vec as GensimWord2Vec
    from gensim.models.word2vec import LineSentence

    from fastembed_core import Word2Vec
    from fastembed_core.models.vocab import count_files

    settings = _settings(workers)

    def fastembed_core():
        model = Word2Vec(**settings)
        model.build_vocab(corpus_file=path)
        return model

    def fastembed_core_1_thread():
        model = Word2Vec(**dict(settings, workers=1))
        model.build_vocab(corpus_file=path)
        return model

    def fastembed_core_scan():
        count_files([path], workers=workers)

    def gensim_file():
        model = GensimWord2Vec(**settings)
        model.build_vocab(corpus_file=path)
        return model

    def gensim_iterable():
        model = GensimWord2Vec(**settings)
        model.build_vocab(LineSentence(path))
        return model

    return {
        "fastembed_core": fastembed_core,
        ONE_THREAD: fastembed_core_1_thread,
        "fastembed_core_scan": fastembed_core_scan,
        "gensim_file": gensim_file,
        "gensim_iterable": gensim_iterable,
    }


def same_vocabulary(ours, theirs):
    """Whether two models kept the same words with the same counts."""
    a = {w: int(ours.wv.get_vecattr(w, "count")) for w in ours.wv.index_to_key}
    b = {w: int(theirs.wv.get_vecattr(w, "count")) for w in theirs.wv.index_to_key}
    return a == b


def _module_dir():
    """Where the fastembed_core that was timed lives (PYTHONPATH may point at another tree)."""
    import fastembed_core

    return os.path.dirname(os.path.abspath(fastembed_core.__file__))


def timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - w0, time.process_time() - c0, result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=os.path.join(BENCH_DIR, "data", "english.txt"))
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument(
        "--out", default=os.path.join(RESULTS_DIR, f"{datetime.date.today()}-vocab-scan.json")
    )
    args = ap.parse_args(argv)
    logging.disable(logging.CRITICAL)  # gensim logs every 10,000 sentences
    path = os.path.abspath(args.corpus)
    runners = make_runners(path, args.workers)
    peers = peers_for(args.workers)

    models = {peer: runners[peer]() for peer in peers}  # warm-up round, untimed
    same = {
        peer: same_vocabulary(models["fastembed_core"], models[peer])
        for peer in ("gensim_file", "gensim_iterable", ONE_THREAD)
        if peer in models
    }
    del models
    load_before = os.getloadavg()
    rounds = []
    for r in range(args.repeats):
        order = peers[r % len(peers) :] + peers[: r % len(peers)]
        row = {}
        for peer in order:
            wall, cpu, _ = timed(runners[peer])
            row[peer] = {"wall_s": round(wall, 5), "cpu_s": round(cpu, 5)}
        rounds.append(row)
        print(
            f"round {r + 1}: " + "  ".join(f"{p} {row[p]['wall_s'] * 1000:7.1f} ms" for p in peers),
            flush=True,
        )
    load_after = os.getloadavg()

    medians = {
        peer: {
            key: round(statistics.median(row[peer][key] for row in rounds), 5)
            for key in ("wall_s", "cpu_s")
        }
        for peer in peers
    }
    ratios = {}
    for slow, fast in ratios_for(args.workers):
        for key in ("wall_s", "cpu_s"):
            per_round = [row[slow][key] / row[fast][key] for row in rounds]
            ratios[f"{slow}/{fast} {key}"] = {
                "median": round(statistics.median(per_round), 2),
                "min": round(min(per_round), 2),
                "max": round(max(per_round), 2),
            }
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": "python bench/vocab_scan.py " + " ".join(argv or sys.argv[1:]),
        "machine": machine_info(),
        "git": git_info(),
        "fastembed_core_module": _module_dir(),
        "settings": _settings(args.workers),
        "corpus": {
            "path": os.path.relpath(path, os.path.dirname(BENCH_DIR)),
            "bytes": os.path.getsize(path),
        },
        "repeats": args.repeats,
        "load_average_before_after": [round(x, 2) for x in load_before + load_after],
        "same_vocabulary_as_fastembed_core": same,
        "rounds": rounds,
        "medians": medians,
        "ratios": ratios,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    for peer, m in medians.items():
        print(
            f"{peer:20s} median wall {m['wall_s'] * 1000:7.1f} ms  cpu {m['cpu_s'] * 1000:7.1f} ms"
        )
    for name, r in ratios.items():
        print(f"{name:40s} median {r['median']:5.2f}x  (min {r['min']:.2f}, max {r['max']:.2f})")
    print("same vocabulary:", same, "->", args.out)


if __name__ == "__main__":
    main()
