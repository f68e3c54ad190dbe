"""End-to-end behaviour of Word2Vec: quality on planted structure, reproducibility, the
gensim-compatible API surface, persistence and continued training."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from _corpora import cluster_precision, planted_clusters

from fastembed_core import EncodedCorpus, KeyedVectors, Word2Vec
from fastembed_core.errors import CorpusError

# Floors calibrated over 30 seeds at workers=1 and workers=2 (vector_size=16, min_count=1):
#   sg+ns   (3000 sentences, 2 epochs): min 0.991           -> floor 0.95
#   cbow+ns (3000 sentences, 4 epochs): min 0.989           -> floor 0.95
#   cbow+hs (3000 sentences, 2 epochs): min 0.878, p10 0.89 -> floor 0.80
#   sg+hs   (2000 sentences, 2 epochs): min 0.993           -> floor 0.95
# Chance level is 1/8 = 0.125; broken training stays near it.
PLANTED = {
    "sg_ns": (dict(sg=1, hs=0, negative=5, epochs=2), 3000, 0.95),
    "cbow_ns": (dict(sg=0, hs=0, negative=5, epochs=4), 3000, 0.95),
    "cbow_hs": (dict(sg=0, hs=1, negative=0, epochs=2), 3000, 0.80),
    "sg_hs": (dict(sg=1, hs=1, negative=0, epochs=2), 2000, 0.95),
}


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_clusters_are_recovered(name, workers):
    params, n_sentences, floor = PLANTED[name]
    for seed in (101, 202):
        corpus = planted_clusters(seed, n_sentences=n_sentences)
        model = Word2Vec(corpus, vector_size=16, min_count=1, workers=workers, seed=seed, **params)
        assert cluster_precision(model.wv) >= floor, (name, workers, seed)


def test_hot_rows_lose_no_training_with_several_workers():
    """With several workers, the input and output rows of the most frequent words are trained
    in private copies and merged back (word2vec.HOT_ROWS): each must move from its start about
    as far as with one worker. Over 12 seeds x 2 runs (64 of the 200 words hot) the median
    ratio (2 workers / 1) stayed within 0.93-1.03 and every row's within 0.80-1.3; rows whose
    merges were lost, or merged twice, would be far outside."""
    from fastembed_core.models.word2vec import HOT_ROWS

    corpus = planted_clusters(3, n_sentences=1500)
    moved = {}
    for workers in (1, 2):
        model = Word2Vec(vector_size=16, min_count=1, workers=workers, seed=3, epochs=2, negative=5)
        model.build_vocab(corpus)
        start = model.wv.vectors[:HOT_ROWS].copy()
        model.train(corpus, total_examples=model.corpus_count, epochs=2)
        moved[workers] = (
            np.linalg.norm(model.wv.vectors[:HOT_ROWS] - start, axis=1),
            np.linalg.norm(model.syn1neg[:HOT_ROWS], axis=1),
        )  # starts at 0
    for one, two in zip(moved[1], moved[2]):
        ratio = two / one
        assert ratio.min() > 0.5 and ratio.max() < 2.0
        assert 0.85 < np.median(ratio) < 1.15


@pytest.mark.parametrize("sg", [0, 1])
def test_the_top_of_the_tree_loses_no_training_with_several_workers(sg):
    """With hierarchical softmax and several workers, the nodes at the top of the Huffman
    tree are trained in private copies and merged back (word2vec.HOT_HS_NODES, every node of
    this 200-word tree, for CBOW; HOT_HS_NODES_SG for skip-gram): they start at 0, so nodes
    whose merges were lost stay near 0, and nodes merged twice come out about twice as long.
    Over planted corpora 0-11 the median ratio of the nodes' lengths (2 workers / 1) stayed
    within 0.93-1.14 for CBOW, every node's within 0.25-3.5 (a node low in the tree takes few
    updates, and two workers train it on another path than one). Skip-gram merges its copies
    as the workers' mean, which on a corpus this small (no node settles between two merges)
    keeps about half of each worker's move: medians 0.42-0.53, every node 0.21-1.11."""
    from fastembed_core.models.word2vec import HOT_HS_NODES, HOT_HS_NODES_SG

    copied = HOT_HS_NODES_SG if sg else HOT_HS_NODES
    corpus = planted_clusters(3, n_sentences=1500)
    lengths = {}
    for workers in (1, 2):
        model = Word2Vec(
            corpus,
            vector_size=16,
            min_count=1,
            workers=workers,
            seed=3,
            epochs=2,
            hs=1,
            negative=0,
            sg=sg,
        )
        nodes = model.syn1[: len(model.wv) - 1]  # gensim's syn1 has one unused last row
        lengths[workers] = np.linalg.norm(nodes[-copied:], axis=1)
    ratio = lengths[2] / lengths[1]
    low, high = (0.33, 0.65) if sg else (0.85, 1.2)
    assert low < np.median(ratio) < high
    assert ratio.min() > 0.15 and ratio.max() < 5.0


