"""Markdown tables of bench/run_fasttext.py's results (for bench/FASTTEXT.md and the README).

    python bench/fasttext_table.py bench/results/2026-12-01-fasttext-speed.json \\
        bench/results/2026-12-01-fasttext-quality.json
"""

import argparse
import json

NAMES = {
    "fastembed_core": "**fastembed_core**",
    "fasttext": "fastText 0.9.3",
    "gensim_file": "gensim 4.4 (corpus_file)",
    "gensim": "gensim 4.4 (iterable)",
}
MODELS = {1: "skip-gram", 0: "CBOW"}


def _k(x):
    return f"{x / 1e3:,.0f} k"


def speed_tables(result):
    summary = result["summary"]
    lines = [
        f"Speed, {result['settings']['epochs']} epoch(s), medians of {result['runs'] and max(m['n'] for m in summary['medians'])} "
        f"rounds (`{result['command']}`, commit `{result['git']['commit'][:7]}`, load average "
        f"before {result['load_average_before'][0]}, after {result['load_average_now'][0]}):",
        "",
        "| model, threads | peer | train s | train CPU s | effective words/s | per CPU-second | setup s | total s | peak RSS |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in summary["medians"]:
        lines.append(
            f"| {MODELS[m['sg']]}, {m['threads']} | {NAMES.get(m['peer'], m['peer'])} | "
            f"{m['train_s']:.1f} | {m['train_cpu_s']:.1f} | {_k(m['eff_wps'])} | {_k(m['eff_wpcs'])} | "
            f"{m['setup_s']:.1f} | {m['total_s']:.1f} | {m['peak_rss_mb']:.0f} MB |"
        )
    if summary["ratios"]:
        lines += [
            "",
            "Ratios, ours over the peer, per round (median [min-max]):",
            "",
            "| model, threads | over | effective words/s | per CPU-second | peak RSS |",
            "|---|---|---:|---:|---:|",
        ]
        for r in summary["ratios"]:
            cells = [
                f"{r[k]['median']:.2f}x [{r[k]['min']:.2f}-{r[k]['max']:.2f}]"
                for k in ("eff_wps", "eff_wpcs", "peak_rss")
            ]
            lines.append(
                f"| {MODELS[r['sg']]}, {r['threads']} | {NAMES.get(r['ours_over'], r['ours_over'])} | "
                + " | ".join(cells)
                + " |"
            )
    if summary["thread_scaling"]:
        lines += [
            "",
            "| model | peer | 1 -> 2 threads (train_s ratio, median [min-max]) |",
            "|---|---|---:|",
        ]
        for s in summary["thread_scaling"]:
            sp = s["speedup"]
            lines.append(
                f"| {MODELS[s['sg']]} | {NAMES.get(s['peer'], s['peer'])} | "
                f"{sp['median']:.2f}x [{sp['min']:.2f}-{sp['max']:.2f}] |"
            )
    return "\n".join(lines)


QUALITY_COLUMNS = (
    ("ws353_spearman", "WS353"),
    ("simlex_spearman", "SimLex"),
    ("analogy_acc", "analogies"),
    ("rare_both_spearman", "rare pairs"),
    ("full_ws353_spearman", "WS353 all"),
    ("full_simlex_spearman", "SimLex all"),
    ("inflection_mrr", "inflection MRR"),
)


def quality_tables(result):
    lines = [
        f"Quality, {result['settings']['epochs']} epochs, {result['settings']['threads'][0]} threads, "
        f"mean ± standard deviation over seeds (`{result['command']}`, commit "
        f"`{result['git']['commit'][:7]}`):",
        "",
        "| model | peer | seeds | " + " | ".join(c for _, c in QUALITY_COLUMNS) + " |",
        "|---|---|---:|" + "---:|" * len(QUALITY_COLUMNS),
    ]
    for row in result["summary"]:
        for peer, name in NAMES.items():
            if peer not in row:
                continue
            cells = [
                f"{row[peer][k]['mean']:.3f} ± {row[peer][k]['stdev']:.3f}"
                if k in row[peer]
                else ""
                for k, _ in QUALITY_COLUMNS
            ]
            lines.append(
                f"| {row['model']} | {name} | {row[peer]['n']} | " + " | ".join(cells) + " |"
            )
        for peer in NAMES:
            diff = row.get(f"{peer}_minus_fasttext")
            if diff:
                cells = [f"{diff[k]:+.3f}" if k in diff else "" for k, _ in QUALITY_COLUMNS]
                lines.append(
                    f"| {row['model']} | {NAMES[peer]} − fastText | | " + " | ".join(cells) + " |"
                )
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", nargs="+", help="results files of bench/run_fasttext.py")
    args = ap.parse_args(argv)
    for path in args.results:
        with open(path) as f:
            result = json.load(f)
        print(speed_tables(result) if "speed" in result["what"] else quality_tables(result))
        print()


if __name__ == "__main__":
    main()
