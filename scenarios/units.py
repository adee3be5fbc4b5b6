"""Friendly units for scenario files and CLI options.

Scenario files and command lines may write ``30s``, ``3m``, ``2h``, ``1d``, ``80%`` or ``1.5k``;
the model always holds one unit: seconds for durations, fractions in [0, 1] for shares,
plain numbers for counts. Each parser raises :class:`ValueError` with the rule that was broken,
which pydantic reports with the field path and the value.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator

__all__ = [
    "Count",
    "DurationS",
    "Fraction",
    "NonNegativeRatio",
    "PositiveDurationS",
    "parse_count",
    "parse_duration_s",
    "parse_fraction",
    "parse_ratio",
]

SECONDS_PER_UNIT = {
    "s": 1.0,
    "sec": 1.0,
    "m": 60.0,
    "min": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "w": 604800.0,
}
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_DURATION_PART = re.compile(rf"({_NUMBER})\s*(sec|min|s|m|h|d|w)", re.IGNORECASE)
_COUNT = re.compile(rf"^\s*({_NUMBER})\s*([kKmM]?)\s*$")
_COUNT_FACTOR = {"": 1.0, "k": 1e3, "m": 1e6}


def _as_finite_number(value: Any) -> float | None:
    """Return ``value`` as a finite float when it is a real number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def parse_duration_s(value: Any) -> float:
    """Parse a duration into seconds.

    A plain number is seconds. A string is one or more ``<number><unit>`` parts with units
    ``s``/``sec``, ``m``/``min``, ``h``, ``d``, ``w``: ``"30s"``, ``"3m"``, ``"1h30m"``, ``"2d"``.
    Negative durations are rejected.
    """
    number = _as_finite_number(value)
    if number is None and isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            parts = _DURATION_PART.findall(text)
            if not parts or _DURATION_PART.sub("", text).strip():
                raise ValueError(
                    "must be a duration such as 30s, 3m, 2h, 1d or a number of seconds"
                ) from None
            number = sum(float(n) * SECONDS_PER_UNIT[u.lower()] for n, u in parts)
        if not math.isfinite(number):
            raise ValueError("must be a finite duration")
    if number is None:
        raise ValueError("must be a duration such as 30s, 3m, 2h, 1d or a number of seconds")
    if number < 0:
        raise ValueError("must not be negative")
    return number


def _number_or_percent(value: Any, message: str) -> float:
    """A finite real number, or text holding one optionally ending in ``%`` (divided by 100);
    anything else raises ``ValueError(message)``."""
    number = _as_finite_number(value)
    if number is not None:
        return number
    if not isinstance(value, str):
        raise ValueError(message)
    text = value.strip()
    percent = text.endswith("%")
    try:
        number = float(text[:-1].strip() if percent else text)
    except ValueError:
        raise ValueError(message) from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number / 100.0 if percent else number


def parse_fraction(value: Any) -> float:
    """Parse a share into a fraction in [0, 1].

    ``"80%"`` and ``0.8`` both give 0.8. A bare number above 1 is rejected rather than read
    as a percentage, because ``80`` is ambiguous: write ``80%``.
    """
    number = _number_or_percent(value, "must be a fraction such as 0.8 or a percentage such as 80%")
    if not 0.0 <= number <= 1.0:
        raise ValueError("must be between 0 and 1 (0% and 100%); write 80% for a percentage")
    return number


def parse_ratio(value: Any) -> float:
    """Parse a non-negative ratio that may exceed 1: ``0.4``, ``"40%"``, ``"140%"``, ``1.4``.

    Used for uplifts, coefficients of variation and safety factors, where values above 100 %
    are meaningful (:func:`parse_fraction` rejects them).
    """
    number = _number_or_percent(value, "must be a number such as 0.4 or a percentage such as 40%")
    if number < 0:
        raise ValueError("must not be negative")
    return number


def parse_count(value: Any) -> float:
    """Parse a non-negative amount written plainly or with a ``k``/``M`` suffix (``"1.5k"``)."""
    number = _as_finite_number(value)
    if number is None and isinstance(value, str):
        match = _COUNT.match(value)
        if match is None:
            raise ValueError("must be a number, optionally with a k or M suffix such as 1.5k")
        number = float(match.group(1)) * _COUNT_FACTOR[match.group(2).lower()]
    if number is None:
        raise ValueError("must be a number, optionally with a k or M suffix such as 1.5k")
    if number < 0:
        raise ValueError("must not be negative")
    return number


def _positive_duration_s(value: Any) -> float:
    seconds = parse_duration_s(value)
    if seconds <= 0:
        raise ValueError("must be longer than zero")
    return seconds


DurationS = Annotated[float, BeforeValidator(parse_duration_s)]
"""A non-negative duration in seconds, accepting friendly forms."""

PositiveDurationS = Annotated[float, BeforeValidator(_positive_duration_s)]
"""A duration in seconds greater than zero, accepting friendly forms."""

Fraction = Annotated[float, BeforeValidator(parse_fraction)]
"""A fraction in [0, 1], accepting ``80%``."""

Count = Annotated[float, BeforeValidator(parse_count)]
"""A non-negative amount, accepting ``1.5k``."""

NonNegativeRatio = Annotated[float, BeforeValidator(parse_ratio)]
"""A ratio >= 0 that may exceed 1, accepting ``140%``."""
