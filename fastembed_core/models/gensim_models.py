"""Conversion of whole word2vec models between gensim and fastembed_core, for continued
training on either side: the bodies of :meth:`Word2Vec.from_gensim
<fastembed_core.Word2Vec.from_gensim>` and :meth:`Word2Vec.to_gensim
<fastembed_core.Word2Vec.to_gensim>`.

What crosses over (as copies; nothing is pickled): the vocabulary in its order with its
counts, the input vectors, the output layers (``syn1neg``; ``syn1`` with the Huffman tree
whose inner nodes its rows belong to), the parameters, and the training state (sentences and
words of the corpus, train count, time). The subsampling thresholds (gensim's ``sample_int``)
and the negative-sampling table follow from the counts and parameters by the same formula on
both sides, so each side rebuilds its own.

gensim builds its Huffman tree with another tie order than the kernel here, so a model from
gensim keeps gensim's tree (its codes and points) for as long as its vocabulary stays the
same: ``syn1`` goes on training the rows it was trained with. gensim is imported only by
:func:`to_gensim`.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from .. import _kernel
from . import vocab as vocab_mod
from .base import TRAINING_STATE
from .workers import available_cores

logger = logging.getLogger("fastembed_core")

__all__ = [
    "from_gensim",
    "to_gensim",
    "gensim_params",
    "gensim_matrix",
    "copy_words_from_gensim",
    "copy_words_to_gensim",
    "tree_from_paths",
    "checked_tree",
    "huffman_tree",
    "WORD2VEC_PARAMS",
]

# Parameters named alike on both sides, passed to the constructor.
WORD2VEC_PARAMS = (
    "vector_size",
    "alpha",
    "min_alpha",
    "window",
    "min_count",
    "max_vocab_size",
    "sample",
    "seed",
    "sg",
    "hs",
    "negative",
    "ns_exponent",
    "cbow_mean",
    "epochs",
    "sorted_vocab",
    "compute_loss",
    "max_final_vocab",
    "shrink_windows",
    "null_word",
    "batch_words",
    "comment",
)
# Training state named alike on both sides: what a saved model keeps, and the loss.
_STATE = (*TRAINING_STATE, "running_training_loss")


def gensim_matrix(name: str, values: Any, shape: tuple[int, int]) -> np.ndarray:
    """A float32 C-contiguous copy of gensim's array ``name``, checked for shape and finite
    values (ValueError naming it otherwise)."""
    arr = np.array(values, dtype=np.float32, order="C", copy=True)
    if arr.shape != shape:
        raise ValueError(f"the gensim model's {name} has shape {arr.shape}, expected {shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"the gensim model's {name} holds NaN or infinite values")
    return arr


def _per_key(kv: Any, name: str, n: int) -> np.ndarray:
    """gensim's per-key attribute ``name`` of the first ``n`` keys, in key order."""
    values = getattr(kv, "expandos", {}).get(name)
    if values is None or len(values) < n:
        raise ValueError(f"the gensim model's vectors lack the per-key attribute {name!r}")
    return np.asarray(values)[:n]


