"""The engine against queueing theory: Erlang C, Erlang A, Little's law, chat as M/M/2N.

Each check runs R independent replications, estimates the measure in each (customers arriving
after a warm-up, and early enough to be answered before the horizon end) and requires the
analytic value inside the 99 % Student-t confidence interval of the replication means.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

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


def _assert_inside(oracle, estimates, expected):
    for key, value in expected.items():
        _mean, low, high = oracle.mean_ci(estimates[key])
        assert low <= value <= high, f"{key}: analytic {value:.5f}, 99% CI [{low:.5f}, {high:.5f}]"


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


def test_chat_with_concurrency_one_is_distributed_like_phone(single_queue):
    # Replication-level measures (independent across replications) of a phone channel and a
    # one-chat-at-a-time chat channel on their own streams: Welch's t-test must not tell them
    # apart at the 1 % level.
    def measures(name):
        estimates = _estimates(single_queue, 33, 600.0, 180.0, name=name)
        return estimates["mean_wait"], estimates["sl"]

    (phone_wait, phone_sl), (chat_wait, chat_sl) = measures("phone"), measures("chat")
    assert stats.ttest_ind(phone_wait, chat_wait, equal_var=False).pvalue > 0.01
    assert stats.ttest_ind(phone_sl, chat_sl, equal_var=False).pvalue > 0.01


def test_littles_law_on_the_queue(oracle, single_queue):
    differences = []
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
        samples = []
        sampler = np.random.default_rng(r)

        def monitor(env, samples=samples, sampler=sampler, model=model):
            # Poisson sampling times see time averages (PASTA), so the mean is unbiased.
            while True:
                yield env.timeout(sampler.exponential(5.0))
                if env.now >= HORIZON_S:
                    return
                samples.append(model.channels[0].waiting)

        model.env.process(monitor(model.env))
        frame = model.run().log.frame(r, ["phone"])
        queue_time_avg = float(np.mean(samples))
        little = float(np.nansum(frame["wait_s"])) / HORIZON_S  # L = lambda W over the horizon
        differences.append(queue_time_avg - little)
    _mean, low, high = oracle.mean_ci(differences)
    assert low <= 0.0 <= high


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
