"""scikit-learn transformers over fastembed_core's embeddings: documents in, vectors out.

* :class:`MeanEmbeddingVectorizer` turns each document into the mean of its words' vectors,
  taken from vectors you already have (a :class:`~fastembed_core.KeyedVectors`, a trained
  model, or a vectors file), plainly or with SIF weights (smooth inverse frequency, with the
  common component removed).
* :class:`Word2VecTransformer` trains a :class:`~fastembed_core.Word2Vec` on the documents it
  is fitted on and turns documents into the mean of their word vectors in the same way.
* :class:`Doc2VecTransformer` trains a :class:`~fastembed_core.Doc2Vec` on the documents it is
  fitted on and infers a vector for each document it transforms.

A document is a list of tokens, or a string when a ``tokenizer`` is given
(:func:`simple_tokenize` is one). Every transformer follows scikit-learn's conventions
(parameters stored by ``__init__`` only, ``fit`` returning ``self``, fitted attributes
ending in ``_``, :class:`~sklearn.exceptions.NotFittedError` before ``fit``), so it can be
cloned and used in a :class:`~sklearn.pipeline.Pipeline` or a
:class:`~sklearn.model_selection.GridSearchCV`::

    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from fastembed_core.sklearn import MeanEmbeddingVectorizer, simple_tokenize

    classifier = make_pipeline(
        MeanEmbeddingVectorizer(model.wv, weighting="sif", tokenizer=simple_tokenize),
        LogisticRegression(max_iter=1000),
    )
    classifier.fit(texts, labels).score(other_texts, other_labels)

scikit-learn is an optional dependency (``pip install 'fastembed_core[sklearn]'``):
``import fastembed_core`` never imports this module, and this module needs scikit-learn
(and SciPy, which scikit-learn depends on).

The module is named after the package it serves. Imports are absolute in Python 3, so
``import sklearn`` here is scikit-learn, never this module; only running a script from inside
the ``fastembed_core`` folder (which puts that folder first on ``sys.path``) would mix the two
up, and nothing should be run from there.
"""

from __future__ import annotations

import functools
import operator
import os
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, NoReturn, Union

import numpy as np
from numpy.typing import NDArray

try:
    import scipy.sparse
    from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
    from sklearn.utils.validation import check_is_fitted
except ImportError as error:  # pragma: no cover - the extra is not installed
    raise ImportError(
        "fastembed_core.sklearn needs scikit-learn: pip install 'fastembed_core[sklearn]'"
    ) from error

from fastembed_core.cli.vector_files import load_vectors
from fastembed_core.models.doc2vec import Doc2Vec, TaggedDocument
from fastembed_core.models.word2vec import Word2Vec
from fastembed_core.validation import check_float, check_int
from fastembed_core.vectors.keyedvectors import KeyedVectors

__all__ = [
    "MeanEmbeddingVectorizer",
    "Word2VecTransformer",
    "Doc2VecTransformer",
    "simple_tokenize",
]

Tokenizer = Callable[[str], Sequence[Hashable]]
Documents = Iterable[Union[str, Sequence[Hashable]]]
VectorsSource = Union[KeyedVectors, Any, str, "os.PathLike[str]"]

WEIGHTINGS = ("mean", "sif")
WORD_COUNT_SOURCES = ("documents", "vectors")

_WORD = re.compile(r"[^\W_]+")


def simple_tokenize(text: str) -> list[str]:
    """Lower-cased runs of letters and digits: ``"The cat's 2 toys"`` -> ``["the", "cat",
    "s", "2", "toys"]``. Punctuation and underscores separate words and are dropped.

    A tokenizer for text whose vectors were trained on lower-case words, such as the bundled
    sample corpus. Any callable from a string to a list of tokens works as ``tokenizer``.
    """
    return _WORD.findall(text.lower())


def _document_list(X: Any) -> list[Any]:
    """The documents of ``X`` as a list, after the checks that concern ``X`` as a whole."""
    if isinstance(X, (str, bytes)):
        raise TypeError(
            "X must be a list of documents, not a single string; wrap it in a list: [text]"
        )
    if scipy.sparse.issparse(X) or (
        isinstance(X, np.ndarray) and X.dtype.kind in "fcb" and X.ndim > 1
    ):
        raise TypeError(
            "X must be documents (lists of tokens, or strings with a tokenizer), not a "
            f"numeric matrix of shape {X.shape}"
        )
    if not isinstance(X, Iterable):
        raise TypeError(f"X must be an iterable of documents; got {type(X).__name__}")
    return list(X)


