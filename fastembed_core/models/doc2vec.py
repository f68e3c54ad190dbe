"""``Doc2Vec``: paragraph vectors (PV-DM and PV-DBOW) with gensim 4's API, on the C kernel.

A document's tags are rows of the same input matrix as the words: rows ``0 .. V-1`` are the
words' (``model.wv.vectors`` is a view of them), the rows after them the tags'
(``model.dv.vectors``). Training is the word2vec loop with each document's tag rows added to
the input of every centre (``src/fe_train.h``, "Documents"): PV-DM is CBOW over the window's
words and the tags, PV-DBOW skip-gram from the tags (and, with ``dbow_words``, from the
window's words too); with ``dm_concat=1`` PV-DM's input is the tags and the window's words
side by side instead (``src/fe_dm_concat.h``, output rows that wide, a padding word ``"\\0"``
in the vocabulary). :meth:`Doc2Vec.infer_vectors` trains fresh vectors for new documents
against the frozen model in C (``src/fe_doc2vec.h``), several documents per thread with the
GIL released.

Size: over 700 lines because the family is one piece: the documents' reading and tag
layout, the hooks that keep ``wv`` and ``dv`` views of one matrix through training and
save/load, and inference all work on the same state.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections import namedtuple
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, Callable, ClassVar, cast

import numpy as np

from .. import _kernel
from ..errors import FormatError
from ..validation import check_int
from ..vectors.keyedvectors import KeyedVectors
from . import gensim_models
from . import vocab as vocab_mod
from .corpora import open_corpus_file
from .word2vec import Word2Vec

logger = logging.getLogger("fastembed_core")

__all__ = ["Doc2Vec", "TaggedDocument", "TaggedLineDocument"]


class TaggedDocument(namedtuple("TaggedDocument", "words tags")):
    """A document for :class:`Doc2Vec`: ``words`` (a list of tokens) and ``tags`` (a list of
    int or str tags; each tag gets a vector in ``model.dv``). gensim's name and shape."""

    def __str__(self) -> str:
        return f"{type(self).__name__}<{self.words}, {self.tags}>"


class TaggedLineDocument:
    """Documents of a text file, one a line, tokens separated by whitespace; each is tagged
    with its line number (0-based), as gensim's class of this name.

    Parameters
    ----------
    source : str, path or binary file object
        A path (``.gz``, ``.bz2`` and ``.xz`` are decompressed) or an open file that can
        ``seek(0)`` (read again from its start on every pass).
    """

    def __init__(self, source: str | os.PathLike | IO[Any]) -> None:
        self.source = source

    def __iter__(self) -> Iterator[TaggedDocument]:
        if hasattr(self.source, "seek") and hasattr(self.source, "read"):
            self.source.seek(0)
            yield from self._documents(cast(Iterable[Any], self.source))
            return
        with open_corpus_file(self.source) as lines:
            yield from self._documents(lines)

    @staticmethod
    def _documents(lines: Iterable[Any]) -> Iterator[TaggedDocument]:
        for number, line in enumerate(lines):
            text = line.decode("utf-8") if isinstance(line, bytes) else line
            yield TaggedDocument(text.split(), [number])


def _check_document(doc: Any, position: int) -> None:
    """gensim's document shape: ``words`` a list of tokens, ``tags`` a list of int or str."""
    if not (hasattr(doc, "words") and hasattr(doc, "tags")):
        raise TypeError(
            f"document {position} is a {type(doc).__name__}, not a TaggedDocument(words, tags)"
        )
    vocab_mod.check_sentence(doc.words, position)
    tags = doc.tags
    if isinstance(tags, (str, bytes)) or not hasattr(tags, "__iter__"):
        raise TypeError(
            f"the tags of document {position} must be a list of int or str tags; got "
            f"{type(tags).__name__} {tags!r} (write tags=[{tags!r}])"
        )
    for tag in tags:
        if isinstance(tag, (bool, np.bool_)) or not isinstance(tag, (int, np.integer, str)):
            raise TypeError(
                f"document {position} has the tag {tag!r} of type {type(tag).__name__}; tags "
                "are int or str"
            )
        if not isinstance(tag, str) and tag < 0:
            raise ValueError(f"document {position} has the negative int tag {tag}")


class TagScan:
    """The tags met while counting a corpus, in gensim's order: int tags take the rows
    ``0 .. max int`` (unused ints included), str tags the rows after them in order of first
    appearance. Documents and words per tag are counted as well."""

    def __init__(self) -> None:
        self.max_int = -1
        self.str_index: dict[str, int] = {}
        self.doc_count: dict[Any, int] = {}
        self.word_count: dict[Any, int] = {}

    def words_of(self, documents: Iterable[Any]) -> Iterator[Sequence[Any]]:
        """The documents' words, noting their tags on the way."""
        for position, doc in enumerate(documents):
            _check_document(doc, position)
            n_words = len(doc.words)
            for tag in doc.tags:
                if isinstance(tag, str):
                    self.str_index.setdefault(tag, len(self.str_index))
                else:
                    tag = int(tag)
                    self.max_int = max(self.max_int, tag)
                self.doc_count[tag] = self.doc_count.get(tag, 0) + 1
                self.word_count[tag] = self.word_count.get(tag, 0) + n_words
            yield doc.words

    def keys(self) -> list[Any]:
        return [*range(self.max_int + 1), *self.str_index]

    def counts(self, keys: list[Any]) -> dict[str, np.ndarray]:
        return {
            "doc_count": np.array([self.doc_count.get(k, 0) for k in keys], dtype=np.int64),
            "word_count": np.array([self.word_count.get(k, 0) for k in keys], dtype=np.int64),
        }


