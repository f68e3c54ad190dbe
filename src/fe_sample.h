/* fe_sample.h — the sampling tables the training loop reads.
 *
 *  - alias table for negatives: word w is drawn with probability weight[w] / sum(weight) in
 *    O(1) with one random draw and one memory access (Walker/Vose alias method). An entry
 *    packs the acceptance threshold (low 32 bits) and the alias (high 32 bits).
 *  - Huffman tree for hierarchical softmax: for each word, the path from the root to its leaf
 *    as inner-node rows (points) and branch bits (codes); frequent words get short paths.
 */
#ifndef FE_SAMPLE_H
#define FE_SAMPLE_H

#include <stdint.h>
#include "fe_rng.h"

/* Builds the alias table of n >= 1 non-negative weights with a positive finite sum.
 * work must hold 2*n int64. Returns 0, or -1 if the weights are unusable. */
int fe_alias_build(const double *weight, int64_t n, uint64_t *alias, int64_t *work);

static inline uint32_t fe_alias_draw(const uint64_t *alias, uint32_t n, fe_rng *rng)
{
    uint64_t r = fe_rng_next64(rng);
    uint32_t bucket = (uint32_t)(((r >> 32) * (uint64_t)n) >> 32);
    uint64_t entry = alias[bucket];
    /* bucket if the low bits fall below its threshold, else its alias, without a branch: the
     * comparison is a coin toss that a branch predictor misses often */
    const uint32_t other = (uint32_t)(entry >> 32);
    const uint32_t pick = 0u - (uint32_t)((uint32_t)r < (uint32_t)entry);
    return other ^ ((bucket ^ other) & pick);
}

/* Huffman tree over n >= 2 counts. parent (2n-1 entries) and is_right (2n-1 entries) are
 * workspace/outputs; depth[w] receives the code length of word w. Inner nodes are numbered
 * 0..n-2 (node id n+k is inner row k); the root is inner row n-2. Returns 0, or -1 on
 * allocation failure. */
int fe_huffman_tree(const int64_t *count, int64_t n, int64_t *parent, uint8_t *is_right,
                    int32_t *depth);

/* Writes each word's root-to-leaf path: for word w, code[offset[w] + j] is the branch bit and
 * point[offset[w] + j] the inner-node row at depth j. */
void fe_huffman_paths(const int64_t *parent, const uint8_t *is_right, int64_t n,
                      const int64_t *offset, uint8_t *code, uint32_t *point);

#endif
