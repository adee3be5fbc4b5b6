"""Negotiation analysis: what a contract costs at each staffing level, and what it makes the
partner do.

Input: a scenario with a contract, the staffing factors simulated on common random numbers
(:mod:`sim.staffing_levels`), and per level the long KPI table of its replications (made by
:func:`level_kpis` in the worker). Everything below re-prices those KPI tables: a contract variant
(another penalty rate, target, threshold, period, cap or relief band) needs no new simulation.

Per level and replication, summed over the measurement periods of the horizon
(:func:`sla_eval.contract_totals`): labour cost ``c · staffed agent hours``, penalties ``P``,
earned back ``E``, bonuses ``B``, net credit ``P − E − B``, client cost ``fee − net credit`` and
partner margin ``M = fee − labour − P + E + B``. Per clause, ``p_miss`` is the share of
(replication, period) pairs where the clause applies and misses its target (relief bands
ignored: it is about service), ``p_breach`` the share that owes a penalty.

* **Best response** (:func:`best_response`): the level with the largest mean margin ``M``, with
  the paired 95 % confidence interval of ``M(level) − M(best)`` for every level (common random
  numbers: the differences are taken replication by replication).
* **Client requirement** (:func:`client_requirement`): the smallest level from which every
  level up has ``p_miss ≤ alpha`` for the target clause in every period.
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

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from scenarios.contract import LinearScheme
from scenarios.errors import InputError
from sla_eval.scenario_eval import evaluate_scenario_contract, scenario_kpi_table
from sla_eval.summary import contract_totals, describe

__all__ = [
    "DEFAULT_ALPHA",
    "MONEY",
    "RATE_LIMIT_FEE_FRAC",
    "LevelMoney",
    "LossModel",
    "PrecisionRule",
    "best_response",
    "clause_values",
    "client_requirement",
    "cost_curves",
    "credit_precise",
    "fair_penalty",
    "level_kpis",
    "loss_matching_penalty",
    "measurement_kinds",
    "price_levels",
    "target_clause",
    "with_clause",
]

DEFAULT_ALPHA = 0.10
"""Default client confidence: P(miss in a period) at most 10 %."""
RATE_LIMIT_FEE_FRAC = 1.0
"""Largest rate searched, per point of shortfall, as a share of the mean period fee."""
MONEY = (
    "labour_cost_eur",
    "penalty_eur",
    "earned_back_eur",
    "bonus_eur",
    "net_credit_eur",
    "client_cost_eur",
    "partner_margin_eur",
)
"""Money per replication (summed over periods) in :class:`LevelMoney` and the curves."""
_BISECTION_STEPS = 30
_PRECISION_FRAC = 0.10
_PRECISION_EUR = 500.0


def measurement_kinds(scenario: Any) -> tuple[str, ...]:
    """Period kinds each level's KPI table needs: day, week, month (the period sensitivity),
    the contract's own kind, and the horizon."""
    kinds = {"day", "week", "month", scenario.contract.measurement_period}
    order = ("day", "week", "month", "quarter")
    return (*[kind for kind in order if kind in kinds], "horizon")


def level_kpis(scenario: Any, result: Any) -> pd.DataFrame:
    """The KPI table of one replication (``result``: contacts, agents and outages logs) at the
    kinds of :func:`measurement_kinds`. ``scenario`` may carry extra clauses (threshold
    variants) so that their KPIs are measured too."""
    return scenario_kpi_table(
        scenario,
        result.contacts,
        agents=result.agents,
        outages=result.outages,
        period_kinds=measurement_kinds(scenario),
    )


def target_clause(scenario: Any, clause_id: str | None = None) -> Any:
    """The clause the client's target is about: ``clause_id``, else the first service-level
    clause, else the first clause.

    Raises
    ------
    InputError
        Without a contract, or for an unknown clause id (listing the ids).
    """
    contract = scenario.contract
    if contract is None:
        raise InputError(f"scenario {scenario.name!r} has no contract to negotiate")
    ids = [clause.id for clause in contract.clauses]
    if clause_id is not None:
        if clause_id not in ids:
            raise InputError(f"--clause {clause_id!r} is not a clause (clauses: {', '.join(ids)})")
        return contract.clauses[ids.index(clause_id)]
    for clause in contract.clauses:
        if clause.kpi == "service_level":
            return clause
    return contract.clauses[0]


def with_clause(contract: Any, clause: Any, **changes: Any) -> Any:
    """``contract`` with ``clause`` replaced by a copy carrying ``changes`` (no re-validation:
    the caller passes valid values)."""
    clauses = tuple(
        item.model_copy(update=changes) if item.id == clause.id else item
        for item in contract.clauses
    )
    return contract.model_copy(update={"clauses": clauses})


