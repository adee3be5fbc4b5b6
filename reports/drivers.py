"""What drives a run's contract risk: the clause, its periods and days, and the reasons the
model can name for them.

:func:`risk_driver` picks the **driving clause**: the one with the largest expected penalty
(after caps), else, when no clause takes money, the one with the largest P(breach); none when
no clause breached in any replication. For that clause it finds

* the measurement periods that breach (``summary.json``'s per-period P(breach));
* the **days** that pull the clause's KPI below its target most: per replication and day, the
  shortfall below the target (in the clause's units) times the day's volume (offered contacts;
  answered ones for KPIs of the answered; one for uptime), averaged over replications; the
  days listed carry at least :data:`DAY_SHARE` of the whole shortfall together (at most
  :data:`MAX_DAYS`);
* the **week** whose P(miss) (:func:`sla_eval.period_risk.clause_period_risk`) is highest;
* the **reasons** for each day, read from the scenario and the plan, never assumed
  (:func:`day_reasons`): a day the channel is closed, the backlog of a closed day before it
  (deferrable channels), a peak, a launch (its day, volume factor, handle time and FCR
  effects), a forecast bias, a scheduled outage, random outages seen in the simulation, the
  plan's productive agents below its own requirement, hires not yet taking contacts, the
  busiest weekday. A day with none of them is "random variation".

Uptime clauses are driven by the outage model; their reason names it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sla_eval.contract import clause_kpi

if TYPE_CHECKING:
    from scenarios.contract import Clause
    from scenarios.demand import Workload
    from scenarios.scenario import Scenario

__all__ = ["DAY_SHARE", "MAX_DAYS", "DayCause", "RiskDriver", "day_reasons", "risk_driver"]

DAY_SHARE = 0.6
"""The days listed carry at least this share of a clause's shortfall."""
MAX_DAYS = 3
"""At most this many days are listed."""
_BACKLOG_DAYS = 7
_ANSWERED_KPIS = frozenset({"asa", "fcr", "escalation_rate", "csat", "csat_top_box"})
_ANSWERED_KPIS |= {"csat_negative", "aht", "complaint_rate"}
_TIME_KPIS = frozenset({"uptime", "staff_availability"})
_OUTAGE_SHARE = 0.005


@dataclass(frozen=True)
class DayCause:
    """One day that pulls the driving clause down.

    Attributes
    ----------
    day:
        The date.
    value:
        The clause's KPI that day, mean over the replications with a value.
    share:
        The day's share of the clause's shortfall over the horizon.
    reasons:
        What the model can name about the day (:func:`day_reasons`).
    """

    day: dt.date
    value: float
    share: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RiskDriver:
    """The clause that drives a run's contract risk (module docstring).

    Attributes
    ----------
    clause:
        Its ``scenarios.contract.Clause``.
    p_breach, p_breach_ci95:
        Its P(breach) over replications and the Wilson 95 % interval.
    expected_penalty_eur, total_penalty_eur:
        Its expected penalty and that of every clause together.
    periods:
        ``(period_start, p_breach)`` of its measurement periods with a breach, riskiest first.
    days:
        The days that pull it down most, largest share first.
    week:
        ``(week_start, p_miss, low, high, n)`` of its riskiest week (``n``: the replications
        its P(miss) is measured on), or None without weekly rows.
    general:
        Reasons not tied to a day (the outage model of an uptime clause).
    """

    clause: Clause
    p_breach: float
    p_breach_ci95: tuple[float, float]
    expected_penalty_eur: float
    total_penalty_eur: float
    periods: tuple[tuple[pd.Timestamp, float], ...]
    days: tuple[DayCause, ...]
    week: tuple[pd.Timestamp, float, float, float, int] | None
    general: tuple[str, ...]


def day_text(day: dt.date | pd.Timestamp) -> str:
    """``Tue 30 Mar``."""
    return f"{day:%a %d %b}"


