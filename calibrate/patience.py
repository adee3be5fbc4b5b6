"""Patience of waiting customers, from waits of which most are censored.

A caller who abandons after waiting ``w`` shows their patience, ``τ = w``; a caller answered
after ``w`` only shows ``τ > w`` (right-censored: patience outlasted the wait). The mean wait
of the abandoners is therefore biased low (they are the impatient ones, and every patient
caller is missing) and must never be used (Brown et al. 2005, §5; Mandelbaum and Zeltyn 2013).
Three estimates from the same data, each on every offered contact:

* **Kaplan–Meier** survival ``Ŝ(t) = Π_{t_i <= t} (1 - d_i / n_i)`` with its 95 % band (Kaplan
  and Meier 1958; Greenwood's variance), by :func:`scipy.stats.ecdf` on
  :class:`scipy.stats.CensoredData`. It needs no family but ends at the longest observed wait.
* **Exponential MLE**: with ``d`` abandons and ``T`` the total waiting time of everyone, the
  likelihood ``θ^d e^{-θT}`` gives ``θ̂ = d / T`` and mean patience ``T / d``, with the interval
  ``2T / χ²_{2d}(0.975, 0.025)`` (exact for type-II censoring, Lawless 2003, §2.2).
* **Lognormal MLE** on the censored data, ``scipy.stats.lognorm.fit(CensoredData, floc=0)``;
  the interval of its mean ``exp(μ + σ²/2)`` is from the observed information (delta method).

The family with the lower AIC is written to the scenario. Abandons after a wait of 0 s enter
the Kaplan–Meier curve and the exponential fit but not the lognormal (its density is 0 there).
The naive mean of the abandoners' waits is reported only to show its bias.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

from calibrate.estimate import LEVEL, Estimate, Z, hessian, log_scale

__all__ = ["PatienceFit", "censored_exponential_mean", "fit_patience", "naive_mean"]

_CURVE_POINTS = 400


@dataclass(frozen=True)
class PatienceFit:
    """Patience estimates of one channel.

    Attributes
    ----------
    distribution:
        ``exponential`` or ``lognormal``, the lower AIC.
    mean_s:
        Mean patience of the chosen family (seconds).
    cv:
        Its coefficient of variation (None for exponential).
    exponential_mean_s, lognormal_mean_s:
        Both censored MLEs of the mean.
    naive_mean_s:
        Mean wait of the abandoners (biased low; for comparison only).
    aic:
        Per family.
    lognormal:
        ``(sigma, scale)`` of the lognormal fit.
    km:
        ``(t, S(t), low, high)`` Kaplan–Meier curve and band at up to 400 points.
    abandons, offered:
        Counts behind the estimates.
    """

    distribution: str
    mean_s: Estimate
    cv: Estimate | None
    exponential_mean_s: Estimate
    lognormal_mean_s: Estimate
    naive_mean_s: Estimate
    aic: dict[str, float]
    lognormal: tuple[float, float]
    km: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    abandons: int
    offered: int


def _kaplan_meier(abandoned: np.ndarray, served: np.ndarray):
    result = stats.ecdf(stats.CensoredData(uncensored=abandoned, right=served))
    with warnings.catch_warnings():  # undefined where S = 0 or 1: drawn as 0 or 1 below
        warnings.simplefilter("ignore", RuntimeWarning)
        band = result.sf.confidence_interval(LEVEL)
    grid = np.linspace(0.0, float(np.quantile(np.r_[abandoned, served], 0.999)), _CURVE_POINTS)
    low = np.nan_to_num(band.low.evaluate(grid), nan=0.0)
    high = np.nan_to_num(band.high.evaluate(grid), nan=1.0)
    return grid, result.sf.evaluate(grid), low, high


def _lognormal(abandoned: np.ndarray, served: np.ndarray, n: int):
    """Censored lognormal MLE: (mean estimate, cv estimate, log-likelihood, (sigma, scale))."""
    exact = abandoned[abandoned > 0]
    served = served[served > 0]  # a wait of 0 says nothing: S(0) = 1
    data = stats.CensoredData(uncensored=exact, right=served)
    sigma, _, scale = stats.lognorm.fit(data, floc=0)

    def nll(theta: np.ndarray) -> float:
        mu, log_sigma = theta
        s, sc = math.exp(log_sigma), math.exp(mu)
        return -(
            stats.lognorm.logpdf(exact, s, scale=sc).sum()
            + stats.lognorm.logsf(served, s, scale=sc).sum()
        )

    theta = np.array([math.log(scale), math.log(sigma)])
    loglik = -nll(theta)
    try:
        cov = np.linalg.inv(hessian(nll, theta))
    except np.linalg.LinAlgError:
        cov = np.full((2, 2), np.nan)
    # log mean = mu + sigma²/2, d/d(log sigma) = sigma²
    gradient = np.array([1.0, sigma * sigma])
    se_log_mean = math.sqrt(max(gradient @ cov @ gradient, 0.0))
    mean = log_scale(scale * math.exp(sigma * sigma / 2), se_log_mean, n)
    se_sigma = sigma * math.sqrt(max(cov[1, 1], 0.0))

    def cv(s: float) -> float:
        return math.sqrt(math.expm1(s * s))

    lo, hi = max(sigma - Z * se_sigma, 0.0), sigma + Z * se_sigma
    return mean, Estimate(cv(sigma), cv(lo), cv(hi), n), loglik, (float(sigma), float(scale))


def censored_exponential_mean(wait_s: np.ndarray, abandoned: np.ndarray) -> Estimate:
    """Mean patience ``T / d`` (``d`` abandons, ``T`` total wait of every offered contact)
    with the interval ``2T / χ²_{2d}(0.975, 0.025)``."""
    d, total = int(np.sum(abandoned)), float(np.sum(wait_s))
    tail = (1 - LEVEL) / 2
    return Estimate(
        total / d,
        2 * total / stats.chi2.ppf(1 - tail, 2 * d),
        2 * total / stats.chi2.ppf(tail, 2 * d),
        len(wait_s),
    )


def naive_mean(abandoned_waits: np.ndarray) -> Estimate:
    """The mean wait of the abandoners with its t interval: biased low, for comparison."""
    d = abandoned_waits.size
    mean = float(abandoned_waits.mean())
    low, high = stats.t.interval(LEVEL, d - 1, loc=mean, scale=stats.sem(abandoned_waits))
    return Estimate(mean, low, high, d, "abandoned contacts")


def fit_patience(wait_s: np.ndarray, abandoned: np.ndarray) -> PatienceFit:
    """Patience from the waits of the offered contacts of one channel and whether each
    abandoned (True) or was answered (False, censored)."""
    wait_s = np.asarray(wait_s, np.float64)
    abandoned = np.asarray(abandoned, bool)
    exact, served = wait_s[abandoned], wait_s[~abandoned]
    d, n, total = exact.size, wait_s.size, wait_s.sum()
    exponential = censored_exponential_mean(wait_s, abandoned)
    exp_loglik = d * math.log(d / total) - d
    log_mean, log_cv, log_loglik, lognormal = _lognormal(exact, served, n)
    aic = {"exponential": 2 - 2 * exp_loglik, "lognormal": 4 - 2 * log_loglik}
    best = min(aic, key=aic.__getitem__)
    return PatienceFit(
        distribution=best,
        mean_s=exponential if best == "exponential" else log_mean,
        cv=None if best == "exponential" else log_cv,
        exponential_mean_s=exponential,
        lognormal_mean_s=log_mean,
        naive_mean_s=naive_mean(exact),
        aic=aic,
        lognormal=lognormal,
        km=_kaplan_meier(exact, served),
        abandons=d,
        offered=n,
    )
