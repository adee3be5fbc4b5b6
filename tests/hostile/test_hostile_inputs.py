"""The hostile-input corpus: broken or absurd scenario files (``files/``) and command-line
values. Every case must end in one ``error:`` line and exit code 2, within 10 s and 500 MB,
before anything is simulated; no traceback, no content of a file the user did not mean to show.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

FILES = Path(__file__).resolve().parent / "files"
ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "cli" / "data" / "small.yaml"
MMN = ROOT / "scenarios" / "examples" / "mmn.yaml"
MAX_SECONDS = 10.0
MAX_TRACED_BYTES = 500 * 1024 * 1024

SCENARIO_FILES = sorted(path.name for path in FILES.glob("*.yaml"))

OPTION_CASES = {
    "replications_a_billion": ("run", SMALL, "--replications", "1000000000"),
    "replications_above_the_file_limit": ("run", SMALL, "--replications", "10001"),
    "seed_2_to_the_64": ("run", SMALL, "--seed", str(2**64)),
    "set_headcount_no": ("run", SMALL, "--set", "partner.teams.0.staffing.headcount=no"),
    "set_replications_on": ("run", SMALL, "--set", "run.replications=on"),
    "set_days_true": ("validate", SMALL, "--set", "horizon.days=true"),
    "set_a_100_kb_value": ("validate", SMALL, "--set", "name=" + "a" * 100_000),
    "set_a_100_kb_path": ("validate", SMALL, "--set", "horizon." + "d" * 100_000 + "=3"),
    "erlang_a_trillion_calls": (
        "erlang",
        "--calls-per-hour",
        "1e12",
        "--aht",
        "3m",
        "--agents",
        "35",
        "--patience",
        "2m",
    ),
    "staff_a_trillion_calls": (
        "staff",
        "--calls-per-hour",
        "1e12",
        "--aht",
        "180",
        "--target-sl",
        "80%",
        "--threshold",
        "20s",
        "--patience",
        "2m",
    ),
    "staff_a_day_of_patience": (
        "staff",
        "--calls-per-hour",
        "1e7",
        "--aht",
        "1",
        "--target-sl",
        "80%",
        "--threshold",
        "20s",
        "--patience",
        "1d",
    ),
    "levels_superscript_count": ("negotiate", MMN, "--levels", "0.6:1.2:²"),
    "levels_max_replications_a_billion": (
        "negotiate",
        MMN,
        "--levels",
        "0.9,1",
        "--max-replications",
        "1000000000",
    ),
    "validate_a_system_like_file": ("validate", FILES / "passwd_like.txt"),
}


def _assert_refused(ccplan, args, tmp_path) -> str:
    tracemalloc.start()
    started = time.monotonic()
    try:
        done = ccplan(*args)
        seconds = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert done.code == 2, done.err
    lines = done.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.err
    assert "Traceback" not in done.err and done.out == ""
    assert len(lines[0]) < 1_000
    assert seconds < MAX_SECONDS
    assert peak < MAX_TRACED_BYTES
    assert not any(tmp_path.iterdir())  # nothing written
    return lines[0]


@pytest.mark.parametrize("name", SCENARIO_FILES)
@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_hostile_scenario_file_is_refused_in_one_line(ccplan, tmp_path, command, name):
    args = [command, FILES / name]
    if command == "run":
        args += ["--workers", "1", "--quiet", "--out", tmp_path / "r"]
    line = _assert_refused(ccplan, args, tmp_path)
    assert "root:x:0:0" not in line  # a file reached by mistake is named, never shown


@pytest.mark.parametrize("name", sorted(OPTION_CASES))
def test_a_hostile_option_is_refused_in_one_line(ccplan, tmp_path, name):
    args = list(OPTION_CASES[name])
    if args[0] in ("run", "negotiate"):
        args += ["--workers", "1", "--quiet", "--out", tmp_path / "r"]
    line = _assert_refused(ccplan, args, tmp_path)
    assert "root:x:0:0" not in line


def test_the_corpus_covers_the_probed_defects():
    expected = {
        "volume_1e9.yaml",
        "volume_1e15.yaml",
        "headcount_no.yaml",
        "days_true.yaml",
        "replications_on.yaml",
        "fee_1e308.yaml",
        "extends_a_text_file.yaml",
    } | {
        f"roster_{kind}.yaml"
        for kind in (
            "negative",
            "nan",
            "text",
            "duplicate",
            "nul_byte",
            "not_utf8",
            "fraction",
            "huge_1e300",
            "long_field",
            "overflow_1e400",
            "trillion_agents",
        )
    }
    assert expected <= set(SCENARIO_FILES)
