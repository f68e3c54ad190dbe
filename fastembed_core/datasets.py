"""Small data files bundled with the package: a sample corpus and evaluation sets.

>>> from fastembed_core.datasets import sample_corpus_path, evaluation_file
>>> path = sample_corpus_path()                 # doctest: +SKIP
>>> analogies = evaluation_file("questions-words")  # doctest: +SKIP

The sample corpus (all WordNet 3.0 glosses, ~1.47 M tokens) ships xz-compressed. On first use
it is decompressed once into a cache folder and the plain-text path is returned, so it can be
passed anywhere a ``corpus_file`` is accepted. Nothing is ever written into the package folder,
which may be read-only. Licences of the bundled files are in ``data/LICENSES.md``.
"""

from __future__ import annotations

import hashlib
import lzma
import os
import shutil
import tempfile

from .io.native import new_file_mode

__all__ = [
    "sample_corpus_path",
    "evaluation_file",
    "cache_dir",
    "ensure_writable_dir",
    "EVALUATION_FILES",
]

_DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
_SAMPLE_XZ = "wordnet_glosses.txt.xz"

#: Evaluation sets known by :func:`evaluation_file`: name -> (file name, bundled?). All are
#: bundled now (the flag stays for callers that read it); sources and licences are in
#: ``data/LICENSES.md``.
EVALUATION_FILES = {
    "questions-words": ("questions-words.txt", True),
    "wordsim353": ("wordsim353.tsv", True),
    "simlex999": ("simlex999.txt", True),
}


def ensure_writable_dir(path: str | os.PathLike[str]) -> bool:
    """Creates the folder ``path`` if needed and tells whether a file can be created in it.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    bool
        True when a file could be created (and removed) in ``path``; False on any OSError.
    """
    try:
        os.makedirs(path, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path, prefix=".probe-")
        os.close(fd)
        os.remove(probe)
        return True
    except OSError:
        return False


def cache_dir() -> str:
    """Folder where decompressed data files are kept, created if needed.

    ``$FASTEMBED_CORE_CACHE`` if set, else ``$XDG_CACHE_HOME/fastembed_core`` (by default
    ``~/.cache/fastembed_core``). When that folder cannot be written, a per-user folder in the
    system temporary directory is used instead.

    Returns
    -------
    str
        Absolute path of a writable folder.
    """
    explicit = os.environ.get("FASTEMBED_CORE_CACHE")
    if explicit:
        candidates = [explicit]
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        candidates = [os.path.join(base, "fastembed_core")]
    uid = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    candidates.append(os.path.join(tempfile.gettempdir(), f"fastembed_core-{uid}"))
    for path in candidates:
        if ensure_writable_dir(path):
            return os.path.abspath(path)
    raise OSError(
        f"no writable cache folder for fastembed_core data (tried {candidates}); "
        "set FASTEMBED_CORE_CACHE to a writable folder"
    )


def _digest(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def sample_corpus_path() -> str:
    """Path of the bundled sample corpus as plain text, ready for ``corpus_file=``.

    The corpus holds every gloss (definition and example sentences) of WordNet 3.0: about
    118 k lines and 1.47 M tokens, lower-case ``[a-z]+`` words separated by spaces, one gloss
    per line. Five epochs of skip-gram on it take a few seconds and give sensible neighbours
    (``dog`` -> ``cat``, ``hound``, ``terrier``; ``red`` -> ``orange``, ``yellow``, ``blue``).

    The first call decompresses the bundled ``.xz`` file into :func:`cache_dir` (about 9 MB);
    later calls return the cached file. The cached name contains a digest of the bundled file,
    so a newer package never reuses an older corpus.

    Returns
    -------
    str
        Absolute path of the decompressed text file.
    """
    src = os.path.join(_DATA_DIR, _SAMPLE_XZ)
    if not os.path.isfile(src):
        raise FileNotFoundError(f"bundled sample corpus missing: {src} (broken installation?)")
    folder = cache_dir()
    target = os.path.join(folder, f"wordnet_glosses-{_digest(src)[:16]}.txt")
    if os.path.isfile(target):
        return target
    # Decompress to a private temporary name, then rename: concurrent callers never see a
    # partial file, and an interrupted run leaves no truncated corpus behind.
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".wordnet_glosses-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out, lzma.open(src, "rb") as inp:
            if hasattr(os, "fchmod"):  # mkstemp made it 0o600; a shared cache needs the umask's
                os.fchmod(out.fileno(), new_file_mode())
            shutil.copyfileobj(inp, out, 1 << 20)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise
    return target


def evaluation_file(name: str) -> str:
    """Path of an evaluation set, for ``evaluate_word_analogies`` / ``evaluate_word_pairs``.

    Parameters
    ----------
    name : str
        ``"questions-words"`` (word2vec's analogy questions), ``"wordsim353"`` or
        ``"simlex999"`` (word-pair similarity); all three are bundled, so no other package is
        needed. The file name, e.g. ``"questions-words.txt"``, is accepted too.

    Returns
    -------
    str
        Absolute path of the file.

    Raises
    ------
    ValueError
        For an unknown name.
    FileNotFoundError
        When the bundled file is missing (a broken installation).
    """
    fname = next((f for k, (f, _) in EVALUATION_FILES.items() if name in (k, f)), None)
    if fname is None:
        known = ", ".join(repr(k) for k in EVALUATION_FILES)
        raise ValueError(f"unknown evaluation file {name!r}; known: {known}")
    path = os.path.join(_DATA_DIR, fname)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"bundled evaluation file missing: {path} (broken installation?)")
    return path
