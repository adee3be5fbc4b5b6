"""System outages that take channels down: random failures and scheduled windows.

Channels default to every channel (``channels`` absent). Whether the channels exist and whether
scheduled windows lie inside the horizon is checked by :class:`scenarios.scenario.Scenario`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from scenarios._base import ChannelList, LocalDateTime, StrictModel, raise_problems
from scenarios.units import PositiveDurationS

__all__ = ["Outages", "RandomOutage", "ScheduledOutage"]


class RandomOutage(StrictModel):
    """Failures with exponential time between them (mean ``mtbf``) and exponential repair time
    (mean ``mttr``), both in seconds; long-run availability ``mtbf / (mtbf + mttr)``."""

    channels: ChannelList | None = None
    mtbf: PositiveDurationS
    mttr: PositiveDurationS


class ScheduledOutage(StrictModel):
    """A planned window ``[start, end)`` in local wall-clock time."""

    start: LocalDateTime
    end: LocalDateTime
    channels: ChannelList | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ScheduledOutage:
        if self.end <= self.start:
            raise_problems(
                "ScheduledOutage",
                [(("end",), f"must be after start {self.start.isoformat()}", str(self.end))],
            )
        return self


class Outages(StrictModel):
    """Random and scheduled outages; ``realtime_during_outage`` says what happens to real-time
    contacts while their channel is down: ``not_offered`` (lost) or ``queue`` (they wait)."""

    random: tuple[RandomOutage, ...] = Field(default=(), max_length=100)
    scheduled: tuple[ScheduledOutage, ...] = Field(default=(), max_length=10_000)
    realtime_during_outage: Literal["not_offered", "queue"] = "not_offered"
