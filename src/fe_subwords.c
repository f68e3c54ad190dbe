/* fe_subwords.c — fastText's character n-gram hashing; see fe_subwords.h. */
#include "fe_subwords.h"

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

void fe_subword_means(const float *vocab, const float *ngrams, int64_t n_words, int64_t dim,
                      const int64_t *offsets, const uint32_t *rows, float *out)
{
    for (int64_t w = 0; w < n_words; w++) {
        float *mean = out + w * dim;
        for (int64_t d = 0; d < dim; d++) mean[d] = 0.0f;
        for (int64_t k = offsets[w]; k < offsets[w + 1]; k++) {
            int64_t r = rows[k];
            const float *row = r < n_words ? vocab + r * dim : ngrams + (r - n_words) * dim;
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
