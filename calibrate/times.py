"""Timestamps of a contact log: parsed once, vectorised, into wall time and true instants.

For every time column two arrays of ``datetime64[ns]`` are built:

* **wall** -- the centre's local wall-clock time without a zone. It places a contact in its day
  and interval, as the model clock does (every day has 86,400 s);
* **instant** -- the same moment in UTC. Durations (waits, handle times) are differences of
  instants, so a call across a daylight-saving change keeps its real length.

Text with a UTC offset (``...+01:00`` or ``...Z``) is an instant and is converted to the
centre's zone for its wall time. Text without one is wall time in the centre's zone; its
instant is found with :meth:`pandas.DatetimeIndex.tz_localize`, taking the first of the two
readings of an hour repeated when clocks go back and moving a time that does not exist (the
hour skipped in spring) forward. A column must not mix the two kinds. ``unix`` numbers are
instants.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["ParsedTimes", "as_text", "parse_times"]

_OFFSET = r"(?:[Zz]|[+-]\d\d:?\d\d)\s*$"
UNIX = "unix"


@dataclass(frozen=True)
class ParsedTimes:
    """One parsed column: ``wall`` and ``instant`` (datetime64[ns], NaT where missing or bad),
    ``bad`` (bool: a value was given but could not be read) and ``mixed`` (bool: the value has
    a UTC offset while the column's first one has none, or the other way round)."""

    wall: np.ndarray
    instant: np.ndarray
    bad: np.ndarray
    mixed: np.ndarray


_TEXT = pd.ArrowDtype(pa.string())


def as_text(values: pd.Series) -> pd.Series:
    """The values as Arrow-backed text without surrounding blanks, ``""`` where missing (Arrow
    string kernels keep a million rows fast)."""
    if values.dtype != _TEXT:
        values = values.astype(_TEXT)
    return values.fillna("").str.strip()


def _from_instants(instants: pd.DatetimeIndex, timezone: str) -> tuple[np.ndarray, np.ndarray]:
    """Aware instants -> (wall in ``timezone``, UTC), both naive datetime64[ns]."""
    wall = instants.tz_convert(timezone).tz_localize(None)
    utc = instants.tz_convert("UTC").tz_localize(None)
    return wall.to_numpy("datetime64[ns]"), utc.to_numpy("datetime64[ns]")


def _from_wall(wall: pd.DatetimeIndex, timezone: str) -> tuple[np.ndarray, np.ndarray]:
    """Naive wall times in ``timezone`` -> (wall, UTC instants)."""
    if timezone == "UTC":
        values = wall.to_numpy("datetime64[ns]")
        return values, values
    first_reading = np.ones(len(wall), dtype=bool)
    aware = wall.tz_localize(timezone, ambiguous=first_reading, nonexistent="shift_forward")
    return wall.to_numpy("datetime64[ns]"), aware.tz_convert("UTC").tz_localize(None).to_numpy(
        "datetime64[ns]"
    )


def _typed(values: pd.Series, timezone: str) -> ParsedTimes:
    """A column already of a datetime type (Parquet)."""
    index = pd.DatetimeIndex(values).as_unit("ns")
    if index.tz is not None:
        wall, instant = _from_instants(index, timezone)
    else:
        wall, instant = _from_wall(index, timezone)
    nothing = np.zeros(len(values), dtype=bool)
    return ParsedTimes(wall, instant, nothing, nothing)


def _unix(values: pd.Series, timezone: str) -> ParsedTimes:
    if pd.api.types.is_numeric_dtype(values):
        seconds = values.to_numpy(np.float64, na_value=np.nan)
        given = ~np.isnan(seconds)
    else:
        text = as_text(values)
        given = (text != "").to_numpy(bool)
        seconds = pd.to_numeric(text.to_numpy(object), errors="coerce").astype(np.float64)
    # more than 1e11 seconds is beyond the year 5138: not epoch seconds
    bad = given & ~(np.abs(seconds) <= 1e11)
    index = pd.DatetimeIndex(pd.to_datetime(np.where(bad, np.nan, seconds), unit="s", utc=True))
    wall, instant = _from_instants(index.as_unit("ns"), timezone)
    return ParsedTimes(wall, instant, bad, np.zeros(len(values), dtype=bool))


def parse_times(values: pd.Series, *, time_format: str | None, timezone: str) -> ParsedTimes:
    """Parse one time column (see the module docstring).

    Parameters
    ----------
    values:
        Text (empty or missing for no value), epoch numbers, or a datetime column.
    time_format:
        ``None`` (ISO 8601), ``"unix"`` or a ``strftime`` pattern.
    timezone:
        The centre's IANA zone.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return _typed(values, timezone)
    if time_format == UNIX:
        return _unix(values, timezone)
    text = as_text(values)
    given = (text != "").to_numpy(bool)
    has_offset = text.str.contains(_OFFSET, regex=True).to_numpy(bool) & given
    first = np.flatnonzero(given)
    with_offset = bool(has_offset[first[0]]) if first.size else False
    mixed = given & (has_offset != with_offset)
    pattern = "ISO8601" if time_format is None else time_format
    parsed = pd.to_datetime(text.where(given & ~mixed), format=pattern, errors="coerce", utc=True)
    index = pd.DatetimeIndex(parsed).as_unit("ns")
    if with_offset:
        wall, instant = _from_instants(index, timezone)
    else:
        wall, instant = _from_wall(index.tz_localize(None), timezone)
    bad = given & ~mixed & np.isnat(wall)
    return ParsedTimes(wall, instant, bad, mixed)
