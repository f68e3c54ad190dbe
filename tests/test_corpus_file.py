"""Reading corpus files in C (fastembed_core._corpus over src/fe_vocab.c).

Every result is compared with a plain-Python reading of the same bytes: lines split on b"\\n",
tokens on ASCII whitespace, a BOM skipped at the start of each file, each token decoded as
UTF-8 with the same `errors` policy.
"""

import bz2
import collections
import gzip
import logging
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fastembed_core import _corpus
from fastembed_core._corpus import SplitCount, count_file, encode_file, remap_tokens, split_files
from fastembed_core.errors import CorpusError
from fastembed_core.models.vocab import count_files
from fastembed_core.models.workers import available_cores, run_workers

BOM = b"\xef\xbb\xbf"
CHUNK_SIZES = [1, 2, 5, 16, 4096, None]  # None: the default (1 MiB)
PIECE = 10000  # gensim's LineSentence sentence cut (pruning cadence)


# ---- the reference ----------------------------------------------------------------------


def ref_lines(blobs, errors="strict"):
    """Token lists of every line (empty ones included) of the files' bytes."""
    lines = []
    for data in blobs:
        if data.startswith(BOM):
            data = data[3:]
        for line in data.split(b"\n"):
            tokens = [t.decode("utf-8", errors) for t in line.split()]
            lines.append([t for t in tokens if t])
    return lines


def ref_count(lines, max_vocab_size=None):
    """gensim's scan_vocab over LineSentence, minus its 10,000-token cut of the sentences."""
    vocab, total, n_sentences, min_reduce = {}, 0, 0, 1
    for tokens in lines:
        n_sentences += bool(tokens)
        for start in range(0, len(tokens), PIECE):
            piece = tokens[start : start + PIECE]
            for t in piece:
                vocab[t] = vocab.get(t, 0) + 1
            total += len(piece)
            if max_vocab_size and len(vocab) > max_vocab_size:
                vocab = {w: c for w, c in vocab.items() if c >= min_reduce}
                min_reduce += 1
    return list(vocab), list(vocab.values()), total, n_sentences


def ref_encode(lines, vocab_words):
    index = {w: i for i, w in enumerate(vocab_words)}
    ids, offsets, raw = [], [0], 0
    for tokens in lines:
        raw += len(tokens)
        kept = [index[t] for t in tokens if t in index]
        if kept:
            ids.extend(kept)
            offsets.append(len(ids))
    return ids, offsets, raw


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def assert_count(paths, blobs, errors="strict", max_vocab_size=None, **kw):
    words, counts, total, n_sent = count_file(
        paths, errors=errors, max_vocab_size=max_vocab_size, **kw
    )
    want = ref_count(ref_lines(blobs, errors), max_vocab_size)
    assert counts.dtype == np.int64
    assert (words, counts.tolist(), total, n_sent) == want
    return words


def assert_encode(paths, blobs, vocab_words, errors="strict", **kw):
    ids, offsets, raw = encode_file(paths, vocab_words, errors=errors, **kw)
    want_ids, want_offsets, want_raw = ref_encode(ref_lines(blobs, errors), vocab_words)
    assert ids.dtype == np.uint32 and offsets.dtype == np.int64
    assert ids.tolist() == want_ids
    assert offsets.tolist() == want_offsets
    assert raw == want_raw


# ---- generated corpora ------------------------------------------------------------------

TOKENS = [
    "the",
    "of",
    "a",
    "cat",
    "dog",
    "x",
    "Zürich",
    "naïve",
    "straße",
    "中文",
    "日本語",
    "한국어",
    "😀",
    "👍🏽",
    "🇫🇷",
    "e\u0301",
    "a\u0308\u0323",
    "Ωμέγα",
    "Москва",
    "مرحبا",
    "שָׁלוֹם",
    "नमस्ते",
    "a-b",
    "1,000",
    "\u00adsoft",
    "\u200bzw",
    "\U0001f9d1\u200d\U0001f4bb",
    "tab\x00nul",
]
SEPARATORS = [" ", "  ", "\t", " \t ", "\x0b", "\x0c", " \r "]


