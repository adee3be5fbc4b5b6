"""Scenario glue: specs from the baseline example, forecast per period, contract end to end."""

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from scenarios.contract import Contract
from scenarios.demand import expand
from scenarios.errors import InputError
from scenarios.loader import load
from scenarios.log_tables import OUTAGE_COLUMNS, empty_frame
from sla_eval.kpi_names import Threshold
from sla_eval.scenario_eval import (
    evaluate_scenario_contract,
    forecast_table,
    kpi_channels,
    scenario_kpi_table,
    scenario_totals,
)
from sla_eval.summary import summary_dict

BASELINE = Path(__file__).parents[2] / "scenarios" / "examples" / "baseline.yaml"


@pytest.fixture(scope="module")
def baseline():
    return load(BASELINE)


FIXED5 = {"scheme": "fixed", "percent_of_fee": "5%"}
CONTRACT = {
    "fee": {"fixed_eur": 100_000},
    "measurement_period": "month",
    "at_risk_cap": "12%",
    "clauses": [
        {
            "id": "phone_sl",
            "kpi": "service_level",
            "channel": "phone",
            "threshold": "20s",
            "target": "80%",
            "sl_definition": "excl_short_abandons",
            "short_abandon": "5s",
            "relief_band": "15%",
            "penalty": FIXED5,
        },
        {
            "id": "phone_abandon",
            "kpi": "abandon_rate",
            "channel": "phone",
            "target": "5%",
            "short_abandon": "4s",
            "penalty": FIXED5,
        },
        {
            "id": "chat_first_reply",
            "kpi": "service_level",
            "channel": "chat",
            "threshold": "1m",
            "target": "80%",
            "pool": "30%",
            "penalty": FIXED5,
        },
        {
            "id": "email_response",
            "kpi": "response_within_target",
            "channel": "email",
            "threshold": "2h",
            "business_hours": True,
            "target": "90%",
            "min_volume": 100,
            "penalty": FIXED5,
        },
        {
            "id": "escalations",
            "kpi": "escalation_response",
            "channel": "all",
            "threshold": "24h",
            "target": "85%",
            "penalty": FIXED5,
        },
        {"id": "uptime", "kpi": "uptime", "channel": "all", "target": "99.5%", "penalty": FIXED5},
    ],
}


@pytest.fixture(scope="module")
def scenario(baseline):
    """The baseline example's channels and calendar with this test's own contract."""
    return baseline.model_copy(update={"contract": Contract.model_validate(CONTRACT)})


def test_channel_specs_collect_targets_and_clause_thresholds(scenario):
    specs = kpi_channels(scenario)
    assert list(specs) == list(scenario.channels)
    phone, target = specs["phone"], scenario.channels["phone"].service_target
    assert phone.kind == "realtime"
    assert phone.target == Threshold(target.threshold, short_abandon_s=target.short_abandon or 0)
    assert phone.sl_definition == target.sl_definition
    assert Threshold(20.0, short_abandon_s=5.0) in phone.thresholds
    assert 4.0 in phone.all_short_abandons_s()
    assert Threshold(7200.0, business_hours=True) in specs["email"].all_thresholds()
    horizon = scenario.horizon
    expected = horizon.open_mask(scenario.channels["phone"].hours)
    assert np.array_equal(phone.open_intervals, expected)
    assert phone.open_intervals.shape == (horizon.n_intervals,)


def test_forecast_table_sums_intervals_into_periods():
    workload = SimpleNamespace(
        start=dt.date(2027, 3, 30),  # Tuesday; 3 days of 12-hour intervals... on a 1 h grid
        interval_s=3600.0,
        n_intervals=72,
        interval_start_s=np.arange(72) * 3600.0,
        channels={"phone": SimpleNamespace(expected_arrivals=np.ones(72))},
    )
    table = forecast_table(workload, "month", warmup_s=7200.0)
    # 30 and 31 March fall in month 0: 48 intervals minus the 2 in the warm-up = 46;
    # 1 April in month 1: 24.
    assert table["period"].tolist() == [0, 1]
    assert table["expected_contacts"].tolist() == [46.0, 24.0]


