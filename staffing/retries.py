"""Contacts that come back: where on the interval grid a retry lands, and the flow it makes.

A contact that leaves the system in interval ``i`` (answered and unresolved: a repeat;
abandoned: a redial) comes back with some probability after a random delay ``D``. The plan
spreads each interval's expected retries over the intervals they land in:

- the contact leaves at ``s_i + U + h``, with ``U`` uniform on the interval (arrivals are
  uniform within an interval, :mod:`sim.arrivals`) and ``h`` a fixed shift (the mean handle
  time for a repeat, which leaves after handling; 0 for a redial);
- the retry lands in interval ``i + k`` with probability
  ``w_k = H((k + 1)Δ) − H(kΔ)``, ``H(y) = (G(y − h) − G(y − h − Δ)) / Δ`` (the CDF of
  ``U + h + D`` at ``y``), where ``G(x) = E[(x − D)⁺] = ∫₀ˣ F_D`` is the integrated delay CDF:

  ========================  ====================================================================
  exponential, mean ``m``   ``G(x) = x − m·(1 − e^(−x/m))``
  gamma (``k = 1/c²``)      ``G(x) = x·P(k, x/θ) − m·P(k + 1, x/θ)``, ``θ = m·c²``, ``P`` the
                            regularised lower incomplete gamma function
  lognormal                 ``G(x) = x·Φ(z) − m·Φ(z − σ)``, ``z = (ln x − μ)/σ``,
                            ``σ² = ln(1 + c²)``, ``μ = ln m − σ²/2``
  deterministic ``d``       ``G(x) = (x − d)⁺``
  ========================  ====================================================================

  (all for ``x > 0``; ``G = 0`` below). The weights are exact for the distribution and sum to
  the share landing inside the horizon: later retries are lost, as in the simulation.

:func:`spread` convolves a source flow with the weights by FFT (``O(n log n)``), the retries of
each interval landing in that interval or later.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from scenarios.errors import InputError
from staffing._channel_kernels import fluid_served_kernel
from staffing._inputs import check_array

__all__ = ["DELAY_KINDS", "landing_weights", "served_flow", "spread"]

DELAY_KINDS = ("exponential", "gamma", "lognormal", "deterministic")


def _integrated_cdf(kind: str, mean_s: float, cv: float, x: np.ndarray) -> np.ndarray:
    """``G(x) = E[(x − D)⁺]`` of the delay distribution (see the module notes)."""
    out = np.zeros_like(x)
    pos = x > 0.0
    xp = x[pos]
    if kind == "exponential":
        out[pos] = xp + mean_s * np.expm1(-xp / mean_s)
    elif kind == "deterministic":
        out[pos] = np.maximum(xp - mean_s, 0.0)
    elif kind == "gamma":
        shape = 1.0 / cv**2
        scaled = xp / (mean_s * cv**2)
        out[pos] = xp * special.gammainc(shape, scaled) - mean_s * special.gammainc(
            shape + 1.0, scaled
        )
    elif kind == "lognormal":
        sigma = math.sqrt(math.log1p(cv**2))
        mu = math.log(mean_s) - sigma**2 / 2.0
        z = (np.log(xp) - mu) / sigma
        out[pos] = xp * special.ndtr(z) - mean_s * special.ndtr(z - sigma)
    else:
        raise InputError(f"delay kind must be one of {', '.join(DELAY_KINDS)} (got {kind!r}).")
    return out


def landing_weights(
    kind: str, mean_s: float, cv: float, *, interval_s: float, n: int, shift_s: float = 0.0
) -> np.ndarray:
    """``w_k``: probability that a retry leaving interval 0 lands in interval ``k``, ``k < n``.

    Parameters
    ----------
    kind, mean_s, cv:
        The delay distribution (a scenario ``Distribution``: ``distribution``, ``mean``,
        ``cv_effective``).
    interval_s, n:
        Interval length and number of intervals (the horizon).
    shift_s:
        Fixed time between the contact's arrival and its leaving (e.g. the handle time).
    """
    check_array("mean_s", mean_s, positive=True)
    check_array("interval_s", interval_s, positive=True)
    check_array("shift_s", shift_s)
    if kind in ("gamma", "lognormal"):
        check_array("cv", cv, positive=True)
    if n < 1:
        return np.zeros(0)
    y = np.arange(n + 1, dtype=np.float64) * interval_s - shift_s
    g = _integrated_cdf(kind, float(mean_s), float(cv), np.concatenate([y, y - interval_s]))
    cdf = (g[: n + 1] - g[n + 1 :]) / interval_s
    return np.clip(np.diff(cdf), 0.0, None)


def spread(source: ArrayLike, weights: ArrayLike) -> np.ndarray:
    """The flow ``out[t] = Σ_{s ≤ t} source[s]·weights[t − s]`` (FFT convolution, length of
    ``source``)."""
    source = np.asarray(source, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)[: source.size]
    n = source.size
    if n == 0 or weights.size == 0:
        return np.zeros(n)
    size = 1 << (n + weights.size - 1).bit_length()
    out = np.fft.irfft(np.fft.rfft(source, size) * np.fft.rfft(weights, size), size)[:n]
    return np.clip(out, 0.0, None)


def served_flow(arrivals: ArrayLike, capacity: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Fluid first-in-first-out service of a backlog: contacts finished per interval and the
    backlog waiting at each interval's start.

    ``capacity[j]`` is the contacts the agents can finish in interval ``j`` (agents ×
    interval / handle time; 0 while closed); ``served[j] = min(backlog[j] + arrivals[j],
    capacity[j])`` (the model of :func:`staffing.deferrable.backlog_on_time`).
    """
    arrivals = np.ascontiguousarray(check_array("arrivals", arrivals), dtype=np.float64)
    capacity = np.ascontiguousarray(
        np.broadcast_to(check_array("capacity", capacity), arrivals.shape), dtype=np.float64
    )
    served = np.empty(arrivals.size)
    backlog = np.empty(arrivals.size)
    fluid_served_kernel(arrivals, capacity, served, backlog)
    return served, backlog
