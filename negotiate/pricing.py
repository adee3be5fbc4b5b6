"""Negotiation analysis: what a contract costs at each staffing level, and what it makes the
partner do.

Input: a scenario with a contract, the staffing factors simulated on common random numbers
(:mod:`sim.levels`), and per level the long KPI table of its replications (made by
:func:`level_kpis` in the worker). Everything below re-prices those KPI tables: a contract variant
(another penalty rate, target, threshold, period, cap or relief band) needs no new simulation.

Per level and replication, summed over the measurement periods of the horizon
(:func:`sla_eval.contract_totals`): labour cost ``c · staffed agent hours``, penalties ``P``,
earned back ``E``, the service credit owed ``P − E``, bonuses ``B``, net credit ``P − E − B``,
client cost ``fee − net credit`` and partner margin ``M = fee − labour − P + E + B``. The
adaptive replications (:class:`PrecisionRule`) aim at the expected service credit, the money
the clauses take back and the at-risk cap limits; bonuses have their own intervals. Per
clause, ``p_miss`` is the share of (replication, period) pairs where the clause applies and
misses its target (relief bands ignored: it is about service), ``p_breach`` the share that
owes a penalty.

* **Best response** (:func:`best_response`): the level with the largest mean margin ``M``, with
  the paired 95 % confidence interval of ``M(level) − M(best)`` for every level (common random
  numbers: the differences are taken replication by replication).
* **Client requirement** (:func:`client_requirement`): the smallest level from which every
  level up has ``p_miss ≤ alpha`` for the target clause in every period.
* **Rates** (:mod:`negotiate.rates`): the fair, incentive-compatible penalty and the
  loss-matching one, from the client's loss model (:class:`LossModel`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from scenarios.errors import InputError
from sla_eval.precision import replications_needed
from sla_eval.scenario_eval import (
    contract_forecasts,
    evaluate_scenario_contract,
    scenario_kpi_table,
    scenario_totals,
)
from sla_eval.summary import CONTRACT_MONEY, describe, share_with_interval

if TYPE_CHECKING:
    from scenarios.contract import Clause, Contract
    from scenarios.demand import Workload
    from scenarios.scenario import Scenario
    from sla_eval.evaluation import ReplicationLogs

__all__ = [
    "DEFAULT_ALPHA",
    "MONEY",
    "PERIOD_RISK_COLUMNS",
    "LevelMoney",
    "LossModel",
    "PrecisionRule",
    "best_response",
    "clause_values",
    "client_requirement",
    "cost_curves",
    "credit_precise",
    "level_kpis",
    "measurement_kinds",
    "period_risks",
    "price_levels",
    "replications_needed",
    "target_clause",
    "with_clause",
]

DEFAULT_ALPHA = 0.10
"""Default client confidence: P(miss in a period) at most 10 %."""
_COSTS = ("labour_cost_eur", "hiring_cost_eur", "overhead_eur", "partner_cost_eur")
_SUMMED = (*_COSTS, *CONTRACT_MONEY)
MONEY = (*_COSTS, *CONTRACT_MONEY[:2], "credit_eur", *CONTRACT_MONEY[2:])
"""Money per replication (summed over periods) in :class:`LevelMoney` and the curves: the
partner's cost (paid hours, hiring, overhead; :mod:`sla_eval.partner_cost`) and the contract's
money; ``credit_eur`` is the service credit the partner owes, ``penalty_eur − earned_back_eur``."""
_PRECISION_FRAC = 0.10
_PRECISION_EUR = 500.0


def negotiated_contract(scenario: Scenario) -> Contract:
    """The scenario's contract; InputError without one (nothing to negotiate)."""
    if scenario.contract is None:
        raise InputError(f"scenario {scenario.name!r} has no contract to negotiate")
    return scenario.contract


def measurement_kinds(scenario: Scenario) -> tuple[str, ...]:
    """Period kinds each level's KPI table needs: day, week, month (the period sensitivity),
    the contract's billing and clause periods, and the horizon."""
    kinds = {"day", "week", "month", *negotiated_contract(scenario).period_kinds}
    order = ("day", "week", "month", "quarter")
    return (*[kind for kind in order if kind in kinds], "horizon")


def level_kpis(scenario: Scenario, result: ReplicationLogs) -> pd.DataFrame:
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


def target_clause(scenario: Scenario, clause_id: str | None = None) -> Clause:
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


def with_clause(contract: Contract, clause: Clause, **changes: Any) -> Contract:
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
    scenario: Scenario,
    contract: Contract,
    levels: Sequence[float],
    kpis: Sequence[pd.DataFrame],
    workload: Workload | None,
) -> list[LevelMoney]:
    """Every level's money under ``contract`` (a variant of the scenario's, or the same)."""
    variant = scenario.model_copy(update={"contract": contract})
    if variant.partner.labour_cost_per_agent_hour_eur is None:
        partner = variant.partner.model_copy(update={"labour_cost_per_agent_hour_eur": 0.0})
        variant = variant.model_copy(update={"partner": partner})
    forecast = None
    if workload is not None:
        forecast = contract_forecasts(variant, workload)
    priced = []
    for level, table in zip(levels, kpis, strict=True):
        evaluation = evaluate_scenario_contract(variant, table, forecast=forecast)
        totals = scenario_totals(variant, evaluation, table)
        grouped = totals.groupby("replication", sort=True)
        per_rep = grouped[list(_SUMMED)].sum()
        per_rep["credit_eur"] = per_rep["penalty_eur"] - per_rep["earned_back_eur"]
        per_rep = per_rep[list(MONEY)]
        per_rep["breach"] = grouped["breach"].any()
        priced.append(LevelMoney(float(level), per_rep.reset_index(), evaluation))
    return priced


