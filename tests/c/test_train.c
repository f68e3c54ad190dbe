/* C-level tests of the training kernel (src/fe_train.c, fe_sample.c, fe_simd.c and the
 * compiled sets of updates), built with sanitizers by tests/c/Makefile:
 *
 *   make -C tests/c          AddressSanitizer + UBSan: every test below
 *   make -C tests/c tsan     ThreadSanitizer: the same tests, including two threads training
 *                            the same weights; the Hogwild races on weight rows are suppressed
 *                            by function name in tsan.supp, nothing else is.
 *
 * Usage: test_train [SCRATCH_DIR]   (the directory is unused; accepted like every C test)
 * Prints one line per failed check and a last line "N passed, M failed" (N counts tests).
 */
#define _GNU_SOURCE
#include "fe_atomic.h"
#include "fe_sample.h"
#include "fe_simd.h"
#include "fe_train.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#if defined(__SANITIZE_THREAD__)
#define FE_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FE_TEST_TSAN 1
#endif
#endif

#include "check.h"

static int n_tests, n_tests_failed;


static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void run(const char *name, void (*fn)(void))
{
    int before = n_failed;
    double t0 = now();
    fn();
    printf("  %-40s %.2fs\n", name, now() - t0);
    fflush(stdout);
    n_tests++;
    if (n_failed != before) {
        n_tests_failed++;
        fprintf(stderr, "FAILED: %s\n", name);
    }
}

#define RUN(fn) run(#fn, fn)

/* ---- fixtures ------------------------------------------------------------------------- */

typedef struct model {
    int64_t vocab, dim;
    float *w_in, *w_out, *w_hs;
    int64_t *count;
    uint64_t *alias;
    int64_t *hs_offset;
    uint8_t *hs_code;
    uint32_t *hs_point;
    uint32_t *keep;
} model;

static uint64_t lcg_state = 12345;

static uint32_t lcg(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(lcg_state >> 33);
}

/* A model with Zipf-like counts, uniform(-0.5, 0.5)/dim input rows and small output rows
 * (non-zero so that every update moves both matrices). */
static void model_init(model *m, int64_t vocab, int64_t dim)
{
    memset(m, 0, sizeof(*m));
    m->vocab = vocab;
    m->dim = dim;
    m->w_in = malloc((size_t)(vocab * dim) * sizeof(float));
    m->w_out = malloc((size_t)(vocab * dim) * sizeof(float));
    m->w_hs = malloc((size_t)((vocab - 1) * dim + 1) * sizeof(float));
    m->count = malloc((size_t)vocab * sizeof(int64_t));
    m->alias = malloc((size_t)vocab * sizeof(uint64_t));
    m->keep = malloc((size_t)vocab * sizeof(uint32_t));
    for (int64_t i = 0; i < vocab * dim; i++) {
        m->w_in[i] = ((float)(lcg() % 10000) / 10000.0f - 0.5f) / (float)dim;
        m->w_out[i] = ((float)(lcg() % 10000) / 10000.0f - 0.5f) / (float)dim;
    }
    for (int64_t i = 0; i < (vocab - 1) * dim; i++)
        m->w_hs[i] = ((float)(lcg() % 10000) / 10000.0f - 0.5f) / (float)dim;
    double *weight = malloc((size_t)vocab * sizeof(double));
    int64_t *work = malloc((size_t)(2 * vocab) * sizeof(int64_t));
    for (int64_t i = 0; i < vocab; i++) {
        m->count[i] = 1000 / (i + 1) + 1;
        weight[i] = pow((double)m->count[i], 0.75);
        m->keep[i] = 0xC0000000u; /* keep about 3/4 of the words */
    }
    CHECK_EQ(fe_alias_build(weight, vocab, m->alias, work), 0);
    free(weight);
    free(work);

    int64_t *parent = malloc((size_t)(2 * vocab - 1) * sizeof(int64_t));
    uint8_t *is_right = malloc((size_t)(2 * vocab - 1));
    int32_t *depth = malloc((size_t)vocab * sizeof(int32_t));
    CHECK_EQ(fe_huffman_tree(m->count, vocab, parent, is_right, depth), 0);
    m->hs_offset = malloc((size_t)(vocab + 1) * sizeof(int64_t));
    m->hs_offset[0] = 0;
    for (int64_t i = 0; i < vocab; i++) m->hs_offset[i + 1] = m->hs_offset[i] + depth[i];
    m->hs_code = malloc((size_t)m->hs_offset[vocab]);
    m->hs_point = malloc((size_t)m->hs_offset[vocab] * sizeof(uint32_t));
    fe_huffman_paths(parent, is_right, vocab, m->hs_offset, m->hs_code, m->hs_point);
    free(parent);
    free(is_right);
    free(depth);
}

static void model_free(model *m)
{
    free(m->w_in);
    free(m->w_out);
    free(m->w_hs);
    free(m->count);
    free(m->alias);
    free(m->keep);
    free(m->hs_offset);
    free(m->hs_code);
    free(m->hs_point);
}

typedef struct corpus {
    uint32_t *ids;
    int64_t *offsets;
    int64_t n_sentences, n_ids;
} corpus;

/* Sentences of the given lengths (0 = an empty sentence), random ids below vocab. */
static void corpus_init(corpus *c, const int64_t *lengths, int64_t n_sentences, int64_t vocab)
{
    c->n_sentences = n_sentences;
    c->offsets = malloc((size_t)(n_sentences + 1) * sizeof(int64_t));
    c->offsets[0] = 0;
    for (int64_t k = 0; k < n_sentences; k++) c->offsets[k + 1] = c->offsets[k] + lengths[k];
    c->n_ids = c->offsets[n_sentences];
    /* never malloc(0): keep the pointer valid even for an empty corpus */
    c->ids = malloc((size_t)(c->n_ids + 1) * sizeof(uint32_t));
    for (int64_t i = 0; i < c->n_ids; i++) c->ids[i] = lcg() % (uint32_t)vocab;
}

static void corpus_free(corpus *c)
{
    free(c->ids);
    free(c->offsets);
}

/* The SIMD path config() gives a run: -1 for the best. Each test that loops over the paths
 * sets it and puts it back; a run's path is then fixed in its config. */
static int test_path = -1;

static fe_config config(model *m, int sg, int hs, int negative, int window, int shared, int shrink,
                        volatile int64_t *done, volatile int32_t *stop)
{
    fe_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.w.w_in = m->w_in;
    cfg.w.w_out = negative > 0 ? m->w_out : NULL;
    cfg.w.w_hs = hs ? m->w_hs : NULL;
    cfg.w.vocab_size = m->vocab;
    cfg.w.dim = m->dim;
    cfg.sg = sg;
    cfg.hs = hs;
    cfg.negative = negative;
    cfg.window = window;
    cfg.cbow_mean = 1;
    cfg.shrink_windows = shrink;
    cfg.compute_loss = 1;
    cfg.shared_negatives = shared;
    cfg.alpha = 0.025f;
    cfg.min_alpha = 0.0001f;
    cfg.keep_threshold = NULL;
    cfg.alias = m->alias;
    cfg.hs_offset = m->hs_offset;
    cfg.hs_code = m->hs_code;
    cfg.hs_point = m->hs_point;
    cfg.total_words = 1000000;
    cfg.words_done = done;
    cfg.stop = stop;
    CHECK(fe_simd_ops(test_path, &cfg.ops) >= 0);
    return cfg;
}

