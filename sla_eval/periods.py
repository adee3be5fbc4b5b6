"""Measurement periods: which interval, day, week, month, quarter a moment of the horizon is in.

Times are seconds from the horizon start (the simulation clock, local wall time without DST
gaps); the horizon starts at midnight of its ``start`` date. Period kinds:

===========  ==============================================================================
kind         period ``k`` (0-based, counted from the period that contains the horizon start)
===========  ==============================================================================
interval     ``floor(t / interval_s)``
day          ``floor(t / 86400)``
week         calendar weeks starting on Monday: ``floor((day + weekday(start)) / 7)`` with
             ``weekday`` 0 for Monday, so a horizon starting on a Wednesday has a first week
             of five days
month        calendar months: ``12 * (year - year0) + (month - month0)`` of the date
quarter      calendar quarters (January, April, July, October): month index in quarters
horizon      0 for every moment
===========  ==============================================================================

A period's **nominal** length is its full calendar length, also when the horizon covers only
part of it: an interval ``interval_s``, a day 86,400 s, a week 7 days, a month or a quarter its
calendar days (:func:`period_nominal_s`). The horizon has none. :func:`period_coverage_frac`
gives the share of each period inside the measured part of the horizon.

A contact belongs to the period of its **arrival**. Its wait, handling, escalation and repeat
may run into the next period, but the contract promises a service to the contacts offered in a
period: counting each contact once, where it arrived, makes every period's KPIs refer to the
same contacts as its volume (which the forecast, the relief band and the minimum volume are
about), and it is how ACD reports count calls (offered in the interval they arrive). The agent
log is assigned by interval start; outage time is split exactly at period boundaries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scenarios.errors import InputError

__all__ = [
    "PERIOD_KINDS",
    "SECONDS_PER_DAY",
    "Calendar",
    "billing_period_of",
    "billing_share",
    "period_coverage_frac",
    "period_index",
    "period_nominal_s",
    "period_table",
]

PERIOD_KINDS = ("interval", "day", "week", "month", "quarter", "horizon")
SECONDS_PER_DAY = 86400.0
_MONTHS_PER_QUARTER = 3
_DAYS_PER_WEEK = 7


def _check_kind(kind: str) -> None:
    if kind not in PERIOD_KINDS:
        raise InputError(f"period kind must be one of {', '.join(PERIOD_KINDS)} (got {kind!r})")


def _check_interval(interval_s: float) -> None:
    if not interval_s > 0 or SECONDS_PER_DAY % interval_s != 0:
        raise InputError(f"interval_s must divide a day (86400 s) evenly (got {interval_s!r})")


def period_index(
    times_s: np.ndarray, *, start: dt.date, kind: str, interval_s: float
) -> np.ndarray:
    """Period of each moment, as an int64 array (see the module docstring for the rules).

    Parameters
    ----------
    times_s:
        Seconds from the horizon start (non-negative).
    start:
        The horizon start date (the clock's zero is its midnight).
    kind:
        One of :data:`PERIOD_KINDS`.
    interval_s:
        Interval length in seconds (must divide a day).
    """
    _check_kind(kind)
    _check_interval(interval_s)
    times = np.asarray(times_s, dtype=np.float64)
    if kind == "interval":
        return np.floor(times / interval_s).astype(np.int64)
    day = np.floor(times / SECONDS_PER_DAY).astype(np.int64)
    if kind == "day":
        return day
    if kind == "week":
        return (day + start.weekday()) // 7
    if kind == "horizon":
        return np.zeros(times.shape, dtype=np.int64)
    dates = np.datetime64(start, "D") + day.astype("timedelta64[D]")
    months = dates.astype("datetime64[M]").astype(np.int64)
    month0 = np.datetime64(start, "M").astype(np.int64)
    if kind == "month":
        return months - month0
    return months // _MONTHS_PER_QUARTER - month0 // _MONTHS_PER_QUARTER


def period_table(
    *, start: dt.date, kind: str, interval_s: float, horizon_s: float, warmup_s: float = 0.0
) -> pd.DataFrame:
    """The periods of one kind that overlap the measured part ``[warmup_s, horizon_s)``.

    Every period boundary lies on the interval grid (the interval divides a day), so the
    periods are found by classifying the interval starts.

    Returns
    -------
    pandas.DataFrame
        One row per period, in time order: ``period`` (int64, as :func:`period_index`),
        ``period_start`` (datetime64[ns]: the period's first moment inside the horizon, so a
        week or month cut by the horizon start begins at the horizon start), ``start_s`` and
        ``end_s`` (float64, the period inside the horizon, seconds from its start).
    """
    _check_interval(interval_s)
    if not horizon_s > 0 or horizon_s % interval_s != 0:
        raise InputError(
            f"horizon_s must be a positive multiple of interval_s {interval_s} (got {horizon_s!r})"
        )
    if not 0 <= warmup_s < horizon_s:
        raise InputError(f"warmup_s must be in [0, horizon_s {horizon_s}) (got {warmup_s!r})")
    grid_s = np.arange(round(horizon_s / interval_s), dtype=np.float64) * interval_s
    index = period_index(grid_s, start=start, kind=kind, interval_s=interval_s)
    first = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
    start_s = grid_s[first]
    end_s = np.r_[start_s[1:], horizon_s]
    keep = end_s > warmup_s
    origin = pd.Timestamp(start)
    return pd.DataFrame(
        {
            "period": index[first][keep],
            "period_start": (origin + pd.to_timedelta(start_s[keep], unit="s")).astype(
                "datetime64[ns]"
            ),
            "start_s": start_s[keep],
            "end_s": end_s[keep],
        }
    )


def _calendar_days(first_month: np.ndarray, months: int) -> np.ndarray:
    """Days from the first day of each ``first_month`` (datetime64[M]) to ``months`` later."""
    first_day = first_month.astype("datetime64[D]")
    last_day = (first_month + np.timedelta64(months, "M")).astype("datetime64[D]")
    return (last_day - first_day).astype(np.int64)


def period_nominal_s(
    periods: np.ndarray, *, start: dt.date, kind: str, interval_s: float
) -> np.ndarray:
    """Full calendar length of each period, in seconds (float64 array).

    Parameters
    ----------
    periods:
        Period indices of ``kind``, as :func:`period_index` numbers them from ``start``.
    start:
        The horizon start date.
    kind:
        One of :data:`PERIOD_KINDS` except ``horizon`` (which has no calendar length).
    interval_s:
        Interval length in seconds (must divide a day).
    """
    _check_kind(kind)
    _check_interval(interval_s)
    index = np.asarray(periods, dtype=np.int64)
    if kind == "horizon":
        raise InputError("the horizon period kind has no calendar length")
    if kind == "interval":
        return np.full(index.shape, float(interval_s))
    if kind == "day":
        return np.full(index.shape, SECONDS_PER_DAY)
    if kind == "week":
        return np.full(index.shape, _DAYS_PER_WEEK * SECONDS_PER_DAY)
    month0 = np.datetime64(start, "M").astype(np.int64)
    if kind == "month":
        first = (month0 + index).astype("datetime64[M]")
        return _calendar_days(first, 1) * SECONDS_PER_DAY
    quarter0 = month0 // _MONTHS_PER_QUARTER
    first = ((quarter0 + index) * _MONTHS_PER_QUARTER).astype("datetime64[M]")
    return _calendar_days(first, _MONTHS_PER_QUARTER) * SECONDS_PER_DAY


def period_coverage_frac(
    *, start: dt.date, kind: str, interval_s: float, horizon_s: float, warmup_s: float = 0.0
) -> pd.Series:
    """Share of each period's calendar length inside the measured part ``[warmup_s, horizon_s)``.

    ``covered_s / nominal_s``, with ``covered_s = end_s - max(start_s, warmup_s)`` of
    :func:`period_table` and ``nominal_s`` from :func:`period_nominal_s`: 1 for a period the
    measured part covers whole, 2/31 for the first two days of March.

    Returns
    -------
    pandas.Series
        float64, indexed by ``period`` (int64), the periods of :func:`period_table` in order.
    """
    table = period_table(
        start=start, kind=kind, interval_s=interval_s, horizon_s=horizon_s, warmup_s=warmup_s
    )
    periods = table["period"].to_numpy()
    covered_s = table["end_s"].to_numpy() - np.maximum(table["start_s"].to_numpy(), warmup_s)
    nominal_s = period_nominal_s(periods, start=start, kind=kind, interval_s=interval_s)
    return pd.Series(covered_s / nominal_s, index=pd.Index(periods, name="period"), name="frac")


@dataclass(frozen=True)
class Calendar:
    """The measured horizon: its start date, interval, length and warm-up (seconds)."""

    start: dt.date
    interval_s: float
    horizon_s: float
    warmup_s: float = 0.0

    def table(self, kind: str) -> pd.DataFrame:
        """:func:`period_table` of ``kind`` over this horizon."""
        return period_table(
            start=self.start,
            kind=kind,
            interval_s=self.interval_s,
            horizon_s=self.horizon_s,
            warmup_s=self.warmup_s,
        )

    def _intervals(self) -> tuple[np.ndarray, np.ndarray]:
        """Start of every interval and its measured seconds (after the warm-up)."""
        starts = np.arange(round(self.horizon_s / self.interval_s)) * float(self.interval_s)
        ends = np.minimum(starts + self.interval_s, self.horizon_s)
        return starts, np.clip(ends - np.maximum(starts, self.warmup_s), 0.0, None)

    def index(self, times_s: np.ndarray, kind: str) -> np.ndarray:
        """:func:`period_index` of ``times_s`` for ``kind``."""
        return period_index(times_s, start=self.start, kind=kind, interval_s=self.interval_s)


def billing_share(calendar: Calendar, kind: str, billing: str) -> pd.Series:
    r"""How many billing periods' worth of fee each period of ``kind`` holds.

    .. math:: \text{share}(P) = \sum_{i \in P} m_i / L(b_i)

    over the intervals ``i`` of the period with measured seconds ``m_i`` (after the warm-up)
    and ``L(b_i)`` the calendar length of the billing period ``b_i`` the interval lies in: a
    fixed fee ``X`` per billing period is ``X · share(P)`` in ``P``. A week inside March holds
    7/31 of the March fee, a week from 29 March to 4 April 3/31 of March's and 4/30 of April's,
    and the periods of any kind hold the same total, so a measurement period never changes what
    the client pays for the same days. For ``kind == billing`` it is
    :func:`period_coverage_frac`.

    Returns
    -------
    pandas.Series
        float64 indexed by ``period`` (int64), the periods of :meth:`Calendar.table`.
    """
    _check_kind(billing)
    if billing == "horizon":
        raise InputError("a fee is billed per day, week, month or quarter, not per horizon")
    starts, measured_s = calendar._intervals()
    nominal_s = period_nominal_s(
        calendar.index(starts, billing),
        start=calendar.start,
        kind=billing,
        interval_s=calendar.interval_s,
    )
    share = pd.Series(measured_s / nominal_s).groupby(calendar.index(starts, kind)).sum()
    periods = calendar.table(kind)["period"].to_numpy()
    return pd.Series(
        share.reindex(periods).to_numpy(np.float64),
        index=pd.Index(periods, name="period"),
        name="share",
    )


def billing_period_of(calendar: Calendar, kind: str, billing: str) -> pd.Series:
    """The billing period each period of ``kind`` is settled in: the one holding its last
    measured moment (a credit is known when its period closes and goes on that invoice).

    Returns
    -------
    pandas.Series
        int64 billing period indexed by ``period`` of :meth:`Calendar.table`.
    """
    table = calendar.table(kind)
    last_s = np.maximum(table["end_s"].to_numpy() - calendar.interval_s, table["start_s"])
    billed = calendar.index(np.asarray(last_s, np.float64), billing)
    return pd.Series(billed, index=pd.Index(table["period"].to_numpy(), name="period"))
