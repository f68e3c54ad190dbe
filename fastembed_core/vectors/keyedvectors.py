"""Trained vectors and their keys: lookups, similarity queries, evaluation, files.

:class:`KeyedVectors` follows gensim 4's ``KeyedVectors`` (same attribute and method names,
same results for the same vectors) so code written against gensim keeps working, with these
deliberate differences:

* integer keys are always *keys* (``kv[3]`` is the vector of key ``3``, never row 3 — gensim
  falls back to a row position for an unknown integer); use :meth:`KeyedVectors.vector_at`
  for positions;
* an unknown key raises :class:`~fastembed_core.errors.OOVError` (a ``KeyError``) saying how
  many keys there are, everywhere (gensim's ``n_similarity`` silently skips unknown keys);
* zero vectors have similarity 0.0 with everything, never NaN;
* queries may run from many threads at once (see the class docstring);
* :meth:`KeyedVectors.most_similar_batch` answers many queries with one matrix product per
  block of queries;
* files are never pickles: :meth:`KeyedVectors.save` writes the native container
  (JSON metadata + raw arrays, memory-mappable), and the plain formats live in
  :mod:`fastembed_core.formats`.
"""

import contextlib
import itertools
import logging
import math
import threading
import warnings
from contextlib import AbstractContextManager
from numbers import Integral
from typing import Any, Callable

import numpy as np

from ..errors import FormatError, OOVError
from ..io import word2vec_format as _formats
from ..io.native import read_container, write_container

__all__ = ["KeyedVectors", "UsearchIndexer", "load_word2vec_format", "pearson_spearman"]

logger = logging.getLogger(__name__)

_KEY_TYPES = (str, int, np.integer)
_EXTENDED_KEY_TYPES = (str, int, np.integer, np.ndarray)
_BLOCK_ELEMENTS = 1 << 23  # similarity block size (elements) for batched queries: 32 MB float32


def _ensure_list(value):
    """A single key or vector -> [it]; a 2-D array -> list of rows; None -> []."""
    if value is None:
        return []
    if isinstance(value, _KEY_TYPES) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return list(value)
    return list(value)


def _unit(vec):
    """``vec`` scaled to unit length in its own dtype; a zero vector stays zero."""
    norm = np.linalg.norm(vec)
    if norm > 0:
        return vec * (vec.dtype.type(1.0) / norm)
    return vec


def _is_int_key(key):
    return isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_))


