"""Interop with gensim 4: files byte for byte both ways, and every query and evaluation giving
gensim's answers on the same vectors (gensim's own evaluation files included)."""

import logging
import os
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

gensim = pytest.importorskip("gensim")
from gensim.models import KeyedVectors as GensimKV  # noqa: E402
from gensim.test.utils import datapath  # noqa: E402

from fastembed_core.vectors.keyedvectors import KeyedVectors  # noqa: E402

DIM = 32
# gensim's most_similar_cosmul calls its own deprecated init_sims()
pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated:DeprecationWarning")


@pytest.fixture(autouse=True)
def quiet_gensim():
    logging.getLogger("gensim").setLevel(logging.ERROR)


def eval_words():
    words = []
    for name in ("wordsim353.tsv", "simlex999.txt"):
        with open(datapath(name), encoding="utf8") as f:
            for line in f:
                if not line.startswith("#"):
                    words.extend(line.split("\t")[:2])
    with open(datapath("questions-words.txt"), encoding="utf8") as f:
        for line in f:
            if not line.startswith(":"):
                words.extend(line.split())
    return list(dict.fromkeys(w.strip() for w in words if w.strip()))


def planted_vectors(keys, rng):
    """Random vectors in which many analogy questions hold approximately (b - a ~ d - c within
    a section), so the evaluation yields a real mix of right and wrong answers."""
    index = {k: i for i, k in enumerate(keys)}
    vecs = rng.standard_normal((len(keys), DIM))
    assigned = set()
    offsets = {}
    section = None
    with open(datapath("questions-words.txt"), encoding="utf8") as f:
        for line in f:
            if line.startswith(":"):
                section = line
                offsets[section] = rng.standard_normal(DIM) * 1.5
                continue
            a, b, c, d = line.split()
            for x, y in ((a, b), (c, d)):
                if x in index and y in index and y not in assigned:
                    vecs[index[y]] = (
                        vecs[index[x]] + offsets[section] + rng.standard_normal(DIM) * 0.6
                    )
                    assigned.add(y)
    return vecs.astype(np.float32)


@pytest.fixture(scope="module")
def pair():
    rng = np.random.default_rng(2024)
    words = eval_words()
    random.Random(7).shuffle(words)
    keys = words[: int(len(words) * 0.93)]  # leave some words out of vocabulary
    # case variants after their first spelling: the first occurrence must win
    keys += [w.upper() for w in keys[:40] if w.upper() not in keys]
    keys += [f"filler{i}" for i in range(1500)]
    keys = list(dict.fromkeys(keys))
    vecs = planted_vectors(keys, rng)
    counts = np.sort(rng.integers(5, 10**6, len(keys)))[::-1].astype(np.int64)
    ours = KeyedVectors(DIM)
    ours.add_vectors(keys, vecs)
    ours.expandos["count"] = counts.copy()
    theirs = GensimKV(DIM)
    theirs.add_vectors(keys, vecs)
    theirs.expandos["count"] = counts.copy()
    return ours, theirs


def assert_same_results(got, want, tol=1e-5):
    """Identical rankings (only entries whose scores are within `tol` may swap) and scores."""
    assert len(got) == len(want)
    np.testing.assert_allclose([s for _, s in got], [float(s) for _, s in want], atol=tol)
    want_scores = {k: float(s) for k, s in want}
    for (gk, _), (wk, ws) in zip(got, want):
        if gk != wk:
            assert gk in want_scores and abs(want_scores[gk] - ws) <= tol, (got, want)


# --------------------------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"prefix": "x_"},
        {"write_header": False},
        {"total_vec": 5000},
        {"sort_attr": "none"},
    ],
)
def test_written_bytes_equal_gensims(tmp_path, pair, binary, options):
    ours, theirs = pair
    ours.save_word2vec_format(tmp_path / "ours", binary=binary, **options)
    theirs.save_word2vec_format(str(tmp_path / "theirs"), binary=binary, **options)
    mine, ref = (tmp_path / "ours").read_bytes(), (tmp_path / "theirs").read_bytes()
    assert len(mine) == len(ref) and mine == ref


def test_vocab_file_bytes_equal_gensims(tmp_path, pair):
    ours, theirs = pair
    ours.save_word2vec_format(tmp_path / "o", fvocab=tmp_path / "ov")
    theirs.save_word2vec_format(str(tmp_path / "t"), fvocab=str(tmp_path / "tv"))
    assert (tmp_path / "ov").read_bytes() == (tmp_path / "tv").read_bytes()


