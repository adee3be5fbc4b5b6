"""Outcome rates against their configuration, repeat volume, outages, the workforce over time."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from scenarios.errors import InputError
from sim.agents import MONTH_S, WEEK_S, Learning, TeamSpec, workforce_events
from sim.log import add_span
from sim.model import ContactCentre
from sim.specs import ChannelSpec, Dist, ModelInput, Retry
from sim.streams import Streams

HOURS = 6
Z99 = stats.norm.ppf(0.995)
FIXED = Dist("deterministic", 0.0)


def _assert_binomial(successes: int, trials: int, p: float) -> None:
    """``successes / trials`` within the 99 % normal-approximation band of Binomial(trials, p)."""
    half = Z99 * math.sqrt(p * (1 - p) / trials)
    assert abs(successes / trials - p) <= half, (successes, trials, p, half)


def test_fcr_and_escalation_rates_match_configuration(single_queue):
    frame = (
        single_queue(
            40,
            600.0,
            180.0,
            hours=HOURS,
            seed=4,
            replication=0,
            fcr_frac=np.full(HOURS, 0.7),
            escalation_frac=np.full(HOURS, 0.1),
        )
        .run()
        .log.frame(0, ["phone"])
    )
    answered = frame[frame["outcome"] == "answered"]
    _assert_binomial(int(answered["resolved_first_contact"].sum()), len(answered), 0.7)
    _assert_binomial(int(answered["escalated"].sum()), len(answered), 0.1)
    assert (answered.loc[answered["escalated"], "escalation_type"] == "operational").all()


def test_redial_rate_matches_configuration(single_queue):
    redial = Retry(0.5, 60.0, FIXED)
    frame = (
        single_queue(
            29, 600.0, 180.0, hours=HOURS, seed=4, replication=1, patience_s=60.0, redial=redial
        )
        .run()
        .log.frame(1, ["phone"])
    )
    abandoned = frame[(frame["outcome"] == "abandoned") & (frame["end_s"] < HOURS * 3600 - 60)]
    redials = frame[frame["contact_type"] == "redial"]
    _assert_binomial(
        int(abandoned["contact_id"].isin(redials["parent_id"]).sum()), len(abandoned), 0.5
    )
    np.testing.assert_allclose(
        redials["arrival_s"].to_numpy(),
        frame.set_index("contact_id").loc[redials["parent_id"], "end_s"].to_numpy() + 60.0,
    )


def test_repeats_raise_volume_as_fcr_predicts(oracle, single_queue):
    # Each contact is unresolved with 1 - f and comes back with q: in steady state the total
    # volume is lambda / (1 - (1 - f) q) = 1.25 lambda for f = 0.6, q = 0.5.
    repeat = Retry(0.5, 600.0, FIXED)
    ratios = []
    for r in range(8):
        frame = (
            single_queue(
                45,
                600.0,
                180.0,
                hours=HOURS,
                seed=8,
                replication=r,
                fcr_frac=np.full(HOURS, 0.6),
                repeat=repeat,
            )
            .run()
            .log.frame(r, ["phone"])
        )
        window = frame[frame["arrival_s"] >= 2 * 3600.0]
        ratios.append(len(window) / int((window["contact_type"] == "first").sum()))
    _mean, low, high = oracle.mean_ci(ratios)
    assert low <= 1 / (1 - 0.4 * 0.5) <= high


def test_outage_loses_the_capacity_of_its_window(single_queue):
    model = single_queue(35, 600.0, 180.0, hours=4, seed=6, replication=0)
    model_input = model.inp
    inp = ModelInput(
        interval_s=model_input.interval_s,
        n_intervals=4,
        channels=model_input.channels,
        teams=model_input.teams,
        arrivals=model_input.arrivals,
        outages=(("phone", 3600.0, 7200.0),),
    )
    model = ContactCentre(inp, Streams(6, 0)).run()
    frame = model.log.frame(0, ["phone"])
    lost = frame[frame["outcome"] == "not_offered"]
    arrivals = frame["arrival_s"]
    assert lost["arrival_s"].between(3600.0, 7200.0, inclusive="left").all()
    assert len(lost) == int(((arrivals >= 3600.0) & (arrivals < 7200.0)).sum())
    assert abs(len(lost) - 600) <= Z99 * math.sqrt(600)  # Poisson(600) arrivals in the hour
    assert not frame["answer_s"].between(3600.0, 7200.0, inclusive="left").any()
    # The agent log's busy time equals the handling the contact log places in each interval.
    busy = np.zeros(4)
    for answer, end in frame.loc[frame["outcome"] == "answered", ["answer_s", "end_s"]].to_numpy():
        add_span(busy, answer, end, 3600.0)
    np.testing.assert_allclose(model.pools[0].busy[0], busy)
    assert busy[1] < 0.1 * busy[0]  # only the contacts in hand at the failure finish


def _channel(n: int, aht_s: float, **kw) -> ChannelSpec:
    return ChannelSpec(
        name="phone",
        realtime=True,
        is_open=np.ones(n, bool),
        aht_s=np.full(n, aht_s),
        handle=FIXED,
        **kw,
    )


def test_hire_joins_at_production_start_and_learns():
    # One proficient agent and one hire joining at 3600 s (the roster doubles with headcount).
    # Pairs of calls: the longest-idle agent (the proficient one) takes the first, the hire the
    # second, whose handle time is 100 s x (1 + (2 - 1) f) with f = 1 - tenure / 1 week.
    n, interval_s = 24 * 15, 3600.0
    team = TeamSpec(
        name="t",
        channels=("phone",),
        scheduled=np.ones(n),
        headcount=1,
        hire_join_s=(3600.0,),
        learning=Learning(2.0, 0.5, 1.0),
    )
    times = [3600.0, WEEK_S / 2 + 3600.0, 2 * WEEK_S + 3600.0]
    inp = ModelInput(
        interval_s=interval_s,
        n_intervals=n,
        channels=(_channel(n, 100.0),),
        teams=(team,),
        arrivals={"phone": np.array([t + d for t in times for d in (0.0, 0.5)])},
    )
    frame = ContactCentre(inp, Streams(0, 0)).run().log.frame(0, ["phone"])
    assert frame["agent_id"].tolist() == [0, 1] * 3
    np.testing.assert_allclose(frame["handle_s"], [100, 200, 100, 150, 100, 100], rtol=1e-5)


def test_a_team_without_agents_cannot_hire():
    with pytest.raises(InputError, match="headcount 0"):
        TeamSpec(name="t", channels=("p",), scheduled=np.ones(2), headcount=0, hire_join_s=(10.0,))


def test_attrition_removes_agents_at_the_configured_rate():
    a, headcount, horizon_s = 0.3, 400, MONTH_S
    team = TeamSpec(
        name="t",
        channels=("phone",),
        scheduled=np.ones(2),
        headcount=headcount,
        attrition_per_month_frac=a,
    )
    events = workforce_events(team, np.random.default_rng(3), horizon_s)
    leavers = sum(1 for _, kind, _ in events if kind == -1)
    _assert_binomial(leavers, headcount, a)


def test_fixed_headcount_scales_agents_on_duty_with_attrition():
    n, interval_s = 4, 3600.0
    team = TeamSpec(
        name="t",
        channels=("phone",),
        scheduled=np.full(n, 10.0),
        headcount=10,
        attrition_per_month_frac=0.999,
    )
    model = ContactCentre(
        ModelInput(
            interval_s=interval_s,
            n_intervals=n,
            channels=(_channel(n, 10.0),),
            teams=(team,),
            arrivals={},
        ),
        Streams(1, 0),
    ).run()
    pool = model.pools[0]
    leave_s = sorted(
        t
        for t, kind, _ in workforce_events(
            team, Streams(1, 0).rng("attrition", "t"), n * interval_s
        )
        if kind == -1
    )
    expected = np.zeros(n)
    for k in range(10):
        add_span(expected, 0.0, leave_s[k] if k < len(leave_s) else n * interval_s, interval_s)
    np.testing.assert_allclose(pool.staffed, expected)
