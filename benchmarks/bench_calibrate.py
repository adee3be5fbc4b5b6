"""Benchmark of ``ccplan calibrate`` on a log of about a million contacts.

The log is the four-channel baseline (``scenarios/examples/baseline.yaml``) simulated over
``--days`` days (290 give about 1.0 million rows) and written in the documented format with
:func:`calibrate.export_replication`; it is kept in ``--folder`` and reused by later runs.
``ccplan calibrate`` then runs ``--repeat`` times in a fresh process each (imports, reading,
every estimate, the scenario, ``calibration.json`` and ``calibration.html`` included), timed
from outside; its peak resident memory is the child's ``ru_maxrss``. Then, in this process, the
phases once: reading and checking the log, and the estimates with the scenario and
``calibration.json`` but without the HTML report (the rest of a run is the interpreter start,
the imports and the report). Targets (issue 15): under
30 s and under 2 GB. Prints one JSON object.

    python benchmarks/bench_calibrate.py [--days 290] [--repeat 3] [--folder /tmp/ccplan_bench]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from calibrate import calibrate_log, export_replication, read_log  # noqa: E402
from scenarios import load  # noqa: E402
from sim import simulate  # noqa: E402


def make_log(folder: Path, days: int) -> Path:
    """The simulated log (made once per folder and number of days)."""
    path = folder / f"baseline_{days}d" / "contacts.csv"
    if not path.exists():
        scenario = load(ROOT / "scenarios/examples/baseline.yaml", [f"horizon.days={days}"])
        started = time.perf_counter()
        result = simulate(scenario, 0, 12345)
        export_replication(scenario, result, path.parent)
        print(f"made {path} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def run_once(log: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and the child's peak memory in MB of one ``ccplan calibrate``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "calibrate", str(log), "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak_kb, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=290)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "ccplan_bench")
    args = parser.parse_args()
    log = make_log(args.folder, args.days)
    rows = sum(1 for _ in log.open()) - 1
    runs = [run_once(log, args.folder / "calibrated") for _ in range(args.repeat)]
    seconds = [s for s, _ in runs]
    started = time.perf_counter()
    contact_log = read_log(log)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    calibrate_log(contact_log, args.folder / "phases", report=False)
    estimate_s = time.perf_counter() - started
    report = {
        "rows": rows,
        "log_mb": round(log.stat().st_size / 2**20, 1),
        "seconds": [round(s, 2) for s in seconds],
        "best_seconds": round(min(seconds), 2),
        "peak_rss_mb": round(max(m for _, m in runs)),
        "phases_s": {
            "read_log": round(read_s, 2),
            "estimates_without_report": round(estimate_s, 2),
        },
        "targets": {"seconds": 30, "peak_rss_mb": 2048},
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
