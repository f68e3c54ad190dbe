"""What the subcommands' parsers share: the parser class (a syntax error is a
:class:`~fastembed_core.cli.messages.UsageError`), the integer argument types, the options
every subcommand takes (``--quiet``, ``--debug``, ``--progress``), the vectors-file argument,
and the early check that an output file can be written."""

import argparse
import errno
import os

from ..models import progress as _progress
from ..validation import check_int
from .messages import UsageError
from .vector_files import VECTOR_FORMATS

__all__ = [
    "CliParser",
    "positive_int",
    "nonneg_int",
    "add_common_options",
    "add_vectors_argument",
    "add_format_option",
    "add_restrict_vocab_option",
    "add_workers_option",
    "progress_mode_of",
    "check_output_path",
]


class CliParser(argparse.ArgumentParser):
    """An argparse parser whose syntax errors raise :class:`UsageError` (one error line and
    exit status 2 from ``main``) instead of printing the usage and exiting."""

    def error(self, message):
        raise UsageError(f"{message} (see {self.prog} --help)")


def _int_type(low, name):
    """An argparse type accepting an integer >= ``low``; ``name`` is its ``__name__`` (argparse
    shows it in some messages) and its docstring says the bound."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        try:
            return check_int("value", value, low)
        except ValueError:
            # argparse puts the option's name in front; the message says what it expects.
            raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {value}") from None

    parse.__name__ = parse.__qualname__ = name
    parse.__doc__ = f"""argparse type: an integer >= {low}.

    Parameters
    ----------
    text : str

    Returns
    -------
    int

    Raises
    ------
    argparse.ArgumentTypeError
        For anything else.
    """
    return parse


positive_int = _int_type(1, "positive_int")
nonneg_int = _int_type(0, "nonneg_int")


def add_common_options(p, progress=False):
    """Adds ``-q/--quiet`` and ``--debug`` to the subcommand parser ``p``.

    Parameters
    ----------
    p : argparse.ArgumentParser
    progress : bool
        Also add ``--progress`` (for subcommands that train).
    """
    p.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing but results and errors"
    )
    p.add_argument(
        "--debug", action="store_true", help="show library log messages, and tracebacks on errors"
    )
    if progress:
        p.add_argument(
            "--progress",
            choices=_progress.MODES,
            default="auto",
            help="progress display on stderr: a bar (terminal), plain lines, or "
            "off (default: auto)",
        )


def add_vectors_argument(p, name="vectors", limit_flag=None):
    """Adds the vectors file to read and its ``--format`` to the subcommand parser ``p``.

    Parameters
    ----------
    p : argparse.ArgumentParser
    name : str
        Name of the positional argument.
    limit_flag : str, optional
        Also add this option: load only the first N vectors.
    """
    p.add_argument(
        name,
        help="vectors file: word2vec text or binary, GloVe, fastText .vec, "
        "or a native .fe file (the format is detected)",
    )
    add_format_option(p, "format of the vectors file (default: detect)")
    if limit_flag:
        p.add_argument(
            limit_flag, type=positive_int, default=None, help="load only the first N vectors"
        )


def add_format_option(p, help, flag="--format", dest=None):
    """Adds an option choosing a vector file format, ``"auto"`` (the default) or one of
    :data:`~fastembed_core.cli.vector_files.VECTOR_FORMATS`, to the subcommand parser ``p``.

    Parameters
    ----------
    p : argparse.ArgumentParser
    help : str
        The option's help text (what ``auto`` means differs between reading and writing).
    flag : str
        The option's name.
    dest : str, optional
        Attribute of the parsed arguments (default: derived from ``flag``).
    """
    p.add_argument(flag, dest=dest, choices=("auto",) + VECTOR_FORMATS, default="auto", help=help)


def add_restrict_vocab_option(p, default=None, help="search only the N most frequent words"):
    """Adds ``--restrict-vocab N`` (a positive integer) to the subcommand parser ``p``.

    Parameters
    ----------
    p : argparse.ArgumentParser
    default : int, optional
        Its value when absent (None: the whole vocabulary).
    help : str
        Its help text.
    """
    p.add_argument("--restrict-vocab", type=positive_int, default=default, help=help)


def add_workers_option(p, *aliases):
    """Adds ``--workers N`` (default: all available cores) to the subcommand parser ``p``.

    Parameters
    ----------
    p : argparse.ArgumentParser
    *aliases : str
        Other names of the option (word2vec.c's ``--threads``).
    """
    p.add_argument(
        "--workers",
        *aliases,
        type=positive_int,
        default=None,
        help="worker threads (default: all available cores)",
    )


def progress_mode_of(args):
    """The progress display mode asked for by the parsed ``args``.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    str
        ``"off"`` with ``--quiet``, else ``--progress`` (``"auto"`` when absent).
    """
    return "off" if getattr(args, "quiet", False) else getattr(args, "progress", "auto")


def check_output_path(path, what="output"):
    """Fails early, before any long work, when the file ``path`` cannot be created.

    Parameters
    ----------
    path : str or os.PathLike or None
        Nothing is checked when empty or None.
    what : str
        How the messages name the file (e.g. ``"--output"``).

    Raises
    ------
    FileNotFoundError
        Its folder is missing.
    IsADirectoryError
        ``path`` is a folder.
    PermissionError
        Its folder cannot be written.
    """
    if not path:
        return
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(2, f"No such directory for the {what} file", path)
    if os.path.isdir(path):
        raise IsADirectoryError(21, f"Is a directory (expected the {what} file name)", path)
    if _read_only_filesystem(folder):
        raise OSError(errno.EROFS, f"Cannot write the {what} file: read-only file system", path)
    if not os.access(folder, os.W_OK):
        raise PermissionError(13, f"Cannot write the {what} file: permission denied", path)


def _read_only_filesystem(folder):
    """Whether ``folder`` lies on a file system mounted read-only (root may write anywhere
    else, so os.access alone would call this 'permission denied' or nothing at all)."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (AttributeError, OSError):
        return False


def check_input_file(path, what):
    """Fails early when ``path`` cannot be read as an input file, naming what it is instead.

    Regular files, named pipes and devices are accepted (``/dev/stdin``, ``<(zcat ...)``); the
    reader then says what is wrong with their content (``/dev/null`` holds no sentences).

    Parameters
    ----------
    path : str
    what : str
        How the messages name the file (e.g. ``"corpus"``, ``"-train"``).

    Raises
    ------
    FileNotFoundError
        Nothing exists at ``path``.
    IsADirectoryError
        ``path`` is a folder.
    """
    if os.path.isdir(path):
        raise IsADirectoryError(21, f"Is a directory (expected a {what} file)", path)
    if not os.path.exists(path):
        raise FileNotFoundError(2, f"No such file or directory ({what})", path)