# Tokens per chunk of documents encoded at once (bounds the token views held at a time).
_ENCODE_TOKENS = 1 << 20
# Documents to infer encoded by dict lookups, not the C table (see Doc2Vec._encode_words).
_FEW_DOCUMENTS, _FEW_TOKENS = 1000, 20000


def _encode_in_chunks(encode_chunk: Callable[[int], tuple]) -> tuple:
    """Calls ``encode_chunk(position of its first document)`` (a ``TokenEncoder`` method
    taking documents from one iterator) until a call takes none, and joins what the calls
    return, ``(ids, kept per document, tokens read, *more arrays)``, into ``(ids, offsets,
    tokens, documents, *the more arrays joined)``."""
    parts = []
    n_docs = raw = 0
    while True:
        ids, kept, tokens, *more = encode_chunk(n_docs)
        # the last, empty, result is kept too: it gives the arrays' dtypes when all are empty
        parts.append((ids, kept, *more))
        if not len(kept):
            break
        n_docs += len(kept)
        raw += tokens
    ids, kept, *more = (np.concatenate(arrays) for arrays in zip(*parts))
    offsets: np.ndarray = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(kept, out=offsets[1:])
    return (ids, offsets, raw, n_docs, *more)


def _length_of_words(doc: Any) -> int:
    """How many words a document to infer has (0 for what has no length)."""
    words = doc.words if hasattr(doc, "words") and hasattr(doc, "tags") else doc
    return len(words) if hasattr(words, "__len__") else 0


# Parameters named alike here and in gensim's Doc2Vec, passed to either constructor.
_GENSIM_PARAMS = (
    *(name for name in gensim_models.WORD2VEC_PARAMS if name not in ("sg", "null_word")),
    "dbow_words",
    "dm_concat",
    "dm_tag_count",
)

# The padding word of the concatenating layer: a vocabulary entry, as gensim's.
NULL_WORD = "\0"


def _check_gensim_tag_layout(gensim_dv: Any, tags: list[Any]) -> None:
    """gensim's tag rows: int tags ``0 .. n - 1`` first (each its own row), then str tags,
    each key once. ValueError for another layout, which the rows here could not follow."""
    n_int = sum(1 for t in tags if not isinstance(t, str))
    if tags[:n_int] != list(range(n_int)) or not all(isinstance(t, str) for t in tags[n_int:]):
        raise ValueError("the gensim model's dv keys are not int tags 0..n-1 followed by str tags")
    if len(set(tags)) != len(tags):
        raise ValueError("the gensim model's dv has duplicate tags")
    if len(gensim_dv.vectors) != len(tags):
        raise ValueError(
            f"the gensim model's dv has {len(gensim_dv.vectors)} vectors for {len(tags)} tags"
        )


