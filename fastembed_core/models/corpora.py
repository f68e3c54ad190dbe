"""Corpus readers with gensim 4's behaviour: ``LineSentence``, ``PathLineSentences``,
``Text8Corpus`` and ``BrownCorpus``.

Each is a re-iterable of token lists (lists of str), so anything that takes ``sentences``
takes them. Files ending in ``.gz``, ``.bz2`` or ``.xz`` are decompressed on the fly with the
standard library, as gensim does through ``smart_open``.

The readers yield exactly what gensim's yield (tokens are ``str.split()`` of the UTF-8
decoded line; long lines are cut into pieces of ``max_sentence_length`` tokens). Training
does not always need to iterate them in Python: :func:`file_route` tells the models when the
C file reader gives the very same sentences (a plain, uncompressed file whose only whitespace
is ASCII, no ``limit``), and the models then read the file in C and cut the sentences as the
reader would (:meth:`FileRoute.split`). Anything else is iterated.
"""

from __future__ import annotations

import importlib
import itertools
import logging
import mmap
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import numpy as np

logger = logging.getLogger("fastembed_core")

__all__ = [
    "MAX_WORDS_IN_BATCH",
    "LineSentence",
    "PathLineSentences",
    "Text8Corpus",
    "BrownCorpus",
    "FileRoute",
    "file_route",
    "open_corpus_file",
]

# gensim's default sentence length cap (its batch size in words).
MAX_WORDS_IN_BATCH = 10000

# File name ending -> the standard library module whose open() decompresses it (imported when
# first needed).
_OPENERS = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}

