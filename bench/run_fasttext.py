"""FastText (subword) training: fastembed_core against Facebook fastText and gensim, side by side.

    python bench/run_fasttext.py speed --corpus bench/data/english.txt --sg 1 0 --threads 1 2 \\
        --repeats 3
    python bench/run_fasttext.py quality --corpus bench/data/english.txt --sg 1 0 --seeds 3

Every peer trains with the same explicit settings (``SETTINGS``: dim 100, window 5, 5
negatives, n-grams of 3 to 6 characters in 2,000,000 buckets, min_count 5, subsampling 1e-4,
learning rate 0.05 decayed linearly, negatives drawn in proportion to count ** 0.5 as
fastText's table is); the rules that still differ are listed in bench/FASTTEXT.md.

Peers:

* ``fasttext``: Facebook fastText 0.9.3's ``train_unsupervised`` (the same C++ as its command
  line), with its ``seed`` argument (the Python wrapper does not pass it; set through the
  wrapper's own argument builder).
* ``gensim_file``: gensim 4's ``FastText(corpus_file=...)``, its fastest mode (speed).
* ``gensim``: gensim 4's ``FastText`` over a ``LineSentence`` (quality: with several workers its
  corpus_file mode decays the learning rate per worker, ending well above zero -- see
  bench/quality_seeds.py -- so the like-for-like quality comparison is the iterable mode).
* ``fastembed_core``: our ``FastText(corpus_file=...)``.

``speed``: for every model (``--sg``) and repeat, each thread count and each peer run once,
the peers' order rotating from round to round; the 1- and 2-thread runs of one repeat follow
each other. Every run is its own process, wrapped in GNU time (peak RSS, CPU time), as in
bench/run_bench.py. Phases: ``setup_s`` -- from the call to the start of training (vocabulary
scan, weight allocation and random initialisation); ``train_s`` -- training alone;
``save_s`` -- computing every vocabulary word's vector (the mean of its subword rows) and the
rare test words' vectors and writing them. fastText's phases are found from inside its
process: a thread watches ``/proc/self/fd`` every 2 ms -- the corpus is opened and closed for
the vocabulary, then opened again by the training threads, after the input matrix is
initialised (the thread stops watching once training has started). ``eff_wps`` = the
corpus's expected effective tokens (word2vec's subsampling rule at t = 1e-4, as in
run_bench.py, the same yardstick for every peer) x epochs / train_s; ``eff_wpcs`` the same
per CPU-second of training (steadier than wall time on a shared machine). Ratios are taken
per round -- ours over a peer's, in the same round -- and their median, minimum and maximum
reported; thread scaling per repeat and peer is train_s at 1 thread over train_s at 2.

``quality``: for every seed, model and peer (peers interleaved), 5 epochs on ``--threads``
threads; every run is scored by the same code -- the peer's vocabulary vectors loaded into a
fastembed_core ``KeyedVectors``, then its ``evaluate_word_pairs`` (WordSim-353, SimLex-999,
OOV pairs skipped) and ``evaluate_word_analogies`` (questions-words restricted to the corpus's
30,000 most frequent words) and the rare-word tests of bench/rare_words.py. Mean and
standard deviation per peer and model over the seeds.

Results: bench/results/<date>-fasttext-<phase>[-<name>].json (machine, commit, load averages,
settings, every run, medians/means, ratios). ``merge OUT IN IN ...`` writes one file holding
the runs of several files of one phase (peers run at different times) with the summary
recomputed, keeping each part's command, commit and load averages.
"""

import argparse
import datetime
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)

from run_bench import (  # noqa: E402
    ANALOGY_RESTRICT,
    RESULTS_DIR,
    WORK_DIR,
    _spawn,
    check_fastembed_core,
    corpus_stats,
    git_info,
    machine_info,
    snapshot_fastembed_core,
)

SETTINGS = dict(
    vector_size=100,
    window=5,
    negative=5,
    min_n=3,
    max_n=6,
    bucket=2_000_000,
    min_count=5,
    sample=1e-4,
    alpha=0.05,
    ns_exponent=0.5,
)
SPEED_PEERS = ("fastembed_core", "fasttext", "gensim_file")
QUALITY_PEERS = ("fastembed_core", "fasttext", "gensim")
OURS = "fastembed_core"


