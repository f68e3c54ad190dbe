"""bench/bench_dask.py's quality table: runs of one setting with different round lengths
stay apart, and each is compared with one process on its own seeds."""

from __future__ import annotations

import json

import _bench_scripts as bench_scripts


def _run(engine, seed, ws, processes=1, words_per_round=None):
    run = {
        "engine": engine,
        "processes": processes,
        "combine": None if engine == "local" else "scaled_average",
        "mode": "spark",
        "seed": seed,
        "wordsim353": ws,
        "simlex999": 0.3,
        "analogy": 0.1,
        "train_s": 10.0,
    }
    if words_per_round is not None:
        run["words_per_round"] = words_per_round
    return run


def _table(tmp_path, runs):
    path = tmp_path / "runs.json"
    path.write_text(json.dumps({"runs": runs}))
    return bench_scripts.load("bench_dask").quality_table([str(path)]).splitlines()


def test_round_lengths_make_separate_rows_compared_on_their_own_seeds(tmp_path):
    runs = [
        _run("local", 1, 0.60),
        _run("local", 2, 0.70),
        # 4 workers, about 80,000 words a worker a round, seeds 1 and 2
        _run("dask", 1, 0.62, processes=4, words_per_round=4 * 75_725),
        _run("dask", 2, 0.66, processes=4, words_per_round=4 * 75_725),
        # the same workers and combine with 25,000-word rounds, seed 1 only
        _run("dask", 1, 0.50, processes=4, words_per_round=4 * 24_650),
    ]
    rows = [line for line in _table(tmp_path, runs) if "Dask" in line]
    assert len(rows) == 2
    long_rounds = next(r for r in rows if "~76,000 words a round" in r)
    short_rounds = next(r for r in rows if "~25,000 words a round" in r)
    # mean 0.64 against the local mean 0.65 of seeds 1-2
    assert "| 1, 2 |" in long_rounds and "0.640 (-0.010)" in long_rounds
    # seed 1 alone: 0.50 against seed 1's 0.60, outside the band
    assert "| 1 |" in short_rounds and "0.500 (-0.100 **!**)" in short_rounds


def test_runs_without_a_round_length_keep_the_plain_label(tmp_path):
    runs = [_run("local", 1, 0.60), _run("dask", 1, 0.61, processes=2)]
    rows = [line for line in _table(tmp_path, runs) if "Dask" in line]
    assert rows == [
        "| spark | Dask 2 processes, scaled_average | 1 | 0.610 (+0.010) | 0.300 (+0.000) "
        "| 0.100 (+0.000) | 10 |"
    ]
