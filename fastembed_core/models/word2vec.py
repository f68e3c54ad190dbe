"""``Word2Vec``: skip-gram and CBOW training with gensim 4's API, on the C kernel.

The corpus is encoded once to uint32 ids; each epoch, every worker thread trains one
contiguous range of sentences with the GIL released for the whole range. See
``src/fe_train.h`` for the exact training semantics. The lifecycle (vocabulary, epochs,
callbacks, save/load) is :class:`~fastembed_core.models.base.EmbeddingModel`'s; this module
adds the word2vec parameters, its output layers and its kernel run.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from typing import Any, Callable, ClassVar

import numpy as np

from .. import _kernel
from ..errors import FormatError
from ..validation import check_float, check_int
from . import gensim_models, inference
from . import vocab as vocab_mod
from .base import EmbeddingModel
from .corpora import BrownCorpus, LineSentence, PathLineSentences, Text8Corpus

logger = logging.getLogger("fastembed_core")

__all__ = [
    "Word2Vec",
    "HOT_ROWS",
    "HOT_MERGE_WORDS",
    "HOT_MERGE_SCALE",
    "HOT_HS_NODES",
    "HOT_HS_NODES_SG",
    # gensim's readers live in gensim.models.word2vec, so they are importable from here too
    "LineSentence",
    "PathLineSentences",
    "Text8Corpus",
    "BrownCorpus",
]

# With several workers, each keeps private copies of the input and output rows of this many
# most frequent words and merges them every 8,192 words (src/fe_train.h, "Hot rows"): every
# worker writes those rows all the time, and each write moved their cache lines between cores,
# which costs ~170 ns per line when the cores sit on different sockets or core complexes.
# bench/scaling.py --hot-rows measures the effect. A number at or above the vocabulary size
# gives every worker a replica of the whole model: measured in bench/SCALING.md ("Replicas of
# the whole model") and not the default, since it loses quality when merged rarely enough to
# be cheap.
HOT_ROWS = 64
# Words between those merges per worker; 0: the kernel's default (128 per hot row, at least
# 4,096, and at least 64 merges per worker per epoch).
HOT_MERGE_WORDS = 0
# What a merge adds of a worker's change to its copies: 1, all of it (no update is lost);
# 1/k, with k workers each training at k times the rate, makes whole replicas average.
HOT_MERGE_SCALE = 1.0
# With hierarchical softmax and several workers, each also keeps private copies of this many
# nodes at the top of the Huffman tree, merged with the hot rows: the root and the nodes below
# it are on every word's path, so without copies every prediction of every worker wrote the
# same few rows, and two workers trained slower than one (bench/SCALING.md, "Hierarchical
# softmax: the top of the tree"; bench/scaling.py --hs --hs-nodes measures it). CBOW writes a
# path once per window, and its copies add up every worker's change at a merge. Skip-gram
# writes it once per context word, 2 * window times as often, so that between two merges
# every worker drives the top nodes to the same point, and the sum of k such moves goes k
# times as far: it copies fewer nodes (the deeper ones, summed, still moved its scores) and
# merges them as the mean of the workers' copies (bench/README.md, "Quality on three corpora").
HOT_HS_NODES = 256
HOT_HS_NODES_SG = 32


def _flag(name, value):
    """A 0/1 switch given as int or bool, as an int."""
    return int(check_int(name, int(value) if isinstance(value, bool) else value, 0, 1))


def _lock_factors(wv):
    """``wv.vectors_lockf`` for the kernel, or None when every factor is 1 (the kernel then
    skips the multiply). Checked here: a wrong value raises before training starts."""
    lockf = _kernel.check_lockf(getattr(wv, "vectors_lockf", None))
    if lockf is None or (lockf == 1.0).all():
        return None
    return lockf


class Word2Vec(EmbeddingModel):
    """Train word2vec embeddings (skip-gram or CBOW; negative sampling and/or hierarchical
    softmax) with gensim 4's parameter names and defaults.

    Parameters
    ----------
    sentences : iterable of list of str (or hashable), or EncodedCorpus, optional
        The corpus: a re-iterable of token lists. Non-str tokens (e.g. int item ids) stay
        keys of their own type. If given, the vocabulary is built and the model trained now.
    corpus_file : str or list of str, optional
        Path(s) of whitespace-tokenized text, one sentence per line, read and encoded in C.
    vector_size : int
        Dimensionality of the vectors.
    alpha, min_alpha : float
        Learning rate, decayed linearly from ``alpha`` to ``min_alpha`` over all epochs.
    window : int
        Maximum distance between the centre word and a context word.
    min_count : int
        Ignore words with a total count below this.
    max_vocab_size : int, optional
        Bound on distinct words held while counting (rare words are pruned).
    sample : float
        Subsampling of frequent words (word2vec.c's formula); 0 disables.
    seed : int
        Seed of every random choice. With ``workers=1`` training is bitwise reproducible.
    workers : int, optional
        Worker threads. Default: every core this process may use (gensim's default is 3;
        training scales with cores here, so using them all is the better default).
    sg : {0, 1}
        1 for skip-gram, 0 for CBOW.
    hs : {0, 1}
        1 for hierarchical softmax.
    negative : int
        Negative samples per positive (0 disables negative sampling).
    ns_exponent : float
        Negatives are drawn in proportion to count ** ns_exponent (0 uniform, < 0 favours rare).
    cbow_mean : {0, 1}
        CBOW: 1 averages the context vectors, 0 sums them.
    epochs : int
        Passes over the corpus.
    trim_rule : callable, optional
        ``trim_rule(word, count, min_count)`` returning RULE_DISCARD, RULE_KEEP or RULE_DEFAULT.
    sorted_vocab : {0, 1}
        Sort the vocabulary by descending frequency (ties: first occurrence first).
    compute_loss : bool
        Record the training loss (float64) per epoch: :attr:`epoch_losses`.
    callbacks : iterable of objects with ``on_train_begin`` / ``on_epoch_begin`` /
        ``on_epoch_end`` / ``on_train_end`` (any subset).
    max_final_vocab : int, optional
        Raise ``min_count`` as needed so at most this many words remain.
    shrink_windows : bool
        Draw each window size uniformly from 1..window (word2vec's behaviour).
    shared_negatives : bool
        Skip-gram: draw one set of negatives per window, shared by its context words, which
        then predict the centre one after another as in gensim. A window reads
        ``1 + negative`` output rows instead of ``2 * window * (1 + negative)``, for the same
        quality; False draws a set for every (context, centre) pair, word2vec.c's order.
        Not in gensim.
    corpus_file_errors : {"strict", "replace", "ignore"}
        Invalid UTF-8 in a corpus file: an error naming the line and byte offset (default),
        or replaced by U+FFFD / dropped, with the number of affected tokens logged.
    hashfxn, null_word, batch_words, comment
        Accepted for gensim compatibility. ``hashfxn`` is not used: initial vectors come from
        a seeded generator, never from Python's ``hash()`` (which differs between processes).

    Examples
    --------
    >>> model = Word2Vec(sentences, vector_size=100, window=5, min_count=5, sg=1, seed=1)
    >>> model.wv.most_similar("king", topn=10)

    A corpus of a few million tokens trains better with the ``"small-corpus"`` preset
    (:meth:`with_preset`; the defaults above stay gensim's):

    >>> model = Word2Vec.with_preset("small-corpus", sentences, sg=1)
    """

    _KIND: ClassVar[str] = "Word2Vec"
    _TRAIN_NEEDS_SIZES: ClassVar[bool] = True
    _LAYERS: ClassVar[dict[str, str]] = {
        "syn1neg": "output vectors",
        "syn1": "hierarchical-softmax vectors",
    }
    # Passed to __init__ on load, in this order; _PARAMS adds the training state.
    _INIT_PARAMS: ClassVar[tuple[str, ...]] = (
        "vector_size",
        "alpha",
        "min_alpha",
        "window",
        "min_count",
        "max_vocab_size",
        "sample",
        "seed",
        "workers",
        "sg",
        "hs",
        "negative",
        "ns_exponent",
        "cbow_mean",
        "epochs",
        "sorted_vocab",
        "compute_loss",
        "max_final_vocab",
        "shrink_windows",
        "shared_negatives",
        "corpus_file_errors",
        "comment",
    )
    _SWITCHES: ClassVar[tuple[str, ...]] = (
        *EmbeddingModel._SWITCHES,
        "shrink_windows",
        "shared_negatives",
    )
    _PARAMS: ClassVar[tuple[str, ...]] = (
        *_INIT_PARAMS[:-1],
        "corpus_count",
        "corpus_total_words",
        "effective_min_count",
        "train_count",
        "total_train_time",
        "comment",
    )

    def __init__(
        self,
        sentences: Iterable[Sequence[Any]] | vocab_mod.EncodedCorpus | None = None,
        corpus_file: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
        vector_size: int = 100,
        alpha: float = 0.025,
        window: int = 5,
        min_count: int = 5,
        max_vocab_size: int | None = None,
        sample: float = 1e-3,
        seed: int = 1,
        workers: int | None = None,
        min_alpha: float = 0.0001,
        sg: int = 0,
        hs: int = 0,
        negative: int = 5,
        ns_exponent: float = 0.75,
        cbow_mean: int = 1,
        hashfxn: Any = None,
        epochs: int = 5,
        null_word: int = 0,
        trim_rule: Callable[[Any, int, int], int] | None = None,
        sorted_vocab: int = 1,
        batch_words: int = 10000,
        compute_loss: bool = False,
        callbacks: Iterable[Any] = (),
        comment: str | None = None,
        max_final_vocab: int | None = None,
        shrink_windows: bool = True,
        shared_negatives: bool = True,
        corpus_file_errors: str = "strict",
    ) -> None:
        self._setup(
            vector_size=vector_size,
            alpha=alpha,
            min_alpha=min_alpha,
            window=window,
            min_count=min_count,
            max_vocab_size=max_vocab_size,
            sample=sample,
            seed=seed,
            workers=workers,
            epochs=epochs,
            trim_rule=trim_rule,
            sorted_vocab=sorted_vocab,
            compute_loss=compute_loss,
            callbacks=callbacks,
            max_final_vocab=max_final_vocab,
            corpus_file_errors=corpus_file_errors,
            comment=comment,
        )
        self.sg = _flag("sg", sg)
        self.hs = _flag("hs", hs)
        self.negative = check_int("negative", negative, 0, 1000)
        if not self.hs and not self.negative:
            raise ValueError("hs=0 and negative=0 leave nothing to train; set hs=1 or negative > 0")
        self.ns_exponent = check_float("ns_exponent", ns_exponent)
        self.cbow_mean = _flag("cbow_mean", cbow_mean)
        self.shrink_windows = bool(shrink_windows)
        self.shared_negatives = bool(shared_negatives)
        self.null_word = null_word
        self.batch_words = batch_words
        self._hs_tree = None  # a Huffman tree carried over from gensim (see from_gensim)
        if hashfxn is not None:
            logger.debug("hashfxn is ignored: vectors are initialised from the seeded generator")
        self._train_now(sentences, corpus_file)

    #: Named settings for :meth:`with_preset`, by architecture ("cbow": ``sg=0``,
    #: "skip-gram": ``sg=1``). The constructor's defaults stay gensim's.
    PRESETS: ClassVar[dict[str, dict[str, dict[str, Any]]]] = {
        # Corpora of a few million tokens: gensim's defaults under-train them, CBOW most (see
        # bench/README.md, "Settings for small corpora", for the sweep behind these values).
        "small-corpus": {
            "cbow": {"alpha": 0.1, "ns_exponent": 0.5},
            "skip-gram": {"alpha": 0.075, "ns_exponent": 0.5},
        },
    }

    @classmethod
    def preset_settings(cls, preset: str, sg: int = 0) -> dict[str, Any]:
        """The settings ``preset`` gives a model of architecture ``sg`` (0: CBOW, 1:
        skip-gram), as a new dict."""
        if preset not in cls.PRESETS:
            raise ValueError(f"preset {preset!r}: expected one of {sorted(cls.PRESETS)}")
        return dict(cls.PRESETS[preset]["skip-gram" if sg else "cbow"])

    @classmethod
    def with_preset(
        cls,
        preset: str,
        sentences: Iterable[Sequence[Any]] | vocab_mod.EncodedCorpus | None = None,
        corpus_file: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
        **kwargs: Any,
    ) -> Word2Vec:
        """A model with the named preset's settings for its architecture (``sg`` among the
        keywords, CBOW if absent); any keyword given here overrides them.

        ``"small-corpus"`` sets CBOW ``alpha=0.1, ns_exponent=0.5`` and skip-gram
        ``alpha=0.075, ns_exponent=0.5``: on corpora of one to a few million tokens gensim's
        defaults (``alpha=0.025, ns_exponent=0.75``) under-train, and these settings score
        higher on word similarity and analogies at the same training time, with negative
        sampling (``bench/README.md``). Large corpora and hierarchical softmax were not
        measured; gensim's defaults are the usual choice there.

        >>> model = Word2Vec.with_preset("small-corpus", corpus_file="corpus.txt", sg=1)
        """
        settings = cls.preset_settings(preset, kwargs.get("sg", 0))
        return cls(sentences, corpus_file, **{**settings, **kwargs})

    # ------------------------------------------------------------------ family hooks

    @classmethod
    def from_gensim(cls, gensim_model: Any) -> Word2Vec:
        """A model continuing where a gensim ``Word2Vec`` left off: copies of its vocabulary
        (order and counts), vectors, ``syn1neg``, ``syn1`` with its Huffman tree, parameters
        and training state. gensim itself is not imported.

        Parameters
        ----------
        gensim_model : gensim.models.Word2Vec
            The source (not FastText or Doc2Vec).

        Returns
        -------
        Word2Vec
        """
        return gensim_models.from_gensim(gensim_model, cls)

    def to_gensim(self) -> Any:
        """A gensim ``Word2Vec`` with copies of this model's vocabulary, weights, parameters
        and training state, which gensim's ``train()`` continues.

        Returns
        -------
        gensim.models.Word2Vec

        Raises
        ------
        ImportError
            gensim is not installed (``pip install gensim``).
        """
        return gensim_models.to_gensim(self)

    def _use_huffman_tree(self, tree):
        self._hs_tree = tree
        self._tables = None

    def _huffman_tree(self):
        """The tree syn1's rows belong to: one from gensim while the vocabulary is unchanged,
        else the kernel's tree of the counts."""
        if self._hs_tree is not None:
            return self._hs_tree
        return gensim_models.huffman_tree(self.wv.expandos["count"])

    # A Huffman tree from gensim is saved with the model: the counts alone rebuild the
    # kernel's tree, whose inner nodes are not the rows gensim trained in syn1.
    _TREE_ARRAYS = ("hs_offset", "hs_code", "hs_point")

    def _extra_arrays(self):
        if self._hs_tree is None or not self.hs:
            return {}
        return dict(zip(self._TREE_ARRAYS, self._hs_tree))

    def _restore_extra_arrays(self, fname, arrays):
        if self.hs and all(name in arrays for name in self._TREE_ARRAYS):
            try:
                tree = gensim_models.checked_tree(
                    *(arrays[name] for name in self._TREE_ARRAYS), len(self.wv), len(self.syn1)
                )
            except ValueError as exc:
                raise FormatError(f"{fname}: the saved Huffman tree is damaged: {exc}") from None
            self._use_huffman_tree(tree)

    @property
    def layer1_size(self) -> int:
        """Width of the hidden layer and of the output rows (``syn1neg``, ``syn1``): the
        vector size (gensim's name; Doc2Vec's concatenating layer is wider)."""
        return self.vector_size

    def _allocate_layers(self, vocab_size):
        self._hs_tree = None  # the vocabulary changed: the tree is rebuilt from the counts
        width = self.layer1_size
        self.syn1neg = np.zeros((vocab_size, width), np.float32) if self.negative else None
        # A row per word, as gensim's syn1: the n - 1 inner nodes of the Huffman tree use the
        # first n - 1; the last row is never trained.
        self.syn1 = np.zeros((vocab_size, width), np.float32) if self.hs else None

    def _grow_layers(self, n_old, n_new):
        self._hs_tree = None
        if self.negative:
            self.syn1neg = np.concatenate(
                [self.syn1neg, np.zeros((n_new, self.layer1_size), np.float32)]
            )
        if self.hs:
            # The Huffman tree changes with the vocabulary; inner-node rows keep their
            # numbering only approximately, as in gensim, and new rows start at zero.
            grown = np.zeros((n_old + n_new, self.layer1_size), np.float32)
            grown[: self.syn1.shape[0]] = self.syn1
            self.syn1 = grown

    def _derived_vecattrs(self):
        """gensim's per-key "code" (the 0/1 turns from the root) and "point" (the rows of
        syn1 on the way) of each word's Huffman path, with hierarchical softmax."""
        if not self.hs or len(self.wv) < 2:
            return {}
        offset, code, point = self._sampling_tables()["hs"]

        def path(values, dtype):
            return lambda row: np.array(values[offset[row] : offset[row + 1]], dtype=dtype)

        return {"code": path(code, np.uint8), "point": path(point, np.int32)}

    def _older_layer(self, name, arr, shape):
        # files written before syn1 had a row per word (0.1.0) lack its last, untrained row
        if name == "syn1" and arr.ndim == 2 and arr.shape == (shape[0] - 1, shape[1]):
            return np.concatenate([arr, np.zeros((1, shape[1]), arr.dtype)])
        return arr

    def _layer_shape(self, name, n_keys):
        if name == "syn1neg":
            return (n_keys, self.layer1_size) if self.negative else None
        if name == "syn1":
            return (n_keys, self.layer1_size) if self.hs else None
        return None

    def _estimate_bytes(self, vocab_size):
        return vocab_mod.estimate_bytes(vocab_size, self.vector_size, self.negative, self.hs)

    @property
    def cum_table(self) -> np.ndarray | None:
        """gensim's cumulative table of negative-sampling weights, for code that reads it:
        entry ``i`` is the share of ``count ** ns_exponent`` held by words ``0..i``, scaled to
        ``2**31 - 1`` (uint32). Computed on request; training itself draws negatives from an
        alias table (one lookup a draw instead of a binary search). ``None`` without negative
        sampling or before a vocabulary, as in gensim."""
        if not self.negative or not len(self.wv):
            return None
        weights = vocab_mod.negative_weights(self.wv.expandos["count"], self.ns_exponent)
        cumulative = np.cumsum(weights)
        return np.round(cumulative / cumulative[-1] * (2**31 - 1)).astype(np.uint32)

    def _sampling_tables(self):
        """Alias table, subsampling thresholds and Huffman tree; rebuilt when the vocab changes."""
        if self._tables is None:
            counts = self.wv.expandos["count"]
            tables = {
                "keep": vocab_mod.keep_thresholds(counts, self.sample),
                "alias": None,
                "hs": (None, None, None),
            }
            if self.negative:
                tables["alias"] = _kernel.alias_build(
                    vocab_mod.negative_weights(counts, self.ns_exponent)
                )
            if self.hs:
                tables["hs"] = self._huffman_tree()
            self._tables = tables
        return self._tables

    def _make_run(self, ids, offsets, epochs, alpha, min_alpha):
        run = self._training_run(
            ids, epochs, alpha, min_alpha, self.wv.vectors, _lock_factors(self.wv)
        )
        run.set_corpus(ids, offsets)
        return run

    def _training_run(self, ids, epochs, alpha, min_alpha, w_in, lockf, **family_tables):
        """The kernel run that trains input matrix ``w_in`` with this model's settings over
        ``epochs`` passes of ``ids``; ``family_tables`` are a family's own (FastText's subword
        rows, Doc2Vec's document rows), passed to the kernel as they are."""
        if self.hs and self.negative:
            logger.warning(
                # the first sentence as gensim words it: scripts and tests match it
                "Both hierarchical softmax and negative sampling are activated. Both output "
                "layers are trained, which is rarely intended: set hs=0 or negative=0 to use "
                "one of them."
            )
        tables = self._sampling_tables()
        hs_offset, hs_code, hs_point = tables["hs"]
        return _kernel.TrainingRun(
            w_in,
            self.syn1neg,
            self.syn1[:-1] if self.syn1 is not None else None,  # the rows the tree uses
            sg=self.sg,
            hs=self.hs,
            negative=self.negative,
            window=self.window,
            cbow_mean=self.cbow_mean,
            shrink_windows=self.shrink_windows,
            compute_loss=self.compute_loss,
            shared_negatives=self.shared_negatives,
            alpha=alpha,
            min_alpha=min_alpha,
            keep_threshold=tables["keep"],
            alias=tables["alias"],
            hs_offset=hs_offset,
            hs_code=hs_code,
            hs_point=hs_point,
            total_words=int(len(ids)) * epochs,
            # alpha is re-read every `batch` words per worker: often enough that even a small
            # corpus sees a smooth schedule (about 1,000 steps), never more than every 256
            progress_batch=int(min(10000, max(256, len(ids) * epochs // 1000))),
            # the most frequent words' own input rows (never FastText's n-gram or Doc2Vec's
            # document rows: those come after the words) and output rows, per worker
            hot_rows=HOT_ROWS if self.workers > 1 else 0,
            hot_hs_nodes=(HOT_HS_NODES_SG if self.sg else HOT_HS_NODES) if self.workers > 1 else 0,
            hot_merge_words=HOT_MERGE_WORDS,
            hot_merge_scale=HOT_MERGE_SCALE,
            hot_hs_merge_scale=1.0 / self.workers if self.sg else None,
            simd=_kernel.simd_path(),
            lockf=lockf,
            **family_tables,
        )

    # ------------------------------------------------------------------ using the model

    def predict_output_word(
        self, context_words_list: Sequence[Any], topn: int | None = 10
    ) -> list[tuple[Any, float]] | None:
        """The centre words most probable given ``context_words_list``, as gensim computes
        them: a softmax over the negative-sampling output layer of the context's sum (mean
        with ``cbow_mean=1``), also for skip-gram models.

        Parameters
        ----------
        context_words_list : list of keys
            Context words; unknown ones are ignored. An int that is not a key is read as a
            row position, as gensim documents for this method.
        topn : int, optional
            How many words to return (None: all).

        Returns
        -------
        list of (key, float) or None
            ``(word, probability)`` pairs, most probable first; None (with a warning in the
            log) when every context word is unknown.

        Raises
        ------
        RuntimeError
            The model has no negative-sampling output layer (``negative=0``, or vectors
            assigned from a file), as in gensim.
        """
        return inference.predict_output_word(self, context_words_list, topn)

    def score(
        self,
        sentences: Iterable[Sequence[Any]],
        total_sentences: int = int(1e6),
        chunksize: int = 100,
        queue_factor: int = 2,
        report_delay: float = 1,
    ) -> np.ndarray:
        """Log-likelihood of each sentence under the hierarchical-softmax output layer
        (gensim's ``score``, Taddy 2015); the model is not changed.

        Parameters
        ----------
        sentences : iterable of list of keys
            The sentences to score; unknown words are dropped.
        total_sentences : int
            Score at most this many sentences (a warning is logged when there are more).
        chunksize : int
            Sentences scored per NumPy batch.
        queue_factor, report_delay
            Accepted for gensim compatibility.

        Returns
        -------
        numpy.ndarray
            float32, one score per sentence scored (a sentence without known words: 0).

        Raises
        ------
        RuntimeError
            The model was not trained with ``hs=1`` or has no vocabulary, as in gensim.

        Notes
        -----
        Follows gensim's definition, including leaving out the terms whose dot product
        reaches +-6; gensim looks log sigmoid up in a table (slightly below the dot product),
        so scores are a little higher than gensim's, by less than 0.025 per (word, inner node)
        term. See
        :func:`fastembed_core.models.inference.score_sentences`.
        """
        if not len(self.wv):
            raise RuntimeError("you must first build vocabulary before scoring new data")
        hs_tables = self._sampling_tables()["hs"] if self.hs else None
        return inference.score_sentences(
            self, hs_tables, sentences, total_sentences=total_sentences, chunksize=chunksize
        )

    def __str__(self):
        return (
            f"Word2Vec<vocab={len(self.wv)}, vector_size={self.vector_size}, "
            f"alpha={self.alpha}, {'sg' if self.sg else 'cbow'}>"
        )

    __repr__ = __str__
