"""The parts of gensim 4's Word2Vec / KeyedVectors surface beyond training: scoring and
prediction, the vocabulary step by step, merging vectors from a file, Word Mover's Distance,
gensim's warnings and train() semantics, and the exceptions gensim's own tests expect.
Where gensim is installed, answers are compared with gensim's on the same weights."""

import importlib.util
import logging
import sys

import numpy as np
import pytest
from _corpora import planted_clusters

from fastembed_core import CorpusArgumentError, EmptyVocabularyError, KeyedVectors, Word2Vec

HAVE_GENSIM = importlib.util.find_spec("gensim") is not None
HAVE_POT = importlib.util.find_spec("ot") is not None
needs_gensim = pytest.mark.skipif(not HAVE_GENSIM, reason="gensim is not installed")
needs_pot = pytest.mark.skipif(not HAVE_POT, reason="POT (the wmd extra) is not installed")

CORPUS = planted_clusters(4, n_sentences=400, clusters=4, per_cluster=8, length=8)


@pytest.fixture(autouse=True)
def quiet_gensim():
    logging.getLogger("gensim").setLevel(logging.ERROR)


def small_model(**kw):
    params = dict(vector_size=12, min_count=1, workers=1, seed=3, epochs=3)
    params.update(kw)
    return Word2Vec(CORPUS, **params)


def gensim_twin(model, **kw):
    """A gensim Word2Vec with this model's vocabulary and weights (and Huffman paths)."""
    from gensim.models import Word2Vec as GensimWord2Vec

    g = GensimWord2Vec(
        vector_size=model.vector_size,
        min_count=1,
        hs=model.hs,
        negative=model.negative,
        sg=model.sg,
        window=model.window,
        cbow_mean=model.cbow_mean,
        workers=1,
        **kw,
    )
    g.build_vocab(CORPUS)
    assert set(g.wv.key_to_index) == set(model.wv.key_to_index)
    rows = np.array([model.wv.key_to_index[k] for k in g.wv.index_to_key])
    g.wv.vectors[:] = model.wv.vectors[rows]
    if model.negative:
        g.syn1neg[:] = model.syn1neg[rows]
    if model.hs:
        off, code, point = model._sampling_tables()["hs"]
        for gi, i in enumerate(rows):
            g.wv.expandos["code"][gi] = code[off[i] : off[i + 1]].astype(np.uint8)
            g.wv.expandos["point"][gi] = point[off[i] : off[i + 1]].astype(np.uint32)
        g.syn1 = np.zeros_like(g.wv.vectors)
        g.syn1[: model.syn1.shape[0]] = model.syn1
    return g


# ------------------------------------------------------------------ predict_output_word


@needs_gensim
@pytest.mark.parametrize("sg,cbow_mean", [(0, 1), (0, 0), (1, 1)])
def test_predict_output_word_matches_gensim(sg, cbow_mean):
    model = small_model(sg=sg, cbow_mean=cbow_mean)
    twin = gensim_twin(model)
    context = ["k0_1", "k0_2", "unknown", "k1_3"]
    mine = model.predict_output_word(context, topn=6)
    theirs = twin.predict_output_word(context, topn=6)
    assert [w for w, _ in mine] == [w for w, _ in theirs]
    np.testing.assert_allclose([p for _, p in mine], [p for _, p in theirs], rtol=1e-5)
    everything = model.predict_output_word(context, topn=None)
    assert len(everything) == len(model.wv)
    assert sum(p for _, p in everything) == pytest.approx(1.0)


def test_predict_output_word_reads_ints_as_positions_and_skips_unknowns(caplog):
    model = small_model()
    by_key = model.predict_output_word(["k2_0", "k2_5"], topn=5)
    positions = [model.wv.get_index("k2_0"), "k2_5"]
    assert model.predict_output_word(positions, topn=5) == by_key
    assert model.predict_output_word(["k2_0", "nope", "k2_5"], topn=5) == by_key
    with caplog.at_level(logging.WARNING, logger="fastembed_core"):
        assert model.predict_output_word(["nope", "neither"]) is None
    assert "out-of-vocabulary" in caplog.text


