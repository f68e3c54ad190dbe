"""Doc2Vec: the kernel's document loop and the inference kernel against NumPy references,
gensim's parameters, planted topics that training must recover, inference, save/load, and
the errors bad input gets."""

import inspect

import _reference as ref
import numpy as np
import pytest
from _planted import nearest_topic_accuracy, planted_documents, unit_rows

import fastembed_core
from fastembed_core import _kernel
from fastembed_core.models.doc2vec import Doc2Vec, TaggedDocument, TaggedLineDocument

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
    sched = ref.Schedule(alpha, min_alpha, total_words, progress_batch)

    def target_of(word):
        return ref.draw_target(rng, word, negative, alias, hs_tables)

    words_in = not sg or dbow_words
    for s in range(len(offsets) - 1):
        tags = [int(r) for r in doc_rows[doc_offsets[s] : doc_offsets[s + 1]]]
        kept = []
        for word in ids[offsets[s] : offsets[s + 1]]:
            sched.count()
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
            a = sched.alpha
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
    rng, vec = ref.inference_start(words, seed, dim, np.float64)
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
            neg, code, point = ref.draw_target(rng, word, negative, alias, hs_tables)
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
@pytest.mark.parametrize("dim", [5, 37])
def test_inference_matches_reference(simd, dm, cbow_mean, hs, negative, dim):
    """infer_documents on every SIMD path (dim 37: whole vectors and a partial one): the
    same draws and the same vector as the reference; the model's matrices are left exactly
    as they were."""
    rng = np.random.default_rng(8)
    n_words = 11
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
        hs_point=hs_tables[2] if hs else None, seed=77, workers=2, simd=simd, **settings,
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
    # gensim's start for an inferred vector: uniform(-0.5, 0.5) / dim, not the trained
    # vectors' (-1, 1) / dim (the wider start cost 0.005-0.01 of classifier accuracy)
    assert np.abs(untrained).max() < 0.5 / dim
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


# ---- the model -----------------------------------------------------------------------------


PLANTED = dict(vector_size=24, min_count=1, sample=0, epochs=20)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize(
    "mode", [dict(dm=1), dict(dm=1, dm_mean=0), dict(dm=0), dict(dm=0, dbow_words=1)],
    ids=["dm-mean", "dm-sum", "dbow", "dbow-words"],
)  # fmt: skip
def test_planted_topics_are_recovered(mode, workers):
    """Each document's nearest document shares its topic (chance: 1/4). Calibration, 10
    seeds each at 1 and 2 workers: the lowest accuracy was 0.892 (PV-DM mean), 0.917 (PV-DM
    sum), 0.908 (PV-DBOW), 1.0 (PV-DBOW with words); gensim 4.4 on the same corpora, 4
    seeds: mean 0.98 PV-DM, 0.98 PV-DBOW, 1.0 with words (ours 0.96, 0.98, 1.0)."""
    for seed in (0, 1, 2):
        docs, labels = planted_documents(seed)
        model = Doc2Vec(docs, workers=workers, seed=seed, **PLANTED, **mode)
        assert nearest_topic_accuracy(model.dv.vectors, labels) >= 0.85, (seed, mode)
        assert model.dv.vectors.shape == (len(docs), 24)
        assert np.shares_memory(model.dv.vectors, model.wv.vectors) is False


@pytest.mark.parametrize("dm", [1, 0])
def test_inferred_vector_of_a_training_document_lands_near_its_trained_vector(dm):
    """Inferring a training document again gives a vector closer to its trained vector than
    to any document of another topic, for most documents, and close to it. Calibration over
    10 seeds (20 documents each): the share of documents closer to their own vector was at
    least 0.8 (PV-DM) and 1.0 (PV-DBOW); the median cosine to their own vector at least
    0.847 (PV-DM) and 0.957 (PV-DBOW). An untrained (random) vector scores ~0 here."""
    for seed in (0, 3):
        docs, labels = planted_documents(seed)
        model = Doc2Vec(docs, dm=dm, workers=1, seed=seed, **PLANTED)
        inferred = unit_rows(model.infer_vectors([d.words for d in docs[:20]]))
        sims = inferred @ unit_rows(model.dv.vectors).T
        own = np.diag(sims[:, :20])
        closer = [own[i] > sims[i, labels != labels[i]].max() for i in range(20)]
        assert np.mean(closer) >= 0.7 and np.median(own) >= 0.7, (seed, own)
        one = model.infer_vector(docs[5].words)
        np.testing.assert_array_equal(one, model.infer_vectors([docs[5].words])[0])


