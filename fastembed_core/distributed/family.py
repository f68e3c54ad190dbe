"""What distributed training needs to know about a model family.

A family counts a shard (on the worker) and merges the shards' counts into the driver
model's vocabulary, names the matrices a replica trains, builds a replica from what the
driver sends, encodes its shard and makes the kernel run of one round's slice of it. The
driver and the tasks (:mod:`.rounds`, :mod:`.tasks`) see only these methods.

- :class:`Word2VecFamily`: sentences; input vectors, ``syn1neg`` and/or ``syn1``.
- :class:`Doc2VecFamily`: tagged documents; the input matrix holds the words' rows and then
  the tags' (``Doc2Vec._w_in``), so a document's row travels in the same deltas as the words'.
  A bag holds ``TaggedDocument``s; in files every line is a document tagged with its line
  number, counted over the files in order (one file: ``Doc2Vec(corpus_file=...)``'s tags).
- :class:`FastTextFamily`: sentences; the rows of the input matrix that training reaches
  (the words' own and the n-gram buckets some word uses, about 140,000 of 2,000,000 rows on
  a 22,000-word vocabulary), packed in a dense copy as local training packs them: the copy
  is what the replicas train and the deltas carry, and the driver writes it back into its
  full matrix at the end of every epoch (:meth:`Word2VecFamily.sync`).

- :class:`Item2VecFamily`: sessions; Word2Vec's matrices, and Item2Vec's default window
  (the longest session) from the shards' counts.

The graph models (DeepWalk, Node2Vec) have no family: ``family_of`` refuses them (train
them on walks written to files, as Word2Vec).
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _kernel
from ..models import vocab as vocab_mod
from ..models.doc2vec import Doc2Vec, TaggedDocument, TagScan
from ..models.fasttext import HOT_NGRAM_ROWS, FastText
from ..models.items import Item2Vec
from ..models.word2vec import HOT_ROWS, Word2Vec
from ..vectors.keyedvectors import KeyedVectors
from ..vectors.lazy_rows import CompactRows, zeroed_rows
from . import combine as combine_mod
from .shards import (
    BagShard,
    FileShard,
    ShardCount,
    bag_items,
    count_shard,
    encode_shard,
    merge_counts,
)

__all__ = ["EncodedShard", "Word2VecFamily", "Doc2VecFamily", "FastTextFamily", "family_of"]


# one matrix's delta: (sorted rows, their changes) or (a mask of changed rows, all changes)
RowDelta = tuple[np.ndarray, np.ndarray]


@dataclass
class EncodedShard:
    """A shard as the kernel reads it: ``ids``/``offsets`` of vocabulary rows and, for
    documents, ``docs``: (``doc_offsets``, ``doc_rows``), sentence k's tag rows
    ``doc_rows[doc_offsets[k]:doc_offsets[k + 1]]`` (src/fe_train.h, "Documents")."""

    ids: np.ndarray
    offsets: np.ndarray
    docs: tuple[np.ndarray, np.ndarray] | None = None


def _slice(encoded: EncodedShard, first: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Sentences [first, end) of the shard: their ids and offsets counted from 0."""
    lo, hi = int(encoded.offsets[first]), int(encoded.offsets[end])
    return encoded.ids[lo:hi], encoded.offsets[first : end + 1] - lo


