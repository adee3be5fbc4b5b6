"""The log's calendar: days from its first day, weekdays, intervals of the day, and counts of
contacts on that grid (the model clock: wall time, every day 86,400 s)."""

from __future__ import annotations

import datetime as dt

import numpy as np

__all__ = [
    "SECONDS_PER_DAY",
    "WEEKDAYS",
    "answer_s",
    "clock_text",
    "day_slot_counts",
    "on_clock",
    "weekdays",
]

SECONDS_PER_DAY = 86400.0
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def on_clock(seconds: np.ndarray) -> np.ndarray:
    """Moments rounded to the microsecond, the log's resolution: a sum such as arrival + wait
    then lands exactly on an interval boundary it reaches (08:00:00, not 07:59:59.999...)."""
    return np.round(np.asarray(seconds, np.float64), 6)


def answer_s(contacts) -> np.ndarray:
    """When each contact was answered (or, abandoned, left the queue): ``arrival_s + wait_s``
    on the log's clock."""
    return on_clock(contacts["arrival_s"].to_numpy(np.float64) + contacts["wait_s"].to_numpy())


def weekdays(start: dt.date, n_days: int) -> np.ndarray:
    """Weekday (Monday 0) of each day ``0 .. n_days-1`` from ``start``."""
    return (start.weekday() + np.arange(n_days)) % 7


def day_slot_counts(times_s: np.ndarray, n_days: int, interval_s: float) -> np.ndarray:
    """Contacts per day and interval of the day: an ``(n_days, 86400 / interval_s)`` int64
    matrix of the moments ``times_s`` (seconds from the first day's midnight; those outside
    the days are left out)."""
    per_day = round(SECONDS_PER_DAY / interval_s)
    slot = np.floor(np.asarray(times_s, np.float64) / interval_s)
    slot = slot[(slot >= 0) & (slot < n_days * per_day)].astype(np.int64)
    return np.bincount(slot, minlength=n_days * per_day).reshape(n_days, per_day)


def clock_text(seconds: float) -> str:
    """``"HH:MM"`` of seconds after midnight (``"24:00"`` for the end of the day)."""
    minutes = round(seconds / 60.0)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