def generate_corpus(rng, n_lines, bom=False, crlf=False, final_newline=True):
    lines = []
    for _ in range(n_lines):
        kind = rng.random()
        if kind < 0.08:
            lines.append("")
        elif kind < 0.12:
            lines.append(rng.choice(["   ", "\t", " \t \r"]))
        else:
            n = rng.randint(1, 25)
            words = [
                rng.choice(TOKENS) if rng.random() < 0.6 else f"w{int(rng.paretovariate(1.0))}"
                for _ in range(n)
            ]
            text = "".join(w + rng.choice(SEPARATORS) for w in words[:-1]) + words[-1]
            if rng.random() < 0.3:
                text = rng.choice(SEPARATORS) + text + rng.choice(SEPARATORS)
            lines.append(text)
    end = "\r\n" if crlf else "\n"
    data = end.join(lines) + (end if final_newline else "")
    return (BOM if bom else b"") + data.encode("utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    rng = random.Random(1234)
    data = generate_corpus(rng, 600, bom=True, crlf=True, final_newline=False)
    path = tmp_path_factory.mktemp("corpus") / "corpus.txt"
    path.write_bytes(data)
    return path, data


def test_reference_agrees_with_str_split(corpus):
    # The generated text has no non-ASCII whitespace, so our byte-level rules and gensim's
    # `line.split()` over decoded text must agree on it (else the corpus tests prove little).
    _, data = corpus
    text = data.decode("utf-8-sig")
    assert ref_lines([data]) == [line.split() for line in text.split("\n")]
    assert sum(map(len, ref_lines([data]))) > 5000


@pytest.mark.parametrize("chunk", CHUNK_SIZES)
def test_count_matches_reference(corpus, chunk):
    path, data = corpus
    words = assert_count([path], [data], _chunk_size=chunk)
    assert "中文" in words and "e\u0301" in words and "tab\x00nul" in words
    assert not any(w.startswith("\ufeff") for w in words)


@pytest.mark.parametrize("chunk", CHUNK_SIZES)
def test_encode_matches_reference(corpus, chunk):
    path, data = corpus
    words, counts, _, _ = count_file([path])
    # a vocabulary in another order, with some words left out (out of vocabulary)
    rng = random.Random(7)
    vocab = [w for w in words if rng.random() < 0.7]
    rng.shuffle(vocab)
    assert_encode([path], [data], vocab, _chunk_size=chunk)


@pytest.mark.parametrize("chunk", CHUNK_SIZES)
def test_tokens_kept_by_the_count_map_to_what_encoding_gives(tmp_path, corpus, chunk):
    # The counting pass keeps every token (as its index in `words`); mapped to any final
    # vocabulary it must equal encode_file's output for that vocabulary, over several files
    # (one without a final newline) and every read-chunk size.
    path, data = corpus
    second = write(tmp_path, "second.txt", b"zz a\n\n  b zz\nlast line no newline")
    words, counts, total, n_sent, (ids, offsets) = count_file(
        [path, second], keep_tokens=True, _chunk_size=chunk
    )
    assert (words, counts.tolist(), total, n_sent) == tuple(
        x.tolist() if isinstance(x, np.ndarray) else x for x in count_file([path, second])
    )
    rng = random.Random(11)
    vocab = [w for w in words if rng.random() < 0.6]
    rng.shuffle(vocab)
    index = {w: i for i, w in enumerate(vocab)}
    new_id = np.array([index.get(w, -1) for w in words], dtype=np.int64)
    got_ids, got_offsets = remap_tokens(ids, offsets, new_id)
    want_ids, want_offsets, want_raw = encode_file([path, second], vocab, _chunk_size=chunk)
    np.testing.assert_array_equal(got_ids, want_ids)
    np.testing.assert_array_equal(got_offsets, want_offsets)
    assert want_raw == total and got_ids.dtype == np.uint32 and got_offsets.dtype == np.int64


def test_tokens_are_not_kept_when_pruning_renumbers_words(tmp_path):
    data = b"\n".join(b"w%d common" % i for i in range(30)) + b"\n"
    path = write(tmp_path, "prune.txt", data)
    *_, tokens = count_file(path, max_vocab_size=5, keep_tokens=True)
    assert tokens is None
    *_, tokens = count_file(path, max_vocab_size=1000, keep_tokens=True)  # nothing pruned
    assert tokens is not None and len(tokens[0]) == 60


def test_remap_rejects_ids_without_a_mapping(tmp_path):
    words, _, _, _, (ids, offsets) = count_file(
        write(tmp_path, "r.txt", b"a b c\n"), keep_tokens=True
    )
    before = ids.copy()
    with pytest.raises(ValueError, match="no entry"):
        remap_tokens(ids, offsets, np.array([0, 1], dtype=np.int64))  # c (id 2) has none
    np.testing.assert_array_equal(ids, before)  # left untouched
    with pytest.raises(ValueError, match="offsets"):
        remap_tokens(ids, np.array([0, 5], dtype=np.int64), np.arange(3))


def test_encode_round_trips_to_the_tokens(corpus):
    path, data = corpus
    words, _, total, n_sent = count_file(str(path))
    ids, offsets, raw = encode_file(str(path), words)
    sentences = [
        [words[i] for i in ids[offsets[k] : offsets[k + 1]]] for k in range(len(offsets) - 1)
    ]
    assert sentences == [s for s in ref_lines([data]) if s]
    assert raw == total == len(ids) and len(sentences) == n_sent


@pytest.mark.parametrize("chunk", [1, 5, 4096, None])
def test_huge_line_loses_nothing(tmp_path, chunk):
    rng = random.Random(3)
    tokens = [f"t{rng.randrange(5000)}" for _ in range(120_000)]
    data = ("head\n" + " ".join(tokens) + "\ntail").encode()
    path = write(tmp_path, "long.txt", data)
    words, counts, total, n_sent = count_file([path], _chunk_size=chunk)
    assert total == 120_002 and n_sent == 3
    assert dict(zip(words, counts.tolist())) == collections.Counter(["head", "tail"] + tokens)
    ids, offsets, raw = encode_file([path], words, _chunk_size=chunk)
    assert offsets.tolist() == [0, 1, 120_001, 120_002]
    assert [words[i] for i in ids[1:-1]] == tokens


PEAK_MEMORY = r"""
import resource, sys
from fastembed_core._corpus import count_file
scale = 1024 if sys.platform != "darwin" else 1    # ru_maxrss: KiB on Linux, bytes on macOS
count_file([sys.argv[2]])                           # warm up: imports, first allocations
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
words, counts, total, n_sent = count_file([sys.argv[1]])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
print(after - before, total, n_sent)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="uses the resource module")
def test_one_enormous_line_streams_in_bounded_memory(tmp_path):
    # 64 MB on one line without a newline: the peak memory of counting it must not grow with
    # the line (the reader holds a 1 MiB chunk, the vocabulary 1,000 words).
    path = tmp_path / "one-line.txt"
    block = " ".join(f"w{i % 1000}" for i in range(100_000)).encode() + b" "
    with open(path, "wb") as f:
        for _ in range(64_000_000 // len(block) + 1):
            f.write(block)
    small = write(tmp_path, "small.txt", block)
    proc = subprocess.run(
        [sys.executable, "-c", PEAK_MEMORY, str(path), str(small)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    growth, total, n_sent = map(int, proc.stdout.split())
    assert n_sent == 1 and total == 100_000 * (64_000_000 // len(block) + 1)
    assert growth < 16 << 20, f"peak memory grew by {growth / 2**20:.0f} MiB reading one line"


def test_several_files_read_one_after_another(tmp_path):
    rng = random.Random(11)
    blobs = [
        generate_corpus(rng, 50, final_newline=False),  # last line must not join the next
        b"",
        generate_corpus(rng, 40, bom=True, crlf=True),
        BOM + b"only-bom-then-word",
        b"\n\n  \n",
    ]
    paths = [write(tmp_path, f"f{i}.txt", b) for i, b in enumerate(blobs)]
    for chunk in (1, 3, 4096):
        words = assert_count(paths, blobs, _chunk_size=chunk)
        assert_encode(paths, blobs, words[::2], _chunk_size=chunk)
    assert "only-bom-then-word" in words


def test_bom_only_at_the_start_of_a_file(tmp_path):
    data = BOM + b"a\n" + BOM + b"b\n"
    words, counts, total, n_sent = count_file(write(tmp_path, "bom.txt", data), _chunk_size=1)
    assert words == ["a", "\ufeffb"]


def test_only_ascii_whitespace_separates(tmp_path):
    # Non-ASCII spaces stay inside tokens (as in word2vec.c; gensim's str.split would split).
    data = "a\u00a0b c\u3000d e\x1cf g\u2028h\n".encode()
    words, counts, total, n_sent = count_file(write(tmp_path, "sp.txt", data))
    assert words == ["a\u00a0b", "c\u3000d", "e\x1cf", "g\u2028h"] and n_sent == 1


def test_every_byte_at_every_block_position(tmp_path):
    # The reader classifies 16 bytes at a time: each ASCII byte value, at each position of a
    # block and in tokens shorter and longer than a block, must split exactly when it is one of
    # the six ASCII whitespace bytes (and only then), as in a byte-at-a-time reader.
    lines = []
    for b in range(1, 128):
        for pos in range(0, 40, 3):
            lines.append(b"x" * pos + bytes([b]) + b"y" * (37 - pos))
    data = b"\n".join(line for line in lines if b"\n" not in line) + b"\n"
    words, counts, total, n_sent = count_file(write(tmp_path, "bytes.txt", data))
    # bytes.split() splits on exactly the six: \t \n \v \f \r and space
    want = collections.Counter(w.decode() for line in data.split(b"\n") for w in line.split())
    assert dict(zip(words, counts.tolist())) == want and total == sum(want.values())


def ref_tokens(lines):
    """The token stream count_file(keep_tokens=True) keeps: each token as its first-seen index,
    one sentence per line that has tokens."""
    index, ids, offsets = {}, [], [0]
    for tokens in lines:
        for t in tokens:
            ids.append(index.setdefault(t, len(index)))
        if tokens:
            offsets.append(len(ids))
    return ids, offsets


def tricky_words():
    """Words aimed at the table's layout (hash, length and first 16 bytes in the slot, the rest
    of a longer word in its record): every length around the 8- and 16-byte key words, words
    that share their first 16 bytes and length and differ only after them, words that are a
    prefix of another padded with NUL bytes (equal key words, other length), non-ASCII bytes at
    every position of the key words, and long tokens."""
    words = []
    for n in range(1, 41):
        words.append("k" * n)
        words.append("k" * (n - 1) + "z")  # same length, last byte differs
    base = "abcdefghijklmnop"  # 16 bytes: the key words of the next ones are all equal
    words += [base + tail for tail in ("", "q", "r", "qq", "qr", "rq", "q" * 30, "q" * 29 + "r")]
    words += ["ab", "ab\x00", "ab\x00\x00", "ab\x00" * 3, "\x00", "\x00\x00", "a" * 8 + "\x00"]
    for pos in range(0, 20):
        words.append("a" * pos + "é" + "b" * (19 - pos))  # 2-byte UTF-8 at each position
        words.append("a" * pos + "中" + "b" * (3 + pos % 7))
    words += ["ℵ" * 40, "x" * 5000, "y" * 4999 + "é"]
    return words


@pytest.mark.parametrize("chunk", [1, 3, 7, 8, 9, 15, 16, 17, 31, 4096, None])
def test_scan_keeps_exact_counts_order_and_token_ids_on_tricky_words(tmp_path, chunk):
    # Tokens straddle every kind of read-chunk boundary (chunk sizes around the 8- and
    # 16-byte loads); a line of 3,000 tokens and runs of empty and blank lines cross the
    # tokenizer's 512-event batches at many points; 20,000 distinct filler words grow the
    # table several times and make probes run past occupied slots.
    rng = random.Random(chunk or 0)
    special = tricky_words()
    lines = []
    for i in range(600):
        kind = rng.random()
        if kind < 0.1:
            lines.append(rng.choice(["", " ", "\t\r", "  \x0b "]))
            continue
        n = 3000 if i == 300 else rng.randint(1, 40)
        toks = [
            rng.choice(special) if rng.random() < 0.5 else f"f{rng.randrange(20000)}"
            for _ in range(n)
        ]
        lines.append(rng.choice([" ", "\t", "  "]).join(toks))
    lines += [f"u{i}" for i in range(20000)]
    data = "\r\n".join(lines).encode("utf-8")
    path = write(tmp_path, "tricky.txt", data)
    words, counts, total, n_sent, (ids, offsets) = count_file(
        path, keep_tokens=True, _chunk_size=chunk
    )
    want_lines = ref_lines([data])
    want_words, want_counts, want_total, want_sent = ref_count(want_lines)
    assert words == want_words and counts.tolist() == want_counts
    assert (total, n_sent) == (want_total, want_sent)
    want_ids, want_offsets = ref_tokens(want_lines)
    assert ids.tolist() == want_ids and offsets.tolist() == want_offsets
    assert set(special) <= set(words)
    # the same words found again by a lookup-only pass (encode_file)
    assert_encode([path], [data], words[::-1], _chunk_size=chunk)


@pytest.mark.parametrize("max_vocab_size", [50, 400])
def test_scan_with_pruning_matches_the_reference_on_tricky_words(tmp_path, max_vocab_size):
    rng = random.Random(max_vocab_size)
    special = tricky_words()
    lines = [
        " ".join(
            rng.choice(special) if rng.random() < 0.3 else f"w{int(rng.paretovariate(0.8))}"
            for _ in range(rng.randint(0, 60))
        )
        for _ in range(500)
    ]
    data = "\n".join(lines).encode("utf-8")
    path = write(tmp_path, "prune.txt", data)
    for chunk in (5, 16, None):
        assert_count([path], [data], max_vocab_size=max_vocab_size, _chunk_size=chunk)


@pytest.mark.parametrize("errors", ["replace", "ignore"])
def test_every_high_byte_at_every_block_position(tmp_path, errors):
    # Bytes 0x80..0xFF are never whitespace, whatever their low bits (0x89 and 0xA0 have the
    # low bits of \t and space): at each position of an 8-byte block they stay inside the
    # token and are repaired as Python's decoder does.
    lines = []
    for b in range(0x80, 0x100):
        for pos in range(0, 20, 3):
            lines.append(b"x" * pos + bytes([b]) + b"y" * (19 - pos) + b" z" + bytes([b]))
    data = b"\n".join(lines) + b"\n"
    path = write(tmp_path, "high.txt", data)
    for chunk in (9, None):
        assert_count([path], [data], errors=errors, _chunk_size=chunk)


def test_encode_drops_oov_and_empty_sentences(tmp_path):
    data = b"a b\n\nzz yy\n b zz \n   \nc"
    path = write(tmp_path, "oov.txt", data)
    ids, offsets, raw = encode_file(path, ["b", "a", "c"])
    assert ids.tolist() == [1, 0, 0, 2]
    assert offsets.tolist() == [0, 2, 3, 4]
    assert raw == 7
    ids, offsets, raw = encode_file(path, [])
    assert ids.tolist() == [] and offsets.tolist() == [0] and raw == 7


def test_encode_rejects_bad_vocabularies(tmp_path):
    path = write(tmp_path, "v.txt", b"a b\n")
    with pytest.raises(ValueError, match="distinct.*'a'.*0 and 2"):
        encode_file(path, ["a", "b", "a"])
    with pytest.raises(TypeError, match=r"vocab_words\[1\]"):
        encode_file(path, ["a", b"b"])


def test_results_are_plain_numpy_arrays(corpus):
    path, _ = corpus
    ids, offsets, _ = encode_file(path, count_file(path)[0])
    for arr in (ids, offsets):
        assert arr.ndim == 1 and arr.flags.c_contiguous and arr.flags.writeable
        arr[0] = arr[0]
    del ids, offsets  # the C buffers are freed with the arrays (checked under sanitizers in C)


# ---- max_vocab_size ---------------------------------------------------------------------


@pytest.mark.parametrize("max_vocab_size", [1, 3, 20, 150, 10**6])
def test_max_vocab_size_prunes_like_the_reference(tmp_path, max_vocab_size):
    rng = random.Random(max_vocab_size)
    lines = []
    for _ in range(400):
        lines.append(" ".join(f"w{int(rng.paretovariate(0.8))}" for _ in range(rng.randint(0, 30))))
    # one line longer than gensim's 10,000-token pieces: pruning is checked inside it too
    lines.insert(200, " ".join(f"w{int(rng.paretovariate(0.8))}" for _ in range(25_000)))
    data = "\n".join(lines).encode()
    path = write(tmp_path, "zipf.txt", data)
    for chunk in (7, None):
        words = assert_count([path], [data], max_vocab_size=max_vocab_size, _chunk_size=chunk)
    _, _, unpruned_total, _ = count_file([path])
    if max_vocab_size < 150:
        assert len(words) < len(set(data.split()))  # pruning happened, tokens still counted
    assert ref_count(ref_lines([data]))[2] == unpruned_total


def test_max_vocab_size_gives_gensims_vocabulary(tmp_path):
    pytest.importorskip("gensim")
    from gensim.models.word2vec import LineSentence, Word2Vec

    rng = random.Random(5)
    lines = [
        " ".join(f"w{int(rng.paretovariate(0.7))}" for _ in range(rng.randint(1, 40)))
        for _ in range(1500)
    ]
    lines.insert(700, " ".join(f"w{int(rng.paretovariate(0.7))}" for _ in range(23_000)))
    path = write(tmp_path, "g.txt", "\n".join(lines).encode())
    for max_vocab_size in (10, 100):
        model = Word2Vec(max_vocab_size=max_vocab_size)
        total, _ = model.scan_vocab(corpus_iterable=LineSentence(str(path)))
        words, counts, ours_total, _ = count_file([path], max_vocab_size=max_vocab_size)
        assert dict(zip(words, counts.tolist())) == dict(model.raw_vocab)
        assert ours_total == total


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10", float("inf")])
def test_max_vocab_size_must_be_positive_int(tmp_path, bad):
    with pytest.raises(ValueError, match="max_vocab_size"):
        count_file(write(tmp_path, "a.txt", b"a"), max_vocab_size=bad)


# ---- invalid UTF-8 ----------------------------------------------------------------------

INVALID = {
    "overlong": b"\xc0\xaf",
    "overlong3": b"\xe0\x80\xaf",
    "surrogate": b"\xed\xa0\x80",
    "above-max": b"\xf4\x90\x80\x80",
    "lone-continuation": b"\x80",
    "ff": b"\xff",
    "truncated": b"\xe4\xb8",
    "truncated-emoji": b"\xf0\x9f\x98",
}


def invalid_corpus(bad, at_eof=False):
    head = BOM + "ok line\r\nsecond 中文 line\n\n".encode()
    if at_eof:
        return head + b"end cut" + bad  # a multibyte character cut by end of file
    return head + b"x y" + bad + b"z w\nafter \xff\n"


@pytest.mark.parametrize("at_eof", [False, True])
@pytest.mark.parametrize("kind", sorted(INVALID))
@pytest.mark.parametrize("chunk", [1, 3, None])
def test_strict_names_file_line_and_byte_offset(tmp_path, kind, at_eof, chunk):
    data = invalid_corpus(INVALID[kind], at_eof)
    path = write(tmp_path, "bad.txt", data)
    with pytest.raises(UnicodeDecodeError) as python_says:
        data.decode("utf-8")
    offset = python_says.value.start  # Python's decoder is the oracle
    line = data[:offset].count(b"\n") + 1
    for call in (
        lambda: count_file([path], _chunk_size=chunk),
        lambda: encode_file([path], ["x"], _chunk_size=chunk),
    ):
        with pytest.raises(CorpusError) as err:
            call()
        message = str(err.value)
        assert isinstance(err.value, ValueError)
        assert str(path) in message
        assert f"line {line}," in message and f"byte offset {offset}" in message
        assert "errors='replace'" in message


@pytest.mark.parametrize("kind", sorted(INVALID))
def test_offset_counts_the_skipped_bom(tmp_path, kind):
    data = BOM + b"ab" + INVALID[kind] + b"c d\n"
    with pytest.raises(UnicodeDecodeError) as python_says:
        data.decode("utf-8")
    with pytest.raises(CorpusError, match=f"line 1, byte offset {python_says.value.start}"):
        count_file(write(tmp_path, "bom-bad.txt", data), _chunk_size=2)


@pytest.mark.parametrize("errors", ["replace", "ignore"])
@pytest.mark.parametrize("kind", sorted(INVALID))
def test_replace_and_ignore_match_python_and_log(tmp_path, caplog, errors, kind):
    data = invalid_corpus(INVALID[kind]) + b"clean\n" + invalid_corpus(INVALID[kind], at_eof=True)
    path = write(tmp_path, "bad.txt", data)
    bad_tokens = sum(
        1
        for line in data[3:].split(b"\n")
        for t in line.split()
        if t.decode("utf-8", "replace") != t.decode("utf-8", "ignore")
    )
    for chunk in (1, 2, None):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="fastembed_core"):
            words = assert_count([path], [data], errors=errors, _chunk_size=chunk)
        assert [r.levelno for r in caplog.records] == [logging.WARNING]
        assert f"{bad_tokens} tokens contained invalid UTF-8" in caplog.text
        assert str(path) in caplog.text
        # the counted (repaired) words encode back: the same bytes on both passes
        assert_encode([path], [data], words, errors=errors, _chunk_size=chunk)
    if errors == "replace":
        assert any("\ufffd" in w for w in words)


def test_clean_file_logs_nothing(corpus, caplog):
    with caplog.at_level(logging.WARNING, logger="fastembed_core"):
        count_file(corpus[0], errors="replace")
    assert caplog.records == []


def test_unknown_errors_policy(tmp_path):
    with pytest.raises(ValueError, match="errors must be"):
        count_file(write(tmp_path, "a.txt", b"a"), errors="surrogateescape")


def test_gzip_content_is_recognised(tmp_path):
    path = write(tmp_path, "looks-plain.txt", gzip.compress(b"hello world\n" * 100))
    with pytest.raises(CorpusError, match="gzip-compressed.*decompress"):
        count_file(path)


# ---- paths ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "s3://bucket/corpus.txt",
        "http://example.com/c.txt",
        "https://example.com/c.txt",
        "corpus.txt.gz",
        "corpus.bz2",
        "CORPUS.TXT.XZ",
    ],
)
def test_remote_and_compressed_paths_are_refused(tmp_path, name):
    for call in (lambda: count_file([name]), lambda: encode_file([name], ["a"])):
        with pytest.raises(CorpusError, match="only local, uncompressed text files.*decompress"):
            call()


def test_compressed_file_that_exists_is_refused_before_reading(tmp_path):
    path = write(tmp_path, "c.txt.bz2", bz2.compress(b"a b c\n"))
    with pytest.raises(CorpusError, match="iterable"):
        count_file(path)


def test_missing_file_names_the_path(tmp_path):
    good = write(tmp_path, "good.txt", b"a b\n")
    missing = tmp_path / "missing.txt"
    for call in (lambda: count_file([good, missing]), lambda: encode_file([good, missing], ["a"])):
        with pytest.raises(FileNotFoundError) as err:
            call()
        assert str(missing) in str(err.value)


def test_directory_is_an_oserror(tmp_path):
    with pytest.raises(IsADirectoryError, match=re.escape(str(tmp_path))):
        count_file([tmp_path])


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(tmp_path):
    path = write(tmp_path, "secret.txt", b"a\n")
    path.chmod(0)
    with pytest.raises(PermissionError):
        count_file(path)


def test_empty_file_and_empty_list_give_zero_results(tmp_path):
    path = write(tmp_path, "empty.txt", b"")
    for paths in ([path], []):
        words, counts, total, n_sent = count_file(paths)
        assert (words, counts.tolist(), total, n_sent) == ([], [], 0, 0)
        assert counts.dtype == np.int64
        ids, offsets, raw = encode_file(paths, ["a"])
        assert ids.dtype == np.uint32 and offsets.dtype == np.int64
        assert (ids.tolist(), offsets.tolist(), raw) == ([], [0], 0)


def test_path_types(tmp_path):
    path = write(tmp_path, "p.txt", b"a b a\n")
    expected = (["a", "b"], [2, 1], 3, 1)
    for paths in (path, str(path), [path], (str(path),), [os.fsencode(path)]):
        words, counts, total, n_sent = count_file(paths)
        assert (words, counts.tolist(), total, n_sent) == expected
    with pytest.raises(TypeError, match="str or os.PathLike"):
        count_file([3])


def test_token_longer_than_the_cap_is_an_error(tmp_path):
    data = b"short words\nfine " + b"a" * (1 << 20) + b" next\nx " + b"b" * ((1 << 20) + 1) + b"\n"
    path = write(tmp_path, "huge-token.txt", data)
    offset = data.index(b"b" * 100)
    with pytest.raises(CorpusError, match=f"line 3, byte offset {offset}"):
        count_file(path)
    with pytest.raises(CorpusError, match="longer than 1048576 bytes"):
        encode_file(path, ["a"], _chunk_size=4096)


# ---- hypothesis round trip --------------------------------------------------------------

ASCII_SPACE = " \t\n\x0b\x0c\r"
token_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=ASCII_SPACE),
    min_size=1,
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(
    sentences=st.lists(st.lists(token_text, max_size=8), max_size=12),
    seps=st.lists(st.sampled_from([" ", "\t", "  ", " \r", "\x0c"]), min_size=1),
    chunk=st.sampled_from([1, 2, 3, 5, 16, 4096]),
    crlf=st.booleans(),
    bom=st.booleans(),
)
def test_random_unicode_round_trip(tmp_path_factory, sentences, seps, chunk, crlf, bom):
    lines = [seps[i % len(seps)].join(s) for i, s in enumerate(sentences)]
    data = (BOM if bom else b"") + ("\r\n" if crlf else "\n").join(lines).encode("utf-8")
    assume(bom or not data.startswith(BOM))  # a leading U+FEFF would be read as a BOM
    path = tmp_path_factory.mktemp("rt") / "c.txt"
    path.write_bytes(data)
    words, counts, total, n_sent = count_file([path], _chunk_size=chunk)
    flat = [t for s in sentences for t in s]
    assert dict(zip(words, counts.tolist())) == collections.Counter(flat)
    assert words == list(dict.fromkeys(flat))
    assert total == len(flat) and n_sent == sum(1 for s in sentences if s)
    ids, offsets, raw = encode_file([path], words, _chunk_size=chunk)
    decoded = [
        [words[i] for i in ids[offsets[k] : offsets[k + 1]]] for k in range(len(offsets) - 1)
    ]
    assert decoded == [s for s in sentences if s] and raw == len(flat)


PIECES = [
    b" ",
    b"  ",
    b"\n",
    b"\r\n",
    b"\t",
    b"\x0b",
    b"a",
    b"b",
    b"ab",
    b"\x00",
    b"\xc3\xa9",
    b"\xe4\xb8\xad",
    b"\xf0\x9f\x98\x80",
    b"\xef\xbb\xbf",  # valid
    b"\x80",
    b"\xbf",
    b"\xc3",
    b"\xe4\xb8",
    b"\xf0\x9f\x98",
    b"\xed\xa0\x80",  # not
    b"\xc0\xaf",
    b"\xe0\x80\x80",
    b"\xf4\x90\x80\x80",
    b"\xf8\x88\x80\x80\x80",
    b"\xff",
]


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(PIECES), max_size=60),
    errors=st.sampled_from(["strict", "replace", "ignore"]),
    chunk=st.sampled_from([1, 2, 3, 7, 4096]),
)
def test_random_bytes_match_pythons_decoder(tmp_path_factory, pieces, errors, chunk):
    # Fuzz-style: arbitrary (often invalid) UTF-8; Python's own decoder is the oracle for what
    # is replaced or dropped, and for where strict mode must stop.
    data = b"".join(pieces)
    path = tmp_path_factory.mktemp("fz") / "c.txt"
    path.write_bytes(data)
    if errors == "strict":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            with pytest.raises(CorpusError, match=f"line {line}, byte offset {exc.start}\\b"):
                count_file([path], _chunk_size=chunk)
            return
    words = assert_count([path], [data], errors=errors, _chunk_size=chunk)
    assert_encode([path], [data], words[1::2], errors=errors, _chunk_size=chunk)


# ---- GIL and Ctrl-C ---------------------------------------------------------------------
# Both run in a child process reading a named pipe that a Python thread of the child feeds, so
# a failure shows as a timeout here instead of a hung test session.

FEED_AND_READ = r"""
import os, sys, threading
from fastembed_core._corpus import count_file, encode_file, remap_tokens
fifo, which = sys.argv[1], sys.argv[2]
piece = b"alpha beta\ngamma alpha delta\n" * 2000

