"""``calibrate_log``: from a contact log to a calibrated scenario, ``calibration.json`` and
``calibration.html``.

Every estimate carries a 95 % confidence interval and the number of contacts (or days) behind
it; the methods are in the modules named below, each with its formula and source:

============================  =================================================================
estimate                      module
============================  =================================================================
kind, hours, closed days      :mod:`calibrate.hours`
week volume, weekday weights, :mod:`calibrate.volume` (negative binomial day model; profile
trend, day-level CV           likelihood for the CV)
intraday profile              :mod:`calibrate.intraday` (iterative proportional fitting,
                              bootstrap over days)
handle time                   :mod:`calibrate.handle_time` (MLE of three families, AIC)
patience                      :mod:`calibrate.patience` (Kaplan–Meier, censored MLE)
redial, repeat, felt FCR      :mod:`calibrate.retry` (customer linkage, cure model)
staffing                      :mod:`calibrate.staffing_log` (inferred, or a staffing file)
============================  =================================================================

Volume counts **first contacts**: answered and abandoned contacts that are not a customer's
return within the repeat window (the model adds repeats and redials itself).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from calibrate.concurrency import ConcurrencyFit, fit_concurrency
from calibrate.document import calibration_document
from calibrate.estimate import Estimate, binomial
from calibrate.grid import SECONDS_PER_DAY, answer_s, day_slot_counts, weekdays
from calibrate.handle_time import HandleTimeFit, fit_handle_time
from calibrate.hours import Hours, channel_kinds, closed_days, opening_hours
from calibrate.intraday import IntradayProfile, fit_intraday
from calibrate.logformat import LogError, LogFormat, LogProblem
from calibrate.patience import PatienceFit, fit_patience
from calibrate.reader import ContactLog, read_log
from calibrate.report import write_calibration_report
from calibrate.retry import DEFAULT_WINDOW_S, Linkage, ReturnFit, fit_returns, link_customers
from calibrate.scenario_out import write_scenario
from calibrate.staffing_log import DEFAULT_GAP_S, Staffing, infer_staffing, read_staffing
from calibrate.volume import DayModel, fit_day_model, pooled_day_cv
from reports.staging import claim_folder
from scenarios.errors import InputError
from scenarios.scenario import Scenario

__all__ = ["Calibration", "ChannelCalibration", "Settings", "calibrate_log", "load_log"]

INTERVALS_S = (900.0, 1800.0, 3600.0)
MIN_DAYS = 7
MIN_ANSWERED = 10


@dataclass(frozen=True)
class Settings:
    """Options of a calibration.

    Attributes
    ----------
    interval_s:
        Interval of the scenario and of staffing (900, 1800 or 3600 s).
    kinds:
        Channel -> ``realtime`` / ``deferrable``, overriding the rule of
        :mod:`calibrate.hours`.
    staffing:
        A staffing file (:mod:`calibrate.staffing_log`), else staffing is inferred from the
        agents (or ``auto`` when the log names none).
    repeat_window_s:
        Window of a return (child contact) and of the felt FCR.
    gap_s:
        Longest idle gap inside an agent's work session.
    trend:
        Write the volume level reached at the log's end (else the log's average level).
    sl_threshold_s, response_threshold_s:
        Service-target thresholds written for realtime and deferrable channels.
    seed:
        Seed of the bootstrap over days.
    name:
        Scenario name (default ``calibrated_<log file stem>``).
    """

    interval_s: float = 900.0
    kinds: Mapping[str, str] = field(default_factory=dict)
    staffing: str | Path | None = None
    repeat_window_s: float = DEFAULT_WINDOW_S
    gap_s: float = DEFAULT_GAP_S
    trend: bool = False
    sl_threshold_s: float = 20.0
    response_threshold_s: float = 7200.0
    seed: int = 0
    name: str | None = None

    def __post_init__(self) -> None:
        if self.interval_s not in INTERVALS_S:
            raise InputError(f"--interval must be 15m, 30m or 60m (got {self.interval_s:g} s)")
        for label, value in (
            ("--repeat-window", self.repeat_window_s),
            ("--agent-gap", self.gap_s),
            ("--sl-threshold", self.sl_threshold_s),
            ("--response-threshold", self.response_threshold_s),
        ):
            if not value > 0:
                raise InputError(f"{label} must be positive (got {value:g} s)")


@dataclass(frozen=True, eq=False)
class ChannelCalibration:
    """Everything estimated for one channel (``None`` where the log cannot tell)."""

    name: str
    label: str
    kind: str
    hours: Hours
    volume: DayModel
    intraday: IntradayProfile
    handle_time: HandleTimeFit
    patience: PatienceFit | None
    redial: ReturnFit | None
    repeat: ReturnFit | None
    fcr_felt: Estimate | None
    escalation: Estimate | None
    concurrency: ConcurrencyFit | None
    threshold_s: float
    counts: dict[str, int]


@dataclass(frozen=True, eq=False)
class Calibration:
    """The result of :func:`calibrate_log`.

    Attributes
    ----------
    log:
        The contact log read.
    channels:
        Per channel, its :class:`ChannelCalibration`.
    day_cv:
        The day-level CV shared by the channels (the scenario holds one), or None.
    closed_days:
        Days the whole centre was closed.
    staffing:
        Teams and agents per interval, or None (``auto`` staffing).
    scenario, scenario_path:
        The calibrated scenario, loaded, and its file.
    document:
        ``calibration.json``.
    out_dir:
        The folder written.
    """

    log: ContactLog
    channels: dict[str, ChannelCalibration]
    day_cv: Estimate | None
    closed_days: tuple[dt.date, ...]
    staffing: Staffing | None
    scenario: Scenario
    scenario_path: Path
    document: dict
    out_dir: Path


def load_log(source: str | Path | ContactLog, log_format: LogFormat | None) -> ContactLog:
    """``source`` itself if already read, else :func:`calibrate.reader.read_log`."""
    if isinstance(source, ContactLog):
        return source
    return read_log(source, log_format)


def _volume_days(first_per_day, kind, hours, day_weekday, closed, complete_days) -> np.ndarray:
    """Days entering the day model: open weekdays without closed days (realtime), weekdays
    with contacts among the first ``complete_days`` (deferrable)."""
    if kind == "realtime":
        keep = hours.open_weekdays[day_weekday]
        keep[closed] = False
        return np.flatnonzero(keep)
    per_weekday = np.bincount(day_weekday, weights=first_per_day, minlength=7)
    keep = per_weekday[day_weekday] > 0
    keep[complete_days:] = False
    return np.flatnonzero(keep)


def _complete_days(rows: pd.DataFrame, answered: pd.Series) -> int:
    """Days of a deferrable channel whose contacts were all answerable within the log: those
    ending before the last answer minus the 99th percentile of the wait (later contacts may
    still be waiting when the log ends, and a count by arrival would miss them)."""
    waits = rows.loc[answered, "wait_s"].to_numpy()
    last = float(answer_s(rows[answered]).max())
    return max(int((last - np.quantile(waits, 0.99)) // SECONDS_PER_DAY), 1)


def _channel(log, name, kind, rows, first, linkage, closed, settings, rng) -> ChannelCalibration:
    interval_s = settings.interval_s
    n_days = log.n_days
    day_weekday = weekdays(log.start, n_days)
    answered = rows["outcome"] == "answered"
    abandoned = rows["outcome"] == "abandoned"
    arrival = rows["arrival_s"].to_numpy()
    if kind == "realtime":
        hours = opening_hours(arrival, log.start, n_days, interval_s, closed)
    else:
        answer = answer_s(rows[answered])
        hours = opening_hours(answer, log.start, n_days, interval_s, np.array([], int))
    first_arrival = rows.loc[first, "arrival_s"].to_numpy()
    per_day = np.bincount(
        np.floor(first_arrival / SECONDS_PER_DAY).astype(np.int64), minlength=n_days
    )[:n_days]
    complete = n_days if kind == "realtime" else _complete_days(rows, answered)
    days = _volume_days(per_day, kind, hours, day_weekday, closed, complete)
    reference = days.max() if settings.trend else days.mean()
    volume = fit_day_model(per_day[days], day_weekday[days], days, reference_day=reference)
    slots = day_slot_counts(first_arrival, n_days, interval_s)[days]
    if kind == "realtime":
        open_mask = hours.day_mask(day_weekday[days])
    else:
        open_mask = np.ones(slots.shape, dtype=bool)
    intraday = fit_intraday(slots, open_mask, rng)
    handle = fit_handle_time(rows.loc[answered, "handle_s"].to_numpy())
    patience = None
    if kind == "realtime" and abandoned.sum() >= 2:
        patience = fit_patience(rows["wait_s"].to_numpy(), abandoned.to_numpy())
    redial = repeat = fcr = None
    contacts = log.contacts
    if linkage is not None:
        mask = np.zeros(len(contacts), dtype=bool)
        window = settings.repeat_window_s
        mask[rows.index[abandoned]] = True
        if kind == "realtime":
            redial = fit_returns(contacts, linkage, mask, window_s=window, log_end_s=log.end_s)
        mask[:] = False
        mask[rows.index[answered]] = True
        repeat = fit_returns(contacts, linkage, mask, window_s=window, log_end_s=log.end_s)
        if repeat is not None:
            fcr = repeat.without_return
    escalation = None
    if (contacts["tier"] == 2).any():
        escalation = binomial(int((rows.loc[answered, "tier"] == 2).sum()), int(answered.sum()))
    threshold = settings.sl_threshold_s if kind == "realtime" else settings.response_threshold_s
    return ChannelCalibration(
        name=name,
        label=log.channel_labels[name],
        kind=kind,
        hours=hours,
        volume=volume,
        intraday=intraday,
        handle_time=handle,
        patience=patience,
        redial=redial,
        repeat=repeat,
        fcr_felt=fcr,
        escalation=escalation,
        concurrency=fit_concurrency(rows[answered]) if kind == "realtime" else None,
        threshold_s=threshold,
        counts={
            "answered": int(answered.sum()),
            "abandoned": int(abandoned.sum()),
            "first_contacts": int(first.sum()),
            "returns": int((~first).sum()),
        },
    )


def _check_enough(log: ContactLog) -> None:
    """A week of days (weekday weights, hours) and :data:`MIN_ANSWERED` answered contacts per
    channel (handle time) at least; each shortfall is one line."""
    problems = []
    if log.n_days < MIN_DAYS:
        problems.append(
            LogProblem(
                log.source,
                None,
                None,
                f"the log spans {log.n_days} days; at least "
                f"{MIN_DAYS} are needed to calibrate weekday patterns",
            )
        )
    answered = log.contacts[log.contacts["outcome"] == "answered"]
    counts = answered["channel"].value_counts()
    for name in log.channels:
        if counts.get(name, 0) < MIN_ANSWERED:
            problems.append(
                LogProblem(
                    log.source,
                    None,
                    "channel",
                    f"channel {log.channel_labels[name]!r} "
                    f"has {counts.get(name, 0)} answered contacts; at least "
                    f"{MIN_ANSWERED} are needed to calibrate it",
                )
            )
    if problems:
        raise LogError(problems)


def _name(settings: Settings, log: ContactLog) -> str:
    if settings.name:
        return settings.name
    stem = Path(log.source).name.split(".")[0]
    return "calibrated_" + (re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("._") or "log")


def calibrate_log(
    source: str | Path | ContactLog,
    out: str | Path,
    *,
    log_format: LogFormat | None = None,
    settings: Settings | None = None,
    report: bool = True,
) -> Calibration:
    """Calibrate a scenario from a contact log and write it with its report into ``out``.

    Parameters
    ----------
    source:
        The log file (CSV or Parquet, ``docs/contact-log.md``) or a :class:`ContactLog`.
    out:
        Folder to write (created): ``<name>.yaml`` and its ``staffing_<team>.csv`` rosters,
        ``calibration.json`` and ``calibration.html``.
    log_format:
        Column mapping, time format and zone of the file.
    settings:
        :class:`Settings`.
    report:
        Write ``calibration.html`` (its figures take a few seconds).

    Returns
    -------
    Calibration

    Raises
    ------
    LogError
        For a bad log or staffing file, one line per bad cell.
    InputError
        For bad settings, or a folder that cannot be written.
    """
    settings = settings or Settings()
    log = load_log(source, log_format)
    _check_enough(log)
    used_mask = (log.contacts["outcome"] != "other").to_numpy()
    kinds = channel_kinds(log.contacts[used_mask], settings.kinds)
    if settings.staffing is not None:
        staffing = read_staffing(settings.staffing, log, kinds, settings.interval_s)
    elif log.has_agents:
        staffing = infer_staffing(log, kinds, settings.interval_s, settings.gap_s)
    else:
        staffing = None
    linkage: Linkage | None = None
    is_child = np.zeros(len(log.contacts), dtype=bool)
    if log.has_customers:
        linkage = link_customers(log.contacts, settings.repeat_window_s)
        is_child = linkage.is_child
    closed = closed_days(log.contacts, kinds, log.start, log.n_days)
    rng = np.random.default_rng(settings.seed)
    channels = {}
    for name in sorted(kinds):
        in_channel = used_mask & (log.contacts["channel"] == name).to_numpy()
        rows = log.contacts[in_channel]
        first = pd.Series(~is_child[in_channel], index=rows.index)
        channels[name] = _channel(
            log, name, kinds[name], rows, first, linkage, closed, settings, rng
        )
    day_cv = pooled_day_cv([c.volume for c in channels.values()])
    closed_dates = tuple(log.start + dt.timedelta(days=int(d)) for d in closed)
    out_dir = _folder(out)
    path, scenario = write_scenario(
        out_dir,
        name=_name(settings, log),
        source=Path(log.source).name,
        rows=log.rows_read,
        start=log.start,
        n_days=log.n_days,
        interval_s=settings.interval_s,
        timezone=log.timezone,
        closed_days=list(closed_dates),
        channels=channels,
        day_cv=None if day_cv is None else day_cv.value,
        staffing=staffing,
    )
    calibration = Calibration(
        log=log,
        channels=channels,
        day_cv=day_cv,
        closed_days=closed_dates,
        staffing=staffing,
        scenario=scenario,
        scenario_path=path,
        document={},
        out_dir=out_dir,
    )
    document = calibration_document(calibration, settings)
    calibration.document.update(document)
    (out_dir / "calibration.json").write_text(_json(document))
    if report:
        write_calibration_report(out_dir / "calibration.html", calibration)
    return calibration


def _json(document: dict) -> str:
    return json.dumps(document, indent=2, default=str) + "\n"


def _folder(out: str | Path) -> Path:
    """The output folder, created and marked as ccplan's; a folder holding files ccplan did not
    write is refused (:func:`reports.staging.claim_folder`)."""
    claim_folder(out)
    return Path(out)
