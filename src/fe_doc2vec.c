#include "fe_doc2vec.h"

#include <stdlib.h>
#include <string.h>

#include "fe_dm_concat.h"
#include "fe_prefetch.h"
#include "fe_rng.h"
#include "fe_sample.h"
#include "fe_sigmoid.h"

/* The outputs of `word`, in the kernel's order: its Huffman nodes (label 1 - code bit), the
 * word itself (label 1) and `negative` draws that differ from it (label 0). Returns how many;
 * out and label hold up to the longest path + 1 + negative entries. */
static int32_t collect_outputs(const fe_infer_config *cfg, uint32_t word, fe_rng *rng, float **out,
                               float *label)
{
    /* the output rows' width: the concatenated layer's, or the word rows' */
    const int64_t dim =
        cfg->dm_concat ? fe_dm_concat_width(cfg->dm_tag_count, cfg->window, cfg->dim) : cfg->dim;
    int32_t n_out = 0;
    if (cfg->hs) {
        for (int64_t k = cfg->hs_offset[word]; k < cfg->hs_offset[word + 1]; k++) {
            out[n_out] = (float *)cfg->w_hs + (int64_t)cfg->hs_point[k] * dim;
            label[n_out++] = 1.0f - (float)cfg->hs_code[k];
        }
    }
    if (cfg->negative > 0) {
        out[n_out] = (float *)cfg->w_out + (int64_t)word * dim;
        label[n_out++] = 1.0f;
        for (int32_t d = 0; d < cfg->negative; d++) {
            uint32_t neg = fe_alias_draw(cfg->alias, (uint32_t)cfg->vocab_size, rng);
            if (neg == word) continue;
            out[n_out] = (float *)cfg->w_out + (int64_t)neg * dim;
            label[n_out++] = 0.0f;
        }
    }
    return n_out;
}

/* A document's stream seed: its word ids hashed (64-bit FNV-1a over the ids) with the length. */
static uint64_t document_hash(const uint32_t *ids, int64_t n)
{
    uint64_t h = 0xCBF29CE484222325ULL;
    for (int64_t i = 0; i < n; i++) {
        h ^= ids[i];
        h *= 0x100000001B3ULL;
    }
    return h ^ (uint64_t)n;
}

/* The steps of an epoch are planned before they run: every random draw of a stretch of up to
 * PLAN_WORDS kept words (each word's window, then its outputs: the order in which an unplanned
 * loop would draw them, since a step draws nothing) is made first, and the steps then run
 * with the output rows of the word PREFETCH_AHEAD places on prefetched. The output rows are
 * scattered over a matrix far larger than the caches (negatives are drawn from the whole
 * vocabulary), so unplanned, a step often waited for them (prefetched, inference of short
 * documents ran 1.2x faster); planned, the vectors come out bit for bit the same. */
#define PLAN_WORDS 256
#define PREFETCH_AHEAD 2

static inline void prefetch_row(const float *row, int64_t dim)
{
    const char *first = (const char *)row, *last = (const char *)(row + dim) - 1;
    for (const char *p = first; p < last; p += 64) FE_PREFETCH_READ(p);
    FE_PREFETCH_READ(last);
}

/* Scratch of one thread: the kept words of a document (and room for a window's context after
 * them), the plan of a stretch of them (per word: its window's reach, its outputs as row
 * pointers and labels, `outputs` entries a word), and infer_step's floats. The output rows
 * are only read: infer_step takes them as the training updates' row pointers, which are not
 * const. */
typedef struct infer_scratch {
    uint32_t *kept;
    float **out;
    float *label;
    int32_t *n_out;
    int64_t *reach;
    int64_t outputs;
    float *step;
} infer_scratch;

/* Steps of the kept words [first, end) of an epoch (end - first <= PLAN_WORDS): drawn first,
 * then run. */
static void run_stretch(const fe_infer_config *cfg, const uint32_t *kept, int64_t n, int64_t first,
                        int64_t end, float alpha, fe_rng *rng, float *vec, const infer_scratch *s)
{
    const int64_t stride = s->outputs;
    const int64_t dim =
        cfg->dm_concat ? fe_dm_concat_width(cfg->dm_tag_count, cfg->window, cfg->dim) : cfg->dim;
    for (int64_t i = first; i < end; i++) {
        const int64_t p = i - first;
        /* the window drawn first, then the negatives: training's order of draws */
        if (cfg->dm && !cfg->dm_concat)
            s->reach[p] = cfg->window -
                (cfg->shrink_windows ? (int64_t)fe_rng_below(rng, (uint32_t)cfg->window) : 0);
        s->n_out[p] =
            collect_outputs(cfg, kept[i], rng, s->out + p * stride, s->label + p * stride);
    }
    for (int64_t k = 0; k < PREFETCH_AHEAD && first + k < end; k++)
        for (int32_t o = 0; o < s->n_out[k]; o++) prefetch_row(s->out[k * stride + o], dim);
    uint32_t *context = (uint32_t *)kept + n;
    for (int64_t i = first; i < end; i++) {
        const int64_t p = i - first;
        if (i + PREFETCH_AHEAD < end) {
            const int64_t ahead = p + PREFETCH_AHEAD;
            for (int32_t o = 0; o < s->n_out[ahead]; o++)
                prefetch_row(s->out[ahead * stride + o], dim);
        }
        float *const *out = s->out + p * stride;
        const float *label = s->label + p * stride;
        if (!cfg->dm) {
            cfg->ops.infer_step(cfg->w_in, NULL, 0, 0, vec, out, label, s->n_out[p], alpha, s->step,
                                dim);
            continue;
        }
        if (cfg->dm_concat) {
            fe_dm_concat_slots(NULL, 0, kept, n, i, cfg->window, cfg->null_word, context);
            fe_dm_concat_infer_step(&cfg->ops, cfg->w_in, cfg->dim, cfg->dm_tag_count, context,
                                    2 * cfg->window, vec, out, label, s->n_out[p], alpha, s->step);
            continue;
        }
        const int64_t lo = i - s->reach[p] < 0 ? 0 : i - s->reach[p];
        const int64_t hi = i + s->reach[p] + 1 > n ? n : i + s->reach[p] + 1;
        /* the context: kept[lo .. hi) without the centre */
        int32_t n_context = 0;
        for (int64_t c = lo; c < hi; c++)
            if (c != i) context[n_context++] = kept[c];
        cfg->ops.infer_step(cfg->w_in, context, n_context, cfg->cbow_mean, vec, out, label,
                            s->n_out[p], alpha, s->step, dim);
    }
}

