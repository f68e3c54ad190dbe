"""Trained vectors and what is done with them: lookups and queries (``KeyedVectors``),
evaluation, statistics, files of vectors, gensim conversion, approximate neighbours, plots.
Independent of how the vectors were trained."""

from .fasttext import FastTextKeyedVectors
from .keyedvectors import KeyedVectors

__all__ = ["FastTextKeyedVectors", "KeyedVectors"]