@pytest.fixture(scope="module")
def small_model():
    docs, _ = planted_documents(4, per_topic=10)
    tagged = [
        TaggedDocument(d.words, [i, f"topic{i % 4}"] + (["odd"] if i % 2 else []))
        for i, d in enumerate(docs)
    ]
    # PV-DBOW, where every tag predicts the words on its own: a topic's tag and its documents'
    # tags point the same way (over 6 corpora, every topic tag's 5 nearest documents were of
    # its topic; with PV-DM at 20 epochs, where tags add up, not in any of the 6)
    return Doc2Vec(tagged, dm=0, workers=1, seed=3, **PLANTED), tagged


def test_inference_is_reproducible_with_a_seed(small_model):
    """A document's vector depends on its words, the settings and the seed only: not on the
    batch, its place there, or the number of threads."""
    model, docs = small_model
    batch = [d.words for d in docs[:12]] + [["w1", "unknown", "w2"], []]
    one = model.infer_vectors(batch, seed=9, workers=1)
    assert one.shape == (14, model.vector_size) and np.isfinite(one).all()
    np.testing.assert_array_equal(one, model.infer_vectors(batch, seed=9, workers=2))
    np.testing.assert_array_equal(one, model.infer_vectors(batch, seed=9, workers=5))
    np.testing.assert_array_equal(one[3:5], model.infer_vectors(batch[3:5], seed=9))
    np.testing.assert_array_equal(one[12], model.infer_vectors([["w1", "w2"]], seed=9)[0])
    other = model.infer_vectors(batch, seed=10)
    assert np.abs(other - one).max() > 1e-3
    np.testing.assert_array_equal(model.infer_vector(batch[0]), model.infer_vectors(batch[:1])[0])
    assert model.infer_vectors([]).shape == (0, model.vector_size)
    # TaggedDocuments are read for their words; settings change the result
    np.testing.assert_array_equal(model.infer_vectors(docs[:2], seed=9), one[:2])
    assert np.abs(model.infer_vectors(batch[:2], epochs=2, seed=9) - one[:2]).max() > 1e-4


def test_int_and_str_tags_several_per_document(small_model):
    """int tags take rows 0..max, str tags the rows after them (gensim's order); a document's
    every tag is trained; dv answers every KeyedVectors query."""
    model, docs = small_model
    dv = model.dv
    assert dv.index_to_key == [*range(len(docs)), "topic0", "topic1", "odd", "topic2", "topic3"]
    assert dv.get_vecattr("topic1", "doc_count") == 10
    assert dv.get_vecattr("odd", "doc_count") == 20
    assert dv.get_vecattr(3, "word_count") == len(docs[3].words)
    assert np.shares_memory(dv.vectors, model._w_in) and np.shares_memory(
        model.wv.vectors, model._w_in
    )
    top = dv.most_similar("topic2", topn=len(docs))
    topic_docs = [k for k, _ in top if isinstance(k, int)][:5]
    assert all(k % 4 == 2 for k in topic_docs), top[:8]
    assert dv.similarity(0, 4) == pytest.approx(dv.similarity(4, 0))
    assert dv.distance("topic0", 0) == pytest.approx(1 - dv.similarity("topic0", 0), abs=1e-6)
    assert dv.most_similar_cosmul(positive=[1])[0][0] != 1
    assert dv.get_vector("odd", norm=True) == pytest.approx(unit_rows(dv["odd"][None])[0], abs=1e-6)
    assert dv.doesnt_match(["topic0", 0, 4, 8, 13])
    np.testing.assert_array_equal(model["topic0"], dv["topic0"])
    np.testing.assert_array_equal(model["w5"], model.wv["w5"])
    assert model[[0, 1]].shape == (2, model.vector_size)


