"""The engine against queueing theory: Erlang C, Erlang A, Little's law, chat as M/M/2N.

Each check runs R independent replications, estimates the measure in each (customers arriving
after a warm-up, and early enough to be answered before the horizon end) and requires the
analytic value inside the 99 % Student-t confidence interval of the replication means, and that
interval narrow enough to tell a wrong model apart (:data:`POWER`).

A chat channel holding one chat at a time takes the phone code path of the model, so it is not
compared with phone here; the chat machinery is checked with two slots at full speed (M/M/2N).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scenarios.demand import expand
from scenarios.loader import load
from sim import simulate
from sim.specs import Dist

EXAMPLES = Path(__file__).parents[2] / "scenarios" / "examples"
WARMUP_S = 1800.0
MARGIN_S = 1800.0
REPLICATIONS = 30
HOURS = 5
THRESHOLD_S = 20.0
HORIZON_S = HOURS * 3600.0


def _window(frame, hours=HOURS):
    arrival = frame["arrival_s"]
    return frame[(arrival >= WARMUP_S) & (arrival < hours * 3600.0 - MARGIN_S)]


def _estimates(single_queue, agents, per_hour, aht_s, **kw):
    rows = []
    for r in range(REPLICATIONS):
        model = single_queue(agents, per_hour, aht_s, hours=HOURS, seed=7, replication=r, **kw)
        frame = _window(model.run().log.frame(r, [kw.get("name", "phone")]))
        assert (frame["outcome"] != "unfinished").all()
        answered = frame["outcome"] == "answered"
        wait = frame["wait_s"]
        rows.append(
            {
                "p_wait": float((wait > 0).mean()),
                "sl": float((answered & (wait <= THRESHOLD_S)).mean()),
                "mean_wait": float(wait.mean()),
                "p_abandon": float((frame["outcome"] == "abandoned").mean()),
            }
        )
    return {key: [row[key] for row in rows] for key in rows[0]}


POWER = {"sl": 0.05, "p_wait": 0.06, "p_abandon": 0.006}
"""Largest 99 % CI half-width accepted per measure (mean wait: half its value): a check whose
interval is wider cannot tell the model from a wrong one, so it fails instead of passing more
easily. 30 replications of these queues give half-widths of 0.013-0.040 (service level),
0.024-0.047 (P(wait)), 0.004 (P(abandon)) and 35-45 % of the mean wait."""


def _assert_inside(oracle, estimates, expected):
    for key, value in expected.items():
        _mean, low, high = oracle.mean_ci(estimates[key])
        assert low <= value <= high, f"{key}: analytic {value:.5f}, 99% CI [{low:.5f}, {high:.5f}]"
        widest = POWER.get(key, 0.5 * value)
        assert (high - low) / 2 <= widest, f"{key}: 99% CI [{low:.5f}, {high:.5f}] too wide"


def test_mmn_matches_erlang_c(oracle, single_queue):
    # mmn.yaml: 600 calls/h, AHT 180 s (A = 30 Erlang), 35 agents, 20 s threshold
    expected = oracle.erlang_c(35, 600 / 3600, 1 / 180, THRESHOLD_S)
    estimates = _estimates(single_queue, 35, 600.0, 180.0)
    _assert_inside(oracle, estimates, expected)


def test_mmn_with_abandonment_matches_erlang_a(oracle, single_queue):
    # mmn_abandon.yaml: mmn.yaml with exponential patience of mean 120 s
    lam, mu, theta = 600 / 3600, 1 / 180, 1 / 120
    expected = oracle.erlang_a(35, lam, mu, theta, THRESHOLD_S)
    assert expected["p_abandon"] == pytest.approx(oracle.birth_death_abandon(35, lam, mu, theta))
    assert expected["p_abandon"] == pytest.approx(0.022738, abs=5e-6)  # the example's comment
    estimates = _estimates(single_queue, 35, 600.0, 180.0, patience_s=120.0)
    _assert_inside(oracle, estimates, expected)


def test_erlang_c_oracle_reproduces_published_values(oracle):
    got = oracle.erlang_c(14, 10 / 180, 1 / 180, 20.0)
    assert got["p_wait"] == pytest.approx(0.1741319, abs=1e-7)
    assert got["sl"] == pytest.approx(0.88835, abs=1e-5)
    assert got["mean_wait"] == pytest.approx(7.835937, abs=1e-6)


def test_chat_with_two_full_speed_slots_is_mmn_with_twice_the_agents(oracle, single_queue):
    # With speed 1 whatever the number of chats, an agent is two independent servers and the
    # least-loaded routing fills any free slot: the system is M/M/(2N).
    expected = oracle.erlang_c(36, 600 / 3600, 1 / 180, THRESHOLD_S)
    estimates = _estimates(
        single_queue, 18, 600.0, 180.0, name="chat", max_chats=2, speed_by_chats=(1.0, 1.0)
    )
    _assert_inside(oracle, estimates, expected)


def test_littles_law_on_the_queue(oracle, single_queue):
    # The queue the model holds is the queue its log describes: at every sampling moment the
    # number of contacts waiting equals the number whose logged wait covers that moment (exact,
    # no tolerance), so the time-average queue L equals lambda W over the horizon. Sampled at
    # Poisson moments (PASTA), L must also be within 5 % of lambda W: the 99 % interval of the
    # difference must lie inside that band, which a noisier estimate cannot pass.
    differences, little = [], []
    for r in range(10):
        model = single_queue(
            33,
            600.0,
            180.0,
            hours=HOURS,
            seed=11,
            replication=r,
            patience_s=300.0,
            handle=Dist("lognormal", 0.7),
        )
        moments, queue = [], []
        sampler = np.random.default_rng(r)

        def monitor(env, moments=moments, queue=queue, sampler=sampler, model=model):
            while True:
                yield env.timeout(sampler.exponential(1.0))
                if env.now >= HORIZON_S:
                    return
                moments.append(env.now)
                queue.append(model.channels[0].waiting)

        model.env.process(monitor(model.env))
        frame = model.run().log.frame(r, ["phone"])
        arrival = frame["arrival_s"].to_numpy()
        left = np.sort(arrival + frame["wait_s"].to_numpy())
        at = np.asarray(moments)
        logged = np.searchsorted(np.sort(arrival), at, "right") - np.searchsorted(left, at, "right")
        np.testing.assert_array_equal(np.asarray(queue), logged)
        little.append(float(frame["wait_s"].sum()) / HORIZON_S)  # L = lambda W
        differences.append(float(np.mean(queue)) - little[-1])
    _mean, low, high = oracle.mean_ci(differences)
    band = 0.05 * float(np.mean(little))
    assert -band <= low and high <= band, f"99% CI [{low:.4f}, {high:.4f}], band +-{band:.4f}"


@pytest.mark.slow
@pytest.mark.parametrize("example", ["mmn.yaml", "mmn_abandon.yaml"])
def test_examples_match_erlang_over_a_day(oracle, example):
    scenario = load(EXAMPLES / example)
    workload = expand(scenario)
    warmup_s, end_s = scenario.run.warmup_s, workload.n_intervals * workload.interval_s - 1800
    rows = []
    for r in range(40):
        frame = simulate(scenario, r, scenario.run.seed, workload=workload).contacts
        frame = frame[(frame["arrival_s"] >= warmup_s) & (frame["arrival_s"] < end_s)]
        wait = frame["wait_s"]
        rows.append(
            {
                "p_wait": float((wait > 0).mean()),
                "sl": float(((frame["outcome"] == "answered") & (wait <= THRESHOLD_S)).mean()),
                "mean_wait": float(wait.mean()),
                "p_abandon": float((frame["outcome"] == "abandoned").mean()),
            }
        )
    estimates = {key: [row[key] for row in rows] for key in rows[0]}
    lam, mu = 600 / 3600, 1 / 180
    patience = scenario.channels["phone"].patience
    if patience is None:
        expected = oracle.erlang_c(35, lam, mu, THRESHOLD_S)
    else:
        expected = oracle.erlang_a(35, lam, mu, 1 / patience.mean, THRESHOLD_S)
    _assert_inside(oracle, estimates, expected)
