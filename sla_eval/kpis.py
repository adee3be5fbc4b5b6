"""The long KPI table: every KPI per replication, period kind, period and channel.

:func:`kpi_table` reads the contact log, and optionally the agent and outage logs
(``scenarios.log_tables``), and returns one tidy table (columns :data:`KPI_COLUMNS`):

==================  ==============  ============================================================
column              dtype           meaning
==================  ==============  ============================================================
``replication``     int32           replication index
``period_kind``     category        ``interval``, ``day``, ``week``, ``month``, ``quarter``,
                                    ``horizon`` (see :mod:`sla_eval.periods`)
``period``          int32           period index of that kind from the horizon start
``period_start``    datetime64[ns]  first moment of the period inside the horizon (local time)
``channel``         category        channel name, or ``all`` for the channels pooled
``kpi``             category        KPI name (below and :mod:`sla_eval.kpi_names`)
``value``           float64         the KPI; NaN where its denominator is 0 in the period
==================  ==============  ============================================================

Tables of replications computed one at a time share their categories (same channels and
settings) and join with :func:`pandas.concat`.

Only contacts that arrive after the warm-up count, each in the period of its arrival.
"Offered" contacts are answered, abandoned or unfinished (still waiting at the horizon end);
``not_offered`` contacts (channel closed or down) count only in ``not_offered`` and
``first_contacts``. An unfinished contact whose wait is still within a threshold has an unknown
outcome and is left out of that threshold's denominator; one already past it is a miss. KPIs
and where they appear (RT real-time channels, DF deferrable channels, every: every channel and
the pooled ``all`` row, whose ratios pool numerators and denominators over the channels):

===========================================  ========  ====================================  ======
kpi                                          channels  definition                            NaN if
===========================================  ========  ====================================  ======
``offered``, ``answered``, ``not_offered``   every     counts of arriving contacts           never
``first_contacts``                           every     arrivals of type ``first`` (any       never
                                                       outcome): the volume a forecast is of
``abandoned``                                RT        abandoned contacts                    never
``abandon_frac`` (+ ``_sa…``)                RT        abandoned / offered                   a
``service_level`` and ``service_level_*``    RT        see :mod:`sla_eval.kpi_names`; plain      a
                                                       name: the channel's service target
``p_wait``                                   RT        offered with wait > 0 / offered       a
``asa_s``                                    RT        mean wait of the answered             b
``max_wait_s``                               RT        longest wait of the offered           a
``response_within_target_frac`` (+ ``_…``)   DF        answered within t / received          a
``mean_response_s``                          DF        mean response time of the answered    b
``p90_response_s``                           DF        90th percentile of the same (linear   b
                                                       interpolation)
``backlog_end``                              DF, all   waiting contacts at the period end    never
``fcr_frac``                                 every     felt FCR: no repeat within the        c
                                                       channel's window (:mod:`sla_eval.fcr`)
``agent_fcr_frac``                           every     resolved by the agent (the log's      b
                                                       ``resolved_first_contact``) / answered
``escalation_frac``                          every     escalated / answered                  b
``complaint_frac``                           every     escalated of type ``strategic`` /     b
                                                       answered
``escalation_response_within_target_frac``   every     tier 2 picked up within the target    d
                                                       of the escalation type / escalated
``aht_s``                                    every     mean handle time of the answered      b
``csat``                                     every     mean score of the answered who        e
                                                       responded to the survey
``csat_response_frac``                       every     answered with a score / answered      b
``csat_top_box_frac``                        every     scores of 4-5 (>= 3.5, the score      e
                                                       rounded) / scored
``csat_negative_frac``                       every     scores of 1-2 (< 2.5) / scored        e
``staffed_agent_hours``                      every     agent hours on duty after shrinkage   never
                                                       (agent log): production hours
``paid_agent_hours``                         every     agent hours paid on the roster,       never
                                                       shrinkage included (``sim.paid_time``)
``training_agent_hours``                     every     paid hours of hires in training       never
``hires``                                    every     hires starting training               never
``staff_availability_frac``                  teams     staffed hours of the channel's team   h
                                                       / its contracted hours
``occupancy_frac``                           every     busy / staffed agent time             f
``overtime_agent_s``                         every     agent-seconds after the end of duty   never
                                                       finishing contacts (agent log; part
                                                       of the staffed time)
``uptime_frac``                              every     1 - down / measured time (outage      g
                                                       log; :mod:`sla_eval.timeline`)
===========================================  ========  ====================================  ======

Threshold KPIs appear only for the channels measured against that threshold.
NaN when: a no offered contact in the period (for threshold KPIs: none judged), b none
answered, c no answered contact with its whole repeat window in the horizon, d no escalation
judged (an escalation not yet picked up at the horizon end is a miss once its target has passed,
unknown before), e no survey response, f no staffed time, g no measured time (channel closed
through the period), h no measured time. The agent hours, hires, ``occupancy_frac``,
``overtime_agent_s`` and ``staff_availability_frac`` appear only with an agent log (the agent
hours, overtime and hires of a team split over its channels like its staffed time; ``all`` sums
them), ``staff_availability_frac`` only on the channels of a team with a contracted FTE
(``KpiChannel.contracted_agents``; for ``all`` the teams with one pooled), ``uptime_frac`` only
with an outage log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scenarios.errors import InputError
from scenarios.log_tables import (
    AGENT_COLUMNS,
    CONTACT_COLUMNS,
    OUTAGE_COLUMNS,
    check_columns,
    empty_frame,
)
from sla_eval._codes import replication_positions
from sla_eval._contact_kpis import ContactKpis
from sla_eval._kpi_frame import kpi_frame
from sla_eval.fcr import DEFAULT_FCR_WINDOW_S
from sla_eval.kpi_names import SL_DEFINITIONS, Threshold
from sla_eval.period_cells import ALL_CHANNELS, Layout, kind_periods, ratio
from sla_eval.periods import PERIOD_KINDS
from sla_eval.timeline import agent_sums, uptime_parts_s

__all__ = [
    "CHANNEL_KINDS",
    "DEFAULT_ESCALATION_TARGETS_S",
    "KPI_COLUMNS",
    "KpiChannel",
    "kpi_table",
]

KPI_COLUMNS: Mapping[str, str] = {
    "replication": "int32",
    "period_kind": "category",
    "period": "int32",
    "period_start": "datetime64[ns]",
    "channel": "category",
    "kpi": "category",
    "value": "float64",
}

CHANNEL_KINDS = ("realtime", "deferrable")
DEFAULT_ESCALATION_TARGETS_S: Mapping[str, float] = {
    "operational": 4 * 3600.0,
    "strategic": 24 * 3600.0,
}
_SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True, eq=False)
class KpiChannel:
    """What a channel is measured against.

    Attributes
    ----------
    kind:
        ``realtime`` or ``deferrable``.
    target:
        The channel's own service target (gives the plain ``service_level`` or
        ``response_within_target_frac``), or None.
    sl_definition:
        Definition of the plain ``service_level`` (one of ``SL_DEFINITIONS``).
    thresholds:
        Further thresholds (from contract clauses), each giving named KPIs.
    short_abandons_s:
        Further short-abandon limits for ``abandon_frac_sa…`` (besides those of the thresholds).
    open_intervals:
        Boolean array over the horizon's intervals, True when the channel is open; uptime is then
        measured in opening hours only. None measures every second.
    fcr_window_s:
        Repeat window of the felt FCR of contacts handled on the channel; None: the default of
        :func:`kpi_table`.
    team, contracted_agents:
        The team serving the channel and the agents it contracted to have on duty on average
        (contracted FTE x paid hours per FTE / calendar hours), for ``staff_availability_frac``;
        None without a contract.
    """

    kind: str
    target: Threshold | None = None
    sl_definition: str = "offered"
    thresholds: tuple[Threshold, ...] = ()
    short_abandons_s: tuple[float, ...] = ()
    open_intervals: np.ndarray | None = None
    fcr_window_s: float | None = None
    team: str | None = None
    contracted_agents: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in CHANNEL_KINDS:
            raise InputError(f"channel kind must be realtime or deferrable (got {self.kind!r})")
        if self.sl_definition not in SL_DEFINITIONS:
            raise InputError(
                f"sl_definition must be one of {', '.join(SL_DEFINITIONS)} "
                f"(got {self.sl_definition!r})"
            )

    def all_thresholds(self) -> tuple[Threshold, ...]:
        """The target (if any) and the further thresholds, without repeats."""
        both = ((self.target,) if self.target is not None else ()) + self.thresholds
        return tuple(dict.fromkeys(both))

    def all_short_abandons_s(self) -> tuple[float, ...]:
        """Every positive short-abandon limit the channel is measured with."""
        limits = [t.short_abandon_s for t in self.all_thresholds()] + list(self.short_abandons_s)
        return tuple(dict.fromkeys(a for a in limits if a > 0))


def _checked(frame: pd.DataFrame, columns: Mapping[str, str], what: str) -> pd.DataFrame:
    try:
        check_columns(frame, columns)
    except TypeError as error:
        raise InputError(f"the {what} does not match its schema: {error}") from None
    return frame


def _channel_codes(frame: pd.DataFrame, names: tuple[str, ...], what: str) -> np.ndarray:
    channel = frame["channel"]
    # the position of each category in names, and -1 (missing) for the code -1
    known = np.append(pd.Index(names).get_indexer(channel.cat.categories), -1)
    codes = known[channel.cat.codes.to_numpy()].astype(np.int64)
    if (codes < 0).any():
        unknown = sorted(set(channel[codes < 0].astype(str)))
        raise InputError(f"the {what} has channels without a KpiChannel: {unknown}")
    return codes


_AGENT_COLUMNS = (
    "staffed_agent_s",
    "busy_agent_s",
    "overtime_agent_s",
    "paid_agent_s",
    "training_agent_s",
    "hires",
)


def _availability(
    staffed: np.ndarray, layout: Layout, channels: Mapping[str, KpiChannel], warmup_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Staff availability: productive staffed seconds of each channel's team over the team's
    contracted agent-seconds of the period; ``all`` pools the teams with a contract."""
    specs = list(channels.values())
    measured_s = layout.end_s - np.maximum(layout.start_s, warmup_s)
    teams = {spec.team: spec.contracted_agents for spec in specs if spec.contracted_agents}
    numerator = np.zeros(layout.shape)
    denominator = np.zeros(layout.shape)
    by_team = {
        team: sum(staffed[..., c] for c, spec in enumerate(specs) if spec.team == team)
        for team in teams
    }
    for c, spec in enumerate(specs):
        if spec.team in teams:
            numerator[..., c] = by_team[spec.team]
            denominator[..., c] = teams[spec.team] * measured_s[None, :]
    numerator[..., -1] = sum(by_team.values())
    denominator[..., -1] = sum(teams.values()) * measured_s[None, :]
    slots = np.array([spec.team in teams for spec in specs] + [bool(teams)])
    return ratio(numerator, denominator), slots