def _credit_precision(money: LevelMoney) -> tuple[float, float, float]:
    """The expected service credit's 95 % interval half-width (NaN for fewer than two
    replications), the limit it must stay within, and the standard deviation per replication."""
    credits = money.per_replication["credit_eur"].to_numpy(np.float64)
    described = describe(credits)
    low, high = described["ci95"]
    half = float("nan") if low is None else (high - low) / 2.0
    std = float(np.std(credits, ddof=1)) if len(credits) > 1 else float("nan")
    return half, max(_PRECISION_FRAC * abs(described["mean"]), _PRECISION_EUR), std


def credit_precise(money: LevelMoney) -> bool:
    """Whether the 95 % interval half-width of the expected service credit is within 10 % of
    its value or 500 euros (the larger), the target of the adaptive replications."""
    half, limit, _std = _credit_precision(money)
    return half <= limit


class PrecisionRule:
    """``rule(level, tables)``: how many replications a level should have in all, from its
    replications so far (their KPI tables); the ``wanted`` of
    ``sim.levels.run_levels``.

    A level whose service credit is already :func:`credit_precise` wants no more; otherwise
    it wants :func:`sla_eval.precision.replications_needed` (the t-quantile fixed point of Law
    2015, shared with ``ccplan run --precision``) for the standard deviation and limit seen so
    far, if that is within ``max_replications``. A level that could not get there (a lumpy credit: a
    fixed penalty that a period owes or not, with a probability far from 0 and 1) wants no
    more, and stays imprecise, rather than spending the replications where they cannot help.
    A single replication wants one more (no spread yet).
    """

    def __init__(self, scenario: Scenario, workload: Workload | None, max_replications: int):
        self.scenario = scenario
        self.workload = workload
        self.max_replications = max_replications

    def __call__(self, level: float, tables: Sequence[pd.DataFrame]) -> int:
        have = len(tables)
        if have < 2:
            return 2
        joined = pd.concat(list(tables), ignore_index=True)
        contract = negotiated_contract(self.scenario)
        money = price_levels(self.scenario, contract, [level], [joined], self.workload)[0]
        half, limit, std = _credit_precision(money)
        if half <= limit:
            return have
        needed = replications_needed(std, limit)
        return needed if needed <= self.max_replications else have


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


def cost_curves(priced: Sequence[LevelMoney], clause_ids: Sequence[str]) -> pd.DataFrame:
    """One row per level: ``level``, ``replications``, per money column its mean and 95 %
    interval (``<money>``, ``<money>_ci95_low``, ``<money>_ci95_high``), ``p_breach`` (any
    clause, any period) with its Wilson 95 % interval (``p_breach_ci95_low``,
    ``p_breach_ci95_high``) and per clause ``p_miss_<id>`` and ``p_breach_<id>`` (largest share
    over periods)."""
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
        breach = share_with_interval(money.per_replication["breach"])
        row["p_breach"] = breach["p"]
        row["p_breach_ci95_low"], row["p_breach_ci95_high"] = breach["ci95"]
        for clause_id in clause_ids:
            clause_rows = money.clauses[money.clauses["clause"] == clause_id]
            row[f"p_miss_{clause_id}"] = money.p_miss(clause_id)
            row[f"p_breach_{clause_id}"] = float(
                clause_rows.groupby("period")["breach"].mean().max()
            )
        rows.append(row)
    return pd.DataFrame(rows).astype({"replications": np.int64})


PERIOD_RISK_COLUMNS = ("level", "clause", "period", "period_start", "p_miss", "p_breach", "value")
"""Columns of :func:`period_risks`."""


def period_risks(priced: Sequence[LevelMoney]) -> pd.DataFrame:
    """Per level, clause and measurement period: ``p_miss`` and ``p_breach`` (shares of the
    replications) and the mean KPI ``value`` (columns :data:`PERIOD_RISK_COLUMNS`)."""
    frames = []
    for money in priced:
        rows = money.clauses.assign(missed=money.clauses["applicable"] & ~money.clauses["met"])
        grouped = rows.groupby(["clause", "period", "period_start"], observed=True, sort=False)
        table = grouped.agg(
            p_miss=("missed", "mean"), p_breach=("breach", "mean"), value=("value", "mean")
        ).reset_index()
        table.insert(0, "level", money.level)
        table["clause"] = table["clause"].astype(str)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)[list(PERIOD_RISK_COLUMNS)]


def clause_values(priced: Sequence[LevelMoney], clause_id: str) -> list[dict]:
    """Per level, :func:`describe` of the clause's KPI over every (replication, period)."""
    return [
        describe(money.clauses.loc[money.clauses["clause"] == clause_id, "value"])
        for money in priced
    ]
