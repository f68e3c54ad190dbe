"""Combining the workers' sparse deltas into one (pure NumPy; no Dask here).

Every worker starts a round from the same model and trains its own words; its delta is
``after - before`` of the rows it changed, per matrix: ``(rows, values)`` with ``rows`` sorted
and distinct (int64) and ``values`` float32 of shape ``(len(rows), dim)``. A combined delta has
the same form and is added to the model by :func:`apply_delta`.

The schemes (``n`` replicas trained this round; a row's ``k`` of them changed it):

``"sum"``
    Every worker's change is kept: ``sum_i delta_i``. As if the workers had written one shared
    model at once (Hogwild across machines); rows that several workers touch move further.
``"capped_sum"``
    The sum for a row that at most two workers changed; beyond, the sum times ``2 / k`` (twice
    the mean). A row that every worker drives to the same point moves ``k`` times as far
    under ``"sum"``, and from ``k = 3`` on that overshoot grows from round to round (measured:
    4 workers diverged); capped at 2 it stays as with two workers, where summing was the best
    scheme measured. With two workers it is ``"sum"`` exactly.
``"row_mean"``
    Per row, the mean over the workers that changed it: ``sum_i delta_i / k``. A word seen by
    one worker keeps that worker's whole change; frequent words, trained everywhere, move by
    the mean step.
``"average"``
    The mean of the workers' whole models, as Spark's MLlib combines them:
    ``sum_i delta_i / n``. Each worker's progress is divided by ``n``: the reference point
    that degrades as workers are added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = [
    "SCHEMES",
    "DEFAULT_COMBINE",
    "Delta",
    "row_delta",
    "combine",
    "apply_delta",
    "delta_bytes",
]

SCHEMES = ("sum", "capped_sum", "row_mean", "average")
# Chosen on english.txt (11 MB) against one process: see README, "Training on a Dask cluster"
# (with 2 workers it is "sum", the best scheme there; with 4 the only one that did not fall
# far behind).
DEFAULT_COMBINE = "capped_sum"

# {matrix name: (rows, values)}
Delta = Mapping[str, tuple[np.ndarray, np.ndarray]]


def row_delta(before: np.ndarray, after: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``after`` that differ from ``before`` and their change (float32)."""
    if before.shape != after.shape:
        raise ValueError(f"before {before.shape} and after {after.shape} differ in shape")
    rows = np.flatnonzero((before != after).any(axis=1)).astype(np.int64)
    return rows, (after[rows] - before[rows]).astype(np.float32, copy=False)


def _check(name: str, rows: np.ndarray, values: np.ndarray) -> None:
    if rows.ndim != 1 or values.ndim != 2 or len(rows) != len(values):
        raise ValueError(f"{name}: rows {rows.shape} and values {values.shape} do not form a delta")
    if len(rows) > 1 and not (np.diff(rows) > 0).all():
        raise ValueError(f"{name}: the rows of a delta must be sorted and distinct")


def combine(deltas: Sequence[Delta], scheme: str, n_replicas: int | None = None) -> dict:
    """The combined delta of ``deltas`` (one per worker) under ``scheme``.

    ``n_replicas`` divides under ``"average"`` (default: ``len(deltas)``): a replica that
    trained nothing this round still counts in the mean of the models."""
    if scheme not in SCHEMES:
        raise ValueError(f"combine must be one of {', '.join(map(repr, SCHEMES))}; got {scheme!r}")
    n = len(deltas) if n_replicas is None else n_replicas
    if n < 1:
        raise ValueError("combine needs at least one replica")
    names = sorted({name for delta in deltas for name in delta})
    out = {}
    for name in names:
        parts = [delta[name] for delta in deltas if name in delta]
        for rows, values in parts:
            _check(name, rows, values)
        dims = {values.shape[1] for _, values in parts}
        if len(dims) != 1:
            raise ValueError(f"{name}: the workers' deltas differ in width: {sorted(dims)}")
        # Accumulated in float32 over the dense row range: a scatter for the first worker and
        # one fancy-index add for each other one. Sorting every worker's rows (np.unique) and
        # adding in float64 took 0.39 s for 2 workers x 2 matrices x 40,000 rows of 100; this
        # takes about a third. A sum of a few float32 changes loses nothing that matters, and
        # the driver and every replica add the same float32 result.
        n_rows = 1 + max((int(rows[-1]) for rows, _ in parts if len(rows)), default=-1)
        total = np.zeros((n_rows, dims.pop()), np.float32)
        touched: np.ndarray = np.zeros(n_rows, np.int32)
        for i, (rows, values) in enumerate(parts):
            if i == 0:
                total[rows] = values
            else:
                total[rows] += values  # rows are distinct within a delta: no repeated index
            touched[rows] += 1
        union = np.flatnonzero(touched)
        total, touched = total[union], touched[union]
        if scheme == "average":
            total /= n
        elif scheme == "row_mean":
            total /= touched[:, None]
        elif scheme == "capped_sum":
            total *= np.minimum(1.0, 2.0 / touched)[:, None]
        out[name] = (union.astype(np.int64), total)
    return out


def apply_delta(matrix: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    """``matrix[rows] += values`` in place (float32, as every replica applies it, so the
    driver's model and the workers' replicas stay bit for bit equal)."""
    if len(rows):
        matrix[rows] += values


def delta_bytes(delta: Delta) -> int:
    """Payload bytes of a delta's arrays."""
    return int(sum(rows.nbytes + values.nbytes for rows, values in delta.values()))
