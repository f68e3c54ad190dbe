/* fe_atomic.h — the shared state of the workers: the counter of words trained so far across
 * all threads, which drives the global learning-rate schedule and progress reports, and the
 * stop flag the caller raises. Workers add
 * to it in batches (every few thousand words), so its cost is negligible. Relaxed ordering is
 * enough: the value only steers the learning rate, it guards no other memory.
 * And a spin lock (acquire/release ordering) that serialises the rare merges of the workers'
 * hot rows, so that no merge overwrites another's. */
#ifndef FE_ATOMIC_H
#define FE_ATOMIC_H

#include <stdint.h>

#if defined(_MSC_VER)
#include <intrin.h>
static inline int64_t fe_atomic_add(volatile int64_t *p, int64_t v)
{
    return _InterlockedExchangeAdd64((volatile long long *)p, v) + v;
}
static inline int fe_atomic_load_int(volatile int32_t *p)
{
    return _InterlockedOr((volatile long *)p, 0);
}
static inline void fe_atomic_store_int(volatile int32_t *p, int32_t v)
{
    _InterlockedExchange((volatile long *)p, v);
}
static inline void fe_lock(volatile int32_t *lock)
{
    while (_InterlockedExchange((volatile long *)lock, 1))
        while (*lock) {
#if defined(_M_X64) || defined(_M_IX86)
            _mm_pause();
#endif
        }
}
static inline void fe_unlock(volatile int32_t *lock)
{
    _InterlockedExchange((volatile long *)lock, 0);
}
#else
static inline int64_t fe_atomic_add(volatile int64_t *p, int64_t v)
{
    return __atomic_add_fetch(p, v, __ATOMIC_RELAXED);
}
static inline int fe_atomic_load_int(volatile int32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}
static inline void fe_atomic_store_int(volatile int32_t *p, int32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
}
static inline void fe_lock(volatile int32_t *lock)
{
    while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(lock, __ATOMIC_RELAXED)) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#elif defined(__aarch64__)
            __asm__ volatile("yield");
#endif
        }
}
static inline void fe_unlock(volatile int32_t *lock)
{
    __atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}
#endif

#endif