def test_save_load_round_trip(small_model, tmp_path):
    model, docs = small_model
    path = tmp_path / "d2v.model"
    model.save(path)
    loaded = Doc2Vec.load(path)
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    np.testing.assert_array_equal(loaded.dv.vectors, model.dv.vectors)
    np.testing.assert_array_equal(loaded.syn1neg, model.syn1neg)
    assert loaded.dv.index_to_key == model.dv.index_to_key
    assert loaded.wv.index_to_key == model.wv.index_to_key
    assert loaded.dv.get_vecattr("odd", "doc_count") == 20
    for name in ("dm", "dm_mean", "dbow_words", "window", "epochs", "vector_size", "seed"):
        assert getattr(loaded, name) == getattr(model, name), name
    np.testing.assert_array_equal(loaded.infer_vectors(docs[:3]), model.infer_vectors(docs[:3]))
    # training goes on in the loaded model's one input matrix
    assert np.shares_memory(loaded.dv.vectors, loaded._w_in)
    before = loaded.dv.vectors.copy()
    loaded.train(docs, total_examples=len(docs), epochs=1)
    assert np.abs(loaded.dv.vectors - before).max() > 0
    with pytest.raises(Exception, match="kind|Doc2Vec"):
        fastembed_core.Word2Vec.load(path)


def test_training_is_reproducible_and_follows_gensims_lifecycle():
    docs, _ = planted_documents(6, per_topic=5)
    a = Doc2Vec(docs, workers=1, seed=5, **PLANTED)
    b = Doc2Vec(vector_size=24, min_count=1, sample=0, epochs=20, workers=1, seed=5)
    b.build_vocab(docs)
    assert b.corpus_count == len(docs) and len(b.dv) == len(docs)
    b.train(docs, total_examples=b.corpus_count, epochs=b.epochs)
    np.testing.assert_array_equal(a.dv.vectors, b.dv.vectors)
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)
    assert str(a) == "Doc2Vec<dm/m,d24,n5,w5>" and a.dm == 1 and a.dbow == 0


def test_corpus_file_and_tagged_line_document(tmp_path):
    """corpus_file= reads one document a line, tagged with its line number, exactly as
    TaggedLineDocument does (from a path or an open file)."""
    docs, _ = planted_documents(2, per_topic=5)
    path = tmp_path / "docs.txt"
    path.write_text("".join(" ".join(d.words) + "\n" for d in docs) + "\n", encoding="utf-8")
    read = list(TaggedLineDocument(str(path)))
    assert len(read) == len(docs) + 1 and read[-1] == TaggedDocument([], [len(docs)])
    assert read[2] == TaggedDocument(docs[2].words, [2])
    with open(path, "rb") as f:
        assert list(TaggedLineDocument(f)) == read
        assert list(TaggedLineDocument(f)) == read  # read again from the start
    a = Doc2Vec(corpus_file=str(path), workers=1, seed=2, **PLANTED)
    b = Doc2Vec(TaggedLineDocument(path), workers=1, seed=2, **PLANTED)
    assert a.dv.index_to_key == list(range(len(docs) + 1))
    np.testing.assert_array_equal(a.dv.vectors, b.dv.vectors)
    assert fastembed_core.TaggedLineDocument is TaggedLineDocument


def test_parameters_and_defaults_equal_gensims():
    """Every parameter gensim's Doc2Vec takes (its own and those it passes on to Word2Vec) is
    accepted with gensim's default, and a fresh model has gensim's settings. The documented
    differences, as in Word2Vec: workers (every core here, 3 in gensim) and hashfxn (unused
    here: None)."""
    gensim_doc2vec = pytest.importorskip("gensim.models.doc2vec")
    gensim_word2vec = pytest.importorskip("gensim.models.word2vec")
    ours = inspect.signature(Doc2Vec.__init__).parameters
    theirs = dict(inspect.signature(gensim_doc2vec.Doc2Vec.__init__).parameters)
    for name, p in inspect.signature(gensim_word2vec.Word2Vec.__init__).parameters.items():
        theirs.setdefault(name, p)
    passed_by_doc2vec = {"sentences", "sg"}  # gensim's Doc2Vec sets them itself
    for name, p in theirs.items():
        if name in ("self", "kwargs") or name in passed_by_doc2vec:
            continue
        assert name in ours, name
        if name not in ("workers", "hashfxn"):
            assert ours[name].default == p.default, name
    assert ours["workers"].default is None and ours["hashfxn"].default is None
    mine, gensims = Doc2Vec(), gensim_doc2vec.Doc2Vec()
    for name in (
        "vector_size", "window", "epochs", "alpha", "min_alpha", "min_count", "sample", "hs",
        "negative", "ns_exponent", "cbow_mean", "dm", "dbow_words", "dm_concat",
        "dm_tag_count", "seed", "shrink_windows", "sg", "max_vocab_size", "sorted_vocab",
    ):  # fmt: skip
        assert getattr(mine, name) == getattr(gensims, name), name


