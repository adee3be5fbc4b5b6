"""What happened, in the simulation's own log tables, so that ``sla_eval`` measures the
observed and the simulated days with the same KPI definitions.

:func:`observed_contacts` turns the contacts of a :class:`~calibrate.reader.ContactLog` that
arrive in a scenario's horizon into a contact table of :data:`scenarios.log_tables.
CONTACT_COLUMNS` (replication 0, seconds from the horizon start): a customer's return is a
``repeat`` (after an answered contact) or ``redial`` (after an abandoned one) linked by
``parent_id``; set-aside rows are ``not_offered``; a contact still waiting at the horizon end
is ``unfinished``, as the simulation marks it; tier 2 means escalated. Business-hours waits
count the channel's open intervals only: the open seconds up to a moment are a piecewise
linear function of it, evaluated with :func:`numpy.interp`.

:func:`observed_agents` gives the agent table of :data:`scenarios.log_tables.AGENT_COLUMNS` from
the staffing (agents taking contacts per interval) and the busy agent-seconds of each channel,
through :func:`sim.log.agent_frame`, which splits a team's staffed time over its channels as
the simulation does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from calibrate.grid import SECONDS_PER_DAY, answer_s
from calibrate.reader import ContactLog
from calibrate.retry import Linkage
from calibrate.staffing_log import Staffing, busy_seconds
from scenarios.log_tables import CONTACT_COLUMNS, check_columns
from sim.log import agent_frame

__all__ = ["observed_agents", "observed_contacts"]


def _open_seconds_until(open_mask: np.ndarray, interval_s: float, t_s: np.ndarray) -> np.ndarray:
    bounds = np.arange(open_mask.size + 1) * interval_s
    cumulative = np.r_[0.0, np.cumsum(open_mask * interval_s)]
    return np.interp(t_s, bounds, cumulative)


def _horizon_offset_s(log: ContactLog, scenario) -> float:
    return (scenario.horizon.start - log.start).days * SECONDS_PER_DAY


def observed_contacts(log: ContactLog, scenario, linkage: Linkage | None) -> pd.DataFrame:
    """The log's contacts arriving in ``scenario``'s horizon as a ``CONTACT_COLUMNS`` table."""
    horizon = scenario.horizon
    offset = _horizon_offset_s(log, scenario)
    end = horizon.horizon_s
    contacts = log.contacts
    arrival_all = contacts["arrival_s"].to_numpy() - offset
    inside = np.flatnonzero((arrival_all >= 0) & (arrival_all < end))
    rows = contacts.iloc[inside]
    n = inside.size
    arrival = arrival_all[inside]
    outcome = rows["outcome"].astype(str).to_numpy()
    stop = answer_s(rows) - offset
    answered = outcome == "answered"
    unfinished = (outcome != "other") & (stop >= end)
    offered = outcome != "other"
    new_outcome = np.where(~offered, "not_offered", np.where(unfinished, "unfinished", outcome))
    answered &= ~unfinished
    abandoned = (outcome == "abandoned") & ~unfinished
    wait_until = np.where(unfinished, end, np.where(offered, stop, np.nan))
    answer = np.where(answered, stop, np.nan)
    end_s = np.where(answered | abandoned, rows["end_s"].to_numpy() - offset, np.nan)
    parent_id = np.full(n, -1, dtype=np.int64)
    contact_type = np.full(n, "first", dtype=object)
    if linkage is not None:
        position = np.full(len(contacts), -1, dtype=np.int64)
        position[inside] = np.arange(n)
        parent_rows = np.flatnonzero(linkage.next_row >= 0)
        child_rows = linkage.next_row[parent_rows]
        keep = linkage.is_child[child_rows] & (position[child_rows] >= 0)
        parent_rows, child_rows = parent_rows[keep], child_rows[keep]
        parent_outcome = contacts["outcome"].to_numpy()[parent_rows]
        parent_id[position[child_rows]] = position[parent_rows]
        contact_type[position[child_rows]] = np.where(
            parent_outcome == "abandoned", "redial", "repeat"
        )
    channel = rows["channel"].astype(str).to_numpy()
    business_wait = np.full(n, np.nan)
    for name, spec in scenario.channels.items():
        mine = (channel == name) & ~np.isnan(wait_until)
        mask = horizon.open_mask(spec.hours).astype(float)
        upto = _open_seconds_until(mask, horizon.interval_s, np.r_[arrival[mine], wait_until[mine]])
        business_wait[mine] = upto[mine.sum() :] - upto[: mine.sum()]
    escalated = (rows["tier"].to_numpy() == 2) & answered
    frame = pd.DataFrame(
        {
            "replication": np.zeros(n, dtype=np.int32),
            "contact_id": np.arange(n, dtype=np.int64),
            "channel": pd.Categorical(channel, categories=list(scenario.channel_names)),
            "contact_type": pd.Categorical(contact_type, categories=["first", "repeat", "redial"]),
            "parent_id": parent_id,
            "arrival_s": arrival,
            "answer_s": answer,
            "end_s": end_s,
            "wait_s": wait_until - arrival,
            "business_wait_s": business_wait,
            "handle_s": end_s - answer,
            "outcome": pd.Categorical(
                new_outcome, categories=["answered", "abandoned", "not_offered", "unfinished"]
            ),
            "resolved_first_contact": np.zeros(n, dtype=bool),
            "escalated": escalated,
            "escalation_type": pd.Categorical(
                np.where(escalated, "operational", "none"),
                categories=["none", "operational", "strategic"],
            ),
            "tier2_response_s": np.full(n, np.nan),
            "agent_id": np.where(answered, rows["agent"].to_numpy(), -1).astype(np.int32),
            "csat_score": np.full(n, np.nan),
        }
    )
    check_columns(frame, CONTACT_COLUMNS)
    return frame


def observed_agents(log: ContactLog, scenario, staffing: Staffing) -> pd.DataFrame:
    """The agent table of the scenario's horizon: staffed time from ``staffing`` (whose
    arrays run over the log's days), busy time from the log's answered contacts."""
    horizon = scenario.horizon
    interval_s = horizon.interval_s
    n = horizon.n_intervals
    first = round(_horizon_offset_s(log, scenario) / interval_s)
    n_log = round(log.n_days * SECONDS_PER_DAY / interval_s)
    answered = log.contacts[log.contacts["outcome"] == "answered"]
    usage = []
    for team in staffing.teams:
        staffed = team.agents[first : first + n].astype(np.float64) * interval_s
        busy = np.array(
            [
                busy_seconds(answered[answered["channel"] == c], n_log, interval_s)[
                    first : first + n
                ]
                for c in team.channels
            ]
        )
        # a history has no end of duty: no overtime is known
        usage.append((team.name, team.channels, staffed, busy, np.zeros_like(busy)))
    return agent_frame(0, interval_s, usage)
