"""Expected headcount of a team over time: hires, training, nesting, production, attrition.

A team's workforce is a list of :class:`Cohort` s: agents employed together, trained together
and taking contacts from the same moment. The starting headcount of a ``fixed`` team is one
cohort, proficient and in production from before the horizon; ``hiring.per_week`` agents
requested every week from ``hiring.start`` are one cohort each, employed (and paid, in
training) ``lead_time_weeks`` after the request and in production ``training_weeks`` later
(``Hiring.weeks_to_production`` in all), as the simulation takes them on (:mod:`sim.build`);
each class of ``hiring_classes.classes`` is one cohort, employed on its start date, losing
``dropout`` of its hires during training and in production ``training_weeks`` later. The
capacity planner (:mod:`hire`) adds the classes it considers as more cohorts; nothing here
depends on how they were chosen.

Expected values (the simulation draws the same quantities at random):

- **attrition** removes agents in production at rate ``ρ = −ln(1 − a)/month`` (``a`` =
  ``attrition_per_month``, a month 30.4375 days), so a cohort of ``n`` in production since
  ``t₀`` has ``n·e^(−ρ(t − t₀))`` left at ``t``; agents in training do not leave by attrition;
- **dropout** ``d``: a class of ``n`` loses ``n·d`` hires spread evenly over its training, so
  ``n·(1 − d·s)`` are in training a share ``s`` of the way through, and ``n·(1 − d)`` reach
  production;
- **nesting** (the learning curve ``(M, W)``: handle time ``M`` times longer on the first day
  in production, falling linearly to 1 after ``W`` weeks): an agent ``τ`` into production
  answers ``1 / (1 + (M − 1)·max(0, 1 − τ/W))`` of a proficient agent's contacts; ``effective``
  sums that over the agents in production;
- **releases** (ramp-down): ``k`` agents released at ``t_r`` lower the expected headcount by
  ``k·e^(−ρ(t − t_r))`` after it (they would otherwise have left by attrition later);
- **the headcount cap** ``hiring.max_headcount``: a cohort reaching production joins with
  ``min(n, max(0, cap − H(t₀⁻)))`` agents, ``H`` the expected headcount in production (the
  simulation skips a hire while the team is at the cap);
- per interval: ``headcount`` (in production, at the interval start), ``effective``,
  ``in_training``, ``hired`` (agents starting their employment in the interval), ``left``
  (expected leavers by attrition in the interval) and ``released``, so hires, leavers and
  releases sum over any period.

FTE are paid hours over the contract hours of a full-timer (``partner.fte_hours_per_week``,
default 38 h): agents in training are paid the contract week, agents in production their
scheduled hours (:func:`staffing.plan_by_week`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from scenarios.errors import InputError

if TYPE_CHECKING:
    from scenarios.partner import Team
    from scenarios.scenario import Scenario

__all__ = [
    "MONTH_S",
    "WEEK_S",
    "Cohort",
    "HeadcountPath",
    "expected_headcount",
    "team_cohorts",
    "team_nesting",
    "team_releases",
]

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
    dropout_frac:
        Share of the cohort leaving during training (evenly over it), in [0, 1).
    """

    size: float
    employed_s: float
    production_s: float
    dropout_frac: float = 0.0

    def __post_init__(self) -> None:
        if (
            not self.size > 0
            or self.production_s < self.employed_s
            or not 0.0 <= self.dropout_frac < 1.0
        ):
            raise InputError(
                "a cohort needs size > 0, production_s >= employed_s and dropout in [0, 1) "
                f"(got {self})"
            )


@dataclass(frozen=True)
class HeadcountPath:
    """Expected headcount per interval of the horizon (float64 arrays of ``n_intervals``).

    ``headcount``: agents in production at the interval start; ``in_training``: agents
    employed but not yet in production; ``hired``: agents starting employment in the interval;
    ``left``: expected leavers by attrition in the interval; ``effective``: the agents in
    production weighted by their nesting productivity (``headcount`` without nesting);
    ``released``: agents released (ramp-down) in the interval.
    """

    headcount: np.ndarray
    in_training: np.ndarray
    hired: np.ndarray
    left: np.ndarray
    effective: np.ndarray
    released: np.ndarray


