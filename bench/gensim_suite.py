"""Runs gensim's own test files against fastembed_core: how much of gensim's API behaves alike.

Steps:

1. ``pip download gensim==VERSION --no-binary :all: --no-deps`` into ``bench/work/`` (git
   ignores it; gensim's files are never committed here) and unpack the chosen test files.
2. Rewrite ONLY their import statements, with the table :data:`NAME_MAP` below: the names
   fastembed_core provides (``Word2Vec``, ``KeyedVectors``, ``LineSentence``, ``Phrases``, ...)
   are imported from fastembed_core, everything else (test helpers such as ``datapath``,
   constants, private helpers) still from gensim. The test bodies are untouched, and the test
   data is the installed gensim's (``gensim.test.utils.datapath``).
3. Run them with pytest and write every test's outcome to
   ``bench/results/<date>-gensim-suite.json``, with a summary per file, the failing tests
   with the first line of their error, and the failures caused by loading one of gensim's
   pickled model files (which fastembed_core refuses by design: a pickle runs code when loaded).

Usage::

    python bench/gensim_suite.py                       # word2vec, keyedvectors, phrases
    python bench/gensim_suite.py --files test_word2vec.py test_fasttext.py
    python bench/gensim_suite.py --sdist path/to/gensim-4.4.0.tar.gz   # offline

Needs gensim (its test data and helpers), pytest and testfixtures in the environment.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import os
import re
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work"
RESULTS = HERE / "results"
DEFAULT_FILES = ["test_word2vec.py", "test_keyedvectors.py", "test_phrases.py"]
KNOWN_FILES = [*DEFAULT_FILES, "test_fasttext.py", "test_doc2vec.py"]
# Test files another one imports (rewritten too, but run only when chosen).
NEEDS = {"test_fasttext.py": ["test_word2vec.py"]}

# (gensim module, name imported from it) -> fastembed_core module to take it from. A module
# imported whole (``from gensim.models import word2vec``) is mapped by its own name.
_W2V = "fastembed_core.models.word2vec"
_KV = "fastembed_core.vectors.keyedvectors"
_PHRASES = "fastembed_core.models.phrases"
_FASTTEXT = "fastembed_core.models.fasttext"
_DOC2VEC = "fastembed_core.models.doc2vec"
NAME_MAP: dict[tuple[str, str], str] = {
    ("gensim.models", "word2vec"): "fastembed_core.models",
    ("gensim.models", "keyedvectors"): "fastembed_core.vectors",
    ("gensim.models", "phrases"): "fastembed_core.models",
    ("gensim.models", "fasttext"): "fastembed_core.models",
    ("gensim.models", "doc2vec"): "fastembed_core.models",
    ("gensim.models", "Word2Vec"): "fastembed_core",
    ("gensim.models", "KeyedVectors"): "fastembed_core",
    ("gensim.models", "Phrases"): _PHRASES,
    ("gensim.models", "FastText"): _FASTTEXT,
    ("gensim.models", "Doc2Vec"): _DOC2VEC,
    **{
        ("gensim.models.word2vec", name): _W2V
        for name in ("Word2Vec", "LineSentence", "PathLineSentences", "Text8Corpus", "BrownCorpus")
    },
    ("gensim.models.keyedvectors", "KeyedVectors"): _KV,
    **{
        ("gensim.models.phrases", name): _PHRASES
        for name in (
            "Phrases",
            "FrozenPhrases",
            "Phraser",
            "original_scorer",
            "npmi_scorer",
            "ENGLISH_CONNECTOR_WORDS",
            "_PhrasesTransformation",
        )
    },
    **{
        ("gensim.models.fasttext", name): _FASTTEXT
        for name in ("FastText", "FastTextKeyedVectors", "load_facebook_model")
    },
    ("gensim.models.doc2vec", "Doc2Vec"): _DOC2VEC,
    ("gensim.models.doc2vec", "TaggedDocument"): _DOC2VEC,
    ("gensim.models.callbacks", "CallbackAny2Vec"): "fastembed_core.models.callbacks",
    # test_fasttext reuses a test class of test_word2vec: take the rewritten copy
    ("gensim.test.test_word2vec", "*"): "test_word2vec",
}
# `import gensim.models.X` lines stay: the bodies name gensim's module through them.

# How fastembed_core refuses a pickled file (fastembed_core.io.detect words it so).
PICKLE_RE = re.compile(r"(?:looks like|is) a Python pickle")


def fetch_sdist(version: str, sdist: str | None) -> Path:
    if sdist:
        return Path(sdist)
    WORK.mkdir(parents=True, exist_ok=True)
    found = sorted(WORK.glob(f"gensim-{version}.tar.gz"))
    if not found:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                f"gensim=={version}",
                "--no-binary",
                ":all:",
                "--no-deps",
                "--no-build-isolation",  # metadata from this environment: no build deps fetched
                "-d",
                str(WORK),
            ],
            check=True,
        )
        found = sorted(WORK.glob(f"gensim-{version}.tar.gz"))
    if not found:
        raise SystemExit(f"no gensim-{version}.tar.gz in {WORK} after pip download")
    return found[0]


def unpack(sdist: Path, files: list[str], dest: Path) -> dict[str, str]:
    """{file name: source text} of the chosen test files in the sdist."""
    out = {}
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if len(parts) >= 3 and parts[-3:-1] == ("gensim", "test") and parts[-1] in files:
                handle = tar.extractfile(member)
                if handle is not None:
                    out[parts[-1]] = handle.read().decode("utf-8")
    missing = set(files) - set(out)
    if missing:
        raise SystemExit(f"{sdist} lacks {sorted(missing)}")
    return out


def _target(module: str, name: str) -> str | None:
    return NAME_MAP.get((module, name)) or NAME_MAP.get((module, "*"))


def rewrite_imports(source: str) -> tuple[str, list[str]]:
    """The source with its gensim imports of mapped names pointing at fastembed_core, and
    a description of each change. Only import statements change; other lines stay as they are."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits = []  # (first line, last line, replacement lines)
    notes = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not node.module or node.level:
            continue
        moved: dict[str, list[str]] = {}
        kept = []
        for alias in node.names:
            target = _target(node.module, alias.name)
            text = alias.name + (f" as {alias.asname}" if alias.asname else "")
            if target is None:
                kept.append(text)
            else:
                moved.setdefault(target, []).append(text)
        if not moved:
            continue
        indent = " " * node.col_offset
        new = [f"{indent}from {node.module} import {', '.join(kept)}\n"] if kept else []
        for target, names in moved.items():
            new.append(f"{indent}from {target} import {', '.join(names)}\n")
            notes.append(f"line {node.lineno}: {', '.join(names)} from {target}")
        edits.append((node.lineno, node.end_lineno or node.lineno, new))
    for first, last, new in sorted(edits, reverse=True):
        lines[first - 1 : last] = new
    return "".join(lines), notes


