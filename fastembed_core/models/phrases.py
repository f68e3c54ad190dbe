"""Phrase (collocation) detection with gensim 4's ``Phrases`` / ``FrozenPhrases`` API and
results, counted and applied in C (src/fe_phrases.h) with the GIL released.

Size: two gensim-compatible classes with their shared base, save / load / gensim conversion,
and word2vec.c's word2phrase; one module, as gensim keeps them, so one import path serves all.

::

    from fastembed_core.models.phrases import Phrases, ENGLISH_CONNECTOR_WORDS

    phrases = Phrases(sentences, min_count=5, threshold=10.0,
                      connector_words=ENGLISH_CONNECTOR_WORDS)
    phrases[["bank", "of", "america", "said"]]      # ['bank_of_america', 'said']
    frozen = phrases.freeze()                       # only the phrases and their scores
    frozen.save("phrases.fe")                       # native container, never pickle

Same phrases and bitwise the same scores as gensim on the same corpus and settings: the same
counting (unigrams and delimiter-joined phrases in one table, connector words bridged), the
same pruning (``max_vocab_size`` with gensim's growing ``min_reduce``, including its
``add_vocab`` merge rule), the same greedy left-to-right application and the same formulas
evaluated in the same order. ``scoring`` may be a callable as in gensim; it is then called
from the C pass for each candidate.

Differences, on purpose: a sentence must be a list (or other iterable) of str, never a str or
bytes, and tokens must be str (gensim would split a str into characters); the delimiter must
be a non-empty str; models are saved in the native container, and a gensim pickle is converted
with :meth:`Phrases.from_gensim`; ``vocab`` and ``phrasegrams`` are snapshots (assign a whole
dict to change them). ``corpus_file=`` reads a text file in C (one line, one sentence,
whitespace-separated tokens): the same counts as gensim over ``LineSentence(path)`` for lines
shorter than 10,000 tokens, which LineSentence would cut.
"""

from __future__ import annotations

import inspect
import itertools
import logging
import math
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from types import FunctionType
from typing import Any, Callable, Union

import numpy as np

from .. import _phrases
from ..errors import FormatError
from ..io.detect import classify_head
from ..io.native import atomic_write, read_container, write_container

__all__ = [
    "Phrases",
    "FrozenPhrases",
    "Phraser",
    "ENGLISH_CONNECTOR_WORDS",
    "original_scorer",
    "npmi_scorer",
    "word2phrase",
]

logger = logging.getLogger("fastembed_core")

NEGATIVE_INFINITY = float("-inf")

#: Words a phrase may have in its middle but never start or end with (gensim's list):
#: articles, some prepositions and conjunctions, as in ``bank_of_america``.
ENGLISH_CONNECTOR_WORDS = frozenset(
    "a an the for of with without at from to in on by and or".split()
)

_SCORING_PARAMS = (
    "worda_count",
    "wordb_count",
    "bigram_count",
    "len_vocab",
    "min_count",
    "corpus_word_count",
)
_BATCH_TOKENS = 200_000  # tokens handed to C at a time: big enough to amortise the call
_BATCH_SENTENCES = 20_000


def original_scorer(
    worda_count: int,
    wordb_count: int,
    bigram_count: int,
    len_vocab: int,
    min_count: float,
    corpus_word_count: int,
) -> float:
    """Mikolov et al.'s phrase score: ``(bigram_count - min_count) / (worda_count *
    wordb_count) * len_vocab``; ``-inf`` when a count is zero. ``corpus_word_count`` is unused.
    (``scoring="default"`` computes this in C.)"""
    product = worda_count * wordb_count
    if product == 0:
        return NEGATIVE_INFINITY
    return (bigram_count - min_count) / float(product) * len_vocab


def npmi_scorer(
    worda_count: int,
    wordb_count: int,
    bigram_count: int,
    len_vocab: int,
    min_count: float,
    corpus_word_count: int,
) -> float:
    """Normalised pointwise mutual information (Bouma 2009), in [-1, 1]: ``ln(p(ab) / (p(a)
    p(b))) / -ln(p(ab))`` with ``p(x) = count(x) / corpus_word_count``; ``-inf`` when
    ``bigram_count < min_count`` or a logarithm is undefined. ``len_vocab`` is unused.
    (``scoring="npmi"`` computes this in C.)"""
    if not bigram_count >= min_count:
        return NEGATIVE_INFINITY
    total = float(corpus_word_count)
    p_a, p_b, p_ab = worda_count / total, wordb_count / total, bigram_count / total
    try:
        return math.log(p_ab / (p_a * p_b)) / -math.log(p_ab)
    except ValueError:  # a logarithm of zero: a count was zero, never a phrase
        return NEGATIVE_INFINITY


