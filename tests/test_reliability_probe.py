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
P14   here: test_p14_saves_follow_the_umask, test_p14_saves_keep_an_existing_files_mode,
      test_p14_save_through_a_symlink_writes_its_target
P13   here: test_p13_several_files_are_written_all_or_nothing
P30   here: test_p30_sigterm_during_a_save_leaves_no_temporary_file
P6    here: test_p6_memory_check_uses_available_not_total_memory,
      test_p6_available_memory_is_at_most_the_total
P21   test_vocab_iterable.py::test_bool_and_float_tokens_are_refused_before_training
P26   test_vocab_iterable.py::test_lone_surrogate_token_is_refused_before_training
P27   test_vocab_iterable.py::test_numpy_integer_tokens_become_int_keys_and_save;
      test_vocab_iterable.py::test_key_without_utf8_form_is_encoded_through_python
P2    test_graph.py::test_extreme_p_q_walks_end, test_leaf_with_huge_p_returns_through_its_only_edge,
      test_steps_after_many_rejections_keep_the_p_q_distribution
P3    test_graph.py::test_ctrl_c_stops_single_worker_walks_promptly
P4    here: test_p4_corpus_file_from_a_pipe_trains_from_one_read,
      test_p4_a_pipe_read_up_is_a_clear_error
P22   here: test_p22_corpus_that_yields_less_on_the_training_pass_warns
P35   here: test_p35_all_zero_counts_are_named_not_blamed_on_ns_exponent
P12   test_graph.py::test_all_zero_weights_are_refused
P31   test_graph.py::test_integer_looking_ids_never_merge, test_an_id_beyond_int64_is_named,
      test_named_nodes_stay_strings_without_warning
P37   test_graph.py::test_undecodable_edge_file_names_the_line
P38   test_cli.py::test_a_folder_as_corpus_is_named_as_a_folder,
      test_dev_null_as_corpus_is_an_empty_corpus, test_read_only_file_system_is_named
P20   (models) here: test_p20_model_file_with_nan_is_refused
P15   (CLI) test_cli.py::test_similar_reads_vectors_from_a_pipe
P5    here: test_p5_sparse_item_ids_cost_memory_by_distinct_ids, test_p5_ids_near_2_63_train,
      test_p5_sparse_and_dense_encodings_agree
P15   test_formats.py::test_p15_a_pipe_loads_in_linear_time_like_the_file,
      test_p15_a_headerless_pipe_loads_like_the_file
P16   test_formats.py::test_p16_last_number_cut_without_newline_warns_naming_file_and_key,
      test_p16_short_last_row_without_newline_is_an_error,
      test_p16_complete_files_load_without_warning,
      test_p16_reader_documents_what_cannot_be_detected
P17   test_formats.py::test_p17_line_starting_with_a_space_is_refused
P18   test_formats.py::test_p18_numbers_with_underscores_are_refused,
      test_p18_underscores_in_header_and_counts_are_refused
P19   test_formats.py::test_p19_duplicate_word_in_fvocab_names_both_lines
P20   test_formats.py::test_p20_native_file_with_nan_is_refused_unless_allowed,
      test_p20_allowed_nonfinite_vectors_warn_about_nan_queries,
      test_p20_float16_overflow_is_caught_as_nonfinite
P23   test_formats.py::test_p23_keys_with_unicode_spaces_round_trip,
      test_p23_gensim_reads_keys_with_unicode_spaces_as_written,
      test_p23_ascii_whitespace_and_empty_keys_are_still_refused,
      test_p23_cli_trains_a_corpus_with_unicode_spaces_and_reads_it_back
P24   test_formats.py::test_p24_a_100kb_token_saves_and_loads,
      test_p24_writers_refuse_keys_the_reader_would_refuse,
      test_p24_reader_bound_matches_the_tokenizers_longest_token
P25   test_formats.py::test_p25_keys_with_the_same_text_are_refused_before_writing,
      test_p25_cli_checks_keys_before_training, test_p25_word2vec_c_mode_checks_keys_before_training
