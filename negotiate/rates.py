"""Penalty rates for the negotiation: the fair, incentive-compatible one and the loss-matching one.

Both are rates ``r`` in euros per point of shortfall per period (seconds for ASA, score points
for CSAT) of a linear penalty on the client's target clause, found by re-pricing the simulated
levels' KPI tables (:func:`negotiate.pricing.price_levels`).

* **Fair, incentive-compatible rate** (:func:`fair_penalty`): the target clause's penalty is
  replaced by a linear one, ``r`` euros per point of shortfall per period (pool and at-risk cap
  as written); the smallest ``r`` whose best response meets the client requirement, by bisection
  (the best response rises with ``r``). If no rate up to ``RATE_LIMIT_FEE_FRAC`` of the period
  fee per point does (the pool and at-risk cap bound what one clause can cost), the search is
  repeated on the clause alone: the other clauses and the at-risk cap left out
  (``caps_lifted``), which gives the rate at which this clause on its own would do it.
* **Loss-matching rate** (:func:`loss_matching_penalty`): with the client's loss per replication
  ``L = (a + q·v) · abandoned + (u + q·v) · unresolved`` on the clause's channel (``a`` euros per
  abandoned contact, ``u`` per unresolved one, ``v`` per lost customer, ``q`` the churn
  probability of a failed contact; unresolved = answered × (1 − FCR)), and the expected
  shortfall points ``S(x)`` summed over periods, the rate
  ``r_L = Σ ΔL(x)·S(x) / Σ S(x)²`` over the levels below the client requirement, where
  ``ΔL(x) = E L(x) − E L(x_req)``: the per-point penalty whose expected value best matches the
  client's extra loss (least squares through the origin).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from negotiate.pricing import (
    LevelMoney,
    LossModel,
    best_response,
    negotiated_contract,
    price_levels,
    with_clause,
)
from scenarios.contract import LinearScheme
from sla_eval.summary import describe

if TYPE_CHECKING:
    from scenarios.contract import Clause, Contract
    from scenarios.demand import Workload
    from scenarios.scenario import Scenario

__all__ = ["RATE_LIMIT_FEE_FRAC", "fair_penalty", "loss_matching_penalty"]

RATE_LIMIT_FEE_FRAC = 1.0
"""Largest rate searched, per point of shortfall, as a share of the mean period fee."""
_BISECTION_STEPS = 30


def _linear(contract: Contract, clause: Clause, rate_eur: float, lift_caps: bool) -> Contract:
    """``contract`` with the clause's penalty ``rate_eur`` per point; with ``lift_caps`` the
    clause alone (pool 100 %, no other clause, no at-risk cap)."""
    penalty = LinearScheme(scheme="linear", per_point_eur=rate_eur)
    changed = with_clause(contract, clause, penalty=penalty, **({"pool": 1.0} if lift_caps else {}))
    if not lift_caps:
        return changed
    alone = tuple(item for item in changed.clauses if item.id == clause.id)
    return changed.model_copy(update={"at_risk_cap": None, "clauses": alone})


def fair_penalty(
    scenario: Scenario,
    levels: Sequence[float],
    kpis: Sequence[pd.DataFrame],
    workload: Workload | None,
    clause: Clause,
    required_index: int | None,
    alpha: float,
) -> dict | None:
    """The smallest linear rate per point at which the best response meets the requirement.

    Returns None when no level meets the requirement. Else ``per_point_eur``,
    ``per_point_fee_frac`` (of the mean period fee), ``caps_lifted`` (the rate is that of the
    clause alone, without the other clauses and the at-risk cap), ``best_response_level`` at
    that rate, and ``found`` (False when even the limit rate for the clause alone does not do
    it; the rate is then null).
    """
    if required_index is None:
        return None
    contract = negotiated_contract(scenario)
    rows = price_levels(scenario, contract, levels[:1], kpis[:1], workload)[0].clauses
    fee = float(
        rows[rows["clause"] == clause.id]
        .groupby(["replication", "period"])["fee_eur"]
        .first()
        .mean()
    )
    limit = RATE_LIMIT_FEE_FRAC * fee

    def meets(rate: float, lift: bool) -> tuple[bool, float]:
        priced = price_levels(
            scenario, _linear(contract, clause, rate, lift), levels, kpis, workload
        )
        best = best_response(priced)
        return priced[best["index"]].p_miss(clause.id) <= alpha, best["level"]

    for lift in (False, True):
        ok, level = meets(limit, lift)
        if not ok:
            continue
        low, high = 0.0, limit
        zero_ok, zero_level = meets(0.0, lift)
        if zero_ok:
            high, level = 0.0, zero_level
        for _ in range(_BISECTION_STEPS if not zero_ok else 0):
            middle = (low + high) / 2.0
            ok_mid, level_mid = meets(middle, lift)
            if ok_mid:
                high, level = middle, level_mid
            else:
                low = middle
        return {
            "found": True,
            "per_point_eur": high,
            "per_point_fee_frac": high / fee if fee > 0 else None,
            "caps_lifted": lift,
            "best_response_level": level,
            "fee_per_period_eur": fee,
        }
    return {
        "found": False,
        "per_point_eur": None,
        "per_point_fee_frac": None,
        "caps_lifted": True,
        "best_response_level": None,
        "fee_per_period_eur": fee,
    }


def _per_replication(table: pd.DataFrame, kind: str, kpi: str, channel: str) -> pd.Series:
    rows = table[
        (table["period_kind"] == kind) & (table["kpi"] == kpi) & (table["channel"] == channel)
    ]
    return rows.groupby("replication")["value"].sum(min_count=1)


def _client_loss(table: pd.DataFrame, kind: str, channel: str, model: LossModel) -> pd.Series:
    """Loss per replication; NaN when unresolved contacts count but FCR could not be judged
    (a horizon shorter than the FCR window)."""
    churn = model.churn_frac * model.per_lost_customer_eur
    abandoned = _per_replication(table, kind, "abandoned", channel).fillna(0.0)
    loss = (model.per_abandoned_eur + churn) * abandoned
    per_unresolved = model.per_unresolved_eur + churn
    if per_unresolved > 0:
        answered = _per_replication(table, "horizon", "answered", channel)
        fcr = _per_replication(table, "horizon", "fcr_frac", channel)
        unresolved = answered * (1.0 - fcr.reindex(answered.index))
        loss = loss + per_unresolved * unresolved.reindex(loss.index)
    return loss


def loss_matching_penalty(
    priced: Sequence[LevelMoney],
    kpis: Sequence[pd.DataFrame],
    clause: Clause,
    kind: str,
    required_index: int | None,
    model: LossModel,
) -> dict:
    """The loss-matching rate per point (module docstring) and each level's expected loss.

    Returns
    -------
    dict
        ``client_loss_eur`` (stats per level), ``shortfall_points`` (mean per level, summed over
        periods), ``reference_level``, ``per_point_eur`` (null when no level below the
        reference falls short; all but the losses null when unresolved contacts cost money and
        FCR could not be judged, the horizon being shorter than the FCR window).
    """
    losses = [_client_loss(table, kind, clause.channel, model) for table in kpis]
    if any(loss.isna().any() for loss in losses):
        return {
            "client_loss_eur": [describe(loss) for loss in losses],
            "shortfall_points": None,
            "reference_level": None,
            "per_point_eur": None,
        }
    shortfalls = []
    for money in priced:
        rows = money.clauses[money.clauses["clause"] == clause.id]
        points = rows["shortfall_units"].where(rows["applicable"], 0.0).clip(lower=0.0)
        shortfalls.append(float(points.groupby(rows["replication"]).sum().mean()))
    reference = len(priced) - 1 if required_index is None else required_index
    base = float(losses[reference].mean())
    excess = np.array([float(loss.mean()) - base for loss in losses[:reference]])
    points = np.array(shortfalls[:reference])
    denominator = float(np.sum(points**2))
    rate = float(np.sum(excess * points) / denominator) if denominator > 0 else None
    return {
        "client_loss_eur": [describe(loss) for loss in losses],
        "shortfall_points": shortfalls,
        "reference_level": priced[reference].level,
        "per_point_eur": rate,
    }
