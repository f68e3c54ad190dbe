"""Vocabulary: counting tokens, choosing the vocabulary, and encoding corpora to ids.

A corpus reaches the kernel as two arrays: ``ids`` (uint32, the vocabulary index of every
in-vocabulary token, in corpus order) and ``offsets`` (int64, sentence ``k`` is
``ids[offsets[k]:offsets[k+1]]``). Every corpus form ends up there once, so the epochs never
re-read text or touch Python objects.
"""

from __future__ import annotations

import collections
import itertools
import logging
import os
from collections.abc import (
    Hashable,
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    Sequence,
    ValuesView,
)
from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import CorpusError, EmptyVocabularyError

logger = logging.getLogger("fastembed_core")

__all__ = [
    "EncodedCorpus",
    "WordCounts",
    "count_files",
    "count_iterable",
    "select_vocab",
    "vocab_report",
    "keep_thresholds",
    "negative_weights",
    "encode_iterable",
    "token_encoder",
    "RULE_DEFAULT",
    "RULE_DISCARD",
    "RULE_KEEP",
]

# gensim's trim_rule return values, so existing rules work unchanged.
RULE_DEFAULT, RULE_DISCARD, RULE_KEEP = 0, 1, 2

_ENCODE_CHUNK = 1 << 20  # tokens converted to ids per numpy call


class EncodedCorpus:
    """A corpus that is already integer ids, e.g. item ids of shopping sessions.

    Parameters
    ----------
    ids : array_like of non-negative int
        The tokens of all sentences, concatenated. Each distinct value is a vocabulary *key*
        (the int itself), not a row position.
    offsets : array_like of int, optional
        Sentence boundaries, ``len(sentences) + 1`` entries starting at 0 and ending at
        ``len(ids)``. Default: one sentence holding every id.
    """

    def __init__(self, ids: ArrayLike, offsets: ArrayLike | None = None) -> None:
        ids = np.asarray(ids)
        if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
            raise TypeError(
                f"ids must be a 1-D integer array; got {ids.dtype} with shape {ids.shape}"
            )
        if ids.size and ids.min() < 0:
            raise ValueError("ids must be non-negative")
        if offsets is None:
            offsets = np.array([0, ids.size], dtype=np.int64)
        offsets = np.asarray(offsets, dtype=np.int64)
        if offsets.ndim != 1 or offsets.size < 1 or offsets[0] != 0 or offsets[-1] != ids.size:
            raise ValueError("offsets must be 1-D, start at 0 and end at len(ids)")
        if np.any(np.diff(offsets) < 0):
            raise ValueError("offsets must not decrease")
        self.ids = ids
        self.offsets = offsets

    def __len__(self) -> int:
        return self.offsets.size - 1

    def __iter__(self) -> Iterator[list[int]]:
        for k in range(len(self)):
            yield self.ids[self.offsets[k] : self.offsets[k + 1]].tolist()


class WordCounts(Mapping[str, int]):
    """The raw counts of a corpus file scan, read as a mapping: the words in first-seen order
    and their counts as an int64 array, as the C scan returns them. :func:`select_vocab` uses
    the arrays directly; a dict is built only when a key is looked up or the items are read
    (``build_vocab(update=True)``, a ``trim_rule``, ``keep_raw_vocab``): building one for every
    scan cost about as much as choosing the vocabulary."""

    __slots__ = ("words", "counts", "_dict")

    def __init__(self, words: list[str], counts: NDArray[np.int64]) -> None:
        self.words = words
        self.counts = counts
        self._dict: dict[str, int] | None = None

    def as_dict(self) -> dict[str, int]:
        if self._dict is None:
            self._dict = dict(zip(self.words, self.counts.tolist()))
        return self._dict

    def __getitem__(self, key: str) -> int:
        return self.as_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)

    def __len__(self) -> int:
        return len(self.words)

    def keys(self) -> KeysView[str]:
        return self.as_dict().keys()

    def values(self) -> ValuesView[int]:
        return self.as_dict().values()

    def items(self) -> ItemsView[str, int]:
        return self.as_dict().items()


