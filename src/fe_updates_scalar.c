/* The updates for any CPU: plain C the compiler vectorises with the baseline instruction set.
 * Four accumulators in the dot product break the dependency chain of the additions. */
#include <stdint.h>

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

static inline void vec_dot_many(const float *x, float *const *y, int32_t m, float *out, int64_t n)
{
    for (int32_t j = 0; j < m; j++) out[j] = vec_dot(x, y[j], n);
}

static inline void vec_axpy_many(const float *a, float *const *x, int32_t m, float *y, int64_t n,
                                 int overwrite)
{
    if (overwrite)
        for (int64_t i = 0; i < n; i++) y[i] = 0.0f;
    for (int32_t j = 0; j < m; j++) vec_axpy(a[j], x[j], y, n);
}

#define FE_NAME(name) fe_##name##_scalar
#include "fe_updates.h"
