"""Per-interval CSV tables on the horizon's interval grid (volume forecasts, rosters).

A table has a header row with exactly two columns, ``interval_start`` and a value column
(``contacts`` for volumes, ``agents`` for rosters), in either order, and one row per interval
of the horizon:

.. code-block:: text

    interval_start,contacts
    2027-03-01T00:00,0
    2027-03-01T00:15,1.5

``interval_start`` is an ISO local date-time without a UTC offset (the model clock is local
wall time). Every interval of the horizon must appear exactly once, on the grid
(``start + i * interval_s``); values are non-negative numbers (``1.5k`` allowed). Every problem
is reported at once as a :class:`~scenarios.errors.ScenarioError` naming the file and line.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from scenarios._base import MAX_DATA_FILE_BYTES
from scenarios.errors import Problem, ScenarioError
from scenarios.units import parse_count

__all__ = ["read_interval_csv", "read_interval_rows"]

_MAX_PROBLEMS = 20
_TIME_COLUMN = "interval_start"


class _Problems:
    """Collects the problems of one file, keeping the first few and counting the rest."""

    def __init__(self, file: str, path: str):
        self.file, self.path = file, path
        self.kept: list[Problem] = []
        self.dropped = 0

    def add(self, message: str, line: int | None = None, value=Problem.NO_VALUE) -> None:
        if len(self.kept) < _MAX_PROBLEMS:
            self.kept.append(Problem(message, self.path, self.file, line, None, value))
        else:
            self.dropped += 1

    def raise_if_any(self) -> None:
        if self.dropped:
            self.kept.append(
                Problem(f"{self.dropped} more problems not shown", self.path, self.file)
            )
        if self.kept:
            raise ScenarioError(self.kept)


def _read_text(path: Path, problems: _Problems) -> str | None:
    try:
        size = os.stat(path).st_size
        if size > MAX_DATA_FILE_BYTES:
            problems.add(f"file is larger than the {MAX_DATA_FILE_BYTES} bytes allowed", value=size)
            return None
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        problems.add("file not found")
    except UnicodeDecodeError as error:
        problems.add(f"file is not UTF-8 text ({error.reason})")
    except OSError as error:
        problems.add(f"cannot read the file ({error.strerror})")
    return None


def _interval_index(text: str, start: dt.datetime, interval_s: float, n_intervals: int) -> int:
    """Index of the interval starting at ``text``; ValueError with the rule otherwise."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("must be an ISO local date-time such as 2027-03-01T08:15") from None
    if moment.tzinfo is not None:
        raise ValueError("must be a local date-time without a UTC offset")
    offset_s = (moment - start).total_seconds()
    index, remainder = divmod(offset_s, interval_s)
    if remainder:
        raise ValueError(f"is not on the {interval_s / 60:g}-minute interval grid")
    if not 0 <= index < n_intervals:
        raise ValueError("is outside the horizon")
    return int(index)


def _parse_value(text: str, whole: bool, at_most: float) -> float:
    """A non-negative number, plain or friendly (``1.5k``), whole if asked and at most
    ``at_most``; ValueError with the rule otherwise."""
    try:
        number = float(text)
    except ValueError:
        number = parse_count(text.strip())
    else:
        number = parse_count(number)
    if whole and number != int(number):
        raise ValueError("must be a whole number")
    if number > at_most:
        raise ValueError(f"must be at most {at_most:,.0f} (a plausibility limit)")
    return number


def _numbered_rows(
    rows: Iterator[list[str]], problems: _Problems
) -> Iterator[tuple[int, list[str]]]:
    """The data rows with their line numbers; a row the CSV reader cannot read (a field over
    the reader's size limit) is a problem that ends the reading."""
    line = 1
    while True:
        line += 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            problems.add(f"unreadable CSV row ({error})", line)
            return
        yield line, row


