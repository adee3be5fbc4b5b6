"""results.xlsx (reports.workbook): written, read back with pandas, equal to the run's tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reports.workbook import SHEETS, write_workbook
from sla_eval.evaluation import Evaluation, channel_overview
from sla_eval.period_risk import clause_period_risk


@pytest.fixture(scope="module")
def book(run, summary, tmp_path_factory):
    evaluation = Evaluation(run["kpis"], run["evaluation"], run["totals"], summary)
    path = tmp_path_factory.mktemp("book") / "results.xlsx"
    assert write_workbook(path, run["scenario"], evaluation, run["plan"]) == path
    assert [p.name for p in path.parent.iterdir()] == ["results.xlsx"]  # no partial file left
    return pd.read_excel(path, sheet_name=None)


def test_every_sheet_is_there(book):
    assert tuple(book) == SHEETS


def test_the_summary_and_clauses_round_trip(book, summary):
    channels = channel_overview(summary)
    sheet = book["summary"]
    own = sheet[sheet["channel"] != "contract"]
    assert own["mean"].to_numpy() == pytest.approx(channels["mean"].to_numpy(), nan_ok=True)
    contract = sheet[sheet["channel"] == "contract"].set_index("kpi")["mean"]
    assert contract["p_breach"] == pytest.approx(summary["contract"]["p_breach"])
    credit = summary["contract"]["net_credit_eur"]["mean"]
    assert contract["net_credit_eur"] == pytest.approx(credit)
    clauses = book["clauses"].set_index("clause")
    for key, entry in summary["contract"]["clauses"].items():
        if entry["p_breach"] is None:
            assert np.isnan(clauses.loc[key, "p_breach"])
            continue
        assert clauses.loc[key, "p_breach"] == pytest.approx(entry["p_breach"])
        assert clauses.loc[key, "p_breach_ci95_high"] == pytest.approx(entry["p_breach_ci95"][1])


def test_the_weekly_risk_and_the_plan_round_trip(book, run):
    weekly = clause_period_risk(run["kpis"], run["scenario"].contract, "week")
    sheet = book["weekly_risk"]
    assert list(sheet["clause"]) == list(weekly["clause"])
    assert sheet["p_miss"].to_numpy() == pytest.approx(weekly["p_miss"].to_numpy())
    assert (pd.to_datetime(sheet["period_start"]) == weekly["period_start"]).all()
    plan = book["staffing"]
    assert len(plan) == len(run["plan"])
    assert (pd.to_datetime(plan["interval_start"]) == run["plan"]["interval_start"]).all()
    scheduled = run["plan"]["scheduled_agents"].to_numpy(np.float64)
    assert plan["scheduled_agents"].to_numpy(np.float64) == pytest.approx(scheduled)
    required = pd.to_numeric(run["plan"]["required_agents"]).astype("float64").to_numpy()
    assert plan["required_agents"].to_numpy(np.float64) == pytest.approx(required, nan_ok=True)
