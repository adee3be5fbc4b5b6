"""Offered load for time-varying demand: stationary, lagged, or modified offered load.

Staffing each interval from its own average rate (the stationary independent period-by-period
approach, SIPP) assumes the system reaches steady state within the interval. When handle times
are long against the interval, or the rate changes fast, the load in the system lags the
arrivals and SIPP misses the target in many intervals (Green, Kolesar and Soares 2001; Green,
Kolesar and Whitt 2007). Two corrections, used instead of ``A = λ·AHT`` in the staffing
formulas:

- ``lagged``: the rate one handle time earlier, ``A_i = λ(t − AHT)·AHT`` averaged over the
  interval; simple and good when the profile is smooth.
- ``modified_offered_load`` (MOL): the mean number of busy servers in the infinite-server system
  M_t/M/∞, ``m' = λ(t) − μ·m``, solved exactly for a piecewise-constant rate and averaged over
  each interval; the standard fix, also right for sharp peaks.

When to use which: ``stationary`` when AHT is a small fraction of the interval (below about
a tenth, e.g. 3-minute calls in 30-minute or hourly intervals) and the rate changes slowly;
``modified_offered_load`` when handle times are long (email-like phone work, 20-minute calls
in 15-minute intervals) or the profile has steep ramps and peaks; ``lagged`` as a cheaper
alternative to MOL for smooth profiles. The horizon is taken to start in steady state
(``m = λ₀·AHT₀``); a channel that opens empty after a closed night is unaffected, since its
rate before opening is zero.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from scenarios.errors import InputError
from staffing._inputs import SECONDS_PER_HOUR, check_array

__all__ = ["METHODS", "effective_load"]

METHODS = ("stationary", "lagged", "modified_offered_load")


def _lagged(rate_per_s: np.ndarray, aht_s: np.ndarray, interval_s: float) -> np.ndarray:
    """Average over each interval of the rate ``aht_s[i]`` seconds earlier, times AHT."""
    shift = aht_s / interval_s
    whole = np.floor(shift).astype(np.int64)
    part = shift - whole
    index = np.arange(rate_per_s.size)
    at = rate_per_s[np.maximum(index - whole, 0)]
    before = rate_per_s[np.maximum(index - whole - 1, 0)]
    return ((1.0 - part) * at + part * before) * aht_s


def _modified_offered_load(
    rate_per_s: np.ndarray, aht_s: np.ndarray, interval_s: float
) -> np.ndarray:
    """Interval averages of the M_t/M/∞ mean ``m(t)``, exact for piecewise-constant rates.

    Within an interval ``m(t) = m∞ + (m₀ − m∞)·e^(−μt)`` with ``m∞ = λ/μ``, so its average is
    ``m∞ + (m₀ − m∞)·(1 − e^(−μΔ))/(μΔ)``.
    """
    out = np.empty(rate_per_s.size)
    steady = rate_per_s * aht_s
    decay = interval_s / aht_s
    kept = np.exp(-decay)
    mean_factor = -np.expm1(-decay) / decay
    level = steady[0] if steady.size else 0.0
    for i in range(rate_per_s.size):
        out[i] = steady[i] + (level - steady[i]) * mean_factor[i]
        level = steady[i] + (level - steady[i]) * kept[i]
    return out


def effective_load(
    calls_per_hour: ArrayLike, aht_s: ArrayLike, *, interval_s: float, method: str
) -> np.ndarray:
    """Offered load in Erlang per interval for staffing under ``method`` (see module notes).

    Parameters
    ----------
    calls_per_hour : array
        Arrival rate per interval, consecutive intervals of ``interval_s`` seconds.
    aht_s : float or array
        Mean handle time per interval.
    interval_s : float
        Interval length in seconds.
    method : {"stationary", "lagged", "modified_offered_load"}

    Returns
    -------
    numpy.ndarray
        The load ``A_i`` in Erlang; divide by AHT to get the rate to staff for.
    """
    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(METHODS)} (got {method!r}).")
    rate = np.atleast_1d(check_array("calls_per_hour", calls_per_hour)) / SECONDS_PER_HOUR
    aht = np.broadcast_to(check_array("aht_s", aht_s, positive=True), rate.shape).astype(float)
    check_array("interval_s", interval_s, positive=True)
    if method == "stationary":
        return rate * aht
    if method == "lagged":
        return _lagged(rate, aht, float(interval_s))
    return _modified_offered_load(rate, aht, float(interval_s))