def run_pytest(work: Path, files: list[str], junit: Path) -> int:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(work), env.get("PYTHONPATH", "")])
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--continue-on-collection-errors",  # a module we lack fails its file only
        "--rootdir",
        str(work),
        f"--junitxml={junit}",
        "-o",
        "junit_family=xunit1",
        *[str(work / f) for f in files],
    ]
    print("running:", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=work, env=env).returncode


def first_line(text: str | None) -> str:
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""


def collect(junit: Path, files: list[str]) -> dict:
    root = ET.parse(junit).getroot()
    tests = []
    for case in root.iter("testcase"):
        file = case.get("file") or (case.get("classname", "").split(".")[0] + ".py")
        outcome, message, detail = "passed", "", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
                message = first_line(child.get("message")) or first_line(child.text)
                detail = child.text or ""
                if message == "collection failure":  # the reason is in pytest's E lines
                    reasons = [ln[1:].strip() for ln in detail.splitlines() if ln[:1] == "E"]
                    message = f"collection failure: {reasons[0] if reasons else '?'}"
                break
        classname = case.get("classname") or os.path.basename(file)
        name = f"{classname}::{case.get('name')}"
        entry = {"file": os.path.basename(file), "test": name, "outcome": outcome}
        if outcome in ("failed", "error"):
            entry["error"] = message
            entry["loads_gensim_pickle"] = bool(PICKLE_RE.search(message + detail[-3000:]))
        elif outcome == "skipped":
            entry["reason"] = message
        tests.append(entry)
    summary = {}
    for f in files:
        mine = [t for t in tests if t["file"] == f]
        summary[f] = {
            k: sum(t["outcome"] == k for t in mine)
            for k in ("passed", "failed", "error", "skipped")
        }
    return {"summary": summary, "tests": tests}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="4.4.0", help="gensim sdist version")
    parser.add_argument("--sdist", help="a gensim sdist already on disk (skips pip download)")
    parser.add_argument("--files", nargs="+", default=DEFAULT_FILES, choices=KNOWN_FILES)
    parser.add_argument(
        "--out", default=str(RESULTS / f"{datetime.date.today():%Y-%m-%d}-gensim-suite.json")
    )
    args = parser.parse_args(argv)

    sdist = fetch_sdist(args.version, args.sdist)
    work = WORK / "gensim_suite"
    work.mkdir(parents=True, exist_ok=True)
    needed = sorted({*args.files, *(dep for f in args.files for dep in NEEDS.get(f, []))})
    sources = unpack(sdist, needed, work)
    rewrites = {}
    for name, text in sources.items():
        rewritten, notes = rewrite_imports(text)
        (work / name).write_text(rewritten, encoding="utf-8")
        rewrites[name] = notes
    junit = work / "junit.xml"
    code = run_pytest(work, args.files, junit)
    if not junit.exists():
        raise SystemExit(f"pytest wrote no report (exit code {code})")
    report = collect(junit, args.files)
    import gensim

    import fastembed_core

    report = {
        "what": "gensim's own test files run against fastembed_core (imports rewritten only)",
        "command": "python bench/gensim_suite.py "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "gensim_sdist": sdist.name,
        "gensim_installed": gensim.__version__,
        "fastembed_core": fastembed_core.__version__,
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip(),
        "import_rewrites": rewrites,
        **report,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")

    print(f"\n{'file':24} {'passed':>7} {'failed':>7} {'errors':>7} {'skipped':>7}")
    for f, s in report["summary"].items():
        print(f"{f:24} {s['passed']:7} {s['failed']:7} {s['error']:7} {s['skipped']:7}")
    bad = [t for t in report["tests"] if t["outcome"] in ("failed", "error")]
    pickles = [t for t in bad if t["loads_gensim_pickle"]]
    print(f"\n{len(bad)} failing tests, {len(pickles)} of them load a gensim pickle file:")
    for t in pickles:
        print(f"  {t['test']}")
    print(f"\nfailing tests and first error lines: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