def feed():
    try:
        with open(fifo, "wb") as f:
            for _ in range(60 if which != "endless" else 10**9):
                f.write(piece)
    except BrokenPipeError:
        pass

threading.Thread(target=feed, daemon=True).start()
print("reading", flush=True)
if which == "encode":
    ids, offsets, raw = encode_file([fifo], ["alpha", "delta"], _chunk_size=4096)
    print(raw, len(ids), len(offsets))
else:
    words, counts, total, n_sent = count_file([fifo], _chunk_size=4096)
    print(sorted(zip(words, counts.tolist())), total, n_sent)
"""


def _run_child(tmp_path, which):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    return subprocess.Popen(
        [sys.executable, "-c", FEED_AND_READ, str(fifo), which],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("which", ["count", "encode"])
def test_gil_is_released_while_reading(tmp_path, which):
    # The pipe gets far more than its buffer holds from a Python thread *during* the call, so
    # the call can only finish if it lets that thread run: holding the GIL would deadlock.
    proc = _run_child(tmp_path, which)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"{which}_file did not release the GIL (deadlock reading a pipe)")
    assert proc.returncode == 0, err
    lines = out.splitlines()
    assert lines[0] == "reading"
    if which == "count":
        counts = [("alpha", 240_000), ("beta", 120_000), ("delta", 120_000), ("gamma", 120_000)]
        assert lines[1] == f"{counts} 600000 240000"
    else:
        assert lines[1] == "600000 360000 240001"


@pytest.mark.skipif(
    not hasattr(os, "mkfifo") or not hasattr(signal, "SIGINT"),
    reason="needs named pipes and signals",
)
def test_ctrl_c_stops_a_long_read(tmp_path):
    # An endless pipe: only a KeyboardInterrupt taken inside the C pass can end the call.
    proc = _run_child(tmp_path, "endless")
    try:
        assert proc.stdout.readline() == "reading\n"
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("count_file did not stop on SIGINT")
    assert "KeyboardInterrupt" in err and "_corpus.pyx" in err, err


# ---- counting on several threads ----------------------------------------------------------


def split_count(paths, n_parts, errors="strict", **kw):
    """(parts used, result) of SplitCount on one thread a part, parts as small as a byte."""
    split = SplitCount(paths, n_parts, errors, _min_part_bytes=1, **kw)
    run_workers(split.n_parts, split.count, split.stop)
    return split.n_parts, split.result()


def assert_same_as_one_pass(paths, n_parts, errors="strict", **kw):
    """SplitCount gives count_file's words, order, counts, totals and kept tokens."""
    words, counts, total, n_sent, (ids, offsets) = count_file(paths, errors, keep_tokens=True, **kw)
    used, (p_words, p_counts, p_total, p_sent, p_tokens) = split_count(paths, n_parts, errors, **kw)
    assert p_words == words and p_counts.tolist() == counts.tolist()
    assert (p_total, p_sent) == (total, n_sent)
    assert p_tokens[0].dtype == np.uint32 and p_tokens[1].dtype == np.int64
    assert p_tokens[0].tolist() == ids.tolist() and p_tokens[1].tolist() == offsets.tolist()
    return used


