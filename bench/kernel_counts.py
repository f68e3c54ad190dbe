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
``sg-hs``, ``cbow-hs`` (hierarchical softmax, no negatives). Each call adds
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


def git_commit():
    out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "src", "fastembed_core"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return out.stdout.strip() + ("+dirty" if dirty else "")


def count(path, sg, hs, lines):
    """(instructions executed inside fe_train_range (callgrind Ir), effective words) of one
    run."""
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
            TRAIN,
            str(sg),
            str(hs),
            str(lines),
        ]
        res = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError(f"callgrind run failed ({path}, sg={sg}):\n{res.stderr[-2000:]}")
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
        default=["sg", "cbow"],
        choices=list(MODES),
        help="models (default: sg cbow; the -hs ones train hs=1, negative=0)",
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--commit", default=None, help="commit measured (default: git HEAD)")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from fastembed_core import _kernel

    commit = args.commit or git_commit()
    paths = args.paths or [p for p in _kernel.simd_supported() if p != "avx512"]
    counts, per_word = {}, {}
    for path in paths:
        for mode in args.modes:
            key = f"{path}/{mode}"
            sg, hs = MODES[mode]
            counts[key], effective = count(path, sg, hs, args.lines)
            per_word[key] = round(counts[key] / effective, 1)
            print(
                f"{args.label:8s} {key:14s} {counts[key]:>14,d}  {per_word[key]:8.1f} per word",
                flush=True,
            )
    data = json.loads(args.out.read_text()) if args.out.exists() else {}
    data[args.label] = {
        "commit": commit,
        "lines": args.lines,
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
