"""One set of argument checks for every public entry point: a wrong value fails at once, with
its name, the accepted range and what was given, before any work or allocation.

bool is refused where a number is expected (``True`` is an int to Python, never a sensible
vector size), and integral floats such as ``1e6`` are refused where an int is expected, as
gensim's parameters are ints.
"""

from __future__ import annotations

import math
import numbers
from typing import Literal, overload

__all__ = ["check_int", "check_float"]


def _shown(value: object) -> str:
    """``value`` for an error message; an example's ``...`` pasted as a value is named."""
    if value is Ellipsis:
        return "`...` (Ellipsis), a placeholder in examples: give a value"
    return repr(value)


@overload
def check_int(
    name: str,
    value: object,
    low: int,
    high: int | None = ...,
    allow_none: Literal[False] = ...,
) -> int: ...
@overload
def check_int(
    name: str, value: object, low: int, high: int | None = ..., allow_none: bool = ...
) -> int | None: ...
def check_int(
    name: str, value: object, low: int, high: int | None = None, allow_none: bool = False
) -> int | None:
    """``value`` as an int in ``low..high`` (``high`` None: no upper bound), else ValueError."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer; got {_shown(value)}")
    value = int(value)
    if value < low or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"in {low}..{high}"
        raise ValueError(f"{name} must be {bounds}; got {value}")
    return value


def check_float(
    name: str, value: object, low: float | None = None, low_open: bool = False
) -> float:
    """``value`` as a finite float ``>= low`` (``> low`` with ``low_open``), else ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {_shown(value)}")
    value = float(value)
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}; got {value}")
    return value
