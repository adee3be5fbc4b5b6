"""Results folders are complete or absent: staging, replacement, interrupted runs."""

from __future__ import annotations

import pytest

import reports.run_report
import sim.experiment
from reports.results_folder import is_complete
from reports.staging import MARKER_FILE, check_writable, staged_folder
from scenarios.errors import InputError
from scenarios.loader import load


def test_staged_folder_appears_only_when_complete(tmp_path, hidden):
    out = tmp_path / "r"
    with staged_folder(out) as stage:
        (stage / "a.txt").write_text("a")
        assert not out.exists()
        assert stage.parent == tmp_path and stage.name.startswith(".r.partial-")
    assert (out / "a.txt").read_text() == "a"
    assert hidden(tmp_path) == []


def test_failure_leaves_an_existing_folder_untouched(tmp_path, hidden):
    out = tmp_path / "r"
    with staged_folder(out) as stage:
        (stage / "old.txt").write_text("old")
    with pytest.raises(KeyboardInterrupt), staged_folder(out) as stage:
        (stage / "new.txt").write_text("new")
        raise KeyboardInterrupt
    assert sorted(path.name for path in out.iterdir()) == [MARKER_FILE, "old.txt"]
    assert hidden(tmp_path) == []
    with staged_folder(out) as stage:
        (stage / "new.txt").write_text("new")
    assert sorted(path.name for path in out.iterdir()) == [MARKER_FILE, "new.txt"]
    assert hidden(tmp_path) == []


def test_write_errors_become_one_input_error(tmp_path, hidden):
    out = tmp_path / "r"
    with (
        pytest.raises(InputError, match=f"cannot write results to {out}: "),
        staged_folder(out) as stage,
    ):
        (stage / "missing" / "x.txt").write_text("x")
    assert list(tmp_path.iterdir()) == []
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(InputError, match="it exists and is not a folder"):
        check_writable(blocker)
    check_writable(tmp_path / "new" / "deeper")
    assert [path.name for path in tmp_path.iterdir()] == ["file", "new"]
    assert list((tmp_path / "new").iterdir()) == []


def test_interrupted_run_leaves_no_complete_looking_folder(ccplan, small, tmp_path, monkeypatch):
    out = tmp_path / "r"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(reports.run_report, "write_report", interrupted)
    done = ccplan("run", small, "--workers", "1", "--replications", "1", "--out", out, "--quiet")
    assert done.code == 130  # typer exits like a shell on SIGINT
    assert list(tmp_path.iterdir()) == []


def test_failed_simulation_keeps_the_previous_result(ccplan, small, tmp_path, monkeypatch):
    out = tmp_path / "r"
    args = ("run", small, "--workers", "1", "--replications", "1", "--out", out, "--quiet")
    assert ccplan(*args).code == 0
    before = (out / "summary.json").read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("simulation failed")

    monkeypatch.setattr(sim.experiment, "run_replications", broken)
    with pytest.raises(RuntimeError, match="simulation failed"):
        ccplan(*args, "--seed", "99")
    assert (out / "summary.json").read_bytes() == before
    scenario = load(small)
    assert is_complete(out, scenario=scenario, seed=7, replications=1, contacts=False)
    assert not is_complete(out, scenario=scenario, seed=99, replications=1, contacts=False)
    assert [path.name for path in tmp_path.iterdir()] == ["r"]
    assert not is_complete(out, scenario=scenario, seed=7, replications=1, contacts=True)
    assert not is_complete(
        out, scenario=scenario, seed=7, replications=1, contacts=False, intervals=True
    )
