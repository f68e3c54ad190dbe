"""What distributed training needs to know about a model family.

A family names the matrices a replica trains, builds a replica from the vocabulary and the
arrays the driver sends, and makes the kernel run of one round's slice of a shard. Word2Vec is
the one family so far; FastText (its n-gram rows are one more matrix, its subword tables
derived from the vocabulary) and Doc2Vec (document rows follow the words) fit the same three
methods.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np

from ..models.word2vec import Word2Vec
from ..vectors.keyedvectors import KeyedVectors

__all__ = ["Word2VecFamily", "family_of"]


class Word2VecFamily:
    """Word2Vec: input vectors, plus ``syn1neg`` (negative sampling) and/or ``syn1`` (hs)."""

    model_class = Word2Vec

    def arrays(self, model: Word2Vec) -> dict[str, np.ndarray]:
        """The matrices training changes, by name (those this configuration has)."""
        out = {"vectors": model.wv.vectors}
        for name in ("syn1neg", "syn1"):
            arr = getattr(model, name)
            if arr is not None:
                out[name] = arr
        return out

    def replica(
        self,
        init_params: Mapping[str, Any],
        keys: Sequence[Hashable],
        counts: np.ndarray,
        arrays: Mapping[str, np.ndarray],
    ) -> Word2Vec:
        """A model with the driver's vocabulary and (copies of) its matrices."""
        model = Word2Vec(**init_params)
        model.wv = KeyedVectors.from_arrays(
            list(keys), np.array(arrays["vectors"], np.float32), counts=np.asarray(counts)
        )
        for name in ("syn1neg", "syn1"):
            arr = arrays.get(name)
            setattr(model, name, None if arr is None else np.array(arr, np.float32))
        return model

    def make_run(
        self, model: Word2Vec, ids: np.ndarray, offsets: np.ndarray, alpha: float, end_alpha: float
    ) -> Any:
        """The kernel run over one slice (its own ``ids``/``offsets``), the learning rate going
        linearly from ``alpha`` to ``end_alpha`` over the slice's words."""
        # _make_run is the family hook the local lifecycle calls for the same purpose (see
        # EmbeddingModel's docstring); one pass over the slice is one "epoch" of that run.
        return model._make_run(ids, offsets, 1, alpha, end_alpha)


_FAMILIES: dict[type, Word2VecFamily] = {Word2Vec: Word2VecFamily()}


def family_of(model_class: type) -> Word2VecFamily:
    try:
        return _FAMILIES[model_class]
    except KeyError:
        raise TypeError(
            f"distributed training supports {', '.join(c.__name__ for c in _FAMILIES)}; "
            f"not {model_class.__name__}"
        ) from None
