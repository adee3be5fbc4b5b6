"""Random absence: the share of a team's scheduled agents present, drawn per day.

Shrinkage ``μ`` (the share of scheduled time lost) is, on average, what the deterministic rule
removes. With random absence (:class:`scenarios.partner.Absence`) a team's day ``d`` draws

- ``q_d``: the day's absence probability, ``μ`` (``binomial``) or a beta variable with mean
  ``μ`` and coefficient of variation ``c`` (``beta_binomial``: ``α + β = (1 − μ)/(μ·c²) − 1``,
  ``α = μ·(α + β)``; it needs ``c² < (1 − μ)/μ``);
- ``B_d ~ Binomial(H_d, q_d)``: the absent among ``H_d``, the day's largest number of scheduled
  agents on duty at once;
- ``u_d ~ U(0, 1)``: the day's rounding.

The agents present in interval ``i`` of day ``d`` are then ``⌊s_i·p_d + u_d⌋`` with
``p_d = 1 − B_d/H_d`` (:mod:`sim.agents`), whose mean is exactly ``s_i·(1 − μ)``: randomised
rounding keeps the shrinkage rule's mean. The day's absent share ``B_d/H_d`` has variance
``μ(1 − μ)/H_d + (1 − 1/H_d)·(c·μ)²`` (beta-binomial; ``c = 0`` for the binomial). The draws
come from the team's own ``"absence"`` stream, so what-ifs stay on common random numbers.
"""

from __future__ import annotations

import math

import numpy as np

from scenarios.errors import InputError

__all__ = ["draw_absence"]


def draw_absence(
    rng: np.random.Generator,
    scheduled: np.ndarray,
    *,
    intervals_per_day: int,
    shrinkage_frac: float,
    day_cv: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Per interval, the day's share present ``p_d`` and its rounding uniform ``u_d``.

    Parameters
    ----------
    rng:
        The team's absence stream.
    scheduled:
        Scheduled agents per interval (whole days of ``intervals_per_day``).
    shrinkage_frac:
        Mean absence ``μ`` in (0, 1).
    day_cv:
        CV ``c`` of the day's absence probability (0: binomial).
    """
    scheduled = np.asarray(scheduled, dtype=np.float64)
    if not 0.0 < shrinkage_frac < 1.0:
        raise InputError(f"random absence needs a shrinkage in (0, 1) (got {shrinkage_frac!r})")
    if scheduled.size % intervals_per_day:
        raise InputError("scheduled agents must cover whole days")
    if not 0.0 <= day_cv < math.sqrt((1.0 - shrinkage_frac) / shrinkage_frac):
        raise InputError(
            f"the absence day_cv must be below √((1 − μ)/μ) = "
            f"{math.sqrt((1.0 - shrinkage_frac) / shrinkage_frac):.3g} for shrinkage "
            f"{shrinkage_frac:g} (got {day_cv!r})"
        )
    days = scheduled.size // intervals_per_day
    peak = np.rint(scheduled.reshape(days, intervals_per_day).max(axis=1)).astype(np.int64)
    if day_cv > 0.0:
        total = (1.0 - shrinkage_frac) / (shrinkage_frac * day_cv**2) - 1.0
        q = rng.beta(shrinkage_frac * total, (1.0 - shrinkage_frac) * total, size=days)
    else:
        q = np.full(days, shrinkage_frac)
    absent = rng.binomial(peak, q)
    u = rng.random(days)
    present = np.where(peak > 0, 1.0 - absent / np.maximum(peak, 1), 1.0 - shrinkage_frac)
    return np.repeat(present, intervals_per_day), np.repeat(u, intervals_per_day)
