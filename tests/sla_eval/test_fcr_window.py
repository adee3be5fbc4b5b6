"""Felt and agent-reported FCR on a simulated queue against 1 - (1 - p) q P(delay <= window)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scenarios import load
from sim.experiment import run_scenario
from sla_eval.scenario_eval import scenario_kpi_table
from sla_eval.summary import describe

P_RESOLVE, P_REPEAT, MEAN_DELAY_DAYS = 0.6, 0.5, 1.0
SCENARIO = f"""
name: fcr_window
horizon: {{start: 2027-03-01, days: 12, interval: 60m}}
channels:
  phone:
    kind: realtime
    hours: "24/7"
    volume: {{per_day: 1500}}
    handle_time: {{mean: 60s, distribution: exponential}}
    resolution_probability: {P_RESOLVE}
    repeat: {{probability: {P_REPEAT}, delay: {{mean: {MEAN_DELAY_DAYS}d}}}}
    fcr_window: 1d
partner:
  name: P
  shrinkage: 0%
  teams:
    - name: voice
      channels: [phone]
      staffing:
        mode: fixed
        headcount: 8
        shifts: [{{name: all, days: all, start: "00:00", end: "24:00", share: 100%}}]
run: {{replications: 6, seed: 11}}
"""


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    path = tmp_path_factory.mktemp("fcr") / "fcr.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    scenario = load(path)
    run = run_scenario(scenario, replications=6, seed=11)
    return scenario, run


def _horizon_values(scenario, run, kpi: str) -> np.ndarray:
    values = []
    for result in run.results:
        table = scenario_kpi_table(
            scenario, result.contacts, agents=result.agents, period_kinds=("horizon",)
        )
        rows = table[(table["kpi"] == kpi) & (table["channel"] == "phone")]
        values.append(float(rows["value"].iloc[0]))
    return np.array(values)


def _with_window(scenario, days: float):
    phone = scenario.channels["phone"].model_copy(update={"fcr_window": days * 86400.0})
    return scenario.model_copy(update={"channels": {"phone": phone}})


@pytest.mark.parametrize("days", [0.5, 1.0, 3.0])
def test_the_window_sets_the_felt_fcr_as_the_formula_says(simulated, days):
    scenario, run = simulated
    felt = describe(_horizon_values(_with_window(scenario, days), run, "fcr_frac"))
    # every answered contact, first or repeat, is resolved with p and, unresolved, comes back
    # with q after an exponential delay: 1 - (1 - p) q (1 - exp(-W / mean))
    expected = 1.0 - (1.0 - P_RESOLVE) * P_REPEAT * (1.0 - math.exp(-days / MEAN_DELAY_DAYS))
    low, high = felt["ci95"]
    assert low <= expected <= high


def test_a_longer_window_lowers_the_felt_fcr_replication_by_replication(simulated):
    scenario, run = simulated
    short = _horizon_values(_with_window(scenario, 0.5), run, "fcr_frac")
    long = _horizon_values(_with_window(scenario, 3.0), run, "fcr_frac")
    assert (long < short).all()


def test_the_agents_report_the_resolution_probability(simulated):
    scenario, run = simulated
    reported = describe(_horizon_values(scenario, run, "agent_fcr_frac"))
    low, high = reported["ci95"]
    assert low <= P_RESOLVE <= high
