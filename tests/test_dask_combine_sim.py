"""bench/dask_combine_sim.py runs the library's own replicas, runs and combine: a round-by-round
simulation that keeps working as those change."""

from __future__ import annotations

import _bench_scripts as bench_scripts
import numpy as np
import pytest


def _sim():
    return bench_scripts.load("dask_combine_sim")


@pytest.mark.parametrize("scheme", ["scaled_average", "capped_sum"])
def test_rounds_follow_sync_words_and_train_the_model(tmp_path, scheme):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    lines = [" ".join(rng.choice(words, size=20)) for _ in range(100)]  # 2,000 words
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(lines) + "\n")
    params = dict(vector_size=8, window=3, min_count=1, sample=0, epochs=2, negative=3)
    rounds, _, model = _sim().simulate(str(corpus), 2, 300, scheme, 1, params)
    assert rounds == 4  # each of the 2 shards holds 1,000 words: ceil(1000 / 300)
    untrained = type(model)(workers=1, seed=1, **params)
    untrained.build_vocab(corpus_file=str(corpus))
    moved = np.abs(model.wv.vectors - untrained.wv.vectors).max()
    assert np.isfinite(model.wv.vectors).all() and moved > 1e-3
