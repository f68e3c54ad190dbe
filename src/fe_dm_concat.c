#include "fe_dm_concat.h"

#include <string.h>


/* The first 64-byte boundary at or after p (the scratch sizes leave room for it). */
static float *aligned(float *p) { return (float *)(void *)(((uintptr_t)p + 63) & ~(uintptr_t)63); }

int64_t fe_dm_concat_scratch(int64_t width, int32_t n_outputs)
{
    /* the layer and its gradient, each on a 64-byte boundary, then (inference) the scores */
    return 2 * (fe_scratch_row(width) + 15) + (int64_t)n_outputs;
}

void fe_dm_concat_slots(const uint32_t *tags, int32_t tag_count, const uint32_t *kept, int64_t n,
                        int64_t i, int32_t window, uint32_t null_word, uint32_t *slots)
{
    int32_t k = 0;
    for (; k < tag_count; k++) slots[k] = tags[k];
    for (int64_t c = i - window; c <= i + window; c++) {
        if (c == i) continue;
        slots[k++] = c < 0 || c >= n ? null_word : kept[c];
    }
}

double fe_dm_concat_step(const fe_update_ops *ops, const fe_weights *w, const uint32_t *slots,
                         int32_t n_slots, const fe_target *t, float alpha, float *scratch,
                         int want_loss)
{
    const int64_t dim = w->dim, width = (int64_t)n_slots * dim;
    float *layer = aligned(scratch);
    float *grad = aligned(layer + width);
    for (int32_t k = 0; k < n_slots; k++)
        memcpy(layer + k * dim, w->w_in + (int64_t)slots[k] * dim, (size_t)dim * sizeof(float));
    memset(grad, 0, (size_t)width * sizeof(float));
    /* the outputs' view of the model: rows of the layer's width, no private copies */
    fe_weights wide = *w;
    wide.dim = width;
    wide.n_hot = 0;
    wide.w_in_hot = wide.w_out_hot = NULL;
    const double loss = ops->predict(&wide, layer, grad, t, alpha, want_loss);
    for (int32_t k = 0; k < n_slots; k++) {
        float *row = w->w_in + (int64_t)slots[k] * dim;
        const float *share = grad + k * dim;
        const float f = w->lockf ? w->lockf[(int64_t)slots[k] % w->lockf_len] : 1.0f;
        for (int64_t d = 0; d < dim; d++) row[d] += f * share[d];
    }
    return loss;
}

void fe_dm_concat_infer_step(const fe_update_ops *ops, const float *w_in, int64_t dim,
                             int32_t tag_count, const uint32_t *words, int32_t n_words, float *vec,
                             float *const *out, const float *label, int32_t n_out, float alpha,
                             float *scratch)
{
    const int64_t tags_width = (int64_t)tag_count * dim;
    const int64_t width = tags_width + (int64_t)n_words * dim;
    float *layer = aligned(scratch);
    float *grad = aligned(layer + width);
    float *score = grad + fe_scratch_row(width);
    for (int32_t k = 0; k < tag_count; k++)
        memcpy(layer + k * dim, vec, (size_t)dim * sizeof(float));
    for (int32_t k = 0; k < n_words; k++)
        memcpy(layer + tags_width + k * dim, w_in + (int64_t)words[k] * dim,
               (size_t)dim * sizeof(float));
    /* the instruction set scores the outputs; only the tag slots' share of the gradient is
     * needed */
    ops->output_scores(layer, out, label, n_out, alpha, score, width);
    memset(grad, 0, (size_t)dim * sizeof(float));
    for (int32_t o = 0; o < n_out; o++)
        for (int32_t k = 0; k < tag_count; k++) {
            const float *share = out[o] + k * dim;
            for (int64_t d = 0; d < dim; d++) grad[d] += score[o] * share[d];
        }
    for (int64_t d = 0; d < dim; d++) vec[d] += grad[d];
}
