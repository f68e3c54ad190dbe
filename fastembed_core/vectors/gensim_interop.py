"""Conversion between :class:`~fastembed_core.KeyedVectors` and gensim's ``KeyedVectors``.

The bodies of :meth:`KeyedVectors.from_gensim <fastembed_core.KeyedVectors.from_gensim>` and
:meth:`KeyedVectors.to_gensim <fastembed_core.KeyedVectors.to_gensim>`. Only copies of arrays
and keys cross over; nothing is pickled. gensim is imported only by :func:`to_gensim`.
"""

import numpy as np

__all__ = ["from_gensim", "to_gensim"]


def from_gensim(gensim_kv, cls):
    """Copies a gensim ``KeyedVectors`` (or a model with a ``.wv``) into a new object.

    Parameters
    ----------
    gensim_kv : gensim.models.KeyedVectors or gensim model
        The source; a model's ``wv`` is used.
    cls : type
        The class to build (:class:`~fastembed_core.KeyedVectors` or a subclass).

    Returns
    -------
    KeyedVectors
        With copies of the keys, the vectors and every per-key attribute.
    """
    source = getattr(gensim_kv, "wv", gensim_kv)
    vectors = np.array(source.vectors, copy=True, order="C")
    if vectors.size == 0:  # an empty gensim object may hold a (0,) array
        vectors = vectors.reshape(len(source.index_to_key), int(source.vector_size))
    attrs = {
        name: np.array(values, copy=True)
        for name, values in getattr(source, "expandos", {}).items()
    }
    return cls.from_arrays(list(source.index_to_key), vectors, attrs=attrs, copy=False)


def to_gensim(kv):
    """A gensim ``KeyedVectors`` with copies of the keys, vectors and per-key attributes.

    Parameters
    ----------
    kv : KeyedVectors
        The source.

    Returns
    -------
    gensim.models.KeyedVectors

    Raises
    ------
    ImportError
        gensim is not installed.
    """
    try:
        from gensim.models import KeyedVectors as GensimKeyedVectors
    except ImportError as exc:
        raise ImportError("to_gensim() needs gensim: pip install gensim") from exc
    g = GensimKeyedVectors(kv.vector_size, count=0, dtype=kv.vectors.dtype)
    g.index_to_key = list(kv.index_to_key)
    g.key_to_index = dict(kv.key_to_index)
    g.vectors = np.array(kv.vectors, copy=True, order="C")
    g.next_index = len(g.index_to_key)
    g.expandos = {name: np.array(v, copy=True) for name, v in kv.expandos.items()}
    g.norms = None
    return g
