/* fe_subwords.c — fastText's character n-gram hashing; see fe_subwords.h. */
#include "fe_subwords.h"

#include <stdlib.h>
#include <string.h>

#define FE_FNV_OFFSET 2166136261u
#define FE_FNV_PRIME 16777619u

/* One FNV-1a step with the byte sign-extended first, as fastText's hash does (it reads the
 * bytes as signed char). Spelled out rather than cast through int8_t, whose conversion from
 * values above 127 C leaves to the implementation. */
static inline uint32_t hash_byte(uint32_t h, unsigned char b)
{
    uint32_t extended = b >= 0x80 ? (uint32_t)b | 0xFFFFFF00u : (uint32_t)b;
    return (h ^ extended) * FE_FNV_PRIME;
}

static inline int continues_character(unsigned char b) { return (b & 0xC0) == 0x80; }

/* Byte p of "<" + word + ">", read in place so that no bracketed copy is ever made. */
static inline unsigned char bracketed_byte(const char *word, int64_t len, int64_t p)
{
    if (p == 0) return '<';
    if (p == len + 1) return '>';
    return (unsigned char)word[p - 1];
}

uint32_t fe_ft_hash(const char *bytes, int64_t len)
{
    uint32_t h = FE_FNV_OFFSET;
    for (int64_t i = 0; i < len; i++) h = hash_byte(h, (unsigned char)bytes[i]);
    return h;
}

int64_t fe_word_ngrams(const char *word, int64_t len, int32_t minn, int32_t maxn, uint32_t bucket,
                       uint32_t *out, int64_t cap)
{
    const int64_t total = len + 2;
    int64_t count = 0;
    /* fastText compares n >= minn with n starting at 1, so minn 0 acts as 1. */
    if (minn < 1) minn = 1;
    if (maxn < minn || bucket == 0) return 0;
    for (int64_t start = 0; start < total; start++) {
        if (continues_character(bracketed_byte(word, len, start))) continue;
        /* FNV-1a is a running hash: extending the n-gram by one character extends the hash
         * of the shorter one, so each start position costs one pass over maxn characters. */
        uint32_t h = FE_FNV_OFFSET;
        int64_t end = start;
        for (int32_t n = 1; n <= maxn && end < total; n++) {
            do {
                h = hash_byte(h, bracketed_byte(word, len, end));
                end++;
            } while (end < total && continues_character(bracketed_byte(word, len, end)));
            int lone_bracket = n == 1 && (start == 0 || end == total);
            if (n >= minn && !lone_bracket) {
                if (count < cap) out[count] = h % bucket;
                count++;
            }
        }
    }
    return count;
}

/* fastText's end-of-line token, which gets no n-grams. */
static int is_end_of_line(const char *word, int64_t len)
{
    return len == 4 && memcmp(word, "</s>", 4) == 0;
}

static int64_t ngrams_of(const char *bytes, const int64_t *word_starts, int64_t w, int32_t minn,
                         int32_t maxn, uint32_t bucket, uint32_t *out, int64_t cap)
{
    const char *word = bytes + word_starts[w];
    int64_t len = word_starts[w + 1] - word_starts[w];
    if (is_end_of_line(word, len)) return 0;
    return fe_word_ngrams(word, len, minn, maxn, bucket, out, cap);
}

int64_t fe_subword_offsets(const char *bytes, const int64_t *word_starts, int64_t n_words,
                           int32_t minn, int32_t maxn, uint32_t bucket, int64_t *offsets)
{
    offsets[0] = 0;
    for (int64_t w = 0; w < n_words; w++) {
        int64_t n = ngrams_of(bytes, word_starts, w, minn, maxn, bucket, NULL, 0);
        offsets[w + 1] = offsets[w] + 1 + n;
    }
    return offsets[n_words];
}