@dataclass(frozen=True, eq=False)
class LevelMoney:
    """One level priced under one contract.

    Attributes
    ----------
    level:
        The staffing factor.
    per_replication:
        ``replication`` and :data:`MONEY` summed over the periods, and ``breach`` (any clause,
        any period).
    clauses:
        The contract evaluation (``sla_eval.CONTRACT_COLUMNS``), one row per replication,
        period and clause.
    """

    level: float
    per_replication: pd.DataFrame
    clauses: pd.DataFrame

    @cached_property
    def mean_margin_eur(self) -> float:
        """Mean partner margin over the replications."""
        return float(self.per_replication["partner_margin_eur"].mean())

    def p_miss(self, clause_id: str) -> float:
        """Largest share over periods of replications where the clause applies and misses."""
        rows = self.clauses[self.clauses["clause"] == clause_id]
        missed = rows["applicable"] & ~rows["met"]
        return float(missed.groupby(rows["period"]).mean().max())


def price_levels(
    scenario: Any,
    contract: Any,
    levels: Sequence[float],
    kpis: Sequence[pd.DataFrame],
    workload: Any,
) -> list[LevelMoney]:
    """Every level's money under ``contract`` (a variant of the scenario's, or the same)."""
    variant = scenario.model_copy(update={"contract": contract})
    labour = scenario.partner.labour_cost_per_agent_hour_eur
    priced = []
    for level, table in zip(levels, kpis, strict=True):
        evaluation = evaluate_scenario_contract(variant, table, workload)
        totals = contract_totals(
            evaluation,
            table,
            labour_cost_per_agent_hour_eur=0.0 if labour is None else labour,
            period_kind=contract.measurement_period,
        )
        grouped = totals.groupby("replication", sort=True)
        per_rep = grouped[list(MONEY)].sum()
        per_rep["breach"] = grouped["breach"].any()
        priced.append(LevelMoney(float(level), per_rep.reset_index(), evaluation))
    return priced


def _credit_precision(money: LevelMoney) -> tuple[float, float]:
    """Half-width of the 95 % interval of the expected net credit (NaN for fewer than two
    replications) and the limit it must stay within."""
    described = describe(money.per_replication["net_credit_eur"])
    low, high = described["ci95"]
    half = float("nan") if low is None else (high - low) / 2.0
    return half, max(_PRECISION_FRAC * abs(described["mean"]), _PRECISION_EUR)


def credit_precise(money: LevelMoney) -> bool:
    """Whether the 95 % interval half-width of the expected net credit is within 10 % of its
    value or 500 euros (the larger), the target of the adaptive replications."""
    half, limit = _credit_precision(money)
    return half <= limit


class PrecisionRule:
    """``rule(level, tables)``: whether a level's replications (their KPI tables) should grow;
    the ``needs_more`` of ``sim.staffing_levels.run_levels``.

    A level needs more while its net credit is not :func:`credit_precise` and the projected
    count ``n * (half-width / limit)**2`` (the half-width shrinks as ``1/sqrt(n)``) is within
    ``max_replications``; a level that could not get there (a lumpy credit: a fixed penalty
    that a period owes or not, with a probability far from 0 and 1) stops, and stays imprecise,
    rather than spending the replications where they cannot help.
    """

    def __init__(self, scenario: Any, workload: Any, max_replications: int):
        self.scenario = scenario
        self.workload = workload
        self.max_replications = max_replications

    def __call__(self, level: float, tables: Sequence[pd.DataFrame]) -> bool:
        if len(tables) < 2:
            return True
        joined = pd.concat(list(tables), ignore_index=True)
        contract = self.scenario.contract
        money = price_levels(self.scenario, contract, [level], [joined], self.workload)[0]
        half, limit = _credit_precision(money)
        if half <= limit:
            return False
        return len(tables) * (half / limit) ** 2 <= self.max_replications


def _paired(a: pd.DataFrame, b: pd.DataFrame, column: str) -> dict:
    """:func:`describe` of ``a − b`` over the replications both have (common random numbers)."""
    joined = a.set_index("replication")[column] - b.set_index("replication")[column]
    return describe(joined.dropna())


