/* fe_train.h — the word2vec training kernel: skip-gram and CBOW, negative sampling and
 * hierarchical softmax, over an encoded corpus (uint32 word ids + int64 sentence offsets),
 * and fastText's subword models on the same loop (see "Subwords" below).
 *
 * Matrices (row-major, `dim` floats a row, 64-bit offsets throughout):
 *   w_in   vocab_size rows: input vectors  = word2vec.c syn0,    gensim wv.vectors
 *          (with subwords n_input_rows: the words', then the n-gram buckets' = gensim
 *          wv.vectors_vocab and wv.vectors_ngrams, fastText's input matrix)
 *   w_out  vocab_size rows: output vectors = word2vec.c syn1neg, gensim syn1neg  (NULL if no NS)
 *   w_hs   vocab_size-1 rows: Huffman inner nodes = word2vec.c syn1, gensim syn1 (NULL if no HS)
 *
 * Training semantics (word2vec's, choices marked):
 *   - Subsampling first, then windows over the kept words. Word w is kept when a 32-bit draw is
 *     <= keep_threshold[w] (precomputed from word2vec.c's keep probability by the caller).
 *   - Dynamic window: the effective window of each centre is uniform in 1..window
 *     (shrink_windows) or exactly `window`. Windows never cross sentence boundaries.
 *   - Skip-gram: each context word's w_in row predicts the centre word (as word2vec.c and
 *     gensim do), one context word after another, left to right: each is scored against the
 *     output rows as the earlier ones left them. Negatives: with shared_negatives (the
 *     default) one set is drawn per window and shared by all its context words, so a window
 *     reads 1 + negative output rows from memory instead of 2*window*(1 + negative), and the
 *     window is one update that writes each of those rows once (see sg_window_step in
 *     fe_updates.h): it computes what the pairs in turn compute, except that every context
 *     row is read as it was before the window (a word twice in one window gets both its
 *     updates from its old row) and a negative drawn twice counts as two rows. Otherwise
 *     negatives are drawn afresh for every (context, centre) pair and applied output by
 *     output, like word2vec.c.
 *   - CBOW: the context rows are summed (cbow_mean=0) or averaged (cbow_mean=1); the error is
 *     added to every context row, divided by the context size when summing (gensim's rule).
 *     All outputs of a window are scored from the weights as they were before it (a
 *     negative drawn twice is updated twice from the same score).
 *   - A negative equal to the target is skipped.
 *   - Lock factors (gensim's vectors_lockf, optional): every update of input row r is scaled
 *     by lockf[r % lockf_len], after the error is gathered; output rows are never scaled.
 *   - Sigmoid: 1024-entry table over [-6, 6] holding the value at each bin's centre. Outside
 *     the range we use the saturated value 0 or 1, so a confidently wrong prediction still gets
 *     the full gradient (word2vec.c does this for negative sampling, fastText everywhere;
 *     gensim instead skips such samples).
 *   - Learning rate: linear from alpha to min_alpha over the words of all epochs, read from the
 *     global progress counter that all workers share.
 *
 * Subwords (fastText; fe_config.subword_offsets and subword_rows set, NULL for word2vec): word
 * w is read in w_in as the rows subword_rows[subword_offsets[w] .. subword_offsets[w + 1]) (its
 * own row and its character n-grams' hashed rows, duplicates kept), w_in has n_input_rows
 * >= vocab_size rows, and everything else (w_out, w_hs, the tables, the corpus ids) still
 * speaks of the vocab_size words. One update, subword_step, does all the work: its input is
 * the sum or mean (cbow_mean) of the listed rows; it is scored against every output of every
 * target (Huffman nodes, the word, its negatives that differ from it) from the weights as
 * they were before the step; the output rows are updated, and the input's gradient is added
 * to every listed row (a row listed twice gets it twice), divided by the number of rows when
 * summing (gensim's CBOW rule; fastText's unsupervised models average and add it unscaled,
 * i.e. cbow_mean=1).
 *   - CBOW: the rows are the subword rows of all context words, one after another; the
 *     target is the centre (word2vec's CBOW when every list is just the word's own row).
 *     With cbow_sums, each kept word's rows are summed once, when the widest window first
 *     reaches it, and a window's input is made from its context words' cached sums (the sum,
 *     or the mean over all their rows: the same input as above, from rows as they were when
 *     summed); the input gradient of every window is gathered per context word and added to
 *     the word's rows once, when no later window can reach it (and at the end of each piece
 *     of sentence). The random draws are the same as without. A word in 2*window windows
 *     costs one pass over its rows to read and one to write instead of up to 2*window each;
 *     the price is that its rows, and rows it shares with a nearby word, learn from the
 *     windows of the last 2*window centres with a delay.
 *   - Skip-gram, fastText's direction: the centre's subword rows predict every context word.
 *     With shared_negatives (the default) one step per centre: the hidden vector is computed
 *     once, and every context word, with its own `negative` fresh negatives, is scored from
 *     the weights before the step (a block update). fastText instead updates once per
 *     (centre, context) pair, recomputing the hidden vector from rows the previous pair just
 *     moved; shared_negatives=0 does exactly that, in fastText's order (context words left to
 *     right, negatives drawn afresh for each pair).
 *   - Random draws, per centre: its window, then the negatives of each target in order.
 *   - Differences from fastText beyond the block step: a negative equal to the target is
 *     skipped (fastText draws again), the sigmoid and learning-rate rules above, subsampling
 *     by word2vec's formula, and the window drawn uniform in 1..window as word2vec's.
 *   - Hot rows and lock factors apply to the rows of w_in as above: a word's own row can be
 *     hot (hot_rows), and so can the n-gram rows vocab_size .. vocab_size + hot_ngram_rows - 1
 *     (see "Hot rows" below); lockf[r % lockf_len] for any row r.
 *
 * Documents (Doc2Vec's paragraph vectors; fe_config.doc_offsets and doc_rows set, NULL
 * otherwise): sentence k is a document whose tags own the rows doc_rows[doc_offsets[k] ..
 * doc_offsets[k + 1]) of w_in (rows at or above vocab_size: w_in has n_input_rows = the words'
 * and then the tags' rows). Those rows join the input of every centre of the document, in
 * gensim's semantics:
 *   - CBOW (PV-DM): the context rows are the window's words and then the document's rows,
 *     summed or averaged (cbow_mean) over all of them, the error going to each as in CBOW. A
 *     centre with no context word but a tag still trains (the tags alone predict it).
 *   - Skip-gram (PV-DBOW): each of the document's rows predicts every kept word, as a context
 *     word would; the window's words too (skip-gram word training) only with dbow_words. The
 *     window's words first, then each document row (gensim's order); with shared_negatives
 *     they share one set of negatives per centre, without it each pair draws its own.
 *   - CBOW with dm_concat (PV-DM with a concatenated layer, gensim's dm_concat): see
 *     fe_dm_concat.h. The input is no sum but the tag rows and the 2 * window rows around the
 *     centre side by side (null_word's row where the document ends), w_out and w_hs have
 *     rows of that width, windows never shrink and only documents with exactly dm_tag_count
 *     tags train (the others' words are read and counted, as gensim skips them). Hot rows
 *     are off (the output rows are wider than the copies).
 * Subword tables and document rows are not combined (FE_ERR_ARG).
 *
 * Threads: any number of workers may run fe_train_range at once on the same weights, each on
 * its own sentence range (Hogwild). Races by design: the reads and writes of weight rows in
 * the update functions (fe_update_ops). The shared progress counter is updated atomically;
 * every other piece of state is private to the call or to its config (the instruction set
 * runs are chosen per config, never by a process-wide switch), except the sigmoid table,
 * which is filled once, under a lock, before any update reads it.
 *
 * Hot rows (hot_rows > 0, meant for several workers): the rows of the most frequent words
 * are written by every worker all the time (as context words, centres and, drawn in
 * proportion to count^0.75, negatives), and each write moves their cache lines between cores
 * (~30 ns on cores that share a cache, ~170 ns across sockets or core complexes). With
 * hot_rows = k each worker trains its own copies of rows 0..k-1 (ids are sorted by
 * frequency) of w_in and w_out and merges them every hot_merge_words words (by default
 * fe_hot_merge_words(k), and more often on short ranges: at least 64 times per range) and at
 * the end: shared += copy - copy at the last merge, then copy = shared, one worker at a time
 * (hot_lock), so no update of those rows is lost. Other workers see those rows' updates that
 * many words late; a single worker computes what it would without the copies, to float
 * rounding. hot_rows = vocab_size makes every worker train a whole replica of the model.
 * With subwords, hot_ngram_rows = m adds private copies of the m input rows after the words'
 * (rows vocab_size .. vocab_size + m - 1, merged with the others): an n-gram row such as
 * "<th" or "ing" is part of the input of thousands of words, so it is written far more often
 * than any word's own row, and the caller puts the most used n-gram rows there.
 * With hierarchical softmax, hot_hs_nodes = k gives each worker private copies of the k nodes
 * at the top of the Huffman tree (merged with the others): the root and the nodes below it
 * are on the path of every word, so every prediction writes them, and without copies two
 * workers train slower than one.
 * hot_merge_scale s < 1 makes a merge add s times the copy's change instead: with k workers
 * each training its replica at k times the rate and s = 1/k, the shared rows move by the mean
 * of the replicas' changes (rows every replica drives to the same point do not overshoot;
 * a row one replica trains alone keeps its progress).
 * hot_hs_merge_scale does the same for the copies of the tree's nodes alone: 1/k with k
 * workers at the usual rate makes them the mean of the workers' copies. Every worker drives
 * the root and the nodes just below it to the same point within a merge period (each takes
 * thousands of updates), so adding all k changes would move them k times as far, past it.
 */
