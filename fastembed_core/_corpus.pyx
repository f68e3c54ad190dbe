# cython: language_level=3
"""Thin driver for reading corpus files in C (src/fe_vocab.h).

Converts arguments, releases the GIL for the whole read / tokenize / count / encode pass,
converts results. Tokenization rules are documented in src/fe_vocab.h: lines are sentences,
tokens are separated by ASCII whitespace, a BOM at the start of a file is skipped, no token is
dropped or cut, invalid UTF-8 is an error unless ``errors="replace"`` or ``"ignore"``.

Size: one driver for every pass over fe_vocab's table (file counting, one thread or split
over several, encoding, str tokens from Python), which share its argument checks, error
conversion and result buffers.
"""
import bisect
import errno
import itertools
import logging
import math
import numbers
import os
import stat

import numpy as np

cimport numpy as cnp
from cpython.exc cimport PyErr_CheckSignals
from cpython.pycapsule cimport PyCapsule_GetPointer, PyCapsule_New
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc

from .errors import CorpusError


cdef extern from "Python.h":
    const char *PyUnicode_AsUTF8AndSize(object text, Py_ssize_t *size) except NULL

cnp.import_array()

logger = logging.getLogger("fastembed_core")

__all__ = ["SplitCount", "count_file", "count_pieces", "encode_file", "split_files"]


from ._fe_vocab cimport *


_ERRORS = {"strict": FE_UTF8_STRICT, "replace": FE_UTF8_REPLACE, "ignore": FE_UTF8_IGNORE}
_REMOTE_OR_COMPRESSED = (".gz", ".bz2", ".xz", ".lzma", ".zst", ".zip")
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"),
          (b"\x28\xb5\x2f\xfd", "zstd"), (b"PK\x03\x04", "zip"))
_POLL_BYTES = 8 << 20   # how often (bytes read) a pass takes the GIL to look for Ctrl-C


# ---- arguments --------------------------------------------------------------------------

def _check_paths(paths):
    """str/PathLike or a list of them -> (display names, fsencoded bytes). Refuses remote and
    compressed paths."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    names, encoded = [], []
    for p in paths:
        if not isinstance(p, (str, bytes, os.PathLike)):
            raise TypeError(f"each path must be a str or os.PathLike; got {type(p).__name__}")
        name = os.fspath(p)
        text = os.fsdecode(name)
        if "://" in text or text.lower().endswith(_REMOTE_OR_COMPRESSED):
            raise CorpusError(
                f"{text}: only local, uncompressed text files are supported as corpus files; "
                "decompress or download it first, or pass an iterable of token lists instead")
        raw = os.fsencode(name)
        if b"\0" in raw:
            raise ValueError(f"{text!r}: path contains a NUL byte")
        # Fail before a long pass, with the OSError Python would raise. Only regular files are
        # opened here: a named pipe must be opened once, by the reader.
        mode = os.stat(name).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), text)
        if stat.S_ISREG(mode):
            with open(name, "rb"):
                pass
        names.append(text)
        encoded.append(raw)
    return names, encoded


def _positive_int(value, name):
    """value as an int >= 1 (integral floats such as 1e6 accepted), else ValueError."""
    if not isinstance(value, bool) and isinstance(value, numbers.Real) \
            and math.isfinite(value) and value == int(value) and value >= 1:
        return int(value)
    raise ValueError(f"{name} must be a positive integer; got {value!r}")


cdef int _options(fe_read_options *opt, errors, chunk_size, list pending) except -1:
    if errors not in _ERRORS:
        raise ValueError(f"errors must be 'strict', 'replace' or 'ignore'; got {errors!r}")
    fe_read_options_default(opt)
    opt.errors = _ERRORS[errors]
    if chunk_size is not None:
        opt.chunk_size = _positive_int(chunk_size, "_chunk_size")
    opt.poll = _poll
    opt.poll_ctx = <void *>pending
    opt.poll_bytes = _POLL_BYTES
    return 0


cdef int _poll(void *ctx) noexcept nogil:
    # Ctrl-C lands in Python's signal flag; only code holding the GIL can turn it into an
    # exception. Keep the exception and stop the pass; the driver re-raises it.
    with gil:
        try:
            PyErr_CheckSignals()
        except BaseException as exc:
            (<list>ctx).append(exc)
            return 1
    return 0


cdef class _PathArray:
    """A C array of the path strings, alive as long as this object."""
    cdef const char **ptrs
    cdef list keep
    cdef int64_t n

    def __cinit__(self, list encoded):
        self.keep = encoded
        self.n = len(encoded)
        self.ptrs = <const char **>malloc(max(self.n, 1) * sizeof(char *))
        if self.ptrs == NULL:
            raise MemoryError()
        cdef int64_t i
        for i in range(self.n):
            self.ptrs[i] = <bytes>encoded[i]

    def __dealloc__(self):
        free(self.ptrs)


# ---- errors and warnings ----------------------------------------------------------------

def _sniff(path):
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return None
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


cdef _raise(fe_status *st, list names, list pending):
    if st.code == FE_ERR_CANCELLED and pending:
        raise pending[0]
    name = names[st.file_index] if 0 <= st.file_index < len(names) else "<corpus>"
    detail = st.message.decode("utf-8", "replace")
    where = f"line {st.line}, byte offset {st.offset}"
    if st.code == FE_ERR_NOMEM:
        raise MemoryError(f"{name}: {detail}")
    if st.code == FE_ERR_IO:
        raise OSError(st.sys_errno, os.strerror(st.sys_errno), name)
    if st.code == FE_ERR_UTF8:
        kind = _sniff(name)
        hint = (f"the file looks {kind}-compressed: decompress it first" if kind else
                "the corpus must be UTF-8 text: re-encode it (e.g. with iconv), or pass "
                "errors='replace' or errors='ignore'")
        raise CorpusError(f"{name}: {detail} at {where}; {hint}")
    if st.code == FE_ERR_TOKEN_TOO_LONG:
        raise CorpusError(f"{name}: {detail} at {where}; is this a text file with "
                          "whitespace-separated tokens?")
    raise CorpusError(f"{name}: {detail}")


cdef _warn_repaired(fe_corpus_stats *stats, list names, errors):
    if stats.bad_tokens == 0:
        return
    logger.warning(
        "%d tokens contained invalid UTF-8 (errors=%r: invalid bytes %s); the first in %s at "
        "line %d, byte offset %d", stats.bad_tokens, errors,
        "replaced by U+FFFD" if errors == "replace" else "dropped",
        names[stats.first_bad_file], stats.first_bad_line, stats.first_bad_offset)


# ---- the two passes ---------------------------------------------------------------------

cdef tuple _counted(fe_vocab *v, fe_encoded *tokens):
    """(words, counts, kept tokens or None) of a finished count; the tokens' buffers are
    adopted by the arrays (tokens->ids/offsets left NULL), the vocabulary stays the caller's."""
    words = _decode_words(v)
    counts = np.empty(v.size, dtype=np.int64)
    _copy_counts(v, counts)
    kept = None
    if tokens.offsets != NULL:
        kept = (_adopt(<void **>&tokens.ids, tokens.n_ids, cnp.NPY_UINT32),
                _adopt(<void **>&tokens.offsets, tokens.n_sentences + 1, cnp.NPY_INT64))
    return words, counts, kept


