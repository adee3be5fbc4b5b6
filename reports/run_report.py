"""``report.html``: one self-contained page a planner can mail.

:func:`write_report` writes the results of a run as one HTML file with its plots embedded as
base64 PNG data URIs, its style inline and no script, font or link to anything outside the file.
Every text taken from the scenario is escaped with :func:`html.escape`. The sections, in order,
are :data:`SECTIONS` (id and heading): the answer first (:mod:`reports.answer_section`: the
money, each clause's P(breach) with its interval, the driving clause with its periods, days and
reasons, and what would change it), then the money and risk in detail, the service and staffing
views, and the inputs and assumptions last. Without a contract the contract sections say so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from reports.answer import Answer, run_answer
from reports.answer_section import answer_section, no_contract_answer
from reports.assumptions import assumptions_section
from reports.html_style import report_page
from reports.run_figures import run_pngs
from reports.scenario_text import (
    clause_target,
    esc,
    norm,
    percent,
    scenario_section,
    table,
)
from reports.view_sections import (
    NO_INTERVALS,
    figure_html,
    interval_sections,
    risk_sections,
    staffing_risk_section,
    worst_section,
)
from sla_eval.partner_cost import HOURS_KPIS
from sla_eval.summary import TOTAL_COLUMNS, describe, summary_dict
from staffing import plan_by_week

if TYPE_CHECKING:
    from scenarios.scenario import Scenario

__all__ = ["SECTIONS", "figure_html", "p_breach_text", "write_report"]

SECTIONS: tuple[tuple[str, str], ...] = (
    ("answer", "The answer: cost, breach risk, what drives it, what would change it"),
    ("clauses", "Clauses: expected penalty, bonus and P(breach)"),
    ("p-breach", "P(breach) per clause"),
    ("weekly-risk", "Weekly value and risk per clause"),
    ("staffing-risk", "Breach risk and labour cost against staffing"),
    ("total-cost", "Total expected cost"),
    ("penalty-distribution", "Net credit distribution"),
    ("clause-kpis", "Clause KPIs per measurement period"),
    ("channel-kpis", "Channel KPIs over the horizon"),
    ("sl-heatmap", "Service per day and time of day"),
    ("interval-service-level", "Service per weekday and time of day against the target"),
    ("worst-intervals", "Worst intervals"),
    ("staffing", "Required versus scheduled agents in the busiest week"),
    ("headcount", "Headcount over time"),
    ("forecast-error", "Forecast error: who paid for it"),
    ("warnings", "Notices and warnings"),
    ("scenario", "Scenario"),
    ("assumptions", "Assumptions"),
)
"""Section ids (HTML anchors) and headings of the report."""

_KPIS = (
    ("offered", "offered"),
    ("answered", "answered"),
    ("service_level", "service level"),
    ("response_within_target_frac", "answered in time"),
    ("abandon_frac", "abandoned"),
    ("asa_s", "ASA"),
    ("fcr_frac", "FCR felt by customers"),
    ("agent_fcr_frac", "FCR reported by agents"),
    ("escalation_frac", "escalated"),
    ("complaint_frac", "complaints (strategic escalations)"),
    ("aht_s", "AHT"),
    ("occupancy_frac", "occupancy"),
    ("overtime_agent_s", "overtime after end of duty"),
    ("staff_availability_frac", "staffed / contracted hours"),
    ("csat", "CSAT"),
    ("csat_top_box_frac", "CSAT top box (4-5)"),
    ("csat_negative_frac", "CSAT negative (1-2)"),
)
_COST_ROWS = (
    ("fee_eur", "fee"),
    ("penalty_eur", "penalties"),
    ("earned_back_eur", "earned back"),
    ("bonus_eur", "bonuses"),
    ("net_credit_eur", "net credit (penalties - earned back - bonuses)"),
    ("client_cost_eur", "client cost (fee - net credit)"),
    ("labour_cost_eur", "partner labour (paid hours, shrinkage included)"),
    ("hiring_cost_eur", "partner hiring (paid training hours, cost per hire)"),
    ("overhead_eur", "partner overhead (per paid FTE and month)"),
    ("partner_cost_eur", "partner cost (labour + hiring + overhead)"),
    ("partner_margin_eur", "partner margin (client cost - partner cost)"),
)
_HOUR_ROWS = (
    ("paid_agent_hours", "paid agent hours on the roster"),
    ("training_agent_hours", "paid training hours of hires"),
    ("hires", "hires starting training"),
)


def _kpi_text(kpi: str, value: float) -> str:
    if kpi.endswith("_frac") or kpi == "service_level":
        return percent(value)
    if kpi.endswith("_s"):
        return f"{value:.1f} s"
    return f"{value:.2f}" if kpi == "csat" else f"{value:,.0f}"


def _amount(value: float) -> str:
    return f"{value:,.0f}"


def _with_ci(described: dict | None, text: Callable[[float], str]) -> str | tuple[str, str]:
    """The mean and, below it, its 95 % confidence interval, each formatted with ``text``."""
    if described is None or described["mean"] is None:
        return "-"
    low, high = described["ci95"]
    if low is None:
        return text(described["mean"])
    return (text(described["mean"]), f"[{text(low)}, {text(high)}]")


def _channel_kpi_section(scenario: Scenario, channels: Mapping[str, dict]) -> str:
    names = list(scenario.channels)
    rows = [
        [
            label,
            *(_with_ci(channels.get(name, {}).get(kpi), partial(_kpi_text, kpi)) for name in names),
        ]
        for kpi, label in _KPIS
        if any((channels.get(name, {}).get(kpi) or {}).get("mean") is not None for name in names)
    ]
    targets = ", ".join(
        f"{name} {norm(channel)}"
        for name, channel in scenario.channels.items()
        if channel.service_target is not None
    )
    return table(["KPI", *names], rows, 1) + (
        '<p class="caption">Mean over replications of the value over the whole horizon, with '
        "its 95 % confidence interval below. Service level and answered in time are measured "
        f"against each channel's own norm: {esc(targets or 'none')}. Offered and answered are "
        "counts of contacts (repeats and redials included).</p>"
    )


def p_breach_text(entry: Mapping) -> str | tuple[str, str]:
    """P(breach) of a summary entry with its Wilson interval below; "not applicable" when the
    clause never applied."""
    if entry.get("p_breach") is None:
        return "not applicable"
    low, high = entry["p_breach_ci95"]
    return (percent(entry["p_breach"]), f"[{percent(low)}, {percent(high)}]")


def _clause_section(scenario: Scenario, clauses: Mapping[str, dict], replications: int) -> str:
    assert scenario.contract is not None, "only a scenario with a contract has clauses"
    rows = []
    contract = scenario.contract
    for clause in contract.clauses:
        found = clauses[clause.id]
        rows.append(
            (
                clause.id,
                clause.channel,
                contract.period_of(clause),
                clause_target(clause),
                p_breach_text(found),
                *(
                    _with_ci(found[column], _amount)
                    for column in ("penalty_eur", "earned_back_eur", "bonus_eur", "net_credit_eur")
                ),
            )
        )
    headers = (
        "clause",
        "channel",
        "measured per",
        "target",
        "P(breach) [95 % CI]",
        "penalty (EUR)",
        "earned back (EUR)",
        "bonus (EUR)",
        "net credit (EUR)",
    )
    return table(headers, rows, 3) + (
        '<p class="caption">Expected money summed over the measurement periods of the horizon: '
        "mean over replications with its 95 % confidence interval below. P(breach): share of "
        f"the {replications} replications with a breach of the clause in at least one period "
        "(a relieved miss is no breach), with its Wilson 95 % interval; not applicable: the "
        "clause never applied (no value, or below its minimum volume). Penalties are after the "
        "repeat-miss multiplier, the pool and the at-risk cap; net credit = penalty - earned "
        "back - bonus.</p>"
    )


def _cost_section(scenario: Scenario, totals: pd.DataFrame, contract: Mapping) -> str:
    per_replication = totals.groupby("replication")[[*TOTAL_COLUMNS, *HOURS_KPIS]].sum(min_count=1)
    rows = []
    for column, label in (*_COST_ROWS, *_HOUR_ROWS):
        described = describe(per_replication[column])
        spread = "-"
        if described["mean"] is not None:
            spread = f"{_amount(described['q05'])} to {_amount(described['q95'])}"
        rows.append((label, _with_ci(described, _amount), spread))
    headers = ("over the horizon", "expected [95 % CI]", "5 % to 95 % of replications")
    margin = contract.get("partner_margin_frac")
    assert scenario.contract is not None, "only a contract has a cost section"
    fee = scenario.contract.fee
    source = (
        f"a fixed fee of {_amount(fee.fixed_per_billing_period_eur)} EUR per "
        f"{fee.billing_period}, prorated to the simulated days"
        if fee.fixed_per_billing_period_eur is not None
        else "the partner's pricing of what it delivered"
    )
    return table(headers, rows, 1) + (
        f'<p class="caption">P(breach of any clause in any period): '
        f"{esc(_p_text(contract))}. Money in EUR. The fee is {esc(source)}. The partner pays "
        "every scheduled hour: its labour cost counts the paid agent hours of the roster "
        "(shrinkage removes productive time, not cost), hires in training are paid and not "
        "productive; none given: no cost and no margin. Partner margin "
        f"{esc('-' if margin is None else percent(margin))} of the client cost (typical BPO "
        "gross margins are 10-30 %).</p>"
    )


def _p_text(entry: Mapping) -> str:
    text = p_breach_text(entry)
    return text if isinstance(text, str) else f"{text[0]} {text[1]}"


def _forecast_section(contract: Mapping) -> str:
    forecast = contract["forecast_error"]
    rows = [
        (
            channel,
            _amount(found["forecast_contacts"]),
            _with_ci(found["first_contacts"], _amount),
            "-"
            if not found["forecast_contacts"] or found["first_contacts"]["mean"] is None
            else percent(found["first_contacts"]["mean"] / found["forecast_contacts"] - 1.0),
        )
        for channel, found in forecast.get("channels", {}).items()
    ]
    volumes = table(
        ("channel", "contract forecast", "first contacts that arrived", "above forecast"),
        rows,
        1,
    )
    money = table(
        ("who paid", "expected (EUR) [95 % CI]"),
        [
            (
                "client: credits waived by relief bands",
                _with_ci(forecast["relieved_eur"], _amount),
            ),
            (
                "partner: penalties paid in periods above the forecast",
                _with_ci(forecast["kept_above_forecast_eur"], _amount),
            ),
        ],
        1,
    )
    return (
        volumes
        + money
        + '<p class="caption">The contract forecast is what the client committed to '
        "(contract.forecast); the demand that arrives may differ (events.forecast_bias and the "
        "forecast error). A relief band waives a penalty in a period whose first contacts "
        "exceed the forecast by more than the band: the client then carries the forecast "
        "error. Penalties the partner pays in periods above the forecast (within the band, or "
        "without one) are forecast error the partner carries.</p>"
    )


def _headcount_section(scenario: Scenario, plan: pd.DataFrame, pngs: Mapping[str, bytes]) -> str:
    """The headcount figure and its weekly table (``staffing.plan_by_week``)."""
    weeks = plan_by_week(plan, scenario)
    hours = scenario.partner.fte_hours_per_week
    rows = [
        (
            f"{row.week_start:%Y-%m-%d}",
            row.team,
            *("-" if pd.isna(v) else f"{v:,.1f}" for v in (row.headcount, row.in_training)),
            *("-" if pd.isna(v) else f"{v:,.1f}" for v in (row.hired, row.left)),
            f"{row.paid_hours:,.0f}",
            f"{row.fte:,.1f}",
        )
        for row in weeks.itertuples(index=False)
    ]
    headers = ("week of", "team", "in production", "in training", "hired", "left", "paid h", "FTE")
    return figure_html(
        pngs,
        "headcount",
        "headcount over time",
        "Per team and week: agents in production at the week start and in training (expected; "
        "hires after their lead time train paid, then take contacts), hires and leavers "
        f"(attrition) in the week, and FTE = paid hours / {hours:g} h (the contract week). "
        "Teams on auto or a roster file have no headcount: their FTE only.",
    ) + table(headers, rows, 2)


def write_report(
    path: str | Path,
    scenario: Scenario,
    plan: pd.DataFrame,
    kpis: pd.DataFrame,
    evaluation: pd.DataFrame | None = None,
    totals: pd.DataFrame | None = None,
    *,
    seed: int,
    pngs: Mapping[str, bytes] | None = None,
    summary: Mapping | None = None,
    answer: Answer | None = None,
) -> Path:
    """Write the report of a run to ``path`` (one self-contained HTML file) and return it.

    Parameters
    ----------
    path:
        The file to write (its folder must exist).
    scenario:
        The ``scenarios.Scenario`` that was run.
    plan:
        The staffing plan (``staffing.plan``; columns in :mod:`reports.run_figures`).
    kpis:
        The long KPI table of every replication, with ``interval`` and ``horizon`` periods and
        the contract's measurement period.
    evaluation, totals:
        ``sla_eval.evaluate_contract`` and ``sla_eval.contract_totals`` (with the labour cost
        when known); both None for a scenario without contract.
    seed:
        The root seed the run used.
    pngs:
        The figures from :func:`reports.run_figures.run_pngs` when already drawn (to write them as
        files too); drawn here when None.
    summary:
        The run's ``summary.json`` (:func:`sla_eval.evaluation.evaluate_run`), for its
        warnings and the forecast per channel; computed from the tables when None (without
        them).
    answer:
        :func:`reports.answer.run_answer` of the run when already computed; computed here when
        None.
    """
    if pngs is None:
        pngs = run_pngs(scenario, plan, kpis, evaluation, totals)
    if summary is None:
        summary = summary_dict(kpis, evaluation, totals)
    warnings = summary.get("warnings") or ()
    if answer is None and evaluation is not None:
        answer = run_answer(scenario, plan, kpis, evaluation, summary)
    description = scenario.description.strip()
    body = {
        "answer": no_contract_answer(summary["replications"])
        if answer is None
        else answer_section(answer),
        "scenario": f'<p class="description">{esc(description)}</p>'
        + scenario_section(scenario, summary["replications"], seed),
        "warnings": "".join(f"<p>{esc(line)}</p>" for line in warnings)
        or '<p class="empty">None: every input is used, and the partner margin is plausible.</p>',
        "channel-kpis": _channel_kpi_section(scenario, summary["channels"]),
        "staffing": figure_html(
            pngs,
            "staffing",
            "required versus scheduled agents",
            "The week whose required agents sum highest, Monday to Sunday. "
            "Required: productive agents the channel's norm needs in each interval (model in "
            "Assumptions). Scheduled: the team's agents on duty before shrinkage (the same on "
            "every channel of a shared team). Productive: the scheduled agents after shrinkage "
            "given to this channel.",
        ),
        "headcount": _headcount_section(scenario, plan, pngs),
        "assumptions": assumptions_section(scenario),
    }
    body.update(interval_sections(pngs))
    targets = {
        name: channel.service_target.target
        for name, channel in scenario.channels.items()
        if channel.service_target is not None
    }
    intervals = bool((kpis["period_kind"] == "interval").any())
    body["worst-intervals"] = (
        worst_section(kpis, targets) if targets and intervals else NO_INTERVALS
    )
    if evaluation is None:
        for key in (
            "clause-kpis",
            "penalty-distribution",
            "clauses",
            "p-breach",
            "weekly-risk",
            "staffing-risk",
            "total-cost",
            "forecast-error",
        ):
            body[key] = '<p class="empty">The scenario has no contract: nothing evaluated.</p>'
    else:
        contract = summary["contract"]
        body["clause-kpis"] = figure_html(
            pngs,
            "clause_kpis",
            "clause KPIs per measurement period",
            "One panel per clause: its KPI in each measurement period, one dot per "
            "replication, boxes from the lower to the upper quartile with the median; "
            "dashed: the clause target, dotted: the bonus threshold.",
        )
        body["penalty-distribution"] = figure_html(
            pngs,
            "net_credit",
            "net credit distribution",
            "Net credit the partner gives back (penalties - earned back - bonuses; negative: "
            "the client pays a bonus), per billing period and summed over the horizon, "
            "one dot per replication; dotted: the at-risk cap on penalties.",
        ) + figure_html(
            pngs,
            "net_credit_hist",
            "histogram of the net credit over the horizon",
            "The net credit over the horizon of every replication; dashed: the mean, dotted: "
            "the 5 % and 95 % quantiles.",
        )
        body.update(risk_sections(pngs))
        body["staffing-risk"] = staffing_risk_section(answer, summary)
        body["clauses"] = _clause_section(scenario, contract["clauses"], summary["replications"])
        body["total-cost"] = _cost_section(scenario, totals, contract)
        body["forecast-error"] = _forecast_section(contract)
    nav = " · ".join(f'<a href="#{key}">{esc(title)}</a>' for key, title in SECTIONS[1:])
    sections = "".join(
        f'<section id="{key}"><h2>{esc(title)}</h2>{body[key]}</section>'
        + (f"<nav>{nav}</nav>" if key == "answer" else "")
        for key, title in SECTIONS
    )
    page = report_page(f"ccplan report: {scenario.name}", sections)
    target = Path(path)
    target.write_text(page, encoding="utf-8")
    return target
