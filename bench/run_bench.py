"""Side-by-side benchmark of fastembed_core and its peers on one corpus file.

    python bench/run_bench.py --corpus bench/data/english.txt --sg 1 0 --threads 1 2 \\
        --epochs 1 --repeats 3 --peers gensim gensim_file word2vec_c fasttext fastembed_core

For every setting (sg x threads) the peers run interleaved -- A B C A B C ... -- ``--repeats``
times, the starting peer rotating each round so no peer always runs first. Every run is its
own process (peak RSS and CPU time are that process's alone, measured by GNU time), trains with the
standard setting (vector_size=100, window=5, negative=5, hs=0, sample=1e-3, min_count=5,
alpha=0.025, the given epochs/threads/seed; ``--hs``: hs=1, negative=0) and saves its vectors in
word2vec binary format.
The vectors are then scored by one function, ``evaluate``, identical for every peer.

Figures per run (medians per peer and setting are computed too):

* ``vocab_s``  -- vocabulary scan (and, for fastembed_core, corpus encoding), ``train_s`` --
  training, ``save_s`` -- writing the word2vec binary file, ``total_s`` = their sum (what a
  user waits for); ``process_s`` -- process start to exit, including interpreter start and
  imports; ``peak_rss_mb``; ``cpu_s`` (user + system).
* ``raw_wps`` = corpus tokens x epochs / train_s, and ``eff_wps`` = expected effective tokens
  x epochs / train_s, where expected effective tokens = sum over words with count >= min_count
  of count x min(1, keep(word)), keep = (sqrt(f / (sample T)) + 1) (sample T) / f with f the
  word's count and T the total count of words that pass min_count -- word2vec.c's and gensim's
  subsampling rule. Both are computed from the corpus, not from a peer's own log, so every
  peer is measured with the same yardstick (word2vec.c's and fastText's ``</s>`` line-end
  tokens are not counted).
* quality: Spearman rho on WordSim-353 and SimLex-999 (pairs with an out-of-vocabulary word
  skipped, OOV share reported), accuracy on questions-words restricted to the corpus's 30,000
  most frequent words (same word set for every peer).
* noise: CPU time that *other* processes used during the run (from /proc/stat), and the load
  average before it -- the machine is shared, so runs with a high figure deserve suspicion.

How each peer's phases are timed:

* gensim (iterable: ``LineSentence``; file: ``corpus_file=``) and fastembed_core: ``build_vocab``
  then ``train`` then ``wv.save_word2vec_format(binary=True)``, timed in the worker.
* word2vec.c: run directly (no Python in its process). Vocabulary ends when it prints
  "Words in train file" (stdout line-buffered through ``stdbuf -oL``), training ends when its
  output file appears (polled every 2 ms), saving ends at exit.
* fastembed_core is imported from a copy of the installed package taken when the run starts
  (``--no-snapshot`` to disable): with an editable install, the shared working tree may be
  rebuilt by someone else during a long run.
* fastText: ``train_unsupervised`` (minn=maxn=0: no subwords), vocabulary ends when it prints
  "Number of labels" to stderr (unbuffered), training ends when the call returns; its vectors
  are then written in word2vec binary format by this script (fastText has no writer for it).

Results go to ``bench/results/<date>-<name>.json``; ``bench/make_table.py`` turns all result
files into the table in bench/README.md.
"""

import argparse
import collections
import datetime
import hashlib
import json
import math
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)
WORK_DIR = os.path.join(BENCH_DIR, "work")
RESULTS_DIR = os.path.join(BENCH_DIR, "results")

PEERS = ("gensim", "gensim_file", "word2vec_c", "fasttext", "fastembed_core")
STANDARD = dict(vector_size=100, window=5, negative=5, hs=0, sample=1e-3, min_count=5, alpha=0.025)
ANALOGY_RESTRICT = 30000
RESULT_SCHEMA = 1


# --------------------------------------------------------------------------- corpus figures


def _file_key(path):
    st = os.stat(path)
    return f"{os.path.abspath(path)}|{st.st_size}|{st.st_mtime_ns}"


def _display_path(path):
    rel = os.path.relpath(os.path.abspath(path), REPO_DIR)
    return os.path.abspath(path) if rel.startswith("..") else rel


