"""Doc2Vec: the kernel's document loop and the inference kernel against NumPy references,
gensim's parameters, planted topics that training must recover, inference, save/load, and
the errors bad input gets."""


import _reference as ref
import numpy as np
import pytest

from fastembed_core import _kernel

SIMD_PATHS = _kernel.simd_supported()


@pytest.fixture(params=SIMD_PATHS)
def simd(request):
    return request.param


# ---- the kernel's document loop against a reference ------------------------------------


def reference_documents(
    w_in, w_out, w_hs, ids, offsets, doc_offsets, doc_rows, seed, *, sg, dbow_words, shared,
    window, negative, alias, keep, hs_tables, cbow_mean, alpha, min_alpha, total_words,
    progress_batch,
):  # fmt: skip
    """src/fe_train.h, "Documents", written out for one worker: the words loop of
    _reference.train_range with each document's tag rows joining the inputs of every centre
    (PV-DM: CBOW over words and tags; PV-DBOW: the tags, and with dbow_words the window's
    words, predict the centre). Draws in the kernel's order: a subsampling draw per word,
    a window draw per centre, the negatives of each prediction."""
    rng = ref.SplitMix64.seeded(seed)
    state = {"done": 0, "unsynced": 0, "alpha": alpha}

    def sync():
        state["done"] += state["unsynced"]
        state["unsynced"] = 0
        progress = min(state["done"] / total_words, 1.0)
        state["alpha"] = max(np.float32(alpha - (alpha - min_alpha) * progress), min_alpha)

    def target_of(word):
        neg = [ref.alias_draw(alias, rng) for _ in range(negative)] if negative else []
        code, point = (), ()
        if hs_tables is not None:
            off, codes, points = hs_tables
            code, point = codes[off[word] : off[word + 1]], points[off[word] : off[word + 1]]
        return neg, code, point

    words_in = not sg or dbow_words
    sync()
    for s in range(len(offsets) - 1):
        tags = [int(r) for r in doc_rows[doc_offsets[s] : doc_offsets[s + 1]]]
        kept = []
        for word in ids[offsets[s] : offsets[s + 1]]:
            state["unsynced"] += 1
            if state["unsynced"] >= progress_batch:
                sync()
            if rng.next32() > keep[word]:
                continue
            kept.append(int(word))
        for i, centre in enumerate(kept):
            reach = window - rng.below(window)
            lo, hi = max(i - reach, 0), min(i + reach + 1, len(kept))
            ctx = [kept[c] for c in range(lo, hi) if c != i] if words_in else []
            inputs = ctx + tags
            if not inputs:
                continue
            a = state["alpha"]
            if sg and not shared:  # one step per pair, the words first, then each tag
                for row in inputs:
                    ref.sg_step(w_in, w_out, w_hs, row, centre, *target_of(centre), a)
            elif sg:
                ref.sg_window_step(w_in, w_out, w_hs, inputs, centre, *target_of(centre), a)
            else:
                ref.cbow_step(w_in, w_out, w_hs, inputs, centre, *target_of(centre), a, cbow_mean)


def document_corpus(rng, n_words, n_tags):
    """Documents of 0 to 14 words with 0 to 3 tag rows each (a tag repeated in one of them)."""
    lengths = [6, 0, 1, 14, 9, 3, 11]
    ids = np.concatenate([rng.integers(0, n_words, n) for n in lengths]).astype(np.uint32)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    tags = [[0], [1], [2, 3], [], [4, 0, 4], [5], [1, 6]]
    doc_offsets = np.concatenate([[0], np.cumsum([len(t) for t in tags])]).astype(np.int64)
    doc_rows = np.array([n_words + r for t in tags for r in t], np.uint32)
    assert doc_rows.max() < n_words + n_tags
    return ids, offsets, doc_offsets, doc_rows


