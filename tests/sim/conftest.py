"""Shared helpers of the simulation tests: analytic oracles, input builders, replication CIs."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import special, stats

from sim.arrivals import arrival_times
from sim.model import ContactCentre
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
