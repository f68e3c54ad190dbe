"""What the command says besides its results: errors, notes, warnings and the library's log
records, each as one line ``fastembed-core: ...`` on stderr (through the progress display's
writer, so a live progress bar is not torn by them)."""

import contextlib
import logging
import traceback
import warnings

from ..errors import FastEmbedError
from ..models import progress as _progress

__all__ = [
    "PROG",
    "UsageError",
    "error",
    "note",
    "one_line",
    "describe_exception",
    "report_failure",
    "library_messages",
]

#: The command's name, at the start of every message line.
PROG = "fastembed-core"


class UsageError(Exception):
    """A mistake on the command line itself (exit status 2)."""


def error(message):
    """Writes ``fastembed-core: error: MESSAGE`` (on one line) to stderr.

    Parameters
    ----------
    message : object
        Its text; runs of whitespace, newlines included, become one space.
    """
    _progress.write(f"{PROG}: error: {one_line(message)}")


def note(message, quiet=False):
    """Writes ``fastembed-core: MESSAGE`` to stderr, unless ``quiet``.

    Parameters
    ----------
    message : str
    quiet : bool
        True with ``--quiet``: nothing is written.
    """
    if not quiet:
        _progress.write(f"{PROG}: {message}")


def one_line(text):
    """``text`` as a string on one line: every run of whitespace becomes one space.

    Parameters
    ----------
    text : object

    Returns
    -------
    str
    """
    return " ".join(str(text).split())


def describe_exception(exc):
    """One readable line for an exception raised by user input.

    Parameters
    ----------
    exc : BaseException

    Returns
    -------
    str
        ``FILE: reason`` for an OSError, ``not found: KEY`` for a bare KeyError, else the
        exception's text (its class name when it has none).
    """
    if isinstance(exc, OSError) and exc.strerror:
        name = exc.filename if exc.filename is not None else ""
        if exc.filename2 is not None:
            name = f"{name} -> {exc.filename2}"
        return f"{name}: {exc.strerror}" if name else exc.strerror
    if isinstance(exc, KeyError) and not isinstance(exc, FastEmbedError):
        return f"not found: {exc.args[0] if exc.args else exc}"
    text = str(exc)
    if not text:
        return type(exc).__name__
    return text


def report_failure(exc, with_traceback=False):
    """Says on stderr why the command stops on ``exc`` and gives its exit status; both command
    lines (the subcommands and word2vec.c's flags) end this way.

    Parameters
    ----------
    exc : BaseException
        A :class:`UsageError` (status 2), a ``KeyboardInterrupt`` (status 130, "interrupted")
        or an error in the input (status 1, :func:`describe_exception`).
    with_traceback : bool
        Also print the traceback of an error in the input; call this inside the ``except``
        block then.

    Returns
    -------
    int
        The exit status.
    """
    if isinstance(exc, UsageError):
        error(exc)
        return 2
    if isinstance(exc, KeyboardInterrupt):
        error("interrupted")
        return 130
    if with_traceback:
        traceback.print_exc()
    error(describe_exception(exc))
    return 1


def _warning_line(message, category, filename, lineno, file=None, line=None):
    _progress.write(f"{PROG}: warning: {one_line(message)}")


@contextlib.contextmanager
def library_messages(quiet=False, debug=False):
    """Library warnings and log records as one-line notes on stderr while the block runs.

    Parameters
    ----------
    quiet : bool
        Warnings are dropped, and log records below ERROR.
    debug : bool
        INFO records are shown too (else WARNING and above).

    Yields
    ------
    callable
        ``forward(record)``, the function that writes a log record; training passes it the
        records it captures itself.
    """

    def forward(record):
        if quiet and record.levelno < logging.ERROR:
            return
        level = record.levelname.lower()
        _progress.write(f"{PROG}: {level}: {one_line(record.getMessage())}")

    logger = logging.getLogger("fastembed_core")
    saved = (logger.level, logger.propagate, list(logger.handlers))

    class _Forward(logging.Handler):
        def emit(self, record):
            forward(record)

    logger.handlers = [_Forward()]
    logger.setLevel(logging.INFO if debug else logging.WARNING)
    logger.propagate = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore" if quiet else "default")
        warnings.showwarning = _warning_line
        try:
            yield forward
        finally:
            level, logger.propagate, logger.handlers = saved
            logger.setLevel(level)  # also clears logging's enabled-cache
