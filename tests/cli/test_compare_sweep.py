"""``ccplan compare`` and ``ccplan sweep``: common random numbers, paired differences, tables."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from reports.staging import MARKER_FILE
from scenarios.errors import InputError
from sla_eval.comparison import paired_differences, replication_metrics, sweep_table

BUSIER = "channels:\n  phone:\n    volume: {per_week: 11000}\n"


def _variant(tmp_path, small, name, extra=""):
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"extends: {small}\nname: {name}\n{extra}")
    return path


def test_compare_pairs_replications_on_common_random_numbers(ccplan, small, tmp_path):
    busier = _variant(
        tmp_path, small, "busier", "channels:\n  phone:\n    volume: {per_week: 11000}\n"
    )
    twin = _variant(tmp_path, small, "twin")
    out = tmp_path / "cmp"
    done = ccplan(
        "compare", small, busier, twin, "--out", out, "--workers", "1", "--replications", "3",
        "--json",
    )  # fmt: skip
    assert done.code == 0, done.err
    table = pd.DataFrame(done.json())
    assert set(table["reference"]) == {"small"}
    # the same scenario under another name: every pair is identical
    same = table[table["variant"] == "twin"]
    assert (same["mean_difference"].fillna(0) == 0).all()
    assert (same.dropna(subset=["ci95_low"])[["ci95_low", "ci95_high"]] == 0).all().all()
    # more phone volume: phone differs, chat and email see the same customers (own streams)
    busy = table[table["variant"] == "busier"].set_index(["channel", "metric"])
    assert busy.loc[("phone", "offered"), "mean_difference"] > 0
    assert busy.loc[("phone", "offered"), "ci95_low"] > 0
    for channel in ("chat", "email"):
        assert busy.loc[(channel, "offered"), "mean_difference"] == 0
        assert busy.loc[(channel, "aht_s"), "mean_difference"] == 0
    assert busy.loc[("contract", "breach"), "n"] == 3
    assert sorted(path.name for path in out.iterdir()) == [
        MARKER_FILE,
        "compare.csv",
        "compare.parquet",
        "comparison.png",
        "summaries.json",
        "warnings.json",
    ]
    summaries = json.loads((out / "summaries.json").read_text())
    assert list(summaries) == ["small", "busier", "twin"]
    assert all(summary["seed"] == 7 for summary in summaries.values())


def test_compare_prints_the_differences(ccplan, small, tmp_path):
    busier = _variant(
        tmp_path, small, "busier", "channels:\n  phone:\n    volume: {per_week: 11000}\n"
    )
    done = ccplan("compare", small, busier, "--out", tmp_path / "c", "--workers", "1", "--quiet")
    assert done.code == 0, done.err
    assert "minus" in done.out and "95% CI" in done.out and "net_credit_eur" in done.out


def test_compare_of_three_names_each_variant_under_its_own_heading(ccplan, small, tmp_path):
    busier = _variant(tmp_path, small, "busier", BUSIER)
    twin = _variant(tmp_path, small, "twin")
    done = ccplan(
        "compare", small, busier, twin, "--out", tmp_path / "c", "--workers", "1", "--quiet"
    )
    assert done.code == 0, done.err
    assert "not unique" not in done.err
    heading = next(line for line in done.out.splitlines() if line.startswith("┃"))
    cells = [cell.strip() for cell in heading.strip("┃│ ").split("┃")]
    assert cells[:2] == ["scenario", "channel"]
    assert [cells.count(name) for name in ("reference", "variant", "difference")] == [1, 1, 1]
    assert "busier" in done.out and "twin" in done.out


def _evaluation(values: dict[int, float], money: dict[int, float]):
    """A stand-in evaluation: one KPI over the horizon and one period of money per
    replication."""
    kpis = pd.DataFrame(
        {
            "replication": list(values),
            "period_kind": "horizon",
            "period": 0,
            "channel": "phone",
            "kpi": "service_level",
            "value": list(values.values()),
        }
    )
    totals = pd.DataFrame(
        {
            "replication": list(money),
            "period": 0,
            "breach": [amount > 0 for amount in money.values()],
            **{
                column: 0.0
                for column in (
                    "earned_back_eur",
                    "bonus_eur",
                    "client_cost_eur",
                    "partner_margin_eur",
                )
            },
            "penalty_eur": list(money.values()),
            "net_credit_eur": list(money.values()),
        }
    )
    return type("Evaluation", (), {"kpis": kpis, "totals": totals})()


def test_paired_differences_by_hand():
    reference = _evaluation({0: 0.80, 1: 0.70, 2: 0.90}, {0: 0.0, 1: 100.0, 2: 0.0})
    variant = _evaluation({0: 0.85, 1: 0.71, 2: 0.96}, {0: 0.0, 1: 0.0, 2: 0.0})
    table = paired_differences({"a": reference, "b": variant}).set_index(["channel", "metric"])
    row = table.loc[("phone", "service_level")]
    d = np.array([0.05, 0.01, 0.06])
    half = stats.t.ppf(0.975, 2) * d.std(ddof=1) / np.sqrt(3)
    assert row["n"] == 3
    assert row["mean_difference"] == pytest.approx(d.mean())
    assert (row["ci95_low"], row["ci95_high"]) == pytest.approx((d.mean() - half, d.mean() + half))
    assert (row["mean_reference"], row["mean_variant"]) == pytest.approx((0.8, 0.84))
    breach = table.loc[("contract", "breach")]
    assert breach["mean_difference"] == pytest.approx(-1 / 3)
    assert table.loc[("contract", "penalty_eur"), "mean_difference"] == pytest.approx(-100 / 3)


def test_paired_differences_need_the_same_replications():
    one = _evaluation({0: 0.8, 1: 0.7}, {0: 0.0, 1: 0.0})
    other = _evaluation({1: 0.8, 2: 0.7}, {1: 0.0, 2: 0.0})
    with pytest.raises(InputError, match="different replications"):
        paired_differences({"a": one, "b": other})
    with pytest.raises(InputError, match="at least two"):
        paired_differences({"a": one})


def test_replication_metrics_without_contract():
    evaluation = _evaluation({0: 0.8}, {0: 0.0})
    evaluation.totals = None
    metrics = replication_metrics(evaluation)
    assert list(metrics["metric"]) == ["service_level"]


def test_sweep_table_has_a_column_per_varied_field():
    evaluations = [_evaluation({0: 0.8, 1: 0.9}, {0: 0.0, 1: 10.0}) for _ in range(2)]
    table = sweep_table(evaluations, [[("a.b", "50"), ("c", "x")], [("a.b", "70"), ("c", "y")]])
    assert list(table.columns[:3]) == ["variant", "a.b", "c"]
    assert table["a.b"].dtype.kind == "i" and set(table["c"]) == {"x", "y"}
    row = table[(table["variant"] == 1) & (table["metric"] == "breach")].iloc[0]
    assert (row["n"], row["mean"]) == (2, 0.5)


def test_sweep_runs_the_grid_on_common_random_numbers(ccplan, small, tmp_path):
    out = tmp_path / "sweep"
    done = ccplan(
        "sweep", small, "--vary", "partner.teams.0.staffing.headcount=50,70",
        "--vary", "channels.phone.resolution_probability=70%,80%", "--out", out, "--workers", "1",
        "--replications", "2", "--json",
    )  # fmt: skip
    assert done.code == 0, done.err
    table = pd.DataFrame(done.json())
    assert sorted(set(table["variant"])) == [0, 1, 2, 3]
    grid = table.drop_duplicates("variant")[
        ["partner.teams.0.staffing.headcount", "channels.phone.resolution_probability"]
    ]
    assert grid.values.tolist() == [[50, "70%"], [50, "80%"], [70, "70%"], [70, "80%"]]

    def mean(variant, channel, metric):
        rows = table[
            (table["variant"] == variant)
            & (table["channel"] == channel)
            & (table["metric"] == metric)
        ]
        return rows["mean"].item()

    assert mean(2, "phone", "service_level") > mean(0, "phone", "service_level")
    assert mean(0, "chat", "offered") == mean(3, "chat", "offered")  # same chat customers
    assert sorted(path.name for path in out.iterdir()) == [
        MARKER_FILE,
        "summaries.json",
        "sweep.csv",
        "sweep.parquet",
        "sweep_net_credit.png",
        "sweep_p_breach.png",
        "sweep_service_level.png",
        "warnings.json",
    ]
    assert len(json.loads((out / "summaries.json").read_text())) == 4
