# cython: language_level=3
"""Thin driver for phrase detection in C (src/fe_phrases.h).

Sentences arrive as lists of str; a batch of them is gathered with the GIL held (the UTF-8
bytes of every token copied into one buffer the batch owns), then counted or applied with the
GIL released. The semantics are gensim 4's Phrases; fe_phrases.h documents them, and how the
counts are kept (by word id while no token holds a delimiter byte, else by string).

Size: the C declarations it drives and the wrappers of every C structure phrases use (token
batches, counts, frozen tables, scoring callbacks, file passes) in one driver, as _corpus is.
"""
import gc
import logging

import numpy as np

cimport numpy as cnp
from cpython.exc cimport PyErr_CheckSignals, PyErr_Clear
from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.ref cimport PyObject, Py_INCREF
from cpython.sequence cimport PySequence_Fast_GET_ITEM
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy, memset

cnp.import_array()

cdef extern from "Python.h":
    const char *PyUnicode_AsUTF8AndSize(object text, Py_ssize_t *size) except NULL

cdef extern from *:
    """
    /* The UTF-8 bytes of a str token without a call for the common kind (an exact str of
     * ASCII characters, whose characters are its UTF-8); NULL with no error set when o is no
     * str, NULL with an error set when Python cannot encode it (a lone surrogate). */
    static inline const char *fe_token_utf8(PyObject *o, Py_ssize_t *size)
    {
        if (PyUnicode_CheckExact(o) && PyUnicode_IS_COMPACT_ASCII(o)) {
            *size = PyUnicode_GET_LENGTH(o);
            return (const char *)PyUnicode_DATA(o);
        }
        if (!PyUnicode_Check(o)) return NULL;
        return PyUnicode_AsUTF8AndSize(o, size);
    }
    """
    const char *fe_token_utf8(PyObject *o, Py_ssize_t *size)

logger = logging.getLogger("fastembed_core")

__all__ = ["TokenBatch", "PhraseSyntax", "PhraseCounter", "FrozenTable", "apply_batch",
           "export_phrases", "score_one", "word2phrase_file"]


from ._fe_vocab cimport *


cdef extern from "fe_phrases.h" nogil:
    enum:
        FE_SLOT_KEY  # the bytes C reads of each token of a padded batch, whatever its length

    ctypedef struct fe_token_batch:
        const char *const *ptr
        const int64_t *len
        const int64_t *sentence_end
        int64_t n_sentences
        int padded

    ctypedef struct fe_phrase_syntax:
        const unsigned char *delim
        int64_t delim_len
        const fe_vocab *connectors

    ctypedef struct fe_pair_table:
        int64_t size

    void fe_pair_table_free(fe_pair_table *t)

    ctypedef struct fe_phrase_counter:
        int by_id
        fe_vocab vocab
        int64_t max_vocab_size
        int64_t min_reduce
        int64_t total_words

    int fe_phrase_counter_init(fe_phrase_counter *c, int64_t max_vocab_size,
                               const unsigned char *delim, int64_t delim_len)
    void fe_phrase_counter_free(fe_phrase_counter *c)
    int64_t fe_phrase_counter_size(const fe_phrase_counter *c)
    int64_t fe_phrase_counter_get(const fe_phrase_counter *c, const unsigned char *w, int64_t n)
    int fe_phrase_counter_add(fe_phrase_counter *c, const unsigned char *w, int64_t n,
                              int64_t count)
    void fe_phrase_counter_prune(fe_phrase_counter *c, int64_t min_count)
    void fe_phrase_counter_entries(const fe_phrase_counter *c, int64_t *handles)
    int64_t fe_phrase_entry_length(const fe_phrase_counter *c, int64_t handle)
    void fe_phrase_entry_write(const fe_phrase_counter *c, int64_t handle, unsigned char *out)
    int64_t fe_phrase_entry_count(const fe_phrase_counter *c, int64_t handle)
    int fe_phrase_count_batch(fe_phrase_counter *c, const fe_phrase_syntax *syn,
                              const fe_token_batch *batch)
    int fe_phrase_count_files(fe_phrase_counter *c, const fe_phrase_syntax *syn,
                              const char *const *paths, int64_t n_paths,
                              const fe_read_options *opt, fe_corpus_stats *stats,
                              fe_status *st)
    int fe_phrase_merge(fe_phrase_counter *into, const fe_phrase_counter *source)

    enum:
        FE_SCORE_DEFAULT
        FE_SCORE_NPMI
        FE_SCORE_CALLBACK

    ctypedef int (*score_callback)(void *ctx, int64_t a, int64_t b, int64_t ab,
                                   double *score) noexcept

    ctypedef struct fe_phrase_model:
        fe_phrase_syntax syntax
        const fe_phrase_counter *counts
        int scoring
        double threshold
        double min_count
        int64_t corpus_word_count
        score_callback callback
        void *callback_ctx
        const fe_vocab *frozen
        const double *frozen_score
        const fe_vocab *passing
        const double *passing_score
        const fe_pair_table *passing_ids
        const double *passing_id_score

    int fe_phrase_score(const fe_phrase_model *m, const unsigned char *a, int64_t a_len,
                        const unsigned char *b, int64_t b_len, const unsigned char *phrase,
                        int64_t phrase_len, double *score)
    int fe_phrase_apply(const fe_phrase_model *m, const fe_token_batch *batch, int64_t *span,
                        double *score)
    int64_t fe_phrase_export(const fe_phrase_model *m, int64_t *ids, double *scores)
    int64_t fe_phrase_passing_ids(const fe_phrase_model *m, fe_pair_table *out,
                                  double **scores)

    ctypedef struct fe_word2phrase_stats:
        int64_t train_words
        int64_t vocab_size
        int64_t phrases

    ctypedef int (*fe_write_fn)(void *ctx, const unsigned char *data, int64_t n) noexcept

    int fe_word2phrase(const char *train_path, int64_t min_count, float threshold,
                       const fe_read_options *opt, fe_write_fn write, void *write_ctx,
                       fe_word2phrase_stats *stats, fe_status *st)


