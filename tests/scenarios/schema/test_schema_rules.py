"""Cross-field rules of the scenario: each one, with its exact path and message."""

from __future__ import annotations

import pytest

NOT_DEFINED = "is not a defined channel; did you mean 'phone'?"


def _shift(name, days, start, end, share):
    return {"name": name, "days": days, "start": start, "end": end, "share": share}


def test_team_on_undefined_channel_suggests_the_closest(doc, errors):
    doc["partner"]["teams"][0]["channels"] = ["phnoe"]
    assert errors(doc) == [
        ("partner.teams.0.channels.0", NOT_DEFINED),
        ("channels.phone", "is served by no team of the partner"),
    ]


def test_channel_in_two_teams(doc, errors):
    doc["partner"]["teams"][1]["channels"] = ["email", "phone"]
    assert errors(doc) == [
        (
            "partner.teams.1.channels.1",
            "is already served by team 'voice'; a channel belongs to one team (list several "
            "channels in one team for a blended pool)",
        ),
        (
            "channels.phone.service_target",
            "is required: team 'back' staffs this channel in auto mode",
        ),
    ]


def test_every_channel_reference_is_checked(doc, errors):
    doc["events"] = {
        "peaks": [
            {
                "name": "p",
                "start": "2027-03-02",
                "end": "2027-03-03",
                "multiplier": 1.2,
                "channels": ["phone", "phnoe"],
            }
        ],
        "launches": [{"name": "x", "date": "2027-03-02", "channels": ["phnoe"]}],
        "forecast_error": {"day_cv": "10%", "channels": ["phnoe"]},
    }
    doc["channels"]["email"]["repeat"] = {
        "probability": "50%",
        "delay": {"mean": "1d"},
        "channel": "phnoe",
    }
    doc["outages"] = {
        "random": [{"channels": ["phnoe"], "mtbf": "30d", "mttr": "2h"}],
        "scheduled": [
            {"start": "2027-03-02T01:00", "end": "2027-03-02T02:00", "channels": ["fax"]}
        ],
    }
    doc["contract"] = {
        "fee": {"fixed_per_period_eur": 1000},
        "clauses": [
            {
                "id": "a",
                "kpi": "fcr",
                "channel": "phnoe",
                "target": "70%",
                "penalty": {"scheme": "fixed", "percent_of_fee": "5%"},
            }
        ],
    }
    assert errors(doc) == [
        ("events.peaks.0.channels.1", NOT_DEFINED),
        ("events.launches.0.channels.0", NOT_DEFINED),
        ("events.forecast_error.channels.0", NOT_DEFINED),
        ("channels.email.repeat.channel", NOT_DEFINED),
        ("outages.random.0.channels.0", NOT_DEFINED),
        ("outages.scheduled.0.channels.0", "is not a defined channel"),
        ("contract.clauses.0.channel", NOT_DEFINED),
    ]


def test_per_contact_pricing_names_every_channel(doc, errors):
    doc["partner"]["pricing"] = {"per_contact_eur": {"phone": 4.5, "emial": 2}}
    assert errors(doc) == [
        (
            "partner.pricing.per_contact_eur.emial",
            "is not a defined channel; did you mean 'email'?",
        ),
        ("partner.pricing.per_contact_eur", "has no price for channel(s) email"),
    ]


def test_realtime_settings_on_a_deferrable_channel(doc, errors):
    email = doc["channels"]["email"]
    email["patience"] = {"mean": "2m"}
    email["concurrency"] = {"max_chats": 2, "speed_by_chats": [1, 0.8]}
    email["redial"] = {"probability": "50%", "delay": {"mean": "10m"}}
    email["service_target"] = {
        "threshold": "2h",
        "target": "90%",
        "sl_definition": "answered",
        "short_abandon": "5s",
    }
    only = "is for realtime channels only; this channel is deferrable"
    never = "is for realtime channels only; deferrable channels never abandon"
    assert errors(doc) == [
        ("channels.email.patience", only),
        ("channels.email.concurrency", only),
        ("channels.email.redial", only),
        ("channels.email.service_target.sl_definition", never),
        ("channels.email.service_target.short_abandon", never),
    ]


def test_business_hours_target_on_a_realtime_channel(doc, errors):
    doc["channels"]["phone"]["service_target"] = {
        "threshold": "30s",
        "target": "80%",
        "business_hours": True,
    }
    assert errors(doc) == [
        (
            "channels.phone.service_target.business_hours",
            "is for deferrable channels only; a realtime wait runs only while open",
        )
    ]


def test_excluding_short_abandons_needs_their_length(doc, errors):
    doc["channels"]["phone"]["service_target"] = {
        "threshold": "30s",
        "target": "80%",
        "sl_definition": "excl_short_abandons",
    }
    assert errors(doc) == [
        (
            "channels.phone.service_target.short_abandon",
            "must be given (> 0) for excl_short_abandons",
        )
    ]


