"""Writes a seeded synthetic Zipf corpus of any size, for scaling and memory benchmarks.

    python bench/make_zipf.py --tokens 1e8            # -> bench/data/zipf-1e8.txt

Word of frequency rank r (1-based) is drawn with probability proportional to r**-exponent from
a vocabulary of ``--vocab`` words; rank r is spelled as r in bijective base 26 (a, b, ..., z,
aa, ab, ...), so frequent words are short as in real text and every token is ``[a-z]+``.
Sentence lengths are lognormal (median ``--median-len``, log-sd ``--sigma``), clipped to
[1, 1000]. Tokens and lengths come from one ``numpy.random.Generator(PCG64(seed))``, and the
text is assembled with vectorised byte gathers, so 10^8 tokens take about a minute.
With the defaults (exponent 1, 10^6 words, 10^8 tokens) the rarest word is expected about
7 times, so nearly the whole vocabulary survives ``min_count=5``.
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus_sources import DATA_DIR  # noqa: E402

CHUNK = 1 << 20  # tokens assembled per block: bounds memory to ~100 MB whatever --tokens is


def spell(ranks):
    """Bijective base-26 spelling of positive integers: 1 -> 'a', 26 -> 'z', 27 -> 'aa'."""
    words = []
    for r in ranks:
        s = []
        while r > 0:
            r, m = divmod(r - 1, 26)
            s.append(chr(97 + m))
        words.append("".join(reversed(s)))
    return words


def short_count(n):
    """1e8 -> '1e8', 2500000 -> '2.5e6', 12345 -> '12345' (for file names)."""
    n = int(n)
    exp = len(str(n)) - 1
    mant = n / 10**exp
    if exp >= 3 and mant == int(mant):
        return f"{int(mant)}e{exp}"
    if exp >= 3 and round(mant, 1) * 10**exp == n:
        return f"{mant:.1f}e{exp}"
    return str(n)


def generate(out, tokens, vocab, exponent, median_len, sigma, seed):
    rng = np.random.Generator(np.random.PCG64(seed))
    cdf = np.cumsum(np.arange(1, vocab + 1, dtype=np.float64) ** -exponent)
    cdf /= cdf[-1]
    # Byte table: word i followed by one separator byte, laid out back to back.
    spelled = spell(range(1, vocab + 1))
    lens = np.fromiter((len(w) + 1 for w in spelled), dtype=np.int64, count=vocab)
    starts = np.zeros(vocab, dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    table = np.frombuffer((" ".join(spelled) + " ").encode("ascii"), dtype=np.uint8)
    del spelled

    counts = np.zeros(vocab, dtype=np.int64)
    written = lines = 0
    next_start = 0  # absolute index where the next sentence starts
    pending = np.zeros(0, dtype=np.int64)  # absolute sentence ends not yet written
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        while written < tokens:
            n = int(min(CHUNK, tokens - written))
            hi = written + n
            ids = np.searchsorted(cdf, rng.random(n), side="right")
            np.minimum(ids, vocab - 1, out=ids)
            counts += np.bincount(ids, minlength=vocab)
            # Draw sentence lengths until they cover the block; ends are absolute positions
            # of the last token of each sentence.
            new_ends = [pending]
            while next_start < hi:
                k = (hi - next_start) // max(1, int(median_len)) + 64
                ln = np.clip(np.rint(rng.lognormal(np.log(median_len), sigma, k)), 1, 1000)
                cum = next_start + np.cumsum(ln.astype(np.int64)) - 1
                new_ends.append(cum)
                next_start = int(cum[-1]) + 1
            all_ends = np.concatenate(new_ends)
            pending = all_ends[all_ends >= hi]
            ends = all_ends[all_ends < hi] - written
            if hi >= tokens and (len(ends) == 0 or ends[-1] != n - 1):
                ends = np.append(ends, n - 1)  # the corpus ends with a complete line
            # Gather the bytes of every token: token j occupies lens[ids[j]] output bytes.
            tok_len = lens[ids]
            out_start = np.zeros(n, dtype=np.int64)
            np.cumsum(tok_len[:-1], out=out_start[1:])
            total = int(out_start[-1] + tok_len[-1])
            idx = np.arange(total, dtype=np.int64)
            idx += np.repeat(starts[ids] - out_start, tok_len)
            buf = table[idx]
            buf[out_start[ends] + tok_len[ends] - 1] = 10  # separator -> newline
            f.write(buf.tobytes())
            written += n
            lines += len(ends)
    os.replace(tmp, out)
    return written, lines, counts


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tokens", type=float, default=1e8, help="corpus size in tokens")
    ap.add_argument("--vocab", type=float, default=1e6, help="vocabulary size (10^5-10^6)")
    ap.add_argument("--exponent", type=float, default=1.0, help="Zipf exponent")
    ap.add_argument("--median-len", type=float, default=20.0, help="median sentence length")
    ap.add_argument("--sigma", type=float, default=0.6, help="log-sd of sentence length")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", help="output path (default bench/data/zipf-<tokens>.txt)")
    args = ap.parse_args(argv)
    tokens, vocab = int(args.tokens), int(args.vocab)
    if tokens < 1 or vocab < 1:
        ap.error("--tokens and --vocab must be positive")
    out = args.out or os.path.join(DATA_DIR, f"zipf-{short_count(tokens)}.txt")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)

    t0 = time.perf_counter()
    written, lines, counts = generate(
        out, tokens, vocab, args.exponent, args.median_len, args.sigma, args.seed
    )
    seen = int((counts > 0).sum())
    kept = int((counts >= 5).sum())
    print(
        f"wrote {out}: {written:,} tokens, {lines:,} lines (mean length "
        f"{written / lines:.1f}), vocabulary {seen:,} seen of {vocab:,} ({kept:,} with "
        f"count >= 5), {os.path.getsize(out):,} bytes, {time.perf_counter() - t0:.1f} s"
    )


if __name__ == "__main__":
    main()
