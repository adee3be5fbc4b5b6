"""ClauseForecasts: each channel's forecast per period summed once, as a groupby sums it, and
the same contract rows whether the forecast comes summed or as plain tables."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from scenarios import load
from scenarios.demand import expand
from scenarios.errors import InputError
from sla_eval.clause_forecast import ClauseForecasts
from sla_eval.contract import clause_kpi
from sla_eval.scenario_eval import contract_forecasts, evaluate_scenario_contract

TABLE = pd.DataFrame(
    {
        "period": [0, 0, 1, 1, 2],
        "channel": ["phone", "email", "phone", "email", "email"],
        "expected_contacts": [100.5, 20.25, 90.0, 0.1, 7.0],
    }
)


def test_per_period_sums_a_channel_or_all_of_them():
    forecasts = ClauseForecasts({"day": TABLE})
    assert forecasts.per_period("day", "phone", np.array([1, 0])).tolist() == [90.0, 100.5]
    assert forecasts.per_period("day", "all", np.array([0, 1, 2])).tolist() == [
        100.5 + 20.25,
        90.0 + 0.1,
        7.0,
    ]
    assert forecasts.per_period("week", "phone", np.array([0])) is None
    assert list(forecasts) == ["day"] and forecasts["day"] is TABLE


def test_a_period_without_forecast_is_named():
    forecasts = ClauseForecasts({"day": TABLE})
    with pytest.raises(InputError, match=r"no 'phone' volume for periods \[2, 5\]"):
        forecasts.per_period("day", "phone", np.array([0, 2, 5]))


def test_summed_and_plain_forecasts_give_the_same_contract_rows():
    scenario = load("scenarios/examples/baseline.yaml")
    forecasts = contract_forecasts(scenario, expand(scenario))
    assert isinstance(forecasts, ClauseForecasts)
    shipped = pickle.loads(pickle.dumps(forecasts))
    periods = np.array([0])
    kind = scenario.contract.measurement_period
    for channel in ("phone", "email", "all"):
        table = forecasts[kind]
        rows = table if channel == "all" else table[table["channel"] == channel]
        expected = rows.groupby("period")["expected_contacts"].sum().reindex(periods)
        np.testing.assert_array_equal(shipped.per_period(kind, channel, periods), expected)
    rng = np.random.default_rng(3)
    kpis = _kpis(scenario, rng)
    plain = {name: table for name, table in forecasts.items()}
    pd.testing.assert_frame_equal(
        evaluate_scenario_contract(scenario, kpis, forecast=shipped),
        evaluate_scenario_contract(scenario, kpis, forecast=plain),
        check_exact=True,
    )


def _kpis(scenario, rng):
    """A month KPI table with every KPI the baseline's clauses read, random values."""
    keys = {(clause_kpi(clause), clause.channel) for clause in scenario.contract.clauses}
    keys |= {("offered", clause.channel) for clause in scenario.contract.clauses}
    keys |= {("first_contacts", clause.channel) for clause in scenario.contract.clauses}
    rows = [
        {
            "replication": replication,
            "period_kind": kind,
            "period": 0,
            "period_start": pd.Timestamp(scenario.horizon.start),
            "channel": channel,
            "kpi": kpi,
            "value": float(rng.uniform(0.5, 1.0))
            if kpi not in ("offered", "first_contacts")
            else float(rng.integers(900, 1100)),
        }
        for replication in range(3)
        for kind in ("month", "horizon")
        for kpi, channel in sorted(keys)
    ]
    return pd.DataFrame(rows)
