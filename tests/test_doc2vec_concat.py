"""Doc2Vec's concatenating PV-DM layer (``dm_concat=1``, src/fe_dm_concat.h): the kernel's
training loop and inference against NumPy references, the padding of a document's ends,
documents without the layer's number of tags, the layer's shapes, save/load, gensim interop,
bad parameters, and planted topics the model must recover."""

import _reference as ref
import numpy as np
import pytest
from _planted import nearest_topic_accuracy, planted_documents, unit_rows

from fastembed_core import _kernel
from fastembed_core.models.doc2vec import Doc2Vec, TaggedDocument

SIMD_PATHS = _kernel.simd_supported()


@pytest.fixture(params=SIMD_PATHS)
def simd(request):
    return request.param


def concat_step(w_in, w_out, w_hs, slots, word, neg, code, point, alpha, lockf=None):
    """One step: the slots' rows side by side predict `word` output by output (each output row
    updated as it is scored); slot k's share of the gradient goes to the row in slot k."""
    dim = w_in.shape[1]
    layer = np.concatenate([w_in[r] for r in slots])
    grad, _ = ref.predict(w_out, w_hs, layer, word, neg, code, point, alpha)
    for k, r in enumerate(slots):
        w_in[r] = w_in[r] + ref.lock_factor(lockf, r) * grad[k * dim : (k + 1) * dim]


def window_slots(kept, i, window, null_word):
    """The word slots of centre i: positions i - window .. i + window without i, the padding
    word outside the document."""
    return [
        kept[c] if 0 <= c < len(kept) else null_word
        for c in range(i - window, i + window + 1)
        if c != i
    ]


def reference_concat(
    w_in, w_out, w_hs, ids, offsets, doc_offsets, doc_rows, seed, *, window, tag_count,
    null_word, negative, alias, keep, hs_tables, alpha, min_alpha, total_words, progress_batch,
    lockf=None,
):  # fmt: skip
    """src/fe_train.h and fe_dm_concat.h written out for one worker: a subsampling draw per
    word, then per kept centre its negatives (no window draw: windows never shrink); a
    document without exactly tag_count tags is counted for the schedule, drawn nothing for
    and not trained."""
    rng = ref.SplitMix64.seeded(seed)
    sched = ref.Schedule(alpha, min_alpha, total_words, progress_batch)

    for s in range(len(offsets) - 1):
        tags = [int(r) for r in doc_rows[doc_offsets[s] : doc_offsets[s + 1]]]
        words = ids[offsets[s] : offsets[s + 1]]
        if len(tags) != tag_count:
            sched.count(len(words))
            continue
        kept = []
        for word in words:
            sched.count()
            if keep is None or rng.next32() <= keep[word]:
                kept.append(int(word))
        for i, centre in enumerate(kept):
            neg, code, point = ref.draw_target(rng, centre, negative, alias, hs_tables)
            slots = tags + window_slots(kept, i, window, null_word)
            concat_step(w_in, w_out, w_hs, slots, centre, neg, code, point, sched.alpha, lockf)


def tiny_model(rng, n_words, n_tags, dim, width):
    counts = np.sort(rng.integers(1, 60, n_words))[::-1].astype(np.int64)
    w_in = (rng.random((n_words + n_tags, dim)) - 0.5).astype(np.float32)
    w_out = (rng.random((n_words, width)) - 0.5).astype(np.float32) * 0.5
    w_hs = (rng.random((n_words - 1, width)) - 0.5).astype(np.float32) * 0.5
    return counts, w_in, w_out, w_hs


