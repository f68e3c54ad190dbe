"""Builds the benchmark's real English corpus: WordNet 3.0 glosses + gensim's Wikipedia sample.

    python bench/make_corpus.py                      # -> bench/data/english.txt

One gloss or one article per line, lower-case ``[a-z]+`` tokens separated by single spaces.
Lines from both sources are shuffled together with a fixed seed, so that a single training
epoch (whose learning rate decays linearly) does not end on one source only. The output is
byte-for-byte reproducible for a given ``wordnet-base`` package, gensim test-data file and
seed; the script prints the SHA-256 of its inputs and output.

Requires gensim (its test data and its wiki-markup filter) and, unless WordNet is already
available (see ``corpus_sources.wordnet_dir``), ``apt-get``/``dpkg`` to fetch the Debian
package ``wordnet-base``.
"""

import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_sources as cs  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(cs.DATA_DIR, "english.txt"))
    ap.add_argument(
        "--wordnet-dir",
        help="folder with WordNet 3.0 data.* files "
        "(default: system copy, or fetch the Debian package wordnet-base)",
    )
    ap.add_argument("--wiki", help="path of the Wikipedia dump (default: gensim's test data)")
    ap.add_argument("--seed", type=int, default=20240601, help="line shuffle seed")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    wn = cs.wordnet_dir(args.wordnet_dir)
    glosses = list(cs.wordnet_glosses(wn))
    wiki_path = args.wiki or cs.wiki_sample_path()
    articles = list(cs.wiki_articles(wiki_path))
    lines = glosses + articles
    random.Random(args.seed).shuffle(lines)
    cs.write_lines(args.out, lines)

    g, a, total = cs.line_stats(glosses), cs.line_stats(articles), cs.line_stats(lines)
    print(f"WordNet glosses   ({wn}): {g['lines']:>8,} lines {g['tokens']:>10,} tokens")
    print(
        f"Wikipedia sample  ({os.path.basename(wiki_path)}): "
        f"{a['lines']:>8,} lines {a['tokens']:>10,} tokens"
    )
    print(
        f"wrote {args.out}: {total['lines']:,} lines, {total['tokens']:,} tokens, "
        f"vocabulary {total['vocab']:,} ({total['vocab_min_count_5']:,} with count >= 5), "
        f"{os.path.getsize(args.out):,} bytes, {time.perf_counter() - t0:.1f} s"
    )
    for part in cs.WORDNET_PARTS:
        p = os.path.join(wn, "data." + part)
        print(f"  sha256 {cs.file_sha256(p)}  {p}")
    print(f"  sha256 {cs.file_sha256(wiki_path)}  {wiki_path}")
    print(f"  sha256 {cs.file_sha256(args.out)}  {args.out}")


if __name__ == "__main__":
    main()