def corpus_stats(path, min_count, sample):
    """Token/line/vocabulary counts, expected effective tokens and the top words of a corpus.

    Counting is whitespace splitting, as every peer does. Cached in bench/work/ by path, size
    and modification time (a 10^8-token corpus takes about a minute to count).
    """
    key = hashlib.sha256(f"{_file_key(path)}|{min_count}|{sample}".encode()).hexdigest()[:20]
    cache = os.path.join(WORK_DIR, f"corpus-stats-{key}.json")
    if os.path.isfile(cache):
        with open(cache) as f:
            return json.load(f)
    counts = collections.Counter()
    lines = 0
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        for line in f:
            sha.update(line)
            counts.update(line.split())
            lines += 1
    tokens = sum(counts.values())
    kept = {w: c for w, c in counts.items() if c >= min_count}
    retained = sum(kept.values())
    if sample > 0:
        thr = sample * retained
        effective = sum(c * min(1.0, (math.sqrt(c / thr) + 1.0) * thr / c) for c in kept.values())
    else:
        effective = float(retained)
    top = sorted(kept.items(), key=lambda wc: (-wc[1], wc[0]))[:ANALOGY_RESTRICT]
    stats = {
        "path": _display_path(path),
        "bytes": os.path.getsize(path),
        "sha256": sha.hexdigest(),
        "tokens": tokens,
        "lines": lines,
        "vocab": len(counts),
        "vocab_min_count": len(kept),
        "retained_tokens": retained,
        "effective_tokens_per_epoch": round(effective),
        "min_count": min_count,
        "sample": sample,
        "top_words": [w.decode("utf-8", "replace") for w, _ in top],
    }
    os.makedirs(WORK_DIR, exist_ok=True)
    with open(cache, "w") as f:
        json.dump(stats, f)
    return stats


# --------------------------------------------------------------------------- evaluation


def evaluate(vectors_path, top_words):
    """Scores one saved word2vec binary file; the same code for every peer.

    Returns Spearman/Pearson on WordSim-353 and SimLex-999 (gensim's ``evaluate_word_pairs``,
    OOV pairs skipped) and analogy accuracy on questions-words (gensim's
    ``evaluate_word_analogies``) restricted to ``top_words`` -- the corpus's most frequent
    words, in corpus frequency order, so the question set does not depend on the order in
    which a peer happens to write its vectors.
    """
    import logging

    from gensim.models import KeyedVectors
    from gensim.test.utils import datapath

    logging.getLogger("gensim").setLevel(logging.ERROR)

    kv = KeyedVectors.load_word2vec_format(vectors_path, binary=True)
    out = {"vectors_in_file": len(kv.index_to_key)}
    for name, fname in (("ws353", "wordsim353.tsv"), ("simlex", "simlex999.txt")):
        try:
            pearson, spearman, oov = kv.evaluate_word_pairs(datapath(fname))
        except ValueError:  # gensim raises when no pair is in the vocabulary
            out[f"{name}_spearman"] = out[f"{name}_pearson"] = None
            out[f"{name}_oov_pct"] = 100.0
            continue
        out[f"{name}_spearman"] = round(float(spearman[0]), 4)
        out[f"{name}_pearson"] = round(float(pearson[0]), 4)
        out[f"{name}_oov_pct"] = round(float(oov), 2)
    words = [w for w in top_words if w in kv.key_to_index]
    restricted = KeyedVectors(kv.vector_size)
    restricted.add_vectors(words, kv[words])
    score, sections = restricted.evaluate_word_analogies(
        datapath("questions-words.txt"), restrict_vocab=len(words)
    )
    total = next(s for s in sections if s["section"] == "Total accuracy")
    out["analogy_acc"] = round(float(score), 4)
    out["analogy_n"] = len(total["correct"]) + len(total["incorrect"])
    return out


# --------------------------------------------------------------------------- worker side


def _save_word2vec_binary(path, words, matrix):
    """word2vec.c's binary format: header line, then ``word<space><float32 x dim>\\n`` rows."""
    import numpy as np

    matrix = np.ascontiguousarray(matrix, dtype="<f4")
    with open(path, "wb") as f:
        f.write(f"{len(words)} {matrix.shape[1]}\n".encode())
        for w, row in zip(words, matrix):
            f.write(w.encode("utf-8") + b" " + row.tobytes() + b"\n")


