"""The top-level scenario model.

``Scenario.model_validate(data, context={"base_dir": Path(...)})`` validates a parsed document
(the loader in ``scenarios/loader.py`` parses YAML, handles ``extends`` and ``--set`` and calls
this); file references are resolved against ``base_dir``. Rules spanning sections (undefined
channels, team coverage, dates outside the horizon, ...) live in :mod:`scenarios.rules` and are
all reported at once, each under its own dotted path.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from scenarios._base import (
    MAX_CHANNELS,
    NAME_PATTERN,
    FrozenDict,
    NonEmpty,
    StrictModel,
    raise_problems,
)
from scenarios.calendar import Horizon
from scenarios.channels import Channel
from scenarios.contract import Contract
from scenarios.events import Events
from scenarios.limits import MAX_REPLICATIONS, MAX_SEED
from scenarios.outages import Outages
from scenarios.partner import Partner, Team, Tier2
from scenarios.rules import cross_field_problems
from scenarios.units import DurationS

__all__ = ["MAX_CHANNELS", "MAX_REPLICATIONS", "RunSettings", "Scenario"]


ChannelName = Annotated[str, StringConstraints(pattern=NAME_PATTERN, max_length=40)]


class RunSettings(StrictModel):
    """How the simulation is run.

    Attributes
    ----------
    replications:
        Independent replications, 1..10,000 (default 10).
    seed:
        Root seed of ``numpy.random.SeedSequence`` (default 0).
    warmup:
        Seconds at the start of the horizon excluded from KPIs (default 0); shorter than the
        horizon.
    """

    replications: int = Field(default=10, ge=1, le=MAX_REPLICATIONS)
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    warmup: DurationS = 0.0

    @property
    def warmup_s(self) -> float:
        """Warm-up in seconds."""
        return self.warmup


class Scenario(StrictModel):
    """A complete what-if scenario: calendar, demand, partner, contract and run settings.

    A later ``partners:`` list (a volume split between partners, each with its own contract)
    can be added beside ``partner`` without changing the meaning of existing files.
    """

    # names a results folder: no leading dot, so never "." or ".."
    name: str = Field(pattern=r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$", max_length=100)
    description: str = Field(default="", max_length=10_000)
    horizon: Horizon
    channels: Annotated[
        dict[ChannelName, Channel],
        NonEmpty,
        Field(max_length=MAX_CHANNELS),
        AfterValidator(FrozenDict),
    ]
    events: Events = Events()
    partner: Partner
    tier2: Tier2 | None = None
    outages: Outages = Outages()
    contract: Contract | None = None
    run: RunSettings = RunSettings()

    @model_validator(mode="after")
    def _cross_field_rules(self) -> Scenario:
        raise_problems("Scenario", cross_field_problems(self))
        return self

    @property
    def channel_names(self) -> tuple[str, ...]:
        """Channel names in scenario order."""
        return tuple(self.channels)

    def team_of(self, channel: str) -> Team:
        """The partner team serving ``channel`` (every channel has exactly one)."""
        return self.partner.team_of(channel)

    def forecast_day_cv(self, channel: str) -> float:
        """CV of the day-level forecast error of ``channel`` (0 when none is declared for it)."""
        noise = self.events.forecast_error
        if noise is None or (noise.channels is not None and channel not in noise.channels):
            return 0.0
        return noise.day_cv

    def repeat_channel(self, channel: str) -> str | None:
        """Channel on which unresolved contacts of ``channel`` come back; None without repeats."""
        repeat = self.channels[channel].repeat
        if repeat is None:
            return None
        return repeat.channel or channel
