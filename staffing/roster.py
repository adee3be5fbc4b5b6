"""Scheduled agents: shrinkage, safety factor, FTE, and the given rosters of fixed and roster
teams.

``scheduled`` agents are on duty (paid, on shift); shrinkage (breaks, training, meetings,
absence) leaves ``productive = round(scheduled · (1 − shrinkage))`` (half up, the simulation's
rule) answering contacts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from scenarios.data_files import roster_agents
from scenarios.errors import InputError
from staffing._inputs import check_array

if TYPE_CHECKING:
    from scenarios.demand import Workload
    from scenarios.partner import FixedStaffing, Team
    from scenarios.scenario import Scenario

__all__ = ["base_roster", "fte", "productive_agents", "scaled_rosters", "scheduled_agents"]

_ROUNDING_SLACK = 1e-9
"""Floating slack so that 10 · 1.05 / 0.7 = 15.000000000000002 is 15 agents, not 16."""

DAYS_PER_MONTH = 365.25 / 12


def scheduled_agents(
    required: ArrayLike, shrinkage_frac: float, safety_frac: float = 0.0
) -> np.ndarray:
    """Agents to schedule: ``⌈required · (1 + safety) / (1 − shrinkage)⌉`` (int64)."""
    required = check_array("required", required)
    check_array("shrinkage_frac", shrinkage_frac, below=1.0)
    check_array("safety_frac", safety_frac)
    raw = required * (1.0 + safety_frac) / (1.0 - shrinkage_frac)
    return np.ceil(raw - _ROUNDING_SLACK).astype(np.int64)


def productive_agents(scheduled: ArrayLike, shrinkage_frac: float) -> np.ndarray:
    """Whole agents answering contacts: ``⌊scheduled · (1 − shrinkage) + ½⌋`` (int64), the
    share rounded half up as the simulation rounds it (:mod:`sim.agents`)."""
    scheduled = check_array("scheduled", scheduled)
    check_array("shrinkage_frac", shrinkage_frac, below=1.0)
    return np.floor(scheduled * (1.0 - shrinkage_frac) + 0.5 + _ROUNDING_SLACK).astype(np.int64)


def fte(agent_hours: ArrayLike, days: float, fte_hours_per_month: float = 160.0) -> np.ndarray:
    """Full-time equivalents: agent hours over ``days`` per the FTE's hours in as many days.

    ``FTE = agent_hours / (fte_hours_per_month · days / 30.4375)``, a month being 365.25/12 days.
    """
    agent_hours = check_array("agent_hours", agent_hours)
    check_array("days", days, positive=True)
    check_array("fte_hours_per_month", fte_hours_per_month, positive=True)
    return agent_hours / (fte_hours_per_month * days / DAYS_PER_MONTH)


def _fixed_roster(staffing: FixedStaffing, scenario: Scenario, workload: Workload) -> np.ndarray:
    """Headcount at horizon start times each shift's share, whole agents per shift, on the
    shift's days and hours; nobody works on a closed day."""
    per_day = round(86_400 / workload.interval_s)
    days = math.ceil(workload.n_intervals / per_day)
    weekdays = (workload.start.weekday() + np.arange(days)) % 7
    roster = np.zeros(workload.n_intervals, dtype=np.int64)
    for shift in staffing.shifts:
        agents = math.floor(staffing.headcount * shift.share + _ROUNDING_SLACK)
        covered = shift.week_mask(workload.interval_s)[weekdays].ravel()
        roster += agents * covered[: workload.n_intervals]
    roster[scenario.horizon.closed_day_mask()] = 0
    return roster


def base_roster(
    index: int, team: Team, scenario: Scenario, workload: Workload
) -> np.ndarray | None:
    """Scheduled agents on duty (before shrinkage) per interval of a ``fixed`` or ``roster``
    team as written (int64): a fixed team's shifts at its starting headcount, for each shift
    ``⌊headcount · share⌋`` agents on the intervals whose start lies in the shift on its days
    (past midnight into the next day), zero on closed days; a roster team's CSV (whole agents,
    checked when the scenario loaded: :mod:`scenarios.data_files`). ``None`` for an ``auto``
    team, whose roster is planned (:func:`staffing.team_rosters`)."""
    staffing = team.staffing
    if staffing.mode == "fixed":
        return _fixed_roster(staffing, scenario, workload)
    if staffing.mode == "roster":
        return roster_agents(index, staffing.file, scenario.horizon)
    return None


def scaled_rosters(rosters: Mapping[str, np.ndarray], factor: float) -> dict[str, np.ndarray]:
    """Every team roster times ``factor``, rounded to whole agents (``rint``), as int64."""
    if not math.isfinite(factor) or factor <= 0:
        raise InputError(f"a staffing factor must be > 0 (got {factor!r})")
    return {
        team: np.rint(np.asarray(roster, np.float64) * factor).astype(np.int64)
        for team, roster in rosters.items()
    }
