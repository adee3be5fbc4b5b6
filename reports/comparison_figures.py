"""Figures of a sweep and of a comparison, in the style of :mod:`reports.run_figures`.

=======================  ====================================================================
figure (file stem)       what it shows
=======================  ====================================================================
``sweep_service_level``  per channel, the horizon service level (real-time) or share answered
                         within the target (deferrable) against the first varied field, one
                         line per combination of the other fields; 95 % intervals as bars
``sweep_p_breach``       P(breach of any clause in any period) in the same layout
``sweep_net_credit``     expected net credit (penalty - earned back - bonus, EUR) likewise
``comparison``           paired differences (variant minus reference) with their 95 %
                         intervals: fraction KPIs in percentage points, money in EUR
=======================  ====================================================================

Inputs are the tables of :mod:`sla_eval.comparison`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from reports.figure_style import new_figure, png_bytes, styled
from sla_eval.comparison import CONTRACT_ROW

__all__ = ["comparison_figure", "comparison_pngs", "sweep_figure", "sweep_pngs"]

_SERVICE_KPIS = ("service_level", "response_within_target_frac")
_POINT_KPIS = (
    "service_level",
    "response_within_target_frac",
    "abandon_frac",
    "p_wait",
    "fcr_frac",
    "escalation_frac",
    "occupancy_frac",
)
_MONEY = ("net_credit_eur", "penalty_eur", "bonus_eur", "client_cost_eur")


def _x_positions(values: pd.Series) -> tuple[np.ndarray, list[str] | None]:
    """Numbers stay numbers; text values get positions 0, 1, ... and tick labels."""
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(np.float64), None
    order = list(dict.fromkeys(values.astype(str)))
    return values.astype(str).map(order.index).to_numpy(np.float64), order


def _draw_lines(axis: Axes, rows: pd.DataFrame, paths: Sequence[str], scale: float) -> None:
    x_path, others = paths[0], list(paths[1:])
    groups = rows.groupby(others, sort=False) if others else [((), rows)]
    for key, group in groups:
        group = group.sort_values(x_path)
        x, ticks = _x_positions(group[x_path])
        mean = group["mean"].to_numpy(np.float64) * scale
        low = group["ci95_low"].to_numpy(np.float64) * scale
        high = group["ci95_high"].to_numpy(np.float64) * scale
        error = np.vstack([mean - low, high - mean])
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join(f"{p}={v}" for p, v in zip(others, key, strict=True)) or None
        axis.errorbar(x, mean, yerr=np.nan_to_num(error), marker="o", capsize=3, label=label)
        if ticks is not None:
            axis.set_xticks(range(len(ticks)), ticks)
    axis.set_xlabel(x_path)
    if others:
        axis.legend()


@styled
def sweep_figure(
    table: pd.DataFrame, paths: Sequence[str], metric: str, channel: str, ylabel: str
) -> Figure:
    """One metric of one channel (or ``contract``) of the sweep table against the varied fields.

    A fraction metric (name ending in ``_frac``, ``service_level``, ``breach``) is drawn in %.
    """
    rows = table[(table["channel"] == channel) & (table["metric"] == metric)]
    percent = metric.endswith("_frac") or metric in ("service_level", "breach")
    figure = new_figure(4.0)
    axis = figure.add_subplot()
    _draw_lines(axis, rows, paths, 100.0 if percent else 1.0)
    axis.set_ylabel(ylabel)
    axis.set_title(f"{ylabel} ({channel})" if channel != CONTRACT_ROW else ylabel)
    return figure


@styled
def _service_level_figure(table: pd.DataFrame, paths: Sequence[str]) -> Figure | None:
    rows = table[table["metric"].isin(_SERVICE_KPIS) & (table["channel"] != "all")]
    channels = list(dict.fromkeys(rows["channel"]))
    if not channels:
        return None
    figure = new_figure(2.8 * len(channels) + 0.6)
    axes = figure.subplots(len(channels), 1, squeeze=False)[:, 0]
    for axis, channel in zip(axes, channels, strict=True):
        own = rows[rows["channel"] == channel]
        _draw_lines(axis, own, paths, 100.0)
        axis.set_ylabel("within target (%)")
        axis.set_title(f"{channel}: {own['metric'].iloc[0].replace('_', ' ')}")
    return figure


def sweep_pngs(table: pd.DataFrame, paths: Sequence[str]) -> dict[str, bytes]:
    """The sweep figures (module docstring) as PNG bytes; contract figures only with a
    contract."""
    figures = {"sweep_service_level": _service_level_figure(table, paths)}
    if (table["channel"] == CONTRACT_ROW).any():
        figures["sweep_p_breach"] = sweep_figure(
            table, paths, "breach", CONTRACT_ROW, "P(breach) (%)"
        )
        figures["sweep_net_credit"] = sweep_figure(
            table, paths, "net_credit_eur", CONTRACT_ROW, "expected net credit (EUR)"
        )
    return {stem: png_bytes(figure) for stem, figure in figures.items() if figure is not None}


def _forest(axis: Axes, rows: pd.DataFrame, scale: float, xlabel: str) -> None:
    labels = [f"{row.variant}: {row.channel} {row.metric}" for row in rows.itertuples()]
    y = np.arange(len(rows))[::-1]
    mean = rows["mean_difference"].to_numpy(np.float64) * scale
    low = rows["ci95_low"].to_numpy(np.float64) * scale
    high = rows["ci95_high"].to_numpy(np.float64) * scale
    axis.errorbar(
        mean, y, xerr=np.nan_to_num(np.vstack([mean - low, high - mean])), fmt="o", capsize=3
    )
    axis.axvline(0.0, color="#444444", linewidth=1.0)
    axis.set_yticks(y, labels)
    axis.set_xlabel(xlabel)


@styled
def comparison_figure(differences: pd.DataFrame) -> Figure:
    """Paired differences with 95 % intervals (:func:`sla_eval.comparison.paired_differences`)."""
    points = differences[
        differences["metric"].isin(_POINT_KPIS) & (differences["channel"] != "all")
    ]
    money = differences[differences["metric"].isin(_MONEY)]
    panels = [
        (rows, scale, label)
        for rows, scale, label in (
            (points, 100.0, "difference (percentage points)"),
            (money, 1.0, "difference (EUR)"),
        )
        if not rows.empty
    ]
    height = sum(0.3 * len(rows) + 1.2 for rows, _, _ in panels) or 2.0
    figure = new_figure(height)
    if not panels:
        return figure
    heights = [len(rows) + 3 for rows, _, _ in panels]
    axes = figure.subplots(len(panels), 1, squeeze=False, height_ratios=heights)[:, 0]
    for axis, (rows, scale, label) in zip(axes, panels, strict=True):
        _forest(axis, rows, scale, label)
    axes[0].set_title(f"Paired differences against {differences['reference'].iloc[0]}")
    return figure


def comparison_pngs(differences: pd.DataFrame) -> dict[str, bytes]:
    """The comparison figure as PNG bytes, keyed ``comparison``."""
    return {"comparison": png_bytes(comparison_figure(differences))}
