"""``backtest``: has the model predicted what happened? Calibrate on a log up to a date (or take
a given scenario), simulate the days after it with the staffing actually deployed, and compare
the prediction with what the log shows, per day and per week.

The simulated scenario is the base scenario with its horizon moved to the test days (plus
``warmup_days`` before them, simulated but not measured, so that the first test day does not
start from an empty centre), its teams replaced by rosters of the observed staffing (a staffing
file, or inferred from agent activity as in :mod:`calibrate.staffing_log`) with shrinkage 0 %,
written as a variant that ``extends`` the base (``backtest_scenario.yaml``). Replications run
where ``workers`` says and are reduced to their day and week KPI rows where they run.

Observed and simulated days are measured by the same function,
:func:`sla_eval.scenario_kpi_table`: the log is turned into the simulation's log tables first
(:mod:`calibrate.observed`). KPIs compared: volume (``offered``), service level, ASA (or mean
response), abandonment and occupancy.

**Prediction intervals.** For a KPI of one period, the ``m`` replications (those where it is
defined) are exchangeable with the outcome if the model is right, so the interval between the
``j``-th smallest and the ``j``-th largest, ``j = ⌊(1 - level)/2 · (m + 1)⌋``, covers it with
probability ``(m + 1 - 2j)/(m + 1)`` (order statistics of exchangeable draws; Wilks 1941) --
the ``nominal`` coverage reported, e.g. 37/41 = 90.2 % for 40 replications at level 0.9. The
intervals reflect the randomness of the days (Poisson arrivals, the day-level forecast error,
waits), not the uncertainty of the calibrated parameters. **Coverage** is the share of periods
whose observed value falls inside (with its Wilson interval: within binomial error of the
nominal when that interval contains it); **MAE** the mean absolute error of the predicted
mean.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from calibrate.calibration import Calibration, Settings, _folder, calibrate_log, load_log
from calibrate.estimate import binomial
from calibrate.grid import SECONDS_PER_DAY
from calibrate.hours import closed_days
from calibrate.logformat import LogFormat
from calibrate.observed import observed_agents, observed_contacts
from calibrate.reader import ContactLog
from calibrate.retry import link_customers
from calibrate.scenario_out import roster_csv
from calibrate.staffing_log import Staffing, infer_staffing, read_staffing
from scenarios.demand import Workload, expand
from scenarios.errors import InputError
from scenarios.loader import load
from scenarios.scenario import Scenario
from sim.executors import executor
from sim.runner import simulate
from sla_eval.scenario_eval import scenario_kpi_table
from staffing import team_rosters

__all__ = ["BACKTEST_KPIS", "COMPARISON_COLUMNS", "Backtest", "backtest"]

BACKTEST_KPIS = {
    "realtime": ("offered", "service_level", "asa_s", "abandon_frac", "occupancy_frac"),
    "deferrable": ("offered", "response_within_target_frac", "mean_response_s", "occupancy_frac"),
}
"""KPIs compared per channel kind (``sla_eval`` names)."""
PERIOD_KINDS = ("day", "week")
MIN_TRAINING_DAYS = 7
COMPARISON_COLUMNS = (
    "period_kind",
    "period",
    "period_start",
    "channel",
    "kpi",
    "observed",
    "predicted_mean",
    "predicted_median",
    "pi_low",
    "pi_high",
    "nominal",
    "inside",
    "abs_error",
    "replications",
)
"""Columns of ``backtest.csv`` (:attr:`Backtest.comparison`): per period kind (``day``,
``week``), period (index from the simulated horizon's start), its start, channel and KPI: the
observed value, the mean and median of the replications, the prediction interval, its nominal
coverage, whether the observed value is inside (NaN without an interval), the absolute error
of the mean and the number of replications where the KPI was defined."""


class _Reduced:
    """Replication ``r`` of a scenario reduced to its compared KPI rows (picklable)."""

    def __init__(self, scenario: Scenario, seed: int):
        self.scenario, self.seed = scenario, seed
        self._workload: Workload | None = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_workload": None}

    def __call__(self, replication: int) -> pd.DataFrame:
        if self._workload is None:
            self._workload = expand(self.scenario)
        result = simulate(self.scenario, replication, self.seed, workload=self._workload)
        return _compared(self.scenario, result.contacts, result.agents)


def _compared(scenario: Scenario, contacts: pd.DataFrame, agents: pd.DataFrame) -> pd.DataFrame:
    table = scenario_kpi_table(scenario, contacts, agents=agents, period_kinds=PERIOD_KINDS)
    kinds = {name: channel.kind for name, channel in scenario.channels.items()}
    wanted = {(name, kpi) for name, kind in kinds.items() for kpi in BACKTEST_KPIS[kind]}
    pairs = list(zip(table["channel"].astype(str), table["kpi"].astype(str), strict=True))
    keep = np.array([pair in wanted for pair in pairs], dtype=bool)
    return table.loc[
        keep, ["replication", "period_kind", "period", "period_start", "channel", "kpi", "value"]
    ].astype({"period_kind": str, "channel": str, "kpi": str})


def _tail_rank(m, level: float):
    """``j = ⌊(1 - level)/2 · (m + 1)⌋`` (with a little slack for 0.05 · 20 = 0.999...)."""
    return np.floor((1 - level) / 2 * (np.asarray(m) + 1) + 1e-9).astype(np.int64)


def _intervals(values: np.ndarray, level: float) -> tuple[np.ndarray, ...]:
    """Per row of ``values`` (periods x replications, NaN where undefined): the order-statistic
    interval, its nominal coverage and the count of defined replications."""
    ordered = np.sort(values, axis=1)  # NaN last
    m = np.isfinite(values).sum(axis=1)
    j = _tail_rank(m, level)
    ok = j >= 1
    rows = np.arange(values.shape[0])
    low = np.where(ok, ordered[rows, np.maximum(j - 1, 0)], np.nan)
    high = np.where(ok, ordered[rows, np.clip(m - j, 0, values.shape[1] - 1)], np.nan)
    nominal = np.where(ok, (m + 1 - 2 * j) / (m + 1), np.nan)
    return low, high, nominal, m


def compare(predicted: pd.DataFrame, observed: pd.DataFrame, level: float) -> pd.DataFrame:
    """The comparison table (:data:`COMPARISON_COLUMNS`) of KPI rows of the replications and
    of the observed log (replication 0)."""
    keys = ["period_kind", "period", "period_start", "channel", "kpi"]
    wide = predicted.pivot_table(
        index=keys, columns="replication", values="value", dropna=False, observed=True
    )
    values = wide.to_numpy(np.float64)
    low, high, nominal, m = _intervals(values, level)
    defined = np.where(m[:, None] > 0, values, 0.0)  # rows without any value give NaN below
    table = wide.index.to_frame(index=False)
    table["predicted_mean"] = np.where(m > 0, np.nanmean(defined, axis=1), np.nan)
    table["predicted_median"] = np.where(m > 0, np.nanmedian(defined, axis=1), np.nan)
    table["pi_low"], table["pi_high"], table["nominal"] = low, high, nominal
    table["replications"] = m
    seen = observed[[*keys, "value"]].rename(columns={"value": "observed"})
    table = table.merge(seen, on=keys, how="inner")
    inside = (table["observed"] >= table["pi_low"]) & (table["observed"] <= table["pi_high"])
    defined = table["pi_low"].notna() & table["observed"].notna()
    table["inside"] = np.where(defined, inside, np.nan)
    table["abs_error"] = (table["observed"] - table["predicted_mean"]).abs()
    return table[list(COMPARISON_COLUMNS)].sort_values(
        ["period_kind", "channel", "kpi", "period"], ignore_index=True
    )


def coverage_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """Per period kind, channel and KPI: periods judged, coverage with its Wilson interval,
    mean nominal coverage, whether the nominal lies in the interval, and the MAE."""
    rows = []
    judged = comparison[comparison["inside"].notna()]
    for (kind, channel, kpi), group in judged.groupby(["period_kind", "channel", "kpi"]):
        hits = int(group["inside"].sum())
        share = binomial(hits, len(group), "periods")
        nominal = float(group["nominal"].mean())
        rows.append(
            {
                "period_kind": kind,
                "channel": channel,
                "kpi": kpi,
                "periods": len(group),
                "coverage": share.value,
                "coverage_ci95_low": share.low,
                "coverage_ci95_high": share.high,
                "nominal": nominal,
                "within_binomial_error": bool(share.low <= nominal <= share.high),
                "mae": float(group["abs_error"].mean()),
                "mean_observed": float(group["observed"].mean()),
                "mean_predicted": float(group["predicted_mean"].mean()),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True, eq=False)
class Backtest:
    """The result of :func:`backtest`.

    Attributes
    ----------
    comparison:
        Per period and KPI, prediction against observation (:data:`COMPARISON_COLUMNS`).
    coverage:
        Per period kind, channel and KPI (:func:`coverage_table`).
    scenario:
        The simulated scenario (the base moved to the test days, observed staffing).
    calibration:
        The calibration of the training days, or None when a scenario was given.
    document:
        ``backtest.json``.
    out_dir:
        The folder written.
    """

    comparison: pd.DataFrame
    coverage: pd.DataFrame
    scenario: Scenario
    calibration: Calibration | None
    document: dict
    out_dir: Path


def _check(log: ContactLog, train_until: dt.date, calibrating: bool, warmup_days: int) -> int:
    trained = (train_until - log.start).days
    test = log.n_days - trained
    last = log.start + dt.timedelta(days=log.n_days - 1)
    if test < 1 or trained < 1:
        raise InputError(
            f"--train-until {train_until} must lie after the log's first day {log.start} and "
            f"no later than its last day {last}"
        )
    if calibrating and trained < MIN_TRAINING_DAYS:
        raise InputError(
            f"--train-until {train_until} leaves {trained} days to calibrate on; "
            f"at least {MIN_TRAINING_DAYS} are needed"
        )
    if warmup_days < 0 or warmup_days > trained:
        raise InputError(
            f"--warmup-days must be between 0 and the {trained} days before {train_until} "
            f"(got {warmup_days})"
        )
    return test


def _variant(
    out_dir,
    base_path,
    base,
    staffing: Staffing,
    closed,
    start,
    days,
    warmup_days,
    replications,
    seed,
) -> Path:
    """Write ``backtest_scenario.yaml`` (extends the base) and the rosters it names."""
    interval_s = base.horizon.interval_s
    teams = []
    for team in staffing.teams:
        file = f"roster_{team.name}.csv"
        roster_csv(out_dir / file, start, team.agents, interval_s, days)
        teams.append(
            {
                "name": team.name,
                "channels": list(team.channels),
                "staffing": {"mode": "roster", "file": file},
            }
        )
    document = {
        "extends": os.path.relpath(Path(base_path).resolve(), out_dir.resolve()),
        "name": f"{base.name}_backtest",
        "horizon": {"start": start, "days": days, "closed_days": closed},
        "partner": {"shrinkage": 0.0, "teams": teams},
        "run": {"replications": replications, "seed": seed, "warmup": f"{warmup_days}d"},
    }
    path = out_dir / "backtest_scenario.yaml"
    path.write_text(
        "# The base scenario on the test days with the observed staffing "
        "(ccplan backtest)\n" + yaml.safe_dump(document, sort_keys=False)
    )
    return path


def backtest(
    source: str | Path | ContactLog,
    out: str | Path,
    *,
    train_until: dt.date,
    scenario: str | Path | None = None,
    log_format: LogFormat | None = None,
    settings: Settings | None = None,
    replications: int = 40,
    seed: int = 1,
    level: float = 0.9,
    warmup_days: int = 1,
    workers: int = 1,
) -> Backtest:
    """Back-test the model on a contact log (module docstring) and write ``out``.

    Parameters
    ----------
    source:
        The log (file or :class:`ContactLog`).
    out:
        Folder to write: ``backtest.json``, ``backtest.csv``, ``backtest.png``,
        ``backtest_scenario.yaml`` with its rosters and, when calibrating, ``calibration/``.
    train_until:
        First test day: the log before it trains, the days from it are predicted.
    scenario:
        A scenario to test instead of calibrating one (its channels must be the log's).
    log_format, settings:
        As for :func:`calibrate.calibrate_log` (``settings.staffing`` names the staffing file
        for the test days too).
    replications, seed:
        Simulated replications (at least ``2 / (1 - level) - 1`` for an interval) and their seed.
    level:
        Prediction-interval level, in (0, 1).
    warmup_days:
        Days before ``train_until`` simulated but not measured.
    workers:
        Local worker processes.
    """
    from calibrate.backtest_report import write_backtest

    settings = settings or Settings()
    if not 0 < level < 1:
        raise InputError(f"--level must lie strictly between 0 and 1 (got {level})")
    if _tail_rank(replications, level) < 1:
        need = int(np.ceil(2 / (1 - level) - 1 - 1e-9))
        raise InputError(
            f"--replications must be at least {need} for {level:.0%} prediction intervals "
            f"(got {replications})"
        )
    log = load_log(source, log_format)
    test_days = _check(log, train_until, scenario is None, warmup_days)
    out_dir = _folder(out)
    calibration = None
    if scenario is None:
        calibration = calibrate_log(
            log.until(train_until), out_dir / "calibration", settings=settings
        )
        base_path = calibration.scenario_path
    else:
        base_path = Path(scenario)
    base = load(base_path)
    missing = sorted(set(log.channels) ^ set(base.channel_names))
    if missing:
        raise InputError(
            f"the scenario's channels ({', '.join(base.channel_names)}) and the log's "
            f"({', '.join(log.channels)}) differ: {', '.join(missing)}"
        )
    kinds = {name: channel.kind for name, channel in base.channels.items()}
    interval_s = base.horizon.interval_s
    if settings.staffing is not None:
        staffing = read_staffing(settings.staffing, log, kinds, interval_s)
    elif log.has_agents:
        staffing = infer_staffing(log, kinds, interval_s, settings.gap_s)
    else:
        raise InputError(
            "the log names no agents: give the staffing of the test days (--staffing FILE)"
        )
    start = train_until - dt.timedelta(days=warmup_days)
    skip = round((start - log.start).days * SECONDS_PER_DAY / interval_s)
    shifted = Staffing(
        tuple(type(t)(t.name, t.channels, t.agents[skip:], t.busy) for t in staffing.teams),
        staffing.source,
        staffing.method,
        staffing.bias,
    )
    found = closed_days(log.contacts, kinds, log.start, log.n_days)
    closed = sorted(
        set(base.horizon.closed_days) | {log.start + dt.timedelta(days=int(d)) for d in found}
    )
    path = _variant(
        out_dir,
        base_path,
        base,
        shifted,
        closed,
        start,
        test_days + warmup_days,
        warmup_days,
        replications,
        seed,
    )
    variant = load(path)
    team_rosters(variant, expand(variant))  # a roster problem is reported before simulating
    with executor(workers) as map_fn:
        predicted = pd.concat(
            list(map_fn(_Reduced(variant, seed), range(replications))), ignore_index=True
        )
    linkage = link_customers(log.contacts, settings.repeat_window_s) if log.has_customers else None
    observed = _compared(
        variant,
        observed_contacts(log, variant, linkage),
        observed_agents(log, variant, staffing),
    )
    comparison = compare(predicted, observed, level)
    coverage = coverage_table(comparison)
    document = {
        "schema": "ccplan.backtest/1",
        "log": log.source,
        "train_until": str(train_until),
        "test_days": test_days,
        "warmup_days": warmup_days,
        "scenario": str(base_path),
        "calibrated": calibration is not None,
        "staffing": {"source": staffing.source, "method": staffing.method, "bias": staffing.bias},
        "replications": replications,
        "seed": seed,
        "level": level,
        "rows_set_aside": log.set_aside,
        "coverage": json.loads(coverage.to_json(orient="records")),
        "note": "prediction intervals cover the randomness of the days, not the uncertainty "
        "of the calibrated parameters",
    }
    result = Backtest(comparison, coverage, variant, calibration, document, out_dir)
    write_backtest(result)
    return result
