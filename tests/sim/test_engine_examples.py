"""The compiled engine on every example scenario: the same logs and KPIs as the SimPy model.

Given the same seed the compiled engine draws the same numbers and runs the same events as the
SimPy model (``tests/sim/test_engine_traces.py``), so the period KPI distributions of the two
engines do not only agree statistically: replication by replication, the contact, agent and
outage logs and the KPI table are identical. The default run shortens each example to a few days
(keeping its hires, launch or peak inside them), and the baseline once more with what no example
uses (handing contacts back at the end of duty, random absence); the slow run takes the examples
as written.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scenarios.errors import InputError
from scenarios.loader import load
from sim import run_replications, simulate
from sim.executors import executor
from sim.runner import ReplicationTask
from sla_eval.scenario_eval import scenario_kpi_table

EXAMPLES = Path(__file__).parents[2] / "scenarios" / "examples"
SHORT = {
    "baseline": ["horizon.days=3"],
    "launch": ["horizon.start=2027-03-20", "horizon.days=4"],  # launch wave, first hires
    "december_peak": ["horizon.start=2027-11-27", "horizon.days=4"],  # Black Friday, hires
    "mmn": ["horizon.days=1"],
    "mmn_abandon": ["horizon.days=1"],
}
"""``--set`` overrides of the default run, per example; an example not listed runs 2 days."""


ROSTER_EDGES = [
    "horizon.days=3",
    "partner.teams.0.end_of_duty=hand_back",
    "partner.teams.0.absence={distribution: binomial}",
    "partner.teams.1.end_of_duty=hand_back",
    "partner.teams.1.absence={distribution: beta_binomial, day_cv: 0.3}",
]
"""The baseline with what no example uses: voice and chat hand contacts back at the end of duty
and draw their absence per day; backoffice finishes its contacts (overtime)."""


def _examples() -> list[str]:
    return sorted(path.stem for path in EXAMPLES.glob("*.yaml"))


def _assert_same_replications(scenario, replications: int, seed: int) -> list:
    runs = {
        engine: list(run_replications(scenario, replications, seed, engine=engine))
        for engine in ("simpy", "numba")
    }
    for simpy_result, numba_result in zip(runs["simpy"], runs["numba"], strict=True):
        assert len(simpy_result.contacts) > 0
        for table in ("contacts", "agents", "outages"):
            pd.testing.assert_frame_equal(
                getattr(simpy_result, table), getattr(numba_result, table), check_exact=True
            )
        kpis = [
            scenario_kpi_table(
                scenario, result.contacts, agents=result.agents, outages=result.outages
            )
            for result in (simpy_result, numba_result)
        ]
        pd.testing.assert_frame_equal(*kpis, check_exact=True)
    return runs["simpy"]


@pytest.mark.parametrize("name", _examples())
def test_short_examples_give_the_same_logs_and_kpis(name):
    scenario = load(EXAMPLES / f"{name}.yaml", SHORT.get(name, ["horizon.days=2"]))
    _assert_same_replications(scenario, replications=2, seed=scenario.run.seed)


def test_the_baseline_handing_contacts_back_with_random_absence():
    scenario = load(EXAMPLES / "baseline.yaml", ROSTER_EDGES)
    for result in _assert_same_replications(scenario, replications=2, seed=scenario.run.seed):
        overtime = result.agents.groupby("team", observed=True)["overtime_agent_s"].sum()
        assert overtime["voice"] == overtime["chat"] == 0.0 < overtime["backoffice"]


@pytest.mark.slow
@pytest.mark.parametrize("name", _examples())
def test_examples_as_written_give_the_same_logs_and_kpis(name):
    scenario = load(EXAMPLES / f"{name}.yaml")
    _assert_same_replications(scenario, replications=4, seed=scenario.run.seed)


def test_worker_processes_run_the_compiled_engine():
    scenario = load(EXAMPLES / "baseline.yaml", ["horizon.days=1"])
    with executor(workers=2) as pool:
        mapped = list(run_replications(scenario, 2, 3, map_fn=pool, engine="numba"))
    for result in mapped:
        reference = simulate(scenario, result.replication, 3)
        pd.testing.assert_frame_equal(reference.contacts, result.contacts, check_exact=True)


def test_an_unknown_engine_is_refused_in_one_line():
    scenario = load(EXAMPLES / "mmn.yaml")
    calls = (
        lambda: simulate(scenario, 0, 1, engine="ciw"),
        lambda: run_replications(scenario, 1, 1, engine="ciw"),
        lambda: ReplicationTask(scenario, 1, None, {}, engine="ciw"),
    )
    for call in calls:
        with pytest.raises(InputError, match="unknown engine 'ciw'; expected one of simpy, numba"):
            call()
