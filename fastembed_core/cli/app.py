"""The ``fastembed-core`` command (also ``python -m fastembed_core``).

Two ways in:

* **word2vec.c's command line, verbatim.** When the first argument is a single-dash flag
  (``fastembed-core -train text8 -output vec.bin -binary 1 ...``) the flags, meanings and
  defaults are word2vec.c's, and the output files are what word2vec.c writes, so scripts that
  call ``./word2vec`` keep working with the binary name changed. See :func:`word2vec_main`.
* **Subcommands** with GNU options: ``train``, ``similar``, ``analogy``, ``eval``,
  ``convert``, ``demo``, ``plot``, ``export-projector``. ``fastembed-core SUBCOMMAND --help``
  lists each one's options; parameter names follow gensim.

Errors in what the user typed or in the files given (missing file, malformed vectors file,
unknown word, bad option value) end the command with one line ``fastembed-core: error: ...``
on stderr and exit status 1 (2 for command-line syntax), never a traceback; ``--debug`` (or
``-debug 3`` in word2vec.c mode) shows the traceback too. Ctrl-C exits with status 130.
Progress goes to stderr: a live bar on a terminal, a plain line every few seconds otherwise,
nothing with ``--quiet``.
"""

import argparse
import contextlib
import json
import logging
import os
import sys
import time
import traceback
import warnings

import numpy as np

from ..errors import FastEmbedError, OOVError
from ..io.detect import native_kind, sniff_format
from ..models import progress as _progress
from ..models.workers import available_cores

__all__ = [
    "main",
    "word2vec_main",
    "word2vec_params",
    "parse_word2vec_args",
    "load_vectors",
    "save_vectors",
    "sniff_format",
    "kmeans_classes",
    "read_vocab_file",
    "write_vocab_file",
]

PROG = "fastembed-core"
VECTOR_FORMATS = ("text", "binary", "glove", "fasttext", "native")


class UsageError(Exception):
    """A mistake on the command line itself (exit status 2)."""


# ---------------------------------------------------------------------------------------------
# output helpers
# ---------------------------------------------------------------------------------------------


def _err(message):
    _progress.write(f"{PROG}: error: {_one_line(message)}")


def _note(message, quiet=False):
    if not quiet:
        _progress.write(f"{PROG}: {message}")


def _one_line(text):
    return " ".join(str(text).split())


def _describe_exception(exc):
    """One readable line for an exception raised by user input."""
    if isinstance(exc, OSError) and exc.strerror:
        name = exc.filename if exc.filename is not None else ""
        if exc.filename2 is not None:
            name = f"{name} -> {exc.filename2}"
        return f"{name}: {exc.strerror}" if name else exc.strerror
    if isinstance(exc, KeyError) and not isinstance(exc, FastEmbedError):
        return f"not found: {exc.args[0] if exc.args else exc}"
    text = str(exc)
    if not text:
        return type(exc).__name__
    return text


def _warning_line(message, category, filename, lineno, file=None, line=None):
    _progress.write(f"{PROG}: warning: {_one_line(message)}")


@contextlib.contextmanager
def _library_messages(quiet=False, debug=False):
    """Library warnings and log records as one-line notes on stderr (INFO too with --debug)."""

    def forward(record):
        if quiet and record.levelno < logging.ERROR:
            return
        level = record.levelname.lower()
        _progress.write(f"{PROG}: {level}: {_one_line(record.getMessage())}")

    logger = logging.getLogger("fastembed_core")
    saved = (logger.level, logger.propagate, list(logger.handlers))

    class _Forward(logging.Handler):
        def emit(self, record):
            forward(record)

    logger.handlers = [_Forward()]
    logger.setLevel(logging.INFO if debug else logging.WARNING)
    logger.propagate = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore" if quiet else "default")
        warnings.showwarning = _warning_line
        try:
            yield forward
        finally:
            level, logger.propagate, logger.handlers = saved
            logger.setLevel(level)  # also clears logging's enabled-cache


def _print_table(rows, out=None, indent=""):
    """``(key, score)`` rows as aligned columns: key, similarity with 4 decimals."""
    out = sys.stdout if out is None else out
    if not rows:
        return
    width = max(len(str(k)) for k, _ in rows)
    for k, s in rows:
        out.write(f"{indent}{str(k):<{width}}  {s:.4f}\n")


# ---------------------------------------------------------------------------------------------
# vector files: sniffing, loading, saving
# ---------------------------------------------------------------------------------------------