def assert_split_at_line_starts(paths, parts):
    """The pieces of the parts cover every file exactly once, in order, and start lines."""
    blobs = [open(p, "rb").read() for p in paths]
    pieces = [piece for part in parts for piece in part]
    assert all(parts), "an empty part"
    assert [f for f, _, _ in pieces] == sorted(f for f, _, _ in pieces)
    for f, blob in enumerate(blobs):
        mine = [(start, end) for g, start, end in pieces if g == f]
        assert b"".join(blob[start : None if end < 0 else end] for start, end in mine) == blob
        assert all(start == 0 or blob[start - 1] == ord("\n") for start, _ in mine)


def multibyte_corpus(rng, n_lines):
    """Lines of 2-, 3- and 4-byte characters: most byte positions are inside a character."""
    words = ["é", "中文", "日本語", "😀", "🇫🇷", "naïve", "Москва"]
    return "\r\n".join(
        " ".join(rng.choice(words) * rng.randint(1, 3) for _ in range(rng.randint(0, 9)))
        for _ in range(n_lines)
    ).encode()


@pytest.mark.parametrize("n_parts", [2, 3, 7, 50])
def test_split_cuts_files_at_line_starts_into_even_parts(tmp_path, n_parts):
    rng = random.Random(n_parts)
    blobs = [
        generate_corpus(rng, 300, bom=True, crlf=True),
        b"",
        multibyte_corpus(rng, 200),
        b"no newline at all",
        generate_corpus(rng, 100, final_newline=False),
    ]
    paths = [write(tmp_path, f"f{i}.txt", b) for i, b in enumerate(blobs)]
    sizes = [len(b) for b in blobs]
    parts = split_files([str(p) for p in paths], sizes, n_parts)
    assert_split_at_line_starts(paths, parts)
    assert 1 < len(parts) <= n_parts
    # each part is within the longest line of an even share
    longest = max(len(line) for b in blobs for line in b.split(b"\n")) + 1
    part_bytes = [
        sum((sizes[f] if end < 0 else end) - start for f, start, end in part) for part in parts
    ]
    if n_parts <= 7:
        assert len(parts) == n_parts
        assert max(part_bytes) <= sum(sizes) / n_parts + longest


