/* The updates for x86-64 CPUs with AVX2 and FMA, selected at run time by fe_simd.c. The
 * whole file is compiled for that instruction set, so the helpers inline into the updates;
 * it is never called on a CPU without it. */
#include "fe_simd.h" /* FE_X86_BUILD */

#ifdef FE_X86_BUILD
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx2,fma")
#endif /* MSVC compiles AVX2/FMA intrinsics without a target switch */
#include <immintrin.h>
#include <stdint.h>

#include "fe_sigmoid.h"

static inline float hsum256(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

/* out[0..4) = the lane sums of a, b, c, d: three horizontal adds pair them up, so the four
 * reductions cost about what one does. */
static inline void hsum4_256(float *out, __m256 a, __m256 b, __m256 c, __m256 d)
{
    __m256 s = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1)));
}

/* Lane mask for the last, partial block of 8 floats (n % 8 of them). */
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

/* (label - sigmoid(f)) * alpha lane by lane: the table lookup of fe_sigmoid_lookup as a
 * gather, its saturation as two compares, the same float operations in the same order, so
 * the same values. */
static inline __m256 output_step_256(__m256 f, __m256 label, __m256 alpha)
{
    const __m256 lo = _mm256_set1_ps(-FE_MAX_EXP), hi = _mm256_set1_ps(FE_MAX_EXP);
    const __m256 scale = _mm256_set1_ps(FE_SIGMOID_BINS / (2.0f * FE_MAX_EXP));
    const __m256i first = _mm256_setzero_si256(), last = _mm256_set1_epi32(FE_SIGMOID_BINS - 1);
    __m256i idx = _mm256_cvttps_epi32(_mm256_mul_ps(_mm256_add_ps(f, hi), scale));
    idx = _mm256_min_epi32(_mm256_max_epi32(idx, first), last); /* any f: a valid index */
    __m256 sig = _mm256_i32gather_ps(fe_sigmoid_table, idx, 4);
    sig = _mm256_blendv_ps(sig, _mm256_set1_ps(1.0f), _mm256_cmp_ps(f, hi, _CMP_GE_OQ));
    sig = _mm256_and_ps(sig, _mm256_cmp_ps(f, lo, _CMP_GT_OQ)); /* also NaN: 0 */
    return _mm256_mul_ps(_mm256_sub_ps(label, sig), alpha);
}

#define FE_W 8
#define FE_PANEL 7 /* 7 accumulators, 7 more vectors and 2 temporaries: 16 registers */
typedef __m256 fe_vec;
typedef __m256i fe_mask;
#define FE_ZERO() _mm256_setzero_ps()
#define FE_SET1(a) _mm256_set1_ps(a)
#define FE_LOAD(p) _mm256_loadu_ps(p)
#define FE_STORE(p, v) _mm256_storeu_ps((p), (v))
#define FE_ADD(a, b) _mm256_add_ps((a), (b))
#define FE_MUL(a, b) _mm256_mul_ps((a), (b))
#define FE_FMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define FE_HSUM(v) hsum256(v)
#define FE_HSUM4(out, a, b, c, d) hsum4_256((out), (a), (b), (c), (d))
#define FE_TAIL(rem) tail_mask(rem)
#define FE_LOAD_TAIL(p, m) _mm256_maskload_ps((p), (m))
#define FE_STORE_TAIL(p, v, m, rem) store_tail((p), (v), (rem))
#define FE_OUTPUT_STEP(f, label, alpha, mk) output_step_256((f), (label), (alpha))
#include "fe_vec_x86.h"

/* g[o] = (label[o] - sigmoid(g[o])) * alpha for o < m: up to eight outputs (negative
 * sampling's usual count) one at a time, more eight at a time. For a few outputs the
 * lookups one by one were faster: a CBOW window's step is one chain from the scores to the
 * rows' update, and the gather's latency (and reading back its masked store) lay on it (5 %
 * of CBOW's time on an AMD Zen 4 core, bench/README.md). */
static inline void vec_output_steps(float *g, const float *label, int32_t m, float alpha)
{
    if (m <= 8) {
        for (int32_t o = 0; o < m; o++) g[o] = (label[o] - fe_sigmoid_lookup(g[o])) * alpha;
        return;
    }
    const __m256 va = _mm256_set1_ps(alpha);
    for (int32_t o = 0; o < m; o += 8) {
        const int32_t n = m - o < 8 ? m - o : 8;
        const __m256i mk = tail_mask(n);
        const __m256 r =
            output_step_256(_mm256_maskload_ps(g + o, mk), _mm256_maskload_ps(label + o, mk), va);
        if (n == 8) _mm256_storeu_ps(g + o, r);
        else store_tail(g + o, r, n);
    }
}

#define FE_NAME(name) fe_##name##_avx2
#include "fe_updates.h"

#if defined(__clang__)
#pragma clang attribute pop
#endif
#else
typedef int fe_no_avx2_on_this_target; /* ISO C forbids an empty translation unit */
#endif
