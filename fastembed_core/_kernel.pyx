# cython: language_level=3
"""Thin driver between the Python API and the C training kernel (src/fe_train.h).

Four steps and nothing else: check every array's dtype, shape and range; fill one
``fe_config``; release the GIL for a whole range of sentences; hand back counters. A wrong
array is rejected here with a ValueError, never silently copied or passed on: the typed
memoryviews (``float[:, ::1]``) refuse wrong dtypes and non-contiguous layouts.

Size: over 700 lines because every kernel entry point (training runs with their word,
subword and document tables, inference of document vectors, the test hooks) is checked
here, next to the one struct declaration each fills.
"""
import os
import threading
import warnings

import numpy as np

from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.string cimport memset
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t


SIMD_PATHS = {"scalar": 0, "avx2": 1, "avx512": 2}
_NAMES = {code: name for name, code in SIMD_PATHS.items()}
_warned = set()


def simd_supported():
    """The SIMD paths this CPU can run."""
    return [name for name, code in SIMD_PATHS.items() if fe_simd_supported(code)]


def simd_check(path):
    """The code of SIMD path ``path`` ("auto": the best this CPU runs, or "scalar", "avx2",
    "avx512"). Raises ValueError for an unknown path or one this CPU lacks."""
    if path == "auto":
        return fe_simd_best()
    if path not in SIMD_PATHS:
        raise ValueError(f"unknown SIMD path {path!r}; choose from auto, {', '.join(SIMD_PATHS)}")
    if not fe_simd_supported(SIMD_PATHS[path]):
        raise ValueError(f"SIMD path {path!r} is not supported by this CPU")
    return SIMD_PATHS[path]


def simd_path():
    """The path a run set up now uses: FASTEMBED_SIMD=scalar|avx2|avx512|auto if set (tests run
    every path this CPU has), else the best one. A path this CPU cannot run falls back to the
    best with a warning (once per value): an environment variable left over from another
    machine must not break training. Read at every call, never stored."""
    requested = os.environ.get("FASTEMBED_SIMD", "auto").strip().lower() or "auto"
    try:
        return _NAMES[simd_check(requested)]
    except ValueError as exc:
        if requested not in _warned:
            _warned.add(requested)
            warnings.warn(
                f"FASTEMBED_SIMD={requested!r} ignored ({exc}); using the best path this CPU "
                "supports",
                RuntimeWarning,
                stacklevel=2,
            )
        return _NAMES[fe_simd_best()]


cdef str _fill_ops(simd, fe_update_ops *ops):
    """Fills *ops with the updates of path ``simd`` (None: simd_path()); returns its name."""
    cdef int code = simd_check(simd_path() if simd is None else simd)
    if fe_simd_ops(code, ops) < 0:
        raise ValueError(f"SIMD path {_NAMES[code]!r} is not supported by this CPU")
    return _NAMES[code]


cdef int64_t _longest_list(const int64_t[::1] offsets, int64_t n_lists,
                           int64_t *longest) noexcept nogil:
    """Scans CSR offsets: the first list k whose offsets decrease (-1: none), and in *longest
    the longest list before it. One scan for the corpus, the subword and the document tables."""
    cdef int64_t k
    longest[0] = 0
    for k in range(n_lists):
        if offsets[k + 1] < offsets[k]:
            return k
        if offsets[k + 1] - offsets[k] > longest[0]:
            longest[0] = offsets[k + 1] - offsets[k]
    return -1


cdef int64_t _first_outside(const uint32_t[::1] values, uint32_t low,
                            int64_t end) noexcept nogil:
    """The first position whose value is not in [low, end), or -1."""
    cdef int64_t k
    for k in range(values.shape[0]):
        if values[k] < low or values[k] >= end:
            return k
    return -1


def validate_corpus(const uint32_t[::1] ids, const int64_t[::1] offsets, int64_t vocab_size):
    """Checks an encoded corpus before any kernel reads it: offsets start at 0, never
    decrease, end at len(ids); every id is below vocab_size. Returns the longest sentence."""
    cdef int64_t n_sent = offsets.shape[0] - 1, longest = 0, bad = -1
    cdef int64_t n_ids = ids.shape[0]
    if n_sent < 0:
        raise ValueError("offsets must hold at least one entry (0)")
    if offsets[0] != 0 or offsets[n_sent] != n_ids:
        raise ValueError(f"offsets must start at 0 and end at len(ids)={n_ids}; "
                         f"got {offsets[0]} .. {offsets[n_sent]}")
    with nogil:
        bad = _longest_list(offsets, n_sent, &longest)
    if bad >= 0:
        raise ValueError(f"offsets decrease at sentence {bad}")
    with nogil:
        bad = _first_outside(ids, 0, vocab_size)
    if bad >= 0:
        raise ValueError(f"token id {ids[bad]} at position {bad} is out of range "
                         f"for a vocabulary of {vocab_size}")
    return longest


def check_lockf(lockf):
    """Lock factors as the kernel reads them: None (every factor 1), or a non-empty 1-D
    float32 array of finite values (row r of the input vectors uses lockf[r % len]). Anything
    else raises here, before a pointer to it reaches the kernel."""
    if lockf is None:
        return None
    arr = np.asarray(lockf)
    if arr.ndim != 1 or arr.shape[0] < 1:
        raise ValueError(f"vectors_lockf must be a non-empty 1-D array; got shape {arr.shape}")
    if arr.dtype.kind not in "fiu":
        raise TypeError(f"vectors_lockf must hold numbers; got dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.isfinite(arr).all():
        raise ValueError("vectors_lockf holds NaN or infinite values")
    return arr


def _exact_array(name, arr, dtype):
    """``arr`` as a 1-D C-contiguous array of exactly ``dtype`` (never a converted copy of
    other numbers: a table of the wrong type is a bug upstream)."""
    arr = np.asarray(arr)
    if arr.dtype != dtype or arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D {np.dtype(dtype).name} array; "
                         f"got {arr.ndim}-D {arr.dtype}")
    if not arr.flags.c_contiguous:
        raise ValueError(f"{name} must be C-contiguous")
    return arr


