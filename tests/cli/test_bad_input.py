"""Bad input to the run commands: one clear line each, exit code 2, nothing half-written."""

from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest

import sim.executors


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _one_error_line(done) -> str:
    assert done.code == 2
    assert done.out == ""
    lines = done.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.err
    assert "Traceback" not in done.err
    return lines[0]


def test_missing_scenario_file(ccplan, tmp_path):
    line = _one_error_line(ccplan("run", tmp_path / "nope.yaml", "--out", tmp_path / "r"))
    assert line == f"error: {tmp_path / 'nope.yaml'}: file not found"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("command", "option", "text", "message"),
    [
        ("run", "--set", "run.sed=1", "unknown field 'sed' in run; did you mean 'seed'?"),
        ("run", "--set", "horizon.days=zero", "horizon.days"),
        ("sweep", "--vary", "horizon.days", "must be written path=v1,v2,..."),
        ("sweep", "--vary", "horizon.days=1,,2", "every value must be non-empty"),
        ("sweep", "--vary", "horizon.days=1,1", "value given twice: 1"),
        ("sweep", "--vary", "channels.phone.volume={per_week: 9000", "unclosed bracket"),
    ],
)
def test_bad_set_or_vary_option(ccplan, small, tmp_path, command, option, text, message):
    line = _one_error_line(ccplan(command, small, option, text, "--out", tmp_path / "r"))
    assert line.startswith(f"error: {option} {text}: ")
    assert message in line
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_folder(ccplan, small, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    out = blocker / "results"
    line = _one_error_line(ccplan("run", small, "--workers", "1", "--out", out))
    assert line.startswith(f"error: cannot write results to {out}: ")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["file.txt"]


def test_unreachable_scheduler(ccplan, small, tmp_path, monkeypatch):
    monkeypatch.setattr(sim.executors, "CONNECT_TIMEOUT_S", 1.0)
    address = f"tcp://127.0.0.1:{_free_port()}"
    line = _one_error_line(
        ccplan("run", small, "--scheduler", address, "--out", tmp_path / "r", "--quiet")
    )
    assert line.startswith(f"error: --scheduler {address}: no Dask scheduler answered within 1 s")
    assert list(tmp_path.iterdir()) == []


def test_a_scheduler_address_that_is_a_web_server(ccplan, small, tmp_path, monkeypatch):
    # An HTTP server (a Dask dashboard, say) answers the Dask handshake with HTTP: the client
    # used to hang for minutes or crash allocating exabytes; now one line within the timeout.
    monkeypatch.setattr(sim.executors, "CONNECT_TIMEOUT_S", 2.0)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"tcp://127.0.0.1:{server.server_address[1]}"
    started = time.monotonic()
    try:
        done = ccplan("run", small, "--scheduler", address, "--out", tmp_path / "r", "--quiet")
    finally:
        server.shutdown()
    line = _one_error_line(done)
    assert line.startswith(f"error: --scheduler {address}: no Dask scheduler answered within 2 s")
    assert time.monotonic() - started < 10
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--workers", "0"), "--workers must be a whole number >= 1 (got 0)"),
        (("--replications", "0"), "replications must be a whole number from 1 to 10,000 (got 0)"),
        (
            ("--seed", "-1"),
            "seed must be a whole number from 0 to 9,223,372,036,854,775,807 (got -1)",
        ),
        (("--scheduler", "host:8786"), "--scheduler must be 'local' or a Dask address"),
    ],
)
def test_bad_run_options(ccplan, small, tmp_path, args, message):
    line = _one_error_line(ccplan("run", small, "--out", tmp_path / "r", "--quiet", *args))
    assert message in line
    assert list(tmp_path.iterdir()) == []


def test_bad_vary_value_is_reported_at_the_vary_option(ccplan, small, tmp_path):
    done = ccplan("sweep", small, "--vary", "horizon.days=1,0", "--out", tmp_path / "s")
    line = _one_error_line(done)
    assert line == "error: --vary horizon.days=0: horizon.days: must be at least 1 (got 0)"


def test_batch_path_that_matches_nothing(ccplan, small, tmp_path):
    missing = tmp_path / "none" / "*.yaml"
    line = _one_error_line(ccplan("batch", small, missing, "--out", tmp_path / "b"))
    assert line == f"error: {missing}: no scenario files (*.yaml, *.yml) found"
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_compare_needs_two_scenarios(ccplan, small, tmp_path):
    line = _one_error_line(ccplan("compare", small, "--out", tmp_path / "c"))
    assert line == "error: compare needs at least two scenario files"
