"""Period assignment: calendar weeks from Monday, months, quarters, partial periods."""

import datetime as dt

import numpy as np
import pytest

from scenarios.errors import InputError
from sla_eval.periods import period_index, period_table

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
