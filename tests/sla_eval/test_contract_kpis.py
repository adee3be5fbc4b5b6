"""The KPIs contracts state beyond service levels, on hand-made logs with the arithmetic: an AHT
band, staff availability, CSAT top box and negative shares, complaints, agent-reported FCR,
and the paid hours behind the partner's cost."""

import datetime as dt

import pandas as pd
import pytest

from scenarios.contract import Contract
from scenarios.errors import InputError
from sla_eval.contract import evaluate_contract
from sla_eval.kpi_names import Threshold
from sla_eval.kpis import KpiChannel, kpi_table

DAY = 86400.0
MON = dt.date(2027, 3, 1)


def _table(contacts, channels, **kwargs):
    return kpi_table(
        contacts, channels=channels, start=MON, interval_s=900, horizon_s=2 * DAY, **kwargs
    )


def _contract(**clause) -> Contract:
    """A contract of one clause on phone, 100,000 EUR a month."""
    return Contract.model_validate(
        {"fee": {"fixed_eur": 100_000}, "clauses": [{"id": "c", "channel": "phone", **clause}]}
    )


def _value(table, kpi, channel="phone", kind="horizon", period=0):
    row = table[
        (table["kpi"] == kpi)
        & (table["channel"] == channel)
        & (table["period_kind"] == kind)
        & (table["period"] == period)
    ]
    assert len(row) == 1, (kpi, channel, kind, period)
    return float(row["value"].iloc[0])


def test_csat_shares_complaints_and_agent_fcr(contacts_of):
    rows = [
        {"arrival_s": 0.0, "outcome": "answered", "csat_score": 5.0},
        {"arrival_s": 10.0, "outcome": "answered", "csat_score": 3.5, "resolved": False},
        {"arrival_s": 20.0, "outcome": "answered", "csat_score": 3.4},
        {"arrival_s": 30.0, "outcome": "answered", "csat_score": 2.5, "resolved": False},
        {"arrival_s": 40.0, "outcome": "answered", "csat_score": 2.4, "escalated": True},
        {
            "arrival_s": 50.0,
            "outcome": "answered",
            "escalated": True,
            "escalation_type": "strategic",
            "resolved": False,
        },
        {"arrival_s": 60.0, "outcome": "answered", "escalated": True,
         "escalation_type": "strategic"},
        {"arrival_s": 70.0, "outcome": "abandoned", "wait_s": 30.0},
    ]  # fmt: skip
    table = _table(contacts_of(rows), {"phone": KpiChannel("realtime", target=Threshold(20.0))})
    # Five scores: 5.0 and 3.5 round to 4-5 (top box) -> 2 / 5; 2.4 rounds to 2 -> 1 / 5;
    # 3.4 and 2.5 round to 3: neither.
    assert _value(table, "csat_top_box_frac") == pytest.approx(2 / 5)
    assert _value(table, "csat_negative_frac") == pytest.approx(1 / 5)
    # Seven answered, two escalated strategically (complaints), three escalated in all.
    assert _value(table, "complaint_frac") == pytest.approx(2 / 7)
    assert _value(table, "escalation_frac") == pytest.approx(3 / 7)
    # The agents resolved 4 of the 7 they answered.
    assert _value(table, "agent_fcr_frac") == pytest.approx(4 / 7)


def test_paid_hours_and_staff_availability_of_a_contracted_team(contacts_of, agents_of):
    # Team "voice" (phone and chat) contracted 2 agents on duty on average; team "mail" none.
    voice = {"team": "voice", "contracted_agents": 2.0}
    channels = {
        "phone": KpiChannel("realtime", **voice),
        "chat": KpiChannel("realtime", **voice),
        "email": KpiChannel("deferrable", team="mail"),
    }
    rows = [
        # day 0: phone 20 h and chat 12 h on duty (after shrinkage), 40 + 24 paid, 8 training
        {"interval": 0, "channel": "phone", "staffed_agent_s": 20 * 3600.0,
         "paid_agent_s": 40 * 3600.0, "training_agent_s": 8 * 3600.0, "hires": 1.0},
        {"interval": 0, "channel": "chat", "staffed_agent_s": 12 * 3600.0,
         "paid_agent_s": 24 * 3600.0},
        {"interval": 0, "channel": "email", "team": "mail", "staffed_agent_s": 5 * 3600.0},
        # day 1: phone 40 h, chat 8 h
        {"interval": 96, "channel": "phone", "staffed_agent_s": 40 * 3600.0},
        {"interval": 96, "channel": "chat", "staffed_agent_s": 8 * 3600.0},
    ]  # fmt: skip
    for row in rows:
        row["interval_start_s"] = row["interval"] * 900.0
        row.setdefault("busy_agent_s", 0.0)
    table = _table(
        contacts_of([{"arrival_s": 0.0, "outcome": "answered"}]),
        channels,
        agents=agents_of(rows),
    )
    # Day 0: the team staffed 20 + 12 = 32 h against 2 agents x 24 h = 48 h: 2/3, the same on
    # both its channels; day 1: 48 / 48 = 1. Email's team has no contract: no KPI on it.
    assert _value(table, "staff_availability_frac", "phone", "day", 0) == pytest.approx(2 / 3)
    assert _value(table, "staff_availability_frac", "chat", "day", 0) == pytest.approx(2 / 3)
    assert _value(table, "staff_availability_frac", "phone", "day", 1) == pytest.approx(1.0)
    assert _value(table, "staff_availability_frac", "all") == pytest.approx(80 / 96)
    assert table[(table["kpi"] == "staff_availability_frac") & (table["channel"] == "email")].empty
    # Paid hours: the paid column (defaults: the staffed time) summed, all channels
    assert _value(table, "paid_agent_hours", "all", "day", 0) == pytest.approx(40 + 24 + 5)
    assert _value(table, "paid_agent_hours", "all", "day", 1) == pytest.approx(40 + 8)
    assert _value(table, "training_agent_hours", "all") == pytest.approx(8.0)
    assert _value(table, "hires", "all") == 1.0


