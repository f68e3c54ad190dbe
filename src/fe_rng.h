/* fe_rng.h — the per-thread random number generator of the kernel.
 *
 * splitmix64: a 64-bit Weyl sequence through a strong bit mixer. One add, two multiplies and
 * three shift-xors per draw, passes BigCrush, and any 64-bit seed is a valid state, so a
 * worker's stream is simply seeded from (user seed, epoch, worker index) by fe_rng_seed.
 * Each worker owns its state; nothing here is shared between threads.
 */
#ifndef FE_RNG_H
#define FE_RNG_H

#include <stdint.h>

typedef struct fe_rng {
    uint64_t state;
} fe_rng;

static inline uint64_t fe_rng_next64(fe_rng *rng)
{
    uint64_t z = (rng->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint32_t fe_rng_next32(fe_rng *rng) { return (uint32_t)(fe_rng_next64(rng) >> 32); }

/* Uniform integer in [0, n) by multiply-shift (Lemire); the bias is below n / 2^32. */
static inline uint32_t fe_rng_below(fe_rng *rng, uint32_t n)
{
    return (uint32_t)(((uint64_t)fe_rng_next32(rng) * n) >> 32);
}

/* Uniform float in [0, 1) with 24 random bits. */
static inline float fe_rng_uniform(fe_rng *rng)
{
    return (float)(fe_rng_next64(rng) >> 40) * (1.0f / 16777216.0f);
}

/* Derives independent streams: each (seed, a, b) triple gives an unrelated starting state. */
static inline void fe_rng_seed(fe_rng *rng, uint64_t seed, uint64_t a, uint64_t b)
{
    fe_rng mix = {seed};
    uint64_t s = fe_rng_next64(&mix);
    mix.state = s ^ (a * 0xD1B54A32D192ED03ULL);
    s = fe_rng_next64(&mix);
    mix.state = s ^ (b * 0x8CB92BA72F3D8DD7ULL);
    rng->state = fe_rng_next64(&mix);
}

#endif
