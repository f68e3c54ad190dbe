"""Running the evaluations (analogy accuracy, word-pair correlations) and printing their
results: shared by ``eval`` and ``demo``."""

import os
import sys

from ..errors import FastEmbedError
from .messages import describe_exception, one_line

__all__ = ["evaluate", "print_evaluation"]


# What one set can fail with (a missing or unreadable file, a malformed one, no word of it in
# the vocabulary); the other sets are still evaluated.
_SET_ERRORS = (OSError, ValueError, UnicodeError, FastEmbedError)


def _not_evaluated(name, exc):
    return {"file": name, "error": one_line(describe_exception(exc))}


def evaluate(
    kv,
    analogies=None,
    pairs=(),
    restrict_vocab=30000,
    case_insensitive=True,
    resolve=None,
):
    """Runs the evaluations on ``kv``, each set on its own.

    Parameters
    ----------
    kv : KeyedVectors
    analogies : str, optional
        Analogy questions file (questions-words format).
    pairs : sequence of str
        Word-pair files (``word1 TAB word2 TAB score``).
    restrict_vocab : int
        Analogies: only the N most frequent words are candidates and questions.
    case_insensitive : bool
    resolve : callable, optional
        Turns each name given into a file path (e.g. a bundled set's name); its errors, like
        the evaluation's, are reported for that set only.

    Returns
    -------
    dict
        JSON-friendly: ``{"analogies": {...} or None, "pairs": [{...}, ...]}``. A set that
        could not be evaluated (missing file, no word in the vocabulary, ...) has an
        ``"error"`` entry with the reason instead of scores.
    """
    resolve = resolve or (lambda name: name)
    result = {"analogies": None, "pairs": []}
    if analogies:
        try:
            result["analogies"] = _analogy_scores(
                kv, resolve(analogies), restrict_vocab, case_insensitive
            )
        except _SET_ERRORS as exc:
            result["analogies"] = _not_evaluated(analogies, exc)
    for name in pairs:
        try:
            path = resolve(name)
            pearson, spearman, oov = kv.evaluate_word_pairs(path, case_insensitive=case_insensitive)
        except _SET_ERRORS as exc:
            result["pairs"].append(_not_evaluated(name, exc))
            continue
        result["pairs"].append(
            {
                "file": path,
                "pearson": float(pearson[0]),
                "spearman": float(spearman[0]),
                "spearman_p": float(spearman[1]),
                "oov_percent": float(oov),
            }
        )
    return result


def _analogy_scores(kv, path, restrict_vocab, case_insensitive):
    score, sections = kv.evaluate_word_analogies(
        path, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive
    )
    total = sections[-1]
    n = len(total["correct"]) + len(total["incorrect"])
    with open(path, "rb") as f:
        asked = sum(1 for line in f if line.strip() and not line.startswith(b":"))
    return {
        "file": path,
        "accuracy": float(score),
        "correct": len(total["correct"]),
        "answered": n,
        "questions": asked,
        "restrict_vocab": restrict_vocab,
        "sections": [
            {
                "section": s["section"],
                "correct": len(s["correct"]),
                "answered": len(s["correct"]) + len(s["incorrect"]),
            }
            for s in sections[:-1]
        ],
    }


def print_evaluation(result, sections=False, out=None):
    """Prints what :func:`evaluate` returned, one line per file.

    Parameters
    ----------
    result : dict
    sections : bool
        Also the analogy accuracy of each section.
    out : file, optional
        Default stdout.
    """
    out = sys.stdout if out is None else out
    a = result["analogies"]
    if a is not None and "error" in a:
        out.write(f"analogies {os.path.basename(a['file'])}: not evaluated: {a['error']}\n")
    elif a is not None:
        skipped = 100.0 * (1 - a["answered"] / a["questions"]) if a["questions"] else 0.0
        out.write(
            f"analogies {os.path.basename(a['file'])} (restrict_vocab={a['restrict_vocab']}):"
            f" accuracy {100 * a['accuracy']:.2f}% ({a['correct']}/{a['answered']}; "
            f"{skipped:.1f}% of {a['questions']} questions skipped, words not in the "
            f"vocabulary)\n"
        )
        if sections:
            width = max((len(s["section"]) for s in a["sections"]), default=0)
            for s in a["sections"]:
                acc = 100.0 * s["correct"] / s["answered"] if s["answered"] else 0.0
                out.write(
                    f"  {s['section']:<{width}}  {acc:6.2f}%  ({s['correct']}/{s['answered']})\n"
                )
    for p in result["pairs"]:
        if "error" in p:
            out.write(f"pairs {os.path.basename(p['file'])}: not evaluated: {p['error']}\n")
            continue
        out.write(
            f"pairs {os.path.basename(p['file'])}: Spearman {p['spearman']:.4f}, "
            f"Pearson {p['pearson']:.4f} ({p['oov_percent']:.1f}% of pairs skipped, "
            f"words not in the vocabulary)\n"
        )