def _worker(spec):
    """Runs one peer in this (fresh) process and writes timings to spec['result']."""
    peer, path, out = spec["peer"], spec["corpus"], spec["vectors"]
    sg, threads, epochs, seed = spec["sg"], spec["threads"], spec["epochs"], spec["seed"]
    s = {**STANDARD, **spec.get("settings", {})}
    res = {"t_import_start": time.monotonic()}

    def cpu():  # CPU seconds of this process so far, all threads
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return ru.ru_utime + ru.ru_stime

    if peer in ("gensim", "gensim_file", "fastembed_core"):
        if peer == "fastembed_core":
            if spec.get("sys_path"):
                sys.path.insert(0, spec["sys_path"])
            import fastembed_core
            from fastembed_core import Word2Vec

            if spec.get("sys_path") and not fastembed_core.__file__.startswith(spec["sys_path"]):
                raise SystemExit(
                    f"fastembed_core imported from {fastembed_core.__file__}, "
                    f"not from the snapshot {spec['sys_path']}"
                )
        else:
            from gensim.models import Word2Vec
            from gensim.models.word2vec import LineSentence
        params = dict(
            vector_size=s["vector_size"],
            window=s["window"],
            min_count=s["min_count"],
            sample=s["sample"],
            sg=sg,
            hs=s["hs"],
            negative=s["negative"],
            alpha=s["alpha"],
            epochs=epochs,
            workers=threads,
            seed=seed,
        )
        res["t_start"], c0 = time.monotonic(), cpu()
        model = Word2Vec(**params)
        if peer == "gensim":
            model.build_vocab(LineSentence(path))
            t1, c1 = time.monotonic(), cpu()
            model.train(LineSentence(path), total_examples=model.corpus_count, epochs=epochs)
        else:
            model.build_vocab(corpus_file=path)
            t1, c1 = time.monotonic(), cpu()
            model.train(
                corpus_file=path,
                total_examples=model.corpus_count,
                total_words=model.corpus_total_words,
                epochs=epochs,
            )
        t2, c2 = time.monotonic(), cpu()
        model.wv.save_word2vec_format(out, binary=True)
        t3 = time.monotonic()
        res.update(
            vocab_s=t1 - res["t_start"],
            train_s=t2 - t1,
            save_s=t3 - t2,
            vocab_cpu_s=c1 - c0,
            train_cpu_s=c2 - c1,
        )
    elif peer == "fasttext":
        import fasttext

        res["t_start"] = time.monotonic()
        model = fasttext.train_unsupervised(
            path,
            model="skipgram" if sg else "cbow",
            minn=0,
            maxn=0,
            dim=s["vector_size"],
            ws=s["window"],
            neg=s["negative"],
            loss="hs" if s["hs"] else "ns",
            t=s["sample"],
            minCount=s["min_count"],
            lr=s["alpha"],
            epoch=epochs,
            thread=threads,
            verbose=1,
        )  # no seed argument
        t2, c2 = time.monotonic(), cpu()
        words = model.get_words()
        _save_word2vec_binary(out, words, model.get_input_matrix()[: len(words)])
        t3 = time.monotonic()
        # vocab/train split done by the parent, which sees fastText's progress output
        res.update(t_call_end=t2, cpu_call_end=c2, save_s=t3 - t2)
    else:
        raise SystemExit(f"unknown worker peer {peer!r}")
    with open(spec["result"], "w") as f:
        json.dump(res, f)


# --------------------------------------------------------------------------- parent side


def _cpu_busy_jiffies():
    """Busy and steal jiffies of all CPUs from /proc/stat (None where unavailable)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return None
    user, nice, system, idle, iowait, irq, softirq = fields[:7]
    steal = fields[7] if len(fields) > 7 else 0
    return user + nice + system + irq + softirq, steal


def _tree_cpu(pid):
    """CPU seconds (user + system) used so far by process ``pid`` and its descendants.

    Read from /proc while they run; None where /proc is unavailable. Lets the harness split a
    peer's CPU time into phases from outside, as it does for the wall time.
    """
    total, stack, hz = 0, [pid], os.sysconf("SC_CLK_TCK")
    try:
        while stack:
            p = stack.pop()
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
            for task in os.listdir(f"/proc/{p}/task"):
                try:
                    with open(f"/proc/{p}/task/{task}/children") as f:
                        stack.extend(int(c) for c in f.read().split())
                except OSError:
                    pass
    except (OSError, ValueError, IndexError):
        return None
    return total / hz


class _Stream(threading.Thread):
    """Reads a child's pipe; timestamps the first chunk matching each watched pattern and
    notes the CPU time the child's process tree had used by then."""

    def __init__(self, fd, patterns, pid):
        super().__init__(daemon=True)
        self.fd, self.patterns, self.pid, self.tail = fd, patterns, pid, b""
        self.hits, self.cpu = {}, {}

    def run(self):
        pending = b""
        while True:
            chunk = os.read(self.fd, 65536)
            if not chunk:
                break
            now = time.monotonic()
            pending = (pending + chunk)[-8192:]
            for name, pat in self.patterns.items():
                if name not in self.hits and pat in pending:
                    self.hits[name] = now
                    self.cpu[name] = _tree_cpu(self.pid)
            self.tail = (self.tail + chunk)[-4000:]


