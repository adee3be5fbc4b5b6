"""Speed of ``ccplan negotiate`` on the baseline example (``python benchmarks/bench_negotiate.py``).

Runs the command as a user would, in a fresh process (``--workers 2 --quiet --json``; default:
11 levels over the range of the analytic screen, 10 replications per level to start, up to
``--max-replications`` (default: the command's own) per level while the 95 % interval
half-width of the expected service credit is above 10 % of its value and above 500 EUR,
growing in one step to the projected need), and reports the wall time, the replications per
level and which levels reached that precision. ``benchmarks/README.md`` ("Negotiation")
records the numbers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = Path(__file__).parents[1] / "scenarios" / "examples" / "baseline.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-replications", type=int, default=None)
    parser.add_argument("extra", nargs="*", help="more ccplan negotiate options (after --)")
    args = parser.parse_args()
    limit = []
    if args.max_replications is not None:
        limit = ["--max-replications", str(args.max_replications)]
    with tempfile.TemporaryDirectory() as folder:
        command = [
            sys.executable,
            "-c",
            "import cli; cli.main()",
            "negotiate",
            str(BASELINE),
            "--workers",
            str(args.workers),
            "--out",
            str(Path(folder) / "out"),
            "--quiet",
            "--json",
            *limit,
            *args.extra,
        ]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        wall_s = time.perf_counter() - start
    document = json.loads(done.stdout)
    levels = [
        {
            "level": entry["level"],
            "replications": entry["replications"],
            "precise": entry["precise"],
            "credit_eur": entry["credit_eur"]["mean"],
            "ci95": entry["credit_eur"]["ci95"],
            "net_credit_eur": entry["net_credit_eur"]["mean"],
        }
        for entry in document["levels"]
    ]
    print(
        json.dumps(
            {
                "wall_s": round(wall_s, 1),
                "levels": len(levels),
                "precise_levels": sum(entry["precise"] for entry in levels),
                "replications": sum(entry["replications"] for entry in levels),
                "best_response": document["best_response"]["level"],
                "client_requirement": document["client_requirement"]["level"],
                "fair_penalty": document["fair_penalty"],
                "per_level": levels,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
