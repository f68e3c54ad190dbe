"""Vector file formats: round trips, the on-disk bytes, and every malformed-file case.

Each bad-input case asserts the exception type and a fragment of the message (reliability
#22-#31, #34, #35).
"""

import bz2
import errno
import gzip
import os
import pickle
import struct
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastembed_core.errors import FormatError, TruncatedFileError
from fastembed_core.io import native
from fastembed_core.vectors import formats
from fastembed_core.vectors.keyedvectors import KeyedVectors

CHUNK_SIZES = [1, 5, 16, 4096]


def make_kv(n=20, dim=6, seed=0, keys=None, counts=True):
    rng = np.random.default_rng(seed)
    keys = keys if keys is not None else [f"w{i}" for i in range(n)]
    kv = KeyedVectors(dim)
    kv.add_vectors(keys, rng.standard_normal((len(keys), dim)).astype(np.float32))
    if counts:
        kv.expandos["count"] = rng.integers(1, 1000, len(keys)).astype(np.int64)
    return kv


def binary_record(key, vec, newline=False):
    raw = key.encode("utf8") + b" " + np.asarray(vec, dtype="<f4").tobytes()
    return raw + (b"\n" if newline else b"")


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return str(path)


def assert_same(kv, keys, vectors):
    assert kv.index_to_key == list(keys)
    assert kv.key_to_index == {k: i for i, k in enumerate(keys)}
    np.testing.assert_array_equal(kv.vectors, vectors)


# --------------------------------------------------------------------------------------------
# round trips and bytes on disk
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("chunk", CHUNK_SIZES)
def test_round_trip_at_every_chunk_size(tmp_path, binary, chunk):
    kv = make_kv(n=40, dim=7, seed=chunk, counts=False)
    path = tmp_path / "v.w2v"
    kv.save_word2vec_format(path, binary=binary)
    back = formats.load_word2vec_format(path, binary=binary, _chunk_size=chunk)
    assert_same(back, kv.index_to_key, kv.vectors)
    assert back.vectors.dtype == np.float32 and back.vectors.flags.c_contiguous


@pytest.mark.parametrize("chunk", CHUNK_SIZES)
def test_binary_with_newline_after_each_vector_like_word2vec_c(tmp_path, chunk):
    # word2vec.c writes "</s>" first and a newline after every vector.
    keys = ["</s>", "the", "ünïcödé", "日本", "x"]
    vecs = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    data = b"5 3\n" + b"".join(binary_record(k, v, newline=True) for k, v in zip(keys, vecs))
    path = write_bytes(tmp_path / "c.bin", data)
    kv = (
        KeyedVectors.load_word2vec_format(path, binary=True)
        if chunk == 4096
        else formats.load_word2vec_format(path, binary=True, _chunk_size=chunk)
    )
    assert_same(kv, keys, vecs)


def test_text_with_trailing_spaces_crlf_and_bom(tmp_path):
    vecs = np.array([[0.5, -1.25], [3.0, 4.0]], dtype=np.float32)
    data = "\ufeff2 2\r\n</s> 0.5 -1.25 \r\nb 3 4 \r\n".encode("utf8")
    kv = KeyedVectors.load_word2vec_format(write_bytes(tmp_path / "t.txt", data))
    assert_same(kv, ["</s>", "b"], vecs)


def test_last_line_without_newline_loads(tmp_path):
    kv = KeyedVectors.load_word2vec_format(write_bytes(tmp_path / "t.txt", b"2 2\na 1 2\nb 3 4"))
    assert_same(kv, ["a", "b"], np.array([[1, 2], [3, 4]], dtype=np.float32))


def test_text_bytes_match_numpy_scalar_printing(tmp_path):
    kv = KeyedVectors(3)
    kv.add_vectors(["a", "b"], np.array([[0.1, -2.5e-7, 1e20], [1 / 3, 0, -0.0]], dtype=np.float32))
    path = tmp_path / "t.txt"
    kv.save_word2vec_format(path)
    v = kv.vectors
    expected = (
        "2 3\n"
        + "a "
        + " ".join(str(x) for x in v[0])
        + "\n"
        + "b "
        + " ".join(str(x) for x in v[1])
        + "\n"
    ).encode()
    assert path.read_bytes() == expected
    np.testing.assert_array_equal(KeyedVectors.load_word2vec_format(path).vectors, v)


