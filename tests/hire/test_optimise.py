"""Known answers of the hiring optimiser: a deterministic step, and brute force."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
import pytest

from hire.capacity import capacity_model
from hire.evaluate import evaluate_plan
from hire.optimise import Plan, TeamPlan, optimise
from scenarios.demand import expand
from tests.hire.conftest import scenario_of

STEP = date(2027, 3, 29)


def _model(doc):
    scenario = scenario_of(doc)
    return capacity_model(scenario, expand(scenario))


@pytest.mark.parametrize("max_p_breach", [None, 0.05])
def test_a_deterministic_step_gets_one_class_of_the_covering_size_one_lead_time_before(
    small_doc, max_p_breach
):
    # measured weekly, no week of the step can borrow the surplus of a week before it
    small_doc["contract"]["measurement_period"] = "week"
    model = _model(small_doc)
    team = model.teams[0]
    week = [w for w, start in enumerate(model.weeks.start) if start >= STEP]
    # before the step the 30 agents cover; after it they do not
    assert team.required[: week[0]].max() <= 32 < team.required[week].min()
    covering = int(team.required[week].max()) - 32
    plan = optimise(model, max_p_breach)
    assert plan.teams == (TeamPlan("voice", ((STEP - timedelta(weeks=2), covering),)),)
    figures = evaluate_plan(model, plan)
    assert figures.periods["p_breach"].max() < 1e-6


def test_one_hire_fewer_or_a_week_later_breaches_the_step(small_doc):
    small_doc["contract"]["measurement_period"] = "week"
    model = _model(small_doc)
    ((start, size),) = optimise(model, 0.05).teams[0].classes
    for classes in (((start, size - 1),), ((start + timedelta(weeks=1), size),)):
        figures = evaluate_plan(model, Plan((TeamPlan("voice", classes),)))
        assert figures.periods["p_breach"].max() > 0.99


def _all_plans(candidates, sizes, max_classes):
    yield ()
    for n in range(1, max_classes + 1):
        for days in itertools.combinations(candidates, n):
            for chosen in itertools.product(sizes, repeat=n):
                yield tuple(zip(days, chosen, strict=True))


def test_on_a_small_instance_the_optimiser_finds_the_brute_force_plan(small_doc):
    team = small_doc["partner"]["teams"][0]
    team["attrition_per_month"] = "5%"
    team["hiring_classes"] = {
        "start_dates": ["2027-03-08", "2027-03-15", "2027-03-22"],
        "min_size": 2,
        "max_size": 9,
        "max_classes": 2,
        "training_weeks": 1,
        "dropout": "10%",
    }
    small_doc["events"]["forecast_error"] = {"day_cv": "10%"}
    model = _model(small_doc)
    plans = [
        Plan((TeamPlan("voice", classes),))
        for classes in _all_plans(model.teams[0].candidates, range(2, 10), 2)
    ]
    objectives = np.array([evaluate_plan(model, plan).objective_eur for plan in plans])
    best = plans[int(np.argmin(objectives))]
    found = optimise(model)
    assert found.objective_eur == pytest.approx(objectives.min(), rel=1e-6)
    assert evaluate_plan(model, found).objective_eur == pytest.approx(objectives.min(), rel=1e-9)
    assert found.teams == best.teams
    # the instance is not trivial: the best plan hires, and hiring the most is not best
    assert best.teams[0].classes and objectives.min() < objectives[0]


def test_a_drop_in_demand_is_met_by_releases_when_ramp_down_is_allowed(small_doc):
    small_doc["contract"]["measurement_period"] = "week"
    small_doc["events"]["peaks"] = [
        {"name": "drop", "start": "2027-03-22", "end": "2027-04-11", "multiplier": 0.6}
    ]
    team = small_doc["partner"]["teams"][0]
    team["staffing"]["headcount"] = 40
    team["hiring_classes"]["ramp_down"] = {"cost_per_release_eur": 500}
    model = _model(small_doc)
    required = model.teams[0].required
    plan = optimise(model, 0.05)
    (team_plan,) = plan.teams
    assert not team_plan.classes
    # without attrition the cheapest plan keeps exactly the agents each week needs
    figures = evaluate_plan(model, plan)
    np.testing.assert_allclose(figures.weekly["effective_agents"], required)
    assert sum(n for _, n in team_plan.releases) == 40 - required[-1]
    assert figures.weekly["released"].sum() == 40 - required[-1]
