"""item2vec: embeddings of items (products, songs, ...) from sessions, for recommendation.

item2vec (Barkan & Koenigstein 2016) is skip-gram with negative sampling where a "sentence" is
a session or basket and every other item of the session is context. :class:`Item2Vec` is
a :class:`Word2Vec` with those settings; :func:`similar_items` and :func:`recommend` query
the vectors. Item ids may be ints or strings and stay what they were (ints are not turned
into strings). Sessions already held as integer arrays go in as
:class:`~fastembed_core.vocab.EncodedCorpus` without any Python list.

Negative sampling: ``ns_exponent=0`` draws negatives uniformly and ``ns_exponent < 0`` favours
rare items, which often suits recommendation better than word2vec's 0.75 (Caselles-Dupré et
al. 2018); any value is accepted.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from ..vectors.keyedvectors import KeyedVectors, Vector
from .base import EmbeddingModel
from .vocab import EncodedCorpus
from .word2vec import Word2Vec

__all__ = ["Item2Vec", "similar_items", "recommend"]


def _session_window(sessions: Iterable[Sequence[Any]] | EncodedCorpus) -> int:
    if isinstance(sessions, EncodedCorpus):
        return int(np.diff(sessions.offsets).max(initial=1))
    longest = 1
    for s in sessions:
        if isinstance(s, (str, bytes)):
            raise TypeError("each session must be a list of item ids, not a string")
        longest = max(longest, len(s))
    return longest


class Item2Vec(Word2Vec):
    """Item vectors trained on sessions: a :class:`Word2Vec` with item2vec's defaults.

    ``Item2Vec(sessions, ...)`` trains at once (``model.wv`` holds the item vectors);
    ``Item2Vec(...)`` without sessions waits for ``build_vocab`` / ``train``. Saved files are
    Word2Vec files: ``Word2Vec.load`` reads them and ``Item2Vec.load`` returns an Item2Vec.

    Parameters
    ----------
    sessions : re-iterable of lists of item ids, or EncodedCorpus, optional
        One list per session/basket/user history. Ids are ints or strings.
    **word2vec_kwargs
        Any :class:`Word2Vec` parameter. Defaults differ from Word2Vec's for item data:
        ``sg=1``; ``window`` = the longest session and ``shrink_windows=False``, so every item
        of a session is context of every other (item2vec treats a session as a set);
        ``min_count=1``; ``sample=0`` (popular items are the signal, not noise). Without
        sessions the window defaults to Word2Vec's 5.

    Examples
    --------
    >>> model = Item2Vec([[1, 2, 3], [2, 3, 4], [7, 8]], vector_size=16, epochs=20)
    >>> recommend(model.wv, [2, 3], topn=2)
    """

    _defaults: ClassVar[dict[str, Any]] = {
        "sg": 1,
        "min_count": 1,
        "sample": 0.0,
        "shrink_windows": False,
    }

    def __init__(
        self,
        sessions: Iterable[Sequence[Any]] | EncodedCorpus | None = None,
        **word2vec_kwargs: Any,
    ) -> None:
        if isinstance(sessions, (str, bytes)):
            raise TypeError("sessions must be an iterable of item-id lists")
        if "sentences" in word2vec_kwargs:
            raise TypeError("Item2Vec takes its corpus as sessions=")
        kw = dict(self._defaults)
        if "window" not in word2vec_kwargs and sessions is not None:
            kw["window"] = _session_window(sessions)
        kw.update(word2vec_kwargs)
        super().__init__(sessions, **kw)


def _kv(model_or_kv: KeyedVectors | EmbeddingModel) -> KeyedVectors:
    kv = getattr(model_or_kv, "wv", model_or_kv)
    if not isinstance(kv, KeyedVectors):
        raise TypeError(
            f"expected KeyedVectors or a trained model; got {type(model_or_kv).__name__}"
        )
    if not len(kv):
        raise ValueError("the vectors are empty")
    return kv


def similar_items(
    kv: KeyedVectors | EmbeddingModel, item: Hashable, topn: int = 10
) -> list[tuple[Any, float]] | Vector:
    """The ``topn`` items most similar (cosine) to ``item``: a list of ``(item, score)``."""
    return _kv(kv).most_similar(item, topn=topn)


def recommend(
    kv: KeyedVectors | EmbeddingModel,
    history: Iterable[Hashable],
    topn: int = 10,
    exclude_seen: bool = True,
    weights: ArrayLike | None = None,
) -> list[tuple[Any, float]]:
    """Items to recommend after ``history``: those nearest (cosine) to the mean of the unit
    vectors of the history items.

    Parameters
    ----------
    kv : KeyedVectors or a trained model
    history : sequence of item ids
        Items the user interacted with. Items without a vector are ignored; a KeyError is
        raised only if none has one.
    topn : int
    exclude_seen : bool
        Leave the history items out of the recommendations.
    weights : sequence of float, optional
        Weight of each history item in the mean (e.g. recency).

    Returns
    -------
    list of (item, float)
        Best first.
    """
    kv = _kv(kv)
    history = list(history)
    if weights is None:
        weights = np.ones(len(history))
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (len(history),):
        raise ValueError("need one weight per history item")
    rows, wts = [], []
    index = kv.key_to_index
    for item, w in zip(history, weights):
        i = index.get(item)
        if i is not None:
            rows.append(i)
            wts.append(w)
    if not rows:
        raise KeyError(f"none of the {len(history)} history items has a vector")
    normed = kv.get_normed_vectors()
    query = (np.asarray(wts, dtype=np.float32)[:, None] * normed[rows]).sum(axis=0)
    norm = np.linalg.norm(query)
    if norm > 0:
        query /= norm
    scores = normed @ query
    if exclude_seen:
        scores[np.asarray(rows)] = -np.inf
    k = min(int(topn), len(kv) - (len(set(rows)) if exclude_seen else 0))
    if k <= 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.lexsort((top, -scores[top]))]
    keys = kv.index_to_key
    return [(keys[i], float(scores[i])) for i in top.tolist()]
