"""Training with progress displays: counting the vocabulary, reading the corpus, the epochs.
Shared by ``train``, ``demo`` and word2vec.c's flag mode."""

import logging
import time

from ..models import progress as _progress

__all__ = ["build_vocabulary", "train_with_progress", "run_training"]


class _CliTraining(_progress.TrainingProgress):
    """Training progress that first closes the "reading corpus" display, which runs from the
    call of ``train()`` (the corpus is encoded there) until training begins."""

    def __init__(self, reading=None, **kw):
        super().__init__(**kw)
        self.reading = reading

    def finish_reading(self, ok=True):
        if self.reading is not None:
            reading, self.reading = self.reading, None
            reading.__exit__(None if ok else RuntimeError, None, None)

    def on_train_begin(self, model):
        self.finish_reading()
        super().on_train_begin(model)


def build_vocabulary(model, paths, freq=None, progress_mode="auto"):
    """Builds ``model``'s vocabulary by counting ``paths`` (with a progress display), or from
    a ``{word: count}`` mapping.

    Parameters
    ----------
    model : Word2Vec
    paths : list of str
        Corpus files.
    freq : dict, optional
        ``{word: count}`` (e.g. from a ``-read-vocab`` file): used instead of counting.
    progress_mode : {"auto", "bar", "lines", "off"}
    """
    if freq is None:
        with _progress.track_file_reading(paths, "counting words", mode=progress_mode):
            model.build_vocab(corpus_file=paths)
    else:
        model.build_vocab_from_freq(freq)


def train_with_progress(
    model, paths, progress_mode="auto", forward=None, epochs=None, level=logging.WARNING
):
    """Trains ``model`` on ``paths`` with progress displays for reading the corpus and for
    the epochs.

    Parameters
    ----------
    model : Word2Vec
        Its vocabulary built.
    paths : list of str
        Corpus files.
    progress_mode : {"auto", "bar", "lines", "off"}
    forward : callable, optional
        Receives the library's log records at ``level`` or above (see
        :func:`fastembed_core.cli.messages.library_messages`).
    epochs : int, optional
        Default: the model's.
    level : int
        Logging level of the records forwarded.

    Returns
    -------
    float
        The seconds taken.
    """
    reading = _progress.track_file_reading(paths, "reading corpus", mode=progress_mode)
    reading.__enter__()
    tracker = _CliTraining(reading=reading, mode=progress_mode, epochs=epochs)
    t0 = time.perf_counter()
    ok = False
    try:
        with _progress.capture_training_log(tracker, forward=forward, level=level):
            model.train(
                corpus_file=paths,
                total_words=model.corpus_total_words,
                epochs=model.epochs if epochs is None else epochs,
                callbacks=[tracker],
                report_delay=0.25,
            )
        ok = True
    finally:
        tracker.finish_reading(ok)
        if not ok:
            tracker.abort()
        elif tracker.progress is not None:
            tracker.progress.close()
    return time.perf_counter() - t0


def run_training(
    model, paths, freq=None, progress_mode="auto", forward=None, epochs=None, level=logging.WARNING
):
    """:func:`build_vocabulary` then :func:`train_with_progress`.

    Parameters
    ----------
    model, paths, freq, progress_mode
        As :func:`build_vocabulary`.
    forward, epochs, level
        As :func:`train_with_progress`.

    Returns
    -------
    float
        The seconds of training.
    """
    build_vocabulary(model, paths, freq, progress_mode)
    return train_with_progress(model, paths, progress_mode, forward, epochs, level)
