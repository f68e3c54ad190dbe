/* fe_dm_concat.h — PV-DM with a concatenated input layer (gensim's Doc2Vec dm_concat=1).
 *
 * The input of a centre word is not a sum or mean but dm_tag_count tag rows followed by the
 * 2 * window word rows around the centre, in order (window positions before it, then after),
 * side by side: a layer of width (dm_tag_count + 2 * window) * dim, and the output rows (w_out,
 * w_hs) have that width. A position before the document's first or after its last kept word
 * holds the row of the padding word (gensim's '\0' vocabulary entry, trained as an input like
 * any word). The window never shrinks: the layer's slots are positions.
 *
 * One training step: the layer is composed from the rows; it predicts the centre output by
 * output (fe_update_ops.predict: Huffman nodes, the word, its negatives, each output row
 * updated as it is scored); then slot k of the gathered gradient is added to the row in slot
 * k (times its lock factor), slot by slot, so a row in two slots gets both shares.
 *
 * Inference (fe_doc2vec.h) puts the new document's vector in every tag slot; the outputs and
 * word rows stay frozen, all scores are taken before the vector moves, and it gets the sum of
 * the gradient's tag slots. (gensim's infer_vector trains nothing when dm_tag_count > 1, as its
 * one inferred vector is not the expected number of tags.)
 */
#ifndef FE_DM_CONCAT_H
#define FE_DM_CONCAT_H

#include <stdint.h>

#include "fe_train.h"

/* Floats of the concatenated layer (and of an output row). */
static inline int64_t fe_dm_concat_width(int32_t tag_count, int32_t window, int64_t dim)
{
    return ((int64_t)tag_count + 2 * (int64_t)window) * dim;
}

/* Scratch floats of a step over a layer of `width` floats (training and inference). */
int64_t fe_dm_concat_scratch(int64_t width, int32_t n_outputs);

/* The input slots of centre i among kept[0 .. n): the tag rows, then kept[i - window ..
 * i + window] without the centre, null_word outside 0 .. n - 1. slots holds tag_count + 2 *
 * window entries. */
void fe_dm_concat_slots(const uint32_t *tags, int32_t tag_count, const uint32_t *kept, int64_t n,
                        int64_t i, int32_t window, uint32_t null_word, uint32_t *slots);

/* One training step (semantics above): w is the model with w->dim the word rows' width and
 * w_out / w_hs rows of n_slots * w->dim floats; no hot rows. Returns the loss (0 unless
 * want_loss). */
double fe_dm_concat_step(const fe_update_ops *ops, const fe_weights *w, const uint32_t *slots,
                         int32_t n_slots, const fe_target *t, float alpha, float *scratch,
                         int want_loss);

/* One inference step: vec (dim floats) fills the first tag_count slots, w_in rows `words`
 * (n_words of them) the rest; scored against the n_out frozen output rows `out` (n_slots * dim
 * floats each, n_slots = tag_count + n_words) with labels `label` by ops->output_scores; only vec
 * moves. */
void fe_dm_concat_infer_step(const fe_update_ops *ops, const float *w_in, int64_t dim,
                             int32_t tag_count, const uint32_t *words, int32_t n_words, float *vec,
                             float *const *out, const float *label, int32_t n_out, float alpha,
                             float *scratch);

#endif
