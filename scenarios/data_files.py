"""The data files a scenario names, read on the horizon's interval grid: volume forecasts
(``channels.<c>.volume.file``) and rosters (``partner.teams.<i>.staffing.file``).

One reader per kind, used by the demand expansion, the staffing plan and the checks made when
a scenario is loaded, so every file is held to the same rules (:mod:`scenarios.interval_csv`):
volumes are non-negative contacts, rosters whole agents, both within :mod:`scenarios.limits`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scenarios.calendar import Horizon
from scenarios.interval_csv import read_interval_csv
from scenarios.limits import MAX_AGENTS, MAX_CONTACTS_PER_REPLICATION

__all__ = ["roster_agents", "volume_contacts"]


def volume_contacts(channel: str, file: Path, horizon: Horizon) -> np.ndarray:
    """Expected contacts per interval of a channel's volume file (float64, one per interval).

    Raises
    ------
    ScenarioError
        For every problem of the file, naming file and line.
    """
    return read_interval_csv(
        file,
        "contacts",
        start=horizon.start,
        interval_s=horizon.interval_s,
        n_intervals=horizon.n_intervals,
        field_path=f"channels.{channel}.volume.file",
        at_most=MAX_CONTACTS_PER_REPLICATION,
    )


def roster_agents(team_index: int, file: Path, horizon: Horizon) -> np.ndarray:
    """Scheduled agents per interval of a team's roster file (int64, one per interval).

    Raises
    ------
    ScenarioError
        For every problem of the file, naming file and line.
    """
    agents = read_interval_csv(
        file,
        "agents",
        start=horizon.start,
        interval_s=horizon.interval_s,
        n_intervals=horizon.n_intervals,
        field_path=f"partner.teams.{team_index}.staffing.file",
        whole=True,
        at_most=MAX_AGENTS,
    )
    return agents.astype(np.int64)
