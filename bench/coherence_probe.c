/* How long a cache line takes to travel between the two cores a 2-thread run lands on.
 *
 *   cc -O2 -pthread bench/coherence_probe.c -o bench/work/coherence_probe
 *   bench/work/coherence_probe        -> prints the round trip in ns
 *
 * Two threads hand one flag back and forth; a round trip moves its cache line twice. On cores
 * that share a cache this is ~50-60 ns; when the machine runs the two threads on cores of
 * different sockets or core complexes it is several times more, and every row two Hogwild
 * workers both write costs that much more. bench/scaling.py records it before each run. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#define ROUNDS 200000

static _Alignas(128) atomic_int flag;

static void *answer(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        while (atomic_load_explicit(&flag, memory_order_acquire) != 1) {}
        atomic_store_explicit(&flag, 0, memory_order_release);
    }
    return NULL;
}

int main(void)
{
    pthread_t other;
    struct timespec a, b;
    atomic_store(&flag, 0);
    if (pthread_create(&other, NULL, answer, NULL) != 0) return 1;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < ROUNDS; i++) {
        atomic_store_explicit(&flag, 1, memory_order_release);
        while (atomic_load_explicit(&flag, memory_order_acquire) != 0) {}
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    pthread_join(other, NULL);
    printf("%.1f\n", ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / ROUNDS);
    return 0;
}