# Characters str.split() separates on that the C reader keeps inside tokens (it splits on
# ASCII whitespace only), plus the byte order mark, which the C reader skips at a file's start
# but str.split() keeps in the first token. A file holding any of them is iterated in Python.
# (Unicode's White_Space characters; tests check the list against str.isspace().)
PY_ONLY_SPACES = (
    "\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_PY_ONLY_SPACES = [c.encode("utf-8") for c in PY_ONLY_SPACES]
_DIFFERS_FROM_C = [*_PY_ONLY_SPACES, b"\xef\xbb\xbf"]
_DIFFERS_FROM_C_RE = re.compile(b"|".join(re.escape(s) for s in _DIFFERS_FROM_C))
# Their first bytes: a file without any of them (plain ASCII text) is cleared by a few fast
# byte searches instead of the slower regular expression.
_LEAD_BYTES = sorted({s[:1] for s in _DIFFERS_FROM_C})
# Whitespace other than a space: after the file's last space it changes how Text8Corpus cuts
# its final sentence (see there).
_NOT_A_SPACE_SEPARATOR = re.compile(rb"[\t\n\v\f\r]")


def is_compressed(path: str | os.PathLike) -> bool:
    """Whether :func:`open_corpus_file` decompresses ``path`` (by its name's ending)."""
    return os.path.splitext(os.fspath(path))[1].lower() in _OPENERS


def open_corpus_file(path: str | os.PathLike) -> IO[bytes]:
    """Opens a corpus file for binary reading, decompressing ``.gz``, ``.bz2`` and ``.xz``
    (chosen by the file name's ending, as gensim's ``smart_open`` does)."""
    module = _OPENERS.get(os.path.splitext(os.fspath(path))[1].lower())
    opener = open if module is None else importlib.import_module(module).open
    return opener(path, "rb")


def _words(line: bytes | str) -> list[str]:
    return (line if isinstance(line, str) else line.decode("utf-8")).split()


def _cut(lines: Iterable[bytes | str], max_sentence_length: int) -> Iterator[list[str]]:
    """One token list per line, cut into pieces of at most max_sentence_length tokens; lines
    without tokens give nothing."""
    for line in lines:
        words = _words(line)
        if len(words) <= max_sentence_length:
            if words:
                yield words
            continue
        for start in range(0, len(words), max_sentence_length):
            yield words[start : start + max_sentence_length]


def _check_length(max_sentence_length: int) -> int:
    if isinstance(max_sentence_length, bool) or not isinstance(max_sentence_length, int):
        raise TypeError(
            f"max_sentence_length must be an int; got {type(max_sentence_length).__name__}"
        )
    if max_sentence_length < 1:
        raise ValueError(f"max_sentence_length must be at least 1; got {max_sentence_length}")
    return max_sentence_length


def _is_path(source: Any) -> bool:
    return isinstance(source, (str, bytes, os.PathLike))


class LineSentence:
    """One sentence per line of a text file; tokens separated by whitespace.

    Lines longer than ``max_sentence_length`` tokens are cut into several sentences of that
    many tokens (the last piece shorter); lines without tokens give no sentence.

    Parameters
    ----------
    source : str, path or file-like
        A file name (``.gz``, ``.bz2`` and ``.xz`` are decompressed), or an open file object
        with ``seek`` (binary or text mode), rewound at every pass.
    max_sentence_length : int
        Longest sentence yielded, in tokens.
    limit : int, optional
        Read only the first ``limit`` lines.

    Examples
    --------
    >>> from fastembed_core import LineSentence, Word2Vec
    >>> model = Word2Vec(LineSentence("corpus.txt"), min_count=5)
    """

    def __init__(
        self,
        source: str | os.PathLike | IO[Any],
        max_sentence_length: int = MAX_WORDS_IN_BATCH,
        limit: int | None = None,
    ) -> None:
        self.source = source
        self.max_sentence_length = _check_length(max_sentence_length)
        self.limit = limit

    def __iter__(self) -> Iterator[list[str]]:
        if not _is_path(self.source) and hasattr(self.source, "seek"):
            self.source.seek(0)
            lines: Iterable[bytes | str] = self.source  # type: ignore[assignment]
            yield from _cut(itertools.islice(lines, self.limit), self.max_sentence_length)
            return
        with open_corpus_file(self.source) as fin:  # type: ignore[arg-type]
            yield from _cut(itertools.islice(fin, self.limit), self.max_sentence_length)

    def __repr__(self) -> str:
        return f"LineSentence({self.source!r}, max_sentence_length={self.max_sentence_length})"


class PathLineSentences:
    """Like :class:`LineSentence` over every file of a directory, in file name order (or over
    one file). Subdirectories are not entered.

    Parameters
    ----------
    source : str or path
        A directory or a single file. Each file may be ``.gz``, ``.bz2`` or ``.xz``.
    max_sentence_length : int
        Longest sentence yielded, in tokens.
    limit : int, optional
        Read only the first ``limit`` lines of each file.

    Raises
    ------
    ValueError
        ``source`` is neither a file nor a directory.
    """

    def __init__(
        self,
        source: str | os.PathLike,
        max_sentence_length: int = MAX_WORDS_IN_BATCH,
        limit: int | None = None,
    ) -> None:
        self.source = source
        self.max_sentence_length = _check_length(max_sentence_length)
        self.limit = limit
        if os.path.isfile(source):
            self.input_files = [os.fspath(source)]
        elif os.path.isdir(source):
            # gensim lists the directory with a trailing separator and sorts the full names
            folder = os.path.join(os.fspath(source), "")
            self.input_files = sorted(
                folder + name for name in os.listdir(folder) if os.path.isfile(folder + name)
            )
        else:
            raise ValueError(f"input is neither a file nor a directory: {source!r}")

    def __iter__(self) -> Iterator[list[str]]:
        for name in self.input_files:
            with open_corpus_file(name) as fin:
                yield from _cut(itertools.islice(fin, self.limit), self.max_sentence_length)

    def __repr__(self) -> str:
        return f"PathLineSentences({self.source!r}, {len(self.input_files)} files)"


class Text8Corpus:
    """The text8 format: a whole file of space-separated tokens (one "line"), yielded as
    sentences of ``max_sentence_length`` tokens.

    gensim's reading, reproduced: the tokens up to the file's last space are grouped into
    sentences of exactly ``max_sentence_length``; what follows the last space joins the
    remainder in a final sentence, which is therefore not cut (it can be longer when the end of
    the file has tokens separated by other whitespace than spaces).

    One difference, a gensim bug not reproduced: gensim reads 8 KiB blocks and joins two
    tokens when a newline or tab between them ends a block (``"abc\\n" | "def"`` gives
    ``"abcdef"``); here the tokens are always those of ``str.split()`` of the whole file.

    Parameters
    ----------
    fname : str or path
        The file (``.gz``, ``.bz2`` and ``.xz`` are decompressed).
    max_sentence_length : int
        Tokens per sentence.
    """

    _BLOCK = 1 << 20

    def __init__(self, fname: str | os.PathLike, max_sentence_length: int = MAX_WORDS_IN_BATCH):
        self.fname = fname
        self.max_sentence_length = _check_length(max_sentence_length)

    def __iter__(self) -> Iterator[list[str]]:
        size = self.max_sentence_length
        pending: list[str] = []
        carry = b""  # bytes after the last space read so far: they may continue in the next block
        with open_corpus_file(self.fname) as fin:
            while block := fin.read(self._BLOCK):
                text = carry + block
                cut = text.rfind(b" ")
                if cut < 0:
                    carry = text
                    continue
                # A block boundary never splits a token or a UTF-8 character, as the text is
                # decoded only up to a space.
                pending.extend(_words(text[:cut]))
                carry = text[cut + 1 :]
                full = len(pending) - len(pending) % size
                for start in range(0, full, size):
                    yield pending[start : start + size]
                del pending[:full]
        pending.extend(_words(carry))
        if pending:
            yield pending

    def __repr__(self) -> str:
        return f"Text8Corpus({self.fname!r}, max_sentence_length={self.max_sentence_length})"


class BrownCorpus:
    """The Brown corpus as distributed with NLTK: every file of a directory, one sentence per
    line of ``word/TAG`` tokens.

    Each sentence is a list of ``"word/TA"`` strings: the word lower-cased and the first two
    characters of its tag, as gensim yields them. Tokens that are not exactly one
    ``word/tag`` pair and tags whose first two characters are not letters (punctuation) are
    left out; a line left without tokens gives no sentence. Files are read in name order
    (gensim reads them in the order the file system lists them).

    Parameters
    ----------
    dirname : str or path
        The directory.
    """

    def __init__(self, dirname: str | os.PathLike) -> None:
        self.dirname = dirname

    def __iter__(self) -> Iterator[list[str]]:
        for name in sorted(os.listdir(self.dirname)):
            path = os.path.join(self.dirname, name)
            if not os.path.isfile(path):
                continue
            with open_corpus_file(path) as fin:
                for line in fin:
                    sentence = []
                    for token in _words(line):
                        parts = token.split("/")
                        if len(parts) == 2 and parts[1][:2].isalpha():
                            sentence.append(f"{parts[0].lower()}/{parts[1][:2]}")
                    if sentence:
                        yield sentence

    def __repr__(self) -> str:
        return f"BrownCorpus({self.dirname!r})"


# ---------------------------------------------------------------- reading in C


@dataclass(frozen=True)
class FileRoute:
    """A reader whose sentences the C file reader reproduces: the files it reads and how its
    sentences are cut from the tokens the C reader finds (one group per line)."""

    paths: list[str]
    max_sentence_length: int
    whole_file: bool  # Text8Corpus: lines do not end sentences

    @property
    def policy(self) -> tuple[str, int]:
        """Tells a scan of these files for this reader from a ``corpus_file`` scan of them."""
        return ("text8" if self.whole_file else "lines", self.max_sentence_length)

    def split(self, offsets: np.ndarray) -> np.ndarray:
        """Sentence offsets of the reader, from the C reader's per-line token offsets (lines
        with tokens only, as ``count_file(keep_tokens=True)`` lays them out)."""
        offsets = np.asarray(offsets, dtype=np.int64)
        size = self.max_sentence_length
        if self.whole_file:
            return np.append(np.arange(0, offsets[-1], size, dtype=np.int64), offsets[-1])
        lengths = np.diff(offsets)
        if not len(lengths) or lengths.max() <= size:
            return offsets
        pieces = -(-lengths // size)  # ceil: pieces per line
        first: np.ndarray = np.repeat(offsets[:-1], pieces)
        rank = np.arange(len(first), dtype=np.int64) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        return np.append(first + rank * size, offsets[-1])


def _plain_file(path: Any) -> str | None:
    """The path, if it is a regular, uncompressed file the C reader tokenizes as str.split()
    does (no non-ASCII whitespace, no byte order mark); else None."""
    if not _is_path(path):
        return None
    path = os.fsdecode(path)
    if is_compressed(path):
        return None
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size == 0:
                return path
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
                if any(data.find(lead) >= 0 for lead in _LEAD_BYTES) and (
                    _DIFFERS_FROM_C_RE.search(data)
                ):
                    return None
    except (OSError, ValueError):
        return None  # iterating raises the proper error
    return path


def _text8_tail_is_one_token(path: str) -> bool:
    """Whether the bytes after the file's last space hold at most one token, so the final
    sentence Text8Corpus yields is cut like all others (see its docstring)."""
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        tail = data[data.rfind(b" ") + 1 :]  # the whole file when it has no space
        return not _NOT_A_SPACE_SEPARATOR.search(tail.strip())


def file_route(corpus: Any) -> FileRoute | None:
    """How the C file reader reproduces ``corpus``, if it is a reader of this module (not a
    subclass) over plain files, without ``limit``, whose tokens the C reader splits alike;
    else None (the corpus is iterated)."""
    kind = type(corpus)
    if kind is LineSentence:
        sources, whole = [corpus.source], False
    elif kind is PathLineSentences:
        sources, whole = list(corpus.input_files), False
    elif kind is Text8Corpus:
        sources, whole = [corpus.fname], True
    else:
        return None
    if getattr(corpus, "limit", None) is not None or not sources:
        return None
    found = [_plain_file(source) for source in sources]
    paths = [path for path in found if path is not None]
    if len(paths) != len(found):
        return None
    if whole and os.path.getsize(paths[0]) and not _text8_tail_is_one_token(paths[0]):
        return None
    return FileRoute(paths, corpus.max_sentence_length, whole)
