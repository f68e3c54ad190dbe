/* fe_simd.h — the vector primitives of the training loop, chosen once at run time.
 *
 * The default build targets the baseline of the architecture (SSE2 on x86-64), so a wheel
 * runs on any CPU; the AVX2+FMA versions are compiled with a per-function target attribute
 * and selected by fe_simd_select() after checking what the CPU supports. Every path computes
 * the same sums in a different association order, so results agree to float rounding.
 */
#ifndef FE_SIMD_H
#define FE_SIMD_H

#include <stdint.h>

typedef enum { FE_SIMD_SCALAR = 0, FE_SIMD_AVX2 = 1 } fe_simd_path;

typedef struct fe_simd_ops {
    float (*dot)(const float *x, const float *y, int64_t n);
    void (*axpy)(float a, const float *x, float *y, int64_t n);    /* y += a * x */
} fe_simd_ops;

extern fe_simd_ops fe_simd;   /* the selected implementation; set by fe_simd_select */

/* Best path this CPU supports, or -1 if `requested` is not supported here. */
int fe_simd_select(int requested /* -1 = best available */);
int fe_simd_supported(fe_simd_path path);
fe_simd_path fe_simd_active(void);

#endif