_PLACEHOLDER = "`...` (Ellipsis) is a placeholder in examples: put your own token lists there"


def check_sentence(sentence: object, position: int) -> None:
    """Rejects the classic mistakes: strings instead of token lists, and an example's ``...``
    (or anything else without a length) in place of a sentence."""
    if isinstance(sentence, (str, bytes)):
        kind = type(sentence).__name__
        raise TypeError(
            f"each sentence must be a list of tokens; got {kind} at sentence {position}: "
            f"{sentence[:40]!r} (did you forget .split()?)"
        )
    if not hasattr(sentence, "__len__"):
        hint = f" ({_PLACEHOLDER})" if sentence is Ellipsis else ""
        raise TypeError(
            f"each sentence must be a list of tokens; got {type(sentence).__name__} at "
            f"sentence {position}{hint}"
        )


def _looks_like_path(text: str) -> bool:
    return (
        os.path.exists(text)
        or os.sep in text
        or (not any(c.isspace() for c in text) and os.path.splitext(text)[1] != "")
    )


def check_corpus(corpus: object) -> None:
    """Rejects a corpus given as one string, a path or ``...``, saying what was meant: a file
    name suggests ``corpus_file=``, a text ``[text.split()]``."""
    if corpus is Ellipsis:
        raise TypeError(f"the corpus is `...`: {_PLACEHOLDER}")
    if isinstance(corpus, bytes):
        corpus = os.fsdecode(corpus)
    if isinstance(corpus, os.PathLike) or (isinstance(corpus, str) and _looks_like_path(corpus)):
        path = os.fspath(corpus)
        raise TypeError(
            f"the corpus must be an iterable of token lists, not a file name ({path!r}): to "
            f"train on a text file (one sentence per line, tokens separated by whitespace) "
            f"pass corpus_file={path!r}"
        )
    if isinstance(corpus, str):
        raise TypeError(
            f"the corpus must be an iterable of token lists, not one string ({corpus[:40]!r}): "
            f"for a single text pass [text.split()], for a file corpus_file=path"
        )


def check_reiterable(corpus: Iterable[Any], passes: int) -> None:
    """An iterator (e.g. a generator) can be read once; training needs more passes."""
    check_corpus(corpus)
    if passes > 1 and iter(corpus) is corpus:
        raise TypeError(
            f"the corpus is a one-shot iterator ({type(corpus).__name__}) but it must be read "
            f"{passes} times; pass a list or a re-iterable object (e.g. a class with __iter__), "
            f"or corpus_file="
        )


def _prune(counts: dict[Hashable, int], min_reduce: int) -> int:
    """Drops keys seen fewer than min_reduce times (bounded memory while counting)."""
    doomed = [k for k, c in counts.items() if c < min_reduce]
    for k in doomed:
        del counts[k]
    return len(doomed)