def _tokenized(X: Any, tokenizer: Tokenizer | None) -> list[list[Hashable]]:
    """The documents of ``X`` as token lists, each string document split by ``tokenizer``
    (a TaggedDocument stands for its words)."""
    if tokenizer is not None and not callable(tokenizer):
        raise TypeError(f"tokenizer must be callable or None; got {tokenizer!r}")
    documents = []
    for number, document in enumerate(_document_list(X)):
        if type(document) is list:  # the common case, checked first for speed
            documents.append(document)
            continue
        if _is_tagged(document):
            document = document.words
        if isinstance(document, str):
            if tokenizer is None:
                raise TypeError(
                    f"document {number} is a string; pass tokenizer= (e.g. str.split or "
                    "fastembed_core.sklearn.simple_tokenize) or give lists of tokens"
                )
            document = tokenizer(document)
        elif isinstance(document, bytes):
            raise TypeError(f"document {number} is bytes; decode it to str first")
        if not isinstance(document, Iterable) or isinstance(document, str):
            raise TypeError(
                f"document {number} must be a list of tokens; got {type(document).__name__}"
            )
        documents.append(list(document))
    return documents


def _check_tokens(documents: list[list[Hashable]]) -> None:
    """TypeError naming the first document with a token that cannot be a key (a nested
    list, say). The tokens are hashed at C speed; only a failure is looked at in Python."""
    for number, document in enumerate(documents):
        try:
            set(document)
        except TypeError:
            _unhashable_token(number, document)


def _unhashable_token(number: int, document: list[Any]) -> NoReturn:
    kind = next(type(t).__name__ for t in document if not isinstance(t, Hashable))
    raise TypeError(
        f"document {number} holds a token of type {kind}, which cannot be a word; documents "
        "must be flat lists of tokens"
    )


def _is_tagged(document: Any) -> bool:
    """A TaggedDocument (or any object of its shape): its ``words`` are the document."""
    return hasattr(document, "words") and hasattr(document, "tags")


def _keyed_vectors(source: VectorsSource) -> KeyedVectors:
    """The vectors named by a ``vectors`` parameter: vectors, a model's ``wv`` or a file."""
    if source is None:
        raise ValueError(
            "vectors is required: a KeyedVectors, a trained model (its .wv is used) or the "
            "path of a vectors file"
        )
    if isinstance(source, KeyedVectors):
        return source
    if isinstance(source, (str, os.PathLike)):
        return load_vectors(source)
    wv = getattr(source, "wv", None)
    if isinstance(wv, KeyedVectors):
        return wv
    raise TypeError(
        "vectors must be a KeyedVectors, a trained model with a .wv, or the path of a vectors "
        f"file; got {type(source).__name__}"
    )


def _rows(wv: KeyedVectors, documents: list[list[Hashable]]) -> tuple[NDArray[Any], NDArray[Any]]:
    """Rows of the known tokens of every document, concatenated, and each document's start
    in them (CSR ``indices`` and ``indptr``). Unknown tokens are skipped."""
    lookup = wv.key_to_index.get
    known: Callable[[Any], bool] = functools.partial(operator.is_not, None)
    rows: list[Any] = []  # ints: the filter drops the Nones of unknown tokens
    starts: NDArray[np.int64] = np.zeros(len(documents) + 1, dtype=np.int64)
    for number, document in enumerate(documents):
        try:
            rows.extend(filter(known, map(lookup, document)))  # no Python loop per token
        except TypeError:
            _unhashable_token(number, document)
        starts[number + 1] = len(rows)
    return np.asarray(rows, dtype=np.int64), starts


def _weighted_means(
    wv: KeyedVectors, rows: NDArray[Any], starts: NDArray[Any], weights: NDArray[Any] | None
) -> NDArray[np.float32]:
    """The (weighted) mean of the known words of each document (``rows`` and ``starts`` from
    :func:`_rows`), as one sparse matrix product."""
    known = np.diff(starts)
    per_token = 1.0 / np.repeat(np.maximum(known, 1), known)
    if weights is not None:
        per_token = per_token * weights[rows]
    averaging = scipy.sparse.csr_matrix(
        (per_token.astype(np.float32), rows, starts), shape=(len(starts) - 1, len(wv))
    )
    return np.asarray(averaging @ wv.vectors, dtype=np.float32)