static fe_job job_of(const corpus *c, int64_t first, int64_t end, uint64_t seed)
{
    fe_job job;
    job.ids = c->ids;
    job.offsets = c->offsets;
    job.first_sentence = first;
    job.end_sentence = end;
    job.seed = seed;
    return job;
}

static int all_finite(const float *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

static double abs_diff(const float *a, const float *b, int64_t n)
{
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += fabs((double)a[i] - (double)b[i]);
    return s;
}

/* the paths this CPU runs are 0 .. n_paths()-1: each one's CPU requirements include the last's */
static int n_paths(void)
{
    return fe_simd_supported(FE_SIMD_AVX512) ? 3 : fe_simd_supported(FE_SIMD_AVX2) ? 2 : 1;
}

/* ---- alias table ---------------------------------------------------------------------- */

static void test_alias_single_word(void)
{
    double w = 3.5;
    uint64_t alias[1];
    int64_t work[2];
    fe_rng rng;
    CHECK_EQ(fe_alias_build(&w, 1, alias, work), 0);
    fe_rng_seed(&rng, 7, 0, 0);
    int bad = 0;
    for (int i = 0; i < 10000; i++) bad += fe_alias_draw(alias, 1, &rng) != 0;
    CHECK_EQ(bad, 0);
}

static void test_alias_zero_weights(void)
{
    /* zero-weight words are never drawn, the others in proportion to their weight */
    double w[6] = {0.0, 1.0, 0.0, 3.0, 0.0, 0.0};
    uint64_t alias[6];
    int64_t work[12];
    int64_t hits[6] = {0};
    fe_rng rng;
    CHECK_EQ(fe_alias_build(w, 6, alias, work), 0);
    fe_rng_seed(&rng, 11, 0, 0);
    const int n = 400000;
    for (int i = 0; i < n; i++) {
        uint32_t d = fe_alias_draw(alias, 6, &rng);
        if (!CHECK(d < 6)) return;
        hits[d]++;
    }
    CHECK_EQ(hits[0] + hits[2] + hits[4] + hits[5], 0);
    /* expected 100000 and 300000; sd ~ 274, allow ~5 sd */
    CHECK(llabs(hits[1] - 100000) < 1500);
    CHECK(llabs(hits[3] - 300000) < 1500);

    /* one word with all the weight among many */
    double one[1000];
    uint64_t a2[1000];
    int64_t wk2[2000];
    memset(one, 0, sizeof(one));
    one[999] = 1e-300; /* tiny but positive: still the only candidate */
    CHECK_EQ(fe_alias_build(one, 1000, a2, wk2), 0);
    int bad = 0;
    for (int i = 0; i < 20000; i++) bad += fe_alias_draw(a2, 1000, &rng) != 999;
    CHECK_EQ(bad, 0);
}

static void test_alias_unusable(void)
{
    uint64_t alias[3];
    int64_t work[6];
    double zeros[3] = {0.0, 0.0, 0.0};
    double neg[3] = {1.0, -1.0, 1.0};
    double nan_w[3] = {1.0, NAN, 1.0};
    double inf_w[3] = {1.0, INFINITY, 1.0};
    CHECK_EQ(fe_alias_build(zeros, 3, alias, work), -1);
    CHECK_EQ(fe_alias_build(neg, 3, alias, work), -1);
    CHECK_EQ(fe_alias_build(nan_w, 3, alias, work), -1);
    CHECK_EQ(fe_alias_build(inf_w, 3, alias, work), -1);
    CHECK_EQ(fe_alias_build(zeros, 0, alias, work), -1);
}

/* ---- Huffman tree --------------------------------------------------------------------- */

/* Checks the paths of a tree: lengths match the depths, points are inner rows, the codes form
 * a complete prefix code (Kraft sum exactly 1, no word's code a prefix of another's). */
static void check_tree(const int64_t *count, int64_t n, int32_t expect_max_depth)
{
    int64_t *parent = malloc((size_t)(2 * n - 1) * sizeof(int64_t));
    uint8_t *is_right = malloc((size_t)(2 * n - 1));
    int32_t *depth = malloc((size_t)n * sizeof(int32_t));
    int64_t *offset = malloc((size_t)(n + 1) * sizeof(int64_t));
    if (!CHECK_EQ(fe_huffman_tree(count, n, parent, is_right, depth), 0)) goto done;
    offset[0] = 0;
    int32_t max_depth = 0;
    for (int64_t i = 0; i < n; i++) {
        CHECK(depth[i] >= 1 && depth[i] <= n - 1);
        if (depth[i] > max_depth) max_depth = depth[i];
        offset[i + 1] = offset[i] + depth[i];
    }
    if (expect_max_depth > 0) CHECK_EQ(max_depth, expect_max_depth);
    uint8_t *code = malloc((size_t)offset[n]);
    uint32_t *point = malloc((size_t)offset[n] * sizeof(uint32_t));
    fe_huffman_paths(parent, is_right, n, offset, code, point);
    long double kraft = 0.0L;
    for (int64_t i = 0; i < n; i++) {
        kraft += ldexpl(1.0L, -depth[i]);
        CHECK_EQ(point[offset[i]], n - 2); /* every path starts at the root */
        for (int64_t j = offset[i]; j < offset[i + 1]; j++) {
            CHECK(point[j] <= (uint32_t)(n - 2));
            CHECK(code[j] <= 1);
        }
    }
    CHECK(fabsl(kraft - 1.0L) < 1e-15L);
    /* a rarer word never gets a shorter code than a more frequent one */
    for (int64_t i = 0; i < n; i++)
        for (int64_t k = 0; k < n && k < 64; k++)
            if (count[i] > count[k]) CHECK(depth[i] <= depth[k]);
    /* prefix-free (small trees only: quadratic) */
    if (n <= 64)
        for (int64_t a = 0; a < n; a++)
            for (int64_t b = 0; b < n; b++) {
                if (a == b || depth[a] > depth[b]) continue;
                CHECK(memcmp(code + offset[a], code + offset[b], (size_t)depth[a]) != 0);
            }
    free(code);
    free(point);
done:
    free(parent);
    free(is_right);
    free(depth);
    free(offset);
}

static void test_huffman_two_words(void)
{
    int64_t count[2] = {5, 3};
    check_tree(count, 2, 1);
    int64_t equal[2] = {1, 1};
    check_tree(equal, 2, 1);
    int64_t zero[2] = {0, 0};
    check_tree(zero, 2, 1);
}

static void test_huffman_too_small(void)
{
    int64_t count[1] = {5};
    int64_t parent[1];
    uint8_t is_right[1];
    int32_t depth[1];
    CHECK_EQ(fe_huffman_tree(count, 1, parent, is_right, depth), -1);
}

static void test_huffman_deep(void)
{
    /* counts 2^k: every merge joins the previous subtree with the next leaf, so the tree is a
     * chain of depth n-1 (the deepest a Huffman tree gets) */
    int64_t count[60];
    for (int i = 0; i < 60; i++) count[i] = (int64_t)1 << i;
    count[0] = 1;
    check_tree(count, 60, 59);
    /* Fibonacci counts give the same worst case */
    int64_t fib[50];
    fib[0] = 1;
    fib[1] = 1;
    for (int i = 2; i < 50; i++) fib[i] = fib[i - 1] + fib[i - 2];
    check_tree(fib, 50, 49);
    /* counts above 2^32 */
    int64_t big[5] = {(int64_t)1 << 40, (int64_t)3 << 33, 5, 7, (int64_t)1 << 35};
    check_tree(big, 5, 0);
    /* a bigger realistic vocabulary */
    int64_t *zipf = malloc(5000 * sizeof(int64_t));
    for (int i = 0; i < 5000; i++) zipf[i] = 10000000 / (i + 1);
    check_tree(zipf, 5000, 0);
    free(zipf);
}

/* ---- fe_train_range ------------------------------------------------------------------- */

static void test_train_matrix(void)
{
    /* every combination of architecture, output layer, negatives and windows, on every SIMD
     * path, over a corpus with empty and one-word sentences; dim 19 exercises the tails of
     * the vector loops */
    const int64_t lengths[] = {7, 0, 1, 12, 0, 0, 30, 2, 5, 1, 0, 40};
    const int64_t n_sent = (int64_t)(sizeof(lengths) / sizeof(lengths[0]));
    for (int path = 0; path < n_paths(); path++) {
        test_path = path;
        for (int sg = 0; sg <= 1; sg++)
            for (int mode = 0; mode < 3; mode++) /* ns, hs, both */
                for (int shared = 0; shared <= 1; shared++)
                    for (int shrink = 0; shrink <= 1; shrink++)
                        for (int sub = 0; sub <= 1; sub++) {
                            model m;
                            corpus c;
                            model_init(&m, 23, 19);
                            corpus_init(&c, lengths, n_sent, m.vocab);
                            volatile int64_t done = 0;
                            volatile int32_t stop = 0;
                            int hs = mode >= 1, negative = mode != 1 ? 4 : 0;
                            fe_config cfg =
                                config(&m, sg, hs, negative, 3, shared, shrink, &done, &stop);
                            if (sub) cfg.keep_threshold = m.keep;
                            float *before = malloc((size_t)(m.vocab * m.dim) * sizeof(float));
                            memcpy(before, m.w_in, (size_t)(m.vocab * m.dim) * sizeof(float));
                            fe_job job = job_of(&c, 0, n_sent, 42);
                            fe_result res;
                            CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
                            CHECK_EQ(res.words, c.n_ids);
                            CHECK_EQ(done, c.n_ids);
                            if (sub)
                                CHECK(res.effective_words > 0 && res.effective_words < res.words);
                            else CHECK_EQ(res.effective_words, c.n_ids);
                            CHECK(res.loss > 0.0 && isfinite(res.loss));
                            CHECK(all_finite(m.w_in, m.vocab * m.dim));
                            CHECK(all_finite(m.w_out, m.vocab * m.dim));
                            CHECK(all_finite(m.w_hs, (m.vocab - 1) * m.dim));
                            CHECK(abs_diff(before, m.w_in, m.vocab * m.dim) > 0.0);
                            free(before);
                            corpus_free(&c);
                            model_free(&m);
                        }
    }
    test_path = -1;
}

static void test_paths_agree(void)
{
    /* every vector path computes the scalar path's sums in another order */
    const int paths = n_paths();
    const int64_t lengths[] = {25, 3, 40};
    for (int sg = 0; sg <= 1; sg++) {
        model m[3];
        corpus c;
        corpus_init(&c, lengths, 3, 31);
        double loss[3];
        for (int p = 0; p < paths; p++) {
            lcg_state = 99;
            model_init(&m[p], 31, 37);
            test_path = p;
            volatile int64_t done = 0;
            fe_config cfg = config(&m[p], sg, 1, 5, 4, 1, 1, &done, NULL);
            fe_job job = job_of(&c, 0, 3, 5);
            fe_result res;
            CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
            loss[p] = res.loss;
        }
        for (int p = 1; p < paths; p++) {
            CHECK(fabs(loss[0] - loss[p]) <= 1e-4 * fabs(loss[0]));
            CHECK(abs_diff(m[0].w_in, m[p].w_in, 31 * 37) < 1e-3);
        }
        for (int p = 0; p < paths; p++) model_free(&m[p]);
        corpus_free(&c);
    }
    test_path = -1;
}

static void test_hot_rows_single_worker(void)
{
    /* One worker with private hot rows computes what it computes without them, to
     * float rounding (each merge adds and subtracts the copy's change): so the rows are
     * redirected and merged back in full, mid-run and at the end. Variants: 6 hot rows
     * merged every fe_hot_merge_words(6) words; a replica of the whole model (all 29 rows)
     * merged every 1,000 words; and one merged only at the end (period beyond the range).
     * With hierarchical softmax (hs = 1, no negatives) the top nodes of the tree are the
     * copied rows of w_hs (6, then all 28). */
    const int64_t lengths[] = {3000, 40, 5000, 7, 2600};
    const int64_t hot[4] = {0, 6, 29, 29}, merge[4] = {0, 0, 1000, 1000000};
    for (int variant = 0; variant < 4; variant++) {
        const int sg = variant & 1, hs = variant >> 1;
        model m[4];
        corpus c;
        corpus_init(&c, lengths, 5, 29);
        CHECK(c.n_ids > 2 * fe_hot_merge_words(6));
        double loss[4];
        for (int k = 0; k < 4; k++) {
            lcg_state = 7;
            model_init(&m[k], 29, 21);
            volatile int64_t done = 0;
            fe_config cfg = config(&m[k], sg, hs, hs ? 0 : 5, 4, 1, 1, &done, NULL);
            volatile int32_t hot_lock = 0;
            cfg.hot_rows = hot[k];
            cfg.hot_hs_nodes = hot[k];
            cfg.hot_merge_words = merge[k];
            cfg.hot_lock = &hot_lock;
            fe_job job = job_of(&c, 0, 5, 3);
            fe_result res;
            CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
            loss[k] = res.loss;
        }
        for (int k = 1; k < 4; k++) {
            CHECK(fabs(loss[0] - loss[k]) <= 1e-4 * fabs(loss[0]));
            /* over 10^4 words on 29 rows the rounding of the merges grows to ~1e-3 in
             * skip-gram (summed over the matrix); rows left unmerged would be off by ~1 each */
            if (hs) CHECK(abs_diff(m[0].w_hs, m[k].w_hs, 28 * 21) < 1e-2);
            else CHECK(abs_diff(m[0].w_out, m[k].w_out, 29 * 21) < 1e-2);
            CHECK(abs_diff(m[0].w_in, m[k].w_in, 29 * 21) < 1e-2);
        }
        for (int k = 0; k < 4; k++) model_free(&m[k]);
        corpus_free(&c);
    }
}

static void train_one_sentence(int64_t len, int window, int sg, int shared, int hs)
{
    model m;
    corpus c;
    model_init(&m, 50, 16);
    corpus_init(&c, &len, 1, m.vocab);
    volatile int64_t done = 0;
    fe_config cfg = config(&m, sg, hs, hs ? 0 : 3, window, shared, 1, &done, NULL);
    fe_job job = job_of(&c, 0, 1, 3);
    fe_result res;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
    CHECK_EQ(res.words, len);
    CHECK_EQ(res.effective_words, len); /* no token dropped, however long the sentence */
    CHECK_EQ(done, len);
    CHECK(all_finite(m.w_in, m.vocab * m.dim));
    corpus_free(&c);
    model_free(&m);
}

static void test_long_sentence(void)
{
    /* longer than the kernel's kept-word buffer (2*window + 4096 words), several refills */
    for (int path = 0; path < n_paths(); path++) {
        test_path = path;
        train_one_sentence(20000, 5, 1, 1, 0);
        train_one_sentence(20000, 5, 1, 0, 0);
        train_one_sentence(20000, 5, 0, 0, 1);
        train_one_sentence(8193, 5, 1, 1, 1);
        /* exactly at and one past the buffer size */
        train_one_sentence(4106, 5, 1, 1, 0);
        train_one_sentence(4107, 5, 0, 1, 0);
        /* a window so large that 4*window sizes the buffer (window > 2048) */
        train_one_sentence(8500, 2100, 0, 1, 0);
    }
    test_path = -1;
}

static void test_long_sentence_with_subsampling(void)
{
    model m;
    corpus c;
    int64_t len = 50000;
    model_init(&m, 40, 8);
    corpus_init(&c, &len, 1, m.vocab);
    volatile int64_t done = 0;
    fe_config cfg = config(&m, 1, 0, 2, 5, 1, 1, &done, NULL);
    cfg.keep_threshold = m.keep;
    fe_job job = job_of(&c, 0, 1, 8);
    fe_result res;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
    CHECK_EQ(res.words, len);
    CHECK(llabs(res.effective_words - len * 3 / 4) < 1000);
    corpus_free(&c);
    model_free(&m);
}

static void test_window_larger_than_sentence(void)
{
    for (int64_t len = 1; len <= 4; len++)
        for (int sg = 0; sg <= 1; sg++) {
            train_one_sentence(len, 50, sg, 1, 0);
            train_one_sentence(len, 50, sg, 0, 1);
        }
}

static void test_empty_sentences_and_ranges(void)
{
    const int64_t lengths[] = {0, 0, 0, 0};
    model m;
    corpus c;
    model_init(&m, 5, 8);
    corpus_init(&c, lengths, 4, m.vocab);
    volatile int64_t done = 0;
    fe_config cfg = config(&m, 1, 1, 2, 5, 1, 1, &done, NULL);
    fe_result res;
    fe_job job = job_of(&c, 0, 4, 1);
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
    CHECK_EQ(res.words, 0);
    CHECK_EQ(res.loss, 0);
    job = job_of(&c, 2, 2, 1); /* an empty range */
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
    CHECK_EQ(res.words, 0);
    corpus_free(&c);
    model_free(&m);
}

static void test_stop_flag(void)
{
    const int64_t lengths[] = {100, 100, 100};
    model m;
    corpus c;
    model_init(&m, 10, 8);
    corpus_init(&c, lengths, 3, m.vocab);
    volatile int64_t done = 0;
    volatile int32_t stop = 1;
    fe_config cfg = config(&m, 1, 0, 2, 5, 1, 1, &done, &stop);
    fe_result res;
    fe_job job = job_of(&c, 0, 3, 1);
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_STOPPED);
    CHECK_EQ(res.words, 0);
    stop = 0;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
    CHECK_EQ(res.words, 300);
    corpus_free(&c);
    model_free(&m);
}

