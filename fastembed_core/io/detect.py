"""What kind of file is this? One detector for every vectors and model file the package reads.

``sniff_format`` names the vectors format from the first bytes; ``native_kind`` reads which
object a native container holds. Both only read the start of a regular file.
"""

import bz2
import gzip
import json
import os
import struct

from .native import MAGIC

__all__ = ["sniff_format", "native_kind"]


def _open_head(path, n=1 << 16):
    lower = os.fspath(path).lower()
    opener = gzip.open if lower.endswith(".gz") else bz2.open if lower.endswith(".bz2") else open
    with opener(path, "rb") as f:
        return f.read(n)


def _floats(fields):
    try:
        for x in fields:
            float(x)
    except ValueError:
        return False
    return True


def sniff_format(path):
    """Guesses the format of a vectors file from its first bytes.

    Returns
    -------
    str
        ``"native"`` (fastembed_core's own file), ``"binary"`` (word2vec binary), ``"text"``
        (word2vec text, fastText ``.vec``) or ``"glove"`` (text without a ``count dim``
        header). A file that fits none is called ``"text"``, and the text loader then says
        what is wrong with it.
    """
    head = _open_head(path)
    if head.startswith(MAGIC):
        return "native"
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    first, _, rest = head.partition(b"\n")
    parts = first.split()
    if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
        dim = int(parts[1])
        record = rest.lstrip(b"\n").split(b"\n", 1)[0]
        fields = record.split()
        if not rest.strip() or (len(fields) == dim + 1 and _floats(fields[1:])):
            return "text"
        return "binary"
    fields = first.split()
    if len(fields) >= 2 and _floats(fields[1:]):
        return "glove"
    return "text"


def native_kind(path):
    """The ``kind`` recorded in a native file's JSON header (``"KeyedVectors"``, ``"Word2Vec"``)."""
    with open(path, "rb") as f:
        head = f.read(16)
        if len(head) < 16:
            return None
        (hlen,) = struct.unpack("<Q", head[8:16])
        if hlen > min(os.path.getsize(path), 1 << 31):
            return None
        try:
            return json.loads(f.read(hlen).decode("utf-8")).get("kind")
        except (ValueError, UnicodeDecodeError, AttributeError):
            return None
