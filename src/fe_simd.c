#include "fe_simd.h"

#define FE_DECLARE_UPDATES(suffix)                                                            \
    double fe_sg_step_##suffix(const fe_weights *, uint32_t, const fe_target *, float,        \
                               float *, int);                                                 \
    double fe_sg_window_step_##suffix(const fe_weights *, const uint32_t *, int32_t,          \
                                      const fe_target *, float, float *, int);                \
    double fe_cbow_step_##suffix(const fe_weights *, const uint32_t *, int32_t, int32_t,      \
                                 const fe_target *, float, float *, int);
#define FE_UPDATE_OPS(suffix) {fe_sg_step_##suffix, fe_sg_window_step_##suffix, fe_cbow_step_##suffix}

FE_DECLARE_UPDATES(scalar)

/* Must match the guard of fe_updates_avx2.c and fe_updates_avx512.c. CPU features are read
 * with cpuid directly (not __builtin_cpu_supports, which needs a compiler runtime symbol that
 * macOS extensions lack), and the vector registers must also be enabled by the OS (OSXSAVE,
 * then XGETBV: bits 1-2 for XMM/YMM state, 5-7 for the AVX-512 mask and upper ZMM state). */
#if (defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))) || \
    (defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86)))
#define FE_HAVE_X86_BUILD 1
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
    if (!((r[1] >> 5) & 1)) return 0;                           /* AVX2 */
    if (path == FE_SIMD_AVX2) return 1;
    return path == FE_SIMD_AVX512 && ((r[1] >> 16) & 1) &&      /* AVX-512F */
           (state & 0xE0) == 0xE0;
}
#endif

int fe_cpu_has_prefetchw(void)
{
#ifdef FE_HAVE_X86_BUILD
    unsigned r[4];
    cpuid(0x80000000u, 0, r);
    if (r[0] < 0x80000001u) return 0;
    cpuid(0x80000001u, 0, r);
    return (r[2] >> 8) & 1;                                     /* ecx 8: PRFCHW */
#else
    return 0;
#endif
}

fe_update_ops fe_updates = FE_UPDATE_OPS(scalar);
static fe_simd_path active = FE_SIMD_SCALAR;

int fe_simd_supported(fe_simd_path path)
{
    if (path == FE_SIMD_SCALAR) return 1;
#ifdef FE_HAVE_X86_BUILD
    if (path == FE_SIMD_AVX2 || path == FE_SIMD_AVX512) return cpu_has(path);
#endif
    return 0;
}

int fe_simd_select(int requested)
{
    fe_simd_path path = FE_SIMD_SCALAR;
    if (requested < 0) {
        /* the widest path the CPU runs */
        for (int p = FE_SIMD_AVX512; p > FE_SIMD_SCALAR; p--)
            if (fe_simd_supported((fe_simd_path)p)) {
                path = (fe_simd_path)p;
                break;
            }
    } else {
        if (requested > FE_SIMD_AVX512 || !fe_simd_supported((fe_simd_path)requested)) return -1;
        path = (fe_simd_path)requested;
    }
    fe_update_ops ops = FE_UPDATE_OPS(scalar);
#ifdef FE_HAVE_X86_BUILD
    if (path == FE_SIMD_AVX2) {
        fe_update_ops avx2 = FE_UPDATE_OPS(avx2);
        ops = avx2;
    } else if (path == FE_SIMD_AVX512) {
        fe_update_ops avx512 = FE_UPDATE_OPS(avx512);
        ops = avx512;
    }
#endif
    fe_updates = ops;
    active = path;
    return (int)path;
}

fe_simd_path fe_simd_active(void) { return active; }
