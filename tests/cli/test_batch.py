"""``ccplan batch``: a folder per scenario, the index, failures reported, ``--resume``."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from reports import workflows
from reports.staging import MARKER_FILE


def _scenarios(folder, small):
    """Two valid scenarios (one in a sub-folder reached by a glob) and a broken one."""
    folder.mkdir()
    (folder / "a.yaml").write_text(f"extends: {small}\nname: one\n")
    (folder / "broken.yaml").write_text(f"extends: {small}\nname: two\nhorizon: {{days: 0}}\n")
    (folder / "notes.txt").write_text("not a scenario")
    (folder / "more").mkdir()
    (folder / "more" / "b.yml").write_text(f"extends: {small}\nname: three\n")
    return folder


def test_failing_scenario_is_reported_and_the_others_run(ccplan, small, tmp_path):
    folder = _scenarios(tmp_path / "in", small)
    out = tmp_path / "out"
    done = ccplan(
        "batch", folder, folder / "**" / "*.yml", folder / "a.yaml", "--out", out,
        "--workers", "1", "--replications", "1", "--quiet",
    )  # fmt: skip
    assert done.code == 1
    assert done.err.splitlines() == [
        f"error: {folder / 'broken.yaml'}:3:17: horizon.days: must be at least 1 (got 0)"
    ]
    index = pd.read_csv(out / "batch.csv", keep_default_na=False)
    assert list(index["file"]) == [
        str(folder / "a.yaml"),
        str(folder / "broken.yaml"),
        str(folder / "more" / "b.yml"),
    ]
    assert list(index["status"]) == ["ok", "failed", "ok"]
    assert list(index["scenario"]) == ["one", "", "three"]
    assert index["error"][1].endswith("horizon.days: must be at least 1 (got 0)")
    assert sorted(path.name for path in out.iterdir()) == [
        MARKER_FILE,
        "batch.csv",
        "index.html",
        "one",
        "three",
    ]
    for name in ("one", "three"):
        summary = json.loads((out / name / "summary.json").read_text())
        assert (summary["scenario"], summary["replications"], summary["seed"]) == (name, 1, 7)
    html = (out / "index.html").read_text()
    assert '<a href="one/report.html">one</a>' in html and "broken.yaml" in html
    assert "2 of 3 scenarios ok (2 run now, 0 reused from earlier runs)" in done.out


def test_resume_skips_complete_results_only(ccplan, small, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("one", "two"):
        (folder / f"{name}.yaml").write_text(f"extends: {small}\nname: {name}\n")
    out = tmp_path / "out"
    args = ("batch", folder, "--out", out, "--workers", "1", "--replications", "1", "--quiet")
    assert ccplan(*args).code == 0
    (out / "two" / "summary.json").unlink()  # as if "two" had been written by hand, incomplete
    ran = []
    real = workflows.simulate_into
    monkeypatch.setattr(
        workflows, "simulate_into", lambda out, s, *a: ran.append(s.name) or real(out, s, *a)
    )
    done = ccplan(*args, "--resume", "--json")
    assert done.code == 0
    assert ran == ["two"]
    assert [(row["scenario"], row["status"]) for row in done.json()] == [
        ("one", "skipped"),
        ("two", "ok"),
    ]
    # the index says which results are reused, and from when; batch.csv has every clause
    index = pd.read_csv(out / "batch.csv", keep_default_na=False)
    written = dt.datetime.fromtimestamp((out / "one" / "summary.json").stat().st_mtime, dt.UTC)
    assert index["results_from"][0] == f"{written:%Y-%m-%dT%H:%MZ}"
    html = (out / "index.html").read_text()
    assert f"reused from {written:%Y-%m-%dT%H:%MZ}" in html and "run now" in html
    assert "1 run now, 1 reused from earlier runs" in html
    for name, row in zip(("one", "two"), index.itertuples(index=False), strict=True):
        summary = json.loads((out / name / "summary.json").read_text())
        for clause, entry in summary["contract"]["clauses"].items():
            column = index.columns.get_loc(f"p_breach:{clause}")
            expected = "" if entry["p_breach"] is None else entry["p_breach"]
            assert row[column] == expected


def test_resume_reruns_when_the_inputs_changed(ccplan, small, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    scenario = folder / "one.yaml"
    scenario.write_text(f"extends: {small}\nname: one\n")
    out = tmp_path / "out"
    args = ("batch", folder, "--out", out, "--workers", "1", "--replications", "1", "--quiet")
    assert ccplan(*args, "--no-contacts").code == 0
    ran = []
    real = workflows.simulate_into
    monkeypatch.setattr(
        workflows, "simulate_into", lambda out, s, *a: ran.append(s.name) or real(out, s, *a)
    )

    def resumed(*extra) -> str:
        ran.clear()
        done = ccplan(*args, "--resume", "--json", *extra)
        assert done.code == 0
        return done.json()[0]["status"]

    assert resumed("--no-contacts") == "skipped" and ran == []
    assert resumed("--contacts") == "ok" and ran == ["one"]  # the contact log was missing
    assert resumed("--set", "partner.shrinkage=31%") == "ok" and ran == ["one"]
    assert resumed("--set", "partner.shrinkage=31%") == "skipped" and ran == []
    scenario.write_text(f"extends: {small}\nname: one\nrun: {{seed: 7, replications: 2}}\n")
    assert resumed("--set", "partner.shrinkage=31%") == "skipped"  # --replications decides
    scenario.write_text(f"extends: {small}\nname: one\npartner: {{shrinkage: 20%}}\n")
    assert resumed() == "ok" and ran == ["one"]  # the edited file


def test_two_scenarios_with_one_name_fail_the_second(ccplan, small, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for file in ("a.yaml", "b.yaml"):
        (folder / file).write_text(f"extends: {small}\nname: same\n")
    done = ccplan(
        "batch", folder, "--out", tmp_path / "out", "--workers", "1", "--replications", "1",
        "--json",
    )  # fmt: skip
    assert done.code == 1
    assert [row["status"] for row in done.json()] == ["ok", "failed"]
    assert done.err == (
        f"error: {folder / 'b.yaml'}: another scenario of this batch is named 'same'\n"
    )
