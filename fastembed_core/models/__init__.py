"""The trainers: one module per model family, over one shared lifecycle.

``base`` (the lifecycle every family shares: vocabulary, training on worker threads,
callbacks, save/load), ``word2vec`` (skip-gram / CBOW), ``fasttext`` (subword vectors and
Facebook's .bin files), ``graph`` (Node2Vec / DeepWalk: word2vec
on random walks; ``graph_input`` reads the graphs), ``items`` (Item2Vec, word2vec on sessions),
``phrases`` (gensim's Phrases / FrozenPhrases, counted and applied in C); ``vocab`` turns any
corpus into the id arrays the kernel trains on, ``corpora`` holds gensim's corpus readers
(``LineSentence``, ...), ``callbacks`` gensim's ``CallbackAny2Vec``, ``gensim_models``
converts whole models to and from gensim, ``progress`` reports training, ``workers`` runs
kernel calls on threads. The import path mirrors gensim's:
``from fastembed_core.models.word2vec import Word2Vec``.
"""

from .fasttext import FastText
from .graph import DeepWalk, Node2Vec
from .items import Item2Vec
from .word2vec import Word2Vec

__all__ = ["Word2Vec", "FastText", "Node2Vec", "DeepWalk", "Item2Vec"]