# The file reading arguments, errors and Ctrl-C handling are _corpus's: one set of rules.
from ._corpus import _check_paths
from .errors import CorpusError


# ---- strings ----------------------------------------------------------------------------

cdef bytes _utf8(str text):
    # surrogatepass: a str holding a lone surrogate (which Python allows) still gets bytes of
    # its own, so it is counted and looked up like any other token.
    return text.encode("utf-8", "surrogatepass")


cdef str _decode(const unsigned char *data, int64_t n):
    return PyUnicode_DecodeUTF8(<const char *>data, n, "surrogatepass")


# ---- a batch of sentences ---------------------------------------------------------------

cdef class TokenBatch:
    """The UTF-8 bytes of the str tokens of some sentences, copied with the GIL held into one
    buffer that C then reads without it: nothing another thread does to the caller's lists
    can free what C reads. ``sentences`` keeps each sentence as a list or tuple (the caller's
    own, or the list made from another iterable) for building the output. ``first_index`` is
    the position of the first sentence in the caller's corpus, for error messages."""
    cdef const char **ptr
    cdef int64_t *length
    cdef int64_t *sentence_end
    cdef unsigned char *arena
    cdef int64_t n_tokens, n_sentences
    cdef readonly list sentences

    def __cinit__(self, sentences, int64_t first_index=0):
        cdef list chunk = list(sentences)
        cdef int64_t n_sent = len(chunk), s, j, n, k = 0, total = 0, used = 0, cap
        cdef Py_ssize_t size
        cdef const char *data
        cdef int64_t *offset = NULL
        cdef unsigned char *grown
        for s in range(n_sent):
            sentence = chunk[s]
            if type(sentence) is not list and type(sentence) is not tuple:
                if isinstance(sentence, (str, bytes, bytearray)):
                    raise TypeError(
                        f"sentence {first_index + s} is a {type(sentence).__name__}, not a "
                        "list of str tokens: split it into tokens first (e.g. text.split())")
                try:
                    chunk[s] = sentence = list(iter(sentence))
                except TypeError:
                    raise TypeError(
                        f"sentence {first_index + s} is a {type(sentence).__name__}, not a "
                        "list of str tokens") from None
            total += len(sentence)
        self.sentences = chunk
        self.sentence_end = <int64_t *>malloc(max(n_sent, 1) * sizeof(int64_t))
        self.ptr = <const char **>malloc(max(total, 1) * sizeof(char *))
        self.length = <int64_t *>malloc(max(total, 1) * sizeof(int64_t))
        cap = total * 8 + 64  # never less than used + FE_SLOT_KEY: it grows with that to spare
        self.arena = <unsigned char *>malloc(cap)
        offset = <int64_t *>malloc(max(total, 1) * sizeof(int64_t))
        if not self.sentence_end or not self.ptr or not self.length or not self.arena \
                or not offset:
            free(offset)
            raise MemoryError("out of memory gathering tokens")
        try:
            for s in range(n_sent):
                sentence = chunk[s]
                n = len(sentence)
                if k + n > total:
                    raise RuntimeError(f"sentence {first_index + s} changed while its tokens "
                                       "were read")
                for j in range(n):
                    # nothing in this loop runs Python code: the sentence cannot change
                    data = fe_token_utf8(PySequence_Fast_GET_ITEM(sentence, j), &size)
                    if data == NULL:
                        token = <object>PySequence_Fast_GET_ITEM(sentence, j)
                        if isinstance(token, str):
                            # a lone surrogate: bytes of its own (surrogatepass), as _utf8 makes
                            PyErr_Clear()
                            raw = _utf8(token)
                            data = <const char *>(<bytes>raw)
                            size = len(raw)
                        else:
                            hint = " (decode bytes first, e.g. token.decode('utf-8'))" \
                                if isinstance(token, (bytes, bytearray)) else ""
                            raise TypeError(
                                f"token {j} of sentence {first_index + s} is a "
                                f"{type(token).__name__} ({token!r:.40}), not a str{hint}")
                    if used + size + FE_SLOT_KEY > cap:
                        cap = max(cap * 2, used + size + FE_SLOT_KEY)
                        grown = <unsigned char *>realloc(self.arena, cap)
                        if not grown:
                            raise MemoryError("out of memory gathering tokens")
                        self.arena = grown
                    memcpy(self.arena + used, data, size)
                    offset[k] = used
                    self.length[k] = size
                    used += size
                    k += 1
                self.sentence_end[s] = k
            # C may read each token's first FE_SLOT_KEY bytes whatever its length (view: padded)
            memset(self.arena + used, 0, FE_SLOT_KEY)
            for j in range(k):
                self.ptr[j] = <const char *>(self.arena + offset[j])
        finally:
            free(offset)
        self.n_tokens, self.n_sentences = k, n_sent

    def __dealloc__(self):
        free(self.ptr)
        free(self.length)
        free(self.sentence_end)
        free(self.arena)

    @property
    def n_tokens(self):
        return self.n_tokens

    cdef fe_token_batch view(self):
        cdef fe_token_batch b
        b.ptr = self.ptr
        b.len = self.length
        b.sentence_end = self.sentence_end
        b.n_sentences = self.n_sentences
        b.padded = 1
        return b