void fe_subword_rows(const char *bytes, const int64_t *word_starts, int64_t n_words, int32_t minn,
                     int32_t maxn, uint32_t bucket, const int64_t *offsets, uint32_t *rows)
{
    for (int64_t w = 0; w < n_words; w++) {
        uint32_t *own = rows + offsets[w];
        int64_t cap = offsets[w + 1] - offsets[w] - 1;
        own[0] = (uint32_t)w;
        int64_t n = ngrams_of(bytes, word_starts, w, minn, maxn, bucket, own + 1, cap);
        if (n > cap) n = cap;
        for (int64_t k = 1; k <= n; k++) own[k] += (uint32_t)n_words;
    }
}

/* Row r of the means' input: a word's own row or an n-gram row. */
static inline const float *mean_input_row(const float *vocab, const float *ngrams, int64_t n_words,
                                          int64_t dim, int64_t r)
{
    return r < n_words ? vocab + r * dim : ngrams + (r - n_words) * dim;
}

/* How many listings ahead fe_subword_means asks for the row it will add: the rows lie
 * scattered over a matrix far larger than the caches, and waiting for each in turn cost
 * more than the additions. */
#define FE_MEANS_LOOKAHEAD 4

static inline void prefetch_row(const float *row, int64_t dim)
{
#if defined(__GNUC__) || defined(__clang__)
    for (int64_t d = 0; d < dim; d += 16) __builtin_prefetch(row + d);
    if (dim > 0) __builtin_prefetch(row + dim - 1); /* a row need not start a cache line */
#else
    (void)row;
    (void)dim;
#endif
}

void fe_subword_means(const float *vocab, const float *ngrams, int64_t n_words, int64_t dim,
                      const int64_t *offsets, const uint32_t *rows, float *out)
{
    const int64_t n_rows = n_words ? offsets[n_words] : 0;
    for (int64_t w = 0; w < n_words; w++) {
        float *mean = out + w * dim;
        for (int64_t d = 0; d < dim; d++) mean[d] = 0.0f;
        for (int64_t k = offsets[w]; k < offsets[w + 1]; k++) {
            if (k + FE_MEANS_LOOKAHEAD < n_rows)
                prefetch_row(
                    mean_input_row(vocab, ngrams, n_words, dim, rows[k + FE_MEANS_LOOKAHEAD]), dim);
            const float *row = mean_input_row(vocab, ngrams, n_words, dim, rows[k]);
            for (int64_t d = 0; d < dim; d++) mean[d] += row[d];
        }
        int64_t count = offsets[w + 1] - offsets[w];
        if (count > 1) {
            /* divide (not multiply by the reciprocal): the same rounding as gensim */
            float n = (float)count;
            for (int64_t d = 0; d < dim; d++) mean[d] /= n;
        }
    }
}