def test_predict_output_word_needs_negative_sampling_layer(tmp_path):
    with pytest.raises(RuntimeError, match="negative"):
        small_model(hs=1, negative=0).predict_output_word(["k0_1"])
    # gensim's test: vectors loaded from a word2vec file carry no output layer
    path = tmp_path / "v.bin"
    small_model().wv.save_word2vec_format(path, binary=True)
    bare = Word2Vec()
    bare.wv = KeyedVectors.load_word2vec_format(path, binary=True)
    with pytest.raises(RuntimeError, match="syn1neg"):
        bare.predict_output_word(["k0_1"])


# ------------------------------------------------------------------ score


def _log_sigmoid_exact(x):
    return -np.logaddexp(0.0, -x)


def _log_sigmoid_gensim(x):
    """gensim's lookup: a 1,000-entry table of log sigmoid over [-6, 6), indexed with a
    scale of 83 per unit (an integer division in its Cython)."""
    i = int((x + 6.0) * 83)
    return np.log(1.0 / (1.0 + np.exp(-((i / 1000.0 * 2 - 1) * 6.0))))


def reference_scores(model, sentences, log_sigmoid, skip_saturated=True):
    """gensim's score, term by term: for every centre word and every inner node on its path,
    log sigmoid(+-input . node) with the input the context word (sg) or the context sum or
    mean (cbow); terms whose dot reaches +-6 are left out."""
    off, code, point = model._sampling_tables()["hs"]
    syn0, syn1, window = model.wv.vectors.astype(np.float64), model.syn1, model.window
    out = []
    for sentence in sentences:
        ids = [model.wv.key_to_index[w] for w in sentence if w in model.wv.key_to_index]
        total = 0.0
        for i, centre in enumerate(ids):
            around = [j for j in range(max(i - window, 0), min(i + window + 1, len(ids))) if j != i]
            if model.sg:
                inputs = [syn0[ids[j]] for j in around]
            else:
                hidden = sum((syn0[ids[j]] for j in around), np.zeros(syn0.shape[1]))
                if model.cbow_mean and around:
                    hidden = hidden / len(around)
                inputs = [hidden]
            for vec in inputs:
                for k in range(off[centre], off[centre + 1]):
                    f = float(np.dot(vec, syn1[point[k]])) * (1.0 - 2.0 * code[k])
                    if -6.0 < f < 6.0 or not skip_saturated:
                        total += log_sigmoid(f)
        out.append(total)
    return np.array(out)


SCORE_TEXTS = [
    ["k0_1", "k0_2", "k0_3", "k0_4", "k0_5"],
    ["k1_1", "k2_2", "k3_3", "k1_4", "k0_5", "k2_6", "k3_7"],
    ["k2_0"],
    [],
    ["unknown", "k3_1", "not_a_word", "k3_2"],
    ["k1_0"] * 9,
]


@pytest.mark.parametrize("sg,cbow_mean", [(1, 1), (0, 1), (0, 0)])
@pytest.mark.parametrize("scale", [1.0, -5000.0])  # confidently wrong terms, left out
def test_score_matches_reference(sg, cbow_mean, scale):
    model = small_model(sg=sg, cbow_mean=cbow_mean, hs=1, negative=0, window=3)
    model.syn1 *= scale
    weights = model.wv.vectors.copy(), model.syn1.copy()
    got = model.score(SCORE_TEXTS, chunksize=2)
    want = reference_scores(model, SCORE_TEXTS, _log_sigmoid_exact)
    assert got.dtype == np.float32 and got.shape == (len(SCORE_TEXTS),)
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-4)
    assert got[3] == 0.0 and (got[0] < 0) and (got[1] < got[0])
    if scale < 0:  # terms did reach +-6, and leaving them out (gensim's rule) mattered
        every_term = reference_scores(model, SCORE_TEXTS, _log_sigmoid_exact, False)
        assert np.abs(got - every_term).max() > 1.0
    # scoring changes nothing
    assert np.array_equal(model.wv.vectors, weights[0]) and np.array_equal(model.syn1, weights[1])