# ---- the delimiter and the connector words ----------------------------------------------

cdef class PhraseSyntax:
    """The delimiter and the set of connector words, as C reads them."""
    cdef fe_vocab connectors
    cdef bytes delim
    cdef readonly str delimiter

    def __cinit__(self, str delimiter, connector_words):
        if fe_vocab_init(&self.connectors) != FE_OK:
            raise MemoryError("out of memory for the connector words")
        self.delimiter = delimiter
        self.delim = _utf8(delimiter)
        cdef bytes raw
        for word in connector_words:
            if not isinstance(word, str):
                raise TypeError(f"connector words must be str; got {type(word).__name__} "
                                f"({word!r:.40})")
            raw = _utf8(word)
            if fe_vocab_add(&self.connectors, raw, len(raw), 1) < 0:
                raise MemoryError("out of memory for the connector words")

    def __dealloc__(self):
        fe_vocab_free(&self.connectors)

    cdef fe_phrase_syntax view(self):
        cdef fe_phrase_syntax s
        s.delim = self.delim
        s.delim_len = len(self.delim)
        s.connectors = &self.connectors
        return s


# ---- counts -----------------------------------------------------------------------------

cdef class FrozenTable
cdef class _PassingIds

cdef class PhraseCounter:
    """Unigram and phrase counts in the C table: gensim's ``Phrases.vocab``.

    Not safe for concurrent use: a call while another thread counts into the same table (with
    the GIL released) is refused with RuntimeError."""
    cdef fe_phrase_counter c
    cdef int readers
    cdef bint writing
    # the phrases applying finds with these counts, and the settings they were made for;
    # dropped by every change of the counts
    cdef object passing      # a FrozenTable (counts by string) or a _PassingIds
    cdef tuple passing_key

    def __cinit__(self, int64_t max_vocab_size=-1, str delimiter="_"):
        cdef bytes delim = _utf8(delimiter)
        if fe_phrase_counter_init(&self.c, max_vocab_size, delim, len(delim)) != FE_OK:
            raise MemoryError("out of memory for the phrase counts")

    def __dealloc__(self):
        fe_phrase_counter_free(&self.c)

    cdef int _write(self) except -1:
        if self.writing or self.readers:
            raise RuntimeError("these phrase counts are in use by another thread")
        self.writing = True
        self.passing = None
        return 0

    cdef object _passing(self, PhraseSyntax syntax, scoring, double threshold,
                         double min_count, int64_t corpus_word_count):
        """The phrases export_phrases finds and their scores (computed once for these counts
        and settings), or None where export cannot run (an empty delimiter, or a scorer
        error, which applying then meets where gensim would)."""
        key = (scoring, threshold, min_count, corpus_word_count,
               syntax.delim)
        if self.passing is not None and self.passing_key == key:
            return self.passing
        if not syntax.delim:
            return None
        cdef fe_phrase_model m
        _model(&m, syntax, self, None, scoring, threshold, min_count, corpus_word_count, None)
        cdef _PassingIds by_id
        cdef int64_t got
        if self.c.by_id:
            by_id = _PassingIds()
            self._read()
            try:
                with nogil:
                    got = fe_phrase_passing_ids(&m, &by_id.table, &by_id.scores)
            finally:
                self.readers -= 1
            if got < 0:
                return None
            self.passing, self.passing_key = by_id, key
            return by_id
        cdef int64_t n = self.c.vocab.size
        ids_arr = np.empty(max(n, 1), dtype=np.int64)
        scores_arr = np.empty(max(n, 1), dtype=np.float64)
        cdef int64_t[::1] ids = ids_arr
        cdef double[::1] scores = scores_arr
        cdef int64_t found
        self._read()
        try:
            with nogil:
                found = fe_phrase_export(&m, &ids[0], &scores[0])
        finally:
            self.readers -= 1
        if found < 0:
            return None
        cdef FrozenTable table = FrozenTable({})
        table._fill(&self.c.vocab, ids_arr[:found], scores_arr[:found])
        self.passing, self.passing_key = table, key
        return table

    cdef int _read(self) except -1:
        if self.writing:
            raise RuntimeError("these phrase counts are being updated by another thread")
        self.readers += 1
        return 0

    @property
    def size(self):
        return fe_phrase_counter_size(&self.c)

    @property
    def by_id(self):
        """Whether the counts are keyed by word ids (else by string)."""
        return bool(self.c.by_id)

    @property
    def total_words(self):
        return self.c.total_words

    @property
    def min_reduce(self):
        return self.c.min_reduce

    @min_reduce.setter
    def min_reduce(self, int64_t value):
        self.c.min_reduce = value

    def count(self, TokenBatch batch, PhraseSyntax syntax):
        """Counts a batch of sentences (pruning as gensim does after each sentence)."""
        cdef fe_token_batch b = batch.view()
        cdef fe_phrase_syntax s = syntax.view()
        cdef int rc = 0
        self._write()
        try:
            with nogil:
                rc = fe_phrase_count_batch(&self.c, &s, &b)
        finally:
            self.writing = False
        if rc != FE_OK:
            raise MemoryError(f"out of memory for the phrase counts ({self.size} "
                              "entries); max_vocab_size bounds them")

    def count_files(self, paths, PhraseSyntax syntax, errors="strict"):
        """Counts the lines of text files; returns (tokens, sentences) read."""
        names, encoded = _check_paths(paths)
        if errors not in ("strict", "replace", "ignore"):
            raise ValueError(f"errors must be 'strict', 'replace' or 'ignore'; got {errors!r}")
        cdef list pending = []
        cdef fe_read_options opt
        _read_options(&opt, errors, pending)
        cdef list keep = list(encoded)
        cdef int64_t n = len(keep), i
        cdef const char **ptrs = <const char **>malloc(max(n, 1) * sizeof(char *))
        if not ptrs:
            raise MemoryError()
        cdef fe_phrase_syntax s = syntax.view()
        cdef fe_corpus_stats stats
        cdef fe_status st
        cdef int rc = 0
        try:
            for i in range(n):
                ptrs[i] = <bytes>keep[i]
            self._write()
            try:
                with nogil:
                    rc = fe_phrase_count_files(&self.c, &s, ptrs, n, &opt, &stats, &st)
            finally:
                self.writing = False
        finally:
            free(ptrs)
        if rc != FE_OK:
            _raise_read_error(&st, names, pending)
        if stats.bad_tokens:
            logger.warning("%d tokens contained invalid UTF-8 (errors=%r); the first in %s at "
                           "line %d", stats.bad_tokens, errors, names[stats.first_bad_file],
                           stats.first_bad_line)
        return stats.total_tokens, stats.n_sentences

    def merge(self, PhraseCounter other):
        """gensim's add_vocab merge of a fresh count into these: adds other's counts, then
        prunes once if the table is over max_vocab_size. min_reduce handling is the caller's."""
        if other is self:
            raise ValueError("cannot merge counts into themselves")
        cdef int rc = 0
        self._write()
        try:
            other._read()
            try:
                with nogil:
                    rc = fe_phrase_merge(&self.c, &other.c)
                    self.c.total_words += other.c.total_words
            finally:
                other.readers -= 1
        finally:
            self.writing = False
        if rc != FE_OK:
            raise MemoryError("out of memory merging phrase counts")

    def prune(self, int64_t min_reduce):
        """Removes the entries counted fewer than min_reduce times."""
        self._write()
        try:
            with nogil:
                fe_phrase_counter_prune(&self.c, min_reduce)
        finally:
            self.writing = False

    def add_counts(self, list words, counts):
        """Adds count[i] to words[i] (str), in order: how saved or converted counts come in."""
        cdef const int64_t[::1] cv = np.ascontiguousarray(counts, dtype=np.int64)
        if cv.shape[0] != len(words):
            raise ValueError(f"{len(words)} words but {cv.shape[0]} counts")
        cdef int64_t i
        cdef bytes raw
        self._write()
        try:
            for i in range(len(words)):
                w = words[i]
                if not isinstance(w, str):
                    raise TypeError(f"vocabulary entry {i} is a {type(w).__name__}, not a str")
                if cv[i] < 0:
                    raise ValueError(f"the count of {w!r} is negative ({cv[i]})")
                raw = _utf8(w)
                if fe_phrase_counter_add(&self.c, raw, len(raw), cv[i]) != FE_OK:
                    raise MemoryError("out of memory for the phrase counts")
        finally:
            self.writing = False

    def add_encoded(self, const unsigned char[::1] blob, const int64_t[::1] ends, counts):
        """add_counts for entries given as one UTF-8 blob and the end offset of each."""
        cdef const int64_t[::1] cv = np.ascontiguousarray(counts, dtype=np.int64)
        cdef int64_t n = ends.shape[0], i, start = 0, rc = 0
        if cv.shape[0] != n:
            raise ValueError(f"{n} entries but {cv.shape[0]} counts")
        for i in range(n):
            if ends[i] < start or ends[i] > blob.shape[0] or cv[i] < 0:
                raise ValueError(f"entry {i}: bad offset or negative count")
            start = ends[i]
        self._write()
        try:
            start = 0
            with nogil:
                for i in range(n):
                    if fe_phrase_counter_add(&self.c,
                                             &blob[0] + start if blob.shape[0] else NULL,
                                             ends[i] - start, cv[i]) != FE_OK:
                        rc = -1
                        break
                    start = ends[i]
        finally:
            self.writing = False
        if rc:
            raise MemoryError("out of memory for the phrase counts")

    def get(self, str word):
        """The count of word (a unigram or a joined phrase), 0 if absent."""
        cdef bytes raw = _utf8(word)
        return fe_phrase_counter_get(&self.c, raw, len(raw))

    cdef _handles(self):
        handles = np.empty(max(self.size, 1), dtype=np.int64)
        cdef int64_t[::1] hv = handles
        fe_phrase_counter_entries(&self.c, &hv[0])
        return handles[:self.size]

    def words(self):
        """Every entry as str, in first-seen order."""
        self._read()
        try:
            return _entry_strings(&self.c, self._handles())
        finally:
            self.readers -= 1

    def counts(self):
        cdef int64_t i
        cdef const int64_t[::1] hv = self._handles()
        out = np.empty(hv.shape[0], dtype=np.int64)
        cdef int64_t[::1] ov = out
        for i in range(hv.shape[0]):
            ov[i] = fe_phrase_entry_count(&self.c, hv[i])
        return out

    def encoded(self):
        """(UTF-8 blob of every entry, end offset of each, counts): for saving."""
        cdef const int64_t[::1] hv = self._handles()
        cdef int64_t i, total = 0, pos = 0, n = hv.shape[0]
        ends = np.empty(n, dtype=np.int64)
        cdef int64_t[::1] ev = ends
        for i in range(n):
            total += fe_phrase_entry_length(&self.c, hv[i])
            ev[i] = total
        blob = np.empty(max(total, 1), dtype=np.uint8)
        cdef unsigned char[::1] bv = blob
        for i in range(n):
            fe_phrase_entry_write(&self.c, hv[i], &bv[pos])
            pos = ev[i]
        return (blob[:total], ends), self.counts()


