#include "fe_walk.h"

#include <math.h>
#include <stdlib.h>

#include "fe_rng.h"
#include "fe_sample.h"

int64_t fe_walk_alias_build(const int64_t *indptr, int64_t n_nodes, const double *weight,
                            uint64_t *alias, int64_t *work)
{
    for (int64_t v = 0; v < n_nodes; v++) {
        int64_t a = indptr[v], deg = indptr[v + 1] - a;
        if (deg == 0) continue;
        if (fe_alias_build(weight + a, deg, alias + a, work) != 0) return -(1 + v);
    }
    return 0;
}

int fe_walk_has_edge(const fe_graph *g, uint32_t t, uint32_t x)
{
    const uint32_t *row = g->indices + g->indptr[t];
    int64_t lo = 0, hi = g->indptr[t + 1] - g->indptr[t];
    while (lo < hi) {
        int64_t mid = lo + ((hi - lo) >> 1);
        if (row[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo < g->indptr[t + 1] - g->indptr[t] && row[lo] == x;
}

/* One first-order step from v (deg >= 1): uniform, or by the row's alias table. */
static inline uint32_t first_order(const fe_graph *g, uint32_t v, int64_t deg, fe_rng *rng)
{
    int64_t a = g->indptr[v];
    uint32_t k = g->alias ? fe_alias_draw(g->alias + a, (uint32_t)deg, rng)
                          : fe_rng_below(rng, (uint32_t)deg);
    return g->indices[a + k];
}

/* The exact second-order draw from v, having come from t (see fe_walk.h). scratch holds
 * 2 * deg doubles: each edge's first-order weight, then its class (0 return, 1 near, 2 far).
 * log_factor[c] is log a(t,x) for class c. */
static uint32_t exact_second_order(const fe_graph *g, uint32_t t, uint32_t v, int64_t deg,
                                   const double log_factor[3], double *scratch, fe_rng *rng)
{
    const int64_t a = g->indptr[v];
    const uint32_t *row = g->indices + a;
    double *weight = scratch, *cls = scratch + deg;
    if (g->alias) {
        /* The alias table's own probabilities: bucket k keeps itself with threshold/2^32 and
         * gives the rest to its alias (the same numbers the first-order draw uses). */
        for (int64_t k = 0; k < deg; k++) weight[k] = 0.0;
        for (int64_t k = 0; k < deg; k++) {
            uint64_t entry = g->alias[a + k];
            double keep = (double)(uint32_t)entry;
            weight[k] += keep;
            weight[entry >> 32] += 4294967296.0 - keep;
        }
    } else {
        for (int64_t k = 0; k < deg; k++) weight[k] = 1.0;
    }
    /* Scale by the largest factor among classes that carry weight, so the largest is exp(0)
     * and a factor too small for a double becomes 0 rather than the whole row underflowing. */
    double top = -INFINITY;
    for (int64_t k = 0; k < deg; k++) {
        int c = row[k] == t ? 0 : fe_walk_has_edge(g, t, row[k]) ? 1 : 2;
        cls[k] = (double)c;
        if (weight[k] > 0.0 && log_factor[c] > top) top = log_factor[c];
    }
    const double factor[3] = {exp(log_factor[0] - top), exp(log_factor[1] - top),
                              exp(log_factor[2] - top)};
    double total = 0.0;
    for (int64_t k = 0; k < deg; k++) {
        weight[k] *= factor[(int)cls[k]];
        total += weight[k];
    }
    double u = (double)(fe_rng_next64(rng) >> 11) * 0x1.0p-53 * total;
    int64_t last = 0;
    for (int64_t k = 0; k < deg; k++) {
        if (weight[k] <= 0.0) continue;
        last = k;
        if (u < weight[k]) break;
        u -= weight[k];
    }
    return row[last];
}

int fe_walk_range(const fe_graph *g, const fe_walk_cfg *cfg, const uint32_t *starts,
                  int64_t n_starts, int64_t first, int64_t last, uint32_t *out, int32_t *lengths,
                  const volatile int32_t *stop)
{
    const int64_t len = cfg->walk_length;
    const int second_order = !(cfg->p == 1.0 && cfg->q == 1.0);
    /* Acceptance thresholds as fractions of the largest of (1/p, 1, 1/q), compared with a
     * 24-bit uniform: an accepted proposal has probability a(t,x) / max exactly up to 2^-24. */
    double inv_p = 1.0 / cfg->p, inv_q = 1.0 / cfg->q, top = 1.0;
    if (inv_p > top) top = inv_p;
    if (inv_q > top) top = inv_q;
    const float acc_return = (float)(inv_p / top), acc_near = (float)(1.0 / top),
                acc_far = (float)(inv_q / top);
    const double log_factor[3] = {-log(cfg->p), 0.0, -log(cfg->q)};
    double *scratch = NULL;
    int64_t scratch_cap = 0;

    for (int64_t w = first; w < last; w++) {
        if ((w - first) % FE_WALK_BLOCK == 0 && *stop) {
            free(scratch);
            return 1;
        }
        /* Each walk has its own stream, from (seed, round, start position): the walks never
         * depend on how the batch is split between threads. */
        fe_rng wr;
        fe_rng_seed(&wr, cfg->seed, (uint64_t)(w / n_starts), (uint64_t)(w % n_starts));

        uint32_t *walk = out + w * len;
        uint32_t v = starts[w];
        walk[0] = v;
        int64_t n = 1;
        uint32_t prev = v;
        while (n < len) {
            int64_t deg = g->indptr[v + 1] - g->indptr[v];
            if (deg == 0) break;
            uint32_t x;
            if (n == 1 || !second_order) {
                x = first_order(g, v, deg, &wr);
            } else {
                int tries = 0;
                for (;;) {
                    x = first_order(g, v, deg, &wr);
                    float acc = x == prev              ? acc_return
                        : fe_walk_has_edge(g, prev, x) ? acc_near
                                                       : acc_far;
                    if (acc >= 1.0f || fe_rng_uniform(&wr) < acc) break;
                    if (++tries == FE_WALK_MAX_REJECTIONS) {
                        if (2 * deg > scratch_cap) {
                            double *grown = realloc(scratch, (size_t)(2 * deg) * sizeof(double));
                            if (!grown) {
                                free(scratch);
                                return -1;
                            }
                            scratch = grown;
                            scratch_cap = 2 * deg;
                        }
                        x = exact_second_order(g, prev, v, deg, log_factor, scratch, &wr);
                        break;
                    }
                }
            }
            prev = v;
            v = x;
            walk[n++] = v;
        }
        lengths[w] = (int32_t)n;
    }
    free(scratch);
    return 0;
}
