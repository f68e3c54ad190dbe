/* C-level tests of Doc2Vec's kernel parts, built with sanitizers by tests/c/Makefile: the
 * training loop with document rows (PV-DM, PV-DBOW with and without word training, shared
 * and per-pair negatives) over documents empty, untagged and longer than the loop's buffer;
 * the refused document configurations; and inference (src/fe_doc2vec.h): the model left
 * untouched, results independent of how the batch is split, missing tables refused; and the
 * concatenating PV-DM layer (src/fe_dm_concat.h).
 *
 * Usage: test_doc2vec [SCRATCH_DIR]   (the directory is unused; accepted like every C test) */
#include "fe_doc2vec.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fe_sample.h"
#include "fe_simd.h"
#include "fe_train.h"

enum { V = 40, DIM = 19, TAGS = 6, DOCS = 6, LONG_DOC = 9000 };

typedef struct model {
    float w_in[(V + TAGS) * DIM], w_out[V * DIM], w_hs[(V - 1) * DIM];
    int64_t count[V], hs_offset[V + 1];
    uint64_t alias[V];
    uint8_t *hs_code;
    uint32_t *hs_point;
    uint32_t keep[V];
} model;

static uint64_t lcg_state = 99;
static uint32_t lcg(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(lcg_state >> 33);
}

static void model_init(model *m)
{
    for (int64_t i = 0; i < (V + TAGS) * DIM; i++) m->w_in[i] = (float)(lcg() % 1000) / 4000.f;
    for (int64_t i = 0; i < V * DIM; i++) m->w_out[i] = (float)(lcg() % 1000) / 4000.f - 0.1f;
    for (int64_t i = 0; i < (V - 1) * DIM; i++) m->w_hs[i] = (float)(lcg() % 1000) / 4000.f;
    double weight[V];
    int64_t work[2 * V], parent[2 * V - 1];
    uint8_t is_right[2 * V - 1];
    int32_t depth[V];
    for (int v = 0; v < V; v++) {
        m->count[v] = 500 / (v + 1) + 1;
        weight[v] = pow((double)m->count[v], 0.75);
        m->keep[v] = 0xD0000000u;
    }
    CHECK_EQ(fe_alias_build(weight, V, m->alias, work), 0);
    CHECK_EQ(fe_huffman_tree(m->count, V, parent, is_right, depth), 0);
    m->hs_offset[0] = 0;
    for (int v = 0; v < V; v++) m->hs_offset[v + 1] = m->hs_offset[v] + depth[v];
    m->hs_code = malloc((size_t)m->hs_offset[V]);
    m->hs_point = malloc((size_t)m->hs_offset[V] * sizeof(uint32_t));
    fe_huffman_paths(parent, is_right, V, m->hs_offset, m->hs_code, m->hs_point);
}

/* Documents: a short one, an empty one, an untagged one, one longer than the loop's buffer
 * (its tags join every piece), one with a tag listed twice, and one more. Tag row V + 5 is
 * never used. */
static const int64_t lengths[DOCS] = {12, 0, 7, LONG_DOC, 30, 3};
static const int64_t doc_offsets[DOCS + 1] = {0, 1, 2, 2, 4, 7, 8};
static const uint32_t doc_rows[8] = {V, V + 1, V + 2, V + 3, V + 4, V, V + 4, V + 1};

typedef struct corpus {
    uint32_t *ids;
    int64_t offsets[DOCS + 1];
} corpus;

static void corpus_init(corpus *c)
{
    c->offsets[0] = 0;
    for (int d = 0; d < DOCS; d++) c->offsets[d + 1] = c->offsets[d] + lengths[d];
    c->ids = malloc((size_t)c->offsets[DOCS] * sizeof(uint32_t));
    for (int64_t i = 0; i < c->offsets[DOCS]; i++) c->ids[i] = lcg() % V;
}