def _offset_s(day: date, scenario: Scenario) -> float:
    """Seconds from the horizon start to midnight of ``day`` (negative before it)."""
    return (day - scenario.horizon.start).days * 86400.0


def team_cohorts(team: Team, scenario: Scenario) -> tuple[Cohort, ...]:
    """The cohorts of a ``fixed`` team: its starting headcount, then its weekly hires whose
    employment (training) starts before the horizon end (the hires :mod:`sim.build` lists; those
    reaching production after the horizon end are paid in training, :mod:`sim.paid_time`), then
    the classes of its ``hiring_classes`` in date order."""
    staffing = team.staffing
    assert staffing.mode == "fixed", "only a fixed team has a headcount"
    cohorts = []
    if staffing.headcount > 0:
        cohorts.append(Cohort(float(staffing.headcount), -math.inf, -math.inf))
    classes = team.hiring_classes
    if classes is not None:
        training_s = classes.training_weeks * WEEK_S
        for held in sorted(classes.classes, key=lambda c: c.start):
            employed = _offset_s(held.start, scenario)
            cohorts.append(
                Cohort(float(held.size), employed, employed + training_s, classes.dropout)
            )
    hiring = team.hiring
    if hiring is None or hiring.per_week == 0:
        return tuple(cohorts)
    horizon_s = scenario.horizon.horizon_s
    request_s = _offset_s(hiring.start, scenario)
    while request_s + hiring.lead_time_weeks * WEEK_S < horizon_s:
        employed = request_s + hiring.lead_time_weeks * WEEK_S
        production = request_s + hiring.weeks_to_production * WEEK_S
        cohorts.append(Cohort(float(hiring.per_week), employed, production))
        request_s += WEEK_S
    return tuple(cohorts)


def team_nesting(team: Team) -> tuple[float, float] | None:
    """The learning curve of a team's new hires as ``(M, W)``: handle time ``M`` times longer
    on the first day in production, proficient after ``W`` weeks (``hiring_classes`` nesting,
    else ``learning_curve``); None when new hires are proficient at once."""
    classes = team.hiring_classes
    if classes is not None:
        if classes.nesting_weeks > 0 and classes.nesting_productivity < 1.0:
            return (classes.nesting_aht_multiplier, classes.nesting_weeks)
        return None
    curve = team.learning_curve
    if curve is None or curve.aht_multiplier == 1.0:
        return None
    return (curve.aht_multiplier, curve.weeks_to_proficiency)


def team_releases(team: Team, scenario: Scenario) -> tuple[tuple[float, float], ...]:
    """The releases of a team's ``hiring_classes`` as ``(time_s, agents)``, in time order."""
    classes = team.hiring_classes
    if classes is None:
        return ()
    return tuple(
        sorted(
            (_offset_s(release.date, scenario), float(release.agents))
            for release in classes.releases
        )
    )


def _productivity(tenure_s: np.ndarray, nesting: tuple[float, float] | None) -> np.ndarray:
    """Share of a proficient agent's contacts an agent ``tenure_s`` into production answers."""
    if nesting is None:
        return np.ones_like(tenure_s)
    multiplier, weeks = nesting
    fading = np.clip(1.0 - tenure_s / (weeks * WEEK_S), 0.0, 1.0)
    return 1.0 / (1.0 + (multiplier - 1.0) * fading)


def _trainees(cohort: Cohort, starts: np.ndarray) -> np.ndarray:
    """Hires of one (unit) cohort in training at each moment of ``starts`` (module notes)."""
    training = (starts >= cohort.employed_s) & (starts < cohort.production_s)
    length = cohort.production_s - cohort.employed_s
    if cohort.dropout_frac == 0.0 or length <= 0.0:
        return training.astype(np.float64)
    share = np.clip((starts - cohort.employed_s) / length, 0.0, 1.0)
    return np.where(training, 1.0 - cohort.dropout_frac * share, 0.0)