def best_response(priced: Sequence[LevelMoney]) -> dict:
    """The level with the largest mean partner margin, and every level's paired difference.

    Returns
    -------
    dict
        ``level``, ``index``, ``partner_margin_eur`` (stats), ``at_edge`` (``low``/``high``
        when the best level is the lowest/highest simulated, else null) and
        ``margin_difference_eur``: per level, stats of ``M(level) − M(best)``.
    """
    margins = [money.mean_margin_eur for money in priced]
    index = int(np.nanargmax(margins))
    best = priced[index]
    edge = None
    if len(priced) > 1 and index == 0:
        edge = "low"
    elif len(priced) > 1 and index == len(priced) - 1:
        edge = "high"
    return {
        "level": best.level,
        "index": index,
        "partner_margin_eur": describe(best.per_replication["partner_margin_eur"]),
        "at_edge": edge,
        "margin_difference_eur": [
            _paired(money.per_replication, best.per_replication, "partner_margin_eur")
            for money in priced
        ],
    }


def client_requirement(priced: Sequence[LevelMoney], clause_id: str, alpha: float) -> int | None:
    """Index of the smallest level from which every level up has ``p_miss <= alpha`` for the
    clause (None when the highest level misses too often)."""
    found = None
    for index in range(len(priced) - 1, -1, -1):
        if priced[index].p_miss(clause_id) > alpha:
            break
        found = index
    return found


def _linear(contract: Any, clause: Any, rate_eur: float, lift_caps: bool) -> Any:
    """``contract`` with the clause's penalty ``rate_eur`` per point; with ``lift_caps`` the
    clause alone (pool 100 %, no other clause, no at-risk cap)."""
    penalty = LinearScheme(scheme="linear", per_point_eur=rate_eur)
    changed = with_clause(contract, clause, penalty=penalty, **({"pool": 1.0} if lift_caps else {}))
    if not lift_caps:
        return changed
    alone = tuple(item for item in changed.clauses if item.id == clause.id)
    return changed.model_copy(update={"at_risk_cap": None, "clauses": alone})


def fair_penalty(
    scenario: Any,
    levels: Sequence[float],
    kpis: Sequence[pd.DataFrame],
    workload: Any,
    clause: Any,
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
    contract = scenario.contract
    fee = float(
        price_levels(scenario, contract, levels[:1], kpis[:1], workload)[0]
        .clauses.groupby(["replication", "period"])["fee_eur"]
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


@dataclass(frozen=True)
class LossModel:
    """The client's loss per failed contact (euros; see the module docstring)."""

    per_abandoned_eur: float = 0.0
    per_unresolved_eur: float = 0.0
    per_lost_customer_eur: float = 0.0
    churn_frac: float = 0.0

    def __post_init__(self) -> None:
        for name in ("per_abandoned_eur", "per_unresolved_eur", "per_lost_customer_eur"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise InputError(f"{name} must be a number >= 0 (got {value!r})")
        if not 0.0 <= self.churn_frac <= 1.0:
            raise InputError(f"churn_frac must lie in [0, 1] (got {self.churn_frac!r})")

    @property
    def given(self) -> bool:
        """Whether any loss is set."""
        return (
            self.per_abandoned_eur
            + self.per_unresolved_eur
            + self.per_lost_customer_eur * self.churn_frac
        ) > 0


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
    clause: Any,
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


def cost_curves(priced: Sequence[LevelMoney], clause_ids: Sequence[str]) -> pd.DataFrame:
    """One row per level: ``level``, ``replications``, per money column its mean and 95 %
    interval (``<money>``, ``<money>_ci95_low``, ``<money>_ci95_high``), ``p_breach`` (any
    clause, any period) and per clause ``p_miss_<id>`` and ``p_breach_<id>`` (largest share over
    periods)."""
    rows = []
    for money in priced:
        row: dict[str, Any] = {
            "level": money.level,
            "replications": len(money.per_replication),
        }
        for column in MONEY:
            described = describe(money.per_replication[column])
            row[column] = described["mean"]
            row[f"{column}_ci95_low"], row[f"{column}_ci95_high"] = described["ci95"]
        row["p_breach"] = float(money.per_replication["breach"].mean())
        for clause_id in clause_ids:
            clause_rows = money.clauses[money.clauses["clause"] == clause_id]
            row[f"p_miss_{clause_id}"] = money.p_miss(clause_id)
            row[f"p_breach_{clause_id}"] = float(
                clause_rows.groupby("period")["breach"].mean().max()
            )
        rows.append(row)
    return pd.DataFrame(rows).astype({"replications": np.int64})


def clause_values(priced: Sequence[LevelMoney], clause_id: str) -> list[dict]:
    """Per level, :func:`describe` of the clause's KPI over every (replication, period)."""
    return [
        describe(money.clauses.loc[money.clauses["clause"] == clause_id, "value"])
        for money in priced
    ]
