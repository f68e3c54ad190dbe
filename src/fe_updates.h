/* fe_updates.h — the weight updates, written once and compiled once per instruction set.
 *
 * Not a public header: fe_updates_scalar.c, fe_updates_avx2.c and fe_updates_avx512.c each
 * define the vector helpers (vec_dot, vec_axpy, vec_add_to_rows, vec_dot_many, vec_mean_rows,
 * vec_backprop, vec_block_backprop; the two x86 files through fe_vec_x86.h) and FE_NAME(), then
 * include this file, so every update is built with its helpers inlined for that instruction
 * set. A run takes one set from fe_simd_ops(). The semantics are documented in fe_train.h.
 */
#include <stdint.h>
#include <string.h>

#include "fe_sigmoid.h"
#include "fe_train.h"

/* Input and output rows of word `id`: the worker's private copies for the hot rows. */
static inline float *in_row(const fe_weights *w, uint32_t id)
{
    return (int64_t)id < w->n_hot ? w->w_in_hot + (int64_t)id * w->dim
                                  : w->w_in + (int64_t)id * w->dim;
}

/* Input row `id` of a subword list: also the worker's copies of the n_hot_ngrams rows after
 * the words' (only the subword updates read n-gram rows, so only they pay for the check). */
static inline float *subword_row(const fe_weights *w, uint32_t id)
{
    const uint64_t ngram = (uint64_t)id - (uint64_t)w->vocab_size; /* huge below vocab_size */
    if (ngram < (uint64_t)w->n_hot_ngrams) return w->w_ngrams_hot + (int64_t)ngram * w->dim;
    return in_row(w, id);
}

static inline float *out_row(const fe_weights *w, uint32_t id)
{
    return (int64_t)id < w->n_hot ? w->w_out_hot + (int64_t)id * w->dim
                                  : w->w_out + (int64_t)id * w->dim;
}

/* Huffman inner node `node`: the worker's private copies for the top of the tree. */
static inline float *hs_row(const fe_weights *w, uint32_t node)
{
    const int64_t top = (int64_t)node - (w->vocab_size - 1 - w->n_hot_hs); /* < 0: shared */
    return top >= 0 ? w->w_hs_hot + top * w->dim : w->w_hs + (int64_t)node * w->dim;
}

/* Factor of the update of input row `id` (w->lockf set): its lock factor. Only the steps'
 * separate lock-factor paths read it, so training without lock factors pays nothing. */
static inline float in_lockf(const fe_weights *w, uint32_t id)
{
    return w->lockf[(int64_t)id % w->lockf_len];
}

/* The first 64-byte boundary at or after p (fe_step_scratch leaves room for it). */
static inline float *align_row(float *p)
{
    return (float *)(void *)(((uintptr_t)p + 63) & ~(uintptr_t)63);
}

/* The step of one output scored f with label 1 (predict it) or 0 (do not): g = the gradient
 * scale, and the output's logistic loss is added to loss when want_loss. Every update goes
 * through here, so all of them share the saturation rule of fe_sigmoid_lookup. A macro: the
 * same code as an inline function taking &loss compiled to 0.5 % more instructions per
 * window (bench/kernel_counts.py). */
#define OUTPUT_STEP(g, f, label, alpha, want_loss, loss)                                           \
    do {                                                                                           \
        const float f_ = (f), label_ = (label);                                                    \
        (g) = (label_ - fe_sigmoid_lookup(f_)) * (alpha);                                          \
        if (want_loss) (loss) += fe_softplus(label_ > 0.5f ? -f_ : f_);                            \
    } while (0)

/* The steps of m outputs, in place: g[o] the score on entry, the gradient scale on exit. With
 * the loss one at a time; without it by vec_output_steps, which computes the same values
 * several outputs at a time. */
#define OUTPUT_STEPS(g, label, m, alpha, want_loss, loss)                                          \
    do {                                                                                           \
        if (want_loss) {                                                                           \
            for (int32_t o_ = 0; o_ < (m); o_++)                                                   \
                OUTPUT_STEP((g)[o_], (g)[o_], (label)[o_], alpha, want_loss, loss);                \
        } else {                                                                                   \
            vec_output_steps((g), (label), (m), (alpha));                                          \
        }                                                                                          \
    } while (0)

