"""``--engine numba`` on the commands that simulate: the same results files as the SimPy model
(``--engine simpy``, the default), and an unknown engine refused in one line with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[2] / "scenarios" / "examples"
BASELINE = str(EXAMPLES / "baseline.yaml")
SHORT = ["--set", "horizon.days=1", "--replications", "2", "--workers", "1", "--quiet"]

COMMANDS = {
    "run": (
        ["run", BASELINE, *SHORT, "--contacts"],
        ["summary.json", "kpis.csv", "contract.csv", "contacts.parquet/part-000000.parquet",
         "contacts.parquet/part-000001.parquet", "kpis.parquet/part-000001.parquet"],
    ),
    "batch": (["batch", BASELINE, *SHORT], ["baseline/summary.json", "baseline/kpis.csv"]),
    "compare": (
        ["compare", BASELINE, str(EXAMPLES / "baseline_auto.yaml"), *SHORT],
        ["compare.csv"],
    ),
    "sweep": (
        ["sweep", BASELINE, "--vary", "partner.teams.1.end_of_duty=finish_contact,hand_back",
         *SHORT],
        ["sweep.csv"],
    ),
    "negotiate": (
        ["negotiate", BASELINE, "--levels", "0.9,1.1", "--max-replications", "2", *SHORT],
        ["negotiation.json"],
    ),
}  # fmt: skip
"""Per command, its arguments (a short baseline) and the results files both engines write."""


@pytest.mark.parametrize("command", COMMANDS)
def test_numba_engine_writes_the_same_results(command, ccplan, tmp_path):
    args, files = COMMANDS[command]
    for engine in ("simpy", "numba"):
        done = ccplan(*args, "--out", tmp_path / engine, "--engine", engine)
        assert done.code == 0, done.err
    for name in files:
        simpy_bytes = (tmp_path / "simpy" / name).read_bytes()
        assert simpy_bytes == (tmp_path / "numba" / name).read_bytes(), name


def test_an_unknown_engine_exits_2_in_one_line(ccplan, tmp_path):
    done = ccplan("run", EXAMPLES / "mmn.yaml", "--quiet", "--out", tmp_path, "--engine", "ciw")
    assert done.code == 2
    assert done.err.strip() == "error: --engine must be auto, simpy or numba (got 'ciw')"
