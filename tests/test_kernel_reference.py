"""The C kernel against the pure-Python reference in _reference.py: single updates, the
sigmoid rule, the RNG, and the whole training loop on tiny corpora."""

import threading
import time

import _reference as ref
import numpy as np
import pytest

from fastembed_core import _kernel

SIMD_PATHS = _kernel.simd_supported()
# Row lengths for the single updates: below one vector block, whole blocks, and remainders
# that take every branch of the vector paths' partial last block (8 and 16 floats wide); 120
# and 300 span several panels of 7 vectors (src/fe_vec_x86.h) on both widths, 120 ending on a
# whole block for 8 floats and on a partial one for 16.
ROW_LENGTHS = [5, 16, 27, 38, 100, 120, 300]


@pytest.fixture(params=SIMD_PATHS)
def simd(request):
    """Runs a test once per vector code path this CPU has (passed to every kernel call)."""
    return request.param


def weights(vocab=12, dim=7, seed=0, hs=True, scale=0.5):
    rng = np.random.default_rng(seed)
    w_in = ((rng.random((vocab, dim)) - 0.5) * scale).astype(np.float32)
    w_out = ((rng.random((vocab, dim)) - 0.5) * scale).astype(np.float32)
    w_hs = ((rng.random((vocab - 1, dim)) - 0.5) * scale).astype(np.float32) if hs else None
    return w_in, w_out, w_hs


def copies(*arrays):
    return [a.copy() if a is not None else None for a in arrays]


def assert_same_update(mine, theirs, loss, loss_ref):
    """The kernel's weights and loss after one update equal the reference's (float tolerance)."""
    for a, b in zip(mine, theirs):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert loss == pytest.approx(loss_ref, rel=1e-6)


def test_sigmoid_matches_table_rule():
    bins, max_exp = _kernel.sigmoid_table_params()
    assert (bins, max_exp) == (ref.BINS, ref.MAX_EXP)
    xs = np.concatenate([np.linspace(-7, 7, 4001), [-6.0, 6.0, -5.9999, 5.9999, 0.0]])
    got = np.array([_kernel.sigmoid(x) for x in xs])
    want = np.array([ref.table_sigmoid(x) for x in xs])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-7)
    inside = np.abs(xs) < 6
    # A table of 1024 bins over +-6 is within 0.0015 of the true sigmoid everywhere inside.
    assert np.max(np.abs(got[inside] - 1 / (1 + np.exp(-xs[inside])))) < 1.5e-3
    # Saturation rule: exactly 0 / 1 outside the range (full gradient for confident errors).
    assert _kernel.sigmoid(6.5) == 1.0 and _kernel.sigmoid(-6.5) == 0.0
    assert _kernel.sigmoid(float("nan")) == 0.0  # a diverged dot never indexes the table


@pytest.mark.parametrize("mode", ["ns", "hs", "both"])
@pytest.mark.parametrize("dim", ROW_LENGTHS)
def test_sg_step_matches_reference(simd, mode, dim):
    w_in, w_out, w_hs = weights(hs=mode != "ns", dim=dim)
    if mode == "hs":
        w_out = None
    counts = np.arange(12, 0, -1) * 3
    off, code, point = _kernel.huffman(counts)
    word, context = 4, 9
    neg = [1, 4, 7, 7, 0] if mode != "hs" else []  # includes the target: must be skipped
    c, p = (
        (code[off[word] : off[word + 1]], point[off[word] : off[word + 1]])
        if mode != "ns"
        else ([], [])
    )
    mine, theirs = copies(w_in, w_out, w_hs), copies(w_in, w_out, w_hs)
    loss = _kernel.sg_step(*mine, context, word, neg, c, p, alpha=0.1, want_loss=True, simd=simd)
    loss_ref = ref.sg_step(*theirs, context, word, neg, c, p, alpha=0.1)
    assert_same_update(mine, theirs, loss, loss_ref)
    assert not np.array_equal(mine[0], w_in), "the update must change the context row"


