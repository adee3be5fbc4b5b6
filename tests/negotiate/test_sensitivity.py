"""Contract variants re-priced on the same KPI tables, checked by hand on the linear clause."""

from __future__ import annotations

import numpy as np

from negotiate.pricing import target_clause, with_clause
from negotiate.sensitivity import (
    SENSITIVITY_COLUMNS,
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


def test_a_clause_period_never_changes_the_fee_over_the_horizon(known):
    scenario, runs, kpis = known
    clause = target_clause(scenario)
    # 100,000 per day; the 1-day horizon after its 1 h warm-up covers 23 h: 23/24 of the day,
    # 23/168 of the week, 23/744 of March. Measured per day, week or month, the clause's one
    # period is charged 100,000 * 23 / 24 = 95,833.33: the fee is per billing day, prorated.
    for kind in ("day", "week", "month"):
        contract = with_clause(scenario.contract, clause, measurement_period=kind)
        variant = scenario.model_copy(update={"contract": contract})
        evaluation = evaluate_scenario_contract(variant, kpis[0], runs.workload)
        assert set(evaluation["period_kind"]) == {kind}
        per_replication = evaluation.groupby("replication")["fee_eur"].sum()
        assert np.allclose(per_replication, 100_000 * 23 / 24, rtol=1e-12, atol=0)