def _builtin_scoring(scoring: Any) -> str | None:
    """ "default" / "npmi" for our scorers and gensim's (recognised by name, without importing
    gensim), else None."""
    if scoring is original_scorer or scoring is npmi_scorer:
        return "default" if scoring is original_scorer else "npmi"
    module = getattr(scoring, "__module__", None)
    name = getattr(scoring, "__name__", None)
    if module == "gensim.models.phrases" and name in ("original_scorer", "npmi_scorer"):
        return "default" if name == "original_scorer" else "npmi"
    return None


def _check_scoring(scoring: Any, threshold: float) -> tuple[Callable[..., float], str | None]:
    if isinstance(scoring, str):
        if scoring == "default":
            return original_scorer, "default"
        if scoring == "npmi":
            return npmi_scorer, "npmi"
        raise ValueError(
            f"unknown scoring method string {scoring!r}; use 'default', 'npmi' or a function"
        )
    if not callable(scoring):
        raise TypeError(
            f"scoring must be 'default', 'npmi' or a function; got {type(scoring).__name__}"
        )
    kind = _builtin_scoring(scoring)
    if kind is not None:
        return scoring, kind
    try:
        names = inspect.getfullargspec(scoring).args
    except TypeError:
        names = []
    missing = [p for p in _SCORING_PARAMS if p not in names]
    if missing:
        raise ValueError(f"scoring function missing expected parameters {missing}")
    return scoring, None


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number; got {type(value).__name__}")
    if value != value:
        raise ValueError(f"{name} must not be NaN")
    return value.item() if isinstance(value, (np.integer, np.floating)) else value


def _split_single(obj: Any) -> tuple[bool, Any]:
    """(is one sentence, the same tokens/sentences), like gensim: a sentence when the first
    element is a str. Refuses a str (gensim would take its characters as tokens) and bytes."""
    if isinstance(obj, (str, bytes, bytearray)):
        raise TypeError(
            f"expected a list of str tokens or a corpus of them; got a "
            f"{type(obj).__name__}: split it into tokens first"
        )
    if isinstance(obj, (list, tuple)):
        if not obj:
            return True, obj
        peek = obj[0]
        rest: Any = obj
    else:
        it = iter(obj)
        try:
            peek = next(it)
        except StopIteration:
            return True, []
        rest = itertools.chain([peek], it) if it is obj or isinstance(peek, str) else obj
    if isinstance(peek, (bytes, bytearray)):
        raise TypeError(
            "tokens must be str, not bytes: decode them first (e.g. token.decode('utf-8'))"
        )
    return isinstance(peek, str), rest


def _batches(sentences: Iterable[Any]) -> Iterator[tuple[int, list[Any]]]:
    """(index of the first sentence, sentences) in batches of about _BATCH_TOKENS tokens."""
    if isinstance(sentences, (str, bytes, bytearray, os.PathLike)):
        raise TypeError(
            f"sentences must be an iterable of token lists; got a {type(sentences).__name__} "
            "(for a text file, pass corpus_file=path)"
        )
    if type(sentences) is list or type(sentences) is tuple:
        try:
            sizes = np.fromiter(map(len, sentences), dtype=np.int64, count=len(sentences))
        except TypeError:  # a sentence without a length: the loop below counts it as one
            pass
        else:
            yield from _slices(sentences, sizes)
            return
    batch: list[Any] = []
    first, tokens = 0, 0
    for index, sentence in enumerate(sentences):
        batch.append(sentence)
        try:
            tokens += len(sentence)
        except TypeError:
            tokens += 1
        if tokens >= _BATCH_TOKENS or len(batch) >= _BATCH_SENTENCES:
            yield first, batch
            first, batch, tokens = index + 1, [], 0
    if batch:
        yield first, batch


def _slices(
    sentences: list[Any] | tuple[Any, ...], sizes: np.ndarray
) -> Iterator[tuple[int, list[Any]]]:
    """_batches of a list or tuple whose sentences have the token counts ``sizes``: the same
    batches, cut by one search of the running token count each instead of a Python step per
    sentence (which cost a tenth of applying on english.txt)."""
    ends = np.cumsum(sizes)
    first, n = 0, len(sizes)
    while first < n:
        before = int(ends[first - 1]) if first else 0
        # the first sentence at which the batch reaches _BATCH_TOKENS ends it
        last = int(np.searchsorted(ends, before + _BATCH_TOKENS, side="left")) + 1
        last = min(last, first + _BATCH_SENTENCES, n)
        yield first, list(sentences[first:last])
        first = last