def count_file(paths, errors="strict", max_vocab_size=None, *, keep_tokens=False,
               _chunk_size=None):
    """Counts the words of one or more corpus files, in C with the GIL released.

    Parameters
    ----------
    paths : str, os.PathLike or list of them
        Local, uncompressed UTF-8 text files, read one after the other (each file's last line
        ends at its end). One line is one sentence; tokens are separated by ASCII whitespace.
    errors : {"strict", "replace", "ignore"}
        Invalid UTF-8: raise CorpusError (naming file, line and byte offset), or replace each
        bad sequence by U+FFFD, or drop it. The number of affected tokens is logged.
    max_vocab_size : int, optional
        Bound the number of distinct words while counting with gensim's rule: whenever the
        table exceeds it, drop the words seen fewer than ``min_reduce`` times, then raise
        ``min_reduce`` (starting at 1) by one.

    Returns
    -------
    words : list of str
        Distinct words in first-seen order.
    counts : numpy.ndarray of int64
        Their counts.
    total_tokens : int
        Every token read, including those of pruned words.
    n_sentences : int
        Lines with at least one token.
    tokens : (ids, offsets) or None
        Only with ``keep_tokens=True``: the corpus encoded in the same pass, every token as its
        index in ``words``, one sentence per line with tokens (as :func:`encode_file` lays
        them out), for :func:`remap_tokens`; None when ``max_vocab_size`` pruned words (their
        indices moved) or memory ran short.
    """
    if max_vocab_size is not None:
        max_vocab_size = _positive_int(max_vocab_size, "max_vocab_size")
    cdef list pending = []
    cdef fe_read_options opt
    _options(&opt, errors, _chunk_size, pending)
    names, encoded = _check_paths(paths)
    cdef _PathArray arr = _PathArray(encoded)
    cdef int64_t max_size = 0 if max_vocab_size is None else int(max_vocab_size)
    cdef fe_vocab v
    cdef fe_corpus_stats stats
    cdef fe_status st
    cdef fe_encoded tokens
    cdef fe_encoded *tokens_ptr = &tokens if keep_tokens else NULL
    cdef int rc
    fe_encoded_init(&tokens)
    if fe_vocab_init(&v) != FE_OK:
        raise MemoryError("out of memory for the vocabulary")
    try:
        with nogil:
            rc = fe_count_files(&v, arr.ptrs, arr.n, &opt, max_size, &stats, tokens_ptr, &st)
        if rc != FE_OK:
            _raise(&st, names, pending)
        _warn_repaired(&stats, names, errors)
        words, counts, kept = _counted(&v, &tokens)
    finally:
        fe_encoded_free(&tokens)
        fe_vocab_free(&v)
    if keep_tokens:
        return words, counts, int(stats.total_tokens), int(stats.n_sentences), kept
    return words, counts, int(stats.total_tokens), int(stats.n_sentences)


# ---- counting in parallel ---------------------------------------------------------------

_MIN_PART_BYTES = 1 << 20   # below this per thread, the threads and the merge cost more


cdef extern from "fe_atomic.h" nogil:
    int fe_atomic_load_int(int32_t *p)
    void fe_atomic_store_int(int32_t *p, int32_t v)


cdef int _stop_requested(void *ctx) noexcept nogil:
    return fe_atomic_load_int(<int32_t *>ctx)


def _line_start(path, offset):
    """The first line start at or after byte offset of the file: offset 0, a byte just after
    a '\n', or the file's size."""
    if offset == 0:
        return 0
    with open(path, "rb") as f:
        return _line_start_in(f, offset)


def _line_start_in(f, offset):
    """_line_start on a seekable binary file object (a local file, or an fsspec one)."""
    if offset == 0:
        return 0
    pos = offset - 1
    f.seek(pos)
    while True:
        block = f.read(1 << 16)
        if not block:
            return pos
        found = block.find(b"\n")
        if found >= 0:
            return pos + found + 1
        pos += len(block)


