"""The interval KPI table folded into what a planner can read: a day x time-of-day grid, a
day-of-week profile, the worst intervals, and per-replication totals.

Every function reads the long KPI table (:data:`sla_eval.KPI_COLUMNS`) and returns plain
tables; the figures that draw them are in ``reports``. A channel's **service measure** in an
interval is ``service_level`` for a real-time channel and ``response_within_target_frac`` for a
deferrable one (each under the channel's own service target, as the KPI table names them
without suffix); an interval without contacts has no value and is left out of every mean.

* :func:`service_grid`: per day and time of day, the mean over replications,
  ``\\bar v_{d,t} = \\frac{1}{|R_{d,t}|} \\sum_{r \\in R_{d,t}} v_{r,d,t}``.
* :func:`weekday_profile`: per weekday and time of day, the mean over replications and weeks
  and the 5 % and 95 % quantiles of the values of those (replication, week) pairs (linear
  interpolation).
* :func:`worst_intervals`: the intervals whose mean service measure falls furthest below the
  channel's target, with the share of replications below it.
* :func:`busiest_week`: the Monday of the week whose required agents sum highest in a
  staffing plan (the week a staffing figure shows).
* :func:`replication_totals`: a money column of ``sla_eval.contract_totals`` summed over the
  periods of each replication.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = [
    "SERVICE_KPIS",
    "WORST_COLUMNS",
    "busiest_week",
    "replication_totals",
    "service_grid",
    "service_rows",
    "weekday_profile",
    "worst_intervals",
]

SERVICE_KPIS = ("service_level", "response_within_target_frac")
"""The KPI names of a channel's service measure (real-time, deferrable)."""
WORST_COLUMNS = (
    "channel",
    "interval_start",
    "mean",
    "target",
    "p_below",
    "offered",
)
"""Columns of :func:`worst_intervals`: ``mean`` of the service measure over replications,
``p_below`` the share of replications below ``target``, ``offered`` the mean offered
contacts."""


def service_rows(kpis: pd.DataFrame, channel: str) -> pd.DataFrame:
    """The interval rows of ``channel``'s service measure with a value (``replication``,
    ``period_start``, ``value``, ``kpi``); empty when the table has none."""
    rows = kpis[_interval_mask(kpis, channel) & kpis["kpi"].isin(SERVICE_KPIS)]
    rows = rows.dropna(subset=["value"])
    return rows.assign(kpi=rows["kpi"].astype(str))[["replication", "period_start", "value", "kpi"]]


def _interval_mask(kpis: pd.DataFrame, channel: str) -> pd.Series:
    """Interval rows of ``channel`` (compared on the categories, never cast to text: the
    table holds millions of interval rows)."""
    return (kpis["period_kind"] == "interval") & (kpis["channel"] == channel)


def service_grid(kpis: pd.DataFrame, channel: str) -> pd.DataFrame:
    """Mean service measure over replications, one row per day from the first to the last
    with a value (``datetime64`` midnight index; a closed day is a row of NaN) and one column
    per time of day (``datetime.time``); NaN where no interval had contacts."""
    rows = service_rows(kpis, channel)
    starts = rows["period_start"]
    means = rows.groupby([starts.dt.normalize().rename("day"), starts.dt.time.rename("time")])[
        "value"
    ].mean()
    grid = means.unstack("time").sort_index(axis=0).sort_index(axis=1)
    if grid.empty:
        return grid
    return grid.reindex(pd.date_range(grid.index[0], grid.index[-1], freq="D", name="day"))


def weekday_profile(kpis: pd.DataFrame, channel: str) -> pd.DataFrame:
    """Per weekday (0 = Monday) and time of day: ``mean``, ``q05``, ``q95`` of the service
    measure over replications and weeks, and ``n``, the values averaged."""
    rows = service_rows(kpis, channel)
    starts = rows["period_start"]
    keys = [starts.dt.day_of_week.rename("weekday"), starts.dt.time.rename("time")]
    grouped = rows.groupby(keys)["value"]
    table = pd.DataFrame(
        {
            "mean": grouped.mean(),
            "q05": grouped.quantile(0.05),
            "q95": grouped.quantile(0.95),
            "n": grouped.size(),
        }
    )
    return table.sort_index()


def worst_intervals(
    kpis: pd.DataFrame, targets: Mapping[str, float], count: int = 10
) -> pd.DataFrame:
    """The ``count`` intervals over all ``targets`` channels whose mean service measure is
    furthest below the channel's target (largest ``target - mean``), worst first; columns
    :data:`WORST_COLUMNS`. Intervals at or above their target are not listed."""
    found = []
    for channel, target in targets.items():
        rows = service_rows(kpis, channel)
        if rows.empty:
            continue
        below = rows.assign(below=(rows["value"] < target).astype("float64"))
        grouped = below.groupby("period_start")
        table = pd.DataFrame({"mean": grouped["value"].mean(), "p_below": grouped["below"].mean()})
        offered = kpis[_interval_mask(kpis, channel) & (kpis["kpi"] == "offered")]
        offered = offered.groupby("period_start")["value"]
        table = table.assign(
            channel=channel, target=float(target), offered=offered.mean().reindex(table.index)
        )
        found.append(table[table["mean"] < target].reset_index(names="interval_start"))
    if not found:
        return pd.DataFrame(columns=list(WORST_COLUMNS))
    every = pd.concat(found, ignore_index=True)
    every = every.assign(gap=every["target"] - every["mean"])
    worst = every.sort_values(["gap", "interval_start"], ascending=[False, True]).head(count)
    return worst[list(WORST_COLUMNS)].reset_index(drop=True)


def replication_totals(totals: pd.DataFrame, column: str) -> np.ndarray:
    """``column`` of ``sla_eval.contract_totals`` summed over the periods of each replication
    (float64, in replication order)."""
    summed = totals.groupby("replication", sort=True)[column].sum()
    return summed.to_numpy(np.float64)


def busiest_week(plan: pd.DataFrame) -> pd.Timestamp:
    """The Monday (midnight) starting the week with the largest sum of ``required_agents`` in
    a staffing plan (``staffing.PLAN_COLUMNS``; scheduled agents where nothing is required),
    the earliest of equals; the week is cut to the horizon by the caller."""
    times = pd.to_datetime(plan["interval_start"])
    weeks = (times.dt.normalize() - pd.to_timedelta(times.dt.day_of_week, unit="D")).rename("week")
    required = pd.to_numeric(plan["required_agents"], errors="coerce").astype("float64")
    weights = required.fillna(pd.to_numeric(plan["scheduled_agents"]).astype("float64"))
    sums = weights.groupby(weeks).sum()
    return pd.Timestamp(sums.idxmax())