/* Input vector l1 predicts `t`: its error gradient is accumulated into grad and the output
 * rows are updated in place, one output at a time (word2vec.c's order). */
static double predict_targets(const fe_weights *w, const float *l1, float *grad, const fe_target *t,
                              float alpha, int want_loss)
{
    const int64_t dim = w->dim;
    double loss = 0.0;
    for (int32_t j = 0; j < t->code_len; j++) {
        float *l2 = hs_row(w, t->point[j]);
        float f = vec_dot(l1, l2, dim);
        float label = 1.0f - (float)t->code[j]; /* word2vec.c: branch bit 0 is the positive class */
        float g;
        OUTPUT_STEP(g, f, label, alpha, want_loss, loss);
        vec_axpy(g, l2, grad, dim);
        vec_axpy(g, l1, l2, dim);
    }
    if (w->w_out) {
        for (int32_t d = -1; d < t->n_neg; d++) {
            uint32_t target = d < 0 ? t->word : t->neg[d];
            if (d >= 0 && target == t->word) continue;
            float label = d < 0 ? 1.0f : 0.0f;
            float *l2 = out_row(w, target);
            float f = vec_dot(l1, l2, dim);
            float g;
            OUTPUT_STEP(g, f, label, alpha, want_loss, loss);
            vec_axpy(g, l2, grad, dim);
            vec_axpy(g, l1, l2, dim);
        }
    }
    return loss;
}

double FE_NAME(sg_step)(const fe_weights *w, uint32_t context, const fe_target *t, float alpha,
                        float *scratch, int want_loss)
{
    float *l1 = in_row(w, context);
    float *grad = scratch;
    memset(grad, 0, (size_t)w->dim * sizeof(float));
    double loss = predict_targets(w, l1, grad, t, alpha, want_loss);
    if (w->lockf) vec_axpy(in_lockf(w, context), grad, l1, w->dim);
    else vec_axpy(1.0f, grad, l1, w->dim);
    return loss;
}

/* The outputs one input predicts, for the block updates: the Huffman nodes of the target
 * (label 1 - code bit), the target itself (label 1) and its negatives that differ from it
 * (label 0). Returns how many. */
static int32_t collect_outputs(const fe_weights *w, const fe_target *t, float **out, float *label)
{
    int32_t n_out = 0;
    for (int32_t j = 0; j < t->code_len; j++) {
        out[n_out] = hs_row(w, t->point[j]);
        label[n_out++] = 1.0f - (float)t->code[j];
    }
    if (w->w_out) {
        out[n_out] = out_row(w, t->word);
        label[n_out++] = 1.0f;
        for (int32_t d = 0; d < t->n_neg; d++) {
            if (t->neg[d] == t->word) continue;
            out[n_out] = out_row(w, t->neg[d]);
            label[n_out++] = 0.0f;
        }
    }
    return n_out;
}