@pytest.mark.parametrize("want_loss", [True, False])
@pytest.mark.parametrize("mode", ["ns", "hs", "both"])
@pytest.mark.parametrize("dim", ROW_LENGTHS)
def test_sg_window_step_matches_reference(simd, mode, dim, want_loss):
    w_in, w_out, w_hs = weights(hs=mode != "ns", seed=8, dim=dim)
    if mode == "hs":
        w_out = None
    off, code, point = _kernel.huffman(np.arange(12, 0, -1) * 5)
    word, context = 6, [0, 3, 3, 11, 6]  # repeated word, and the centre's own input row
    neg = [2, 6, 9, 2, 1] if mode != "hs" else []  # the target (skipped) and a repeat
    c, p = (
        (code[off[word] : off[word + 1]], point[off[word] : off[word + 1]])
        if mode != "ns"
        else ([], [])
    )
    mine, theirs = copies(w_in, w_out, w_hs), copies(w_in, w_out, w_hs)
    loss = _kernel.sg_window_step(
        *mine, context, word, neg, c, p, alpha=0.2, want_loss=want_loss, simd=simd
    )
    loss_ref = ref.sg_window_step(*theirs, context, word, neg, c, p, alpha=0.2)
    assert_same_update(mine, theirs, loss, loss_ref if want_loss else 0.0)


@pytest.mark.parametrize(
    "n_neg, n_context",
    [(7, 6), (8, 6), (15, 6), (16, 6), (31, 6), (32, 6), (3, 33), (3, 40)],
)
def test_sg_window_step_sizes_match_reference(simd, n_neg, n_context):
    """The vector paths keep a window's gradient scales in registers while its outputs (the
    centre and its negatives here) fill at most two vectors (16 or 32 floats, the second one
    whole or partial) and it has at most 32 context rows, and take the general loops past
    that: both sides of each bound against the reference."""
    vocab = 64
    w_in, w_out, w_hs = weights(vocab=vocab, hs=False, seed=5, dim=38)
    rng = np.random.default_rng(n_neg * 100 + n_context)
    word = 7
    context = [int(x) for x in rng.integers(0, vocab, n_context)]
    neg = [int(x) for x in rng.choice(np.delete(np.arange(vocab), word), n_neg, replace=False)]
    mine, theirs = copies(w_in, w_out, w_hs), copies(w_in, w_out, w_hs)
    _kernel.sg_window_step(*mine, context, word, neg, [], [], alpha=0.1, simd=simd)
    ref.sg_window_step(*theirs, context, word, neg, [], [], alpha=0.1)
    assert_same_update(mine, theirs, 0.0, 0.0)


@pytest.mark.parametrize("code_len", [8, 9, 16, 17, 32, 33])
@pytest.mark.parametrize("mode", ["hs", "both"])
def test_sg_window_step_long_huffman_paths_match_reference(simd, mode, code_len):
    """Hierarchical softmax's outputs are the centre's Huffman path: on real vocabularies
    longer than one vector for most centres. Counts that halve from word to word give every
    path length up to 39, on both sides of the one- and two-vector bounds."""
    vocab = 40
    w_in, w_out, w_hs = weights(vocab=vocab, hs=True, seed=11, dim=38)
    if mode == "hs":
        w_out = None
    off, code, point = _kernel.huffman(2 ** np.arange(vocab - 1, -1, -1, dtype=np.int64))
    word = int(np.flatnonzero(np.diff(off) == code_len)[0])
    context = [0, 5, 5, 39, word, 17, 30]
    neg = [2, word, 9, 3] if mode == "both" else []
    c, p = code[off[word] : off[word + 1]], point[off[word] : off[word + 1]]
    mine, theirs = copies(w_in, w_out, w_hs), copies(w_in, w_out, w_hs)
    _kernel.sg_window_step(*mine, context, word, neg, c, p, alpha=0.2, simd=simd)
    ref.sg_window_step(*theirs, context, word, neg, c, p, alpha=0.2)
    assert_same_update(mine, theirs, 0.0, 0.0)


@pytest.mark.parametrize("mode", ["ns", "both"])
def test_sg_window_step_adjacent_repeated_outputs_match_reference(simd, mode):
    """A negative drawn several times in a row is as many output rows that are one row: each
    of their updates must land (a vector path that updated output rows in pairs from their
    old values would drop one)."""
    w_in, w_out, w_hs = weights(hs=mode != "ns", seed=3, dim=100)
    off, code, point = _kernel.huffman(np.arange(12, 0, -1) * 5)
    word, context, neg = 6, [0, 3, 11, 5, 8, 1], [2, 9, 9, 9, 4, 4, 1]
    c, p = (
        (code[off[word] : off[word + 1]], point[off[word] : off[word + 1]])
        if mode != "ns"
        else ([], [])
    )
    mine, theirs = copies(w_in, w_out, w_hs), copies(w_in, w_out, w_hs)
    _kernel.sg_window_step(*mine, context, word, neg, c, p, alpha=0.2, simd=simd)
    ref.sg_window_step(*theirs, context, word, neg, c, p, alpha=0.2)
    assert_same_update(mine, theirs, 0.0, 0.0)


