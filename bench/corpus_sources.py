"""Where the benchmark corpora come from: WordNet 3.0 glosses (with their lexicographer files
as labels) and gensim's Wikipedia sample.

Both sources are fetched through ordinary package managers, so every corpus built from them is
reproducible on any Debian machine with gensim installed:

* WordNet 3.0 -- the Debian package ``wordnet-base`` (``apt-get download`` + ``dpkg -x``; no
  installation needed). Each synset line of ``usr/share/wordnet/data.{adj,adv,noun,verb}``
  ends with `` | `` followed by the gloss: a definition, then example sentences in quotes.
* gensim's test data ships a shortened English Wikipedia dump
  (``enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2``). Articles are
  parsed with ``gensim.corpora.wikicorpus.extract_pages`` and markup is removed with its
  ``filter_wiki`` (called, not copied: gensim is a benchmark dependency).

Text is normalised the same way everywhere: lower-cased, then only ``[a-z]+`` runs are kept
as tokens. Empty lines are dropped.
"""

import bz2
import glob
import hashlib
import os
import re
import shutil
import subprocess
import tempfile

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(BENCH_DIR, "data")  # git-ignored: generated corpora
WORK_DIR = os.path.join(BENCH_DIR, "work")  # git-ignored: downloaded packages, caches

WORDNET_PARTS = ("adj", "adv", "noun", "verb")
WIKI_SAMPLE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"

_TOKEN = re.compile(r"[a-z]+")


def tokenize(text):
    """Lower-cases ``text`` and returns its ``[a-z]+`` tokens."""
    return _TOKEN.findall(text.lower())


def _has_wordnet(folder):
    return all(os.path.isfile(os.path.join(folder, "data." + p)) for p in WORDNET_PARTS)


def wordnet_dir(explicit=None):
    """Returns a folder holding WordNet 3.0's ``data.*`` files, fetching them if needed.

    Looked for in order: ``explicit``; the system copy (``apt-get install wordnet-base``);
    a copy extracted earlier into ``bench/work/wordnet``; otherwise the Debian package is
    downloaded with ``apt-get download wordnet-base`` and unpacked there with ``dpkg -x``.
    """
    if explicit:
        if not _has_wordnet(explicit):
            raise SystemExit(f"{explicit}: no WordNet data.{{{','.join(WORDNET_PARTS)}}} files")
        return explicit
    for folder in ("/usr/share/wordnet", os.path.join(WORK_DIR, "wordnet", "usr/share/wordnet")):
        if _has_wordnet(folder):
            return folder
    if not (shutil.which("apt-get") and shutil.which("dpkg")):
        raise SystemExit(
            "WordNet 3.0 not found and apt-get/dpkg are not available: pass "
            "--wordnet-dir pointing at a folder with WordNet's data.* files"
        )
    target = os.path.join(WORK_DIR, "wordnet")
    os.makedirs(target, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=WORK_DIR) as tmp:
        proc = subprocess.run(
            ["apt-get", "download", "wordnet-base"], cwd=tmp, capture_output=True, text=True
        )
        debs = glob.glob(os.path.join(tmp, "wordnet-base_*.deb"))
        if proc.returncode != 0 or not debs:
            raise SystemExit(
                "`apt-get download wordnet-base` failed (run `apt-get update` "
                f"first?):\n{proc.stderr.strip()}"
            )
        subprocess.run(["dpkg", "-x", debs[0], target], check=True)
        print(f"unpacked {os.path.basename(debs[0])} into {target}")
    folder = os.path.join(target, "usr/share/wordnet")
    if not _has_wordnet(folder):
        raise SystemExit(f"{debs[0]} did not contain WordNet's data.* files")
    return folder


def wordnet_glosses(folder):
    """Yields the token list of every WordNet gloss (definition + examples), in file order.

    The ``data.*`` files open with a licence header whose lines start with two spaces; every
    other line is one synset, whose gloss is everything after the first `` | ``.
    """
    for _, tokens in wordnet_labelled_glosses(folder):
        yield tokens


def wordnet_labelled_glosses(folder):
    """Yields ``(lex_filenum, tokens)`` for every WordNet gloss, in file order.

    The label is the synset's lexicographer file (the two-digit field after the offset):
    which of WordNet's 45 files the lexicographers filed the synset in -- its supersense, such
    as ``noun.animal`` (05), ``noun.artifact`` (06) or ``verb.motion`` (38). Predicting it from
    the gloss is a real 45-class text classification task with human-assigned labels.
    """
    for part in WORDNET_PARTS:
        with open(os.path.join(folder, "data." + part), encoding="latin-1") as f:
            for line in f:
                if line.startswith("  "):
                    continue
                cut = line.find(" | ")
                if cut < 0:
                    continue
                tokens = tokenize(line[cut + 3 :])
                if tokens:
                    yield int(line.split(" ", 2)[1]), tokens


def wiki_sample_path():
    """Path of gensim's shortened Wikipedia dump (needs gensim installed)."""
    from gensim.test.utils import datapath

    path = datapath(WIKI_SAMPLE)
    if not os.path.isfile(path):
        raise SystemExit(f"{path} not found: gensim's test data is needed (pip install gensim)")
    return path


def wiki_articles(path=None, min_tokens=50):
    """Yields the token list of every main-namespace, non-redirect article of the dump.

    Articles shorter than ``min_tokens`` after markup removal (stubs, disambiguation pages)
    are skipped, as gensim's own ``WikiCorpus`` does with its ``ARTICLE_MIN_WORDS = 50``.
    """
    from gensim.corpora.wikicorpus import extract_pages, filter_wiki

    with bz2.open(path or wiki_sample_path()) as f:
        for _title, text, _pageid in extract_pages(f, filter_namespaces=("0",)):
            if text.lstrip().lower().startswith("#redirect"):
                continue
            tokens = tokenize(filter_wiki(text))
            if len(tokens) >= min_tokens:
                yield tokens


def file_sha256(path, chunk=1 << 20):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def line_stats(lines):
    """Token, line and vocabulary counts of a list of token lists."""
    counts = {}
    tokens = 0
    for toks in lines:
        tokens += len(toks)
        for t in toks:
            counts[t] = counts.get(t, 0) + 1
    return {
        "tokens": tokens,
        "lines": len(lines),
        "vocab": len(counts),
        "vocab_min_count_5": sum(1 for c in counts.values() if c >= 5),
    }


def write_lines(path, lines):
    """Writes one space-joined token list per line, atomically (temp file + rename)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii", newline="\n") as f:
        for toks in lines:
            f.write(" ".join(toks))
            f.write("\n")
    os.replace(tmp, path)
