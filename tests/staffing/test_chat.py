"""Chat with concurrency: limits that are Erlang C/A, a brute-force chain, the staffing search."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.errors import InputError
from staffing import chat_metrics, erlang_metrics, required_chat_agents

MEASURES = ["p_wait", "service_level", "asa_s", "occupancy", "p_abandon", "mean_wait_s"]


@pytest.mark.parametrize("patience_s", [None, 90.0])
def test_one_chat_at_a_time_is_erlang(patience_s):
    args = (300.0, 240.0, [18, 21, 25])
    chat = chat_metrics(*args, speed_by_chats=[1.0], threshold_s=60, patience_s=patience_s)
    erlang = erlang_metrics(*args, threshold_s=60, patience_s=patience_s)
    np.testing.assert_allclose(chat[MEASURES], erlang[MEASURES], rtol=1e-13)


def test_full_speed_slots_are_independent_servers():
    chat = chat_metrics(300.0, 240.0, [7, 9], speed_by_chats=[1.0, 1.0, 1.0], threshold_s=30)
    erlang = erlang_metrics(300.0, 240.0, [21, 27], threshold_s=30)
    np.testing.assert_allclose(chat[MEASURES], erlang[MEASURES], rtol=1e-12)


def _chat_chain(agents, load, speeds, patience_ratio, depth=600):
    """Stationary distribution of the balanced chat chain by brute force (μ = 1)."""
    slots = agents * len(speeds)

    def departures(n):
        if n >= slots:
            return agents * len(speeds) * speeds[-1] + (n - slots) / patience_ratio
        q, r = divmod(n, agents)
        rate = (agents - r) * q * (speeds[q - 1] if q else 0.0)
        return rate + (r * (q + 1) * speeds[q] if r else 0.0)

    weights = np.cumprod([1.0] + [load / departures(n) for n in range(1, slots + depth)])
    pi = weights / weights.sum()
    queue = np.arange(pi.size) - slots
    return {
        "p_wait": pi[slots:].sum(),
        "p_abandon": (pi[slots:] * queue[slots:]).sum() / patience_ratio / load,
    }


@pytest.mark.parametrize(("agents", "load"), [(3, 5.0), (6, 12.0), (10, 30.0)])
def test_matches_brute_force_chain(agents, load):
    speeds, aht_s, patience_s = [1.0, 0.8, 0.6], 300.0, 150.0
    got = chat_metrics(
        load * 3600 / aht_s, aht_s, agents, speed_by_chats=speeds, patience_s=patience_s
    ).iloc[0]
    want = _chat_chain(agents, load, speeds, patience_s / aht_s)
    assert got["p_wait"] == pytest.approx(want["p_wait"], rel=1e-10)
    assert got["p_abandon"] == pytest.approx(want["p_abandon"], rel=1e-10)
    assert got["mean_wait_s"] == pytest.approx(want["p_abandon"] * patience_s, rel=1e-10)


@pytest.mark.parametrize("patience_s", [None, 120.0])
def test_required_chat_agents_is_the_smallest_meeting_the_target(patience_s):
    rng = np.random.default_rng(3)
    rate = rng.uniform(1.0, 400.0, 300)
    speeds = [1.0, 0.75, 0.6]
    found = required_chat_agents(
        rate, 480.0, speed_by_chats=speeds, target_sl=0.8, threshold_s=60, patience_s=patience_s
    )
    table = chat_metrics(
        np.concatenate([rate, rate]),
        480.0,
        np.concatenate([found, found - 1]),
        speed_by_chats=speeds,
        threshold_s=60,
        patience_s=patience_s,
    )
    level = table["service_level"].to_numpy()
    assert (level[: rate.size] >= 0.8).all()
    assert (level[rate.size :] < 0.8).all()


@pytest.mark.parametrize(
    ("speeds", "message"),
    [
        ([0.9, 0.8], "must start with 1.0"),
        ([1.0, 0.4], "must not lower"),
        ([1.0, 1.2], "at most 1"),
    ],
)
def test_bad_speeds(speeds, message):
    with pytest.raises(InputError, match=message):
        chat_metrics(100, 300, 4, speed_by_chats=speeds)


def _simulated_chat(agents, per_hour, aht_s, patience_s, speeds, replications, hours=24):
    """Replication estimates of P(wait), SL(60 s) and P(ab) from the SimPy engine."""
    from sim.arrivals import arrival_times
    from sim.model import ContactCentre
    from sim.specs import ChannelSpec, ModelInput, TeamSpec
    from sim.streams import Streams

    rows = []
    for replication in range(replications):
        spec = ChannelSpec(
            name="chat",
            realtime=True,
            is_open=np.ones(hours, bool),
            aht_s=np.full(hours, aht_s),
            patience_mean_s=np.full(hours, patience_s),
            max_chats=len(speeds),
            speed_by_chats=tuple(speeds),
        )
        team = TeamSpec(name="team", channels=("chat",), scheduled=np.full(hours, float(agents)))
        streams = Streams(11, replication)
        times = arrival_times(np.full(hours, per_hour), 3600.0, streams.rng("arrivals", "chat"))
        model_input = ModelInput(
            interval_s=3600.0,
            n_intervals=hours,
            channels=(spec,),
            teams=(team,),
            arrivals={"chat": times},
        )
        frame = ContactCentre(model_input, streams).run().log.frame(replication, ["chat"])
        frame = frame[(frame["arrival_s"] >= 1800.0) & (frame["arrival_s"] < hours * 3600 - 1800)]
        answered = frame["outcome"] == "answered"
        rows.append(
            [
                (frame["wait_s"] > 0).mean(),
                (answered & (frame["wait_s"] <= 60.0)).mean(),
                (frame["outcome"] == "abandoned").mean(),
            ]
        )
    return np.array(rows)


@pytest.mark.slow
@pytest.mark.parametrize(("agents", "per_hour"), [(5, 60.0), (10, 150.0)])
def test_balanced_chat_model_against_the_simulation(agents, per_hour):
    # The balanced birth-death model is slightly optimistic (see staffing.chat): it must stay
    # within the 99 % confidence interval of 60 simulated days widened by 1.5 points.
    speeds = [1.0, 0.75, 0.6]
    estimates = _simulated_chat(agents, per_hour, 480.0, 120.0, speeds, replications=60)
    mean = estimates.mean(axis=0)
    half = 2.66 * estimates.std(axis=0, ddof=1) / np.sqrt(len(estimates))
    model = chat_metrics(
        per_hour, 480.0, agents, speed_by_chats=speeds, threshold_s=60, patience_s=120
    ).iloc[0]
    got = np.array([model["p_wait"], model["service_level"], model["p_abandon"]])
    assert (np.abs(got - mean) <= half + 0.015).all(), (got, mean, half)
