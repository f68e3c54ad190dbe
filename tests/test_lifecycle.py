"""The lifecycle shared by every model family (models/base.py): construct-and-train, the
step-by-step form, save/load, callbacks; Node2Vec as a model class, Item2Vec as a Word2Vec."""

import numpy as np
import pytest

from fastembed_core.errors import FormatError
from fastembed_core.models.base import EmbeddingModel
from fastembed_core.models.graph import DeepWalk, Node2Vec
from fastembed_core.models.items import Item2Vec
from fastembed_core.models.word2vec import Word2Vec
from fastembed_core.vectors.keyedvectors import KeyedVectors


def sentences(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return [[f"w{int(x) % 60}" for x in rng.zipf(1.6, int(rng.integers(3, 12)))] for _ in range(n)]


def sessions(n=300, seed=1):
    rng = np.random.default_rng(seed)
    return [[int(x) for x in rng.integers(0, 40, int(rng.integers(2, 8)))] for _ in range(n)]


def edges():
    ring = [(i, (i + 1) % 30) for i in range(30)]
    chords = [(i, (i * 7 + 3) % 30) for i in range(0, 30, 3)]
    return np.array(ring + chords)


# One entry per family: (name, construct-and-train, untrained model, its corpus)
FAMILIES = {
    "word2vec": (
        lambda **kw: Word2Vec(sentences(), min_count=1, vector_size=8, workers=1, **kw),
        lambda **kw: Word2Vec(min_count=1, vector_size=8, workers=1, **kw),
        sentences,
    ),
    "item2vec": (
        lambda **kw: Item2Vec(sessions(), window=7, vector_size=8, workers=1, **kw),
        lambda **kw: Item2Vec(window=7, vector_size=8, workers=1, **kw),
        sessions,
    ),
    "node2vec": (
        lambda **kw: Node2Vec(
            edges(), dimensions=8, walk_length=8, num_walks=3, p=0.5, q=2, workers=1, **kw
        ),
        lambda **kw: Node2Vec(
            None, dimensions=8, walk_length=8, num_walks=3, p=0.5, q=2, workers=1, **kw
        ),
        edges,
    ),
    "deepwalk": (
        lambda **kw: DeepWalk(edges(), dimensions=8, walk_length=8, num_walks=3, workers=1, **kw),
        lambda **kw: DeepWalk(None, dimensions=8, walk_length=8, num_walks=3, workers=1, **kw),
        edges,
    ),
}


class Recorder:
    def __init__(self):
        self.events = []

    def on_train_begin(self, model):
        self.events.append("train_begin")

    def on_epoch_begin(self, model):
        self.events.append("epoch_begin")

    def on_epoch_end(self, model):
        self.events.append("epoch_end")

    def on_train_end(self, model):
        self.events.append("train_end")

    def on_progress(self, model, epoch, epochs, done, total):
        self.events.append(("progress", epoch, epochs, done, total))


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_is_a_model_that_trains_when_given_its_corpus(family):
    trained, untrained, corpus = FAMILIES[family]
    model = trained(epochs=2)
    assert isinstance(model, EmbeddingModel) and isinstance(model, Word2Vec)
    assert model.train_count == 1
    assert isinstance(model.wv, KeyedVectors) and len(model.wv) > 10
    empty = untrained()
    assert empty.train_count == 0 and len(empty.wv) == 0
    empty.build_vocab(corpus())  # the initial vectors, before any training
    assert empty.wv.index_to_key == model.wv.index_to_key
    assert not np.allclose(model.wv.vectors, empty.wv.vectors), "the constructor must train"


@pytest.mark.parametrize("family", FAMILIES)
def test_step_by_step_equals_construct_and_train(family):
    trained, untrained, corpus = FAMILIES[family]
    at_once = trained(epochs=2)
    model = untrained(epochs=2)
    model.build_vocab(corpus())
    assert model.train_count == 0
    if family in ("word2vec", "item2vec"):
        model.train(corpus(), total_examples=model.corpus_count, epochs=model.epochs)
    else:
        model.train(None)  # a walk model walks its own graph
    assert model.wv.index_to_key == at_once.wv.index_to_key
    np.testing.assert_array_equal(model.wv.vectors, at_once.wv.vectors)


@pytest.mark.parametrize("family", FAMILIES)
def test_save_load_round_trip_keeps_the_family_and_continues_identically(family, tmp_path):
    trained, _, corpus = FAMILIES[family]
    model = trained(epochs=1)
    path = tmp_path / f"{family}.fe"
    model.save(path)
    loaded = type(model).load(path)
    assert type(loaded) is type(model)
    assert loaded.wv.index_to_key == model.wv.index_to_key
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    np.testing.assert_array_equal(loaded.syn1neg, model.syn1neg)
    for name in type(model)._INIT_PARAMS:
        assert getattr(loaded, name) == getattr(model, name), name
    assert loaded.train_count == model.train_count
    # continued training: the graph is not saved, so walk models are given it again
    again = corpus()
    sizes = dict(total_examples=model.corpus_count, epochs=model.epochs)
    model.train(again if family in ("word2vec", "item2vec") else None, **sizes)
    loaded.train(again, **sizes)
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)