def test_bad_input_is_refused_clearly():
    good = TaggedDocument(["a", "b", "a"], [0])
    cases = [
        ([TaggedDocument("a b c", [0])], TypeError, "list of tokens"),
        ([TaggedDocument(["a"], 0)], TypeError, "tags of document 0"),
        ([TaggedDocument(["a"], "doc")], TypeError, "tags of document 0"),
        ([good, TaggedDocument(["a"], [1.5])], TypeError, "document 1 has the tag 1.5"),
        ([TaggedDocument(["a"], [None])], TypeError, "tag None"),
        ([TaggedDocument(["a"], [True])], TypeError, "tag True"),
        ([TaggedDocument(["a"], [-1])], ValueError, "negative int tag"),
        ([["a", "b"]], TypeError, "not a TaggedDocument"),
        ("some text", TypeError, "one string"),
    ]
    for corpus, error, message in cases:
        with pytest.raises(error, match=message):
            Doc2Vec(corpus, min_count=1)
    with pytest.raises(fastembed_core.EmptyVocabularyError):
        Doc2Vec([], min_count=1)
    with pytest.raises(fastembed_core.EmptyVocabularyError):
        Doc2Vec([TaggedDocument([], [0])], min_count=1)
    with pytest.raises(ValueError, match="dm_concat"):
        Doc2Vec(dm_concat=2)
    with pytest.raises(ValueError, match="dm_tag_count"):
        Doc2Vec(dm_concat=1, dm_tag_count=0)
    model = Doc2Vec(min_count=1)
    with pytest.raises(RuntimeError, match="vocabulary"):
        model.infer_vector(["a"])
    model = Doc2Vec([good], min_count=1, epochs=1)
    with pytest.raises(TypeError, match="single string"):
        model.infer_vector("a b")
    with pytest.raises(TypeError, match="list of tokens"):
        model.infer_vectors([["a"], "a b"])
    with pytest.raises(RuntimeError, match="existing vocabulary"):
        Doc2Vec(min_count=1).build_vocab([good], update=True)
    with pytest.raises(ValueError, match="total_examples"):
        model.train([good])


def test_lock_factors_of_words_and_tags(small_model):
    """gensim's wv.vectors_lockf and dv.vectors_lockf: 0 freezes those rows in training."""
    model, docs = small_model
    model = Doc2Vec(docs, dm=1, workers=1, seed=1, **{**PLANTED, "epochs": 1})
    words, tags = model.wv.vectors.copy(), model.dv.vectors.copy()
    model.dv.vectors_lockf = np.zeros(1, np.float32)
    model.train(docs, total_examples=len(docs), epochs=1)
    assert np.array_equal(model.dv.vectors, tags) and not np.array_equal(model.wv.vectors, words)
    frozen_tags = np.ones(len(model.dv), np.float32)
    frozen_tags[:3] = 0.0
    model.dv.vectors_lockf = frozen_tags
    model.wv.vectors_lockf = np.zeros(1, np.float32)
    words, tags = model.wv.vectors.copy(), model.dv.vectors.copy()
    model.train(docs, total_examples=len(docs), epochs=1)
    assert np.array_equal(model.wv.vectors, words)
    assert np.array_equal(model.dv.vectors[:3], tags[:3])
    assert (np.abs(model.dv.vectors[3:] - tags[3:]).max(axis=1) > 0).all()


def test_hierarchical_softmax_and_reset_from(small_model, tmp_path):
    model, docs = small_model
    hs_model = Doc2Vec(docs, hs=1, negative=0, workers=2, seed=1, **PLANTED)
    assert hs_model.syn1neg is None and hs_model.syn1 is not None
    inferred = hs_model.infer_vectors(docs[:4], workers=2)
    assert np.isfinite(inferred).all() and np.abs(inferred).max() > 0
    hs_model.save(tmp_path / "hs.model")
    loaded = Doc2Vec.load(tmp_path / "hs.model")
    np.testing.assert_array_equal(loaded.infer_vectors(docs[:4]), inferred)
    fresh = Doc2Vec(dm=0, **PLANTED)
    fresh.reset_from(model)
    assert fresh.dv.index_to_key == model.dv.index_to_key
    assert fresh.wv.index_to_key == model.wv.index_to_key
    assert fresh.dv.get_vecattr("odd", "doc_count") == 20
    assert not np.array_equal(fresh.dv.vectors, model.dv.vectors)
    fresh.train(docs, total_examples=len(docs), epochs=2)


