"""The bundled data files and the helpers that locate them (fastembed_core.datasets)."""

import hashlib
import os
import re

import pytest

from fastembed_core import datasets

# Pinned by bench/make_sample_corpus.py's output (also in fastembed_core/data/README.md): a
# change to the bundled corpus must be deliberate and update these numbers.
SAMPLE_SHA256 = "a6edc238fc00d10c2a834ececa7f0ef159bfd8170f36a0ca30dd5e08dcddf912"
SAMPLE_LINES = 117_659
SAMPLE_TOKENS = 1_468_606


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("FASTEMBED_CORE_CACHE", str(folder))
    return folder


def test_sample_corpus_decompresses_into_cache(cache):
    path = datasets.sample_corpus_path()
    assert os.path.dirname(path) == str(cache)
    assert path.endswith(".txt")
    with open(path, "rb") as f:
        data = f.read()
    assert hashlib.sha256(data).hexdigest() == SAMPLE_SHA256
    lines = data.decode("ascii").splitlines()
    assert len(lines) == SAMPLE_LINES
    assert sum(len(line.split()) for line in lines) == SAMPLE_TOKENS
    token = re.compile(r"[a-z]+\Z")
    for line in lines[:2000]:
        assert line and all(token.match(t) for t in line.split(" "))
    # only the final file is left behind, no temporary files
    assert os.listdir(cache) == [os.path.basename(path)]


def test_sample_corpus_is_cached(cache):
    first = datasets.sample_corpus_path()
    stamp = os.stat(first).st_mtime_ns
    os.utime(first, ns=(stamp - 10**9, stamp - 10**9))
    second = datasets.sample_corpus_path()
    assert second == first
    assert os.stat(second).st_mtime_ns == stamp - 10**9  # not rewritten


def test_sample_corpus_writes_nothing_into_package(cache):
    data_dir = os.path.join(os.path.dirname(datasets.__file__), "data")
    before = sorted(os.listdir(data_dir))
    datasets.sample_corpus_path()
    assert sorted(os.listdir(data_dir)) == before


def test_unwritable_cache_falls_back_to_temp_dir(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    # a folder cannot be created below a regular file, even by root
    monkeypatch.setenv("FASTEMBED_CORE_CACHE", str(blocker / "cache"))
    monkeypatch.setattr(datasets.tempfile, "tempdir", str(tmp_path / "tmp"))
    os.makedirs(tmp_path / "tmp")
    folder = datasets.cache_dir()
    assert folder.startswith(str(tmp_path / "tmp"))
    path = datasets.sample_corpus_path()
    assert path.startswith(folder) and os.path.getsize(path) > 8_000_000


def test_default_cache_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("FASTEMBED_CORE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert datasets.cache_dir() == str(tmp_path / "xdg" / "fastembed_core")


def test_questions_words_is_bundled():
    path = datasets.evaluation_file("questions-words")
    assert path == datasets.evaluation_file("questions-words.txt")
    assert os.path.dirname(path) == os.path.join(os.path.dirname(datasets.__file__), "data")
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    sections = [line for line in lines if line.startswith(":")]
    questions = [line for line in lines if not line.startswith(":")]
    assert sections[0] == ": capital-common-countries" and len(sections) == 14
    assert len(questions) == 19_544 and all(len(q.split()) == 4 for q in questions)


def test_licences_name_every_bundled_file():
    data_dir = os.path.join(os.path.dirname(datasets.__file__), "data")
    with open(os.path.join(data_dir, "LICENSES.md"), encoding="utf-8") as f:
        text = f.read()
    for name in os.listdir(data_dir):
        if name not in ("LICENSES.md", "README.md") and not name.startswith("__"):
            assert f"`{name}`" in text, name
    assert "WordNet 3.0 Copyright 2006 by Princeton University" in text
    assert "Apache License" in text


def test_unknown_evaluation_file():
    with pytest.raises(ValueError, match="unknown evaluation file 'men3000'.*questions-words"):
        datasets.evaluation_file("men3000")
