"""FastText trains a compact copy of its input matrix (the words' rows and the buckets some
word uses), written back into the full matrix afterwards: the results must be bit for bit
those of training the full matrix in place (one worker, a fixed seed), whatever the path --
models, online training, lock factors, callbacks that change rows, loaded models."""

import numpy as np
import pytest

from fastembed_core import FastText
from fastembed_core.errors import TrainingDivergedError
from fastembed_core.models.fasttext import load_facebook_model, save_facebook_model
from fastembed_core.vectors.lazy_rows import CompactRows, run_in_threads, zeroed_rows

LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))


def corpus(seed, n_sentences=300, n_words=120, length=10):
    rng = np.random.default_rng(seed)
    words = sorted({"".join(rng.choice(LETTERS, rng.integers(3, 10))) for _ in range(n_words)})
    # Zipf-like frequencies, so subsampling and the negative table are not uniform
    p = 1.0 / np.arange(1, len(words) + 1)
    picks = rng.choice(len(words), (n_sentences, length), p=p / p.sum())
    return [[words[i] for i in row] for row in picks]


SETTINGS = dict(vector_size=12, min_count=1, bucket=20_000, workers=1, seed=5, epochs=2)


def full_matrix_training(monkeypatch):
    """Makes every FastText train its full input matrix in place (the reference path)."""
    monkeypatch.setattr(FastText, "_COMPACT_TRAINING", False)


def assert_same_model(a, b):
    assert a._w_in.shape == b._w_in.shape
    assert np.array_equal(a._w_in, b._w_in)
    assert np.array_equal(a.wv.vectors, b.wv.vectors)
    for name in ("syn1neg", "syn1"):
        if getattr(a, name) is not None:
            assert np.array_equal(getattr(a, name), getattr(b, name))


def both_ways(monkeypatch, make):
    """make() run on the compact path, then on the full matrix."""
    compact = make()
    with monkeypatch.context() as m:
        full_matrix_training(m)
        full = make()
    return compact, full


# ------------------------------------------------------------------------ CompactRows


@pytest.mark.parametrize("parts", [1, 3, 5000])  # copied by 1 or 3 threads; more than rows
@pytest.mark.parametrize("n_rows", [50_000, 2_000_000])  # remap by a table / by search
def test_compact_rows_gather_scatter_remap_equal_numpy_indexing(n_rows, parts):
    rng = np.random.default_rng(0)
    full = zeroed_rows(n_rows, 8)
    rows = rng.permutation(np.unique(rng.integers(0, len(full), 3_000)))  # any order
    full[rows] = rng.standard_normal((len(rows), 8), dtype=np.float32)
    compact = CompactRows(full, rows)
    compact.gather(parts)
    assert np.array_equal(compact.matrix, full[rows])
    picks = rng.choice(rows, 500)
    remapped = compact.remap(picks)
    assert remapped.dtype == np.uint32 and np.array_equal(rows[remapped], picks)
    compact.matrix *= 2.0
    head = 40_000  # the first rows, compared whole
    before = full[:head].copy()
    compact.scatter(parts)
    assert np.array_equal(full[rows], compact.matrix)
    near = rows[rows < head]
    assert np.array_equal(full[near], 2.0 * before[near])
    others = np.setdiff1d(np.arange(head), near)
    assert np.array_equal(full[others], before[others])


def test_run_in_threads_runs_every_job_and_raises_the_first_error():
    done = []
    run_in_threads([lambda k=k: done.append(k) for k in range(4)])
    assert sorted(done) == [0, 1, 2, 3]

    def fail():
        raise KeyError("job")

    with pytest.raises(KeyError, match="job"):
        run_in_threads([lambda: done.append(9), fail])
    assert done[-1] == 9  # the other job still ran
    run_in_threads([])


