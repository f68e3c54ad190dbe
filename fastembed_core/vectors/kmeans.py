"""Word classes by k-means on word vectors, as word2vec.c's ``-classes`` computes them."""

import numpy as np

__all__ = ["kmeans_classes"]


def kmeans_classes(vectors, k, iterations=10, block=4096):
    """Word classes by spherical k-means, as word2vec.c's ``-classes`` computes them.

    Rows are unit-normalised; word ``i`` starts in class ``i mod k`` (word2vec.c's start, so
    the result is deterministic); each iteration sets every centroid to the normalised mean of
    its members and moves every word to the centroid of highest cosine. Stops early when no
    word moves.

    Parameters
    ----------
    vectors : (n, d) array
    k : int
        Number of classes (at most ``n`` are used).
    iterations : int
        word2vec.c runs 10.

    Returns
    -------
    numpy.ndarray of int64
        The class of each row, in ``0 .. k-1``.
    """
    x = np.asarray(vectors, dtype=np.float32)
    n = x.shape[0]
    if k < 1:
        raise ValueError(f"the number of classes must be >= 1; got {k}")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = x / np.where(norms > 0, norms, 1.0)
    k = min(int(k), n)
    labels = np.arange(n, dtype=np.int64) % k
    for _ in range(int(iterations)):
        centroids = np.zeros((k, x.shape[1]), dtype=np.float64)
        np.add.at(centroids, labels, x)
        cn = np.linalg.norm(centroids, axis=1, keepdims=True)
        centroids = (centroids / np.where(cn > 0, cn, 1.0)).astype(np.float32)
        new = np.empty_like(labels)
        for lo in range(0, n, block):
            new[lo : lo + block] = np.argmax(x[lo : lo + block] @ centroids.T, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
    return labels
