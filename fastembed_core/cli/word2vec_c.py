"""word2vec.c's command line, verbatim: ``fastembed-core -train text8 -output vec.bin ...``.

When the first argument is a single-dash flag, the flags, meanings and defaults are
word2vec.c's and the output files are what word2vec.c writes (the vocabulary starts with
``</s>``; ``-classes`` writes k-means word classes instead of vectors), so scripts that call
``./word2vec`` keep working with the binary name changed. The few differences, on purpose, are
listed in the usage text (``fastembed-core -help``).
"""

import difflib
import logging
import sys

import numpy as np

from ..errors import FastEmbedError
from ..io.native import atomic_write
from ..io.vocab_file import read_vocab_file, write_vocab_file
from ..io.word2vec_writer import check_keys
from ..models import progress as _progress
from ..models.workers import available_cores
from ..vectors.kmeans import kmeans_classes
from .messages import PROG, UsageError, library_messages, report_failure
from .options import check_input_file, check_output_path
from .training import build_vocabulary, train_with_progress

__all__ = ["WORD2VEC_FLAGS", "parse_word2vec_args", "word2vec_params", "word2vec_main"]

#: flag -> (type, default, help). The flags, their meanings and their defaults are word2vec.c's
#: (its command-line interface); the help texts are ours.
WORD2VEC_FLAGS = {
    "-train": (str, None, "corpus to learn from: plain text, tokens separated by whitespace"),
    "-output": (str, None, "where to write the word vectors (or the word classes, with -classes)"),
    "-size": (int, 100, "dimensions of each word vector (default 100)"),
    "-window": (int, 5, "largest distance between a word and a context word (default 5)"),
    "-sample": (
        float,
        1e-3,
        "frequent words are randomly skipped above this relative "
        "frequency; 0 keeps every occurrence (default 1e-3; try 1e-5 .. 1e-3)",
    ),
    "-hs": (int, 0, "1 trains with hierarchical softmax (default 0: off)"),
    "-negative": (
        int,
        5,
        "negative samples per word (default 5; 0 turns negative sampling off; 3 to 10 usual)",
    ),
    "-threads": (
        int,
        None,
        "worker threads (default: 12, or fewer when the machine has fewer cores)",
    ),
    "-iter": (int, 5, "passes over the corpus (default 5)"),
    "-min-count": (int, 5, "drop words seen fewer times than this (default 5)"),
    "-alpha": (
        float,
        None,
        "initial learning rate (default 0.05 with -cbow 1, 0.025 for skip-gram)",
    ),
    "-classes": (
        int,
        0,
        "write K word classes (k-means on the vectors) instead of the "
        "vectors (default 0: write vectors)",
    ),
    "-debug": (
        int,
        2,
        "0 silent, 1 summary, 2 summary and progress (default), 3 also "
        "tracebacks and library messages",
    ),
    "-binary": (int, 0, "1 writes the vectors in the binary format (default 0: text)"),
    "-save-vocab": (str, None, "also write the vocabulary, 'word count' per line"),
    "-read-vocab": (
        str,
        None,
        "take the vocabulary from this 'word count' file instead of counting the corpus",
    ),
    "-cbow": (int, 1, "1 trains CBOW (default), 0 skip-gram"),
    "-seed": (
        int,
        1,
        "random seed, an addition to word2vec.c's flags (with -threads 1 the "
        "result is reproducible; default 1)",
    ),
}

_NOTES = """\
differences from word2vec.c, on purpose:
	-threads defaults to min(12, cores): more threads than cores only add contention.
	-debug 0 is silent, 1 prints the vocabulary summary, 2 (default) adds progress on
	stderr (a bar on a terminal), 3 also shows tracebacks and library log messages.
	As in word2vec.c, the vocabulary starts with </s>, the token word2vec.c reads at each
	line end, and -save-vocab / -output list it first: its count is the number of lines and
	its vector, never trained (word2vec.c ends a sentence there), is a small random one.
	Unknown flags and malformed values are errors instead of being ignored.
"""


def _usage():
    lines = [
        f"{PROG}: word2vec.c-compatible mode (the flags of the original word2vec tool)",
        "",
        f"usage: {PROG} -train FILE -output FILE [-flag value ...]",
        "",
        "flags:",
    ]
    for flag, (typ, _default, text) in WORD2VEC_FLAGS.items():
        arg = "<file>" if typ is str else "<int>" if typ is int else "<float>"
        lines.append(f"\t{flag} {arg}")
        lines.append(f"\t\t{text}")
    lines += [
        "",
        _NOTES,
        "example (skip-gram, 300 dimensions, binary output):",
        f"  {PROG} -train corpus.txt -output vectors.bin -cbow 0 -size 300 -window 8 "
        "-negative 10 -sample 1e-4 -iter 10 -binary 1",
        "",
        f"The subcommands ({PROG} --help) take GNU options with gensim's names.",
    ]
    return "\n".join(lines) + "\n"


