"""Fixtures every test folder may use: ``ccplan``, the command line run in this process."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

import pytest

import cli


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
