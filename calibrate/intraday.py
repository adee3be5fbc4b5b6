"""The intraday profile: 24 hourly weights of a channel's first contacts.

The scenario steps each hour's weight onto its intervals and normalises the weights over the
intervals open that day (``scenarios.profiles``). So with ``C[d, h]`` the first contacts of day
``d`` in hour ``h`` and ``O[d, h]`` the share of that hour the channel was open (1 for a
deferrable channel, which receives around the clock), the model is Poisson with mean
``a_d · p_h · O[d, h]``: a day level times an hourly weight. Its maximum-likelihood weights are
found by iterative proportional fitting (Deming and Stephan 1940; Bishop, Fienberg and Holland
1975, ch. 3), alternating

    a_d = Σ_h C[d, h] / Σ_h p_h O[d, h],        p_h = Σ_d C[d, h] / Σ_d a_d O[d, h],

which converges in one pass when every day has the same window. Weights are reported as shares
of the day (they sum to 1). Their 95 % intervals are percentile intervals of a bootstrap over
days (Efron and Tibshirani 1993, ch. 13): resampling whole days keeps the day-level forecast
error and any within-day correlation in the interval, which a multinomial interval would miss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calibrate.estimate import LEVEL, Estimate

__all__ = ["BOOTSTRAP_SAMPLES", "IntradayProfile", "fit_intraday"]

BOOTSTRAP_SAMPLES = 200
HOURS = 24
_MAX_PASSES = 500
_TOLERANCE = 1e-10


@dataclass(frozen=True)
class IntradayProfile:
    """Hourly shares of a day's first contacts (hour 0 first, sum 1), each with its bootstrap
    interval and ``n`` the contacts of that hour; ``days`` days behind them."""

    weights: tuple[Estimate, ...]
    days: int

    @property
    def values(self) -> np.ndarray:
        return np.array([w.value for w in self.weights])


def _hourly(matrix: np.ndarray) -> np.ndarray:
    days, slots = matrix.shape
    return matrix.reshape(days, HOURS, slots // HOURS).sum(axis=2)


def _weights(counts: np.ndarray, open_share: np.ndarray) -> np.ndarray:
    """Iterative proportional fitting of ``a_d p_h O[d, h]``; ``p`` scaled to sum 1."""
    hour_total = counts.sum(axis=0)
    day_total = counts.sum(axis=1)
    seen = open_share.sum(axis=0) > 0
    p = np.where(seen, 1.0, 0.0)
    for _ in range(_MAX_PASSES):
        expected_day = open_share @ p
        a = np.divide(day_total, expected_day, out=np.zeros_like(day_total), where=expected_day > 0)
        exposure = a @ open_share
        new = np.divide(hour_total, exposure, out=np.zeros_like(hour_total), where=exposure > 0)
        new /= new.sum()
        done = np.abs(new - p).max() < _TOLERANCE
        p = new
        if done:
            break
    return p


def fit_intraday(
    counts: np.ndarray, open_mask: np.ndarray, rng: np.random.Generator
) -> IntradayProfile:
    """Hourly weights from first contacts per day and interval slot (``counts``, days × slots)
    and the open slots (``open_mask``, same shape); ``rng`` draws the bootstrap days."""
    counts = np.asarray(counts, float) * open_mask
    hourly = _hourly(counts)
    open_share = _hourly(open_mask.astype(float)) / (open_mask.shape[1] // HOURS)
    p = _weights(hourly, open_share)
    days = hourly.shape[0]
    samples = np.array(
        [
            _weights(hourly[pick], open_share[pick])
            for pick in rng.integers(0, days, size=(BOOTSTRAP_SAMPLES, days))
        ]
    )
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail], axis=0)
    per_hour = hourly.sum(axis=0)
    weights = tuple(
        Estimate(float(p[h]), float(low[h]), float(high[h]), int(per_hour[h])) for h in range(HOURS)
    )
    return IntradayProfile(weights, days)