double FE_NAME(sg_window_step)(const fe_weights *w, const uint32_t *context, int32_t n_context,
                               const fe_target *t, float alpha, float *scratch, int want_loss)
{
    /* Outputs of the window: the Huffman nodes of the centre, the centre itself, and the
     * negatives that differ from it, each with its label; the same for every context word.
     * The context words predict them in turn, as in gensim: each is scored against the output
     * rows as the earlier context words left them. Applying the pairs one by one writes every
     * output row once per context word, and with several workers those writes move the rows
     * between cores (2 workers trained at 0.67x one worker's rate, against 1.77x with one
     * write a window). So the window is one block update that computes what the pairs in
     * turn would: context row c's score against output o is its score against the row as it
     * was, plus sum_{e < c} g[e][o] * (in[e] . in[c]) (what the earlier steps added to the
     * row, seen from in[c]); its gradient likewise takes sum_{e < c} (g[c] . g[e]) * in[e] on
     * top of the old rows'; then each output row and each context row is written once. All
     * context rows are read as they were before the window (a context word listed twice is
     * updated twice from its old row), and an output listed twice counts as two rows. Scoring
     * every pair from the rows before the window instead (HogBatch's block update) is not the
     * same estimator: it moved skip-gram's similarity scores by up to 0.03 from gensim's. */
    const int64_t dim = w->dim;
    const int32_t max_out = t->code_len + 1 + t->n_neg;
    /* scratch (sized by fe_step_scratch): row pointers first, so they are aligned */
    float **out = (float **)(void *)scratch; /* max_out output rows, then the context rows */
    float *label = scratch + 2 * ((int64_t)max_out + n_context);
    float *g = label + max_out;                             /* n_context x n_out */
    float *g_t = g + (int64_t)n_context * max_out;          /* its transpose */
    float *earlier = g_t + (int64_t)n_context * max_out;    /* n_context x n_context */
    float *dots = earlier + (int64_t)n_context * n_context; /* max_out + n_context */
    float *delta = align_row(dots + max_out + n_context);   /* n_context rows */
    const int64_t row = fe_scratch_row(dim);
    double loss = 0.0;
    const int32_t n_out = collect_outputs(w, t, out, label);
    if (n_out == 0) return 0.0;
    float **in = out + n_out; /* so that one pass scores a row against both lists */
    for (int32_t c = 0; c < n_context; c++) in[c] = in_row(w, context[c]);
    /* The vector paths compute the scales in registers (vec_window_scales); these loops are
     * the general path: with the loss, with more outputs than two vectors hold, and scalar. */
    if (want_loss || !vec_window_scales(out, n_out, n_context, label, alpha, g, earlier, dim)) {
        for (int32_t c = 0; c < n_context; c++) {
            float *gc = g + (int64_t)c * n_out;
            vec_dot_many(in[c], out, n_out + c, dots, dim); /* the outputs, then in[0..c) */
            for (int32_t o = 0; o < n_out; o++) gc[o] = dots[o];
            for (int32_t e = 0; e < c; e++) {
                const float *ge = g + (int64_t)e * n_out;
                const float overlap = dots[n_out + e];
                for (int32_t o = 0; o < n_out; o++) gc[o] += ge[o] * overlap;
            }
            OUTPUT_STEPS(gc, label, n_out, alpha, want_loss, loss);
            for (int32_t e = 0; e < c; e++) {
                const float *ge = g + (int64_t)e * n_out;
                float shared = 0.0f;
                for (int32_t o = 0; o < n_out; o++) shared += gc[o] * ge[o];
                earlier[(int64_t)c * n_context + e] = shared;
            }
        }
    }
    for (int32_t o = 0; o < n_out; o++)
        for (int32_t c = 0; c < n_context; c++)
            g_t[(int64_t)o * n_context + c] = g[(int64_t)c * n_out + o];
    if (!w->lockf) {
        vec_block_backprop(g, g_t, out, n_out, in, n_context, earlier, delta, row, dim);
        return loss;
    }
    /* With lock factors (rare: rows a user froze), the same update one row at a time: the
     * context gradients, the output rows from the old context rows, then each context row
     * scaled by its factor. */
    for (int32_t c = 0; c < n_context; c++) {
        float *dc = delta + (int64_t)c * row;
        memset(dc, 0, (size_t)dim * sizeof(float));
        for (int32_t o = 0; o < n_out; o++) vec_axpy(g[(int64_t)c * n_out + o], out[o], dc, dim);
        for (int32_t e = 0; e < c; e++)
            vec_axpy(earlier[(int64_t)c * n_context + e], in[e], dc, dim);
    }
    for (int32_t o = 0; o < n_out; o++)
        for (int32_t c = 0; c < n_context; c++)
            vec_axpy(g_t[(int64_t)o * n_context + c], in[c], out[o], dim);
    for (int32_t c = 0; c < n_context; c++)
        vec_axpy(in_lockf(w, context[c]), delta + (int64_t)c * row, in[c], dim);
    return loss;
}

/* Always inlined into the steps built on it, so that each is compiled for its own arguments
 * (cbow_step's single target folds the loop over targets away). */