def concat_run(w_in, w_out, w_hs, counts, *, n_words, window, tag_count, null_word, hs, negative,
               keep, total_words, simd=None, lockf=None, min_alpha=0.001):  # fmt: skip
    alias = _kernel.alias_build(counts.astype(np.float64) ** 0.75)
    hs_tables = _kernel.huffman(counts)
    run = _kernel.TrainingRun(
        w_in, w_out if negative else None, w_hs if hs else None, sg=0, hs=hs,
        negative=negative, window=window, cbow_mean=1, shrink_windows=True, compute_loss=False,
        alpha=0.05, min_alpha=min_alpha, keep_threshold=keep, alias=alias if negative else None,
        hs_offset=hs_tables[0] if hs else None, hs_code=hs_tables[1] if hs else None,
        hs_point=hs_tables[2] if hs else None, total_words=total_words, progress_batch=7,
        simd=simd, lockf=lockf, n_words=n_words, dm_concat=True, dm_tag_count=tag_count,
        null_word=null_word,
    )  # fmt: skip
    return run, alias, hs_tables


@pytest.mark.parametrize("tag_count", [1, 2])
@pytest.mark.parametrize("hs,negative", [(0, 3), (1, 0), (1, 2)])
def test_concat_loop_matches_reference(simd, tag_count, hs, negative):
    """The kernel's concatenating PV-DM over documents of 0 to 14 words (shorter and longer
    than the window, some with the wrong number of tags, a tag twice in one) with
    subsampling, a moving learning rate and lock factors: the same draws and the same weights
    as the reference, to float tolerance."""
    rng = np.random.default_rng(11)
    n_words, n_tags, dim, window = 9, 7, 5, 2
    width = (tag_count + 2 * window) * dim
    null_word = n_words - 1  # the padding word: the last, least frequent
    counts, w_in, w_out, w_hs = tiny_model(rng, n_words, n_tags, dim, width)
    lengths = [6, 0, 1, 14, 9, 3, 11]
    ids = np.concatenate([rng.integers(0, n_words - 1, n) for n in lengths]).astype(np.uint32)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    tags = [[0], [1], [2, 3], [4], [5, 5], [6], [1, 6]]
    doc_offsets = np.concatenate([[0], np.cumsum([len(t) for t in tags])]).astype(np.int64)
    doc_rows = np.array([n_words + r for t in tags for r in t], np.uint32)
    keep = (np.linspace(0.5, 1.0, n_words) * 4294967295).astype(np.uint32)
    lockf = np.linspace(0.5, 1.0, n_words + n_tags).astype(np.float32)
    mine = [w_in.copy(), w_out.copy(), w_hs.copy()]
    run, alias, hs_tables = concat_run(
        *mine, counts, n_words=n_words, window=window, tag_count=tag_count, null_word=null_word,
        hs=hs, negative=negative, keep=keep, total_words=len(ids), simd=simd, lockf=lockf,
    )  # fmt: skip
    run.set_corpus(ids, offsets, doc_offsets, doc_rows)
    status, words, effective, _ = run.train_range(0, len(offsets) - 1, 23)
    assert status == 0 and words == len(ids) and 0 < effective < words
    theirs = [w_in.copy(), w_out.copy() if negative else None, w_hs.copy() if hs else None]
    reference_concat(
        *theirs, ids, offsets, doc_offsets, doc_rows, 23, window=window, tag_count=tag_count,
        null_word=null_word, negative=negative, alias=alias, keep=keep,
        hs_tables=hs_tables if hs else None, alpha=0.05, min_alpha=0.001,
        total_words=len(ids), progress_batch=7, lockf=lockf,
    )  # fmt: skip
    for a, b in zip(mine, theirs):
        if b is not None:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # a tag row only in documents with another number of tags never trains
    right = {r for t in tags if len(t) == tag_count for r in t}
    for r in {r for t in tags for r in t} - right:
        assert np.array_equal(mine[0][n_words + r], w_in[n_words + r]), r
    assert not np.array_equal(mine[0][null_word], w_in[null_word])  # the padding trained