def test_untrained_vectors_are_at_chance():
    """The planted-cluster metric can fail: random vectors score near chance."""
    model = Word2Vec(vector_size=16, min_count=1)
    model.build_vocab(planted_clusters(1))
    assert cluster_precision(model.wv) < 0.3


def test_initial_vectors_follow_gensim_init():
    model = Word2Vec(vector_size=50, min_count=1, seed=3)
    model.build_vocab(planted_clusters(1, n_sentences=200))
    v = model.wv.vectors
    assert v.dtype == np.float32 and v.flags.c_contiguous
    assert v.min() >= -1.0 / 50 and v.max() < 1.0 / 50
    # uniform(-1/d, 1/d): mean 0, std 1/(d*sqrt(3))
    assert abs(v.mean()) < 1e-3 and abs(v.std() - 1 / (50 * np.sqrt(3))) < 5e-4
    assert not model.syn1neg.any()


_DETERMINISM_SCRIPT = textwrap.dedent("""
    import sys, numpy as np
    from fastembed_core import Word2Vec
    rng = np.random.default_rng(0)
    words = ["w%d" % i for i in range(300)]
    corpus = [[words[j] for j in rng.zipf(1.3, 20) % 300] for _ in range(2000)]
    m = Word2Vec(corpus, vector_size=24, min_count=2, sg=int(sys.argv[2]), workers=1, seed=7, epochs=2)
    with open(sys.argv[1], "wb") as f:
        f.write(m.wv.vectors.tobytes())
        f.write("\\n".join(map(str, m.wv.index_to_key)).encode())
""")


