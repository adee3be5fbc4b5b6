"""Memory and time of ``ccplan run`` as replications grow (``python benchmarks/bench_scale.py``).

Two measures, each printed as JSON; ``benchmarks/README.md`` ("Scale") records the numbers.
Both run ``reports.workflows.run`` on the baseline example in a fresh process, without the
report, with ``--engine`` (default ``numba``, the compiled engine), and report the parent
process's own peak resident memory (``ru_maxrss``, the workers excluded) and the wall time.

``memory``
    One run per count of replications (``--replications 100 1000 10000``; ``--days`` shortens
    the horizon), and the ratio of each peak to the first one: flat memory is a ratio near 1.
``precision``
    ``ccplan run --precision 1pp`` end to end on ``--workers`` workers: the run grows until the
    95 % interval of every clause's P(breach) is within one percentage point (or
    ``--max-replications``), as a user would run it. Reports the replications it reached, the
    wall time, and each clause's P(breach) with its interval half-width.

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


def _one_run(
    replications: int, days: int | None, workers: int, out: Path, engine: str, precision: bool
) -> dict:
    """Run in this process; what the parent used."""
    sys.path.insert(0, str(ROOT))
    from reports.run_pipeline import RunOptions
    from reports.workflows import run
    from sla_eval.precision import parse_precision

    overrides = [] if days is None else [f"horizon.days={days}"]
    targets = (parse_precision("1pp"),) if precision else ()
    start = time.perf_counter()
    outcome = run(
        BASELINE,
        overrides=overrides,
        replications=replications,
        workers=workers,
        out=out,
        options=RunOptions(report=False, engine=engine, targets=targets),
    )
    wall_s = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF)
    found = {
        "replications": outcome.replications,
        "days": days,
        "workers": workers,
        "engine": engine,
        "wall_s": round(wall_s, 2),
        "parent_peak_mb": round(own.ru_maxrss / 1024, 1),
        "parent_cpu_s": round(own.ru_utime + own.ru_stime, 2),
    }
    if precision:
        found["checks"] = [
            {
                "what": check.what,
                "estimate": check.estimate,
                "half_width": check.half_width,
                "met": check.met,
            }
            for check in outcome.checks
        ]
    return found


def _in_fresh_process(arguments: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, __file__, "one", *arguments, str(Path(folder) / "out")]
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout)


def memory(counts: list[int], days: int | None, workers: int, engine: str) -> None:
    rows = [
        _in_fresh_process([str(count), str(days or 0), str(workers), engine, "0"])
        for count in counts
    ]
    for row in rows:
        row["peak_ratio_to_first"] = round(row["parent_peak_mb"] / rows[0]["parent_peak_mb"], 3)
        row["wall_s_per_replication"] = round(row["wall_s"] / row["replications"], 4)
    print(json.dumps(rows, indent=1))


def precision(replications: int, workers: int, engine: str) -> None:
    found = _in_fresh_process([str(replications), "0", str(workers), engine, "1"])
    print(json.dumps(found, indent=1))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "one":
        replications, days, workers, engine, precise, out = sys.argv[2:8]
        found = _one_run(
            int(replications), int(days) or None, int(workers), Path(out), engine, precise == "1"
        )
        print(json.dumps(found))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    mem = commands.add_parser("memory")
    mem.add_argument("--replications", type=int, nargs="+", default=[100, 1000])
    mem.add_argument("--days", type=int, default=None)
    pre = commands.add_parser("precision")
    pre.add_argument("--replications", type=int, default=20, help="the first batch")
    for sub in (mem, pre):
        sub.add_argument("--workers", type=int, default=2)
        sub.add_argument("--engine", default="numba", choices=["simpy", "numba"])
    args = parser.parse_args()
    if args.command == "memory":
        memory(args.replications, args.days, args.workers, args.engine)
    else:
        precision(args.replications, args.workers, args.engine)


if __name__ == "__main__":
    main()