class MeanEmbeddingVectorizer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Each document becomes the mean of the vectors of its words (weighted, with SIF).

    Parameters
    ----------
    vectors : KeyedVectors, trained model, str or os.PathLike
        The word vectors: a :class:`~fastembed_core.KeyedVectors`, a trained model (its
        ``.wv``), or the path of a vectors file in any format
        :func:`fastembed_core.cli.vector_files.load_vectors` reads (native, word2vec text or
        binary, GloVe, fastText ``.vec``), loaded by :meth:`fit`. Given as an object, the
        vectors are copied by :func:`sklearn.base.clone` (as every parameter is), so a grid
        search over a large vocabulary may rather pass a path, read once per fit.
    weighting : {"mean", "sif"}
        ``"mean"``: the plain mean of the known words' vectors. ``"sif"``: smooth inverse
        frequency (Arora, Liang and Ma, 2017): each word weighs ``sif_a / (sif_a + p(w))``,
        ``p(w)`` its relative frequency, and the first principal component of the fitted
        documents' vectors (the direction common words share) is removed from every result.
    sif_a : float
        The smoothing constant of the SIF weights (> 0); smaller values weigh frequent words
        down more. 1e-3 is the paper's usual choice.
    word_counts : {"documents", "vectors"} or mapping of word to count
        Where SIF's frequencies come from: the tokens of the documents given to :meth:`fit`
        (words they lack get ``p(w) = 0``, the full weight 1), the ``"count"`` attribute of
        the vectors (the training corpus's counts; a word2vec file read without its
        vocabulary file has made-up counts), or a mapping of word to count.
    tokenizer : callable, optional
        Splits string documents into tokens (:func:`simple_tokenize`, ``str.split``, ...).
        Without it every document must be a list of tokens.

    Attributes
    ----------
    wv_ : KeyedVectors
        The vectors used.
    word_weights_ : numpy.ndarray
        SIF only: the weight of each row of ``wv_``.
    common_component_ : numpy.ndarray
        SIF only: the unit vector removed from every document vector.

    Notes
    -----
    Tokens without a vector are skipped; a document with none becomes the zero vector. The
    output has ``wv_.vector_size`` columns (float32). The mean of a document with SIF divides
    the weighted sum by the number of its known tokens, as the paper does.
    """

    def __init__(
        self,
        vectors: VectorsSource = None,
        *,
        weighting: str = "mean",
        sif_a: float = 1e-3,
        word_counts: str | Mapping[Hashable, int] = "documents",
        tokenizer: Tokenizer | None = None,
    ) -> None:
        self.vectors = vectors
        self.weighting = weighting
        self.sif_a = sif_a
        self.word_counts = word_counts
        self.tokenizer = tokenizer

    def fit(self, X: Documents, y: Any = None) -> MeanEmbeddingVectorizer:
        """Take the vectors and, with ``weighting="sif"``, learn the word weights and the
        common component from the documents ``X``.

        Parameters
        ----------
        X : iterable of (list of tokens or str)
            The documents (strings only with a ``tokenizer``).
        y : ignored

        Returns
        -------
        MeanEmbeddingVectorizer
            ``self``.
        """
        self._check_params()
        documents = _tokenized(X, self.tokenizer)
        _check_tokens(documents)
        self._fit_documents(_keyed_vectors(self.vectors), documents)
        return self

    def transform(self, X: Documents) -> NDArray[np.float32]:
        """The vector of each document.

        Parameters
        ----------
        X : iterable of (list of tokens or str)

        Returns
        -------
        numpy.ndarray
            ``(n_documents, vector_size)`` float32.
        """
        check_is_fitted(self, "wv_")
        return self._embed(_tokenized(X, self.tokenizer))

    def _check_params(self) -> None:
        if self.weighting not in WEIGHTINGS:
            raise ValueError(f"weighting must be one of {WEIGHTINGS}; got {self.weighting!r}")
        check_float("sif_a", self.sif_a, 0.0, low_open=True)
        if not isinstance(self.word_counts, Mapping) and self.word_counts not in (
            WORD_COUNT_SOURCES
        ):
            raise ValueError(
                f"word_counts must be one of {WORD_COUNT_SOURCES} or a mapping of word to "
                f"count; got {self.word_counts!r}"
            )

    def _fit_documents(self, wv: KeyedVectors, documents: list[list[Hashable]]) -> None:
        """Fits on documents already split into tokens (shared with the model transformers)."""
        for name in ("word_weights_", "common_component_"):
            self.__dict__.pop(name, None)  # a refit with "mean" keeps no SIF state
        if self.weighting == "sif":
            rows, starts = _rows(wv, documents)
            weights = self._sif_weights(wv, documents, rows)
            self.common_component_ = _first_component(_weighted_means(wv, rows, starts, weights))
            self.word_weights_ = weights
        self.wv_ = wv

    def _sif_weights(
        self, wv: KeyedVectors, documents: list[list[Hashable]], rows: NDArray[Any]
    ) -> NDArray[Any]:
        """``sif_a / (sif_a + p(w))`` for every row of ``wv``; ``rows`` are the known tokens
        of ``documents``."""
        counts: NDArray[np.float64] = np.zeros(len(wv), dtype=np.float64)
        if isinstance(self.word_counts, Mapping):
            total = 0.0
            for word, count in self.word_counts.items():
                total += count
                row = wv.key_to_index.get(word)
                if row is not None:
                    counts[row] = count
        elif self.word_counts == "vectors":
            if "count" not in wv.expandos:
                raise ValueError(
                    'word_counts="vectors" needs vectors with a "count" attribute; these have '
                    'none: use word_counts="documents" or a mapping of word to count'
                )
            counts[:] = wv.expandos["count"]
            total = float(counts.sum())
        else:
            counts[:] = np.bincount(rows, minlength=len(wv))
            total = float(sum(len(document) for document in documents))
        if total <= 0:
            raise ValueError("SIF weights need word counts; the counts given sum to zero")
        return self.sif_a / (self.sif_a + counts / total)

    def _embed(self, documents: list[list[Hashable]]) -> NDArray[np.float32]:
        rows, starts = _rows(self.wv_, documents)
        means = _weighted_means(self.wv_, rows, starts, getattr(self, "word_weights_", None))
        if self.weighting == "sif":
            component = self.common_component_
            means -= np.outer(means @ component, component).astype(np.float32)
        return means

    @property
    def _n_features_out(self) -> int:
        return int(self.wv_.vector_size)

    def __sklearn_tags__(self) -> Any:
        return _document_tags(super().__sklearn_tags__())


def _first_component(means: NDArray[Any]) -> NDArray[np.float32]:
    """Unit vector of the first principal component of the rows of ``means``, not centred
    (the SIF paper removes the direction the document vectors share, mean included)."""
    if not np.any(means):
        raise ValueError(
            'weighting="sif" found no word with a vector in the documents given to fit, so '
            "there is no common component to remove; check the tokenizer and the vectors"
        )
    gram = means.T.astype(np.float64) @ means.astype(np.float64)
    _, eigenvectors = np.linalg.eigh(gram)
    component = eigenvectors[:, -1]
    # The sign of an eigenvector is arbitrary; fixing it makes the attribute reproducible.
    if component[np.argmax(np.abs(component))] < 0:
        component = -component
    return component.astype(np.float32)


def _document_tags(tags: Any) -> Any:
    """Tags of a transformer whose input is documents, not a numeric matrix: scikit-learn's
    generic checks, which feed numeric arrays, do not apply (tests/test_sklearn.py runs the
    ones that do and checks the rest on documents)."""
    tags.input_tags.two_d_array = False
    tags.input_tags.string = True
    tags.requires_fit = True
    return tags


class Word2VecTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Trains :class:`~fastembed_core.Word2Vec` on the documents given to :meth:`fit`, then
    turns each document into the mean of its word vectors.

    Unlike gensim 3's ``W2VTransformer``, whose ``transform`` took *words* and returned one
    vector per word, ``transform`` here takes documents, the same kind of input as ``fit``:
    so ``fit_transform`` works and the transformer can feed a classifier in a ``Pipeline``.
    The word vectors are ``wv_`` (``transformer.wv_[["king", "queen"]]`` is gensim 3's
    ``transform(["king", "queen"])``).

    Parameters
    ----------
    vector_size, alpha, window, min_count, max_vocab_size, sample, seed, workers, min_alpha, \
sg, hs, negative, ns_exponent, cbow_mean, epochs, sorted_vocab, max_final_vocab, \
shrink_windows, shared_negatives
        :class:`~fastembed_core.Word2Vec`'s parameters, with its defaults. ``min_count=5``
        drops every word seen fewer than 5 times, which on a small training set is most of
        them. ``workers=None`` uses every core and is not bitwise reproducible; ``workers=1``
        with a fixed ``seed`` is.
    weighting, sif_a, tokenizer
        As for :class:`MeanEmbeddingVectorizer` (SIF's frequencies are counted over the
        documents given to :meth:`fit`).

    Attributes
    ----------
    model_ : Word2Vec
        The trained model.
    wv_ : KeyedVectors
        Its word vectors.
    vectorizer_ : MeanEmbeddingVectorizer
        The fitted vectorizer over ``wv_`` that :meth:`transform` uses.
    """

    def __init__(
        self,
        *,
        vector_size: int = 100,
        alpha: float = 0.025,
        window: int = 5,
        min_count: int = 5,
        max_vocab_size: int | None = None,
        sample: float = 1e-3,
        seed: int = 1,
        workers: int | None = None,
        min_alpha: float = 0.0001,
        sg: int = 0,
        hs: int = 0,
        negative: int = 5,
        ns_exponent: float = 0.75,
        cbow_mean: int = 1,
        epochs: int = 5,
        sorted_vocab: int = 1,
        max_final_vocab: int | None = None,
        shrink_windows: bool = True,
        shared_negatives: bool = True,
        weighting: str = "mean",
        sif_a: float = 1e-3,
        tokenizer: Tokenizer | None = None,
    ) -> None:
        self.vector_size = vector_size
        self.alpha = alpha
        self.window = window
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.sample = sample
        self.seed = seed
        self.workers = workers
        self.min_alpha = min_alpha
        self.sg = sg
        self.hs = hs
        self.negative = negative
        self.ns_exponent = ns_exponent
        self.cbow_mean = cbow_mean
        self.epochs = epochs
        self.sorted_vocab = sorted_vocab
        self.max_final_vocab = max_final_vocab
        self.shrink_windows = shrink_windows
        self.shared_negatives = shared_negatives
        self.weighting = weighting
        self.sif_a = sif_a
        self.tokenizer = tokenizer

    # the parameters that are not Word2Vec's
    _OWN_PARAMS = ("weighting", "sif_a", "tokenizer")

    def fit(self, X: Documents, y: Any = None) -> Word2VecTransformer:
        """Train a Word2Vec model on the documents ``X`` and fit the averaging over it.

        Parameters
        ----------
        X : iterable of (list of tokens or str)
            The training documents (strings only with a ``tokenizer``).
        y : ignored

        Returns
        -------
        Word2VecTransformer
            ``self``.
        """
        vectorizer = MeanEmbeddingVectorizer(weighting=self.weighting, sif_a=self.sif_a)
        vectorizer._check_params()  # before the training, which may take a while
        documents = _tokenized(X, self.tokenizer)
        _check_tokens(documents)
        model = Word2Vec(documents, **_model_settings(self, self._OWN_PARAMS))
        vectorizer.vectors = model.wv
        vectorizer._fit_documents(model.wv, documents)
        self.model_ = model
        self.wv_ = model.wv
        self.vectorizer_ = vectorizer
        return self

    def transform(self, X: Documents) -> NDArray[np.float32]:
        """The mean word vector of each document (see :class:`MeanEmbeddingVectorizer`).

        Parameters
        ----------
        X : iterable of (list of tokens or str)

        Returns
        -------
        numpy.ndarray
            ``(n_documents, vector_size)`` float32.
        """
        check_is_fitted(self, "vectorizer_")
        return self.vectorizer_._embed(_tokenized(X, self.tokenizer))

    @property
    def _n_features_out(self) -> int:
        return int(self.wv_.vector_size)

    def __sklearn_tags__(self) -> Any:
        tags = _document_tags(super().__sklearn_tags__())
        # several workers train Hogwild-style: not bitwise reproducible
        tags.non_deterministic = self.workers != 1
        return tags


