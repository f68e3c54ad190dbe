"""Progress reporting for long work: vocabulary scans, corpus encoding, training epochs.

Three renderings, chosen by ``mode``:

``"bar"``
    A live bar with percent, rate and ETA — tqdm's when tqdm is installed
    (``pip install fastembed_core[progress]``), else a small built-in one. Meant for a terminal.
``"lines"``
    A plain line every ``interval`` seconds (and one at the end), for logs and pipes where a
    bar's carriage returns would be noise.
``"off"``
    Nothing.

``"auto"`` (the default) picks ``"bar"`` when the stream is a terminal, ``"lines"`` otherwise.

Training progress is reported through a gensim-style callback, :class:`TrainingProgress`::

    from fastembed_core import Word2Vec
    from fastembed_core.progress import TrainingProgress

    model = Word2Vec(corpus_file="corpus.txt", callbacks=[TrainingProgress()])

The callback follows each epoch with the ``on_progress`` hook when the trainer provides it
(several updates per second), else moves once per epoch. Reading a corpus file
(:func:`track_file_reading`) is followed through the bytes the process has read, taken from
``/proc/self/io`` on Linux; elsewhere only the elapsed time is shown.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
from collections.abc import Sequence
from types import TracebackType
from typing import IO, Any, Callable, Literal

from ..validation import check_float, check_int

__all__ = [
    "Progress",
    "TrainingProgress",
    "track_file_reading",
    "capture_training_log",
    "write",
    "format_count",
    "format_duration",
    "tqdm_available",
    "MODES",
]

_MODES = ("auto", "bar", "lines", "off")
#: Progress display modes: "auto" (a bar on a terminal, else plain lines), "bar", "lines", "off".
MODES = _MODES
_active: list[Progress] = []  # progress objects currently drawing a bar (for write())
_active_lock = threading.Lock()


def tqdm_available() -> bool:
    """True when tqdm can be imported."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def format_count(n: float, unit: str = "") -> str:
    """``1234567`` -> ``"1.23M"``: a count with an SI suffix (``unit="B"`` for bytes)."""
    n = float(n)
    if abs(n) < 1000:
        return f"{n:.0f}{unit}"
    for suffix in ("k", "M", "G", "T", "P"):
        n /= 1000.0
        if abs(n) < 999.5 or suffix == "P":
            digits = 2 if abs(n) < 10 else 1 if abs(n) < 100 else 0
            return f"{n:.{digits}f}{suffix}{unit}"
    return f"{n:.0f}{unit}"  # pragma: no cover


