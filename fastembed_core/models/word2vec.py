"""``Word2Vec``: skip-gram and CBOW training with gensim 4's API, on the C kernel.

The corpus is encoded once to uint32 ids; each epoch, every worker thread trains one
contiguous range of sentences with the GIL released for the whole range. See
``src/fe_train.h`` for the exact training semantics.
"""

import contextlib
import logging
import os
import threading
import time
import warnings

import numpy as np

from .. import _kernel
from ..errors import CorpusError, FormatError, TrainingDivergedError
from ..io.native import read_container, write_container
from ..validation import check_float, check_int
from ..vectors.keyedvectors import KeyedVectors
from . import vocab as vocab_mod
from .workers import available_cores, run_workers

logger = logging.getLogger("fastembed_core")

__all__ = ["Word2Vec"]

_SEED_STREAM = 0x5EED
# With several workers, each keeps private copies of the input and output rows of this many
# most frequent words and merges them every 8,192 words (src/fe_train.h, "Hot rows"): every
# worker writes those rows all the time, and each write moved their cache lines between cores,
# which costs ~170 ns per line when the cores sit on different sockets or core complexes.
# bench/scaling.py --hot-rows measures the effect.
HOT_ROWS = 64


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


def _job_seed(seed, epoch, worker):
    """A 64-bit stream seed per (seed, epoch, worker): stable across processes and platforms."""
    state = np.random.SeedSequence([_SEED_STREAM, seed, epoch, worker]).generate_state(1, np.uint64)
    return int(state[0])