@needs_gensim
@pytest.mark.parametrize("sg,cbow_mean", [(1, 1), (0, 1), (0, 0)])
def test_score_matches_gensim_on_the_same_weights(sg, cbow_mean):
    """gensim's scores equal the reference evaluated with gensim's log sigmoid table, and
    ours the same reference with the exact log sigmoid: the two differ only by that table."""
    model = small_model(sg=sg, cbow_mean=cbow_mean, hs=1, negative=0, window=3)
    model.syn1 *= 300.0  # spread the dot products over the table's range
    twin = gensim_twin(model)
    theirs = twin.score(SCORE_TEXTS, total_sentences=len(SCORE_TEXTS))
    np.testing.assert_allclose(
        theirs, reference_scores(model, SCORE_TEXTS, _log_sigmoid_gensim), rtol=1e-4, atol=2e-3
    )
    mine = model.score(SCORE_TEXTS)
    np.testing.assert_allclose(
        mine, reference_scores(model, SCORE_TEXTS, _log_sigmoid_exact), rtol=2e-5, atol=1e-4
    )
    assert np.argsort(mine).tolist() == np.argsort(theirs).tolist()
    # gensim's table reads log sigmoid at or below the dot product: its scores are lower
    assert (mine >= theirs - 1e-4).all() and (mine - theirs).max() > 0.01


def test_score_needs_hierarchical_softmax_and_honours_total_sentences(caplog):
    with pytest.raises(RuntimeError, match="hs=1"):
        small_model().score(SCORE_TEXTS)
    with pytest.raises(RuntimeError, match="vocabulary"):
        Word2Vec(hs=1, negative=0).score(SCORE_TEXTS)
    model = small_model(hs=1, negative=0)
    with caplog.at_level(logging.WARNING, logger="fastembed_core"):
        head = model.score(iter(SCORE_TEXTS), total_sentences=2)
    assert "terminating after 2 sentences" in caplog.text
    np.testing.assert_array_equal(head, model.score(SCORE_TEXTS)[:2])
    with pytest.raises(TypeError, match="list of tokens"):
        model.score(["a plain string"])


# ------------------------------------------------------------------ vocabulary step by step


def test_build_vocab_equals_scan_then_prepare():
    whole = Word2Vec(vector_size=8, min_count=3, workers=1, seed=2)
    whole.build_vocab(CORPUS)
    steps = Word2Vec(vector_size=8, min_count=3, workers=1, seed=2)
    total, count = steps.scan_vocab(CORPUS)
    assert (total, count) == (sum(map(len, CORPUS)), len(CORPUS))
    assert (steps.corpus_total_words, steps.corpus_count) == (total, count)
    assert sum(steps.raw_vocab.values()) == total
    report = steps.prepare_vocab()
    assert steps.wv.index_to_key == whole.wv.index_to_key
    np.testing.assert_array_equal(steps.wv.vectors, whole.wv.vectors)
    assert report["num_retained_words"] == len(whole.wv)
    assert steps.raw_vocab == {}  # dropped unless keep_raw_vocab
    steps.train(CORPUS, total_examples=count, epochs=1)


def test_prepare_vocab_dry_run_reports_without_changing_the_model():
    model = Word2Vec(vector_size=8, min_count=1, workers=1)
    model.scan_vocab(CORPUS)
    counts = dict(model.raw_vocab)
    report = model.prepare_vocab(min_count=60, sample=1e-2, dry_run=True)
    assert len(model.wv) == 0 and model.min_count == 1 and model.raw_vocab == counts
    kept = [w for w, c in counts.items() if c >= 60]
    assert report["num_retained_words"] == len(kept) > 0
    assert report["drop_unique"] == len(counts) - len(kept)
    assert report["retain_total"] == sum(counts[w] for w in kept)
    assert 0 < report["downsample_total"] < report["retain_total"]
    assert report["downsample_unique"] > 0
    applied = model.prepare_vocab(min_count=60, sample=1e-2, keep_raw_vocab=True)
    assert applied == report
    assert len(model.wv) == len(kept) and model.min_count == 60 and model.sample == 1e-2
    assert model.raw_vocab == counts


def test_prepare_vocab_needs_a_scan():
    with pytest.raises(RuntimeError, match="scan_vocab"):
        Word2Vec().prepare_vocab()