@pytest.mark.parametrize("sg", [0, 1])
def test_single_worker_is_bitwise_reproducible_across_processes(tmp_path, sg):
    outputs = []
    for hashseed in ("1", "2"):
        out = tmp_path / f"v{hashseed}.bin"
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        subprocess.run(
            [sys.executable, "-c", _DETERMINISM_SCRIPT, str(out), str(sg)],
            check=True,
            env=env,
            timeout=120,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 1000


def test_different_seeds_give_different_vectors():
    corpus = planted_clusters(3, n_sentences=300)
    a = Word2Vec(corpus, vector_size=8, min_count=1, workers=1, seed=1, epochs=1)
    b = Word2Vec(corpus, vector_size=8, min_count=1, workers=1, seed=2, epochs=1)
    assert not np.array_equal(a.wv.vectors, b.wv.vectors)


def test_long_text_loses_no_token():
    # gensim cuts sentences at 10,000 tokens; every token here must be counted and trained.
    rng = np.random.default_rng(0)
    text = [f"t{i}" for i in rng.integers(0, 50, 25_000)]
    tail_only = [f"tail{i}" for i in range(5)] * 3  # words only after position 25,000
    model = Word2Vec([text + tail_only], vector_size=8, min_count=1, workers=1, epochs=1)
    assert model.corpus_total_words == 25_015
    for w in tail_only:
        assert w in model.wv
    init = Word2Vec(vector_size=8, min_count=1, workers=1)
    init.build_vocab([text + tail_only])
    tail_rows = [model.wv.key_to_index[w] for w in set(tail_only)]
    # The words that occur only at the very end were trained (their vectors moved).
    assert not np.allclose(
        model.wv.vectors[tail_rows],
        init.wv.vectors[[init.wv.key_to_index[w] for w in set(tail_only)]],
    )


def test_generator_is_refused_for_multiple_passes():
    gen = (s for s in planted_clusters(1, n_sentences=10))
    with pytest.raises(TypeError, match="re-iterable"):
        Word2Vec(gen, min_count=1)


def test_string_sentences_are_refused():
    # deliberately stricter than gensim (which trains on the characters, with a warning):
    # a str in place of a token list is almost always a missing .split()
    with pytest.raises(TypeError, match=r"list of tokens; got str.*split\(\)"):
        Word2Vec(["the quick brown fox", "jumps over"], min_count=1)


def test_empty_corpus_is_refused():
    with pytest.raises(CorpusError, match="corpus is empty"):
        Word2Vec([[], []], min_count=1)
    with pytest.raises(CorpusError, match="corpus is empty"):
        Word2Vec([], min_count=1)


def test_nothing_above_min_count_names_the_top_word():
    with pytest.raises(CorpusError, match=r"min_count=5.*'b' with 3.*lower min_count"):
        Word2Vec([["a", "b"], ["b", "c"], ["b"]], min_count=5)


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        (dict(vector_size=0), "vector_size"),
        (dict(window=0), "window"),
        (dict(negative=-1), "negative"),
        (dict(hs=0, negative=0), "hs=0 and negative=0"),
        (dict(alpha=0), "alpha"),
        (dict(alpha=0.01, min_alpha=0.1), "min_alpha"),
        (dict(sample=-1e-3), "sample"),
        (dict(epochs=0), "epochs"),
        (dict(ns_exponent=float("nan")), "ns_exponent"),
        (dict(workers=0), "workers"),
        (dict(workers=True), "workers"),
        (dict(workers=2.5), "workers"),
        (dict(vector_size="100"), "vector_size"),
        (dict(sg=2), "sg"),
    ],
)
def test_invalid_hyperparameters(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        Word2Vec(**kwargs)


def test_more_workers_than_cores_warns_and_works():
    with pytest.warns(RuntimeWarning, match="exceeds"):
        model = Word2Vec(
            planted_clusters(1, n_sentences=100),
            min_count=1,
            vector_size=8,
            workers=os.cpu_count() + 3,
            epochs=1,
        )
    assert len(model.wv) > 0


def test_vocabulary_is_sorted_by_count_with_stable_ties():
    corpus = [["c", "a", "b", "a", "d", "b", "a"]]
    model = Word2Vec(vector_size=4, min_count=1)
    model.build_vocab(corpus)
    assert model.wv.index_to_key == ["a", "b", "c", "d"]
    assert list(model.wv.expandos["count"]) == [3, 2, 1, 1]
    unsorted = Word2Vec(vector_size=4, min_count=1, sorted_vocab=0)
    unsorted.build_vocab(corpus)
    assert unsorted.wv.index_to_key == ["c", "a", "b", "d"]


def test_min_count_trim_rule_and_max_final_vocab():
    from fastembed_core import RULE_DEFAULT, RULE_DISCARD, RULE_KEEP

    corpus = [["a"] * 5 + ["b"] * 4 + ["c"] * 3 + ["d"] * 2 + ["e"]]
    m = Word2Vec(vector_size=4, min_count=3)
    m.build_vocab(corpus)
    assert m.wv.index_to_key == ["a", "b", "c"]

    def rule(word, count, min_count):
        return {"a": RULE_DISCARD, "e": RULE_KEEP}.get(word, RULE_DEFAULT)

    m = Word2Vec(vector_size=4, min_count=3, trim_rule=rule)
    m.build_vocab(corpus)
    assert m.wv.index_to_key == ["b", "c", "e"]
    m = Word2Vec(vector_size=4, min_count=1, max_final_vocab=2)
    m.build_vocab(corpus)
    assert m.wv.index_to_key == ["a", "b"] and m.effective_min_count == 4


def test_integer_tokens_stay_integer_keys():
    corpus = [[10, 20, 30, 20], [30, 10, 10]]
    model = Word2Vec(corpus, vector_size=4, min_count=1, epochs=1)
    assert set(model.wv.index_to_key) == {10, 20, 30}
    assert model.wv[10].shape == (4,)
    assert "10" not in model.wv


def test_encoded_corpus_matches_token_lists():
    rng = np.random.default_rng(5)
    lengths = rng.integers(1, 20, 400)
    ids = rng.integers(0, 60, lengths.sum())
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    sentences = [ids[offsets[k] : offsets[k + 1]].tolist() for k in range(len(lengths))]
    a = Word2Vec(
        EncodedCorpus(ids, offsets), vector_size=8, min_count=2, workers=1, seed=4, epochs=2
    )
    b = Word2Vec(sentences, vector_size=8, min_count=2, workers=1, seed=4, epochs=2)
    assert a.wv.index_to_key == b.wv.index_to_key
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)


