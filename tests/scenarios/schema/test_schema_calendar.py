"""Calendar pieces of the schema: horizon, weekday sets, opening hours and their masks, clock
and ratio parsers."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios._base import expand_weekday_map, parse_clock_s, parse_weekdays
from scenarios.calendar import Horizon, OpeningHours
from scenarios.units import parse_ratio


def test_horizon_accessors():
    horizon = Horizon(start="2028-02-01", days=366, interval="15m", closed_days=["2028-02-29"])
    assert horizon.n_intervals == 35_136  # the largest grid: a leap year of 15 minutes
    assert horizon.horizon_s == 366 * 86400.0
    assert horizon.end == date(2029, 1, 31)
    assert horizon.day_offset(date(2028, 2, 29)) == 28
    assert horizon.contains(date(2029, 1, 31)) and not horizon.contains(date(2029, 2, 1))


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", (0, 1, 2, 3, 4)),
        ("sat", (5,)),
        ("all", tuple(range(7))),
        ("mon, wed", (0, 2)),
        (["sun", "mon-tue"], (0, 1, 6)),
        ("SAT-SUN", (5, 6)),
    ],
)
def test_weekday_sets(text, days):
    assert parse_weekdays(text) == days


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fri-mon", "weekday range 'fri-mon' runs backwards; write it in week order"),
        ("mon-fri,wed", "wed is given twice"),
        (
            "monday",
            "unknown weekday 'monday': use mon tue wed thu fri sat sun, a range such as "
            "mon-fri, or all",
        ),
        ([], "must name at least one weekday"),
    ],
)
def test_bad_weekday_sets(text, message):
    with pytest.raises(ValueError) as caught:
        parse_weekdays(text)
    assert str(caught.value) == message


def test_weekday_maps_expand_and_reject_repeats():
    assert expand_weekday_map({"mon-wed": 1, "sun": 2}) == {0: 1, 1: 1, 2: 1, 6: 2}
    with pytest.raises(ValueError, match=r"^tue is given twice \(again in 'all'\)$"):
        expand_weekday_map({"tue": 1, "all": 2})


def test_weekday_weights_default_to_one_for_unnamed_days(doc, valid):
    doc["channels"]["phone"]["weekday_weights"] = {"mon": 1.2, "fri": 0.8}
    assert valid(doc).channels["phone"].weekday_weights == (1.2, 1, 1, 1, 0.8, 1, 1)


def test_opening_hours_forms():
    always = OpeningHours.model_validate("24/7")
    assert always.is_24_7 and always.windows_s == ((0, 86400),) * 7
    hours = OpeningHours.model_validate(
        {"mon-fri": "08:00-20:00", "sat": "09:00-24:00", "sun": "closed"}
    )
    assert hours.windows_s[0] == (8 * 3600, 20 * 3600)
    assert hours.windows_s[5] == (9 * 3600, 86400) and hours.windows_s[6] is None
    assert hours.is_open(0, 8 * 3600) and not hours.is_open(0, 20 * 3600)
    assert not hours.is_open(6, 12 * 3600)
    assert OpeningHours.model_validate(hours.model_dump()) == hours


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("always", 'Value error, must be "24/7" or a map of weekdays to "HH:MM-HH:MM" or closed'),
        (
            {"mon": "20:00-08:00"},
            "Value error, mon: window '20:00-08:00' must end after it "
            "starts (one window per day; write 24:00 for midnight)",
        ),
        (
            {"mon": "8-17"},
            "Value error, mon: time '8' must be written HH:MM in quotes, e.g. \"08:00\"",
        ),
        ({"mon": "24:00-24:00"}, "Value error, mon: time '24:00' must lie in 00:00..23:59"),
        (
            {"mon": "08:00-12:00, 13:00-17:00"},
            "Value error, mon: window '08:00-12:00, 13:00-17:00' must be 'HH:MM-HH:MM' or 'closed'",
        ),
        (
            {"mon-fri": "08:00-17:00", "fri": "closed"},
            "Value error, fri is given twice (again in 'fri')",
        ),
    ],
)
def test_bad_opening_hours(data, message, model_errors):
    assert model_errors(OpeningHours, data) == [("", message)]


def test_open_mask_on_30_minute_grid_from_a_sunday():
    hours = OpeningHours.model_validate({"mon": "09:00-10:30", "sun": "23:00-24:00"})
    mask = hours.open_mask(date(2027, 2, 28), 2, 1800.0, closed_days=[date(2027, 3, 9)])
    assert mask.shape == (96,)
    assert np.flatnonzero(mask).tolist() == [46, 47, 48 + 18, 48 + 19, 48 + 20]


def test_ratio_parser():
    assert parse_ratio("140%") == pytest.approx(1.4) and parse_ratio(0) == 0.0
    for bad, message in [
        (-0.1, "must not be negative"),
        ("x", "must be a number such as 0.4 or a percentage such as 40%"),
        (True, "must be a number such as 0.4 or a percentage such as 40%"),
        ("inf", "must be a finite number"),
    ]:
        with pytest.raises(ValueError) as caught:
            parse_ratio(bad)
        assert str(caught.value) == message


def test_clock_parser():
    assert parse_clock_s("08:30") == 30600
    assert parse_clock_s("24:00", allow_24=True) == 86400
    with pytest.raises(ValueError, match=r"time '12:60' must lie in 00:00\.\.23:59"):
        parse_clock_s("12:60")


@st.composite
def _weekly_hours(draw):
    hours = {}
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        if draw(st.booleans()):
            start = draw(st.integers(0, 95))
            end = draw(st.integers(start + 1, 96))
            hours[day] = f"{start // 4:02d}:{start % 4 * 15:02d}-{end // 4:02d}:{end % 4 * 15:02d}"
    return hours


@settings(max_examples=60, deadline=None)
@given(
    hours=_weekly_hours(),
    start=st.dates(date(2027, 1, 1), date(2027, 12, 31)),
    n_days=st.integers(1, 15),
    interval_s=st.sampled_from([900.0, 1800.0, 3600.0]),
)
def test_open_mask_agrees_with_is_open(hours, start, n_days, interval_s):
    opening = OpeningHours.model_validate(hours)
    mask = opening.open_mask(start, n_days, interval_s)
    per_day = int(86400 // interval_s)
    expected = [
        opening.is_open((start.weekday() + i // per_day) % 7, (i % per_day) * interval_s)
        for i in range(n_days * per_day)
    ]
    assert mask.tolist() == expected
    week = opening.open_mask(date(2027, 3, 1), 7, 900.0)  # a Monday
    open_s_per_week = sum(end - start for start, end in filter(None, opening.windows_s))
    assert week.sum() * 900 == open_s_per_week
