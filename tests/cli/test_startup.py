"""The command line starts without the heavy packages: they are imported by the command that
needs them, and matplotlib only when a figure is drawn."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SMALL = Path(__file__).resolve().parent / "data" / "small.yaml"
HEAVY = ("matplotlib", "scipy", "numba", "pandas", "simpy")


def _loaded_after(code: str) -> set[str]:
    """The heavy packages in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    found = f"' '.join(m for m in {HEAVY!r} if m in sys.modules)"
    probe = f"import sys\n{code}\nprint({found}, file=sys.stderr)"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(done.stderr.split())


def test_importing_the_command_line_loads_no_heavy_package():
    assert _loaded_after("import cli") == set()


def test_help_loads_no_heavy_package():
    code = (
        "import cli\nsys.argv = ['ccplan', 'run', '--help']\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass"
    )
    assert _loaded_after(code) == set()


def test_a_run_without_report_draws_nothing(tmp_path):
    argv = ["ccplan", "run", str(SMALL), "--replications", "1", "--workers", "1", "--quiet"]
    argv += ["--no-report", "--out", str(tmp_path / "r")]
    code = f"import cli\nsys.argv = {argv!r}\ntry:\n    cli.main()\nexcept SystemExit:\n    pass"
    loaded = _loaded_after(code)
    assert "matplotlib" not in loaded
    assert {"pandas", "simpy"} <= loaded, "the run did run"
    written = {path.name for path in (tmp_path / "r").iterdir()}
    assert "summary.json" in written
    assert not {"report.html", "staffing.png"} & written