def load_vectors(path, fmt="auto", limit=None):
    """Loads vectors from any supported file as :class:`~fastembed_core.KeyedVectors`.

    Parameters
    ----------
    path : str
    fmt : {"auto", "text", "binary", "glove", "fasttext", "native"}
        ``"auto"`` sniffs the file (:func:`sniff_format`). A native file may hold vectors or
        a whole :class:`~fastembed_core.Word2Vec` model (its ``wv`` is returned).
    limit : int, optional
        Read only the first ``limit`` vectors (word2vec/GloVe files).
    """
    from ..vectors.keyedvectors import KeyedVectors

    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(2, "No such file or directory", path)
    if os.path.isdir(path):
        raise IsADirectoryError(21, "Is a directory (expected a vectors file)", path)
    if fmt == "auto":
        fmt = sniff_format(path) or "text"  # None: a pipe, not read; text is what streams hold
    if fmt not in VECTOR_FORMATS:
        raise ValueError(f"unknown vectors format {fmt!r}; use one of {', '.join(VECTOR_FORMATS)}")
    if fmt == "native":
        if native_kind(path) == "Word2Vec":
            from ..models.word2vec import Word2Vec

            return Word2Vec.load(path).wv
        kv = KeyedVectors.load(path)
        if limit:
            kv = _head(kv, int(limit))
        return kv
    return KeyedVectors.load_word2vec_format(
        path, binary=(fmt == "binary"), no_header=(fmt == "glove"), limit=limit or None
    )


def _head(kv, n):
    from ..vectors.keyedvectors import KeyedVectors

    return KeyedVectors.from_arrays(
        kv.index_to_key[:n],
        np.ascontiguousarray(kv.vectors[:n]),
        attrs={name: np.asarray(values)[:n] for name, values in kv.expandos.items()},
        copy=False,
    )


def _format_for_output(path, fmt):
    if fmt != "auto":
        return fmt
    lower = os.fspath(path).lower()
    if lower.endswith(".bin"):
        return "binary"
    if lower.endswith((".fe", ".kv", ".model")):
        return "native"
    if lower.endswith(".vec"):
        return "fasttext"
    return "text"


def save_vectors(kv, path, fmt="auto"):
    """Saves ``kv`` in ``fmt`` (``"auto"``: from the file name — ``.bin`` binary word2vec,
    ``.fe``/``.kv``/``.model`` native, ``.vec`` fastText text, anything else word2vec text).
    Returns the format used."""
    from ..vectors import formats

    fmt = _format_for_output(path, fmt)
    if fmt == "native":
        kv.save(path)
    elif fmt == "glove":
        formats.save_glove(kv, path)
    elif fmt == "fasttext":
        formats.save_fasttext_vec(kv, path)
    elif fmt in ("text", "binary"):
        kv.save_word2vec_format(path, binary=(fmt == "binary"))
    else:
        raise ValueError(f"unknown vectors format {fmt!r}; use one of {', '.join(VECTOR_FORMATS)}")
    return fmt


# ---------------------------------------------------------------------------------------------
# vocabulary files and word classes
# ---------------------------------------------------------------------------------------------


def write_vocab_file(path, words, counts):
    """``word count`` lines, as word2vec.c's ``-save-vocab`` writes them."""
    from ..io.native import atomic_write

    def write(f):
        f.write("".join(f"{w} {int(c)}\n" for w, c in zip(words, counts)).encode("utf-8"))

    atomic_write(os.fspath(path), write)


def read_vocab_file(path):
    """Reads ``word count`` lines (word2vec.c's ``-save-vocab`` files) into an ordered dict.

    Raises ``ValueError`` naming the line for anything else (a missing or non-integer count,
    a duplicate word).
    """
    freq = {}
    with open(path, "rb") as f:
        for line_no, raw in enumerate(f, 1):
            fields = raw.split()
            if not fields:
                continue
            if len(fields) != 2:
                raise ValueError(
                    f"{path}, line {line_no}: expected 'word count', got "
                    f"{raw[:60].decode('utf-8', 'replace').strip()!r}"
                )
            try:
                word = fields[0].decode("utf-8")
                count = int(fields[1])
            except (UnicodeDecodeError, ValueError):
                raise ValueError(
                    f"{path}, line {line_no}: expected 'word count' with an "
                    f"integer count, got "
                    f"{raw[:60].decode('utf-8', 'replace').strip()!r}"
                ) from None
            if count < 0:
                raise ValueError(f"{path}, line {line_no}: negative count {count}")
            if count >= 2**63:
                raise ValueError(f"{path}, line {line_no}: count {count} does not fit in 64 bits")
            if word in freq:
                raise ValueError(f"{path}, line {line_no}: word {word!r} is listed twice")
            freq[word] = count
    if not freq:
        raise ValueError(f"{path}: the vocabulary file is empty")
    return freq


