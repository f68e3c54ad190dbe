"""``FastText``: word vectors from subwords (Bojanowski et al. 2017) with gensim 4's API.

A word's input is its own row plus one hashed row per character n-gram of ``<word>``; all of
them live in ONE input matrix of ``len(vocabulary) + bucket`` rows, trained by the kernel
(``src/fe_train.h``, the subword path) through a dense copy of the rows it can reach (see
``_make_run``). ``model.wv`` is a
:class:`~fastembed_core.vectors.fasttext.FastTextKeyedVectors` whose ``vectors_vocab`` (the
words' own rows) and ``vectors_ngrams`` (the bucket rows) are views into that matrix, and
whose ``vectors`` -- what ``most_similar`` searches -- hold each word's mean over its subword
rows, recomputed after every ``train()``, every load and every epoch that callbacks watch.
Words never seen get a vector from their n-grams alone.

The lifecycle is :class:`~fastembed_core.models.word2vec.Word2Vec`'s; this module changes
what differs: the input matrix (allocated with the n-gram rows, grown by inserting new words'
rows before them), the kernel run (with the subword table), saving the whole matrix, and
Facebook's ``.bin`` files (:func:`load_facebook_model`, :func:`load_facebook_vectors`,
:func:`save_facebook_model`, on :mod:`fastembed_core.io.facebook_format`).

Size: over 700 lines because gensim keeps the three Facebook functions in this module (so
``from gensim.models.fasttext import load_facebook_model`` maps to the same path here) and
they build the model through its own hooks; apart, they would reach into its internals.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from typing import Any, Callable, ClassVar

import numpy as np
from numpy.typing import NDArray

from .. import _kernel, _subwords
from ..errors import FormatError
from ..validation import check_int
from ..vectors.fasttext import FastTextKeyedVectors
from ..vectors.lazy_rows import CompactRows, copy_nonzero_rows, run_in_threads, zeroed_rows
from . import gensim_models
from . import vocab as vocab_mod
from .word2vec import HOT_ROWS, Word2Vec
from .workers import available_cores

logger = logging.getLogger("fastembed_core")

# With several workers, each also keeps private copies of this many n-gram rows, the most used
# ones, merged with the words' hot rows (word2vec.HOT_ROWS; src/fe_train.h, "Hot rows"). An
# n-gram such as "<th" or "ing>" is in the input of thousands of words: on english.txt the
# 256 most used n-gram rows take 15 % of all input-row updates, the 64 most frequent words'
# own rows 0.4 %, so without copies both workers write the same n-gram rows all the time.
HOT_NGRAM_ROWS = 256

__all__ = [
    "FastText",
    "load_facebook_model",
    "load_facebook_vectors",
    "save_facebook_model",
    "ft_ngram_hashes",
    "ft_hash_bytes",
    "compute_ngrams",
    "compute_ngrams_bytes",
]

# Callbacks that run between epochs of a train() call, and so may read or change the vectors.
_BETWEEN_EPOCHS = ("on_epoch_begin", "on_epoch_end", "on_train_end")
# gensim's lock factors of the words' own rows and of the n-gram rows (1: train freely).
_LOCKF_NAMES = ("vectors_vocab_lockf", "vectors_ngrams_lockf")
# Parameters named alike here and in gensim's FastText, and the training state both keep.
_GENSIM_PARAMS = (
    "vector_size",
    "alpha",
    "min_alpha",
    "window",
    "min_count",
    "max_vocab_size",
    "sample",
    "seed",
    "sg",
    "hs",
    "negative",
    "ns_exponent",
    "cbow_mean",
    "epochs",
    "sorted_vocab",
    "max_final_vocab",
    "shrink_windows",
    "null_word",
    "batch_words",
)
_GENSIM_STATE = (
    "corpus_count",
    "corpus_total_words",
    "effective_min_count",
    "train_count",
    "total_train_time",
)
# The Facebook format stores ``bucket`` as a signed 32-bit int, and the kernel numbers input
# rows with uint32: a larger bucket could be neither saved nor trained.
MAX_BUCKET = 2**31 - 1


def _ngrams_on(min_n: int, max_n: int, bucket: int) -> bool:
    return bucket > 0 and max_n > 0 and max_n >= min_n


class FastText(Word2Vec):
    """Train fastText embeddings (word vectors enriched with character n-grams), with gensim 4's
    parameter names and defaults. Unseen words get vectors from their n-grams.

    Parameters
    ----------
    sentences, corpus_file
        The corpus, as for :class:`~fastembed_core.Word2Vec` (token lists or text files). If
        given, the vocabulary is built and the model trained now. Tokens must be strings.
    sg, hs, vector_size, alpha, window, min_count, max_vocab_size, sample, seed
        As for :class:`~fastembed_core.Word2Vec`, with gensim's defaults.
    workers, min_alpha, negative, ns_exponent, cbow_mean, epochs, sorted_vocab
        As for :class:`~fastembed_core.Word2Vec` (``workers`` defaults to every core
        available).
    trim_rule, callbacks, max_final_vocab, shrink_windows, compute_loss
        As for :class:`~fastembed_core.Word2Vec`.
    shared_negatives, corpus_file_errors
        As for :class:`~fastembed_core.Word2Vec` (not in gensim).
    cbow_sums : bool
        CBOW (default True): sum each context word's subword rows once, when the first window
        reaches it, and add the gradient its windows gathered to its rows once, when the last
        one has run (a window's input is still the mean over all its context words' rows). A
        word sits in up to ``2 * window`` windows, so its rows are read and written once
        instead of up to ``2 * window`` times: CBOW trains about 1.9x faster at the same
        quality (bench/FASTTEXT.md). The price is that rows learn from the last few windows
        with a delay; False updates the rows after every window, as gensim and fastText do.
        Not in gensim or fastText; no effect on skip-gram.
    min_n, max_n : int
        Lengths in characters of the n-grams of ``"<" + word + ">"`` (default 3 to 6). As in
        gensim, ``max_n < min_n`` (e.g. ``max_n=0``) trains no n-grams at all: the model is
        then word2vec with an extra mean step, and ``bucket`` becomes 0.
    bucket : int
        Rows the n-grams are hashed into (default 2,000,000; fastText's hash). Each row costs
        ``vector_size * 4`` bytes: the default with 100 dimensions needs 800 MB. At most
        2**31 - 1 (what Facebook's files store).
    word_ngrams : int
        Only 1, as in gensim (word n-grams are fastText's supervised mode).
    hashfxn, null_word, batch_words, comment
        Accepted for gensim compatibility (see Word2Vec).

    Notes
    -----
    Initial weights: the words' own rows and every n-gram row some vocabulary word uses are
    uniform in ``(-1/vector_size, 1/vector_size)``, as gensim and Facebook's fastText draw
    them; output rows zero, as both do. Buckets no vocabulary word uses start at zero and are
    never committed to memory (about 6 % of the 2,000,000 default buckets are used by a
    22,000-word vocabulary): training never reaches them, so the trained vectors are the
    same as with random ones. They matter only to unseen words, whose vector (the mean of
    their n-gram rows) then comes from the rows training shaped alone; gensim draws every
    bucket at random, so there unused buckets add noise to it, and fastText draws only the
    first tenth of its matrix per thread and leaves the rest at zero.

    Training works on a dense copy of the rows it can reach (the words' rows and the used
    buckets, 57 MB for that vocabulary at 100 dimensions), written back into ``wv`` when
    ``train()`` returns. Callbacks with ``on_epoch_begin``, ``on_epoch_end`` or
    ``on_train_end`` see the trained vectors between epochs, and changes they make there are
    trained on; ``on_progress`` (during an epoch) sees them as the last write-back left them
    (without such callbacks, as they were before ``train()``).

    Examples
    --------
    >>> model = FastText(sentences, vector_size=100, min_count=1, epochs=10)
    >>> model.wv["misspeled"]          # a vector for a word never seen
    >>> model.wv.most_similar("misspeled")
    """

    _KIND: ClassVar[str] = "FastText"
    _INIT_PARAMS: ClassVar[tuple[str, ...]] = (
        *Word2Vec._INIT_PARAMS[:-1],
        "min_n",
        "max_n",
        "bucket",
        "word_ngrams",
        "cbow_sums",
        "comment",
    )
    _SWITCHES: ClassVar[tuple[str, ...]] = (*Word2Vec._SWITCHES, "cbow_sums")
    # Training works on a dense copy of the rows it can reach (see _make_run); False trains
    # the full input matrix in place, the reference the compact path must equal.
    _COMPACT_TRAINING: ClassVar[bool] = True
    # During train(): the compact copy (None: training the full matrix), and whether the
    # full matrix lacks the copy's latest values.
    _compact: CompactRows | None = None
    _full_stale: bool = False
    # ... and the subword table's rows as rows of the compact copy
    _compact_subword_rows: NDArray[np.uint32] | None = None
    # files written before the switch existed trained CBOW without it
    _PARAM_DEFAULTS: ClassVar[dict[str, Any]] = {"cbow_sums": False}
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
        sentences: Iterable[Sequence[str]] | None = None,
        corpus_file: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
        sg: int = 0,
        hs: int = 0,
        vector_size: int = 100,
        alpha: float = 0.025,
        window: int = 5,
        min_count: int = 5,
        max_vocab_size: int | None = None,
        word_ngrams: int = 1,
        sample: float = 1e-3,
        seed: int = 1,
        workers: int | None = None,
        min_alpha: float = 0.0001,
        negative: int = 5,
        ns_exponent: float = 0.75,
        cbow_mean: int = 1,
        hashfxn: Any = None,
        epochs: int = 5,
        null_word: int = 0,
        min_n: int = 3,
        max_n: int = 6,
        sorted_vocab: int = 1,
        bucket: int = 2000000,
        trim_rule: Callable[[Any, int, int], int] | None = None,
        batch_words: int = 10000,
        callbacks: Iterable[Any] = (),
        max_final_vocab: int | None = None,
        shrink_windows: bool = True,
        compute_loss: bool = False,
        shared_negatives: bool = True,
        corpus_file_errors: str = "strict",
        comment: str | None = None,
        cbow_sums: bool = True,
    ) -> None:
        if check_int("word_ngrams", word_ngrams, 1) != 1:
            raise ValueError(
                f"word_ngrams={word_ngrams}: only 1 is supported, as in gensim (word n-grams "
                "belong to fastText's supervised mode)"
            )
        self.word_ngrams = 1
        self.cbow_sums = bool(cbow_sums)
        self.min_n = check_int("min_n", min_n, 1, 1 << 16)
        self.max_n = check_int("max_n", max_n, 0, 1 << 16)
        self.bucket = check_int("bucket", bucket, 0, MAX_BUCKET)
        if self.max_n < self.min_n:
            # gensim's documented way to train without n-grams: then no bucket rows are needed
            logger.info("max_n=%d < min_n=%d: no character n-grams, bucket=0", max_n, min_n)
            self.bucket = 0
        self._w_in = np.zeros((0, 0), np.float32)
        super().__init__(
            vector_size=vector_size,
            alpha=alpha,
            window=window,
            min_count=min_count,
            max_vocab_size=max_vocab_size,
            sample=sample,
            seed=seed,
            workers=workers,
            min_alpha=min_alpha,
            sg=sg,
            hs=hs,
            negative=negative,
            ns_exponent=ns_exponent,
            cbow_mean=cbow_mean,
            hashfxn=hashfxn,
            epochs=epochs,
            null_word=null_word,
            trim_rule=trim_rule,
            sorted_vocab=sorted_vocab,
            batch_words=batch_words,
            compute_loss=compute_loss,
            callbacks=callbacks,
            comment=comment,
            max_final_vocab=max_final_vocab,
            shrink_windows=shrink_windows,
            shared_negatives=shared_negatives,
            corpus_file_errors=corpus_file_errors,
        )
        self._set_input(
            [], np.zeros(0, np.int64), np.zeros((self.bucket, self.vector_size), np.float32)
        )
        self._train_now(sentences, corpus_file)

    # ------------------------------------------------------------------ the input matrix

    @property
    def ngrams_enabled(self) -> bool:
        """Whether words get character n-gram rows (``bucket > 0`` and ``min_n <= max_n``)."""
        return _ngrams_on(self.min_n, self.max_n, self.bucket)

    def _set_input(self, keys, counts, w_in, keep_lock_factors=False):
        """Makes ``w_in`` (``len(keys) + bucket`` rows) the trained input matrix and ``wv`` its
        keyed view, with the means computed; ``keep_lock_factors`` carries the lock factors of
        the current ``wv`` over (the vocabulary grew), else every row trains freely."""
        # the vectors spell "no n-grams" as max_n=0 (gensim's max_n < min_n means the same)
        max_n = self.max_n if self.max_n >= self.min_n else 0
        wv = FastTextKeyedVectors(self.vector_size, self.min_n, max_n, self.bucket)
        wv.index_to_key = list(keys)
        wv.key_to_index = {k: i for i, k in enumerate(wv.index_to_key)}
        wv.next_index = len(wv.index_to_key)
        wv.expandos["count"] = np.asarray(counts, dtype=np.int64)
        wv._attach_input(w_in, len(keys))  # computes the means
        if keep_lock_factors:
            self._carry_lock_factors(self.wv, wv)
        self._w_in = w_in
        self.wv = wv
        self._tables = None

    @staticmethod
    def _carry_lock_factors(old, new):
        """gensim's per-row lock factors of the input rows stay with their rows when the
        vocabulary grows; rows of new words train freely (factor 1)."""
        for name in _LOCKF_NAMES:
            lockf = getattr(old, name, None)
            if lockf is None:
                continue
            lockf = np.asarray(lockf, dtype=np.float32)
            if name == "vectors_vocab_lockf" and 1 < len(lockf) < len(new):
                lockf = np.concatenate([lockf, np.ones(len(new) - len(lockf), np.float32)])
            setattr(new, name, lockf)
        new.vectors_lockf = getattr(old, "vectors_lockf", new.vectors_lockf)

    def _lock_factors(self):
        """One factor per input row for the kernel (row r uses ``lockf[r % len]``) from
        gensim's ``wv.vectors_vocab_lockf`` and ``wv.vectors_ngrams_lockf``, each repeated
        over its rows as gensim repeats it; None when every factor is 1."""
        vocab_lockf, ngrams_lockf = (
            np.asarray(getattr(self.wv, name, np.ones(1)), dtype=np.float32)
            for name in _LOCKF_NAMES
        )
        if (vocab_lockf == 1.0).all() and (ngrams_lockf == 1.0).all():
            return None
        for name, lockf in zip(_LOCKF_NAMES, (vocab_lockf, ngrams_lockf)):
            if lockf.ndim != 1 or not len(lockf):
                raise ValueError(f"wv.{name} must be a non-empty 1-D array; got {lockf.shape}")
        combined = np.concatenate(
            [np.resize(vocab_lockf, len(self.wv)), np.resize(ngrams_lockf, self.bucket)]
        )
        return _kernel.check_lockf(combined)

    def _refresh_means(self, compact=None, compact_rows=None):
        """``wv.vectors``: each word's mean over its subword rows (gensim's ``adjust_vectors``,
        fastText's ``getWordVector``). Given the compact copy training used (and the subword
        table's rows in it), the means are taken from it: the same values in the same order,
        read from a dense array instead of rows scattered over the full matrix's pages
        (0.02 s against 0.1 s on english.txt's 22,000 words)."""
        matrix = None if compact is None else compact.matrix
        if matrix is not None and compact_rows is not None and matrix.dtype == np.float32:
            vocab = len(self.wv)  # the words' own rows come first in the copy
            offsets = self._subword_table()[0]
            self.wv.vectors = _subwords.subword_means(
                matrix[:vocab], matrix[vocab:], offsets, compact_rows
            )
        else:
            self.wv.adjust_vectors()
        self.wv.invalidate_norms()

    def _subword_table(self):
        """(offsets, rows) of every vocabulary word's input rows: its own row, then its
        n-grams' rows (V + bucket index), fastText's order; the vectors cache it until the
        vocabulary changes."""
        return self.wv.subword_table()

    # ------------------------------------------------------------------ vocabulary hooks

    @staticmethod
    def _check_words(keys):
        bad = next((k for k in keys if not isinstance(k, str)), None)
        if bad is not None:
            raise TypeError(
                f"FastText builds vectors from the characters of words, so every token must be "
                f"a str; got {bad!r} ({type(bad).__name__}). Item ids: use Word2Vec or Item2Vec"
            )

    def _allocate(self, keys, key_counts):
        self._check_words(keys)
        vocab_size = len(keys)
        self._check_memory(vocab_size)
        w_in = zeroed_rows(vocab_size + self.bucket, self.vector_size)
        w_in[:vocab_size] = self._init_rows(vocab_size, 0)
        self._set_input(list(keys), np.asarray(key_counts, dtype=np.int64), w_in)
        self._init_ngram_rows(self._used_buckets())
        self._allocate_layers(vocab_size)

    def _used_buckets(self):
        """The sorted buckets (rows of ``wv.vectors_ngrams``) some vocabulary word uses: the
        only n-gram rows training reads or writes."""
        rows = self._subword_table()[1]
        return np.unique(rows[rows >= len(self.wv)]) - np.uint32(len(self.wv))

    def _init_ngram_rows(self, buckets):
        """Draws the given n-gram rows uniform in (-1/dim, 1/dim), a block at a time, and
        refreshes the means. Rows no word uses stay zero and uncommitted (see
        ``vectors.lazy_rows``): training never reaches them, and an unseen word's vector
        is the mean of its trained rows, not of random ones."""
        if not len(buckets):
            return
        # a stream of its own: (seed, first row) seeds the words' own rows
        seeds = np.random.SeedSequence([self.seed, len(self.wv), 1])
        rng = np.random.Generator(np.random.PCG64(seeds))
        ngrams = self.wv.vectors_ngrams
        block = 1 << 14
        for start in range(0, len(buckets), block):
            rows = buckets[start : start + block]
            values = rng.random((len(rows), self.vector_size), dtype=np.float32)
            values *= 2.0
            values -= 1.0
            values /= self.vector_size
            ngrams[rows] = values
        self._refresh_means()

    def _apply_counts(self, counts, update, trim_rule, total, n_sent):
        super()._apply_counts(counts, update, trim_rule, total, n_sent)
        if self._empty_vocab is not None and not update and not len(self.wv):
            # an empty vocabulary keeps vectors of the FastText kind (train() says why)
            self._set_input(
                [], np.zeros(0, np.int64), np.zeros((self.bucket, self.vector_size), np.float32)
            )

    def _update_vocab(self, counts, trim_rule):
        wv = self.wv
        old = np.asarray(wv.expandos["count"], dtype=np.int64).copy()
        for key, c in counts.items():
            i = wv.key_to_index.get(key)
            if i is not None:
                old[i] += c
        fresh = {k: c for k, c in counts.items() if k not in wv.key_to_index}
        new_keys: list[Any] = []
        new_counts: list[int] = []
        if fresh:
            new_keys, new_counts, _ = vocab_mod.select_vocab(
                fresh, self.effective_min_count, None, trim_rule, self.sorted_vocab
            )
        self._check_words(new_keys)
        n_old, n_new = len(wv.index_to_key), len(new_keys)
        self._check_memory(n_old + n_new)
        logger.info("vocabulary update: %d new words, %d existing", n_new, n_old)
        w_in = self._w_in
        if n_new:
            # the new words' own rows go between the old words' and the n-gram rows, which
            # keep what they learned; n-gram rows of zeros stay uncommitted
            old_used = self._used_buckets()
            w_in = zeroed_rows(len(w_in) + n_new, self.vector_size)
            w_in[:n_old] = self._w_in[:n_old]
            w_in[n_old : n_old + n_new] = self._init_rows(n_new, n_old)
            copy_nonzero_rows(self._w_in[n_old:], w_in[n_old + n_new :])
        self._set_input(
            wv.index_to_key + list(new_keys),
            np.concatenate([old, np.asarray(new_counts, np.int64)]),
            w_in,
            keep_lock_factors=True,
        )
        if n_new:
            # buckets only new words use start like every other used row; any that hold
            # values (a loaded fastText or gensim model initialised buckets no word used) keep
            # them
            fresh = np.setdiff1d(self._used_buckets(), old_used, assume_unique=True)
            self._init_ngram_rows(fresh[~self.wv.vectors_ngrams[fresh].any(axis=1)])
        self._grow_layers(n_old, n_new)

    def _estimate_bytes(self, vocab_size):
        words = vocab_mod.estimate_bytes(vocab_size, self.vector_size, self.negative, self.hs)
        ngram_rows = self.bucket * self.vector_size * 4
        means = vocab_size * self.vector_size * 4
        # the subword table: an offset per word and about (max_n - min_n + 1) * 8 rows per word
        per_word = (max(self.max_n - self.min_n + 1, 0) * 8 + 1) * 4 + 8
        return words + ngram_rows + means + vocab_size * per_word

    def _check_memory(self, vocab_size):
        need = self._estimate_bytes(vocab_size)
        avail = vocab_mod.available_memory()
        if avail is not None and need > avail:
            raise MemoryError(
                f"the FastText model needs about {need / 2**30:.2f} GiB ({need} bytes): "
                f"({vocab_size} words + {self.bucket} n-gram buckets) x {self.vector_size} "
                f"dims x 4 bytes for the input matrix, plus the output layers; only "
                f"{avail / 2**30:.2f} GiB of memory is available. Lower bucket (the n-gram "
                f"rows), vector_size, or raise min_count"
            )

    def estimate_memory(
        self, vocab_size: int | None = None, report: dict[str, int] | None = None
    ) -> dict[str, int]:
        """Bytes the model needs for ``vocab_size`` words (default: the current vocabulary),
        with gensim's FastText keys: ``vocab``, ``syn0_vocab``, ``syn0_ngrams``, ``syn1neg``
        and/or ``syn1``, ``buckets_word`` (the subword table) and ``total``."""
        n = int(vocab_size or len(self.wv))
        row = self.vector_size * 4
        report = report if report is not None else {}
        report["vocab"] = n * (700 if self.hs else 500)
        report["syn0_vocab"] = n * row
        if self.hs:
            report["syn1"] = n * row
        if self.negative:
            report["syn1neg"] = n * row
        if self.bucket:
            report["syn0_ngrams"] = self.bucket * row
            if n == len(self.wv) and n:
                report["buckets_word"] = int(self._subword_table()[1].nbytes) + 8 * (n + 1)
            else:
                report["buckets_word"] = n * ((max(self.max_n - self.min_n + 1, 0) * 8) * 4 + 8)
        report["total"] = sum(v for k, v in report.items() if k != "total")
        logger.info(
            "estimated required memory for %d words, %d buckets and %d dimensions: %d bytes",
            n,
            self.bucket,
            self.vector_size,
            report["total"],
        )
        return report

    # ------------------------------------------------------------------ training hooks

    def _input_items(self):
        return [("input matrix (wv.vectors_vocab + wv.vectors_ngrams)", self._w_in)]

    def _trained_arrays(self):
        return [*self._input_items(), *self._layer_items()]

    def _check_writeable(self):
        for name, arr in self._trained_arrays():
            if arr is not None and not arr.flags.writeable:
                raise ValueError(
                    f"the {name} is read-only (memory-mapped with mmap='r'?); load the model "
                    f"with mmap=None or mmap='c' to train it"
                )

    def _check_layers(self):
        n = len(self.wv)
        wv = self.wv
        vocab_rows = getattr(wv, "vectors_vocab", None)
        if (
            not isinstance(wv, FastTextKeyedVectors)
            or self._w_in.shape != (n + self.bucket, self.vector_size)
            or vocab_rows is None
            or not np.shares_memory(vocab_rows, self._w_in)
        ):
            raise ValueError(
                "the model's wv is not the FastTextKeyedVectors this model trains (vectors "
                "assigned to model.wv carry no n-gram rows); build the vocabulary with "
                "build_vocab() to train"
            )
        super()._check_layers()

    def _make_run(self, ids, offsets, epochs, alpha, min_alpha):
        """The run trains a compact copy of the input matrix: the words' own rows and the
        buckets some word uses (about 140,000 of 2,000,000 rows for 22,000 words), packed in an
        ordinary array, with the subword table and the lock factors remapped to it. The full
        matrix (4 KB pages that untouched buckets leave uncommitted, rows scattered by the
        hash) cost the kernel a TLB or cache miss on most rows it read. Only where rows sit
        changes: the kernel does the same arithmetic in the same order, so the results are
        identical."""
        subword_offsets, subword_rows = self._subword_table()
        w_in, lockf = self._w_in, self._lock_factors()
        family: dict[str, Any] = {}
        self._compact, self._compact_subword_rows, self._full_stale = None, None, False
        if self._COMPACT_TRAINING and self.ngrams_enabled:
            # with several workers the most used n-gram rows come first, where the kernel
            # gives each worker private copies of them
            hot = HOT_NGRAM_ROWS if self.workers > 1 and HOT_ROWS else 0
            rows, subword_rows = self._training_rows(subword_offsets, subword_rows, hot, True)
            compact = CompactRows(w_in, rows)
            w_in = compact.matrix
            if lockf is not None:
                lockf = _kernel.check_lockf(lockf[compact.rows])
            self._compact = compact  # gathered before the first epoch (_run_epoch)
            self._compact_subword_rows = subword_rows
            if hot:
                family["hot_ngram_rows"] = hot
        run = self._training_run(
            ids,
            epochs,
            alpha,
            min_alpha,
            w_in,
            lockf,
            subword_offsets=subword_offsets,
            subword_rows=subword_rows,
            cbow_sums=self.cbow_sums,
            **family,
        )
        run.set_corpus(ids, offsets)
        return run

    def _training_rows(self, subword_offsets, subword_rows, hot=0, remap=False):
        """The input rows training can reach, in their order in the compact copy: the words'
        own rows first, as they are (rows 0 .. V-1: the kernel's per-worker copies of the
        most frequent words' rows expect them there), then the ``hot`` most used buckets,
        the most used first (the kernel's per-worker copies of n-gram rows are the first
        ones after the words'), then the other buckets some word uses, by the first word
        using them. With the vocabulary sorted by frequency, the buckets trained most sit
        together (5 % less CPU per epoch than in bucket order on english.txt). A bucket's use
        is how often training is expected to read it: over the words listing it, count x
        keep probability (subsampling); equal uses go by bucket. With ``remap``, also the
        subword table's rows as rows of the copy. A pass or two over the subword table in C
        (``_subwords.training_rows``), not over all of the ``bucket`` rows."""
        vocab = len(self.wv)
        expected = None
        if hot > 0:
            expected = np.ascontiguousarray(self.wv.expandos["count"], dtype=np.float64)
            keep = self._sampling_tables()["keep"]
            if keep is not None:
                expected = expected * (keep / 4294967295.0)
        return _subwords.training_rows(
            subword_offsets, subword_rows, len(self._w_in) - vocab, expected, hot, remap
        )

    def _run_epoch(self, run, offsets, epoch, report_delay, total_ids, epochs, callbacks=()):
        compact = self._compact
        if compact is None:
            return super()._run_epoch(
                run, offsets, epoch, report_delay, total_ids, epochs, callbacks
            )
        # The rows are read in before the first epoch (after on_train_begin). Callbacks that
        # run between epochs see the full matrix: it is brought up to date after every epoch
        # and read again before the next (a callback may change rows in place). Otherwise it
        # is written once, when train() ends; on_progress sees it as it was at the start.
        between = any(hasattr(cb, name) for cb in callbacks for name in _BETWEEN_EPOCHS)
        if not self._full_stale:
            compact.gather(parts=self.workers)  # what runs before the workers start
        self._full_stale = True
        result = super()._run_epoch(run, offsets, epoch, report_delay, total_ids, epochs, callbacks)
        if between:
            self._write_back()
        return result

    def _write_back(self):
        """The compact copy's rows back into the full input matrix, if it lacks them."""
        if self._compact is not None and self._full_stale:
            self._compact.scatter(parts=self.workers)
            self._full_stale = False

    def _check_finite(self, epoch, alpha):
        # the means are refreshed here, before the callbacks at the end of the epoch, which
        # thus see (and save) fresh ones; not while the full matrix waits for the compact
        # copy's rows (no callback runs between epochs then)
        if not self._full_stale:
            self._refresh_means()
        super()._check_finite(epoch, alpha)

    def _finite_checked_arrays(self):
        # Training writes only rows of vocabulary words' subwords, and a NaN or inf in any of
        # them reaches the mean of every word using it: checking the means (one row per word)
        # replaces reading all of the bucket rows, most of which no word uses. The compact
        # copy holds just those rows.
        name = self._input_items()[0][0]
        if self._full_stale:
            return [(name, self._compact.matrix), *self._layer_items()]
        return [(name, self.wv.vectors), *self._layer_items()]

    def _train_encoded(self, ids, offsets, raw, epochs, alpha, min_alpha, callbacks, report_delay):
        try:
            return super()._train_encoded(
                ids, offsets, raw, epochs, alpha, min_alpha, callbacks, report_delay
            )
        finally:
            # also when training stopped, diverged or was interrupted: what it learned stays
            # the copy holds the latest rows unless it was written back between epochs, where
            # callbacks may have changed the full matrix since
            compact = self._compact if self._full_stale else None
            compact_rows = self._compact_subword_rows
            if compact is not None and self.workers > 1:
                # the means are read from the copy: they need not wait for its rows to be
                # written back, and with several cores both run side by side
                run_in_threads(
                    [lambda: self._refresh_means(compact, compact_rows), self._write_back]
                )
                self._compact = self._compact_subword_rows = None
            else:
                self._write_back()
                self._compact = self._compact_subword_rows = None
                self._refresh_means(compact, compact_rows)

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        # a copy made between epochs gets the full matrix, brought up to date then
        state.pop("_compact", None)
        state.pop("_compact_subword_rows", None)
        state.pop("_full_stale", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        # A copy (deepcopy, pickle) copies the views of the input matrix apart from it:
        # make them views of this copy's matrix again.
        wv = self.wv
        if isinstance(wv, FastTextKeyedVectors) and not np.shares_memory(
            wv.vectors_ngrams if self.bucket else wv.vectors_vocab, self._w_in
        ):
            wv._attach_input(self._w_in, len(wv))

    # ------------------------------------------------------------------ persistence hooks

    def _extra_arrays(self):
        arrays = {**super()._extra_arrays(), "input_matrix": self._w_in}
        for name in _LOCKF_NAMES:  # frozen rows stay frozen after a checkpoint
            lockf = np.asarray(getattr(self.wv, name, np.ones(1)), dtype=np.float32)
            if (lockf != 1.0).any():
                arrays[name] = lockf
        return arrays

    def _restore_extra_arrays(self, fname, arrays):
        n = len(self.wv)
        w_in = arrays.get("input_matrix")
        shape = (n + self.bucket, self.vector_size)
        if w_in is None:
            raise FormatError(f"{fname}: the FastText file lacks the array 'input_matrix'")
        if w_in.shape != shape or w_in.dtype != np.float32:
            raise FormatError(
                f"{fname}: input_matrix has shape {w_in.shape} ({w_in.dtype}), expected "
                f"{shape} float32 ({n} words + {self.bucket} buckets)"
            )
        if not isinstance(w_in, np.memmap) and not np.isfinite(w_in).all():
            raise FormatError(f"{fname}: input_matrix holds NaN or infinite values")
        # vectors_lockf (restored into the plain vectors by load) is kept too
        self._set_input(
            list(self.wv.index_to_key), self.wv.expandos["count"], w_in, keep_lock_factors=True
        )
        for name in _LOCKF_NAMES:
            lockf = arrays.get(name)
            if lockf is not None:
                try:
                    lockf = _kernel.check_lockf(np.array(lockf, dtype=np.float32))
                except (TypeError, ValueError) as exc:
                    raise FormatError(f"{fname}: {name}: {exc}") from None
                setattr(self.wv, name, lockf)
        super()._restore_extra_arrays(fname, arrays)

    # ------------------------------------------------------------------ gensim's other names

    def init_sims(self, replace: bool = False) -> None:
        """Deprecated in gensim 4: the norms are computed when needed (``wv.init_sims``)."""
        self.wv.init_sims(replace=replace)

    @classmethod
    def load_fasttext_format(
        cls, model_file: str | os.PathLike, encoding: str = "utf8"
    ) -> FastText:
        """gensim's deprecated name of :func:`load_facebook_model`."""
        import warnings

        warnings.warn(
            "use load_facebook_vectors (to use pretrained embeddings) or load_facebook_model "
            "(to continue training with the loaded full model) instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return load_facebook_model(model_file, encoding=encoding)

    @classmethod
    def from_gensim(cls, gensim_model: Any) -> FastText:
        """A model continuing where a gensim ``FastText`` left off: copies of its vocabulary
        (order and counts), input rows (words' and n-grams'), output layer (``syn1`` with its
        Huffman tree), lock factors, parameters and training state. gensim is not imported.

        Parameters
        ----------
        gensim_model : gensim.models.fasttext.FastText

        Returns
        -------
        FastText
        """
        g = gensim_model
        gwv: Any = getattr(g, "wv", None)
        if not hasattr(gwv, "vectors_ngrams") or not hasattr(g, "sg"):
            raise TypeError(f"expected a gensim FastText model; got {type(g).__name__}")
        params = {name: getattr(g, name) for name in _GENSIM_PARAMS if hasattr(g, name)}
        params["workers"] = min(int(getattr(g, "workers", 1)), available_cores())
        model = cls(min_n=gwv.min_n, max_n=gwv.max_n, bucket=gwv.bucket, **params)
        keys = list(gwv.index_to_key)
        n, dim = len(keys), model.vector_size
        if n:
            counts = np.array([gwv.get_vecattr(k, "count") for k in keys], dtype=np.int64)
            w_in = np.concatenate(
                [
                    _gensim_matrix("wv.vectors_vocab", gwv.vectors_vocab, (n, dim)),
                    _gensim_matrix("wv.vectors_ngrams", gwv.vectors_ngrams, (model.bucket, dim)),
                ]
            )
            model._set_input(keys, counts, w_in)
            model._allocate_layers(n)
            if model.negative:
                model.syn1neg = _gensim_matrix("syn1neg", g.syn1neg, (n, dim))
            if model.hs:
                model.syn1 = _gensim_matrix("syn1", np.asarray(g.syn1)[:n], (n, dim))
                if n >= 2:
                    codes = [gwv.get_vecattr(k, "code") for k in keys]
                    points = [gwv.get_vecattr(k, "point") for k in keys]
                    model._use_huffman_tree(gensim_models.tree_from_paths(codes, points, n - 1))
            for name in _LOCKF_NAMES:
                lockf = getattr(gwv, name, None)
                if lockf is not None:
                    setattr(model.wv, name, _kernel.check_lockf(np.array(lockf, np.float32)))
        for name in _GENSIM_STATE:
            if hasattr(g, name):
                setattr(model, name, type(getattr(model, name))(getattr(g, name)))
        return model

    def to_gensim(self) -> Any:
        """A gensim ``FastText`` with copies of this model's vocabulary, input rows, output
        layer, parameters and training state, which gensim's ``train()`` continues.

        Returns
        -------
        gensim.models.fasttext.FastText

        Raises
        ------
        ImportError
            gensim is not installed.
        """
        try:
            from gensim.models.fasttext import FastText as GensimFastText
        except ImportError as exc:
            raise ImportError("to_gensim() needs gensim: pip install gensim") from exc
        params = {name: getattr(self, name) for name in _GENSIM_PARAMS}
        g = GensimFastText(
            workers=self.workers, min_n=self.min_n, max_n=self.max_n, bucket=self.bucket, **params
        )
        n = len(self.wv)
        if not n:
            return g
        counts = np.asarray(self.wv.expandos["count"], dtype=np.int64)
        # gensim's vocabulary from the counts (every word kept), then put in this order
        g.build_vocab_from_freq(
            dict(zip(self.wv.index_to_key, counts.tolist())), trim_rule=lambda *_: 2
        )
        gwv = g.wv
        gwv.index_to_key = list(self.wv.index_to_key)
        gwv.key_to_index = {k: i for i, k in enumerate(gwv.index_to_key)}
        thresholds = vocab_mod.keep_thresholds(counts, self.sample)
        gwv.expandos = {
            "count": counts.copy(),
            "sample_int": (
                np.full(n, 2**32 - 1, dtype=np.uint32) if thresholds is None else thresholds
            ),
        }
        gwv.vectors_vocab = np.array(self._w_in[:n], dtype=np.float32)
        gwv.vectors_ngrams = np.array(self._w_in[n:], dtype=np.float32)
        gwv.recalc_char_ngram_buckets()
        gwv.adjust_vectors()
        for name in _LOCKF_NAMES:
            setattr(gwv, name, np.array(getattr(self.wv, name, np.ones(1)), dtype=np.float32))
        if self.negative:
            g.syn1neg = np.array(self.syn1neg, dtype=np.float32)
            g.make_cum_table()
        if self.hs:
            g.syn1 = np.array(self.syn1, dtype=np.float32)
            offset, code, point = self._huffman_tree()
            codes: np.ndarray = np.empty(n, dtype=object)
            points: np.ndarray = np.empty(n, dtype=object)
            for i in range(n):
                codes[i] = code[offset[i] : offset[i + 1]].copy()
                points[i] = point[offset[i] : offset[i + 1]].copy()
            gwv.expandos["code"], gwv.expandos["point"] = codes, points
        for name in _GENSIM_STATE:
            setattr(g, name, getattr(self, name))
        return g

    def __str__(self):
        return f"FastText<vocab={len(self.wv)}, vector_size={self.vector_size}, alpha={self.alpha}>"

    __repr__ = __str__


# ---------------------------------------------------------------------- gensim's n-gram helpers


def ft_hash_bytes(bytez: bytes) -> int:
    """fastText's 32-bit hash of ``bytez`` (gensim's ``ft_hash_bytes``)."""
    from .. import _subwords

    return int(_subwords.ft_hash(bytes(bytez)))


def ft_ngram_hashes(word: str, minn: int, maxn: int, num_buckets: int) -> list[int]:
    """The buckets of ``word``'s character n-grams in fastText's order (gensim's
    ``ft_ngram_hashes``): rows of ``wv.vectors_ngrams``."""
    from .. import _subwords

    if maxn < minn:
        return []  # no length fits, as in gensim
    return [int(b) for b in _subwords.ngram_buckets(word, minn, maxn, num_buckets)]


def compute_ngrams_bytes(word: str, min_n: int, max_n: int) -> list[bytes]:
    """The character n-grams of ``"<" + word + ">"`` as UTF-8 bytes, in fastText's order:
    by start character, then by length (gensim's ``compute_ngrams_bytes``). A one-character
    n-gram is left out at either end (``"<"`` and ``">"`` alone)."""
    data = f"<{word}>".encode()
    starts = [i for i, b in enumerate(data) if b & 0xC0 != 0x80]  # not a continuation byte
    out = []
    for k, start in enumerate(starts):
        for n in range(min_n, max_n + 1):
            if k + n > len(starts):
                break
            end = starts[k + n] if k + n < len(starts) else len(data)
            if n == 1 and (start == 0 or end == len(data)):
                continue
            out.append(data[start:end])
    return out


def compute_ngrams(word: str, min_n: int, max_n: int) -> list[str]:
    """The character n-grams of ``"<" + word + ">"`` by length, then by position (gensim's
    ``compute_ngrams``; fastText's order is :func:`compute_ngrams_bytes`')."""
    extended = f"<{word}>"
    return [
        extended[i : i + n]
        for n in range(min_n, min(len(extended), max_n) + 1)
        for i in range(len(extended) - n + 1)
    ]


def _gensim_matrix(name, values, shape):
    arr = np.array(values, dtype=np.float32, order="C", copy=True)
    if arr.shape != shape:
        raise ValueError(f"the gensim model's {name} has shape {arr.shape}, expected {shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"the gensim model's {name} holds NaN or infinite values")
    return arr


# ---------------------------------------------------------------------- Facebook's .bin files

# fastText's loss and model codes in its files
_LOSS_HS, _LOSS_NS, _LOSS_SOFTMAX = 1, 2, 3
_MODEL_CBOW, _MODEL_SG, _MODEL_SUP = 1, 2, 3


def _read_facebook(path, full_model):
    from ..io.facebook_format import read_facebook_bin

    data = read_facebook_bin(os.fspath(path), full_model=full_model)
    args = data.args
    words, counts = list(data.words), np.asarray(data.counts, dtype=np.int64)
    types = np.asarray(data.entry_types)
    n_words = int(np.count_nonzero(types == 0)) if len(types) else len(words)
    if n_words != len(words):
        # labels (a supervised model's) follow the words; their rows are not input rows
        logger.info("%s: ignoring %d labels of a supervised model", path, len(words) - n_words)
        words, counts = words[:n_words], counts[:n_words]
    return data, args, words, counts


def _model_from_facebook(path, data, args, words, counts, full_model):
    """A FastText holding a Facebook model's vocabulary, input matrix and (``full_model``)
    output matrix, with the parameters the file records and gensim's defaults for the rest
    (the learning rate is not in the file)."""
    dim, bucket = int(args["dim"]), int(args["bucket"])
    min_n, max_n = int(args["minn"]), int(args["maxn"])
    loss, kind = int(args["loss"]), int(args["model"])
    if kind == _MODEL_SUP and int(args.get("version", 12)) == 11:
        max_n = 0  # fastText reads supervised models of format 11 without n-grams
    if full_model and (kind == _MODEL_SUP or loss not in (_LOSS_HS, _LOSS_NS)):
        raise ValueError(
            f"{path}: a supervised or softmax-loss fastText model cannot continue training as "
            "word vectors (model={kind}, loss={loss}); load_facebook_vectors reads its vectors"
        )
    n = len(words)
    w_in = data.input_matrix
    if not _ngrams_on(min_n, max_n, bucket):
        # no word uses the n-gram rows (e.g. maxn=0): keep only the words' rows
        w_in, bucket = w_in[:n], 0
    w_in = np.array(w_in, dtype=np.float32, order="C", copy=True)
    neg = int(args["neg"])
    model = FastText(
        vector_size=dim,
        window=int(args["ws"]),
        epochs=max(int(args["epoch"]), 1),  # a file of a model never trained says 0
        negative=neg if loss == _LOSS_NS else 0,
        hs=int(loss == _LOSS_HS),
        sg=int(kind == _MODEL_SG),
        bucket=bucket,
        min_count=int(args["min_count"]),
        sample=float(args["t"]),
        min_n=min_n,
        max_n=max_n,
    )
    model.lr_update_rate = int(args.get("lr_update_rate", 100))
    model._set_input(words, counts, w_in)
    model.corpus_total_words = int(data.ntokens)
    model.corpus_count = int(counts[words.index("</s>")]) if "</s>" in words else 0
    model.effective_min_count = model.min_count
    if full_model:
        model._allocate_layers(n)
        out = data.output_matrix
        if out is None or out.shape != (n, dim):
            raise FormatError(
                f"{path}: the output matrix has shape {getattr(out, 'shape', None)}, "
                f"expected ({n}, {dim})"
            )
        out = np.array(out, dtype=np.float32, order="C", copy=True)
        if model.negative:
            model.syn1neg = out
        else:
            model.syn1 = out
    return model


def load_facebook_model(path: str | os.PathLike, encoding: str = "utf-8") -> FastText:
    """Load a model from Facebook fastText's ``.bin`` file, to query it or train it further.

    Vectors of seen and unseen words are fastText's own (``getWordVector``). To continue
    training: ``model.build_vocab(new_sentences, update=True)`` then ``model.train(...)``.
    The file does not record the learning rate, so ``alpha`` is gensim's default (as in
    gensim), and negative samples follow ``ns_exponent=0.75`` (gensim's; fastText's own tool
    uses 0.5).

    Parameters
    ----------
    path : str or path
        The ``.bin`` file (not the ``.vec``; a quantized ``.ftz`` is refused).
    encoding : str
        Only ``"utf-8"`` (fastText writes UTF-8).

    Returns
    -------
    FastText

    Raises
    ------
    FormatError
        The file is not a fastText model, is truncated, quantized or damaged.
    ValueError
        A supervised model (use :func:`load_facebook_vectors`).
    """
    _check_encoding(encoding)
    data, args, words, counts = _read_facebook(path, full_model=True)
    return _model_from_facebook(path, data, args, words, counts, full_model=True)


def load_facebook_vectors(path: str | os.PathLike, encoding: str = "utf-8") -> FastTextKeyedVectors:
    """Load only the word vectors (with their n-grams, for unseen words) of Facebook
    fastText's ``.bin`` file; faster and smaller than :func:`load_facebook_model`.

    Parameters
    ----------
    path : str or path
        The ``.bin`` file.
    encoding : str
        Only ``"utf-8"``.

    Returns
    -------
    FastTextKeyedVectors
    """
    _check_encoding(encoding)
    data, args, words, counts = _read_facebook(path, full_model=False)
    model = _model_from_facebook(path, data, args, words, counts, full_model=False)
    wv = model.wv
    # the vectors stand alone: nothing ties them to the model they were read through
    for hook in ("save_guard", "derived_vecattrs"):
        wv.__dict__.pop(hook, None)  # back to the class's: no model to ask
    return wv


def _check_encoding(encoding):
    if str(encoding).lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise ValueError(f"encoding={encoding!r}: fastText's files are UTF-8")


def save_facebook_model(
    model: FastText,
    path: str | os.PathLike,
    encoding: str = "utf-8",
    lr_update_rate: int = 100,
    word_ngrams: int = 1,
) -> None:
    """Write ``model`` as Facebook fastText's ``.bin`` file (fastText and gensim load it).

    Parameters
    ----------
    model : FastText
        A trained model (negative sampling or hierarchical softmax).
    path : str or path
        Destination (written to a temporary file, then renamed).
    encoding : str
        Only ``"utf-8"``.
    lr_update_rate, word_ngrams : int
        Stored in the file for fastText's tool (this package does not use them).
    """
    from ..io.facebook_format import FacebookModelData, write_facebook_bin

    _check_encoding(encoding)
    if not isinstance(model, FastText):
        raise TypeError(f"save_facebook_model writes a FastText model; got {type(model).__name__}")
    if not len(model.wv):
        raise ValueError("the model has no vocabulary: build_vocab() and train() it first")
    n, dim = len(model.wv), model.vector_size
    w_in = model._w_in
    if model.bucket == 0 and model.max_n > 0:
        # fastText reads n-grams whenever maxn > 0: tell it there are none
        min_n, max_n = model.min_n, 0
    else:
        min_n, max_n = model.min_n, model.max_n
    output = model.syn1neg if model.negative else model.syn1
    args = {
        "dim": dim,
        "ws": model.window,
        "epoch": model.epochs,
        "min_count": model.min_count,
        "neg": model.negative,
        "word_ngrams": int(word_ngrams),
        "loss": _LOSS_NS if model.negative else _LOSS_HS,
        "model": _MODEL_SG if model.sg else _MODEL_CBOW,
        "bucket": model.bucket,
        "minn": min_n,
        "maxn": max_n,
        "lr_update_rate": int(lr_update_rate),
        "t": model.sample,
    }
    data = FacebookModelData(
        args=args,
        words=list(model.wv.index_to_key),
        counts=np.asarray(model.wv.expandos["count"], dtype=np.int64),
        entry_types=np.zeros(n, dtype=np.int8),
        ntokens=int(model.corpus_total_words),
        input_matrix=w_in,
        output_matrix=np.ascontiguousarray(output[:n], dtype=np.float32),
    )
    write_facebook_bin(os.fspath(path), data)
