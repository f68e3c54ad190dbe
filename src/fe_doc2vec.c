#include "fe_doc2vec.h"

#include <stdlib.h>
#include <string.h>

#include "fe_rng.h"
#include "fe_sample.h"
#include "fe_sigmoid.h"

/* Four running sums, as the kernel's scalar path, so that the result does not hang on one
 * chain of additions. */
static float dot(const float *x, const float *y, int64_t n)
{
    float s0 = 0.f, s1 = 0.f, s2 = 0.f, s3 = 0.f;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += x[i] * y[i];
        s1 += x[i + 1] * y[i + 1];
        s2 += x[i + 2] * y[i + 2];
        s3 += x[i + 3] * y[i + 3];
    }
    for (; i < n; i++) s0 += x[i] * y[i];
    return (s0 + s1) + (s2 + s3);
}

static void axpy(float a, const float *x, float *y, int64_t n)
{
    for (int64_t i = 0; i < n; i++) y[i] += a * x[i];
}

/* One output scored against input h with label 1 or 0: its gradient share added to grad. */
static void score_output(const float *h, const float *out, float label, float alpha, float *grad,
                         int64_t dim)
{
    const float g = (label - fe_sigmoid_lookup(dot(h, out, dim))) * alpha;
    axpy(g, out, grad, dim);
}

/* grad += the gradient of input h predicting `word` (its Huffman nodes, the word, and
 * negatives drawn now that differ from it); the outputs are not changed. */
static void predict_word(const fe_infer_config *cfg, const float *h, uint32_t word, float alpha,
                         fe_rng *rng, float *grad)
{
    const int64_t dim = cfg->dim;
    if (cfg->hs) {
        for (int64_t k = cfg->hs_offset[word]; k < cfg->hs_offset[word + 1]; k++)
            score_output(h, cfg->w_hs + (int64_t)cfg->hs_point[k] * dim,
                         1.0f - (float)cfg->hs_code[k], alpha, grad, dim);
    }
    if (cfg->negative > 0) {
        score_output(h, cfg->w_out + (int64_t)word * dim, 1.0f, alpha, grad, dim);
        for (int32_t d = 0; d < cfg->negative; d++) {
            uint32_t neg = fe_alias_draw(cfg->alias, (uint32_t)cfg->vocab_size, rng);
            if (neg == word) continue;
            score_output(h, cfg->w_out + (int64_t)neg * dim, 0.0f, alpha, grad, dim);
        }
    }
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

/* One document, its vector in vec (dim floats); kept, h and grad are scratch. */
static void infer_document(const fe_infer_config *cfg, const uint32_t *ids, int64_t len,
                           uint64_t seed, float *vec, uint32_t *kept, float *h, float *grad)
{
    const int64_t dim = cfg->dim;
    fe_rng rng;
    fe_rng_seed(&rng, seed, document_hash(ids, len), 0x1AFE);
    for (int64_t i = 0; i < dim; i++) vec[i] = (fe_rng_uniform(&rng) * 2.0f - 1.0f) / (float)dim;
    const float step =
        (cfg->alpha - cfg->min_alpha) / (float)(cfg->epochs > 1 ? cfg->epochs - 1 : 1);
    for (int32_t epoch = 0; epoch < cfg->epochs; epoch++) {
        const float alpha = cfg->alpha - step * (float)epoch;
        int64_t n = 0;
        for (int64_t i = 0; i < len; i++)
            if (!cfg->keep_threshold || fe_rng_next32(&rng) <= cfg->keep_threshold[ids[i]])
                kept[n++] = ids[i];
        for (int64_t i = 0; i < n; i++) {
            memset(grad, 0, (size_t)dim * sizeof(float));
            if (!cfg->dm) {
                predict_word(cfg, vec, kept[i], alpha, &rng, grad);
                axpy(1.0f, grad, vec, dim);
                continue;
            }
            const int64_t b =
                cfg->shrink_windows ? (int64_t)fe_rng_below(&rng, (uint32_t)cfg->window) : 0;
            const int64_t reach = cfg->window - b;
            const int64_t lo = i - reach < 0 ? 0 : i - reach;
            const int64_t hi = i + reach + 1 > n ? n : i + reach + 1;
            memcpy(h, vec, (size_t)dim * sizeof(float));
            float count = 1.0f;
            for (int64_t c = lo; c < hi; c++) {
                if (c == i) continue;
                axpy(1.0f, cfg->w_in + (int64_t)kept[c] * dim, h, dim);
                count += 1.0f;
            }
            if (cfg->cbow_mean)
                for (int64_t k = 0; k < dim; k++) h[k] /= count;
            predict_word(cfg, h, kept[i], alpha, &rng, grad);
            axpy(cfg->cbow_mean ? 1.0f : 1.0f / count, grad, vec, dim);
        }
    }
}

int fe_infer_range(const fe_infer_config *cfg, const uint32_t *ids, const int64_t *offsets,
                   int64_t first, int64_t end, uint64_t seed, float *out)
{
    if (cfg->dim < 1 || cfg->vocab_size < 1 || cfg->window < 1 || cfg->epochs < 0 || !cfg->w_in ||
        (cfg->negative > 0 && (!cfg->alias || !cfg->w_out)) ||
        (cfg->hs && (!cfg->hs_offset || !cfg->w_hs)) || (!cfg->hs && cfg->negative <= 0))
        return FE_ERR_ARG;
    fe_sigmoid_init();
    int64_t longest = 1;
    for (int64_t k = first; k < end; k++)
        if (offsets[k + 1] - offsets[k] > longest) longest = offsets[k + 1] - offsets[k];
    uint32_t *kept = (uint32_t *)malloc((size_t)longest * sizeof(uint32_t));
    float *h = (float *)malloc(2 * (size_t)cfg->dim * sizeof(float));
    if (!kept || !h) {
        free(kept);
        free(h);
        return FE_ERR_NOMEM;
    }
    for (int64_t k = first; k < end; k++)
        infer_document(cfg, ids + offsets[k], offsets[k + 1] - offsets[k], seed, out + k * cfg->dim,
                       kept, h, h + cfg->dim);
    free(kept);
    free(h);
    return FE_OK;
}
