"""Markdown tables of quality results over seeds (bench/quality_seeds.py, small_corpus_sweep.py).

    python bench/quality_table.py bench/results/2026-12-01-quality-corpora.json \
        bench/results/2026-12-02-quality-corpora-seed2.json
    python bench/quality_table.py bench/results/2026-12-01-small-corpus-preset.json \
        --reference bench/results/2026-12-01-quality-corpora.json

Several files of the same kind are read as one (runs of other seeds added later); a run
found twice (same corpus, model, loss, library or settings, seed) counts once.
The first form compares fastembed_core with gensim's iterable mode: mean over seeds of each
score, the difference of the means, and the largest seed-to-seed spread; a difference
outside +-0.01 is marked, and ``2 SE`` is twice the standard error of that difference
(from the seed-to-seed spread of both libraries): a difference well inside it is noise the
seeds cannot resolve. The second lists every configuration of a sweep, with the default
settings of both libraries (negative sampling) taken from the reference file's runs on the
same seeds.
"""

import argparse
import json
import statistics

METRICS = ("wordsim353", "simlex999", "analogy")


def _groups(runs, fields):
    out = {}
    for r in runs:
        out.setdefault(tuple(r[f] for f in fields), []).append(r)
    return out


def _mean(runs, metric):
    return statistics.mean(r[metric] for r in runs)


def _spread(runs, metric):
    vals = [r[metric] for r in runs]
    return max(vals) - min(vals)


def _two_se(fe, gs, metric):
    """Twice the standard error of the difference of the two means, or "-" with one seed."""
    if min(len(fe), len(gs)) < 2:
        return "-"
    var = statistics.variance([r[metric] for r in fe]) / len(fe)
    var += statistics.variance([r[metric] for r in gs]) / len(gs)
    return f"{2 * var**0.5:.3f}"


def _read(paths):
    """The documents of paths as one: the first's fields, every distinct run of all."""
    docs = []
    for path in paths:
        with open(path) as f:
            docs.append(json.load(f))
    seen, runs = set(), []
    for doc in docs:
        for r in doc["runs"]:
            key = tuple(r.get(k) for k in ("corpus", "model", "loss", "library", "seed"))
            if key not in seen:
                seen.add(key)
                runs.append(r)
    return {**docs[0], "runs": runs}


def comparison(doc, tolerance=0.01):
    lines = [
        "| corpus | model | loss | seeds | WS353 fe / gensim (diff) | SimLex fe / gensim (diff) "
        "| analogy fe / gensim (diff) | 2 SE WS / SL / an | train s fe / gensim |",
        "|---|---|---|---:|---|---|---|---|---|",
    ]
    for (corpus, model, loss), runs in _groups(doc["runs"], ("corpus", "model", "loss")).items():
        fe = [r for r in runs if r["library"] == "fastembed_core"]
        gs = [r for r in runs if r["library"] == "gensim_iterable"]
        seeds = sorted({r["seed"] for r in fe} & {r["seed"] for r in gs})
        fe = [r for r in fe if r["seed"] in seeds]
        gs = [r for r in gs if r["seed"] in seeds]
        if not seeds:
            continue
        cells = []
        for metric in METRICS:
            a, b = _mean(fe, metric), _mean(gs, metric)
            mark = " **!**" if abs(a - b) > tolerance else ""
            cells.append(f"{a:.3f} / {b:.3f} ({a - b:+.3f}{mark})")
        cells.append(" / ".join(_two_se(fe, gs, metric) for metric in METRICS))
        times = f"{_mean(fe, 'train_s'):.1f} / {_mean(gs, 'train_s'):.1f}"
        lines.append(
            f"| {corpus} | {model} | {loss} | {len(seeds)} | {' | '.join(cells)} | {times} |"
        )
    return "\n".join(lines)


def sweep(doc, reference=None):
    runs = list(doc["runs"])
    if reference:
        seeds = {(r["corpus"], r["model"], r["seed"]) for r in runs}
        names = {"fastembed_core": "default", "gensim_iterable": "gensim-default"}
        for r in reference["runs"]:
            if r.get("loss") == "ns" and (r["corpus"], r["model"], r["seed"]) in seeds:
                runs.append({**r, "library": names[r["library"]]})
    lines = [
        "| corpus | model | settings | seeds | WS353 | SimLex | analogy | train s |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for (corpus, model), group in _groups(runs, ("corpus", "model")).items():
        for name, cfg in _groups(group, ("library",)).items():
            cells = [f"{_mean(cfg, m):.3f}" for m in METRICS] + [f"{_mean(cfg, 'train_s'):.1f}"]
            n = len({r["seed"] for r in cfg})
            lines.append(f"| {corpus} | {model} | {name[0]} | {n} | {' | '.join(cells)} |")
    return "\n".join(lines)


def against_best(doc, preset, peers):
    """Per corpus, model and score: ``preset``'s mean over seeds against the best of the
    ``peers``' means (which peer it is, and the difference)."""
    lines = [
        f"| corpus | model | seeds | WS353 {preset} / best peer | SimLex | analogy |",
        "|---|---|---:|---|---|---|",
    ]
    for (corpus, model), group in _groups(doc["runs"], ("corpus", "model")).items():
        by = _groups(group, ("library",))
        if (preset,) not in by or not all((p,) in by for p in peers):
            continue
        seeds = set.intersection(*({r["seed"] for r in by[(n,)]} for n in (preset, *peers)))
        runs = {n: [r for r in by[(n,)] if r["seed"] in seeds] for n in (preset, *peers)}
        cells = []
        for metric in METRICS:
            mine = _mean(runs[preset], metric)
            best = max(peers, key=lambda n: _mean(runs[n], metric))
            diff = mine - _mean(runs[best], metric)
            cells.append(f"{mine:.3f} / {_mean(runs[best], metric):.3f} {best} ({diff:+.3f})")
        lines.append(f"| {corpus} | {model} | {len(seeds)} | {' | '.join(cells)} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+")
    ap.add_argument(
        "--reference", nargs="+", help="quality_seeds results with both libraries' defaults"
    )
    ap.add_argument(
        "--against-best",
        nargs="+",
        metavar="NAME",
        help="a sweep's candidate, then the peer settings: the candidate against the best "
        "peer on every score",
    )
    args = ap.parse_args()
    doc = _read(args.results)
    if "configs" in doc and args.against_best:
        print(against_best(doc, args.against_best[0], args.against_best[1:]))
    elif "configs" in doc:
        print(sweep(doc, _read(args.reference) if args.reference else None))
    else:
        print(comparison(doc))


if __name__ == "__main__":
    main()
