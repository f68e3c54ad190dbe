"""word2vec.c's vocabulary files: one ``word count`` line per word, most frequent first, as
its ``-save-vocab`` writes them and ``-read-vocab`` reads them."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import IO

from .native import atomic_write

__all__ = ["read_vocab_file", "write_vocab_file"]


def write_vocab_file(
    path: str | os.PathLike[str], words: Iterable[str], counts: Iterable[int]
) -> None:
    """Writes ``word count`` lines, as word2vec.c's ``-save-vocab`` does.

    Parameters
    ----------
    path : str or os.PathLike
        Replaced atomically: a failed write leaves the old file as it was.
    words : iterable of str
    counts : iterable of int
        One count per word, in the same order.
    """

    def write(f: IO[bytes]) -> None:
        f.write("".join(f"{w} {int(c)}\n" for w, c in zip(words, counts)).encode("utf-8"))

    atomic_write(os.fspath(path), write)


def read_vocab_file(path: str | os.PathLike[str]) -> dict[str, int]:
    """Reads ``word count`` lines (word2vec.c's ``-save-vocab`` files).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    dict
        ``{word: count}`` in the file's order.

    Raises
    ------
    ValueError
        Naming the line, for anything else: a missing or non-integer count, a negative count
        or one beyond 64 bits, a duplicate word, an empty file.
    """
    freq: dict[str, int] = {}
    with open(path, "rb") as f:
        for line_no, raw in enumerate(f, 1):
            fields = raw.split()
            if not fields:
                continue
            if len(fields) != 2:
                raise ValueError(
                    f"{path}, line {line_no}: expected 'word count', got "
                    f"{raw[:60].decode('utf-8', 'replace').strip()!r}"
                )
            try:
                word = fields[0].decode("utf-8")
                count = int(fields[1])
            except (UnicodeDecodeError, ValueError):
                raise ValueError(
                    f"{path}, line {line_no}: expected 'word count' with an "
                    f"integer count, got "
                    f"{raw[:60].decode('utf-8', 'replace').strip()!r}"
                ) from None
            if count < 0:
                raise ValueError(f"{path}, line {line_no}: negative count {count}")
            if count >= 2**63:
                raise ValueError(f"{path}, line {line_no}: count {count} does not fit in 64 bits")
            if word in freq:
                raise ValueError(f"{path}, line {line_no}: word {word!r} is listed twice")
            freq[word] = count
    if not freq:
        raise ValueError(f"{path}: the vocabulary file is empty")
    return freq
