#include "fe_simd.h"

#define FE_DECLARE_UPDATES(suffix)                                                            \
    double fe_sg_step_##suffix(const fe_weights *, uint32_t, const fe_target *, float,        \
                               float *, int);                                                 \
    double fe_sg_window_step_##suffix(const fe_weights *, const uint32_t *, int32_t,          \
                                      const fe_target *, float, float *, int);                \
    double fe_cbow_step_##suffix(const fe_weights *, const uint32_t *, int32_t, int32_t,      \
                                 const fe_target *, float, float *, int);

FE_DECLARE_UPDATES(scalar)
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define FE_HAVE_AVX2_BUILD 1
FE_DECLARE_UPDATES(avx2)
#endif

fe_update_ops fe_updates = {fe_sg_step_scalar, fe_sg_window_step_scalar, fe_cbow_step_scalar};
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
