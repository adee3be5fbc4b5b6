"""Shared helpers of the CLI run tests: the one-day scenario and an in-process ``ccplan``."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import cli

DATA = Path(__file__).resolve().parent / "data"
SMALL = DATA / "small.yaml"
EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"


@dataclass(frozen=True)
class Done:
    """What one ``ccplan`` call printed and returned."""

    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def ccplan(capsys, monkeypatch):
    """Run ``ccplan ARGS...`` in this process through ``cli.main`` (exit codes included), with
    a 200-column console so that tables are not cut."""

    monkeypatch.setenv("COLUMNS", "200")

    def call(*args) -> Done:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["ccplan", *map(str, args)])
        try:
            cli.main()
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        captured = capsys.readouterr()
        return Done(code, captured.out, captured.err)

    return call


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
