/* fe_pcg64.h — NumPy's PCG64 bit generator, to fill a model's first weights fast.
 *
 * A model's initial rows are uniform floats from numpy.random.Generator(PCG64(seed sequence)):
 * NumPy draws them one function-pointer call per float, which was a tenth of building a
 * vocabulary from a corpus file. This is the same generator inline, started from the state
 * NumPy's PCG64 reports (bit_generator.state), so the floats are the very same bits.
 *
 * PCG64 (O'Neill's PCG XSL RR 128/64): a 128-bit linear congruential state, advanced before
 * each output; the output is the xor of the state's halves rotated right by the top 6 bits.
 * A 32-bit draw takes the low half of a 64-bit output and keeps the high half for the next
 * one; a float32 in [0, 1) is the top 24 bits of a 32-bit draw times 2^-24 (NumPy's
 * next_uint32 and next_float).
 */
#ifndef FE_PCG64_H
#define FE_PCG64_H

#include <stdint.h>

typedef struct fe_pcg64 {
    uint64_t state_hi, state_lo, inc_hi, inc_lo;
    int has_uint32;
    uint32_t uinteger;
} fe_pcg64;

#define FE_PCG64_MULT_HI 0x2360ED051FC65DA4ULL
#define FE_PCG64_MULT_LO 0x4385DF649FCCF645ULL

#if defined(__SIZEOF_INT128__)
static inline void fe_pcg64_step(fe_pcg64 *g)
{
    unsigned __int128 s = ((unsigned __int128)g->state_hi << 64) | g->state_lo;
    unsigned __int128 m = ((unsigned __int128)FE_PCG64_MULT_HI << 64) | FE_PCG64_MULT_LO;
    unsigned __int128 i = ((unsigned __int128)g->inc_hi << 64) | g->inc_lo;
    s = s * m + i;
    g->state_hi = (uint64_t)(s >> 64);
    g->state_lo = (uint64_t)s;
}
#else
/* The high 64 bits of a * b, from 32-bit pieces. */
static inline uint64_t fe_mul_hi64(uint64_t a, uint64_t b)
{
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t low = a0 * b0, mid1 = a1 * b0, mid2 = a0 * b1;
    uint64_t carry = ((low >> 32) + (uint32_t)mid1 + (uint32_t)mid2) >> 32;
    return a1 * b1 + (mid1 >> 32) + (mid2 >> 32) + carry;
}

static inline void fe_pcg64_step(fe_pcg64 *g)
{
    /* (state * mult + inc) mod 2^128 */
    uint64_t lo = g->state_lo * FE_PCG64_MULT_LO;
    uint64_t hi = fe_mul_hi64(g->state_lo, FE_PCG64_MULT_LO) + g->state_lo * FE_PCG64_MULT_HI +
        g->state_hi * FE_PCG64_MULT_LO;
    uint64_t sum_lo = lo + g->inc_lo;
    g->state_hi = hi + g->inc_hi + (sum_lo < lo);
    g->state_lo = sum_lo;
}
#endif

static inline uint64_t fe_pcg64_next64(fe_pcg64 *g)
{
    fe_pcg64_step(g);
    uint64_t x = g->state_hi ^ g->state_lo;
    unsigned rot = (unsigned)(g->state_hi >> 58);
    return (x >> rot) | (x << ((64 - rot) & 63));
}

static inline uint32_t fe_pcg64_next32(fe_pcg64 *g)
{
    if (g->has_uint32) {
        g->has_uint32 = 0;
        return g->uinteger;
    }
    uint64_t next = fe_pcg64_next64(g);
    g->has_uint32 = 1;
    g->uinteger = (uint32_t)(next >> 32);
    return (uint32_t)next;
}

static inline float fe_pcg64_float(fe_pcg64 *g)
{
    return (float)(fe_pcg64_next32(g) >> 8) * (1.0f / 16777216.0f);
}

/* n_rows rows of dim floats (uniform(0, 1) * 2 - 1) / dim into out, in order, each operation
 * in float32 as NumPy's in-place ufuncs do them. The draws are a serial chain; the arithmetic
 * is done a row at a time after them, in a loop the compiler vectorises. */
static inline void fe_pcg64_init_rows(fe_pcg64 *g, float *out, int64_t n_rows, int64_t dim)
{
    const float scale = (float)dim;
    for (int64_t i = 0; i < n_rows; i++) {
        float *row = out + i * dim;
        for (int64_t j = 0; j < dim; j++) row[j] = fe_pcg64_float(g);
        for (int64_t j = 0; j < dim; j++) {
            float x = row[j] * 2.0f;
            x = x - 1.0f;
            row[j] = x / scale;
        }
    }
}

#endif
