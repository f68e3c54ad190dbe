"""The lifecycle every model family shares, in gensim's shape.

``Model(corpus, ...)`` builds the vocabulary and trains at once; ``Model(...)`` without a
corpus waits for :meth:`~EmbeddingModel.build_vocab` and :meth:`~EmbeddingModel.train`. The
steps are the same for every family:

vocabulary (count, select, allocate rows) -> encoding (the corpus to uint32 ids, once) ->
epochs (each a kernel call per worker thread over a range of sentences, GIL released) ->
callbacks and progress -> finite checks -> save / load (the native container, never pickle).

A family supplies only what differs: which kernel step runs (:meth:`_make_run`) and which
weights it trains besides the input vectors (:attr:`_LAYERS` with :meth:`_allocate_layers`,
:meth:`_grow_layers`, :meth:`_layer_shape`), plus the names it saves (:attr:`_KIND`,
:attr:`_PARAMS`, :attr:`_INIT_PARAMS`). Families whose corpus is not token lists (graph walks)
override :meth:`_scan` and :meth:`_encode`.

Size: long because the lifecycle is one piece: splitting vocabulary, training and
persistence apart would only pass the same state between modules.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import threading
import time
import types
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Callable, ClassVar

import numpy as np

from .. import _kernel
from ..errors import CorpusArgumentError, CorpusError, FormatError, TrainingDivergedError
from ..io.native import read_container, write_container
from ..validation import check_float, check_int
from ..vectors.keyedvectors import KeyedVectors
from ..vectors.storage import lockf_arrays, restore_lockf
from . import vocab as vocab_mod
from .corpora import file_route
from .workers import available_cores, train_sentences

logger = logging.getLogger("fastembed_core")

__all__ = ["EmbeddingModel"]

_SEED_STREAM = 0x5EED

# The state saved besides the parameters: restored after the constructor ran on load.
TRAINING_STATE = (
    "corpus_count",
    "corpus_total_words",
    "effective_min_count",
    "train_count",
    "total_train_time",
)


# Run-time state left out of pickles and deep copies (see EmbeddingModel.__getstate__).
_TRANSIENT = (
    "_busy",
    "_busy_owner",
    "_busy_what",
    "_workers_running",
    "_active_run",
    "_scanned_file",
    "_tables",
)


class _ClassOnlyMethod:
    """A classmethod that instances do not have: ``model.load(path)`` reads as if it filled
    ``model`` in place, while it returns a new model and leaves ``model`` as it was. gensim
    raises AttributeError for that call, and so does this descriptor (``hasattr(model,
    "load")`` is False; ``type(model).load`` works)."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.__func__ = func
        self.__doc__ = func.__doc__
        self.__name__ = func.__name__

    def __get__(self, instance: object, owner: type | None = None) -> Callable[..., Any]:
        if instance is not None:
            cls = type(instance).__name__
            raise AttributeError(
                f"{self.__name__}() is called on the class, not on a model: "
                f"{cls}.{self.__name__}(path) returns a new {cls}"
            )
        return types.MethodType(self.__func__, owner)


def _warn_if_short(n_sentences, total_examples, raw_words, total_words):
    """gensim's check: a corpus that yields other than the expected count on this pass (a
    generator-backed re-iterable that is exhausted, a file that changed) trains on what it
    gave, but the user is told."""
    for what, got, expected in (
        ("sentences", n_sentences, total_examples),
        ("words", raw_words, total_words),
    ):
        if expected is not None and got is not None and got != expected:
            warnings.warn(
                f"the corpus gave {got} {what} on this pass but {expected} were expected "
                f"(total_{'examples' if what == 'sentences' else 'words'}={expected}); training "
                "uses what it gave (a re-iterable that yields less on later passes?)",
                RuntimeWarning,
                stacklevel=3,
            )


def _all_finite(arr, block_rows=1 << 15):
    """Whether every value of ``arr`` is finite, a block of rows at a time: ``np.isfinite`` of
    the whole array would allocate a bool per value after every epoch (200 MB for FastText's
    input matrix of 2,000,000 n-gram rows x 100), raising the peak memory by a quarter."""
    return all(
        np.isfinite(arr[i : i + block_rows]).all() for i in range(0, max(len(arr), 1), block_rows)
    )


def _pipes(paths):
    """The paths that are not regular files (named pipes, /dev/fd/N, devices)."""
    out = []
    for path in paths:
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                out.append(path)
        except OSError:
            pass  # reading it raises the proper error
    return out


def _file_state(paths):
    """What tells whether files changed: size, modification time, inode and device of each."""
    state = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            return None  # reading it will raise the proper error
        state.append((st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev))
    return state


def _check_switch(name, value):
    """A saved switch: a bool, or 0/1 as files of the int-valued flags have."""
    if not isinstance(value, bool):
        check_int(name, value, 0, 1)


def _check_comment(name, value):
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} must be a string or null; got {value!r}")


def _check_one_corpus(corpus_iterable, corpus_file):
    """One corpus form per call: with both, one would be silently ignored."""
    if corpus_iterable is not None and corpus_file is not None:
        raise CorpusArgumentError("pass either sentences or corpus_file, not both")


def _is_path(value) -> bool:
    return isinstance(value, (str, bytes, os.PathLike))


def _check_corpus_forms(corpus_iterable, corpus_file):
    """The corpus arguments' types, checked before anything else about a train() call (as
    gensim does, with TypeError): a wrong type is the first mistake to report, before a
    missing corpus size."""
    _check_one_corpus(corpus_iterable, corpus_file)
    if corpus_file is not None and not (
        _is_path(corpus_file)
        or (
            isinstance(corpus_file, (list, tuple))
            and corpus_file
            and all(map(_is_path, corpus_file))
        )
    ):
        raise TypeError(
            f"corpus_file must be a path (or a list of paths); got {type(corpus_file).__name__}"
            + (
                ": token lists go in corpus_iterable"
                if isinstance(corpus_file, (list, tuple))
                else ""
            )
        )
    if _is_path(corpus_iterable):
        raise TypeError(
            "corpus_iterable must be an iterable of token lists; to read a file pass "
            "corpus_file=path"
        )
    if corpus_iterable is not None and not hasattr(corpus_iterable, "__iter__"):
        raise TypeError(
            f"corpus_iterable must be an iterable of token lists; got "
            f"{type(corpus_iterable).__name__}"
        )


def _job_seed(seed, epoch, worker):
    """A 64-bit stream seed per (seed, epoch, worker): stable across processes and platforms."""
    state = np.random.SeedSequence([_SEED_STREAM, seed, epoch, worker]).generate_state(1, np.uint64)
    return int(state[0])


