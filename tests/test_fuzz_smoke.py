"""A short run of every fuzz target in fuzz/ (the long runs are by hand: fuzz/run.sh SECONDS).

Two tests: the seed corpus plus a few thousand random mutations per target (Python's
``random``, deterministic, always runs), and, when atheris is installed, each target under
atheris/libFuzzer for a few seconds in a subprocess. Either fails on any exception other than
the documented ones, or on a result that breaks a reader's promises.
"""

import importlib.util
import os
import subprocess
import sys

import pytest

FUZZ = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fuzz")
sys.path.insert(0, FUZZ)

import harnesses  # noqa: E402
import make_seeds  # noqa: E402

from fastembed_core.errors import FormatError  # noqa: E402

ATHERIS_SECONDS = 8
MUTATIONS = 2500


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds")
    made = make_seeds.make(str(out))
    assert all(n > 0 for n in made.values()), made
    return str(out)


@pytest.mark.parametrize("name", sorted(harnesses.TARGETS))
@pytest.mark.filterwarnings("ignore:.*the vocabulary file lacks")
def test_seeds_are_accepted(seeds, name, monkeypatch):
    """The seeds are valid files: none raises even a documented error (else the fuzzer would
    start from rejected inputs and explore little)."""

    def strict(call, allowed):
        try:
            return call()
        except FormatError as exc:  # the native target tries each kind of object on a file
            if any(kind in str(exc) for kind in ("not a 'Word2Vec'", "not a 'KeyedVectors'")):
                return None
            raise

    monkeypatch.setattr(harnesses, "_expect", strict)
    target = harnesses.TARGETS[name]
    inputs = make_seeds.load(seeds, name)
    assert inputs
    for data in inputs:
        target(data)


@pytest.mark.parametrize("name", sorted(harnesses.TARGETS))
def test_random_mutations_raise_only_documented_errors(seeds, name):
    harnesses.run_random(name, make_seeds.load(seeds, name), MUTATIONS, seed=1234)


@pytest.mark.timeout(600)
@pytest.mark.skipif(importlib.util.find_spec("atheris") is None, reason="atheris is not installed")
@pytest.mark.parametrize("name", sorted(harnesses.TARGETS))
def test_atheris_short_run(seeds, name, tmp_path):
    work = tmp_path / "corpus"
    work.mkdir()
    proc = subprocess.run(
        [
            sys.executable,
            os.path.join(FUZZ, "fuzz.py"),
            name,
            f"-max_total_time={ATHERIS_SECONDS}",
            "-timeout=20",
            "-rss_limit_mb=2048",
            f"-artifact_prefix={tmp_path}/",
            str(work),
            os.path.join(seeds, name),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    crashes = [p for p in os.listdir(tmp_path) if p.startswith(("crash-", "timeout-", "oom-"))]
    assert proc.returncode == 0 and not crashes, proc.stderr[-4000:]
    assert "DONE" in proc.stderr