GNU_TIME = "/usr/bin/time"


def _spawn(cmd, patterns_out=None, patterns_err=None, poll_file=None, timeout=None):
    """Runs ``cmd``; returns exit code, peak RSS, CPU time, timestamps and output tails.

    Peak RSS and CPU time come from GNU time wrapped around the command, not from this
    process's ``wait4``: Linux folds the spawning process's own peak RSS into a child's
    ``ru_maxrss`` when the child execs (a child of a 300 MB process reports >= 300 MB even for
    ``python -c pass``), and this harness holds gensim and evaluation data. GNU time is small,
    so the command it starts reports its own figure.
    """
    busy0 = _cpu_busy_jiffies()
    load = os.getloadavg()[0]
    timing = None
    if os.access(GNU_TIME, os.X_OK):
        fd, timing = tempfile.mkstemp(prefix="time-", dir=WORK_DIR)
        os.close(fd)
        cmd = [GNU_TIME, "-f", "%M %U %S", "-o", timing] + list(cmd)
    t0 = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    out = _Stream(proc.stdout.fileno(), patterns_out or {}, proc.pid)
    err = _Stream(proc.stderr.fileno(), patterns_err or {}, proc.pid)
    out.start()
    err.start()
    appeared = {}
    done = threading.Event()

    def poll():
        while not done.is_set():
            if os.path.exists(poll_file):
                appeared["t"] = time.monotonic()
                appeared["cpu"] = _tree_cpu(proc.pid)
                return
            time.sleep(0.002)

    def kill():
        if not done.wait(timeout):
            appeared["timed_out"] = True
            try:
                os.killpg(proc.pid, 9)
            except OSError:
                pass

    if poll_file:
        threading.Thread(target=poll, daemon=True).start()
    if timeout:
        threading.Thread(target=kill, daemon=True).start()
    _, status, rusage = os.wait4(proc.pid, 0)
    t_end = time.monotonic()
    done.set()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.join()
    err.join()
    proc.stdout.close()
    proc.stderr.close()
    busy1 = _cpu_busy_jiffies()
    rss_mb, cpu_s, rss_source = (
        rusage.ru_maxrss / 1024.0,
        rusage.ru_utime + rusage.ru_stime,
        "wait4 (upper bound: includes the harness's own RSS)",
    )
    if timing:
        try:
            with open(timing) as f:
                last = f.read().strip().splitlines()[-1].split()
            rss_mb, cpu_s, rss_source = (
                int(last[0]) / 1024.0,
                float(last[1]) + float(last[2]),
                "GNU time",
            )
        except (OSError, IndexError, ValueError):
            pass
        os.remove(timing)
    noise = {"load1_before": round(load, 2)}
    if busy0 and busy1:
        hz = os.sysconf("SC_CLK_TCK")
        other = (busy1[0] - busy0[0]) / hz - cpu_s
        noise["other_cpu_s"] = round(max(0.0, other), 2)
        noise["steal_s"] = round((busy1[1] - busy0[1]) / hz, 2)
    return {
        "returncode": proc.returncode,
        "t0": t0,
        "t_end": t_end,
        "process_s": t_end - t0,
        "peak_rss_mb": rss_mb,
        "cpu_s": cpu_s,
        "rss_source": rss_source,
        "hits": {**out.hits, **err.hits},
        "hit_cpu": {**out.cpu, **err.cpu},
        "file_t": appeared.get("t"),
        "file_cpu": appeared.get("cpu"),
        "timed_out": appeared.get("timed_out", False),
        "stdout_tail": out.tail.decode("utf-8", "replace"),
        "stderr_tail": err.tail.decode("utf-8", "replace"),
        "noise": noise,
    }