# --------------------------------------------------------------------------- worker side


def _cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class _CorpusOpenWatch(threading.Thread):
    """Watches this process's open files for the corpus: records when it is closed after the
    vocabulary scan and when it is opened again (training starts), with the CPU time then."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.marks, self.stop = os.path.realpath(path), {}, threading.Event()

    def _is_open(self):
        for fd in os.listdir("/proc/self/fd"):
            try:
                if os.readlink(f"/proc/self/fd/{fd}") == self.path:
                    return True
            except OSError:
                pass
        return False

    def run(self):
        state = "before"  # before -> scanning -> scanned -> training
        while not self.stop.is_set() and state != "training":
            is_open = self._is_open()
            now, cpu = time.monotonic(), _cpu()
            if state == "before" and is_open:
                state = "scanning"
            elif state == "scanning" and not is_open:
                state, self.marks["vocab_end"] = "scanned", (now, cpu)
            elif state == "scanned" and is_open:
                state, self.marks["train_start"] = "training", (now, cpu)
            time.sleep(0.002)


def _train_fasttext(spec, s):
    import fasttext.FastText as ft

    watch = _CorpusOpenWatch(spec["corpus"])
    watch.start()
    t0, c0 = time.monotonic(), _cpu()
    # train_unsupervised() does not accept ``seed``; its own argument builder does.
    kwargs = dict(
        input=spec["corpus"],
        model="skipgram" if spec["sg"] else "cbow",
        dim=s["vector_size"],
        ws=s["window"],
        neg=s["negative"],
        minn=s["min_n"],
        maxn=s["max_n"],
        bucket=s["bucket"],
        minCount=s["min_count"],
        t=s["sample"],
        lr=s["alpha"],
        loss="ns",
        epoch=spec["epochs"],
        thread=spec["threads"],
        verbose=0,
        seed=spec["seed"],
    )
    args, manual = ft.read_args([], kwargs, list(kwargs), ft.unsupervised_default)
    built = ft._build_args(args, manual)
    model = ft._FastText(args=built)
    ft.fasttext.train(model.f, built)
    model.set_args(model.f.getArgs())
    t2, c2 = time.monotonic(), _cpu()
    watch.stop.set()
    watch.join()
    if "train_start" not in watch.marks:
        raise SystemExit("fastText: did not see the corpus opened for training")
    (t_vocab, c_vocab), (t1, c1) = watch.marks["vocab_end"], watch.marks["train_start"]
    timing = dict(
        setup_s=t1 - t0,
        vocab_s=t_vocab - t0,
        vocab_cpu_s=c_vocab - c0,
        init_s=t1 - t_vocab,
        train_s=t2 - t1,
        setup_cpu_s=c1 - c0,
        train_cpu_s=c2 - c1,
    )
    words = [w for w in model.get_words() if w != "</s>"]
    return timing, words, lambda: [model.get_word_vector(w) for w in words], model.get_word_vector


def _train_gensim_like(spec, s, peer):
    if peer == OURS:
        if spec.get("sys_path"):
            sys.path.insert(0, spec["sys_path"])
        import fastembed_core
        from fastembed_core import FastText

        if spec.get("sys_path") and not fastembed_core.__file__.startswith(spec["sys_path"]):
            raise SystemExit(f"fastembed_core imported from {fastembed_core.__file__}")
    else:
        from gensim.models import FastText
        from gensim.models.word2vec import LineSentence
    params = dict(
        sg=spec["sg"],
        hs=0,
        epochs=spec["epochs"],
        workers=spec["threads"],
        seed=spec["seed"],
        **s,
    )
    if peer == OURS:
        params.update(spec.get("ours_params") or {})
    t0, c0 = time.monotonic(), _cpu()
    model = FastText(**params)
    if peer == "gensim":
        model.build_vocab(LineSentence(spec["corpus"]))
        t1, c1 = time.monotonic(), _cpu()
        model.train(
            LineSentence(spec["corpus"]), total_examples=model.corpus_count, epochs=spec["epochs"]
        )
    else:
        model.build_vocab(corpus_file=spec["corpus"])
        t1, c1 = time.monotonic(), _cpu()
        model.train(
            corpus_file=spec["corpus"],
            total_examples=model.corpus_count,
            total_words=model.corpus_total_words,
            epochs=spec["epochs"],
        )
    t2, c2 = time.monotonic(), _cpu()
    timing = dict(setup_s=t1 - t0, train_s=t2 - t1, setup_cpu_s=c1 - c0, train_cpu_s=c2 - c1)
    wv = model.wv
    return timing, list(wv.index_to_key), lambda: wv.vectors, wv.get_vector


def _worker(spec):
    """Trains one peer in this fresh process; writes timings, vectors and query vectors."""
    import numpy as np

    s = {**SETTINGS, **spec.get("settings", {})}
    if spec["peer"] == "fasttext":
        timing, words, vocab_vectors, vector_of = _train_fasttext(spec, s)
    else:
        timing, words, vocab_vectors, vector_of = _train_gensim_like(spec, s, spec["peer"])
    t0 = time.monotonic()
    with open(spec["query_words"]) as f:
        queries = json.load(f)
    np.save(spec["vectors"] + ".vocab.npy", np.asarray(vocab_vectors(), dtype=np.float32))
    np.save(spec["vectors"] + ".query.npy", np.asarray([vector_of(w) for w in queries], np.float32))
    with open(spec["vectors"] + ".words.json", "w") as f:
        json.dump(words, f)
    timing["save_s"] = time.monotonic() - t0
    with open(spec["result"], "w") as f:
        json.dump(timing, f)


# --------------------------------------------------------------------------- parent side


def run_one(
    peer, corpus, sg, threads, epochs, seed, workdir, query_file, sys_path, timeout, ours=None
):
    """Trains one peer once in its own process; returns its record (timings or an error).
    ``ours``: extra keyword arguments of fastembed_core's FastText."""
    stem = os.path.join(workdir, peer)
    result = stem + ".result.json"
    for suffix in (".result.json", ".vocab.npy", ".query.npy", ".words.json"):
        if os.path.exists(stem + suffix):
            os.remove(stem + suffix)
    spec = dict(
        peer=peer,
        corpus=corpus,
        vectors=stem,
        result=result,
        query_words=query_file,
        sg=sg,
        threads=threads,
        epochs=epochs,
        seed=seed,
        sys_path=sys_path,
        ours_params=ours or {},
    )
    r = _spawn(
        [sys.executable, os.path.abspath(__file__), "--worker", json.dumps(spec)], timeout=timeout
    )
    rec = dict(
        peer=peer,
        sg=sg,
        threads=threads,
        epochs=epochs,
        seed=seed,
        process_s=round(r["process_s"], 3),
        peak_rss_mb=round(r["peak_rss_mb"], 1),
        cpu_s=round(r["cpu_s"], 2),
        noise=r["noise"],
    )
    if r["returncode"] != 0 or not os.path.isfile(result):
        why = "timed out" if r["timed_out"] else f"exit code {r['returncode']}"
        rec["error"] = f"{why}\n{r['stderr_tail'][-1500:]}"
        return rec, None
    with open(result) as f:
        rec.update({k: round(v, 4) for k, v in json.load(f).items()})
    rec["total_s"] = round(rec["setup_s"] + rec["train_s"] + rec["save_s"], 4)
    return rec, stem


