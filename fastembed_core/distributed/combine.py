"""Combining the workers' sparse deltas into one (pure NumPy; no Dask here).

Every worker starts a round from the same model and trains its own words; its delta is
``after - before`` of the rows it changed, per matrix, in one of two forms:

- sparse: ``(rows, values)`` with ``rows`` sorted and distinct (int64) and ``values`` float32
  of shape ``(len(rows), dim)``;
- dense: ``(changed, values)`` with ``changed`` a bool mask over all the matrix's rows and
  ``values`` the whole ``after - before`` (float32, zero in the rows not changed).

A round of CBOW with negative sampling changes every output row and most input rows, and
then the dense form is the cheaper one: one subtraction, no gather of the changed rows on
the worker and no scatter into the sum on the driver, for a few percent more bytes
(:func:`delta_of` picks the form by the share of rows changed, ``DENSE_SHARE``). A combined
delta takes either form too and is added to the model by :func:`apply_delta`.

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
``"scaled_average"``
    The mean of the workers' models, as ``"average"``, but every replica trains at ``n``
    times the schedule's learning rate (:func:`learning_rate_scale`; the driver applies it):
    the linear scaling rule of large-batch SGD, applied per round. It is right, to first
    order in the learning rate, for every row whatever its regime, with no per-row counts:

    - a row far from where its updates pull it (rare words; most output rows) moves by
      the sum of its gradients: each worker moves it ``n * alpha * g_i``, the mean is
      ``alpha * sum_i g_i``, what one process would do over the ``n`` slices in turn;
    - a row pulled to one point ``x*`` by many updates in a round (frequent words; the
      output rows of frequent negatives) contracts as ``x* + (x - x*) * c`` on one worker,
      with ``c = (1 - rho)^m``; one process over the ``n`` slices would reach ``c^n``; at
      ``n`` times the rate each worker reaches ``(1 - n rho)^m ~ c^n``, and so does the mean
      (the sum would reach ``1 - n (1 - c)``: past ``x*`` and further each round from
      ``n = 3`` on; the plain mean ``c``, a ``1 / n`` of the progress);
    - a row that only jitters around its optimum keeps one process's variance: ``n`` times
      the rate gives ``n`` times the variance on each worker and the mean of ``n``
      independent replicas divides it by ``n``.

    With one replica it is local training. Measured in bench/DISTRIBUTED.md: within 0.015
    of one process at 2, 4 and 8 workers where the other schemes fall behind from 4 on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = [
    "SCHEMES",
    "DEFAULT_COMBINE",
    "Delta",
    "DENSE_SHARE",
    "row_delta",
    "delta_of",
    "is_dense",
    "rows_changed",
    "combine",
    "learning_rate_scale",
    "apply_delta",
    "delta_bytes",
]

SCHEMES = ("sum", "capped_sum", "row_mean", "average", "scaled_average")
# Chosen against one process in bench/DISTRIBUTED.md: the one scheme within 0.015 of it at
# 2, 4 and 8 workers (english.txt, CBOW, two seeds; capped_sum, the default before, fell
# 0.25 behind on WordSim-353 at 4 workers and sync_words=500,000).
DEFAULT_COMBINE = "scaled_average"
# A delta travels dense when more than this share of its rows changed. Sparse costs a gather
# of the changed rows on the worker and a scatter into the sum on the driver (8 ms each for
# 33,000 of 40,000 rows of 100, against 3.6 ms for the dense subtraction) and saves the bytes
# of the rows not changed; at 3/4 and more the dense form is the cheaper one end to end.
DENSE_SHARE = 0.5

# {matrix name: (rows, values)}
Delta = Mapping[str, tuple[np.ndarray, np.ndarray]]


def learning_rate_scale(scheme: str, n_replicas: int, max_scale: float | None = None) -> float:
    """The factor on the learning-rate schedule every replica trains at under ``scheme``.

    Under ``"scaled_average"`` it is ``n_replicas``, or at most ``max_scale`` but never
    under ``n_replicas / 2``; :func:`combine` divides the sum of the deltas by it. Below
    ``n_replicas`` the combined delta is more than the mean, up to twice it: a row that every
    replica drives to the same point then lands at most as far past that point as it
    started before it (``e -> (2c - 1) e``), where more than twice would let it grow from
    round to round, as ``"sum"`` does from 3 replicas."""
    if scheme not in SCHEMES:
        raise ValueError(f"combine must be one of {', '.join(map(repr, SCHEMES))}; got {scheme!r}")
    if n_replicas < 1:
        raise ValueError("combine needs at least one replica")
    if scheme != "scaled_average":
        return 1.0
    if max_scale is None:
        return float(n_replicas)
    return float(max(n_replicas / 2, min(n_replicas, max_scale)))


def row_delta(before: np.ndarray, after: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``after`` that differ from ``before`` and their change (float32): the
    sparse form."""
    if before.shape != after.shape:
        raise ValueError(f"before {before.shape} and after {after.shape} differ in shape")
    rows = np.flatnonzero((before != after).any(axis=1)).astype(np.int64)
    return rows, (after[rows] - before[rows]).astype(np.float32, copy=False)


