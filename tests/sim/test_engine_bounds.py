"""The compiled engine's kernels index their buffers without bounds checks (an index past the
end reads or writes memory silently); here the differential traces run once more with Numba's
bounds checks on, compiled afresh into an empty cache, so that any such index fails as an
``IndexError`` instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


@pytest.mark.slow
def test_the_traces_index_only_inside_the_buffers(tmp_path):
    env = {**os.environ, "NUMBA_BOUNDSCHECK": "1", "NUMBA_CACHE_DIR": str(tmp_path)}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    tests = [f"tests/sim/{name}" for name in ("test_engine_traces.py", "test_engine_duty.py")]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *tests, "-q", "-p", "no:cacheprovider", "-m", "not slow"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert " passed" in done.stdout and "IndexError" not in done.stdout
