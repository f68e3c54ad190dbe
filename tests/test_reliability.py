"""Bad input and faults: the rows of the reliability table not covered elsewhere.

Each test asserts the exception type and a fragment of the message. Rows already covered by a
test that does so live where they are; this table says where (file::test):

====  =====================================================================================
row   test
====  =====================================================================================
1     test_word2vec.py::test_string_sentences_are_refused
2     test_word2vec.py::test_generator_is_refused_for_multiple_passes
3     test_word2vec.py::test_empty_corpus_is_refused
4     test_word2vec.py::test_nothing_above_min_count_names_the_top_word
5     test_word2vec.py::test_long_text_loses_no_token; tests/c/test_train.c test_long_sentence
6     test_corpus_file.py::test_one_enormous_line_streams_in_bounded_memory (reader);
      here: test_row6_enormous_line_through_word2vec
7     test_corpus_file.py::test_strict_names_file_line_and_byte_offset,
      test_replace_and_ignore_match_python_and_log (reader);
      here: test_row7_undecodable_corpus_through_word2vec
8     test_corpus_file.py::test_bom_only_at_the_start_of_a_file, test_only_ascii_whitespace_separates;
      here: test_row8_crlf_bom_tabs_through_word2vec
9     test_corpus_file.py::test_remote_and_compressed_paths_are_refused,
      test_gzip_content_is_recognised; here: test_row9_compressed_or_remote_corpus_file
10    test_training_faults.py::test_iterator_error_reaches_caller_with_traceback,
      test_iterator_error_during_train_keeps_model_usable
11    test_training_faults.py::test_callback_error_reaches_caller_and_threads_are_joined
12    test_training_faults.py::test_ctrl_c_stops_training_promptly_and_model_stays_usable
13    test_word2vec.py::test_learning_rate_too_high_raises_diverged;
      here: test_row13_save_refuses_nonfinite_weights
14    test_word2vec.py::test_invalid_hyperparameters
15    test_word2vec.py::test_invalid_hyperparameters (workers=0/True/2.5),
      test_more_workers_than_cores_warns_and_works
16    here: test_row16_model_too_big_is_refused_before_allocating
17    here: test_row17_counts_above_2_32_*
18    tests/c/test_train.c test_rows_past_2_32, test_offset_arithmetic;
      here: test_row18_sizes_are_64_bit
19    test_training_faults.py::test_mutating_while_training_is_refused
20    test_training_faults.py::test_read_only_weights_are_refused_before_training;
      here: test_row20_*
21    test_word2vec.py::test_single_worker_is_bitwise_reproducible_across_processes
22    test_formats.py::test_wrong_kind_of_file_is_named (and the tests after it),
      test_keyedvectors.py::test_load_refuses_pickles_and_names_other_formats
23    test_formats.py::test_truncated_text_file, test_truncated_binary_file
24    test_formats.py::test_more_records_than_header
25    test_formats.py::test_absurd_headers_fail_before_allocating, test_impossible_count_is_explained
26    test_formats.py::test_wrong_number_of_values, test_key_with_a_space_is_diagnosed
27    test_formats.py::test_unparsable_float_names_line_and_column,
      test_nonfinite_text_values_are_rejected_unless_allowed, ..._binary_...
28    test_formats.py::test_giant_token_without_space_is_bounded
29    test_formats.py::test_duplicate_keys
30    test_formats.py::test_keys_with_whitespace_are_refused_and_nothing_written
31    test_formats.py::test_failed_write_leaves_previous_file_untouched,
      test_unwritable_path_raises_oserror; test_keyedvectors.py::test_failed_save_keeps_previous_file
32    test_keyedvectors.py::test_load_refuses_pickles_and_names_other_formats
33    here: test_row33_*
34    test_formats.py::test_foreign_byte_order_path_round_trips
35    test_formats.py::test_round_trip_at_every_chunk_size
36    test_keyedvectors.py::test_unknown_key_raises_oov_error, test_lookups
37    test_keyedvectors.py::test_integer_keys_are_keys_never_positions
38    test_keyedvectors.py::test_empty_query_is_a_value_error, test_zero_vectors_score_zero_never_nan
39    test_keyedvectors.py::test_norm_cache_is_invalidated_by_changes
40    test_keyedvectors.py::test_concurrent_queries_match_serial_and_compute_norms_once
====  =====================================================================================

The last section holds regression tests of loader bugs found by the fuzz targets in fuzz/.

The cases of the second probe (memory safety, hangs, silent results, files written but not
read back, misleading errors) are rows P1-P38 of tests/test_reliability_probe.py.
"""