P13   test_formats.py::test_p13_vectors_and_fvocab_are_written_all_or_nothing
P7    here: test_p7_saving_from_another_thread_during_training_is_refused,
      test_p7_saving_from_on_progress_is_refused
P8    here: test_p8_checkpoint_callback_saves_every_epoch_and_training_goes_on,
      test_p8_a_callback_cannot_train_its_own_model
P9    here: test_p9_a_bad_parameter_in_the_metadata_is_a_format_error,
      test_p9_metadata_that_is_not_an_object_is_a_format_error,
      test_p9_a_bad_keyedvectors_field_is_a_format_error,
      test_p9_graph_models_check_their_metadata_too
P36   here: test_p36_read_vocab_below_min_count_names_the_file_and_the_largest_count,
      test_p36_read_vocab_with_all_zero_counts_is_named,
      test_p36_all_zero_counts_train_with_hierarchical_softmax_alone
A1    test_vocab_iterable.py::test_a1_a_sentence_whose_len_lies_is_a_clear_error,
      test_a1_token_counter_checks_the_token_count_it_is_given
A2    test_graph.py::test_a2_editing_a_graphs_arrays_after_walker_does_not_reach_the_walks,
      test_a2_a_replaced_indptr_is_checked_before_alias_tables_are_built
A3    test_training_faults.py::test_a3_a_callback_replacing_a_trained_array_is_an_error,
      test_a3_changing_weights_in_place_from_a_callback_is_fine
A4    test_kernel_reference.py::test_a4_set_corpus_is_refused_while_train_range_runs
A5    test_kernel_reference.py::test_a5_training_run_cannot_be_set_up_twice;
      test_graph.py::test_a5_walkgraph_cannot_be_set_up_twice