#if defined(_MSC_VER)
#define FE_STEP_INLINE static __forceinline
#else
#define FE_STEP_INLINE static inline __attribute__((always_inline))
#endif

/* The rows are combined into one input (sum or mean), which is scored against every output of
 * every target at once, from the output rows as they were before the step; the input's
 * gradient is gathered from the old output rows before they are updated, then added to every
 * listed row (divided by the number of rows when summing: gensim's rule). */
FE_STEP_INLINE double combined_input_step(const fe_weights *w, const uint32_t *rows, int32_t n_rows,
                                          int32_t cbow_mean, const fe_target *targets,
                                          int32_t n_targets, float alpha, float *scratch,
                                          int want_loss)
{
    const int64_t dim = w->dim;
    int32_t max_out = 0;
    for (int32_t k = 0; k < n_targets; k++) max_out += targets[k].code_len + 1 + targets[k].n_neg;
    if (n_rows <= 0) return 0.0;
    float **out = (float **)(void *)scratch; /* max_out output rows */
    float **in = out + max_out;              /* n_rows input rows */
    float *label = scratch + 2 * ((int64_t)max_out + n_rows);
    float *g = label + max_out;           /* max_out scores */
    float *mean = align_row(g + max_out); /* dim (a whole scratch row), then grad's */
    double loss = 0.0;
    int32_t n_out = 0;
    for (int32_t k = 0; k < n_targets; k++)
        n_out += collect_outputs(w, &targets[k], out + n_out, label + n_out);
    if (n_out == 0) return 0.0;
    for (int32_t c = 0; c < n_rows; c++) in[c] = subword_row(w, rows[c]);
    const float inv = 1.0f / (float)n_rows;
    vec_mean_rows(in, n_rows, cbow_mean ? inv : 1.0f, mean, dim);
    vec_dot_many(mean, out, n_out, g, dim);
    OUTPUT_STEPS(g, label, n_out, alpha, want_loss, loss);
    const float scale = cbow_mean ? 1.0f : inv;
    if (!w->lockf) {
        vec_backprop(g, out, n_out, mean, in, n_rows, scale, dim);
        return loss;
    }
    /* With lock factors: the same backward step with its one input the zeroed grad row, which
     * then reaches each listed row scaled by that row's factor. */
    float *grad = mean + fe_scratch_row(dim);
    memset(grad, 0, (size_t)dim * sizeof(float));
    vec_backprop(g, out, n_out, mean, &grad, 1, scale, dim);
    for (int32_t c = 0; c < n_rows; c++) vec_axpy(in_lockf(w, rows[c]), grad, in[c], dim);
    return loss;
}

/* CBOW: the context words' rows predict the centre. */
double FE_NAME(cbow_step)(const fe_weights *w, const uint32_t *context, int32_t n_context,
                          int32_t cbow_mean, const fe_target *t, float alpha, float *scratch,
                          int want_loss)
{
    return combined_input_step(w, context, n_context, cbow_mean, t, 1, alpha, scratch, want_loss);
}

/* Subwords (fastText): the listed rows (the subword rows of the context words in CBOW, of
 * the centre in skip-gram) predict every target at once (the centre in CBOW, each context
 * word with its own negatives in skip-gram). */
double FE_NAME(subword_step)(const fe_weights *w, const uint32_t *rows, int32_t n_rows,
                             int32_t cbow_mean, const fe_target *targets, int32_t n_targets,
                             float alpha, float *scratch, int want_loss)
{
    return combined_input_step(w, rows, n_rows, cbow_mean, targets, n_targets, alpha, scratch,
                               want_loss);
}

/* Subword CBOW with cached word sums (fe_config.cbow_sums): the sum of a word's rows. `sum` is
 * a scratch row (its whole last block is written); scratch holds n_rows row pointers. */
void FE_NAME(rows_sum)(const fe_weights *w, const uint32_t *rows, int32_t n_rows, float *sum,
                       float *scratch)
{
    float **in = (float **)(void *)scratch;
    for (int32_t c = 0; c < n_rows; c++) in[c] = subword_row(w, rows[c]);
    vec_mean_rows(in, n_rows, 1.0f, sum, w->dim);
}

