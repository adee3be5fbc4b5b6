"""Shared scenarios and simulated levels for the negotiation tests.

``known`` is M/M/N (Erlang C) with a linear penalty per point below a 99 % target that every
level misses, a fixed fee and a labour cost per agent hour, so the partner's margin is
``const - labour(N) - r * 100 * (0.99 - SL(N))`` and its best response follows from Erlang C.
``perils`` is a small, impatient queue measured per day (under 100 contacts a day) with a
service level per answered contact: it shows the warnings that ``known`` does not.
"""

from __future__ import annotations

import functools
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from negotiate.pricing import level_kpis
from negotiate.sensitivity import measurement_scenario
from scenarios import load
from sim.levels import run_levels

KNOWN_AGENTS = (31, 32, 33, 34, 35, 36, 37, 38)
KNOWN_BASE = 35
RATE_EUR_PER_POINT = 100.0
LABOUR_EUR_PER_HOUR = 30.0

_SCENARIO = """
name: {name}
horizon: {{start: 2027-03-01, days: 1, interval: 15m}}
channels:
  phone:
    kind: realtime
    hours: "24/7"
    volume: {{per_day: {per_day}}}
    intraday_profile: flat
    handle_time: {{mean: {aht}, distribution: exponential}}
    {patience}
    resolution_probability: 100%
partner:
  name: Test partner
  shrinkage: 0%
  labour_cost_per_agent_hour_eur: {labour}
  teams:
    - name: voice
      channels: [phone]
      staffing: {{mode: roster, file: roster.csv}}
contract:
  fee: {{fixed_eur: {fee}, billing_period: day}}
  measurement_period: day
  clauses:
    - id: phone_sl
      kpi: service_level
      channel: phone
      threshold: 20s
      target: {target}
      sl_definition: {sl_definition}
      penalty: {penalty}
run: {{replications: {replications}, seed: {seed}, warmup: {warmup}}}
"""


def _write(folder: Path, text: str, agents: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    starts = pd.date_range("2027-03-01", periods=96, freq="15min")
    roster = pd.DataFrame({"interval_start": starts.strftime("%Y-%m-%dT%H:%M"), "agents": agents})
    roster.to_csv(folder / "roster.csv", index=False)
    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def known_file(folder: Path, rate: float = RATE_EUR_PER_POINT) -> Path:
    """The known-answer scenario with ``KNOWN_BASE`` agents around the clock."""
    text = _SCENARIO.format(
        name="known",
        per_day=14400,
        aht="180s",
        patience="",
        labour=LABOUR_EUR_PER_HOUR,
        fee=100000,
        target="99%",
        sl_definition="offered",
        penalty=f"{{scheme: linear, per_point_eur: {rate}}}",
        replications=6,
        seed=3,
        warmup="1h",
    )
    return _write(folder, text, KNOWN_BASE)


def perils_file(folder: Path, target: str = "80%") -> Path:
    """The small impatient queue with 4 agents around the clock."""
    text = _SCENARIO.format(
        name="perils",
        per_day=90,
        aht="20m",
        patience="patience: {mean: 1m, distribution: exponential}",
        labour=30,
        fee=10000,
        target=target,
        sl_definition="answered",
        penalty="{scheme: fixed, percent_of_fee: 5%}",
        replications=12,
        seed=5,
        warmup="0s",
    )
    return _write(folder, text, 4)


def simulate_levels(scenario, levels, replications):
    """KPI tables per level (common random numbers), as the CLI computes them."""
    reduce = functools.partial(
        level_kpis, measurement_scenario(scenario, scenario.contract.clauses[0])
    )
    runs = run_levels(
        scenario, levels, seed=scenario.run.seed, reduce=reduce, replications=replications
    )
    return runs, [pd.concat(tables, ignore_index=True) for tables in runs.reduced]


@pytest.fixture(scope="session")
def files():
    """The scenario writers and the known scenario's constants."""
    return SimpleNamespace(
        known=known_file,
        perils=perils_file,
        simulate=simulate_levels,
        agents=KNOWN_AGENTS,
        base=KNOWN_BASE,
        rate_eur=RATE_EUR_PER_POINT,
        labour_eur_per_hour=LABOUR_EUR_PER_HOUR,
    )


@pytest.fixture(scope="session")
def known(tmp_path_factory):
    scenario = load(known_file(tmp_path_factory.mktemp("known")))
    levels = [agents / KNOWN_BASE for agents in KNOWN_AGENTS]
    runs, kpis = simulate_levels(scenario, levels, scenario.run.replications)
    return scenario, runs, kpis


@pytest.fixture(scope="session")
def perils_run(tmp_path_factory):
    """The perils scenario at 80 % (abandon warning) and 97.5 % (coin flip), by target."""
    found = {}
    for target in ("80%", "97.5%"):
        folder = tmp_path_factory.mktemp("perils")
        scenario = load(perils_file(folder, target))
        levels = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5]
        runs, kpis = simulate_levels(scenario, levels, scenario.run.replications)
        found[target] = (scenario, runs, kpis)
    return found