class EmbeddingModel:
    """Shared lifecycle of the embedding models: vocabulary, training, callbacks, save/load.

    Not used directly: a family (e.g. :class:`~fastembed_core.models.word2vec.Word2Vec`)
    subclasses it, validates its own parameters in ``__init__`` after calling
    :meth:`_setup`, and provides the hooks below.

    Notes
    -----
    The hooks a family provides:

    ``_KIND``
        The kind written into saved files (a file of another kind is refused on load).
    ``_PARAMS``, ``_INIT_PARAMS``
        Attributes saved in a file's metadata; the subset passed by keyword to ``__init__``
        when the file is loaded.
    ``_LAYERS``
        ``{attribute: description}`` of the weight matrices trained besides ``wv.vectors``
        (each None when the configuration does not train it).
    ``_allocate_layers(vocab_size)``, ``_grow_layers(n_old, n_new)``
        Create the layers for a fresh vocabulary / extend them for new words.
    ``_layer_shape(name, n_keys)``
        The shape a layer has for ``n_keys`` words, or None if not trained (load checks).
    ``_estimate_bytes(vocab_size)``
        Bytes the weights need (the up-front memory check).
    ``_make_run(ids, offsets, epochs, alpha, min_alpha)``
        The kernel run: an object with ``train_range(start, end, seed)`` returning
        ``(stopped, words, effective_words, loss)``, ``words_done`` and ``request_stop()``.

    Callbacks are objects with any subset of ``on_train_begin(model)``, ``on_epoch_begin(model)``,
    ``on_epoch_end(model)``, ``on_train_end(model)`` and ``on_progress(model, epoch, epochs,
    words_done, epoch_words)``; called in that order from the thread calling :meth:`train`.
    """

    _KIND: ClassVar[str] = ""
    _PARAMS: ClassVar[tuple[str, ...]] = ()
    _INIT_PARAMS: ClassVar[tuple[str, ...]] = ()
    # parameters added after files were written without them: the value those files imply
    _PARAM_DEFAULTS: ClassVar[dict[str, Any]] = {}
    _LAYERS: ClassVar[dict[str, str]] = {}
    # Parameters saved as bools (the constructor takes any truthy value; a file has a bool).
    _SWITCHES: ClassVar[tuple[str, ...]] = ("sorted_vocab", "compute_loss")

    @property
    def wv(self) -> KeyedVectors:
        """The trained vectors (gensim's ``model.wv``)."""
        return self._wv

    @wv.setter
    def wv(self, kv: KeyedVectors) -> None:
        # kv.save() goes through this model's guard, so that saving the vectors from another
        # thread while this model trains them is refused instead of writing a torn file.
        kv.save_guard = self._guard
        kv.derived_vecattrs = self._derived_vecattrs
        self._wv = kv

    # ------------------------------------------------------------------ construction

    def _setup(
        self,
        *,
        vector_size,
        alpha,
        min_alpha,
        window,
        min_count,
        max_vocab_size,
        sample,
        seed,
        workers,
        epochs,
        trim_rule,
        sorted_vocab,
        compute_loss,
        callbacks,
        max_final_vocab,
        corpus_file_errors,
        comment,
    ):
        """Validates the parameters every family has and sets the untrained state."""
        self.vector_size = check_int("vector_size", vector_size, 1, 1 << 20)
        self.alpha = check_float("alpha", alpha, 0.0, low_open=True)
        self.min_alpha = check_float("min_alpha", min_alpha, 0.0)
        if self.min_alpha > self.alpha:
            raise ValueError(f"min_alpha ({min_alpha}) must not exceed alpha ({alpha})")
        self.window = check_int("window", window, 1, 1 << 24)
        self.min_count = check_int("min_count", min_count, 0)
        self.max_vocab_size = check_int("max_vocab_size", max_vocab_size, 1, allow_none=True)
        self.sample = check_float("sample", sample, 0.0)
        self.seed = check_int("seed", seed, 0, (1 << 64) - 1)
        if workers is None:
            workers = available_cores()
        self.workers = check_int("workers", workers, 1, 4096)
        if self.workers > available_cores():
            warnings.warn(
                f"workers={workers} exceeds the {available_cores()} available cores; "
                f"extra threads only add contention",
                RuntimeWarning,
                stacklevel=3,
            )
        self.epochs = check_int("epochs", epochs, 1)
        self.trim_rule = trim_rule
        self.sorted_vocab = bool(sorted_vocab)
        self.compute_loss = bool(compute_loss)
        self.callbacks = tuple(callbacks)
        self.max_final_vocab = check_int("max_final_vocab", max_final_vocab, 1, allow_none=True)
        if corpus_file_errors not in ("strict", "replace", "ignore"):
            raise ValueError(
                f"corpus_file_errors must be 'strict', 'replace' or 'ignore'; "
                f"got {corpus_file_errors!r}"
            )
        self.corpus_file_errors = corpus_file_errors
        self.comment = comment

        self.wv = KeyedVectors(self.vector_size)
        for name in self._LAYERS:
            setattr(self, name, None)
        self.corpus_count = 0
        self.corpus_total_words = 0
        self.effective_min_count = self.min_count
        self.running_training_loss = 0.0
        self.epoch_losses = []
        self.train_count = 0
        self.total_train_time = 0.0
        # the lowest learning rate a train() call reached (gensim's name): a later call starting
        # above it is warned about
        self.min_alpha_yet_reached = self.alpha
        self.words_per_second = 0.0
        self._tables = None  # a family's tables derived from the vocabulary; None: rebuild
        self._busy = threading.Lock()
        self._busy_owner = None  # thread id holding _busy
        self._busy_what = None  # the operation holding it
        self._workers_running = False  # worker threads are writing the weights right now
        self._active_run = None
        self._scanned_file = None  # tokens of the last corpus_file scan, see _scan
        self._empty_vocab = None  # why the last build_vocab() kept no word (an error to raise)
        self._raw_vocab = None

    def _train_now(self, corpus_iterable, corpus_file):
        """The ``Model(corpus, ...)`` form: build the vocabulary and train, if given a corpus."""
        if corpus_iterable is not None and corpus_file is not None:
            raise CorpusArgumentError("pass either sentences or corpus_file, not both")
        if corpus_iterable is None and corpus_file is None:
            return
        if corpus_iterable is not None and not isinstance(corpus_iterable, vocab_mod.EncodedCorpus):
            vocab_mod.check_reiterable(corpus_iterable, 2)
        self.build_vocab(corpus_iterable, corpus_file=corpus_file, trim_rule=self.trim_rule)
        if self._empty_vocab is not None:
            raise self._empty_vocab
        self.train(
            corpus_iterable,
            corpus_file=corpus_file,
            total_examples=self.corpus_count,
            total_words=self.corpus_total_words,
            epochs=self.epochs,
            compute_loss=self.compute_loss,
            callbacks=self.callbacks,
        )

    # ------------------------------------------------------------------ family hooks

    def _allocate_layers(self, vocab_size):
        """Creates the trained layers besides ``wv.vectors`` for a fresh vocabulary."""

    def _grow_layers(self, n_old, n_new):
        """Extends the trained layers by ``n_new`` words after ``n_old`` existing ones."""

    def _layer_shape(self, name, n_keys):
        """Shape of layer ``name`` for ``n_keys`` words; None if this configuration lacks it."""
        return None

    def _derived_vecattrs(self):
        """Per-key attributes the family derives (``{name: function(row) -> value}``), read
        through ``wv.get_vecattr``; see ``KeyedVectors.derived_vecattrs``."""
        return {}

    def _older_layer(self, name, arr, shape):
        """Layer ``name`` of a file written when it had another shape, brought to ``shape``
        (returned unchanged when the family knows no such older shape)."""
        return arr

    def _extra_arrays(self):
        """Arrays a family saves besides its layers (``{name: array}``), e.g. state that the
        counts alone do not rebuild."""
        return {}

    def _restore_extra_arrays(self, fname, arrays):
        """Takes back (and checks) what :meth:`_extra_arrays` saved, when ``arrays`` has it."""

    def _extra_meta(self):
        """Metadata a family saves besides its parameters (``{name: JSON value}``), e.g. the
        keys of a second set of vectors."""
        return {}

    def _restore_extra_meta(self, fname, meta):
        """Takes back (and checks) what :meth:`_extra_meta` saved; called on load before
        :meth:`_restore_extra_arrays`."""

    def _estimate_bytes(self, vocab_size):
        """Bytes the weights of ``vocab_size`` words need."""
        return vocab_size * (self.vector_size * 4 + 32)

    def _make_run(self, ids, offsets, epochs, alpha, min_alpha):
        """The kernel run over the encoded corpus (see the class docstring)."""
        raise NotImplementedError(f"{type(self).__name__} does not define its kernel run")

    # ------------------------------------------------------------------ vocabulary

    @contextlib.contextmanager
    def _guard(self, what):
        """Holds the model for one operation (``what``: train, build_vocab or save); a second
        one meanwhile (another thread calling build_vocab, train or save) is refused instead of
        racing on the weights.

        The one exception is a save on the thread that holds the model while no worker is
        writing: a callback's ``on_epoch_end`` saving a checkpoint between epochs. The weights
        are still then, so the file is consistent; it runs inside the held operation."""
        me = threading.get_ident()
        if what == "save" and self._busy_owner == me and not self._workers_running:
            yield  # only this thread sets _busy_owner to its own id: no race here
            return
        if not self._busy.acquire(blocking=False):
            raise RuntimeError(self._busy_message(what, me))
        self._busy_owner, self._busy_what = me, what
        try:
            yield
        finally:
            self._busy_owner = self._busy_what = None
            self._busy.release()

    def _busy_message(self, what, me):
        holder = self._busy_what or "another call"
        if self._busy_owner != me:
            message = (
                f"cannot {what} while another operation ({holder}) is running on this model "
                f"in another thread"
            )
            if what == "save":
                message += (
                    ": the weights may change while the file is written. Save after that "
                    "call returns, or from a callback's on_epoch_end (it runs on the training "
                    "thread between epochs, when no worker writes)"
                )
            return message
        if what == "save":
            return (
                f"cannot save while another operation ({holder}) has its workers writing the "
                f"weights (on_progress runs during an epoch); save from a callback's "
                f"on_epoch_end, which runs between epochs, or after train() returns"
            )
        return (
            f"cannot {what} while another operation ({holder}) is running on this model: a "
            f"callback cannot {what} on the model it is called for"
        )

    @staticmethod
    def _file_paths(corpus_file):
        paths = (
            [corpus_file]
            if isinstance(corpus_file, (str, bytes, os.PathLike))
            else list(corpus_file)
        )
        if not paths:
            raise ValueError("corpus_file is an empty list")
        return [os.fspath(p) for p in paths]

    def _scan(self, corpus_iterable, corpus_file):
        """Raw counts of a corpus in any supported form: (counts dict, total words, sentences).

        A corpus_file scan also keeps its tokens (as indices into the words it found), so that
        train() on the same, unchanged files maps them to the vocabulary instead of reading and
        tokenizing the files a second time."""
        self._scanned_file = None
        _check_one_corpus(corpus_iterable, corpus_file)
        route = file_route(corpus_iterable) if corpus_file is None else None
        if route is not None and (routed := self._scan_route(route)) is not None:
            return routed
        if corpus_file is not None:
            paths = self._file_paths(corpus_file)
            state = _file_state(paths)
            words, counts, total, n_sent, tokens = vocab_mod.count_files(
                paths, self.corpus_file_errors, self.max_vocab_size, self.workers
            )
            if tokens is not None and state is not None:
                self._scanned_file = (paths, state, self.corpus_file_errors, words, tokens, total)
            return vocab_mod.WordCounts(words, counts), total, n_sent
        if isinstance(corpus_iterable, vocab_mod.EncodedCorpus):
            return vocab_mod.count_ids(corpus_iterable)
        if corpus_iterable is None:
            raise CorpusArgumentError("pass a corpus: corpus_iterable/sentences or corpus_file")
        counts, total, n_sent = vocab_mod.count_iterable(corpus_iterable, self.max_vocab_size)
        return vocab_mod.check_keys(counts), total, n_sent

    def _scan_route(self, route):
        """A reader of models.corpora counted by the C file reader, its sentences cut as the
        reader cuts them; None (iterate it instead) when the tokens cannot be kept or the
        file is not valid UTF-8 (iterating raises the reader's own error)."""
        state = _file_state(route.paths)
        try:
            words, counts, total, _, tokens = vocab_mod.count_files(
                route.paths, max_vocab_size=self.max_vocab_size, workers=self.workers
            )
        except CorpusError:
            return None
        if tokens is None or state is None:
            return None
        ids, offsets = tokens[0], route.split(tokens[1])
        self._scanned_file = (route.paths, state, route.policy, words, (ids, offsets), total)
        return dict(zip(words, counts.tolist())), total, len(offsets) - 1

    def _routed_tokens(self, route):
        """(ids, offsets, raw words, sentences) of a routed reader: the tokens its build_vocab
        scan kept, or a new scan's; None if it has to be iterated."""
        for _ in range(2):  # build_vocab's scan of this reader, else a new one
            scanned = self._scanned_file
            encoded = self._take_scanned_file(route.paths, route.policy)
            if encoded is not None:
                # the sentences the reader yields, as iterating counts them (empty ones too)
                return (*encoded, len(scanned[4][1]) - 1)
            if self._scan_route(route) is None:
                return None
        return None

    def _take_scanned_file(self, paths, policy=None):
        """The tokens kept by the last scan mapped to the current vocabulary, as
        (ids, offsets, raw words), if that scan read exactly these files, unchanged since
        (size, modification time, inode) and with the same UTF-8 policy; else None. They are
        handed out once (mapped in place)."""
        scanned, self._scanned_file = self._scanned_file, None
        if scanned is None:
            return None
        scanned_paths, state, errors, words, (ids, offsets), total = scanned
        if scanned_paths != paths or errors != (policy or self.corpus_file_errors):
            return None
        # A pipe's state changes as it is read and it cannot be read again: what the scan
        # kept is all there is. Regular files are used only if unchanged since the scan.
        if not _pipes(paths) and _file_state(paths) != state:
            return None
        from .. import _corpus

        new_id = _corpus.lookup(words, self.wv.key_to_index)
        ids, offsets = _corpus.remap_tokens(ids, offsets, new_id)
        return ids, offsets, total

    def build_vocab(
        self,
        corpus_iterable: Iterable[Sequence[Any]] | vocab_mod.EncodedCorpus | None = None,
        corpus_file: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
        update: bool = False,
        progress_per: int = 10000,
        keep_raw_vocab: bool = False,
        trim_rule: Callable[[Any, int, int], int] | None = None,
        **kwargs: Any,
    ) -> None:
        """Build the vocabulary from a corpus.

        Parameters
        ----------
        corpus_iterable : iterable of list of str (or hashable), or EncodedCorpus, optional
            The corpus (``sentences=`` is accepted as gensim's older name).
        corpus_file : str or list of str, optional
            Path(s) of whitespace-tokenized text, one sentence per line.
        update : bool
            Add new words to an existing vocabulary (their vectors initialised fresh) and
            increase the counts of known words, for continued training.
        progress_per : int
            Accepted for gensim compatibility.
        keep_raw_vocab : bool
            Keep the raw counts (before ``min_count``) on the model.
        trim_rule : callable, optional
            Overrides the model's ``trim_rule`` for this call.
        **kwargs
            Only ``sentences``.
        """
        if "sentences" in kwargs:
            corpus_iterable = kwargs.pop("sentences")
        if kwargs:
            raise TypeError(f"unexpected arguments: {', '.join(kwargs)}")
        with self._guard("build_vocab"):
            t0 = time.perf_counter()
            counts, total, n_sent = self._scan(corpus_iterable, corpus_file)
            logger.info(
                "collected %d word types from a corpus of %d raw words and %d sentences in %.2fs",
                len(counts),
                total,
                n_sent,
                time.perf_counter() - t0,
            )
            self.corpus_count, self.corpus_total_words = n_sent, total
            self._apply_counts(
                counts,
                update,
                trim_rule if trim_rule is not None else self.trim_rule,
                total,
                n_sent,
            )
            if keep_raw_vocab:
                self._raw_vocab = dict(counts.items())

    def build_vocab_from_freq(
        self,
        word_freq: Mapping[Any, int],
        keep_raw_vocab: bool = False,
        corpus_count: int | None = None,
        trim_rule: Callable[[Any, int, int], int] | None = None,
        update: bool = False,
    ) -> None:
        """Build the vocabulary from a ``{word: count}`` mapping instead of a corpus.

        Parameters
        ----------
        word_freq : mapping of word to int
            Counts; negative counts are refused.
        keep_raw_vocab : bool
            Keep the counts on the model.
        corpus_count : int, optional
            Number of sentences the counts came from.
        trim_rule : callable, optional
            Overrides the model's ``trim_rule``.
        update : bool
            Add to an existing vocabulary, as in :meth:`build_vocab`.
        """
        with self._guard("build_vocab"):
            counts = vocab_mod.check_keys({k: int(v) for k, v in word_freq.items()})
            if any(v < 0 for v in counts.values()):
                raise ValueError("word counts must be non-negative")
            total = sum(counts.values())
            self.corpus_count = corpus_count or 0
            self.corpus_total_words = total
            self._apply_counts(
                counts,
                update,
                trim_rule if trim_rule is not None else self.trim_rule,
                total,
                self.corpus_count,
            )
            if keep_raw_vocab:
                self._raw_vocab = counts

    # The vocabulary step by step, as gensim splits build_vocab(): scan_vocab() counts,
    # prepare_vocab() chooses the words (or only reports with dry_run), estimate_memory()
    # sizes the weights. prepare_vocab() also allocates them: build_vocab() equals the two
    # calls.

    @property
    def raw_vocab(self) -> dict[Any, int]:
        """The raw counts of the last :meth:`scan_vocab` (or of ``build_vocab`` with
        ``keep_raw_vocab=True``), before ``min_count``; empty when none are kept."""
        return self._raw_vocab if self._raw_vocab is not None else {}

    @raw_vocab.setter
    def raw_vocab(self, counts: Mapping[Any, int] | None) -> None:
        self._raw_vocab = None if counts is None else vocab_mod.check_keys(dict(counts))

    def scan_vocab(
        self,
        corpus_iterable: Iterable[Sequence[Any]] | vocab_mod.EncodedCorpus | None = None,
        corpus_file: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
        progress_per: int = 10000,
        workers: int | None = None,
        trim_rule: Callable[[Any, int, int], int] | None = None,
    ) -> tuple[int, int]:
        """Count the words of a corpus into :attr:`raw_vocab`, the first step of
        :meth:`build_vocab`; :meth:`prepare_vocab` then chooses the vocabulary.

        Parameters
        ----------
        corpus_iterable, corpus_file
            The corpus, as for :meth:`build_vocab`.
        progress_per, workers, trim_rule
            Accepted for gensim compatibility (counting is pruned by ``max_vocab_size``
            alone).

        Returns
        -------
        tuple of (int, int)
            ``(total_words, corpus_count)``: tokens and sentences read. Both are also stored
            as ``corpus_total_words`` and ``corpus_count``.
        """
        with self._guard("build_vocab"):
            counts, total, n_sent = self._scan(corpus_iterable, corpus_file)
            self._raw_vocab = counts
            self.corpus_count, self.corpus_total_words = n_sent, total
        logger.info(
            "collected %d word types from a corpus of %d raw words and %d sentences",
            len(counts),
            total,
            n_sent,
        )
        return total, n_sent

    def prepare_vocab(
        self,
        update: bool = False,
        keep_raw_vocab: bool = False,
        trim_rule: Callable[[Any, int, int], int] | None = None,
        min_count: int | None = None,
        sample: float | None = None,
        dry_run: bool = False,
    ) -> dict[str, int]:
        """Choose the vocabulary from :attr:`raw_vocab` (counted by :meth:`scan_vocab`) and
        allocate its vectors; with ``dry_run`` only report what the settings would keep.

        Parameters
        ----------
        update : bool
            Add the new words to the existing vocabulary (as ``build_vocab(update=True)``).
        keep_raw_vocab : bool
            Keep :attr:`raw_vocab` afterwards (it is dropped otherwise, to free memory).
        trim_rule : callable, optional
            Overrides the model's ``trim_rule``.
        min_count, sample : optional
            Settings to apply instead of the model's (they become the model's unless
            ``dry_run`` or ``update``); 0 or None: the model's, as in gensim.
        dry_run : bool
            Change nothing; only return the report.

        Returns
        -------
        dict
            gensim's report: ``drop_unique``, ``retain_total``, ``downsample_unique``,
            ``downsample_total`` and ``num_retained_words``.
        """
        counts = self._raw_vocab
        if counts is None:
            raise RuntimeError("no raw counts to prepare: call scan_vocab() first")
        min_count = check_int("min_count", min_count or self.min_count, 0)
        sample = check_float("sample", sample or self.sample, 0.0)
        trim_rule = trim_rule if trim_rule is not None else self.trim_rule
        if update:
            kept = vocab_mod.select_vocab(counts, self.effective_min_count, None, trim_rule)[0]
        else:
            kept = vocab_mod.select_vocab(counts, min_count, self.max_final_vocab, trim_rule)[0]
        report = vocab_mod.vocab_report(counts, kept, sample)
        if dry_run:
            return report
        with self._guard("build_vocab"):
            if not update:
                self.min_count, self.sample = min_count, sample
            self._apply_counts(
                counts, update, trim_rule, self.corpus_total_words, self.corpus_count
            )
            if not keep_raw_vocab:
                self._raw_vocab = None
        return report

    def prepare_weights(self, update: bool = False) -> None:
        """Initialise the weights of the current vocabulary afresh (gensim's step after
        :meth:`prepare_vocab`, which here already allocated them: calling this again
        re-initialises them). With ``update`` the grown weights are kept as they are."""
        if update or not len(self.wv):
            return
        with self._guard("build_vocab"):
            self._allocate(list(self.wv.index_to_key), self.wv.expandos["count"].copy())

    def estimate_memory(
        self, vocab_size: int | None = None, report: dict[str, int] | None = None
    ) -> dict[str, int]:
        """Bytes the model needs for ``vocab_size`` words (default: the current vocabulary),
        in gensim's form: ``vocab`` (gensim's per-word estimate of the key structures),
        ``vectors``, one entry per trained layer (e.g. ``syn1neg``, ``syn1``) and ``total``.
        Entries are added to ``report`` if given."""
        vocab_size = int(vocab_size or len(self.wv))
        report = report if report is not None else {}
        report["vocab"] = vocab_size * (700 if getattr(self, "hs", 0) else 500)
        report["vectors"] = vocab_size * self.vector_size * 4
        for name in self._LAYERS:
            shape = self._layer_shape(name, vocab_size)
            if shape is not None:
                report[name] = int(np.prod(shape)) * 4
        report["total"] = sum(v for k, v in report.items() if k != "total")
        logger.info(
            "estimated required memory for %d words and %d dimensions: %d bytes",
            vocab_size,
            self.vector_size,
            report["total"],
        )
        return report

    def reset_from(self, other_model: EmbeddingModel) -> None:
        """Take the vocabulary (keys, counts, per-key attributes) and corpus size of
        ``other_model`` and start from fresh weights, as gensim's ``reset_from``: for training
        several models on one corpus without counting it again. The keys are copied, not
        shared, so either model may later grow its vocabulary."""
        other = other_model.wv
        counts = other.expandos.get("count")
        if counts is None:
            counts = np.zeros(len(other), np.int64)
        with self._guard("build_vocab"):
            self._allocate(list(other.index_to_key), np.array(counts, dtype=np.int64))
            for name, values in other.expandos.items():
                if name != "count":
                    self.wv.expandos[name] = np.array(values, copy=True)
        self.corpus_count = other_model.corpus_count
        self.corpus_total_words = other_model.corpus_total_words
        self.effective_min_count = other_model.effective_min_count

    def _apply_counts(self, counts, update, trim_rule, total, n_sent):
        if update:
            if not len(self.wv):
                raise RuntimeError(
                    "build_vocab(update=True) needs an existing vocabulary; "
                    "call build_vocab() first"
                )
            self._update_vocab(counts, trim_rule)
            return
        keys, key_counts, effective = vocab_mod.select_vocab(
            counts, self.min_count, self.max_final_vocab, trim_rule, self.sorted_vocab
        )
        if not keys:
            # As gensim's build_vocab: no error here, the vocabulary is left empty and train()
            # refuses it (the constructor, which trains, raises at once); the log and that
            # error say why it is empty.
            self._empty_vocab = vocab_mod.describe_empty(total, n_sent, counts, effective)
            logger.warning("build_vocab: %s", self._empty_vocab)
            self.wv = KeyedVectors(self.vector_size)
            for name in self._LAYERS:
                setattr(self, name, None)
            self._tables = None
            return
        self._empty_vocab = None
        self.effective_min_count = effective
        logger.info(
            "min_count=%d leaves %d unique words (%.2f%% of %d)",
            effective,
            len(keys),
            100.0 * len(keys) / max(len(counts), 1),
            len(counts),
        )
        self._allocate(keys, key_counts)

    def _check_memory(self, vocab_size):
        need = self._estimate_bytes(vocab_size)
        avail = vocab_mod.available_memory()
        if avail is not None and need > avail:
            raise MemoryError(
                f"the model needs about {need / 2**30:.1f} GiB ({vocab_size} words x "
                f"{self.vector_size} dims) but only {avail / 2**30:.1f} GiB of memory is "
                f"available; raise min_count, set max_final_vocab, or lower vector_size"
            )

    def _init_rows(self, n_rows, first_row):
        """uniform(-1, 1) / dim rows from a generator seeded by (seed, first row).

        gensim 4's range, twice word2vec.c's uniform(-0.5, 0.5) / dim: on the benchmark corpus
        (5 epochs CBOW, 4 seeds) word2vec.c's range scored 0.006 lower on analogies and 0.017
        lower on WordSim-353 than gensim; with gensim's range the scores match."""
        bits = np.random.PCG64(np.random.SeedSequence([self.seed, first_row]))
        # NumPy's Generator(bits).random((n_rows, dim), dtype=float32) * 2 - 1, / dim, bit for
        # bit, drawn in C from the generator's state (NumPy's draws, a call each, were a tenth
        # of build_vocab on a corpus file)
        return _kernel.pcg64_init_rows(bits.state, n_rows, self.vector_size)

    def _allocate(self, keys, key_counts):
        vocab_size = len(keys)
        self._check_memory(vocab_size)
        self.wv = KeyedVectors.from_arrays(
            list(keys),
            self._init_rows(vocab_size, 0),
            counts=np.asarray(key_counts, dtype=np.int64),
            copy=False,
        )
        self._allocate_layers(vocab_size)
        self._tables = None

    def _update_vocab(self, counts, trim_rule):
        wv = self.wv
        old = np.asarray(wv.expandos["count"], dtype=np.int64).copy()
        new_keys, new_counts = [], []
        for key, c in counts.items():
            i = wv.key_to_index.get(key)
            if i is not None:
                old[i] += c
        fresh = {k: c for k, c in counts.items() if k not in wv.key_to_index}
        if fresh:
            new_keys, new_counts, _ = vocab_mod.select_vocab(
                fresh, self.effective_min_count, None, trim_rule, self.sorted_vocab
            )
        n_old, n_new = len(wv.index_to_key), len(new_keys)
        self._check_memory(n_old + n_new)
        logger.info("vocabulary update: %d new words, %d existing", n_new, n_old)
        keys = wv.index_to_key + list(new_keys)
        vectors = (
            np.concatenate([wv.vectors, self._init_rows(n_new, n_old)]) if n_new else wv.vectors
        )
        lockf = wv.vectors_lockf
        self.wv = KeyedVectors.from_arrays(
            keys,
            np.ascontiguousarray(vectors, dtype=np.float32),
            counts=np.concatenate([old, np.asarray(new_counts, np.int64)]),
            copy=False,
        )
        # Lock factors given per row stay with their rows; new rows train freely.
        if len(lockf) == n_old > 1:
            lockf = np.concatenate([lockf, np.ones(n_new, dtype=lockf.dtype)])
        self.wv.vectors_lockf = lockf
        self._grow_layers(n_old, n_new)
        self._tables = None

    # ------------------------------------------------------------------ training

    def _encode(self, corpus_iterable, corpus_file):
        """The corpus as (ids, offsets, raw words, sentences) of vocabulary rows."""
        _check_one_corpus(corpus_iterable, corpus_file)
        route = file_route(corpus_iterable) if corpus_file is None else None
        if route is not None and (encoded := self._routed_tokens(route)) is not None:
            return encoded
        if corpus_file is not None:
            from .. import _corpus

            paths = self._file_paths(corpus_file)
            encoded = self._take_scanned_file(paths)
            if encoded is None and _pipes(paths):
                raise CorpusError(
                    f"{_pipes(paths)[0]} is a pipe or device, which can be read only once, and "
                    "no tokens from reading it are left to train on (build_vocab with "
                    "max_vocab_size prunes them, and each train() call uses them up); write it "
                    "to a regular file, or pass the sentences as an iterable"
                )
            if encoded is None:
                encoded = _corpus.encode_file(
                    paths, self.wv.index_to_key, errors=self.corpus_file_errors
                )
            ids, offsets, raw = encoded
            return ids, offsets, raw, len(offsets) - 1
        if isinstance(corpus_iterable, vocab_mod.EncodedCorpus):
            return vocab_mod.encode_ids(corpus_iterable, self.wv.key_to_index)
        if corpus_iterable is None:
            raise CorpusArgumentError("pass a corpus: corpus_iterable/sentences or corpus_file")
        return vocab_mod.encode_iterable(corpus_iterable, self.wv.key_to_index)

    def train(
        self,
        corpus_iterable: Iterable[Sequence[Any]] | vocab_mod.EncodedCorpus | None = None,
        corpus_file: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
        total_examples: int | None = None,
        total_words: int | None = None,
        epochs: int | None = None,
        start_alpha: float | None = None,
        end_alpha: float | None = None,
        word_count: int = 0,
        queue_factor: int = 2,
        report_delay: float = 1.0,
        compute_loss: bool = False,
        callbacks: Iterable[Any] = (),
        **kwargs: Any,
    ) -> tuple[int, int]:
        """Train the model on a corpus (the vocabulary must already be built).

        The corpus is read and encoded once, then every epoch runs over the encoded ids.

        Parameters
        ----------
        corpus_iterable : iterable of list of str (or hashable), or EncodedCorpus, optional
            The corpus (``sentences=`` is accepted as gensim's older name).
        corpus_file : str or list of str, optional
            Path(s) of whitespace-tokenized text, one sentence per line.
        total_examples, total_words : int, optional
            The corpus size in sentences or in words. As gensim's, a Word2Vec (or Item2Vec)
            given a corpus needs one of them (ValueError otherwise), so that a call that
            meant another corpus is caught: after ``build_vocab`` on the same corpus pass
            ``total_examples=model.corpus_count``. Training itself counts the encoded
            corpus; a size that disagrees is warned about. Not needed for an
            :class:`EncodedCorpus`, which knows its size.
        epochs : int, optional
            Passes over the corpus. Needed with a corpus, as above (``epochs=model.epochs``
            keeps the model's); as in gensim, a value given here becomes the model's
            ``epochs``.
        start_alpha, end_alpha : float, optional
            Learning rate schedule (default: the model's ``alpha`` and ``min_alpha``). As in
            gensim, values given here become the model's ``alpha`` and ``min_alpha``, and a
            call whose ``alpha`` is above the rate the previous call ended with logs a warning
            ("Effective 'alpha' higher than previous training cycles").
        word_count, queue_factor
            Accepted for gensim compatibility.
        report_delay : float
            Seconds between progress lines in the log.
        compute_loss : bool
            Record the loss per epoch. As in gensim this is the setting of this call: a model
            built with ``compute_loss=True`` records no loss in a later ``train()`` that does
            not pass it again.
        callbacks : iterable, optional
            Callbacks of this call (default: the model's ``callbacks``).
        **kwargs
            Only ``sentences``.

        Returns
        -------
        tuple of (int, int)
            ``(effective_words, raw_words)`` of the whole run, like gensim.
        """
        if "sentences" in kwargs:
            corpus_iterable = kwargs.pop("sentences")
        if kwargs:
            raise TypeError(f"unexpected arguments: {', '.join(kwargs)}")
        if not len(self.wv):
            why = getattr(self, "_empty_vocab", None)
            if why is not None:
                raise type(why)(*why.args)
            raise RuntimeError("the vocabulary is empty: call build_vocab() before train()")
        _check_corpus_forms(corpus_iterable, corpus_file)
        self._check_sizes_given(corpus_iterable, corpus_file, total_examples, total_words, epochs)
        self._check_layers()
        # As gensim: the epochs and learning rates given here become the model's own, and
        # compute_loss is this call's setting (a model built with it does not keep it on).
        epochs = self.epochs if epochs is None else check_int("epochs", epochs, 1)
        alpha = check_float("start_alpha", start_alpha, 0.0, True) if start_alpha else self.alpha
        min_alpha = check_float("end_alpha", end_alpha, 0.0) if end_alpha else self.min_alpha
        if min_alpha > alpha:
            # the kernel would train at min_alpha throughout, and the model could not be loaded
            raise ValueError(
                f"the learning rate would rise: end_alpha/min_alpha ({min_alpha}) exceeds "
                f"start_alpha/alpha ({alpha}); pass an end_alpha below start_alpha"
            )
        self.epochs, self.alpha, self.min_alpha = epochs, alpha, min_alpha
        if alpha > self.min_alpha_yet_reached:
            logger.warning(
                "Effective 'alpha' higher than previous training cycles: alpha=%g rises above "
                "the %g the last train() call ended with",
                alpha,
                self.min_alpha_yet_reached,
            )
        callbacks = tuple(callbacks) or self.callbacks
        self.compute_loss = bool(compute_loss)
        with self._guard("train"):
            t0 = time.perf_counter()
            ids, offsets, raw, n_sent = self._encode(corpus_iterable, corpus_file)
            # A line of a file whose words are all outside the vocabulary counts as a sentence
            # in build_vocab (as gensim counts it) but encodes to nothing, so for files only
            # the word count can tell that the file changed.
            _warn_if_short(
                n_sent if corpus_file is None else None, total_examples, raw, total_words
            )
            logger.info(
                "encoded %d sentences, %d of %d tokens in vocabulary, in %.2fs",
                len(offsets) - 1,
                len(ids),
                raw,
                time.perf_counter() - t0,
            )
            if (
                n_sent == 0
                and corpus_iterable is not None
                and iter(corpus_iterable) is corpus_iterable
            ):
                raise TypeError(
                    "the corpus iterator is exhausted (a generator can be read only "
                    "once, and build_vocab() already read it); pass a list or a "
                    "re-iterable object"
                )
            if len(ids) == 0:
                raise CorpusError(
                    "no token of the corpus is in the vocabulary: nothing to train on"
                )
            return self._train_encoded(
                ids, offsets, raw, epochs, alpha, min_alpha, callbacks, report_delay
            )

    # Whether train() with a corpus needs its size and epochs given, as gensim's Word2Vec.
    _TRAIN_NEEDS_SIZES: ClassVar[bool] = False

    def _check_sizes_given(self, corpus_iterable, corpus_file, total_examples, total_words, epochs):
        if not self._TRAIN_NEEDS_SIZES or isinstance(corpus_iterable, vocab_mod.EncodedCorpus):
            return
        if corpus_iterable is None and corpus_file is None:
            return  # no corpus: the error about that comes when it is read
        if total_examples is None and total_words is None:
            raise ValueError(
                "train() needs the corpus size, as gensim's: pass total_examples (sentences) "
                "or total_words; after build_vocab() on the same corpus, "
                "total_examples=model.corpus_count"
            )
        if epochs is None:
            raise ValueError(
                "train() needs an explicit epochs, as gensim's: epochs=model.epochs trains "
                "as many passes as the model was built with"
            )

    def _check_layers(self):
        """The trained layers fit ``wv``: vectors assigned from a file (``model.wv = kv``, as
        gensim's tests do) come without them, which is a ValueError here, as in gensim, and
        not a shape error from the kernel."""
        n = len(self.wv)
        for name, arr in self._layer_items():
            shape = self._layer_shape(name, n)
            if shape is not None and (arr is None or arr.shape != shape):
                raise ValueError(
                    f"the model's {self._LAYERS[name]} ({name}) do not fit its {n} keys: "
                    "vectors assigned to model.wv (e.g. loaded from a word2vec file) carry no "
                    "output weights; build the vocabulary with build_vocab() to train"
                )

    def _check_writeable(self):
        for name, arr in (("wv.vectors", self.wv.vectors), *self._layer_items()):
            if arr is not None and not arr.flags.writeable:
                raise ValueError(
                    f"{name} is read-only (memory-mapped with mmap='r'?); load the "
                    f"model with mmap=None or mmap='c' to train it"
                )

    def _layer_items(self):
        return [(name, getattr(self, name)) for name in self._LAYERS]

    def _run_epoch(self, run, offsets, epoch, report_delay, total_ids, epochs, callbacks=()):
        """One epoch on all workers; returns (words, effective words, loss, seconds, stopped).

        Callbacks with an ``on_progress(model, epoch, epochs, words_done, epoch_words)`` method
        are called about 20 times a second from this (the calling) thread, with ``epoch``
        0-based and ``words_done`` the in-vocabulary tokens of this epoch done so far
        (progress bars: :class:`fastembed_core.progress.TrainingProgress`)."""
        watchers = [cb for cb in callbacks if hasattr(cb, "on_progress")]
        workers = min(self.workers, len(offsets) - 1)
        t0 = time.perf_counter()
        last_report = [t0]
        start_done = run.words_done

        def seed_of(piece):
            return _job_seed(self.seed, self.train_count * 1000003 + epoch, piece)

        def poll():
            done = run.words_done - start_done
            for cb in watchers:
                cb.on_progress(self, epoch, epochs, done, total_ids)
            now = time.perf_counter()
            if report_delay and now - last_report[0] >= report_delay:
                last_report[0] = now
                logger.info(
                    "EPOCH %d - PROGRESS: at %.2f%% words, %.0f words/s",
                    epoch + 1,
                    100.0 * done / max(total_ids, 1),
                    done / max(now - t0, 1e-9),
                )

        self._workers_running = True
        try:
            results = train_sentences(run, offsets, workers, seed_of, poll)
        finally:
            self._workers_running = False
        words = sum(r[1] for r in results)
        effective = sum(r[2] for r in results)
        loss = float(sum(r[3] for r in results))
        stopped = any(r[0] != 0 for r in results)
        return words, effective, loss, time.perf_counter() - t0, stopped

    def _train_encoded(self, ids, offsets, raw, epochs, alpha, min_alpha, callbacks, report_delay):
        self._check_writeable()
        run = self._make_run(ids, offsets, epochs, alpha, min_alpha)
        self._active_run = run
        try:
            return self._train_epochs(
                run, ids, offsets, raw, epochs, alpha, callbacks, report_delay
            )
        finally:
            self._active_run = None
            # the kernel's linear schedule, where this run stopped (the end, unless stopped)
            done = min(run.words_done / max(len(ids) * epochs, 1), 1.0)
            self.min_alpha_yet_reached = max(alpha - (alpha - min_alpha) * done, min_alpha)

    def stop_training(self) -> None:
        """Ask a ``train()`` running in another thread to stop at the next batch of words.

        That ``train()`` then returns normally after joining its workers, with the vectors
        trained so far. Does nothing if no training is running."""
        run = self._active_run
        if run is not None:
            run.request_stop()

    def _trained_arrays(self):
        return [("wv.vectors", self.wv.vectors), *self._layer_items()]

    def _check_arrays_kept(self, trained, when):
        # The run points into the arrays it was given: an array a callback put in their place
        # would silently stay untrained while the run trains the detached one.
        for (name, arr), (_, now) in zip(trained, self._trained_arrays()):
            if now is not arr:
                raise RuntimeError(
                    f"a callback replaced {name} {when}; training writes into the array it "
                    f"started with, so change weights in place (e.g. {name}[...] = new) or "
                    f"between train() calls"
                )

    def _train_epochs(self, run, ids, offsets, raw, epochs, alpha, callbacks, report_delay):
        self.running_training_loss = 0.0
        self.epoch_losses = []
        trained = self._trained_arrays()
        for cb in callbacks:
            if hasattr(cb, "on_train_begin"):
                cb.on_train_begin(self)
        total_words = total_effective = 0
        t_train = time.perf_counter()
        raw_per_epoch = raw
        for epoch in range(epochs):
            for cb in callbacks:
                if hasattr(cb, "on_epoch_begin"):
                    cb.on_epoch_begin(self)
            self._check_arrays_kept(trained, f"before epoch {epoch + 1}")
            words, effective, loss, seconds, stopped = self._run_epoch(
                run, offsets, epoch, report_delay, len(ids), epochs, callbacks
            )
            self._check_finite(epoch, alpha)
            total_words += words
            total_effective += effective
            if self.compute_loss:
                self.running_training_loss += loss
                self.epoch_losses.append(loss)
            logger.info(
                "EPOCH %d: training on %d raw words (%d effective words) took %.2fs, "
                "%.0f effective words/s",
                epoch + 1,
                raw_per_epoch,
                effective,
                seconds,
                effective / max(seconds, 1e-9),
            )
            if stopped:
                logger.warning("training stopped on request during epoch %d", epoch + 1)
                break
            for cb in callbacks:
                if hasattr(cb, "on_epoch_end"):
                    cb.on_epoch_end(self)
            self._check_arrays_kept(trained, f"after epoch {epoch + 1}")
        elapsed = time.perf_counter() - t_train
        self.total_train_time += elapsed
        self.words_per_second = total_effective / max(elapsed, 1e-9)
        self.train_count += 1
        self.wv.invalidate_norms()
        logger.info(
            "training on %d raw words (%d effective words) took %.1fs, %.0f effective words/s",
            raw_per_epoch * epochs,
            total_effective,
            elapsed,
            self.words_per_second,
        )
        for cb in callbacks:
            if hasattr(cb, "on_train_end"):
                cb.on_train_end(self)
        return total_effective, raw_per_epoch * epochs

    def _finite_checked_arrays(self):
        """(name, array) pairs whose values tell after each epoch whether training diverged."""
        return self._trained_arrays()

    def _check_finite(self, epoch, alpha):
        for name, arr in self._finite_checked_arrays():
            if arr is not None and not _all_finite(arr):
                raise TrainingDivergedError(
                    f"training diverged in epoch {epoch + 1}: the {name} contain NaN or inf "
                    f"(alpha={alpha}); lower alpha (e.g. {alpha / 10:g}) and train again"
                )

    def get_latest_training_loss(self) -> float:
        """Summed loss of the latest ``train()`` call (needs ``compute_loss=True``), float64.

        Returns
        -------
        float
        """
        return self.running_training_loss

    # ------------------------------------------------------------------ in-memory copies

    def __getstate__(self) -> dict[str, Any]:
        """State for ``pickle`` and ``copy.deepcopy`` (in memory, the user's choice; files are
        written by :meth:`save`, never pickled). Left out: what belongs to a running call (the
        lock, the run, tokens kept between build_vocab and train, tables rebuilt on demand)
        and the callbacks, which often hold streams or earlier copies of the model (a callback
        keeping the best epoch's copy would otherwise copy every earlier copy into each new
        one)."""
        if self._workers_running:
            raise RuntimeError(
                "cannot copy the model while workers write its weights (on_progress runs "
                "during an epoch); copy it in on_epoch_end or after train() returns"
            )
        state = self.__dict__.copy()
        for name in _TRANSIENT:
            state.pop(name, None)
        state["callbacks"] = ()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._tables = None
        self._busy = threading.Lock()
        self._busy_owner = self._busy_what = None
        self._workers_running = False
        self._active_run = None
        self._scanned_file = None
        self.wv = self._wv  # the copy's vectors answer to the copy's guard

    # ------------------------------------------------------------------ persistence

    def save(
        self,
        fname: str | os.PathLike,
        *,
        separately: Iterable[str] | None = None,
        sep_limit: int | None = None,
        pickle_protocol: int | None = None,
    ) -> None:
        """Save the whole model (vectors, trained layers, counts, parameters) for continued
        training, in the native format: JSON metadata + raw arrays, never pickle.

        The file is written to a temporary name and renamed, so a failed save leaves any old
        file intact.

        Saving is possible whenever no worker writes the weights: before or after ``train()``,
        and from a callback's ``on_epoch_end`` (or ``on_epoch_begin``, ``on_train_begin``,
        ``on_train_end``), which run on the training thread between epochs, so a checkpoint
        callback saves a consistent file and training goes on. A save from another thread
        while ``train()`` or ``build_vocab()`` runs is refused with RuntimeError, as is one from
        ``on_progress`` (called while the workers write), and so is ``model.wv.save()`` then:
        copying the weights to save a snapshot would double their memory at the worst moment
        and capture a state in the middle of an epoch, which no epoch boundary had.

        Parameters
        ----------
        fname : str or path
            Destination.
        separately, sep_limit, pickle_protocol
            Accepted so that calls written for gensim run, and ignored: gensim stores large
            arrays in separate ``.npy`` files (``separately``, arrays over ``sep_limit``
            bytes) so that ``load(mmap="r")`` can map them, and pickles the rest. Here one
            file holds every array raw, so ``load(fname, mmap="r")`` maps them
            from it whatever these say, and nothing is pickled.

        Raises
        ------
        RuntimeError
            Called from another thread while this model trains or builds its vocabulary, or
            from ``on_progress``.
        """
        del separately, sep_limit, pickle_protocol  # see above: one file, nothing pickled
        with self._guard("save"):
            # (an empty vocabulary has no counts and no output layers: saved as it is)
            counts = self.wv.expandos.get("count", np.zeros(len(self.wv), np.int64))
            arrays = {"vectors": self.wv.vectors, "count": counts}
            for name, arr in self._layer_items():
                if arr is not None:
                    arrays[name] = arr
            arrays.update(self._extra_arrays())
            arrays.update(lockf_arrays(self.wv))  # locked rows stay locked after a checkpoint
            for name, arr in arrays.items():
                if arr.dtype.kind == "f" and not _all_finite(arr):
                    raise ValueError(f"refusing to save: {name} contains NaN or inf")
            keys = []
            for k in self.wv.index_to_key:
                # numpy integers are saved as the ints they equal, as KeyedVectors.save does
                if isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)):
                    k = int(k)
                elif not isinstance(k, str):
                    raise TypeError(
                        f"only str and int keys can be saved; got {k!r} ({type(k).__name__})"
                    )
                keys.append(k)
            meta = {name: getattr(self, name) for name in self._PARAMS}
            meta.update(self._extra_meta())
            meta["keys"] = keys
            write_container(fname, self._KIND, meta, arrays)

    @classmethod
    def _check_saved_fields(cls, fname, params):
        """Checks what the constructor does not see or reads leniently: the training state,
        the switches (saved as bools: a string is not one), the comment and ``workers`` (capped
        to this machine's cores before the constructor sees it). The constructor checks the
        rest when ``load`` calls it."""
        checks = {
            **{name: lambda n, v: check_int(n, v, 0) for name in TRAINING_STATE},
            "total_train_time": lambda n, v: check_float(n, v, 0.0),
            "workers": lambda n, v: check_int(n, v, 1),
            "comment": _check_comment,
            **{name: _check_switch for name in cls._SWITCHES},
        }
        for name, check in checks.items():
            if name in params:
                try:
                    check(name, params[name])
                except ValueError as exc:
                    raise FormatError(
                        f"{fname}: invalid model parameters in the metadata: {exc}"
                    ) from None

    @_ClassOnlyMethod
    def load(
        cls: type[EmbeddingModel], fname: str | os.PathLike, mmap: str | None = None
    ) -> EmbeddingModel:
        """Load a model written by :meth:`save`.

        Parameters
        ----------
        fname : str or path
            A file written by ``save`` of this family.
        mmap : {None, "r", "c"}
            Memory-map the arrays (``"r"`` read-only, ``"c"`` copy-on-write) instead of
            reading them.

        Returns
        -------
        EmbeddingModel
            An instance of the class ``load`` was called on.
        """
        meta, arrays = read_container(fname, kind=cls._KIND, mmap=mmap)
        if not isinstance(meta, dict):
            raise FormatError(
                f"{fname}: the model metadata is a JSON {type(meta).__name__}, not an object"
            )
        try:
            keys = meta["keys"]
            params = {
                name: meta[name] if name in meta else cls._PARAM_DEFAULTS[name]
                for name in cls._PARAMS
            }
        except KeyError as exc:
            raise FormatError(f"{fname}: model metadata lacks {exc}") from None
        cls._check_saved_fields(fname, params)
        if not isinstance(keys, list) or not all(
            isinstance(k, str) or (isinstance(k, int) and not isinstance(k, bool)) for k in keys
        ):
            raise FormatError(f"{fname}: model metadata 'keys' is not a list of str and int keys")
        if len(set(keys)) != len(keys):
            raise FormatError(f"{fname}: the file has duplicate keys")
        model = cls.__new__(cls)
        init = {k: params[k] for k in cls._INIT_PARAMS}
        try:
            init["workers"] = min(init["workers"], max(available_cores(), 1))
            # each family's __init__ takes its _INIT_PARAMS by keyword
            model.__init__(**init)  # type: ignore[misc]
        except (TypeError, ValueError, OverflowError) as exc:
            raise FormatError(f"{fname}: invalid model parameters in the metadata: {exc}") from None
        for name in TRAINING_STATE:
            setattr(model, name, params[name])
        if model.train_count:
            model.min_alpha_yet_reached = model.min_alpha
        expected = {
            "vectors": (len(keys), model.vector_size),
            "count": (len(keys),),
            **{name: model._layer_shape(name, len(keys)) for name in cls._LAYERS},
        }
        for name, shape in expected.items():
            arr = arrays.get(name)
            if shape is None:  # an array this configuration does not train
                arrays.pop(name, None)
                continue
            if arr is None and not keys and name in cls._LAYERS:
                continue  # an empty vocabulary: build_vocab made no output layer
            if arr is None:
                raise FormatError(f"{fname}: the model file lacks the array {name!r}")
            if arr.shape != shape:
                arr = arrays[name] = model._older_layer(name, arr, shape)
            if arr.shape != shape:
                raise FormatError(f"{fname}: {name} has shape {arr.shape}, expected {shape}")
            kind = "iu" if name == "count" else "f"
            if arr.dtype.kind not in kind or (kind == "f" and arr.dtype != np.float32):
                raise FormatError(f"{fname}: {name} has dtype {arr.dtype}, which a model never has")
            # save() never writes NaN or inf, so a file holding them was damaged or forged; a
            # memory map is not scanned (that would read every page, as checksums would)
            if kind == "f" and not mmap and not _all_finite(arr):
                raise FormatError(f"{fname}: {name} holds NaN or infinite values")
        model.wv = KeyedVectors.from_arrays(
            list(keys), arrays["vectors"], counts=arrays["count"], copy=False
        )
        restore_lockf(fname, model.wv, arrays)
        for name in cls._LAYERS:
            setattr(model, name, arrays.get(name))
        model._restore_extra_meta(fname, meta)
        model._restore_extra_arrays(fname, arrays)
        return model
