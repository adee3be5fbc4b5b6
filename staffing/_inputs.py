"""Validation of the public staffing arguments: scalars or equal-length 1-D arrays -> float64.

Every problem raises :class:`scenarios.errors.InputError` with one sentence naming the argument,
the rule and the value; nothing is clamped or fixed silently.
"""

from __future__ import annotations

import math
from typing import Any, Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scenarios.errors import InputError
from scenarios.limits import MAX_ARRIVALS_PER_PATIENCE, MAX_OFFERED_LOAD_ERLANG
from staffing._kernels import SL_ANSWERED, SL_EXCL_SHORT_ABANDONS, SL_OFFERED

SECONDS_PER_HOUR = 3600.0

SL_DEFINITIONS = {
    "offered": SL_OFFERED,
    "answered": SL_ANSWERED,
    "excl_short_abandons": SL_EXCL_SHORT_ABANDONS,
}


def _first_bad(values: np.ndarray, bad: np.ndarray) -> Any:
    return values[np.flatnonzero(bad)[0]].item()


@overload
def check_array(
    name: str,
    value: ArrayLike,
    *,
    positive: bool = ...,
    at_most: float | None = ...,
    below: float | None = ...,
    allow_none: Literal[False] = ...,
    whole: bool = ...,
) -> NDArray[np.float64]: ...
@overload
def check_array(
    name: str,
    value: ArrayLike | None,
    *,
    positive: bool = ...,
    at_most: float | None = ...,
    below: float | None = ...,
    allow_none: bool,
    whole: bool = ...,
) -> NDArray[np.float64] | None: ...
def check_array(
    name: str,
    value: ArrayLike | None,
    *,
    positive: bool = False,
    at_most: float | None = None,
    below: float | None = None,
    allow_none: bool = False,
    whole: bool = False,
) -> NDArray[np.float64] | None:
    """Return ``value`` as a float64 array of at most one dimension, or raise InputError.

    Values must be finite and non-negative (``positive``: above zero); ``at_most`` / ``below``
    bound them from above, ``whole`` requires whole numbers. ``None`` is returned as ``None``
    when ``allow_none``.
    """
    if value is None:
        if allow_none:
            return None
        raise InputError(f"{name} is required.")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(
            f"{name} must be a number or an array of numbers (got {value!r})."
        ) from None
    if array.ndim > 1:
        raise InputError(f"{name} must be a number or a 1-D array (got shape {array.shape}).")
    checks = [
        (~np.isfinite(array), "must be finite"),
        (array <= 0 if positive else array < 0, "must be above 0" if positive else "must be ≥ 0"),
    ]
    if at_most is not None:
        checks.append((array > at_most, f"must be at most {at_most:g}"))
    if below is not None:
        checks.append((array >= below, f"must be below {below:g}"))
    if whole:
        checks.append((array != np.floor(array), "must be a whole number"))
    for bad, rule in checks:
        if np.any(bad):
            raise InputError(f"{name} {rule} (got {_first_bad(array.ravel(), bad.ravel())!r}).")
    return array


def broadcast(arrays: dict[str, np.ndarray | None]) -> tuple[dict[str, np.ndarray], bool]:
    """Broadcast scalars and equal-length 1-D arrays to one length (``None`` becomes NaN).

    Returns the contiguous float64 arrays and whether every input was a scalar.
    """
    lengths = {name: a.size for name, a in arrays.items() if a is not None and a.ndim == 1}
    sizes = set(lengths.values())
    if len(sizes) > 1:
        listed = ", ".join(f"{name} has {size}" for name, size in lengths.items())
        raise InputError(f"array arguments must have the same length ({listed}).")
    size = sizes.pop() if sizes else 1
    out = {}
    for name, array in arrays.items():
        filled = np.full(size, math.nan) if array is None else np.broadcast_to(array, size)
        out[name] = np.ascontiguousarray(filled, dtype=np.float64)
    return out, not lengths


def sl_definition_code(sl_definition: str) -> int:
    """The kernel code of a service-level definition name."""
    try:
        return SL_DEFINITIONS[sl_definition]
    except (KeyError, TypeError):
        choices = ", ".join(SL_DEFINITIONS)
        raise InputError(
            f"sl_definition must be one of {choices} (got {sl_definition!r})."
        ) from None


def offered_load(
    calls_per_hour: np.ndarray, aht_s: np.ndarray, patience_s: np.ndarray | None = None
) -> np.ndarray:
    """Offered load in Erlang, ``A = λ·AHT`` with λ in calls per second.

    Raises
    ------
    InputError
        When the load exceeds ``scenarios.limits.MAX_OFFERED_LOAD_ERLANG``, or ``λ·patience``
        exceeds ``MAX_ARRIVALS_PER_PATIENCE``: inputs no contact centre has, whose computation
        would take minutes to hours.
    """
    load = calls_per_hour * aht_s / SECONDS_PER_HOUR
    check_array(
        "the offered load (calls per hour x AHT in Erlang)", load, at_most=MAX_OFFERED_LOAD_ERLANG
    )
    if patience_s is not None:
        arrivals = np.where(np.isnan(patience_s), 0.0, calls_per_hour * patience_s)
        check_array(
            "the arrivals within one mean patience (calls per hour x patience)",
            arrivals / SECONDS_PER_HOUR,
            at_most=MAX_ARRIVALS_PER_PATIENCE,
        )
    return load
