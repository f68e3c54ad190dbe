"""``fastembed-core plot``: pictures of word vectors (a map, analogy offsets, a neighbourhood)."""

import argparse

from .messages import note
from .options import (
    add_common_options,
    add_vectors_argument,
    check_output_path,
    nonneg_int,
    positive_int,
)
from .vector_files import load_vectors

__all__ = ["add_parser", "cmd_plot"]


def add_parser(sub):
    """Adds the ``plot`` subcommand to ``sub``.

    Parameters
    ----------
    sub : object
        What ``argparse.ArgumentParser.add_subparsers`` returned.
    """
    p = sub.add_parser(
        "plot",
        help="draw word vectors (map, analogy offsets, neighbourhood)",
        description="Draw a 2-D map of words (PCA, or t-SNE / UMAP when "
        "installed), analogy pairs with arrows (--pairs), or a word "
        "and its neighbours (--neighbours). Needs matplotlib. The "
        "file type follows the output name (.png, .svg, .pdf).",
    )
    add_vectors_argument(p, limit_flag="--limit")
    # the option's name until 0.2; hidden, and cmd_plot says it is deprecated
    p.add_argument("--vocab-limit", type=positive_int, default=None, help=argparse.SUPPRESS)
    p.add_argument("words", nargs="*", help="words to draw (default: the --top most frequent)")
    p.add_argument("-o", "--output", required=True, help="image file (.png, .svg, .pdf)")
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--pairs",
        nargs="+",
        metavar="A:B",
        help="analogy pairs, e.g. man:woman king:queen boy:girl",
    )
    group.add_argument(
        "--neighbours", "--neighbors", metavar="WORD", help="draw WORD and its nearest neighbours"
    )
    p.add_argument(
        "--top",
        type=positive_int,
        default=100,
        help="with no words: draw the N most frequent (default 100)",
    )
    p.add_argument(
        "--method",
        choices=("pca", "tsne", "umap"),
        default="pca",
        help="2-D projection (default pca; tsne needs scikit-learn, umap needs umap-learn)",
    )
    p.add_argument(
        "-n", "--topn", type=positive_int, default=12, help="--neighbours: how many (default 12)"
    )
    p.add_argument(
        "--style",
        choices=("radial", "bar"),
        default="radial",
        help="--neighbours: radial map or bar chart (default radial)",
    )
    p.add_argument("--title", help="figure title")
    p.add_argument(
        "--dpi", type=positive_int, default=150, help="resolution of PNG files (default 150)"
    )
    p.add_argument("--seed", type=nonneg_int, default=0, help="seed of t-SNE / UMAP")
    add_common_options(p)
    p.set_defaults(func=cmd_plot)


def cmd_plot(args):
    """Runs ``fastembed-core plot``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit status.
    """
    from ..vectors import viz

    check_output_path(args.output)
    limit = args.limit
    if args.vocab_limit is not None:
        note("--vocab-limit is deprecated and will be removed; use --limit", args.quiet)
        limit = args.vocab_limit if limit is None else limit
    kv = load_vectors(args.vectors, args.format, limit)
    title = args.title
    if args.pairs:
        pairs = []
        for item in args.pairs:
            a, sep, b = item.partition(":")
            if not sep or not a or not b:
                raise ValueError(f"--pairs takes A:B items (e.g. man:woman); got {item!r}")
            pairs.append((a, b))
        viz.plot_analogies(kv, pairs, path=args.output, title=title, method="pca", dpi=args.dpi)
    elif args.neighbours:
        viz.plot_neighbours(
            kv,
            args.neighbours,
            topn=args.topn,
            path=args.output,
            title=title,
            style=args.style,
            dpi=args.dpi,
        )
    else:
        viz.plot_words(
            kv,
            words=args.words or None,
            top_n=args.top,
            method=args.method,
            path=args.output,
            title=title,
            seed=args.seed,
            dpi=args.dpi,
        )
    note(f"wrote {args.output}", args.quiet)
    return 0
