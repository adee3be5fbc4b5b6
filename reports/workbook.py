"""``results.xlsx``: the results of a run in one workbook, for planners who work in
spreadsheets.

:func:`write_workbook` writes these sheets (openpyxl), each a plain table with a bold, frozen
header row, so ``pandas.read_excel(path, sheet_name=None)`` reads them back:

================  ===========================================================================
sheet             content
================  ===========================================================================
``summary``       per channel and KPI over the horizon: mean, 95 % interval, target
                  (:func:`sla_eval.evaluation.channel_overview`); then the contract's money
                  and P(breach) as ``channel = "contract"`` rows
``clauses``       per clause: KPI, channel, target, P(breach) with its Wilson 95 % interval
                  and the expected money (:func:`sla_eval.evaluation.clause_overview`); only
                  with a contract
``weekly_risk``   every clause per week (:func:`sla_eval.period_risk.clause_period_risk`);
                  only with a contract and week rows
``staffing``      the interval staffing plan (``staffing.PLAN_COLUMNS``)
``headcount``     headcount, hires, leavers and FTE per team and week (``staffing.plan_by_week``)
================  ===========================================================================

Fractions are fractions (0.8, not 80 %), times local wall-clock date-times, money in EUR.
The file is written beside ``path`` and renamed over it, so it is never half-written.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

import staffing
from scenarios import expand
from sla_eval.evaluation import channel_overview, clause_overview
from sla_eval.period_risk import clause_period_risk
from staffing import plan_by_week

if TYPE_CHECKING:
    from scenarios.scenario import Scenario
    from sla_eval.evaluation import Evaluation

__all__ = ["SHEETS", "WORKBOOK_FILE", "add_workbook", "write_workbook"]

WORKBOOK_FILE = "results.xlsx"
"""The workbook's name in a results folder."""
SHEETS = ("summary", "clauses", "weekly_risk", "staffing", "headcount")
"""The sheets, in order (module docstring)."""
_CONTRACT_ROWS = (
    "client_cost_eur",
    "fee_eur",
    "penalty_eur",
    "earned_back_eur",
    "bonus_eur",
    "net_credit_eur",
    "partner_cost_eur",
    "partner_margin_eur",
)
_MAX_WIDTH = 40


def _summary_sheet(summary: Mapping[str, Any]) -> pd.DataFrame:
    channels = channel_overview(summary)
    contract = summary.get("contract")
    if contract is None:
        return channels
    rows = [
        {
            "channel": "contract",
            "kpi": "p_breach",
            "mean": contract["p_breach"],
            "ci95_low": contract["p_breach_ci95"][0],
            "ci95_high": contract["p_breach_ci95"][1],
        }
    ]
    for name in _CONTRACT_ROWS:
        stats = contract.get(name)
        if stats is not None:
            low, high = stats["ci95"]
            rows.append(
                {
                    "channel": "contract",
                    "kpi": name,
                    "mean": stats["mean"],
                    "ci95_low": low,
                    "ci95_high": high,
                }
            )
    return pd.concat([channels, pd.DataFrame(rows)], ignore_index=True)


def _clause_sheet(summary: Mapping[str, Any]) -> pd.DataFrame:
    clauses = clause_overview(summary)
    intervals = pd.DataFrame(
        clauses.pop("p_breach_ci95").tolist(),
        columns=["p_breach_ci95_low", "p_breach_ci95_high"],
        index=clauses.index,
    )
    position = clauses.columns.get_loc("p_breach") + 1
    for offset, column in enumerate(intervals.columns):
        clauses.insert(position + offset, column, intervals[column])
    return clauses


def _sheets(
    scenario: Scenario, plan: pd.DataFrame, evaluation: Evaluation
) -> dict[str, pd.DataFrame]:
    summary = evaluation.summary
    sheets = {"summary": _summary_sheet(summary)}
    if scenario.contract is not None and summary.get("contract") is not None:
        sheets["clauses"] = _clause_sheet(summary)
        weeks = evaluation.kpis[evaluation.kpis["period_kind"] == "week"]
        if not weeks.empty:
            sheets["weekly_risk"] = clause_period_risk(weeks, scenario.contract, "week")
    sheets["staffing"] = plan
    sheets["headcount"] = plan_by_week(plan, scenario)
    return sheets


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categories and nullable columns as plain values a spreadsheet holds."""
    columns = {}
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            columns[name] = column.astype(str)
        elif pd.api.types.is_extension_array_dtype(column.dtype) and not isinstance(
            column.dtype, pd.DatetimeTZDtype
        ):
            columns[name] = column.astype(object).where(column.notna(), None)
    return frame.assign(**columns)


def add_workbook(
    stage: Path, scenario: Scenario, evaluation: Evaluation, plan: pd.DataFrame
) -> None:
    """Write ``results.xlsx`` into a staged results folder (a
    :data:`reports.run_pipeline.Extra`, for ``ccplan run --xlsx``), with the run's own plan."""
    write_workbook(stage / WORKBOOK_FILE, scenario, evaluation, plan)


def write_workbook(
    path: str | os.PathLike[str],
    scenario: Scenario,
    evaluation: Evaluation,
    plan: pd.DataFrame | None = None,
) -> Path:
    """Write the workbook of a run to ``path`` (sheets in the module docstring); returns it.

    Parameters
    ----------
    scenario:
        The ``scenarios.Scenario`` run.
    evaluation:
        Its :class:`sla_eval.evaluation.Evaluation` (KPI table and ``summary.json``).
    plan:
        The run's staffing plan (``staffing.plan``); planned again when None (deterministic).
    """
    from openpyxl.styles import Font

    target = Path(path)
    if plan is None:
        plan = staffing.plan(scenario, expand(scenario))
    partial = target.with_name(f".{target.name}.partial")
    try:
        with pd.ExcelWriter(partial, engine="openpyxl") as writer:
            for name, frame in _sheets(scenario, plan, evaluation).items():
                _plain(frame).to_excel(writer, sheet_name=name, index=False)
                sheet = writer.sheets[name]
                sheet.freeze_panes = "A2"
                for cell in sheet[1]:
                    cell.font = Font(bold=True)
                    width = min(_MAX_WIDTH, max(10, len(str(cell.value)) + 2))
                    sheet.column_dimensions[cell.column_letter].width = width
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target
