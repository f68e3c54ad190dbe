"""Small numeric helpers shared by the query and evaluation code of :mod:`fastembed_core.vectors`."""

import numpy as np

__all__ = ["BLOCK_ELEMENTS", "unit"]

BLOCK_ELEMENTS = 1 << 23
"""Similarity block size (elements) for batched queries: 32 MB of float32."""


def unit(vec):
    """``vec`` scaled to unit length in its own dtype; a zero vector stays zero.

    Parameters
    ----------
    vec : numpy.ndarray
        1-D vector.

    Returns
    -------
    numpy.ndarray
    """
    norm = np.linalg.norm(vec)
    if norm > 0:
        return vec * (vec.dtype.type(1.0) / norm)
    return vec