def evaluate(stem, top_words, tests):
    """Scores one run's saved vectors; the same code for every peer (see the docstring)."""
    import numpy as np
    import rare_words

    from fastembed_core import KeyedVectors

    with open(stem + ".words.json") as f:
        words = json.load(f)
    vectors = np.load(stem + ".vocab.npy")
    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(words, vectors)
    out = {"vocab_size": len(words)}
    for name, path in rare_words.PAIR_FILES.items():
        _, spearman, oov = kv.evaluate_word_pairs(path)
        out[f"{name}_spearman"] = round(float(spearman[0]), 4)
        out[f"{name}_oov_pct"] = round(float(oov), 2)
    top = [w for w in top_words if w in kv.key_to_index]
    restricted = KeyedVectors(kv.vector_size)
    restricted.add_vectors(top, np.stack([kv.get_vector(w) for w in top]))
    analogies = os.path.join(rare_words.DATA_DIR, "questions-words.txt")
    score, sections = restricted.evaluate_word_analogies(analogies, restrict_vocab=len(top))
    total = next(s for s in sections if s["section"] == "Total accuracy")
    out["analogy_acc"] = round(float(score), 4)
    out["analogy_n"] = len(total["correct"]) + len(total["incorrect"])
    out.update(rare_words.score(kv, tests["query_words"], np.load(stem + ".query.npy"), tests))
    return out


