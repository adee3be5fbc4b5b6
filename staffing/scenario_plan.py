"""The staffing plan of a scenario as tables: per channel and interval, per day, per team and
week, and tier 2.

Every number comes from the solved plan (:func:`staffing.fixed_point.solve`): the workload the
simulation will see (first contacts, repeats, redials), the staffing for it, the measures
expected over the day factor, the expected headcount of fixed teams.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from staffing.fixed_point import solve
from staffing.requirements import effective_calls_per_hour

if TYPE_CHECKING:
    from scenarios.channels import Channel
    from scenarios.demand import Workload
    from scenarios.partner import Team
    from scenarios.scenario import Scenario
    from staffing.fixed_point import WorkloadPlan
    from staffing.requirements import ChannelDemand

__all__ = [
    "COLUMNS",
    "SUMMARY_COLUMNS",
    "TIER2_COLUMNS",
    "WEEK_COLUMNS",
    "plan",
    "plan_by_day",
    "plan_by_week",
    "tier2_table",
]

COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "interval": "int64",
        "interval_start": "datetime64[ns]",
        "channel": "category",
        "team": "category",
        "kind": "category",
        "is_open": "bool",
        "calls_per_hour": "float64",
        "repeats_per_hour": "float64",
        "redials_per_hour": "float64",
        "aht_s": "float64",
        "offered_load_erlangs": "float64",
        "method": "category",
        "effective_load_erlangs": "float64",
        "day_cv": "float64",
        "criterion": "category",
        "required_agents": "Int64",
        "scheduled_agents": "int64",
        "productive_agents": "int64",
        "min_agents": "int64",
        "service_level": "float64",
        "asa_s": "float64",
        "p_abandon": "float64",
        "p_wait": "float64",
        "occupancy": "float64",
        "backlog_contacts": "float64",
        "escalations_per_hour": "float64",
        "headcount": "float64",
        "in_training": "float64",
        "hired": "float64",
        "left": "float64",
    }
)
"""Columns and dtypes of :func:`plan`."""

SUMMARY_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "date": "datetime64[ns]",
        "channel": "category",
        "team": "category",
        "contacts": "float64",
        "repeats": "float64",
        "redials": "float64",
        "required_agent_hours": "float64",
        "scheduled_agent_hours": "float64",
        "service_level": "float64",
        "p_abandon": "float64",
        "intervals_below_target": "int64",
        "intervals_below_min_agents": "int64",
    }
)
"""Columns and dtypes of :func:`plan_by_day`."""

WEEK_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "week_start": "datetime64[ns]",
        "days": "int64",
        "team": "category",
        "headcount": "float64",
        "in_training": "float64",
        "hired": "float64",
        "left": "float64",
        "scheduled_agent_hours": "float64",
        "training_hours": "float64",
        "paid_hours": "float64",
        "fte": "float64",
    }
)
"""Columns and dtypes of :func:`plan_by_week`."""

TIER2_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "interval": "int64",
        "interval_start": "datetime64[ns]",
        "is_open": "bool",
        "escalations_per_hour": "float64",
        "required_agents": "int64",
        "agents": "int64",
        "on_time": "float64",
    }
)
"""Columns and dtypes of :func:`tier2_table`."""


def _criterion(channel: Channel, demand: ChannelDemand) -> str:
    target = channel.service_target
    if target is None or demand.kind == "deferrable":
        return "none"
    if target.criterion == "confidence" and demand.day_cv > 0.0:
        return f"confidence {target.confidence:.4g}"
    return "expected"


def _team_frames(
    team: Team, scenario: Scenario, workload: Workload, solved: WorkloadPlan
) -> list[pd.DataFrame]:
    team_plan = solved.teams[team.name]
    n = workload.n_intervals
    per_hour = 3600.0 / workload.interval_s
    headcount = team_plan.headcount
    people = {
        name: (np.full(n, np.nan) if headcount is None else getattr(headcount, name))
        for name in ("headcount", "in_training", "hired", "left")
    }
    frames = []
    for name, need, agents in zip(
        team.channels, team_plan.required, team_plan.productive, strict=True
    ):
        flow = solved.channels[name]
        demand = flow.demand
        realtime = demand.kind == "realtime"
        open_ = demand.is_open if realtime else np.ones(n, dtype=bool)
        effective = (
            effective_calls_per_hour(demand, team_plan.method) * demand.aht_s / 3600.0
            if realtime
            else np.full(n, np.nan)
        )
        frames.append(
            pd.DataFrame(
                {
                    "interval": np.arange(n),
                    "channel": name,
                    "team": team.name,
                    "kind": demand.kind,
                    "is_open": demand.is_open,
                    "calls_per_hour": demand.calls_per_hour,
                    "repeats_per_hour": flow.repeats * open_ * per_hour,
                    "redials_per_hour": flow.redials * open_ * per_hour,
                    "aht_s": demand.aht_s,
                    "offered_load_erlangs": demand.calls_per_hour * demand.aht_s / 3600.0,
                    "method": team_plan.method,
                    "effective_load_erlangs": effective,
                    "day_cv": demand.day_cv,
                    "criterion": _criterion(scenario.channels[name], demand),
                    "required_agents": pd.array(need, dtype="Int64")
                    if need is not None
                    else pd.array([pd.NA] * n, dtype="Int64"),
                    "scheduled_agents": team_plan.scheduled,
                    "productive_agents": agents,
                    "min_agents": team.min_agents,
                    **flow.measures,
                    "backlog_contacts": flow.backlog,
                    "escalations_per_hour": flow.escalations * per_hour,
                    **people,
                }
            )
        )
    return frames


def _interval_starts(workload: Workload, intervals: np.ndarray | pd.Series) -> pd.Series:
    start = pd.Timestamp(workload.start)
    return start + pd.to_timedelta(np.asarray(workload.interval_start_s)[intervals], "s")


def plan(scenario: Scenario, workload: Workload) -> pd.DataFrame:
    """Per channel and interval: the offered workload, required, scheduled and productive
    agents, expected measures and the team's headcount. One row per channel and interval,
    channels in scenario order.

    ======================  ====================================================================
    interval                interval index from the horizon start
    interval_start          local wall-clock start
    channel, team, kind     the channel, the team serving it, realtime / deferrable
    is_open                 channel open (not closed hours, not a closed day)
    calls_per_hour          offered contacts per hour: first contacts, repeats and redials
                            (realtime: 0 while closed; :mod:`staffing.fixed_point`)
    repeats_per_hour        of which repeat contacts (unresolved contacts coming back)
    redials_per_hour        of which redials (abandoned callers trying again)
    aht_s                   mean handle time
    offered_load_erlangs    ``calls_per_hour · aht_s / 3600``
    method                  ``stationary``, ``lagged`` or ``modified_offered_load``: the team's
                            auto-staffing method, stationary for fixed and roster teams
    effective_load_erlangs  the load of ``method`` (:func:`staffing.effective_load`) for
                            which agents are required and measures predicted (NaN deferrable)
    day_cv                  CV of the day-level forecast error the measures are expected over
    criterion               ``expected`` or ``confidence <level>`` (realtime with a target;
                            :mod:`staffing.requirements`), else ``none``
    required_agents         productive agents meeting the channel's ``service_target`` by its
                            criterion (:func:`staffing.requirements.required_for_channel`);
                            NA without a target
    scheduled_agents        the team's agents on duty before shrinkage the plan expects (a fixed
                            team's shifts at its expected headcount); the same on every
                            channel of a blended team
    productive_agents       agents answering this channel (:mod:`staffing.team_staffing`)
    min_agents              the team's ``min_agents`` (productive, while a channel is open)
    service_level           expected over the day factor (days call-weighted) with
                            ``productive_agents`` at the effective load under the channel's
                            target; deferrable: share answered in time (fluid backlog)
    asa_s                   mean wait of answered contacts (realtime)
    p_abandon               abandonment probability (0 without patience and for deferrable)
    p_wait                  probability of waiting at all (realtime)
    occupancy               served load over capacity (realtime)
    backlog_contacts        deferrable: contacts waiting at the interval start; realtime NaN
    escalations_per_hour    contacts of the channel escalated to tier 2
    headcount, in_training  a fixed team's expected agents in production and in training at
                            the interval start (:mod:`staffing.headcount`); NaN otherwise
    hired, left             agents the team employs and loses in the interval (expected)
    ======================  ====================================================================

    Realtime measures are NaN while the channel is closed; ASA is ``inf`` when the agents
    cannot keep up on some days (Erlang C overload). Measures are steady-state formulas per
    interval: they do not carry queues across intervals (the simulation does).
    """
    solved = solve(scenario, workload)
    frames = []
    for team in scenario.partner.teams:
        frames.extend(_team_frames(team, scenario, workload, solved))
    order = {name: rank for rank, name in enumerate(scenario.channels)}
    frames.sort(key=lambda frame: order[frame["channel"].iloc[0]])
    table = pd.concat(frames, ignore_index=True)
    table.insert(1, "interval_start", _interval_starts(workload, table["interval"]))
    table = table[list(COLUMNS)].astype(dict(COLUMNS))
    for column in ("channel", "team", "kind", "method", "criterion"):
        table[column] = table[column].cat.reorder_categories(
            list(dict.fromkeys(table[column])), ordered=False
        )
    return table


def plan_by_day(table: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Per day and channel: offered contacts (and of them repeats and redials), required and
    scheduled agent hours, the day's expected service level and abandonment (interval values
    weighted by contacts), open intervals below target and below the team's ``min_agents``.

    ``scheduled_agent_hours`` of a blended team count the team's agents on each of its
    channels' rows. FTE are weekly (:func:`plan_by_week`).
    """
    hours = pd.Timedelta(scenario.horizon.interval, "s") / pd.Timedelta(1, "h")
    targets = {
        name: (channel.service_target.target if channel.service_target else np.nan)
        for name, channel in scenario.channels.items()
    }
    team_open = table.groupby(["team", "interval"], observed=True)["is_open"].transform("any")
    team_productive = table.groupby(["team", "interval"], observed=True)[
        "productive_agents"
    ].transform("sum")
    calls = table["calls_per_hour"]
    frame = table.assign(
        date=table["interval_start"].dt.normalize(),
        contacts=calls * hours,
        repeats=table["repeats_per_hour"] * hours,
        redials=table["redials_per_hour"] * hours,
        required_hours=table["required_agents"].astype("float64") * hours,
        scheduled_hours=table["scheduled_agents"] * hours,
        weighted_sl=table["service_level"] * calls,
        weight=np.where(table["service_level"].notna(), calls, 0.0),
        weighted_abandon=np.where(table["p_abandon"].notna(), table["p_abandon"] * calls, 0.0),
        abandon_weight=np.where(table["p_abandon"].notna(), calls, 0.0),
        below=(
            table["is_open"]
            & (table["service_level"] < table["channel"].map(targets).astype("float64"))
        ),
        below_min=team_open & (team_productive < table["min_agents"]),
    )
    grouped = frame.groupby(["date", "channel", "team"], observed=True, sort=False)
    summary = grouped.agg(
        contacts=("contacts", "sum"),
        repeats=("repeats", "sum"),
        redials=("redials", "sum"),
        required_agent_hours=("required_hours", lambda s: s.sum(min_count=1)),
        scheduled_agent_hours=("scheduled_hours", "sum"),
        weighted_sl=("weighted_sl", "sum"),
        weight=("weight", "sum"),
        weighted_abandon=("weighted_abandon", "sum"),
        abandon_weight=("abandon_weight", "sum"),
        intervals_below_target=("below", "sum"),
        intervals_below_min_agents=("below_min", "sum"),
    ).reset_index()
    with np.errstate(invalid="ignore", divide="ignore"):
        summary["service_level"] = summary["weighted_sl"] / summary["weight"]
        summary["p_abandon"] = summary["weighted_abandon"] / summary["abandon_weight"]
    return summary[list(SUMMARY_COLUMNS)].astype(dict(SUMMARY_COLUMNS))


