"""A results folder keeps what it is asked for: the launch example's folder, without contact
logs, is under 20 MB with the replications the README runs it with (the scenario's 20; 14.9 MB
measured in ``benchmarks/README.md``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.replication_files import KPIS_DIR

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"
LIMIT_BYTES = 20_000_000
FULL_DAYS, FULL_REPLICATIONS = 61, 20
PER_REPLICATION = ("kpis.csv", "contract.csv")


def _sizes(folder: Path) -> tuple[int, int]:
    """Bytes of the files written per replication (KPI parts, kpis.csv, contract.csv) and of
    the rest (staffing plan, figures, report, summary)."""
    total = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    per_replication = sum(path.stat().st_size for path in (folder / KPIS_DIR).iterdir())
    per_replication += sum((folder / name).stat().st_size for name in PER_REPLICATION)
    return per_replication, total - per_replication


def _launch(ccplan, out: Path, *options: object) -> Path:
    done = ccplan("run", EXAMPLES / "launch.yaml", "--quiet", "--out", out, *options)
    assert done.code == 0, done.err
    assert not (out / "contacts.parquet").exists()
    return out


def test_two_short_launch_runs_project_under_20_mb_for_the_full_one(ccplan, tmp_path):
    # one replication of 7 and of 14 days: each part of the folder is a + b * days (the day
    # rows, intervals and periods grow with the horizon); the per-replication part times 20
    sizes = {}
    for days in (7, 14):
        options = ("--replications", 1, "--workers", 1, "--set", f"horizon.days={days}")
        sizes[days] = _sizes(_launch(ccplan, tmp_path / str(days), *options))
    projected = 0.0
    for which, replications in ((0, FULL_REPLICATIONS), (1, 1)):
        per_day = (sizes[14][which] - sizes[7][which]) / 7
        at_full = sizes[7][which] + per_day * (FULL_DAYS - 7)
        projected += replications * at_full
    assert projected < LIMIT_BYTES, f"projected {projected / 1e6:.1f} MB"


@pytest.mark.slow
def test_the_launch_folder_is_under_20_mb(ccplan, tmp_path):
    per_replication, rest = _sizes(_launch(ccplan, tmp_path / "launch", "--workers", 2))
    assert per_replication + rest < LIMIT_BYTES
