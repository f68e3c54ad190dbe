"""The corpus cut into shards, one per Dask worker, and each shard counted where it is read.

A file shard is a byte range of the corpus files read one after the other, cut at line
starts (a line is never split): shard ``k`` of ``n`` runs from the first line start at or
after byte ``total * k // n`` to the first line start at or after byte
``total * (k + 1) // n``. Only the file sizes are needed to plan the shards; each worker finds
its own line starts, and two neighbours find the same one, so every line belongs to exactly
one shard. The bytes are counted in C (``_corpus.count_pieces``, the per-part count the local
multi-threaded scan merges), so merging the shards' counts in shard order gives the words,
first-seen order, counts and totals of the single-machine scan exactly.

A bag shard is a run of consecutive partitions of a ``dask.bag.Bag`` of token lists.

Paths with ``://`` are read through fsspec (an optional import): the worker copies its byte
range of each file to a local temporary file, which the C reader counts, then deletes it.
"""

from __future__ import annotations

import bisect
import glob
import itertools
import os
import tempfile
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _corpus
from ..models import vocab as vocab_mod
from ..models.corpora import is_compressed

__all__ = [
    "ShardCount",
    "FileShard",
    "BagShard",
    "resolve_paths",
    "plan_file_shards",
    "plan_bag_shards",
    "bag_items",
    "count_shard",
    "encode_shard",
    "merge_counts",
]


@dataclass
class ShardCount:
    """What counting one shard gives: distinct words in first-seen order, their counts, every
    token read, the sentences, (file shards) the tokens as indices into ``words``, and what
    else the model family counts (Doc2Vec: the tags, ``family.TagCount``; Item2Vec: the
    longest session)."""

    words: list[Hashable]
    counts: np.ndarray
    total_words: int
    n_sentences: int
    tokens: tuple[np.ndarray, np.ndarray] | None = None
    tags: Any = None
    longest: int = 0  # the most tokens of a sentence (Item2Vec's default window), if counted

    def summary(self) -> ShardCount:
        """The counts without the tokens (what travels back to the driver)."""
        return ShardCount(
            self.words,
            self.counts,
            self.total_words,
            self.n_sentences,
            tags=self.tags,
            longest=self.longest,
        )


_READ_BLOCK = 1 << 22


def _is_url(path: str) -> bool:
    return "://" in path


def _fsspec() -> Any:
    try:
        import fsspec
    except ImportError as exc:
        raise ImportError(
            "corpus paths with '://' are read through fsspec: pip install fsspec "
            "(plus the filesystem's package, e.g. s3fs or gcsfs)"
        ) from exc
    return fsspec


def _has_magic(path: str) -> bool:
    return any(ch in path for ch in "*?[")


def resolve_paths(corpus_file: Any) -> list[str]:
    """The files of ``corpus_file`` (a path, an fsspec URL, a glob of either, or a list of
    them), globs expanded in sorted order; ValueError if one is missing or unreadable."""
    if isinstance(corpus_file, (str, bytes, os.PathLike)):
        items = [corpus_file]
    else:
        try:
            items = list(corpus_file)
        except TypeError:
            raise TypeError(
                f"corpus_file must be a path, a URL, a glob or a list of them; got "
                f"{type(corpus_file).__name__}"
            ) from None
    if not items:
        raise ValueError("corpus_file is an empty list")
    paths: list[str] = []
    for item in items:
        if not isinstance(item, (str, bytes, os.PathLike)):
            raise TypeError(f"each corpus path must be a str or os.PathLike; got {item!r}")
        path = os.fsdecode(os.fspath(item))
        if not _has_magic(path):
            paths.append(path)
            continue
        if _is_url(path):
            fs, _, _ = _fsspec().get_fs_token_paths(path)
            protocol = path.split("://", 1)[0]
            found = [f"{protocol}://{p}" if "://" not in p else p for p in sorted(fs.glob(path))]
        else:
            found = sorted(glob.glob(path))
        if not found:
            raise ValueError(f"corpus_file {path!r} matches no file")
        paths.extend(found)
    for path in paths:
        if is_compressed(path):
            # a shard is a byte range of the file: compressed bytes cannot be cut at lines
            raise ValueError(
                f"corpus_file {path!r} is compressed: the cluster reads byte ranges of the "
                "files, so give it the decompressed text (or a dask.bag of its lines)"
            )
        _check_readable(path)
    return paths


def _check_readable(path: str) -> None:
    if _is_url(path):
        fs, _, (inner,) = _fsspec().get_fs_token_paths(path)
        if not fs.isfile(inner):
            raise ValueError(f"corpus_file {path!r} is not a readable file")
        return
    if not os.path.isfile(path):
        raise ValueError(f"corpus_file {path!r} is not a readable file (missing or a directory)")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise ValueError(f"corpus_file {path!r} cannot be read: {exc}") from None