def test_gensims_tagged_documents_and_a_memory_mapped_load(small_model, tmp_path):
    """gensim's own TaggedDocument objects train the same model as ours; a file loaded with
    mmap="r" gives the same vectors (copied into one trainable matrix)."""
    gensim_doc2vec = pytest.importorskip("gensim.models.doc2vec")
    model, docs = small_model
    theirs = [gensim_doc2vec.TaggedDocument(d.words, d.tags) for d in docs]
    a = Doc2Vec(theirs, dm=0, workers=1, seed=3, **PLANTED)
    np.testing.assert_array_equal(a.dv.vectors, model.dv.vectors)
    model.save(tmp_path / "m.fe")
    mapped = Doc2Vec.load(tmp_path / "m.fe", mmap="r")
    np.testing.assert_array_equal(mapped.dv.vectors, model.dv.vectors)
    assert mapped.dv.vectors.flags.writeable and np.shares_memory(mapped.wv.vectors, mapped._w_in)


def test_save_word2vec_format_with_tag_vectors(small_model, tmp_path):
    """gensim's Doc2Vec.save_word2vec_format: words, then tags with a prefix, one header."""
    model, _ = small_model
    path = tmp_path / "vectors.txt"
    model.save_word2vec_format(path, doctag_vec=True)
    kv = fastembed_core.KeyedVectors.load_word2vec_format(path)
    assert len(kv) == len(model.wv) + len(model.dv)
    np.testing.assert_allclose(kv["*dt_odd"], model.dv["odd"], atol=1e-5)
    np.testing.assert_allclose(kv["*dt_7"], model.dv[7], atol=1e-5)
    np.testing.assert_allclose(kv["w3"], model.wv["w3"], atol=1e-5)
    model.save_word2vec_format(path, doctag_vec=True, word_vec=False, prefix="doc:", binary=True)
    tags = fastembed_core.KeyedVectors.load_word2vec_format(path, binary=True)
    assert len(tags) == len(model.dv) and "doc:topic3" in tags.key_to_index
    with pytest.warns(DeprecationWarning):
        assert model.docvecs is model.dv


def test_vocabulary_update_adds_words_and_tags(small_model, tmp_path):
    """build_vocab(update=True): known words and tags keep their vectors and add up their
    counts, new words and new tags get fresh rows (gensim's tag layout: int tags 0..max
    first, so a new int tag above the old maximum moves the str tags up), and training and
    inference go on over all of them."""
    model, docs = small_model
    old_words = list(model.wv.index_to_key)
    old_word_vectors = model.wv.vectors.copy()
    old_tags = list(model.dv.index_to_key)
    old_tag_vectors = {tag: model.dv[tag].copy() for tag in old_tags}
    old_doc_count = dict(zip(old_tags, model.dv.expandos["doc_count"].tolist()))
    n_int = len(docs)
    more = [
        TaggedDocument(["w1", "fresh1", "fresh2", "w2"] * 3, [n_int + 2, "topic1", "new"]),
        TaggedDocument(["fresh2", "w3", "fresh1"] * 3, [3, "new"]),
    ]
    model.build_vocab(more, update=True)
    assert model.wv.index_to_key[: len(old_words)] == old_words
    assert set(model.wv.index_to_key[len(old_words) :]) == {"fresh1", "fresh2"}
    np.testing.assert_array_equal(model.wv.vectors[: len(old_words)], old_word_vectors)
    str_tags = [t for t in old_tags if isinstance(t, str)]
    assert model.dv.index_to_key == [*range(n_int + 3), *str_tags, "new"]
    for tag in old_tags:
        np.testing.assert_array_equal(model.dv[tag], old_tag_vectors[tag])
    counts = dict(zip(model.dv.index_to_key, model.dv.expandos["doc_count"].tolist()))
    assert counts["topic1"] == old_doc_count["topic1"] + 1
    assert counts[3] == old_doc_count[3] + 1
    assert counts["new"] == 2 and counts[n_int + 2] == 1 and counts[n_int] == 0
    fresh = model.dv[["new", n_int + 2]]
    assert np.isfinite(fresh).all() and (np.abs(fresh) > 0).any()
    # the grown model trains: the new tags' rows move, one matrix still holds words and tags
    model.train(more, total_examples=len(more), epochs=5)
    assert np.abs(model.dv[["new", n_int + 2]] - fresh).max() > 1e-3
    assert np.shares_memory(model.dv.vectors, model.wv.vectors.base)
    assert model.infer_vectors([["fresh1", "w1"]]).shape == (1, model.vector_size)
    model.save(tmp_path / "grown.model")
    loaded = Doc2Vec.load(tmp_path / "grown.model")
    assert loaded.dv.index_to_key == model.dv.index_to_key
    np.testing.assert_array_equal(loaded.dv.vectors, model.dv.vectors)