static void test_invalid_config(void)
{
    const int64_t lengths[] = {10};
    model m;
    corpus c;
    model_init(&m, 10, 8);
    corpus_init(&c, lengths, 1, m.vocab);
    volatile int64_t done = 0;
    fe_result res;
    fe_job job = job_of(&c, 0, 1, 1);
    fe_config cfg = config(&m, 1, 0, 2, 0, 1, 1, &done, NULL); /* window 0 */
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    cfg = config(&m, 1, 0, 2, 5, 1, 1, &done, NULL);
    cfg.alias = NULL;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    cfg = config(&m, 1, 0, 2, 5, 1, 1, &done, NULL);
    cfg.w.w_out = NULL;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    cfg = config(&m, 1, 1, 0, 5, 1, 1, &done, NULL);
    cfg.hs_offset = NULL;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    cfg = config(&m, 1, 1, 0, 5, 1, 1, &done, NULL);
    cfg.w.dim = 0;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    cfg = config(&m, 1, 1, 0, 5, 1, 1, &done, NULL);
    cfg.w.vocab_size = 0;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    cfg = config(&m, 1, 1, 0, 5, 1, 1, &done, NULL);
    cfg.ops.cbow_step = NULL; /* a config whose update table was never filled */
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    CHECK_EQ(fe_simd_ops(FE_SIMD_AVX512 + 1, &cfg.ops), -1);
    CHECK(cfg.ops.cbow_step == NULL); /* untouched when refused */
    CHECK_EQ(done, 0);
    corpus_free(&c);
    model_free(&m);
}