@pytest.mark.parametrize("mode", ["ns", "hs", "both"])
def test_sg_window_step_is_its_pairs_in_order(simd, mode):
    """With no output and no context word listed twice, a window step is its (context,
    centre) pairs applied one after another with the window's negatives, gensim's order;
    scoring every pair from the rows as they were before the window (a block update) moves
    the rows elsewhere."""
    w_in, w_out, w_hs = weights(hs=mode != "ns", seed=8, dim=20, scale=2.0)
    if mode == "hs":
        w_out = None
    off, code, point = _kernel.huffman(np.arange(12, 0, -1) * 5)
    word, context, neg = 6, [0, 3, 11, 5], ([2, 9, 1] if mode != "hs" else [])
    c, p = (
        (code[off[word] : off[word + 1]], point[off[word] : off[word + 1]])
        if mode != "ns"
        else ([], [])
    )
    mine, pairs, block = (copies(w_in, w_out, w_hs) for _ in range(3))
    _kernel.sg_window_step(*mine, context, word, neg, c, p, alpha=0.2, simd=simd)
    for ctx in context:
        ref.sg_step(*pairs, ctx, word, neg, c, p, alpha=0.2)
    for a, b in zip(mine, pairs):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # the block update: every pair's gradient from the rows before the window
    in_before = w_in[context].astype(np.float64)
    outputs = [(block[2], n, 1.0 - b) for b, n in zip(c, p)]
    if w_out is not None:
        outputs += [(block[1], word, 1.0)] + [(block[1], n, 0.0) for n in neg]
    old = [mat[r].astype(np.float64) for mat, r, _ in outputs]
    for (mat, r, label), l2 in zip(outputs, old):
        g = (label - np.array([ref.table_sigmoid(f) for f in in_before @ l2])) * 0.2
        mat[r] = l2 + g @ in_before
        for row, gc in zip(context, g):
            block[0][row] += gc * l2
    moved = [
        b is not None and not np.allclose(a, b, rtol=1e-3, atol=1e-4) for a, b in zip(mine, block)
    ]
    assert moved[2 if mode == "hs" else 1], (
        "the centre's output rows must differ from a block update"
    )


@pytest.mark.parametrize("want_loss", [True, False])
@pytest.mark.parametrize("cbow_mean", [0, 1])
@pytest.mark.parametrize("mode", ["ns", "hs", "both"])
@pytest.mark.parametrize("dim", ROW_LENGTHS)
def test_cbow_step_matches_reference(simd, mode, cbow_mean, dim, want_loss):
    w_in, w_out, w_hs = weights(hs=mode != "ns", seed=3, dim=dim)
    if mode == "hs":
        w_out = None
    off, code, point = _kernel.huffman(np.arange(1, 13) ** 2)
    word, context = 2, [0, 5, 5, 11]  # repeated context word counts twice
    neg = [3, 8, 2, 10] if mode != "hs" else []
    c, p = (
        (code[off[word] : off[word + 1]], point[off[word] : off[word + 1]])
        if mode != "ns"
        else ([], [])
    )
    mine, theirs = copies(w_in, w_out, w_hs), copies(w_in, w_out, w_hs)
    loss = _kernel.cbow_step(
        *mine,
        context,
        word,
        neg,
        c,
        p,
        alpha=0.05,
        cbow_mean=cbow_mean,
        want_loss=want_loss,
        simd=simd,
    )
    loss_ref = ref.cbow_step(*theirs, context, word, neg, c, p, alpha=0.05, cbow_mean=cbow_mean)
    assert_same_update(mine, theirs, loss, loss_ref if want_loss else 0.0)


@pytest.mark.parametrize("model", ["sg", "cbow"])
def test_many_and_saturated_outputs_match_reference(simd, model):
    """Without the loss, the updates step all their outputs at once (vec_output_steps): more
    outputs than one vector holds (a 29-node Huffman path and 5 negatives), scores far beyond
    +-6 (saturated sigmoid) and inside it, against the reference."""
    vocab, dim = 30, 16
    w_in, w_out, w_hs = weights(vocab, dim, seed=5, scale=3.0)
    off, code, point = _kernel.huffman(2 ** np.arange(vocab, 0, -1, dtype=np.int64))
    word, context, neg = vocab - 1, [0, 7, 7, 12], [3, 8, 2, 29, 10]
    c, p = code[off[word] : off[word + 1]], point[off[word] : off[word + 1]]
    assert len(c) == vocab - 1  # a chain: the rarest word is deepest
    scores = np.hstack([w_in[context] @ w_hs[p].T, w_in[context] @ w_out[[word, *neg]].T])
    assert (scores > 6).any() and (scores < -6).any() and (np.abs(scores) < 6).any()
    mine, theirs = copies(w_in, w_out, w_hs), copies(w_in, w_out, w_hs)
    if model == "sg":
        loss = _kernel.sg_window_step(*mine, context, word, neg, c, p, alpha=0.1, simd=simd)
        ref.sg_window_step(*theirs, context, word, neg, c, p, alpha=0.1)
    else:
        loss = _kernel.cbow_step(*mine, context, word, neg, c, p, alpha=0.1, simd=simd)
        ref.cbow_step(*theirs, context, word, neg, c, p, alpha=0.1)
    assert loss == 0.0
    for a, b in zip(mine, theirs):  # float32 sums of ~35 terms of size ~1 against float64
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not np.array_equal(mine[2], w_hs)


