/* The updates for x86-64 CPUs with AVX-512F (plus AVX2 and FMA), selected at run time by
 * fe_simd.c. Rows are processed 16 floats at a time; the partial last block of a row is
 * loaded and stored under a lane mask, which AVX-512 makes as cheap as a plain access. */
#if (defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))) || \
    (defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86)))
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx512f,avx2,fma")
#endif   /* MSVC compiles AVX-512 intrinsics without a target switch */
#include <immintrin.h>
#include <stdint.h>

static inline __mmask16 tail_mask(int64_t rem) { return (__mmask16)((1u << rem) - 1u); }

static inline float vec_dot(const float *x, const float *y, int64_t n)
{
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), a0);
        a1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16), a1);
    }
    for (; i + 16 <= n; i += 16)
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), a0);
    if (i < n) {
        __mmask16 m = tail_mask(n - i);
        a1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i), a1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
}

static inline void vec_axpy(float a, const float *x, float *y, int64_t n)
{
    __m512 va = _mm512_set1_ps(a);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_fmadd_ps(va, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
    if (i < n) {
        __mmask16 m = tail_mask(n - i);
        __m512 r = _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i));
        _mm512_mask_storeu_ps(y + i, m, r);
    }
}

static inline void vec_scale(float a, const float *x, float *y, int64_t n)
{
    __m512 va = _mm512_set1_ps(a);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, _mm512_mul_ps(va, _mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 m = tail_mask(n - i);
        _mm512_mask_storeu_ps(y + i, m, _mm512_mul_ps(va, _mm512_maskz_loadu_ps(m, x + i)));
    }
}

/* out[j] = x . y[j] for j < m: x is loaded once per block for up to four rows at a time. */
static inline void vec_dot_many(const float *x, float *const *y, int32_t m, float *out, int64_t n)
{
    int32_t j = 0;
    for (; j + 4 <= m; j += 4) {
        const float *y0 = y[j], *y1 = y[j + 1], *y2 = y[j + 2], *y3 = y[j + 3];
        __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        int64_t i = 0;
        for (; i + 16 <= n; i += 16) {
            __m512 v = _mm512_loadu_ps(x + i);
            a0 = _mm512_fmadd_ps(v, _mm512_loadu_ps(y0 + i), a0);
            a1 = _mm512_fmadd_ps(v, _mm512_loadu_ps(y1 + i), a1);
            a2 = _mm512_fmadd_ps(v, _mm512_loadu_ps(y2 + i), a2);
            a3 = _mm512_fmadd_ps(v, _mm512_loadu_ps(y3 + i), a3);
        }
        if (i < n) {
            __mmask16 mk = tail_mask(n - i);
            __m512 v = _mm512_maskz_loadu_ps(mk, x + i);
            a0 = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(mk, y0 + i), a0);
            a1 = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(mk, y1 + i), a1);
            a2 = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(mk, y2 + i), a2);
            a3 = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(mk, y3 + i), a3);
        }
        out[j] = _mm512_reduce_add_ps(a0);
        out[j + 1] = _mm512_reduce_add_ps(a1);
        out[j + 2] = _mm512_reduce_add_ps(a2);
        out[j + 3] = _mm512_reduce_add_ps(a3);
    }
    for (; j < m; j++) out[j] = vec_dot(x, y[j], n);
}

/* y = (overwrite ? 0 : y) + sum_j a[j] * x[j]: y is loaded and stored once per block
 * instead of once per term. Overwrite mode is only used on scratch rows, which have room for
 * a whole last block (fe_scratch_row). */
static inline void vec_axpy_many(const float *a, float *const *x, int32_t m, float *y, int64_t n,
                                 int overwrite)
{
    int64_t i = 0;
    /* two blocks per pass: two independent chains of FMAs instead of one, whose latency
     * (not the arithmetic) bounded the loop */
    for (; i + 32 <= n; i += 32) {
        __m512 acc0 = overwrite ? _mm512_setzero_ps() : _mm512_loadu_ps(y + i);
        __m512 acc1 = overwrite ? _mm512_setzero_ps() : _mm512_loadu_ps(y + i + 16);
        for (int32_t j = 0; j < m; j++) {
            __m512 aj = _mm512_set1_ps(a[j]);
            acc0 = _mm512_fmadd_ps(aj, _mm512_loadu_ps(x[j] + i), acc0);
            acc1 = _mm512_fmadd_ps(aj, _mm512_loadu_ps(x[j] + i + 16), acc1);
        }
        _mm512_storeu_ps(y + i, acc0);
        _mm512_storeu_ps(y + i + 16, acc1);
    }
    for (; i + 16 <= n; i += 16) {
        __m512 acc = overwrite ? _mm512_setzero_ps() : _mm512_loadu_ps(y + i);
        for (int32_t j = 0; j < m; j++)
            acc = _mm512_fmadd_ps(_mm512_set1_ps(a[j]), _mm512_loadu_ps(x[j] + i), acc);
        _mm512_storeu_ps(y + i, acc);
    }
    if (i < n) {
        __mmask16 mk = tail_mask(n - i);
        __m512 acc = overwrite ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(mk, y + i);
        for (int32_t j = 0; j < m; j++)
            acc = _mm512_fmadd_ps(_mm512_set1_ps(a[j]), _mm512_maskz_loadu_ps(mk, x[j] + i), acc);
        if (overwrite)
            _mm512_storeu_ps(y + i, acc);
        else
            _mm512_mask_storeu_ps(y + i, mk, acc);
    }
}

#define FE_NAME(name) fe_##name##_avx512
#include "fe_updates.h"

#if defined(__clang__)
#pragma clang attribute pop
#endif
#else
typedef int fe_no_avx512_on_this_target;   /* ISO C forbids an empty translation unit */
#endif