static int compare_rows(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts a word's new rows: most words have a few dozen, where insertion sort beats qsort's
 * call per comparison. */
static void sort_rows(int64_t *v, int64_t n)
{
    if (n > 64) {
        qsort(v, (size_t)n, sizeof(int64_t), compare_rows);
        return;
    }
    for (int64_t i = 1; i < n; i++) {
        int64_t x = v[i], j = i;
        for (; j > 0 && v[j - 1] > x; j--) v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Whether position a of the first-seen order ranks below position b among the most used:
 * less use, or the same use and a higher row. */
static inline int ranks_below(const double *use, const int64_t *listed, int64_t a, int64_t b)
{
    return use[a] < use[b] || (use[a] == use[b] && listed[a] > listed[b]);
}

/* Restores the heap (the lowest-ranked position at the root) below node i of n. */
static void sift_down(int64_t *heap, int64_t n, int64_t i, const double *use, const int64_t *listed)
{
    for (;;) {
        int64_t low = i, left = 2 * i + 1, right = left + 1;
        if (left < n && ranks_below(use, listed, heap[left], heap[low])) low = left;
        if (right < n && ranks_below(use, listed, heap[right], heap[low])) low = right;
        if (low == i) return;
        int64_t t = heap[i];
        heap[i] = heap[low];
        heap[low] = t;
        i = low;
    }
}

/* The `hot` best-ranked positions of n, best first, into heap (hot <= n): a heap of the best
 * so far whose root is the weakest, then emptied weakest first from the back. */
static void select_most_used(const double *use, const int64_t *listed, int64_t n, int64_t hot,
                             int64_t *heap)
{
    for (int64_t p = 0; p < n; p++) {
        if (p < hot) {
            heap[p] = p;
            /* sift up */
            for (int64_t i = p; i > 0 && ranks_below(use, listed, heap[i], heap[(i - 1) / 2]);
                 i = (i - 1) / 2) {
                int64_t t = heap[i];
                heap[i] = heap[(i - 1) / 2];
                heap[(i - 1) / 2] = t;
            }
        } else if (ranks_below(use, listed, heap[0], p)) {
            heap[0] = p;
            sift_down(heap, hot, 0, use, listed);
        }
    }
    for (int64_t n_left = hot; n_left > 1; n_left--) {
        int64_t weakest = heap[0];
        heap[0] = heap[n_left - 1];
        heap[n_left - 1] = weakest;
        sift_down(heap, n_left - 1, 0, use, listed);
    }
}

/* Puts the hot most used of the n_listed rows (in first-seen order, slot[row - n_words] =
 * position + 1) first, most used first, the others behind them in their order. */
static void move_most_used_first(int64_t n_words, const int64_t *offsets, const uint32_t *rows,
                                 const double *expected, int64_t hot, uint32_t *slot, double *use,
                                 int64_t *heap, int64_t *listed, int64_t n_listed)
{
    /* in table order, as numpy's bincount adds: the same sums to the last bit */
    for (int64_t w = 0; w < n_words; w++)
        for (int64_t k = offsets[w]; k < offsets[w + 1]; k++)
            if (rows[k] >= n_words) use[slot[rows[k] - n_words] - 1] += expected[w];
    select_most_used(use, listed, n_listed, hot, heap);
    /* the hot positions' rows first; the others keep their order behind them (moved from the
     * back, so that no row is overwritten before it is read) */
    for (int64_t i = 0; i < hot; i++) {
        heap[i] = listed[heap[i]];
        slot[heap[i] - n_words] = 0; /* marks it hot */
    }
    int64_t to = n_listed;
    for (int64_t p = n_listed - 1; p >= 0; p--)
        if (slot[listed[p] - n_words]) listed[--to] = listed[p];
    for (int64_t i = 0; i < hot; i++) listed[i] = heap[i];
}

int64_t fe_training_rows(int64_t n_words, const int64_t *offsets, const uint32_t *rows,
                         const double *expected, int64_t hot, uint32_t *slot, double *use,
                         int64_t *heap, int64_t *order, uint32_t *remapped)
{
    for (int64_t w = 0; w < n_words; w++) order[w] = w;
    /* listed[p]: the row at position p of the first-seen order; slot[row - n_words] = p + 1 */
    int64_t *listed = order + n_words, n_listed = 0;
    for (int64_t w = 0; w < n_words; w++) {
        int64_t first_new = n_listed;
        for (int64_t k = offsets[w]; k < offsets[w + 1]; k++) {
            int64_t r = rows[k];
            if (r < n_words || slot[r - n_words]) continue;
            listed[n_listed++] = r;
            slot[r - n_words] = 1; /* seen; its position is set once the word's are sorted */
        }
        int64_t n_new = n_listed - first_new;
        sort_rows(listed + first_new, n_new);
        for (int64_t p = first_new; p < n_listed; p++) slot[listed[p] - n_words] = (uint32_t)p + 1;
    }
    if (hot > n_listed) hot = n_listed;
    if (hot > 0)
        move_most_used_first(n_words, offsets, rows, expected, hot, slot, use, heap, listed,
                             n_listed);
    if (remapped) {
        for (int64_t p = 0; p < n_listed; p++) slot[listed[p] - n_words] = (uint32_t)p;
        for (int64_t k = 0; k < offsets[n_words]; k++) {
            int64_t r = rows[k];
            remapped[k] = r < n_words ? (uint32_t)r : (uint32_t)(n_words + slot[r - n_words]);
        }
    }
    return n_words + n_listed;
}