def plan_by_week(table: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Per team and week (seven days from the horizon start; the last may be shorter):
    headcount and FTE.

    ``headcount`` is the expected headcount in production at the week's first interval,
    ``in_training`` its mean over the week, ``hired`` and ``left`` the week's expected flows
    (NaN for auto and roster teams, which have no headcount). ``paid_hours`` are the scheduled
    agent hours plus the trainees' contract hours (``in_training`` × ``partner.fte_hours_per_week``
    × days / 7); ``fte = paid_hours / fte_hours_per_week``, so a full-time agent working the
    contract week is one FTE. A shorter last week has no FTE (NaN): its days are not a week's
    mix of busy and quiet days.
    """
    contract_h = scenario.partner.fte_hours_per_week
    hours = pd.Timedelta(scenario.horizon.interval, "s") / pd.Timedelta(1, "h")
    team_rows = table.drop_duplicates(["team", "interval"])
    day = team_rows["interval_start"].dt.normalize()
    frame = team_rows.assign(
        week=(day - pd.Timestamp(scenario.horizon.start)).dt.days // 7,
        day=day,
        scheduled_hours=team_rows["scheduled_agents"] * hours,
    )
    grouped = frame.groupby(["week", "team"], observed=True, sort=True)
    weeks = grouped.agg(
        week_start=("day", "min"),
        days=("day", "nunique"),
        headcount=("headcount", "first"),
        in_training=("in_training", "mean"),
        hired=("hired", lambda s: s.sum(min_count=1)),
        left=("left", lambda s: s.sum(min_count=1)),
        scheduled_agent_hours=("scheduled_hours", "sum"),
    ).reset_index()
    share = weeks["days"] / 7.0
    weeks["training_hours"] = weeks["in_training"].fillna(0.0) * contract_h * share
    weeks["paid_hours"] = weeks["scheduled_agent_hours"] + weeks["training_hours"]
    weeks["fte"] = (weeks["paid_hours"] / contract_h).where(weeks["days"] == 7)
    order = {team.name: rank for rank, team in enumerate(scenario.partner.teams)}
    weeks["rank"] = weeks["team"].map(order)
    weeks = weeks.sort_values(["week", "rank"])
    return weeks[list(WEEK_COLUMNS)].astype(dict(WEEK_COLUMNS)).reset_index(drop=True)


def tier2_table(scenario: Scenario, workload: Workload) -> pd.DataFrame | None:
    """Tier 2 per interval (:data:`TIER2_COLUMNS`): escalations arriving per hour, the agents
    finishing every escalation within its response target (fluid), the agents on duty and the
    share of the interval's escalations finished in time; ``None`` without tier 2."""
    tier2 = solve(scenario, workload).tier2
    if tier2 is None:
        return None
    n = workload.n_intervals
    table = pd.DataFrame(
        {
            "interval": np.arange(n),
            "interval_start": _interval_starts(workload, np.arange(n)),
            "is_open": tier2.is_open,
            "escalations_per_hour": tier2.escalations * 3600.0 / workload.interval_s,
            "required_agents": tier2.required,
            "agents": tier2.agents,
            "on_time": tier2.on_time,
        }
    )
    return table.astype(dict(TIER2_COLUMNS))