def test_saturated_gradient_is_applied():
    # A confidently wrong prediction (dot far beyond 6) still moves the weights: the chosen
    # rule, unlike skipping such samples.
    w_in = np.full((2, 4), 2.0, np.float32)
    w_out = np.full((2, 4), -2.0, np.float32)  # dot = -16 for the positive pair
    _kernel.sg_step(w_in, w_out, None, 0, 1, [], alpha=0.1)
    # sigma(-16) is taken as 0, so g = (1 - 0) * alpha = 0.1 and both rows move by 0.1 * other.
    np.testing.assert_allclose(w_in[0], 2.0 + 0.1 * -2.0)
    np.testing.assert_allclose(w_out[1], -2.0 + 0.1 * 2.0)
    np.testing.assert_array_equal(w_in[1], 2.0)


def test_rng_matches_reference():
    got = _kernel.uniform32(1000, 12345)
    r = ref.SplitMix64.seeded(12345)
    want = np.array([r.next32() for _ in range(1000)], dtype=np.uint32)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "seed,first_row,n_rows,dim",
    [
        (1, 0, 2000, 100),
        (7, 5, 3, 7),
        (2**31, 17, 41, 300),
        (0, 0, 1, 1),
        (3, 0, 0, 4),
        (3, 0, 4, 0),
    ],
)
def test_init_rows_are_numpys_draws(seed, first_row, n_rows, dim):
    """The C fill from a PCG64 state gives NumPy's own floats bit for bit: Generator.random in
    float32, then * 2, - 1, / dim in place (what models drew their first weights with)."""
    bits = np.random.PCG64(np.random.SeedSequence([seed, first_row]))
    state = bits.state
    want = np.random.Generator(bits).random((n_rows, dim), dtype=np.float32)
    want *= 2.0
    want -= 1.0
    want /= max(dim, 1)
    got = _kernel.pcg64_init_rows(state, n_rows, dim)
    assert got.dtype == np.float32 and got.shape == (n_rows, dim)
    np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))


def test_init_rows_continue_a_stream_with_a_kept_half():
    """A state holding the upper half of a 64-bit draw (has_uint32) starts with that half."""
    bits = np.random.PCG64(5)
    gen = np.random.Generator(bits)
    gen.random(1, dtype=np.float32)  # one 32-bit draw: the other half is kept
    state = bits.state
    assert state["has_uint32"]
    want = gen.random((3, 5), dtype=np.float32) * np.float32(2) - np.float32(1)
    want /= 5
    got = _kernel.pcg64_init_rows(state, 3, 5)
    np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))


def test_init_rows_refuse_another_generator():
    with pytest.raises(ValueError, match="PCG64"):
        _kernel.pcg64_init_rows(np.random.MT19937(1).state, 2, 2)
    with pytest.raises(ValueError, match="non-negative"):
        _kernel.pcg64_init_rows(np.random.PCG64(1).state, -1, 2)


def _tables(counts, ns_exponent=0.75):
    w = np.asarray(counts, np.float64) ** ns_exponent
    return _kernel.alias_build(w)


