"""A contact channel: its kind, opening hours, demand, handling and customer behaviour.

Rules that need only the channel itself (a deferrable channel has no patience, concurrency,
redial or abandonment-based service-level settings; a channel must open at some time; the
weights must leave somewhere for the demand to go: open days and hours on a realtime channel,
any day on a deferrable one, whose messages arrive around the clock) are checked here; rules
that need the horizon or other sections are checked by :class:`scenarios.scenario.Scenario`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator, model_validator

from scenarios._base import (
    WEEKDAYS,
    StrictModel,
    expand_weekday_map,
    problems_error,
    raise_problems,
    resolve_data_file,
)
from scenarios.calendar import OpeningHours
from scenarios.distribution import Distribution
from scenarios.units import Count, DurationS, Fraction, PositiveDurationS, parse_fraction

__all__ = [
    "DEFAULT_FCR_WINDOW_S",
    "INTRADAY_PROFILES",
    "VOLUME_FILE_COLUMNS",
    "Channel",
    "Concurrency",
    "Csat",
    "Distribution",
    "Escalation",
    "Redial",
    "Repeat",
    "ServiceTarget",
    "Volume",
]

DEFAULT_FCR_WINDOW_S = 7 * 86400.0
"""Default ``fcr_window``: a contact is resolved for the customer when no repeat follows within
seven days."""

VOLUME_FILE_COLUMNS = ("interval_start", "contacts")
"""Columns a volume CSV must have: ISO local datetime of the interval start, contacts."""

INTRADAY_PROFILES: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 24,
    # office hours: morning peak around 10:00, smaller after-lunch peak, quiet nights
    "office": (0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.4, 1.8, 1.9, 1.7,
               1.4, 1.5, 1.6, 1.5, 1.3, 1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2),
    # long service day 07:00-22:00, flatter than office
    "extended": (0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.7, 1.1, 1.3, 1.4, 1.35,
                 1.2, 1.25, 1.3, 1.25, 1.2, 1.1, 1.0, 0.9, 0.8, 0.6, 0.4, 0.2),
    # consumer traffic peaking after work, 18:00-21:00
    "evening": (0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0,
                1.0, 1.0, 1.0, 1.0, 1.1, 1.3, 1.6, 1.8, 1.7, 1.3, 0.9, 0.5),
}  # fmt: skip
"""Built-in hourly weight shapes (hour 0..23) for ``intraday_profile``."""


class Volume(StrictModel):
    """Expected volume of a normal period before events: exactly one of the four forms.

    Attributes
    ----------
    per_day, per_week, per_month:
        Expected contacts per day, week or month (friendly ``1.5k``).
    file:
        CSV with columns ``interval_start`` (ISO local datetime) and ``contacts``, resolved
        against the validation context's ``base_dir``; held as an absolute path.
    """

    per_day: Count | None = None
    per_week: Count | None = None
    per_month: Count | None = None
    file: Path | None = None

    @field_validator("file", mode="before")
    @classmethod
    def _resolve_file(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return None
        return resolve_data_file(value, info, VOLUME_FILE_COLUMNS)

    @model_validator(mode="after")
    def _exactly_one(self) -> Volume:
        forms = ("per_day", "per_week", "per_month", "file")
        given = [name for name in forms if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of per_day, per_week, per_month or file"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self


class Concurrency(StrictModel):
    """Parallel chats per agent.

    ``speed_by_chats[k-1]`` is the rate multiplier of each chat while the agent holds ``k``
    chats, so a chat's remaining handle time stretches by ``1 / speed``; the agent's throughput
    ``k * speed_by_chats[k-1]`` must not fall as ``k`` grows.
    """

    max_chats: int = Field(ge=1, le=20)
    speed_by_chats: tuple[float, ...] | None = None

    @model_validator(mode="after")
    def _speeds(self) -> Concurrency:
        speeds = self.speed_by_chats
        problem = None
        if speeds is None:
            if self.max_chats > 1:
                problem = "is required when max_chats > 1 (one rate multiplier per chat count)"
        elif len(speeds) != self.max_chats:
            problem = f"must have max_chats = {self.max_chats} entries, not {len(speeds)}"
        elif speeds[0] != 1.0:
            problem = "must start with 1.0 (a single chat runs at full speed)"
        elif any(not 0.0 < speed <= 1.0 for speed in speeds):
            problem = "entries must lie in (0, 1]"
        else:
            throughput = [k * speed for k, speed in enumerate(speeds, start=1)]
            for k in range(1, len(throughput)):
                if throughput[k] < throughput[k - 1]:
                    problem = (
                        f"throughput k * speed must not fall: {k + 1} chats give "
                        f"{throughput[k]:g} < {throughput[k - 1]:g} with {k}"
                    )
                    break
        if problem:
            raise_problems("Concurrency", [(("speed_by_chats",), problem, speeds)])
        return self

    @property
    def speeds(self) -> tuple[float, ...]:
        """Rate multiplier per chat count (``(1.0,)`` for one chat at a time)."""
        return self.speed_by_chats or (1.0,)


class Repeat(StrictModel):
    """An unresolved contact comes back with ``probability`` after ``delay`` on ``channel``."""

    probability: Fraction
    delay: Distribution
    channel: str | None = None


class Redial(StrictModel):
    """An abandoned real-time contact tries again with ``probability`` after ``delay``."""

    probability: Fraction
    delay: Distribution


class Escalation(StrictModel):
    """A contact escalates to tier 2 with ``probability``; ``type`` sets its response target."""

    probability: Fraction
    type: Literal["operational", "strategic"] = "operational"


class Csat(StrictModel):
    """A transparent customer-satisfaction model.

    ``score = clip(base + per_minute_waited * wait_min + unresolved * (not resolved)
    + escalated * escalated, 1, 5)``; a share ``response_rate`` of contacts answers the survey.
    """

    base: float = Field(ge=1.0, le=5.0)
    per_minute_waited: float = 0.0
    unresolved: float = 0.0
    escalated: float = 0.0
    response_rate: Fraction = 1.0


class ServiceTarget(StrictModel):
    """What ``auto`` staffing aims at for a channel, and what the plan reports against.

    Real-time: a share ``target`` answered within ``threshold`` under ``sl_definition``
    (``short_abandon`` needed by ``excl_short_abandons``), optionally also P(wait) at most
    ``max_p_wait`` and occupancy at most ``max_occupancy``; with forecast error the targets are
    met by the ``criterion``: ``expected`` (the expectation over the day factor meets them) or
    ``confidence`` (met on a share ``confidence`` of days). Deferrable: a share ``target``
    answered within ``threshold``, counted in opening hours when ``business_hours``.
    """

    threshold: PositiveDurationS
    target: Fraction
    sl_definition: Literal["offered", "answered", "excl_short_abandons"] = "offered"
    short_abandon: DurationS | None = None
    business_hours: bool = False
    max_p_wait: Fraction | None = None
    max_occupancy: Fraction | None = None
    criterion: Literal["expected", "confidence"] = "expected"
    confidence: Fraction | None = None

    @field_validator("target", "confidence")
    @classmethod
    def _reachable(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is not None and not 0.0 < value < 1.0:
            reason = " (no staffing reaches 100%)" if info.field_name == "target" else ""
            raise ValueError(f"must lie strictly between 0% and 100%{reason}")
        return value

    @field_validator("max_p_wait", "max_occupancy")
    @classmethod
    def _positive(cls, value: float | None) -> float | None:
        if value is not None and value <= 0.0:
            raise ValueError("must be above 0% (no staffing reaches it)")
        return value

    @model_validator(mode="after")
    def _short_abandon_given(self) -> ServiceTarget:
        problems: list[tuple[tuple[str, ...], str, Any]] = []
        if self.sl_definition == "excl_short_abandons" and not self.short_abandon:
            problems.append(
                (("short_abandon",), "must be given (> 0) for excl_short_abandons", None)
            )
        if self.criterion == "confidence" and self.confidence is None:
            problems.append((("confidence",), "must be given for criterion confidence", None))
        if self.criterion != "confidence" and self.confidence is not None:
            problems.append(
                (
                    ("confidence",),
                    f"is for criterion confidence; criterion is {self.criterion}",
                    self.confidence,
                )
            )
        raise_problems("ServiceTarget", problems)
        return self


_REALTIME_ONLY = ("patience", "concurrency", "redial")


class Channel(StrictModel):
    """One channel of the scenario; see ``scenarios/README.md`` for every field.

    ``resolution_probability`` is the chance the agent resolves a contact (``fcr`` is its
    deprecated name); what the customer feels is measured: no repeat contact within
    ``fcr_window`` (``sla_eval.fcr``).
    """

    kind: Literal["realtime", "deferrable"]
    hours: OpeningHours
    volume: Volume
    intraday_profile: Literal["flat", "office", "extended", "evening"] | tuple[float, ...] = "flat"
    weekday_weights: tuple[float, ...] = (1.0,) * 7
    handle_time: Distribution
    patience: Distribution | None = None
    concurrency: Concurrency | None = None
    resolution_probability: Fraction = 1.0
    fcr: Fraction | None = Field(default=None, exclude=True)
    fcr_window: PositiveDurationS = DEFAULT_FCR_WINDOW_S
    repeat: Repeat | None = None
    redial: Redial | None = None
    escalation: Escalation | None = None
    csat: Csat | None = None
    service_target: ServiceTarget | None = None

    @model_validator(mode="before")
    @classmethod
    def _fcr_alias(cls, data: Any) -> Any:
        """``fcr`` is the deprecated name of ``resolution_probability`` (a notice says so,
        :func:`scenarios.notices.scenario_notices`); a valid value is taken over, an invalid one
        is reported at ``fcr``."""
        if not isinstance(data, dict) or data.get("fcr") is None:
            return data
        if "resolution_probability" in data:
            message = (
                "is the deprecated name of resolution_probability, which is given too; "
                "give only resolution_probability"
            )
            raise problems_error("Channel", [(("fcr",), message, data["fcr"])])
        try:
            value = parse_fraction(data["fcr"])
        except ValueError:
            return data
        return {**data, "resolution_probability": value}

    @field_validator("intraday_profile")
    @classmethod
    def _profile_weights(cls, value: Any) -> Any:
        if isinstance(value, tuple):
            if len(value) != 24:
                raise ValueError(f"must list 24 hourly weights (hour 0..23), not {len(value)}")
            if any(weight < 0 for weight in value) or not any(value):
                raise ValueError("weights must be >= 0 and not all zero")
        return value

    @field_validator("weekday_weights", mode="before")
    @classmethod
    def _weekday_map(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return value
        by_day = expand_weekday_map(value)
        return [by_day.get(day, 1.0) for day in range(7)]

    @field_validator("weekday_weights")
    @classmethod
    def _weights_non_negative(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if len(value) != 7:
            raise ValueError(f"must give 7 weights, Monday first, not {len(value)}")
        if any(weight < 0 for weight in value):
            raise ValueError("weights must be >= 0")
        return value

    @model_validator(mode="after")
    def _kind_rules(self) -> Channel:
        problems: list[tuple[tuple[str, ...], str, Any]] = []
        if self.kind == "deferrable":
            for name in _REALTIME_ONLY:
                if getattr(self, name) is not None:
                    problems.append(
                        ((name,), "is for realtime channels only; this channel is deferrable", None)
                    )
            target = self.service_target
            if target is not None and target.sl_definition != "offered":
                problems.append(
                    (
                        ("service_target", "sl_definition"),
                        "is for realtime channels only; deferrable channels never abandon",
                        target.sl_definition,
                    )
                )
            if target is not None and target.short_abandon is not None:
                problems.append(
                    (
                        ("service_target", "short_abandon"),
                        "is for realtime channels only; deferrable channels never abandon",
                        target.short_abandon,
                    )
                )
            for name in ("max_p_wait", "max_occupancy", "confidence"):
                value = None if target is None else getattr(target, name)
                if value is not None:
                    problems.append(
                        (
                            ("service_target", name),
                            "is for realtime channels only; a backlog is staffed to answer "
                            "every contact in time",
                            value,
                        )
                    )
        elif self.service_target is not None and self.service_target.business_hours:
            problems.append(
                (
                    ("service_target", "business_hours"),
                    "is for deferrable channels only; a realtime wait runs only while open",
                    True,
                )
            )
        if self.hours.is_never_open:
            problems.append((("hours",), "the channel never opens", None))
        elif self.is_realtime:
            problems.extend(self._weight_problems())
        elif not any(self.weekday_weights):
            problems.append(
                (("weekday_weights",), "gives no weight to any day", self.weekday_weights)
            )
        raise_problems("Channel", problems)
        return self

    def _weight_problems(self) -> list[tuple[tuple[str, ...], str, Any]]:
        # realtime demand is spread over open days and open hours only (scenarios.demand)
        hourly = self.hourly_weights
        open_days = [day for day, window in enumerate(self.hours.windows_s) if window]
        if not any(self.weekday_weights[day] > 0 for day in open_days):
            return [(("weekday_weights",), "gives no weight to any open day", self.weekday_weights)]
        problems: list[tuple[tuple[str, ...], str, Any]] = []
        for day in open_days:
            start_s, end_s = self.hours.windows_s[day]  # type: ignore[misc]
            hours = range(start_s // 3600, -(-end_s // 3600))
            if self.weekday_weights[day] > 0 and not any(hourly[hour] > 0 for hour in hours):
                problems.append(
                    (
                        ("intraday_profile",),
                        f"gives no weight to the open hours of {WEEKDAYS[day]}, whose weekday "
                        "weight is above 0",
                        None,
                    )
                )
        return problems

    @property
    def is_realtime(self) -> bool:
        """Whether contacts wait on line (phone, chat) rather than in a backlog."""
        return self.kind == "realtime"

    @property
    def max_chats(self) -> int:
        """Contacts an agent may hold at once (1 without concurrency)."""
        return self.concurrency.max_chats if self.concurrency else 1

    @property
    def hourly_weights(self) -> np.ndarray:
        """The intraday profile as 24 hourly weights (hour 0..23), not normalised."""
        profile = self.intraday_profile
        weights = INTRADAY_PROFILES[profile] if isinstance(profile, str) else profile
        return np.asarray(weights, dtype=float)
