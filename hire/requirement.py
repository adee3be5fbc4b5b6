"""The agents a team needs per week: the smallest effective headcount whose shifts meet its
service targets over the week (:mod:`hire.capacity` for the model this feeds), and the weeks
and measurement periods of the horizon.

A fixed team's shifts at its starting headcount ``H₀`` give ``roster₀(t)`` scheduled agents per
interval; at an effective headcount ``H`` the simulation schedules ``⌊roster₀(t)·H/H₀⌋`` and
answers with the productive share ``1 − shrinkage`` (:func:`staffing.roster.productive_agents`),
split over a blended pool's channels as the plan splits them. ``R_w`` is the smallest whole
``H`` at which every channel of the team meets its ``service_target`` and the contract's
``abandon_rate`` and ``asa`` clauses on it over week ``w``: the week's measure, weighted by the
offered contacts of its intervals, of :func:`staffing.requirements.predicted_measures` for the
workload the simulation will see (:func:`staffing.solve`), expected over the day-level forecast
error. The search starts from the plan's own requirement in agent hours over the roster's
productive hours, times ``H₀``, brackets it and bisects, every week at once.

**Forecast uncertainty.** With a day-level forecast error of CV ``c`` on the team's channels, a
week of ``d`` open days has a volume CV of about ``c/√d``; ``σ_R,w = R_w·c/√d`` is the spread of
the requirement (proportional: an upper bound, square-root staffing grows slower).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from scenarios.errors import InputError
from staffing.requirements import predicted_measures
from staffing.roster import productive_agents

if TYPE_CHECKING:
    from scenarios.demand import Workload
    from scenarios.partner import Team
    from scenarios.scenario import Scenario
    from staffing.fixed_point import WorkloadPlan
    from staffing.requirements import ChannelDemand

__all__ = ["Weeks", "contacts", "required", "required_sd", "weeks_of"]


@dataclass(frozen=True)
class Weeks:
    """The weeks of the horizon: ``start`` dates, ``first`` interval, ``intervals`` and
    ``days`` per week, and ``period`` (the measurement period each week falls in, by its first
    day) with ``period_labels``."""

    start: tuple[date, ...]
    first: np.ndarray
    intervals: np.ndarray
    days: np.ndarray
    period: np.ndarray
    period_labels: tuple[str, ...]

    @property
    def n(self) -> int:
        """Number of weeks."""
        return len(self.start)

    def of_interval(self, n_intervals: int) -> np.ndarray:
        """Week index of every interval."""
        return np.repeat(np.arange(self.n), self.intervals)[:n_intervals]


def weeks_of(scenario: Scenario, workload: Workload) -> Weeks:
    horizon = scenario.horizon
    per_day = round(86400.0 / workload.interval_s)
    n = math.ceil(horizon.days / 7)
    days = np.array([min(7, horizon.days - 7 * w) for w in range(n)], dtype=np.int64)
    starts = tuple(horizon.start + timedelta(days=7 * w) for w in range(n))
    kind = "month" if scenario.contract is None else scenario.contract.measurement_period
    labels: list[str] = []
    period = np.zeros(n, dtype=np.int64)
    for w, day in enumerate(starts):
        label = _period_label(day, kind, horizon.start, w)
        if label not in labels:
            labels.append(label)
        period[w] = labels.index(label)
    return Weeks(starts, np.arange(n) * 7 * per_day, days * per_day, days, period, tuple(labels))


def _period_label(day: date, kind: str, start: date, week: int) -> str:
    if kind == "month":
        return f"{day.year}-{day.month:02d}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return (start + timedelta(days=7 * week)).isoformat()


def _split(plan: WorkloadPlan, team: Team) -> list[np.ndarray]:
    """Per channel of the team, its share of the team's productive agents in the plan."""
    productive = np.array(plan.teams[team.name].productive, dtype=np.float64)
    total = productive.sum(axis=0)
    even = np.full_like(productive, 1.0 / len(team.channels))
    with np.errstate(invalid="ignore", divide="ignore"):
        return list(np.where(total > 0, productive / total, even))


def _meets(
    demands: list[ChannelDemand],
    shares: list[np.ndarray],
    limits: list[list[tuple[str, float, bool]]],
    method: str,
    roster: np.ndarray,
    starting: int,
    shrinkage: float,
    heads: np.ndarray,
    weeks: Weeks,
) -> np.ndarray:
    """Per week, whether an effective headcount of ``heads[w]`` meets every limit: a measure
    of :func:`staffing.requirements.predicted_measures` averaged over the week's open
    intervals weighted by their offered contacts, at least (or at most) its target."""
    index = weeks.of_interval(roster.size)
    scheduled = np.floor(roster * heads[index] / starting + 1e-9)
    ok = np.ones(weeks.n, dtype=bool)
    for demand, share, own in zip(demands, shares, limits, strict=True):
        agents = productive_agents(scheduled * share, shrinkage)
        measures = predicted_measures(demand, agents, method)
        for measure, target, at_least in own:
            level = measures[measure]
            weight = np.where(demand.is_open & np.isfinite(level), demand.offered, 0.0)
            got = np.bincount(index, weights=weight * np.nan_to_num(level), minlength=weeks.n)
            offered = np.bincount(index, weights=weight, minlength=weeks.n)
            if at_least:
                ok &= (offered <= 0) | (got >= (target - 1e-9) * offered)
            else:
                ok &= (offered <= 0) | (got <= (target + 1e-9) * offered)
    return ok


