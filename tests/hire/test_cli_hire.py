"""``ccplan hire``: the folder, hire.json against docs/hire.md, verification, bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

DOCS = Path(__file__).resolve().parents[2] / "docs" / "hire.md"


def _write(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_hire_writes_the_plan_and_verifies_it(ccplan, small_doc, tmp_path):
    small_doc["contract"]["measurement_period"] = "week"
    path = _write(tmp_path, small_doc)
    out = tmp_path / "out"
    done = ccplan(
        "hire",
        path,
        "--max-p-breach",
        "5%",
        "--replications",
        "3",
        "--workers",
        "1",
        "--out",
        out,
        "--json",
    )
    assert done.code == 0, done.err
    document = done.json()
    (team,) = document["plan"]
    assert team["team"] == "voice" and len(team["classes"]) == 1
    assert team["classes"][0]["start"] == "2027-03-15"
    assert document["set"][0].startswith(
        "partner.teams.0.hiring_classes.classes=[{start: 2027-03-15"
    )
    verification = document["verification"]
    labels = {row["variant"] for row in verification["periods"]}
    assert {"plan", "no new class"} <= labels
    assert any("a week later" in label for label in labels)
    # the second week of the step: without the class it breaches in every replication, with
    # it in none
    by = {(r["variant"], r["period_start"]): r["p_breach"] for r in verification["periods"]}
    assert by[("no new class", "2027-04-05")] == 1.0 and by[("plan", "2027-04-05")] == 0.0
    assert {p.name for p in out.iterdir()} >= {
        "hire.json",
        "weekly.csv",
        "periods.csv",
        "verified_periods.csv",
        "differences.csv",
        "headcount.png",
        "report.html",
    }
    assert "Recommendation" in (out / "report.html").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_.\[\]]+)`", DOCS.read_text(encoding="utf-8"), re.M))
    assert set(document) <= documented


def test_the_verification_is_the_same_with_either_engine(ccplan, small_doc, tmp_path):
    # The default engine of the verification is the compiled one; the SimPy model gives the
    # same simulated periods and paired differences (the same logs from the same seed).
    path = _write(tmp_path, small_doc)
    verifications = []
    for engine in ("simpy", "numba"):
        done = ccplan(
            "hire", path, "--replications", "2", "--workers", "1", "--engine", engine,
            "--out", tmp_path / engine, "--json",
        )  # fmt: skip
        assert done.code == 0, done.err
        verifications.append(done.json()["verification"])
    assert verifications[0]["periods"]
    assert verifications[0] == verifications[1]


def test_the_held_plan_runs_as_the_hire_command_wrote_it(ccplan, small_doc, tmp_path):
    path = _write(tmp_path, small_doc)
    done = ccplan("hire", path, "--no-verify", "--json", "--out", tmp_path / "a")
    assert done.code == 0, done.err
    (line,) = done.json()["set"]
    again = ccplan("validate", path, "--set", line)
    assert again.code == 0, again.err


def test_bad_input_is_one_line_and_exit_2(ccplan, small_doc, tmp_path):
    del small_doc["partner"]["teams"][0]["hiring_classes"]
    path = _write(tmp_path, small_doc)
    done = ccplan("hire", path, "--no-verify", "--out", tmp_path / "b")
    assert done.code == 2 and "hiring_classes" in done.err
    done = ccplan("hire", path, "--max-p-breach", "140%", "--out", tmp_path / "c")
    assert done.code == 2 and "--max-p-breach" in done.err


@pytest.mark.slow
def test_the_launch_plan_meets_the_bound_when_simulated(ccplan, tmp_path):
    # the done-when of the planner: every simulated period of the recommended plan has the
    # lower end of its 95 % interval at or below the bound
    example = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "hire_launch.yaml"
    done = ccplan(
        "hire", example, "--max-p-breach", "10%", "--workers", "2", "--out", tmp_path / "h",
        "--json",
    )  # fmt: skip
    assert done.code == 0, done.err
    periods = [r for r in done.json()["verification"]["periods"] if r["variant"] == "plan"]
    assert periods and all(r["ci95_low"] <= 0.10 for r in periods)