def fasttext_effective_tokens(counts, lines, min_count, t):
    """Expected tokens per epoch that fastText trains on after its own subsampling rule.

    fastText adds a ``</s>`` token at every line end (a word like any other in training) and
    keeps a word with probability sqrt(t / f) + t / f, f = count / all tokens read (rare words
    and ``</s>`` included); word2vec's rule, the common yardstick, divides by the total of the
    words that pass min_count. The difference is the extra work fastText does per epoch.
    """
    total = sum(counts.values()) + lines
    kept = [c for c in counts.values() if c >= min_count] + [lines]
    return round(sum(c * min(1.0, (t * total / c) ** 0.5 + t * total / c) for c in kept))


def _cleanup(stem):
    for suffix in (".result.json", ".vocab.npy", ".query.npy", ".words.json"):
        if os.path.exists(stem + suffix):
            os.remove(stem + suffix)


def _rotate(peers, k):
    k %= len(peers)
    return peers[k:] + peers[:k]


def _spread(values):
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
        "n": len(values),
    }


def speed_summary(runs, peers):
    """Medians per (sg, threads, peer); per-round ratios ours/peer; thread scaling per repeat."""
    ok = [r for r in runs if "error" not in r]
    keys = (
        "setup_s",
        "train_s",
        "save_s",
        "total_s",
        "train_cpu_s",
        "eff_wps",
        "eff_wpcs",
        "raw_wps",
        "peak_rss_mb",
        "cpu_s",
        "ws353_spearman",
        "simlex_spearman",
        "analogy_acc",
    )
    medians = []
    groups = sorted({(r["sg"], r["threads"], r["peer"]) for r in ok})
    for sg, threads, peer in groups:
        rs = [r for r in ok if (r["sg"], r["threads"], r["peer"]) == (sg, threads, peer)]
        med = {"sg": sg, "threads": threads, "peer": peer, "n": len(rs)}
        for k in keys:
            vals = [r[k] for r in rs if r.get(k) is not None]
            if vals:
                med[k] = round(statistics.median(vals), 4)
        medians.append(med)
    by = {(r["sg"], r["threads"], r["repeat"], r["peer"]): r for r in ok}
    ratios = []
    for sg, threads in sorted({(r["sg"], r["threads"]) for r in ok}):
        repeats = sorted({r["repeat"] for r in ok if (r["sg"], r["threads"]) == (sg, threads)})
        for peer in peers:
            if peer == OURS:
                continue
            pairs = [
                (by.get((sg, threads, k, OURS)), by.get((sg, threads, k, peer))) for k in repeats
            ]
            pairs = [(a, b) for a, b in pairs if a and b]
            if not pairs:
                continue
            ratios.append(
                {
                    "sg": sg,
                    "threads": threads,
                    "ours_over": peer,
                    "eff_wps": _spread([a["eff_wps"] / b["eff_wps"] for a, b in pairs]),
                    "eff_wpcs": _spread([a["eff_wpcs"] / b["eff_wpcs"] for a, b in pairs]),
                    "peak_rss": _spread([a["peak_rss_mb"] / b["peak_rss_mb"] for a, b in pairs]),
                }
            )
    scaling = []
    thread_counts = sorted({r["threads"] for r in ok})
    if len(thread_counts) > 1:
        lo, hi = thread_counts[0], thread_counts[-1]
        for sg in sorted({r["sg"] for r in ok}):
            for peer in peers:
                vals = [
                    by[(sg, lo, k, peer)]["train_s"] / by[(sg, hi, k, peer)]["train_s"]
                    for k in sorted({r["repeat"] for r in ok})
                    if (sg, lo, k, peer) in by and (sg, hi, k, peer) in by
                ]
                if vals:
                    scaling.append(
                        {"sg": sg, "peer": peer, "threads": [lo, hi], "speedup": _spread(vals)}
                    )
    return {"medians": medians, "ratios": ratios, "thread_scaling": scaling}


