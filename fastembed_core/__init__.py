"""fastembed_core: fast CPU training of word, item and graph embeddings.

word2vec skip-gram / CBOW with negative sampling and hierarchical softmax, trained by a
multithreaded C kernel over an encoded corpus, behind gensim 4's API::

    from fastembed_core import Word2Vec
    model = Word2Vec(sentences, vector_size=100, window=5, min_count=5, sg=1)
    model.wv.most_similar("king")
"""

import os as _os

from . import _kernel, _moved  # noqa: F401  (_moved: the old module paths keep importing)
from .errors import (
    CorpusError,
    FastEmbedError,
    FormatError,
    OOVError,
    TrainingDivergedError,
    TruncatedFileError,
    UnsupportedVersionError,
)
from .models.graph import DeepWalk, Node2Vec
from .models.items import Item2Vec
from .models.vocab import RULE_DEFAULT, RULE_DISCARD, RULE_KEEP, EncodedCorpus
from .models.word2vec import Word2Vec
from .vectors.keyedvectors import KeyedVectors

__version__ = "0.2.0"

__all__ = [
    "Word2Vec",
    "Node2Vec",
    "DeepWalk",
    "Item2Vec",
    "KeyedVectors",
    "EncodedCorpus",
    "FastEmbedError",
    "FormatError",
    "TruncatedFileError",
    "UnsupportedVersionError",
    "OOVError",
    "TrainingDivergedError",
    "CorpusError",
    "RULE_DEFAULT",
    "RULE_DISCARD",
    "RULE_KEEP",
    "simd_path",
]


def simd_path():
    """The vector instruction path the kernel runs: ``"avx512"``, ``"avx2"`` or ``"scalar"``."""
    return _kernel.simd_active()


def _select_simd_from_environment():
    """FASTEMBED_SIMD=scalar|avx2|avx512|auto forces a code path (tests run every path this CPU has).
    A path this CPU cannot run falls back to the best one with a warning: an environment
    variable left over from another machine must not break the import."""
    requested = _os.environ.get("FASTEMBED_SIMD", "auto").strip().lower() or "auto"
    try:
        _kernel.simd_select(requested)
    except ValueError as exc:
        import warnings

        warnings.warn(
            f"FASTEMBED_SIMD={requested!r} ignored ({exc}); using the best path this CPU supports",
            RuntimeWarning,
            stacklevel=2,
        )
        _kernel.simd_select("auto")


_select_simd_from_environment()
