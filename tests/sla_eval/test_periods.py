"""Period assignment: calendar weeks from Monday, months, quarters, partial periods and their
share of the calendar length."""

import datetime as dt

import numpy as np
import pytest

from scenarios.errors import InputError
from sla_eval.periods import (
    period_coverage_frac,
    period_index,
    period_nominal_s,
    period_table,
)

DAY = 86400.0
WED = dt.date(2027, 3, 3)  # a Wednesday


def test_weeks_start_on_monday():
    # Wed 3 Mar is day 0; Mon 8 Mar is day 5: (5 + weekday 2) // 7 = 1;
    # Sun 7 Mar (day 4): (4 + 2) // 7 = 0.
    times = np.array([0.0, 4 * DAY + 86399, 5 * DAY, 12 * DAY])
    assert period_index(times, start=WED, kind="week", interval_s=900).tolist() == [0, 0, 1, 2]


def test_months_and_quarters_follow_the_calendar():
    # From 3 Mar 2027: 29 days later is 1 Apr (next month, next quarter); 30 Jun is still Q2.
    times = np.array([0.0, 28 * DAY, 29 * DAY, (29 + 90) * DAY, (29 + 91) * DAY])
    months = period_index(times, start=WED, kind="month", interval_s=900)
    quarters = period_index(times, start=WED, kind="quarter", interval_s=900)
    assert months.tolist() == [0, 0, 1, 3, 4]
    assert quarters.tolist() == [0, 0, 1, 1, 2]


def test_interval_day_and_horizon():
    times = np.array([0.0, 899.0, 900.0, DAY + 1])
    assert period_index(times, start=WED, kind="interval", interval_s=900).tolist() == [0, 0, 1, 96]
    assert period_index(times, start=WED, kind="day", interval_s=900).tolist() == [0, 0, 0, 1]
    assert period_index(times, start=WED, kind="horizon", interval_s=900).tolist() == [0] * 4


def test_period_table_cuts_weeks_at_the_horizon_and_drops_warmup_periods():
    # 10 days from Wednesday: week 0 = Wed..Sun (5 days), week 1 = Mon..Fri (5 days).
    weeks = period_table(start=WED, kind="week", interval_s=3600, horizon_s=10 * DAY)
    assert weeks["period"].tolist() == [0, 1]
    assert weeks["start_s"].tolist() == [0.0, 5 * DAY]
    assert weeks["end_s"].tolist() == [5 * DAY, 10 * DAY]
    assert str(weeks["period_start"].iloc[0]) == "2027-03-03 00:00:00"
    assert str(weeks["period_start"].iloc[1]) == "2027-03-08 00:00:00"
    # A 2-day warm-up drops days 0 and 1; day 2 (ending at 3 days) stays.
    days = period_table(start=WED, kind="day", interval_s=3600, horizon_s=4 * DAY, warmup_s=2 * DAY)
    assert days["period"].tolist() == [2, 3]


def test_nominal_lengths_follow_the_calendar():
    # From 5 Dec 2027: months Dec 2027 (31 days), Jan 2028 (31), Feb 2028 (leap year: 29), Mar.
    months = period_nominal_s(
        [0, 1, 2, 3], start=dt.date(2027, 12, 5), kind="month", interval_s=900
    )
    assert (months / DAY).tolist() == [31.0, 31.0, 29.0, 31.0]
    # Quarters from Feb 2027: Q1 2027 = 31 + 28 + 31 = 90 days, Q2 = 30 + 31 + 30 = 91,
    # Q3 = 31 + 31 + 30 = 92, Q4 = 31 + 30 + 31 = 92, Q1 2028 = 31 + 29 + 31 = 91.
    quarters = period_nominal_s(
        [0, 1, 2, 3, 4], start=dt.date(2027, 2, 14), kind="quarter", interval_s=900
    )
    assert (quarters / DAY).tolist() == [90.0, 91.0, 92.0, 92.0, 91.0]
    # A week cut by a Wednesday start still has 7 calendar days; a day 86,400 s; an interval.
    assert (
        period_nominal_s([0, 1], start=WED, kind="week", interval_s=900).tolist() == [7 * DAY] * 2
    )
    assert period_nominal_s([3], start=WED, kind="day", interval_s=900).tolist() == [DAY]
    assert period_nominal_s([7], start=WED, kind="interval", interval_s=900).tolist() == [900.0]
    with pytest.raises(InputError, match="calendar length"):
        period_nominal_s([0], start=WED, kind="horizon", interval_s=900)


def test_coverage_of_a_two_day_horizon_in_a_month():
    # 1-2 March 2027: 2 days of March's 31.
    frac = period_coverage_frac(
        start=dt.date(2027, 3, 1), kind="month", interval_s=900, horizon_s=2 * DAY
    )
    assert frac.index.tolist() == [0]
    assert frac.tolist() == [2 / 31]


def test_coverage_of_weeks_from_a_wednesday():
    # 10 days from Wed 3 Mar: week 0 Wed..Sun = 5 of 7 days, week 1 Mon 8..Fri 12 = 5 of 7 days.
    frac = period_coverage_frac(start=WED, kind="week", interval_s=3600, horizon_s=10 * DAY)
    assert frac.index.tolist() == [0, 1]
    assert frac.tolist() == pytest.approx([5 / 7, 5 / 7], rel=1e-15)


def test_a_warmup_cuts_the_first_period():
    # 30 Mar 2027 for 3 days with a 12 h warm-up: March keeps 31 Mar and the afternoon of
    # 30 Mar = 1.5 of 31 days; April has 1 Apr = 1 of 30 days.
    months = period_coverage_frac(
        start=dt.date(2027, 3, 30),
        kind="month",
        interval_s=900,
        horizon_s=3 * DAY,
        warmup_s=DAY / 2,
    )
    assert months.index.tolist() == [0, 1]
    assert months.tolist() == pytest.approx([1.5 / 31, 1 / 30], rel=1e-15)
    # Weeks from Wed 3 Mar with a 1-day warm-up: week 0 keeps Thu..Sun = 4 of 7 days; a
    # 5-day warm-up drops week 0 (it ends at day 5) and leaves week 1 whole.
    weeks = period_coverage_frac(
        start=WED, kind="week", interval_s=3600, horizon_s=12 * DAY, warmup_s=DAY
    )
    assert weeks.tolist() == pytest.approx([4 / 7, 7 / 7], rel=1e-15)
    later = period_coverage_frac(
        start=WED, kind="week", interval_s=3600, horizon_s=12 * DAY, warmup_s=5 * DAY
    )
    assert later.index.tolist() == [1]
    assert later.tolist() == [1.0]


@pytest.mark.parametrize(
    ("kind", "interval_s", "horizon_s", "warmup_s"),
    [
        ("fortnight", 900, DAY, 0),
        ("day", 7 * 60, DAY, 0),
        ("day", 900, DAY + 1, 0),
        ("day", 900, DAY, DAY),
    ],
)
def test_bad_period_arguments_raise_input_error(kind, interval_s, horizon_s, warmup_s):
    with pytest.raises(InputError):
        period_table(
            start=WED, kind=kind, interval_s=interval_s, horizon_s=horizon_s, warmup_s=warmup_s
        )
