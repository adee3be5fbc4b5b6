"""Recording of one replication into compact columns, and the log DataFrames built at the end.

The model appends one row per finished contact to typed ``array.array`` columns (8 bytes per
float, 1 byte per code), never to a DataFrame; :meth:`ContactLog.frame` builds the contact table
of :data:`scenarios.log_tables.CONTACT_COLUMNS` once, sorted by ``contact_id`` (arrival order),
deriving the waits (business-hours waits included) vectorised from the time each contact
stopped waiting. Agent time is accumulated into per-interval lists by :func:`add_span`, and
:func:`agent_frame` and :func:`outage_frame` build the other two tables of
:mod:`scenarios.log_tables`.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scenarios.log_tables import (
    AGENT_COLUMNS,
    CONTACT_COLUMNS,
    CONTACT_TYPES,
    ESCALATION_TYPES,
    OUTAGE_COLUMNS,
    OUTCOMES,
    check_columns,
)

if TYPE_CHECKING:
    from sim.contacts import Contact
    from sim.paid_time import PaidTime

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
    """Columns of the contact log of one replication, one row per contact (see ``add``).

    Parameters
    ----------
    interval_s:
        Interval length in seconds.
    is_open:
        Open flag per interval of each channel, indexed by channel code; the business-hours
        waits count only open time.
    """

    def __init__(self, interval_s: float, is_open: Sequence[np.ndarray]) -> None:
        self.interval_s = float(interval_s)
        n = len(is_open[0]) if len(is_open) else 0
        # per channel: open seconds before interval i (i = 0..n), and open flags with a closed
        # interval n appended (the horizon end)
        self._open = np.zeros((len(is_open), n + 1), dtype=bool)
        self._open_before_s = np.zeros((len(is_open), n + 1))
        for k, flags in enumerate(is_open):
            self._open[k, :n] = flags
            open_s = np.concatenate([[0.0], np.cumsum(np.asarray(flags, dtype=float))])
            self._open_before_s[k] = open_s * self.interval_s
        self.contact_id = array("q")
        self.channel = array("h")
        self.contact_type = array("b")
        self.parent_id = array("q")
        self.arrival_s = array("d")
        self.answer_s = array("d")
        self.end_s = array("d")
        self.waited_until_s = array("d")
        self.outcome = array("b")
        self.resolved = array("b")
        self.escalation_type = array("b")
        self.agent_id = array("i")
        self.csat_score = array("d")
        self.tier2_response_s: dict[int, float] = {}

    def __len__(self) -> int:
        return len(self.contact_id)

    def add(
        self,
        contact: Contact,
        *,
        answer_s: float = _NAN,
        end_s: float = _NAN,
        waited_until_s: float = _NAN,
        outcome: int,
        resolved: bool = False,
        escalation_type: int = 0,
        agent_id: int = -1,
        csat_score: float = _NAN,
    ) -> int:
        """Append one contact (codes from ``*_CODE``); return its row for :meth:`set_tier2`.

        The contact's id, channel, type, parent and arrival come from ``contact``.
        ``waited_until_s`` is when the contact stopped waiting (answer, abandonment or horizon
        end; NaN if not offered): the frame derives ``wait_s`` and ``business_wait_s`` from it.
        """
        self.contact_id.append(contact.id)
        self.channel.append(contact.ch)
        self.contact_type.append(contact.ctype)
        self.parent_id.append(contact.parent)
        self.arrival_s.append(contact.arrival)
        self.answer_s.append(answer_s)
        self.end_s.append(end_s)
        self.waited_until_s.append(waited_until_s)
        self.outcome.append(outcome)
        self.resolved.append(resolved)
        self.escalation_type.append(escalation_type)
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

        tier2_response_s = np.full(order.size, _NAN)
        tier2_response_s[list(self.tier2_response_s)] = list(self.tier2_response_s.values())
        self.tier2_response_s = {}
        channel = column("channel", "i2")
        escalation_type = column("escalation_type", "i1")
        columns = {"replication": np.full(order.size, replication, dtype=np.int32)}
        columns["contact_id"] = column("contact_id", "i8")
        columns["channel"] = _categorical(channel, channel_names)
        columns["contact_type"] = _categorical(column("contact_type", "i1"), CONTACT_TYPES)
        columns["parent_id"] = column("parent_id", "i8")
        for name in ("arrival_s", "answer_s", "end_s"):
            columns[name] = column(name, "f8")
        waited_until_s = column("waited_until_s", "f8")
        columns["wait_s"] = waited_until_s - columns["arrival_s"]
        columns["business_wait_s"] = self._business_wait_s(
            channel, columns["arrival_s"], waited_until_s
        )
        columns["handle_s"] = columns["end_s"] - columns["answer_s"]
        columns["outcome"] = _categorical(column("outcome", "i1"), OUTCOMES)
        columns["resolved_first_contact"] = column("resolved", "i1").astype(bool)
        columns["escalated"] = escalation_type != 0
        columns["escalation_type"] = _categorical(escalation_type, ESCALATION_TYPES)
        columns["tier2_response_s"] = tier2_response_s[order]
        columns["agent_id"] = column("agent_id", "i4")
        columns["csat_score"] = column("csat_score", "f8")
        frame = pd.DataFrame(columns, copy=False)
        check_columns(frame, CONTACT_COLUMNS)
        return frame

    def _business_wait_s(
        self, channel: np.ndarray, start_s: np.ndarray, end_s: np.ndarray
    ) -> np.ndarray:
        """Open seconds of each row's channel between ``start_s`` and ``end_s`` (NaN if
        ``end_s`` is NaN)."""
        wait_s = np.full(start_s.size, _NAN)
        rows = ~np.isnan(end_s)
        channel = channel[rows]
        wait_s[rows] = self._open_s_until(channel, end_s[rows]) - self._open_s_until(
            channel, start_s[rows]
        )
        return wait_s

    def _open_s_until(self, channel: np.ndarray, t_s: np.ndarray) -> np.ndarray:
        """Open seconds of each row's channel from the horizon start to ``t_s``: the open time
        of the intervals before ``i = min(t_s // interval_s, n)``, plus ``t_s - i * interval_s``
        if interval ``i`` is open."""
        n = self._open.shape[1] - 1
        i = np.minimum(np.floor_divide(t_s, self.interval_s), n).astype(np.int64)
        before_s = self._open_before_s[channel, i]
        return np.where(self._open[channel, i], before_s + (t_s - i * self.interval_s), before_s)


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
    usage: Sequence[tuple[str, Sequence[str], np.ndarray, np.ndarray, np.ndarray]],
    paid: Sequence[PaidTime] | None = None,
) -> pd.DataFrame:
    """The agent table of ``AGENT_COLUMNS``.

    Parameters
    ----------
    usage:
        Per team ``(team, channels, staffed, busy, overtime)``: ``staffed`` agent-seconds on
        duty per interval (shape ``(n,)``), ``busy`` agent-seconds with a contact of each
        channel and ``overtime`` agent-seconds after the end of duty finishing a contact of
        each channel (both shape ``(len(channels), n)``). The team's staffed time is split
        across its channels in proportion to busy time, equally in intervals without busy
        time.
    paid:
        Per team, in the order of ``usage``, its ``sim.paid_time.PaidTime`` (paid roster and
        training agent-seconds and hires per interval), split across its channels like the
        staffed time; None writes zeros.
    """
    teams, channels, rows = [], [], []
    for index, (team, team_channels, staffed, busy, overtime) in enumerate(usage):
        total_busy = busy.sum(axis=0)
        equal = np.full(busy.shape, 1.0 / len(team_channels))
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total_busy > 0.0, busy / total_busy, equal)
        zeros = np.zeros(staffed.shape)
        own = paid[index] if paid is not None else None
        extra = (zeros, zeros, zeros) if own is None else (own.paid_s, own.training_s, own.hires)
        for k, channel in enumerate(team_channels):
            teams.append(team)
            channels.append(channel)
            rows.append(
                (
                    staffed * share[k],
                    busy[k],
                    overtime[k],
                    *(column * share[k] for column in extra),
                )
            )
    n = rows[0][0].size if rows else 0
    team_names = list(dict.fromkeys(teams))
    channel_names = list(dict.fromkeys(channels))

    def joined(column: int) -> np.ndarray:
        return np.concatenate([r[column] for r in rows]) if rows else np.zeros(0)

    frame = pd.DataFrame(
        {
            "replication": np.full(n * len(rows), replication, dtype=np.int32),
            "interval": np.tile(np.arange(n, dtype=np.int32), len(rows)),
            "interval_start_s": np.tile(np.arange(n, dtype=np.float64) * interval_s, len(rows)),
            "team": pd.Categorical(np.repeat(teams, n), categories=team_names),
            "channel": pd.Categorical(np.repeat(channels, n), categories=channel_names),
            "staffed_agent_s": joined(0),
            "busy_agent_s": joined(1),
            "overtime_agent_s": joined(2),
            "paid_agent_s": joined(3),
            "training_agent_s": joined(4),
            "hires": joined(5),
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
