# cython: language_level=3
"""Thin driver between FastText and fastText's n-gram hashing in C (src/fe_subwords.h).

Checks every argument once, encodes words to UTF-8, and releases the GIL while the whole
vocabulary's subword table is built. The rules (which n-grams, in which order, which hash)
are described in src/fe_subwords.h.
"""
import numpy as np

from libc.stdint cimport int32_t, int64_t, uint32_t


cdef extern from "fe_subwords.h" nogil:
    uint32_t fe_ft_hash(const char *bytes, int64_t len)
    int64_t fe_word_ngrams(const char *word, int64_t len, int32_t minn, int32_t maxn,
                           uint32_t bucket, uint32_t *out, int64_t cap)
    int64_t fe_subword_offsets(const char *bytes, const int64_t *word_starts, int64_t n_words,
                               int32_t minn, int32_t maxn, uint32_t bucket, int64_t *offsets)
    void fe_subword_rows(const char *bytes, const int64_t *word_starts, int64_t n_words,
                         int32_t minn, int32_t maxn, uint32_t bucket, const int64_t *offsets,
                         uint32_t *rows)
    void fe_subword_means(const float *vocab, const float *ngrams, int64_t n_words,
                          int64_t dim, const int64_t *offsets, const uint32_t *rows, float *out)
    int64_t fe_training_rows(int64_t n_words, const int64_t *offsets, const uint32_t *rows,
                             const double *expected, int64_t hot, uint32_t *slot, double *use,
                             int64_t *heap, int64_t *order, uint32_t *remapped)


# Row ids are uint32: the words' own rows and the bucket rows together must fit below 2**32.
ROW_LIMIT = 2**32
# maxn is an int32 in C; any word is far shorter than this in characters anyway.
_MAX_N_LIMIT = 2**31 - 1


def _int_arg(value, str name):
    """An integer argument (bool and float refused: a typo there is a bug, not a length)."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return value.__index__()


def check_params(min_n, max_n, bucket):
    """Validated (min_n, max_n, bucket) as plain ints; ValueError/TypeError naming the bad one."""
    min_n = _int_arg(min_n, "min_n")
    max_n = _int_arg(max_n, "max_n")
    bucket = _int_arg(bucket, "bucket")
    if not 1 <= min_n <= _MAX_N_LIMIT:
        raise ValueError(f"min_n must be >= 1, got {min_n}")
    if not 0 <= max_n <= _MAX_N_LIMIT:
        raise ValueError(f"max_n must be >= 0 (0: no n-grams), got {max_n}")
    if max_n > 0 and min_n > max_n:
        raise ValueError(f"min_n ({min_n}) must not exceed max_n ({max_n})")
    if not 0 <= bucket < ROW_LIMIT:
        raise ValueError(f"bucket must be in [0, 2**32), got {bucket}")
    return min_n, max_n, bucket


cdef bytes _word_bytes(object word, str what):
    if not isinstance(word, str):
        raise TypeError(f"{what} must be a str, not {type(word).__name__}")
    try:
        return (<str>word).encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate has no UTF-8 form, so no fastText model could hold this word.
        raise ValueError(f"{what} {word!r} is not valid Unicode text (it holds a lone "
                         "surrogate) and has no UTF-8 bytes to hash") from None


def ft_hash(word):
    """fastText's 32-bit hash of a str (its UTF-8 bytes) or of bytes."""
    cdef bytes data
    if isinstance(word, bytes):
        data = word
    else:
        data = _word_bytes(word, "word")
    return fe_ft_hash(data, len(data))


def ngram_buckets(word, min_n, max_n, bucket):
    """The n-gram buckets (hash % bucket) of word, in fastText's order, as uint32.

    Empty when max_n == 0 or bucket == 0. Not offset by the vocabulary size.
    """
    cdef int32_t minn, maxn
    cdef uint32_t nb
    minn, maxn, nb = check_params(min_n, max_n, bucket)
    cdef bytes data = _word_bytes(word, "word")
    cdef int64_t n = fe_word_ngrams(data, len(data), minn, maxn, nb, NULL, 0)
    out = np.empty(n, dtype=np.uint32)
    cdef uint32_t[::1] view = out
    if n:
        fe_word_ngrams(data, len(data), minn, maxn, nb, &view[0], n)
    return out