def test_binary_bytes_are_little_endian_without_newline(tmp_path):
    kv = KeyedVectors(2)
    kv.add_vectors(["é", "b"], np.array([[1.5, -2.0], [3.25, 1e-3]], dtype=np.float32))
    path = tmp_path / "b.bin"
    kv.save_word2vec_format(path, binary=True)
    expected = (
        b"2 2\n"
        + "é ".encode()
        + struct.pack("<2f", 1.5, -2.0)
        + b"b "
        + struct.pack("<2f", 3.25, np.float32(1e-3))
    )
    assert path.read_bytes() == expected


def test_foreign_byte_order_path_round_trips(tmp_path):
    # On a big-endian host the default ("<") is the foreign order; exercise the swap path here
    # by asking for the order that is foreign to this host.
    foreign = ">" if np.little_endian else "<"
    kv = make_kv(n=9, dim=4, counts=False)
    path = tmp_path / "f.bin"
    formats.write_word2vec(path, kv.index_to_key, kv.vectors, binary=True, _byteorder=foreign)
    data = path.read_bytes()
    rec = data[len(b"9 4\n") :][: len("w0 ") + 16]
    assert rec[3:] == kv.vectors[0].astype(np.dtype("f4").newbyteorder(foreign)).tobytes()
    assert rec[3:] != kv.vectors[0].astype("=f4").tobytes()
    back = formats.read_word2vec(path, binary=True, _byteorder=foreign)
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert back.vectors.dtype.isnative
    # read in the wrong order the values are garbage, so the order really is applied
    wrong = formats.read_word2vec(path, binary=True, allow_nonfinite=True)
    assert not np.array_equal(wrong.vectors, kv.vectors)


def test_sort_attr_orders_by_descending_count_ties_in_index_order(tmp_path):
    kv = make_kv(n=6, dim=2)
    kv.expandos["count"] = np.array([5, 9, 5, 1, 9, 7], dtype=np.int64)
    path = tmp_path / "s.txt"
    kv.save_word2vec_format(path)
    back = KeyedVectors.load_word2vec_format(path)
    assert back.index_to_key == ["w1", "w4", "w5", "w0", "w2", "w3"]
    np.testing.assert_array_equal(back.vectors, kv[back.index_to_key])


def test_made_up_counts_descend_like_gensim(tmp_path):
    path = tmp_path / "s.txt"
    make_kv(n=5, counts=False).save_word2vec_format(path)
    back = KeyedVectors.load_word2vec_format(path)
    assert back.expandos["count"].tolist() == [5, 4, 3, 2, 1]
    back = KeyedVectors.load_word2vec_format(path, limit=3)
    assert back.expandos["count"].tolist() == [3, 2, 1]


def test_fvocab_round_trip_and_missing_words(tmp_path):
    kv = make_kv(n=8)
    path, vocab = tmp_path / "v.txt", tmp_path / "vocab.txt"
    kv.save_word2vec_format(path, fvocab=vocab, binary=True)
    lines = vocab.read_text().splitlines()
    order = np.argsort(-kv.expandos["count"], kind="stable")
    assert lines == [f"w{i} {kv.expandos['count'][i]}" for i in order]
    back = KeyedVectors.load_word2vec_format(path, fvocab=vocab, binary=True)
    for k in kv.index_to_key:
        assert back.get_vecattr(k, "count") == kv.get_vecattr(k, "count")
    vocab.write_text("\n".join(lines[:-2]) + "\n")
    with pytest.warns(UserWarning, match="lacks 2 of the 8 keys"):
        KeyedVectors.load_word2vec_format(path, fvocab=vocab, binary=True)


def test_fvocab_needs_the_sort_attribute(tmp_path):
    with pytest.raises(ValueError, match="'count' because that attribute does not exist"):
        make_kv(counts=False).save_word2vec_format(tmp_path / "v", fvocab=tmp_path / "voc")
    assert not os.path.exists(tmp_path / "v")


