"""The command line, run as a user runs it: ``python -m fastembed_core ...`` (and the
``fastembed-core`` script) in a subprocess, on small generated corpora.

The corpus has planted structure (words ``k<c>_<i>`` co-occur mostly within their cluster
``c``), so "the output is right" is checked by what the vectors say — neighbours and k-means
classes fall in the planted clusters — never by hard-coded numbers.
"""

import collections
import io
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pytest

from fastembed_core import KeyedVectors, Word2Vec
from fastembed_core.cli.vector_files import load_vectors
from fastembed_core.cli.word2vec_c import WORD2VEC_FLAGS, parse_word2vec_args, word2vec_params
from fastembed_core.io.detect import sniff_format
from fastembed_core.models import progress as fe_progress
from fastembed_core.vectors.kmeans import kmeans_classes

CLUSTERS = 6
PER_CLUSTER = 20


def _cluster(word):
    return str(word).split("_")[0]


def _write_corpus(path, seed=0, n_sentences=3000, length=12, noise=0.3):
    rng = np.random.default_rng(seed)
    with open(path, "w", encoding="utf-8") as f:
        for c in rng.integers(0, CLUSTERS, n_sentences):
            noisy = rng.random(length) < noise
            cs = np.where(noisy, rng.integers(0, CLUSTERS, length), c)
            words = rng.integers(0, PER_CLUSTER, length)
            f.write(" ".join(f"k{a}_{w}" for a, w in zip(cs, words)) + "\n")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return str(_write_corpus(tmp_path_factory.mktemp("corpus") / "corpus.txt"))


@pytest.fixture(scope="module")
def vectors(tmp_path_factory, corpus):
    """A word2vec text file trained on the planted corpus by the `train` subcommand."""
    out = tmp_path_factory.mktemp("vectors") / "vectors.txt"
    r = run(
        "train",
        corpus,
        "-o",
        str(out),
        "--vector-size",
        "24",
        "--sg",
        "1",
        "--epochs",
        "5",
        "--workers",
        "2",
        "--quiet",
    )
    assert r.returncode == 0, r.stderr
    return str(out)


def _script():
    """The installed console script beside this interpreter, if there is one."""
    here = os.path.join(os.path.dirname(sys.executable), "fastembed-core")
    return here if os.path.exists(here) else None


# Subprocesses run in an empty folder: started from the repository root, `python -m
# fastembed_core` would import the source folder instead of the installed package.
_NEUTRAL_DIR = tempfile.mkdtemp(prefix="fastembed-cli-test-")


