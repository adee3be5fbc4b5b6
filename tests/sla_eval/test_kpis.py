"""KPI definitions on small hand-made logs, with the arithmetic written out."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from scenarios.errors import InputError
from scenarios.log_tables import check_columns
from sla_eval.kpi_names import Threshold
from sla_eval.kpis import KPI_COLUMNS, KpiChannel, kpi_table

DAY = 86400.0
MON = dt.date(2027, 3, 1)
PHONE = KpiChannel("realtime", target=Threshold(20.0))


def _table(contacts, channels=None, horizon_s=2 * DAY, **kwargs):
    return kpi_table(
        contacts,
        channels=channels or {"phone": PHONE},
        start=MON,
        interval_s=900,
        horizon_s=horizon_s,
        **kwargs,
    )


def _value(table, kpi, kind="horizon", period=0, channel="phone", replication=0):
    row = table[
        (table["kpi"] == kpi)
        & (table["period_kind"] == kind)
        & (table["period"] == period)
        & (table["channel"] == channel)
        & (table["replication"] == replication)
    ]
    assert len(row) == 1, (kpi, kind, period, channel)
    return float(row["value"].iloc[0])


def test_practitioner_service_level_example(contacts_of):
    # DOMAIN.md: 1,000 answered (860 within 20 s), 60 abandoned (20 within 20 s).
    rows = (
        [{"arrival_s": 10.0, "outcome": "answered", "wait_s": 5.0}] * 860
        + [{"arrival_s": 10.0, "outcome": "answered", "wait_s": 45.0}] * 140
        + [{"arrival_s": 10.0, "outcome": "abandoned", "wait_s": 12.0}] * 20
        + [{"arrival_s": 10.0, "outcome": "abandoned", "wait_s": 90.0}] * 40
    )
    spec = KpiChannel(
        "realtime", target=Threshold(20.0, short_abandon_s=20.0), sl_definition="answered"
    )
    table = _table(contacts_of(rows), {"phone": spec})
    # per answered 860 / 1000 = 86 %; per offered 860 / 1060 = 81.1 %;
    # short abandons excluded 860 / (1060 - 20) = 82.7 %;
    # short abandons met (860 + 20) / 1060 = 83.0 %.
    assert _value(table, "service_level_answered_20s") == pytest.approx(0.86)
    assert _value(table, "service_level_offered_20s") == pytest.approx(860 / 1060)
    assert round(_value(table, "service_level_offered_20s"), 2) == 0.81
    assert _value(table, "service_level_excl_short_abandons_20s_sa20s") == pytest.approx(860 / 1040)
    assert _value(table, "service_level_short_abandons_met_20s_sa20s") == pytest.approx(880 / 1060)
    assert round(_value(table, "service_level_excl_short_abandons_20s_sa20s"), 2) == 0.83
    assert round(_value(table, "service_level_short_abandons_met_20s_sa20s"), 2) == 0.83
    # The plain name follows the channel's definition (per answered here).
    assert _value(table, "service_level") == pytest.approx(0.86)
    # abandon_frac 60 / 1060; without the 20 short ones: 40 / 1040.
    assert _value(table, "abandon_frac") == pytest.approx(60 / 1060)
    assert _value(table, "abandon_frac_sa20s") == pytest.approx(40 / 1040)
    # ASA = (860 * 5 + 140 * 45) / 1000 = 10.6 s; P(wait) = 1060 / 1060 (all waited > 0).
    assert _value(table, "asa_s") == pytest.approx(10.6)
    assert _value(table, "p_wait") == pytest.approx(1.0)
    assert _value(table, "max_wait_s") == 90.0


def test_table_matches_its_columns_definition(contacts_of):
    table = _table(contacts_of([{"arrival_s": 0.0, "outcome": "answered"}]))
    check_columns(table, KPI_COLUMNS)
    assert set(table["period_kind"].unique()) == {
        "interval",
        "day",
        "week",
        "month",
        "quarter",
        "horizon",
    }
    # No duplicate keys.
    keys = ["replication", "period_kind", "period", "channel", "kpi"]
    assert not table.duplicated(keys).any()


def test_day_without_contacts_has_zero_counts_and_nan_ratios(contacts_of):
    # One answered contact on day 0, nothing on day 1.
    table = _table(contacts_of([{"arrival_s": 100.0, "outcome": "answered", "wait_s": 3.0}]))
    assert _value(table, "offered", "day", 1) == 0.0
    assert _value(table, "answered", "day", 1) == 0.0
    for kpi in ("service_level", "abandon_frac", "asa_s", "p_wait", "max_wait_s", "aht_s"):
        assert np.isnan(_value(table, kpi, "day", 1)), kpi
    assert _value(table, "service_level", "day", 0) == 1.0


def test_all_abandoned(contacts_of):
    rows = [{"arrival_s": 50.0 * i, "outcome": "abandoned", "wait_s": 30.0} for i in range(4)]
    table = _table(contacts_of(rows))
    # 4 offered, 0 answered: abandon_frac 4 / 4 = 1; SL per offered 0 / 4 = 0; per answered 0 / 0.
    assert _value(table, "abandon_frac") == 1.0
    assert _value(table, "service_level_offered_20s") == 0.0
    assert np.isnan(_value(table, "service_level_answered_20s"))
    assert np.isnan(_value(table, "asa_s"))
    assert _value(table, "max_wait_s") == 30.0


def test_contact_spanning_midnight_counts_on_its_arrival_day(contacts_of):
    # Arrives at 23:59:50 of day 0, answered 40 s later (00:00:30 of day 1).
    table = _table(contacts_of([{"arrival_s": DAY - 10.0, "outcome": "answered", "wait_s": 40.0}]))
    assert _value(table, "offered", "day", 0) == 1.0
    assert _value(table, "offered", "day", 1) == 0.0
    assert _value(table, "asa_s", "day", 0) == 40.0
    assert _value(table, "service_level", "day", 0) == 0.0


def test_unfinished_contacts_within_the_threshold_are_not_judged(contacts_of):
    rows = [
        {"arrival_s": 0.0, "outcome": "answered", "wait_s": 10.0},
        {"arrival_s": 2 * DAY - 10.0, "outcome": "unfinished", "wait_s": 10.0},  # unknown at 20 s
        {"arrival_s": 2 * DAY - 60.0, "outcome": "unfinished", "wait_s": 60.0},  # a miss
    ]
    table = _table(contacts_of(rows))
    # Judged: the answered one (hit) and the 60 s one (miss): 1 / 2. Offered counts all three.
    assert _value(table, "service_level") == pytest.approx(0.5)
    assert _value(table, "offered") == 3.0
    assert _value(table, "abandon_frac") == 0.0


def test_not_offered_contacts_count_only_as_not_offered(contacts_of):
    rows = [
        {"arrival_s": 0.0, "outcome": "answered", "wait_s": 0.0},
        {"arrival_s": 5.0, "outcome": "not_offered"},
    ]
    table = _table(contacts_of(rows))
    assert _value(table, "not_offered") == 1.0
    assert _value(table, "offered") == 1.0
    # P(wait) 0 / 1: the one offered contact was answered at once.
    assert _value(table, "p_wait") == 0.0


def test_deferrable_response_times_and_backlog(contacts_of):
    email = KpiChannel("deferrable", target=Threshold(3600.0, business_hours=True))
    rows = [
        # answered after 1800 s (business 1800 s), 5400 s (business 3000 s),
        # 9000 s (business 9000 s)
        {"channel": "email", "arrival_s": 0.0, "outcome": "answered", "wait_s": 1800.0},
        {
            "channel": "email",
            "arrival_s": 100.0,
            "outcome": "answered",
            "wait_s": 5400.0,
            "business_wait_s": 3000.0,
        },
        {"channel": "email", "arrival_s": 200.0, "outcome": "answered", "wait_s": 9000.0},
        # arrives on day 0 at 23:00 and is answered on day 1 at 01:00
        {"channel": "email", "arrival_s": DAY - 3600.0, "outcome": "answered", "wait_s": 7200.0},
        # never answered
        {"channel": "email", "arrival_s": DAY + 10.0, "outcome": "unfinished", "wait_s": DAY - 10},
    ]
    table = _table(
        contacts_of(rows), {"email": email}, escalation_thresholds_s=(), horizon_s=2 * DAY
    )
    # Day 0 business-hours response within 3600 s: 1800, 3000 in; 9000, 7200 out -> 2 / 4.
    assert _value(table, "response_within_target_frac", "day", 0, "email") == 0.5
    # Mean response 4 answered: (1800 + 5400 + 9000 + 7200) / 4 = 5850 s.
    assert _value(table, "mean_response_s", "day", 0, "email") == pytest.approx(5850.0)
    # p90 with linear interpolation over 1800, 5400, 7200, 9000: position 0.9 * 3 = 2.7
    # -> 7200 + 0.7 * (9000 - 7200) = 8460 s.
    assert _value(table, "p90_response_s", "day", 0, "email") == pytest.approx(8460.0)
    # Backlog at the end of day 0: the 23:00 contact waits until 01:00 -> 1.
    assert _value(table, "backlog_end", "day", 0, "email") == 1.0
    assert _value(table, "backlog_end", "day", 0, "all") == 1.0
    # End of day 1 (= horizon end): the unfinished one -> 1.
    assert _value(table, "backlog_end", "day", 1, "email") == 1.0
    # Day 1: the unfinished contact waited past 3600 s: judged, a miss: 0 / 1.
    assert _value(table, "response_within_target_frac", "day", 1, "email") == 0.0
    # Realtime-only KPIs are absent for a deferrable channel.
    assert not (table["kpi"] == "asa_s").any()


def test_felt_fcr_counts_repeats_within_the_window(contacts_of):
    week = 7 * DAY
    rows = [
        # contact 0 answered (end 300 s), repeated 3 days later -> not resolved as felt
        {"arrival_s": 0.0, "outcome": "answered", "contact_id": 0},
        {
            "arrival_s": 3 * DAY,
            "outcome": "answered",
            "contact_id": 1,
            "parent_id": 0,
            "contact_type": "repeat",
        },
        # contact 2 answered (end 400 s), repeated 8 days later -> outside the window: resolved
        {"arrival_s": 100.0, "outcome": "answered", "contact_id": 2},
        {
            "arrival_s": 8 * DAY + 500.0,
            "outcome": "answered",
            "contact_id": 3,
            "parent_id": 2,
            "contact_type": "repeat",
        },
        # contact 4 answered without repeat -> resolved
        {"arrival_s": 200.0, "outcome": "answered", "contact_id": 4},
    ]
    table = _table(contacts_of(rows), horizon_s=14 * DAY, fcr_window_s=week)
    # Day 0: contacts 0, 2, 4 judged (windows end by day 8 < 14); resolved 2 and 4: 2 / 3.
    assert _value(table, "fcr_frac", "day", 0) == pytest.approx(2 / 3)
    # Contact 1 (day 3, end 3 d + 300 s, window to 10 d + 300 s < 14 d): resolved: 1 / 1.
    assert _value(table, "fcr_frac", "day", 3) == 1.0
    # Contact 3 (day 8): window ends after the horizon (day 15 > 14): not judged -> NaN.
    assert np.isnan(_value(table, "fcr_frac", "day", 8))


def test_escalation_rate_and_response_with_censoring(contacts_of):
    rows = [
        # operational target 4 h: picked up after 1 h (in time) and after 5 h (late)
        {"arrival_s": 0.0, "outcome": "answered", "escalated": True, "tier2_response_s": 3600.0},
        {"arrival_s": 0.0, "outcome": "answered", "escalated": True, "tier2_response_s": 18000.0},
        # strategic target 24 h: picked up after 20 h (in time)
        {
            "arrival_s": 0.0,
            "outcome": "answered",
            "escalated": True,
            "escalation_type": "strategic",
            "tier2_response_s": 72000.0,
        },
        # not picked up; handled from 0 to 300 s, horizon 2 days: 172500 s open >= 4 h: a miss
        {"arrival_s": 0.0, "outcome": "answered", "escalated": True},
        # not picked up, ends 1 h before the horizon end: unknown, not judged
        {"arrival_s": 2 * DAY - 3900.0, "outcome": "answered", "escalated": True},
        {"arrival_s": 0.0, "outcome": "answered"},
    ]
    table = _table(contacts_of(rows), escalation_thresholds_s=(86400.0,))
    # escalation_frac 5 / 6.
    assert _value(table, "escalation_frac") == pytest.approx(5 / 6)
    # Per-type targets: judged 4 (the last escalation is open only 3600 s < 4 h); in time 2: 2 / 4.
    assert _value(table, "escalation_response_within_target_frac") == pytest.approx(0.5)
    # 24 h for every type: judged 4 (the unanswered one at 0 s has 172500 s >= 86400 s open,
    # the late one 3600 s < 86400 s): in time 1 h, 5 h, 20 h -> 3 / 4.
    assert _value(table, "escalation_response_within_target_frac_86400s") == pytest.approx(0.75)
    assert _value(table, "escalation_frac", channel="all") == pytest.approx(5 / 6)


def test_aht_and_csat(contacts_of):
    rows = [
        {"arrival_s": 0.0, "outcome": "answered", "handle_s": 200.0, "csat_score": 4.0},
        {"arrival_s": 0.0, "outcome": "answered", "handle_s": 400.0, "csat_score": 5.0},
        {"arrival_s": 0.0, "outcome": "answered", "handle_s": 600.0},
        {"arrival_s": 0.0, "outcome": "answered", "handle_s": 800.0},
    ]
    table = _table(contacts_of(rows))
    # AHT (200 + 400 + 600 + 800) / 4 = 500 s; CSAT (4 + 5) / 2 = 4.5; response 2 / 4.
    assert _value(table, "aht_s") == 500.0
    assert _value(table, "csat") == 4.5
    assert _value(table, "csat_response_frac") == 0.5


def test_occupancy_and_staffed_hours_from_the_agent_log(contacts_of, agents_of):
    agents = agents_of(
        [
            {
                "interval": 0,
                "interval_start_s": 0.0,
                "channel": "phone",
                "staffed_agent_s": 1800.0,
                "busy_agent_s": 900.0,
            },
            {
                "interval": 0,
                "interval_start_s": 0.0,
                "channel": "phone",
                "team": "other",
                "staffed_agent_s": 1800.0,
                "busy_agent_s": 1800.0,
                "overtime_agent_s": 300.0,
            },
            {
                "interval": 96,
                "interval_start_s": DAY,
                "channel": "phone",
                "staffed_agent_s": 3600.0,
                "busy_agent_s": 900.0,
            },
        ]
    )
    table = _table(contacts_of([{"arrival_s": 0.0, "outcome": "answered"}]), agents=agents)
    # Day 0: busy 2700 / staffed 3600 = 0.75; 1 agent hour, of it 300 s overtime.
    # Horizon: 3600 / 7200 = 0.5.
    assert _value(table, "occupancy_frac", "day", 0) == 0.75
    assert _value(table, "staffed_agent_hours", "day", 0) == 1.0
    assert _value(table, "overtime_agent_s", "day", 0) == 300.0
    assert _value(table, "overtime_agent_s", "day", 1) == 0.0
    assert _value(table, "occupancy_frac") == 0.5
    # Interval 1 has no agent on duty: 0 / 0 -> NaN.
    assert np.isnan(_value(table, "occupancy_frac", "interval", 1))


def test_uptime_merges_overlaps_splits_at_midnight_and_respects_opening_hours(
    contacts_of, outages_of
):
    open_mask = np.zeros(192, bool)
    open_mask[32:80] = True  # open 08:00-20:00 on day 0 only (intervals 32..79)
    channels = {"phone": PHONE, "chat": KpiChannel("realtime", open_intervals=open_mask)}
    outages = outages_of(
        [
            {"channel": "phone", "start_s": DAY - 3600.0, "end_s": DAY + 3600.0},  # 23:00-01:00
            {
                "channel": "phone",
                "start_s": DAY - 1800.0,
                "end_s": DAY + 1800.0,
            },  # inside the first
            {"channel": "chat", "start_s": 7 * 3600.0, "end_s": 9 * 3600.0},  # 07:00-09:00
        ]
    )
    table = _table(
        contacts_of([{"arrival_s": 0.0, "outcome": "answered"}]), channels, outages=outages
    )
    # phone: 3600 s down on each day -> 1 - 3600 / 86400 per day; 7200 / 172800 over the horizon.
    assert _value(table, "uptime_frac", "day", 0) == pytest.approx(1 - 3600 / DAY)
    assert _value(table, "uptime_frac", "day", 1) == pytest.approx(1 - 3600 / DAY)
    assert _value(table, "uptime_frac") == pytest.approx(1 - 7200 / (2 * DAY))
    # chat: only 08:00-09:00 falls in the 12 opening hours: 1 - 3600 / 43200; day 1 closed: NaN.
    assert _value(table, "uptime_frac", "day", 0, "chat") == pytest.approx(1 - 3600 / 43200)
    assert np.isnan(_value(table, "uptime_frac", "day", 1, "chat"))
    # all: down while any channel is down (07:00-09:00 and 23:00-01:00), measured all day
    # (phone open always): day 0 1 - (7200 + 3600) / 86400.
    assert _value(table, "uptime_frac", "day", 0, "all") == pytest.approx(1 - 10800 / DAY)


def test_warmup_drops_early_contacts_and_periods(contacts_of):
    rows = [
        {"arrival_s": 100.0, "outcome": "abandoned", "wait_s": 50.0},  # in the warm-up
        {"arrival_s": 7200.0, "outcome": "answered", "wait_s": 5.0},
    ]
    table = _table(contacts_of(rows), warmup_s=3600.0)
    # Day 0 keeps only the second contact: 1 offered, abandon_frac 0.
    assert _value(table, "offered", "day", 0) == 1.0
    assert _value(table, "abandon_frac", "day", 0) == 0.0
    intervals = table[table["period_kind"] == "interval"]["period"]
    assert intervals.min() == 4  # intervals 0..3 (the first hour) lie inside the warm-up


def test_tables_of_single_replications_concatenate(contacts_of):
    one = _table(contacts_of([{"arrival_s": 0.0, "outcome": "answered", "replication": 0}]))
    two = _table(contacts_of([{"arrival_s": 9.0, "outcome": "abandoned", "replication": 1}]))
    check_columns(pd.concat([one, two], ignore_index=True), KPI_COLUMNS)


def test_replications_are_kept_apart(contacts_of):
    rows = [
        {"arrival_s": 0.0, "outcome": "answered", "replication": 0},
        {"arrival_s": 0.0, "outcome": "abandoned", "wait_s": 9.0, "replication": 1},
        {"arrival_s": 1.0, "outcome": "abandoned", "wait_s": 9.0, "replication": 1},
    ]
    table = _table(contacts_of(rows))
    assert _value(table, "offered", replication=0) == 1.0
    assert _value(table, "offered", replication=1) == 2.0
    assert _value(table, "abandon_frac", replication=1) == 1.0


def test_unknown_channel_and_reserved_name_are_input_errors(contacts_of):
    contacts = contacts_of([{"arrival_s": 0.0, "outcome": "answered", "channel": "fax"}])
    with pytest.raises(InputError, match="fax"):
        _table(contacts)
    with pytest.raises(InputError, match="all"):
        _table(
            contacts_of([{"arrival_s": 0.0, "outcome": "answered", "channel": "all"}]),
            {"all": PHONE},
        )
    wrong_mask = {"phone": KpiChannel("realtime", open_intervals=np.ones(5, bool))}
    with pytest.raises(InputError, match="open_intervals"):
        _table(contacts_of([{"arrival_s": 0.0, "outcome": "answered"}]), wrong_mask)
    with pytest.raises(InputError, match="schema"):
        _table(contacts_of([{"arrival_s": 0.0, "outcome": "answered"}]).drop(columns="wait_s"))


def test_many_contacts_are_all_counted(contacts_of):
    n = 20_000
    rng = np.random.default_rng(7)
    big = contacts_of([{"arrival_s": 0.0, "outcome": "answered"}]).loc[np.zeros(n, int)]
    big = big.reset_index(drop=True)
    big["contact_id"] = np.arange(n, dtype=np.int64)
    big["arrival_s"] = rng.uniform(0, 2 * DAY, n)
    table = _table(big)
    assert _value(table, "offered") == n
    assert _value(table, "offered", "day", 0) + _value(table, "offered", "day", 1) == n


def test_log_without_contacts_gives_zero_counts_from_the_agent_log(contacts_of, agents_of):
    empty = contacts_of([{"arrival_s": 0.0, "outcome": "answered"}]).iloc[0:0]
    agents = agents_of(
        [
            {
                "interval": 0,
                "interval_start_s": 0.0,
                "channel": "phone",
                "staffed_agent_s": 900.0,
                "busy_agent_s": 0.0,
            }
        ]
    )
    table = _table(empty, agents=agents, period_kinds=("day",))
    # The replication is known from the agent log: counts 0, ratios NaN, occupancy 0 / 900 = 0.
    assert _value(table, "offered", "day", 0) == 0.0
    assert np.isnan(_value(table, "service_level", "day", 0))
    assert _value(table, "occupancy_frac", "day", 0) == 0.0
    nothing = _table(empty, period_kinds=("day",))
    assert nothing.empty
    check_columns(nothing, KPI_COLUMNS)


def test_a_channel_without_a_kpi_channel_is_refused_by_name(contacts_of):
    contacts = contacts_of([{"arrival_s": 0.0, "outcome": "answered"}])
    with pytest.raises(
        InputError, match=r"contact log has channels without a KpiChannel: \['phone'\]"
    ):
        _table(contacts, {"chat": KpiChannel("realtime")})
