"""Reading and checking a contact log: :func:`read_log` -> :class:`ContactLog`.

Every check is vectorised over the rows and reported together as a :class:`LogError`, one line
per bad cell with the file, the data row and the column as the file names it (at most
:data:`calibrate.logformat.MAX_PROBLEMS` lines and a count of the rest):

* a timestamp that cannot be read, or a column mixing times with and without a UTC offset;
* an empty channel, arrival or outcome; an answered contact without answer or end time, an
  abandoned one with an answer time or without an end time;
* an answer before the arrival, an end before the answer (or, abandoned, before the arrival);
* absurd durations: a wait over :data:`MAX_WAIT_S` or a handle time over :data:`MAX_HANDLE_S`;
* a tier other than 1 or 2; an ``id`` given twice.

Rows whose outcome is neither ``answered`` nor ``abandoned`` (``transferred``, ``closed``,
``not_offered``, ...) are valid but **set aside**: counted per outcome, left out of every
estimate, and kept only as a customer's return for redial and repeat linkage (a customer who
called back and met a closed line did come back).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from calibrate.grid import on_clock
from calibrate.logformat import (
    ABANDONED,
    ANSWERED,
    MAX_PROBLEMS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    TIME_COLUMNS,
    LogError,
    LogFormat,
    LogProblem,
)
from calibrate.times import as_text, parse_times

__all__ = ["LOG_COLUMNS", "MAX_HANDLE_S", "MAX_WAIT_S", "OUTCOMES", "ContactLog", "read_log"]

MAX_WAIT_S = 31 * 86400.0
"""Longest wait taken as real (a month, for a deferrable backlog); longer is an input error."""
MAX_HANDLE_S = 86400.0
"""Longest handle time taken as real (a day)."""
OUTCOMES = (ANSWERED, ABANDONED, "other")
SECONDS_PER_DAY = 86400.0
_NS = 1e9

LOG_COLUMNS: Mapping[str, str] = {
    "row": "int64",
    "channel": "category",
    "arrival_s": "float64",
    "wait_s": "float64",
    "handle_s": "float64",
    "end_s": "float64",
    "outcome": "category",
    "agent": "int32",
    "customer": "int64",
    "tier": "int8",
}
"""Columns of :attr:`ContactLog.contacts`:

==============  =========  =====================================================================
``row``         int64      data row in the file (1-based; the CSV line is ``row + 1``)
``channel``     category   channel name (lower case, other characters as ``_``)
``arrival_s``   float64    wall-clock seconds from 00:00 of :attr:`ContactLog.start`
``wait_s``      float64    answer - arrival (answered), end - arrival (abandoned); NaN otherwise
``handle_s``    float64    end - answer (answered); NaN otherwise
``end_s``       float64    ``arrival_s + wait_s (+ handle_s)``: when the contact stopped waiting
                           (abandoned) or ended (answered); NaN for set-aside rows
