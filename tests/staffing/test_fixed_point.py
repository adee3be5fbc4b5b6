"""The workload the simulation sees: repeats, redials and escalations as a fixed point, checked
as an equation and against the simulation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from scenarios.demand import expand
from scenarios.loader import load
from sim.runner import simulate
from staffing import erlang_metrics, landing_weights, plan, solve, team_rosters

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"
RETRIES = [
    "channels.phone.resolution_probability=70%",
    "channels.phone.repeat={probability: 50%, delay: {mean: 2h}}",
    "channels.phone.redial={probability: 40%, delay: {mean: 10m}}",
    "channels.phone.escalation={probability: 5%}",
    "tier2={agents: 6, hours: '24/7', handle_time: {mean: 20m}}",
    "run.warmup=0s",
]


@pytest.fixture(scope="module")
def mmn():
    """M/M/35+M at 30 Erlang of first contacts (Erlang A is exact), with retries."""
    scenario = load(EXAMPLES / "mmn_abandon.yaml", RETRIES)
    workload = expand(scenario)
    return scenario, workload, solve(scenario, workload)


def test_the_plan_solves_its_fixed_point(mmn):
    # Recompute the retries from the plan's own offered contacts and abandonment with an
    # independent convolution and the Erlang A formula: they are the plan's retries.
    scenario, workload, solved = mmn
    flow = solved.channels["phone"]
    offered = flow.first + flow.repeats + flow.redials
    rate = offered * 3600.0 / workload.interval_s
    p_abandon = erlang_metrics(rate, 180.0, 35, threshold_s=20, patience_s=120)["p_abandon"]
    answered, abandoned = offered * (1 - p_abandon), offered * p_abandon
    n = workload.n_intervals
    repeat_w = landing_weights("exponential", 7200.0, 1.0, interval_s=900.0, n=n, shift_s=180.0)
    redial_w = landing_weights("exponential", 600.0, 1.0, interval_s=900.0, n=n)
    repeats = np.convolve(answered * 0.3 * 0.5, repeat_w)[:n]
    redials = np.convolve(abandoned * 0.4, redial_w)[:n]
    scale = flow.first.max()
    np.testing.assert_allclose(flow.repeats, repeats, atol=2e-4 * scale)
    np.testing.assert_allclose(flow.redials, redials, atol=2e-4 * scale)
    np.testing.assert_allclose(flow.measures["p_abandon"], p_abandon, atol=1e-6)
    table = plan(scenario, workload)
    np.testing.assert_allclose(table["calls_per_hour"], rate)
    assert table["repeats_per_hour"].sum() > 0 and table["redials_per_hour"].sum() > 0


def _ci(values, confidence=0.99):
    values = np.asarray(values, float)
    half = stats.t.ppf(0.5 + confidence / 2, values.size - 1) * values.std(ddof=1)
    return values.mean(), half / math.sqrt(values.size)


def test_repeats_redials_and_escalations_match_the_simulation(mmn):
    scenario, workload, solved = mmn
    rosters = team_rosters(scenario, workload)
    counts = {"first": [], "repeat": [], "redial": [], "escalated": []}
    for replication in range(24):
        contacts = simulate(scenario, replication, 11, workload=workload, rosters=rosters).contacts
        offered = contacts[contacts["outcome"] != "not_offered"]
        for kind in ("first", "repeat", "redial"):
            counts[kind].append(int((offered["contact_type"] == kind).sum()))
        counts["escalated"].append(int(contacts["escalated"].sum()))
    flow = solved.channels["phone"]
    planned = {
        "first": flow.first.sum(),
        "repeat": flow.repeats.sum(),
        "redial": flow.redials.sum(),
        "escalated": flow.escalations.sum(),
    }
    for kind, values in counts.items():
        mean, half = _ci(values)
        # The plan is exact in steady state; it starts in it, the simulation empty (the first
        # minutes have fewer abandons): a 1 % allowance beside the 99 % CI.
        assert abs(mean - planned[kind]) <= half + 0.01 * planned[kind], kind
    assert planned["repeat"] > 1000 and planned["redial"] > 50


def test_an_auto_team_staffs_for_the_retries_too():
    scenario = load(
        EXAMPLES / "mmn_abandon.yaml", [*RETRIES, "partner.teams.0.staffing={mode: auto}"]
    )
    first_only = load(EXAMPLES / "mmn_abandon.yaml", ["partner.teams.0.staffing={mode: auto}"])
    with_retries = plan(scenario, expand(scenario))
    without = plan(first_only, expand(first_only))
    assert with_retries["required_agents"].sum() > without["required_agents"].sum()
    assert (with_retries.loc[with_retries["is_open"], "service_level"] >= 0.8).all()