static void test_learning_rate_schedule(void)
{
    /* progress past total_words clamps the rate at min_alpha: training still works */
    const int64_t lengths[] = {30000};
    model m;
    corpus c;
    model_init(&m, 10, 8);
    corpus_init(&c, lengths, 1, m.vocab);
    volatile int64_t done = 0;
    fe_config cfg = config(&m, 1, 0, 2, 5, 1, 1, &done, NULL);
    cfg.total_words = 100;
    fe_result res;
    fe_job job = job_of(&c, 0, 1, 1);
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
    CHECK(all_finite(m.w_in, m.vocab * m.dim));
    cfg.total_words = 0; /* a zero denominator must not divide by zero */
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
    CHECK_EQ(done, 60000);
    corpus_free(&c);
    model_free(&m);
}

/* ---- 64-bit offsets ------------------------------------------------------------------- */

static void test_offset_arithmetic(void)
{
    /* the scratch size is computed in 64 bits: it holds n_context rows of dim floats */
    int64_t s = fe_step_scratch((int64_t)1 << 20, 1 << 12, 1 << 10);
    CHECK(s >= ((int64_t)1 << 32) + ((int64_t)1 << 22));
    /* row offsets: the kernel writes (int64_t)row * dim; with a uint32 row and a dim that
     * makes the product pass 2^32, a 32-bit product would land on another row */
    uint32_t row = 0x20000005u;
    int64_t dim = 8;
    int64_t good = (int64_t)row * dim;
    uint32_t wrapped = (uint32_t)(row * (uint32_t)dim);
    CHECK(good > (int64_t)UINT32_MAX);
    CHECK((int64_t)wrapped != good);
}

#ifndef FE_TEST_TSAN
/* Weights with more than 2^32 elements, mapped lazily (MAP_NORESERVE): only the pages the
 * updates touch become memory. A 32-bit row offset would update the row at
 * (row * dim) mod 2^32 instead, which the test watches. */
