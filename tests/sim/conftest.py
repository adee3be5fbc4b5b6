"""Shared helpers of the simulation tests: analytic oracles, input builders, replication CIs,
the two engines side by side."""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from sim.agents import Agent
from sim.arrivals import arrival_times
from sim.compiled import CompiledModel
from sim.log import agent_frame, outage_frame
from sim.model import ContactCentre
from sim.paid_time import paid_time, trainee_paid_frac
from sim.specs import ChannelSpec, Dist, ModelInput, TeamSpec
from sim.streams import Streams


def _erlang_b(n: int, a: float) -> float:
    """Erlang B by the recursion B_k = A B_{k-1} / (k + A B_{k-1}) (DOMAIN.md)."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def _erlang_c(n: int, lam: float, mu: float, t: float) -> dict[str, float]:
    """M/M/N: C = N B / (N - A (1 - B)); SL = 1 - C exp(-(N mu - lam) t); ASA = C / (N mu - lam)."""
    a = lam / mu
    b = _erlang_b(n, a)
    c = n * b / (n - a * (1.0 - b))
    return {
        "p_wait": c,
        "sl": 1.0 - c * math.exp(-(n * mu - lam) * t),
        "mean_wait": c / (n * mu - lam),
    }


def _log_lower_gamma(s: float, z: float) -> float:
    return math.log(special.gammainc(s, z)) + special.gammaln(s)


def _erlang_a(n: int, lam: float, mu: float, theta: float, t: float) -> dict[str, float]:
    """M/M/N+M (Mandelbaum and Zeltyn; DOMAIN.md): x = N mu / theta, y = lam / theta,
    A(x, y) = x e^y y^-x gamma(x, y), pi_N = E_B / (1 + (A - 1) E_B), P(W > 0) = A pi_N,
    P(Ab) = P(W > 0) - pi_N (x / y) e^y y^-x gamma(x + 1, y), E[W] = P(Ab) / theta,
    P(answered, W <= t)
        = 1 - P(W > 0) + pi_N (x/y) e^y y^-x [gamma(x+1, y) - gamma(x+1, y e^-theta t)].
    """
    x, y = n * mu / theta, lam / theta
    e_b = _erlang_b(n, lam / mu)
    big_a = math.exp(math.log(x) + y - x * math.log(y) + _log_lower_gamma(x, y))
    pi_n = e_b / (1.0 + (big_a - 1.0) * e_b)
    p_wait = big_a * pi_n

    def j(z: float) -> float:
        return math.exp(math.log(x / y) + y - x * math.log(y) + _log_lower_gamma(x + 1.0, z))

    p_ab = p_wait - pi_n * j(y)
    return {
        "p_wait": p_wait,
        "p_abandon": p_ab,
        "mean_wait": p_ab / theta,
        "sl": 1.0 - p_wait + pi_n * (j(y) - j(y * math.exp(-theta * t))),
    }


def _birth_death_abandon(n: int, lam: float, mu: float, theta: float) -> float:
    """P(Ab) = theta E[Q] / lam from the M/M/N+M birth-death chain, truncated far out."""
    size = n + 2000
    log_p = np.zeros(size)
    for k in range(1, size):
        death = min(k, n) * mu + max(k - n, 0) * theta
        log_p[k] = log_p[k - 1] + math.log(lam / death)
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    queue = np.maximum(np.arange(size) - n, 0)
    return theta * float((queue * p).sum()) / lam


def _mean_ci(values, confidence: float = 0.99) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of independent replication estimates."""
    values = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.5 + confidence / 2.0, values.size - 1) * values.std(ddof=1)
    half /= math.sqrt(values.size)
    return float(values.mean()), float(values.mean() - half), float(values.mean() + half)


@pytest.fixture
def oracle():
    return SimpleNamespace(
        erlang_b=_erlang_b,
        erlang_c=_erlang_c,
        erlang_a=_erlang_a,
        birth_death_abandon=_birth_death_abandon,
        mean_ci=_mean_ci,
    )


_EXPONENTIAL = Dist()


