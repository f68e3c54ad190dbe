/* fe_doc2vec.h — paragraph vectors of new documents (Doc2Vec's infer_vector), the model
 * frozen.
 *
 * Training itself runs in fe_train_range (fe_train.h, "Documents"): a document's tags are
 * rows of w_in there. Inference trains one fresh vector per document against weights that
 * stay as they are (gensim's infer_vector: learn_words and learn_hidden off), so it reads
 * the model and writes only its own rows: any number of threads may infer at once, and a
 * document's vector depends only on its word ids, the settings and the seed (not on the
 * batch it came in, its position there, or the number of workers).
 *
 * Per document: a stream of draws is seeded from (seed, a hash of its word ids); the vector
 * starts uniform in (-0.5, 0.5) / dim (gensim's start for an inferred vector, half the
 * range of the trained ones) from that stream. Each of `epochs` passes subsamples the words (keep_threshold, as in training) and
 * trains at a rate falling linearly per pass from alpha to min_alpha (gensim: alpha - e *
 * (alpha - min_alpha) / max(epochs - 1, 1) in pass e). For each kept word:
 *   - dm = 0 (PV-DBOW): the vector predicts the word: scored against the word's outputs (its
 *     Huffman nodes with hs, the word and `negative` draws that differ from it), the vector
 *     gets sum_o g_o * output_o (skip-gram's step, outputs unchanged). gensim also runs the
 *     skip-gram word steps with dbow_words, which change nothing when words are frozen.
 *   - dm = 1 (PV-DM): the input is the sum of the window's context words' rows and the
 *     vector (the window drawn as in training), divided by their count with cbow_mean; the
 *     vector gets the input's gradient (divided by the count when summing: CBOW's rule).
 *   - dm = 1 with dm_concat: the concatenated layer of fe_dm_concat.h, the vector in its tag
 *     slots (fe_dm_concat_infer_step).
 * Scores go through fe_sigmoid_lookup, saturating as in training. The draws of a stretch of
 * words are made before its steps (in the same order), so that the output rows of the words
 * ahead can be prefetched while a step runs. The arithmetic of a step
 * is ops.infer_step, compiled per instruction set with the training updates (fe_updates.h).
 */
#ifndef FE_DOC2VEC_H
#define FE_DOC2VEC_H

#include <stdint.h>

#include "fe_errors.h"
#include "fe_train.h" /* fe_update_ops */

typedef struct fe_infer_config {
    const float *w_in;  /* the words' rows, vocab_size x dim (read only) */
    const float *w_out; /* vocab_size x dim; NULL without negative sampling */
    const float *w_hs;  /* Huffman inner nodes; NULL without hs */
    int64_t vocab_size, dim;
    int32_t dm, hs, negative, window, cbow_mean, shrink_windows, epochs;
    float alpha, min_alpha;
    const uint32_t *keep_threshold; /* NULL: no subsampling */
    const uint64_t *alias;          /* negative-sampling alias table (fe_sample.h) */
    const int64_t *hs_offset;       /* vocab_size + 1 offsets into hs_code / hs_point */
    const uint8_t *hs_code;
    const uint32_t *hs_point;
    fe_update_ops ops; /* the instruction set: fe_simd_ops() (infer_step does the arithmetic) */
    /* dm = 1 with the concatenating layer (fe_dm_concat.h): the vector fills dm_tag_count tag
     * slots, null_word (a word id) pads the window at the document's ends, w_out and w_hs rows
     * are fe_dm_concat_width(dm_tag_count, window, dim) floats, windows never shrink. */
    int32_t dm_concat, dm_tag_count;
    uint32_t null_word;
} fe_infer_config;

/* Infers documents [first, end) of the encoded batch (document k: ids[offsets[k] ..
 * offsets[k + 1])) into rows first .. end - 1 of out (dim floats each). Every id must be
 * below vocab_size (checked by the caller). Returns FE_OK, FE_ERR_ARG (a table the settings
 * need, or ops.infer_step, is missing) or FE_ERR_NOMEM. */
int fe_infer_range(const fe_infer_config *cfg, const uint32_t *ids, const int64_t *offsets,
                   int64_t first, int64_t end, uint64_t seed, float *out);

#endif
