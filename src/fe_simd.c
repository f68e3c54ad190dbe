#include "fe_simd.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define FE_HAVE_AVX2_BUILD 1
#include <immintrin.h>
#endif

/* Scalar paths with four independent accumulators: breaks the add dependency chain and lets
 * the compiler vectorise with the baseline instruction set. */
static float dot_scalar(const float *x, const float *y, int64_t n)
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

static void axpy_scalar(float a, const float *x, float *y, int64_t n)
{
    for (int64_t i = 0; i < n; i++) y[i] += a * x[i];
}

#ifdef FE_HAVE_AVX2_BUILD
#define FE_AVX2 __attribute__((target("avx2,fma")))

FE_AVX2 static inline float hsum256(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

FE_AVX2 static float dot_avx2(const float *x, const float *y, int64_t n)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    if (i + 8 <= n) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
        i += 8;
    }
    float s = hsum256(_mm256_add_ps(a0, a1));
    for (; i < n; i++) s += x[i] * y[i];
    return s;
}

FE_AVX2 static void axpy_avx2(float a, const float *x, float *y, int64_t n)
{
    __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] += a * x[i];
}
#endif

fe_simd_ops fe_simd = {dot_scalar, axpy_scalar};
static fe_simd_path active = FE_SIMD_SCALAR;

int fe_simd_supported(fe_simd_path path)
{
    if (path == FE_SIMD_SCALAR) return 1;
#ifdef FE_HAVE_AVX2_BUILD
    if (path == FE_SIMD_AVX2) {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
#endif
    return 0;
}

int fe_simd_select(int requested)
{
    fe_simd_path path = FE_SIMD_SCALAR;
    if (requested < 0) {
        if (fe_simd_supported(FE_SIMD_AVX2)) path = FE_SIMD_AVX2;
    } else {
        if (!fe_simd_supported((fe_simd_path)requested)) return -1;
        path = (fe_simd_path)requested;
    }
    fe_simd_ops ops = {dot_scalar, axpy_scalar};
#ifdef FE_HAVE_AVX2_BUILD
    if (path == FE_SIMD_AVX2) { ops.dot = dot_avx2; ops.axpy = axpy_avx2; }
#endif
    fe_simd = ops;
    active = path;
    return (int)path;
}

fe_simd_path fe_simd_active(void) { return active; }
