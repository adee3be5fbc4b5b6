"""The scenario plan and team rosters on the example scenarios (fixed, roster and auto teams)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cli
from scenarios.demand import expand
from scenarios.errors import ScenarioError
from scenarios.loader import load
from staffing import (
    PLAN_COLUMNS,
    PLAN_SUMMARY_COLUMNS,
    plan,
    plan_by_day,
    productive_agents,
    scheduled_agents,
    team_rosters,
)
from staffing.planning import plan_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"
SHORT = ["horizon.days=7", "horizon.closed_days=[]", "outages.scheduled=[]"]
AUTO_PHONE = [
    "partner.teams.0.staffing={mode: auto, safety_factor: 5%, method: modified_offered_load}",
    "partner.teams.0.attrition_per_month=0",
]


@pytest.fixture(scope="module")
def baseline():
    scenario = load(EXAMPLES / "baseline.yaml", SHORT)
    return scenario, expand(scenario)


def test_mmn_plan_reproduces_erlang_c():
    scenario = load(EXAMPLES / "mmn.yaml")
    table = plan(scenario, expand(scenario))
    assert (table["required_agents"] == 35).all()  # 80 % within 20 s at 30 Erlang
    assert (table["productive_agents"] == 35).all()
    assert table["service_level"].to_numpy() == pytest.approx(0.8367, abs=5e-5)
    assert table["asa_s"].to_numpy() == pytest.approx(10.245, abs=5e-4)


def test_plan_columns_and_order(baseline):
    scenario, workload = baseline
    table = plan(scenario, workload)
    assert {c: str(t) for c, t in table.dtypes.items()} == dict(PLAN_COLUMNS)
    assert list(table["channel"].unique()) == list(scenario.channels)
    assert len(table) == workload.n_intervals * len(scenario.channels)
    summary = plan_by_day(table, scenario)
    assert {c: str(t) for c, t in summary.dtypes.items()} == dict(PLAN_SUMMARY_COLUMNS)
    closed_phone = table[(table["channel"] == "phone") & ~table["is_open"]]
    assert (closed_phone["required_agents"] == 0).all()
    assert closed_phone["service_level"].isna().all()


def test_fixed_roster_by_hand(baseline):
    scenario, workload = baseline
    voice = team_rosters(scenario, workload)["voice"]
    per_day = 96
    # Monday: early 45 % of 70 = 31 at 08:00; with peak (13 %: 9) and day (19 %: 13) at 12:00.
    assert voice[8 * 4] == 31
    assert voice[12 * 4] == 31 + 9 + 13
    assert voice[6 * per_day : 7 * per_day].sum() == 0  # Sunday: no shift
    assert voice.dtype == np.int64 and voice.size == workload.n_intervals


def test_blended_team_splits_its_productive_agents():
    # Without attrition the expected headcount stays at the starting headcount.
    scenario = load(EXAMPLES / "baseline.yaml", [*SHORT, "partner.teams.2.attrition_per_month=0"])
    workload = expand(scenario)
    table = plan(scenario, workload)
    team = table[table["team"] == "backoffice"]
    per_interval = team.groupby("interval")["productive_agents"].sum()
    scheduled = team.groupby("interval")["scheduled_agents"].first()
    expected = productive_agents(scheduled.to_numpy(), scenario.partner.shrinkage)
    np.testing.assert_array_equal(per_interval.to_numpy(), expected)


def test_auto_team_meets_its_target_in_every_open_interval():
    scenario = load(EXAMPLES / "baseline.yaml", [*SHORT, *AUTO_PHONE])
    workload = expand(scenario)
    table = plan(scenario, workload)
    phone = table[(table["channel"] == "phone") & table["is_open"]]
    assert (phone["service_level"] >= 0.8).all()
    expected = scheduled_agents(phone["required_agents"].to_numpy(int), 0.3, 0.05)
    np.testing.assert_array_equal(phone["scheduled_agents"], expected)
    roster = team_rosters(scenario, workload)["voice"]
    np.testing.assert_array_equal(roster[phone["interval"]], expected)


def test_shrinkage_rounding():
    assert scheduled_agents([10], 0.3, 0.05).tolist() == [15]  # 10 · 1.05 / 0.7 = 15.000…02
    # 15 · 0.7 = 10.5 rounds half up, as the simulation rounds the share on duty
    assert productive_agents([15, 14], 0.3).tolist() == [11, 10]


def test_cli_staff_scenario_writes_the_plan(tmp_path, monkeypatch, capsys):
    out = tmp_path / "plan.csv"
    monkeypatch.setattr(
        "sys.argv", ["ccplan", "staff", str(EXAMPLES / "mmn.yaml"), "--out", str(out)]
    )
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code in (0, None)
    assert "Staffing plan: mmn" in capsys.readouterr().out
    written = pd.read_csv(out)
    assert list(written.columns) == list(PLAN_COLUMNS)
    assert len(written) == 96


def test_auto_team_needs_a_service_target():
    # The scenario rules guarantee auto staffing a target to staff for.
    with pytest.raises(ScenarioError, match="staffs this channel in auto mode"):
        load(EXAMPLES / "baseline.yaml", [*SHORT, *AUTO_PHONE, "channels.phone.service_target="])


def test_fixed_team_without_target_reports_no_requirement():
    scenario = load(EXAMPLES / "baseline.yaml", [*SHORT, "channels.phone.service_target="])
    table = plan(scenario, expand(scenario))
    phone = table[(table["channel"] == "phone") & table["is_open"]]
    assert phone["required_agents"].isna().all()
    assert phone["service_level"].isna().all()
    assert phone["asa_s"].notna().all()


def test_roster_file_needs_whole_agents(tmp_path):
    scenario_file = tmp_path / "mmn.yaml"
    scenario_file.write_text((EXAMPLES / "mmn.yaml").read_text())
    rows = [
        f"2027-03-01T{i // 4:02d}:{15 * (i % 4):02d},{35.5 if i == 9 else 35}" for i in range(96)
    ]
    (tmp_path / "mmn_roster.csv").write_text("interval_start,agents\n" + "\n".join(rows) + "\n")
    with pytest.raises(ScenarioError, match=r"mmn_roster.csv:11: .* whole number \(got '35.5'\)"):
        load(scenario_file)


def test_min_agents_raises_an_auto_team_and_is_reported_for_a_fixed_one():
    auto = load(
        EXAMPLES / "baseline.yaml",
        [*SHORT, *AUTO_PHONE, "partner.teams.0.min_agents=12"],
    )
    phone = plan(auto, expand(auto))
    phone = phone[(phone["channel"] == "phone") & phone["is_open"]]
    assert (phone["required_agents"] < 12).any()  # quiet hours need fewer
    assert (phone["productive_agents"] >= 12).all()
    fixed = load(EXAMPLES / "baseline.yaml", [*SHORT, "partner.teams.0.min_agents=30"])
    result = plan_scenario(EXAMPLES / "baseline.yaml", [*SHORT, "partner.teams.0.min_agents=30"])
    by_day = result.by_day
    assert by_day.loc[by_day["team"] == "voice", "intervals_below_min_agents"].sum() > 0
    assert by_day.loc[by_day["team"] != "voice", "intervals_below_min_agents"].sum() == 0
    lines = [line for line in result.warnings if line.startswith("team voice")]
    assert len(lines) == 1 and "fewer productive agents than its min_agents (30)" in lines[0]
    assert fixed.partner.teams[0].min_agents == 30


def test_plan_warns_where_abandonment_carries_the_target():
    # 400 Erlang with a minute's patience: 80 % within 30 s is met below the offered load.
    result = plan_scenario(
        EXAMPLES / "mmn_abandon.yaml",
        [
            "channels.phone.volume.per_day=96000",
            "channels.phone.handle_time={mean: 6m}",
            "channels.phone.patience={mean: 1m}",
            "channels.phone.service_target.threshold=30s",
            "partner.teams.0.staffing={mode: auto}",
        ],
    )
    phone = result.table[result.table["is_open"]]
    assert (phone["productive_agents"] < phone["effective_load_erlangs"]).all()
    assert result.warnings == (
        f"phone: {len(phone)} open intervals are staffed below their offered load; abandonment "
        f"carries the target there (up to {phone['p_abandon'].max():.1%} abandon)",
    )


def test_cli_staff_scenario_prints_days_weeks_and_warnings(monkeypatch, capsys):
    monkeypatch.setattr(
        "sys.argv",
        ["ccplan", "staff", str(EXAMPLES / "baseline_auto.yaml"), "--set", "horizon.days=7",
         "--set", "partner.teams.1.min_agents=100", "--confidence", "90%"],
    )  # fmt: skip
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code in (0, None)
    captured = capsys.readouterr()
    assert "Staffing plan: baseline_auto" in captured.out
    assert "Headcount and FTE per week (FTE = paid hours / 38 h)" in captured.out
    assert "Tier 2 per day (fixed agents)" in captured.out
    # min_agents raises the auto chat team: no warning; the plan's criterion is the confidence.
    assert "min_agents" not in captured.err
