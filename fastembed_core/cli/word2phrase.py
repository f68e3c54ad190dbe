"""``fastembed-core word2phrase``: word2vec.c's phrase tool, its flags and its output.

``fastembed-core word2phrase -train text.txt -output phrased.txt -min-count 5 -threshold 100``
writes what ``./word2phrase`` writes for the same flags: bigrams scoring above the threshold
joined by ``_``, scored with word2phrase's own formula ``(pab - min_count) / pa / pb *
train_words`` (not gensim's ``Phrases`` default, which multiplies by the vocabulary size
instead of the word count). Run it twice for phrases of up to four words, as word2vec.c's
demo does. :func:`fastembed_core.models.phrases.word2phrase` documents the details. The
summary line counts the unigrams and bigrams kept (count >= -min-count); word2phrase's own
"Vocab size" line counts differently and is not reproduced.
"""

import time

from .messages import note
from .options import check_input_file, check_output_path

__all__ = ["add_parser", "cmd_word2phrase"]


def add_parser(sub):
    """Adds the ``word2phrase`` subcommand (word2vec.c's single-dash flags) to ``sub``.

    Parameters
    ----------
    sub : object
        What ``argparse.ArgumentParser.add_subparsers`` returned.
    """
    p = sub.add_parser(
        "word2phrase",
        help="join frequent bigrams of a text file with '_' (word2vec.c's word2phrase)",
        description="word2vec.c's word2phrase: the same flags, scores and output file.",
    )
    p.add_argument("-train", required=True, help="text file to learn the phrases from")
    p.add_argument("-output", required=True, help="where to write the text with phrases")
    p.add_argument(
        "-min-count",
        dest="min_count",
        type=int,
        default=5,
        help="drop words and bigrams seen fewer times (default 5)",
    )
    p.add_argument(
        "-threshold",
        type=float,
        default=100.0,
        help="join a bigram scoring above this; higher means fewer phrases (default 100)",
    )
    p.add_argument(
        "-debug",
        type=int,
        default=2,
        help="0 silent; 1 or more print a summary (default 2)",
    )
    p.set_defaults(func=cmd_word2phrase)


def cmd_word2phrase(args):
    """Runs ``fastembed-core word2phrase``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit status.
    """
    from ..models.phrases import word2phrase

    check_input_file(args.train, "-train")
    check_output_path(args.output)
    t0 = time.perf_counter()
    words, vocab, joined = word2phrase(args.train, args.output, args.min_count, args.threshold)
    note(
        f"vocab size (unigrams + bigrams): {vocab}; words in train file: {words}; "
        f"joined {joined} bigrams in {time.perf_counter() - t0:.1f}s; wrote {args.output}",
        args.debug < 1,
    )
    return 0