def delta_of(
    before: np.ndarray, after: np.ndarray, dense_share: float = DENSE_SHARE
) -> tuple[np.ndarray, np.ndarray]:
    """``after - before`` (float32 matrices of one shape): dense when more than
    ``dense_share`` of the rows changed, else sparse (the rows of :func:`row_delta`)."""
    if before.shape != after.shape or before.ndim != 2:
        raise ValueError(f"before {before.shape} and after {after.shape} differ in shape")
    diff = np.subtract(after, before, dtype=np.float32)
    # x - y is 0 exactly when x == y (NaN and inf - inf give NaN: changed, and caught by the
    # driver's finiteness check)
    changed = diff.any(axis=1)
    n_changed = int(np.count_nonzero(changed))
    if n_changed > dense_share * len(changed):
        return changed, diff
    rows = np.flatnonzero(changed).astype(np.int64)
    return rows, diff[rows]


def is_dense(rows: np.ndarray) -> bool:
    """Whether a delta's first array is the dense form's row mask."""
    return rows.dtype == np.bool_


def rows_changed(rows: np.ndarray) -> int:
    """How many rows a delta (either form) changes."""
    return int(np.count_nonzero(rows)) if is_dense(rows) else len(rows)


def _check(name: str, rows: np.ndarray, values: np.ndarray) -> None:
    if rows.ndim != 1 or values.ndim != 2 or len(rows) != len(values):
        raise ValueError(f"{name}: rows {rows.shape} and values {values.shape} do not form a delta")
    if not is_dense(rows) and len(rows) > 1 and not (np.diff(rows) > 0).all():
        raise ValueError(f"{name}: the rows of a delta must be sorted and distinct")


def _height(rows: np.ndarray) -> int:
    """The rows a delta spans (dense: all of the matrix; sparse: up to its last row)."""
    if is_dense(rows):
        return len(rows)
    return 1 + int(rows[-1]) if len(rows) else 0


def combine(
    deltas: Sequence[Delta],
    scheme: str,
    n_replicas: int | None = None,
    scale: float | None = None,
) -> dict:
    """The combined delta of ``deltas`` (one per worker) under ``scheme``.

    ``n_replicas`` divides under ``"average"`` (default: ``len(deltas)``): a replica that
    trained nothing this round still counts in the mean of the models. Under
    ``"scaled_average"`` the sum is divided by ``scale``, the factor the replicas trained
    at (:func:`learning_rate_scale`; default ``n_replicas``: the mean)."""
    if scheme not in SCHEMES:
        raise ValueError(f"combine must be one of {', '.join(map(repr, SCHEMES))}; got {scheme!r}")
    n = len(deltas) if n_replicas is None else n_replicas
    if n < 1:
        raise ValueError("combine needs at least one replica")
    if scale is not None and not scale > 0:
        raise ValueError(f"scale must be positive; got {scale!r}")
    divisor = {"average": n, "scaled_average": n if scale is None else scale}.get(scheme)
    names = sorted({name for delta in deltas for name in delta})
    out = {}
    for name in names:
        parts = [delta[name] for delta in deltas if name in delta]
        for rows, values in parts:
            _check(name, rows, values)
        dims = {values.shape[1] for _, values in parts}
        if len(dims) != 1:
            raise ValueError(f"{name}: the workers' deltas differ in width: {sorted(dims)}")
        # Accumulated in float32 over the dense row range: a copy (dense) or a scatter
        # (sparse) of the first worker's delta, an add for each other one. Sorting every
        # worker's rows (np.unique) and adding in float64 took 0.39 s for 2 workers x 2
        # matrices x 40,000 rows of 100; two dense deltas take 0.01 s. A sum of a few float32
        # changes loses nothing that matters, and the driver and every replica add the same
        # float32 result. Both forms give the same sums bit for bit (same order of adds).
        n_rows = max(_height(rows) for rows, _ in parts)
        for rows, _ in parts:
            if is_dense(rows) and len(rows) != n_rows:
                raise ValueError(f"{name}: a dense delta of {len(rows)} rows, another to {n_rows}")
        total = np.zeros((n_rows, dims.pop()), np.float32)
        touched: np.ndarray = np.zeros(n_rows, np.int32)
        for i, (rows, values) in enumerate(parts):
            if is_dense(rows):
                if i == 0:
                    np.copyto(total, values)
                else:
                    total += values
            elif i == 0:
                total[rows] = values
            else:
                total[rows] += values  # rows are distinct within a delta: no repeated index
            touched[rows] += 1  # a mask adds 1 where True, as the rows' indices do
        if divisor is not None:
            total /= np.float32(divisor)
        elif scheme == "row_mean":
            total /= np.maximum(touched, 1)[:, None]
        elif scheme == "capped_sum":
            total *= np.minimum(1.0, 2.0 / np.maximum(touched, 1))[:, None]
        changed = touched > 0
        union = np.flatnonzero(changed)
        # dense only where a dense part gave the matrix's height (sparse parts end at their
        # last row)
        if any(is_dense(rows) for rows, _ in parts) and len(union) > DENSE_SHARE * n_rows:
            out[name] = (changed, total)
        else:
            out[name] = (union.astype(np.int64), total[union])
    return out


def apply_delta(matrix: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    """``matrix[rows] += values`` in place, or ``matrix += values`` for a dense delta (float32,
    as every replica applies it, so the driver's model and the workers' replicas stay bit for
    bit equal; adding a dense delta's zero rows changes nothing)."""
    if is_dense(rows):
        if len(rows) != len(matrix):
            raise ValueError(f"a dense delta of {len(rows)} rows for a matrix of {len(matrix)}")
        matrix += values
    elif len(rows):
        matrix[rows] += values


def delta_bytes(delta: Delta) -> int:
    """Payload bytes of a delta's arrays."""
    return int(sum(rows.nbytes + values.nbytes for rows, values in delta.values()))