def word2vec_binary():
    """The word2vec.c executable installed by ``pip install word2vec`` (next to python)."""
    here = os.path.join(os.path.dirname(sys.executable), "word2vec")
    return here if os.path.isfile(here) else shutil.which("word2vec")


def run_one(
    peer, corpus, sg, threads, epochs, seed, workdir, timeout, sys_path=None, settings=None
):
    """Trains one peer once; returns a record with timings (or an error) but no quality."""
    vectors = os.path.join(workdir, f"{peer}.bin")
    if os.path.exists(vectors):
        os.remove(vectors)
    rec = {"peer": peer}
    if peer == "word2vec_c":
        exe = word2vec_binary()
        if not exe:
            return {**rec, "error": "word2vec executable not found (pip install word2vec)"}
        s = {**STANDARD, **(settings or {})}
        cmd = [
            exe,
            "-train",
            corpus,
            "-output",
            vectors,
            "-cbow",
            "0" if sg else "1",
            "-size",
            str(s["vector_size"]),
            "-window",
            str(s["window"]),
            "-negative",
            str(s["negative"]),
            "-hs",
            str(s["hs"]),
            "-sample",
            repr(s["sample"]),
            "-threads",
            str(threads),
            "-iter",
            str(epochs),
            "-min-count",
            str(s["min_count"]),
            "-alpha",
            repr(s["alpha"]),
            "-binary",
            "1",
            "-debug",
            "2",
        ]
        if shutil.which("stdbuf"):
            cmd = [shutil.which("stdbuf"), "-oL"] + cmd
        r = _spawn(
            cmd, patterns_out={"vocab": b"Words in train file"}, poll_file=vectors, timeout=timeout
        )
        if r["returncode"] == 0 and "vocab" in r["hits"] and r["file_t"]:
            rec.update(
                vocab_s=r["hits"]["vocab"] - r["t0"],
                train_s=r["file_t"] - r["hits"]["vocab"],
                save_s=r["t_end"] - r["file_t"],
            )
            c_vocab, c_file = r["hit_cpu"].get("vocab"), r["file_cpu"]
            if c_vocab is not None and c_file is not None:
                rec.update(vocab_cpu_s=c_vocab, train_cpu_s=c_file - c_vocab)
    else:
        result = os.path.join(workdir, f"{peer}.result.json")
        if os.path.exists(result):
            os.remove(result)
        spec = dict(
            peer=peer,
            corpus=corpus,
            vectors=vectors,
            result=result,
            sg=sg,
            threads=threads,
            epochs=epochs,
            seed=seed,
            sys_path=sys_path,
            settings=settings or {},
        )
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", json.dumps(spec)]
        r = _spawn(cmd, patterns_err={"vocab": b"Number of labels"}, timeout=timeout)
        if r["returncode"] == 0 and os.path.isfile(result):
            with open(result) as f:
                w = json.load(f)
            if peer == "fasttext":
                if "vocab" in r["hits"]:
                    rec.update(
                        vocab_s=r["hits"]["vocab"] - w["t_start"],
                        train_s=w["t_call_end"] - r["hits"]["vocab"],
                        save_s=w["save_s"],
                    )
                    if r["hit_cpu"].get("vocab") is not None:
                        rec["train_cpu_s"] = w["cpu_call_end"] - r["hit_cpu"]["vocab"]
            else:
                rec.update(
                    vocab_s=w["vocab_s"],
                    train_s=w["train_s"],
                    save_s=w["save_s"],
                    vocab_cpu_s=w["vocab_cpu_s"],
                    train_cpu_s=w["train_cpu_s"],
                )
    rec.update(
        process_s=r["process_s"],
        peak_rss_mb=round(r["peak_rss_mb"], 1),
        cpu_s=round(r["cpu_s"], 2),
        rss_source=r["rss_source"],
        noise=r["noise"],
    )
    if r["returncode"] != 0 or "train_s" not in rec or not os.path.isfile(vectors):
        why = "timed out" if r["timed_out"] else f"exit code {r['returncode']}"
        if r["returncode"] == 0:
            why = "finished but its phase timings or vectors are missing"
        rec["error"] = (
            f"{why}\n--- stderr tail ---\n{r['stderr_tail'][-1500:]}"
            f"\n--- stdout tail ---\n{r['stdout_tail'][-500:]}"
        )
        return rec
    rec["total_s"] = rec["vocab_s"] + rec["train_s"] + rec["save_s"]
    rec["vectors"] = vectors
    return rec