class Recorder:
    def __init__(self):
        self.events = []

    def on_train_begin(self, model):
        self.events.append("train_begin")

    def on_epoch_begin(self, model):
        self.events.append("epoch_begin")

    def on_epoch_end(self, model):
        self.events.append(("epoch_end", model.get_latest_training_loss()))

    def on_train_end(self, model):
        self.events.append("train_end")


def test_callbacks_and_loss_per_epoch():
    rec = Recorder()
    model = Word2Vec(
        planted_clusters(2, n_sentences=1500),
        vector_size=16,
        min_count=1,
        sg=1,
        epochs=3,
        compute_loss=True,
        callbacks=[rec],
        workers=2,
    )
    assert rec.events[0] == "train_begin" and rec.events[-1] == "train_end"
    ends = [e for e in rec.events if isinstance(e, tuple)]
    assert len(ends) == 3 and rec.events.count("epoch_begin") == 3
    losses = model.epoch_losses
    assert len(losses) == 3 and all(isinstance(x, float) and x > 0 for x in losses)
    # the running total seen by callbacks grows by each epoch's loss (gensim's convention)
    np.testing.assert_allclose([e[1] for e in ends], np.cumsum(losses))
    assert losses[-1] < losses[0], "loss must fall while the model learns the clusters"
    assert model.get_latest_training_loss() == pytest.approx(sum(losses))


def test_learning_rate_too_high_raises_diverged():
    from fastembed_core.errors import TrainingDivergedError

    with pytest.raises(TrainingDivergedError, match=r"epoch \d.*lower alpha"):
        Word2Vec(
            planted_clusters(1, n_sentences=500),
            vector_size=16,
            min_count=1,
            sg=0,
            cbow_mean=0,
            alpha=1e30,
            min_alpha=1e30,
            epochs=1,
            workers=1,
        )


def test_save_load_roundtrip_and_continued_training(tmp_path):
    corpus = planted_clusters(4, n_sentences=800)
    model = Word2Vec(
        corpus, vector_size=12, min_count=1, sg=1, hs=1, negative=3, epochs=1, workers=1, seed=9
    )
    path = tmp_path / "model.fe"
    model.save(path)
    loaded = Word2Vec.load(path)
    assert loaded.wv.index_to_key == model.wv.index_to_key
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    np.testing.assert_array_equal(loaded.syn1neg, model.syn1neg)
    np.testing.assert_array_equal(loaded.syn1, model.syn1)
    assert (loaded.sg, loaded.hs, loaded.negative, loaded.window) == (1, 1, 3, 5)
    # continued training gives the same result on the original and the loaded copy
    model.train(corpus, total_examples=len(corpus), epochs=1)
    loaded.train(corpus, total_examples=len(corpus), epochs=1)
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    assert path.read_bytes()[:1] != b"\x80"  # never a pickle


