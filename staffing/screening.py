"""Analytic screening: which staffing factors are worth simulating, from the Erlang kernels.

Before any simulation, each service clause of the contract (``service_level`` on a real-time
channel, ``response_within_target`` on a deferrable one) is approximated over the horizon at a
fine grid of staffing factors ``f`` (the factor of :mod:`sim.levels`):

* productive agents per interval ``⌊rint(f · scheduled) · (1 − shrinkage)⌋`` of the channel's
  team; a blended team serves its channels in priority order, each channel getting the agents
  the expected work (arrivals × AHT / interval) of the earlier ones leaves;
* real-time: the interval service level of Erlang A (``staffing.erlang_metrics``, Garnett,
  Mandelbaum and Reiman 2002) or of the chat model (``staffing.chat_metrics``) with the clause's
  threshold and definition, weighted by the interval's expected first contacts;
* deferrable: the share answered within the threshold by a fluid backlog
  (``staffing.backlog_on_time``), weighted the same way.

Repeats, redials, forecast error, outages and shift effects are left out, so the screen is a
guide to the range, not an answer: the factor ``f_c`` where a clause's screened value first
reaches its target marks the staffing where breaches become unlikely. :func:`screened_range`
returns ``[0.9 · min f_c, max(1.1 · max f_c, 1)]``, which holds every clause's transition and the
scenario as written (``f = 1``).

The screen is shared: ``ccplan negotiate`` picks its levels with it, and the run report's
"what would change it" (:mod:`reports.what_if`) moves the simulated clause values by the
screen's change per measurement period (:func:`clause_interval_values`, :func:`channel_agents`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from scenarios.demand import Workload
from scenarios.errors import InputError
from scenarios.scenario import Scenario
from staffing.chat import chat_metrics
from staffing.deferrable import backlog_on_time
from staffing.erlang import erlang_metrics
from staffing.fixed_point import team_rosters
from staffing.roster import productive_agents, scaled_rosters

if TYPE_CHECKING:
    from scenarios.contract import Clause

__all__ = [
    "SCREENED_KPIS",
    "SCREEN_COLUMNS",
    "channel_agents",
    "clause_interval_values",
    "crossings",
    "screen_levels",
    "screened_range",
]

SCREEN_COLUMNS = ("factor", "clause", "channel", "kpi", "target", "value")
"""Columns of :func:`screen_levels`: ``value`` is the screened clause KPI over the horizon."""
SCREENED_KPIS = ("service_level", "response_within_target")
"""Clause KPIs the screen models."""
_GRID = np.round(np.arange(0.2, 2.5001, 0.01), 2)
_LOW_MARGIN = 0.9
_HIGH_MARGIN = 1.1


def _screened_clauses(scenario: Scenario) -> list:
    if scenario.contract is None:
        raise InputError(f"scenario {scenario.name!r} has no contract to negotiate")
    return [
        clause
        for clause in scenario.contract.clauses
        if clause.kpi in SCREENED_KPIS and clause.channel in scenario.channels
    ]


def channel_agents(
    scenario: Scenario, workload: Workload, rosters: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Productive agents per channel and interval (float64) of the teams' scheduled
    ``rosters``; a blended team serves its channels in priority order, each getting what the
    earlier ones' expected work leaves."""
    shrinkage = scenario.partner.shrinkage
    agents = {}
    for team in scenario.partner.teams:
        remaining = productive_agents(rosters[team.name], shrinkage).astype(np.float64)
        for name in team.channels:
            agents[name] = remaining
            load = workload.channels[name]
            busy = np.asarray(load.expected_arrivals) * np.asarray(load.aht_s) / workload.interval_s
            remaining = np.maximum(remaining - busy, 0.0)
    return agents


