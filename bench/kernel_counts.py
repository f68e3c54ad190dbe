"""Instruction counts of the training kernel, per SIMD path, under callgrind.

Wall-clock timings on a shared machine drift by several per cent from run to run; the number
of instructions executed does not, so it is what a refactoring of the kernel is checked
against. Each measurement is one fixed run (1 worker, seed 1, 1 epoch) on the first
``--lines`` lines of the bundled sample corpus, with collection switched on only inside
``fe_train_range``: Python start-up, the vocabulary and the encoding are left out.

    python bench/kernel_counts.py --label before   # on the old commit, extensions built in place
    python bench/kernel_counts.py --label after    # on the new one

Valgrind does not emulate AVX-512 (its CPUID hides it, so the kernel falls back to AVX2 and
the script refuses the result): only the scalar and AVX2 paths can be counted. The AVX-512
path shares its source with the AVX2 one (src/fe_vec_x86.h) and is compared with the scalar
path by the tests.

``--modes`` picks the models: ``sg`` and ``cbow`` (negative sampling, the default) and
``sg-hs``, ``cbow-hs`` (hierarchical softmax, no negatives). ``--subwords`` counts fastText's
models on the same words instead: every word's rows are its own and those of its character
n-grams (minn 3, maxn 6, hashed with 32-bit FNV-1a into ``--bucket`` rows: about 20 rows a
word), in the modes ``ft-sg`` (one block step per centre), ``ft-sg-pairs`` (one step per
(centre, context) pair, fastText's order), ``ft-cbow`` and ``ft-cbow-sums`` (CBOW from
cached word sums, ``cbow_sums``). Each call adds
``{label: {commit, counts, per_effective_word}}`` to ``--out`` (JSON): the instructions, and
the instructions per word kept by subsampling (what ``train`` reports as effective words), and
prints the table of every label recorded there.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "2026-12-01-kernel-counts.json"

# mode -> (sg, hs): negative sampling (5 negatives) or hierarchical softmax (no negatives)
MODES = {"sg": (1, 0), "cbow": (0, 0), "sg-hs": (1, 1), "cbow-hs": (0, 1)}
# subword mode -> (sg, shared_negatives, cbow_sums), negative sampling
SUBWORD_MODES = {
    "ft-sg": (1, 1, 0),
    "ft-sg-pairs": (1, 0, 0),
    "ft-cbow": (0, 1, 0),
    "ft-cbow-sums": (0, 1, 1),
}

TRAIN = r"""
import sys
import fastembed_core
from fastembed_core import Word2Vec
from fastembed_core.datasets import sample_corpus_path

sg, hs, lines = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
with open(sample_corpus_path(), encoding="utf-8") as f:
    sentences = [next(f).split() for _ in range(lines)]
model = Word2Vec(vector_size=100, window=5, min_count=2, sg=sg, hs=hs, negative=0 if hs else 5,
                 epochs=1, workers=1, seed=1)
model.build_vocab(sentences)
effective, raw = model.train(sentences, total_examples=len(sentences), epochs=1)
print(effective)
print(fastembed_core.simd_path())
"""

# The same run with subword tables: the model's TrainingRun gets an input matrix of V + bucket
# rows and every word's row list (own row, then its n-grams' buckets; fastText's n-grams of
# "<word>", hashed by FNV-1a over the UTF-8 bytes, each byte sign-extended).
TRAIN_SUBWORDS = r"""
import sys
import numpy as np
import fastembed_core
from fastembed_core import Word2Vec, _kernel
from fastembed_core.datasets import sample_corpus_path
from fastembed_core.models import word2vec as word2vec_module

sg, shared, lines, bucket, sums = (int(a) for a in sys.argv[1:6])

def fnv1a(data):
    h = 2166136261
    for b in data:
        h = ((h ^ ((b - 256 if b > 127 else b) & 0xFFFFFFFF)) * 16777619) & 0xFFFFFFFF
    return h

def subword_lists(words, minn=3, maxn=6):
    lists = []
    for w, word in enumerate(words):
        chars = "<" + word + ">"
        rows = [w]
        for i in range(len(chars)):
            for n in range(minn, maxn + 1):
                if i + n > len(chars):
                    break
                rows.append(len(words) + fnv1a(chars[i : i + n].encode()) % bucket)
        lists.append(rows)
    offsets = np.cumsum([0] + [len(x) for x in lists]).astype(np.int64)
    return offsets, np.array([r for x in lists for r in x], np.uint32)

with open(sample_corpus_path(), encoding="utf-8") as f:
    sentences = [next(f).split() for _ in range(lines)]
model = Word2Vec(vector_size=100, window=5, min_count=2, sg=sg, negative=5, epochs=1,
                 workers=1, seed=1, shared_negatives=bool(shared))
