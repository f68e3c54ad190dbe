"""Counting and encoding of token-list corpora: the C path (str tokens) against a plain
Python reference, and the switch to the Python path for other token types."""

import collections
import threading

import numpy as np
import pytest

from fastembed_core import Word2Vec
from fastembed_core.models.vocab import (
    RULE_DEFAULT,
    WordCounts,
    count_iterable,
    encode_iterable,
    select_vocab,
)


def reference_counts(corpus, max_vocab_size=None):
    counts, min_reduce, total = collections.Counter(), 1, 0
    for sentence in corpus:
        counts.update(sentence)
        total += len(sentence)
        if max_vocab_size and len(counts) > max_vocab_size:
            for k in [k for k, c in counts.items() if c < min_reduce]:
                del counts[k]
            min_reduce += 1
    return list(counts.items()), total


def reference_encode(corpus, key_to_index):
    ids, offsets = [], [0]
    for sentence in corpus:
        known = [key_to_index[t] for t in sentence if t in key_to_index]
        if known:
            ids += known
            offsets.append(len(ids))
    return ids, offsets


def zipf_corpus(seed, n_sentences=3000, vocab=5000):
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(vocab)] + ["é", "日本", "😀", "a\u0301", ""]
    out = []
    for _ in range(n_sentences):
        ranks = np.minimum(rng.zipf(1.2, rng.integers(0, 30)), len(words)) - 1
        out.append([words[r] for r in ranks])
    return out


@pytest.mark.parametrize("max_vocab_size", [None, 50, 1000])
def test_counts_equal_python_reference(max_vocab_size, monkeypatch):
    import fastembed_core.models.vocab as vocab

    monkeypatch.setattr(vocab, "_ENCODE_CHUNK", 997)  # many chunks, odd boundaries
    corpus = zipf_corpus(1)
    counts, total, n = count_iterable(corpus, max_vocab_size)
    want, want_total = reference_counts(corpus, max_vocab_size)
    assert list(counts.items()) == want
    assert (total, n) == (want_total, len(corpus))
    if max_vocab_size:
        assert len(counts) <= max_vocab_size * 2


@pytest.mark.parametrize("max_vocab_size", [None, 40])
def test_non_str_tokens_switch_to_python_counting(max_vocab_size, monkeypatch):
    import fastembed_core.models.vocab as vocab

    monkeypatch.setattr(vocab, "_ENCODE_CHUNK", 500)
    corpus = zipf_corpus(2, n_sentences=800)
    corpus[300] = corpus[300] + [7, ("a", 1), "w1"]  # ints and tuples are keys too
    corpus.append(["\ud800", "w2"])  # a lone surrogate cannot be UTF-8
    counts, total, n = count_iterable(corpus, max_vocab_size)
    want, want_total = reference_counts(corpus, max_vocab_size)
    assert list(counts.items()) == want and total == want_total


def test_encoding_equals_reference_and_drops_unknown(monkeypatch):
    import fastembed_core.models.vocab as vocab

    monkeypatch.setattr(vocab, "_ENCODE_CHUNK", 613)
    corpus = zipf_corpus(3)
    corpus.insert(5, [])
    corpus.insert(9, ["never-seen", "nor-this"])
    corpus.insert(11, [3, "w0", None])
    keys = [f"w{i}" for i in range(0, 5000, 3)] + ["日本", ""]
    key_to_index = {k: i for i, k in enumerate(keys)}
    ids, offsets, raw, n = encode_iterable(corpus, key_to_index)
    want_ids, want_offsets = reference_encode(corpus, key_to_index)
    assert ids.dtype == np.uint32 and offsets.dtype == np.int64
    assert ids.tolist() == want_ids and offsets.tolist() == want_offsets
    assert raw == sum(map(len, corpus)) and n == len(corpus)


def test_int_keys_encode_through_python_path():
    corpus = [[10, 20, 30], [30, 99], ["10"]]
    key_to_index = {10: 0, 20: 1, 30: 2}
    ids, offsets, raw, n = encode_iterable(corpus, key_to_index)
    assert ids.tolist() == [0, 1, 2, 2] and offsets.tolist() == [0, 3, 4]


