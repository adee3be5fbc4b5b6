"""Perils the literature warns about, each reported only when the simulated levels show it.

:func:`perils` checks every service clause of the contract (``service_level``,
``response_within_target``, ``asa``, ``abandon_rate``) at every simulated level, under the
contract as written, and returns one warning per peril and clause found, at the level where it is
worst, with its numbers:

``abandon_cap``
    A service-level clause is met (``p_miss <= alpha`` in every period) while more than
    :data:`ABANDON_WARN_FRAC` of the channel's offered contacts abandon. An 80/20 clause alone
    can be met while many callers hang up (Jouini, Koole and Roubos 2013; DOMAIN.md pitfalls);
    the recommendation is an abandonment cap when the contract has none on the channel.
``mean_is_not_enough``
    At some level the clause's KPI meets its target on average over the periods and
    replications, yet at least :data:`COIN_LOW` of the periods miss: period KPIs are random,
    so staffing to the mean misses often.
``coin_flip``
    Staffing barely decides the outcome: the levels where the share of periods that miss lies
    between :data:`COIN_LOW` and :data:`COIN_HIGH` span at least :data:`COIN_SPAN` of the
    staffing factor, or a period holds fewer than :data:`LOW_VOLUME` contacts on average while
    a level has such a share (short periods and low volumes make breaches a coin flip).

Each warning is a dict: ``id``, ``clause``, ``channel``, ``level``, ``message`` (one sentence
with the numbers) and ``numbers`` (the same numbers, JSON-ready).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from negotiate.pricing import LevelMoney, negotiated_contract
from scenarios.contract import FRACTION_KPIS, SECONDS_KPIS

if TYPE_CHECKING:
    from scenarios.contract import Clause, Contract
    from scenarios.scenario import Scenario

__all__ = [
    "ABANDON_WARN_FRAC",
    "COIN_HIGH",
    "COIN_LOW",
    "COIN_SPAN",
    "LOW_VOLUME",
    "PERIL_IDS",
    "perils",
]

ABANDON_WARN_FRAC = 0.05
"""Abandoned share of offered contacts above which a met service-level clause is suspect."""
COIN_LOW, COIN_HIGH = 0.2, 0.8
"""Shares of missed periods that count as neither safe nor lost."""
COIN_SPAN = 0.10
"""Span of staffing factors with coin-flip misses that makes staffing indecisive."""
LOW_VOLUME = 100
"""Contacts per period below which one contact moves a fraction KPI by a point or more."""
PERIL_IDS = ("abandon_cap", "mean_is_not_enough", "coin_flip")
_SERVICE_KPIS = ("service_level", "response_within_target", "asa", "abandon_rate")


def _percent(value: float) -> str:
    return f"{100 * value:.1f} %"


def _kpi_text(clause: Clause, value: float) -> str:
    """A value of the clause's KPI in its unit: percent, seconds or score."""
    if clause.kpi in FRACTION_KPIS:
        return _percent(value)
    return f"{value:.1f} s" if clause.kpi in SECONDS_KPIS else f"{value:.2f}"


def _clause_rows(money: LevelMoney, clause_id: str) -> pd.DataFrame:
    return money.clauses[money.clauses["clause"] == clause_id]


def _abandon_frac(table: pd.DataFrame, channel: str) -> float:
    rows = table[
        (table["period_kind"] == "horizon")
        & (table["channel"] == channel)
        & (table["kpi"].isin(["abandoned", "offered"]))
    ]
    sums = rows.groupby(rows["kpi"].astype(str))["value"].sum()
    offered = float(sums.get("offered", 0.0))
    return float(sums.get("abandoned", 0.0)) / offered if offered > 0 else float("nan")


