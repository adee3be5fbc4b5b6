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
   the period service level must rise by about ``u = target − q`` (``q`` its simulated
   ``1 − p_meet`` quantile, plus :data:`MARGIN`); agents are added greedily to the **interval
   blocks** (``block_hours`` long, from midnight, on each date) where one more productive agent
   raises the period's service level most per agent-hour, by the plan's expected measures
   (:func:`staffing.requirements.predicted_measures`), until the predicted rise is ``u``.
4. Repeat from 2 until every channel meets ``p_meet`` or ``max_rounds`` rounds ran. Agents are
   only added, never removed.

Channels of fixed and roster teams are measured and reported but not corrected (their staffing
is written in the file). The rise a block's agents bring is predicted, not simulated: the
simulation of the next round checks it.
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scenarios.errors import InputError
from sim.executors import executor
from sim.progress import SILENT, Progress
from sim.runner import ReplicationTask
from sla_eval.scenario_eval import scenario_kpi_table
from staffing import solve, team_rosters
from staffing.planning import StaffingPlan, plan_scenario
from staffing.requirements import predicted_measures
from staffing.roster import productive_agents

__all__ = ["ADDED_COLUMNS", "MARGIN", "ROUND_COLUMNS", "VerifiedPlan", "verify_plan"]

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

MARGIN = 0.002
"""Added to the needed rise of the service level (0.2 points), so that a round does not stop
just short of the target."""


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
    """Picklable: one replication's measurement-period service levels per checked channel."""

    def __init__(self, task: ReplicationTask, rosters, channels: tuple[str, ...], kind: str):
        self.task = task
        self.rosters = rosters
        self.channels = channels
        self.kind = kind

    def __call__(self, replication: int) -> dict[str, np.ndarray]:
        result = self.task.run(replication, self.rosters)
        kpis = scenario_kpi_table(self.task.scenario, result.contacts, period_kinds=(self.kind,))
        levels = kpis[kpis["kpi"] == "service_level"]
        return {
            name: levels.loc[levels["channel"] == name, "value"].to_numpy(np.float64)
            for name in self.channels
        }


def _simulate(task, rosters, channels, kind, replications, map_fn, progress) -> dict:
    """Per checked channel, the service level of every (replication, period) pair."""
    reduce = _Reduce(task, rosters, channels, kind)
    progress.start(replications, 1)
    results = []
    for value in map_fn(reduce, range(replications)):
        results.append(value)
        progress.replication()
    return {name: np.concatenate([r[name] for r in results]) for name in channels}


def _round_rows(round_index, levels, targets, p_meet, hours_added) -> list[dict]:
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


class _Gains:
    """The plan's predicted rise of answered-in-time contacts per agent-hour when a block of a
    channel gets one more productive agent."""

    def __init__(self, flow, method: str, agents: np.ndarray, interval_h: float):
        self.flow, self.method, self.agents, self.interval_h = flow, method, agents, interval_h

    def _in_time(self, rows: np.ndarray, extra: int) -> float:
        agents = self.agents.copy()
        agents[rows] += extra
        measures = predicted_measures(self.flow.demand, agents, self.method)
        return float(np.nansum(self.flow.demand.offered[rows] * measures["service_level"][rows]))

    def per_agent_hour(self, rows: np.ndarray, added: int) -> float:
        rise = self._in_time(rows, added + 1) - self._in_time(rows, added)
        return rise / (rows.size * self.interval_h)


def _add_agents(flow, method, agents, need_in_time, blocks_of, interval_h) -> dict[int, int]:
    """Greedy: one productive agent at a time to the block with the largest predicted rise of
    answered-in-time contacts per agent-hour, until ``need_in_time`` more are predicted."""
    is_open = flow.demand.is_open
    open_rows = {
        int(block): np.flatnonzero((blocks_of == block) & is_open)
        for block in np.unique(blocks_of[is_open])
    }
    gains = _Gains(flow, method, agents, interval_h)
    added: dict[int, int] = {}
    heap = [(-gains.per_agent_hour(rows, 0), block) for block, rows in open_rows.items()]
    heapq.heapify(heap)
    gained = 0.0
    while heap and gained < need_in_time:
        negative, block = heapq.heappop(heap)
        if -negative <= 0.0:
            break
        gained += -negative * open_rows[block].size * interval_h
        added[block] = added.get(block, 0) + 1
        heapq.heappush(heap, (-gains.per_agent_hour(open_rows[block], added[block]), block))
    return added


def _scheduled_for(productive_target: np.ndarray, scheduled: np.ndarray, shrinkage: float):
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
    if replications < 2:
        raise InputError(
            f"--replications must be at least 2 to estimate P(meet) (got {replications})"
        )
    kind = scenario.contract.measurement_period if scenario.contract else "month"
    checked = tuple(
        name
        for name, channel in scenario.channels.items()
        if channel.is_realtime and channel.service_target is not None
    )
    if not checked:
        raise InputError("--verify needs a realtime channel with a service_target")
    targets = {name: scenario.channels[name].service_target.target for name in checked}
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
            levels = _simulate(task, rosters, checked, kind, replications, map_fn, progress)
            hours = {name: float(added[name].sum() * interval_h) for name in checked}
            rows += _round_rows(round_index, levels, targets, p_meet, hours)
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
                rise = max(targets[name] - latest[name]["quantile_service_level"], 0.0)
                need = (rise + MARGIN) * float(flow.demand.offered.sum())
                for block, count in _add_agents(
                    flow, plan_team.method, agents, need, blocks_of, interval_h
                ).items():
                    added[name][(blocks_of == block) & flow.demand.is_open] += count
                rosters[team.name] = _corrected(base[team.name], team, added, scenario)
    return VerifiedPlan(
        plan=plan,
        rosters=rosters,
        added=_added_table(scenario, workload, base, rosters, added, team_of, block_hours),
        rounds=pd.DataFrame(rows, columns=list(ROUND_COLUMNS)),
        p_meet=p_meet,
        replications=replications,
        seed=int(seed),
        period_kind=kind,
        met=met,
    )


def _corrected(base: np.ndarray, team, added: dict[str, np.ndarray], scenario) -> np.ndarray:
    """A team's roster with the productive agents added to its checked channels."""
    shrinkage = scenario.partner.shrinkage
    wanted = productive_agents(base, shrinkage)
    for name in team.channels:
        if name in added:
            wanted = wanted + added[name]
    return _scheduled_for(wanted, base, shrinkage)


def _added_table(scenario, workload, base, rosters, added, team_of, block_hours) -> pd.DataFrame:
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
