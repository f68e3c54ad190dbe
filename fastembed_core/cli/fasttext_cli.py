"""fastText's command line: ``fastembed-core skipgram|cbow -input F -output PREFIX ...``,
``print-word-vectors MODEL.bin < words`` and ``nn MODEL.bin [k] < queries``.

The flags, their meanings and their defaults are those of Facebook's ``fasttext`` tool for
its unsupervised models (``-lr 0.05 -dim 100 -ws 5 -epoch 5 -minCount 5 -neg 5 -loss ns
-bucket 2000000 -minn 3 -maxn 6 -t 1e-4``), and so are the files written: ``PREFIX.bin`` in
Facebook's binary format (fastText, gensim's ``load_facebook_model`` and
:func:`fastembed_core.models.fasttext.load_facebook_model` read it) and ``PREFIX.vec``, the
words' vectors as text. As in fastText, the learning rate decays linearly to 0, negatives
are drawn in proportion to count ** 0.5, and skip-gram updates one (centre, context) pair at
a time. Differences: ``-thread`` defaults to the cores available instead of fastText's 12;
line ends are not a word (fastText trains ``</s>`` as one); ``-loss`` takes ``ns`` and
``hs`` only; flags of the supervised mode and autotuning are unknown flags.
"""

import difflib
import logging
import sys

import numpy as np

from ..errors import FastEmbedError
from ..io.native import atomic_write
from ..models import progress as _progress
from ..models.workers import available_cores
from .messages import PROG, UsageError, library_messages, report_failure
from .options import check_input_file, check_output_path
from .training import build_vocabulary, train_with_progress

__all__ = ["VERBS", "FASTTEXT_FLAGS", "parse_fasttext_args", "fasttext_params", "fasttext_main"]

TRAIN_VERBS = ("skipgram", "cbow")
VERBS = (*TRAIN_VERBS, "print-word-vectors", "nn")

#: flag -> (type, default, help): fastText's flags of its unsupervised models, with its
#: defaults; the help texts are ours.
FASTTEXT_FLAGS = {
    "-input": (str, None, "training file: plain text, tokens separated by whitespace"),
    "-output": (str, None, "prefix of the files written: PREFIX.bin and PREFIX.vec"),
    "-lr": (float, 0.05, "learning rate at the start, decayed linearly to 0 [0.05]"),
    "-lrUpdateRate": (int, 100, "recorded in the .bin file; the rate here decays smoothly [100]"),
    "-dim": (int, 100, "dimensions of the vectors [100]"),
    "-ws": (int, 5, "largest distance between a word and a context word [5]"),
    "-epoch": (int, 5, "passes over the training file [5]"),
    "-minCount": (int, 5, "drop words seen fewer times than this [5]"),
    "-minCountLabel": (int, 0, "accepted for fastText's scripts; labels are not used [0]"),
    "-neg": (int, 5, "negative samples per target word [5]"),
    "-wordNgrams": (int, 1, "only 1: word n-grams belong to supervised models [1]"),
    "-loss": (str, "ns", "ns (negative sampling) or hs (hierarchical softmax) [ns]"),
    "-bucket": (int, 2000000, "rows the character n-grams are hashed into [2000000]"),
    "-minn": (int, 3, "shortest character n-gram [3]"),
    "-maxn": (int, 6, "longest character n-gram; 0 trains no n-grams [6]"),
    "-thread": (int, None, "worker threads [the cores available]"),
    "-t": (float, 1e-4, "frequent words are randomly skipped above this frequency [0.0001]"),
    "-label": (str, "__label__", "accepted for fastText's scripts; labels are not used"),
    "-verbose": (int, 2, "0 silent, 1 summary, 2 progress too [2]"),
    "-seed": (int, 0, "random seed; with -thread 1 the result is reproducible [0]"),
}


def _usage(verb=None):
    verbs = f"{PROG} skipgram|cbow"
    lines = [
        f"usage: {verbs} -input FILE -output PREFIX [-flag value ...]",
        f"       {PROG} print-word-vectors MODEL.bin < words",
        f"       {PROG} nn MODEL.bin [k] < queries",
        "",
        "fastText's command line (its unsupervised models). skipgram and cbow write",
        "PREFIX.bin (Facebook's format) and PREFIX.vec (text); print-word-vectors prints the",
        "vector of every word read from stdin, seen or not; nn prints the k (10) nearest",
        "neighbours of every query word read from stdin.",
        "",
        "flags of skipgram and cbow [default]:",
    ]
    for flag, (_typ, _default, text) in FASTTEXT_FLAGS.items():
        lines.append(f"  {flag:<16} {text}")
    return "\n".join(lines) + "\n"