def _abandon_cap(
    contract: Contract,
    clause: Clause,
    priced: Sequence[LevelMoney],
    kpis: Sequence[pd.DataFrame],
    alpha: float,
) -> dict | None:
    if clause.kpi != "service_level":
        return None
    worst = None
    for money, table in zip(priced, kpis, strict=True):
        if money.p_miss(clause.id) > alpha:
            continue
        share = _abandon_frac(table, clause.channel)
        if share > ABANDON_WARN_FRAC and (worst is None or share > worst[1]):
            worst = (money, share)
    if worst is None:
        return None
    money, share = worst
    capped = any(
        other.kpi == "abandon_rate" and other.channel == clause.channel
        for other in contract.clauses
    )
    advice = (
        "the contract's abandonment clause on the channel is what protects the client here"
        if capped
        else "add an abandonment cap (e.g. at most 5 % abandoned) to the contract"
    )
    value = float(_clause_rows(money, clause.id)["value"].mean())
    return {
        "id": "abandon_cap",
        "level": money.level,
        "message": (
            f"at staffing {money.level:g}x clause {clause.id} is met (mean {_percent(value)}, "
            f"missed in at most {_percent(money.p_miss(clause.id))} of periods) while "
            f"{_percent(share)} of {clause.channel} contacts abandon; {advice}"
        ),
        "numbers": {
            "abandon_frac": share,
            "clause_value": value,
            "p_miss": money.p_miss(clause.id),
            "abandon_clause": capped,
        },
    }


def _met_on_average(clause: Clause, value: float) -> bool:
    return clause.shortfall_units(value) <= 0


def _mean_is_not_enough(clause: Clause, priced: Sequence[LevelMoney]) -> dict | None:
    worst = None
    for money in priced:
        rows = _clause_rows(money, clause.id)
        rows = rows[rows["applicable"]]
        if rows.empty:
            continue
        mean = float(rows["value"].mean())
        p_miss = money.p_miss(clause.id)
        worse = worst is None or p_miss > worst[2]
        if _met_on_average(clause, mean) and p_miss >= COIN_LOW and worse:
            worst = (money, mean, p_miss)
    if worst is None:
        return None
    money, mean, p_miss = worst
    return {
        "id": "mean_is_not_enough",
        "level": money.level,
        "message": (
            f"at staffing {money.level:g}x the mean of clause {clause.id} over the periods is "
            f"{_kpi_text(clause, mean)} (target {_kpi_text(clause, clause.target)}), yet "
            f"{_percent(p_miss)} of periods miss: "
            "period KPIs vary, so a partner staffed to the mean misses often"
        ),
        "numbers": {"clause_value": mean, "target": clause.target, "p_miss": p_miss},
    }


def _coin_flip(clause: Clause, priced: Sequence[LevelMoney], period: str) -> dict | None:
    coin = [money for money in priced if COIN_LOW <= money.p_miss(clause.id) <= COIN_HIGH]
    if not coin:
        return None
    span = coin[-1].level - coin[0].level
    volume = float(_clause_rows(coin[0], clause.id)["volume"].mean())
    if span < COIN_SPAN - 1e-9 and volume >= LOW_VOLUME:
        return None
    p_values = [money.p_miss(clause.id) for money in coin]
    return {
        "id": "coin_flip",
        "level": coin[0].level,
        "message": (
            f"measured per {period}, clause {clause.id} misses in {_percent(min(p_values))} to "
            f"{_percent(max(p_values))} of periods from staffing {coin[0].level:g}x to "
            f"{coin[-1].level:g}x ({volume:,.0f} contacts per period): breaches are close to a "
            "coin flip that staffing barely decides; a longer period or a minimum volume helps"
        ),
        "numbers": {
            "low_level": coin[0].level,
            "high_level": coin[-1].level,
            "p_miss_min": min(p_values),
            "p_miss_max": max(p_values),
            "volume_per_period": volume,
        },
    }


def perils(
    scenario: Scenario,
    priced: Sequence[LevelMoney],
    kpis: Sequence[pd.DataFrame],
    alpha: float,
) -> list[dict]:
    """The warnings of the module docstring, for the contract as written (``priced`` from
    :func:`negotiate.pricing.price_levels` on ``scenario.contract``)."""
    contract = negotiated_contract(scenario)
    found = []
    for clause in contract.clauses:
        if clause.kpi not in _SERVICE_KPIS:
            continue
        for warning in (
            _abandon_cap(contract, clause, priced, kpis, alpha),
            _mean_is_not_enough(clause, priced),
            _coin_flip(clause, priced, contract.period_of(clause)),
        ):
            if warning is not None:
                found.append({"clause": clause.id, "channel": clause.channel, **warning})
    return found