def _driving_clause(summary: Mapping[str, Any]) -> str | None:
    clauses = summary["contract"]["clauses"]
    breached = {
        key: entry
        for key, entry in clauses.items()
        if entry.get("p_breach") is not None and entry["p_breach"] > 0
    }
    if not breached:
        return None
    return max(
        breached,
        key=lambda key: (breached[key]["expected_penalty_eur"] or 0.0, breached[key]["p_breach"]),
    )


def _weights(kpis: pd.DataFrame, clause: Clause) -> pd.DataFrame | None:
    """Per replication and day, the volume a day's shortfall is weighted with."""
    if clause.kpi in _TIME_KPIS:
        return None
    name = "answered" if clause.kpi in _ANSWERED_KPIS else "offered"
    rows = kpis[(kpis["channel"] == clause.channel) & (kpis["kpi"] == name)]
    return rows.set_index(["replication", "period"])["value"]


def _day_shortfall(kpis: pd.DataFrame, clause: Clause) -> pd.DataFrame:
    """Per day: ``value`` (mean over replications) and ``shortfall`` (mean over replications
    of the volume-weighted shortfall below the target)."""
    days = kpis[kpis["period_kind"] == "day"]
    days = days.assign(channel=days["channel"].astype(str), kpi=days["kpi"].astype(str))
    own = days[(days["channel"] == clause.channel) & (days["kpi"] == clause_kpi(clause))]
    own = own.dropna(subset=["value"]).set_index(["replication", "period"])
    short = np.maximum(clause.shortfall_units(own["value"].to_numpy(np.float64)), 0.0)
    weights = _weights(days, clause)
    weight = 1.0 if weights is None else weights.reindex(own.index).fillna(0.0).to_numpy()
    own = own.assign(shortfall=short * weight)
    replications = max(int(kpis["replication"].nunique()), 1)
    grouped = own.groupby(["period", "period_start"], sort=True)
    table = pd.DataFrame(
        {"value": grouped["value"].mean(), "shortfall": grouped["shortfall"].sum() / replications}
    )
    return table.reset_index()


def _closed_days(workload: Workload, channel: str) -> np.ndarray:
    """Whether the channel is closed all day, per day of the horizon."""
    is_open = np.asarray(workload.channels[channel].is_open, bool)
    opened = is_open.reshape(workload.n_days, workload.intervals_per_day).any(axis=1)
    return np.logical_not(opened)


def _backlog_reason(
    scenario: Scenario, workload: Workload, channel: str, index: int, bad: np.ndarray
) -> str | None:
    """The closed day whose backlog reaches day ``index`` through days that all missed."""
    closed = _closed_days(workload, channel)
    for back in range(1, _BACKLOG_DAYS + 1):
        earlier = index - back
        if earlier < 0:
            return None
        if closed[earlier]:
            when = scenario.horizon.start + dt.timedelta(days=earlier)
            return f"the backlog of the closed {day_text(when)}"
        if not bad[earlier]:
            return None
    return None


def _event_reasons(scenario: Scenario, channel: str, day: dt.date) -> list[str]:
    reasons = []
    events = scenario.events
    for peak in events.peaks:
        if (peak.channels is None or channel in peak.channels) and peak.start <= day <= peak.end:
            reasons.append(f"peak {peak.name} (volume x{peak.multiplier:g})")
    for launch in events.launches:
        since = (day - launch.date).days
        if (launch.channels is not None and channel not in launch.channels) or since < 0:
            continue
        volume = float(launch.volume_factor(since))
        learn = float(launch.learn(since))
        if volume < 1.05 and learn <= 0:
            continue
        effects = [f"volume x{volume:.2f}"]
        if learn > 0 and launch.aht_uplift > 0:
            effects.append(f"handle time +{launch.aht_uplift * learn:.0%}")
        if learn > 0 and launch.fcr_drop > 0:
            effects.append(f"FCR -{100 * launch.fcr_drop * learn:.0f} points")
        share = "" if launch.share_of_contacts == 1 else f" on {launch.share_of_contacts:.0%}"
        reasons.append(f"launch {launch.name}, day {since + 1} ({', '.join(effects)}{share})")
    factor = 1.0
    for bias in events.forecast_bias:
        covers = (bias.start is None or bias.start <= day) and (bias.end is None or day <= bias.end)
        if covers and (bias.channels is None or channel in bias.channels):
            factor *= bias.factor
    if factor != 1.0:
        reasons.append(f"demand {factor - 1:+.0%} against the forecast (forecast_bias)")
    for outage in scenario.outages.scheduled:
        if outage.channels is not None and channel not in outage.channels:
            continue
        if outage.start.date() <= day <= outage.end.date():
            reasons.append(f"scheduled outage {outage.start:%H:%M}-{outage.end:%H:%M}")
    return reasons


