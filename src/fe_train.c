#include "fe_train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fe_alloc.h"
#include "fe_atomic.h"
#include "fe_dm_concat.h"
#include "fe_prefetch.h"
#include "fe_rng.h"
#include "fe_sample.h"
#include "fe_sigmoid.h"
#include "fe_simd.h"

float fe_sigmoid_table[FE_SIGMOID_BINS];
static volatile int32_t sigmoid_lock;
static int sigmoid_filled; /* read and written only under sigmoid_lock */

void fe_sigmoid_init(void)
{
    /* The lock, not a flag read outside it, orders the table's writes before every reader's
     * reads; it is taken once per run or range, never in the training loop. */
    fe_lock(&sigmoid_lock);
    if (!sigmoid_filled) {
        for (int i = 0; i < FE_SIGMOID_BINS; i++) {
            double x = -FE_MAX_EXP + (i + 0.5) * (2.0 * FE_MAX_EXP / FE_SIGMOID_BINS);
            fe_sigmoid_table[i] = (float)(1.0 / (1.0 + exp(-x)));
        }
        sigmoid_filled = 1;
    }
    fe_unlock(&sigmoid_lock);
}

float fe_sigmoid(float x)
{
    fe_sigmoid_init();
    return fe_sigmoid_lookup(x);
}

int64_t fe_step_scratch(int64_t dim, int32_t n_context, int32_t n_outputs)
{
    /* row pointers (2 floats each), labels, then for a skip-gram window: scores and their
     * transpose, the context words' overlaps and the context gradients; for CBOW: scores,
     * the mean and a gradient row. The vectors among them take fe_scratch_row floats each
     * and start on a 64-byte boundary (15 floats of slack for that). */
    const int64_t row = fe_scratch_row(dim);
    int64_t common = 2 * ((int64_t)n_outputs + n_context) + n_outputs + 15;
    int64_t sg = 2 * (int64_t)n_context * n_outputs + (int64_t)n_context * n_context + n_outputs +
        n_context + (int64_t)n_context * row;
    int64_t cbow = (int64_t)n_outputs + 2 * row; /* the mean, and a gradient with lock factors */
    return common + (sg > cbow ? sg : cbow);
}

int64_t fe_subword_scratch(int64_t dim, int32_t n_rows, int32_t n_outputs)
{
    /* row pointers, labels and scores, then the mean and a gradient row on a 64-byte
     * boundary: cbow_step's layout */
    return 2 * ((int64_t)n_outputs + n_rows) + 2 * (int64_t)n_outputs + 15 +
        2 * fe_scratch_row(dim);
}

int64_t fe_infer_scratch(int64_t dim, int32_t n_outputs)
{
    /* the mean on a 64-byte boundary (15 floats of slack), then the scores */
    return 15 + fe_scratch_row(dim) + (int64_t)n_outputs;
}

/* Private state of one fe_train_range call. */
typedef struct worker {
    const fe_config *cfg;
    fe_weights w;       /* cfg->w, with this worker's hot rows */
    float *hot_in_base; /* the hot rows as they were at the last merge */
    float *hot_out_base;
    float *hot_ngrams_base;
    float *hot_hs_base;
    int has_hot; /* any private copies (of words' rows or of n-gram rows) */
    int64_t unmerged_words, merge_every;
    int prefetch_hot; /* the private copies are too big to stay in the core's cache */
    fe_rng rng;
    float alpha;
    int64_t words, effective_words, unsynced_words, batch;
    double loss;
    int stopped;
    int prefetch_for_write; /* the CPU has PREFETCHW */
    uint32_t *kept;         /* kept words of the current sentence piece */
    int64_t kept_cap;
    uint32_t *context; /* CBOW context ids */
    uint32_t *neg;     /* negatives of the current and the next window */
    float *scratch;    /* fe_step_scratch floats */
    /* subwords only: */
    fe_target *targets; /* a skip-gram window's: 2 * window */
    uint32_t *rows;     /* the CBOW context's subword rows, one word's after another */
    /* subword CBOW with cbow_sums: for kept word p, slot p % (2 * window + 1) holds its rows'
     * sum, the gradient its windows gathered, its number of rows and whether a window used
     * it; a window's context as pointers into the slots */
    float *word_sum, *word_grad;
    int32_t *word_rows, *word_used;
    float **ctx_sum, **ctx_grad;
    /* documents only: the current sentence's tag rows, and whether the window's words are
     * inputs (not in PV-DBOW without dbow_words) */
    const uint32_t *doc;
    int32_t n_doc;
    int words_in;
} worker;

/* shared += scale * (own - base); then own = base = shared: this worker's updates of its copy
 * are published, and the copy takes in what the other workers published. */
static void merge_rows(float *shared, float *own, float *base, int64_t n, float scale)
{
    for (int64_t k = 0; k < n; k++) {
        float v = shared[k] + scale * (own[k] - base[k]);
        shared[k] = v;
        own[k] = base[k] = v;
    }
}

