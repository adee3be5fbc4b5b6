"""Builders of small hand-made logs for the sla_eval tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scenarios.log_tables import AGENT_COLUMNS, CONTACT_COLUMNS, OUTAGE_COLUMNS
from sla_eval.kpis import KPI_COLUMNS


def make_contacts(rows: list[dict]) -> pd.DataFrame:
    """A contact log from short row dicts.

    Each row gives ``arrival_s`` and ``outcome`` and optionally ``wait_s`` (default 0),
    ``handle_s`` (default 300 for answered), ``channel`` (default ``phone``), ``replication``,
    ``contact_id`` (default: the row number), ``parent_id``, ``contact_type``, ``escalated``,
    ``escalation_type``, ``tier2_response_s``, ``csat_score``, ``business_wait_s`` (default: the
    wait). Answer and end times follow from the arrival, wait and handle time.
    """
    records = []
    for number, row in enumerate(rows):
        outcome = row["outcome"]
        arrival = float(row["arrival_s"])
        wait = float(row.get("wait_s", 0.0)) if outcome != "not_offered" else np.nan
        answered = outcome == "answered"
        handle = float(row.get("handle_s", 300.0)) if answered else np.nan
        answer = arrival + wait if answered else np.nan
        if answered:
            end = answer + handle
        elif outcome == "abandoned":
            end = arrival + wait
        else:
            end = np.nan
        escalated = bool(row.get("escalated", False))
        records.append(
            {
                "replication": row.get("replication", 0),
                "contact_id": row.get("contact_id", number),
                "channel": row.get("channel", "phone"),
                "contact_type": row.get("contact_type", "first"),
                "parent_id": row.get("parent_id", -1),
                "arrival_s": arrival,
                "answer_s": answer,
                "end_s": end,
                "wait_s": wait,
                "business_wait_s": float(row.get("business_wait_s", wait)),
                "handle_s": handle,
                "outcome": outcome,
                "resolved_first_contact": bool(row.get("resolved", answered)),
                "escalated": escalated,
                "escalation_type": row.get(
                    "escalation_type", "operational" if escalated else "none"
                ),
                "tier2_response_s": float(row.get("tier2_response_s", np.nan)),
                "agent_id": row.get("agent_id", 0 if answered else -1),
                "csat_score": float(row.get("csat_score", np.nan)),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=list(CONTACT_COLUMNS))
    return frame.astype(dict(CONTACT_COLUMNS))


def make_agents(rows: list[dict]) -> pd.DataFrame:
    """An agent log from dicts with interval, interval_start_s, channel, staffed and busy (paid
    time defaults to the staffed time; overtime, training and hires to 0)."""
    defaults = {
        "replication": 0,
        "team": "team",
        "overtime_agent_s": 0.0,
        "training_agent_s": 0.0,
        "hires": 0.0,
    }
    frame = pd.DataFrame.from_records(
        [{**defaults, "paid_agent_s": row.get("staffed_agent_s"), **row} for row in rows],
        columns=list(AGENT_COLUMNS),
    )
    return frame.astype(dict(AGENT_COLUMNS))


def make_outages(rows: list[dict]) -> pd.DataFrame:
    """An outage log from dicts with channel, start_s, end_s (replication default 0)."""
    frame = pd.DataFrame.from_records(
        [{"replication": 0, **row} for row in rows], columns=list(OUTAGE_COLUMNS)
    )
    return frame.astype(dict(OUTAGE_COLUMNS))


def make_kpis(values: dict, kind: str = "month") -> pd.DataFrame:
    """A long KPI table from {(kpi, channel): values per period, or a list of such lists per
    replication}; period p starts on the first of month p of 2027."""
    rows = []
    for (kpi, channel), series in values.items():
        per_rep = series if isinstance(series[0], list) else [series]
        for rep, periods in enumerate(per_rep):
            for period, value in enumerate(periods):
                rows.append(
                    {
                        "replication": rep,
                        "period_kind": kind,
                        "period": period,
                        "period_start": pd.Timestamp("2027-01-01") + pd.DateOffset(months=period),
                        "channel": channel,
                        "kpi": kpi,
                        "value": float(value),
                    }
                )
    return pd.DataFrame(rows, columns=list(KPI_COLUMNS)).astype(dict(KPI_COLUMNS))


@pytest.fixture(scope="session")
def kpis_of():
    return make_kpis


@pytest.fixture
def contacts_of():
    return make_contacts


@pytest.fixture
def agents_of():
    return make_agents


@pytest.fixture
def outages_of():
    return make_outages
