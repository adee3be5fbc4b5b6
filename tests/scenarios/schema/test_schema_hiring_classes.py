"""Hiring classes as data: the rules of a team's classes and the plan it holds."""

from __future__ import annotations

import pytest

from scenarios.hiring_classes import HiringClasses

CLASSES = {
    "start_days": "mon,thu",
    "min_size": 4,
    "max_size": 12,
    "training_weeks": 3,
    "nesting_weeks": 4,
    "nesting_productivity": "60%",
    "dropout": "10%",
}


def test_a_valid_block_reads_its_rules_and_plan(doc, valid):
    doc["partner"]["teams"][0]["hiring_classes"] = {
        **CLASSES,
        "classes": [{"start": "2027-03-04", "size": 8}],
        "ramp_down": {"cost_per_release_eur": 4000},
        "releases": [{"date": "2027-03-05", "agents": 2}],
    }
    classes = valid(doc).team_of("phone").hiring_classes
    assert classes.start_days == (0, 3)
    assert classes.allows_start(classes.classes[0].start)
    assert classes.nesting_aht_multiplier == pytest.approx(1 / 0.6)
    assert classes.ramp_down.max_per_week is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"max_size": 3}, [("max_size", "must be at least min_size 4")]),
        (
            {"start_dates": ["2027-03-01", "2027-03-01"]},
            [
                ("start_dates", "give start_days or start_dates, not both"),
                ("start_dates.1", "is given twice"),
            ],
        ),
        (
            {"nesting_weeks": 0},
            [("nesting_weeks", "must be above 0 with nesting_productivity 60%")],
        ),
        (
            {"training_weeks": 0},
            [("dropout", "happens during training; give training_weeks above 0")],
        ),
        ({"dropout": "100%"}, [("dropout", "must be below 100%")]),
        (
            {"classes": [{"start": "2027-03-02", "size": 20}]},
            [
                ("classes.0.size", "must lie from min_size 4 to max_size 12"),
                ("classes.0.start", "must fall on one of start_days mon,thu"),
            ],
        ),
        (
            {"classes": [{"start": "2027-03-01", "size": 5}, {"start": "2027-03-01", "size": 6}]},
            [("classes.1.start", "another class starts that day")],
        ),
        (
            {
                "max_classes": 1,
                "classes": [{"start": "2027-03-01", "size": 5}, {"start": "2027-03-04", "size": 6}],
            },
            [("classes", "holds more than max_classes 1")],
        ),
        (
            {"releases": [{"date": "2027-03-01", "agents": 1}]},
            [("releases", "need a ramp_down (its cost)")],
        ),
    ],
)
def test_bad_rules_are_named_by_field(model_errors, change, expected):
    found = model_errors(HiringClasses, {**CLASSES, **change})
    assert [(path, message.split(" (got")[0]) for path, message in found] == [
        (f"{path}", message) for path, message in expected
    ]


def test_classes_need_a_fixed_team_without_weekly_hiring(doc, errors):
    team = doc["partner"]["teams"][0]
    team["hiring_classes"] = dict(CLASSES)
    team["hiring"] = {"per_week": 2, "start": "2027-03-01"}
    team["learning_curve"] = {"aht_multiplier": 1.3, "weeks_to_proficiency": 4}
    found = [path for path, _ in errors(doc)]
    assert found == ["partner.teams.0.hiring_classes", "partner.teams.0.learning_curve"]
    doc["partner"]["teams"][1]["hiring_classes"] = dict(CLASSES)
    del team["hiring"], team["learning_curve"]
    assert errors(doc) == [
        (
            "partner.teams.1.hiring_classes",
            "needs staffing mode fixed (a headcount); mode is auto",
        )
    ]


def test_a_class_after_the_horizon_is_refused(doc, errors):
    doc["partner"]["teams"][0]["hiring_classes"] = {
        **CLASSES,
        "classes": [{"start": "2027-03-11", "size": 5}],
    }
    assert errors(doc) == [
        (
            "partner.teams.0.hiring_classes.classes.0.start",
            "must not be after the horizon's last day 2027-03-07",
        )
    ]
