"""bench/dask_cost_model.py: the exchange formulas behave as the model documents them."""

from __future__ import annotations

import math

import _bench_scripts as bench_scripts
import pytest

MB = 1e6
GB = 1e9


def _model():
    return bench_scripts.load("dask_cost_model")


def _x(pattern, n, *, u=32 * MB, d=32 * MB, m=32 * MB, b=1 * GB, lat=0.005, c=1 * GB):
    return _model().exchange_seconds(pattern, n, u, d, m, b, lat, c)


def test_free_exchange_gives_linear_speedup():
    cm = _model()
    for pattern in cm.PATTERNS:
        p = cm.project(64, 1e6, 500_000, 0.0, 0.0, 0.0, 1 * GB, 0.0, 1 * GB, pattern)
        assert p["speedup"] == pytest.approx(64)
        assert p["efficiency"] == pytest.approx(1.0)


def test_star_grows_linearly_with_machines_and_tree_with_their_log():
    # latency off: the star's bytes through the driver double with N, the tree's hops add one
    star16, star32 = _x("star", 16, lat=0.0), _x("star", 32, lat=0.0)
    tree16, tree32 = _x("tree", 16, lat=0.0), _x("tree", 32, lat=0.0)
    assert star32 == pytest.approx(2 * star16)
    assert tree32 == pytest.approx(tree16 * 5 / 4)


def test_ring_allreduce_is_bounded_by_two_model_transfers():
    # bandwidth term 2 (N-1)/N M/B tends to 2 M/B; with no latency and an instant combine
    far = _x("ring", 4096, lat=0.0, c=math.inf)
    assert far < 2 * 32 * MB / GB
    assert far == pytest.approx(2 * 32 * MB / GB, rel=1e-3)


def test_hand_computed_star_round():
    # 2 L + N u / B + N u / C + N D / B with N = 4, everything 1 s per unit
    assert _x("star", 4, u=1.0, d=2.0, b=1.0, lat=0.5, c=4.0) == pytest.approx(
        1.0 + 4.0 + 1.0 + 8.0
    )


def test_hand_computed_dask_round():
    # 2 L + (N - 1) u / B + N u / C with N = 4: each worker fetches the 3 others' deltas
    assert _x("dask", 4, u=1.0, d=2.0, b=1.0, lat=0.5, c=4.0) == pytest.approx(1.0 + 3.0 + 1.0)


def test_unknown_pattern_is_refused():
    with pytest.raises(ValueError, match="pattern"):
        _x("mesh", 4)
