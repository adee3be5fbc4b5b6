"""Paid time per interval: the roster scaled by the headcount, hires in training, hires, by hand."""

import numpy as np
import pytest

from sim.agents import MONTH_S, TeamSpec
from sim.paid_time import paid_time, trainee_paid_frac
from sim.streams import Streams

HOUR = 3600.0


def _team(**changes) -> TeamSpec:
    fields = {
        "name": "voice",
        "channels": ("phone",),
        "scheduled": np.full(4, 10.0),
        "headcount": 10,
        "hire_join_s": (1.5 * HOUR, 3 * HOUR),
    }
    return TeamSpec(**{**fields, **changes})


def _paid(spec: TeamSpec):
    return paid_time(
        spec, Streams(0, 0), interval_s=HOUR, n_intervals=4, training_s=2 * HOUR, trainee_frac=0.25
    )


def test_a_team_without_a_headcount_is_paid_its_roster():
    spec = TeamSpec(name="auto", channels=("phone",), scheduled=np.array([3.0, 5.0, 0.0, 2.0]))
    paid = _paid(spec)
    assert paid.paid_s.tolist() == [3 * HOUR, 5 * HOUR, 0.0, 2 * HOUR]
    assert paid.training_s.tolist() == [0.0] * 4 and paid.hires.tolist() == [0.0] * 4


def test_hires_raise_the_paid_roster_and_are_paid_while_training():
    paid = _paid(_team())
    # H(t) = 10 until the first hire joins at 1.5 h, 11 until 3 h, then 12; the roster of 10
    # scheduled agents for a headcount of 10 pays 10 * H(t) / 10 agents:
    # [0, 1 h): 10 h; [1, 2 h): 0.5 * 10 + 0.5 * 11 = 10.5 h; [2, 3 h): 11 h; [3, 4 h): 12 h.
    assert paid.paid_s / HOUR == pytest.approx([10.0, 10.5, 11.0, 12.0])
    # Training 2 h before the join, paid a quarter of the time: hire 1 trains from -0.5 h to
    # 1.5 h (1 h + 0.5 h inside), hire 2 from 1 h to 3 h (1 h + 1 h).
    assert paid.training_s / HOUR == pytest.approx([0.25, 0.375, 0.25, 0.0])
    # Hire 1 started training before the horizon; hire 2 in interval 1.
    assert paid.hires.tolist() == [0.0, 1.0, 0.0, 0.0]


def test_a_hire_over_the_cap_is_neither_employed_nor_trained_and_a_late_one_is():
    # The cap of 11 refuses the second hire; a third joins after the 4 h horizon (at 4.5 h) and
    # trains from 2.5 h inside it: the cap at the horizon end (11 employed) leaves no room.
    capped = _paid(_team(max_headcount=11, hire_join_s=(1.5 * HOUR, 3 * HOUR, 4.5 * HOUR)))
    assert capped.paid_s / HOUR == pytest.approx([10.0, 10.5, 11.0, 11.0])
    assert capped.training_s / HOUR == pytest.approx([0.25, 0.125, 0.0, 0.0])
    late = _paid(_team(hire_join_s=(1.5 * HOUR, 4.5 * HOUR)))
    assert late.training_s / HOUR == pytest.approx([0.25, 0.125, 0.125, 0.25])
    assert late.hires.tolist() == [0.0, 0.0, 1.0, 0.0]


def test_attrition_lowers_the_paid_roster_by_the_share_employed():
    # 400 employees at 20 % a month over a 30.4375-day month: E[H(t)] / H0 = exp(-rate * t).
    n = 30
    spec = _team(
        scheduled=np.full(n, 400.0), headcount=400, attrition_per_month_frac=0.2, hire_join_s=()
    )
    interval_s = MONTH_S / n
    mid = (np.arange(n) + 0.5) * interval_s
    expected = 400.0 * np.exp(np.log(0.8) * mid / MONTH_S) * interval_s
    runs = [
        paid_time(spec, Streams(3, r), interval_s=interval_s, n_intervals=n).paid_s
        for r in range(20)
    ]
    mean = np.mean(runs, axis=0)
    # the month's total: 20 replications of 400 exponential leaves, binomial share sd
    # sqrt(0.2 * 0.8 / 400 / 20) = 0.45 % at the end, less on average: 1 % is over 3 sd
    assert mean.sum() == pytest.approx(expected.sum(), rel=0.01)
    assert np.all(np.diff(mean) <= 1e-9)


def test_a_trainee_is_paid_the_hours_of_a_full_timer():
    # 160 paid hours a month of 730.5 hours: 21.9 % of the time
    assert trainee_paid_frac(160.0) == pytest.approx(160.0 / 730.5)


def test_a_dropout_is_paid_until_it_leaves_and_a_release_ends_the_last_hire():
    # One dropout trains from 0.5 h and leaves at 2 h; a release at 3.5 h ends the employment
    # of the hire who joined at 3 h (last in, first out).
    spec = _team(dropout_s=((0.5 * HOUR, 2 * HOUR),), release_s=(3.5 * HOUR,))
    paid = _paid(spec)
    # paid roster: H = 10, 11 from 1.5 h, 12 from 3 h, 11 from 3.5 h
    assert paid.paid_s / HOUR == pytest.approx([10.0, 10.5, 11.0, 11.5])
    # trainees: the two hires as before plus the dropout over [0.5, 2) h, a quarter paid
    assert paid.training_s / HOUR == pytest.approx([0.25 + 0.125, 0.375 + 0.25, 0.25, 0.0])
    assert paid.hires.tolist() == [1.0, 1.0, 0.0, 0.0]
