"""FastTextKeyedVectors against gensim's FastTextKeyedVectors built from the same matrices,
against a plain NumPy reference of its means, against the fastText package when installed,
and through save/load."""

import importlib.util

import numpy as np
import pytest

from fastembed_core import _subwords
from fastembed_core.errors import FormatError, OOVError
from fastembed_core.io.native import write_container
from fastembed_core.vectors import FastTextKeyedVectors, KeyedVectors
from fastembed_core.vectors import fasttext as fasttext_module

DIM, MIN_N, MAX_N, BUCKET = 8, 3, 6, 61  # few buckets: n-grams share rows, as they do at scale
WORDS = ["the", "night", "nightly", "knight", "café", "cafés", "東京", "東京都", "😀", "a", "ok"]
UNSEEN = ["nights", "knighthood", "caféine", "京都", "😀😀", "zzz", "ab"]


def random_matrices(n_words, bucket=BUCKET, dim=DIM, seed=0):
    rng = np.random.default_rng(seed)
    vocab = rng.standard_normal((n_words, dim)).astype(np.float32)
    ngrams = rng.standard_normal((bucket, dim)).astype(np.float32)
    return vocab, ngrams


def ours(words=WORDS, min_n=MIN_N, max_n=MAX_N, bucket=BUCKET, seed=0):
    vocab, ngrams = random_matrices(len(words), bucket, seed=seed)
    kv = FastTextKeyedVectors(DIM, min_n, max_n, bucket)
    kv.add_vectors(words, np.zeros((len(words), DIM), np.float32))
    kv._attach_input(np.vstack([vocab, ngrams]), len(words))
    return kv


def theirs(words=WORDS, min_n=MIN_N, max_n=MAX_N, bucket=BUCKET, seed=0):
    gensim_fasttext = pytest.importorskip("gensim.models.fasttext")
    vocab, ngrams = random_matrices(len(words), bucket, seed=seed)
    kv = gensim_fasttext.FastTextKeyedVectors(DIM, min_n, max_n, bucket)
    kv.index_to_key = list(words)
    kv.key_to_index = {w: i for i, w in enumerate(words)}
    kv.vectors_vocab = vocab
    kv.vectors_ngrams = ngrams
    kv.recalc_char_ngram_buckets()
    kv.adjust_vectors()
    return kv


def reference_word_vector(kv, word):
    """fastText's getWordVector, written out: the mean of the word's subword rows."""
    rows = [] if word == "</s>" else _subwords.ngram_buckets(word, kv.min_n, kv.max_n, kv.bucket)
    parts = [kv.vectors_ngrams[r] for r in rows]
    if word in kv.key_to_index:
        parts.insert(0, kv.vectors_vocab[kv.key_to_index[word]])
    return np.mean(parts, axis=0) if parts else np.zeros(kv.vector_size, np.float32)


# ---- against gensim -----------------------------------------------------------------------


def test_vectors_match_gensim():
    mine, gensim_kv = ours(), theirs()
    # the same float32 sums in the same order: the same bits
    np.testing.assert_array_equal(mine.vectors, gensim_kv.vectors)
    for word in WORDS + UNSEEN:
        for norm in (False, True):
            np.testing.assert_allclose(
                mine.get_vector(word, norm=norm),
                gensim_kv.get_vector(word, norm=norm),
                rtol=1e-5,
                atol=1e-6,
                err_msg=word,
            )
        np.testing.assert_allclose(mine[word], gensim_kv[word], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mine[UNSEEN], gensim_kv[UNSEEN], rtol=1e-5, atol=1e-6)


