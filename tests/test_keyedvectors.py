"""KeyedVectors: the trainer contract, lookups, queries against a NumPy reference, norm cache,
threads, batch search, indexers, native save/load and evaluation (reliability #13, #36-#40)."""

import copy
import os
import pickle
import sys
import threading

import numpy as np
import pytest

from fastembed_core.errors import FormatError, OOVError
from fastembed_core.vectors import stats as vstats
from fastembed_core.vectors.ann import UsearchIndexer
from fastembed_core.vectors.keyedvectors import KeyedVectors


def random_kv(n=300, dim=16, seed=0, keys=None):
    rng = np.random.default_rng(seed)
    keys = list(keys) if keys is not None else [f"k{i}" for i in range(n)]
    kv = KeyedVectors(dim)
    kv.add_vectors(keys, rng.standard_normal((len(keys), dim)).astype(np.float32))
    return kv


# ---- an independent float64 reference -------------------------------------------------------


def ref_scores(vectors, query):
    v = np.asarray(vectors, dtype=np.float64)
    q = np.asarray(query, dtype=np.float64)
    vn = np.linalg.norm(v, axis=1)
    qn = np.linalg.norm(q)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = v @ q / (vn * qn)
    return np.where((vn > 0) & (qn > 0), s, 0.0)


def ref_most_similar(kv, positive=(), negative=(), topn=10, restrict=None):
    v = kv.vectors.astype(np.float64)
    unit = v / np.linalg.norm(v, axis=1, keepdims=True)
    q = np.zeros(kv.vector_size)
    exclude = set()
    for items, sign in ((positive, 1.0), (negative, -1.0)):
        for item in items:
            w = sign
            if isinstance(item, tuple):
                item, w = item
            if isinstance(item, np.ndarray):
                q += w * item
            else:
                exclude.add(kv.key_to_index[item])
                q += w * unit[kv.key_to_index[item]]
    sims = ref_scores(v[:restrict], q)
    order = [i for i in np.argsort(-sims, kind="stable") if i not in exclude][:topn]
    return [(kv.index_to_key[i], sims[i]) for i in order]


def assert_ranking(got, want, tol=1e-5):
    """Same keys in the same order (entries within `tol` of each other may swap) and scores
    within `tol`."""
    assert len(got) == len(want)
    np.testing.assert_allclose([s for _, s in got], [s for _, s in want], atol=tol)
    want_scores = {k: s for k, s in want}
    for (gk, _gs), (wk, ws) in zip(got, want):
        if gk != wk:
            assert gk in want_scores and abs(want_scores[gk] - ws) <= tol, (got, want)


# ---- the trainer contract --------------------------------------------------------------------


def test_trainer_contract_assigns_without_copying_and_sees_in_place_updates():
    rng = np.random.default_rng(1)
    keys = ["a", "b", "c", "d"]
    w_in = np.ascontiguousarray(rng.standard_normal((4, 5)).astype(np.float32))
    kv = KeyedVectors(5, count=0, dtype=np.float32)
    kv.index_to_key = keys
    kv.key_to_index = {k: i for i, k in enumerate(keys)}
    kv.vectors = w_in
    kv.expandos["count"] = np.array([9, 7, 5, 3], dtype=np.int64)
    assert kv.vectors is w_in and len(kv) == 4
    kv.set_vecattr("b", "count", 8)
    assert kv.get_vecattr("b", "count") == 8 and kv.expandos["count"].dtype == np.int64
    kv.fill_norms(force=True)
    np.testing.assert_allclose(kv.norms, np.linalg.norm(w_in, axis=1), rtol=1e-6)
    before = kv.most_similar("a", topn=3)
    # "training" moves b onto a, in place; after the invalidation queries see it
    w_in[1] = w_in[0] * 3
    kv._invalidate_norms()
    assert kv.norms is None
    after = kv.most_similar("a", topn=3)
    assert after[0][0] == "b" and after[0][1] == pytest.approx(1.0, abs=1e-6)
    assert after != before