def test_a_line_longer_than_a_part_stays_whole(tmp_path):
    data = b"short line\n" + b"long " * 4000 + b"\nend\n"
    path = write(tmp_path, "long.txt", data)
    parts = split_files([str(path)], [len(data)], 8)
    assert_split_at_line_starts([path], parts)
    assert len(parts) == 2  # the short line, then the long one with what follows it
    assert assert_same_as_one_pass([path], 8) == 2


@pytest.mark.parametrize(
    "blobs", [[b"a b\n"], [b"x"], [b""], [b"", b"a", b"\n", b"b\r\n"], [BOM + b"\xc3\xa9"]]
)
def test_corpus_smaller_than_the_number_of_parts(tmp_path, blobs):
    paths = [write(tmp_path, f"s{i}.txt", b) for i, b in enumerate(blobs)]
    for n_parts in (2, 16):
        used = assert_same_as_one_pass(paths, n_parts)
        assert used <= max(1, sum(map(len, blobs)))


@pytest.mark.parametrize("n_parts", [2, 3, 5, 16])
@pytest.mark.parametrize("chunk", [1, 7, None])
def test_split_count_matches_one_pass(tmp_path, corpus, n_parts, chunk):
    # BOM, CRLF and no final newline (the module's corpus), several files, and multi-byte
    # characters under most of the cut points the split starts from
    rng = random.Random(n_parts)
    more = [multibyte_corpus(rng, 150), b"", generate_corpus(rng, 80, final_newline=False)]
    paths = [corpus[0]] + [write(tmp_path, f"m{i}.txt", b) for i, b in enumerate(more)]
    assert assert_same_as_one_pass(paths, n_parts, _chunk_size=chunk) > 1


