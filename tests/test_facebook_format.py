"""fastText .bin model files: round trips, files from gensim and fastText read exactly, our files
read by both, and every kind of bad file refused with a clear FormatError before anything large
is allocated."""

import logging
import os
import random
import re
import stat
import struct
import tracemalloc

import numpy as np
import pytest

from fastembed_core.errors import FormatError, TruncatedFileError, UnsupportedVersionError
from fastembed_core.io import facebook_format as fb
from fastembed_core.io.facebook_format import (
    FacebookModelData,
    read_facebook_bin,
    write_facebook_bin,
)
from fastembed_core.io.native import new_file_mode

WORDS = ["</s>", "the", "été", "東京", "😀", "a\u0301b", "x" * 40, ""]

# Offsets of the fields of a version-12 file (see the layout in facebook_format's docstring).
ARGS_AT = 8
FIELD_AT = {name: ARGS_AT + 4 * i for i, name in enumerate(fb.ARG_FIELDS)}
DICT_AT = ARGS_AT + 12 * 4 + 8
SIZE_AT, NWORDS_AT, NLABELS_AT, NTOKENS_AT, PRUNE_AT = (
    DICT_AT,
    DICT_AT + 4,
    DICT_AT + 8,
    DICT_AT + 12,
    DICT_AT + 20,
)
ENTRIES_AT = DICT_AT + 28


def make_data(nwords=6, bucket=5, dim=3, labels=0, model=2, loss=2, seed=0, version=12):
    rng = np.random.default_rng(seed)
    words = WORDS[:nwords] + [f"__label__{k}" for k in range(labels)]
    args = {
        "dim": dim,
        "ws": 5,
        "epoch": 3,
        "min_count": 1,
        "neg": 5,
        "word_ngrams": 1,
        "loss": loss,
        "model": model,
        "bucket": bucket,
        "minn": 3,
        "maxn": 6,
        "lr_update_rate": 100,
        "t": 1e-4,
        "version": version,
    }
    out_rows = labels if model == 3 else nwords
    return FacebookModelData(
        args=args,
        words=words,
        counts=np.arange(len(words), 0, -1, dtype=np.int64) * 7,
        entry_types=np.array([0] * nwords + [1] * labels, np.int8),
        ntokens=12345,
        input_matrix=rng.standard_normal((nwords + bucket, dim)).astype(np.float32),
        output_matrix=rng.standard_normal((out_rows, dim)).astype(np.float32),
    )


def written(tmp_path, data, name="m.bin"):
    path = tmp_path / name
    write_facebook_bin(path, data)
    return path


def assert_same(a, b, output=True):
    assert a.args == b.args
    assert a.words == b.words
    assert a.counts.dtype == np.int64 and np.array_equal(a.counts, b.counts)
    assert np.array_equal(a.entry_types, b.entry_types)
    assert a.ntokens == b.ntokens
    assert a.input_matrix.dtype == np.float32
    assert a.input_matrix.tobytes() == np.asarray(b.input_matrix, np.float32).tobytes()
    if output:
        assert a.output_matrix.tobytes() == np.asarray(b.output_matrix, np.float32).tobytes()


def patched(path, offset, fmt, value):
    raw = bytearray(path.read_bytes())
    struct.pack_into(fmt, raw, offset, value)
    path.write_bytes(bytes(raw))
    return path


def output_header_at(data):
    """Offset of the output matrix's header in the file written from ``data``."""
    dict_bytes = sum(len(w.encode()) + 1 + 9 for w in data.words)
    return ENTRIES_AT + dict_bytes + 1 + 16 + data.input_matrix.nbytes + 1


# ---- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"model": 1, "loss": 1},  # cbow, hierarchical softmax
        {"bucket": 0},
        {"nwords": 0, "bucket": 4},
        {"nwords": 0, "bucket": 0},
        {"labels": 3, "model": 3, "loss": 3},  # supervised: the output rows are the labels
        {"version": 11},
        {"dim": 1, "nwords": 8},
    ],
)
def test_round_trip_is_exact(tmp_path, kw):
    data = make_data(**kw)
    path = written(tmp_path, data)
    back = read_facebook_bin(path)
    assert_same(back, data)
    assert back.nwords == data.nwords and back.nlabels == kw.get("labels", 0)
    # writing what was read gives the same bytes again
    again = written(tmp_path, back, "again.bin")
    assert again.read_bytes() == path.read_bytes()