def subword_table(words, min_n, max_n, bucket):
    """The CSR subword rows of a vocabulary: (offsets int64[V + 1], rows uint32[offsets[V]]).

    Word w's rows are rows[offsets[w]:offsets[w + 1]]: w itself, then V + the bucket of each
    of its n-grams in fastText's order. "</s>" gets no n-grams; with max_n == 0 or
    bucket == 0 no word does.
    """
    cdef int32_t minn, maxn
    cdef uint32_t nb
    minn, maxn, nb = check_params(min_n, max_n, bucket)
    encoded = [_word_bytes(word, f"word {i}") for i, word in enumerate(words)]
    cdef int64_t n_words = len(encoded)
    if n_words + <int64_t>nb >= ROW_LIMIT:
        raise ValueError(f"{n_words} words + {nb} buckets = {n_words + nb} rows; row ids are "
                         f"32-bit, so they must stay below 2**32")
    # One block of bytes owned here (nothing else sees it) that C reads without the GIL.
    cdef bytes joined = b"".join(encoded)
    starts_arr = np.zeros(n_words + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=starts_arr[1:])
    offsets_arr = np.empty(n_words + 1, dtype=np.int64)
    cdef const int64_t[::1] starts = starts_arr
    cdef int64_t[::1] offsets = offsets_arr
    cdef const char *data = joined
    cdef int64_t total
    with nogil:
        total = fe_subword_offsets(data, &starts[0], n_words, minn, maxn, nb, &offsets[0])
    rows_arr = np.empty(total, dtype=np.uint32)
    cdef uint32_t[::1] rows = rows_arr
    if total:
        with nogil:
            fe_subword_rows(data, &starts[0], n_words, minn, maxn, nb, &offsets[0], &rows[0])
    return offsets_arr, rows_arr


def _check_array(arr, str name, dtype, int ndim):
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, not {type(arr).__name__}")
    if arr.dtype != dtype or arr.ndim != ndim or not arr.flags.c_contiguous:
        raise ValueError(f"{name} must be a C-contiguous {ndim}-D {np.dtype(dtype).name} "
                         f"array; got {arr.ndim}-D {arr.dtype}")


cdef _check_table(const int64_t[::1] offsets, const uint32_t[::1] rows, int64_t n_words,
                  int64_t limit):
    """ValueError unless offsets rise from 0 to len(rows) over n_words words and every row id
    is below limit."""
    cdef int64_t n_rows = rows.shape[0], w, k, bad = -1
    if offsets.shape[0] != n_words + 1 or offsets[0] != 0 or offsets[n_words] != n_rows:
        raise ValueError(f"offsets must hold {n_words + 1} entries from 0 to len(rows)={n_rows}")
    with nogil:
        for w in range(n_words):
            if offsets[w + 1] < offsets[w]:
                bad = w
                break
    if bad >= 0:
        raise ValueError(f"offsets decrease at word {bad}")
    with nogil:
        for k in range(n_rows):
            if rows[k] >= limit:
                bad = k
                break
    if bad >= 0:
        raise ValueError(f"row id {rows[bad]} at position {bad} is not below {limit}")


def subword_means(vocab_in, ngrams_in, offsets_in, rows_in):
    """The mean of each word's rows of a subword table (see :func:`subword_table`), as a new
    float32 ``(V, dim)`` array: row ids below V are rows of ``vocab_in``, the others rows of
    ``ngrams_in`` (both float32, C-contiguous). Every array is checked; the sums run without
    the GIL."""
    _check_array(vocab_in, "vocab", np.float32, 2)
    _check_array(ngrams_in, "ngrams", np.float32, 2)
    _check_array(offsets_in, "offsets", np.int64, 1)
    _check_array(rows_in, "rows", np.uint32, 1)
    cdef const float[:, ::1] vocab = vocab_in
    cdef const float[:, ::1] ngrams = ngrams_in
    cdef const int64_t[::1] offsets = offsets_in
    cdef const uint32_t[::1] rows = rows_in
    cdef int64_t n_words = vocab.shape[0], dim = vocab.shape[1], n_rows = rows.shape[0]
    if ngrams.shape[1] != dim:
        raise ValueError(f"the n-gram rows have {ngrams.shape[1]} columns, the words' {dim}")
    _check_table(offsets, rows, n_words, n_words + ngrams.shape[0])
    out_arr = np.zeros((n_words, dim), dtype=np.float32)
    if n_words == 0 or dim == 0:
        return out_arr
    cdef float[:, ::1] out = out_arr
    cdef const float *ngram_ptr = &ngrams[0, 0] if ngrams.shape[0] else NULL
    cdef const uint32_t *rows_ptr = &rows[0] if n_rows else NULL
    with nogil:
        fe_subword_means(&vocab[0, 0], ngram_ptr, n_words, dim, &offsets[0], rows_ptr, &out[0, 0])
    return out_arr


