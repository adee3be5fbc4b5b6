"""The estimators on synthetic data of known law: the family chosen, and the coverage of their
95 % intervals over many samples, held to the 99.9 % binomial band around 95 %."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from calibrate.handle_time import fit_handle_time
from calibrate.intraday import fit_intraday
from calibrate.patience import censored_exponential_mean, fit_patience, naive_mean
from calibrate.retry import Linkage, fit_returns
from calibrate.staffing_log import span_seconds
from calibrate.volume import fit_day_model, pooled_day_cv

REPEATS = 120


def _coverage_is_plausible(hits: int, repeats: int = REPEATS, level: float = 0.95) -> bool:
    low, high = stats.binom.ppf([0.0005, 0.9995], repeats, level)
    return low <= hits <= high


def _sample(family: str, mean: float, cv: float, n: int, rng) -> np.ndarray:
    if family == "lognormal":
        sigma2 = math.log1p(cv * cv)
        return rng.lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2), n)
    if family == "gamma":
        return rng.gamma(1 / cv**2, mean * cv**2, n)
    return rng.exponential(mean, n)


@pytest.mark.parametrize(
    ("family", "cv"), [("lognormal", 0.8), ("gamma", 0.5), ("exponential", 1.0)]
)
def test_handle_time_family_and_interval_coverage(family, cv):
    rng = np.random.default_rng(3)
    mean = 240.0
    fits = [fit_handle_time(_sample(family, mean, cv, 400, rng)) for _ in range(REPEATS)]
    chosen = sum(fit.distribution == family for fit in fits)
    assert chosen >= 0.8 * REPEATS
    right = [fit for fit in fits if fit.distribution == family]
    assert _coverage_is_plausible(sum(f.mean_s.covers(mean) for f in right), len(right))
    if family != "exponential":
        assert _coverage_is_plausible(sum(f.cv.covers(cv) for f in right), len(right))


def test_patience_censored_mle_covers_and_the_naive_mean_does_not():
    rng = np.random.default_rng(4)
    mean = 150.0
    hits = naive_hits = 0
    for _ in range(REPEATS):
        patience = rng.exponential(mean, 3000)
        wait_offered = rng.exponential(40.0, 3000)  # the wait an agent would take
        abandoned = patience < wait_offered
        wait = np.minimum(patience, wait_offered)
        hits += censored_exponential_mean(wait, abandoned).covers(mean)
        naive_hits += naive_mean(wait[abandoned]).covers(mean)
    assert _coverage_is_plausible(hits)
    assert naive_hits == 0


def test_lognormal_patience_is_found_by_aic():
    rng = np.random.default_rng(5)
    sigma2 = math.log1p(1.5**2)
    patience = rng.lognormal(math.log(200) - sigma2 / 2, math.sqrt(sigma2), 20000)
    offered = rng.exponential(300.0, 20000)
    fit = fit_patience(np.minimum(patience, offered), patience < offered)
    assert fit.distribution == "lognormal"
    assert fit.lognormal_mean_s.low < 200 < fit.lognormal_mean_s.high * 1.2


def test_day_model_recovers_week_volume_and_day_cv():
    rng = np.random.default_rng(6)
    weights = np.array([1.3, 1.1, 1.0, 1.0, 0.9, 0.5])
    days = np.arange(48)
    weekday = days % 6
    mu = 4000 * weights[weekday] / weights.sum()
    per_week = cv_hits = pooled_hits = 0
    for _ in range(40):
        models = []
        for scale in (0.5, 1.0):
            counts = rng.poisson(scale * mu * rng.gamma(100, 0.01, days.size))
            models.append(fit_day_model(counts, weekday, days, reference_day=days.mean()))
        per_week += models[1].per_week.covers(4000)
        cv_hits += models[1].day_cv.covers(0.1)
        pooled_hits += pooled_day_cv(models).covers(0.1)
    for hits in (per_week, cv_hits, pooled_hits):
        assert _coverage_is_plausible(hits, 40)


def test_poisson_days_give_a_cv_interval_from_zero():
    rng = np.random.default_rng(7)
    days = np.arange(42)
    model = fit_day_model(rng.poisson(np.full(42, 300.0)), days % 7, days, reference_day=20.5)
    assert model.day_cv.low == 0.0 and model.day_cv.high < 0.1


def test_intraday_profile_with_different_windows_per_weekday():
    rng = np.random.default_rng(8)
    hourly = np.zeros(24)
    hourly[8:20] = np.linspace(1, 3, 12)
    p = hourly / hourly.sum()
    n_days, per_hour = 56, 4
    open_mask = np.zeros((n_days, 24 * per_hour), dtype=bool)
    for day in range(n_days):
        first, last = (8, 20) if day % 7 < 5 else (10, 14)
        open_mask[day, first * per_hour : last * per_hour] = True
    rate = np.repeat(p / per_hour, per_hour) * 1500 * open_mask
    counts = rng.poisson(rate)
    profile = fit_intraday(counts, open_mask, np.random.default_rng(0))
    estimates = profile.weights
    misses = sum(not estimates[h].covers(p[h]) for h in range(8, 20))
    assert misses <= stats.binom.ppf(0.999, 12, 0.05)
    assert all(estimates[h].value == 0 for h in (*range(8), *range(20, 24)))


def test_cure_model_for_returns():
    rng = np.random.default_rng(9)
    hits_p = hits_delay = 0
    day = 86400.0
    for _ in range(60):
        n = 4000
        end = rng.uniform(0, 30 * day, n)
        comes_back = rng.random(n) < 0.3
        back_at = end + rng.exponential(day, n)
        seen = comes_back & (back_at < 30 * day)
        contacts = pd.DataFrame(
            {
                "arrival_s": np.r_[end - 60, back_at[seen]],
                "end_s": np.r_[end, back_at[seen] + 60],
                "channel": pd.Categorical(["phone"] * (n + seen.sum())),
            }
        )
        next_row = np.full(len(contacts), -1)
        next_row[np.flatnonzero(seen)] = n + np.arange(seen.sum())
        linkage = Linkage(next_row, np.r_[np.zeros(n, bool), np.ones(seen.sum(), bool)])
        parents = np.r_[np.ones(n, bool), np.zeros(seen.sum(), bool)]
        fit = fit_returns(contacts, linkage, parents, window_s=7 * day, log_end_s=30 * day)
        hits_p += fit.probability.covers(0.3)
        hits_delay += fit.delay_mean_s.covers(day)
    assert _coverage_is_plausible(hits_p, 60)
    assert _coverage_is_plausible(hits_delay, 60)


def test_span_seconds_against_a_loop():
    rng = np.random.default_rng(10)
    starts = rng.uniform(0, 3600, 200)
    ends = starts + rng.exponential(300, 200)
    got = span_seconds(starts, ends, 8, 600.0)
    expected = np.zeros(8)
    for s, e in zip(starts, ends, strict=True):
        for i in range(8):
            expected[i] += max(0.0, min(e, (i + 1) * 600.0) - max(s, i * 600.0))
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-6)


def test_no_felt_fcr_without_a_whole_window_in_the_log():
    day = 86400.0
    contacts = pd.DataFrame(
        {
            "arrival_s": [0.0, 3600.0, 2 * day],
            "end_s": [600.0, 4200.0, 2 * day + 600],
            "channel": pd.Categorical(["phone"] * 3),
        }
    )
    linkage = Linkage(np.array([2, -1, -1]), np.array([False, False, True]))
    parents = np.array([True, True, False])
    fit = fit_returns(contacts, linkage, parents, window_s=7 * day, log_end_s=5 * day)
    assert fit.returns == 1 and fit.contacts == 2
    assert fit.within_window is None and fit.without_return is None
