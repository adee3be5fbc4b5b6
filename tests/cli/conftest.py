"""Shared helpers of the CLI run tests: the one-day scenario and staging checks (the
in-process ``ccplan`` fixture is in ``tests/conftest.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
SMALL = DATA / "small.yaml"
EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"


@pytest.fixture
def small() -> Path:
    """The one-day scenario (``data/small.yaml``, 2 replications, seed 7)."""
    return SMALL


@pytest.fixture
def hidden():
    """``hidden(folder)``: names of the hidden staging entries left in ``folder``."""

    def names(folder: Path) -> list[str]:
        return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))

    return names