_QUALITY_KEYS = (
    "ws353_spearman",
    "simlex_spearman",
    "analogy_acc",
    "rare_ws353_spearman",
    "rare_simlex_spearman",
    "rare_both_spearman",
    "full_ws353_spearman",
    "full_simlex_spearman",
    "inflection_mrr",
    "inflection_hits10",
    "train_s",
)


def quality_summary(runs, peers):
    """Mean and standard deviation over seeds per (sg, peer), and each peer's mean minus
    fastText's."""
    ok = [r for r in runs if "error" not in r]
    out = []
    for sg in sorted({r["sg"] for r in ok}):
        row = {"sg": sg, "model": "skip-gram" if sg else "CBOW"}
        for peer in peers:
            rs = [r for r in ok if r["sg"] == sg and r["peer"] == peer]
            if not rs:
                continue
            row[peer] = {"n": len(rs)}
            for k in _QUALITY_KEYS:
                vals = [r[k] for r in rs if r.get(k) is not None]
                if vals:
                    row[peer][k] = {
                        "mean": round(statistics.mean(vals), 4),
                        "stdev": round(statistics.pstdev(vals), 4),
                    }
        if "fasttext" in row:
            for peer in peers:
                if peer != "fasttext" and peer in row:
                    row[f"{peer}_minus_fasttext"] = {
                        k: round(row[peer][k]["mean"] - row["fasttext"][k]["mean"], 4)
                        for k in _QUALITY_KEYS
                        if k != "train_s" and k in row[peer] and k in row["fasttext"]
                    }
        out.append(row)
    return out


def _print_run(r):
    head = f"sg={r['sg']} t={r['threads']} seed={r['seed']} {r['peer']:<15}"
    if "error" in r:
        print(f"{head} FAILED: {r['error'][-600:]}", flush=True)
        return
    q = ""
    if "ws353_spearman" in r:
        q = (
            f" | ws {r['ws353_spearman']:.3f} sl {r['simlex_spearman']:.3f} an {r['analogy_acc']:.3f}"
            f" rare {r['rare_both_spearman']:.3f} infl-mrr {r.get('inflection_mrr', 0):.3f}"
        )
    print(
        f"{head} setup {r['setup_s']:6.2f}s train {r['train_s']:7.2f}s (cpu {r['train_cpu_s']:7.2f}s)"
        f" eff {r['eff_wps'] / 1e3:6.1f}k w/s rss {r['peak_rss_mb']:6.0f}MB"
        f" load {r['noise']['load1_before']:.2f} other-cpu {r['noise'].get('other_cpu_s', 0):5.1f}s{q}",
        flush=True,
    )