def check_subword_tables(subword_offsets, subword_rows, int64_t n_input_rows):
    """Subword tables as the kernel reads them: word w's rows of w_in are
    ``subword_rows[subword_offsets[w]:subword_offsets[w + 1]]``. offsets: int64, V + 1 >= 2
    entries, starting at 0, never decreasing, ending at len(rows); rows: uint32, each below
    n_input_rows (the rows of w_in), which must be at least V. Returns (offsets, rows,
    longest list)."""
    offsets = _exact_array("subword_offsets", subword_offsets, np.int64)
    rows = _exact_array("subword_rows", subword_rows, np.uint32)
    cdef const int64_t[::1] off = offsets
    cdef const uint32_t[::1] r = rows
    cdef int64_t n_words = off.shape[0] - 1, n_rows = r.shape[0], longest = 0, bad = -1
    if n_words < 1:
        raise ValueError("subword_offsets must hold V + 1 >= 2 entries (V words)")
    if n_rows == 0:
        raise ValueError("subword_rows is empty: no word has a row to train")
    if off[0] != 0 or off[n_words] != n_rows:
        raise ValueError(f"subword_offsets must start at 0 and end at len(subword_rows)="
                         f"{n_rows}; got {off[0]} .. {off[n_words]}")
    if n_input_rows < n_words:
        raise ValueError(f"w_in has {n_input_rows} rows, fewer than the {n_words} words of "
                         "the subword table")
    with nogil:
        bad = _longest_list(off, n_words, &longest)
    if bad >= 0:
        raise ValueError(f"subword_offsets decrease at word {bad}")
    if longest > 0x7FFFFFFF:
        raise ValueError(f"a word has {longest} subword rows, more than 2**31 - 1")
    with nogil:
        bad = _first_outside(r, 0, n_input_rows)
    if bad >= 0:
        raise ValueError(f"subword_rows[{bad}] = {r[bad]} is not a row of w_in "
                         f"({n_input_rows} rows)")
    return offsets, rows, longest


def check_doc_rows(doc_offsets, doc_rows, int64_t n_sentences, int64_t n_words,
                   int64_t n_input_rows, int64_t window):
    """Document tables as the kernel reads them: sentence k's tag rows are
    ``doc_rows[doc_offsets[k]:doc_offsets[k + 1]]``. offsets: int64, n_sentences + 1 entries,
    from 0, never decreasing, to len(rows); rows: uint32, each a document row of w_in (at
    least n_words, below n_input_rows). Returns (offsets, rows)."""
    offsets = _exact_array("doc_offsets", doc_offsets, np.int64)
    rows = _exact_array("doc_rows", doc_rows, np.uint32)
    cdef const int64_t[::1] off = offsets
    cdef const uint32_t[::1] r = rows
    cdef int64_t n_rows = r.shape[0], most = 0, bad = -1
    if off.shape[0] != n_sentences + 1:
        raise ValueError(f"doc_offsets must hold {n_sentences + 1} entries (sentences + 1); "
                         f"got {off.shape[0]}")
    if off[0] != 0 or off[n_sentences] != n_rows:
        raise ValueError(f"doc_offsets must start at 0 and end at len(doc_rows)={n_rows}; "
                         f"got {off[0]} .. {off[n_sentences]}")
    with nogil:
        bad = _longest_list(off, n_sentences, &most)
    if bad >= 0:
        raise ValueError(f"doc_offsets decrease at sentence {bad}")
    if 2 * window + most > 0x7FFFFFFF:
        raise ValueError(f"a document has {most} tag rows; a window takes fewer than 2**31")
    if n_words > 0xFFFFFFFF:
        raise ValueError(f"{n_words} words exceed the 32-bit row space")
    with nogil:
        bad = _first_outside(r, <uint32_t>n_words, n_input_rows)
    if bad >= 0:
        raise ValueError(f"doc_rows[{bad}] = {r[bad]} is not a document row of w_in "
                         f"(rows {n_words} .. {n_input_rows - 1})")
    return offsets, rows


cdef void _set_lockf(fe_weights *w, const float[::1] lockf):
    """Points w at the checked lock factors (check_lockf), or at none."""
    if lockf is None:
        w.lockf = NULL
        w.lockf_len = 0
    else:
        w.lockf = &lockf[0]
        w.lockf_len = lockf.shape[0]


