"""How an epoch's sentences are shared among worker threads (fastembed_core.models.workers)."""

import threading
import time

import numpy as np
import pytest

from fastembed_core import Word2Vec
from fastembed_core.models.workers import CHUNKS_PER_WORKER, split_by_words, train_sentences


class RecordingRun:
    """Stands in for a kernel run: records every train_range call and the thread making it;
    the thread named in ``slow`` takes ``delay`` seconds a call, the others none."""

    def __init__(self, words_per_sentence, slow=None, delay=0.0, stop_on_call=None):
        self.words = words_per_sentence
        self.calls = []
        self.slow, self.delay, self.stop_on_call = slow, delay, stop_on_call
        self.stop_requests = 0
        self._lock = threading.Lock()

    def train_range(self, first, end, seed):
        if threading.current_thread().name == self.slow:
            time.sleep(self.delay)
        with self._lock:
            self.calls.append((first, end, seed, threading.current_thread().name))
            stopped = len(self.calls) == self.stop_on_call
        words = int(self.words[first:end].sum())
        return (1 if stopped else 0), words, words // 2, float(end - first)

    def request_stop(self):
        self.stop_requests += 1


def offsets_of(words_per_sentence):
    return np.concatenate(([0], np.cumsum(words_per_sentence))).astype(np.int64)


def seed_of(piece):
    return 1000 + piece


@pytest.mark.parametrize("n_sentences", [0, 1, 3, 17, 500])
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_every_sentence_is_trained_once(n_sentences, workers):
    lengths = np.random.default_rng(n_sentences).integers(1, 40, n_sentences)
    run = RecordingRun(lengths)
    results = train_sentences(run, offsets_of(lengths), workers, seed_of)
    ranges = sorted((first, end) for first, end, _, _ in run.calls)
    covered = [s for first, end in ranges for s in range(first, end)]
    assert covered == list(range(n_sentences))
    assert len(results) == workers
    assert sum(r[1] for r in results) == lengths.sum()  # words summed over a worker's pieces
    assert sum(r[3] for r in results) == n_sentences
    assert not any(r[0] for r in results)


def test_one_worker_makes_one_call_seeded_as_piece_zero():
    lengths = np.full(50, 7)
    run = RecordingRun(lengths)
    train_sentences(run, offsets_of(lengths), 1, seed_of)
    assert [c[:3] for c in run.calls] == [(0, 50, seed_of(0))]


def test_pieces_have_about_equal_words_and_their_own_seeds():
    lengths = np.random.default_rng(1).integers(1, 30, 4000)
    run = RecordingRun(lengths)
    train_sentences(run, offsets_of(lengths), 2, seed_of)
    bounds = split_by_words(offsets_of(lengths), 2 * CHUNKS_PER_WORKER)
    by_first = {first: (end, seed) for first, end, seed, _ in run.calls}
    for piece in range(2 * CHUNKS_PER_WORKER):
        assert by_first[bounds[piece]] == (bounds[piece + 1], seed_of(piece))
    piece_words = [lengths[a:b].sum() for a, b in zip(bounds[:-1], bounds[1:])]
    # pieces are cut at sentence ends, so they differ by less than the longest sentence
    assert max(piece_words) - min(piece_words) < 2 * lengths.max()


def test_a_slow_worker_takes_fewer_pieces():
    """The point of the pieces: a worker whose core is slow does less of the epoch instead
    of keeping the other waiting at its end."""
    lengths = np.full(1600, 10)
    run = RecordingRun(lengths, slow="fastembed-worker-0", delay=0.05)
    train_sentences(run, offsets_of(lengths), 2, seed_of)
    per_thread = {}
    for _, _, _, name in run.calls:
        per_thread[name] = per_thread.get(name, 0) + 1
    # the fast worker's calls take no time, so it claims every piece the slow one is not on
    assert per_thread.get("fastembed-worker-0", 0) <= 2
    assert sum(per_thread.values()) == 2 * CHUNKS_PER_WORKER


def test_a_stopped_call_ends_the_claims_and_is_reported():
    lengths = np.full(400, 5)
    run = RecordingRun(lengths, stop_on_call=2)
    results = train_sentences(run, offsets_of(lengths), 2, seed_of)
    assert sum(r[0] for r in results) == 1
    # the worker whose call (the second) stopped claims no piece after it
    stopped_thread = run.calls[1][3]
    assert [c for c in run.calls[2:] if c[3] == stopped_thread] == []


def test_split_by_words_cuts_at_sentence_ends_and_covers_all():
    lengths = np.array([5, 1, 1, 30, 2, 2, 2, 9])
    bounds = split_by_words(offsets_of(lengths), 4)
    assert bounds[0] == 0 and bounds[-1] == len(lengths)
    assert np.all(np.diff(bounds) >= 0)
    assert len(bounds) == 5


def test_every_word_trained_once_an_epoch_with_several_workers():
    """End to end: the words a multi-worker epoch reports are the corpus's, as with one."""
    rng = np.random.default_rng(3)
    sentences = [[f"w{k}" for k in rng.integers(0, 60, rng.integers(3, 25))] for _ in range(900)]
    totals = []
    for workers in (1, 2):
        model = Word2Vec(vector_size=8, min_count=1, sample=0, workers=workers, seed=1, epochs=2)
        model.build_vocab(sentences)
        totals.append(model.train(sentences, total_examples=len(sentences), epochs=2))
    assert totals[0] == totals[1]
    assert totals[0][1] == 2 * sum(len(s) for s in sentences)