@needs_gensim
@pytest.mark.parametrize("min_count,sample", [(1, 1e-3), (40, 1e-2), (5, 0.0)])
def test_vocabulary_steps_report_as_gensim(min_count, sample):
    from gensim.models import Word2Vec as GensimWord2Vec

    g = GensimWord2Vec(vector_size=8, min_count=min_count, sample=sample)
    ours = Word2Vec(vector_size=8, min_count=min_count, sample=sample, workers=1)
    assert ours.scan_vocab(CORPUS) == g.scan_vocab(CORPUS)
    mine, theirs = ours.prepare_vocab(dry_run=True), g.prepare_vocab(dry_run=True)
    assert set(mine) == set(theirs)
    for key in ("drop_unique", "retain_total", "num_retained_words", "downsample_unique"):
        assert mine[key] == theirs[key], key
    assert abs(mine["downsample_total"] - theirs["downsample_total"]) <= 1  # float sums, int()
    g.prepare_vocab()
    ours.prepare_vocab()
    for hs, negative in [(0, 5), (1, 0), (1, 3)]:
        ours.hs, ours.negative, g.hs, g.negative = hs, negative, hs, negative
        for size in (None, 1000):
            mem, gmem = ours.estimate_memory(vocab_size=size), g.estimate_memory(vocab_size=size)
            assert set(mem) == set(gmem)
            for key in ("vocab", "vectors", "syn1neg", "syn1"):
                assert mem.get(key) == gmem.get(key), key
            assert mem["total"] == sum(v for k, v in mem.items() if k != "total")


def test_reset_from_takes_vocabulary_and_starts_fresh():
    other = small_model()
    model = Word2Vec(vector_size=12, min_count=1, workers=1, seed=9)
    model.build_vocab([["something", "else"]] * 2)
    model.reset_from(other)
    assert model.wv.key_to_index == other.wv.key_to_index
    np.testing.assert_array_equal(model.wv.expandos["count"], other.wv.expandos["count"])
    assert model.corpus_count == other.corpus_count
    assert not np.allclose(model.wv.vectors, other.wv.vectors)
    assert not model.syn1neg.any()
    model.train(CORPUS, total_examples=model.corpus_count, epochs=1)
    model.build_vocab([["brand", "new"]] * 3, update=True)
    assert "brand" not in other.wv and len(other.wv) == len(other.wv.vectors)


# ------------------------------------------------------------------ intersect_word2vec_format


def test_intersect_word2vec_format_merges_and_locks(tmp_path):
    model = Word2Vec(vector_size=12, min_count=1, workers=1, seed=5)
    model.build_vocab(CORPUS)
    source = KeyedVectors(12)
    shared = ["k0_1", "k1_2", "k3_7"]
    rng = np.random.default_rng(0)
    file_vectors = rng.normal(size=(5, 12)).astype(np.float32)
    source.add_vectors(shared + ["zz_only_in_file", "yy"], file_vectors)
    for binary in (False, True):
        path = tmp_path / f"v{int(binary)}"
        source.save_word2vec_format(path, binary=binary)
        before = model.wv.vectors.copy()
        model.wv.intersect_word2vec_format(path, lockf=0.0, binary=binary)
        rows = [model.wv.get_index(w) for w in shared]
        np.testing.assert_allclose(model.wv.vectors[rows], file_vectors[:3], rtol=1e-6)
        others = np.setdiff1d(np.arange(len(model.wv)), rows)
        np.testing.assert_array_equal(model.wv.vectors[others], before[others])
        assert "zz_only_in_file" not in model.wv
        assert model.wv.vectors_lockf.shape == (len(model.wv),)
        assert (model.wv.vectors_lockf[rows] == 0).all()
        assert (model.wv.vectors_lockf[others] == 1).all()
    merged = model.wv.vectors.copy()
    model.train(CORPUS, total_examples=len(CORPUS), epochs=1)
    np.testing.assert_array_equal(model.wv.vectors[rows], merged[rows])
    assert not np.any((model.wv.vectors[others] == merged[others]).all(axis=1))
    model.wv.intersect_word2vec_format(tmp_path / "v0", lockf=1.0)
    assert (model.wv.vectors_lockf == 1).all()
    with pytest.raises(ValueError, match="vector size 12"):
        KeyedVectors(8).intersect_word2vec_format(tmp_path / "v0")