class Word2VecFamily:
    """Word2Vec: input vectors, plus ``syn1neg`` (negative sampling) and/or ``syn1`` (hs)."""

    model_class: type = Word2Vec
    layers = ("syn1neg", "syn1")

    # ---------------------------------------------------------------- vocabulary

    def count(
        self, shard: FileShard | BagShard, partitions: Sequence[Any], max_vocab_size: int | None
    ) -> ShardCount:
        """Counts one shard on its worker (a file shard keeps its tokens for the start)."""
        return count_shard(shard, partitions, max_vocab_size)

    def build_vocab(
        self, model: Any, parts: Sequence[ShardCount], params: Mapping[str, Any]
    ) -> list[int]:
        """Gives the driver's ``model`` (made with ``params``) the vocabulary of the merged
        counts (the shards' in shard order) and its fresh weights; returns each shard's
        first sentence number."""
        counts, total, n_sent = merge_counts(parts)
        if not total:
            raise ValueError("the corpus is empty: no token in any shard")
        first_sentences = [0, *np.cumsum([p.n_sentences for p in parts[:-1]]).tolist()]
        self._set_pending(model, parts, first_sentences, params)
        model.raw_vocab = counts
        model.corpus_count, model.corpus_total_words = n_sent, total
        model.prepare_vocab()
        if not len(model.wv):
            raise ValueError(
                f"no word of the corpus is kept (min_count={model.min_count}): "
                f"{total} tokens, {len(counts)} distinct"
            )
        return first_sentences

    def _set_pending(
        self,
        model: Any,
        parts: Sequence[ShardCount],
        first_sentences: Sequence[int],
        params: Mapping[str, Any],
    ) -> None:
        """What the family sets from the counts beside the words before ``prepare_vocab``."""

    # whether a resumed run counts the shards again to find their :meth:`shard_rows` (the
    # checkpoint holds the model, not what each shard uses of it)
    counts_on_resume = False

    def shard_rows(
        self, model: Any, parts: Sequence[ShardCount], first_sentences: Sequence[int]
    ) -> list[np.ndarray | None]:
        """Per shard, the rows of the driver's input matrix its replica needs beyond the
        words' (None: every row). Word2Vec's replicas need every row."""
        return [None] * len(parts)

    # ---------------------------------------------------------------- replicas

    def _input(self, model: Any) -> dict[str, np.ndarray]:
        """The input matrix the kernel trains, by name."""
        return {"vectors": model.wv.vectors}

    def arrays(self, model: Any) -> dict[str, np.ndarray]:
        """The matrices training changes, by name (those this configuration has)."""
        out = self._input(model)
        for name in self.layers:
            arr = getattr(model, name)
            if arr is not None:
                out[name] = arr
        return out

    def payload(self, model: Any, own_rows: np.ndarray | None = None) -> dict[str, Any]:
        """What a worker needs to build a replica: the matrices, the words and their counts
        (``own_rows``: the shard's :meth:`shard_rows`)."""
        return {
            **self.arrays(model),
            "count": model.wv.expandos["count"],
            "keys": list(model.wv.index_to_key),
        }

    def replica(self, init_params: Mapping[str, Any], payload: Mapping[str, Any]) -> Any:
        """A model with the driver's vocabulary and copies of its matrices."""
        model = self.model_class(**init_params)
        model.wv = KeyedVectors.from_arrays(
            list(payload["keys"]),
            np.array(payload["vectors"], np.float32),
            counts=np.asarray(payload["count"]),
        )
        self._copy_layers(model, payload)
        return model

    def to_driver(self, model: Any, name: str, delta: RowDelta) -> RowDelta:
        """A replica's delta of matrix ``name`` in the rows of the driver's matrix."""
        return delta

    def to_replica(self, model: Any, name: str, delta: RowDelta) -> RowDelta:
        """A combined delta of matrix ``name`` (the driver's rows) in the replica's rows."""
        return delta

    def sync(self, model: Any) -> None:
        """Brings the driver's model up to date for callbacks and saving (end of an epoch,
        a checkpoint): its cached vector norms are stale."""
        model.wv.invalidate_norms()

    def finish(self, model: Any) -> None:
        """After the last round: what :meth:`sync` does, and drops any training state."""
        self.sync(model)

    def rate_sensitive(self, model: Any) -> bool:
        """Whether replicas at k times the learning rate were measured to lose quality in
        this configuration (skip-gram, hierarchical softmax: bench/DISTRIBUTED.md)."""
        return bool(model.sg or model.hs)

    def _copy_layers(self, model: Any, payload: Mapping[str, Any]) -> None:
        for name in self.layers:
            arr = payload.get(name)
            setattr(model, name, None if arr is None else np.array(arr, np.float32))

    def encode(
        self,
        model: Any,
        shard: FileShard | BagShard,
        counted: ShardCount | None,
        partitions: Sequence[Any],
        first_sentence: int,
    ) -> EncodedShard:
        """The shard encoded with the replica's vocabulary (``counted``: the tokens its count
        kept, if any)."""
        ids, offsets = encode_shard(shard, model.wv.key_to_index, counted, partitions)
        return EncodedShard(ids, offsets)

    def make_run(
        self,
        model: Any,
        encoded: EncodedShard,
        first: int,
        end: int,
        alpha: float,
        end_alpha: float,
    ) -> Any:
        """The kernel run over sentences [first, end) of the shard, the learning rate going
        linearly from ``alpha`` to ``end_alpha`` over the slice's words."""
        # _make_run is the family hook the local lifecycle calls for the same purpose (see
        # EmbeddingModel's docstring); one pass over the slice is one "epoch" of that run.
        ids, offsets = _slice(encoded, first, end)
        return model._make_run(ids, offsets, 1, alpha, end_alpha)


