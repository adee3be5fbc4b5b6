"""A real Dask cluster on 127.0.0.1: a ``dask scheduler`` and two ``dask worker`` processes.

The cluster is started once for this module on free ports, every wait is bounded, and the
processes are always terminated at the end.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
_START_TIMEOUT_S = 90.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, processes: list[subprocess.Popen], deadline: float) -> None:
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            raise RuntimeError("a Dask process exited while starting")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"the Dask scheduler did not listen on port {port} in time")


def _stop(processes: list[subprocess.Popen]) -> None:
    """Terminate the workers, then the scheduler; kill what does not stop in time."""
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Address of a running scheduler with two single-threaded workers."""
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    dask = [sys.executable, "-m", "dask"]
    commands = [
        [*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        *(
            [*dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
             "--host", "127.0.0.1", "--name", f"w{i}", "--local-directory", str(logs / f"w{i}"),
             "--death-timeout", "60"]
            for i in range(2)
        ),
    ]  # fmt: skip
    processes: list[subprocess.Popen] = []
    try:
        deadline = time.monotonic() + _START_TIMEOUT_S
        for index, command in enumerate(commands):
            log = (logs / f"{index}.log").open("w")
            processes.append(
                subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            )
            if index == 0:
                _wait_for_port(port, processes, deadline)
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=max(1.0, deadline - time.monotonic()))
        yield address
    finally:
        _stop(processes)


def test_sweep_on_the_cluster_equals_the_local_sweep(ccplan, small, tmp_path, cluster):
    common = (
        "sweep", small, "--vary", "partner.teams.0.staffing.headcount=50,70",
        "--replications", "2", "--json",
    )  # fmt: skip
    local = ccplan(*common, "--workers", "1", "--out", tmp_path / "local")
    remote = ccplan(*common, "--scheduler", cluster, "--out", tmp_path / "remote")
    assert remote.code == 0, remote.err
    assert remote.out == local.out
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "local" / "sweep.parquet"),
        pd.read_parquet(tmp_path / "remote" / "sweep.parquet"),
    )
    assert (tmp_path / "local" / "summaries.json").read_bytes() == (
        tmp_path / "remote" / "summaries.json"
    ).read_bytes()


def test_run_on_the_cluster_writes_the_same_summary(ccplan, small, tmp_path, cluster):
    local = ccplan("run", small, "--workers", "1", "--out", tmp_path / "a", "--quiet")
    remote = ccplan("run", small, "--scheduler", cluster, "--out", tmp_path / "b", "--quiet")
    assert (local.code, remote.code) == (0, 0)
    assert (tmp_path / "a" / "summary.json").read_bytes() == (
        tmp_path / "b" / "summary.json"
    ).read_bytes()