/* One document, its vector in vec (dim floats). */
static void infer_document(const fe_infer_config *cfg, const uint32_t *ids, int64_t len,
                           uint64_t seed, float *vec, const infer_scratch *s)
{
    const int64_t dim = cfg->dim;
    fe_rng rng;
    fe_rng_seed(&rng, seed, document_hash(ids, len), 0x1AFE);
    /* uniform(-0.5, 0.5) / dim: gensim's start for an inferred vector, half the range of the
     * trained ones; the wider start scored 0.005-0.01 lower in classifiers on the vectors */
    for (int64_t i = 0; i < dim; i++) vec[i] = (fe_rng_uniform(&rng) - 0.5f) / (float)dim;
    const float step =
        (cfg->alpha - cfg->min_alpha) / (float)(cfg->epochs > 1 ? cfg->epochs - 1 : 1);
    for (int32_t epoch = 0; epoch < cfg->epochs; epoch++) {
        const float alpha = cfg->alpha - step * (float)epoch;
        uint32_t *kept = s->kept;
        int64_t n = 0;
        for (int64_t i = 0; i < len; i++)
            if (!cfg->keep_threshold || fe_rng_next32(&rng) <= cfg->keep_threshold[ids[i]])
                kept[n++] = ids[i];
        for (int64_t first = 0; first < n; first += PLAN_WORDS)
            run_stretch(cfg, kept, n, first, first + PLAN_WORDS < n ? first + PLAN_WORDS : n, alpha,
                        &rng, vec, s);
    }
}

int fe_infer_range(const fe_infer_config *cfg, const uint32_t *ids, const int64_t *offsets,
                   int64_t first, int64_t end, uint64_t seed, float *out)
{
    if (cfg->dim < 1 || cfg->vocab_size < 1 || cfg->window < 1 || cfg->epochs < 0 || !cfg->w_in ||
        (cfg->negative > 0 && (!cfg->alias || !cfg->w_out)) ||
        (cfg->hs && (!cfg->hs_offset || !cfg->w_hs)) || (!cfg->hs && cfg->negative <= 0))
        return FE_ERR_ARG;
    if (cfg->dm_concat &&
        (!cfg->dm || cfg->dm_tag_count < 1 || !cfg->ops.output_scores ||
         (int64_t)cfg->null_word >= cfg->vocab_size ||
         (int64_t)cfg->dm_tag_count + 2 * (int64_t)cfg->window > INT32_MAX))
        return FE_ERR_ARG;
    if (!cfg->ops.infer_step) return FE_ERR_ARG;
    fe_sigmoid_init();
    int64_t longest = 1;
    for (int64_t k = first; k < end; k++)
        if (offsets[k + 1] - offsets[k] > longest) longest = offsets[k + 1] - offsets[k];
    int64_t longest_path = 0;
    if (cfg->hs)
        for (int64_t w = 0; w < cfg->vocab_size; w++)
            if (cfg->hs_offset[w + 1] - cfg->hs_offset[w] > longest_path)
                longest_path = cfg->hs_offset[w + 1] - cfg->hs_offset[w];
    const int64_t outputs = longest_path + 1 + (cfg->negative > 0 ? cfg->negative : 0);
    infer_scratch s;
    /* kept words, then room for a window's context (2 * window ids) after them */
    s.kept = (uint32_t *)malloc((size_t)(longest + 2 * (int64_t)cfg->window) * sizeof(uint32_t));
    s.outputs = outputs;
    s.out = (float **)malloc((size_t)(PLAN_WORDS * outputs) * sizeof(float *));
    s.label = (float *)malloc((size_t)(PLAN_WORDS * outputs) * sizeof(float));
    s.n_out = (int32_t *)malloc(PLAN_WORDS * sizeof(int32_t));
    s.reach = (int64_t *)malloc(PLAN_WORDS * sizeof(int64_t));
    const int64_t step_floats = cfg->dm_concat
        ? fe_dm_concat_scratch(fe_dm_concat_width(cfg->dm_tag_count, cfg->window, cfg->dim),
                               (int32_t)outputs)
        : fe_infer_scratch(cfg->dim, (int32_t)outputs);
    s.step = (float *)malloc((size_t)step_floats * sizeof(float));
    int status = FE_OK;
    if (!s.kept || !s.out || !s.label || !s.n_out || !s.reach || !s.step) status = FE_ERR_NOMEM;
    else
        for (int64_t k = first; k < end; k++)
            infer_document(cfg, ids + offsets[k], offsets[k + 1] - offsets[k], seed,
                           out + k * cfg->dim, &s);
    free(s.kept);
    free(s.out);
    free(s.label);
    free(s.n_out);
    free(s.reach);
    free(s.step);
    return status;
}