def test_queries_match_gensim():
    mine, gensim_kv = ours(), theirs()
    for query in (["night"], ["nights"], ["caféine", "東京"], "knighthood"):
        got = mine.most_similar(positive=query, topn=5)
        expected = gensim_kv.most_similar(positive=query, topn=5)
        assert [k for k, _ in got] == [k for k, _ in expected], query
        np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], atol=1e-5)
    got = mine.most_similar(positive=["nights", "cafés"], negative=["zzz"], topn=4)
    expected = gensim_kv.most_similar(positive=["nights", "cafés"], negative=["zzz"], topn=4)
    assert [k for k, _ in got] == [k for k, _ in expected]
    for w1, w2 in [("night", "nights"), ("zzz", "ab"), ("café", "caféine"), ("ok", "the")]:
        assert mine.similarity(w1, w2) == pytest.approx(gensim_kv.similarity(w1, w2), abs=1e-5)
        assert mine.distance(w1, w2) == pytest.approx(gensim_kv.distance(w1, w2), abs=1e-5)
    assert mine.similarity("zzz", "zzz") == 1.0
    pairs = (["nights", "the"], ["knighthood", "café"])
    assert mine.n_similarity(*pairs) == pytest.approx(gensim_kv.n_similarity(*pairs), abs=1e-5)
    for keys in (["night", "nights"], ["zzz", "東京"]):
        np.testing.assert_allclose(
            mine.get_mean_vector(keys), gensim_kv.get_mean_vector(keys), rtol=1e-5, atol=1e-6
        )
    got = mine.vectors_for_all(["night", "nights", "night"])
    expected = gensim_kv.vectors_for_all(["night", "nights", "night"])
    assert got.index_to_key == expected.index_to_key == ["night", "nights"]
    np.testing.assert_allclose(got.vectors, expected.vectors, rtol=1e-5, atol=1e-6)
    assert type(got) is KeyedVectors


def test_word_without_ngrams_is_the_origin_as_in_gensim():
    mine, gensim_kv = ours(min_n=4), theirs(min_n=4)
    # "<b>" has 3 characters: no n-gram of 4..6
    np.testing.assert_array_equal(mine.get_vector("b"), gensim_kv.get_vector("b"))
    assert not mine.get_vector("b").any()
    assert not mine.get_vector("b", norm=True).any()  # gensim: NaN
    assert mine.similarity("b", "night") == 0.0


def test_end_of_line_token_has_no_ngrams():
    """fastText gives "</s>" only its own row; gensim adds n-grams, so the two differ."""
    words = ["</s>", *WORDS]
    mine, gensim_kv = ours(words), theirs(words)
    np.testing.assert_allclose(mine["</s>"], mine.vectors_vocab[0], rtol=1e-6)
    assert not np.allclose(gensim_kv["</s>"], mine["</s>"])
    np.testing.assert_allclose(mine.vectors[1:], gensim_kv.vectors[1:], rtol=1e-6, atol=1e-6)


# ---- the means, vocabulary and lookups --------------------------------------------------


def test_adjust_vectors_in_blocks(monkeypatch):
    """Other dtypes take the NumPy path: blocks of a few words give the same means as one
    block, as the float32 path in C, and as the reference."""
    kv = ours()
    in_c = kv.vectors.copy()
    kv._attach_input(np.vstack([kv.vectors_vocab, kv.vectors_ngrams]).astype(np.float64), len(kv))
    assert kv.vectors.dtype == np.float64
    whole = kv.vectors.copy()
    np.testing.assert_allclose(whole, in_c, rtol=1e-5, atol=1e-6)
    monkeypatch.setattr(fasttext_module, "BLOCK_ELEMENTS", DIM * 5)  # ~5 rows a block
    kv.adjust_vectors()
    np.testing.assert_array_equal(kv.vectors, whole)
    for word in WORDS:
        np.testing.assert_allclose(kv[word], reference_word_vector(kv, word), rtol=1e-5, atol=1e-6)
    for word in UNSEEN:
        np.testing.assert_allclose(kv[word], reference_word_vector(kv, word), rtol=1e-5, atol=1e-6)


