/* C-level tests of the random-walk generator (src/fe_walk.c), built with sanitizers by
 * tests/c/Makefile: walks follow edges, have the requested starts and lengths, depend only on
 * the seed, lean the way p and q say on a graph small enough to compute the odds by hand,
 * follow edge weights, and stop at nodes without out-edges.
 *
 * Usage: test_walk [SCRATCH_DIR]   (the directory is unused; accepted like every C test) */
#include "fe_walk.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* A graph built from an edge list: CSR rows sorted ascending, as fe_walk.h requires. */
typedef struct graph {
    int64_t n;
    int64_t *indptr;
    uint32_t *indices;
    double *weight; /* per edge, in CSR order; NULL when unweighted */
    uint64_t *alias;
    fe_graph g;
} graph;

typedef struct edge {
    uint32_t from, to;
    double weight;
} edge;

static int by_edge(const void *a, const void *b)
{
    const edge *x = a, *y = b;
    if (x->from != y->from) return x->from < y->from ? -1 : 1;
    return x->to < y->to ? -1 : x->to > y->to;
}

/* Directed edges as given; `undirected` adds each reversed. Weights when `weighted`. */
static void graph_init(graph *gr, int64_t n, const edge *edges, int64_t n_edges, int undirected,
                       int weighted)
{
    int64_t m = undirected ? 2 * n_edges : n_edges;
    edge *all = malloc((size_t)m * sizeof(edge));
    for (int64_t k = 0; k < n_edges; k++) {
        all[k] = edges[k];
        if (undirected) all[n_edges + k] = (edge){edges[k].to, edges[k].from, edges[k].weight};
    }
    qsort(all, (size_t)m, sizeof(edge), by_edge);
    gr->n = n;
    gr->indptr = calloc((size_t)n + 1, sizeof(int64_t));
    gr->indices = malloc((size_t)m * sizeof(uint32_t));
    gr->weight = weighted ? malloc((size_t)m * sizeof(double)) : NULL;
    gr->alias = weighted ? malloc((size_t)m * sizeof(uint64_t)) : NULL;
    for (int64_t k = 0; k < m; k++) {
        gr->indptr[all[k].from + 1]++;
        gr->indices[k] = all[k].to;
        if (weighted) gr->weight[k] = all[k].weight;
    }
    for (int64_t v = 0; v < n; v++) gr->indptr[v + 1] += gr->indptr[v];
    free(all);
    if (weighted) {
        int64_t *work = malloc((size_t)(2 * m + 2) * sizeof(int64_t));
        CHECK_EQ(fe_walk_alias_build(gr->indptr, n, gr->weight, gr->alias, work), 0);
        free(work);
    }
    gr->g = (fe_graph){n, gr->indptr, gr->indices, gr->alias};
}

static void graph_free(graph *gr)
{
    free(gr->indptr);
    free(gr->indices);
    free(gr->weight);
    free(gr->alias);
}

/* n_starts walks of one round from `starts`, with p, q and seed; returns the nodes
 * (n_starts * length) and fills lengths. */
static uint32_t *walks(const graph *gr, const uint32_t *starts, int64_t n_starts, int64_t length,
                       double p, double q, uint64_t seed, int32_t *lengths)
{
    fe_walk_cfg cfg = {length, p, q, seed};
    uint32_t *out = malloc((size_t)(n_starts * length) * sizeof(uint32_t));
    volatile int32_t stop = 0;
    CHECK_EQ(fe_walk_range(&gr->g, &cfg, starts, n_starts, 0, n_starts, out, lengths, &stop), 0);
    return out;
}

static uint64_t lcg_state = 1;

static uint32_t lcg(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(lcg_state >> 33);
}

/* A random directed graph on n nodes where every node has 1..5 out-edges (no dead ends). */
static void random_graph(graph *gr, int64_t n, int weighted)
{
    edge *edges = malloc((size_t)(5 * n) * sizeof(edge));
    int64_t m = 0;
    for (uint32_t v = 0; v < (uint32_t)n; v++) {
        uint32_t deg = 1 + lcg() % 5, first = lcg() % (uint32_t)n;
        for (uint32_t k = 0; k < deg; k++) /* distinct targets: consecutive ids mod n */
            edges[m++] = (edge){v, (first + k * 7) % (uint32_t)n, 0.5 + (lcg() % 100) / 10.0};
    }
    graph_init(gr, n, edges, m, 0, weighted);
    free(edges);
}