def test_document_ends_are_padded_with_the_null_word():
    """A one-word document: every word slot is the padding word, so only the tag's row and the
    padding word's row move among the inputs (not the centre's own row); outputs move."""
    rng = np.random.default_rng(2)
    n_words, n_tags, dim, window = 6, 2, 4, 2
    width = (1 + 2 * window) * dim
    counts, w_in, w_out, w_hs = tiny_model(rng, n_words, n_tags, dim, width)
    before = w_in.copy(), w_out.copy()
    run, _, _ = concat_run(
        w_in, w_out, w_hs, counts, n_words=n_words, window=window, tag_count=1, null_word=5,
        hs=0, negative=2, keep=None, total_words=1,
    )  # fmt: skip
    ids, offsets = np.array([2], np.uint32), np.array([0, 1], np.int64)
    run.set_corpus(ids, offsets, np.array([0, 1], np.int64), np.array([n_words + 1], np.uint32))
    run.train_range(0, 1, 3)
    moved = [r for r in range(n_words + n_tags) if not np.array_equal(w_in[r], before[0][r])]
    assert moved == [5, n_words + 1]
    assert not np.array_equal(w_out[2], before[1][2])  # the centre was predicted


def test_long_document_across_the_kernels_buffer():
    """A document longer than the kernel's buffer of kept words (trained in pieces that keep
    2 * window words of left context) gives the reference's weights: the padding word only
    at the real ends. (A constant learning rate: the kernel trains a piece's centres when
    its buffer fills, the reference after reading the whole document.)"""
    rng = np.random.default_rng(4)
    n_words, n_tags, dim, window = 12, 1, 3, 3
    width = (1 + 2 * window) * dim
    counts, w_in, w_out, w_hs = tiny_model(rng, n_words, n_tags, dim, width)
    w_out *= 0.1
    ids = rng.integers(0, n_words - 1, 4300).astype(np.uint32)
    offsets = np.array([0, len(ids)], np.int64)
    doc = np.array([0, 1], np.int64), np.array([n_words], np.uint32)
    mine = [w_in.copy(), w_out.copy()]
    run, alias, _ = concat_run(
        mine[0], mine[1], None, counts, n_words=n_words, window=window, tag_count=1,
        null_word=n_words - 1, hs=0, negative=2, keep=None, total_words=len(ids), min_alpha=0.05,
    )  # fmt: skip
    run.set_corpus(ids, offsets, *doc)
    run.train_range(0, 1, 5)
    theirs = [w_in.copy(), w_out.copy()]
    reference_concat(
        theirs[0], theirs[1], None, ids, offsets, *doc, 5, window=window, tag_count=1,
        null_word=n_words - 1, negative=2, alias=alias, keep=None, hs_tables=None,
        alpha=0.05, min_alpha=0.05, total_words=len(ids), progress_batch=7,
    )  # fmt: skip
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_concat_tables_are_checked():
    w_in = np.zeros((8, 4), np.float32)
    common = dict(sg=0, hs=0, negative=2, window=2, cbow_mean=1, shrink_windows=True,
                  compute_loss=False, alpha=0.025, min_alpha=0.001, keep_threshold=None,
                  alias=_kernel.alias_build(np.ones(6)), hs_offset=None, hs_code=None,
                  hs_point=None, total_words=10, n_words=6, dm_concat=True)  # fmt: skip
    wide = np.zeros((6, 5 * 4), np.float32)
    _kernel.TrainingRun(w_in, wide, None, null_word=5, **common)
    with pytest.raises(ValueError, match="w_out"):
        _kernel.TrainingRun(w_in, np.zeros((6, 4), np.float32), None, null_word=5, **common)
    with pytest.raises(ValueError, match="null_word"):
        _kernel.TrainingRun(w_in, wide, None, null_word=6, **common)
    with pytest.raises(ValueError, match="dm_tag_count"):
        _kernel.TrainingRun(w_in, wide, None, null_word=5, dm_tag_count=0, **common)
    with pytest.raises(ValueError, match="sg=0"):
        _kernel.TrainingRun(w_in, wide, None, null_word=5, **{**common, "sg": 1})


