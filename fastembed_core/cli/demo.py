"""``fastembed-core demo``: train on the bundled sample corpus and show what came out.

Trains word2vec on the WordNet 3.0 glosses shipped with the package (~1.47 M tokens, see
:func:`fastembed_core.datasets.sample_corpus_path`) with every available core, then prints
the corpus and vocabulary size, the training time and speed, nearest neighbours of a few
words, two analogies, and the evaluation scores: analogy accuracy on the bundled
questions-words set (``restrict_vocab=30000``) and Spearman's rho on the bundled WordSim-353
and SimLex-999. With matplotlib installed it also writes two pictures: a map of
words from a few topics and the country -> nationality offsets.

It needs nothing beyond numpy: without matplotlib the pictures are skipped with a note saying
what to install.

The words and analogies shown were chosen because they hold on this small corpus with the
default settings (skip-gram, 5 epochs) over many seeds: for example ``dog`` -> ``cat``,
``hound``; ``red`` -> ``yellow``, ``blue``; and ``france : french :: germany : german``.
A one-epoch or CBOW run gives visibly weaker neighbours, which is part of the lesson.
"""

import os
import sys
import tempfile
import time

from ..datasets import ensure_writable_dir, evaluation_file, sample_corpus_path
from ..models import progress as _progress
from .evaluation import evaluate
from .messages import PROG, library_messages
from .options import (
    add_common_options,
    add_workers_option,
    nonneg_int,
    positive_int,
    progress_mode_of,
)
from .training import run_training

__all__ = [
    "run",
    "add_parser",
    "cmd_demo",
    "NEIGHBOUR_WORDS",
    "ANALOGIES",
    "WORD_GROUPS",
    "COUNTRY_PAIRS",
]

#: Words whose neighbours are shown.
NEIGHBOUR_WORDS = ("dog", "red", "france", "music", "computer", "tree")

#: Analogies shown, as (a, b, c, expected d): a is to b as c is to d.
ANALOGIES = (("france", "french", "germany", "german"), ("father", "mother", "son", "daughter"))

#: Topics of the word map.
WORD_GROUPS = {
    "colours": ["red", "blue", "green", "yellow", "white", "black", "orange", "purple"],
    "animals": ["dog", "cat", "horse", "cow", "sheep", "wolf", "fox", "bird"],
    "countries": ["france", "germany", "italy", "spain", "russia", "china", "japan", "egypt"],
    "music": ["music", "piano", "violin", "guitar", "song", "dance", "drum", "singing"],
    "family": ["mother", "father", "son", "daughter", "brother", "sister", "wife", "husband"],
    "numbers": ["two", "three", "four", "five", "six", "seven", "eight"],
}

#: Pairs of the analogy picture.
COUNTRY_PAIRS = (
    ("france", "french"),
    ("germany", "german"),
    ("italy", "italian"),
    ("spain", "spanish"),
    ("russia", "russian"),
    ("japan", "japanese"),
    ("china", "chinese"),
)


def _fmt_int(n):
    return f"{int(n):,}"


def run(
    epochs=5,
    sg=1,
    workers=None,
    output_dir="fastembed-demo",
    seed=1,
    quiet=False,
    plot=True,
    progress_mode="auto",
    debug=False,
    out=None,
):
    """Runs the demo; prints to ``out`` (default stdout), progress and notes to stderr.

    Parameters
    ----------
    epochs : int
    sg : {0, 1}
        1 skip-gram (default: better vectors on a small corpus), 0 CBOW (about 3x faster).
    workers : int, optional
        Threads; default every available core.
    output_dir : str
        Folder for the pictures (created if needed; a temporary folder is used if it cannot be
        written).
    seed : int
    quiet : bool
        No progress display and no notes; the results are still printed.
    plot : bool
        Write the pictures (when matplotlib is installed).
    progress_mode : {"auto", "bar", "lines", "off"}
    debug : bool
        Show the library's log messages.

    Returns
    -------
    int
        0.
    """
    from ..models.word2vec import Word2Vec

    out = sys.stdout if out is None else out
    if quiet:
        progress_mode = "off"

    def say(text=""):
        out.write(text + "\n")
        out.flush()

    def note(text):
        if not quiet:
            _progress.write(f"{PROG}: {text}")

    say("fastembed_core demo: word2vec on the bundled sample corpus (WordNet 3.0 glosses)")
    t0 = time.perf_counter()
    path = sample_corpus_path()
    with library_messages(quiet=quiet, debug=debug) as forward:
        model = Word2Vec(sg=sg, epochs=epochs, workers=workers, seed=seed)
        seconds = run_training(model, [path], progress_mode=progress_mode, forward=forward)
    vocab = len(model.wv)
    say(f"corpus:     {path}")
    say(
        f"            {os.path.getsize(path) / 1e6:.1f} MB, {_fmt_int(model.corpus_total_words)} "
        f"tokens in {_fmt_int(model.corpus_count)} lines"
    )
    say(f"vocabulary: {_fmt_int(vocab)} words seen at least {model.effective_min_count} times")
    arch = "skip-gram" if sg else "CBOW"
    say(
        f"model:      {arch}, {model.vector_size} dimensions, window {model.window}, "
        f"{model.negative} negatives, {epochs} epoch{'s' if epochs != 1 else ''}, "
        f"{model.workers} thread{'s' if model.workers != 1 else ''}"
    )
    say(
        f"training:   {seconds:.1f} s, {_fmt_int(model.words_per_second)} effective words/s "
        f"(words left after subsampling, per second of training)"
    )

    say("")
    say("nearest neighbours (cosine similarity):")
    width = max(len(w) for w in NEIGHBOUR_WORDS)
    wv = model.wv
    for word in NEIGHBOUR_WORDS:
        if word not in wv:
            say(f"  {word:<{width}}  (not in the vocabulary)")
            continue
        near = wv.most_similar(word, topn=6)
        say(f"  {word:<{width}}  " + ", ".join(f"{k} {s:.3f}" for k, s in near))

    say("")
    say("analogies (a is to b as c is to ?, answered by b - a + c):")
    for a, b, c, expected in ANALOGIES:
        if not all(w in wv for w in (a, b, c)):
            continue
        top = [k for k, _ in wv.most_similar(positive=[b, c], negative=[a], topn=5)]
        rank = top.index(expected) + 1 if expected in top else None
        verdict = (
            "correct"
            if rank == 1
            else f"'{expected}' is answer #{rank}"
            if rank
            else f"'{expected}' is not in the top 5"
        )
        say(f"  {a} : {b} :: {c} : {top[0]}   ({verdict}; next: {', '.join(top[1:4])})")

    say("")
    say("evaluation:")
    with library_messages(quiet=True, debug=False):
        result = evaluate(
            wv,
            "questions-words",
            ["wordsim353", "simlex999"],
            restrict_vocab=30000,
            resolve=evaluation_file,
        )
    a = result["analogies"]
    if "error" in a:
        say(f"  questions-words: not evaluated: {a['error']}")
    else:
        skipped = a["questions"] - a["answered"]
        say(
            f"  questions-words analogy accuracy: {100 * a['accuracy']:.1f}% "
            f"({a['correct']:,} of {a['answered']:,} questions; {skipped:,} more use words "
            f"outside the vocabulary's {min(vocab, a['restrict_vocab']):,} most frequent)"
        )
    for p in result["pairs"]:
        name = os.path.basename(p["file"])
        if "error" in p:
            say(f"  {name}: not evaluated: {p['error']}")
        else:
            say(
                f"  {name} Spearman rho: {p['spearman']:.3f} "
                f"({p['oov_percent']:.0f}% of pairs skipped, words not in the vocabulary)"
            )
    say("  (a corpus of 1.5 M words is small: vectors trained on 100 M+ words score far higher)")

    if plot:
        say("")
        _plots(wv, output_dir, say, note)
    say("")
    say(
        f"done in {time.perf_counter() - t0:.1f} s. Next: fastembed-core train YOUR_CORPUS.txt "
        f"-o vectors.bin --sg 1, then fastembed-core similar vectors.bin WORD"
    )
    return 0