def count_iterable(
    corpus: Iterable[Sequence[Hashable]],
    max_vocab_size: int | None = None,
    progress_per: int = 10000,
) -> tuple[dict[Hashable, int], int, int]:
    """Counts the tokens of an iterable of token lists.

    Returns ``(counts, total_words, n_sentences)`` where ``counts`` is a dict in first-seen
    order. With ``max_vocab_size``, whenever more distinct tokens than that are held, every
    token seen fewer than ``min_reduce`` times is dropped and ``min_reduce`` grows by one
    (gensim's pruning rule); the dropped tokens still count in ``total_words``.

    str tokens are counted in C (``_corpus.TokenCounter``: chunks of sentences, hashed with
    the GIL released); from the first token of another type (ints, tuples...) on, counting
    continues with a Python dict, so any hashable token works.
    """
    from .._corpus import TokenCounter

    check_corpus(corpus)
    counter = TokenCounter(max_vocab_size)
    # set once a non-str token forces the Python path (Any: the closures read it after that)
    python_counts: Any = None
    total = n_sentences = 0
    chunk: list[Sequence[Hashable]]
    chunk, chunk_tokens = [], 0
    min_reduce = [1]

    def count_in_python(sentences: Iterable[Sequence[Hashable]]) -> None:
        for sentence in sentences:
            if _AMBIGUOUS_TYPES.intersection(map(type, sentence)):
                token = next(t for t in sentence if type(t) in _AMBIGUOUS_TYPES)
                raise _ambiguous_token(token)
            python_counts.update(sentence)
            if max_vocab_size and len(python_counts) > max_vocab_size:
                _prune(python_counts, min_reduce[0])
                min_reduce[0] += 1

    def flush() -> None:
        nonlocal python_counts
        if python_counts is None:
            bad = counter.add(chunk, chunk_tokens)
            if bad < 0:
                return
            words, counts = counter.result()
            python_counts = collections.Counter(dict(zip(words, counts.tolist())))
            min_reduce[0] = counter.min_reduce_value()
            count_in_python(chunk[bad:])
        else:
            count_in_python(chunk)

    for n_sentences, sentence in enumerate(corpus, 1):
        check_sentence(sentence, n_sentences - 1)
        chunk.append(sentence)
        chunk_tokens += len(sentence)
        if chunk_tokens >= _ENCODE_CHUNK:
            flush()
            total += chunk_tokens
            chunk, chunk_tokens = [], 0
            logger.info("collected word types from %d words and %d sentences", total, n_sentences)
    if chunk:
        flush()
        total += chunk_tokens
    if python_counts is None:
        words, counts = counter.result()
        return dict(zip(words, counts.tolist())), total, n_sentences
    return dict(python_counts), total, n_sentences


def count_files(
    paths: Sequence[str | os.PathLike],
    errors: str = "strict",
    max_vocab_size: int | None = None,
    workers: int = 1,
) -> tuple[list[str], NDArray[np.int64], int, int, tuple[NDArray[Any], NDArray[Any]] | None]:
    """``_corpus.count_file(paths, errors, max_vocab_size, keep_tokens=True)``, on up to
    ``workers`` threads (at most one a core).

    With several workers the files are cut at line starts into one part a worker, each part
    counted into its own table, then merged (``_corpus.SplitCount``): the result is that of
    the one-thread scan, word for word, in the same first-seen order, with the same kept
    tokens and the same error if one fails. ``max_vocab_size`` (pruning depends on the order
    of the whole corpus), a named pipe or a small corpus keep to one thread.
    """
    from .. import _corpus
    from .workers import available_cores, run_workers

    n_parts = min(workers, available_cores())
    if n_parts > 1 and max_vocab_size is None:
        split = _corpus.SplitCount(paths, n_parts, errors)
        if split.n_parts > 1:
            run_workers(split.n_parts, split.count, split.stop, name="fastembed-scan")
            return split.result()
    return _corpus.count_file(paths, errors=errors, max_vocab_size=max_vocab_size, keep_tokens=True)


# Token types whose values merge with ints as dict keys (True == 1 == 1.0): refused.
_AMBIGUOUS_TYPES = frozenset({bool, float, np.bool_, np.float16, np.float32, np.float64})


def _ambiguous_token(token: object) -> TypeError:
    return TypeError(
        f"token {token!r} is a {type(token).__name__}: tokens must be str or int (True, 1 and "
        "1.0 would be one key); convert them, e.g. to str"
    )


def check_keys(counts: Mapping[Any, int]) -> Mapping[Any, int]:
    """Counts with the key rules applied once, before any training (the models call it on
    every vocabulary they count or are given): NumPy integers become Python ints (the same key, and one that every
    file format can store); bool and float tokens are refused, because ``True``, ``1`` and
    ``1.0`` are one dict key and would silently merge; a str that is not valid Unicode (a
    lone surrogate) is refused, because no file could store it."""
    if all(type(k) is str for k in counts):
        try:  # the usual case, in one pass of C: every key a well-formed str
            "".join(counts).encode("utf-8")
            return counts
        except UnicodeEncodeError:
            pass
    out: dict[Hashable, int] = {}
    for key, count in counts.items():
        if isinstance(key, (bool, np.bool_, float, np.floating)):
            raise _ambiguous_token(key)
        if isinstance(key, np.integer):
            key = int(key)
        elif isinstance(key, str):
            try:
                key.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(
                    f"token {key!r} is not valid Unicode text (it holds a lone surrogate, "
                    "e.g. from bytes decoded with errors='surrogateescape'); no vectors file "
                    "could store it: decode the corpus with errors='replace'"
                ) from None
        out[key] = out.get(key, 0) + count
    return out