static void test_rows_past_2_32(void)
{
    const int64_t dim = 8;
    const int64_t vocab = ((int64_t)1 << 29) + 64; /* vocab * dim = 2^32 + 512 */
    const size_t bytes = (size_t)(vocab * dim) * sizeof(float);
    float *w_in = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    float *w_out = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (w_in == MAP_FAILED || w_out == MAP_FAILED) {
        fprintf(stderr, "test_rows_past_2_32: skipped (cannot map %zu bytes)\n", 2 * bytes);
        if (w_in != MAP_FAILED) munmap(w_in, bytes);
        if (w_out != MAP_FAILED) munmap(w_out, bytes);
        return;
    }
    const uint32_t hi_a = (uint32_t)(((int64_t)1 << 29) + 5),
                   hi_b = (uint32_t)(((int64_t)1 << 29) + 9);
    const uint32_t lo_a = 5, lo_b = 9; /* where 32-bit offsets would land */
    for (int path = 0; path < n_paths(); path++) {
        test_path = path;
        for (int64_t j = 0; j < dim; j++) {
            w_in[(int64_t)hi_a * dim + j] = 0.1f;
            w_in[(int64_t)hi_b * dim + j] = -0.1f;
            w_out[(int64_t)hi_a * dim + j] = 0.2f;
            w_out[(int64_t)hi_b * dim + j] = 0.3f;
            w_in[lo_a * dim + j] = w_in[lo_b * dim + j] = 0.0f;
            w_out[lo_a * dim + j] = w_out[lo_b * dim + j] = 0.0f;
        }
        fe_weights w = {w_in, w_out, NULL, vocab, dim, NULL, NULL, 0, NULL, 0};
        fe_update_ops ops;
        CHECK_EQ(fe_simd_ops(path, &ops), path);
        /* malloc'd: sg_window_step keeps row pointers at the start of its scratch */
        int64_t n_scratch = fe_step_scratch(dim, 2, 1);
        if (n_scratch < 2 * dim) n_scratch = 2 * dim;
        float *scratch = malloc((size_t)n_scratch * sizeof(float));
        fe_target t;
        memset(&t, 0, sizeof(t));
        t.word = hi_b;
        CHECK(ops.sg_step(&w, hi_a, &t, 0.5f, scratch, 1) > 0.0);
        uint32_t ctx[2] = {hi_a, hi_b};
        CHECK(ops.sg_window_step(&w, ctx, 2, &t, 0.5f, scratch, 1) > 0.0);
        t.word = hi_a;
        CHECK(ops.cbow_step(&w, ctx, 2, 1, &t, 0.5f, scratch, 1) > 0.0);
        int moved = 0, stray = 0;
        for (int64_t j = 0; j < dim; j++) {
            moved += w_in[(int64_t)hi_a * dim + j] != 0.1f;
            moved += w_out[(int64_t)hi_b * dim + j] != 0.3f;
            stray += w_in[lo_a * dim + j] != 0.0f || w_in[lo_b * dim + j] != 0.0f;
            stray += w_out[lo_a * dim + j] != 0.0f || w_out[lo_b * dim + j] != 0.0f;
        }
        CHECK_EQ(moved, 2 * dim);
        CHECK_EQ(stray, 0);

        /* the same through the training loop */
        uint32_t ids[4] = {hi_a, hi_b, hi_a, hi_b};
        int64_t offsets[2] = {0, 4};
        volatile int64_t done = 0;
        fe_config cfg;
        memset(&cfg, 0, sizeof(cfg));
        cfg.w = w;
        cfg.sg = 1;
        cfg.window = 2;
        cfg.shared_negatives = path; /* both loops */
        cfg.alpha = 0.5f;
        cfg.min_alpha = 0.5f;
        cfg.total_words = 4;
        cfg.words_done = &done;
        cfg.ops = ops;
        fe_job job = {ids, offsets, 0, 1, 1};
        fe_result res;
        CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
        CHECK_EQ(res.words, 4);
        stray = 0;
        for (int64_t j = 0; j < dim; j++) {
            stray += w_in[lo_a * dim + j] != 0.0f || w_in[lo_b * dim + j] != 0.0f;
            stray += w_out[lo_a * dim + j] != 0.0f || w_out[lo_b * dim + j] != 0.0f;
        }
        CHECK_EQ(stray, 0);
        free(scratch);
    }
    test_path = -1;
    munmap(w_in, bytes);
    munmap(w_out, bytes);
}
#endif

/* ---- subwords ------------------------------------------------------------------------- */

/* Subword tables of m's words over n_input = vocab + bucket rows: word w's own row, then
 * w % 5 n-gram rows (a duplicate among them when there are 4). Replaces m->w_in with a matrix
 * of n_input rows (its first vocab rows m's). */
typedef struct subwords {
    int64_t n_input;
    int64_t *offsets;
    uint32_t *rows;
} subwords;

static void subwords_init(subwords *sw, model *m, int64_t bucket)
{
    sw->n_input = m->vocab + bucket;
    sw->offsets = malloc((size_t)(m->vocab + 1) * sizeof(int64_t));
    sw->rows = malloc((size_t)(5 * m->vocab) * sizeof(uint32_t));
    int64_t n = 0;
    for (int64_t w = 0; w < m->vocab; w++) {
        sw->offsets[w] = n;
        sw->rows[n++] = (uint32_t)w;
        for (int64_t k = 0; k < w % 5; k++)
            sw->rows[n++] = (uint32_t)(m->vocab + (k == 3 ? w * 7 : (w * 7 + k * 3)) % bucket);
    }
    sw->offsets[m->vocab] = n;
    float *w_in = malloc((size_t)(sw->n_input * m->dim) * sizeof(float));
    memcpy(w_in, m->w_in, (size_t)(m->vocab * m->dim) * sizeof(float));
    for (int64_t i = m->vocab * m->dim; i < sw->n_input * m->dim; i++)
        w_in[i] = ((float)(lcg() % 10000) / 10000.0f - 0.5f) / (float)m->dim;
    free(m->w_in);
    m->w_in = w_in;
}

static void subwords_free(subwords *sw)
{
    free(sw->offsets);
    free(sw->rows);
}

static void use_subwords(fe_config *cfg, const subwords *sw)
{
    cfg->subword_offsets = sw->offsets;
    cfg->subword_rows = sw->rows;
    cfg->w.n_input_rows = sw->n_input;
}

#ifndef FE_TEST_TSAN /* run under ASan only (see main) */
/* Every model (skip-gram block and per pair, CBOW, CBOW from cached word sums; NS, HS, both;
 * with and without hot rows) on every path, over sentences longer than the kept-word buffer
 * and with subsampling: every word is read, the run ends FE_OK, the n-gram rows move and
 * everything stays finite. */
static void test_subword_loop(void)
{
    const int64_t lengths[] = {4150, 0, 1, 2, 300, 120};
    for (int path = 0; path < n_paths(); path++) {
        test_path = path;
        /* 9-11: 0-2 with hot rows; 12-14: CBOW from cached sums, NS, HS, both; 15: 12 with
         * hot rows */
        for (int variant = 0; variant < 16; variant++) {
            const int sums = variant >= 12;
            const int sg = !sums && variant % 3 != 0, shared = variant % 3 != 2 || sums;
            const int mode = variant < 9 ? variant / 3 : variant < 15 ? variant % 3 : 0;
            const int hot = variant >= 9 && (variant < 12 || variant == 15);
            model m;
            corpus c;
            subwords sw;
            lcg_state = 21;
            model_init(&m, 40, 27);
            subwords_init(&sw, &m, 13);
            corpus_init(&c, lengths, 6, m.vocab);
            float *before = malloc((size_t)(sw.n_input * m.dim) * sizeof(float));
            memcpy(before, m.w_in, (size_t)(sw.n_input * m.dim) * sizeof(float));
            volatile int64_t done = 0;
            volatile int32_t hot_lock = 0;
            fe_config cfg = config(&m, sg, mode != 0, mode != 1 ? 4 : 0, 5, shared, 1, &done, NULL);
            use_subwords(&cfg, &sw);
            cfg.keep_threshold = m.keep;
            cfg.total_words = c.n_ids;
            cfg.cbow_sums = sums;
            if (hot) {
                cfg.hot_rows = 6;
                cfg.hot_ngram_rows = 5; /* rows vocab .. vocab + 4 */
                cfg.hot_lock = &hot_lock;
            }
            fe_job job = job_of(&c, 0, 6, 5);
            fe_result res;
            CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
            CHECK_EQ(res.words, c.n_ids);
            CHECK(res.effective_words > c.n_ids / 2 && res.effective_words < c.n_ids);
            CHECK(res.loss > 0.0);
            CHECK(all_finite(m.w_in, sw.n_input * m.dim));
            CHECK(abs_diff(m.w_in + m.vocab * m.dim, before + m.vocab * m.dim,
                           (sw.n_input - m.vocab) * m.dim) > 0.1);
            free(before);
            corpus_free(&c);
            subwords_free(&sw);
            model_free(&m);
        }
    }
    test_path = -1;
}
#endif

