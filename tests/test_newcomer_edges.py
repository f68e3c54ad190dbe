"""What a newcomer runs into first: file modes, numpy item ids, the README's command lines,
the hints and errors on the way, the bundled evaluation sets, and evaluation's memory."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from fastembed_core import KeyedVectors, Word2Vec, datasets
from fastembed_core.cli import main
from fastembed_core.models.items import Item2Vec

# ---- saved files follow the umask ------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600)])
def test_model_saves_and_the_corpus_cache_follow_the_umask(tmp_path, monkeypatch, umask, mode):
    # the decompressed sample corpus was 0600 (mkstemp's mode) whatever the umask
    monkeypatch.setenv("FASTEMBED_CORE_CACHE", str(tmp_path / "cache"))
    old = os.umask(umask)
    try:
        corpus = datasets.sample_corpus_path()
        model = Word2Vec([["a", "b", "c"]] * 20, min_count=1, vector_size=4, workers=1)
        model.save(str(tmp_path / "m.fe"))
    finally:
        os.umask(old)
    for path in (corpus, tmp_path / "m.fe"):
        assert os.stat(path).st_mode & 0o777 == mode, path


# ---- numpy integer item ids ------------------------------------------------------------------


def test_item2vec_with_numpy_integer_ids_saves_and_loads(tmp_path):
    model = Item2Vec([[1, 2, 3], [2, 3, 4], [7, 8, 1]] * 5, vector_size=8, workers=1, seed=1)
    # item ids held as numpy integers, as vectors rebuilt from an id array hold them;
    # model.wv.save() took them while model.save() refused them
    ids = np.array(model.wv.index_to_key, dtype=np.int64)
    model.wv = KeyedVectors.from_arrays(ids, model.wv.vectors, counts=model.wv.expandos["count"])
    assert isinstance(model.wv.index_to_key[0], np.integer)
    model.save(str(tmp_path / "items.fe"))
    loaded = Item2Vec.load(str(tmp_path / "items.fe"))
    assert loaded.wv.index_to_key == model.wv.index_to_key
    assert all(type(k) is int for k in loaded.wv.index_to_key)
    np.testing.assert_array_equal(loaded.wv[np.int64(3)], model.wv[3])
    np.testing.assert_array_equal(loaded.syn1neg, model.syn1neg)


# ---- export-projector --------------------------------------------------------------------------


@pytest.fixture
def trained(tmp_path):
    model = Word2Vec(
        [["king", "queen", "man", "woman", "king"]] * 30, min_count=1, vector_size=4, workers=1
    )
    return model


def test_export_projector_creates_the_prefix_folder(tmp_path, trained, capsys):
    vectors = tmp_path / "vectors.bin"
    trained.wv.save_word2vec_format(str(vectors), binary=True)
    prefix = tmp_path / "out" / "deeper" / "vectors"
    assert main(["export-projector", str(vectors), "--prefix", str(prefix), "-q"]) == 0
    assert (tmp_path / "out" / "deeper" / "vectors_vectors.tsv").is_file()
    labels = (tmp_path / "out" / "deeper" / "vectors_metadata.tsv").read_text().split()
    assert labels == list(trained.wv.index_to_key)


def test_export_projector_counts_only_when_known(tmp_path, trained, capsys):
    vectors, vocab = tmp_path / "vectors.bin", tmp_path / "vocab.txt"
    trained.wv.save_word2vec_format(str(vectors), fvocab=str(vocab), binary=True)
    # a .bin alone holds no counts: made-up ones (reverse ranks) were written before
    assert main(["export-projector", str(vectors), "--counts", "-q"]) == 1
    err = capsys.readouterr().err
    assert "no counts" in err and "--vocab" in err
    assert not (tmp_path / "vectors_metadata.tsv").exists()
    # with the vocabulary file the real counts are written
    assert main(["export-projector", str(vectors), "--counts", "--vocab", str(vocab), "-q"]) == 0
    rows = [ln.split("\t") for ln in (tmp_path / "vectors_metadata.tsv").read_text().splitlines()]
    assert rows[0] == ["key", "count"]
    expected = {k: trained.wv.get_vecattr(k, "count") for k in trained.wv.index_to_key}
    assert {k: int(c) for k, c in rows[1:]} == expected
    # a native model file has them too
    trained.save(str(tmp_path / "model.fe"))
    assert main(["export-projector", str(tmp_path / "model.fe"), "--counts", "-q"]) == 0
    rows = [ln.split("\t") for ln in (tmp_path / "model_metadata.tsv").read_text().splitlines()]
    assert {k: int(c) for k, c in rows[1:]} == expected


# ---- the command line's hints and help -----------------------------------------------------


def test_a_mistyped_word2vec_flag_points_to_a_command_that_lists_the_flags(capsys):
    assert main(["-sise", "50", "-train", "corpus.txt"]) == 2
    err = capsys.readouterr().err
    assert "did you mean -size?" in err
    # the hint names a command line between quotes; running it must show word2vec.c's flags
    # (it named "no arguments", which shows the subcommands instead)
    hint = err.split("; ", 1)[1]
    command = hint.split("'")[1].split()
    assert command[0] == "fastembed-core"
    main(command[1:])
    shown = capsys.readouterr()
    assert "-size" in shown.out + shown.err and "-min-count" in shown.out + shown.err


def _options_of_every_subcommand():
    import argparse

    from fastembed_core.cli.command import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, subparser in sub.choices.items():
        for action in subparser._actions:
            if action.option_strings and not isinstance(action, argparse._HelpAction):
                yield name, action


def test_every_option_has_help_and_says_its_default():
    import argparse

    undocumented = []
    for name, action in _options_of_every_subcommand():
        if action.help == argparse.SUPPRESS:
            continue
        text = action.help or ""
        if not text or (action.default not in (None, False) and "default" not in text):
            undocumented.append(f"{name} {action.option_strings[0]}")
    assert undocumented == []


def test_plot_takes_limit_like_every_subcommand_and_vocab_limit_still_works(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    limits = {name for name, a in _options_of_every_subcommand() if "--limit" in a.option_strings}
    assert "plot" in limits
    kv = KeyedVectors(4)
    kv.add_vectors([f"w{i}" for i in range(30)], np.random.default_rng(0).random((30, 4)))
    vectors = tmp_path / "v.txt"
    kv.save_word2vec_format(str(vectors))
    out = tmp_path / "map.png"
    assert main(["plot", str(vectors), "--limit", "20", "--top", "20", "-o", str(out)]) == 0
    assert out.stat().st_size > 0
    out.unlink()
    assert main(["plot", str(vectors), "--vocab-limit", "20", "-o", str(out)]) == 0
    assert "deprecated" in capsys.readouterr().err and out.stat().st_size > 0


# ---- errors that say what to do ------------------------------------------------------------


def test_a_file_name_given_as_sentences_suggests_corpus_file(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the king rules\nthe queen rules\n")
    for given in (str(corpus), corpus, "data/missing_corpus.txt"):
        with pytest.raises(TypeError, match="corpus_file=") as info:
            Word2Vec(given, min_count=1)
        assert ".split()" not in str(info.value)
    # a sentence typed as one string still gets the .split() hint
    with pytest.raises(TypeError, match=r"split\(\)"):
        Word2Vec("the king rules the land", min_count=1)


def test_the_quickstart_pasted_with_its_ellipsis_gets_a_clear_message():
    sentences = [["the", "king", "rules"], ["the", "queen", "rules"], ...]
    with pytest.raises(TypeError, match="placeholder") as info:
        Word2Vec(sentences, min_count=1)
    assert "sentence 2" in str(info.value)
    with pytest.raises(TypeError, match="placeholder"):
        Word2Vec(..., min_count=1)
    with pytest.raises(ValueError, match="placeholder"):
        Word2Vec([["a", "b"]], vector_size=..., min_count=1)


def test_loading_a_gensim_pickle_says_how_to_convert_it(tmp_path):
    import pickle

    path = tmp_path / "model.gensim"
    path.write_bytes(pickle.dumps({"not": "loaded"}, protocol=4))
    for load in (Word2Vec.load, KeyedVectors.load):
        with pytest.raises(Exception) as info:
            load(str(path))
        text = str(info.value)
        assert "trust" in text
        assert "KeyedVectors.from_gensim" in text and "Word2Vec.from_gensim" in text


def test_loading_the_wrong_kind_of_native_file_names_the_right_loader(tmp_path):
    model = Word2Vec([["a", "b", "c"]] * 10, min_count=1, vector_size=4, workers=1)
    model.wv.save(str(tmp_path / "v.kv"))
    model.save(str(tmp_path / "m.model"))
    with pytest.raises(Exception, match=r"KeyedVectors\.load"):
        Word2Vec.load(str(tmp_path / "v.kv"))
    with pytest.raises(Exception, match=r"Word2Vec\.load"):
        KeyedVectors.load(str(tmp_path / "m.model"))


# ---- the evaluation sets ship with the package; one bad set spoils nothing --------------------


@pytest.fixture
def without_gensim(monkeypatch):
    monkeypatch.setitem(sys.modules, "gensim", None)  # `import gensim...` fails
    monkeypatch.setitem(sys.modules, "gensim.test.utils", None)


@pytest.mark.parametrize(
    "name, fname, pairs",
    [("wordsim353", "wordsim353.tsv", 353), ("simlex999", "simlex999.txt", 999)],
)
def test_the_word_pair_sets_are_bundled(without_gensim, name, fname, pairs):
    path = datasets.evaluation_file(name)
    assert path == os.path.join(os.path.dirname(datasets.__file__), "data", fname)
    with open(path, encoding="utf-8") as f:
        rows = [ln.rstrip("\n").split("\t") for ln in f if not ln.startswith("#")]
    assert len(rows) == pairs and all(len(r) == 3 and 0 <= float(r[2]) <= 10 for r in rows)


def _words_of(path):
    with open(path, encoding="utf-8") as f:
        rows = [ln.split("\t") for ln in f if not ln.startswith("#")]
    return {w.lower() for r in rows for w in r[:2]}


def test_eval_reports_every_set_it_can_and_names_the_one_it_cannot(
    tmp_path, without_gensim, capsys
):
    # vectors for WordSim-353's words that SimLex-999 lacks: one pair set can be evaluated
    # (and the analogies), the other has no pair in the vocabulary
    words = sorted(
        _words_of(datasets.evaluation_file("wordsim353"))
        - _words_of(datasets.evaluation_file("simlex999"))
    )
    kv = KeyedVectors(8)
    kv.add_vectors(words, np.random.default_rng(0).standard_normal((len(words), 8)))
    vectors = tmp_path / "v.txt"
    kv.save_word2vec_format(str(vectors))
    args = ["eval", str(vectors), "--analogies", "questions-words", "--json"]
    code = main(args + ["--pairs", "wordsim353.tsv", str(tmp_path / "missing.tsv"), "simlex999"])
    assert code == 1  # something was not evaluated: the exit status says so
    result = json.loads(capsys.readouterr().out)
    assert result["analogies"]["questions"] == 19_544
    by_name = {os.path.basename(p["file"]): p for p in result["pairs"]}
    assert set(by_name) == {"wordsim353.tsv", "missing.tsv", "simlex999"}
    assert -1 <= by_name["wordsim353.tsv"]["spearman"] <= 1
    assert "No such file" in by_name["missing.tsv"]["error"]
    assert "No valid similarity judgements" in by_name["simlex999"]["error"]
    # a missing analogies file does not stop the pairs either
    code = main(["eval", str(vectors), "--analogies", str(tmp_path / "nowhere.txt"),
                 "--pairs", "wordsim353"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1 and "nowhere.txt: not evaluated" in out and "Spearman" in out


# ---- evaluation's memory -------------------------------------------------------------------


def test_analogy_evaluation_peaks_near_the_vectors_memory(tmp_path):
    import tracemalloc

    rng = np.random.default_rng(3)
    n, dim = 20_000, 50
    kv = KeyedVectors(dim)
    kv.add_vectors([f"w{i}" for i in range(n)], rng.standard_normal((n, dim)).astype(np.float32))
    quads = rng.integers(0, n, size=(1_000, 4))
    path = tmp_path / "questions.txt"
    path.write_text(": one\n" + "".join(" ".join(f"w{i}" for i in q) + "\n" for q in quads))
    kv.norm_snapshot()  # the norms are part of the vectors' cost, computed before measuring
    tracemalloc.start()
    try:
        kv.evaluate_word_analogies(str(path), restrict_vocab=n)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # was ~170 MB: an 8 M-element score block, its negated copy, a temporary, int64 indices
    assert peak < kv.vectors.nbytes + 16e6, peak / 1e6


def test_word_pair_evaluation_does_not_import_scipy(tmp_path):
    pytest.importorskip("scipy")
    code = (
        "import sys; from fastembed_core import KeyedVectors, datasets\n"
        "kv = KeyedVectors(2); kv.add_vectors(['king', 'queen', 'man', 'woman', 'cat', 'dog'],"
        " [[1, 0], [1, 0.2], [0, 1], [0.2, 1], [1, 1], [1, 0.9]])\n"
        "kv.evaluate_word_pairs(datasets.evaluation_file('wordsim353'))\n"
        "print('scipy.stats' in sys.modules)\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    # importing scipy.stats took ~80 MB, more than the vectors of the demo ten times over
    assert out.stdout.strip() == "False"


# ---- the README ------------------------------------------------------------------------------


def _readme_blocks(language):
    readme = os.path.join(os.path.dirname(os.path.dirname(__file__)), "README.md")
    with open(readme, encoding="utf-8") as f:
        parts = f.read().split("```")
    return [p[len(language) + 1 :] for p in parts[1::2] if p.startswith(language + "\n")]


def test_the_python_quickstart_runs_without_a_warning_on_a_one_core_machine(tmp_path, monkeypatch):
    import warnings

    import fastembed_core.models.base as base

    # workers=4 in the quickstart warned on every machine with fewer cores
    monkeypatch.setattr(base, "available_cores", lambda: 1)
    code = _readme_blocks("python")[0]
    assert "sentences = [" in code and ", ...]" in code
    code = code.replace(", ...]", "] * 5")  # the reader's own sentences
    (tmp_path / "corpus.txt").write_text("the king rules the land\nthe queen rules too\n" * 10)
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "vectors.bin").is_file()


def test_the_first_command_installs_what_the_demo_draws_with():
    # the demo promises pictures; `pip install .` alone left it saying "pictures: skipped"
    tomllib = pytest.importorskip("tomllib")
    first = _readme_blocks("bash")[0]
    assert "fastembed-core demo" in first
    match = re.search(r"pip install \"\.\[([a-z,]+)\]\"", first)
    assert match, first
    root = os.path.dirname(os.path.dirname(__file__))
    with open(os.path.join(root, "pyproject.toml"), "rb") as f:
        extras = tomllib.load(f)["project"]["optional-dependencies"]
    installed = [req for name in match.group(1).split(",") for req in extras[name]]
    assert any(req.startswith("matplotlib") for req in installed)