def _plots(wv, output_dir, say, note):
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        say(
            "pictures: skipped, matplotlib is not installed (pip install matplotlib, or "
            "pip install 'fastembed_core[plot]')"
        )
        return
    from ..vectors import viz

    folder = output_dir
    if not ensure_writable_dir(folder):
        fallback = tempfile.mkdtemp(prefix="fastembed-demo-")
        note(f"cannot write to {folder!r}; writing the pictures to {fallback}")
        folder = fallback
    groups = {g: [w for w in words if w in wv] for g, words in WORD_GROUPS.items()}
    groups = {g: ws for g, ws in groups.items() if ws}
    pairs = [p for p in COUNTRY_PAIRS if p[0] in wv and p[1] in wv]
    written = []
    if sum(len(ws) for ws in groups.values()) >= 2:
        path = os.path.join(folder, "word_map.png")
        viz.plot_words(
            wv, groups=groups, path=path, title="Words from six topics (PCA of the trained vectors)"
        )
        written.append(path)
    if len(pairs) >= 2:
        path = os.path.join(folder, "country_nationality.png")
        viz.plot_analogies(wv, pairs, path=path, title="Country → nationality: one shared offset")
        written.append(path)
    if "dog" in wv:
        path = os.path.join(folder, "neighbours_dog.png")
        viz.plot_neighbours(wv, "dog", topn=12, path=path)
        written.append(path)
    say("pictures:")
    for p in written:
        say(f"  {os.path.abspath(p)}")


def add_parser(sub):
    """Adds the ``demo`` subcommand to ``sub``.

    Parameters
    ----------
    sub : object
        What ``argparse.ArgumentParser.add_subparsers`` returned.
    """
    p = sub.add_parser(
        "demo",
        help="train on the bundled sample corpus and show the results",
        description="Train on the bundled WordNet-glosses sample (~1.5 M tokens), "
        "then print neighbours, an analogy, evaluation scores and "
        "speed, and write plots (with matplotlib).",
    )
    p.add_argument("--epochs", type=positive_int, default=5, help="epochs (default 5)")
    p.add_argument(
        "--sg",
        type=int,
        choices=(0, 1),
        default=1,
        help="1 skip-gram (default), 0 CBOW (faster, lower quality)",
    )
    add_workers_option(p)
    p.add_argument(
        "--output-dir",
        default="fastembed-demo",
        help="where to write the plots (default: ./fastembed-demo)",
    )
    p.add_argument("--no-plot", action="store_true", help="do not write plots")
    p.add_argument("--seed", type=nonneg_int, default=1, help="random seed (default 1)")
    add_common_options(p, progress=True)
    p.set_defaults(func=cmd_demo)


def cmd_demo(args):
    """Runs ``fastembed-core demo``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit status.
    """
    return run(
        epochs=args.epochs,
        sg=args.sg,
        workers=args.workers,
        output_dir=args.output_dir,
        seed=args.seed,
        quiet=args.quiet,
        plot=not args.no_plot,
        progress_mode=progress_mode_of(args),
        debug=args.debug,
    )
