"""Demand events: seasonal peaks, product launches, forecast error and forecast bias.

Event channels default to every channel (``channels`` absent). Whether the named channels
exist, whether the dates lie in the horizon and whether peaks overlap are checked by
:class:`scenarios.scenario.Scenario`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from pydantic import Field, model_validator

from scenarios._base import ChannelList, Date, StrictModel, raise_problems
from scenarios.units import Fraction, NonNegativeRatio

__all__ = ["Events", "ForecastBias", "ForecastError", "Launch", "Peak", "bias_by_day"]


class Peak(StrictModel):
    """Volume multiplied by ``multiplier`` from ``start`` to ``end`` (inclusive dates)."""

    name: str = Field(min_length=1)
    start: Date
    end: Date
    multiplier: float = Field(gt=0)
    channels: ChannelList | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Peak:
        if self.end < self.start:
            raise_problems(
                "Peak", [(("end",), f"must not be before start {self.start}", str(self.end))]
            )
        return self


class Launch(StrictModel):
    """A product launch on ``date``: more volume that decays, slower and less effective handling
    that fades as agents learn.

    With ``d`` days since the launch (``d >= 0``; no effect before):

    - volume factor ``1 + volume_uplift * 0.5 ** (d / volume_half_life_days)``;
    - ``learn(d) = max(0, 1 - d / learning_days)``;
    - handle time factor ``1 + aht_uplift * learn(d)``; FCR minus ``fcr_drop * learn(d)``
      (floored at 0); both on the share ``share_of_contacts`` of the channel's contacts.
    """

    name: str = Field(min_length=1)
    date: Date
    channels: ChannelList | None = None
    volume_uplift: NonNegativeRatio = 0.0
    volume_half_life_days: float = Field(default=7.0, gt=0)
    aht_uplift: NonNegativeRatio = 0.0
    fcr_drop: Fraction = 0.0
    learning_days: float = Field(default=21.0, gt=0)
    share_of_contacts: Fraction = 1.0

    def volume_factor(self, days_since: np.ndarray | float) -> np.ndarray:
        """Volume multiplier ``d`` days after the launch (1 before it)."""
        days = np.asarray(days_since, dtype=float)
        decay = 0.5 ** (np.maximum(days, 0.0) / self.volume_half_life_days)
        return np.where(days >= 0, 1.0 + self.volume_uplift * decay, 1.0)

    def learn(self, days_since: np.ndarray | float) -> np.ndarray:
        """Unlearned share ``max(0, 1 - d / learning_days)``; 0 before the launch."""
        days = np.asarray(days_since, dtype=float)
        return np.where(days >= 0, np.clip(1.0 - days / self.learning_days, 0.0, 1.0), 0.0)


class ForecastError(StrictModel):
    """Volume uncertainty beyond Poisson noise.

    ``day_cv``: CV of a gamma(mean 1) factor drawn per channel and day; ``interval_overdispersion``:
    CV of an extra gamma(mean 1) factor per interval (0 = Poisson only).
    """

    day_cv: NonNegativeRatio = 0.0
    interval_overdispersion: NonNegativeRatio = 0.0
    channels: ChannelList | None = None


class ForecastBias(StrictModel):
    """The demand that arrives is ``factor`` times the scenario's expected demand, on
    ``channels`` (default all) from ``start`` to ``end`` (inclusive dates, default the whole
    horizon).

    The scenario's demand (volumes, profiles, peaks, launches) is what the forecast knows: the
    staffing plan and the contract forecast are built on it; a bias is what it did not know.
    Entries that overlap multiply.
    """

    factor: float = Field(gt=0, le=100)
    channels: ChannelList | None = None
    start: Date | None = None
    end: Date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ForecastBias:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise_problems(
                "ForecastBias",
                [(("end",), f"must not be before start {self.start}", str(self.end))],
            )
        return self


class Events(StrictModel):
    """All demand events of a scenario (each list may be empty)."""

    peaks: tuple[Peak, ...] = Field(default=(), max_length=100)
    launches: tuple[Launch, ...] = Field(default=(), max_length=100)
    forecast_error: ForecastError | None = None
    forecast_bias: tuple[ForecastBias, ...] = Field(default=(), max_length=100)


def bias_by_day(events: Events, channel: str, start: dt.date, days: int) -> np.ndarray:
    """The factor of ``events.forecast_bias`` on ``channel`` for each of ``days`` days from
    ``start``: the product of the entries covering the channel and day (1 where none does)."""
    dates = np.datetime64(start, "D") + np.arange(days)
    factor = np.ones(days)
    for bias in events.forecast_bias:
        if bias.channels is not None and channel not in bias.channels:
            continue
        covered = np.ones(days, bool)
        if bias.start is not None:
            covered &= dates >= np.datetime64(bias.start, "D")
        if bias.end is not None:
            covered &= dates <= np.datetime64(bias.end, "D")
        factor[covered] *= bias.factor
    return factor
