"""Running the evaluations (analogy accuracy, word-pair correlations) and printing their
results: shared by ``eval`` and ``demo``."""

import os
import sys

from .messages import one_line

__all__ = ["evaluate", "print_evaluation"]


def evaluate(
    kv,
    analogies=None,
    pairs=(),
    restrict_vocab=30000,
    case_insensitive=True,
    skip_unusable_pairs=False,
):
    """Runs the evaluations on ``kv``.

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
    skip_unusable_pairs : bool
        A word-pair file none of whose pairs is in the vocabulary is reported with an
        ``"error"`` entry instead of raising ``ValueError``.

    Returns
    -------
    dict
        JSON-friendly: ``{"analogies": {...} or None, "pairs": [{...}, ...]}``.
    """
    result = {"analogies": None, "pairs": []}
    if analogies:
        score, sections = kv.evaluate_word_analogies(
            analogies, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive
        )
        total = sections[-1]
        n = len(total["correct"]) + len(total["incorrect"])
        with open(analogies, "rb") as f:
            asked = sum(1 for line in f if line.strip() and not line.startswith(b":"))
        result["analogies"] = {
            "file": analogies,
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
    for path in pairs:
        try:
            pearson, spearman, oov = kv.evaluate_word_pairs(path, case_insensitive=case_insensitive)
        except ValueError as exc:
            if not skip_unusable_pairs:
                raise
            result["pairs"].append({"file": path, "error": one_line(exc)})
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
    if a is not None:
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
            out.write(
                f"pairs {os.path.basename(p['file'])}: not evaluated, no pair has both "
                f"words in the vocabulary\n"
            )
            continue
        out.write(
            f"pairs {os.path.basename(p['file'])}: Spearman {p['spearman']:.4f}, "
            f"Pearson {p['pearson']:.4f} ({p['oov_percent']:.1f}% of pairs skipped, "
            f"words not in the vocabulary)\n"
        )