/* The shared rows of the n top nodes of the Huffman tree (see fe_weights.w_hs_hot). */
static float *hot_hs_shared(const fe_weights *w, int64_t n)
{
    return w->w_hs + (w->vocab_size - 1 - n) * w->dim;
}

static void merge_hot_rows(worker *wk)
{
    const int64_t n = wk->w.n_hot * wk->w.dim;
    const float scale = wk->cfg->hot_merge_scale > 0.0f ? wk->cfg->hot_merge_scale : 1.0f;
    fe_lock(wk->cfg->hot_lock);
    merge_rows(wk->cfg->w.w_in, wk->w.w_in_hot, wk->hot_in_base, n, scale);
    if (wk->w.w_out) merge_rows(wk->cfg->w.w_out, wk->w.w_out_hot, wk->hot_out_base, n, scale);
    merge_rows(wk->cfg->w.w_in + wk->w.vocab_size * wk->w.dim, wk->w.w_ngrams_hot,
               wk->hot_ngrams_base, wk->w.n_hot_ngrams * wk->w.dim, scale);
    if (wk->w.n_hot_hs > 0) {
        const float hs_scale =
            wk->cfg->hot_hs_merge_scale > 0.0f ? wk->cfg->hot_hs_merge_scale : scale;
        merge_rows(hot_hs_shared(&wk->cfg->w, wk->w.n_hot_hs), wk->w.w_hs_hot, wk->hot_hs_base,
                   wk->w.n_hot_hs * wk->w.dim, hs_scale);
    }
    fe_unlock(wk->cfg->hot_lock);
    wk->unmerged_words = 0;
}

/* Publishes this worker's progress, reads everyone's, and derives the learning rate. */
static void sync_progress(worker *wk)
{
    const fe_config *cfg = wk->cfg;
    if (wk->has_hot && wk->unmerged_words >= wk->merge_every) merge_hot_rows(wk);
    int64_t done = fe_atomic_add(cfg->words_done, wk->unsynced_words);
    wk->unsynced_words = 0;
    double progress = cfg->total_words > 0 ? (double)done / (double)cfg->total_words : 1.0;
    if (progress > 1.0) progress = 1.0;
    float alpha = cfg->alpha - (cfg->alpha - cfg->min_alpha) * (float)progress;
    wk->alpha = alpha > cfg->min_alpha ? alpha : cfg->min_alpha;
    if (cfg->stop && fe_atomic_load_int(cfg->stop)) wk->stopped = 1;
}

/* Points t at `word` and its Huffman path; draws its negatives into neg. */
static void fill_target(worker *wk, uint32_t word, uint32_t *neg, fe_target *t)
{
    const fe_config *cfg = wk->cfg;
    t->word = word;
    t->n_neg = 0;
    t->code_len = 0;
    if (cfg->negative > 0) {
        uint32_t n = (uint32_t)cfg->w.vocab_size;
        fe_rng rng = wk->rng; /* in a register: the stores to neg could alias wk->rng */
        for (int32_t d = 0; d < cfg->negative; d++) neg[d] = fe_alias_draw(cfg->alias, n, &rng);
        wk->rng = rng;
        t->neg = neg;
        t->n_neg = cfg->negative;
    }
    if (cfg->hs) {
        int64_t off = cfg->hs_offset[word];
        t->code = cfg->hs_code + off;
        t->point = cfg->hs_point + off;
        t->code_len = (int32_t)(cfg->hs_offset[word + 1] - off);
    }
}

/* Every cache line of a row the next window will update, two lines a pass (a pass per line
 * cost twice the loop instructions of the prefetches themselves). */
static void prefetch_row(const float *row, int64_t dim, int for_write)
{
    const char *line = (const char *)((uintptr_t)row & ~(uintptr_t)63);
    const char *last = (const char *)(row + dim - 1);
    if (for_write) {
        for (; line + 64 <= last; line += 128) {
            FE_PREFETCH_WRITE(line);
            FE_PREFETCH_WRITE(line + 64);
        }
        if (line <= last) FE_PREFETCH_WRITE(line);
    } else {
        for (; line + 64 <= last; line += 128) {
            FE_PREFETCH_READ(line);
            FE_PREFETCH_READ(line + 64);
        }
        if (line <= last) FE_PREFETCH_READ(line);
    }
}

/* Prefetches the row of word `id` in a matrix (shared) or in the worker's copy of its hot
 * rows (own), unless it is one of a few copies that stay in the core's cache anyway. */
static inline void prefetch_word(const worker *wk, const float *shared, const float *own,
                                 uint32_t id)
{
    const int64_t dim = wk->cfg->w.dim;
    if ((int64_t)id >= wk->w.n_hot)
        prefetch_row(shared + (int64_t)id * dim, dim, wk->prefetch_for_write);
    else if (wk->prefetch_hot) prefetch_row(own + (int64_t)id * dim, dim, wk->prefetch_for_write);
}