@pytest.mark.parametrize("n_rows", [10, 1000])  # remap by a table / by search
def test_compact_rows_refuse_bad_rows(n_rows):
    full = np.zeros((n_rows, 2), np.float32)
    with pytest.raises(ValueError, match="unique"):
        CompactRows(full, np.array([3, 1, 3]))
    with pytest.raises(ValueError, match="row ids"):
        CompactRows(full, np.array([1, n_rows]))
    for bad in ([1, 2], [4], [-1], [n_rows - 1]):
        with pytest.raises(ValueError, match="not one of the compact rows"):
            CompactRows(full, np.array([1, 3])).remap(np.array(bad))
    with pytest.raises(ValueError, match="not one of the compact rows"):
        CompactRows(full, np.array([], np.int64)).remap(np.array([0]))
    assert CompactRows(full, np.array([3, 1])).remap(np.array([1, 3, 3])).tolist() == [1, 0, 0]


def buckets_by_first_word(buckets, offsets, table, vocab):
    """Checks that the buckets go by the first (most frequent) word using them, then by
    bucket."""
    first_word = np.full(len(buckets), vocab)
    for word in range(vocab - 1, -1, -1):
        first_word[np.isin(buckets, table[offsets[word] : offsets[word + 1]])] = word
    assert (np.diff(first_word) >= 0).all()
    same_word = np.diff(first_word) == 0
    assert same_word.any() and (np.diff(buckets)[same_word] > 0).all()
    return first_word


def test_training_rows_are_the_words_then_the_used_buckets_by_first_word():
    model = FastText(**SETTINGS)
    model.build_vocab(corpus(9))
    vocab = len(model.wv)
    offsets, table = model.wv.subword_table()
    rows = model._training_rows(offsets, table)
    # the words' rows stay where they are (the kernel's hot rows are the first words' rows)
    assert np.array_equal(rows[:vocab], np.arange(vocab))
    buckets = rows[vocab:]
    assert np.array_equal(np.sort(buckets), vocab + model._used_buckets())
    assert buckets_by_first_word(buckets, offsets, table, vocab)[0] == 0


@pytest.mark.parametrize("sample", [1e-3, 0.0])
def test_the_most_used_buckets_come_first_when_asked(sample):
    """With hot=k the k most used buckets follow the words' rows, most used first (the
    kernel's per-worker copies of n-gram rows are those right after the words'), then the
    others as without."""
    model = FastText(**SETTINGS, sample=sample)
    model.build_vocab(corpus(9))
    vocab, hot = len(model.wv), 40
    offsets, table = model.wv.subword_table()
    rows = model._training_rows(offsets, table, hot=hot)
    assert np.array_equal(rows[:vocab], np.arange(vocab))
    assert np.array_equal(np.sort(rows[vocab:]), vocab + model._used_buckets())
    # a bucket's use: over the words listing it (a duplicate counts twice), the word's count
    # times its keep probability: word2vec's subsampling formula, capped at 1, as the
    # kernel's 32-bit thresholds hold it (ties below are exact ones)
    counts = model.wv.expandos["count"].astype(np.float64)
    keep = np.ones(vocab)
    if sample:
        threshold = sample * counts.sum()
        formula = np.minimum((np.sqrt(counts / threshold) + 1) * threshold / counts, 1.0)
        keep = model._sampling_tables()["keep"] / 4294967295.0
        np.testing.assert_allclose(keep, formula, rtol=1e-6)
        assert keep.min() < 0.5
    use = {}
    for word in range(vocab):
        for row in table[offsets[word] : offsets[word + 1]].tolist():
            if row >= vocab:
                use[row] = use.get(row, 0.0) + counts[word] * keep[word]
    top, rest = rows[vocab : vocab + hot], rows[vocab + hot :]
    top_use = np.array([use[b] for b in top.tolist()])
    rest_use = np.array([use[b] for b in rest.tolist()])
    assert top_use[0] > 5 * rest_use.min() and top_use.min() >= rest_use.max() * (1 - 1e-12)
    assert (np.diff(top_use) <= 1e-12 * top_use[:-1]).all()
    tied = np.isclose(top_use[1:], top_use[:-1], rtol=1e-12, atol=0)
    assert (np.diff(top)[tied] > 0).all()
    buckets_by_first_word(rest, offsets, table, vocab)
    # as many as there are, at most
    everything = model._training_rows(offsets, table, hot=10**6)
    assert np.array_equal(np.sort(everything[vocab:]), vocab + model._used_buckets())


# ------------------------------------------------------------------------ the same results


