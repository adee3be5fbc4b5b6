"""The workload the simulation will see, and the staffing for it: a fixed point.

The simulation offers a channel more than its first contacts: unresolved contacts come back
(repeats, possibly on another channel), abandoned callers try again (redials), and both can
happen again to the retries. The plan sizes that whole workload. With ``f_c`` the expected
first contacts of channel ``c`` per interval (:func:`scenarios.expand`):

- **repeats** of ``c``: contacts done in interval ``i`` (answered on a realtime channel; finished
  by the fluid backlog on a deferrable one, :func:`staffing.retries.served_flow`), unresolved
  with probability ``1 − fcr_c[i]`` and coming back with ``repeat.probability``, land on the
  repeat channel by the landing weights of the repeat delay, shifted by the mean handle time on
  a realtime channel (a contact repeats from the end of its handling);
- **redials** of ``c``: offered contacts abandoned with the plan's own expected abandonment
  probability ``P(Ab)_c[i]`` (expected over the day factor, :mod:`staffing.day_factor`), tried
  again with ``redial.probability`` after the redial delay;
- a realtime retry landing while its channel is closed is not offered and goes nowhere (the
  simulation logs it ``not_offered``); a deferrable one joins the backlog, which the fluid
  model carries into the next opening;
- **escalations**: done contacts times ``escalation.probability``, at the end of handling, to
  tier 2 (:func:`tier2_plan` sizes tier 2 when its ``agents`` are ``auto``).

So the arrivals ``a_c = f_c + R_c(a) + D_c(a)`` solve a fixed point, coupled to the staffing: the
abandonment depends on the agents, and the agents of an ``auto`` team on the arrivals.

Iteration and convergence
-------------------------
The loop runs twice: first with the point forecast (day CV 0: cheap Erlang formulas), then, if a
channel has a day-level forecast error, with the expectations over the day factor, starting from
the first run's answer. *Outer step*: staff every team for the current arrivals (warm-starting
each search at the previous answer) and compute the expected measures, hence ``P(Ab)`` per
interval and each deferrable channel's capacity. *Inner loop*: with those fixed, iterate ``a ← f
+ K(a)``. ``K`` maps a contact to its expected retries; each contact makes at most ``q = max_c
max((1 − fcr_c)·p_c, r_c)`` of them (``p`` repeat, ``r`` redial probability; the fluid service
never serves more than arrives), so in total contacts ``‖K a − K b‖₁ ≤ q‖a − b‖₁`` and the error
shrinks at least geometrically, ``‖a_k − a*‖₁ ≤ qᵏ‖a₀ − a*‖₁``. On the finite horizon ``K`` is
also triangular in time (a retry never lands before its source) with diagonal below 1, so the
iteration converges even for ``q = 1``. The inner loop stops when no interval's arrivals change
by more than ``10⁻⁷`` of the busiest interval's first contacts. The outer loop stops when every
requirement is the same as in the previous step and the arrivals moved by less than ``10⁻⁴`` of
it (the abandonment then moves the redials by less than that again). Whole agents can make the
staffing of some intervals flip between two counts from step to step (one agent more, fewer
abandons, fewer redials, one agent less...); after :data:`MONOTONE_AFTER` steps (one step in the
second run, which starts from the first run's answer) a requirement may therefore only rise. The
requirements are then bounded and non-decreasing, so the loop ends, with every target met at the
final arrivals and those arrivals the fixed point of the final staffing; the price is an agent
more than strictly needed in the intervals that flipped (a stated, conservative choice). The
test ``tests/staffing/test_fixed_point.py`` checks the offered repeats, redials and escalations
against the simulation.

Not modelled by the plan (the simulation has them): outages (their contacts are not offered),
the learning curve of new hires, random absence, within-day overdispersion.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from scenarios.errors import InputError
from scenarios.partner import TIER2_ROSTER
from staffing.headcount import (
    HeadcountPath,
    expected_headcount,
    team_cohorts,
    team_nesting,
    team_releases,
)
from staffing.requirements import ChannelDemand, predicted_measures
from staffing.retries import landing_weights, served_flow, spread
from staffing.roster import base_roster
from staffing.team_staffing import TeamPlan, staff_team
from staffing.tier2 import Tier2Plan, tier2_plan

if TYPE_CHECKING:
    from scenarios.demand import Workload
    from scenarios.scenario import Scenario

__all__ = ["ChannelFlow", "WorkloadPlan", "solve", "team_rosters"]

MAX_OUTER = 40
"""Outer steps before :func:`solve` gives up."""
MONOTONE_AFTER = 3
"""Outer steps after which a requirement may only rise (so the loop ends)."""
MAX_INNER = 2000
TOLERANCE = 1e-7
"""The inner loop stops when no interval's arrivals move by more than this share of the
busiest interval's first contacts."""
OUTER_TOLERANCE = 1e-4
"""The outer loop stops, the staffing unchanged, when the arrivals moved by less than this
share of the busiest interval's first contacts."""


