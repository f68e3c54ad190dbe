"""``fastembed-core eval``: analogy accuracy and word-pair correlations of a vectors file, on
given files or on the bundled evaluation sets."""

import json
import os
import sys

from .evaluation import evaluate, print_evaluation
from .messages import error, library_messages
from .options import add_common_options, add_restrict_vocab_option, add_vectors_argument
from .vector_files import load_vectors

__all__ = ["add_parser", "cmd_eval"]


def add_parser(sub):
    """Adds the ``eval`` subcommand to ``sub``.

    Parameters
    ----------
    sub : object
        What ``argparse.ArgumentParser.add_subparsers`` returned.
    """
    p = sub.add_parser(
        "eval",
        help="evaluate on analogy questions and word-pair similarity",
        description="Analogy accuracy (questions-words format) and Spearman / "
        "Pearson correlation on word-pair files (word1 TAB word2 TAB "
        "score). With no file, the bundled questions-words, WordSim-353 and SimLex-999.",
    )
    add_vectors_argument(p, limit_flag="--limit")
    p.add_argument(
        "--analogies", metavar="FILE", help="analogy questions file, or 'questions-words' (bundled)"
    )
    p.add_argument(
        "--pairs",
        nargs="+",
        metavar="FILE",
        help="word-pair file(s), or 'wordsim353' / 'simlex999' (bundled)",
    )
    add_restrict_vocab_option(
        p, 30000, "analogies: use only the N most frequent words (default 30000)"
    )
    p.add_argument(
        "--case-sensitive",
        action="store_true",
        help="compare words as written (default: case-insensitive, like gensim)",
    )
    p.add_argument("--sections", action="store_true", help="analogy accuracy per section")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    add_common_options(p)
    p.set_defaults(func=cmd_eval)


def _resolve_eval_file(name):
    if os.path.exists(name):
        return name
    from ..datasets import EVALUATION_FILES, evaluation_file

    if name in EVALUATION_FILES or any(name == f for f, _ in EVALUATION_FILES.values()):
        return evaluation_file(name)
    raise FileNotFoundError(
        2,
        "No such file or directory (and not a known evaluation set: "
        + ", ".join(EVALUATION_FILES)
        + ")",
        name,
    )


def cmd_eval(args):
    """Runs ``fastembed-core eval``.

    Every set is evaluated on its own: one that cannot be (a missing file, no pair in the
    vocabulary) is reported with its reason and the others are still evaluated; when the
    set was named on the command line, the reason also goes to stderr and the exit status
    is 1.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit status.
    """
    kv = load_vectors(args.vectors, args.format, args.limit)
    auto = not args.analogies and not args.pairs
    analogies = "questions-words" if auto else args.analogies
    pairs = ["wordsim353", "simlex999"] if auto else list(args.pairs or ())
    with library_messages(quiet=args.quiet, debug=args.debug):
        result = evaluate(
            kv,
            analogies,
            pairs,
            restrict_vocab=args.restrict_vocab,
            case_insensitive=not args.case_sensitive,
            resolve=_resolve_eval_file,
        )
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print_evaluation(result, sections=args.sections)
    failed = [r for r in [result["analogies"], *result["pairs"]] if r and "error" in r]
    if auto:  # sets the user did not name: the report says which had no word to score
        return 0
    for entry in failed:
        error(entry["error"])
    return 1 if failed else 0
