"""``ccplan negotiate``: the results folder, negotiation.json against docs/negotiation.md, and
bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cli
from reports.staging import MARKER_FILE

DOCS = Path(__file__).resolve().parents[2] / "docs" / "negotiation.md"
_MAP_KEYS = {"crossings", "clauses"}  # keys under these are clause ids
_TERMINAL = {"numbers"}


def _ccplan(monkeypatch, capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(sys, "argv", ["ccplan", *map(str, args)])
    try:
        cli.main()
        code = 0
    except SystemExit as stop:
        code = stop.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _paths(value, prefix: str, parent: str = "") -> set[str]:
    """Dotted paths of the leaves and lists of a JSON value as the documentation writes them
    (``<stats>`` and ``<money>`` objects and ``numbers`` are leaves)."""
    if isinstance(value, list):
        found = {f"{prefix}[]"}
        for item in value:
            if isinstance(item, dict):
                found |= _paths(item, f"{prefix}[]")
        return found
    is_stats = isinstance(value, dict) and "mean" in value
    if not isinstance(value, dict) or is_stats or parent in _TERMINAL:
        return {prefix}
    found = set()
    for key, item in value.items():
        name = "<clause>" if parent in _MAP_KEYS else key
        found |= _paths(item, f"{prefix}.{name}" if prefix else name, key)
    return found


def _documented() -> set[str]:
    rows = re.findall(r"^\| `([^`]+)` \|", DOCS.read_text(encoding="utf-8"), re.MULTILINE)
    return set(rows)


@pytest.fixture(scope="module")
def negotiated(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("cli")
    scenario = files.perils(folder / "scenario", "97.5%")
    out = folder / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import cli; cli.main()",
            "negotiate",
            str(scenario),
            "--levels",
            "0.25:1.25:5",
            "--replications",
            "4",
            "--max-replications",
            "8",
            "--workers",
            "1",
            "--out",
            str(out),
            "--loss-per-abandoned",
            "5",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return done, out


def test_negotiation_json_matches_its_documentation(negotiated):
    done, out = negotiated
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document == json.loads((out / "negotiation.json").read_text(encoding="utf-8"))
    assert document["schema"] == "ccplan.negotiation/2"
    assert [entry["level"] for entry in document["levels"]] == [0.25, 0.5, 0.75, 1.0, 1.25]
    assert all(4 <= entry["replications"] <= 8 for entry in document["levels"])
    assert {item["id"] for item in document["warnings"]} == {"mean_is_not_enough", "coin_flip"}
    seen = _paths(document, "")
    documented = _documented()
    assert seen - documented == set()
    leaves = {
        path
        for path in documented
        if not any(other.startswith(f"{path}.") for other in documented if other != path)
    }
    assert leaves - seen == set()


def test_results_folder_is_complete(negotiated):
    _done, out = negotiated
    names = {path.name for path in out.iterdir()}
    assert names == {
        MARKER_FILE,
        "negotiation.json",
        "curves.csv",
        "periods.csv",
        "sensitivity.csv",
        "screening.csv",
        "cost_curves.png",
        "risk.png",
        "report.html",
    }
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 2
    assert "coin flip" in page
    assert not [path for path in out.parent.iterdir() if path.name.startswith(".")]


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ("0.8,abc", "'abc' is not a number"),
        ("0.8", "at least two different factors"),
        ("1.2:0.8:5", "LOW < HIGH"),
        ("0.8:1.2:1", "COUNT >= 2"),
        ("0.8,-1", "must be > 0"),
        ("0.8:1.2", "a list 0.8,0.9,1 or a range"),
    ],
)
def test_bad_levels_exit_2_with_one_line(monkeypatch, capsys, tmp_path, files, levels, message):
    scenario = files.perils(tmp_path / "scenario")
    code, out, err = _ccplan(
        monkeypatch, capsys, "negotiate", scenario, "--levels", levels, "--out", tmp_path / "out"
    )
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--max-miss", "abc", "--max-miss: must be a fraction"),
        ("--churn", "150%", "--churn: must be between 0 and 1"),
        ("--replications", "1", "replications must be a whole number from 2 to 10,000"),
        ("--max-replications", "5", "max_replications must be a whole number from 10 to 10,000"),
        ("--seed", "-1", "seed must be a whole number from 0 to"),
    ],
)
def test_bad_options_exit_2_with_one_line(
    monkeypatch, capsys, tmp_path, files, option, value, message
):
    scenario = files.perils(tmp_path / "scenario")
    args = ("negotiate", scenario, option, value, "--levels", "0.5,1", "--out", tmp_path / "out")
    code, out, err = _ccplan(monkeypatch, capsys, *args)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and message in err
    assert not (tmp_path / "out").exists()


def test_unknown_clause_and_no_contract(monkeypatch, capsys, tmp_path, files):
    scenario = files.perils(tmp_path / "scenario")
    code, _out, err = _ccplan(monkeypatch, capsys, "negotiate", scenario, "--clause", "nope")
    assert code == 2 and "clauses: phone_sl" in err and err.count("\n") == 1
    mmn = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "mmn.yaml"
    code, _out, err = _ccplan(
        monkeypatch, capsys, "negotiate", mmn, "--set", "contract=null", "--levels", "0.9,1"
    )
    assert code == 2 and err.count("\n") == 1


@pytest.mark.slow
def test_same_document_on_a_local_dask_cluster(tmp_path, files):
    scenario = files.perils(tmp_path / "scenario", "97.5%")
    documents = []
    for where in (("--workers", "1"), ("--scheduler", "local", "--workers", "2")):
        done = subprocess.run(
            [
                sys.executable, "-c", "import cli; cli.main()", "negotiate", str(scenario),
                "--levels", "0.5,1", "--replications", "3", "--max-replications", "6",
                "--out", str(tmp_path / where[1]), "--quiet", "--json", *where,
            ],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        documents.append(json.loads(done.stdout))
    assert documents[0] == documents[1]
