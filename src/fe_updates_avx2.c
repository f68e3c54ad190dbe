/* The updates for x86-64 CPUs with AVX2 and FMA, selected at run time by fe_simd.c. The
 * whole file is compiled for that instruction set, so the helpers inline into the updates;
 * it is never called on a CPU without it. */
#if (defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))) || \
    (defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86)))
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx2,fma")
#endif   /* MSVC compiles AVX2/FMA intrinsics without a target switch */
#include <immintrin.h>
#include <stdint.h>

static inline float hsum256(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

/* Lane mask for the last, partial block of 8 floats (n % 8 of them), so rows of any length
 * take no scalar tail loop: with dim = 100 that loop cost a fifth of all instructions. */
static inline __m256i tail_mask(int64_t rem)
{
    static const int32_t lanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i *)(const void *)(lanes + 8 - rem));
}

/* Stores the first rem (< 8) lanes of r: at most three plain stores. A masked store
 * (vmaskmovps) would be one instruction, but AMD cores run it as a slow microcoded sequence,
 * and it ended every row update. */
static inline void store_tail(float *y, __m256 r, int64_t rem)
{
    __m128 part = _mm256_castps256_ps128(r);
    if (rem >= 4) {
        _mm_storeu_ps(y, part);
        y += 4;
        rem -= 4;
        part = _mm256_extractf128_ps(r, 1);
    }
    if (rem >= 2) {
        _mm_storel_pi((__m64 *)(void *)y, part);
        y += 2;
        rem -= 2;
        part = _mm_movehl_ps(part, part);
    }
    if (rem >= 1) _mm_store_ss(y, part);
}

static inline float vec_dot(const float *x, const float *y, int64_t n)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    for (; i + 8 <= n; i += 8)
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
    if (i < n) {
        __m256i m = tail_mask(n - i);
        a1 = _mm256_fmadd_ps(_mm256_maskload_ps(x + i, m), _mm256_maskload_ps(y + i, m), a1);
    }
    return hsum256(_mm256_add_ps(a0, a1));
}

static inline void vec_axpy(float a, const float *x, float *y, int64_t n)
{
    __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    if (i < n) {
        __m256i m = tail_mask(n - i);
        __m256 r = _mm256_fmadd_ps(va, _mm256_maskload_ps(x + i, m), _mm256_maskload_ps(y + i, m));
        store_tail(y + i, r, n - i);
    }
}

static inline void vec_scale(float a, const float *x, float *y, int64_t n)
{
    __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(va, _mm256_loadu_ps(x + i)));
    if (i < n) {
        __m256i m = tail_mask(n - i);
        store_tail(y + i, _mm256_mul_ps(va, _mm256_maskload_ps(x + i, m)), n - i);
    }
}

/* out[j] = x . y[j] for j < m: x is loaded once per block for up to four rows at a time. */
static inline void vec_dot_many(const float *x, float *const *y, int32_t m, float *out, int64_t n)
{
    int32_t j = 0;
    for (; j + 4 <= m; j += 4) {
        const float *y0 = y[j], *y1 = y[j + 1], *y2 = y[j + 2], *y3 = y[j + 3];
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        int64_t i = 0;
        for (; i + 8 <= n; i += 8) {
            __m256 v = _mm256_loadu_ps(x + i);
            a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(y0 + i), a0);
            a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(y1 + i), a1);
            a2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(y2 + i), a2);
            a3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(y3 + i), a3);
        }
        if (i < n) {
            __m256i mk = tail_mask(n - i);
            __m256 v = _mm256_maskload_ps(x + i, mk);
            a0 = _mm256_fmadd_ps(v, _mm256_maskload_ps(y0 + i, mk), a0);
            a1 = _mm256_fmadd_ps(v, _mm256_maskload_ps(y1 + i, mk), a1);
            a2 = _mm256_fmadd_ps(v, _mm256_maskload_ps(y2 + i, mk), a2);
            a3 = _mm256_fmadd_ps(v, _mm256_maskload_ps(y3 + i, mk), a3);
        }
        out[j] = hsum256(a0);
        out[j + 1] = hsum256(a1);
        out[j + 2] = hsum256(a2);
        out[j + 3] = hsum256(a3);
    }
    for (; j < m; j++) out[j] = vec_dot(x, y[j], n);
}

/* y = (overwrite ? 0 : y) + sum_j a[j] * x[j]: y is loaded and stored once per block
 * instead of once per term. Overwrite mode is only used on scratch rows, which have room for
 * a whole last block (fe_scratch_row): writing it whole lets the next read of the row take
 * its data straight from the store. */
static inline void vec_axpy_many(const float *a, float *const *x, int32_t m, float *y, int64_t n,
                                 int overwrite)
{
    int64_t i = 0;
    /* two blocks per pass: two independent chains of FMAs instead of one, whose latency
     * (not the arithmetic) bounded the loop */
    for (; i + 16 <= n; i += 16) {
        __m256 acc0 = overwrite ? _mm256_setzero_ps() : _mm256_loadu_ps(y + i);
        __m256 acc1 = overwrite ? _mm256_setzero_ps() : _mm256_loadu_ps(y + i + 8);
        for (int32_t j = 0; j < m; j++) {
            __m256 aj = _mm256_set1_ps(a[j]);
            acc0 = _mm256_fmadd_ps(aj, _mm256_loadu_ps(x[j] + i), acc0);
            acc1 = _mm256_fmadd_ps(aj, _mm256_loadu_ps(x[j] + i + 8), acc1);
        }
        _mm256_storeu_ps(y + i, acc0);
        _mm256_storeu_ps(y + i + 8, acc1);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 acc = overwrite ? _mm256_setzero_ps() : _mm256_loadu_ps(y + i);
        for (int32_t j = 0; j < m; j++)
            acc = _mm256_fmadd_ps(_mm256_set1_ps(a[j]), _mm256_loadu_ps(x[j] + i), acc);
        _mm256_storeu_ps(y + i, acc);
    }
    if (i < n) {
        __m256i mk = tail_mask(n - i);
        __m256 acc = overwrite ? _mm256_setzero_ps() : _mm256_maskload_ps(y + i, mk);
        for (int32_t j = 0; j < m; j++)
            acc = _mm256_fmadd_ps(_mm256_set1_ps(a[j]), _mm256_maskload_ps(x[j] + i, mk), acc);
        if (overwrite)
            _mm256_storeu_ps(y + i, acc);
        else
            store_tail(y + i, acc, n - i);
    }
}

#define FE_NAME(name) fe_##name##_avx2
#include "fe_updates.h"

#if defined(__clang__)
#pragma clang attribute pop
#endif
#else
typedef int fe_no_avx2_on_this_target;   /* ISO C forbids an empty translation unit */
#endif