static fe_config config(model *m, int sg, int dbow_words, int shared, int hs, int negative,
                        volatile int64_t *done)
{
    fe_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.w.w_in = m->w_in;
    cfg.w.w_out = negative ? m->w_out : NULL;
    cfg.w.w_hs = hs ? m->w_hs : NULL;
    cfg.w.vocab_size = V;
    cfg.w.n_input_rows = V + TAGS;
    cfg.w.dim = DIM;
    cfg.sg = sg;
    cfg.hs = hs;
    cfg.negative = negative;
    cfg.window = 3;
    cfg.cbow_mean = 1;
    cfg.shrink_windows = 1;
    cfg.shared_negatives = shared;
    cfg.compute_loss = 1;
    cfg.alpha = 0.05f;
    cfg.min_alpha = 0.001f;
    cfg.keep_threshold = m->keep;
    cfg.alias = m->alias;
    cfg.hs_offset = m->hs_offset;
    cfg.hs_code = m->hs_code;
    cfg.hs_point = m->hs_point;
    cfg.total_words = LONG_DOC + 100;
    cfg.words_done = done;
    cfg.doc_offsets = doc_offsets;
    cfg.doc_rows = doc_rows;
    cfg.dbow_words = dbow_words;
    CHECK(fe_simd_ops(-1, &cfg.ops) >= 0);
    return cfg;
}

static int rows_equal(const float *a, const float *b, int64_t first, int64_t end)
{
    return memcmp(a + first * DIM, b + first * DIM, (size_t)((end - first) * DIM) * 4) == 0;
}

static void test_document_training(void)
{
    static const int modes[4][3] = {{0, 0, 1}, {1, 0, 1}, {1, 1, 1}, {1, 1, 0}};
    corpus c;
    corpus_init(&c);
    for (int mode = 0; mode < 4; mode++)
        for (int hs = 0; hs < 2; hs++) {
            model m, before;
            model_init(&m);
            memcpy(&before, &m, sizeof(m));
            volatile int64_t done = 0;
            const int sg = modes[mode][0];
            fe_config cfg = config(&m, sg, modes[mode][1], modes[mode][2], hs, hs ? 0 : 4, &done);
            fe_job job = {c.ids, c.offsets, 0, DOCS, 7};
            fe_result res;
            CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
            CHECK_EQ(res.words, c.offsets[DOCS]);
            CHECK(isfinite(res.loss) && res.loss > 0);
            int finite = 1;
            for (int64_t i = 0; i < (V + TAGS) * DIM; i++) finite &= isfinite(m.w_in[i]) != 0;
            CHECK(finite);
            for (int64_t t = V; t < V + 5; t++) CHECK(!rows_equal(m.w_in, before.w_in, t, t + 1));
            CHECK(rows_equal(m.w_in, before.w_in, V + 5, V + 6)); /* no document has it */
            /* PV-DBOW without word training leaves the words' rows as they were */
            CHECK(rows_equal(m.w_in, before.w_in, 0, V) == (sg && !modes[mode][1]));
            free(m.hs_code); /* `before` shares these two tables */
            free(m.hs_point);
        }
    free(c.ids);
}

static void test_refused_documents(void)
{
    corpus c;
    corpus_init(&c);
    model m;
    model_init(&m);
    volatile int64_t done = 0;
    fe_config cfg = config(&m, 0, 0, 1, 0, 3, &done);
    fe_job job = {c.ids, c.offsets, 0, DOCS, 1};
    fe_result res;
    const int64_t decreasing[DOCS + 1] = {0, 2, 1, 2, 4, 7, 8};
    cfg.doc_offsets = decreasing;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    cfg.doc_offsets = doc_offsets;
    cfg.doc_rows = NULL; /* rows listed but none given */
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    cfg.doc_rows = doc_rows;
    const int64_t sub_offsets[V + 1] = {0};
    const uint32_t sub_rows[1] = {0};
    cfg.subword_offsets = sub_offsets; /* documents and subwords do not combine */
    cfg.subword_rows = sub_rows;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    free(m.hs_code);
    free(m.hs_point);
    free(c.ids);
}

