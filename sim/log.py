"""Recording of one replication into compact columns, and the log DataFrames built at the end.

The model appends one row per finished contact to typed ``array.array`` columns (8 bytes per
float, 1 byte per code), never to a DataFrame; :meth:`ContactLog.frame` builds the contact table
of :data:`scenarios.records.CONTACT_COLUMNS` once, sorted by ``contact_id`` (arrival order).
Agent time is accumulated into per-interval numpy arrays by :func:`add_span`, and
:func:`agent_frame` and :func:`outage_frame` build the other two tables of
:mod:`scenarios.records`.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence

import numpy as np
import pandas as pd

from scenarios.records import (
    AGENT_COLUMNS,
    CONTACT_COLUMNS,
    CONTACT_TYPES,
    ESCALATION_TYPES,
    OUTAGE_COLUMNS,
    OUTCOMES,
    check_columns,
)

__all__ = [
    "CONTACT_TYPE_CODE",
    "ESCALATION_CODE",
    "OUTCOME_CODE",
    "ContactLog",
    "add_span",
    "agent_frame",
    "outage_frame",
]

OUTCOME_CODE = {name: code for code, name in enumerate(OUTCOMES)}
CONTACT_TYPE_CODE = {name: code for code, name in enumerate(CONTACT_TYPES)}
ESCALATION_CODE = {name: code for code, name in enumerate(ESCALATION_TYPES)}
_NAN = math.nan


class ContactLog:
    """Columns of the contact log of one replication, one row per contact (see ``add``)."""

    def __init__(self) -> None:
        self.contact_id = array("q")
        self.channel = array("h")
        self.contact_type = array("b")
        self.parent_id = array("q")
        self.arrival_s = array("d")
        self.answer_s = array("d")
        self.end_s = array("d")
        self.wait_s = array("d")
        self.business_wait_s = array("d")
        self.outcome = array("b")
        self.resolved = array("b")
        self.escalated = array("b")
        self.escalation_type = array("b")
        self.tier2_response_s = array("d")
        self.agent_id = array("i")
        self.csat_score = array("d")

    def __len__(self) -> int:
        return len(self.contact_id)

    def add(
        self,
        contact_id: int,
        channel: int,
        contact_type: int,
        parent_id: int,
        arrival_s: float,
        answer_s: float,
        end_s: float,
        wait_s: float,
        business_wait_s: float,
        outcome: int,
        resolved: bool = False,
        escalation_type: int = 0,
        agent_id: int = -1,
        csat_score: float = _NAN,
    ) -> int:
        """Append one contact (codes from ``*_CODE``); return its row for :meth:`set_tier2`."""
        self.contact_id.append(contact_id)
        self.channel.append(channel)
        self.contact_type.append(contact_type)
        self.parent_id.append(parent_id)
        self.arrival_s.append(arrival_s)
        self.answer_s.append(answer_s)
        self.end_s.append(end_s)
        self.wait_s.append(wait_s)
        self.business_wait_s.append(business_wait_s)
        self.outcome.append(outcome)
        self.resolved.append(resolved)
        self.escalated.append(escalation_type != 0)
        self.escalation_type.append(escalation_type)
        self.tier2_response_s.append(_NAN)
        self.agent_id.append(agent_id)
        self.csat_score.append(csat_score)
        return len(self.contact_id) - 1

    def set_tier2(self, row: int, response_s: float) -> None:
        """Record the tier-2 response time of the escalated contact in ``row``."""
        self.tier2_response_s[row] = response_s

    def frame(self, replication: int, channel_names: Sequence[str]) -> pd.DataFrame:
        """The contact table of ``CONTACT_COLUMNS``, sorted by ``contact_id``.

        Consumes the log: each column's buffer is released once converted, so the peak memory
        stays near one copy of the table.
        """
        order = np.argsort(np.frombuffer(self.contact_id, dtype=np.int64), kind="stable")

        def column(name: str, dtype: str) -> np.ndarray:
            values = np.frombuffer(getattr(self, name), dtype=dtype)[order]
            setattr(self, name, array(getattr(self, name).typecode))
            return values

        def categories(name: str, dtype: str, names: Sequence[str]) -> pd.Categorical:
            return _categorical(column(name, dtype), names)

        columns = {"replication": np.full(order.size, replication, dtype=np.int32)}
        columns["contact_id"] = column("contact_id", "i8")
        columns["channel"] = categories("channel", "i2", channel_names)
        columns["contact_type"] = categories("contact_type", "i1", CONTACT_TYPES)
        columns["parent_id"] = column("parent_id", "i8")
        for name in ("arrival_s", "answer_s", "end_s", "wait_s", "business_wait_s"):
            columns[name] = column(name, "f8")
        columns["handle_s"] = columns["end_s"] - columns["answer_s"]
        columns["outcome"] = categories("outcome", "i1", OUTCOMES)
        columns["resolved_first_contact"] = column("resolved", "i1").astype(bool)
        columns["escalated"] = column("escalated", "i1").astype(bool)
        columns["escalation_type"] = categories("escalation_type", "i1", ESCALATION_TYPES)
        columns["tier2_response_s"] = column("tier2_response_s", "f8")
        columns["agent_id"] = column("agent_id", "i4")
        columns["csat_score"] = column("csat_score", "f8")
        frame = pd.DataFrame(columns, copy=False)
        check_columns(frame, CONTACT_COLUMNS)
        return frame


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int8), categories=list(categories))


def add_span(
    values: list[float] | np.ndarray, start_s: float, end_s: float, interval_s: float
) -> None:
    """Add the time ``[start_s, end_s)`` to ``values[i]``, split over the intervals it covers.

    Time beyond the last interval (the drain after the horizon end) is not counted.
    """
    n = len(values)
    i = int(start_s // interval_s)
    while start_s < end_s and i < n:
        stop = min(end_s, (i + 1) * interval_s)
        values[i] += stop - start_s
        start_s = stop
        i += 1


def agent_frame(
    replication: int,
    interval_s: float,
    usage: Sequence[tuple[str, Sequence[str], np.ndarray, np.ndarray]],
) -> pd.DataFrame:
    """The agent table of ``AGENT_COLUMNS``.

    Parameters
    ----------
    usage:
        Per team ``(team, channels, staffed, busy)``: ``staffed`` agent-seconds on duty per
        interval (shape ``(n,)``) and ``busy`` agent-seconds with a contact of each channel
        (shape ``(len(channels), n)``). The team's staffed time is split across its channels
        in proportion to busy time, equally in intervals without busy time.
    """
    teams, channels, rows = [], [], []
    for team, team_channels, staffed, busy in usage:
        total_busy = busy.sum(axis=0)
        equal = np.full(busy.shape, 1.0 / len(team_channels))
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total_busy > 0.0, busy / total_busy, equal)
        for k, channel in enumerate(team_channels):
            teams.append(team)
            channels.append(channel)
            rows.append((staffed * share[k], busy[k]))
    n = rows[0][0].size if rows else 0
    team_names = list(dict.fromkeys(teams))
    channel_names = list(dict.fromkeys(channels))
    frame = pd.DataFrame(
        {
            "replication": np.full(n * len(rows), replication, dtype=np.int32),
            "interval": np.tile(np.arange(n, dtype=np.int32), len(rows)),
            "interval_start_s": np.tile(np.arange(n, dtype=np.float64) * interval_s, len(rows)),
            "team": pd.Categorical(np.repeat(teams, n), categories=team_names),
            "channel": pd.Categorical(np.repeat(channels, n), categories=channel_names),
            "staffed_agent_s": np.concatenate([r[0] for r in rows]) if rows else [],
            "busy_agent_s": np.concatenate([r[1] for r in rows]) if rows else [],
        }
    )
    frame = frame.astype(dict(AGENT_COLUMNS))
    check_columns(frame, AGENT_COLUMNS)
    return frame


def outage_frame(
    replication: int, outages: Sequence[tuple[str, float, float]], channel_names: Sequence[str]
) -> pd.DataFrame:
    """The outage table of ``OUTAGE_COLUMNS`` from ``(channel, start_s, end_s)`` rows."""
    frame = pd.DataFrame(
        {
            "replication": np.full(len(outages), replication, dtype=np.int32),
            "channel": pd.Categorical([o[0] for o in outages], categories=list(channel_names)),
            "start_s": np.array([o[1] for o in outages], dtype=np.float64),
            "end_s": np.array([o[2] for o in outages], dtype=np.float64),
        }
    )
    check_columns(frame, OUTAGE_COLUMNS)
    return frame