import copy
import json
import math
import os
import struct
import zlib

import numpy as np
import pytest

from fastembed_core import _kernel
from fastembed_core.errors import CorpusError, FormatError, UnsupportedVersionError
from fastembed_core.io import native
from fastembed_core.models import vocab as vocab_mod
from fastembed_core.models.vocab import EncodedCorpus
from fastembed_core.models.word2vec import Word2Vec
from fastembed_core.vectors.keyedvectors import KeyedVectors


def small_model(**kw):
    args = dict(vector_size=8, min_count=1, epochs=1, workers=1, seed=3, sample=0)
    args.update(kw)
    return Word2Vec(**args)


# ---- training input ----------------------------------------------------------------------


def test_row6_enormous_line_through_word2vec(tmp_path):
    """One line of 600,000 tokens (3.5 MB, several reader chunks, no newline) trains whole."""
    words = [f"w{i % 50}" for i in range(600_000)]
    path = tmp_path / "one_line.txt"
    path.write_text(" ".join(words))
    model = small_model(window=2)
    model.build_vocab(corpus_file=str(path))
    assert model.corpus_count == 1 and model.corpus_total_words == len(words)
    effective, raw = model.train(corpus_file=str(path), total_words=len(words), epochs=1)
    assert raw == len(words) and effective == len(words)  # sample=0: nothing dropped
    assert len(model.wv) == 50 and np.isfinite(model.wv.vectors).all()


