/* fe_simd.h — which compiled set of weight updates runs, chosen once at run time.
 *
 * The default build targets the baseline of the architecture (SSE2 on x86-64), so a wheel
 * runs on any CPU; fe_updates_avx2.c is compiled for AVX2+FMA and fe_updates_avx512.c for
 * AVX-512F, and fe_simd_select() takes the widest one the CPU and the OS support. All paths compute the same
 * sums in a different association order, so results agree to float rounding.
 */
#ifndef FE_SIMD_H
#define FE_SIMD_H

#include <stdint.h>

#include "fe_train.h"

typedef enum { FE_SIMD_SCALAR = 0, FE_SIMD_AVX2 = 1, FE_SIMD_AVX512 = 2 } fe_simd_path;

typedef struct fe_update_ops {
    double (*sg_step)(const fe_weights *w, uint32_t context, const fe_target *t, float alpha,
                      float *scratch, int want_loss);
    double (*sg_window_step)(const fe_weights *w, const uint32_t *context, int32_t n_context,
                             const fe_target *t, float alpha, float *scratch, int want_loss);
    double (*cbow_step)(const fe_weights *w, const uint32_t *context, int32_t n_context,
                        int32_t cbow_mean, const fe_target *t, float alpha, float *scratch,
                        int want_loss);
} fe_update_ops;

extern fe_update_ops fe_updates;   /* the selected set; set by fe_simd_select */

/* Selects `requested` (or the best path when -1); returns the path, or -1 if the CPU lacks it. */
int fe_simd_select(int requested);
int fe_simd_supported(fe_simd_path path);
fe_simd_path fe_simd_active(void);
/* 1 when the CPU runs PREFETCHW (prefetch a cache line for writing). */
int fe_cpu_has_prefetchw(void);

#endif