static int is_edge(const graph *gr, uint32_t a, uint32_t b)
{
    for (int64_t e = gr->indptr[a]; e < gr->indptr[a + 1]; e++)
        if (gr->indices[e] == b) return 1;
    return 0;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_walks_follow_edges(void)
{
    /* first and second order, unweighted and weighted: every step is an edge of the graph,
     * every walk starts where asked and, with no dead ends, has the full length */
    const double pq[3][2] = {{1.0, 1.0}, {0.5, 2.0}, {3.0, 0.3}};
    for (int weighted = 0; weighted <= 1; weighted++) {
        graph gr;
        random_graph(&gr, 60, weighted);
        uint32_t starts[60];
        for (uint32_t v = 0; v < 60; v++) starts[v] = (v * 17) % 60;
        for (int k = 0; k < 3; k++) {
            int32_t lengths[60];
            uint32_t *w = walks(&gr, starts, 60, 25, pq[k][0], pq[k][1], 11, lengths);
            int off_edge = 0, wrong_start = 0, wrong_len = 0;
            for (int64_t i = 0; i < 60; i++) {
                wrong_start += w[i * 25] != starts[i];
                wrong_len += lengths[i] != 25;
                for (int64_t s = 0; s + 1 < 25; s++) {
                    off_edge += !is_edge(&gr, w[i * 25 + s], w[i * 25 + s + 1]);
                    off_edge += !fe_walk_has_edge(&gr.g, w[i * 25 + s], w[i * 25 + s + 1]);
                }
            }
            CHECK_EQ(off_edge, 0);
            CHECK_EQ(wrong_start, 0);
            CHECK_EQ(wrong_len, 0);
            free(w);
        }
        graph_free(&gr);
    }
}

static void test_length_one_and_has_edge(void)
{
    graph gr;
    random_graph(&gr, 20, 0);
    uint32_t starts[3] = {4, 0, 19};
    int32_t lengths[3];
    uint32_t *w = walks(&gr, starts, 3, 1, 1.0, 1.0, 2, lengths);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(lengths[i], 1);
        CHECK_EQ(w[i], starts[i]);
    }
    free(w);
    /* the binary search agrees with a scan for every pair */
    int wrong = 0;
    for (uint32_t a = 0; a < 20; a++)
        for (uint32_t b = 0; b < 20; b++)
            wrong += fe_walk_has_edge(&gr.g, a, b) != is_edge(&gr, a, b);
    CHECK_EQ(wrong, 0);
    graph_free(&gr);
}

static void test_deterministic_for_a_seed(void)
{
    /* the same seed gives the same walks however the batch is split into ranges (what lets
     * any number of threads share it); another seed gives other walks */
    graph gr;
    random_graph(&gr, 40, 1);
    enum { ROUNDS = 3, STARTS = 40, LEN = 30, WALKS = ROUNDS * STARTS };
    uint32_t starts[WALKS];
    for (int i = 0; i < WALKS; i++) starts[i] = (uint32_t)(i % STARTS);
    fe_walk_cfg cfg = {LEN, 0.7, 1.8, 1234};
    volatile int32_t stop = 0;
    static uint32_t whole[WALKS * LEN], split[WALKS * LEN], again[WALKS * LEN], other[WALKS * LEN];
    int32_t len_whole[WALKS], len_split[WALKS], len_again[WALKS], len_other[WALKS];
    CHECK_EQ(fe_walk_range(&gr.g, &cfg, starts, STARTS, 0, WALKS, whole, len_whole, &stop), 0);
    CHECK_EQ(fe_walk_range(&gr.g, &cfg, starts, STARTS, 0, WALKS, again, len_again, &stop), 0);
    const int64_t cuts[4] = {0, 7, 61, WALKS}; /* ranges that cut rounds in the middle */
    for (int k = 0; k < 3; k++)
        CHECK_EQ(fe_walk_range(&gr.g, &cfg, starts, STARTS, cuts[k], cuts[k + 1], split, len_split,
                               &stop),
                 0);
    CHECK(memcmp(whole, again, sizeof(whole)) == 0);
    CHECK(memcmp(whole, split, sizeof(whole)) == 0);
    CHECK(memcmp(len_whole, len_split, sizeof(len_whole)) == 0);
    CHECK(memcmp(len_whole, len_again, sizeof(len_whole)) == 0);
    cfg.seed = 1235;
    CHECK_EQ(fe_walk_range(&gr.g, &cfg, starts, STARTS, 0, WALKS, other, len_other, &stop), 0);
    CHECK(memcmp(whole, other, sizeof(whole)) != 0);
    /* rounds differ from one another: walk (round r, start i) has its own stream */
    CHECK(memcmp(whole, whole + STARTS * LEN, STARTS * LEN * sizeof(uint32_t)) != 0);
    graph_free(&gr);
}