@pytest.mark.parametrize(
    "sg,dbow_words,shared,cbow_mean",
    [(0, 0, True, 1), (0, 0, True, 0), (1, 0, True, 1), (1, 1, True, 1), (1, 1, False, 1)],
    ids=["dm-mean", "dm-sum", "dbow", "dbow-words", "dbow-words-pairs"],
)
@pytest.mark.parametrize("hs,negative", [(0, 3), (1, 0), (1, 2)])
def test_document_loop_matches_reference(simd, sg, dbow_words, shared, cbow_mean, hs, negative):
    """PV-DM and PV-DBOW over a few documents (an empty one, one without tags, tags shared and
    repeated) with subsampling, dynamic windows and a moving learning rate: the kernel and the
    reference make the same draws and end with the same weights to float tolerance."""
    rng = np.random.default_rng(5)
    n_words, n_tags, dim = 9, 7, 6
    counts = np.sort(rng.integers(1, 60, n_words))[::-1].astype(np.int64)
    ids, offsets, doc_offsets, doc_rows = document_corpus(rng, n_words, n_tags)
    w_in = (rng.random((n_words + n_tags, dim)) - 0.5).astype(np.float32)
    w_out = (rng.random((n_words, dim)) - 0.5).astype(np.float32)
    w_hs = (rng.random((n_words - 1, dim)) - 0.5).astype(np.float32)
    keep = (np.linspace(0.4, 1.0, n_words) * 4294967295).astype(np.uint32)
    alias = _kernel.alias_build(counts.astype(np.float64) ** 0.75)
    hs_tables = _kernel.huffman(counts)
    mine = [w_in.copy(), w_out.copy(), w_hs.copy()]
    run = _kernel.TrainingRun(
        mine[0],
        mine[1] if negative else None,
        mine[2] if hs else None,
        sg=sg,
        hs=hs,
        negative=negative,
        window=3,
        cbow_mean=cbow_mean,
        shrink_windows=True,
        compute_loss=False,
        shared_negatives=shared,
        alpha=0.05,
        min_alpha=0.001,
        keep_threshold=keep,
        alias=alias if negative else None,
        hs_offset=hs_tables[0] if hs else None,
        hs_code=hs_tables[1] if hs else None,
        hs_point=hs_tables[2] if hs else None,
        total_words=len(ids),
        progress_batch=7,
        simd=simd,
        n_words=n_words,
        dbow_words=dbow_words,
    )
    run.set_corpus(ids, offsets, doc_offsets, doc_rows)
    status, words, effective, _ = run.train_range(0, len(offsets) - 1, 31)
    theirs = [w_in.copy(), w_out.copy() if negative else None, w_hs.copy() if hs else None]
    reference_documents(
        *theirs, ids, offsets, doc_offsets, doc_rows, 31, sg=sg, dbow_words=dbow_words,
        shared=shared, window=3, negative=negative, alias=alias, keep=keep,
        hs_tables=hs_tables if hs else None, cbow_mean=cbow_mean, alpha=0.05, min_alpha=0.001,
        total_words=len(ids), progress_batch=7,
    )  # fmt: skip
    assert status == 0 and words == len(ids) and 0 < effective < words
    for a, b in zip(mine, theirs):
        if b is not None:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not np.array_equal(mine[0][n_words:], w_in[n_words:])  # the tag rows trained
    # PV-DBOW without dbow_words leaves the word rows alone
    assert np.array_equal(mine[0][:n_words], w_in[:n_words]) == (sg and not dbow_words)


