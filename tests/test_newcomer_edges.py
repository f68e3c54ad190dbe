"""What a newcomer runs into first: file modes, numpy item ids, the README's command lines,
the hints and errors on the way, the bundled evaluation sets, and evaluation's memory."""

import os

import numpy as np
import pytest

from fastembed_core import KeyedVectors, Word2Vec, datasets
from fastembed_core.models.items import Item2Vec

# ---- saved files follow the umask ------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600)])
def test_model_saves_and_the_corpus_cache_follow_the_umask(tmp_path, monkeypatch, umask, mode):
    # the decompressed sample corpus was 0600 (mkstemp's mode) whatever the umask
    monkeypatch.setenv("FASTEMBED_CORE_CACHE", str(tmp_path / "cache"))
    old = os.umask(umask)
    try:
        corpus = datasets.sample_corpus_path()
        model = Word2Vec([["a", "b", "c"]] * 20, min_count=1, vector_size=4, workers=1)
        model.save(str(tmp_path / "m.fe"))
    finally:
        os.umask(old)
    for path in (corpus, tmp_path / "m.fe"):
        assert os.stat(path).st_mode & 0o777 == mode, path


# ---- numpy integer item ids ------------------------------------------------------------------


def test_item2vec_with_numpy_integer_ids_saves_and_loads(tmp_path):
    model = Item2Vec([[1, 2, 3], [2, 3, 4], [7, 8, 1]] * 5, vector_size=8, workers=1, seed=1)
    # item ids held as numpy integers, as vectors rebuilt from an id array hold them;
    # model.wv.save() took them while model.save() refused them
    ids = np.array(model.wv.index_to_key, dtype=np.int64)
    model.wv = KeyedVectors.from_arrays(ids, model.wv.vectors, counts=model.wv.expandos["count"])
    assert isinstance(model.wv.index_to_key[0], np.integer)
    model.save(str(tmp_path / "items.fe"))
    loaded = Item2Vec.load(str(tmp_path / "items.fe"))
    assert loaded.wv.index_to_key == model.wv.index_to_key
    assert all(type(k) is int for k in loaded.wv.index_to_key)
    np.testing.assert_array_equal(loaded.wv[np.int64(3)], model.wv[3])
    np.testing.assert_array_equal(loaded.syn1neg, model.syn1neg)