/* With every word's list its own row, the subword CBOW loop computes word2vec's CBOW bit for
 * bit (the same draws, the same step), on every path. */
static void test_subword_own_rows_are_cbow(void)
{
    const int64_t lengths[] = {5000, 17, 3};
    for (int path = 0; path < n_paths(); path++) {
        test_path = path;
        model m[2];
        corpus c;
        lcg_state = 3;
        corpus_init(&c, lengths, 3, 25);
        int64_t offsets[26];
        uint32_t rows[25];
        for (int k = 0; k < 2; k++) {
            lcg_state = 8;
            model_init(&m[k], 25, 37);
            volatile int64_t done = 0;
            fe_config cfg = config(&m[k], 0, 1, 3, 4, 1, 1, &done, NULL);
            cfg.keep_threshold = m[k].keep;
            if (k == 1) {
                for (int64_t w = 0; w <= 25; w++) offsets[w] = w;
                for (int64_t w = 0; w < 25; w++) rows[w] = (uint32_t)w;
                cfg.subword_offsets = offsets;
                cfg.subword_rows = rows;
                cfg.w.n_input_rows = 25;
            }
            fe_job job = job_of(&c, 0, 3, 77);
            fe_result res;
            CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
        }
        CHECK(memcmp(m[0].w_in, m[1].w_in, 25 * 37 * sizeof(float)) == 0);
        CHECK(memcmp(m[0].w_out, m[1].w_out, 25 * 37 * sizeof(float)) == 0);
        CHECK(memcmp(m[0].w_hs, m[1].w_hs, 24 * 37 * sizeof(float)) == 0);
        for (int k = 0; k < 2; k++) model_free(&m[k]);
        corpus_free(&c);
    }
    test_path = -1;
}

/* Subword configs the kernel refuses: no rows, no update function, fewer input rows than
 * words, decreasing offsets, and steps whose rows would pass 2^31. */
static void test_subword_invalid_config(void)
{
    const int64_t lengths[] = {10};
    model m;
    corpus c;
    subwords sw;
    model_init(&m, 10, 8);
    subwords_init(&sw, &m, 7);
    corpus_init(&c, lengths, 1, m.vocab);
    volatile int64_t done = 0;
    fe_result res;
    fe_job job = job_of(&c, 0, 1, 1);
    fe_config cfg = config(&m, 0, 0, 2, 5, 1, 1, &done, NULL);
    use_subwords(&cfg, &sw);
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
    cfg.subword_rows = NULL;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    use_subwords(&cfg, &sw);
    cfg.ops.subword_step = NULL;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    cfg = config(&m, 0, 0, 2, 5, 1, 1, &done, NULL); /* cached sums need their three steps */
    use_subwords(&cfg, &sw);
    cfg.cbow_sums = 1;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
    cfg.ops.sums_step = NULL;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    cfg.sg = 1; /* skip-gram does not use them */
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
    cfg = config(&m, 0, 0, 2, 5, 1, 1, &done, NULL);
    use_subwords(&cfg, &sw);
    cfg.w.n_input_rows = m.vocab - 1;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    use_subwords(&cfg, &sw);
    int64_t saved = sw.offsets[4];
    sw.offsets[4] = sw.offsets[3] - 1; /* decreases */
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    sw.offsets[4] = saved;
    /* a CBOW window of 2 * 2^20 words of 2^11 rows each: 2^32 rows in one step */
    int64_t huge[2] = {0, (int64_t)1 << 11};
    cfg.subword_offsets = huge;
    cfg.w.vocab_size = 1;
    cfg.window = 1 << 20;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    corpus_free(&c);
    subwords_free(&sw);
    model_free(&m);
}

/* ---- threads -------------------------------------------------------------------------- */

typedef struct thread_arg {
    const fe_config *cfg;
    fe_job job;
    fe_result res;
    int status;
} thread_arg;

static void *train_thread(void *p)
{
    thread_arg *a = (thread_arg *)p;
    a->status = fe_train_range(a->cfg, &a->job, &a->res);
    return NULL;
}

/* Two workers train the same weights on their halves of the corpus (Hogwild): the shared
 * progress counter sums both, nothing breaks, the weights stay finite. Under ThreadSanitizer
 * the only races allowed are the weight-row accesses suppressed in tsan.supp. */
#ifdef FE_TEST_TSAN
#define TWO_THREAD_WORDS 20 /* every suppressed race costs TSan a stack match: keep it small */
#else
#define TWO_THREAD_WORDS 200
#endif

static void test_two_threads(void)
{
    int64_t lengths[40];
    for (int k = 0; k < 40; k++) lengths[k] = TWO_THREAD_WORDS + 3 * k;
    for (int path = 0; path < n_paths(); path++) {
        test_path = path;
        for (int variant = 0; variant < 8; variant++) { /* 4-7: 0-3 with hot rows */
            model m;
            corpus c;
            model_init(&m, 12, 16); /* few words: the threads collide on rows often */
            corpus_init(&c, lengths, 40, m.vocab);
            volatile int64_t done = 0;
            volatile int32_t stop = 0, hot_lock = 0;
            int sg = variant & 1, hs = (variant & 3) >= 2;
            fe_config cfg = config(&m, sg, hs, 3, 4, (variant & 3) != 1, 1, &done, &stop);
            cfg.keep_threshold = m.keep;
            if (variant >= 4) {
                cfg.hot_rows = 5;
                cfg.hot_lock = &hot_lock;
            }
            cfg.total_words = c.n_ids;
            thread_arg args[2];
            pthread_t tid[2];
            for (int t = 0; t < 2; t++) {
                args[t].cfg = &cfg;
                args[t].job = job_of(&c, t * 20, t * 20 + 20, 100 + (uint64_t)t);
                CHECK_EQ(pthread_create(&tid[t], NULL, train_thread, &args[t]), 0);
            }
            for (int t = 0; t < 2; t++) pthread_join(tid[t], NULL);
            CHECK_EQ(args[0].status, FE_OK);
            CHECK_EQ(args[1].status, FE_OK);
            CHECK_EQ(args[0].res.words + args[1].res.words, c.n_ids);
            CHECK_EQ(__atomic_load_n(&done, __ATOMIC_RELAXED), c.n_ids);
            CHECK(all_finite(m.w_in, m.vocab * m.dim));
            CHECK(all_finite(m.w_out, m.vocab * m.dim));
            corpus_free(&c);
            model_free(&m);
        }
    }
    test_path = -1;
}

/* Two workers train the same weights with subword tables (CBOW, skip-gram block and per
 * pair; then the same with private copies of n-gram rows too): n-gram rows are shared by many
 * words, so the threads collide on them all the time; under ThreadSanitizer only the
 * suppressed weight-row races are allowed. */
