"""Shapes of demand over time: intraday profiles, weekday weights and event day factors.

Everything here is a pure function of plain arguments (numbers, sequences, numpy arrays), so
the demand expansion (:mod:`scenarios.demand`) and the tests share one definition of each shape.

Intraday profiles
    24 hourly weights (hour 0 is 00:00-01:00). The built-in shapes ``flat``, ``office``,
    ``extended`` and ``evening`` are illustrative typical shapes, not measurements: replace them
    with a table of your own when you have one. Every built-in weight is positive, so every
    opening window has some demand. A profile is turned into interval weights by *stepping*:
    each interval inherits its hour's weight, split equally over the ``3600 / interval_s``
    intervals of the hour. Stepping keeps each hour's mass exactly, so an hourly volume table
    exported from a workforce-management tool is reproduced as given. The weights are then
    normalised over the intervals that receive demand (see :func:`normalised_shares`).

Weekday weights
    Seven weights, Monday first. Day ``d`` of a week receives the share
    ``w_d / sum(w)`` of the week's volume (:func:`weekday_shares`).

Event day factors
    A product launch adds ``uplift * 0.5 ** (t / half_life_days)`` to the volume multiplier on
    day ``t`` after its date (``t = 0`` on the launch day, nothing before it) and its handle-time
    and FCR effects fade linearly, ``learn(t) = max(0, 1 - t / learning_days)`` for ``t >= 0``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np

from scenarios.errors import InputError

__all__ = [
    "BUILTIN_PROFILES",
    "HOURS_PER_DAY",
    "SECONDS_PER_DAY",
    "hourly_weights",
    "interval_weights",
    "launch_uplift",
    "learning_fade",
    "normalised_shares",
    "weekday_shares",
]

HOURS_PER_DAY = 24
SECONDS_PER_HOUR = 3600
SECONDS_PER_DAY = 86_400
DAYS_PER_WEEK = 7

BUILTIN_PROFILES: Mapping[str, tuple[float, ...]] = MappingProxyType(
    {
        # hour:  0     1     2     3     4     5     6     7     8     9    10    11
        #       12    13    14    15    16    17    18    19    20    21    22    23
        "flat": (1.0,) * HOURS_PER_DAY,
        "office": (
            0.10, 0.05, 0.05, 0.05, 0.05, 0.10, 0.30, 0.60, 1.00, 1.50, 1.70, 1.60,
            1.20, 1.30, 1.50, 1.40, 1.20, 0.90, 0.60, 0.40, 0.30, 0.25, 0.20, 0.15,
        ),
        "extended": (
            0.10, 0.05, 0.05, 0.05, 0.05, 0.10, 0.20, 0.50, 0.90, 1.20, 1.30, 1.30,
            1.20, 1.20, 1.20, 1.20, 1.20, 1.20, 1.10, 1.00, 0.80, 0.60, 0.40, 0.20,
        ),
        "evening": (
            0.20, 0.10, 0.05, 0.05, 0.05, 0.05, 0.10, 0.20, 0.30, 0.40, 0.50, 0.60,
            0.70, 0.70, 0.70, 0.80, 0.90, 1.10, 1.40, 1.60, 1.60, 1.30, 0.90, 0.50,
        ),
    }
)  # fmt: skip
"""Built-in intraday shapes: 24 hourly weights each, all positive."""


def _check_weights(weights: np.ndarray, what: str) -> None:
    if not np.all(np.isfinite(weights)):
        raise InputError(f"{what} must be finite numbers (got {weights.tolist()})")
    if np.any(weights < 0):
        raise InputError(f"{what} must not be negative (got {weights.tolist()})")
    if not weights.sum() > 0:
        raise InputError(f"{what} must not all be zero")


def hourly_weights(profile: str | Sequence[float]) -> np.ndarray:
    """The 24 hourly weights of a built-in profile name or of a user table.

    Parameters
    ----------
    profile:
        A name from :data:`BUILTIN_PROFILES` or 24 non-negative weights, hour 0 first.

    Returns
    -------
    numpy.ndarray
        float64 array of length 24, as given (not normalised).
    """
    if isinstance(profile, str):
        if profile not in BUILTIN_PROFILES:
            raise InputError(
                f"unknown intraday profile {profile!r}; built-in profiles are "
                f"{', '.join(BUILTIN_PROFILES)}"
            )
        return np.array(BUILTIN_PROFILES[profile], dtype=np.float64)
    weights = np.asarray(profile, dtype=np.float64)
    if weights.shape != (HOURS_PER_DAY,):
        raise InputError(f"an intraday profile needs 24 hourly weights (got {len(weights)})")
    _check_weights(weights, "intraday profile weights")
    return weights


def interval_weights(hourly: Sequence[float] | np.ndarray, interval_s: float) -> np.ndarray:
    """Step 24 hourly weights onto the intervals of one day.

    Interval ``j`` of hour ``h`` gets ``hourly[h] / k`` with ``k = 3600 / interval_s`` intervals
    per hour, so the weights of one hour add up to the hourly weight.

    Parameters
    ----------
    hourly:
        24 non-negative weights.
    interval_s:
        Interval length in seconds; must divide an hour (900, 1800 or 3600 in scenarios).

    Returns
    -------
    numpy.ndarray
        float64 array of length ``86400 / interval_s``.
    """
    weights = np.asarray(hourly, dtype=np.float64)
    if weights.shape != (HOURS_PER_DAY,):
        raise InputError(f"need 24 hourly weights (got {weights.size})")
    per_hour = SECONDS_PER_HOUR / interval_s if interval_s > 0 else 0.0
    if per_hour < 1 or per_hour != int(per_hour):
        raise InputError(f"interval_s must divide an hour (got {interval_s})")
    return np.repeat(weights / per_hour, int(per_hour))


def normalised_shares(weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Weights kept where ``mask`` is true and scaled to sum to 1; zero elsewhere.

    ``share_j = w_j * mask_j / sum_k (w_k * mask_k)``.

    Raises
    ------
    InputError
        When the weights inside the mask add up to zero (no share can be formed).
    """
    kept = np.where(mask, np.asarray(weights, dtype=np.float64), 0.0)
    total = kept.sum()
    if not total > 0:
        raise InputError("the weights are zero on every selected interval")
    return kept / total


