"""Glue between a ``scenarios.Scenario`` and the plain-argument functions of ``sla_eval``.

What a channel is measured against comes from the scenario: its own ``service_target`` (the
plain ``service_level`` / ``response_within_target_frac``), every contract clause's threshold
on it, its ``fcr_window``, its team's contracted FTE (staff availability), its opening hours
(uptime counts opening hours only, closed days shut), the tier-2 response targets and the
warm-up. The forecast relief bands compare with is the contract forecast
(:mod:`sla_eval.forecast`) summed over each measurement period; a fixed fee per billing period
is prorated to the measured share of every period (:mod:`sla_eval.fees`); the partner's cost
comes from its rates (:mod:`sla_eval.partner_cost`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from scenarios.errors import InputError
from sla_eval.clause_forecast import ClauseForecasts
from sla_eval.contract import clause_threshold, evaluate_contract
from sla_eval.fcr import DEFAULT_FCR_WINDOW_S
from sla_eval.fees import billing_fees
from sla_eval.forecast import committed_arrivals
from sla_eval.forecast import forecast_table as _forecast_table
from sla_eval.grids import KpiGrid
from sla_eval.kpi_names import Threshold
from sla_eval.kpis import DEFAULT_ESCALATION_TARGETS_S, KpiChannel, kpi_table
from sla_eval.partner_cost import PartnerCosts, partner_cost
from sla_eval.periods import PERIOD_KINDS, Calendar, period_coverage_frac
from sla_eval.summary import contract_totals

if TYPE_CHECKING:
    from scenarios.contract import Clause
    from scenarios.demand import Workload
    from scenarios.scenario import Scenario

__all__ = [
    "contract_forecasts",
    "evaluate_scenario_contract",
    "forecast_table",
    "kpi_channels",
    "scenario_calendar",
    "scenario_coverage_frac",
    "scenario_kpi_table",
    "scenario_totals",
]

_MONTH_S = 30.4375 * 86400.0
_SECONDS_PER_HOUR = 3600.0


def _clauses(scenario: Scenario) -> tuple[Clause, ...]:
    return () if scenario.contract is None else scenario.contract.clauses


def kpi_channels(scenario: Scenario) -> dict[str, KpiChannel]:
    """A :class:`KpiChannel` per channel of ``scenario``, in scenario order."""
    horizon = scenario.horizon
    specs = {}
    for name, channel in scenario.channels.items():
        service = channel.service_target
        target = None
        if service is not None:
            target = Threshold(
                service.threshold,
                short_abandon_s=service.short_abandon or 0.0,
                business_hours=service.business_hours,
            )
        on_channel = [clause for clause in _clauses(scenario) if clause.channel == name]
        thresholds = tuple(
            threshold
            for threshold in (clause_threshold(clause) for clause in on_channel)
            if threshold is not None
        )
        short_abandons = tuple(
            clause.short_abandon
            for clause in on_channel
            if clause.kpi == "abandon_rate" and clause.short_abandon > 0
        )
        team = scenario.team_of(name)
        contracted = None
        if team.contracted_fte:
            hours = team.contracted_fte * scenario.partner.fte_hours_per_month
            contracted = hours * _SECONDS_PER_HOUR / _MONTH_S
        specs[name] = KpiChannel(
            kind=channel.kind,
            target=target,
            sl_definition=service.sl_definition if service is not None else "offered",
            thresholds=thresholds,
            short_abandons_s=short_abandons,
            open_intervals=horizon.open_mask(channel.hours),
            fcr_window_s=channel.fcr_window,
            team=team.name,
            contracted_agents=contracted,
        )
    return specs


def scenario_kpi_table(
    scenario: Scenario,
    contacts: pd.DataFrame,
    *,
    agents: pd.DataFrame | None = None,
    outages: pd.DataFrame | None = None,
    period_kinds: Sequence[str] = PERIOD_KINDS,
    fcr_window_s: float = DEFAULT_FCR_WINDOW_S,
    interval_kpis: Collection[str] | None = None,
) -> pd.DataFrame:
    """:func:`sla_eval.kpis.kpi_table` with every setting taken from ``scenario``;
    ``interval_kpis`` restricts the KPIs of the ``interval`` kind (None: all)."""
    horizon = scenario.horizon
    targets = DEFAULT_ESCALATION_TARGETS_S
    if scenario.tier2 is not None:
        targets = scenario.tier2.response_targets.model_dump()
    escalation_thresholds = tuple(
        clause.threshold_s for clause in _clauses(scenario) if clause.kpi == "escalation_response"
    )
    return kpi_table(
        contacts,
        channels=kpi_channels(scenario),
        start=horizon.start,
        interval_s=horizon.interval_s,
        horizon_s=horizon.horizon_s,
        warmup_s=scenario.run.warmup_s,
        agents=agents,
        outages=outages,
        period_kinds=period_kinds,
        fcr_window_s=fcr_window_s,
        escalation_targets_s=targets,
        escalation_thresholds_s=escalation_thresholds,
        interval_kpis=interval_kpis,
    )


def scenario_calendar(scenario: Scenario) -> Calendar:
    """The measured horizon of ``scenario``: start, interval, length and warm-up."""
    horizon = scenario.horizon
    return Calendar(horizon.start, horizon.interval_s, horizon.horizon_s, scenario.run.warmup_s)


def forecast_table(workload: Workload, kind: str, warmup_s: float = 0.0) -> pd.DataFrame:
    """Expected first contacts of a ``Workload`` per channel and period of ``kind``, intervals
    before the warm-up end left out (:func:`sla_eval.forecast.forecast_table`).

    Returns
    -------
    pandas.DataFrame
        Columns ``period`` (int64), ``channel`` (str), ``expected_contacts`` (float64).
    """
    calendar = Calendar(
        workload.start, workload.interval_s, workload.interval_s * workload.n_intervals, warmup_s
    )
    expected = {name: load.expected_arrivals for name, load in workload.channels.items()}
    return _forecast_table(expected, calendar, kind)


def contract_forecasts(scenario: Scenario, workload: Workload) -> ClauseForecasts:
    """The contract forecast (:func:`sla_eval.forecast.committed_arrivals`) per channel and
    period, for every period kind the contract measures or bills in and the horizon, with
    each clause's channel summed per period already (:class:`sla_eval.clause_forecast.
    ClauseForecasts`, read as a mapping of tables by kind)."""
    arrivals = committed_arrivals(scenario, workload)
    calendar = scenario_calendar(scenario)
    contract = scenario.contract
    assert contract is not None, "only a contract has a forecast"
    kinds = (*contract.period_kinds, "horizon")
    forecasts = ClauseForecasts({kind: _forecast_table(arrivals, calendar, kind) for kind in kinds})
    return forecasts.prepare(
        (contract.period_of(clause), clause.channel) for clause in contract.clauses
    )


def scenario_coverage_frac(scenario: Scenario, kind: str) -> pd.Series:
    """:func:`sla_eval.periods.period_coverage_frac` of the scenario's horizon after its warm-up:
    the share of each period of ``kind`` that is measured."""
    horizon = scenario.horizon
    return period_coverage_frac(
        start=horizon.start,
        kind=kind,
        interval_s=horizon.interval_s,
        horizon_s=horizon.horizon_s,
        warmup_s=scenario.run.warmup_s,
    )


def evaluate_scenario_contract(
    scenario: Scenario,
    kpis: pd.DataFrame,
    workload: Workload | None = None,
    *,
    forecast: Mapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """:func:`sla_eval.contract.evaluate_contract` for the scenario's contract and partner.

    ``workload`` (``scenarios.demand.expand``) gives the contract forecast relief bands and
    forecast-based minimum volumes compare with, or ``forecast`` gives it ready
    (:func:`contract_forecasts`, for callers that evaluate many KPI tables). A fixed fee is
    prorated over the scenario's calendar.
    """
    contract = scenario.contract
    if contract is None:
        raise InputError(f"scenario {scenario.name!r} has no contract to evaluate")
    if forecast is None and workload is not None:
        forecast = contract_forecasts(scenario, workload)
    return evaluate_contract(
        kpis,
        contract,
        pricing=scenario.partner.pricing,
        fte_hours_per_month=scenario.partner.fte_hours_per_month,
        forecast=forecast,
        calendar=scenario_calendar(scenario),
    )


def scenario_totals(
    scenario: Scenario, evaluation: pd.DataFrame, kpis: pd.DataFrame
) -> pd.DataFrame:
    """:func:`sla_eval.summary.contract_totals` per billing period: the fee over the scenario's
    calendar and the partner's cost at its rates."""
    partner = scenario.partner
    assert scenario.contract is not None, "only a contract has totals"
    fee = scenario.contract.fee
    grid = KpiGrid(kpis, fee.billing_period)
    fees = billing_fees(
        grid, fee, partner.pricing, partner.fte_hours_per_month, scenario_calendar(scenario)
    )
    costs = partner_cost(grid, fee.billing_period, PartnerCosts.of(partner))
    return contract_totals(evaluation, fees, costs)
