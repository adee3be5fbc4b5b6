"""Results go only where ccplan may write: never over a user's folder, one writer at a time."""

from __future__ import annotations

import os
import threading

import pytest

import reports.staging
import sim.experiment
from reports.staging import MARKER_FILE, staged_folder
from scenarios.errors import InputError


def _user_files(root):
    (root / "other").mkdir(parents=True)
    (root / "other" / "f").write_text("x")
    (root / "notes.txt").write_text("n")


def _one_error_line(done) -> str:
    assert done.code == 2, done.err
    lines = done.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.err
    return lines[0]


def _no_simulation(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("simulated although the output folder is refused")

    monkeypatch.setattr(sim.experiment, "run_replications", refuse)


def test_run_refuses_a_folder_it_did_not_write(ccplan, small, tmp_path, monkeypatch):
    out = tmp_path / "results"
    _user_files(out)
    _no_simulation(monkeypatch)
    line = _one_error_line(ccplan("run", small, "--replications", "1", "--out", out, "--quiet"))
    assert "holds files ccplan did not write" in line
    assert (out / "other" / "f").read_text() == "x"
    assert (out / "notes.txt").read_text() == "n"


@pytest.mark.parametrize("out", [".", ""])
def test_the_current_folder_is_refused_before_simulating(ccplan, small, tmp_path, monkeypatch, out):
    _user_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    _no_simulation(monkeypatch)
    line = _one_error_line(ccplan("run", small, "--replications", "1", "--out", out, "--quiet"))
    assert "holds files ccplan did not write" in line
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt", "other"]


def test_batch_never_replaces_its_input(ccplan, small, tmp_path, monkeypatch):
    (tmp_path / "baseline").mkdir()
    scenario = tmp_path / "baseline" / "baseline.yaml"
    scenario.write_text(f"extends: {small}\nname: baseline\n")
    monkeypatch.chdir(tmp_path)
    _no_simulation(monkeypatch)
    line = _one_error_line(ccplan("batch", "baseline", "--out", ".", "--quiet"))
    assert "holds files ccplan did not write" in line
    assert scenario.read_text().startswith("extends:")
    assert sorted(path.name for path in (tmp_path / "baseline").iterdir()) == ["baseline.yaml"]


def test_compare_and_sweep_refuse_a_user_folder(ccplan, small, tmp_path, monkeypatch):
    out = tmp_path / "mine"
    _user_files(out)
    _no_simulation(monkeypatch)
    other = tmp_path / "b.yaml"
    other.write_text(f"extends: {small}\nname: b\n")
    compare = ccplan("compare", small, other, "--out", out, "--quiet")
    assert "holds files ccplan did not write" in _one_error_line(compare)
    sweep = ccplan("sweep", small, "--vary", "horizon.days=1,2", "--out", out, "--quiet")
    assert "holds files ccplan did not write" in _one_error_line(sweep)
    assert sorted(path.name for path in out.iterdir()) == ["notes.txt", "other"]


def test_a_folder_ccplan_wrote_is_replaced(tmp_path):
    out = tmp_path / "r"
    with staged_folder(out) as stage:
        (stage / "a.txt").write_text("a")
    with staged_folder(out) as stage:
        (stage / "b.txt").write_text("b")
    assert sorted(path.name for path in out.iterdir()) == [MARKER_FILE, "b.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with staged_folder(empty) as stage:
        (stage / "c.txt").write_text("c")
    assert (empty / "c.txt").read_text() == "c"


def test_concurrent_writers_take_turns_and_leave_nothing_behind(tmp_path):
    out = tmp_path / "r"
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        for round_ in range(15):
            try:
                with staged_folder(out) as stage:
                    (stage / "who.txt").write_text(f"{number} {round_}")
                    (stage / "more.txt").write_text("x" * 1000)
            except BaseException as error:  # collected and asserted below
                failures.append(error)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(path.name for path in tmp_path.iterdir()) == ["r"]
    assert sorted(path.name for path in out.iterdir()) == [MARKER_FILE, "more.txt", "who.txt"]


def test_stale_staging_folders_of_a_killed_run_are_removed(tmp_path):
    for stale in (".r.partial-abc", ".r.old-def"):
        (tmp_path / stale).mkdir()
        (tmp_path / stale / "x").write_text("x")
    (tmp_path / ".other.partial-abc").mkdir()
    with staged_folder(tmp_path / "r") as stage:
        (stage / "a.txt").write_text("a")
    assert sorted(path.name for path in tmp_path.iterdir()) == [".other.partial-abc", "r"]


def test_every_file_is_flushed_before_the_rename(tmp_path, monkeypatch):
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(handle: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{handle}"))
        real_fsync(handle)

    monkeypatch.setattr(reports.staging.os, "fsync", fsync)
    out = tmp_path / "r"
    with staged_folder(out) as stage:
        (stage / "sub").mkdir()
        (stage / "sub" / "a.txt").write_text("a")
        (stage / "b.txt").write_text("b")
    names = [os.path.basename(path) for path in synced]
    assert {"a.txt", "b.txt", MARKER_FILE, "sub"} <= set(names)
    assert str(tmp_path) in synced  # the parent, after the rename
    assert names.index("b.txt") < len(names) - 1


def test_a_file_where_the_folder_should_be_is_refused(tmp_path):
    blocker = tmp_path / "r"
    blocker.write_text("")
    with pytest.raises(InputError, match="it exists and is not a folder"), staged_folder(blocker):
        pass
    assert blocker.read_text() == ""
