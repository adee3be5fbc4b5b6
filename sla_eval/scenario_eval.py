"""Glue between a ``scenarios.Scenario`` and the plain-argument functions of ``sla_eval``.

What a channel is measured against comes from the scenario: its own ``service_target`` (the
plain ``service_level`` / ``response_within_target_frac``), every contract clause's threshold
on it, its opening hours (uptime counts opening hours only, closed days shut), the tier-2
response targets and the warm-up. The forecast for relief bands is the workload's expected
arrivals (first contacts) summed over the measurement periods; a fixed fee is prorated to the
share of each measurement period the horizon after the warm-up covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scenarios.errors import InputError
from sla_eval.contract import clause_threshold, evaluate_contract
from sla_eval.fcr import DEFAULT_FCR_WINDOW_S
from sla_eval.kpi_names import Threshold
from sla_eval.kpis import DEFAULT_ESCALATION_TARGETS_S, KpiChannel, kpi_table
from sla_eval.periods import PERIOD_KINDS, period_coverage_frac, period_index

if TYPE_CHECKING:
    from scenarios.contract import Clause
    from scenarios.demand import Workload
    from scenarios.scenario import Scenario

__all__ = [
    "evaluate_scenario_contract",
    "forecast_table",
    "kpi_channels",
    "scenario_coverage_frac",
    "scenario_kpi_table",
]


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
        specs[name] = KpiChannel(
            kind=channel.kind,
            target=target,
            sl_definition=service.sl_definition if service is not None else "offered",
            thresholds=thresholds,
            short_abandons_s=short_abandons,
            open_intervals=horizon.open_mask(channel.hours),
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
) -> pd.DataFrame:
    """:func:`sla_eval.kpis.kpi_table` with every setting taken from ``scenario``."""
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
    )


def forecast_table(workload: Workload, kind: str, warmup_s: float = 0.0) -> pd.DataFrame:
    """Expected first contacts per channel and period of ``kind`` from a ``Workload``.

    Intervals starting before the warm-up end are left out, as their contacts are not measured.

    Returns
    -------
    pandas.DataFrame
        Columns ``period`` (int64), ``channel`` (str), ``expected_contacts`` (float64).
    """
    starts = np.asarray(workload.interval_start_s, np.float64)
    keep = starts >= warmup_s
    period = period_index(
        starts[keep], start=workload.start, kind=kind, interval_s=workload.interval_s
    )
    frames = [
        pd.DataFrame(
            {
                "period": period,
                "channel": name,
                "expected_contacts": np.asarray(channel.expected_arrivals, np.float64)[keep],
            }
        )
        for name, channel in workload.channels.items()
    ]
    joined = pd.concat(frames, ignore_index=True)
    return joined.groupby(["period", "channel"], as_index=False, sort=True)[
        "expected_contacts"
    ].sum()


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
    forecast: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`sla_eval.contract.evaluate_contract` for the scenario's contract and partner.

    ``workload`` (``scenarios.demand.expand``) gives the forecast that relief bands need, or
    ``forecast`` gives it ready (:func:`forecast_table` of the contract's measurement period,
    for callers that evaluate many KPI tables). A fixed fee is prorated by
    :func:`scenario_coverage_frac`.
    """
    contract = scenario.contract
    if contract is None:
        raise InputError(f"scenario {scenario.name!r} has no contract to evaluate")
    if forecast is None and workload is not None:
        forecast = forecast_table(workload, contract.measurement_period, scenario.run.warmup_s)
    return evaluate_contract(
        kpis,
        contract,
        pricing=scenario.partner.pricing,
        fte_hours_per_month=scenario.partner.fte_hours_per_month,
        forecast=forecast,
        coverage_frac=scenario_coverage_frac(scenario, contract.measurement_period),
    )
