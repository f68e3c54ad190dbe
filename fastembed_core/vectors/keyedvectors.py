"""Trained vectors and their keys: :class:`KeyedVectors` (lookups, similarity queries,
adding vectors, and the entry points of evaluation, files and gensim conversion).

Size: beyond ~700 lines because :class:`KeyedVectors` keeps gensim 4's class surface
(the same attribute and method names, same results for the same vectors) so code written
against gensim keeps working. The lookups and similarity queries are the class's own job and
stay here; what is not (evaluation, statistics, file formats, gensim conversion, approximate
neighbours) lives in sibling modules, and the methods for it here are short delegates:

* :mod:`~fastembed_core.vectors.evaluation` -- word-pair and analogy evaluation;
* :mod:`~fastembed_core.vectors.stats` -- correlation statistics;
* :mod:`~fastembed_core.vectors.storage` -- native and word2vec-format files of a
  ``KeyedVectors`` (the formats themselves are in :mod:`fastembed_core.io`);
* :mod:`~fastembed_core.vectors.formats` -- GloVe, fastText ``.vec``, projector TSV;
* :mod:`~fastembed_core.vectors.gensim_interop` -- ``from_gensim`` / ``to_gensim``;
* :mod:`~fastembed_core.vectors.ann` -- :class:`~fastembed_core.vectors.ann.UsearchIndexer`;
* :mod:`~fastembed_core.vectors.wmd` -- Word Mover's Distance.

Deliberate differences from gensim:

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
  :mod:`fastembed_core.vectors.formats`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import warnings
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from numbers import Integral
from typing import TYPE_CHECKING, Any, Callable, NoReturn, Union

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from ..errors import OOVError
from . import evaluation, gensim_interop, storage, wmd
from .ann import UsearchIndexer
from .linalg import BLOCK_ELEMENTS, unit
from .stats import pearson_spearman

if TYPE_CHECKING:
    from typing_extensions import TypeAlias

# UsearchIndexer and pearson_spearman are re-exported: they were importable from here.
__all__ = ["KeyedVectors", "UsearchIndexer", "load_word2vec_format", "pearson_spearman"]

logger = logging.getLogger(__name__)

_KEY_TYPES = (str, int, np.integer)
_EXTENDED_KEY_TYPES = (str, int, np.integer, np.ndarray)

# Names for the annotations (kept at run time, so typing.get_type_hints resolves them).
Key: TypeAlias = Union[str, int, np.integer[Any]]
Vector: TypeAlias = NDArray[np.floating[Any]]
# One query input of most_similar: a key, a 1-D vector, or a (key or vector, weight) pair.
QueryTerm: TypeAlias = Union[Key, Vector, tuple[Union[Key, Vector], float]]
NormState: TypeAlias = tuple[Vector, Vector, Vector]


def _ensure_list(value: Any) -> list[Any]:
    """A single key or vector -> [it]; a 2-D array -> list of rows; None -> []."""
    if value is None:
        return []
    if isinstance(value, _KEY_TYPES) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return list(value)
    return list(value)


def _is_int_key(key: object) -> bool:
    return isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_))


def _no_guard(what: str) -> AbstractContextManager[Any]:
    """The save guard of vectors no model owns: nothing to wait for."""
    return contextlib.nullcontext()


def _no_derived_vecattrs() -> dict[str, Callable[[int], Any]]:
    """The derived per-key attributes of vectors no model owns: none."""
    return {}


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
        :meth:`fill_norms` with ``force=True`` or :meth:`invalidate_norms` afterwards.
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

    def __init__(
        self,
        vector_size: int,
        count: int = 0,
        dtype: DTypeLike = np.float32,
        mapfile_path: str | None = None,
    ) -> None:
        if (
            not isinstance(vector_size, Integral)
            or isinstance(vector_size, bool)
            or vector_size < 0
        ):
            raise ValueError(f"vector_size must be a non-negative integer; got {vector_size!r}")
        if not isinstance(count, Integral) or count < 0:
            raise ValueError(f"count must be a non-negative integer; got {count!r}")
        self.vector_size: int = int(vector_size)
        self.index_to_key: list[Any] = [None] * int(count)
        self.next_index: int = 0
        self.key_to_index: dict[Any, int] = {}
        self.expandos: dict[str, NDArray[Any]] = {}
        self.mapfile_path = mapfile_path
        self._norms_lock: threading.Lock = threading.Lock()
        self._norm_cache: NormState | None = None
        self._vectors: Vector = np.zeros((int(count), self.vector_size), dtype=dtype)
        # Lock factors of the rows for training (gensim's vectors_lockf): a model multiplies
        # the updates of row r by vectors_lockf[r % len(vectors_lockf)]; 0 freezes the row.
        self.vectors_lockf: NDArray[np.float32] = np.ones(1, dtype=np.float32)

    @classmethod
    def from_arrays(
        cls,
        keys: Iterable[Hashable],
        vectors: ArrayLike,
        *,
        counts: ArrayLike | None = None,
        attrs: Mapping[str, ArrayLike] | None = None,
        copy: bool = True,
        key_to_index: dict[Hashable, int] | None = None,
    ) -> KeyedVectors:
        """Builds a :class:`KeyedVectors` from keys and a matrix, checked once.

        Every part of the package that assembles a ``KeyedVectors`` from arrays (file
        readers, training, graph re-keying) goes through here.

        Parameters
        ----------
        keys : sequence of hashable
            The key of each row (str for words; int for item ids or graph nodes).
        vectors : array_like
            ``(len(keys), dim)`` floating-point matrix.
        counts : array_like, optional
            Integer count of each key, stored as the per-key attribute ``"count"``.
        attrs : dict of str to array_like, optional
            Other per-key attributes (name -> one value per key).
        copy : bool
            Copy ``vectors`` and the attribute arrays (default). ``False`` shares them with
            the caller (a memory-mapped matrix stays mapped; training writes into it).
        key_to_index : dict, optional
            A key -> row mapping the caller built while checking ``keys`` for duplicates
            (a file reader does); used as given instead of being rebuilt.

        Returns
        -------
        KeyedVectors

        Raises
        ------
        ValueError
            ``vectors`` is not 2-D, the sizes disagree, or a key is repeated.
        TypeError
            ``vectors`` is not floating point, counts are not integers, or a key is not
            hashable.

        Examples
        --------
        >>> import numpy as np
        >>> kv = KeyedVectors.from_arrays(["a", "b"], np.eye(2, dtype=np.float32), counts=[5, 3])
        >>> int(kv.get_vecattr("b", "count"))
        3
        """
        if copy:
            arr = np.array(vectors, copy=True)
        else:  # an ndarray subclass (np.memmap) is kept as it is
            arr = vectors if isinstance(vectors, np.ndarray) else np.asarray(vectors)
        if arr.ndim != 2:
            raise ValueError(f"vectors must be a 2-D array; got shape {arr.shape}")
        if arr.dtype.kind != "f":
            raise TypeError(f"vectors must be floating point; got {arr.dtype}")
        index_to_key = keys if (not copy and type(keys) is list) else list(keys)
        n = len(index_to_key)
        if arr.shape[0] != n:
            raise ValueError(f"{n} keys but {arr.shape[0]} vectors")
        if key_to_index is None or len(key_to_index) != n:
            key_to_index = dict(zip(index_to_key, range(n)))
        if len(key_to_index) != n:
            seen: set[Hashable] = set()
            # set.add returns None: the `or` records k and stays false
            dup = next(k for k in index_to_key if k in seen or seen.add(k))  # type: ignore[func-returns-value]
            raise ValueError(f"duplicate keys (first: {dup!r})")
        columns = dict(attrs or {})
        if counts is not None:
            counts = np.asarray(counts)
            if counts.dtype.kind not in "iu":
                if counts.size:
                    raise TypeError(f"counts must be integers; got {counts.dtype}")
                counts = counts.astype(np.int64)  # an empty list comes as float64
            columns["count"] = counts
        kv = cls(int(arr.shape[1]), dtype=arr.dtype)
        for name, values in columns.items():
            if copy:
                values = np.array(values, copy=True)
            elif not isinstance(values, np.ndarray):
                values = np.asarray(values)
            if values.shape != (n,):
                raise ValueError(
                    f"per-key attribute {name!r} has shape {values.shape} for {n} keys"
                )
            kv.expandos[name] = values
        kv.index_to_key = index_to_key
        kv.key_to_index = key_to_index
        kv.vectors = arr
        kv.next_index = n
        return kv

    # ------------------------------------------------------------------------------------------
    # state
    # ------------------------------------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_norms_lock", None)
        state.pop("save_guard", None)  # the owning model's: a copy is standalone
        state.pop("derived_vecattrs", None)
        state["_norm_cache"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("vectors_lockf", np.ones(1, dtype=np.float32))
        self._norms_lock = threading.Lock()
        self._norm_cache = None

    @property
    def vectors(self) -> Vector:
        """The ``(n_keys, vector_size)`` matrix (setting it invalidates the cached norms)."""
        return self._vectors

    @vectors.setter
    def vectors(self, value: ArrayLike) -> None:
        arr = value if isinstance(value, np.ndarray) else np.asarray(value)
        if arr.ndim != 2:
            raise ValueError(f"vectors must be a 2-D array; got shape {arr.shape}")
        self._vectors = arr
        if arr.shape[1] or arr.shape[0]:
            self.vector_size = int(arr.shape[1])
        self._norm_cache = None

    @property
    def norms(self) -> Vector | None:
        """L2 norm of every vector, or ``None`` until :meth:`fill_norms` (or a query) runs."""
        cache = self._norm_cache
        return None if cache is None else cache[1]

    @norms.setter
    def norms(self, value: ArrayLike | None) -> None:
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
    def vectors_norm(self) -> NoReturn:
        raise AttributeError(
            "vectors_norm is computed on demand since gensim 4: use get_normed_vectors()"
        )

    def invalidate_norms(self) -> None:
        """Forgets the cached vector norms.

        Call it after changing ``vectors`` *in place* (training does): the next query then
        computes the norms of the new values. Assigning a new matrix to ``vectors`` does this
        by itself.
        """
        self._norm_cache = None

    _invalidate_norms = invalidate_norms  # the name of version 0.1

    def norm_snapshot(self) -> NormState:
        """The vectors and their norms, taken together.

        Returns
        -------
        vectors : numpy.ndarray
            The ``(n_keys, vector_size)`` matrix.
        norms : numpy.ndarray
            L2 norm of each row.
        safe_norms : numpy.ndarray
            ``norms`` with 1 where a norm is 0, to divide by: a zero vector then scores 0
            instead of NaN.

        Notes
        -----
        The three are consistent with each other even while another thread assigns a new
        matrix; the norms are computed once, under a lock, and cached until the vectors
        change. Code outside this class that scores many vectors (evaluation) reads them
        through this method.
        """
        return self._state()

    def _state(self) -> NormState:
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
    def _compute_norms(vectors: Vector) -> NormState:
        norms = (
            np.asarray(np.linalg.norm(vectors, axis=1))
            if vectors.size
            else np.zeros(vectors.shape[0], dtype=vectors.dtype)
        )
        safe = np.where(norms > 0, norms, 1).astype(norms.dtype)
        return (vectors, norms, safe)

    def fill_norms(self, force: bool = False) -> None:
        """Compute and cache the vector norms (``force=True``: recompute even if cached).

        Any code that modifies the vectors in place must call ``fill_norms(force=True)`` (or
        :meth:`invalidate_norms`) so later queries see the new norms.
        """
        if force:
            with self._norms_lock:
                self._norm_cache = self._compute_norms(self._vectors)
        else:
            self._state()

    def __str__(self) -> str:
        return f"{type(self).__name__}<vector_size={self.vector_size}, {len(self)} keys>"

    __repr__ = __str__

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __iter__(self) -> Iterator[Any]:
        """Iterate over the keys, in index order."""
        return iter(self.index_to_key)

    # ------------------------------------------------------------------------------------------
    # lookups
    # ------------------------------------------------------------------------------------------
    def _oov(self, key: object) -> OOVError:
        shown = int(key) if isinstance(key, np.integer) else key
        hint = ""
        if _is_int_key(key) and self.index_to_key and isinstance(self.index_to_key[0], str):
            hint = f"; the keys are strings: use vector_at({shown}) for the vector at row {shown}"
        return OOVError(f"{shown!r} not in vocabulary ({len(self.key_to_index)} keys){hint}")

    def get_index(self, key: Hashable, default: int | None = None) -> int:
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

    def has_index_for(self, key: object) -> bool:
        """Whether ``key`` has a vector."""
        try:
            return key in self.key_to_index
        except TypeError:  # unhashable
            return False

    def __contains__(self, key: object) -> bool:
        return self.has_index_for(key)

    def get_vector(self, key: Hashable, norm: bool = False) -> Vector:
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

    def word_vec(self, *args: Any, **kwargs: Any) -> Vector:
        """Deprecated alias of :meth:`get_vector`."""
        warnings.warn(
            "word_vec() is deprecated; use get_vector()", DeprecationWarning, stacklevel=2
        )
        return self.get_vector(*args, **kwargs)

    def get(self, key: object, default: Any = None) -> Any:
        """The vector of ``key``, or ``default`` if it is unknown (like ``dict.get``)."""
        idx = self.key_to_index.get(key) if self.has_index_for(key) else None
        if idx is None:
            return default
        result = self._vectors[idx]
        result.setflags(write=False)
        return result

    def vector_at(self, i: int) -> Vector:
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

    def __getitem__(self, key_or_keys: Union[Key, Iterable[Hashable]]) -> Vector:
        """The vector of a key (1-D, read-only), or a 2-D array for a list of keys."""
        if isinstance(key_or_keys, _KEY_TYPES):
            return self.get_vector(key_or_keys)
        indices = [self.get_index(k) for k in key_or_keys]
        if not indices:
            return np.zeros((0, self.vector_size), dtype=self._vectors.dtype)
        return self._vectors[indices]

    def __setitem__(self, keys: Union[Hashable, list[Hashable]], weights: ArrayLike) -> None:
        """``kv[key] = vector`` / ``kv[keys] = matrix``: add, replacing existing vectors."""
        if not isinstance(keys, list):
            keys = [keys]
            weights = np.asarray(weights).reshape(1, -1)
        self.add_vectors(keys, weights, replace=True)

    def get_normed_vectors(self) -> Vector:
        """All vectors scaled to unit length, as a new 2-D array (zero vectors stay zero)."""
        vectors, _, safe = self._state()
        return vectors / safe[:, None]

    def get_mean_vector(
        self,
        keys: Sequence[Union[Hashable, Vector]],
        weights: Union[list[float], NDArray[Any]] | None = None,
        pre_normalize: bool = True,
        post_normalize: bool = False,
        ignore_missing: bool = True,
    ) -> Vector:
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
        # numpy's stubs make np.array(list, dtype=...) Any, so mypy keeps the list type above
        if len(keys) != weights.shape[0]:  # type: ignore[union-attr]
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
            mean = unit(mean).astype(np.float32)
        return mean

    # ------------------------------------------------------------------------------------------
    # adding vectors and per-key attributes
    # ------------------------------------------------------------------------------------------
    def allocate_vecattrs(
        self, attrs: Sequence[str] | None = None, types: Sequence[DTypeLike] | None = None
    ) -> None:
        """Make sure the per-key attribute arrays exist and match ``len(index_to_key)``."""
        if attrs is None:
            attrs = list(self.expandos)
            types = [self.expandos[a].dtype for a in attrs]
        target = len(self.index_to_key)
        # callers pass types whenever they pass attrs (as in gensim)
        for attr, t in zip(attrs, types):  # type: ignore[arg-type]
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

    def set_vecattr(self, key: Hashable, attr: str, val: Any) -> None:
        """Set per-key attribute ``attr`` (e.g. ``"count"``) of ``key`` to ``val``."""
        self.allocate_vecattrs(attrs=[attr], types=[type(val)])
        self.expandos[attr][self.get_index(key)] = val

    def get_vecattr(self, key: Hashable, attr: str) -> Any:
        """Per-key attribute ``attr`` of ``key``."""
        index = self.get_index(key)
        values = self.expandos.get(attr)
        if values is None:
            derive = self.derived_vecattrs().get(attr)
            if derive is None:
                have = sorted([*self.expandos, *self.derived_vecattrs()])
                raise KeyError(f"no per-key attribute {attr!r} (have: {have})")
            return derive(index)
        return values[index]

    def add_vector(self, key: Hashable, vector: ArrayLike) -> int:
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

    def add_vectors(
        self,
        keys: Union[Key, Iterable[Hashable]],
        weights: ArrayLike,
        extras: Mapping[str, ArrayLike] | None = None,
        replace: bool = False,
    ) -> None:
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

        new_pos: list[int]
        old_pos: list[int]
        old_idx: list[int]
        pending: dict[Hashable, int]
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

    def sort_by_descending_frequency(self) -> None:
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

    def vectors_for_all(
        self, keys: Iterable[Hashable], allow_inference: bool = True, copy_vecattrs: bool = False
    ) -> KeyedVectors:
        """A new :class:`KeyedVectors` with the (deduplicated) ``keys`` that have a vector.

        With ``copy_vecattrs=True`` the keys keep their per-key attributes; otherwise, as in
        gensim, they get only a ``"count"``, made up in descending order as for a word2vec file
        read without a vocabulary file (``len(keys)`` for the first key, down to 1).
        """
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
        else:
            kv.expandos["count"] = np.arange(len(found), 0, -1, dtype=np.int64)
        return kv

    def unit_normalize_all(self) -> None:
        """Scale every vector to unit length in place (training cannot sensibly continue)."""
        vectors, norms, safe = self._state()
        vectors /= safe[:, None].astype(vectors.dtype)
        self._norm_cache = None

    def init_sims(self, replace: bool = False) -> None:
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
    def _parse_terms(
        self,
        positive: Union[QueryTerm, Iterable[QueryTerm], None],
        negative: Union[QueryTerm, Iterable[QueryTerm], None],
    ) -> tuple[list[Any], list[Any]]:
        positive = _ensure_list(positive)
        negative = _ensure_list(negative)
        items: list[Any]
        weights: list[Any]
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

    def _query_vector(
        self, items: Sequence[Any], weights: Sequence[float], state: NormState
    ) -> tuple[Vector, list[int]]:
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
    def _top(scores: NDArray[Any], k: int) -> NDArray[np.intp]:
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
        positive: Union[QueryTerm, Iterable[QueryTerm], None] = None,
        negative: Union[QueryTerm, Iterable[QueryTerm], None] = None,
        topn: int | None = 10,
        clip_start: int = 0,
        clip_end: int | None = None,
        restrict_vocab: int | None = None,
        indexer: Any | None = None,
    ) -> Union[list[tuple[Any, float]], Vector]:
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

    def similar_by_word(
        self, word: Hashable, topn: int | None = 10, restrict_vocab: int | None = None
    ) -> Union[list[tuple[Any, float]], Vector]:
        """Alias of :meth:`similar_by_key`."""
        return self.similar_by_key(word, topn, restrict_vocab)

    def similar_by_key(
        self, key: Hashable, topn: int | None = 10, restrict_vocab: int | None = None
    ) -> Union[list[tuple[Any, float]], Vector]:
        """The ``topn`` keys most similar to ``key`` (see :meth:`most_similar`)."""
        return self.most_similar(positive=[key], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_vector(
        self, vector: ArrayLike, topn: int | None = 10, restrict_vocab: int | None = None
    ) -> Union[list[tuple[Any, float]], Vector]:
        """The ``topn`` keys most similar to ``vector`` (see :meth:`most_similar`)."""
        return self.most_similar(
            positive=[np.asarray(vector)], topn=topn, restrict_vocab=restrict_vocab
        )

    def most_similar_batch(
        self,
        keys_or_vectors: Union[Iterable[Union[Hashable, Vector]], NDArray[Any]],
        topn: int = 10,
        restrict_vocab: int | None = None,
        *,
        return_keys: bool = False,
        block_size: int | None = None,
    ) -> Union[tuple[NDArray[np.int64], Vector], list[list[tuple[Any, float]]]]:
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
            own: NDArray[np.int64] = np.full(len(queries), -1, dtype=np.int64)
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
            block = int(block_size) if block_size else max(1, BLOCK_ELEMENTS // max(n, 1))
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

    def _cosmul_scores(
        self, pos_terms: Sequence[Vector], neg_terms: Sequence[Vector], hi: int, state: NormState
    ) -> Vector:
        vectors, _, safe = state
        base, norms = vectors[:hi], safe[:hi]
        pos = [((1 + np.dot(base, t) / norms) / 2) for t in pos_terms]
        neg = [((1 + np.dot(base, t) / norms) / 2) for t in neg_terms]
        return np.prod(pos, axis=0) / (np.prod(neg, axis=0) + 0.000001)

    def most_similar_cosmul(
        self,
        positive: Union[Hashable, Vector, Iterable[Union[Hashable, Vector]], None] = None,
        negative: Union[Hashable, Vector, Iterable[Union[Hashable, Vector]], None] = None,
        topn: int | None = 10,
        restrict_vocab: int | None = None,
    ) -> Union[list[tuple[Any, float]], Vector]:
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

        def term(item: Union[Hashable, Vector]) -> Vector:
            if isinstance(item, np.ndarray):
                return unit(np.asarray(item, dtype=vectors.dtype))
            i = self.get_index(item)
            skip.add(i)
            # the same scaling a vector gets, applied to get_vector(key, norm=True): a key and
            # its own unit vector then score every key identically, to the last bit
            return unit(vectors[i] / safe[i])

        pos_terms = [term(x) for x in positive]
        neg_terms = [term(x) for x in negative]
        n = vectors.shape[0]
        hi = n if not restrict_vocab else min(int(restrict_vocab), n)
        dists = self._cosmul_scores(pos_terms, neg_terms, hi, state)
        if not topn:
            return dists
        best = self._top(dists, int(topn) + len(skip))
        return [(self.index_to_key[i], float(dists[i])) for i in best if i not in skip][:topn]

    def rank_by_centrality(
        self, words: Sequence[Hashable], use_norm: bool = True
    ) -> list[tuple[float, Any]]:
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
        mean = unit(mean / total)
        dists = np.dot(vecs, mean)
        return sorted(((float(d), w) for d, w in zip(dists, used)), reverse=True)

    def doesnt_match(self, words: Sequence[Hashable]) -> Any:
        """The key of ``words`` furthest from the mean of all of them."""
        return self.rank_by_centrality(words)[-1][1]

    @staticmethod
    def cosine_similarities(vector_1: ArrayLike, vectors_all: ArrayLike) -> NDArray[Any]:
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

    def distances(
        self,
        word_or_vector: Union[Key, ArrayLike],
        other_words: Sequence[Hashable] | None = (),
    ) -> NDArray[Any]:
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

    def distance(self, w1: Hashable, w2: Hashable) -> float:
        """Cosine distance between two keys (``1 - similarity``); exactly 0.0 from a key
        with a non-zero vector to itself."""
        return 1 - self.similarity(w1, w2)

    def similarity(self, w1: Hashable, w2: Hashable) -> float:
        """Cosine similarity between two keys (0.0 if either vector is zero); exactly 1.0
        from a key with a non-zero vector to itself, which the rounding of a float32 dot
        product would otherwise miss by ~1e-7."""
        v1, v2 = unit(self.get_vector(w1)), unit(self.get_vector(w2))
        if self.get_index(w1) == self.get_index(w2) and v1.any():
            return 1.0
        return float(np.dot(v1, v2))

    def n_similarity(self, ws1: Sequence[Hashable], ws2: Sequence[Hashable]) -> float:
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
        return float(np.dot(unit(m1), unit(m2)))

    def wmdistance(
        self, document1: Sequence[Hashable], document2: Sequence[Hashable], norm: bool = True
    ) -> float:
        """Word Mover's Distance between two token lists, as gensim computes it (needs the
        optional extra ``fastembed_core[wmd]``, the POT package). See
        :func:`fastembed_core.vectors.wmd.wmdistance`.

        Raises
        ------
        ImportError
            POT is not installed (the message names the extra).
        """
        return wmd.wmdistance(self, document1, document2, norm=norm)

    def _plain_mean(self, keys: Iterable[Hashable]) -> Vector:
        vectors = self._vectors
        mean = np.zeros(self.vector_size, dtype=vectors.dtype)
        one = vectors.dtype.type(1)
        total = vectors.dtype.type(0)
        for k in keys:
            mean += one * vectors[self.get_index(k)]
            total += one
        return mean / total

    def closer_than(self, key1: Key, key2: Hashable) -> list[Any]:
        """Keys closer to ``key1`` than ``key2`` is."""
        all_distances = self.distances(key1)
        e1, e2 = self.get_index(key1), self.get_index(key2)
        closer = np.flatnonzero(all_distances < all_distances[e2])
        return [self.index_to_key[i] for i in closer if i != e1]

    def words_closer_than(self, word1: Key, word2: Hashable) -> list[Any]:
        """Deprecated alias of :meth:`closer_than`."""
        warnings.warn(
            "words_closer_than() is deprecated; use closer_than()", DeprecationWarning, stacklevel=2
        )
        return self.closer_than(word1, word2)

    def rank(self, key1: Key, key2: Hashable) -> int:
        """Rank of ``key2`` among all keys by distance from ``key1`` (1 = closest)."""
        return len(self.closer_than(key1, key2)) + 1

    def most_similar_to_given(self, key1: Hashable, keys_list: Sequence[Hashable]) -> Any:
        """The key of ``keys_list`` most similar to ``key1``."""
        return keys_list[int(np.argmax([self.similarity(key1, k) for k in keys_list]))]

    def relative_cosine_similarity(self, wa: Hashable, wb: Hashable, topn: int = 10) -> float:
        """Similarity of ``wa`` and ``wb`` divided by the summed similarities of ``wa``'s
        ``topn`` neighbours (Leeuwenberg et al. 2016)."""
        sims = self.similar_by_word(wa, topn)
        if not sims:
            raise ValueError(
                "Cannot calculate relative cosine similarity without any similar words."
            )
        return self.similarity(wa, wb) / sum(s for _, s in sims)

    # ------------------------------------------------------------------------------------------
    # evaluation (bodies in vectors/evaluation.py)
    # ------------------------------------------------------------------------------------------
    def evaluate_word_pairs(
        self,
        pairs: Union[str, os.PathLike[str]],
        delimiter: str = "\t",
        encoding: str = "utf8",
        restrict_vocab: int = 300000,
        case_insensitive: bool = True,
        dummy4unknown: bool = False,
    ) -> tuple[tuple[float, float], tuple[float, float], float]:
        """Correlation of the similarities with human judgements (e.g. WordSim-353).

        See :func:`fastembed_core.vectors.evaluation.evaluate_word_pairs` for the
        parameters and the result.
        """
        return evaluation.evaluate_word_pairs(
            self,
            pairs,
            delimiter=delimiter,
            encoding=encoding,
            restrict_vocab=restrict_vocab,
            case_insensitive=case_insensitive,
            dummy4unknown=dummy4unknown,
        )

    def evaluate_word_analogies(
        self,
        analogies: Union[str, os.PathLike[str]],
        restrict_vocab: int = 300000,
        case_insensitive: bool = True,
        dummy4unknown: bool = False,
        similarity_function: str = "most_similar",
    ) -> tuple[float, list[dict[str, Any]]]:
        """Accuracy on an analogy test set (``a : b :: c : d`` questions).

        See :func:`fastembed_core.vectors.evaluation.evaluate_word_analogies` for the
        parameters and the result.
        """
        return evaluation.evaluate_word_analogies(
            self,
            analogies,
            restrict_vocab=restrict_vocab,
            case_insensitive=case_insensitive,
            dummy4unknown=dummy4unknown,
            similarity_function=similarity_function,
        )

    @staticmethod
    def log_accuracy(section: Mapping[str, Any]) -> None:
        """Logs the accuracy of one analogy section.

        See :func:`fastembed_core.vectors.evaluation.log_accuracy`.
        """
        evaluation.log_accuracy(section)

    # ------------------------------------------------------------------------------------------
    # files (bodies in vectors/storage.py; the formats in fastembed_core.io)
    # ------------------------------------------------------------------------------------------
    def save(
        self,
        fname: Union[str, os.PathLike[str]],
        *,
        separately: Iterable[str] | None = None,
        sep_limit: int | None = None,
        pickle_protocol: int | None = None,
    ) -> None:
        """Save to the native format (JSON metadata + raw arrays; never a pickle).

        Keys must be str or int (each keeps its type through :meth:`load`).

        Parameters
        ----------
        fname : str or os.PathLike
            Target file, written atomically.
        separately, sep_limit, pickle_protocol
            Accepted for gensim's calls and ignored, as by ``Word2Vec.save``: the one file
            holds the vectors raw, so ``load(fname, mmap="r")`` maps them in any case.

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
        del separately, sep_limit, pickle_protocol  # one file, nothing pickled
        with self.save_guard("save"):
            storage.save_native(self, fname)

    # The hook a model owning these vectors sets to its guard (see EmbeddingModel.wv), which
    # refuses a save while its workers write the vectors; standalone vectors need none.
    save_guard = staticmethod(_no_guard)

    # The hook a model owning these vectors sets: per-key attributes it derives from its own
    # state rather than storing here, ``{name: function(row) -> value}`` (Word2Vec with
    # hierarchical softmax: gensim's "code" and "point", each word's Huffman path). They are
    # read through get_vecattr only, and neither saved nor copied with the vectors.
    derived_vecattrs = staticmethod(_no_derived_vecattrs)

    @classmethod
    def load(
        cls,
        fname: Union[str, os.PathLike[str]],
        mmap: str | None = None,
        *,
        allow_nonfinite: bool = False,
    ) -> KeyedVectors:
        """Load a file written by :meth:`save`.

        Parameters
        ----------
        fname : str or os.PathLike
            The file.
        mmap : {None, "r", "c", "r+"}
            Memory-map the vectors instead of reading them (``"r"``: read-only).
        allow_nonfinite : bool
            Load NaN/infinite values instead of refusing them (see
            :func:`fastembed_core.vectors.storage.load_native`).

        Returns
        -------
        KeyedVectors

        Raises
        ------
        FormatError
            The file is not a native KeyedVectors file (the message says what it looks like,
            e.g. a pickle, which is never loaded), is corrupt or holds non-finite values.
        UnsupportedVersionError
            The file was written by a newer release.
        """
        return storage.load_native(cls, fname, mmap=mmap, allow_nonfinite=allow_nonfinite)

    @classmethod
    def load_word2vec_format(
        cls,
        fname: Union[str, os.PathLike[str]],
        fvocab: Union[str, os.PathLike[str]] | None = None,
        binary: bool = False,
        encoding: str = "utf8",
        unicode_errors: str = "strict",
        limit: int | None = None,
        datatype: DTypeLike = np.float32,
        no_header: bool = False,
        *,
        strict: bool = True,
        allow_nonfinite: bool = False,
        **private: Any,
    ) -> KeyedVectors:
        """Load vectors from a word2vec.c / gensim text or binary file.

        GloVe files (no header) load with ``no_header=True``. See
        :func:`fastembed_core.io.word2vec_format.read_word2vec` for the parameters and the
        errors; ``**private`` passes the reader's test-only options (``_chunk_size``...).

        Returns
        -------
        KeyedVectors
            With the per-key ``"count"`` attribute from ``fvocab`` or, like gensim, made-up
            descending counts in file order.
        """
        return storage.load_word2vec(
            cls,
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
            **private,
        )

    def intersect_word2vec_format(
        self,
        fname: Union[str, os.PathLike[str]],
        lockf: float = 0.0,
        binary: bool = False,
        encoding: str = "utf8",
        unicode_errors: str = "strict",
    ) -> None:
        """Merge in the vectors of a word2vec-format file for the keys already here (gensim's
        method): those rows take the file's vectors and the lock factor ``lockf`` in
        :attr:`vectors_lockf` (0.0, the default, keeps them fixed in later training; 1.0
        lets them train). No key is added; the other rows are left alone. The number of
        merged vectors is logged. See :func:`fastembed_core.vectors.storage.intersect_word2vec`.
        """
        storage.intersect_word2vec(
            self, fname, lockf, binary=binary, encoding=encoding, unicode_errors=unicode_errors
        )

    def save_word2vec_format(
        self,
        fname: Union[str, os.PathLike[str]],
        fvocab: Union[str, os.PathLike[str]] | None = None,
        binary: bool = False,
        total_vec: int | None = None,
        write_header: bool = True,
        prefix: str = "",
        append: bool = False,
        sort_attr: str | None = "count",
        *,
        allow_nonfinite: bool = False,
    ) -> None:
        """Save in word2vec.c's text or binary format, byte for byte what gensim 4 writes.

        Keys are written in descending order of the ``sort_attr`` per-key attribute when it
        exists (ties keep index order), else in index order. See
        :func:`fastembed_core.io.word2vec_format.write_word2vec` for the other parameters
        and the errors (keys with whitespace and non-finite vectors are refused before
        anything is written).
        """
        storage.save_word2vec(
            self,
            fname,
            sort_attr=sort_attr,
            fvocab=fvocab,
            binary=binary,
            total_vec=total_vec,
            write_header=write_header,
            prefix=prefix,
            append=append,
            allow_nonfinite=allow_nonfinite,
        )

    # ------------------------------------------------------------------------------------------
    # gensim interop (bodies in vectors/gensim_interop.py)
    # ------------------------------------------------------------------------------------------
    @classmethod
    def from_gensim(cls, gensim_kv: Any) -> KeyedVectors:
        """Copy a gensim ``KeyedVectors`` (or a model with a ``.wv``) into a new object.

        Parameters
        ----------
        gensim_kv : gensim.models.KeyedVectors or gensim model
            The source.

        Returns
        -------
        KeyedVectors
        """
        return gensim_interop.from_gensim(gensim_kv, cls)

    def to_gensim(self) -> Any:
        """A gensim ``KeyedVectors`` with copies of the keys, vectors and per-key attributes.

        Needs gensim; nothing is pickled.

        Returns
        -------
        gensim.models.KeyedVectors
        """
        return gensim_interop.to_gensim(self)


def load_word2vec_format(*args: Any, **kwargs: Any) -> KeyedVectors:
    """Alias of :meth:`KeyedVectors.load_word2vec_format`.

    Returns
    -------
    KeyedVectors
    """
    return KeyedVectors.load_word2vec_format(*args, **kwargs)
