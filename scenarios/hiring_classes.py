"""Hiring classes: when a team may start training new agents, how a class trains and nests,
and the classes (and releases) a plan holds.

A **class** is a group of hires who start paid training together on one date, leave in part
during training (``dropout``), take contacts after ``training_weeks`` and then nest for
``nesting_weeks``, starting at ``nesting_productivity`` of a proficient agent (their handle
time ``1 / nesting_productivity`` times longer) and reaching full speed linearly in handle time
by the end of nesting (the simulation's learning curve, :mod:`sim.agents`).

The block holds two kinds of fields:

- the **rules** a plan must respect: the dates a class may start (``start_days``, or the
  explicit ``start_dates``), no earlier than ``lead_time_weeks`` after the horizon start
  (recruiting), class sizes from ``min_size`` to ``max_size``, at most ``max_classes`` classes,
  and an optional ``ramp_down`` (agents released at a cost) or none;
- the **plan**: ``classes`` (start date and size) and ``releases`` (date and agents), which the
  staffing plan and the simulation carry out. ``ccplan hire`` chooses them
  (:mod:`hire`) and writes them as ``--set`` lines; classes already in the file are held.

The weekly ``hiring`` block of a team is the special case of a class of ``per_week`` agents
starting every week from ``hiring.start + lead_time_weeks``, without nesting or dropout; a team
takes one of the two.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from scenarios._base import Date, StrictModel, parse_weekdays, raise_problems
from scenarios.limits import MAX_AGENTS, MAX_EUR
from scenarios.units import Fraction

__all__ = ["MAX_CLASSES", "HiringClass", "HiringClasses", "RampDown", "Release"]

MAX_CLASSES = 1000
"""Classes and releases a plan may list at most (about one a week for 18 months, per team)."""


class HiringClass(StrictModel):
    """One class of a plan: ``size`` hires starting paid training on ``start``."""

    start: Date
    size: int = Field(ge=1, le=MAX_AGENTS)


class Release(StrictModel):
    """Agents released (ramp-down) on ``date``: the most recently hired leave first."""

    date: Date
    agents: int = Field(ge=1, le=MAX_AGENTS)


class RampDown(StrictModel):
    """Agents may be released at ``cost_per_release_eur`` each (notice, severance), at most
    ``max_per_week`` a week (none: any number)."""

    cost_per_release_eur: float = Field(ge=0, le=MAX_EUR)
    max_per_week: int | None = Field(default=None, ge=1, le=MAX_AGENTS)


class HiringClasses(StrictModel):
    """``hiring_classes`` of a fixed team: the rules of its classes and the classes planned.

    Attributes
    ----------
    start_days:
        Weekdays a class may start on (Monday = 0); default Monday.
    start_dates:
        Explicit dates a class may start on instead of ``start_days``.
    lead_time_weeks:
        Recruiting: the first class may start this long after the horizon start.
    min_size, max_size:
        Hires per class.
    max_classes:
        Classes the plan may start at most (none: no limit).
    training_weeks, nesting_weeks, nesting_productivity:
        Paid, unproductive training; then nesting from ``nesting_productivity`` to full speed.
    dropout:
        Share of a class leaving during training (uniformly over it), never taking contacts.
    paid_training:
        Whether the partner pays hires in training (``fte_hours_per_month`` a month). Each hire,
        dropouts included, costs the partner's ``cost_per_hire_eur``.
    ramp_down:
        Agents may be released at a cost; none: never.
    classes, releases:
        The plan held: classes by start date, releases by date (needs ``ramp_down``).
    """

    start_days: tuple[int, ...] = (0,)
    start_dates: tuple[Date, ...] = Field(default=(), max_length=MAX_CLASSES)
    lead_time_weeks: float = Field(default=0.0, ge=0, le=52)
    min_size: int = Field(default=1, ge=1, le=MAX_AGENTS)
    max_size: int = Field(ge=1, le=MAX_AGENTS)
    max_classes: int | None = Field(default=None, ge=1, le=MAX_CLASSES)
    training_weeks: float = Field(default=0.0, ge=0, le=52)
    nesting_weeks: float = Field(default=0.0, ge=0, le=52)
    nesting_productivity: Fraction = 1.0
    dropout: Fraction = 0.0
    paid_training: bool = True
    ramp_down: RampDown | None = None
    classes: Annotated[tuple[HiringClass, ...], Field(max_length=MAX_CLASSES)] = ()
    releases: Annotated[tuple[Release, ...], Field(max_length=MAX_CLASSES)] = ()

    @field_validator("start_days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> tuple[int, ...]:
        return parse_weekdays(value)

    @model_validator(mode="after")
    def _rules(self) -> HiringClasses:
        problems: list[tuple[tuple[Any, ...], str, Any]] = []
        if self.max_size < self.min_size:
            problems.append(
                (("max_size",), f"must be at least min_size {self.min_size}", self.max_size)
            )
        if self.start_dates and "start_days" in self.model_fields_set:
            problems.append((("start_dates",), "give start_days or start_dates, not both", None))
        for index, day in enumerate(self.start_dates):
            if day in self.start_dates[:index]:
                problems.append((("start_dates", index), "is given twice", day.isoformat()))
        if self.nesting_productivity <= 0.0:
            problems.append(
                (
                    ("nesting_productivity",),
                    "must be above 0 (a nesting agent takes 1 / productivity times as long)",
                    self.nesting_productivity,
                )
            )
        if self.nesting_productivity < 1.0 and self.nesting_weeks == 0.0:
            problems.append(
                (
                    ("nesting_weeks",),
                    f"must be above 0 with nesting_productivity {self.nesting_productivity:.0%}",
                    self.nesting_weeks,
                )
            )
        if self.dropout >= 1.0:
            problems.append((("dropout",), "must be below 100%", self.dropout))
        if self.dropout > 0.0 and self.training_weeks == 0.0:
            problems.append(
                (("dropout",), "happens during training; give training_weeks above 0", None)
            )
        problems += self._plan_problems()
        raise_problems("HiringClasses", problems)
        return self

    def _plan_problems(self) -> list[tuple[tuple[Any, ...], str, Any]]:
        problems: list[tuple[tuple[Any, ...], str, Any]] = []
        for index, held in enumerate(self.classes):
            if not self.min_size <= held.size <= self.max_size:
                problems.append(
                    (
                        ("classes", index, "size"),
                        f"must lie from min_size {self.min_size} to max_size {self.max_size}",
                        held.size,
                    )
                )
            if not self.allows_start(held.start):
                problems.append(
                    (("classes", index, "start"), self.start_rule(), held.start.isoformat())
                )
            if any(other.start == held.start for other in self.classes[:index]):
                problems.append(
                    (("classes", index, "start"), "another class starts that day", None)
                )
        if self.max_classes is not None and len(self.classes) > self.max_classes:
            problems.append((("classes",), f"holds more than max_classes {self.max_classes}", None))
        if self.releases and self.ramp_down is None:
            problems.append((("releases",), "need a ramp_down (its cost)", None))
        return problems

    def allows_start(self, day: date) -> bool:
        """Whether a class may start on ``day`` (its weekday or date is allowed)."""
        if self.start_dates:
            return day in self.start_dates
        return day.weekday() in self.start_days

    def start_rule(self) -> str:
        """The start-date rule in words, for error messages."""
        if self.start_dates:
            return "must be one of start_dates"
        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        return "must fall on one of start_days " + ",".join(names[d] for d in self.start_days)

    @property
    def nesting_aht_multiplier(self) -> float:
        """Handle-time multiplier of a hire on its first day in production,
        ``1 / nesting_productivity``."""
        return 1.0 / self.nesting_productivity