static void test_two_threads_subwords(void)
{
    int64_t lengths[20];
    for (int k = 0; k < 20; k++) lengths[k] = TWO_THREAD_WORDS + 5 * k;
    for (int path = 0; path < n_paths(); path++) {
        test_path = path;
        for (int variant = 0; variant < 6; variant++) {
            const int kind = variant % 3;
            model m;
            corpus c;
            subwords sw;
            model_init(&m, 12, 16);
            subwords_init(&sw, &m, 5);
            corpus_init(&c, lengths, 20, m.vocab);
            volatile int64_t done = 0;
            volatile int32_t stop = 0, hot_lock = 0;
            fe_config cfg = config(&m, kind > 0, 0, 3, 4, kind != 2, 1, &done, &stop);
            use_subwords(&cfg, &sw);
            cfg.hot_rows = 4;
            cfg.hot_ngram_rows = variant >= 3 ? 3 : 0;
            cfg.hot_lock = &hot_lock;
            cfg.total_words = c.n_ids;
            thread_arg args[2];
            pthread_t tid[2];
            for (int t = 0; t < 2; t++) {
                args[t].cfg = &cfg;
                args[t].job = job_of(&c, t * 10, t * 10 + 10, 200 + (uint64_t)t);
                CHECK_EQ(pthread_create(&tid[t], NULL, train_thread, &args[t]), 0);
            }
            for (int t = 0; t < 2; t++) pthread_join(tid[t], NULL);
            CHECK_EQ(args[0].status, FE_OK);
            CHECK_EQ(args[1].status, FE_OK);
            CHECK_EQ(args[0].res.words + args[1].res.words, c.n_ids);
            CHECK(all_finite(m.w_in, sw.n_input * m.dim));
            corpus_free(&c);
            subwords_free(&sw);
            model_free(&m);
        }
    }
    test_path = -1;
}

/* Trains sentences [first, end) of c into m alone, at the constant rate of
 * test_replicas_lose_no_update. */
static void train_half_alone(model *m, const corpus *c, int sg, int64_t first, int64_t end,
                             uint64_t seed)
{
    volatile int64_t done = 0;
    fe_config cfg = config(m, sg, 0, 4, 3, 1, 1, &done, NULL);
    cfg.min_alpha = cfg.alpha;
    fe_job job = job_of(c, first, end, seed);
    fe_result res;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
}

/* m = start + (m - start), rounded as the merge of a worker's replica rounds it. The model
 * trained from there may differ from one trained from m by far more than that rounding: a
 * value that moves across a bin of the sigmoid table changes a whole gradient. */
static void merge_into_start(model *m)
{
    model start;
    lcg_state = 11;
    model_init(&start, m->vocab, m->dim);
    for (int64_t i = 0; i < m->vocab * m->dim; i++) {
        m->w_in[i] = start.w_in[i] + (m->w_in[i] - start.w_in[i]);
        m->w_out[i] = start.w_out[i] + (m->w_out[i] - start.w_out[i]);
    }
    model_free(&start);
}

/* Largest difference between got and a + b - start over both matrices. */
static double merge_error(const model *got, const model *a, const model *b, const model *start)
{
    double worst = 0;
    const int64_t n = got->vocab * got->dim;
    for (int mat = 0; mat < 2; mat++)
        for (int64_t i = 0; i < n; i++) {
            const float *g = mat ? got->w_out : got->w_in, *x = mat ? a->w_out : a->w_in,
                        *y = mat ? b->w_out : b->w_in, *s0 = mat ? start->w_out : start->w_in;
            double d = fabs((double)x[i] + (double)y[i] - (double)s0[i] - (double)g[i]);
            worst = d > worst ? d : worst;
        }
    return worst;
}

/* Two workers, each training a replica of the whole model merged only at the end, at a
 * constant learning rate (so neither depends on the other's progress): the merged model is
 * start + (A's model - start) + (B's model - start), where A and B are the two halves trained
 * alone from the start. (If one worker happens to finish and merge before the other has
 * copied the model, the second trains from the first's result: then the merged model is the
 * two halves trained one after the other.) An update lost or counted twice by the merge
 * would be off by a whole step. */
static void test_replicas_lose_no_update(void)
{
    int64_t lengths[8];
    for (int k = 0; k < 8; k++) lengths[k] = 150 + 11 * k;
    for (int sg = 0; sg <= 1; sg++) {
        model both, start, half[2], in_order[2];
        corpus c;
        corpus_init(&c, lengths, 8, 17);
        lcg_state = 11;
        model_init(&both, 17, 24);
        volatile int64_t done = 0;
        volatile int32_t hot_lock = 0;
        fe_config cfg = config(&both, sg, 0, 4, 3, 1, 1, &done, NULL);
        cfg.min_alpha = cfg.alpha;
        cfg.hot_rows = both.vocab;
        cfg.hot_merge_words = 1000000;
        cfg.hot_lock = &hot_lock;
        thread_arg args[2];
        pthread_t tid[2];
        /* Both workers wait at their first copy until both have started, so they usually
         * train at the same time (the case a merge that kept only the last worker's replica
         * would fail); the lock is the one they copy under. */
        fe_lock(&hot_lock);
        for (int t = 0; t < 2; t++) {
            args[t].cfg = &cfg;
            args[t].job = job_of(&c, t * 4, t * 4 + 4, 40 + (uint64_t)t);
            CHECK_EQ(pthread_create(&tid[t], NULL, train_thread, &args[t]), 0);
        }
        struct timespec pause = {0, 20000000};
        nanosleep(&pause, NULL);
        fe_unlock(&hot_lock);
        for (int t = 0; t < 2; t++) pthread_join(tid[t], NULL);
        CHECK_EQ(args[0].status, FE_OK);
        CHECK_EQ(args[1].status, FE_OK);
        for (int t = 0; t < 2; t++) {
            lcg_state = 11;
            model_init(&half[t], 17, 24);
            train_half_alone(&half[t], &c, sg, t * 4, t * 4 + 4, 40 + (uint64_t)t);
            lcg_state = 11; /* in_order[t]: half t first, merged into the start, then the other */
            model_init(&in_order[t], 17, 24);
            train_half_alone(&in_order[t], &c, sg, t * 4, t * 4 + 4, 40 + (uint64_t)t);
            merge_into_start(&in_order[t]);
            train_half_alone(&in_order[t], &c, sg, (1 - t) * 4, (1 - t) * 4 + 4,
                             40 + (uint64_t)(1 - t));
        }
        lcg_state = 11;
        model_init(&start, 17, 24);
        CHECK(merge_error(&half[0], &start, &start, &start) > 0.1); /* the halves did train */
        /* each merge rounds every value once: a few units in the last place of the largest */
        double largest = 0;
        for (int64_t i = 0; i < both.vocab * both.dim; i++) {
            largest = fabs(both.w_in[i]) > largest ? fabs(both.w_in[i]) : largest;
            largest = fabs(both.w_out[i]) > largest ? fabs(both.w_out[i]) : largest;
        }
        const double tolerance = 1e-6 * (1.0 + largest);
        double concurrent = merge_error(&both, &half[0], &half[1], &start);
        double one_then_other = merge_error(&both, &in_order[0], &start, &start);
        double other_then_one = merge_error(&both, &in_order[1], &start, &start);
        if (!(concurrent < tolerance || one_then_other < tolerance || other_then_one < tolerance))
            fprintf(stderr,
                    "sg %d: off by %g (concurrent), %g / %g (one after the other), "
                    "largest value %g\n",
                    sg, concurrent, one_then_other, other_then_one, largest);
        CHECK(concurrent < tolerance || one_then_other < tolerance || other_then_one < tolerance);
        model_free(&start);
        for (int t = 0; t < 2; t++) {
            model_free(&half[t]);
            model_free(&in_order[t]);
        }
        model_free(&both);
        corpus_free(&c);
    }
}