def split_files(paths, sizes, n_parts):
    """Cuts files, read one after the other, into at most ``n_parts`` parts of about equal
    size, at line starts (a line is never split, however long). Returns the non-empty parts,
    each a list of ``(file index, start, end)`` byte ranges (``end`` -1: to the file's end)."""
    # (this module is compiled without negative indexing)
    starts = [0, *itertools.accumulate(sizes)]
    n_files = len(sizes)
    total = starts[n_files]
    cuts = [(0, 0)]
    for k in range(1, n_parts):
        target = total * k // n_parts
        f = bisect.bisect_right(starts, target) - 1
        if f >= n_files:
            cut = (n_files, 0)
        else:
            offset = _line_start(paths[f], target - starts[f])
            cut = (f, offset) if offset < sizes[f] else (f + 1, 0)
        cuts.append(max(cut, cuts[k - 1]))
    cuts.append((n_files, 0))
    parts = []
    for (f0, o0), (f1, o1) in zip(cuts, cuts[1:]):
        pieces = []
        for f in range(f0, min(f1, n_files - 1) + 1):
            start = o0 if f == f0 else 0
            end = o1 if f == f1 else -1
            if end < 0 or end > start:
                pieces.append((f, start, end))
        if (f0, o0) != (f1, o1) and pieces:
            parts.append(pieces)
    return parts


