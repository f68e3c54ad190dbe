# Declarations of the C kernel (src/fe_*.h), line for line.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t


cdef extern from "fe_rng.h" nogil:
    ctypedef struct fe_rng:
        uint64_t state
    uint64_t fe_rng_next64(fe_rng *rng)
    uint32_t fe_rng_next32(fe_rng *rng)
    void fe_rng_seed(fe_rng *rng, uint64_t seed, uint64_t a, uint64_t b)


cdef extern from "fe_atomic.h" nogil:
    void fe_atomic_store_int(int32_t *p, int32_t v)
    int64_t fe_atomic_add(int64_t *p, int64_t v)


cdef extern from "fe_sample.h" nogil:
    int fe_alias_build(const double *weight, int64_t n, uint64_t *alias, int64_t *work)
    uint32_t fe_alias_draw(const uint64_t *alias, uint32_t n, fe_rng *rng)
    int fe_huffman_tree(const int64_t *count, int64_t n, int64_t *parent, uint8_t *is_right,
                        int32_t *depth)
    void fe_huffman_paths(const int64_t *parent, const uint8_t *is_right, int64_t n,
                          const int64_t *offset, uint8_t *code, uint32_t *point)


cdef extern from "fe_errors.h" nogil:
    int FE_OK, FE_STOPPED, FE_ERR_NOMEM, FE_ERR_ARG


cdef extern from "fe_train.h" nogil:
    int FE_SIGMOID_BINS
    float FE_MAX_EXP

    ctypedef struct fe_weights:
        float *w_in
        float *w_out
        float *w_hs
        int64_t vocab_size
        int64_t dim
        float *w_in_hot
        float *w_out_hot
        int64_t n_hot
        float *w_ngrams_hot
        int64_t n_hot_ngrams
        float *w_hs_hot
        int64_t n_hot_hs
        const float *lockf
        int64_t lockf_len
        int64_t n_input_rows

    ctypedef struct fe_target:
        uint32_t word
        const uint32_t *neg
        int32_t n_neg
        const uint8_t *code
        const uint32_t *point
        int32_t code_len

    ctypedef struct fe_update_ops:
        double (*sg_step)(const fe_weights *w, uint32_t context, const fe_target *t,
                          float alpha, float *scratch, int want_loss)
        double (*sg_window_step)(const fe_weights *w, const uint32_t *context,
                                 int32_t n_context, const fe_target *t, float alpha,
                                 float *scratch, int want_loss)
        double (*cbow_step)(const fe_weights *w, const uint32_t *context, int32_t n_context,
                            int32_t cbow_mean, const fe_target *t, float alpha, float *scratch,
                            int want_loss)
        double (*subword_step)(const fe_weights *w, const uint32_t *rows, int32_t n_rows,
                               int32_t cbow_mean, const fe_target *targets, int32_t n_targets,
                               float alpha, float *scratch, int want_loss)
        void (*rows_sum)(const fe_weights *w, const uint32_t *rows, int32_t n_rows, float *sum,
                         float *scratch)
        void (*rows_add)(const fe_weights *w, const uint32_t *rows, int32_t n_rows,
                         const float *grad)
        double (*sums_step)(const fe_weights *w, float *const *sums, float *const *grads,
                            int32_t n, float in_scale, float grad_scale, const fe_target *t,
                            float alpha, float *scratch, int want_loss)
        void (*infer_step)(const float *w_in, const uint32_t *rows, int32_t n_rows,
                           int32_t cbow_mean, float *vec, float **out, const float *label,
                           int32_t n_out, float alpha, float *scratch, int64_t dim)
        double (*predict)(const fe_weights *w, const float *l1, float *grad, const fe_target *t,
                          float alpha, int want_loss)
        void (*output_scores)(const float *h, float **out, const float *label, int32_t n_out,
                              float alpha, float *g, int64_t dim)

    ctypedef struct fe_config:
        fe_weights w
        int32_t sg, hs, negative, window, cbow_mean, shrink_windows, compute_loss, shared_negatives
        int32_t cbow_sums
        float alpha, min_alpha
        const uint32_t *keep_threshold
        const uint64_t *alias
        const int64_t *hs_offset
        const uint8_t *hs_code
        const uint32_t *hs_point
        int64_t total_words
        int64_t progress_batch
        int64_t hot_rows
        int64_t hot_merge_words
        int64_t hot_ngram_rows
        int64_t hot_hs_nodes
        float hot_merge_scale
        float hot_hs_merge_scale
        int64_t *words_done
        int32_t *stop
        int32_t *hot_lock
        fe_update_ops ops
        const int64_t *subword_offsets
        const uint32_t *subword_rows
        const int64_t *doc_offsets
        const uint32_t *doc_rows
        int32_t dbow_words
        int32_t dm_concat, dm_tag_count
        uint32_t null_word

    ctypedef struct fe_job:
        const uint32_t *ids
        const int64_t *offsets
        int64_t first_sentence, end_sentence
        uint64_t seed

    ctypedef struct fe_result:
        int64_t words
        int64_t effective_words
        double loss

    float fe_sigmoid(float x)
    int fe_train_range(const fe_config *cfg, const fe_job *job, fe_result *out)
    int64_t fe_step_scratch(int64_t dim, int32_t n_context, int32_t n_outputs)
    int64_t fe_subword_scratch(int64_t dim, int32_t n_rows, int32_t n_outputs)
    int64_t fe_scratch_row(int64_t dim)


cdef extern from "fe_simd.h" nogil:
    int fe_simd_supported(int path)
    int fe_simd_best()
    int fe_simd_ops(int path, fe_update_ops *ops)


cdef extern from "fe_doc2vec.h" nogil:
    ctypedef struct fe_infer_config:
        const float *w_in
        const float *w_out
        const float *w_hs
        int64_t vocab_size, dim
        int32_t dm, hs, negative, window, cbow_mean, shrink_windows, epochs
        float alpha, min_alpha
        const uint32_t *keep_threshold
        const uint64_t *alias
        const int64_t *hs_offset
        const uint8_t *hs_code
        const uint32_t *hs_point
        fe_update_ops ops
        int32_t dm_concat, dm_tag_count
        uint32_t null_word

    int fe_infer_range(const fe_infer_config *cfg, const uint32_t *ids, const int64_t *offsets,
                       int64_t first, int64_t end, uint64_t seed, float *out)


cdef extern from "fe_dm_concat.h" nogil:
    int64_t fe_dm_concat_width(int32_t tag_count, int32_t window, int64_t dim)
