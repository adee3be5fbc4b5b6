"""Memory and time of ``ccplan run`` as replications grow (``python benchmarks/bench_scale.py``).

Two measures, each printed as JSON; ``benchmarks/README.md`` ("Scale") records the numbers.

``memory``
    Runs ``reports.workflows.run`` on the baseline example in a fresh process per count of
    replications (``--replications 100 1000``; ``--days`` shortens the horizon) and reports the
    parent process's peak resident memory (``ru_maxrss`` of the process itself, the workers
    excluded), the wall time and the ratio of each peak to the first one: flat memory is a ratio
    near 1.
``precision``
    Runs the baseline month (``--replications`` replications on ``--workers`` workers), measures
    the wall time per replication end to end and the P(breach) of a clause (``--clause``,
    default ``email_response``), and projects the replications its ±1 percentage point Wilson
    interval needs (:func:`sla_eval.precision.share_replications_needed`) and the time they
    would take at that pace, and with ``--workers 1`` on two free cores (the CPU seconds per
    replication, halved: the machine's other jobs do not count).

The 2-workers-against-1 speed-up is timed from outside with ``farm-bench`` (command in the
README).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "examples" / "baseline.yaml"


def _one_run(replications: int, days: int | None, workers: int, out: Path) -> dict:
    """Run in this process; what the parent used."""
    sys.path.insert(0, str(ROOT))
    from reports.run_pipeline import RunOptions
    from reports.workflows import run

    overrides = [] if days is None else [f"horizon.days={days}"]
    start = time.perf_counter()
    outcome = run(
        BASELINE,
        overrides=overrides,
        replications=replications,
        workers=workers,
        out=out,
        options=RunOptions(report=False),
    )
    wall_s = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "replications": outcome.replications,
        "days": days,
        "workers": workers,
        "wall_s": round(wall_s, 2),
        "parent_peak_mb": round(own.ru_maxrss / 1024, 1),
        "parent_cpu_s": round(own.ru_utime + own.ru_stime, 2),
        "summary": outcome.evaluation.summary,
    }


def _in_fresh_process(replications: int, days: int | None, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        command = [
            sys.executable,
            __file__,
            "one",
            str(replications),
            str(days or 0),
            str(workers),
            str(Path(folder) / "out"),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout)


def memory(counts: list[int], days: int | None, workers: int) -> None:
    rows = []
    for count in counts:
        found = _in_fresh_process(count, days, workers)
        found.pop("summary")
        rows.append(found)
    for row in rows:
        row["peak_ratio_to_first"] = round(row["parent_peak_mb"] / rows[0]["parent_peak_mb"], 3)
        row["wall_s_per_replication"] = round(row["wall_s"] / row["replications"], 4)
    print(json.dumps(rows, indent=1))


def precision(replications: int, workers: int, clause: str) -> None:
    sys.path.insert(0, str(ROOT))
    from sla_eval.precision import share_replications_needed

    found = _in_fresh_process(replications, None, workers)
    entry = found.pop("summary")["contract"]["clauses"][clause]
    share = entry["p_breach"]
    needed = share_replications_needed(share, 0.01)
    per_replication_s = found["wall_s"] / replications
    # worker processes are children of the fork server, not of the run: their CPU is counted
    # only when the run is its own single worker
    cpu_per_replication_s = found["parent_cpu_s"] / replications
    on_two_cores = needed * cpu_per_replication_s / 2 / 60 if workers == 1 else None
    found.update(
        clause=clause,
        p_breach=share,
        p_breach_ci95=entry.get("p_breach_ci95"),
        replications_for_1pp=needed,
        wall_s_per_replication=round(per_replication_s, 3),
        projected_wall_min_for_1pp=round(needed * per_replication_s / 60, 1),
        cpu_s_per_replication=round(cpu_per_replication_s, 3) if workers == 1 else None,
        projected_min_for_1pp_on_two_free_cores=on_two_cores and round(on_two_cores, 1),
    )
    print(json.dumps(found, indent=1))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "one":
        replications, days, workers, out = sys.argv[2:6]
        found = _one_run(int(replications), int(days) or None, int(workers), Path(out))
        print(json.dumps(found))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    mem = commands.add_parser("memory")
    mem.add_argument("--replications", type=int, nargs="+", default=[100, 1000])
    mem.add_argument("--days", type=int, default=None)
    mem.add_argument("--workers", type=int, default=2)
    pre = commands.add_parser("precision")
    pre.add_argument("--replications", type=int, default=20)
    pre.add_argument("--workers", type=int, default=2)
    pre.add_argument("--clause", default="email_response")
    args = parser.parse_args()
    if args.command == "memory":
        memory(args.replications, args.days, args.workers)
    else:
        precision(args.replications, args.workers, args.clause)


if __name__ == "__main__":
    main()