/* The random choices of one window, made one centre ahead so that its output rows (the
 * centre's and the negatives', scattered over the matrix) are already on their way into the
 * cache when the window is trained. The draws happen in the same order as without the
 * look-ahead, so results do not depend on it. */
typedef struct window_plan {
    int64_t lo, hi; /* context positions [lo, hi), minus the centre */
    int has_context;
    fe_target t;
} window_plan;

/* Context positions [*lo, *hi) of centre i among n kept words (the centre included): the
 * effective window is drawn here, uniform in 1..window when shrinking. */
static inline void window_bounds(worker *wk, int64_t i, int64_t n, int64_t *lo, int64_t *hi)
{
    const fe_config *cfg = wk->cfg;
    int64_t b = cfg->shrink_windows ? (int64_t)fe_rng_below(&wk->rng, (uint32_t)cfg->window) : 0;
    int64_t reach = cfg->window - b;
    *lo = i - reach < 0 ? 0 : i - reach;
    *hi = i + reach + 1 > n ? n : i + reach + 1;
    if (!wk->words_in) *hi = *lo = i; /* PV-DBOW without word training: no context word */
}

static void plan_window(worker *wk, int64_t i, int64_t n, uint32_t *neg, window_plan *p)
{
    const fe_config *cfg = wk->cfg;
    window_bounds(wk, i, n, &p->lo, &p->hi);
    p->has_context = p->hi - p->lo > 1 || wk->n_doc > 0; /* a document's rows are inputs */
    /* Input rows: each word's is prefetched once, when the widest window can first reach it
     * (from the centre `window` places to its left), one centre before that window runs. */
    const int64_t entering = i + cfg->window < n ? i + cfg->window : n - 1;
    prefetch_word(wk, cfg->w.w_in, wk->w.w_in_hot, wk->kept[entering]);
    if (!p->has_context) return;
    fill_target(wk, wk->kept[i], neg, &p->t);
    if (cfg->w.w_out) {
        prefetch_word(wk, cfg->w.w_out, wk->w.w_out_hot, p->t.word);
        for (int32_t d = 0; d < p->t.n_neg; d++)
            prefetch_word(wk, cfg->w.w_out, wk->w.w_out_hot, p->t.neg[d]);
    }
}

/* Trains the centres kept[first..end) of a piece of sentence held in kept[0..n). */
static void train_centres(worker *wk, int64_t first, int64_t end, int64_t n)
{
    const fe_config *cfg = wk->cfg;
    const int want_loss = cfg->compute_loss;
    if (first >= end) return;
    if (cfg->sg && !cfg->shared_negatives) {
        /* word2vec.c's order: negatives drawn for every (context, centre) pair */
        fe_target t;
        for (int64_t i = first; i < end; i++) {
            int64_t lo, hi;
            window_bounds(wk, i, n, &lo, &hi);
            for (int64_t c = lo; c < hi; c++) {
                if (c == i) continue;
                fill_target(wk, wk->kept[i], wk->neg, &t);
                wk->loss +=
                    cfg->ops.sg_step(&wk->w, wk->kept[c], &t, wk->alpha, wk->scratch, want_loss);
            }
            for (int32_t d = 0; d < wk->n_doc; d++) { /* then each document row (PV-DBOW) */
                fill_target(wk, wk->kept[i], wk->neg, &t);
                wk->loss +=
                    cfg->ops.sg_step(&wk->w, wk->doc[d], &t, wk->alpha, wk->scratch, want_loss);
            }
        }
        return;
    }
    /* One block update per window (skip-gram with shared negatives, or CBOW). */
    const int32_t stride = cfg->negative + 1;
    window_plan plans[2];
    int cur = 0;
    plan_window(wk, first, n, wk->neg, &plans[cur]);
    for (int64_t i = first; i < end; i++) {
        window_plan *p = &plans[cur];
        if (i + 1 < end) plan_window(wk, i + 1, n, wk->neg + (1 - cur) * stride, &plans[1 - cur]);
        if (p->has_context) {
            int32_t n_context = 0;
            for (int64_t c = p->lo; c < p->hi; c++)
                if (c != i) wk->context[n_context++] = wk->kept[c];
            for (int32_t d = 0; d < wk->n_doc; d++) wk->context[n_context++] = wk->doc[d];
            if (cfg->sg)
                wk->loss += cfg->ops.sg_window_step(&wk->w, wk->context, n_context, &p->t,
                                                    wk->alpha, wk->scratch, want_loss);
            else
                wk->loss += cfg->ops.cbow_step(&wk->w, wk->context, n_context, cfg->cbow_mean,
                                               &p->t, wk->alpha, wk->scratch, want_loss);
        }
        cur = 1 - cur;
    }
}

/* ---- subwords (fastText) ---- */