def format_duration(seconds: float | None) -> str:
    """``75.2`` -> ``"1:15"``, ``3725`` -> ``"1:02:05"``; ``None`` -> ``"?"``."""
    if seconds is None or seconds != seconds or seconds == float("inf"):
        return "?"
    seconds = int(round(max(seconds, 0)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def write(message: str, stream: IO[str] | None = None) -> None:
    """Writes one line to ``stream`` (default stderr) without tearing an active bar."""
    stream = sys.stderr if stream is None else stream
    with _active_lock:
        bars = [p for p in _active if p.stream is stream]
    for p in bars:
        p._clear()
    try:
        stream.write(message.rstrip("\n") + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass
    for p in bars:
        p._redraw()


class Progress:
    """Progress of one piece of work with a known (or unknown) total.

    Parameters
    ----------
    total : int or float, optional
        Units of work in all; ``None`` when unknown (only the count, rate and elapsed time
        are shown then).
    desc : str
        What is being done, shown first on the line.
    unit : str
        Name of a unit of work (``"words"``, ``"B"`` for bytes — shown with SI suffixes).
    mode : {"auto", "bar", "lines", "off"}
        See the module documentation.
    stream : file object, optional
        Where to write (default: ``sys.stderr``).
    interval : float, optional
        Seconds between two plain lines in ``"lines"`` mode (default 10); bars redraw at most
        10 times a second.
    use_tqdm : bool, optional
        In ``"bar"`` mode, use tqdm if installed (default) or always the built-in bar.

    Examples
    --------
    >>> with Progress(total=1000, desc="work", mode="off") as p:
    ...     for i in range(0, 1001, 100):
    ...         p.update_to(i)
    """

    def __init__(
        self,
        total: float | None = None,
        desc: str = "",
        unit: str = "words",
        mode: str | None = "auto",
        stream: IO[str] | None = None,
        interval: float | None = None,
        use_tqdm: bool | None = None,
    ) -> None:
        if mode is None:
            mode = "off"
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {', '.join(_MODES)}; got {mode!r}")
        self.stream = sys.stderr if stream is None else stream
        if mode == "auto":
            mode = "bar" if _isatty(self.stream) else "lines"
        self.mode = mode
        self.total = total
        self.desc = desc
        self.unit = unit
        self.interval = 10.0 if interval is None else check_float("interval", interval, 0.0)
        self.done: float = 0
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._last_line = self.start
        self._width = 0
        self._closed = False
        self._tqdm: Any = None
        if mode == "bar" and (use_tqdm is None or use_tqdm) and tqdm_available():
            from tqdm.auto import tqdm

            self._tqdm = tqdm(
                total=total,
                desc=desc,
                unit="" if unit == "B" else f" {unit}",
                unit_scale=True,
                file=self.stream,
                dynamic_ncols=True,
                leave=True,
                mininterval=0.1,
                smoothing=0.1,
            )
        if mode == "bar":
            with _active_lock:
                _active.append(self)

    # ---- public -------------------------------------------------------------------------

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self.close()
        return False

    @property
    def elapsed(self) -> float:
        """Seconds since the object was created."""
        return time.perf_counter() - self.start

    @property
    def rate(self) -> float:
        """Average units per second so far (0 before any progress)."""
        e = self.elapsed
        return self.done / e if e > 0 else 0.0

    def eta(self) -> float | None:
        """Estimated seconds left, or ``None`` if unknown."""
        if not self.total or self.done <= 0:
            return None
        return max(self.total - self.done, 0) / max(self.rate, 1e-12)

    def set_description(self, desc: str) -> None:
        """Changes the text shown before the bar."""
        self.desc = desc
        if self._tqdm is not None:
            self._tqdm.set_description(desc, refresh=False)

    def update_to(self, done: float, desc: str | None = None) -> None:
        """Sets the amount of work done (never goes backwards) and redraws if due."""
        if self._closed:
            return
        if desc is not None:
            self.set_description(desc)
        if self.total:
            done = min(done, self.total)
        if done < self.done:
            return
        if self._tqdm is not None:
            self._tqdm.update(done - self.done)
            self.done = done
            return
        self.done = done
        now = time.perf_counter()
        if self.mode == "bar" and now - self._last_draw >= 0.1:
            self._last_draw = now
            self._draw(self._bar_text())
        elif self.mode == "lines" and now - self._last_line >= self.interval:
            self._last_line = now
            self._line(self._status_text())

    def update(self, n: float = 1) -> None:
        """Adds ``n`` units of work done."""
        self.update_to(self.done + n)

    def close(self, message: str | None = None, silent: bool = False) -> None:
        """Finishes the display; ``message`` (e.g. a summary) replaces the final status.
        ``silent`` skips the final plain line (``"lines"`` mode)."""
        if self._closed:
            return
        self._closed = True
        if silent and self.mode == "lines":
            message = None
            self.mode = "off"
        if self._tqdm is not None:
            self._tqdm.close()
            if message:
                self._line(message)
        elif self.mode == "bar":
            self._draw(self._bar_text())
            self._raw("\n")
            if message:
                self._line(message)
        elif self.mode == "lines":
            self._line(message or self._status_text(final=True))
        with _active_lock:
            if self in _active:
                _active.remove(self)

    # ---- rendering ----------------------------------------------------------------------

    def _amount(self, n: float) -> str:
        if self.unit == "B":
            return format_count(n, "B")
        return format_count(n)

    def _status_text(self, final: bool = False) -> str:
        head = f"{self.desc}: " if self.desc else ""
        rate = f"{self._amount(self.rate)}{'' if self.unit == 'B' else ' ' + self.unit}/s"
        if final:
            what = self._amount(self.done) + ("" if self.unit == "B" else f" {self.unit}")
            return f"{head}done, {what} in {format_duration(self.elapsed)} ({rate})"
        if self.total:
            pct = 100.0 * self.done / self.total
            return (
                f"{head}{pct:5.1f}% ({self._amount(self.done)}/{self._amount(self.total)}), "
                f"{rate}, ETA {format_duration(self.eta())}"
            )
        return f"{head}{self._amount(self.done)}, {rate}, elapsed {format_duration(self.elapsed)}"

    def _columns(self) -> int:
        try:
            return max(os.get_terminal_size(self.stream.fileno()).columns, 40)
        except (AttributeError, ValueError, OSError):
            return 80

    def _bar_text(self) -> str:
        head = f"{self.desc}: " if self.desc else ""
        rate = f"{self._amount(self.rate)}{'' if self.unit == 'B' else ' ' + self.unit}/s"
        if self.total:
            frac = min(self.done / self.total, 1.0)
            amounts = f"{self._amount(self.done)}/{self._amount(self.total)}"
            tail = (
                f" {100 * frac:5.1f}% {amounts:>15} {rate:>14} ETA {format_duration(self.eta()):>5}"
            )
            room = self._columns() - 1 - len(head) - len(tail) - 2
            if room >= 10:
                filled = int(round(frac * room))
                return f"{head}|{'#' * filled}{'-' * (room - filled)}|{tail}"
            return head + tail.lstrip()
        return f"{head}{self._amount(self.done)} {rate} elapsed {format_duration(self.elapsed)}"

    def _raw(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def _draw(self, text: str) -> None:
        pad = max(self._width - len(text), 0)
        self._width = len(text)
        self._raw("\r" + text + " " * pad)

    def _line(self, text: str) -> None:
        self._raw(text + "\n")

    def _clear(self) -> None:
        if self._tqdm is not None:
            self._tqdm.clear()
        elif self.mode == "bar" and self._width and not self._closed:
            self._raw("\r" + " " * self._width + "\r")

    def _redraw(self) -> None:
        if self._tqdm is not None:
            self._tqdm.refresh()
        elif self.mode == "bar" and self._width and not self._closed:
            self._draw(self._bar_text())


# ---- reading files --------------------------------------------------------------------------


def _bytes_read() -> int | None:
    """Bytes this process has read so far (``rchar`` of /proc/self/io), or None."""
    try:
        with open("/proc/self/io", "rb") as f:
            for line in f:
                if line.startswith(b"rchar:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


class track_file_reading:
    """Context manager showing progress while the process reads ``paths`` once.

    The code inside the ``with`` block must release the GIL while it reads (the C corpus
    reader does). Progress is the number of bytes the process has read since the block
    started, over the files' total size; where that number is not available (not Linux),
    the elapsed time is shown instead.

    Parameters
    ----------
    paths : str or list of str
    desc : str
    mode, stream, interval :
        As for :class:`Progress`.

    Examples
    --------
    >>> with track_file_reading("corpus.txt", "counting words"):   # doctest: +SKIP
    ...     model.build_vocab(corpus_file="corpus.txt")
    """

    def __init__(
        self,
        paths: str | bytes | os.PathLike[Any] | Sequence[str | bytes | os.PathLike[Any]],
        desc: str = "reading",
        mode: str | None = "auto",
        stream: IO[str] | None = None,
        interval: float | None = None,
    ) -> None:
        if isinstance(paths, (str, bytes, os.PathLike)):
            paths = [paths]
        total = 0
        for p in paths:
            try:
                total += os.path.getsize(p)
            except OSError:
                pass
        self.total = total or None
        self.desc = desc
        self.mode, self.stream, self.interval = mode, stream, interval
        # set by __enter__; the reading thread and __exit__ run only after it
        self.progress: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._base: int | None = None

    def __enter__(self) -> Progress:
        self._base = _bytes_read()
        known = self._base is not None and self.total
        self.progress = Progress(
            self.total if known else None,
            self.desc,
            unit="B",
            mode=self.mode,
            stream=self.stream,
            interval=self.interval,
        )
        if self.progress.mode != "off":
            self._thread = threading.Thread(
                target=self._watch, daemon=True, name="fastembed-progress"
            )
            self._thread.start()
        return self.progress

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            now = _bytes_read()
            if self._base is not None and now is not None and self.total:
                self.progress.update_to(now - self._base)
            else:
                self.progress.update_to(0)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if exc_type is None and self.total:
            self.progress.update_to(self.total)
        if exc_type is None:
            # A plain "done" line is worth printing only for a read that took a while.
            self.progress.close(silent=self.progress.elapsed < 1.0)
        else:
            self.progress.close(f"{self.desc}: stopped")
        return False


# ---- training -------------------------------------------------------------------------------


class TrainingProgress:
    """A gensim-style callback that shows training progress over all epochs.

    Pass it in ``callbacks=[...]`` of :class:`~fastembed_core.Word2Vec` (or of ``train()``).
    One bar (or one series of plain lines) covers the whole run: percent of all epochs,
    words/s and ETA, with the current epoch in the description.

    Parameters
    ----------
    mode : {"auto", "bar", "lines", "off"}
        See the module documentation.
    stream : file object, optional
        Default ``sys.stderr``.
    epochs : int, optional
        Epochs of the run, when ``train(epochs=...)`` differs from ``model.epochs``.
    interval : float, optional
        Seconds between plain lines (``"lines"`` mode).
    desc : str
        Description prefix (default ``"training"``).

    Notes
    -----
    Within an epoch, the callback moves on the trainer's ``on_progress(model, epoch, epochs,
    words_done, epoch_words)`` calls. A trainer without that hook still calls
    ``on_epoch_end``, and the display then moves one epoch at a time. The word count is the
    number of in-vocabulary tokens (before subsampling), as in the trainer's log.
    """

    def __init__(
        self,
        mode: str | None = "auto",
        stream: IO[str] | None = None,
        epochs: int | None = None,
        interval: float | None = None,
        desc: str = "training",
    ) -> None:
        if mode is not None and mode not in _MODES:
            raise ValueError(f"mode must be one of {', '.join(_MODES)}; got {mode!r}")
        self.mode = mode
        self.stream = stream
        self.epochs = check_int("epochs", epochs, 1, allow_none=True)
        self.interval = None if interval is None else check_float("interval", interval, 0.0)
        self.desc = desc
        self.progress: Progress | None = None
        self.epoch = 0
        self.epoch_words: int | None = None
        self.seconds: float | None = None
        self.words: float = 0

    # gensim's callbacks are compared by identity and printed; keep that cheap
    def __repr__(self) -> str:
        return f"TrainingProgress(mode={self.mode!r})"

    def _label(self) -> str:
        return f"{self.desc} epoch {min(self.epoch + 1, self._epochs)}/{self._epochs}"

    def on_train_begin(self, model: Any) -> None:
        self._epochs = int(self.epochs or getattr(model, "epochs", 1) or 1)
        counts = getattr(getattr(model, "wv", None), "expandos", {}).get("count")
        self.epoch_words = int(counts.sum()) if counts is not None and len(counts) else None
        total = self.epoch_words * self._epochs if self.epoch_words else None
        self.epoch = 0
        self.words = 0
        self.progress = Progress(
            total, "", unit="words", mode=self.mode, stream=self.stream, interval=self.interval
        )
        self.progress.set_description(self._label())

    def on_epoch_begin(self, model: Any) -> None:
        if self.progress is not None:
            self.progress.set_description(self._label())

    def on_progress(
        self, model: Any, epoch: int, epochs: int, words_done: int, epoch_words: int | None
    ) -> None:
        """Within-epoch update: ``words_done`` of ``epoch_words`` in epoch ``epoch`` (0-based)
        of ``epochs``."""
        if self.progress is None:
            return
        if epoch_words and epoch_words != self.epoch_words:
            self.epoch_words = int(epoch_words)
            self._epochs = int(epochs)
            self.progress.total = self.epoch_words * self._epochs
        self.epoch = int(epoch)
        if self.epoch_words:
            self.progress.update_to(
                epoch * self.epoch_words + min(words_done, self.epoch_words), desc=self._label()
            )

    def on_fraction(self, epoch: int, fraction: float) -> None:
        """Within-epoch update as a fraction (0..1) of epoch ``epoch`` (0-based)."""
        if self.progress is None or not self.epoch_words:
            return
        self.epoch = int(epoch)
        self.progress.update_to(
            int((epoch + min(max(fraction, 0.0), 1.0)) * self.epoch_words), desc=self._label()
        )

    def on_epoch_end(self, model: Any) -> None:
        if self.progress is None:
            return
        if self.epoch_words:
            self.progress.update_to((self.epoch + 1) * self.epoch_words)
        self.epoch += 1
        if self.epoch < self._epochs:
            self.progress.set_description(self._label())

    def abort(self) -> None:
        """Closes the display after a failed or interrupted run, saying where it stopped."""
        if self.progress is None:
            return
        p = self.progress
        where = f" at {100.0 * p.done / p.total:.1f}%" if p.total else ""
        p.close(
            f"{self.desc}: stopped{where} (epoch {min(self.epoch + 1, self._epochs)} of "
            f"{self._epochs})"
        )
        self.progress = None

    def on_train_end(self, model: Any) -> None:
        if self.progress is None:
            return
        self.seconds = self.progress.elapsed
        self.words = self.progress.done
        rate = getattr(model, "words_per_second", 0.0) or self.progress.rate
        self.progress.set_description(f"{self.desc}")
        self.progress.close(
            None
            if self.progress.mode != "lines"
            else f"{self.desc}: {self._epochs} epoch(s) in "
            f"{format_duration(self.seconds)}, {format_count(rate)} "
            f"effective words/s"
        )
        self.progress = None


_PROGRESS_MSG = re.compile(r"EPOCH %d - PROGRESS")


class _TrainingLogHandler(logging.Handler):
    """Feeds the trainer's periodic "EPOCH k - PROGRESS: at x% words" log records to a
    :class:`TrainingProgress`, and passes the other records to ``forward``."""

    def __init__(
        self,
        tracker: TrainingProgress,
        forward: Callable[[logging.LogRecord], object] | None = None,
    ) -> None:
        super().__init__(logging.DEBUG)
        self.tracker = tracker
        self.forward = forward

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if (
                isinstance(record.msg, str)
                and _PROGRESS_MSG.match(record.msg)
                and isinstance(record.args, tuple)
                and len(record.args) >= 2
            ):
                epoch, pct = record.args[0], record.args[1]
                # the trainer's own record: its args are numbers (any failure is caught below)
                self.tracker.on_fraction(int(epoch) - 1, float(pct) / 100.0)  # type: ignore[call-overload, arg-type]
                return
            if self.forward is not None:
                self.forward(record)
        except Exception:  # a display problem must never break training
            self.handleError(record)


class capture_training_log:
    """Context manager routing the ``fastembed_core`` logger through a progress tracker.

    The trainer logs "EPOCH k - PROGRESS: at x% words" every ``report_delay`` seconds; while
    the block runs, those records move ``tracker`` (a :class:`TrainingProgress`), and every
    other record at ``level`` or above goes to ``forward(record)`` (dropped if ``None``).
    The logger's level, handlers and propagation are restored on exit. Meant for programs
    that own the process's logging (the command line); a library should use the callback
    alone.
    """

    def __init__(
        self,
        tracker: TrainingProgress,
        forward: Callable[[logging.LogRecord], object] | None = None,
        level: int = logging.INFO,
        logger_name: str = "fastembed_core",
    ) -> None:
        self.tracker, self.forward, self.level = tracker, forward, level
        self.logger = logging.getLogger(logger_name)
        self._saved: Any = None  # the logger's settings, from __enter__ to __exit__

    def __enter__(self) -> capture_training_log:
        lg = self.logger
        self._saved = (lg.level, lg.propagate, list(lg.handlers), lg.disabled)
        handler = _TrainingLogHandler(self.tracker, self._forward)
        lg.handlers = [handler]
        lg.setLevel(logging.INFO)
        lg.propagate = False
        # logging.config.dictConfig/fileConfig (called by any library) disables the loggers
        # that exist at that moment; the progress records must flow all the same.
        lg.disabled = False
        return self

    def _forward(self, record: logging.LogRecord) -> None:
        if self.forward is not None and record.levelno >= self.level:
            self.forward(record)

    def __exit__(self, *exc: object) -> Literal[False]:
        lg = self.logger
        level, lg.propagate, lg.handlers, lg.disabled = self._saved
        lg.setLevel(level)  # setLevel, not .level =: it also clears the enabled-cache
        return False