def test_from_arrays_checks_once_and_shares_only_when_asked():
    rng = np.random.default_rng(2)
    w = rng.standard_normal((3, 4)).astype(np.float32)
    kv = KeyedVectors.from_arrays(["a", "b", "c"], w, counts=[5, 9, 1])
    assert kv.index_to_key == ["a", "b", "c"] and kv.key_to_index == {"a": 0, "b": 1, "c": 2}
    assert kv.vector_size == 4 and kv.next_index == 3 and kv.vectors is not w
    np.testing.assert_array_equal(kv.vectors, w)
    assert kv.get_vecattr("b", "count") == 9 and kv.expandos["count"].dtype.kind == "i"
    shared = KeyedVectors.from_arrays([10, 20, 30], w, attrs={"x": np.arange(3.0)}, copy=False)
    assert shared.vectors is w and shared[20] is not None
    w[1] = w[0]  # in place, as training does: invalidate_norms makes queries see it
    shared.fill_norms()
    shared.invalidate_norms()
    assert shared.norms is None
    assert shared.most_similar(10, topn=1)[0][0] == 20
    with pytest.raises(ValueError, match="duplicate keys.*'a'"):
        KeyedVectors.from_arrays(["a", "b", "a"], w)
    with pytest.raises(ValueError, match="2 keys but 3 vectors"):
        KeyedVectors.from_arrays(["a", "b"], w)
    with pytest.raises(ValueError, match="2-D"):
        KeyedVectors.from_arrays(["a"], np.zeros(4, np.float32))
    with pytest.raises(TypeError, match="floating point"):
        KeyedVectors.from_arrays(["a"], np.zeros((1, 4), np.int32))
    with pytest.raises(TypeError, match="integers"):
        KeyedVectors.from_arrays(["a", "b", "c"], w, counts=[1.5, 2, 3])
    with pytest.raises(ValueError, match="'x' has shape"):
        KeyedVectors.from_arrays(["a", "b", "c"], w, attrs={"x": [1, 2]})
    empty = KeyedVectors.from_arrays([], np.zeros((0, 7), np.float32), counts=[])
    assert len(empty) == 0 and empty.vector_size == 7


def test_vectors_setter_invalidates_norms_and_checks_shape():
    kv = random_kv(n=10, dim=4)
    kv.fill_norms()
    old = kv.norms.copy()
    kv.vectors = kv.vectors * 2
    assert kv.norms is None
    kv.fill_norms()
    np.testing.assert_allclose(kv.norms, old * 2, rtol=1e-6)
    with pytest.raises(ValueError, match="2-D"):
        kv.vectors = np.zeros(4)


# ---- lookups and unknown keys (#36, #37) -----------------------------------------------------


def test_lookups():
    kv = random_kv(n=5, dim=3)
    v = kv["k2"]
    np.testing.assert_array_equal(v, kv.vectors[2])
    assert not v.flags.writeable
    assert kv[["k3", "k1"]].shape == (2, 3)
    np.testing.assert_array_equal(kv[["k3", "k1"]], kv.vectors[[3, 1]])
    assert kv[[]].shape == (0, 3)
    assert "k4" in kv and "zz" not in kv and [1] not in kv
    assert kv.get("zz") is None and kv.get("zz", 5) == 5
    np.testing.assert_array_equal(kv.get("k1"), kv.vectors[1])
    assert kv.has_index_for("k0") and not kv.has_index_for("k9")
    assert kv.get_index("k4") == 4 and kv.get_index("zz", -1) == -1
    np.testing.assert_allclose(np.linalg.norm(kv.get_vector("k1", norm=True)), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(kv.vector_at(-1), kv.vectors[4])
    with pytest.raises(IndexError):
        kv.vector_at(5)
    with pytest.raises(TypeError):
        kv.vector_at("k1")
    assert list(kv) == kv.index_to_key
    assert str(kv) == "KeyedVectors<vector_size=3, 5 keys>"


@pytest.mark.parametrize(
    "call",
    [
        lambda kv: kv["foo"],
        lambda kv: kv.get_vector("foo"),
        lambda kv: kv.get_index("foo"),
        lambda kv: kv.most_similar("foo"),
        lambda kv: kv.similarity("k1", "foo"),
        lambda kv: kv.n_similarity(["k1"], ["foo"]),
        lambda kv: kv.most_similar_cosmul(["foo"]),
        lambda kv: kv.most_similar_batch(["k1", "foo"]),
        lambda kv: kv[["k1", "foo"]],
        lambda kv: kv.distances("k1", ["foo"]),
        lambda kv: kv.get_vecattr("foo", "count"),
    ],
)
def test_unknown_key_raises_oov_error(call):
    kv = random_kv(n=12, dim=3)
    with pytest.raises(OOVError, match=r"^'foo' not in vocabulary \(12 keys\)$") as info:
        call(kv)
    assert isinstance(info.value, KeyError)


def test_integer_keys_are_keys_never_positions():
    kv = random_kv(keys=[10, 3, 7, 0], dim=4)
    np.testing.assert_array_equal(kv[3], kv.vectors[1])  # key 3 is row 1
    np.testing.assert_array_equal(kv[np.int64(0)], kv.vectors[3])  # key 0 is row 3
    np.testing.assert_array_equal(kv.vector_at(3), kv.vectors[3])
    with pytest.raises(OOVError, match=r"^1 not in vocabulary \(4 keys\)$"):
        kv[1]
    assert 1 not in kv and 3 in kv
    assert kv.most_similar(3, topn=3)[0][0] in (10, 7, 0)
    words = random_kv(n=5, dim=2)
    with pytest.raises(OOVError, match=r"use vector_at\(2\)"):
        words[2]


# ---- queries against the reference -----------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        dict(positive=["k1"]),
        dict(positive=["k1", "k2"], negative=["k3"]),
        dict(positive=[("k1", 0.3), ("k2", 2.0)], negative=[("k3", -0.5)]),
        dict(positive=["k5"], restrict=100),
        dict(negative=["k7"]),
        dict(positive=["k4", "k4"]),
    ],
)
def test_most_similar_matches_reference(case):
    kv = random_kv()
    restrict = case.pop("restrict", None)
    got = kv.most_similar(**case, topn=15, restrict_vocab=restrict)
    want = ref_most_similar(kv, case.get("positive", ()), case.get("negative", ()), 15, restrict)
    assert_ranking(got, want)
    assert all(isinstance(s, float) for _, s in got)
    if restrict:
        assert all(kv.key_to_index[k] < restrict for k, _ in got)


