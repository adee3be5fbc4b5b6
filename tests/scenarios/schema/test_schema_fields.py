"""Scenario schema, field by field: friendly units, bounds, parsing of days, hours and files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scenarios.channels import Concurrency, Distribution, Volume
from scenarios.events import Launch
from scenarios.partner import FixedStaffing, Shift


def test_friendly_units_become_seconds_fractions_and_counts(doc, valid):
    doc["channels"]["phone"].update(
        handle_time={"mean": "1h30m", "distribution": "lognormal", "cv": "80%"},
        patience={"mean": 90},
        fcr="72.5%",
        volume={"per_month": "1.5k"},
        repeat={"probability": 0.6, "delay": {"mean": "2d"}},
    )
    doc["events"] = {
        "launches": [
            {"name": "x", "date": "2027-03-02", "volume_uplift": "140%", "aht_uplift": 0.25}
        ],
        "forecast_error": {"day_cv": "110%"},
    }
    phone = valid(doc).channels["phone"]
    assert phone.handle_time.mean == 5400.0
    assert phone.handle_time.cv_effective == pytest.approx(0.8)
    assert phone.patience.mean == 90.0
    assert phone.resolution_probability == pytest.approx(0.725)
    assert phone.volume.per_month == 1500.0
    assert phone.repeat.delay.mean == 2 * 86400.0
    events = valid(doc).events
    assert events.launches[0].volume_uplift == pytest.approx(1.4)
    assert events.launches[0].aht_uplift == 0.25
    assert events.forecast_error.day_cv == pytest.approx(1.1)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            ("channels", "phone", "fcr"),
            "120%",
            "Value error, must be between 0 and 1 (0% and 100%); write 80% for a percentage",
        ),
        (
            ("channels", "phone", "fcr"),
            80,
            "Value error, must be between 0 and 1 (0% and 100%); write 80% for a percentage",
        ),
        (
            ("channels", "phone", "handle_time", "mean"),
            "0s",
            "Value error, must be longer than zero",
        ),
        (
            ("channels", "phone", "handle_time", "mean"),
            "5 minutes",
            "Value error, must be a duration such as 30s, 3m, 2h, 1d or a number of seconds",
        ),
        (
            ("channels", "phone", "volume", "per_day"),
            "-5",
            "Value error, must be a number, optionally with a k or M suffix such as 1.5k",
        ),
        (("horizon", "days"), 732, "Input should be less than or equal to 731"),
        (("horizon", "days"), 0, "Input should be greater than or equal to 1"),
        (("horizon", "interval"), "20m", "Value error, must be 15m, 30m or 60m"),
        (
            ("horizon", "timezone"),
            "Europe/Amsterdan",
            "Value error, must be an IANA time-zone name such as Europe/Amsterdam or UTC",
        ),
        (("horizon", "start"), 20270301, "Value error, must be a date written YYYY-MM-DD"),
        (("run", "replications"), 10001, "Input should be less than or equal to 10000"),
        (("run", "replications"), 0, "Input should be greater than or equal to 1"),
        (("run", "seed"), -1, "Input should be greater than or equal to 0"),
        (
            ("name",),
            "my scenario",
            "String should match pattern '^[A-Za-z0-9_-][A-Za-z0-9_.-]*$'",
        ),
        (("name",), "..", "String should match pattern '^[A-Za-z0-9_-][A-Za-z0-9_.-]*$'"),
        (
            ("partner", "shrinkage"),
            "100%",
            "Value error, must be below 100% (scheduled = required / (1 - shrinkage))",
        ),
        (
            ("channels", "phone", "handle_time", "mean"),
            float("nan"),
            "Value error, must be a finite number",
        ),
    ],
)
def test_bounds_and_bad_units(doc, errors, path, value, expected):
    target = doc
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value
    assert errors(doc) == [(".".join(path), expected)]


def test_service_target_must_be_reachable(doc, errors):
    doc["channels"]["phone"]["service_target"] = {"threshold": "20s", "target": "100%"}
    assert errors(doc) == [
        (
            "channels.phone.service_target.target",
            "Value error, must lie strictly between 0% and 100% (no staffing reaches 100%)",
        )
    ]


def test_channel_count_and_names_are_bounded(doc, errors):
    phone = doc["channels"]["phone"]
    doc["channels"] = {f"c{i}": dict(phone) for i in range(21)}
    assert ("channels", "Value should have at most 20 items after validation, not 21") in (
        errors(doc)
    )
    doc["channels"] = {"Phone": phone}
    assert errors(doc)[0] == ("channels.Phone.[key]", "String should match pattern '^[a-z0-9_]+$'")
    doc["channels"] = {}
    assert errors(doc) == [("channels", "Value error, must not be empty")]


def test_datetimes_are_local_wall_clock(doc, errors):
    doc["outages"] = {"scheduled": [{"start": "2027-03-02T01:00+01:00", "end": "2027-03-02T02:00"}]}
    assert errors(doc) == [
        (
            "outages.scheduled.0.start",
            "Value error, must be a local wall-clock time without a UTC offset (the horizon's "
            "time zone applies)",
        )
    ]
    doc["outages"] = {"scheduled": [{"start": "2027-03-02T02:00", "end": "2027-03-02T02:00"}]}
    assert errors(doc) == [("outages.scheduled.0.end", "must be after start 2027-03-02T02:00:00")]


def test_shift_clock_and_overnight_mask(model_errors):
    night = Shift(name="night", days="sun", start="22:00", end="06:00", share="50%")
    assert (night.start, night.end, night.duration_s) == (22 * 3600, 6 * 3600, 8 * 3600)
    mask = night.week_mask(3600.0)
    assert np.flatnonzero(mask[6]).tolist() == [22, 23]
    assert np.flatnonzero(mask[0]).tolist() == [0, 1, 2, 3, 4, 5]  # Monday morning
    assert mask.sum() == 8
    full = Shift(name="full", days="mon", start="00:00", end="24:00", share=1)
    assert full.duration_s == 86400 and full.week_mask(900.0)[0].all()
    assert model_errors(
        Shift, {"name": "x", "days": "mon", "start": "08:00", "end": "08:00", "share": 1}
    ) == [("end", "must differ from start")]
    assert night.model_dump()["start"] == "22:00" and full.model_dump()["end"] == "24:00"
    assert Shift.model_validate(night.model_dump()) == night


def test_shift_times_must_be_quoted_text(model_errors):
    # YAML 1.1 reads an unquoted 16:00 as 960 (base 60); a number is never taken as a time
    data = {"name": "x", "days": "mon", "start": 960, "end": "17:00", "share": 1}
    assert model_errors(Shift, data) == [
        ("start", 'Value error, time 960 must be written HH:MM in quotes, e.g. "08:00"')
    ]


def test_fixed_staffing_share_per_day_and_names(model_errors):
    shifts = [
        {"name": "a", "days": "mon-fri", "start": "08:00", "end": "16:00", "share": "60%"},
        {"name": "a", "days": "fri", "start": "12:00", "end": "20:00", "share": "50%"},
    ]
    assert model_errors(FixedStaffing, {"mode": "fixed", "headcount": 10, "shifts": shifts}) == [
        ("shifts.1.name", "is used by another shift"),
        (
            "shifts",
            "shares of the shifts starting on fri add up to 110%, more than the whole headcount",
        ),
    ]
    shifts[1].update(name="b", share="40%")
    staffing = FixedStaffing(mode="fixed", headcount=10, shifts=shifts)
    share = staffing.week_share(3600.0)
    assert share[4, 13] == pytest.approx(1.0) and share[0, 13] == pytest.approx(0.6)
    assert share[4, 18] == pytest.approx(0.4) and share[5].sum() == 0


def test_team_scale_up_rules(doc, errors):
    doc["partner"]["teams"][1]["hiring"] = {"per_week": 1, "start": "2027-03-01"}
    doc["partner"]["teams"][1]["attrition_per_month"] = "3%"
    doc["partner"]["teams"][0]["learning_curve"] = {
        "aht_multiplier": 1.2,
        "weeks_to_proficiency": 4,
    }
    doc["partner"]["teams"].append(dict(doc["partner"]["teams"][0], channels=["phone"]))
    assert errors(doc) == [
        ("partner.teams.0.learning_curve", "applies to new hires; give hiring as well"),
        ("partner.teams.1.hiring", "needs staffing mode fixed (a headcount); mode is auto"),
        (
            "partner.teams.1.attrition_per_month",
            "needs staffing mode fixed (a headcount); mode is auto",
        ),
        ("partner.teams.2.learning_curve", "applies to new hires; give hiring as well"),
    ]
    del doc["partner"]["teams"][1]["hiring"], doc["partner"]["teams"][1]["attrition_per_month"]
    for team in (doc["partner"]["teams"][0], doc["partner"]["teams"][2]):
        team["hiring"] = {"per_week": 1, "start": "2027-03-01", "max_headcount": 30}
    assert errors(doc) == [
        ("partner.teams.0.hiring.max_headcount", "must be at least the starting headcount 40"),
        ("partner.teams.2.hiring.max_headcount", "must be at least the starting headcount 40"),
    ]
    for team in (doc["partner"]["teams"][0], doc["partner"]["teams"][2]):
        team["hiring"]["max_headcount"] = 40
    assert errors(doc) == [("partner.teams.2.name", "is used by another team")]


def test_pricing_exactly_one_form(doc, errors):
    doc["partner"]["pricing"] = {"per_agent_hour_eur": 30, "per_fte_month_eur": 4000}
    assert errors(doc) == [
        (
            "partner.pricing",
            "Value error, give exactly one of per_agent_hour_eur, "
            "per_fte_month_eur or per_contact_eur (got per_agent_hour_eur, per_fte_month_eur)",
        )
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"mean": "3m", "cv": 0.5},
            [("cv", "must be 1 or absent for an exponential distribution")],
        ),
        (
            {"mean": "3m", "distribution": "deterministic", "cv": 0.2},
            [("cv", "must be 0 or absent for a deterministic duration")],
        ),
        (
            {"mean": "3m", "distribution": "gamma"},
            [("cv", "must be given and above 0 for a gamma distribution")],
        ),
        (
            {"mean": "3m", "distribution": "lognormal", "cv": 11},
            [("cv", "Input should be less than or equal to 10")],
        ),
        (
            {"mean": "3m", "distribution": "weibull"},
            [
                (
                    "distribution",
                    "Input should be 'exponential', 'lognormal', 'gamma' or 'deterministic'",
                )
            ],
        ),
    ],
)
def test_distribution_shape_rules(data, expected, model_errors):
    assert model_errors(Distribution, data) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"max_chats": 3}, "is required when max_chats > 1 (one rate multiplier per chat count)"),
        ({"max_chats": 3, "speed_by_chats": [1, 0.8]}, "must have max_chats = 3 entries, not 2"),
        (
            {"max_chats": 2, "speed_by_chats": [0.9, 0.8]},
            "must start with 1.0 (a single chat runs at full speed)",
        ),
        ({"max_chats": 2, "speed_by_chats": [1, 1.2]}, "entries must lie in (0, 1]"),
        (
            {"max_chats": 3, "speed_by_chats": [1, 0.6, 0.3]},
            "throughput k * speed must not fall: 3 chats give 0.9 < 1.2 with 2",
        ),
    ],
)
def test_concurrency_rules(data, message, model_errors):
    assert model_errors(Concurrency, data) == [("speed_by_chats", message)]


def test_concurrency_defaults_to_one_chat():
    assert Concurrency(max_chats=1).speeds == (1.0,)


def test_volume_exactly_one_form(model_errors):
    assert model_errors(Volume, {}) == [
        ("", "Value error, give exactly one of per_day, per_week, per_month or file")
    ]


def test_volume_file_resolves_against_the_context(tmp_path, monkeypatch, model_errors):
    (tmp_path / "data").mkdir()
    csv = tmp_path / "data" / "phone.csv"
    csv.write_text("interval_start,contacts\n2027-03-01T00:00,3\n")
    volume = Volume.model_validate({"file": "data/phone.csv"}, context={"base_dir": tmp_path})
    assert volume.file == csv.resolve() and volume.file.is_absolute()
    monkeypatch.chdir(tmp_path / "data")
    assert Volume.model_validate({"file": "phone.csv"}).file == csv.resolve()
    missing = tmp_path / "nowhere.csv"
    assert model_errors(Volume, {"file": "nowhere.csv"}, {"base_dir": tmp_path}) == [
        ("file", f"Value error, file not found: {missing}")
    ]
    csv.write_text("start,calls\n")
    assert model_errors(Volume, {"file": str(csv)}) == [
        (
            "file",
            f"Value error, file {csv} lacks the column(s) interval_start, contacts; its "
            "header is 'start,calls'",
        )
    ]


def test_roster_file_is_checked_on_its_field(doc, errors, tmp_path):
    doc["partner"]["teams"][0]["staffing"] = {"mode": "roster", "file": "roster.csv"}
    assert errors(doc, tmp_path) == [
        (
            "partner.teams.0.staffing.roster.file",
            f"Value error, file not found: {Path(tmp_path, 'roster.csv')}",
        )
    ]


def test_unknown_staffing_mode(doc, errors):
    doc["partner"]["teams"][0]["staffing"] = {"mode": "magic"}
    assert errors(doc) == [
        (
            "partner.teams.0.staffing",
            "Input tag 'magic' found using 'mode' does not match any of "
            "the expected tags: 'fixed', 'roster', 'auto'",
        )
    ]


def test_launch_shapes():
    launch = Launch(
        name="x", date="2027-03-01", volume_uplift="40%", volume_half_life_days=7, learning_days=20
    )
    days = np.array([-1.0, 0.0, 7.0, 14.0, 10.0, 25.0])
    assert launch.volume_factor(days) == pytest.approx(
        [1.0, 1.4, 1.2, 1.1, 1 + 0.4 * 0.5 ** (10 / 7), 1 + 0.4 * 0.5 ** (25 / 7)]
    )
    assert launch.learn(days) == pytest.approx([0.0, 1.0, 0.65, 0.3, 0.5, 0.0])


def test_lists_are_bounded_and_channel_lists_not_empty(doc, errors):
    peak = {"name": "p", "start": "2027-03-02", "end": "2027-03-02", "multiplier": 1.1}
    doc["events"] = {"peaks": [peak] * 101}
    assert errors(doc) == [
        ("events.peaks", "Tuple should have at most 100 items after validation, not 101")
    ]
    doc["events"] = {"peaks": [dict(peak, channels=[])]}
    assert errors(doc) == [("events.peaks.0.channels", "Value error, must not be empty")]
    doc["events"] = {}
    doc["partner"]["teams"][0]["channels"] = ["phone"] * 21
    assert errors(doc) == [
        ("partner.teams.0.channels", "Value should have at most 20 items after validation, not 21")
    ]
