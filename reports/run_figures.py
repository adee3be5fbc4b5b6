"""The figures of a run: interval service level, staffing, clause KPIs and net credit.

Every function takes result tables and returns a :class:`matplotlib.figure.Figure` in the style
of :mod:`reports.figure_style`; units sit in every axis label.

=======================  ====================================================================
figure (file stem)       what it shows
=======================  ====================================================================
``interval_sl``          per channel, the interval service level (real-time) or share answered
                         within the target (deferrable): mean over replications and the band
                         of 5 to 95 % of replications, against the channel's target
``staffing``             per channel, required productive agents against scheduled agents
                         (before shrinkage) and the productive agents they give
``clause_kpis``          per contract clause, the distribution over replications of its KPI
                         in each measurement period, with the target
``net_credit``           the net credit (penalty - earned back - bonus) per period and over
                         the horizon, with the at-risk cap
``headcount``            per team and week, headcount in production and training, hires,
                         leavers and FTE (:mod:`reports.headcount_figure`)
=======================  ====================================================================

The staffing plan is the table of :func:`staffing.plan.plan`; :func:`staffing_figure` needs its
columns ``interval_start`` (datetime), ``channel``, ``required_agents`` (nullable integer, NA
without a target) and ``scheduled_agents``, and draws ``productive_agents`` when present.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib import dates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from reports.figure_style import (
    COLORS,
    LIMIT_LINE,
    TARGET_LINE,
    new_figure,
    png_bytes,
    styled,
)
from reports.headcount_figure import headcount_figure
from reports.interval_band import interval_band
from reports.text import clause_label
from scenarios.contract import FRACTION_KPIS, SECONDS_KPIS
from scenarios.errors import InputError
from staffing import plan_by_week

if TYPE_CHECKING:
    from scenarios.contract import Contract
    from scenarios.scenario import Scenario

__all__ = [
    "clause_kpi_figure",
    "interval_service_level_figure",
    "net_credit_figure",
    "run_pngs",
    "staffing_figure",
]

_MAIN = COLORS[0]
_PERIOD_FORMATS = {"day": "%a\n%d %b", "week": "week of\n%d %b", "month": "%b\n%Y"}
_MAX_PERIOD_TICKS = 16
_MIN_SLOTS = 3
_GREY = "#444444"
_UNIT_LABELS = {"%": "share (%)", "s": "seconds", "score 1-5": "score (1-5)"}


def _kpi_unit(kpi: str) -> str:
    if kpi in FRACTION_KPIS:
        return "%"
    return "s" if kpi in SECONDS_KPIS else "score 1-5"


def _time_axis(axis: Axes) -> None:
    locator = dates.AutoDateLocator(minticks=4, maxticks=10)
    axis.xaxis.set_major_locator(locator)
    axis.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))


def _figure_legend(figure: Figure, handles: list) -> None:
    figure.legend(handles=handles, loc="outside upper center", ncols=len(handles))


def _target_handle() -> Line2D:
    return Line2D([], [], **TARGET_LINE, label="target")


@styled
def interval_service_level_figure(band: pd.DataFrame, targets: Mapping[str, float]) -> Figure:
    """Interval service level per channel: mean over replications, 5-95 % band, target.

    Parameters
    ----------
    band:
        The band table (:data:`reports.interval_band.BAND_COLUMNS`) of the channels, from
        :func:`reports.interval_band.interval_band` or
        :class:`reports.interval_band.IntervalBand`.
    targets:
        Channel -> target fraction, in drawing order. A real-time channel shows
        ``service_level``, a deferrable one ``response_within_target_frac`` (each under the
        channel's own service target). Intervals without contacts are gaps.
    """
    if not targets:
        raise InputError("no channel has a service target to plot")
    figure = new_figure(1.2 + 2.0 * len(targets))
    axes = figure.subplots(len(targets), 1, sharex=True, squeeze=False)[:, 0]
    for axis, (channel, target) in zip(axes, targets.items(), strict=True):
        own = band[band["channel"] == channel].sort_values("period_start")
        if own.empty:
            raise InputError(f"the KPI table has no interval service level for channel {channel!r}")
        x = own["period_start"].to_numpy()
        axis.fill_between(x, own["q05"], own["q95"], color=_MAIN, alpha=0.25, linewidth=0)
        axis.plot(x, own["mean"].to_numpy(), color=_MAIN)
        axis.axhline(target, **TARGET_LINE)
        what = "service level" if own["kpi"].iloc[0] == "service_level" else "answered in time"
        axis.set_title(f"{channel}: {what} per interval (target {target:.0%})", fontsize=11)
        axis.set_ylabel(f"{what} (%)")
        axis.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        axis.set_ylim(0.0, 1.02)
    _time_axis(axes[-1])
    axes[-1].set_xlabel("interval start (local time)")
    handles = [
        Line2D([], [], color=_MAIN, label="mean over replications"),
        Patch(color=_MAIN, alpha=0.25, label="5-95 % of replications"),
        _target_handle(),
    ]
    _figure_legend(figure, handles)
    return figure


def _team_text(plan: pd.DataFrame, own: pd.DataFrame) -> str:
    """`` (team X)`` or `` (team X, shared with a, b)`` when the plan has a team column."""
    if "team" not in own:
        return ""
    team = own["team"].iloc[0]
    others = set(plan.loc[plan["team"] == team, "channel"].astype(str)) - {own["channel"].iloc[0]}
    shared = f", shared with {', '.join(sorted(others))}" if others else ""
    return f" (team {team}{shared})"


@styled
def staffing_figure(plan: pd.DataFrame) -> Figure:
    """Required versus scheduled agents per channel and interval (the staffing plan).

    Parameters
    ----------
    plan:
        The staffing plan (columns in the module docstring), channels in drawing order.
    """
    missing = {"interval_start", "channel", "required_agents", "scheduled_agents"} - set(plan)
    if missing:
        raise InputError(f"the staffing plan lacks columns {sorted(missing)}")
    channels = list(dict.fromkeys(plan["channel"].astype(str)))
    figure = new_figure(1.2 + 2.0 * len(channels))
    axes = figure.subplots(len(channels), 1, sharex=True, squeeze=False)[:, 0]
    lines = {
        "scheduled_agents": ("scheduled (on duty, before shrinkage)", COLORS[0]),
        "productive_agents": ("productive (after shrinkage)", COLORS[1]),
        "required_agents": ("required (productive agents)", COLORS[2]),
    }
    drawn = {}
    for axis, channel in zip(axes, channels, strict=True):
        own = plan[plan["channel"].astype(str) == channel].sort_values("interval_start")
        x = own["interval_start"].to_numpy()
        for column, (label, color) in lines.items():
            if column in own:
                values = own[column].astype("float64").to_numpy()
                axis.step(x, values, where="post", color=color)
                drawn[column] = Line2D([], [], color=color, label=label)
        axis.set_title(f"{channel}{_team_text(plan, own)}: agents per interval", fontsize=11)
        axis.set_ylabel("agents")
        axis.set_ylim(bottom=0)
    _time_axis(axes[-1])
    axes[-1].set_xlabel("interval start (local time)")
    _figure_legend(figure, list(drawn.values()))
    return figure


def _period_labels(starts: np.ndarray, kind: str) -> list[str]:
    form = _PERIOD_FORMATS.get(kind)
    if kind == "quarter":
        return [f"Q{stamp.quarter}\n{stamp.year}" for stamp in pd.DatetimeIndex(starts)]
    if form is None:
        raise InputError(f"unknown measurement period kind {kind!r}")
    return [pd.Timestamp(stamp).strftime(form) for stamp in starts]


def _period_samples(
    frame: pd.DataFrame, column: str, kind: str, scale: float = 1.0
) -> tuple[list[np.ndarray], list[str]]:
    """Values of ``column`` per period (NaN left out, divided by ``scale``) and period labels."""
    periods = frame.groupby("period", sort=True)
    samples = [group[column].dropna().to_numpy() / scale for _, group in periods]
    return samples, _period_labels(periods["period_start"].first().to_numpy(), kind)


def _distribution(axis: Axes, samples: list[np.ndarray], labels: list[str], max_ticks: int) -> None:
    """Box plot and jittered points of each sample, labelled on the x axis."""
    positions = np.arange(len(samples))
    axis.boxplot(
        [sample if len(sample) else [np.nan] for sample in samples],
        positions=positions,
        widths=0.55,
        showfliers=False,
        medianprops={"color": COLORS[6]},
        boxprops={"color": _GREY},
        whiskerprops={"color": _GREY},
        capprops={"color": _GREY},
    )
    generator = np.random.default_rng(0)  # fixed jitter: the same figure for the same data
    for position, sample in zip(positions, samples, strict=True):
        jitter = generator.uniform(-0.18, 0.18, len(sample))
        axis.plot(position + jitter, sample, "o", markersize=3, alpha=0.55, color=_MAIN)
    step = max(1, math.ceil(len(labels) / max_ticks))
    axis.set_xticks(positions[::step], labels[::step])
    pad = max(0.0, (_MIN_SLOTS - len(samples)) / 2)  # a lone box stays box-shaped
    axis.set_xlim(-0.6 - pad, len(samples) - 0.4 + pad)
    axis.grid(axis="x", visible=False)


def _distribution_handles() -> list:
    return [
        Patch(facecolor="none", edgecolor=_GREY, label="box: quartiles and median"),
        Line2D([], [], color=_MAIN, marker="o", linestyle="", alpha=0.55, label="replications"),
    ]


@styled
def clause_kpi_figure(evaluation: pd.DataFrame, contract: Contract) -> Figure:
    """Small multiples, one per clause: the clause KPI per measurement period over replications.

    Parameters
    ----------
    evaluation:
        Output of ``sla_eval.evaluate_contract``.
    contract:
        The ``scenarios.contract.Contract`` that was evaluated (labels, units, bonus
        thresholds).
    """
    clauses = contract.clauses
    columns = 2 if len(clauses) > 1 else 1
    rows = math.ceil(len(clauses) / columns)
    figure = new_figure(1.0 + 2.7 * rows)
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for axis in axes[len(clauses) :]:
        axis.set_visible(False)
    by_clause = evaluation.assign(clause=evaluation["clause"].astype(str))
    bonus_drawn = False
    for axis, clause in zip(axes, clauses, strict=False):
        own = by_clause[by_clause["clause"] == clause.id]
        if own.empty:
            raise InputError(f"the contract evaluation has no rows for clause {clause.id!r}")
        unit = _kpi_unit(clause.kpi)
        ticks = _MAX_PERIOD_TICKS // columns
        samples, labels = _period_samples(own, "value", contract.period_of(clause))
        _distribution(axis, samples, labels, ticks)
        if sum(len(sample) for sample in samples) == 0:
            axis.text(0.5, 0.5, "no value in any period", transform=axis.transAxes, ha="center")
        axis.axhline(clause.target, **TARGET_LINE)
        if clause.target_min is not None:
            axis.axhline(clause.target_min, **TARGET_LINE)
        if clause.bonus_threshold is not None and clause.bonus_threshold != clause.target:
            axis.axhline(clause.bonus_threshold, **LIMIT_LINE)
            bonus_drawn = True
        if unit == "%":
            low, high = axis.get_ylim()
            axis.set_ylim(low, min(high, 1.0 + 0.04 * (high - low)))
            axis.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
        axis.set_ylabel(_UNIT_LABELS[unit])
        axis.set_title(f"{clause.id} ({clause.channel})", fontsize=11, pad=16)
        axis.text(
            0.0, 1.02, clause_label(clause), transform=axis.transAxes, fontsize=9.5, va="bottom"
        )
    handles = [*_distribution_handles(), _target_handle()]
    if bonus_drawn:
        handles.append(Line2D([], [], **LIMIT_LINE, label="bonus threshold"))
    _figure_legend(figure, handles)
    return figure


@styled
def net_credit_figure(
    totals: pd.DataFrame, period_kind: str, at_risk_cap_frac: float | None = None
) -> Figure:
    """Net credit per billing period and summed over the horizon, over replications.

    Parameters
    ----------
    totals:
        Output of ``sla_eval.contract_totals``.
    period_kind:
        The contract's billing period (tick labels).
    at_risk_cap_frac:
        The contract's at-risk cap as a share of the fee; drawn per period as the largest
        penalty it allows (``cap * fee``, the mean fee of the period).
    """
    figure = new_figure(4.0)
    left, right = figure.subplots(1, 2, width_ratios=[3, 1])
    samples, labels = _period_samples(totals, "net_credit_eur", period_kind, scale=1000.0)
    _distribution(left, samples, labels, _MAX_PERIOD_TICKS)
    handles = _distribution_handles()
    if at_risk_cap_frac is not None:
        fee = totals.groupby("period", sort=True)["fee_eur"].mean().to_numpy()
        for position, cap in enumerate(at_risk_cap_frac * fee / 1000.0):
            left.hlines(cap, position - 0.4, position + 0.4, **LIMIT_LINE)
        handles.append(Line2D([], [], **LIMIT_LINE, label="at-risk cap"))
    left.axhline(0.0, color=COLORS[6], linewidth=0.8)
    left.set_title("per period", fontsize=11)
    left.set_ylabel("net credit (thousand EUR)")
    total = totals.groupby("replication", sort=True)["net_credit_eur"].sum().to_numpy()
    _distribution(right, [total / 1000.0], [f"{len(total)} replications"], 1)
    right.axhline(0.0, color=COLORS[6], linewidth=0.8)
    right.set_title("summed over the horizon", fontsize=11)
    right.set_ylabel("net credit (thousand EUR)")
    _figure_legend(figure, handles)
    return figure


def _targets(scenario: Scenario) -> dict[str, float]:
    return {
        name: channel.service_target.target
        for name, channel in scenario.channels.items()
        if channel.service_target is not None
    }


def run_pngs(
    scenario: Scenario,
    plan: pd.DataFrame,
    kpis: pd.DataFrame,
    evaluation: pd.DataFrame | None = None,
    totals: pd.DataFrame | None = None,
    *,
    band: pd.DataFrame | None = None,
) -> dict[str, bytes]:
    """Every figure of a run as PNG bytes, keyed by file stem (module docstring table).

    Without a contract evaluation (``evaluation`` and ``totals`` None) only ``interval_sl``
    (when a channel has a service target), ``staffing`` and ``headcount`` are drawn.
    ``interval_sl`` draws ``band`` (:mod:`reports.interval_band`) when given, else the band of
    the ``interval`` rows of ``kpis``.
    """
    figures = {}
    targets = _targets(scenario)
    if targets:
        if band is None:
            band = interval_band(kpis, list(targets))
        figures["interval_sl"] = interval_service_level_figure(band, targets)
    figures["staffing"] = staffing_figure(plan)
    figures["headcount"] = headcount_figure(
        plan_by_week(plan, scenario), scenario.partner.fte_hours_per_week
    )
    if (evaluation is None) != (totals is None):
        raise InputError("give both the contract evaluation and its totals, or neither")
    if evaluation is not None:
        contract = scenario.contract
        assert contract is not None, "only a scenario with a contract has its evaluation"
        figures["clause_kpis"] = clause_kpi_figure(evaluation, contract)
        figures["net_credit"] = net_credit_figure(
            totals, contract.fee.billing_period, contract.at_risk_cap
        )
    return {name: png_bytes(figure) for name, figure in figures.items()}