def test_limit_datatype_prefix_header_total_vec_append(tmp_path):
    kv = make_kv(n=10, dim=3, counts=False)
    path = tmp_path / "v.txt"
    kv.save_word2vec_format(path, prefix="p_", total_vec=12)
    first = path.read_bytes()
    assert first.startswith(b"12 3\np_w0 ")
    kv.save_word2vec_format(path, prefix="q_", append=True, write_header=False)
    assert path.read_bytes().startswith(first) and b"\nq_w9 " in path.read_bytes()
    # 12 declared, 20 present: the first 12 load with limit, all 12 with strict=False
    back = KeyedVectors.load_word2vec_format(path, limit=4, datatype=np.float64)
    assert back.index_to_key == ["p_w0", "p_w1", "p_w2", "p_w3"]
    assert back.vectors.dtype == np.float64
    # float64 parses the printed decimals, not the float32 values they came from
    expected = np.array([[float(str(x)) for x in row] for row in kv.vectors[:4]])
    np.testing.assert_array_equal(back.vectors, expected)
    with pytest.warns(UserWarning, match="more data after the 12 vectors"):
        back = KeyedVectors.load_word2vec_format(path, strict=False)
    assert back.index_to_key[-2:] == ["q_w0", "q_w1"]
    half = KeyedVectors.load_word2vec_format(path, limit=2, datatype=np.float16)
    assert half.vectors.dtype == np.float16


def test_int_keys_are_written_as_text(tmp_path):
    kv = make_kv(keys=[10, 3, 7], counts=False)
    kv.save_word2vec_format(tmp_path / "i.txt")
    assert KeyedVectors.load_word2vec_format(tmp_path / "i.txt").index_to_key == ["10", "3", "7"]