model.build_vocab(sentences)
offsets, rows = subword_lists(model.wv.index_to_key)
rng = np.random.default_rng(1)
ngrams = ((rng.random((bucket, 100)) - 0.5) / 100).astype(np.float32)

class SubwordRun:
    def __new__(cls, w_in, *args, **kwargs):
        return _kernel.TrainingRun(np.vstack([w_in, ngrams]), *args, subword_offsets=offsets,
                                   subword_rows=rows, cbow_sums=bool(sums), **kwargs)

class KernelWithSubwords:
    TrainingRun = SubwordRun

    def __getattr__(self, name):
        return getattr(_kernel, name)

word2vec_module._kernel = KernelWithSubwords()
effective, raw = model.train(sentences, total_examples=len(sentences), epochs=1)
print(f"rows per word {len(rows) / (len(offsets) - 1):.1f}", file=sys.stderr)
print(effective)
print(fastembed_core.simd_path())
"""


def git_commit():
    out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "src", "fastembed_core"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return out.stdout.strip() + ("+dirty" if dirty else "")


def count(path, script, *argv):
    """(instructions executed inside fe_train_range (callgrind Ir), effective words) of one
    run of ``script`` with arguments ``argv``."""
    with tempfile.TemporaryDirectory() as tmp:
        out_file = Path(tmp) / "callgrind.out"
        env = dict(os.environ, FASTEMBED_SIMD=path, PYTHONPATH=str(ROOT))
        cmd = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out_file}",
            "--toggle-collect=fe_train_range",
            sys.executable,
            "-c",
            script,
            *(str(a) for a in argv),
        ]
        res = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError(f"callgrind run failed ({path}, {argv}):\n{res.stderr[-2000:]}")
        *_, effective, ran = res.stdout.strip().splitlines()
        if ran != path:
            raise RuntimeError(f"asked for the {path} path, the kernel ran {ran}")
        for line in out_file.read_text().splitlines():
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1]), int(effective)
    raise RuntimeError("no totals in the callgrind output")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--label", required=True, help="e.g. before / after")
    ap.add_argument("--lines", type=int, default=2000, help="corpus lines (default 2000)")
    ap.add_argument(
        "--paths", nargs="+", default=None, help="SIMD paths (default: scalar and avx2)"
    )
    ap.add_argument(
        "--modes",
        nargs="+",
        default=None,
        choices=list(MODES) + list(SUBWORD_MODES),
        help="models (default: sg cbow, with --subwords every ft- mode; the -hs ones train "
        "hs=1, negative=0)",
    )
    ap.add_argument("--subwords", action="store_true", help="fastText's models (see above)")
    ap.add_argument(
        "--bucket", type=int, default=100_000, help="n-gram rows with --subwords (100,000)"
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--commit", default=None, help="commit measured (default: git HEAD)")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from fastembed_core import _kernel

    modes = args.modes or (list(SUBWORD_MODES) if args.subwords else ["sg", "cbow"])
    if any((m in SUBWORD_MODES) != args.subwords for m in modes):
        ap.error("the ft- modes go with --subwords, the others without it")
    commit = args.commit or git_commit()
    paths = args.paths or [p for p in _kernel.simd_supported() if p != "avx512"]
    counts, per_word = {}, {}
    for path in paths:
        for mode in modes:
            key = f"{path}/{mode}"
            if args.subwords:
                sg, shared, sums = SUBWORD_MODES[mode]
                run = (TRAIN_SUBWORDS, sg, shared, args.lines, args.bucket, sums)
            else:
                sg, hs = MODES[mode]
                run = (TRAIN, sg, hs, args.lines)
            counts[key], effective = count(path, *run)
            per_word[key] = round(counts[key] / effective, 1)
            print(
                f"{args.label:8s} {key:14s} {counts[key]:>14,d}  {per_word[key]:8.1f} per word",
                flush=True,
            )
    data = json.loads(args.out.read_text()) if args.out.exists() else {}
    data[args.label] = {
        "commit": commit,
        "lines": args.lines,
        **({"bucket": args.bucket, "minn": 3, "maxn": 6} if args.subwords else {}),
        "counts": counts,
        "per_effective_word": per_word,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n")
    labels = list(data)
    change = [f"{labels[0]} -> {labels[-1]}"] if len(labels) > 1 else []
    print("| run | " + " | ".join(labels + change) + " |")
    print("|---" * (1 + len(labels) + len(change)) + "|")
    for key in dict.fromkeys(k for lab in labels for k in data[lab]["counts"]):
        row = [data[lab]["counts"].get(key) for lab in labels]
        cells = [f"{v:,d}" if v is not None else "-" for v in row]
        if len(labels) > 1 and row[0] and row[-1]:
            cells.append(f"{100 * (row[-1] - row[0]) / row[0]:+.2f} %")
        print(f"| {key} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
