"""The order of FastText's compact copy (``_subwords.training_rows``, one pass in C) against
the NumPy passes over every bucket row it replaced, kept here as the reference."""

import numpy as np
import pytest

from fastembed_core import FastText, _subwords
from fastembed_core.vectors.lazy_rows import CompactRows

LETTERS = np.array(list("abcdefghij"))


def reference_rows(offsets, rows, n_buckets, expected, hot, select="argpartition"):
    """The former ``FastText._training_rows``, as it was (``select="argpartition"``), or with
    its choice among equal uses at the ``hot`` boundary made explicit (``"stable"``: the lower
    buckets), which argpartition leaves to its algorithm."""
    vocab = len(offsets) - 1
    n_full = vocab + n_buckets
    word_of_row = np.repeat(np.arange(vocab, dtype=np.uint32), np.diff(offsets))
    first_word = np.full(n_full, vocab, dtype=np.uint32)  # vocab: no word
    np.minimum.at(first_word, rows, word_of_row)
    buckets = vocab + np.flatnonzero(first_word[vocab:] < vocab)
    by_first_word = buckets[np.argsort(first_word[buckets], kind="stable")]
    hot = min(hot, len(buckets))
    if hot > 0:
        use = np.bincount(rows, weights=expected[word_of_row], minlength=n_full)
        if select == "argpartition":
            top = np.argpartition(-use[buckets], hot - 1)[:hot]
            top = buckets[np.sort(top)]
        else:
            top = buckets[np.argsort(-use[buckets], kind="stable")[:hot]]
        top = top[np.argsort(-use[top], kind="stable")]
        is_top = np.zeros(n_full, dtype=bool)
        is_top[top] = True
        rest = by_first_word[~is_top[by_first_word]]
        by_first_word = np.concatenate([top, rest])
    return np.concatenate([np.arange(vocab), by_first_word]), (
        None if hot <= 0 else np.sort(use[buckets])[::-1][hot - 1 : hot + 1]
    )


def assert_same_as_reference(offsets, rows, n_buckets, expected, hot):
    got, remapped = _subwords.training_rows(offsets, rows, n_buckets, expected, hot, remap=True)
    assert got.dtype == np.int64 and remapped.dtype == np.uint32
    assert np.array_equal(_subwords.training_rows(offsets, rows, n_buckets, expected, hot), got)
    # the table's rows as rows of the compact copy, as CompactRows.remap finds them
    full = np.zeros((len(offsets) - 1 + n_buckets, 1), np.float32)
    assert np.array_equal(remapped, CompactRows(full, got).remap(rows))
    stable, boundary = reference_rows(offsets, rows, n_buckets, expected, hot, "stable")
    assert np.array_equal(got, stable)
    if boundary is None or len(boundary) < 2 or boundary[0] != boundary[1]:
        # no tie at the boundary: the former code's pick is the same set
        assert np.array_equal(got, reference_rows(offsets, rows, n_buckets, expected, hot)[0])
    return got


def random_words(rng, n, shortest=1, longest=9):
    words = {"".join(rng.choice(LETTERS, rng.integers(shortest, longest + 1))) for _ in range(n)}
    return sorted(words, key=lambda w: (len(w), w))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("bucket", [1, 7, 50, 2_000, 2_000_000])  # fewer buckets than words too
@pytest.mark.parametrize("hot", [0, 1, 5, 256, 10**9])  # hot > buckets in use as well
def test_training_rows_equal_the_numpy_passes_on_real_tables(seed, bucket, hot):
    rng = np.random.default_rng(seed)
    words = random_words(rng, 300)
    if seed % 2:
        words.insert(3, "</s>")  # a word without n-grams
    min_n, max_n = (1, 4) if seed < 2 else (3, 6)
    offsets, rows = _subwords.subword_table(words, min_n, max_n, bucket)
    # integer counts (many equal uses) or keep-probability-like fractions
    counts = rng.integers(1, 6, len(words)).astype(np.float64)
    expected = counts if seed % 2 else counts * rng.random(len(words))
    got = assert_same_as_reference(offsets, rows, bucket, expected, hot)
    assert len(got) == len(words) + len(np.unique(rows[rows >= len(words)]))


