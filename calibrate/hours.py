"""What kind each channel is, when it opens, and which days the whole centre was closed.

**Kind.** A channel is ``realtime`` (callers wait on the line) when some of its contacts
abandon or 99 % of its answered contacts waited under an hour; otherwise ``deferrable`` (a
backlog). The caller may state the kind instead.

**Closed days.** A day on which no realtime channel offered a single contact although its
weekday brings at least :data:`CLOSED_DAY_MIN_EXPECTED` of them on average (so that a quiet
day is not mistaken for a closed one: ``P(0 | Poisson 20) = 2e-9``). Deferrable channels keep
receiving on such days, as in the model.

**Opening hours.** Per channel and weekday, the window from the first to the last interval of
the day in which contacts showed up on at least two dates of that weekday (one if the weekday
occurs once), closed days left out; a stray contact on one date does not widen it. Realtime
channels are timed by arrivals (a caller reaches the queue only while it is open); deferrable
ones by answers (the backlog is worked only while it is open). Gaps inside a window count as
open (the scenario has one window per day). Windows lie on the interval grid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calibrate.grid import SECONDS_PER_DAY, WEEKDAYS, clock_text, day_slot_counts, weekdays
from scenarios.errors import InputError

__all__ = [
    "CLOSED_DAY_MIN_EXPECTED",
    "KINDS",
    "Hours",
    "channel_kinds",
    "closed_days",
    "opening_hours",
]

KINDS = ("realtime", "deferrable")
CLOSED_DAY_MIN_EXPECTED = 20.0
REALTIME_P99_WAIT_S = 3600.0


def channel_kinds(used: pd.DataFrame, stated: Mapping[str, str] | None = None) -> dict[str, str]:
    """``realtime`` or ``deferrable`` per channel of the answered and abandoned contacts
    ``used`` (rule in the module docstring); ``stated`` kinds win."""
    stated = dict(stated or {})
    for name, kind in stated.items():
        if kind not in KINDS:
            raise InputError(f"--kind {name}={kind}: the kind must be realtime or deferrable")
    kinds = {}
    for name, rows in used.groupby("channel", observed=True):
        abandons = (rows["outcome"] == "abandoned").any()
        waits = rows.loc[rows["outcome"] == "answered", "wait_s"]
        quick = waits.size > 0 and float(np.quantile(waits, 0.99)) < REALTIME_P99_WAIT_S
        kinds[str(name)] = "realtime" if abandons or quick else "deferrable"
    unknown = sorted(set(stated) - set(kinds))
    if unknown:
        raise InputError(
            f"--kind names channels not in the log: {', '.join(unknown)} "
            f"(the log has {', '.join(sorted(kinds))})"
        )
    kinds.update(stated)
    return kinds


def closed_days(contacts: pd.DataFrame, kinds: Mapping[str, str], start, n_days: int):
    """Days (indices from ``start``) closed for the whole centre: the rule of the module
    docstring applied to the answered and abandoned realtime ``contacts`` per day."""
    realtime = [name for name, kind in kinds.items() if kind == "realtime"]
    rows = contacts[(contacts["outcome"] != "other") & contacts["channel"].isin(realtime)]
    day = np.floor(rows["arrival_s"].to_numpy() / SECONDS_PER_DAY).astype(np.int64)
    counts = np.bincount(day, minlength=n_days)[:n_days].astype(np.float64)
    day_weekday = weekdays(start, n_days)
    closed = []
    for weekday in range(7):
        days = np.flatnonzero(day_weekday == weekday)
        if days.size < 2:
            continue
        empty = days[counts[days] == 0]
        busy = counts[days][counts[days] > 0]
        if empty.size and busy.size and busy.mean() >= CLOSED_DAY_MIN_EXPECTED:
            closed += empty.tolist()
    return np.array(sorted(closed), dtype=np.int64)


@dataclass(frozen=True)
class Hours:
    """Opening hours of one channel: per weekday (Monday first) the open interval slots
    ``[first, stop)`` of the day, or None when closed that weekday."""

    windows: tuple[tuple[int, int] | None, ...]
    interval_s: float

    @property
    def slots_per_day(self) -> int:
        return round(SECONDS_PER_DAY / self.interval_s)

    @property
    def open_weekdays(self) -> np.ndarray:
        """Seven flags, Monday first."""
        return np.array([window is not None for window in self.windows])

    def day_mask(self, day_weekday: np.ndarray) -> np.ndarray:
        """``(n_days, slots_per_day)`` bool: open slots of each day (by its weekday)."""
        week = np.zeros((7, self.slots_per_day), dtype=bool)
        for weekday, window in enumerate(self.windows):
            if window is not None:
                week[weekday, window[0] : window[1]] = True
        return week[day_weekday]

    def scenario_value(self) -> str | dict[str, str]:
        """The scenario's ``hours`` field: ``"24/7"`` or ``{weekday: "HH:MM-HH:MM"}``."""
        full = (0, self.slots_per_day)
        if all(window == full for window in self.windows):
            return "24/7"
        return {
            WEEKDAYS[weekday]: (
                "closed"
                if window is None
                else f"{clock_text(window[0] * self.interval_s)}-"
                f"{clock_text(window[1] * self.interval_s)}"
            )
            for weekday, window in enumerate(self.windows)
        }


def opening_hours(
    times_s: np.ndarray, start, n_days: int, interval_s: float, closed: np.ndarray
) -> Hours:
    """Opening hours from the moments contacts arrived (realtime) or were answered
    (deferrable), ``times_s`` on the log's clock; ``closed`` days are left out."""
    seen = day_slot_counts(times_s, n_days, interval_s) > 0
    day_weekday = weekdays(start, n_days)
    keep = np.ones(n_days, dtype=bool)
    keep[closed] = False
    windows: list[tuple[int, int] | None] = []
    for weekday in range(7):
        days = np.flatnonzero(keep & (day_weekday == weekday))
        if days.size == 0:
            windows.append(None)
            continue
        dates_seen = seen[days].sum(axis=0)
        slots = np.flatnonzero(dates_seen >= min(2, days.size))
        windows.append(None if slots.size == 0 else (int(slots[0]), int(slots[-1]) + 1))
    return Hours(tuple(windows), float(interval_s))