# ------------------------------------------------------------------ wmdistance


def _trained_kv():
    return small_model(epochs=5).wv


@needs_pot
def test_wmdistance_properties():
    kv = _trained_kv()
    a = ["k0_1", "k0_2", "k0_3"]
    b = ["k1_1", "k1_2", "k0_3", "k2_4", "k1_5", "k1_6"]
    d = kv.wmdistance(a, b)
    assert d > 0
    assert d == pytest.approx(kv.wmdistance(b, a), rel=1e-9)
    assert kv.wmdistance(b, b) == 0.0
    assert kv.wmdistance(a, ["k0_1", "k0_2", "k0_4"]) < kv.wmdistance(a, ["k2_1", "k2_2", "k2_3"])
    assert kv.wmdistance(a, ["unknown"]) == float("inf")
    assert kv.wmdistance(["k0_1", "unknown"], ["k0_1"]) == 0.0


@needs_pot
@needs_gensim
@pytest.mark.parametrize("norm", [True, False])
def test_wmdistance_matches_gensim(norm):
    kv = _trained_kv()
    g = kv.to_gensim()
    docs = [
        ["k0_1", "k0_2", "k0_3", "k0_1"],
        ["k1_1", "k1_2", "k0_3", "k2_4", "unknown"],
        ["k3_0"],
        ["k3_0", "k3_1", "k2_2", "k1_3", "k0_4", "k3_5"],
    ]
    for x in docs:
        for y in docs:
            assert kv.wmdistance(x, y, norm=norm) == pytest.approx(
                g.wmdistance(x, y, norm=norm), rel=1e-6, abs=1e-9
            )


def test_wmdistance_without_pot_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ot", None)  # import ot now raises ImportError
    kv = KeyedVectors(2)
    kv.add_vectors(["a", "b"], np.eye(2, dtype=np.float32))
    with pytest.raises(ImportError, match=r"fastembed_core\[wmd\]"):
        kv.wmdistance(["a"], ["b"])


# ------------------------------------------------------------------ gensim's train() semantics


def test_both_output_layers_are_warned_about(caplog):
    with caplog.at_level(logging.WARNING, logger="fastembed_core"):
        small_model(hs=0, negative=5)
    assert "Both hierarchical softmax and negative sampling" not in caplog.text
    with caplog.at_level(logging.WARNING, logger="fastembed_core"):
        small_model(hs=1, negative=5)
    assert "Both hierarchical softmax and negative sampling are activated." in caplog.text


def _alpha_warnings(caplog):
    found = [r for r in caplog.records if "Effective 'alpha' higher" in r.getMessage()]
    caplog.clear()
    return len(found)


def test_rising_alpha_is_warned_about_as_gensim_does(caplog):
    with caplog.at_level(logging.WARNING, logger="fastembed_core"):
        model = small_model()
        assert _alpha_warnings(caplog) == 0  # the first training starts where alpha is
        assert model.min_alpha_yet_reached == pytest.approx(model.min_alpha)
        model.train(CORPUS, total_examples=len(CORPUS), epochs=1)
        assert _alpha_warnings(caplog) == 1  # a second call restarts from alpha
        model.train(CORPUS, total_examples=len(CORPUS), epochs=1, start_alpha=0.0001)
        assert _alpha_warnings(caplog) == 0
        assert model.alpha == 0.0001  # given rates become the model's, as in gensim
    with pytest.raises(ValueError, match="rise"):
        model.train(CORPUS, total_examples=len(CORPUS), epochs=1, start_alpha=0.00001)
    assert model.alpha == 0.0001  # a refused call changes nothing