class FreshTokens:
    """A sentence whose tokens are new str objects on every iteration (as a generator over
    decoded bytes or a pandas column produces them): nothing but the counter holds them."""

    def __init__(self, words, pad=0):
        self.words = [w.encode("utf-8") for w in words]
        self.pad = pad

    def __len__(self):
        return len(self.words)

    def __iter__(self):
        for w in self.words:
            yield w.decode("utf-8") + "z" * self.pad


@pytest.mark.parametrize("pad", [0, 5000])
def test_tokens_created_during_iteration_are_counted_correctly(pad, monkeypatch):
    # Before the chunk owned its tokens, each was freed right after its UTF-8 pointer was
    # taken: 10 words x 3 sentences counted as 2 words of count 15, or crashed with big tokens.
    import fastembed_core.models.vocab as vocab

    monkeypatch.setattr(vocab, "_ENCODE_CHUNK", 7)
    words = [f"w{i}" for i in range(10)] + ["日本", "é"]
    corpus = [FreshTokens(words, pad)] * 3 + [FreshTokens(words[::-1], pad)]
    counts, total, n = count_iterable(corpus)
    want, want_total = reference_counts([list(s) for s in corpus])
    assert list(counts.items()) == want
    assert counts[words[0] + "z" * pad] == 4 and total == want_total and n == 4


@pytest.mark.parametrize("pad", [0, 5000])
def test_tokens_created_during_iteration_are_encoded_correctly(pad, monkeypatch):
    import fastembed_core.models.vocab as vocab

    monkeypatch.setattr(vocab, "_ENCODE_CHUNK", 7)
    words = [f"w{i}" for i in range(10)] + ["日本"]
    corpus = [FreshTokens(words, pad), FreshTokens(words[::-1], pad)] * 2
    key_to_index = {w + "z" * pad: i for i, w in enumerate(words[::2])}
    ids, offsets, raw, n = encode_iterable(corpus, key_to_index)
    want_ids, want_offsets = reference_encode([list(s) for s in corpus], key_to_index)
    assert ids.tolist() == want_ids and offsets.tolist() == want_offsets


def test_sentences_from_a_pandas_groupby_count_like_python():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"session": [1, 1, 2, 2, 2, 3], "item": ["a", "b", "b", "c", "a", "c"]})
    sentences = [g["item"] for _, g in df.groupby("session")]
    counts, total, n = count_iterable(sentences)
    assert dict(counts) == {"a": 2, "b": 2, "c": 2} and (total, n) == (6, 3)


def test_key_without_utf8_form_is_encoded_through_python():
    # A lone surrogate cannot reach the C lookup table; it used to raise UnicodeEncodeError.
    corpus = [["a", "\ud800", "b"], ["\ud800"]]
    ids, offsets, raw, n = encode_iterable(corpus, {"\ud800": 0, "a": 1})
    assert ids.tolist() == [1, 0, 0] and offsets.tolist() == [0, 2, 3]


# ---- the key rules, applied before training (reliability P21, P26, P27) ----------------------


@pytest.mark.parametrize("tokens", [[True, 1, "a"], [1, 1.0, "a"], [np.float32(2.5), "a"]])
def test_bool_and_float_tokens_are_refused_before_training(tokens):
    from fastembed_core import Word2Vec

    # True, 1 and 1.0 are one dict key: they trained as one word, silently
    with pytest.raises(TypeError, match="tokens must be str or int"):
        Word2Vec([tokens] * 5, min_count=1, workers=1, vector_size=4)


def test_lone_surrogate_token_is_refused_before_training():
    from fastembed_core import Word2Vec

    # trained, then failed at save with a bare UnicodeEncodeError
    with pytest.raises(ValueError, match="not valid Unicode text.*lone surrogate"):
        Word2Vec([["a", "\ud800", "b"]] * 5, min_count=1, workers=1, vector_size=4)
    with pytest.raises(ValueError, match="lone surrogate"):
        Word2Vec(vector_size=4).build_vocab_from_freq({"a": 3, "\udcff": 2})