def parse_fasttext_args(argv):
    """Parses fastText's ``-flag value`` pairs of ``skipgram``/``cbow``.

    Parameters
    ----------
    argv : list of str
        The flags, without the program name and the verb.

    Returns
    -------
    dict
        ``{flag: value}`` for every flag of :data:`FASTTEXT_FLAGS`, defaults filled in.

    Raises
    ------
    UsageError
        An argument without a dash, an unknown or repeated flag, a missing or malformed value.
    """
    opts = {}
    i = 0
    while i < len(argv):
        flag = argv[i]
        if not flag.startswith("-"):
            raise UsageError(f"Provided argument without a dash: {flag!r}")
        if flag not in FASTTEXT_FLAGS:
            close = difflib.get_close_matches(flag, FASTTEXT_FLAGS, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise UsageError(f"Unknown argument: {flag}{hint}; '{PROG} skipgram -h' lists them")
        if i + 1 >= len(argv):
            raise UsageError(f"{flag} is missing an argument")
        if flag in opts:
            raise UsageError(f"{flag} is given twice")
        typ = FASTTEXT_FLAGS[flag][0]
        raw = argv[i + 1]
        try:
            opts[flag] = typ(raw)
        except ValueError:
            kind = "an integer" if typ is int else "a number"
            raise UsageError(f"{flag} needs {kind}; got {raw!r}") from None
        i += 2
    for flag, (_typ, default, _text) in FASTTEXT_FLAGS.items():
        opts.setdefault(flag, default)
    return opts


def fasttext_params(verb, opts):
    """FastText keyword arguments meaning what fastText's flags mean.

    Parameters
    ----------
    verb : {"skipgram", "cbow"}
    opts : dict
        As :func:`parse_fasttext_args` returns it.

    Returns
    -------
    dict
        Keyword arguments of :class:`~fastembed_core.FastText`.

    Raises
    ------
    UsageError
        A value fastText's unsupervised models do not take.
    """
    for flag in ("-dim", "-ws", "-epoch", "-lrUpdateRate"):
        if opts[flag] < 1:
            raise UsageError(f"{flag} must be at least 1; got {opts[flag]}")
    for flag in ("-minCount", "-minCountLabel", "-neg", "-bucket", "-minn", "-maxn", "-seed"):
        if opts[flag] < 0:
            raise UsageError(f"{flag} must not be negative; got {opts[flag]}")
    if opts["-thread"] is not None and opts["-thread"] < 1:
        raise UsageError(f"-thread must be at least 1; got {opts['-thread']}")
    if not opts["-lr"] > 0:
        raise UsageError(f"-lr must be positive; got {opts['-lr']}")
    if opts["-t"] < 0:
        raise UsageError(f"-t must not be negative; got {opts['-t']}")
    if opts["-wordNgrams"] != 1:
        raise UsageError("-wordNgrams: only 1 (word n-grams belong to supervised models)")
    if opts["-loss"] not in ("ns", "hs"):
        raise UsageError(
            f"-loss {opts['-loss']}: skipgram and cbow train with ns or hs here "
            "(softmax and one-vs-all are not supported)"
        )
    if opts["-loss"] == "ns" and opts["-neg"] == 0:
        raise UsageError("-loss ns with -neg 0 leaves nothing to train: set -neg 5")
    if opts["-minn"] < 1 and opts["-maxn"] > 0:
        raise UsageError(f"-minn must be at least 1 when -maxn > 0; got {opts['-minn']}")
    ns = opts["-loss"] == "ns"
    return dict(
        sg=int(verb == "skipgram"),
        hs=int(not ns),
        negative=opts["-neg"] if ns else 0,
        ns_exponent=0.5,
        vector_size=opts["-dim"],
        alpha=opts["-lr"],
        min_alpha=0.0,
        window=opts["-ws"],
        epochs=opts["-epoch"],
        min_count=opts["-minCount"],
        sample=opts["-t"],
        min_n=max(opts["-minn"], 1),
        max_n=opts["-maxn"],
        bucket=opts["-bucket"],
        workers=opts["-thread"] or available_cores(),
        seed=opts["-seed"],
        cbow_mean=1,
        shrink_windows=True,
        # skip-gram steps per (centre, context) pair with fresh negatives, fastText's order
        # (the block update of the Python default measured the same speed here)
        shared_negatives=False,
    )


def fasttext_main(argv):
    """Runs one of fastText's verbs (:data:`VERBS`).

    Parameters
    ----------
    argv : list of str
        The verb and its arguments, without the program name.

    Returns
    -------
    int
        The exit status: 0, 1 (an error in the input), 2 (in the flags), 130 (Ctrl-C).
    """
    verb, rest = argv[0], list(argv[1:])
    if any(a in ("-h", "-help", "--help") for a in rest[:1]):
        sys.stdout.write(_usage(verb))
        return 0
    verbose = 2
    try:
        if verb in TRAIN_VERBS:
            opts = parse_fasttext_args(rest)
            verbose = opts["-verbose"]
            return _train(verb, opts)
        if verb == "print-word-vectors":
            if len(rest) != 1:
                raise UsageError(f"usage: {PROG} print-word-vectors MODEL.bin < words")
            return _print_word_vectors(rest[0])
        if len(rest) not in (1, 2):
            raise UsageError(f"usage: {PROG} nn MODEL.bin [k] < queries")
        return _nn(rest[0], _positive_k(rest[1]) if len(rest) == 2 else 10)
    except (UsageError, KeyboardInterrupt) as exc:
        return report_failure(exc)
    except (FastEmbedError, OSError, ValueError, KeyError, MemoryError, UnicodeError) as exc:
        return report_failure(exc, verbose >= 3)


def _positive_k(text):
    try:
        k = int(text)
    except ValueError:
        raise UsageError(f"k must be an integer; got {text!r}") from None
    if k < 1:
        raise UsageError(f"k must be at least 1; got {k}")
    return k


def _vector_text(values):
    """fastText's way of printing a vector: each value with 5 significant digits, followed by
    a space."""
    return "".join(f"{x:.5g} " for x in values.tolist())


def _train(verb, opts):
    from ..models.fasttext import FastText, save_facebook_model

    if not opts["-input"] or not opts["-output"]:
        raise UsageError("Empty input or output path: give -input FILE -output PREFIX")
    verbose = opts["-verbose"]
    corpus, prefix = opts["-input"], opts["-output"]
    params = fasttext_params(verb, opts)
    check_input_file(corpus, "-input")
    for suffix in (".bin", ".vec"):
        check_output_path(prefix + suffix, "-output")
    mode = "auto" if verbose >= 2 else "off"
    with library_messages(quiet=(verbose == 0), debug=(verbose >= 3)) as forward:
        model = FastText(**params)
        build_vocabulary(model, [corpus], None, mode)
        if verbose > 0:
            _progress.write(f"Read {model.corpus_total_words // 1000000}M words")
            _progress.write(f"Number of words:  {len(model.wv)}")
            _progress.write("Number of labels: 0")
        train_with_progress(
            model, [corpus], mode, forward, level=logging.INFO if verbose >= 3 else logging.WARNING
        )
        save_facebook_model(model, prefix + ".bin", lr_update_rate=opts["-lrUpdateRate"])
        _write_vec(prefix + ".vec", model.wv)
        if verbose > 0:
            _progress.write(
                f"trained {len(model.wv)} words x {model.vector_size} dims in "
                f"{model.total_train_time:.1f}s; wrote {prefix}.bin and {prefix}.vec"
            )
    return 0


def _write_vec(path, wv):
    """fastText's ``.vec``: a ``words dim`` header, then each word and its vector."""

    def write(f):
        f.write(f"{len(wv)} {wv.vector_size}\n".encode())
        for word, row in zip(wv.index_to_key, wv.vectors):
            f.write(f"{word} {_vector_text(row)}\n".encode())

    atomic_write(path, write)


def _load_vectors(path):
    from ..models.fasttext import load_facebook_vectors

    check_input_file(path, "model")
    return load_facebook_vectors(path)


def _word_vector(wv, word):
    """fastText's ``getWordVector``: zeros for a word with no n-gram (gensim raises there)."""
    try:
        return np.asarray(wv.get_vector(word), dtype=np.float32)
    except KeyError:
        return np.zeros(wv.vector_size, np.float32)


def _stdin_words():
    for line in sys.stdin:
        yield from line.split()


def _print_word_vectors(path):
    wv = _load_vectors(path)
    out = sys.stdout
    for word in _stdin_words():
        out.write(f"{word} {_vector_text(_word_vector(wv, word))}\n")
        out.flush()
    return 0


def _nn(path, k):
    wv = _load_vectors(path)
    vectors = np.asarray(wv.vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1)
    normed = vectors / np.where(norms > 0, norms, 1)[:, None]
    words = wv.index_to_key
    out = sys.stdout
    prompt = "Query word? "
    out.write(prompt)
    out.flush()
    for query in _stdin_words():
        vec = _word_vector(wv, query)
        qnorm = float(np.linalg.norm(vec))
        sims = normed @ vec / (qnorm if abs(qnorm) >= 1e-8 else 1.0)
        own = wv.key_to_index.get(query)
        if own is not None:
            sims[own] = -np.inf  # the query word itself is not its neighbour
        order = np.argsort(-sims, kind="stable")[: min(k, len(words) - (own is not None))]
        for i in order:
            out.write(f"{words[i]} {float(sims[i]):.6g}\n")
        out.write(prompt)
        out.flush()
    return 0