def test_vocabulary_update_keeps_per_row_tag_lock_factors():
    docs = [TaggedDocument(["a", "b", "c"], [0]), TaggedDocument(["b", "c", "d"], ["x"])]
    model = Doc2Vec(docs, min_count=1, epochs=1, workers=1)
    model.dv.vectors_lockf = np.array([0.0, 1.0], dtype=np.float32)
    frozen = model.dv[0].copy()
    model.build_vocab([TaggedDocument(["a", "e"], [2, "y"])], update=True)
    # rows 0..2 are the int tags, then "x" and "y": tag 0 stays frozen, the others train
    np.testing.assert_array_equal(model.dv.vectors_lockf, [0.0, 1.0, 1.0, 1.0, 1.0])
    model.train(docs * 5, total_examples=10, epochs=3)
    np.testing.assert_array_equal(model.dv[0], frozen)


def test_tags_get_rows_even_when_no_word_is_kept():
    # gensim's build_vocab gives every tag a row whatever min_count leaves of the words: int
    # tags 0..max first, then str tags in order of first appearance
    sentences = [["human", "interface"], ["survey", "user"], ["eps", "user"]]
    docs = [TaggedDocument(words, [i, words[0]]) for i, words in enumerate(sentences)]
    model = Doc2Vec(vector_size=8, min_count=5)
    model.build_vocab(docs)
    assert len(model.wv) == 0
    assert model.dv.index_to_key == [0, 1, 2, "human", "survey", "eps"]
    assert model.dv.vectors.shape == (6, 8)
    assert np.all(np.abs(model.dv.vectors) <= 1 / 8) and np.any(model.dv.vectors != 0)


# ---- encoding the documents for training -------------------------------------------------


class _Words:
    """A sequence of words that is neither a list nor a tuple, whose len() may lie."""

    def __init__(self, words, length=None):
        self.words = words
        self.length = len(words) if length is None else length

    def __len__(self):
        return self.length

    def __iter__(self):
        return iter(self.words)


def _encoded_both_ways(model, documents):
    ids, offsets, raw, n_docs = model._encode(documents, None)
    tables = model._doc_tables
    reference = model._encode_in_python(documents)
    return (ids, offsets, raw, n_docs, *tables), (*reference, *model._doc_tables)


@pytest.mark.parametrize("chunk_tokens", [1, 3, 1 << 20])
def test_documents_encode_in_c_as_in_python(monkeypatch, chunk_tokens):
    """The one-pass encoder (words, tags and checks per chunk of documents) gives the ids,
    offsets, tag rows and counts of the dict-based encoding, whatever the chunk size, for
    every shape a document may take."""
    monkeypatch.setattr(fastembed_core.models.doc2vec, "_ENCODE_TOKENS", chunk_tokens)
    vocab_docs = [TaggedDocument(["a", "b", "c", "d"], [0, "x"]), TaggedDocument(["e"], [2])]
    model = Doc2Vec(vocab_docs, min_count=1, epochs=1)
    documents = [
        TaggedDocument(["a", "zz", "b", 7, "\ud800", "c"], [1, "x", "unknown", 9]),
        TaggedDocument(("d", "a"), (np.int64(2), "x")),
        TaggedDocument([], []),
        TaggedDocument(_Words(["e", "e", "q"]), [np.uint8(0)]),
        TaggedDocument(["e"] * 5, ["x", "x"]),
        TaggedDocument(["zz"], [0]),
    ]
    ours, reference = _encoded_both_ways(model, documents)
    assert ours[3] == len(documents) and ours[2] == 17
    for got, want in zip(ours, reference):
        if isinstance(want, np.ndarray):
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got, want)
        else:
            assert got == want
    # an iterator, read once, gives the same
    ours_again, _ = _encoded_both_ways(model, documents)
    np.testing.assert_array_equal(ours_again[0], ours[0])


