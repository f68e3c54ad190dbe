"""FastText training on its compact copy of the input matrix against training the full matrix
in place (what the model did before), with gensim's FastText in the same rounds.

    python bench/fasttext_compact_ab.py --corpus bench/data/english.txt --sg 0 1 --threads 1 2 \\
        --repeats 3 --name compact-ab

Each run is its own process: the vocabulary is built, then one ``train()`` call (1 epoch by
default) is timed, wall and CPU seconds (the process's user + system time over the call:
steadier than wall time on a shared machine). ``full`` sets ``FastText._COMPACT_TRAINING`` to
False, the path the compact one must equal; ``gensim`` is gensim 4's ``FastText`` with
``corpus_file``, as in bench/run_fasttext.py and with its settings. The modes' order rotates
from round to round. Ratios are taken per round and their median, minimum and maximum
reported. fastembed_core is imported as the environment finds it (PYTHONPATH=. for a build
in place). Results: bench/results/<date>-fasttext-<name>.json.
"""

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)

from run_bench import RESULTS_DIR, git_info, machine_info  # noqa: E402
from run_fasttext import SETTINGS  # noqa: E402

MODES = ("compact", "full", "gensim")


def _cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _worker(mode, corpus, sg, threads, epochs):
    common = dict(sg=sg, workers=threads, epochs=epochs, seed=1, **SETTINGS)
    if mode == "gensim":
        from gensim.models import FastText as GensimFastText

        model = GensimFastText(min_alpha=0.0001, hs=0, **common)
    else:
        from fastembed_core import FastText

        FastText._COMPACT_TRAINING = mode == "compact"
        model = FastText(**common)
    model.build_vocab(corpus_file=corpus)
    cpu0, t0 = _cpu(), time.perf_counter()
    model.train(
        corpus_file=corpus,
        total_words=model.corpus_total_words,
        total_examples=model.corpus_count,
        epochs=epochs,
    )
    seconds, cpu = time.perf_counter() - t0, _cpu() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return dict(train_s=seconds, cpu_s=cpu, peak_rss_mb=peak)


def _summary(runs, sgs, threads):
    out = []
    for sg in sgs:
        for th in threads:
            rows = [r for r in runs if r["sg"] == sg and r["threads"] == th]
            rounds = {}
            for r in rows:
                rounds.setdefault(r["round"], {})[r["mode"]] = r
            entry = dict(sg=sg, threads=th)
            for mode in MODES:
                mine = [r for r in rows if r["mode"] == mode]
                if mine:
                    entry[mode] = {
                        k: statistics.median(r[k] for r in mine)
                        for k in ("train_s", "cpu_s", "peak_rss_mb")
                    }
            for slow, fast in (("full", "compact"), ("gensim", "compact"), ("gensim", "full")):
                for key in ("cpu_s", "train_s"):
                    ratios = [
                        d[slow][key] / d[fast][key]
                        for d in rounds.values()
                        if slow in d and fast in d
                    ]
                    if ratios:
                        entry[f"{slow}/{fast} {key}"] = dict(
                            median=statistics.median(ratios), min=min(ratios), max=max(ratios)
                        )
            out.append(entry)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=os.path.join(BENCH_DIR, "data", "english.txt"))
    ap.add_argument("--sg", type=int, nargs="+", default=[0, 1], choices=[0, 1])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    ap.add_argument("--name", default="compact-ab")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        spec = json.loads(args.worker)
        print(json.dumps(_worker(**spec)))
        return
    corpus = os.path.abspath(args.corpus)
    runs = []
    load_before = os.getloadavg()
    for rnd in range(args.repeats):
        for sg in args.sg:
            for th in args.threads:
                k = (rnd + sg + th) % len(args.modes)
                for mode in args.modes[k:] + args.modes[:k]:
                    spec = dict(mode=mode, corpus=corpus, sg=sg, threads=th, epochs=args.epochs)
                    done = subprocess.run(
                        [sys.executable, __file__, "--worker", json.dumps(spec)],
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    run = dict(json.loads(done.stdout.strip().splitlines()[-1]))
                    run.update(round=rnd, mode=mode, sg=sg, threads=th, load=os.getloadavg()[0])
                    runs.append(run)
                    print(
                        f"round {rnd} sg={sg} t={th} {mode:8s} train {run['train_s']:6.2f}s "
                        f"cpu {run['cpu_s']:6.2f}s rss {run['peak_rss_mb']:5.0f}MB "
                        f"load {run['load']:.2f}",
                        flush=True,
                    )
    result = dict(
        command=" ".join([os.path.basename(sys.executable), *sys.argv]),
        date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        git=git_info(),
        machine=machine_info(),
        load_before=load_before,
        load_after=os.getloadavg(),
        corpus=corpus,
        settings=dict(SETTINGS, epochs=args.epochs),
        runs=runs,
        summary=_summary(runs, args.sg, args.threads),
    )
    day = datetime.date.today().isoformat()
    path = os.path.join(RESULTS_DIR, f"{day}-fasttext-{args.name}.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
    for entry in result["summary"]:
        print(json.dumps(entry))
    print(path)


if __name__ == "__main__":
    main()
