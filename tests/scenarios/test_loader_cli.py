"""``ccplan validate``: `ok FILE` per valid file, every problem of the others, exit 0 or 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"


def _run(*args):
    return CliRunner().invoke(app, ["validate", *map(str, args)])


def test_valid_files_print_ok_and_exit_0():
    files = [EXAMPLES / "baseline.yaml", EXAMPLES / "mmn.yaml"]
    result = _run(*files)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"ok {file}" for file in files]


def test_invalid_files_print_each_problem_and_exit_2(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nhorizon: {start: 2027-03-01, days: 0, interval: 15m}\n")
    result = _run(EXAMPLES / "mmn.yaml", broken, tmp_path / "missing.yaml")
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [f"ok {EXAMPLES / 'mmn.yaml'}"]
    assert result.stderr.splitlines() == [
        f"error: {broken}:1:1: channels: required field is missing",
        f"error: {broken}:1:1: partner: required field is missing",
        f"error: {broken}:2:36: horizon.days: must be at least 1 (got 0)",
        f"error: {tmp_path / 'missing.yaml'}: file not found",
    ]


def test_overrides_apply_to_every_file():
    result = _run(EXAMPLES / "mmn.yaml", "--set", "run.sed=1", "--set", "run.seed=-1")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: --set run.sed=1: run.sed: unknown field 'sed' in run; did you mean 'seed'?",
        "error: --set run.seed=-1: run.seed: must be at least 0 (got -1)",
    ]
    assert _run(EXAMPLES / "mmn.yaml", "--set", "run.seed=5").exit_code == 0


def test_console_script_gives_no_traceback(tmp_path):
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text("a: &a [*a]\nb: !!python/object/apply:os.system [echo hi]\n")
    command = [sys.executable, "-c", "import cli; cli.main()", "validate", str(hostile)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"error: {hostile}:1:8: alias *a refers to a value that contains it\n"