def test_split_count_keeps_tricky_words(tmp_path):
    rng = random.Random(3)
    special = tricky_words()
    lines = [
        " ".join(
            rng.choice(special) if rng.random() < 0.5 else f"f{rng.randrange(5000)}"
            for _ in range(rng.randint(0, 30))
        )
        for _ in range(800)
    ]
    path = write(tmp_path, "tricky.txt", "\n".join(lines).encode())
    for n_parts in (2, 9):
        assert assert_same_as_one_pass([path], n_parts, _chunk_size=17) == n_parts


def test_multibyte_character_under_every_cut(tmp_path):
    data = multibyte_corpus(random.Random(8), 40)
    path = write(tmp_path, "mb.txt", data)
    for n_parts in range(2, 40):
        assert_same_as_one_pass([path], n_parts)


@pytest.mark.parametrize("kind", ["ff", "truncated", "surrogate"])
def test_strict_error_in_a_later_part_is_the_one_pass_error(tmp_path, kind):
    rng = random.Random(4)
    good = generate_corpus(rng, 200, crlf=True)
    late = generate_corpus(rng, 150) + b"x " + INVALID[kind] + b" y\n" + generate_corpus(rng, 20)
    paths = [write(tmp_path, "good.txt", good), write(tmp_path, "late.txt", late)]
    with pytest.raises(CorpusError) as one_pass:
        count_file(paths)
    assert "late.txt" in str(one_pass.value)
    for n_parts in (2, 3, 8):
        with pytest.raises(CorpusError) as parts:
            split_count(paths, n_parts)
        assert str(parts.value) == str(one_pass.value)


