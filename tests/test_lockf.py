"""Lock factors (gensim's ``wv.vectors_lockf``): the kernel scales every update of input row r
by lockf[r % len(lockf)], against the NumPy reference, and Word2Vec passes them on."""

import _reference as ref
import numpy as np
import pytest

from fastembed_core import Word2Vec, _kernel

SIMD_PATHS = _kernel.simd_supported()
# Per-row factors (frozen, halved, free, doubled) and a short array that wraps around.
LOCKS = {
    "per_row": np.array([0, 0.5, 1, 2, 0, 1, 0.5, 0, 1, 1, 0.25, 0], np.float32),
    "wrapping": np.array([1, 0, 0.5], np.float32),
}


@pytest.fixture(params=SIMD_PATHS)
def simd(request):
    return request.param


def _weights(seed, vocab=12, dim=19):
    rng = np.random.default_rng(seed)
    return [(rng.random((n, dim)) - 0.5).astype(np.float32) for n in (vocab, vocab, vocab - 1)]


def _path(word, counts):
    off, code, point = _kernel.huffman(counts)
    return code[off[word] : off[word + 1]], point[off[word] : off[word + 1]]


@pytest.mark.parametrize("lock", sorted(LOCKS))
@pytest.mark.parametrize("step", ["sg", "sg_window", "cbow_mean", "cbow_sum"])
def test_steps_scale_input_updates_by_lock_factor(simd, step, lock):
    lockf = LOCKS[lock]
    w = _weights(seed=5)
    code, point = _path(3, np.arange(12, 0, -1) * 4)
    neg = [1, 7, 3, 9]
    context = [0, 1, 2, 5, 10, 11]
    mine, theirs = [a.copy() for a in w], [a.copy() for a in w]
    if step == "sg":
        for c in context:
            _kernel.sg_step(*mine, c, 3, neg, code, point, alpha=0.3, simd=simd, lockf=lockf)
            ref.sg_step(*theirs, c, 3, neg, code, point, alpha=0.3, lockf=lockf)
    elif step == "sg_window":
        _kernel.sg_window_step(*mine, context, 3, neg, code, point, 0.3, simd=simd, lockf=lockf)
        ref.sg_window_step(*theirs, context, 3, neg, code, point, 0.3, lockf=lockf)
    else:
        mean = int(step == "cbow_mean")
        _kernel.cbow_step(
            *mine, context, 3, neg, code, point, 0.3, cbow_mean=mean, simd=simd, lockf=lockf
        )
        ref.cbow_step(*theirs, context, 3, neg, code, point, 0.3, cbow_mean=mean, lockf=lockf)
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    frozen = [c for c in context if lockf[c % len(lockf)] == 0]
    moving = [c for c in context if lockf[c % len(lockf)] != 0]
    assert frozen and moving
    # a factor of 0 leaves the row bit for bit as it was; the output rows train regardless
    assert np.array_equal(mine[0][frozen], w[0][frozen])
    assert not np.any((mine[0][moving] == w[0][moving]).all(axis=1))
    assert not np.array_equal(mine[1], w[1]) and not np.array_equal(mine[2], w[2])


def test_half_factor_halves_the_update(simd):
    """With the outputs the same, a factor of 0.5 moves the input row by half the step."""
    w = _weights(seed=2)
    code, point = _path(4, np.arange(12, 0, -1))
    free, half = [a.copy() for a in w], [a.copy() for a in w]
    _kernel.sg_step(*free, 6, 4, [1, 2], code, point, alpha=0.2, simd=simd)
    _kernel.sg_step(*half, 6, 4, [1, 2], code, point, alpha=0.2, simd=simd, lockf=[0.5])
    np.testing.assert_allclose(half[0][6] - w[0][6], 0.5 * (free[0][6] - w[0][6]), rtol=1e-5)
    np.testing.assert_array_equal(half[1], free[1])


@pytest.mark.parametrize("sg", [0, 1])
def test_training_loop_with_lock_factors_matches_reference(simd, sg):
    rng = np.random.default_rng(11)
    vocab, dim = 9, 6
    counts = np.sort(rng.integers(1, 60, vocab))[::-1].astype(np.int64)
    lengths = [5, 12, 3, 20]
    ids = np.concatenate([rng.integers(0, vocab, n) for n in lengths]).astype(np.uint32)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    lockf = np.array([0, 1, 0.5, 1], np.float32)
    w_in, w_out, w_hs = (
        (rng.random((n, dim)) - 0.5).astype(np.float32) for n in (vocab, vocab, vocab - 1)
    )
    hs_tables = _kernel.huffman(counts)
    alias = _kernel.alias_build(counts.astype(np.float64) ** 0.75)
    settings = dict(sg=sg, window=2, negative=2, shrink_windows=True, cbow_mean=1, alpha=0.05)
    theirs = [w_in.copy(), w_out.copy(), w_hs.copy()]
    ref.train_range(
        *theirs,
        ids,
        offsets,
        7,
        alias=alias,
        keep=None,
        hs_tables=hs_tables,
        min_alpha=0.001,
        total_words=len(ids),
        lockf=lockf,
        **settings,
    )
    mine = [w_in.copy(), w_out.copy(), w_hs.copy()]
    run = _kernel.TrainingRun(
        *mine,
        hs=1,
        compute_loss=False,
        min_alpha=0.001,
        keep_threshold=None,
        alias=alias,
        hs_offset=hs_tables[0],
        hs_code=hs_tables[1],
        hs_point=hs_tables[2],
        total_words=len(ids),
        simd=simd,
        lockf=lockf,
        **settings,
    )
    run.set_corpus(ids, offsets)
    assert run.train_range(0, len(lengths), 7)[0] == 0
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert np.array_equal(mine[0][::4], w_in[::4])  # rows 0, 4, 8: factor 0


