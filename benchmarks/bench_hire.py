"""Speed of ``ccplan hire`` (``python benchmarks/bench_hire.py [--workers 2] [--skip-command]``).

1. **Analytic optimisation of a 12-month weekly plan for three teams**: ``hire_launch.yaml``
   over 364 days with ``hiring_classes`` on its three teams (Monday classes, at most 12 each).
   Times the weekly capacity model (:func:`hire.capacity.capacity_model`) and the HiGHS
   programme (:func:`hire.optimise.optimise`, both modes; best of 3), against the staffing plan
   of the same scenario (:func:`staffing.solve`, which ``ccplan staff`` runs) timed in the
   same run.
2. **The whole command** on the launch example, verification included
   (``ccplan hire scenarios/examples/hire_launch.yaml --max-p-breach 10% --workers N``) in a
   fresh process, against ``ccplan run`` of the same scenario with the same replications (10),
   in the same run.

``benchmarks/README.md`` ("Hiring plan") records the numbers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hire.capacity import capacity_model
from hire.optimise import optimise
from scenarios.demand import expand
from scenarios.loader import load
from staffing import solve

EXAMPLE = Path(__file__).parents[1] / "scenarios" / "examples" / "hire_launch.yaml"
CLASSES = (
    "{{start_days: mon, lead_time_weeks: 2, min_size: 2, max_size: {size}, max_classes: 12,"
    " training_weeks: 2, nesting_weeks: 2, nesting_productivity: 80%, dropout: 5%}}"
)
YEAR = [
    "horizon.days=364",
    f"partner.teams.voice.hiring_classes={CLASSES.format(size=40)}",
    f"partner.teams.chat.hiring_classes={CLASSES.format(size=40)}",
    f"partner.teams.backoffice.hiring_classes={CLASSES.format(size=40)}",
]


def _best(function, repeat: int = 3) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - start)
    return best, value


def analytic() -> dict:
    """Part 1 of the module docstring."""
    scenario = load(EXAMPLE, YEAR)
    workload = expand(scenario)
    solve_s, _ = _best(lambda: solve(scenario, workload), 1)
    model_s, model = _best(lambda: capacity_model(scenario, workload), 1)
    cost_s, plan = _best(lambda: optimise(model))
    bound_s, bounded = _best(lambda: optimise(model, 0.1))
    return {
        "weeks": model.weeks.n,
        "teams": len(model.teams),
        "candidates": sum(len(t.candidates) for t in model.teams),
        "staffing_solve_s": round(solve_s, 2),
        "capacity_model_s": round(model_s, 2),
        "optimise_expected_cost_s": round(cost_s, 3),
        "optimise_max_p_breach_s": round(bound_s, 3),
        "analytic_total_s": round(model_s + max(cost_s, bound_s), 2),
        "model_over_solve": round(model_s / solve_s, 2),
        "classes_expected_cost": sum(len(t.classes) for t in plan.teams),
        "classes_max_p_breach": sum(len(t.classes) for t in bounded.teams),
        "gap_expected_cost": plan.gap,
        "gap_max_p_breach": bounded.gap,
    }


def _command(*args: str) -> tuple[float, str]:
    command = [sys.executable, "-c", "import cli; cli.main()", *args]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def whole(workers: int) -> dict:
    """Part 2 of the module docstring."""
    with tempfile.TemporaryDirectory() as folder:
        hire_s, out = _command(
            "hire", str(EXAMPLE), "--max-p-breach", "10%", "--workers", str(workers),
            "--out", f"{folder}/hire", "--quiet", "--json",
        )  # fmt: skip
        run_s, _ = _command(
            "run", str(EXAMPLE), "--replications", "10", "--workers", str(workers),
            "--out", f"{folder}/run", "--quiet", "--json",
        )  # fmt: skip
    document = json.loads(out)
    verification = document["verification"]
    return {
        "hire_wall_s": round(hire_s, 1),
        "run_10_replications_wall_s": round(run_s, 1),
        "hire_over_run": round(hire_s / run_s, 2),
        "variants": len(verification["variants"]),
        "simulated_days": verification["days"],
        "plan": document["plan"],
        "recommendation": document["recommendation"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-command", action="store_true")
    args = parser.parse_args()
    found = {"analytic": analytic()}
    if not args.skip_command:
        found["command"] = whole(args.workers)
    print(json.dumps(found, indent=2))


if __name__ == "__main__":
    main()
