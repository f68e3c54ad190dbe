"""Distributions of the kernel's sampling: alias-table negatives, subsampling keep rates,
and the Huffman tree."""

import heapq

import numpy as np
import pytest

from fastembed_core import _kernel
from fastembed_core.models.vocab import keep_thresholds, negative_weights

scipy_stats = pytest.importorskip("scipy.stats")


@pytest.mark.parametrize("ns_exponent", [0.75, 0.0, -0.5, 1.0])
def test_alias_sampler_matches_count_power(ns_exponent):
    rng = np.random.default_rng(1)
    counts = np.sort(rng.zipf(1.3, 200).clip(1, 10**6))[::-1].astype(np.int64)
    weights = negative_weights(counts, ns_exponent)
    draws = _kernel.alias_draw(_kernel.alias_build(weights), 2_000_000, seed=42)
    observed = np.bincount(draws, minlength=len(counts))
    expected = weights / weights.sum() * len(draws)
    # Pool the rare tail so every expected cell is >= 5, as the chi-square test needs.
    order = np.argsort(expected)
    cum = np.cumsum(expected[order])
    tail = order[: np.searchsorted(cum, 50)]
    keep = np.setdiff1d(np.arange(len(counts)), tail)
    obs, exp = observed[keep], expected[keep]
    if len(tail):
        obs, exp = np.append(obs, observed[tail].sum()), np.append(exp, expected[tail].sum())
    # Seed fixed; the statistic is a genuine test of the sampler: a wrong exponent or a
    # biased alias entry at 2M draws gives p < 1e-12. Threshold 1e-3 for a correct sampler.
    _, p = scipy_stats.chisquare(obs, exp)
    assert p > 1e-3, f"alias sampler deviates from count^{ns_exponent} (p={p:.2e})"


def test_alias_rejects_unusable_weights():
    for bad in ([0.0, 0.0], [1.0, np.nan], [-1.0, 2.0]):
        with pytest.raises(ValueError, match="non-negative"):
            _kernel.alias_build(bad)


def test_alias_never_draws_zero_weight():
    draws = _kernel.alias_draw(_kernel.alias_build([0.0, 3.0, 0.0, 1.0]), 100_000, seed=1)
    assert set(np.unique(draws)) == {1, 3}


def test_subsampling_keep_rate_matches_word2vec_formula():
    """Trains (sg, window 1) on a corpus with known counts and compares the number of words
    the kernel kept with sum(count * keep_probability): within 5 binomial std deviations."""
    rng = np.random.default_rng(0)
    vocab = 30
    counts = (20000 / np.arange(1, vocab + 1)).astype(np.int64)
    ids = rng.permutation(np.repeat(np.arange(vocab), counts)).astype(np.uint32)
    offsets = np.arange(0, len(ids) + 1, 50, dtype=np.int64)
    offsets[-1] = len(ids)
    sample = 1e-2
    t = sample * counts.sum()
    p = np.minimum((np.sqrt(counts / t) + 1) * t / counts, 1.0)
    assert p.min() < 0.5 and p.max() == 1.0  # the setting really subsamples
    w_in = np.zeros((vocab, 4), np.float32)
    # A tiny learning rate: only the kept-word count matters here.
    run = _kernel.TrainingRun(
        w_in,
        np.zeros_like(w_in),
        None,
        sg=1,
        hs=0,
        negative=1,
        window=1,
        cbow_mean=1,
        shrink_windows=False,
        compute_loss=False,
        alpha=1e-6,
        min_alpha=1e-6,
        keep_threshold=keep_thresholds(counts, sample),
        alias=_kernel.alias_build(np.ones(vocab)),
        hs_offset=None,
        hs_code=None,
        hs_point=None,
        total_words=len(ids),
    )
    run.set_corpus(ids, offsets)
    _, words, effective, _ = run.train_range(0, len(offsets) - 1, 123)
    expected = float((counts * p).sum())
    std = float(np.sqrt((counts * p * (1 - p)).sum()))
    assert words == len(ids)
    assert abs(effective - expected) < 5 * std, (effective, expected, std)


def _huffman_cost(counts):
    heap = [(int(c), i) for i, c in enumerate(counts)]
    heapq.heapify(heap)
    cost, k = 0, len(counts)
    while len(heap) > 1:
        a, _ = heapq.heappop(heap)
        b, _ = heapq.heappop(heap)
        cost += a + b
        heapq.heappush(heap, (a + b, k))
        k += 1
    return cost


@pytest.mark.parametrize("seed", range(5))
def test_huffman_tree_is_optimal_and_prefix_free(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 300))
    counts = rng.zipf(1.5, n).clip(1, 10**9).astype(np.int64)
    offset, code, point = _kernel.huffman(counts)
    depth = np.diff(offset)
    assert depth.min() >= 1
    # Optimal: the weighted path length equals the Huffman cost of a reference construction.
    assert int((counts * depth).sum()) == _huffman_cost(counts)
    # Kraft equality holds for a full binary tree.
    assert np.isclose(np.sum(2.0 ** -depth.astype(float)), 1.0)
    codes = {tuple(code[offset[w] : offset[w + 1]]) for w in range(n)}
    assert len(codes) == n
    for c in codes:
        for k in range(1, len(c)):
            assert c[:k] not in codes, "a code is the prefix of another"
    # Every path starts at the root (inner row n-2) and uses only inner rows.
    assert np.all(point[offset[:-1]] == n - 2)
    assert point.max() <= n - 2
    # Paths of words that share a code prefix share the same inner nodes.
    w1, w2 = 0, 1
    common = 0
    while (
        common < min(depth[w1], depth[w2])
        and code[offset[w1] + common] == code[offset[w2] + common]
    ):
        common += 1
    np.testing.assert_array_equal(
        point[offset[w1] : offset[w1] + common + 1][: common + 1],
        point[offset[w2] : offset[w2] + common + 1][: common + 1],
    )