def _size(path: str) -> int:
    if _is_url(path):
        fs, _, (inner,) = _fsspec().get_fs_token_paths(path)
        return int(fs.size(inner))
    return os.path.getsize(path)


@dataclass(frozen=True)
class FileShard:
    """Shard ``index`` of ``n_shards`` of the files ``paths`` (of ``sizes`` bytes)."""

    paths: tuple[str, ...]
    sizes: tuple[int, ...]
    index: int
    n_shards: int
    errors: str = "strict"

    def describe(self) -> dict[str, Any]:
        return {"paths": list(self.paths), "sizes": list(self.sizes), "n_shards": self.n_shards}

    def _line_start(self, f: int, offset: int) -> int:
        if not _is_url(self.paths[f]):
            return int(_corpus._line_start(self.paths[f], offset))
        if offset == 0:
            return 0
        with _fsspec().open(self.paths[f], "rb") as handle:
            return int(_corpus._line_start_in(handle, offset))

    def _cut(self, k: int) -> tuple[int, int]:
        """(file, offset) where shard k starts: the line start at or after its target byte."""
        starts = [0, *itertools.accumulate(self.sizes)]
        n_files = len(self.sizes)
        target = starts[n_files] * k // self.n_shards
        if k >= self.n_shards or target >= starts[n_files]:
            return (n_files, 0)
        f = bisect.bisect_right(starts, target) - 1
        while self.sizes[f] == 0:  # empty files hold no line start
            f += 1
        offset = self._line_start(f, target - starts[f])
        return (f, offset) if offset < self.sizes[f] else (f + 1, 0)

    def pieces(self) -> list[tuple[int, int, int]]:
        """This shard's ``(file index, start, end)`` byte ranges (``end`` -1: to the end)."""
        (f0, o0), (f1, o1) = self._cut(self.index), self._cut(self.index + 1)
        out = []
        for f in range(f0, min(f1, len(self.sizes) - 1) + 1):
            start = o0 if f == f0 else 0
            end = o1 if f == f1 else -1
            if (end < 0 and start < self.sizes[f]) or end > start:
                out.append((f, start, end))
        return out

    def count(self) -> ShardCount:
        pieces = self.pieces()
        if not pieces:
            return ShardCount([], np.zeros(0, np.int64), 0, 0, _no_tokens())
        if not any(_is_url(p) for p in self.paths):
            words, counts, total, n_sent, tokens = _corpus.count_pieces(
                list(self.paths), pieces, self.errors
            )
            return ShardCount(words, counts, total, n_sent, tokens)
        with tempfile.TemporaryDirectory(prefix="fastembed-shard-") as tmp:
            local = [self._copy_piece(piece, tmp, j) for j, piece in enumerate(pieces)]
            words, counts, total, n_sent, tokens = _corpus.count_pieces(
                local, [(j, 0, -1) for j in range(len(local))], self.errors
            )
        return ShardCount(words, counts, total, n_sent, tokens)

    def lines(self) -> Iterator[bytes]:
        """The shard's lines, without their line ends, read a block at a time; the files
        one after the other, the last line of a file ending with it."""
        for f, start, end in self.pieces():
            path = self.paths[f]
            remaining = (self.sizes[f] if end < 0 else end) - start
            opened = _fsspec().open(path, "rb") if _is_url(path) else open(path, "rb")
            with opened as handle:
                handle.seek(start)
                pending: list[bytes] = []  # the blocks of a line not ended yet
                while remaining > 0:
                    block = handle.read(min(remaining, _READ_BLOCK))
                    if not block:
                        break
                    remaining -= len(block)
                    first, *complete = block.split(b"\n")
                    pending.append(first)
                    if complete:  # the pending line ends in this block
                        yield b"".join(pending)
                        *complete, last = complete
                        yield from complete
                        pending = [last]
                line = b"".join(pending)
                if line:
                    yield line

    def _copy_piece(self, piece: tuple[int, int, int], tmp: str, j: int) -> str:
        f, start, end = piece
        end = self.sizes[f] if end < 0 else end
        local = os.path.join(tmp, f"piece-{j}.txt")
        with _fsspec().open(self.paths[f], "rb") as src, open(local, "wb") as dst:
            src.seek(start)
            remaining = end - start
            while remaining > 0:
                block = src.read(min(remaining, 1 << 22))
                if not block:
                    break
                dst.write(block)
                remaining -= len(block)
        return local


def _no_tokens() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, np.uint32), np.zeros(1, np.int64)


