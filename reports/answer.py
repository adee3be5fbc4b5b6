"""The answer of a run, first: what the contract is expected to cost, how likely each clause
is to breach, what drives the risk and what would change it.

:func:`run_answer` gathers it from the run's tables: the money and P(breach) of ``summary.json``,
the driving clause with its periods, days and reasons (:func:`reports.drivers.risk_driver`,
over the weekly risk of :func:`sla_eval.period_risk.clause_period_risk`) and the staffing
sensitivity (:func:`reports.what_if.what_if`). :func:`answer_sentences` and
:func:`answer_table` put it in words and one table, the same for ``report.html`` and the
terminal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from reports.drivers import RiskDriver, day_text, risk_driver
from reports.scenario_text import clause_target
from reports.text import clause_label
from reports.what_if import ClauseWhatIf, Risk, WhatIf, what_if
from scenarios import expand
from sla_eval.period_risk import clause_period_risk

if TYPE_CHECKING:
    from scenarios.demand import Workload
    from scenarios.scenario import Scenario

__all__ = [
    "ANSWER_HEADERS",
    "Answer",
    "answer_sentences",
    "answer_table",
    "risk_text",
    "run_answer",
]

ANSWER_HEADERS = (
    "clause",
    "measures",
    "target",
    "P(breach) [95 % CI]",
    "expected net credit (EUR) [95 % CI]",
    "one agent more",
    "one agent less",
    "staffing factor for P(breach) <= {level}",
)
"""Columns of :func:`answer_table` (the last one formatted with the searched level)."""


@dataclass(frozen=True)
class Answer:
    """The answer of a run with a contract (module docstring).

    Attributes
    ----------
    scenario:
        The ``scenarios.Scenario`` run.
    summary:
        Its ``summary.json``.
    driver:
        The driving clause, or None when no clause breached.
    what_if:
        The staffing sensitivity.
    weekly:
        Every clause per week (:func:`sla_eval.period_risk.clause_period_risk`).
    """

    scenario: Scenario
    summary: Mapping[str, Any]
    driver: RiskDriver | None
    what_if: WhatIf
    weekly: pd.DataFrame


def run_answer(
    scenario: Scenario,
    plan: pd.DataFrame,
    kpis: pd.DataFrame,
    evaluation: pd.DataFrame | None,
    summary: Mapping[str, Any],
    workload: Workload | None = None,
) -> Answer | None:
    """The answer of a run; None without a contract.

    Parameters
    ----------
    plan:
        The staffing plan (``staffing.plan``).
    kpis:
        The long KPI table (day and week rows are read).
    evaluation:
        The contract evaluation (:data:`sla_eval.CONTRACT_COLUMNS`).
    summary:
        The run's ``summary.json``.
    workload:
        ``scenarios.expand(scenario)``, expanded here when None.
    """
    if scenario.contract is None or evaluation is None or summary.get("contract") is None:
        return None
    workload = expand(scenario) if workload is None else workload
    longer = kpis[kpis["period_kind"].isin(["day", "week"])]
    weekly = clause_period_risk(longer, scenario.contract, "week")
    driver = risk_driver(scenario, workload, plan, longer, summary, weekly)
    return Answer(scenario, summary, driver, what_if(scenario, workload, evaluation), weekly)


def _eur(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _stats_text(stats: Mapping[str, Any]) -> tuple[str, str]:
    low, high = stats["ci95"]
    interval = "" if low is None else f"[{_eur(low)}, {_eur(high)}]"
    return _eur(stats["mean"]), interval


def _pct(value: float) -> str:
    return f"{100 * value:.0f}\u00a0%"


def risk_text(risk: Sequence[float] | None) -> str:
    """``40 % [17 %, 69 %]``; ``-`` for None or NaN."""
    cell = _risk_cell(risk)
    return cell if isinstance(cell, str) else f"{cell[0]} {cell[1]}"


def _risk_cell(risk: Risk | Sequence[float] | None) -> str | tuple[str, str]:
    """``(p, [low, high])`` for a table cell; ``-`` for None or NaN."""
    if risk is None or risk[0] != risk[0]:
        return "-"
    p, low, high = risk
    if low is None or high is None:
        return _pct(p)
    return _pct(p), f"[{_pct(low)}, {_pct(high)}]"


def _money_sentence(answer: Answer) -> str:
    contract = answer.summary["contract"]
    cost, cost_ci = _stats_text(contract["client_cost_eur"])
    credit, credit_ci = _stats_text(contract["net_credit_eur"])
    days = answer.scenario.horizon.days
    runs = answer.summary["replications"]
    return (
        f"Over the {days} day{'s' if days != 1 else ''} ({runs} replication"
        f"{'s' if runs != 1 else ''}) the client is expected to pay {cost} EUR "
        f"{cost_ci} and to get back a net credit of {credit} EUR {credit_ci} (penalties "
        f"{_eur(contract['expected_penalty_eur'])} - earned back "
        f"{_eur(contract['expected_earned_back_eur'])} - bonuses "
        f"{_eur(contract['expected_bonus_eur'])} EUR). P(breach of any clause in any period): "
        f"{risk_text([contract['p_breach'], *contract['p_breach_ci95']])}."
    )


def _days_text(driver: RiskDriver) -> str:
    parts = [
        f"{day_text(cause.day)} ({_pct(cause.share)} of the shortfall: {'; '.join(cause.reasons)})"
        for cause in driver.days
    ]
    return "The days that pull it down: " + ", ".join(parts) + "." if parts else ""


def _driver_sentences(answer: Answer) -> list[str]:
    driver = answer.driver
    if driver is None:
        runs = answer.summary["replications"]
        return [f"No clause breached in any of the {runs} replications."]
    clause = driver.clause
    period = answer.scenario.contract.period_of(clause) if answer.scenario.contract else "period"
    money = (
        f", {_eur(driver.expected_penalty_eur)} of the {_eur(driver.total_penalty_eur)} EUR "
        "expected penalties"
        if driver.total_penalty_eur > 0
        else ""
    )
    lines = [
        f"The risk is driven by {clause.id} ({clause.channel}: {clause_label(clause)}, target "
        f"{clause_target(clause)} per {period}): P(breach) "
        f"{risk_text([driver.p_breach, *driver.p_breach_ci95])}{money}."
    ]
    where = []
    if driver.periods:
        starts = ", ".join(f"{start:%d %b %Y} ({_pct(p)})" for start, p in driver.periods[:3])
        where.append(f"It breaches in the {period} starting {starts}")
    if driver.week is not None and driver.week[1] > 0:
        start, p_miss, low, high, n = driver.week
        among = "replications"
        if n < answer.summary["replications"]:
            among = f"the first {n:,} replications"  # the day and week rows a run keeps
        where.append(
            f"its riskiest week starts {day_text(start)} (the week misses the target in "
            f"{risk_text([p_miss, low, high])} of {among})"
        )
    if where:
        lines.append("; ".join(where) + ".")
    days = _days_text(driver)
    if days:
        lines.append(days)
    if driver.general:
        lines.append("It is driven by " + ", ".join(driver.general) + ".")
    return lines


def _change_sentence(answer: Answer, entry: ClauseWhatIf) -> str:
    level = _pct(answer.what_if.level)
    text = (
        f"One more {entry.team} agent on duty would move {entry.clause} to P(breach) "
        f"{risk_text(entry.plus_one)}, one less to {risk_text(entry.minus_one)}"
    )
    if entry.factor is None:
        return text + f"; no staffing factor of the range searched brings it to {level}."
    if entry.p_breach[0] > answer.what_if.level:
        return text + (
            f"; staffing every team x{entry.factor:.2f} brings it to "
            f"{risk_text(entry.factor_p_breach)}."
        )
    return text + f"; it stays at or below {level} down to staffing x{entry.factor:.2f}."


def _what_if_sentences(answer: Answer) -> list[str]:
    found = {entry.clause: entry for entry in answer.what_if.clauses}
    driver = answer.driver
    lines = []
    if driver is not None and driver.clause.id in found:
        lines.append(_change_sentence(answer, found[driver.clause.id]))
    elif driver is not None:
        lines.append(
            f"Staffing does not move {driver.clause.id} in the model's screen (it screens "
            "service level and response-time clauses only)."
        )
    for entry in answer.what_if.clauses:
        if entry.p_breach[0] > answer.what_if.level and (
            driver is None or entry.clause != driver.clause.id
        ):
            lines.append(_change_sentence(answer, entry))
    still = (
        [
            f"{clause.id} ({_pct(entry['p_breach'])})"
            for clause in answer.scenario.contract.clauses
            if (entry := answer.summary["contract"]["clauses"][clause.id])["p_breach"]
            and entry["p_breach"] > answer.what_if.level
            and clause.id in answer.what_if.not_modelled
            and (driver is None or clause.id != driver.clause.id)
        ]
        if answer.scenario.contract is not None
        else []
    )
    if still:
        lines.append("Not moved by staffing in the screen: " + ", ".join(still) + ".")
    cost = answer.what_if
    lines.append(
        f"(Sensitivity: {cost.screens} Erlang screens in {cost.seconds:.1f} s, no extra "
        "simulation: each period's simulated values moved by the screen's change.)"
    )
    return lines


def answer_sentences(answer: Answer) -> list[str]:
    """The answer in sentences: the money, the driving clause with its periods, days and
    reasons, and what would change it."""
    return [_money_sentence(answer), *_driver_sentences(answer), *_what_if_sentences(answer)]


def answer_table(answer: Answer) -> tuple[tuple[str, ...], list[tuple]]:
    """Headers (:data:`ANSWER_HEADERS`) and one row per clause, the driving clause first, and
    a last row of every clause together; a cell is a text or ``(text, interval)``."""
    contract = answer.scenario.contract
    assert contract is not None, "an answer has a contract"
    clauses = answer.summary["contract"]["clauses"]
    found = {entry.clause: entry for entry in answer.what_if.clauses}
    driving = None if answer.driver is None else answer.driver.clause.id
    rows = []
    for clause in sorted(contract.clauses, key=lambda clause: clause.id != driving):
        entry = clauses[clause.id]
        risk = None if entry["p_breach"] is None else (entry["p_breach"], *entry["p_breach_ci95"])
        change = found.get(clause.id)
        factor = "not modelled"
        if change is not None:
            factor = "-" if change.factor is None else f"x{change.factor:.2f}"
        name = f"{clause.id} (driver)" if clause.id == driving else clause.id
        rows.append(
            (
                name,
                f"{clause.channel}: {clause_label(clause)}",
                f"{clause_target(clause)} per {contract.period_of(clause)}",
                _risk_cell(risk) if risk is not None else "not applicable",
                _stats_text(entry["net_credit_eur"]),
                "not modelled" if change is None else _risk_cell(change.plus_one),
                "not modelled" if change is None else _risk_cell(change.minus_one),
                factor,
            )
        )
    contract_entry = answer.summary["contract"]
    rows.append(
        (
            "all clauses",
            "any clause, any period",
            "",
            _risk_cell((contract_entry["p_breach"], *contract_entry["p_breach_ci95"])),
            _stats_text(contract_entry["net_credit_eur"]),
            "",
            "",
            "",
        )
    )
    headers = (*ANSWER_HEADERS[:-1], ANSWER_HEADERS[-1].format(level=_pct(answer.what_if.level)))
    return headers, rows
