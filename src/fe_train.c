#include "fe_train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fe_atomic.h"
#include "fe_rng.h"
#include "fe_sample.h"
#include "fe_simd.h"

static float sigmoid_table[FE_SIGMOID_BINS];

void fe_train_init(void)
{
    for (int i = 0; i < FE_SIGMOID_BINS; i++) {
        double x = -FE_MAX_EXP + (i + 0.5) * (2.0 * FE_MAX_EXP / FE_SIGMOID_BINS);
        sigmoid_table[i] = (float)(1.0 / (1.0 + exp(-x)));
    }
}

float fe_sigmoid(float x)
{
    if (x >= FE_MAX_EXP) return 1.0f;
    if (!(x > -FE_MAX_EXP)) return 0.0f;   /* also NaN: never index the table with it */
    int i = (int)((x + FE_MAX_EXP) * (FE_SIGMOID_BINS / (2.0f * FE_MAX_EXP)));
    return sigmoid_table[i < FE_SIGMOID_BINS ? i : FE_SIGMOID_BINS - 1];
}

/* log(1 + e^x) without overflow: the loss of a logistic prediction. */
static double softplus(double x)
{
    return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

/* The shared core of every update: input vector l1 predicts `t`; the input's error gradient
 * is accumulated into grad and the output rows are updated in place. */
static double predict_targets(const fe_weights *w, const float *l1, float *grad,
                              const fe_target *t, float alpha, int want_loss)
{
    const int64_t dim = w->dim;
    double loss = 0.0;
    for (int32_t j = 0; j < t->code_len; j++) {
        float *l2 = w->w_hs + (int64_t)t->point[j] * dim;
        float f = fe_simd.dot(l1, l2, dim);
        float label = 1.0f - (float)t->code[j];   /* word2vec.c: branch bit 0 is the positive class */
        float g = (label - fe_sigmoid(f)) * alpha;
        if (want_loss) loss += softplus(label > 0.5f ? -f : f);
        fe_simd.axpy(g, l2, grad, dim);
        fe_simd.axpy(g, l1, l2, dim);
    }
    if (w->w_out) {
        for (int32_t d = -1; d < t->n_neg; d++) {
            uint32_t target = d < 0 ? t->word : t->neg[d];
            if (d >= 0 && target == t->word) continue;
            float label = d < 0 ? 1.0f : 0.0f;
            float *l2 = w->w_out + (int64_t)target * dim;
            float f = fe_simd.dot(l1, l2, dim);
            float g = (label - fe_sigmoid(f)) * alpha;
            if (want_loss) loss += softplus(d < 0 ? -f : f);
            fe_simd.axpy(g, l2, grad, dim);
            fe_simd.axpy(g, l1, l2, dim);
        }
    }
    return loss;
}

double fe_sg_step(const fe_weights *w, uint32_t context, const fe_target *t, float alpha,
                  float *scratch, int want_loss)
{
    float *l1 = w->w_in + (int64_t)context * w->dim;
    float *grad = scratch;
    memset(grad, 0, (size_t)w->dim * sizeof(float));
    double loss = predict_targets(w, l1, grad, t, alpha, want_loss);
    fe_simd.axpy(1.0f, grad, l1, w->dim);
    return loss;
}

int64_t fe_sg_window_step_scratch(int64_t dim, int32_t n_context, int32_t n_outputs)
{
    return 3 * (int64_t)n_outputs + (int64_t)n_context * n_outputs + (int64_t)n_context * dim;
}

double fe_sg_window_step(const fe_weights *w, const uint32_t *context, int32_t n_context,
                         const fe_target *t, float alpha, float *scratch, int want_loss)
{
    /* Outputs of the window: the Huffman nodes of the centre, the centre itself, and the
     * negatives that differ from it, each with its label. Every context row is scored against
     * every output (g = n_context x n_out), then the context gradients are gathered from the
     * old output rows, the output rows updated from the old context rows, and the context
     * rows updated last: the block update of HogBatch. */
    const int64_t dim = w->dim;
    const int32_t max_out = t->code_len + 1 + t->n_neg;
    /* scratch layout: output row ids (int64, first so they are aligned), labels, scores,
     * context gradients. A negative row id -1-k names inner node k of w_hs. */
    int64_t *row = (int64_t *)(void *)scratch;
    float *label = scratch + 2 * (int64_t)max_out;
    float *g = label + max_out;                           /* n_context x n_out */
    float *delta = g + (int64_t)n_context * max_out;      /* n_context x dim */
    double loss = 0.0;
    int32_t n_out = 0;
    for (int32_t j = 0; j < t->code_len; j++) {
        row[n_out] = -1 - (int64_t)t->point[j];           /* negative: a w_hs row */
        label[n_out++] = 1.0f - (float)t->code[j];
    }
    if (w->w_out) {
        row[n_out] = t->word;
        label[n_out++] = 1.0f;
        for (int32_t d = 0; d < t->n_neg; d++) {
            if (t->neg[d] == t->word) continue;
            row[n_out] = t->neg[d];
            label[n_out++] = 0.0f;
        }
    }
#define FE_OUT_ROW(o) (row[o] < 0 ? w->w_hs + (-1 - row[o]) * dim : w->w_out + row[o] * dim)
    for (int32_t c = 0; c < n_context; c++) {
        const float *in = w->w_in + (int64_t)context[c] * dim;
        for (int32_t o = 0; o < n_out; o++) {
            float f = fe_simd.dot(in, FE_OUT_ROW(o), dim);
            g[(int64_t)c * n_out + o] = (label[o] - fe_sigmoid(f)) * alpha;
            if (want_loss) loss += softplus(label[o] > 0.5f ? -f : f);
        }
    }
    memset(delta, 0, (size_t)(n_context * dim) * sizeof(float));
    for (int32_t c = 0; c < n_context; c++)
        for (int32_t o = 0; o < n_out; o++)
            fe_simd.axpy(g[(int64_t)c * n_out + o], FE_OUT_ROW(o), delta + (int64_t)c * dim, dim);
    for (int32_t o = 0; o < n_out; o++) {
        float *l2 = FE_OUT_ROW(o);
        for (int32_t c = 0; c < n_context; c++)
            fe_simd.axpy(g[(int64_t)c * n_out + o], w->w_in + (int64_t)context[c] * dim, l2, dim);
    }
#undef FE_OUT_ROW
    for (int32_t c = 0; c < n_context; c++)
        fe_simd.axpy(1.0f, delta + (int64_t)c * dim, w->w_in + (int64_t)context[c] * dim, dim);
    return loss;
}

double fe_cbow_step(const fe_weights *w, const uint32_t *context, int32_t n_context,
                    int32_t cbow_mean, const fe_target *t, float alpha, float *scratch,
                    int want_loss)
{
    const int64_t dim = w->dim;
    float *mean = scratch, *grad = scratch + dim;
    if (n_context <= 0) return 0.0;
    memset(mean, 0, (size_t)dim * sizeof(float));
    memset(grad, 0, (size_t)dim * sizeof(float));
    for (int32_t c = 0; c < n_context; c++)
        fe_simd.axpy(1.0f, w->w_in + (int64_t)context[c] * dim, mean, dim);
    float inv = 1.0f / (float)n_context;
    if (cbow_mean)
        for (int64_t i = 0; i < dim; i++) mean[i] *= inv;
    double loss = predict_targets(w, mean, grad, t, alpha, want_loss);
    float scale = cbow_mean ? 1.0f : inv;
    for (int32_t c = 0; c < n_context; c++)
        fe_simd.axpy(scale, grad, w->w_in + (int64_t)context[c] * dim, dim);
    return loss;
}

/* Private state of one fe_train_range call. */
typedef struct worker {
    const fe_config *cfg;
    fe_rng rng;
    float alpha;
    int64_t words, effective_words, unsynced_words;
    double loss;
    int stopped;
    uint32_t *kept;        /* kept words of the current sentence piece */
    int64_t kept_cap;
    uint32_t *context;     /* CBOW context ids */
    uint32_t *neg;         /* negatives of one update */
    float *scratch;        /* 2*dim floats */
} worker;

/* Publishes this worker's progress, reads everyone's, and derives the learning rate. */
static void sync_progress(worker *wk)
{
    const fe_config *cfg = wk->cfg;
    int64_t done = fe_atomic_add(cfg->words_done, wk->unsynced_words);
    wk->unsynced_words = 0;
    double progress = cfg->total_words > 0 ? (double)done / (double)cfg->total_words : 1.0;
    if (progress > 1.0) progress = 1.0;
    float alpha = cfg->alpha - (cfg->alpha - cfg->min_alpha) * (float)progress;
    wk->alpha = alpha > cfg->min_alpha ? alpha : cfg->min_alpha;
    if (cfg->stop && fe_atomic_load_int(cfg->stop)) wk->stopped = 1;
}

static void fill_target(worker *wk, uint32_t word, fe_target *t)
{
    const fe_config *cfg = wk->cfg;
    t->word = word;
    t->n_neg = 0;
    t->code_len = 0;
    if (cfg->negative > 0) {
        uint32_t n = (uint32_t)cfg->w.vocab_size;
        for (int32_t d = 0; d < cfg->negative; d++) wk->neg[d] = fe_alias_draw(cfg->alias, n, &wk->rng);
        t->neg = wk->neg;
        t->n_neg = cfg->negative;
    }
    if (cfg->hs) {
        int64_t off = cfg->hs_offset[word];
        t->code = cfg->hs_code + off;
        t->point = cfg->hs_point + off;
        t->code_len = (int32_t)(cfg->hs_offset[word + 1] - off);
    }
}

/* Trains the centres kept[first..end) of a piece of sentence held in kept[0..n). */
static void train_centres(worker *wk, int64_t first, int64_t end, int64_t n)
{
    const fe_config *cfg = wk->cfg;
    const int want_loss = cfg->compute_loss;
    fe_target t;
    for (int64_t i = first; i < end; i++) {
        int64_t b = cfg->shrink_windows ? (int64_t)fe_rng_below(&wk->rng, (uint32_t)cfg->window) : 0;
        int64_t reach = cfg->window - b;
        int64_t lo = i - reach < 0 ? 0 : i - reach;
        int64_t hi = i + reach + 1 > n ? n : i + reach + 1;
        if (cfg->sg && cfg->shared_negatives) {
            int32_t n_context = 0;
            for (int64_t c = lo; c < hi; c++)
                if (c != i) wk->context[n_context++] = wk->kept[c];
            if (n_context == 0) continue;
            fill_target(wk, wk->kept[i], &t);
            wk->loss += fe_sg_window_step(&cfg->w, wk->context, n_context, &t, wk->alpha,
                                          wk->scratch, want_loss);
        } else if (cfg->sg) {
            for (int64_t c = lo; c < hi; c++) {
                if (c == i) continue;
                fill_target(wk, wk->kept[i], &t);
                wk->loss += fe_sg_step(&cfg->w, wk->kept[c], &t, wk->alpha, wk->scratch, want_loss);
            }
        } else {
            int32_t n_context = 0;
            for (int64_t c = lo; c < hi; c++)
                if (c != i) wk->context[n_context++] = wk->kept[c];
            if (n_context == 0) continue;
            fill_target(wk, wk->kept[i], &t);
            wk->loss += fe_cbow_step(&cfg->w, wk->context, n_context, cfg->cbow_mean, &t,
                                     wk->alpha, wk->scratch, want_loss);
        }
    }
}

/* Subsamples and trains one sentence of any length with bounded memory: kept words collect
 * in a buffer; when it fills, every centre whose right context is complete is trained and
 * the buffer keeps only the last 2*window words (left context of the centres still to come). */
static void train_sentence(worker *wk, const uint32_t *ids, int64_t len)
{
    const fe_config *cfg = wk->cfg;
    const int64_t window = cfg->window;
    int64_t n = 0, centre = 0;
    for (int64_t i = 0; i < len && !wk->stopped; i++) {
        uint32_t word = ids[i];
        wk->words++;
        if (++wk->unsynced_words >= FE_PROGRESS_BATCH) sync_progress(wk);
        if (cfg->keep_threshold && fe_rng_next32(&wk->rng) > cfg->keep_threshold[word]) continue;
        wk->effective_words++;
        wk->kept[n++] = word;
        if (n == wk->kept_cap) {
            train_centres(wk, centre, n - window, n);
            memmove(wk->kept, wk->kept + n - 2 * window, (size_t)(2 * window) * sizeof(uint32_t));
            n = 2 * window;
            centre = window;
        }
    }
    if (!wk->stopped) train_centres(wk, centre, n, n);
}

int fe_train_range(const fe_config *cfg, const fe_job *job, fe_result *out)
{
    memset(out, 0, sizeof(*out));
    if (cfg->window < 1 || cfg->w.dim < 1 || cfg->w.vocab_size < 1 ||
        (cfg->negative > 0 && (!cfg->alias || !cfg->w.w_out)) ||
        (cfg->hs && (!cfg->hs_offset || !cfg->w.w_hs)))
        return FE_EINVAL;

    worker wk;
    memset(&wk, 0, sizeof(wk));
    wk.cfg = cfg;
    fe_rng_seed(&wk.rng, job->seed, 0, 0);
    wk.kept_cap = 4 * (int64_t)cfg->window > 2 * (int64_t)cfg->window + 4096
                      ? 4 * (int64_t)cfg->window : 2 * (int64_t)cfg->window + 4096;
    wk.kept = (uint32_t *)malloc((size_t)wk.kept_cap * sizeof(uint32_t));
    wk.context = (uint32_t *)malloc((size_t)(2 * cfg->window + 1) * sizeof(uint32_t));
    wk.neg = (uint32_t *)malloc((size_t)(cfg->negative + 1) * sizeof(uint32_t));
    int32_t max_code = 0;
    if (cfg->hs)
        for (int64_t v = 0; v < cfg->w.vocab_size; v++)
            if (cfg->hs_offset[v + 1] - cfg->hs_offset[v] > max_code)
                max_code = (int32_t)(cfg->hs_offset[v + 1] - cfg->hs_offset[v]);
    int64_t scratch = fe_sg_window_step_scratch(cfg->w.dim, 2 * cfg->window,
                                                max_code + 1 + cfg->negative);
    if (scratch < 2 * cfg->w.dim) scratch = 2 * cfg->w.dim;
    wk.scratch = (float *)malloc((size_t)scratch * sizeof(float));
    int status = FE_OK;
    if (!wk.kept || !wk.context || !wk.neg || !wk.scratch) {
        status = FE_ENOMEM;
    } else {
        sync_progress(&wk);
        for (int64_t s = job->first_sentence; s < job->end_sentence && !wk.stopped; s++)
            train_sentence(&wk, job->ids + job->offsets[s], job->offsets[s + 1] - job->offsets[s]);
        sync_progress(&wk);
        if (wk.stopped) status = FE_STOPPED;
    }
    out->words = wk.words;
    out->effective_words = wk.effective_words;
    out->loss = wk.loss;
    free(wk.kept);
    free(wk.context);
    free(wk.neg);
    free(wk.scratch);
    return status;
}
