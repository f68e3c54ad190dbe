"""Word vectors with character n-grams: :class:`FastTextKeyedVectors` (gensim 4's class of the
same name), which gives a vector to any word, seen in training or not.

The data are fastText's. Each vocabulary word has its own row (``vectors_vocab``) and every
character n-gram of "<word>" hashes to one of ``bucket`` shared rows (``vectors_ngrams``); see
src/fe_subwords.h for which n-grams, in which order, with which hash. A vocabulary word's vector
(``vectors``, what queries search) is the mean of its own row and its n-gram rows; an unseen
word's is the mean of its n-gram rows alone. "</s>" (fastText's end-of-line token) has no
n-grams, as in fastText (gensim gives it some).

Differences from gensim, besides those of :class:`~fastembed_core.KeyedVectors`: an unseen word
with no n-gram (``bucket`` > 0 but the word too short for ``min_n``, or ``max_n`` 0) gets the
zero vector, as in gensim and fastText, but its unit vector is zero too, not NaN; ``in`` is
False for a non-str key that is not in the vocabulary (no vector can be made for it);
``min_n``/``max_n``/``bucket`` are checked (gensim's "max_n below min_n: no n-grams" is spelled
``max_n=0`` here).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, Union

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from .. import _subwords
from ..errors import FormatError, OOVError
from ..io.native import read_container
from ..io.word2vec_writer import first_nonfinite
from . import storage
from .keyedvectors import KeyedVectors, Vector
from .linalg import BLOCK_ELEMENTS, unit

__all__ = ["FastTextKeyedVectors"]

logger = logging.getLogger(__name__)

_KIND = "FastTextKeyedVectors"
# gensim's attribute names of the lock factors of the two input matrices (1: train freely).
_LOCKF_NAMES = ("vectors_vocab_lockf", "vectors_ngrams_lockf")


class FastTextKeyedVectors(KeyedVectors):
    """Vectors of a vocabulary plus hashed character n-grams, for any word.

    Parameters
    ----------
    vector_size : int
        Dimensionality of the vectors.
    min_n, max_n : int
        Lengths in characters of the n-grams (``max_n=0``: none; words then have only their
        own rows, and unseen words no vector).
    bucket : int
        Number of hashed n-gram rows (0: none).
    count : int, optional
        Pre-allocate this many (zero) vectors and empty key slots.
    dtype : numpy float type, optional
        dtype of the vectors (float32 by default).
    mapfile_path : str, optional
        Unused; accepted for gensim compatibility.

    Attributes
    ----------
    min_n, max_n, bucket : int
    vectors_vocab : numpy.ndarray
        ``(len(index_to_key), vector_size)``: each word's own row.
    vectors_ngrams : numpy.ndarray
        ``(bucket, vector_size)``: the hashed n-gram rows.
    vectors_vocab_lockf, vectors_ngrams_lockf : numpy.ndarray
        Lock factors of the two matrices for training (gensim's; 1 trains freely, 0 freezes).

    Notes
    -----
    ``vectors`` holds the words' vectors, the means of their subword rows (see
    :meth:`adjust_vectors`); with ``bucket == 0`` it is ``vectors_vocab`` itself. They are not
    updated by themselves when ``vectors_vocab`` or ``vectors_ngrams`` change: call
    :meth:`adjust_vectors` (training does).

    Examples
    --------
    >>> import numpy as np
    >>> kv = FastTextKeyedVectors(4, 3, 5, 100)
    >>> kv.add_vectors(["night"], np.ones((1, 4), dtype=np.float32))
    >>> kv.vectors_ngrams[:] = 1.0
    >>> kv.adjust_vectors()
    >>> kv.get_vector("nightly").tolist()
    [1.0, 1.0, 1.0, 1.0]
    >>> "nightly" in kv, kv.has_index_for("nightly")
    (True, False)
    """

    def __init__(
        self,
        vector_size: int,
        min_n: int = 3,
        max_n: int = 6,
        bucket: int = 0,
        count: int = 0,
        dtype: DTypeLike = np.float32,
        mapfile_path: str | None = None,
    ) -> None:
        super().__init__(vector_size, count=count, dtype=dtype, mapfile_path=mapfile_path)
        self.min_n, self.max_n, self.bucket = _subwords.check_params(min_n, max_n, bucket)
        # Without n-grams a word's vector is its own row: one array, as in gensim.
        self.vectors_vocab: Vector = (
            self._vectors if self.bucket == 0 else np.zeros_like(self._vectors)
        )
        self.vectors_ngrams: Vector = np.zeros((self.bucket, self.vector_size), dtype=dtype)
        self.vectors_vocab_lockf: NDArray[np.float32] = np.ones(1, dtype=np.float32)
        self.vectors_ngrams_lockf: NDArray[np.float32] = np.ones(1, dtype=np.float32)
        self.compatible_hash = True  # gensim's flag: the hash is fastText's
        self._table: tuple[Any, NDArray[np.int64], NDArray[np.uint32]] | None = None

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
    ) -> FastTextKeyedVectors:
        """Word vectors without n-grams (``bucket == 0``): each vector is its word's own row.
        See :meth:`KeyedVectors.from_arrays <fastembed_core.KeyedVectors.from_arrays>`."""
        kv = super().from_arrays(
            keys, vectors, counts=counts, attrs=attrs, copy=copy, key_to_index=key_to_index
        )
        assert isinstance(kv, FastTextKeyedVectors)
        kv.bucket = 0
        kv.vectors_vocab = kv.vectors
        kv.vectors_ngrams = np.zeros((0, kv.vector_size), dtype=kv.vectors.dtype)
        return kv

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._table = None

    def __str__(self) -> str:
        return (
            f"{type(self).__name__}<vector_size={self.vector_size}, {len(self)} keys, "
            f"min_n={self.min_n}, max_n={self.max_n}, bucket={self.bucket}>"
        )

    __repr__ = __str__

    # ------------------------------------------------------------------------------------------
    # subwords
    # ------------------------------------------------------------------------------------------
    def subword_table(self) -> tuple[NDArray[np.int64], NDArray[np.uint32]]:
        """The subword rows of every vocabulary word, as CSR ``(offsets, rows)``.

        Word ``i``'s rows are ``rows[offsets[i]:offsets[i + 1]]``: ``i`` itself (its row of
        ``vectors_vocab``), then ``len(self) + b`` for each n-gram's bucket ``b`` (row ``b`` of
        ``vectors_ngrams``), in fastText's order. Cached until the keys or the n-gram settings
        change (:meth:`recalc_char_ngram_buckets` forces a rebuild).

        Raises
        ------
        TypeError
            A key is not a str.
        ValueError
            ``len(self) + bucket`` reaches 2**32, or a key holds a lone surrogate.
        """
        keys = self.index_to_key
        stamp = (keys, len(keys), self.min_n, self.max_n, self.bucket)
        table = self._table
        if table is None or table[0][0] is not keys or table[0][1:] != stamp[1:]:
            offsets, rows = _subwords.subword_table(keys, self.min_n, self.max_n, self.bucket)
            for arr in (offsets, rows):
                arr.flags.writeable = False
            table = (stamp, offsets, rows)
            self._table = table
        return table[1], table[2]

    def recalc_char_ngram_buckets(self) -> None:
        """Rebuilds the subword table of the vocabulary (gensim's name)."""
        self._table = None
        self.subword_table()

    @property
    def buckets_word(self) -> list[NDArray[np.uint32]]:
        """gensim's per-word lists of n-gram buckets (rows of ``vectors_ngrams``)."""
        offsets, rows = self.subword_table()
        n = np.uint32(len(self))
        return [rows[offsets[i] + 1 : offsets[i + 1]] - n for i in range(len(self))]

    def _ngram_rows(self, word: str) -> NDArray[np.uint32]:
        return _subwords.ngram_buckets(word, self.min_n, self.max_n, self.bucket)

    def adjust_vectors(self) -> None:
        """Sets ``vectors`` from the input matrices: each word's vector is the mean of its own
        row and its n-gram rows (gensim's ``adjust_vectors``, fastText's ``getWordVector``).
        With ``bucket == 0``, ``vectors`` becomes ``vectors_vocab`` itself."""
        self._check_input_shapes()
        if self.bucket == 0:
            self.vectors = self.vectors_vocab
            return
        offsets, rows = self.subword_table()
        vocab, ngrams = self.vectors_vocab, self.vectors_ngrams
        if all(a.dtype == np.float32 and a.flags.c_contiguous for a in (vocab, ngrams)):
            self.vectors = _subwords.subword_means(vocab, ngrams, offsets, rows)
            return
        self.vectors = self._means_in_blocks(offsets, rows)

    def _means_in_blocks(
        self, offsets: NDArray[np.int64], rows: NDArray[np.uint32]
    ) -> NDArray[np.floating[Any]]:
        """adjust_vectors' means with NumPy, for other dtypes and strided matrices."""
        n_words = len(self.index_to_key)
        vocab, ngrams = self.vectors_vocab, self.vectors_ngrams
        out = np.empty((n_words, self.vector_size), dtype=vocab.dtype)
        counts = np.diff(offsets).astype(vocab.dtype)
        # Gathered rows are summed a block of words at a time, so the gathered copy stays near
        # BLOCK_ELEMENTS values however large the vocabulary.
        budget = max(BLOCK_ELEMENTS // max(self.vector_size, 1), 1)
        start = 0
        while start < n_words:
            end = int(np.searchsorted(offsets, offsets[start] + budget, side="right")) - 1
            end = min(max(end, start + 1), n_words)
            lo, hi = int(offsets[start]), int(offsets[end])
            block = rows[lo:hi]
            gathered = np.empty((hi - lo, self.vector_size), dtype=vocab.dtype)
            own = block < n_words
            gathered[own] = vocab[block[own]]
            gathered[~own] = ngrams[block[~own] - np.uint32(n_words)]
            # Every word has at least its own row, so no segment of reduceat is empty.
            sums = np.add.reduceat(gathered, offsets[start:end] - lo, axis=0)
            out[start:end] = sums / counts[start:end, None]
            start = end
        return out

    def _check_input_shapes(self) -> None:
        n_words, dim = len(self.index_to_key), self.vector_size
        if self.vectors_vocab.shape != (n_words, dim):
            raise ValueError(
                f"vectors_vocab has shape {self.vectors_vocab.shape}; expected ({n_words}, {dim})"
            )
        if self.vectors_ngrams.shape != (self.bucket, dim):
            raise ValueError(
                f"vectors_ngrams has shape {self.vectors_ngrams.shape}; expected "
                f"({self.bucket}, {dim})"
            )

    def _attach_input(self, w_in: NDArray[np.floating[Any]], n_words: int) -> None:
        """Makes ``vectors_vocab`` and ``vectors_ngrams`` views of one input matrix ``w_in``
        (rows ``:n_words`` and ``n_words:``), the array training writes, and sets ``vectors``
        from it."""
        if not isinstance(w_in, np.ndarray) or w_in.ndim != 2 or w_in.dtype.kind != "f":
            raise TypeError("the input matrix must be a 2-D floating-point numpy array")
        if n_words != len(self.index_to_key):
            raise ValueError(f"{n_words} input words but {len(self.index_to_key)} keys")
        expected = (n_words + self.bucket, self.vector_size)
        if w_in.shape != expected:
            raise ValueError(f"the input matrix has shape {w_in.shape}; expected {expected}")
        self.vectors_vocab = w_in[:n_words]
        self.vectors_ngrams = w_in[n_words:]
        self.adjust_vectors()

    def init_post_load(self, fb_vectors: NDArray[np.floating[Any]]) -> None:
        """gensim's name for taking a Facebook model's input matrix (words' rows, then the
        n-gram rows): the two matrices become views of it (gensim copies) and ``vectors`` is
        set from them."""
        self._attach_input(fb_vectors, len(self.index_to_key))

    # ------------------------------------------------------------------------------------------
    # lookups
    # ------------------------------------------------------------------------------------------
    def __contains__(self, key: object) -> bool:
        """Whether a vector can be made for ``key``: a vocabulary word, or with ``bucket``
        > 0 any str (gensim's rule). :meth:`has_index_for` tells vocabulary words apart."""
        if self.has_index_for(key):
            return True
        return self.bucket > 0 and isinstance(key, str)

    def get_vector(self, key: Hashable, norm: bool = False) -> Vector:
        """The vector of any word: a vocabulary word's (read-only view) or, for an unseen
        word, the mean of its n-gram rows (the zero vector if it has none, as in gensim and
        fastText); ``norm=True`` scales it to unit length.

        Raises
        ------
        OOVError
            ``key`` is not in the vocabulary and no vector can be made for it
            (``bucket == 0``, or it is not a str).
        """
        if self.has_index_for(key):
            return super().get_vector(key, norm=norm)
        if not (self.bucket > 0 and isinstance(key, str)):
            raise OOVError(
                f"{key!r} not in vocabulary ({len(self.key_to_index)} keys) and "
                + ("there are no n-gram buckets" if isinstance(key, str) else "not a str")
            )
        rows = self._ngram_rows(key)
        if not len(rows):
            logger.warning("could not extract any ngrams from %r, returning origin vector", key)
            return np.zeros(self.vector_size, dtype=self.vectors_ngrams.dtype)
        vec = self.vectors_ngrams[rows].sum(axis=0) / self.vectors_ngrams.dtype.type(len(rows))
        return unit(vec) if norm else vec

    def __getitem__(self, key_or_keys: Union[Hashable, Iterable[Hashable]]) -> Vector:
        """The vector of a word (1-D), or a 2-D array for a list of words; unseen words too."""
        if isinstance(key_or_keys, (str, int, np.integer)):
            return self.get_vector(key_or_keys)
        vecs = [self.get_vector(k) for k in key_or_keys]  # type: ignore[union-attr]
        if not vecs:
            return np.zeros((0, self.vector_size), dtype=self._vectors.dtype)
        return np.vstack(vecs)

    def _as_vector(self, item: Any, norm: bool) -> Any:
        """An unseen word -> its vector (unit length with ``norm``); anything else as it is,
        so that the queries of KeyedVectors, which take arrays as given, accept unseen words."""
        if isinstance(item, str) and not self.has_index_for(item):
            return self.get_vector(item, norm=norm)
        return item

    def _query_vector(self, items: Sequence[Any], weights: Sequence[float], state: Any) -> Any:
        # most_similar: an unseen word counts as its unit vector, and is not left out of the
        # results (it has no row), as in gensim.
        return super()._query_vector([self._as_vector(i, True) for i in items], weights, state)

    def most_similar_cosmul(
        self,
        positive: Any = None,
        negative: Any = None,
        topn: int | None = 10,
        restrict_vocab: int | None = None,
    ) -> Union[list[tuple[Any, float]], Vector]:
        """See :meth:`KeyedVectors.most_similar_cosmul
        <fastembed_core.KeyedVectors.most_similar_cosmul>`; unseen words are accepted."""
        return super().most_similar_cosmul(
            self._terms_as_vectors(positive), self._terms_as_vectors(negative), topn, restrict_vocab
        )

    def _terms_as_vectors(self, terms: Any) -> Any:
        if terms is None or isinstance(terms, np.ndarray):
            return terms
        if isinstance(terms, str):
            terms = [terms]
        return [self._as_vector(t, True) for t in terms]

    def get_mean_vector(
        self,
        keys: Sequence[Union[Hashable, Vector]],
        weights: Union[list[float], NDArray[Any]] | None = None,
        pre_normalize: bool = True,
        post_normalize: bool = False,
        ignore_missing: bool = True,
    ) -> Vector:
        """See :meth:`KeyedVectors.get_mean_vector
        <fastembed_core.KeyedVectors.get_mean_vector>`; unseen words count with their vectors."""
        if isinstance(keys, str):
            keys = [keys]
        resolved = [
            self._as_vector(k, pre_normalize) if k in self else k
            for k in keys  # an unhashable k is an array: kept
        ]
        return super().get_mean_vector(
            resolved, weights, pre_normalize, post_normalize, ignore_missing
        )

    def get_sentence_vector(self, sentence: Union[str, Iterable[str]]) -> Vector:
        """fastText's sentence vector: the mean of the unit-length vectors of the words
        (a str is split on whitespace); words whose vector is zero, or that have none, are
        left out. The zero vector when no word is left."""
        words = sentence.split() if isinstance(sentence, str) else sentence
        dtype = self._vectors.dtype
        total = np.zeros(self.vector_size, dtype=dtype)
        used = 0
        for word in words:
            if word not in self:
                continue
            vec = self.get_vector(word)
            norm = np.linalg.norm(vec)
            if norm > 0:
                total += vec * dtype.type(1.0 / norm)
                used += 1
        return total / dtype.type(used) if used else total

    def similarity(self, w1: Hashable, w2: Hashable) -> float:
        """Cosine similarity of two words, seen or not (0.0 if either vector is zero; exactly
        1.0 from a word with a non-zero vector to itself)."""
        v1, v2 = unit(self.get_vector(w1)), unit(self.get_vector(w2))
        if isinstance(w1, str) and isinstance(w2, str):
            same = w1 == w2
        else:
            same = self.get_index(w1) == self.get_index(w2)
        if same and v1.any():
            return 1.0
        return float(np.dot(v1, v2))

    def _plain_mean(self, keys: Iterable[Hashable]) -> Vector:
        # n_similarity: the means of the words' vectors, unseen words included (as gensim).
        vecs = [self.get_vector(k) for k in keys]
        return np.sum(vecs, axis=0) / self._vectors.dtype.type(len(vecs))

    def vectors_for_all(
        self, keys: Iterable[Hashable], allow_inference: bool = True, copy_vecattrs: bool = False
    ) -> KeyedVectors:
        """A plain :class:`~fastembed_core.KeyedVectors` of the (deduplicated) ``keys``, unseen
        words included when ``allow_inference`` (as gensim). With ``copy_vecattrs`` the
        vocabulary words keep their per-key attributes (unseen words get zeros)."""
        found = [
            k
            for k in dict.fromkeys(keys)
            if (k in self if allow_inference else self.has_index_for(k))
        ]
        dtype = self._vectors.dtype
        vecs = (
            np.vstack([self.get_vector(k) for k in found])
            if found
            else np.zeros((0, self.vector_size), dtype=dtype)
        )
        kv = KeyedVectors(self.vector_size, dtype=dtype)
        kv.add_vectors(found, vecs)
        if copy_vecattrs:
            pairs = [
                (j, self.key_to_index[k]) for j, k in enumerate(found) if self.has_index_for(k)
            ]
            mine = np.array([i for _, i in pairs], dtype=np.int64)
            theirs = np.array([j for j, _ in pairs], dtype=np.int64)
            for attr, values in self.expandos.items():
                column = np.zeros(len(found), dtype=values.dtype)
                column[theirs] = values[mine]
                kv.expandos[attr] = column
        else:
            kv.expandos["count"] = np.arange(len(found), 0, -1, dtype=np.int64)
        return kv

    # ------------------------------------------------------------------------------------------
    # changing the vocabulary
    # ------------------------------------------------------------------------------------------
    def add_vector(self, key: Hashable, vector: ArrayLike) -> int:
        """Adds (or replaces) a word's vector; it is also the word's own row."""
        index = super().add_vector(key, vector)
        self._own_rows_follow([index])
        return index

    def add_vectors(
        self,
        keys: Union[Hashable, Iterable[Hashable]],
        weights: ArrayLike,
        extras: Mapping[str, ArrayLike] | None = None,
        replace: bool = False,
    ) -> None:
        """Appends words and their vectors (also their own rows; see :meth:`add_vector`)."""
        keys = [keys] if isinstance(keys, (str, int, np.integer)) else list(keys)  # type: ignore[arg-type]
        super().add_vectors(keys, weights, extras=extras, replace=replace)
        changed = keys if replace else []  # without replace, only new words got vectors
        grown = range(len(self.vectors_vocab), len(self.index_to_key))
        self._own_rows_follow(
            sorted({*grown, *(self.key_to_index[k] for k in changed if self.has_index_for(k))})
        )

    def _own_rows_follow(self, indices: Sequence[int]) -> None:
        """Copies the given words' vectors into their own rows, growing ``vectors_vocab`` to
        the vocabulary first (with ``bucket == 0`` the two are one array)."""
        if self.bucket == 0:
            self.vectors_vocab = self._vectors
            return
        n_words = len(self.index_to_key)
        if len(self.vectors_vocab) < n_words:
            extra = np.zeros(
                (n_words - len(self.vectors_vocab), self.vector_size), self.vectors_vocab.dtype
            )
            self.vectors_vocab = np.concatenate([self.vectors_vocab, extra])
        if len(indices):
            rows = np.asarray(indices, dtype=np.int64)
            self.vectors_vocab[rows] = self._vectors[rows]

    def sort_by_descending_frequency(self) -> None:
        """Reorders the words (their vectors, own rows and attributes) by descending count."""
        if not len(self):
            return
        counts = np.asarray(self.expandos["count"], dtype=np.int64)
        order = np.argsort(-counts, kind="stable")  # the order KeyedVectors uses
        vocab = self.vectors_vocab
        super().sort_by_descending_frequency()
        self.vectors_vocab = self._vectors if self.bucket == 0 else vocab[order]

    # ------------------------------------------------------------------------------------------
    # gensim and files
    # ------------------------------------------------------------------------------------------
    @classmethod
    def from_gensim(cls, gensim_kv: Any) -> FastTextKeyedVectors:
        """Copies a gensim ``FastTextKeyedVectors`` (or a model's ``.wv``): keys, vectors,
        per-key attributes, ``min_n``/``max_n``/``bucket`` and both input matrices. A plain
        gensim ``KeyedVectors`` gives vectors without n-grams (``bucket == 0``)."""
        kv = super().from_gensim(gensim_kv)
        assert isinstance(kv, FastTextKeyedVectors)
        source = getattr(gensim_kv, "wv", gensim_kv)
        ngrams = getattr(source, "vectors_ngrams", None)
        if ngrams is None or not int(getattr(source, "bucket", 0)):
            return kv
        min_n, max_n = int(source.min_n), int(source.max_n)
        if max_n < min_n:  # gensim's way of saying "no n-grams"
            max_n = 0
        kv.min_n, kv.max_n, kv.bucket = _subwords.check_params(min_n, max_n, int(source.bucket))
        kv.vectors_vocab = np.array(source.vectors_vocab, dtype=kv.vectors.dtype, order="C")
        kv.vectors_ngrams = np.array(ngrams, dtype=kv.vectors.dtype, order="C")
        kv._check_input_shapes()
        return kv

    def to_gensim(self) -> Any:
        """A gensim ``FastTextKeyedVectors`` with copies of the keys, vectors, per-key
        attributes, n-gram settings and both input matrices (needs gensim; nothing pickled)."""
        try:
            from gensim.models.fasttext import FastTextKeyedVectors as GensimFastTextKV
        except ImportError as exc:
            raise ImportError("to_gensim() needs gensim: pip install gensim") from exc
        plain = super().to_gensim()
        g = GensimFastTextKV(self.vector_size, self.min_n, self.max_n, self.bucket)
        for name in ("index_to_key", "key_to_index", "vectors", "next_index", "expandos"):
            setattr(g, name, getattr(plain, name))
        g.vectors_vocab = np.array(self.vectors_vocab, copy=True, order="C")
        g.vectors_ngrams = np.array(self.vectors_ngrams, copy=True, order="C")
        g.recalc_char_ngram_buckets()
        g.norms = None
        return g

    def save(
        self,
        fname: Union[str, os.PathLike[str]],
        *,
        separately: Iterable[str] | None = None,
        sep_limit: int | None = None,
        pickle_protocol: int | None = None,
    ) -> None:
        """Saves to the native format (never a pickle): the words, their vectors and own
        rows, the n-gram rows, ``min_n``/``max_n``/``bucket`` and the lock factors.
        :meth:`load` with ``mmap="r"`` maps the n-gram rows instead of reading them.

        Raises
        ------
        ValueError
            A row is NaN or infinite, or the matrices do not fit the vocabulary.
        TypeError, OSError, RuntimeError
            As :meth:`KeyedVectors.save <fastembed_core.KeyedVectors.save>`.
        """
        del separately, sep_limit, pickle_protocol
        self._check_input_shapes()
        arrays = {"vectors_ngrams": self.vectors_ngrams}
        if self.vectors_vocab is not self._vectors:
            arrays["vectors_vocab"] = self.vectors_vocab
        for name, arr in arrays.items():
            found = first_nonfinite(arr)
            if found is not None:
                raise ValueError(f"{name} row {found[0]} contains NaN or infinity; not saved")
        for name in _LOCKF_NAMES:
            lockf = np.asarray(getattr(self, name), dtype=np.float32)
            if (lockf != 1.0).any():
                arrays[name] = lockf
        meta = {"min_n": self.min_n, "max_n": self.max_n, "bucket": self.bucket}
        with self.save_guard("save"):
            storage.save_native(self, fname, kind=_KIND, extra_meta=meta, extra_arrays=arrays)

    @classmethod
    def load(
        cls,
        fname: Union[str, os.PathLike[str]],
        mmap: str | None = None,
        *,
        allow_nonfinite: bool = False,
    ) -> FastTextKeyedVectors:
        """Loads a file written by :meth:`save` (``mmap="r"``: map the matrices read-only).

        Raises
        ------
        FormatError
            Not a FastTextKeyedVectors file, corrupt, inconsistent, or non-finite values.
        UnsupportedVersionError
            The file was written by a newer release.
        """
        meta, arrays = read_container(fname, kind=_KIND, mmap=mmap)
        kv = storage.from_container(
            cls, fname, meta, arrays, mmap=mmap, allow_nonfinite=allow_nonfinite
        )
        assert isinstance(kv, FastTextKeyedVectors)
        kv._restore_subwords(fname, meta, arrays, check_finite=not (mmap or allow_nonfinite))
        return kv

    def _restore_subwords(
        self,
        fname: Union[str, os.PathLike[str]],
        meta: Mapping[str, Any],
        arrays: Mapping[str, NDArray[Any]],
        check_finite: bool,
    ) -> None:
        fields = [meta.get(k) for k in ("min_n", "max_n", "bucket")]
        params = [p for p in fields if isinstance(p, int) and not isinstance(p, bool)]
        if len(params) != 3:
            raise FormatError(f"{fname}: min_n, max_n and bucket are not all integers")
        try:
            self.min_n, self.max_n, self.bucket = _subwords.check_params(*params)
        except ValueError as exc:
            raise FormatError(f"{fname}: {exc}") from None
        n_words, dim, dtype = len(self), self.vector_size, self._vectors.dtype
        ngrams = arrays.get("vectors_ngrams")
        vocab = arrays.get("vectors_vocab", self._vectors if self.bucket == 0 else None)
        for name, arr, shape in (
            ("vectors_ngrams", ngrams, (self.bucket, dim)),
            ("vectors_vocab", vocab, (n_words, dim)),
        ):
            if arr is None or arr.shape != shape or arr.dtype != dtype:
                found = "missing" if arr is None else f"{arr.shape} {arr.dtype}"
                raise FormatError(f"{fname}: {name} is {found}; expected {shape} {dtype}")
            bad = first_nonfinite(arr) if check_finite else None
            if bad is not None:
                raise FormatError(f"{fname}: {name} row {bad[0]} is not finite")
        assert ngrams is not None and vocab is not None
        self.vectors_ngrams, self.vectors_vocab = ngrams, vocab
        for name in _LOCKF_NAMES:
            lockf = arrays.get(name)
            if lockf is None:
                continue
            if lockf.ndim != 1 or not lockf.size or lockf.dtype != np.float32:
                raise FormatError(f"{fname}: {name} is not a 1-D float32 array")
            if not np.isfinite(lockf).all():
                raise FormatError(f"{fname}: {name} holds NaN or infinite values")
            setattr(self, name, np.array(lockf))
        self._table = None
