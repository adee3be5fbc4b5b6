"""A small one-channel scenario for the capacity planner, built from YAML text."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from scenarios.scenario import Scenario

_SMALL = """
name: small_hire
horizon: {start: 2027-03-01, days: 42, interval: 1h}
channels:
  phone:
    kind: realtime
    hours: {mon-fri: "08:00-18:00"}
    volume: {per_day: 2400}
    handle_time: {mean: 5m}
    patience: {mean: 3m, distribution: exponential}
    service_target: {threshold: 20s, target: 80%}
events:
  peaks: [{name: step, start: 2027-03-29, end: 2027-04-11, multiplier: 1.5}]
partner:
  name: Acme
  shrinkage: 20%
  labour_cost_per_agent_hour_eur: 25
  cost_per_hire_eur: 1000
  teams:
    - name: voice
      channels: [phone]
      staffing:
        mode: fixed
        headcount: 32
        shifts: [{name: day, days: mon-fri, start: "08:00", end: "18:00", share: 100%}]
      hiring_classes: {max_size: 40, training_weeks: 2}
contract:
  fee: {fixed_eur: 2000000}
  clauses:
    - {id: phone_sl, kpi: service_level, channel: phone, threshold: 20s, target: 80%,
       penalty: {scheme: fixed, percent_of_fee: 10%}}
run: {replications: 4, seed: 7}
"""


@pytest.fixture
def small_doc() -> dict[str, Any]:
    """A fresh copy of the small scenario document: six weeks, a step of +50 % in weeks 5-6."""
    return copy.deepcopy(yaml.safe_load(_SMALL))


def scenario_of(doc: dict[str, Any]) -> Scenario:
    """The validated scenario of a document."""
    return Scenario.model_validate(doc)