A6    test_graph.py::test_a6_alias_build_checks_indptr
A7    test_kernel_reference.py::test_a7_alias_entries_must_name_words_of_the_vocabulary
A8    test_graph.py::test_a8_walkgraph_refuses_alias_entries_outside_their_row
A9    test_graph.py::test_a9_walk_lengths_beyond_int32_or_wrapping_sizes_are_refused
A10   test_vocab_iterable.py::test_a10_sentences_added_to_the_chunk_while_it_is_read_are_not_read
A11   test_vocab_iterable.py::test_a11_token_counter_serves_one_thread_at_a_time
A12   test_kernel_reference.py::test_a12_a_table_given_as_bytearray_cannot_be_resized_under_the_run
A13   test_kernel_reference.py::test_a13_train_range_before_set_corpus_is_refused
A14   test_kernel_reference.py::test_a14_alias_draw_needs_a_table
====  =====================================================================================
"""

import json
import os
import signal
import struct
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
import warnings
import zlib

import numpy as np
import pytest

from fastembed_core import EncodedCorpus, KeyedVectors, Word2Vec
from fastembed_core.errors import CorpusError, FormatError
from fastembed_core.io.native import atomic_write_many
from fastembed_core.models import vocab as vocab_mod
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


# ---- P13, P14, P30: how files are saved -------------------------------------------------------


def _kv():
    kv = KeyedVectors(2)
    kv.add_vectors(["a", "b"], np.ones((2, 2), dtype=np.float32))
    kv.set_vecattr("a", "count", 3)
    kv.set_vecattr("b", "count", 2)
    return kv


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_p14_saves_follow_the_umask(tmp_path, umask, mode):
    # every save was 0600 (mkstemp's mode) whatever the umask; gensim's files are 0644
    old = os.umask(umask)
    try:
        _kv().save(str(tmp_path / "v.fe"))
        _kv().save_word2vec_format(str(tmp_path / "v.txt"), fvocab=str(tmp_path / "v.vocab"))
    finally:
        os.umask(old)
    for name in ("v.fe", "v.txt", "v.vocab"):
        assert os.stat(tmp_path / name).st_mode & 0o777 == mode, name


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_p14_saves_keep_an_existing_files_mode(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("old")
    os.chmod(path, 0o604)
    _kv().save_word2vec_format(str(path))
    assert os.stat(path).st_mode & 0o777 == 0o604
    assert path.read_text().startswith("2 2")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_p14_save_through_a_symlink_writes_its_target(tmp_path):
    # the link itself used to be replaced by a regular file
    (tmp_path / "store").mkdir()
    target = tmp_path / "store" / "v.txt"
    target.write_text("old")
    link = tmp_path / "v.txt"
    os.symlink(target, link)
    _kv().save_word2vec_format(str(link))
    assert os.path.islink(link) and target.read_text().startswith("2 2")
    assert os.listdir(tmp_path / "store") == ["v.txt"]


def test_p13_several_files_are_written_all_or_nothing(tmp_path):
    first, second = tmp_path / "vectors.txt", tmp_path / "vectors.vocab"
    first.write_text("old vectors")
    second.write_text("old vocab")

    def disk_full(f):
        f.write(b"partial")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        atomic_write_many([(first, lambda f: f.write(b"new vectors")), (second, disk_full)])
    assert first.read_text() == "old vectors" and second.read_text() == "old vocab"
    assert sorted(os.listdir(tmp_path)) == ["vectors.txt", "vectors.vocab"]


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name != "posix", reason="POSIX signals")
def test_p30_sigterm_during_a_save_leaves_no_temporary_file(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys, time
        from fastembed_core.io.native import atomic_write

        def slow(f):
            f.write(b"x" * (1 << 20))
            f.flush()
            print("writing", flush=True)
            time.sleep(30)

        atomic_write({str(tmp_path / "big.bin")!r}, slow)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    assert any(n.startswith(".tmp-big.bin") for n in os.listdir(tmp_path))
    proc.send_signal(signal.SIGTERM)
    start = time.monotonic()
    assert proc.wait(timeout=20) == 128 + signal.SIGTERM
    assert time.monotonic() - start < 10
    assert os.listdir(tmp_path) == []


# ---- P6: the memory check looks at available memory ---------------------------------------


def test_p6_memory_check_uses_available_not_total_memory(monkeypatch):
    # a 23.4 GiB model passed on a 23.5 GiB machine with 21 GiB free, then was OOM-killed
    monkeypatch.setattr(vocab_mod, "available_memory", lambda: 1 << 30)
    dim, n_words = 1024, 1 << 18  # 1 GiB of input rows + 1 GiB of output rows
    model = Word2Vec(vector_size=dim, min_count=1, workers=1)
    with pytest.raises(
        MemoryError, match=r"needs about 2\.0 GiB.*only 1\.0 GiB of memory is available"
    ):
        model.build_vocab_from_freq({f"w{i}": 1 for i in range(n_words)})
    assert len(model.wv) == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/meminfo")
def test_p6_available_memory_is_at_most_the_total():
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    avail = vocab_mod.available_memory()
    assert avail is not None and 0 < avail <= total


# ---- P4: corpus_file that is a named pipe -------------------------------------------------------


def _fifo(tmp_path, text):
    path = str(tmp_path / "corpus.fifo")
    os.mkfifo(path)

    def feed():
        with open(path, "w") as f:  # blocks until a reader opens the pipe
            f.write(text)

    threading.Thread(target=feed, daemon=True).start()
    return path


@pytest.mark.timeout(60)
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_p4_corpus_file_from_a_pipe_trains_from_one_read(tmp_path):
    # train() reopened the pipe after build_vocab had read it, and waited forever
    path = _fifo(tmp_path, "the cat sat on the mat\n" * 50)
    model = Word2Vec(corpus_file=path, min_count=1, workers=1, vector_size=8, seed=1)
    assert sorted(model.wv.index_to_key) == ["cat", "mat", "on", "sat", "the"]
    assert model.corpus_total_words == 300


@pytest.mark.timeout(60)
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_p4_a_pipe_read_up_is_a_clear_error(tmp_path):
    path = _fifo(tmp_path, "the cat sat on the mat\n" * 50)
    model = Word2Vec(corpus_file=path, min_count=1, workers=1, vector_size=8, seed=1)
    with pytest.raises(CorpusError, match="pipe or device, which can be read only once"):
        model.train(corpus_file=path, total_examples=model.corpus_count, epochs=1)
    # max_vocab_size prunes during the scan, so no tokens are kept: a second read is needed
    (tmp_path / "second").mkdir()
    text = "".join(f"a a a x{i} y{i} z{i}\n" for i in range(9))  # the rare words get pruned
    second = _fifo(tmp_path / "second", text)
    pruned = Word2Vec(min_count=1, workers=1, vector_size=8, max_vocab_size=2)
    pruned.build_vocab(corpus_file=second)
    with pytest.raises(CorpusError, match="read only once"):
        pruned.train(corpus_file=second, total_examples=pruned.corpus_count, epochs=1)


# ---- P22: a re-iterable corpus that yields less on its second pass ---------------------------


class _Shrinking:
    """Yields every sentence on the first pass, half of them afterwards."""

    def __init__(self, sentences):
        self.sentences, self.passes = sentences, 0

    def __iter__(self):
        self.passes += 1
        keep = self.sentences if self.passes == 1 else self.sentences[: len(self.sentences) // 2]
        return iter(keep)


def test_p22_corpus_that_yields_less_on_the_training_pass_warns():
    corpus = _Shrinking([["a", "b", "c", "d"], ["b", "c", "d", "a"]] * 10)
    model = Word2Vec(min_count=1, workers=1, vector_size=8, seed=1)
    model.build_vocab(corpus)
    with pytest.warns(RuntimeWarning, match="gave 10 sentences on this pass but 20 were expected"):
        model.train(corpus, total_examples=model.corpus_count, epochs=1)
    with pytest.warns(RuntimeWarning, match="gave 40 words on this pass but 80"):
        model.train(corpus, total_words=model.corpus_total_words, epochs=1)


def test_p22_file_with_out_of_vocabulary_lines_trains_without_a_count_warning(tmp_path):
    # build_vocab counts a line of rare words as a sentence (gensim does too) while encoding
    # leaves nothing of it; the file did not change, so nothing may be reported
    path = tmp_path / "rare.txt"
    path.write_text("a b c d\nrare1 rare2\nb c d a\n" * 10 + "once\n", encoding="utf-8")
    model = Word2Vec(min_count=2, workers=1, vector_size=8, seed=1)
    model.build_vocab(corpus_file=str(path))
    assert model.corpus_count == 31 and "once" not in model.wv
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for _ in range(2):  # the scan's kept tokens, then a fresh read of the file
            model.train(
                corpus_file=str(path),
                total_examples=model.corpus_count,
                total_words=model.corpus_total_words,
                epochs=1,
            )


# ---- P35: errors that mislead ------------------------------------------------------------------


def test_p35_all_zero_counts_are_named_not_blamed_on_ns_exponent():
    # was "ns_exponent=0.75 gives unusable sampling weights"
    model = Word2Vec(vector_size=4, min_count=0, workers=1)
    model.build_vocab_from_freq({"a": 0, "b": 0})
    with pytest.raises(CorpusError, match="every word in the vocabulary has count 0"):
        model.train([["a", "b"]] * 3, total_examples=3, epochs=1)
    uniform = Word2Vec(vector_size=4, min_count=0, workers=1, ns_exponent=0)
    uniform.build_vocab_from_freq({"a": 0, "b": 0})
    uniform.train([["a", "b"]] * 3, total_examples=3, epochs=1)


# ---- P7, P8: saving while a model trains --------------------------------------------------------


def _busy_corpus():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(500)]
    return [[words[j] for j in rng.integers(0, 500, 40)] for _ in range(5000)]


def _training_in_another_thread(model, corpus):
    """Starts train() in a thread; returns (thread, its exception list) once workers write."""
    started, errors = threading.Event(), []

    class Signal:
        def on_progress(self, model, epoch, epochs, done, total):
            started.set()

    def train():
        try:
            model.train(corpus, total_examples=len(corpus), epochs=1000, callbacks=[Signal()])
        except Exception as exc:  # reported by the test
            errors.append(exc)

    thread = threading.Thread(target=train)
    thread.start()
    assert started.wait(60)
    return thread, errors


@pytest.mark.parametrize("what", ["wv", "model"])
def test_p7_saving_from_another_thread_during_training_is_refused(tmp_path, what):
    # wv.save returned normally and wrote a file whose array checksum did not match (the
    # vectors changed between computing the CRC and writing them), over a good file
    corpus = _busy_corpus()
    model = Word2Vec(vector_size=32, min_count=1, sg=1, workers=2, seed=3)
    model.build_vocab(corpus)
    target = model.wv if what == "wv" else model
    loader = KeyedVectors if what == "wv" else Word2Vec
    path = str(tmp_path / "good.fe")
    target.save(path)
    before = loader.load(path)
    thread, errors = _training_in_another_thread(model, corpus)
    try:
        with pytest.raises(RuntimeError, match="another thread.*on_epoch_end"):
            target.save(path)
    finally:
        model.stop_training()
        thread.join(60)
    assert not thread.is_alive() and not errors, errors
    after = loader.load(path)  # the good file is untouched
    before_kv = before if what == "wv" else before.wv
    after_kv = after if what == "wv" else after.wv
    np.testing.assert_array_equal(after_kv.vectors, before_kv.vectors)
    target.save(path)  # and once train() returned, saving works
    loader.load(path)


def test_p7_saving_from_on_progress_is_refused(tmp_path):
    # on_progress runs on the training thread while the workers write
    raised = []

    class SaveDuringEpoch:
        def on_progress(self, model, epoch, epochs, done, total):
            if not raised:
                try:
                    model.wv.save(str(tmp_path / "never.fe"))
                except RuntimeError as exc:
                    raised.append(str(exc))
                else:
                    raised.append("saved")

    # on_progress runs at least once in each epoch whose worker is alive when polling starts
    corpus = _busy_corpus()[:2000]
    Word2Vec(
        corpus, vector_size=16, min_count=1, workers=1, epochs=5, callbacks=[SaveDuringEpoch()]
    )
    assert len(raised) == 1 and "on_epoch_end" in raised[0], raised
    assert not os.path.exists(tmp_path / "never.fe")


def test_p8_checkpoint_callback_saves_every_epoch_and_training_goes_on(tmp_path):
    # saving inside on_epoch_end aborted training with "cannot save while another operation"
    saved = []

    class Checkpoint:
        def on_epoch_end(self, model):
            n = len(saved)
            model.save(str(tmp_path / f"model-{n}.fe"))
            model.wv.save(str(tmp_path / f"wv-{n}.fe"))
            saved.append(model.wv.vectors.copy())

    corpus = _busy_corpus()[:1500]
    args = dict(vector_size=16, min_count=1, workers=1, seed=7, epochs=3, sg=1)
    with_cb = Word2Vec(corpus, callbacks=[Checkpoint()], **args)
    plain = Word2Vec(corpus, **args)
    assert len(saved) == 3
    for n, vectors in enumerate(saved):
        model = Word2Vec.load(str(tmp_path / f"model-{n}.fe"))
        kv = KeyedVectors.load(str(tmp_path / f"wv-{n}.fe"))
        np.testing.assert_array_equal(model.wv.vectors, vectors)
        np.testing.assert_array_equal(kv.vectors, vectors)
    assert not np.array_equal(saved[0], saved[-1])  # each checkpoint is its epoch's state
    np.testing.assert_array_equal(with_cb.wv.vectors, plain.wv.vectors)
    np.testing.assert_array_equal(with_cb.syn1neg, plain.syn1neg)
    # the last checkpoint holds the final weights, output layer included
    last = Word2Vec.load(str(tmp_path / "model-2.fe"))
    np.testing.assert_array_equal(last.wv.vectors, plain.wv.vectors)
    np.testing.assert_array_equal(last.syn1neg, plain.syn1neg)


def test_p8_a_callback_cannot_train_its_own_model():
    errors = []

    class Nested:
        def on_epoch_end(self, model):
            try:
                model.train([["a", "b"]], total_examples=1, epochs=1)
            except RuntimeError as exc:
                errors.append(str(exc))

    Word2Vec(
        [["a", "b", "c"]] * 20,
        vector_size=4,
        min_count=1,
        workers=1,
        epochs=1,
        callbacks=[Nested()],
    )
    assert len(errors) == 1 and "a callback cannot train" in errors[0], errors


# ---- P9: bad metadata in a native file ----------------------------------------------------------


def _rewrite_meta(path, kind, change):
    """Writes the file again with ``change(meta)`` as its metadata and a valid header
    checksum, as a writer with a bug would: the loader's own checks are reached."""
    from fastembed_core.io.native import read_container, write_container

    meta, arrays = read_container(path)
    write_container(path, kind, change(meta), arrays)


