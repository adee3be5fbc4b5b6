"""Summaries over replications: t intervals, quantiles, P(breach), money, JSON."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy import special

from scenarios.contract import Contract
from sla_eval.contract import evaluate_contract
from sla_eval.fees import billing_fees
from sla_eval.partner_cost import PartnerCosts, partner_cost
from sla_eval.summary import (
    clip_fraction_intervals,
    contract_totals,
    describe,
    summarise,
    summary_dict,
    wilson_interval,
)


def test_describe_by_hand():
    got = describe([1.0, 2.0, 3.0, 4.0, 5.0, np.nan])
    # n = 5 (NaN left out), mean 3, s = sqrt(10 / 4) = 1.5811, t(0.975, 4) = 2.776445:
    # half width 2.776445 * 1.5811 / sqrt(5) = 1.96324.
    assert got["n"] == 5
    assert got["mean"] == 3.0
    assert got["ci95"] == pytest.approx([3 - 1.96324, 3 + 1.96324], abs=1e-5)
    # Quantiles with linear interpolation: 1 + 0.05 * 4 = 1.2; 3; 1 + 0.95 * 4 = 4.8.
    assert [got["q05"], got["q50"], got["q95"]] == pytest.approx([1.2, 3.0, 4.8])
    assert describe([7.0])["ci95"] == [None, None]
    assert describe([np.nan])["mean"] is None


def test_summarise_agrees_with_describe():
    frame = pd.DataFrame({"g": [0, 0, 0, 1, 1], "value": [1.0, 2.0, 6.0, 4.0, np.nan]})
    table = summarise(frame, ["g"])
    first = describe([1.0, 2.0, 6.0])
    assert table["mean"].iloc[0] == pytest.approx(first["mean"])
    assert [table["ci95_low"].iloc[0], table["ci95_high"].iloc[0]] == pytest.approx(first["ci95"])
    assert table["n"].tolist() == [3, 1]
    assert np.isnan(table["ci95_low"].iloc[1])


def test_t_interval_covers_the_mean_about_95_percent_of_the_time():
    # 4,000 samples of 5 normals: coverage of a 95 % t interval has standard error
    # sqrt(0.95 * 0.05 / 4000) = 0.0034; accept 0.95 +- 4.5 standard errors.
    rng = np.random.default_rng(np.random.SeedSequence(2027))
    x = rng.normal(10.0, 3.0, size=(4000, 5))
    frame = pd.DataFrame({"g": np.repeat(np.arange(4000), 5), "value": x.ravel()})
    table = summarise(frame, ["g"])
    covered = (table["ci95_low"] <= 10.0) & (table["ci95_high"] >= 10.0)
    assert abs(covered.mean() - 0.95) < 4.5 * 0.0034


@pytest.fixture
def money(kpis_of):
    contract = Contract.model_validate(
        {
            "fee": {"fixed_eur": 10_000},
            "clauses": [
                {
                    "id": "sl",
                    "kpi": "service_level",
                    "channel": "phone",
                    "threshold": "30s",
                    "target": "80%",
                    "penalty": {"scheme": "fixed", "percent_of_fee": "10%"},
                    "bonus": {"scheme": "fixed", "above": "90%", "percent_of_fee": "5%"},
                }
            ],
        }
    )
    sl = "service_level_offered_30s"
    # Replication 0: months 0.7 (miss), 0.95 (bonus); replication 1: 0.85, 0.85 (met, no bonus).
    month = kpis_of(
        {
            (sl, "phone"): [[0.7, 0.95], [0.85, 0.85]],
            ("offered", "phone"): [[100.0, 100.0]] * 2,
            ("staffed_agent_hours", "all"): [[140.0, 140.0]] * 2,
            ("paid_agent_hours", "all"): [[200.0, 200.0]] * 2,
        }
    )
    horizon = kpis_of({("asa_s", "phone"): [[12.0], [18.0]]}, kind="horizon")
    kpis = pd.concat([month, horizon], ignore_index=True)
    evaluation = evaluate_contract(kpis, contract)
    totals = contract_totals(
        evaluation,
        billing_fees(kpis, contract.fee),
        partner_cost(kpis, "month", PartnerCosts(labour_per_agent_hour_eur=30.0)),
    )
    return kpis, evaluation, totals


def test_contract_totals_by_hand(money):
    _, _, totals = money
    # Rep 0 month 0: penalty 10 % of 10,000 = 1,000; net credit 1,000; client cost 9,000;
    # labour 200 paid h * 30 = 6,000 (the 140 staffed hours are what is left after shrinkage);
    # margin 3,000. Month 1: bonus 500; net -500; cost 10,500.
    first = totals.iloc[0]
    assert first["penalty_eur"] == 1000.0
    assert first["client_cost_eur"] == 9000.0
    assert first["labour_cost_eur"] == 6000.0
    assert first["partner_margin_eur"] == 3000.0
    assert totals["net_credit_eur"].tolist() == [1000.0, -500.0, 0.0, 0.0]
    assert totals["breach"].tolist() == [True, False, False, False]


def test_summary_dict_is_json_ready(money):
    kpis, evaluation, totals = money
    summary = summary_dict(kpis, evaluation, totals, kpi_names=["asa_s", "service_level"])
    text = json.dumps(summary, allow_nan=False)
    assert "NaN" not in text
    assert summary["replications"] == 2
    # ASA over replications: mean (12 + 18) / 2 = 15; service_level does not apply -> None.
    assert summary["channels"]["phone"]["asa_s"]["mean"] == 15.0
    assert summary["channels"]["phone"]["service_level"] is None
    contract = summary["contract"]
    # Penalty per replication over the horizon: 1,000 and 0 -> expected 500;
    # bonus 500 and 0 -> 250; net credit 500 and 0 -> 250. P(breach): 1 of 2 replications.
    assert contract["expected_penalty_eur"] == 500.0
    assert contract["expected_bonus_eur"] == 250.0
    assert contract["expected_net_credit_eur"] == 250.0
    assert contract["p_breach"] == 0.5
    # Wilson 95 %, 1 of 2: (0.5 + 0.9604) / 2.9207 -+ 1.96 sqrt(0.125 + 0.2401) / 2.9207
    assert contract["p_breach_ci95"] == pytest.approx([0.0945, 0.9055], abs=1e-4)
    # Client cost per replication: 20,000 - 500 = 19,500 and 20,000 -> mean 19,750.
    assert contract["client_cost_eur"]["mean"] == 19750.0
    # Margin: 19,500 - 12,000 = 7,500 and 8,000 -> 7,750.
    assert contract["partner_margin_eur"]["mean"] == 7750.0
    clause = contract["clauses"]["sl"]
    assert clause["p_breach"] == 0.5
    assert [p["p_breach"] for p in clause["periods"]] == [0.5, 0.0]
    assert clause["periods"][0]["expected_penalty_eur"] == 500.0
    assert [p["p_breach"] for p in contract["periods"]] == [0.5, 0.0]
    assert summary_dict(kpis)["contract"] is None


def test_intervals_of_shares_stay_inside_zero_and_one():
    # two replications at 99 % and 100 %: t interval 0.995 +- 12.706 * 0.00707 / sqrt(2)
    loose = describe([0.99, 1.0])
    assert loose["ci95"][1] > 1.0
    clipped = describe([0.99, 1.0], fraction=True)
    assert clipped["ci95"][1] == 1.0
    assert clipped["ci95"][0] == pytest.approx(loose["ci95"][0])
    assert clipped["mean"] == loose["mean"]


def test_clip_fraction_intervals_leaves_other_kpis_alone():
    table = pd.DataFrame(
        {
            "metric": ["service_level", "asa_s", "abandon_frac_sa5s"],
            "ci95_low": [0.9, -2.0, -0.01],
            "ci95_high": [1.02, 5.0, 0.03],
        }
    )
    clipped = clip_fraction_intervals(table, "metric")
    assert clipped["ci95_high"].tolist() == [1.0, 5.0, 0.03]
    assert clipped["ci95_low"].tolist() == [0.9, -2.0, 0.0]
    assert table["ci95_high"].tolist() == [1.02, 5.0, 0.03]


def test_wilson_interval_by_hand():
    # 0 of 10: [0, z^2 / (n + z^2)] = [0, 3.8415 / 13.8415] = [0, 0.2775] (Agresti-Coull 1998).
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    # 4 of 4: [4 / (4 + 3.8415), 1] = [0.5101, 1]: four breaches are not a certain breach.
    assert wilson_interval(4, 4) == pytest.approx((0.5101, 1.0), abs=1e-4)
    # 30 of 100: centre (0.3 + 0.019208) / 1.038415 = 0.307400, half 1.96 sqrt(0.0021 +
    # 0.00009604) / 1.038415 = 0.088451.
    assert wilson_interval(30, 100) == pytest.approx((0.218949, 0.395851), abs=1e-5)
    assert all(np.isnan(wilson_interval(0, 0)))


@pytest.mark.parametrize("n", [1, 3, 7, 20, 100, 9504])
def test_the_wilson_interval_holds_the_share_at_zero_and_one(n):
    # At 0 and at n of n, rounding leaves centre - half a few 1e-17 away from the share; the
    # interval still starts at 0 and ends at 1 exactly (error bars of length >= 0).
    assert wilson_interval(0, n)[0] == 0.0
    assert wilson_interval(n, n)[1] == 1.0
    low, high = wilson_interval(n // 3, n)
    assert low <= (n // 3) / n <= high


def test_a_clause_that_never_applied_is_not_applicable(kpis_of):
    contract = Contract.model_validate(
        {
            "fee": {"fixed_eur": 10_000},
            "clauses": [
                {
                    "id": "fcr",
                    "kpi": "fcr",
                    "channel": "phone",
                    "target": "70%",
                    "penalty": {"scheme": "fixed", "percent_of_fee": "1%"},
                }
            ],
        }
    )
    # A horizon shorter than the FCR window: no felt FCR in any replication or period.
    kpis = kpis_of({("fcr_frac", "phone"): [[np.nan], [np.nan]], ("offered", "phone"): [[9], [9]]})
    evaluation = evaluate_contract(kpis, contract)
    totals = contract_totals(evaluation, billing_fees(kpis, contract.fee))
    clause = summary_dict(kpis, evaluation, totals)["contract"]["clauses"]["fcr"]
    assert clause["p_breach"] is None and clause["p_breach_ci95"] == [None, None]
    assert clause["applicable_replications"] == 0
    assert clause["periods"][0]["p_breach"] is None
    assert clause["periods"][0]["p_applicable"] == 0.0


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # inf - inf, as numpy warns
@pytest.mark.parametrize("seed", range(10))
def test_describe_quantiles_and_interval_are_numpys_to_the_last_bit(seed):
    rng = np.random.default_rng(seed)
    for n in (1, 2, 3, 7, 20, 101):
        x = rng.choice([0.0, -0.0, 1.5, -2.25, 1e9, np.inf], n) * rng.integers(0, 2, n)
        x = x + rng.normal(size=n) * rng.integers(0, 2, n)
        found = describe(x)
        x = x[~np.isnan(x)]  # inf * 0 draws; describe leaves NaN out
        if len(x) == 0:
            assert found["n"] == 0
            continue
        expected = np.quantile(x, [0.05, 0.5, 0.95])
        for name, value in zip(("q05", "q50", "q95"), expected, strict=True):
            assert str(found[name]) == str(float(value))
        n_counted = len(x)
        std = x.std(ddof=1) if n_counted > 1 else np.nan
        t = np.where(n_counted >= 2, special.stdtrit(max(n_counted - 1, 1), 0.975), np.nan)
        half = float(t * std / np.sqrt(n_counted))
        mean = float(x.mean())
        assert str(found["ci95"]) == str(
            [None if np.isnan(v) else v for v in (mean - half, mean + half)]
        )
