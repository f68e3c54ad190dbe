"""Builds two more real corpora of other kinds than ``english.txt``, from Debian packages.

    python bench/make_corpora.py                  # -> bench/data/gcide.txt, bench/data/pydoc.txt
    python bench/make_corpora.py --only gcide

* ``gcide.txt`` -- a dictionary: the GNU Collaborative International Dictionary of English
  (Debian ``dict-gcide``, GPL-2+; mostly Webster's 1913 with its quotations from literature).
  One dictionary entry per line; the source tags that close every sense (``[1913 Webster]``,
  ``[PJC]``, ...) are dropped, since they would otherwise be the corpus's most frequent words,
  and so are the pronunciations (``\\Hy`po*tar"sus\\``), whose syllables are not words.
* ``pydoc.txt`` -- technical prose: the Python 3.11 documentation (Debian ``python3.11-doc``,
  PSF licence), every HTML page's text outside code blocks (``<pre>``), scripts and the
  navigation bars; one paragraph, list item or definition per line.

Same rules as ``make_corpus.py``: lower-case ``[a-z]+`` tokens separated by single spaces,
one document per line, empty lines dropped, lines shuffled with a fixed seed; ``--max-tokens``
keeps a prefix of the shuffled lines (a random sample of documents), so a corpus fits a
benchmark's time budget. The packages are fetched with ``apt-get download`` and unpacked with
``dpkg -x`` into ``bench/work/`` (no installation); the script prints each package's name,
version and SHA-256 and the output's SHA-256.
"""

import argparse
import glob
import gzip
import html.parser
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_sources as cs  # noqa: E402


def debian_package(name):
    """Unpacks Debian package ``name`` into bench/work/<name>; returns (folder, .deb path).

    Reuses an earlier download; otherwise ``apt-get download`` + ``dpkg -x``.
    """
    target = os.path.join(cs.WORK_DIR, name)
    debs = sorted(glob.glob(os.path.join(cs.WORK_DIR, "debs", f"{name}_*.deb")))
    if not debs:
        if not (shutil.which("apt-get") and shutil.which("dpkg")):
            raise SystemExit(f"{name}: apt-get/dpkg are needed to fetch the Debian package")
        os.makedirs(os.path.join(cs.WORK_DIR, "debs"), exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cs.WORK_DIR) as tmp:
            proc = subprocess.run(
                ["apt-get", "download", name], cwd=tmp, capture_output=True, text=True
            )
            got = glob.glob(os.path.join(tmp, f"{name}_*.deb"))
            if proc.returncode != 0 or not got:
                raise SystemExit(
                    f"`apt-get download {name}` failed (run `apt-get update` first?):\n"
                    f"{proc.stderr.strip()}"
                )
            dest = os.path.join(cs.WORK_DIR, "debs", os.path.basename(got[0]))
            shutil.move(got[0], dest)
            debs = [dest]
    if not os.path.isdir(target):
        subprocess.run(["dpkg", "-x", debs[-1], target], check=True)
    return target, debs[-1]


# --- the dictionary ---------------------------------------------------------------------

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# A line holding only source tags such as "[1913 Webster]" or "[PJC]" (one or more).
_SOURCE_TAG_LINE = re.compile(r"^\s*(\[[^\]]*\]\s*)+$")
# A pronunciation between backslashes, \Rout\ or \Hy`po*tar"sus\: its syllables would
# become fragments such as "hy po tar sus".
_PRONUNCIATION = re.compile(r"\\[^\\\n]*\\")


def _dictd_number(text):
    """dictd index numbers are base 64 with the alphabet above, most significant digit first."""
    value = 0
    for ch in text:
        value = value * 64 + _B64.index(ch)
    return value


def gcide_entries(folder):
    """Yields the token list of every GCIDE entry (each stored entry once, in file order)."""
    share = os.path.join(folder, "usr/share/dictd")
    with gzip.open(os.path.join(share, "gcide.dict.dz")) as f:  # dictzip is gzip-compatible
        text = f.read().decode("utf-8", "replace")
    spans = set()
    with open(os.path.join(share, "gcide.index"), encoding="utf-8", errors="replace") as f:
        for line in f:
            head, offset, length = line.rstrip("\n").split("\t")[:3]
            if not head.startswith("00-database"):  # the database's own description
                spans.add((_dictd_number(offset), _dictd_number(length)))
    for offset, length in sorted(spans):
        body = text[offset : offset + length]
        kept = [ln for ln in body.splitlines() if not _SOURCE_TAG_LINE.match(ln)]
        tokens = cs.tokenize(_PRONUNCIATION.sub(" ", " ".join(kept)))
        if tokens:
            yield tokens