def test_most_similar_with_vectors_and_topn_none():
    kv = random_kv()
    q = np.random.default_rng(5).standard_normal(16).astype(np.float32)
    assert_ranking(kv.most_similar(positive=[q], topn=5), ref_most_similar(kv, [q], (), 5))
    assert_ranking(kv.similar_by_vector(q, topn=5), ref_most_similar(kv, [q], (), 5))
    assert_ranking(kv.similar_by_key("k3", topn=5), ref_most_similar(kv, ["k3"], (), 5))
    assert kv.similar_by_word("k3", topn=5) == kv.similar_by_key("k3", topn=5)
    all_sims = kv.most_similar("k3", topn=None)
    assert all_sims.shape == (300,)
    np.testing.assert_allclose(all_sims, ref_scores(kv.vectors, kv["k3"]), atol=1e-5)
    clipped = kv.most_similar("k3", topn=None, clip_start=10, clip_end=50)
    np.testing.assert_allclose(clipped, all_sims[10:50], atol=1e-6)
    top = kv.most_similar("k3", topn=4, clip_start=10, clip_end=50)
    assert all(10 <= kv.key_to_index[k] < 50 for k, _ in top)
    assert kv.most_similar("k3", topn=0) == []
    assert len(kv.most_similar("k3", topn=1000)) == 299


def test_empty_query_is_a_value_error():
    kv = random_kv(n=10)
    for call in (
        lambda: kv.most_similar(),
        lambda: kv.most_similar(positive=[], negative=[]),
        lambda: kv.most_similar_cosmul(negative=["k1"]),
        lambda: kv.get_mean_vector([]),
    ):
        with pytest.raises(ValueError, match="no input"):
            call()


def test_malformed_query_terms_are_type_errors():
    kv = random_kv(n=10)
    with pytest.raises(TypeError, match="query term"):
        kv.most_similar(positive=[[0.1] * 16])
    with pytest.raises(TypeError, match="query term"):
        kv.most_similar(positive=[("k1", "heavy")])
    with pytest.raises(ValueError, match="shape"):
        kv.most_similar(positive=[np.zeros(3)])


def test_zero_vectors_score_zero_never_nan():
    kv = random_kv(n=20, dim=4)
    kv.add_vectors(["zero"], np.zeros((1, 4), dtype=np.float32))
    assert kv.similarity("zero", "k1") == 0.0
    assert kv.distance("zero", "k1") == 1.0
    res = kv.most_similar("zero", topn=5)
    assert all(s == 0.0 for _, s in res)
    sims = kv.most_similar("k1", topn=None)
    assert np.isfinite(sims).all() and sims[kv.key_to_index["zero"]] == 0.0
    assert np.isfinite(kv.most_similar_cosmul(["k1"], ["zero"], topn=None)).all()
    assert np.isfinite(kv.distances("zero")).all()
    assert np.isfinite(kv.cosine_similarities(np.zeros(4), kv.vectors)).all()
    assert not kv.get_normed_vectors()[-1].any()
    assert not kv.get_vector("zero", norm=True).any()
    idx, sc = kv.most_similar_batch(["zero", "k2"], topn=3)
    assert np.isfinite(sc).all() and (sc[0] == 0).all()
    assert kv.n_similarity(["zero"], ["k1"]) == 0.0


def test_pairwise_queries_match_reference():
    kv = random_kv(n=50, dim=8)
    v = kv.vectors.astype(np.float64)

    def cos(a, b):
        return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))

    assert kv.similarity("k1", "k2") == pytest.approx(cos(v[1], v[2]), abs=1e-6)
    assert kv.distance("k1", "k2") == pytest.approx(1 - cos(v[1], v[2]), abs=1e-6)
    assert kv.n_similarity(["k1", "k2"], ["k3"]) == pytest.approx(cos(v[1] + v[2], v[3]), abs=1e-6)
    np.testing.assert_allclose(
        kv.distances("k1", ["k2", "k3"]), [1 - cos(v[1], v[2]), 1 - cos(v[1], v[3])], atol=1e-6
    )
    np.testing.assert_allclose(
        kv.distances(v[1].astype(np.float32)), 1 - ref_scores(v, v[1]), atol=1e-6
    )
    d = 1 - ref_scores(v, v[1])
    closer = kv.closer_than("k1", "k7")
    assert set(closer) == {kv.index_to_key[i] for i in np.flatnonzero(d < d[7]) if i != 1}
    assert kv.rank("k1", "k7") == len(closer) + 1
    assert (
        kv.most_similar_to_given("k1", ["k2", "k3", "k4"])
        == ["k2", "k3", "k4"][int(np.argmax([cos(v[1], v[i]) for i in (2, 3, 4)]))]
    )
    with pytest.raises(ZeroDivisionError):
        kv.n_similarity([], ["k1"])