def clause_interval_values(
    scenario: Scenario, workload: Workload, clause: Clause, agents: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The screened value of a service clause (:data:`SCREENED_KPIS`) in each interval, and
    its weight (the interval's expected first contacts; 0 where the value is not defined:
    the value is NaN there).

    Parameters
    ----------
    clause:
        A ``service_level`` clause on a real-time channel or a ``response_within_target``
        clause on a deferrable one.
    agents:
        Productive agents of the clause's channel per interval (:func:`channel_agents`).
    """
    channel = scenario.channels[clause.channel]
    load = workload.channels[clause.channel]
    arrivals = np.asarray(load.expected_arrivals, np.float64)
    aht = np.asarray(load.aht_s, np.float64)
    values = np.full(arrivals.shape, np.nan)
    if clause.kpi == "response_within_target":
        on_time = backlog_on_time(
            arrivals,
            aht,
            np.asarray(load.is_open),
            agents,
            interval_s=workload.interval_s,
            response_s=clause.threshold_s,
            business_hours=clause.business_hours,
        )
        known = ~np.isnan(on_time) & (arrivals > 0)
        values[known] = on_time[known]
        return values, np.where(known, arrivals, 0.0)
    open_ = np.asarray(load.is_open) & (arrivals > 0)
    per_hour = arrivals[open_] * 3600.0 / workload.interval_s
    patience = np.asarray(load.patience_s, np.float64)[open_]
    settings: dict[str, Any] = {  # keyword arguments of erlang_metrics and chat_metrics
        "threshold_s": clause.threshold,
        "patience_s": None if np.isnan(patience).any() else patience,
        "sl_definition": clause.sl_definition,
        "short_abandon_s": clause.short_abandon,
    }
    whole = np.floor(agents[open_])
    # as staffing.requirements: the chat model only for more than one chat at a time
    if channel.concurrency is not None and len(channel.concurrency.speeds) > 1:
        measures = chat_metrics(
            per_hour,
            aht[open_],
            whole,
            speed_by_chats=channel.concurrency.speeds,
            **settings,
        )
    else:
        measures = erlang_metrics(per_hour, aht[open_], whole, **settings)
    values[open_] = measures["service_level"].to_numpy()
    return values, np.where(open_, arrivals, 0.0)


def _clause_value(
    scenario: Scenario, workload: Workload, clause: Clause, agents: np.ndarray
) -> float:
    values, weights = clause_interval_values(scenario, workload, clause, agents)
    known = weights > 0
    return float(np.sum(weights[known] * values[known]) / np.sum(weights[known]))


def screen_levels(
    scenario: Scenario, workload: Workload, factors: np.ndarray | None = None
) -> pd.DataFrame:
    """Screened value of every service clause at each factor (default a grid 0.2 .. 2.5 by
    0.01); columns :data:`SCREEN_COLUMNS`.

    Raises
    ------
    InputError
        When the scenario has no contract.
    """
    clauses = _screened_clauses(scenario)
    base = team_rosters(scenario, workload)
    rows = []
    for factor in _GRID if factors is None else factors:
        agents = channel_agents(scenario, workload, scaled_rosters(base, float(factor)))
        for clause in clauses:
            value = _clause_value(scenario, workload, clause, agents[clause.channel])
            rows.append(
                (float(factor), clause.id, clause.channel, clause.kpi, clause.target, value)
            )
    return pd.DataFrame(rows, columns=list(SCREEN_COLUMNS))


def crossings(screen: pd.DataFrame) -> dict[str, float | None]:
    """Per clause of :func:`screen_levels`, the smallest factor whose screened value reaches
    the target (None when no factor of the screen does)."""
    found = {}
    for clause, rows in screen.groupby("clause", sort=False):
        met = rows[rows["value"] >= rows["target"]]
        found[str(clause)] = None if met.empty else float(met["factor"].min())
    return found


def screened_range(screen: pd.DataFrame) -> tuple[float, float]:
    """``(low, high)`` factors worth simulating from :func:`screen_levels` (module docstring).

    A clause never met on the screen counts with its largest factor; without screened clauses
    the range is ``(0.8, 1.2)``.
    """
    if screen.empty:
        return (0.8, 1.2)
    largest = float(screen["factor"].max())
    found = [largest if value is None else value for value in crossings(screen).values()]
    low = round(_LOW_MARGIN * min(found), 2)
    high = round(max(_HIGH_MARGIN * max(found), 1.0), 2)
    return (low, high)