# --- the technical documentation ------------------------------------------------------------

# Elements whose text is not prose (code, scripts) or is repeated on every page (navigation).
_SKIP = {"pre", "script", "style", "head", "nav"}
_SKIP_CLASSES = {"related", "sphinxsidebar", "footer", "headerlink", "mobile-nav"}
# Elements that end a paragraph: their text becomes a line of its own.
_BLOCKS = {"p", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "div"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "col", "area", "base", "wbr", "source"}


class _Paragraphs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs = []
        self._text = []
        self._stack = []  # (tag, skipped?) of the open elements
        self._skipping = 0

    def _flush(self):
        tokens = cs.tokenize(" ".join(self._text))
        if tokens:
            self.paragraphs.append(tokens)
        self._text = []

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        skip = tag in _SKIP or bool(classes & _SKIP_CLASSES)
        if tag in _BLOCKS and not self._skipping:
            self._flush()
        self._stack.append((tag, skip))
        self._skipping += skip

    def handle_endtag(self, tag):
        if tag in _VOID or not any(t == tag for t, _ in self._stack):
            return
        while self._stack:  # close anything left open inside it (lenient, like browsers)
            open_tag, skip = self._stack.pop()
            self._skipping -= skip
            if open_tag == tag:
                break
        if tag in _BLOCKS and not self._skipping:
            self._flush()

    def handle_data(self, data):
        if not self._skipping:
            self._text.append(data)


def pydoc_paragraphs(folder):
    """Yields the token list of every paragraph of the Python documentation, page by page."""
    root = glob.glob(os.path.join(folder, "usr/share/doc/python3*/html"))[0]
    pages = sorted(glob.glob(os.path.join(root, "**", "*.html"), recursive=True))
    for page in pages:
        if os.path.basename(page) in ("genindex.html", "search.html", "py-modindex.html"):
            continue  # indexes: lists of names, not prose
        if "genindex-" in os.path.basename(page):
            continue
        parser = _Paragraphs()
        with open(page, encoding="utf-8", errors="replace") as f:
            parser.feed(f.read())
        parser.close()
        parser._flush()
        yield from parser.paragraphs


CORPORA = {
    "gcide": ("dict-gcide", gcide_entries),
    "pydoc": ("python3.11-doc", pydoc_paragraphs),
}


def build(name, out, seed, max_tokens):
    t0 = time.perf_counter()
    package, reader = CORPORA[name]
    folder, deb = debian_package(package)
    lines = list(reader(folder))
    random.Random(seed).shuffle(lines)
    full = cs.line_stats(lines)
    if max_tokens:
        kept, total = 0, 0
        while kept < len(lines) and total < max_tokens:
            total += len(lines[kept])
            kept += 1
        lines = lines[:kept]
    cs.write_lines(out, lines)
    stats = cs.line_stats(lines)
    print(
        f"{package} ({os.path.basename(deb)}): {full['lines']:,} documents, "
        f"{full['tokens']:,} tokens"
    )
    print(
        f"wrote {out}: {stats['lines']:,} lines, {stats['tokens']:,} tokens, "
        f"vocabulary {stats['vocab']:,} ({stats['vocab_min_count_5']:,} with count >= 5), "
        f"{os.path.getsize(out):,} bytes, {time.perf_counter() - t0:.1f} s"
    )
    print(f"  sha256 {cs.file_sha256(deb)}  {os.path.basename(deb)}")
    print(f"  sha256 {cs.file_sha256(out)}  {out}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="+", choices=sorted(CORPORA), default=sorted(CORPORA))
    ap.add_argument("--data-dir", default=cs.DATA_DIR)
    ap.add_argument("--seed", type=int, default=20240601, help="line shuffle seed")
    ap.add_argument(
        "--max-tokens",
        type=int,
        default=2_500_000,
        help="keep whole shuffled lines up to this many tokens (0: everything)",
    )
    args = ap.parse_args(argv)
    for name in args.only:
        build(name, os.path.join(args.data_dir, name + ".txt"), args.seed, args.max_tokens)


if __name__ == "__main__":
    main()