def _gather(keys: Sequence[Hashable], positions: NDArray[np.int64]) -> list[Hashable]:
    """keys[i] for each i of positions, gathered in one C loop from the int64 array (a list
    comprehension took half the time of choosing a vocabulary; itemgetter over
    ``positions.tolist()`` still made a Python int and a tuple slot per kept word)."""
    from .. import _corpus

    return _corpus.gather(keys if type(keys) is list else list(keys), positions)


def _by_count(values: NDArray[np.int64], kept: NDArray[np.intp]) -> NDArray[np.intp]:
    """``kept`` ordered by descending ``values[kept]``, ties in the order of ``kept``: the
    stable argsort of the negated counts, done as a plain sort of one int64 key per word,
    (top - count) * n + rank, which is unique, so any sort gives that one order (3.5x faster
    than the stable argsort on a 22k-word vocabulary). Falls back to the stable argsort
    when the key could overflow int64."""
    n = len(kept)
    chosen = values[kept]
    if n == 0:
        return kept
    top, low = int(chosen.max()), int(chosen.min())
    if (top - low + 1) * n >= 2**63:
        return kept[np.argsort(-chosen, kind="stable")]
    key = (top - chosen) * n + np.arange(n, dtype=np.int64)
    key.sort()
    return kept[key % n]


def select_vocab(
    counts: Mapping[Hashable, int],
    min_count: int = 5,
    max_final_vocab: int | None = None,
    trim_rule: Callable[[Any, int, int], int] | None = None,
    sorted_vocab: bool = True,
) -> tuple[list[Hashable], NDArray[np.int64], int]:
    """Chooses the vocabulary from raw counts (a dict in first-seen order).

    Keeps keys with count >= min_count (raised so that at most ``max_final_vocab`` keys remain,
    as gensim does), subject to ``trim_rule(key, count, min_count)`` returning RULE_KEEP or
    RULE_DISCARD. With ``sorted_vocab`` keys are ordered by descending count, ties in
    first-seen order. Returns ``(keys, counts_array, effective_min_count)``.
    """
    if trim_rule is None:
        # The usual case in NumPy (the loop below cost as much as the rest of building a
        # vocabulary from a file): a stable sort by descending count keeps ties in first-seen
        # order, exactly as the loop does.
        if isinstance(counts, WordCounts):
            every_key: Sequence[Hashable] = counts.words
            values = counts.counts
        else:
            every_key = list(counts)
            values = np.fromiter(counts.values(), dtype=np.int64, count=len(every_key))
        effective = min_count
        if max_final_vocab is not None and max_final_vocab < len(values):
            ranked = -np.sort(-values)
            effective = max(min_count, int(ranked[max_final_vocab]) + 1)
        kept = np.flatnonzero(values >= effective)
        if sorted_vocab:
            kept = _by_count(values, kept)
        return _gather(every_key, kept), values[kept], effective
    effective = min_count
    if max_final_vocab is not None and max_final_vocab < len(counts):
        ranked = sorted(counts.values(), reverse=True)
        effective = max(min_count, ranked[max_final_vocab] + 1)
    keys = []
    for key, c in counts.items():
        if trim_rule is not None:
            rule = trim_rule(key, c, effective)
            if rule == RULE_KEEP:
                keys.append(key)
                continue
            if rule == RULE_DISCARD:
                continue
        if c >= effective:
            keys.append(key)
    if sorted_vocab:
        keys.sort(key=counts.__getitem__, reverse=True)  # stable: ties stay in first-seen order
    return keys, np.fromiter((counts[k] for k in keys), dtype=np.int64, count=len(keys)), effective