def _timeline_kpis(
    layout: Layout,
    agents: pd.DataFrame | None,
    agent_codes: np.ndarray | None,
    outages: pd.DataFrame | None,
    channels: Mapping[str, KpiChannel],
    horizon_s: float,
    warmup_s: float,
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    every = np.ones(layout.shape[2], bool)
    items = []
    if agents is not None:
        assert agent_codes is not None, "coded with the agent log"
        staffed, busy, overtime, paid, training, hires = agent_sums(
            agents, layout, agent_codes, warmup_s, _AGENT_COLUMNS
        )
        items.append(("staffed_agent_hours", staffed / _SECONDS_PER_HOUR, every))
        items.append(("occupancy_frac", ratio(busy, staffed), every))
        items.append(("overtime_agent_s", overtime, every))
        items.append(("paid_agent_hours", paid / _SECONDS_PER_HOUR, every))
        items.append(("training_agent_hours", training / _SECONDS_PER_HOUR, every))
        items.append(("hires", hires, every))
        availability, slots = _availability(staffed, layout, channels, warmup_s)
        if slots.any():
            items.append(("staff_availability_frac", availability, slots))
    if outages is not None:
        opening = {name: spec.open_intervals for name, spec in channels.items()}
        down, measured = uptime_parts_s(
            outages, layout, horizon_s=horizon_s, warmup_s=warmup_s, open_intervals=opening
        )
        items.append(("uptime_frac", 1.0 - ratio(down, measured), every))
    return items


def kpi_table(
    contacts: pd.DataFrame,
    *,
    channels: Mapping[str, KpiChannel],
    start: dt.date,
    interval_s: float,
    horizon_s: float,
    warmup_s: float = 0.0,
    agents: pd.DataFrame | None = None,
    outages: pd.DataFrame | None = None,
    period_kinds: Sequence[str] = PERIOD_KINDS,
    fcr_window_s: float = DEFAULT_FCR_WINDOW_S,
    escalation_targets_s: Mapping[str, float] = DEFAULT_ESCALATION_TARGETS_S,
    escalation_thresholds_s: Sequence[float] = (),
    interval_kpis: Collection[str] | None = None,
) -> pd.DataFrame:
    """Compute the long KPI table (see the module docstring for every KPI and column).

    Parameters
    ----------
    contacts:
        Contact log (``CONTACT_COLUMNS``), one or more replications.
    channels:
        Channel name -> :class:`KpiChannel`, in the scenario's order; no channel may be
        called ``all``.
    start, interval_s, horizon_s:
        Horizon start date, interval length and horizon length in seconds.
    warmup_s:
        Contacts arriving before this are not measured; periods ending inside it are dropped.
    agents, outages:
        Agent log (``AGENT_COLUMNS``) for occupancy and staffed hours, outage log
        (``OUTAGE_COLUMNS``) for uptime; None leaves those KPIs out.
    period_kinds:
        Which period kinds to compute.
    fcr_window_s:
        Repeat window of the felt FCR on channels without their own (default 7 days).
    escalation_targets_s:
        Tier-2 response target per escalation type (``operational``, ``strategic``).
    escalation_thresholds_s:
        Further tier-2 response thresholds (contract clauses), each giving a named KPI.
    interval_kpis:
        The KPIs the ``interval`` kind keeps (None: every KPI); the rows of the other kinds
        and the table's KPI categories are the same either way, so the table equals the full
        table without the interval rows of the other KPIs.
    """
    names = tuple(channels)
    if ALL_CHANNELS in names:
        raise InputError(f"a channel may not be called {ALL_CHANNELS!r}: it names the pooled row")
    n_intervals = round(horizon_s / interval_s)
    for name, spec in channels.items():
        if spec.open_intervals is not None and len(spec.open_intervals) != n_intervals:
            raise InputError(
                f"channel {name!r}: open_intervals must have one entry per interval of the "
                f"horizon ({n_intervals}) (got {len(spec.open_intervals)})"
            )
    _checked(contacts, CONTACT_COLUMNS, "contact log")
    contact_codes = _channel_codes(contacts, names, "contact log")
    agent_codes = None
    replications = [contacts["replication"].to_numpy(np.int64)]
    if agents is not None:
        agent_codes = _channel_codes(
            _checked(agents, AGENT_COLUMNS, "agent log"), names, "agent log"
        )
        replications.append(agents["replication"].to_numpy(np.int64))
    if outages is not None:
        _channel_codes(_checked(outages, OUTAGE_COLUMNS, "outage log"), names, "outage log")
        replications.append(outages["replication"].to_numpy(np.int64))
    reps, _ = replication_positions(np.concatenate(replications))
    measure = ContactKpis(
        contacts,
        contact_codes,
        channels,
        horizon_s=horizon_s,
        warmup_s=warmup_s,
        fcr_window_s=fcr_window_s,
        escalation_targets_s=escalation_targets_s,
        escalation_thresholds_s=escalation_thresholds_s,
    )
    if not period_kinds:
        return empty_frame(KPI_COLUMNS)
    layout = Layout(
        reps,
        [kind_periods(start, kind, interval_s, horizon_s, warmup_s) for kind in period_kinds],
        names,
    )
    items = measure(layout)
    items += _timeline_kpis(layout, agents, agent_codes, outages, channels, horizon_s, warmup_s)
    return kpi_frame(layout, items, interval_kpis)
