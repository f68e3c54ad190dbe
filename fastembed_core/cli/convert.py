"""``fastembed-core convert`` (between vector file formats) and ``export-projector`` (TSV
files for the TensorBoard Embedding Projector)."""

import os

from ..io.detect import sniff_format
from .messages import note
from .options import (
    add_common_options,
    add_format_option,
    add_vectors_argument,
    check_output_path,
    positive_int,
)
from .vector_files import load_vectors, save_vectors

__all__ = [
    "add_convert_parser",
    "add_export_projector_parser",
    "cmd_convert",
    "cmd_export_projector",
]


def add_convert_parser(sub):
    """Adds the ``convert`` subcommand to ``sub``.

    Parameters
    ----------
    sub : object
        What ``argparse.ArgumentParser.add_subparsers`` returned.
    """
    p = sub.add_parser(
        "convert",
        help="convert between vector file formats",
        description="Convert vectors between word2vec text/binary, GloVe, "
        "fastText .vec and the native .fe format.",
    )
    p.add_argument("input", help="vectors file to read")
    p.add_argument("output", help="file to write")
    add_format_option(p, "input format (default: detect)", "--from", "from_format")
    add_format_option(
        p,
        "output format (default: from the output name: .bin "
        "binary, .fe/.kv/.model native, .vec fastText, else "
        "word2vec text)",
        "--to",
        "to_format",
    )
    p.add_argument(
        "--limit", type=positive_int, default=None, help="convert only the first N vectors"
    )
    add_common_options(p)
    p.set_defaults(func=cmd_convert)


def add_export_projector_parser(sub):
    """Adds the ``export-projector`` subcommand to ``sub``.

    Parameters
    ----------
    sub : object
        What ``argparse.ArgumentParser.add_subparsers`` returned.
    """
    p = sub.add_parser(
        "export-projector",
        help="write TSV files for the TensorBoard Embedding Projector",
        description="Write PREFIX_vectors.tsv (one vector per line) and "
        "PREFIX_metadata.tsv (one word per line) for "
        "projector.tensorflow.org.",
    )
    add_vectors_argument(p)
    p.add_argument(
        "--prefix", help="output prefix (default: the vectors file name without its extension)"
    )
    p.add_argument(
        "--limit",
        type=positive_int,
        default=None,
        help="export only the N first (most frequent) words",
    )
    p.add_argument(
        "--counts",
        action="store_true",
        help="add a count column (with a header line): needs a file that stores counts (a "
        "native .fe file) or --vocab; word2vec, GloVe and .vec files store none",
    )
    p.add_argument(
        "--vocab",
        metavar="FILE",
        help="vocabulary file ('word count' lines, e.g. from -save-vocab or "
        "save_word2vec_format(fvocab=)) with the counts of a word2vec-format vectors file",
    )
    add_common_options(p)
    p.set_defaults(func=cmd_export_projector)


def cmd_convert(args):
    """Runs ``fastembed-core convert``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit status.
    """
    check_output_path(args.output)
    kv = load_vectors(args.input, args.from_format, args.limit)
    fmt = save_vectors(kv, args.output, args.to_format)
    note(
        f"wrote {len(kv)} vectors of dimension {kv.vector_size} to {args.output} ({fmt})",
        args.quiet,
    )
    return 0


def cmd_export_projector(args):
    """Runs ``fastembed-core export-projector``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit status.
    """
    from ..vectors.formats import export_projector

    # Only a native file or a vocabulary file knows the counts; the word2vec reader makes
    # some up (descending, in file order) that must not pass for real ones.
    fmt = args.format if args.format != "auto" else sniff_format(args.vectors)
    if args.counts and not args.vocab and fmt != "native":
        raise ValueError(
            f"--counts: {args.vectors} holds no counts (word2vec, GloVe and .vec files store "
            f"none); give the vocabulary file written beside it with --vocab FILE, or export "
            f"from a native .fe file"
        )
    kv = load_vectors(args.vectors, args.format, args.limit, fvocab=args.vocab)
    if args.counts and "count" not in kv.expandos:
        raise ValueError(f"--counts: {args.vectors} holds no counts")
    attrs = ("count",) if args.counts else ()
    stem = args.prefix
    if stem is None:
        base = os.path.basename(args.vectors)
        for ext in (".gz", ".bz2", ".bin", ".txt", ".vec", ".fe", ".kv", ".model"):
            if base.lower().endswith(ext):
                base = base[: -len(ext)]
        stem = os.path.join(os.path.dirname(args.vectors), base)
    vectors_tsv = f"{stem}_vectors.tsv"
    metadata_tsv = f"{stem}_metadata.tsv"
    folder = os.path.dirname(vectors_tsv)
    if folder:
        os.makedirs(folder, exist_ok=True)  # `--prefix out/vectors` makes out/, as users expect
    export_projector(kv, vectors_tsv, metadata_tsv, limit=args.limit, attrs=attrs)
    n = len(kv) if not args.limit else min(len(kv), args.limit)
    note(
        f"wrote {n} vectors to {vectors_tsv} and labels to {metadata_tsv}; load both at "
        f"projector.tensorflow.org (Load)",
        args.quiet,
    )
    return 0