def vocab_report(
    counts: Mapping[Hashable, int], kept: Sequence[Hashable], sample: float
) -> dict[str, int]:
    """gensim's ``prepare_vocab`` report for keeping ``kept`` of the raw ``counts``:
    ``drop_unique`` (words dropped), ``retain_total`` (tokens of the kept words),
    ``downsample_unique`` (kept words that subsampling thins), ``downsample_total`` (tokens
    expected to remain after subsampling) and ``num_retained_words``. The subsampling is the
    one training applies (:func:`keep_thresholds`)."""
    kept_counts = np.fromiter((counts[k] for k in kept), dtype=np.float64, count=len(kept))
    retain_total = int(kept_counts.sum())
    keep = np.ones_like(kept_counts)
    if sample and retain_total:
        t = sample * retain_total if sample < 1.0 else float(sample)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = (np.sqrt(kept_counts / t) + 1.0) * t / kept_counts
        keep = np.where(kept_counts > 0, np.minimum(p, 1.0), 1.0)
    return {
        "drop_unique": len(counts) - len(kept),
        "retain_total": retain_total,
        "downsample_unique": int(np.count_nonzero(keep < 1.0)),
        "downsample_total": int(np.dot(keep, kept_counts)),
        "num_retained_words": len(kept),
    }


def keep_thresholds(counts: ArrayLike, sample: float) -> NDArray[np.uint32] | None:
    """Per-word subsampling thresholds for the kernel (None when sample == 0).

    word2vec.c's keep probability ``(sqrt(c / t) + 1) * t / c`` with ``t = sample * total``
    (``sample`` read as an absolute count when >= 1, as gensim does), capped at 1, scaled to a
    32-bit threshold: the kernel keeps a word when a uniform 32-bit draw is <= the threshold.
    """
    if not sample:
        return None
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    t = sample * total if sample < 1.0 else float(sample)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = (np.sqrt(counts / t) + 1.0) * t / counts
    p = np.where(counts > 0, np.minimum(p, 1.0), 1.0)
    return np.floor(p * 4294967295.0).astype(np.uint32)


def negative_weights(counts: ArrayLike, ns_exponent: float) -> NDArray[np.float64]:
    """Sampling weights of negatives: count ** ns_exponent (0 = uniform, < 0 favours rare)."""
    counts = np.asarray(counts, dtype=np.float64)
    if ns_exponent == 0:
        return np.ones_like(counts)
    if counts.size and not np.any(counts > 0):
        raise CorpusError(
            "every word in the vocabulary has count 0, so there is nothing to draw negative "
            "samples in proportion to: give the words their real counts (a vocabulary file "
            "or build_vocab_from_freq with counts > 0), or pass ns_exponent=0 to draw them "
            "uniformly"
        )
    w = np.where(counts > 0, np.power(np.maximum(counts, 1.0), ns_exponent), 0.0)
    if not np.all(np.isfinite(w)) or w.sum() <= 0:
        raise ValueError(f"ns_exponent={ns_exponent} gives unusable sampling weights")
    return w


def _offsets_from_lengths(
    kept: NDArray[np.integer[Any]],
    out_offsets: list[NDArray[np.int64]],
    base: int,
    keep_empty: bool = False,
) -> int:
    """Appends the ends of the non-empty sentences (kept tokens per sentence; of every
    sentence with keep_empty) to out_offsets."""
    ends = np.cumsum(kept) + base
    out_offsets.append(ends if keep_empty else ends[kept > 0])
    return int(ends[-1]) if len(ends) else base


def _encode_chunk_python(
    sentences: Sequence[Sequence[Hashable]], lookup: Callable[[Hashable, int], int]
) -> tuple[NDArray[np.uint32], NDArray[np.integer[Any]]]:
    tokens: list[Hashable] = []
    ends = []
    for s in sentences:
        tokens.extend(iter(s))
        ends.append(len(tokens))
    bounds = np.array(ends, dtype=np.int64)
    if len(tokens) != sum(map(len, sentences)):
        # as the C encoder (_corpus._TokenChunk) says it
        raise ValueError(
            f"the sentences yield {len(tokens)} tokens but their len() adds up to "
            f"{sum(map(len, sentences))}: a sentence's len() disagrees with what it yields"
        )
    arr = np.fromiter(map(lookup, tokens, itertools.repeat(-1)), dtype=np.int64, count=len(tokens))
    known = arr >= 0
    kept_before = np.concatenate(([0], np.cumsum(known)))[bounds]
    kept = np.diff(np.concatenate(([0], kept_before)))
    return arr[known].astype(np.uint32), kept