def test_attach_input_makes_views():
    kv = FastTextKeyedVectors(DIM, MIN_N, MAX_N, BUCKET)
    kv.add_vectors(WORDS, np.zeros((len(WORDS), DIM), np.float32))
    w_in = np.vstack(random_matrices(len(WORDS)))
    kv._attach_input(w_in, len(WORDS))
    assert np.shares_memory(kv.vectors_vocab, w_in) and np.shares_memory(kv.vectors_ngrams, w_in)
    unseen_before, seen_before = kv["nights"].copy(), kv["night"].copy()
    w_in[len(WORDS) :] += 1.0  # training writes here: unseen words see it at once...
    np.testing.assert_allclose(kv["nights"], unseen_before + 1.0, rtol=1e-5)
    np.testing.assert_array_equal(kv["night"], seen_before)
    kv.adjust_vectors()  # ...vocabulary words after adjust_vectors
    np.testing.assert_allclose(kv["night"], reference_word_vector(kv, "night"), rtol=1e-5)
    assert not np.allclose(kv["night"], seen_before)
    with pytest.raises(ValueError, match="shape"):
        kv._attach_input(w_in[:-1], len(WORDS))
    with pytest.raises(ValueError, match="keys"):
        kv._attach_input(w_in, len(WORDS) - 1)


def test_membership():
    kv = ours()
    assert kv.has_index_for("night") and "night" in kv
    assert not kv.has_index_for("nights") and "nights" in kv
    assert 5 not in kv and [1] not in kv
    with pytest.raises(OOVError):
        kv.get_vector(5)


def test_without_buckets_only_the_vocabulary_has_vectors():
    kv = ours(bucket=0)
    assert kv.vectors is kv.vectors_vocab
    assert "nights" not in kv
    with pytest.raises(KeyError, match="no n-gram buckets"):
        kv["nights"]
    with pytest.raises(KeyError):
        kv.similarity("nights", "night")
    gensim_kv = theirs(bucket=0)
    np.testing.assert_allclose(kv.vectors, gensim_kv.vectors)


def test_max_n_zero_means_own_rows_only():
    kv = ours(max_n=0)
    np.testing.assert_allclose(kv.vectors, kv.vectors_vocab)
    assert kv.vectors is not kv.vectors_vocab  # buckets exist: the means are a copy
    assert not kv.get_vector("nights").any()


def test_bad_parameters():
    with pytest.raises(ValueError, match="min_n"):
        FastTextKeyedVectors(DIM, 0, 6, 10)
    with pytest.raises(ValueError, match="must not exceed max_n"):
        FastTextKeyedVectors(DIM, 5, 4, 10)
    with pytest.raises(ValueError, match="bucket"):
        FastTextKeyedVectors(DIM, 3, 6, -1)


def test_sentence_vector_is_fasttexts():
    kv = ours(min_n=4)
    words = ["night", "nights", "b", "zzz"]  # "b" has no n-gram of 4..6: a zero vector
    units = [kv[w] / np.linalg.norm(kv[w]) for w in words if kv[w].any()]
    assert len(units) == 3
    expected = np.mean(units, axis=0)
    np.testing.assert_allclose(kv.get_sentence_vector(words), expected, rtol=1e-5)
    np.testing.assert_allclose(kv.get_sentence_vector(" ".join(words)), expected, rtol=1e-5)
    assert not kv.get_sentence_vector(["b"]).any()
    assert not kv.get_sentence_vector([]).any()


def test_adding_and_sorting_keep_own_rows_with_their_words():
    kv = ours()
    kv.add_vectors(["new"], np.full((1, DIM), 2.0, np.float32))
    assert kv.vectors_vocab.shape == (len(WORDS) + 1, DIM)
    np.testing.assert_array_equal(kv.vectors_vocab[-1], 2.0)
    kv.adjust_vectors()
    before = {w: kv[w].copy() for w in kv.index_to_key}
    kv.allocate_vecattrs(["count"], [np.int64])
    for i, w in enumerate(kv.index_to_key):
        kv.set_vecattr(w, "count", (i * 7) % 5)
    kv.sort_by_descending_frequency()
    assert kv.index_to_key != list(before)
    kv.adjust_vectors()
    for w, vec in before.items():
        np.testing.assert_allclose(kv[w], vec, rtol=1e-6, err_msg=w)


# ---- files ----------------------------------------------------------------------------------