#ifndef FE_TRAIN_H
#define FE_TRAIN_H

#include <stdint.h>

#include "fe_errors.h"          /* FE_OK, FE_STOPPED, FE_ERR_* */
#include "fe_sigmoid.h"         /* FE_SIGMOID_BINS, FE_MAX_EXP */
#define FE_PROGRESS_BATCH 10000 /* default words between progress/learning-rate/stop updates */
/* Words between merges of a worker's hot rows: a merge moves its 2k rows between cores once,
 * so it is spaced out in proportion to k (k = 64: every 8,192 words). */
static inline int64_t fe_hot_merge_words(int64_t k) { return k * 128 > 4096 ? k * 128 : 4096; }

typedef struct fe_weights {
    float *w_in;
    float *w_out;
    float *w_hs;
    int64_t vocab_size;
    int64_t dim;
    /* Rows 0 .. n_hot-1 of w_in and w_out are read and written in w_in_hot and w_out_hot
     * instead (a worker's private copies of the most frequent words' rows, see
     * fe_config.hot_rows); n_hot = 0: none. */
    float *w_in_hot;
    float *w_out_hot;
    int64_t n_hot;
    /* Rows vocab_size .. vocab_size + n_hot_ngrams - 1 of w_in (with subwords: the n-gram rows
     * the caller put first, the most used ones) are read and written in w_ngrams_hot instead,
     * the worker's private copies as well (fe_config.hot_ngram_rows); n_hot_ngrams = 0: none. */
    float *w_ngrams_hot;
    int64_t n_hot_ngrams;
    /* Huffman inner nodes vocab_size - 1 - n_hot_hs .. vocab_size - 2 of w_hs (the top of the
     * tree: the root is the last node, and every word's path starts there) are read and
     * written in w_hs_hot instead, the worker's private copies as well (hot_hs_nodes);
     * n_hot_hs = 0: none. */
    float *w_hs_hot;
    int64_t n_hot_hs;
    /* Lock factors of the input rows (gensim's vectors_lockf): the update of w_in row r is
     * multiplied by lockf[r % lockf_len] (0 freezes the row). NULL: every factor 1. */
    const float *lockf;
    int64_t lockf_len;
    /* Rows of w_in: vocab_size for word2vec, the words' and the n-gram rows with subwords
     * (0 is read as vocab_size, for a word2vec config filled by hand). */
    int64_t n_input_rows;
} fe_weights;

