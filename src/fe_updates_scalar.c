/* The updates for any CPU: plain C the compiler vectorises with the baseline instruction set.
 * Four accumulators in the dot product break the dependency chain of the additions. */
#include <stdint.h>

#include "fe_sigmoid.h"

static inline float vec_dot(const float *x, const float *y, int64_t n)
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

static inline void vec_axpy(float a, const float *x, float *y, int64_t n)
{
    for (int64_t i = 0; i < n; i++) y[i] += a * x[i];
}

static inline void vec_add_to_rows(const float *g, float *const *x, const float *a, int32_t m,
                                   int64_t n)
{
    for (int32_t j = 0; j < m; j++) vec_axpy(a[j], g, x[j], n);
}

static inline void vec_dot_many(const float *x, float *const *y, int32_t m, float *out, int64_t n)
{
    for (int32_t j = 0; j < m; j++) out[j] = vec_dot(x, y[j], n);
}

static inline void vec_mean_rows(float *const *x, int32_t m, float scale, float *y, int64_t n)
{
    for (int64_t i = 0; i < n; i++) y[i] = 0.0f;
    for (int32_t j = 0; j < m; j++)
        for (int64_t i = 0; i < n; i++) y[i] += x[j][i];
    for (int64_t i = 0; i < n; i++) y[i] *= scale;
}

static inline void vec_add_rows(const float *g, float *const *x, int32_t m, float scale, float *y,
                                int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        float sum = 0.0f;
        for (int32_t j = 0; j < m; j++) sum += g[j] * x[j][i];
        y[i] += scale * sum;
    }
}

/* One float of every row at a time: grad needs no scratch, and it is summed from the output
 * rows before they are updated at that float. */
static inline void vec_backprop(const float *g, float *const *out, int32_t n_out, const float *h,
                                float *const *in, int32_t n_in, float scale, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        float grad = 0.0f;
        for (int32_t o = 0; o < n_out; o++) grad += g[o] * out[o][i];
        for (int32_t o = 0; o < n_out; o++) out[o][i] += g[o] * h[i];
        grad *= scale;
        for (int32_t c = 0; c < n_in; c++) in[c][i] += grad;
    }
}

/* One float of every row at a time, all from the rows as they were at that float. */
static inline void vec_block_backprop(const float *g, const float *g_t, float *const *out,
                                      int32_t n_out, float *const *in, int32_t n_in,
                                      const float *earlier, float *delta, int64_t delta_stride,
                                      int64_t n)
{
    (void)delta_stride;
    for (int64_t i = 0; i < n; i++) {
        for (int32_t c = 0; c < n_in; c++) {
            float d = 0.0f;
            for (int32_t o = 0; o < n_out; o++) d += g[(int64_t)c * n_out + o] * out[o][i];
            for (int32_t e = 0; e < c; e++) d += earlier[(int64_t)c * n_in + e] * in[e][i];
            delta[c] = d;
        }
        for (int32_t o = 0; o < n_out; o++) {
            float y = out[o][i];
            for (int32_t c = 0; c < n_in; c++) y += g_t[(int64_t)o * n_in + c] * in[c][i];
            out[o][i] = y;
        }
        for (int32_t c = 0; c < n_in; c++) in[c][i] += delta[c];
    }
}

static inline void vec_output_steps(float *g, const float *label, int32_t m, float alpha)
{
    for (int32_t o = 0; o < m; o++) g[o] = (label[o] - fe_sigmoid_lookup(g[o])) * alpha;
}

/* Vector paths only (fe_vec_x86.h): the scalar path always takes sg_window_step's loops. */
static inline int vec_window_scales(float *const *out, int32_t n_out, int32_t n_context,
                                    const float *label, float alpha, float *g, float *earlier,
                                    int64_t dim)
{
    (void)out, (void)n_out, (void)n_context, (void)label, (void)alpha, (void)g, (void)earlier;
    (void)dim;
    return 0;
}

#define FE_NAME(name) fe_##name##_scalar
#include "fe_updates.h"
