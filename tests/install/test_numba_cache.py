"""Compiled kernels are cached in a user folder, never beside the installed package."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import staffing

PACKAGE_CACHE = Path(staffing.__file__).parent / "__pycache__"
KERNEL_CALL = (
    "import staffing; "
    "print(staffing.erlang_metrics(600.0, 180.0, 35, threshold_s=20.0, patience_s=120.0))"
)


def _run(env: dict[str, str]) -> None:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("NUMBA_")}
    subprocess.run([sys.executable, "-c", KERNEL_CALL], env={**clean, **env}, check=True)


def _new_cache_files(folder: Path, since: float) -> list[Path]:
    if not folder.is_dir():
        return []
    return [
        path
        for path in folder.rglob("*")
        if path.suffix in (".nbi", ".nbc") and path.stat().st_mtime >= since
    ]


def test_kernels_cache_under_the_user_cache_folder(tmp_path):
    started = time.time() - 1
    _run({"XDG_CACHE_HOME": str(tmp_path)})
    assert _new_cache_files(tmp_path / "ccplan" / "numba", started)
    assert _new_cache_files(PACKAGE_CACHE, started) == []


def test_numba_cache_dir_is_honoured(tmp_path):
    started = time.time() - 1
    chosen = tmp_path / "chosen"
    _run({"NUMBA_CACHE_DIR": str(chosen), "XDG_CACHE_HOME": str(tmp_path / "unused")})
    assert _new_cache_files(chosen, started)
    assert not (tmp_path / "unused").exists()
    assert _new_cache_files(PACKAGE_CACHE, started) == []
