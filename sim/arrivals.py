"""Pre-generated arrival times: a non-homogeneous Poisson process per channel.

The expected arrivals ``m_i`` of interval ``i`` (from the workload) are perturbed twice before
the Poisson draw (a doubly stochastic, Cox process; Jongbloed and Koole 2001, Whitt 2006):

* a day multiplier ``D_d`` per channel and day, gamma with mean 1 and CV ``day_cv``
  (forecast error; drawn by the caller with :func:`scenarios.demand.draw_day_multipliers`);
* an interval multiplier ``G_i``, gamma with mean 1 and CV ``interval_overdispersion`` (the
  same gamma draw).

Then ``N_i ~ Poisson(m_i * D_{day(i)} * G_i)`` and, given ``N_i``, the arrival times are
independent and uniform inside the interval (the order statistics property of the Poisson
process), returned sorted. Everything is vectorised over intervals.
"""

from __future__ import annotations

import numpy as np

from scenarios.demand import draw_day_multipliers
from scenarios.errors import InputError

__all__ = ["arrival_times"]


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