/* Two runs on two paths, trained at the same time in two threads on their own weights: each
 * computes bit for bit what it computes alone, so neither run's path leaks into the other's
 * (a process-wide switch would make one of them round differently). */
static void test_paths_side_by_side(void)
{
    const int paths = n_paths();
    const int64_t lengths[] = {25, 3, 40, 17};
    corpus c;
    corpus_init(&c, lengths, 4, 31);
    model alone[2], both[2];
    fe_config cfg[2];
    volatile int64_t done[2];
    for (int k = 0; k < 2; k++) { /* k = 0: scalar, k = 1: the widest path */
        test_path = k ? paths - 1 : 0;
        lcg_state = 5;
        model_init(&alone[k], 31, 37);
        done[k] = 0;
        cfg[k] = config(&alone[k], 1, 1, 5, 4, 1, 1, &done[k], NULL);
        fe_job job = job_of(&c, 0, 4, 9);
        fe_result res;
        CHECK_EQ(fe_train_range(&cfg[k], &job, &res), FE_OK);
        lcg_state = 5;
        model_init(&both[k], 31, 37);
        done[k] = 0;
        cfg[k] = config(&both[k], 1, 1, 5, 4, 1, 1, &done[k], NULL);
    }
    test_path = -1;
    thread_arg args[2];
    pthread_t tid[2];
    for (int k = 0; k < 2; k++) {
        args[k].cfg = &cfg[k];
        args[k].job = job_of(&c, 0, 4, 9);
        CHECK_EQ(pthread_create(&tid[k], NULL, train_thread, &args[k]), 0);
    }
    for (int k = 0; k < 2; k++) pthread_join(tid[k], NULL);
    for (int k = 0; k < 2; k++) {
        CHECK_EQ(args[k].status, FE_OK);
        CHECK(memcmp(alone[k].w_in, both[k].w_in, 31 * 37 * sizeof(float)) == 0);
        CHECK(memcmp(alone[k].w_out, both[k].w_out, 31 * 37 * sizeof(float)) == 0);
        CHECK(memcmp(alone[k].w_hs, both[k].w_hs, 30 * 37 * sizeof(float)) == 0);
    }
    if (paths > 1) /* the two paths do round differently, so the check above can fail */
        CHECK(memcmp(alone[0].w_in, alone[1].w_in, 31 * 37 * sizeof(float)) != 0);
    for (int k = 0; k < 2; k++) {
        model_free(&alone[k]);
        model_free(&both[k]);
    }
    corpus_free(&c);
}

static void *sigmoid_thread(void *arg)
{
    float *out = arg;
    fe_update_ops ops;
    fe_simd_ops(-1, &ops); /* fills the table if no one has */
    for (int i = 0; i < 64; i++) out[i] = fe_sigmoid_table[i * (FE_SIGMOID_BINS / 64)];
    return NULL;
}

/* The table's initialisation is safe to race (TSan checks the ordering): every thread sees
 * it complete, equal to the logistic function at each bin's centre. */
static void test_sigmoid_init_concurrent(void)
{
    float seen[4][64];
    pthread_t tid[4];
    for (int t = 0; t < 4; t++) CHECK_EQ(pthread_create(&tid[t], NULL, sigmoid_thread, seen[t]), 0);
    for (int t = 0; t < 4; t++) pthread_join(tid[t], NULL);
    for (int i = 0; i < 64; i++) {
        int bin = i * (FE_SIGMOID_BINS / 64);
        double x = -FE_MAX_EXP + (bin + 0.5) * (2.0 * FE_MAX_EXP / FE_SIGMOID_BINS);
        for (int t = 0; t < 4; t++) CHECK(fabs(seen[t][i] - 1.0 / (1.0 + exp(-x))) < 1e-6);
    }
    fe_sigmoid_init(); /* idempotent */
    CHECK(fe_sigmoid(0.0f) > 0.49f && fe_sigmoid(0.0f) < 0.51f);
}

/* The stop flag raised by another thread while two workers run: both return, FE_OK or
 * FE_STOPPED, and the flag is read atomically (TSan would report a plain read). */
static void test_stop_from_another_thread(void)
{
    int64_t lengths[2] = {400000, 400000};
    model m;
    corpus c;
    model_init(&m, 30, 8);
    corpus_init(&c, lengths, 2, m.vocab);
    volatile int64_t done = 0;
    volatile int32_t stop = 0;
    fe_config cfg = config(&m, 1, 0, 1, 1, 1, 0, &done, &stop);
    thread_arg args[2];
    pthread_t tid[2];
    for (int t = 0; t < 2; t++) {
        args[t].cfg = &cfg;
        args[t].job = job_of(&c, t, t + 1, (uint64_t)t);
        CHECK_EQ(pthread_create(&tid[t], NULL, train_thread, &args[t]), 0);
    }
    while (__atomic_load_n(&done, __ATOMIC_RELAXED) < 2 * FE_PROGRESS_BATCH) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    for (int t = 0; t < 2; t++) pthread_join(tid[t], NULL);
    for (int t = 0; t < 2; t++) {
        CHECK(args[t].status == FE_STOPPED || args[t].status == FE_OK);
        CHECK(args[t].res.words <= c.offsets[t + 1] - c.offsets[t]);
    }
    /* a sentence of 400000 words cannot finish in the time it takes to raise the flag */
    CHECK(args[0].status == FE_STOPPED || args[1].status == FE_STOPPED);
    corpus_free(&c);
    model_free(&m);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("SIMD paths: scalar%s%s\n", n_paths() > 1 ? ", avx2" : " (no AVX2+FMA on this CPU)",
           n_paths() > 2 ? ", avx512" : "");
    RUN(test_alias_single_word);
    RUN(test_alias_zero_weights);
    RUN(test_alias_unusable);
    RUN(test_huffman_two_words);
    RUN(test_huffman_too_small);
    RUN(test_huffman_deep);
    RUN(test_train_matrix);
    RUN(test_paths_agree);
    RUN(test_hot_rows_single_worker);
#ifndef FE_TEST_TSAN /* single-threaded and slow under TSan: AddressSanitizer covers it */
    RUN(test_long_sentence);
#endif
    RUN(test_long_sentence_with_subsampling);
    RUN(test_window_larger_than_sentence);
    RUN(test_empty_sentences_and_ranges);
    RUN(test_stop_flag);
    RUN(test_invalid_config);
    RUN(test_learning_rate_schedule);
    RUN(test_offset_arithmetic);
#ifndef FE_TEST_TSAN
    RUN(test_rows_past_2_32);
#endif
#ifndef FE_TEST_TSAN /* single-threaded and slow under TSan: AddressSanitizer covers it */
    RUN(test_subword_loop);
#endif
    RUN(test_subword_own_rows_are_cbow);
    RUN(test_subword_invalid_config);
    RUN(test_two_threads);
    RUN(test_two_threads_subwords);
    RUN(test_replicas_lose_no_update);
    RUN(test_paths_side_by_side);
    RUN(test_sigmoid_init_concurrent);
    RUN(test_stop_from_another_thread);
    printf("test_train: %d checks, %d tests: %d passed, %d failed\n", n_checks, n_tests,
           n_tests - n_tests_failed, n_tests_failed);
    return n_tests_failed ? 1 : 0;
}
