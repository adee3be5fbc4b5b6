"""The planning calendar: the horizon with its interval grid, and weekly opening hours.

The model clock is local wall time in seconds from midnight at the start of the horizon's first
day; every day has 86,400 s (no daylight-saving gaps). Interval ``i`` covers
``[i * interval_s, (i + 1) * interval_s)`` and lies on day ``i // intervals_per_day``.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import numpy as np
from pydantic import Field, field_validator, model_validator

from scenarios._base import (
    WEEKDAYS,
    Date,
    StrictModel,
    expand_weekday_map,
    format_clock,
    parse_clock_s,
    raise_problems,
)
from scenarios.limits import MAX_HORIZON_DAYS
from scenarios.units import PositiveDurationS

__all__ = ["ALLOWED_INTERVALS_S", "SECONDS_PER_DAY", "Horizon", "OpeningHours"]

SECONDS_PER_DAY = 86400
ALLOWED_INTERVALS_S = (900.0, 1800.0, 3600.0)
"""Interval lengths a horizon may use: 15, 30 or 60 minutes."""

_ALWAYS = "24/7"
_CLOSED = "closed"


class Horizon(StrictModel):
    """The planned period and its interval grid.

    Attributes
    ----------
    start:
        First day (local date).
    days:
        Number of days, 1..731 (two years: a capacity plan of 18 months fits); at 15-minute
        intervals that is at most 70,176 intervals.
    interval:
        Interval length in seconds: 900, 1800 or 3600 (friendly ``15m``, ``30m``, ``1h``).
    timezone:
        IANA time-zone name, used for labels only.
    closed_days:
        Dates on which every channel is closed (public holidays). A holiday calendar may list
        dates outside the horizon: only those inside it apply, so shortening a scenario with
        ``--set horizon.days=...`` needs no other change.
    """

    start: Date
    days: int = Field(ge=1, le=MAX_HORIZON_DAYS)
    interval: PositiveDurationS
    timezone: str = "UTC"
    closed_days: tuple[Date, ...] = Field(default=(), max_length=MAX_HORIZON_DAYS)

    @field_validator("interval")
    @classmethod
    def _interval_on_menu(cls, value: float) -> float:
        if value not in ALLOWED_INTERVALS_S:
            raise ValueError("must be 15m, 30m or 60m")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                "must be an IANA time-zone name such as Europe/Amsterdam or UTC"
            ) from None
        return value

    @model_validator(mode="after")
    def _room_and_distinct_closed_days(self) -> Horizon:
        if self.start > date.max - timedelta(days=self.days):
            raise_problems(
                "Horizon", [(("start",), "leaves no room for the horizon's days", str(self.start))]
            )
        problems = []
        for index, day in enumerate(self.closed_days):
            if day in self.closed_days[:index]:
                problems.append((("closed_days", index), "is given twice", day.isoformat()))
        raise_problems("Horizon", problems)
        return self

    @property
    def interval_s(self) -> float:
        """Interval length in seconds."""
        return self.interval

    @property
    def intervals_per_day(self) -> int:
        """Number of intervals in one day."""
        return int(SECONDS_PER_DAY // self.interval)

    @property
    def n_intervals(self) -> int:
        """Number of intervals in the horizon, ``days * intervals_per_day``."""
        return self.days * self.intervals_per_day

    @property
    def horizon_s(self) -> float:
        """Length of the horizon in seconds, ``days * 86400``."""
        return float(self.days * SECONDS_PER_DAY)

    @property
    def end(self) -> date:
        """Last day of the horizon (inclusive)."""
        return self.start + timedelta(days=self.days - 1)

    def contains(self, day: date) -> bool:
        """Whether ``day`` is one of the horizon's days."""
        return self.start <= day <= self.end

    def day_offset(self, day: date) -> int:
        """Days from the horizon start to ``day`` (negative before it)."""
        return (day - self.start).days

    def open_mask(self, hours: OpeningHours) -> np.ndarray:
        """Per-interval open mask of ``hours`` over this horizon, closed days shut."""
        return hours.open_mask(self.start, self.days, self.interval, self.closed_days)

    def period_starts(self, kind: str) -> list[date]:
        """First calendar day of each ``day``, ``week`` (Monday), ``month`` or ``quarter``
        period that overlaps the horizon, in order (the first may begin before the start)."""
        starts: list[date] = []
        for offset in range(self.days):
            day = self.start + timedelta(days=offset)
            if kind == "week":
                day -= timedelta(days=day.weekday())
            elif kind == "month":
                day = day.replace(day=1)
            elif kind == "quarter":
                day = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
            elif kind != "day":
                raise ValueError(f"unknown period kind {kind!r}")
            if not starts or starts[-1] != day:
                starts.append(day)
        return starts

    def closed_day_mask(self) -> np.ndarray:
        """Per-interval mask of the intervals that fall on a closed day of this horizon."""
        by_day = np.zeros((self.days, self.intervals_per_day), dtype=bool)
        for day in self.closed_days:
            if self.contains(day):
                by_day[self.day_offset(day)] = True
        return by_day.reshape(-1)


