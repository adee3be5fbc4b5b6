"""Contract evaluation: every scheme and rule on hand-made KPI tables, with the arithmetic."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios.contract import Contract
from scenarios.errors import InputError
from scenarios.log_tables import check_columns
from scenarios.partner import Pricing
from sla_eval.contract import CONTRACT_COLUMNS, clause_kpi, evaluate_contract
from sla_eval.periods import Calendar

FEE = 100_000.0
SL = "service_level_offered_30s"


def contract_of(*clauses, fee=None, cap=None, period="month") -> Contract:
    return Contract.model_validate(
        {
            "fee": fee or {"fixed_eur": FEE, "billing_period": period},
            "measurement_period": period,
            "at_risk_cap": cap,
            "clauses": [
                {"channel": "phone", "kpi": "service_level", "threshold": "30s", **c}
                for c in clauses
            ],
        }
    )


@pytest.fixture(scope="session")
def sl_kpis(kpis_of):
    """One replication of phone SL values per period, with offered and first-contact volumes."""

    def build(values, offered=1000.0, first=None):
        n = len(values)
        return kpis_of(
            {
                (SL, "phone"): values,
                ("offered", "phone"): [offered] * n,
                ("first_contacts", "phone"): first if first is not None else [offered] * n,
            }
        )

    return build


def test_fixed_penalty_on_a_miss(sl_kpis):
    contract = contract_of(
        {"id": "sl", "target": "80%", "penalty": {"scheme": "fixed", "percent_of_fee": "5%"}}
    )
    result = evaluate_contract(sl_kpis([0.75, 0.85, 0.80]), contract)
    check_columns(result, CONTRACT_COLUMNS)
    # 75 % misses 80 % by 5 points: 5 % of 100,000 = 5,000; 85 % and exactly 80 % are met.
    assert result["penalty_eur"].tolist() == [5000.0, 0.0, 0.0]
    assert result["shortfall_units"].tolist() == pytest.approx([5.0, -5.0, 0.0])
    assert result["met"].tolist() == [False, True, True]
    assert result["breach"].tolist() == [True, False, False]
    assert result["fee_eur"].tolist() == [FEE] * 3


def test_linear_penalty_with_cap(sl_kpis):
    linear = {"scheme": "linear", "per_point_percent_of_fee": "1%", "cap_percent_of_fee": "5%"}
    contract = contract_of({"id": "sl", "target": "80%", "penalty": linear})
    result = evaluate_contract(sl_kpis([0.77, 0.70]), contract)
    # 3 points * 1 % * 100,000 = 3,000; 10 points -> 10,000 capped at 5 % = 5,000.
    assert result["penalty_eur"].tolist() == pytest.approx([3000.0, 5000.0])


def test_banded_penalty(sl_kpis):
    bands = [
        {"from_shortfall_points": 0, "percent_of_fee": "2%"},
        {"from_shortfall_points": 5, "percent_of_fee": "5%"},
    ]
    contract = contract_of(
        {"id": "sl", "target": "90%", "penalty": {"scheme": "banded", "bands": bands}}
    )
    result = evaluate_contract(sl_kpis([0.88, 0.85, 0.80, 0.9]), contract)
    # 2 points -> 2 % = 2,000; exactly 5 points (0.90 - 0.85, float noise rounded) -> 5,000;
    # 10 points -> 5,000; met -> 0.
    assert result["penalty_eur"].tolist() == pytest.approx([2000.0, 5000.0, 5000.0, 0.0])


def test_per_unit_asa_penalty_and_lower_is_better(kpis_of):
    contract = Contract.model_validate(
        {
            "fee": {"fixed_per_period_eur": FEE},
            "clauses": [
                {
                    "id": "asa",
                    "kpi": "asa",
                    "channel": "phone",
                    "target": "30s",
                    "penalty": {"scheme": "per_unit", "eur_per_unit": 200, "dead_band_units": 5},
                },
                {
                    "id": "abandon",
                    "kpi": "abandon_rate",
                    "channel": "phone",
                    "target": "5%",
                    "short_abandon": "5s",
                    "penalty": {"scheme": "linear", "per_point_eur": 1000},
                },
            ],
        }
    )
    kpis = kpis_of(
        {
            ("asa_s", "phone"): [42.0, 33.0, 20.0],
            ("abandon_frac_sa5s", "phone"): [0.07, 0.05, 0.02],
            ("offered", "phone"): [500, 500, 500],
        }
    )
    result = evaluate_contract(kpis, contract)
    asa = result[result["clause"] == "asa"]
    abandon = result[result["clause"] == "abandon"]
    # ASA 42 s: 12 s above 30 s, minus the 5 s dead band: 7 * 200 = 1,400; 33 s: 3 s -> 0.
    assert asa["penalty_eur"].tolist() == pytest.approx([1400.0, 0.0, 0.0])
    # Abandonment 7 % against at most 5 %: 2 points * 1,000 = 2,000.
    assert abandon["penalty_eur"].tolist() == pytest.approx([2000.0, 0.0, 0.0])
    assert abandon["kpi"].iloc[0] == "abandon_frac_sa5s"


def test_linear_bonus_above_its_threshold_with_cap(sl_kpis):
    bonus = {
        "scheme": "linear",
        "above": "85%",
        "per_point_percent_of_fee": "0.5%",
        "cap_percent_of_fee": "2%",
    }
    contract = contract_of({"id": "sl", "target": "80%", "bonus": bonus})
    result = evaluate_contract(sl_kpis([0.87, 0.90, 0.84, 0.70]), contract)
    # 87 %: 2 points above 85 % * 500 = 1,000; 90 %: 5 * 500 = 2,500 capped at 2,000;
    # 84 %: below the bonus threshold -> 0; 70 %: a miss without penalty scheme -> 0.
    assert result["bonus_eur"].tolist() == pytest.approx([1000.0, 2000.0, 0.0, 0.0])
    assert result["penalty_eur"].tolist() == [0.0] * 4


def _pooled_contract() -> Contract:
    """Clauses a (pool 40 %) and b, each 10 % of the fee on a miss, at-risk cap 12 %."""
    fixed10 = {"scheme": "fixed", "percent_of_fee": "10%"}
    return contract_of(
        {"id": "a", "target": "80%", "pool": "40%", "penalty": fixed10},
        {"id": "b", "target": "80%", "penalty": fixed10},
        cap="12%",
    )


def test_pools_and_the_at_risk_cap(sl_kpis):
    contract = _pooled_contract()
    result = evaluate_contract(sl_kpis([0.5]), contract)
    # At risk: 12 % of 100,000 = 12,000. a: 10,000 limited to its pool 40 % * 12,000 = 4,800.
    # b: 10,000. Sum 14,800 > 12,000: both scaled by 12,000 / 14,800.
    a, b = result["penalty_eur"].tolist()
    assert a == pytest.approx(4800 * 12000 / 14800)
    assert b == pytest.approx(10000 * 12000 / 14800)
    assert a + b == pytest.approx(12000.0)


def test_a_fixed_fee_is_prorated_to_the_covered_share(sl_kpis):
    contract = _pooled_contract()
    kpis = sl_kpis([0.5, 0.5])
    # From 30 January, 30 days: period 0 is 2 days of a 31-day month; period 1 (February) whole.
    calendar = Calendar(date(2027, 1, 30), 900.0, 30 * 86400.0)
    result = evaluate_contract(kpis, contract, calendar=calendar).set_index(["clause", "period"])[
        "penalty_eur"
    ]
    fee = FEE * 2 / 31  # 6,451.61
    # Period 0 fee 6,451.61, at risk 12 % = 774.19; a: 10 % = 645.16 limited to its pool
    # 40 % * 774.19 = 309.68; b: 645.16. Sum 954.84 > 774.19: both scaled by 774.19 / 954.84.
    cap = 0.12 * fee
    assert result["a", 0] == pytest.approx(0.4 * cap * cap / (0.4 * cap + 0.1 * fee))
    assert result["b", 0] == pytest.approx(0.1 * fee * cap / (0.4 * cap + 0.1 * fee))
    assert result["a", 0] + result["b", 0] == pytest.approx(774.1935483870968)
    # Period 1 is whole: the numbers of test_pools_and_the_at_risk_cap.
    assert result["a", 1] == pytest.approx(4800 * 12000 / 14800)
    assert result["b", 1] == pytest.approx(10000 * 12000 / 14800)
    fees = evaluate_contract(kpis, contract, calendar=calendar)["fee_eur"]
    assert fees.tolist() == pytest.approx([fee, FEE, fee, FEE])
    # Without a calendar every period is charged the whole fee.
    assert evaluate_contract(kpis, contract)["fee_eur"].tolist() == [FEE] * 4
    short = Calendar(date(2027, 1, 30), 900.0, 2 * 86400.0)
    with pytest.raises(InputError, match=r"periods \[1\]"):
        evaluate_contract(kpis, contract, calendar=short)


def test_a_prorated_fee_leaves_a_pricing_fee_alone(kpis_of):
    contract = contract_of(
        {"id": "sl", "target": "80%", "penalty": {"scheme": "fixed", "percent_of_fee": "5%"}},
        fee={"from_pricing": True},
    )
    kpis = kpis_of(
        {
            (SL, "phone"): [0.7],
            ("offered", "phone"): [1000],
            ("staffed_agent_hours", "all"): [1000.0],
        }
    )
    pricing = Pricing(per_agent_hour_eur=32)
    calendar = Calendar(date(2027, 1, 30), 900.0, 2 * 86400.0)
    result = evaluate_contract(kpis, contract, pricing=pricing, calendar=calendar)
    # 1,000 h * 32 = 32,000: the hours delivered are already those of the covered part.
    assert result["fee_eur"].tolist() == [32000.0]


def test_minimum_volume_and_missing_value_make_a_clause_not_apply(kpis_of):
    contract = contract_of(
        {
            "id": "sl",
            "target": "80%",
            "min_volume": 100,
            "penalty": {"scheme": "fixed", "percent_of_fee": "5%"},
        }
    )
    kpis = kpis_of({(SL, "phone"): [0.5, np.nan, 0.5], ("offered", "phone"): [50, 0, 100]})
    result = evaluate_contract(kpis, contract)
    # 50 contacts < 100: not applicable; no contacts (NaN): not applicable; 100: a breach.
    assert result["applicable"].tolist() == [False, False, True]
    assert result["penalty_eur"].tolist() == [0.0, 0.0, 5000.0]
    assert result["breach"].tolist() == [False, False, True]


def test_relief_when_volume_exceeds_the_forecast_band(sl_kpis):
    contract = contract_of(
        {
            "id": "sl",
            "target": "80%",
            "relief_band": "10%",
            "penalty": {"scheme": "fixed", "percent_of_fee": "5%"},
        }
    )
    kpis = sl_kpis([0.7, 0.7, 0.7], first=[1150.0, 1050.0, 1100.0])
    forecast = pd.DataFrame(
        {"period": [0, 1, 2], "channel": ["phone"] * 3, "expected_contacts": [1000.0] * 3}
    )
    result = evaluate_contract(kpis, contract, forecast=forecast)
    # Band: 1000 * 1.1 = 1100. 1150 > 1100 relieved; 1050 and exactly 1100 are not.
    assert result["relieved"].tolist() == [True, False, False]
    assert result["penalty_eur"].tolist() == [0.0, 5000.0, 5000.0]
    with pytest.raises(InputError, match="forecast"):
        evaluate_contract(kpis, contract)


def test_earn_back_returns_a_penalty_after_n_met_periods(sl_kpis):
    contract = contract_of(
        {
            "id": "sl",
            "target": "80%",
            "earn_back_periods": 2,
            "penalty": {"scheme": "fixed", "percent_of_fee": "5%"},
        }
    )
    result = evaluate_contract(sl_kpis([0.7, 0.9, 0.9, 0.7, 0.9]), contract)
    # Period 0 missed, periods 1 and 2 met: its 5,000 is returned. Period 3 missed, only one
    # period follows inside the horizon: kept.
    assert result["penalty_eur"].tolist() == [5000.0, 0.0, 0.0, 5000.0, 0.0]
    assert result["earned_back_eur"].tolist() == [5000.0, 0.0, 0.0, 0.0, 0.0]


def test_repeated_misses_raise_the_penalty(sl_kpis):
    contract = contract_of(
        {
            "id": "sl",
            "target": "80%",
            "repeat_miss": {"window_periods": 3, "misses": 2, "multiplier": 1.5},
            "penalty": {"scheme": "fixed", "percent_of_fee": "5%"},
        }
    )
    result = evaluate_contract(sl_kpis([0.7, 0.9, 0.7, 0.7, 0.9, 0.9, 0.7]), contract)
    # Breaches in periods 0, 2, 3, 6. Window of 3 ending at 2: {0, 2} -> 2 misses -> 7,500;
    # ending at 3: {2, 3} -> 7,500; ending at 6: {6} -> 5,000.
    assert result["penalty_eur"].tolist() == [5000.0, 0, 7500.0, 7500.0, 0, 0, 5000.0]


def test_fee_from_pricing(kpis_of):
    contract = contract_of(
        {"id": "sl", "target": "80%", "penalty": {"scheme": "fixed", "percent_of_fee": "5%"}},
        fee={"from_pricing": True},
    )
    kpis = kpis_of(
        {
            (SL, "phone"): [0.7, 0.9],
            ("offered", "phone"): [1000, 1000],
            ("answered", "phone"): [900, 950],
            ("answered", "email"): [100, 200],
            ("staffed_agent_hours", "all"): [1000.0, 2000.0],
            ("paid_agent_hours", "all"): [1600.0, 3200.0],
        }
    )
    hourly = evaluate_contract(kpis, contract, pricing=Pricing(per_agent_hour_eur=32))
    # 1,000 production hours * 32 = 32,000; penalty 5 % = 1,600.
    assert hourly["fee_eur"].tolist() == [32000.0, 64000.0]
    assert hourly["penalty_eur"].tolist() == [1600.0, 0.0]
    fte = evaluate_contract(kpis, contract, pricing=Pricing(per_fte_month_eur=4800))
    # 1,600 paid hours / 160 h per FTE = 10 FTE * 4,800 = 48,000.
    assert fte["fee_eur"].tolist() == [48000.0, 96000.0]
    per_contact = evaluate_contract(
        kpis, contract, pricing=Pricing(per_contact_eur={"phone": 5.0, "email": 2.0})
    )
    # 900 * 5 + 100 * 2 = 4,700; 950 * 5 + 200 * 2 = 5,150.
    assert per_contact["fee_eur"].tolist() == [4700.0, 5150.0]
    with pytest.raises(InputError, match="pricing"):
        evaluate_contract(kpis, contract)


def test_missing_kpi_names_what_to_compute(kpis_of):
    contract = contract_of(
        {"id": "sl", "target": "80%", "penalty": {"scheme": "fixed", "percent_of_fee": "5%"}}
    )
    kpis = kpis_of({("offered", "phone"): [10]})
    with pytest.raises(InputError, match="service_level_offered_30s"):
        evaluate_contract(kpis, contract)
    with pytest.raises(InputError, match="week"):
        evaluate_contract(kpis, contract_of(*contract.model_dump()["clauses"], period="week"))


def test_a_kpi_twice_in_one_period_is_refused(sl_kpis):
    contract = contract_of(
        {"id": "sl", "target": "80%", "penalty": {"scheme": "fixed", "percent_of_fee": "5%"}}
    )
    kpis = sl_kpis([0.75, 0.85])
    doubled = pd.concat([kpis, kpis[kpis["kpi"] == SL].iloc[:1]], ignore_index=True)
    with pytest.raises(InputError, match="more than once"):
        evaluate_contract(doubled, contract)


def test_clause_kpi_names():
    contract = Contract.model_validate(
        {
            "fee": {"fixed_per_period_eur": 1},
            "clauses": [
                {
                    "id": "a",
                    "kpi": "service_level",
                    "channel": "phone",
                    "threshold": "20s",
                    "target": "80%",
                    "sl_definition": "excl_short_abandons",
                    "short_abandon": "5s",
                    "penalty": {"scheme": "fixed", "percent_of_fee": "1%"},
                },
                {
                    "id": "b",
                    "kpi": "response_within_target",
                    "channel": "email",
                    "threshold": "2h",
                    "business_hours": True,
                    "target": "90%",
                    "penalty": {"scheme": "fixed", "percent_of_fee": "1%"},
                },
                {
                    "id": "c",
                    "kpi": "escalation_response",
                    "channel": "all",
                    "threshold": "4h",
                    "target": "90%",
                    "penalty": {"scheme": "fixed", "percent_of_fee": "1%"},
                },
                {
                    "id": "d",
                    "kpi": "uptime",
                    "channel": "all",
                    "target": "99.5%",
                    "penalty": {"scheme": "fixed", "percent_of_fee": "1%"},
                },
            ],
        }
    )
    assert [clause_kpi(c) for c in contract.clauses] == [
        "service_level_excl_short_abandons_20s_sa5s",
        "response_within_target_frac_7200s_bh",
        "escalation_response_within_target_frac_14400s",
        "uptime_frac",
    ]


values_st = st.lists(st.one_of(st.floats(0, 1), st.just(float("nan"))), min_size=1, max_size=6)
scheme_st = st.sampled_from(
    [
        {"scheme": "fixed", "percent_of_fee": "8%"},
        {"scheme": "linear", "per_point_percent_of_fee": "2%"},
        {"scheme": "linear", "per_point_eur": 3000, "cap_percent_of_fee": "6%"},
        {
            "scheme": "banded",
            "bands": [
                {"from_shortfall_points": 0, "percent_of_fee": "3%"},
                {"from_shortfall_points": 4, "percent_of_fee": "9%"},
            ],
        },
        {"scheme": "per_unit", "eur_per_unit": 1500, "dead_band_units": 1},
    ]
)


@settings(max_examples=60, deadline=None)
@given(
    a=values_st,
    b=values_st,
    scheme_a=scheme_st,
    scheme_b=scheme_st,
    cap=st.floats(0.01, 0.3),
    pool=st.floats(0.1, 1.0),
    volume=st.integers(0, 200),
)
def test_credits_never_exceed_the_caps_and_inapplicable_clauses_pay_nothing(
    a, b, scheme_a, scheme_b, cap, pool, volume, kpis_of
):
    n = min(len(a), len(b))
    contract = contract_of(
        {
            "id": "a",
            "target": "80%",
            "pool": pool,
            "min_volume": 100,
            "penalty": scheme_a,
            "repeat_miss": {"window_periods": 2, "misses": 2, "multiplier": 3},
        },
        {
            "id": "b",
            "channel": "chat",
            "target": "90%",
            "penalty": scheme_b,
            "bonus": {"scheme": "linear", "per_point_eur": 900, "cap_percent_of_fee": "1.5%"},
        },
        cap=cap,
    )
    kpis = kpis_of(
        {
            (SL, "phone"): a[:n],
            ("offered", "phone"): [volume] * n,
            (SL, "chat"): b[:n],
            ("offered", "chat"): [1000] * n,
        }
    )
    result = evaluate_contract(kpis, contract)
    cap_eur = cap * FEE
    per_period = result.groupby("period")["penalty_eur"].sum()
    assert (per_period <= cap_eur * (1 + 1e-9)).all()
    clause_a = result[result["clause"] == "a"]
    assert (clause_a["penalty_eur"] <= pool * cap_eur * (1 + 1e-9)).all()
    assert (result.loc[~result["applicable"], "penalty_eur"] == 0).all()
    assert (result.loc[~result["breach"], "penalty_eur"] == 0).all()
    assert (result["bonus_eur"] <= 0.015 * FEE * (1 + 1e-12)).all()
    assert (result.loc[~result["applicable"], "bonus_eur"] == 0).all()
    if volume < 100:
        assert (clause_a["penalty_eur"] == 0).all()


@settings(max_examples=60, deadline=None)
@given(x=st.floats(0, 1), y=st.floats(0, 1), scheme=scheme_st)
def test_penalty_is_monotone_in_the_shortfall(x, y, scheme, sl_kpis):
    contract = contract_of({"id": "a", "target": "80%", "penalty": scheme})
    worse, better = sorted((x, y))
    result = evaluate_contract(sl_kpis([worse, better]), contract)
    assert result["penalty_eur"].iloc[0] >= result["penalty_eur"].iloc[1] >= 0


def test_channel_sl_kpis_use_their_own_channel(kpis_of):
    contract = contract_of(
        {"id": "sl", "target": "80%", "penalty": {"scheme": "fixed", "percent_of_fee": "5%"}}
    )
    kpis = kpis_of(
        {
            (SL, "phone"): [[0.7], [0.9]],
            (SL, "chat"): [[0.9], [0.7]],
            ("offered", "phone"): [[10], [10]],
        }
    )
    result = evaluate_contract(kpis, contract)
    # Replication 0 misses on phone; replication 1 meets on phone (chat is not the clause's).
    assert result["penalty_eur"].tolist() == [5000.0, 0.0]
    assert result["replication"].tolist() == [0, 1]
