/* C-level tests of fastText's n-gram hashing (src/fe_subwords.c), built with sanitizers by
 * tests/c/Makefile: the hash on published FNV-1a vectors and on non-ASCII bytes (where
 * fastText's sign extension departs from textbook FNV-1a), the n-grams of short words against
 * hand-listed strings, truncation at cap, the vocabulary table's layout, the means of its rows,
 * and the order of the rows in FastText's compact copy.
 *
 * Usage: test_subwords [SCRATCH_DIR]   (the directory is unused; accepted like every C test) */
#include "fe_subwords.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

#define BIG_BUCKET 4000000000u

static uint32_t hash_of(const char *s) { return fe_ft_hash(s, (int64_t)strlen(s)); }

/* The buckets of word must be, in order, those of the listed n-gram strings. */
static void check_ngrams(const char *word, int32_t minn, int32_t maxn, const char *const *expected,
                         int64_t n_expected)
{
    uint32_t out[64];
    int64_t n = fe_word_ngrams(word, (int64_t)strlen(word), minn, maxn, BIG_BUCKET, out, 64);
    if (!CHECK_EQ(n, n_expected)) {
        fprintf(stderr, "  (word \"%s\", minn %d, maxn %d)\n", word, minn, maxn);
        return;
    }
    for (int64_t k = 0; k < n; k++) CHECK_EQ(out[k], hash_of(expected[k]) % BIG_BUCKET);
}

static void test_hash(void)
{
    /* FNV-1a 32-bit reference values for ASCII, where sign extension changes nothing. */
    CHECK_EQ(hash_of(""), 2166136261u);
    CHECK_EQ(hash_of("a"), 0xe40c292cu);
    CHECK_EQ(hash_of("foobar"), 0xbf9cf968u);
    /* Non-ASCII: values computed by gensim's ft_hash_bytes, a port of fastText's hash. */
    CHECK_EQ(hash_of("\xc3\xa9"), 1023043777u);       /* "é" */
    CHECK_EQ(hash_of("<\xe7\x8c\xab>"), 3691757861u); /* "<猫>" */
    /* Textbook FNV-1a (no sign extension) of "é" would differ: */
    uint32_t plain = 2166136261u;
    plain = (plain ^ 0xc3u) * 16777619u;
    plain = (plain ^ 0xa9u) * 16777619u;
    CHECK(plain != hash_of("\xc3\xa9"));
}

static void test_ngrams(void)
{
    const char *ab[] = {"<a", "<ab", "a", "ab", "ab>", "b", "b>"};
    check_ngrams("ab", 1, 3, ab, 7);
    const char *ab_3[] = {"<ab", "<ab>", "ab>"};
    check_ngrams("ab", 3, 6, ab_3, 3);
    const char *e_acute[] = {"<\xc3\xa9", "\xc3\xa9", "\xc3\xa9>"};
    check_ngrams("\xc3\xa9", 1, 2, e_acute, 3);
    const char *empty[] = {"<>"};
    check_ngrams("", 1, 6, empty, 1);
    /* minn 0 acts as 1, as in fastText. */
    check_ngrams("ab", 0, 3, ab, 7);
    /* maxn below minn, maxn 0, or bucket 0: no n-grams. */
    check_ngrams("abc", 3, 2, NULL, 0);
    check_ngrams("abc", 3, 0, NULL, 0);
    uint32_t out[4];
    CHECK_EQ(fe_word_ngrams("abc", 3, 3, 6, 0, out, 4), 0);
}

static void test_cap(void)
{
    uint32_t out[8] = {0};
    uint32_t full[16];
    int64_t n_full = fe_word_ngrams("where", 5, 3, 6, 1000, full, 16);
    CHECK_EQ(n_full, 4 + 4 + 3 + 2 + 1); /* by start: <whe.. where.. her.. ere.. re> */
    for (int k = 0; k < 8; k++) out[k] = 0xdeadbeefu;
    CHECK_EQ(fe_word_ngrams("where", 5, 3, 6, 1000, out, 3), n_full);
    for (int k = 0; k < 3; k++) CHECK_EQ(out[k], full[k]);
    CHECK_EQ(out[3], 0xdeadbeefu); /* nothing past cap */
    CHECK_EQ(fe_word_ngrams("where", 5, 3, 6, 1000, NULL, 0), n_full);
}