/* What one input (a context word in SG, the context mean in CBOW) is trained to predict. */
typedef struct fe_target {
    uint32_t word;
    const uint32_t *neg; /* negatives; n_neg = 0 when negative sampling is off */
    int32_t n_neg;
    const uint8_t *code; /* Huffman path of `word`; code_len = 0 when HS is off */
    const uint32_t *point;
    int32_t code_len;
} fe_target;

/* The weight updates, one function each; they return the loss of the update (0 unless
 * want_loss). One table per instruction set, obtained from fe_simd_ops() (fe_simd.h), which
 * also makes sure the sigmoid table is filled; the training loop calls exactly these, through
 * its config, so concurrent runs may use different instruction sets. Scratch:
 * fe_step_scratch(dim, contexts, outputs) floats, where outputs = Huffman path length + 1 +
 * negatives (sg_step needs only the dim floats). */
typedef struct fe_update_ops {
    double (*sg_step)(const fe_weights *w, uint32_t context, const fe_target *t, float alpha,
                      float *scratch, int want_loss);
    double (*sg_window_step)(const fe_weights *w, const uint32_t *context, int32_t n_context,
                             const fe_target *t, float alpha, float *scratch, int want_loss);
    double (*cbow_step)(const fe_weights *w, const uint32_t *context, int32_t n_context,
                        int32_t cbow_mean, const fe_target *t, float alpha, float *scratch,
                        int want_loss);
    /* The input is the sum or mean of w_in rows `rows`; it predicts every target (scratch:
     * fe_subword_scratch(dim, n_rows, the targets' outputs summed)). */
    double (*subword_step)(const fe_weights *w, const uint32_t *rows, int32_t n_rows,
                           int32_t cbow_mean, const fe_target *targets, int32_t n_targets,
                           float alpha, float *scratch, int want_loss);
    /* Subword CBOW with cached word sums (cbow_sums): a word's row sum into a scratch row
     * (scratch: n_rows pointers); a gathered gradient added to each of a word's rows (times
     * its lock factor); one window from the cached sums, whose input gradient goes to the
     * context words' gradient vectors, not to rows (scratch: fe_subword_scratch(dim, 0,
     * the target's outputs)). */
    void (*rows_sum)(const fe_weights *w, const uint32_t *rows, int32_t n_rows, float *sum,
                     float *scratch);
    void (*rows_add)(const fe_weights *w, const uint32_t *rows, int32_t n_rows, const float *grad);
    double (*sums_step)(const fe_weights *w, float *const *sums, float *const *grads, int32_t n,
                        float in_scale, float grad_scale, const fe_target *t, float alpha,
                        float *scratch, int want_loss);
    /* Inference (fe_doc2vec.h), the model frozen: the input is vec plus the w_in rows `rows`
     * (summed, or averaged with cbow_mean; n_rows = 0: vec alone); it is scored against the
     * n_out output rows `out` with labels `label`, and only vec moves, by the input's
     * gradient (divided by n_rows + 1 when summing: CBOW's rule). scratch:
     * fe_infer_scratch(dim, n_out) floats. */
    void (*infer_step)(const float *w_in, const uint32_t *rows, int32_t n_rows, int32_t cbow_mean,
                       float *vec, float *const *out, const float *label, int32_t n_out,
                       float alpha, float *scratch, int64_t dim);
    /* Input vector l1 (w->dim floats, not a row) predicts t, one output after another: each
     * output row is scored from the weights as the previous output left them, gets g * l1,
     * and its share g * output goes to grad (w->dim floats, added to). The concatenating
     * PV-DM layer (fe_dm_concat.h) calls it with w->dim its layer's width. */
    double (*predict)(const fe_weights *w, const float *l1, float *grad, const fe_target *t,
                      float alpha, int want_loss);
    /* The gradient scales of n_out frozen outputs of input h (dim floats): g[o] = (label[o] -
     * sigmoid(h . out[o])) * alpha, nothing moved (the concatenating layer's inference). */
    void (*output_scores)(const float *h, float *const *out, const float *label, int32_t n_out,
                          float alpha, float *g, int64_t dim);
} fe_update_ops;