def _updated(**fields):
    return lambda meta: {**meta, **fields}


def _saved_word2vec(tmp_path):
    path = str(tmp_path / "model.fe")
    Word2Vec([["a", "b", "c"]] * 20, vector_size=4, min_count=1, workers=1, epochs=1).save(path)
    return path


@pytest.mark.parametrize(
    "field, value",
    [
        ("window", "five"),
        ("epochs", None),
        ("vector_size", -3),
        ("alpha", {}),
        ("workers", "2"),
        ("train_count", "x"),
        ("train_count", -1),
        ("corpus_count", 1.5),
        ("corpus_total_words", [3]),
        ("effective_min_count", None),
        ("total_train_time", "t"),
        ("sorted_vocab", "yes"),
        ("compute_loss", 2),
        ("shrink_windows", None),
        ("shared_negatives", "no"),
        ("comment", 5),
    ],
)
def test_p9_a_bad_parameter_in_the_metadata_is_a_format_error(tmp_path, field, value):
    # train_count "x" loaded and failed in train(); others leaked TypeError or a message
    # without the field ("'<' not supported between instances of 'int' and 'str'")
    path = _saved_word2vec(tmp_path)
    _rewrite_meta(path, "Word2Vec", _updated(**{field: value}))
    with pytest.raises(FormatError, match=rf"{path}.*{field}"):
        Word2Vec.load(path)