def token_encoder(key_to_index: Mapping[Hashable, int]) -> Any:
    """A ``_corpus.TokenEncoder`` of the vocabulary (its lookups run in C), or None when a
    key is not a str or has no UTF-8 form: then only the dict can look tokens up."""
    if not key_to_index or set(map(type, key_to_index)) != {str}:
        return None
    from .._corpus import TokenEncoder

    keys: list[Hashable] = list(key_to_index)
    if list(key_to_index.values()) != list(range(len(keys))):  # not in index order
        keys = [None] * len(key_to_index)
        for k, i in key_to_index.items():
            keys[i] = k
    try:
        return TokenEncoder(keys)
    except UnicodeEncodeError:
        # A key with a lone surrogate has no UTF-8 form, so C could never match it
        return None


def encode_iterable(
    corpus: Iterable[Sequence[Hashable]],
    key_to_index: Mapping[Hashable, int],
    keep_empty: bool = False,
    lookup_in_c: bool = True,
) -> tuple[NDArray[np.uint32], NDArray[np.int64], int, int]:
    """Encodes an iterable of token lists with ``key_to_index``.

    Unknown tokens are dropped, sentences left empty are skipped (kept, so that sentence k
    of the result is sentence k of the corpus, with ``keep_empty``: documents), and sentences
    of any length are kept whole. Returns ``(ids, offsets, raw_words, n_sentences)``. When every key is a
    str the lookups run in C (``_corpus.TokenEncoder``); otherwise, or with
    ``lookup_in_c=False`` (a few sentences, fewer lookups than the C table costs to build),
    through the dict.
    """
    encoder = token_encoder(key_to_index) if lookup_in_c else None
    lookup = key_to_index.get
    out_ids: list[NDArray[np.uint32]]
    out_offsets: list[NDArray[np.int64]]
    chunk: list[Sequence[Hashable]]
    out_ids, out_offsets = [], [np.zeros(1, dtype=np.int64)]
    chunk, chunk_tokens = [], 0
    raw = base = n_sentences = 0

    def flush() -> int:
        if encoder is not None:
            ids, kept = encoder.encode(chunk, chunk_tokens)
        else:
            ids, kept = _encode_chunk_python(chunk, lookup)
        out_ids.append(ids)
        return _offsets_from_lengths(kept, out_offsets, base, keep_empty)

    for n_sentences, sentence in enumerate(corpus, 1):
        check_sentence(sentence, n_sentences - 1)
        chunk.append(sentence)
        chunk_tokens += len(sentence)
        if chunk_tokens >= _ENCODE_CHUNK:
            base = flush()
            raw += chunk_tokens
            chunk, chunk_tokens = [], 0
    if chunk:
        base = flush()
        raw += chunk_tokens
    ids = np.concatenate(out_ids) if out_ids else np.zeros(0, dtype=np.uint32)
    return ids, np.concatenate(out_offsets), raw, n_sentences