@pytest.mark.parametrize("binary", [False, True])
def test_gensim_reads_our_files(tmp_path, pair, binary):
    ours, _ = pair
    ours.save_word2vec_format(tmp_path / "v", fvocab=tmp_path / "voc", binary=binary)
    back = GensimKV.load_word2vec_format(
        str(tmp_path / "v"), fvocab=str(tmp_path / "voc"), binary=binary
    )
    order = [ours.index_to_key[i] for i in np.argsort(-ours.expandos["count"], kind="stable")]
    assert back.index_to_key == order
    np.testing.assert_array_equal(back.vectors, ours[order])
    assert [back.get_vecattr(k, "count") for k in order[:50]] == [
        ours.get_vecattr(k, "count") for k in order[:50]
    ]


@pytest.mark.parametrize("binary", [False, True])
def test_we_read_gensims_files(tmp_path, pair, binary):
    _, theirs = pair
    theirs.save_word2vec_format(str(tmp_path / "v"), fvocab=str(tmp_path / "voc"), binary=binary)
    ref = GensimKV.load_word2vec_format(
        str(tmp_path / "v"), fvocab=str(tmp_path / "voc"), binary=binary
    )
    back = KeyedVectors.load_word2vec_format(tmp_path / "v", fvocab=tmp_path / "voc", binary=binary)
    assert back.index_to_key == ref.index_to_key
    np.testing.assert_array_equal(back.vectors, ref.vectors)
    np.testing.assert_array_equal(back.expandos["count"], ref.expandos["count"])
    ref = GensimKV.load_word2vec_format(str(tmp_path / "v"), binary=binary, limit=100)
    back = KeyedVectors.load_word2vec_format(tmp_path / "v", binary=binary, limit=100)
    assert back.index_to_key == ref.index_to_key
    np.testing.assert_array_equal(back.vectors, ref.vectors)
    np.testing.assert_array_equal(back.expandos["count"], ref.expandos["count"])


def test_glove_files_both_ways(tmp_path, pair):
    ours, theirs = pair
    ours.save_word2vec_format(tmp_path / "g", write_header=False)
    ref = GensimKV.load_word2vec_format(str(tmp_path / "g"), no_header=True)
    back = KeyedVectors.load_word2vec_format(tmp_path / "g", no_header=True)
    assert back.index_to_key == ref.index_to_key
    np.testing.assert_array_equal(back.vectors, ref.vectors)
    np.testing.assert_array_equal(back.expandos["count"], ref.expandos["count"])


TOKEN = st.text(
    st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),
        st.characters(min_codepoint=0x0300, max_codepoint=0x036F),
        st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    ).filter(lambda c: not c.isspace()),
    min_size=1,
    max_size=10,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    keys=st.lists(TOKEN, min_size=1, max_size=20, unique=True),
    binary=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_unicode_tokens_both_ways_byte_identical(tmp_path, keys, binary, seed):
    vecs = np.random.default_rng(seed).standard_normal((len(keys), 3)).astype(np.float32)
    ours = KeyedVectors(3)
    ours.add_vectors(keys, vecs)
    theirs = GensimKV(3)
    theirs.add_vectors(keys, vecs)
    ours.save_word2vec_format(tmp_path / "o", binary=binary)
    theirs.save_word2vec_format(str(tmp_path / "t"), binary=binary)
    assert (tmp_path / "o").read_bytes() == (tmp_path / "t").read_bytes()
    g = GensimKV.load_word2vec_format(str(tmp_path / "o"), binary=binary)
    f = KeyedVectors.load_word2vec_format(tmp_path / "t", binary=binary)
    assert g.index_to_key == keys == f.index_to_key
    np.testing.assert_array_equal(g.vectors, vecs)
    np.testing.assert_array_equal(f.vectors, vecs)


def test_conversion_both_ways(pair):
    ours, theirs = pair
    g = ours.to_gensim()
    assert isinstance(g, GensimKV) and g.index_to_key == ours.index_to_key
    np.testing.assert_array_equal(g.vectors, ours.vectors)
    assert g.vectors is not ours.vectors
    assert g.get_vecattr("filler3", "count") == ours.get_vecattr("filler3", "count")
    assert g.most_similar("king", topn=5) == theirs.most_similar("king", topn=5)
    back = KeyedVectors.from_gensim(theirs)
    assert back.index_to_key == theirs.index_to_key
    np.testing.assert_array_equal(back.vectors, theirs.vectors)
    np.testing.assert_array_equal(back.expandos["count"], theirs.expandos["count"])


def test_from_gensim_word2vec_model():
    from gensim.models import Word2Vec as GensimWord2Vec

    sentences = [["a", "b", "c", "d"], ["b", "c", "e"], ["a", "e", "d"]] * 20
    model = GensimWord2Vec(sentences, vector_size=8, min_count=1, workers=1, seed=1, epochs=2)
    kv = KeyedVectors.from_gensim(model)
    assert kv.index_to_key == model.wv.index_to_key
    np.testing.assert_array_equal(kv.vectors, model.wv.vectors)
    assert_same_results(kv.most_similar("a", topn=3), model.wv.most_similar("a", topn=3))


