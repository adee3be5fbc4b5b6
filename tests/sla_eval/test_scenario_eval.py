"""Scenario glue: specs from the baseline example, forecast per period, contract end to end."""

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from scenarios.demand import expand
from scenarios.errors import InputError
from scenarios.loader import load
from scenarios.records import OUTAGE_COLUMNS, empty_frame
from sla_eval.names import Threshold
from sla_eval.scenario_eval import (
    channel_specs,
    evaluate_scenario_contract,
    forecast_table,
    scenario_kpi_table,
)
from sla_eval.summary import contract_totals, summary_dict

BASELINE = Path(__file__).parents[2] / "scenarios" / "examples" / "baseline.yaml"


@pytest.fixture(scope="module")
def baseline():
    return load(BASELINE)


def test_channel_specs_collect_targets_and_clause_thresholds(baseline):
    specs = channel_specs(baseline)
    assert list(specs) == ["phone", "chat", "email", "social"]
    phone = specs["phone"]
    assert phone.kind == "realtime"
    assert phone.target == Threshold(30.0, short_abandon_s=5.0)
    assert phone.sl_definition == "excl_short_abandons"
    assert phone.all_short_abandons_s() == (5.0,)
    assert specs["email"].target == Threshold(7200.0, business_hours=True)
    # 31 days of 96 intervals; phone closed on Sundays and on Easter Monday 29 March.
    mask = phone.open_intervals
    assert mask.shape == (31 * 96,)
    assert not mask[6 * 96 : 7 * 96].any()  # Sunday 7 March
    assert not mask[28 * 96 : 29 * 96].any()  # Monday 29 March (closed day)
    assert mask[32] and not mask[31]  # opens 08:00 on Monday 1 March


def test_forecast_table_sums_intervals_into_periods():
    workload = SimpleNamespace(
        start=dt.date(2027, 3, 30),  # Tuesday; 3 days of 12-hour intervals... on a 1 h grid
        interval_s=3600.0,
        interval_start_s=np.arange(72) * 3600.0,
        channels={"phone": SimpleNamespace(expected_arrivals=np.ones(72))},
    )
    table = forecast_table(workload, "month", warmup_s=7200.0)
    # 30 and 31 March fall in month 0: 48 intervals minus the 2 in the warm-up = 46;
    # 1 April in month 1: 24.
    assert table["period"].tolist() == [0, 1]
    assert table["expected_contacts"].tolist() == [46.0, 24.0]


def test_baseline_contract_on_a_hand_made_log(baseline, contacts_of):
    rows = []
    for day in range(31):
        base = day * 86400.0 + 10 * 3600.0
        rows += [
            {"channel": "phone", "arrival_s": base, "outcome": "answered", "wait_s": 10.0},
            {"channel": "phone", "arrival_s": base + 60, "outcome": "abandoned", "wait_s": 3.0},
            {"channel": "chat", "arrival_s": base, "outcome": "answered", "wait_s": 90.0},
            {"channel": "email", "arrival_s": base, "outcome": "answered", "wait_s": 600.0},
            {"channel": "social", "arrival_s": base, "outcome": "answered", "wait_s": 600.0},
        ]
    for number, row in enumerate(rows):
        row["contact_id"] = number
    contacts = contacts_of(rows)
    kinds = ("month", "horizon")
    without_outages = scenario_kpi_table(baseline, contacts, period_kinds=kinds)
    with pytest.raises(InputError, match="uptime_frac"):
        evaluate_scenario_contract(baseline, without_outages, expand(baseline))
    no_outage = empty_frame(OUTAGE_COLUMNS)
    kpis = scenario_kpi_table(baseline, contacts, outages=no_outage, period_kinds=kinds)
    evaluation = evaluate_scenario_contract(baseline, kpis, expand(baseline))
    by_clause = evaluation.set_index(evaluation["clause"].astype(str))
    # Phone: 31 answered within 30 s of 62 offered, the 31 abandons are short (3 s < 5 s):
    # excluded -> 31 / (62 - 31) = 100 %: met. Abandonment without short abandons: 0 / 31.
    assert by_clause.loc["phone_sl", "value"] == 1.0
    assert by_clause.loc["phone_abandon", "value"] == 0.0
    # Chat: every chat waited 90 s > 60 s: 0 %, missed: fixed 5 % of 680,000 = 34,000,
    # within its pool 30 % * 12 % * 680,000 = 24,480 -> 24,480.
    assert by_clause.loc["chat_first_reply", "value"] == 0.0
    assert by_clause.loc["chat_first_reply", "penalty_eur"] == pytest.approx(24_480.0)
    # Email and social: 31 contacts < min_volume 100: not applicable.
    assert not by_clause.loc["email_response", "applicable"]
    assert by_clause.loc["social_response", "penalty_eur"] == 0.0
    # No outage: uptime 100 %, met.
    assert by_clause.loc["platform_uptime", "value"] == 1.0
    assert by_clause.loc["platform_uptime", "met"]
    totals = contract_totals(evaluation)
    summary = summary_dict(kpis, evaluation, totals)
    assert summary["contract"]["clauses"]["chat_first_reply"]["p_breach"] == 1.0


def test_scenario_without_contract_is_an_input_error(baseline):
    bare = baseline.model_copy(update={"contract": None})
    with pytest.raises(InputError, match="no contract"):
        evaluate_scenario_contract(bare, None)
