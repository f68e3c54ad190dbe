"""The one place that runs kernel calls on worker threads.

Each worker is a Python thread calling a function that releases the GIL for its whole range
(no OpenMP: its runtimes clash inside wheels). The calling thread waits, polling so that
progress can be reported and Ctrl-C is seen; on any exception there (Ctrl-C included) it asks
the workers to stop and waits until every one has returned from the kernel, so nothing keeps
writing into shared arrays. A worker's exception is re-raised in the caller after the join.
"""

import itertools
import os
import threading
import time

import numpy as np

__all__ = ["CHUNKS_PER_WORKER", "run_workers", "split_by_words", "train_sentences"]

# Pieces of an epoch each worker claims in turn: a static half each left one core idle for
# 7-15 % of every epoch on two cores, waiting for the slower worker (bench/SCALING.md,
# "Load balance"); with 8 pieces a worker the wait is at most one piece.
CHUNKS_PER_WORKER = 8


def _wait_returned(thread, finished, patience=2.0):
    """Waits until a worker no longer runs kernel code.

    Two corners of Python's threading make a plain join() unreliable after an interruption:
    Ctrl-C can land inside Thread.start(), after the thread was launched but before it
    reported running (join then refuses for a moment), and a join interrupted by Ctrl-C can
    leave a running thread marked as stopped. So the worker's own `finished` event, set once
    its call has returned, is what is waited for. A thread that never launched is skipped."""
    if thread.ident is None and not finished.is_set():
        deadline = time.monotonic() + patience
        while thread.ident is None and time.monotonic() < deadline:
            time.sleep(0.001)
        if thread.ident is None:
            return
    finished.wait()
    try:
        thread.join()
    except RuntimeError:
        pass


def run_workers(n_workers, work, request_stop, poll=None, name="fastembed-worker"):
    """Runs ``work(k)`` for ``k in range(n_workers)``, each on its own thread, and returns
    their results in order. ``poll()`` is called about 20 times a second from the calling
    thread while they run. ``request_stop()`` must make every running ``work`` return soon;
    it is called when a worker fails and when the caller is interrupted."""
    results = [None] * n_workers
    errors = []
    finished = [threading.Event() for _ in range(n_workers)]

    def run(k):
        try:
            results[k] = work(k)
        except BaseException as exc:  # carried back to the caller after the join
            errors.append(exc)
            request_stop()
        finally:
            finished[k].set()

    threads = [
        threading.Thread(target=run, args=(k,), daemon=True, name=f"{name}-{k}")
        for k in range(n_workers)
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.05)
                if poll is not None:
                    poll()
    except BaseException:
        request_stop()
        for t, done in zip(threads, finished):
            _wait_returned(t, done)
        raise
    if errors:
        raise errors[0]
    return results


def available_cores():
    """Cores this process may run on (its CPU affinity where the OS tells it, else all)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def split_by_words(offsets, parts):
    """Sentence boundaries (``parts + 1`` of them) cutting the sentences of ``offsets`` into
    ``parts`` runs of about the same number of tokens."""
    n_sent = len(offsets) - 1
    targets = np.linspace(0, offsets[-1], parts + 1)
    cuts = np.searchsorted(offsets, targets[1:-1], side="left")
    bounds = np.concatenate(([0], np.clip(cuts, 0, n_sent), [n_sent]))
    return np.maximum.accumulate(bounds)


def train_sentences(run, offsets, n_workers, seed_of, poll=None):
    """Trains every sentence of ``offsets`` once with ``run.train_range`` on ``n_workers``
    threads; returns one (stopped, words, effective words, loss) per worker.

    With one worker the whole range is one call seeded ``seed_of(0)``. With more, the range
    is cut into ``CHUNKS_PER_WORKER`` pieces a worker, which the workers claim in order as
    they finish the last one, piece ``c`` seeded ``seed_of(c)``: a worker slowed by its core
    takes fewer pieces instead of holding the others at the end of the epoch. A worker stops
    claiming once its call reports a stop."""
    n_chunks = 1 if n_workers <= 1 else n_workers * CHUNKS_PER_WORKER
    bounds = split_by_words(offsets, n_chunks)
    claims = itertools.count()  # next() of a count is one step under the GIL: no piece twice

    def work(k):
        stopped = words = effective = 0
        loss = 0.0
        for c in claims:
            if c >= n_chunks:
                break
            status, w, e, lo = run.train_range(int(bounds[c]), int(bounds[c + 1]), seed_of(c))
            words += w
            effective += e
            loss += lo
            if status != 0:
                stopped = status
                break
        return stopped, words, effective, loss

    return run_workers(n_workers, work, run.request_stop, poll)
