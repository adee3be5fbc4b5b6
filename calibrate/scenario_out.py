"""The calibrated scenario: a YAML file in the existing schema (``scenarios/README.md``) plus
one roster CSV per team, checked by loading it with :func:`scenarios.load`.

Fields written per channel: ``kind``, ``hours``, ``volume.per_week``, ``weekday_weights``,
``intraday_profile`` (24 hourly weights), ``handle_time``, ``patience`` (realtime channels with
abandons), ``resolution_probability`` and ``repeat`` (from customers' returns), ``redial``
(realtime, from redials), ``concurrency`` (when agents hold several contacts at once) and a
``service_target`` (the threshold the back-test and the report measure; its target only matters
for ``auto`` staffing). One ``events.forecast_error.day_cv`` is shared by the channels. Teams
run the rosters of the agents taking contacts with shrinkage 0 %, or ``auto`` staffing when the
log names no agents and no staffing file is given. What the schema cannot hold is listed in
``calibration.json`` under ``scenario.not_expressed``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from calibrate.grid import SECONDS_PER_DAY, WEEKDAYS
from scenarios.loader import load
from scenarios.scenario import Scenario

__all__ = ["MAX_DAYS", "roster_csv", "write_scenario"]

MAX_DAYS = 366
"""A scenario's longest horizon: a longer log gives a scenario of its last 366 days."""
_HEADER = """\
# Calibrated by `ccplan calibrate` from {source} ({rows} rows, {start} to {end}).
# Every number below is an estimate; calibration.json gives each with its 95 % confidence
# interval and the number of contacts behind it, calibration.html shows the fits.
# Not in the log, so set by hand before planning: partner pricing (0 here), contract, tier 2.
"""


def _plain(node):
    """The document with numpy numbers as Python ones (for the YAML writer)."""
    if isinstance(node, dict):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [_plain(value) for value in node]
    if isinstance(node, np.generic):
        return node.item()
    return node


def _round(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}") if value else 0.0


def roster_csv(
    path: Path, start: dt.date, agents: np.ndarray, interval_s: float, days: int
) -> None:
    """Write a roster file (``interval_start``, ``agents``) of ``days`` days from ``start``;
    ``agents`` starts at ``start``."""
    n = round(days * SECONDS_PER_DAY / interval_s)
    times = np.datetime64(start, "ns") + (np.arange(n) * int(interval_s)).astype("timedelta64[s]")
    frame = pd.DataFrame({"interval_start": times, "agents": agents[:n].astype(np.int64)})
    frame.to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M")


def _distribution(fit) -> dict:
    """A scenario ``Distribution`` of a handle-time or patience fit: mean, family, cv."""
    value = {"mean": round(fit.mean_s.value, 1), "distribution": fit.distribution}
    if fit.cv is not None:
        value["cv"] = round(fit.cv.value, 4)
    return value


def channel_document(channel) -> dict:
    """The scenario's entry of one :class:`calibrate.calibration.ChannelCalibration`."""
    entry: dict = {"kind": channel.kind, "hours": channel.hours.scenario_value()}
    entry["volume"] = {"per_week": round(channel.volume.per_week.value, 1)}
    entry["intraday_profile"] = [_round(w) for w in channel.intraday.values]
    weights = channel.volume.weekday_weights
    entry["weekday_weights"] = {
        WEEKDAYS[d]: 0.0 if w is None else _round(w.value) for d, w in enumerate(weights)
    }
    entry["handle_time"] = _distribution(channel.handle_time)
    if channel.patience is not None:
        entry["patience"] = _distribution(channel.patience)
    concurrency = channel.concurrency
    if concurrency is not None:
        entry["handle_time"]["mean"] = round(concurrency.work_mean_s.value, 1)
        entry["concurrency"] = {
            "max_chats": concurrency.max_chats,
            "speed_by_chats": list(concurrency.written),
        }
    if channel.repeat is not None:
        entry["resolution_probability"] = _round(1.0 - channel.repeat.probability.value)
        repeat = {
            "probability": 1.0,
            "delay": {"mean": round(channel.repeat.delay_mean_s.value, 1)},
        }
        if channel.repeat.channel not in (None, channel.name):
            repeat["channel"] = channel.repeat.channel
        entry["repeat"] = repeat
    if channel.redial is not None and channel.kind == "realtime":
        entry["redial"] = {
            "probability": _round(channel.redial.probability.value),
            "delay": {"mean": round(channel.redial.delay_mean_s.value, 1)},
        }
    entry["service_target"] = {"threshold": channel.threshold_s, "target": 0.8}
    return entry


def write_scenario(
    folder: Path,
    *,
    name: str,
    source: str,
    rows: int,
    start: dt.date,
    n_days: int,
    interval_s: float,
    timezone: str,
    closed_days: list[dt.date],
    channels: Mapping[str, object],
    day_cv: float | None,
    staffing,
) -> tuple[Path, Scenario]:
    """Write ``<name>.yaml`` and its roster CSVs into ``folder``; return the path and the
    scenario as :func:`scenarios.load` reads it."""
    days = min(n_days, MAX_DAYS)
    first = start + dt.timedelta(days=n_days - days)
    document: dict = {
        "name": name,
        "description": f"Calibrated from {source} by ccplan calibrate",
        "horizon": {
            "start": first,
            "days": days,
            "interval": f"{interval_s / 60:g}m",
            "timezone": timezone,
            "closed_days": [d for d in closed_days if d >= first],
        },
        "channels": {key: channel_document(channel) for key, channel in channels.items()},
    }
    if day_cv:
        document["events"] = {"forecast_error": {"day_cv": _round(day_cv)}}
    teams = []
    skip = round((n_days - days) * SECONDS_PER_DAY / interval_s)
    if staffing is None:
        for key in channels:
            teams.append({"name": key, "channels": [key], "staffing": {"mode": "auto"}})
    else:
        for team in staffing.teams:
            file = f"staffing_{team.name}.csv"
            roster_csv(folder / file, first, team.agents[skip:], interval_s, days)
            teams.append(
                {
                    "name": team.name,
                    "channels": list(team.channels),
                    "staffing": {"mode": "roster", "file": file},
                }
            )
    document["partner"] = {
        "name": "from the log",
        "shrinkage": 0.0,
        "pricing": {"per_agent_hour_eur": 0},
        "teams": teams,
    }
    document["run"] = {"replications": 20, "seed": 0}
    path = folder / f"{name}.yaml"
    header = _HEADER.format(
        source=source, rows=rows, start=start, end=start + dt.timedelta(days=n_days - 1)
    )
    path.write_text(header + yaml.safe_dump(_plain(document), sort_keys=False, width=100))
    return path, load(path)
