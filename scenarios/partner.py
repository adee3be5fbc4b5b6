"""The outsourcing partner: teams and how they are staffed, scale-up, pricing; and tier 2.

A team serves one channel (dedicated) or several (a blended pool, served in the listed priority
order). Its staffing is one of three modes, told apart by ``mode``:

- ``fixed``: a headcount working weekly shift patterns; may grow by hiring and shrink by
  attrition, and new hires follow a learning curve;
- ``roster``: a CSV of agents on duty per interval (before shrinkage);
- ``auto``: staffed to the Erlang requirement of ``staffing/`` with a safety factor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_serializer, field_validator, model_validator

from scenarios._base import (
    MAX_CHANNELS,
    WEEKDAYS,
    ChannelList,
    Date,
    NonEmpty,
    ReadOnlyDict,
    StrictModel,
    format_clock,
    parse_clock_s,
    parse_weekdays,
    raise_problems,
    repeated_names,
    resolve_data_file,
)
from scenarios.calendar import SECONDS_PER_DAY, OpeningHours
from scenarios.distribution import Distribution
from scenarios.hiring_classes import HiringClasses
from scenarios.limits import MAX_AGENTS, MAX_EUR
from scenarios.units import Fraction, NonNegativeRatio, PositiveDurationS

__all__ = [
    "ROSTER_FILE_COLUMNS",
    "TIER2_ROSTER",
    "Absence",
    "AutoStaffing",
    "FixedStaffing",
    "Hiring",
    "LearningCurve",
    "Partner",
    "Pricing",
    "ResponseTargets",
    "RosterStaffing",
    "Shift",
    "Staffing",
    "Team",
    "Tier2",
]

TIER2_ROSTER = "tier2"
"""The key of tier 2's agents per interval among the team rosters (no team may be called so)."""

ROSTER_FILE_COLUMNS = ("interval_start", "agents")
"""Columns a roster CSV must have: ISO local datetime of the interval start, agents on duty."""


