"""Phrase detection, fastembed_core against gensim 4, side by side on one corpus.

    python bench/bench_phrases.py --corpus bench/data/english.txt --repeats 5

Each repeat runs gensim then fastembed_core (interleaved) on the same sentences (the file's
lines split on whitespace, read once before timing): learning (``Phrases(sentences, ...)``)
and applying (``list(model[sentences])``), with the connector words of English, then checks
that both found the same phrases with the same scores and produced the same phrased corpus
(the number of phrases and sentences that differ is recorded; it must be 0). Wall time and
process CPU time are both recorded: on a shared machine CPU time is the steadier measure.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import time

from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS
from gensim.models.phrases import Phrases as GensimPhrases

from fastembed_core.models.phrases import Phrases


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="bench/data/english.txt")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", help="default: bench/results/<date>-phrases-<corpus>.json")
    args = parser.parse_args()
    if args.out is None:
        stem = os.path.splitext(os.path.basename(args.corpus))[0]
        args.out = f"bench/results/{time.strftime('%Y-%m-%d')}-phrases-{stem}.json"
    with open(args.corpus, encoding="utf-8") as f:
        sentences = [line.split() for line in f]
    tokens = sum(map(len, sentences))
    settings = {"min_count": 5, "threshold": 10.0, "connector_words": ENGLISH_CONNECTOR_WORDS}
    runs = []
    for repeat in range(args.repeats):
        row = {}
        for name, cls in (("gensim", GensimPhrases), ("fastembed_core", Phrases)):
            model, learn_wall, learn_cpu = timed(lambda cls=cls: cls(sentences, **settings))
            applied, apply_wall, apply_cpu = timed(lambda model=model: list(model[sentences]))
            row[name] = {
                "learn_wall_s": learn_wall,
                "learn_cpu_s": learn_cpu,
                "apply_wall_s": apply_wall,
                "apply_cpu_s": apply_cpu,
                "phrases": model.export_phrases(),
                "applied": applied,
            }
            print(
                f"repeat {repeat} {name}: learn {learn_wall:.2f}s wall {learn_cpu:.2f}s cpu, "
                f"apply {apply_wall:.2f}s wall {apply_cpu:.2f}s cpu",
                flush=True,
            )
        g, f = row["gensim"], row["fastembed_core"]
        keys = set(g["phrases"]) | set(f["phrases"])
        differing_phrases = sum(g["phrases"].get(k) != f["phrases"].get(k) for k in keys)
        differing_sentences = sum(a != b for a, b in zip(g["applied"], f["applied"]))
        runs.append(
            {name: {k: v for k, v in row[name].items() if k.endswith("_s")} for name in row}
            | {
                "phrases_found": len(f["phrases"]),
                "phrases_differing": differing_phrases,
                "sentences_differing": differing_sentences,
            }
        )
    medians = {
        name: {
            key: statistics.median(r[name][key] for r in runs)
            for key in ("learn_wall_s", "learn_cpu_s", "apply_wall_s", "apply_cpu_s")
        }
        for name in ("gensim", "fastembed_core")
    }
    ratios = {
        key: medians["gensim"][key] / medians["fastembed_core"][key] for key in medians["gensim"]
    }
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    result = {
        "what": "Phrases learning + applying, gensim 4 vs fastembed_core, interleaved",
        "corpus": os.path.basename(args.corpus),
        "tokens": tokens,
        "sentences": len(sentences),
        "settings": {"min_count": 5, "threshold": 10.0, "connector_words": "ENGLISH"},
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_at_end": os.getloadavg(),
        },
        "commit": commit,
        "runs": runs,
        "medians": medians,
        "speedup_gensim_over_ours": ratios,
    }
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out, indent=1)
    print(
        json.dumps(
            {
                "medians": medians,
                "speedup": ratios,
                "phrases_differing": [r["phrases_differing"] for r in runs],
                "sentences_differing": [r["sentences_differing"] for r in runs],
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