def test_compressed_files_are_read_by_name(tmp_path):
    kv = make_kv(n=30, counts=False)
    kv.save_word2vec_format(tmp_path / "v.bin", binary=True)
    raw = (tmp_path / "v.bin").read_bytes()
    with gzip.open(tmp_path / "v.bin.gz", "wb") as f:
        f.write(raw)
    with bz2.open(tmp_path / "v.bin.bz2", "wb") as f:
        f.write(raw)
    for name in ("v.bin.gz", "v.bin.bz2"):
        assert_same(
            formats.load_word2vec_format(tmp_path / name, binary=True, _chunk_size=7),
            kv.index_to_key,
            kv.vectors,
        )
    # a cut gzip stream is reported, not silently half-loaded
    gz = (tmp_path / "v.bin.gz").read_bytes()
    write_bytes(tmp_path / "cut.bin.gz", gz[: len(gz) // 2])
    with pytest.raises(TruncatedFileError):
        KeyedVectors.load_word2vec_format(tmp_path / "cut.bin.gz", binary=True)


def test_zero_vectors_header_is_an_empty_object(tmp_path):
    kv = KeyedVectors(4)
    kv.save_word2vec_format(tmp_path / "e.txt")
    assert (tmp_path / "e.txt").read_bytes() == b"0 4\n"
    back = KeyedVectors.load_word2vec_format(tmp_path / "e.txt")
    assert len(back) == 0 and back.vectors.shape == (0, 4)


def test_glove_and_fasttext_vec(tmp_path):
    kv = make_kv(n=12, dim=5, counts=False)
    formats.save_glove(kv, tmp_path / "g.txt")
    assert not (tmp_path / "g.txt").read_bytes().startswith(b"12 5")
    back = formats.load_glove(tmp_path / "g.txt")
    assert_same(back, kv.index_to_key, kv.vectors)
    back = KeyedVectors.load_word2vec_format(tmp_path / "g.txt", no_header=True, limit=3)
    assert back.index_to_key == kv.index_to_key[:3]

    formats.save_fasttext_vec(kv, tmp_path / "f.vec")
    lines = (tmp_path / "f.vec").read_text().splitlines()
    assert lines[0] == "12 5"
    assert lines[1] == "w0 " + "".join(f"{v:.5g} " for v in kv.vectors[0].tolist())
    back = formats.load_fasttext_vec(tmp_path / "f.vec")
    np.testing.assert_allclose(back.vectors, kv.vectors, rtol=1e-4, atol=1e-6)
    formats.save_fasttext_vec(kv, tmp_path / "full.vec", precision=None)
    np.testing.assert_array_equal(
        formats.load_fasttext_vec(tmp_path / "full.vec").vectors, kv.vectors
    )


def test_export_projector(tmp_path):
    kv = make_kv(n=5, dim=3)
    formats.export_projector(kv, tmp_path / "v.tsv", tmp_path / "m.tsv", limit=4)
    rows = (tmp_path / "v.tsv").read_text().splitlines()
    assert len(rows) == 4
    np.testing.assert_array_equal(
        np.array([r.split("\t") for r in rows], dtype=np.float32), kv.vectors[:4]
    )
    assert (tmp_path / "m.tsv").read_text().splitlines() == kv.index_to_key[:4]
    formats.export_projector(kv, tmp_path / "v2.tsv", tmp_path / "m2.tsv", attrs=["count"])
    meta = (tmp_path / "m2.tsv").read_text().splitlines()
    assert meta[0] == "key\tcount" and meta[2] == f"w1\t{kv.expandos['count'][1]}"
    bad = make_kv(keys=["ok", "tab\there"])
    with pytest.raises(ValueError, match="tab"):
        formats.export_projector(bad, tmp_path / "v3.tsv", tmp_path / "m3.tsv")
    assert not (tmp_path / "v3.tsv").exists()


# --------------------------------------------------------------------------------------------
# wrong kind of file (#22)
# --------------------------------------------------------------------------------------------


def _native_file(path):
    make_kv(n=3).save(path)
    return path


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize(
    "make, fragment",
    [
        (lambda p: write_bytes(p, gzip.compress(b"3 2\na 1 2\n")), "gzip-compressed"),
        (lambda p: write_bytes(p, b"\n<!DOCTYPE html><html><body>Not found</body></html>"), "HTML"),
        (lambda p: write_bytes(p, pickle.dumps({"a": [1.0, 2.0]}, protocol=4)), "pickle"),
        (lambda p: write_bytes(p, struct.pack("<ii", 793712314, 12) + b"\0" * 64), "fastText .bin"),
        (lambda p: _native_file(p), "KeyedVectors.load()"),
        (lambda p: write_bytes(p, b"PK\x03\x04" + b"\0" * 40), "zip archive"),
        (lambda p: write_bytes(p, b""), "empty"),
    ],
)
def test_wrong_kind_of_file_is_named(tmp_path, binary, make, fragment):
    path = make(str(tmp_path / "file.vec"))
    with pytest.raises(FormatError, match=fragment):
        KeyedVectors.load_word2vec_format(path, binary=binary)


@pytest.mark.parametrize(
    "data",
    [
        gzip.compress(b"3 2\na 1 2\n"),
        pickle.dumps({"a": [1.0, 2.0]}, protocol=4),
        b"PK\x03\x04" + b"\0" * 40,
        struct.pack("<ii", 793712314, 12) + b"\0" * 64,
        b"\x93NUMPY\x01\x00" + b"\0" * 40,
        b"<!DOCTYPE html><html><body>Not found</body></html>",
    ],
)
def test_both_loaders_name_a_foreign_file_the_same_way(tmp_path, data):
    path = write_bytes(tmp_path / "file", data)
    messages = []
    for load in (KeyedVectors.load_word2vec_format, KeyedVectors.load):
        with pytest.raises(FormatError) as info:
            load(path)
        messages.append(str(info.value))
    assert messages[0] == messages[1] and "looks like" in messages[0]


@pytest.mark.skipif(not os.path.isdir("/dev/fd"), reason="no /dev/fd on this system")
def test_sniffing_a_pipe_does_not_consume_it(tmp_path):
    from fastembed_core.io.detect import native_kind, sniff_format

    kv = make_kv(n=30, dim=4)
    kv.save_word2vec_format(tmp_path / "v.txt")
    data = (tmp_path / "v.txt").read_bytes()
    assert len(data) < 60000  # fits in the pipe's buffer, so writing does not block
    r, w = os.pipe()
    try:
        os.write(w, data)
        os.close(w)
        w = None
        path = f"/dev/fd/{r}"
        assert sniff_format(path) is None
        assert native_kind(path) is None
        back = KeyedVectors.load_word2vec_format(path)
        assert sorted(back.index_to_key) == sorted(kv.index_to_key)
    finally:
        os.close(r)
        if w is not None:
            os.close(w)


def test_glove_file_without_header_suggests_no_header(tmp_path):
    path = write_bytes(tmp_path / "g.txt", b"the 0.1 0.2 0.3\nof 0.4 0.5 0.6\n")
    with pytest.raises(FormatError, match="no_header=True"):
        KeyedVectors.load_word2vec_format(path)
    with pytest.raises(FormatError, match="no_header=True and binary=False"):
        KeyedVectors.load_word2vec_format(path, binary=True)
    assert KeyedVectors.load_word2vec_format(path, no_header=True).index_to_key == ["the", "of"]


def test_glove_file_starting_with_angle_bracket_token_is_not_html(tmp_path):
    path = write_bytes(tmp_path / "g.txt", b"<unk> 0.1 0.2\n<s> 0.3 0.4\n")
    assert formats.load_glove(path).index_to_key == ["<unk>", "<s>"]


def test_binary_file_read_as_text_says_binary(tmp_path):
    kv = make_kv(n=5, dim=50, counts=False)
    kv.save_word2vec_format(tmp_path / "b.bin", binary=True)
    with pytest.raises(FormatError, match="binary=True"):
        KeyedVectors.load_word2vec_format(tmp_path / "b.bin")


def test_text_file_read_as_binary_says_text(tmp_path):
    kv = make_kv(n=5, dim=8, counts=False)
    kv.save_word2vec_format(tmp_path / "t.txt")
    with pytest.raises(FormatError, match="binary=False"):
        KeyedVectors.load_word2vec_format(tmp_path / "t.txt", binary=True)


def test_headerless_option_with_binary_is_refused(tmp_path):
    with pytest.raises(ValueError, match="text files"):
        KeyedVectors.load_word2vec_format(tmp_path / "x", binary=True, no_header=True)


def test_garbage_first_line_says_no_header(tmp_path):
    path = write_bytes(tmp_path / "x.txt", b"hello world, this is prose\n")
    with pytest.raises(FormatError, match="'count dim' header"):
        KeyedVectors.load_word2vec_format(path)


# --------------------------------------------------------------------------------------------
# truncation (#23), extra records (#24), absurd headers (#25)
# --------------------------------------------------------------------------------------------


def test_truncated_text_file(tmp_path):
    kv = make_kv(n=10, dim=4, counts=False)
    kv.save_word2vec_format(tmp_path / "t.txt")
    lines = (tmp_path / "t.txt").read_bytes().splitlines(keepends=True)
    data = b"".join(lines[:8])  # header + 7 vectors
    path = write_bytes(tmp_path / "cut.txt", data)
    with pytest.raises(
        TruncatedFileError, match=f"expected 10 vectors, got 7, at byte {len(data)}"
    ):
        KeyedVectors.load_word2vec_format(path)
    # cut inside a line
    data = b"".join(lines[:8]) + lines[8][:7]
    path = write_bytes(tmp_path / "cut2.txt", data)
    with pytest.raises(TruncatedFileError, match="expected 10 vectors, got 7.*cut short"):
        KeyedVectors.load_word2vec_format(path)


@pytest.mark.parametrize("chunk", CHUNK_SIZES)
@pytest.mark.parametrize("cut", [0, 2, 3, 10])
def test_truncated_binary_file(tmp_path, chunk, cut):
    kv = make_kv(n=6, dim=4, counts=False)
    kv.save_word2vec_format(tmp_path / "b.bin", binary=True)
    full = (tmp_path / "b.bin").read_bytes()
    record = len("w0 ") + 16
    keep = len(b"6 4\n") + 4 * record + cut  # 4 whole records, then `cut` bytes of the 5th
    path = write_bytes(tmp_path / "cut.bin", full[:keep])
    with pytest.raises(TruncatedFileError, match=f"expected 6 vectors, got 4, at byte {keep}"):
        formats.load_word2vec_format(path, binary=True, _chunk_size=chunk)


@pytest.mark.parametrize("binary", [False, True])
def test_more_records_than_header(tmp_path, binary):
    kv = make_kv(n=5, dim=3, counts=False)
    kv.save_word2vec_format(tmp_path / "v", binary=binary, total_vec=3)
    with pytest.raises(FormatError, match="more data after the 3 vectors its header declares"):
        KeyedVectors.load_word2vec_format(tmp_path / "v", binary=binary)
    with pytest.warns(UserWarning, match="ignored"):
        back = KeyedVectors.load_word2vec_format(tmp_path / "v", binary=binary, strict=False)
    assert_same(back, kv.index_to_key[:3], kv.vectors[:3])


@pytest.mark.parametrize("binary", [False, True])
def test_zero_count_header_with_records_is_an_error(tmp_path, binary):
    kv = make_kv(n=2, dim=3, counts=False)
    kv.save_word2vec_format(tmp_path / "v", binary=binary, total_vec=0)
    with pytest.raises(FormatError, match="more data after the 0 vectors"):
        KeyedVectors.load_word2vec_format(tmp_path / "v", binary=binary)


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize(
    "header, fragment",
    [
        (b"1000000000000 50", "expected 1000000000000 vectors, got 2"),
        (b"10 1000000000", "implausible"),
        (b"-5 10", "must be >= 0"),
        (b"5 0", "dimension > 0"),
        (b"5 -3", "dimension > 0"),
        (b"5 3.5", "'count dim' header"),
    ],
)
def test_absurd_headers_fail_before_allocating(tmp_path, binary, header, fragment):
    body = b"".join(
        binary_record(k, [1, 2] * 25) if binary else (k + " 1" * 50 + "\n").encode()
        for k in ("a", "b")
    )
    path = write_bytes(tmp_path / "h", header + b"\n" + body)
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match=fragment):
            KeyedVectors.load_word2vec_format(path, binary=binary)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20, f"peak {peak} bytes for a {len(body)}-byte file"


def test_impossible_count_is_explained(tmp_path):
    path = write_bytes(tmp_path / "h", b"1000000000000 2\na 1 2\n")
    with pytest.raises(TruncatedFileError, match="cannot fit in the 6 bytes"):
        KeyedVectors.load_word2vec_format(path)


# --------------------------------------------------------------------------------------------
# malformed records (#26-#29)
# --------------------------------------------------------------------------------------------


def test_wrong_number_of_values(tmp_path):
    path = write_bytes(tmp_path / "t", b"3 4\na 1 2 3 4\nb 1 2 3\nc 1 2 3 4\n")
    with pytest.raises(FormatError, match="line 3: expected 4 values, got 3"):
        KeyedVectors.load_word2vec_format(path)


def test_key_with_a_space_is_diagnosed(tmp_path):
    path = write_bytes(tmp_path / "t", b"2 2\nnew york 1 2\nb 1 2\n")
    with pytest.raises(FormatError, match="line 2: expected 2 values, got 3 .*contain a space"):
        KeyedVectors.load_word2vec_format(path)


def test_tab_separated_values_are_diagnosed(tmp_path):
    path = write_bytes(tmp_path / "t", b"1 2\na\t1\t2\n")
    with pytest.raises(FormatError, match="line 2: expected 2 values, got 0 .*tabs"):
        KeyedVectors.load_word2vec_format(path)


def test_unparsable_float_names_line_and_column(tmp_path):
    path = write_bytes(tmp_path / "t", b"2 3\na 1 2 3\nb 1 x2 3\n")
    with pytest.raises(FormatError, match=r"line 3, column 3: cannot parse b'x2'"):
        KeyedVectors.load_word2vec_format(path)


@pytest.mark.parametrize("value", [b"nan", b"inf", b"-Infinity", b"1e39"])
def test_nonfinite_text_values_are_rejected_unless_allowed(tmp_path, value):
    path = write_bytes(tmp_path / "t", b"2 3\na 1 2 3\nb 1 2 " + value + b"\n")
    with pytest.raises(FormatError, match="line 3, column 4 .*allow_nonfinite=True"):
        KeyedVectors.load_word2vec_format(path)
    kv = KeyedVectors.load_word2vec_format(path, allow_nonfinite=True)
    assert not np.isfinite(kv["b"][2])


def test_nonfinite_binary_values_are_rejected_unless_allowed(tmp_path):
    data = b"2 3\n" + binary_record("a", [1, 2, 3]) + binary_record("b", [1, np.nan, 3])
    path = write_bytes(tmp_path / "b", data)
    offset = len(b"2 3\n") + len(binary_record("a", [1, 2, 3]))
    with pytest.raises(FormatError, match=f"vector 2 \\('b', byte {offset}\\), value 2"):
        KeyedVectors.load_word2vec_format(path, binary=True)
    assert np.isnan(
        KeyedVectors.load_word2vec_format(path, binary=True, allow_nonfinite=True)["b"][1]
    )


@pytest.mark.parametrize("chunk", [1, 16, 4096])
def test_giant_token_without_space_is_bounded(tmp_path, chunk):
    data = b"2 3\n" + binary_record("a", [1, 2, 3]) + b"z" * 5_000_000
    path = write_bytes(tmp_path / "b", data)
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match="vector 2 .*no space within 1024 bytes"):
            formats.load_word2vec_format(
                path, binary=True, _chunk_size=chunk, _max_token_bytes=1024
            )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # bounded by the token limit and the sniff window, not the file