@dataclass
class TagCount:
    """A shard's tags, as :class:`~fastembed_core.models.doc2vec.TagScan` counts them:
    the highest int tag, the str tags in order of first appearance, and documents and words
    per tag. ``shift``: the int tags are line numbers within the shard, to be moved by the
    shard's first line."""

    max_int: int
    str_keys: list[str]
    doc_count: dict[Any, int]
    word_count: dict[Any, int]
    shift: bool


_TAG_ATTRS = ("doc_count", "word_count")


def _documents(
    shard: FileShard | BagShard, partitions: Sequence[Any], first_line: int
) -> Iterator[Any]:
    """A shard's documents, read one at a time: a bag's ``TaggedDocument``s, or a file's
    lines as documents tagged with their line numbers from ``first_line``."""
    if not isinstance(shard, FileShard):
        yield from bag_items(partitions)
        return
    for number, line in enumerate(shard.lines(), first_line):
        yield TaggedDocument(line.decode("utf-8", shard.errors).split(), [number])


def _merge_tags(tags: Sequence[TagCount], first_lines: Sequence[int]) -> tuple[list, dict]:
    """The tag keys of the whole corpus in gensim's order (int tags 0..max, then str tags
    in order of first appearance) and their summed counts."""
    max_int = -1
    str_keys: dict[str, None] = {}
    doc_count: dict[Any, int] = {}
    word_count: dict[Any, int] = {}
    for part, first in zip(tags, first_lines):
        shift = first if part.shift else 0
        if part.max_int >= 0:
            max_int = max(max_int, part.max_int + shift)
        str_keys.update(dict.fromkeys(part.str_keys))
        for target, source in ((doc_count, part.doc_count), (word_count, part.word_count)):
            for tag, n in source.items():
                key = tag if isinstance(tag, str) else tag + shift
                target[key] = target.get(key, 0) + n
    keys = [*range(max_int + 1), *str_keys]
    counts = {
        "doc_count": np.array([doc_count.get(k, 0) for k in keys], dtype=np.int64),
        "word_count": np.array([word_count.get(k, 0) for k in keys], dtype=np.int64),
    }
    return keys, counts


