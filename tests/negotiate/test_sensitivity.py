"""Contract variants re-priced on the same KPI tables, checked by hand on the linear clause."""

from __future__ import annotations

import numpy as np
import pytest

from negotiate.pricing import target_clause
from negotiate.sensitivity import (
    SENSITIVITY_COLUMNS,
    _fee_scaled,
    sensitivity_table,
    threshold_variants,
)
from sla_eval.scenario_eval import evaluate_scenario_contract


def _credit(table, term, value):
    rows = table[(table["term"] == term) & (table["value"] == value)]
    return rows.set_index("level")["expected_net_credit_eur"]


def test_variants_of_the_linear_clause(known, files):
    scenario, runs, kpis = known
    clause = target_clause(scenario)
    table = sensitivity_table(scenario, clause, runs.levels, kpis, runs.workload)
    assert tuple(table.columns) == SENSITIVITY_COLUMNS
    assert set(table["term"]) == {"target", "period", "at_risk_cap", "relief_band"}
    own = table[table["as_written"]]
    assert own.groupby("term").size().eq(len(runs.levels)).all()
    # 5 points lower target: 5 points less shortfall per day while every day is short
    lower = _credit(table, "target", "94% within 20s")
    written = _credit(table, "target", "99% within 20s")
    short = [level for level in runs.levels if level * files.base <= 36]
    assert np.allclose(written[short] - lower[short], 5 * files.rate_eur)
    # a 5 % at-risk cap holds the credit at 5 % of the day's fee at most: the 1 h warm-up
    # leaves 23 of 24 hours, so 100,000 * 23 / 24 = 95,833.33 and 5 % = 4,791.67 EUR;
    # none changes nothing
    assert (_credit(table, "at_risk_cap", "5%") <= 0.05 * 100_000 * 23 / 24 + 1e-6).all()
    assert np.allclose(_credit(table, "at_risk_cap", "none"), written)
    # a one-day horizon is one day, one week and one month: the same money
    for kind in ("week", "month"):
        assert np.allclose(_credit(table, "period", kind), _credit(table, "period", "day"))
    # a longer threshold is easier to meet
    assert threshold_variants(clause) == (13.0, 20.0, 40.0)
    longer = _credit(table, "target", "99% within 40s")
    assert (longer < written).all()
    # 104 % is no target: two targets times three thresholds
    assert len(set(table.loc[table["term"] == "target", "value"])) == 6


def test_a_rescaled_fixed_fee_keeps_the_fee_over_the_horizon(known):
    scenario, runs, kpis = known
    # 100,000 per day; the 1-day horizon after its 1 h warm-up covers 23 h: 23/24 of the day,
    # 23/168 of the week, 23/744 of March. The horizon total 100,000 * 23 / 24 = 95,833.33
    # stays when the fee per week is 100,000 * (23/24) / (23/168) = 700,000 and the fee per
    # month 100,000 * (23/24) / (23/744) = 3,100,000.
    expected = {"day": 100_000.0, "week": 700_000.0, "month": 3_100_000.0}
    for kind, fee_eur in expected.items():
        contract = _fee_scaled(scenario, kind)
        assert contract.measurement_period == kind
        assert contract.fee.fixed_per_period_eur == pytest.approx(fee_eur, rel=1e-12)
        variant = scenario.model_copy(update={"contract": contract})
        evaluation = evaluate_scenario_contract(variant, kpis[0], runs.workload)
        fees = evaluation.drop_duplicates(["replication", "period"])
        per_replication = fees.groupby("replication")["fee_eur"].sum()
        assert np.allclose(per_replication, 100_000 * 23 / 24, rtol=1e-12, atol=0)