/* Second step of walks 0 -> 1 -> x on the undirected graph 0-1, 1-2, 1-3, 0-2: from 1,
 * having come from 0, x = 0 returns (weight 1/p), x = 2 stays near 0 (an edge 0-2: weight 1),
 * x = 3 moves away (1/q). Fills the observed shares of return, near and far. */
static void second_step_shares(double p, double q, double share[3])
{
    const edge edges[4] = {{0, 1, 1.0}, {1, 2, 1.0}, {1, 3, 1.0}, {0, 2, 1.0}};
    graph gr;
    graph_init(&gr, 4, edges, 4, 1, 0);
    enum { N = 40000 };
    uint32_t *starts = calloc(N, sizeof(uint32_t)); /* every walk starts at 0 */
    int32_t *lengths = malloc(N * sizeof(int32_t));
    uint32_t *w = walks(&gr, starts, N, 3, p, q, 77, lengths);
    int64_t hits[4] = {0}, via_1 = 0;
    for (int64_t i = 0; i < N; i++) {
        CHECK_EQ(lengths[i], 3);
        if (w[i * 3 + 1] != 1) continue;
        via_1++;
        hits[w[i * 3 + 2]]++;
    }
    CHECK_EQ(hits[1], 0); /* no self loop */
    CHECK(via_1 > N / 3); /* the first step is uniform over 0's neighbours 1 and 2 */
    share[0] = (double)hits[0] / (double)via_1;
    share[1] = (double)hits[2] / (double)via_1;
    share[2] = (double)hits[3] / (double)via_1;
    free(starts);
    free(lengths);
    free(w);
    graph_free(&gr);
}

static void check_shares(double p, double q)
{
    double share[3];
    second_step_shares(p, q, share);
    const double a[3] = {1.0 / p, 1.0, 1.0 / q}, sum = a[0] + a[1] + a[2];
    /* ~20000 second steps: a share's standard error is below 0.004 */
    for (int k = 0; k < 3; k++)
        if (!CHECK(fabs(share[k] - a[k] / sum) < 0.02))
            fprintf(stderr, "  p=%g q=%g: share %d is %.4f, expected %.4f\n", p, q, k, share[k],
                    a[k] / sum);
}

static void test_p_q_bias(void)
{
    check_shares(1.0, 1.0);  /* first order: uniform */
    check_shares(0.25, 4.0); /* returns favoured, moving away discouraged (BFS-like) */
    check_shares(4.0, 0.25); /* moving away favoured (DFS-like) */
    check_shares(2.0, 1.0);
    /* and the direction, stated plainly */
    double bfs[3], dfs[3];
    second_step_shares(0.25, 4.0, bfs);
    second_step_shares(4.0, 0.25, dfs);
    CHECK(bfs[0] > bfs[1] && bfs[1] > bfs[2]);
    CHECK(dfs[2] > dfs[1] && dfs[1] > dfs[0]);
}

