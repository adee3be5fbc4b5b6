"""``ccplan run``: the results folder, summary.json against its documented schema, --json."""

from __future__ import annotations

import contextlib
import io
import json
import math
import sys
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest

import cli
from reports.staging import MARKER_FILE
from scenarios import load
from scenarios.fingerprint import fingerprint
from sla_eval.evaluation import SUMMARY_KPIS, SUMMARY_SCHEMA

DOCS = Path(__file__).resolve().parents[2] / "docs" / "results.md"
SMALL = Path(__file__).resolve().parent / "data" / "small.yaml"
STATS = {"n", "mean", "ci95", "q05", "q50", "q95"}
FILES = {
    MARKER_FILE,
    "summary.json",
    "kpis.csv",
    "kpis.parquet",
    "contract.csv",
    "staffing.csv",
    "headcount.csv",
    "contacts.parquet",
    "report.html",
    "interval_sl.png",
    "staffing.png",
    "headcount.png",
    "sl_heatmap.png",
    "p_breach.png",
    "weekly_risk.png",
    "net_credit_hist.png",
    "clause_kpis.png",
    "net_credit.png",
}


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """One ``ccplan run --json`` of the one-day scenario, shared by the tests here: its folder
    and what it printed."""
    out = tmp_path_factory.mktemp("run") / "small"
    argv = ["ccplan", "run", str(SMALL), "--workers", "1", "--out", str(out), "--json"]
    argv.append("--contacts")
    printed, errors = io.StringIO(), io.StringIO()
    with (
        mock.patch.object(sys, "argv", argv),
        contextlib.redirect_stdout(printed),
        contextlib.redirect_stderr(errors),
        pytest.raises(SystemExit) as stop,
    ):
        cli.main()
    assert stop.value.code == 0, errors.getvalue()
    return out, printed.getvalue(), errors.getvalue()


def _number_or_null(value) -> bool:
    return value is None or (isinstance(value, int | float) and math.isfinite(value))


def _check_stats(stats: dict) -> None:
    assert set(stats) >= STATS
    assert isinstance(stats["n"], int)
    assert isinstance(stats["ci95"], list) and len(stats["ci95"]) == 2
    assert all(_number_or_null(stats[key]) for key in ("mean", "q05", "q50", "q95"))
    assert all(_number_or_null(bound) for bound in stats["ci95"])
    if stats["n"] >= 2:
        low, high = stats["ci95"]
        assert low <= stats["mean"] <= high


def test_folder_holds_every_file_and_nothing_hidden(small_run, hidden):
    small_run, _, _ = small_run
    assert {path.name for path in small_run.iterdir()} == FILES
    assert hidden(small_run.parent) == []


def test_summary_matches_the_documented_schema(small_run):
    small_run, _, _ = small_run
    summary = json.loads((small_run / "summary.json").read_text())
    scenario = load(SMALL)
    assert set(summary) == {
        "schema",
        "scenario",
        "scenario_sha256",
        "description",
        "seed",
        "replications",
        "horizon",
        "warnings",
        "channels",
        "contract",
    }
    assert summary["schema"] == SUMMARY_SCHEMA
    assert summary["scenario_sha256"] == fingerprint(scenario)
    assert (summary["scenario"], summary["seed"], summary["replications"]) == ("small", 7, 2)
    assert summary["horizon"] == {
        "start": "2027-03-01",
        "days": 1,
        "interval_s": 900.0,
        "warmup_s": 0.0,
        "timezone": "Europe/Amsterdam",
    }
    assert list(summary["channels"]) == [*scenario.channels, "all"]
    for kpis in summary["channels"].values():
        assert list(kpis) == list(SUMMARY_KPIS)
        for stats in kpis.values():
            if stats is not None:
                _check_stats(stats)
                target = stats["target"]
                assert target is None or set(target) == {"value", "bound", "source"}
    # null where a KPI does not apply to the channel
    assert summary["channels"]["phone"]["response_within_target_frac"] is None
    assert summary["channels"]["email"]["service_level"] is None
    assert summary["channels"]["email"]["abandon_frac"] is None
    assert summary["channels"]["phone"]["service_level"]["target"] == {
        "value": 0.8,
        "bound": "min",
        "source": "service_target",
    }
    assert summary["channels"]["phone"]["escalation_frac"]["target"]["bound"] == "max"
    contract = summary["contract"]
    for key in ("expected_penalty_eur", "expected_bonus_eur", "expected_net_credit_eur"):
        assert isinstance(contract[key], float)
    assert contract["expected_net_credit_eur"] == pytest.approx(
        contract["expected_penalty_eur"]
        - contract["expected_earned_back_eur"]
        - contract["expected_bonus_eur"]
    )
    assert 0.0 <= contract["p_breach"] <= 1.0
    assert list(contract["clauses"]) == [clause.id for clause in scenario.contract.clauses]
    low, high = contract["p_breach_ci95"]
    assert 0.0 <= low <= contract["p_breach"] <= high <= 1.0
    for clause_id, clause in contract["clauses"].items():
        if clause_id == "phone_fcr":
            # one day is shorter than the 7-day FCR window: never judged, not applicable
            assert clause["p_breach"] is None and clause["p_breach_ci95"] == [None, None]
            assert clause["applicable_replications"] == 0
        else:
            assert 0.0 <= clause["p_breach"] <= contract["p_breach"]
        assert clause["expected_penalty_eur"] >= 0.0
        _check_stats(clause["penalty_eur"])


