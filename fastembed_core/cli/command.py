"""The ``fastembed-core`` command: ``main`` sends word2vec.c-style flags to
:mod:`.word2vec_c` and subcommands to their modules, and turns errors into one message line
and an exit status."""

import os
import sys

from ..errors import FastEmbedError
from . import convert, demo, evaluate, node2vec, plot, query, train, word2phrase
from .fasttext_cli import VERBS as FASTTEXT_VERBS
from .fasttext_cli import fasttext_main
from .messages import PROG, UsageError, report_failure
from .options import CliParser
from .word2vec_c import word2vec_main

__all__ = ["build_parser", "main"]


def build_parser():
    """The argparse parser of the subcommands.

    Returns
    -------
    argparse.ArgumentParser
        Each subcommand's parser sets ``func``, the function that runs it.
    """
    parser = CliParser(
        prog=PROG,
        description=(
            "Train word2vec embeddings fast on CPU, query and evaluate them, convert vector files, "
            "plot. Run with word2vec.c's flags (e.g. -train corpus.txt -output vec.bin) to use it "
            "as a drop-in word2vec binary."
        ),
        epilog=f"'{PROG} SUBCOMMAND --help' shows each subcommand's options; '{PROG} -help' "
        f"lists word2vec.c's flags. fastText's verbs: {PROG} skipgram|cbow -input F -output "
        f"PREFIX, print-word-vectors MODEL.bin, nn MODEL.bin ('{PROG} skipgram -h').",
    )
    from .. import __version__

    parser.add_argument("-V", "--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", parser_class=CliParser)
    # In this order in --help.
    train.add_parser(sub)
    query.add_similar_parser(sub)
    query.add_analogy_parser(sub)
    evaluate.add_parser(sub)
    convert.add_convert_parser(sub)
    demo.add_parser(sub)
    plot.add_parser(sub)
    node2vec.add_parser(sub)
    convert.add_export_projector_parser(sub)
    word2phrase.add_parser(sub)
    return parser


def main(argv=None):
    """Entry point of the ``fastembed-core`` console script.

    Errors in what the user typed or in the files given end the command with one line
    ``fastembed-core: error: ...`` on stderr, never a traceback (``--debug``, or ``-debug 3``
    in word2vec.c mode, adds it).

    Parameters
    ----------
    argv : list of str, optional
        The arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0, 1 (an error in the input), 2 (in the command line), 130 (Ctrl-C),
        141 (the reader of the output went away).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if (
        argv
        and argv[0].startswith("-")
        and not argv[0].startswith("--")
        and argv[0] not in ("-h", "-V")
    ):
        return _guard_pipe(lambda: word2vec_main(argv))
    if argv and argv[0] in FASTTEXT_VERBS:
        return _guard_pipe(lambda: fasttext_main(argv))
    return _guard_pipe(lambda: _subcommand_main(argv))


def _guard_pipe(fn):
    try:
        return fn()
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as a killed-by-SIGPIPE tool would.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141


def _subcommand_main(argv):
    parser = build_parser()
    debug = "--debug" in argv
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:
            # argparse leaves positional words that follow an option (`similar v.txt -n 3 dog`)
            # unparsed; they belong to the subcommand's word list.
            if hasattr(args, "words") and not any(e.startswith("-") and len(e) > 1 for e in extra):
                args.words = list(args.words or []) + extra
            else:
                parser.error(f"unrecognized arguments: {' '.join(extra)}")
        if args.command is None:
            parser.print_help(sys.stderr)
            return 2
        return args.func(args) or 0
    except (UsageError, KeyboardInterrupt) as exc:
        return report_failure(exc)
    except BrokenPipeError:
        raise
    except (
        FastEmbedError,
        OSError,
        ValueError,
        KeyError,
        MemoryError,
        UnicodeError,
        ImportError,
    ) as exc:
        return report_failure(exc, debug)
