/* fe_walk.h — random walks on a CSR graph (DeepWalk and node2vec) for the training kernel.
 *
 * The graph is CSR with 64-bit offsets: node v's out-neighbours are
 * indices[indptr[v] .. indptr[v+1]), sorted ascending within each row (the node2vec step
 * tests "is x a neighbour of t" by binary search there), with optional per-edge weights.
 * Weighted graphs also carry one alias table per row (alias[e] for the edges of the row,
 * aliases are row-local positions), so memory stays O(E) and a first-order step is O(1).
 *
 * Second-order (node2vec) steps from v, having come from t, draw x with probability
 * proportional to w(v,x) * a(t,x), a = 1/p if x == t, 1 if t -> x is an edge, 1/q otherwise.
 * They are drawn by rejection: propose x from the first-order distribution w(v,.) and
 * accept it with probability a(t,x) / max(1/p, 1, 1/q). No per-edge-pair table is built.
 * When FE_WALK_MAX_REJECTIONS proposals in a row are rejected (the acceptance probability is
 * near 0: p or q far from 1, e.g. p = 1e50 on a leaf whose only neighbour is t), the step is
 * drawn exactly from the row instead, in O(deg log deg(t)), with the factors compared in log
 * space. Either way the drawn x follows the same distribution (a rejection sample, given
 * that it was accepted, already has the target distribution), and every step's work is
 * bounded, so a walk ends and the stop flag is seen.
 *
 * A walk that reaches a node without out-edges (a sink of a directed graph, or an isolated
 * node) stops there: its length is then below walk_length.
 *
 * Random streams: walk w of the batch is walk (round r = w / n_starts, position
 * i = w % n_starts) and draws from its own stream seeded by (seed, r, i). Walks therefore
 * depend only on the seed, never on how the walks are split between threads: any number of
 * workers gives the same walks.
 *
 * Thread safety: fe_walk_range only reads the graph and writes its own walks' slots; any
 * number of threads may run it at once on disjoint walk ranges.
 */
#ifndef FE_WALK_H
#define FE_WALK_H

#include <stdint.h>

#define FE_WALK_BLOCK 256
#define FE_WALK_MAX_REJECTIONS 32

typedef struct fe_graph {
    int64_t n_nodes;
    const int64_t *indptr;   /* n_nodes + 1 */
    const uint32_t *indices; /* indptr[n_nodes], each row sorted ascending */
    const uint64_t *alias;   /* per-edge alias entries of each row, or NULL (uniform) */
} fe_graph;

typedef struct fe_walk_cfg {
    int64_t walk_length; /* nodes per walk, >= 1 */
    double p, q;         /* node2vec return / in-out parameters, > 0 */
    uint64_t seed;
} fe_walk_cfg;

/* Builds the alias table of every row from per-edge weights (all finite, >= 0, each
 * non-empty row with a positive sum). work must hold 2 * (max row length) int64.
 * Returns 0, or -(1 + v) for the first row v whose weights are unusable. */
int64_t fe_walk_alias_build(const int64_t *indptr, int64_t n_nodes, const double *weight,
                            uint64_t *alias, int64_t *work);

/* Whether x is in row t (binary search). */
int fe_walk_has_edge(const fe_graph *g, uint32_t t, uint32_t x);

/* Generates walks first..last-1 of a batch of n_rounds * n_starts walks. Walk w starts at
 * starts[w] and is written to out[w * walk_length ...]; its length goes to lengths[w].
 * Checks *stop every FE_WALK_BLOCK walks and returns 1 early when it is set, else 0;
 * returns -1 when the scratch row of an exact step cannot be allocated. */
int fe_walk_range(const fe_graph *g, const fe_walk_cfg *cfg, const uint32_t *starts,
                  int64_t n_starts, int64_t first, int64_t last, uint32_t *out, int32_t *lengths,
                  const volatile int32_t *stop);

#endif