typedef struct fe_config {
    fe_weights w;
    int32_t sg, hs, negative, window, cbow_mean, shrink_windows, compute_loss, shared_negatives;
    int32_t cbow_sums; /* subword CBOW: cached word sums, gradients applied once (see above) */
    float alpha, min_alpha;
    const uint32_t *keep_threshold; /* vocab_size entries; NULL disables subsampling */
    const uint64_t *alias;          /* negative-sampling alias table (fe_sample.h) */
    const int64_t *hs_offset;       /* vocab_size+1 offsets into hs_code / hs_point */
    const uint8_t *hs_code;
    const uint32_t *hs_point;
    int64_t total_words;          /* words of all epochs: the schedule's denominator */
    int64_t progress_batch;       /* words between updates of alpha; 0: FE_PROGRESS_BATCH */
    int64_t hot_rows;             /* private rows per worker (0: off); see above */
    int64_t hot_merge_words;      /* words between merges of them; 0: the default above */
    int64_t hot_ngram_rows;       /* subwords: private copies of w_in rows vocab_size .. + k-1 */
    int64_t hot_hs_nodes;         /* hs: private copies of the top k nodes of the Huffman tree */
    float hot_merge_scale;        /* a merge adds this times the copy's change; 0: 1 (see above) */
    float hot_hs_merge_scale;     /* the same for the tree nodes' copies; 0: hot_merge_scale */
    volatile int64_t *words_done; /* shared by all workers */
    volatile int32_t *stop;       /* set non-zero to stop every worker at its next batch */
    volatile int32_t *hot_lock;   /* shared by all workers, 0 at start; needed with hot_rows */
    fe_update_ops ops;            /* the instruction set of this run: fe_simd_ops() */
    /* Subwords (see above): vocab_size+1 offsets into subword_rows, whose entries are rows of
     * w_in below w.n_input_rows (checked by the caller). NULL: word2vec. */
    const int64_t *subword_offsets;
    const uint32_t *subword_rows;
    /* Documents (see above; NULL: none): sentence k of a job's corpus has the tag rows
     * doc_rows[doc_offsets[k] .. doc_offsets[k + 1]) of w_in, each below w.n_input_rows
     * (checked by the caller); dbow_words: skip-gram also trains the window's words. */
    const int64_t *doc_offsets;
    const uint32_t *doc_rows;
    int32_t dbow_words;
    /* The concatenating PV-DM layer (dm_concat set; documents and CBOW only): dm_tag_count
     * tags a document, null_word the row of the padding word (below vocab_size); w_out and
     * w_hs rows are fe_dm_concat_width(dm_tag_count, window, dim) floats. */
    int32_t dm_concat, dm_tag_count;
    uint32_t null_word;
} fe_config;