@pytest.mark.parametrize(
    "model",
    [
        dict(sg=0),
        dict(sg=1),
        dict(sg=0, cbow_mean=0),
        dict(sg=0, cbow_sums=True),
        dict(sg=1, hs=1, negative=0),
        dict(sg=0, hs=1, negative=3),
    ],
)
def test_compact_training_equals_full_matrix_training(monkeypatch, model):
    sentences = corpus(1)
    compact, full = both_ways(monkeypatch, lambda: FastText(sentences, **SETTINGS, **model))
    assert_same_model(compact, full)
    # the full matrix was written: the trained rows moved from their initial values
    fresh = FastText(**SETTINGS, **model)
    fresh.build_vocab(sentences)
    assert not np.array_equal(compact._w_in, fresh._w_in)


def test_online_training_with_new_buckets_equals_full_matrix_training(monkeypatch):
    sentences, more = corpus(2), corpus(3, n_sentences=100)
    added = {}

    def make():
        model = FastText(sentences, **SETTINGS, sg=1)
        n_old = len(model.wv)
        used_before = set(model._used_buckets().tolist())
        model.build_vocab(more, update=True)
        added["words"] = len(model.wv) - n_old
        added["buckets"] = len(set(model._used_buckets().tolist()) - used_before)
        model.train(more, total_examples=len(more), epochs=2)
        return model

    compact, full = both_ways(monkeypatch, make)
    assert added["words"] > 0 and added["buckets"] > 0  # the update did add rows to train
    assert_same_model(compact, full)


def test_lock_factors_per_row_equal_full_matrix_training(monkeypatch):
    sentences = corpus(4)
    frozen = {}

    def make():
        model = FastText(**SETTINGS, sg=0)
        model.build_vocab(sentences)
        vocab = len(model.wv)
        model.wv.vectors_vocab_lockf = np.tile(np.float32([0.0, 1.0, 0.5]), vocab)[:vocab]
        # per bucket: one in three frozen, the rest at half or full rate
        model.wv.vectors_ngrams_lockf = np.tile(np.float32([1.0, 0.0, 0.5]), 20_000)[:20_000]
        frozen["before"] = model._w_in.copy()
        model.train(sentences, total_examples=len(sentences), epochs=2)
        return model

    compact, full = both_ways(monkeypatch, make)
    assert_same_model(compact, full)
    vocab, before = len(compact.wv), frozen["before"]
    frozen_rows = np.concatenate([np.arange(0, vocab, 3), vocab + np.arange(1, 20_000, 3)])
    assert np.array_equal(compact._w_in[frozen_rows], before[frozen_rows])
    used = np.unique(compact.wv.subword_table()[1])
    free_used = np.setdiff1d(used, frozen_rows)
    assert (compact._w_in[free_used] != before[free_used]).any(axis=1).all()


def test_callbacks_see_and_change_the_full_matrix_between_epochs(monkeypatch):
    """A callback reads the trained rows and halves the n-gram rows in place between epochs:
    the next epoch trains the halved rows, as it does on the full matrix."""
    sentences = corpus(5)

    class Shrink:
        def __init__(self):
            self.moved = []

        def on_train_begin(self, model):
            model.wv.vectors_vocab[:] *= 0.5

        def on_epoch_begin(self, model):
            self.start = model._w_in.copy()

        def on_epoch_end(self, model):
            self.moved.append(not np.array_equal(model._w_in, self.start))
            model.wv.vectors_ngrams[:] *= 0.5

    watches = []

    def make():
        watches.append(Shrink())
        settings = {**SETTINGS, "epochs": 3}
        return FastText(sentences, **settings, sg=1, callbacks=[watches[-1]])

    compact, full = both_ways(monkeypatch, make)
    assert_same_model(compact, full)
    assert watches[0].moved == [True, True, True]