class Word2Vec:
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
        Skip-gram: draw one set of negatives per window, shared by its context words, and
        update the window as one block (HogBatch). Several times fewer memory accesses for
        the same quality; False restores word2vec.c's per-pair negatives. Not in gensim.
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
    """

    def __init__(
        self,
        sentences=None,
        corpus_file=None,
        vector_size=100,
        alpha=0.025,
        window=5,
        min_count=5,
        max_vocab_size=None,
        sample=1e-3,
        seed=1,
        workers=None,
        min_alpha=0.0001,
        sg=0,
        hs=0,
        negative=5,
        ns_exponent=0.75,
        cbow_mean=1,
        hashfxn=None,
        epochs=5,
        null_word=0,
        trim_rule=None,
        sorted_vocab=1,
        batch_words=10000,
        compute_loss=False,
        callbacks=(),
        comment=None,
        max_final_vocab=None,
        shrink_windows=True,
        shared_negatives=True,
        corpus_file_errors="strict",
    ):
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
                stacklevel=2,
            )
        self.sg = int(check_int("sg", int(sg) if isinstance(sg, bool) else sg, 0, 1))
        self.hs = int(check_int("hs", int(hs) if isinstance(hs, bool) else hs, 0, 1))
        self.negative = check_int("negative", negative, 0, 1000)
        if not self.hs and not self.negative:
            raise ValueError("hs=0 and negative=0 leave nothing to train; set hs=1 or negative > 0")
        self.ns_exponent = check_float("ns_exponent", ns_exponent)
        self.cbow_mean = int(
            check_int(
                "cbow_mean", int(cbow_mean) if isinstance(cbow_mean, bool) else cbow_mean, 0, 1
            )
        )
        self.epochs = check_int("epochs", epochs, 1)
        self.trim_rule = trim_rule
        self.sorted_vocab = bool(sorted_vocab)
        self.compute_loss = bool(compute_loss)
        self.callbacks = tuple(callbacks)
        self.max_final_vocab = check_int("max_final_vocab", max_final_vocab, 1, allow_none=True)
        self.shrink_windows = bool(shrink_windows)
        self.shared_negatives = bool(shared_negatives)
        if corpus_file_errors not in ("strict", "replace", "ignore"):
            raise ValueError(
                f"corpus_file_errors must be 'strict', 'replace' or 'ignore'; "
                f"got {corpus_file_errors!r}"
            )
        self.corpus_file_errors = corpus_file_errors
        self.null_word = null_word
        self.batch_words = batch_words
        self.comment = comment
        if hashfxn is not None:
            logger.debug("hashfxn is ignored: vectors are initialised from the seeded generator")

        self.wv = KeyedVectors(self.vector_size)
        self.syn1neg = None
        self.syn1 = None
        self.corpus_count = 0
        self.corpus_total_words = 0
        self.effective_min_count = self.min_count
        self.running_training_loss = 0.0
        self.epoch_losses = []
        self.train_count = 0
        self.total_train_time = 0.0
        self.words_per_second = 0.0
        self._tables = None
        self._busy = threading.Lock()
        self._active_run = None
        self._scanned_file = None  # tokens of the last corpus_file scan, see _scan
        self._raw_vocab = None

        if sentences is not None and corpus_file is not None:
            raise ValueError("pass either sentences or corpus_file, not both")
        if sentences is not None or corpus_file is not None:
            if sentences is not None and not isinstance(sentences, vocab_mod.EncodedCorpus):
                vocab_mod.check_reiterable(sentences, 2)
            self.build_vocab(sentences, corpus_file=corpus_file, trim_rule=trim_rule)
            self.train(
                sentences,
                corpus_file=corpus_file,
                total_examples=self.corpus_count,
                total_words=self.corpus_total_words,
                epochs=self.epochs,
                compute_loss=self.compute_loss,
                callbacks=self.callbacks,
            )

    # ------------------------------------------------------------------ vocabulary

    @contextlib.contextmanager
    def _guard(self, what):
        """Holds the model for one operation; a second one meanwhile (another thread calling
        build_vocab or train) is refused instead of racing on the weights."""
        if not self._busy.acquire(blocking=False):
            raise RuntimeError(
                f"cannot {what} while another operation (train, build_vocab, "
                f"save) is running on this model"
            )
        try:
            yield
        finally:
            self._busy.release()

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
        if corpus_file is not None:
            from .. import _corpus

            paths = self._file_paths(corpus_file)
            state = _file_state(paths)
            words, counts, total, n_sent, tokens = _corpus.count_file(
                paths,
                errors=self.corpus_file_errors,
                max_vocab_size=self.max_vocab_size,
                keep_tokens=True,
            )
            if tokens is not None and state is not None:
                self._scanned_file = (paths, state, self.corpus_file_errors, words, tokens, total)
            return dict(zip(words, counts.tolist())), total, n_sent
        if isinstance(corpus_iterable, vocab_mod.EncodedCorpus):
            return vocab_mod.count_ids(corpus_iterable)
        if corpus_iterable is None:
            raise ValueError("pass a corpus: corpus_iterable/sentences or corpus_file")
        return vocab_mod.count_iterable(corpus_iterable, self.max_vocab_size)

    def _take_scanned_file(self, paths):
        """The tokens kept by the last scan mapped to the current vocabulary, as
        (ids, offsets, raw words), if that scan read exactly these files, unchanged since
        (size, modification time, inode) and with the same UTF-8 policy; else None. They are
        handed out once (mapped in place)."""
        scanned, self._scanned_file = self._scanned_file, None
        if scanned is None:
            return None
        scanned_paths, state, errors, words, (ids, offsets), total = scanned
        if (
            scanned_paths != paths
            or errors != self.corpus_file_errors
            or _file_state(paths) != state
        ):
            return None
        from .. import _corpus

        index = self.wv.key_to_index
        new_id = np.fromiter((index.get(w, -1) for w in words), dtype=np.int64, count=len(words))
        ids, offsets = _corpus.remap_tokens(ids, offsets, new_id)
        return ids, offsets, total

    def build_vocab(
        self,
        corpus_iterable=None,
        corpus_file=None,
        update=False,
        progress_per=10000,
        keep_raw_vocab=False,
        trim_rule=None,
        **kwargs,
    ):
        """Build the vocabulary from a corpus (iterable of token lists, or corpus_file).

        With ``update=True`` new words are added to an existing vocabulary (their vectors
        initialised fresh) and the counts of known words are increased, for continued training.
        """
        if "sentences" in kwargs:
            corpus_iterable = kwargs.pop("sentences")
        if kwargs:
            raise TypeError(f"unexpected arguments: {', '.join(kwargs)}")
        with self._guard("build the vocabulary"):
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
                self._raw_vocab = counts

    def build_vocab_from_freq(
        self, word_freq, keep_raw_vocab=False, corpus_count=None, trim_rule=None, update=False
    ):
        """Build the vocabulary from a ``{word: count}`` mapping instead of a corpus."""
        with self._guard("build the vocabulary"):
            counts = {k: int(v) for k, v in word_freq.items()}
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
            raise vocab_mod.describe_empty(total, n_sent, counts, effective)
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
        need = vocab_mod.estimate_bytes(vocab_size, self.vector_size, self.negative, self.hs)
        try:
            avail = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (AttributeError, ValueError, OSError):
            return
        if need > avail:
            raise MemoryError(
                f"the model needs about {need / 2**30:.1f} GiB ({vocab_size} words x "
                f"{self.vector_size} dims) but this machine has {avail / 2**30:.1f} GiB; "
                f"raise min_count, set max_final_vocab, or lower vector_size"
            )

    def _init_rows(self, n_rows, first_row):
        """uniform(-1, 1) / dim rows from a generator seeded by (seed, first row).

        gensim 4's range, twice word2vec.c's uniform(-0.5, 0.5) / dim: on the benchmark corpus
        (5 epochs CBOW, 4 seeds) word2vec.c's range scored 0.006 lower on analogies and 0.017
        lower on WordSim-353 than gensim; with gensim's range the scores match."""
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.seed, first_row])))
        rows = rng.random((n_rows, self.vector_size), dtype=np.float32)
        rows *= 2.0
        rows -= 1.0
        rows /= self.vector_size
        return rows

    def _allocate(self, keys, key_counts):
        vocab_size = len(keys)
        self._check_memory(vocab_size)
        wv = KeyedVectors(self.vector_size)
        wv.index_to_key = list(keys)
        wv.key_to_index = {k: i for i, k in enumerate(wv.index_to_key)}
        wv.vectors = self._init_rows(vocab_size, 0)
        wv.expandos["count"] = np.asarray(key_counts, dtype=np.int64)
        self.wv = wv
        self.syn1neg = (
            np.zeros((vocab_size, self.vector_size), np.float32) if self.negative else None
        )
        self.syn1 = (
            np.zeros((max(vocab_size - 1, 1), self.vector_size), np.float32) if self.hs else None
        )
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
        fresh_wv = KeyedVectors(self.vector_size)
        fresh_wv.index_to_key = keys
        fresh_wv.key_to_index = {k: i for i, k in enumerate(keys)}
        fresh_wv.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        fresh_wv.expandos["count"] = np.concatenate([old, np.asarray(new_counts, np.int64)])
        self.wv = fresh_wv
        if self.negative:
            self.syn1neg = np.concatenate(
                [self.syn1neg, np.zeros((n_new, self.vector_size), np.float32)]
            )
        if self.hs:
            # The Huffman tree changes with the vocabulary; inner-node rows keep their
            # numbering only approximately, as in gensim, and new rows start at zero.
            n_inner = max(n_old + n_new - 1, 1)
            grown = np.zeros((n_inner, self.vector_size), np.float32)
            grown[: min(n_inner, self.syn1.shape[0])] = self.syn1[:n_inner]
            self.syn1 = grown
        self._tables = None

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
                if len(counts) >= 2:
                    tables["hs"] = _kernel.huffman(counts)
                else:
                    tables["hs"] = (
                        np.zeros(2, np.int64),
                        np.zeros(0, np.uint8),
                        np.zeros(0, np.uint32),
                    )
            self._tables = tables
        return self._tables

    # ------------------------------------------------------------------ training

    def _encode(self, corpus_iterable, corpus_file):
        if corpus_file is not None:
            from .. import _corpus

            paths = self._file_paths(corpus_file)
            encoded = self._take_scanned_file(paths)
            if encoded is None:
                encoded = _corpus.encode_file(
                    paths, self.wv.index_to_key, errors=self.corpus_file_errors
                )
            ids, offsets, raw = encoded
            return ids, offsets, raw, len(offsets) - 1
        if isinstance(corpus_iterable, vocab_mod.EncodedCorpus):
            return vocab_mod.encode_ids(corpus_iterable, self.wv.key_to_index)
        if corpus_iterable is None:
            raise ValueError("pass a corpus: corpus_iterable/sentences or corpus_file")
        return vocab_mod.encode_iterable(corpus_iterable, self.wv.key_to_index)

    def train(
        self,
        corpus_iterable=None,
        corpus_file=None,
        total_examples=None,
        total_words=None,
        epochs=None,
        start_alpha=None,
        end_alpha=None,
        word_count=0,
        queue_factor=2,
        report_delay=1.0,
        compute_loss=False,
        callbacks=(),
        **kwargs,
    ):
        """Train the model on a corpus (the vocabulary must already be built).

        The corpus is read and encoded once, then every epoch runs over the encoded ids.
        ``total_examples``/``total_words`` are accepted for gensim compatibility but not
        needed: the encoded corpus knows its size. Returns ``(effective_words, raw_words)``
        of the whole run, like gensim.
        """
        if "sentences" in kwargs:
            corpus_iterable = kwargs.pop("sentences")
        if kwargs:
            raise TypeError(f"unexpected arguments: {', '.join(kwargs)}")
        if not len(self.wv):
            raise RuntimeError("the vocabulary is empty: call build_vocab() before train()")
        epochs = self.epochs if epochs is None else check_int("epochs", epochs, 1)
        alpha = (
            self.alpha
            if start_alpha is None
            else check_float("start_alpha", start_alpha, 0.0, True)
        )
        min_alpha = (
            self.min_alpha if end_alpha is None else check_float("end_alpha", end_alpha, 0.0)
        )
        callbacks = tuple(callbacks) or self.callbacks
        self.compute_loss = bool(compute_loss) or self.compute_loss
        if isinstance(corpus_iterable, (str, bytes, os.PathLike)):
            raise TypeError(
                "corpus_iterable must be an iterable of token lists; to read a "
                "file pass corpus_file=path"
            )
        with self._guard("train concurrently"):
            t0 = time.perf_counter()
            ids, offsets, raw, n_sent = self._encode(corpus_iterable, corpus_file)
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

    def _make_run(self, ids, offsets, epochs, alpha, min_alpha):
        for name, arr in (
            ("wv.vectors", self.wv.vectors),
            ("syn1neg", self.syn1neg),
            ("syn1", self.syn1),
        ):
            if arr is not None and not arr.flags.writeable:
                raise ValueError(
                    f"{name} is read-only (memory-mapped with mmap='r'?); load the "
                    f"model with mmap=None or mmap='c' to train it"
                )
        tables = self._sampling_tables()
        hs_offset, hs_code, hs_point = tables["hs"]
        run = _kernel.TrainingRun(
            self.wv.vectors,
            self.syn1neg,
            self.syn1,
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
            hot_rows=HOT_ROWS if self.workers > 1 else 0,
            simd=_kernel.simd_path(),
        )
        run.set_corpus(ids, offsets)
        return run

    @staticmethod
    def _split(offsets, parts):
        """Sentence boundaries giving each worker about the same number of tokens."""
        n_sent = len(offsets) - 1
        targets = np.linspace(0, offsets[-1], parts + 1)
        cuts = np.searchsorted(offsets, targets[1:-1], side="left")
        bounds = np.concatenate(([0], np.clip(cuts, 0, n_sent), [n_sent]))
        return np.maximum.accumulate(bounds)

    def _run_epoch(self, run, offsets, epoch, report_delay, total_ids, epochs, callbacks=()):
        """One epoch on all workers; returns (words, effective words, loss, seconds, stopped).

        Callbacks with an ``on_progress(model, epoch, epochs, words_done, epoch_words)`` method
        are called about 20 times a second from this (the calling) thread, with ``epoch``
        0-based and ``words_done`` the in-vocabulary tokens of this epoch done so far
        (progress bars: :class:`fastembed_core.progress.TrainingProgress`)."""
        watchers = [cb for cb in callbacks if hasattr(cb, "on_progress")]
        workers = min(self.workers, len(offsets) - 1)
        bounds = self._split(offsets, workers)
        t0 = time.perf_counter()
        last_report = [t0]
        start_done = run.words_done

        def work(k):
            return run.train_range(
                int(bounds[k]),
                int(bounds[k + 1]),
                _job_seed(self.seed, self.train_count * 1000003 + epoch, k),
            )

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

        results = run_workers(workers, work, run.request_stop, poll)
        words = sum(r[1] for r in results)
        effective = sum(r[2] for r in results)
        loss = float(sum(r[3] for r in results))
        stopped = any(r[0] != 0 for r in results)
        return words, effective, loss, time.perf_counter() - t0, stopped

    def _train_encoded(self, ids, offsets, raw, epochs, alpha, min_alpha, callbacks, report_delay):
        run = self._make_run(ids, offsets, epochs, alpha, min_alpha)
        self._active_run = run
        try:
            return self._train_epochs(
                run, ids, offsets, raw, epochs, alpha, callbacks, report_delay
            )
        finally:
            self._active_run = None

    def stop_training(self):
        """Ask a ``train()`` running in another thread to stop at the next batch of words.

        That ``train()`` then returns normally after joining its workers, with the vectors
        trained so far. Does nothing if no training is running."""
        run = self._active_run
        if run is not None:
            run.request_stop()

    def _train_epochs(self, run, ids, offsets, raw, epochs, alpha, callbacks, report_delay):
        self.running_training_loss = 0.0
        self.epoch_losses = []
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
        elapsed = time.perf_counter() - t_train
        self.total_train_time += elapsed
        self.words_per_second = total_effective / max(elapsed, 1e-9)
        self.train_count += 1
        self.wv._invalidate_norms()
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

    def _check_finite(self, epoch, alpha):
        for name, arr in (
            ("input vectors", self.wv.vectors),
            ("output vectors", self.syn1neg),
            ("hierarchical-softmax vectors", self.syn1),
        ):
            if arr is not None and not np.isfinite(arr).all():
                raise TrainingDivergedError(
                    f"training diverged in epoch {epoch + 1}: the {name} contain NaN or inf "
                    f"(alpha={alpha}); lower alpha (e.g. {alpha / 10:g}) and train again"
                )

    def get_latest_training_loss(self):
        """Summed loss of the latest ``train()`` call (needs ``compute_loss=True``), float64."""
        return self.running_training_loss

    # ------------------------------------------------------------------ persistence

    _PARAMS = (
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
        "corpus_count",
        "corpus_total_words",
        "effective_min_count",
        "train_count",
        "total_train_time",
        "comment",
    )

    def save(self, fname):
        """Save the whole model (vectors, output weights, counts, parameters) for continued
        training, in the native format: JSON metadata + raw arrays, never pickle. The file is
        written to a temporary name and renamed, so a failed save leaves any old file intact."""
        with self._guard("save"):
            arrays = {"vectors": self.wv.vectors, "count": self.wv.expandos["count"]}
            for name in ("syn1neg", "syn1"):
                if getattr(self, name) is not None:
                    arrays[name] = getattr(self, name)
            for name, arr in arrays.items():
                if arr.dtype.kind == "f" and not np.isfinite(arr).all():
                    raise ValueError(f"refusing to save: {name} contains NaN or inf")
            keys = self.wv.index_to_key
            bad = next(
                (k for k in keys if not isinstance(k, (str, int)) or isinstance(k, bool)), None
            )
            if bad is not None:
                raise TypeError(
                    f"only str and int keys can be saved; got {bad!r} ({type(bad).__name__})"
                )
            meta = {name: getattr(self, name) for name in self._PARAMS}
            meta["keys"] = list(keys)
            write_container(fname, "Word2Vec", meta, arrays)

    @classmethod
    def load(cls, fname, mmap=None):
        """Load a model written by :meth:`save`."""
        meta, arrays = read_container(fname, kind="Word2Vec", mmap=mmap)
        try:
            keys = meta["keys"]
            params = {name: meta[name] for name in cls._PARAMS}
        except KeyError as exc:
            raise FormatError(f"{fname}: model metadata lacks {exc}") from None
        if not isinstance(keys, list) or not all(
            isinstance(k, str) or (isinstance(k, int) and not isinstance(k, bool)) for k in keys
        ):
            raise FormatError(f"{fname}: model metadata 'keys' is not a list of str and int keys")
        if len(set(keys)) != len(keys):
            raise FormatError(f"{fname}: the file has duplicate keys")
        model = cls.__new__(cls)
        init = {
            k: params[k]
            for k in (
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
        }
        try:
            init["workers"] = min(init["workers"], max(available_cores(), 1))
            model.__init__(**init)
        except (TypeError, ValueError) as exc:
            raise FormatError(f"{fname}: invalid model parameters in the metadata: {exc}") from None
        for name in (
            "corpus_count",
            "corpus_total_words",
            "effective_min_count",
            "train_count",
            "total_train_time",
        ):
            setattr(model, name, params[name])
        expected = {
            "vectors": (len(keys), model.vector_size),
            "count": (len(keys),),
            "syn1neg": (len(keys), model.vector_size) if model.negative else None,
            "syn1": (max(len(keys) - 1, 1), model.vector_size) if model.hs else None,
        }
        for name, shape in expected.items():
            arr = arrays.get(name)
            if shape is None:  # an array this configuration does not train
                arrays.pop(name, None)
                continue
            if arr is None:
                raise FormatError(f"{fname}: the model file lacks the array {name!r}")
            if arr.shape != shape:
                raise FormatError(f"{fname}: {name} has shape {arr.shape}, expected {shape}")
            kind = "iu" if name == "count" else "f"
            if arr.dtype.kind not in kind or (kind == "f" and arr.dtype != np.float32):
                raise FormatError(f"{fname}: {name} has dtype {arr.dtype}, which a model never has")
        vectors = arrays["vectors"]
        wv = KeyedVectors(model.vector_size)
        wv.index_to_key = list(keys)
        wv.key_to_index = {k: i for i, k in enumerate(keys)}
        wv.vectors = vectors
        wv.expandos["count"] = arrays["count"]
        model.wv = wv
        model.syn1neg = arrays.get("syn1neg")
        model.syn1 = arrays.get("syn1")
        return model

    def __str__(self):
        return (
            f"Word2Vec<vocab={len(self.wv)}, vector_size={self.vector_size}, "
            f"alpha={self.alpha}, {'sg' if self.sg else 'cbow'}>"
        )

    __repr__ = __str__