# --------------------------------------------------------------------------------------------
# queries
# --------------------------------------------------------------------------------------------

QUERY_KEYS = ["king", "water", "Paris", "filler7", "good", "run", "computer", "money"]


def test_most_similar_cases(pair):
    ours, theirs = pair
    keys = [k for k in QUERY_KEYS if k in ours]
    assert len(keys) >= 6
    rng = np.random.default_rng(1)
    vec = rng.standard_normal(DIM).astype(np.float32)
    cases = [dict(positive=[k]) for k in keys] + [
        dict(positive=keys[:2], negative=keys[2:3]),
        dict(positive=keys[:3], negative=keys[3:5], topn=25),
        dict(positive=[(keys[0], 0.3), (keys[1], 2.0)], negative=[(keys[2], -0.7)]),
        dict(positive=[keys[0], (keys[1], 0.5)], negative=[keys[2], (keys[3], -2.0)]),
        dict(positive=[vec]),
        dict(positive=[vec, keys[0]], negative=[(vec * 0.5, -1.0)]),
        dict(positive=keys[0]),
        dict(negative=[keys[4]]),
        dict(positive=[keys[0]], restrict_vocab=400),
        dict(positive=keys[1:3], negative=[keys[0]], restrict_vocab=1000, topn=30),
        dict(positive=[keys[0]], clip_start=100, clip_end=900),
        dict(positive=[keys[5]], topn=len(ours) + 5),
    ]
    for case in cases:
        assert_same_results(ours.most_similar(**case), theirs.most_similar(**case))
    for case in cases[:4] + cases[-4:-1]:
        case = dict(case, topn=None)
        np.testing.assert_allclose(
            ours.most_similar(**case), theirs.most_similar(**case), atol=1e-6
        )


def test_similar_by_and_batch(pair):
    ours, theirs = pair
    keys = [k for k in QUERY_KEYS if k in ours]
    vec = theirs["filler9"] * 2 - theirs["filler10"]
    for k in keys:
        assert_same_results(ours.similar_by_word(k, topn=12), theirs.similar_by_word(k, topn=12))
        assert_same_results(
            ours.similar_by_key(k, topn=5, restrict_vocab=300),
            theirs.similar_by_key(k, topn=5, restrict_vocab=300),
        )
    assert_same_results(ours.similar_by_vector(vec, topn=9), theirs.similar_by_vector(vec, topn=9))
    batch = ours.most_similar_batch(keys + [vec], topn=10, return_keys=True)
    for q, got in zip(keys + [vec], batch):
        assert_same_results(got, theirs.most_similar(positive=[q], topn=10))


def test_cosmul(pair):
    ours, theirs = pair
    keys = [k for k in QUERY_KEYS if k in ours]
    cases = [
        dict(positive=[keys[0]]),
        dict(positive=keys[:2], negative=[keys[2]]),
        dict(positive=keys[:3], negative=keys[3:5], topn=20),
        dict(positive=keys[1]),
    ]
    for case in cases:
        assert_same_results(ours.most_similar_cosmul(**case), theirs.most_similar_cosmul(**case))
        case = dict(case, topn=None)
        np.testing.assert_allclose(
            ours.most_similar_cosmul(**case),
            theirs.most_similar_cosmul(**case),
            rtol=1e-5,
            atol=1e-7,
        )


def test_pairwise_and_set_queries(pair):
    ours, theirs = pair
    keys = [k for k in QUERY_KEYS if k in ours]
    for a, b in zip(keys, keys[1:]):
        assert ours.similarity(a, b) == pytest.approx(float(theirs.similarity(a, b)), abs=1e-6)
        assert ours.distance(a, b) == pytest.approx(float(theirs.distance(a, b)), abs=1e-6)
        assert ours.rank(a, b) == theirs.rank(a, b)
        assert ours.closer_than(a, b) == theirs.closer_than(a, b)
        assert ours.relative_cosine_similarity(a, b) == pytest.approx(
            float(theirs.relative_cosine_similarity(a, b)), abs=1e-6
        )
    assert ours.n_similarity(keys[:3], keys[3:]) == pytest.approx(
        float(theirs.n_similarity(keys[:3], keys[3:])), abs=1e-6
    )
    np.testing.assert_allclose(ours.distances(keys[0]), theirs.distances(keys[0]), atol=1e-6)
    np.testing.assert_allclose(
        ours.distances(keys[0], keys[1:4]), theirs.distances(keys[0], keys[1:4]), atol=1e-6
    )
    vec = theirs[keys[2]]
    np.testing.assert_allclose(ours.distances(vec), theirs.distances(vec), atol=1e-6)
    np.testing.assert_allclose(
        KeyedVectors.cosine_similarities(vec, theirs.vectors[:50]),
        GensimKV.cosine_similarities(vec, theirs.vectors[:50]),
        atol=1e-6,
    )
    assert ours.most_similar_to_given(keys[0], keys[1:]) == theirs.most_similar_to_given(
        keys[0], keys[1:]
    )
    np.testing.assert_allclose(ours.get_normed_vectors(), theirs.get_normed_vectors(), atol=1e-7)
    ours.fill_norms()
    theirs.fill_norms()
    np.testing.assert_allclose(ours.norms, theirs.norms, rtol=1e-7)
    for kw in ({}, {"pre_normalize": False}, {"post_normalize": True}, {"weights": [1, -2, 0.5]}):
        np.testing.assert_allclose(
            ours.get_mean_vector(keys[:3], **kw), theirs.get_mean_vector(keys[:3], **kw), atol=1e-6
        )


