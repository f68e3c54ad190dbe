"""The demo, run as a user runs it (``python -m fastembed_core demo``), with one quick epoch;
and on an install without matplotlib and gensim, where it must still work and say what to
install."""

import importlib.util
import os
import re
import subprocess
import sys

from fastembed_core.cli import demo

COLOURS = {
    "yellow",
    "blue",
    "green",
    "white",
    "black",
    "orange",
    "purple",
    "brown",
    "pink",
    "violet",
    "grey",
    "gray",
    "yellowish",
    "purplish",
    "reddish",
    "pinkish",
    "bluish",
    "greenish",
    "scarlet",
    "crimson",
    "rose",
}


def _run(args, tmp_path, block=()):
    """Runs the CLI in a subprocess; modules named in ``block`` cannot be imported there."""
    code = (
        "import sys\n"
        + "".join(f"sys.modules[{m!r}] = None\n" for m in block)
        + "from fastembed_core.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    )
    cmd = [sys.executable, "-c", code] if block else [sys.executable, "-m", "fastembed_core"]
    return subprocess.run(
        cmd + [str(a) for a in args], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )


def _check_report(out):
    assert re.search(r"[0-9,]+ tokens in [0-9,]+ lines", out)
    assert re.search(r"vocabulary: [0-9,]+ words", out)
    assert re.search(r"training: +[0-9.]+ s, [0-9,]+ effective words/s", out)
    for word in demo.NEIGHBOUR_WORDS:
        assert re.search(rf"^  {word} +\S+ [01]\.\d{{3}}, ", out, re.M), word
    for a, b, c, _ in demo.ANALOGIES:
        assert f"  {a} : {b} :: {c} : " in out
    assert re.search(r"questions-words analogy accuracy: \d+\.\d%", out)


def test_demo_one_epoch(tmp_path):
    r = _run(
        [
            "demo",
            "--epochs",
            1,
            "--sg",
            0,
            "--workers",
            2,
            "--seed",
            3,
            "--output-dir",
            tmp_path / "pics",
        ],
        tmp_path,
    )
    assert r.returncode == 0, r.stderr
    _check_report(r.stdout)
    assert "epoch(s)" in r.stderr  # progress lines: stderr is not a terminal
    # Even one CBOW epoch puts colours next to "red": over seeds 1-5, 3 to 5 of its six
    # neighbours were colour words; a broken trainer gives about none.
    red = re.search(r"^  red +(.*)$", r.stdout, re.M).group(1)
    neighbours = [part.split()[0] for part in red.split(", ")]
    assert len(set(neighbours) & COLOURS) >= 2, red
    assert re.search(r"wordsim353\.tsv Spearman rho: -?0\.\d{3}", r.stdout)
    assert re.search(r"simlex999\.txt Spearman rho: -?0\.\d{3}", r.stdout)
    if importlib.util.find_spec("matplotlib") is not None:
        for name in ("word_map.png", "country_nationality.png", "neighbours_dog.png"):
            path = tmp_path / "pics" / name
            assert str(path) in r.stdout
            with open(path, "rb") as f:
                assert f.read(8) == b"\x89PNG\r\n\x1a\n"
            assert path.stat().st_size > 20000


def test_demo_without_matplotlib_and_gensim(tmp_path):
    r = _run(
        [
            "demo",
            "--epochs",
            1,
            "--sg",
            0,
            "--workers",
            2,
            "--quiet",
            "--output-dir",
            tmp_path / "pics",
        ],
        tmp_path,
        block=("matplotlib", "gensim"),
    )
    assert r.returncode == 0, r.stderr
    _check_report(r.stdout)
    assert r.stderr == ""  # --quiet: no progress, no notes
    assert "pip install matplotlib" in r.stdout
    # the word-pair sets are bundled: scored without gensim
    assert re.search(r"wordsim353\.tsv Spearman rho: -?0\.\d{3}", r.stdout)
    assert re.search(r"simlex999\.txt Spearman rho: -?0\.\d{3}", r.stdout)
    assert not os.path.exists(tmp_path / "pics")


def test_demo_rejects_bad_options(tmp_path):
    r = _run(["demo", "--epochs", 0], tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "--epochs" in r.stderr and len(r.stderr.strip().splitlines()) == 1