@pytest.mark.parametrize("sg,shared", [(0, True), (1, True), (1, False)])
@pytest.mark.parametrize("hs,negative", [(0, 3), (1, 0), (1, 2)])
def test_training_loop_matches_reference(simd, sg, shared, hs, negative):
    """The full loop (subsampling, dynamic windows, sentence boundaries, negatives drawn
    from the alias table, alpha schedule) equals the Python reference bit for bit in its
    random choices and to float tolerance in its weights."""
    rng = np.random.default_rng(7)
    vocab, dim = 9, 5
    counts = np.sort(rng.integers(1, 60, vocab))[::-1].astype(np.int64)
    lengths = [0, 1, 7, 30, 2, 15]
    ids = np.concatenate([rng.integers(0, vocab, n) for n in lengths]).astype(np.uint32)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    w_in, w_out, w_hs = weights(vocab, dim, seed=1, hs=bool(hs), scale=1.0)
    w_out = w_out if negative else None
    alias = _tables(counts) if negative else None
    keep = (np.linspace(0.3, 1.0, vocab) * 4294967295).astype(np.uint32)
    hs_tables = _kernel.huffman(counts) if hs else None
    settings = dict(
        sg=sg,
        window=3,
        negative=negative,
        shrink_windows=True,
        cbow_mean=1,
        alpha=0.05,
        min_alpha=0.001,
        shared_negatives=shared,
    )
    theirs = [a.copy() if a is not None else None for a in (w_in, w_out, w_hs)]
    words_ref, eff_ref = ref.train_range(
        *theirs,
        ids,
        offsets,
        99,
        alias=alias,
        keep=keep,
        hs_tables=hs_tables,
        total_words=len(ids),
        **settings,
    )
    mine = [a.copy() if a is not None else None for a in (w_in, w_out, w_hs)]
    off, code, point = hs_tables if hs else (None, None, None)
    run = _kernel.TrainingRun(
        *mine,
        hs=hs,
        compute_loss=False,
        keep_threshold=keep,
        alias=alias,
        hs_offset=off,
        hs_code=code,
        hs_point=point,
        total_words=len(ids),
        simd=simd,
        **settings,
    )
    assert run.simd == simd
    run.set_corpus(ids, offsets)
    status, words, eff, _ = run.train_range(0, len(lengths), 99)
    assert status == 0
    assert (words, eff) == (words_ref, eff_ref)
    assert 0 < eff < words
    for a, b in zip(mine, theirs):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_long_sentence_is_trained_whole(simd):
    """A sentence longer than the kernel's buffer is processed in overlapping pieces, with
    the same result as the reference that holds it whole (no token lost, windows intact)."""
    rng = np.random.default_rng(3)
    vocab, dim, n = 6, 4, 12000
    ids = rng.integers(0, vocab, n).astype(np.uint32)
    offsets = np.array([0, n], np.int64)
    counts = np.bincount(ids, minlength=vocab).astype(np.int64)
    alias = _tables(counts)
    w_in, w_out, _ = weights(vocab, dim, seed=5, hs=False, scale=0.2)
    settings = dict(
        sg=1,
        window=2,
        negative=1,
        shrink_windows=False,
        cbow_mean=1,
        shared_negatives=False,
        alpha=0.01,
        min_alpha=0.01,
    )  # constant: the schedule is tested above
    theirs = [w_in.copy(), w_out.copy(), None]
    # kept_cap of the reference is huge: it keeps the sentence whole.
    words_ref, eff_ref = ref.train_range(
        *theirs,
        ids,
        offsets,
        5,
        alias=alias,
        keep=None,
        hs_tables=None,
        total_words=n,
        kept_cap=10**9,
        **settings,
    )
    mine = [w_in.copy(), w_out.copy(), None]
    run = _kernel.TrainingRun(
        *mine,
        hs=0,
        compute_loss=False,
        keep_threshold=None,
        alias=alias,
        hs_offset=None,
        hs_code=None,
        hs_point=None,
        total_words=n,
        simd=simd,
        **settings,
    )
    run.set_corpus(ids, offsets)
    status, words, eff, _ = run.train_range(0, 1, 5)
    assert (words, eff) == (n, n) == (words_ref, eff_ref)
    np.testing.assert_allclose(mine[0], theirs[0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(mine[1], theirs[1], rtol=1e-4, atol=1e-5)


def test_simd_paths_agree():
    """Every available path gives the same training result to float tolerance."""
    results = []
    for path in SIMD_PATHS:
        w_in, w_out, _ = weights(50, 100, seed=11, hs=False)
        for i in range(40):
            _kernel.sg_step(
                w_in,
                w_out,
                None,
                i % 50,
                (i * 7) % 50,
                [(i * 3) % 50, 1, 2],
                alpha=0.05,
                simd=path,
            )
        results.append(w_in)
    for r in results[1:]:
        np.testing.assert_allclose(r, results[0], rtol=1e-5, atol=1e-6)


def _small_run(simd, sentences=40):
    """A skip-gram run of a few hundred words, its weights, and the encoded corpus."""
    rng = np.random.default_rng(21)
    vocab, dim = 30, 37  # a partial last block on every path
    lengths = [12] * sentences
    ids = rng.integers(0, vocab, sum(lengths)).astype(np.uint32)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    w_in, w_out, _ = weights(vocab, dim, seed=4, hs=False)
    run = _kernel.TrainingRun(
        w_in,
        w_out,
        None,
        sg=1,
        hs=0,
        negative=3,
        window=3,
        cbow_mean=1,
        shrink_windows=True,
        compute_loss=False,
        alpha=0.05,
        min_alpha=0.001,
        keep_threshold=None,
        alias=_tables(np.arange(vocab, 0, -1)),
        hs_offset=None,
        hs_code=None,
        hs_point=None,
        total_words=len(ids),
        simd=simd,
    )
    run.set_corpus(ids, offsets)
    return run, w_in, len(lengths)


def test_each_run_keeps_its_own_path():
    """A run trains on the path it was set up with, whatever runs set up later chose: no
    process-wide switch. The scalar run's result is bit for bit that of a scalar run alone."""
    if len(SIMD_PATHS) < 2:
        pytest.skip("only the scalar path on this CPU")
    alone, w_alone, n = _small_run("scalar")
    alone.train_range(0, n, 3)
    first, w_first, _ = _small_run("scalar")
    other, w_other, _ = _small_run(SIMD_PATHS[-1])
    assert (first.simd, other.simd) == ("scalar", SIMD_PATHS[-1])
    other.train_range(0, n, 3)
    first.train_range(0, n, 3)
    np.testing.assert_array_equal(w_first, w_alone)
    # the vector path rounds differently: were it used for both, they would be equal
    assert not np.array_equal(w_other, w_alone)


def test_environment_forces_the_path(monkeypatch):
    """FASTEMBED_SIMD picks the path of runs set up afterwards (how the suite tests each)."""
    for path in SIMD_PATHS:
        monkeypatch.setenv("FASTEMBED_SIMD", path)
        assert _kernel.simd_path() == path
        run, _, _ = _small_run(None)
        assert run.simd == path
    monkeypatch.setenv("FASTEMBED_SIMD", "auto")
    assert _kernel.simd_path() == SIMD_PATHS[-1]


def test_unsupported_or_unknown_path_is_refused():
    with pytest.raises(ValueError, match="unknown SIMD path"):
        _small_run("sse9")
    missing = [p for p in ("avx2", "avx512") if p not in SIMD_PATHS]
    for path in missing:
        with pytest.raises(ValueError, match="not supported"):
            _small_run(path)


# ---- the driver refuses what would let C read or write outside its arrays (audit A<n>) -----


def _run_args(vocab, **kw):
    """Keyword arguments of a small negative-sampling skip-gram TrainingRun."""
    args = dict(
        sg=1,
        hs=0,
        negative=3,
        window=3,
        cbow_mean=1,
        shrink_windows=True,
        compute_loss=False,
        alpha=0.05,
        min_alpha=0.001,
        keep_threshold=None,
        alias=_tables(np.arange(vocab, 0, -1)),
        hs_offset=None,
        hs_code=None,
        hs_point=None,
        total_words=10**6,
        simd="scalar",
    )
    args.update(kw)
    return args


def test_a4_set_corpus_is_refused_while_train_range_runs():
    """Replacing the corpus would free the arrays a running kernel reads."""
    vocab = 30
    w_in, w_out, _ = weights(vocab, 8, seed=1, hs=False)
    run = _kernel.TrainingRun(w_in, w_out, None, progress_batch=256, **_run_args(vocab))
    ids = np.random.default_rng(0).integers(0, vocab, 20_000_000).astype(np.uint32)
    run.set_corpus(ids, np.arange(0, len(ids) + 1, 1000, dtype=np.int64))
    del ids
    results = []
    worker = threading.Thread(target=lambda: results.append(run.train_range(0, 20_000, 1)))
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while run.words_done == 0 and worker.is_alive() and time.monotonic() < deadline:
            time.sleep(0.001)
        assert worker.is_alive(), "training ended before set_corpus could be tried"
        with pytest.raises(RuntimeError, match="while train_range"):
            run.set_corpus(np.zeros(1, np.uint32), np.array([0, 1], np.int64))
    finally:
        run.request_stop()
        worker.join()
    assert results and results[0][0] == 1  # stopped on request, having trained its corpus
    run.clear_stop()
    run.set_corpus(np.zeros(1, np.uint32), np.array([0, 1], np.int64))  # allowed once idle


def test_a5_training_run_cannot_be_set_up_twice():
    """A second __init__ would replace the buffers running kernels point into."""
    vocab = 10
    w_in, w_out, _ = weights(vocab, 4, hs=False)
    run = _kernel.TrainingRun(w_in, w_out, None, **_run_args(vocab))
    with pytest.raises(RuntimeError, match="already set up"):
        run.__init__(w_in, w_out, None, **_run_args(vocab))


def test_a7_alias_entries_must_name_words_of_the_vocabulary():
    vocab = 10
    w_in, w_out, _ = weights(vocab, 4, hs=False)
    alias = _tables(np.ones(vocab)).copy()
    alias[3] = (np.uint64(vocab) << np.uint64(32)) | (alias[3] & np.uint64(0xFFFFFFFF))
    with pytest.raises(ValueError, match="entry 3 names a word beyond the vocabulary"):
        _kernel.TrainingRun(w_in, w_out, None, **_run_args(vocab, alias=alias))


def test_a12_a_table_given_as_bytearray_cannot_be_resized_under_the_run():
    vocab = 12
    w_in, _, w_hs = weights(vocab, 4)
    off, code, point = _kernel.huffman(np.arange(1, vocab + 1))
    code_bytes = bytearray(code.tobytes())
    run = _kernel.TrainingRun(
        w_in,
        None,
        w_hs,
        **_run_args(
            vocab, hs=1, negative=0, alias=None, hs_offset=off, hs_code=code_bytes, hs_point=point
        ),
    )
    with pytest.raises(BufferError):
        code_bytes.extend(b"\0" * 4096)
    run.set_corpus(np.arange(vocab, dtype=np.uint32), np.array([0, vocab], np.int64))
    assert run.train_range(0, 1, 1)[1] == vocab


def test_a13_train_range_before_set_corpus_is_refused():
    vocab = 10
    w_in, w_out, _ = weights(vocab, 4, hs=False)
    run = _kernel.TrainingRun(w_in, w_out, None, hot_rows=8, **_run_args(vocab))
    with pytest.raises(RuntimeError, match="set_corpus"):
        run.train_range(0, 0, 1)


def test_a14_alias_draw_needs_a_table():
    with pytest.raises(ValueError, match="alias table of 1"):
        _kernel.alias_draw(np.zeros(0, np.uint64), 10, 1)
    assert set(_kernel.alias_draw(_tables(np.ones(3)), 100, 1).tolist()) <= {0, 1, 2}


def _one_worker_with_copies(vocab, dim, n_ids, weight_seed, sg=0, hs=False, **copies):
    """(w_in, w_out) after one worker trains a random corpus of n_ids words over weights
    drawn with weight_seed, with the private-copy settings ``copies`` (hot_rows, ...); with
    ``hs``, hierarchical softmax instead of negatives, and w_out is the tree's nodes."""
    rng = np.random.default_rng(weight_seed + 4)
    ids = rng.integers(0, vocab, n_ids).astype(np.uint32)
    offsets = np.arange(0, n_ids + 1, n_ids // 30, dtype=np.int64)
    w_in, w_out, w_hs = weights(vocab, dim, seed=weight_seed, hs=hs)
    if hs:
        off, code, point = _kernel.huffman(np.arange(vocab, 0, -1))
        loss = dict(hs=1, negative=0, alias=None, hs_offset=off, hs_code=code, hs_point=point)
        run = _kernel.TrainingRun(w_in, None, w_hs, **copies, **_run_args(vocab, sg=sg, **loss))
        w_out = w_hs
    else:
        run = _kernel.TrainingRun(w_in, w_out, None, **copies, **_run_args(vocab, sg=sg))
    run.set_corpus(ids, offsets)
    assert run.train_range(0, len(offsets) - 1, 9)[1] == n_ids
    return w_in, w_out


@pytest.mark.parametrize("sg", [0, 1])
@pytest.mark.parametrize("hs", [False, True])
@pytest.mark.parametrize("hot_rows, merge_words", [(8, 0), (40, 700), (40, 10**9)])
def test_private_rows_train_like_shared_ones_with_one_worker(sg, hs, hot_rows, merge_words):
    """One worker with private copies of some rows (hot_rows < vocab) or of the whole model
    (hot_rows = vocab), merged every merge_words words or only at the end, computes what it
    computes on the shared weights, to float rounding: every change to a copy is merged back
    once. With hierarchical softmax the copies are of the top of the tree."""
    in_shared, out_shared = _one_worker_with_copies(40, 16, 6000, 1, sg=sg, hs=hs)
    in_private, out_private = _one_worker_with_copies(
        40,
        16,
        6000,
        1,
        sg=sg,
        hs=hs,
        hot_rows=hot_rows,
        hot_hs_nodes=hot_rows if hs else 0,
        hot_merge_words=merge_words,
    )
    assert np.abs(in_shared - weights(40, 16, seed=1, hs=False)[0]).max() > 0.05
    np.testing.assert_allclose(in_private, in_shared, atol=1e-4)
    np.testing.assert_allclose(out_private, out_shared, atol=1e-4)


@pytest.mark.parametrize("scale", [0.5, 0.25])
def test_a_merge_adds_its_scale_of_the_copys_change(scale):
    """One worker with a replica merged only at the end: its copy trains as the shared rows
    would, and the merge adds ``scale`` times the change (averaged replicas use 1/workers)."""
    replica = dict(hot_rows=30, hot_merge_words=10**9)
    full_in, full_out = _one_worker_with_copies(30, 8, 3000, 2, **replica)
    part_in, part_out = _one_worker_with_copies(30, 8, 3000, 2, hot_merge_scale=scale, **replica)
    start_in, start_out, _ = weights(30, 8, seed=2, hs=False)
    assert np.abs(full_in - start_in).max() > 0.05
    np.testing.assert_allclose(part_in, start_in + scale * (full_in - start_in), atol=1e-6)
    np.testing.assert_allclose(part_out, start_out + scale * (full_out - start_out), atol=1e-6)


def test_the_top_of_the_huffman_tree_is_a_private_copy():
    """With hierarchical softmax, hot_hs_nodes = k copies the k nodes at the top of the tree
    (the last k rows of w_hs, the root last). Merged only at the end, at scale 1/2: exactly
    those nodes move by half of what they move at scale 1; the nodes below are not copies,
    so they train the same in both runs."""
    copies = dict(hot_hs_nodes=8, hot_merge_words=10**9)
    _, full = _one_worker_with_copies(30, 8, 3000, 2, hs=True, **copies)
    _, half = _one_worker_with_copies(30, 8, 3000, 2, hs=True, hot_merge_scale=0.5, **copies)
    start = weights(30, 8, seed=2)[2]
    top, below = slice(29 - 8, 29), slice(0, 29 - 8)
    assert np.abs(full[top] - start[top]).max() > 0.05
    np.testing.assert_allclose(half[top], start[top] + 0.5 * (full[top] - start[top]), atol=1e-6)
    assert np.abs(full[below] - start[below]).max() > 0.05
    np.testing.assert_array_equal(half[below], full[below])


def test_the_tree_copies_merge_at_their_own_scale():
    """hot_hs_merge_scale applies to the copies of the tree's nodes alone (skip-gram merges
    them as the mean of the workers' copies): merged only at the end at 1/2, the top nodes
    move by half of what they move at 1, while the words' copied rows train as at 1."""
    copies = dict(hot_rows=8, hot_hs_nodes=8, hot_merge_words=10**9)
    full_in, full = _one_worker_with_copies(30, 8, 3000, 2, hs=True, **copies)
    half_in, half = _one_worker_with_copies(
        30, 8, 3000, 2, hs=True, hot_hs_merge_scale=0.5, **copies
    )
    start = weights(30, 8, seed=2)[2]
    top = slice(29 - 8, 29)
    assert np.abs(full[top] - start[top]).max() > 0.05
    np.testing.assert_allclose(half[top], start[top] + 0.5 * (full[top] - start[top]), atol=1e-6)
    np.testing.assert_array_equal(half_in, full_in)


@pytest.mark.parametrize("scale", [0.0, -1.0, 1.5, float("nan")])
def test_merge_scale_must_be_a_fraction(scale):
    w_in, w_out, _ = weights(10, 4, hs=False)
    with pytest.raises(ValueError, match="hot_merge_scale"):
        _kernel.TrainingRun(w_in, w_out, None, hot_rows=4, hot_merge_scale=scale, **_run_args(10))
    with pytest.raises(ValueError, match="hot_hs_merge_scale must be in"):
        _kernel.TrainingRun(w_in, w_out, None, hot_hs_merge_scale=scale, **_run_args(10))


def test_the_number_of_copied_tree_nodes_must_not_be_negative():
    w_in, _, w_hs = weights(10, 4)
    off, code, point = _kernel.huffman(np.arange(10, 0, -1))
    loss = dict(hs=1, negative=0, alias=None, hs_offset=off, hs_code=code, hs_point=point)
    with pytest.raises(ValueError, match="hot_hs_nodes must be >= 0; got -1"):
        _kernel.TrainingRun(w_in, None, w_hs, hot_hs_nodes=-1, **_run_args(10, **loss))


def test_merge_period_must_not_be_negative():
    w_in, w_out, _ = weights(10, 4, hs=False)
    with pytest.raises(ValueError, match="hot_merge_words"):
        _kernel.TrainingRun(w_in, w_out, None, hot_rows=4, hot_merge_words=-1, **_run_args(10))
