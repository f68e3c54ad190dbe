"""What a trained word2vec model says about text it is shown, without training on it:
the probability of each centre word given its context (:func:`predict_output_word`) and the
log-likelihood of whole sentences under hierarchical softmax (:func:`score_sentences`).

Both follow gensim 4's definitions (``Word2Vec.predict_output_word`` and ``Word2Vec.score``),
computed with NumPy over the trained weights. They are :class:`Word2Vec` methods; this module
holds their arithmetic.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Sequence
from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .vocab import check_sentence

logger = logging.getLogger("fastembed_core")

__all__ = ["predict_output_word", "score_sentences"]

# Terms (one dot product each) evaluated per NumPy call: bounds the gathered rows to about
# 16 MB whatever the sentence lengths.
_TERM_FLOATS = 1 << 22
# gensim skips every term whose dot product reaches +-6 (the range of its tables).
_MAX_EXP = 6.0


def _context_rows(wv: Any, context_words: Iterable[Any]) -> list[int]:
    """Rows of the context words that are known. As gensim documents for this method, an int
    that is not a key of the model is read as a row position."""
    rows = []
    for word in context_words:
        index = wv.key_to_index.get(word) if isinstance(word, Hashable) else None
        if index is None and isinstance(word, Integral) and not isinstance(word, bool):
            if 0 <= int(word) < len(wv):
                index = int(word)
        if index is not None:
            rows.append(index)
    return rows


def predict_output_word(
    model: Any, context_words_list: Sequence[Any], topn: int | None = 10
) -> list[tuple[Any, float]] | None:
    """The ``topn`` most probable centre words given the context words, with probabilities.

    A CBOW-style pass (also for skip-gram models): the context rows are summed (averaged with
    ``cbow_mean=1``) and scored against every output row of negative sampling; a softmax over
    the scores gives the probabilities. Unknown context words are ignored; if all are
    unknown, a warning is logged and None returned, as in gensim.
    """
    if not model.negative:
        raise RuntimeError(
            "predict_output_word needs the output weights of negative sampling; this model "
            "was trained with negative=0 (train one with negative > 0)"
        )
    wv = model.wv
    syn1neg = getattr(model, "syn1neg", None)
    if syn1neg is None or syn1neg.shape != wv.vectors.shape:
        raise RuntimeError(
            "predict_output_word needs the model's output weights (syn1neg), which do not fit "
            "its vectors: vectors assigned to model.wv (e.g. loaded from a word2vec file) "
            "carry none"
        )
    rows = _context_rows(wv, context_words_list)
    if not rows:
        logger.warning("All the input context words are out-of-vocabulary for the current model.")
        return None
    hidden = wv.vectors[rows].astype(np.float64).sum(axis=0)
    if model.cbow_mean:
        hidden /= len(rows)
    scores = syn1neg @ hidden
    scores -= scores.max()  # the same softmax, without overflowing exp
    prob = np.exp(scores)
    prob /= prob.sum()
    order = np.argsort(-prob, kind="stable")
    if topn is not None:
        order = order[: max(int(topn), 0)]
    keys = wv.index_to_key
    return [(keys[i], float(prob[i])) for i in order.tolist()]


def _log_sigmoid_terms(
    inputs: NDArray[Any], syn1: NDArray[np.float32], nodes: NDArray[np.int64], signs: NDArray[Any]
) -> NDArray[np.float64]:
    """log sigmoid(sign * inputs[t] . syn1[nodes[t]]) for every term t; 0 where the dot product
    reaches +-6, as gensim's score skips those terms."""
    out: NDArray[np.float64] = np.empty(len(nodes), dtype=np.float64)
    block = max(1, _TERM_FLOATS // max(syn1.shape[1], 1))
    for lo in range(0, len(nodes), block):
        hi = min(lo + block, len(nodes))
        f = np.einsum("ij,ij->i", inputs[lo:hi], syn1[nodes[lo:hi]], dtype=np.float64)
        f *= signs[lo:hi]
        out[lo:hi] = np.where(np.abs(f) < _MAX_EXP, -np.logaddexp(0.0, -f), 0.0)
    return out


def _expand_paths(
    centre_words: NDArray[np.int64], tables: tuple[NDArray[Any], NDArray[Any], NDArray[Any]]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Huffman paths of the centres, flattened: (which centre, inner node, sign) per term.
    The sign is +1 for code bit 0, -1 for bit 1 (word2vec's convention)."""
    offset, code, point = tables
    starts = offset[centre_words]
    lengths = offset[centre_words + 1] - starts
    owner: NDArray[np.int64] = np.repeat(np.arange(len(centre_words)), lengths)
    first = np.cumsum(lengths) - lengths
    at = starts[owner] + (np.arange(len(owner)) - first[owner])
    signs = 1.0 - 2.0 * code[at].astype(np.float64)
    return owner, point[at].astype(np.int64), signs


def _score_chunk(
    model: Any,
    sentences: list[NDArray[np.int64]],
    tables: tuple[NDArray[Any], NDArray[Any], NDArray[Any]],
) -> NDArray[np.float64]:
    """Scores of a chunk of encoded sentences, all at once."""
    lengths = np.array([len(s) for s in sentences], dtype=np.int64)
    ids = np.concatenate(sentences) if len(sentences) else np.zeros(0, np.int64)
    if ids.size == 0:
        return np.zeros(len(sentences))
    sentence_of: NDArray[np.int64] = np.repeat(np.arange(len(sentences)), lengths)
    start: NDArray[np.int64] = np.repeat(np.cumsum(lengths) - lengths, lengths)
    end = start + lengths[sentence_of]
    pos = np.arange(ids.size)
    window, syn0, syn1 = model.window, model.wv.vectors, model.syn1
    if model.sg:
        # every (centre, context) pair within the fixed window, context rows predicting the
        # centre's path
        centre_parts, context_parts = [], []
        for d in range(-window, window + 1):
            if d == 0:
                continue
            ok = (pos + d >= start) & (pos + d < end)
            centre_parts.append(pos[ok])
            context_parts.append(pos[ok] + d)
        centres = np.concatenate(centre_parts)
        contexts = np.concatenate(context_parts)
        owner, nodes, signs = _expand_paths(ids[centres], tables)
        inputs = syn0[ids[contexts[owner]]]
        terms = _log_sigmoid_terms(inputs, syn1, nodes, signs)
        return np.bincount(sentence_of[centres[owner]], terms, minlength=len(sentences))
    # CBOW: the sum (or mean) of the context rows around each centre predicts its path; a
    # centre without context predicts from a zero vector, as gensim's does
    lo = np.maximum(pos - window, start)
    hi = np.minimum(pos + window + 1, end)
    prefix = np.zeros((ids.size + 1, syn0.shape[1]), dtype=np.float64)
    np.cumsum(syn0[ids], axis=0, out=prefix[1:])
    hidden = prefix[hi] - prefix[lo] - syn0[ids]
    count = (hi - lo - 1).astype(np.float64)
    if model.cbow_mean:
        hidden /= np.maximum(count, 1.0)[:, None]
    owner, nodes, signs = _expand_paths(ids, tables)
    terms = _log_sigmoid_terms(hidden[owner], syn1, nodes, signs)
    return np.bincount(sentence_of[owner], terms, minlength=len(sentences))


def score_sentences(
    model: Any,
    hs_tables: tuple[NDArray[Any], NDArray[Any], NDArray[Any]] | None,
    sentences: Iterable[Sequence[Any]],
    total_sentences: int = int(1e6),
    chunksize: int = 100,
) -> NDArray[np.float32]:
    """Log-likelihood of each sentence under the model's hierarchical softmax (gensim's
    ``score``): the sum, over every centre word and its Huffman path, of log sigmoid(+-
    input . node), with the input the context word (skip-gram, one term set per context word)
    or the context sum or mean (CBOW). Windows have the model's full ``window`` (never
    shrunk), there is no subsampling, and unknown words are dropped first. ``hs_tables``:
    the model's Huffman paths as (offset, code, point).

    As in gensim, terms whose dot product reaches +-6 are left out. gensim reads log sigmoid
    from a 1,000-entry table, at a point up to 0.06 below the dot product (its index is
    scaled by 83 instead of 83.3); the exact value is used here, so a score is a little higher
    than gensim's, by less than 0.025 per term.
    """
    if not len(model.wv):
        raise RuntimeError("the vocabulary is empty: build and train the model before scoring")
    if not model.hs:
        raise RuntimeError(
            "score() is defined for hierarchical softmax only: train the model with hs=1 "
            "(and negative=0, as gensim advises) to score sentences"
        )
    n_keys = len(model.wv)
    if model.syn1 is None or model.syn1.shape != (n_keys, model.vector_size):
        raise RuntimeError("the model's hierarchical-softmax weights (syn1) do not fit its vectors")
    tables = hs_tables
    assert tables is not None  # hs=1 models always have their Huffman paths
    index = model.wv.key_to_index
    scores: list[NDArray[np.float64]] = []
    chunk: list[NDArray[np.int64]] = []
    scored = 0
    for n, sentence in enumerate(sentences):
        if n >= total_sentences:
            logger.warning(
                "terminating after %i sentences (set higher total_sentences if you want more).",
                total_sentences,
            )
            break
        check_sentence(sentence, n)
        rows = [index.get(t) for t in sentence]
        chunk.append(np.array([r for r in rows if r is not None], dtype=np.int64))
        scored += 1
        if len(chunk) >= max(int(chunksize), 1):
            scores.append(_score_chunk(model, chunk, tables))
            chunk = []
    if chunk:
        scores.append(_score_chunk(model, chunk, tables))
    logger.info("scored %d sentences", scored)
    return (np.concatenate(scores) if scores else np.zeros(0)).astype(np.float32)
