"""Measures expected over the gamma day factor, the ``expected`` criterion against direct
numerical integration, and the ``confidence`` criterion against
``required_agents_with_confidence``."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, stats

from scenarios.demand import expand
from scenarios.errors import InputError
from scenarios.loader import load
from staffing import (
    chat_metrics,
    erlang_metrics,
    expected_metrics,
    plan,
    required_agents,
    required_agents_expected,
    required_agents_with_confidence,
)
from staffing.planning import plan_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"
SPEEDS = (1.0, 0.75, 0.6)


def _direct(rate, fixed, aht_s, agents, cv, column, capacity=None, chat=False, **kwargs):
    """``E[(λV + λ_f)·m(λV + λ_f)] / E[λV + λ_f]`` by Simpson's rule on a fine grid of ``v``
    (scipy's gamma density), split at the capacity kink."""
    shape = 1.0 / cv**2
    density = stats.gamma(shape, scale=1.0 / shape)
    low, high = density.ppf([1e-13, 1.0 - 1e-13])
    capacity = agents if capacity is None else capacity
    kink = (capacity * 3600.0 / aht_s - fixed) / rate
    metrics = (
        (lambda *a, **k: chat_metrics(*a, speed_by_chats=SPEEDS, **k)) if chat else erlang_metrics
    )
    edges = [low, *([kink] if low < kink < high else []), high]
    numerator = denominator = 0.0
    for a, b in itertools.pairwise(edges):
        v = np.linspace(a, b, 20_001)
        calls = rate * v + fixed
        measure = metrics(calls, aht_s, agents, **kwargs)[column].to_numpy()
        weight = calls * density.pdf(v)
        numerator += integrate.simpson(weight * measure, x=v)
        denominator += integrate.simpson(weight, x=v)
    return numerator / denominator


@pytest.mark.parametrize("cv", [0.02, 0.08, 0.2, 0.4])
@pytest.mark.parametrize("patience_s", [None, 180.0])
@pytest.mark.parametrize("fixed", [0.0, 100.0])
def test_expected_measures_match_direct_integration(cv, patience_s, fixed):
    kwargs = {"threshold_s": 20.0, "patience_s": patience_s}
    ours = expected_metrics(500.0, 180.0, 30, day_cv=cv, fixed_calls_per_hour=fixed, **kwargs)
    for column in ("service_level", "p_wait", "p_abandon"):
        direct = _direct(500.0, fixed, 180.0, 30, cv, column, **kwargs)
        assert ours[column].iloc[0] == pytest.approx(direct, abs=1e-6), column


@pytest.mark.parametrize(("rate", "agents"), [(10_000.0, 520), (100_000.0, 5_050)])
@pytest.mark.parametrize("patience_s", [None, 180.0, 600.0])
def test_large_centres_where_the_measures_change_faster_than_the_density(rate, agents, patience_s):
    # At 500 and 5,000 Erlang the service level drops within a few per cent of volume, far
    # inside the day factor's spread: the adaptive quadrature takes over from the Gauss rule.
    for cv in (0.02, 0.2):
        kwargs = {"threshold_s": 60.0, "patience_s": patience_s}
        ours = expected_metrics(rate, 180.0, agents, day_cv=cv, **kwargs)
        direct = _direct(rate, 0.0, 180.0, agents, cv, "service_level", **kwargs)
        assert ours["service_level"].iloc[0] == pytest.approx(direct, abs=1e-6)


@pytest.mark.parametrize("patience_s", [None, 120.0])
def test_chat_expectation_matches_direct_integration(patience_s):
    # 20 agents hold up to 3 chats at speeds 1, 0.75, 0.6: capacity 36 chats at once.
    kwargs = {"threshold_s": 60.0, "patience_s": patience_s}
    for cv in (0.05, 0.25):
        ours = expected_metrics(250.0, 480.0, 20, day_cv=cv, speed_by_chats=SPEEDS, **kwargs)
        for column in ("service_level", "p_wait"):
            direct = _direct(250.0, 0.0, 480.0, 20, cv, column, capacity=36.0, chat=True,
                             **kwargs)  # fmt: skip
            assert ours[column].iloc[0] == pytest.approx(direct, abs=1e-6), column


def test_zero_cv_is_the_point_forecast():
    rates, agents = np.array([300.0, 600.0, 900.0]), np.array([20, 35, 50])
    for patience_s in (None, 120.0):
        point = erlang_metrics(rates, 180.0, agents, threshold_s=20, patience_s=patience_s)
        expected = expected_metrics(
            rates, 180.0, agents, day_cv=0.0, threshold_s=20, patience_s=patience_s
        )
        np.testing.assert_allclose(expected.to_numpy(float), point.to_numpy(float))
    chat = chat_metrics(rates, 480.0, agents, speed_by_chats=SPEEDS, patience_s=120.0)
    ours = expected_metrics(
        rates, 480.0, agents, day_cv=0.0, speed_by_chats=SPEEDS, patience_s=120.0
    )
    np.testing.assert_allclose(ours.to_numpy(float), chat.to_numpy(float))


def test_expected_service_level_falls_with_the_cv_and_its_staffing_rises():
    levels = [
        expected_metrics(1500.0, 240.0, 110, day_cv=cv, threshold_s=20, patience_s=180)[
            "service_level"
        ].iloc[0]
        for cv in (0.0, 0.05, 0.1, 0.2)
    ]
    assert levels == sorted(levels, reverse=True)
    agents = [
        required_agents_expected(
            1500.0, 240.0, day_cv=cv, target_sl=0.8, threshold_s=20, patience_s=180
        )
        for cv in (0.0, 0.05, 0.1, 0.2)
    ]
    assert agents == sorted(agents) and agents[-1] > agents[0]
    assert agents[0] == required_agents(
        1500.0, 240.0, target_sl=0.8, threshold_s=20, patience_s=180
    )


@pytest.mark.parametrize("patience_s", [None, 150.0])
def test_expected_staffing_is_the_smallest_meeting_every_target(patience_s):
    rates = np.array([120.0, 800.0, 2500.0])
    targets = {"target_sl": 0.8, "threshold_s": 30.0, "max_p_wait_frac": 0.5}
    agents = required_agents_expected(
        rates, 300.0, day_cv=0.12, fixed_calls_per_hour=30.0, patience_s=patience_s, **targets
    )
    for fewer, column in ((0, "service_level"), (1, "service_level")):
        table = expected_metrics(
            rates,
            300.0,
            agents - fewer,
            day_cv=0.12,
            fixed_calls_per_hour=30.0,
            threshold_s=30.0,
            patience_s=patience_s,
        )
        meets = (table[column] >= 0.8) & (table["p_wait"] <= 0.5)
        assert meets.all() if fewer == 0 else not meets.any()
    # The first guess does not change the answer.
    again = required_agents_expected(
        rates,
        300.0,
        day_cv=0.12,
        fixed_calls_per_hour=30.0,
        patience_s=patience_s,
        start_agents=agents + 7,
        **targets,
    )
    np.testing.assert_array_equal(again, agents)


def test_bad_day_cv_is_refused():
    with pytest.raises(InputError, match="day_cv must be at most 2"):
        expected_metrics(100.0, 180.0, 10, day_cv=3.0)
    with pytest.raises(InputError, match="day_cv must be ≥ 0"):
        required_agents_expected(100.0, 180.0, day_cv=-0.1, target_sl=0.8, threshold_s=20)


FORECAST = ["events.forecast_error.day_cv=10%", "horizon.days=1"]


def _phone(table):
    return table[(table["channel"] == "phone") & table["is_open"]]


def test_plan_staffs_for_the_expected_service_level():
    scenario = load(EXAMPLES / "mmn_abandon.yaml", FORECAST)
    scenario = load(
        EXAMPLES / "mmn_abandon.yaml",
        [*FORECAST, "partner.teams.0.staffing={mode: auto}"],
    )
    phone = _phone(plan(scenario, expand(scenario)))
    expected = required_agents_expected(
        phone["calls_per_hour"].to_numpy(),
        180.0,
        day_cv=0.1,
        target_sl=0.8,
        threshold_s=20,
        patience_s=120,
    )
    np.testing.assert_array_equal(phone["required_agents"].to_numpy(int), expected)
    assert (phone["service_level"] >= 0.8).all()
    assert (phone["criterion"] == "expected").all() and (phone["day_cv"] == 0.1).all()


def test_confidence_criterion_equals_required_agents_with_confidence():
    scenario = load(
        EXAMPLES / "mmn_abandon.yaml",
        [
            *FORECAST,
            "partner.teams.0.staffing={mode: auto}",
            "channels.phone.service_target.criterion=confidence",
            "channels.phone.service_target.confidence=90%",
        ],
    )
    phone = _phone(plan(scenario, expand(scenario)))
    expected = required_agents_with_confidence(
        phone["calls_per_hour"].to_numpy(),
        180.0,
        day_cv=0.1,
        confidence=0.9,
        target_sl=0.8,
        threshold_s=20,
        patience_s=120,
    )
    np.testing.assert_array_equal(phone["required_agents"].to_numpy(int), expected)
    assert (phone["criterion"] == "confidence 0.9").all()


def test_a_fixed_team_reports_the_expected_service_level():
    # mmn_abandon's roster: 35 agents at 30 Erlang; the plan's service level is the
    # expectation over the day factor, below the point forecast's.
    scenario = load(EXAMPLES / "mmn_abandon.yaml", FORECAST)
    phone = _phone(plan(scenario, expand(scenario)))
    expected = expected_metrics(600.0, 180.0, 35, day_cv=0.1, threshold_s=20, patience_s=120)[
        "service_level"
    ].iloc[0]
    point = erlang_metrics(600.0, 180.0, 35, threshold_s=20, patience_s=120)["service_level"]
    np.testing.assert_allclose(phone["service_level"], expected, rtol=1e-12)
    assert expected < point.iloc[0] - 0.01


_NO_PATIENCE = """
name: no_patience
horizon: {start: 2027-03-01, days: 7, interval: 1h}
channels:
  phone:
    kind: realtime
    hours: {mon-fri: "08:00-18:00"}
    volume: {per_day: 2400}
    handle_time: {mean: 5m}
    service_target: {threshold: 20s, target: 80%}
events: {forecast_error: {day_cv: 10%}}
partner:
  name: Acme
  shrinkage: 20%
  labour_cost_per_agent_hour_eur: 25
  teams:
    - name: voice
      channels: [phone]
      staffing: {mode: auto}
"""


def test_expected_criterion_plans_a_channel_without_abandonment(tmp_path):
    # No patience (Erlang C) under a declared forecast error: the plan's requirement per open
    # interval is the expected-criterion search of staffing.day_factor on the plan's own rate.
    path = tmp_path / "no_patience.yaml"
    path.write_text(_NO_PATIENCE)
    table = plan_scenario(path).table
    open_rows = table[table["is_open"]]
    expected = required_agents_expected(
        open_rows["calls_per_hour"].to_numpy(),
        open_rows["aht_s"].to_numpy(),
        day_cv=0.10,
        target_sl=0.8,
        threshold_s=20.0,
    )
    np.testing.assert_array_equal(open_rows["required_agents"].to_numpy(dtype=int), expected)
    assert (open_rows["criterion"] == "expected").all()