@pytest.mark.parametrize("family", FAMILIES)
def test_callbacks_are_called_in_order(family):
    trained, _, _ = FAMILIES[family]
    rec = Recorder()
    trained(epochs=3, callbacks=[rec])
    plain = [e for e in rec.events if isinstance(e, str)]
    assert plain == ["train_begin"] + ["epoch_begin", "epoch_end"] * 3 + ["train_end"]
    # progress reports, if any came, sit inside an epoch and count up within it
    epoch = -1
    for i, e in enumerate(rec.events):
        if e == "epoch_begin":
            epoch += 1
        elif isinstance(e, tuple):
            assert e[1] == epoch and e[2] == 3 and 0 <= e[3] <= e[4]
            assert rec.events[i - 1] != "epoch_end"


def test_stop_training_from_a_callback_ends_the_run_early():
    class StopAfterFirstEpoch:
        def __init__(self):
            self.ends = 0
            self.finished = False

        def on_epoch_end(self, model):
            self.ends += 1
            model.stop_training()

        def on_train_end(self, model):
            self.finished = True

    cb = StopAfterFirstEpoch()
    corpus = sentences(3000)
    model = Word2Vec(corpus, min_count=1, vector_size=8, workers=1, epochs=5, callbacks=[cb])
    assert cb.finished and cb.ends < 5
    assert model.train_count == 1


def test_node2vec_fit_returns_the_trained_vectors_without_training_again():
    rec = Recorder()
    model = Node2Vec(edges(), dimensions=8, walk_length=8, num_walks=3, workers=1, callbacks=[rec])
    before = model.wv.vectors.copy()
    kv = model.fit()
    assert kv is model.wv
    assert model.train_count == 1 and rec.events.count("train_begin") == 1
    np.testing.assert_array_equal(kv.vectors, before)
    assert sorted(kv.index_to_key) == list(range(30))  # keyed by the node ids
    assert model.model is model and model.dimensions == 8


def test_node2vec_fit_trains_an_untrained_model_once():
    model = Node2Vec(None, dimensions=8, walk_length=8, num_walks=3, workers=1)
    with pytest.raises(ValueError, match="no graph"):
        model.fit()
    model.build_vocab(edges())
    kv = model.fit()
    assert model.train_count == 1
    assert model.fit() is kv and model.train_count == 1
    reference = Node2Vec(edges(), dimensions=8, walk_length=8, num_walks=3, workers=1)
    np.testing.assert_array_equal(kv.vectors, reference.wv.vectors)


def test_node2vec_keys_are_the_original_node_ids():
    named = [(f"n{a:02d}", f"n{b:02d}") for a, b in edges().tolist()]
    model = Node2Vec(named, dimensions=8, walk_length=8, num_walks=3, workers=1)
    assert set(model.wv.index_to_key) == {f"n{i:02d}" for i in range(30)}
    by_int = Node2Vec(edges(), dimensions=8, walk_length=8, num_walks=3, workers=1)
    # the same graph under names sorting like the ints: the same training, row for row
    np.testing.assert_array_equal(model.wv.vectors, by_int.wv.vectors)
    assert [f"n{k:02d}" for k in by_int.wv.index_to_key] == model.wv.index_to_key


def test_walk_model_files_are_their_own_kind(tmp_path):
    model = DeepWalk(edges(), dimensions=8, walk_length=8, num_walks=3, workers=1)
    path = tmp_path / "deepwalk.fe"
    model.save(path)
    with pytest.raises(FormatError, match="DeepWalk"):
        Word2Vec.load(path)
    with pytest.raises(FormatError, match="DeepWalk"):
        Node2Vec.load(path)
    assert DeepWalk.load(path).walk_length == 8


def test_item2vec_is_a_word2vec_with_item_defaults(tmp_path):
    data = sessions()
    model = Item2Vec(data, vector_size=8, workers=1)
    assert isinstance(model, Word2Vec)
    assert model.window == max(len(s) for s in data)
    assert (model.sg, model.min_count, model.sample, model.shrink_windows) == (1, 1, 0.0, False)
    path = tmp_path / "items.fe"
    model.save(path)
    as_w2v = Word2Vec.load(path)  # an Item2Vec file is a Word2Vec file
    assert type(as_w2v) is Word2Vec
    np.testing.assert_array_equal(as_w2v.wv.vectors, model.wv.vectors)
    assert type(Item2Vec.load(path)) is Item2Vec
    with pytest.raises(TypeError, match="sessions"):
        Item2Vec("abc")


@pytest.mark.parametrize("family", ["Word2Vec", "FastText", "Doc2Vec"])
def test_a_model_whose_vocabulary_kept_no_word_saves_loads_and_rebuilds(family, tmp_path):
    import fastembed_core as fe

    cls = getattr(fe, family)
    sentences = [["a", "b", "c"], ["b", "c", "d"]]  # no word reaches the default min_count=5

    def docs(sents):
        if family != "Doc2Vec":
            return sents
        return [fe.TaggedDocument(s, [i]) for i, s in enumerate(sents)]

    model = cls()
    model.build_vocab(docs(sentences))
    assert len(model.wv) == 0
    model.save(tmp_path / "empty.model")
    loaded = cls.load(tmp_path / "empty.model")
    assert len(loaded.wv) == 0
    with pytest.raises(RuntimeError, match="vocabulary is empty"):
        loaded.train(docs(sentences), total_examples=2, epochs=1)
    loaded.build_vocab(docs(sentences * 5))  # a corpus where the words reach min_count
    loaded.train(docs(sentences * 5), total_examples=10, epochs=1)
    assert sorted(loaded.wv.index_to_key) == ["a", "b", "c", "d"]
