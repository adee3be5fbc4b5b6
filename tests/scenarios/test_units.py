"""Friendly units: every accepted form gives the one model unit; every other form is refused."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scenarios.errors import Problem, ScenarioError
from scenarios.units import parse_count, parse_duration_s, parse_fraction


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (30, 30.0),
        (2.5, 2.5),
        ("45", 45.0),
        ("30s", 30.0),
        ("30 sec", 30.0),
        ("3m", 180.0),
        ("3min", 180.0),
        ("2h", 7200.0),
        ("1h30m", 5400.0),
        ("1d", 86400.0),
        ("1w", 604800.0),
        ("0.5H", 1800.0),
    ],
)
def test_durations_in_seconds(text, seconds):
    assert parse_duration_s(text) == seconds


@pytest.mark.parametrize(
    "bad", ["", "fast", "3 parsecs", "3m extra", True, None, [], "-5s", -1, "nan"]
)
def test_bad_durations_are_refused(bad):
    with pytest.raises(ValueError, match=r"duration|negative|finite"):
        parse_duration_s(bad)


@pytest.mark.parametrize(
    ("text", "fraction"),
    [("80%", 0.8), ("80 %", 0.8), (0.8, 0.8), ("0.25", 0.25), (1, 1.0), ("0%", 0.0)],
)
def test_fractions(text, fraction):
    assert math.isclose(parse_fraction(text), fraction)


@pytest.mark.parametrize("bad", [80, "80", "120%", "-1%", "eighty", True, float("inf")])
def test_bad_fractions_are_refused(bad):
    with pytest.raises(ValueError):
        parse_fraction(bad)


def test_bare_percent_number_names_the_fix():
    with pytest.raises(ValueError, match="write 80% for a percentage"):
        parse_fraction(80)


@pytest.mark.parametrize(
    ("text", "count"), [("1.5k", 1500.0), ("2M", 2e6), (1200, 1200.0), ("1e3", 1000.0), ("7", 7.0)]
)
def test_counts(text, count):
    assert parse_count(text) == count


@pytest.mark.parametrize("bad", ["-3", "1.5x", "k", -1, False])
def test_bad_counts_are_refused(bad):
    with pytest.raises(ValueError):
        parse_count(bad)


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_plain_seconds_round_trip(seconds):
    assert parse_duration_s(seconds) == seconds
    assert parse_duration_s(f"{seconds!r}s") == seconds


def test_problem_line_format():
    problem = Problem("must be at most 1", "channels.phone.fcr", "a.yaml", 12, 7, 1.5)
    assert str(problem) == "a.yaml:12:7: channels.phone.fcr: must be at most 1 (got 1.5)"
    assert str(Problem("missing field")) == "<scenario>: missing field"


def test_scenario_error_lists_every_problem():
    error = ScenarioError([Problem("a", "x", "f.yaml", 1), Problem("b", "y", "f.yaml", 2)])
    assert str(error).splitlines() == ["f.yaml:1: x: a", "f.yaml:2: y: b"]
    with pytest.raises(ValueError):
        ScenarioError([])