/* ... and the gradient a word gathered over its windows, added to each of its rows (a row
 * listed twice gets it twice), times the row's lock factor. */
void FE_NAME(rows_add)(const fe_weights *w, const uint32_t *rows, int32_t n_rows, const float *grad)
{
    enum { CHUNK = 32 }; /* rows a pass over grad: a word has about 20 */
    float *x[CHUNK];
    float a[CHUNK];
    for (int32_t first = 0; first < n_rows; first += CHUNK) {
        const int32_t m = n_rows - first < CHUNK ? n_rows - first : CHUNK;
        for (int32_t c = 0; c < m; c++) {
            x[c] = subword_row(w, rows[first + c]);
            a[c] = w->lockf ? in_lockf(w, rows[first + c]) : 1.0f;
        }
        vec_add_to_rows(grad, x, a, m, w->dim);
    }
}

/* ... and one window: its input, in_scale times the sum of the vectors sums[0..n), predicts
 * target t from the output rows before the step; the output rows are updated, and
 * grad_scale times the input's gradient is added to each grads[c] (not to any row). */
double FE_NAME(sums_step)(const fe_weights *w, float *const *sums, float *const *grads, int32_t n,
                          float in_scale, float grad_scale, const fe_target *t, float alpha,
                          float *scratch, int want_loss)
{
    const int64_t dim = w->dim;
    const int32_t max_out = t->code_len + 1 + t->n_neg;
    if (n <= 0) return 0.0;
    float **out = (float **)(void *)scratch; /* max_out output rows */
    float *label = scratch + 2 * (int64_t)max_out;
    float *g = label + max_out;            /* max_out scores */
    float *input = align_row(g + max_out); /* a whole scratch row */
    double loss = 0.0;
    const int32_t n_out = collect_outputs(w, t, out, label);
    if (n_out == 0) return 0.0;
    vec_mean_rows(sums, n, in_scale, input, dim);
    vec_dot_many(input, out, n_out, g, dim);
    OUTPUT_STEPS(g, label, n_out, alpha, want_loss, loss);
    vec_backprop(g, out, n_out, input, grads, n, grad_scale, dim);
    return loss;
}

/* One input vector predicts t, output by output (see fe_update_ops.predict). */
double FE_NAME(predict)(const fe_weights *w, const float *l1, float *grad, const fe_target *t,
                        float alpha, int want_loss)
{
    return predict_targets(w, l1, grad, t, alpha, want_loss);
}

/* See fe_update_ops.output_scores. */
void FE_NAME(output_scores)(const float *h, float *const *out, const float *label, int32_t n_out,
                            float alpha, float *g, int64_t dim)
{
    vec_dot_many(h, out, n_out, g, dim);
    vec_output_steps(g, label, n_out, alpha);
}

/* Inference: see fe_update_ops.infer_step. All scores are taken before vec moves, and vec
 * then gets the sum of the outputs' shares in one pass. */
void FE_NAME(infer_step)(const float *w_in, const uint32_t *rows, int32_t n_rows, int32_t cbow_mean,
                         float *vec, float *const *out, const float *label, int32_t n_out,
                         float alpha, float *scratch, int64_t dim)
{
    float *mean = align_row(scratch);
    float *g = mean + fe_scratch_row(dim);
    const float *h = vec;
    const float count = (float)n_rows + 1.0f;
    if (n_rows > 0) {
        memcpy(mean, vec, (size_t)dim * sizeof(float));
        for (int32_t c = 0; c < n_rows; c++)
            vec_axpy(1.0f, w_in + (int64_t)rows[c] * dim, mean, dim);
        if (cbow_mean) {
            const float inverse = 1.0f / count;
            for (int64_t i = 0; i < dim; i++) mean[i] *= inverse;
        }
        h = mean;
    }
    vec_dot_many(h, out, n_out, g, dim);
    vec_output_steps(g, label, n_out, alpha);
    const float scale = n_rows > 0 && !cbow_mean ? 1.0f / count : 1.0f;
    vec_add_rows(g, out, n_out, scale, vec, dim);
}