def test_row7_undecodable_corpus_through_word2vec(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("good words here\nd\u00e9j\u00e0 vu\n".encode("latin-1"))
    with pytest.raises(CorpusError, match=r"latin1\.txt.*line 2, byte offset 17.*errors='replace'"):
        Word2Vec(corpus_file=str(path), min_count=1, vector_size=8, workers=1)
    # a multibyte character cut at the end of the file
    cut = tmp_path / "cut.txt"
    cut.write_bytes("caf\u00e9 ok\ncaf\u00e9".encode("utf-8")[:-1])
    with pytest.raises(CorpusError, match=r"line 2"):
        Word2Vec(corpus_file=str(cut), min_count=1, vector_size=8, workers=1)


def test_row7_lenient_decoding_is_reachable_from_word2vec(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("good words here\nd\u00e9j\u00e0 vu\n".encode("latin-1"))
    model = Word2Vec(
        corpus_file=str(path), min_count=1, vector_size=8, workers=1, corpus_file_errors="replace"
    )
    assert "d\ufffdj\ufffd" in model.wv


def test_row8_crlf_bom_tabs_through_word2vec(tmp_path):
    plain = tmp_path / "plain.txt"
    messy = tmp_path / "messy.txt"
    lines = [["the", "cat", "sat"], ["a", "dog", "ran", "far"], ["the", "end"]] * 30
    plain.write_text("\n".join(" ".join(s) for s in lines) + "\n")
    messy.write_bytes(
        b"\xef\xbb\xbf" + b"".join(b"\t".join(w.encode() for w in s) + b"   \r\n" for s in lines)
    )
    a = small_model(corpus_file=str(plain))
    b = small_model(corpus_file=str(messy))
    assert a.wv.index_to_key == b.wv.index_to_key
    assert "\ufeffthe" not in b.wv and not any("\r" in k for k in b.wv.index_to_key)
    assert a.corpus_count == b.corpus_count and a.corpus_total_words == b.corpus_total_words
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)  # same ids, same seed


@pytest.mark.parametrize(
    "name,fragment",
    [
        ("corpus.txt.gz", "gz"),
        ("corpus.bz2", "bz2"),
        ("s3://bucket/corpus.txt", "s3://"),
        ("http://example.com/corpus.txt", "http://"),
    ],
)
def test_row9_compressed_or_remote_corpus_file(tmp_path, name, fragment):
    path = name if "://" in name else str(tmp_path / name)
    if "://" not in name:
        with open(path, "wb") as f:
            f.write(b"\x1f\x8b\x08\x00" + b"\0" * 20)
    with pytest.raises(CorpusError, match=fragment):
        Word2Vec(corpus_file=path, min_count=1, vector_size=8, workers=1)


def test_row9_gzip_content_under_a_plain_name(tmp_path):
    import gzip

    path = tmp_path / "corpus.txt"
    path.write_bytes(gzip.compress(b"the cat sat\n" * 100))
    with pytest.raises(CorpusError, match="gzip-compressed: decompress it first"):
        Word2Vec(corpus_file=str(path), min_count=1, vector_size=8, workers=1)


def test_row13_save_refuses_nonfinite_weights(tmp_path):
    model = small_model(sentences=[["a", "b", "c"]] * 10)
    model.wv.vectors[1, 2] = np.nan
    target = tmp_path / "model.fe"
    with pytest.raises(ValueError, match="refusing to save: vectors contains NaN or inf"):
        model.save(str(target))
    assert not target.exists()


def test_row16_model_too_big_is_refused_before_allocating():
    avail = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    dim = 1 << 16
    n_words = int(avail // (dim * 4)) + 1000  # input vectors alone exceed physical memory
    model = Word2Vec(vector_size=dim, min_count=1, workers=1)
    with pytest.raises(
        MemoryError, match=rf"GiB \({n_words} words x {dim} dims\).*lower vector_size"
    ):
        model.build_vocab_from_freq({f"w{i}": 1 for i in range(n_words)})
    assert len(model.wv) == 0  # nothing was allocated


def test_row17_counts_above_2_32_keep_their_value():
    freq = {"huge": 2**40 + 3, "big": 2**33 + 7, "small": 5}
    model = small_model(sample=1e-3)
    model.build_vocab_from_freq(freq)
    counts = model.wv.expandos["count"]
    assert counts.dtype == np.int64
    assert dict(zip(model.wv.index_to_key, counts.tolist())) == freq
    assert model.corpus_total_words == sum(freq.values())


def test_row17_subsampling_thresholds_with_counts_above_2_32():
    counts = np.array([2**40, 2**35, 2**33 + 1, 12], dtype=np.int64)
    sample = 1e-3
    got = vocab_mod.keep_thresholds(counts, sample)
    t = sample * float(sum(int(c) for c in counts))
    for c, thr in zip(counts.tolist(), got.tolist()):
        p = min((math.sqrt(c / t) + 1) * t / c, 1.0)
        assert abs(thr - p * 4294967295) <= 2, (c, thr, p)
    assert got[-1] == 0xFFFFFFFF and got[0] < got[1] < got[2]


def test_row17_negative_sampling_with_counts_above_2_32():
    counts = np.array([2**40, 2**35, 2**33 + 1, 12], dtype=np.int64)
    weights = vocab_mod.negative_weights(counts, 0.75)
    expected = counts.astype(np.float64) ** 0.75
    np.testing.assert_allclose(weights, expected, rtol=1e-12)
    draws = _kernel.alias_draw(_kernel.alias_build(weights), 400_000, 7)
    freq = np.bincount(draws, minlength=4) / draws.size
    p = expected / expected.sum()
    # 5 binomial standard deviations
    assert np.all(np.abs(freq - p) <= 5 * np.sqrt(p * (1 - p) / draws.size) + 1e-9), (freq, p)


def test_row17_huffman_with_counts_above_2_32():
    counts = np.array([2**40, 2**35, 2**33 + 1, 12, 11], dtype=np.int64)
    offset, code, point = _kernel.huffman(counts)
    depth = np.diff(offset)
    assert depth[0] == 1 and depth.tolist() == sorted(depth.tolist())
    assert abs(sum(2.0**-d for d in depth) - 1.0) < 1e-12


def test_row18_sizes_are_64_bit():
    # 2^20 words x 2^13 dims = 2^33 elements: every size is a Python int, never wrapped
    need = vocab_mod.estimate_bytes(1 << 20, 1 << 13, 5, 1)
    assert need == ((1 << 20) * 3) * (1 << 13) * 4 + (1 << 20) * 32
    assert need > 1 << 34


def _run(w_in, **kw):
    vocab, dim = 5, 4
    args = dict(
        w_out=np.zeros((vocab, dim), np.float32),
        w_hs=None,
        sg=1,
        hs=0,
        negative=2,
        window=2,
        cbow_mean=1,
        shrink_windows=True,
        compute_loss=False,
        alpha=0.025,
        min_alpha=0.0001,
        keep_threshold=None,
        alias=_kernel.alias_build(np.ones(vocab)),
        hs_offset=None,
        hs_code=None,
        hs_point=None,
        total_words=10,
    )
    args.update(kw)
    w_out = args.pop("w_out")
    w_hs = args.pop("w_hs")
    return _kernel.TrainingRun(w_in, w_out, w_hs, **args)


@pytest.mark.parametrize(
    "make,fragment",
    [
        (lambda: np.zeros((5, 4), np.float64), "dtype mismatch"),
        (lambda: np.zeros((5, 8), np.float32)[:, ::2], "not C-contiguous"),
        (lambda: np.asfortranarray(np.zeros((5, 4), np.float32)), "not C-contiguous"),
        (lambda: np.zeros(20, np.float32), "dimensions"),
    ],
)
def test_row20_kernel_refuses_wrong_weight_arrays(make, fragment):
    with pytest.raises(ValueError, match=fragment):
        _run(make())


def test_row20_kernel_refuses_read_only_weights():
    w_in = np.zeros((5, 4), np.float32)
    w_in.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        _run(w_in)
    w_out = np.zeros((5, 4), np.float32)
    w_out.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        _run(np.zeros((5, 4), np.float32), w_out=w_out)


def test_row20_kernel_refuses_mismatched_tables():
    with pytest.raises(ValueError, match=r"w_out must have shape \(5, 4\)"):
        _run(np.zeros((5, 4), np.float32), w_out=np.zeros((4, 4), np.float32))
    with pytest.raises(ValueError, match="alias table must have 5 entries"):
        _run(np.zeros((5, 4), np.float32), alias=_kernel.alias_build(np.ones(3)))
    with pytest.raises(ValueError, match="keep_threshold must have 5 entries"):
        _run(np.zeros((5, 4), np.float32), keep_threshold=np.zeros(4, np.uint32))
    with pytest.raises(ValueError, match="dtype mismatch"):
        _run(np.zeros((5, 4), np.float32), keep_threshold=np.zeros(5, np.int64))


@pytest.mark.parametrize(
    "ids,offsets,fragment",
    [
        (np.arange(4, dtype=np.int64), np.array([0, 4], np.int64), "dtype mismatch"),
        (np.arange(8, dtype=np.uint32)[::2], np.array([0, 4], np.int64), "not C-contiguous"),
        (np.arange(4, dtype=np.uint32), np.array([0, 4], np.int32), "dtype mismatch"),
        (np.array([0, 1, 9, 2], np.uint32), np.array([0, 4], np.int64), "token id 9 at position 2"),
        (np.arange(4, dtype=np.uint32), np.array([0, 5], np.int64), "end at len"),
        (np.arange(4, dtype=np.uint32), np.array([0, 3, 2, 4], np.int64), "offsets decrease"),
    ],
)
def test_row20_kernel_refuses_wrong_corpus_arrays(ids, offsets, fragment):
    run = _run(np.zeros((5, 4), np.float32))
    with pytest.raises(ValueError, match=fragment):
        run.set_corpus(ids, offsets)


def test_row20_kernel_accepts_a_read_only_corpus():
    ids = np.arange(4, dtype=np.uint32)
    offsets = np.array([0, 4], np.int64)
    ids.flags.writeable = offsets.flags.writeable = False
    run = _run(np.zeros((5, 4), np.float32))
    run.set_corpus(ids, offsets)
    assert run.train_range(0, 1, 1)[1] == 4


@pytest.mark.parametrize(
    "ids,offsets,exc,fragment",
    [
        (np.array([1.5, 2.0]), None, TypeError, "1-D integer array; got float64"),
        (np.array([[1, 2]]), None, TypeError, r"shape \(1, 2\)"),
        (np.array(["a"]), None, TypeError, "1-D integer array"),
        (np.array([-1, 2]), None, ValueError, "non-negative"),
        (np.arange(5), [0, 2, 1, 5], ValueError, "must not decrease"),
        (np.arange(5), [0, 2], ValueError, "end at len"),
    ],
)
def test_row20_encoded_corpus_refuses_bad_arrays(ids, offsets, exc, fragment):
    with pytest.raises(exc, match=fragment):
        EncodedCorpus(ids, offsets)


def test_row20_encoded_corpus_converts_other_integer_dtypes():
    corpus = EncodedCorpus(
        np.array([3, 7, 3, 9, 7, 3], dtype=np.int16)[::-1].copy(),
        np.array([0, 3, 6], dtype=np.int8),
    )
    model = small_model(sentences=corpus, window=1)
    assert sorted(model.wv.index_to_key) == [3, 7, 9]


# ---- files -------------------------------------------------------------------------------


def _rewrite_header(path, change, reseal=True):
    """Applies change() to the JSON header of a native file and writes it back, keeping the
    arrays where they were (the header is padded with spaces, offsets shifted by whole
    64-byte blocks when it grows). ``reseal`` writes the header checksum of the new header,
    as a buggy writer would: the loader's checks behind the checksum are then reached."""
    with open(path, "rb") as f:
        blob = f.read()
    (hlen,) = struct.unpack("<Q", blob[8:16])
    old_start = -(-(20 + hlen) // 64) * 64
    doc = json.loads(blob[16 : 16 + hlen])
    change(doc)
    for shift in range(0, 1 << 16, 64):
        moved = copy.deepcopy(doc)
        for info in (moved.get("arrays") or {}).values():
            if isinstance(info, dict) and type(info.get("offset")) is int:
                info["offset"] += shift
        new = json.dumps(moved).encode()  # allow_nan: Infinity/NaN as a corrupt file has them
        if 20 + len(new) <= old_start + shift:
            break
    new += b" " * (old_start + shift - 20 - len(new))
    crc = zlib.crc32(new) if reseal else zlib.crc32(blob[16 : 16 + hlen])
    with open(path, "wb") as f:
        f.write(blob[:8] + struct.pack("<Q", len(new)) + new + struct.pack("<I", crc))
        f.write(blob[old_start:])


def _saved_kv(tmp_path):
    kv = KeyedVectors(3)
    kv.add_vectors(["a", "b"], np.ones((2, 3), np.float32))
    path = str(tmp_path / "kv.fe")
    kv.save(path)
    return path


def test_row33_newer_format_version_names_the_version(tmp_path):
    path = _saved_kv(tmp_path)
    _rewrite_header(path, lambda d: d.update(format_version=native.FORMAT_VERSION + 1))
    for load in (KeyedVectors.load, Word2Vec.load, native.read_container):
        with pytest.raises(
            UnsupportedVersionError,
            match=rf"version {native.FORMAT_VERSION + 1}.*up to version "
            rf"{native.FORMAT_VERSION}.*Upgrade",
        ):
            load(path)


@pytest.mark.parametrize("version", [0, -1, "1", None, 1.5])
def test_row33_invalid_format_version(tmp_path, version):
    path = _saved_kv(tmp_path)
    _rewrite_header(path, lambda d: d.update(format_version=version))
    with pytest.raises(FormatError, match="invalid format_version"):
        KeyedVectors.load(path)


def test_row33_current_version_loads_and_is_written(tmp_path):
    path = _saved_kv(tmp_path)
    with open(path, "rb") as f:
        blob = f.read()
    (hlen,) = struct.unpack("<Q", blob[8:16])
    assert json.loads(blob[16 : 16 + hlen])["format_version"] == native.FORMAT_VERSION == 2
    assert KeyedVectors.load(path).index_to_key == ["a", "b"]


# ---- regressions found by the fuzz targets (fuzz/harnesses.py) -------------------------------


def _saved_model(tmp_path):
    model = small_model(sentences=[["a", "b", "c"], ["b", "c"]] * 5, hs=1, negative=2)
    path = str(tmp_path / "w2v.fe")
    model.save(path)
    return path


@pytest.mark.parametrize(
    "change,fragment",
    [
        (lambda d: d["arrays"].pop("vectors"), "lacks the array 'vectors'"),
        (lambda d: d["arrays"].pop("count"), "lacks the array 'count'"),
        (lambda d: d["arrays"].pop("syn1neg"), "lacks the array 'syn1neg'"),
        (lambda d: d["meta"].update(vector_size="8"), "invalid model parameters"),
        (lambda d: d["meta"].update(workers=None), "invalid model parameters"),
        (lambda d: d["meta"].update(window=0), "invalid model parameters.*window"),
        (lambda d: d["meta"].update(keys=7), "'keys' is not a list"),
        (lambda d: d["meta"].update(keys=["a", "a", "b"]), "duplicate keys"),
        (
            lambda d: d["meta"].update(keys=["a", "b"]),
            r"vectors has shape \(3, 8\), expected \(2, 8\)",
        ),
    ],
)
def test_corrupt_word2vec_metadata_is_a_format_error(tmp_path, change, fragment):
    """Word2Vec.load leaked KeyError/ValueError/TypeError on such files."""
    path = _saved_model(tmp_path)
    _rewrite_header(path, change)
    with pytest.raises(FormatError, match=fragment):
        Word2Vec.load(path)


def test_word2vec_file_without_unused_arrays_still_loads(tmp_path):
    path = _saved_model(tmp_path)
    model = Word2Vec.load(path)
    assert model.syn1neg.shape == model.wv.vectors.shape == model.syn1.shape


@pytest.mark.parametrize(
    "entry,fragment",
    [
        ({"dtype": "(08,)<i8"}, "disallowed dtype"),  # numpy would evaluate the shape text
        ({"dtype": ["<f4"]}, "disallowed dtype"),
        ({"offset": 1e999}, "bad entry"),  # JSON Infinity -> int() OverflowError
        ({"shape": [1e999, 3]}, "bad entry"),
        ({"nbytes": float("nan")}, "bad entry"),
    ],
)
def test_corrupt_array_table_is_a_format_error(tmp_path, entry, fragment):
    """read_container leaked OverflowError and SyntaxError on such array entries."""
    path = _saved_kv(tmp_path)
    _rewrite_header(path, lambda d: d["arrays"]["vectors"].update(entry))
    with pytest.raises(FormatError, match=fragment):
        native.read_container(path)


@pytest.mark.parametrize("count", ["99999999999999999999", "-3", str(2**63)])
def test_fvocab_count_out_of_int64_range_is_a_format_error(tmp_path, count):
    """read_word2vec(fvocab=...) leaked OverflowError for a count above 2**63-1."""
    vectors = tmp_path / "v.txt"
    vectors.write_text("2 2\nthe 0.1 0.2\nof 1 2\n")
    fvocab = tmp_path / "v.vocab"
    fvocab.write_text(f"the 5\nof {count}\n")
    with pytest.raises(FormatError, match=rf"line 2: count {count} is out of range"):
        KeyedVectors.load_word2vec_format(str(vectors), fvocab=str(fvocab))
    fvocab.write_text(f"the 5\nof {2**63 - 1}\n")
    kv = KeyedVectors.load_word2vec_format(str(vectors), fvocab=str(fvocab))
    assert kv.get_vecattr("of", "count") == 2**63 - 1


@pytest.mark.parametrize(
    "change",
    [
        {"next_index": {"a": 1}},
        {"next_index": -1},
        {"next_index": 99},
        {"next_index": True},
        {"attrs": ["count"]},
        {"object_attrs": 3},
    ],
)
def test_corrupt_keyedvectors_metadata_is_a_format_error(tmp_path, change):
    """KeyedVectors.load leaked TypeError/AttributeError on such metadata (fuzz target
    native_header)."""
    path = _saved_kv(tmp_path)
    _rewrite_header(path, lambda d: d["meta"].update(change))
    with pytest.raises(FormatError):
        KeyedVectors.load(path)