typedef struct fe_job {
    const uint32_t *ids;
    const int64_t *offsets; /* sentence k is ids[offsets[k] .. offsets[k+1]) */
    int64_t first_sentence, end_sentence;
    uint64_t seed;
} fe_job;

typedef struct fe_result {
    int64_t words;           /* words read */
    int64_t effective_words; /* words kept by subsampling */
    double loss;             /* summed when compute_loss */
} fe_result;

float fe_sigmoid(float x); /* the table lookup the updates use */

/* Trains sentences [first_sentence, end_sentence) of the job. Returns FE_OK, FE_STOPPED when
 * *stop was raised, or FE_ERR_NOMEM / FE_ERR_ARG (a missing table, update function or
 * matrix the settings need; subword offsets that decrease, or lists so long that a step's
 * rows or outputs pass 2^31; document offsets that decrease, or document rows with
 * subwords). */
int fe_train_range(const fe_config *cfg, const fe_job *job, fe_result *out);

int64_t fe_step_scratch(int64_t dim, int32_t n_context, int32_t n_outputs);
/* Scratch floats of a subword_step over n_rows input rows and n_outputs outputs in all. */
int64_t fe_subword_scratch(int64_t dim, int32_t n_rows, int32_t n_outputs);
/* Scratch floats of an infer_step with n_outputs outputs. */
int64_t fe_infer_scratch(int64_t dim, int32_t n_outputs);
/* Row stride of the vectors kept in scratch: dim rounded up to 16 floats, so the vector
 * paths may write whole blocks there (and the rows start 64 bytes apart). */
static inline int64_t fe_scratch_row(int64_t dim) { return (dim + 15) & ~(int64_t)15; }

#endif
