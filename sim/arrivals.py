"""Pre-generated arrival times: a non-homogeneous Poisson process per channel.

The expected arrivals ``m_i`` of interval ``i`` (from the workload) are perturbed twice before
the Poisson draw (a doubly stochastic, Cox process; Jongbloed and Koole 2001, Whitt 2006):

* a day multiplier ``D_d`` per channel and day, gamma with mean 1 and CV ``day_cv``
  (forecast error; drawn by the caller with :func:`draw_day_multipliers`);
* an interval multiplier ``G_i``, gamma with mean 1 and CV ``interval_overdispersion`` (the
  same gamma draw).

Then ``N_i ~ Poisson(m_i * D_{day(i)} * G_i)`` and, given ``N_i``, the arrival times are
independent and uniform inside the interval (the order statistics property of the Poisson
process), returned sorted. Everything is vectorised over intervals.
"""

from __future__ import annotations

import numpy as np

from scenarios.errors import InputError

__all__ = ["arrival_times", "draw_day_multipliers"]


def arrival_times(
    expected: np.ndarray,
    interval_s: float,
    rng: np.random.Generator,
    *,
    day_multiplier: np.ndarray | None = None,
    interval_overdispersion: float = 0.0,
) -> np.ndarray:
    """Sorted arrival times (seconds from the horizon start) of one channel.

    Parameters
    ----------
    expected:
        Expected arrivals per interval, float64, length ``n_intervals``, all >= 0.
    interval_s:
        Interval length in seconds.
    rng:
        The channel's arrival stream.
    day_multiplier:
        Multiplier per interval (the day's forecast-error factor repeated over its intervals);
        ``None`` for none.
    interval_overdispersion:
        CV of the extra gamma noise per interval; 0 for a pure Poisson count.
    """
    expected = np.asarray(expected, dtype=np.float64)
    if expected.ndim != 1 or np.any(~np.isfinite(expected)) or np.any(expected < 0.0):
        raise InputError("expected arrivals must be a 1-d array of finite values >= 0")
    rate = expected.copy()
    if day_multiplier is not None:
        if np.shape(day_multiplier) != rate.shape:
            raise InputError(
                f"day_multiplier has shape {np.shape(day_multiplier)}, expected {rate.shape}"
            )
        rate *= day_multiplier
    rate *= draw_day_multipliers(rng, interval_overdispersion, rate.size)
    counts = rng.poisson(rate)
    starts = np.repeat(np.arange(rate.size, dtype=np.float64) * interval_s, counts)
    times = starts + rng.random(starts.size) * interval_s
    times.sort()
    return times


def draw_day_multipliers(rng: np.random.Generator, day_cv: float, n_days: int) -> np.ndarray:
    """Draw day-level forecast-error multipliers: gamma with mean 1 and coefficient of variation
    ``day_cv``.

    Shape ``k = 1 / day_cv**2`` and scale ``day_cv**2`` give mean ``k * scale = 1`` and
    variance ``k * scale**2 = day_cv**2``. With ``day_cv = 0`` every multiplier is 1 and
    nothing is drawn. Multiply a channel's ``expected_arrivals`` of day ``t`` by the ``t``-th
    value (``values[workload.day_of_interval]`` per interval).

    Parameters
    ----------
    rng:
        The caller's generator (one stream per purpose, see the design's randomness rules).
    day_cv:
        Coefficient of variation, >= 0.
    n_days:
        Number of multipliers to draw.

    Returns
    -------
    numpy.ndarray
        float64 array of length ``n_days``.
    """
    if not (np.isfinite(day_cv) and day_cv >= 0):
        raise InputError(f"day_cv must be a finite number >= 0 (got {day_cv})")
    if n_days < 0:
        raise InputError(f"n_days must not be negative (got {n_days})")
    if day_cv == 0:
        return np.ones(n_days)
    variance = day_cv * day_cv
    return rng.gamma(1.0 / variance, variance, size=n_days)