# ---- inference --------------------------------------------------------------------------


def reference_concat_inference(w_in, w_out, w_hs, words, seed, *, window, tag_count, null_word,
                               negative, alias, keep, hs_tables, epochs, alpha, min_alpha):  # fmt: skip
    """src/fe_doc2vec.h with the concatenating layer: the vector in every tag slot, the model
    frozen, every output scored before the vector moves."""
    dim = w_in.shape[1]
    rng, vec = ref.inference_start(words, seed, dim, np.float32)
    step = (alpha - min_alpha) / max(epochs - 1, 1)
    for epoch in range(epochs):
        a = alpha - step * epoch
        kept = [int(w) for w in words if rng.next32() <= keep[w]]
        for i, word in enumerate(kept):
            neg, code, point = ref.draw_target(rng, word, negative, alias, hs_tables)
            outputs = [(w_hs[node], 1.0 - bit) for bit, node in zip(code, point)]
            if negative:
                outputs += [(w_out[word], 1.0)] + [(w_out[n], 0.0) for n in neg if n != word]
            layer = np.concatenate(
                [vec] * tag_count + [w_in[r] for r in window_slots(kept, i, window, null_word)]
            ).astype(np.float64)
            grad = np.zeros(dim)
            for row, label in outputs:
                g = (label - ref.table_sigmoid(float(np.dot(layer, row)))) * a
                grad += g * row[: tag_count * dim].reshape(tag_count, dim).sum(axis=0)
            vec = (vec + grad).astype(np.float32)
    return vec


@pytest.mark.parametrize("tag_count", [1, 3])
@pytest.mark.parametrize("hs,negative", [(0, 3), (1, 0)])
def test_concat_inference_matches_reference(simd, tag_count, hs, negative):
    """infer_documents with the concatenating layer, on every SIMD path: the reference's
    vector; the model's matrices are left exactly as they were; the result does not depend
    on the workers."""
    rng = np.random.default_rng(9)
    n_words, dim, window = 11, 6, 2
    width = (tag_count + 2 * window) * dim
    counts, w_in, w_out, w_hs = tiny_model(rng, n_words, 0, dim, width)
    keep = (np.linspace(0.5, 1.0, n_words) * 4294967295).astype(np.uint32)
    alias = _kernel.alias_build(counts.astype(np.float64) ** 0.75)
    hs_tables = _kernel.huffman(counts)
    docs = [rng.integers(0, n_words - 1, n).astype(np.uint32) for n in (12, 0, 1, 3)]
    ids = np.concatenate(docs)
    offsets = np.concatenate([[0], np.cumsum([len(d) for d in docs])]).astype(np.int64)
    before = [w_in.copy(), w_out.copy(), w_hs.copy()]
    settings = dict(window=window, negative=negative, epochs=4, alpha=0.1, min_alpha=0.01)
    kernel_args = dict(
        shrink_windows=True, hs=hs, keep_threshold=keep, alias=alias if negative else None,
        hs_offset=hs_tables[0] if hs else None, hs_code=hs_tables[1] if hs else None,
        hs_point=hs_tables[2] if hs else None, seed=77, dm=1, cbow_mean=1, dm_concat=True,
        dm_tag_count=tag_count, null_word=n_words - 1, simd=simd, **settings,
    )  # fmt: skip
    w = (w_in, w_out if negative else None, w_hs if hs else None)
    got = _kernel.infer_documents(*w, ids, offsets, workers=2, **kernel_args)
    assert got.shape == (4, dim)
    np.testing.assert_array_equal(got, _kernel.infer_documents(*w, ids, offsets, **kernel_args))
    for k, doc in enumerate(docs):
        want = reference_concat_inference(
            *w, doc, 77, tag_count=tag_count, null_word=n_words - 1, alias=alias, keep=keep,
            hs_tables=hs_tables if hs else None, **settings,
        )  # fmt: skip
        np.testing.assert_allclose(got[k], want, rtol=1e-4, atol=1e-6)
    assert np.abs(got[0] - got[1]).max() > 1e-3  # words moved the first vector
    for a, b in zip(before, (w_in, w_out, w_hs)):
        assert np.array_equal(a, b)
    with pytest.raises(ValueError, match="w_out|w_hs"):
        _kernel.infer_documents(
            w_in, w_out[:, :dim] if negative else None, w_hs[:, :dim] if hs else None, ids,
            offsets, **kernel_args,
        )  # fmt: skip
    with pytest.raises(ValueError, match="null_word"):
        _kernel.infer_documents(*w, ids, offsets, **{**kernel_args, "null_word": n_words})


