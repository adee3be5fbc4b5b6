"""Demand expansion: declared volumes, profiles, closed days, peaks and launches (hand-computed)."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios.channels import INTRADAY_PROFILES
from scenarios.demand import DAYS_PER_MONTH, demand_by_day, expand
from scenarios.errors import ScenarioError
from scenarios.scenario import Scenario

MONDAY = dt.date(2027, 3, 1)
HOUR_S = 3600.0


def _channel(kind="realtime", hours="24/7", **fields):
    channel = {
        "kind": kind,
        "hours": hours,
        "volume": {"per_week": 7000},
        "handle_time": {"mean": "5m"},
        "service_target": {"threshold": "30s" if kind == "realtime" else "2h", "target": "80%"},
    }
    channel.update(fields)
    return channel


def _scenario(
    channels,
    *,
    days=28,
    interval="60m",
    closed_days=(),
    events=None,
    base_dir=None,
    start=MONDAY,
):
    """A valid scenario around ``channels``: one auto-staffed team per channel, tier 2 24/7."""
    document = {
        "name": "demand-test",
        "horizon": {
            "start": start.isoformat(),
            "days": days,
            "interval": interval,
            "closed_days": [day.isoformat() for day in closed_days],
        },
        "channels": channels,
        "events": events or {},
        "partner": {
            "name": "Acme",
            "shrinkage": "30%",
            "pricing": {"per_agent_hour_eur": 30},
            "teams": [
                {"name": name, "channels": [name], "staffing": {"mode": "auto"}}
                for name in channels
            ],
        },
        "tier2": {"agents": 2, "hours": "24/7", "handle_time": {"mean": "30m"}},
    }
    return Scenario.model_validate(document, context={"base_dir": base_dir})


def _by_day(values, per_day=24):
    return np.asarray(values).reshape(-1, per_day)


# --- declared volumes ---


@pytest.mark.parametrize(
    ("volume", "expected_per_week"),
    [
        ({"per_week": 7000}, 7000.0),
        ({"per_day": 1000}, 7000.0),
        ({"per_month": "30.4375k"}, 7000.0),
        ({"per_month": 10_000}, 10_000 * 7 / 30.4375),
    ],
)
def test_totals_match_the_declared_volume_on_a_24_7_channel(volume, expected_per_week):
    workload = expand(_scenario({"phone": _channel(volume=volume)}))
    arrivals = workload.channels["phone"].expected_arrivals
    assert arrivals.sum() == pytest.approx(4 * expected_per_week)
    # flat profile, all days alike: every hour receives the same
    np.testing.assert_allclose(arrivals, expected_per_week / 7 / 24)


def test_days_per_month_is_a_mean_gregorian_month():
    assert DAYS_PER_MONTH == 30.4375


def test_weekday_weights_spread_a_week_over_the_open_days():
    weights = {"mon": 2.0, "tue-sat": 1.0, "sun": 5.0}  # sun: closed, its weight is not used
    phone = _channel(hours={"mon-sat": "08:00-18:00"}, weekday_weights=weights)
    arrivals = _by_day(expand(_scenario({"phone": phone})).channels["phone"].expected_arrivals)
    per_day = arrivals.sum(axis=1)
    np.testing.assert_allclose(per_day[:7], [2000, 1000, 1000, 1000, 1000, 1000, 0])
    assert per_day.sum() == pytest.approx(4 * 7000)


def test_per_day_is_the_mean_over_the_days_that_receive_contacts():
    weights = {"mon": 2.0, "tue-sat": 1.0}
    phone = _channel(
        hours={"mon-sat": "08:00-18:00"}, weekday_weights=weights, volume={"per_day": 1000}
    )
    per_day = _by_day(expand(_scenario({"phone": phone})).channels["phone"].expected_arrivals)
    # V = 1000 * 6 open days = 6000, shares 2/7 and 1/7
    np.testing.assert_allclose(per_day.sum(axis=1)[:7], [12000 / 7] + [6000 / 7] * 5 + [0])
    assert per_day.sum(axis=1)[:6].mean() == pytest.approx(1000)


# --- within a day ---


def test_realtime_profile_is_normalised_over_the_opening_window():
    phone = _channel(hours={"all": "08:00-20:00"}, intraday_profile="office")
    arrivals = _by_day(expand(_scenario({"phone": phone})).channels["phone"].expected_arrivals)
    office = np.array(INTRADAY_PROFILES["office"])
    expected = np.zeros(24)
    expected[8:20] = 1000 * office[8:20] / office[8:20].sum()
    np.testing.assert_allclose(arrivals[3], expected)


def test_quarter_hours_step_the_hourly_profile():
    phone = _channel(
        hours={"all": "08:30-10:00"}, intraday_profile=[1.0] * 8 + [1.0, 2.0] + [1.0] * 14
    )
    workload = expand(_scenario({"phone": phone}, days=7, interval="15m"))
    day = workload.channels["phone"].expected_arrivals[:96]
    # open quarters 08:30, 08:45 (weight 1/4 each), 09:00..09:45 (2/4 each): total 1.5
    np.testing.assert_allclose(day[34:40], 1000 * np.array([0.25, 0.25, 0.5, 0.5, 0.5, 0.5]) / 2.5)
    assert day.sum() == pytest.approx(1000)
    assert day[:34].sum() == 0 and day[40:].sum() == 0


def test_deferrable_arrivals_follow_the_24_hour_profile_and_wait():
    email = _channel(kind="deferrable", hours={"mon-fri": "09:00-17:00"}, intraday_profile="office")
    channel = expand(_scenario({"email": email})).channels["email"]
    office = np.array(INTRADAY_PROFILES["office"])
    arrivals = _by_day(channel.expected_arrivals)
    # customers write every day: 7000 a week over 7 equally weighted weekdays
    np.testing.assert_allclose(arrivals[0], 1000 * office / office.sum())
    np.testing.assert_allclose(arrivals[5:7].sum(axis=1), [1000, 1000])  # weekend: wait
    is_open = _by_day(channel.is_open)
    assert is_open[0].tolist() == [False] * 9 + [True] * 8 + [False] * 7
    assert channel.not_offered.sum() == 0
    assert channel.offered.sum() == pytest.approx(4 * 7000)


# --- closed days ---


@pytest.mark.parametrize("kind", ["realtime", "deferrable"])
def test_a_closed_day_keeps_its_demand(kind):
    holiday = MONDAY + dt.timedelta(days=9)
    channel = _channel(kind=kind, hours={"mon-fri": "08:00-18:00"}, intraday_profile="office")
    open_days = expand(_scenario({"c": channel})).channels["c"]
    closed = expand(_scenario({"c": channel}, closed_days=[holiday])).channels["c"]
    np.testing.assert_allclose(closed.expected_arrivals, open_days.expected_arrivals)
    assert closed.expected_arrivals.sum() == pytest.approx(4 * 7000)
    is_open = _by_day(closed.is_open)
    assert not is_open[9].any()
    np.testing.assert_array_equal(
        np.delete(is_open, 9, axis=0), np.delete(_by_day(open_days.is_open), 9, axis=0)
    )
    day_volume = _by_day(closed.expected_arrivals)[9].sum()
    # 7000 a week over the weekdays that receive contacts: 5 (realtime) or 7 (deferrable)
    assert day_volume == pytest.approx(1400 if kind == "realtime" else 1000)
    expected_not_offered = day_volume if kind == "realtime" else 0.0
    assert closed.not_offered.sum() == pytest.approx(expected_not_offered)
    summary = demand_by_day(expand(_scenario({"c": channel}, closed_days=[holiday])))
    assert summary["not_offered"].iloc[9] == pytest.approx(expected_not_offered)
    assert summary["expected_contacts"].iloc[9] == pytest.approx(day_volume)


def test_realtime_closed_intervals_receive_nothing_on_a_normal_day():
    phone = _channel(hours={"mon-fri": "08:00-18:00"}, intraday_profile="flat")
    channel = expand(_scenario({"phone": phone})).channels["phone"]
    assert channel.not_offered.sum() == 0
    np.testing.assert_array_equal(channel.expected_arrivals > 0, channel.is_open)


# --- events ---


def test_a_peak_multiplies_its_days_on_its_channels_only():
    events = {
        "peaks": [
            {
                "name": "spring",
                "start": "2027-03-04",
                "end": "2027-03-06",
                "multiplier": 1.5,
                "channels": ["phone"],
            }
        ]
    }
    workload = expand(_scenario({"phone": _channel(), "chat": _channel()}, events=events))
    phone = _by_day(workload.channels["phone"].expected_arrivals).sum(axis=1)
    chat = _by_day(workload.channels["chat"].expected_arrivals).sum(axis=1)
    np.testing.assert_allclose(phone[:8], [1000, 1000, 1000, 1500, 1500, 1500, 1000, 1000])
    np.testing.assert_allclose(chat, 1000)


LAUNCH = {
    "name": "product-x",
    "date": "2027-03-03",
    "volume_uplift": "40%",
    "volume_half_life_days": 7,
    "aht_uplift": "25%",
    "fcr_drop": "10%",
    "learning_days": 21,
    "share_of_contacts": "50%",
}


def test_launch_volume_handle_time_and_fcr_by_hand():
    workload = expand(_scenario({"phone": _channel(fcr="72%")}, events={"launches": [LAUNCH]}))
    phone = workload.channels["phone"]
    volume = _by_day(phone.expected_arrivals).sum(axis=1)
    aht = _by_day(phone.aht_s)[:, 0]
    fcr = _by_day(phone.fcr_frac)[:, 0]
    # day 1 is before the launch, day 2 the launch day, day 9 one half-life later
    assert volume[1] == pytest.approx(1000)
    assert volume[2] == pytest.approx(1400)
    assert volume[9] == pytest.approx(1200)
    assert volume[16] == pytest.approx(1100)
    assert (aht[1], fcr[1]) == (pytest.approx(300), pytest.approx(0.72))
    # launch day: half the contacts take 25 % longer and lose 10 points of FCR
    assert aht[2] == pytest.approx(300 * (1 + 0.5 * 0.25))
    assert fcr[2] == pytest.approx(0.72 - 0.5 * 0.10)
    # 7 days on, 2/3 of the effect remains; after 21 days none
    assert aht[9] == pytest.approx(300 * (1 + 0.5 * 0.25 * 2 / 3))
    assert fcr[9] == pytest.approx(0.72 - 0.5 * 0.10 * 2 / 3)
    assert (aht[23], fcr[23]) == (pytest.approx(300), pytest.approx(0.72))
    # handle time and FCR are constant within a day
    assert np.all(_by_day(phone.aht_s).std(axis=1) == 0)


def test_launch_fcr_drop_is_floored_for_the_concerned_contacts_only():
    launch = LAUNCH | {"fcr_drop": "30%"}
    workload = expand(_scenario({"phone": _channel(fcr="10%")}, events={"launches": [launch]}))
    fcr = _by_day(workload.channels["phone"].fcr_frac)[:, 0]
    # concerned half: max(0, 0.10 - 0.30) = 0; the other half keeps 0.10
    assert fcr[2] == pytest.approx(0.05)
    # 14 days on: drop 0.30 / 3 = 0.10 for the concerned half, so still 0.05
    assert fcr[16] == pytest.approx(0.05)
    # 18 days on: drop 0.30 / 7 < 0.10
    assert fcr[20] == pytest.approx(0.10 - 0.5 * 0.30 / 7)


def test_peak_and_launch_multiply():
    events = {
        "peaks": [{"name": "p", "start": "2027-03-03", "end": "2027-03-03", "multiplier": 2}],
        "launches": [LAUNCH],
    }
    volume = _by_day(
        expand(_scenario({"phone": _channel()}, events=events)).channels["phone"].expected_arrivals
    ).sum(axis=1)
    assert volume[2] == pytest.approx(1000 * 2 * 1.4)


def test_escalation_and_patience_are_carried_per_interval():
    chat = _channel(patience={"mean": "2m"}, escalation={"probability": "8%", "type": "strategic"})
    workload = expand(_scenario({"chat": chat, "email": _channel(kind="deferrable")}))
    np.testing.assert_array_equal(workload.channels["chat"].patience_s, 120.0)
    np.testing.assert_array_equal(workload.channels["chat"].escalation_frac, 0.08)
    assert np.all(np.isnan(workload.channels["email"].patience_s))
    np.testing.assert_array_equal(workload.channels["email"].escalation_frac, 0.0)
    assert workload.channels["email"].kind == "deferrable"
    assert list(workload.channels) == ["chat", "email"]


def test_grid_of_the_workload():
    workload = expand(_scenario({"phone": _channel()}, days=3, interval="30m"))
    assert (workload.interval_s, workload.n_intervals, workload.start) == (1800.0, 144, MONDAY)
    np.testing.assert_array_equal(workload.interval_start_s, np.arange(144) * 1800.0)


# --- per-interval file ---


def _volume_file(tmp_path, values, start=MONDAY, interval_s=HOUR_S):
    origin = dt.datetime.combine(start, dt.time())
    rows = [
        f"{(origin + dt.timedelta(seconds=i * interval_s)).isoformat()},{value}"
        for i, value in enumerate(values)
    ]
    path = tmp_path / "volume.csv"
    path.write_text("interval_start,contacts\n" + "\n".join(rows) + "\n")
    return path


def test_a_volume_file_is_taken_as_is_and_events_apply(tmp_path):
    values = np.arange(48) % 7
    _volume_file(tmp_path, values)
    phone = _channel(hours={"all": "08:00-18:00"}, volume={"file": "volume.csv"})
    events = {"peaks": [{"name": "p", "start": "2027-03-02", "end": "2027-03-02", "multiplier": 3}]}
    channel = expand(
        _scenario({"phone": phone}, days=2, events=events, base_dir=tmp_path)
    ).channels["phone"]
    np.testing.assert_allclose(channel.expected_arrivals, values * np.repeat([1.0, 3.0], 24))
    closed = ~channel.is_open
    assert channel.not_offered.sum() == pytest.approx(channel.expected_arrivals[closed].sum())
    assert channel.not_offered.sum() > 0


def test_a_volume_file_that_misses_intervals_is_a_scenario_error(tmp_path):
    path = _volume_file(tmp_path, [1.0] * 47)
    scenario = _scenario(
        {"phone": _channel(volume={"file": "volume.csv"})}, days=2, base_dir=tmp_path
    )
    with pytest.raises(ScenarioError) as caught:
        expand(scenario)
    assert str(caught.value) == (
        f"{path}: channels.phone.volume.file: 1 of the horizon's 48 intervals have no row, "
        "the first one starting 2027-03-02T23:00"
    )


# --- invariants over random calendars ---


@st.composite
def _calendars(draw):
    """Opening hours with at least one open day, weights giving weight to one, closed days."""
    windows = {}
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        if draw(st.booleans()):
            start = draw(st.integers(0, 23))
            end = draw(st.integers(start + 1, 24))
            windows[day] = f"{start:02d}:00-{end:02d}:00"
    if not windows:
        windows["wed"] = "09:00-17:00"
    weights = {day: draw(st.sampled_from([0.0, 0.5, 1.0, 2.5])) for day in windows}
    weights[draw(st.sampled_from(sorted(windows)))] = 1.0
    weeks = draw(st.integers(1, 3))
    closed = draw(st.sets(st.integers(0, 7 * weeks - 1), max_size=3))
    return windows, weights, weeks, sorted(closed)


@settings(max_examples=40, deadline=None)
@given(
    calendar=_calendars(),
    kind=st.sampled_from(["realtime", "deferrable"]),
    profile=st.sampled_from(sorted(INTRADAY_PROFILES)),
    per_week=st.floats(1.0, 1e6),
    start=st.dates(dt.date(2027, 1, 1), dt.date(2027, 12, 31)),
)
def test_whole_weeks_receive_the_weekly_volume(calendar, kind, profile, per_week, start):
    windows, weights, weeks, closed = calendar
    channel = _channel(
        kind=kind,
        hours=windows,
        weekday_weights=weights,
        intraday_profile=profile,
        volume={"per_week": per_week},
    )
    scenario = _scenario(
        {"c": channel},
        days=7 * weeks,
        closed_days=[start + dt.timedelta(days=day) for day in closed],
        start=start,
    )
    workload = expand(scenario).channels["c"]
    arrivals = workload.expected_arrivals
    assert np.all(arrivals >= 0)
    assert arrivals.sum() == pytest.approx(weeks * per_week, rel=1e-9)
    on_closed_days = _by_day(arrivals)[closed].sum()
    if kind == "realtime":
        regular = scenario.channels["c"].hours.open_mask(start, 7 * weeks, HOUR_S)
        assert arrivals[~regular].sum() == 0
        assert workload.not_offered.sum() == pytest.approx(on_closed_days, abs=1e-9 * per_week)
    else:
        assert workload.not_offered.sum() == 0
