"""End of duty: ``finish_contact`` (overtime) and ``hand_back`` (an exact roster), event by event,
and the time-varying M_t/M/s_t queue against its Kolmogorov forward equations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from sim.arrivals import arrival_times
from sim.model import ContactCentre
from sim.specs import ChannelSpec, Dist, ModelInput, TeamSpec
from sim.streams import Streams

FIXED = Dist("deterministic", 0.0)
NAN = math.nan
INTERVAL_S = 900.0


def _run(roster, arrivals, *, end_of_duty, work_s=2000.0, patience_s=None) -> ContactCentre:
    n = len(roster)
    channel = ChannelSpec(
        name="phone",
        realtime=True,
        is_open=np.ones(n, bool),
        aht_s=np.full(n, work_s),
        handle=FIXED,
        patience=FIXED,
        patience_mean_s=None if patience_s is None else np.full(n, patience_s),
    )
    team = TeamSpec(
        name="team",
        channels=("phone",),
        scheduled=np.asarray(roster, float),
        end_of_duty=end_of_duty,
    )
    inp = ModelInput(
        interval_s=INTERVAL_S,
        n_intervals=n,
        channels=(channel,),
        teams=(team,),
        arrivals={"phone": np.asarray(arrivals, float)},
    )
    return ContactCentre(inp, Streams(0, 0)).run()


def _log(model: ContactCentre):
    frame = model.log.frame(0, ["phone"])
    return frame[["arrival_s", "answer_s", "end_s", "wait_s", "outcome"]].astype({"outcome": str})


def test_finish_contact_works_past_the_end_of_duty_as_overtime():
    # One agent on duty in intervals 0, 2, 3; a 2,000 s contact from 100 s runs to 2,100 s. The
    # agent is off duty from 900 s to 1,800 s, when the roster calls it back: 900 s overtime.
    model = _run([1, 0, 1, 1], [100.0], end_of_duty="finish_contact")
    row = _log(model).iloc[0]
    assert (row["answer_s"], row["end_s"], row["outcome"]) == (100.0, 2100.0, "answered")
    pool = model.pools[0]
    np.testing.assert_allclose(pool.overtime[0], [0, 900, 0, 0])
    np.testing.assert_allclose(pool.staffed, [900, 900, 900, 900])


def test_hand_back_returns_the_contact_with_its_remaining_work():
    # At 900 s the contact goes back to the head of the queue with 1,200 s of work left; nobody
    # is on duty until 1,800 s, when it resumes: it ends at 3,000 s, first answered at 100 s.
    model = _run([1, 0, 1, 1], [100.0], end_of_duty="hand_back")
    row = _log(model).iloc[0]
    assert (row["answer_s"], row["end_s"], row["wait_s"]) == (100.0, 3000.0, 0.0)
    pool = model.pools[0]
    np.testing.assert_allclose(pool.overtime[0], 0.0)
    np.testing.assert_allclose(pool.staffed, [900, 0, 900, 900])
    np.testing.assert_allclose(pool.busy[0], [800, 0, 900, 300])


def test_idle_agents_leave_first_with_hand_back():
    # Two agents, one busy from 10 s for 1,500 s; at 900 s the roster drops to one. With
    # hand_back the idle agent leaves and the contact is not interrupted; finish_contact sends
    # the agent on duty longest (the busy one) off and it works 610 s overtime.
    handed = _run([2, 1], [10.0], end_of_duty="hand_back", work_s=1500.0)
    finished = _run([2, 1], [10.0], end_of_duty="finish_contact", work_s=1500.0)
    assert _log(handed)["end_s"].iloc[0] == _log(finished)["end_s"].iloc[0] == 1510.0
    assert handed.pools[0].overtime.sum() == 0.0
    assert finished.pools[0].overtime.sum() == 610.0
    np.testing.assert_allclose(handed.pools[0].staffed, [1800, 900])


def test_a_handed_back_contact_does_not_abandon_and_the_waiting_one_does():
    # One agent; A (at 50 s) is answered, B (at 60 s) waits with patience 1,000 s. A is handed
    # back at 900 s; B gives up at 1,060 s; A resumes at 1,800 s and ends at 1,800 + 1,150.
    model = _run([1, 0, 1, 1], [50.0, 60.0], end_of_duty="hand_back", patience_s=1000.0)
    log = _log(model)
    assert log["outcome"].tolist() == ["answered", "abandoned"]
    assert (log["answer_s"].iloc[0], log["end_s"].iloc[0]) == (50.0, 2950.0)
    assert log["end_s"].iloc[1] == 1060.0


def test_a_handed_back_contact_waiting_at_the_horizon_end_finishes_in_the_drain():
    model = _run([1, 0], [100.0], end_of_duty="hand_back")
    row = _log(model).iloc[0]
    assert (row["answer_s"], row["end_s"], row["outcome"]) == (100.0, 3000.0, "answered")


# --- M_t/M/s_t against the Kolmogorov forward equations ---------------------------------------

HOUR_S = 3600.0
RATE_PER_H = np.array([20, 30, 45, 60, 60, 50, 40, 55, 35, 25, 30, 20], float)
AGENTS = np.array([14, 16, 22, 30, 33, 27, 25, 28, 20, 14, 16, 12])
MU_PER_H = 2.0  # exponential work of 30 minutes


def _forward_p_wait(rates, agents, mu) -> np.ndarray:
    """Per hour, the arrival-weighted P(N(t) ≥ s(t)) of the M_t/M/s_t birth-death chain, from
    its Kolmogorov forward equations ``p_n' = λ p_{n−1} + d_{n+1} p_{n+1} − (λ + d_n) p_n``,
    ``d_n = min(n, s)·μ`` (preemptive: at a roster drop the excess customers wait), empty at 0
    (scipy ``solve_ivp``, hour by hour; PASTA within an hour of constant rate)."""
    size = 200
    n = np.arange(size)
    p = np.zeros(size)
    p[0] = 1.0
    out = []
    for rate, servers in zip(rates, agents, strict=True):
        death = np.minimum(n, servers) * mu

        def forward(_t, q, rate=rate, death=death):
            flow = -(rate + death) * q
            flow[1:] += rate * q[:-1]
            flow[:-1] += death[1:] * q[1:]
            flow[-1] += rate * q[-1]  # truncation: nothing leaves the top state
            return flow

        times = np.linspace(0.0, 1.0, 121)
        solution = integrate.solve_ivp(
            forward, (0.0, 1.0), p, t_eval=times, rtol=1e-10, atol=1e-13, method="LSODA"
        )
        busy = solution.y[servers:].sum(axis=0)
        out.append(integrate.trapezoid(busy, times))
        p = solution.y[:, -1]
    return np.array(out)


def _simulated_waits(replication: int) -> tuple[np.ndarray, np.ndarray]:
    """Per hour, the arrivals that waited and all arrivals of one replication."""
    n = RATE_PER_H.size
    channel = ChannelSpec(
        name="phone", realtime=True, is_open=np.ones(n, bool), aht_s=np.full(n, 1800.0)
    )
    team = TeamSpec(
        name="team", channels=("phone",), scheduled=AGENTS.astype(float), end_of_duty="hand_back"
    )
    streams = Streams(5, replication)
    times = arrival_times(RATE_PER_H, HOUR_S, streams.rng("arrivals", "phone"))
    inp = ModelInput(
        interval_s=HOUR_S,
        n_intervals=n,
        channels=(channel,),
        teams=(team,),
        arrivals={"phone": times},
    )
    frame = ContactCentre(inp, streams).run().log.frame(replication, ["phone"])
    hour = (frame["arrival_s"] // HOUR_S).astype(int).to_numpy()
    waited = np.bincount(hour, weights=(frame["wait_s"] > 0).to_numpy(float), minlength=n)
    return waited, np.bincount(hour, minlength=n).astype(float)


def test_time_varying_delay_probability_matches_the_forward_equations():
    replications = 300
    pairs = [_simulated_waits(r) for r in range(replications)]
    waited, arrived = (np.array([pair[k] for pair in pairs]) for k in (0, 1))
    # The arrival-weighted delay probability of each hour, Σ waited / Σ arrived over the
    # replications, with its delta-method standard error (a ratio of means).
    ratio = waited.sum(axis=0) / arrived.sum(axis=0)
    residual = waited - ratio * arrived
    se = residual.std(axis=0, ddof=1) / np.sqrt(replications) / arrived.mean(axis=0)
    exact = _forward_p_wait(RATE_PER_H, AGENTS, MU_PER_H)
    # 95 % CI per hour, Bonferroni over the 12 hours.
    z = stats.norm.ppf(1 - 0.05 / (2 * RATE_PER_H.size))
    assert np.all(np.abs(ratio - exact) <= z * se), (ratio.round(3), exact.round(3))
    # SIPP would be far off where the roster lags the load: the transient matters.
    assert exact.max() - exact.min() > 0.3


@pytest.mark.parametrize("end_of_duty", ["finish_contact", "hand_back"])
def test_the_roster_cap_differs_only_with_hand_back(end_of_duty):
    # Staffed agent-seconds never exceed the roster with hand_back; finish_contact works past it.
    n = RATE_PER_H.size
    channel = ChannelSpec(
        name="phone", realtime=True, is_open=np.ones(n, bool), aht_s=np.full(n, 1800.0)
    )
    team = TeamSpec(
        name="team", channels=("phone",), scheduled=AGENTS.astype(float), end_of_duty=end_of_duty
    )
    streams = Streams(5, 0)
    times = arrival_times(RATE_PER_H, HOUR_S, streams.rng("arrivals", "phone"))
    inp = ModelInput(
        interval_s=HOUR_S,
        n_intervals=n,
        channels=(channel,),
        teams=(team,),
        arrivals={"phone": times},
    )
    pool = ContactCentre(inp, streams).run().pools[0]
    over = pool.staffed - AGENTS * HOUR_S
    if end_of_duty == "hand_back":
        assert np.all(over <= 1e-6) and pool.overtime.sum() == 0.0
    else:
        assert pool.overtime.sum() > 0.0
        np.testing.assert_allclose(over.clip(0), pool.overtime[0], atol=1e-6)
