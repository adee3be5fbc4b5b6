"""Shared fixtures of the calibration tests: the known scenario simulated once, written as a
contact log in the documented format and calibrated (the round trip), and small log writers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from calibrate import Calibration, calibrate_log, export_replication
from scenarios import Scenario, load
from sim import ReplicationResult, simulate

DATA = Path(__file__).resolve().parent / "data"
KNOWN = DATA / "known.yaml"
DESK = DATA / "desk.yaml"


@dataclass(frozen=True)
class RoundTrip:
    """The known scenario, its simulated replication, the exported files and the calibration."""

    scenario: Scenario
    result: ReplicationResult
    log_path: Path
    staffing_path: Path
    calibration: Calibration


@pytest.fixture(scope="session")
def round_trip(tmp_path_factory) -> RoundTrip:
    scenario = load(KNOWN)
    result = simulate(scenario, 0, scenario.run.seed)
    folder = tmp_path_factory.mktemp("known")
    log_path, staffing_path = export_replication(scenario, result, folder)
    calibration = calibrate_log(log_path, folder / "calibrated")
    return RoundTrip(scenario, result, log_path, staffing_path, calibration)


@pytest.fixture
def write_log(tmp_path):
    """``write_log(rows, name="log.csv")``: a CSV of the given rows (dicts) in ``tmp_path``."""

    def write(rows: list[dict], name: str = "log.csv") -> Path:
        path = tmp_path / name
        pd.DataFrame(rows).to_csv(path, index=False)
        return path

    return write


def contact(arrival: str, answer: str | None, end: str, outcome: str, **more) -> dict:
    """One row of the documented format (channel phone unless given)."""
    return {
        "channel": "phone",
        "arrival": arrival,
        "answer": answer or "",
        "end": end,
        "outcome": outcome,
        **more,
    }
