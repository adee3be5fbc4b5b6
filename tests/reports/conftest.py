"""A short simulated run of the baseline example shared by the report tests: seven days from
Thursday 25 March 2027 with Easter Monday (29 March) closed, the contract measured per week,
three replications."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest

import staffing
from scenarios import expand
from scenarios.loader import load
from sim.runner import run_replications
from sla_eval import evaluate_scenario_contract, scenario_kpi_table, scenario_totals
from sla_eval.summary import summary_dict

BASELINE = Path(__file__).parents[2] / "scenarios" / "examples" / "baseline.yaml"
SHORT = [
    "horizon.start=2027-03-25",
    "horizon.days=7",
    "horizon.closed_days=[2027-03-29]",
    "outages.scheduled=[]",
    "contract.measurement_period=week",
]
DESCRIPTION = "<b>Tom & Jerry</b> <script>alert(1)</script>"
REPLICATIONS = 3
SEED = 7
CHROMIUM = Path("/usr/bin/chromium")


def simulate(overrides: list[str]) -> dict:
    """The tables of a short run of the baseline with ``overrides`` after :data:`SHORT`:
    ``scenario``, ``plan``, ``kpis`` and, with a contract, ``evaluation`` and ``totals``."""
    scenario = load(BASELINE, overrides=[*SHORT, *overrides])
    workload = expand(scenario)
    results = list(run_replications(scenario, REPLICATIONS, SEED))
    kpis = scenario_kpi_table(
        scenario,
        pd.concat([result.contacts for result in results], ignore_index=True),
        agents=pd.concat([result.agents for result in results], ignore_index=True),
        outages=pd.concat([result.outages for result in results], ignore_index=True),
    )
    run = {"scenario": scenario, "plan": staffing.plan(scenario, workload), "kpis": kpis}
    if scenario.contract is not None:
        run["evaluation"] = evaluate_scenario_contract(scenario, kpis, workload)
        run["totals"] = scenario_totals(scenario, run["evaluation"], kpis)
    return run


@pytest.fixture(scope="session")
def run() -> dict:
    """:func:`simulate` with a description that needs escaping."""
    return simulate([f"description={DESCRIPTION}"])


@pytest.fixture(scope="session")
def summary(run) -> dict:
    """The run's summary (:func:`sla_eval.summary.summary_dict`)."""
    return summary_dict(run["kpis"], run["evaluation"], run["totals"])


def chromium(*arguments: str, profile: Path) -> subprocess.CompletedProcess:
    """Run Debian's headless Chromium with a throw-away profile and no network chatter."""
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *arguments,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
