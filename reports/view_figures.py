"""The views of a run a planner reads at report width: the service heatmap, the day-of-week
service profile, the weekly clause risk, P(breach) per clause and the histogram of the net
credit.

Each function draws tables computed in ``sla_eval`` (:mod:`sla_eval.interval_views`,
:mod:`sla_eval.period_risk`) and returns a :class:`matplotlib.figure.Figure` in the style of
:mod:`reports.figure_style`.

=======================  ====================================================================
figure (file stem)       what it shows
=======================  ====================================================================
``sl_heatmap``           per channel, the service measure per day (rows) and time of day
                         (columns), mean over replications, with the target as a contour
``interval_sl``          per channel, the service measure per weekday and time of day: mean
                         over replications and weeks, 5-95 % band, target
``weekly_risk``          per clause with a missed week, the KPI per week (mean, 95 % interval,
                         target) and the share of replications whose week misses the target
                         (Wilson interval)
``p_breach``             P(breach) of every clause with its Wilson 95 % interval
``net_credit_hist``      histogram over replications of the net credit over the horizon
``staffing_risk``        P(breach) of the screened clauses against the staffing factor
                         (:mod:`reports.what_if`), beside the partner's labour cost; drawn
                         by ``report.html`` from its answer
=======================  ====================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from reports.figure_style import COLORS, LIMIT_LINE, TARGET_LINE, new_figure, styled
from scenarios.contract import FRACTION_KPIS

if TYPE_CHECKING:
    from scenarios.contract import Contract

__all__ = [
    "net_credit_histogram_figure",
    "p_breach_figure",
    "service_heatmap_figure",
    "staffing_risk_figure",
    "weekday_service_figure",
    "weekly_risk_figure",
]

_MAIN = COLORS[0]
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_HOURS_PER_WEEK = 7 * 24


def _hours(times: pd.Index) -> np.ndarray:
    return np.array([time.hour + time.minute / 60 for time in times], np.float64)


@styled
def service_heatmap_figure(grids: Mapping[str, tuple[pd.DataFrame, float]]) -> Figure:
    """Per channel, ``grid`` (:func:`sla_eval.interval_views.service_grid`: days x times of
    day) as a heatmap from 0 to 100 %, with the channel's ``target`` as a black contour.

    Parameters
    ----------
    grids:
        Channel -> ``(grid, target)``, in drawing order.
    """
    heights = [max(1.6, 0.12 * len(grid) + 0.9) for grid, _ in grids.values()]
    figure = new_figure(sum(heights) + 0.4)
    axes = figure.subplots(len(grids), 1, squeeze=False, height_ratios=heights)[:, 0]
    image = None
    for axis, (channel, (grid, target)) in zip(axes, grids.items(), strict=True):
        values = np.ma.masked_invalid(grid.to_numpy(np.float64))
        hours = _hours(grid.columns)
        step = float(np.diff(hours).min()) if len(hours) > 1 else 1.0
        extent = (hours[0], hours[-1] + step, len(grid) - 0.5, -0.5)
        image = axis.imshow(
            values, aspect="auto", cmap="RdYlBu", vmin=0.0, vmax=1.0, extent=extent,
            interpolation="nearest",
        )  # fmt: skip
        drawable = min(values.shape) >= 2 and values.count()
        if drawable and values.min() < target < values.max():
            axis.contour(
                hours + step / 2, np.arange(len(grid)), values, levels=[target],
                colors="black", linewidths=1.2,
            )  # fmt: skip
        labels = [f"{day:%a %d %b}" for day in grid.index]
        every = max(1, len(labels) // 16)
        axis.set_yticks(np.arange(len(labels))[::every], labels[::every])
        axis.set_xticks(np.arange(0, 25, 3))
        axis.set_xlim(0, 24)
        axis.set_title(f"{channel}: service per interval (contour: target {target:.0%})")
        axis.grid(False)
    axes[-1].set_xlabel("time of day (h, local)")
    if image is not None:
        bar = figure.colorbar(image, ax=list(axes), shrink=0.8, pad=0.01)
        bar.set_label("mean over replications (%)")
        bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    return figure


@styled
def weekday_service_figure(profiles: Mapping[str, tuple[pd.DataFrame, float]]) -> Figure:
    """Per channel, ``profile`` (:func:`sla_eval.interval_views.weekday_profile`) over one week
    from Monday 00:00: the mean (line), the 5-95 % band and the ``target`` (dashed).

    Parameters
    ----------
    profiles:
        Channel -> ``(profile, target)``, in drawing order.
    """
    figure = new_figure(1.2 + 2.0 * len(profiles))
    axes = figure.subplots(len(profiles), 1, sharex=True, squeeze=False)[:, 0]
    for axis, (channel, (profile, target)) in zip(axes, profiles.items(), strict=True):
        weekday = profile.index.get_level_values("weekday").to_numpy(np.float64)
        x = weekday * 24 + _hours(profile.index.get_level_values("time"))
        days = profile.index.get_level_values("weekday").to_numpy()
        for day in np.unique(days):
            own = days == day
            axis.fill_between(
                x[own], profile["q05"].to_numpy()[own], profile["q95"].to_numpy()[own],
                color=_MAIN, alpha=0.25, linewidth=0,
            )  # fmt: skip
            axis.plot(x[own], profile["mean"].to_numpy()[own], color=_MAIN)
        axis.axhline(target, **TARGET_LINE)
        axis.set_title(f"{channel}: service per interval, by weekday (target {target:.0%})")
        axis.set_ylabel("service (%)")
        axis.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        axis.set_ylim(0.0, 1.02)
    axes[-1].set_xticks(np.arange(0, _HOURS_PER_WEEK, 24) + 12, _WEEKDAYS)
    axes[-1].set_xticks(np.arange(0, _HOURS_PER_WEEK + 1, 24), minor=True)
    axes[-1].set_xlim(0, _HOURS_PER_WEEK)
    for axis in axes:
        axis.grid(True, which="minor", axis="x", alpha=0.6)
    axes[-1].set_xlabel("weekday and time of day (local)")
    handles = [
        Line2D([], [], color=_MAIN, label="mean over replications and weeks"),
        Patch(color=_MAIN, alpha=0.25, label="5-95 % of replications and weeks"),
        Line2D([], [], **TARGET_LINE, label="target"),
    ]
    figure.legend(handles=handles, loc="outside upper center", ncols=3)
    return figure


def _errors(center: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return np.vstack([np.maximum(center - low, 0.0), np.maximum(high - center, 0.0)])


@styled
def weekly_risk_figure(weekly: pd.DataFrame, contract: Contract) -> Figure:
    """Per clause of ``weekly`` (:func:`sla_eval.period_risk.clause_period_risk` over weeks)
    with a missed week in some replication (every clause when none has one): left, the KPI per
    week (mean with its 95 % interval, target dashed); right, the share of replications whose
    week misses the target with its Wilson 95 % interval."""
    missed = set(weekly.loc[weekly["p_miss"] > 0, "clause"])
    shown = missed or set(weekly["clause"])
    ids = [clause.id for clause in contract.clauses if clause.id in shown]
    figure = new_figure(0.8 + 1.7 * len(ids))
    axes = figure.subplots(len(ids), 2, sharex=True, squeeze=False)
    by_id = {clause.id: clause for clause in contract.clauses}
    for (left, right), clause_id in zip(axes, ids, strict=True):
        own = weekly[weekly["clause"] == clause_id].sort_values("period_start")
        x = own["period_start"].to_numpy()
        mean = own["mean"].to_numpy(np.float64)
        interval = _errors(
            mean,
            own["ci95_low"].fillna(own["mean"]).to_numpy(np.float64),
            own["ci95_high"].fillna(own["mean"]).to_numpy(np.float64),
        )
        left.errorbar(x, mean, yerr=interval, fmt="o-", color=_MAIN, capsize=3)
        left.axhline(by_id[clause_id].target, **TARGET_LINE)
        left.set_title(f"{clause_id}: weekly value", fontsize=10)
        p = own["p_miss"].to_numpy(np.float64)
        right.errorbar(
            x, p, fmt="s-", color=COLORS[5], capsize=3,
            yerr=_errors(p, own["p_miss_ci95_low"].to_numpy(), own["p_miss_ci95_high"].to_numpy()),
        )  # fmt: skip
        right.set_ylim(-0.03, 1.03)
        right.set_title(f"{clause_id}: P(week misses the target)", fontsize=10)
        for axis in (right, *((left,) if by_id[clause_id].kpi in FRACTION_KPIS else ())):
            axis.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    for axis in axes[-1]:
        axis.set_xlabel("week starting")
        axis.tick_params(axis="x", labelrotation=30)
    return figure


@styled
def p_breach_figure(clauses: Mapping[str, Mapping[str, Any]]) -> Figure:
    """P(breach) of every clause (``summary.json``'s ``contract.clauses``), as bars with
    their Wilson 95 % interval; a clause that never applied is left out."""
    names = [name for name, entry in clauses.items() if entry.get("p_breach") is not None]
    p = np.array([clauses[name]["p_breach"] for name in names], np.float64)
    low = np.array([clauses[name]["p_breach_ci95"][0] for name in names], np.float64)
    high = np.array([clauses[name]["p_breach_ci95"][1] for name in names], np.float64)
    figure = new_figure(1.0 + 0.35 * len(names))
    axis = figure.subplots()
    position = np.arange(len(names))[::-1]
    axis.barh(position, p, color=_MAIN, height=0.6)
    axis.errorbar(p, position, xerr=_errors(p, low, high), fmt="none", color="black", capsize=3)
    axis.set_yticks(position, names)
    axis.set_xlim(0.0, 1.0)
    axis.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axis.set_xlabel("P(breach in at least one period), with its Wilson 95 % interval")
    axis.set_title("P(breach) per clause")
    return figure


@styled
def net_credit_histogram_figure(net_credit: np.ndarray) -> Figure:
    """Histogram over replications of the net credit over the horizon (thousand EUR), with
    its mean (dashed) and the 5 % and 95 % quantiles (dotted)."""
    values = np.asarray(net_credit, np.float64) / 1000.0
    figure = new_figure(3.2)
    axis = figure.subplots()
    bins = max(5, min(30, int(np.ceil(np.sqrt(len(values))) * 2)))
    axis.hist(values, bins=bins, color=_MAIN, alpha=0.8, edgecolor="white")
    axis.axvline(float(values.mean()), **TARGET_LINE, label=f"mean {values.mean():,.1f}")
    for q in (0.05, 0.95):
        axis.axvline(float(np.quantile(values, q)), **LIMIT_LINE)
    axis.set_xlabel("net credit over the horizon (thousand EUR; negative: bonus to the partner)")
    axis.set_ylabel("replications")
    axis.set_title(f"Net credit over {len(values)} replications (dotted: 5 % and 95 %)")
    axis.legend(loc="upper right")
    return figure


@styled
def staffing_risk_figure(
    curve: pd.DataFrame, level: float, labour_cost_eur: float | None = None
) -> Figure:
    """Left: P(breach) of each clause of ``curve`` (``reports.what_if.CURVE_COLUMNS``) against
    the staffing factor, with ``level`` dotted and the run as simulated (factor 1) dashed.
    Right, with ``labour_cost_eur``: the partner's labour cost at each factor, ``f`` times the
    simulated one (paid hours scale with the rosters)."""
    figure = new_figure(3.6)
    left, right = figure.subplots(1, 2, width_ratios=[2, 1]) if labour_cost_eur else (
        figure.subplots(), None
    )  # fmt: skip
    for index, (clause, own) in enumerate(curve.groupby("clause", sort=False)):
        own = own.sort_values("factor")
        left.plot(
            own["factor"], own["p_breach"], marker="o", markersize=4,
            color=COLORS[index % (len(COLORS) - 1)], label=str(clause),
        )  # fmt: skip
    left.axhline(level, **LIMIT_LINE)
    left.axvline(1.0, **TARGET_LINE)
    left.set_ylim(-0.03, 1.03)
    left.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    left.set_xlabel("staffing factor on every team's roster (1 = as simulated)")
    left.set_ylabel("P(breach)")
    left.set_title("P(breach) against staffing (Erlang screen on the simulated values)")
    left.legend(loc="upper right", fontsize=9)
    if right is not None and labour_cost_eur:
        factors = np.unique(curve["factor"].to_numpy(np.float64))
        right.plot(factors, factors * labour_cost_eur / 1000.0, marker="o", color=COLORS[6])
        right.axvline(1.0, **TARGET_LINE)
        right.set_xlabel("staffing factor")
        right.set_ylabel("labour cost (thousand EUR)")
        right.set_title("Partner labour cost")
    return figure