class Doc2Vec(Word2Vec):
    """Paragraph vectors (Le & Mikolov 2014) with gensim 4's parameter names and defaults.

    Parameters
    ----------
    documents : iterable of TaggedDocument, optional
        The corpus: a re-iterable of ``TaggedDocument(words, tags)``. If given (or
        ``corpus_file``), the vocabulary is built and the model trained now.
    corpus_file : str or path, optional
        A text file of one document a line (tokens separated by whitespace); a document's
        tag is its line number, as :class:`TaggedLineDocument`.
    dm : {1, 0}
        1: PV-DM (the window's words and the document's tags predict the centre word);
        0: PV-DBOW (the document's tags predict each of its words).
    dm_mean : {None, 0, 1}
        PV-DM's input: 1 the mean, 0 the sum of the word and tag vectors; None: ``cbow_mean``.
        (gensim 4.4 documents this but lets ``cbow_mean`` override it; here it is applied.)
    dbow_words : {0, 1}
        PV-DBOW: also train the word vectors by skip-gram, interleaved with the tags.
    dm_concat : {0, 1}
        PV-DM only. 1: the input layer is the concatenation (not the sum or mean) of
        ``dm_tag_count`` tag vectors and the ``2 * window`` word vectors around the centre, in
        order, so ``syn1neg`` / ``syn1`` rows have ``layer1_size = (dm_tag_count + 2 * window)
        * vector_size`` floats (a much larger, slower model). Positions beyond a document's
        ends hold the vector of the padding word ``"\\0"``, added to the vocabulary (gensim's
        ``null_word``); windows never shrink. As gensim, a document that does not have exactly
        ``dm_tag_count`` known tags is not trained (a warning counts them).
    dm_tag_count : int
        Tags per document of the concatenating layer (>= 1).
    dv, dv_mapfile
        gensim's pre-built tag vectors and memory-map path: only None is accepted.
    epochs : int
        Passes over the corpus: 10 by default, as gensim's Doc2Vec.
    vector_size, window, alpha, min_alpha, min_count, max_vocab_size, sample, seed
        As :class:`~fastembed_core.models.word2vec.Word2Vec`.
    workers, hs, negative, ns_exponent, cbow_mean, trim_rule, sorted_vocab, compute_loss
        As :class:`~fastembed_core.models.word2vec.Word2Vec`.
    callbacks, max_final_vocab, shrink_windows, shared_negatives, corpus_file_errors, comment
        As :class:`~fastembed_core.models.word2vec.Word2Vec`.

    Notes
    -----
    Differences from gensim: documents of any length are trained whole (gensim trains the
    first 10,000 words); a tag that is neither int nor str raises TypeError; scores beyond
    +-6 get the saturated gradient instead of being skipped (see ``src/fe_train.h``); with
    ``shared_negatives`` (the default) PV-DBOW draws one set of negatives per word for all
    its inputs (``shared_negatives=False``: a set per (input, word) pair, gensim's order).
    With ``dm_concat=1`` and ``dm_tag_count > 1``, inference puts the new vector in every tag
    slot and trains it (gensim's ``infer_vector`` returns it untrained there: one vector is not
    the expected number of tags).
    """

    _KIND: ClassVar[str] = "Doc2Vec"
    _INIT_PARAMS: ClassVar[tuple[str, ...]] = (
        "vector_size",
        "alpha",
        "min_alpha",
        "window",
        "min_count",
        "max_vocab_size",
        "sample",
        "seed",
        "workers",
        "dm",
        "dm_mean",
        "dbow_words",
        "dm_concat",
        "dm_tag_count",
        "hs",
        "negative",
        "ns_exponent",
        "cbow_mean",
        "epochs",
        "sorted_vocab",
        "compute_loss",
        "max_final_vocab",
        "shrink_windows",
        "shared_negatives",
        "corpus_file_errors",
        "comment",
    )
    _PARAMS: ClassVar[tuple[str, ...]] = (
        *_INIT_PARAMS[:-1],
        "corpus_count",
        "corpus_total_words",
        "effective_min_count",
        "train_count",
        "total_train_time",
        "comment",
    )

    def __init__(
        self,
        documents: Iterable[Any] | None = None,
        corpus_file: str | os.PathLike | None = None,
        vector_size: int = 100,
        dm_mean: int | None = None,
        dm: int = 1,
        dbow_words: int = 0,
        dm_concat: int = 0,
        dm_tag_count: int = 1,
        dv: KeyedVectors | None = None,
        dv_mapfile: str | None = None,
        comment: str | None = None,
        trim_rule: Callable[[Any, int, int], int] | None = None,
        callbacks: Iterable[Any] = (),
        window: int = 5,
        epochs: int = 10,
        shrink_windows: bool = True,
        *,
        alpha: float = 0.025,
        min_alpha: float = 0.0001,
        min_count: int = 5,
        max_vocab_size: int | None = None,
        sample: float = 1e-3,
        seed: int = 1,
        workers: int | None = None,
        hs: int = 0,
        negative: int = 5,
        ns_exponent: float = 0.75,
        cbow_mean: int = 1,
        hashfxn: Any = None,
        null_word: int = 0,
        sorted_vocab: int = 1,
        batch_words: int = 10000,
        compute_loss: bool = False,
        max_final_vocab: int | None = None,
        shared_negatives: bool = True,
        corpus_file_errors: str = "strict",
    ) -> None:
        dm = int(check_int("dm", int(dm) if isinstance(dm, bool) else dm, 0, 1))
        dm_concat = int(check_int("dm_concat", int(dm_concat), 0, 1))
        if dv is not None or dv_mapfile is not None:
            raise NotImplementedError(
                "dv= and dv_mapfile= (pre-built tag vectors) are not supported: the tag "
                "vectors are made by build_vocab()"
            )
        self.dm_mean = None if dm_mean is None else int(check_int("dm_mean", int(dm_mean), 0, 1))
        self.dbow_words = int(check_int("dbow_words", int(dbow_words), 0, 1))
        self.dm_concat = dm_concat
        self.dm_tag_count = check_int("dm_tag_count", dm_tag_count, 1)
        self.dv = KeyedVectors(vector_size)
        self._w_in = np.zeros((0, vector_size), np.float32)
        # the tags the next vocabulary gets: (keys, per-tag counts), from the last scan
        self._pending_tags: tuple[list[Any], dict[str, np.ndarray]] | None = None
        self._doc_tables: tuple[np.ndarray, np.ndarray] | None = None
        super().__init__(
            None,
            None,
            vector_size=vector_size,
            alpha=alpha,
            window=window,
            min_count=min_count,
            max_vocab_size=max_vocab_size,
            sample=sample,
            seed=seed,
            workers=workers,
            min_alpha=min_alpha,
            sg=1 - dm,
            hs=hs,
            negative=negative,
            ns_exponent=ns_exponent,
            cbow_mean=cbow_mean if dm_mean is None else dm_mean,
            hashfxn=hashfxn,
            epochs=epochs,
            null_word=null_word,
            trim_rule=trim_rule,
            sorted_vocab=sorted_vocab,
            batch_words=batch_words,
            compute_loss=compute_loss,
            callbacks=callbacks,
            comment=comment,
            max_final_vocab=max_final_vocab,
            shrink_windows=shrink_windows,
            shared_negatives=shared_negatives,
            corpus_file_errors=corpus_file_errors,
        )
        self._train_now(documents, corpus_file)

    @property
    def dm(self) -> int:
        """1 for PV-DM, 0 for PV-DBOW."""
        return 1 - self.sg

    @property
    def dbow(self) -> int:
        """1 for PV-DBOW, 0 for PV-DM (gensim's name)."""
        return self.sg

    @property
    def _concat(self) -> bool:
        """The concatenating PV-DM layer is in use (dm_concat only counts with PV-DM)."""
        return bool(self.dm_concat) and not self.sg

    @property
    def layer1_size(self) -> int:
        """Width of the hidden layer and of the output rows: ``vector_size``, or with the
        concatenating layer ``(dm_tag_count + 2 * window) * vector_size`` (gensim's)."""
        if self._concat:
            return (self.dm_tag_count + 2 * self.window) * self.vector_size
        return self.vector_size

    def _null_word_row(self) -> int:
        """The padding word's row of the concatenating layer (-1 without the layer)."""
        if not self._concat:
            return -1
        row = self.wv.key_to_index.get(NULL_WORD)
        if row is None:
            raise ValueError(
                "a dm_concat model needs the padding word '\\0' in its vocabulary (build_vocab "
                "adds it)"
            )
        return int(row)

    def _estimate_bytes(self, vocab_size):
        # the output rows of the concatenating layer are wider than the vectors
        extra = (self.layer1_size - self.vector_size) * 4 * vocab_size
        return super()._estimate_bytes(vocab_size) + extra * (bool(self.negative) + bool(self.hs))

    # ------------------------------------------------------------------ the corpus

    def _documents(self, corpus_iterable, corpus_file):
        if corpus_iterable is not None and corpus_file is not None:
            raise TypeError("pass either documents or corpus_file, not both")
        if corpus_file is not None:
            if not isinstance(corpus_file, (str, bytes, os.PathLike)):
                raise TypeError("Doc2Vec reads one corpus_file (a path); tags are line numbers")
            return TaggedLineDocument(os.fsdecode(corpus_file))
        if corpus_iterable is None:
            raise TypeError("pass a corpus: documents (TaggedDocument) or corpus_file")
        vocab_mod.check_corpus(corpus_iterable)
        if isinstance(corpus_iterable, vocab_mod.EncodedCorpus):
            raise TypeError("Doc2Vec trains on TaggedDocuments, not an EncodedCorpus")
        return corpus_iterable

    def _scan(self, corpus_iterable, corpus_file):
        documents = self._documents(corpus_iterable, corpus_file)
        tags = TagScan()
        counts, total, n_docs = vocab_mod.count_iterable(
            tags.words_of(documents), self.max_vocab_size
        )
        keys = tags.keys()
        self._pending_tags = (keys, tags.counts(keys))
        if len(tags.str_index) > n_docs:
            logger.warning("more unique tags (%d) than documents (%d)", len(tags.str_index), n_docs)
        return vocab_mod.check_keys(counts), total, n_docs

    def _apply_counts(self, counts, update, trim_rule, total, n_sent):
        if update:
            old_dv = self.dv
            super()._apply_counts(counts, update, trim_rule, total, n_sent)
            self._grow_tags(old_dv)
            return
        super()._apply_counts(counts, update, trim_rule, total, n_sent)
        if not len(self.wv):
            # No word kept (train() then refuses, as for any model), but the tags are known
            # and get their rows, as gensim's build_vocab gives them.
            tag_keys, tag_attrs = self._pending_tags or ([], TagScan().counts([]))
            self._check_memory(len(tag_keys))
            self._attach(self._init_rows(len(tag_keys), 0), tag_keys, tag_attrs)

    def _grow_tags(self, old_dv: KeyedVectors) -> None:
        """After the words grew (``build_vocab(update=True)``): the known tags keep their
        vectors and add the new corpus's counts, the new tags get fresh rows. gensim's row
        order is kept -- int tags ``0 .. max`` first, then str tags in order of first
        appearance -- so a new int tag above the old maximum moves the str tags' rows up."""
        new_keys, new_attrs = self._pending_tags or ([], TagScan().counts([]))
        old_keys = list(old_dv.index_to_key)
        n_int = max(sum(1 for k in keys if not isinstance(k, str)) for keys in (old_keys, new_keys))
        str_keys = list(dict.fromkeys(k for k in [*old_keys, *new_keys] if isinstance(k, str)))
        keys = [*range(n_int), *str_keys]
        row = {k: i for i, k in enumerate(keys)}
        n_words = len(self.wv)
        self._check_memory(n_words + len(keys))
        tag_rows = self._init_rows(len(keys), n_words)
        old_rows = np.array([row[k] for k in old_keys], dtype=np.int64)
        tag_rows[old_rows] = old_dv.vectors
        attrs = {}
        for name in ("doc_count", "word_count"):
            values: np.ndarray = np.zeros(len(keys), np.int64)
            values[old_rows] += np.asarray(old_dv.expandos[name], dtype=np.int64)
            values[[row[k] for k in new_keys]] += new_attrs[name]
            attrs[name] = values
        lockf = np.asarray(old_dv.vectors_lockf, dtype=np.float32)
        if len(lockf) == len(old_keys) > 1:  # per-row factors stay with their rows
            grown = np.ones(len(keys), np.float32)
            grown[old_rows] = lockf
            self.dv.vectors_lockf = grown
        logger.info(
            "tag update: %d new tags, %d existing", len(keys) - len(old_keys), len(old_keys)
        )
        self._attach(np.concatenate([self.wv.vectors, tag_rows]), keys, attrs)

    def _allocate(self, keys, key_counts):
        if self._concat and NULL_WORD not in keys:
            # gensim's padding word: last, with a count of 1 (drawn as a negative that rarely)
            keys = [*keys, NULL_WORD]
            key_counts = np.append(np.asarray(key_counts, dtype=np.int64), 1)
        super()._allocate(keys, key_counts)
        tag_keys, tag_attrs = self._pending_tags or ([], TagScan().counts([]))
        n_words = len(keys)
        # int tags take rows 0..max: a huge int tag would allocate that many rows
        self._check_memory(n_words + len(tag_keys))
        w_in = np.concatenate([self.wv.vectors, self._init_rows(len(tag_keys), n_words)])
        self._attach(w_in, tag_keys, tag_attrs)

    def reset_from(self, other_model: Any) -> None:
        """Take the words and the tags of ``other_model`` (with their counts) and start from
        fresh weights, as gensim's ``reset_from``."""
        other = other_model.dv
        names = ("doc_count", "word_count")
        self._pending_tags = (
            list(other.index_to_key),
            {n: np.array(other.expandos.get(n, np.zeros(len(other))), np.int64) for n in names},
        )
        super().reset_from(other_model)

    def _attach(self, w_in, tag_keys, tag_attrs):
        """Makes ``w_in`` (words' rows, then tags' rows) the trained input matrix, with
        ``wv`` and ``dv`` keyed views of its two parts."""
        n_words = len(self.wv)
        wv = KeyedVectors.from_arrays(
            list(self.wv.index_to_key),
            w_in[:n_words],
            counts=self.wv.expandos.get("count", np.zeros(0, np.int64)),
            copy=False,
        )
        wv.vectors_lockf = self.wv.vectors_lockf
        dv = KeyedVectors.from_arrays(tag_keys, w_in[n_words:], attrs=tag_attrs, copy=False)
        dv.vectors_lockf = getattr(self.dv, "vectors_lockf", dv.vectors_lockf)
        self._w_in = w_in
        self.wv = wv
        dv.save_guard = self._guard
        self.dv = dv

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        # pickle and deepcopy copy every array on its own, so wv and dv arrive as copies of
        # the input matrix instead of views of it: make them views of the copied matrix again
        if len(self.wv) or len(self.dv):
            self._attach(self._w_in, list(self.dv.index_to_key), dict(self.dv.expandos))

    def _encode(self, corpus_iterable, corpus_file):
        documents = self._documents(corpus_iterable, corpus_file)
        encoder = vocab_mod.token_encoder(self.wv.key_to_index)
        if encoder is None:
            return self._encode_in_python(documents)
        # One pass over each chunk of documents in C: checks, tag rows and word ids (the
        # Python loop below took a fifth of a train() call, run before any worker starts).
        first_tag_row = len(self.wv)
        tag_index = self.dv.key_to_index
        doc_iter = iter(documents)
        ids, offsets, raw, n_docs, rows, n_tags = _encode_in_chunks(
            lambda position: encoder.encode_documents(
                doc_iter, _ENCODE_TOKENS, position, tag_index, first_tag_row, _check_document
            )
        )
        doc_offsets = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(n_tags, out=doc_offsets[1:])
        self._doc_tables = (doc_offsets, rows)
        return ids, offsets, raw, n_docs

    def _encode_in_python(self, documents):
        """:meth:`_encode` for a vocabulary whose keys the C lookups cannot hold (not all
        str): through the dict."""
        first_tag_row = len(self.wv)
        tag_index = self.dv.key_to_index
        lengths: list[int] = []
        rows: list[int] = []

        def words():
            for position, doc in enumerate(documents):
                _check_document(doc, position)
                # tags the vocabulary does not know are left out, as gensim does
                known = [tag_index[t] for t in doc.tags if t in tag_index]
                rows.extend(first_tag_row + r for r in known)
                lengths.append(len(known))
                yield doc.words

        ids, offsets, raw, n_docs = vocab_mod.encode_iterable(
            words(), self.wv.key_to_index, keep_empty=True
        )
        doc_offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=doc_offsets[1:])
        self._doc_tables = (doc_offsets, np.array(rows, dtype=np.uint32))
        return ids, offsets, raw, n_docs

    # ------------------------------------------------------------------ training

    def _lock_factors(self):
        """One factor per input row (words' from ``wv.vectors_lockf``, tags' from
        ``dv.vectors_lockf``, each repeated over its rows as gensim repeats it), or None when
        every factor is 1."""
        parts = [
            _kernel.check_lockf(kv.vectors_lockf) if kv.vectors_lockf is not None else None
            for kv in (self.wv, self.dv)
        ]
        if all(p is None or (p == 1.0).all() for p in parts):
            return None
        sizes = (len(self.wv), len(self.dv))
        return np.concatenate(
            [
                np.resize(p if p is not None else np.ones(1, np.float32), n)
                for p, n in zip(parts, sizes)
            ]
        ).astype(np.float32)

    def _input_items(self):
        return [("input matrix (wv.vectors + dv.vectors)", self._w_in)]

    def _trained_arrays(self):
        return [
            *self._input_items(),
            ("wv.vectors", self.wv.vectors),
            ("dv.vectors", self.dv.vectors),
            *self._layer_items(),
        ]

    def _finite_checked_arrays(self):
        # wv.vectors and dv.vectors are views of the input matrix: it is read once after
        # each epoch, not three times (the check runs serially between epochs)
        return [*self._input_items(), *self._layer_items()]

    def _check_writeable(self):
        super()._check_writeable()
        if not self._w_in.flags.writeable:
            raise ValueError("the input matrix is read-only; load the model with mmap=None")

    def _check_layers(self):
        n_words, n_tags = len(self.wv), len(self.dv)
        w_in = self._w_in
        if (
            w_in.shape != (n_words + n_tags, self.vector_size)
            or not np.shares_memory(self.wv.vectors, w_in)
            or (n_tags and not np.shares_memory(self.dv.vectors, w_in))
        ):
            raise ValueError(
                "model.wv or model.dv is not the view of the input matrix this model trains "
                "(vectors assigned to them from elsewhere); build the vocabulary with "
                "build_vocab() to train"
            )
        for name in ("syn1neg", "syn1"):
            layer = getattr(self, name, None)
            if layer is not None and layer.ndim == 2 and layer.shape[1] != self.layer1_size:
                raise ValueError(
                    f"{name} rows have {layer.shape[1]} floats but the settings (dm_concat="
                    f"{self.dm_concat}, dm_tag_count={self.dm_tag_count}, window={self.window}, "
                    f"vector_size={self.vector_size}) need {self.layer1_size}: the concatenated "
                    "layer's width was changed after build_vocab()"
                )
        super()._check_layers()

    def _make_run(self, ids, offsets, epochs, alpha, min_alpha):
        if self._doc_tables is None:
            raise RuntimeError("the corpus was not encoded as documents")
        doc_offsets, doc_rows = self._doc_tables
        self._doc_tables = None
        concat = {}
        if self._concat:
            skipped = int(np.count_nonzero(np.diff(doc_offsets) != self.dm_tag_count))
            if skipped:
                logger.warning(
                    "dm_concat: %d of %d documents do not have exactly dm_tag_count=%d known "
                    "tags and are not trained (as in gensim)",
                    skipped,
                    len(doc_offsets) - 1,
                    self.dm_tag_count,
                )
            concat = {
                "dm_concat": True,
                "dm_tag_count": self.dm_tag_count,
                "null_word": self._null_word_row(),
            }
        run = self._training_run(
            ids,
            epochs,
            alpha,
            min_alpha,
            self._w_in,
            self._lock_factors(),
            n_words=len(self.wv),
            dbow_words=bool(self.dbow_words),
            **concat,
        )
        run.set_corpus(ids, offsets, doc_offsets, doc_rows)
        return run

    def _train_encoded(self, ids, offsets, raw, epochs, alpha, min_alpha, callbacks, report_delay):
        try:
            return super()._train_encoded(
                ids, offsets, raw, epochs, alpha, min_alpha, callbacks, report_delay
            )
        finally:
            self._doc_tables = None
            self.dv.invalidate_norms()

    # ------------------------------------------------------------------ new documents

    def infer_vectors(
        self,
        documents: Iterable[Any],
        alpha: float | None = None,
        min_alpha: float | None = None,
        epochs: int | None = None,
        *,
        seed: int | None = None,
        workers: int | None = None,
    ) -> np.ndarray:
        """Vectors of new documents, trained against the frozen model (gensim's
        ``infer_vector`` for many documents at once, in C with the GIL released).

        Parameters
        ----------
        documents : iterable of list of str (or of TaggedDocument, whose words are used)
            The documents; words the model does not know are left out.
        alpha, min_alpha : float, optional
            Learning rate, falling linearly per pass (default: the model's).
        epochs : int, optional
            Passes over each document (default: the model's ``epochs``).
        seed : int, optional
            Seed of the initial vectors and the random draws (default: the model's). A
            document's vector depends only on its words, the settings and the seed: not on
            the other documents of the batch, nor on ``workers``.
        workers : int, optional
            Threads (default: the model's ``workers``).

        Returns
        -------
        numpy.ndarray
            float32, one row per document.
        """
        if not len(self.wv):
            raise RuntimeError("the model has no vocabulary: build_vocab() and train() first")
        self._check_layers()
        epochs = self.epochs if not epochs else check_int("epochs", epochs, 1)
        alpha = float(alpha or self.alpha)
        min_alpha = float(min_alpha or self.min_alpha)
        seed = self.seed if seed is None else check_int("seed", seed, 0, (1 << 64) - 1)
        workers = self.workers if workers is None else check_int("workers", workers, 1, 4096)
        if isinstance(documents, (str, bytes)):
            raise TypeError("documents must be a list of token lists, not one string")

        ids, offsets = self._encode_words(documents)
        tables = self._sampling_tables()
        hs_offset, hs_code, hs_point = tables["hs"]
        return _kernel.infer_documents(
            self.wv.vectors,
            self.syn1neg,
            self.syn1[:-1] if self.syn1 is not None else None,
            ids,
            offsets,
            dm=self.dm,
            hs=self.hs,
            negative=self.negative,
            window=self.window,
            cbow_mean=self.cbow_mean,
            shrink_windows=self.shrink_windows,
            epochs=epochs,
            alpha=alpha,
            min_alpha=min_alpha,
            keep_threshold=tables["keep"],
            alias=tables["alias"],
            hs_offset=hs_offset,
            hs_code=hs_code,
            hs_point=hs_point,
            seed=seed,
            workers=workers,
            dm_concat=self._concat,
            dm_tag_count=self.dm_tag_count,
            null_word=self._null_word_row(),
        )

    def _encode_words(self, documents: Iterable[Any]) -> tuple[np.ndarray, np.ndarray]:
        """The ids and offsets of documents to infer (lists of words, or TaggedDocuments
        whose words are taken), every document kept, empty or not."""
        key_to_index = self.wv.key_to_index
        # A few words (infer_vector, called once a document): dict lookups. The C table of
        # the vocabulary costs about as much to build as 50,000 of them (10-20 ms for 30,000
        # words), which made a loop of infer_vector calls 50x slower than gensim's.
        small = (
            isinstance(documents, (list, tuple))
            and len(documents) <= _FEW_DOCUMENTS
            and sum(map(_length_of_words, documents)) <= _FEW_TOKENS
        )
        encoder = None if small else vocab_mod.token_encoder(key_to_index)
        if encoder is None:

            def words():
                # encode_iterable checks each document's shape (with its position)
                for doc in documents:
                    yield doc.words if hasattr(doc, "words") and hasattr(doc, "tags") else doc

            ids, offsets, _, _ = vocab_mod.encode_iterable(
                words(), key_to_index, keep_empty=True, lookup_in_c=False
            )
            return ids, offsets
        doc_iter = iter(documents)
        ids, offsets, _, _ = _encode_in_chunks(
            lambda position: encoder.encode_words(
                doc_iter, _ENCODE_TOKENS, position, vocab_mod.check_sentence
            )
        )
        return ids, offsets

    def infer_vector(
        self,
        doc_words: Sequence[Any],
        alpha: float | None = None,
        min_alpha: float | None = None,
        epochs: int | None = None,
    ) -> np.ndarray:
        """The vector of one new document (gensim's ``infer_vector``): equal to
        ``infer_vectors([doc_words], alpha, min_alpha, epochs)[0]``. The same words give the
        same vector (the model's seed seeds it).

        Parameters
        ----------
        doc_words : list of str
            The document's words; unknown ones are left out.
        alpha, min_alpha, epochs : optional
            As :meth:`infer_vectors` (default: the model's).

        Returns
        -------
        numpy.ndarray
            float32 vector of ``vector_size``.
        """
        if isinstance(doc_words, (str, bytes)):
            raise TypeError("infer_vector() takes a list of words, not a single string")
        return self.infer_vectors([doc_words], alpha, min_alpha, epochs, workers=1)[0]

    def similarity_unseen_docs(
        self,
        doc_words1: Sequence[Any],
        doc_words2: Sequence[Any],
        alpha: float | None = None,
        min_alpha: float | None = None,
        epochs: int | None = None,
    ) -> float:
        """Cosine similarity of the inferred vectors of two new documents (gensim's)."""
        v1, v2 = self.infer_vectors([doc_words1, doc_words2], alpha, min_alpha, epochs)
        norm = float(np.linalg.norm(v1) * np.linalg.norm(v2))
        return float(np.dot(v1, v2) / norm) if norm > 0 else 0.0

    def predict_output_word(
        self, context_words_list: Sequence[Any], topn: int | None = 10
    ) -> list[tuple[Any, float]] | None:
        """As :meth:`Word2Vec.predict_output_word`; not for a ``dm_concat`` model, whose
        output rows take the concatenated layer, not a sum of vectors."""
        self._refuse_concat("predict_output_word")
        return super().predict_output_word(context_words_list, topn)

    def score(self, sentences: Iterable[Sequence[Any]], *args: Any, **kwargs: Any) -> np.ndarray:
        """As :meth:`Word2Vec.score`; not for a ``dm_concat`` model (see
        :meth:`predict_output_word`)."""
        self._refuse_concat("score")
        return super().score(sentences, *args, **kwargs)

    def _refuse_concat(self, method: str) -> None:
        if self._concat:
            raise NotImplementedError(
                f"{method}() combines word vectors by their sum, which a dm_concat=1 model's "
                f"output layer ({self.layer1_size} wide) does not take"
            )

    def __getitem__(self, tag: Any) -> np.ndarray:
        """The vector of a word, else of a document tag (gensim's); a list gives a matrix."""
        if isinstance(tag, (str, int, np.integer)):
            return self.wv[tag] if tag in self.wv.key_to_index else self.dv[tag]
        return np.vstack([self[t] for t in tag])

    # ------------------------------------------------------------------ persistence

    def _extra_meta(self):
        keys = []
        for k in self.dv.index_to_key:
            keys.append(int(k) if isinstance(k, np.integer) else k)
        return {"doc_tags": keys}

    def _restore_extra_meta(self, fname, meta):
        tags = meta.get("doc_tags")
        if not isinstance(tags, list) or not all(
            isinstance(t, str) or (isinstance(t, int) and not isinstance(t, bool)) for t in tags
        ):
            raise FormatError(f"{fname}: Doc2Vec metadata 'doc_tags' is not a list of tags")
        if len(set(tags)) != len(tags):
            raise FormatError(f"{fname}: the file has duplicate document tags")
        self._saved_tags = tags

    def _extra_arrays(self):
        arrays = {
            **super()._extra_arrays(),
            "doc_vectors": self.dv.vectors,
            **{f"doc_{name}": self.dv.expandos[name] for name in ("doc_count", "word_count")},
        }
        lockf = np.asarray(self.dv.vectors_lockf, dtype=np.float32)
        if (lockf != 1.0).any():
            arrays["doc_lockf"] = lockf
        return arrays

    def _restore_extra_arrays(self, fname, arrays):
        super()._restore_extra_arrays(fname, arrays)
        tags = self.__dict__.pop("_saved_tags")
        shape = (len(tags), self.vector_size)
        doc_vectors = arrays.get("doc_vectors")
        if doc_vectors is None:
            raise FormatError(f"{fname}: the Doc2Vec file lacks the array 'doc_vectors'")
        if doc_vectors.shape != shape or doc_vectors.dtype != np.float32:
            raise FormatError(
                f"{fname}: doc_vectors has shape {doc_vectors.shape} ({doc_vectors.dtype}), "
                f"expected {shape} float32"
            )
        if not np.isfinite(doc_vectors).all():
            raise FormatError(f"{fname}: doc_vectors holds NaN or infinite values")
        attrs = {}
        for name in ("doc_count", "word_count"):
            values = arrays.get(f"doc_{name}")
            if values is None or values.shape != (len(tags),) or values.dtype.kind not in "iu":
                raise FormatError(f"{fname}: doc_{name} is missing or damaged")
            attrs[name] = np.array(values, dtype=np.int64)
        lockf = arrays.get("doc_lockf")
        if lockf is not None:
            try:
                self.dv.vectors_lockf = _kernel.check_lockf(np.array(lockf, dtype=np.float32))
            except (TypeError, ValueError) as exc:
                raise FormatError(f"{fname}: doc_lockf: {exc}") from None
        # one matrix again (a copy: a memory-mapped file is read into memory here)
        w_in = np.concatenate([np.asarray(self.wv.vectors), np.asarray(doc_vectors)])
        self._attach(w_in, tags, attrs)

    # ------------------------------------------------------------------ gensim's other names

    @property
    def docvecs(self) -> KeyedVectors:
        """gensim 3's name of :attr:`dv` (deprecated there too)."""
        warnings.warn("docvecs is renamed dv", DeprecationWarning, stacklevel=2)
        return self.dv

    def save_word2vec_format(
        self,
        fname: str | os.PathLike,
        doctag_vec: bool = False,
        word_vec: bool = True,
        prefix: str = "*dt_",
        fvocab: str | os.PathLike | None = None,
        binary: bool = False,
    ) -> None:
        """Write the word vectors and/or the tag vectors in word2vec's text or binary format,
        as gensim's: the words first, then the tags, each written with ``prefix`` in front
        (``"*dt_0"``), under one header counting both."""
        if word_vec:
            total = len(self.wv) + len(self.dv) if doctag_vec else None
            self.wv.save_word2vec_format(fname, fvocab, binary, total_vec=total)
        if doctag_vec:
            self.dv.save_word2vec_format(
                fname,
                fvocab,
                binary,
                write_header=not word_vec,
                prefix=prefix,
                append=word_vec,
                sort_attr="doc_count",
            )

    @classmethod
    def from_gensim(cls, gensim_model: Any) -> Doc2Vec:
        """A model continuing where a gensim ``Doc2Vec`` left off: copies of its vocabulary
        (order and counts), word and tag vectors (tags in gensim's order: int tags, then str
        tags), output layers (``syn1neg``; ``syn1`` with its Huffman tree), lock factors,
        parameters and training state. gensim is not imported.

        Parameters
        ----------
        gensim_model : gensim.models.doc2vec.Doc2Vec

        Returns
        -------
        Doc2Vec
        """
        g = gensim_model
        if not (hasattr(g, "dv") and hasattr(g, "wv") and hasattr(g, "dbow_words")):
            raise TypeError(f"expected a gensim Doc2Vec model; got {type(g).__name__}")
        params = gensim_models.gensim_params(g, _GENSIM_PARAMS)
        model = cls(dm=1 - int(g.sg), **params)
        gensim_models.copy_words_from_gensim(g, model)
        tags = [int(t) if isinstance(t, np.integer) else t for t in g.dv.index_to_key]
        if len(model.wv) and tags:
            _check_gensim_tag_layout(g.dv, tags)
            vectors = gensim_models.gensim_matrix(
                "dv.vectors", g.dv.vectors, (len(tags), model.vector_size)
            )
            expandos = getattr(g.dv, "expandos", {})
            attrs = {}
            for name in ("doc_count", "word_count"):
                values = expandos.get(name)
                attrs[name] = (
                    np.zeros(len(tags), np.int64)
                    if values is None
                    else np.array(values[: len(tags)], dtype=np.int64)
                )
            lockf = getattr(g.dv, "vectors_lockf", None)
            if lockf is not None:
                model.dv.vectors_lockf = _kernel.check_lockf(np.array(lockf, dtype=np.float32))
            model._attach(np.concatenate([model.wv.vectors, vectors]), tags, attrs)
        elif len(model.wv):
            model._attach(np.array(model.wv.vectors), [], TagScan().counts([]))
        return model

    def to_gensim(self) -> Any:
        """A gensim ``Doc2Vec`` with copies of this model's vocabulary, word and tag vectors,
        output layers, lock factors, parameters and training state: gensim's ``train()`` and
        ``infer_vector`` continue from it.

        Returns
        -------
        gensim.models.doc2vec.Doc2Vec

        Raises
        ------
        ImportError
            gensim is not installed (``pip install gensim``).
        """
        try:
            from gensim.models.doc2vec import Doc2Vec as GensimDoc2Vec
        except ImportError as exc:
            raise ImportError("to_gensim() needs gensim: pip install gensim") from exc
        params = {name: getattr(self, name) for name in _GENSIM_PARAMS}
        g = GensimDoc2Vec(dm=self.dm, workers=self.workers, **params)
        if self._concat and len(self.wv):
            self._null_word_row()  # gensim looks the padding word up by its key
        gensim_models.copy_words_to_gensim(self, g)
        if not len(self.wv):
            return g
        gdv = self.dv.to_gensim()
        # gensim looks an int tag up as its row, and keeps only the str tags in key_to_index
        gdv.key_to_index = {
            key: row
            for row, key in enumerate(gdv.index_to_key)
            if not (isinstance(key, int) and key == row)
        }
        gdv.vectors_lockf = np.array(self.dv.vectors_lockf, dtype=np.float32)
        g.dv = gdv
        return g

    def __str__(self) -> str:
        if self.sg:
            mode = "dbow+w" if self.dbow_words else "dbow"
        elif self._concat:
            mode = "dm/c"
        else:
            mode = "dm/m" if self.cbow_mean else "dm/s"
        parts = [mode, f"d{self.vector_size}"]
        if self.negative:
            parts.append(f"n{self.negative}")
        if self.hs:
            parts.append("hs")
        if not self.sg or self.dbow_words:
            parts.append(f"w{self.window}")
        if self.min_count > 1:
            parts.append(f"mc{self.min_count}")
        if self.sample > 0:
            parts.append(f"s{self.sample:g}")
        if self.workers > 1:
            parts.append(f"t{self.workers}")
        return f"Doc2Vec<{','.join(parts)}>"

    __repr__ = __str__
