"""The ``fastembed-core`` command (also ``python -m fastembed_core``).

Two ways in:

* **word2vec.c's command line, verbatim.** When the first argument is a single-dash flag
  (``fastembed-core -train text8 -output vec.bin -binary 1 ...``) the flags, meanings and
  defaults are word2vec.c's, and the output files are what word2vec.c writes, so scripts that
  call ``./word2vec`` keep working with the binary name changed. See :mod:`.word2vec_c`.
* **fastText's verbs**: ``skipgram`` and ``cbow`` (fastText's single-dash flags and
  defaults, writing ``PREFIX.bin`` and ``PREFIX.vec``), ``print-word-vectors`` and ``nn``.
  See :mod:`.fasttext_cli`.
* **Subcommands** with GNU options: ``train``, ``similar``, ``analogy``, ``eval``,
  ``convert``, ``demo``, ``plot``, ``node2vec``, ``export-projector``.
  ``fastembed-core SUBCOMMAND --help`` lists each one's options; parameter names follow
  gensim.

Errors in what the user typed or in the files given (missing file, malformed vectors file,
unknown word, bad option value) end the command with one line ``fastembed-core: error: ...``
on stderr and exit status 1 (2 for command-line syntax), never a traceback; ``--debug`` (or
``-debug 3`` in word2vec.c mode) shows the traceback too. Ctrl-C exits with status 130.
Progress goes to stderr: a live bar on a terminal, a plain line every few seconds otherwise,
nothing with ``--quiet``.

Modules: :mod:`.command` (the parser and ``main``), one per subcommand (:mod:`.train`,
:mod:`.query` for ``similar`` and ``analogy``, :mod:`.evaluate`, :mod:`.convert` for
``convert`` and ``export-projector``, :mod:`.node2vec`, :mod:`.plot`, :mod:`.demo`),
:mod:`.word2vec_c` (the flag mode), :mod:`.fasttext_cli` (fastText's verbs), and what they
share: :mod:`.options` (argument types and common options), :mod:`.messages` (what goes to
stderr), :mod:`.vector_files` (loading and saving vectors), :mod:`.training` (training with
progress), :mod:`.evaluation` (evaluation runs and their report). Subcommand modules import
the shared ones, never the reverse.
"""

import importlib
import warnings

from .command import main

__all__ = ["main"]

# The names version 0.1's single-module ``fastembed_core.cli`` exported, and where they live
# now. They still resolve (with a DeprecationWarning naming the new place) for one version.
_MOVED = {
    "word2vec_main": "cli.word2vec_c",
    "word2vec_params": "cli.word2vec_c",
    "parse_word2vec_args": "cli.word2vec_c",
    "load_vectors": "cli.vector_files",
    "save_vectors": "cli.vector_files",
    "sniff_format": "io.detect",
    "kmeans_classes": "vectors.kmeans",
    "read_vocab_file": "io.vocab_file",
    "write_vocab_file": "io.vocab_file",
}


def __getattr__(name: str) -> object:
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    where = f"fastembed_core.{_MOVED[name]}"
    warnings.warn(
        f"fastembed_core.cli.{name} moved to {where}; import it from there",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(where), name)