def _staffing_reasons(scenario: Scenario, plan: pd.DataFrame, channel: str, day: dt.date) -> list:
    reasons = []
    rows = plan[
        (plan["channel"].astype(str) == channel)
        & (plan["interval_start"].dt.date == day)
        & plan["is_open"].astype(bool)
    ]
    required = rows["required_agents"].astype("float64")
    known = required.notna()
    below = int((rows.loc[known, "productive_agents"] < required[known]).sum())
    if below:
        reasons.append(
            f"the plan's productive agents below its requirement in {below} of "
            f"{int(known.sum())} open intervals"
        )
    team = scenario.team_of(channel)
    hiring = getattr(team, "hiring", None)
    if hiring is not None and hiring.per_week > 0:
        first = hiring.start + dt.timedelta(weeks=hiring.weeks_to_production)
        if day < first and scenario.horizon.contains(first):
            reasons.append(f"team {team.name}'s hires take contacts from {day_text(first)}")
    return reasons


def _weekday_reason(scenario: Scenario, channel: str, day: dt.date) -> list[str]:
    weights = scenario.channels[channel].weekday_weights
    own = weights[day.weekday()]
    if own == max(weights) and own > min(weights):
        return [f"{day:%A}, the channel's busiest weekday (weight {own:g})"]
    return []


def day_reasons(
    scenario: Scenario,
    workload: Workload,
    plan: pd.DataFrame,
    kpis: pd.DataFrame,
    channel: str,
    day: dt.date,
    bad: np.ndarray | None = None,
) -> tuple[str, ...]:
    """What the model can name about ``day`` on ``channel`` (module docstring), in order:
    closed, backlog, events, outages seen, staffing, weekday; ``("random variation",)`` when
    none applies.

    Parameters
    ----------
    plan:
        The staffing plan (``staffing.plan``).
    kpis:
        The long KPI table with day rows (for the random outages seen).
    bad:
        Per day of the horizon, whether the clause missed that day on average (a backlog is
        traced back through such days only); None: only the day before.
    """
    index = (day - scenario.horizon.start).days
    reasons = []
    if _closed_days(workload, channel)[index]:
        why = (
            "a closed day of the horizon (horizon.closed_days)"
            if day in scenario.horizon.closed_days
            else "the channel's hours close it all day"
        )
        reasons.append(f"{why}: contacts wait for the next open day")
    elif workload.channels[channel].kind == "deferrable":
        run = np.zeros(workload.n_days, bool) if bad is None else bad
        backlog = _backlog_reason(scenario, workload, channel, index, run)
        if backlog is not None:
            reasons.append(backlog)
    reasons += _event_reasons(scenario, channel, day)
    uptime = kpis[
        (kpis["period_kind"] == "day")
        & (kpis["period"] == index)
        & (kpis["channel"].astype(str) == channel)
        & (kpis["kpi"].astype(str) == "uptime_frac")
    ]["value"]
    down = 1.0 - float(uptime.mean()) if len(uptime) else 0.0
    if down > _OUTAGE_SHARE and not any(reason.startswith("scheduled") for reason in reasons):
        hit = float((uptime < 1.0).mean())
        reasons.append(
            f"random outages ({hit:.0%} of replications lose time, {down:.1%} on average)"
        )
    reasons += _staffing_reasons(scenario, plan, channel, day)
    reasons += _weekday_reason(scenario, channel, day)
    return tuple(reasons) or ("random variation: no event of the scenario falls on it",)


