/* fe_simd.h — the compiled sets of weight updates, and which of them this CPU runs.
 *
 * The default build targets the baseline of the architecture (SSE2 on x86-64), so a wheel
 * runs on any CPU; fe_updates_avx2.c is compiled for AVX2+FMA and fe_updates_avx512.c for
 * AVX-512F. Nothing here is a process-wide switch: a training run asks fe_simd_ops() for the
 * table of one path and keeps it in its config (fe_config.ops), so runs in different threads
 * may use different paths. All paths compute the same sums in a different association order,
 * so results agree to float rounding.
 */
#ifndef FE_SIMD_H
#define FE_SIMD_H

#include <stdint.h>

#include "fe_train.h"

/* An x86 build, where fe_updates_avx2.c and fe_updates_avx512.c hold the vector paths (and
 * the compiler accepts their intrinsics); elsewhere those files are empty and only the scalar
 * path exists. */
#if (defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))) ||                           \
    (defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86)))
#define FE_X86_BUILD 1
#endif

typedef enum { FE_SIMD_SCALAR = 0, FE_SIMD_AVX2 = 1, FE_SIMD_AVX512 = 2 } fe_simd_path;

/* 1 when this build and CPU (and the OS, for the register state) run `path`. */
int fe_simd_supported(int path);
/* The widest path this CPU runs. */
int fe_simd_best(void);
/* Fills *ops with the updates of `path` (-1: fe_simd_best()) and makes sure the sigmoid table
 * they read is filled. Returns the path, or -1 (*ops untouched) if this CPU lacks it. */
int fe_simd_ops(int path, fe_update_ops *ops);
/* 1 when the CPU runs PREFETCHW (prefetch a cache line for writing). */
int fe_cpu_has_prefetchw(void);

#endif
