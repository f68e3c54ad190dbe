"""The one place that runs kernel calls on worker threads.

Each worker is a Python thread calling a function that releases the GIL for its whole range
(no OpenMP: its runtimes clash inside wheels). The calling thread waits, polling so that
progress can be reported and Ctrl-C is seen; on any exception there (Ctrl-C included) it asks
the workers to stop and waits until every one has returned from the kernel, so nothing keeps
writing into shared arrays. A worker's exception is re-raised in the caller after the join.
"""

import os
import threading
import time

__all__ = ["run_workers"]


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
