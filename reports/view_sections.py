"""Sections of ``report.html`` that show the views of :mod:`reports.view_figures` and the
worst intervals table (:func:`sla_eval.interval_views.worst_intervals`)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from reports.figure_style import png_bytes
from reports.scenario_text import esc, percent, table
from reports.view_figures import staffing_risk_figure
from sla_eval.interval_views import worst_intervals

if TYPE_CHECKING:
    from reports.answer import Answer

__all__ = [
    "NO_INTERVALS",
    "figure_html",
    "interval_sections",
    "risk_sections",
    "staffing_risk_section",
    "worst_section",
]

NO_INTERVALS = (
    '<p class="empty">The KPI table of this run holds no interval rows with a service '
    "measure: nothing to draw per interval.</p>"
)
"""What an interval view says without interval rows (or without a service target)."""
WORST_COUNT = 12
"""Rows of the worst intervals table."""


def figure_html(pngs: Mapping[str, bytes], stem: str, alt: str, caption: str) -> str:
    """One embedded figure: the PNG ``pngs[stem]`` as a data URI, with alt text and caption."""
    data = base64.b64encode(pngs[stem]).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
        f'<p class="caption">{esc(caption)}</p>'
    )


def worst_section(kpis: pd.DataFrame, targets: Mapping[str, float]) -> str:
    """The :data:`WORST_COUNT` intervals furthest below their channel's target."""
    worst = worst_intervals(kpis, targets, WORST_COUNT)
    if worst.empty:
        return '<p class="empty">No interval falls below its target on average.</p>'
    rows = [
        (
            row.channel,
            f"{row.interval_start:%a %d %b %H:%M}",
            percent(row.mean),
            percent(row.target),
            percent(row.p_below),
            "-" if pd.isna(row.offered) else f"{row.offered:,.1f}",
        )
        for row in worst.itertuples(index=False)
    ]
    headers = ("channel", "interval", "mean service", "target", "replications below", "offered")
    return table(headers, rows, 2) + (
        '<p class="caption">The intervals whose service measure (service level of a real-time '
        "channel, share answered in time of a deferrable one), averaged over replications, "
        "falls furthest below the channel's target; offered: mean contacts offered in the "
        "interval.</p>"
    )


def interval_sections(pngs: Mapping[str, bytes]) -> dict[str, str]:
    """The heatmap and the day-of-week profile sections."""
    if "sl_heatmap" not in pngs:
        return {"sl-heatmap": NO_INTERVALS, "interval-service-level": NO_INTERVALS}
    return {
        "sl-heatmap": figure_html(
            pngs,
            "sl_heatmap",
            "service heatmap per channel, day by time of day",
            "Per channel, one row per day and one column per interval of the day: the service "
            "measure, mean over replications (blue: above, red: below; blank: no contacts). "
            "The black line is the contour of the channel's target.",
        ),
        "interval-service-level": figure_html(
            pngs,
            "interval_sl",
            "service per weekday and time of day",
            "Per interval of the week: mean over replications and weeks (line) and the band "
            "holding 5 % to 95 % of them; dashed: the channel's target. Real-time channels show "
            "the service level under their own definition, deferrable ones the share answered "
            "within their threshold. Gaps: intervals without contacts.",
        ),
    }


def risk_sections(pngs: Mapping[str, bytes]) -> dict[str, str]:
    """P(breach) per clause and the weekly risk of every clause."""
    weekly = (
        figure_html(
            pngs,
            "weekly_risk",
            "weekly value and P(miss) per clause",
            "Per clause that misses its target in some week of some replication (every clause "
            "when none does), whatever period the contract measures it over: left, its value per "
            "week (mean over replications with its 95 % interval; dashed: the target); right, "
            "the share of replications whose week misses the target, with its Wilson 95 % "
            "interval. Minimum volumes, relief and money are the contract's matter: a missed "
            "week is not a penalty unless the clause is measured weekly.",
        )
        if "weekly_risk" in pngs
        else '<p class="empty">The KPI table holds no week rows.</p>'
    )
    return {
        "p-breach": figure_html(
            pngs,
            "p_breach",
            "P(breach) per clause",
            "Share of replications with a breach of the clause in at least one measurement "
            "period, with its Wilson 95 % interval (clauses that never applied are left out).",
        ),
        "weekly-risk": weekly,
    }


def staffing_risk_section(answer: Answer | None, summary: Mapping[str, Any]) -> str:
    """P(breach) of the screened clauses and the labour cost against the staffing factor
    (the answer's what-if curve); drawn here, it is not one of the folder's PNG files."""
    if answer is None or answer.what_if.curve.empty:
        return '<p class="empty">No clause the staffing screen models.</p>'
    labour = ((summary.get("contract") or {}).get("labour_cost_eur") or {}).get("mean")
    figure = staffing_risk_figure(answer.what_if.curve, answer.what_if.level, labour)
    cost = answer.what_if
    return figure_html(
        {"staffing_risk": png_bytes(figure)},
        "staffing_risk",
        "P(breach) and labour cost against the staffing factor",
        "Left: P(breach) of each clause the Erlang screen models when every team's roster is "
        "scaled by the factor: each measurement period's simulated values moved by the "
        "screen's change, no new simulation (dashed: the run as simulated; dotted: the "
        f"{100 * cost.level:.0f} % level of the answer). Right: the partner's labour cost, "
        "which scales with the rosters' paid hours "
        + ("(none given: no cost)." if not labour else "(factor x the simulated cost).")
        + f" {cost.screens} screens in {cost.seconds:.1f} s.",
    )
