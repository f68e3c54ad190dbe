"""fastText's n-gram hashing (src/fe_subwords.c through _subwords.pyx) against a plain Python
reference written here from the documented rules, against gensim's port of fastText, and
against the fastText package itself when it is installed."""

import importlib.util

import numpy as np
import pytest

from fastembed_core import _subwords

WORDS = [
    "hello",
    "where",
    "café",  # 2-byte UTF-8 character
    "naïve",
    "Ünïcödé",
    "猫",  # one 3-byte character
    "東京都",
    "😀",  # one 4-byte character
    "👍🏽",  # two 4-byte characters (emoji and skin-tone modifier)
    "a😀b",
    "a",
    "ab",
    "é",
    "",
    "</s>",  # only the vocabulary table treats it specially
    "<>",
    "antidisestablishmentarianism",
]

LENGTHS = [(3, 6), (1, 1), (1, 2), (2, 5), (5, 5), (1, 10), (4, 100), (3, 0)]


# ---- reference --------------------------------------------------------------------------


def reference_hash(data: bytes) -> int:
    """32-bit FNV-1a, each byte read as a signed char and widened to 32 bits first."""
    h = 2166136261
    for byte in data:
        widened = byte if byte < 0x80 else byte | 0xFFFFFF00
        h = ((h ^ widened) * 16777619) & 0xFFFFFFFF
    return h


def reference_ngrams(word: str, min_n: int, max_n: int) -> list[bytes]:
    """The n-grams of "<word>" by start, then length; n-grams of one character are left out
    at either end. Counted in code points, which for valid text are the UTF-8 sequences."""
    chars = ["<", *word, ">"]
    out = []
    for start in range(len(chars)):
        for n in range(1, max_n + 1):
            end = start + n
            if end > len(chars):
                break
            if n >= min_n and not (n == 1 and (start == 0 or end == len(chars))):
                out.append("".join(chars[start:end]).encode("utf-8"))
    return out


def reference_buckets(word, min_n, max_n, bucket):
    if bucket == 0:
        return []
    return [reference_hash(g) % bucket for g in reference_ngrams(word, min_n, max_n)]


def reference_table(words, min_n, max_n, bucket):
    lists = []
    for i, word in enumerate(words):
        own = [i]
        if word != "</s>":
            own += [len(words) + b for b in reference_buckets(word, min_n, max_n, bucket)]
        lists.append(own)
    return lists


# ---- against the reference --------------------------------------------------------------


def test_hash_matches_reference():
    for word in WORDS:
        data = word.encode("utf-8")
        assert _subwords.ft_hash(word) == reference_hash(data), word
        assert _subwords.ft_hash(data) == reference_hash(data), word
        # Every bracketed n-gram too, so that non-ASCII bytes in every position are covered.
        for gram in reference_ngrams(word, 1, 6):
            assert _subwords.ft_hash(gram) == reference_hash(gram), gram


def test_sign_extension_matters():
    """Non-ASCII bytes hash differently from textbook FNV-1a; ASCII ones the same."""

    def plain_fnv1a(data):
        h = 2166136261
        for byte in data:
            h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
        return h

    assert _subwords.ft_hash("cat") == plain_fnv1a(b"cat")
    assert _subwords.ft_hash("café") != plain_fnv1a("café".encode())


@pytest.mark.parametrize(("min_n", "max_n"), LENGTHS)
def test_ngram_buckets_match_reference(min_n, max_n):
    for word in WORDS:
        for bucket in [1, 7, 2_000_000, 2**32 - 1]:
            got = _subwords.ngram_buckets(word, min_n, max_n, bucket)
            assert got.dtype == np.uint32
            assert got.tolist() == reference_buckets(word, min_n, max_n, bucket), (word, bucket)


