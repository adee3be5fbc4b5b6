"""Contract evaluation: per replication, clause and measurement period, the money.

:func:`evaluate_contract` reads the long KPI table (:mod:`sla_eval.kpis`) and a
``scenarios.contract.Contract``. Each clause is measured over its own period kind (its
``measurement_period``, else the contract's). For each clause and period, in order:

1. **value** = the clause's KPI on its channel (:func:`clause_kpi`); **volume** = offered
   contacts of the channel (all channels for ``all``); **first contacts** = the channel's
   arrivals of type ``first`` (repeats and redials left out: the partner's own misses cause
   them) and **forecast** = the contract forecast of those (``sla_eval.forecast``).
2. **applicable** when the value exists (not NaN) and the volume reaches ``min_volume``: the
   offered volume, or the forecast with ``min_volume_basis: forecast``.
3. **shortfall** = ``Clause.shortfall_units(value)`` (points for fractions, seconds for ASA and
   AHT, score points for CSAT), rounded to 1e-9 units so that float noise cannot decide a miss;
   **met** = applicable and shortfall <= 0.
4. **relieved** = applicable, missed, and the first contacts exceed the forecast by more than
   ``relief_band`` (``first > forecast * (1 + band)``): no penalty. ``relieved_eur`` is the
   penalty the scheme would have owed (before the caps): the credit the client gave up because
   the demand it forecast was exceeded.
5. **breach** = applicable, missed and not relieved. Penalty = scheme amount of the shortfall
   (with the scheme's own cap) on the fee of the clause's period
   (:func:`sla_eval.fees.period_fee`), times ``repeat_miss.multiplier`` when the breaches among
   the last ``window_periods`` periods (this one included) reach ``misses``.
6. **Billing**: each row is settled in the billing period holding its period's last measured
   moment (``billing_period``; the same period when the clause is measured per billing period).
   **Pool** (only with an at-risk cap): a clause's penalties settled in one billing period never
   exceed ``pool * at_risk_cap * fee`` of that billing period (scaled down together).
   **At-risk cap**: when the penalties of every clause settled in a billing period sum above
   ``at_risk_cap * fee``, every one is scaled by the same factor so that they sum to the cap (no
   clause order decides who is paid).
7. **earn-back**: a penalty (after the caps) is returned when the next ``earn_back_periods``
   periods of the clause all meet it (applicable and met); the returned amount is shown in
   ``earned_back_eur`` on the row of the penalty it returns. Periods after the horizon are
   unknown, so a penalty in the last N periods is never returned.
8. **bonus** = bonus scheme amount of ``Clause.excess_units(value)`` when applicable (relief
   does not remove a bonus), with the scheme's own cap.

Output columns (:data:`CONTRACT_COLUMNS`):

=====================  ==============  =======================================================
column                 dtype           meaning
=====================  ==============  =======================================================
``replication``        int32           replication index
``period_kind``        category        the clause's measurement period kind
``period``             int32           period index of that kind
``period_start``       datetime64[ns]  first moment of the period inside the horizon
``billing_period``     int32           billing period the row is settled in
``clause``             category        clause id
``kpi``                category        KPI name in the KPI table
``channel``            category        the clause's channel (or ``all``)
``value``              float64         measured KPI (NaN when it has no denominator)
``target``             float64         the clause's target
``volume``             float64         offered contacts of the channel
``first_contacts``     float64         first contacts that arrived
``forecast_contacts``  float64         the contract forecast of first contacts (NaN when
                                       no forecast was given)
``fee_eur``            float64         fee of the period
``applicable``         bool            the clause applied (value and minimum volume)
``relieved``           bool            missed but first contacts above forecast * (1 + band)
``met``                bool            applicable and target met
``breach``             bool            applicable, missed, not relieved
``shortfall_units``    float64         shortfall in scheme units (<= 0 when met)
``penalty_eur``        float64         penalty after the repeat multiplier, pool and cap
``earned_back_eur``    float64         part of this row's penalty returned by later periods
``bonus_eur``          float64         bonus earned
``relieved_eur``       float64         penalty waived by the relief band
=====================  ==============  =======================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scenarios.errors import InputError
from sla_eval.clause_forecast import ClauseForecasts
from sla_eval.fees import period_fee
from sla_eval.grids import KpiGrid, frozen
from sla_eval.kpi_names import (
    Threshold,
    abandon_kpi,
    escalation_response_kpi,
    response_kpi,
    service_level_kpi,
)
from sla_eval.periods import Calendar, billing_period_of
from sla_eval.schemes import scheme_eur

if TYPE_CHECKING:
    from scenarios.contract import Clause, Contract
    from scenarios.partner import Pricing

__all__ = ["CONTRACT_COLUMNS", "clause_kpi", "clause_threshold", "evaluate_contract"]

CONTRACT_COLUMNS: Mapping[str, str] = {
    "replication": "int32",
    "period_kind": "category",
    "period": "int32",
    "period_start": "datetime64[ns]",
    "billing_period": "int32",
    "clause": "category",
    "kpi": "category",
    "channel": "category",
    "value": "float64",
    "target": "float64",
    "volume": "float64",
    "first_contacts": "float64",
    "forecast_contacts": "float64",
    "fee_eur": "float64",
    "applicable": "bool",
    "relieved": "bool",
    "met": "bool",
    "breach": "bool",
    "shortfall_units": "float64",
    "penalty_eur": "float64",
    "earned_back_eur": "float64",
    "bonus_eur": "float64",
    "relieved_eur": "float64",
}

_PLAIN_KPIS = {
    "asa": "asa_s",
    "fcr": "fcr_frac",
    "escalation_rate": "escalation_frac",
    "csat": "csat",
    "uptime": "uptime_frac",
    "aht": "aht_s",
    "staff_availability": "staff_availability_frac",
    "csat_top_box": "csat_top_box_frac",
    "csat_negative": "csat_negative_frac",
    "complaint_rate": "complaint_frac",
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


def _forecasts(
    forecast: pd.DataFrame | Mapping[str, pd.DataFrame] | None, contract: Contract
) -> ClauseForecasts:
    """The forecast tables by period kind (a bare table is of the contract's own period)."""
    if forecast is None:
        return ClauseForecasts({})
    if isinstance(forecast, pd.DataFrame):
        return ClauseForecasts({contract.measurement_period: forecast})
    return ClauseForecasts.of(forecast)


def _forecast_grid(
    forecasts: ClauseForecasts, grid: KpiGrid, clause: Clause, needed: bool
) -> np.ndarray:
    """The forecast first contacts of the clause's channel per period, ``(1, P)``; NaN when no
    forecast is given and the clause does not need one."""
    expected = forecasts.per_period(grid.kind, clause.channel, grid.periods)
    if expected is None:
        if needed:
            raise InputError(
                f"clause {clause.id!r} compares with the forecast, but no {grid.kind} "
                "forecast was given"
            )
        return np.full((1, grid.shape[1]), np.nan)
    return expected[None, :]


@lru_cache(maxsize=64)
def _settled_in(calendar: Calendar, kind: str, billing: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`sla_eval.periods.billing_period_of` as ``(periods, billing periods)`` arrays; it
    depends on the calendar alone, so a run computes it once per process."""
    billed = billing_period_of(calendar, kind, billing)
    return frozen(billed.index.to_numpy(np.int64)), frozen(billed.to_numpy(np.int64))


class _Contract:
    """The contract's clauses measured on the KPI table: one grid and fee per period kind, and
    the billing period each period is settled in."""

    def __init__(self, kpis, contract, pricing, fte_hours, forecast, calendar):
        self.contract = contract
        self.forecasts = _forecasts(forecast, contract)
        billing = contract.fee.billing_period
        kinds = {billing, *(contract.period_of(clause) for clause in contract.clauses)}
        self.grids = {kind: KpiGrid(kpis, kind) for kind in sorted(kinds)}
        self.billing = self.grids[billing]
        self.fees: dict[str, np.ndarray] = {}
        self.billed: dict[str, np.ndarray] = {}
        for kind, grid in self.grids.items():
            fee = period_fee(grid, contract.fee, pricing, fte_hours, calendar)
            self.fees[kind] = np.broadcast_to(fee, grid.shape)
            self.billed[kind] = self._billed(grid, calendar)

    def _billed(self, grid: KpiGrid, calendar: Calendar | None) -> np.ndarray:
        """Position in the billing grid of the billing period each period is settled in."""
        billing = self.billing
        if grid.kind == billing.kind:
            return np.arange(grid.shape[1])
        if calendar is None:
            raise InputError(
                f"settling {grid.kind} periods in {billing.kind} billing periods needs the calendar"
            )
        periods, billed = _settled_in(calendar, grid.kind, billing.kind)
        return np.searchsorted(billing.periods, billed[grid.calendar_positions(periods)])

    def measure(self, clause: Clause) -> dict:
        """Every array of one clause before the caps (module docstring, steps 1-5 and 8)."""
        kind = self.contract.period_of(clause)
        grid, fee = self.grids[kind], self.fees[kind]
        value = grid.get(clause_kpi(clause), clause.channel)
        volume = grid.get("offered", clause.channel)
        first = np.full(grid.shape, np.nan)
        if clause.relief_band is not None or grid.has("first_contacts", clause.channel):
            first = grid.get("first_contacts", clause.channel)
        basis = clause.min_volume_basis == "forecast"
        expected = _forecast_grid(
            self.forecasts, grid, clause, clause.relief_band is not None or basis
        )
        counted = np.broadcast_to(expected, grid.shape) if basis else volume
        applicable = (counted >= clause.min_volume) & ~np.isnan(value)
        shortfall = np.round(clause.shortfall_units(value), _ROUND_UNITS)
        met = applicable & (shortfall <= 0)
        missed = applicable & (shortfall > 0)
        relieved = np.zeros(grid.shape, bool)
        if clause.relief_band is not None:
            relieved = missed & (first > expected * (1.0 + clause.relief_band))
        breach = missed & ~relieved
        owed = np.zeros(grid.shape)
        if clause.penalty is not None:
            owed = np.where(missed, scheme_eur(clause.penalty, shortfall, fee), 0.0)
        penalty = np.where(breach, owed, 0.0)
        if clause.repeat_miss is not None:
            rule = clause.repeat_miss
            repeated = _window_sum(breach, rule.window_periods) >= rule.misses
            penalty = np.where(repeated, penalty * rule.multiplier, penalty)
        bonus = np.zeros(grid.shape)
        if clause.bonus is not None:
            excess = np.round(clause.excess_units(value), _ROUND_UNITS)
            bonus = np.where(applicable, scheme_eur(clause.bonus, excess, fee), 0.0)
        return {
            "clause": clause,
            "kind": kind,
            "value": value,
            "volume": volume,
            "first_contacts": first,
            "forecast_contacts": np.broadcast_to(expected, grid.shape),
            "applicable": applicable,
            "relieved": relieved,
            "met": met,
            "breach": breach,
            "shortfall_units": shortfall,
            "penalty_eur": penalty,
            "bonus_eur": bonus,
            "relieved_eur": np.where(relieved, owed, 0.0),
        }

    def settled(self, part: dict) -> np.ndarray:
        """A clause's penalties summed per replication and billing period, ``(R, B)``."""
        out = np.zeros(self.billing.shape)
        np.add.at(out.T, self.billed[part["kind"]], part["penalty_eur"].T)
        return out

    def cap(self, parts: list[dict]) -> None:
        """Scale the penalties down to the pools and the at-risk cap (step 6), in place."""
        if self.contract.at_risk_cap is None:
            return
        cap_eur = self.contract.at_risk_cap * self.fees[self.billing.kind]
        for part in parts:
            limit = part["clause"].pool * cap_eur
            total = self.settled(part)
            scale = np.where(total > limit, limit / np.where(total > 0, total, 1.0), 1.0)
            part["penalty_eur"] = part["penalty_eur"] * scale[:, self.billed[part["kind"]]]
        total = np.sum([self.settled(part) for part in parts], axis=0)
        scale = np.where(total > cap_eur, cap_eur / np.where(total > 0, total, 1.0), 1.0)
        for part in parts:
            part["penalty_eur"] = part["penalty_eur"] * scale[:, self.billed[part["kind"]]]


def evaluate_contract(
    kpis: pd.DataFrame,
    contract: Contract,
    *,
    pricing: Pricing | None = None,
    fte_hours_per_month: float = 160.0,
    forecast: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
    calendar: Calendar | None = None,
) -> pd.DataFrame:
    """Evaluate every clause in every one of its measurement periods of every replication.

    Parameters
    ----------
    kpis:
        The long KPI table, with the billing period kind, every clause's period kind and every
        KPI the clauses need (:func:`clause_kpi`).
    contract:
        A ``scenarios.contract.Contract``.
    pricing, fte_hours_per_month:
        The partner's ``Pricing`` and FTE hours, for a fee ``from_pricing``.
    forecast:
        The contract forecast of first contacts per period: a table with columns ``period``,
        ``channel``, ``expected_contacts`` per period kind (a mapping), or one table of the
        contract's own period; needed by relief bands and forecast-based minimum volumes.
    calendar:
        The measured horizon (:class:`sla_eval.periods.Calendar`): a fixed fee is prorated to
        it, and periods of another kind than billing are settled by it. None charges each
        billing period the whole fixed fee, and then every clause must be measured per billing
        period (KPI tables without a horizon).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CONTRACT_COLUMNS` (see the module docstring for the rules).
    """
    measured = _Contract(kpis, contract, pricing, fte_hours_per_month, forecast, calendar)
    parts = [measured.measure(clause) for clause in contract.clauses]
    measured.cap(parts)
    for part in parts:
        periods = part["clause"].earn_back_periods
        returned = np.zeros(part["penalty_eur"].shape)
        if periods is not None:
            returned = np.where(_all_next_met(part["met"], periods), part["penalty_eur"], 0.0)
        part["earned_back_eur"] = returned
    return _frame(parts, measured)


@lru_cache(maxsize=256)
def _categories(names: tuple[str, ...]) -> pd.CategoricalDtype:
    """The categorical dtype of ``names``, made once per process (a contract's clause ids,
    KPIs, channels and period kinds are the same in every replication)."""
    return pd.CategoricalDtype(list(names))


def _frame(parts: list[dict], measured: _Contract) -> pd.DataFrame:
    clauses = [part["clause"] for part in parts]
    ids = [clause.id for clause in clauses]
    kinds = list(dict.fromkeys(part["kind"] for part in parts))
    kpi_names = list(dict.fromkeys(clause_kpi(clause) for clause in clauses))
    channels = list(dict.fromkeys(clause.channel for clause in clauses))
    columns: dict[str, list[np.ndarray]] = {name: [] for name in CONTRACT_COLUMNS}
    for index, part in enumerate(parts):
        grid = measured.grids[part["kind"]]
        n_rep, n_period = grid.shape
        size = n_rep * n_period
        position = np.tile(np.arange(n_period), n_rep)
        clause = part["clause"]
        billed = measured.billing.periods[measured.billed[part["kind"]]]
        fixed = {
            "replication": np.repeat(grid.replications, n_period),
            "period_kind": np.full(size, kinds.index(part["kind"])),
            "period": grid.periods[position],
            "period_start": grid.period_start[position],
            "billing_period": billed[position],
            "clause": np.full(size, index),
            "kpi": np.full(size, kpi_names.index(clause_kpi(clause))),
            "channel": np.full(size, channels.index(clause.channel)),
            "target": np.full(size, float(clause.target)),
            "fee_eur": measured.fees[part["kind"]].ravel(),
        }
        for name in CONTRACT_COLUMNS:
            columns[name].append(fixed[name] if name in fixed else part[name].ravel())
    joined = {name: np.concatenate(values) for name, values in columns.items()}
    categories = {"period_kind": kinds, "clause": ids, "kpi": kpi_names, "channel": channels}
    frame = {
        name: pd.Categorical.from_codes(
            joined[name], dtype=_categories(tuple(categories[name])), validate=False
        )
        if name in categories
        else joined[name].astype(dtype, copy=False)
        for name, dtype in CONTRACT_COLUMNS.items()
    }
    return pd.DataFrame(frame)