def test_file_size_is_the_layout(tmp_path):
    data = make_data()
    path = written(tmp_path, data)
    assert os.path.getsize(path) == output_header_at(data) + 16 + data.output_matrix.nbytes


def test_mmap_maps_the_input_matrix(tmp_path):
    data = make_data(bucket=50, dim=7)
    path = written(tmp_path, data)
    mapped = read_facebook_bin(path, mmap="r")
    assert isinstance(mapped.input_matrix, np.memmap)
    assert not mapped.input_matrix.flags.writeable
    assert_same(mapped, data)
    # the map really reads the file: a value changed on disk shows through a fresh map
    offset = output_header_at(data) - 1 - data.input_matrix.nbytes
    patched(path, offset, "<f", 42.0)
    assert read_facebook_bin(path, mmap="r").input_matrix[0, 0] == 42.0


def test_full_model_false_skips_the_output_matrix(tmp_path):
    data = make_data()
    path = written(tmp_path, data)
    part = read_facebook_bin(path, full_model=False)
    assert part.output_matrix is None
    assert_same(part, data, output=False)
    with pytest.raises(ValueError, match="output_matrix is None"):
        write_facebook_bin(tmp_path / "x.bin", part)
    assert not (tmp_path / "x.bin").exists()


@pytest.mark.parametrize("chunk", [1, 7, 64, 4096, None])
def test_dictionary_larger_than_the_read_buffer(tmp_path, monkeypatch, chunk):
    """Entries straddle the reader's buffer at every kind of place (inside a word, its NUL,
    its count or type): read with tiny buffers, and with the real 1 MiB one and words of
    300 kB that make it grow."""
    rng = np.random.default_rng(5)
    n = 60_000 if chunk is None else 3_000
    words = [f"w{i}" + "é" * int(k) for i, k in enumerate(rng.integers(0, 40, n))]
    for i in range(0, n, n // 5):
        words[i] = f"long{i}" + "x" * (300_000 if chunk is None else 3_000)
    if chunk is not None:
        monkeypatch.setattr(fb, "_CHUNK", chunk)
    data = with_(
        make_data(nwords=1, bucket=2, dim=1),
        words=words,
        counts=rng.integers(0, 2**40, n),
        entry_types=np.zeros(n, np.int8),
        input_matrix=rng.standard_normal((n + 2, 1)).astype(np.float32),
        output_matrix=rng.standard_normal((n, 1)).astype(np.float32),
    )
    path = written(tmp_path, data)
    assert chunk is not None or os.path.getsize(path) > 3 << 20
    assert_same(read_facebook_bin(path), data)


def test_bad_mmap_mode(tmp_path):
    with pytest.raises(ValueError, match="mmap must be"):
        read_facebook_bin(written(tmp_path, make_data()), mmap="w")


def test_float64_and_strided_matrices_are_written_as_float32(tmp_path):
    data = make_data(bucket=3, dim=4)
    wide = np.asfortranarray(data.input_matrix.astype(np.float64))
    data64 = FacebookModelData(**{**data.__dict__, "input_matrix": wide})
    back = read_facebook_bin(written(tmp_path, data64))
    assert_same(back, data)


# ---- gensim ---------------------------------------------------------------------------------

gensim_fasttext = pytest.importorskip("gensim.models.fasttext")
from gensim.models import _fasttext_bin as gensim_bin  # noqa: E402
from gensim.test.utils import datapath  # noqa: E402

GENSIM_MODELS = [
    "crime-and-punishment.bin",  # version 12, skip-gram
    "toy-model.bin",  # cbow
    "toy-model-pretrained.bin",  # holds an empty word
    "lee_fasttext_new.bin",  # version 11
    "lee_fasttext.bin",  # from before the magic number
    "non_ascii_fasttext.bin",  # before the magic number, UTF-8 words
    "cp852_fasttext.bin",  # before the magic number, words that are not UTF-8
]


def small_corpus():
    rng = random.Random(3)
    vocab = ["the", "of", "été", "東京", "😀", "cat", "dog", "a\u0301b", "tree", "fish"]
    return [[rng.choice(vocab) for _ in range(8)] for _ in range(60)]


@pytest.mark.parametrize("sg, hs", [(1, 0), (0, 1)])
def test_reads_what_gensim_writes(tmp_path, sg, hs):
    model = gensim_fasttext.FastText(
        small_corpus(),
        vector_size=6,
        min_count=1,
        bucket=40,
        min_n=2,
        max_n=4,
        epochs=2,
        workers=1,
        seed=1,
        sg=sg,
        hs=hs,
        negative=0 if hs else 5,
    )
    path = tmp_path / "g.bin"
    gensim_fasttext.save_facebook_model(model, str(path))
    data = read_facebook_bin(path)
    wv = model.wv
    assert data.words == list(wv.index_to_key)
    assert data.counts.tolist() == [wv.get_vecattr(w, "count") for w in wv.index_to_key]
    assert data.ntokens == model.corpus_total_words
    assert np.array_equal(data.input_matrix, np.vstack([wv.vectors_vocab, wv.vectors_ngrams]))
    assert np.array_equal(data.output_matrix, model.syn1 if hs else model.syn1neg)
    assert {k: data.args[k] for k in ("dim", "ws", "bucket", "minn", "maxn", "epoch")} == {
        "dim": 6,
        "ws": model.window,
        "bucket": 40,
        "minn": 2,
        "maxn": 4,
        "epoch": 2,
    }
    assert data.args["loss"] == (1 if hs else 2) and data.args["model"] == (2 if sg else 1)


def test_gensim_reads_what_we_write(tmp_path):
    data = make_data(nwords=7, bucket=20, dim=5)
    path = written(tmp_path, data)
    model = gensim_fasttext.load_facebook_model(str(path))
    assert list(model.wv.index_to_key) == data.words
    assert [model.wv.get_vecattr(w, "count") for w in data.words] == data.counts.tolist()
    assert np.array_equal(model.wv.vectors_vocab, data.input_matrix[:7])
    assert np.array_equal(model.wv.vectors_ngrams, data.input_matrix[7:])
    assert np.array_equal(model.syn1neg, data.output_matrix)
    assert (model.wv.min_n, model.wv.max_n, model.wv.bucket) == (3, 6, 20)


@pytest.mark.parametrize("name", GENSIM_MODELS)
def test_gensims_test_models_read_as_gensim_reads_them(tmp_path, name, caplog):
    caplog.set_level(logging.CRITICAL, logger="gensim")
    data = read_facebook_bin(datapath(name))
    with open(datapath(name), "rb") as f:
        ref = gensim_bin.load(f)
    assert data.words == list(ref.raw_vocab)
    assert data.counts.tolist() == list(ref.raw_vocab.values())
    assert data.nwords == ref.nwords and data.ntokens == ref.ntokens
    assert np.array_equal(data.input_matrix, ref.vectors_ngrams)
    assert np.array_equal(data.output_matrix, ref.hidden_output)
    for k in ("dim", "ws", "epoch", "neg", "loss", "model", "bucket", "minn", "maxn", "t"):
        assert data.args[k] == getattr(ref, k), k
    # what we write from it reads back the same (a file without the magic becomes version 11)
    back = read_facebook_bin(written(tmp_path, data))
    assert back.args["version"] == (
        11 if data.args["version"] == fb.OLD_FORMAT else data.args["version"]
    )
    back.args["version"] = data.args["version"]
    assert_same(back, data)


def test_words_that_are_not_utf8_are_decoded_as_gensim_does(tmp_path, caplog):
    data = make_data(nwords=3)
    data.words[1] = "PLACEHOLDER"
    raw = written(tmp_path, data).read_bytes().replace(b"PLACEHOLDER", b"ab\xff\xc3(cd")
    # the replacement is shorter than the placeholder: the matrices shift, nothing else changes
    path = tmp_path / "bad.bin"
    path.write_bytes(raw)
    with caplog.at_level(logging.WARNING, logger="fastembed_core"):
        ours = read_facebook_bin(path)
    assert "1 word(s) of the dictionary are not valid UTF-8" in caplog.text
    with open(path, "rb") as f, caplog.at_level(logging.CRITICAL, logger="gensim"):
        ref = gensim_bin.load(f)
    assert ours.words == list(ref.raw_vocab)
    assert ours.words[1] == "ab\\xff\\xc3(cd"


def test_supervised_model_keeps_its_labels(tmp_path):
    name = "pang_lee_polarity_fasttext.bin"  # gensim refuses supervised models; we read them
    data = read_facebook_bin(datapath(name))
    assert data.args["model"] == 3 and data.nlabels == 2
    assert all(w.startswith("__label__") for w in data.words[data.nwords :])
    assert data.output_matrix.shape == (2, data.args["dim"])
    back = read_facebook_bin(written(tmp_path, data))
    assert_same(back, data)


# ---- fastText itself ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fasttext_model(tmp_path_factory):
    fasttext = pytest.importorskip("fasttext")
    folder = tmp_path_factory.mktemp("ft")
    corpus = folder / "corpus.txt"
    rng = random.Random(0)
    vocab = "the of and a to in is été 東京 cat dog fish bird tree".split()
    corpus.write_text(
        "".join(" ".join(rng.choice(vocab) for _ in range(12)) + "\n" for _ in range(1500)),
        encoding="utf-8",
    )
    # fasttext's trainer stops with "Encountered NaN" on some runs of tiny corpora, and on
    # others returns matrices holding NaN (which our writer refuses, and which never compare
    # equal); the file format is what is tested here, so such a run is retried.
    for _attempt in range(5):
        try:
            model = fasttext.train_unsupervised(
                str(corpus), dim=8, epoch=2, minCount=1, bucket=2000, thread=1, verbose=0
            )
        except RuntimeError as exc:
            if "NaN" not in str(exc):
                raise
            continue
        if (
            np.isfinite(model.get_input_matrix()).all()
            and np.isfinite(model.get_output_matrix()).all()
        ):
            break
    else:
        pytest.skip("fasttext failed to train the tiny model 5 times")
    path = folder / "ft.bin"
    model.save_model(str(path))
    return fasttext, model, path


def test_reads_what_fasttext_writes(fasttext_model):
    _, model, path = fasttext_model
    data = read_facebook_bin(path)
    assert data.words == model.get_words()
    words, freqs = model.get_words(include_freq=True)
    assert data.counts.tolist() == list(freqs)
    assert np.array_equal(data.input_matrix, model.get_input_matrix())
    assert np.array_equal(data.output_matrix, model.get_output_matrix())
    assert data.args["dim"] == 8 and data.args["bucket"] == 2000 and data.args["version"] == 12


def test_what_we_write_is_what_fasttext_writes(fasttext_model, tmp_path):
    fasttext, model, path = fasttext_model
    ours = written(tmp_path, read_facebook_bin(path))
    assert ours.read_bytes() == path.read_bytes()
    loaded = fasttext.load_model(str(ours))
    assert np.array_equal(loaded.get_input_matrix(), model.get_input_matrix())
    assert np.array_equal(loaded.get_output_matrix(), model.get_output_matrix())


def test_fasttext_loads_what_we_write(fasttext_model, tmp_path):
    fasttext = fasttext_model[0]
    data = make_data(nwords=6, bucket=30, dim=4)
    loaded = fasttext.load_model(str(written(tmp_path, data)))
    assert loaded.get_words(on_unicode_error="strict") == data.words
    assert np.array_equal(loaded.get_input_matrix(), data.input_matrix)
    assert np.array_equal(loaded.get_output_matrix(), data.output_matrix)
    # a vocabulary word's vector is the mean of its own row and its n-gram rows
    assert loaded.get_dimension() == 4 and loaded.get_subwords("été")[0][0] == "été"


# ---- bad files ------------------------------------------------------------------------------


def corrupt(tmp_path, fmt, offset, value, data=None):
    return patched(written(tmp_path, data or make_data()), offset, fmt, value)


@pytest.mark.parametrize(
    "where, fmt, value, error, fragment",
    [
        (0, "<i", 12345, FormatError, "not a fastText .bin"),
        (0, ">i", fb.MAGIC, FormatError, "big-endian"),
        (4, "<i", 13, UnsupportedVersionError, "version 13"),
        (4, "<i", 10, UnsupportedVersionError, "version 10"),
        (FIELD_AT["dim"], "<i", -1, FormatError, "dim is negative"),
        (FIELD_AT["dim"], "<i", 0, FormatError, "dim is 0"),
        (FIELD_AT["dim"], "<i", 4, FormatError, "input matrix has 3 columns but dim is 4"),
        (FIELD_AT["bucket"], "<i", -3, FormatError, "bucket is negative"),
        (FIELD_AT["bucket"], "<i", 6, FormatError, "nwords + bucket = 6 + 6"),
        (FIELD_AT["loss"], "<i", 9, FormatError, "loss code 9"),
        (FIELD_AT["model"], "<i", 0, FormatError, "model code 0"),
        (FIELD_AT["model"], "<i", 3, FormatError, "rows but nlabels"),
        (FIELD_AT["t"], "<d", float("nan"), FormatError, "sampling threshold"),
        (SIZE_AT, "<i", -1, FormatError, "size is negative"),
        (SIZE_AT, "<i", 7, FormatError, "nwords + nlabels"),
        (SIZE_AT, "<i", 2**31 - 1, FormatError, "nwords + nlabels"),
        (NWORDS_AT, "<i", -6, FormatError, "nwords is negative"),
        (NTOKENS_AT, "<q", -1, FormatError, "ntokens is negative"),
        (PRUNE_AT, "<q", -2, FormatError, "pruneidx_size is -2"),
        (PRUNE_AT, "<q", 0, FormatError, "pruned dictionary without quantization"),
        (PRUNE_AT, "<q", 10**15, TruncatedFileError, "pruneidx_size"),
        (ENTRIES_AT + 5, "<q", -4, FormatError, "entry 0 has a negative count"),
        (ENTRIES_AT + 13, "<b", 2, FormatError, "entry 0 has type 2"),
        (ENTRIES_AT + 13, "<b", 1, FormatError, "entry 0 is out of place"),
    ],
)
def test_corrupt_fields_are_named(tmp_path, where, fmt, value, error, fragment):
    with pytest.raises(error, match=re.escape(fragment)) as info:
        read_facebook_bin(corrupt(tmp_path, fmt, where, value))
    assert isinstance(info.value, FormatError) and isinstance(info.value, ValueError)


def test_absurd_sizes_fail_before_allocating(tmp_path):
    """Headers claiming 2^31 dictionary entries, 10^12 rows or 10^9 columns fail at once,
    without asking for the memory: shapes are checked against the header, sizes against what
    is left in the file."""
    data = make_data()
    matrix_at = ENTRIES_AT + sum(len(w.encode()) + 10 for w in data.words) + 1
    huge_bucket = 2**31 - 1
    cases = [
        ([(SIZE_AT, "<iii", (2**31 - 1, 2**31 - 1, 0))], TruncatedFileError, "dictionary's size"),
        ([(matrix_at, "<qq", (10**12, 3))], FormatError, "input matrix has 1000000000000 rows"),
        ([(matrix_at, "<qq", (10**12, 0))], FormatError, "input matrix has 0 columns"),
        ([(matrix_at, "<qq", (11, 10**9))], FormatError, "input matrix has 1000000000 columns"),
        ([(output_header_at(data), "<qq", (10**12, 3))], FormatError, "output matrix has"),
        ([(FIELD_AT["bucket"], "<i", (huge_bucket,))], FormatError, "input matrix has 11 rows"),
        # a header consistent with itself, but not with the file's size
        (
            [(FIELD_AT["bucket"], "<i", (huge_bucket,)), (matrix_at, "<qq", (6 + huge_bucket, 3))],
            TruncatedFileError,
            "does not fit in the",
        ),
    ]
    for patches, error, fragment in cases:
        raw = bytearray(written(tmp_path, data).read_bytes())
        for offset, fmt, values in patches:
            struct.pack_into(fmt, raw, offset, *values)
        path = tmp_path / "absurd.bin"
        path.write_bytes(bytes(raw))
        tracemalloc.start()
        try:
            with pytest.raises(error, match=fragment):
                read_facebook_bin(path)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 4 << 20, (fragment, peak)


def test_negative_matrix_shape(tmp_path):
    data = make_data()
    matrix_at = ENTRIES_AT + sum(len(w.encode()) + 10 for w in data.words) + 1
    with pytest.raises(FormatError, match="negative shape"):
        read_facebook_bin(corrupt(tmp_path, "<q", matrix_at, -11))


def test_quantized_models_are_refused(tmp_path):
    data = make_data()
    quant_at = output_header_at(data) - 1 - data.input_matrix.nbytes - 16 - 1
    with pytest.raises(FormatError, match=r"quantized fastText model \(.ftz\): not supported"):
        read_facebook_bin(corrupt(tmp_path, "<b", quant_at, 1))
    with pytest.raises(FormatError, match="quantized"):
        read_facebook_bin(corrupt(tmp_path, "<b", output_header_at(data) - 1, 1))  # qout
    with pytest.raises(FormatError, match="quant_input flag is 7"):
        read_facebook_bin(corrupt(tmp_path, "<b", quant_at, 7))


def test_output_matrix_of_another_width_or_height(tmp_path):
    data = make_data(dim=3)
    head = written(tmp_path, data).read_bytes()[: output_header_at(data)]
    for rows, cols, fragment in [
        (6, 4, "output matrix has 4 columns but dim is 3"),
        (6, 0, "output matrix has 0 columns but dim is 3"),
        (5, 3, "output matrix has 5 rows but nwords = 6"),
    ]:
        path = tmp_path / "w.bin"
        path.write_bytes(head + struct.pack("<qq", rows, cols) + bytes(4 * rows * cols))
        with pytest.raises(FormatError, match=fragment):
            read_facebook_bin(path)


def test_every_truncation_is_reported(tmp_path):
    raw = written(tmp_path, make_data(nwords=4, bucket=2, dim=2)).read_bytes()
    path = tmp_path / "cut.bin"
    for n in range(len(raw)):
        path.write_bytes(raw[:n])
        for full in (True, False):
            with pytest.raises(FormatError) as info:
                read_facebook_bin(path, full_model=full)
            if n >= 4:  # past the magic number, the message says where the file ends
                assert isinstance(info.value, TruncatedFileError), (n, info.value)


def test_trailing_bytes_are_refused(tmp_path):
    path = written(tmp_path, make_data())
    path.write_bytes(path.read_bytes() + b"\0\0\0")
    for full in (True, False):
        with pytest.raises(FormatError, match="3 bytes of unexpected data after the output"):
            read_facebook_bin(path, full_model=full)


def test_duplicate_word(tmp_path):
    data = make_data(nwords=3)
    data.words[2] = "PLACEHOLDER"
    data.words[1] = "PLACEHOLDEX"
    path = tmp_path / "dup.bin"
    path.write_bytes(written(tmp_path, data).read_bytes().replace(b"PLACEHOLDEX", b"PLACEHOLDER"))
    with pytest.raises(
        FormatError, match=r"'PLACEHOLDER' appears twice in the dictionary \(entries 1 and 2\)"
    ):
        read_facebook_bin(path)


def test_word_without_end(tmp_path):
    data = make_data(nwords=2)
    raw = written(tmp_path, data).read_bytes()
    path = tmp_path / "long.bin"
    path.write_bytes(raw[:ENTRIES_AT] + b"w" * (fb.MAX_KEY_BYTES + 10) + raw[ENTRIES_AT:])
    with pytest.raises(FormatError, match="entry 0 of 2 has no end: no NUL byte within"):
        read_facebook_bin(path)


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"", "not a fastText .bin"),
        (b"\x1f\x8b\x08\x00" + bytes(60), "gzip"),
        (b"2 3\nthe 0.1 0.2 0.3\nof 1 2 3\n", "word2vec-format text vectors file"),
        (b"\x93FEMBED\n" + bytes(40), "fastembed_core native file"),
        (bytes(range(256)) * 4, "nor is it one from before 2017"),
    ],
)
def test_other_files_are_not_fasttext(tmp_path, content, fragment):
    path = tmp_path / "other.bin"
    path.write_bytes(content)
    with pytest.raises(FormatError, match="not a fastText .bin") as info:
        read_facebook_bin(path)
    assert fragment in str(info.value)


