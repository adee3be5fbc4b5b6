"""Fixtures for the scenario-schema tests: a small valid document and error helpers."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from scenarios.scenario import Scenario

_MINIMAL = """
name: minimal
horizon: {start: 2027-03-01, days: 7, interval: 15m}
channels:
  phone:
    kind: realtime
    hours: {mon-fri: "08:00-18:00"}
    volume: {per_day: 1000}
    handle_time: {mean: 5m}
  email:
    kind: deferrable
    hours: {mon-fri: "09:00-17:00"}
    volume: {per_week: 2k}
    handle_time: {mean: 6m, distribution: gamma, cv: 0.5}
    service_target: {threshold: 4h, target: 90%}
partner:
  name: Acme
  shrinkage: 25%
  pricing: {per_agent_hour_eur: 30}
  teams:
    - name: voice
      channels: [phone]
      staffing:
        mode: fixed
        headcount: 40
        shifts:
          - {name: early, days: mon-fri, start: "08:00", end: "16:00", share: 60%}
          - {name: late, days: mon-fri, start: "10:00", end: "18:00", share: 40%}
    - name: back
      channels: [email]
      staffing: {mode: auto, safety_factor: 5%}
"""


@pytest.fixture
def doc() -> dict[str, Any]:
    """A fresh copy of a small valid scenario document (phone + email, one week)."""
    return copy.deepcopy(yaml.safe_load(_MINIMAL))


def validate(data: dict[str, Any], base_dir: Path | None = None) -> Scenario:
    """Validate ``data`` as a scenario, resolving files against ``base_dir``."""
    return Scenario.model_validate(data, context={"base_dir": base_dir} if base_dir else None)


def model_problems(
    model: type[BaseModel], data: Any, context: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    """``(dotted path, message)`` of every error validating ``data`` as ``model`` raises; fails
    if it validates."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data, context=context)
    return [
        (".".join(str(part) for part in err["loc"]), err["msg"]) for err in caught.value.errors()
    ]


def problems(data: dict[str, Any], base_dir: Path | None = None) -> list[tuple[str, str]]:
    """``(dotted path, message)`` of every error ``data`` raises as a scenario."""
    return model_problems(Scenario, data, {"base_dir": base_dir} if base_dir else None)


@pytest.fixture
def errors():
    """The :func:`problems` helper."""
    return problems


@pytest.fixture
def model_errors():
    """The :func:`model_problems` helper."""
    return model_problems


@pytest.fixture
def valid():
    """The :func:`validate` helper."""
    return validate
