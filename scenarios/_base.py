"""Shared pieces of the scenario schema.

The base class :class:`StrictModel` every schema model derives from (frozen, unknown keys rejected,
no NaN or infinity), the weekday and clock-time parsers used by opening hours, weights and
shifts, a read-only mapping type, a non-negative ratio type that may exceed 100 % (an uplift of
140 %), file references resolved against the validation context, and :func:`raise_problems`,
which reports several cross-field problems at once, each under its own field path.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

__all__ = [
    "MAX_CHANNELS",
    "MAX_DATA_FILE_BYTES",
    "NAME_PATTERN",
    "WEEKDAYS",
    "ChannelList",
    "Date",
    "FrozenDict",
    "Loc",
    "LocalDateTime",
    "NonEmpty",
    "ReadOnlyDict",
    "StrictModel",
    "did_you_mean",
    "expand_weekday_map",
    "format_clock",
    "parse_clock_s",
    "parse_weekdays",
    "problems_error",
    "raise_problems",
    "repeated_names",
    "resolve_data_file",
]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday keys; the index is ``datetime.date.weekday()`` (Monday = 0)."""

NAME_PATTERN = r"^[a-z0-9_]+$"
"""Pattern of channel names and clause ids."""

MAX_CHANNELS = 20
"""Most channels a scenario may define."""

MAX_DATA_FILE_BYTES = 50 * 1024 * 1024
"""Largest CSV a scenario may reference (a year of 15-minute intervals is about 1.5 MB)."""

_SECONDS_PER_DAY = 86400
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")

Loc = tuple[str | int, ...]
"""A field path as pydantic reports it, e.g. ``("channels", "phone", "hours")``."""


_YES_NO = "must not be a yes/no value (true, false, yes, no, on and off are yes/no in YAML)"


def _is_model(annotation: Any) -> bool:
    """Whether a type is, or holds, a pydantic model (which then checks its own fields)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_is_model(argument) for argument in get_args(annotation))


def _takes_bool(annotation: Any) -> bool:
    """Whether a field's type admits a bool anywhere (``bool``, ``Any``, a Literal of one)."""
    if annotation is bool or annotation is Any:
        return True
    if get_origin(annotation) is Literal:
        return any(isinstance(option, bool) for option in get_args(annotation))
    return any(_takes_bool(argument) for argument in get_args(annotation))


def _yes_no_where_number(value: Any, annotation: Any) -> bool:
    """Whether ``value``, or an item of it, is a bool that a field of type ``annotation``
    (numbers, text) would coerce; a nested model's values are left to that model."""
    if isinstance(value, list | tuple):
        items: Iterable[Any] = value
    elif isinstance(value, Mapping) and not _is_model(annotation):
        items = value.values()
    else:
        items = (value,)
    return any(isinstance(item, bool) for item in items) and not _takes_bool(annotation)