cdef list _entry_strings(fe_phrase_counter *c, const int64_t[::1] handles):
    """The strings of the entries handles, decoded."""
    cdef int64_t i, n, longest = 1
    for i in range(handles.shape[0]):
        longest = max(longest, fe_phrase_entry_length(c, handles[i]))
    buf = np.empty(longest, dtype=np.uint8)
    cdef unsigned char[::1] bv = buf
    cdef list out = [None] * handles.shape[0]
    for i in range(handles.shape[0]):
        n = fe_phrase_entry_length(c, handles[i])
        fe_phrase_entry_write(c, handles[i], &bv[0])
        out[i] = _decode(&bv[0], n)
    return out


cdef class _PassingIds:
    """The phrases that pass with some counts by id and settings, and their scores."""
    cdef fe_pair_table table
    cdef double *scores

    def __dealloc__(self):
        fe_pair_table_free(&self.table)
        free(self.scores)


# ---- frozen phrase scores ---------------------------------------------------------------

cdef class FrozenTable:
    """phrase (str) -> score: FrozenPhrases' phrasegrams, as C looks them up."""
    cdef fe_vocab table
    cdef cnp.ndarray scores

    def __cinit__(self, phrasegrams):
        if fe_vocab_init(&self.table) != FE_OK:
            raise MemoryError("out of memory for the phrase table")
        cdef list keys = list(phrasegrams)
        self.scores = np.empty(len(keys), dtype=np.float64)
        cdef double[::1] sv = self.scores
        cdef int64_t i, id
        cdef bytes raw
        for i in range(len(keys)):
            k = keys[i]
            if not isinstance(k, str):
                raise TypeError(f"phrase {k!r:.40} is a {type(k).__name__}, not a str")
            raw = _utf8(k)
            id = fe_vocab_add(&self.table, raw, len(raw), 1)
            if id < 0:
                raise MemoryError("out of memory for the phrase table")
            sv[id] = float(phrasegrams[k])

    def __dealloc__(self):
        fe_vocab_free(&self.table)

    cdef int _fill(self, const fe_vocab *source, const int64_t[::1] ids,
                   const double[::1] scores) except -1:
        """Adds the entries ids of source with their scores (the table starts empty)."""
        cdef int64_t i, n = ids.shape[0], id
        self.scores = np.asarray(scores, dtype=np.float64).copy()
        for i in range(n):
            id = fe_vocab_add(&self.table, fe_vocab_bytes(source, ids[i]),
                              fe_vocab_at(source, ids[i]).length, 1)
            if id != i:
                raise MemoryError("out of memory for the phrase table")
        return 0


