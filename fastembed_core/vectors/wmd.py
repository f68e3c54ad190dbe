"""Word Mover's Distance between two documents (Kusner et al. 2015), as gensim's
``KeyedVectors.wmdistance`` defines it.

Each document is its normalised bag of words; moving one unit of a word's weight to another
word costs the Euclidean distance between their vectors, and the distance is the cheapest
way to turn one bag into the other (an earth mover's problem, solved by the POT library: the
optional extra ``fastembed_core[wmd]``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["wmdistance"]

logger = logging.getLogger(__name__)


def _earth_movers_distance() -> Any:
    try:
        from ot import emd2
    except ImportError:
        raise ImportError(
            "wmdistance needs the POT (Python Optimal Transport) package: "
            "pip install 'fastembed_core[wmd]' (or pip install POT)"
        ) from None
    return emd2


def _bag(kv: Any, document: Sequence[Hashable]) -> tuple[list[Hashable], NDArray[np.float64]]:
    """The known words of a document, each once, and their share of its known tokens."""
    counts = Counter(token for token in document if token in kv)
    words = list(counts)
    weights = np.array([counts[w] for w in words], dtype=np.float64)
    return words, weights / max(weights.sum(), 1.0)


def wmdistance(
    kv: Any, document1: Sequence[Hashable], document2: Sequence[Hashable], norm: bool = True
) -> float:
    """Word Mover's Distance between two token lists (see the module docstring).

    Unknown tokens are dropped (the numbers are logged). If either document keeps no token,
    a warning is logged and ``inf`` returned, as in gensim. With ``norm`` (the default, as in
    gensim) the vectors are scaled to unit length first.

    Unlike gensim, two documents whose words all have the same vector are at distance 0.0
    (gensim returns ``inf`` when every distance between their words is 0).
    """
    emd2 = _earth_movers_distance()
    words1, weights1 = _bag(kv, document1)
    words2, weights2 = _bag(kv, document2)
    dropped1 = len(document1) - sum(1 for t in document1 if t in kv)
    dropped2 = len(document2) - sum(1 for t in document2 if t in kv)
    if dropped1 or dropped2:
        logger.info(
            "Removed %d and %d OOV words from document 1 and 2 (respectively).",
            dropped1,
            dropped2,
        )
    if not words1 or not words2:
        logger.warning("At least one of the documents had no words that were in the vocabulary.")
        return float("inf")
    if set(words1) == set(words2) and len(words1) == 1:
        return 0.0
    v1 = np.array([kv.get_vector(w, norm=norm) for w in words1], dtype=np.float64)
    v2 = np.array([kv.get_vector(w, norm=norm) for w in words2], dtype=np.float64)
    squared = (
        np.einsum("ij,ij->i", v1, v1)[:, None]
        + np.einsum("ij,ij->i", v2, v2)[None, :]
        - 2.0 * (v1 @ v2.T)
    )
    cost = np.sqrt(np.maximum(squared, 0.0))
    # the same word in both documents costs nothing to keep (not ~1e-8 of rounding)
    index2 = {w: j for j, w in enumerate(words2)}
    for i, w in enumerate(words1):
        if w in index2:
            cost[i, index2[w]] = 0.0
    return float(emd2(weights1, weights2, cost))
