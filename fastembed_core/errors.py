"""The exceptions fastembed_core raises on bad input and faults.

Every class derives from :class:`FastEmbedError` *and* from the builtin exception a caller
would already catch for that kind of problem, so ``except ValueError`` keeps working for code
written against gensim while ``except FastEmbedError`` catches everything of ours.
"""

__all__: list[str] = [
    "FastEmbedError",
    "FormatError",
    "WrongKindError",
    "TruncatedFileError",
    "UnsupportedVersionError",
    "OOVError",
    "TrainingDivergedError",
    "CorpusError",
    "EmptyVocabularyError",
    "CorpusArgumentError",
]


class FastEmbedError(Exception):
    """Base class of every exception raised by fastembed_core itself."""


class FormatError(FastEmbedError, ValueError):
    """A file is not in the format the loader was asked to read, or is malformed."""


class WrongKindError(FormatError, AttributeError):
    """A native file holds another class's data than the class whose ``load`` read it (e.g.
    ``Word2Vec.load`` on a file written by ``KeyedVectors.save``).

    Also an ``AttributeError``, what gensim raises when the object it unpickled lacks the
    class's attributes, so both kinds of handlers catch it."""


class TruncatedFileError(FormatError, EOFError):
    """A file ends before the records its header or structure promises."""


class UnsupportedVersionError(FormatError):
    """A native file was written by a newer format version than this release can read."""


class OOVError(FastEmbedError, KeyError):
    """A key is not in the vocabulary."""

    def __str__(self) -> str:
        # KeyError.__str__ wraps the message in quotes; keep the message readable.
        return str(self.args[0]) if self.args else ""


class TrainingDivergedError(FastEmbedError, FloatingPointError):
    """Training produced NaN or infinite weights (usually: the learning rate is too high)."""


class CorpusError(FastEmbedError, ValueError):
    """The training corpus cannot be used as given (empty, undecodable, wrong shape)."""


class EmptyVocabularyError(CorpusError, RuntimeError):
    """The corpus leaves no word in the vocabulary (empty, or every word below ``min_count``).

    Also a ``RuntimeError``, the exception gensim raises for it, so both kinds of handlers
    catch it."""


class CorpusArgumentError(FastEmbedError, ValueError, TypeError):
    """A call was given both a corpus iterable and ``corpus_file``, or neither.

    Also a ``TypeError``, the exception gensim raises for it."""
