/* How long a cache line takes to travel between the two cores a 2-thread run lands on.
 *
 *   cc -O2 -pthread bench/coherence_probe.c -o bench/work/coherence_probe
 *   bench/work/coherence_probe        -> prints the round trip in ns
 *
 * Two threads hand one flag back and forth; a round trip moves its cache line twice. On cores
 * that share a cache this is ~50-60 ns; when the machine runs the two threads on cores of
 * different sockets or core complexes it is several times more, and every row two Hogwild
 * workers both write costs that much more. bench/scaling.py records it before each run.
 *
 * The rounds are timed in batches and the fastest batch's mean is printed: on a busy machine
 * one thread of the pair is now and then descheduled, and a batch that waited for it says
 * nothing about the cores; the fastest batch is the cost of the line's journey itself. For
 * the same reason the probe stops after about a second even if not all batches ran. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#define BATCHES 20
#define BATCH 10000
#define QUIT 2

static _Alignas(128) atomic_int flag;

static void *answer(void *arg)
{
    (void)arg;
    for (;;) {
        int seen;
        while ((seen = atomic_load_explicit(&flag, memory_order_acquire)) == 0) {
        }
        if (seen == QUIT) return NULL;
        atomic_store_explicit(&flag, 0, memory_order_release);
    }
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(void)
{
    pthread_t other;
    atomic_store(&flag, 0);
    if (pthread_create(&other, NULL, answer, NULL) != 0) return 1;
    const double start = seconds();
    double best = -1.0;
    for (int batch = 0; batch < BATCHES && (batch == 0 || seconds() - start < 1.0); batch++) {
        const double a = seconds();
        for (int i = 0; i < BATCH; i++) {
            atomic_store_explicit(&flag, 1, memory_order_release);
            while (atomic_load_explicit(&flag, memory_order_acquire) != 0) {
            }
        }
        const double ns = (seconds() - a) * 1e9 / BATCH;
        if (best < 0 || ns < best) best = ns;
    }
    atomic_store_explicit(&flag, QUIT, memory_order_release);
    pthread_join(other, NULL);
    printf("%.1f\n", best);
    return 0;
}