/* The subword rows of word `id`, and how many. */
static inline const uint32_t *subwords_of(const fe_config *cfg, uint32_t id, int32_t *n)
{
    const int64_t off = cfg->subword_offsets[id];
    *n = (int32_t)(cfg->subword_offsets[id + 1] - off);
    return cfg->subword_rows + off;
}

/* train_centres with subwords (semantics in fe_train.h). Unlike word2vec's loop it does not
 * draw one centre ahead to prefetch the next window's rows: prefetching every subword row and
 * output row of a window cost 13 % (CBOW) and 23 % (skip-gram) of all instructions
 * (bench/kernel_counts.py --subwords) and saved no measurable time, with 10^5 n-gram rows as
 * with 2 * 10^6 (the output rows, and a word's rows in the CBOW windows around it, are reused
 * from the cache; the n-gram rows of one step are loaded independently of each other). */
static void train_subword_centres(worker *wk, int64_t first, int64_t end, int64_t n)
{
    const fe_config *cfg = wk->cfg;
    const int want_loss = cfg->compute_loss;
    for (int64_t i = first; i < end; i++) {
        int64_t lo, hi;
        window_bounds(wk, i, n, &lo, &hi);
        if (hi - lo <= 1) continue;
        int32_t n_rows;
        const uint32_t *rows;
        fe_target t;
        if (!cfg->sg) { /* the context words' rows, one word's after another */
            fill_target(wk, wk->kept[i], wk->neg, &t);
            n_rows = 0;
            for (int64_t c = lo; c < hi; c++) {
                if (c == i) continue;
                int32_t k;
                const uint32_t *word_rows = subwords_of(cfg, wk->kept[c], &k);
                memcpy(wk->rows + n_rows, word_rows, (size_t)k * sizeof(uint32_t));
                n_rows += k;
            }
            wk->loss += cfg->ops.subword_step(&wk->w, wk->rows, n_rows, cfg->cbow_mean, &t, 1,
                                              wk->alpha, wk->scratch, want_loss);
        } else if (cfg->shared_negatives) { /* one block step: every context word a target */
            rows = subwords_of(cfg, wk->kept[i], &n_rows);
            int32_t n_targets = 0;
            for (int64_t c = lo; c < hi; c++) {
                if (c == i) continue;
                fill_target(wk, wk->kept[c], wk->neg + (int64_t)n_targets * cfg->negative,
                            &wk->targets[n_targets]);
                n_targets++;
            }
            wk->loss += cfg->ops.subword_step(&wk->w, rows, n_rows, cfg->cbow_mean, wk->targets,
                                              n_targets, wk->alpha, wk->scratch, want_loss);
        } else { /* fastText's order: one step per (centre, context) pair */
            rows = subwords_of(cfg, wk->kept[i], &n_rows);
            for (int64_t c = lo; c < hi; c++) {
                if (c == i) continue;
                fill_target(wk, wk->kept[c], wk->neg, &t);
                wk->loss += cfg->ops.subword_step(&wk->w, rows, n_rows, cfg->cbow_mean, &t, 1,
                                                  wk->alpha, wk->scratch, want_loss);
            }
        }
    }
}

/* The rows of kept word p of the piece, its slot of the cbow_sums ring, and its sum. */
static void sum_word(worker *wk, int64_t p)
{
    const fe_config *cfg = wk->cfg;
    const int64_t slot = p % (2 * (int64_t)cfg->window + 1), row = fe_scratch_row(cfg->w.dim);
    int32_t k;
    const uint32_t *rows = subwords_of(cfg, wk->kept[p], &k);
    cfg->ops.rows_sum(&wk->w, rows, k, wk->word_sum + slot * row, wk->scratch);
    memset(wk->word_grad + slot * row, 0, (size_t)cfg->w.dim * sizeof(float));
    wk->word_rows[slot] = k;
    wk->word_used[slot] = 0;
}

/* Adds the gradient kept word p gathered to its rows (if a window used it). */
static void apply_word(worker *wk, int64_t p)
{
    const fe_config *cfg = wk->cfg;
    const int64_t slot = p % (2 * (int64_t)cfg->window + 1), row = fe_scratch_row(cfg->w.dim);
    if (!wk->word_used[slot]) return;
    int32_t k;
    const uint32_t *rows = subwords_of(cfg, wk->kept[p], &k);
    cfg->ops.rows_add(&wk->w, rows, k, wk->word_grad + slot * row);
}

/* Subword CBOW with cached word sums (cbow_sums; semantics in fe_train.h): the same draws as
 * train_subword_centres. Word p is summed when the first window reaching it runs, and its
 * gradient applied after centre p + window, the last whose window can reach it; so a word
 * is never summed while the word 2 * window + 1 places before it (its slot's previous
 * owner) still waits. */