def test_an_aht_band_misses_on_both_sides(kpis_of):
    contract = _contract(
        kpi="aht", target="8m", target_min="4m", penalty={"scheme": "per_unit", "eur_per_unit": 10}
    )
    kpis = kpis_of({("aht_s", "phone"): [200.0, 300.0, 500.0], ("offered", "phone"): [9] * 3})
    result = evaluate_contract(kpis, contract)
    # Band 240-480 s: 200 s is 40 s too short, 300 s inside (60 s from the edge), 500 s 20 s
    # too long; 10 EUR a second outside.
    assert result["shortfall_units"].tolist() == pytest.approx([40.0, -60.0, 20.0])
    assert result["penalty_eur"].tolist() == pytest.approx([400.0, 0.0, 200.0])
    assert result["met"].tolist() == [False, True, False]


@pytest.mark.parametrize(
    ("kpi", "column", "values", "target", "met"),
    [
        ("staff_availability", "staff_availability_frac", [0.92, 0.88], "90%", [True, False]),
        ("csat_top_box", "csat_top_box_frac", [0.79, 0.81], "80%", [False, True]),
        ("csat_negative", "csat_negative_frac", [0.04, 0.06], "5%", [True, False]),
        ("complaint_rate", "complaint_frac", [0.011, 0.009], "1%", [False, True]),
    ],
)
def test_the_new_clause_kpis_read_their_kpi_and_direction(
    kpis_of, kpi, column, values, target, met
):
    contract = _contract(
        kpi=kpi, target=target, penalty={"scheme": "linear", "per_point_eur": 1000}
    )
    result = evaluate_contract(
        kpis_of({(column, "phone"): values, ("offered", "phone"): [9, 9]}), contract
    )
    assert result["met"].tolist() == met
    # 1,000 EUR per point of shortfall: 2 points for 88 % against 90 %, and so on
    expected = [
        0.0 if ok else 1000 * 100 * abs(v - float(target.rstrip("%")) / 100)
        for v, ok in zip(values, met, strict=True)
    ]
    assert result["penalty_eur"].tolist() == pytest.approx(expected)


def test_a_minimum_volume_on_the_forecast_decides_before_the_month(kpis_of):
    contract = _contract(
        kpi="service_level",
        threshold="30s",
        target="80%",
        min_volume=100,
        min_volume_basis="forecast",
        penalty={"scheme": "fixed", "percent_of_fee": "5%"},
    )
    # Months 0 and 1 miss with 1,000 calls offered; the client committed 50 and 500 calls.
    kpis = kpis_of(
        {("service_level_offered_30s", "phone"): [0.7, 0.7], ("offered", "phone"): [1000] * 2}
    )
    forecast = pd.DataFrame(
        {"period": [0, 1], "channel": ["phone", "phone"], "expected_contacts": [50.0, 500.0]}
    )
    result = evaluate_contract(kpis, contract, forecast={"month": forecast})
    # 50 committed is below the minimum of 100: the clause does not apply, whatever arrived
    assert result["applicable"].tolist() == [False, True]
    assert result["penalty_eur"].tolist() == [0.0, 5000.0]
    assert result["forecast_contacts"].tolist() == [50.0, 500.0]
    with pytest.raises(InputError, match="forecast"):
        evaluate_contract(kpis, contract)
