"""The compiled engine against the SimPy model on the baseline month (``python
benchmarks/bench_engine.py [--replications 8]``, about a minute; prints JSON).

Both engines run the same replications of ``scenarios/examples/baseline.yaml`` in this process,
one after the other (SimPy, compiled, SimPy, compiled, ...), so that a drift of the shared
machine's speed hits both alike; every pair's logs are checked to be identical. Per replication:

* ``simulate``: :func:`sim.runner.simulate` with the workload and rosters given, the three log
  tables built;
* ``simulate_kpis``: ``simulate`` and the replication's KPI table
  (:func:`sla_eval.scenario_eval.scenario_kpi_table`, what a worker computes per replication);
* ``simulate_evaluate``: ``simulate`` and :func:`sla_eval.evaluation.evaluate_run` of the
  replication (KPIs, contract money and summary; the summary is made once per run, so this
  charges one replication with the whole of it);
* ``simulate_worker``: ``simulate`` and what a worker of ``ccplan run`` does with the
  replication (:class:`reports.replication_files.ReplicationFiles`: the KPI table with the
  interval service levels only, as a run without ``--intervals`` measures it, the contract
  rows and money, its parts encoded), the cost per replication of a run but for the parent's
  share and the summary at the end.

Reported: the median wall and CPU seconds of each, and the median over replications of the
SimPy / compiled ratio (CPU time; wall alongside). Each timed call starts after a garbage
collection, so that neither engine pays for collecting the other's garbage (each pays for its
own, as in a run). The compiled engine's first call in a
process loads its kernel from Numba's cache (or compiles it, the first time after a change):
``first_call_s`` is that call, kept out of the medians.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from pathlib import Path

import pandas as pd

from reports.interval_band import BAND_KPIS
from reports.replication_files import ReplicationFiles
from reports.run_pipeline import band_channels
from scenarios.demand import expand
from scenarios.loader import load
from sim.runner import simulate
from sla_eval.evaluation import evaluate_run
from sla_eval.replication import ReplicationEvaluator
from sla_eval.scenario_eval import scenario_kpi_table
from staffing import team_rosters

BASELINE = Path(__file__).parents[1] / "scenarios" / "examples" / "baseline.yaml"
MEASURES = ("simulate", "simulate_kpis", "simulate_evaluate", "simulate_worker")


def _timed(function) -> tuple[float, float, object]:
    """Wall and CPU seconds of ``function()``, and its value; the garbage of earlier calls is
    collected first, so that each call pays for the collections of its own garbage only."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    value = function()
    return time.perf_counter() - wall, time.process_time() - cpu, value


def _one(scenario, workload, rosters, replication: int, engine: str, files) -> dict:
    def run():
        return simulate(scenario, replication, 1, workload=workload, rosters=rosters, engine=engine)

    timings = {}
    wall, cpu, result = _timed(run)
    timings["simulate"] = (wall, cpu)
    kpi_wall, kpi_cpu, _ = _timed(
        lambda: scenario_kpi_table(
            scenario, result.contacts, agents=result.agents, outages=result.outages
        )
    )
    timings["simulate_kpis"] = (wall + kpi_wall, cpu + kpi_cpu)
    run_like = type("Run", (), {"results": (result,), "workload": workload, "seed": 1})
    evaluate_wall, evaluate_cpu, _ = _timed(lambda: evaluate_run(scenario, run_like))
    timings["simulate_evaluate"] = (wall + evaluate_wall, cpu + evaluate_cpu)
    files_wall, files_cpu, _ = _timed(lambda: files(result))
    timings["simulate_worker"] = (wall + files_wall, cpu + files_cpu)
    return {"timings": timings, "result": result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=8, help="pairs of runs")
    args = parser.parse_args()
    scenario = load(BASELINE)
    workload = expand(scenario)
    rosters = team_rosters(scenario, workload)
    files = ReplicationFiles(
        ReplicationEvaluator(scenario, workload, BAND_KPIS),
        band_channels(scenario),
        contacts=False,
        intervals=False,
    )
    first_call_s = _timed(
        lambda: simulate(scenario, 0, 1, workload=workload, rosters=rosters, engine="numba")
    )[0]
    _one(scenario, workload, rosters, 0, "simpy", files)  # warm both paths (imports, caches)
    _one(scenario, workload, rosters, 0, "numba", files)
    runs = {"simpy": [], "numba": []}
    contacts = []
    for replication in range(1, args.replications + 1):
        pair = {
            engine: _one(scenario, workload, rosters, replication, engine, files) for engine in runs
        }
        for table in ("contacts", "agents", "outages"):
            pd.testing.assert_frame_equal(
                getattr(pair["simpy"]["result"], table), getattr(pair["numba"]["result"], table)
            )
        contacts.append(len(pair["simpy"]["result"].contacts))
        for engine in runs:
            runs[engine].append(pair[engine]["timings"])
    report = {
        "scenario": str(BASELINE.name),
        "replications": args.replications,
        "contacts_per_replication": statistics.median(contacts),
        "first_call_s": first_call_s,
        "logs_identical": True,
    }
    for measure in MEASURES:
        entry = {}
        for engine in runs:
            entry[f"{engine}_wall_s"] = statistics.median(t[measure][0] for t in runs[engine])
            entry[f"{engine}_cpu_s"] = statistics.median(t[measure][1] for t in runs[engine])
        pairs = list(zip(runs["simpy"], runs["numba"], strict=True))
        entry["ratio_cpu"] = statistics.median(s[measure][1] / n[measure][1] for s, n in pairs)
        entry["ratio_wall"] = statistics.median(s[measure][0] / n[measure][0] for s, n in pairs)
        report[measure] = entry
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
