"""Tier 2: the escalations the plan expects, its agents on auto, and the simulation taking them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scenarios.demand import expand
from scenarios.loader import load
from scenarios.partner import TIER2_ROSTER
from sim.build import model_input
from sim.runner import simulate
from sim.streams import Streams
from sla_eval.scenario_eval import scenario_kpi_table
from staffing import PLAN_TIER2_COLUMNS, solve, team_rosters, tier2_table

AUTO = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "baseline_auto.yaml"
SHORT = ["horizon.days=14", "outages=null", "events=null"]


@pytest.fixture(scope="module")
def auto_tier2():
    scenario = load(AUTO, [*SHORT, "tier2.agents=auto"])
    return scenario, expand(scenario)


def test_auto_tier2_is_planned_and_simulated_per_interval(auto_tier2):
    scenario, workload = auto_tier2
    table = tier2_table(scenario, workload)
    assert {c: str(t) for c, t in table.dtypes.items()} == dict(PLAN_TIER2_COLUMNS)
    rosters = team_rosters(scenario, workload)
    np.testing.assert_array_equal(rosters[TIER2_ROSTER], table["agents"])
    assert (table.loc[~table["is_open"], "agents"] == 0).all()
    assert table["agents"].max() > 0
    spec = model_input(scenario, workload, rosters, Streams(1, 0)).tier2
    np.testing.assert_array_equal(spec.agents_by_interval, table["agents"])
    # The escalations are those of every channel's done contacts.
    solved = solve(scenario, workload)
    total = sum(flow.escalations.sum() for flow in solved.channels.values())
    assert table["escalations_per_hour"].sum() * 0.25 == pytest.approx(total)


def test_tier2_in_time_share_is_close_to_the_simulation(auto_tier2):
    # Escalations sent after tier 2 closes wait past their 4 h target whatever the staffing:
    # the plan counts them late, as the KPI does. The fluid plan has no queueing randomness, so
    # the simulated share may be a little lower.
    scenario, workload = auto_tier2
    table = tier2_table(scenario, workload)
    known = table["on_time"].notna()
    planned = np.average(
        table.loc[known, "on_time"], weights=table.loc[known, "escalations_per_hour"]
    )
    rosters = team_rosters(scenario, workload)
    shares = []
    for replication in range(3):
        contacts = simulate(scenario, replication, 8, workload=workload, rosters=rosters).contacts
        kpis = scenario_kpi_table(scenario, contacts, period_kinds=("horizon",))
        row = kpis[
            (kpis["channel"] == "all") & (kpis["kpi"] == "escalation_response_within_target_frac")
        ]
        shares.append(float(row["value"].iloc[0]))
    assert planned < 0.9  # closed hours make a part late
    assert abs(np.mean(shares) - planned) < 0.03


def test_fixed_tier2_has_no_roster_and_its_agents_while_open():
    scenario = load(AUTO, SHORT)
    workload = expand(scenario)
    assert TIER2_ROSTER not in team_rosters(scenario, workload)
    table = tier2_table(scenario, workload)
    assert set(table.loc[table["is_open"], "agents"]) == {9}