def test_token_cut_by_end_of_file(tmp_path):
    path = write_bytes(tmp_path / "b", b"2 3\n" + binary_record("a", [1, 2, 3]) + b"abc")
    with pytest.raises(TruncatedFileError, match="expected 2 vectors, got 1"):
        KeyedVectors.load_word2vec_format(path, binary=True)


@pytest.mark.parametrize("binary", [False, True])
def test_duplicate_keys(tmp_path, binary):
    keys = ["a", "b", "a", "c", "b"]
    vecs = np.arange(15, dtype=np.float32).reshape(5, 3)
    formats.write_word2vec(tmp_path / "d", keys, vecs, binary=binary)
    with pytest.raises(FormatError, match="duplicate key 'a'"):
        KeyedVectors.load_word2vec_format(tmp_path / "d", binary=binary)
    with pytest.warns(UserWarning, match="2 duplicate key"):
        kv = KeyedVectors.load_word2vec_format(tmp_path / "d", binary=binary, strict=False)
    assert_same(kv, ["a", "b", "c"], vecs[[0, 1, 3]])
    assert kv.expandos["count"].tolist() == [5, 4, 3]


@pytest.mark.parametrize("binary", [False, True])
def test_invalid_utf8_key(tmp_path, binary):
    key = b"caf\xc3"  # a multibyte character cut in half, as word2vec.c does
    rec = key + (b" " + np.array([1, 2], "<f4").tobytes() if binary else b" 1 2\n")
    path = write_bytes(tmp_path / "u", b"1 2\n" + rec)
    with pytest.raises(FormatError, match="unicode_errors='replace'"):
        KeyedVectors.load_word2vec_format(path, binary=binary)
    kv = KeyedVectors.load_word2vec_format(path, binary=binary, unicode_errors="replace")
    assert kv.index_to_key == ["caf\ufffd"]
    kv = KeyedVectors.load_word2vec_format(path, binary=binary, encoding="latin-1")
    assert kv.index_to_key == ["caf\u00c3"]