def test_not_a_regular_file(tmp_path):
    with pytest.raises(FormatError, match="not a regular file"):
        read_facebook_bin(tmp_path)
    with pytest.raises(FileNotFoundError):
        read_facebook_bin(tmp_path / "missing.bin")


def test_single_byte_corruptions_raise_only_format_errors(tmp_path):
    """Every byte of the header and dictionary set to each of a few values: the file loads or
    raises FormatError; never another exception, never a large allocation."""
    raw = written(tmp_path, make_data(nwords=5, bucket=3, dim=2)).read_bytes()
    end_of_dictionary = ENTRIES_AT + sum(len(w.encode()) + 10 for w in WORDS[:5]) + 2 + 16
    path = tmp_path / "flip.bin"
    for i in range(end_of_dictionary):
        for value in (0x00, 0xFF, raw[i] ^ 0x41):
            mutated = bytearray(raw)
            mutated[i] = value
            path.write_bytes(bytes(mutated))
            try:
                data = read_facebook_bin(path)
            except FormatError as exc:
                assert str(exc)
                continue
            n_in = data.nwords + data.args["bucket"]
            assert data.input_matrix.shape == (n_in, data.args["dim"])
            assert len(data.words) == len(data.counts) == len(data.entry_types)


# ---- the writer -----------------------------------------------------------------------------


