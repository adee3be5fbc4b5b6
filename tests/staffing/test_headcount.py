"""Expected headcount over time (hires, training, attrition) and FTE per week."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from scenarios.demand import expand
from scenarios.loader import load
from staffing import plan, plan_by_week
from staffing.headcount import (
    MONTH_S,
    WEEK_S,
    Cohort,
    expected_headcount,
    team_cohorts,
    team_nesting,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"
HOUR_S = 3600.0


def test_launch_cohorts_follow_the_hiring_settings():
    # launch.yaml: voice hires 6 a week from 2027-03-01 (the start), 1 week lead, 2 training.
    scenario = load(EXAMPLES / "launch.yaml")
    voice = scenario.partner.teams[0]
    cohorts = team_cohorts(voice, scenario)
    assert cohorts[0] == Cohort(70.0, -math.inf, -math.inf)
    hires = cohorts[1:]
    assert [c.size for c in hires] == [6.0] * len(hires)
    assert hires[0].employed_s == WEEK_S and hires[0].production_s == 3 * WEEK_S
    assert np.all(np.diff([c.production_s for c in hires]) == WEEK_S)
    # every hire whose training starts in the horizon, also when it is trained after its end
    assert hires[-1].employed_s < scenario.horizon.horizon_s <= hires[-1].employed_s + WEEK_S


def test_attrition_decays_the_headcount_and_counts_the_leavers():
    rate = -math.log1p(-0.03) / MONTH_S
    path = expected_headcount(
        (Cohort(80.0, -math.inf, -math.inf),),
        interval_s=HOUR_S,
        n_intervals=24 * 60,
        attrition_per_month_frac=0.03,
    )
    t = np.arange(24 * 60) * HOUR_S
    np.testing.assert_allclose(path.headcount, 80.0 * np.exp(-rate * t), rtol=1e-12)
    end = 80.0 * math.exp(-rate * 24 * 60 * HOUR_S)
    assert path.left.sum() == pytest.approx(80.0 - end, rel=1e-12)
    assert not path.hired.any() and not path.in_training.any()


def test_a_cohort_is_paid_in_training_then_produces_and_the_cap_holds():
    cohorts = (
        Cohort(10.0, -math.inf, -math.inf),
        Cohort(4.0, 2 * HOUR_S, 5 * HOUR_S),
        Cohort(4.0, 3 * HOUR_S, 6.5 * HOUR_S),
    )
    path = expected_headcount(cohorts, interval_s=HOUR_S, n_intervals=10, max_headcount=12.0)
    # The cap of 12 leaves room for 2 of the first hires and none of the second.
    np.testing.assert_allclose(path.hired, [0, 0, 2, 0, 0, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(path.in_training, [0, 0, 2, 2, 2, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(path.headcount, [10, 10, 10, 10, 10, 12, 12, 12, 12, 12])
    assert path.left.sum() == 0.0


FULL_TIME = [
    "horizon.days=14",
    "horizon.closed_days=[]",
    "partner.teams.0.staffing.headcount=80",
    'partner.teams.0.staffing.shifts=[{name: day, days: mon-fri, start: "09:00", '
    'end: "16:30", share: 100%}]',
    "partner.teams.0.attrition_per_month=0",
    "channels.phone.hours={mon-fri: '09:00-16:30'}",
]


def test_an_80_head_full_time_team_reads_about_80_fte():
    # 80 agents × 7.5 h × 5 days = 3,000 paid hours a week over a 38-hour contract week.
    scenario = load(EXAMPLES / "baseline.yaml", FULL_TIME)
    weeks = plan_by_week(plan(scenario, expand(scenario)), scenario)
    voice = weeks[weeks["team"] == "voice"]
    np.testing.assert_allclose(voice["scheduled_agent_hours"], 3000.0)
    np.testing.assert_allclose(voice["fte"], 3000.0 / 38.0)
    np.testing.assert_allclose(voice["headcount"], 80.0)
    assert (voice["days"] == 7).all()


def test_trainees_are_paid_the_contract_week():
    scenario = load(EXAMPLES / "launch.yaml", ["partner.fte_hours_per_week=40"])
    weeks = plan_by_week(plan(scenario, expand(scenario)), scenario)
    voice = weeks[weeks["team"] == "voice"].reset_index(drop=True)
    # Week 2 (from 8 March): the first 6 hires train all week, paid 40 h each.
    assert voice.loc[1, "in_training"] == pytest.approx(6.0)
    assert voice.loc[1, "training_hours"] == pytest.approx(240.0)
    assert voice.loc[1, "paid_hours"] == pytest.approx(voice.loc[1, "scheduled_agent_hours"] + 240)
    assert voice.loc[1, "fte"] == pytest.approx(voice.loc[1, "paid_hours"] / 40.0)
    # The plan's scheduled agents grow with the hires (the simulation scales the shifts alike).
    assert voice["headcount"].iloc[-2] > voice["headcount"].iloc[0]
    assert voice["scheduled_agent_hours"].iloc[-2] > voice["scheduled_agent_hours"].iloc[1]
    # A shorter last week has no FTE.
    short = weeks[weeks["days"] < 7]
    assert short["fte"].isna().all()


def test_a_class_loses_its_dropout_in_training_and_nests_to_full_speed():
    # 10 hires train 4 h losing 20 % evenly, then 8 produce, at 50 % on joining, 100 % after
    # a (4 h) nesting: productivity 1 / (1 + (M - 1)(1 - τ/W)) with M = 2, W = 4 h.
    nesting = (2.0, 4 * HOUR_S / WEEK_S)
    path = expected_headcount(
        (Cohort(10.0, 0.0, 4 * HOUR_S, dropout_frac=0.2),),
        interval_s=HOUR_S,
        n_intervals=10,
        nesting=nesting,
    )
    np.testing.assert_allclose(path.in_training[:5], [10, 9.5, 9, 8.5, 0])
    np.testing.assert_allclose(path.headcount, [0, 0, 0, 0, 8, 8, 8, 8, 8, 8])
    tau = np.arange(6.0)
    expected = 8.0 / (1.0 + np.clip(1.0 - tau / 4.0, 0.0, 1.0))
    np.testing.assert_allclose(path.effective[4:], expected)
    assert path.hired.tolist() == [10.0] + [0.0] * 9


def test_a_release_lowers_the_headcount_as_the_agents_would_have_left():
    rate = -math.log1p(-0.05) / MONTH_S
    edges = np.arange(48) * HOUR_S
    path = expected_headcount(
        (Cohort(50.0, -math.inf, -math.inf),),
        interval_s=HOUR_S,
        n_intervals=48,
        attrition_per_month_frac=0.05,
        releases=((10 * HOUR_S, 5.0),),
    )
    after = edges >= 10 * HOUR_S
    expected = 50.0 * np.exp(-rate * edges) - np.where(
        after, 5.0 * np.exp(-rate * (edges - 10 * HOUR_S)), 0.0
    )
    np.testing.assert_allclose(path.headcount, expected, rtol=1e-12)
    assert path.released.sum() == 5.0 and path.released[10] == 5.0
    # leavers by attrition plus the release account for the fall of the headcount
    end = expected[-1] * math.exp(-rate * HOUR_S)
    assert path.left.sum() + 5.0 == pytest.approx(50.0 - end, rel=1e-9)


def test_classes_of_a_team_are_its_cohorts():
    scenario = load(
        EXAMPLES / "launch.yaml",
        [
            "partner.teams.0.hiring=null",
            "partner.teams.0.learning_curve=null",
            "partner.teams.0.hiring_classes={max_size: 20, training_weeks: 2, dropout: 10%,"
            " nesting_weeks: 4, nesting_productivity: 80%,"
            " classes: [{start: 2027-03-08, size: 12}]}",
        ],
    )
    voice = scenario.partner.teams[0]
    cohorts = team_cohorts(voice, scenario)
    assert cohorts[1] == Cohort(12.0, WEEK_S, 3 * WEEK_S, 0.1)
    assert team_nesting(voice) == (pytest.approx(1.25), 4.0)