@pytest.mark.parametrize("meta", [[1, 2], None, "x", 3])
def test_p9_metadata_that_is_not_an_object_is_a_format_error(tmp_path, meta):
    # a list leaked "TypeError: list indices must be integers or slices, not str" (Word2Vec)
    # and "AttributeError: 'list' object has no attribute 'get'" (KeyedVectors)
    path = _saved_word2vec(tmp_path)
    kv_path = str(tmp_path / "kv.fe")
    Word2Vec.load(path).wv.save(kv_path)
    _rewrite_meta(path, "Word2Vec", lambda _: meta)
    _rewrite_meta(kv_path, "KeyedVectors", lambda _: meta)
    with pytest.raises(FormatError, match=path):
        Word2Vec.load(path)
    with pytest.raises(FormatError, match=kv_path):
        KeyedVectors.load(kv_path)


@pytest.mark.parametrize(
    "field, value",
    [
        ("next_index", "x"),
        ("next_index", None),
        ("next_index", 99),
        ("attrs", [1]),
        ("object_attrs", [1]),
        ("attrs", {"count": 5}),
    ],
)
def test_p9_a_bad_keyedvectors_field_is_a_format_error(tmp_path, field, value):
    # leaked ValueError / TypeError / AttributeError
    path = str(tmp_path / "kv.fe")
    kv = KeyedVectors(3)
    kv.add_vectors(["a", "b"], np.ones((2, 3), np.float32))
    kv.expandos["count"] = np.array([2, 1])
    kv.save(path)
    _rewrite_meta(path, "KeyedVectors", _updated(**{field: value}))
    with pytest.raises(FormatError, match=rf"{path}.*{field}"):
        KeyedVectors.load(path)


