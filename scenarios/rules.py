"""Cross-field rules of a scenario: checks that need more than one section.

:func:`cross_field_problems` returns every problem as ``(loc, message, value)``;
:class:`scenarios.scenario.Scenario` raises them together, each under its own dotted path.
The rules:

- every channel named by an event, team, repeat, clause, outage, per-contact price or
  contract forecast exists (with a did-you-mean suggestion); ``all`` only where a clause allows
  it, and never as the name of a channel;
- every channel is served by exactly one team; ``auto`` teams need a ``service_target`` on
  each of their channels; per-contact pricing prices every channel; no team is called
  ``tier2`` (the name of tier 2's roster); a ``confidence`` criterion needs a day-level
  forecast error on its channel;
- clause KPIs fit the channel kind (service level, ASA and abandonment on realtime channels,
  response within target on deferrable ones); a csat clause needs the channel's csat model, a
  staff availability clause the ``contracted_fte`` of the team (of some team for ``all``);
- a fee ``from_pricing`` needs ``partner.pricing``; committed forecast contacts give one
  number per calendar period overlapping the horizon;
- escalations (and escalation-response clauses) need ``tier2``;
- opening hours and shift times lie on the interval grid; every open interval of a realtime
  channel served by a fixed team is covered by a shift with a share above 0;
- hiring, hiring classes and releases start before the horizon's end; two peaks on one channel
  do not overlap (peaks, launches, closed days and scheduled outages may reach outside the
  horizon, as a calendar of known events does: only what falls inside applies, and a launch
  before the start still fades inside it);
- the warm-up is shorter than the horizon.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from scenarios._base import WEEKDAYS, Loc, did_you_mean, format_clock
from scenarios.contract import ALL_CHANNELS, CSAT_KPIS, DEFERRABLE_KPIS, REALTIME_KPIS
from scenarios.partner import TIER2_ROSTER, AutoStaffing, FixedStaffing

if TYPE_CHECKING:
    from scenarios.scenario import Scenario

__all__ = ["cross_field_problems"]

Problems = list[tuple[Loc, str, Any]]


def cross_field_problems(scenario: Scenario) -> Problems:
    """Every cross-field problem of ``scenario``, in document order of the rules above."""
    problems: Problems = []
    problems += _channel_references(scenario)
    problems += _team_coverage(scenario)
    problems += _confidence_criteria(scenario)
    problems += _clause_fit(scenario)
    problems += _contract_inputs(scenario)
    problems += _escalations(scenario)
    problems += _interval_grid(scenario)
    problems += _shift_coverage(scenario)
    problems += _dates(scenario)
    problems += _overlapping_peaks(scenario)
    if scenario.run.warmup_s >= scenario.horizon.horizon_s:
        problems.append(
            (
                ("run", "warmup"),
                f"must be shorter than the horizon ({scenario.horizon.days} days)",
                scenario.run.warmup_s,
            )
        )
    return problems


def _unknown_name(loc: Loc, name: str, known: Sequence[str]) -> Problems:
    """The problem of ``name`` at ``loc`` when it is not one of the ``known`` channels."""
    if name in known:
        return []
    return [(loc, f"is not a defined channel{did_you_mean(name, known)}", name)]


def _unknown(loc: Loc, names: Iterable[str] | None, known: Sequence[str]) -> Problems:
    """The problems of the channel list ``names`` at ``loc`` (one per undefined entry)."""
    return [
        problem
        for index, name in enumerate(names or ())
        for problem in _unknown_name((*loc, index), name, known)
    ]


def _channel_references(scenario: Scenario) -> Problems:
    known = scenario.channel_names
    events, outages = scenario.events, scenario.outages
    problems: Problems = []
    if ALL_CHANNELS in scenario.channels:
        problems.append(
            (
                ("channels", ALL_CHANNELS),
                f"the name {ALL_CHANNELS!r} is reserved for all channels together; rename it",
                ALL_CHANNELS,
            )
        )
    for index, peak in enumerate(events.peaks):
        problems += _unknown(("events", "peaks", index, "channels"), peak.channels, known)
    for index, launch in enumerate(events.launches):
        problems += _unknown(("events", "launches", index, "channels"), launch.channels, known)
    if events.forecast_error is not None:
        loc: Loc = ("events", "forecast_error", "channels")
        problems += _unknown(loc, events.forecast_error.channels, known)
    for index, bias in enumerate(events.forecast_bias):
        problems += _unknown(("events", "forecast_bias", index, "channels"), bias.channels, known)
    for index, team in enumerate(scenario.partner.teams):
        problems += _unknown(("partner", "teams", index, "channels"), team.channels, known)
    for name, channel in scenario.channels.items():
        target = channel.repeat.channel if channel.repeat else None
        if target is not None:
            problems += _unknown_name(("channels", name, "repeat", "channel"), target, known)
    for index, outage in enumerate(outages.random):
        problems += _unknown(("outages", "random", index, "channels"), outage.channels, known)
    for index, scheduled in enumerate(outages.scheduled):
        problems += _unknown(("outages", "scheduled", index, "channels"), scheduled.channels, known)
    if scenario.contract is not None:
        for index, clause in enumerate(scenario.contract.clauses):
            if clause.channel != ALL_CHANNELS:
                loc = ("contract", "clauses", index, "channel")
                problems += _unknown_name(loc, clause.channel, known)
        for name in scenario.contract.forecast.channels:
            problems += _unknown_name(("contract", "forecast", "channels", name), name, known)
    pricing = scenario.partner.pricing
    prices = None if pricing is None else pricing.per_contact_eur
    if prices is not None:
        loc = ("partner", "pricing", "per_contact_eur")
        for name in prices:
            problems += _unknown_name((*loc, name), name, known)
        missing = [name for name in known if name not in prices]
        if missing:
            problems.append((loc, f"has no price for channel(s) {', '.join(missing)}", None))
    return problems


def _team_coverage(scenario: Scenario) -> Problems:
    problems: Problems = []
    served_by: dict[str, str] = {}
    for index, team in enumerate(scenario.partner.teams):
        for position, name in enumerate(team.channels):
            if name in served_by and served_by[name] != team.name:
                problems.append(
                    (
                        ("partner", "teams", index, "channels", position),
                        f"is already served by team {served_by[name]!r}; a channel belongs to "
                        "one team (list several channels in one team for a blended pool)",
                        name,
                    )
                )
            served_by.setdefault(name, team.name)
        if isinstance(team.staffing, AutoStaffing):
            for name in team.channels:
                channel = scenario.channels.get(name)
                if channel is not None and channel.service_target is None:
                    problems.append(
                        (
                            ("channels", name, "service_target"),
                            f"is required: team {team.name!r} staffs this channel in auto mode",
                            None,
                        )
                    )
        if team.name == TIER2_ROSTER:
            problems.append(
                (
                    ("partner", "teams", index, "name"),
                    f"{TIER2_ROSTER!r} is reserved for the roster of the tier2 section",
                    team.name,
                )
            )
    for name in scenario.channels:
        if name not in served_by:
            problems.append((("channels", name), "is served by no team of the partner", name))
    return problems


def _confidence_criteria(scenario: Scenario) -> Problems:
    """A ``confidence`` criterion needs a day-level forecast error on its channel."""
    return [
        (
            ("channels", name, "service_target", "criterion"),
            "confidence needs events.forecast_error with day_cv above 0 on this channel "
            "(the confidence is over the day's volume)",
            "confidence",
        )
        for name, channel in scenario.channels.items()
        if channel.service_target is not None
        and channel.service_target.criterion == "confidence"
        and scenario.forecast_day_cv(name) == 0.0
    ]


def _clause_fit(scenario: Scenario) -> Problems:
    if scenario.contract is None:
        return []
    problems: Problems = []
    for index, clause in enumerate(scenario.contract.clauses):
        loc = ("contract", "clauses", index)
        channel = scenario.channels.get(clause.channel)
        if clause.kpi == "escalation_response" and scenario.tier2 is None:
            problems.append(((*loc, "kpi"), "escalation_response needs a tier2 section", None))
        if channel is None:
            continue
        if clause.kpi in REALTIME_KPIS and not channel.is_realtime:
            problems.append(
                (
                    (*loc, "kpi"),
                    f"{clause.kpi} is for realtime channels; {clause.channel} is deferrable "
                    "(use response_within_target)",
                    clause.kpi,
                )
            )
        if clause.kpi in DEFERRABLE_KPIS and channel.is_realtime:
            problems.append(
                (
                    (*loc, "kpi"),
                    f"{clause.kpi} is for deferrable channels; {clause.channel} is realtime "
                    "(use service_level)",
                    clause.kpi,
                )
            )
        if clause.kpi in CSAT_KPIS and channel.csat is None:
            problems.append(
                (
                    (*loc, "kpi"),
                    f"{clause.kpi} needs channels.{clause.channel}.csat to be given",
                    None,
                )
            )
    return problems


def _contract_inputs(scenario: Scenario) -> Problems:
    """Pricing for a priced fee, a contracted FTE for staff availability, committed contacts
    for every period."""
    contract = scenario.contract
    if contract is None:
        return []
    problems: Problems = []
    if contract.fee.from_pricing and scenario.partner.pricing is None:
        problems.append(
            (("contract", "fee", "from_pricing"), "needs partner.pricing to price the fee", True)
        )
    teams = scenario.partner.teams
    for index, clause in enumerate(contract.clauses):
        if clause.kpi != "staff_availability":
            continue
        if clause.channel == ALL_CHANNELS:
            missing = [] if any(t.contracted_fte for t in teams) else [t.name for t in teams]
        else:
            missing = [
                t.name for t in teams if clause.channel in t.channels and not t.contracted_fte
            ]
        if missing:
            problems.append(
                (
                    ("contract", "clauses", index, "kpi"),
                    "staff_availability needs contracted_fte of team(s) " + ", ".join(missing),
                    clause.kpi,
                )
            )
    for name, forecast in contract.forecast.channels.items():
        if forecast.contacts is None or forecast.period is None:
            continue
        starts = scenario.horizon.period_starts(forecast.period)
        if len(forecast.contacts) != len(starts):
            problems.append(
                (
                    ("contract", "forecast", "channels", name, "contacts"),
                    f"needs one number per {forecast.period} overlapping the horizon: "
                    f"{len(starts)} (from {starts[0]} to {starts[-1]}), not "
                    f"{len(forecast.contacts)}",
                    None,
                )
            )
    return problems


def _escalations(scenario: Scenario) -> Problems:
    if scenario.tier2 is not None:
        return []
    return [
        (
            ("channels", name, "escalation"),
            "escalations need a tier2 section to answer them",
            None,
        )
        for name, channel in scenario.channels.items()
        if channel.escalation is not None and channel.escalation.probability > 0
    ]


def _interval_grid(scenario: Scenario) -> Problems:
    interval_s = scenario.horizon.interval_s
    label = f"{interval_s / 60:g}-minute"
    problems: Problems = []
    for name, channel in scenario.channels.items():
        off = channel.hours.off_grid_times(interval_s)
        if off:
            problems.append(
                (
                    ("channels", name, "hours"),
                    f"opening times {', '.join(off)} are not on the {label} interval grid",
                    None,
                )
            )
    for index, team in enumerate(scenario.partner.teams):
        if not isinstance(team.staffing, FixedStaffing):
            continue
        shifts_loc = ("partner", "teams", index, "staffing", "fixed", "shifts")
        for position, shift in enumerate(team.staffing.shifts):
            for field in ("start", "end"):
                seconds = getattr(shift, field)
                if seconds % interval_s:
                    problems.append(
                        (
                            (*shifts_loc, position, field),
                            f"is not on the {label} interval grid",
                            format_clock(seconds),
                        )
                    )
    return problems


def _uncovered_runs(gaps: np.ndarray, interval_s: float) -> list[str]:
    labels = []
    for day in range(7):
        row = gaps[day]
        edges = np.flatnonzero(np.diff(np.concatenate(([0], row.astype(np.int8), [0]))))
        for start, end in zip(edges[::2], edges[1::2], strict=True):
            labels.append(
                f"{WEEKDAYS[day]} {format_clock(start * interval_s)}-"
                f"{format_clock(end * interval_s)}"
            )
    return labels


def _shift_coverage(scenario: Scenario) -> Problems:
    horizon = scenario.horizon
    interval_s = horizon.interval_s
    problems: Problems = []
    for index, team in enumerate(scenario.partner.teams):
        if not isinstance(team.staffing, FixedStaffing):
            continue
        covered = team.staffing.week_share(interval_s) > 0
        for name in team.channels:
            channel = scenario.channels.get(name)
            if channel is None or not channel.is_realtime:
                continue
            monday = horizon.start - timedelta(days=horizon.start.weekday())
            open_week = channel.hours.open_mask(monday, 7, interval_s).reshape(7, -1)
            runs = _uncovered_runs(open_week & ~covered, interval_s)
            if runs:
                problems.append(
                    (
                        ("partner", "teams", index, "staffing", "fixed", "shifts"),
                        f"no shift of team {team.name!r} covers {name} while it is open: "
                        + ", ".join(runs),
                        None,
                    )
                )
    return problems


def _dates(scenario: Scenario) -> Problems:
    horizon = scenario.horizon
    problems: Problems = []
    for index, team in enumerate(scenario.partner.teams):
        if team.hiring is not None and team.hiring.start > horizon.end:
            problems.append(
                (
                    ("partner", "teams", index, "hiring", "start"),
                    f"must not be after the horizon's last day {horizon.end}",
                    str(team.hiring.start),
                )
            )
        classes = team.hiring_classes
        if classes is None:
            continue
        where = ("partner", "teams", index, "hiring_classes")
        late = f"must not be after the horizon's last day {horizon.end}"
        problems += [
            ((*where, "classes", k, "start"), late, held.start.isoformat())
            for k, held in enumerate(classes.classes)
            if held.start > horizon.end
        ]
        problems += [
            ((*where, "releases", k, "date"), late, release.date.isoformat())
            for k, release in enumerate(classes.releases)
            if release.date > horizon.end
        ]
    return problems


def _overlapping_peaks(scenario: Scenario) -> Problems:
    every = set(scenario.channel_names)
    peaks = scenario.events.peaks
    problems: Problems = []
    for later in range(len(peaks)):
        for earlier in range(later):
            a, b = peaks[earlier], peaks[later]
            shared = set(a.channels or every) & set(b.channels or every)
            if shared and a.start <= b.end and b.start <= a.end:
                problems.append(
                    (
                        ("events", "peaks", later),
                        f"overlaps peak {a.name!r} ({a.start}..{a.end}) on "
                        f"{', '.join(sorted(shared))}",
                        b.name,
                    )
                )
    return problems
