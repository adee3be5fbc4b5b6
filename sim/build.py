"""From a ``Scenario``, its ``Workload`` and team rosters to the model's plain inputs.

Random parts of the input are drawn here from the replication's streams:

* first-contact arrivals per channel (``"arrivals"``, channel name) with the day multipliers of
  the forecast error (``"day_noise"``, channel name), see :mod:`sim.arrivals`;
* random outages (``"outages"``, the entry's channel list): an alternating renewal process
  starting up at time 0, up times exponential with mean ``mtbf`` and down times exponential
  with mean ``mttr``;
* random absence (``"absence"``, team name) of teams with ``absence``, see :mod:`sim.absence`.

Hires: ``hiring.per_week`` agents are requested every week from ``hiring.start`` and join
production ``lead_time_weeks + training_weeks`` later, and the classes of ``hiring_classes``
``training_weeks`` after their start (the cohorts of :func:`staffing.headcount.team_cohorts`);
the joins listed are those whose training starts before the horizon end (the model takes on
only those joining inside it, the paid training time of :mod:`sim.paid_time` counts them all).
Each hire of a class with ``dropout`` leaves during training with that probability, at a
uniform moment of it (``"dropout"``, ``<team>#<cohort index>``: one stream per class, so
classes of other sizes leave each class's draws alone); dropouts never join and are paid until
they leave. New hires learn by the team's nesting (``hiring_classes``) or ``learning_curve``
(:func:`staffing.headcount.team_nesting`). Releases (ramp-down) are one time per agent. Tier 2
with ``agents: auto`` takes its agents per interval from the rosters (``"tier2"``,
:func:`staffing.team_rosters`).

Forecast bias (``events.forecast_bias``): the expected first contacts of the workload (what the
forecast knows) are multiplied by the bias of their day before the arrivals are drawn.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from scenarios.demand import Workload
from scenarios.distribution import Distribution
from scenarios.errors import InputError
from scenarios.events import bias_by_day
from scenarios.partner import TIER2_ROSTER
from scenarios.scenario import Scenario
from sim.absence import draw_absence
from sim.agents import Learning
from sim.arrivals import arrival_times, draw_day_multipliers
from sim.specs import ChannelSpec, CsatSpec, Dist, ModelInput, Retry, TeamSpec, Tier2Spec
from sim.streams import Streams
from staffing.headcount import team_cohorts, team_nesting, team_releases

if TYPE_CHECKING:
    from scenarios.channels import Redial, Repeat
    from scenarios.partner import Team

__all__ = ["model_input"]


def _dist(distribution: Distribution) -> Dist:
    return Dist(distribution.distribution, distribution.cv_effective)


def _retry(retry: Repeat | Redial | None, channel: str | None) -> Retry | None:
    if retry is None:
        return None
    return Retry(retry.probability, retry.delay.mean, _dist(retry.delay), channel)


def _channel(scenario: Scenario, name: str, workload: Workload) -> ChannelSpec:
    channel = scenario.channels[name]
    load = workload.channels[name]
    concurrency = channel.concurrency
    max_chats = 1 if concurrency is None else concurrency.max_chats
    speeds = (1.0,) if concurrency is None or max_chats == 1 else tuple(concurrency.speeds)
    csat = channel.csat
    return ChannelSpec(
        name=name,
        realtime=load.kind == "realtime",
        is_open=load.is_open,
        aht_s=load.aht_s,
        handle=_dist(channel.handle_time),
        patience_mean_s=None if channel.patience is None else load.patience_s,
        patience=Dist() if channel.patience is None else _dist(channel.patience),
        fcr_frac=load.fcr_frac,
        escalation_frac=None if channel.escalation is None else load.escalation_frac,
        escalation_type="operational" if channel.escalation is None else channel.escalation.type,
        max_chats=max_chats,
        speed_by_chats=speeds,
        repeat=_retry(channel.repeat, scenario.repeat_channel(name)),
        redial=_retry(channel.redial, None),
        csat=None
        if csat is None
        else CsatSpec(
            csat.base, csat.per_minute_waited, csat.unresolved, csat.escalated, csat.response_rate
        ),
    )


def _class_hires(
    scenario: Scenario, team: Team, streams: Streams
) -> tuple[list[float], list[tuple[float, float]]]:
    """Production starts of the hires who finish training, and ``(training start, leaving
    time)`` of those who drop out (module notes)."""
    joins: list[float] = []
    dropouts: list[tuple[float, float]] = []
    if team.staffing.mode != "fixed":
        return joins, dropouts
    for index, cohort in enumerate(team_cohorts(team, scenario)):
        if cohort.production_s == -math.inf:
            continue
        size = round(cohort.size)
        if cohort.dropout_frac == 0.0:
            joins += [cohort.production_s] * size
            continue
        # one stream per cohort, so a class of another size keeps the others' draws
        rng = streams.rng("dropout", f"{team.name}#{index}")
        leaves = rng.random(size) < cohort.dropout_frac
        when = cohort.employed_s + rng.random(size) * (cohort.production_s - cohort.employed_s)
        joins += [cohort.production_s] * int(size - leaves.sum())
        dropouts += [(cohort.employed_s, float(t)) for t in when[leaves]]
    return sorted(joins), dropouts


def _team(scenario: Scenario, team: Team, scheduled: np.ndarray, streams: Streams) -> TeamSpec:
    staffing = team.staffing
    hiring = team.hiring
    joins, dropouts = _class_hires(scenario, team, streams)
    curve = team.learning_curve
    nesting = team_nesting(team)
    learning = None
    if curve is not None:
        learning = Learning(curve.aht_multiplier, curve.fcr_penalty, curve.weeks_to_proficiency)
    elif nesting is not None:
        learning = Learning(nesting[0], 0.0, nesting[1])
    present = round_u = None
    if team.absence is not None:
        present, round_u = draw_absence(
            streams.rng("absence", team.name),
            scheduled,
            intervals_per_day=scenario.horizon.intervals_per_day,
            shrinkage_frac=scenario.partner.shrinkage,
            day_cv=team.absence.day_cv or 0.0,
        )
    releases = [t for t, agents in team_releases(team, scenario) for _ in range(round(agents))]
    return TeamSpec(
        name=team.name,
        channels=tuple(team.channels),
        scheduled=np.asarray(scheduled, dtype=np.float64),
        shrinkage_frac=scenario.partner.shrinkage,
        headcount=getattr(staffing, "headcount", None),
        hire_join_s=tuple(joins),
        max_headcount=None if hiring is None else hiring.max_headcount,
        attrition_per_month_frac=team.attrition_per_month,
        learning=learning,
        end_of_duty=team.end_of_duty,
        present_frac=present,
        round_u=round_u,
        dropout_s=tuple(dropouts),
        release_s=tuple(max(t, 0.0) for t in releases),
    )


def _arrivals(scenario: Scenario, workload: Workload, streams: Streams) -> dict[str, np.ndarray]:
    noise = scenario.events.forecast_error
    days = workload.day_of_interval
    arrivals = {}
    for name, load in workload.channels.items():
        bias = bias_by_day(scenario.events, name, workload.start, workload.n_days)[days]
        concerned = noise is not None and (noise.channels is None or name in noise.channels)
        day_multiplier = None
        overdispersion = 0.0
        if concerned and noise is not None:
            day_multiplier = draw_day_multipliers(
                streams.rng("day_noise", name), noise.day_cv, workload.n_days
            )[days]
            overdispersion = noise.interval_overdispersion
        arrivals[name] = arrival_times(
            np.asarray(load.expected_arrivals, np.float64) * bias,
            workload.interval_s,
            streams.rng("arrivals", name),
            day_multiplier=day_multiplier,
            interval_overdispersion=overdispersion,
        )
    return arrivals


def _seconds(scenario: Scenario, moment: dt.datetime) -> float:
    origin = dt.datetime.combine(scenario.horizon.start, dt.time())
    return (moment.replace(tzinfo=None) - origin).total_seconds()


def _outages(
    scenario: Scenario, streams: Streams, horizon_s: float
) -> tuple[tuple[str, float, float], ...]:
    rows: list[tuple[str, float, float]] = []
    every = scenario.channel_names
    for outage in scenario.outages.scheduled:
        start = max(_seconds(scenario, outage.start), 0.0)
        end = min(_seconds(scenario, outage.end), horizon_s)
        if start < end:
            rows += [(name, start, end) for name in outage.channels or every]
    seen: dict[str, int] = {}
    for failure in scenario.outages.random:
        channels = failure.channels or every
        key = ",".join(channels)
        seen[key] = seen.get(key, 0) + 1
        rng = streams.rng("outages", f"{key}#{seen[key]}")
        t = 0.0
        while True:
            t += rng.exponential(failure.mtbf)
            if t >= horizon_s:
                break
            end = t + rng.exponential(failure.mttr)
            rows += [(name, t, end) for name in channels]
            t = end
    return tuple(sorted(rows, key=lambda row: (row[1], row[0])))


def _tier2_agents(rosters: Mapping[str, np.ndarray]) -> np.ndarray:
    if TIER2_ROSTER not in rosters:
        raise InputError(
            f"tier2 agents are auto: the rosters need tier 2's planned agents under "
            f"{TIER2_ROSTER!r} (staffing.team_rosters gives them)"
        )
    return np.asarray(rosters[TIER2_ROSTER], dtype=np.int64)


def model_input(
    scenario: Scenario,
    workload: Workload,
    rosters: Mapping[str, np.ndarray],
    streams: Streams,
) -> ModelInput:
    """The :class:`~sim.specs.ModelInput` of one replication (arrivals and outages drawn)."""
    horizon_s = workload.interval_s * workload.n_intervals
    tier2 = scenario.tier2
    return ModelInput(
        interval_s=workload.interval_s,
        n_intervals=workload.n_intervals,
        channels=tuple(_channel(scenario, name, workload) for name in scenario.channel_names),
        teams=tuple(
            _team(scenario, team, rosters[team.name], streams) for team in scenario.partner.teams
        ),
        arrivals=_arrivals(scenario, workload, streams),
        tier2=None
        if tier2 is None
        else Tier2Spec(
            0 if tier2.agents == "auto" else tier2.agents,
            scenario.horizon.open_mask(tier2.hours),
            tier2.handle_time.mean,
            _dist(tier2.handle_time),
            None if tier2.agents != "auto" else _tier2_agents(rosters),
        ),
        outages=_outages(scenario, streams, horizon_s),
        outage_queue=scenario.outages.realtime_during_outage == "queue",
    )