def check_fastembed_core(sys_path=None):
    """None if ``from fastembed_core import Word2Vec`` works in a fresh process, else why not."""
    code = "from fastembed_core import Word2Vec"
    if sys_path:
        code = f"import sys; sys.path.insert(0, {sys_path!r}); " + code
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tempfile.gettempdir()
    )
    return None if proc.returncode == 0 else proc.stderr.strip().splitlines()[-1]


def snapshot_fastembed_core(target):
    """Copies the importable fastembed_core package (sources and built extensions) to
    ``target``/fastembed_core and returns a description of what was copied.

    With an editable install, the package is the shared working tree, which other people may
    rebuild while a long benchmark runs; every fastembed_core run then imports this frozen copy.
    """
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import fastembed_core, os; "
            "print(os.path.dirname(os.path.abspath(fastembed_core.__file__)))",
        ],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    if proc.returncode != 0:
        return None
    src = proc.stdout.strip().splitlines()[-1]
    dst = os.path.join(target, "fastembed_core")
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.c", "*.tmp"))
    h = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(dst)):
        dirs.sort()
        for name in sorted(files):
            with open(os.path.join(root, name), "rb") as f:
                h.update(name.encode() + b"\0" + f.read())
    return {"source": src, "files_sha256": h.hexdigest()}