def test_doesnt_match_and_centrality():
    kv = KeyedVectors(3)
    kv.add_vectors(
        ["cat", "dog", "cow", "car"],
        np.array([[1, 0.1, 0], [1, 0, 0.1], [0.9, 0.1, 0.1], [0, 0, 1]], np.float32),
    )
    assert kv.doesnt_match(["cat", "dog", "cow", "car"]) == "car"
    assert kv.doesnt_match(["cat", "dog", "car", "unknown"]) == "car"
    ranked = kv.rank_by_centrality(["cat", "dog", "car"])
    assert [w for _, w in ranked][-1] == "car"
    with pytest.raises(ValueError):
        kv.doesnt_match(["x", "y"])


def test_most_similar_cosmul_matches_reference():
    kv = random_kv(n=200, dim=8, seed=3)
    v = kv.vectors.astype(np.float64)
    unit = v / np.linalg.norm(v, axis=1, keepdims=True)
    cos = unit @ unit.T
    shift = (1 + cos) / 2
    scores = shift[:, 1] * shift[:, 2] / (shift[:, 3] + 1e-6)
    order = [i for i in np.argsort(-scores) if i not in (1, 2, 3)][:10]
    got = kv.most_similar_cosmul(positive=["k1", "k2"], negative=["k3"], topn=10)
    assert_ranking(got, [(kv.index_to_key[i], scores[i]) for i in order])
    limited = kv.most_similar_cosmul(positive=["k1"], topn=5, restrict_vocab=50)
    assert all(kv.key_to_index[k] < 50 for k, _ in limited)
    assert kv.most_similar_cosmul(positive=["k1"], topn=None).shape == (200,)


# ---- norm cache (#39) and threads (#40) -------------------------------------------------------


@pytest.mark.parametrize("change", ["add_vectors", "add_vector", "setitem", "replace", "assign"])
def test_norm_cache_is_invalidated_by_changes(change):
    kv = random_kv(n=30, dim=6)
    kv.most_similar("k0")  # fills the cache
    far = (kv["k0"] * 5).reshape(1, -1)
    if change == "add_vectors":
        kv.add_vectors(["new"], far)
    elif change == "add_vector":
        kv.add_vector("new", far[0])
    elif change == "setitem":
        kv["new"] = far[0]
    elif change == "replace":
        kv.add_vectors(["k9"], far, replace=True)
    else:
        vectors = kv.vectors.copy()
        vectors[9] = far
        kv.vectors = vectors
    expected = "k9" if change in ("replace", "assign") else "new"
    key, score = kv.most_similar("k0", topn=1)[0]
    assert key == expected and score == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(kv.norms, np.linalg.norm(kv.vectors, axis=1), rtol=1e-6)


def test_concurrent_queries_match_serial_and_compute_norms_once(monkeypatch):
    kv = random_kv(n=3000, dim=32, seed=4)
    queries = [f"k{i}" for i in range(0, 3000, 25)]
    serial = [kv.most_similar(q, topn=10) for q in queries]
    serial_batch = kv.most_similar_batch(queries, topn=10)
    kv._invalidate_norms()

    calls = []
    real = KeyedVectors._compute_norms

    def counting(vectors):
        calls.append(1)
        threading.Event().wait(0.05)  # widen the race window
        return real(vectors)

    monkeypatch.setattr(KeyedVectors, "_compute_norms", staticmethod(counting))
    barrier = threading.Barrier(8)
    results = [None] * 8
    errors = []

    def work(t):
        try:
            barrier.wait()
            mine = [kv.most_similar(q, topn=10) for q in queries]
            batch = kv.most_similar_batch(queries, topn=10)
            results[t] = (mine, batch)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors
    assert len(calls) == 1
    for mine, batch in results:
        assert mine == serial
        np.testing.assert_array_equal(batch[0], serial_batch[0])
        np.testing.assert_array_equal(batch[1], serial_batch[1])


# ---- batch queries ---------------------------------------------------------------------------