def test_numpy_integer_tokens_become_int_keys_and_save(tmp_path):
    from fastembed_core import Word2Vec

    # trained, then model.save() raised "only str and int keys can be saved; got np.int64"
    sessions = [np.array([3, 7, 3, 9], dtype=np.int64)[i:] for i in range(3)] * 5
    model = Word2Vec([list(s) for s in sessions], min_count=1, workers=1, vector_size=4)
    assert all(type(k) is int for k in model.wv.index_to_key)
    model.save(str(tmp_path / "m.fe"))
    assert Word2Vec.load(str(tmp_path / "m.fe")).wv.index_to_key == model.wv.index_to_key


# ---- the token gatherer sizes its buffers from what it gathered (audit A<n>) ----------------


class _LenLiar:
    """A sentence whose len() says far more than it yields."""

    def __len__(self):
        return 2**61 - 999

    def __iter__(self):
        return iter(["x"])


@pytest.mark.parametrize("reader", [count_iterable, lambda c: encode_iterable(c, {"a": 0})])
def test_a1_a_sentence_whose_len_lies_is_a_clear_error(reader):
    with pytest.raises(ValueError, match=r"a sentence's len\(\) disagrees with what it yields"):
        reader([["a"] * 1000, _LenLiar()])


def test_a1_token_counter_checks_the_token_count_it_is_given():
    from fastembed_core._corpus import TokenCounter

    for claimed in (2**61, 2, 2**70, -1):
        with pytest.raises(ValueError, match="yield 3 tokens"):
            TokenCounter().add([["a", "b", "c"]], claimed)


def test_a10_sentences_added_to_the_chunk_while_it_is_read_are_not_read():
    from fastembed_core._corpus import TokenCounter

    chunk = []

    class Sneaky:
        def __iter__(self):
            chunk.extend([("z",)] * 64)
            return iter(["a", "b"])

    chunk.append(Sneaky())
    counter = TokenCounter()
    assert counter.add(chunk, 2) == -1
    words, counts = counter.result()
    assert words == ["a", "b"] and counts.tolist() == [1, 1]


def test_a11_token_counter_serves_one_thread_at_a_time():
    """Calls from several threads are each either counted whole or refused: the table never
    mixes them (before, concurrent hashing lost or corrupted words)."""
    from fastembed_core._corpus import TokenCounter

    counter = TokenCounter()
    accepted, refused = collections.Counter(), []

    def work(seed):
        for r in range(10):
            sentences = [[f"w{seed}_{r}_{i}_{j}" for j in range(50)] for i in range(400)]
            try:
                counter.add(sentences, 20_000)
            except RuntimeError as exc:
                assert "another thread" in str(exc)
                refused.append(exc)
            else:
                accepted[seed] += 20_000

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    words, counts = counter.result()
    total = sum(accepted.values())
    assert len(words) == total == int(counts.sum()) and len(set(words)) == total


@pytest.mark.parametrize("sorted_vocab", [True, False])
@pytest.mark.parametrize("min_count, max_final_vocab", [(1, None), (3, None), (1, 40), (5, 7)])
def test_select_vocab_fast_path_matches_the_rule_loop(sorted_vocab, min_count, max_final_vocab):
    # Without a trim_rule, select_vocab works in NumPy; a trim_rule that always defers takes the
    # rule-by-rule loop. Both must keep the same keys in the same order (ties in first-seen
    # order) with the same counts and effective min_count; many counts tie here.
    rng = np.random.default_rng(3)
    counts = {f"w{i}": int(c) for i, c in enumerate(rng.zipf(1.6, size=500) % 50)}
    fast = select_vocab(counts, min_count, max_final_vocab, None, sorted_vocab)
    loop = select_vocab(counts, min_count, max_final_vocab, lambda *a: RULE_DEFAULT, sorted_vocab)
    assert fast[0] == loop[0] and fast[2] == loop[2]
    assert fast[1].dtype == np.int64 and fast[1].tolist() == loop[1].tolist()
    assert 0 < len(fast[0]) < len(counts)
    if max_final_vocab is None:  # many kept words tie
        assert len(set(fast[1].tolist())) < len(fast[0]) / 2