class StrictModel(BaseModel):
    """Base of every scenario model: immutable, unknown keys rejected, finite numbers only, and
    no yes/no value where a number or a text is expected (YAML 1.1 reads ``yes``, ``no``,
    ``on`` and ``off`` as booleans, which pydantic would turn into 1 and 0)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_yes_no(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            raise_problems(
                cls.__name__,
                [
                    ((name,), _YES_NO, value)
                    for name, value in data.items()
                    if name in cls.model_fields
                    and _yes_no_where_number(value, cls.model_fields[name].annotation)
                ],
            )
        return data


class FrozenDict(dict):
    """A ``dict`` that refuses changes; pickles, compares and serialises like a plain dict."""

    def _read_only(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("scenario mappings are read-only; use model_copy(update=...)")

    # every mutator raises, whatever the signature it replaces
    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _read_only  # type: ignore[assignment]
    __ior__ = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type, tuple[dict]]:
        return (FrozenDict, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))


def _non_empty(value: Any) -> Any:
    if not value:
        raise ValueError("must not be empty")
    return value


NonEmpty = AfterValidator(_non_empty)
"""Rejects an empty collection. Used instead of ``min_length=1``, which pydantic also reports
(as a misleading "at least 1 item") when every item is invalid."""

ChannelList = Annotated[tuple[str, ...], NonEmpty, Field(max_length=MAX_CHANNELS)]
"""A non-empty list of channel names (whether they exist is a cross-field rule)."""

_V = TypeVar("_V")
ReadOnlyDict = Annotated[dict[str, _V], AfterValidator(FrozenDict)]
"""A string-keyed mapping held as a :class:`FrozenDict` in the validated model."""


def problems_error(title: str, problems: Sequence[tuple[Loc, str, Any]]) -> ValidationError:
    """Build one :class:`pydantic_core.ValidationError` listing every problem.

    Parameters
    ----------
    title:
        Model name shown by pydantic (``"Scenario"``).
    problems:
        ``(loc, message, value)`` triples, at least one; ``loc`` is relative to the model whose
        validator raises the error. Raised inside a validator of a nested model (or of a
        field), pydantic prefixes the parent's path, so every problem keeps its full dotted
        path. The error type is ``cross_field``.
    """
    errors: list[InitErrorDetails] = [
        {
            # braces would be read as template fields by PydanticCustomError
            "type": PydanticCustomError("cross_field", message.replace("{", "(").replace("}", ")")),
            "loc": tuple(loc),
            "input": value,
        }
        for loc, message, value in problems
    ]
    return ValidationError.from_exception_data(title, errors)


def raise_problems(title: str, problems: Sequence[tuple[Loc, str, Any]]) -> None:
    """Raise :func:`problems_error` for ``problems`` when there are any; else do nothing."""
    if problems:
        raise problems_error(title, problems)


def repeated_names(
    field: str, key: str, names: Sequence[str], what: str
) -> list[tuple[Loc, str, Any]]:
    """A problem for every item of ``field`` whose ``key`` an earlier item already uses:
    ``((field, index, key), "is used by another <what>", name)``."""
    return [
        ((field, index, key), f"is used by another {what}", name)
        for index, name in enumerate(names)
        if name in names[:index]
    ]


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """Return ``"; did you mean 'x'?"`` for the closest known name, or ``""``."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _date_input(value: Any) -> Any:
    if isinstance(value, datetime):
        raise ValueError("must be a date written YYYY-MM-DD, without a time of day")
    if not isinstance(value, date | str):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


def _local_datetime(value: datetime) -> datetime:
    if value.tzinfo is not None:
        raise ValueError(
            "must be a local wall-clock time without a UTC offset (the horizon's time zone applies)"
        )
    return value


def _datetime_input(value: Any) -> Any:
    if not isinstance(value, date | str):
        raise ValueError("must be a date and time written YYYY-MM-DDTHH:MM")
    return value


Date = Annotated[date, BeforeValidator(_date_input)]
"""A calendar date written ``YYYY-MM-DD`` (numbers such as timestamps are rejected)."""

LocalDateTime = Annotated[
    datetime, BeforeValidator(_datetime_input), AfterValidator(_local_datetime)
]
"""A local wall-clock date and time ``YYYY-MM-DDTHH:MM`` without a UTC offset."""


def _weekday_range(key: str) -> tuple[int, ...]:
    text = key.strip().lower()
    if text == "all":
        return tuple(range(7))
    if text in WEEKDAYS:
        return (WEEKDAYS.index(text),)
    first, sep, last = text.partition("-")
    if sep and first in WEEKDAYS and last in WEEKDAYS:
        lo, hi = WEEKDAYS.index(first), WEEKDAYS.index(last)
        if lo > hi:
            raise ValueError(f"weekday range {key!r} runs backwards; write it in week order")
        return tuple(range(lo, hi + 1))
    raise ValueError(
        f"unknown weekday {key!r}: use mon tue wed thu fri sat sun, a range such as mon-fri, or all"
    )