def test_ngram_counts_at_the_boundaries():
    """Counts worked out by hand, so that the reference itself is checked too."""
    # "<a>": "<a", "<a>", "a", "a>" ("<" and ">" alone are skipped).
    assert len(_subwords.ngram_buckets("a", 1, 3, 100)) == 4
    # "<>": only "<>".
    assert len(_subwords.ngram_buckets("", 1, 6, 100)) == 1
    # "<猫>" with 3..6: only the whole bracketed word, three characters of 5 bytes.
    assert len(_subwords.ngram_buckets("猫", 3, 6, 100)) == 1
    # "<where>" with 3..6 by start: 4 + 4 + 3 + 2 + 1.
    assert len(_subwords.ngram_buckets("where", 3, 6, 100)) == 14
    assert len(_subwords.ngram_buckets("where", 3, 0, 100)) == 0
    assert len(_subwords.ngram_buckets("where", 3, 6, 0)) == 0


@pytest.mark.parametrize(
    ("min_n", "max_n", "bucket"), [(3, 6, 1000), (1, 2, 7), (3, 0, 1000), (3, 6, 0), (2, 4, 2**31)]
)
def test_subword_table_matches_reference(min_n, max_n, bucket):
    words = list(dict.fromkeys(WORDS))
    offsets, rows = _subwords.subword_table(words, min_n, max_n, bucket)
    assert offsets.dtype == np.int64 and rows.dtype == np.uint32
    assert offsets[0] == 0 and offsets[-1] == len(rows)
    got = [rows[offsets[i] : offsets[i + 1]].tolist() for i in range(len(words))]
    assert got == reference_table(words, min_n, max_n, bucket)


def test_subword_table_rules():
    words = ["</s>", "cat", "dog"]
    offsets, rows = _subwords.subword_table(words, 3, 6, 50)
    assert rows[offsets[0] : offsets[1]].tolist() == [0]  # "</s>": own row, no n-grams
    for i in (1, 2):
        own = rows[offsets[i] : offsets[i + 1]]
        assert own[0] == i and len(own) > 1
        assert (own[1:] >= 3).all() and (own[1:] < 3 + 50).all()
    offsets, rows = _subwords.subword_table(words, 3, 0, 50)
    assert offsets.tolist() == [0, 1, 2, 3] and rows.tolist() == [0, 1, 2]
    offsets, rows = _subwords.subword_table([], 3, 6, 50)
    assert offsets.tolist() == [0] and len(rows) == 0


def test_subword_table_largest_row_id():
    """V + bucket = 2**32 - 1 is the largest allowed: every row id still fits in uint32."""
    offsets, rows = _subwords.subword_table(["cat"], 3, 3, 2**32 - 2)
    expected = [1 + b for b in reference_buckets("cat", 3, 3, 2**32 - 2)]
    assert rows[1:].tolist() == expected


# ---- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("min_n", "max_n", "bucket", "message"),
    [
        (0, 6, 100, "min_n"),
        (-1, 6, 100, "min_n"),
        (4, 3, 100, "must not exceed max_n"),
        (3, -1, 100, "max_n"),
        (3, 6, -1, "bucket"),
        (3, 6, 2**32, "bucket"),
        (3, 2**40, 100, "max_n"),
    ],
)
def test_bad_lengths_and_buckets(min_n, max_n, bucket, message):
    with pytest.raises(ValueError, match=message):
        _subwords.ngram_buckets("cat", min_n, max_n, bucket)
    with pytest.raises(ValueError, match=message):
        _subwords.subword_table(["cat"], min_n, max_n, bucket)


def test_too_many_rows():
    with pytest.raises(ValueError, match="2\\*\\*32"):
        _subwords.subword_table(["a", "b"], 3, 6, 2**32 - 2)


@pytest.mark.parametrize("bad", [3.0, "3", None, True])
def test_non_integer_lengths(bad):
    with pytest.raises(TypeError, match="min_n"):
        _subwords.ngram_buckets("cat", bad, 6, 100)
    with pytest.raises(TypeError, match="bucket"):
        _subwords.subword_table(["cat"], 3, 6, bad)