def tree_from_paths(
    codes: Any, points: Any, n_inner: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-word Huffman paths (gensim's ``code`` and ``point`` attributes: one array per word)
    as the kernel's flat ``(offset, code, point)`` arrays, checked by :func:`checked_tree`."""
    if len(points) != len(codes) or any(len(p) != len(c) for p, c in zip(points, codes)):
        raise ValueError("the Huffman codes and points differ in length")
    offset: np.ndarray = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum([len(c) for c in codes], out=offset[1:])
    flat_code = np.concatenate([np.asarray(c, dtype=np.int64) for c in codes] or [[]])
    flat_point = np.concatenate([np.asarray(p, dtype=np.int64) for p in points] or [[]])
    return checked_tree(offset, flat_code, flat_point, len(codes), n_inner)


def checked_tree(
    offset: Any, code: Any, point: Any, n_words: int, n_inner: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The flat tree arrays as the kernel takes them, after the checks that keep its reads of
    syn1 in bounds: one path of at least one step per word, codes 0 or 1, and points naming
    inner nodes (rows of syn1) below ``n_inner``. ValueError otherwise (a damaged or forged
    tree, from gensim or from a model file)."""
    offset, code, point = np.asarray(offset), np.asarray(code), np.asarray(point)
    if offset.shape != (n_words + 1,) or offset.dtype.kind not in "iu":
        raise ValueError(f"the path offsets have shape {offset.shape}, expected ({n_words + 1},)")
    if code.ndim != 1 or code.shape != point.shape:
        raise ValueError("the Huffman codes and points differ in length")
    if offset[0] != 0 or offset[-1] != len(code) or np.any(np.diff(offset) < 1):
        raise ValueError("a word has no Huffman path, or the path offsets do not fit the codes")
    if code.size and (code.dtype.kind not in "iu" or code.min() < 0 or code.max() > 1):
        raise ValueError("the Huffman codes are not 0/1")
    if point.size and (point.dtype.kind not in "iu" or point.min() < 0 or point.max() >= n_inner):
        raise ValueError(f"the Huffman points exceed the {n_inner} inner nodes")
    return offset.astype(np.int64), code.astype(np.uint8), point.astype(np.uint32)


def from_gensim(gensim_model: Any, cls: type) -> Any:
    """A model of class ``cls`` (:class:`~fastembed_core.Word2Vec`) holding copies of a gensim
    ``Word2Vec``'s vocabulary, weights, parameters and training state."""
    g = gensim_model
    if hasattr(g, "dv") or hasattr(getattr(g, "wv", None), "vectors_ngrams"):
        raise TypeError(
            f"from_gensim converts gensim Word2Vec models; got a {type(g).__name__}, whose "
            "vectors are not word2vec's"
        )
    if not hasattr(g, "wv") or not hasattr(g, "sg"):
        raise TypeError(f"expected a gensim Word2Vec model; got {type(g).__name__}")
    model = cls(**gensim_params(g, WORD2VEC_PARAMS))
    copy_words_from_gensim(g, model)
    return model


def gensim_params(g: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The constructor arguments ``names`` read from gensim model ``g`` (those it has), and
    its worker count capped at this machine's cores."""
    params = {name: getattr(g, name) for name in names if hasattr(g, name)}
    params["workers"] = min(int(getattr(g, "workers", 1)), available_cores())
    return params


def copy_words_from_gensim(g: Any, model: Any) -> None:
    """Copies gensim model ``g``'s vocabulary (order and counts), word vectors, output layers
    with their Huffman tree, lock factors and training state into ``model``."""
    keys = list(g.wv.index_to_key)
    n, dim = len(keys), int(g.vector_size)
    width = int(getattr(model, "layer1_size", dim))  # of the output rows
    if n:
        counts: np.ndarray = _per_key(g.wv, "count", n).astype(np.int64)
        model.wv = type(model.wv).from_arrays(
            keys, gensim_matrix("wv.vectors", g.wv.vectors, (n, dim)), counts=counts, copy=False
        )
        model._allocate_layers(n)
        if model.negative:
            model.syn1neg = gensim_matrix("syn1neg", g.syn1neg, (n, width))
        if model.hs:
            rows = model.syn1.shape[0]
            # gensim allocates a row per word; its tree uses the first n - 1
            model.syn1 = gensim_matrix("syn1", np.asarray(g.syn1)[:rows], (rows, width))
            n_inner = max(n - 1, 1)
            if n >= 2:
                model._use_huffman_tree(
                    tree_from_paths(_per_key(g.wv, "code", n), _per_key(g.wv, "point", n), n_inner)
                )
        lockf = getattr(g.wv, "vectors_lockf", None)
        if lockf is not None:  # frozen rows stay frozen (checked again before training)
            model.wv.vectors_lockf = _kernel.check_lockf(np.array(lockf, dtype=np.float32))
    for name in _STATE:
        if hasattr(g, name):
            setattr(model, name, type(getattr(model, name))(getattr(g, name)))
    raw_vocab = getattr(g, "raw_vocab", None)
    if raw_vocab:
        model._raw_vocab = dict(raw_vocab)


def to_gensim(model: Any) -> Any:
    """A gensim ``Word2Vec`` holding copies of ``model``'s vocabulary, weights, parameters
    and training state, ready for gensim's ``train()``."""
    try:
        from gensim.models import Word2Vec as GensimWord2Vec
    except ImportError as exc:
        raise ImportError("to_gensim() needs gensim: pip install gensim") from exc
    params = {name: getattr(model, name) for name in WORD2VEC_PARAMS}
    g = GensimWord2Vec(workers=model.workers, **params)
    copy_words_to_gensim(model, g)
    return g


def copy_words_to_gensim(model: Any, g: Any) -> None:
    """Copies ``model``'s vocabulary, word vectors, output layers (with the Huffman tree),
    lock factors and training state into gensim model ``g``."""
    n = len(model.wv)
    if not n:
        return
    g.wv = model.wv.to_gensim()
    counts = np.asarray(model.wv.expandos["count"], dtype=np.int64)
    g.wv.expandos = {"count": counts.copy()}
    thresholds = vocab_mod.keep_thresholds(counts, model.sample)
    g.wv.expandos["sample_int"] = (
        np.full(n, 2**32 - 1, dtype=np.uint32) if thresholds is None else thresholds
    )
    g.wv.vectors_lockf = np.array(model.wv.vectors_lockf, dtype=np.float32)
    if model.negative:
        g.syn1neg = np.array(model.syn1neg, dtype=np.float32, copy=True)
        g.make_cum_table()
    if model.hs:
        g.syn1 = np.zeros((n, getattr(model, "layer1_size", model.vector_size)), np.float32)
        rows = min(n, model.syn1.shape[0])
        g.syn1[:rows] = model.syn1[:rows]
        offset, code, point = model._huffman_tree()
        codes: np.ndarray = np.empty(n, dtype=object)
        points: np.ndarray = np.empty(n, dtype=object)
        for i in range(n):
            codes[i] = code[offset[i] : offset[i + 1]].copy()
            points[i] = point[offset[i] : offset[i + 1]].copy()
        g.wv.expandos["code"], g.wv.expandos["point"] = codes, points
    for name in _STATE:
        setattr(g, name, getattr(model, name))
    g.layer1_size = getattr(model, "layer1_size", model.vector_size)
    if model._raw_vocab:
        g.raw_vocab = dict(model._raw_vocab)


def huffman_tree(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The kernel's Huffman tree of the counts; a placeholder for fewer than 2 words."""
    if len(counts) >= 2:
        return _kernel.huffman(counts)
    return np.zeros(2, np.int64), np.zeros(0, np.uint8), np.zeros(0, np.uint32)
