"""Copies of a Doc2Vec model (pickle, copy.deepcopy) infer and train like the original."""

import copy
import pickle

import numpy as np
import pytest

from fastembed_core import Doc2Vec, TaggedDocument

DOCUMENTS = [
    TaggedDocument(words, [i])
    for i, words in enumerate(
        [
            ["the", "king", "rules", "the", "land"],
            ["the", "queen", "rules", "the", "land"],
            ["a", "dog", "chases", "a", "cat"],
            ["a", "cat", "chases", "a", "mouse"],
        ]
        * 3
    )
]


@pytest.mark.parametrize(
    "make_copy",
    [copy.deepcopy, lambda m: pickle.loads(pickle.dumps(m))],
    ids=["deepcopy", "pickle"],
)
@pytest.mark.parametrize("dm", [0, 1])
def test_a_copy_infers_and_trains_like_the_original(make_copy, dm):
    model = Doc2Vec(DOCUMENTS, dm=dm, vector_size=8, min_count=1, workers=1, seed=2, epochs=3)
    twin = make_copy(model)
    np.testing.assert_array_equal(twin.wv.vectors, model.wv.vectors)
    np.testing.assert_array_equal(twin.dv.vectors, model.dv.vectors)
    queries = [["the", "king"], ["a", "cat", "chases"]]
    np.testing.assert_array_equal(twin.infer_vectors(queries), model.infer_vectors(queries))
    # the copy trains its own matrix: its word and tag vectors move, the original's do not
    before = model.dv.vectors.copy()
    twin.train(DOCUMENTS, total_examples=len(DOCUMENTS), epochs=1)
    assert not np.array_equal(twin.dv.vectors, before)
    np.testing.assert_array_equal(model.dv.vectors, before)
