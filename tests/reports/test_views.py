"""The views of a run (sla_eval.interval_views, sla_eval.period_risk, reports.view_figures,
the headcount and busiest-week staffing figures): each test checks the arrays a figure draws
against the tables computed independently here, on the short baseline run of the conftest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reports.headcount_figure import headcount_figure
from reports.view_figures import (
    net_credit_histogram_figure,
    p_breach_figure,
    service_heatmap_figure,
    weekday_service_figure,
    weekly_risk_figure,
)
from sla_eval.interval_views import (
    busiest_week,
    replication_totals,
    service_grid,
    weekday_profile,
    worst_intervals,
)
from sla_eval.period_risk import clause_p_breach, clause_period_risk
from staffing import plan_by_week


def _service(kpis: pd.DataFrame, channel: str) -> pd.DataFrame:
    """The interval service rows of a channel, selected the slow and obvious way."""
    rows = kpis[
        (kpis["period_kind"].astype(str) == "interval")
        & (kpis["channel"].astype(str) == channel)
        & kpis["kpi"].astype(str).isin(["service_level", "response_within_target_frac"])
    ]
    return rows.dropna(subset=["value"])


@pytest.fixture(scope="module")
def targets(run) -> dict[str, float]:
    channels = run["scenario"].channels.items()
    return {name: c.service_target.target for name, c in channels if c.service_target}


def test_the_heatmap_draws_the_mean_over_replications_per_day_and_time(run, targets):
    kpis = run["kpis"]
    grids = {channel: (service_grid(kpis, channel), t) for channel, t in targets.items()}
    figure = service_heatmap_figure(grids)
    for axis, (channel, target) in zip(figure.axes, targets.items(), strict=False):
        rows = _service(kpis, channel)
        expected = rows.groupby("period_start")["value"].mean()
        drawn = np.ma.filled(axis.images[0].get_array().astype(float), np.nan)
        grid = grids[channel][0]
        assert drawn.shape == grid.shape == (7, 96) or drawn.shape[0] <= 7
        for stamp, value in expected.items():
            row = grid.index.get_loc(stamp.normalize())
            column = grid.columns.get_loc(stamp.time())
            assert drawn[row, column] == pytest.approx(value)
        assert np.isnan(drawn).sum() == grid.size - len(expected)
        for contour in [c for c in axis.collections if hasattr(c, "levels")]:
            assert list(contour.levels) == [target]


def test_a_closed_day_is_an_empty_row_of_the_heatmap(run):
    grid = service_grid(run["kpis"], "phone")
    assert pd.Timestamp("2027-03-29") in grid.index
    assert grid.loc[pd.Timestamp("2027-03-29")].isna().all()


def test_the_weekday_profile_draws_the_mean_over_replications_and_weeks(run, targets):
    kpis = run["kpis"]
    channel = "email"
    profile = weekday_profile(kpis, channel)
    rows = _service(kpis, channel)
    starts = rows["period_start"]
    expected = rows.groupby([starts.dt.day_of_week, starts.dt.time])["value"].agg(
        ["mean", lambda v: np.quantile(v, 0.05)]
    )
    assert profile["mean"].to_numpy() == pytest.approx(expected["mean"].to_numpy())
    assert profile["q05"].to_numpy() == pytest.approx(expected.iloc[:, 1].to_numpy())
    figure = weekday_service_figure({channel: (profile, targets[channel])})
    axis = figure.axes[0]
    drawn = np.concatenate([line.get_ydata() for line in axis.lines[:-1]])
    x = np.concatenate([line.get_xdata() for line in axis.lines[:-1]])
    assert drawn == pytest.approx(profile["mean"].to_numpy())
    assert x.min() >= 0 and x.max() < 7 * 24
    assert axis.lines[-1].get_ydata()[0] == targets[channel]


def test_the_worst_intervals_are_below_target_worst_first(run, targets):
    kpis = run["kpis"]
    worst = worst_intervals(kpis, targets, 8)
    assert 0 < len(worst) <= 8
    gaps = (worst["target"] - worst["mean"]).to_numpy()
    assert (gaps > 0).all() and (np.diff(gaps) <= 1e-12).all()
    first = worst.iloc[0]
    rows = _service(kpis, first["channel"])
    own = rows[rows["period_start"] == first["interval_start"]]["value"]
    assert first["mean"] == pytest.approx(own.mean())
    assert first["p_below"] == pytest.approx((own < first["target"]).mean())
    every = pd.concat(
        [t - _service(kpis, c).groupby("period_start")["value"].mean() for c, t in targets.items()]
    )
    assert gaps[0] == pytest.approx(every.max())


def test_weekly_risk_matches_the_weekly_contract_evaluation(run):
    contract = run["scenario"].contract
    assert all(contract.period_of(clause) == "week" for clause in contract.clauses)
    weekly = clause_period_risk(run["kpis"], contract, "week")
    evaluation = run["evaluation"].dropna(subset=["value"])
    for clause in contract.clauses:
        own = weekly[weekly["clause"] == clause.id].set_index("period")
        rows = evaluation[evaluation["clause"].astype(str) == clause.id]
        means = rows.groupby("period")["value"].mean()
        assert own["mean"].to_numpy() == pytest.approx(means.reindex(own.index).to_numpy())
        missed = rows.assign(miss=~rows["met"]).groupby("period")["miss"].mean()
        assert own["p_miss"].to_numpy() == pytest.approx(missed.reindex(own.index).to_numpy())
    figure = weekly_risk_figure(weekly, contract)
    missed = {c for c, group in weekly.groupby("clause") if (group["p_miss"] > 0).any()}
    shown = [clause.id for clause in contract.clauses if clause.id in missed]
    assert len(figure.axes) == 2 * len(shown) and "email_response" in shown
    email = weekly[weekly["clause"] == "email_response"].sort_values("period_start")
    index = shown.index("email_response")
    left, right = figure.axes[2 * index], figure.axes[2 * index + 1]
    assert left.lines[0].get_ydata() == pytest.approx(email["mean"].to_numpy())
    assert right.lines[0].get_ydata() == pytest.approx(email["p_miss"].to_numpy())
    assert email["p_miss"].max() > 0, "the week of the closed Easter Monday misses"


def test_the_p_breach_chart_draws_the_summary(run, summary):
    clauses = clause_p_breach(run["evaluation"])
    for key, entry in summary["contract"]["clauses"].items():
        assert clauses[key]["p_breach"] == entry["p_breach"]
        assert clauses[key]["p_breach_ci95"] == pytest.approx(entry["p_breach_ci95"])
    figure = p_breach_figure(clauses)
    widths = [patch.get_width() for patch in figure.axes[0].patches]
    shown = [entry["p_breach"] for entry in clauses.values() if entry["p_breach"] is not None]
    assert widths == pytest.approx(shown)


def test_the_histogram_counts_every_replication_s_net_credit(run, summary):
    values = replication_totals(run["totals"], "net_credit_eur")
    assert values.mean() == pytest.approx(summary["contract"]["net_credit_eur"]["mean"])
    figure = net_credit_histogram_figure(values)
    heights = np.array([patch.get_height() for patch in figure.axes[0].patches])
    edges = sorted({patch.get_x() for patch in figure.axes[0].patches})
    assert heights.sum() == len(values)
    counts, _ = np.histogram(values / 1000.0, bins=len(heights))
    assert heights == pytest.approx(counts)
    assert edges[0] == pytest.approx(values.min() / 1000.0)


def test_the_headcount_figure_draws_the_weekly_plan(run):
    weeks = plan_by_week(run["plan"], run["scenario"])
    figure = headcount_figure(weeks, run["scenario"].partner.fte_hours_per_week)
    for axis, team in zip(figure.axes, dict.fromkeys(weeks["team"].astype(str)), strict=True):
        own = weeks[weeks["team"].astype(str) == team].sort_values("week_start")
        assert axis.lines[-1].get_ydata() == pytest.approx(own["fte"].to_numpy())
        if own["headcount"].notna().any():
            bars = [patch.get_height() for patch in axis.patches][: len(own)]
            assert bars == pytest.approx(own["headcount"].to_numpy())


def test_the_busiest_week_has_the_most_required_agents():
    times = pd.date_range("2027-03-01", periods=21 * 24, freq="h")
    required = np.where(times < pd.Timestamp("2027-03-08"), 2, 1)
    required[(times >= pd.Timestamp("2027-03-15"))] = 3
    plan = pd.DataFrame(
        {
            "interval_start": times,
            "required_agents": pd.array(required, dtype="Int64"),
            "scheduled_agents": 5,
        }
    )
    assert busiest_week(plan) == pd.Timestamp("2027-03-15")
    plan.loc[times >= pd.Timestamp("2027-03-15"), "required_agents"] = pd.NA
    assert busiest_week(plan) == pd.Timestamp("2027-03-15")  # scheduled agents count then
    plan["required_agents"] = pd.array(required, dtype="Int64")
    plan.loc[times >= pd.Timestamp("2027-03-15"), "required_agents"] = 0
    assert busiest_week(plan) == pd.Timestamp("2027-03-01")


def test_without_a_missed_week_every_clause_is_drawn(run):
    contract = run["scenario"].contract
    weekly = clause_period_risk(run["kpis"], contract, "week").assign(p_miss=0.0)
    figure = weekly_risk_figure(weekly, contract)
    assert len(figure.axes) == 2 * weekly["clause"].nunique()