class Doc2VecFamily(Word2VecFamily):
    """Doc2Vec: the input matrix (words' rows, then the tags'), ``syn1neg`` and/or ``syn1``.

    A replica keeps the words' rows and only the tag rows of its own shard's documents: its
    input matrix is the driver's rows ``0 .. n_words - 1`` and then ``tag_rows`` (sorted),
    which its deltas are mapped back to. Memory a worker and the comparison that finds a
    round's changes then grow with its shard, not with the corpus."""

    model_class = Doc2Vec

    def __init__(self) -> None:
        # replica -> the driver's rows of its tags
        self._tag_rows: weakref.WeakKeyDictionary[Any, np.ndarray] = weakref.WeakKeyDictionary()

    def count(
        self, shard: FileShard | BagShard, partitions: Sequence[Any], max_vocab_size: int | None
    ) -> ShardCount:
        # local Doc2Vec counts a corpus_file through Python's split(), line by line, not the
        # C reader (which would cut lines over 10,000 words): the same here, so that the
        # vocabulary and the tags equal the local ones
        scan = TagScan()
        documents = _documents(shard, partitions, 0)  # file lines counted from the shard's
        counts, total, n_docs = vocab_mod.count_iterable(scan.words_of(documents), max_vocab_size)
        tags = TagCount(
            scan.max_int,
            list(scan.str_index),
            scan.doc_count,
            scan.word_count,
            isinstance(shard, FileShard),
        )
        words = np.fromiter(counts.values(), np.int64, len(counts))
        return ShardCount(list(counts), words, total, n_docs, tags=tags)

    def _set_pending(
        self,
        model: Any,
        parts: Sequence[ShardCount],
        first_sentences: Sequence[int],
        params: Mapping[str, Any],
    ) -> None:
        model._pending_tags = _merge_tags([p.tags for p in parts], first_sentences)

    def _input(self, model: Any) -> dict[str, np.ndarray]:
        return {"input": model._w_in}  # the words' rows, then the tags'

    def sync(self, model: Any) -> None:
        super().sync(model)
        model.dv.invalidate_norms()

    def rate_sensitive(self, model: Any) -> bool:
        # PV-DBOW is skip-gram over the document rows, but measured to gain, not lose, as
        # workers (and the replicas' rate) grow: bench/DISTRIBUTED.md, "Doc2Vec"
        return bool(model.hs)

    counts_on_resume = True

    def shard_rows(
        self, model: Any, parts: Sequence[ShardCount], first_sentences: Sequence[int]
    ) -> list[np.ndarray | None]:
        """The driver's rows of the tags each shard's documents carry, sorted."""
        index = model.dv.key_to_index
        out: list[np.ndarray | None] = []
        for part, first in zip(parts, first_sentences):
            shift = first if part.tags.shift else 0
            keys = (tag if isinstance(tag, str) else tag + shift for tag in part.tags.doc_count)
            rows = np.fromiter((index[k] for k in keys), np.int64, len(part.tags.doc_count))
            out.append(len(model.wv) + np.unique(rows))
        return out

    def payload(self, model: Any, own_rows: np.ndarray | None = None) -> dict[str, Any]:
        # the words' rows and the shard's tag rows only: a worker's share of a corpus of
        # millions of documents, not every document's row
        n_words = len(model.wv)
        if own_rows is None:
            own_rows = np.arange(n_words, len(model._w_in), dtype=np.int64)
        tags: np.ndarray = own_rows - n_words
        payload = {
            "words": model._w_in[:n_words],
            "tag_rows": own_rows,
            "tag_input": model._w_in[own_rows],
            "tags": [model.dv.index_to_key[i] for i in tags.tolist()],
            **{name: np.asarray(model.dv.expandos[name])[tags] for name in _TAG_ATTRS},
            "count": model.wv.expandos["count"],
            "keys": list(model.wv.index_to_key),
        }
        payload.update({name: arr for name, arr in self.arrays(model).items() if name != "input"})
        return payload

    def replica(self, init_params: Mapping[str, Any], payload: Mapping[str, Any]) -> Any:
        model = self.model_class(**init_params)
        keys: list[Hashable] = list(payload["keys"])
        # its input matrix: the words' rows, then the shard's tag rows in the driver's order
        w_in = np.concatenate([payload["words"], payload["tag_input"]]).astype(np.float32)
        model.wv = KeyedVectors.from_arrays(
            keys, w_in[: len(keys)], counts=np.asarray(payload["count"]), copy=False
        )
        attrs = {name: np.asarray(payload[name]) for name in _TAG_ATTRS}
        model._attach(w_in, list(payload["tags"]), attrs)
        self._tag_rows[model] = np.asarray(payload["tag_rows"], np.int64)
        self._copy_layers(model, payload)
        return model

    def encode(
        self,
        model: Any,
        shard: FileShard | BagShard,
        counted: ShardCount | None,
        partitions: Sequence[Any],
        first_sentence: int,
    ) -> EncodedShard:
        # read as they are encoded, a chunk of documents at a time; the replica's tags are
        # this shard's, so the tag rows come out as the replica's rows
        documents = _documents(shard, partitions, first_sentence)
        ids, offsets, _, _ = model._encode(documents, None)
        (doc_offsets, doc_rows), model._doc_tables = model._doc_tables, None
        return EncodedShard(ids, offsets, (doc_offsets, doc_rows))

    def to_driver(self, model: Any, name: str, delta: RowDelta) -> RowDelta:
        tag_rows = self._tag_rows.get(model)
        if name != "input" or tag_rows is None:
            return delta
        rows, values = delta
        if combine_mod.is_dense(rows):
            rows = np.flatnonzero(rows)
            values = values[rows]
        out: np.ndarray = rows.astype(np.int64)  # a copy: sorted local rows -> driver rows
        tail = out >= len(model.wv)
        out[tail] = tag_rows[out[tail] - len(model.wv)]
        return out, values

    def to_replica(self, model: Any, name: str, delta: RowDelta) -> RowDelta:
        tag_rows = self._tag_rows.get(model)
        if name != "input" or tag_rows is None:
            return delta
        rows, values = delta
        n_words = len(model.wv)
        if combine_mod.is_dense(rows):
            keep = np.concatenate([np.arange(n_words), tag_rows])
            return rows[keep], values[keep]
        # sparse: the words' rows and this replica's tag rows, the others' tags left out
        at = np.searchsorted(tag_rows, rows)
        is_word = rows < n_words
        mine = is_word.copy()
        if len(tag_rows):
            mine |= tag_rows[np.minimum(at, len(tag_rows) - 1)] == rows
        local = np.where(is_word, rows, n_words + at)
        return local[mine], values[mine]

    def make_run(
        self,
        model: Any,
        encoded: EncodedShard,
        first: int,
        end: int,
        alpha: float,
        end_alpha: float,
    ) -> Any:
        assert encoded.docs is not None
        doc_offsets, doc_rows = encoded.docs
        lo, hi = int(doc_offsets[first]), int(doc_offsets[end])
        # Doc2Vec._make_run takes the document tables of the corpus it was just given
        model._doc_tables = (doc_offsets[first : end + 1] - lo, doc_rows[lo:hi])
        return super().make_run(model, encoded, first, end, alpha, end_alpha)