def _single_queue(
    agents: float,
    per_hour: float,
    aht_s: float,
    *,
    hours: int,
    seed: int,
    replication: int,
    patience_s: float | None = None,
    handle: Dist = _EXPONENTIAL,
    max_chats: int = 1,
    speed_by_chats: tuple[float, ...] = (1.0,),
    name: str = "phone",
    **channel,
) -> ContactCentre:
    """One realtime channel, one team with a constant roster, Poisson arrivals (not run yet)."""
    n, interval_s = hours, 3600.0
    spec = ChannelSpec(
        name=name,
        realtime=True,
        is_open=np.ones(n, bool),
        aht_s=np.full(n, aht_s),
        handle=handle,
        patience_mean_s=None if patience_s is None else np.full(n, patience_s),
        max_chats=max_chats,
        speed_by_chats=speed_by_chats,
        **channel,
    )
    team = TeamSpec(name="team", channels=(name,), scheduled=np.full(n, float(agents)))
    streams = Streams(seed, replication)
    times = arrival_times(np.full(n, per_hour), interval_s, streams.rng("arrivals", name))
    inp = ModelInput(
        interval_s=interval_s,
        n_intervals=n,
        channels=(spec,),
        teams=(team,),
        arrivals={name: times},
    )
    return ContactCentre(inp, streams)


@pytest.fixture
def single_queue():
    return _single_queue


# --- the two engines side by side (tests/sim/test_engine_*.py) ----------------------------------


class _CountingCentre(ContactCentre):
    """The SimPy model, noting every hand-back of contacts at an end of duty as ``(time, number
    of contacts)``, so that a differential test can check that its trace exercised one."""

    def __init__(self, inp: ModelInput, streams: Streams):
        self.handed_back: list[tuple[float, int]] = []
        super().__init__(inp, streams)

    def _hand_back(self, agent: Agent, now: float) -> None:
        if agent.contacts:
            self.handed_back.append((now, len(agent.contacts)))
        super()._hand_back(agent, now)


@dataclass(frozen=True)
class EngineRun:
    """The three log tables both engines gave (equal), and the SimPy model that ran."""

    contacts: pd.DataFrame
    agents: pd.DataFrame
    outages: pd.DataFrame
    model: _CountingCentre


def _engine_tables(
    model: ContactCentre | CompiledModel,
    inp: ModelInput,
    seed: int,
    replication: int,
    training_s: float,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The log tables of a model that ran, as ``sim.runner.simulate`` builds them (the agent
    table with each team's paid time, hires in training ``training_s`` before they join)."""
    names = [c.name for c in inp.channels]
    usage = [
        (pool.name, pool.spec.channels, pool.staffed, pool.busy, pool.overtime)
        for pool in model.pools
    ]
    paid = [
        paid_time(
            pool.spec,
            Streams(seed, replication),
            interval_s=inp.interval_s,
            n_intervals=inp.n_intervals,
            training_s=training_s,
            trainee_frac=_TRAINEE_FRAC,
        )
        for pool in model.pools
    ]
    assert model.log is not None
    return (
        model.log.frame(replication, names),
        agent_frame(replication, inp.interval_s, usage, paid),
        outage_frame(replication, model.outage_rows, names),
    )


_TRAINEE_FRAC = trainee_paid_frac(165.0)


def _same_logs(
    inp: ModelInput, seed: int = 0, replication: int = 0, *, training_s: float = 0.0
) -> EngineRun:
    """Run ``inp`` in both engines on the same streams; assert that the contact, agent (paid
    time included) and outage tables are equal to the last bit; return them."""
    simpy_model = _CountingCentre(inp, Streams(seed, replication)).run()
    numba_model = CompiledModel(inp, Streams(seed, replication)).run()
    simpy_tables = _engine_tables(simpy_model, inp, seed, replication, training_s)
    numba_tables = _engine_tables(numba_model, inp, seed, replication, training_s)
    for simpy_table, numba_table in zip(simpy_tables, numba_tables, strict=True):
        pd.testing.assert_frame_equal(simpy_table, numba_table, check_exact=True)
    return EngineRun(*simpy_tables, model=simpy_model)


@pytest.fixture
def same_logs():
    """:func:`_same_logs`: both engines on one input, their logs held equal."""
    return _same_logs