@pytest.mark.parametrize("bad", [[], [[1.0]], ["a"], [np.nan], [1.0, np.inf]])
def test_bad_lock_factors_are_refused_before_the_kernel(bad):
    w = _weights(seed=1)
    with pytest.raises((ValueError, TypeError), match="vectors_lockf"):
        _kernel.sg_step(*w, 1, 2, [3], lockf=np.asarray(bad))


def _corpus():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    return [[str(w) for w in rng.choice(words, 12)] for _ in range(300)]


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("sg,hs", [(1, 0), (0, 0), (1, 1)])
def test_word2vec_leaves_locked_rows_untouched(workers, sg, hs):
    """Rows whose factor is 0 stay bit-identical through training (with two workers the
    most frequent rows go through the workers' private copies, which must respect it too),
    and the other rows train."""
    corpus = _corpus()
    model = Word2Vec(vector_size=16, min_count=1, sg=sg, hs=hs, workers=workers, seed=3)
    model.build_vocab(corpus)
    n = len(model.wv)
    lockf = np.ones(n, np.float32)
    locked = np.arange(0, n, 3)  # includes row 0, the most frequent word (a hot row)
    lockf[locked] = 0.0
    model.wv.vectors_lockf = lockf
    before = model.wv.vectors.copy()
    model.train(corpus, total_examples=len(corpus), epochs=3)
    after = model.wv.vectors
    assert np.array_equal(after[locked], before[locked])
    free = np.setdiff1d(np.arange(n), locked)
    assert not np.any((after[free] == before[free]).all(axis=1))


def test_word2vec_default_lock_factors_change_nothing():
    """The default ones(1), like gensim's, trains exactly as without lock factors."""
    corpus = _corpus()
    a = Word2Vec(corpus, vector_size=8, min_count=1, workers=1, seed=5)
    b = Word2Vec(vector_size=8, min_count=1, workers=1, seed=5)
    b.build_vocab(corpus)
    assert b.wv.vectors_lockf.tolist() == [1.0]
    b.wv.vectors_lockf = np.full(len(b.wv), 0.5, np.float32)
    b.wv.vectors_lockf[:] = 1.0
    b.train(corpus, total_examples=len(corpus), epochs=b.epochs)
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)


def test_word2vec_lock_factors_survive_a_vocabulary_update():
    corpus = _corpus()
    model = Word2Vec(corpus, vector_size=8, min_count=1, workers=1, epochs=1)
    n = len(model.wv)
    model.wv.vectors_lockf = np.zeros(n, np.float32)
    frozen = model.wv.vectors.copy()
    model.build_vocab([["fresh", "words", "w0"]] * 3, update=True)
    assert model.wv.vectors_lockf.tolist() == [0.0] * n + [1.0] * 2
    model.train([["fresh", "words", "w0"]] * 20, total_examples=20, epochs=2)
    assert np.array_equal(model.wv.vectors[:n], frozen)


def test_word2vec_refuses_bad_lock_factors():
    corpus = _corpus()
    model = Word2Vec(vector_size=8, min_count=1, workers=1)
    model.build_vocab(corpus)
    model.wv.vectors_lockf = np.array([1.0, np.nan])
    with pytest.raises(ValueError, match="vectors_lockf"):
        model.train(corpus, total_examples=len(corpus), epochs=1)


def test_lock_factors_are_saved_with_the_model(tmp_path):
    corpus = _corpus()
    model = Word2Vec(corpus, vector_size=8, min_count=1, workers=1, epochs=1)
    lockf = np.ones(len(model.wv), np.float32)
    lockf[::2] = 0.0
    model.wv.vectors_lockf = lockf
    model.save(tmp_path / "m")
    loaded = Word2Vec.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.wv.vectors_lockf, lockf)
    frozen = loaded.wv.vectors[::2].copy()
    loaded.train(corpus, total_examples=len(corpus), epochs=1)
    np.testing.assert_array_equal(loaded.wv.vectors[::2], frozen)
    # without locked rows nothing extra is written, and the default comes back
    Word2Vec(corpus, vector_size=8, min_count=1, workers=1, epochs=1).save(tmp_path / "d")
    assert Word2Vec.load(tmp_path / "d").wv.vectors_lockf.tolist() == [1.0]


def test_lock_factors_are_saved_with_the_vectors(tmp_path):
    # KeyedVectors.save kept only the vectors: rows frozen with intersect_word2vec_format
    # came back free after a save and load of the vectors alone.
    from fastembed_core import KeyedVectors

    model = Word2Vec(_corpus(), vector_size=8, min_count=1, workers=1, epochs=1)
    lockf = np.ones(len(model.wv), np.float32)
    lockf[1::3] = 0.25
    model.wv.vectors_lockf = lockf
    model.wv.save(tmp_path / "v")
    np.testing.assert_array_equal(KeyedVectors.load(tmp_path / "v").vectors_lockf, lockf)