@pytest.mark.parametrize("errors", ["replace", "ignore"])
def test_repaired_tokens_are_reported_as_one_pass_does(tmp_path, caplog, errors):
    rng = random.Random(6)
    data = generate_corpus(rng, 300) + b"a \xff b\n" + generate_corpus(rng, 50) + b"\xc3 z\n"
    path = write(tmp_path, "bad.txt", data)
    with caplog.at_level(logging.WARNING, logger="fastembed_core"):
        assert_same_as_one_pass([path], 1, errors)
        one_pass = caplog.text
        caplog.clear()
        assert assert_same_as_one_pass([path], 4, errors) == 4
    assert caplog.text == one_pass and "line 301," in one_pass


def test_max_vocab_size_counts_on_one_thread_as_the_one_pass_scan(tmp_path, monkeypatch):
    rng = random.Random(2)
    lines = [" ".join(f"w{int(rng.paretovariate(0.8))}" for _ in range(30)) for _ in range(900)]
    path = write(tmp_path, "zipf.txt", "\n".join(lines).encode())
    monkeypatch.setattr(_corpus, "SplitCount", None)  # must not be reached
    for max_vocab_size in (5, 60):
        want = count_file([path], max_vocab_size=max_vocab_size, keep_tokens=True)
        got = count_files([path], max_vocab_size=max_vocab_size, workers=4)
        assert got[0] == want[0] and got[1].tolist() == want[1].tolist()
        assert got[2:4] == want[2:4] and got[4] is None and want[4] is None