def test_save_load_round_trip(tmp_path):
    kv = ours()
    kv.vectors_ngrams_lockf = np.full(1, 0.5, np.float32)
    path = tmp_path / "ft.fe"
    kv.save(path)
    for mmap in (None, "r"):
        back = FastTextKeyedVectors.load(path, mmap=mmap)
        assert (back.min_n, back.max_n, back.bucket) == (MIN_N, MAX_N, BUCKET)
        assert back.index_to_key == kv.index_to_key
        for name in ("vectors", "vectors_vocab", "vectors_ngrams", "vectors_ngrams_lockf"):
            np.testing.assert_array_equal(getattr(back, name), getattr(kv, name), err_msg=name)
        for word in UNSEEN:
            np.testing.assert_array_equal(back[word], kv[word])
        assert back.most_similar("nights", topn=3) == kv.most_similar("nights", topn=3)
    mapped = FastTextKeyedVectors.load(path, mmap="r")
    assert isinstance(mapped.vectors_ngrams, np.memmap)
    assert not mapped.vectors_ngrams.flags.writeable


def test_save_load_empty(tmp_path):
    kv = FastTextKeyedVectors(DIM, MIN_N, MAX_N, BUCKET)
    kv.save(tmp_path / "ft.fe")
    back = FastTextKeyedVectors.load(tmp_path / "ft.fe")
    assert len(back) == 0 and back.vectors_ngrams.shape == (BUCKET, DIM)


def test_save_load_without_buckets(tmp_path):
    kv = ours(bucket=0)
    kv.save(tmp_path / "ft.fe")
    back = FastTextKeyedVectors.load(tmp_path / "ft.fe")
    assert back.bucket == 0 and back.vectors is back.vectors_vocab
    np.testing.assert_array_equal(back.vectors, kv.vectors)


def test_files_of_the_other_class_are_refused(tmp_path):
    ours().save(tmp_path / "ft.fe")
    with pytest.raises(FormatError):
        KeyedVectors.load(tmp_path / "ft.fe")
    KeyedVectors.from_arrays(["a"], np.ones((1, DIM), np.float32)).save(tmp_path / "kv.fe")
    with pytest.raises(FormatError):
        FastTextKeyedVectors.load(tmp_path / "kv.fe")


@pytest.mark.parametrize(
    ("meta_change", "array_change", "message"),
    [
        ({"bucket": BUCKET + 1}, {}, "vectors_ngrams"),
        ({"min_n": 0}, {}, "min_n"),
        ({"max_n": "6"}, {}, "integers"),
        ({}, {"vectors_vocab": np.zeros((2, DIM), np.float32)}, "vectors_vocab"),
        ({}, {"vectors_ngrams": np.zeros((BUCKET, DIM), np.float64)}, "vectors_ngrams"),
        ({}, {"vectors_ngrams": np.full((BUCKET, DIM), np.nan, np.float32)}, "not finite"),
    ],
)
def test_inconsistent_files_are_refused(tmp_path, meta_change, array_change, message):
    kv = ours()
    meta = {
        "vector_size": DIM,
        "keys": list(kv.index_to_key),
        "next_index": len(kv),
        "attrs": {},
        "object_attrs": {},
        "min_n": MIN_N,
        "max_n": MAX_N,
        "bucket": BUCKET,
        **meta_change,
    }
    arrays = {
        "vectors": kv.vectors,
        "vectors_vocab": kv.vectors_vocab,
        "vectors_ngrams": kv.vectors_ngrams,
        **array_change,
    }
    write_container(tmp_path / "bad.fe", "FastTextKeyedVectors", meta, arrays)
    with pytest.raises(FormatError, match=message):
        FastTextKeyedVectors.load(tmp_path / "bad.fe")


def test_nonfinite_rows_are_not_saved(tmp_path):
    kv = ours()
    kv.vectors_ngrams[3, 1] = np.inf
    with pytest.raises(ValueError, match="vectors_ngrams row 3"):
        kv.save(tmp_path / "ft.fe")


# ---- against fastText itself --------------------------------------------------------------