def expected_headcount(
    cohorts: tuple[Cohort, ...],
    *,
    interval_s: float,
    n_intervals: int,
    attrition_per_month_frac: float = 0.0,
    max_headcount: float | None = None,
    nesting: tuple[float, float] | None = None,
    releases: tuple[tuple[float, float], ...] = (),
) -> HeadcountPath:
    """Expected headcount, trainees, hires, leavers and releases per interval (module notes).

    A cohort in production before the horizon start counts from the start, without attrition
    before it (the starting headcount is the headcount at the start). ``nesting`` is the hires'
    learning curve ``(M, W)`` (:func:`team_nesting`), ``releases`` the ramp-down as
    ``(time_s, agents)`` (:func:`team_releases`); releases before the horizon start count
    from it. The flow is linear in the cohort sizes and releases without ``max_headcount``,
    which is what the capacity planner relies on (:mod:`hire.capacity`).
    """
    if not 0.0 <= attrition_per_month_frac < 1.0:
        raise InputError(
            f"attrition_per_month_frac must be in [0, 1) (got {attrition_per_month_frac!r})"
        )
    rate = -math.log1p(-attrition_per_month_frac) / MONTH_S
    edges = np.arange(n_intervals + 1, dtype=np.float64) * interval_s
    headcount = np.zeros(n_intervals + 1)
    effective = np.zeros(n_intervals + 1)
    in_training = np.zeros(n_intervals)
    hired = np.zeros(n_intervals)
    joined = np.zeros(n_intervals + 1)
    released = np.zeros(n_intervals + 1)
    removed = np.zeros(n_intervals + 1)  # releases inside the horizon, for the leavers' sum
    events: list[tuple[float, int, Cohort | float]] = [(c.production_s, 0, c) for c in cohorts]
    events += [(t, 1, agents) for t, agents in releases]
    for moment, kind, item in sorted(events, key=lambda e: (e[0], e[1])):
        if kind == 1:
            assert isinstance(item, float), "a release is a number of agents"
            at = max(moment, 0.0)
            j = int(np.searchsorted(edges, at, side="left")) - 1
            after = edges >= at
            headcount[after] -= item * np.exp(-rate * (edges[after] - at))
            effective[after] -= item * np.exp(-rate * (edges[after] - at))
            # counted in the interval that starts with it (an edge belongs to the next one)
            released[max(int(np.searchsorted(edges, at, side="right")) - 1, 0)] += item
            if j >= 0:
                removed[j] += item
            continue
        cohort = item
        assert isinstance(cohort, Cohort), "a join is a cohort"
        start = max(cohort.production_s, 0.0)
        size = cohort.size * (1.0 - cohort.dropout_frac)
        # the interval (edges[j], edges[j + 1]] the cohort joins in; -1: in production at 0
        j = int(np.searchsorted(edges, start, side="left")) - 1
        scale = 1.0
        if max_headcount is not None and j >= 0:
            now = headcount[j] * math.exp(-rate * (start - edges[j]))
            capped = min(size, max(0.0, max_headcount - now))
            scale = capped / size
            size = capped
        if size <= 0.0:
            continue
        after = edges >= start
        survivors = size * np.exp(-rate * (edges[after] - start))
        headcount[after] += survivors
        effective[after] += survivors * _productivity(edges[after] - cohort.production_s, nesting)
        if j >= 0:
            joined[j] += size
        in_training += cohort.size * scale * _trainees(cohort, edges[:-1])
        if cohort.employed_s >= 0.0:
            hired[min(int(cohort.employed_s // interval_s), n_intervals - 1)] += cohort.size * scale
    left = np.clip(headcount[:-1] + joined[:-1] - removed[:-1] - headcount[1:], 0.0, None)
    return HeadcountPath(headcount[:-1], in_training, hired, left, effective[:-1], released[:-1])