def test_build_vocab_update_adds_words_and_keeps_old_vectors():
    base = [["a", "b", "c"]] * 20
    model = Word2Vec(base, vector_size=8, min_count=1, epochs=1, workers=1)
    before = model.wv.vectors.copy()
    model.build_vocab([["d", "e", "a"]] * 5, update=True)
    assert model.wv.index_to_key[:3] == ["a", "b", "c"] and {"d", "e"} <= set(model.wv.index_to_key)
    np.testing.assert_array_equal(model.wv.vectors[:3], before)
    assert model.wv.expandos["count"][model.wv.key_to_index["a"]] == 25
    model.train([["d", "e", "a"]] * 5, total_examples=5, epochs=2)
    assert model.syn1neg.shape == model.wv.vectors.shape


def test_kv_is_a_keyedvectors():
    model = Word2Vec(planted_clusters(1, n_sentences=100), vector_size=8, min_count=1, epochs=1)
    assert isinstance(model.wv, KeyedVectors)
    assert model.wv.vectors.shape == (len(model.wv.index_to_key), 8)


# ---- corpus files: the tokens of the vocabulary scan are reused by train() -------------------


def _write_corpus(path, seed, n_sentences=800):
    sentences = planted_clusters(seed, n_sentences=n_sentences)
    path.write_text("\n".join(" ".join(s) for s in sentences) + "\n", encoding="utf-8")
    return sum(map(len, sentences))


def test_training_on_the_scanned_tokens_equals_reading_the_file_again(tmp_path):
    """build_vocab(corpus_file) keeps the tokens it read; train() on the same file maps them
    instead of reading it again, and must train exactly what re-reading would."""
    path = tmp_path / "c.txt"
    _write_corpus(path, 4)
    models = []
    for reuse in (True, False):
        model = Word2Vec(vector_size=16, min_count=2, workers=1, seed=4, epochs=2)
        model.build_vocab(corpus_file=str(path))
        assert model._scanned_file is not None
        if not reuse:
            model._scanned_file = None
        model.train(
            corpus_file=str(path),
            total_examples=model.corpus_count,
            total_words=model.corpus_total_words,
            epochs=model.epochs,
        )
        assert model._scanned_file is None  # handed out once, not kept
        models.append(model)
    np.testing.assert_array_equal(models[0].wv.vectors, models[1].wv.vectors)
    np.testing.assert_array_equal(models[0].syn1neg, models[1].syn1neg)


def test_a_file_changed_after_the_scan_is_read_again(tmp_path):
    path = tmp_path / "c.txt"
    _write_corpus(path, 5)
    model = Word2Vec(vector_size=16, min_count=1, workers=1, seed=5, epochs=1)
    model.build_vocab(corpus_file=str(path))
    new_tokens = _write_corpus(path, 6, n_sentences=500)  # other content and size
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    _, raw = model.train(corpus_file=str(path), total_examples=1, total_words=1, epochs=1)
    assert raw == new_tokens
    # and a scan of one file is not used for another
    other = tmp_path / "other.txt"
    other_tokens = _write_corpus(other, 7, n_sentences=300)
    model.build_vocab(corpus_file=str(path))
    _, raw = model.train(corpus_file=str(other), total_examples=1, total_words=1, epochs=1)
    assert raw == other_tokens


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_finite_check_sees_a_bad_value_in_any_block_of_a_large_matrix(bad, tmp_path):
    # The per-epoch check of FastText reads the words' means, which every row training writes
    # reaches: a bad value in the last bucket a word uses, far into the matrix, is found.
    # save() reads every row a block at a time (no bool per value): a bad value in the very
    # last row is refused there.
    from fastembed_core.errors import TrainingDivergedError
    from fastembed_core.models.fasttext import FastText

    model = FastText([["alpha", "beta", "gamma"]] * 5, vector_size=4, min_count=1, bucket=100_003)
    model._check_finite(0, 0.025)  # a trained model passes
    last_used = int(model.wv.subword_table()[1].max())
    assert last_used > 50_000
    for row in (last_used, len(model._w_in) - 1):
        model._w_in[row, 3] = bad
        with pytest.raises(ValueError, match="refusing to save"):
            model.save(tmp_path / "bad.model")
        if row == last_used:
            with pytest.raises(TrainingDivergedError, match="input matrix"):
                model._check_finite(0, 0.025)
        model._w_in[row, 3] = 0.0