class _PhrasesTransformation:
    """What Phrases and FrozenPhrases share: applying (``model[sentence]``,
    ``model[corpus]``), ``analyze_sentence``, ``find_phrases``, ``load``."""

    delimiter: str
    threshold: float
    min_count: float
    _syntax: Any

    def __init__(self, connector_words: Iterable[str] = frozenset(), delimiter: str = "_") -> None:
        if isinstance(connector_words, (str, bytes)):
            raise TypeError("connector_words must be a set of str, not a single string")
        if not isinstance(delimiter, str) or not delimiter:
            raise ValueError(f"delimiter must be a non-empty str; got {delimiter!r}")
        self.connector_words = frozenset(connector_words)
        self.delimiter = delimiter
        self._syntax = _phrases.PhraseSyntax(delimiter, self.connector_words)

    # -- what each class scores with
    def _apply_args(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def _apply(
        self, sentences: Sequence[Any], first: int = 0, collect: bool = False
    ) -> tuple[list[list[str]], Any]:
        """``sentences`` with their phrases joined and, with ``collect``, the ``(phrase,
        score)`` found, each phrase the very object placed in the output."""
        if type(self).score_candidate is not _PhrasesTransformation.score_candidate:
            return self._apply_with_own_scorer(sentences, collect)
        batch = _phrases.TokenBatch(sentences, first)
        return _phrases.apply_batch(batch, self._syntax, *self._apply_args(), collect=collect)

    def _apply_with_own_scorer(
        self, sentences: Sequence[Any], collect: bool
    ) -> tuple[list[list[str]], Any]:
        """The greedy pass in Python, for a subclass that scores candidates with its own
        ``score_candidate`` (as gensim's extension point allows); the native pass only knows
        the built-in scorers."""
        out, found = [], []
        for sentence in sentences:
            joined: list[str] = []
            for token, score in self._greedy_pass(list(sentence)):
                joined.append(token)
                if score is not None:
                    found.append((token, score))
            out.append(joined)
        return out, (found if collect else None)

    def _greedy_pass(self, tokens: list[str]) -> Iterator[tuple[str, Any]]:
        """Left to right: a candidate runs from a word over any connector words to the next
        word; when ``score_candidate`` accepts it the phrase replaces the run, otherwise the
        run's first word stays alone and the next word starts a new candidate. Connector
        words never start or end a phrase."""
        head: str | None = None
        between: list[str] = []
        for token in tokens:
            if token in self.connector_words:
                if head is None:
                    yield token, None
                else:
                    between.append(token)
                continue
            if head is not None:
                phrase, score = self.score_candidate(head, token, between)
                if score is not None:
                    yield phrase, score  # type: ignore[misc]
                    head, between = None, []
                    continue
                yield head, None
                yield from ((word, None) for word in between)
            head, between = token, []
        if head is not None:
            yield head, None
            yield from ((word, None) for word in between)

    def score_candidate(
        self, word_a: str, word_b: str, in_between: list[str]
    ) -> tuple[str | None, float | None]:
        """Scores one candidate: ``(joined phrase, score)``, or ``(None, None)`` when it is not
        a phrase."""
        if not isinstance(word_a, str) or not isinstance(word_b, str):
            raise TypeError("word_a and word_b must be str")
        counts, frozen, scoring, threshold, min_count, total, callback = self._apply_args()
        return _phrases.score_one(
            self._syntax, counts, frozen, scoring, threshold, min_count, total,
            word_a, word_b, list(in_between), callback,
        )  # fmt: skip

    def analyze_sentence(self, sentence: Iterable[str]) -> Iterator[tuple[str, float | None]]:
        """Yields ``(token, None)`` for each token left alone and ``(phrase, score)`` for each
        phrase, left to right (gensim's greedy pass)."""
        single, tokens = _split_single(sentence)
        if not single:
            raise TypeError("analyze_sentence takes one sentence (a list of str tokens)")
        out, found = self._apply([tokens], collect=True)
        # found lists the phrases in output order, each the very object placed in the output
        pending = iter(found)
        phrase, score = next(pending, (None, None))
        for token in out[0]:
            if token is phrase:
                yield token, score
                phrase, score = next(pending, (None, None))
            else:
                yield token, None

    def __getitem__(self, sentence: Any) -> Any:
        """A sentence (list of str) with its phrases joined, or for a corpus (iterable of
        sentences) an iterable that does so sentence by sentence, in batches."""
        single, obj = _split_single(sentence)
        if not single:
            return _PhrasedCorpus(self, obj)
        out, _ = self._apply([obj])
        return out[0]

    def find_phrases(self, sentences: Iterable[Iterable[str]]) -> dict[str, float]:
        """Every distinct phrase found in ``sentences`` and its score."""
        result: dict[str, float] = {}
        for first, batch in _batches(sentences):
            _, found = self._apply(batch, first, collect=True)
            for phrase, score in found:
                result[phrase] = score
        return result

    # -- files
    @classmethod
    def load(
        cls, fname: Union[str, os.PathLike[str]], scoring: Callable[..., float] | None = None
    ) -> Union[Phrases, FrozenPhrases]:
        """Loads a model saved by :meth:`save`: a :class:`Phrases` or a :class:`FrozenPhrases`,
        whichever the file holds. A model saved with a custom scoring function needs that
        function again as ``scoring``. A gensim pickle is refused (pickles can run code);
        convert it once with :meth:`Phrases.from_gensim`."""
        try:
            meta, arrays = read_container(fname)
        except FormatError:
            with open(fname, "rb") as f:
                head = f.read(64)
            if classify_head(head) == "pickle":
                raise FormatError(
                    f"{os.fspath(fname)}: this is a Python pickle (a gensim Phrases .save() "
                    "file?), which is never loaded here since it can run code. Convert it "
                    "once where gensim is installed: `from gensim.models.phrases import "
                    "Phrases as GensimPhrases; Phrases.from_gensim(GensimPhrases.load(path))"
                    ".save(new_path)`"
                ) from None
            raise
        kind = meta.get("phrases_kind")
        if kind == "Phrases":
            return Phrases._from_saved(fname, meta, arrays, scoring)
        if kind == "FrozenPhrases":
            return FrozenPhrases._from_saved(fname, meta, arrays, scoring)
        raise FormatError(f"{os.fspath(fname)}: holds no Phrases or FrozenPhrases model")

    @staticmethod
    def from_gensim(model: Any) -> Union[Phrases, FrozenPhrases]:
        """The same model as a gensim ``Phrases`` (or ``FrozenPhrases`` / ``Phraser``): same
        counts or phrase scores, settings and scoring function, hence the same results."""
        if hasattr(model, "phrasegrams"):
            return FrozenPhrases._from_gensim(model)
        if hasattr(model, "vocab") and hasattr(model, "corpus_word_count"):
            return Phrases._from_gensim(model)
        raise TypeError(f"not a gensim Phrases or FrozenPhrases model: {type(model).__name__}")

    def _common_meta(self) -> dict[str, Any]:
        scoring = getattr(self, "scoring", original_scorer)
        kind = _builtin_scoring(scoring)
        return {
            "delimiter": self.delimiter,
            "connector_words": sorted(self.connector_words),
            "threshold": float(self.threshold),
            "min_count": self.min_count,
            "scoring": kind or "custom",
            "scoring_name": getattr(scoring, "__qualname__", repr(scoring)),
            "scoring_ref": None if kind else _scorer_reference(scoring),
        }


def _scorer_reference(scoring: Any) -> str | None:
    """``"module:qualname"`` of a custom scorer that ``load`` can find again by that name (a
    function defined at the top level of a module, or in a class there); None for a lambda,
    a closure or anything else, which ``load`` must then be given again."""
    module, qualname = getattr(scoring, "__module__", None), getattr(scoring, "__qualname__", "")
    if not isinstance(module, str) or "<" in qualname:
        return None
    ref = f"{module}:{qualname}"
    return ref if _resolve_scorer(ref) is scoring else None


def _resolve_scorer(ref: str) -> Callable[..., float] | None:
    """The function a ``scoring_ref`` names, looked up among the modules already imported:
    loading a file never imports a module (that would run its code), and only a plain Python
    function of that very name is accepted, so a forged reference cannot reach a builtin."""
    module_name, _, qualname = ref.partition(":")
    obj: Any = sys.modules.get(module_name)
    for part in qualname.split(".") if obj is not None and qualname else ():
        obj = getattr(obj, part, None)
    if (
        isinstance(obj, FunctionType)
        and obj.__module__ == module_name
        and obj.__qualname__ == qualname
    ):
        return obj
    return None


def _saved_scoring(fname: Any, meta: dict[str, Any], scoring: Any) -> Any:
    kind = meta.get("scoring")
    if scoring is not None:
        return scoring
    if kind in ("default", "npmi"):
        return kind
    ref = meta.get("scoring_ref")
    found = _resolve_scorer(ref) if isinstance(ref, str) else None
    if found is not None:
        return found
    where = (
        f"import {ref.partition(':')[0]} before loading, or pass it again"
        if isinstance(ref, str)
        else "pass it again"
    )
    raise ValueError(
        f"{os.fspath(fname)}: the model was saved with a custom scoring function "
        f"({meta.get('scoring_name')}); {where}: load(path, scoring=function)"
    )


def _check_meta(fname: Any, meta: dict[str, Any], fields: dict[str, Any]) -> None:
    for name, types in fields.items():
        if not isinstance(meta.get(name), types) or isinstance(meta.get(name), bool):
            raise FormatError(f"{os.fspath(fname)}: metadata field {name!r} is missing or invalid")


class Phrases(_PhrasesTransformation):
    """Detects phrases from unigram and phrase counts (gensim 4's ``Phrases``).

    Parameters
    ----------
    sentences : iterable of list of str, optional
        The corpus to count; more can be added with :meth:`add_vocab`.
    min_count : int
        Subtracted from a phrase's count by the default scorer; npmi refuses phrases counted
        fewer times.
    threshold : float
        A candidate is a phrase when its score is above this (in [-1, 1] for ``"npmi"``).
    max_vocab_size : int or None
        Above this many unigrams and phrases the rarest are pruned (gensim's rule).
    delimiter : str
        Joins the tokens of a phrase.
    progress_per : int
        Log progress every this many sentences.
    scoring : {"default", "npmi"} or callable
        A callable takes ``worda_count, wordb_count, bigram_count, len_vocab, min_count,
        corpus_word_count`` (gensim's names).
    connector_words : set of str
        Words allowed inside a phrase but never at its ends (see
        :data:`ENGLISH_CONNECTOR_WORDS`).
    corpus_file : str or os.PathLike, optional
        A text file to count instead of ``sentences``, read in C: one line is one sentence,
        tokens are separated by whitespace.
    """

    def __init__(
        self,
        sentences: Iterable[Iterable[str]] | None = None,
        min_count: float = 5,
        threshold: float = 10.0,
        max_vocab_size: int | None = 40000000,
        delimiter: str = "_",
        progress_per: int = 10000,
        scoring: Union[str, Callable[..., float]] = "default",
        connector_words: Iterable[str] = frozenset(),
        corpus_file: Union[str, os.PathLike[str]] | None = None,
    ) -> None:
        super().__init__(connector_words, delimiter)
        min_count = _number("min_count", min_count)
        threshold = _number("threshold", threshold)
        if min_count <= 0:
            raise ValueError("min_count should be at least 1")
        if threshold <= 0 and scoring == "default":
            raise ValueError("threshold should be positive for default scoring")
        if scoring == "npmi" and not -1 <= threshold <= 1:
            raise ValueError("threshold should be between -1 and 1 for npmi scoring")
        self.scoring, self._scoring_kind = _check_scoring(scoring, threshold)
        if max_vocab_size is not None and (
            isinstance(max_vocab_size, bool)
            or not isinstance(max_vocab_size, (int, np.integer))
            or max_vocab_size < 0
        ):
            raise ValueError(
                f"max_vocab_size must be an integer >= 0 or None; got {max_vocab_size!r}"
            )
        if isinstance(progress_per, bool) or not isinstance(progress_per, int) or progress_per < 1:
            raise ValueError(f"progress_per must be a positive integer; got {progress_per!r}")
        self.min_count = min_count
        self.threshold = threshold
        self.max_vocab_size = max_vocab_size
        self.progress_per = progress_per
        self.min_reduce = 1
        self.corpus_word_count = 0
        self._counts = self._new_counter()
        if sentences is not None or corpus_file is not None:
            start = time.time()
            self.add_vocab(sentences, corpus_file=corpus_file)
            logger.info("built %s in %.2fs", self, time.time() - start)

    def __str__(self) -> str:
        return (
            f"{type(self).__name__}<{self._counts.size} vocab, min_count={self.min_count}, "
            f"threshold={self.threshold}, max_vocab_size={self.max_vocab_size}>"
        )

    def _new_counter(self) -> Any:
        limit = -1 if self.max_vocab_size is None else int(self.max_vocab_size)
        return _phrases.PhraseCounter(limit, self.delimiter)

    def add_vocab(
        self,
        sentences: Iterable[Iterable[str]] | None = None,
        corpus_file: Union[str, os.PathLike[str]] | None = None,
    ) -> None:
        """Counts more sentences (or a text file) into the model, as gensim does: a fresh
        count, pruned on its own, then merged and pruned once more if needed."""
        if (sentences is None) == (corpus_file is None):
            raise TypeError("give exactly one of sentences and corpus_file")
        fresh = self._new_counter()
        n_sentences = 0
        if corpus_file is not None:
            _, n_sentences = fresh.count_files(corpus_file, self._syntax)
        else:
            assert sentences is not None
            next_log = 0
            for first, batch in _batches(sentences):
                if first >= next_log:
                    logger.info(
                        "PROGRESS: at sentence #%i, processed %i words and %i word types",
                        first, fresh.total_words, fresh.size,
                    )  # fmt: skip
                    next_log = (first // self.progress_per + 1) * self.progress_per
                fresh.count(_phrases.TokenBatch(batch, first), self._syntax)
                n_sentences = first + len(batch)
        logger.info(
            "collected %i token types (unigram + bigrams) from a corpus of %i words and %i "
            "sentences", fresh.size, fresh.total_words, n_sentences,
        )  # fmt: skip
        self.corpus_word_count += fresh.total_words
        if self._counts.size:
            # gensim keeps the larger min_reduce only when merging into existing counts
            self.min_reduce = max(self.min_reduce, fresh.min_reduce)
            self._counts.merge(fresh)
            if self.max_vocab_size is not None and self._counts.size > self.max_vocab_size:
                self._counts.prune(self.min_reduce)
                self.min_reduce += 1
        else:
            self._counts = fresh

    @property
    def vocab(self) -> dict[str, int]:
        """Unigram and phrase counts, ``{token: count}`` in first-seen order (a copy: assign a
        whole dict to replace them)."""
        return dict(zip(self._counts.words(), self._counts.counts().tolist()))

    @vocab.setter
    def vocab(self, value: dict[str, int]) -> None:
        counter = self._new_counter()
        counter.add_counts(
            list(value), np.fromiter(value.values(), dtype=np.int64, count=len(value))
        )
        self._counts = counter

    def _apply_args(self) -> tuple[Any, ...]:
        callback = None
        if self._scoring_kind is None:
            scoring, size = self.scoring, self._counts.size
            min_count, total = self.min_count, self.corpus_word_count

            def callback(a: int, b: int, ab: int) -> float:
                return scoring(
                    worda_count=a, wordb_count=b, bigram_count=ab, len_vocab=size,
                    min_count=min_count, corpus_word_count=total,
                )  # fmt: skip

        return (
            self._counts, None, self._scoring_kind, float(self.threshold),
            float(self.min_count), int(self.corpus_word_count), callback,
        )  # fmt: skip

    def export_phrases(self) -> dict[str, float]:
        """Every phrase of the counts whose score passes the threshold: ``{phrase: score}``."""
        counts, _, kind, threshold, min_count, total, callback = self._apply_args()
        return _phrases.export_phrases(
            self._syntax, counts, kind, threshold, min_count, total, callback
        )

    def freeze(self) -> FrozenPhrases:
        """A :class:`FrozenPhrases`: the phrases and scores only, smaller and faster."""
        return FrozenPhrases(self)

    # -- files
    def save(self, fname: Union[str, os.PathLike[str]]) -> None:
        """Saves to the native container (JSON settings + raw arrays; never a pickle)."""
        (blob, ends), counts = self._counts.encoded()
        meta = self._common_meta()
        meta.update(
            phrases_kind="Phrases",
            max_vocab_size=self.max_vocab_size,
            progress_per=self.progress_per,
            corpus_word_count=int(self.corpus_word_count),
            min_reduce=int(self.min_reduce),
        )
        write_container(fname, "Phrases", meta, {"entries": blob, "ends": ends, "counts": counts})

    @classmethod
    def _from_saved(
        cls, fname: Any, meta: dict[str, Any], arrays: dict[str, Any], scoring: Any
    ) -> Phrases:
        _check_meta(
            fname,
            meta,
            {
                "delimiter": str,
                "threshold": (int, float),
                "min_count": (int, float),
                "corpus_word_count": int,
                "min_reduce": int,
                "progress_per": int,
                "connector_words": list,
            },
        )
        for name in ("entries", "ends", "counts"):
            if name not in arrays:
                raise FormatError(f"{os.fspath(fname)}: array {name!r} is missing")
        model = cls.__new__(cls)
        _PhrasesTransformation.__init__(model, meta["connector_words"], meta["delimiter"])
        model.scoring, model._scoring_kind = _check_scoring(
            _saved_scoring(fname, meta, scoring), meta["threshold"]
        )
        model.min_count, model.threshold = meta["min_count"], meta["threshold"]
        model.max_vocab_size = meta.get("max_vocab_size")
        model.progress_per = meta["progress_per"]
        model.corpus_word_count = meta["corpus_word_count"]
        model.min_reduce = meta["min_reduce"]
        model._counts = model._new_counter()
        try:
            model._counts.add_encoded(
                np.ascontiguousarray(arrays["entries"], dtype=np.uint8),
                np.ascontiguousarray(arrays["ends"], dtype=np.int64),
                arrays["counts"],
            )
        except ValueError as exc:
            raise FormatError(f"{os.fspath(fname)}: corrupt phrase counts ({exc})") from None
        return model

    @classmethod
    def _from_gensim(cls, g: Any) -> Phrases:
        delimiter = g.delimiter.decode("utf-8") if isinstance(g.delimiter, bytes) else g.delimiter
        connectors: Iterable[str] = (
            getattr(g, "connector_words", None) or getattr(g, "common_terms", None) or ()
        )
        model = cls(
            min_count=g.min_count,
            threshold=g.threshold,
            max_vocab_size=g.max_vocab_size,
            delimiter=delimiter,
            progress_per=getattr(g, "progress_per", 10000),
            scoring=getattr(g, "scoring", "default"),
            connector_words=connectors,
        )
        vocab = {(k.decode("utf-8") if isinstance(k, bytes) else k): v for k, v in g.vocab.items()}
        model.vocab = vocab
        model.corpus_word_count = int(getattr(g, "corpus_word_count", 0))
        model.min_reduce = int(getattr(g, "min_reduce", 1))
        return model


class FrozenPhrases(_PhrasesTransformation):
    """The phrases of a trained :class:`Phrases` and their scores, for applying only (gensim
    4's ``FrozenPhrases``): ``frozen[sentence]`` gives what ``phrases[sentence]`` gave."""

    def __init__(self, phrases_model: Phrases) -> None:
        if not isinstance(phrases_model, Phrases):
            raise TypeError(
                f"FrozenPhrases is made from a Phrases model; got {type(phrases_model).__name__}"
            )
        super().__init__(phrases_model.connector_words, phrases_model.delimiter)
        self.threshold = phrases_model.threshold
        self.min_count = phrases_model.min_count
        self.scoring = phrases_model.scoring
        start = time.time()
        self._set_phrasegrams(phrases_model.export_phrases())
        logger.info("exported %s from %s in %.2fs", self, phrases_model, time.time() - start)

    def _set_phrasegrams(self, phrasegrams: dict[str, float]) -> None:
        self._phrasegrams = dict(phrasegrams)
        self._table = _phrases.FrozenTable(self._phrasegrams)

    @property
    def phrasegrams(self) -> dict[str, float]:
        """``{phrase: score}`` (a copy: assign a whole dict to replace them)."""
        return dict(self._phrasegrams)

    @phrasegrams.setter
    def phrasegrams(self, value: dict[str, float]) -> None:
        self._set_phrasegrams(value)

    def __str__(self) -> str:
        return (
            f"{type(self).__name__}<{len(self._phrasegrams)} phrases, "
            f"min_count={self.min_count}, threshold={self.threshold}>"
        )

    def _apply_args(self) -> tuple[Any, ...]:
        return (None, self._table, None, float(self.threshold), float(self.min_count), 0, None)

    def save(self, fname: Union[str, os.PathLike[str]]) -> None:
        """Saves to the native container (JSON settings + raw arrays; never a pickle)."""
        keys = list(self._phrasegrams)
        raw = [k.encode("utf-8", "surrogatepass") for k in keys]
        ends = np.cumsum([len(r) for r in raw], dtype=np.int64)
        blob = np.frombuffer(b"".join(raw), dtype=np.uint8)
        scores = np.array([self._phrasegrams[k] for k in keys], dtype=np.float64)
        meta = self._common_meta()
        meta["phrases_kind"] = "FrozenPhrases"
        write_container(fname, "Phrases", meta, {"phrases": blob, "ends": ends, "scores": scores})

    @classmethod
    def _from_saved(
        cls, fname: Any, meta: dict[str, Any], arrays: dict[str, Any], scoring: Any
    ) -> FrozenPhrases:
        _check_meta(
            fname,
            meta,
            {
                "delimiter": str,
                "threshold": (int, float),
                "min_count": (int, float),
                "connector_words": list,
            },
        )
        blob, ends, scores = arrays.get("phrases"), arrays.get("ends"), arrays.get("scores")
        if blob is None or ends is None or scores is None or len(ends) != len(scores):
            raise FormatError(f"{os.fspath(fname)}: the phrase table is incomplete")
        data = bytes(np.asarray(blob, dtype=np.uint8))
        starts = np.concatenate([[0], ends[:-1]]) if len(ends) else ends
        if len(ends) and (np.any(np.diff(ends) < 0) or ends[-1] != len(data) or ends[0] < 0):
            raise FormatError(f"{os.fspath(fname)}: corrupt phrase offsets")
        try:
            keys = [data[a:b].decode("utf-8", "surrogatepass") for a, b in zip(starts, ends)]
        except UnicodeDecodeError:
            raise FormatError(f"{os.fspath(fname)}: a phrase is not UTF-8") from None
        model = cls.__new__(cls)
        _PhrasesTransformation.__init__(model, meta["connector_words"], meta["delimiter"])
        kind, ref = meta.get("scoring"), meta.get("scoring_ref")
        # the stored scores need no scorer: an unresolved custom one falls back to the default
        custom = _resolve_scorer(ref) if isinstance(ref, str) and kind == "custom" else None
        model.scoring = scoring or custom or (npmi_scorer if kind == "npmi" else original_scorer)
        model.threshold, model.min_count = meta["threshold"], meta["min_count"]
        model._set_phrasegrams(dict(zip(keys, scores.tolist())))
        return model

    @classmethod
    def _from_gensim(cls, g: Any) -> FrozenPhrases:
        delimiter = g.delimiter.decode("utf-8") if isinstance(g.delimiter, bytes) else g.delimiter
        model = cls.__new__(cls)
        connectors: Iterable[str] = (
            getattr(g, "connector_words", None) or getattr(g, "common_terms", None) or ()
        )
        _PhrasesTransformation.__init__(model, connectors, delimiter)
        model.threshold, model.min_count = g.threshold, g.min_count
        model.scoring = getattr(g, "scoring", original_scorer)
        grams = {}
        for key, value in g.phrasegrams.items():
            if isinstance(key, tuple):  # gensim 3.x: tuples of bytes
                key = delimiter.join(k.decode("utf-8") if isinstance(k, bytes) else k for k in key)
            grams[key] = value[1] if isinstance(value, tuple) else value
        model._set_phrasegrams(grams)
        return model


#: gensim's old name for :class:`FrozenPhrases`.
Phraser = FrozenPhrases


class _PhrasedCorpus:
    """``model[corpus]``: the corpus with phrases joined, sentence by sentence, computed in
    batches. Iterable again when the corpus is (a list, a reader of a file)."""

    def __init__(self, model: _PhrasesTransformation, corpus: Iterable[Any]) -> None:
        self.model = model
        self.corpus = corpus

    def __iter__(self) -> Iterator[list[str]]:
        # the sentences of each batch come from the batch's list at C speed (a generator
        # resumed once a sentence cost a few percent of applying)
        model = self.model
        return itertools.chain.from_iterable(
            model._apply(batch, first)[0] for first, batch in _batches(self.corpus)
        )

    def __len__(self) -> int:
        return len(self.corpus)  # type: ignore[arg-type]


def word2phrase(
    train: str | os.PathLike[str],
    output: str | os.PathLike[str],
    min_count: int = 5,
    threshold: float = 100.0,
) -> tuple[int, int, int]:
    """word2vec.c's ``word2phrase`` tool: rewrites the text file ``train`` into ``output``
    with the bigrams that score above ``threshold`` joined by ``_``.

    word2phrase's own rules, not :class:`Phrases`': unigram and bigram counts below
    ``min_count`` are dropped, a bigram scores ``(pab - min_count) / pa / pb * train_words``
    in single precision, bigrams are counted across line ends (but never joined across them),
    a token after a joined one is never joined, and each output token is preceded by ``' '``
    or ``'_'`` (so lines start with a space), byte for byte what word2phrase writes, with
    tokens split on any ASCII whitespace and never cut at 60 bytes. The output file is
    written atomically.

    Returns
    -------
    (train_words, vocabulary size (unigrams + bigrams kept), bigrams joined)
    """
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)):
        raise TypeError(f"min_count must be an integer; got {min_count!r}")
    threshold = _number("threshold", threshold)
    result: list[tuple[int, int, int]] = []

    def write(f: Any) -> None:
        result.append(_phrases.word2phrase_file(train, f.write, int(min_count), float(threshold)))

    atomic_write(output, write)
    return result[0]