def training_rows(offsets_in, rows_in, n_buckets, expected_in=None, hot=0, remap=False):
    """The rows of FastText's compact copy in its order (``FastText._training_rows``), int64:
    the words' own rows ``0 .. V-1``; then the ``hot`` most used bucket rows, most used first
    (equal uses: lower row first), a row's use being the sum of ``expected[w]`` over the words
    listing it (twice if listed twice); then every other row some word lists, by the first
    word listing it, a word's new rows by id. ``offsets``/``rows`` is a subword table (see
    :func:`subword_table`) over ``V = len(offsets) - 1`` words and ``n_buckets`` bucket rows;
    ``expected`` (float64, one per word) is needed when ``hot > 0``. With ``remap``, returns
    ``(order, remapped)``: ``remapped`` (uint32) is the table's rows as positions in ``order``
    (the subword table of the compact copy). A pass or two over the table without the GIL,
    instead of passes over every one of the ``n_buckets`` rows."""
    _check_array(offsets_in, "offsets", np.int64, 1)
    _check_array(rows_in, "rows", np.uint32, 1)
    cdef int64_t n_words = len(offsets_in) - 1, n_rows = len(rows_in)
    cdef int64_t buckets = _int_arg(n_buckets, "n_buckets"), want_hot = _int_arg(hot, "hot")
    if n_words < 0:
        raise ValueError("offsets must hold at least one entry")
    if not 0 <= buckets or n_words + buckets >= ROW_LIMIT:
        raise ValueError(f"n_buckets must be >= 0 with {n_words} words + n_buckets < 2**32; "
                         f"got {buckets}")
    if want_hot < 0:
        raise ValueError(f"hot must be >= 0, got {want_hot}")
    cdef const int64_t[::1] offsets = offsets_in
    cdef const uint32_t[::1] rows = rows_in
    _check_table(offsets, rows, n_words, n_words + buckets)
    # at most every bucket, and at most every listing that is not a word's own row
    cdef int64_t cap = min(buckets, max(n_rows - n_words, 0))
    want_hot = min(want_hot, cap)
    if want_hot:
        if expected_in is None:
            raise ValueError("expected (one use per word) is needed when hot > 0")
        _check_array(expected_in, "expected", np.float64, 1)
        if len(expected_in) != n_words:
            raise ValueError(f"expected must hold one value per word ({n_words}); "
                             f"got {len(expected_in)}")
    else:
        expected_in = np.zeros(1, np.float64)
    cdef const double[::1] expected = expected_in
    # np.zeros of a large array is memory the OS zeroes a page at a time where it is used
    cdef uint32_t[::1] slot = np.zeros(max(buckets, 1), dtype=np.uint32)
    cdef double[::1] use = np.zeros(max(cap, 1) if want_hot else 1, dtype=np.float64)
    cdef int64_t[::1] heap = np.zeros(max(want_hot, 1), dtype=np.int64)
    order_arr = np.empty(n_words + cap, dtype=np.int64)
    cdef int64_t[::1] order = order_arr
    remapped_arr = np.empty(max(n_rows, 1) if remap else 1, dtype=np.uint32)
    cdef uint32_t[::1] remapped = remapped_arr
    cdef uint32_t *remapped_ptr = &remapped[0] if remap else NULL
    cdef int64_t n = 0
    if len(order_arr):
        with nogil:
            n = fe_training_rows(n_words, &offsets[0], &rows[0] if n_rows else NULL,
                                 &expected[0], want_hot, &slot[0], &use[0], &heap[0],
                                 &order[0], remapped_ptr)
    if remap:
        return order_arr[:n], remapped_arr[:n_rows]
    return order_arr[:n]
