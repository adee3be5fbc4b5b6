"""Sensitivity of the contract's money and breach risk to its terms, re-priced without simulating.

Each variant changes one term of the target clause (or of the contract) and re-prices every
simulated level's KPI table (:func:`negotiate.pricing.price_levels`):

============  ===========================================================================
term          values
============  ===========================================================================
target        the clause target −5, 0, +5 points (fractions) or −10, 0, +10 s (ASA), −0.2,
              0, +0.2 (CSAT), kept inside the KPI's range; for threshold KPIs every
              combination with two thirds, once and twice the threshold (``80% within
              30s``), whose KPIs are measured because :func:`measurement_scenario` adds them
period        the target clause measured per day, week or month (the other clauses keep
              theirs); the fee stays the fee per billing period, prorated to each period,
              so the client pays the same for the same days and only the clause's risk
              moves
at_risk_cap   none, 5, 10, 12, 15, 20 % of the period fee (and the contract's own)
relief_band   none, 5, 10, 15, 20 % (and the clause's own); needs a penalty on the clause
============  ===========================================================================

Rows of :func:`sensitivity_table` (:data:`SENSITIVITY_COLUMNS`): ``term``, ``value`` (text as
written in a scenario), ``as_written`` (the contract's own value), ``level``,
``expected_net_credit_eur`` with its 95 % interval, ``p_breach`` (the clause's largest share of
breaches over the periods) and ``p_breach_any`` (share of replications with a breach of any clause
in any period) with its Wilson 95 % interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from negotiate.pricing import negotiated_contract, price_levels, with_clause
from scenarios.contract import FRACTION_KPIS, THRESHOLD_KPIS
from sla_eval.summary import describe, share_with_interval

if TYPE_CHECKING:
    from scenarios.contract import Clause, Contract
    from scenarios.demand import Workload
    from scenarios.scenario import Scenario

__all__ = ["SENSITIVITY_COLUMNS", "measurement_scenario", "sensitivity_table", "threshold_variants"]

SENSITIVITY_COLUMNS = (
    "term",
    "value",
    "as_written",
    "level",
    "expected_net_credit_eur",
    "expected_net_credit_eur_ci95_low",
    "expected_net_credit_eur_ci95_high",
    "p_breach",
    "p_breach_any",
    "p_breach_any_ci95_low",
    "p_breach_any_ci95_high",
)
_CAPS = (None, 0.05, 0.10, 0.12, 0.15, 0.20)
_BANDS = (None, 0.05, 0.10, 0.15, 0.20)
_PERIODS = ("day", "week", "month")
_TARGET_STEPS = {"asa": 10.0, "csat": 0.2}
_FRACTION_STEP = 0.05
_SUFFIX = "__threshold_"


def threshold_variants(clause: Clause) -> tuple[float, ...]:
    """Thresholds tried for a threshold clause (seconds), the clause's own included."""
    if clause.kpi not in THRESHOLD_KPIS:
        return ()
    own = float(clause.threshold_s)
    return tuple(sorted({round(own * 2.0 / 3.0), own, 2.0 * own}))


def measurement_scenario(scenario: Scenario, clause: Clause) -> Scenario:
    """``scenario`` with hidden copies of ``clause`` at the other thresholds, so that one KPI
    table holds the KPIs every threshold variant needs (the copies are never priced)."""
    extra = tuple(
        clause.model_copy(update={"id": f"{clause.id}{_SUFFIX}{index}", "threshold": value})
        for index, value in enumerate(threshold_variants(clause))
        if value != clause.threshold
    )
    own = negotiated_contract(scenario)
    contract = own.model_copy(update={"clauses": own.clauses + extra})
    return scenario.model_copy(update={"contract": contract})


def _target_values(clause: Clause) -> list[float]:
    step = _TARGET_STEPS.get(clause.kpi, _FRACTION_STEP)
    low, high = (0.0, float("inf")) if clause.kpi == "asa" else (0.0, 1.0)
    if clause.kpi == "csat":
        low, high = 1.0, 5.0
    values = [clause.target + k * step for k in (-1, 0, 1)]
    return [round(value, 6) for value in values if low < value < high]


def _variants(scenario: Scenario, clause: Clause) -> list[tuple[str, str, bool, Contract]]:
    contract = negotiated_contract(scenario)
    rows = []
    thresholds = threshold_variants(clause) or (None,)
    for threshold in thresholds:
        for value in _target_values(clause):
            text = f"{100 * value:g}%" if clause.kpi in FRACTION_KPIS else f"{value:g}"
            changes: dict[str, Any] = {"target": value}
            if threshold is not None:
                text += f" within {threshold:g}s"
                changes["threshold"] = threshold
            own = value == clause.target and threshold in (None, clause.threshold)
            rows.append(("target", text, own, with_clause(contract, clause, **changes)))
    own_period = contract.period_of(clause)
    for kind in _PERIODS:
        rows.append(
            (
                "period",
                kind,
                kind == own_period,
                with_clause(contract, clause, measurement_period=kind),
            )
        )
    for cap in sorted(set(_CAPS) | {contract.at_risk_cap}, key=lambda c: -1 if c is None else c):
        rows.append(
            (
                "at_risk_cap",
                "none" if cap is None else f"{100 * cap:g}%",
                cap == contract.at_risk_cap,
                contract.model_copy(update={"at_risk_cap": cap}),
            )
        )
    if clause.penalty is not None:
        bands = sorted(set(_BANDS) | {clause.relief_band}, key=lambda b: -1 if b is None else b)
        for band in bands:
            rows.append(
                (
                    "relief_band",
                    "none" if band is None else f"{100 * band:g}%",
                    band == clause.relief_band,
                    with_clause(contract, clause, relief_band=band),
                )
            )
    return rows


def sensitivity_table(
    scenario: Scenario,
    clause: Clause,
    levels: Sequence[float],
    kpis: Sequence[pd.DataFrame],
    workload: Workload | None,
) -> pd.DataFrame:
    """Every variant of the module docstring at every level (columns
    :data:`SENSITIVITY_COLUMNS`)."""
    rows = []
    for term, value, own, contract in _variants(scenario, clause):
        for money in price_levels(scenario, contract, levels, kpis, workload):
            described = describe(money.per_replication["net_credit_eur"])
            clause_rows = money.clauses[money.clauses["clause"] == clause.id]
            any_breach = share_with_interval(money.per_replication["breach"])
            rows.append(
                (
                    term,
                    value,
                    own,
                    money.level,
                    described["mean"],
                    *described["ci95"],
                    float(clause_rows.groupby("period")["breach"].mean().max()),
                    any_breach["p"],
                    *any_breach["ci95"],
                )
            )
    return pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS))