@pytest.mark.parametrize("hot", [0, 2, 3, 100])
def test_training_rows_edge_tables(hot):
    # no n-grams at all: only the words' own rows
    own = np.arange(4, dtype=np.uint32)
    offsets = np.arange(5, dtype=np.int64)
    got = assert_same_as_reference(offsets, own, 10, np.ones(4), hot)
    assert got.tolist() == [0, 1, 2, 3]
    # one bucket shared by every word, listed twice by some, and words without n-grams
    table = [[0, 9, 7, 9], [1], [2, 7, 5, 7], [3, 8], [4, 7]]
    offsets = np.cumsum([0] + [len(t) for t in table]).astype(np.int64)
    rows = np.concatenate(table).astype(np.uint32)
    expected = np.array([1.0, 5.0, 2.0, 0.5, 2.0])
    got = assert_same_as_reference(offsets, rows, 5, expected, hot)
    # by first word: word 0's new rows by id (7, 9), then word 2's (5), word 3's (8); uses:
    # 7 = 1 + 2 * 2 + 2 (listed twice by word 2), 9 = 2 * 1, 5 = 2, 8 = 0.5, and the tie of
    # 9 and 5 goes to the lower row
    by_use = [7, 5, 9, 8]
    assert got.tolist()[5:] == ([7, 9, 5, 8] if hot == 0 else by_use)
    # no words at all
    empty = _subwords.training_rows(np.zeros(1, np.int64), np.zeros(0, np.uint32), 10, None, 3)
    assert empty.tolist() == []


def test_training_rows_from_the_model_equal_the_numpy_passes():
    rng = np.random.default_rng(3)
    sentences = [random_words(rng, 12, 2, 8) for _ in range(200)]
    for sample, hot in ((1e-3, 40), (0.0, 40), (1e-3, 0)):
        model = FastText(vector_size=8, min_count=1, bucket=3_000, sample=sample, seed=1)
        model.build_vocab(sentences)
        offsets, table = model.wv.subword_table()
        expected = model.wv.expandos["count"].astype(np.float64)
        keep = model._sampling_tables()["keep"]
        if keep is not None:
            expected = expected * (keep / 4294967295.0)
        got = model._training_rows(offsets, table, hot)
        assert np.array_equal(got, assert_same_as_reference(offsets, table, 3_000, expected, hot))


def test_training_rows_refuse_bad_input():
    offsets, rows = np.array([0, 2, 3], np.int64), np.array([0, 2, 1], np.uint32)
    assert _subwords.training_rows(offsets, rows, 1).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="not below 3"):
        _subwords.training_rows(offsets, np.array([0, 3, 1], np.uint32), 1)
    with pytest.raises(ValueError, match="offsets decrease"):
        _subwords.training_rows(np.array([0, 3, 2, 3], np.int64), rows, 5)
    with pytest.raises(ValueError, match="offsets must hold"):
        _subwords.training_rows(np.array([0, 2], np.int64), rows, 5)
    with pytest.raises(ValueError, match="expected"):
        _subwords.training_rows(offsets, rows, 1, None, 1)
    with pytest.raises(ValueError, match="one value per word"):
        _subwords.training_rows(offsets, rows, 1, np.ones(3), 1)
    with pytest.raises(ValueError, match="hot"):
        _subwords.training_rows(offsets, rows, 1, np.ones(2), -1)
    with pytest.raises(ValueError, match="n_buckets"):
        _subwords.training_rows(offsets, rows, 2**32)
    with pytest.raises(ValueError, match="uint32"):
        _subwords.training_rows(offsets, rows.astype(np.int64), 1)
    with pytest.raises(TypeError, match="n_buckets"):
        _subwords.training_rows(offsets, rows, 1.0)
