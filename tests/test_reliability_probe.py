"""Reliability, round two: the cases an outside probe found (signals, pipes, full and read-only
filesystems, memory limits, fuzzed readers), each with a test that failed before its fix.

Rows are named P<n>, in the order of the probe's report; rows tested elsewhere say where.

====  =====================================================================================
row   test
====  =====================================================================================
P1    test_vocab_iterable.py::test_tokens_created_during_iteration_are_counted_correctly,
      ..._are_encoded_correctly, test_sentences_from_a_pandas_groupby_count_like_python;
      test_sanitizers.py::test_python_corpus_path_under_address_sanitizer;
      fuzz target token_counter (test_fuzz_smoke.py)
P5    here: test_p5_sparse_item_ids_cost_memory_by_distinct_ids, test_p5_ids_near_2_63_train,
      test_p5_sparse_and_dense_encodings_agree
====  =====================================================================================
"""

import tracemalloc

import numpy as np
import pytest

from fastembed_core import EncodedCorpus, Word2Vec
from fastembed_core.models.vocab import encode_ids


def _train(ids, sentence_length=6, **kw):
    ids = np.asarray(ids, dtype=np.int64)
    offsets = np.arange(0, ids.size + 1, sentence_length)
    args = dict(vector_size=8, min_count=1, workers=1, seed=1, epochs=1)
    args.update(kw)
    return Word2Vec(EncodedCorpus(ids, offsets), **args)


def test_p5_sparse_item_ids_cost_memory_by_distinct_ids():
    # id 5e8 used to build a dense 5e8-entry lookup table (3.8 GB) for 4 distinct ids
    ids = [500_000_000, 5, 500_000_000, 7, 5, 123_456_789] * 10
    tracemalloc.start()
    try:
        model = _train(ids)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20, f"peak {peak / 2**20:.0f} MiB for 4 distinct ids"
    assert sorted(model.wv.index_to_key) == [5, 7, 123_456_789, 500_000_000]


def test_p5_ids_near_2_63_train():
    # numpy refused the table ("array is too big") for ids near 2**63
    top = 2**63 - 1
    model = _train([top, 1, top, top - 1, 1, 2] * 10)
    assert model.wv[top].shape == (8,) and model.wv.get_vecattr(top, "count") == 20


@pytest.mark.parametrize("largest", [1_000, 10**12])
def test_p5_sparse_and_dense_encodings_agree(largest):
    rng = np.random.default_rng(largest)
    keys = rng.choice(largest, size=200, replace=False)
    ids = rng.choice(keys, size=5_000)
    offsets = np.concatenate(([0], np.sort(rng.choice(np.arange(1, 5_000), 300, replace=False)), [5_000]))
    known = {int(k): i for i, k in enumerate(keys[::2])}  # half the keys are in the vocabulary
    got_ids, got_offsets, raw, n = encode_ids(EncodedCorpus(ids, offsets), known)
    want, want_offsets = [], [0]
    for a, b in zip(offsets[:-1], offsets[1:]):
        row = [known[int(t)] for t in ids[a:b] if int(t) in known]
        if row:
            want += row
            want_offsets.append(len(want))
    assert got_ids.tolist() == want and got_offsets.tolist() == want_offsets
    assert (raw, n) == (5_000, 301)