def parse_word2vec_args(argv):
    """Parses word2vec.c's flags.

    Parameters
    ----------
    argv : list of str
        ``-flag value`` pairs, without the program name.

    Returns
    -------
    dict
        ``{flag: value}`` for every flag of :data:`WORD2VEC_FLAGS`, word2vec.c's defaults
        filled in.

    Raises
    ------
    UsageError
        For an unknown or repeated flag, a missing or malformed value.
    """
    opts = {}
    i = 0
    while i < len(argv):
        flag = argv[i]
        if flag not in WORD2VEC_FLAGS:
            close = difflib.get_close_matches(flag, WORD2VEC_FLAGS, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close and flag.startswith("-") else ""
            raise UsageError(
                f"unknown option {flag!r}{hint}; '{PROG} -help' lists word2vec.c's options"
            )
        if i + 1 >= len(argv):
            raise UsageError(f"argument missing for {flag}")
        if flag in opts:
            raise UsageError(f"{flag} is given twice")
        typ = WORD2VEC_FLAGS[flag][0]
        raw = argv[i + 1]
        try:
            opts[flag] = typ(raw)
        except ValueError:
            kind = "an integer" if typ is int else "a number"
            raise UsageError(f"{flag} needs {kind}; got {raw!r}") from None
        i += 2
    for flag, (_kind, default, _text) in WORD2VEC_FLAGS.items():
        opts.setdefault(flag, default)
    return opts


def word2vec_main(argv):
    """Runs word2vec.c's command line; ``-help`` (or nothing) prints its usage.

    Parameters
    ----------
    argv : list of str
        The arguments, without the program name.

    Returns
    -------
    int
        The exit status: 0, 1 (an error in the input), 2 (in the flags), 130 (Ctrl-C).
    """
    if not argv or argv[0] in ("-h", "-help", "--help"):
        sys.stdout.write(_usage())
        return 0
    debug = 2
    try:
        opts = parse_word2vec_args(argv)
        debug = opts["-debug"]
        return _run(opts)
    except (UsageError, KeyboardInterrupt) as exc:
        return report_failure(exc)
    except (FastEmbedError, OSError, ValueError, KeyError, MemoryError, UnicodeError) as exc:
        return report_failure(exc, debug >= 3)


def word2vec_params(opts):
    """Word2Vec keyword arguments meaning what word2vec.c's options mean.

    ``-cbow 1`` (default) is CBOW with the context averaged; ``-alpha`` defaults to 0.05 for
    CBOW and 0.025 for skip-gram and decays linearly to ``alpha * 1e-4``; ``-threads``
    defaults to ``min(12, cores)``.

    Parameters
    ----------
    opts : dict
        ``{flag: value}`` as :func:`parse_word2vec_args` returns it.

    Returns
    -------
    dict
        Keyword arguments of :class:`~fastembed_core.Word2Vec`.

    Raises
    ------
    UsageError
        For a learning rate that is not positive.
    """
    cbow = opts["-cbow"] != 0
    alpha = opts["-alpha"] if opts["-alpha"] is not None else (0.05 if cbow else 0.025)
    if alpha <= 0:
        raise UsageError(f"-alpha must be positive; got {alpha}")
    threads = opts["-threads"] or max(1, min(12, available_cores()))
    return dict(
        vector_size=opts["-size"],
        alpha=alpha,
        min_alpha=alpha * 1e-4,
        window=opts["-window"],
        min_count=opts["-min-count"],
        sample=opts["-sample"],
        seed=opts["-seed"],
        workers=threads,
        sg=0 if cbow else 1,
        hs=1 if opts["-hs"] else 0,
        negative=opts["-negative"],
        cbow_mean=1,
        epochs=opts["-iter"],
        shrink_windows=True,
        ns_exponent=0.75,
    )


def _run(opts):
    """Checks the options, trains, writes the files; returns 0."""
    from ..models.word2vec import Word2Vec

    debug = opts["-debug"]
    train = opts["-train"]
    if not train:
        raise UsageError("-train <file> is required")
    if not opts["-output"] and not opts["-save-vocab"]:
        raise UsageError("nothing to do: give -output <file> (and/or -save-vocab <file>)")
    for flag in ("-size", "-window", "-iter", "-threads"):
        if opts[flag] is not None and opts[flag] < 1:
            raise UsageError(f"{flag} must be at least 1; got {opts[flag]}")
    for flag in ("-min-count", "-negative", "-classes"):
        if opts[flag] < 0:
            raise UsageError(f"{flag} must not be negative; got {opts[flag]}")
    if opts["-sample"] < 0:
        raise UsageError(f"-sample must not be negative; got {opts['-sample']}")
    if not opts["-hs"] and not opts["-negative"]:
        raise UsageError("-hs 0 and -negative 0 leave nothing to train: set -hs 1 or -negative 5")
    check_input_file(train, "-train")
    check_output_path(opts["-output"], "-output")
    check_output_path(opts["-save-vocab"], "-save-vocab")
    params = word2vec_params(opts)
    mode = "auto" if debug >= 2 else "off"

    out = sys.stdout
    out.write(f"Starting training using file {train}\n")
    out.flush()
    with library_messages(quiet=(debug == 0), debug=(debug >= 3)) as forward:
        model = Word2Vec(**params)
        freq = None
        n_lines = None
        if opts["-read-vocab"]:
            freq = read_vocab_file(opts["-read-vocab"])
            n_lines = freq.pop("</s>", None)
            if not freq:
                raise ValueError(
                    f"{opts['-read-vocab']}: the vocabulary holds no word besides </s>"
                )
            _check_read_vocab(opts["-read-vocab"], freq, opts)
        if n_lines is None:
            n_lines = _count_newlines([train])

        build_vocabulary(model, [train], freq, mode)
        words = ["</s>"] + list(model.wv.index_to_key)
        if opts["-output"]:
            check_keys(words)  # a key the writer would refuse fails before training
        counts = np.concatenate([[n_lines], np.asarray(model.wv.expandos["count"], np.int64)])
        if debug > 0:
            out.write(f"Vocab size: {len(words)}\n")
            out.write(f"Words in train file: {int(counts.sum())}\n")
            out.flush()
        if opts["-save-vocab"]:
            write_vocab_file(opts["-save-vocab"], words, counts)
        if not opts["-output"]:
            return 0
        train_with_progress(
            model, [train], mode, forward, level=logging.INFO if debug >= 3 else logging.WARNING
        )

        # word2vec.c's </s> row: word2vec.c's initial values (uniform(-0.5, 0.5) / size), as
        # it is never trained there.
        rng = np.random.default_rng(np.random.SeedSequence([opts["-seed"], 0x3C2F733E]))
        eos = (rng.random(model.vector_size, dtype=np.float32) - 0.5) / model.vector_size
        vectors = np.vstack([eos[None, :], model.wv.vectors]).astype(np.float32, copy=False)
        if opts["-classes"] > 0:
            labels = kmeans_classes(vectors, opts["-classes"])

            def write(f):
                f.write("".join(f"{w} {int(c)}\n" for w, c in zip(words, labels)).encode("utf-8"))

            atomic_write(opts["-output"], write)
        else:
            from ..io.word2vec_format import write_word2vec

            write_word2vec(opts["-output"], words, vectors, binary=bool(opts["-binary"]))
        if debug > 0:
            _progress.write(
                f"trained {len(words)} words x {model.vector_size} dims in "
                f"{model.total_train_time:.1f}s "
                f"({_progress.format_count(model.words_per_second)} words/s); "
                f"wrote {opts['-output']}"
            )
    return 0


def _check_read_vocab(path, freq, opts):
    """Refuses a -read-vocab file no word of which can be trained, in the terms of the flags
    and the file (the library's own errors would speak of an empty corpus, of ``min_count``
    or of ``ns_exponent``)."""
    top_word, top = max(freq.items(), key=lambda item: item[1])
    min_count = opts["-min-count"]
    if top == 0 and (min_count > 0 or opts["-negative"] > 0):
        why = (
            f"no word reaches -min-count {min_count}"
            if min_count > 0
            else "-negative draws negative samples in proportion to the counts"
        )
        raise ValueError(
            f"{path}: every count in the vocabulary file is 0, so {why}; give the words their "
            f"real counts (e.g. a -save-vocab file of the corpus)"
        )
    if top < min_count:
        raise ValueError(
            f"{path}: no word of the vocabulary file reaches -min-count {min_count}: the "
            f"largest count is {top} ({top_word!r}); lower -min-count to {top} or less"
        )


def _count_newlines(paths):
    n = 0
    for p in paths:
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 22), b""):
                n += chunk.count(b"\n")
    return n
