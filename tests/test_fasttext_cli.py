"""fastText's verbs on the command line, run as a user runs them (``python -m fastembed_core
skipgram ...`` in a subprocess): the files they write, what print-word-vectors and nn print,
and fastText-style errors."""

import os
import subprocess
import sys
import tempfile

import numpy as np
import pytest

import fastembed_core
from fastembed_core.cli.fasttext_cli import FASTTEXT_FLAGS, fasttext_params, parse_fasttext_args
from fastembed_core.models.fasttext import load_facebook_model, load_facebook_vectors
from fastembed_core.vectors.keyedvectors import KeyedVectors

# Children import the package these tests imported (its root first on PYTHONPATH), from an
# empty folder: started in the checkout, `python -m fastembed_core` could find the source tree.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(fastembed_core.__file__)))
_NEUTRAL_DIR = tempfile.mkdtemp(prefix="fastembed-ft-cli-test-")


def run(*args, stdin=None):
    env = dict(os.environ)
    env.pop("PYTHONWARNINGS", None)
    env["PYTHONPATH"] = os.pathsep.join([_ROOT, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.run(
        [sys.executable, "-m", "fastembed_core", *[str(a) for a in args]],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=_NEUTRAL_DIR,
        env=env,
    )


def assert_user_error(r, fragment, code=2):
    assert r.returncode == code, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("fastembed-core: error: "), lines[0]
    assert fragment.lower() in lines[0].lower(), lines[0]


def _planted_text(seed=0, n_sentences=1500, clusters=5, per_cluster=12, length=10):
    rng = np.random.default_rng(seed)
    letters = list("abcdefghijklmnopqrstuvwxyz")
    words = sorted({"".join(rng.choice(letters, 7)) for _ in range(clusters * per_cluster)})
    groups = [words[c::clusters] for c in range(clusters)]
    lines = []
    for c in rng.integers(0, clusters, n_sentences):
        lines.append(" ".join(rng.choice(groups[c], length)))
    return "\n".join(lines) + "\n", groups


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ft")
    text, groups = _planted_text()
    corpus = folder / "corpus.txt"
    corpus.write_text(text)
    prefix = folder / "model"
    r = run(
        "skipgram", "-input", corpus, "-output", prefix, "-dim", 16, "-epoch", 3,
        "-minCount", 1, "-bucket", 20000, "-thread", 1, "-verbose", 0, "-t", 0.01,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return str(prefix), groups


def test_skipgram_writes_a_bin_and_a_vec_that_agree(trained):
    prefix, groups = trained
    model = load_facebook_model(prefix + ".bin")
    assert model.sg == 1 and model.vector_size == 16 and model.bucket == 20000
    assert (model.min_n, model.max_n, model.window, model.epochs) == (3, 6, 5, 3)
    with open(prefix + ".vec", encoding="utf-8") as f:
        header = f.readline().split()
        first = f.readline()
    assert header == [str(len(model.wv)), "16"]
    assert first.endswith(" \n")  # fastText ends each vector with a space
    vec = KeyedVectors.load_word2vec_format(prefix + ".vec")
    assert vec.index_to_key == model.wv.index_to_key
    np.testing.assert_allclose(vec.vectors, model.wv.vectors, rtol=1e-4, atol=1e-5)
    # it learned: each word's nearest neighbour is in its own group (chance 1/5). Corpus seeds
    # 0..4 x -seed 0, 1 all scored 1.0 -> floor 0.9. (-t 0.01: with 60 words, each far above
    # fastText's default -t 1e-4, that default would skip about 92% of the tokens.)
    group_of = {w: g for g, ws in enumerate(groups) for w in ws}
    hits = [group_of[model.wv.most_similar(w, topn=1)[0][0]] == group_of[w] for w in group_of]
    assert np.mean(hits) >= 0.9


def test_cbow_with_hs_and_no_ngrams(tmp_path):
    text, _ = _planted_text(1, n_sentences=400)
    corpus = tmp_path / "c.txt"
    corpus.write_text(text)
    r = run(
        "cbow", "-input", corpus, "-output", tmp_path / "m", "-dim", 8, "-epoch", 1,
        "-minCount", 1, "-loss", "hs", "-maxn", 0, "-thread", 1, "-verbose", 0,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    model = load_facebook_model(tmp_path / "m.bin")
    assert model.sg == 0 and model.hs == 1 and model.negative == 0 and model.bucket == 0


def test_print_word_vectors_prints_fasttexts_vectors_for_any_word(trained):
    prefix, groups = trained
    wv = load_facebook_vectors(prefix + ".bin")
    words = [groups[0][0], "qqunseenword", groups[1][2]]
    r = run("print-word-vectors", prefix + ".bin", stdin=" ".join(words[:2]) + "\n" + words[2])
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 3
    for word, line in zip(words, lines):
        name, *values = line.split(" ")
        assert name == word and values[-1] == ""  # the trailing space, as fastText prints
        got = np.array(values[:-1], dtype=np.float32)
        np.testing.assert_allclose(got, wv[word], rtol=1e-4, atol=1e-6)


def test_nn_prints_neighbours_after_query_prompts(trained):
    prefix, groups = trained
    wv = load_facebook_vectors(prefix + ".bin")
    query = groups[2][0]
    r = run("nn", prefix + ".bin", 4, stdin=query + "\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Query word? ") and r.stdout.endswith("Query word? ")
    body = r.stdout[len("Query word? ") : -len("Query word? ")].splitlines()
    assert len(body) == 4
    expected = wv.most_similar(query, topn=4)
    for line, (word, sim) in zip(body, expected):
        name, value = line.split(" ")
        assert name == word and abs(float(value) - sim) < 1e-4
    # an unseen word is answered from its n-grams
    r = run("nn", prefix + ".bin", stdin="qqunseenword\n")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 11  # 10 lines + last prompt


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["skipgram", "-input", "x", "-output", "y", "-dimm", "5"], "Unknown argument: -dimm"),
        (["skipgram", "-input", "x", "-output"], "-output is missing an argument"),
        (["skipgram", "-output", "y"], "Empty input or output path"),
        (["cbow", "input", "x"], "without a dash"),
        (["skipgram", "-input", "x", "-output", "y", "-dim", "ten"], "-dim needs an integer"),
        (["skipgram", "-input", "x", "-output", "y", "-loss", "softmax"], "softmax"),
        (["skipgram", "-input", "x", "-output", "y", "-wordNgrams", "2"], "-wordNgrams"),
        (["nn"], "usage"),
        (["nn", "m.bin", "zero"], "k must be an integer"),
        (["print-word-vectors"], "usage"),
    ],
)
def test_fasttext_style_errors(args, fragment):
    assert_user_error(run(*args), fragment)


def test_missing_files_are_input_errors(tmp_path):
    assert_user_error(
        run("skipgram", "-input", tmp_path / "nope.txt", "-output", tmp_path / "m"),
        "nope.txt",
        code=1,
    )
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a model at all")
    assert_user_error(run("print-word-vectors", junk, stdin="a\n"), "junk.bin", code=1)


def test_help_lists_every_flag():
    r = run("skipgram", "-h")
    assert r.returncode == 0
    for flag in FASTTEXT_FLAGS:
        assert flag in r.stdout


def test_flags_mean_what_fasttext_means():
    opts = parse_fasttext_args(["-input", "c", "-output", "o"])
    params = fasttext_params("skipgram", opts)
    # fastText's defaults for its unsupervised models
    assert params["alpha"] == 0.05 and params["min_alpha"] == 0.0
    assert (params["vector_size"], params["window"], params["epochs"]) == (100, 5, 5)
    assert (params["min_count"], params["negative"], params["sample"]) == (5, 5, 1e-4)
    assert (params["min_n"], params["max_n"], params["bucket"]) == (3, 6, 2000000)
    assert params["sg"] == 1 and params["hs"] == 0 and params["ns_exponent"] == 0.5
    assert params["shared_negatives"] is False  # one step per (centre, context) pair
    params = fasttext_params("cbow", parse_fasttext_args(["-loss", "hs", "-thread", "3"]))
    assert params["sg"] == 0 and params["hs"] == 1 and params["negative"] == 0
    assert params["workers"] == 3