# ---- scoring ----------------------------------------------------------------------------

cdef class _Callback:
    """A Python scoring function called from C (with the GIL taken back); its exception is
    kept and re-raised after the pass."""
    cdef object fn
    cdef object error

    def __cinit__(self, fn):
        self.fn = fn
        self.error = None


cdef int _call_scorer(void *ctx, int64_t a, int64_t b, int64_t ab, double *score) noexcept with gil:
    cdef _Callback cb = <_Callback>ctx
    try:
        score[0] = float(cb.fn(a, b, ab))
        return 0
    except BaseException as exc:
        cb.error = exc
        return 1


_SCORING = {"default": FE_SCORE_DEFAULT, "npmi": FE_SCORE_NPMI}


cdef int _model(fe_phrase_model *m, PhraseSyntax syntax, object counts, object frozen,
                object scoring, double threshold, double min_count, int64_t corpus_word_count,
                _Callback cb) except -1:
    m.syntax = syntax.view()
    m.threshold = threshold
    m.min_count = min_count
    m.corpus_word_count = corpus_word_count
    m.callback = NULL
    m.callback_ctx = NULL
    m.counts = NULL
    m.frozen = NULL
    m.frozen_score = NULL
    m.passing = NULL
    m.passing_score = NULL
    m.passing_ids = NULL
    m.passing_id_score = NULL
    m.scoring = FE_SCORE_DEFAULT
    if counts is not None:
        m.counts = &(<PhraseCounter>counts).c
        if cb is not None:
            m.scoring = FE_SCORE_CALLBACK
            m.callback = _call_scorer
            m.callback_ctx = <void *>cb
        else:
            m.scoring = _SCORING[scoring]
    else:
        m.frozen = &(<FrozenTable>frozen).table
        m.frozen_score = <const double *>cnp.PyArray_DATA((<FrozenTable>frozen).scores)
    return 0


