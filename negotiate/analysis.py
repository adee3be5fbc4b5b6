"""The negotiation analysis assembled: the ``negotiation.json`` document and its tables.

:func:`analyse` runs every piece of :mod:`negotiate.pricing`,
:mod:`negotiate.sensitivity` and :mod:`negotiate.perils` on the KPI tables
of the simulated levels and returns a :class:`Negotiation`. The document's fields are described
one by one in ``docs/negotiation.md`` (schema ``ccplan.negotiation/2``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from negotiate.perils import perils
from negotiate.pricing import (
    DEFAULT_ALPHA,
    MONEY,
    LevelMoney,
    LossModel,
    best_response,
    clause_values,
    client_requirement,
    cost_curves,
    credit_precise,
    negotiated_contract,
    period_risks,
    price_levels,
    target_clause,
)
from negotiate.rates import fair_penalty, loss_matching_penalty
from negotiate.sensitivity import sensitivity_table

if TYPE_CHECKING:
    from scenarios.demand import Workload
    from scenarios.scenario import Scenario

__all__ = ["NEGOTIATION_SCHEMA", "Negotiation", "analyse"]

NEGOTIATION_SCHEMA = "ccplan.negotiation/2"
"""Value of ``schema`` in ``negotiation.json``."""


@dataclass(frozen=True, eq=False)
class Negotiation:
    """What :func:`analyse` computed.

    Attributes
    ----------
    document:
        The JSON-ready ``negotiation.json``.
    curves:
        :func:`negotiate.pricing.cost_curves` of the contract as written.
    periods:
        :func:`negotiate.pricing.period_risks` of the contract as written.
    sensitivity:
        :func:`negotiate.sensitivity.sensitivity_table`.
    screening:
        The analytic screen (``staffing.screening.SCREEN_COLUMNS``), as given.
    priced:
        Every level priced under the contract as written.
    """

    document: dict
    curves: pd.DataFrame
    periods: pd.DataFrame
    sensitivity: pd.DataFrame
    screening: pd.DataFrame
    priced: tuple[LevelMoney, ...]


def _clean(value: Any) -> Any:
    """NaN and infinities to None, numpy scalars to Python, recursively."""
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _levels_section(
    curves: pd.DataFrame,
    ids: list[str],
    values: list[dict],
    priced: Sequence[LevelMoney],
    margin: Sequence[dict],
) -> list[dict]:
    rows = []
    for index, row in enumerate(curves.to_dict("records")):
        entry = {
            "level": row["level"],
            "replications": row["replications"],
            "precise": credit_precise(priced[index]),
            "p_breach": row["p_breach"],
            "p_breach_ci95": [row["p_breach_ci95_low"], row["p_breach_ci95_high"]],
            "clause_value": values[index],
            "margin_difference_to_best_eur": margin[index],
            "clauses": {
                clause_id: {
                    "p_miss": row[f"p_miss_{clause_id}"],
                    "p_breach": row[f"p_breach_{clause_id}"],
                }
                for clause_id in ids
            },
        }
        for column in MONEY:
            entry[column] = {
                "mean": row[column],
                "ci95": [row[f"{column}_ci95_low"], row[f"{column}_ci95_high"]],
            }
        rows.append(entry)
    return rows


def analyse(
    scenario: Scenario,
    levels: Sequence[float],
    kpis: Sequence[pd.DataFrame],
    workload: Workload | None,
    *,
    seed: int,
    screening: pd.DataFrame,
    screened: dict | None,
    clause_id: str | None = None,
    alpha: float = DEFAULT_ALPHA,
    loss: LossModel | None = None,
) -> Negotiation:
    """Every negotiation result for the simulated ``levels`` (ascending) and their KPI tables.

    Parameters
    ----------
    screening, screened:
        The analytic screen (a table) and ``{"range": [low, high] or None, "crossings":
        {clause: factor or None}}``, the range it chose (None when the levels were given) and
        the factor where each clause's screened value reaches its target.
    clause_id, alpha:
        The client's target clause (:func:`negotiate.pricing.target_clause`) and the largest
        share of periods it may miss.
    loss:
        The client's loss model; no loss-matching rate without it.
    """
    clause = target_clause(scenario, clause_id)
    contract = negotiated_contract(scenario)
    priced = tuple(price_levels(scenario, contract, levels, kpis, workload))
    ids = [item.id for item in contract.clauses]
    curves = cost_curves(priced, ids)
    best = best_response(priced)
    required = client_requirement(priced, clause.id, alpha)
    fair = fair_penalty(scenario, levels, kpis, workload, clause, required, alpha)
    matched = None
    if loss is not None and loss.given:
        matched = loss_matching_penalty(
            priced, kpis, clause, contract.measurement_period, required, loss
        )
        matched["model"] = {
            "per_abandoned_eur": loss.per_abandoned_eur,
            "per_unresolved_eur": loss.per_unresolved_eur,
            "per_lost_customer_eur": loss.per_lost_customer_eur,
            "churn_frac": loss.churn_frac,
        }
        fair_rate = None if fair is None else fair["per_point_eur"]
        rate = matched["per_point_eur"]
        matched["gap_to_fair_eur"] = None if fair_rate is None or rate is None else fair_rate - rate
    values = clause_values(priced, clause.id)
    sensitivity = sensitivity_table(scenario, clause, levels, kpis, workload)
    best_index = best["index"]
    document = {
        "schema": NEGOTIATION_SCHEMA,
        "scenario": scenario.name,
        "seed": int(seed),
        "measurement_period": contract.measurement_period,
        "billing_period": contract.fee.billing_period,
        "labour_cost_per_agent_hour_eur": scenario.partner.labour_cost_per_agent_hour_eur,
        "cost_per_hire_eur": scenario.partner.cost_per_hire_eur,
        "overhead_per_fte_month_eur": scenario.partner.overhead_per_fte_month_eur,
        "target": {
            "clause": clause.id,
            "kpi": clause.kpi,
            "channel": clause.channel,
            "target": clause.target,
            "alpha": alpha,
        },
        "screening": screened,
        "levels": _levels_section(curves, ids, values, priced, best["margin_difference_eur"]),
        "best_response": {
            "level": best["level"],
            "at_edge": best["at_edge"],
            "partner_margin_eur": best["partner_margin_eur"],
            "p_miss": priced[best_index].p_miss(clause.id),
            "meets_target": priced[best_index].p_miss(clause.id) <= alpha,
            "clause_value": values[best_index],
        },
        "client_requirement": {
            "level": None if required is None else priced[required].level,
            "p_miss": None if required is None else priced[required].p_miss(clause.id),
            "partner_margin_eur": None
            if required is None
            else float(priced[required].mean_margin_eur),
        },
        "fair_penalty": fair,
        "loss_matching": matched,
        "warnings": perils(scenario, priced, kpis, alpha),
    }
    periods = period_risks(priced)
    return Negotiation(_clean(document), curves, periods, sensitivity, screening, priced)