def kmeans_classes(vectors, k, iterations=10, block=4096):
    """Word classes by spherical k-means, as word2vec.c's ``-classes`` computes them.

    Rows are unit-normalised; word ``i`` starts in class ``i mod k`` (word2vec.c's start, so
    the result is deterministic); each iteration sets every centroid to the normalised mean of
    its members and moves every word to the centroid of highest cosine. Stops early when no
    word moves.

    Parameters
    ----------
    vectors : (n, d) array
    k : int
        Number of classes (at most ``n`` are used).
    iterations : int
        word2vec.c runs 10.

    Returns
    -------
    numpy.ndarray of int64
        The class of each row, in ``0 .. k-1``.
    """
    x = np.asarray(vectors, dtype=np.float32)
    n = x.shape[0]
    if k < 1:
        raise ValueError(f"the number of classes must be >= 1; got {k}")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = x / np.where(norms > 0, norms, 1.0)
    k = min(int(k), n)
    labels = np.arange(n, dtype=np.int64) % k
    for _ in range(int(iterations)):
        centroids = np.zeros((k, x.shape[1]), dtype=np.float64)
        np.add.at(centroids, labels, x)
        cn = np.linalg.norm(centroids, axis=1, keepdims=True)
        centroids = (centroids / np.where(cn > 0, cn, 1.0)).astype(np.float32)
        new = np.empty_like(labels)
        for lo in range(0, n, block):
            new[lo : lo + block] = np.argmax(x[lo : lo + block] @ centroids.T, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


def _check_output_path(path, what="output"):
    """Fails early (before any long work) when ``path`` cannot be created: its folder is
    missing or is not a folder, or ``path`` is a folder."""
    if not path:
        return
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(2, f"No such directory for the {what} file", path)
    if os.path.isdir(path):
        raise IsADirectoryError(21, f"Is a directory (expected the {what} file name)", path)
    if not os.access(folder, os.W_OK):
        raise PermissionError(13, f"Cannot write the {what} file: permission denied", path)


def _count_newlines(paths):
    n = 0
    for p in paths:
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 22), b""):
                n += chunk.count(b"\n")
    return n


# ---------------------------------------------------------------------------------------------
# training (shared by word2vec.c mode, `train` and `demo`)
# ---------------------------------------------------------------------------------------------


class _CliTraining(_progress.TrainingProgress):
    """Training progress that first closes the "reading corpus" display, which runs from the
    call of ``train()`` (the corpus is encoded there) until training begins."""

    def __init__(self, reading=None, **kw):
        super().__init__(**kw)
        self.reading = reading

    def finish_reading(self, ok=True):
        if self.reading is not None:
            reading, self.reading = self.reading, None
            reading.__exit__(None if ok else RuntimeError, None, None)

    def on_train_begin(self, model):
        self.finish_reading()
        super().on_train_begin(model)


def build_vocabulary(model, paths, freq=None, progress_mode="auto"):
    """Builds ``model``'s vocabulary by counting ``paths`` (with a progress display), or from
    the ``{word: count}`` mapping ``freq``."""
    if freq is None:
        with _progress.track_file_reading(paths, "counting words", mode=progress_mode):
            model.build_vocab(corpus_file=paths)
    else:
        model.build_vocab_from_freq(freq)


def train_with_progress(
    model, paths, progress_mode="auto", forward=None, epochs=None, level=logging.WARNING
):
    """Trains ``model`` (vocabulary built) on ``paths`` with progress displays for reading
    the corpus and for the epochs; library log records at ``level`` or above go to
    ``forward``. Returns the seconds taken."""
    reading = _progress.track_file_reading(paths, "reading corpus", mode=progress_mode)
    reading.__enter__()
    tracker = _CliTraining(reading=reading, mode=progress_mode, epochs=epochs)
    t0 = time.perf_counter()
    ok = False
    try:
        with _progress.capture_training_log(tracker, forward=forward, level=level):
            model.train(corpus_file=paths, epochs=epochs, callbacks=[tracker], report_delay=0.25)
        ok = True
    finally:
        tracker.finish_reading(ok)
        if not ok:
            tracker.abort()
        elif tracker.progress is not None:
            tracker.progress.close()
    return time.perf_counter() - t0


def run_training(
    model, paths, freq=None, progress_mode="auto", forward=None, epochs=None, level=logging.WARNING
):
    """:func:`build_vocabulary` then :func:`train_with_progress`; returns the training
    seconds."""
    build_vocabulary(model, paths, freq, progress_mode)
    return train_with_progress(model, paths, progress_mode, forward, epochs, level)


# ---------------------------------------------------------------------------------------------
# word2vec.c's command line
# ---------------------------------------------------------------------------------------------

