"""Benchmark of issue 12: the analytic plan of the baseline with every team on auto (repeats and
redials included), warm; and ``ccplan staff --verify`` on it.

    python benchmarks/bench_plan.py [--repeat 7] [--verify] [--workers 2] [--p-meet 0.9]

Prints JSON: the plan's best and median time over ``--repeat`` solves (the Numba kernels
compiled and cached, the solved plan's cache cleared before each), its outer steps, per realtime
channel the offered contacts with their repeats and redials, the required and scheduled agent
hours, the predicted service level and abandonment over the horizon; with ``--verify`` the
wall time of :func:`verify.verify_plan` and its rounds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from scenarios.demand import expand
from scenarios.loader import load
from staffing import fixed_point, plan, plan_by_week

AUTO = Path(__file__).resolve().parents[1] / "scenarios" / "examples" / "baseline_auto.yaml"


def _plan_times(repeat: int) -> tuple[list[float], object, object]:
    scenario = load(AUTO)
    workload = expand(scenario)
    plan(scenario, workload)  # compile or load the kernels
    times = []
    for _ in range(repeat):
        fixed_point._LAST.clear()
        start = time.perf_counter()
        table = plan(scenario, workload)
        times.append(time.perf_counter() - start)
    return times, scenario, table


def _channel_facts(scenario, table) -> dict:
    hours = scenario.horizon.interval_s / 3600.0
    facts = {}
    for name, rows in table.groupby("channel", observed=True):
        realtime = rows["kind"].iloc[0] == "realtime"
        if realtime:
            rows = rows[rows["is_open"]]
        calls = rows["calls_per_hour"] * hours
        known = rows["service_level"].notna()
        facts[str(name)] = {
            "offered": round(float(calls.sum()), 1),
            "of_them_repeats": round(float((rows["repeats_per_hour"] * hours).sum()), 1),
            "of_them_redials": round(float((rows["redials_per_hour"] * hours).sum()), 1),
            "required_agent_hours": round(float(rows["required_agents"].sum() * hours), 1),
            "productive_agent_hours": round(float(rows["productive_agents"].sum() * hours), 1),
            "service_level": round(
                float(np.average(rows["service_level"][known], weights=calls[known])), 4
            ),
            "p_abandon": round(float(np.average(rows["p_abandon"], weights=calls)), 4)
            if realtime
            else 0.0,
        }
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--verify", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--p-meet", type=float, default=0.9)
    args = parser.parse_args()
    times, scenario, table = _plan_times(args.repeat)
    weeks = plan_by_week(table, scenario)
    result = {
        "plan_best_s": round(min(times), 3),
        "plan_median_s": round(statistics.median(times), 3),
        "outer_steps": fixed_point._LAST[0][2].steps,
        "channels": _channel_facts(scenario, table),
        "fte_first_week": {
            str(row.team): round(float(row.fte), 1)
            for row in weeks[weeks["week_start"] == weeks["week_start"].min()].itertuples()
        },
    }
    if args.verify:
        from verify import verify_plan

        start = time.perf_counter()
        verified = verify_plan(AUTO, workers=args.workers, p_meet=args.p_meet)
        result["verify_s"] = round(time.perf_counter() - start, 1)
        result["verify_rounds"] = verified.rounds.round(4).to_dict("records")
        result["verify_agent_hours_added"] = float(verified.added["agent_hours_added"].sum())
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