cdef class TrainingRun:
    """One configured training run: weights, tables and settings fixed, then ``train_range``
    called from any number of Python threads at once (each releases the GIL for its range).

    Arrays are kept referenced here so they outlive every kernel call that uses them.
    ``simd`` fixes the run's vector code path ("auto", "scalar", "avx2", "avx512"; None:
    ``simd_path()``, the environment's choice); ``simd`` reads back the path chosen.

    ``subword_offsets`` (int64, V + 1) and ``subword_rows`` (uint32) train fastText's models
    (src/fe_train.h, "Subwords"): word w reads the rows
    ``w_in[subword_rows[subword_offsets[w]:subword_offsets[w + 1]]]``; then the V words size
    w_out, w_hs and every table and bound the corpus ids, and w_in may have more rows (the
    n-gram buckets).
    """
    cdef fe_config cfg
    cdef object _arrays
    # Typed views of every array the kernel points into: a view holds the buffer export, so
    # an object that can resize (a bytearray) refuses to while this run exists.
    cdef float[:, ::1] _w_in, _w_out, _w_hs
    cdef const uint32_t[::1] _keep
    cdef const uint64_t[::1] _alias
    cdef const int64_t[::1] _hs_offset
    cdef const uint8_t[::1] _hs_code
    cdef const uint32_t[::1] _hs_point
    cdef const float[::1] _lockf
    cdef const uint32_t[::1] _ids
    cdef const int64_t[::1] _offsets
    cdef const int64_t[::1] _subword_offsets
    cdef const uint32_t[::1] _subword_rows
    cdef const int64_t[::1] _doc_offsets
    cdef const uint32_t[::1] _doc_rows
    cdef bint _ready          # __init__ completed: it is not run a second time
    cdef bint _has_corpus     # set_corpus was called (a typed view is never None to test)
    cdef int64_t _running     # train_range calls inside the kernel (changed with the GIL)
    cdef int64_t[::1] _progress
    cdef int32_t[::1] _stop
    cdef int32_t[::1] _hot_lock
    cdef int64_t n_sentences
    cdef readonly str simd

    def __init__(self, float[:, ::1] w_in, w_out, w_hs, *, int sg, int hs, int negative,
                 int window, int cbow_mean, bint shrink_windows, bint compute_loss,
                 bint shared_negatives=True, bint cbow_sums=False,
                 float alpha, float min_alpha, keep_threshold, alias, hs_offset, hs_code,
                 hs_point, int64_t total_words, int64_t progress_batch=0, int64_t hot_rows=0,
                 int64_t hot_merge_words=0, double hot_merge_scale=1.0, simd=None, lockf=None,
                 subword_offsets=None, subword_rows=None, int64_t n_words=-1,
                 bint dbow_words=False, bint dm_concat=False, int dm_tag_count=1,
                 int64_t null_word=-1, int64_t hot_ngram_rows=0, int64_t hot_hs_nodes=0,
                 hot_hs_merge_scale=None):
        # vocab: the words (w_out, w_hs and every table); n_input: the rows of w_in, the same
        # for word2vec, the words' and the n-grams' with subword tables
        cdef int64_t vocab = w_in.shape[0], n_input = w_in.shape[0], dim = w_in.shape[1]
        cdef int64_t longest = 0, max_code = 0
        cdef float[:, ::1] out_view, hs_view
        cdef const uint32_t[::1] keep_view
        cdef const uint64_t[::1] alias_view
        cdef const int64_t[::1] off_view
        cdef const uint8_t[::1] code_view
        cdef const uint32_t[::1] point_view
        cdef int64_t i, bad_alias = -1
        cdef int64_t out_dim = dim   # output rows' width: the concatenated layer's if dm_concat
        # A second __init__ would replace the arrays and buffers running kernels point into.
        if self._ready or self._running:
            raise RuntimeError("TrainingRun is already set up; make a new one")
        if vocab < 1 or dim < 1:
            raise ValueError(f"w_in must be a non-empty 2-D array; got shape {(vocab, dim)}")
        if vocab >= 0xFFFFFFFF:
            raise ValueError(f"vocabulary of {vocab} words exceeds the 32-bit id space")
        if window < 1 or negative < 0 or not (hs or negative):
            raise ValueError("need window >= 1, negative >= 0, and hs or negative sampling")
        if (subword_offsets is None) != (subword_rows is None):
            raise ValueError("subword_offsets and subword_rows must be given together")
        # Doc2Vec: the words are w_in's first n_words rows, the documents' tags the rest
        if n_words >= 0:
            if subword_offsets is not None:
                raise ValueError("n_words (document rows) and subword tables do not combine")
            if not 1 <= n_words <= n_input:
                raise ValueError(f"n_words={n_words} must be in 1..{n_input} (the rows of w_in)")
            vocab = n_words
        self.cfg.dbow_words = dbow_words
        # the concatenating PV-DM layer (src/fe_dm_concat.h)
        self.cfg.dm_concat = dm_concat
        self.cfg.dm_tag_count = dm_tag_count
        self.cfg.null_word = 0
        if dm_concat:
            if n_words < 0 or sg:
                raise ValueError("dm_concat needs document rows (n_words) and sg=0 (PV-DM)")
            if dm_tag_count < 1 or dm_tag_count + 2 * <int64_t>window > 0x7FFFFFFF:
                raise ValueError(f"dm_tag_count must be >= 1; got {dm_tag_count}")
            if not 0 <= null_word < n_words:
                raise ValueError(f"null_word={null_word} must be a word row in 0..{n_words - 1}")
            self.cfg.null_word = <uint32_t>null_word
            out_dim = fe_dm_concat_width(dm_tag_count, window, dim)
            hot_rows = hot_hs_nodes = 0
        self.cfg.subword_offsets = NULL
        self.cfg.subword_rows = NULL
        if subword_offsets is not None:
            subword_offsets, subword_rows, longest = check_subword_tables(
                subword_offsets, subword_rows, n_input)
            vocab = subword_offsets.shape[0] - 1
            self._subword_offsets = subword_offsets
            self._subword_rows = subword_rows
            self.cfg.subword_offsets = &self._subword_offsets[0]
            self.cfg.subword_rows = &self._subword_rows[0]
        self._arrays = (w_in, w_out, w_hs, keep_threshold, alias, hs_offset, hs_code, hs_point,
                        subword_offsets, subword_rows)
        self._w_in = w_in
        self.simd = _fill_ops(simd, &self.cfg.ops)
        self.cfg.w.w_in = &w_in[0, 0]
        self.cfg.w.w_out = NULL
        self.cfg.w.w_hs = NULL
        self.cfg.w.vocab_size = vocab
        self.cfg.w.n_input_rows = n_input
        self.cfg.w.dim = dim
        self.cfg.w.w_in_hot = NULL      # set per worker by the kernel
        self.cfg.w.w_out_hot = NULL
        self.cfg.w.n_hot = 0
        self.cfg.w.w_ngrams_hot = NULL
        self.cfg.w.n_hot_ngrams = 0
        self.cfg.w.w_hs_hot = NULL
        self.cfg.w.n_hot_hs = 0
        self._lockf = check_lockf(lockf)
        _set_lockf(&self.cfg.w, self._lockf)
        self.cfg.alias = NULL
        self.cfg.keep_threshold = NULL
        self.cfg.hs_offset = NULL
        self.cfg.hs_code = NULL
        self.cfg.hs_point = NULL
        if negative > 0:
            out_view = w_out
            if out_view.shape[0] != vocab or out_view.shape[1] != out_dim:
                raise ValueError(f"w_out must have shape {(vocab, out_dim)}")
            self._w_out = out_view
            self.cfg.w.w_out = &out_view[0, 0]
            alias_view = alias
            if alias_view.shape[0] != vocab:
                raise ValueError(f"alias table must have {vocab} entries")
            # An entry's high 32 bits are the word drawn instead of its bucket: a word id.
            with nogil:
                for i in range(vocab):
                    if (alias_view[i] >> 32) >= <uint64_t>vocab:
                        bad_alias = i
                        break
            if bad_alias >= 0:
                raise ValueError(f"alias table entry {bad_alias} names a word beyond the "
                                 f"vocabulary of {vocab}")
            self._alias = alias_view
            self.cfg.alias = &alias_view[0]
        if hs:
            if vocab < 2:
                raise ValueError("hierarchical softmax needs at least 2 words")
            hs_view = w_hs
            if hs_view.shape[0] != vocab - 1 or hs_view.shape[1] != out_dim:
                raise ValueError(f"w_hs must have shape {(vocab - 1, out_dim)}")
            self._w_hs = hs_view
            self.cfg.w.w_hs = &hs_view[0, 0]
            off_view = hs_offset
            code_view = hs_code
            point_view = hs_point
            if off_view.shape[0] != vocab + 1 or off_view[0] != 0 or \
                    off_view[vocab] != code_view.shape[0] or code_view.shape[0] != point_view.shape[0]:
                raise ValueError("inconsistent Huffman tables")
            if np.any(np.diff(np.asarray(hs_offset)) < 0) or \
                    (point_view.shape[0] and np.asarray(hs_point).max() >= vocab - 1):
                raise ValueError("Huffman tables out of range")
            self._hs_offset, self._hs_code, self._hs_point = off_view, code_view, point_view
            max_code = int(np.diff(np.asarray(hs_offset)).max())
            self.cfg.hs_offset = &off_view[0]
            self.cfg.hs_code = &code_view[0] if code_view.shape[0] else NULL
            self.cfg.hs_point = &point_view[0] if point_view.shape[0] else NULL
        if keep_threshold is not None:
            keep_view = keep_threshold
            if keep_view.shape[0] != vocab:
                raise ValueError(f"keep_threshold must have {vocab} entries")
            self._keep = keep_view
            self.cfg.keep_threshold = &keep_view[0]
        if subword_offsets is not None:
            # the rows and the outputs of one step are counted in 32 bits
            if (sg and 2 * window * (max_code + 1 + negative) > 0x7FFFFFFF) or \
                    (not sg and 2 * window * longest > 0x7FFFFFFF):
                raise ValueError(f"window {window} with subword lists of up to {longest} rows "
                                 "makes a step of more than 2**31 - 1 rows or outputs")
        self.cfg.sg = sg
        self.cfg.hs = hs
        self.cfg.negative = negative
        self.cfg.window = window
        self.cfg.cbow_mean = cbow_mean
        self.cfg.shrink_windows = shrink_windows
        self.cfg.compute_loss = compute_loss
        self.cfg.shared_negatives = shared_negatives
        self.cfg.cbow_sums = cbow_sums
        self.cfg.alpha = alpha
        self.cfg.min_alpha = min_alpha
        self.cfg.total_words = total_words
        self.cfg.progress_batch = progress_batch
        if hot_rows < 0:
            raise ValueError(f"hot_rows must be >= 0; got {hot_rows}")
        self.cfg.hot_rows = min(hot_rows, vocab)
        if hot_merge_words < 0:
            raise ValueError(f"hot_merge_words must be >= 0; got {hot_merge_words}")
        self.cfg.hot_merge_words = hot_merge_words
        if not 0.0 < hot_merge_scale <= 1.0:
            raise ValueError(f"hot_merge_scale must be in (0, 1]; got {hot_merge_scale}")
        self.cfg.hot_merge_scale = hot_merge_scale
        # the tree nodes' copies: their own scale, or (None) hot_merge_scale's
        if hot_hs_merge_scale is not None and not 0.0 < hot_hs_merge_scale <= 1.0:
            raise ValueError(f"hot_hs_merge_scale must be in (0, 1]; got {hot_hs_merge_scale}")
        self.cfg.hot_hs_merge_scale = 0.0 if hot_hs_merge_scale is None else hot_hs_merge_scale
        # private copies of the input rows right after the words' (subwords only: the caller
        # puts the most used n-gram rows there)
        if hot_ngram_rows < 0:
            raise ValueError(f"hot_ngram_rows must be >= 0; got {hot_ngram_rows}")
        if hot_ngram_rows and subword_offsets is None:
            raise ValueError("hot_ngram_rows needs subword tables (subword_offsets)")
        self.cfg.hot_ngram_rows = min(hot_ngram_rows, n_input - vocab)
        # private copies of the top of the Huffman tree (vocab - 1 inner nodes)
        if hot_hs_nodes < 0:
            raise ValueError(f"hot_hs_nodes must be >= 0; got {hot_hs_nodes}")
        self.cfg.hot_hs_nodes = min(hot_hs_nodes, vocab - 1) if hs else 0
        self._progress = np.zeros(1, dtype=np.int64)
        self._stop = np.zeros(1, dtype=np.int32)
        self.cfg.words_done = &self._progress[0]
        self.cfg.stop = &self._stop[0]
        self._hot_lock = np.zeros(16, dtype=np.int32)   # its own 64 bytes
        self.cfg.hot_lock = &self._hot_lock[0]
        self.n_sentences = 0
        self._ready = True

    def set_corpus(self, ids, offsets, doc_offsets=None, doc_rows=None):
        """Registers the encoded corpus (validated here, once) that train_range reads; with
        ``doc_offsets`` (int64, a sentence's + 1) and ``doc_rows`` (uint32) sentence k is a
        document whose tags are the w_in rows ``doc_rows[doc_offsets[k]:doc_offsets[k + 1]]``
        (src/fe_train.h, "Documents")."""
        if not self._ready:
            raise RuntimeError("TrainingRun is not set up")
        # Running kernels read the current corpus: replacing it would free it under them.
        if self._running:
            raise RuntimeError("set_corpus() while train_range() runs")
        validate_corpus(ids, offsets, self.cfg.w.vocab_size)
        if (doc_offsets is None) != (doc_rows is None):
            raise ValueError("doc_offsets and doc_rows must be given together")
        if doc_offsets is not None:
            if self.cfg.subword_offsets != NULL:
                raise ValueError("document rows and subword tables do not combine")
            doc_offsets, doc_rows = check_doc_rows(
                doc_offsets, doc_rows, len(offsets) - 1, self.cfg.w.vocab_size,
                self.cfg.w.n_input_rows, self.cfg.window)
        # the kernel reads them through cfg, which running kernels never see change (above)
        self.cfg.doc_offsets = NULL
        self.cfg.doc_rows = NULL
        if doc_offsets is not None:
            self._doc_offsets = doc_offsets
            self._doc_rows = doc_rows
            self.cfg.doc_offsets = &self._doc_offsets[0]
            self.cfg.doc_rows = &self._doc_rows[0] if self._doc_rows.shape[0] else NULL
        self._ids = ids
        self._offsets = offsets
        self.n_sentences = offsets.shape[0] - 1
        self._has_corpus = True

    def train_range(self, int64_t first_sentence, int64_t end_sentence, uint64_t seed):
        """Trains sentences [first, end) with the GIL released. Returns
        (status, words, effective_words, loss); status 1 means stopped early."""
        cdef fe_job job
        cdef fe_result res
        cdef int status
        # Local views keep this call's corpus alive whatever happens to the attributes.
        cdef const uint32_t[::1] ids
        cdef const int64_t[::1] offsets
        if not self._has_corpus:
            raise RuntimeError("set_corpus() must be called before train_range()")
        ids, offsets = self._ids, self._offsets
        if not (0 <= first_sentence <= end_sentence <= offsets.shape[0] - 1):
            raise ValueError(f"sentence range [{first_sentence}, {end_sentence}) outside "
                             f"0..{offsets.shape[0] - 1}")
        job.ids = &ids[0] if ids.shape[0] else NULL
        job.offsets = &offsets[0]
        job.first_sentence = first_sentence
        job.end_sentence = end_sentence
        job.seed = seed
        self._running += 1
        try:
            with nogil:
                status = fe_train_range(&self.cfg, &job, &res)
        finally:
            self._running -= 1
        if status == FE_ERR_NOMEM:
            raise MemoryError("the training kernel could not allocate its work buffers")
        if status < 0:
            raise ValueError(f"the training kernel rejected its configuration (code {status})")
        return status, res.words, res.effective_words, res.loss

    def request_stop(self):
        """Asks every running train_range to return at its next progress batch."""
        fe_atomic_store_int(&self._stop[0], 1)   # workers read it atomically, mid-run

    def clear_stop(self):
        fe_atomic_store_int(&self._stop[0], 0)

    @property
    def words_done(self):
        return self._progress[0]

    @words_done.setter
    def words_done(self, int64_t value):
        self._progress[0] = value


