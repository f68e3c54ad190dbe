"""Rare-word tests for subword (FastText) vectors: words the model never trained as words.

A FastText model gives a vector to any word through its character n-grams. These tests ask
for the vectors of words that fall *below* ``min_count`` on the training corpus -- the model
kept no row of their own (it read them in context, or, for some test pairs, never saw them)
-- and score how well those n-gram-only vectors agree with a reference:

* ``rare_pairs``: the WordSim-353 and SimLex-999 pairs in which at least one word is below
  ``min_count`` on the corpus, count 0 included (the other word may be in the vocabulary or rare too). Spearman
  rho of the cosines against the human scores, by the same ``evaluate_word_pairs`` as the
  main scores (rare words' vectors come from their n-grams, vocabulary words' from the model);
  per set and for both sets together (``both``: a few dozen pairs per set on a corpus of a
  few million tokens is a noisy score, the union a little less so).
* ``full_pairs``: all pairs of both sets, out-of-vocabulary words through their n-grams --
  nothing skipped, the number fastText's paper reports for subword models.
* ``inflections``: rare inflected forms of frequent words. A rare word (1 <= count <
  ``min_count``) that is a frequent vocabulary word (count >= ``STEM_MIN_COUNT``) plus one of
  the common English suffixes in ``SUFFIXES`` (``played`` = ``play`` + ``ed``) is looked up
  through its n-grams, and the stem's rank among all vocabulary words by cosine is recorded
  (1 = the stem is the nearest vocabulary word). Reported: mean reciprocal rank and the share
  with the stem in the top 10. The form shares n-grams with its stem by construction, so this
  measures how well trained the n-gram rows are (untrained, random rows put the stem far down
  the list), not semantics; the pair tests carry the semantics.

The word lists depend only on the corpus counts, so every peer answers the same questions.
"""

import collections
import os
import tempfile

import numpy as np

DATA_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fastembed_core", "data"
)
PAIR_FILES = {
    "ws353": os.path.join(DATA_DIR, "wordsim353.tsv"),
    "simlex": os.path.join(DATA_DIR, "simlex999.txt"),
}
# Longest first: "walkers" is "walker" + "s" before it is "walk" + "ers"; the first suffix whose
# stem is a frequent word wins.
SUFFIXES = ("ness", "ment", "ing", "ers", "est", "ed", "er", "es", "ly", "s", "d")
STEM_MIN_COUNT = 50
INFLECTION_LIMIT = 1500


def corpus_counts(path):
    """word -> count, splitting on whitespace as every peer does."""
    counts = collections.Counter()
    with open(path, "rb") as f:
        for line in f:
            counts.update(line.split())
    return {w.decode("utf-8", "replace"): c for w, c in counts.items()}


def read_pairs(path):
    """(word1, word2, score) of a similarity file, lower-cased, comments skipped."""
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            a, b, score = line.rstrip("\n").split("\t")[:3]
            pairs.append((a.lower(), b.lower(), float(score)))
    return pairs


def inflection_queries(counts, min_count, stem_min_count=STEM_MIN_COUNT, limit=INFLECTION_LIMIT):
    """[(rare form, stem)] as described in the module docstring, sorted, evenly thinned to
    ``limit`` (deterministic: the same corpus gives the same list)."""
    found = []
    for word, c in counts.items():
        if not (1 <= c < min_count and word.isalpha() and word.isascii() and len(word) >= 5):
            continue
        for suffix in SUFFIXES:
            stem = word[: -len(suffix)]
            if word.endswith(suffix) and len(stem) >= 3 and counts.get(stem, 0) >= stem_min_count:
                found.append((word, stem))
                break
    found.sort()
    if len(found) > limit:
        step = len(found) / limit
        found = [found[int(i * step)] for i in range(limit)]
    return found


def build_tests(counts, min_count):
    """The rare-word questions of a corpus (``counts``: :func:`corpus_counts`)."""
    rare_pairs = {}
    query = set()
    for name, path in PAIR_FILES.items():
        pairs = read_pairs(path)
        rare = [p for p in pairs if min(counts.get(p[0], 0), counts.get(p[1], 0)) < min_count]
        rare_pairs[name] = rare
        rare_pairs["both"] = rare_pairs.get("both", []) + rare  # both scored 0-10
        for a, b, _ in pairs:
            query.update(w for w in (a, b) if counts.get(w, 0) < min_count)
    inflections = inflection_queries(counts, min_count)
    query.update(form for form, _ in inflections)
    return {
        "min_count": min_count,
        "stem_min_count": STEM_MIN_COUNT,
        "suffixes": list(SUFFIXES),
        "rare_pairs": rare_pairs,
        "inflections": inflections,
        "query_words": sorted(query),
    }


def _write_pairs(pairs, path):
    with open(path, "w", encoding="utf-8") as f:
        for a, b, score in pairs:
            f.write(f"{a}\t{b}\t{score}\n")


def score(kv_vocab, query_words, query_vectors, tests):
    """Scores one peer's vectors on the rare-word tests.

    ``kv_vocab``: a fastembed_core KeyedVectors of the peer's vocabulary words (their query
    vectors, the means of their subword rows); ``query_vectors``: the peer's own vectors of
    ``query_words`` (words below min_count), rows in that order.
    """
    from fastembed_core import KeyedVectors

    # Vocabulary first, rare words after: a rare word never shadows a vocabulary word.
    extra = [i for i, w in enumerate(query_words) if w not in kv_vocab.key_to_index]
    kv_all = KeyedVectors(kv_vocab.vector_size)
    kv_all.add_vectors(list(kv_vocab.index_to_key), kv_vocab.vectors)
    kv_all.add_vectors([query_words[i] for i in extra], np.asarray(query_vectors)[extra])
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, pairs in tests["rare_pairs"].items():
            path = os.path.join(tmp, f"{name}-rare.tsv")
            _write_pairs(pairs, path)
            _, spearman, oov = kv_all.evaluate_word_pairs(path)
            out[f"rare_{name}_spearman"] = round(float(spearman[0]), 4)
            out[f"rare_{name}_n"] = len(pairs)
            out[f"rare_{name}_oov_pct"] = round(float(oov), 2)
    for name, path in PAIR_FILES.items():
        _, spearman, oov = kv_all.evaluate_word_pairs(path)
        out[f"full_{name}_spearman"] = round(float(spearman[0]), 4)
        out[f"full_{name}_oov_pct"] = round(float(oov), 2)

    vocab = kv_vocab.vectors.astype(np.float32)
    vocab = vocab / np.maximum(np.linalg.norm(vocab, axis=1, keepdims=True), 1e-12)
    row = {w: i for i, w in enumerate(query_words)}
    forms = [
        (row[f], kv_vocab.key_to_index[s])
        for f, s in tests["inflections"]
        if s in kv_vocab.key_to_index
    ]
    if forms:
        q = np.asarray(query_vectors, dtype=np.float32)[[f for f, _ in forms]]
        q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
        sims = q @ vocab.T
        target = np.asarray([s for _, s in forms])
        at_target = sims[np.arange(len(forms)), target]
        ranks = 1 + (sims > at_target[:, None]).sum(axis=1)
        out["inflection_mrr"] = round(float(np.mean(1.0 / ranks)), 4)
        out["inflection_hits10"] = round(float(np.mean(ranks <= 10)), 4)
        out["inflection_median_rank"] = float(np.median(ranks))
        out["inflection_n"] = len(forms)
    return out
