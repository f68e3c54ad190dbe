/* Prefetch hints, one definition for every C file that plans its memory accesses ahead.
 *
 * FE_PREFETCH_READ brings a cache line towards the core for reading. FE_PREFETCH_WRITE brings
 * it ready for writing: on x86 that is PREFETCHW (every x86-64 CPU of the last decade has it),
 * so a row another core updated last costs one transfer, not a read and then an
 * invalidation. It is written as assembly because the baseline x86-64 target does not enable
 * the instruction. Both are hints only: a stale or useless one costs nothing but itself. */
#ifndef FE_PREFETCH_H
#define FE_PREFETCH_H

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define FE_PREFETCH_READ(p) __builtin_prefetch((p), 0, 3)
#define FE_PREFETCH_WRITE(p) __asm__ volatile("prefetchw %0" : : "m"(*(const char *)(p)))
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <intrin.h>
#define FE_PREFETCH_READ(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)
#define FE_PREFETCH_WRITE(p) _m_prefetchw((p))
#elif defined(__GNUC__)
#define FE_PREFETCH_READ(p) __builtin_prefetch((p), 0, 3)
#define FE_PREFETCH_WRITE(p) __builtin_prefetch((p), 1, 3)
#else
#define FE_PREFETCH_READ(p) ((void)(p))
#define FE_PREFETCH_WRITE(p) ((void)(p))
#endif

#endif