def encode_ids(
    corpus: EncodedCorpus, key_to_index: Mapping[Hashable, int]
) -> tuple[NDArray[np.uint32], NDArray[np.int64], int, int]:
    """Re-encodes an :class:`EncodedCorpus` (int keys) to vocabulary positions, vectorised.

    Memory follows the number of tokens and distinct keys, never the size of the largest id:
    small ids (the usual 0..n) go through a dense lookup table, and sparse ones (hashed item
    ids, ids near 2**63) through a binary search over the sorted vocabulary keys.
    """
    ids = corpus.ids
    if ids.size == 0:
        return np.zeros(0, np.uint32), np.zeros(1, np.int64), 0, len(corpus)
    int_keys = [(k, i) for k, i in key_to_index.items() if isinstance(k, (int, np.integer))]
    keys = np.array([k for k, _ in int_keys], dtype=ids.dtype) if int_keys else ids[:0]
    rows = np.array([i for _, i in int_keys], dtype=np.int64)
    largest = int(ids.max())
    if largest < max(1 << 20, 4 * (ids.size + keys.size)):
        table: NDArray[np.int64] = np.full(largest + 1, -1, dtype=np.int64)
        small = keys <= largest
        table[keys[small]] = rows[small]
        mapped = table[ids]
    else:
        order = np.argsort(keys, kind="stable")
        keys, rows = keys[order], rows[order]
        where = np.minimum(np.searchsorted(keys, ids), max(keys.size - 1, 0))
        found = keys[where] == ids if keys.size else np.zeros(ids.size, dtype=bool)
        mapped = np.where(found, rows[where] if keys.size else -1, -1)
    known = mapped >= 0
    kept_before = np.concatenate(([0], np.cumsum(known)))
    offs = kept_before[corpus.offsets]
    offs = offs[np.concatenate(([True], np.diff(offs) > 0))]
    return mapped[known].astype(np.uint32), offs.astype(np.int64), int(ids.size), len(corpus)


def count_ids(corpus: EncodedCorpus) -> tuple[dict[int, int], int, int]:
    """Counts an :class:`EncodedCorpus`: a dict {int key: count} ordered by first appearance."""
    ids = corpus.ids
    if ids.size == 0:
        return {}, 0, len(corpus)
    uniq, first, cnt = np.unique(ids, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    return dict(zip(uniq[order].tolist(), cnt[order].tolist())), int(ids.size), len(corpus)


def describe_empty(
    total_words: int, n_sentences: int, counts: Mapping[Hashable, int], min_count: int
) -> EmptyVocabularyError:
    """The error for a corpus that leaves nothing to train on (reliability #3 and #4)."""
    if total_words == 0:
        return EmptyVocabularyError(
            f"the corpus is empty ({n_sentences} sentences, 0 tokens): nothing to train on"
        )
    top = max(counts.items(), key=lambda kv: kv[1]) if counts else None
    hint = f"; the most frequent is {top[0]!r} with {top[1]}" if top else ""
    return EmptyVocabularyError(
        f"no word occurs at least min_count={min_count} times ({len(counts)} distinct words, "
        f"{total_words} tokens{hint}); lower min_count"
    )


def _read_number(path: str, field: str | None = None) -> int | None:
    """An integer from a /proc or /sys file (the value of ``field`` in a ``name: value kB``
    list), or None when the file or field is absent or says "max"."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("ascii", "replace")
    except OSError:
        return None
    if field is None:
        value = text.strip()
        return int(value) if value.isdigit() else None
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name == field and rest.split() and rest.split()[0].isdigit():
            scale = 1024 if rest.strip().endswith("kB") else 1
            return int(rest.split()[0]) * scale
    return None


def available_memory() -> int | None:
    """Bytes this process can still allocate without swapping or being killed, or None if
    unknown: the kernel's estimate of available memory (free + reclaimable cache, not the
    total, which counts memory other processes hold), capped by a cgroup (container) limit."""
    candidates = [_read_number("/proc/meminfo", "MemAvailable")]
    limit = _read_number("/sys/fs/cgroup/memory.max")
    used = _read_number("/sys/fs/cgroup/memory.current")
    if limit is not None and used is not None:
        candidates.append(max(limit - used, 0))
    known = [c for c in candidates if c is not None]
    if known:
        return min(known)
    try:  # other POSIX systems: free pages only (an underestimate: caches are not counted)
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def estimate_bytes(vocab_size: int, vector_size: int, negative: int, hs: int | bool) -> int:
    """Bytes the weight matrices of a model will need (for the up-front memory check)."""
    rows = vocab_size * (1 + (1 if negative else 0)) + (vocab_size if hs else 0)
    return rows * vector_size * 4 + vocab_size * 32