# ---- small hooks into the C internals, for the reference tests -----------------------------

def sigmoid(float x):
    """The kernel's table sigmoid."""
    return fe_sigmoid(x)


def sigmoid_table_params():
    return FE_SIGMOID_BINS, FE_MAX_EXP


def alias_build(weights):
    """Alias table (uint64 entries) for the given non-negative weights."""
    cdef const double[::1] w = np.ascontiguousarray(weights, dtype=np.float64)
    cdef int64_t n = w.shape[0]
    if n < 1:
        raise ValueError("need at least one weight")
    alias = np.empty(n, dtype=np.uint64)
    work = np.empty(2 * n, dtype=np.int64)
    cdef uint64_t[::1] a = alias
    cdef int64_t[::1] wk = work
    cdef int rc
    with nogil:
        rc = fe_alias_build(&w[0], n, &a[0], &wk[0])
    if rc != 0:
        raise ValueError("sampling weights must be finite, non-negative and not all zero")
    return alias


def alias_draw(const uint64_t[::1] alias, int64_t count, uint64_t seed):
    """count draws from an alias table (for distribution tests)."""
    out = np.empty(count, dtype=np.uint32)
    cdef uint32_t[::1] o = out
    cdef fe_rng rng
    cdef int64_t i
    if alias.shape[0] < 1 or alias.shape[0] > 0xFFFFFFFF:
        raise ValueError(f"need an alias table of 1 to 2**32 - 1 entries; got {alias.shape[0]}")
    cdef uint32_t n = <uint32_t>alias.shape[0]
    fe_rng_seed(&rng, seed, 0, 0)
    with nogil:
        for i in range(count):
            o[i] = fe_alias_draw(&alias[0], n, &rng)
    return out


