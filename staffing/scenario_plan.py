"""The staffing plan of a scenario: per channel and interval, required and scheduled agents and
the predicted service level, ASA, abandonment and occupancy."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from staffing.requirements import ChannelDemand, effective_calls_per_hour, predicted_measures
from staffing.roster import (
    auto_schedule,
    fte,
    productive_agents,
    team_requirements,
    team_roster,
)

if TYPE_CHECKING:
    from scenarios.demand import Workload
    from scenarios.partner import Team
    from scenarios.scenario import Scenario

__all__ = ["COLUMNS", "SUMMARY_COLUMNS", "plan", "plan_by_day"]

COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "interval": "int64",
        "interval_start": "datetime64[ns]",
        "channel": "category",
        "team": "category",
        "kind": "category",
        "is_open": "bool",
        "calls_per_hour": "float64",
        "aht_s": "float64",
        "offered_load_erlangs": "float64",
        "method": "category",
        "effective_load_erlangs": "float64",
        "required_agents": "Int64",
        "scheduled_agents": "int64",
        "productive_agents": "int64",
        "service_level": "float64",
        "asa_s": "float64",
        "p_abandon": "float64",
        "occupancy": "float64",
    }
)
"""Columns and dtypes of :func:`plan`."""

SUMMARY_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "date": "datetime64[ns]",
        "channel": "category",
        "team": "category",
        "contacts": "float64",
        "required_agent_hours": "float64",
        "scheduled_agent_hours": "float64",
        "scheduled_fte": "float64",
        "service_level": "float64",
        "intervals_below_target": "int64",
    }
)
"""Columns and dtypes of :func:`plan_by_day`."""


def _allocate(
    productive: np.ndarray, required: list[np.ndarray | None], demands: list[ChannelDemand]
) -> list[np.ndarray]:
    """Split a blended team's productive agents over its channels.

    In priority order each channel gets up to its requirement. Agents left over work the
    deferrable backlogs, split in proportion to each deferrable channel's workload
    (contacts × AHT) of the interval, whole agents, the rounding remainder to the first; a team
    without deferrable channels (or without deferrable work in the interval) leaves them on its
    first channel.
    """
    remaining = productive.copy()
    shares = []
    for need in required:
        share = remaining if need is None else np.minimum(remaining, need)
        shares.append(share)
        remaining = remaining - share
    backlog = [i for i, demand in enumerate(demands) if demand.kind == "deferrable"]
    if backlog:
        work = np.array([demands[i].offered * demands[i].aht_s for i in backlog])
        total = work.sum(axis=0)
        weight = np.divide(work, total, out=np.zeros_like(work), where=total > 0)
        extra = np.floor(weight * remaining).astype(np.int64)
        extra[0] += remaining - extra.sum(axis=0)
        for row, i in enumerate(backlog):
            shares[i] = shares[i] + extra[row]
    else:
        shares[0] = shares[0] + remaining
    return shares


def _team_frames(
    index: int, team: Team, scenario: Scenario, workload: Workload
) -> list[pd.DataFrame]:
    demands, required, method = team_requirements(team, scenario, workload)
    shrinkage = scenario.partner.shrinkage
    if team.staffing.mode == "auto":
        schedule = auto_schedule(team, required, shrinkage)
        scheduled = sum(schedule)
        productive = [productive_agents(agents, shrinkage) for agents in schedule]
    else:
        scheduled = team_roster(index, team, scenario, workload)
        productive = _allocate(productive_agents(scheduled, shrinkage), required, demands)
    frames = []
    for demand, need, agents in zip(demands, required, productive, strict=True):
        measures = predicted_measures(demand, agents, method)
        effective = (
            effective_calls_per_hour(demand, method) * demand.aht_s / 3600.0
            if demand.kind == "realtime"
            else np.full(workload.n_intervals, np.nan)
        )
        frames.append(
            pd.DataFrame(
                {
                    "interval": np.arange(workload.n_intervals),
                    "channel": demand.name,
                    "team": team.name,
                    "kind": demand.kind,
                    "is_open": demand.is_open,
                    "calls_per_hour": demand.calls_per_hour,
                    "aht_s": demand.aht_s,
                    "offered_load_erlangs": demand.calls_per_hour * demand.aht_s / 3600.0,
                    "method": method,
                    "effective_load_erlangs": effective,
                    "required_agents": pd.array(need, dtype="Int64")
                    if need is not None
                    else pd.array([pd.NA] * workload.n_intervals, dtype="Int64"),
                    "scheduled_agents": scheduled,
                    "productive_agents": agents,
                    **measures,
                }
            )
        )
    return frames


def plan(scenario: Scenario, workload: Workload) -> pd.DataFrame:
    """Per channel and interval: team, required, scheduled and productive agents, predicted
    measures. One row per channel and interval, channels in scenario order.

    ======================  ====================================================================
    interval                interval index from the horizon start
    interval_start          local wall-clock start
    channel, team, kind     the channel, the team serving it, realtime / deferrable
    is_open                 channel open (not closed hours, not a closed day)
    calls_per_hour          offered contacts per hour (realtime: 0 while closed)
    aht_s                   mean handle time
    offered_load_erlangs    ``calls_per_hour · aht_s / 3600``
    method                  ``stationary``, ``lagged`` or ``modified_offered_load``: the team's
                            auto-staffing method, stationary for fixed and roster teams
    effective_load_erlangs  the load of ``method`` (:func:`staffing.effective_load`) for
                            which agents are required and measures predicted (NaN deferrable)
    required_agents         productive agents meeting the channel's ``service_target``
                            (:func:`staffing.requirements.required_for_channel`, with the team's
                            ``method`` in auto mode, stationary otherwise); NA without a target
    scheduled_agents        the team's agents on duty before shrinkage
                            (:func:`staffing.team_rosters`); the same on every channel of a
                            blended team
    productive_agents       agents answering this channel: ``⌊scheduled·(1 − shrinkage)⌋`` per
                            channel in auto mode; for fixed and roster teams the team's
                            productive agents split over its channels in priority order, each up
                            to its requirement, the rest to the deferrable backlogs by workload
                            (else to the first channel)
    service_level           predicted with ``productive_agents`` at the effective load under the
                            channel's target (threshold, SL definition); deferrable: share
                            answered in time
    asa_s                   mean wait of answered contacts (realtime)
    p_abandon               abandonment probability (0 without patience and for deferrable)
    occupancy               served load over capacity (realtime)
    ======================  ====================================================================

    Realtime measures are NaN while the channel is closed; ASA is ``inf`` when the agents
    cannot keep up (Erlang C overload). The measures are the steady-state formulas per
    interval: they do not carry queues across intervals, forecast error, repeats or redials;
    the simulation does.
    """
    frames = []
    for index, team in enumerate(scenario.partner.teams):
        frames.extend(_team_frames(index, team, scenario, workload))
    order = {name: rank for rank, name in enumerate(scenario.channels)}
    frames.sort(key=lambda frame: order[frame["channel"].iloc[0]])
    table = pd.concat(frames, ignore_index=True)
    start = pd.Timestamp(workload.start)
    table.insert(
        1,
        "interval_start",
        start + pd.to_timedelta(np.asarray(workload.interval_start_s)[table["interval"]], "s"),
    )
    table = table.astype(dict(COLUMNS))
    for column in ("channel", "team", "kind", "method"):
        table[column] = table[column].cat.reorder_categories(
            list(dict.fromkeys(table[column])), ordered=False
        )
    return table


def plan_by_day(table: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Per day and channel: contacts, required and scheduled agent hours, FTE, the day's
    service level (interval values weighted by contacts) and open intervals below target.

    ``scheduled_agent_hours`` of a blended team count the team's agents on each of its
    channels' rows; ``scheduled_fte`` converts them with the partner's ``fte_hours_per_month``.
    """
    hours = pd.Timedelta(scenario.horizon.interval, "s") / pd.Timedelta(1, "h")
    targets = {
        name: (channel.service_target.target if channel.service_target else np.nan)
        for name, channel in scenario.channels.items()
    }
    frame = table.assign(
        date=table["interval_start"].dt.normalize(),
        contacts=table["calls_per_hour"] * hours,
        required_hours=table["required_agents"].astype("float64") * hours,
        scheduled_hours=table["scheduled_agents"] * hours,
        weighted_sl=table["service_level"] * table["calls_per_hour"],
        weight=np.where(table["service_level"].notna(), table["calls_per_hour"], 0.0),
        below=(
            table["is_open"]
            & (table["service_level"] < table["channel"].map(targets).astype("float64"))
        ),
    )
    grouped = frame.groupby(["date", "channel", "team"], observed=True, sort=False)
    summary = grouped.agg(
        contacts=("contacts", "sum"),
        required_agent_hours=("required_hours", lambda s: s.sum(min_count=1)),
        scheduled_agent_hours=("scheduled_hours", "sum"),
        weighted_sl=("weighted_sl", "sum"),
        weight=("weight", "sum"),
        intervals_below_target=("below", "sum"),
    ).reset_index()
    summary["scheduled_fte"] = fte(
        summary["scheduled_agent_hours"].to_numpy(), 1.0, scenario.partner.fte_hours_per_month
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        summary["service_level"] = summary["weighted_sl"] / summary["weight"]
    return summary[list(SUMMARY_COLUMNS)].astype(dict(SUMMARY_COLUMNS))