def with_(data, **changes):
    return FacebookModelData(**{**data.__dict__, **changes})


@pytest.mark.parametrize(
    "change, error, fragment",
    [
        ({"words": ["a", "b\0c", "d", "e", "f", "g"]}, ValueError, "NUL character"),
        ({"words": ["a", "b", "a", "e", "f", "g"]}, ValueError, "'a' appears twice"),
        ({"words": ["a", "\ud800", "c", "d", "e", "f"]}, ValueError, "cannot be encoded"),
        ({"words": ["a", 2, "c", "d", "e", "f"]}, TypeError, "words must be str"),
        ({"counts": np.array([1, 2, -3, 4, 5, 6])}, ValueError, "non-negative"),
        ({"counts": np.ones(5, np.int64)}, ValueError, "6 words but counts"),
        ({"entry_types": np.array([0, 0, 1, 0, 0, 0], np.int8)}, ValueError, "out of place"),
        ({"entry_types": np.array([0, 0, 3, 0, 0, 0], np.int8)}, ValueError, "type 3"),
        ({"ntokens": -1}, ValueError, "ntokens is negative"),
        ({"input_matrix": np.zeros((10, 3), np.float32)}, ValueError, r"needs \(11, 3\)"),
        ({"input_matrix": np.zeros((11, 3), np.int32)}, ValueError, "2-D float array"),
        ({"output_matrix": np.zeros((6, 2), np.float32)}, ValueError, r"need \(6, 3\)"),
        ({"output_matrix": np.full((6, 3), np.nan, np.float32)}, ValueError, "NaN or infinite"),
    ],
)
def test_writer_refuses_bad_data_and_writes_nothing(tmp_path, change, error, fragment):
    path = tmp_path / "out.bin"
    with pytest.raises(error, match=fragment):
        write_facebook_bin(path, with_(make_data(), **change))
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    "arg, value, error, fragment",
    [
        ("dim", None, ValueError, "args lacks dim"),
        ("loss", 7, ValueError, "loss code 7"),
        ("neg", -1, ValueError, "neg is negative"),
        ("bucket", 2**31, ValueError, "int32"),
        ("ws", 2.5, TypeError, "must be an int"),
        ("t", "x", TypeError, "must be a number"),
        ("version", 13, ValueError, "version"),
    ],
)
def test_writer_refuses_bad_args(tmp_path, arg, value, error, fragment):
    data = make_data()
    if value is None:
        del data.args[arg]
    else:
        data.args[arg] = value
    with pytest.raises(error, match=fragment):
        write_facebook_bin(tmp_path / "out.bin", data)
    assert os.listdir(tmp_path) == []


def test_writer_nonfinite_allowed_on_request(tmp_path):
    data = make_data()
    data.input_matrix[3, 1] = np.inf
    with pytest.raises(ValueError, match="input_matrix row 3"):
        write_facebook_bin(tmp_path / "a.bin", data)
    write_facebook_bin(tmp_path / "a.bin", data, allow_nonfinite=True)
    assert np.isinf(read_facebook_bin(tmp_path / "a.bin").input_matrix[3, 1])


def test_writer_is_atomic_and_follows_the_umask(tmp_path, monkeypatch):
    path = written(tmp_path, make_data(seed=1))
    assert stat.S_IMODE(os.stat(path).st_mode) == new_file_mode()
    before = path.read_bytes()
    bad = make_data()
    bad.output_matrix = None
    with pytest.raises(ValueError):
        write_facebook_bin(path, bad)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.bin"]

    class Boom(Exception):
        pass

    data = make_data(seed=2)
    original = fb._write_matrix

    def fails_at_the_output_matrix(f, arr):
        if arr is data.output_matrix:
            raise Boom
        original(f, arr)

    monkeypatch.setattr(fb, "_write_matrix", fails_at_the_output_matrix)
    with pytest.raises(Boom):
        write_facebook_bin(path, data)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.bin"]