def machine_info():
    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cores": os.cpu_count(),
    }
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
        m = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
        info["cpu_model"] = m.group(1).strip() if m else platform.processor()
        flags = re.search(r"^flags\s*:\s*(.+)$", text, re.M)
        if flags:
            fl = set(flags.group(1).split())
            info["cpu_simd"] = [x for x in ("sse4_2", "avx", "avx2", "fma", "avx512f") if x in fl]
        fam = re.search(r"^cpu family\s*:\s*(\d+)$", text, re.M)
        mod = re.search(r"^model\s*:\s*(\d+)$", text, re.M)
        if fam and mod:
            info["cpu_family_model"] = f"{fam.group(1)}/{mod.group(1)}"
    except OSError:
        info["cpu_model"] = platform.processor()
    try:
        with open("/proc/meminfo") as f:
            info["mem_gb"] = round(int(f.readline().split()[1]) / 2**20, 1)
    except (OSError, ValueError, IndexError):
        pass
    from importlib import metadata

    versions = {}
    for dist in ("numpy", "scipy", "gensim", "fasttext", "word2vec", "fastembed_core"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    info["versions"] = versions
    info["env"] = {
        k: v
        for k, v in os.environ.items()
        if k.startswith(("OPENBLAS", "OMP_", "MKL_", "FASTEMBED"))
    }
    return info


def git_info():
    def git(*args):
        p = subprocess.run(["git", *args], cwd=REPO_DIR, capture_output=True, text=True)
        return p.stdout.strip() if p.returncode == 0 else None

    return {
        "commit": git("rev-parse", "HEAD"),
        "dirty_files": len(
            (git("status", "--porcelain", "--untracked-files=no") or "").splitlines()
        ),
    }


_MEDIAN_KEYS = (
    "vocab_s",
    "train_s",
    "save_s",
    "total_s",
    "process_s",
    "raw_wps",
    "eff_wps",
    "train_cpu_s",
    "eff_wpcs",
    "peak_rss_mb",
    "cpu_s",
    "ws353_spearman",
    "simlex_spearman",
    "analogy_acc",
    "analogy_n",
    "ws353_oov_pct",
    "simlex_oov_pct",
)


def summarize(runs):
    """Medians per (sg, threads, peer) over the successful runs."""
    groups = collections.defaultdict(list)
    for r in runs:
        if "error" not in r:
            groups[(r["sg"], r["threads"], r["peer"])].append(r)
    out = []
    for (sg, threads, peer), rs in sorted(groups.items()):
        med = {"sg": sg, "threads": threads, "peer": peer, "n": len(rs)}
        for k in _MEDIAN_KEYS:
            vals = [r[k] for r in rs if r.get(k) is not None]
            if vals:
                med[k] = round(statistics.median(vals), 4)
        others = [r["noise"].get("other_cpu_s", 0) / r["process_s"] for r in rs]
        med["max_other_cpu_share"] = round(max(others), 3)
        out.append(med)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--corpus", help="corpus file, one sentence per line")
    ap.add_argument(
        "--sg",
        type=int,
        nargs="+",
        default=[1],
        choices=[0, 1],
        help="1 skip-gram, 0 CBOW (several allowed)",
    )
    ap.add_argument("--threads", type=int, nargs="+", default=[1], help="thread counts")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--peers", nargs="+", default=list(PEERS), choices=PEERS)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--name", help="result name: bench/results/<date>-<name>.json (default: <corpus>-e<epochs>)"
    )
    ap.add_argument("--out", help="explicit result path (overrides --name)")
    ap.add_argument("--no-eval", action="store_true", help="skip the quality evaluation")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per run")
    ap.add_argument(
        "--keep-vectors", action="store_true", help="keep each run's vectors in bench/work/vectors/"
    )
    ap.add_argument(
        "--no-snapshot",
        action="store_true",
        help="import fastembed_core where it is installed instead of from a copy "
        "taken when the run starts",
    )
    ap.add_argument(
        "--hs",
        action="store_true",
        help="hierarchical softmax (hs=1, negative=0) instead of negative sampling",
    )
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return _worker(json.loads(args.worker))
    if not args.corpus:
        ap.error("--corpus is required")
    corpus = os.path.abspath(args.corpus)
    if not os.path.isfile(corpus):
        ap.error(f"{corpus}: no such file (build it with bench/make_corpus.py)")

    settings = dict(hs=1, negative=0) if args.hs else {}
    peers = list(dict.fromkeys(args.peers))
    skipped = {}
    os.makedirs(WORK_DIR, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="run-", dir=WORK_DIR)
    snapshot = sys_path = None
    if "fastembed_core" in peers:
        if not args.no_snapshot:
            sys_path = os.path.join(workdir, "snapshot")
            snapshot = snapshot_fastembed_core(sys_path)
            if snapshot is None:
                sys_path = None
        why = check_fastembed_core(sys_path)
        if why:
            skipped["fastembed_core"] = f"import failed: {why}"
    if "word2vec_c" in peers and not word2vec_binary():
        skipped["word2vec_c"] = "word2vec executable not found (pip install word2vec)"
    for name, mod in (("fasttext", "fasttext"), ("gensim", "gensim"), ("gensim_file", "gensim")):
        if name in peers:
            try:
                __import__(mod)
            except ImportError as e:
                skipped[name] = f"import failed: {e}"
    for p, why in skipped.items():
        print(f"skipping {p}: {why}", flush=True)
    peers = [p for p in peers if p not in skipped]
    if not peers:
        raise SystemExit("no peer can run")

    t_begin = time.monotonic()
    # Recorded before the runs: other people may commit while a long benchmark runs.
    machine, git = machine_info(), git_info()
    stats = corpus_stats(corpus, STANDARD["min_count"], STANDARD["sample"])
    top_words = stats.pop("top_words")
    print(
        f"corpus {stats['path']}: {stats['tokens']:,} tokens, {stats['lines']:,} lines, "
        f"vocab {stats['vocab_min_count']:,} (min_count {STANDARD['min_count']}), "
        f"{stats['effective_tokens_per_epoch']:,} effective tokens/epoch",
        flush=True,
    )

    runs = []
    try:
        for sg in args.sg:
            for threads in args.threads:
                for rep in range(args.repeats):
                    k = rep % len(peers)
                    for peer in peers[k:] + peers[:k]:
                        rec = run_one(
                            peer,
                            corpus,
                            sg,
                            threads,
                            args.epochs,
                            args.seed,
                            workdir,
                            args.timeout,
                            sys_path,
                            settings,
                        )
                        rec.update(sg=sg, threads=threads, repeat=rep)
                        if "error" not in rec:
                            rec["raw_wps"] = round(stats["tokens"] * args.epochs / rec["train_s"])
                            rec["eff_wps"] = round(
                                stats["effective_tokens_per_epoch"] * args.epochs / rec["train_s"]
                            )
                            if rec.get("train_cpu_s"):
                                rec["eff_wpcs"] = round(
                                    stats["effective_tokens_per_epoch"]
                                    * args.epochs
                                    / rec["train_cpu_s"]
                                )
                            vec = rec.pop("vectors")
                            if not args.no_eval:
                                try:
                                    rec.update(evaluate(vec, top_words))
                                except Exception as e:  # keep the timings, flag the run
                                    rec["error"] = f"evaluation failed: {e!r}"
                            if args.keep_vectors:
                                keep = os.path.join(WORK_DIR, "vectors")
                                os.makedirs(keep, exist_ok=True)
                                shutil.move(
                                    vec, os.path.join(keep, f"{peer}-sg{sg}-t{threads}-r{rep}.bin")
                                )
                            else:
                                os.remove(vec)
                        for key in (
                            "vocab_s",
                            "train_s",
                            "save_s",
                            "total_s",
                            "process_s",
                            "vocab_cpu_s",
                            "train_cpu_s",
                        ):
                            if key in rec:
                                rec[key] = round(rec[key], 4)
                        runs.append(rec)
                        _print_run(rec)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    failed = [r for r in runs if "error" in r]
    result = {
        "schema": RESULT_SCHEMA,
        "date": datetime.date.today().isoformat(),
        "command": "python bench/run_bench.py "
        + " ".join(
            a if a.startswith("-") else json.dumps(a) if " " in a else a
            for a in (argv if argv is not None else sys.argv[1:])
        ),
        "complete": not failed and not skipped,
        "machine": machine,
        "git": git,
        "settings": {
            **STANDARD,
            **settings,
            "epochs": args.epochs,
            "sg": args.sg,
            "threads": args.threads,
            "repeats": args.repeats,
            "seed": args.seed,
            "peers": peers,
            "analogy_restrict": ANALOGY_RESTRICT,
        },
        "corpus": stats,
        "skipped_peers": skipped,
        "fastembed_core_snapshot": snapshot,
        "runs": runs,
        "medians": summarize(runs),
        "elapsed_s": round(time.monotonic() - t_begin, 1),
    }
    if args.out:
        path = args.out
    else:
        name = args.name or f"{os.path.splitext(os.path.basename(corpus))[0]}-e{args.epochs}"
        path = os.path.join(RESULTS_DIR, f"{result['date']}-{name}.json")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"\nwrote {path} ({len(runs)} runs, {len(failed)} failed, {result['elapsed_s']:.0f} s)")
    _print_medians(result["medians"])
    return 0 if result["complete"] else 1