@dataclass(frozen=True, eq=False)
class ChannelFlow:
    """The planned flow of one channel (per-interval float64 arrays).

    Attributes
    ----------
    demand:
        The offered workload (``offered``: first contacts, repeats and redials; ``fixed``: the
        repeats) the staffing is for.
    first, repeats, redials:
        Expected arrivals by contact type (realtime: also while closed, not offered).
    measures:
        Expected measures with the planned productive agents (``predicted_measures``).
    backlog:
        Deferrable: contacts waiting at the interval start (fluid); realtime: NaN.
    escalations:
        Contacts escalated to tier 2 in the interval.
    """

    demand: ChannelDemand
    first: np.ndarray
    repeats: np.ndarray
    redials: np.ndarray
    measures: Mapping[str, np.ndarray]
    backlog: np.ndarray
    escalations: np.ndarray


@dataclass(frozen=True, eq=False)
class WorkloadPlan:
    """The solved plan: per channel its flow, per team its staffing, tier 2, and the outer
    steps the fixed point took."""

    channels: Mapping[str, ChannelFlow]
    teams: Mapping[str, TeamPlan]
    tier2: Tier2Plan | None
    steps: int

    def rosters(self) -> dict[str, np.ndarray]:
        """Scheduled agents per team and interval as the simulation takes them, plus tier 2's
        planned agents under :data:`scenarios.partner.TIER2_ROSTER` when they are ``auto``."""
        rosters = {name: team.roster for name, team in self.teams.items()}
        if self.tier2 is not None and self.tier2.auto:
            rosters[TIER2_ROSTER] = self.tier2.agents
        return rosters


@dataclass
class _Retry:
    """Where one channel's retries go: the landing weights and the target channel."""

    repeat_to: str | None = None
    repeat_frac: float = 0.0
    repeat_weights: np.ndarray | None = None
    redial_frac: float = 0.0
    redial_weights: np.ndarray | None = None
    handle_weights: np.ndarray | None = None


def _retry_routes(
    scenario: Scenario, workload: Workload, demands: Mapping[str, ChannelDemand]
) -> dict[str, _Retry]:
    routes = {}
    n, interval_s = workload.n_intervals, workload.interval_s
    for name, channel in scenario.channels.items():
        demand = demands[name]
        route = _Retry()
        realtime = demand.kind == "realtime"
        open_aht = demand.aht_s[demand.is_open]
        shift = float(open_aht.mean()) if realtime and open_aht.size else 0.0
        if channel.repeat is not None and channel.repeat.probability > 0:
            delay = channel.repeat.delay
            route.repeat_to = scenario.repeat_channel(name)
            route.repeat_frac = channel.repeat.probability
            route.repeat_weights = landing_weights(
                delay.distribution, delay.mean, delay.cv_effective,
                interval_s=interval_s, n=n, shift_s=shift,
            )  # fmt: skip
        if channel.redial is not None and channel.redial.probability > 0:
            delay = channel.redial.delay
            route.redial_frac = channel.redial.probability
            route.redial_weights = landing_weights(
                delay.distribution, delay.mean, delay.cv_effective, interval_s=interval_s, n=n
            )
        if shift > 0.0:
            route.handle_weights = landing_weights(
                "deterministic", shift, 0.0, interval_s=interval_s, n=n
            )
        routes[name] = route
    return routes


_Demands = Mapping[str, ChannelDemand]
_Arrays = Mapping[str, np.ndarray]
_Routes = Mapping[str, _Retry]
_FixedInputs = tuple[np.ndarray | None, HeadcountPath | None, int | None]


@dataclass
class _State:
    """The iterate: expected arrivals by type, and what the staffing fixed for the inner loop."""

    repeats: dict[str, np.ndarray]
    redials: dict[str, np.ndarray]
    p_abandon: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    capacity: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)


def _demand(base: ChannelDemand, first: np.ndarray, state: _State) -> ChannelDemand:
    """The channel's offered workload for the current arrivals."""
    repeats, redials = state.repeats[base.name], state.redials[base.name]
    if base.kind == "deferrable":
        return dataclasses.replace(base, offered=first + repeats + redials, fixed=None)
    open_ = base.is_open
    return dataclasses.replace(
        base, offered=(first + repeats + redials) * open_, fixed=repeats * open_
    )


