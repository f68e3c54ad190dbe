"""The trainers: one module per model family, over one shared lifecycle.

``word2vec`` (skip-gram / CBOW), ``graph`` (Node2Vec / DeepWalk walks fed to word2vec),
``items`` (item sequences); ``vocab`` turns any corpus into the id arrays the kernel trains
on, ``progress`` reports training, ``workers`` runs kernel calls on threads. The import path
mirrors gensim's: ``from fastembed_core.models.word2vec import Word2Vec``.
"""

from .graph import DeepWalk, Node2Vec
from .items import Item2Vec
from .word2vec import Word2Vec

__all__ = ["Word2Vec", "Node2Vec", "DeepWalk", "Item2Vec"]