static void test_inference(void)
{
    corpus c;
    corpus_init(&c);
    model m, before;
    model_init(&m);
    memcpy(&before, &m, sizeof(m));
    float whole[DOCS * DIM], parts[DOCS * DIM];
    for (int dm = 0; dm < 2; dm++) {
        fe_infer_config cfg;
        memset(&cfg, 0, sizeof(cfg));
        cfg.w_in = m.w_in;
        cfg.w_out = m.w_out;
        cfg.w_hs = m.w_hs;
        cfg.vocab_size = V;
        cfg.dim = DIM;
        cfg.dm = dm;
        cfg.hs = 1;
        cfg.negative = 3;
        cfg.window = 2;
        cfg.cbow_mean = 1;
        cfg.shrink_windows = 1;
        cfg.epochs = 3;
        cfg.alpha = 0.05f;
        cfg.min_alpha = 0.001f;
        cfg.keep_threshold = m.keep;
        cfg.alias = m.alias;
        cfg.hs_offset = m.hs_offset;
        cfg.hs_code = m.hs_code;
        cfg.hs_point = m.hs_point;
        /* without an instruction set's ops the kernel refuses to run */
        CHECK_EQ(fe_infer_range(&cfg, c.ids, c.offsets, 0, DOCS, 5, whole), FE_ERR_ARG);
        CHECK(fe_simd_ops(-1, &cfg.ops) >= 0);
        CHECK_EQ(fe_infer_range(&cfg, c.ids, c.offsets, 0, DOCS, 5, whole), FE_OK);
        CHECK_EQ(fe_infer_range(&cfg, c.ids, c.offsets, 0, 3, 5, parts), FE_OK);
        CHECK_EQ(fe_infer_range(&cfg, c.ids, c.offsets, 3, DOCS, 5, parts), FE_OK);
        CHECK(memcmp(whole, parts, sizeof(whole)) == 0);
        int finite = 1;
        for (int i = 0; i < DOCS * DIM; i++) finite &= isfinite(whole[i]) != 0;
        CHECK(finite);
        cfg.alias = NULL;
        CHECK_EQ(fe_infer_range(&cfg, c.ids, c.offsets, 0, DOCS, 5, parts), FE_ERR_ARG);
    }
    CHECK(memcmp(m.w_in, before.w_in, sizeof(m.w_in)) == 0);
    CHECK(memcmp(m.w_out, before.w_out, sizeof(m.w_out)) == 0);
    CHECK(memcmp(m.w_hs, before.w_hs, sizeof(m.w_hs)) == 0);
    free(m.hs_code);
    free(m.hs_point);
    free(c.ids);
}

/* The concatenating layer (fe_dm_concat.h), one tag a document: documents with one tag train
 * it (V, V + 1), those with none, two or three are read but not trained (V + 2 .. V + 4 stay,
 * the long document among them); the padding word V - 1 trains; the refused settings; and
 * inference leaves the model as it was, whatever the split of the batch. */