cdef class SplitCount:
    """``count_file(paths, errors, keep_tokens=True)`` on several threads.

    The files are cut at line starts into parts of about equal size (:func:`split_files`);
    ``count(k)``, called once for each part, each call on its own thread, counts part ``k``
    into a table of its own with the GIL released; ``result()`` then merges the parts in
    order and returns what ``count_file`` would: the same words in the same first-seen order,
    counts, totals and kept tokens, and the same error (file, line, offset) if one fails.
    Without pruning only: gensim's ``max_vocab_size`` rule depends on the order of all words.
    Files that are not regular (a named pipe) or too small for ``n_parts`` parts of
    ``_min_part_bytes`` give fewer parts, down to one.
    """
    cdef readonly int64_t n_parts
    cdef fe_read_options opt
    cdef _PathArray arr
    cdef list names
    cdef object errors
    cdef fe_piece *pieces
    cdef int64_t *first_piece     # part k is pieces[first_piece[k] .. first_piece[k + 1])
    cdef fe_vocab *vocabs
    cdef fe_corpus_stats *stats
    cdef fe_encoded *tokens
    cdef fe_status *status
    cdef int *rc
    cdef int *state               # of each part: 0 to count, 1 counting, 2 counted
    cdef int32_t stop_flag
    cdef bint merged
    cdef list first_words         # the words of part 0, decoded once it is counted

    def __cinit__(self, paths, n_parts, errors="strict", *, _chunk_size=None,
                  _min_part_bytes=_MIN_PART_BYTES):
        n_parts = _positive_int(n_parts, "n_parts")
        min_part = _positive_int(_min_part_bytes, "_min_part_bytes")
        _options(&self.opt, errors, _chunk_size, [])
        self.opt.poll = _stop_requested
        self.opt.poll_ctx = <void *>&self.stop_flag
        self.opt.poll_bytes = 1 << 20
        self.errors = errors
        self.names, encoded = _check_paths(paths)
        self.arr = _PathArray(encoded)
        stats = [os.stat(name) for name in self.names]
        sizes = [st.st_size for st in stats]
        if not all(stat.S_ISREG(st.st_mode) for st in stats):
            n_parts = 1   # a pipe is read once, from its start
        n_parts = max(1, min(n_parts, sum(sizes) // min_part))
        parts = split_files(self.names, sizes, n_parts) if n_parts > 1 else \
            [[(f, 0, -1) for f in range(len(sizes))]]
        cdef int64_t n_pieces = sum(len(p) for p in parts), k, j = 0
        self.n_parts = len(parts)
        self.pieces = <fe_piece *>calloc(max(n_pieces, 1), sizeof(fe_piece))
        self.first_piece = <int64_t *>calloc(self.n_parts + 1, sizeof(int64_t))
        self.vocabs = <fe_vocab *>calloc(self.n_parts, sizeof(fe_vocab))
        self.stats = <fe_corpus_stats *>calloc(self.n_parts, sizeof(fe_corpus_stats))
        self.tokens = <fe_encoded *>calloc(self.n_parts, sizeof(fe_encoded))
        self.status = <fe_status *>calloc(self.n_parts, sizeof(fe_status))
        self.rc = <int *>calloc(self.n_parts, sizeof(int))
        self.state = <int *>calloc(self.n_parts, sizeof(int))
        if not (self.pieces and self.first_piece and self.vocabs and self.stats and self.tokens
                and self.status and self.rc and self.state):
            raise MemoryError("out of memory for the parts of the corpus")
        for k in range(self.n_parts):
            self.first_piece[k] = j
            for f, start, end in parts[k]:
                self.pieces[j].file_index, self.pieces[j].start, self.pieces[j].end = f, start, end
                j += 1
            if fe_vocab_init(&self.vocabs[k]) != FE_OK:
                raise MemoryError("out of memory for the vocabulary")
        self.first_piece[self.n_parts] = j

    def __dealloc__(self):
        cdef int64_t k
        if self.vocabs != NULL:
            for k in range(self.n_parts):
                fe_vocab_free(&self.vocabs[k])
        if self.tokens != NULL:
            for k in range(self.n_parts):
                fe_encoded_free(&self.tokens[k])
        free(self.pieces)
        free(self.first_piece)
        free(self.vocabs)
        free(self.stats)
        free(self.tokens)
        free(self.status)
        free(self.rc)
        free(self.state)

    def count(self, Py_ssize_t k):
        """Counts part k (0 <= k < n_parts) with the GIL released; once for each part."""
        if not 0 <= k < self.n_parts:
            raise IndexError(f"part {k} of {self.n_parts}")
        if self.state[k] != 0:
            raise RuntimeError(f"part {k} is already counted")
        self.state[k] = 1
        cdef int64_t first = self.first_piece[k], n = self.first_piece[k + 1] - first
        cdef int rc
        with nogil:
            rc = fe_count_pieces(&self.vocabs[k], self.arr.ptrs, &self.pieces[first], n,
                                 &self.opt, &self.stats[k], &self.tokens[k], &self.status[k])
        self.rc[k] = rc
        if k == 0 and rc == FE_OK:
            # The first part's words keep their ids in the merge: decoded now (the GIL is
            # needed for that, not by the other parts' counting), not after every part.
            self.first_words = _decode_words(&self.vocabs[0])
        self.state[k] = 2

    def stop(self):
        """Makes running count() calls return soon (the part then failed: cancelled)."""
        fe_atomic_store_int(&self.stop_flag, 1)

    cdef int64_t _lines_before(self, int64_t part, int64_t file_index):
        """'\n' bytes of file_index in the parts before part (the lines a line number found
        counting that part, from 1 at its start, is shifted by)."""
        cdef int64_t j, lines = 0
        for j in range(self.first_piece[part]):
            if self.pieces[j].file_index == file_index:
                lines += self.pieces[j].lines
        return lines

    def result(self):
        """Merges the counted parts, once: what ``count_file(paths, errors,
        keep_tokens=True)`` returns, or raises its error."""
        cdef int64_t k
        if self.merged:
            raise RuntimeError("result() was already taken")
        for k in range(self.n_parts):
            if self.state[k] != 2:
                raise RuntimeError(f"part {k} is not counted yet")
        self.merged = True
        for k in range(self.n_parts):   # the first error in file order is count_file's
            if self.rc[k] != FE_OK:
                if self.status[k].line > 0:
                    self.status[k].line += self._lines_before(k, self.status[k].file_index)
                _raise(&self.status[k], self.names, [])
            if self.stats[k].bad_tokens > 0:
                self.stats[k].first_bad_line += self._lines_before(k, self.stats[k].first_bad_file)
        cdef int rc = FE_OK
        with nogil:
            for k in range(1, self.n_parts):
                rc = fe_merge_counts(&self.vocabs[0], &self.stats[0], &self.tokens[0],
                                     &self.vocabs[k], &self.stats[k], &self.tokens[k])
                fe_vocab_free(&self.vocabs[k])
                fe_encoded_free(&self.tokens[k])
                if rc != FE_OK:
                    break
        if rc != FE_OK:
            raise MemoryError(f"{self.names[0]}: out of memory merging the vocabulary")
        _warn_repaired(&self.stats[0], self.names, self.errors)
        cdef fe_vocab *v = &self.vocabs[0]
        words = self.first_words + _decode_words(v, len(self.first_words))
        counts = np.empty(v.size, dtype=np.int64)
        _copy_counts(v, counts)
        kept = None
        if self.tokens[0].offsets != NULL:
            kept = (_adopt(<void **>&self.tokens[0].ids, self.tokens[0].n_ids, cnp.NPY_UINT32),
                    _adopt(<void **>&self.tokens[0].offsets, self.tokens[0].n_sentences + 1,
                           cnp.NPY_INT64))
        total, n_sent = int(self.stats[0].total_tokens), int(self.stats[0].n_sentences)
        fe_vocab_free(v)
        fe_encoded_free(&self.tokens[0])
        return words, counts, total, n_sent, kept


def count_pieces(paths, pieces, errors="strict"):
    """``count_file(paths, errors, keep_tokens=True)`` of byte ranges of the files: one part
    of a corpus counted on its own (a part of :class:`SplitCount`, or a shard counted on
    another machine), to be merged in order with the parts before and after it.

    ``pieces`` lists ``(file index, start, end)`` byte ranges, read in order; each starts at
    a line start (0 or just after a ``\\n``) and ends at one or at the file's end (``end``
    -1: to the end). Returns ``(words, counts, total_tokens, n_sentences, tokens)`` as
    ``count_file`` does; line numbers in errors count from 1 at the start of each piece."""
    cdef fe_read_options opt
    cdef list pending = []
    _options(&opt, errors, None, pending)
    names, encoded = _check_paths(paths)
    cdef _PathArray arr = _PathArray(encoded)
    cdef list checked = []
    for item in pieces:
        f, start, end = (int(x) for x in item)
        if not 0 <= f < len(names):
            raise ValueError(f"piece {item!r}: file index outside 0..{len(names) - 1}")
        if start < 0 or (end != -1 and end < start):
            raise ValueError(f"piece {item!r}: byte range must have 0 <= start <= end (or end -1)")
        checked.append((f, start, end))
    cdef int64_t n = len(checked), k
    cdef fe_piece *c_pieces = <fe_piece *>calloc(max(n, 1), sizeof(fe_piece))
    if c_pieces == NULL:
        raise MemoryError("out of memory for the pieces of the corpus")
    for k in range(n):
        c_pieces[k].file_index, c_pieces[k].start, c_pieces[k].end = checked[k]
    cdef fe_vocab v
    cdef fe_corpus_stats stats
    cdef fe_status st
    cdef fe_encoded tokens
    cdef int rc
    fe_encoded_init(&tokens)
    if fe_vocab_init(&v) != FE_OK:
        free(c_pieces)
        raise MemoryError("out of memory for the vocabulary")
    try:
        with nogil:
            rc = fe_count_pieces(&v, arr.ptrs, c_pieces, n, &opt, &stats, &tokens, &st)
        if rc != FE_OK:
            _raise(&st, names, pending)
        _warn_repaired(&stats, names, errors)
        words, counts, kept = _counted(&v, &tokens)
    finally:
        fe_encoded_free(&tokens)
        fe_vocab_free(&v)
        free(c_pieces)
    return words, counts, int(stats.total_tokens), int(stats.n_sentences), kept


def remap_tokens(ids, offsets, new_id):
    """Maps the tokens kept by ``count_file(keep_tokens=True)`` to a final vocabulary, in place.

    ``new_id[i]`` is the final id of ``words[i]``, or negative to drop the word. Returns
    ``(ids, offsets)``: views of the same buffers, laid out exactly as :func:`encode_file`
    would return them for that vocabulary (sentences left empty removed)."""
    cdef uint32_t[::1] id_view = ids
    cdef int64_t[::1] off_view = offsets
    cdef const int64_t[::1] map_view = np.ascontiguousarray(new_id, dtype=np.int64)
    cdef int64_t n_sent = off_view.shape[0] - 1
    if n_sent < 0 or off_view[0] != 0 or off_view[n_sent] != id_view.shape[0] or \
            np.any(np.diff(offsets) < 0):
        raise ValueError("offsets must rise from 0 to len(ids)")
    cdef fe_encoded e
    e.ids = &id_view[0] if id_view.shape[0] else NULL
    e.n_ids = id_view.shape[0]
    e.offsets = &off_view[0]
    e.n_sentences = n_sent
    cdef int rc
    with nogil:
        rc = fe_encoded_remap(&e, &map_view[0] if map_view.shape[0] else NULL, map_view.shape[0])
    if rc != FE_OK:
        raise ValueError("a token id has no entry in new_id, or a new id exceeds 2**32 - 1")
    return ids[:e.n_ids], offsets[:e.n_sentences + 1]


cdef int _fill_lookup(fe_vocab *v, vocab_words) except -1:
    """Fills an empty table with vocab_words (str, distinct); a word's id is its position."""
    cdef list words = list(vocab_words)
    cdef int64_t n = len(words), i, j, pos = 0
    if n > (1 << 32):
        raise ValueError(f"at most 2**32 words fit in uint32 ids; got {n}")
    cdef list raw = [None] * n
    for i in range(n):
        w = words[i]
        if not isinstance(w, str):
            raise TypeError(f"vocab_words[{i}] must be str; got {type(w).__name__}")
        raw[i] = (<str>w).encode("utf-8")
    cdef bytes blob = b"".join(raw)
    cdef int64_t[::1] lengths = np.fromiter(map(len, raw), dtype=np.int64, count=n)
    del raw
    cdef const unsigned char *base = <const unsigned char *><char *>blob
    cdef int rc = FE_OK
    cdef int64_t duplicate = -1, first = -1, blob_len = len(blob)
    with nogil:
        if fe_vocab_reserve(v, n, blob_len) != FE_OK:
            rc = FE_ERR_NOMEM
        else:
            for i in range(n):
                j = fe_vocab_add(v, base + pos, lengths[i], 0)
                if j < 0:
                    rc = FE_ERR_NOMEM
                    break
                if j != i:
                    duplicate, first = i, j
                    break
                pos += lengths[i]
    if rc == FE_ERR_NOMEM:
        raise MemoryError(f"out of memory for a vocabulary of {n} words")
    if duplicate >= 0:
        raise ValueError(f"vocab_words must be distinct: {words[duplicate]!r} is at "
                         f"positions {first} and {duplicate}")
    return 0


cdef class _TokenChunk:
    """UTF-8 views of the str tokens of a list of sentences, gathered with the GIL held so the
    hashing can run without it.

    The views point into the str objects (for ASCII text, no copy). The chunk itself owns a
    reference to every token it points into: the tokens of all sentences are gathered into
    one list that only the chunk holds, because a sentence may create its tokens while it is
    iterated (a generator, a pandas column) and nothing else would keep them alive until the
    hashing ends; and no other code can change that list while C reads it. A token that is
    not a str, or cannot be encoded (a lone surrogate), gets length -1."""
    cdef const char **ptr
    cdef int64_t *length
    cdef int64_t *sentence_end
    cdef int64_t n_tokens, n_sentences
    cdef list tokens          # every token that ptr points into, owned by this chunk alone

    def __cinit__(self, list sentences, object n_tokens):
        cdef Py_ssize_t size
        cdef int64_t k, s, total
        # Gathered first, then the buffers are sized from what was actually gathered: a list
        # the caller (or a sentence's __iter__) appends to while it is read, or a sentence
        # whose len() is not what it yields, cannot make the fills below run past what was
        # allocated. n_tokens is only a consistency check.
        cdef tuple chunk = tuple(sentences)
        cdef int64_t n_sent = len(chunk)
        self.sentence_end = <int64_t *>malloc(max(n_sent, 1) * sizeof(int64_t))
        if not self.sentence_end:
            raise MemoryError("out of memory gathering tokens")
        self.tokens = []
        for s in range(n_sent):
            sentence = chunk[s]
            # A list or tuple is copied in one step; any other sentence through iter(), so
            # that its own __len__ (which extend() would use to preallocate) is never trusted.
            if type(sentence) is list or type(sentence) is tuple:
                self.tokens.extend(sentence)
            else:
                self.tokens.extend(iter(sentence))
            self.sentence_end[s] = len(self.tokens)
        total = len(self.tokens)
        if total != n_tokens:
            raise ValueError(
                f"the sentences yield {total} tokens but their len() adds up to {n_tokens}: "
                "a sentence's len() disagrees with what it yields")
        self.ptr = <const char **>malloc(max(total, 1) * sizeof(char *))
        self.length = <int64_t *>malloc(max(total, 1) * sizeof(int64_t))
        if not self.ptr or not self.length:
            raise MemoryError("out of memory gathering tokens")
        for k in range(total):
            token = self.tokens[k]
            self.length[k] = -1
            # A str subclass (numpy.str_ from an array of words, say) holds the same text:
            # the UTF-8 view is of that text, as a dict lookup of the key would see it.
            if isinstance(token, str):
                try:
                    self.ptr[k] = PyUnicode_AsUTF8AndSize(token, &size)
                    self.length[k] = size
                except UnicodeEncodeError:
                    pass
        self.n_tokens, self.n_sentences = total, n_sent

    def __dealloc__(self):
        free(self.ptr)
        free(self.length)
        free(self.sentence_end)


cdef class TokenCounter:
    """Counts the str tokens of sentences handed over in chunks, in the C hash table the
    file reader uses, with the GIL released while hashing.

    ``max_vocab_size`` prunes like gensim (and like ``vocab.count_iterable``): after a
    sentence that leaves more distinct words than that, words seen fewer than ``min_reduce``
    times are dropped and ``min_reduce`` grows by one.
    """
    cdef fe_vocab v
    cdef int64_t max_size, min_reduce
    # Set (with the GIL held) while a call works on the table without the GIL: the table is
    # not safe for concurrent use, so a call from another thread meanwhile is refused.
    cdef bint busy

    def __cinit__(self, max_vocab_size=None):
        if fe_vocab_init(&self.v) != FE_OK:
            raise MemoryError("out of memory for the vocabulary")
        self.max_size = int(max_vocab_size or 0)
        self.min_reduce = 1

    def __dealloc__(self):
        fe_vocab_free(&self.v)

    def add(self, list sentences, n_tokens):
        """Counts a chunk of sentences holding n_tokens tokens in all. Returns -1, or the
        index of the first sentence with a token that is not a str: that sentence and the
        rest of the chunk are then left uncounted, for the caller to count another way."""
        cdef _TokenChunk chunk = _TokenChunk(sentences, n_tokens)
        cdef int64_t first_bad = -1
        cdef int rc
        self._enter()
        try:
            rc = self._add_chunk(chunk, &first_bad)
        finally:
            self.busy = False
        if rc != FE_OK:
            raise MemoryError("out of memory counting tokens")
        return first_bad

    cdef int _enter(self) except -1:
        if self.busy:
            raise RuntimeError("TokenCounter is in use by another thread: one call at a time")
        self.busy = True
        return 0

    cdef int _add_chunk(self, _TokenChunk chunk, int64_t *first_bad_out):
        cdef int64_t s, k = 0, first_bad = -1
        cdef int rc = FE_OK
        with nogil:
            for s in range(chunk.n_sentences):
                while k < chunk.sentence_end[s]:
                    if chunk.length[k] < 0:
                        first_bad = s
                        break
                    k += 1
                if first_bad >= 0:
                    break
            k = 0
            for s in range(chunk.n_sentences if first_bad < 0 else first_bad):
                while k < chunk.sentence_end[s]:
                    if fe_vocab_add(&self.v, <const unsigned char *>chunk.ptr[k], chunk.length[k], 1) < 0:
                        rc = FE_ERR_NOMEM
                        break
                    k += 1
                if rc != FE_OK:
                    break
                if self.max_size and self.v.size > self.max_size:
                    fe_vocab_prune(&self.v, self.min_reduce)
                    self.min_reduce += 1
        first_bad_out[0] = first_bad
        return rc

    def min_reduce_value(self):
        """The pruning threshold the next prune would use (for continuing in Python)."""
        return self.min_reduce

    def result(self):
        """(words in first-seen order, their counts as int64)."""
        self._enter()
        try:
            counts = np.empty(self.v.size, dtype=np.int64)
            _copy_counts(&self.v, counts)
            return _decode_words(&self.v), counts
        finally:
            self.busy = False


cdef class TokenEncoder:
    """Encodes sentences of str tokens to vocabulary ids with the GIL released while looking
    up; tokens that are not in the vocabulary (or not str) are dropped."""
    cdef fe_vocab v

    def __cinit__(self, vocab_words):
        if fe_vocab_init(&self.v) != FE_OK:
            raise MemoryError("out of memory for the vocabulary")
        _fill_lookup(&self.v, vocab_words)

    def __dealloc__(self):
        fe_vocab_free(&self.v)

    def encode(self, list sentences, n_tokens):
        """Returns (ids uint32 of the known tokens, kept int64: known tokens per sentence)."""
        return self._encode_chunk(_TokenChunk(sentences, n_tokens))

    def encode_documents(self, documents, int64_t max_tokens, int64_t position,
                         tag_index, int64_t first_tag_row, check_document):
        """Encodes TaggedDocuments taken from the iterator ``documents`` until they hold
        ``max_tokens`` tokens or it ends, in one pass: the words to ids as :meth:`encode`
        (tokens that are not str, or not in the vocabulary, are left out), the tags that
        ``tag_index`` knows to rows ``first_tag_row + tag_index[tag]`` (the others are left
        out). A document whose words are a list and whose tags a list of str and
        non-negative int is taken as it is; any other is first handed to
        ``check_document(doc, its position)``, which raises the error that names what is
        wrong (or returns, for another valid shape: tuples, NumPy ints). ``position``: the
        position in the corpus of the first document taken.

        The lookups run with the GIL held, token by token, straight from the documents:
        nothing else runs while a corpus is encoded for training, and gathering the tokens
        first (as :meth:`encode` does, to hash without the GIL) cost more than the hashing.

        Returns (ids uint32, kept int64 per document, tokens read, tag_rows uint32, tags
        int64 per document); no documents taken: kept is empty."""
        cdef list rows = [], n_tags = []
        cdef int64_t n_tokens = 0, before
        cdef bint plain
        cdef _EncodedIds out = _EncodedIds()
        tag_row = tag_index.get
        for doc in documents:
            words = getattr(doc, "words", None)
            tags = getattr(doc, "tags", None)
            plain = type(words) is list and type(tags) is list
            if plain:
                for tag in <list>tags:
                    if not ((type(tag) is int and tag >= 0) or type(tag) is str):
                        plain = False
                        break
            if not plain:
                check_document(doc, position)
                words, tags = doc.words, doc.tags
            before = len(rows)
            for tag in tags:
                row = tag_row(tag)
                if row is not None:
                    rows.append(first_tag_row + row)
            n_tags.append(len(rows) - before)
            n_tokens += out.add(self, words)
            position += 1
            if n_tokens >= max_tokens:
                break
        return (*out.result(), n_tokens,
                np.array(rows, dtype=np.uint32), np.array(n_tags, dtype=np.int64))

    def encode_words(self, documents, int64_t max_tokens, int64_t position, check_sentence):
        """:meth:`encode_documents` for documents to infer: each is a list of words, or a
        TaggedDocument whose words are taken (its tags are not used). A document that is
        not a list is first handed to ``check_sentence(words, its position)``.

        Returns (ids uint32, kept int64 per document, tokens read)."""
        cdef int64_t n_tokens = 0
        cdef _EncodedIds out = _EncodedIds()
        for doc in documents:
            words = doc
            if type(words) is not list:
                if hasattr(doc, "words") and hasattr(doc, "tags"):
                    words = doc.words
                if type(words) is not list:
                    check_sentence(words, position)
            n_tokens += out.add(self, words)
            position += 1
            if n_tokens >= max_tokens:
                break
        return (*out.result(), n_tokens)

    cdef int64_t _lookup(self, words, int64_t length, uint32_t[::1] out, int64_t n) except -1:
        """Writes the ids of the known str tokens of ``words`` (``length`` of them, its len())
        to out[n ..]; returns the new end. ValueError when ``words`` yields another number
        of tokens than its len() (the room in out was made for len())."""
        cdef Py_ssize_t size
        cdef int64_t found, seen = 0
        cdef const char *text
        for token in words:
            seen += 1
            if seen > length:
                break
            if not isinstance(token, str):
                continue
            try:
                text = PyUnicode_AsUTF8AndSize(token, &size)
            except UnicodeEncodeError:
                continue  # a lone surrogate: no vocabulary word has it
            found = fe_vocab_find(&self.v, <const unsigned char *>text, size)
            if found >= 0:
                out[n] = <uint32_t>found
                n += 1
        if seen != length:
            raise ValueError(
                f"a document's words yield {'more' if seen > length else seen} tokens but its "
                f"len() is {length}: a sentence's len() disagrees with what it yields")
        return n

    cdef tuple _encode_chunk(self, _TokenChunk chunk):
        ids = np.empty(chunk.n_tokens, dtype=np.uint32)
        kept = np.zeros(chunk.n_sentences, dtype=np.int64)
        cdef uint32_t[::1] id_view = ids
        cdef int64_t[::1] kept_view = kept
        cdef int64_t s, k = 0, n = 0, found, start
        with nogil:
            for s in range(chunk.n_sentences):
                start = n
                while k < chunk.sentence_end[s]:
                    if chunk.length[k] >= 0:
                        found = fe_vocab_find(&self.v, <const unsigned char *>chunk.ptr[k],
                                              chunk.length[k])
                        if found >= 0:
                            id_view[n] = <uint32_t>found
                            n += 1
                    k += 1
                kept_view[s] = n - start
        return ids[:n], kept


cdef class _EncodedIds:
    """The ids of documents' known tokens, one document after another, in a uint32 buffer
    that grows as needed, and how many each document kept."""
    cdef object ids
    cdef uint32_t[::1] view
    cdef int64_t n
    cdef list kept

    def __cinit__(self):
        self.ids = np.empty(0, dtype=np.uint32)
        self.view = self.ids
        self.n = 0
        self.kept = []

    cdef int64_t add(self, TokenEncoder encoder, words) except -1:
        """Appends the ids of ``words``' known tokens; returns its number of tokens."""
        cdef int64_t length = len(words), before = self.n
        if self.n + length > self.view.shape[0]:
            self.ids = _grown(self.ids, self.n, self.n + length)
            self.view = self.ids
        self.n = encoder._lookup(words, length, self.view, self.n)
        self.kept.append(self.n - before)
        return length

    def result(self):
        """(ids uint32, kept int64 per document)."""
        return self.ids[: self.n], np.array(self.kept, dtype=np.int64)


cdef object _grown(ids, int64_t n, int64_t needed):
    """A larger uint32 array holding ids[:n], with room for at least ``needed`` ids."""
    grown = np.empty(max(2 * ids.shape[0], needed, 1 << 16), dtype=np.uint32)
    grown[:n] = ids[:n]
    return grown


cdef list _decode_words(fe_vocab *v, int64_t first=0):
    # The words from id first on. The C side only keeps well-formed UTF-8 (checked or
    # repaired), so this cannot fail.
    cdef list words = [None] * (v.size - first)
    cdef int64_t i
    for i in range(first, v.size):
        words[i - first] = PyUnicode_DecodeUTF8(<const char *>fe_vocab_bytes(v, i),
                                                fe_vocab_at(v, i).length, NULL)
    return words


cdef void _copy_counts(fe_vocab *v, int64_t[::1] out) noexcept:
    cdef int64_t i
    with nogil:
        for i in range(v.size):
            out[i] = fe_vocab_count(v, i)


cdef void _free_buffer(object capsule) noexcept:
    free(PyCapsule_GetPointer(capsule, NULL))


cdef object _adopt(void **data, int64_t n, int typenum):
    """A 1-d array over a malloc'd buffer, which it takes over (*data becomes NULL) and frees
    when collected: no copy of a possibly huge corpus."""
    cdef cnp.npy_intp dims[1]
    dims[0] = <cnp.npy_intp>n
    if n == 0 or data[0] == NULL:
        free(data[0])
        data[0] = NULL
        return cnp.PyArray_ZEROS(1, dims, typenum, 0)
    capsule = PyCapsule_New(data[0], NULL, _free_buffer)
    cdef void *buf = data[0]
    data[0] = NULL
    arr = cnp.PyArray_SimpleNewFromData(1, dims, typenum, buf)
    cnp.set_array_base(arr, capsule)
    return arr


def encode_file(paths, vocab_words, errors="strict", *, _chunk_size=None):
    """Encodes one or more corpus files as word ids, in C with the GIL released.

    Parameters
    ----------
    paths : str, os.PathLike or list of them
        As for :func:`count_file`.
    vocab_words : list of str
        The vocabulary; the id of a word is its position. Words must be distinct; there may
        be at most 2**32 of them.
    errors : {"strict", "replace", "ignore"}
        As for :func:`count_file` (use the same value, so repaired tokens match).

    Returns
    -------
    ids : numpy.ndarray of uint32
        Ids of the in-vocabulary tokens in file order; other tokens are dropped.
    offsets : numpy.ndarray of int64
        ``n + 1`` entries from 0: sentence ``k`` is ``ids[offsets[k]:offsets[k + 1]]``. Lines
        left without any in-vocabulary token are not emitted.
    raw_tokens : int
        Every token read, in the vocabulary or not.
    """
    cdef list pending = []
    cdef fe_read_options opt
    _options(&opt, errors, _chunk_size, pending)
    names, encoded_paths = _check_paths(paths)
    cdef _PathArray arr = _PathArray(encoded_paths)

    cdef fe_vocab v
    cdef fe_encoded out
    cdef fe_corpus_stats stats
    cdef fe_status st
    cdef int rc = FE_OK
    if fe_vocab_init(&v) != FE_OK:
        raise MemoryError("out of memory for the vocabulary")
    fe_encoded_init(&out)
    try:
        _fill_lookup(&v, vocab_words)
        with nogil:
            rc = fe_encode_files(&v, arr.ptrs, arr.n, &opt, &out, &stats, &st)
            if rc == FE_OK:
                fe_encoded_shrink(&out)
        if rc != FE_OK:
            _raise(&st, names, pending)
        _warn_repaired(&stats, names, errors)
        # The arrays take over the C buffers (no copy of a possibly huge corpus).
        ids = _adopt(<void **>&out.ids, out.n_ids, cnp.NPY_UINT32)
        offsets = _adopt(<void **>&out.offsets, out.n_sentences + 1, cnp.NPY_INT64)
    finally:
        fe_encoded_free(&out)
        fe_vocab_free(&v)
    return ids, offsets, int(stats.total_tokens)


def gather(list keys, positions):
    """[keys[i] for i in positions] in one C loop: positions is a 1-D int64 array (from NumPy,
    e.g. the kept words of a scan), read without a Python int per position; each is checked
    to lie in ``keys`` (IndexError names the first one that does not)."""
    cdef const int64_t[::1] pos = np.ascontiguousarray(positions, dtype=np.int64)
    cdef Py_ssize_t n = pos.shape[0], size = len(keys), i
    cdef int64_t p
    cdef list out = [None] * n
    for i in range(n):
        p = pos[i]
        if p < 0 or p >= size:
            raise IndexError(f"position {p} is outside the {size} keys")
        out[i] = keys[p]
    return out


def lookup(keys, index):
    """``[index.get(k, -1) for k in keys]`` as an int64 array, in one C loop: each value of
    ``index`` (a mapping to ints, e.g. a vocabulary's key_to_index) is written straight into
    the array, without a generator step per key (a 68,000-word scan: 3 ms against 10 ms)."""
    cdef list key_list = keys if type(keys) is list else list(keys)
    cdef Py_ssize_t n = len(key_list), i
    out_arr = np.empty(n, dtype=np.int64)
    cdef int64_t[::1] out = out_arr
    cdef dict table
    cdef object value
    if type(index) is dict:
        table = index
        for i in range(n):
            value = table.get(key_list[i])
            out[i] = -1 if value is None else value
    else:
        for i in range(n):
            out[i] = index.get(key_list[i], -1)
    return out_arr