def _limits(scenario: Scenario, channel: str) -> list[tuple[str, float, bool]]:
    """What a week of ``channel`` must meet: its ``service_target`` and the contract's
    ``abandon_rate`` and ``asa`` clauses on it, as ``(measure, target, at least)``."""
    limits = []
    target = scenario.channels[channel].service_target
    if target is not None:
        limits.append(("service_level", target.target, True))
    if scenario.contract is not None:
        for clause in scenario.contract.clauses:
            if clause.channel != channel:
                continue
            if clause.kpi == "abandon_rate":
                limits.append(("p_abandon", clause.target, False))
            elif clause.kpi == "asa":
                limits.append(("asa_s", clause.target, False))
    return limits


def required(
    plan: WorkloadPlan,
    scenario: Scenario,
    team: Team,
    weeks: Weeks,
    volume: np.ndarray,
) -> np.ndarray:
    """``R_w``: the smallest effective headcount meeting every target of the team in each week,
    with each week's volume times ``volume[w]`` (module notes)."""
    team_plan = plan.teams[team.name]
    starting = team.staffing.headcount  # type: ignore[union-attr]
    index = weeks.of_interval(team_plan.roster.size)
    demands, shares, limits = [], [], []
    for channel, share in zip(team.channels, _split(plan, team), strict=True):
        demand = plan.channels[channel].demand
        own = _limits(scenario, channel)
        if demand.kind == "deferrable":
            own = [limit for limit in own if limit[0] == "service_level"]
        if not own:
            continue
        factor = volume[index]
        fixed = None if demand.fixed is None else demand.fixed * factor
        demands.append(replace(demand, offered=demand.offered * factor, fixed=fixed))
        shares.append(share)
        limits.append(own)
    roster = np.asarray(team_plan.roster, np.float64)
    args = (demands, shares, limits, team_plan.method, roster, starting, scenario.partner.shrinkage)
    if not demands:
        return np.zeros(weeks.n)
    # bracket around the plan's own requirement in agent hours, scaled to a headcount
    needed = sum((r for r in team_plan.required if r is not None), np.zeros(roster.size))
    hours = np.bincount(
        index, weights=np.asarray(needed, np.float64) * volume[index], minlength=weeks.n
    )
    productive = productive_agents(roster, scenario.partner.shrinkage).astype(np.float64)
    capacity = np.bincount(index, weights=productive, minlength=weeks.n)
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = np.where(capacity > 0, starting * hours / capacity, starting)
    low = np.floor(0.85 * estimate).astype(np.int64)
    high = np.ceil(1.2 * estimate).astype(np.int64) + 1
    meets = _meets(*args, high.astype(np.float64), weeks)
    while not meets.all():
        if high.max() > 1_000_000:
            raise InputError(f"team {team.name}: no headcount meets its targets in some week")
        high = np.where(meets, high, 2 * high + 1)
        meets = _meets(*args, high.astype(np.float64), weeks)
    early = _meets(*args, low.astype(np.float64), weeks) & (low > 0)
    high = np.where(early, low, high)
    low = np.where(early, 0, low)  # now low fails, or is 0
    while np.any(high - low > 1):
        mid = (low + high) // 2
        ok = _meets(*args, mid.astype(np.float64), weeks)
        high = np.where(ok, mid, high)
        low = np.where(ok, low, mid)
    if np.any(high == 1):
        zero = _meets(*args, np.zeros(weeks.n), weeks)
        high = np.where(zero & (high == 1), 0, high)
    return high.astype(np.float64)


def contacts(plan: WorkloadPlan, team: Team, weeks: Weeks) -> np.ndarray:
    """Offered contacts of the team's channels per week."""
    offered = sum(np.asarray(plan.channels[c].demand.offered, np.float64) for c in team.channels)
    index = weeks.of_interval(np.size(offered))
    return np.bincount(index, weights=np.asarray(offered), minlength=weeks.n)


def _open_days(scenario: Scenario, team: Team, weeks: Weeks, workload: Workload) -> np.ndarray:
    per_day = round(86400.0 / workload.interval_s)
    is_open = np.zeros(workload.n_intervals, dtype=bool)
    for channel in team.channels:
        is_open |= np.asarray(workload.channels[channel].is_open, dtype=bool)
    days = is_open[: per_day * (workload.n_intervals // per_day)].reshape(-1, per_day).any(axis=1)
    day_week = np.arange(days.size) // 7
    return np.bincount(day_week, weights=days.astype(np.float64), minlength=weeks.n)


def required_sd(
    scenario: Scenario, team: Team, weeks: Weeks, workload: Workload, required: np.ndarray
) -> np.ndarray:
    """``σ_R,w = R_w·c/√d``: the requirement moved by one standard deviation of the week's
    volume (proportional staffing, an upper bound: Erlang staffing grows slower than the load)."""
    cv = max(scenario.forecast_day_cv(channel) for channel in team.channels)
    if cv <= 0.0:
        return np.zeros(weeks.n)
    open_days = np.maximum(_open_days(scenario, team, weeks, workload), 1.0)
    return required * cv / np.sqrt(open_days)