@pytest.mark.skipif(available_cores() < 2, reason="needs two cores")
def test_count_files_splits_a_large_corpus_over_the_workers(tmp_path, corpus, monkeypatch):
    data = corpus[1] * 60  # 2.6 MB: two parts of at least the 1 MiB a part needs
    path = write(tmp_path, "large.txt", data)
    used = []

    def recording(*args, **kwargs):
        split = SplitCount(*args, **kwargs)
        used.append(split.n_parts)
        return split

    monkeypatch.setattr(_corpus, "SplitCount", recording)
    want = count_file([path], keep_tokens=True)
    got = count_files([path], workers=2)
    assert used == [2]
    assert got[0] == want[0] and got[1].tolist() == want[1].tolist() and got[2:4] == want[2:4]
    assert all(a.tolist() == b.tolist() for a, b in zip(got[4], want[4]))
    assert count_files([path], workers=1)[0] == want[0] and used == [2]  # one thread: no split


def test_build_vocab_with_workers_scans_as_one_worker_does(tmp_path, corpus):
    from fastembed_core import Word2Vec

    path = write(tmp_path, "large.txt", corpus[1] * 60)
    models = []
    for workers in (1, 2):
        model = Word2Vec(vector_size=8, min_count=2, workers=workers, epochs=1, seed=1)
        model.build_vocab(corpus_file=str(path))
        models.append(model)
    one, two = models
    assert two.wv.index_to_key == one.wv.index_to_key
    assert two.wv.expandos["count"].tolist() == one.wv.expandos["count"].tolist()
    assert (two.corpus_count, two.corpus_total_words) == (one.corpus_count, one.corpus_total_words)
    # the tokens the scan kept, which training reads instead of the file: the same
    kept = [m._take_scanned_file([str(path)]) for m in models]
    assert kept[0] is not None and kept[1] is not None
    assert [a.tolist() for a in kept[1][:2]] == [a.tolist() for a in kept[0][:2]]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_is_not_split(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert SplitCount([fifo], 4, _min_part_bytes=1).n_parts == 1


def test_split_count_refuses_misuse(tmp_path):
    path = write(tmp_path, "c.txt", b"a b\nc d\n")
    split = SplitCount([path], 2, _min_part_bytes=1)
    assert split.n_parts == 2
    with pytest.raises(RuntimeError, match="not counted"):
        split.result()
    with pytest.raises(IndexError):
        split.count(2)
    split.count(0)
    with pytest.raises(RuntimeError, match="already counted"):
        split.count(0)
    split.count(1)
    assert split.result()[0] == ["a", "b", "c", "d"]
    with pytest.raises(RuntimeError, match="already taken"):
        split.result()
    with pytest.raises(ValueError, match="n_parts"):
        SplitCount([path], 0)


def test_stop_cancels_the_parts(tmp_path, corpus):
    path = write(tmp_path, "large.txt", corpus[1] * 80)  # parts of more than 1 MiB
    split = SplitCount([path], 2)
    assert split.n_parts == 2
    split.stop()
    split.count(0)
    split.count(1)
    with pytest.raises(CorpusError, match="cancelled"):
        split.result()


# ---- the C-level test under sanitizers ----------------------------------------------------


@pytest.mark.skipif(
    shutil.which("make") is None or shutil.which("cc") is None, reason="needs make and a C compiler"
)
def test_c_level_tests_under_sanitizers():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "c")
    proc = subprocess.run(["make", "-C", here], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed, 0 failed" in proc.stdout
