"""``ccplan demand``: the per-day summary on screen and the per-interval table as CSV."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from scenarios.demand import COLUMNS, expand
from scenarios.errors import InputError, ScenarioError
from scenarios.loader import load

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"


def _run(*args):
    return CliRunner().invoke(app, ["demand", *map(str, args)])


def test_summary_of_the_mmn_example():
    result = _run(EXAMPLES / "mmn.yaml")
    assert result.exit_code == 0, result.output
    assert "Expected demand: mmn" in result.output
    # 10 calls a minute all day, 180 s handle time
    row = next(line for line in result.output.splitlines() if "2027-03-01" in line)
    cells = [cell.strip() for cell in row.strip("│ ").split("│")]
    assert cells == ["2027-03-01 Mon", "phone", "14,400.0", "0.0", "180", "600.0"]


def test_out_writes_the_per_interval_table(tmp_path):
    out = tmp_path / "demand.csv"
    baseline = EXAMPLES / "baseline.yaml"
    overrides = ("horizon.days=14", "horizon.closed_days=[]")
    args = [arg for override in overrides for arg in ("--set", override)]
    result = _run(baseline, *args, "--out", out)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    assert "2027-03-14 Sun" in result.output
    table = pd.read_csv(out)
    assert list(table.columns) == list(COLUMNS)
    workload = expand(load(baseline, overrides))
    assert len(table) == len(workload.channels) * workload.n_intervals == 4 * 14 * 96
    assert table["interval_start"].iloc[1] == "2027-03-01T00:15"
    for name, channel in workload.channels.items():
        rows = table[table["channel"] == name]
        np.testing.assert_allclose(rows["expected_arrivals"], channel.expected_arrivals)
        np.testing.assert_array_equal(rows["is_open"], channel.is_open)


def test_a_bad_override_is_a_scenario_error():
    result = _run(EXAMPLES / "mmn.yaml", "--set", "horizon.days=0")
    assert isinstance(result.exception, ScenarioError)
    assert "horizon.days" in str(result.exception)


def test_an_unwritable_out_is_an_input_error(tmp_path):
    result = _run(EXAMPLES / "mmn.yaml", "--out", tmp_path / "missing" / "demand.csv")
    assert isinstance(result.exception, InputError)
    assert str(result.exception).startswith(f"--out: cannot write {tmp_path / 'missing'}")


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_example_expands_to_finite_demand(example):
    scenario = load(EXAMPLES / example)
    workload = expand(scenario)
    for name, channel in workload.channels.items():
        arrivals = channel.expected_arrivals
        assert np.all(np.isfinite(arrivals)) and np.all(arrivals >= 0), name
        assert np.all(channel.aht_s > 0) and np.all(
            (channel.fcr_frac >= 0) & (channel.fcr_frac <= 1)
        )
