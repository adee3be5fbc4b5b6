"""An estimate with its 95 % confidence interval and the data behind it, and the few interval
formulas shared by the estimators.

* :func:`log_scale` -- a positive quantity from its standard error on the log scale (delta
  method): ``[v·exp(-z·se), v·exp(z·se)]``, ``z = Φ⁻¹(0.975)``.
* :func:`binomial` -- a proportion ``k/n`` with the Wilson score interval (Wilson 1927), via
  :meth:`scipy.stats.binomtest`.
* :func:`mle` -- a maximum-likelihood fit of a smooth negative log-likelihood with its
  covariance from the observed information (the inverse Hessian at the optimum, by central
  differences; Pawitan 2001, ch. 2.5).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

__all__ = ["LEVEL", "Estimate", "Z", "binomial", "hessian", "log_scale", "mle"]

LEVEL = 0.95
"""Confidence level of every interval."""
Z = float(special.ndtri(0.5 + LEVEL / 2))


def _number(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


@dataclass(frozen=True)
class Estimate:
    """A value, its 95 % confidence interval ``[low, high]`` and ``n``, the number of
    contacts (or days, or whatever ``per`` says) behind it."""

    value: float
    low: float
    high: float
    n: int
    per: str = "contacts"

    def covers(self, truth: float) -> bool:
        """Whether ``truth`` lies inside the interval."""
        return bool(self.low <= truth <= self.high)

    def scaled(self, factor: float) -> Estimate:
        """The same estimate times a positive ``factor``."""
        return Estimate(
            self.value * factor, self.low * factor, self.high * factor, self.n, self.per
        )

    def as_dict(self) -> dict:
        """JSON-ready: ``value``, ``ci95`` (``[low, high]``), ``n`` and ``n_of``."""
        return {
            "value": _number(self.value),
            "ci95": [_number(self.low), _number(self.high)],
            "n": int(self.n),
            "n_of": self.per,
        }


def log_scale(
    value: float, se_log: float, n: int, per: str = "contacts", quantile: float = Z
) -> Estimate:
    """A positive value with a Wald interval on the log scale (``se_log`` = SE of ``log v``;
    ``quantile`` z, or a t quantile when the scale was estimated)."""
    spread = math.exp(quantile * se_log) if math.isfinite(se_log) else math.inf
    return Estimate(value, value / spread, value * spread, n, per)


def binomial(k: int, n: int, per: str = "contacts") -> Estimate:
    """``k / n`` with its Wilson score interval (NaN for ``n = 0``)."""
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0, per)
    interval = stats.binomtest(int(k), int(n)).proportion_ci(LEVEL, method="wilson")
    return Estimate(k / n, interval.low, interval.high, n, per)


def hessian(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``x`` (steps ``1e-4·max(1, |x_i|)``)."""
    x = np.asarray(x, dtype=np.float64)
    steps = 1e-4 * np.maximum(1.0, np.abs(x))
    k = x.size
    h = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ei = np.eye(k)[i] * steps[i]
            ej = np.eye(k)[j] * steps[j]
            value = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4 * steps[i] * steps[j]
            )
            h[i, j] = h[j, i] = value
    return h


def mle(nll: Callable[[np.ndarray], float], x0, jac=None) -> tuple[np.ndarray, np.ndarray]:
    """Minimise ``nll`` from ``x0``; the optimum and its covariance (inverse Hessian).

    The covariance is NaN when the Hessian is not positive definite (a flat likelihood).
    """
    found = optimize.minimize(nll, np.asarray(x0, float), jac=jac, method="BFGS")
    x = found.x
    h = hessian(nll, x)
    try:
        np.linalg.cholesky(h)
        cov = np.linalg.inv(h)
    except np.linalg.LinAlgError:
        cov = np.full(h.shape, np.nan)
    return x, cov
