"""Does the portable wheel train as fast as a local build? And what does SIMD dispatch buy?

    python bench/wheel_check.py --wheel-python /tmp/wheelvenv/bin/python \\
        --corpus bench/data/english.txt --sg 1 0 --repeats 5

Compares, on one corpus and the standard setting (vector_size=100, window=5, negative=5,
sample=1e-3, min_count=5, alpha=0.025), workers=1, epochs=1:

* ``local``        -- ``--local-python`` (default: the Python running this script): an editable
  install (``pip install --no-build-isolation -e``) of the *same commit* the wheel was built
  from, dispatch left on ``auto``;
* ``wheel``        -- ``--wheel-python``: a fresh venv holding the manylinux wheel, ``auto``;
* ``wheel-scalar`` -- the same wheel with ``FASTEMBED_SIMD=scalar``: the baseline x86-64 code
  every CPU runs, i.e. what the wheel would be without run-time dispatch.

Every measurement is its own process (started in a temporary folder, so the checkout cannot
shadow the installed package), and the variants run interleaved -- A B C, B C A, C A B, ... --
``--repeats`` times per setting. Each child reports which package file it imported and which
SIMD path is active, so a mix-up shows in the JSON.

Figures per run:

* ``eff_words``       -- effective words trained (after subsampling), from ``train()``;
* ``train_wall_s`` / ``train_cpu_s`` -- wall and process CPU time of the epochs alone (taken
  in the ``on_train_begin`` / ``on_train_end`` callbacks, so encoding is excluded);
* ``eff_wpcs``        -- effective words per CPU-second of the epochs: the headline figure,
  because CPU time is the least disturbed by other work on a shared machine;
* ``words_per_second``-- the model's own figure (effective words per wall second);
* ``call_cpu_s``      -- process CPU time around the whole ``train()`` call (includes
  encoding the corpus file);
* ``other_cpu_share`` -- share of the machine's CPU time used by *other* processes during the
  epochs (from /proc/stat), to flag disturbed runs.

With ``--callgrind-bytes N`` each variant and setting also runs once under valgrind's
callgrind on the first N bytes of the corpus, counting the instructions executed inside
``fe_train_range`` (the epochs' kernel work): a figure no other process can disturb.

Medians per variant and setting, and the ratios wheel/local and wheel/wheel-scalar, go to
``bench/results/<date>-wheel-check.json``; bench/WHEELS.md explains how to reproduce them.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

STANDARD = dict(vector_size=100, window=5, negative=5, hs=0, sample=1e-3, min_count=5, alpha=0.025)


# ---- child: one measurement -------------------------------------------------------------


def _cpu_ticks():
    """(busy, total) jiffies of the whole machine, or None off Linux."""
    try:
        with open("/proc/stat") as f:
            parts = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return None
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    return sum(parts) - idle, sum(parts)


def child(args):
    import fastembed_core
    from fastembed_core import Word2Vec

    marks = {}

    class Clock:
        def on_train_begin(self, model):
            marks["t0"] = (time.perf_counter(), time.process_time(), _cpu_ticks())

        def on_train_end(self, model):
            marks["t1"] = (time.perf_counter(), time.process_time(), _cpu_ticks())

    model = Word2Vec(sg=args.sg[0], workers=1, epochs=1, seed=args.seed, **STANDARD)
    model.build_vocab(corpus_file=args.corpus)
    c0 = time.process_time()
    effective, raw = model.train(
        corpus_file=args.corpus, total_words=model.corpus_total_words, epochs=1, callbacks=[Clock()]
    )
    call_cpu = time.process_time() - c0
    (w0, p0, k0), (w1, p1, k1) = marks["t0"], marks["t1"]
    wall, cpu = w1 - w0, p1 - p0
    other = None
    if k0 and k1:
        busy, total = k1[0] - k0[0], k1[1] - k0[1]
        hz = os.sysconf("SC_CLK_TCK")
        if total > 0:
            other = max(0.0, busy / hz - cpu) / (total / hz)
    print(
        json.dumps(
            {
                "package": fastembed_core.__file__,
                "simd_path": fastembed_core.simd_path(),
                "eff_words": int(effective),
                "raw_words": int(raw),
                "train_wall_s": wall,
                "train_cpu_s": cpu,
                "eff_wpcs": effective / cpu,
                "eff_wps_wall": effective / wall,
                "words_per_second": model.words_per_second,
                "call_cpu_s": call_cpu,
                "other_cpu_share": other,
            }
        )
    )


# ---- parent: interleaved runs -----------------------------------------------------------


def run_one(python, simd, corpus, sg, seed, callgrind=False):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["FASTEMBED_SIMD"] = simd
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            python,
            os.path.abspath(__file__),
            "--child",
            "--corpus",
            corpus,
            "--sg",
            str(sg),
            "--seed",
            str(seed),
        ]
        if callgrind:
            cg_file = os.path.join(tmp, "callgrind.out")
            cmd = [
                "valgrind",
                "--tool=callgrind",
                "--toggle-collect=fe_train_range",
                f"--callgrind-out-file={cg_file}",
            ] + cmd
        out = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"{python} (FASTEMBED_SIMD={simd}, sg={sg}) failed:\n{out.stderr}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        if callgrind:
            with open(cg_file) as f:
                totals = [ln for ln in f if ln.startswith(("totals:", "summary:"))]
            result["instructions"] = int(totals[-1].split()[1])
            result["instructions_per_eff_word"] = result["instructions"] / result["eff_words"]
    return result


def callgrind_counts(args, variants):
    """Instructions executed inside fe_train_range (the epochs' kernel work), once per variant
    and setting under callgrind: deterministic, so one run each is enough. Uses the first
    ``--callgrind-bytes`` of the corpus (callgrind runs ~50x slower than native)."""
    with open(args.corpus, "rb") as f:
        head = f.read(args.callgrind_bytes)
    head = head[: head.rfind(b"\n") + 1]
    counts = []
    with tempfile.TemporaryDirectory() as tmp:
        small = os.path.join(tmp, "corpus-head.txt")
        with open(small, "wb") as f:
            f.write(head)
        for sg in args.sg:
            for name, python, simd in variants:
                r = run_one(python, simd, small, sg, args.seed, callgrind=True)
                counts.append(
                    {
                        "sg": sg,
                        "variant": name,
                        "simd_path": r["simd_path"],
                        "eff_words": r["eff_words"],
                        "instructions": r["instructions"],
                        "instructions_per_eff_word": r["instructions_per_eff_word"],
                    }
                )
                print(
                    f"callgrind sg={sg} {name:13s} {r['simd_path']:6s} "
                    f"{r['instructions'] / 1e9:7.2f} G instructions, "
                    f"{r['instructions_per_eff_word']:6.0f} per effective word",
                    flush=True,
                )
    return {"corpus_bytes": len(head), "counts": counts}


def machine():
    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cores": os.cpu_count(),
    }
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
        for line in text.splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        flags = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
        info["avx2"] = " avx2 " in flags + " "
        info["fma"] = " fma " in flags + " "
    except OSError:
        pass
    return info


def git_commit():
    try:
        return subprocess.run(
            ["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def parent(args):
    variants = [
        ("local", args.local_python, "auto"),
        ("wheel", args.wheel_python, "auto"),
        ("wheel-scalar", args.wheel_python, "scalar"),
    ]
    corpus = os.path.abspath(args.corpus)
    cg = callgrind_counts(args, variants) if args.callgrind_bytes else None
    runs = []
    for rep in range(args.repeats):
        for sg in args.sg:
            k = rep % len(variants)
            for name, python, simd in variants[k:] + variants[:k]:
                r = run_one(python, simd, corpus, sg, args.seed)
                r.update(variant=name, python=python, simd_env=simd, sg=sg, repeat=rep)
                runs.append(r)
                print(
                    f"rep {rep} sg={sg} {name:13s} {r['simd_path']:6s} "
                    f"{r['eff_wpcs'] / 1e3:8.0f} k eff w/CPU-s  "
                    f"{r['words_per_second'] / 1e3:8.0f} k eff w/s  "
                    f"other {100 * (r['other_cpu_share'] or 0):4.0f}%",
                    flush=True,
                )

    medians = []
    for sg in args.sg:
        for name, _, _ in variants:
            rs = [r for r in runs if r["sg"] == sg and r["variant"] == name]
            md = {
                "sg": sg,
                "variant": name,
                "n": len(rs),
                "simd_path": sorted({r["simd_path"] for r in rs}),
                "package": sorted({r["package"] for r in rs}),
            }
            for key in (
                "eff_wpcs",
                "eff_wps_wall",
                "words_per_second",
                "train_cpu_s",
                "train_wall_s",
                "call_cpu_s",
                "other_cpu_share",
                "eff_words",
            ):
                vals = [r[key] for r in rs if r[key] is not None]
                md[key] = statistics.median(vals) if vals else None
            vals = [r["eff_wpcs"] for r in rs]
            md["eff_wpcs_min"], md["eff_wpcs_max"] = min(vals), max(vals)
            medians.append(md)

    def med(sg, name, key="eff_wpcs"):
        return next(m[key] for m in medians if m["sg"] == sg and m["variant"] == name)

    ratios = [
        {
            "sg": sg,
            "wheel_over_local_cpu": med(sg, "wheel") / med(sg, "local"),
            "wheel_over_local_wall": med(sg, "wheel", "words_per_second")
            / med(sg, "local", "words_per_second"),
            "dispatched_over_scalar_cpu": med(sg, "wheel") / med(sg, "wheel-scalar"),
            "dispatched_over_scalar_wall": med(sg, "wheel", "words_per_second")
            / med(sg, "wheel-scalar", "words_per_second"),
        }
        for sg in args.sg
    ]

    print("\n| model | variant | SIMD | eff k words/CPU-s (min–max) | eff k words/s (wall) |")
    print("|---|---|---|---:|---:|")
    for md in medians:
        print(
            f"| {'skip-gram' if md['sg'] else 'CBOW'} | {md['variant']} "
            f"| {'/'.join(md['simd_path'])} | {md['eff_wpcs'] / 1e3:.0f} "
            f"({md['eff_wpcs_min'] / 1e3:.0f}–{md['eff_wpcs_max'] / 1e3:.0f}) "
            f"| {md['words_per_second'] / 1e3:.0f} |"
        )
    for r in ratios:
        print(
            f"sg={r['sg']}: wheel/local {r['wheel_over_local_cpu']:.3f} (CPU) "
            f"{r['wheel_over_local_wall']:.3f} (wall); dispatched/scalar "
            f"{r['dispatched_over_scalar_cpu']:.2f} (CPU) {r['dispatched_over_scalar_wall']:.2f} (wall)"
        )

    result = {
        "kind": "wheel-check",
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "git": {"commit": git_commit(), "source_commit": args.source_commit},
        "settings": {
            **STANDARD,
            "workers": 1,
            "epochs": 1,
            "seed": args.seed,
            "corpus": os.path.relpath(corpus, ROOT),
            "sg": args.sg,
            "repeats": args.repeats,
            "wheel": args.wheel_name,
            "variants": {n: {"python": p, "FASTEMBED_SIMD": s} for n, p, s in variants},
        },
        "medians": medians,
        "ratios": ratios,
        "callgrind": cg,
        "runs": runs,
    }
    out = args.out or os.path.join(HERE, "results", f"{result['date']}-wheel-check.json")
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(out, ROOT)}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", default=os.path.join(HERE, "data", "english.txt"))
    ap.add_argument("--sg", type=int, nargs="+", default=[1, 0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument(
        "--wheel-python",
        default="/tmp/wheelvenv/bin/python",
        help="the Python of a venv where only the wheel is installed",
    )
    ap.add_argument(
        "--local-python",
        default=sys.executable,
        help="the Python of the local (editable) build; default: this one. Build it "
        "from the same commit as the wheel, or the comparison is of two sources",
    )
    ap.add_argument("--wheel-name", default=None, help="file name of that wheel, for the record")
    ap.add_argument(
        "--source-commit", default=None, help="commit both builds were made from, for the record"
    )
    ap.add_argument(
        "--callgrind-bytes",
        type=int,
        default=0,
        help="also count instructions under callgrind on this many bytes of the corpus (0: skip)",
    )
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    if args.child:
        child(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()