def _outage_model(scenario: Scenario, channel: str) -> tuple[str, ...]:
    texts = []
    for outage in scenario.outages.random:
        names = ", ".join(outage.channels) if outage.channels is not None else "every channel"
        texts.append(
            f"random outages of {names} (one every {outage.mtbf / 86400:g} days on average, "
            f"{outage.mttr / 3600:g} h to repair)"
        )
    scheduled = [
        outage
        for outage in scenario.outages.scheduled
        if outage.channels is None or channel == "all" or channel in outage.channels
    ]
    if scheduled:
        texts.append(f"{len(scheduled)} scheduled outage(s)")
    return tuple(texts) or ("no outage is modelled",)


def _days(
    scenario: Scenario, workload: Workload, plan: pd.DataFrame, kpis: pd.DataFrame, clause: Clause
) -> tuple[DayCause, ...]:
    table = _day_shortfall(kpis, clause)
    total = float(table["shortfall"].sum())
    if total <= 0 or clause.channel not in scenario.channels:
        return ()
    bad = np.zeros(workload.n_days, bool)
    bad[table.loc[table["shortfall"] > 0, "period"].to_numpy(np.int64)] = True
    found: list[DayCause] = []
    covered = 0.0
    for row in table.sort_values("shortfall", ascending=False).itertuples(index=False):
        if row.shortfall <= 0 or len(found) >= MAX_DAYS or covered >= DAY_SHARE:
            break
        day = pd.Timestamp(row.period_start).date()
        reasons = day_reasons(scenario, workload, plan, kpis, clause.channel, day, bad)
        share = float(row.shortfall) / total
        found.append(DayCause(day, float(row.value), share, reasons))
        covered += share
    return tuple(found)


def risk_driver(
    scenario: Scenario,
    workload: Workload,
    plan: pd.DataFrame,
    kpis: pd.DataFrame,
    summary: Mapping[str, Any],
    weekly: pd.DataFrame,
) -> RiskDriver | None:
    """The clause that drives the contract risk of a run, or None without a contract or
    without any breach (module docstring).

    Parameters
    ----------
    plan:
        The staffing plan (``staffing.plan``).
    kpis:
        The long KPI table (day rows are read).
    summary:
        The run's ``summary.json``.
    weekly:
        :func:`sla_eval.period_risk.clause_period_risk` over weeks.
    """
    contract = scenario.contract
    if contract is None or summary.get("contract") is None:
        return None
    chosen = _driving_clause(summary)
    if chosen is None:
        return None
    clause = next(clause for clause in contract.clauses if clause.id == chosen)
    entry = summary["contract"]["clauses"][chosen]
    periods = sorted(
        (
            (pd.Timestamp(period["period_start"]), float(period["p_breach"]))
            for period in entry["periods"]
            if period.get("p_breach")
        ),
        key=lambda item: -item[1],
    )
    own = weekly[weekly["clause"] == chosen]
    week = None
    if not own.empty:
        worst = own.sort_values(["p_miss", "mean"], ascending=[False, True]).iloc[0]
        week = (
            pd.Timestamp(worst["period_start"]),
            float(worst["p_miss"]),
            float(worst["p_miss_ci95_low"]),
            float(worst["p_miss_ci95_high"]),
            int(worst["n"]),
        )
    uptime = clause.kpi == "uptime"
    days = () if uptime else _days(scenario, workload, plan, kpis, clause)
    low, high = entry["p_breach_ci95"]
    return RiskDriver(
        clause=clause,
        p_breach=float(entry["p_breach"]),
        p_breach_ci95=(float(low), float(high)),
        expected_penalty_eur=float(entry["expected_penalty_eur"] or 0.0),
        total_penalty_eur=float(summary["contract"]["expected_penalty_eur"] or 0.0),
        periods=tuple(periods),
        days=days,
        week=week,
        general=_outage_model(scenario, clause.channel) if uptime else (),
    )
