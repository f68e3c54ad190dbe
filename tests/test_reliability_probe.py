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
P11   here: test_p11_edited_native_header_is_refused, test_p11_swapped_arrays_are_refused,
      test_p11_version_1_files_without_header_checksum_still_load
P5    here: test_p5_sparse_item_ids_cost_memory_by_distinct_ids, test_p5_ids_near_2_63_train,
      test_p5_sparse_and_dense_encodings_agree
====  =====================================================================================
"""

import json
import struct
import tracemalloc

import numpy as np
import pytest

from fastembed_core import EncodedCorpus, KeyedVectors, Word2Vec
from fastembed_core.errors import FormatError
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
    offsets = np.concatenate(
        ([0], np.sort(rng.choice(np.arange(1, 5_000), 300, replace=False)), [5_000])
    )
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


# ---- P11: the native container's header is covered by a checksum --------------------------


def _saved(tmp_path):
    model = Word2Vec(
        [["a", "b", "c"], ["b", "c", "a"]] * 5,
        vector_size=4,
        min_count=1,
        workers=1,
        seed=1,
        epochs=1,
    )
    path = str(tmp_path / "m.fe")
    model.save(path)
    with open(path, "rb") as f:
        blob = f.read()
    (hlen,) = struct.unpack("<Q", blob[8:16])
    return path, blob, hlen


def _edit_header_in_place(path, blob, hlen, edit):
    """Changes header bytes without changing their length and without a new checksum: what an
    edit by hand or a flipped bit on disk does."""
    header = edit(blob[16 : 16 + hlen])
    assert len(header) == hlen
    with open(path, "wb") as f:
        f.write(blob[:16] + header + blob[16 + hlen :])


def test_p11_edited_native_header_is_refused(tmp_path):
    path, blob, hlen = _saved(tmp_path)
    _edit_header_in_place(path, blob, hlen, lambda h: h.replace(b'"window": 5', b'"window": 9'))
    with pytest.raises(FormatError, match="header checksum mismatch"):
        Word2Vec.load(path)


def test_p11_swapped_arrays_are_refused(tmp_path):
    path, blob, hlen = _saved(tmp_path)

    def swap(header):
        # "vectors" and "syn1neg" have the same length and size, so every offset stays valid
        assert (
            json.loads(header)["arrays"]["vectors"]["nbytes"]
            == json.loads(header)["arrays"]["syn1neg"]["nbytes"]
        )
        swapped = header.replace(b'"vectors"', b'"@"').replace(b'"syn1neg"', b'"vectors"')
        return swapped.replace(b'"@"', b'"syn1neg"')

    _edit_header_in_place(path, blob, hlen, swap)
    with pytest.raises(FormatError, match="header checksum mismatch"):
        Word2Vec.load(path)


def test_p11_version_1_files_without_header_checksum_still_load(tmp_path):
    kv = KeyedVectors(3)
    kv.add_vectors(["x", "y"], np.arange(6, dtype=np.float32).reshape(2, 3))
    path = str(tmp_path / "v.fe")
    kv.save(path)
    with open(path, "rb") as f:
        blob = f.read()
    (hlen,) = struct.unpack("<Q", blob[8:16])
    doc = json.loads(blob[16 : 16 + hlen])
    # rebuild the file as version 1 wrote it: no checksum after the header
    doc["format_version"] = 1
    old_start = -(-(20 + hlen) // 64) * 64
    header = json.dumps(doc).encode()
    start = -(-(16 + len(header)) // 64) * 64
    for info in doc["arrays"].values():
        info["offset"] += start - old_start
    header = json.dumps(doc).encode()
    assert -(-(16 + len(header)) // 64) * 64 == start
    header += b" " * (start - 16 - len(header))
    with open(path, "wb") as f:
        f.write(blob[:8] + struct.pack("<Q", len(header)) + header + blob[old_start:])
    loaded = KeyedVectors.load(path)
    assert loaded.index_to_key == ["x", "y"]
    np.testing.assert_array_equal(loaded.vectors, kv.vectors)