# flag -> (type, default, help). The flags, their meanings and their defaults are word2vec.c's
# (its command-line interface); the help texts are ours.
_W2V_FLAGS = {
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

_W2V_NOTES = """\
differences from word2vec.c, on purpose:
	-threads defaults to min(12, cores): more threads than cores only add contention.
	-debug 0 is silent, 1 prints the vocabulary summary, 2 (default) adds progress on
	stderr (a bar on a terminal), 3 also shows tracebacks and library log messages.
	As in word2vec.c, the vocabulary starts with </s>, the token word2vec.c reads at each
	line end, and -save-vocab / -output list it first: its count is the number of lines and
	its vector, never trained (word2vec.c ends a sentence there), is a small random one.
	Unknown flags and malformed values are errors instead of being ignored.
"""


def _w2v_usage():
    lines = [
        f"{PROG}: word2vec.c-compatible mode (the flags of the original word2vec tool)",
        "",
        f"usage: {PROG} -train FILE -output FILE [-flag value ...]",
        "",
        "flags:",
    ]
    for flag, (typ, _default, text) in _W2V_FLAGS.items():
        arg = "<file>" if typ is str else "<int>" if typ is int else "<float>"
        lines.append(f"\t{flag} {arg}")
        lines.append(f"\t\t{text}")
    lines += [
        "",
        _W2V_NOTES,
        "example (skip-gram, 300 dimensions, binary output):",
        f"  {PROG} -train corpus.txt -output vectors.bin -cbow 0 -size 300 -window 8 "
        "-negative 10 -sample 1e-4 -iter 10 -binary 1",
        "",
        f"The subcommands ({PROG} --help) take GNU options with gensim's names.",
    ]
    return "\n".join(lines) + "\n"


def parse_word2vec_args(argv):
    """word2vec.c's flags -> ``{flag: value}`` with word2vec.c's defaults filled in; raises
    :class:`UsageError` for unknown flags, missing or malformed values."""
    opts = {}
    i = 0
    while i < len(argv):
        flag = argv[i]
        if flag not in _W2V_FLAGS:
            close = [f for f in _W2V_FLAGS if f.lstrip("-").startswith(flag.lstrip("-")[:3])]
            hint = f" (did you mean {close[0]}?)" if close and flag.startswith("-") else ""
            raise UsageError(
                f"unknown option {flag!r}{hint}; run {PROG} with no arguments "
                f"for word2vec.c's options"
            )
        if i + 1 >= len(argv):
            raise UsageError(f"argument missing for {flag}")
        if flag in opts:
            raise UsageError(f"{flag} is given twice")
        typ = _W2V_FLAGS[flag][0]
        raw = argv[i + 1]
        try:
            opts[flag] = typ(raw)
        except ValueError:
            kind = "an integer" if typ is int else "a number"
            raise UsageError(f"{flag} needs {kind}; got {raw!r}") from None
        i += 2
    for flag, (_kind, default, _text) in _W2V_FLAGS.items():
        opts.setdefault(flag, default)
    return opts


def word2vec_main(argv):
    """Runs word2vec.c's command line (``argv`` without the program name). Returns the exit
    status. See the module documentation and ``_W2V_NOTES`` for the few differences."""
    if not argv or argv[0] in ("-h", "-help", "--help"):
        sys.stdout.write(_w2v_usage())
        return 0
    debug = 2
    try:
        opts = parse_word2vec_args(argv)
        debug = opts["-debug"]
        return _w2v_run(opts)
    except UsageError as exc:
        _err(exc)
        return 2
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except (FastEmbedError, OSError, ValueError, KeyError, MemoryError, UnicodeError) as exc:
        if debug >= 3:
            traceback.print_exc()
        _err(_describe_exception(exc))
        return 1


def word2vec_params(opts):
    """Word2Vec keyword arguments for word2vec.c options (``opts``: flag -> value, as parsed).

    word2vec.c's meanings: ``-cbow 1`` (default) is CBOW with the context averaged; ``-alpha``
    defaults to 0.05 for CBOW and 0.025 for skip-gram and decays linearly to
    ``alpha * 1e-4``; ``-threads`` defaults to ``min(12, cores)``.
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


def _w2v_run(opts):
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
    if not os.path.isfile(train):
        raise FileNotFoundError(2, "No such file or directory (-train)", train)
    _check_output_path(opts["-output"], "-output")
    _check_output_path(opts["-save-vocab"], "-save-vocab")
    params = word2vec_params(opts)
    mode = "auto" if debug >= 2 else "off"

    out = sys.stdout
    out.write(f"Starting training using file {train}\n")
    out.flush()
    with _library_messages(quiet=(debug == 0), debug=(debug >= 3)) as forward:
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
        if n_lines is None:
            n_lines = _count_newlines([train])

        build_vocabulary(model, [train], freq, mode)
        words = ["</s>"] + list(model.wv.index_to_key)
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
            from ..io.native import atomic_write

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


# ---------------------------------------------------------------------------------------------
# subcommands
# ---------------------------------------------------------------------------------------------


def _progress_mode(args):
    return "off" if getattr(args, "quiet", False) else getattr(args, "progress", "auto")


def cmd_train(args):
    from ..models.word2vec import Word2Vec

    if not args.output and not args.model and not args.save_vocab:
        raise UsageError("nothing to write: give -o/--output, --model and/or --save-vocab")
    for p in args.corpus:
        if not os.path.isfile(p):
            raise FileNotFoundError(2, "No such file or directory (corpus)", p)
    _check_output_path(args.output, "--output")
    _check_output_path(args.model, "--model")
    _check_output_path(args.save_vocab, "--save-vocab")
    mode = _progress_mode(args)
    freq = read_vocab_file(args.read_vocab) if args.read_vocab else None
    with _library_messages(quiet=args.quiet, debug=args.debug) as forward:
        model = Word2Vec(
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
        if args.save_vocab and not args.output and not args.model:
            build_vocabulary(model, args.corpus, freq, mode)
            write_vocab_file(args.save_vocab, model.wv.index_to_key, model.wv.expandos["count"])
            _note(f"wrote the vocabulary ({len(model.wv)} words) to {args.save_vocab}", args.quiet)
            return 0
        seconds = run_training(
            model,
            args.corpus,
            freq=freq,
            progress_mode=mode,
            forward=forward,
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
    _note(
        f"trained {len(model.wv)} words x {model.vector_size} dims on "
        f"{_progress.format_count(model.corpus_total_words)} tokens in {seconds:.1f}s "
        f"({_progress.format_count(model.words_per_second)} effective words/s); wrote "
        f"{', '.join(written) or args.save_vocab}",
        args.quiet,
    )
    return 0


def _check_words(kv, words):
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
            _err(_describe_exception(exc))
        sys.stdout.flush()


def cmd_similar(args):
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


def evaluate(
    kv,
    analogies=None,
    pairs=(),
    restrict_vocab=30000,
    case_insensitive=True,
    skip_unusable_pairs=False,
):
    """Runs the evaluations; returns a JSON-friendly dict (used by ``eval`` and ``demo``).

    With ``skip_unusable_pairs``, a word-pair file none of whose pairs is in the vocabulary is
    reported with an ``"error"`` entry instead of raising ``ValueError``."""
    result = {"analogies": None, "pairs": []}
    if analogies:
        score, sections = kv.evaluate_word_analogies(
            analogies, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive
        )
        total = sections[-1]
        n = len(total["correct"]) + len(total["incorrect"])
        with open(analogies, "rb") as f:
            asked = sum(1 for line in f if line.strip() and not line.startswith(b":"))
        result["analogies"] = {
            "file": analogies,
            "accuracy": float(score),
            "correct": len(total["correct"]),
            "answered": n,
            "questions": asked,
            "restrict_vocab": restrict_vocab,
            "sections": [
                {
                    "section": s["section"],
                    "correct": len(s["correct"]),
                    "answered": len(s["correct"]) + len(s["incorrect"]),
                }
                for s in sections[:-1]
            ],
        }
    for path in pairs:
        try:
            pearson, spearman, oov = kv.evaluate_word_pairs(path, case_insensitive=case_insensitive)
        except ValueError as exc:
            if not skip_unusable_pairs:
                raise
            result["pairs"].append({"file": path, "error": _one_line(exc)})
            continue
        result["pairs"].append(
            {
                "file": path,
                "pearson": float(pearson[0]),
                "spearman": float(spearman[0]),
                "spearman_p": float(spearman[1]),
                "oov_percent": float(oov),
            }
        )
    return result


def _print_evaluation(result, sections=False, out=None):
    out = sys.stdout if out is None else out
    a = result["analogies"]
    if a is not None:
        skipped = 100.0 * (1 - a["answered"] / a["questions"]) if a["questions"] else 0.0
        out.write(
            f"analogies {os.path.basename(a['file'])} (restrict_vocab={a['restrict_vocab']}):"
            f" accuracy {100 * a['accuracy']:.2f}% ({a['correct']}/{a['answered']}; "
            f"{skipped:.1f}% of {a['questions']} questions skipped, words not in the "
            f"vocabulary)\n"
        )
        if sections:
            width = max((len(s["section"]) for s in a["sections"]), default=0)
            for s in a["sections"]:
                acc = 100.0 * s["correct"] / s["answered"] if s["answered"] else 0.0
                out.write(
                    f"  {s['section']:<{width}}  {acc:6.2f}%  ({s['correct']}/{s['answered']})\n"
                )
    for p in result["pairs"]:
        if "error" in p:
            out.write(
                f"pairs {os.path.basename(p['file'])}: not evaluated, no pair has both "
                f"words in the vocabulary\n"
            )
            continue
        out.write(
            f"pairs {os.path.basename(p['file'])}: Spearman {p['spearman']:.4f}, "
            f"Pearson {p['pearson']:.4f} ({p['oov_percent']:.1f}% of pairs skipped, "
            f"words not in the vocabulary)\n"
        )


def cmd_eval(args):
    kv = load_vectors(args.vectors, args.format, args.limit)
    analogies = _resolve_eval_file(args.analogies) if args.analogies else None
    pairs = [_resolve_eval_file(p) for p in args.pairs or ()]
    auto = not analogies and not pairs
    if auto:
        from ..datasets import evaluation_file

        analogies = evaluation_file("questions-words")
        for name in ("wordsim353", "simlex999"):
            try:
                pairs.append(evaluation_file(name))
            except FileNotFoundError:
                _note(
                    f"{name} is not bundled; pip install gensim to evaluate on it too", args.quiet
                )
    with _library_messages(quiet=args.quiet, debug=args.debug):
        result = evaluate(
            kv,
            analogies,
            pairs,
            restrict_vocab=args.restrict_vocab,
            case_insensitive=not args.case_sensitive,
            skip_unusable_pairs=auto,
        )
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print_evaluation(result, sections=args.sections)
    return 0


def cmd_convert(args):
    _check_output_path(args.output)
    kv = load_vectors(args.input, args.from_format, args.limit)
    fmt = save_vectors(kv, args.output, args.to_format)
    _note(
        f"wrote {len(kv)} vectors of dimension {kv.vector_size} to {args.output} ({fmt})",
        args.quiet,
    )
    return 0


def cmd_export_projector(args):
    from ..vectors.formats import export_projector

    kv = load_vectors(args.vectors, args.format, args.limit)
    stem = args.prefix
    if stem is None:
        base = os.path.basename(args.vectors)
        for ext in (".gz", ".bz2", ".bin", ".txt", ".vec", ".fe", ".kv", ".model"):
            if base.lower().endswith(ext):
                base = base[: -len(ext)]
        stem = os.path.join(os.path.dirname(args.vectors), base)
    vectors_tsv = f"{stem}_vectors.tsv"
    metadata_tsv = f"{stem}_metadata.tsv"
    attrs = ("count",) if args.counts and "count" in kv.expandos else ()
    export_projector(kv, vectors_tsv, metadata_tsv, limit=args.limit, attrs=attrs)
    n = len(kv) if not args.limit else min(len(kv), args.limit)
    _note(
        f"wrote {n} vectors to {vectors_tsv} and labels to {metadata_tsv}; load both at "
        f"projector.tensorflow.org (Load)",
        args.quiet,
    )
    return 0


def cmd_node2vec(args):
    from ..models.graph import DeepWalk, Node2Vec

    _check_output_path(args.output)
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
    if args.hs:
        model = DeepWalk(args.edges, hs=1, negative=0, **common)
    else:
        model = Node2Vec(args.edges, p=args.p, q=args.q, **common)
    t0 = time.perf_counter()
    kv = model.fit()
    fmt = save_vectors(kv, args.output, args.format)
    _note(
        f"embedded {len(kv)} nodes in {time.perf_counter() - t0:.1f}s; wrote {args.output} ({fmt})",
        args.quiet,
    )
    return 0


def cmd_plot(args):
    from ..vectors import viz

    _check_output_path(args.output)
    kv = load_vectors(args.vectors, args.format, args.vocab_limit)
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
    _note(f"wrote {args.output}", args.quiet)
    return 0


def cmd_demo(args):
    from . import demo

    return demo.run(
        epochs=args.epochs,
        sg=args.sg,
        workers=args.workers,
        output_dir=args.output_dir,
        seed=args.seed,
        quiet=args.quiet,
        plot=not args.no_plot,
        progress_mode=_progress_mode(args),
        debug=args.debug,
    )


# ---------------------------------------------------------------------------------------------
# argument parser
# ---------------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"{message} (see {self.prog} --help)")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value}")
    return value


def _nonneg_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {value}")
    return value


def _common(p, progress=False):
    p.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing but results and errors"
    )
    p.add_argument(
        "--debug", action="store_true", help="show library log messages, and tracebacks on errors"
    )
    if progress:
        p.add_argument(
            "--progress",
            choices=_progress._MODES,
            default="auto",
            help="progress display on stderr: a bar (terminal), plain lines, or "
            "off (default: auto)",
        )


def _vectors_arg(p, name="vectors", limit_flag=None):
    """The vectors file to query and its --format; with limit_flag, also that option (load
    only the first N vectors)."""
    p.add_argument(
        name,
        help="vectors file: word2vec text or binary, GloVe, fastText .vec, "
        "or a native .fe file (the format is detected)",
    )
    p.add_argument(
        "--format",
        choices=("auto",) + VECTOR_FORMATS,
        default="auto",
        help="format of the vectors file (default: detect)",
    )
    if limit_flag:
        p.add_argument(
            limit_flag, type=_positive_int, default=None, help="load only the first N vectors"
        )


def build_parser():
    """The argparse parser of the subcommands."""
    parser = _Parser(
        prog=PROG,
        description=(
            "Train word2vec embeddings fast on CPU, query and evaluate them, convert vector files, "
            "plot. Run with word2vec.c's flags (e.g. -train corpus.txt -output vec.bin) to use it "
            "as a drop-in word2vec binary."
        ),
        epilog=f"'{PROG} SUBCOMMAND --help' shows each subcommand's options.",
    )
    from .. import __version__

    parser.add_argument("-V", "--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", parser_class=_Parser)

    # ---- train
    p = sub.add_parser(
        "train",
        help="train word vectors on a text corpus",
        description="Train word2vec on whitespace-tokenized text files (one "
        "sentence per line). Defaults are gensim's.",
    )
    p.add_argument("corpus", nargs="+", help="corpus file(s)")
    p.add_argument("-o", "--output", help="vectors file to write")
    p.add_argument(
        "--format",
        choices=("auto",) + VECTOR_FORMATS,
        default="auto",
        help="format of --output (auto: .bin binary, .fe/.kv/.model native, .vec "
        "fastText, else word2vec text)",
    )
    p.add_argument("--model", help="also save the whole model (native format) for more training")
    p.add_argument(
        "--vector-size", "--size", type=_positive_int, default=100, help="dimensions (default 100)"
    )
    p.add_argument("--window", type=_positive_int, default=5, help="context window (default 5)")
    p.add_argument(
        "--min-count", type=_nonneg_int, default=5, help="ignore words rarer than this (default 5)"
    )
    p.add_argument(
        "--max-vocab-size",
        type=_positive_int,
        default=None,
        help="bound on distinct words while counting",
    )
    p.add_argument(
        "--max-final-vocab", type=_positive_int, default=None, help="keep at most this many words"
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
        "--negative", type=_nonneg_int, default=5, help="negative samples (default 5; 0 disables)"
    )
    p.add_argument(
        "--ns-exponent", type=float, default=0.75, help="negatives drawn by count**x (default 0.75)"
    )
    p.add_argument(
        "--cbow-mean",
        type=int,
        choices=(0, 1),
        default=1,
        help="CBOW: 1 mean, 0 sum of context vectors (default 1)",
    )
    p.add_argument("--alpha", type=float, default=0.025, help="initial learning rate (0.025)")
    p.add_argument("--min-alpha", type=float, default=0.0001, help="final learning rate (0.0001)")
    p.add_argument("--epochs", "--iter", type=_positive_int, default=5, help="epochs (default 5)")
    p.add_argument(
        "--workers",
        "--threads",
        type=_positive_int,
        default=None,
        help="worker threads (default: all available cores)",
    )
    p.add_argument(
        "--seed",
        type=_nonneg_int,
        default=1,
        help="random seed (with --workers 1 the result is reproducible)",
    )
    p.add_argument("--save-vocab", help="write the vocabulary as 'word count' lines")
    p.add_argument(
        "--read-vocab",
        help="read the vocabulary ('word count' lines) instead of counting the corpus",
    )
    _common(p, progress=True)
    p.set_defaults(func=cmd_train)

    # ---- similar
    p = sub.add_parser(
        "similar",
        help="nearest neighbours of words",
        description="Print the nearest neighbours (cosine) of a word, or of the "
        "sum of several words. With no word, read queries from "
        "stdin, one per line, until EOF or EXIT (like word2vec.c's "
        "distance tool).",
    )
    _vectors_arg(p, limit_flag="--limit")
    p.add_argument("words", nargs="*", help="query word(s); none for an interactive prompt")
    p.add_argument("--negative", nargs="+", metavar="WORD", help="words to subtract")
    p.add_argument("-n", "--topn", type=_positive_int, default=10, help="results (default 10)")
    p.add_argument(
        "--restrict-vocab",
        type=_positive_int,
        default=None,
        help="search only the N most frequent words",
    )
    _common(p)
    p.set_defaults(func=cmd_similar)

    # ---- analogy
    p = sub.add_parser(
        "analogy",
        help="solve A is to B as C is to ?",
        description="Print the best answers D of 'A is to B as C is to D' "
        "(3CosAdd: B - A + C). With no words, read 'A B C' lines "
        "from stdin until EOF or EXIT.",
    )
    _vectors_arg(p, limit_flag="--limit")
    p.add_argument("words", nargs="*", metavar="WORD", help="A B C")
    p.add_argument("-n", "--topn", type=_positive_int, default=5, help="results (default 5)")
    p.add_argument("--cosmul", action="store_true", help="use 3CosMul instead of 3CosAdd")
    p.add_argument(
        "--restrict-vocab",
        type=_positive_int,
        default=None,
        help="search only the N most frequent words",
    )
    _common(p)
    p.set_defaults(func=cmd_analogy)

    # ---- eval
    p = sub.add_parser(
        "eval",
        help="evaluate on analogy questions and word-pair similarity",
        description="Analogy accuracy (questions-words format) and Spearman / "
        "Pearson correlation on word-pair files (word1 TAB word2 TAB "
        "score). With no file, the bundled questions-words and, when "
        "gensim is installed, WordSim-353 and SimLex-999.",
    )
    _vectors_arg(p, limit_flag="--limit")
    p.add_argument(
        "--analogies", metavar="FILE", help="analogy questions file, or 'questions-words' (bundled)"
    )
    p.add_argument(
        "--pairs",
        nargs="+",
        metavar="FILE",
        help="word-pair file(s), or 'wordsim353' / 'simlex999' (need gensim)",
    )
    p.add_argument(
        "--restrict-vocab",
        type=_positive_int,
        default=30000,
        help="analogies: use only the N most frequent words (default 30000)",
    )
    p.add_argument(
        "--case-sensitive",
        action="store_true",
        help="compare words as written (default: case-insensitive, like gensim)",
    )
    p.add_argument("--sections", action="store_true", help="analogy accuracy per section")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    _common(p)
    p.set_defaults(func=cmd_eval)

    # ---- convert
    p = sub.add_parser(
        "convert",
        help="convert between vector file formats",
        description="Convert vectors between word2vec text/binary, GloVe, "
        "fastText .vec and the native .fe format.",
    )
    p.add_argument("input", help="vectors file to read")
    p.add_argument("output", help="file to write")
    p.add_argument(
        "--from",
        dest="from_format",
        choices=("auto",) + VECTOR_FORMATS,
        default="auto",
        help="input format (default: detect)",
    )
    p.add_argument(
        "--to",
        dest="to_format",
        choices=("auto",) + VECTOR_FORMATS,
        default="auto",
        help="output format (default: from the output name: .bin "
        "binary, .fe/.kv/.model native, .vec fastText, else "
        "word2vec text)",
    )
    p.add_argument(
        "--limit", type=_positive_int, default=None, help="convert only the first N vectors"
    )
    _common(p)
    p.set_defaults(func=cmd_convert)

    # ---- demo
    p = sub.add_parser(
        "demo",
        help="train on the bundled sample corpus and show the results",
        description="Train on the bundled WordNet-glosses sample (~1.5 M tokens), "
        "then print neighbours, an analogy, evaluation scores and "
        "speed, and write plots (with matplotlib).",
    )
    p.add_argument("--epochs", type=_positive_int, default=5, help="epochs (default 5)")
    p.add_argument(
        "--sg",
        type=int,
        choices=(0, 1),
        default=1,
        help="1 skip-gram (default), 0 CBOW (faster, lower quality)",
    )
    p.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help="worker threads (default: all available cores)",
    )
    p.add_argument(
        "--output-dir",
        default="fastembed-demo",
        help="where to write the plots (default: ./fastembed-demo)",
    )
    p.add_argument("--no-plot", action="store_true", help="do not write plots")
    p.add_argument("--seed", type=_nonneg_int, default=1, help="random seed (default 1)")
    _common(p, progress=True)
    p.set_defaults(func=cmd_demo)

    # ---- plot
    p = sub.add_parser(
        "plot",
        help="draw word vectors (map, analogy offsets, neighbourhood)",
        description="Draw a 2-D map of words (PCA, or t-SNE / UMAP when "
        "installed), analogy pairs with arrows (--pairs), or a word "
        "and its neighbours (--neighbours). Needs matplotlib. The "
        "file type follows the output name (.png, .svg, .pdf).",
    )
    _vectors_arg(p, limit_flag="--vocab-limit")
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
        type=_positive_int,
        default=100,
        help="with no words: draw the N most frequent (default 100)",
    )
    p.add_argument(
        "--method",
        choices=("pca", "tsne", "umap"),
        default="pca",
        help="2-D projection (tsne needs scikit-learn, umap needs umap-learn)",
    )
    p.add_argument(
        "-n", "--topn", type=_positive_int, default=12, help="--neighbours: how many (default 12)"
    )
    p.add_argument(
        "--style",
        choices=("radial", "bar"),
        default="radial",
        help="--neighbours: radial map or bar chart (default radial)",
    )
    p.add_argument("--title", help="figure title")
    p.add_argument("--dpi", type=_positive_int, default=150, help="resolution of PNG files")
    p.add_argument("--seed", type=_nonneg_int, default=0, help="seed of t-SNE / UMAP")
    _common(p)
    p.set_defaults(func=cmd_plot)

    # ---- node2vec
    p = sub.add_parser(
        "node2vec",
        help="embed the nodes of a graph (node2vec / DeepWalk walks)",
        description="Random walks on a graph, generated in C, trained with "
        "skip-gram. Edge list: 'src dst [weight]' per line, "
        "whitespace or comma separated, '#' comments.",
    )
    p.add_argument("--edges", required=True, help="edge-list file")
    p.add_argument("-o", "--output", required=True, help="vectors file to write (keys: node ids)")
    p.add_argument(
        "--format",
        choices=("auto",) + VECTOR_FORMATS,
        default="auto",
        help="output format (default: from the file name, else word2vec text)",
    )
    p.add_argument("--dimensions", type=_positive_int, default=128)
    p.add_argument("--walk-length", type=_positive_int, default=80)
    p.add_argument("--num-walks", type=_positive_int, default=10)
    p.add_argument("--p", type=float, default=1.0, help="return parameter (default 1)")
    p.add_argument("--q", type=float, default=1.0, help="in-out parameter (default 1)")
    p.add_argument("--window", type=_positive_int, default=10)
    p.add_argument("--epochs", type=_positive_int, default=1)
    p.add_argument("--workers", type=_positive_int, default=None)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--directed", action="store_true", help="edges are directed")
    p.add_argument("--weighted", action="store_true", help="use the third column as weights")
    p.add_argument(
        "--hs",
        action="store_true",
        help="DeepWalk's original training: uniform walks, hierarchical softmax",
    )
    _common(p)
    p.set_defaults(func=cmd_node2vec)

    # ---- export-projector
    p = sub.add_parser(
        "export-projector",
        help="write TSV files for the TensorBoard Embedding Projector",
        description="Write PREFIX_vectors.tsv (one vector per line) and "
        "PREFIX_metadata.tsv (one word per line) for "
        "projector.tensorflow.org.",
    )
    _vectors_arg(p)
    p.add_argument(
        "--prefix", help="output prefix (default: the vectors file name without its extension)"
    )
    p.add_argument(
        "--limit",
        type=_positive_int,
        default=None,
        help="export only the N first (most frequent) words",
    )
    p.add_argument(
        "--counts",
        action="store_true",
        help="add a count column (with a header line) when counts are known",
    )
    _common(p)
    p.set_defaults(func=cmd_export_projector)
    return parser


def main(argv=None):
    """Entry point of the ``fastembed-core`` console script. Returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if (
        argv
        and argv[0].startswith("-")
        and not argv[0].startswith("--")
        and argv[0] not in ("-h", "-V")
    ):
        return _guard_pipe(lambda: word2vec_main(argv))
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
    except UsageError as exc:
        _err(exc)
        return 2
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
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
        if debug:
            traceback.print_exc()
        _err(_describe_exception(exc))
        return 1
