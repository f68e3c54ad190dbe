"""Faults during training: raising iterators and callbacks, Ctrl-C, concurrent mutation,
read-only weights. Each must return control promptly with the model consistent."""

import _thread
import threading
import time

import numpy as np
import pytest
from _corpora import planted_clusters

from fastembed_core import Word2Vec

pytestmark = pytest.mark.timeout(120)


class RaisingCorpus:
    """Re-iterable corpus whose iterator raises at sentence k (every pass)."""

    def __init__(self, sentences, k):
        self.sentences, self.k = sentences, k

    def __iter__(self):
        for i, s in enumerate(self.sentences):
            if i == self.k:
                raise RuntimeError(f"source broke at sentence {i}")
            yield s


def test_iterator_error_reaches_caller_with_traceback():
    corpus = RaisingCorpus(planted_clusters(1, n_sentences=200), k=150)
    with pytest.raises(RuntimeError, match="broke at sentence 150") as info:
        Word2Vec(corpus, vector_size=8, min_count=1)
    assert any("__iter__" in str(entry.name) for entry in info.traceback)


def test_iterator_error_during_train_keeps_model_usable():
    good = planted_clusters(1, n_sentences=300)
    model = Word2Vec(good, vector_size=8, min_count=1, epochs=1)
    before = model.wv.vectors.copy()
    with pytest.raises(RuntimeError, match="broke"):
        model.train(RaisingCorpus(good, k=100), total_examples=len(good), epochs=1)
    np.testing.assert_array_equal(model.wv.vectors, before)  # nothing trained on half input
    model.train(good, total_examples=len(good), epochs=1)  # and the model still trains
    assert not np.array_equal(model.wv.vectors, before)


class Boom(Exception):
    pass


class RaiseAtEpoch:
    def __init__(self, epoch):
        self.epoch, self.seen = epoch, 0

    def on_epoch_end(self, model):
        self.seen += 1
        if self.seen == self.epoch:
            raise Boom("callback failed")


def test_callback_error_reaches_caller_and_threads_are_joined():
    before = threading.active_count()
    with pytest.raises(Boom, match="callback failed"):
        Word2Vec(
            planted_clusters(2, n_sentences=500),
            vector_size=8,
            min_count=1,
            epochs=4,
            workers=2,
            callbacks=[RaiseAtEpoch(2)],
        )
    assert threading.active_count() == before


def _big_corpus():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(2000)]
    return [[words[j] for j in rng.integers(0, 2000, 50)] for _ in range(20000)]


def test_ctrl_c_stops_training_promptly_and_model_stays_usable():
    corpus = _big_corpus()
    model = Word2Vec(vector_size=64, min_count=1, sg=1, workers=2, epochs=1000)
    model.build_vocab(corpus)
    threads_before = threading.active_count()
    timer = threading.Timer(1.0, _thread.interrupt_main)
    timer.start()
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        model.train(corpus, total_examples=len(corpus), epochs=model.epochs)
    elapsed = time.perf_counter() - t0
    timer.join()
    # 1000 epochs would take minutes; stopping must come within a couple of seconds.
    assert elapsed < 10, elapsed
    # Every worker has returned from the kernel (train() waits for that); its Python thread
    # object may take a moment longer to leave threading's bookkeeping.
    deadline = time.monotonic() + 2
    while threading.active_count() > threads_before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == threads_before, threading.enumerate()
    assert np.isfinite(model.wv.vectors).all()
    assert len(model.wv.most_similar("w1", topn=3)) == 3
    model.train(corpus[:200], total_examples=200, epochs=1)  # still trainable: no stale stop flag


def test_mutating_while_training_is_refused():
    corpus = _big_corpus()
    model = Word2Vec(vector_size=32, min_count=1, sg=1, workers=1, epochs=30)
    model.build_vocab(corpus)
    errors = []
    trainer = threading.Thread(
        target=lambda: model.train(corpus, total_examples=len(corpus), epochs=30)
    )
    trainer.start()
    time.sleep(0.5)
    for action in (
        lambda: model.build_vocab(corpus, update=True),
        lambda: model.train(corpus, total_examples=len(corpus), epochs=1),
        lambda: model.save("/nonexistent/never-written"),
    ):
        try:
            action()
        except RuntimeError as exc:
            errors.append(str(exc))
    model.stop_training()
    trainer.join(timeout=30)
    assert not trainer.is_alive()
    assert len(errors) == 3 and all("while another operation" in e for e in errors), errors


def test_read_only_weights_are_refused_before_training(tmp_path):
    corpus = planted_clusters(3, n_sentences=200)
    model = Word2Vec(corpus, vector_size=8, min_count=1, epochs=1)
    model.save(tmp_path / "m.fe")
    mapped = Word2Vec.load(tmp_path / "m.fe", mmap="r")
    assert not mapped.wv.vectors.flags.writeable
    with pytest.raises(ValueError, match="read-only.*mmap"):
        mapped.train(corpus, total_examples=len(corpus), epochs=1)
    writable = Word2Vec.load(tmp_path / "m.fe", mmap="c")
    writable.train(corpus, total_examples=len(corpus), epochs=1)


@pytest.mark.parametrize("name", ["wv.vectors", "syn1neg", "syn1"])
def test_a3_a_callback_replacing_a_trained_array_is_an_error(name):
    """The run trains the arrays it was given: one a callback swapped in would stay
    untrained while the detached one learns, silently."""

    class Swap:
        def on_epoch_end(self, model):
            if name == "wv.vectors":
                model.wv.vectors = model.wv.vectors.copy()
            else:
                setattr(model, name, getattr(model, name).copy())

    sentences = [["a", "b", "c", "d", "e"]] * 200
    with pytest.raises(RuntimeError, match=f"replaced {name} after epoch 1.*in place"):
        Word2Vec(
            sentences,
            vector_size=8,
            min_count=1,
            epochs=3,
            hs=1,
            negative=5,
            workers=1,
            callbacks=[Swap()],
            seed=1,
        )


def test_a3_changing_weights_in_place_from_a_callback_is_fine():
    class Nudge:
        def on_epoch_end(self, model):
            model.wv.vectors[...] *= 0.5

    sentences = [["a", "b", "c", "d", "e"]] * 200
    model = Word2Vec(
        sentences, vector_size=8, min_count=1, epochs=3, workers=1, callbacks=[Nudge()], seed=1
    )
    assert np.isfinite(model.wv.vectors).all()