def merge_results(out_path, paths):
    """Writes one results file holding the runs of several of the same phase (e.g. peers run
    at different times) with the summary recomputed over all; each part's command, commit,
    date and load averages are kept under ``parts``."""
    parts = []
    for path in paths:
        with open(path) as f:
            parts.append(json.load(f))
    speed = "speed" in parts[0]["what"]
    if any(("speed" in p["what"]) != speed for p in parts):
        raise SystemExit("merge: the files are not all of the same phase")
    if (
        len({json.dumps({k: v for k, v in p["settings"].items() if k != "peers"}) for p in parts})
        > 1
    ):
        raise SystemExit("merge: the files were run with different settings")
    peers = list(dict.fromkeys(peer for p in parts for peer in p["settings"]["peers"]))
    runs = [r for p in parts for r in p["runs"]]
    merged = dict(parts[0])
    merged.update(
        command=" && ".join(p["command"] for p in parts),
        complete=all(p["complete"] for p in parts),
        parts=[
            {
                k: p.get(k)
                for k in (
                    "command",
                    "date",
                    "git",
                    "fastembed_core_snapshot",
                    "load_average_before",
                    "load_average_now",
                    "elapsed_s",
                )
            }
            | {"peers": p["settings"]["peers"], "file": os.path.basename(path)}
            for p, path in zip(parts, paths)
        ],
        settings={**parts[0]["settings"], "peers": peers},
        runs=runs,
        summary=(speed_summary if speed else quality_summary)(runs, peers),
        git=parts[-1]["git"],
        skipped_peers={
            k: v for p in parts for k, v in p["skipped_peers"].items() if k not in peers
        },
    )
    with open(out_path, "w") as f:
        json.dump(merged, f, indent=1)
        f.write("\n")
    print(f"wrote {out_path}: {len(runs)} runs of {peers}")


