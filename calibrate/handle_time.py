"""Handle time: lognormal, gamma and exponential fitted by maximum likelihood, best by AIC.

Handle times of call centres are close to lognormal (Brown et al. 2005, JASA 100(469), §4.2).
Each family is fitted to the positive handle times with ``scipy.stats.<family>.fit(x, floc=0)``
and scored by ``AIC = 2k - 2ℓ`` (Akaike 1974; k = 2, 2, 1 free parameters); the lowest AIC is
written to the scenario as ``{mean, distribution, cv}``. Intervals of the chosen family's mean
``m`` and coefficient of variation ``cv`` (n handle times):

* exponential: ``m̂ = x̄``, exact interval ``2n·x̄ / χ²_{2n}(0.975, 0.025)``; cv = 1 by the family;
* lognormal: ``μ̂ = mean(log x)``, ``σ̂² = mean((log x - μ̂)²)``; ``m = exp(μ + σ²/2)`` with
  ``Var(log m̂) ≈ σ²/n + σ⁴/(2n)`` (delta method); ``cv = sqrt(exp(σ²) - 1)`` from the exact
  interval of σ², ``n·σ̂²/σ² ~ χ²_{n-1}``;
* gamma (shape k, scale θ): ``m̂ = x̄`` with ``Var(log m̂) = 1/(n k)``; ``cv = 1/√k`` with
  ``Var(k̂) = 1 / (n (ψ'(k) - 1/k))`` (Fisher information), on the log scale.

The QQ plot data (:attr:`HandleTimeFit.qq`) are 200 empirical quantiles against the chosen fit's.
Handle times of zero (a contact answered and closed in the same second) cannot enter a
lognormal or gamma likelihood; they are counted and left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from calibrate.estimate import LEVEL, Estimate, log_scale

__all__ = ["FAMILIES", "HandleTimeFit", "fit_handle_time"]

FAMILIES = ("lognormal", "gamma", "exponential")
_SCIPY = {"lognormal": stats.lognorm, "gamma": stats.gamma, "exponential": stats.expon}
_QQ_POINTS = 200


@dataclass(frozen=True)
class HandleTimeFit:
    """The fits of one channel's handle times.

    Attributes
    ----------
    distribution:
        The family with the lowest AIC.
    mean_s, cv:
        The chosen family's mean (seconds) and coefficient of variation (cv None for
        exponential, where it is 1 by definition).
    sample_mean_s:
        The plain mean with its t interval, for comparison.
    aic:
        AIC per family.
    params:
        scipy parameters per family (``shape..., loc, scale``).
    zeros:
        Handle times of zero left out.
    qq:
        ``(theoretical, empirical)`` quantiles of the chosen fit, seconds.
    """

    distribution: str
    mean_s: Estimate
    cv: Estimate | None
    sample_mean_s: Estimate
    aic: dict[str, float]
    params: dict[str, tuple[float, ...]]
    zeros: int
    qq: tuple[np.ndarray, np.ndarray]


def _exponential(x: np.ndarray) -> tuple[Estimate, None]:
    n, total = x.size, x.sum()
    tail = (1 - LEVEL) / 2
    low = 2 * total / stats.chi2.ppf(1 - tail, 2 * n)
    high = 2 * total / stats.chi2.ppf(tail, 2 * n)
    return Estimate(total / n, low, high, n), None


def _lognormal(x: np.ndarray) -> tuple[Estimate, Estimate]:
    n = x.size
    logs = np.log(x)
    mu = logs.mean()
    s2 = logs.var()
    mean = log_scale(math.exp(mu + s2 / 2), math.sqrt(s2 / n + s2 * s2 / (2 * n)), n)
    tail = (1 - LEVEL) / 2
    s2_low = n * s2 / stats.chi2.ppf(1 - tail, n - 1)
    s2_high = n * s2 / stats.chi2.ppf(tail, n - 1)

    def cv(v: float) -> float:
        return math.sqrt(math.expm1(v))

    return mean, Estimate(cv(s2), cv(s2_low), cv(s2_high), n)


def _gamma(x: np.ndarray, shape: float) -> tuple[Estimate, Estimate]:
    n = x.size
    mean = log_scale(x.mean(), 1 / math.sqrt(n * shape), n)
    se_log_k = math.sqrt(1 / (n * (special.polygamma(1, shape) - 1 / shape))) / shape
    k = log_scale(shape, se_log_k, n)
    return mean, Estimate(1 / math.sqrt(shape), 1 / math.sqrt(k.high), 1 / math.sqrt(k.low), n)


def fit_handle_time(handle_s: np.ndarray) -> HandleTimeFit:
    """Fit the three families to the handle times (seconds) and pick one by AIC."""
    x = np.asarray(handle_s, np.float64)
    positive = x[x > 0]
    params, aic = {}, {}
    for family in FAMILIES:
        dist = _SCIPY[family]
        fitted = dist.fit(positive, floc=0)
        loglik = dist.logpdf(positive, *fitted).sum()
        params[family] = tuple(float(v) for v in fitted)
        aic[family] = float(2 * (len(fitted) - 1) - 2 * loglik)
    best = min(aic, key=aic.__getitem__)
    if best == "exponential":
        mean, cv = _exponential(positive)
    elif best == "lognormal":
        mean, cv = _lognormal(positive)
    else:
        mean, cv = _gamma(positive, params["gamma"][0])
    n = positive.size
    sample = stats.t.interval(LEVEL, n - 1, loc=positive.mean(), scale=stats.sem(positive))
    probabilities = (np.arange(_QQ_POINTS) + 0.5) / _QQ_POINTS
    qq = (
        _SCIPY[best].ppf(probabilities, *params[best]),
        np.quantile(positive, probabilities),
    )
    return HandleTimeFit(
        distribution=best,
        mean_s=mean,
        cv=cv,
        sample_mean_s=Estimate(float(positive.mean()), sample[0], sample[1], n),
        aic=aic,
        params=params,
        zeros=int((x <= 0).sum()),
        qq=qq,
    )