@pytest.mark.parametrize("block_size", [None, 1, 7])
@pytest.mark.parametrize("restrict", [None, 120])
def test_most_similar_batch_equals_single_queries(block_size, restrict):
    kv = random_kv(n=400, dim=16, seed=6)
    rng = np.random.default_rng(7)
    vec = rng.standard_normal(16).astype(np.float32)
    queries = ["k0", "k5", vec, "k399", "k130"]
    idx, scores = kv.most_similar_batch(
        queries, topn=12, restrict_vocab=restrict, block_size=block_size
    )
    assert idx.shape == scores.shape == (5, 12) and idx.dtype == np.int64
    for q, row_i, row_s in zip(queries, idx, scores):
        single = kv.most_similar(positive=[q], topn=12, restrict_vocab=restrict)
        assert_ranking([(kv.index_to_key[i], s) for i, s in zip(row_i, row_s)], single, tol=1e-5)
    lists = kv.most_similar_batch(queries, topn=12, restrict_vocab=restrict, return_keys=True)
    assert [[k for k, _ in row] for row in lists] == [
        [kv.index_to_key[i] for i in row] for row in idx
    ]
    mat = np.stack([kv["k0"], vec])
    idx2, sc2 = kv.most_similar_batch(mat, topn=12, restrict_vocab=restrict)
    # a vector query does not exclude anything: k0 finds itself first
    assert idx2[0, 0] == 0 and sc2[0, 0] == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_array_equal(idx2[1], idx[2])


def test_most_similar_batch_small_vocab_pads_own_row():
    kv = random_kv(n=4, dim=3)
    idx, sc = kv.most_similar_batch(["k0", "k1"], topn=10)
    assert idx.shape == (2, 4)
    assert idx[0, -1] == -1 and np.isneginf(sc[0, -1]) and 0 not in idx[0]
    assert len(kv.most_similar_batch(["k0"], topn=10, return_keys=True)[0]) == 3
    with pytest.raises(ValueError, match="topn"):
        kv.most_similar_batch(["k0"], topn=0)


# ---- indexers --------------------------------------------------------------------------------


class BruteForceIndexer:
    """gensim's indexer protocol, answered exactly."""

    def __init__(self, kv):
        self.kv = kv
        self.calls = []

    def most_similar(self, vector, num_neighbors):
        self.calls.append((vector.copy(), num_neighbors))
        sims = ref_scores(self.kv.vectors, vector)
        order = np.argsort(-sims)[:num_neighbors]
        return [(self.kv.index_to_key[i], sims[i]) for i in order]


def test_indexer_protocol():
    kv = random_kv()
    ix = BruteForceIndexer(kv)
    got = kv.most_similar(positive=["k1", "k2"], negative=["k9"], topn=7, indexer=ix)
    assert_ranking(got, ref_most_similar(kv, ["k1", "k2"], ["k9"], 7))
    vector, asked = ix.calls[0]
    assert asked == 7 + 3 and np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-6)
    assert all(k not in ("k1", "k2", "k9") for k, _ in got)


def test_usearch_indexer():
    pytest.importorskip("usearch")
    kv = random_kv(n=2000, dim=24, seed=8)
    ix = UsearchIndexer(kv, expansion_search=256)
    assert len(ix) == 2000
    hits = 0
    for q in [f"k{i}" for i in range(0, 2000, 40)]:
        exact = kv.most_similar(q, topn=10)
        approx = kv.most_similar(q, topn=10, indexer=ix)
        assert len(approx) == 10 and all(k != q for k, _ in approx)
        hits += len({k for k, _ in exact} & {k for k, _ in approx})
        for k, s in approx:
            assert s == pytest.approx(kv.similarity(q, k), abs=2e-3)
    assert hits / (50 * 10) > 0.9  # recall of HNSW with a generous search depth


def test_usearch_missing_is_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "usearch", None)
    monkeypatch.setitem(sys.modules, "usearch.index", None)
    with pytest.raises(ImportError, match="pip install usearch"):
        UsearchIndexer(random_kv(n=5))


# ---- adding vectors and attributes -----------------------------------------------------------


def test_add_vectors_semantics():
    kv = random_kv(n=3, dim=2)
    old = kv.vectors.copy()
    new = np.array([[9, 9], [8, 8], [7, 7], [6, 6]], dtype=np.float32)
    kv.add_vectors(["k1", "x", "y", "x"], new)
    assert kv.index_to_key == ["k0", "k1", "k2", "x", "y"]
    np.testing.assert_array_equal(kv["k1"], old[1])  # kept: replace=False
    np.testing.assert_array_equal(kv["x"], new[1])  # first of the repeated key
    kv.add_vectors(["k1", "y"], new[:2], replace=True)
    np.testing.assert_array_equal(kv["k1"], new[0])
    np.testing.assert_array_equal(kv["y"], new[1])
    assert kv.key_to_index == {k: i for i, k in enumerate(kv.index_to_key)}
    kv.add_vectors(["z", "k0"], new[:2], extras={"count": np.array([5, 6])}, replace=True)
    assert kv.get_vecattr("z", "count") == 5 and kv.get_vecattr("k0", "count") == 6
    assert kv.get_vecattr("x", "count") == 0 and len(kv.expandos["count"]) == len(kv)
    kv.add_vectors("single", np.array([1, 2], dtype=np.float32))
    assert kv.index_to_key[-1] == "single"
    with pytest.raises(ValueError, match="shape"):
        kv.add_vectors(["a", "b"], np.zeros((2, 3)))


