"""KeyedVectors to and from files: the bodies behind ``KeyedVectors.save`` / ``load`` /
``save_word2vec_format`` / ``load_word2vec_format``.

The file formats themselves live in :mod:`fastembed_core.io` and deal in plain data (keys, a
matrix, counts); this module packs a :class:`~fastembed_core.KeyedVectors` into that data and
builds one from it with :meth:`KeyedVectors.from_arrays
<fastembed_core.KeyedVectors.from_arrays>`. Each function takes the object or the class to
build, so this module does not import the class.
"""

import logging

import numpy as np

from ..errors import FormatError
from ..io.native import read_container, write_container
from ..io.word2vec_format import read_word2vec, warn_nonfinite, write_word2vec
from ..io.word2vec_writer import first_nonfinite

__all__ = [
    "save_native",
    "load_native",
    "from_container",
    "load_word2vec",
    "save_word2vec",
    "storage_order",
    "intersect_word2vec",
]

logger = logging.getLogger(__name__)


def _is_int_key(key):
    return isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_))


def _encodable(text):
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _checked_vectors(kv, n_keys):
    """``kv.vectors``, once checked to hold one row of ``kv.vector_size`` values per key (a
    misshapen matrix would otherwise be written with the wrong keys beside its rows)."""
    vectors = kv.vectors
    if vectors.shape != (n_keys, kv.vector_size):
        raise ValueError(
            f"vectors have shape {vectors.shape} but there are {n_keys} keys "
            f"of dimension {kv.vector_size}"
        )
    return vectors


def save_native(kv, fname, *, kind="KeyedVectors", extra_meta=None, extra_arrays=None):
    """Saves ``kv`` in the native container (JSON metadata + raw arrays; never a pickle).

    Parameters
    ----------
    kv : KeyedVectors
        The vectors; keys must be str or int (each keeps its type through
        :func:`load_native`).
    fname : str or os.PathLike
        Target file, written atomically.
    kind : str
        What the file holds, checked by the loader (a subclass names itself).
    extra_meta, extra_arrays : dict, optional
        A subclass's own metadata fields and arrays, stored beside the vectors.

    Raises
    ------
    TypeError
        A key is neither str nor int (the message names it).
    ValueError
        A vector is NaN or infinite.
    OSError
        The file cannot be written; any previous file is left untouched.
    """
    keys = []
    for pos, k in enumerate(kv.index_to_key):
        if isinstance(k, str):
            keys.append(k)
        elif _is_int_key(k):
            keys.append(int(k))
        else:
            raise TypeError(
                f"cannot save key {k!r} at position {pos}: it has type "
                f"{type(k).__name__}, and only str and int keys can be saved"
            )
    vectors = _checked_vectors(kv, len(keys))
    if vectors.dtype.kind != "f":
        raise TypeError(f"vectors must be floating point; got {vectors.dtype}")
    found = first_nonfinite(vectors)
    if found is not None:
        r = found[0]
        raise ValueError(
            f"the vector of {keys[r]!r} (row {r}) contains NaN or infinity; "
            f"refusing to save non-finite vectors (training diverged? try a "
            f"lower alpha)"
        )
    arrays = {"vectors": vectors}
    arrays.update(lockf_arrays(kv))
    attrs, object_attrs = {}, {}
    for name, values in kv.expandos.items():
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
        "vector_size": kv.vector_size,
        "keys": keys,
        "next_index": int(kv.next_index),
        "attrs": attrs,
        "object_attrs": object_attrs,
    }
    meta.update(extra_meta or {})
    arrays.update(extra_arrays or {})
    try:
        write_container(fname, kind, meta, arrays)
    except UnicodeEncodeError:
        bad = [k for k in keys if isinstance(k, str) and not _encodable(k)][:5]
        raise ValueError(
            f"keys that are not valid Unicode (lone surrogates) cannot be saved: {bad}"
        ) from None


def load_native(cls, fname, mmap=None, allow_nonfinite=False):
    """Loads a file written by :func:`save_native`.

    Parameters
    ----------
    cls : type
        The class to build (:class:`~fastembed_core.KeyedVectors` or a subclass).
    fname : str or os.PathLike
        The file.
    mmap : {None, "r", "c", "r+"}
        Memory-map the vectors instead of reading them (``"r"``: read-only).
    allow_nonfinite : bool
        Accept NaN and infinite values, with a ``UserWarning`` saying that similarities
        involving them are NaN. By default a vector holding one is a :class:`FormatError`
        (:func:`save_native` never writes one, so the file was made or altered elsewhere).
        Memory-mapped vectors are not scanned, as their checksums are not verified: that
        would read every byte, which mapping is meant to avoid.

    Returns
    -------
    KeyedVectors

    Raises
    ------
    FormatError
        The file is not a native KeyedVectors file (the message says what it looks like,
        e.g. a pickle, which is never loaded), is corrupt, or holds a non-finite value.
    UnsupportedVersionError
        The file was written by a newer release.
    """
    meta, arrays = read_container(fname, kind="KeyedVectors", mmap=mmap)
    return from_container(cls, fname, meta, arrays, mmap=mmap, allow_nonfinite=allow_nonfinite)