def _done(demand: ChannelDemand, state: _State) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Contacts done (answered or served), abandoned, and the backlog, per interval."""
    if demand.kind == "deferrable":
        served, backlog = served_flow(demand.offered, state.capacity[demand.name])
        return served, np.zeros_like(served), backlog
    p = state.p_abandon[demand.name]
    return demand.offered * (1.0 - p), demand.offered * p, np.full(p.size, np.nan)


def _retries(
    bases: _Demands, first: _Arrays, routes: _Routes, workload: Workload, state: _State
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One application of the retry map: the repeats and redials the current arrivals make."""
    repeats = {name: np.zeros(workload.n_intervals) for name in bases}
    redials = {name: np.zeros(workload.n_intervals) for name in bases}
    for name, base in bases.items():
        route = routes[name]
        done, abandoned, _ = _done(_demand(base, first[name], state), state)
        load = workload.channels[name]
        if route.repeat_weights is not None:
            assert route.repeat_to is not None, "a repeat route has its channel"
            source = done * (1.0 - load.fcr_frac) * route.repeat_frac
            repeats[route.repeat_to] += spread(source, route.repeat_weights)
        if route.redial_weights is not None:
            redials[name] += spread(abandoned * route.redial_frac, route.redial_weights)
    return repeats, redials


def _settle(
    bases: _Demands,
    first: _Arrays,
    routes: _Routes,
    workload: Workload,
    state: _State,
    tolerance: float,
) -> float:
    """Iterate the retries with the staffing fixed; return the largest change it made."""
    moved = 0.0
    for _ in range(MAX_INNER):
        repeats, redials = _retries(bases, first, routes, workload, state)
        change = max(
            float(
                np.max(
                    np.abs(repeats[c] - state.repeats[c]) + np.abs(redials[c] - state.redials[c])
                )
            )
            for c in bases
        )
        state.repeats, state.redials = repeats, redials
        moved = max(moved, change)
        if change <= tolerance:
            return moved
    raise InputError(
        "the repeat and redial flows do not settle within "
        f"{MAX_INNER} steps; check repeat and redial probabilities near 100%."
    )


def _staff(
    scenario: Scenario,
    bases: _Demands,
    first: _Arrays,
    state: _State,
    fixed_inputs: list[_FixedInputs],
    previous: dict[str, TeamPlan] | None,
    monotone: bool,
) -> dict[str, TeamPlan]:
    """Every team's plan for the current arrivals (never below the previous requirements when
    ``monotone``), and the state's P(Ab) and capacities for it."""
    teams = {}
    for index, team in enumerate(scenario.partner.teams):
        demands = [_demand(bases[name], first[name], state) for name in team.channels]
        roster, headcount, starting = fixed_inputs[index]
        start = previous[team.name].required if previous else None
        plan = teams[team.name] = staff_team(
            team,
            demands,
            shrinkage_frac=scenario.partner.shrinkage,
            roster=roster,
            headcount=headcount,
            starting_headcount=starting,
            start=start,
            floor=start if monotone else None,
        )
        for demand, agents in zip(demands, plan.productive, strict=True):
            if demand.kind == "realtime":
                measures = predicted_measures(demand, agents, plan.method)
                state.p_abandon[demand.name] = np.nan_to_num(measures["p_abandon"])
            else:
                state.capacity[demand.name] = np.where(
                    demand.is_open, agents * demand.interval_s / demand.aht_s, 0.0
                )
    return teams


def _same_need(x: np.ndarray | None, y: np.ndarray | None) -> bool:
    if x is None or y is None:
        return x is y
    return bool(np.array_equal(x, y))


def _same(a: dict[str, TeamPlan], b: dict[str, TeamPlan] | None) -> bool:
    if b is None:
        return False
    return all(
        all(_same_need(x, y) for x, y in zip(a[name].required, b[name].required, strict=True))
        for name in a
    )


def _fixed_inputs(scenario: Scenario, workload: Workload) -> list[_FixedInputs]:
    """Per team: its given roster, its expected headcount and its starting headcount."""
    out: list[_FixedInputs] = []
    for index, team in enumerate(scenario.partner.teams):
        roster = base_roster(index, team, scenario, workload)
        headcount = starting = None
        if team.staffing.mode == "fixed":
            starting = team.staffing.headcount
            headcount = expected_headcount(
                team_cohorts(team, scenario),
                interval_s=workload.interval_s,
                n_intervals=workload.n_intervals,
                attrition_per_month_frac=team.attrition_per_month,
                max_headcount=None if team.hiring is None else team.hiring.max_headcount,
                nesting=team_nesting(team),
                releases=team_releases(team, scenario),
            )
        out.append((roster, headcount, starting))
    return out