static void test_table(void)
{
    /* "a", "</s>", "bc", "" concatenated. */
    const char bytes[] = "a</s>bc";
    const int64_t starts[] = {0, 1, 5, 7, 7};
    const uint32_t bucket = 10;
    int64_t offsets[5];
    int64_t total = fe_subword_offsets(bytes, starts, 4, 1, 3, bucket, offsets);
    /* "a": <a <a> a a> (4); "</s>": none; "bc": <b <bc b bc bc> c c> (7); "": <> (1). */
    CHECK_EQ(offsets[0], 0);
    CHECK_EQ(offsets[1], 5);
    CHECK_EQ(offsets[2], 6);
    CHECK_EQ(offsets[3], 14);
    CHECK_EQ(offsets[4], 16);
    if (!CHECK_EQ(total, 16)) return; /* rows below holds 16 */
    uint32_t rows[16];
    fe_subword_rows(bytes, starts, 4, 1, 3, bucket, offsets, rows);
    for (int64_t w = 0; w < 4; w++) {
        CHECK_EQ(rows[offsets[w]], w);
        uint32_t ngrams[16];
        int64_t n =
            fe_word_ngrams(bytes + starts[w], starts[w + 1] - starts[w], 1, 3, bucket, ngrams, 16);
        if (w == 1) n = 0;
        CHECK_EQ(offsets[w + 1] - offsets[w], 1 + n);
        for (int64_t k = 0; k < n; k++) CHECK_EQ(rows[offsets[w] + 1 + k], 4 + ngrams[k]);
    }
    /* maxn 0: own rows only. */
    total = fe_subword_offsets(bytes, starts, 4, 3, 0, bucket, offsets);
    CHECK_EQ(total, 4);
    fe_subword_rows(bytes, starts, 4, 3, 0, bucket, offsets, rows);
    for (int64_t w = 0; w < 4; w++) CHECK_EQ(rows[w], w);
}

static void test_means(void)
{
    /* 2 words, dim 2; n-gram rows after them: word 0 = rows {0, 2, 3}, word 1 = {1}. */
    const float vocab[] = {1, 2, 10, 20};
    const float ngrams[] = {4, 8, 7, -2};
    const int64_t offsets[] = {0, 3, 4};
    const uint32_t rows[] = {0, 2, 3, 1};
    float out[4] = {-1, -1, -1, -1};
    fe_subword_means(vocab, ngrams, 2, 2, offsets, rows, out);
    CHECK(out[0] == 4.0f && out[1] == 8.0f / 3.0f); /* (1+4+7)/3, (2+8-2)/3 */
    CHECK(out[2] == 10.0f && out[3] == 20.0f);      /* own row only: itself */
}

static void test_training_rows(void)
{
    /* 5 words, 5 bucket rows (5..9): word 0 lists 9 twice and 7, word 2 lists 7 twice and 5,
     * word 3 lists 8, word 4 lists 7; word 1 has no n-grams. */
    const int64_t offsets[] = {0, 4, 5, 9, 11, 13};
    const uint32_t rows[] = {0, 9, 7, 9, 1, 2, 7, 5, 7, 3, 8, 4, 7};
    const double expected[] = {1.0, 5.0, 2.0, 0.5, 2.0};
    uint32_t slot[5] = {0};
    double use[8] = {0};
    int64_t heap[2], order[13];
    uint32_t remapped[13];
    /* by first word, a word's new rows by id */
    int64_t n = fe_training_rows(5, offsets, rows, NULL, 0, slot, use, heap, order, NULL);
    CHECK_EQ(n, 9);
    const int64_t by_first_word[] = {0, 1, 2, 3, 4, 7, 9, 5, 8};
    for (int64_t i = 0; i < 9; i++) CHECK_EQ(order[i], by_first_word[i]);
    /* uses 7: 7.0, 9: 2.0, 5: 2.0, 8: 0.5; the tie of 9 and 5 goes to the lower row */
    memset(slot, 0, sizeof slot);
    n = fe_training_rows(5, offsets, rows, expected, 2, slot, use, heap, order, remapped);
    CHECK_EQ(n, 9);
    const int64_t hot_first[] = {0, 1, 2, 3, 4, 7, 5, 9, 8};
    for (int64_t i = 0; i < 9; i++) CHECK_EQ(order[i], hot_first[i]);
    /* every row of the table as its position in that order */
    for (int64_t k = 0; k < 13; k++) CHECK_EQ(hot_first[remapped[k]], rows[k]);
}

int main(void)
{
    test_hash();
    test_ngrams();
    test_cap();
    test_table();
    test_means();
    test_training_rows();
    printf("test_subwords: %d checks, %d failed\n", n_checks, n_failed);
    return n_failed != 0;
}
