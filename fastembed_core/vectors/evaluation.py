"""Evaluation of trained vectors: word-pair similarity and word analogies.

These are the bodies of :meth:`KeyedVectors.evaluate_word_pairs
<fastembed_core.KeyedVectors.evaluate_word_pairs>` and :meth:`KeyedVectors.evaluate_word_analogies
<fastembed_core.KeyedVectors.evaluate_word_analogies>` (gensim's method names, kept there as
delegates), written as functions over any :class:`~fastembed_core.KeyedVectors`. They use only
its public surface: ``index_to_key``, ``key_to_index``, ``vectors`` and
:meth:`~fastembed_core.KeyedVectors.norm_snapshot`.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from .linalg import unit
from .stats import correlations

__all__ = ["evaluate_word_pairs", "evaluate_word_analogies", "log_accuracy"]

logger = logging.getLogger(__name__)

# Questions answered together: as many as make a score matrix of this many elements (8 MB of
# float32). The shared 8 M-element query block made the analogy evaluation peak at six times
# the vectors' memory (a 32 MB score matrix, its negated copy, a temporary and 64 MB of
# argpartition's indices). On the demo's 18.5 k x 100 vectors this size answers the 7 k
# questions as fast as that block did (9.9 s against 10.1 s, medians of 3 on a loaded 2-core
# machine); 1 << 20 was 20% slower (smaller matrix products). The best candidates are
# picked from fewer rows at a time, so that argpartition's int64 indices stay at 2 MB.
_ANALOGY_BLOCK_ELEMENTS = 1 << 21
_ARGPARTITION_ELEMENTS = 1 << 18

_Quad = tuple[str, str, str, str]
_State = tuple[NDArray[Any], NDArray[Any], NDArray[Any]]


class _KeyedVectorsLike(Protocol):
    # What the functions use of a KeyedVectors (importing the class would be a cycle).
    index_to_key: list[Any]
    key_to_index: dict[Any, int]

    @property
    def vectors(self) -> NDArray[Any]: ...

    def norm_snapshot(self) -> _State: ...


def log_accuracy(section: Mapping[str, Any]) -> float:
    """Logs the accuracy of one analogy section and returns it.

    Parameters
    ----------
    section : dict
        ``{"section": name, "correct": [...], "incorrect": [...]}``, as in the list
        :func:`evaluate_word_analogies` returns.

    Returns
    -------
    float
        The fraction of correct answers (0.0 for a section without questions).
    """
    correct, incorrect = len(section["correct"]), len(section["incorrect"])
    if correct + incorrect == 0:
        return 0.0
    score = correct / (correct + incorrect)
    logger.info(
        "%s: %.1f%% (%i/%i)", section["section"], 100.0 * score, correct, correct + incorrect
    )
    return score


def _evaluation_vocab(
    kv: _KeyedVectorsLike, restrict_vocab: int | None, case_insensitive: bool
) -> dict[str, int]:
    """Evaluation key -> row for the first ``restrict_vocab`` str keys (first case variant
    wins when case-insensitive)."""
    ok: dict[str, int] = {}
    for i, k in enumerate(kv.index_to_key[:restrict_vocab]):
        if not isinstance(k, str):
            continue
        kk = k.upper() if case_insensitive else k
        if kk not in ok:
            ok[kk] = kv.key_to_index.get(k, i)
    return ok


def evaluate_word_pairs(
    kv: _KeyedVectorsLike,
    pairs: str | os.PathLike[str],
    delimiter: str = "\t",
    encoding: str = "utf8",
    restrict_vocab: int = 300000,
    case_insensitive: bool = True,
    dummy4unknown: bool = False,
) -> tuple[tuple[float, float], tuple[float, float], float]:
    """Correlation of the model's similarities with human judgements (e.g. WordSim-353).

    Parameters
    ----------
    kv : KeyedVectors
        The vectors to evaluate.
    pairs : str
        File of ``word1<delimiter>word2<delimiter>score`` lines; ``#`` lines are comments.
    delimiter, encoding : str
        Field separator and text encoding of ``pairs``.
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
    Uses scipy for the statistics when it is already imported (identical numbers to gensim);
    otherwise :func:`~fastembed_core.vectors.stats.pearson_spearman`, a numpy implementation
    equal to it within rounding, which spares the 80 MB that importing scipy takes.
    """
    ok = _evaluation_vocab(kv, restrict_vocab, case_insensitive)
    vectors = kv.vectors
    gold, model = [], []
    oov = 0
    sim: Any  # a field's text, then its value
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
            model.append(np.dot(unit(vectors[ok[a]]), unit(vectors[ok[b]])))
    if not gold:
        raise ValueError(
            f"No valid similarity judgements found in {pairs}: either invalid "
            f"format or all are out-of-vocabulary in {kv}"
        )
    pearson, spearman = correlations(gold, model)
    if dummy4unknown:
        oov_ratio = float(oov) / len(gold) * 100
    else:
        oov_ratio = float(oov) / (len(gold) + oov) * 100
    logger.info("Pearson correlation coefficient against %s: %.4f", pairs, pearson[0])
    logger.info("Spearman rank-order correlation coefficient against %s: %.4f", pairs, spearman[0])
    logger.info("Pairs with unknown words ratio: %.1f%%", oov_ratio)
    return pearson, spearman, oov_ratio


def evaluate_word_analogies(
    kv: _KeyedVectorsLike,
    analogies: str | os.PathLike[str],
    restrict_vocab: int = 300000,
    case_insensitive: bool = True,
    dummy4unknown: bool = False,
    similarity_function: str = "most_similar",
) -> tuple[float, list[dict[str, Any]]]:
    """Accuracy on an analogy test set (``a : b :: c : d`` questions), like word2vec.c's
    compute-accuracy and gensim.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors to evaluate.
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
    ranking is the same as :meth:`KeyedVectors.most_similar <fastembed_core.KeyedVectors.most_similar>` with ``positive=[b, c], negative=[a]``
    (the top 5 results, the first one that is not a question word is the answer).
    """
    if similarity_function not in ("most_similar", "most_similar_cosmul"):
        raise ValueError(
            f"similarity_function must be 'most_similar' or "
            f"'most_similar_cosmul'; got {similarity_function!r}"
        )
    ok = _evaluation_vocab(kv, restrict_vocab, case_insensitive)
    logger.info(
        "Evaluating word analogies for top %s words in the model on %s",
        restrict_vocab,
        analogies,
    )
    raw_sections: list[tuple[str, list[tuple[_Quad, bool]]]] = []
    section: tuple[str, list[tuple[_Quad, bool]]] | None = None
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
                raise ValueError(f"Missing section header before line #{line_no} in {analogies}")
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

    state = kv.norm_snapshot()
    n = state[0].shape[0]
    hi = n if not restrict_vocab else min(int(restrict_vocab), n)
    sections = []
    for name, questions in raw_sections:
        todo = [q for q, known in questions if known]
        answers = iter(
            _answer_analogies(kv, todo, ok, hi, state, similarity_function, case_insensitive)
        )
        result: dict[str, Any] = {"section": name, "correct": [], "incorrect": []}
        for quad, known in questions:
            if not known:
                if dummy4unknown:
                    result["incorrect"].append(quad)
                continue
            result["correct" if next(answers) == quad[3] else "incorrect"].append(quad)
        sections.append(result)
        log_accuracy(result)
    total = {
        "section": "Total accuracy",
        "correct": list(itertools.chain.from_iterable(s["correct"] for s in sections)),
        "incorrect": list(itertools.chain.from_iterable(s["incorrect"] for s in sections)),
    }
    logger.info("Quadruplets with out-of-vocabulary words: %.1f%%", 100.0 * oov / quadruplets)
    score = log_accuracy(total)
    sections.append(total)
    return score, sections


def _shifted_cosines(terms: NDArray[Any], base: NDArray[Any], norms: NDArray[Any]) -> NDArray[Any]:
    """``(1 + cos) / 2`` of each unit row of ``terms`` with each row of ``base`` (3CosMul's
    shift to [0, 1]), computed in one matrix."""
    cos = terms @ base.T
    cos /= norms
    cos += 1
    cos /= 2
    return cos


def _answer_analogies(
    kv: _KeyedVectorsLike,
    questions: Sequence[_Quad],
    ok: Mapping[str, int],
    hi: int,
    state: _State,
    similarity_function: str,
    case_insensitive: bool,
) -> list[str | None]:
    """The predicted (normalised) answer of each ``(a, b, c, d)`` question."""
    if not questions:
        return []
    vectors, _, safe = state
    keys = kv.index_to_key
    ia = np.array([ok[q[0]] for q in questions], dtype=np.int64)
    ib = np.array([ok[q[1]] for q in questions], dtype=np.int64)
    ic = np.array([ok[q[2]] for q in questions], dtype=np.int64)
    base = vectors[:hi]
    norms = safe[:hi]
    predictions = []
    block = max(1, _ANALOGY_BLOCK_ELEMENTS // max(hi, 1))
    for lo in range(0, len(questions), block):
        sl = slice(lo, min(lo + block, len(questions)))
        a, b, c = ia[sl], ib[sl], ic[sl]
        # Scores are computed in place, step for step as the expressions of most_similar and
        # most_similar_cosmul, so a block holds one score matrix (two for 3CosMul) and no
        # other temporaries of its size.
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
            sims = mean @ base.T
            sims /= norms
        else:
            nb, nc, na = (vectors[x] / safe[x][:, None] for x in (b, c, a))
            sims = _shifted_cosines(nb, base, norms)
            sims *= _shifted_cosines(nc, base, norms)
            neg = _shifted_cosines(na, base, norms)
            neg += 0.000001
            sims /= neg
            del neg
        rows = np.arange(len(a))
        for col in (a, b, c):
            inside = col < hi
            sims[rows[inside], col[inside]] = -np.inf
        k = min(5, hi)
        np.negative(sims, out=sims)  # the k best are the k smallest now; no negated copy
        if k < hi:
            # argpartition returns int64 indices of the whole matrix: a few rows at a time
            part: NDArray[np.int64] = np.empty((len(a), k), dtype=np.int64)
            step = max(1, _ARGPARTITION_ELEMENTS // hi)
            for r0 in range(0, len(a), step):
                part[r0 : r0 + step] = np.argpartition(sims[r0 : r0 + step], k - 1, axis=1)[:, :k]
        else:
            part = np.broadcast_to(np.arange(hi), (len(a), hi)).copy()
        vals = -np.take_along_axis(sims, part, axis=1)
        del sims
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