def test_non_str_words():
    with pytest.raises(TypeError, match="word must be a str"):
        _subwords.ngram_buckets(b"cat", 3, 6, 100)
    with pytest.raises(TypeError, match="word 1 must be a str"):
        _subwords.subword_table(["cat", 7], 3, 6, 100)
    with pytest.raises(TypeError, match="word 0 must be a str"):
        _subwords.subword_table([b"cat"], 3, 6, 100)
    with pytest.raises(TypeError):
        _subwords.ft_hash(3)


def test_lone_surrogate():
    with pytest.raises(ValueError, match="surrogate"):
        _subwords.ngram_buckets("a\udcffb", 3, 6, 100)
    with pytest.raises(ValueError, match="word 1 .*surrogate"):
        _subwords.subword_table(["ok", "a\udcffb"], 3, 6, 100)


def test_numpy_str_words_accepted():
    words = np.array(["cat", "café"])
    offsets, rows = _subwords.subword_table(list(words), 2, 4, 100)
    assert offsets[-1] == len(rows) and rows[offsets[1]] == 1


# ---- against gensim -----------------------------------------------------------------------


@pytest.mark.parametrize(("min_n", "max_n"), [(3, 6), (1, 2), (2, 5), (1, 10)])
def test_matches_gensim(min_n, max_n):
    fasttext_inner = pytest.importorskip("gensim.models.fasttext_inner")
    for word in WORDS:
        grams = fasttext_inner.compute_ngrams_bytes(word, min_n, max_n)
        assert grams == reference_ngrams(word, min_n, max_n), word
        expected = [fasttext_inner.ft_hash_bytes(g) % 2_000_000 for g in grams]
        assert _subwords.ngram_buckets(word, min_n, max_n, 2_000_000).tolist() == expected, word
        for gram in grams:
            assert _subwords.ft_hash(gram) == fasttext_inner.ft_hash_bytes(gram), gram


def test_gensim_unseen_word_vector_uses_our_buckets():
    """gensim's vector of an unseen word is the mean of exactly the n-gram rows we compute."""
    gensim_fasttext = pytest.importorskip("gensim.models.fasttext")

    bucket, dim = 97, 5
    kv = gensim_fasttext.FastTextKeyedVectors(dim, 2, 5, bucket)
    rng = np.random.default_rng(0)
    kv.vectors_ngrams = rng.standard_normal((bucket, dim)).astype(np.float32)
    for word in ["zebra", "café", "東京", "😀x", "q"]:
        rows = _subwords.ngram_buckets(word, 2, 5, bucket)
        expected = kv.vectors_ngrams[rows].mean(axis=0)
        np.testing.assert_allclose(kv.get_vector(word), expected, rtol=1e-5, atol=1e-6)


# ---- against fastText itself --------------------------------------------------------------


@pytest.mark.skipif(importlib.util.find_spec("fasttext") is None, reason="fasttext not installed")
def test_matches_fasttext_package(tmp_path):
    import fasttext

    corpus = tmp_path / "tiny.txt"
    corpus.write_text(
        "the café naïve 猫 cat 東京都\nthe 😀 a ab where 👍🏽 a😀b\n", encoding="utf-8"
    )
    bucket, min_n, max_n = 1000, 2, 4
    model = fasttext.train_unsupervised(
        str(corpus),
        model="skipgram",
        dim=4,
        epoch=0,  # the dictionary is what is compared: no training step (no NaN risk)
        minCount=1,
        bucket=bucket,
        minn=min_n,
        maxn=max_n,
        thread=1,
        verbose=0,
    )
    words = list(model.words)
    assert "</s>" in words  # the rule for it is exercised
    offsets, rows = _subwords.subword_table(words, min_n, max_n, bucket)
    for i, word in enumerate(words):
        assert rows[offsets[i] : offsets[i + 1]].tolist() == model.get_subwords(word)[1].tolist()
    for unseen in ["zebra", "Ünïcödé", "😀😀", "x"]:
        expected = model.get_subwords(unseen)[1].tolist()
        got = (len(words) + _subwords.ngram_buckets(unseen, min_n, max_n, bucket)).tolist()
        assert got == expected


