"""Done-when of issue 12: the baseline with every team on auto, a month and 20 replications,
meets every realtime target over the horizon (mean) with the lower 95 % bound within a point."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from scenarios.demand import expand
from scenarios.loader import load
from sim.executors import executor
from sim.runner import run_replications
from sla_eval.scenario_eval import scenario_kpi_table
from staffing import team_rosters

AUTO = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "baseline_auto.yaml"


def _horizon_levels(result, scenario):
    kpis = scenario_kpi_table(scenario, result.contacts, period_kinds=("horizon",))
    levels = kpis[kpis["kpi"] == "service_level"]
    return dict(zip(levels["channel"].astype(str), levels["value"], strict=True))


@pytest.mark.slow
def test_auto_baseline_meets_its_realtime_targets_over_the_month():
    scenario = load(AUTO)
    assert scenario.horizon.days == 31 and scenario.run.replications == 20
    workload = expand(scenario)
    rosters = team_rosters(scenario, workload)
    with executor(workers=2) as map_fn:
        results = run_replications(
            scenario, 20, scenario.run.seed, map_fn=map_fn, workload=workload, rosters=rosters
        )
        levels = [_horizon_levels(result, scenario) for result in results]
    for name, channel in scenario.channels.items():
        if not channel.is_realtime:
            continue
        values = np.array([level[name] for level in levels])
        mean = values.mean()
        lower = mean - stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / math.sqrt(20)
        target = channel.service_target.target
        print(f"{name}: mean {mean:.4f}, 95 % CI lower bound {lower:.4f}, target {target}")
        assert mean >= target, name
        assert lower >= target - 0.01, name
