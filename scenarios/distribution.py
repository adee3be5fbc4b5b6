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

from typing import Literal

from pydantic import Field, model_validator

from scenarios._base import StrictModel, raise_problems
from scenarios.units import NonNegativeRatio, PositiveDurationS

__all__ = ["Distribution"]

MAX_CV = 10.0
"""Largest coefficient of variation accepted (heavier tails are almost surely a typo)."""


class Distribution(StrictModel):
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
    def cv_effective(self) -> float:
        """Coefficient of variation implied by the shape: 1 exponential, 0 deterministic."""
        if self.distribution == "exponential":
            return 1.0
        if self.distribution == "deterministic":
            return 0.0
        return float(self.cv)  # type: ignore[arg-type]