cdef _raise_score_error(int rc, _Callback cb):
    if rc == FE_ERR_CANCELLED and cb is not None and cb.error is not None:
        raise cb.error
    if rc == FE_ERR_ARG:
        raise ZeroDivisionError("npmi scoring divides by zero: corpus_word_count is 0 or a "
                                "phrase occurs as often as there are words")
    if rc == FE_ERR_NOMEM:
        raise MemoryError("out of memory applying phrases")
    raise RuntimeError(f"phrase pass failed with code {rc}")


cdef class _Reading:
    """Marks counts as read while C reads them without the GIL (a context manager)."""
    cdef PhraseCounter counts

    def __cinit__(self, counts):
        self.counts = counts

    def __enter__(self):
        if self.counts is not None:
            self.counts._read()

    def __exit__(self, *exc):
        if self.counts is not None:
            self.counts.readers -= 1


def apply_batch(TokenBatch batch, PhraseSyntax syntax, counts, frozen, scoring,
                double threshold, double min_count, int64_t corpus_word_count,
                callback=None, bint collect=False):
    """The phrased sentences of a batch (lists of str), and with ``collect`` the list of
    (phrase, score) found, in order. ``counts`` (a PhraseCounter, with ``scoring`` "default",
    "npmi" or a ``callback(a, b, ab)``) or ``frozen`` (a FrozenTable) scores candidates."""
    cdef _Callback cb = _Callback(callback) if callback is not None else None
    cdef fe_phrase_model m
    _model(&m, syntax, counts, frozen, scoring, threshold, min_count, corpus_word_count, cb)
    cdef object passing = None
    if counts is not None and cb is None:
        passing = (<PhraseCounter>counts)._passing(syntax, scoring, threshold, min_count,
                                                   corpus_word_count)
        if isinstance(passing, FrozenTable):
            m.passing = &(<FrozenTable>passing).table
            m.passing_score = <const double *>cnp.PyArray_DATA((<FrozenTable>passing).scores)
        elif passing is not None:
            m.passing_ids = &(<_PassingIds>passing).table
            m.passing_id_score = (<_PassingIds>passing).scores
    cdef fe_token_batch b = batch.view()
    span_arr = np.empty(max(batch.n_tokens, 1), dtype=np.int64)
    score_arr = np.empty(max(batch.n_tokens, 1), dtype=np.float64)
    cdef int64_t[::1] span = span_arr
    cdef double[::1] score = score_arr
    cdef int rc = 0
    with _Reading(counts):
        with nogil:
            rc = fe_phrase_apply(&m, &b, &span[0], &score[0])
    if rc != FE_OK:
        _raise_score_error(rc, cb)
    # Output: a phrase is the delimiter's join of its tokens (gensim's exact string); a token
    # emitted alone is the caller's own object.
    cdef list out = [None] * batch.n_sentences
    cdef list found = [] if collect else None
    # Lists of str cannot form reference cycles, yet each new list counts towards the cyclic
    # collector's next run, which then walks every object of the program (the caller's whole
    # corpus): measured at a third of the time of this pass. Paused while building them.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        _build(out, found, batch, span, score, syntax.delimiter, collect)
    finally:
        if was_enabled:
            _promote_young()
            gc.enable()
    return out, found


