"""The folder ``ccplan hire`` writes, and its terminal summary.

Files (``docs/hire.md``): ``hire.json`` (the document), ``weekly.csv`` (the weekly table of the
plan), ``periods.csv`` (its P(breach) and expected credit per measurement period, weekly model),
``verified_periods.csv`` and ``differences.csv`` (the simulation of the plan and its
neighbours), ``headcount.png`` (per planned team: available and required FTE per week, hires
starting) and ``report.html`` (all of it on one page). Written through
:func:`reports.staging.staged_folder`: the folder appears whole or not at all.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import typer

from reports.figure_style import TARGET_LINE, new_figure, png_bytes, styled, write_pngs
from reports.html_style import report_page, section_nav_and_body
from reports.results_folder import write_json
from reports.run_report import figure_html
from reports.scenario_text import esc, eur, percent, table
from reports.staging import staged_folder

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from hire.evaluate import PlanFigures
    from hire.verify import Verified
    from scenarios.scenario import Scenario

__all__ = ["SHOWN_COLUMNS", "headcount_figure", "print_hire", "write_hire"]

SHOWN_COLUMNS = (
    "team",
    "week_start",
    "required_fte",
    "available_fte",
    "hires_starting",
    "in_training",
    "left",
    "labour_eur",
    "p_short",
)
"""Columns of the weekly table shown in the terminal and the report (``weekly.csv`` has all)."""


@styled
def headcount_figure(weekly: pd.DataFrame) -> Figure:
    """Per planned team: available and required FTE per week, and the hires starting."""
    teams = list(dict.fromkeys(weekly["team"]))
    figure = new_figure(3.2 * len(teams))
    axes = figure.subplots(len(teams), 1, squeeze=False)[:, 0]
    for axis, team in zip(axes, teams, strict=True):
        own = weekly[weekly["team"] == team]
        x = pd.to_datetime(own["week_start"])
        axis.step(x, own["available_fte"], where="post", label="available FTE (nesting-weighted)")
        axis.step(x, own["required_fte"], where="post", label="required FTE", **TARGET_LINE)
        hires = own["hires_starting"] > 0
        for when, count in zip(x[hires], own["hires_starting"][hires], strict=True):
            axis.axvline(when, color="#009E73", linewidth=1.0, alpha=0.6)
            axis.annotate(f"+{count:.0f}", (when, axis.get_ylim()[1]), fontsize=8, va="top")
        axis.set_title(f"{team}: headcount against the requirement")
        axis.set_ylabel("FTE")
        axis.legend(loc="lower left", fontsize=8)
    return figure


def _weekly_table(weekly: pd.DataFrame) -> str:
    columns = list(SHOWN_COLUMNS)
    rows = [
        [
            row.team,
            str(row.week_start),
            f"{row.required_fte:.1f}",
            f"{row.available_fte:.1f}",
            f"{row.hires_starting:.0f}",
            f"{row.in_training:.1f}",
            f"{row.left:.1f}",
            eur(row.labour_eur),
            percent(row.p_short),
        ]
        for row in weekly[columns].itertuples()
    ]
    return table(columns, rows, 2)


def _verified_table(verified: Verified) -> str:
    periods = verified.periods
    if periods.empty:
        return "<p>No measurement period was simulated.</p>"
    rows = [
        [
            row.variant,
            row.period_start,
            (percent(row.p_breach), f"[{percent(row.ci95_low)}, {percent(row.ci95_high)}]"),
            percent(row.p_breach_model),
            eur(row.mean_credit_eur),
        ]
        for row in periods.itertuples()
    ]
    headers = ["variant", "period from", "P(breach), simulated", "weekly model", "mean credit"]
    return table(headers, rows, 2)


def _differences_table(verified: Verified) -> str:
    frame = verified.differences
    if frame.empty:
        return "<p>No neighbour was simulated.</p>"
    rows = [
        [
            row.variant,
            row.metric,
            eur(row.mean_plan),
            eur(row.mean_variant),
            (eur(row.mean_difference), f"[{row.ci95_low:,.0f}, {row.ci95_high:,.0f}]"),
        ]
        for row in frame.itertuples()
    ]
    return table(["variant", "metric", "plan", "variant", "difference (95 % CI)"], rows, 2)


def _page(
    scenario: Scenario,
    document: dict,
    figures: PlanFigures,
    verified: Verified | None,
    pngs: dict[str, bytes],
) -> str:
    sections = [
        ("answer", "Recommendation", f"<p>{esc(document['recommendation'])}</p>"),
        (
            "chart",
            "Headcount and requirement",
            figure_html(
                pngs,
                "headcount",
                "available and required FTE per week",
                "Weekly model: the nesting-weighted headcount in production against the FTE the "
                "targets need; green lines: classes starting.",
            ),
        ),
        ("weekly", "Weekly plan", _weekly_table(figures.weekly)),
    ]
    if verified is not None:
        sections += [
            (
                "verified",
                "Verified by simulation",
                f"<p>{verified.replications} replications per variant over the first "
                f"{verified.days} days, seed {verified.seed}, common random numbers; "
                "P(breach) of the service clauses with Wilson 95 % intervals.</p>"
                + _verified_table(verified),
            ),
            ("alternatives", "Alternatives (paired differences)", _differences_table(verified)),
        ]
    nav, body = section_nav_and_body(sections)
    return report_page(f"ccplan hire: {scenario.name}", f"<nav>{nav}</nav>{body}")


def write_hire(
    out_dir: str | os.PathLike[str],
    scenario: Scenario,
    document: dict,
    figures: PlanFigures,
    verified: Verified | None,
) -> Path:
    """Write the folder of the module docstring; returns its path."""
    pngs = {"headcount": png_bytes(headcount_figure(figures.weekly))}
    out_dir = Path(out_dir)
    with staged_folder(out_dir) as stage:
        write_json(stage / "hire.json", document)
        figures.weekly.to_csv(stage / "weekly.csv", index=False)
        figures.periods.to_csv(stage / "periods.csv", index=False)
        if verified is not None:
            verified.periods.to_csv(stage / "verified_periods.csv", index=False)
            verified.differences.to_csv(stage / "differences.csv", index=False)
        write_pngs(pngs, stage)
        page = _page(scenario, document, figures, verified, pngs)
        (stage / "report.html").write_text(page, encoding="utf-8")
    return out_dir


def print_hire(document: dict, out_dir: Path) -> None:
    """Print the weekly table, the periods, the alternatives and the recommendation."""
    weekly = pd.DataFrame(document["weekly"])
    columns = list(SHOWN_COLUMNS)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        typer.echo(weekly[columns].round(2).to_string(index=False))
        periods = pd.DataFrame(document["model"]["periods"])
        typer.echo("\nper measurement period (weekly model):")
        typer.echo(periods.round(3).to_string(index=False))
        verification = document["verification"]
        if verification is not None and verification["periods"]:
            typer.echo(
                f"\nsimulated: {verification['replications']} replications per variant, first "
                f"{verification['days']} days, seed {verification['seed']}"
            )
            shown = pd.DataFrame(verification["periods"])
            typer.echo(shown.round(3).to_string(index=False))
            if verification["differences"]:
                typer.echo("\nalternatives, paired differences against the plan (EUR):")
                typer.echo(
                    pd.DataFrame(verification["differences"]).round(0).to_string(index=False)
                )
    typer.echo("\nto hold the plan: " + " ".join(f"--set '{line}'" for line in document["set"]))
    typer.echo(document["recommendation"])
    typer.echo(f"wrote {out_dir}")
