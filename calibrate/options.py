"""Command-line option text to the library's settings (``ccplan calibrate`` and
``ccplan backtest``): durations such as ``15m`` or ``7d``, ``--kind CH=realtime``,
``--columns new=old``, dates and levels. Each bad value is an :class:`InputError` naming the
option."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from calibrate.calibration import Settings
from calibrate.logformat import LogFormat, parse_column_map
from scenarios.errors import InputError
from scenarios.units import parse_duration_s, parse_fraction

__all__ = ["inputs", "log_format", "parse_date", "parse_level", "settings"]


def _duration(option: str, text: str) -> float:
    try:
        return parse_duration_s(text)
    except ValueError as error:
        raise InputError(f"{option}: {error} (got {text!r})") from None


def parse_date(option: str, text: str) -> dt.date:
    """An ISO date (``2027-03-18``)."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{option}: write a date as YYYY-MM-DD (got {text!r})") from None


def parse_level(option: str, text: str) -> float:
    """A fraction such as ``90%`` or ``0.9``."""
    try:
        return parse_fraction(text)
    except ValueError as error:
        raise InputError(f"{option}: {error} (got {text!r})") from None


def log_format(columns: str | None, time_format: str | None, timezone: str) -> LogFormat:
    """The :class:`LogFormat` of ``--columns``, ``--time-format`` and ``--timezone``."""
    return LogFormat(parse_column_map(columns), time_format or None, timezone)


def _kinds(texts: Sequence[str]) -> dict[str, str]:
    kinds = {}
    for text in texts:
        name, sep, kind = text.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--kind: write CHANNEL=realtime or CHANNEL=deferrable (got {text!r})")
        kinds[name.strip()] = kind.strip()
    return kinds


def settings(
    *,
    interval: str = "15m",
    staffing: str | None = None,
    kinds: Sequence[str] = (),
    repeat_window: str = "7d",
    agent_gap: str = "30m",
    trend: bool = False,
    sl_threshold: str = "20s",
    response_threshold: str = "2h",
    name: str | None = None,
) -> Settings:
    """The :class:`Settings` of the calibration options."""
    return Settings(
        interval_s=_duration("--interval", interval),
        kinds=_kinds(kinds),
        staffing=staffing,
        repeat_window_s=_duration("--repeat-window", repeat_window),
        gap_s=_duration("--agent-gap", agent_gap),
        trend=trend,
        sl_threshold_s=_duration("--sl-threshold", sl_threshold),
        response_threshold_s=_duration("--response-threshold", response_threshold),
        name=name,
    )


def inputs(
    columns: str | None,
    time_format: str | None,
    timezone: str,
    interval: str,
    staffing: str | None,
    kinds: Sequence[str] | None,
    repeat_window: str,
    agent_gap: str,
    **more,
) -> tuple[LogFormat, Settings]:
    """The :class:`LogFormat` and :class:`Settings` of the options both commands share (and
    ``more`` settings, for ``calibrate``)."""
    return log_format(columns, time_format, timezone), settings(
        interval=interval,
        staffing=staffing,
        kinds=kinds or (),
        repeat_window=repeat_window,
        agent_gap=agent_gap,
        **more,
    )
