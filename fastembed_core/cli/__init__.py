"""The ``fastembed-core`` command (also ``python -m fastembed_core``).

Two ways in:

* **word2vec.c's command line, verbatim.** When the first argument is a single-dash flag
  (``fastembed-core -train text8 -output vec.bin -binary 1 ...``) the flags, meanings and
  defaults are word2vec.c's, and the output files are what word2vec.c writes, so scripts that
  call ``./word2vec`` keep working with the binary name changed. See :mod:`.word2vec_c`.
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
:mod:`.word2vec_c` (the flag mode), and what they share: :mod:`.options` (argument types and
common options), :mod:`.messages` (what goes to stderr), :mod:`.vector_files` (loading and
saving vectors), :mod:`.training` (training with progress), :mod:`.evaluation` (evaluation
runs and their report). Subcommand modules import the shared ones, never the reverse.
"""

from .command import main

__all__ = ["main"]