def _solve(scenario: Scenario, workload: Workload) -> WorkloadPlan:
    bases = {name: ChannelDemand.of(scenario, workload, name) for name in scenario.channels}
    first = {
        name: np.asarray(load.expected_arrivals, np.float64)
        for name, load in workload.channels.items()
    }
    routes = _retry_routes(scenario, workload, bases)
    zeros = {name: np.zeros(workload.n_intervals) for name in bases}
    state = _State(dict(zeros), dict(zeros))
    scale = max(1.0, max(float(f.max(initial=0.0)) for f in first.values()))
    tolerance = TOLERANCE * scale
    fixed_inputs = _fixed_inputs(scenario, workload)
    phases = [bases]
    if any(base.day_cv > 0.0 for base in bases.values()):
        point = {name: dataclasses.replace(base, day_cv=0.0) for name, base in bases.items()}
        phases.insert(0, point)
    previous, steps = None, 0
    for phase, demands in enumerate(phases):
        monotone_after = MONOTONE_AFTER if phase == 0 else 1
        for step in range(1, MAX_OUTER + 1):
            teams = _staff(
                scenario, demands, first, state, fixed_inputs, previous, step > monotone_after
            )
            moved = _settle(demands, first, routes, workload, state, tolerance)
            steps += 1
            if step > 1 and _same(teams, previous) and moved <= OUTER_TOLERANCE * scale:
                break
            previous = teams
        else:
            raise InputError(f"the staffing plan does not settle within {MAX_OUTER} steps.")
    return _assemble(scenario, workload, bases, first, routes, state, teams, steps)


def _assemble(
    scenario: Scenario,
    workload: Workload,
    bases: _Demands,
    first: _Arrays,
    routes: _Routes,
    state: _State,
    teams: dict[str, TeamPlan],
    steps: int,
) -> WorkloadPlan:
    channels = {}
    escalated = np.zeros(workload.n_intervals)
    for team in scenario.partner.teams:
        plan = teams[team.name]
        for name, agents in zip(team.channels, plan.productive, strict=True):
            demand = _demand(bases[name], first[name], state)
            done, _, backlog = _done(demand, state)
            load = workload.channels[name]
            route_weights = routes[name].handle_weights
            leaving = done * load.escalation_frac
            escalations = leaving if route_weights is None else spread(leaving, route_weights)
            escalated += escalations
            channels[name] = ChannelFlow(
                demand=demand,
                first=first[name],
                repeats=state.repeats[name],
                redials=state.redials[name],
                measures=MappingProxyType(predicted_measures(demand, agents, plan.method)),
                backlog=backlog,
                escalations=escalations,
            )
    ordered = {name: channels[name] for name in scenario.channels}
    tier2 = tier2_plan(scenario, workload, escalated)
    return WorkloadPlan(MappingProxyType(ordered), MappingProxyType(dict(teams)), tier2, steps)


_LAST: list[tuple[Scenario, Workload, WorkloadPlan]] = []
"""The last solved (scenario, workload, plan): the plan and the rosters of a run share it."""


def solve(scenario: Scenario, workload: Workload) -> WorkloadPlan:
    """The planned workload and staffing of a scenario (module notes), cached for the last
    (scenario, workload) pair by identity."""
    if _LAST and _LAST[0][0] is scenario and _LAST[0][1] is workload:
        return _LAST[0][2]
    plan = _solve(scenario, workload)
    _LAST[:] = [(scenario, workload, plan)]
    return plan


def team_rosters(scenario: Scenario, workload: Workload) -> dict[str, np.ndarray]:
    """Scheduled agents on duty (before shrinkage) per interval, for every team, as the
    simulation takes them (and tier 2's, under ``"tier2"``, when its agents are ``auto``).

    - ``fixed``: for each shift, ``⌊headcount · share⌋`` agents on the intervals whose start lies
      in the shift on its days (past midnight into the next day), summed over shifts; zero on
      closed days; at the starting headcount (the simulation scales it with hires and
      attrition).
    - ``roster``: the CSV's agents (whole numbers).
    - ``auto``: per channel ``⌈need · (1 + safety_factor) / (1 − shrinkage)⌉`` for the workload
      the simulation will see (:func:`solve`), summed over the team's channels.

    Returns
    -------
    dict[str, numpy.ndarray]
        Team name to an int64 array of length ``workload.n_intervals``.
    """
    return solve(scenario, workload).rosters()
