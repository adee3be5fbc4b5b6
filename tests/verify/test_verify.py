"""``ccplan staff --verify``: the analytic plan corrected by simulation on common random numbers
until the realtime channels meet their targets with the stated probability."""

from __future__ import annotations

import numpy as np
import pytest

import cli
from scenarios.errors import InputError
from staffing import team_rosters
from verify import ADDED_COLUMNS, ROUND_COLUMNS, verify_plan

# Thirty-minute exponential work in 15-minute intervals, staffed interval by interval from the
# interval's own rate (SIPP) with a hard roster: the analytic plan misses its daily target on
# many days (Green, Kolesar and Soares 2001), which the simulation shows and corrects.
LONG_WORK = """\
name: long_work
horizon: {start: 2027-03-01, days: 3, interval: 15m}
channels:
  phone:
    kind: realtime
    hours: {all: "08:00-20:00"}
    volume: {per_day: 1200}
    intraday_profile: office
    handle_time: {mean: 30m, distribution: exponential}
    service_target: {threshold: 20s, target: 80%}
partner:
  name: Acme
  shrinkage: 0%
  pricing: {per_agent_hour_eur: 30}
  teams:
    - name: voice
      channels: [phone]
      end_of_duty: hand_back
      staffing: {mode: auto}
contract:
  fee: {fixed_eur: 30000}
  measurement_period: day
  clauses:
    - id: sl
      kpi: service_level
      channel: phone
      threshold: 20s
      target: 80%
      penalty: {scheme: fixed, percent_of_fee: 5%}
run: {replications: 6, seed: 4}
"""


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("verify") / "long_work.yaml"
    path.write_text(LONG_WORK)
    return path


@pytest.fixture(scope="module")
def verified(scenario_file):
    return verify_plan(scenario_file, p_meet=0.9)


def test_the_analytic_plan_misses_and_the_corrected_one_meets(verified):
    rounds = verified.rounds
    assert list(rounds.columns) == list(ROUND_COLUMNS)
    assert rounds["p_meet"].iloc[0] < 0.9 <= rounds["p_meet"].iloc[-1]
    assert verified.met and verified.period_kind == "day"
    assert (rounds["periods"] == 18).all()  # 6 replications × 3 days every round
    assert rounds["productive_hours_added"].is_monotonic_increasing


def test_agents_are_only_added_and_the_blocks_add_up(verified):
    plan = verified.plan
    base = team_rosters(plan.scenario, plan.workload)["voice"]
    corrected = verified.rosters["voice"]
    assert np.all(corrected >= base) and corrected.sum() > base.sum()
    added = verified.added
    assert list(added.columns) == list(ADDED_COLUMNS)
    assert (added["productive_added"] > 0).all()
    # No shrinkage: every productive agent added is a scheduled one.
    assert added["agent_hours_added"].sum() == pytest.approx((corrected - base).sum() * 0.25)
    assert (added["block_start"].dt.hour % 2 == 0).all()
    assert added["block_start"].dt.hour.min() >= 8


def test_rounds_are_common_random_numbers(scenario_file, verified):
    # The first round is the analytic plan simulated from the same seed: the same numbers.
    again = verify_plan(scenario_file, p_meet=0.9, max_rounds=0)
    first = verified.rounds[verified.rounds["round"] == 0]
    np.testing.assert_allclose(again.rounds["mean_service_level"], first["mean_service_level"])
    assert not again.met and again.added.empty


def test_bad_options(scenario_file):
    with pytest.raises(InputError, match="--p-meet must lie strictly between"):
        verify_plan(scenario_file, p_meet=1.0)
    with pytest.raises(InputError, match="--block must be a whole number of intervals"):
        verify_plan(scenario_file, block_hours=0.1)
    with pytest.raises(InputError, match="replications must be a whole number from 2 to 10,000"):
        verify_plan(scenario_file, replications=1)
    with pytest.raises(InputError, match="seed must be a whole number from 0 to"):
        verify_plan(scenario_file, seed=-1)


def test_cli_prints_the_rounds_and_blocks(scenario_file, monkeypatch, capsys):
    monkeypatch.setattr(
        "sys.argv",
        ["ccplan", "staff", str(scenario_file), "--verify", "--quiet", "--replications", "4",
         "--p-meet", "75%", "--block", "4h"],
    )  # fmt: skip
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code in (0, None)
    out = capsys.readouterr().out
    assert "Simulated P(meet) per day (target: 75%; 4 replications" in out
    assert "Agents added per interval block" in out