def uniform32(int64_t count, uint64_t seed):
    """count 32-bit draws of the kernel's RNG (the stream subsampling compares against)."""
    out = np.empty(count, dtype=np.uint32)
    cdef uint32_t[::1] o = out
    cdef fe_rng rng
    cdef int64_t i
    fe_rng_seed(&rng, seed, 0, 0)
    with nogil:
        for i in range(count):
            o[i] = fe_rng_next32(&rng)
    return out


cdef extern from "fe_pcg64.h" nogil:
    ctypedef struct fe_pcg64:
        uint64_t state_hi, state_lo, inc_hi, inc_lo
        int has_uint32
        uint32_t uinteger
    void fe_pcg64_init_rows(fe_pcg64 *g, float *out, int64_t n_rows, int64_t dim)


def pcg64_init_rows(state, int64_t n_rows, int64_t dim):
    """(n_rows, dim) float32 rows of uniform(-1, 1) / dim, drawn from a NumPy PCG64 whose
    ``bit_generator.state`` is ``state``: the very floats of
    ``(Generator(PCG64).random((n_rows, dim), dtype=float32) * 2 - 1) / dim``, element by
    element in float32, made in one pass without a call per draw."""
    if n_rows < 0 or dim < 0:
        raise ValueError(f"n_rows and dim must be non-negative; got {n_rows}, {dim}")
    if state.get("bit_generator") != "PCG64":
        raise ValueError(f"a PCG64 state is needed; got {state.get('bit_generator')!r}")
    cdef fe_pcg64 g
    cdef object mask = (1 << 64) - 1
    g.state_hi = (state["state"]["state"] >> 64) & mask
    g.state_lo = state["state"]["state"] & mask
    g.inc_hi = (state["state"]["inc"] >> 64) & mask
    g.inc_lo = state["state"]["inc"] & mask
    g.has_uint32 = 1 if state["has_uint32"] else 0
    g.uinteger = state["uinteger"]
    out = np.empty((n_rows, dim), dtype=np.float32)
    if n_rows == 0 or dim == 0:
        return out
    cdef float[:, ::1] o = out
    with nogil:
        fe_pcg64_init_rows(&g, &o[0, 0], n_rows, dim)
    return out


def huffman(counts):
    """Huffman paths of the counts: (offset int64[V+1], code uint8[], point uint32[])."""
    cdef const int64_t[::1] c = np.ascontiguousarray(counts, dtype=np.int64)
    cdef int64_t n = c.shape[0]
    if n < 2:
        raise ValueError("a Huffman tree needs at least 2 words")
    parent = np.empty(2 * n - 1, dtype=np.int64)
    is_right = np.empty(2 * n - 1, dtype=np.uint8)
    depth = np.empty(n, dtype=np.int32)
    cdef int64_t[::1] p = parent
    cdef uint8_t[::1] r = is_right
    cdef int32_t[::1] d = depth
    cdef int rc
    with nogil:
        rc = fe_huffman_tree(&c[0], n, &p[0], &r[0], &d[0])
    if rc != 0:
        raise MemoryError("out of memory building the Huffman tree")
    offset = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(depth, out=offset[1:])
    code = np.empty(offset[n], dtype=np.uint8)
    point = np.empty(offset[n], dtype=np.uint32)
    cdef const int64_t[::1] off = offset
    cdef uint8_t[::1] cd = code
    cdef uint32_t[::1] pt = point
    with nogil:
        fe_huffman_paths(&p[0], &r[0], n, &off[0], &cd[0], &pt[0])
    return offset, code, point


cdef fe_weights _weights(float[:, ::1] w_in, w_out, w_hs, const float[::1] lockf=None,
                         int64_t n_words=-1):
    """The weights of one step hook; the caller holds ``lockf`` (checked by check_lockf).
    w_out has n_words rows (-1: as many as w_in)."""
    cdef fe_weights w
    cdef float[:, ::1] v
    if n_words < 0:
        n_words = w_in.shape[0]
    _set_lockf(&w, lockf)
    w.w_in = &w_in[0, 0]
    w.vocab_size = n_words
    w.n_input_rows = w_in.shape[0]
    w.dim = w_in.shape[1]
    w.w_out = NULL
    w.w_hs = NULL
    w.w_in_hot = NULL
    w.w_out_hot = NULL
    w.n_hot = 0
    w.w_ngrams_hot = NULL
    w.n_hot_ngrams = 0
    w.w_hs_hot = NULL
    w.n_hot_hs = 0
    if w_out is not None:
        v = w_out
        if v.shape[0] != n_words or v.shape[1] != w_in.shape[1]:
            raise ValueError(f"w_out must have shape {(n_words, w_in.shape[1])}")
        w.w_out = &v[0, 0]
    if w_hs is not None:
        v = w_hs
        if v.shape[1] != w_in.shape[1]:
            raise ValueError("w_hs must have dim columns")
        w.w_hs = &v[0, 0]
    return w


