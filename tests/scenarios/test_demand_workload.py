"""The Workload container, its tidy views and the day-level forecast-error draws."""

import datetime as dt
import pickle

import numpy as np
import pytest

from scenarios.demand import (
    COLUMNS,
    SUMMARY_COLUMNS,
    ChannelWorkload,
    Workload,
    demand_by_day,
)
from scenarios.errors import InputError
from scenarios.log_tables import check_columns

HOUR_S = 3600.0
START = dt.date(2027, 3, 1)


def _channel(kind, arrivals, is_open, aht_s=300.0, patience_s=np.nan):
    n = len(arrivals)
    return ChannelWorkload(
        kind=kind,
        expected_arrivals=np.asarray(arrivals, dtype=float),
        is_open=np.asarray(is_open, dtype=bool),
        aht_s=np.broadcast_to(aht_s, n),
        fcr_frac=np.full(n, 0.7),
        escalation_frac=np.full(n, 0.1),
        patience_s=np.full(n, patience_s),
    )


@pytest.fixture
def workload():
    """Two days of hourly intervals: a phone line open 08:00-12:00, an email inbox closed."""
    hours = np.arange(48) % 24
    phone_open = (hours >= 8) & (hours < 12)
    phone = _channel(
        "realtime",
        np.where(hours < 12, 10.0, 0.0) + np.where(hours == 9, 5.0, 0.0),
        phone_open,
        aht_s=np.where(hours == 9, 600.0, 300.0),
        patience_s=120.0,
    )
    email = _channel("deferrable", np.full(48, 2.0), np.zeros(48, dtype=bool))
    return Workload(
        interval_s=HOUR_S,
        n_intervals=48,
        start=START,
        interval_start_s=np.arange(48) * HOUR_S,
        channels={"phone": phone, "email": email},
    )


def test_offered_and_not_offered_split_by_kind(workload):
    phone, email = workload.channels["phone"], workload.channels["email"]
    assert phone.offered[:24].sum() == pytest.approx(45.0)
    assert phone.not_offered[:24].sum() == pytest.approx(80.0)
    assert email.not_offered.sum() == 0.0
    assert email.offered.sum() == pytest.approx(96.0)


def test_arrays_and_channels_are_read_only(workload):
    with pytest.raises(ValueError, match="read-only"):
        workload.channels["phone"].expected_arrivals[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        workload.interval_start_s[0] = 1.0
    with pytest.raises(TypeError):
        workload.channels["chat"] = workload.channels["phone"]


def test_lengths_must_agree():
    with pytest.raises(InputError, match="aht_s must be a 1-d array of the same length"):
        ChannelWorkload(
            kind="realtime",
            expected_arrivals=np.ones(3),
            is_open=np.ones(3, dtype=bool),
            aht_s=np.ones(2),
            fcr_frac=np.ones(3),
            escalation_frac=np.zeros(3),
            patience_s=np.zeros(3),
        )
    with pytest.raises(InputError, match="channel 'phone' has 3 intervals, expected 4"):
        Workload(
            HOUR_S, 4, START, np.arange(4.0), {"phone": _channel("realtime", [1, 2, 3], [1] * 3)}
        )
    with pytest.raises(InputError, match="kind must be realtime or deferrable"):
        _channel("email", [1.0], [True])


def test_grid_properties(workload):
    assert workload.intervals_per_day == 24
    assert workload.n_days == 2
    np.testing.assert_array_equal(workload.day_of_interval, np.repeat([0, 1], 24))


def test_to_frame_matches_its_column_definition(workload):
    frame = workload.to_frame()
    check_columns(frame, COLUMNS)
    assert len(frame) == 2 * 48
    assert list(frame["channel"].cat.categories) == ["phone", "email"]
    assert list(frame["channel"].iloc[[0, 47, 48]]) == ["phone", "phone", "email"]
    row = frame.iloc[9]
    assert row["interval"] == 9
    assert row["interval_start"] == np.datetime64("2027-03-01T09:00")
    assert row["is_open"]
    assert row["expected_arrivals"] == 15.0
    assert row["arrivals_per_hour"] == 15.0
    assert row["aht_s"] == 600.0
    assert row["patience_s"] == 120.0
    assert np.isnan(frame["patience_s"].iloc[48])
    assert frame["interval_start"].iloc[48 + 47] == np.datetime64("2027-03-02T23:00")


def test_arrivals_per_hour_scales_with_the_interval():
    quarter = Workload(
        900.0,
        96,
        START,
        np.arange(96) * 900.0,
        {"chat": _channel("realtime", [1.0] * 96, [1] * 96)},
    )
    assert quarter.to_frame()["arrivals_per_hour"].unique().tolist() == [4.0]


def test_demand_by_day_hand_computed(workload):
    summary = demand_by_day(workload)
    check_columns(summary, SUMMARY_COLUMNS)
    assert list(summary["channel"]) == ["phone", "email", "phone", "email"]
    assert (
        list(summary["date"])
        == [np.datetime64("2027-03-01")] * 2 + [np.datetime64("2027-03-02")] * 2
    )
    phone = summary.iloc[0]
    assert phone["expected_contacts"] == pytest.approx(125.0)
    assert phone["not_offered"] == pytest.approx(80.0)
    # offered 10, 15, 10, 10 contacts with handle times 300, 600, 300, 300 s
    assert phone["mean_aht_s"] == pytest.approx((30 * 300 + 15 * 600) / 45)
    assert phone["peak_per_hour"] == 15.0
    email = summary.iloc[1]
    assert (email["expected_contacts"], email["not_offered"]) == (48.0, 0.0)
    assert email["mean_aht_s"] == 300.0
    assert email["peak_per_hour"] == 2.0


def test_demand_by_day_of_a_day_without_offered_contacts_has_no_mean_aht():
    closed = Workload(
        HOUR_S,
        24,
        START,
        np.arange(24.0) * HOUR_S,
        {"phone": _channel("realtime", [1.0] * 24, [False] * 24)},
    )
    row = demand_by_day(closed).iloc[0]
    assert (row["expected_contacts"], row["not_offered"], row["peak_per_hour"]) == (24.0, 24.0, 0.0)
    assert np.isnan(row["mean_aht_s"])


def test_pickling_keeps_values_and_read_only_arrays(workload):
    copy = pickle.loads(pickle.dumps(workload))
    assert list(copy.channels) == ["phone", "email"]
    phone = copy.channels["phone"]
    np.testing.assert_array_equal(
        phone.expected_arrivals, workload.channels["phone"].expected_arrivals
    )
    assert (phone.kind, copy.start, copy.n_intervals) == ("realtime", START, 48)
    assert not phone.aht_s.flags.writeable and not copy.interval_start_s.flags.writeable
    with pytest.raises(TypeError):
        copy.channels["chat"] = phone