# ---- means of the rows ---------------------------------------------------------------------


def _means_of_random_rows(words, rng, dim, bucket, min_n, max_n):
    """(the C means, the words' and n-grams' rows stacked, offsets, rows) of random rows."""
    vocab = rng.standard_normal((len(words), dim)).astype(np.float32)
    ngrams = rng.standard_normal((bucket, dim)).astype(np.float32)
    offsets, rows = _subwords.subword_table(words, min_n, max_n, bucket)
    got = _subwords.subword_means(vocab, ngrams, offsets, rows)
    return got, np.vstack([vocab, ngrams]), offsets, rows


def test_subword_means_match_numpy():
    words = ["</s>", *dict.fromkeys(WORDS)]
    got, stacked, offsets, rows = _means_of_random_rows(
        words, np.random.default_rng(3), 5, 23, 2, 4
    )
    vocab, ngrams = stacked[: len(words)], stacked[len(words) :]
    for i in range(len(words)):
        expected = stacked[rows[offsets[i] : offsets[i + 1]]].mean(axis=0)
        np.testing.assert_allclose(got[i], expected, rtol=1e-5, atol=1e-6, err_msg=words[i])
    np.testing.assert_array_equal(got[0], vocab[0])  # "</s>": its own row only
    # read-only inputs (a memory-mapped file) are accepted
    for arr in (vocab, ngrams, offsets, rows):
        arr.flags.writeable = False
    np.testing.assert_array_equal(_subwords.subword_means(vocab, ngrams, offsets, rows), got)


@pytest.mark.parametrize("dim", [1, 37, 100])  # rows shorter and longer than a cache line
def test_subword_means_are_the_sums_in_listed_order_bit_for_bit(dim):
    # the C loop reads rows ahead of the one it adds; the arithmetic must stay the plain
    # float32 sum in the table's order, then one division by the count
    rng = np.random.default_rng(dim)
    words = sorted({"".join(rng.choice(list("abcdefgh"), rng.integers(1, 9))) for _ in range(300)})
    got, stacked, offsets, rows = _means_of_random_rows(words, rng, dim, 500, 1, 5)
    for i in range(len(words)):
        listed = rows[offsets[i] : offsets[i + 1]]
        total = np.zeros(dim, np.float32)
        for r in listed:
            total += stacked[r]
        if len(listed) > 1:
            total /= np.float32(len(listed))
        assert np.array_equal(got[i], total), words[i]


def test_subword_means_bad_input():
    vocab = np.zeros((2, 3), np.float32)
    ngrams = np.zeros((4, 3), np.float32)
    offsets = np.array([0, 2, 3], np.int64)
    rows = np.array([0, 5, 1], np.uint32)
    _subwords.subword_means(vocab, ngrams, offsets, rows)  # valid
    with pytest.raises(ValueError, match="vocab must be a C-contiguous 2-D float32"):
        _subwords.subword_means(vocab.astype(np.float64), ngrams, offsets, rows)
    with pytest.raises(ValueError, match="ngrams must be a C-contiguous"):
        _subwords.subword_means(vocab, np.zeros((3, 4), np.float32).T, offsets, rows)
    with pytest.raises(ValueError, match="columns"):
        _subwords.subword_means(vocab, np.zeros((4, 2), np.float32), offsets, rows)
    with pytest.raises(ValueError, match="row id 6 at position 1"):
        _subwords.subword_means(vocab, ngrams, offsets, np.array([0, 6, 1], np.uint32))
    with pytest.raises(ValueError, match="offsets must hold 3"):
        _subwords.subword_means(vocab, ngrams, np.array([0, 3], np.int64), rows)
    with pytest.raises(ValueError, match="offsets decrease at word 1"):
        _subwords.subword_means(vocab, ngrams, np.array([0, 4, 3], np.int64), rows[:3])
    with pytest.raises(TypeError, match="rows must be a numpy array"):
        _subwords.subword_means(vocab, ngrams, offsets, [0, 1, 1])