class KeyedVectors:
    """Vectors indexed by keys (words, item ids, graph nodes), with similarity queries.

    Parameters
    ----------
    vector_size : int
        Dimensionality of the vectors.
    count : int, optional
        Pre-allocate this many (zero) vectors and empty key slots, to be filled with
        :meth:`add_vector`.
    dtype : numpy float type, optional
        dtype of the vectors (float32 by default).
    mapfile_path : str, optional
        Unused; accepted for gensim compatibility.

    Attributes
    ----------
    vector_size : int
    index_to_key : list
        Key of each row (str keys for words; int keys for item ids or graph nodes).
    key_to_index : dict
        Row of each key.
    vectors : numpy.ndarray
        ``(len(index_to_key), vector_size)`` matrix. Assigning a new matrix invalidates the
        cached norms; code that modifies the matrix *in place* (training) must call
        :meth:`fill_norms` with ``force=True`` or ``_invalidate_norms()`` afterwards.
    expandos : dict
        Per-key attributes: attribute name -> 1-D array aligned with ``index_to_key`` (e.g.
        ``"count"``). Use :meth:`set_vecattr` / :meth:`get_vecattr`.

    Notes
    -----
    **Threads.** Any number of threads may run queries (lookups, ``most_similar``,
    ``most_similar_batch``, similarities, evaluation) on the same object at once: queries never
    modify shared state, except the cache of vector norms, which is computed once under a lock
    by whichever query needs it first and then published as a whole. Queries release the GIL
    inside numpy's matrix products, so they do run in parallel. Modifying the object
    (``add_vectors``, assigning ``vectors``, ``set_vecattr``, training) while other threads query
    it is *not* safe: finish the modification first.

    Examples
    --------
    >>> import numpy as np
    >>> kv = KeyedVectors(3)
    >>> kv.add_vectors(["a", "b", "c"], np.eye(3, dtype=np.float32))
    >>> kv.similarity("a", "b")
    0.0
    """

    def __init__(self, vector_size, count=0, dtype=np.float32, mapfile_path=None):
        if (
            not isinstance(vector_size, Integral)
            or isinstance(vector_size, bool)
            or vector_size < 0
        ):
            raise ValueError(f"vector_size must be a non-negative integer; got {vector_size!r}")
        if not isinstance(count, Integral) or count < 0:
            raise ValueError(f"count must be a non-negative integer; got {count!r}")
        self.vector_size = int(vector_size)
        self.index_to_key = [None] * int(count)
        self.next_index = 0
        self.key_to_index = {}
        self.expandos = {}
        self.mapfile_path = mapfile_path
        self._norms_lock = threading.Lock()
        self._norm_cache = None
        self._vectors = np.zeros((int(count), self.vector_size), dtype=dtype)

    # ------------------------------------------------------------------------------------------
    # state
    # ------------------------------------------------------------------------------------------
    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_norms_lock", None)
        state.pop("_save_guard", None)  # the owning model's: a copy is standalone
        state["_norm_cache"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._norms_lock = threading.Lock()
        self._norm_cache = None

    @property
    def vectors(self):
        """The ``(n_keys, vector_size)`` matrix (setting it invalidates the cached norms)."""
        return self._vectors

    @vectors.setter
    def vectors(self, value):
        arr = value if isinstance(value, np.ndarray) else np.asarray(value)
        if arr.ndim != 2:
            raise ValueError(f"vectors must be a 2-D array; got shape {arr.shape}")
        self._vectors = arr
        if arr.shape[1] or arr.shape[0]:
            self.vector_size = int(arr.shape[1])
        self._norm_cache = None

    @property
    def norms(self):
        """L2 norm of every vector, or ``None`` until :meth:`fill_norms` (or a query) runs."""
        cache = self._norm_cache
        return None if cache is None else cache[1]

    @norms.setter
    def norms(self, value):
        if value is None:
            self._norm_cache = None
        else:
            norms = np.asarray(value)
            self._norm_cache = (
                self._vectors,
                norms,
                np.where(norms > 0, norms, 1).astype(norms.dtype),
            )

    @property
    def vectors_norm(self):
        raise AttributeError(
            "vectors_norm is computed on demand since gensim 4: use get_normed_vectors()"
        )

    def _invalidate_norms(self):
        """Forget the cached norms (call after changing ``vectors`` in place)."""
        self._norm_cache = None

    def _state(self):
        """``(vectors, norms, safe_norms)`` consistent with each other; ``safe_norms`` has 1
        where a norm is 0, so a zero vector scores 0 instead of NaN."""
        cache = self._norm_cache
        if cache is not None and cache[0] is self._vectors:
            return cache
        with self._norms_lock:
            cache = self._norm_cache
            if cache is None or cache[0] is not self._vectors:
                cache = self._compute_norms(self._vectors)
                self._norm_cache = cache
        return cache

    @staticmethod
    def _compute_norms(vectors):
        norms = (
            np.asarray(np.linalg.norm(vectors, axis=1))
            if vectors.size
            else np.zeros(vectors.shape[0], dtype=vectors.dtype)
        )
        safe = np.where(norms > 0, norms, 1).astype(norms.dtype)
        return (vectors, norms, safe)

    def fill_norms(self, force=False):
        """Compute and cache the vector norms (``force=True``: recompute even if cached).

        Any code that modifies the vectors in place must call ``fill_norms(force=True)`` (or
        ``_invalidate_norms()``) so later queries see the new norms.
        """
        if force:
            with self._norms_lock:
                self._norm_cache = self._compute_norms(self._vectors)
        else:
            self._state()

    def __str__(self):
        return f"{type(self).__name__}<vector_size={self.vector_size}, {len(self)} keys>"

    __repr__ = __str__

    def __len__(self):
        return len(self.index_to_key)

    def __iter__(self):
        """Iterate over the keys, in index order."""
        return iter(self.index_to_key)

    # ------------------------------------------------------------------------------------------
    # lookups
    # ------------------------------------------------------------------------------------------
    def _oov(self, key):
        shown = int(key) if isinstance(key, np.integer) else key
        hint = ""
        if _is_int_key(key) and self.index_to_key and isinstance(self.index_to_key[0], str):
            hint = f"; the keys are strings: use vector_at({shown}) for the vector at row {shown}"
        return OOVError(f"{shown!r} not in vocabulary ({len(self.key_to_index)} keys){hint}")

    def get_index(self, key, default=None):
        """Row of ``key``; ``default`` if it is unknown and a default is given.

        Integer keys are looked up as keys, never taken as row positions.

        Raises
        ------
        OOVError
            ``key`` is unknown and no ``default`` is given.
        """
        idx = self.key_to_index.get(key)
        if idx is not None:
            return idx
        if default is not None:
            return default
        raise self._oov(key)

    def has_index_for(self, key):
        """Whether ``key`` has a vector."""
        try:
            return key in self.key_to_index
        except TypeError:  # unhashable
            return False

    def __contains__(self, key):
        return self.has_index_for(key)

    def get_vector(self, key, norm=False):
        """The vector of ``key`` (read-only view); ``norm=True`` scales it to unit length.

        Raises
        ------
        OOVError
            ``key`` is unknown.
        """
        index = self.get_index(key)
        if norm:
            vectors, _, safe = self._state()
            result = vectors[index] / safe[index]
        else:
            result = self._vectors[index]
        result.setflags(write=False)
        return result

    def word_vec(self, *args, **kwargs):
        """Deprecated alias of :meth:`get_vector`."""
        warnings.warn(
            "word_vec() is deprecated; use get_vector()", DeprecationWarning, stacklevel=2
        )
        return self.get_vector(*args, **kwargs)

    def get(self, key, default=None):
        """The vector of ``key``, or ``default`` if it is unknown (like ``dict.get``)."""
        idx = self.key_to_index.get(key) if self.has_index_for(key) else None
        if idx is None:
            return default
        result = self._vectors[idx]
        result.setflags(write=False)
        return result

    def vector_at(self, i):
        """The vector at row position ``i`` (read-only view), whatever the keys are.

        This is separate from ``kv[key]`` on purpose: with integer keys (item ids, graph
        nodes) ``kv[3]`` means *key* 3, which is usually not row 3.
        """
        if not isinstance(i, Integral) or isinstance(i, bool):
            raise TypeError(f"vector_at() takes an integer position; got {type(i).__name__}")
        n = self._vectors.shape[0]
        if not -n <= i < n:
            raise IndexError(f"row {i} out of range for {n} vectors")
        result = self._vectors[i]
        result.setflags(write=False)
        return result

    def __getitem__(self, key_or_keys):
        """The vector of a key (1-D, read-only), or a 2-D array for a list of keys."""
        if isinstance(key_or_keys, _KEY_TYPES):
            return self.get_vector(key_or_keys)
        indices = [self.get_index(k) for k in key_or_keys]
        if not indices:
            return np.zeros((0, self.vector_size), dtype=self._vectors.dtype)
        return self._vectors[indices]

    def __setitem__(self, keys, weights):
        """``kv[key] = vector`` / ``kv[keys] = matrix``: add, replacing existing vectors."""
        if not isinstance(keys, list):
            keys = [keys]
            weights = np.asarray(weights).reshape(1, -1)
        self.add_vectors(keys, weights, replace=True)

    def get_normed_vectors(self):
        """All vectors scaled to unit length, as a new 2-D array (zero vectors stay zero)."""
        vectors, _, safe = self._state()
        return vectors / safe[:, None]

    def get_mean_vector(
        self, keys, weights=None, pre_normalize=True, post_normalize=False, ignore_missing=True
    ):
        """Weighted mean of the vectors of ``keys`` (keys or 1-D arrays).

        Parameters
        ----------
        keys : list of (str or int or numpy.ndarray)
        weights : list of float or numpy.ndarray, optional
            One weight per key (default 1); the mean is divided by the sum of absolute weights.
        pre_normalize : bool
            Scale each key's vector to unit length first (arrays are used as given).
        post_normalize : bool
            Scale the result to unit length.
        ignore_missing : bool
            Skip unknown keys (``False``: raise :class:`OOVError`).
        """
        if len(keys) == 0:
            raise ValueError("cannot compute mean with no input")
        vectors, _, safe = self._state()
        if isinstance(weights, list):
            weights = np.array(weights, dtype=vectors.dtype)
        if weights is None:
            weights = np.ones(len(keys), dtype=vectors.dtype)
        if len(keys) != weights.shape[0]:
            raise ValueError("keys and weights array must have same number of elements")
        mean = np.zeros(self.vector_size, vectors.dtype)
        total = 0
        for idx, key in enumerate(keys):
            if isinstance(key, np.ndarray):
                mean += weights[idx] * key
                total += abs(weights[idx])
            elif self.has_index_for(key):
                i = self.key_to_index[key]
                vec = vectors[i] / safe[i] if pre_normalize else vectors[i]
                mean += weights[idx] * vec
                total += abs(weights[idx])
            elif not ignore_missing:
                raise self._oov(key)
        if total > 0:
            mean = mean / total
        if post_normalize:
            mean = _unit(mean).astype(np.float32)
        return mean

    # ------------------------------------------------------------------------------------------
    # adding vectors and per-key attributes
    # ------------------------------------------------------------------------------------------
    def allocate_vecattrs(self, attrs=None, types=None):
        """Make sure the per-key attribute arrays exist and match ``len(index_to_key)``."""
        if attrs is None:
            attrs = list(self.expandos)
            types = [self.expandos[a].dtype for a in attrs]
        target = len(self.index_to_key)
        for attr, t in zip(attrs, types):
            if t is int:
                t = np.int64
            elif t is float:
                t = np.float64
            elif t is str:
                t = object
            t = np.dtype(t)
            prev = self.expandos.get(attr)
            if prev is None:
                self.expandos[attr] = np.zeros(target, dtype=t)
                continue
            if not np.can_cast(t, prev.dtype, casting="same_kind"):
                raise TypeError(
                    f"can't store {t} values in attribute {attr!r}, whose type is {prev.dtype}"
                )
            if len(prev) == target:
                continue
            grown = np.zeros(target, dtype=prev.dtype)
            m = min(len(prev), target)
            grown[:m] = prev[:m]
            self.expandos[attr] = grown

    def set_vecattr(self, key, attr, val):
        """Set per-key attribute ``attr`` (e.g. ``"count"``) of ``key`` to ``val``."""
        self.allocate_vecattrs(attrs=[attr], types=[type(val)])
        self.expandos[attr][self.get_index(key)] = val

    def get_vecattr(self, key, attr):
        """Per-key attribute ``attr`` of ``key``."""
        index = self.get_index(key)
        values = self.expandos.get(attr)
        if values is None:
            raise KeyError(f"no per-key attribute {attr!r} (have: {sorted(self.expandos)})")
        return values[index]

    def add_vector(self, key, vector):
        """Add one vector (into the next pre-allocated slot if there is one).

        An existing key gets its vector replaced. Returns the row of ``key``.
        """
        vector = np.asarray(vector)
        if vector.shape != (self.vector_size,):
            raise ValueError(f"vector must have shape ({self.vector_size},); got {vector.shape}")
        existing = self.key_to_index.get(key)
        if existing is not None:
            self._vectors[existing] = vector
            self._norm_cache = None
            return existing
        target = self.next_index
        if (
            target < len(self.index_to_key)
            and self.index_to_key[target] is None
            and target < self._vectors.shape[0]
        ):
            self.index_to_key[target] = key
            self.key_to_index[key] = target
            self._vectors[target] = vector
            self.next_index += 1
            self._norm_cache = None
            return target
        target = len(self.index_to_key)
        self.add_vectors([key], vector.reshape(1, -1))
        self.next_index = target + 1
        return target

    def add_vectors(self, keys, weights, extras=None, replace=False):
        """Append keys and their vectors.

        Parameters
        ----------
        keys : list of (str or int), or a single key
        weights : 2-D array (or list of 1-D arrays), one row per key
        extras : dict of str -> array, optional
            Per-key attribute values aligned with ``keys``.
        replace : bool
            Replace the vectors (and extras) of keys already present; otherwise they keep their
            old values. A key repeated within ``keys`` is added once.
        """
        if isinstance(keys, _KEY_TYPES):
            keys = [keys]
            weights = np.asarray(weights).reshape(1, -1)
        else:
            keys = list(keys)
            weights = np.asarray(weights)
        if weights.ndim != 2 or weights.shape != (len(keys), self.vector_size):
            if not (len(keys) == 0 and weights.size == 0):
                raise ValueError(
                    f"weights must have shape ({len(keys)}, {self.vector_size}); "
                    f"got {weights.shape}"
                )
            weights = weights.reshape(0, self.vector_size)
        extras = {} if extras is None else {a: np.asarray(v) for a, v in extras.items()}
        for attr, values in extras.items():
            if len(values) != len(keys):
                raise ValueError(f"extras[{attr!r}] has {len(values)} values for {len(keys)} keys")

        new_pos, old_pos, old_idx, pending = [], [], [], {}
        base = len(self.index_to_key)
        for pos, key in enumerate(keys):
            idx = self.key_to_index.get(key)
            if idx is None:
                idx = pending.get(key)
                if idx is None:
                    pending[key] = base + len(new_pos)
                    new_pos.append(pos)
                    continue
            old_pos.append(pos)
            old_idx.append(idx)

        self.allocate_vecattrs(list(extras), [v.dtype for v in extras.values()])
        for pos in new_pos:
            self.key_to_index[keys[pos]] = len(self.index_to_key)
            self.index_to_key.append(keys[pos])
        if new_pos:
            dtype = self._vectors.dtype
            self.vectors = np.concatenate([self._vectors, weights[new_pos].astype(dtype)])
        self.allocate_vecattrs()
        for attr, values in extras.items():
            if new_pos:
                self.expandos[attr][base : base + len(new_pos)] = values[new_pos]
        if replace and old_pos:
            self._vectors[old_idx] = weights[old_pos]
            for attr, values in extras.items():
                self.expandos[attr][old_idx] = values[old_pos]
        self._norm_cache = None

    def sort_by_descending_frequency(self):
        """Reorder keys (and vectors, attributes) by descending ``"count"``; ties keep order."""
        if not len(self):
            return
        counts = np.asarray(self.expandos["count"], dtype=np.int64)
        order = np.argsort(-counts, kind="stable")
        self.index_to_key = [self.index_to_key[i] for i in order]
        self.allocate_vecattrs()
        for attr in self.expandos:
            self.expandos[attr] = self.expandos[attr][order]
        if len(self._vectors):
            self.vectors = self._vectors[order]
        self.key_to_index = {k: i for i, k in enumerate(self.index_to_key)}

    def vectors_for_all(self, keys, allow_inference=True, copy_vecattrs=False):
        """A new :class:`KeyedVectors` with the (deduplicated) ``keys`` that have a vector."""
        seen = {}
        for k in keys:
            if k not in seen and self.has_index_for(k):
                seen[k] = self.key_to_index[k]
        found = list(seen)
        rows = list(seen.values())
        kv = type(self)(self.vector_size, dtype=self._vectors.dtype)
        kv.add_vectors(
            found,
            self._vectors[rows] if rows else np.zeros((0, self.vector_size), self._vectors.dtype),
        )
        if copy_vecattrs:
            for attr, values in self.expandos.items():
                kv.expandos[attr] = values[rows].copy()
        return kv

    def unit_normalize_all(self):
        """Scale every vector to unit length in place (training cannot sensibly continue)."""
        vectors, norms, safe = self._state()
        vectors /= safe[:, None].astype(vectors.dtype)
        self._norm_cache = None

    def init_sims(self, replace=False):
        """Deprecated: norms are computed on demand; ``replace=True`` normalises in place."""
        warnings.warn(
            "init_sims() is deprecated; use fill_norms() (or unit_normalize_all() for "
            "replace=True)",
            DeprecationWarning,
            stacklevel=2,
        )
        self.fill_norms()
        if replace:
            self.unit_normalize_all()

    # ------------------------------------------------------------------------------------------
    # similarity queries
    # ------------------------------------------------------------------------------------------
    def _parse_terms(self, positive, negative):
        positive = _ensure_list(positive)
        negative = _ensure_list(negative)
        items, weights = [], []
        for group, default in ((positive, 1.0), (negative, -1.0)):
            for item in group:
                if isinstance(item, _EXTENDED_KEY_TYPES):
                    items.append(item)
                    weights.append(default)
                elif (
                    isinstance(item, (tuple, list))
                    and len(item) == 2
                    and isinstance(item[1], (Integral, float, np.floating))
                ):
                    items.append(item[0])
                    weights.append(item[1])
                else:
                    raise TypeError(
                        f"cannot use {item!r} as a query term: expected a key, a 1-D "
                        f"numpy array, or a (key_or_array, weight) pair"
                    )
        if not items:
            raise ValueError(
                "cannot compute similarity with no input: positive and negative are both empty"
            )
        return items, weights

    def _query_vector(self, items, weights, state):
        """Unit-length weighted mean of unit key vectors and raw arrays, and the rows of the
        keys among ``items``. Same arithmetic as gensim's most_similar, step by step."""
        vectors, _, safe = state
        mean = np.zeros(self.vector_size, dtype=vectors.dtype)
        total = np.float64(0.0)
        rows = []
        for item, w in zip(items, weights):
            w = np.float64(w)
            if isinstance(item, np.ndarray):
                if item.shape != (self.vector_size,):
                    raise ValueError(
                        f"a query vector must have shape ({self.vector_size},); got {item.shape}"
                    )
                vec = item
            else:
                i = self.get_index(item)
                rows.append(i)
                vec = vectors[i] / safe[i]
            mean += w * vec
            total += abs(w)
        if total > 0:
            mean = mean / total
        norm = np.linalg.norm(mean)
        if norm > 0:
            mean = mean * (1.0 / norm)
        return mean.astype(vectors.dtype if vectors.dtype.kind == "f" else np.float32), rows

    @staticmethod
    def _top(scores, k):
        """Indices of the ``k`` highest scores, best first; ties by lower index."""
        n = scores.shape[0]
        k = min(int(k), n)
        if k <= 0:
            return np.zeros(0, dtype=np.intp)
        if k < n:
            part = np.argpartition(-scores, k - 1)[:k]
            threshold = scores[part].min()
            above = np.flatnonzero(scores > threshold)
            tied = np.flatnonzero(scores == threshold)[: k - len(above)]
            cand = np.concatenate([above, tied])
            if len(cand) < k:  # NaN scores: fall back to the partition
                cand = part
        else:
            cand = np.arange(n)
        order = np.lexsort((cand, -scores[cand]))
        return cand[order]

    def most_similar(
        self,
        positive=None,
        negative=None,
        topn=10,
        clip_start=0,
        clip_end=None,
        restrict_vocab=None,
        indexer=None,
    ):
        """The ``topn`` keys most similar (cosine) to the weighted mean of the inputs.

        Parameters
        ----------
        positive, negative : key, vector, or list of keys / vectors / ``(key_or_vector, weight)``
            Inputs contributing positively (weight 1) or negatively (weight -1). A tuple's
            weight is used as given (like gensim, also in ``negative``). Key vectors are
            unit-normalised before averaging; arrays are used as given.
        topn : int or None
            Number of results; ``None`` returns the similarity to every key (in the clipped
            range) as an array.
        clip_start, clip_end : int
            Search only rows ``clip_start:clip_end``.
        restrict_vocab : int, optional
            Search only the first ``restrict_vocab`` rows (overrides the clip).
        indexer : object, optional
            An approximate-neighbour index with ``most_similar(vector, topn)`` returning
            ``[(key, similarity)]`` (gensim's indexer protocol, e.g. :class:`UsearchIndexer`).

        Returns
        -------
        list of (key, float), or numpy.ndarray when ``topn`` is None
            The input keys themselves are left out.

        Raises
        ------
        ValueError
            ``positive`` and ``negative`` are both empty.
        OOVError
            An input key is unknown.
        """
        if isinstance(topn, Integral) and topn < 1:
            return []
        items, weights = self._parse_terms(positive, negative)
        state = self._state()
        mean, rows = self._query_vector(items, weights, state)
        if indexer is not None and isinstance(topn, Integral):
            skip = {self.index_to_key[i] for i in rows}
            found = indexer.most_similar(mean, int(topn) + len(skip))
            return [(k, float(s)) for k, s in found if k not in skip][:topn]
        vectors, _, safe = state
        n = vectors.shape[0]
        if restrict_vocab:
            clip_start, clip_end = 0, restrict_vocab
        clip_end = clip_end or n
        lo, hi = max(int(clip_start), 0), min(int(clip_end), n)
        hi = max(hi, lo)
        dists = np.dot(vectors[lo:hi], mean) / safe[lo:hi]
        if not topn:
            return dists
        skip = set(rows)
        best = self._top(dists, int(topn) + len(skip))
        result = [
            (self.index_to_key[i + lo], float(dists[i])) for i in best if (i + lo) not in skip
        ]
        return result[:topn]

    def similar_by_word(self, word, topn=10, restrict_vocab=None):
        """Alias of :meth:`similar_by_key`."""
        return self.similar_by_key(word, topn, restrict_vocab)

    def similar_by_key(self, key, topn=10, restrict_vocab=None):
        """The ``topn`` keys most similar to ``key`` (see :meth:`most_similar`)."""
        return self.most_similar(positive=[key], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_vector(self, vector, topn=10, restrict_vocab=None):
        """The ``topn`` keys most similar to ``vector`` (see :meth:`most_similar`)."""
        return self.most_similar(
            positive=[np.asarray(vector)], topn=topn, restrict_vocab=restrict_vocab
        )

    def most_similar_batch(
        self, keys_or_vectors, topn=10, restrict_vocab=None, *, return_keys=False, block_size=None
    ):
        """Exact nearest neighbours (cosine) of many queries at once.

        One matrix product per block of queries, with blocks sized so the similarity block
        stays near 32 MB whatever the number of queries.

        Parameters
        ----------
        keys_or_vectors : list of keys and/or 1-D vectors, or a 2-D array of query vectors
            A key query leaves the key itself out of its results (like :meth:`most_similar`).
        topn : int
            Neighbours per query (at most the number of searched rows).
        restrict_vocab : int, optional
            Search only the first ``restrict_vocab`` rows.
        return_keys : bool
            Return lists of ``(key, similarity)`` instead of arrays.
        block_size : int, optional
            Queries per matrix product (default: sized for ~32 MB of similarities).

        Returns
        -------
        (indices, scores) : (numpy.ndarray of int64, numpy.ndarray)
            ``(n_queries, k)`` arrays, best first. If a key query's own row would be needed to
            fill ``k`` results, that slot holds index -1 and score -inf.
        list of list of (key, float)
            When ``return_keys`` is true.
        """
        vectors, _, safe = self._state()
        n = (
            vectors.shape[0]
            if restrict_vocab is None
            else min(int(restrict_vocab), vectors.shape[0])
        )
        dtype = vectors.dtype if vectors.dtype.kind == "f" else np.dtype(np.float32)
        if isinstance(keys_or_vectors, np.ndarray) and keys_or_vectors.ndim == 2:
            if keys_or_vectors.shape[1] != self.vector_size:
                raise ValueError(
                    f"query vectors must have {self.vector_size} columns; got "
                    f"{keys_or_vectors.shape[1]}"
                )
            queries = np.array(keys_or_vectors, dtype=dtype)
            own = np.full(len(queries), -1, dtype=np.int64)
        else:
            items = list(keys_or_vectors)
            queries = np.empty((len(items), self.vector_size), dtype=dtype)
            own = np.full(len(items), -1, dtype=np.int64)
            for q, item in enumerate(items):
                if isinstance(item, np.ndarray):
                    if item.shape != (self.vector_size,):
                        raise ValueError(
                            f"query {q} must have shape ({self.vector_size},); got {item.shape}"
                        )
                    queries[q] = item
                else:
                    i = self.get_index(item)
                    own[q] = i
                    queries[q] = vectors[i]
        qn = np.linalg.norm(queries, axis=1)
        queries /= np.where(qn > 0, qn, 1)[:, None].astype(dtype)
        if not isinstance(topn, Integral) or topn < 1:
            raise ValueError(f"topn must be a positive integer; got {topn!r}")
        k = min(int(topn), n)
        nq = len(queries)
        out_idx = np.full((nq, k), -1, dtype=np.int64)
        out_sc = np.full((nq, k), -np.inf, dtype=dtype)
        if k and nq:
            block = int(block_size) if block_size else max(1, _BLOCK_ELEMENTS // max(n, 1))
            base = vectors[:n]
            inv = (1.0 / safe[:n]).astype(dtype)
            for lo in range(0, nq, block):
                hi = min(lo + block, nq)
                sims = queries[lo:hi] @ base.T
                sims *= inv
                mine = own[lo:hi]
                rows = np.flatnonzero((mine >= 0) & (mine < n))
                sims[rows, mine[rows]] = -np.inf
                if k < n:
                    part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
                else:
                    part = np.broadcast_to(np.arange(n), (hi - lo, n)).copy()
                vals = np.take_along_axis(sims, part, axis=1)
                order = np.lexsort((part, -vals), axis=-1)
                idx = np.take_along_axis(part, order, axis=1)
                vals = np.take_along_axis(vals, order, axis=1)
                idx[np.isneginf(vals) & (idx == mine[:, None])] = -1
                out_idx[lo:hi] = idx
                out_sc[lo:hi] = vals
        if not return_keys:
            return out_idx, out_sc
        keys = self.index_to_key
        return [
            [(keys[i], float(s)) for i, s in zip(ri, rs) if i >= 0]
            for ri, rs in zip(out_idx.tolist(), out_sc)
        ]

    def _cosmul_scores(self, pos_terms, neg_terms, hi, state):
        vectors, _, safe = state
        base, norms = vectors[:hi], safe[:hi]
        pos = [((1 + np.dot(base, t) / norms) / 2) for t in pos_terms]
        neg = [((1 + np.dot(base, t) / norms) / 2) for t in neg_terms]
        return np.prod(pos, axis=0) / (np.prod(neg, axis=0) + 0.000001)

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Most similar keys by the multiplicative objective (3CosMul, Levy & Goldberg 2014).

        Each key's similarities are shifted to [0, 1]; positive ones multiply, negative ones
        divide. Inputs are keys or vectors (vectors are scaled to unit length, unlike gensim
        which uses them as given). ``restrict_vocab`` limits the search to the first rows
        (gensim ignores it here). ``topn=None`` returns the scores of every key.
        """
        if isinstance(topn, Integral) and topn < 1:
            return []
        positive = _ensure_list(positive)
        negative = _ensure_list(negative)
        if not positive:
            raise ValueError("cannot compute similarity with no input: positive is empty")
        state = self._state()
        vectors, _, safe = state
        skip = set()

        def term(item):
            if isinstance(item, np.ndarray):
                return _unit(np.asarray(item, dtype=vectors.dtype))
            i = self.get_index(item)
            skip.add(i)
            return vectors[i] / safe[i]

        pos_terms = [term(x) for x in positive]
        neg_terms = [term(x) for x in negative]
        n = vectors.shape[0]
        hi = n if not restrict_vocab else min(int(restrict_vocab), n)
        dists = self._cosmul_scores(pos_terms, neg_terms, hi, state)
        if not topn:
            return dists
        best = self._top(dists, int(topn) + len(skip))
        return [(self.index_to_key[i], float(dists[i])) for i in best if i not in skip][:topn]

    def rank_by_centrality(self, words, use_norm=True):
        """``(similarity, key)`` pairs sorted by similarity to the centroid of ``words``.

        Unknown words are ignored with a warning in the log.
        """
        used = [w for w in words if w in self]
        if len(used) != len(words):
            logger.warning(
                "vectors for words %s are not present in the model, ignoring these words",
                set(words) - set(used),
            )
        if not used:
            raise ValueError("cannot select a word from an empty list")
        vecs = np.vstack([self.get_vector(w, norm=use_norm) for w in used]).astype(np.float32)
        mean = np.zeros(self.vector_size, dtype=np.float32)
        total = np.float32(0)
        one = np.float32(1)
        for row in vecs:
            mean += one * row
            total += one
        mean = _unit(mean / total)
        dists = np.dot(vecs, mean)
        return sorted(((float(d), w) for d, w in zip(dists, used)), reverse=True)

    def doesnt_match(self, words):
        """The key of ``words`` furthest from the mean of all of them."""
        return self.rank_by_centrality(words)[-1][1]

    @staticmethod
    def cosine_similarities(vector_1, vectors_all):
        """Cosine similarity between ``vector_1`` and each row of ``vectors_all``.

        A zero vector has similarity 0.0 with everything (never NaN).
        """
        vector_1 = np.asarray(vector_1)
        vectors_all = np.asarray(vectors_all)
        norm = np.linalg.norm(vector_1)
        all_norms = np.linalg.norm(vectors_all, axis=1)
        dots = np.dot(vectors_all, vector_1)
        denom = norm * all_norms
        nonzero = denom > 0
        return np.where(nonzero, dots / np.where(nonzero, denom, 1), 0).astype(
            dots.dtype, copy=False
        )

    def distances(self, word_or_vector, other_words=()):
        """Cosine distances (1 - similarity) from a key or vector to ``other_words`` (all
        keys when empty)."""
        if isinstance(word_or_vector, _KEY_TYPES):
            vec = self.get_vector(word_or_vector)
        else:
            vec = np.asarray(word_or_vector)
        if other_words is None or len(other_words) == 0:
            others = self._vectors
        else:
            others = self._vectors[[self.get_index(w) for w in other_words]]
        return 1 - self.cosine_similarities(vec, others)

    def distance(self, w1, w2):
        """Cosine distance between two keys (``1 - similarity``)."""
        return 1 - self.similarity(w1, w2)

    def similarity(self, w1, w2):
        """Cosine similarity between two keys (0.0 if either vector is zero)."""
        return float(np.dot(_unit(self.get_vector(w1)), _unit(self.get_vector(w2))))

    def n_similarity(self, ws1, ws2):
        """Cosine similarity between the means of two lists of keys.

        Raises
        ------
        ZeroDivisionError
            A list is empty (as gensim).
        OOVError
            A key is unknown (gensim skips unknown keys silently).
        """
        if not (len(ws1) and len(ws2)):
            raise ZeroDivisionError("At least one of the passed list is empty.")
        m1 = self._plain_mean(ws1)
        m2 = self._plain_mean(ws2)
        return float(np.dot(_unit(m1), _unit(m2)))

    def _plain_mean(self, keys):
        vectors = self._vectors
        mean = np.zeros(self.vector_size, dtype=vectors.dtype)
        one = vectors.dtype.type(1)
        total = vectors.dtype.type(0)
        for k in keys:
            mean += one * vectors[self.get_index(k)]
            total += one
        return mean / total

    def closer_than(self, key1, key2):
        """Keys closer to ``key1`` than ``key2`` is."""
        all_distances = self.distances(key1)
        e1, e2 = self.get_index(key1), self.get_index(key2)
        closer = np.flatnonzero(all_distances < all_distances[e2])
        return [self.index_to_key[i] for i in closer if i != e1]

    def words_closer_than(self, word1, word2):
        """Deprecated alias of :meth:`closer_than`."""
        warnings.warn(
            "words_closer_than() is deprecated; use closer_than()", DeprecationWarning, stacklevel=2
        )
        return self.closer_than(word1, word2)

    def rank(self, key1, key2):
        """Rank of ``key2`` among all keys by distance from ``key1`` (1 = closest)."""
        return len(self.closer_than(key1, key2)) + 1

    def most_similar_to_given(self, key1, keys_list):
        """The key of ``keys_list`` most similar to ``key1``."""
        return keys_list[int(np.argmax([self.similarity(key1, k) for k in keys_list]))]

    def relative_cosine_similarity(self, wa, wb, topn=10):
        """Similarity of ``wa`` and ``wb`` divided by the summed similarities of ``wa``'s
        ``topn`` neighbours (Leeuwenberg et al. 2016)."""
        sims = self.similar_by_word(wa, topn)
        if not sims:
            raise ValueError(
                "Cannot calculate relative cosine similarity without any similar words."
            )
        return self.similarity(wa, wb) / sum(s for _, s in sims)

    # ------------------------------------------------------------------------------------------
    # evaluation
    # ------------------------------------------------------------------------------------------
    def _ok_vocab(self, restrict_vocab, case_insensitive):
        """Evaluation key -> row for the first ``restrict_vocab`` str keys (first case variant
        wins when case-insensitive)."""
        ok = {}
        for i, k in enumerate(self.index_to_key[:restrict_vocab]):
            if not isinstance(k, str):
                continue
            kk = k.upper() if case_insensitive else k
            if kk not in ok:
                ok[kk] = self.key_to_index.get(k, i)
        return ok

    def evaluate_word_pairs(
        self,
        pairs,
        delimiter="\t",
        encoding="utf8",
        restrict_vocab=300000,
        case_insensitive=True,
        dummy4unknown=False,
    ):
        """Correlation of the model's similarities with human judgements (e.g. WordSim-353).

        Parameters
        ----------
        pairs : str
            File of ``word1<delimiter>word2<delimiter>score`` lines; ``#`` lines are comments.
        delimiter, encoding : str
        restrict_vocab : int
            Consider only the first ``restrict_vocab`` keys.
        case_insensitive : bool
            Compare upper-cased (the first case variant of a key in index order wins).
        dummy4unknown : bool
            Count pairs with unknown words as similarity 0 instead of skipping them.

        Returns
        -------
        pearson : (float, float)
            Pearson's r and its two-sided p-value.
        spearman : (float, float)
            Spearman's rho and its two-sided p-value.
        oov_ratio : float
            Percentage of pairs with unknown words.

        Notes
        -----
        Uses scipy for the statistics when it is installed (identical numbers to gensim);
        otherwise :func:`pearson_spearman`, a numpy implementation.
        """
        ok = self._ok_vocab(restrict_vocab, case_insensitive)
        vectors = self._vectors
        gold, model = [], []
        oov = 0
        with open(pairs, encoding=encoding) as fin:
            for line_no, line in enumerate(fin):
                if not line or line.startswith("#"):
                    continue
                try:
                    parts = line.split(delimiter)
                    if case_insensitive:
                        a, b, sim = [p.upper() for p in parts]
                    else:
                        a, b, sim = parts
                    sim = float(sim)
                except (ValueError, TypeError):
                    logger.info("Skipping invalid line #%d in %s", line_no, pairs)
                    continue
                if a not in ok or b not in ok:
                    oov += 1
                    if dummy4unknown:
                        model.append(0.0)
                        gold.append(sim)
                    else:
                        logger.info("Skipping line #%d with OOV words: %s", line_no, line.strip())
                    continue
                gold.append(sim)
                model.append(np.dot(_unit(vectors[ok[a]]), _unit(vectors[ok[b]])))
        if not gold:
            raise ValueError(
                f"No valid similarity judgements found in {pairs}: either invalid "
                f"format or all are out-of-vocabulary in {self}"
            )
        pearson, spearman = _correlations(gold, model)
        if dummy4unknown:
            oov_ratio = float(oov) / len(gold) * 100
        else:
            oov_ratio = float(oov) / (len(gold) + oov) * 100
        logger.info("Pearson correlation coefficient against %s: %.4f", pairs, pearson[0])
        logger.info(
            "Spearman rank-order correlation coefficient against %s: %.4f", pairs, spearman[0]
        )
        logger.info("Pairs with unknown words ratio: %.1f%%", oov_ratio)
        return pearson, spearman, oov_ratio

    def evaluate_word_analogies(
        self,
        analogies,
        restrict_vocab=300000,
        case_insensitive=True,
        dummy4unknown=False,
        similarity_function="most_similar",
    ):
        """Accuracy on an analogy test set (``a : b :: c : d`` questions), like word2vec.c's
        compute-accuracy and gensim.

        Parameters
        ----------
        analogies : str
            File of ``a b c d`` lines in sections started by ``: section name`` lines (e.g.
            ``questions-words.txt``).
        restrict_vocab : int
            Use only the first ``restrict_vocab`` keys, for the questions and the answers.
        case_insensitive : bool
            Compare upper-cased (the first case variant of a key in index order wins).
        dummy4unknown : bool
            Count questions with unknown words as wrong instead of skipping them.
        similarity_function : {"most_similar", "most_similar_cosmul"}
            3CosAdd (gensim's only method) or 3CosMul.

        Returns
        -------
        score : float
            Overall accuracy.
        sections : list of dict
            Per section ``{"section": name, "correct": [(a, b, c, d)], "incorrect": [...]}``,
            plus a final ``"Total accuracy"`` section.

        Notes
        -----
        Questions are answered in blocks with one matrix product per block; the candidate
        ranking is the same as :meth:`most_similar` with ``positive=[b, c], negative=[a]``
        (the top 5 results, the first one that is not a question word is the answer).
        """
        if similarity_function not in ("most_similar", "most_similar_cosmul"):
            raise ValueError(
                f"similarity_function must be 'most_similar' or "
                f"'most_similar_cosmul'; got {similarity_function!r}"
            )
        ok = self._ok_vocab(restrict_vocab, case_insensitive)
        logger.info(
            "Evaluating word analogies for top %s words in the model on %s",
            restrict_vocab,
            analogies,
        )
        raw_sections = []
        section = None
        quadruplets = 0
        oov = 0
        with open(analogies, "rb") as fin:
            for line_no, raw in enumerate(fin):
                line = raw.decode("utf8")
                if line.startswith(": "):
                    section = (line.lstrip(": ").strip(), [])
                    raw_sections.append(section)
                    continue
                if section is None:
                    raise ValueError(
                        f"Missing section header before line #{line_no} in {analogies}"
                    )
                try:
                    words = line.split()
                    if case_insensitive:
                        words = [w.upper() for w in words]
                    a, b, c, expected = words
                except ValueError:
                    logger.info("Skipping invalid line #%d in %s", line_no, analogies)
                    continue
                quadruplets += 1
                known = a in ok and b in ok and c in ok and expected in ok
                if not known:
                    oov += 1
                section[1].append(((a, b, c, expected), known))
        if quadruplets == 0:
            raise ValueError(f"no analogy questions found in {analogies}")

        state = self._state()
        n = state[0].shape[0]
        hi = n if not restrict_vocab else min(int(restrict_vocab), n)
        sections = []
        for name, questions in raw_sections:
            todo = [q for q, known in questions if known]
            answers = iter(
                self._answer_analogies(todo, ok, hi, state, similarity_function, case_insensitive)
            )
            result = {"section": name, "correct": [], "incorrect": []}
            for quad, known in questions:
                if not known:
                    if dummy4unknown:
                        result["incorrect"].append(quad)
                    continue
                result["correct" if next(answers) == quad[3] else "incorrect"].append(quad)
            sections.append(result)
            _log_section(result)
        total = {
            "section": "Total accuracy",
            "correct": list(itertools.chain.from_iterable(s["correct"] for s in sections)),
            "incorrect": list(itertools.chain.from_iterable(s["incorrect"] for s in sections)),
        }
        logger.info("Quadruplets with out-of-vocabulary words: %.1f%%", 100.0 * oov / quadruplets)
        score = _log_section(total)
        sections.append(total)
        return score, sections

    def _answer_analogies(self, questions, ok, hi, state, similarity_function, case_insensitive):
        """The predicted (normalised) answer of each ``(a, b, c, d)`` question."""
        if not questions:
            return []
        vectors, _, safe = state
        keys = self.index_to_key
        ia = np.array([ok[q[0]] for q in questions], dtype=np.int64)
        ib = np.array([ok[q[1]] for q in questions], dtype=np.int64)
        ic = np.array([ok[q[2]] for q in questions], dtype=np.int64)
        base = vectors[:hi]
        norms = safe[:hi]
        predictions = []
        block = max(1, _BLOCK_ELEMENTS // max(hi, 1))
        for lo in range(0, len(questions), block):
            sl = slice(lo, min(lo + block, len(questions)))
            a, b, c = ia[sl], ib[sl], ic[sl]
            if similarity_function == "most_similar":
                # Same steps as most_similar(positive=[b, c], negative=[a]) for each row.
                na = vectors[a] / safe[a][:, None]
                nb = vectors[b] / safe[b][:, None]
                nc = vectors[c] / safe[c][:, None]
                mean = np.zeros(na.shape, dtype=vectors.dtype)
                mean += np.float64(1.0) * nb
                mean += np.float64(1.0) * nc
                mean += np.float64(-1.0) * na
                mean = mean / np.float64(3.0)
                mnorm = np.linalg.norm(mean, axis=1)
                mean = (mean * (1.0 / np.where(mnorm > 0, mnorm, 1))[:, None]).astype(vectors.dtype)
                sims = (mean @ base.T) / norms
            else:
                nterm = [vectors[x] / safe[x][:, None] for x in (b, c, a)]
                pos = [(1 + (nterm[0] @ base.T) / norms) / 2, (1 + (nterm[1] @ base.T) / norms) / 2]
                neg = (1 + (nterm[2] @ base.T) / norms) / 2
                sims = (pos[0] * pos[1]) / (neg + 0.000001)
            rows = np.arange(len(a))
            for col in (a, b, c):
                inside = col < hi
                sims[rows[inside], col[inside]] = -np.inf
            k = min(5, hi)
            if k < hi:
                part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            else:
                part = np.broadcast_to(np.arange(hi), (len(a), hi)).copy()
            vals = np.take_along_axis(sims, part, axis=1)
            order = np.lexsort((part, -vals), axis=-1)
            top = np.take_along_axis(part, order, axis=1)
            vals = np.take_along_axis(vals, order, axis=1)
            for r, q in enumerate(questions[sl]):
                ignore = set(q[:3])
                predicted = None
                for i, v in zip(top[r], vals[r]):
                    if v == -np.inf:
                        break
                    key = keys[i]
                    predicted = key.upper() if case_insensitive else key
                    if predicted in ok and predicted not in ignore:
                        break
                predictions.append(predicted)
        return predictions

    def log_accuracy(self, section):
        """Log the accuracy of one analogy section."""
        _log_section(section)

    # ------------------------------------------------------------------------------------------
    # files
    # ------------------------------------------------------------------------------------------
    def save(self, fname):
        """Save to the native format (JSON metadata + raw arrays; never a pickle).

        Keys must be str or int (each keeps its type through :meth:`load`).

        Raises
        ------
        TypeError
            A key is neither str nor int (the message names it).
        ValueError
            A vector is NaN or infinite.
        OSError
            The file cannot be written; any previous file is left untouched.
        RuntimeError
            The vectors are a model's ``wv`` and that model is training them in another
            thread (see ``Word2Vec.save`` for when saving is possible).
        """
        with self._save_guard("save"):
            self._save_native(fname)

    # A model owning these vectors sets this to its guard (see EmbeddingModel.wv), which
    # refuses a save while its workers write the vectors; standalone vectors need none.
    _save_guard: Callable[[str], AbstractContextManager[Any]] = staticmethod(
        lambda what: contextlib.nullcontext()
    )

    def _save_native(self, fname):
        keys = []
        for pos, k in enumerate(self.index_to_key):
            if isinstance(k, str):
                keys.append(k)
            elif _is_int_key(k):
                keys.append(int(k))
            else:
                raise TypeError(
                    f"cannot save key {k!r} at position {pos}: it has type "
                    f"{type(k).__name__}, and only str and int keys can be saved"
                )
        vectors = self._vectors
        if vectors.shape != (len(keys), self.vector_size):
            raise ValueError(
                f"vectors have shape {vectors.shape} but there are {len(keys)} keys "
                f"of dimension {self.vector_size}"
            )
        if vectors.dtype.kind != "f":
            raise TypeError(f"vectors must be floating point; got {vectors.dtype}")
        block = 1 << 14
        for lo in range(0, len(keys), block):
            ok = np.isfinite(vectors[lo : lo + block]).all(axis=1)
            if not ok.all():
                r = lo + int(np.argmin(ok))
                raise ValueError(
                    f"the vector of {keys[r]!r} (row {r}) contains NaN or infinity; "
                    f"refusing to save non-finite vectors (training diverged? try a "
                    f"lower alpha)"
                )
        arrays = {"vectors": vectors}
        attrs, object_attrs = {}, {}
        for name, values in self.expandos.items():
            values = np.asarray(values)
            if values.dtype.kind in "fiu":
                arrays["attr:" + name] = values
                attrs[name] = values.dtype.str
            elif values.dtype.kind == "b":
                arrays["attr:" + name] = values.astype(np.uint8)
                attrs[name] = "bool"
            else:
                lst = values.tolist()
                if not all(v is None or isinstance(v, (str, int, float)) for v in lst):
                    raise TypeError(f"per-key attribute {name!r} holds values that cannot be saved")
                object_attrs[name] = lst
        meta = {
            "vector_size": self.vector_size,
            "keys": keys,
            "next_index": int(self.next_index),
            "attrs": attrs,
            "object_attrs": object_attrs,
        }
        try:
            write_container(fname, "KeyedVectors", meta, arrays)
        except UnicodeEncodeError:
            bad = [k for k in keys if isinstance(k, str) and not _encodable(k)][:5]
            raise ValueError(
                f"keys that are not valid Unicode (lone surrogates) cannot be saved: {bad}"
            ) from None

    @classmethod
    def load(cls, fname, mmap=None):
        """Load a file written by :meth:`save`.

        Parameters
        ----------
        fname : str
        mmap : {None, "r", "c", "r+"}
            Memory-map the vectors instead of reading them (``"r"``: read-only).

        Raises
        ------
        FormatError
            The file is not a native KeyedVectors file (the message says what it looks like,
            e.g. a pickle, which is never loaded) or is corrupt.
        UnsupportedVersionError
            The file was written by a newer release.
        """
        meta, arrays = read_container(fname, kind="KeyedVectors", mmap=mmap)
        if not isinstance(meta, dict):
            raise FormatError(
                f"{fname}: the metadata is a JSON {type(meta).__name__}, not an object"
            )
        keys = meta.get("keys")
        vectors = arrays.get("vectors")
        size = meta.get("vector_size")
        if not isinstance(keys, list) or vectors is None or not isinstance(size, int):
            raise FormatError(f"{fname}: not a complete KeyedVectors file")
        for pos, k in enumerate(keys):
            if not (isinstance(k, str) or (isinstance(k, int) and not isinstance(k, bool))):
                raise FormatError(f"{fname}: key {k!r} at position {pos} is neither str nor int")
        if vectors.ndim != 2 or vectors.shape != (len(keys), size) or vectors.dtype.kind != "f":
            raise FormatError(
                f"{fname}: vectors of shape {vectors.shape} ({vectors.dtype}) do "
                f"not match {len(keys)} keys of dimension {size}"
            )
        kv = cls(size, dtype=vectors.dtype)
        kv.index_to_key = keys
        kv.key_to_index = {k: i for i, k in enumerate(keys)}
        if len(kv.key_to_index) != len(keys):
            raise FormatError(f"{fname}: the file has duplicate keys")
        kv.vectors = vectors
        kv.next_index = meta.get("next_index", len(keys))
        if type(kv.next_index) is not int or not 0 <= kv.next_index <= len(keys):
            raise FormatError(f"{fname}: next_index {kv.next_index!r} is not in 0..{len(keys)}")
        for field in ("attrs", "object_attrs"):
            if not isinstance(meta.get(field) or {}, dict):
                raise FormatError(f"{fname}: {field} is not a JSON object")
        for name, dt in (meta.get("attrs") or {}).items():
            if not isinstance(dt, str):
                raise FormatError(f"{fname}: attrs {name!r} has no dtype name but {dt!r}")
            values = arrays.get("attr:" + name)
            if values is None or values.shape != (len(keys),):
                raise FormatError(f"{fname}: per-key attribute {name!r} is missing or misshapen")
            kv.expandos[name] = values.astype(bool) if dt == "bool" else values
        for name, lst in (meta.get("object_attrs") or {}).items():
            if not isinstance(lst, list) or len(lst) != len(keys):
                raise FormatError(f"{fname}: per-key attribute {name!r} is misshapen")
            arr = np.empty(len(lst), dtype=object)
            arr[:] = lst
            kv.expandos[name] = arr
        return kv

    @classmethod
    def load_word2vec_format(
        cls,
        fname,
        fvocab=None,
        binary=False,
        encoding="utf8",
        unicode_errors="strict",
        limit=None,
        datatype=np.float32,
        no_header=False,
        *,
        strict=True,
        allow_nonfinite=False,
    ):
        """Load vectors from a word2vec.c / gensim text or binary file (or GloVe with
        ``no_header=True``). See :func:`fastembed_core.formats.read_word2vec` for the
        parameters and the errors."""
        return _formats.load_word2vec_format(
            fname,
            fvocab=fvocab,
            binary=binary,
            encoding=encoding,
            unicode_errors=unicode_errors,
            limit=limit,
            datatype=datatype,
            no_header=no_header,
            strict=strict,
            allow_nonfinite=allow_nonfinite,
            cls=cls,
        )

    def save_word2vec_format(
        self,
        fname,
        fvocab=None,
        binary=False,
        total_vec=None,
        write_header=True,
        prefix="",
        append=False,
        sort_attr="count",
        *,
        allow_nonfinite=False,
    ):
        """Save in word2vec.c's text or binary format, byte for byte what gensim 4 writes.

        See :func:`fastembed_core.formats.save_word2vec_format` for the parameters and the
        errors (keys with whitespace and non-finite vectors are refused before anything is
        written).
        """
        _formats.save_word2vec_format(
            self,
            fname,
            fvocab=fvocab,
            binary=binary,
            total_vec=total_vec,
            write_header=write_header,
            prefix=prefix,
            append=append,
            sort_attr=sort_attr,
            allow_nonfinite=allow_nonfinite,
        )

    # ------------------------------------------------------------------------------------------
    # gensim interop
    # ------------------------------------------------------------------------------------------
    @classmethod
    def from_gensim(cls, gensim_kv):
        """Copy a gensim ``KeyedVectors`` (or a model with a ``.wv``) into a new object."""
        source = getattr(gensim_kv, "wv", gensim_kv)
        vectors = np.array(source.vectors, copy=True, order="C")
        kv = cls(int(source.vector_size), dtype=vectors.dtype)
        kv.index_to_key = list(source.index_to_key)
        kv.key_to_index = {k: i for i, k in enumerate(kv.index_to_key)}
        kv.vectors = vectors
        kv.next_index = len(kv.index_to_key)
        for name, values in getattr(source, "expandos", {}).items():
            kv.expandos[name] = np.array(values, copy=True)
        return kv

    def to_gensim(self):
        """A gensim ``KeyedVectors`` with copies of the keys, vectors and per-key attributes
        (needs gensim; nothing is pickled)."""
        try:
            from gensim.models import KeyedVectors as GensimKeyedVectors
        except ImportError as exc:
            raise ImportError("to_gensim() needs gensim: pip install gensim") from exc
        g = GensimKeyedVectors(self.vector_size, count=0, dtype=self._vectors.dtype)
        g.index_to_key = list(self.index_to_key)
        g.key_to_index = dict(self.key_to_index)
        g.vectors = np.array(self._vectors, copy=True, order="C")
        g.next_index = len(g.index_to_key)
        g.expandos = {name: np.array(v, copy=True) for name, v in self.expandos.items()}
        g.norms = None
        return g


def _encodable(text):
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _log_section(section):
    correct, incorrect = len(section["correct"]), len(section["incorrect"])
    if correct + incorrect == 0:
        return 0.0
    score = correct / (correct + incorrect)
    logger.info(
        "%s: %.1f%% (%i/%i)", section["section"], 100.0 * score, correct, correct + incorrect
    )
    return score


# ---------------------------------------------------------------------------------------------
# statistics (scipy when available, numpy otherwise)
# ---------------------------------------------------------------------------------------------


def _correlations(gold, model):
    try:
        from scipy import stats
    except ImportError:
        return pearson_spearman(gold, model)
    pearson = stats.pearsonr(gold, model)
    spearman = stats.spearmanr(gold, model)
    return ((float(pearson[0]), float(pearson[1])), (float(spearman[0]), float(spearman[1])))


def _rankdata(x):
    """Ranks starting at 1, ties getting the average of their ranks."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    order = np.argsort(x, kind="mergesort")
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.arange(n)
    xs = x[order]
    new_value = np.r_[True, xs[1:] != xs[:-1]]
    group = np.cumsum(new_value)[inverse]  # 1-based group id of each element
    starts = np.r_[np.flatnonzero(new_value), n]  # first sorted position of each group
    return 0.5 * (starts[group] + starts[group - 1] + 1)


def _pearson(x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = x.shape[0]
    if n < 2:
        raise ValueError("need at least two pairs for a correlation")
    xm = x - x.mean()
    ym = y - y.mean()
    denom = math.sqrt(float(np.dot(xm, xm)) * float(np.dot(ym, ym)))
    if denom == 0:
        return float("nan"), float("nan")
    r = max(-1.0, min(1.0, float(np.dot(xm, ym)) / denom))
    return r, _two_sided_p(r, n)


def _two_sided_p(r, n):
    """p-value of correlation ``r`` over ``n`` pairs under the null of no correlation.

    With ``df = n - 2`` and Student's t statistic ``t = r*sqrt(df/(1-r^2))``, the two-sided
    tail probability is the regularised incomplete beta ``I_{df/(df+t^2)}(df/2, 1/2)``, and
    ``df/(df+t^2) = 1 - r^2``.
    """
    if n <= 2:
        return 1.0
    if abs(r) >= 1.0:
        return 0.0
    return _betainc((n - 2) / 2.0, 0.5, 1.0 - r * r)


def _betainc(a, b, x):
    """Regularised incomplete beta function I_x(a, b), by its continued fraction."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    # The fraction converges fast for x < (a+1)/(a+b+2); otherwise use I_x(a,b) = 1 - I_{1-x}(b,a).
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(b, a, 1.0 - x) / b


def _beta_fraction(a, b, x):
    """Continued fraction of the incomplete beta function, evaluated by Lentz's method."""
    tiny = 1e-300
    c = 1.0
    d = 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 100000):
        # even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m))
        num = m * (b - m) * x / ((a + 2 * m - 1.0) * (a + 2 * m))
        d = 1.0 + num * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + num / c
        c = c if abs(c) > tiny else tiny
        result *= d * c
        # odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))
        num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1.0))
        d = 1.0 + num * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + num / c
        c = c if abs(c) > tiny else tiny
        step = d * c
        result *= step
        if abs(step - 1.0) < 1e-16:
            break
    return result


def pearson_spearman(x, y):
    """Pearson's and Spearman's correlation of ``x`` and ``y`` with two-sided p-values,
    computed with numpy alone: ``((r, p), (rho, p))``."""
    pearson = _pearson(x, y)
    spearman = _pearson(_rankdata(x), _rankdata(y))
    return pearson, spearman


# ---------------------------------------------------------------------------------------------
# approximate neighbours
# ---------------------------------------------------------------------------------------------


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
        """``[(key, cosine similarity)]`` of the ``num_neighbors`` approximate neighbours."""
        if num_neighbors < 1 or not self.keys:
            return []
        query = np.ascontiguousarray(vector, dtype=np.float32)
        matches = self.index.search(query, int(min(num_neighbors, len(self.keys))))
        return [
            (self.keys[int(k)], float(1.0 - d)) for k, d in zip(matches.keys, matches.distances)
        ]

    def __len__(self):
        return len(self.keys)


def load_word2vec_format(*args, **kwargs):
    """Alias of :meth:`KeyedVectors.load_word2vec_format`."""
    return KeyedVectors.load_word2vec_format(*args, **kwargs)
