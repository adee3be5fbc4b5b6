"""Fields of issue 12 (staffing criterion, targets, end of duty, minimum agents, absence, the
contract week, tier 2 on auto): their defaults, and every mistake as one FILE:LINE line."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios.errors import ScenarioError
from scenarios.loader import load

BASELINE = Path(__file__).resolve().parents[3] / "scenarios" / "examples" / "baseline.yaml"


def _lines(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "variant.yaml"
    path.write_text(f"extends: {BASELINE}\n" + text)
    with pytest.raises(ScenarioError) as caught:
        load(path)
    return [line.replace(str(tmp_path) + "/", "") for line in str(caught.value).splitlines()]


def test_defaults():
    scenario = load(BASELINE)
    target = scenario.channels["phone"].service_target
    assert (target.criterion, target.confidence) == ("expected", None)
    assert target.max_p_wait is None and target.max_occupancy is None
    team = scenario.partner.teams[0]
    assert (team.end_of_duty, team.min_agents, team.absence) == ("finish_contact", 0, None)
    assert scenario.partner.fte_hours_per_week == 38.0
    assert scenario.tier2.agents == 9


def test_new_fields_load():
    scenario = load(
        BASELINE,
        [
            "channels.phone.service_target.criterion=confidence",
            "channels.phone.service_target.confidence=90%",
            "channels.phone.service_target.max_p_wait=50%",
            "channels.chat.service_target.max_occupancy=85%",
            "partner.teams.0.end_of_duty=hand_back",
            "partner.teams.0.min_agents=2",
            "partner.teams.1.absence={distribution: beta_binomial, day_cv: 20%}",
            "partner.teams.2.absence={distribution: binomial}",
            "partner.fte_hours_per_week=40",
            "tier2.agents=auto",
        ],
    )
    target = scenario.channels["phone"].service_target
    assert (target.criterion, target.confidence, target.max_p_wait) == ("confidence", 0.9, 0.5)
    assert scenario.channels["chat"].service_target.max_occupancy == 0.85
    teams = scenario.partner.teams
    assert (teams[0].end_of_duty, teams[0].min_agents) == ("hand_back", 2)
    assert teams[1].absence.day_cv == 0.2 and teams[2].absence.distribution == "binomial"
    assert scenario.partner.fte_hours_per_week == 40.0 and scenario.tier2.agents == "auto"


def test_mistakes_are_reported_with_file_and_line(tmp_path):
    text = """\
channels:
  phone:
    service_target: {threshold: 30s, target: 80%, criterion: confidence}
  chat:
    service_target: {threshold: 1m, target: 80%, confidence: 90%}
  social:
    service_target: {threshold: 1h, target: 90%, business_hours: true, max_occupancy: 0%}
  email:
    service_target: {threshold: 2h, target: 90%, business_hours: true, max_p_wait: 50%}
partner:
  fte_hours_per_week: 0
  teams:
    - name: tier2
      channels: [phone]
      end_of_duty: hang_up
      min_agents: -1
      staffing: {mode: auto}
    - name: chat
      channels: [chat]
      absence: {distribution: beta_binomial}
      staffing: {mode: auto}
    - name: backoffice
      channels: [social, email]
      absence: {distribution: binomial, day_cv: 10%}
      staffing: {mode: auto}
tier2: {agents: some}
"""
    assert _lines(tmp_path, text) == [
        "variant.yaml:4:21: channels.phone.service_target.confidence: must be given for "
        "criterion confidence",
        "variant.yaml:6:62: channels.chat.service_target.confidence: is for criterion "
        "confidence; criterion is expected (got 0.9)",
        "variant.yaml:8:87: channels.social.service_target.max_occupancy: must be above 0% (no "
        "staffing reaches it) (got '0%')",
        "variant.yaml:10:84: channels.email.service_target.max_p_wait: is for realtime channels "
        "only; a backlog is staffed to answer every contact in time (got 0.5)",
        "variant.yaml:12:23: partner.fte_hours_per_week: must be greater than 0.0 (got 0)",
        "variant.yaml:16:20: partner.teams.0.end_of_duty: must be 'finish_contact' or "
        "'hand_back' (got 'hang_up')",
        "variant.yaml:17:19: partner.teams.0.min_agents: must be at least 0 (got -1)",
        "variant.yaml:21:16: partner.teams.1.absence.day_cv: must be given and above 0 for "
        "beta_binomial",
        "variant.yaml:25:49: partner.teams.2.absence.day_cv: is for beta_binomial; a binomial "
        "has no CV to set (got 0.1)",
        "variant.yaml:27:17: tier2.agents: must be a whole number, or 'auto' (got 'some')",
    ]


def test_cross_field_rules(tmp_path):
    text = """\
events: {forecast_error: {day_cv: 8%, channels: [chat]}}
channels:
  phone:
    service_target: {threshold: 30s, target: 80%, criterion: confidence, confidence: 90%}
partner:
  teams:
    - name: tier2
      channels: [phone]
      staffing: {mode: auto}
    - name: chat
      channels: [chat]
      staffing: {mode: auto}
    - name: backoffice
      channels: [social, email]
      staffing: {mode: auto}
"""
    lines = _lines(tmp_path, text)
    assert lines == [
        "variant.yaml:5:62: channels.phone.service_target.criterion: confidence needs "
        "events.forecast_error with day_cv above 0 on this channel (the confidence is over "
        "the day's volume) (got 'confidence')",
        "variant.yaml:8:13: partner.teams.0.name: 'tier2' is reserved for the roster of the "
        "tier2 section (got 'tier2')",
    ]
