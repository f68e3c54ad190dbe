"""``fastembed-core similar`` and ``analogy``: answers for the words on the command line, or,
with none, an interactive prompt reading queries from stdin (like word2vec.c's ``distance``
and ``word-analogy`` tools)."""

import sys

from ..errors import OOVError
from .messages import describe_exception, error
from .options import (
    add_common_options,
    add_restrict_vocab_option,
    add_vectors_argument,
    positive_int,
)
from .vector_files import load_vectors

__all__ = ["add_similar_parser", "add_analogy_parser", "cmd_similar", "cmd_analogy"]


def add_similar_parser(sub):
    """Adds the ``similar`` subcommand to ``sub``.

    Parameters
    ----------
    sub : object
        What ``argparse.ArgumentParser.add_subparsers`` returned.
    """
    p = sub.add_parser(
        "similar",
        help="nearest neighbours of words",
        description="Print the nearest neighbours (cosine) of a word, or of the "
        "sum of several words. With no word, read queries from "
        "stdin, one per line, until EOF or EXIT (like word2vec.c's "
        "distance tool).",
    )
    add_vectors_argument(p, limit_flag="--limit")
    p.add_argument("words", nargs="*", help="query word(s); none for an interactive prompt")
    p.add_argument("--negative", nargs="+", metavar="WORD", help="words to subtract")
    p.add_argument("-n", "--topn", type=positive_int, default=10, help="results (default 10)")
    add_restrict_vocab_option(p)
    add_common_options(p)
    p.set_defaults(func=cmd_similar)


def add_analogy_parser(sub):
    """Adds the ``analogy`` subcommand to ``sub``.

    Parameters
    ----------
    sub : object
        What ``argparse.ArgumentParser.add_subparsers`` returned.
    """
    p = sub.add_parser(
        "analogy",
        help="solve A is to B as C is to ?",
        description="Print the best answers D of 'A is to B as C is to D' "
        "(3CosAdd: B - A + C). With no words, read 'A B C' lines "
        "from stdin until EOF or EXIT.",
    )
    add_vectors_argument(p, limit_flag="--limit")
    p.add_argument("words", nargs="*", metavar="WORD", help="A B C")
    p.add_argument("-n", "--topn", type=positive_int, default=5, help="results (default 5)")
    p.add_argument("--cosmul", action="store_true", help="use 3CosMul instead of 3CosAdd")
    add_restrict_vocab_option(p)
    add_common_options(p)
    p.set_defaults(func=cmd_analogy)


def _check_words(kv, words):
    """Raises OOVError for the first word not in ``kv``, suggesting another case of it."""
    for w in words:
        if w not in kv:
            hint = ""
            for alt in (w.lower(), w.capitalize(), w.upper()):
                if alt != w and alt in kv:
                    hint = f" (did you mean {alt!r}?)"
                    break
            raise OOVError(f"{w!r} is not in the vocabulary ({len(kv)} words){hint}")


def _interactive(prompt, hint, handle):
    """A query loop like word2vec.c's distance tool: one query per input line until end of
    input or a line ``EXIT``; a bad query is reported and the loop goes on. The prompt and
    the hint are shown only when stdin is a terminal."""
    tty = sys.stdin.isatty()
    if tty:
        sys.stdout.write(hint + " (EXIT or Ctrl-D to quit)\n")
    while True:
        if tty:
            sys.stdout.write(prompt)
            sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            if tty:
                sys.stdout.write("\n")
            return 0
        text = line.strip()
        if text == "EXIT":
            return 0
        if not text:
            continue
        try:
            handle(text.split())
        except (KeyError, ValueError) as exc:
            error(describe_exception(exc))
        sys.stdout.flush()


def cmd_similar(args):
    """Runs ``fastembed-core similar``.

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

    def answer(words):
        _check_words(kv, words + list(args.negative or ()))
        rows = kv.most_similar(
            positive=words,
            negative=list(args.negative or ()),
            topn=args.topn,
            restrict_vocab=args.restrict_vocab,
        )
        title = (
            f"Nearest to {' + '.join(words)}"
            + "".join(f" - {w}" for w in args.negative or ())
            + ":"
        )
        return title, rows

    return _answer_or_prompt(
        args.words, answer, "word(s)> ", "Type a word, or several to add them up"
    )


def cmd_analogy(args):
    """Runs ``fastembed-core analogy``.

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

    def answer(words):
        if len(words) != 3:
            raise ValueError(
                f"an analogy needs three words A B C (A is to B as C is to ?); got {len(words)}"
            )
        a, b, c = words
        _check_words(kv, words)
        if args.cosmul:
            rows = kv.most_similar_cosmul(
                positive=[b, c], negative=[a], topn=args.topn, restrict_vocab=args.restrict_vocab
            )
        else:
            rows = kv.most_similar(
                positive=[b, c], negative=[a], topn=args.topn, restrict_vocab=args.restrict_vocab
            )
        return f"{a} is to {b} as {c} is to:", rows

    return _answer_or_prompt(
        args.words, answer, "A B C> ", "Type three words A B C: A is to B as C is to ?"
    )


def _answer_or_prompt(words, answer, prompt, hint):
    """Answers the query given on the command line as a bare table, or, with no words, runs
    an interactive prompt (like word2vec.c's `distance`) printing each answer under a title.
    ``answer(words)`` returns ``(title, rows)``."""
    if words:
        _print_table(answer(words)[1])
        return 0

    def titled(query):
        title, rows = answer(query)
        sys.stdout.write(title + "\n")
        _print_table(rows, indent="  ")
        sys.stdout.write("\n")

    return _interactive(prompt, hint, titled)


def _print_table(rows, out=None, indent=""):
    """``(key, score)`` rows as aligned columns: key, similarity with 4 decimals."""
    out = sys.stdout if out is None else out
    if not rows:
        return
    width = max(len(str(k)) for k, _ in rows)
    for k, s in rows:
        out.write(f"{indent}{str(k):<{width}}  {s:.4f}\n")