def _parse_window(text: Any) -> tuple[int, int] | None:
    if isinstance(text, str) and text.strip().lower() == _CLOSED:
        return None
    if not isinstance(text, str) or text.count("-") != 1:
        raise ValueError(f"window {text!r} must be 'HH:MM-HH:MM' or 'closed'")
    first, last = text.split("-")
    start_s = parse_clock_s(first)
    end_s = parse_clock_s(last, allow_24=True)
    if end_s <= start_s:
        raise ValueError(
            f"window {text!r} must end after it starts (one window per day; write 24:00 for "
            "midnight)"
        )
    return (start_s, end_s)


class OpeningHours(StrictModel):
    """Weekly opening hours: at most one window per weekday.

    Written in a scenario as ``"24/7"`` or as a map of weekdays (``mon``, ranges such as
    ``mon-fri``, ``all``) to ``"HH:MM-HH:MM"`` (end ``24:00`` allowed) or ``closed``; days not
    named are closed.

    Attributes
    ----------
    windows_s:
        Seven entries, Monday first: ``(open_s, close_s)`` in seconds after midnight, or None
        when closed all day.
    """

    windows_s: tuple[tuple[int, int] | None, ...] = Field(min_length=7, max_length=7)

    @model_validator(mode="before")
    @classmethod
    def _from_friendly(cls, data: Any) -> Any:
        if isinstance(data, str):
            if data.strip().lower() != _ALWAYS:
                raise ValueError('must be "24/7" or a map of weekdays to "HH:MM-HH:MM" or closed')
            return {"windows_s": [(0, SECONDS_PER_DAY)] * 7}
        if isinstance(data, dict) and "windows_s" in data:
            return data
        by_day = expand_weekday_map(data)
        windows: list[tuple[int, int] | None] = [None] * 7
        for day, text in by_day.items():
            try:
                windows[day] = _parse_window(text)
            except ValueError as error:
                raise ValueError(f"{WEEKDAYS[day]}: {error}") from None
        return {"windows_s": windows}

    @property
    def is_24_7(self) -> bool:
        """Whether every day is open from 00:00 to 24:00."""
        return all(window == (0, SECONDS_PER_DAY) for window in self.windows_s)

    @property
    def is_never_open(self) -> bool:
        """Whether every day is closed."""
        return all(window is None for window in self.windows_s)

    def is_open(self, weekday: int, seconds_of_day: float) -> bool:
        """Whether the hours are open at ``seconds_of_day`` on ``weekday`` (Monday = 0).

        Windows are half-open: open at their start, closed at their end.
        """
        window = self.windows_s[weekday]
        return window is not None and window[0] <= seconds_of_day < window[1]

    def open_mask(
        self,
        start_date: date,
        n_days: int,
        interval_s: float,
        closed_days: Iterable[date] = (),
    ) -> np.ndarray:
        """Boolean mask over ``n_days * 86400 / interval_s`` intervals starting ``start_date``.

        An interval is open when its start lies in its day's window and its day is not in
        ``closed_days``.
        """
        per_day = int(SECONDS_PER_DAY // interval_s)
        starts = np.arange(per_day) * float(interval_s)
        week = np.zeros((7, per_day), dtype=bool)
        for day, window in enumerate(self.windows_s):
            if window is not None:
                week[day] = (starts >= window[0]) & (starts < window[1])
        weekdays = (start_date.weekday() + np.arange(n_days)) % 7
        mask = week[weekdays]
        for closed in closed_days:
            offset = (closed - start_date).days
            if 0 <= offset < n_days:
                mask[offset] = False
        return mask.reshape(-1)

    def off_grid_times(self, interval_s: float) -> list[str]:
        """Window edges that are not multiples of ``interval_s``, as ``"mon 08:10"`` labels."""
        return [
            f"{WEEKDAYS[day]} {format_clock(edge)}"
            for day, window in enumerate(self.windows_s)
            if window is not None
            for edge in window
            if edge % interval_s
        ]