def test_document_tables_are_checked():
    """Bad document tables are refused by the driver with a ValueError naming them."""
    w_in = np.zeros((8, 4), np.float32)
    w_out = np.zeros((5, 4), np.float32)
    run = _kernel.TrainingRun(
        w_in, w_out, None, sg=0, hs=0, negative=1, window=2, cbow_mean=1,
        shrink_windows=True, compute_loss=False, alpha=0.025, min_alpha=0.0001,
        keep_threshold=None, alias=_kernel.alias_build(np.ones(5)), hs_offset=None,
        hs_code=None, hs_point=None, total_words=10, n_words=5,
    )  # fmt: skip
    ids = np.array([0, 1, 2, 3], np.uint32)
    offsets = np.array([0, 2, 4], np.int64)
    good = np.array([0, 1, 2], np.int64), np.array([5, 6], np.uint32)
    run.set_corpus(ids, offsets, *good)
    assert run.train_range(0, 2, 1)[0] == 0
    bad = [
        ((np.array([0, 1], np.int64), good[1]), "3 entries"),
        ((np.array([0, 2, 1], np.int64), np.array([5], np.uint32)), "decrease"),
        ((good[0], np.array([5], np.uint32)), "end at len"),
        ((np.array([0, 2, 2], np.int64), np.array([5, 8], np.uint32)), "not a document row"),
        ((good[0], np.array([5, 4], np.uint32)), "not a document row"),  # a word's row
        ((good[0].astype(np.int32), good[1]), "int64"),
        ((good[0], None), "together"),
    ]
    for tables, message in bad:
        with pytest.raises(ValueError, match=message):
            run.set_corpus(ids, offsets, *tables)
    with pytest.raises(ValueError, match="n_words"):
        _kernel.TrainingRun(
            w_in, w_out, None, sg=0, hs=0, negative=1, window=2, cbow_mean=1,
            shrink_windows=True, compute_loss=False, alpha=0.025, min_alpha=0.0001,
            keep_threshold=None, alias=_kernel.alias_build(np.ones(5)), hs_offset=None,
            hs_code=None, hs_point=None, total_words=10, n_words=9,
        )  # fmt: skip


# ---- inference against a reference -----------------------------------------------------


def reference_inference(w_in, w_out, w_hs, words, seed, *, dm, cbow_mean, window, negative,
                        alias, keep, hs_tables, epochs, alpha, min_alpha):  # fmt: skip
    """src/fe_doc2vec.h written out: the model frozen, one vector trained."""
    dim = w_in.shape[1]
    h = 0xCBF29CE484222325
    for w in words:
        h = ((h ^ int(w)) * 0x100000001B3) & ref.M64
    rng = ref.SplitMix64.seeded(seed, h ^ len(words), 0x1AFE)
    vec = np.array(
        [(np.float32((rng.next64() >> 40) / 16777216.0) * 2 - 1) / dim for _ in range(dim)],
        dtype=np.float64,
    )
    step = (alpha - min_alpha) / max(epochs - 1, 1)
    for epoch in range(epochs):
        a = alpha - step * epoch
        kept = [int(w) for w in words if rng.next32() <= keep[w]]
        for i, word in enumerate(kept):
            ctx = []
            if dm:
                reach = window - rng.below(window)
                lo, hi = max(i - reach, 0), min(i + reach + 1, len(kept))
                ctx = [kept[c] for c in range(lo, hi) if c != i]
            l1 = vec + w_in[ctx].astype(np.float64).sum(axis=0)
            count = 1 + len(ctx)
            if dm and cbow_mean:
                l1 /= count
            neg, code, point = [], (), ()
            if negative:
                neg = [ref.alias_draw(alias, rng) for _ in range(negative)]
            if hs_tables is not None:
                off, codes, points = hs_tables
                code, point = codes[off[word] : off[word + 1]], points[off[word] : off[word + 1]]
            # every output scored from the frozen rows (a negative drawn twice counts twice)
            outputs = [(w_hs[node], 1.0 - bit) for bit, node in zip(code, point)]
            if negative:
                outputs += [(w_out[word], 1.0)] + [(w_out[n], 0.0) for n in neg if n != word]
            grad = np.zeros(dim)
            for row, label in outputs:
                f = float(np.dot(l1.astype(np.float32).astype(np.float64), row))
                grad += (label - ref.table_sigmoid(f)) * a * row.astype(np.float64)
            vec = vec + (grad / count if dm and not cbow_mean else grad)
    return vec