class Item2VecFamily(Word2VecFamily):
    """Item2Vec: Word2Vec's matrices; without a ``window`` given, the longest session of the
    whole corpus, as ``Item2Vec(sessions)`` sets it."""

    model_class = Item2Vec

    def count(
        self, shard: FileShard | BagShard, partitions: Sequence[Any], max_vocab_size: int | None
    ) -> ShardCount:
        counted = super().count(shard, partitions, max_vocab_size)
        if isinstance(shard, BagShard):
            sessions: Iterable[Sequence[Any]] = bag_items(partitions)
            counted.longest = max((len(s) for s in sessions), default=0)
        elif counted.tokens is not None:
            counted.longest = int(np.diff(counted.tokens[1]).max(initial=0))
        else:  # pruned: the tokens were not kept
            counted.longest = max((len(line.split()) for line in shard.lines()), default=0)
        return counted

    def _set_pending(
        self,
        model: Any,
        parts: Sequence[ShardCount],
        first_sentences: Sequence[int],
        params: Mapping[str, Any],
    ) -> None:
        if "window" not in params:
            model.window = max(1, *(p.longest for p in parts))


class _TrainedRows:
    """A FastText model's compact copy of the input rows training reaches, with the subword
    table and lock factors as rows of the copy (the same rows, in the same order, wherever it
    is built from the same vocabulary and settings)."""

    def __init__(self, model: FastText) -> None:
        subword_offsets, subword_rows = model._subword_table()
        self.hot = 0
        if model.ngrams_enabled:
            # several kernel threads: the most used n-gram rows first, as local training
            # puts them, where each thread keeps private copies
            self.hot = HOT_NGRAM_ROWS if model.workers > 1 and HOT_ROWS else 0
            rows, subword_rows = model._training_rows(subword_offsets, subword_rows, self.hot, True)
        else:
            rows = np.arange(len(model.wv), dtype=np.intp)
        self.compact = CompactRows(model._w_in, rows)
        self.subword_offsets, self.subword_rows = subword_offsets, subword_rows
        lockf = model._lock_factors()
        self.lockf = None if lockf is None else _kernel.check_lockf(lockf[self.compact.rows])


