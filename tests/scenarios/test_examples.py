"""Every example scenario loads, and `ccplan validate` accepts it."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios.loader import load

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "scenarios" / "examples").glob("*.yaml"))


def test_there_are_examples():
    assert {path.name for path in EXAMPLES} >= {"baseline.yaml"}


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_example_loads(path):
    scenario = load(path)
    assert scenario.name
    assert scenario.channels
