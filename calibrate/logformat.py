"""The contact-log format ccplan reads (``docs/contact-log.md``), and how a user's export maps
onto it.

One row per contact, CSV or Parquet. Columns (names after ``--columns`` mapping):

=============  ========  ===================================================================
column         needed    meaning
=============  ========  ===================================================================
``channel``    yes       queue or channel name (``Phone NL`` becomes the channel ``phone_nl``)
``arrival``    yes       when the contact reached the queue
``answer``     yes       when an agent answered it; empty if never answered
``end``        yes       end of handling (answered) or of waiting (abandoned)
``outcome``    yes       ``answered``, ``abandoned``, or anything else (counted, set aside)
``id``         no        contact id; a duplicate is an error
``agent``      no        who answered (gives teams and staffing inferred from activity)
``customer``   no        who contacted (gives redials, repeats and FCR)
``tier``       no        ``1`` handled by the front line, ``2`` escalated to tier 2
=============  ========  ===================================================================

Timestamps are ISO 8601 (``2027-03-01T08:00:05``, with or without a UTC offset), text in
``time_format`` (a ``strftime`` pattern such as ``%d/%m/%Y %H:%M:%S``), or ``unix`` (seconds
since 1970-01-01 UTC). ``timezone`` is the centre's IANA zone: timestamps without an offset are
its wall time, timestamps with one are converted to it. Positions in the day (intervals,
opening hours) use wall time; durations (wait, handle time) use the true elapsed time, so a
call across a daylight-saving change keeps its real length.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scenarios.errors import InputError

__all__ = [
    "ABANDONED",
    "ANSWERED",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "TIME_COLUMNS",
    "LogError",
    "LogFormat",
    "LogProblem",
    "parse_column_map",
]

REQUIRED_COLUMNS = ("channel", "arrival", "answer", "end", "outcome")
OPTIONAL_COLUMNS = ("id", "agent", "customer", "tier")
TIME_COLUMNS = ("arrival", "answer", "end")
ANSWERED, ABANDONED = "answered", "abandoned"
MAX_PROBLEMS = 20
"""Problems listed one per line; further ones are counted in one last line."""
_COMBINE = "+"


@dataclass(frozen=True)
class LogProblem:
    """One bad cell: the file, the 1-based data row (the CSV line is ``row + 1`` after the
    header), the column as named in the file, what is wrong and the value found."""

    file: str
    row: int | None
    column: str | None
    message: str
    value: object = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        text = ", ".join(where) + f": {self.message}"
        if self.value is not None:
            text += f" (got {str(self.value)[:60]!r})"
        return text


class LogError(InputError):
    """A contact log (or a staffing file) that cannot be read: one line per problem, at most
    :data:`MAX_PROBLEMS` of them and a count of the rest."""

    def __init__(self, problems: Iterable[LogProblem], more: int = 0):
        self.problems = tuple(problems)
        self.more = more
        lines = [str(p) for p in self.problems]
        if more:
            lines.append(f"{self.problems[0].file}: {more} more problems not shown")
        super().__init__("\n".join(lines))


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"--timezone: unknown IANA time zone (got {name!r})") from None
    return name


@dataclass(frozen=True)
class LogFormat:
    """How to read a user's export.

    Attributes
    ----------
    columns:
        Format column -> the file's column, e.g. ``{"arrival": "call_start"}``; a date and a
        time column are joined with ``+`` (``{"arrival": "date+q_start"}``). Unnamed format
        columns are looked up under their own name.
    time_format:
        ``None`` for ISO 8601, ``"unix"`` for epoch seconds, or a ``strftime`` pattern (applied
        to ``date time`` for joined columns).
    timezone:
        IANA zone of the centre's wall clock (default ``UTC``).
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    time_format: str | None = None
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
        for name, source in self.columns.items():
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise InputError(
                    f"--columns: {name!r} is not a contact-log column ({', '.join(known)}){hint}"
                )
            if not source or any(not part.strip() for part in source.split(_COMBINE)):
                raise InputError(f"--columns: {name}= needs a column name (got {source!r})")
            if _COMBINE in source and name not in TIME_COLUMNS:
                raise InputError(
                    f"--columns: only {', '.join(TIME_COLUMNS)} may join columns with "
                    f"'{_COMBINE}' (got {name}={source})"
                )
        object.__setattr__(self, "columns", MappingProxyType(dict(self.columns)))
        _check_timezone(self.timezone)

    def source(self, name: str) -> tuple[str, ...]:
        """The file column(s) holding format column ``name``."""
        return tuple(part.strip() for part in self.columns.get(name, name).split(_COMBINE))

    def label(self, name: str) -> str:
        """How the file names format column ``name`` (for messages)."""
        return self.columns.get(name, name)


_PAIR = re.compile(r"^\s*([^=\s]+)\s*=\s*(.+?)\s*$")


def parse_column_map(text: str | None) -> dict[str, str]:
    """``"arrival=q_start,channel=queue"`` -> ``{"arrival": "q_start", "channel": "queue"}``."""
    if not text:
        return {}
    mapping: dict[str, str] = {}
    for part in text.split(","):
        match = _PAIR.match(part)
        if match is None:
            raise InputError(f"--columns: write new=old pairs separated by commas (got {part!r})")
        name, source = match.groups()
        if name in mapping:
            raise InputError(f"--columns: {name} is mapped twice")
        mapping[name] = source
    return mapping
