"""Markdown tables of quality results over seeds (bench/quality_seeds.py, small_corpus_sweep.py).

    python bench/quality_table.py bench/results/2026-12-01-quality-corpora.json
    python bench/quality_table.py bench/results/2026-12-01-small-corpus-preset.json \
        --reference bench/results/2026-12-01-quality-corpora.json

The first form compares fastembed_core with gensim's iterable mode: mean over seeds of each
score, the difference of the means, and the largest seed-to-seed spread; a difference
outside +-0.01 is marked. The second lists every configuration of a sweep, with the default
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


def comparison(doc, tolerance=0.01):
    lines = [
        "| corpus | model | loss | seeds | WS353 fe / gensim (diff) | SimLex fe / gensim (diff) "
        "| analogy fe / gensim (diff) | train s fe / gensim |",
        "|---|---|---|---:|---|---|---|---|",
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("--reference", help="quality_seeds results with both libraries' defaults")
    args = ap.parse_args()
    with open(args.results) as f:
        doc = json.load(f)
    if "configs" in doc:
        reference = None
        if args.reference:
            with open(args.reference) as f:
                reference = json.load(f)
        print(sweep(doc, reference))
    else:
        print(comparison(doc))


if __name__ == "__main__":
    main()