static void train_subword_cbow_sums(worker *wk, int64_t first, int64_t end, int64_t n)
{
    const fe_config *cfg = wk->cfg;
    const int want_loss = cfg->compute_loss;
    const int64_t window = cfg->window, ring = 2 * window + 1, row = fe_scratch_row(cfg->w.dim);
    if (first >= end) return;
    int64_t summed = first - window > 0 ? first - window : 0; /* words [.., summed) summed */
    int64_t applied = summed;                                 /* words [.., applied) applied */
    for (int64_t i = first; i < end; i++) {
        int64_t lo, hi;
        window_bounds(wk, i, n, &lo, &hi);
        if (hi - lo > 1) {
            fe_target t;
            fill_target(wk, wk->kept[i], wk->neg, &t);
            for (; summed < hi; summed++) sum_word(wk, summed);
            int32_t n_ctx = 0;
            int64_t n_rows = 0;
            for (int64_t c = lo; c < hi; c++) {
                if (c == i) continue;
                const int64_t slot = c % ring;
                wk->ctx_sum[n_ctx] = wk->word_sum + slot * row;
                wk->ctx_grad[n_ctx++] = wk->word_grad + slot * row;
                wk->word_used[slot] = 1;
                n_rows += wk->word_rows[slot];
            }
            if (n_rows > 0) {
                const float inv = 1.0f / (float)n_rows;
                wk->loss += cfg->ops.sums_step(
                    &wk->w, wk->ctx_sum, wk->ctx_grad, n_ctx, cfg->cbow_mean ? inv : 1.0f,
                    cfg->cbow_mean ? 1.0f : inv, &t, wk->alpha, wk->scratch, want_loss);
            }
        }
        for (; applied <= i - window && applied < summed; applied++) apply_word(wk, applied);
    }
    for (; applied < summed; applied++) apply_word(wk, applied);
}

/* The concatenating PV-DM layer (fe_dm_concat.h): one step per centre, its negatives its
 * only draws (the window never shrinks). Positions outside kept[0..n) are the document's ends:
 * a piece after the first starts `window` words before its first centre. The next centre's
 * negatives are drawn one step ahead (the same order of draws) and its output rows, each
 * the layer's width and scattered over a matrix far larger than the caches, prefetched. */
static void prefetch_outputs(const worker *wk, const fe_target *t, int64_t width)
{
    const fe_config *cfg = wk->cfg;
    if (!cfg->w.w_out) return;
    prefetch_row(cfg->w.w_out + (int64_t)t->word * width, width, wk->prefetch_for_write);
    for (int32_t d = 0; d < t->n_neg; d++)
        prefetch_row(cfg->w.w_out + (int64_t)t->neg[d] * width, width, wk->prefetch_for_write);
}

static void train_concat_centres(worker *wk, int64_t first, int64_t end, int64_t n)
{
    const fe_config *cfg = wk->cfg;
    const int32_t n_slots = cfg->dm_tag_count + 2 * cfg->window;
    const int64_t width = (int64_t)n_slots * cfg->w.dim;
    const int32_t stride = cfg->negative + 1;
    if (first >= end) return;
    fe_target targets[2];
    int cur = 0;
    fill_target(wk, wk->kept[first], wk->neg, &targets[cur]);
    for (int64_t i = first; i < end; i++) {
        if (i + 1 < end) {
            fill_target(wk, wk->kept[i + 1], wk->neg + (1 - cur) * stride, &targets[1 - cur]);
            prefetch_outputs(wk, &targets[1 - cur], width);
        }
        fe_dm_concat_slots(wk->doc, cfg->dm_tag_count, wk->kept, n, i, cfg->window, cfg->null_word,
                           wk->context);
        wk->loss += fe_dm_concat_step(&cfg->ops, &wk->w, wk->context, n_slots, &targets[cur],
                                      wk->alpha, wk->scratch, cfg->compute_loss);
        cur = 1 - cur;
    }
}

/* Trains the centres kept[first..end) of a piece of sentence kept[0..n), by the model's loop. */
static void train_piece(worker *wk, int64_t first, int64_t end, int64_t n)
{
    const fe_config *cfg = wk->cfg;
    if (cfg->dm_concat) train_concat_centres(wk, first, end, n);
    else if (!cfg->subword_offsets) train_centres(wk, first, end, n);
    else if (!cfg->sg && cfg->cbow_sums) train_subword_cbow_sums(wk, first, end, n);
    else train_subword_centres(wk, first, end, n);
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
        wk->unmerged_words++;
        if (++wk->unsynced_words >= wk->batch) sync_progress(wk);
        if (cfg->keep_threshold && fe_rng_next32(&wk->rng) > cfg->keep_threshold[word]) continue;
        wk->effective_words++;
        wk->kept[n++] = word;
        if (n == wk->kept_cap) {
            train_piece(wk, centre, n - window, n);
            memmove(wk->kept, wk->kept + n - 2 * window, (size_t)(2 * window) * sizeof(uint32_t));
            n = 2 * window;
            centre = window;
        }
    }
    if (wk->stopped) return;
    train_piece(wk, centre, n, n);
}