@pytest.mark.skipif(importlib.util.find_spec("fasttext") is None, reason="fasttext not installed")
def test_matches_fasttext_package(tmp_path):
    import fasttext

    corpus = tmp_path / "tiny.txt"
    corpus.write_text(
        "the night is dark and the knight rides\nthe café serves café au lait 東京 😀\n" * 5,
        encoding="utf-8",
    )
    # epoch=0 builds the dictionary without a training step (which may meet NaN here)
    model = fasttext.train_unsupervised(
        str(corpus), model="skipgram", dim=DIM, epoch=0, minCount=1, bucket=BUCKET,
        minn=2, maxn=4, thread=1, verbose=0,
    )  # fmt: skip
    words = list(model.words)
    # Known rows instead of the trained ones: the comparison is about which rows make a
    # word's vector, and this build of fastText leaves some trained rows at garbage values.
    vocab, ngrams = random_matrices(len(words))
    w_in = np.vstack([vocab, ngrams])
    model.set_matrices(w_in, np.zeros((len(words), DIM), np.float32))
    kv = FastTextKeyedVectors(DIM, 2, 4, BUCKET)
    kv.add_vectors(words, np.zeros((len(words), DIM), np.float32))
    kv._attach_input(w_in, len(words))
    for word in [*words, "nights", "cafés", "京", "x"]:
        np.testing.assert_allclose(kv[word], model.get_word_vector(word), rtol=1e-5, atol=1e-6)
    sentence = "the knights ride to the café 東京"
    np.testing.assert_allclose(
        kv.get_sentence_vector(sentence), model.get_sentence_vector(sentence), rtol=1e-5, atol=1e-6
    )


# ---- gensim conversion, copies ------------------------------------------------------------


def test_gensim_round_trip():
    gensim_kv = theirs()
    gensim_kv.allocate_vecattrs(["count"], [np.int64])
    gensim_kv.expandos["count"][:] = np.arange(len(WORDS), 0, -1)
    mine = FastTextKeyedVectors.from_gensim(gensim_kv)
    assert (mine.min_n, mine.max_n, mine.bucket) == (MIN_N, MAX_N, BUCKET)
    assert int(mine.get_vecattr("night", "count")) == len(WORDS) - 1
    assert not np.shares_memory(mine.vectors_ngrams, gensim_kv.vectors_ngrams)
    for word in WORDS + UNSEEN:
        np.testing.assert_allclose(mine[word], gensim_kv[word], rtol=1e-5, atol=1e-6)
    back = mine.to_gensim()
    assert type(back) is type(gensim_kv)
    for word in WORDS + UNSEEN:
        np.testing.assert_allclose(back[word], gensim_kv[word], rtol=1e-5, atol=1e-6)
    # gensim's adjust_vectors on the converted object gives the same means
    back.adjust_vectors()
    np.testing.assert_array_equal(back.vectors, gensim_kv.vectors)


def test_from_plain_gensim_vectors_has_no_ngrams():
    gensim_models = pytest.importorskip("gensim.models")
    plain = gensim_models.KeyedVectors(DIM)
    plain.add_vectors(["a", "b"], np.eye(2, DIM, dtype=np.float32))
    mine = FastTextKeyedVectors.from_gensim(plain)
    assert mine.bucket == 0 and "c" not in mine
    np.testing.assert_array_equal(mine["b"], plain["b"])


def test_init_post_load_and_deepcopy():
    import copy

    reference = ours()
    kv = FastTextKeyedVectors(DIM, MIN_N, MAX_N, BUCKET)
    kv.add_vectors(WORDS, np.zeros((len(WORDS), DIM), np.float32))
    kv.init_post_load(np.vstack([reference.vectors_vocab, reference.vectors_ngrams]))
    np.testing.assert_array_equal(kv.vectors, reference.vectors)
    twin = copy.deepcopy(kv)
    twin.vectors_ngrams[:] = 0.0
    assert kv["nights"].any() and not twin["nights"].any()
    np.testing.assert_array_equal(twin["night"], kv["night"])
