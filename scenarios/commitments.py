"""What the client commits to in a contract: the fee per billing period and the forecast.

The **fee** is stated once, for its billing period (a month unless given), and prorated to
whatever period a clause is measured over; or it is priced from what the partner delivered
(``from_pricing``). The **forecast** is the first contacts the client committed to, per channel:
a factor on the scenario's expected demand, or contacts per calendar period. Relief bands and
minimum-volume rules compare the volume that arrived with it; ``events.forecast_bias`` moves
the volume that arrives away from the scenario's expected demand.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from scenarios._base import NonEmpty, ReadOnlyDict, StrictModel, raise_problems
from scenarios.limits import MAX_EUR
from scenarios.units import Count, NonNegativeRatio

__all__ = ["PERIODS", "ChannelForecast", "Fee", "Forecast", "Period"]

PERIODS = ("day", "week", "month", "quarter")
"""Calendar periods a fee is billed for and a clause is measured over."""
Period = Literal["day", "week", "month", "quarter"]


class Fee(StrictModel):
    """What the client pays: a fixed amount per billing period, or the partner's pricing.

    ``fixed_eur`` is stated once, for its ``billing_period`` (a month unless given); a clause
    measured over another period gets the fee prorated to it (a week of March is 7/31 of the
    March fee), so a measurement period never changes what the client pays for the same days.
    ``from_pricing: true`` prices what the partner delivered (``partner.pricing``).
    ``fixed_per_period_eur`` is the former name of ``fixed_eur``: it meant the fee per
    measurement period and is accepted only where that is the billing period.
    """

    fixed_eur: float | None = Field(default=None, ge=0, le=MAX_EUR)
    from_pricing: Literal[True] | None = None
    billing_period: Period = "month"
    fixed_per_period_eur: float | None = Field(default=None, ge=0, le=MAX_EUR)

    @model_validator(mode="after")
    def _exactly_one(self) -> Fee:
        given = [
            name
            for name in ("fixed_eur", "fixed_per_period_eur", "from_pricing")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of fixed_eur or from_pricing: true"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    @property
    def fixed_per_billing_period_eur(self) -> float | None:
        """The fixed fee per billing period (None when the fee is from the pricing)."""
        return self.fixed_eur if self.fixed_eur is not None else self.fixed_per_period_eur


class ChannelForecast(StrictModel):
    """The volume the client committed to on one channel: a ``factor`` on the scenario's
    expected first contacts, or ``contacts`` per calendar ``period`` (one number per period
    overlapping the horizon, in order)."""

    factor: NonNegativeRatio | None = None
    period: Period | None = None
    contacts: Annotated[tuple[Count, ...], NonEmpty, Field(max_length=400)] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> ChannelForecast:
        committed = self.period is not None or self.contacts is not None
        if (self.factor is None) == (not committed):
            raise ValueError(
                "give either factor, or period and contacts (committed contacts per period)"
            )
        if committed and (self.period is None or self.contacts is None):
            missing = "period" if self.period is None else "contacts"
            raise_problems(
                "ChannelForecast", [((missing,), "is required with committed contacts", None)]
            )
        return self


class Forecast(StrictModel):
    """The contract forecast: the first contacts the client committed to, which relief bands
    and minimum-volume rules compare with. ``factor`` (default 1) applies to every channel not
    named in ``channels``."""

    factor: NonNegativeRatio = 1.0
    channels: ReadOnlyDict[ChannelForecast] = Field(default_factory=dict)