@needs_gensim
def test_train_keeps_gensim_semantics_for_epochs_alpha_and_loss():
    from gensim.models import Word2Vec as GensimWord2Vec

    for cls, kw in ((Word2Vec, {"workers": 1}), (GensimWord2Vec, {})):
        model = cls(CORPUS, vector_size=8, min_count=1, epochs=2, compute_loss=True, **kw)
        assert model.get_latest_training_loss() > 0
        model.train(CORPUS, total_examples=len(CORPUS), epochs=4, start_alpha=0.02, end_alpha=1e-3)
        assert (model.epochs, model.alpha, model.min_alpha) == (4, 0.02, 1e-3), cls
        # compute_loss belongs to the call: not passed, no loss is recorded
        assert model.compute_loss is False and model.get_latest_training_loss() == 0.0, cls


def test_compute_loss_is_the_setting_of_each_call():
    model = small_model(compute_loss=True)
    assert len(model.epoch_losses) == model.epochs
    model.train(CORPUS, total_examples=len(CORPUS), epochs=2)
    assert model.epoch_losses == [] and model.get_latest_training_loss() == 0.0
    model.train(CORPUS, total_examples=len(CORPUS), epochs=2, compute_loss=True)
    assert len(model.epoch_losses) == 2 and model.get_latest_training_loss() > 0


# ------------------------------------------------------------------ exceptions and exact answers


def test_an_empty_vocabulary_is_a_runtime_error_as_in_gensim():
    for make in (
        lambda: Word2Vec([]),
        lambda: Word2Vec(CORPUS, min_count=10**6),
    ):
        with pytest.raises(RuntimeError) as caught:
            make()
        assert isinstance(caught.value, EmptyVocabularyError)
        assert isinstance(caught.value, ValueError)  # what earlier releases raised


def test_corpus_arguments_both_or_neither_are_type_errors_as_in_gensim(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b c\n" * 5)
    model = small_model()
    for call in (
        lambda: Word2Vec(CORPUS, corpus_file=str(path), min_count=1),
        lambda: model.train(CORPUS, corpus_file=str(path), total_examples=1, epochs=1),
        lambda: model.build_vocab(CORPUS, corpus_file=str(path)),
        lambda: model.train(total_examples=1, epochs=1),
        lambda: model.scan_vocab(),
    ):
        with pytest.raises(TypeError) as caught:
            call()
        assert isinstance(caught.value, CorpusArgumentError) and isinstance(
            caught.value, ValueError
        )


def test_training_vectors_assigned_from_a_file_is_a_value_error(tmp_path):
    path = tmp_path / "v.bin"
    small_model().wv.save_word2vec_format(path, binary=True)
    model = Word2Vec()
    model.wv = KeyedVectors.load_word2vec_format(path, binary=True)
    with pytest.raises(ValueError, match="syn1neg.*build_vocab"):
        model.train(CORPUS, total_examples=len(CORPUS), epochs=1)


def test_distance_from_a_key_to_itself_is_exactly_zero():
    kv = _trained_kv()
    assert all(kv.distance(w, w) == 0.0 for w in kv.index_to_key)
    assert all(kv.similarity(w, w) == 1.0 for w in kv.index_to_key)
    zero = KeyedVectors(3)
    zero.add_vectors(["z", "a"], np.array([[0, 0, 0], [1, 2, 3]], np.float32))
    assert zero.similarity("z", "z") == 0.0  # a zero vector is similar to nothing
    assert zero.distance("a", "z") == 1.0


def test_most_similar_cosmul_gives_the_same_answer_for_a_key_and_its_vector():
    """gensim's test_cosmul: querying by a key equals querying by its unit vector, once the
    key itself is taken out of the vector query's answer."""
    kv = _trained_kv()
    for word in ("k0_1", "k2_3", "k3_7"):
        by_key = kv.most_similar_cosmul(word, topn=10)
        by_vector = kv.most_similar_cosmul(positive=[kv.get_vector(word, norm=True)], topn=11)
        assert by_key == [(w, s) for w, s in by_vector if w != word][:10]


def test_unknown_keys_raise_key_error():
    kv = _trained_kv()
    for call in (
        lambda: kv.most_similar("not_in_vocab"),
        lambda: kv.most_similar_cosmul("not_in_vocab"),
        lambda: kv.distance("k0_1", "not_in_vocab"),
        lambda: kv["not_in_vocab"],
    ):
        with pytest.raises(KeyError):
            call()
