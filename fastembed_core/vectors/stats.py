"""Correlation statistics for the word-pair evaluation, with numpy alone.

:func:`correlations` uses scipy when it is already loaded (so the numbers are gensim's to the
last digit) and otherwise :func:`pearson_spearman`, written here so evaluation needs no scipy:
ranks with averaged ties (:func:`rankdata`), Pearson's r (:func:`pearson`), its two-sided
p-value under the null of no correlation (:func:`two_sided_p`) through the regularised
incomplete beta function (:func:`betainc`).
"""

from __future__ import annotations

import math
import sys

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "rankdata",
    "pearson",
    "spearman",
    "two_sided_p",
    "betainc",
    "pearson_spearman",
    "correlations",
]


def rankdata(x: ArrayLike) -> NDArray[np.float64]:
    """Ranks of the values of ``x``, starting at 1; tied values get the mean of their ranks.

    Parameters
    ----------
    x : array_like
        1-D values.

    Returns
    -------
    numpy.ndarray
        float64 ranks, aligned with ``x``.

    Examples
    --------
    >>> rankdata([3, 1, 3, 2]).tolist()
    [3.5, 1.0, 3.5, 2.0]
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    order = np.argsort(x, kind="mergesort")
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.arange(n)
    xs = x[order]
    new_value = np.r_[True, xs[1:] != xs[:-1]]
    group = np.cumsum(new_value)[inverse]  # 1-based group id of each element
    starts = np.r_[np.flatnonzero(new_value), n]  # first sorted position of each group
    return 0.5 * (starts[group] + starts[group - 1] + 1)


def pearson(x: ArrayLike, y: ArrayLike) -> tuple[float, float]:
    """Pearson's correlation coefficient of ``x`` and ``y`` and its two-sided p-value.

    Parameters
    ----------
    x, y : array_like
        1-D values of the same length (at least 2).

    Returns
    -------
    r : float
        The correlation, clipped to [-1, 1]; NaN when either input is constant.
    p : float
        Two-sided p-value (:func:`two_sided_p`); NaN when ``r`` is.

    Raises
    ------
    ValueError
        Fewer than two pairs.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = x.shape[0]
    if n < 2:
        raise ValueError("need at least two pairs for a correlation")
    xm = x - x.mean()
    ym = y - y.mean()
    denom = math.sqrt(float(np.dot(xm, xm)) * float(np.dot(ym, ym)))
    if denom == 0:
        return float("nan"), float("nan")
    r = max(-1.0, min(1.0, float(np.dot(xm, ym)) / denom))
    return r, two_sided_p(r, n)


def spearman(x: ArrayLike, y: ArrayLike) -> tuple[float, float]:
    """Spearman's rank correlation of ``x`` and ``y`` and its two-sided p-value.

    Parameters
    ----------
    x, y : array_like
        1-D values of the same length (at least 2).

    Returns
    -------
    rho : float
        Pearson's correlation of the ranks (:func:`rankdata`).
    p : float
        Two-sided p-value.
    """
    return pearson(rankdata(x), rankdata(y))


def two_sided_p(r: float, n: int) -> float:
    """Two-sided p-value of correlation ``r`` over ``n`` pairs, under no correlation.

    Parameters
    ----------
    r : float
        A correlation coefficient in [-1, 1].
    n : int
        Number of pairs.

    Returns
    -------
    float
        1.0 for ``n <= 2``, 0.0 for ``|r| = 1``.

    Notes
    -----
    With ``df = n - 2`` and Student's t statistic ``t = r*sqrt(df/(1-r^2))``, the two-sided
    tail probability is the regularised incomplete beta ``I_{df/(df+t^2)}(df/2, 1/2)``, and
    ``df/(df+t^2) = 1 - r^2``.
    """
    if n <= 2:
        return 1.0
    if abs(r) >= 1.0:
        return 0.0
    return betainc((n - 2) / 2.0, 0.5, 1.0 - r * r)


def betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function ``I_x(a, b)``.

    Parameters
    ----------
    a, b : float
        Positive shape parameters.
    x : float
        Upper limit of integration; values outside [0, 1] are clipped.

    Returns
    -------
    float

    Notes
    -----
    Evaluated by its continued fraction (Lentz's method), on the side of the symmetry
    ``I_x(a, b) = 1 - I_{1-x}(b, a)`` where the fraction converges fast.
    """
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(b, a, 1.0 - x) / b


# Lentz's method divides by c and d: values this close to zero are replaced by it.
_TINY = 1e-300


def _beta_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function, evaluated by Lentz's method."""
    c = 1.0
    d = 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    result = d
    for m in range(1, 100000):
        # even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m))
        c, d = _lentz_step(m * (b - m) * x / ((a + 2 * m - 1.0) * (a + 2 * m)), c, d)
        result *= d * c
        # odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))
        c, d = _lentz_step(-(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1.0)), c, d)
        step = d * c
        result *= step
        if abs(step - 1.0) < 1e-16:
            break
    return result


def _lentz_step(num: float, c: float, d: float) -> tuple[float, float]:
    """One term ``num`` of the continued fraction: Lentz's updated ``c`` and ``d``."""
    d = 1.0 + num * d
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    c = 1.0 + num / c
    c = c if abs(c) > _TINY else _TINY
    return c, d


def pearson_spearman(x: ArrayLike, y: ArrayLike) -> tuple[tuple[float, float], tuple[float, float]]:
    """Pearson's and Spearman's correlation with two-sided p-values, with numpy alone.

    Parameters
    ----------
    x, y : array_like
        1-D values of the same length (at least 2).

    Returns
    -------
    pearson : (float, float)
        ``(r, p)``.
    spearman : (float, float)
        ``(rho, p)``.
    """
    return pearson(x, y), spearman(x, y)


def correlations(
    gold: ArrayLike, model: ArrayLike
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Pearson's and Spearman's correlation of two score lists, by scipy when it is loaded.

    Parameters
    ----------
    gold, model : array_like
        1-D scores of the same length.

    Returns
    -------
    pearson : (float, float)
        ``(r, p)``.
    spearman : (float, float)
        ``(rho, p)``.

    Notes
    -----
    When ``scipy.stats`` is already imported (gensim imports it) its functions give numbers
    identical to gensim's; otherwise :func:`pearson_spearman` gives the same values to within
    floating-point rounding (1e-10 relative), without importing scipy: that import alone
    takes about 80 MB and half a second, ten times what the evaluation needs.
    """
    stats = sys.modules.get("scipy.stats")
    if stats is None:
        return pearson_spearman(gold, model)
    p = stats.pearsonr(gold, model)
    s = stats.spearmanr(gold, model)
    return ((float(p[0]), float(p[1])), (float(s[0]), float(s[1])))
