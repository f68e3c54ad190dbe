"""2-D (or n-D) projections of vectors for pictures: PCA in numpy, t-SNE (scikit-learn) and
UMAP (umap-learn) when installed. Used by :mod:`fastembed_core.vectors.viz`; usable alone."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["project", "pca", "unit_rows", "PROJECTION_METHODS"]

PROJECTION_METHODS = ("pca", "tsne", "umap")


def unit_rows(x: ArrayLike) -> NDArray[np.float64]:
    """Rows scaled to unit length (zero rows stay zero), as float64."""
    x = np.asarray(x, dtype=np.float64)
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(n > 0, n, 1.0)


def pca(
    x: NDArray[np.floating[Any]], n_components: int = 2
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Coordinates on the first principal axes and the variance ratio of each axis."""
    centred = x - x.mean(axis=0)
    u, s, vt = np.linalg.svd(centred, full_matrices=False)
    k = min(n_components, s.shape[0])
    coords = u[:, :k] * s[:k]
    # Fix each axis's sign (the SVD's is arbitrary): the largest loading is positive.
    signs = np.sign(vt[np.arange(k), np.argmax(np.abs(vt[:k]), axis=1)])
    coords *= np.where(signs == 0, 1.0, signs)
    if k < n_components:
        coords = np.hstack([coords, np.zeros((coords.shape[0], n_components - k))])
    var = s**2
    ratio = var[:n_components] / var.sum() if var.sum() > 0 else np.zeros(n_components)
    ratio = np.concatenate([ratio, np.zeros(n_components - len(ratio))])
    return coords, ratio


def project(
    vectors: ArrayLike,
    method: str = "pca",
    seed: int = 0,
    normalize: bool = True,
    **kwargs: Any,
) -> NDArray[np.float64]:
    """Projects row vectors to 2-D.

    Parameters
    ----------
    vectors : (n, d) array
    method : {"pca", "tsne", "umap"}
        PCA (numpy, deterministic), t-SNE (scikit-learn) or UMAP (umap-learn). t-SNE and UMAP
        use the cosine metric; their perplexity / neighbour count is capped for small ``n``.
    seed : int
        Random state of t-SNE and UMAP.
    normalize : bool
        Unit-normalise the rows first, so distances reflect cosine similarity.
    **kwargs
        Passed to ``sklearn.manifold.TSNE`` or ``umap.UMAP``.

    Returns
    -------
    numpy.ndarray, shape (n, 2)
    """
    x = np.asarray(vectors, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array; got shape {x.shape}")
    n = x.shape[0]
    if n < 2:
        raise ValueError(f"need at least 2 vectors to project; got {n}")
    if not np.isfinite(x).all():
        raise ValueError("the vectors contain NaN or infinity")
    if normalize:
        x = unit_rows(x)
    if method == "pca":
        return pca(x)[0]
    if method == "tsne":
        try:
            from sklearn.manifold import TSNE
        except ImportError:
            raise ImportError(
                "method='tsne' needs scikit-learn: pip install scikit-learn (or use method='pca')"
            ) from None
        if n < 4:
            raise ValueError(f"t-SNE needs at least 4 words; got {n} (use method='pca')")
        opts = {
            "perplexity": float(min(30.0, max(1.0, (n - 1) / 3.0))),
            "init": "pca",
            "metric": "cosine",
            "random_state": seed,
        }
        opts.update(kwargs)
        return np.asarray(TSNE(n_components=2, **opts).fit_transform(x), dtype=np.float64)
    if method == "umap":
        try:
            import umap
        except ImportError:
            raise ImportError(
                "method='umap' needs umap-learn: pip install umap-learn (or use method='pca')"
            ) from None
        if n < 4:
            raise ValueError(f"UMAP needs at least 4 words; got {n} (use method='pca')")
        opts = {
            "n_neighbors": int(min(15, n - 1)),
            "metric": "cosine",
            "random_state": seed,
            "init": "random" if n < 10 else "spectral",
        }
        opts.update(kwargs)
        return np.asarray(umap.UMAP(n_components=2, **opts).fit_transform(x), dtype=np.float64)
    raise ValueError(f"method must be one of {', '.join(PROJECTION_METHODS)}; got {method!r}")
