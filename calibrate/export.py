"""A simulated replication written as a contact log in the documented format, and its staffing.

The simulation's contact log (:data:`scenarios.log_tables.CONTACT_COLUMNS`) is in seconds from the
horizon start; :func:`log_frame` turns it into the format ``ccplan calibrate`` reads
(``docs/contact-log.md``): wall-clock timestamps of the scenario's horizon, ``outcome`` as the
simulation names it (``not_offered`` and ``unfinished`` rows are set aside by the reader), the
answering agent, ``tier`` 2 for an escalated contact, and a ``customer`` id shared by a first
contact and every repeat and redial that descends from it (the root of its ``parent_id`` chain).
:func:`staffing_frame` gives the agents taking contacts per team and interval, read from the
agent log, in the staffing-file format ``calibrate`` accepts. They serve round-trip tests, the
notebook and the benchmark: simulate a known scenario, export, calibrate, compare.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.scenario import Scenario
from sim.runner import ReplicationResult

__all__ = ["export_replication", "log_frame", "staffing_frame"]

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def _roots(contact_id: np.ndarray, parent_id: np.ndarray) -> np.ndarray:
    """The first contact of each row's chain, following ``parent_id`` (pointer jumping)."""
    position = np.full(int(contact_id.max(initial=0)) + 1, -1, dtype=np.int64)
    position[contact_id] = np.arange(contact_id.size)
    root = contact_id.copy()
    up = parent_id.copy()
    while True:
        climbing = up >= 0
        if not climbing.any():
            return root
        root = np.where(climbing, up, root)
        known = position[np.where(climbing, up, 0)]
        up = np.where(climbing & (known >= 0), parent_id[np.maximum(known, 0)], -1)


def _clock(start, seconds: np.ndarray) -> pd.Series:
    origin = np.datetime64(start, "ns")
    values = origin + np.round(seconds * 1e6).astype("timedelta64[us]")
    return pd.Series(np.where(np.isnan(seconds), np.datetime64("NaT"), values))


def log_frame(scenario: Scenario, contacts: pd.DataFrame) -> pd.DataFrame:
    """One replication's contact log in the documented format.

    Parameters
    ----------
    scenario:
        The simulated :class:`scenarios.Scenario` (its horizon start places the clock).
    contacts:
        The replication's contact log (``CONTACT_COLUMNS``).

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``channel``, ``arrival``, ``answer``, ``end`` (datetime64, wall time;
        NaT where there is none), ``outcome``, ``agent`` (``a<N>``, empty if none),
        ``customer`` (``c<root id>``) and ``tier`` (1 or 2), in arrival order.
    """
    start = scenario.horizon.start
    contact_id = contacts["contact_id"].to_numpy(np.int64)
    agent = contacts["agent_id"].to_numpy(np.int64)
    frame = pd.DataFrame(
        {
            "id": contact_id,
            "channel": contacts["channel"].astype(str).to_numpy(),
            "arrival": _clock(start, contacts["arrival_s"].to_numpy(np.float64)),
            "answer": _clock(start, contacts["answer_s"].to_numpy(np.float64)),
            "end": _clock(start, contacts["end_s"].to_numpy(np.float64)),
            "outcome": contacts["outcome"].astype(str).to_numpy(),
            "agent": np.where(agent >= 0, np.char.add("a", agent.astype(str)), ""),
            "customer": np.char.add(
                "c", _roots(contact_id, contacts["parent_id"].to_numpy(np.int64)).astype(str)
            ),
            "tier": np.where(contacts["escalated"].to_numpy(bool), 2, 1).astype(np.int8),
        }
    )
    return frame.sort_values("arrival", kind="stable", ignore_index=True)


def staffing_frame(scenario: Scenario, agents: pd.DataFrame) -> pd.DataFrame:
    """Agents taking contacts per team and interval of one replication's agent log.

    ``agents = round(staffed agent-seconds of the team / interval_s)``: the agents on the
    floor after shrinkage (an agent finishing a contact after the shift counts for that time).

    Returns
    -------
    pandas.DataFrame
        Columns ``interval_start`` (datetime64), ``channels`` (the team's channels joined with
        ``+``) and ``agents`` (int64), one row per team and interval.
    """
    horizon = scenario.horizon
    frames = []
    for team in scenario.partner.teams:
        rows = agents[agents["team"] == team.name]
        staffed = rows.groupby("interval", observed=True)["staffed_agent_s"].sum()
        staffed = staffed.reindex(np.arange(horizon.n_intervals), fill_value=0.0)
        frames.append(
            pd.DataFrame(
                {
                    "interval_start": np.datetime64(horizon.start, "ns")
                    + (staffed.index.to_numpy() * horizon.interval_s).astype("timedelta64[s]"),
                    "channels": "+".join(team.channels),
                    "agents": np.round(staffed.to_numpy() / horizon.interval_s).astype(np.int64),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def export_replication(
    scenario: Scenario, result: ReplicationResult, folder: str | Path, *, parquet: bool = False
) -> tuple[Path, Path]:
    """Write ``contacts.csv`` (or ``.parquet``) and ``staffing.csv`` of one replication.

    Parameters
    ----------
    scenario:
        The simulated scenario.
    result:
        A :class:`sim.ReplicationResult` (its ``contacts`` and ``agents`` tables).
    folder:
        Created if needed.

    Returns
    -------
    (log path, staffing path)
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    log = log_frame(scenario, result.contacts)
    if parquet:
        log_path = folder / "contacts.parquet"
        log.to_parquet(log_path, index=False)
    else:
        log_path = folder / "contacts.csv"
        log.to_csv(log_path, index=False, date_format=_TIME_FORMAT)
    staffing_path = folder / "staffing.csv"
    staffing_frame(scenario, result.agents).to_csv(
        staffing_path, index=False, date_format="%Y-%m-%dT%H:%M"
    )
    return log_path, staffing_path