def parse_weekdays(value: Any) -> tuple[int, ...]:
    """Parse a weekday set: ``"mon-fri"``, ``"sat"``, ``"mon,wed"``, ``"all"`` or a list of these.

    Returns sorted weekday indices (Monday = 0). A day named twice is an error.
    """
    if isinstance(value, str):
        keys: list[Any] = value.split(",")
    elif isinstance(value, list | tuple):
        keys = list(value)
    else:
        raise ValueError("must be weekdays such as mon-fri, sat or a list of them")
    if not keys:
        raise ValueError("must name at least one weekday")
    seen: list[int] = []
    for key in keys:
        if isinstance(key, int) and not isinstance(key, bool) and 0 <= key < 7:
            days: tuple[int, ...] = (key,)
        elif isinstance(key, str):
            days = _weekday_range(key)
        else:
            raise ValueError(f"unknown weekday {key!r}")
        for day in days:
            if day in seen:
                raise ValueError(f"{WEEKDAYS[day]} is given twice")
            seen.append(day)
    return tuple(sorted(seen))


def expand_weekday_map(mapping: Any) -> dict[int, Any]:
    """Expand a map keyed by weekdays, ranges (``mon-fri``) or ``all`` into ``{index: value}``.

    Raises ValueError when a key is unknown or when a day is covered by two keys.
    """
    if not isinstance(mapping, Mapping):
        raise ValueError("must be a mapping of weekdays (mon, mon-fri, all, ...) to values")
    expanded: dict[int, Any] = {}
    for key, value in mapping.items():
        if not isinstance(key, str):
            raise ValueError(f"unknown weekday {key!r}")
        for day in _weekday_range(key):
            if day in expanded:
                raise ValueError(f"{WEEKDAYS[day]} is given twice (again in {key!r})")
            expanded[day] = value
    return expanded


def parse_clock_s(text: Any, *, allow_24: bool = False) -> int:
    """Parse a wall-clock time ``"HH:MM"`` into seconds after midnight.

    ``"24:00"`` (end of the day) is accepted only when ``allow_24`` is true.
    """
    match = _CLOCK.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f'time {text!r} must be written HH:MM in quotes, e.g. "08:00"')
    hours, minutes = int(match.group(1)), int(match.group(2))
    seconds = hours * 3600 + minutes * 60
    too_late = seconds > _SECONDS_PER_DAY or (seconds == _SECONDS_PER_DAY and not allow_24)
    if minutes >= 60 or too_late:
        limit = "00:00..24:00" if allow_24 else "00:00..23:59"
        raise ValueError(f"time {text!r} must lie in {limit}")
    return seconds


def format_clock(seconds_of_day: float) -> str:
    """Format seconds after midnight as ``HH:MM`` (``24:00`` for the end of the day)."""
    minutes = round(seconds_of_day / 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def resolve_data_file(value: Any, info: ValidationInfo, columns: Sequence[str]) -> Path:
    """Resolve a CSV reference against ``info.context["base_dir"]`` (default: current directory).

    Returns an absolute path. Raises ValueError when the file is missing, not a regular file,
    larger than :data:`MAX_DATA_FILE_BYTES`, or when its header line lacks one of ``columns``.
    Only the header is read here; the rows are read by whoever uses the data. A spreadsheet
    (``.xlsx``) is not text: its header is checked with its rows
    (:mod:`scenarios.data_files`).
    """
    if not isinstance(value, str | Path) or not str(value).strip():
        raise ValueError("must be a file path")
    context = info.context if isinstance(info.context, Mapping) else {}
    base_dir = Path(context.get("base_dir") or Path.cwd())
    path = (base_dir / Path(value).expanduser()).resolve()
    if not path.is_file():
        raise ValueError(f"file not found: {path}")
    size = path.stat().st_size
    if size > MAX_DATA_FILE_BYTES:
        raise ValueError(f"file is {size} bytes, more than the limit of {MAX_DATA_FILE_BYTES}")
    if path.suffix.lower() == ".xlsx":
        return path
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        header = [name.strip() for name in handle.readline(4096).split(",")]
    missing = [name for name in columns if name not in header]
    if missing:
        raise ValueError(
            f"file {path} lacks the column(s) {', '.join(missing)}; "
            f"its header is {','.join(header)!r}"
        )
    return path
