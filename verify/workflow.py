"""``ccplan staff SCENARIO --verify``: the analytic plan corrected by simulation until every
realtime channel meets its target in its measurement periods with a stated probability.

Method
------
1. Plan analytically (:func:`staffing.planning.plan_scenario`): the workload the simulation
   will see and its staffing.
2. Simulate replications ``0 .. R−1`` with the current rosters, always from the same seed: every
   round sees the same customers (common random numbers), so a change between rounds is the
   staffing's doing. Each replication is reduced where it runs to the service level of each
   measurement period per realtime channel with a target (the channel's own
   ``service_target``; period: the contract's ``measurement_period``, else ``month``) and, per
   interval, its offered contacts.
3. ``P(meet)`` of a channel is the share of (replication, period) pairs whose service level
   reaches the target. When it is below ``p_meet`` for a channel served by an ``auto`` team,
   the analytic model is first **calibrated to the simulation**: per interval, the load
   factor ``κ`` at which its expected service level with the interval's agents equals the
   simulated one (pooled over the replications; bisection, ``κ`` in [1/4, 4]), which carries
   what the formulas miss (queues carried across intervals, a roster that drops under a long
   contact, outages, absence). Then every **interval block** (``block_hours`` long, from
   midnight, on each date) gets the fewest productive agents, in each of its open intervals,
   that lift its service level at the calibrated loads to the target plus ``r`` points in
   round ``r`` (:data:`MARGIN_STEP`; at most 99.5 %).
4. Repeat from 2 until every channel meets ``p_meet`` or ``max_rounds`` rounds ran. Agents are
   only added, never removed.

Channels of fixed and roster teams are measured and reported but not corrected (their staffing
is written in the file). The rise a block's agents bring is predicted, not simulated: the
simulation of the next round checks it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from scenarios.errors import InputError
from scenarios.limits import MAX_REPLICATIONS, MAX_SEED
from sim.executors import executor
from sim.progress import SILENT, Progress
from sim.runner import ReplicationTask, check_count
from sla_eval.scenario_eval import scenario_kpi_table
from staffing import solve, team_rosters
from staffing.planning import StaffingPlan, plan_scenario
from staffing.requirements import service_level_of_rows
from staffing.roster import productive_agents

if TYPE_CHECKING:
    from scenarios.demand import Workload
    from scenarios.partner import Team
    from scenarios.scenario import Scenario
    from sim.runner import MapFn
    from staffing.fixed_point import ChannelFlow
    from staffing.requirements import ChannelDemand

_Reduced = tuple[np.ndarray, np.ndarray, np.ndarray]
"""Of one replication and channel: the service level per measurement period, and per interval
the service level and the offered contacts."""

__all__ = ["ADDED_COLUMNS", "MARGIN_STEP", "ROUND_COLUMNS", "VerifiedPlan", "verify_plan"]

ROUND_COLUMNS = (
    "round",
    "channel",
    "p_meet",
    "mean_service_level",
    "quantile_service_level",
    "periods",
    "productive_hours_added",
)
"""Columns of :attr:`VerifiedPlan.rounds`."""
ADDED_COLUMNS = (
    "channel",
    "team",
    "block_start",
    "block_hours",
    "productive_added",
    "scheduled_added",
    "agent_hours_added",
)
"""Columns of :attr:`VerifiedPlan.added`."""

MARGIN_STEP = 0.01
"""Round ``r`` lifts every interval block to the target plus ``r`` times this (1 point)."""
MAX_LEVEL = 0.995
"""The highest service level a block is lifted to."""


@dataclass(frozen=True, eq=False)
class VerifiedPlan:
    """What :func:`verify_plan` found.

    Attributes
    ----------
    plan:
        The analytic plan it started from.
    rosters:
        The corrected scheduled agents per team and interval (the simulation's input).
    added:
        One row per channel and interval block with agents added: ``channel``, ``team``,
        ``block_start``, ``block_hours``, ``productive_added`` (agents answering),
        ``scheduled_added`` (the team's agents on duty before shrinkage, most in the block),
        ``agent_hours_added`` (the team's scheduled agent-hours added in the block).
    rounds:
        One row per round and channel: ``round`` (0: the analytic plan), ``channel``,
        ``p_meet``, ``mean_service_level``, ``quantile_service_level`` (the ``1 − p_meet``
        quantile), ``periods`` (replication-period pairs judged), ``productive_hours_added``
        (productive agent-hours added before the round, cumulative).
    p_meet, replications, seed, period_kind:
        The probability asked for, the replications of every round, their seed, the
        measurement period.
    met:
        Whether every checked channel reached ``p_meet`` in the last round.
    """

    plan: StaffingPlan
    rosters: dict[str, np.ndarray]
    added: pd.DataFrame
    rounds: pd.DataFrame
    p_meet: float
    replications: int
    seed: int
    period_kind: str
    met: bool


class _Reduce:
    """Picklable: per checked channel, one replication's service level per measurement period,
    and per interval its service level and offered contacts."""

    def __init__(
        self,
        task: ReplicationTask,
        rosters: Mapping[str, np.ndarray],
        channels: tuple[str, ...],
        kind: str,
    ):
        self.task = task
        self.rosters = rosters
        self.channels = channels
        self.kind = kind

    def __call__(self, replication: int) -> dict[str, _Reduced]:
        result = self.task.run(replication, self.rosters)
        kinds = (self.kind, "interval")
        kpis = scenario_kpi_table(self.task.scenario, result.contacts, period_kinds=kinds)
        out: dict[str, _Reduced] = {}
        n = self.task.workload.n_intervals
        for name in self.channels:
            own = kpis[kpis["channel"] == name]
            periods = own[(own["period_kind"] == self.kind) & (own["kpi"] == "service_level")]
            intervals = own[own["period_kind"] == "interval"]
            level = np.full(n, np.nan)
            offered = np.zeros(n)
            rows = intervals[intervals["kpi"] == "service_level"]
            level[rows["period"].to_numpy()] = rows["value"].to_numpy()
            rows = intervals[intervals["kpi"] == "offered"]
            offered[rows["period"].to_numpy()] = rows["value"].to_numpy()
            out[name] = (periods["value"].to_numpy(np.float64), level, offered)
        return out


@dataclass(frozen=True)
class _Round:
    """What one round's replications showed per checked channel: the service level of every
    (replication, period) pair, and per interval the service level pooled over replications
    (weighted by offered contacts; NaN without contacts)."""

    periods: dict[str, np.ndarray]
    intervals: dict[str, np.ndarray]


def _simulate(
    task: ReplicationTask,
    rosters: Mapping[str, np.ndarray],
    channels: tuple[str, ...],
    kind: str,
    replications: int,
    map_fn: MapFn,
    progress: Progress,
) -> _Round:
    reduce = _Reduce(task, rosters, channels, kind)
    progress.start(replications, 1)
    results = []
    for value in map_fn(reduce, range(replications)):
        results.append(value)
        progress.replication()
    periods, intervals = {}, {}
    for name in channels:
        periods[name] = np.concatenate([r[name][0] for r in results])
        levels = np.array([r[name][1] for r in results])
        offered = np.array([r[name][2] for r in results])
        weight = np.where(np.isnan(levels), 0.0, offered)
        total = weight.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            intervals[name] = np.where(
                total > 0, (np.nan_to_num(levels) * weight).sum(axis=0) / total, np.nan
            )
    return _Round(periods, intervals)


def _round_rows(
    round_index: int,
    levels: Mapping[str, np.ndarray],
    targets: Mapping[str, float],
    p_meet: float,
    hours_added: Mapping[str, float],
) -> list[dict[str, Any]]:
    rows = []
    for name, values in levels.items():
        values = values[~np.isnan(values)]
        if not values.size:
            raise InputError(f"--verify: channel {name} has no measured period (no contacts?)")
        rows.append(
            {
                "round": round_index,
                "channel": name,
                "p_meet": float(np.mean(values >= targets[name])),
                "mean_service_level": float(values.mean()),
                "quantile_service_level": float(np.quantile(values, 1.0 - p_meet)),
                "periods": int(values.size),
                "productive_hours_added": hours_added[name],
            }
        )
    return rows


LOAD_FACTOR_RANGE = (0.25, 4.0)
"""Where the calibration looks for each interval's load factor."""


def _calibrated_load(
    demand: ChannelDemand,
    method: str,
    rows: np.ndarray,
    agents: np.ndarray,
    simulated: np.ndarray,
) -> np.ndarray:
    """Per row, the load factor ``κ`` at which the expected service level with ``agents``
    equals the ``simulated`` one (bisection, 40 halvings; 1 where nothing was simulated; at
    the ends of :data:`LOAD_FACTOR_RANGE` where the target lies outside it)."""
    target = np.clip(simulated, 0.005, 0.995)
    low = np.full(rows.size, LOAD_FACTOR_RANGE[0])
    high = np.full(rows.size, LOAD_FACTOR_RANGE[1])
    for _ in range(40):
        middle = 0.5 * (low + high)
        above = service_level_of_rows(demand, method, rows, agents, middle) > target
        low = np.where(above, middle, low)
        high = np.where(above, high, middle)
    return np.where(np.isnan(simulated), 1.0, 0.5 * (low + high))


MAX_ADDED = 500
"""Productive agents a block may gain in one round at most (a calibration gone wrong stops
here rather than running away)."""


def _block_additions(
    flow: ChannelFlow,
    method: str,
    agents: np.ndarray,
    level: float,
    blocks_of: np.ndarray,
    simulated: np.ndarray,
) -> dict[int, int]:
    """Per interval block of a channel, the fewest productive agents added to every one of its
    open intervals that lift the block's service level (weighted by offered contacts) to
    ``level`` at the loads calibrated to the simulation."""
    demand = flow.demand
    rows = np.flatnonzero(demand.is_open & (demand.offered > 0))
    factor = np.ones(agents.size)
    factor[rows] = _calibrated_load(demand, method, rows, agents[rows], simulated[rows])
    added = {}
    for block in np.unique(blocks_of[rows]):
        own = rows[blocks_of[rows] == block]
        calls = demand.offered[own]
        extra = 0
        while extra < MAX_ADDED:
            served = service_level_of_rows(demand, method, own, agents[own] + extra, factor[own])
            if np.sum(calls * served) >= level * calls.sum():
                break
            extra += 1
        if extra:
            added[int(block)] = extra
    return added


def _scheduled_for(
    productive_target: np.ndarray, scheduled: np.ndarray, shrinkage: float
) -> np.ndarray:
    """The smallest scheduled agents, at least ``scheduled``, giving ``productive_target``."""
    out = scheduled.copy()
    while True:
        short = productive_agents(out, shrinkage) < productive_target
        if not short.any():
            return out
        out[short] += 1


def verify_plan(
    path: str | os.PathLike[str],
    overrides: Sequence[str] = (),
    *,
    day_cv: str | float | None = None,
    confidence: str | float | None = None,
    p_meet: float = 0.9,
    replications: int | None = None,
    seed: int | None = None,
    block_hours: float = 2.0,
    max_rounds: int = 8,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress = SILENT,
) -> VerifiedPlan:
    """Correct the analytic plan of a scenario file by simulation (module notes).

    Parameters
    ----------
    path, overrides, day_cv, confidence:
        As :func:`staffing.planning.plan_scenario`.
    p_meet:
        Probability in (0, 1) with which every realtime channel's measurement-period service
        level must reach its target.
    replications, seed:
        Replications per round and their seed (default: the scenario's ``run`` settings).
    block_hours:
        Length of the interval blocks agents are added to (a multiple of the interval).
    max_rounds:
        Simulation rounds after the first at most.
    workers, scheduler:
        Where replications run (:func:`sim.executors.executor`).
    """
    if not 0.0 < p_meet < 1.0:
        raise InputError(f"--p-meet must lie strictly between 0% and 100% (got {p_meet!r})")
    plan = plan_scenario(path, overrides, day_cv=day_cv, confidence=confidence)
    scenario, workload = plan.scenario, plan.workload
    per_block = block_hours * 3600.0 / workload.interval_s
    if per_block < 1 or abs(per_block - round(per_block)) > 1e-9 or 86400 % (block_hours * 3600):
        raise InputError(
            f"--block must be a whole number of intervals dividing a day (got {block_hours:g} h)"
        )
    replications = scenario.run.replications if replications is None else replications
    seed = scenario.run.seed if seed is None else seed
    check_count("replications", replications, 2, MAX_REPLICATIONS)  # P(meet) needs 2
    check_count("seed", seed, 0, MAX_SEED)
    kind = scenario.contract.measurement_period if scenario.contract else "month"
    checked = tuple(
        name
        for name, channel in scenario.channels.items()
        if channel.is_realtime and channel.service_target is not None
    )
    if not checked:
        raise InputError("--verify needs a realtime channel with a service_target")
    targets = {}
    for name in checked:
        target = scenario.channels[name].service_target
        assert target is not None, "checked channels have a service target"
        targets[name] = target.target
    solved = solve(scenario, workload)
    base = team_rosters(scenario, workload)
    rosters = dict(base)
    team_of = {name: scenario.team_of(name) for name in checked}
    blocks_of = np.arange(workload.n_intervals) // round(per_block)
    interval_h = workload.interval_s / 3600.0
    added = {name: np.zeros(workload.n_intervals, np.int64) for name in checked}
    task = ReplicationTask(scenario, int(seed), workload, base)
    rows, met = [], False
    with executor(workers=workers, scheduler=scheduler) as map_fn:
        for round_index in range(max_rounds + 1):
            seen = _simulate(task, rosters, checked, kind, replications, map_fn, progress)
            hours = {name: float(added[name].sum() * interval_h) for name in checked}
            rows += _round_rows(round_index, seen.periods, targets, p_meet, hours)
            latest = {row["channel"]: row for row in rows[-len(checked) :]}
            failing = [name for name in checked if latest[name]["p_meet"] < p_meet]
            met = not failing
            correctable = [name for name in failing if team_of[name].staffing.mode == "auto"]
            if met or not correctable or round_index == max_rounds:
                break
            for name in correctable:
                team = team_of[name]
                flow = solved.channels[name]
                plan_team = solved.teams[team.name]
                agents = plan_team.productive[list(team.channels).index(name)] + added[name]
                level = min(targets[name] + MARGIN_STEP * (round_index + 1), MAX_LEVEL)
                for block, count in _block_additions(
                    flow, plan_team.method, agents, level, blocks_of, seen.intervals[name]
                ).items():
                    added[name][(blocks_of == block) & flow.demand.is_open] += count
                rosters[team.name] = _corrected(base[team.name], team, added, scenario)
    return VerifiedPlan(
        plan=plan,
        rosters=rosters,
        added=_added_table(workload, base, rosters, added, team_of, block_hours),
        rounds=pd.DataFrame(rows, columns=list(ROUND_COLUMNS)),
        p_meet=p_meet,
        replications=replications,
        seed=int(seed),
        period_kind=kind,
        met=met,
    )


def _corrected(
    base: np.ndarray, team: Team, added: Mapping[str, np.ndarray], scenario: Scenario
) -> np.ndarray:
    """A team's roster with the productive agents added to its checked channels."""
    shrinkage = scenario.partner.shrinkage
    wanted = productive_agents(base, shrinkage)
    for name in team.channels:
        if name in added:
            wanted = wanted + added[name]
    return _scheduled_for(wanted, base, shrinkage)


def _added_table(
    workload: Workload,
    base: Mapping[str, np.ndarray],
    rosters: Mapping[str, np.ndarray],
    added: Mapping[str, np.ndarray],
    team_of: Mapping[str, Team],
    block_hours: float,
) -> pd.DataFrame:
    per_block = round(block_hours * 3600.0 / workload.interval_s)
    interval_h = workload.interval_s / 3600.0
    start = pd.Timestamp(workload.start)
    rows = []
    for name, extra in added.items():
        team = team_of[name].name
        scheduled = rosters[team] - base[team]
        for block in np.unique(np.flatnonzero(extra) // per_block):
            window = slice(block * per_block, (block + 1) * per_block)
            rows.append(
                {
                    "channel": name,
                    "team": team,
                    "block_start": start
                    + pd.Timedelta(seconds=block * per_block * workload.interval_s),
                    "block_hours": block_hours,
                    "productive_added": int(extra[window].max()),
                    "scheduled_added": int(scheduled[window].max()),
                    "agent_hours_added": float(scheduled[window].sum() * interval_h),
                }
            )
    return pd.DataFrame(rows, columns=list(ADDED_COLUMNS))