``outcome``     category   ``answered``, ``abandoned`` or ``other`` (set aside)
``agent``       int32      agent code (index into :attr:`ContactLog.agents`), -1 if none
``customer``    int64      customer code, -1 if none
``tier``        int8       1, or 2 for a contact escalated to tier 2
==============  =========  =====================================================================
"""


@dataclass(frozen=True, eq=False)
class ContactLog:
    """A checked contact log on the model clock.

    Attributes
    ----------
    source:
        The file's name, for messages.
    contacts:
        One row per valid contact, :data:`LOG_COLUMNS`, sorted by arrival.
    start:
        First day (the clock's zero is its midnight, wall time).
    n_days:
        Days from ``start`` to the last arrival's day, inclusive.
    timezone:
        The centre's IANA zone.
    rows_read:
        Data rows in the file.
    set_aside:
        Rows set aside per outcome text (neither answered nor abandoned).
    channel_labels:
        Channel name -> the name in the file.
    agents:
        Agent names in the file, indexed by agent code.
    """

    source: str
    contacts: pd.DataFrame
    start: dt.date
    n_days: int
    timezone: str
    rows_read: int
    set_aside: Mapping[str, int]
    channel_labels: Mapping[str, str]
    agents: tuple[str, ...] = ()

    @property
    def channels(self) -> tuple[str, ...]:
        """Channel names, sorted."""
        return tuple(self.channel_labels)

    @property
    def end_s(self) -> float:
        """End of the last day, seconds from :attr:`start`."""
        return self.n_days * SECONDS_PER_DAY

    @property
    def has_agents(self) -> bool:
        """Whether the log names the agent of its answered contacts."""
        return bool(self.agents)

    @property
    def has_customers(self) -> bool:
        """Whether the log names customers (redials, repeats, FCR)."""
        return bool((self.contacts["customer"] >= 0).any())

    def used(self) -> pd.DataFrame:
        """The answered and abandoned contacts (the rows estimates are made from)."""
        return self.contacts[self.contacts["outcome"] != "other"]

    def until(self, day: dt.date) -> ContactLog:
        """The contacts arriving before ``day`` (training data of a back-test)."""
        days = (day - self.start).days
        if not 0 < days <= self.n_days:
            raise LogError(
                [
                    LogProblem(
                        self.source,
                        None,
                        None,
                        f"the split date {day} must lie after the log's first day {self.start} "
                        f"and no later than the day after its last "
                        f"{self.start + dt.timedelta(days=self.n_days - 1)}",
                    )
                ]
            )
        kept = self.contacts[self.contacts["arrival_s"] < days * SECONDS_PER_DAY]
        return replace(self, contacts=kept.reset_index(drop=True), n_days=days)


# --- reading the file ---------------------------------------------------------------------


def _fail(file: str, message: str, value: object = None) -> LogError:
    return LogError([LogProblem(file, None, None, message, value)])


def _header(path: Path, file: str) -> list[str]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), [])
    except FileNotFoundError:
        raise _fail(file, "file not found") from None
    except UnicodeDecodeError as error:
        raise _fail(file, f"file is not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise _fail(file, f"cannot read the file ({error.strerror})") from None


def _read_table(path: Path, file: str, wanted: list[str]) -> pd.DataFrame:
    """The ``wanted`` columns of a CSV (as text) or Parquet file."""
    suffixes = "".join(path.suffixes[-2:]).lower()
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            table = pq.read_table(path, columns=wanted)
        elif suffixes.endswith((".csv", ".csv.gz", ".txt")):
            table = pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(encoding="utf8"),
                convert_options=pacsv.ConvertOptions(
                    include_columns=wanted,
                    column_types={name: pa.string() for name in wanted},
                    strings_can_be_null=False,
                ),
            )
        else:
            raise _fail(file, "a contact log must be a .csv, .csv.gz or .parquet file")
    except FileNotFoundError:
        raise _fail(file, "file not found") from None
    except (pa.ArrowInvalid, OSError) as error:
        first = str(error).splitlines()[0]
        raise _fail(file, f"cannot read the table ({first})") from None
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _file_columns(path: Path, file: str) -> list[str]:
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            return list(pq.read_schema(path).names)
        except FileNotFoundError:
            raise _fail(file, "file not found") from None
        except (pa.ArrowInvalid, OSError) as error:
            raise _fail(file, f"not a Parquet file ({str(error).splitlines()[0]})") from None
    return _header(path, file)


def _resolve(fmt: LogFormat, columns: list[str], file: str) -> dict[str, tuple[str, ...]]:
    present = set(columns)
    sources = {}
    problems = []
    for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
        parts = fmt.source(name)
        missing = [part for part in parts if part not in present]
        if not missing:
            sources[name] = parts
        elif name in REQUIRED_COLUMNS or name in fmt.columns:
            hint = (
                f" (mapped from --columns {name}={fmt.label(name)})" if name in fmt.columns else ""
            )
            problems.append(
                LogProblem(
                    file,
                    None,
                    missing[0],
                    f"no such column{hint}; the file has {', '.join(columns) or 'no header'}",
                )
            )
    if problems:
        raise LogError(problems)
    return sources


# --- checking ---------------------------------------------------------------------------


class _Problems:
    """Bad cells found by vectorised checks: ``add(mask, column, message, shown)`` where
    ``shown(rows)`` gives the values to quote for those rows (computed for reported rows
    only)."""

    def __init__(self, file: str, fmt: LogFormat):
        self.file, self.fmt = file, fmt
        self.found: list[tuple[np.ndarray, str, str, Callable | None]] = []

    def add(self, mask: np.ndarray, column: str, message: str, shown: Callable | None = None):
        rows = np.flatnonzero(mask)
        if rows.size:
            self.found.append((rows, column, message, shown))

    def raise_if_any(self) -> None:
        if not self.found:
            return
        flat = [
            (int(row), order, column, message, shown)
            for order, (rows, column, message, shown) in enumerate(self.found)
            for row in rows[:MAX_PROBLEMS]
        ]
        flat.sort(key=lambda item: (item[0], item[1]))
        total = sum(rows.size for rows, *_ in self.found)
        problems = [
            LogProblem(
                self.file,
                row + 1,
                self.fmt.label(column),
                message,
                None if shown is None else shown(np.array([row]))[0],
            )
            for row, _, column, message, shown in flat[:MAX_PROBLEMS]
        ]
        raise LogError(problems, total - len(problems))


def _text(frame: pd.DataFrame, parts: tuple[str, ...]) -> pd.Series:
    """The column (or the joined columns) as it is in the file."""
    if len(parts) == 1:
        return frame[parts[0]]
    return as_text(frame[parts[0]]).str.cat([as_text(frame[p]) for p in parts[1:]], sep=" ")


def _blank(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return series.isna().to_numpy(bool)
    return (as_text(series) == "").to_numpy(bool)


def _quote(values: pd.Series) -> Callable:
    """``shown`` for :meth:`_Problems.add`: the file's values at the given rows."""
    return lambda rows: values.iloc[rows].to_numpy(object)


_NAME_CHARS = re.compile(r"[^a-z0-9]+")


def _channel_names(labels: pd.Series, file: str) -> tuple[pd.Categorical, dict[str, str]]:
    raw = pd.Categorical(as_text(labels).to_numpy(object))
    names = [_NAME_CHARS.sub("_", str(c).lower()).strip("_") or "channel" for c in raw.categories]
    mapping: dict[str, str] = {}
    for name, label in zip(names, raw.categories, strict=True):
        if name in mapping:
            raise _fail(
                file,
                f"channels {mapping[name]!r} and {label!r} both become the channel name "
                f"{name!r}: rename one",
            )
        mapping[name] = str(label)
    channel = pd.Categorical.from_codes(raw.codes, categories=names)
    order = sorted(mapping)
    return channel.reorder_categories(order), {n: mapping[n] for n in order}


def _codes(series: pd.Series, blank: np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """Codes of the values (-1 where ``blank``) and the distinct values."""
    codes, uniques = pd.factorize(as_text(series).where(~blank), use_na_sentinel=True)
    return codes.astype(np.int64), uniques


def _check_times(table, sources, fmt, problems, used) -> dict[str, np.ndarray]:
    """Parse the time columns; each as float seconds (UTC instants), NaN where missing, and
    the arrival's wall time as ``"wall"``."""
    how = "ISO 8601" if fmt.time_format is None else repr(fmt.time_format)
    seconds = {}
    for name in TIME_COLUMNS:
        raw = _text(table, sources[name])
        parsed = parse_times(raw, time_format=fmt.time_format, timezone=fmt.timezone)
        check = np.ones(len(raw), bool) if name == "arrival" else used
        problems.add(check & parsed.bad, name, f"cannot read the time as {how}", _quote(raw))
        problems.add(
            check & parsed.mixed,
            name,
            "the column mixes times with and without a UTC offset",
            _quote(raw),
        )
        missing = np.isnat(parsed.instant)
        values = parsed.instant.astype(np.int64) / _NS
        values[missing] = np.nan
        seconds[name] = values
        if name == "arrival":
            problems.add(missing & ~parsed.bad & ~parsed.mixed, name, "the arrival is empty")
            seconds["wall"] = parsed.wall
    return seconds


def _check_ids(table, sources, problems) -> None:
    if "id" not in sources:
        return
    ids = _text(table, sources["id"])
    blank = _blank(ids)
    codes, _ = pd.factorize(as_text(ids).where(~blank), use_na_sentinel=True)
    given = np.flatnonzero(codes >= 0)
    first_of_code = np.zeros(int(codes.max(initial=-1)) + 1, dtype=np.int64)
    first_of_code[codes[given][::-1]] = given[::-1]  # written last to first: the first stays
    first_row = np.where(codes >= 0, first_of_code[np.maximum(codes, 0)], -1)
    repeated = (codes >= 0) & (first_row != np.arange(len(ids)))

    def shown(rows: np.ndarray) -> np.ndarray:
        return np.array([f"{ids.iloc[r]}, first on row {first_row[r] + 1}" for r in rows])

    problems.add(repeated, "id", "the id was already used", shown)


def read_log(path: str | Path, log_format: LogFormat | None = None) -> ContactLog:
    """Read and check a contact log (CSV or Parquet) into a :class:`ContactLog`.

    Parameters
    ----------
    path:
        The file (``.csv``, ``.csv.gz`` or ``.parquet``).
    log_format:
        Column mapping, time format and time zone (:class:`~calibrate.logformat.LogFormat`).

    Raises
    ------
    LogError
        For a missing file or column and for every bad cell (module docstring), one line each.
    """
    fmt = log_format or LogFormat()
    path = Path(path)
    file = str(path)
    sources = _resolve(fmt, _file_columns(path, file), file)
    wanted = sorted({part for parts in sources.values() for part in parts})
    table = _read_table(path, file, wanted)
    n = len(table)
    if n == 0:
        raise _fail(file, "the log has no rows")
    problems = _Problems(file, fmt)

    channel_text = _text(table, sources["channel"])
    problems.add(_blank(channel_text), "channel", "the channel is empty")
    outcome_text = as_text(_text(table, sources["outcome"])).str.lower()
    problems.add((outcome_text == "").to_numpy(bool), "outcome", "the outcome is empty")
    answered = (outcome_text == ANSWERED).to_numpy(bool)
    abandoned = (outcome_text == ABANDONED).to_numpy(bool)
    used = answered | abandoned

    t = _check_times(table, sources, fmt, problems, used)
    no_answer, no_end = np.isnan(t["answer"]), np.isnan(t["end"])
    problems.add(answered & no_answer, "answer", "an answered contact needs an answer time")
    problems.add(abandoned & ~no_answer, "answer", "an abandoned contact has an answer time")
    problems.add(used & no_end, "end", "the end of the contact is empty")
    wait_s = np.where(answered, t["answer"], t["end"]) - t["arrival"]
    handle_s = t["end"] - t["answer"]
    with np.errstate(invalid="ignore"):
        problems.add(answered & (wait_s < 0), "answer", "the answer is before the arrival")
        problems.add(abandoned & (wait_s < 0), "end", "the end is before the arrival")
        problems.add(answered & (handle_s < 0), "end", "the end is before the answer")
        long_wait = used & (wait_s > MAX_WAIT_S)
        days = f"a wait over {MAX_WAIT_S / SECONDS_PER_DAY:g} days is not plausible"
        in_days = lambda rows: [f"{wait_s[r] / SECONDS_PER_DAY:.1f} days" for r in rows]  # noqa: E731
        problems.add(long_wait & answered, "answer", days, in_days)
        problems.add(long_wait & abandoned, "end", days, in_days)
        problems.add(
            answered & (handle_s > MAX_HANDLE_S),
            "end",
            f"a handle time over {MAX_HANDLE_S / 3600:g} hours is not plausible",
            lambda rows: [f"{handle_s[r] / 3600:.1f} hours" for r in rows],
        )
    tier = np.ones(n, dtype=np.int8)
    if "tier" in sources:
        tier_text = as_text(_text(table, sources["tier"]))
        bad = ~tier_text.isin(["", "1", "2"]).to_numpy(bool)
        problems.add(bad, "tier", "the tier must be 1 or 2", _quote(tier_text))
        tier[(tier_text == "2").to_numpy(bool)] = 2
    _check_ids(table, sources, problems)
    problems.raise_if_any()

    agent = np.full(n, -1, dtype=np.int32)
    agents: tuple[str, ...] = ()
    if "agent" in sources:
        agent_text = _text(table, sources["agent"])
        codes, names = _codes(agent_text, _blank(agent_text) | ~answered)
        agent, agents = codes.astype(np.int32), tuple(str(name) for name in names)
    customer = np.full(n, -1, dtype=np.int64)
    if "customer" in sources:
        customer_text = _text(table, sources["customer"])
        customer, _ = _codes(customer_text, _blank(customer_text))
    channel, labels = _channel_names(channel_text, file)

    wall = t["wall"]
    start = pd.Timestamp(wall.min()).date()
    arrival_s = (wall - np.datetime64(start, "ns")).astype(np.int64) / _NS
    wait_s = np.where(used, wait_s, np.nan)
    handle_s = np.where(answered, handle_s, np.nan)
    end_s = on_clock(arrival_s + wait_s + np.where(answered, handle_s, 0.0))
    outcome = np.where(answered, 0, np.where(abandoned, 1, 2)).astype(np.int8)
    contacts = pd.DataFrame(
        {
            "row": np.arange(1, n + 1, dtype=np.int64),
            "channel": channel,
            "arrival_s": arrival_s,
            "wait_s": wait_s,
            "handle_s": handle_s,
            "end_s": end_s,
            "outcome": pd.Categorical.from_codes(outcome, categories=list(OUTCOMES)),
            "agent": agent,
            "customer": customer,
            "tier": tier,
        }
    )
    contacts = contacts.sort_values("arrival_s", kind="stable", ignore_index=True)
    set_aside = outcome_text[~used].value_counts().sort_index()
    return ContactLog(
        source=file,
        contacts=contacts,
        start=start,
        n_days=int(arrival_s.max() // SECONDS_PER_DAY) + 1,
        timezone=fmt.timezone,
        rows_read=n,
        set_aside={str(k): int(v) for k, v in set_aside.items()},
        channel_labels=labels,
        agents=agents,
    )