def test_loaded_facebook_model_keeps_values_of_unused_buckets(monkeypatch, tmp_path):
    """A Facebook model may hold values in buckets no word uses: training leaves them as they
    are on both paths (the compact copy never holds them)."""
    sentences = corpus(6)
    model = FastText(sentences, **SETTINGS, sg=0)
    unused = np.setdiff1d(np.arange(20_000), model._used_buckets())[:50]
    model.wv.vectors_ngrams[unused] = 0.25
    path = tmp_path / "model.bin"
    save_facebook_model(model, str(path))

    def make():
        loaded = load_facebook_model(str(path))
        loaded.workers, loaded.seed = 1, 5
        loaded.train(sentences, total_examples=len(sentences), epochs=1)
        return loaded

    compact, full = both_ways(monkeypatch, make)
    assert_same_model(compact, full)
    assert (compact.wv.vectors_ngrams[unused] == 0.25).all()


def test_copy_on_write_memory_mapped_load_trains_as_the_full_matrix(monkeypatch, tmp_path):
    sentences = corpus(7)
    FastText(sentences, **SETTINGS, sg=1).save(tmp_path / "m.model")

    def make():
        model = FastText.load(tmp_path / "m.model", mmap="c")
        model.train(sentences, total_examples=len(sentences), epochs=1)
        return model

    compact, full = both_ways(monkeypatch, make)
    assert_same_model(compact, full)


def test_divergence_is_found_in_the_compact_copy():
    """Without callbacks the full matrix is written only at the end; the check after each
    epoch reads the compact copy instead, and what training did is still written back."""
    sentences = corpus(8)
    model = FastText(**{**SETTINGS, "epochs": 3}, sg=0)
    model.build_vocab(sentences)
    before = model._w_in.copy()
    with pytest.raises(TrainingDivergedError, match="input matrix"):
        model.train(sentences, total_examples=len(sentences), epochs=3, start_alpha=1e30)
    assert not np.isfinite(model._w_in).all()
    assert model._compact is None and not np.array_equal(
        np.nan_to_num(model._w_in), np.nan_to_num(before)
    )


def test_two_workers_train_every_used_row_and_only_those():
    """Two workers (with the kernel's per-worker copies of frequent words' rows) train through
    the copy too: every row a word uses moves, no other row does, and the means are fresh."""
    sentences = corpus(10, n_sentences=600)
    model = FastText(**{**SETTINGS, "workers": 2})
    model.build_vocab(sentences)
    before = model._w_in.copy()
    model.train(sentences, total_examples=len(sentences), epochs=2)
    used = np.unique(model.wv.subword_table()[1])
    moved = (model._w_in != before).any(axis=1)
    assert moved[used].all() and not np.delete(moved, used).any()
    offsets, table = model.wv.subword_table()
    means = np.stack(
        [model._w_in[table[offsets[i] : offsets[i + 1]]].mean(axis=0) for i in range(len(model.wv))]
    )
    np.testing.assert_allclose(model.wv.vectors, means, rtol=1e-6, atol=1e-7)


def test_model_from_gensim_trains_as_the_full_matrix(monkeypatch):
    gensim_ft = pytest.importorskip("gensim.models.fasttext")
    sentences = corpus(11)
    g = gensim_ft.FastText(
        sentences, vector_size=12, min_count=1, bucket=20_000, epochs=1, workers=1, seed=3
    )

    def make():
        model = FastText.from_gensim(g)
        model.workers, model.seed = 1, 5
        model.train(sentences, total_examples=len(sentences), epochs=1)
        return model

    compact, full = both_ways(monkeypatch, make)
    assert_same_model(compact, full)
    assert not np.array_equal(compact.wv.vectors_vocab, g.wv.vectors_vocab)


@pytest.mark.parametrize("sg", [0, 1])
def test_means_after_training_are_the_full_matrix_means(sg):
    """The word vectors left by train() are taken from the compact copy: they must be the
    means gensim's adjust_vectors computes from the full matrix afterwards."""
    sentences = corpus(8)
    model = FastText(sentences, sg=sg, **SETTINGS)
    trained = model.wv.vectors.copy()
    model.wv.adjust_vectors()
    assert np.array_equal(trained, model.wv.vectors)
    # and they are the current rows' means, not those from before the last epoch
    model.train(sentences, total_examples=len(sentences), epochs=1)
    assert not np.array_equal(trained, model.wv.vectors)
    after = model.wv.vectors.copy()
    model.wv.adjust_vectors()
    assert np.array_equal(after, model.wv.vectors)