def weekday_shares(weights: Sequence[float]) -> np.ndarray:
    """Share of a week's volume for each weekday, Monday first: ``w_d / sum(w)``.

    Parameters
    ----------
    weights:
        Seven non-negative weights, Monday first, not all zero.
    """
    array = np.asarray(weights, dtype=np.float64)
    if array.shape != (DAYS_PER_WEEK,):
        raise InputError(f"need 7 weekday weights, Monday first (got {array.size})")
    _check_weights(array, "weekday weights")
    return array / array.sum()


def _days_since(
    days_since: np.ndarray | Sequence[float], scale_days: float, what: str
) -> np.ndarray:
    if not scale_days > 0:
        raise InputError(f"{what} must be positive (got {scale_days})")
    return np.asarray(days_since, dtype=np.float64)


def launch_uplift(
    days_since: np.ndarray | Sequence[float], uplift: float, half_life_days: float
) -> np.ndarray:
    """Extra volume, as a fraction of normal volume, ``t`` days after a launch.

    ``uplift * 0.5 ** (t / half_life_days)`` for ``t >= 0`` (``t = 0`` is the launch day) and 0
    before the launch.
    """
    t = _days_since(days_since, half_life_days, "half_life_days")
    if uplift < 0:
        raise InputError(f"uplift must not be negative (got {uplift})")
    return np.where(t >= 0, uplift * np.exp2(-np.maximum(t, 0.0) / half_life_days), 0.0)


def learning_fade(days_since: np.ndarray | Sequence[float], learning_days: float) -> np.ndarray:
    """How much of a launch's handle-time and FCR effect remains ``t`` days after it.

    ``learn(t) = max(0, 1 - t / learning_days)`` for ``t >= 0``: 1 on the launch day, falling
    linearly to 0 after ``learning_days`` days; 0 before the launch.
    """
    t = _days_since(days_since, learning_days, "learning_days")
    return np.where(t >= 0, np.maximum(1.0 - t / learning_days, 0.0), 0.0)