# --------------------------------------------------------------------------------------------
# writing: refused keys and values (#30, #13), atomic replacement (#31)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("binary", [False, True])
def test_keys_with_whitespace_are_refused_and_nothing_written(tmp_path, binary):
    kv = make_kv(keys=["ok", "new york", "tab\tbed", "line\nbreak", "nbsp\u00a0", "fine", ""])
    path, vocab = tmp_path / "v", tmp_path / "voc"
    with pytest.raises(ValueError, match=r"5 key\(s\).*'new york', 'tab\\tbed', 'line\\nbreak'"):
        kv.save_word2vec_format(path, binary=binary, fvocab=vocab)
    assert not path.exists() and not vocab.exists()
    with pytest.raises(ValueError, match="'p x'"):
        make_kv(keys=["x"]).save_word2vec_format(path, prefix="p ")


def test_unsupported_key_type_is_refused(tmp_path):
    kv = make_kv(keys=[("a", 1), "b"])
    with pytest.raises(TypeError, match=r"\('a', 1\)"):
        kv.save_word2vec_format(tmp_path / "v")


def test_nonfinite_vectors_are_refused_unless_allowed(tmp_path):
    kv = make_kv(n=4, counts=False)
    kv.vectors[2, 1] = np.inf
    with pytest.raises(ValueError, match="'w2' is not finite"):
        kv.save_word2vec_format(tmp_path / "v")
    assert not (tmp_path / "v").exists()
    kv.save_word2vec_format(tmp_path / "v", allow_nonfinite=True)
    assert b"w2 " in (tmp_path / "v").read_bytes() and b"inf" in (tmp_path / "v").read_bytes()


