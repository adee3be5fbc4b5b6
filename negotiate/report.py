"""The negotiation results folder: ``negotiation.json``, CSV tables, plots and one HTML report.

:func:`write_negotiation` writes, through :func:`reports.results_folder.staged_folder` (a folder is
complete or absent):

=======================  ======================================================================
file                     content
=======================  ======================================================================
``negotiation.json``     the document of :func:`negotiate.analysis.analyse`
                         (``docs/negotiation.md``)
``curves.csv``           one row per staffing level: money with 95 % intervals, P(breach),
                         per clause P(miss) and P(breach) (:func:`negotiate.pricing.
                         cost_curves`)
``periods.csv``          per level, clause and measurement period: P(miss), P(breach) and the
                         mean KPI (:func:`negotiate.pricing.period_risks`)
``sensitivity.csv``      contract variants re-priced at every level (:mod:`sla_eval.
                         negotiation_sensitivity`)
``screening.csv``        the analytic screen (``staffing.screening``)
``cost_curves.png``      partner labour cost, margin, and client cost against staffing
``risk.png``             P(miss) of the target clause, P(breach of any clause) and the
                         expected net credit against staffing
``report.html``          everything above in one self-contained page
=======================  ======================================================================

Both figures mark the partner's best response (solid vertical line) and the client's required
staffing (dashed), in the style of :mod:`reports.run_figures`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from reports.figure_style import LineProperties, new_figure, png_bytes, styled, write_pngs
from reports.html_style import report_page, section_nav_and_body
from reports.results_folder import write_json
from reports.run_report import figure_html
from reports.scenario_text import esc, eur, percent, table
from reports.staging import staged_folder

if TYPE_CHECKING:
    from negotiate.analysis import Negotiation
    from scenarios.scenario import Scenario

__all__ = ["cost_curve_figure", "risk_figure", "write_negotiation"]

_BEST: LineProperties = {"color": "#000000", "linestyle": "-", "linewidth": 1.2}
_REQUIRED: LineProperties = {"color": "#D55E00", "linestyle": "--", "linewidth": 1.5}


def _band(axis: Axes, curves: pd.DataFrame, column: str, label: str, scale: float) -> None:
    x = curves["level"].to_numpy()
    line = axis.plot(x, curves[column] / scale, marker="o", markersize=3, label=label)[0]
    low = curves[f"{column}_ci95_low"].to_numpy(np.float64) / scale
    high = curves[f"{column}_ci95_high"].to_numpy(np.float64) / scale
    axis.fill_between(x, low, high, color=line.get_color(), alpha=0.2, linewidth=0)


def _marks(axis: Axes, best: float, required: float | None) -> None:
    axis.axvline(best, **_BEST, label="partner's best response")
    if required is not None:
        axis.axvline(required, **_REQUIRED, label="client's required staffing")


@styled
def cost_curve_figure(curves: pd.DataFrame, best: float, required: float | None) -> Figure:
    """Left: the partner's cost and margin; right: the client's cost and the net
    credit; means over replications with their 95 % intervals, against the staffing factor."""
    figure = new_figure(4.2)
    left, right = figure.subplots(1, 2)
    for column, label in (
        ("partner_cost_eur", "partner cost (paid hours, hiring, overhead)"),
        ("partner_margin_eur", "margin"),
    ):
        _band(left, curves, column, label, 1000.0)
    for column, label in (
        ("client_cost_eur", "client cost (fee - net credit)"),
        ("net_credit_eur", "net credit (penalties - earned back - bonuses)"),
    ):
        _band(right, curves, column, label, 1000.0)
    left.set_title("partner, over the horizon", fontsize=11)
    right.set_title("client, over the horizon", fontsize=11)
    for axis in (left, right):
        _marks(axis, best, required)
        axis.set_xlabel("staffing (factor on the rosters)")
        axis.set_ylabel("thousand EUR")
        axis.legend(loc="best")
    return figure


@styled
def risk_figure(
    curves: pd.DataFrame, clause_id: str, alpha: float, best: float, required: float | None
) -> Figure:
    """Left: P(miss in a period) of the target clause and P(breach of any clause in any
    period); right: the expected service credit and net credit with their 95 % intervals;
    against staffing."""
    figure = new_figure(4.2)
    left, right = figure.subplots(1, 2)
    x = curves["level"].to_numpy()
    left.plot(
        x, curves[f"p_miss_{clause_id}"], marker="o", markersize=3, label=f"{clause_id} misses"
    )
    left.plot(x, curves["p_breach"], marker="s", markersize=3, label="any breach, any period")
    left.axhline(alpha, color="#555555", linestyle=":", linewidth=1.5, label="client's limit")
    left.yaxis.set_major_formatter(PercentFormatter(1.0))
    left.set_ylim(-0.02, 1.02)
    left.set_ylabel("probability")
    left.set_title("risk per period", fontsize=11)
    _band(right, curves, "credit_eur", "service credit (penalties - earned back)", 1000.0)
    _band(right, curves, "net_credit_eur", "net credit (service credit - bonuses)", 1000.0)
    right.axhline(0.0, color="#000000", linewidth=0.8)
    right.set_ylabel("thousand EUR")
    right.set_title("expected credits over the horizon", fontsize=11)
    for axis in (left, right):
        _marks(axis, best, required)
        axis.set_xlabel("staffing (factor on the rosters)")
        axis.legend(loc="best")
    return figure


def _with_ci(mean: float | None, ci: list) -> str | tuple[str, str]:
    if mean is None:
        return "-"
    if ci[0] is None:
        return f"{mean:,.0f}"
    return (f"{mean:,.0f}", f"[{ci[0]:,.0f}, {ci[1]:,.0f}]")


def _interval(ci: list) -> str:
    """A Wilson interval of a share as ``[12 %, 40 %]``."""
    return f"[{percent(ci[0])}, {percent(ci[1])}]"


def _levels_table(document: dict) -> str:
    clause = document["target"]["clause"]
    rows = [
        (
            f"{entry['level']:g}",
            f"{entry['replications']}" + ("" if entry["precise"] else " (imprecise)"),
            _with_ci(entry["partner_cost_eur"]["mean"], entry["partner_cost_eur"]["ci95"]),
            _with_ci(entry["credit_eur"]["mean"], entry["credit_eur"]["ci95"]),
            _with_ci(entry["net_credit_eur"]["mean"], entry["net_credit_eur"]["ci95"]),
            _with_ci(entry["partner_margin_eur"]["mean"], entry["partner_margin_eur"]["ci95"]),
            percent(entry["clauses"][clause]["p_miss"]),
            (percent(entry["p_breach"]), _interval(entry["p_breach_ci95"])),
        )
        for entry in document["levels"]
    ]
    heads = (
        "staffing",
        "replications",
        "partner cost (EUR)",
        "service credit (EUR)",
        "net credit (EUR)",
        "partner margin (EUR)",
        f"P({clause} misses a period)",
        "P(any breach) [95 % CI]",
    )
    return table(heads, rows, 1)


def _answer_section(document: dict) -> str:
    best = document["best_response"]
    required = document["client_requirement"]
    target = document["target"]
    edge = {
        "low": " It is the lowest level simulated: the partner gains by staffing even less.",
        "high": " It is the highest level simulated.",
    }.get(best["at_edge"] or "", "")
    no_labour = (
        "<p>The scenario gives no labour cost (partner.labour_cost_per_agent_hour_eur): the "
        "partner's margin counts paid hours as free, so more staff never costs it anything.</p>"
        if document["labour_cost_per_agent_hour_eur"] is None
        else ""
    )
    lines = [
        no_labour,
        f"<p><b>Partner's best response</b>: staffing {best['level']:g}x, expected margin "
        f"{eur(best['partner_margin_eur']['mean'])}; clause {esc(target['clause'])} then misses "
        f"in {percent(best['p_miss'])} of periods (client's limit {percent(target['alpha'])})."
        f"{esc(edge)}</p>",
        "<p><b>Client's required staffing</b>: "
        + (
            "no simulated level keeps the misses within the limit."
            if required["level"] is None
            else f"{required['level']:g}x (misses {percent(required['p_miss'])})."
        )
        + "</p>",
    ]
    fair = document["fair_penalty"]
    if fair is not None:
        if fair["found"]:
            caps = (
                " for the clause alone (under the pool and at-risk cap as written no rate does it)"
                if fair["caps_lifted"]
                else ""
            )
            already = (
                " The contract as written already makes the partner meet the target."
                if fair["per_point_eur"] == 0
                else ""
            )
            lines.append(
                f"<p><b>Fair, incentive-compatible penalty</b>: {eur(fair['per_point_eur'])} "
                f"per point of shortfall per period ({percent(fair['per_point_fee_frac'])} of "
                f"the period fee){esc(caps)}; the best response is then "
                f"{fair['best_response_level']:g}x.{esc(already)}</p>"
            )
        else:
            lines.append(
                "<p><b>Fair, incentive-compatible penalty</b>: none up to one period fee per "
                "point, even for the clause alone without caps.</p>"
            )
    matched = document["loss_matching"]
    if matched is not None and matched["per_point_eur"] is not None:
        gap = matched["gap_to_fair_eur"]
        lines.append(
            f"<p><b>Loss-matching penalty</b>: {eur(matched['per_point_eur'])} per point "
            f"(client loss model); gap to the fair rate "
            f"{'-' if gap is None else eur(gap)}.</p>"
        )
    return "".join(lines)


def _warnings_section(document: dict) -> str:
    warnings = document["warnings"]
    if not warnings:
        return '<p class="empty">None of the perils checked shows in this scenario.</p>'
    return "<ul>" + "".join(f"<li>{esc(item['message'])}</li>" for item in warnings) + "</ul>"


def _sensitivity_section(sensitivity: pd.DataFrame, level: float) -> str:
    rows = sensitivity[np.isclose(sensitivity["level"], level)]
    body = [
        (
            row.term,
            row.value + (" (as written)" if row.as_written else ""),
            _with_ci(
                row.expected_net_credit_eur,
                [row.expected_net_credit_eur_ci95_low, row.expected_net_credit_eur_ci95_high],
            ),
            percent(row.p_breach),
            (
                percent(row.p_breach_any),
                _interval([row.p_breach_any_ci95_low, row.p_breach_any_ci95_high]),
            ),
        )
        for row in rows.itertuples(index=False)
    ]
    heads = (
        "term",
        "value",
        "expected net credit (EUR)",
        "P(clause breach)",
        "P(any breach) [95 % CI]",
    )
    return f"<p>At staffing {level:g}x.</p>" + table(heads, body, 2)


def _page(scenario: Scenario, document: dict, sensitivity: pd.DataFrame, pngs: dict) -> str:
    best = document["best_response"]["level"]
    levels = [entry["level"] for entry in document["levels"]]
    as_written = levels[int(np.argmin([abs(level - 1.0) for level in levels]))]
    sections = (
        ("answer", "What the contract makes the partner do", _answer_section(document)),
        ("warnings", "Perils this scenario shows", _warnings_section(document)),
        (
            "cost-curves",
            "Cost of service",
            figure_html(
                pngs,
                "cost_curves",
                "cost curves",
                "Means over replications with 95 % intervals (bands), on common random numbers."
                " Solid: the partner's best response; dashed: the client's required staffing.",
            ),
        ),
        (
            "risk",
            "Breach risk and expected credit",
            figure_html(pngs, "risk", "risk curves", "Dotted: the client's limit on misses."),
        ),
        (
            "levels",
            "Staffing levels",
            _levels_table(document)
            + '<p class="caption">Means over the horizon with 95 % intervals below them. '
            "(imprecise): the interval of the expected service credit is wider than 10 % of its "
            "value and 500 EUR; more replications would not get there soon (a fixed penalty "
            "owed in some periods and not in others).</p>",
        ),
        (
            "sensitivity",
            "Sensitivity to the contract terms",
            _sensitivity_section(sensitivity, best)
            + (_sensitivity_section(sensitivity, as_written) if as_written != best else ""),
        ),
    )
    nav, body = section_nav_and_body(sections)
    return report_page(
        f"ccplan negotiation: {scenario.name}",
        f'<p class="meta">Seed {document["seed"]}, contract measured per '
        f"{esc(document['measurement_period'])}, target clause "
        f"{esc(document['target']['clause'])}.</p><nav>{nav}</nav>{body}",
    )


def write_negotiation(
    out_dir: str | os.PathLike[str], scenario: Scenario, negotiation: Negotiation
) -> Path:
    """Write the folder of the module docstring from a ``Negotiation``; returns its path."""
    document = negotiation.document
    best = document["best_response"]["level"]
    required = document["client_requirement"]["level"]
    pngs = {
        "cost_curves": png_bytes(cost_curve_figure(negotiation.curves, best, required)),
        "risk": png_bytes(
            risk_figure(
                negotiation.curves,
                document["target"]["clause"],
                document["target"]["alpha"],
                best,
                required,
            )
        ),
    }
    out_dir = Path(out_dir)
    with staged_folder(out_dir) as stage:
        write_json(stage / "negotiation.json", document)
        negotiation.curves.to_csv(stage / "curves.csv", index=False)
        negotiation.periods.to_csv(stage / "periods.csv", index=False, date_format="%Y-%m-%d")
        negotiation.sensitivity.to_csv(stage / "sensitivity.csv", index=False)
        negotiation.screening.to_csv(stage / "screening.csv", index=False)
        write_pngs(pngs, stage)
        page = _page(scenario, document, negotiation.sensitivity, pngs)
        (stage / "report.html").write_text(page, encoding="utf-8")
    return out_dir
