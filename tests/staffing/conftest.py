"""Independent references for the staffing tests: mpmath closed forms and a birth-death oracle."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from scipy.linalg import expm, solve

mp.mp.dps = 40


def _erlang_b_mp(agents, load):
    """Erlang B from the Poisson ratio ``pmf(N; A) / cdf(N; A)`` in 40-digit arithmetic."""
    n, a = mp.mpf(agents), mp.mpf(load)
    pmf = mp.exp(n * mp.log(a) - a - mp.loggamma(n + 1))
    return pmf / mp.gammainc(n + 1, a, mp.inf, regularized=True)


def _erlang_c_mp(agents, load, threshold_ratio):
    """Erlang C P(wait), SL and ASA (AHT units) from ``C = N·B / (N − A(1 − B))``."""
    b = _erlang_b_mp(agents, load)
    n, a = mp.mpf(agents), mp.mpf(load)
    c = n * b / (n - a * (1 - b))
    return {
        "p_wait": c,
        "service_level": 1 - c * mp.exp(-(n - a) * threshold_ratio),
        "asa_s": c / (n - a),
    }


def _erlang_a_mp(agents, load, patience_ratio, threshold_ratio):
    """Erlang A from the incomplete-gamma formulas of Mandelbaum and Zeltyn (AHT units)."""
    theta = 1 / mp.mpf(patience_ratio)
    x, y = mp.mpf(agents) / theta, mp.mpf(load) / theta
    b = _erlang_b_mp(agents, load)

    def lower(a, z):
        return mp.gammainc(a, 0, z)

    scale = mp.exp(y) * y ** (-x)
    calA = x * scale * lower(x, y)
    pi_n = b / (1 + (calA - 1) * b)
    p_wait = calA * pi_n
    served_waiting = pi_n * (x / y) * scale * lower(x + 1, y)
    p_abandon = p_wait - served_waiting
    in_time = (1 - p_wait) + pi_n * (x / y) * scale * (
        lower(x + 1, y) - lower(x + 1, y * mp.exp(-theta * threshold_ratio))
    )
    served_wait = mp.quad(
        lambda u: pi_n * (x / y) * scale * lower(x + 1, y * mp.exp(-theta * u)), [0, mp.inf]
    )
    return {
        "p_wait": p_wait,
        "p_abandon": p_abandon,
        "service_level": in_time,
        "answered_sl": in_time / (1 - p_abandon),
        "asa_s": served_wait / (1 - p_abandon),
        "mean_wait_s": p_abandon / theta,
    }


def _birth_death_oracle(agents, load, patience_ratio, threshold_ratio, short_ratio, depth=400):
    """M/M/N+M by brute force: the stationary birth-death chain, truncated ``depth`` states above
    ``N``, and the Markov chain of one arriving caller (callers ahead, served, abandoned).

    Times are in AHT units (μ = 1). Returns P(wait), P(ab), the three service levels and the
    mean wait of answered callers.
    """
    theta = 1.0 / patience_ratio
    deaths = [min(n, agents) + max(n - agents, 0) * theta for n in range(1, agents + depth)]
    pi = np.cumprod([1.0] + [load / d for d in deaths])
    pi /= pi.sum()
    served_state, abandoned_state = depth, depth + 1
    q = np.zeros((depth + 2, depth + 2))
    for ahead in range(depth):
        q[ahead, abandoned_state] += theta
        if ahead == 0:
            q[ahead, served_state] += agents
        else:
            q[ahead, ahead - 1] += agents + ahead * theta
        q[ahead, ahead] = -q[ahead].sum()
    start = np.zeros(depth + 2)
    start[:depth] = pi[agents : agents + depth]
    p_wait = pi[agents:].sum()
    at_threshold = start @ expm(q * threshold_ratio)
    at_short = start @ expm(q * short_ratio)
    transient = -q[:depth, :depth]
    to_served = np.zeros(depth)
    to_served[0] = agents
    p_served_late = start[:depth] @ solve(transient, to_served)
    wait_served = start[:depth] @ solve(transient, solve(transient, to_served))
    p_served = 1.0 - p_wait + p_served_late
    in_time = 1.0 - p_wait + at_threshold[served_state]
    return {
        "p_wait": p_wait,
        "p_abandon": 1.0 - p_served,
        "offered": in_time,
        "answered": in_time / p_served,
        "excl_short_abandons": in_time / (1.0 - at_short[abandoned_state]),
        "asa_s": wait_served / p_served,
    }


@pytest.fixture(scope="session")
def erlang_b_mp():
    return _erlang_b_mp


@pytest.fixture(scope="session")
def erlang_c_mp():
    return _erlang_c_mp


@pytest.fixture(scope="session")
def erlang_a_mp():
    return _erlang_a_mp


@pytest.fixture(scope="session")
def birth_death_oracle():
    return _birth_death_oracle
