"""Positive random durations given by a mean and a coefficient of variation.

Handle times, patience, repeat and redial delays and tier-2 handle times all use
:class:`Distribution`. The shapes are parameterised by mean ``m`` and coefficient of variation
``c`` (standard deviation / mean):

- exponential: rate ``1/m``; ``c = 1``;
- lognormal: ``sigma^2 = ln(1 + c^2)``, ``mu = ln(m) - sigma^2 / 2``;
- gamma: shape ``k = 1/c^2``, scale ``m c^2``;
- deterministic: always ``m``; ``c = 0``.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from scenarios._base import Model, NonNegativeRatio, raise_problems
from scenarios.units import PositiveDurationS

__all__ = ["Distribution"]

MAX_CV = 10.0
"""Largest coefficient of variation accepted (heavier tails are almost surely a typo)."""


class Distribution(Model):
    """A positive duration distribution: mean and shape.

    Attributes
    ----------
    mean:
        Mean in seconds (friendly ``6m``).
    distribution:
        ``exponential`` (default), ``lognormal``, ``gamma`` or ``deterministic``.
    cv:
        Coefficient of variation. Required for lognormal and gamma (> 0); must be 1 or absent
        for exponential and 0 or absent for deterministic.
    """

    mean: PositiveDurationS
    distribution: Literal["exponential", "lognormal", "gamma", "deterministic"] = "exponential"
    cv: NonNegativeRatio | None = Field(default=None, le=MAX_CV)

    @model_validator(mode="after")
    def _cv_fits_shape(self) -> Distribution:
        kind, cv = self.distribution, self.cv
        message = None
        if kind == "exponential" and cv is not None and cv != 1.0:
            message = "must be 1 or absent for an exponential distribution"
        elif kind == "deterministic" and cv is not None and cv != 0.0:
            message = "must be 0 or absent for a deterministic duration"
        elif kind in ("lognormal", "gamma") and not cv:
            message = f"must be given and above 0 for a {kind} distribution"
        if message:
            raise_problems("Distribution", [(("cv",), message, cv)])
        return self

    @property
    def mean_s(self) -> float:
        """Mean in seconds."""
        return self.mean

    @property
    def cv_effective(self) -> float:
        """Coefficient of variation implied by the shape: 1 exponential, 0 deterministic."""
        if self.distribution == "exponential":
            return 1.0
        if self.distribution == "deterministic":
            return 0.0
        return float(self.cv)  # type: ignore[arg-type]

    def sample(
        self, rng: np.random.Generator, size: int, mean_s: float | np.ndarray | None = None
    ) -> np.ndarray:
        """Draw ``size`` durations in seconds with this shape.

        Parameters
        ----------
        rng:
            The caller's generator.
        size:
            Number of draws.
        mean_s:
            Mean to use instead of ``mean`` (a scalar or an array of ``size`` means, e.g. a
            handle time stretched by a launch); the coefficient of variation stays the same.
        """
        mean = np.broadcast_to(
            np.asarray(self.mean if mean_s is None else mean_s, dtype=float), (size,)
        )
        if self.distribution == "exponential":
            return rng.exponential(1.0, size) * mean
        if self.distribution == "deterministic":
            return mean.copy()
        cv = self.cv_effective
        if self.distribution == "lognormal":
            sigma2 = math.log1p(cv * cv)
            return mean * rng.lognormal(-sigma2 / 2.0, math.sqrt(sigma2), size)
        shape = 1.0 / (cv * cv)
        return mean * rng.gamma(shape, 1.0 / shape, size)