# ---- the model ----------------------------------------------------------------------------


CONCAT = dict(dm=1, dm_concat=1, vector_size=16, window=2, min_count=1, sample=0, epochs=20)


@pytest.fixture(scope="module")
def concat_model():
    docs, labels = planted_documents(1)
    return Doc2Vec(docs, workers=1, seed=1, **CONCAT), docs, labels


def test_layer_shapes_and_the_padding_word(concat_model):
    model, docs, _ = concat_model
    assert model.layer1_size == (1 + 2 * 2) * 16
    assert model.syn1neg.shape == (len(model.wv), model.layer1_size)
    assert model.wv.index_to_key[-1] == "\0" and model.wv.get_vecattr("\0", "count") == 1
    assert model.dv.vectors.shape == (len(docs), 16)
    assert str(model).startswith("Doc2Vec<dm/c,")
    hs = Doc2Vec(docs[:20], hs=1, negative=0, dm_tag_count=2, workers=1, **CONCAT)
    assert hs.syn1.shape == (len(hs.wv), (2 + 4) * 16) and hs.syn1neg is None
    # no document has 2 tags: none is trained (gensim's rule), the tag rows stay as drawn
    fresh = Doc2Vec(dm_tag_count=2, workers=1, **CONCAT)
    fresh.build_vocab(docs[:20])
    start = fresh.dv.vectors.copy()
    fresh.train(docs[:20], total_examples=20, epochs=1)
    np.testing.assert_array_equal(fresh.dv.vectors, start)


def test_planted_topics_are_recovered(concat_model):
    """Each document's nearest document shares its topic (chance: 1/4). Calibration over 10
    seeds, at 1 and 2 workers: the lowest accuracy was 0.925 (mean 0.95); the untrained tag
    vectors scored at most 0.325; gensim 4.4 on the same corpora, 4 seeds: mean 0.97."""
    model, docs, labels = concat_model
    assert nearest_topic_accuracy(model.dv.vectors, labels) >= 0.8
    for seed in (2, 3):
        docs, labels = planted_documents(seed)
        model = Doc2Vec(docs, workers=2, seed=seed, **CONCAT)
        assert nearest_topic_accuracy(model.dv.vectors, labels) >= 0.8, seed


def test_inference_leaves_the_model_unchanged(concat_model):
    model, docs, labels = concat_model
    before = [model.wv.vectors.copy(), model.syn1neg.copy(), model.dv.vectors.copy()]
    inferred = model.infer_vectors([d.words for d in docs[:40]], seed=4)
    for a, b in zip(before, (model.wv.vectors, model.syn1neg, model.dv.vectors)):
        assert np.array_equal(a, b)
    np.testing.assert_array_equal(
        model.infer_vector(docs[7].words), model.infer_vectors([docs[7].words])[0]
    )
    # inferred vectors of training documents sit nearer their own topic's trained vectors
    # than the other topics' (calibration, 10 seeds at 1 and 2 workers: all 40 of 40 did)
    sims = unit_rows(inferred) @ unit_rows(model.dv.vectors).T
    own_topic = np.array([sims[i, labels == labels[i]].mean() for i in range(40)])
    other = np.array([sims[i, labels != labels[i]].mean() for i in range(40)])
    assert np.mean(own_topic > other) >= 0.9