def test_contract_of_a_scenario_on_a_hand_made_log(scenario, contacts_of):
    assert scenario.horizon.start == dt.date(2027, 3, 1) and scenario.horizon.days >= 28
    rows = []
    for day in range(28):
        base = day * 86400.0 + 10 * 3600.0
        rows += [
            {"channel": "phone", "arrival_s": base, "outcome": "answered", "wait_s": 10.0},
            {"channel": "phone", "arrival_s": base + 60, "outcome": "abandoned", "wait_s": 3.0},
            {"channel": "chat", "arrival_s": base, "outcome": "answered", "wait_s": 90.0},
            {"channel": "email", "arrival_s": base, "outcome": "answered", "wait_s": 600.0},
        ]
    for number, row in enumerate(rows):
        row["contact_id"] = number
    contacts = contacts_of(rows)
    kinds = ("month", "horizon")
    without_outages = scenario_kpi_table(scenario, contacts, period_kinds=kinds)
    workload = expand(scenario)
    with pytest.raises(InputError, match="uptime_frac"):
        evaluate_scenario_contract(scenario, without_outages, workload)
    no_outage = empty_frame(OUTAGE_COLUMNS)
    kpis = scenario_kpi_table(scenario, contacts, outages=no_outage, period_kinds=kinds)
    evaluation = evaluate_scenario_contract(scenario, kpis, workload)
    by_clause = evaluation[evaluation["period"] == 0].set_index("clause")
    # Phone: 28 answered within 20 s of 56 offered, the 28 abandons are short (3 s < 5 s):
    # excluded -> 28 / (56 - 28) = 100 %: met. Abandonment without the short ones: 0 / 28.
    assert by_clause.loc["phone_sl", "value"] == 1.0
    assert by_clause.loc["phone_abandon", "value"] == 0.0
    # The relief band compares 28 first phone contacts with the workload's forecast: far below.
    assert not by_clause.loc["phone_sl", "relieved"]
    # Chat: every chat waited 90 s > 60 s: 0 %, missed: fixed 5 % of 100,000 = 5,000,
    # above its pool 30 % * 12 % * 100,000 = 3,600 -> 3,600.
    assert by_clause.loc["chat_first_reply", "value"] == 0.0
    assert by_clause.loc["chat_first_reply", "penalty_eur"] == pytest.approx(3600.0)
    # Email: 28 contacts < min_volume 100: not applicable, nothing paid.
    assert not by_clause.loc["email_response", "applicable"]
    assert by_clause.loc["email_response", "penalty_eur"] == 0.0
    # No escalation: no value, not applicable. No outage: uptime 100 %, met.
    assert not by_clause.loc["escalations", "applicable"]
    assert by_clause.loc["uptime", "value"] == 1.0
    assert by_clause.loc["uptime", "met"]
    totals = scenario_totals(scenario, evaluation, kpis)
    summary = summary_dict(kpis, evaluation, totals)
    assert summary["contract"]["clauses"]["chat_first_reply"]["p_breach"] == 1.0


def test_scenario_without_contract_is_an_input_error(baseline):
    bare = baseline.model_copy(update={"contract": None})
    with pytest.raises(InputError, match="no contract"):
        evaluate_scenario_contract(bare, None)


def _fees(overrides, contacts_of):
    """Fee per period of this test's contract on the baseline with ``overrides``."""
    scenario = load(BASELINE, overrides)
    contract = Contract.model_validate(
        {**CONTRACT, "measurement_period": scenario.contract.measurement_period}
    )
    scenario = scenario.model_copy(update={"contract": contract})
    contacts = contacts_of(
        [{"channel": "phone", "arrival_s": 86400.0 + 3600.0, "outcome": "answered", "wait_s": 1.0}]
    )
    kpis = scenario_kpi_table(
        scenario,
        contacts,
        outages=empty_frame(OUTAGE_COLUMNS),
        period_kinds=contract.period_kinds,
    )
    evaluation = evaluate_scenario_contract(scenario, kpis, expand(scenario))
    return evaluation[evaluation["clause"] == "uptime"].set_index("period")["fee_eur"]


def test_a_fixed_fee_is_prorated_to_the_simulated_days(contacts_of):
    # 2 days of March on a monthly contract: 100,000 * 2 / 31 = 6,451.61.
    fees = _fees(["horizon.days=2"], contacts_of)
    assert fees.to_dict() == {0: pytest.approx(100_000 * 2 / 31, rel=1e-12)}
    # Weekly from Wed 3 Mar for 10 days after a 1-day warm-up: the fee is per month, so week 0
    # keeps Thu 4..Sun 7 = 4 of March's 31 days (12,903.23), week 1 Mon 8..Fri 12 = 5 of 31
    # (16,129.03), as the days a monthly measurement would charge.
    weekly = [
        "horizon.start=2027-03-03",
        "horizon.days=10",
        "run.warmup=1d",
        "contract.measurement_period=week",
    ]
    fees = _fees(weekly, contacts_of)
    assert fees.to_dict() == {
        0: pytest.approx(100_000 * 4 / 31, rel=1e-12),
        1: pytest.approx(100_000 * 5 / 31, rel=1e-12),
    }