def test_uncovered_open_interval_names_day_and_time(doc, errors):
    doc["channels"]["phone"]["hours"] = {"mon-fri": "08:00-18:00", "sat": "10:00-12:00"}
    doc["partner"]["teams"][0]["staffing"]["shifts"] = [
        _shift("early", "mon-fri", "08:00", "16:00", "60%"),
        _shift("late", "mon-thu", "10:00", "17:30", "40%"),
    ]
    assert errors(doc) == [
        (
            "partner.teams.0.staffing.fixed.shifts",
            "no shift of team 'voice' covers phone while it is open: mon 17:30-18:00, "
            "tue 17:30-18:00, wed 17:30-18:00, thu 17:30-18:00, fri 16:00-18:00, "
            "sat 10:00-12:00",
        )
    ]


def test_zero_share_shift_covers_nothing_but_night_shift_spills_over(doc, valid, errors):
    doc["channels"]["phone"]["hours"] = "24/7"
    doc["partner"]["teams"][0]["staffing"]["shifts"] = [
        _shift("day", "all", "06:00", "22:00", "60%"),
        _shift("night", "all", "22:00", "06:00", "40%"),
    ]
    assert valid(doc).channels["phone"].hours.is_24_7
    doc["partner"]["teams"][0]["staffing"]["shifts"][1]["share"] = 0
    message = errors(doc)[0][1]
    assert message.startswith("no shift of team 'voice' covers phone while it is open: mon ")
    assert message.count("00:00-06:00") == 7 and message.count("22:00-24:00") == 7


def test_deferrable_channel_needs_no_shift_coverage(doc, valid):
    doc["partner"]["teams"][1]["staffing"] = {
        "mode": "fixed",
        "headcount": 5,
        "shifts": [_shift("day", "mon-fri", "09:00", "13:00", "100%")],
    }
    assert valid(doc).team_of("email").staffing.headcount == 5


def test_overlapping_peaks_on_a_shared_channel(doc, errors, valid):
    doc["events"] = {
        "peaks": [
            {"name": "a", "start": "2027-03-01", "end": "2027-03-03", "multiplier": 1.2},
            {
                "name": "b",
                "start": "2027-03-03",
                "end": "2027-03-04",
                "multiplier": 1.5,
                "channels": ["email"],
            },
        ]
    }
    assert errors(doc) == [
        ("events.peaks.1", "overlaps peak 'a' (2027-03-01..2027-03-03) on email")
    ]
    doc["events"]["peaks"][0]["channels"] = ["phone"]
    assert len(valid(doc).events.peaks) == 2


def test_escalation_needs_tier2(doc, errors, valid):
    doc["channels"]["phone"]["escalation"] = {"probability": "5%"}
    assert errors(doc) == [
        ("channels.phone.escalation", "escalations need a tier2 section to answer them")
    ]
    doc["tier2"] = {
        "agents": 3,
        "hours": {"mon-fri": "09:00-17:00"},
        "handle_time": {"mean": "30m"},
    }
    tier2 = valid(doc).tier2
    assert tier2.response_targets.operational == 4 * 3600.0
    assert tier2.response_targets.strategic == 24 * 3600.0


def test_calendar_events_may_reach_outside_the_horizon(doc, errors, valid):
    doc["events"] = {
        "peaks": [{"name": "p", "start": "2027-02-27", "end": "2027-03-09", "multiplier": 2}],
        "launches": [{"name": "x", "date": "2027-03-08"}],
    }
    doc["outages"] = {"scheduled": [{"start": "2027-03-07T23:00", "end": "2027-03-08T00:15"}]}
    doc["horizon"]["closed_days"] = ["2027-03-02", "2027-12-25"]
    scenario = valid(doc)
    closed = scenario.horizon.closed_day_mask().reshape(7, -1)
    assert closed.all(axis=1).tolist() == [False, True, False, False, False, False, False]
    doc["partner"]["teams"][0]["hiring"] = {"per_week": 2, "start": "2027-03-08"}
    assert errors(doc) == [
        ("partner.teams.0.hiring.start", "must not be after the horizon's last day 2027-03-07"),
    ]


def test_hiring_may_start_before_the_horizon(doc, valid):
    doc["partner"]["teams"][0]["hiring"] = {"per_week": 2, "start": "2027-02-01"}
    assert valid(doc).team_of("phone").hiring.per_week == 2


def test_closed_days_unique(doc, errors):
    doc["horizon"]["closed_days"] = ["2027-03-02", "2027-03-09", "2027-03-02"]
    assert errors(doc) == [("horizon.closed_days.2", "is given twice")]


def test_warmup_shorter_than_the_horizon(doc, errors, valid):
    doc["run"] = {"warmup": "7d"}
    assert errors(doc) == [("run.warmup", "must be shorter than the horizon (7 days)")]
    doc["run"] = {"warmup": "6d23h"}
    assert valid(doc).run.warmup_s == 6 * 86400 + 23 * 3600


