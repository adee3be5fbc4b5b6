"""Expected headcount of a team over time: hires, training, production and attrition.

A team's workforce is a list of :class:`Cohort` s: agents employed together, trained together
and taking contacts from the same moment. The starting headcount of a ``fixed`` team is one
cohort, proficient and in production from before the horizon; ``hiring.per_week`` agents
requested every week from ``hiring.start`` are one cohort each, employed (and paid, in
training) ``lead_time_weeks`` after the request and in production ``training_weeks`` later
(``Hiring.weeks_to_production`` in all), as the simulation takes them on (:mod:`sim.build`).
Issue-14 style hiring classes are more cohorts; nothing here depends on how they were chosen.

Expected values (the simulation draws the same quantities at random):

- **attrition** removes agents in production at rate ``ρ = −ln(1 − a)/month`` (``a`` =
  ``attrition_per_month``, a month 30.4375 days), so a cohort of ``n`` in production since
  ``t₀`` has ``n·e^(−ρ(t − t₀))`` left at ``t``; agents in training do not leave;
- **the headcount cap** ``hiring.max_headcount``: a cohort reaching production joins with
  ``min(n, max(0, cap − H(t₀⁻)))`` agents, ``H`` the expected headcount in production (the
  simulation skips a hire while the team is at the cap);
- per interval: ``headcount`` (in production, at the interval start), ``in_training``,
  ``hired`` (agents starting their employment in the interval) and ``left`` (expected leavers
  in the interval), so hires and leavers sum over any period.

FTE are paid hours over the contract hours of a full-timer (``partner.fte_hours_per_week``,
default 38 h): agents in training are paid the contract week, agents in production their
scheduled hours (:func:`staffing.plan_by_week`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from scenarios.errors import InputError

if TYPE_CHECKING:
    from scenarios.partner import Team
    from scenarios.scenario import Scenario

__all__ = ["MONTH_S", "WEEK_S", "Cohort", "HeadcountPath", "expected_headcount", "team_cohorts"]

MONTH_S = 30.4375 * 86400.0
WEEK_S = 7 * 86400.0


@dataclass(frozen=True)
class Cohort:
    """Agents employed, trained and put into production together.

    Attributes
    ----------
    size:
        Agents in the cohort (> 0).
    employed_s:
        Start of employment (and training), seconds from the horizon start; ``-inf`` for
        agents employed before the horizon.
    production_s:
        When they take contacts (``>= employed_s``); ``-inf`` for the starting headcount.
    """

    size: float
    employed_s: float
    production_s: float

    def __post_init__(self) -> None:
        if not self.size > 0 or self.production_s < self.employed_s:
            raise InputError(f"a cohort needs size > 0 and production_s >= employed_s (got {self})")


@dataclass(frozen=True)
class HeadcountPath:
    """Expected headcount per interval of the horizon (float64 arrays of ``n_intervals``).

    ``headcount``: agents in production at the interval start; ``in_training``: agents
    employed but not yet in production; ``hired``: agents starting employment in the interval;
    ``left``: expected leavers in the interval.
    """

    headcount: np.ndarray
    in_training: np.ndarray
    hired: np.ndarray
    left: np.ndarray


def team_cohorts(team: Team, scenario: Scenario) -> tuple[Cohort, ...]:
    """The cohorts of a ``fixed`` team: its starting headcount, then its weekly hires whose
    employment (training) starts before the horizon end (the hires :mod:`sim.build` lists; those
    reaching production after the horizon end are paid in training, :mod:`sim.paid_time`)."""
    staffing = team.staffing
    assert staffing.mode == "fixed", "only a fixed team has a headcount"
    cohorts = []
    if staffing.headcount > 0:
        cohorts.append(Cohort(float(staffing.headcount), -math.inf, -math.inf))
    hiring = team.hiring
    if hiring is None or hiring.per_week == 0:
        return tuple(cohorts)
    horizon_s = scenario.horizon.horizon_s
    request_s = (hiring.start - scenario.horizon.start).days * 86400.0
    while request_s + hiring.lead_time_weeks * WEEK_S < horizon_s:
        employed = request_s + hiring.lead_time_weeks * WEEK_S
        production = request_s + hiring.weeks_to_production * WEEK_S
        cohorts.append(Cohort(float(hiring.per_week), employed, production))
        request_s += WEEK_S
    return tuple(cohorts)


def expected_headcount(
    cohorts: tuple[Cohort, ...],
    *,
    interval_s: float,
    n_intervals: int,
    attrition_per_month_frac: float = 0.0,
    max_headcount: float | None = None,
) -> HeadcountPath:
    """Expected headcount, trainees, hires and leavers per interval (see the module notes).

    A cohort in production before the horizon start counts from the start, without attrition
    before it (the starting headcount is the headcount at the start).
    """
    if not 0.0 <= attrition_per_month_frac < 1.0:
        raise InputError(
            f"attrition_per_month_frac must be in [0, 1) (got {attrition_per_month_frac!r})"
        )
    rate = -math.log1p(-attrition_per_month_frac) / MONTH_S
    edges = np.arange(n_intervals + 1, dtype=np.float64) * interval_s
    headcount = np.zeros(n_intervals + 1)
    in_training = np.zeros(n_intervals)
    hired = np.zeros(n_intervals)
    joined = np.zeros(n_intervals + 1)
    for cohort in sorted(cohorts, key=lambda c: c.production_s):
        start = max(cohort.production_s, 0.0)
        size = cohort.size
        # the interval (edges[j], edges[j + 1]] the cohort joins in; -1: in production at 0
        j = int(np.searchsorted(edges, start, side="left")) - 1
        if max_headcount is not None and j >= 0:
            now = headcount[j] * math.exp(-rate * (start - edges[j]))
            size = min(size, max(0.0, max_headcount - now))
        if size <= 0.0:
            continue
        after = edges >= start
        headcount[after] += size * np.exp(-rate * (edges[after] - start))
        if j >= 0:
            joined[j] += size
        training = (edges[:-1] >= cohort.employed_s) & (edges[:-1] < cohort.production_s)
        in_training[training] += size
        if cohort.employed_s >= 0.0:
            hired[min(int(cohort.employed_s // interval_s), n_intervals - 1)] += size
    left = np.clip(headcount[:-1] + joined[:-1] - headcount[1:], 0.0, None)
    return HeadcountPath(headcount[:-1], in_training, hired, left)