def test_word_counts_read_as_the_dict_and_select_the_same_vocabulary():
    # The file scan's counts stay arrays (WordCounts) until something needs a dict.
    rng = np.random.default_rng(4)
    words = [f"w{i}" for i in range(300)]
    values = (rng.zipf(1.5, size=300) % 40).astype(np.int64)
    as_dict = dict(zip(words, values.tolist()))
    wc = WordCounts(words, values)
    assert len(wc) == 300 and list(wc) == words and wc["w7"] == as_dict["w7"]
    assert dict(wc.items()) == as_dict and list(wc.values()) == list(as_dict.values())
    for max_final_vocab in (None, 25):
        got = select_vocab(WordCounts(words, values), 3, max_final_vocab)
        want = select_vocab(as_dict, 3, max_final_vocab, lambda *a: RULE_DEFAULT)
        assert got[0] == want[0] and got[1].tolist() == want[1].tolist() and got[2] == want[2]


@pytest.mark.parametrize("spread", [40, 2**62])
def test_select_vocab_order_matches_the_stable_sort_even_near_int64_limits(spread):
    # The fast path sorts one int64 key per word, (top - count) * n + rank; counts spread so
    # far apart that the key would overflow take the stable argsort instead. Both must order
    # as the rule loop does: descending counts, ties in first-seen order.
    rng = np.random.default_rng(5)
    values = rng.integers(0, 40, size=400).astype(np.int64)
    values[::7] = spread  # ties at the top, and the largest count far above the rest
    counts = {f"w{i}": int(c) for i, c in enumerate(values)}
    fast = select_vocab(counts, 1)
    loop = select_vocab(counts, 1, None, lambda *a: RULE_DEFAULT)
    assert fast[0] == loop[0] and fast[1].tolist() == loop[1].tolist()
    assert fast[1][0] == spread and len(set(fast[1].tolist())) < len(fast[0])


def test_gather_refuses_positions_outside_the_keys():
    from fastembed_core import _corpus

    keys = ["a", "b", "c"]
    assert _corpus.gather(keys, np.array([2, 0, 2], dtype=np.int64)) == ["c", "a", "c"]
    for bad in (3, -1):
        with pytest.raises(IndexError, match=f"position {bad} is outside the 3 keys"):
            _corpus.gather(keys, np.array([0, bad], dtype=np.int64))


@pytest.mark.parametrize("kind", [dict, "mapping"])
def test_lookup_equals_the_dict_get_loop(kind):
    # the ids train() on a build_vocab scan maps the scanned words to
    from collections import UserDict

    from fastembed_core import _corpus

    rng = np.random.default_rng(2)
    words = [f"w{i}" for i in rng.permutation(3000)]
    index = {w: int(i) for i, w in enumerate(words[::3])}
    index["w1"] = 2**40  # ids are int64, not int32
    table = index if kind is dict else UserDict(index)
    got = _corpus.lookup(tuple(words) if kind is dict else words, table)
    assert got.dtype == np.int64
    assert got.tolist() == [index.get(w, -1) for w in words]
    assert _corpus.lookup([], table).tolist() == []
    with pytest.raises(TypeError):
        _corpus.lookup(["w0"], {"w0": "zero"})


def test_numpy_str_tokens_train_like_str_tokens():
    # numpy.str_ (a str subclass, e.g. words drawn with rng.choice) used to be skipped by the
    # C token path: a vocabulary of str keys then matched none of them.
    rng = np.random.default_rng(3)
    words = np.array(["ant", "bee", "cat", "dog", "eel", "fox"])
    numpy_sentences = [list(rng.choice(words, size=8)) for _ in range(200)]
    assert isinstance(numpy_sentences[0][0], np.str_)
    str_sentences = [[str(w) for w in s] for s in numpy_sentences]
    settings = dict(vector_size=8, min_count=1, epochs=2, workers=1, seed=5)
    expected = Word2Vec(str_sentences, **settings)
    model = Word2Vec(**settings)
    model.build_vocab(str_sentences)
    model.train(numpy_sentences, total_examples=len(numpy_sentences), epochs=2)
    assert model.wv.index_to_key == expected.wv.index_to_key
    np.testing.assert_array_equal(model.wv.vectors, expected.wv.vectors)