def test_add_vector_fills_preallocated_slots_then_grows():
    kv = KeyedVectors(2, count=2)
    assert kv.add_vector("a", np.array([1, 0])) == 0
    assert kv.add_vector("b", np.array([0, 1])) == 1
    assert kv.add_vector("c", np.array([1, 1])) == 2
    assert kv.index_to_key == ["a", "b", "c"] and kv.vectors.shape == (3, 2)
    assert kv.add_vector("a", np.array([2, 2])) == 0  # existing: replaced
    np.testing.assert_array_equal(kv["a"], [2, 2])


def test_vecattrs():
    kv = random_kv(n=4, dim=2)
    kv.set_vecattr("k1", "count", 10)
    kv.set_vecattr("k2", "weight", 0.5)
    kv.set_vecattr("k3", "tag", "hello")
    assert kv.get_vecattr("k1", "count") == 10 and kv.expandos["count"].dtype == np.int64
    assert kv.get_vecattr("k2", "weight") == 0.5 and kv.get_vecattr("k3", "tag") == "hello"
    kv.set_vecattr("k2", "weight", 2)  # int into float: fine
    with pytest.raises(TypeError, match="count"):
        kv.set_vecattr("k1", "count", 1.5)


def test_sort_by_descending_frequency():
    kv = random_kv(n=5, dim=2)
    vec = {k: kv[k].copy() for k in kv.index_to_key}
    kv.expandos["count"] = np.array([1, 5, 3, 5, 0], dtype=np.int64)
    kv.sort_by_descending_frequency()
    assert kv.index_to_key == ["k1", "k3", "k2", "k0", "k4"]
    for k in kv.index_to_key:
        np.testing.assert_array_equal(kv[k], vec[k])
    assert kv.expandos["count"].tolist() == [5, 5, 3, 1, 0]


def test_deprecated_aliases_warn():
    kv = random_kv(n=10, dim=3)
    with pytest.warns(DeprecationWarning):
        kv.init_sims()
    with pytest.warns(DeprecationWarning):
        assert kv.words_closer_than("k1", "k2") == kv.closer_than("k1", "k2")
    with pytest.raises(AttributeError, match="get_normed_vectors"):
        _ = kv.vectors_norm
    with pytest.warns(DeprecationWarning):
        kv.init_sims(replace=True)
    np.testing.assert_allclose(np.linalg.norm(kv.vectors, axis=1), 1.0, rtol=1e-6)


def test_pickle_and_deepcopy_keep_working():
    kv = random_kv(n=20, dim=4)
    kv.fill_norms()
    for clone in (copy.deepcopy(kv), pickle.loads(pickle.dumps(kv))):
        assert clone.index_to_key == kv.index_to_key
        assert clone.most_similar("k1") == kv.most_similar("k1")


def test_vectors_for_all_and_relative_cosine():
    kv = random_kv(n=10, dim=4)
    kv.expandos["count"] = np.arange(10, dtype=np.int64)
    sub = kv.vectors_for_all(["k3", "nope", "k1", "k3"], copy_vecattrs=True)
    assert sub.index_to_key == ["k3", "k1"]
    np.testing.assert_array_equal(sub.vectors, kv.vectors[[3, 1]])
    assert sub.expandos["count"].tolist() == [3, 1]
    sims = kv.most_similar("k1", topn=3)
    assert kv.relative_cosine_similarity("k1", "k2", topn=3) == pytest.approx(
        kv.similarity("k1", "k2") / sum(s for _, s in sims)
    )


# ---- native save / load (#13, #32) -----------------------------------------------------------


@pytest.mark.parametrize(
    "keys",
    [
        ["a", "日本語", "é\u0301", "🙂"],
        [5, 2, 17, 0],
        ["x", 3, "4", 4],
    ],
)
def test_save_load_round_trip_keeps_key_types(tmp_path, keys):
    kv = random_kv(keys=keys, dim=5)
    kv.expandos["count"] = np.array([4, 3, 2, 1], dtype=np.int64)
    kv.expandos["flag"] = np.array([True, False, True, False])
    kv.expandos["w"] = np.array([0.5, 1, 2, 3], dtype=np.float32)
    kv.set_vecattr(keys[0], "tag", "first")
    kv.save(tmp_path / "kv")
    back = KeyedVectors.load(tmp_path / "kv")
    assert back.index_to_key == keys
    assert [type(k) for k in back.index_to_key] == [type(k) for k in keys]
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    for name in ("count", "flag", "w"):
        np.testing.assert_array_equal(back.expandos[name], kv.expandos[name])
        assert back.expandos[name].dtype == kv.expandos[name].dtype
    assert back.get_vecattr(keys[0], "tag") == "first"
    assert back.most_similar(keys[1]) == kv.most_similar(keys[1])