def run(*args, stdin=None, script=False, cwd=None, env_extra=None):
    cmd = [_script()] if script else [sys.executable, "-m", "fastembed_core"]
    cwd = _NEUTRAL_DIR if cwd is None else cwd
    env = dict(os.environ)
    env.pop("PYTHONWARNINGS", None)
    env.update(env_extra or {})
    return subprocess.run(
        cmd + [str(a) for a in args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
        env=env,
    )


def assert_user_error(r, fragment, code=None):
    """Non-zero exit, one error line on stderr naming the problem, no traceback."""
    assert r.returncode != 0, (r.stdout, r.stderr)
    if code is not None:
        assert r.returncode == code, r.stderr
    assert "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("fastembed-core: error: "), lines[0]
    assert fragment.lower() in lines[0].lower(), lines[0]


def cluster_precision(kv, topn=5, skip=("</s>",)):
    hits = total = 0
    for word in kv.index_to_key:
        if word in skip:
            continue
        for other, _ in kv.most_similar(word, topn=topn + len(skip)):
            if other in skip:
                continue
            hits += _cluster(other) == _cluster(word)
            total += 1
    return hits / total


def _token_counts(path):
    with open(path, encoding="utf-8") as f:
        return collections.Counter(tok for line in f for tok in line.split())


# ---------------------------------------------------------------------------------------------
# word2vec.c's flags
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("binary,cbow", [(0, 1), (1, 0)])
def test_word2vec_flags_end_to_end(tmp_path, corpus, binary, cbow):
    out = tmp_path / ("vec.bin" if binary else "vec.txt")
    r = run(
        "-train",
        corpus,
        "-output",
        out,
        "-size",
        24,
        "-window",
        5,
        "-sample",
        "1e-3",
        "-hs",
        0,
        "-negative",
        5,
        "-threads",
        2,
        "-iter",
        5,
        "-min-count",
        5,
        "-binary",
        binary,
        "-cbow",
        cbow,
        "-debug",
        1,
    )
    assert r.returncode == 0, r.stderr
    n_words = len(_token_counts(corpus))
    # word2vec.c's summary on stdout; the vocabulary counts </s>
    assert f"Vocab size: {n_words + 1}" in r.stdout
    assert "Starting training using file" in r.stdout
    with open(out, "rb") as f:
        assert f.readline() == f"{n_words + 1} 24\n".encode()
        assert f.read(5) == b"</s> "
    kv = KeyedVectors.load_word2vec_format(str(out), binary=bool(binary))
    assert kv.index_to_key[0] == "</s>" and kv.vectors.shape == (n_words + 1, 24)
    # planted clusters: chance is 1/6
    assert cluster_precision(kv) > 0.8


def test_word2vec_output_loads_in_gensim_with_the_same_vectors(tmp_path, corpus):
    gensim_models = pytest.importorskip("gensim.models")
    for binary in (0, 1):
        out = tmp_path / f"vec{binary}"
        r = run(
            "-train",
            corpus,
            "-output",
            out,
            "-size",
            16,
            "-binary",
            binary,
            "-iter",
            2,
            "-threads",
            2,
        )
        assert r.returncode == 0, r.stderr
        ours = KeyedVectors.load_word2vec_format(str(out), binary=bool(binary))
        theirs = gensim_models.KeyedVectors.load_word2vec_format(str(out), binary=bool(binary))
        assert list(theirs.index_to_key) == list(ours.index_to_key)
        np.testing.assert_array_equal(theirs.vectors, ours.vectors)
        word = ours.index_to_key[5]
        assert [w for w, _ in theirs.most_similar(word, topn=5)] == [
            w for w, _ in ours.most_similar(word, topn=5)
        ]


def test_word2vec_save_vocab_and_read_vocab_round_trip(tmp_path, corpus):
    v1, v2, v3 = tmp_path / "v1.txt", tmp_path / "v2.txt", tmp_path / "v3.txt"
    # -save-vocab without -output only builds the vocabulary, like word2vec.c
    r = run("-train", corpus, "-save-vocab", v1, "-min-count", 5)
    assert r.returncode == 0, r.stderr
    lines = [ln.split() for ln in v1.read_text(encoding="utf-8").splitlines()]
    assert lines[0] == ["</s>", str(sum(1 for _ in open(corpus, encoding="utf-8")))]
    counts = _token_counts(corpus)
    expected = {w: c for w, c in counts.items() if c >= 5}
    assert {w: int(c) for w, c in lines[1:]} == expected
    written = [int(c) for _, c in lines[1:]]
    assert written == sorted(written, reverse=True)

    # read it back: the same vocabulary comes out, and training works from it
    out = tmp_path / "vec.txt"
    r = run(
        "-train",
        corpus,
        "-read-vocab",
        v1,
        "-save-vocab",
        v2,
        "-output",
        out,
        "-size",
        16,
        "-iter",
        2,
        "-threads",
        2,
    )
    assert r.returncode == 0, r.stderr
    assert v2.read_bytes() == v1.read_bytes()
    kv = KeyedVectors.load_word2vec_format(str(out))
    assert set(kv.index_to_key) == set(expected) | {"</s>"}

    # -min-count applies to a read vocabulary too
    cut = sorted(expected.values())[len(expected) // 2]
    r = run("-train", corpus, "-read-vocab", v1, "-save-vocab", v3, "-min-count", cut)
    assert r.returncode == 0, r.stderr
    kept = {ln.split()[0] for ln in v3.read_text(encoding="utf-8").splitlines()[1:]}
    assert kept == {w for w, c in expected.items() if c >= cut}


def test_word2vec_classes_recover_the_planted_clusters(tmp_path, corpus):
    out = tmp_path / "classes.txt"
    r = run(
        "-train",
        corpus,
        "-output",
        out,
        "-classes",
        CLUSTERS,
        "-size",
        24,
        "-cbow",
        0,
        "-iter",
        5,
        "-threads",
        2,
        "-debug",
        0,
    )
    assert r.returncode == 0, r.stderr
    rows = [ln.split() for ln in out.read_text(encoding="utf-8").splitlines()]
    assert all(len(row) == 2 for row in rows)
    assert rows[0][0] == "</s>"
    classes = {w: int(c) for w, c in rows}
    assert set(classes) == set(_token_counts(corpus)) | {"</s>"}
    assert all(0 <= c < CLUSTERS for c in classes.values())
    # purity: each planted cluster mostly lands in one class
    by_cluster = collections.defaultdict(collections.Counter)
    for w, c in classes.items():
        if w != "</s>":
            by_cluster[_cluster(w)][c] += 1
    purity = sum(cnt.most_common(1)[0][1] for cnt in by_cluster.values()) / (len(classes) - 1)
    assert purity > 0.9


def test_kmeans_classes_unit():
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(4, 10))
    x = np.repeat(centres, 25, axis=0) + 0.05 * rng.normal(size=(100, 10))
    labels = kmeans_classes(x, 4)
    assert labels.shape == (100,)
    # every true group maps to a single class, and different groups to different classes
    groups = [set(labels[i * 25 : (i + 1) * 25]) for i in range(4)]
    assert all(len(g) == 1 for g in groups)
    assert len(set.union(*groups)) == 4
    assert kmeans_classes(x[:3], 10).tolist() == [0, 1, 2]  # k capped at n
    with pytest.raises(ValueError):
        kmeans_classes(x, 0)


def test_word2vec_defaults_are_word2vec_c_defaults():
    opts = parse_word2vec_args(["-train", "x"])
    assert (
        opts["-size"],
        opts["-window"],
        opts["-sample"],
        opts["-hs"],
        opts["-negative"],
        opts["-iter"],
        opts["-min-count"],
        opts["-classes"],
        opts["-debug"],
        opts["-binary"],
        opts["-cbow"],
    ) == (100, 5, 1e-3, 0, 5, 5, 5, 0, 2, 0, 1)
    cbow = word2vec_params(opts)
    assert cbow["sg"] == 0 and cbow["alpha"] == 0.05 and cbow["cbow_mean"] == 1
    assert cbow["min_alpha"] == pytest.approx(0.05 * 1e-4)
    assert 1 <= cbow["workers"] <= 12
    sg = word2vec_params(parse_word2vec_args(["-train", "x", "-cbow", "0"]))
    assert sg["sg"] == 1 and sg["alpha"] == 0.025
    explicit = word2vec_params(
        parse_word2vec_args(["-train", "x", "-alpha", "0.1", "-threads", "3"])
    )
    assert explicit["alpha"] == 0.1 and explicit["workers"] == 3


def test_word2vec_defaults_match_the_original_tool_usage_text():
    """When the original word2vec binary is installed (pip install word2vec), the defaults
    printed in its usage text are ours."""
    tool = shutil.which("word2vec") or (
        os.path.join(os.path.dirname(sys.executable), "word2vec")
        if os.path.exists(os.path.join(os.path.dirname(sys.executable), "word2vec"))
        else None
    )
    if tool is None:
        pytest.skip("the word2vec tool is not installed")
    usage = subprocess.run([tool], capture_output=True, text=True, timeout=30).stdout
    found = dict(
        re.findall(r"\t(-[a-z-]+) <\w+>\n\t\t[^\n]*?default (?:is )?(?:= )?([0-9.e-]+)", usage)
    )
    assert len(found) >= 8, usage
    ours = parse_word2vec_args(["-train", "x"])
    for flag, value in found.items():
        if flag in ("-threads", "-alpha"):
            continue  # documented differences: min(12, cores); CBOW/SG alpha below
        assert float(ours[flag]) == float(value.rstrip(".")), flag
    assert "0.025 for skip-gram and 0.05 for CBOW" in usage


def test_word2vec_binary_output_works_in_the_original_distance_tool(tmp_path, corpus):
    tool = None
    for name in ("word2vec-distance", "distance"):
        cand = os.path.join(os.path.dirname(sys.executable), name)
        tool = cand if os.path.exists(cand) else shutil.which(name)
        if tool:
            break
    if tool is None:
        pytest.skip("word2vec's distance tool is not installed")
    out = tmp_path / "vec.bin"
    r = run("-train", corpus, "-output", out, "-binary", 1, "-size", 24, "-cbow", 0, "-threads", 2)
    assert r.returncode == 0, r.stderr
    kv = KeyedVectors.load_word2vec_format(str(out), binary=True)
    word = "k2_3"
    d = subprocess.run(
        [tool, str(out)], input=f"{word}\nEXIT\n", capture_output=True, text=True, timeout=60
    )
    assert f"Position in vocabulary: {kv.get_index(word)}" in d.stdout
    body = d.stdout.split("-" * 20)[-1]
    theirs = [ln.split()[0] for ln in body.splitlines() if len(ln.split()) == 2][:10]
    ours = [w for w, _ in kv.most_similar(word, topn=10)]
    assert len(theirs) == 10
    assert len(set(theirs) & set(ours)) >= 9  # float32 vs float64 ties may swap one


@pytest.mark.parametrize(
    "args,fragment,code",
    [
        (["-train", "missing.txt", "-output", "v.txt"], "missing.txt", 1),
        (["-train", "CORPUS", "-output", "v.txt", "-size", "abc"], "-size", 2),
        (["-train", "CORPUS", "-outptu", "v.txt"], "-outptu", 2),
        (["-train", "CORPUS", "-output"], "argument missing", 2),
        (["-train", "CORPUS", "-output", "v.txt", "-negative", "0", "-hs", "0"], "-negative", 2),
        (["-train", "CORPUS", "-output", "v.txt", "-read-vocab", "BADVOCAB"], "line 2", 1),
        (["-train", "CORPUS", "-output", "no/such/dir/v.txt", "-iter", "1"], "no/such/dir", 1),
        (["-output", "v.txt"], "-train", 2),
        (["-train", "CORPUS"], "-output", 2),
    ],
)
def test_word2vec_mode_bad_input(tmp_path, corpus, args, fragment, code):
    bad_vocab = tmp_path / "bad_vocab.txt"
    bad_vocab.write_text("</s> 10\nword notanumber\n", encoding="utf-8")
    args = [corpus if a == "CORPUS" else str(bad_vocab) if a == "BADVOCAB" else a for a in args]
    r = run(*args, cwd=tmp_path)
    assert_user_error(r, fragment, code)


def test_word2vec_mode_usage_lists_every_flag():
    r = run()
    assert r.returncode == 2  # no subcommand: GNU usage on stderr
    r = run("-help")
    assert r.returncode == 0
    for flag in WORD2VEC_FLAGS:
        assert f"\t{flag} " in r.stdout


# ---------------------------------------------------------------------------------------------
# subcommands
# ---------------------------------------------------------------------------------------------


def test_train_writes_every_format_with_the_same_vectors(tmp_path, corpus):
    out = tmp_path / "v.bin"
    model_path = tmp_path / "model.fe"
    vocab = tmp_path / "vocab.txt"
    r = run(
        "train",
        corpus,
        "-o",
        out,
        "--model",
        model_path,
        "--save-vocab",
        vocab,
        "--vector-size",
        20,
        "--sg",
        1,
        "--epochs",
        3,
        "--workers",
        2,
        "--seed",
        7,
    )
    assert r.returncode == 0, r.stderr
    assert "trained" in r.stderr and "words/s" in r.stderr
    kv = KeyedVectors.load_word2vec_format(str(out), binary=True)
    model = Word2Vec.load(str(model_path))
    assert kv.index_to_key == model.wv.index_to_key
    np.testing.assert_array_equal(kv.vectors, model.wv.vectors)
    assert cluster_precision(kv) > 0.8
    rows = [ln.split() for ln in vocab.read_text(encoding="utf-8").splitlines()]
    assert [w for w, _ in rows] == kv.index_to_key  # no </s> outside word2vec.c mode
    assert {w: int(c) for w, c in rows} == {
        w: c for w, c in _token_counts(corpus).items() if c >= 5
    }


def test_train_reads_a_vocabulary_file(tmp_path, corpus):
    vocab = tmp_path / "vocab.txt"
    counts = _token_counts(corpus)
    chosen = sorted(w for w in counts if w.startswith(("k0_", "k1_")))
    vocab.write_text("".join(f"{w} {counts[w]}\n" for w in chosen), encoding="utf-8")
    out = tmp_path / "v.txt"
    r = run(
        "train",
        corpus,
        "-o",
        out,
        "--read-vocab",
        vocab,
        "--vector-size",
        12,
        "--epochs",
        1,
        "--quiet",
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert set(KeyedVectors.load_word2vec_format(str(out)).index_to_key) == set(chosen)


def test_train_progress_lines_when_not_a_terminal_and_nothing_when_quiet(tmp_path, corpus):
    r = run("train", corpus, "-o", tmp_path / "a.txt", "--epochs", 2, "--vector-size", 8)
    assert r.returncode == 0
    assert "\r" not in r.stderr  # no bar redraws in a pipe
    assert re.search(
        r"training: 2 epoch\(s\) in \d+:\d\d, [0-9.]+[kM]? effective words/s", r.stderr
    ), r.stderr
    r = run("train", corpus, "-o", tmp_path / "b.txt", "--epochs", 2, "--vector-size", 8, "-q")
    assert r.returncode == 0 and r.stderr == ""


def test_similar_for_words_given_as_arguments(vectors):
    r = run("similar", vectors, "k3_4", "-n", 5)
    assert r.returncode == 0, r.stderr
    rows = [ln.split() for ln in r.stdout.splitlines()]
    assert len(rows) == 5 and all(len(row) == 2 for row in rows)
    assert sum(_cluster(w) == "k3" for w, _ in rows) >= 4
    sims = [float(s) for _, s in rows]
    assert sims == sorted(sims, reverse=True)
    kv = KeyedVectors.load_word2vec_format(vectors)
    assert [w for w, _ in rows] == [w for w, _ in kv.most_similar("k3_4", topn=5)]


def test_similar_interactive_reads_stdin_until_exit(vectors):
    stdin = "k1_2\nnot_a_word\n\nk4_1 k4_2\nEXIT\nk0_0\n"
    r = run("similar", vectors, "-n", 3, stdin=stdin)
    assert r.returncode == 0, r.stderr
    blocks = re.findall(r"Nearest to (.+):\n((?:  \S+ +[-0-9.]+\n)+)", r.stdout)
    assert [b[0] for b in blocks] == ["k1_2", "k4_1 + k4_2"]  # k0_0 comes after EXIT
    for query, body in blocks:
        words = [ln.split()[0] for ln in body.splitlines()]
        assert len(words) == 3
        assert sum(_cluster(w) == _cluster(query.split()[0]) for w in words) >= 2
    errors = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(errors) == 1 and "not_a_word" in errors[0] and "Traceback" not in r.stderr


def test_similar_interactive_stops_at_end_of_input(vectors):
    r = run("similar", vectors, stdin="k5_5\n")
    assert r.returncode == 0
    assert r.stdout.count("Nearest to") == 1


def _analogy_vectors(path):
    """Vectors where b - a + c lands exactly on d for man/woman/king/queen and
    paris/france/rome/italy, with unrelated distractors."""
    rng = np.random.default_rng(0)
    dim = 16
    base = {w: rng.normal(size=dim) for w in ("man", "king", "paris", "rome")}
    gender, capital = rng.normal(size=dim), rng.normal(size=dim)
    vecs = dict(base)
    vecs["woman"] = base["man"] + gender
    vecs["queen"] = base["king"] + gender
    vecs["france"] = base["paris"] + capital
    vecs["italy"] = base["rome"] + capital
    for i in range(30):
        vecs[f"noise{i}"] = rng.normal(size=dim) * 2
    kv = KeyedVectors(dim)
    kv.add_vectors(list(vecs), np.array(list(vecs.values()), dtype=np.float32))
    kv.save_word2vec_format(str(path))
    return str(path)


def test_analogy_with_arguments_and_interactively(tmp_path):
    vec = _analogy_vectors(tmp_path / "a.txt")
    r = run("analogy", vec, "man", "woman", "king", "-n", 3)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[0] == "queen"
    r = run("analogy", vec, "paris", "france", "rome", "--cosmul")
    assert r.returncode == 0 and r.stdout.split()[0] == "italy"
    r = run("analogy", vec, stdin="man woman king\nman woman\nparis france rome\nEXIT\n")
    assert r.returncode == 0
    answers = re.findall(r"is to:\n  (\S+)", r.stdout)
    assert answers == ["queen", "italy"]
    assert "three words" in r.stderr and "Traceback" not in r.stderr


def test_analogy_needs_three_words(tmp_path):
    vec = _analogy_vectors(tmp_path / "a.txt")
    assert_user_error(run("analogy", vec, "man", "woman"), "three words", 1)
    assert_user_error(run("analogy", vec, "man", "woman", "kong"), "'kong'", 1)


def test_eval_analogies_and_pairs(tmp_path):
    vec = _analogy_vectors(tmp_path / "a.txt")
    questions = tmp_path / "q.txt"
    questions.write_text(
        ": family\nman woman king queen\nman woman king noise3\n"
        ": capitals\nparis france rome italy\nparis france rome atlantis\n",
        encoding="utf-8",
    )
    kv = KeyedVectors.load_word2vec_format(vec)
    pairs = tmp_path / "pairs.tsv"
    chosen = [
        ("man", "woman"),
        ("king", "queen"),
        ("man", "noise1"),
        ("paris", "noise2"),
        ("rome", "italy"),
        ("noise3", "noise4"),
    ]
    # human scores equal to the model's own similarity: Spearman must be 1
    pairs.write_text(
        "# word1\tword2\tscore\n"
        + "".join(f"{a}\t{b}\t{10 * kv.similarity(a, b):.6f}\n" for a, b in chosen)
        + "man\tatlantis\t5.0\n",
        encoding="utf-8",
    )
    r = run("eval", vec, "--analogies", questions, "--pairs", pairs, "--json")
    assert r.returncode == 0, r.stderr
    import json

    result = json.loads(r.stdout)
    a = result["analogies"]
    # 4 questions, one has an unknown word; man:woman::king:noise3 is wrong
    assert (a["questions"], a["answered"], a["correct"]) == (4, 3, 2)
    assert a["accuracy"] == pytest.approx(2 / 3)
    assert [s["section"] for s in a["sections"]] == ["family", "capitals"]
    (p,) = result["pairs"]
    assert p["spearman"] == pytest.approx(1.0)
    assert p["oov_percent"] == pytest.approx(100 / 7)
    r = run("eval", vec, "--analogies", questions, "--sections")
    assert r.returncode == 0
    assert re.search(r"accuracy 66\.67% \(2/3", r.stdout)
    assert re.search(r"family +50\.00%", r.stdout)


def test_eval_defaults_to_the_bundled_questions(vectors):
    r = run("eval", vectors, "--restrict-vocab", 100)
    assert r.returncode == 0, r.stderr
    assert "questions-words.txt (restrict_vocab=100)" in r.stdout


def test_convert_round_trips_through_every_format(tmp_path, vectors):
    src = KeyedVectors.load_word2vec_format(vectors)
    chain = [
        ("v.bin", None, "binary"),
        ("v.fe", None, "native"),
        ("v.glove", "glove", "glove"),
        ("v.vec", None, "fasttext"),
        ("back.txt", None, "text"),
    ]
    prev = vectors
    lossy = False  # fastText .vec keeps 5 significant digits
    for name, to, fmt in chain:
        lossy = lossy or fmt == "fasttext"
        target = tmp_path / name
        args = ["convert", prev, target] + (["--to", to] if to else [])
        r = run(*args)
        assert r.returncode == 0, r.stderr
        assert f"({fmt})" in r.stderr
        assert sniff_format(str(target)) == ("text" if fmt == "fasttext" else fmt)
        kv = load_vectors(str(target))
        assert kv.index_to_key == src.index_to_key
        if lossy:
            np.testing.assert_allclose(kv.vectors, src.vectors, rtol=1e-4, atol=1e-5)
        else:
            np.testing.assert_array_equal(kv.vectors, src.vectors)
        prev = str(target)
    r = run("convert", vectors, tmp_path / "head.bin", "--limit", 7)
    assert r.returncode == 0
    assert len(KeyedVectors.load_word2vec_format(str(tmp_path / "head.bin"), binary=True)) == 7


def test_export_projector_rows_and_widths(tmp_path, vectors):
    kv = KeyedVectors.load_word2vec_format(vectors)
    prefix = tmp_path / "proj"
    r = run("export-projector", vectors, "--prefix", prefix)
    assert r.returncode == 0, r.stderr
    vec_lines = (tmp_path / "proj_vectors.tsv").read_text(encoding="utf-8").splitlines()
    meta_lines = (tmp_path / "proj_metadata.tsv").read_text(encoding="utf-8").splitlines()
    assert len(vec_lines) == len(meta_lines) == len(kv)
    assert all(len(ln.split("\t")) == kv.vector_size for ln in vec_lines)
    assert meta_lines == list(kv.index_to_key)
    np.testing.assert_allclose(
        np.array([[float(x) for x in ln.split("\t")] for ln in vec_lines]), kv.vectors, rtol=1e-6
    )
    # a word2vec text file holds no counts: --counts needs the vocabulary written beside it
    r = run("export-projector", vectors, "--prefix", prefix, "--limit", 10, "--counts")
    assert r.returncode == 1 and "--vocab" in r.stderr
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("".join(f"{k} {len(kv) - i}\n" for i, k in enumerate(kv.index_to_key)))
    r = run("export-projector", vectors, "--prefix", prefix, "--limit", 10, "--counts",
            "--vocab", vocab)  # fmt: skip
    assert r.returncode == 0, r.stderr
    meta = (tmp_path / "proj_metadata.tsv").read_text(encoding="utf-8").splitlines()
    assert meta[0] == "key\tcount" and len(meta) == 11
    assert len((tmp_path / "proj_vectors.tsv").read_text().splitlines()) == 10


@pytest.mark.parametrize(
    "args,fragment,code",
    [
        (["similar", "missing.txt", "k1_1"], "missing.txt", 1),
        (["similar", "GARBAGE", "k1_1"], "GARBAGE", 1),
        (["similar", "VECTORS", "nope"], "'nope'", 1),
        (["similar", "VECTORS", "K1_1"], "did you mean 'k1_1'", 1),
        (["similar", "VECTORS", "k1_1", "-n", "zero"], "-n/--topn", 2),
        (["eval", "VECTORS", "--analogies", "nowhere.txt"], "nowhere.txt", 1),
        (["convert", "VECTORS", "out.txt", "--to", "xml"], "--to", 2),
        (["train", "CORPUS"], "nothing to write", 2),
        (["train", "CORPUS", "-o", "x.txt", "--negative", "0"], "negative", 1),
        (["nosuchcommand"], "nosuchcommand", 2),
        (["plot", "VECTORS", "-o", "x.png", "--pairs", "man-woman"], "A:B", 1),
    ],
)
def test_subcommand_bad_input(tmp_path, corpus, vectors, args, fragment, code):
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 4)
    repl = {"VECTORS": vectors, "CORPUS": corpus, "GARBAGE": str(garbage)}
    fragment = repl.get(fragment, fragment)
    r = run(*[repl.get(a, a) for a in args], cwd=tmp_path)
    assert_user_error(r, os.path.basename(fragment) if fragment == str(garbage) else fragment, code)


def test_debug_shows_the_traceback(tmp_path):
    r = run("similar", tmp_path / "missing.txt", "x", "--debug")
    assert r.returncode == 1 and "Traceback" in r.stderr


def test_console_script_entry_point(tmp_path, corpus):
    if _script() is None:
        pytest.skip("the fastembed-core script is not installed beside this interpreter")
    r = run("--version", script=True)
    assert r.returncode == 0 and r.stdout.startswith("fastembed-core ")
    out = tmp_path / "v.txt"
    r = run("-train", corpus, "-output", out, "-size", 8, "-iter", 1, "-debug", 0, script=True)
    assert r.returncode == 0, r.stderr
    assert len(KeyedVectors.load_word2vec_format(str(out))) == len(_token_counts(corpus)) + 1


# ---------------------------------------------------------------------------------------------
# progress (in process)
# ---------------------------------------------------------------------------------------------


def test_progress_plain_lines():
    buf = io.StringIO()
    p = fe_progress.Progress(total=1000, desc="work", mode="lines", stream=buf, interval=0)
    for done in (100, 500, 400, 2000):  # never backwards, never past the total
        p.update_to(done)
    p.close()
    lines = buf.getvalue().splitlines()
    assert lines[0].startswith("work:  10.0% (100/1.00k)")
    assert lines[1].startswith("work:  50.0%")
    assert lines[2].startswith("work: 100.0%")
    assert lines[-1].startswith("work: done, 1.00k words in 0:00")
    assert "\r" not in buf.getvalue()


def test_progress_builtin_bar_and_write():
    buf = io.StringIO()
    p = fe_progress.Progress(total=200, desc="bar", mode="bar", stream=buf, use_tqdm=False)
    p._last_draw = -1.0
    p.update_to(50)
    assert "\rbar: |" in buf.getvalue() and " 25.0% " in buf.getvalue()
    fe_progress.write("a note", stream=buf)  # clears the bar, writes, redraws
    assert "a note\n" in buf.getvalue()
    p.close()
    assert buf.getvalue().endswith("\n") and "100.0%" not in buf.getvalue()
    off = io.StringIO()
    q = fe_progress.Progress(total=10, mode="off", stream=off)
    q.update_to(5)
    q.close()
    assert off.getvalue() == ""
    with pytest.raises(ValueError):
        fe_progress.Progress(mode="sometimes")


def test_training_progress_callback_follows_the_epochs(corpus):
    buf = io.StringIO()
    tracker = fe_progress.TrainingProgress(mode="lines", stream=buf, interval=0)
    seen = []

    class Spy:
        def on_epoch_end(self, model):
            seen.append(tracker.progress.done)

    model = Word2Vec(
        corpus_file=corpus, vector_size=8, epochs=3, workers=2, callbacks=[tracker, Spy()]
    )
    per_epoch = int(model.wv.expandos["count"].sum())
    assert seen == [per_epoch, 2 * per_epoch, 3 * per_epoch]
    out = buf.getvalue()
    assert "training: 3 epoch(s) in" in out and "effective words/s" in out
    assert tracker.progress is None  # closed at on_train_end


def test_training_progress_within_epochs():
    """The within-epoch paths: the trainer's on_progress hook and its progress log records."""
    buf = io.StringIO()
    tracker = fe_progress.TrainingProgress(mode="lines", stream=buf, interval=0, epochs=2)

    class FakeModel:
        epochs = 2
        words_per_second = 0.0

        class wv:
            expandos = {"count": np.array([600, 400])}

    tracker.on_train_begin(FakeModel)
    tracker.on_epoch_begin(FakeModel)
    tracker.on_progress(FakeModel, 0, 2, 500, 1000)
    assert tracker.progress.done == 500
    logger = logging.getLogger("fastembed_core")
    before = (logger.level, logger.propagate, list(logger.handlers))
    forwarded = []
    with fe_progress.capture_training_log(tracker, forward=forwarded.append, level=logging.WARNING):
        logger.info("EPOCH %d - PROGRESS: at %.2f%% words, %.0f words/s", 2, 25.0, 1000.0)
        logger.warning("something odd")
        logger.info("an info line")
    assert (logger.level, logger.propagate, list(logger.handlers)) == before
    assert tracker.progress.done == 1250
    assert [r.getMessage() for r in forwarded] == ["something odd"]
    assert "epoch 2/2" in buf.getvalue()
    tracker.on_train_end(FakeModel)


def test_track_file_reading_counts_bytes(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * 200000)
    buf = io.StringIO()
    with fe_progress.track_file_reading(str(path), "reading", mode="lines", stream=buf) as p:
        with open(path, "rb") as f:
            while f.read(1 << 16):
                pass
    assert p.total in (None, path.stat().st_size)
    if p.total:  # Linux: /proc/self/io
        assert p.done == path.stat().st_size


def test_sniff_format(tmp_path, vectors):
    kv = KeyedVectors.load_word2vec_format(vectors)
    kv.save_word2vec_format(str(tmp_path / "b"), binary=True)
    kv.save(str(tmp_path / "n"))
    from fastembed_core.vectors.formats import save_glove

    save_glove(kv, str(tmp_path / "g"))
    assert sniff_format(vectors) == "text"
    assert sniff_format(str(tmp_path / "b")) == "binary"
    assert sniff_format(str(tmp_path / "n")) == "native"
    assert sniff_format(str(tmp_path / "g")) == "glove"


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_ctrl_c_stops_training_quickly_without_a_traceback(tmp_path):
    import signal
    import time

    # epochs of a few tenths of a second, so the signal lands inside one (as it would for a
    # real corpus) rather than between two
    big = _write_corpus(tmp_path / "big.txt", seed=1, n_sentences=40000)
    out = tmp_path / "never.txt"
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fastembed_core",
            "train",
            str(big),
            "-o",
            str(out),
            "--epochs",
            "100000",
            "--workers",
            "2",
            "--sg",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        time.sleep(4.0)  # well into training
        assert p.poll() is None
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 130, err
    assert "Traceback" not in err
    assert "training: stopped at" in err and err.rstrip().endswith("error: interrupted")
    assert not out.exists()


# ---- input and output paths that are not ordinary files (reliability P38) ---------------------


@pytest.mark.parametrize(
    "argv", [["train", "{d}", "-o", "{d}/v.vec"], ["-train", "{d}", "-output", "{d}/v.vec"]]
)
def test_a_folder_as_corpus_is_named_as_a_folder(tmp_path, argv):
    # was "No such file or directory"
    proc = run(*[a.format(d=tmp_path) for a in argv])
    assert proc.returncode != 0 and "Is a directory (expected a" in proc.stderr, proc.stderr


def test_dev_null_as_corpus_is_an_empty_corpus(tmp_path):
    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null")
    proc = run("train", "/dev/null", "-o", str(tmp_path / "v.vec"))
    assert proc.returncode != 0 and "the corpus is empty" in proc.stderr, proc.stderr


def test_read_only_file_system_is_named(tmp_path, monkeypatch, capsys):
    # was "permission denied" (and nothing at all for root)
    from fastembed_core.cli import command, options

    if not hasattr(os, "statvfs") or not hasattr(os, "ST_RDONLY"):
        pytest.skip("no statvfs")
    real = os.statvfs

    class ReadOnly:
        def __init__(self, st):
            self._st = st

        def __getattr__(self, name):
            return getattr(self._st, name)

        @property
        def f_flag(self):
            return self._st.f_flag | os.ST_RDONLY

    monkeypatch.setattr(options.os, "statvfs", lambda p: ReadOnly(real(p)))
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\n" * 20)
    status = command.main(["train", str(corpus), "-o", str(tmp_path / "v.vec"), "--min-count", "1"])
    assert status != 0 and "read-only file system" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_similar_reads_vectors_from_a_pipe(tmp_path):
    # format sniffing read the pipe's first bytes, so `similar <(cat k.vec) cat` failed
    import threading

    kv = KeyedVectors(3)
    kv.add_vectors(
        ["cat", "dog", "car"], np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 0, 1]], np.float32)
    )
    text = tmp_path / "k.vec"
    kv.save_word2vec_format(str(text))
    fifo = str(tmp_path / "pipe")
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "wb") as out:
            out.write(text.read_bytes())

    threading.Thread(target=feed, daemon=True).start()
    proc = run("similar", fifo, "cat")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == "dog"