class Doc2VecTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Trains :class:`~fastembed_core.Doc2Vec` on the documents given to :meth:`fit`, then
    infers a vector for each document given to :meth:`transform` (gensim 3's
    ``D2VTransformer``).

    ``transform`` infers the vectors of every document it is given, those of the training
    set included (``fit_transform`` does too), so a classifier downstream sees vectors made
    the same way in training and in prediction; the vectors trained for the fitted documents
    are ``model_.dv``.

    Parameters
    ----------
    dm, dm_mean, dbow_words, vector_size, window, alpha, min_alpha, min_count, \
max_vocab_size, sample, seed, workers, hs, negative, ns_exponent, cbow_mean, epochs, \
sorted_vocab, max_final_vocab, shrink_windows, shared_negatives
        :class:`~fastembed_core.Doc2Vec`'s parameters, with its defaults (``epochs=10``).
        ``workers=None`` trains on every core and is not bitwise reproducible; inference is
        (a document's vector depends only on its words, the model and ``seed``).
    infer_epochs : int, optional
        Passes of the inference over each document (default: ``epochs``).
    tokenizer : callable, optional
        As for :class:`MeanEmbeddingVectorizer`.

    Attributes
    ----------
    model_ : Doc2Vec
        The trained model. A document given as a
        :class:`~fastembed_core.TaggedDocument` keeps its tags; any other is tagged with its
        position in ``X``.
    wv_ : KeyedVectors
        The model's word vectors.
    """

    def __init__(
        self,
        *,
        dm: int = 1,
        dm_mean: int | None = None,
        dbow_words: int = 0,
        vector_size: int = 100,
        window: int = 5,
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
        epochs: int = 10,
        sorted_vocab: int = 1,
        max_final_vocab: int | None = None,
        shrink_windows: bool = True,
        shared_negatives: bool = True,
        infer_epochs: int | None = None,
        tokenizer: Tokenizer | None = None,
    ) -> None:
        self.dm = dm
        self.dm_mean = dm_mean
        self.dbow_words = dbow_words
        self.vector_size = vector_size
        self.window = window
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.sample = sample
        self.seed = seed
        self.workers = workers
        self.hs = hs
        self.negative = negative
        self.ns_exponent = ns_exponent
        self.cbow_mean = cbow_mean
        self.epochs = epochs
        self.sorted_vocab = sorted_vocab
        self.max_final_vocab = max_final_vocab
        self.shrink_windows = shrink_windows
        self.shared_negatives = shared_negatives
        self.infer_epochs = infer_epochs
        self.tokenizer = tokenizer

    _OWN_PARAMS = ("infer_epochs", "tokenizer")

    def fit(self, X: Documents, y: Any = None) -> Doc2VecTransformer:
        """Train a Doc2Vec model on the documents ``X``.

        Parameters
        ----------
        X : iterable of (list of tokens, str or TaggedDocument)
            The training documents (strings only with a ``tokenizer``).
        y : ignored

        Returns
        -------
        Doc2VecTransformer
            ``self``.
        """
        if self.infer_epochs is not None:
            check_int("infer_epochs", self.infer_epochs, 1)
        given = _document_list(X)
        documents = _tokenized(given, self.tokenizer)
        _check_tokens(documents)
        tagged = [
            TaggedDocument(words, list(item.tags) if _is_tagged(item) else [position])
            for position, (item, words) in enumerate(zip(given, documents))
        ]
        model = Doc2Vec(tagged, **_model_settings(self, self._OWN_PARAMS))
        self.model_ = model
        self.wv_ = model.wv
        return self

    def transform(self, X: Documents) -> NDArray[np.float32]:
        """The inferred vector of each document (``model_.infer_vectors``).

        Parameters
        ----------
        X : iterable of (list of tokens, str or TaggedDocument)

        Returns
        -------
        numpy.ndarray
            ``(n_documents, vector_size)`` float32.
        """
        check_is_fitted(self, "model_")
        documents = _tokenized(X, self.tokenizer)
        _check_tokens(documents)
        return np.asarray(
            self.model_.infer_vectors(documents, epochs=self.infer_epochs), dtype=np.float32
        )

    @property
    def _n_features_out(self) -> int:
        return int(self.model_.vector_size)

    def __sklearn_tags__(self) -> Any:
        tags = _document_tags(super().__sklearn_tags__())
        tags.non_deterministic = self.workers != 1
        return tags


def _model_settings(transformer: BaseEstimator, own: tuple[str, ...]) -> dict[str, Any]:
    """The transformer's parameters but its ``own``: those of its model, to pass to it."""
    return {name: value for name, value in transformer.get_params().items() if name not in own}