cdef _promote_young():
    """Moves every object the collector tracks into its oldest generation without a
    collection: freeze() then unfreeze(), which also resets the count of new objects.

    Pausing the collector only defers the walk: its next young collections then visit each
    new list and, through it, every token's str (one cache miss each), and a later one visits
    them again: a fifth of the time of applying on english.txt. Young objects of the caller's
    are promoted too and wait for the next full collection, as after surviving two
    collections. Skipped when the program keeps objects frozen itself (unfreeze would thaw
    them)."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


cdef int _build(list out, list found, TokenBatch batch, const int64_t[::1] span,
                const double[::1] score, str delim, bint collect) except -1:
    cdef int64_t s, k = 0, start, end, j, n, n_out, pos
    cdef object source, item
    cdef list sentence
    for s in range(batch.n_sentences):
        start, end = k, batch.sentence_end[s]
        source = batch.sentences[s]
        if len(source) != end - start:
            raise RuntimeError(f"sentence {s} of the batch changed while it was phrased")
        n_out = 0
        for j in range(start, end):
            n_out += span[j] > 0
        sentence = PyList_New(n_out)
        pos = 0
        while k < end:
            n = span[k]
            if n == 0:
                k += 1
                continue
            if n == 1:
                item = <object>PySequence_Fast_GET_ITEM(source, k - start)
            else:
                item = delim.join(source[k - start:k - start + n])
                if collect:
                    found.append((item, score[k]))
            Py_INCREF(item)
            PyList_SET_ITEM(sentence, pos, item)
            pos += 1
            k += n
        out[s] = sentence
    return 0


def score_one(PhraseSyntax syntax, counts, frozen, scoring, double threshold, double min_count,
              int64_t corpus_word_count, str word_a, str word_b, list in_between,
              callback=None):
    """score_candidate: (phrase, score) or (None, None)."""
    for w in in_between:
        if not isinstance(w, str):
            raise TypeError(f"in_between must hold str; got {type(w).__name__}")
    phrase = syntax.delimiter.join([word_a] + in_between + [word_b])
    cdef bytes ra = _utf8(word_a), rb = _utf8(word_b), rp = _utf8(phrase)
    cdef _Callback cb = _Callback(callback) if callback is not None else None
    cdef fe_phrase_model m
    _model(&m, syntax, counts, frozen, scoring, threshold, min_count, corpus_word_count, cb)
    cdef double score = 0
    cdef int rc = 0
    with _Reading(counts):
        rc = fe_phrase_score(&m, ra, len(ra), rb, len(rb), rp, len(rp), &score)
    if rc < 0:
        _raise_score_error(rc, cb)
    return (phrase, score) if rc else (None, None)


def export_phrases(PhraseSyntax syntax, PhraseCounter counts, scoring, double threshold,
                   double min_count, int64_t corpus_word_count, callback=None):
    """export_phrases: {phrase: score} over every entry of the counts, in their order."""
    if not syntax.delimiter:
        raise ValueError("export_phrases needs a non-empty delimiter (gensim splits on it)")
    cdef _Callback cb = _Callback(callback) if callback is not None else None
    cdef fe_phrase_model m
    _model(&m, syntax, counts, None, scoring, threshold, min_count, corpus_word_count, cb)
    cdef int64_t n = counts.size
    ids_arr = np.empty(max(n, 1), dtype=np.int64)
    scores_arr = np.empty(max(n, 1), dtype=np.float64)
    cdef int64_t[::1] ids = ids_arr
    cdef double[::1] scores = scores_arr
    cdef int64_t found
    with _Reading(counts):
        if cb is None:
            with nogil:
                found = fe_phrase_export(&m, &ids[0], &scores[0])
        else:
            found = fe_phrase_export(&m, &ids[0], &scores[0])
        if found < 0:
            _raise_score_error(<int>found, cb)
        phrases = _entry_strings(&counts.c, ids_arr[:found])
    return dict(zip(phrases, scores_arr[:found].tolist()))


# ---- files ------------------------------------------------------------------------------

cdef int _poll(void *ctx) noexcept nogil:
    with gil:
        try:
            PyErr_CheckSignals()
        except BaseException as exc:
            (<list>ctx).append(exc)
            return 1
    return 0


cdef int _read_options(fe_read_options *opt, errors, list pending) except -1:
    opt.chunk_size = 1 << 20
    opt.max_token_bytes = 1 << 20
    opt.errors = {"strict": 0, "replace": 1, "ignore": 2}[errors]
    opt.poll = _poll
    opt.poll_ctx = <void *>pending
    opt.poll_bytes = 8 << 20
    return 0


cdef _raise_read_error(fe_status *st, list names, list pending):
    import os
    if st.code == FE_ERR_CANCELLED and pending:
        raise pending[0]
    name = names[st.file_index] if 0 <= st.file_index < len(names) else "<corpus>"
    detail = st.message.decode("utf-8", "replace")
    if st.code == FE_ERR_NOMEM:
        raise MemoryError(f"{name}: {detail}")
    if st.code == FE_ERR_IO:
        raise OSError(st.sys_errno, os.strerror(st.sys_errno), name)
    if st.code == FE_ERR_UTF8:
        raise CorpusError(f"{name}: {detail} at line {st.line}, byte offset {st.offset}; the "
                          "corpus must be UTF-8 text (or pass errors='replace')")
    raise CorpusError(f"{name}: {detail} at line {st.line}")


cdef class _Writer:
    cdef object write
    cdef object error

    def __cinit__(self, write):
        self.write = write
        self.error = None


cdef int _write_out(void *ctx, const unsigned char *data, int64_t n) noexcept with gil:
    cdef _Writer w = <_Writer>ctx
    try:
        w.write((<const char *>data)[:n])
        PyErr_CheckSignals()
        return 0
    except BaseException as exc:
        w.error = exc
        return 1


def word2phrase_file(path, write, int64_t min_count, float threshold, errors="strict"):
    """word2vec.c's word2phrase over one file; the output goes to ``write(bytes)``.
    Returns (train_words, vocab_size, phrases joined)."""
    names, encoded = _check_paths(path)
    if len(encoded) != 1:
        raise ValueError("word2phrase reads exactly one file")
    cdef bytes raw = encoded[0]
    cdef list pending = []
    cdef fe_read_options opt
    _read_options(&opt, errors, pending)
    cdef _Writer w = _Writer(write)
    cdef fe_word2phrase_stats stats
    cdef fe_status st
    cdef const char *cpath = raw
    cdef int rc = 0
    with nogil:
        rc = fe_word2phrase(cpath, min_count, threshold, &opt, _write_out, <void *>w,
                            &stats, &st)
    if rc != FE_OK:
        if rc == FE_ERR_CANCELLED and w.error is not None:
            raise w.error
        _raise_read_error(&st, names, pending)
    return stats.train_words, stats.vocab_size, stats.phrases