class Shift(StrictModel):
    """A weekly shift pattern worked by a share of a fixed team's headcount.

    ``start`` and ``end`` are held in seconds after midnight, written and dumped as ``"08:00"``
    (end ``"24:00"`` allowed). An end at or before the start means the shift runs past midnight into
    the next day; ``days`` are the days the shift starts on (Monday = 0).
    """

    name: str = Field(min_length=1)
    days: tuple[int, ...]
    start: int
    end: int
    share: Fraction

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> tuple[int, ...]:
        return parse_weekdays(value)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock(cls, value: Any, info: ValidationInfo) -> int:
        # numbers are refused: YAML 1.1 reads an unquoted 16:00 as the number 960
        return parse_clock_s(value, allow_24=info.field_name == "end")

    @field_serializer("start", "end")
    def _clock_text(self, seconds: int) -> str:
        return format_clock(seconds)

    @model_validator(mode="after")
    def _not_empty(self) -> Shift:
        if self.start == self.end:
            raise_problems("Shift", [(("end",), "must differ from start", self.end)])
        return self

    @property
    def duration_s(self) -> int:
        """Length of the shift in seconds."""
        return (self.end - self.start) % SECONDS_PER_DAY or SECONDS_PER_DAY

    def week_mask(self, interval_s: float) -> np.ndarray:
        """Intervals of a week the shift covers: bool array (7, intervals per day), Monday first.

        An interval is covered when its start lies in the shift; a shift past midnight covers
        the start of the next day (Sunday's night shift covers Monday morning).
        """
        per_day = int(SECONDS_PER_DAY // interval_s)
        starts = np.arange(7 * per_day) * float(interval_s)
        covered = np.zeros(7 * per_day, dtype=bool)
        week_s = 7 * SECONDS_PER_DAY
        for day in self.days:
            begin = day * SECONDS_PER_DAY + self.start
            offset = (starts - begin) % week_s
            covered |= offset < self.duration_s
        return covered.reshape(7, per_day)


class FixedStaffing(StrictModel):
    """``mode: fixed``: ``headcount`` agents at horizon start working ``shifts``."""

    mode: Literal["fixed"]
    headcount: int = Field(ge=0, le=MAX_AGENTS)
    shifts: Annotated[tuple[Shift, ...], NonEmpty, Field(max_length=100)]

    @model_validator(mode="after")
    def _shift_rules(self) -> FixedStaffing:
        names = [shift.name for shift in self.shifts]
        problems = repeated_names("shifts", "name", names, "shift")
        for day in range(7):
            total = sum(shift.share for shift in self.shifts if day in shift.days)
            if total > 1.0 + 1e-9:
                problems.append(
                    (
                        ("shifts",),
                        f"shares of the shifts starting on {WEEKDAYS[day]} add up to "
                        f"{total:.0%}, more than the whole headcount",
                        round(total, 6),
                    )
                )
        raise_problems("FixedStaffing", problems)
        return self

    def week_share(self, interval_s: float) -> np.ndarray:
        """Share of the headcount on duty per interval of a week: (7, intervals per day)."""
        return np.asarray(sum(shift.share * shift.week_mask(interval_s) for shift in self.shifts))


class RosterStaffing(StrictModel):
    """``mode: roster``: agents on duty per interval from a CSV (``interval_start, agents``)."""

    mode: Literal["roster"]
    file: Path

    @field_validator("file", mode="before")
    @classmethod
    def _resolve_file(cls, value: Any, info: ValidationInfo) -> Path:
        return resolve_data_file(value, info, ROSTER_FILE_COLUMNS)


class AutoStaffing(StrictModel):
    """``mode: auto``: scheduled = ceil(required * (1 + safety_factor) / (1 - shrinkage))."""

    mode: Literal["auto"]
    safety_factor: NonNegativeRatio = 0.0
    method: Literal["stationary", "lagged", "modified_offered_load"] = "stationary"


Staffing = Annotated[FixedStaffing | RosterStaffing | AutoStaffing, Field(discriminator="mode")]
"""A team's staffing, discriminated by ``mode``."""


class Hiring(StrictModel):
    """Weekly hiring from ``start``; a hire joins production after lead time plus training."""

    per_week: int = Field(ge=0, le=10_000)
    start: Date
    lead_time_weeks: float = Field(default=0.0, ge=0, le=52)
    training_weeks: float = Field(default=0.0, ge=0, le=52)
    max_headcount: int | None = Field(default=None, ge=1, le=MAX_AGENTS)

    @property
    def weeks_to_production(self) -> float:
        """Weeks from a hire being requested to the agent taking contacts."""
        return self.lead_time_weeks + self.training_weeks


class LearningCurve(StrictModel):
    """New agents start at ``aht_multiplier`` times the handle time and ``fcr_penalty`` below the
    FCR, both fading linearly to 1 and 0 over ``weeks_to_proficiency`` of production tenure."""

    aht_multiplier: float = Field(ge=1.0, le=10.0)
    fcr_penalty: Fraction = 0.0
    weeks_to_proficiency: float = Field(gt=0, le=104)


class Absence(StrictModel):
    """Random absence: the share of a team's scheduled agents present is drawn per day.

    ``binomial``: each scheduled agent is absent with probability ``shrinkage``;
    ``beta_binomial``: the day's absence probability is itself a beta variable with mean
    ``shrinkage`` and coefficient of variation ``day_cv``.
    """

    distribution: Literal["binomial", "beta_binomial"]
    day_cv: NonNegativeRatio | None = None

    @model_validator(mode="after")
    def _cv_fits(self) -> Absence:
        if self.distribution == "beta_binomial" and not self.day_cv:
            raise_problems(
                "Absence", [(("day_cv",), "must be given and above 0 for beta_binomial", None)]
            )
        if self.distribution == "binomial" and self.day_cv is not None:
            raise_problems(
                "Absence",
                [(("day_cv",), "is for beta_binomial; a binomial has no CV to set", self.day_cv)],
            )
        return self


class Team(StrictModel):
    """A team of the partner serving ``channels`` in priority order.

    ``contracted_fte`` is the staff the partner committed to provide (FTE of
    ``fte_hours_per_month`` hours); the ``staff_availability`` KPI measures productive staffed
    hours against it.
    """

    name: str = Field(min_length=1)
    channels: ChannelList
    staffing: Staffing
    hiring: Hiring | None = None
    hiring_classes: HiringClasses | None = None
    learning_curve: LearningCurve | None = None
    attrition_per_month: Fraction = 0.0
    end_of_duty: Literal["finish_contact", "hand_back"] = "finish_contact"
    min_agents: int = Field(default=0, ge=0, le=MAX_AGENTS)
    absence: Absence | None = None
    contracted_fte: float | None = Field(default=None, gt=0, le=1_000_000)

    @model_validator(mode="after")
    def _scale_up_rules(self) -> Team:
        problems: list[tuple[tuple[Any, ...], str, Any]] = []
        for index, channel in enumerate(self.channels):
            if channel in self.channels[:index]:
                problems.append((("channels", index), "is listed twice", channel))
        fixed = isinstance(self.staffing, FixedStaffing)
        mode = self.staffing.mode
        if not fixed:
            for name in ("hiring", "hiring_classes", "learning_curve"):
                if getattr(self, name) is not None:
                    problems.append(
                        ((name,), f"needs staffing mode fixed (a headcount); mode is {mode}", None)
                    )
            if self.attrition_per_month:
                problems.append(
                    (
                        ("attrition_per_month",),
                        f"needs staffing mode fixed (a headcount); mode is {mode}",
                        self.attrition_per_month,
                    )
                )
        else:
            problems += self._class_problems()
        if fixed and self.hiring is not None and self.hiring.max_headcount is not None:
            headcount = self.staffing.headcount  # type: ignore[union-attr]
            if self.hiring.max_headcount < headcount:
                problems.append(
                    (
                        ("hiring", "max_headcount"),
                        f"must be at least the starting headcount {headcount}",
                        self.hiring.max_headcount,
                    )
                )
        raise_problems("Team", problems)
        return self

    def _class_problems(self) -> list[tuple[tuple[Any, ...], str, Any]]:
        """A fixed team's hires: ``hiring`` or ``hiring_classes``, a learning curve only for
        ``hiring`` (a class's learning curve is its nesting), a starting headcount to scale."""
        problems: list[tuple[tuple[Any, ...], str, Any]] = []
        if self.learning_curve is not None and self.hiring is None:
            problems.append(
                (("learning_curve",), "applies to new hires; give hiring as well", None)
            )
        classes = self.hiring_classes
        if classes is None:
            return problems
        if self.hiring is not None:
            problems.append(
                (
                    ("hiring_classes",),
                    "give hiring (a class every week) or hiring_classes, not both",
                    None,
                )
            )
        if self.learning_curve is not None:
            problems.append(
                (
                    ("learning_curve",),
                    "hires of hiring_classes learn by its nesting_weeks and "
                    "nesting_productivity; give one learning curve",
                    None,
                )
            )
        if self.staffing.headcount == 0:  # type: ignore[union-attr]
            problems.append(
                (
                    ("staffing", "headcount"),
                    "must be at least 1 with hiring_classes: the shifts' shape at the starting "
                    "headcount is what hires scale",
                    0,
                )
            )
        return problems


class Pricing(StrictModel):
    """What the client pays the partner: exactly one of the three forms (euros)."""

    per_agent_hour_eur: float | None = Field(default=None, ge=0, le=MAX_EUR)
    per_fte_month_eur: float | None = Field(default=None, ge=0, le=MAX_EUR)
    per_contact_eur: (
        Annotated[
            ReadOnlyDict[Annotated[float, Field(ge=0, le=MAX_EUR)]], Field(max_length=MAX_CHANNELS)
        ]
        | None
    ) = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Pricing:
        given = [name for name, value in self if value is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of per_agent_hour_eur, per_fte_month_eur or per_contact_eur"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self


class Partner(StrictModel):
    """The outsourcing partner: its teams, shrinkage, pricing and costs.

    Its cost (``sla_eval.partner_cost``): every paid agent hour (scheduled, before shrinkage,
    and hires in training) at ``labour_cost_per_agent_hour_eur``, ``cost_per_hire_eur`` per
    hire and ``overhead_per_fte_month_eur`` per paid FTE and month.
    """

    name: str = Field(min_length=1)
    shrinkage: Fraction
    pricing: Pricing | None = None
    labour_cost_per_agent_hour_eur: float | None = Field(default=None, ge=0, le=MAX_EUR)
    cost_per_hire_eur: float = Field(default=0.0, ge=0, le=MAX_EUR)
    overhead_per_fte_month_eur: float = Field(default=0.0, ge=0, le=MAX_EUR)
    fte_hours_per_month: float = Field(default=160.0, gt=0, le=744)
    fte_hours_per_week: float = Field(default=38.0, gt=0, le=168)
    teams: Annotated[tuple[Team, ...], NonEmpty, Field(max_length=100)]

    @field_validator("shrinkage")
    @classmethod
    def _below_one(cls, value: float) -> float:
        if value >= 1.0:
            raise ValueError("must be below 100% (scheduled = required / (1 - shrinkage))")
        return value

    @model_validator(mode="after")
    def _unique_team_names(self) -> Partner:
        names = [team.name for team in self.teams]
        raise_problems("Partner", repeated_names("teams", "name", names, "team"))
        return self

    def team_of(self, channel: str) -> Team:
        """The team serving ``channel``; KeyError when none does."""
        for team in self.teams:
            if channel in team.channels:
                return team
        raise KeyError(f"no team of partner {self.name!r} serves channel {channel!r}")


class ResponseTargets(StrictModel):
    """Tier-2 response targets by escalation type, in seconds."""

    operational: PositiveDurationS = 4 * 3600.0
    strategic: PositiveDurationS = 24 * 3600.0


class Tier2(StrictModel):
    """The team answering escalations: ``agents`` on duty while open, or ``auto`` (the plan's
    requirement per interval, see :func:`staffing.tier2_plan`)."""

    agents: Annotated[int, Field(ge=1, le=10_000)] | Literal["auto"]
    hours: OpeningHours
    handle_time: Distribution
    response_targets: ResponseTargets = ResponseTargets()

    @model_validator(mode="after")
    def _opens(self) -> Tier2:
        if self.hours.is_never_open:
            raise_problems("Tier2", [(("hours",), "tier 2 never opens", None)])
        return self