def test_every_summary_field_is_documented(small_run):
    small_run, _, _ = small_run
    summary = json.loads((small_run / "summary.json").read_text())
    documented = DOCS.read_text()
    clause = next(iter(summary["contract"]["clauses"].values()))
    names = {
        *summary,
        *summary["horizon"],
        *summary["contract"],
        *summary["contract"]["periods"][0],
        *clause,
        *clause["periods"][0],
        *SUMMARY_KPIS,
        *STATS,
    }
    missing = sorted(name for name in names if f"`{name}`" not in documented)
    assert missing == []


def test_tables_agree_with_the_summary(small_run):
    small_run, _, _ = small_run
    summary = json.loads((small_run / "summary.json").read_text())
    kpis = pd.read_parquet(small_run / "kpis.parquet")
    horizon = kpis[
        (kpis["period_kind"] == "horizon")
        & (kpis["channel"] == "phone")
        & (kpis["kpi"] == "service_level")
    ]
    assert horizon["value"].mean() == pytest.approx(
        summary["channels"]["phone"]["service_level"]["mean"]
    )
    contacts = pd.read_parquet(small_run / "contacts.parquet")
    assert sorted(contacts["replication"].unique()) == [0, 1]
    offered = contacts[(contacts["channel"] == "phone") & (contacts["outcome"] != "not_offered")]
    assert len(offered) / 2 == summary["channels"]["phone"]["offered"]["mean"]
    staffing = pd.read_csv(small_run / "staffing.csv")
    assert {"interval_start", "channel", "required_agents", "scheduled_agents"} <= set(staffing)
    table = pd.read_csv(small_run / "kpis.csv")
    assert not {"interval", "day"} & set(table["period_kind"])
    assert len(table) == (~kpis["period_kind"].isin(["interval", "day"])).sum()
    assert (kpis["period_kind"] == "day").any()
    assert (kpis["period_kind"] == "interval").any()


def test_json_prints_the_summary_only(small_run):
    out, printed, errors = small_run
    assert json.loads(printed) == json.loads((out / "summary.json").read_text())
    assert errors == ""


def test_readable_summary_with_progress_bar(ccplan, tmp_path):
    done = ccplan("run", SMALL, "--workers", "1", "--out", tmp_path / "a")
    assert done.code == 0, done.err
    assert "service_level" in done.out and "phone_sl" in done.out
    assert "P(breach, any clause and period)" in done.out
    lines = done.out.rstrip().splitlines()
    assert lines[-2:] == [
        f"wrote {tmp_path / 'a'}",
        "Contact logs not written (--contacts writes them).",
    ]
    assert not (tmp_path / "a" / "contacts.parquet").exists()


def test_no_contacts_and_options_override_the_scenario(ccplan, tmp_path):
    out = tmp_path / "r"
    done = ccplan(
        "run", SMALL, "--workers", "1", "--out", out, "--no-contacts", "--json",
        "--replications", "3", "--seed", "11", "--set", "channels.phone.resolution_probability=80%",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert not (out / "contacts.parquet").exists()
    assert (done.json()["replications"], done.json()["seed"]) == (3, 11)


def test_default_folder_is_results_name(ccplan, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    done = ccplan("run", SMALL, "--workers", "1", "--replications", "1", "--quiet")
    assert done.code == 0, done.err
    assert (tmp_path / "results" / "small" / "summary.json").is_file()


def test_scenario_without_contract(ccplan, tmp_path):
    out = tmp_path / "r"
    done = ccplan(
        "run", SMALL, "--workers", "1", "--replications", "1", "--set", "contract=",
        "--out", out, "--quiet",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert json.loads((out / "summary.json").read_text())["contract"] is None
    assert not (out / "contract.csv").exists() and (out / "report.html").exists()
    assert "Clauses" not in done.out