class FastTextFamily(Word2VecFamily):
    """FastText: the trained rows of the input matrix (a compact copy), ``syn1neg`` and/or
    ``syn1``. The copy of a model in training is kept here, not on the model (whose copies,
    pickles and files must not carry it)."""

    model_class = FastText

    def __init__(self) -> None:
        self._copies: weakref.WeakKeyDictionary[Any, _TrainedRows] = weakref.WeakKeyDictionary()

    def _rows(self, model: Any) -> _TrainedRows:
        rows = self._copies.get(model)
        if rows is None:
            rows = _TrainedRows(model)
            rows.compact.gather()
            self._copies[model] = rows
        return rows

    def _input(self, model: Any) -> dict[str, np.ndarray]:
        return {"input": self._rows(model).compact.matrix}

    def replica(self, init_params: Mapping[str, Any], payload: Mapping[str, Any]) -> Any:
        model: Any = self.model_class(**init_params)
        keys = list(payload["keys"])
        model._check_words(keys)
        # the full matrix only gives the copy its row numbers: untouched, it stays zero and
        # uncommitted (vectors.lazy_rows); the copy is filled from the driver's
        w_in = zeroed_rows(len(keys) + model.bucket, model.vector_size)
        model._set_input(keys, np.asarray(payload["count"], np.int64), w_in)
        rows = _TrainedRows(model)
        np.copyto(rows.compact.matrix, payload["input"])
        self._copies[model] = rows
        self._copy_layers(model, payload)
        return model

    def make_run(
        self,
        model: Any,
        encoded: EncodedShard,
        first: int,
        end: int,
        alpha: float,
        end_alpha: float,
    ) -> Any:
        rows = self._rows(model)
        ids, offsets = _slice(encoded, first, end)
        run = model._training_run(
            ids,
            1,
            alpha,
            end_alpha,
            rows.compact.matrix,
            rows.lockf,
            subword_offsets=rows.subword_offsets,
            subword_rows=rows.subword_rows,
            cbow_sums=model.cbow_sums,
            **({"hot_ngram_rows": rows.hot} if rows.hot else {}),
        )
        run.set_corpus(ids, offsets)
        return run

    def sync(self, model: Any) -> None:
        rows = self._copies.get(model)
        if rows is not None:
            rows.compact.scatter()
            model._refresh_means(rows.compact, rows.subword_rows if model.ngrams_enabled else None)

    def finish(self, model: Any) -> None:
        # the last round ended an epoch, whose sync wrote the copy back
        self._copies.pop(model, None)


_FAMILIES: dict[type, Word2VecFamily] = {
    Word2Vec: Word2VecFamily(),
    Doc2Vec: Doc2VecFamily(),
    FastText: FastTextFamily(),
    Item2Vec: Item2VecFamily(),
}


def family_of(model_class: type) -> Word2VecFamily:
    try:
        return _FAMILIES[model_class]
    except KeyError:
        raise TypeError(
            f"distributed training supports {', '.join(c.__name__ for c in _FAMILIES)}; "
            f"not {getattr(model_class, '__name__', model_class)!r}"
        ) from None