def test_save_load_round_trip(concat_model, tmp_path):
    model, docs, _ = concat_model
    model.save(tmp_path / "c.model")
    loaded = Doc2Vec.load(tmp_path / "c.model")
    assert loaded.dm_concat == 1 and loaded.layer1_size == model.layer1_size
    np.testing.assert_array_equal(loaded.syn1neg, model.syn1neg)
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    np.testing.assert_array_equal(loaded.dv.vectors, model.dv.vectors)
    np.testing.assert_array_equal(
        loaded.infer_vectors([d.words for d in docs[:3]]),
        model.infer_vectors([d.words for d in docs[:3]]),
    )
    loaded.train(docs[:10], total_examples=10, epochs=1)
    assert not np.array_equal(loaded.syn1neg, model.syn1neg)


def test_bad_parameters_are_refused_clearly():
    with pytest.raises(ValueError, match="dm_concat"):
        Doc2Vec(dm_concat=2)
    with pytest.raises(ValueError, match="dm_tag_count"):
        Doc2Vec(dm_concat=1, dm_tag_count=0)
    docs, _ = planted_documents(0, per_topic=2)
    model = Doc2Vec(docs, workers=1, **{**CONCAT, "epochs": 1})
    model.window = 3  # the layer is 5 slots wide, the settings now ask for 7
    with pytest.raises(ValueError, match="syn1neg rows have 80 floats .* need 112"):
        model.train(docs, total_examples=len(docs), epochs=1)
    model.window = 2
    del model.wv.key_to_index["\0"]  # a vocabulary without the padding word
    with pytest.raises(ValueError, match="padding word"):
        model.infer_vector(docs[0].words)


def test_vocabulary_update_and_methods_that_sum_vectors(concat_model):
    model, docs, _ = concat_model
    grown = Doc2Vec(workers=1, **{**CONCAT, "epochs": 1})
    grown.build_vocab(docs[:20])
    new = [TaggedDocument(d.words + ["brand", "new"], [f"x{i}"]) for i, d in enumerate(docs[:5])]
    grown.build_vocab(new, update=True)
    assert grown.wv.index_to_key.count("\0") == 1 and "brand" in grown.wv.key_to_index
    assert grown.syn1neg.shape == (len(grown.wv), grown.layer1_size)
    grown.train(new, total_examples=5, epochs=1)
    assert np.isfinite(grown.dv.vectors).all()
    with pytest.raises(NotImplementedError, match="dm_concat"):
        model.predict_output_word(["w1", "w2"])
    with pytest.raises(NotImplementedError, match="dm_concat"):
        model.score([["w1", "w2"]])


def test_gensim_round_trip():
    gensim = pytest.importorskip("gensim")
    docs, labels = planted_documents(5, per_topic=10)
    g = gensim.models.Doc2Vec(docs, workers=1, seed=5, **{**CONCAT, "epochs": 2})
    model = Doc2Vec.from_gensim(g)
    assert model.dm_concat == 1 and model.layer1_size == g.layer1_size
    assert model.wv.index_to_key == g.wv.index_to_key
    np.testing.assert_array_equal(model.syn1neg, g.syn1neg)
    model.train(docs, total_examples=len(docs), epochs=2)
    back = model.to_gensim()
    assert back.dm_concat == 1 and back.layer1_size == model.layer1_size
    np.testing.assert_array_equal(back.syn1neg, model.syn1neg)
    np.testing.assert_array_equal(back.dv.vectors, model.dv.vectors)
    assert np.isfinite(back.infer_vector(docs[0].words)).all()
    back.train(docs, total_examples=len(docs), epochs=1)
    assert not np.array_equal(back.syn1neg, model.syn1neg)