static void test_concat(void)
{
    enum { WIDTH = (1 + 2 * 3) * DIM };
    corpus c;
    corpus_init(&c);
    for (int i = 0; i < c.offsets[DOCS]; i++) c.ids[i] %= V - 1; /* the padding word is no word */
    model m, before;
    model_init(&m);
    float *w_out = malloc(V * WIDTH * sizeof(float)),
          *w_hs = malloc((V - 1) * WIDTH * sizeof(float));
    for (int64_t i = 0; i < V * WIDTH; i++) w_out[i] = (float)(lcg() % 1000) / 40000.f - 0.01f;
    for (int64_t i = 0; i < (V - 1) * WIDTH; i++) w_hs[i] = (float)(lcg() % 1000) / 40000.f;
    memcpy(&before, &m, sizeof(m));
    volatile int64_t done = 0;
    fe_config cfg = config(&m, 0, 0, 1, 1, 3, &done);
    cfg.w.w_out = w_out;
    cfg.w.w_hs = w_hs;
    cfg.dm_concat = 1;
    cfg.dm_tag_count = 1;
    cfg.null_word = V - 1;
    fe_job job = {c.ids, c.offsets, 0, DOCS, 3};
    fe_result res;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_OK);
    CHECK_EQ(res.words, c.offsets[DOCS]);
    CHECK(isfinite(res.loss) && res.loss > 0);
    CHECK(!rows_equal(m.w_in, before.w_in, V, V + 1));
    CHECK(!rows_equal(m.w_in, before.w_in, V + 1, V + 2));
    CHECK(rows_equal(m.w_in, before.w_in, V + 2, V + TAGS));
    CHECK(!rows_equal(m.w_in, before.w_in, V - 1, V));
    int finite = 1;
    for (int64_t i = 0; i < V * WIDTH; i++) finite &= isfinite(w_out[i]) != 0;
    CHECK(finite);
    cfg.null_word = V; /* not a word */
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    cfg.null_word = V - 1;
    cfg.dm_tag_count = 0;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);
    cfg.dm_tag_count = 1;
    cfg.sg = 1;
    CHECK_EQ(fe_train_range(&cfg, &job, &res), FE_ERR_ARG);

    fe_infer_config icfg;
    memset(&icfg, 0, sizeof(icfg));
    icfg.w_in = m.w_in;
    icfg.w_out = w_out;
    icfg.w_hs = w_hs;
    icfg.vocab_size = V;
    icfg.dim = DIM;
    icfg.dm = 1;
    icfg.hs = 1;
    icfg.negative = 3;
    icfg.window = 3;
    icfg.epochs = 3;
    icfg.alpha = 0.05f;
    icfg.min_alpha = 0.001f;
    icfg.keep_threshold = m.keep;
    icfg.alias = m.alias;
    icfg.hs_offset = m.hs_offset;
    icfg.hs_code = m.hs_code;
    icfg.hs_point = m.hs_point;
    icfg.dm_concat = 1;
    icfg.dm_tag_count = 1;
    icfg.null_word = V - 1;
    CHECK(fe_simd_ops(-1, &icfg.ops) >= 0);
    float *trained_in = malloc(sizeof(m.w_in)), *trained_out = malloc(V * WIDTH * sizeof(float));
    memcpy(trained_in, m.w_in, sizeof(m.w_in));
    memcpy(trained_out, w_out, V * WIDTH * sizeof(float));
    float whole[DOCS * DIM], parts[DOCS * DIM];
    CHECK_EQ(fe_infer_range(&icfg, c.ids, c.offsets, 0, DOCS, 5, whole), FE_OK);
    CHECK_EQ(fe_infer_range(&icfg, c.ids, c.offsets, 0, 4, 5, parts), FE_OK);
    CHECK_EQ(fe_infer_range(&icfg, c.ids, c.offsets, 4, DOCS, 5, parts), FE_OK);
    CHECK(memcmp(whole, parts, sizeof(whole)) == 0);
    CHECK(memcmp(trained_in, m.w_in, sizeof(m.w_in)) == 0);
    CHECK(memcmp(trained_out, w_out, V * WIDTH * sizeof(float)) == 0);
    icfg.null_word = V;
    CHECK_EQ(fe_infer_range(&icfg, c.ids, c.offsets, 0, DOCS, 5, whole), FE_ERR_ARG);
    free(trained_in);
    free(trained_out);
    free(w_out);
    free(w_hs);
    free(m.hs_code);
    free(m.hs_point);
    free(c.ids);
}

int main(void)
{
    test_document_training();
    test_refused_documents();
    test_inference();
    test_concat();
    printf("test_doc2vec: %d checks, %d failed\n", n_checks, n_failed);
    return n_failed ? 1 : 0;
}