@pytest.mark.parametrize("chunk_tokens", [2, 1 << 20])
def test_training_refuses_bad_documents_with_their_position(monkeypatch, chunk_tokens):
    """train() checks each document as build_vocab() does, naming its position in the
    corpus also past the first chunk of documents encoded."""
    monkeypatch.setattr(fastembed_core.models.doc2vec, "_ENCODE_TOKENS", chunk_tokens)
    good = TaggedDocument(["a", "b", "a"], [0])
    model = Doc2Vec([good], min_count=1, epochs=1)
    cases = [
        (TaggedDocument("a b c", [0]), TypeError, "list of tokens; got str at sentence 3"),
        (TaggedDocument(["a"], 0), TypeError, "tags of document 3"),
        (TaggedDocument(["a"], [1.5]), TypeError, "document 3 has the tag 1.5"),
        (TaggedDocument(["a"], [True]), TypeError, "document 3 has the tag True"),
        (TaggedDocument(["a"], [-1]), ValueError, "document 3 has the negative int tag"),
        (TaggedDocument(["a"], [np.int64(-2)]), ValueError, "negative int tag -2"),
        (["a", "b"], TypeError, "document 3 is a list, not a TaggedDocument"),
        (TaggedDocument(..., [0]), TypeError, "sentence 3 .*placeholder"),
        (TaggedDocument(_Words(["a", "b"], 3), [0]), ValueError, "len\\(\\) disagrees"),
        (TaggedDocument(_Words(["a", "b"], 1), [0]), ValueError, "len\\(\\) disagrees"),
    ]
    for bad, error, message in cases:
        with pytest.raises(error, match=message):
            model.train([good, good, good, bad, good], total_examples=5, epochs=1)


def test_the_finite_check_reads_word_and_tag_rows_and_the_output_layer():
    from fastembed_core.errors import TrainingDivergedError

    model = Doc2Vec([TaggedDocument(["a", "b", "c"], [0, "x"])] * 3, min_count=1, epochs=1)
    model._check_finite(0, 0.025)  # a trained model passes
    for matrix, row in ((model.wv.vectors, 1), (model.dv.vectors, 1), (model.syn1neg, 0)):
        matrix[row, 2] = np.nan
        with pytest.raises(TrainingDivergedError, match="input matrix|syn1neg"):
            model._check_finite(0, 0.025)
        matrix[row, 2] = 0.0


@pytest.mark.parametrize("few_documents", [0, 1000])
def test_documents_to_infer_encode_alike_by_dict_and_in_c(monkeypatch, few_documents):
    """A few documents are looked up in the vocabulary's dict, more in its C table: the
    same ids, offsets and vectors either way, and the same errors."""
    monkeypatch.setattr(fastembed_core.models.doc2vec, "_FEW_DOCUMENTS", few_documents)
    monkeypatch.setattr(fastembed_core.models.doc2vec, "_ENCODE_TOKENS", 2)
    model = Doc2Vec([TaggedDocument(["a", "b", "c", "d"], [0])] * 3, min_count=1, epochs=2)
    documents = [
        ["a", "zz", "b", 7, "\ud800", "c"],
        ("d", "a"),
        [],
        TaggedDocument(["c", "c"], ["tag"]),
        _Words(["d", "q"]),
    ]
    ids, offsets = model._encode_words(documents)
    np.testing.assert_array_equal(ids, [0, 1, 2, 3, 0, 2, 2, 3])
    np.testing.assert_array_equal(offsets, [0, 3, 5, 5, 7, 8])
    reference = [model.infer_vector(d.words if hasattr(d, "tags") else d) for d in documents]
    np.testing.assert_array_equal(model.infer_vectors(documents, workers=2), reference)
    for bad, error, message in (
        ("a b", TypeError, "got str at sentence 2"),
        (..., TypeError, "sentence 2 .*placeholder"),
        (_Words(["a"], 2), ValueError, "len\\(\\) disagrees"),
    ):
        with pytest.raises(error, match=message):
            model.infer_vectors([["a"], ["b"], bad])
