"""fastembed_core: fast CPU training of word, item and graph embeddings.

word2vec skip-gram / CBOW with negative sampling and hierarchical softmax, and fastText's
subword vectors (``FastText``), trained by a multithreaded C kernel over an encoded corpus,
behind gensim 4's API::

    from fastembed_core import Word2Vec
    model = Word2Vec(sentences, vector_size=100, window=5, min_count=5, sg=1)
    model.wv.most_similar("king")
"""

from . import _kernel, _moved  # noqa: F401  (_moved: the old module paths keep importing)
from .errors import (
    CorpusArgumentError,
    CorpusError,
    EmptyVocabularyError,
    FastEmbedError,
    FormatError,
    OOVError,
    TrainingDivergedError,
    TruncatedFileError,
    UnsupportedVersionError,
    WrongKindError,
)
from .models.corpora import BrownCorpus, LineSentence, PathLineSentences, Text8Corpus
from .models.fasttext import (
    FastText,
    load_facebook_model,
    load_facebook_vectors,
    save_facebook_model,
)
from .models.graph import DeepWalk, Node2Vec
from .models.items import Item2Vec
from .models.phrases import FrozenPhrases, Phrases
from .models.vocab import RULE_DEFAULT, RULE_DISCARD, RULE_KEEP, EncodedCorpus
from .models.word2vec import Word2Vec
from .vectors.fasttext import FastTextKeyedVectors
from .vectors.keyedvectors import KeyedVectors

__version__ = "0.2.0"

__all__ = [
    "Word2Vec",
    "FastText",
    "FastTextKeyedVectors",
    "load_facebook_model",
    "load_facebook_vectors",
    "save_facebook_model",
    "Node2Vec",
    "DeepWalk",
    "Item2Vec",
    "Phrases",
    "FrozenPhrases",
    "KeyedVectors",
    "EncodedCorpus",
    "LineSentence",
    "PathLineSentences",
    "Text8Corpus",
    "BrownCorpus",
    "FastEmbedError",
    "FormatError",
    "TruncatedFileError",
    "WrongKindError",
    "UnsupportedVersionError",
    "OOVError",
    "TrainingDivergedError",
    "CorpusError",
    "CorpusArgumentError",
    "EmptyVocabularyError",
    "RULE_DEFAULT",
    "RULE_DISCARD",
    "RULE_KEEP",
    "simd_path",
]


def simd_path():
    """The vector instruction path a training run set up now uses: ``"avx512"``, ``"avx2"`` or
    ``"scalar"`` (the best this CPU runs, or the one FASTEMBED_SIMD forces). Each run keeps
    the path it was set up with."""
    return _kernel.simd_path()


simd_path()  # an unusable FASTEMBED_SIMD is reported (once) at import, as before
