"""Back-test on a simulated log: calibrate the first weeks of the known desk
(``data/desk.yaml``), predict the following weeks with its true staffing, and find the daily
90 % prediction intervals covering about 90 % of the days -- within binomial error: for each of
the five KPIs the Wilson interval of the coverage, at 99.9 % (so that the five together fail by
chance less than once in 200 runs), contains the nominal coverage of the order-statistic
intervals."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from scipy import stats

from calibrate import BACKTEST_KPIS, COMPARISON_COLUMNS, Settings, backtest, export_replication
from scenarios import InputError, load
from sim import simulate
from tests.calibrate.conftest import DESK, KNOWN


def _desk(folder, days: int, seed: int):
    scenario = load(DESK, [f"horizon.days={days}"])
    log_path, staffing_path = export_replication(scenario, simulate(scenario, 0, seed), folder)
    return scenario, log_path, staffing_path


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """Six weeks of the desk: three to calibrate on, three to predict."""
    folder = tmp_path_factory.mktemp("desk")
    scenario, log_path, staffing_path = _desk(folder, 42, 21)
    result = backtest(
        log_path,
        folder / "backtest",
        train_until=scenario.horizon.start + dt.timedelta(days=21),
        settings=Settings(staffing=staffing_path),
        replications=19,
        seed=121,
    )
    return scenario, log_path, staffing_path, result


def _assert_days_covered(result, min_days: int) -> None:
    days = result.coverage[result.coverage["period_kind"] == "day"]
    assert set(days["kpi"]) == set(BACKTEST_KPIS["realtime"])
    assert (days["periods"] >= min_days).all()
    for row in days.itertuples():
        hits = round(row.coverage * row.periods)
        interval = stats.binomtest(hits, row.periods).proportion_ci(0.999, method="wilson")
        assert interval.low <= row.nominal <= interval.high, days


def test_daily_prediction_intervals_cover_about_ninety_percent(desk):
    result = desk[3]
    assert result.coverage["nominal"].to_numpy() == pytest.approx(0.9)  # 19 replications
    _assert_days_covered(result, 18)


def test_backtest_files(desk):
    _, _, _, result = desk
    folder = result.out_dir
    table = pd.read_csv(folder / "backtest.csv")
    assert tuple(table.columns) == COMPARISON_COLUMNS
    assert set(table["period_kind"]) == {"day", "week"}
    document = json.loads((folder / "backtest.json").read_text())
    assert document["calibrated"] and document["staffing"]["source"] == "file"
    assert len(document["coverage"]) == len(result.coverage)
    assert (folder / "backtest.png").read_bytes().startswith(b"\x89PNG")
    assert (folder / "calibration" / "calibration.json").exists()
    variant = load(folder / "backtest_scenario.yaml")
    assert variant.horizon.start == dt.date(2027, 1, 24)  # one warm-up day before the test
    assert variant.run.warmup_s == 86400
    assert variant.partner.teams[0].staffing.mode == "roster"


def test_observed_values_are_measured_like_the_simulation(desk):
    """The observed volume is the log's offered contacts of each test day."""
    _, log_path, _, result = desk
    log = pd.read_csv(log_path, parse_dates=["arrival"])
    offered = log[log["outcome"].isin(["answered", "abandoned"])]
    per_day = offered.groupby(offered["arrival"].dt.date).size()
    rows = result.comparison
    observed = rows[(rows["period_kind"] == "day") & (rows["kpi"] == "offered")]
    for row in observed.itertuples():
        day = pd.Timestamp(row.period_start).date()
        assert row.observed == per_day.get(day, 0)


def test_a_given_scenario_is_back_tested_as_it_is(desk, tmp_path):
    scenario, log_path, staffing_path, _ = desk
    result = backtest(
        log_path,
        tmp_path,
        train_until=scenario.horizon.start + dt.timedelta(days=35),
        scenario=DESK,
        settings=Settings(staffing=staffing_path),
        replications=19,
        seed=3,
    )
    assert result.calibration is None
    assert result.scenario.channels["phone"].patience == scenario.channels["phone"].patience
    assert result.document["calibrated"] is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"train_until": dt.date(2027, 1, 4)}, "must lie after the log's first day"),
        ({"train_until": dt.date(2027, 3, 1)}, "no later than its last day"),
        ({"train_until": dt.date(2027, 1, 7)}, "at least 7 are needed"),
        ({"replications": 10}, "--replications must be at least 19"),
        ({"level": 1.5}, "--level must lie strictly between 0 and 1"),
        ({"warmup_days": 30}, "--warmup-days must be between 0 and"),
        ({"scenario": str(KNOWN)}, "differ"),
    ],
)
def test_bad_backtest_arguments(desk, tmp_path, kwargs, message):
    _, log_path, staffing_path, _ = desk
    arguments = {
        "train_until": dt.date(2027, 1, 25),
        "settings": Settings(staffing=staffing_path),
        "replications": 19,
        **kwargs,
    }
    with pytest.raises(InputError, match=message):
        backtest(log_path, tmp_path, **arguments)


@pytest.mark.slow
@pytest.mark.parametrize("given", [False, True])
def test_sixteen_weeks_cover_about_ninety_percent_of_days(tmp_path, given):
    scenario, log_path, staffing_path = _desk(tmp_path, 112, 33)
    result = backtest(
        log_path,
        tmp_path / "backtest",
        train_until=scenario.horizon.start + dt.timedelta(days=56),
        scenario=DESK if given else None,
        settings=Settings(staffing=staffing_path),
        replications=39,
        seed=133,
        workers=2,
    )
    _assert_days_covered(result, 45)