def test_times_on_the_interval_grid(doc, errors, valid):
    doc["horizon"]["interval"] = "30m"
    doc["channels"]["phone"]["hours"] = {"mon-fri": "08:15-18:00"}
    doc["partner"]["teams"][0]["staffing"]["shifts"][0]["start"] = "07:45"
    assert errors(doc) == [
        (
            "channels.phone.hours",
            "opening times mon 08:15, tue 08:15, wed 08:15, thu 08:15, fri 08:15 are not on the "
            "30-minute interval grid",
        ),
        ("partner.teams.0.staffing.fixed.shifts.0.start", "is not on the 30-minute interval grid"),
    ]
    doc["horizon"]["interval"] = "15m"
    assert valid(doc).horizon.intervals_per_day == 96


def test_auto_team_needs_service_targets(doc, errors):
    del doc["channels"]["email"]["service_target"]
    assert errors(doc) == [
        (
            "channels.email.service_target",
            "is required: team 'back' staffs this channel in auto mode",
        )
    ]


def _contract(*clauses):
    return {"fee": {"fixed_per_period_eur": 100000}, "clauses": list(clauses)}


def _clause(clause_id, kpi, channel, target, **extra):
    return {
        "id": clause_id,
        "kpi": kpi,
        "channel": channel,
        "target": target,
        "penalty": {"scheme": "fixed", "percent_of_fee": "5%"},
        **extra,
    }


def test_clause_kpi_must_fit_the_channel(doc, errors):
    doc["contract"] = _contract(
        _clause("a", "service_level", "email", "80%", threshold="2h"),
        _clause("b", "asa", "email", "30s"),
        _clause("c", "response_within_target", "phone", "90%", threshold="1h"),
        _clause("d", "csat", "phone", 4.0),
        _clause("e", "escalation_response", "all", "90%", threshold="4h"),
    )
    assert errors(doc) == [
        (
            "contract.clauses.0.kpi",
            "service_level is for realtime channels; email is deferrable (use "
            "response_within_target)",
        ),
        (
            "contract.clauses.1.kpi",
            "asa is for realtime channels; email is deferrable (use response_within_target)",
        ),
        (
            "contract.clauses.2.kpi",
            "response_within_target is for deferrable channels; phone is realtime (use "
            "service_level)",
        ),
        ("contract.clauses.3.kpi", "csat needs channels.phone.csat to be given"),
        ("contract.clauses.4.kpi", "escalation_response needs a tier2 section"),
    ]


def test_all_problems_are_reported_at_once(doc, errors):
    doc["partner"]["teams"][0]["channels"] = ["phnoe"]
    doc["run"] = {"warmup": "8d"}
    doc["channels"]["email"]["escalation"] = {"probability": "1%"}
    assert [path for path, _ in errors(doc)] == [
        "partner.teams.0.channels.0",
        "channels.phone",
        "channels.email.escalation",
        "run.warmup",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"hours": {"sat-sun": "closed"}},
            [("channels.phone.hours", "the channel never opens")],
        ),
        (
            {"weekday_weights": {"mon-fri": 0, "sat-sun": 1}},
            [("channels.phone.weekday_weights", "gives no weight to any open day")],
        ),
        (
            {"intraday_profile": [1] * 8 + [0] * 16},
            [
                (
                    "channels.phone.intraday_profile",
                    f"gives no weight to the open hours of {day}, whose weekday weight is above 0",
                )
                for day in ("mon", "tue", "wed", "thu", "fri")
            ],
        ),
    ],
)
def test_demand_must_have_somewhere_to_go(doc, errors, change, expected):
    doc["channels"]["phone"].update(change)
    assert errors(doc)[: len(expected)] == expected


def test_deferrable_demand_may_arrive_while_closed(doc, valid, errors):
    # messages written at night or at weekends wait for opening (scenarios.demand)
    email = doc["channels"]["email"]
    email.update(intraday_profile=[1] * 6 + [0] * 18, weekday_weights={"mon-fri": 0, "sat-sun": 1})
    assert valid(doc).channels["email"].weekday_weights == (0, 0, 0, 0, 0, 1, 1)
    email["weekday_weights"] = {"all": 0}
    assert errors(doc) == [("channels.email.weekday_weights", "gives no weight to any day")]


def test_all_is_reserved_for_the_pooled_channel(doc, errors):
    doc["channels"]["all"] = doc["channels"].pop("email")
    doc["partner"]["teams"][1]["channels"] = ["all"]
    assert errors(doc) == [
        ("channels.all", "the name 'all' is reserved for all channels together; rename it")
    ]


def test_horizon_start_must_leave_room_for_its_days(doc, errors):
    doc["horizon"]["start"] = "9999-12-31"
    assert errors(doc) == [("horizon.start", "leaves no room for the horizon's days")]