def _check_ids(name, ids, int64_t limit):
    ids = np.ascontiguousarray(ids, dtype=np.uint32)
    if ids.size and int(ids.max()) >= limit:
        raise ValueError(f"{name} id out of range (limit {limit})")
    return ids


def _target_arrays(int64_t n_words, w_out, w_hs, word, negatives, code, point):
    neg = _check_ids("negative", negatives if negatives is not None else [], n_words)
    if w_out is None and len(neg):
        raise ValueError("negatives need w_out")
    if not 0 <= word < n_words:
        raise ValueError("target word out of range")
    code = np.ascontiguousarray(code if code is not None else [], dtype=np.uint8)
    point = _check_ids("point", point if point is not None else [],
                       w_hs.shape[0] if w_hs is not None else 0)
    if len(code) != len(point):
        raise ValueError("code and point must have equal length")
    return neg, code, point


cdef fe_target _target(uint32_t word, const uint32_t[::1] neg, const uint8_t[::1] code,
                       const uint32_t[::1] point):
    cdef fe_target t
    t.word = word
    t.n_neg = <int32_t>neg.shape[0]
    t.neg = &neg[0] if neg.shape[0] else NULL
    t.code_len = <int32_t>code.shape[0]
    t.code = &code[0] if code.shape[0] else NULL
    t.point = &point[0] if point.shape[0] else NULL
    return t


def sg_step(w_in, w_out, w_hs, uint32_t context, uint32_t word, negatives=None, code=None,
            point=None, float alpha=0.025, bint want_loss=False, simd=None, lockf=None):
    """One skip-gram update exactly as the training loop performs it (in place), on the
    ``simd`` path (None: simd_path()), with lock factors ``lockf`` (None: all 1)."""
    if context >= w_in.shape[0]:
        raise ValueError("context id out of range")
    neg, code, point = _target_arrays(w_in.shape[0], w_out, w_hs, word, negatives, code, point)
    lockf = check_lockf(lockf)
    cdef fe_weights w = _weights(w_in, w_out, w_hs, lockf)
    cdef fe_target t = _target(word, neg, code, point)
    cdef fe_update_ops ops
    _fill_ops(simd, &ops)
    scratch = np.empty(2 * w.dim, dtype=np.float32)
    cdef float[::1] s = scratch
    return ops.sg_step(&w, context, &t, alpha, &s[0], want_loss)


def _window_inputs(w_in, w_out, w_hs, context, word, negatives, code, point):
    """Checked arrays for a one-window hook, and scratch sized as the training loop sizes it."""
    ctx = _check_ids("context", context, w_in.shape[0])
    neg, code, point = _target_arrays(w_in.shape[0], w_out, w_hs, word, negatives, code, point)
    scratch = np.empty(fe_step_scratch(w_in.shape[1], <int32_t>len(ctx),
                                       <int32_t>(len(code) + 1 + len(neg))), dtype=np.float32)
    return ctx, neg, code, point, scratch


def sg_window_step(w_in, w_out, w_hs, context, uint32_t word, negatives=None, code=None,
                   point=None, float alpha=0.025, bint want_loss=False, simd=None,
                   lockf=None):
    """One skip-gram window with shared negatives (block update), as the loop performs it."""
    ctx_arr, neg, code, point, scratch = _window_inputs(w_in, w_out, w_hs, context, word,
                                                        negatives, code, point)
    lockf = check_lockf(lockf)
    cdef const uint32_t[::1] ctx = ctx_arr
    cdef float[::1] s = scratch
    cdef fe_weights w = _weights(w_in, w_out, w_hs, lockf)
    cdef fe_target t = _target(word, neg, code, point)
    cdef fe_update_ops ops
    _fill_ops(simd, &ops)
    if ctx.shape[0] == 0:
        return 0.0
    return ops.sg_window_step(&w, &ctx[0], <int32_t>ctx.shape[0], &t, alpha, &s[0], want_loss)


def cbow_step(w_in, w_out, w_hs, context, uint32_t word, negatives=None, code=None,
              point=None, float alpha=0.025, int cbow_mean=1, bint want_loss=False, simd=None,
              lockf=None):
    """One CBOW update exactly as the training loop performs it (in place)."""
    ctx_arr, neg, code, point, scratch = _window_inputs(w_in, w_out, w_hs, context, word,
                                                        negatives, code, point)
    lockf = check_lockf(lockf)
    cdef const uint32_t[::1] ctx = ctx_arr
    cdef float[::1] s = scratch
    cdef fe_weights w = _weights(w_in, w_out, w_hs, lockf)
    cdef fe_target t = _target(word, neg, code, point)
    cdef fe_update_ops ops
    _fill_ops(simd, &ops)
    if ctx.shape[0] == 0:
        return 0.0
    return ops.cbow_step(&w, &ctx[0], <int32_t>ctx.shape[0], cbow_mean, &t, alpha, &s[0], want_loss)


def subword_step(w_in, w_out, w_hs, rows, targets, float alpha=0.025, int cbow_mean=1,
                 bint want_loss=False, simd=None, lockf=None):
    """One subword update exactly as the training loop performs it (in place): the sum
    (cbow_mean=0) or mean of the w_in rows ``rows`` predicts every target, a sequence of
    ``(word, negatives, code, point)`` (negatives, code and point may be None). w_out, if
    given, has a row per word (V rows, at most those of w_in)."""
    cdef int64_t n_words = w_out.shape[0] if w_out is not None else w_in.shape[0]
    if n_words > w_in.shape[0]:
        raise ValueError(f"w_out has {n_words} rows, more than w_in's {w_in.shape[0]}")
    rows_arr = _check_ids("row", rows, w_in.shape[0])
    checked = [(word, *_target_arrays(n_words, w_out, w_hs, word, neg, code, point))
               for word, neg, code, point in targets]
    cdef int64_t n_outputs = sum(len(c) + 1 + len(n) for _, n, c, _ in checked)
    if len(rows_arr) > 0x7FFFFFFF or n_outputs > 0x7FFFFFFF:
        raise ValueError("a step takes fewer than 2**31 rows and outputs")
    lockf = check_lockf(lockf)
    cdef const uint32_t[::1] r = rows_arr
    cdef fe_weights w = _weights(w_in, w_out, w_hs, lockf, n_words)
    cdef fe_update_ops ops
    _fill_ops(simd, &ops)
    if r.shape[0] == 0 or not checked:
        return 0.0
    scratch = np.empty(fe_subword_scratch(w.dim, <int32_t>r.shape[0], <int32_t>n_outputs),
                       dtype=np.float32)
    cdef float[::1] s = scratch
    cdef int32_t k, n_targets = <int32_t>len(checked)
    cdef fe_target *ts = <fe_target *>PyMem_Malloc(n_targets * sizeof(fe_target))
    if ts == NULL:
        raise MemoryError()
    try:
        for k in range(n_targets):   # the arrays stay referenced by `checked`
            word, neg, code, point = checked[k]
            ts[k] = _target(word, neg, code, point)
        return ops.subword_step(&w, &r[0], <int32_t>r.shape[0], cbow_mean, ts, n_targets,
                                alpha, &s[0], want_loss)
    finally:
        PyMem_Free(ts)