@pytest.mark.parametrize("binary", [False, True])
def test_failed_write_leaves_previous_file_untouched(tmp_path, monkeypatch, binary):
    path = tmp_path / "v"
    make_kv(n=3, seed=1).save_word2vec_format(path, binary=binary)
    before = path.read_bytes()

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(native.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        make_kv(n=50, seed=2).save_word2vec_format(path, binary=binary)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["v"]


def test_unwritable_path_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        make_kv().save_word2vec_format(tmp_path / "no" / "such" / "dir" / "v")
    (tmp_path / "adir").mkdir()
    with pytest.raises(OSError):
        make_kv().save_word2vec_format(tmp_path / "adir")
    assert os.listdir(tmp_path / "adir") == []


# --------------------------------------------------------------------------------------------
# property-based: unicode round trips, fuzzed files
# --------------------------------------------------------------------------------------------

TOKEN_CHARS = st.one_of(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
    st.characters(min_codepoint=0x0300, max_codepoint=0x036F),  # combining marks
    st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
).filter(lambda c: not c.isspace())
TOKENS = st.lists(
    st.text(TOKEN_CHARS, min_size=1, max_size=12), min_size=1, max_size=25, unique=True
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    keys=TOKENS,
    dim=st.integers(1, 6),
    binary=st.booleans(),
    chunk=st.sampled_from(CHUNK_SIZES),
    seed=st.integers(0, 2**32 - 1),
)
def test_unicode_round_trip(tmp_path, keys, dim, binary, chunk, seed):
    vecs = np.random.default_rng(seed).standard_normal((len(keys), dim)).astype(np.float32)
    path = tmp_path / "u"
    formats.write_word2vec(path, keys, vecs, binary=binary)
    back = formats.read_word2vec(path, binary=binary, _chunk_size=chunk)
    assert back.keys == keys
    np.testing.assert_array_equal(back.vectors, vecs)


def _valid_file(binary):
    kv = make_kv(n=4, dim=3, counts=False)
    recs = b"".join(
        binary_record(k, v) if binary else (k + " " + " ".join(map(str, v)) + "\n").encode()
        for k, v in zip(kv.index_to_key, kv.vectors)
    )
    return b"4 3\n" + recs


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(binary=st.booleans(), data=st.data())
def test_fuzzed_files_raise_only_documented_errors(tmp_path, binary, data):
    base = bytearray(_valid_file(binary))
    for _ in range(data.draw(st.integers(1, 6))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert", "random"]))
        if op == "flip" and base:
            i = data.draw(st.integers(0, len(base) - 1))
            base[i] = data.draw(st.integers(0, 255))
        elif op == "cut":
            base = base[: data.draw(st.integers(0, len(base)))]
        elif op == "insert":
            i = data.draw(st.integers(0, len(base)))
            base[i:i] = data.draw(st.binary(max_size=12))
        else:
            base = bytearray(data.draw(st.binary(max_size=200)))
    path = write_bytes(tmp_path / "fuzz", bytes(base))
    no_header = (not binary) and data.draw(st.booleans())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            kv = formats.load_word2vec_format(
                path,
                binary=binary,
                no_header=no_header,
                strict=data.draw(st.booleans()),
                _chunk_size=data.draw(st.sampled_from(CHUNK_SIZES)),
            )
        except FormatError:
            return
    assert kv.vectors.shape == (len(kv), kv.vector_size)
    assert np.isfinite(kv.vectors).all()
    assert len(set(kv.index_to_key)) == len(kv)