def test_load_with_mmap_is_read_only_and_queryable(tmp_path):
    kv = random_kv(n=50, dim=8)
    kv.save(tmp_path / "kv")
    back = KeyedVectors.load(tmp_path / "kv", mmap="r")
    assert isinstance(back.vectors, np.memmap) and not back.vectors.flags.writeable
    assert back.most_similar("k3") == kv.most_similar("k3")
    with pytest.raises(ValueError):
        back.vectors[0, 0] = 1


def test_save_refuses_bad_keys_and_nonfinite_vectors(tmp_path):
    kv = random_kv(keys=["a", ("b", 2), "c"], dim=2)
    with pytest.raises(TypeError, match=r"\('b', 2\) at position 1"):
        kv.save(tmp_path / "kv")
    kv = random_kv(keys=["a", 1.5], dim=2)
    with pytest.raises(TypeError, match="1.5"):
        kv.save(tmp_path / "kv")
    with pytest.raises(TypeError, match="None"):
        KeyedVectors(2, count=2).save(tmp_path / "kv")
    kv = random_kv(n=5, dim=2)
    kv.vectors[3, 0] = np.nan
    with pytest.raises(ValueError, match=r"'k3' \(row 3\) contains NaN"):
        kv.save(tmp_path / "kv")
    assert not os.path.exists(tmp_path / "kv")


def test_load_refuses_pickles_and_names_other_formats(tmp_path):
    (tmp_path / "p").write_bytes(pickle.dumps(random_kv(n=3)))
    with pytest.raises(FormatError, match="pickle"):
        KeyedVectors.load(tmp_path / "p")
    random_kv(n=3).save_word2vec_format(tmp_path / "w")
    with pytest.raises(FormatError, match="load_word2vec_format"):
        KeyedVectors.load(tmp_path / "w")


def test_failed_save_keeps_previous_file(tmp_path, monkeypatch):
    random_kv(n=3, seed=1).save(tmp_path / "kv")
    before = (tmp_path / "kv").read_bytes()
    from fastembed_core.io import native

    def boom(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(native.os, "fsync", boom)
    with pytest.raises(OSError):
        random_kv(n=30, seed=2).save(tmp_path / "kv")
    monkeypatch.undo()
    assert (tmp_path / "kv").read_bytes() == before
    assert os.listdir(tmp_path) == ["kv"]


# ---- evaluation ------------------------------------------------------------------------------


def planted_analogies(tmp_path):
    """Vectors where b - a + c == d exactly for the 'capital' questions, and files of them."""
    rng = np.random.default_rng(11)
    dim = 40
    countries = ["france", "italy", "spain", "japan", "peru"]
    capitals = ["paris", "rome", "madrid", "tokyo", "lima"]
    offset = rng.standard_normal(dim) * 3
    kv = KeyedVectors(dim)
    base = rng.standard_normal((5, dim))
    kv.add_vectors(countries, base.astype(np.float32))
    kv.add_vectors(capitals, (base + offset).astype(np.float32))
    kv.add_vectors(
        [f"noise{i}" for i in range(50)], rng.standard_normal((50, dim)).astype(np.float32)
    )
    lines = [": capital-country"]
    for i in range(5):
        for j in range(5):
            if i != j:
                lines.append(
                    f"{countries[i].title()} {capitals[i]} {countries[j]} {capitals[j].upper()}"
                )
    lines += [
        ": unsolvable",
        "paris france noise1 noise2",
        "lima peru noise3 unknownword",
        "too few words",
    ]
    path = tmp_path / "questions.txt"
    path.write_text("\n".join(lines) + "\n")
    return kv, path


def test_evaluate_word_analogies_on_planted_structure(tmp_path):
    kv, path = planted_analogies(tmp_path)
    score, sections = kv.evaluate_word_analogies(path)
    assert [s["section"] for s in sections] == ["capital-country", "unsolvable", "Total accuracy"]
    assert len(sections[0]["correct"]) == 20 and not sections[0]["incorrect"]
    assert sections[0]["correct"][0] == ("FRANCE", "PARIS", "ITALY", "ROME")
    assert len(sections[1]["incorrect"]) == 1 and not sections[1]["correct"]
    assert score == pytest.approx(20 / 21)
    score, sections = kv.evaluate_word_analogies(path, dummy4unknown=True)
    assert score == pytest.approx(20 / 22)
    score, _ = kv.evaluate_word_analogies(path, case_insensitive=False)
    assert score == 0.0  # "France" and "ROME" do not exist with that case
    score_mul, _ = kv.evaluate_word_analogies(path, similarity_function="most_similar_cosmul")
    assert score_mul == pytest.approx(20 / 21)
    score, sections = kv.evaluate_word_analogies(path, restrict_vocab=8)
    assert sum(len(s["correct"]) + len(s["incorrect"]) for s in sections[:-1]) < 20
    with pytest.raises(ValueError, match="similarity_function"):
        kv.evaluate_word_analogies(path, similarity_function="nope")


def test_evaluate_word_analogies_matches_single_queries(tmp_path):
    """The batched answers are what most_similar(positive=[b, c], negative=[a]) answers."""
    kv = random_kv(n=200, dim=10, seed=12)
    rng = np.random.default_rng(13)
    lines = [": random"]
    quads = []
    for _ in range(150):
        q = [f"k{i}" for i in rng.choice(200, 4, replace=False)]
        quads.append(q)
        lines.append(" ".join(q))
    path = tmp_path / "q.txt"
    path.write_text("\n".join(lines) + "\n")
    # make a third of them solvable
    for a, b, c, d in quads[::3]:
        kv.vectors[kv.key_to_index[d]] = kv[b] - kv[a] + kv[c]
    kv._invalidate_norms()
    _, sections = kv.evaluate_word_analogies(path, case_insensitive=False)
    expected = []
    for a, b, c, d in quads:
        best = kv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0]
        expected.append(best == d)
    assert [tuple(q) in sections[0]["correct"] for q in quads] == expected
    assert 10 < sum(expected) < len(quads)  # both outcomes are exercised


