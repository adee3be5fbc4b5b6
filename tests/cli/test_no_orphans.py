"""A run with worker processes leaves no process and no staging folder behind when it is
stopped: SIGTERM (cleanup), SIGKILL (the workers notice the parent is gone), Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reports.staging import staged_folder

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"
GONE_WITHIN_S = 10.0


def _session(sid: int) -> list[int]:
    """Processes of session ``sid`` (the command and everything it started), zombies excluded."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, session = fields[0], int(fields[3])
        if session == sid and state != "Z":
            members.append(int(entry.name))
    return members


def _start_run(out: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-c",
        "import cli; cli.main()",
        "run",
        str(EXAMPLES / "baseline.yaml"),
        "--workers",
        "2",
        "--replications",
        "40",
        "--set",
        "horizon.days=7",
        "--quiet",
        "--out",
        str(out),
    ]
    run = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while len(_session(run.pid)) < 5:  # the command, tracker, fork server and two workers
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.2)
    time.sleep(1.0)  # replications under way
    return run


def _wait_until_gone(sid: int) -> list[int]:
    deadline = time.monotonic() + GONE_WITHIN_S
    while _session(sid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return _session(sid)


@pytest.mark.parametrize(
    ("stop", "code"),
    [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGINT, 130), (signal.SIGKILL, None)],
)
def test_a_stopped_run_leaves_nothing_behind(tmp_path, stop, code):
    out = tmp_path / "r"
    run = _start_run(out)
    try:
        os.kill(run.pid, stop)
        _, err = run.communicate(timeout=GONE_WITHIN_S)
        left = _wait_until_gone(run.pid)
    finally:
        for pid in _session(run.pid):
            os.kill(pid, signal.SIGKILL)
    assert left == []
    if code is None:
        # killed outright: at most its hidden staging folder stays, which the next writer of the
        # same folder removes (its lock died with the process)
        assert all(path.name.startswith(".r.partial-") for path in tmp_path.iterdir())
        with staged_folder(out) as stage:
            (stage / "x").write_text("x")
        assert sorted(path.name for path in tmp_path.iterdir()) == ["r"]
    else:
        assert list(tmp_path.iterdir()) == []  # no results folder, no staging folder
    if code is not None:
        assert run.returncode == code
        assert b"Traceback" not in err, err.decode()
