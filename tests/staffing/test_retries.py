"""Where retries land on the interval grid, the flows they make, and the fluid backlog."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scenarios.errors import InputError
from staffing.retries import landing_weights, served_flow, spread

INTERVAL_S = 900.0


def test_deterministic_delay_splits_by_the_uniform_start():
    # A contact leaving uniformly within interval 0, back 1.5 intervals later, lands in
    # interval 1 or 2 with probability 1/2 each.
    weights = landing_weights("deterministic", 1.5 * INTERVAL_S, 0.0, interval_s=INTERVAL_S, n=5)
    np.testing.assert_allclose(weights, [0.0, 0.5, 0.5, 0.0, 0.0], atol=1e-12)
    shifted = landing_weights(
        "deterministic", 1.5 * INTERVAL_S, 0.0, interval_s=INTERVAL_S, n=5, shift_s=450.0
    )
    np.testing.assert_allclose(shifted, [0.0, 0.0, 1.0, 0.0, 0.0], atol=1e-12)


def test_exponential_delay_in_closed_form():
    # P(U + D < Δ) = 1 − (m/Δ)(1 − e^(−Δ/m)); each later interval e^(−Δ/m) times the one before
    # from interval 2 on.
    mean = 1800.0
    weights = landing_weights("exponential", mean, 1.0, interval_s=INTERVAL_S, n=40)
    ratio = math.exp(-INTERVAL_S / mean)
    assert weights[0] == pytest.approx(1 - mean / INTERVAL_S * (1 - ratio), rel=1e-12)
    # (differences of the integrated CDF: relative rounding grows in the far tail)
    np.testing.assert_allclose(weights[2:20] / weights[1:19], ratio, rtol=1e-8)
    assert weights.sum() == pytest.approx(1.0 - (1 - ratio) * mean / INTERVAL_S * ratio**39)


@pytest.mark.parametrize(("kind", "cv"), [("gamma", 0.5), ("lognormal", 0.8)])
def test_gamma_and_lognormal_delays_against_sampling(kind, cv):
    mean, shift, n = 7200.0, 300.0, 40
    weights = landing_weights(kind, mean, cv, interval_s=INTERVAL_S, n=n, shift_s=shift)
    rng = np.random.default_rng(3)
    draws = 400_000
    if kind == "gamma":
        delay = rng.gamma(1 / cv**2, mean * cv**2, draws)
    else:
        sigma2 = math.log1p(cv**2)
        delay = rng.lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2), draws)
    landing = np.floor((rng.random(draws) * INTERVAL_S + shift + delay) / INTERVAL_S)
    share = np.bincount(landing.astype(int), minlength=n)[:n] / draws
    error = np.sqrt(weights * (1 - weights) / draws)
    assert np.all(np.abs(share - weights) <= 5 * error + 1e-12)


def test_retries_after_the_horizon_are_lost():
    # P(U + D < T) = 1 − (m/Δ)·e^(−T/m)·(e^(Δ/m) − 1) for a one-day horizon and a mean of a day.
    mean = horizon = 86400.0
    weights = landing_weights("exponential", mean, 1.0, interval_s=INTERVAL_S, n=96)
    inside = 1 - mean / INTERVAL_S * math.exp(-horizon / mean) * math.expm1(INTERVAL_S / mean)
    assert weights.sum() == pytest.approx(inside, rel=1e-12)


def test_spread_is_the_causal_convolution():
    rng = np.random.default_rng(1)
    source, weights = rng.random(300), rng.random(200) / 100
    np.testing.assert_allclose(spread(source, weights), np.convolve(source, weights)[:300])


def test_served_flow_by_hand():
    # Capacity 3 a interval; 5 arrive first, then 1, then none: served 3, 3, 0 wait 0, 2, 0.
    served, backlog = served_flow([5.0, 1.0, 0.0, 4.0], [3.0, 3.0, 0.0, 3.0])
    np.testing.assert_allclose(served, [3.0, 3.0, 0.0, 3.0])
    np.testing.assert_allclose(backlog, [0.0, 2.0, 0.0, 0.0])


def test_bad_delay_is_refused():
    with pytest.raises(InputError, match="delay kind"):
        landing_weights("weibull", 60.0, 1.0, interval_s=INTERVAL_S, n=4)
    with pytest.raises(InputError, match="mean_s must be above 0"):
        landing_weights("exponential", 0.0, 1.0, interval_s=INTERVAL_S, n=4)