def test_evaluate_word_pairs(tmp_path):
    kv = random_kv(n=30, dim=6, seed=14)
    rng = np.random.default_rng(15)
    lines = ["# comment", "not a valid line"]
    pairs = []
    for _ in range(40):
        a, b = rng.choice(30, 2, replace=False)
        pairs.append((f"k{a}", f"k{b}"))
        lines.append(f"K{a}\tk{b}\t{rng.uniform(0, 10):.2f}")
    lines.append("k1\tunknown\t3.0")
    path = tmp_path / "pairs.tsv"
    path.write_text("\n".join(lines) + "\n")
    pearson, spearman, oov = kv.evaluate_word_pairs(path)
    gold = [float(ln.split("\t")[2]) for ln in lines[2:-1]]
    model = [kv.similarity(a, b) for a, b in pairs]
    ref_p, ref_s = vstats.pearson_spearman(gold, model)
    assert pearson[0] == pytest.approx(ref_p[0], abs=1e-6)
    assert spearman[0] == pytest.approx(ref_s[0], abs=1e-6)
    assert oov == pytest.approx(100 / 41)
    _, _, oov = kv.evaluate_word_pairs(path, dummy4unknown=True)
    assert oov == pytest.approx(100 / 41)
    with pytest.raises(ValueError, match="No valid similarity"):
        kv.evaluate_word_pairs(path, case_insensitive=False, restrict_vocab=0)


def test_numpy_statistics_match_scipy():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(16)
    for n in (3, 4, 10, 57, 353, 2000):
        x = rng.standard_normal(n)
        y = 0.3 * x + rng.standard_normal(n)
        y[: n // 5] = np.round(y[: n // 5])  # some ties for the ranks
        x[: n // 7] = 1.0
        (r, p), (rho, prho) = vstats.pearson_spearman(x, y)
        ref_r = stats.pearsonr(x, y)
        ref_rho = stats.spearmanr(x, y)
        assert r == pytest.approx(ref_r[0], rel=1e-10, abs=1e-12)
        assert p == pytest.approx(ref_r[1], rel=1e-7, abs=1e-300)
        assert rho == pytest.approx(ref_rho[0], rel=1e-10, abs=1e-12)
        assert prho == pytest.approx(ref_rho[1], rel=1e-7, abs=1e-300)
    np.testing.assert_allclose(vstats.rankdata([3, 1, 3, 2]), [3.5, 1, 3.5, 2])


def test_incomplete_beta_known_values():
    assert vstats.betainc(1.0, 1.0, 0.3) == pytest.approx(0.3, rel=1e-12)
    assert vstats.betainc(4.0, 4.0, 0.5) == pytest.approx(0.5, rel=1e-12)
    assert vstats.betainc(2.0, 1.0, 0.6) == pytest.approx(0.36, rel=1e-12)  # x^a when b=1
    assert vstats.betainc(0.5, 0.5, 0.25) == pytest.approx(1 / 3, rel=1e-10)  # arcsine law


def test_evaluate_word_pairs_without_scipy(tmp_path, monkeypatch):
    kv = random_kv(n=20, dim=4, seed=17)
    path = tmp_path / "p.tsv"
    path.write_text("".join(f"k{i}\tk{i + 1}\t{(i * 7) % 10}\n" for i in range(19)))
    with_scipy = kv.evaluate_word_pairs(path)
    monkeypatch.setitem(sys.modules, "scipy", None)
    without = kv.evaluate_word_pairs(path)
    for a, b in zip(with_scipy[:2], without[:2]):
        assert a == pytest.approx(b, rel=1e-6)