static void test_weighted_transitions(void)
{
    /* from 0 to 1, 2, 3, 4 with weights 1, 2, 7, 0: shares 0.1, 0.2, 0.7, and never to 4 */
    const edge edges[4] = {{0, 1, 1.0}, {0, 2, 2.0}, {0, 3, 7.0}, {0, 4, 0.0}};
    graph gr;
    graph_init(&gr, 5, edges, 4, 0, 1);
    enum { N = 50000 };
    uint32_t *starts = calloc(N, sizeof(uint32_t));
    int32_t *lengths = malloc(N * sizeof(int32_t));
    uint32_t *w = walks(&gr, starts, N, 2, 1.0, 1.0, 5, lengths);
    int64_t hits[5] = {0};
    for (int64_t i = 0; i < N; i++) hits[w[i * 2 + 1]]++;
    CHECK_EQ(hits[0], 0);
    CHECK_EQ(hits[4], 0);
    CHECK(fabs(hits[1] / (double)N - 0.1) < 0.01);
    CHECK(fabs(hits[2] / (double)N - 0.2) < 0.01);
    CHECK(fabs(hits[3] / (double)N - 0.7) < 0.01);
    free(starts);
    free(lengths);
    free(w);
    graph_free(&gr);
}

static void test_unusable_weights(void)
{
    /* row 1's weights are all zero: the build names it as -(1 + 1) */
    const int64_t indptr[4] = {0, 2, 4, 4};
    const double weight[4] = {1.0, 3.0, 0.0, 0.0};
    uint64_t alias[4];
    int64_t work[8];
    CHECK_EQ(fe_walk_alias_build(indptr, 3, weight, alias, work), -2);
    const double negative[4] = {1.0, 3.0, 1.0, -1.0};
    CHECK_EQ(fe_walk_alias_build(indptr, 3, negative, alias, work), -2);
    const double fine[4] = {1.0, 3.0, 1.0, 0.0}; /* node 2 has no edges: skipped */
    CHECK_EQ(fe_walk_alias_build(indptr, 3, fine, alias, work), 0);
}

static void test_dead_ends(void)
{
    /* directed 0 -> 1 -> 2, 2 a sink, 3 isolated: walks stop where the edges end, for
     * first- and second-order walks alike */
    const edge edges[2] = {{0, 1, 1.0}, {1, 2, 1.0}};
    graph gr;
    graph_init(&gr, 4, edges, 2, 0, 0);
    uint32_t starts[4] = {0, 1, 2, 3};
    for (int second = 0; second <= 1; second++) {
        int32_t lengths[4];
        uint32_t *w = walks(&gr, starts, 4, 10, second ? 0.5 : 1.0, second ? 2.0 : 1.0, 3, lengths);
        CHECK_EQ(lengths[0], 3);
        CHECK_EQ(lengths[1], 2);
        CHECK_EQ(lengths[2], 1);
        CHECK_EQ(lengths[3], 1);
        CHECK(w[0] == 0 && w[1] == 1 && w[2] == 2);
        CHECK(w[10] == 1 && w[11] == 2);
        CHECK_EQ(w[20], 2);
        CHECK_EQ(w[30], 3);
        free(w);
    }
    graph_free(&gr);
}

static void test_stop_flag(void)
{
    /* a raised flag is seen before the first walk of a block: nothing is written */
    graph gr;
    random_graph(&gr, 10, 0);
    uint32_t starts[10] = {0};
    uint32_t out[10 * 4];
    int32_t lengths[10];
    memset(lengths, 0xff, sizeof(lengths));
    fe_walk_cfg cfg = {4, 1.0, 1.0, 1};
    volatile int32_t stop = 1;
    CHECK_EQ(fe_walk_range(&gr.g, &cfg, starts, 10, 0, 10, out, lengths, &stop), 1);
    CHECK_EQ(lengths[0], -1);
    graph_free(&gr);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    test_walks_follow_edges();
    test_length_one_and_has_edge();
    test_deterministic_for_a_seed();
    test_p_q_bias();
    test_weighted_transitions();
    test_unusable_weights();
    test_dead_ends();
    test_stop_flag();
    printf("test_walk: %d checks, %d failed\n", n_checks, n_failed);
    return n_failed ? 1 : 0;
}
