"""``fastembed-core node2vec``: embeddings of a graph's nodes (node2vec or DeepWalk walks)."""

import time

from .messages import note
from .options import (
    add_common_options,
    add_format_option,
    add_workers_option,
    check_output_path,
    positive_int,
)
from .vector_files import save_vectors

__all__ = ["add_parser", "cmd_node2vec"]


def add_parser(sub):
    """Adds the ``node2vec`` subcommand to ``sub``.

    Parameters
    ----------
    sub : object
        What ``argparse.ArgumentParser.add_subparsers`` returned.
    """
    p = sub.add_parser(
        "node2vec",
        help="embed the nodes of a graph (node2vec / DeepWalk walks)",
        description="Random walks on a graph, generated in C, trained with "
        "skip-gram. Edge list: 'src dst [weight]' per line, "
        "whitespace or comma separated, '#' comments.",
    )
    p.add_argument("--edges", required=True, help="edge-list file")
    p.add_argument("-o", "--output", required=True, help="vectors file to write (keys: node ids)")
    add_format_option(p, "output format (default: from the file name, else word2vec text)")
    p.add_argument(
        "--dimensions",
        type=positive_int,
        default=128,
        help="size of each node vector (default 128)",
    )
    p.add_argument(
        "--walk-length",
        type=positive_int,
        default=80,
        help="nodes in each random walk (default 80)",
    )
    p.add_argument(
        "--num-walks",
        type=positive_int,
        default=10,
        help="walks started from every node (default 10)",
    )
    p.add_argument("--p", type=float, default=1.0, help="return parameter (default 1)")
    p.add_argument("--q", type=float, default=1.0, help="in-out parameter (default 1)")
    p.add_argument(
        "--window",
        type=positive_int,
        default=10,
        help="largest distance between a node and a context node in a walk (default 10)",
    )
    p.add_argument(
        "--epochs", type=positive_int, default=1, help="passes over the walks (default 1)"
    )
    add_workers_option(p)
    p.add_argument(
        "--seed",
        type=int,
        default=1,
        help="random seed of the walks and the training (default 1; reproducible with --workers 1)",
    )
    p.add_argument("--directed", action="store_true", help="edges are directed")
    p.add_argument("--weighted", action="store_true", help="use the third column as weights")
    p.add_argument(
        "--hs",
        action="store_true",
        help="DeepWalk's original training: uniform walks, hierarchical softmax",
    )
    add_common_options(p)
    p.set_defaults(func=cmd_node2vec)


def cmd_node2vec(args):
    """Runs ``fastembed-core node2vec``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit status.
    """
    from ..models.graph import DeepWalk, Node2Vec

    check_output_path(args.output)
    common = dict(
        dimensions=args.dimensions,
        walk_length=args.walk_length,
        num_walks=args.num_walks,
        window=args.window,
        workers=args.workers,
        seed=args.seed,
        directed=args.directed,
        weighted=True if args.weighted else None,
        epochs=args.epochs,
    )
    t0 = time.perf_counter()  # the models train in their constructor
    if args.hs:
        model = DeepWalk(args.edges, hs=1, negative=0, **common)
    else:
        model = Node2Vec(args.edges, p=args.p, q=args.q, **common)
    kv = model.fit()
    fmt = save_vectors(kv, args.output, args.format)
    note(
        f"embedded {len(kv)} nodes in {time.perf_counter() - t0:.1f}s; wrote {args.output} ({fmt})",
        args.quiet,
    )
    return 0
