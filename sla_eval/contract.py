"""Contract evaluation: per replication, measurement period and clause, the money.

:func:`evaluate_contract` reads the long KPI table (:mod:`sla_eval.kpis`) at the contract's
measurement period and a ``scenarios.contract.Contract``. For each clause and period, in order:

1. **value** = the clause's KPI on its channel (:func:`clause_kpi`); **volume** = offered
   contacts of the channel (all channels for ``all``).
2. **applicable** when volume >= ``min_volume`` and the value exists (not NaN).
3. **shortfall** = ``Clause.shortfall_units(value)`` (points for fractions, seconds for ASA,
   score points for CSAT), rounded to 1e-9 units so that float noise cannot decide a miss;
   **met** = applicable and shortfall <= 0.
4. **relieved** = applicable, missed, and the channel's first contacts exceed the forecast by
   more than ``relief_band`` (``first > forecast * (1 + band)``): no penalty. Repeats and
   redials do not count as volume here, since the partner's own misses cause them.
5. **breach** = applicable, missed and not relieved. Penalty = scheme amount of the shortfall
   (with the scheme's own cap), times ``repeat_miss.multiplier`` when the breaches among the
   last ``window_periods`` periods (this one included) reach ``misses``.
6. **pool** (only with an at-risk cap): a clause never takes more than
   ``pool * at_risk_cap * fee``. **At-risk cap**: when
   the clauses' penalties of a period sum above ``at_risk_cap * fee``, every one is scaled by
   the same factor so that they sum to the cap (no clause order decides who is paid).
7. **earn-back**: a penalty (after the caps) is returned when the next ``earn_back_periods``
   periods all meet the clause (applicable and met); the returned amount is shown in
   ``earned_back_eur`` on the row of the penalty it returns. Periods after the horizon are
   unknown, so a penalty in the last N periods is never returned.
8. **bonus** = bonus scheme amount of ``Clause.excess_units(value)`` when applicable (relief
   does not remove a bonus), with the scheme's own cap.

The fee per period is fixed, or derived from the partner's pricing and what was delivered:
``per_agent_hour_eur * staffed agent hours``, ``per_fte_month_eur * staffed hours /
fte_hours_per_month`` (staffed hours from the agent log, KPI ``staffed_agent_hours``), or
``sum over channels of per_contact_eur * answered contacts``. A fixed fee ``X`` is prorated to
the part of the period the measured horizon ``[warmup_s, horizon_s)`` covers: ``X * covered_s /
nominal_s`` with ``nominal_s`` the period's calendar length
(:func:`sla_eval.periods.period_coverage_frac`), so that the fee, like the partner's labour
cost, counts only the simulated days of a shortened what-if (``--set horizon.days=2`` of a
monthly contract is charged 2/31 of the March fee). Shares of the fee (penalties, pools, the
at-risk cap) follow the prorated fee. Pricing-based fees follow what was delivered in the
covered part.

Output columns (:data:`CONTRACT_COLUMNS`):

===================  ==============  =========================================================
column               dtype           meaning
===================  ==============  =========================================================
``replication``      int32           replication index
``period``           int32           period index of the measurement period kind
``period_start``     datetime64[ns]  first moment of the period inside the horizon
``clause``           category        clause id
``kpi``              category        KPI name in the KPI table
``channel``          category        the clause's channel (or ``all``)
``value``            float64         measured KPI (NaN when it has no denominator)
``target``           float64         the clause's target
``volume``           float64         offered contacts of the channel
``fee_eur``          float64         fee of the period
``applicable``       bool            volume >= min_volume and a value exists
``relieved``         bool            missed but volume above forecast * (1 + relief band)
``met``              bool            applicable and target met
``breach``           bool            applicable, missed, not relieved
``shortfall_units``  float64         shortfall in scheme units (<= 0 when met)
``penalty_eur``      float64         penalty after the repeat multiplier, pool and at-risk cap
``earned_back_eur``  float64         part of this row's penalty returned by later periods
``bonus_eur``        float64         bonus earned
===================  ==============  =========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scenarios.errors import InputError
from sla_eval.kpi_names import (
    Threshold,
    abandon_kpi,
    escalation_response_kpi,
    response_kpi,
    service_level_kpi,
)
from sla_eval.period_cells import ALL_CHANNELS
from sla_eval.schemes import scheme_eur

if TYPE_CHECKING:
    from scenarios.contract import Clause, Contract
    from scenarios.partner import Pricing

__all__ = ["CONTRACT_COLUMNS", "clause_kpi", "clause_threshold", "evaluate_contract"]

CONTRACT_COLUMNS: Mapping[str, str] = {
    "replication": "int32",
    "period": "int32",
    "period_start": "datetime64[ns]",
    "clause": "category",
    "kpi": "category",
    "channel": "category",
    "value": "float64",
    "target": "float64",
    "volume": "float64",
    "fee_eur": "float64",
    "applicable": "bool",
    "relieved": "bool",
    "met": "bool",
    "breach": "bool",
    "shortfall_units": "float64",
    "penalty_eur": "float64",
    "earned_back_eur": "float64",
    "bonus_eur": "float64",
}

_PLAIN_KPIS = {
    "asa": "asa_s",
    "fcr": "fcr_frac",
    "escalation_rate": "escalation_frac",
    "csat": "csat",
    "uptime": "uptime_frac",
}
_ROUND_UNITS = 9


def clause_threshold(clause: Clause) -> Threshold | None:
    """The response-time threshold a clause measures with (None for KPIs without one)."""
    if clause.kpi == "service_level":
        return Threshold(clause.threshold_s, short_abandon_s=clause.short_abandon)
    if clause.kpi == "response_within_target":
        return Threshold(clause.threshold_s, business_hours=clause.business_hours)
    return None


def _measured_threshold(clause: Clause) -> Threshold:
    threshold = clause_threshold(clause)
    assert threshold is not None, "service_level and response_within_target have one"
    return threshold


def clause_kpi(clause: Clause) -> str:
    """Name in the KPI table of what ``clause`` (a ``scenarios.contract.Clause``) measures."""
    if clause.kpi == "service_level":
        return service_level_kpi(clause.sl_definition, _measured_threshold(clause))
    if clause.kpi == "response_within_target":
        return response_kpi(_measured_threshold(clause))
    if clause.kpi == "abandon_rate":
        return abandon_kpi(clause.short_abandon)
    if clause.kpi == "escalation_response":
        return escalation_response_kpi(clause.threshold)
    return _PLAIN_KPIS[clause.kpi]


class _Grids:
    """KPI values of one period kind as (replication x period) arrays.

    The rows are indexed once: each row's cell (replication and period positions) and the
    slice of rows of each (KPI, channel), so that :meth:`get` only scatters values.
    """

    def __init__(self, kpis: pd.DataFrame, kind: str):
        rows = kpis[kpis["period_kind"] == kind]
        if rows.empty:
            raise InputError(f"the KPI table has no {kind!r} periods (the measurement period)")
        replication = rows["replication"].to_numpy()
        period = rows["period"].to_numpy()
        self.replications = np.unique(replication)
        self.periods, first = np.unique(period, return_index=True)
        self.period_start = rows["period_start"].to_numpy()[first]
        kpi_code, kpi_names = pd.factorize(rows["kpi"].astype(str))
        channel_code, channel_names = pd.factorize(rows["channel"].astype(str))
        key_code = kpi_code * len(channel_names) + channel_code
        cell = np.searchsorted(self.replications, replication) * len(self.periods)
        cell += np.searchsorted(self.periods, period)
        order = np.argsort(key_code, kind="stable")
        self._cell = cell[order]
        self._value = rows["value"].to_numpy(np.float64)[order]
        codes = np.unique(key_code)
        bounds = np.searchsorted(key_code[order], codes, side="left")
        ends = np.searchsorted(key_code[order], codes, side="right")
        self._slices = {
            (kpi_names[code // len(channel_names)], channel_names[code % len(channel_names)]): (
                slice(low, high)
            )
            for code, low, high in zip(codes, bounds, ends, strict=True)
        }
        for key, rows_of_key in self._slices.items():
            if len(np.unique(self._cell[rows_of_key])) < rows_of_key.stop - rows_of_key.start:
                raise InputError(
                    f"the KPI table has {key[0]!r} of channel {key[1]!r} more than once in a "
                    f"{kind!r} period of a replication"
                )

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.replications), len(self.periods))

    def get(self, kpi: str, channel: str) -> np.ndarray:
        rows = self._slices.get((kpi, channel))
        if rows is None:
            raise InputError(
                f"the KPI table has no {kpi!r} for channel {channel!r}; compute it with "
                "the clause's thresholds and the agent/outage logs it needs"
            )
        grid = np.full(self.shape, np.nan)
        grid.flat[self._cell[rows]] = self._value[rows]
        return grid


def _coverage_grid(coverage_frac: pd.Series | None, grids: _Grids) -> np.ndarray:
    if coverage_frac is None:
        return np.ones((1, grids.shape[1]))
    missing = sorted(int(period) for period in set(grids.periods) - set(coverage_frac.index))
    if missing:
        raise InputError(f"coverage_frac has no share for periods {missing}")
    return coverage_frac.reindex(grids.periods).to_numpy(np.float64)[None, :]


def _fee_eur(
    grids: _Grids,
    contract: Contract,
    pricing: Pricing | None,
    fte_hours: float,
    coverage_frac: pd.Series | None,
) -> np.ndarray:
    if contract.fee.fixed_per_period_eur is not None:
        fixed_eur = float(contract.fee.fixed_per_period_eur)
        return np.full(grids.shape, fixed_eur) * _coverage_grid(coverage_frac, grids)
    if pricing is None:
        raise InputError("the contract fee is from_pricing but no partner pricing was given")
    if pricing.per_contact_eur is not None:
        fee = np.zeros(grids.shape)
        for channel, price in pricing.per_contact_eur.items():
            fee += price * grids.get("answered", channel)
        return fee
    hours = grids.get("staffed_agent_hours", ALL_CHANNELS)
    if pricing.per_agent_hour_eur is not None:
        return pricing.per_agent_hour_eur * hours
    return pricing.per_fte_month_eur * hours / fte_hours


def _window_sum(flags: np.ndarray, window: int) -> np.ndarray:
    """Sum of ``flags`` over the last ``window`` periods, the current one included."""
    total = np.concatenate([np.zeros((flags.shape[0], 1)), np.cumsum(flags, axis=1)], axis=1)
    end = np.arange(1, flags.shape[1] + 1)
    return total[:, end] - total[:, np.maximum(end - window, 0)]


def _all_next_met(met: np.ndarray, periods: int) -> np.ndarray:
    """Whether the ``periods`` periods after each one exist and are all met."""
    total = np.concatenate([np.zeros((met.shape[0], 1)), np.cumsum(met, axis=1)], axis=1)
    n = met.shape[1]
    index = np.arange(n)
    last = np.minimum(index + periods + 1, n)
    return (index + periods < n)[None, :] & (total[:, last] - total[:, index + 1] == periods)


def _forecast_grid(forecast: pd.DataFrame | None, grids: _Grids, clause: Clause) -> np.ndarray:
    if forecast is None:
        raise InputError(f"clause {clause.id!r} has a relief band but no forecast was given")
    rows = (
        forecast
        if clause.channel == ALL_CHANNELS
        else forecast[forecast["channel"].astype(str) == clause.channel]
    )
    per_period = rows.groupby("period")["expected_contacts"].sum()
    missing = sorted(set(grids.periods) - set(per_period.index))
    if missing:
        raise InputError(f"the forecast has no {clause.channel!r} volume for periods {missing}")
    return per_period.reindex(grids.periods).to_numpy(np.float64)[None, :]


def evaluate_contract(
    kpis: pd.DataFrame,
    contract: Contract,
    *,
    pricing: Pricing | None = None,
    fte_hours_per_month: float = 160.0,
    forecast: pd.DataFrame | None = None,
    coverage_frac: pd.Series | None = None,
) -> pd.DataFrame:
    """Evaluate every clause in every measurement period of every replication.

    Parameters
    ----------
    kpis:
        The long KPI table, with the contract's measurement period kind and every KPI the
        clauses need (:func:`clause_kpi`).
    contract:
        A ``scenarios.contract.Contract``.
    pricing, fte_hours_per_month:
        The partner's ``Pricing`` and FTE hours, for a fee ``from_pricing``.
    forecast:
        Expected first contacts per period of the measurement kind: columns ``period``,
        ``channel``, ``expected_contacts``; needed by clauses with a relief band.
    coverage_frac:
        Share ``covered_s / nominal_s`` of each measurement period inside the measured horizon,
        indexed by period (:func:`sla_eval.periods.period_coverage_frac`); a fixed fee is
        multiplied by it. None (the default) charges every period the whole fixed fee, for KPI
        tables without a horizon.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CONTRACT_COLUMNS` (see the module docstring for the rules).
    """
    grids = _Grids(kpis, contract.measurement_period)
    fee = _fee_eur(grids, contract, pricing, fte_hours_per_month, coverage_frac)
    cap_eur = None if contract.at_risk_cap is None else contract.at_risk_cap * fee
    parts = []
    for clause in contract.clauses:
        value = grids.get(clause_kpi(clause), clause.channel)
        volume = grids.get("offered", clause.channel)
        applicable = (volume >= clause.min_volume) & ~np.isnan(value)
        shortfall = np.round(clause.shortfall_units(value), _ROUND_UNITS)
        met = applicable & (shortfall <= 0)
        missed = applicable & (shortfall > 0)
        relieved = np.zeros(grids.shape, bool)
        if clause.relief_band is not None:
            first = grids.get("first_contacts", clause.channel)
            expected = _forecast_grid(forecast, grids, clause)
            relieved = missed & (first > expected * (1.0 + clause.relief_band))
        breach = missed & ~relieved
        penalty = np.zeros(grids.shape)
        if clause.penalty is not None:
            penalty = np.where(breach, scheme_eur(clause.penalty, shortfall, fee), 0.0)
        if clause.repeat_miss is not None:
            rule = clause.repeat_miss
            repeated = _window_sum(breach, rule.window_periods) >= rule.misses
            penalty = np.where(repeated, penalty * rule.multiplier, penalty)
        if cap_eur is not None:
            penalty = np.minimum(penalty, clause.pool * cap_eur)
        bonus = np.zeros(grids.shape)
        if clause.bonus is not None:
            excess = np.round(clause.excess_units(value), _ROUND_UNITS)
            bonus = np.where(applicable, scheme_eur(clause.bonus, excess, fee), 0.0)
        parts.append(
            {
                "clause": clause,
                "value": value,
                "volume": volume,
                "applicable": applicable,
                "relieved": relieved,
                "met": met,
                "breach": breach,
                "shortfall_units": shortfall,
                "penalty_eur": penalty,
                "bonus_eur": bonus,
            }
        )
    if cap_eur is not None:
        total = sum(part["penalty_eur"] for part in parts)
        scale = np.where(total > cap_eur, cap_eur / np.where(total > 0, total, 1.0), 1.0)
        for part in parts:
            part["penalty_eur"] = part["penalty_eur"] * scale
    for part in parts:
        periods = part["clause"].earn_back_periods
        returned = np.zeros(grids.shape)
        if periods is not None:
            returned = np.where(_all_next_met(part["met"], periods), part["penalty_eur"], 0.0)
        part["earned_back_eur"] = returned
    return _frame(parts, grids, fee)


def _frame(parts: list[dict], grids: _Grids, fee: np.ndarray) -> pd.DataFrame:
    n_rep, n_period = grids.shape
    rep = np.repeat(grids.replications, n_period)
    position = np.tile(np.arange(n_period), n_rep)
    clauses = [part["clause"] for part in parts]
    ids = [clause.id for clause in clauses]
    kpi_names = list(dict.fromkeys(clause_kpi(clause) for clause in clauses))
    channels = list(dict.fromkeys(clause.channel for clause in clauses))
    size = n_rep * n_period
    columns: dict[str, object] = {
        "replication": np.tile(rep, len(parts)).astype(np.int32),
        "period": np.tile(grids.periods[position], len(parts)).astype(np.int32),
        "period_start": np.tile(grids.period_start[position], len(parts)).astype("datetime64[ns]"),
        "clause": pd.Categorical.from_codes(np.repeat(np.arange(len(parts)), size), ids),
        "kpi": pd.Categorical.from_codes(
            np.repeat([kpi_names.index(clause_kpi(c)) for c in clauses], size), kpi_names
        ),
        "channel": pd.Categorical.from_codes(
            np.repeat([channels.index(c.channel) for c in clauses], size), channels
        ),
        "value": np.concatenate([part["value"].ravel() for part in parts]),
        "target": np.repeat([float(c.target) for c in clauses], size),
        "volume": np.concatenate([part["volume"].ravel() for part in parts]),
        "fee_eur": np.tile(fee.ravel(), len(parts)),
    }
    for name in CONTRACT_COLUMNS:
        if name not in columns:
            dtype = CONTRACT_COLUMNS[name]
            columns[name] = np.concatenate([part[name].ravel() for part in parts]).astype(dtype)
    return pd.DataFrame(columns)[list(CONTRACT_COLUMNS)]