def main(argv=None):
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["merge"]:
        if len(argv) < 4:
            raise SystemExit("usage: run_fasttext.py merge OUT.json IN.json IN.json ...")
        return merge_results(argv[1], argv[2:])
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("phase", nargs="?", choices=("speed", "quality"))
    ap.add_argument("--corpus", default=os.path.join(BENCH_DIR, "data", "english.txt"))
    ap.add_argument("--sg", type=int, nargs="+", default=[1, 0], choices=[0, 1])
    ap.add_argument("--threads", type=int, nargs="+", help="speed: 1 2; quality: 2")
    ap.add_argument("--epochs", type=int, help="speed: 1; quality: 5")
    ap.add_argument("--repeats", type=int, default=3, help="speed: rounds per setting")
    ap.add_argument("--seeds", type=int, default=3, help="quality: seeds 0 .. N-1")
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--peers", nargs="+", help="default: every peer of the phase")
    ap.add_argument("--no-eval", action="store_true", help="speed: skip scoring the vectors")
    ap.add_argument("--name", help="results file suffix: <date>-fasttext-<phase>-<name>.json")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument(
        "--ours-param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a keyword argument of fastembed_core's FastText (VALUE read as JSON), e.g. "
        "cbow_sums=false; repeatable",
    )
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return _worker(json.loads(args.worker))
    if not args.phase:
        ap.error("phase (speed or quality) is required")
    speed = args.phase == "speed"
    ours_params = {}
    for item in args.ours_param:
        name, _, value = item.partition("=")
        ours_params[name] = json.loads(value)
    threads = args.threads or ([1, 2] if speed else [2])
    epochs = args.epochs or (1 if speed else 5)
    peers = list(args.peers or (SPEED_PEERS if speed else QUALITY_PEERS))
    corpus = os.path.abspath(args.corpus)
    if not os.path.isfile(corpus):
        ap.error(f"{corpus}: no such file (python bench/make_corpus.py / make_corpora.py)")

    import rare_words

    os.makedirs(WORK_DIR, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="fasttext-", dir=WORK_DIR)
    skipped, sys_path, snapshot = {}, None, None
    if OURS in peers:
        sys_path = os.path.join(workdir, "snapshot")
        snapshot = snapshot_fastembed_core(sys_path)
        why = check_fastembed_core(sys_path) if snapshot else "not importable"
        if why is None:
            probe = (
                f"import sys; sys.path.insert(0, {sys_path!r}); from fastembed_core import FastText"
            )
            import subprocess

            p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
            why = None if p.returncode == 0 else p.stderr.strip().splitlines()[-1]
        if why:
            skipped[OURS] = f"import failed: {why}"
            print(f"skipping {OURS}: {why}", flush=True)
            peers.remove(OURS)

    machine, git = machine_info(), git_info()
    stats = corpus_stats(corpus, SETTINGS["min_count"], SETTINGS["sample"])
    top_words = stats.pop("top_words")
    counts = rare_words.corpus_counts(corpus)
    stats["fasttext_rule_effective_tokens_per_epoch"] = fasttext_effective_tokens(
        counts, stats["lines"], SETTINGS["min_count"], SETTINGS["sample"]
    )
    tests = rare_words.build_tests(counts, SETTINGS["min_count"])
    query_file = os.path.join(workdir, "query-words.json")
    with open(query_file, "w") as f:
        json.dump(tests["query_words"], f)
    print(
        f"corpus {stats['path']}: {stats['tokens']:,} tokens, vocab {stats['vocab_min_count']:,}, "
        f"{stats['effective_tokens_per_epoch']:,} effective tokens/epoch; "
        f"{len(tests['query_words'])} rare query words; peers {peers}",
        flush=True,
    )
    t_begin = time.monotonic()
    load_before = [round(x, 2) for x in os.getloadavg()]
    name = f"fasttext-{args.phase}" + (f"-{args.name}" if args.name else "")
    out_path = os.path.join(RESULTS_DIR, f"{datetime.date.today().isoformat()}-{name}.json")
    runs = []
    if speed:
        plan = [
            (sg, rep, t, peer, 1)
            for sg in args.sg
            for rep in range(args.repeats)
            for t in threads
            for peer in _rotate(peers, rep + threads.index(t))
        ]
    else:
        seeds = range(args.first_seed, args.first_seed + args.seeds)
        plan = [
            (sg, rep, t, peer, seed)
            for rep, seed in enumerate(seeds)
            for sg in args.sg
            for t in threads
            for peer in _rotate(peers, rep + sg)
        ]
    try:
        for sg, rep, t, peer, seed in plan:
            rec, stem = run_one(
                peer,
                corpus,
                sg,
                t,
                epochs,
                seed,
                workdir,
                query_file,
                sys_path,
                args.timeout,
                ours_params,
            )
            rec["repeat"] = rep
            if stem:
                work = stats["effective_tokens_per_epoch"] * epochs
                rec["eff_wps"] = round(work / rec["train_s"])
                rec["eff_wpcs"] = round(work / rec["train_cpu_s"])
                rec["raw_wps"] = round(stats["tokens"] * epochs / rec["train_s"])
                if not (speed and args.no_eval):
                    try:
                        rec.update(evaluate(stem, top_words, tests))
                    except Exception as e:  # keep the timings, flag the run
                        rec["error"] = f"evaluation failed: {e!r}"
                _cleanup(stem)
            runs.append(rec)
            _print_run(rec)
            summary = (speed_summary if speed else quality_summary)(runs, peers)
            result = {
                "what": f"FastText {args.phase}: fastembed_core vs Facebook fastText vs gensim",
                "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "command": "python bench/run_fasttext.py "
                + " ".join(argv if argv is not None else sys.argv[1:]),
                "complete": len(runs) == len(plan)
                and not skipped
                and all("error" not in r for r in runs),
                "machine": machine,
                "git": git,
                "fastembed_core_snapshot": snapshot,
                "skipped_peers": skipped,
                "load_average_before": load_before,
                "load_average_now": [round(x, 2) for x in os.getloadavg()],
                "settings": {
                    **SETTINGS,
                    "epochs": epochs,
                    "threads": threads,
                    "sg": args.sg,
                    "peers": peers,
                    "analogy_restrict": ANALOGY_RESTRICT,
                    "fastembed_core_params": ours_params,
                },
                "corpus": stats,
                "rare_word_tests": {
                    "query_words": len(tests["query_words"]),
                    "rare_pairs": {k: len(v) for k, v in tests["rare_pairs"].items()},
                    "inflections": len(tests["inflections"]),
                    "stem_min_count": tests["stem_min_count"],
                    "suffixes": tests["suffixes"],
                },
                "runs": runs,
                "summary": summary,
                "elapsed_s": round(time.monotonic() - t_begin, 1),
            }
            os.makedirs(RESULTS_DIR, exist_ok=True)
            with open(out_path, "w") as f:  # after every run: a run cut short keeps what it did
                json.dump(result, f, indent=1)
                f.write("\n")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nwrote {out_path}")
    print(json.dumps(result["summary"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