@pytest.mark.parametrize(
    "dm,cbow_mean", [(1, 1), (1, 0), (0, 1)], ids=["dm-mean", "dm-sum", "dbow"]
)
@pytest.mark.parametrize("hs,negative", [(0, 3), (1, 0), (1, 2)])
def test_inference_matches_reference(dm, cbow_mean, hs, negative):
    """infer_documents: the same draws and the same vector as the reference; the model's
    matrices are left exactly as they were."""
    rng = np.random.default_rng(8)
    n_words, dim = 11, 5
    counts = np.sort(rng.integers(1, 50, n_words))[::-1].astype(np.int64)
    w_in, w_out, w_hs = (
        (rng.random((n, dim)) - 0.5).astype(np.float32) for n in (n_words, n_words, n_words - 1)
    )
    keep = (np.linspace(0.5, 1.0, n_words) * 4294967295).astype(np.uint32)
    alias = _kernel.alias_build(counts.astype(np.float64) ** 0.75)
    hs_tables = _kernel.huffman(counts)
    docs = [rng.integers(0, n_words, n).astype(np.uint32) for n in (12, 0, 3)]
    ids = np.concatenate(docs)
    offsets = np.concatenate([[0], np.cumsum([len(d) for d in docs])]).astype(np.int64)
    before = [w_in.copy(), w_out.copy(), w_hs.copy()]
    settings = dict(dm=dm, cbow_mean=cbow_mean, window=2, negative=negative, epochs=4,
                    alpha=0.1, min_alpha=0.01)  # fmt: skip
    got = _kernel.infer_documents(
        w_in, w_out if negative else None, w_hs if hs else None, ids, offsets,
        shrink_windows=True, hs=hs, keep_threshold=keep, alias=alias if negative else None,
        hs_offset=hs_tables[0] if hs else None, hs_code=hs_tables[1] if hs else None,
        hs_point=hs_tables[2] if hs else None, seed=77, workers=2, **settings,
    )  # fmt: skip
    assert got.shape == (3, dim) and got.dtype == np.float32
    for k, doc in enumerate(docs):
        want = reference_inference(
            w_in, w_out if negative else None, w_hs if hs else None, doc, 77, alias=alias,
            keep=keep, hs_tables=hs_tables if hs else None, **settings,
        )  # fmt: skip
        np.testing.assert_allclose(got[k], want, rtol=1e-4, atol=1e-6)
    untrained = _kernel.infer_documents(
        w_in, w_out if negative else None, w_hs if hs else None, ids, offsets,
        shrink_windows=True, hs=hs, keep_threshold=keep, alias=alias if negative else None,
        hs_offset=hs_tables[0] if hs else None, hs_code=hs_tables[1] if hs else None,
        hs_point=hs_tables[2] if hs else None, seed=77, **{**settings, "epochs": 0},
    )  # fmt: skip
    assert np.array_equal(untrained[1], got[1])  # no words: the initial vector
    assert np.abs(untrained[0] - got[0]).max() > 1e-3  # the words moved it
    for a, b in zip(before, (w_in, w_out, w_hs)):
        assert np.array_equal(a, b)


def test_inference_checks_its_inputs():
    w = np.zeros((4, 3), np.float32)
    common = dict(dm=1, hs=0, negative=2, window=2, cbow_mean=1, shrink_windows=True, epochs=2,
                  alpha=0.025, min_alpha=0.001, keep_threshold=None, hs_offset=None,
                  hs_code=None, hs_point=None, seed=1)  # fmt: skip
    alias = _kernel.alias_build(np.ones(4))
    ids, offsets = np.array([0, 3], np.uint32), np.array([0, 2], np.int64)
    assert _kernel.infer_documents(w, w, None, ids, offsets, alias=alias, **common).shape == (1, 3)
    with pytest.raises(ValueError, match="out of range"):
        _kernel.infer_documents(w, w, None, ids + 1, offsets, alias=alias, **common)
    with pytest.raises(ValueError, match="w_out"):
        _kernel.infer_documents(w, w[:3], None, ids, offsets, alias=alias, **common)
    with pytest.raises(ValueError, match="alias"):
        _kernel.infer_documents(w, w, None, ids, offsets, alias=alias[:2], **common)
    with pytest.raises(ValueError, match="offsets"):
        _kernel.infer_documents(w, w, None, ids, offsets + 1, alias=alias, **common)
    with pytest.raises(ValueError, match="float32"):
        _kernel.infer_documents(w.astype(np.float64), w, None, ids, offsets, alias=alias, **common)
