"""``fastembed-core train``: word2vec on text files, writing vectors, the model, the
vocabulary."""

import logging

from ..io.vocab_file import read_vocab_file, write_vocab_file
from ..io.word2vec_writer import check_keys
from ..models import progress as _progress
from .messages import UsageError, library_messages, note
from .options import (
    add_common_options,
    add_format_option,
    add_workers_option,
    check_input_file,
    check_output_path,
    nonneg_int,
    positive_int,
    progress_mode_of,
)
from .training import build_vocabulary, train_with_progress
from .vector_files import save_vectors

__all__ = ["add_parser", "cmd_train"]

# Options whose default is None so that a --preset can tell "not given" from a value; without a
# preset the model's own defaults (gensim's) apply.
_PRESETTABLE = ("alpha", "ns_exponent")


def add_parser(sub):
    """Adds the ``train`` subcommand to ``sub``.

    Parameters
    ----------
    sub : object
        What ``argparse.ArgumentParser.add_subparsers`` returned.
    """
    p = sub.add_parser(
        "train",
        help="train word vectors on a text corpus",
        description="Train word2vec on whitespace-tokenized text files (one "
        "sentence per line). Defaults are gensim's.",
    )
    p.add_argument("corpus", nargs="+", help="corpus file(s)")
    p.add_argument("-o", "--output", help="vectors file to write")
    add_format_option(
        p,
        "format of --output (default auto: .bin binary, .fe/.kv/.model native, .vec "
        "fastText, else word2vec text)",
    )
    p.add_argument("--model", help="also save the whole model (native format) for more training")
    p.add_argument(
        "--vector-size", "--size", type=positive_int, default=100, help="dimensions (default 100)"
    )
    p.add_argument("--window", type=positive_int, default=5, help="context window (default 5)")
    p.add_argument(
        "--min-count", type=nonneg_int, default=5, help="ignore words rarer than this (default 5)"
    )
    p.add_argument(
        "--max-vocab-size",
        type=positive_int,
        default=None,
        help="bound on distinct words while counting",
    )
    p.add_argument(
        "--max-final-vocab", type=positive_int, default=None, help="keep at most this many words"
    )
    p.add_argument(
        "--sample",
        type=float,
        default=1e-3,
        help="subsampling threshold of frequent words (default 1e-3; 0 disables)",
    )
    p.add_argument(
        "--sg", type=int, choices=(0, 1), default=0, help="1 skip-gram, 0 CBOW (default 0)"
    )
    p.add_argument(
        "--hs", type=int, choices=(0, 1), default=0, help="1 hierarchical softmax (default 0)"
    )
    p.add_argument(
        "--negative", type=nonneg_int, default=5, help="negative samples (default 5; 0 disables)"
    )
    p.add_argument(
        "--ns-exponent",
        type=float,
        default=None,  # None: the preset's value, else 0.75
        help="negatives drawn by count**x (default 0.75)",
    )
    p.add_argument(
        "--cbow-mean",
        type=int,
        choices=(0, 1),
        default=1,
        help="CBOW: 1 mean, 0 sum of context vectors (default 1)",
    )
    p.add_argument(
        "--alpha", type=float, default=None, help="initial learning rate (default 0.025)"
    )
    p.add_argument(
        "--min-alpha", type=float, default=0.0001, help="final learning rate (default 0.0001)"
    )
    p.add_argument(
        "--preset",
        choices=("small-corpus",),
        help="named settings, overridden by any option given: small-corpus = --alpha 0.1 "
        "(CBOW) or 0.075 (skip-gram) and --ns-exponent 0.5, for corpora of a few million "
        "tokens (Word2Vec.with_preset)",
    )
    p.add_argument("--epochs", "--iter", type=positive_int, default=5, help="epochs (default 5)")
    add_workers_option(p, "--threads")
    p.add_argument(
        "--seed",
        type=nonneg_int,
        default=1,
        help="random seed (default 1; with --workers 1 the result is reproducible)",
    )
    p.add_argument("--save-vocab", help="write the vocabulary as 'word count' lines")
    p.add_argument(
        "--read-vocab",
        help="read the vocabulary ('word count' lines) instead of counting the corpus",
    )
    add_common_options(p, progress=True)
    p.set_defaults(func=cmd_train)


def cmd_train(args):
    """Runs ``fastembed-core train``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit status.
    """
    from ..models.word2vec import Word2Vec

    if not args.output and not args.model and not args.save_vocab:
        raise UsageError("nothing to write: give -o/--output, --model and/or --save-vocab")
    for p in args.corpus:
        check_input_file(p, "corpus")
    check_output_path(args.output, "--output")
    check_output_path(args.model, "--model")
    check_output_path(args.save_vocab, "--save-vocab")
    mode = progress_mode_of(args)
    freq = read_vocab_file(args.read_vocab) if args.read_vocab else None
    with library_messages(quiet=args.quiet, debug=args.debug) as forward:
        settings = dict(
            vector_size=args.vector_size,
            alpha=args.alpha,
            min_alpha=args.min_alpha,
            window=args.window,
            min_count=args.min_count,
            max_vocab_size=args.max_vocab_size,
            max_final_vocab=args.max_final_vocab,
            sample=args.sample,
            seed=args.seed,
            workers=args.workers,
            sg=args.sg,
            hs=args.hs,
            negative=args.negative,
            ns_exponent=args.ns_exponent,
            cbow_mean=args.cbow_mean,
            epochs=args.epochs,
        )
        given = {k: v for k, v in settings.items() if v is not None or k not in _PRESETTABLE}
        model = Word2Vec.with_preset(args.preset, **given) if args.preset else Word2Vec(**given)
        if args.save_vocab and not args.output and not args.model:
            build_vocabulary(model, args.corpus, freq, mode)
            write_vocab_file(args.save_vocab, model.wv.index_to_key, model.wv.expandos["count"])
            note(f"wrote the vocabulary ({len(model.wv)} words) to {args.save_vocab}", args.quiet)
            return 0
        build_vocabulary(model, args.corpus, freq, mode)
        if args.output and args.format != "native":
            # A key the writer would refuse fails now, not after hours of training.
            check_keys(model.wv.index_to_key)
        seconds = train_with_progress(
            model,
            args.corpus,
            mode,
            forward,
            level=logging.INFO if args.debug else logging.WARNING,
        )
        if args.save_vocab:
            write_vocab_file(args.save_vocab, model.wv.index_to_key, model.wv.expandos["count"])
        written = []
        if args.output:
            fmt = save_vectors(model.wv, args.output, args.format)
            written.append(f"{args.output} ({fmt})")
        if args.model:
            model.save(args.model)
            written.append(f"{args.model} (model)")
    note(
        f"trained {len(model.wv)} words x {model.vector_size} dims on "
        f"{_progress.format_count(model.corpus_total_words)} tokens in {seconds:.1f}s "
        f"({_progress.format_count(model.words_per_second)} effective words/s); wrote "
        f"{', '.join(written) or args.save_vocab}",
        args.quiet,
    )
    return 0