def from_container(cls, fname, meta, arrays, mmap=None, allow_nonfinite=False):
    """Builds ``cls`` from what :func:`~fastembed_core.io.native.read_container` returned for
    a file written by :func:`save_native` (the body of :func:`load_native`, for a subclass
    that reads its own fields from the same container). Raises as :func:`load_native`."""
    if not isinstance(meta, dict):
        raise FormatError(f"{fname}: the metadata is not a KeyedVectors header")
    for field in ("attrs", "object_attrs"):
        if not isinstance(meta.get(field) or {}, dict):
            raise FormatError(f"{fname}: the metadata field {field!r} is not a JSON object")
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
    if not mmap:
        if allow_nonfinite:
            warn_nonfinite(fname, keys, vectors, stacklevel=3)
        else:
            _check_finite_native(fname, keys, vectors)
    attrs = {}
    for name, dt in (meta.get("attrs") or {}).items():
        if not isinstance(dt, str):
            raise FormatError(f"{fname}: attrs {name!r} names no dtype but {dt!r}")
        values = arrays.get("attr:" + name)
        if values is None or values.shape != (len(keys),):
            raise FormatError(f"{fname}: per-key attribute {name!r} is missing or misshapen")
        attrs[name] = values.astype(bool) if dt == "bool" else values
    for name, lst in (meta.get("object_attrs") or {}).items():
        if not isinstance(lst, list) or len(lst) != len(keys):
            raise FormatError(f"{fname}: per-key attribute {name!r} is misshapen")
        arr = np.empty(len(lst), dtype=object)
        arr[:] = lst
        attrs[name] = arr
    try:
        kv = cls.from_arrays(keys, vectors, attrs=attrs, copy=False)
    except ValueError as exc:  # duplicate keys
        raise FormatError(f"{fname}: {exc}") from None
    next_index = meta.get("next_index", len(keys))
    if type(next_index) is not int or not 0 <= next_index <= len(keys):
        raise FormatError(f"{fname}: next_index {next_index!r} is not a position in 0..{len(keys)}")
    kv.next_index = next_index
    restore_lockf(fname, kv, arrays)
    return kv


def lockf_arrays(kv):
    """The arrays that save ``kv.vectors_lockf``: none when every row trains freely (the
    default), so only a user's frozen rows cost space."""
    lockf = np.asarray(kv.vectors_lockf, dtype=np.float32)
    return {"vectors_lockf": lockf} if (lockf != 1.0).any() else {}


def restore_lockf(fname, kv, arrays):
    """Sets ``kv.vectors_lockf`` from a loaded file's arrays (see :func:`lockf_arrays`),
    refusing what the kernel could not use."""
    lockf = arrays.get("vectors_lockf")
    if lockf is None:
        return
    if lockf.ndim != 1 or not lockf.size or lockf.dtype != np.float32:
        raise FormatError(f"{fname}: vectors_lockf is not a 1-D float32 array")
    if not np.isfinite(lockf).all():
        raise FormatError(f"{fname}: vectors_lockf holds NaN or infinite values")
    kv.vectors_lockf = np.array(lockf)


def _check_finite_native(fname, keys, vectors):
    found = first_nonfinite(vectors)
    if found is not None:
        r, c = found
        raise FormatError(
            f"{fname}: the vector of {keys[r]!r} (row {r}, value {c + 1}) is not "
            f"finite ({vectors[r, c]}); pass allow_nonfinite=True to load it anyway"
        )


def load_word2vec(cls, fname, **options):
    """Loads a word2vec-format (or GloVe / fastText ``.vec``) file as ``cls``.

    Parameters
    ----------
    cls : type
        The class to build (:class:`~fastembed_core.KeyedVectors` or a subclass).
    fname : str or os.PathLike
        The file.
    **options
        Passed to :func:`fastembed_core.io.word2vec_format.read_word2vec` (``binary``,
        ``fvocab``, ``limit``, ``no_header``...).

    Returns
    -------
    KeyedVectors
        With the per-key ``"count"`` attribute from ``fvocab`` or, like gensim, made-up
        descending counts in file order.
    """
    data = read_word2vec(fname, **options)
    return cls.from_arrays(
        data.keys, data.vectors, counts=data.counts, copy=False, key_to_index=data.key_to_index
    )