def rows_sum(float[:, ::1] w_in, rows, simd=None):
    """The sum of the w_in rows ``rows`` as the cbow_sums loop computes a word's (a new
    float32 vector)."""
    rows_arr = _check_ids("row", rows, w_in.shape[0])
    if len(rows_arr) > 0x7FFFFFFF:
        raise ValueError("at most 2**31 - 1 rows")
    cdef const uint32_t[::1] r = rows_arr
    cdef fe_weights w = _weights(w_in, None, None)
    cdef fe_update_ops ops
    _fill_ops(simd, &ops)
    # the sum is written a whole vector block at a time: a padded row; then row pointers
    out = np.zeros(fe_scratch_row(w.dim), dtype=np.float32)
    scratch = np.empty(2 * max(len(rows_arr), 1), dtype=np.float32)
    cdef float[::1] o = out
    cdef float[::1] s = scratch
    if r.shape[0]:
        ops.rows_sum(&w, &r[0], <int32_t>r.shape[0], &o[0], &s[0])
    return out[:w.dim].copy()


def rows_add(float[:, ::1] w_in, rows, grad, simd=None, lockf=None):
    """Adds ``grad`` to each w_in row of ``rows`` (times its lock factor) in place, as the
    cbow_sums loop applies a word's gathered gradient."""
    rows_arr = _check_ids("row", rows, w_in.shape[0])
    grad_arr = np.ascontiguousarray(grad, dtype=np.float32)
    if grad_arr.shape != (w_in.shape[1],):
        raise ValueError(f"grad must have shape ({w_in.shape[1]},); got {grad_arr.shape}")
    if len(rows_arr) > 0x7FFFFFFF:
        raise ValueError("at most 2**31 - 1 rows")
    lockf = check_lockf(lockf)
    cdef const uint32_t[::1] r = rows_arr
    cdef const float[::1] g = grad_arr
    cdef fe_weights w = _weights(w_in, None, None, lockf)
    cdef fe_update_ops ops
    _fill_ops(simd, &ops)
    if r.shape[0]:
        ops.rows_add(&w, &r[0], <int32_t>r.shape[0], &g[0])


def sums_step(w_out, w_hs, float[:, ::1] sums, float[:, ::1] grads, uint32_t word,
              negatives=None, code=None, point=None, float in_scale=1.0, float grad_scale=1.0,
              float alpha=0.025, bint want_loss=False, simd=None):
    """One cbow_sums window in place: in_scale times the sum of the rows of ``sums``
    predicts ``word``; the output rows move, and grad_scale times the input's gradient is
    added to every row of ``grads`` (as many rows as ``sums``, same width as the outputs)."""
    ref = w_out if w_out is not None else w_hs
    if ref is None:
        raise ValueError("need w_out or w_hs")
    cdef int64_t n_words = w_out.shape[0] if w_out is not None else w_hs.shape[0] + 1
    if sums.shape[0] != grads.shape[0] or sums.shape[1] != grads.shape[1] \
            or sums.shape[1] != ref.shape[1] or sums.shape[0] < 1:
        raise ValueError("sums and grads must have the same shape, at least one row, and "
                         "the outputs' width")
    neg, code, point = _target_arrays(n_words, w_out, w_hs, word, negatives, code, point)
    cdef int32_t n = <int32_t>sums.shape[0], c
    dummy = np.zeros((max(n_words, 1), sums.shape[1]), dtype=np.float32)  # no input rows
    cdef fe_weights w = _weights(dummy, w_out, w_hs, None, n_words)
    cdef fe_target t = _target(word, neg, code, point)
    cdef fe_update_ops ops
    _fill_ops(simd, &ops)
    scratch = np.empty(fe_subword_scratch(w.dim, 0, <int32_t>(len(code) + 1 + len(neg))),
                       dtype=np.float32)
    cdef float[::1] s = scratch
    cdef float **ptrs = <float **>PyMem_Malloc(2 * n * sizeof(float *))
    if ptrs == NULL:
        raise MemoryError()
    try:
        for c in range(n):
            ptrs[c] = &sums[c, 0]
            ptrs[n + c] = &grads[c, 0]
        return ops.sums_step(&w, ptrs, ptrs + n, n, in_scale, grad_scale, &t, alpha, &s[0],
                             want_loss)
    finally:
        PyMem_Free(ptrs)


# ---- paragraph vectors of new documents (src/fe_doc2vec.h) ---------------------------------

def _rows_matrix(name, arr, int64_t rows, int64_t dim):
    """A float32 C-contiguous matrix of exactly (rows, dim)."""
    if not isinstance(arr, np.ndarray) or arr.dtype != np.float32 or arr.ndim != 2 \
            or not arr.flags.c_contiguous:
        raise ValueError(f"{name} must be a C-contiguous 2-D float32 array")
    if arr.shape[0] != rows or arr.shape[1] != dim:
        raise ValueError(f"{name} must have shape {(rows, dim)}; got {arr.shape}")
    return arr


cdef int _infer_part(const fe_infer_config *cfg, const uint32_t[::1] ids,
                     const int64_t[::1] offsets, int64_t[::1] next_doc, int64_t chunk,
                     uint64_t seed, float[:, ::1] out):
    """Infers chunks of ``chunk`` documents, each taken from the counter next_doc[0] that all
    the threads share, until none is left: a thread that runs slower (a busy core) takes
    fewer, and none waits long for the last. The vectors do not depend on who takes what."""
    cdef int status = FE_OK
    cdef int64_t n_docs = offsets.shape[0] - 1, first
    with nogil:
        while status == FE_OK:
            first = fe_atomic_add(&next_doc[0], chunk) - chunk
            if first >= n_docs:
                break
            status = fe_infer_range(cfg, &ids[0] if ids.shape[0] else NULL, &offsets[0],
                                    first, min(first + chunk, n_docs), seed, &out[0, 0])
    return status