def _print_run(r):
    head = f"sg={r['sg']} t={r['threads']} #{r['repeat']} {r['peer']:<15}"
    if "error" in r:
        print(f"{head} FAILED: {r['error'].splitlines()[0]}", flush=True)
        return
    q = ""
    if "ws353_spearman" in r:
        q = (
            f" ws353 {r['ws353_spearman']:.3f} simlex {r['simlex_spearman']:.3f} "
            f"analogy {r['analogy_acc']:.3f}"
        )
    print(
        f"{head} vocab {r['vocab_s']:6.2f}s train {r['train_s']:7.2f}s save "
        f"{r['save_s']:5.2f}s eff {r['eff_wps'] / 1e3:7.1f}k w/s raw {r['raw_wps'] / 1e3:7.1f}k "
        f"rss {r['peak_rss_mb']:6.0f}MB other-cpu {r['noise'].get('other_cpu_s', 0):5.1f}s{q}",
        flush=True,
    )


def _print_medians(meds):
    print("\nmedians:")
    for m in meds:
        q = ""
        if "ws353_spearman" in m:
            q = (
                f" ws353 {m['ws353_spearman']:.3f} simlex {m['simlex_spearman']:.3f} "
                f"analogy {m['analogy_acc']:.3f}"
            )
        print(
            f"  sg={m['sg']} t={m['threads']} {m['peer']:<15} n={m['n']} train "
            f"{m['train_s']:7.2f}s eff {m['eff_wps'] / 1e3:7.1f}k raw {m['raw_wps'] / 1e3:7.1f}k "
            f"total {m['total_s']:6.2f}s vocab {m['vocab_s']:5.2f}s rss "
            f"{m['peak_rss_mb']:5.0f}MB{q}"
        )


if __name__ == "__main__":
    sys.exit(main())
