"""Matrices whose untouched rows stay uncommitted (fastembed_core.vectors.lazy_rows), and the
FastText input matrix built on them."""

import copy
import pickle
import sys

import numpy as np
import pytest

from fastembed_core import FastText
from fastembed_core.vectors.lazy_rows import copy_nonzero_rows, zeroed_rows

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the resident size from /proc"
)


def _resident_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


@pytest.mark.parametrize("n_rows, dim", [(0, 4), (3, 5), (200_000, 100)])
def test_zeroed_rows_is_a_writable_matrix_of_zeros(n_rows, dim):
    w = zeroed_rows(n_rows, dim)
    assert w.shape == (n_rows, dim) and w.dtype == np.float32
    assert w.flags.c_contiguous and w.flags.writeable
    assert not w.any()
    if n_rows:
        w[n_rows - 1] = 2.0
        assert w.sum() == 2.0 * dim
        # copies (pickle, deepcopy) are ordinary arrays with the same values
        for clone in (pickle.loads(pickle.dumps(w)), copy.deepcopy(w)):
            assert np.array_equal(clone, w) and not np.shares_memory(clone, w)


@linux_only
def test_only_written_pages_of_zeroed_rows_are_resident():
    before = _resident_mb()
    w = zeroed_rows(1 << 19, 128)  # 256 MB
    w[::1000] = 1.0  # 525 rows, one 4 KB page each
    assert float(w[:, 0].sum()) == len(range(0, 1 << 19, 1000))  # reading costs nothing
    grown = _resident_mb() - before
    # huge pages would commit 2 MB per written row, i.e. all 256 MB
    assert grown < 16, grown


def test_copy_nonzero_rows_copies_exactly_the_rows_with_values():
    rng = np.random.default_rng(0)
    src = np.zeros((40_000, 6), np.float32)
    rows = rng.choice(len(src), 500, replace=False)
    src[rows] = rng.normal(size=(500, 6)).astype(np.float32)
    src[rows[0], :5] = 0.0  # a row with one value left
    src[rows[1], 2] = np.nan  # a non-finite value is a value
    dst = np.full_like(src, 7.0)
    copy_nonzero_rows(src, dst)
    written = np.zeros(len(src), bool)
    written[rows] = True
    np.testing.assert_array_equal(dst[written], src[written])
    assert (dst[~written] == 7.0).all()
    with pytest.raises(ValueError, match="shapes differ"):
        copy_nonzero_rows(src, dst[1:])


@linux_only
def test_fasttext_with_two_million_buckets_commits_only_the_used_rows():
    """A small vocabulary uses a few thousand of the 2,000,000 buckets (800 MB at 100
    dimensions): building, training, the per-epoch checks and the means must not commit the
    rest. Measured: about 10 MB; before, the whole matrix (over 800 MB)."""
    rng = np.random.default_rng(3)
    words = [f"w{i}x{rng.integers(1000)}" for i in range(300)]
    sentences = [list(rng.choice(words, 12)) for _ in range(400)]
    before = _resident_mb()
    model = FastText(sentences, vector_size=100, min_count=1, workers=1, epochs=2, seed=2)
    grown = _resident_mb() - before
    assert model._w_in.shape == (300 + 2_000_000, 100)
    assert grown < 100, grown
    n = len(model.wv)
    used = np.unique(model.wv.subword_table()[1])
    assert model._w_in[used].all(axis=1).all()  # every used row was initialised and trained
    rest = np.setdiff1d(np.arange(n, n + 2_000_000), used)
    assert not model._w_in[rest[::97]].any()
