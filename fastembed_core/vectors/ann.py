"""Approximate nearest neighbours for :meth:`KeyedVectors.most_similar` (``indexer=``)."""

import numpy as np

__all__ = ["UsearchIndexer"]


class UsearchIndexer:
    """Approximate nearest neighbours with `usearch <https://github.com/unum-cloud/usearch>`_
    (HNSW), usable as ``kv.most_similar(..., indexer=UsearchIndexer(kv))``.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors to index (a snapshot: vectors added later are not in the index).
    connectivity, expansion_add, expansion_search : int, optional
        usearch's HNSW parameters (graph degree, build-time and query-time search depth).
    dtype : str
        Storage type inside the index (``"f32"``, ``"f16"``, ``"i8"``...).

    Raises
    ------
    ImportError
        usearch is not installed (``pip install usearch``).
    """

    def __init__(
        self, kv, connectivity=None, expansion_add=None, expansion_search=None, dtype="f32"
    ):
        try:
            from usearch.index import Index
        except ImportError as exc:
            raise ImportError(
                "UsearchIndexer needs the optional 'usearch' package: pip install usearch"
            ) from exc
        self.keys = list(kv.index_to_key)
        self.index = Index(
            ndim=kv.vector_size,
            metric="cos",
            dtype=dtype,
            connectivity=connectivity,
            expansion_add=expansion_add,
            expansion_search=expansion_search,
        )
        if len(self.keys):
            normed = np.ascontiguousarray(kv.get_normed_vectors(), dtype=np.float32)
            self.index.add(np.arange(len(self.keys), dtype=np.uint64), normed)

    def most_similar(self, vector, num_neighbors):
        """The approximate nearest neighbours of a vector.

        Parameters
        ----------
        vector : numpy.ndarray
            1-D query vector.
        num_neighbors : int
            How many neighbours to return.

        Returns
        -------
        list of (key, float)
            Keys and their cosine similarity to ``vector``, best first.
        """
        if num_neighbors < 1 or not self.keys:
            return []
        query = np.ascontiguousarray(vector, dtype=np.float32)
        matches = self.index.search(query, int(min(num_neighbors, len(self.keys))))
        return [
            (self.keys[int(k)], float(1.0 - d)) for k, d in zip(matches.keys, matches.distances)
        ]

    def __len__(self):
        return len(self.keys)
