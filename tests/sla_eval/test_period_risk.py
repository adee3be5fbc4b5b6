"""Each clause per period over replications, and P(breach) per clause, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.contract import Contract
from sla_eval.contract import evaluate_contract
from sla_eval.period_risk import PERIOD_RISK_COLUMNS, clause_p_breach, clause_period_risk

SL = "service_level_offered_30s"


def _contract() -> Contract:
    penalty = {"scheme": "fixed", "percent_of_fee": "5%"}
    return Contract.model_validate(
        {
            "fee": {"fixed_eur": 1000.0, "billing_period": "week"},
            "measurement_period": "week",
            "clauses": [
                {
                    "id": "sl",
                    "kpi": "service_level",
                    "channel": "phone",
                    "threshold": "30s",
                    "target": "80%",
                    "penalty": penalty,
                },
                {
                    "id": "asa",
                    "kpi": "asa",
                    "channel": "email",
                    "target": "60s",
                    "penalty": penalty,
                },
            ],
        }
    )


@pytest.fixture()
def weeks(kpis_of):
    # Three replications of two weeks; the second replication has no value in week 1.
    return kpis_of(
        {
            (SL, "phone"): [[0.70, 0.90], [0.85, np.nan], [0.75, 0.95]],
            ("offered", "phone"): [[100, 100], [100, 0], [100, 100]],
        },
        kind="week",
    )


@pytest.mark.parametrize("as_text", [False, True])
def test_clause_period_risk_by_hand(weeks, as_text):
    if as_text:  # a table with plain string columns is read the same
        weeks = weeks.astype({"period_kind": str, "channel": str, "kpi": str})
    table = clause_period_risk(weeks, _contract(), "week")
    assert list(table.columns) == list(PERIOD_RISK_COLUMNS)
    # the ASA clause has no rows: no line; the SL clause one line per week.
    assert table["clause"].tolist() == ["sl", "sl"]
    assert table["period"].tolist() == [0, 1]
    # week 0: 0.70, 0.85, 0.75 -> mean 0.7667, two of three below 80 %; week 1: 0.90, 0.95.
    assert table["n"].tolist() == [3, 2]
    assert table["mean"].tolist() == pytest.approx([(0.70 + 0.85 + 0.75) / 3, 0.925])
    assert table["p_miss"].tolist() == pytest.approx([2 / 3, 0.0])
    assert (table["p_miss_ci95_low"] <= table["p_miss"]).all()
    assert table["period_start"].dtype == "datetime64[ns]"
    assert clause_period_risk(weeks, _contract(), "month").empty


def test_clause_p_breach_by_hand(kpis_of):
    weeks = kpis_of(
        {
            (SL, "phone"): [[0.70, 0.90], [0.85, 0.85], [0.75, 0.95]],
            ("offered", "phone"): [[100, 100]] * 3,
            ("asa_s", "email"): [[30.0, 30.0]] * 3,
            ("offered", "email"): [[10, 10]] * 3,
        },
        kind="week",
    )
    found = clause_p_breach(evaluate_contract(weeks, _contract()))
    assert list(found) == ["sl", "asa"]
    # replications 0 and 2 miss week 0; replication 1 never misses: P = 2/3.
    assert found["sl"]["p_breach"] == pytest.approx(2 / 3)
    low, high = found["sl"]["p_breach_ci95"]
    assert low < 2 / 3 < high
    assert found["asa"]["p_breach"] == 0.0
