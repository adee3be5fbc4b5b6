"""Schemas of the tables the simulation writes and SLA evaluation reads.

The simulation (``sim``) produces these tables for each replication; ``sla_eval`` reads them
without importing the simulation. Each table has one ``*_COLUMNS`` mapping from column name to
pandas dtype, and :func:`check_columns` verifies a DataFrame against it.

Contact log (``CONTACT_COLUMNS``), one row per contact that arrived in the horizon
==============================  ==========  ======================================================
column                          dtype       meaning
==============================  ==========  ======================================================
``replication``                 int32       replication index r (0-based)
``contact_id``                  int64       unique within a replication
``channel``                     category    channel name from the scenario
``contact_type``                category    ``first``, ``repeat`` (unresolved contact back) or
                                            ``redial`` (abandoned caller trying again)
``parent_id``                   int64       ``contact_id`` of the contact this one repeats or
                                            redials; -1 for a first contact
``arrival_s``                   float64     arrival, seconds from the horizon start (for deferrable
                                            channels the moment the customer sent it)
``answer_s``                    float64     first response by an agent; NaN if never answered
``end_s``                       float64     end of handling for answered contacts, moment of
                                            abandonment for abandoned ones; NaN otherwise
``wait_s``                      float64     ``answer_s - arrival_s`` (answered), time to abandon
                                            (abandoned), time waited until the horizon end
                                            (unfinished); NaN for not offered
``business_wait_s``             float64     ``wait_s`` counted only inside the channel's opening
                                            hours (response time in business hours)
``handle_s``                    float64     handling time ``end_s - answer_s``; NaN if not answered
``outcome``                     category    ``answered``, ``abandoned``, ``not_offered`` (arrived
                                            while the channel was closed or down), ``unfinished``
                                            (still waiting at the horizon end)
``resolved_first_contact``      bool        the agent resolved it (drawn with the FCR probability);
                                            False unless answered
``escalated``                   bool        passed to tier 2
``escalation_type``             category    ``operational``, ``strategic`` or ``none``
``tier2_response_s``            float64     from the end of handling to tier 2 picking it up; NaN if
                                            not escalated or not picked up by the horizon end
``agent_id``                    int32       agent who answered; -1 if none
``csat_score``                  float64     survey score in [1, 5]; NaN when the customer was not
                                            surveyed or did not respond
==============================  ==========  ======================================================

Agent log (``AGENT_COLUMNS``), one row per replication, interval, team and channel the team serves
==============================  ==========  ======================================================
``replication``                 int32       replication index
``interval``                    int32       interval index from the horizon start
``interval_start_s``            float64     start of the interval, seconds from the horizon start
``team``                        category    team (or blended pool) name
``channel``                     category    a channel the team serves
``staffed_agent_s``             float64     agent-seconds on duty in the interval, split across the
                                            team's channels in proportion to busy time (equally
                                            when idle), so the sum over channels is the team's total
``busy_agent_s``                float64     agent-seconds spent with at least one contact of the
                                            channel (a chat agent with two chats counts once)
``overtime_agent_s``            float64     of the staffed time, agent-seconds after the end of
                                            duty finishing contacts of the channel
                                            (``end_of_duty: finish_contact``)
``paid_agent_s``                float64     agent-seconds the partner pays on the roster: scheduled
                                            agents before shrinkage, scaled with the headcount
                                            (``sim.paid_time``); split like ``staffed_agent_s``
``training_agent_s``            float64     paid agent-seconds of hires in training (not on duty)
``hires``                       float64     hires starting training in the interval (split across
                                            the team's channels like the time)
==============================  ==========  ======================================================

Outage log (``OUTAGE_COLUMNS``), one row per outage of a channel
==============================  ==========  ======================================================
``replication``                 int32       replication index
``channel``                     category    channel that was down
``start_s``                     float64     start, seconds from the horizon start
``end_s``                       float64     end (clipped to the horizon end)
==============================  ==========  ======================================================
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = [
    "AGENT_COLUMNS",
    "CONTACT_COLUMNS",
    "CONTACT_TYPES",
    "ESCALATION_TYPES",
    "OUTAGE_COLUMNS",
    "OUTCOMES",
    "check_columns",
    "empty_frame",
]

OUTCOMES = ("answered", "abandoned", "not_offered", "unfinished")
CONTACT_TYPES = ("first", "repeat", "redial")
ESCALATION_TYPES = ("none", "operational", "strategic")

CONTACT_COLUMNS: Mapping[str, str] = {
    "replication": "int32",
    "contact_id": "int64",
    "channel": "category",
    "contact_type": "category",
    "parent_id": "int64",
    "arrival_s": "float64",
    "answer_s": "float64",
    "end_s": "float64",
    "wait_s": "float64",
    "business_wait_s": "float64",
    "handle_s": "float64",
    "outcome": "category",
    "resolved_first_contact": "bool",
    "escalated": "bool",
    "escalation_type": "category",
    "tier2_response_s": "float64",
    "agent_id": "int32",
    "csat_score": "float64",
}

AGENT_COLUMNS: Mapping[str, str] = {
    "replication": "int32",
    "interval": "int32",
    "interval_start_s": "float64",
    "team": "category",
    "channel": "category",
    "staffed_agent_s": "float64",
    "busy_agent_s": "float64",
    "overtime_agent_s": "float64",
    "paid_agent_s": "float64",
    "training_agent_s": "float64",
    "hires": "float64",
}

OUTAGE_COLUMNS: Mapping[str, str] = {
    "replication": "int32",
    "channel": "category",
    "start_s": "float64",
    "end_s": "float64",
}


def check_columns(frame: pd.DataFrame, columns: Mapping[str, str]) -> None:
    """Raise ``TypeError`` unless ``frame`` has exactly ``columns``, in order, with their dtypes."""
    got = list(frame.columns)
    if got != list(columns):
        raise TypeError(f"columns differ: expected {list(columns)}, got {got}")
    wrong = {
        name: str(frame[name].dtype)
        for name, dtype in columns.items()
        if str(frame[name].dtype) != dtype
    }
    if wrong:
        raise TypeError(f"dtypes differ from the schema: {wrong}")


def empty_frame(columns: Mapping[str, str]) -> pd.DataFrame:
    """An empty DataFrame with the schema's columns and dtypes."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})
