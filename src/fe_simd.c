#include "fe_simd.h"

#define FE_DECLARE_UPDATES(suffix)                                                                 \
    double fe_sg_step_##suffix(const fe_weights *, uint32_t, const fe_target *, float, float *,    \
                               int);                                                               \
    double fe_sg_window_step_##suffix(const fe_weights *, const uint32_t *, int32_t,               \
                                      const fe_target *, float, float *, int);                     \
    double fe_cbow_step_##suffix(const fe_weights *, const uint32_t *, int32_t, int32_t,           \
                                 const fe_target *, float, float *, int);                          \
    double fe_subword_step_##suffix(const fe_weights *, const uint32_t *, int32_t, int32_t,        \
                                    const fe_target *, int32_t, float, float *, int);              \
    void fe_rows_sum_##suffix(const fe_weights *, const uint32_t *, int32_t, float *, float *);    \
    void fe_rows_add_##suffix(const fe_weights *, const uint32_t *, int32_t, const float *);       \
    double fe_sums_step_##suffix(const fe_weights *, float *const *, float *const *, int32_t,      \
                                 float, float, const fe_target *, float, float *, int);            \
    void fe_infer_step_##suffix(const float *, const uint32_t *, int32_t, int32_t, float *,        \
                                float *const *, const float *, int32_t, float, float *, int64_t);  \
    double fe_predict_##suffix(const fe_weights *, const float *, float *, const fe_target *,      \
                               float, int);                                                        \
    void fe_output_scores_##suffix(const float *, float *const *, const float *, int32_t, float,   \
                                   float *, int64_t);
#define FE_UPDATE_OPS(suffix)                                                                      \
    {fe_sg_step_##suffix,      fe_sg_window_step_##suffix, fe_cbow_step_##suffix,                  \
     fe_subword_step_##suffix, fe_rows_sum_##suffix,       fe_rows_add_##suffix,                   \
     fe_sums_step_##suffix,    fe_infer_step_##suffix,     fe_predict_##suffix,                    \
     fe_output_scores_##suffix}

FE_DECLARE_UPDATES(scalar)

/* CPU features are read with cpuid directly (not __builtin_cpu_supports, which needs a compiler runtime symbol that
 * macOS extensions lack), and the vector registers must also be enabled by the OS (OSXSAVE,
 * then XGETBV: bits 1-2 for XMM/YMM state, 5-7 for the AVX-512 mask and upper ZMM state). */
#ifdef FE_X86_BUILD
FE_DECLARE_UPDATES(avx2)
FE_DECLARE_UPDATES(avx512)

#if defined(_MSC_VER) && !defined(__clang__)
#include <immintrin.h>
#include <intrin.h>
static void cpuid(unsigned leaf, unsigned sub, unsigned r[4])
{
    int v[4];
    __cpuidex(v, (int)leaf, (int)sub);
    for (int k = 0; k < 4; k++) r[k] = (unsigned)v[k];
}
static unsigned long long xcr0(void) { return _xgetbv(0); }
#else
#include <cpuid.h>
static void cpuid(unsigned leaf, unsigned sub, unsigned r[4])
{
    r[0] = r[1] = r[2] = r[3] = 0;
    if (leaf > __get_cpuid_max(leaf & 0x80000000u, 0)) return;
    __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
}
static unsigned long long xcr0(void)
{
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}
#endif

static int cpu_has(fe_simd_path path)
{
    unsigned r[4];
    cpuid(1, 0, r);
    /* FMA (ecx 12), OSXSAVE (27), AVX (28) */
    if (!((r[2] >> 12) & 1) || !((r[2] >> 27) & 1) || !((r[2] >> 28) & 1)) return 0;
    unsigned long long state = xcr0();
    if ((state & 0x6) != 0x6) return 0;
    cpuid(7, 0, r);
    if (!((r[1] >> 5) & 1)) return 0; /* AVX2 */
    if (path == FE_SIMD_AVX2) return 1;
    return path == FE_SIMD_AVX512 && ((r[1] >> 16) & 1) && /* AVX-512F */
        (state & 0xE0) == 0xE0;
}
#endif

int fe_cpu_has_prefetchw(void)
{
#ifdef FE_X86_BUILD
    unsigned r[4];
    cpuid(0x80000000u, 0, r);
    if (r[0] < 0x80000001u) return 0;
    cpuid(0x80000001u, 0, r);
    return (r[2] >> 8) & 1; /* ecx 8: PRFCHW */
#else
    return 0;
#endif
}

int fe_simd_supported(int path)
{
    if (path == FE_SIMD_SCALAR) return 1;
#ifdef FE_X86_BUILD
    if (path == FE_SIMD_AVX2 || path == FE_SIMD_AVX512) return cpu_has((fe_simd_path)path);
#endif
    return 0;
}

int fe_simd_best(void)
{
    for (int p = FE_SIMD_AVX512; p > FE_SIMD_SCALAR; p--)
        if (fe_simd_supported(p)) return p;
    return FE_SIMD_SCALAR;
}

int fe_simd_ops(int path, fe_update_ops *ops)
{
    if (path < 0) path = fe_simd_best();
    if (path > FE_SIMD_AVX512 || !fe_simd_supported(path)) return -1;
    const fe_update_ops scalar = FE_UPDATE_OPS(scalar);
    *ops = scalar;
#ifdef FE_X86_BUILD
    const fe_update_ops avx2 = FE_UPDATE_OPS(avx2), avx512 = FE_UPDATE_OPS(avx512);
    if (path == FE_SIMD_AVX2) *ops = avx2;
    if (path == FE_SIMD_AVX512) *ops = avx512;
#endif
    fe_sigmoid_init();
    return path;
}
