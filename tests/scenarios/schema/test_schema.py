"""Scenario schema: valid documents, defaults, accessors, immutability and error paths."""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import yaml
from pydantic import ValidationError

from scenarios._base import problems_error
from scenarios.loader import load
from scenarios.partner import AutoStaffing, FixedStaffing
from scenarios.scenario import Scenario

EXAMPLES = Path(__file__).parents[3] / "scenarios" / "examples"


def _example(name: str) -> Scenario:
    data = yaml.safe_load((EXAMPLES / name).read_text())
    data.pop("extends", None)
    return Scenario.model_validate(data, context={"base_dir": EXAMPLES})


def test_baseline_validates_with_expected_sizes():
    scenario = _example("baseline.yaml")
    assert scenario.channel_names == ("phone", "chat", "email", "social")
    assert [name for name, c in scenario.channels.items() if c.is_realtime] == ["phone", "chat"]
    assert scenario.horizon.n_intervals == 31 * 96
    assert scenario.horizon.interval_s == 900.0
    assert scenario.horizon.horizon_s == 31 * 86400.0
    assert scenario.horizon.end == date(2027, 3, 31)
    assert scenario.team_of("email").name == "backoffice"
    assert scenario.team_of("social").channels == ("social", "email")
    assert scenario.repeat_channel("social") == "phone"
    assert scenario.repeat_channel("phone") == "phone"
    assert scenario.channels["chat"].max_chats == 3
    assert scenario.channels["email"].max_chats == 1
    assert scenario.contract.clauses[0].target == 0.8


def test_minimal_document_gets_documented_defaults(doc, valid):
    scenario = valid(doc)
    phone = scenario.channels["phone"]
    assert phone.resolution_probability == 1.0 and phone.fcr is None
    assert phone.intraday_profile == "flat"
    assert phone.weekday_weights == (1.0,) * 7
    assert phone.handle_time.distribution == "exponential"
    assert phone.handle_time.cv_effective == 1.0
    assert phone.patience is None and phone.repeat is None and phone.csat is None
    assert scenario.channels["email"].volume.per_week == 2000.0
    assert scenario.horizon.timezone == "UTC"
    assert scenario.horizon.closed_days == ()
    assert scenario.partner.fte_hours_per_month == 160.0
    assert scenario.tier2 is None and scenario.contract is None
    assert scenario.events.peaks == () and scenario.events.forecast_error is None
    assert scenario.outages.realtime_during_outage == "not_offered"
    assert (scenario.run.replications, scenario.run.seed, scenario.run.warmup_s) == (10, 0, 0.0)
    staffing = scenario.team_of("email").staffing
    assert isinstance(staffing, AutoStaffing)
    assert staffing.safety_factor == pytest.approx(0.05)
    assert staffing.method == "stationary"


def test_models_are_frozen_and_collections_read_only(doc, valid):
    scenario = valid(doc)
    with pytest.raises(ValidationError, match="frozen"):
        scenario.name = "other"
    with pytest.raises(ValidationError, match="frozen"):
        scenario.channels["phone"].fcr = 0.5
    with pytest.raises(TypeError, match="read-only"):
        scenario.channels["fax"] = scenario.channels["phone"]
    with pytest.raises(TypeError, match="read-only"):
        del scenario.channels["phone"]
    assert isinstance(scenario.partner.teams, tuple)
    assert isinstance(scenario.partner.teams[0].staffing, FixedStaffing)
    assert isinstance(scenario.partner.teams[0].staffing.shifts, tuple)


def test_scenario_pickles_and_round_trips_through_dump(doc, valid):
    scenario = valid(doc)
    assert pickle.loads(pickle.dumps(scenario)) == scenario
    again = Scenario.model_validate(scenario.model_dump())
    assert again == scenario
    assert Scenario.model_validate_json(scenario.model_dump_json()) == scenario


def test_unknown_key_is_rejected_with_its_path(doc, errors):
    doc["channels"]["phone"]["handle_tme"] = {"mean": "5m"}
    assert errors(doc) == [("channels.phone.handle_tme", "Extra inputs are not permitted")]


def test_problems_error_keeps_every_path():
    error = problems_error("X", [(("a", 0), "first {odd}", 1), (("b",), "second", None)])
    assert [(e["loc"], e["msg"], e["type"]) for e in error.errors()] == [
        (("a", 0), "first (odd)", "cross_field"),
        (("b",), "second", "cross_field"),
    ]


def test_open_mask_covers_grid_and_closed_days(doc, valid):
    doc["horizon"]["closed_days"] = ["2027-03-03"]
    scenario = valid(doc)
    mask = scenario.horizon.open_mask(scenario.channels["phone"].hours).reshape(7, 96)
    assert mask.dtype == bool
    assert mask[0].sum() == 40  # 08:00-18:00 on a Monday
    assert mask[0, 32] and not mask[0, 31] and mask[0, 71] and not mask[0, 72]
    assert not mask[2].any()  # closed day
    assert not mask[5:].any()  # weekend
    assert np.array_equal(mask[1], mask[0])


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_loads(path):
    scenario = load(path)
    assert scenario.name == path.stem


def test_mmn_examples_are_the_textbook_queues():
    plain, patient = load(EXAMPLES / "mmn.yaml"), load(EXAMPLES / "mmn_abandon.yaml")
    for scenario in (plain, patient):
        phone = scenario.channels["phone"]
        assert scenario.channel_names == ("phone",)
        assert scenario.horizon.days == 1
        assert phone.hours.is_24_7
        assert phone.volume.per_day / 24 == 600.0
        assert phone.handle_time.mean == 180.0 and phone.handle_time.cv_effective == 1.0
        assert phone.resolution_probability == 1.0 and phone.repeat is None and phone.redial is None
        assert phone.escalation is None
        assert phone.service_target.threshold == 20.0
        assert scenario.partner.shrinkage == 0.0
        rows = scenario.team_of("phone").staffing.file.read_text().splitlines()
        assert rows[0] == "interval_start,agents"
        assert {row.split(",")[1] for row in rows[1:]} == {"35"}
        assert len(rows) - 1 == scenario.horizon.n_intervals
    assert plain.channels["phone"].patience is None
    assert patient.channels["phone"].patience.mean == 120.0
    assert patient.channels["phone"].patience.distribution == "exponential"


def test_scale_up_examples_hire_with_lead_time():
    launch = load(EXAMPLES / "launch.yaml")
    assert launch.events.launches[0].date == date(2027, 3, 15)
    assert launch.team_of("phone").hiring.weeks_to_production == 3.0
    assert launch.team_of("phone").learning_curve.aht_multiplier == 1.3
    peak = load(EXAMPLES / "december_peak.yaml")
    assert peak.team_of("phone").hiring.lead_time_weeks == 3.0
    assert [p.name for p in peak.events.peaks] == ["black-friday", "december"]
    assert peak.horizon.closed_days == (date(2027, 12, 25), date(2027, 12, 26))


def test_readme_annotated_example_validates():
    readme = (EXAMPLES.parent / "README.md").read_text()
    block = readme.split("## Annotated example")[1].split("```yaml\n")[1].split("```")[0]
    scenario = Scenario.model_validate(yaml.safe_load(block))
    assert scenario.name == "small_phone_desk"
    assert scenario.contract.clauses[0].bonus.above == pytest.approx(0.85)