#define FE_LINE_PAIR 128
/* A worker's copies of up to this many rows (the default 64) stay in the core's cache between
 * uses and are not prefetched; a bigger set of copies (up to a replica of the whole model) is
 * prefetched like the shared rows. */
#define FE_HOT_CACHED_ROWS 256
static size_t line_pairs(size_t bytes)
{
    return (bytes + FE_LINE_PAIR - 1) & ~(size_t)(FE_LINE_PAIR - 1);
}

int fe_train_range(const fe_config *cfg, const fe_job *job, fe_result *out)
{
    memset(out, 0, sizeof(*out));
    if (cfg->window < 1 || cfg->w.dim < 1 || cfg->w.vocab_size < 1 ||
        (cfg->negative > 0 && (!cfg->alias || !cfg->w.w_out)) ||
        (cfg->hs && (!cfg->hs_offset || !cfg->w.w_hs)) || !cfg->ops.sg_step ||
        !cfg->ops.sg_window_step || !cfg->ops.cbow_step)
        return FE_ERR_ARG;
    const int subwords = cfg->subword_offsets != NULL;
    int64_t longest = 0;       /* subword rows of a word, at most */
    int64_t most_doc_rows = 0; /* of a document of the job */
    if (cfg->doc_offsets) {
        if (subwords) return FE_ERR_ARG;
        for (int64_t s = job->first_sentence; s < job->end_sentence; s++) {
            const int64_t n = cfg->doc_offsets[s + 1] - cfg->doc_offsets[s];
            if (n < 0 || (n > 0 && !cfg->doc_rows)) return FE_ERR_ARG;
            if (n > most_doc_rows) most_doc_rows = n;
        }
        if (2 * (int64_t)cfg->window + most_doc_rows > INT32_MAX) return FE_ERR_ARG;
    }
    if (subwords) {
        const int64_t n_input = cfg->w.n_input_rows > 0 ? cfg->w.n_input_rows : cfg->w.vocab_size;
        if (!cfg->subword_rows || !cfg->ops.subword_step || n_input < cfg->w.vocab_size ||
            (cfg->cbow_sums && !cfg->sg &&
             (!cfg->ops.rows_sum || !cfg->ops.rows_add || !cfg->ops.sums_step)))
            return FE_ERR_ARG;
        for (int64_t v = 0; v < cfg->w.vocab_size; v++) {
            const int64_t n = cfg->subword_offsets[v + 1] - cfg->subword_offsets[v];
            if (n < 0) return FE_ERR_ARG;
            if (n > longest) longest = n;
        }
    }
    if (cfg->dm_concat &&
        (!cfg->doc_offsets || cfg->sg || cfg->dm_tag_count < 1 || !cfg->ops.predict ||
         (int64_t)cfg->null_word >= cfg->w.vocab_size ||
         (int64_t)cfg->dm_tag_count + 2 * (int64_t)cfg->window > INT32_MAX))
        return FE_ERR_ARG;
    fe_sigmoid_init(); /* a config filled by hand, without fe_simd_ops(), still works */

    worker wk;
    memset(&wk, 0, sizeof(wk));
    wk.cfg = cfg;
    wk.prefetch_for_write = fe_cpu_has_prefetchw();
    wk.batch = cfg->progress_batch > 0 ? cfg->progress_batch : FE_PROGRESS_BATCH;
    fe_rng_seed(&wk.rng, job->seed, 0, 0);
    wk.kept_cap = 4 * (int64_t)cfg->window > 2 * (int64_t)cfg->window + 4096
        ? 4 * (int64_t)cfg->window
        : 2 * (int64_t)cfg->window + 4096;
    int32_t max_code = 0;
    if (cfg->hs)
        for (int64_t v = 0; v < cfg->w.vocab_size; v++)
            if (cfg->hs_offset[v + 1] - cfg->hs_offset[v] > max_code)
                max_code = (int32_t)(cfg->hs_offset[v + 1] - cfg->hs_offset[v]);
    const int64_t outputs = (int64_t)max_code + 1 + cfg->negative; /* of one target */
    int64_t scratch =
        fe_step_scratch(cfg->w.dim, (int32_t)(2 * cfg->window + most_doc_rows), (int32_t)outputs);
    /* subwords: a step's input rows and outputs (skip-gram: the centre's rows, 2*window
     * targets; CBOW: 2*window words' rows, one target) */
    const int64_t step_rows = cfg->sg ? longest : 2 * (int64_t)cfg->window * longest;
    const int64_t step_outputs = cfg->sg ? 2 * (int64_t)cfg->window * outputs : outputs;
    if (cfg->dm_concat)
        scratch = fe_dm_concat_scratch(
            fe_dm_concat_width(cfg->dm_tag_count, cfg->window, cfg->w.dim), (int32_t)outputs);
    if (subwords) {
        if (step_rows > INT32_MAX || step_outputs > INT32_MAX) return FE_ERR_ARG;
        scratch = fe_subword_scratch(cfg->w.dim, (int32_t)step_rows, (int32_t)step_outputs);
    }
    wk.w = cfg->w;
    wk.w.n_hot = wk.w.n_hot_ngrams = wk.w.n_hot_hs = 0;
    wk.w.w_in_hot = wk.w.w_out_hot = wk.w.w_ngrams_hot = wk.w.w_hs_hot = NULL;
    /* no private copies for the concatenating layer: its output rows are wider than theirs */
    const int64_t n_hot = cfg->hot_rows <= 0 || !cfg->hot_lock || cfg->dm_concat ? 0
        : cfg->hot_rows < cfg->w.vocab_size                                      ? cfg->hot_rows
                                            : cfg->w.vocab_size;
    /* n-gram rows: only with subwords, and only as many as w_in has after the words' */
    const int64_t ngram_rows = subwords && cfg->w.n_input_rows > cfg->w.vocab_size
        ? cfg->w.n_input_rows - cfg->w.vocab_size
        : 0;
    const int64_t n_hot_ngrams = cfg->hot_ngram_rows <= 0 || !cfg->hot_lock ? 0
        : cfg->hot_ngram_rows < ngram_rows                                  ? cfg->hot_ngram_rows
                                                                            : ngram_rows;
    const int64_t hot_matrices = cfg->w.w_out ? 2 : 1;
    /* the top of the Huffman tree (vocab_size - 1 nodes in all) */
    const int64_t n_hot_hs = !cfg->hs || cfg->hot_hs_nodes <= 0 || !cfg->hot_lock || cfg->dm_concat
        ? 0
        : cfg->hot_hs_nodes < cfg->w.vocab_size - 1 ? cfg->hot_hs_nodes
                                                    : cfg->w.vocab_size - 1;
    /* The buffers are written on every window, so they take whole pairs of cache lines (what
     * the adjacent-line prefetcher moves) with a free pair on each side: small mallocs of two
     * threads can sit side by side, and a line they shared would cross between the cores on
     * every window. */
    const int64_t negatives = subwords ? 2 * (int64_t)cfg->window * (cfg->negative + 1)
                                       : 2 * (int64_t)(cfg->negative + 1);
    /* cbow_sums: per slot a sum and a gradient row (64-byte aligned), a row count and a
     * flag; two pointers per context word */
    const int64_t ring = 2 * (int64_t)cfg->window + 1;
    const int sums = subwords && !cfg->sg && cfg->cbow_sums;
    const size_t slot_bytes = 2 * (size_t)fe_scratch_row(cfg->w.dim) * sizeof(float);
    const size_t sums_bytes = sums
        ? line_pairs((size_t)ring * slot_bytes) + line_pairs((size_t)ring * 2 * sizeof(int32_t)) +
            (size_t)(ring - 1) * 2 * sizeof(float *)
        : 0;
    const size_t sizes[8] = {
        (size_t)wk.kept_cap * sizeof(uint32_t),
        (size_t)(2 * cfg->window + 1 + most_doc_rows + (cfg->dm_concat ? cfg->dm_tag_count : 0)) *
            sizeof(uint32_t),
        (size_t)negatives * sizeof(uint32_t),
        subwords ? (size_t)(2 * (int64_t)cfg->window) * sizeof(fe_target) : 0,
        subwords && !cfg->sg ? (size_t)step_rows * sizeof(uint32_t) : 0,
        (size_t)scratch * sizeof(float),
        (size_t)(2 * (hot_matrices * n_hot + n_hot_ngrams + n_hot_hs) * cfg->w.dim) * sizeof(float),
        sums_bytes};
    size_t total = 3 * FE_LINE_PAIR;
    for (int k = 0; k < 8; k++) total += line_pairs(sizes[k]);
    char *block = (char *)fe_alloc_big(total);
    if (block) {
        char *at = (char *)(((uintptr_t)block + 2 * FE_LINE_PAIR) & ~(uintptr_t)(FE_LINE_PAIR - 1));
        wk.kept = (uint32_t *)(void *)at;
        wk.context = (uint32_t *)(void *)(at += line_pairs(sizes[0]));
        wk.neg = (uint32_t *)(void *)(at += line_pairs(sizes[1]));
        wk.targets = (fe_target *)(void *)(at += line_pairs(sizes[2]));
        wk.rows = (uint32_t *)(void *)(at += line_pairs(sizes[3]));
        wk.scratch = (float *)(void *)(at += line_pairs(sizes[4]));
        if (sums) { /* after the scratch and the hot rows' copies */
            char *slots = at + line_pairs(sizes[5]) + line_pairs(sizes[6]);
            const int64_t row = fe_scratch_row(cfg->w.dim);
            wk.word_sum = (float *)(void *)slots;
            wk.word_grad = wk.word_sum + ring * row;
            slots += line_pairs((size_t)ring * slot_bytes);
            wk.word_rows = (int32_t *)(void *)slots;
            wk.word_used = wk.word_rows + ring;
            slots += line_pairs((size_t)ring * 2 * sizeof(int32_t));
            wk.ctx_sum = (float **)(void *)slots;
            wk.ctx_grad = wk.ctx_sum + (ring - 1);
        }
        /* copies and bases start equal to the shared rows */
        if (n_hot > 0 || n_hot_ngrams > 0 || n_hot_hs > 0) {
            if (cfg->hot_merge_words > 0) {
                wk.merge_every = cfg->hot_merge_words;
            } else {
                /* at least ~64 merges per range, so that on a small corpus the copies never
                 * drift far apart (a merge of the small copies it takes is cheap) */
                const int64_t range =
                    job->offsets[job->end_sentence] - job->offsets[job->first_sentence];
                wk.merge_every = range / 64 < 256 ? 256 : range / 64;
                /* the words' hot rows set the pace: the n-gram rows' merge is cheap next to
                 * the words trained between merges (256 rows: ~0.1 MB per 8,192 words) */
                const int64_t k = n_hot > 0 ? n_hot : 1;
                if (wk.merge_every > fe_hot_merge_words(k)) wk.merge_every = fe_hot_merge_words(k);
            }
            const int64_t n = n_hot * cfg->w.dim;
            const size_t bytes = (size_t)n * sizeof(float);
            const size_t ngram_bytes = (size_t)(n_hot_ngrams * cfg->w.dim) * sizeof(float);
            const float *shared_ngrams = cfg->w.w_in + cfg->w.vocab_size * cfg->w.dim;
            wk.prefetch_hot = n_hot > FE_HOT_CACHED_ROWS;
            fe_lock(cfg->hot_lock); /* not while another worker merges */
            wk.has_hot = 1;
            wk.w.n_hot = n_hot;
            wk.w.w_in_hot = (float *)(void *)(at + line_pairs(sizes[5]));
            wk.hot_in_base = wk.w.w_in_hot + n;
            memcpy(wk.w.w_in_hot, cfg->w.w_in, bytes);
            memcpy(wk.hot_in_base, cfg->w.w_in, bytes);
            float *next = wk.hot_in_base + n;
            if (cfg->w.w_out) {
                wk.w.w_out_hot = next;
                wk.hot_out_base = wk.w.w_out_hot + n;
                memcpy(wk.w.w_out_hot, cfg->w.w_out, bytes);
                memcpy(wk.hot_out_base, cfg->w.w_out, bytes);
                next = wk.hot_out_base + n;
            }
            wk.w.n_hot_ngrams = n_hot_ngrams;
            wk.w.w_ngrams_hot = next;
            wk.hot_ngrams_base = next + n_hot_ngrams * cfg->w.dim;
            memcpy(wk.w.w_ngrams_hot, shared_ngrams, ngram_bytes);
            memcpy(wk.hot_ngrams_base, shared_ngrams, ngram_bytes);
            next = wk.hot_ngrams_base + n_hot_ngrams * cfg->w.dim;
            if (n_hot_hs > 0) {
                const size_t hs_bytes = (size_t)(n_hot_hs * cfg->w.dim) * sizeof(float);
                wk.w.n_hot_hs = n_hot_hs;
                wk.w.w_hs_hot = next;
                wk.hot_hs_base = next + n_hot_hs * cfg->w.dim;
                memcpy(wk.w.w_hs_hot, hot_hs_shared(&cfg->w, n_hot_hs), hs_bytes);
                memcpy(wk.hot_hs_base, hot_hs_shared(&cfg->w, n_hot_hs), hs_bytes);
            }
            fe_unlock(cfg->hot_lock);
        }
    }
    int status = FE_OK;
    if (!block) {
        status = FE_ERR_NOMEM;
    } else {
        sync_progress(&wk);
        wk.words_in = !(cfg->doc_offsets && cfg->sg && !cfg->dbow_words);
        for (int64_t s = job->first_sentence; s < job->end_sentence && !wk.stopped; s++) {
            if (cfg->doc_offsets) {
                wk.doc = cfg->doc_rows + cfg->doc_offsets[s];
                wk.n_doc = (int32_t)(cfg->doc_offsets[s + 1] - cfg->doc_offsets[s]);
            }
            const int64_t len = job->offsets[s + 1] - job->offsets[s];
            if (cfg->dm_concat && wk.n_doc != cfg->dm_tag_count) {
                /* not the layer's number of tags: read (the schedule counts it), not trained */
                wk.words += len;
                wk.unmerged_words += len;
                wk.unsynced_words += len;
                if (wk.unsynced_words >= wk.batch) sync_progress(&wk);
                continue;
            }
            train_sentence(&wk, job->ids + job->offsets[s], len);
        }
        sync_progress(&wk);
        if (wk.has_hot) merge_hot_rows(&wk); /* nothing trained is lost, stopped or not */
        if (wk.stopped) status = FE_STOPPED;
    }
    out->words = wk.words;
    out->effective_words = wk.effective_words;
    out->loss = wk.loss;
    free(block);
    return status;
}