def intersect_word2vec(kv, fname, lockf=0.0, **options):
    """Copies the vectors of a word2vec-format file into ``kv`` for the keys both have, in
    place (keys only in the file are ignored, keys only in ``kv`` keep their vectors), and
    sets those rows' lock factors to ``lockf`` (0.0 freezes them in later training).

    Parameters
    ----------
    kv : KeyedVectors
        The vectors to merge into (e.g. a model's ``wv`` after ``build_vocab``).
    fname : str or os.PathLike
        The file.
    lockf : float
        Lock factor of the merged rows.
    **options
        Passed to :func:`fastembed_core.io.word2vec_format.read_word2vec` (``binary``,
        ``encoding``, ``unicode_errors``).

    Returns
    -------
    int
        How many vectors were merged.

    Raises
    ------
    ValueError
        The file's vectors have another dimension than ``kv``'s.
    """
    lockf = float(lockf)
    if not np.isfinite(lockf):
        raise ValueError(f"lockf must be a finite number; got {lockf}")
    data = read_word2vec(fname, **options)
    if data.vectors.shape[1] != kv.vector_size:
        raise ValueError(
            f"incompatible vector size {data.vectors.shape[1]} in file {fname} "
            f"(the vectors have {kv.vector_size})"
        )
    index = kv.key_to_index
    pairs = [(index[key], j) for j, key in enumerate(data.keys) if key in index]
    rows = np.array([r for r, _ in pairs], dtype=np.int64)
    file_rows = np.array([j for _, j in pairs], dtype=np.int64)
    kv.vectors[rows] = data.vectors[file_rows]  # in place: a model keeps training this array
    factors = np.asarray(kv.vectors_lockf, dtype=np.float32)
    if factors.shape != (len(kv),):
        # one factor per row, each the one that row had (row r used factors[r % len])
        factors = np.resize(factors, len(kv))
    factors[rows] = lockf
    kv.vectors_lockf = factors
    kv.invalidate_norms()
    logger.info("merged %d vectors into %s matrix from %s", len(rows), kv.vectors.shape, fname)
    return len(rows)


def storage_order(kv, sort_attr="count", fvocab=None):
    """The order in which gensim writes keys, and the values of the attribute it sorts by.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors.
    sort_attr : str
        Per-key attribute to sort by, descending (ties keep index order).
    fvocab : str, optional
        Whether a vocabulary file is to be written (it needs ``sort_attr`` to exist).

    Returns
    -------
    order : numpy.ndarray
        Row indices in file order (index order when ``sort_attr`` does not exist).
    values : numpy.ndarray or None
        The attribute's values (aligned with the rows), or ``None``.

    Raises
    ------
    ValueError
        ``fvocab`` is given but the attribute does not exist, or it is misshapen.
    TypeError
        The attribute is not numeric.
    """
    n = len(kv.index_to_key)
    if sort_attr in kv.expandos:
        values = np.asarray(kv.expandos[sort_attr])
        if values.shape[0] != n:
            raise ValueError(f"attribute {sort_attr!r} has {values.shape[0]} values for {n} keys")
        if values.dtype.kind not in "iuf":
            raise TypeError(f"attribute {sort_attr!r} is not numeric; cannot sort by it")
        order = np.argsort(-values.astype(np.float64), kind="stable")
        return order, values
    if fvocab is not None:
        raise ValueError(
            f"cannot write vocabulary with {sort_attr!r} because that attribute does not exist"
        )
    logger.warning("attribute %s not present in %s; storing in index order", sort_attr, kv)
    return np.arange(n), None


def save_word2vec(kv, fname, *, sort_attr="count", fvocab=None, **options):
    """Saves ``kv`` in word2vec format, most frequent first, as gensim 4 does.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors.
    fname : str or os.PathLike
        Target file.
    sort_attr : str
        Keys are written in descending order of this per-key attribute when it exists
        (ties keep index order), else in index order (see :func:`storage_order`).
    fvocab : str, optional
        Vocabulary file to write beside (``key count`` lines).
    **options
        Passed to :func:`fastembed_core.io.word2vec_format.write_word2vec`.
    """
    vectors = _checked_vectors(kv, len(kv.index_to_key))
    order, values = storage_order(kv, sort_attr, fvocab)
    write_word2vec(
        fname, kv.index_to_key, vectors, order=order, counts=values, fvocab=fvocab, **options
    )
