/* The updates for x86-64 CPUs with AVX-512F (plus AVX2 and FMA), selected at run time by
 * fe_simd.c. Rows are processed 16 floats at a time; the partial last block of a row is
 * loaded and stored under a lane mask, which AVX-512 makes as cheap as a plain access. */
#include "fe_simd.h" /* FE_X86_BUILD */

#ifdef FE_X86_BUILD
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx512f,avx2,fma")
#endif /* MSVC compiles AVX-512 intrinsics without a target switch */
#include <immintrin.h>
#include <stdint.h>

#include "fe_sigmoid.h"

/* out[0..4) = the lane sums of a, b, c, d: each folded to 8 lanes, then paired up by three
 * horizontal adds. */
static inline void hsum4_512(float *out, __m512 a, __m512 b, __m512 c, __m512 d)
{
/* (the upper half through the 64-bit-lane extract: AVX-512F alone has no 32-bit one) */
#define FE_FOLD(v)                                                                                 \
    _mm256_add_ps(_mm512_castps512_ps256(v),                                                       \
                  _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)))
    __m256 s = _mm256_hadd_ps(_mm256_hadd_ps(FE_FOLD(a), FE_FOLD(b)),
                              _mm256_hadd_ps(FE_FOLD(c), FE_FOLD(d)));
#undef FE_FOLD
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1)));
}

/* (label - sigmoid(f)) * alpha lane by lane: the table lookup of fe_sigmoid_lookup as a
 * gather, its saturation as two compares, the same float operations in the same order, so
 * the same values. */
static inline __m512 output_step_512(__m512 f, __m512 label, __m512 alpha, __mmask16 mk)
{
    const __m512 lo = _mm512_set1_ps(-FE_MAX_EXP), hi = _mm512_set1_ps(FE_MAX_EXP);
    const __m512 scale = _mm512_set1_ps(FE_SIGMOID_BINS / (2.0f * FE_MAX_EXP));
    const __m512i first = _mm512_setzero_si512(), last = _mm512_set1_epi32(FE_SIGMOID_BINS - 1);
    __m512i idx = _mm512_cvttps_epi32(_mm512_mul_ps(_mm512_add_ps(f, hi), scale));
    idx = _mm512_min_epi32(_mm512_max_epi32(idx, first), last); /* any f: a valid index */
    /* only the lanes in use: a gather's time grows with its lanes */
    __m512 sig = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mk, idx, fe_sigmoid_table, 4);
    sig = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(f, hi, _CMP_GE_OQ), sig, _mm512_set1_ps(1.0f));
    sig = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(f, lo, _CMP_GT_OQ), sig); /* NaN: 0 */
    return _mm512_mul_ps(_mm512_sub_ps(label, sig), alpha);
}

#define FE_W 16
#define FE_PANEL 7 /* dim <= 112 in one panel */
typedef __m512 fe_vec;
typedef __mmask16 fe_mask;
#define FE_ZERO() _mm512_setzero_ps()
#define FE_SET1(a) _mm512_set1_ps(a)
#define FE_LOAD(p) _mm512_loadu_ps(p)
#define FE_STORE(p, v) _mm512_storeu_ps((p), (v))
#define FE_ADD(a, b) _mm512_add_ps((a), (b))
#define FE_MUL(a, b) _mm512_mul_ps((a), (b))
#define FE_FMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define FE_HSUM(v) _mm512_reduce_add_ps(v)
#define FE_HSUM4(out, a, b, c, d) hsum4_512((out), (a), (b), (c), (d))
#define FE_TAIL(rem) ((__mmask16)((1u << (rem)) - 1u))
#define FE_LOAD_TAIL(p, m) _mm512_maskz_loadu_ps((m), (p))
#define FE_STORE_TAIL(p, v, m, rem) _mm512_mask_storeu_ps((p), (m), (v))
#define FE_OUTPUT_STEP(f, label, alpha, mk) output_step_512((f), (label), (alpha), (mk))
#include "fe_vec_x86.h"

/* g[o] = (label[o] - sigmoid(g[o])) * alpha for o < m: up to eight outputs (negative
 * sampling's usual count) one at a time, more sixteen at a time. For a few outputs the
 * lookups one by one were faster: a CBOW window's step is one chain from the scores to the
 * rows' update, and the gather's latency (and reading back its masked store) lay on it (5 %
 * of CBOW's time on an AMD Zen 4 core, bench/README.md). */
static inline void vec_output_steps(float *g, const float *label, int32_t m, float alpha)
{
    if (m <= 8) {
        for (int32_t o = 0; o < m; o++) g[o] = (label[o] - fe_sigmoid_lookup(g[o])) * alpha;
        return;
    }
    const __m512 va = _mm512_set1_ps(alpha);
    for (int32_t o = 0; o < m; o += 16) {
        const int32_t n = m - o < 16 ? m - o : 16;
        const __mmask16 mk = (__mmask16)((1u << n) - 1u);
        const __m512 r = output_step_512(_mm512_maskz_loadu_ps(mk, g + o),
                                         _mm512_maskz_loadu_ps(mk, label + o), va, mk);
        _mm512_mask_storeu_ps(g + o, mk, r);
    }
}

#define FE_NAME(name) fe_##name##_avx512
#include "fe_updates.h"

#if defined(__clang__)
#pragma clang attribute pop
#endif
#else
typedef int fe_no_avx512_on_this_target; /* ISO C forbids an empty translation unit */
#endif
