#include "fe_sample.h"

#include <stdlib.h>

int fe_alias_build(const double *weight, int64_t n, uint64_t *alias, int64_t *work)
{
    /* Vose's method in double precision: scale weights to mean 1, pair each under-full
     * bucket with an over-full donor. The threshold is stored as a 32-bit fraction. */
    double total = 0.0;
    for (int64_t i = 0; i < n; i++) {
        if (!(weight[i] >= 0.0)) return -1;
        total += weight[i];
    }
    if (n < 1 || !(total > 0.0) || total > 1e300) return -1;

    double *scaled = (double *)malloc((size_t)n * sizeof(double));
    if (!scaled) return -1;
    int64_t *small = work, *large = work + n;
    int64_t n_small = 0, n_large = 0;
    for (int64_t i = 0; i < n; i++) {
        scaled[i] = weight[i] * (double)n / total;
        if (scaled[i] < 1.0) small[n_small++] = i;
        else large[n_large++] = i;
    }
    while (n_small > 0 && n_large > 0) {
        int64_t s = small[--n_small], l = large[--n_large];
        uint64_t thr = (uint64_t)(scaled[s] * 4294967296.0);
        if (thr > 0xFFFFFFFFULL) thr = 0xFFFFFFFFULL;
        alias[s] = ((uint64_t)l << 32) | thr;
        scaled[l] -= 1.0 - scaled[s];
        if (scaled[l] < 1.0) small[n_small++] = l;
        else large[n_large++] = l;
    }
    /* What remains is full up to rounding: always accept (alias to itself). */
    while (n_large > 0) {
        int64_t i = large[--n_large];
        alias[i] = ((uint64_t)i << 32) | 0xFFFFFFFFULL;
    }
    while (n_small > 0) {
        int64_t i = small[--n_small];
        alias[i] = ((uint64_t)i << 32) | 0xFFFFFFFFULL;
    }
    free(scaled);
    return 0;
}

/* qsort has no context argument in C99: sort (count, index) pairs instead. */
typedef struct {
    int64_t count, index;
} count_index;

static int compare_pairs(const void *a, const void *b)
{
    const count_index *x = (const count_index *)a, *y = (const count_index *)b;
    if (x->count != y->count) return x->count < y->count ? -1 : 1;
    return x->index < y->index ? -1 : (x->index > y->index);
}

int fe_huffman_tree(const int64_t *count, int64_t n, int64_t *parent, uint8_t *is_right,
                    int32_t *depth)
{
    /* Two-queue construction: leaves sorted by ascending count, inner nodes are created in
     * ascending weight order, so the two smallest are always at the queue fronts. O(n log n)
     * for the sort, O(n) for the tree. Ties go to the leaf queue and to the lower index, so
     * the tree is deterministic. */
    if (n < 2) return -1;
    count_index *leaf = (count_index *)malloc((size_t)n * sizeof(count_index));
    int64_t *inner_weight = (int64_t *)malloc((size_t)(n - 1) * sizeof(int64_t));
    int32_t *inner_depth = (int32_t *)malloc((size_t)(n - 1) * sizeof(int32_t));
    if (!leaf || !inner_weight || !inner_depth) {
        free(leaf);
        free(inner_weight);
        free(inner_depth);
        return -1;
    }
    for (int64_t i = 0; i < n; i++) {
        leaf[i].count = count[i];
        leaf[i].index = i;
    }
    qsort(leaf, (size_t)n, sizeof(count_index), compare_pairs);

    int64_t next_leaf = 0, next_inner = 0;
    for (int64_t k = 0; k < n - 1; k++) {
        int64_t pick[2];
        int64_t w = 0;
        for (int side = 0; side < 2; side++) {
            int take_leaf = next_leaf < n &&
                (next_inner >= k || leaf[next_leaf].count <= inner_weight[next_inner]);
            if (take_leaf) {
                pick[side] = leaf[next_leaf].index;
                w += leaf[next_leaf++].count;
            } else {
                pick[side] = n + next_inner;
                w += inner_weight[next_inner++];
            }
        }
        inner_weight[k] = w;
        parent[pick[0]] = n + k;
        is_right[pick[0]] = 0;
        parent[pick[1]] = n + k;
        is_right[pick[1]] = 1;
    }
    int64_t root = n + n - 2;
    parent[root] = -1;
    /* Depths top-down: an inner node's parent always has a larger id. */
    for (int64_t k = n - 2; k >= 0; k--) {
        int64_t p = parent[n + k];
        inner_depth[k] = p < 0 ? 0 : inner_depth[p - n] + 1;
    }
    for (int64_t i = 0; i < n; i++) depth[i] = inner_depth[parent[i] - n] + 1;
    free(leaf);
    free(inner_weight);
    free(inner_depth);
    return 0;
}

void fe_huffman_paths(const int64_t *parent, const uint8_t *is_right, int64_t n,
                      const int64_t *offset, uint8_t *code, uint32_t *point)
{
    for (int64_t w = 0; w < n; w++) {
        /* Walk leaf -> root, filling the path from its end. */
        int64_t j = offset[w + 1] - 1;
        for (int64_t node = w; parent[node] >= 0; node = parent[node], j--) {
            code[j] = is_right[node];
            point[j] = (uint32_t)(parent[node] - n);
        }
    }
}