def plan_file_shards(paths: Sequence[str], n_shards: int, errors: str) -> list[FileShard]:
    """``n_shards`` shards of the files (some may be empty on a tiny corpus); ValueError if
    the files hold no byte at all."""
    sizes = tuple(_size(p) for p in paths)
    if not sum(sizes):
        raise ValueError(f"the corpus is empty: {', '.join(paths)} hold no bytes")
    return [FileShard(tuple(paths), sizes, k, n_shards, errors) for k in range(n_shards)]


@dataclass(frozen=True)
class BagShard:
    """Partitions ``first .. end - 1`` of a bag; the partitions themselves come as the task's
    argument (Dask moves them to the worker, and recomputes them if a worker is lost)."""

    first: int
    end: int
    index: int
    n_shards: int

    def describe(self) -> dict[str, Any]:
        return {"partitions": [self.first, self.end], "n_shards": self.n_shards}


def plan_bag_shards(n_partitions: int, n_shards: int) -> list[BagShard]:
    n_shards = max(1, min(n_shards, n_partitions))
    cuts = [n_partitions * k // n_shards for k in range(n_shards + 1)]
    return [BagShard(cuts[k], cuts[k + 1], k, n_shards) for k in range(n_shards)]


def bag_items(partitions: Iterable[Iterable[Any]]) -> Iterator[Any]:
    """The items of a bag shard's partitions, in order (sentences, sessions or documents)."""
    for part in partitions:
        yield from part


def count_shard(
    shard: FileShard | BagShard, partitions: Sequence[Any] = (), max_vocab_size: int | None = None
) -> ShardCount:
    """Counts one shard (on the worker). ``max_vocab_size`` bounds each shard's table with
    gensim's pruning rule (then the vocabulary is not the single-machine scan's: pruning
    depends on the order of the whole corpus)."""
    if isinstance(shard, FileShard):
        counted = shard.count()
    else:
        counts, total, n_sent = vocab_mod.count_iterable(bag_items(partitions), None)
        counted = ShardCount(
            list(counts), np.fromiter(counts.values(), np.int64, len(counts)), total, n_sent
        )
    if max_vocab_size is not None and len(counted.words) > max_vocab_size:
        counted = _pruned(counted, max_vocab_size)
    return counted


def _pruned(counted: ShardCount, max_vocab_size: int) -> ShardCount:
    """gensim's rule: drop words seen fewer than min_reduce times, min_reduce rising by one,
    until at most max_vocab_size remain (the kept tokens then no longer match: dropped)."""
    counts = counted.counts
    min_reduce = 1
    keep: np.ndarray = np.ones(len(counts), bool)
    while keep.sum() > max_vocab_size:
        keep &= counts >= min_reduce + 1
        min_reduce += 1
    words = [w for w, k in zip(counted.words, keep.tolist()) if k]
    return ShardCount(words, counts[keep], counted.total_words, counted.n_sentences)


def encode_shard(
    shard: FileShard | BagShard,
    key_to_index: dict[Hashable, int],
    counted: ShardCount | None = None,
    partitions: Sequence[Any] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """The shard as ``(ids, offsets)`` of vocabulary rows, laid out as local training encodes
    a corpus (sentences left empty removed); a file shard reuses the tokens its count kept."""
    if isinstance(shard, BagShard):
        ids, offsets, _, _ = vocab_mod.encode_iterable(bag_items(partitions), key_to_index)
        return ids, offsets
    if counted is None or counted.tokens is None:
        counted = shard.count()
    assert counted.tokens is not None  # a count without pruning keeps its tokens
    new_id = np.fromiter(
        (key_to_index.get(w, -1) for w in counted.words), np.int64, len(counted.words)
    )
    ids, offsets = counted.tokens
    if not len(counted.words):
        return ids, offsets
    return _corpus.remap_tokens(ids, offsets, new_id)


def merge_counts(parts: Sequence[ShardCount]) -> tuple[vocab_mod.WordCounts, int, int]:
    """The shards' counts merged in shard order: words in first-seen order of the whole
    corpus, summed counts, total words and sentences."""
    index: dict[Hashable, int] = {}
    words: list[Hashable] = []
    for part in parts:
        for w in part.words:
            if w not in index:
                index[w] = len(words)
                words.append(w)
    counts: np.ndarray = np.zeros(len(words), np.int64)
    for part in parts:
        if len(part.words):
            rows = np.fromiter((index[w] for w in part.words), np.int64, len(part.words))
            counts[rows] += part.counts
    total = sum(p.total_words for p in parts)
    n_sent = sum(p.n_sentences for p in parts)
    return vocab_mod.WordCounts(words, counts), total, n_sent  # type: ignore[arg-type]
