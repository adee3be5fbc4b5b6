"""Staffing for forecast uncertainty: meet the target with a given confidence.

When the day's volume is the forecast times a random factor ``V`` with mean 1 and coefficient of
variation ``cv`` (gamma distributed, as the scenario's ``forecast_error.day_cv`` and the
simulation draw it), staffing for the mean meets the target on roughly half of the days
(Jongbloed and Koole 2001; Whitt 2006). Every service measure worsens as the rate grows, so
``P(SL(N, λ·V) ≥ target) ≥ c`` holds exactly when ``SL(N, λ·v_c) ≥ target`` with ``v_c`` the
``c``-quantile of ``V``: the newsvendor answer is the staffing of the quantile rate.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from scenarios.errors import InputError
from staffing._inputs import check_array
from staffing.search import required_agents

__all__ = ["required_agents_with_confidence", "volume_quantile_factor"]


def volume_quantile_factor(day_cv: float, confidence: float) -> float:
    """The ``confidence`` quantile of a gamma day factor with mean 1 and CV ``day_cv``.

    Shape ``1/cv²`` and scale ``cv²``: the quantile is ``cv² · P⁻¹(1/cv², c)`` with ``P⁻¹``
    the inverse of the regularised lower incomplete gamma function (``scipy.special.
    gammaincinv``); a zero CV gives 1.
    """
    check_array("day_cv", day_cv)
    check_array("confidence", confidence, positive=True, below=1.0)
    if day_cv == 0:
        return 1.0
    variance = float(day_cv) ** 2
    return float(special.gammaincinv(1.0 / variance, confidence) * variance)


def required_agents_with_confidence(
    calls_per_hour: ArrayLike,
    aht_s: ArrayLike,
    *,
    day_cv: float,
    confidence: float,
    **targets,
) -> int | np.ndarray:
    """Agents meeting every target with probability ``confidence`` over the day factor.

    ``targets`` are the keyword arguments of :func:`staffing.required_agents`. The result is
    ``required_agents(calls_per_hour · v_c, aht_s, **targets)`` with
    ``v_c = volume_quantile_factor(day_cv, confidence)``; it is exact for the day-level noise
    (one factor for all intervals of a day) and ignores within-day overdispersion.
    """
    if "calls_per_hour" in targets or "aht_s" in targets:
        raise InputError("give calls_per_hour and aht_s once, as the first two arguments.")
    factor = volume_quantile_factor(day_cv, confidence)
    rate = check_array("calls_per_hour", calls_per_hour)
    return required_agents(rate * factor, aht_s, **targets)