def read_interval_csv(
    path: str | os.PathLike[str],
    value_column: str,
    *,
    start: dt.date,
    interval_s: float,
    n_intervals: int,
    field_path: str = "",
    whole: bool = False,
    at_most: float = math.inf,
) -> np.ndarray:
    """Read a per-interval table into a float64 array indexed by interval.

    Parameters
    ----------
    path:
        The CSV file.
    value_column:
        Name of the value column, e.g. ``"contacts"`` or ``"agents"``.
    start, interval_s, n_intervals:
        The horizon's first day (interval 0 starts at its midnight), interval length in seconds
        and number of intervals.
    field_path:
        Dotted path of the scenario field that names the file, used in error messages.
    whole, at_most:
        Values must be whole numbers (agents), and at most ``at_most``.

    Returns
    -------
    numpy.ndarray
        float64 array of length ``n_intervals``: value of interval ``i``.

    Raises
    ------
    ScenarioError
        For every problem found (missing file, not UTF-8 text, bad header, unreadable or
        duplicate rows, NUL bytes or over-long fields, rows off the grid or outside the horizon,
        values that are negative, not finite, not whole or above ``at_most``, intervals
        missing), each naming the file and line.
    """
    problems = _Problems(os.fspath(path), field_path)
    text = _read_text(Path(path), problems)
    if text is None:
        problems.raise_if_any()
    assert text is not None, "_read_text adds a problem whenever it returns None"
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        problems.add("file holds a NUL byte; a CSV table is text", line)
        problems.raise_if_any()
    rows = csv.reader(text.splitlines())
    try:
        header = [name.strip() for name in next(rows, [])]
    except csv.Error as error:
        problems.add(f"unreadable CSV ({error})", 1)
        problems.raise_if_any()
    return _check_rows(
        header, _numbered_rows(rows, problems), problems, value_column, start=start,
        interval_s=interval_s, n_intervals=n_intervals, whole=whole, at_most=at_most,
    )  # fmt: skip


def read_interval_rows(
    rows: Iterable[tuple[int, list[str]]],
    value_column: str,
    *,
    file: str,
    start: dt.date,
    interval_s: float,
    n_intervals: int,
    field_path: str = "",
    whole: bool = False,
    at_most: float = math.inf,
) -> np.ndarray:
    """:func:`read_interval_csv` of a table already split into rows of text (a spreadsheet's,
    say): ``(row number, cells)``, the header first; the same rules, problems named
    ``file:row``.

    Raises
    ------
    ScenarioError
        For every problem found, each naming the file and row.
    """
    problems = _Problems(file, field_path)
    numbered = iter(rows)
    first = next(numbered, None)
    header = [] if first is None else [cell.strip() for cell in first[1]]
    return _check_rows(
        header, numbered, problems, value_column, start=start, interval_s=interval_s,
        n_intervals=n_intervals, whole=whole, at_most=at_most,
    )  # fmt: skip


def _check_rows(
    header: list[str],
    rows: Iterable[tuple[int, list[str]]],
    problems: _Problems,
    value_column: str,
    *,
    start: dt.date,
    interval_s: float,
    n_intervals: int,
    whole: bool,
    at_most: float,
) -> np.ndarray:
    """The values of numbered data rows under ``header`` (rules in the module docstring)."""
    if sorted(header) != sorted([_TIME_COLUMN, value_column]):
        problems.add(
            f"header must name the columns {_TIME_COLUMN} and {value_column}", 1, ",".join(header)
        )
        problems.raise_if_any()
    time_col, value_col = header.index(_TIME_COLUMN), header.index(value_column)
    origin = dt.datetime.combine(start, dt.time())
    values = np.full(n_intervals, np.nan)
    first_line = np.zeros(n_intervals, dtype=np.int64)
    for line, row in rows:
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.add(f"row must have {len(header)} fields", line, ",".join(row))
            continue
        try:
            index = _interval_index(row[time_col], origin, interval_s, n_intervals)
        except ValueError as error:
            problems.add(f"{_TIME_COLUMN} {error}", line, row[time_col])
            continue
        try:
            value = _parse_value(row[value_col], whole, at_most)
        except ValueError as error:
            problems.add(f"{value_column} {error}", line, row[value_col])
            continue
        if first_line[index]:
            problems.add(
                f"{_TIME_COLUMN} repeats the interval of line {first_line[index]}",
                line,
                row[time_col],
            )
            continue
        first_line[index], values[index] = line, value
    missing = np.flatnonzero(first_line == 0)
    if missing.size and not problems.kept:
        first = origin + dt.timedelta(seconds=float(missing[0]) * interval_s)
        problems.add(
            f"{missing.size} of the horizon's {n_intervals} intervals have no row, "
            f"the first one starting {first.isoformat(timespec='minutes')}"
        )
    problems.raise_if_any()
    return values