def infer_documents(w_in, w_out, w_hs, ids, offsets, *, int dm, int hs, int negative,
                    int window, int cbow_mean, bint shrink_windows, int epochs, float alpha,
                    float min_alpha, keep_threshold, alias, hs_offset, hs_code, hs_point,
                    uint64_t seed, int workers=1, simd=None, bint dm_concat=False,
                    int dm_tag_count=1, int64_t null_word=-1):
    """Paragraph vectors of the encoded documents (document k: ids[offsets[k]:offsets[k+1]],
    ids of the words' rows w_in), the model frozen (src/fe_doc2vec.h). Returns a float32
    array (documents, dim). ``workers`` threads each release the GIL for a share of the
    documents; the result does not depend on their number. ``simd``: the instruction set
    (None: simd_path()), as for training. ``dm_concat``: the concatenating PV-DM layer
    (src/fe_dm_concat.h), w_out and w_hs rows ``(dm_tag_count + 2 * window) * dim`` wide,
    ``null_word`` the padding word's row."""
    if not isinstance(w_in, np.ndarray) or w_in.ndim != 2:
        raise ValueError("w_in must be a 2-D float32 array")
    cdef int64_t n_words = w_in.shape[0], dim = w_in.shape[1], n_docs, k
    cdef int64_t out_dim = dim
    cdef fe_infer_config cfg
    cdef const float[:, ::1] in_view = _rows_matrix("w_in", w_in, n_words, dim)
    cdef const float[:, ::1] out_view
    cdef const float[:, ::1] hs_view
    cdef const uint32_t[::1] keep_view
    cdef const uint64_t[::1] alias_view
    cdef const int64_t[::1] hs_off_view
    cdef const uint8_t[::1] code_view
    cdef const uint32_t[::1] point_view
    if n_words < 1 or dim < 1 or n_words >= 0xFFFFFFFF:
        raise ValueError(f"w_in must hold 1 to 2**32 - 2 rows of at least 1 float; got {w_in.shape}")
    if window < 1 or negative < 0 or epochs < 0 or not (hs or negative):
        raise ValueError("need window >= 1, negative >= 0, epochs >= 0, and hs or negative sampling")
    if workers < 1:
        raise ValueError(f"workers must be >= 1; got {workers}")
    if dm_concat:
        if not dm:
            raise ValueError("dm_concat needs dm=1 (PV-DM)")
        if dm_tag_count < 1 or dm_tag_count + 2 * <int64_t>window > 0x7FFFFFFF:
            raise ValueError(f"dm_tag_count must be >= 1; got {dm_tag_count}")
        if not 0 <= null_word < n_words:
            raise ValueError(f"null_word={null_word} must be a word row in 0..{n_words - 1}")
        out_dim = fe_dm_concat_width(dm_tag_count, window, dim)
    ids = _exact_array("ids", ids, np.uint32)
    offsets = _exact_array("offsets", offsets, np.int64)
    validate_corpus(ids, offsets, n_words)
    n_docs = offsets.shape[0] - 1
    memset(&cfg, 0, sizeof(cfg))
    cfg.dm_concat = dm_concat
    cfg.dm_tag_count = dm_tag_count
    cfg.null_word = <uint32_t>null_word if dm_concat else 0
    _fill_ops(simd, &cfg.ops)
    cfg.w_in = &in_view[0, 0]
    cfg.vocab_size = n_words
    cfg.dim = dim
    cfg.dm, cfg.hs, cfg.negative, cfg.window = dm != 0, hs != 0, negative, window
    cfg.cbow_mean, cfg.shrink_windows, cfg.epochs = cbow_mean != 0, shrink_windows, epochs
    cfg.alpha, cfg.min_alpha = alpha, min_alpha
    if keep_threshold is not None:
        keep_view = _exact_array("keep_threshold", keep_threshold, np.uint32)
        if keep_view.shape[0] != n_words:
            raise ValueError(f"keep_threshold must have {n_words} entries")
        cfg.keep_threshold = &keep_view[0]
    if negative:
        out_view = _rows_matrix("w_out", w_out, n_words, out_dim)
        cfg.w_out = &out_view[0, 0]
        alias_view = _exact_array("alias", alias, np.uint64)
        if alias_view.shape[0] != n_words or \
                (np.asarray(alias_view) >> np.uint64(32)).max() >= n_words:
            raise ValueError(f"alias table must have {n_words} entries naming words")
        cfg.alias = &alias_view[0]
    if hs:
        if n_words < 2:
            raise ValueError("hierarchical softmax needs at least 2 words")
        hs_view = _rows_matrix("w_hs", w_hs, n_words - 1, out_dim)
        hs_off_view = _exact_array("hs_offset", hs_offset, np.int64)
        code_view = _exact_array("hs_code", hs_code, np.uint8)
        point_view = _exact_array("hs_point", hs_point, np.uint32)
        if hs_off_view.shape[0] != n_words + 1 or hs_off_view[0] != 0 or \
                hs_off_view[n_words] != code_view.shape[0] or \
                code_view.shape[0] != point_view.shape[0] or \
                np.any(np.diff(np.asarray(hs_off_view)) < 0) or \
                (point_view.shape[0] and np.asarray(point_view).max() >= n_words - 1):
            raise ValueError("inconsistent Huffman tables")
        cfg.w_hs = &hs_view[0, 0]
        cfg.hs_offset = &hs_off_view[0]
        cfg.hs_code = &code_view[0] if code_view.shape[0] else NULL
        cfg.hs_point = &point_view[0] if point_view.shape[0] else NULL
    result = np.zeros((max(n_docs, 1), dim), dtype=np.float32)
    cdef float[:, ::1] out = result
    if n_docs == 0:
        return result[:0]
    cdef int parts = min(workers, n_docs)
    # chunks small enough that the threads finish together (16 a thread at least), large
    # enough that taking one (and its scratch buffers) costs nothing next to inferring it
    cdef int64_t chunk = max(1, min(256, n_docs // (16 * parts)))
    next_doc = np.zeros(1, dtype=np.int64)
    statuses = [0] * parts

    def run(int part):
        statuses[part] = _infer_part(&cfg, ids, offsets, next_doc, chunk, seed, out)

    if parts == 1:
        run(0)
    else:
        threads = [threading.Thread(target=run, args=(p,)) for p in range(parts)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if any(s == FE_ERR_NOMEM for s in statuses):
        raise MemoryError("inference could not allocate its work buffers")
    if any(s != FE_OK for s in statuses):
        raise ValueError("the inference kernel rejected its configuration")
    return result
