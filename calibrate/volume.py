"""Day totals: weekly volume, weekday weights, trend and day-level forecast error.

The first contacts of a channel on day ``d`` (weekday ``w(d)``, ``t_d`` weeks from a reference
day) are modelled as negative binomial (NB2) with mean and variance

    μ_d = exp(β_{w(d)} + γ·t_d),        Var N_d = μ_d + c²·μ_d²,

which is exactly the scenario's forecast-error model: a Poisson count whose rate is multiplied
by a gamma day factor of mean 1 and coefficient of variation ``c`` (``events.forecast_error.
day_cv``; Jongbloed and Koole 2001; Cameron and Trivedi 2013, ch. 3 for NB2). ``c = 0`` is
Poisson; ``c`` is the over-dispersion beyond Poisson, and the weekday × trend mean keeps weekly
shape and growth from being counted as forecast error.

* ``c`` is estimated from the Cox–Reid adjusted profile likelihood
  ``ℓp(c) = max_β ℓ(β, c) - ½ log det(Xᵀ W X)`` (Cox and Reid 1987; the adjustment for the
  estimated weekday and trend terms, as for NB dispersions in McCarthy, Chen and Smyth 2012,
  removes the downward bias of the plain maximum likelihood over a few weeks of days), and its
  95 % interval is ``{c >= 0 : 2(ℓp(ĉ) - ℓp(c)) <= χ²₁(0.95)}`` (Venzon and Moolgavkar 1988),
  which behaves at the boundary c = 0. Channels may share one ``c`` (:func:`pooled_day_cv`: the
  sum of their profiles), because a scenario holds a single ``day_cv``.
* ``β`` (fitted by Fisher scoring) has covariance ``(Xᵀ W X)⁻¹`` with
  ``W = diag(μ / (1 + c²μ))`` (the NB2 information for fixed ``c``). The weekly volume
  ``V = Σ_w exp(β_w)`` (days of the model's weekdays at the reference time) and the weekday
  weights ``exp(β_w) / mean_v exp(β_v)`` get delta-method intervals on the log scale with a
  t quantile on ``days - parameters`` degrees of freedom (the scale ``c`` is estimated).
* The reference day is the middle of the log (the log's average level) or, with ``trend``, its
  last day (the level the trend has reached); ``γ`` is always fitted when the log spans two
  weeks, and reported as growth per week ``exp(γ) - 1``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from calibrate.estimate import LEVEL, Estimate, log_scale

__all__ = ["DayModel", "fit_day_model", "pooled_day_cv"]

_CV_MAX = 3.0
_CHI2_95 = float(stats.chi2.ppf(0.95, 1))
_MIN_TREND_DAYS = 14
_MAX_SCORING_STEPS = 100


@dataclass(frozen=True)
class _Design:
    counts: np.ndarray
    x: np.ndarray
    weekdays: tuple[int, ...]
    trend: bool


def _design(counts, day_weekday, day_index, reference_day, use_trend) -> _Design:
    present = tuple(int(w) for w in np.unique(day_weekday))
    columns = [(day_weekday == w).astype(float) for w in present]
    trend = use_trend and np.ptp(day_index) + 1 >= _MIN_TREND_DAYS
    if trend:
        columns.append((day_index - reference_day) / 7.0)
    return _Design(np.asarray(counts, float), np.column_stack(columns), present, trend)


def _loglik(beta: np.ndarray, design: _Design, alpha: float) -> float:
    """NB2 log-likelihood (Poisson for alpha = 0)."""
    y = design.counts
    eta = design.x @ beta
    if alpha == 0.0:
        return float((y * eta - np.exp(eta) - special.gammaln(y + 1)).sum())
    r = 1.0 / alpha
    log_r_mu = np.logaddexp(math.log(r), eta)
    return float(
        (
            special.gammaln(y + r)
            - special.gammaln(r)
            - special.gammaln(y + 1)
            + r * (math.log(r) - log_r_mu)
            + y * (eta - log_r_mu)
        ).sum()
    )


def _profile(design: _Design, cv: float, start: np.ndarray) -> tuple[float, np.ndarray]:
    """``(ℓp(cv), β̂(cv))`` by Fisher scoring (iteratively reweighted least squares; McCullagh
    and Nelder 1989, §2.5): ``β ← β + (XᵀWX)⁻¹ Xᵀ (y - μ)/(1 + αμ)``, ``W = μ/(1 + αμ)``,
    halving a step that lowers the likelihood."""
    alpha = cv * cv
    x, y = design.x, design.counts
    beta = start.copy()
    value = _loglik(beta, design, alpha)
    for _ in range(_MAX_SCORING_STEPS):
        mu = np.exp(x @ beta)
        weight = mu / (1.0 + alpha * mu)
        step = np.linalg.solve(x.T @ (x * weight[:, None]), x.T @ ((y - mu) / (1.0 + alpha * mu)))
        for _ in range(30):
            candidate = _loglik(beta + step, design, alpha)
            if candidate >= value - 1e-12:
                break
            step /= 2
        beta = beta + step
        done = abs(candidate - value) < 1e-10 and np.abs(step).max() < 1e-9
        value = candidate
        if done:
            break
    mu = np.exp(x @ beta)
    _, logdet = np.linalg.slogdet(x.T @ (x * (mu / (1.0 + alpha * mu))[:, None]))
    return value - 0.5 * logdet, beta


def _start(design: _Design) -> np.ndarray:
    means = [design.counts[design.x[:, k] == 1].mean() for k in range(len(design.weekdays))]
    start = np.log(np.maximum(means, 0.5))
    return np.r_[start, 0.0] if design.trend else start


def _profile_interval(profile, best_cv: float, best: float) -> tuple[float, float]:
    """The set where ``2(ℓmax - ℓp) <= χ²₁(0.95)``, by root finding on each side."""

    def gap(cv: float) -> float:
        return profile(cv) - (best - _CHI2_95 / 2)

    low = 0.0 if gap(0.0) >= 0 else optimize.brentq(gap, 0.0, best_cv, xtol=1e-6)
    high = best_cv + 0.05
    while gap(high) > 0 and high < _CV_MAX:
        high = min(2 * high, _CV_MAX)
    high = high if gap(high) > 0 else optimize.brentq(gap, best_cv, high, xtol=1e-6)
    return low, high


def _best_cv(profile) -> tuple[float, float]:
    found = optimize.minimize_scalar(
        lambda cv: -profile(cv), bounds=(0.0, _CV_MAX), method="bounded", options={"xatol": 1e-6}
    )
    at_zero = profile(0.0)
    return (0.0, at_zero) if at_zero >= -found.fun else (float(found.x), -float(found.fun))


@dataclass(frozen=True)
class DayModel:
    """The fitted day model of one channel (see the module docstring).

    Attributes
    ----------
    per_week:
        Expected first contacts of a week at the reference day.
    weekday_weights:
        Seven weights (Monday first), mean 1 over the weekdays in the model; None where a
        weekday has no days in the model (closed, or never a contact).
    growth_per_week:
        ``exp(γ) - 1``, or None without a trend term (under two weeks of data).
    day_cv:
        The channel's own over-dispersion ``c`` (profile-likelihood interval; ``n`` days).
    days:
        Days in the model.
    fitted, counts:
        Expected and observed first contacts of those days (for plots), and their day indices
        ``day_index``.
    """

    per_week: Estimate
    weekday_weights: tuple[Estimate | None, ...]
    growth_per_week: Estimate | None
    day_cv: Estimate
    days: int
    day_index: np.ndarray
    counts: np.ndarray
    fitted: np.ndarray
    design: _Design


def fit_day_model(
    counts: np.ndarray,
    day_weekday: np.ndarray,
    day_index: np.ndarray,
    *,
    reference_day: float,
) -> DayModel:
    """Fit the NB2 weekday × trend model to the first contacts ``counts`` of the days
    ``day_index`` (weekday ``day_weekday``), levels taken at ``reference_day``."""
    day_index = np.asarray(day_index, float)
    design = _design(counts, np.asarray(day_weekday), day_index, reference_day, True)
    start = _start(design)

    def profile(cv: float) -> float:
        return _profile(design, cv, start)[0]

    cv, best = _best_cv(profile)
    low, high = _profile_interval(profile, cv, best)
    _, beta = _profile(design, cv, start)
    mu = np.exp(design.x @ beta)
    info = design.x.T @ (design.x * (mu / (1.0 + cv * cv * mu))[:, None])
    cov = np.linalg.inv(info)
    k = len(design.weekdays)
    level = np.exp(beta[:k])
    total = level.sum()
    share = level / total
    n_days = len(day_index)
    n = int(design.counts.sum())
    se_total = math.sqrt(share @ cov[:k, :k] @ share)
    t = float(stats.t.ppf(0.5 + LEVEL / 2, max(n_days - design.x.shape[1], 1)))
    weights: list[Estimate | None] = [None] * 7
    for j, weekday in enumerate(design.weekdays):
        gradient = -share.copy()
        gradient[j] += 1.0
        se = math.sqrt(max(gradient @ cov[:k, :k] @ gradient, 0.0))
        weights[weekday] = log_scale(level[j] / level.mean(), se, n, quantile=t)
    growth = None
    if design.trend:
        slope, se = beta[k], math.sqrt(cov[k, k])
        growth = Estimate(
            math.expm1(slope),
            math.expm1(slope - t * se),
            math.expm1(slope + t * se),
            n_days,
            "days",
        )
    per_week = log_scale(total, se_total, n, quantile=t)
    return DayModel(
        per_week=per_week,
        weekday_weights=tuple(weights),
        growth_per_week=growth,
        day_cv=Estimate(cv, low, high, n_days, "days"),
        days=n_days,
        day_index=day_index,
        counts=design.counts,
        fitted=mu,
        design=design,
    )


def pooled_day_cv(models: Sequence[DayModel]) -> Estimate | None:
    """One ``c`` shared by the channels of ``models`` (the maximum of the sum of their profile
    log-likelihoods, with its profile interval); None without models."""
    if not models:
        return None
    starts = [_start(model.design) for model in models]

    def profile(cv: float) -> float:
        return sum(_profile(m.design, cv, s)[0] for m, s in zip(models, starts, strict=True))

    cv, best = _best_cv(profile)
    low, high = _profile_interval(profile, cv, best)
    return Estimate(cv, low, high, sum(model.days for model in models), "channel-days")