def test_p9_graph_models_check_their_metadata_too(tmp_path):
    from fastembed_core import DeepWalk

    path = str(tmp_path / "dw.fe")
    DeepWalk(
        [(0, 1), (1, 2), (2, 0)], dimensions=4, walk_length=5, num_walks=2, workers=1, epochs=1
    ).save(path)
    _rewrite_meta(path, "DeepWalk", _updated(train_count="x", walk_length=None))
    with pytest.raises(FormatError, match=rf"{path}.*(train_count|walk_length)"):
        DeepWalk.load(path)


# ---- P36: word2vec.c mode with a -read-vocab file no word of which can be used ------------------


def _word2vec_c(tmp_path, vocab_lines, *flags):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("a b c d\nb c d a\n" * 5)
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("".join(f"{line}\n" for line in vocab_lines))
    args = ["-train", corpus, "-output", tmp_path / "out.txt", "-read-vocab", vocab, *flags]
    r = subprocess.run(
        [sys.executable, "-m", "fastembed_core", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return r, str(vocab)


def test_p36_read_vocab_below_min_count_names_the_file_and_the_largest_count(tmp_path):
    # was "the corpus is empty (0 sentences, 0 tokens)" or a message in terms of the library's
    # min_count, without the file
    r, vocab = _word2vec_c(tmp_path, ["</s> 10", "a 2", "b 4", "c 1"], "-min-count", "5")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert f"{vocab}: no word of the vocabulary file reaches -min-count 5" in r.stderr, r.stderr
    assert "the largest count is 4 ('b')" in r.stderr, r.stderr
    assert not (tmp_path / "out.txt").exists()


@pytest.mark.parametrize("min_count", ["0", "5"])
def test_p36_read_vocab_with_all_zero_counts_is_named(tmp_path, min_count):
    # -min-count 5: "the corpus is empty"; -min-count 0: a message about ns_exponent and
    # build_vocab_from_freq, names a word2vec.c user never typed
    r, vocab = _word2vec_c(tmp_path, ["a 0", "b 0"], "-min-count", min_count)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert f"{vocab}: every count in the vocabulary file is 0" in r.stderr, r.stderr
    assert "ns_exponent" not in r.stderr and "empty" not in r.stderr, r.stderr


def test_p36_all_zero_counts_train_with_hierarchical_softmax_alone(tmp_path):
    # nothing is drawn in proportion to the counts then: word2vec.c trains, so do we
    r, _ = _word2vec_c(tmp_path, ["a 0", "b 0"], "-min-count", "0", "-hs", "1", "-negative", "0")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out.txt").read_text().startswith("3 100\n")


def test_p20_model_file_with_nan_is_refused(tmp_path):
    # KeyedVectors.load refused NaN vectors; Word2Vec.load still loaded them
    model = Word2Vec([["a", "b", "c"]] * 5, vector_size=4, min_count=1, workers=1, epochs=1)
    path = str(tmp_path / "m.fe")
    model.save(path)
    with open(path, "r+b") as f:
        blob = f.read()
        (hlen,) = struct.unpack("<Q", blob[8:16])
        offset = json.loads(blob[16 : 16 + hlen])["arrays"]["vectors"]["offset"]
        header = blob[16 : 16 + hlen]
        # write a NaN into the first vector and re-seal its array checksum, as a forged or
        # damaged-then-repaired file would be
        vectors = np.frombuffer(blob, np.float32, 4 * 3, offset).copy()
        vectors[0] = np.nan
        doc = json.loads(header)
        doc["arrays"]["vectors"]["crc32"] = zlib.crc32(vectors.tobytes())
        new = json.dumps(doc).encode()
        assert len(new) <= hlen
        new += b" " * (hlen - len(new))
        f.seek(16)
        f.write(new + struct.pack("<I", zlib.crc32(new)))
        f.seek(offset)
        f.write(vectors.tobytes())
    with pytest.raises(FormatError, match="vectors holds NaN or infinite values"):
        Word2Vec.load(path)
