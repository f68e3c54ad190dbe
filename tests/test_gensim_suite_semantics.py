"""Behaviours gensim's own test files rely on (see bench/gensim_suite.py): loading through
an instance, gensim's save() options, a file of another class, and what vectors_for_all
gives keys when their attributes are not copied."""

import numpy as np
import pytest
from _corpora import planted_clusters

from fastembed_core import KeyedVectors, Word2Vec
from fastembed_core.errors import FormatError, WrongKindError

CORPUS = planted_clusters(5, n_sentences=200, clusters=3, per_cluster=6, length=8)


def small_model(**kw):
    params = dict(vector_size=8, min_count=1, workers=1, seed=2, epochs=2)
    params.update(kw)
    return Word2Vec(CORPUS, **params)


def test_load_through_an_instance_is_an_attribute_error(tmp_path):
    model = small_model()
    path = tmp_path / "m.model"
    model.save(path)
    with pytest.raises(AttributeError, match=r"Word2Vec\.load\(path\)"):
        model.load(path)
    assert not hasattr(model, "load")
    loaded = type(model).load(path)  # the class, reached from the instance, still loads
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)


@pytest.mark.parametrize("mmap", [None, "r"])
def test_save_accepts_gensims_storage_options(tmp_path, mmap):
    model = small_model()
    path = tmp_path / "m.model"
    model.save(path, separately=["syn1neg"], sep_limit=0, pickle_protocol=4)
    loaded = Word2Vec.load(path, mmap=mmap)
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    np.testing.assert_array_equal(loaded.syn1neg, model.syn1neg)
    assert isinstance(loaded.wv.vectors, np.memmap) == (mmap == "r")
    kv_path = tmp_path / "kv"
    model.wv.save(kv_path, sep_limit=0)
    np.testing.assert_array_equal(KeyedVectors.load(kv_path).vectors, model.wv.vectors)
    with pytest.raises(TypeError):
        model.save(path, ignore=["syn1neg"])  # would change the content: not silently dropped


def test_a_file_of_another_class_is_format_and_attribute_error(tmp_path):
    model = small_model()
    path = tmp_path / "kv"
    model.wv.save(path)
    for caught in (AttributeError, FormatError, WrongKindError):
        with pytest.raises(caught, match="holds a 'KeyedVectors', not a 'Word2Vec'"):
            Word2Vec.load(path)


def test_vectors_for_all_without_attributes_makes_up_counts():
    wv = small_model().wv
    keys = [wv.index_to_key[5], wv.index_to_key[0], wv.index_to_key[2], "not-a-key"]
    fresh = wv.vectors_for_all(keys, copy_vecattrs=False)
    # as for a word2vec file read without a vocabulary: descending, from the number of keys
    assert [fresh.get_vecattr(k, "count") for k in keys[:3]] == [3, 2, 1]
    copied = wv.vectors_for_all(keys, copy_vecattrs=True)
    assert [copied.get_vecattr(k, "count") for k in keys[:3]] == [
        wv.get_vecattr(k, "count") for k in keys[:3]
    ]
