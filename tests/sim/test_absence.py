"""Random absence: the mean of the agents present is the shrinkage rule's, the day-to-day spread
the declared one, and the draws sit on their own stream."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from scenarios.demand import expand
from scenarios.errors import InputError
from scenarios.loader import load
from sim.absence import draw_absence
from sim.build import model_input
from sim.runner import simulate
from sim.streams import Streams
from staffing import team_rosters

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"
PER_DAY = 96


def _days(rng, scheduled, **kwargs):
    present, u = draw_absence(rng, scheduled, intervals_per_day=PER_DAY, **kwargs)
    return np.floor(scheduled * present + u), present[::PER_DAY]


@pytest.mark.parametrize("day_cv", [0.0, 0.25])
def test_mean_present_is_the_shrinkage_rule_and_the_spread_the_declared_one(day_cv):
    days, shrinkage = 4000, 0.3
    profile = np.concatenate([np.zeros(32), np.full(16, 40.0), np.full(40, 57.0), np.zeros(8)])
    scheduled = np.tile(profile, days)
    present, share = _days(
        np.random.default_rng(2), scheduled, shrinkage_frac=shrinkage, day_cv=day_cv
    )
    # Mean agents present per interval: s·(1 − μ), randomised rounding included (within 4 se).
    per_interval = present.reshape(days, PER_DAY)
    se = per_interval.std(axis=0, ddof=1) / math.sqrt(days)
    expected = profile * (1 - shrinkage)
    assert np.all(np.abs(per_interval.mean(axis=0) - expected) <= 4 * se + 1e-12)
    # Day-to-day spread of the absent share B/H (H = 57, the day's most on duty):
    # μ(1 − μ)/H + (1 − 1/H)·(c·μ)² (beta-binomial; c = 0 the binomial).
    absent = 1 - share
    peak = 57
    variance = shrinkage * (1 - shrinkage) / peak + (1 - 1 / peak) * (day_cv * shrinkage) ** 2
    assert absent.mean() == pytest.approx(shrinkage, abs=4 * math.sqrt(variance / days))
    # The sample variance of 4,000 days is within 10 % of the formula (its CV is about 2.5 %).
    assert absent.var(ddof=1) == pytest.approx(variance, rel=0.1)


def test_absence_draws_are_refused_outside_their_range():
    rng = np.random.default_rng(0)
    with pytest.raises(InputError, match="shrinkage in"):
        draw_absence(rng, np.ones(PER_DAY), intervals_per_day=PER_DAY, shrinkage_frac=0.0)
    with pytest.raises(InputError, match="day_cv must be below"):
        draw_absence(
            rng, np.ones(PER_DAY), intervals_per_day=PER_DAY, shrinkage_frac=0.3, day_cv=2.0
        )


ABSENT = [
    "horizon.days=7",
    "partner.teams.0.absence={distribution: beta_binomial, day_cv: 30%}",
    "partner.teams.0.end_of_duty=hand_back",
    "partner.teams.0.attrition_per_month=0",
]


def test_simulated_agents_on_duty_average_the_shrinkage_rule():
    # With hand_back the roster is an exact cap: staffed agent-seconds are the agents present.
    scenario = load(EXAMPLES / "baseline.yaml", ABSENT)
    workload = expand(scenario)
    rosters = team_rosters(scenario, workload)
    staffed = []
    for replication in range(12):
        agents = simulate(scenario, replication, 3, workload=workload, rosters=rosters).agents
        voice = agents[agents["team"] == "voice"].groupby("interval")["staffed_agent_s"].sum()
        staffed.append(voice.to_numpy() / workload.interval_s)
    staffed = np.array(staffed)
    expected = rosters["voice"] * (1 - scenario.partner.shrinkage)
    # Over all open intervals and replications: the mean present agents per interval.
    on = rosters["voice"] > 0
    per_replication = staffed[:, on].sum(axis=1)
    se = per_replication.std(ddof=1) / math.sqrt(per_replication.size)
    assert abs(per_replication.mean() - expected[on].sum()) <= 4 * se
    assert per_replication.std(ddof=1) > 0  # it is random, unlike the fixed share


def test_absence_keeps_the_other_streams():
    # Common random numbers: adding absence to a team changes nobody's arrivals.
    base = load(EXAMPLES / "baseline.yaml", ["horizon.days=7"])
    absent = load(EXAMPLES / "baseline.yaml", ["horizon.days=7", *ABSENT[1:2]])
    arrivals = []
    for scenario in (base, absent):
        workload = expand(scenario)
        inp = model_input(scenario, workload, team_rosters(scenario, workload), Streams(9, 2))
        arrivals.append(inp.arrivals)
        team = next(spec for spec in inp.teams if spec.name == "voice")
        assert (team.present_frac is None) == (scenario is base)
    for name in arrivals[0]:
        np.testing.assert_array_equal(arrivals[0][name], arrivals[1][name])
