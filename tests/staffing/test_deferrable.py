"""Deferrable backlog staffing: deadlines with and without business hours, the fluid flow."""

from __future__ import annotations

import numpy as np
import pytest

from staffing import backlog_on_time, required_backlog_agents
from staffing.deferrable import due_intervals


def _day_open(hours_open, days=2):
    is_open = np.zeros(24 * days, dtype=bool)
    for day in range(days):
        is_open[day * 24 + hours_open[0] : day * 24 + hours_open[1]] = True
    return is_open


def test_business_hours_deadlines_count_open_time_only():
    is_open = _day_open((8, 17))
    due = due_intervals(is_open, interval_s=3600, response_s=7200, business_hours=True)
    assert due[0] == 9  # arrived at night: clock starts 08:00, due 10:00 (end of interval 9)
    assert due[8] == 10  # 08:00-09:00 arrivals due 10:00-11:00
    assert due[16] == 33  # 16:00-17:00 arrivals: one hour today, one tomorrow after 08:00
    assert due[20] == 33
    assert due[40] == 48  # after the last opening of the horizon: nothing asked


def test_wall_clock_deadlines_before_closing_or_at_reopening():
    is_open = _day_open((8, 17))
    due = due_intervals(is_open, interval_s=3600, response_s=7200, business_hours=False)
    assert due[8] == 10
    assert due[15] == 16  # due 18:00 while closed: finish before closing
    assert due[16] == 16
    assert due[20] == 32  # arrived after closing: late anyway, first thing next day
    assert due[6] == 8  # due 09:00 in opening hours


def test_round_the_clock_steady_state_is_the_workload():
    arrivals = np.full(96, 30.0)  # per 15 minutes, 120 s each: 4 agents of work
    is_open = np.ones(96, dtype=bool)
    agents = required_backlog_agents(
        arrivals, 120.0, is_open, interval_s=900, response_s=3600, business_hours=False
    )
    assert (agents[10:80] == 4).all()  # after a ramp-up in which early work is done ahead
    on_time = backlog_on_time(
        arrivals, 120.0, is_open, agents, interval_s=900, response_s=3600, business_hours=False
    )
    assert np.nanmin(on_time) == 1.0
    fewer = backlog_on_time(
        arrivals, 120.0, is_open, agents - 1, interval_s=900, response_s=3600, business_hours=False
    )
    assert np.nanmin(fewer) < 0.5


@pytest.mark.parametrize("business_hours", [True, False])
def test_required_agents_answer_everything_in_time_and_spread_the_backlog(business_hours):
    is_open = _day_open((8, 17), days=3)
    arrivals = np.full(is_open.size, 6.0)
    agents = required_backlog_agents(
        arrivals, 600.0, is_open, interval_s=3600, response_s=7200, business_hours=business_hours
    )
    assert (agents[~is_open] == 0).all()
    on_time = backlog_on_time(
        arrivals, 600.0, is_open, agents, interval_s=3600, response_s=7200,
        business_hours=business_hours,
    )  # fmt: skip
    assert np.nanmin(on_time) == 1.0
    if business_hours:
        # 15 night hours of 6 contacts, 10 minutes each, due by 10:00: 15 agent hours over
        # 08:00-10:00 plus the new arrivals, levelled rather than all in the last hour.
        assert abs(int(agents[32]) - int(agents[33])) <= 1
        assert agents[32] + agents[33] == 17
    late = backlog_on_time(
        arrivals, 600.0, is_open, np.maximum(agents - 1, 0), interval_s=3600, response_s=7200,
        business_hours=business_hours,
    )  # fmt: skip
    assert np.nanmin(late) < 1.0


def test_never_open_asks_nothing():
    is_open = np.zeros(10, dtype=bool)
    due = due_intervals(is_open, interval_s=900, response_s=3600, business_hours=False)
    assert (due == 10).all()
    agents = required_backlog_agents(
        np.ones(10), 300.0, is_open, interval_s=900, response_s=3600, business_hours=True
    )
    assert (agents == 0).all()
