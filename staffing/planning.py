"""What ``ccplan erlang`` and ``ccplan staff`` compute, one function each, as result objects.

- :func:`rate_measures`: the measures of given agents at one arrival rate (``ccplan erlang``);
- :func:`staff_rate`: the agents one arrival rate needs (``ccplan staff --calls-per-hour``),
  for the point forecast, or with a day-level forecast error for the expected measures
  (``--day-cv``) or with a confidence (``--confidence``; :mod:`staffing.requirements`);
- :func:`plan_scenario`: the interval plan of a scenario (``ccplan staff SCENARIO``), its day
  and week summaries and tier 2, with ``--day-cv`` and ``--confidence`` applied to the file.

Each result carries its one-line warnings (:mod:`staffing.load_warnings`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from scenarios.demand import Workload, expand
from scenarios.errors import InputError
from scenarios.loader import load
from scenarios.scenario import Scenario
from staffing.day_factor import expected_metrics, required_agents_expected
from staffing.load_warnings import measure_warnings, plan_warnings
from staffing.scenario_plan import plan, plan_by_day, plan_by_week, tier2_table
from staffing.uncertainty import required_agents_with_confidence

__all__ = ["RateStaffing", "StaffingPlan", "plan_scenario", "rate_measures", "staff_rate"]


@dataclass(frozen=True)
class RateStaffing:
    """Measures of a staffing at one arrival rate.

    Attributes
    ----------
    model:
        ``erlang_c`` or ``erlang_a``.
    measures:
        One row of :data:`staffing.erlang.COLUMNS` (expected over the day factor when a day CV
        is given).
    criterion:
        ``point``, ``expected`` (day CV given) or ``confidence <level>``.
    warnings:
        One line each (:mod:`staffing.load_warnings`).
    """

    model: str
    measures: pd.Series
    criterion: str
    warnings: tuple[str, ...]


def _warnings(row: pd.Series, abandons: bool) -> tuple[str, ...]:
    return tuple(
        measure_warnings(
            float(row["offered_load_erlangs"]),
            int(row["agents"]),
            abandons=abandons,
            p_abandon=float(row["p_abandon"]),
            capacity=float(row["agents"]),
        )
    )


def rate_measures(
    calls_per_hour: float,
    aht_s: float,
    agents: int,
    *,
    threshold_s: float,
    patience_s: float | None = None,
    sl_definition: str = "offered",
    short_abandon_s: float = 0.0,
    day_cv: float = 0.0,
) -> RateStaffing:
    """Erlang C (or A with ``patience_s``) measures of ``agents``, expected over a day factor
    with CV ``day_cv`` (0: the point forecast)."""
    row = expected_metrics(
        calls_per_hour,
        aht_s,
        agents,
        day_cv=day_cv,
        threshold_s=threshold_s,
        patience_s=patience_s,
        sl_definition=sl_definition,
        short_abandon_s=short_abandon_s,
    ).iloc[0]
    model = "erlang_c" if patience_s is None else "erlang_a"
    criterion = "expected" if day_cv > 0 else "point"
    return RateStaffing(model, row, criterion, _warnings(row, patience_s is not None))


def staff_rate(
    calls_per_hour: float,
    aht_s: float,
    *,
    targets: Mapping[str, float | None],
    patience_s: float | None = None,
    sl_definition: str = "offered",
    short_abandon_s: float = 0.0,
    day_cv: float = 0.0,
    confidence: float | None = None,
) -> RateStaffing:
    """The smallest agents meeting ``targets`` (the keyword arguments of
    :func:`staffing.required_agents`) at one rate: expected over the day factor, or on a
    share ``confidence`` of days (which needs ``day_cv > 0``)."""
    if confidence is not None and day_cv <= 0:
        raise InputError("--confidence needs --day-cv above 0: the confidence is over days.")
    kwargs: dict[str, Any] = {
        "patience_s": patience_s,
        "sl_definition": sl_definition,
        "short_abandon_s": short_abandon_s,
        **{name: value for name, value in targets.items() if value is not None},
    }
    if confidence is not None:
        agents = required_agents_with_confidence(
            calls_per_hour, aht_s, day_cv=day_cv, confidence=confidence, **kwargs
        )
    else:
        agents = required_agents_expected(calls_per_hour, aht_s, day_cv=day_cv, **kwargs)
    assert isinstance(agents, int), "one rate gives one number of agents"
    result = rate_measures(
        calls_per_hour,
        aht_s,
        agents,
        threshold_s=targets.get("threshold_s") or 0.0,
        patience_s=patience_s,
        sl_definition=sl_definition,
        short_abandon_s=short_abandon_s,
        day_cv=day_cv,
    )
    if confidence is not None:
        return RateStaffing(
            result.model, result.measures, f"confidence {confidence:.4g}", result.warnings
        )
    return result


@dataclass(frozen=True, eq=False)
class StaffingPlan:
    """The staffing plan of a scenario.

    Attributes
    ----------
    scenario, workload:
        The scenario planned (with ``day_cv`` and ``confidence`` applied) and its workload.
    table:
        Per channel and interval (:data:`staffing.PLAN_COLUMNS`).
    by_day, by_week:
        :func:`staffing.plan_by_day` and :func:`staffing.plan_by_week` (headcount and FTE).
    tier2:
        :func:`staffing.tier2_table`, or ``None`` without tier 2.
    warnings:
        One line each (:func:`staffing.load_warnings.plan_warnings`).
    """

    scenario: Scenario
    workload: Workload
    table: pd.DataFrame
    by_day: pd.DataFrame
    by_week: pd.DataFrame
    tier2: pd.DataFrame | None
    warnings: tuple[str, ...]


def scenario_overrides(
    scenario: Scenario, *, day_cv: str | float | None, confidence: str | float | None
) -> list[str]:
    """The ``--set`` overrides of ``--day-cv`` (every channel's day-level forecast error) and
    ``--confidence`` (the ``confidence`` criterion on every realtime channel with a target)."""
    extra = []
    if day_cv is not None:
        extra += [f"events.forecast_error.day_cv={day_cv}", "events.forecast_error.channels=null"]
    if confidence is not None:
        for name, channel in scenario.channels.items():
            if channel.is_realtime and channel.service_target is not None:
                extra += [
                    f"channels.{name}.service_target.criterion=confidence",
                    f"channels.{name}.service_target.confidence={confidence}",
                ]
    return extra


def plan_scenario(
    path: str | os.PathLike[str],
    overrides: Sequence[str] = (),
    *,
    day_cv: str | float | None = None,
    confidence: str | float | None = None,
) -> StaffingPlan:
    """Load a scenario file (with ``overrides``, ``day_cv`` and ``confidence``, see
    :func:`scenario_overrides`) and plan it."""
    scenario = load(path, overrides)
    extra = scenario_overrides(scenario, day_cv=day_cv, confidence=confidence)
    if extra:
        scenario = load(path, [*overrides, *extra])
    workload = expand(scenario)
    table = plan(scenario, workload)
    per_agent = {
        name: len(channel.concurrency.speeds) * channel.concurrency.speeds[-1]
        if channel.concurrency
        else 1.0
        for name, channel in scenario.channels.items()
    }
    return StaffingPlan(
        scenario,
        workload,
        table,
        plan_by_day(table, scenario),
        plan_by_week(table, scenario),
        tier2_table(scenario, workload),
        tuple(plan_warnings(table, per_agent)),
    )
