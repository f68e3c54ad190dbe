#include "fe_simd.h"

#define FE_DECLARE_UPDATES(suffix)                                                            \
    double fe_sg_step_##suffix(const fe_weights *, uint32_t, const fe_target *, float,        \
                               float *, int);                                                 \
    double fe_sg_window_step_##suffix(const fe_weights *, const uint32_t *, int32_t,          \
                                      const fe_target *, float, float *, int);                \
    double fe_cbow_step_##suffix(const fe_weights *, const uint32_t *, int32_t, int32_t,      \
                                 const fe_target *, float, float *, int);

FE_DECLARE_UPDATES(scalar)

/* Must match the guard of fe_updates_avx2.c. CPU features are read with cpuid directly (not
 * __builtin_cpu_supports, which needs a compiler runtime symbol that macOS extensions lack),
 * and AVX registers must also be enabled by the OS (OSXSAVE + XGETBV). */
#if (defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))) || \
    (defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86)))
#define FE_HAVE_AVX2_BUILD 1
FE_DECLARE_UPDATES(avx2)

#if defined(_MSC_VER) && !defined(__clang__)
#include <immintrin.h>
#include <intrin.h>
static int cpu_has_avx2_fma(void)
{
    int r[4];
    __cpuid(r, 0);
    if (r[0] < 7) return 0;
    __cpuid(r, 1);
    if (!((r[2] >> 12) & 1) || !((r[2] >> 27) & 1) || !((r[2] >> 28) & 1)) return 0;
    if ((_xgetbv(0) & 6) != 6) return 0;
    __cpuidex(r, 7, 0);
    return (r[1] >> 5) & 1;
}
#else
#include <cpuid.h>
static int cpu_has_avx2_fma(void)
{
    unsigned a, b, c, d, lo, hi;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!((c >> 12) & 1) || !((c >> 27) & 1) || !((c >> 28) & 1)) return 0;   /* FMA, OSXSAVE, AVX */
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & 6) != 6) return 0;                                              /* XMM+YMM state on */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b >> 5) & 1;                                                      /* AVX2 */
}
#endif
#endif

fe_update_ops fe_updates = {fe_sg_step_scalar, fe_sg_window_step_scalar, fe_cbow_step_scalar};
static fe_simd_path active = FE_SIMD_SCALAR;

int fe_simd_supported(fe_simd_path path)
{
    if (path == FE_SIMD_SCALAR) return 1;
#ifdef FE_HAVE_AVX2_BUILD
    if (path == FE_SIMD_AVX2) return cpu_has_avx2_fma();
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
    fe_update_ops ops = {fe_sg_step_scalar, fe_sg_window_step_scalar, fe_cbow_step_scalar};
#ifdef FE_HAVE_AVX2_BUILD
    if (path == FE_SIMD_AVX2) {
        ops.sg_step = fe_sg_step_avx2;
        ops.sg_window_step = fe_sg_window_step_avx2;
        ops.cbow_step = fe_cbow_step_avx2;
    }
#endif
    fe_updates = ops;
    active = path;
    return (int)path;
}

fe_simd_path fe_simd_active(void) { return active; }