def test_doesnt_match_and_centrality(pair):
    ours, theirs = pair
    rng = random.Random(3)
    vocab = [k for k in ours.index_to_key if not k.startswith("filler")]
    for _ in range(40):
        words = rng.sample(vocab, rng.randint(3, 8))
        assert ours.doesnt_match(words) == theirs.doesnt_match(words)
        mine = ours.rank_by_centrality(words)
        ref = theirs.rank_by_centrality(words)
        assert [w for _, w in mine] == [w for _, w in ref]
        np.testing.assert_allclose([s for s, _ in mine], [float(s) for s, _ in ref], atol=1e-6)
    words = vocab[:4] + ["definitely-not-a-word"]
    assert ours.doesnt_match(words) == theirs.doesnt_match(words)


# --------------------------------------------------------------------------------------------
# evaluation on gensim's own test files
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["wordsim353.tsv", "simlex999.txt"])
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"case_insensitive": False},
        {"dummy4unknown": True},
        {"restrict_vocab": 700},
    ],
)
def test_evaluate_word_pairs_equals_gensim(pair, name, kw):
    ours, theirs = pair
    mine = ours.evaluate_word_pairs(datapath(name), **kw)
    ref = theirs.evaluate_word_pairs(datapath(name), **kw)
    assert mine[0][0] == pytest.approx(ref[0][0], abs=1e-7)
    assert mine[0][1] == pytest.approx(ref[0][1], rel=1e-5, abs=1e-12)
    assert mine[1][0] == pytest.approx(ref[1][0], abs=1e-7)
    assert mine[1][1] == pytest.approx(ref[1][1], rel=1e-5, abs=1e-12)
    assert mine[2] == ref[2]
    assert 0 < mine[2] < 100  # some pairs are out of vocabulary, most are not


def sections_equal(mine, ref):
    assert [s["section"] for s in mine] == [s["section"] for s in ref]
    for a, b in zip(mine, ref):
        assert a["correct"] == b["correct"], a["section"]
        assert a["incorrect"] == b["incorrect"], a["section"]


def test_evaluate_word_analogies_equals_gensim(pair):
    ours, theirs = pair
    score, sections = ours.evaluate_word_analogies(datapath("questions-words.txt"))
    ref_score, ref_sections = theirs.evaluate_word_analogies(datapath("questions-words.txt"))
    sections_equal(sections, ref_sections)
    assert score == ref_score
    assert 0.2 < score < 0.9  # the planted structure gives a real mix of right and wrong


@pytest.fixture(scope="module")
def question_subset(tmp_path_factory):
    path = tmp_path_factory.mktemp("q") / "subset.txt"
    out = []
    with open(datapath("questions-words.txt"), encoding="utf8") as f:
        for i, line in enumerate(f):
            if line.startswith(":") or i % 7 == 0:
                out.append(line)
    path.write_text("".join(out), encoding="utf8")
    return str(path)


@pytest.mark.parametrize(
    "kw",
    [
        {"case_insensitive": False},
        {"dummy4unknown": True},
        {"restrict_vocab": 900},
        {"restrict_vocab": 2000, "dummy4unknown": True},
    ],
)
def test_evaluate_word_analogies_options_equal_gensim(pair, question_subset, kw):
    ours, theirs = pair
    score, sections = ours.evaluate_word_analogies(question_subset, **kw)
    ref_score, ref_sections = theirs.evaluate_word_analogies(question_subset, **kw)
    sections_equal(sections, ref_sections)
    assert score == ref_score


def test_gensim_files_exist():
    for name in ("wordsim353.tsv", "simlex999.txt", "questions-words.txt"):
        assert os.path.getsize(datapath(name)) > 1000
