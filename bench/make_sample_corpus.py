"""Builds the sample corpus bundled with the package: every WordNet 3.0 gloss, xz-compressed.

    python bench/make_sample_corpus.py     # -> fastembed_core/data/wordnet_glosses.txt.xz

All glosses of WordNet 3.0 (definitions and their example sentences) from the Debian package
``wordnet-base``: about 118 k lines and 1.47 M tokens, lower-case ``[a-z]+``, one gloss per
line, shuffled with a fixed seed (WordNet's files are ordered by part of speech and topic; a
shuffled corpus trains evenly from the first epoch). WordNet's licence allows redistribution;
its text is in ``fastembed_core/data/LICENSES.md``.

The text is reproducible byte for byte (its SHA-256 is printed and also stored in
``fastembed_core/data/README.md``); the compressed bytes depend on the local liblzma only.
Also refreshes the bundled evaluation sets (questions-words, WordSim-353, SimLex-999) from
gensim's test data.
"""

import argparse
import io
import lzma
import os
import random
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_sources as cs  # noqa: E402

PKG_DATA = os.path.join(os.path.dirname(cs.BENCH_DIR), "fastembed_core", "data")
SAMPLE_NAME = "wordnet_glosses.txt.xz"
# Evaluation files copied verbatim from gensim's test data; their sources and terms are in
# fastembed_core/data/LICENSES.md.
BUNDLED_EVAL = ("questions-words.txt", "wordsim353.tsv", "simlex999.txt")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(PKG_DATA, SAMPLE_NAME))
    ap.add_argument("--wordnet-dir", help="folder with WordNet 3.0 data.* files")
    ap.add_argument("--seed", type=int, default=20240601, help="line shuffle seed")
    ap.add_argument(
        "--no-eval-files", action="store_true", help="do not refresh the bundled evaluation files"
    )
    args = ap.parse_args(argv)

    lines = list(cs.wordnet_glosses(cs.wordnet_dir(args.wordnet_dir)))
    random.Random(args.seed).shuffle(lines)
    text = "".join(" ".join(toks) + "\n" for toks in lines).encode("ascii")
    stats = cs.line_stats(lines)

    buf = io.BytesIO()
    # CHECK_CRC32 keeps the file readable by any xz implementation; preset 9|extreme for size.
    with lzma.open(buf, "wb", check=lzma.CHECK_CRC32, preset=9 | lzma.PRESET_EXTREME) as f:
        f.write(text)
    tmp = args.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(buf.getvalue())
    os.replace(tmp, args.out)

    import hashlib

    print(
        f"wrote {args.out}: {stats['lines']:,} lines, {stats['tokens']:,} tokens, vocabulary "
        f"{stats['vocab']:,} ({stats['vocab_min_count_5']:,} with count >= 5), "
        f"{len(text):,} bytes of text -> {len(buf.getvalue()):,} bytes xz"
    )
    print(f"  text sha256 {hashlib.sha256(text).hexdigest()}")

    if not args.no_eval_files:
        from gensim.test.utils import datapath

        for name in BUNDLED_EVAL:
            shutil.copyfile(datapath(name), os.path.join(PKG_DATA, name))
            print(f"copied {datapath(name)} -> {os.path.join(PKG_DATA, name)}")


if __name__ == "__main__":
    main()
