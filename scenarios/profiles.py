"""Shapes of demand within a day and a week: interval weights and their normalisation.

Pure functions of plain arguments, shared by the demand expansion (:mod:`scenarios.demand`)
and its tests. The built-in intraday shapes themselves (``flat``, ``office``, ``extended``,
``evening``) are defined with the channel model, ``scenarios.channels.INTRADAY_PROFILES``, and
read through ``Channel.hourly_weights``; the launch decay and learning fade are
``Launch.volume_factor`` and ``Launch.learn`` in ``scenarios.events``.

Intraday profile
    24 hourly weights (hour 0 is 00:00-01:00) are *stepped* onto the intervals: each interval
    inherits its hour's weight, split equally over the ``3600 / interval_s`` intervals of the
    hour (:func:`interval_weights`). Stepping keeps each hour's mass exactly, so an hourly
    volume table exported from a workforce-management tool is reproduced as given. The weights
    are then normalised over the intervals that receive the day's demand
    (:func:`normalised_shares`).
Weekday weights
    Seven weights, Monday first, normalised over the weekdays on which the channel opens
    (:func:`weekday_shares`): a weekday without opening hours receives nothing, whatever its
    weight.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scenarios.errors import InputError

__all__ = ["interval_weights", "normalised_shares", "weekday_shares"]

HOURS_PER_DAY = 24
SECONDS_PER_HOUR = 3600
DAYS_PER_WEEK = 7


def interval_weights(hourly: Sequence[float] | np.ndarray, interval_s: float) -> np.ndarray:
    """Step 24 hourly weights onto the intervals of one day.

    Interval ``j`` of hour ``h`` gets ``hourly[h] / k`` with ``k = 3600 / interval_s`` intervals
    per hour, so the weights of one hour add up to the hourly weight.

    Parameters
    ----------
    hourly:
        24 weights, hour 0 first.
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
        When a weight is negative or not finite, or when the weights inside the mask add up to
        zero (no share can be formed).
    """
    array = np.asarray(weights, dtype=np.float64)
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise InputError(f"weights must be finite and >= 0 (got {array.tolist()})")
    kept = np.where(mask, array, 0.0)
    total = kept.sum()
    if not total > 0:
        raise InputError("the weights are zero on every selected interval")
    return kept / total


def weekday_shares(weights: Sequence[float], open_days: Sequence[bool]) -> np.ndarray:
    """Share of a week's volume for each weekday, Monday first.

    ``s_d = w_d * open_d / sum_e (w_e * open_e)``: the weights are normalised over the weekdays
    on which the channel opens.

    Parameters
    ----------
    weights:
        Seven non-negative weights, Monday first.
    open_days:
        Seven flags, Monday first: whether the channel has opening hours on that weekday.
    """
    array = np.asarray(weights, dtype=np.float64)
    mask = np.asarray(open_days, dtype=bool)
    if array.shape != (DAYS_PER_WEEK,) or mask.shape != (DAYS_PER_WEEK,):
        raise InputError(
            f"need 7 weekday weights and 7 open flags, Monday first "
            f"(got {array.size} and {mask.size})"
        )
    if not np.all(np.isfinite(array)) or np.any(array < 0) or not array[mask].sum() > 0:
        raise InputError(
            "weekday weights must be finite, >= 0 and give weight to a weekday the channel "
            f"opens (got weights {array.tolist()}, open {mask.tolist()})"
        )
    return normalised_shares(array, mask)
