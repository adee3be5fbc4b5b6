"""Scheduled agents: shrinkage, safety factor, FTE, and each team's roster per interval.

``scheduled`` agents are on duty (paid, on shift); shrinkage (breaks, training, meetings,
absence) leaves ``productive = ⌊scheduled · (1 − shrinkage)⌋`` answering contacts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from scenarios.data_files import roster_agents
from scenarios.errors import InputError
from staffing._inputs import check_array
from staffing.requirements import ChannelDemand, required_for_channel

if TYPE_CHECKING:
    from scenarios.demand import Workload
    from scenarios.partner import FixedStaffing, Team
    from scenarios.scenario import Scenario

__all__ = ["fte", "productive_agents", "scaled_rosters", "scheduled_agents", "team_rosters"]

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
    """Whole agents answering contacts: ``⌊scheduled · (1 − shrinkage)⌋`` (int64)."""
    scheduled = check_array("scheduled", scheduled)
    check_array("shrinkage_frac", shrinkage_frac, below=1.0)
    return np.floor(scheduled * (1.0 - shrinkage_frac) + _ROUNDING_SLACK).astype(np.int64)


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


def auto_schedule(
    team: Team, required: Sequence[np.ndarray | None], shrinkage_frac: float
) -> list[np.ndarray]:
    """Scheduled agents per channel of an ``auto`` team for the channels' requirements (in the
    team's channel order; int64 arrays). The scenario guarantees each channel a target."""
    staffing = team.staffing
    assert staffing.mode == "auto", "only an auto team is scheduled from its requirements"
    safety = staffing.safety_factor
    scheduled = []
    for need in required:
        assert need is not None, "the scenario gives each channel of an auto team a target"
        scheduled.append(scheduled_agents(need, shrinkage_frac, safety))
    return scheduled


def team_requirements(
    team: Team, scenario: Scenario, workload: Workload
) -> tuple[list[ChannelDemand], list[np.ndarray | None], str]:
    """Demand, required agents (or ``None``) per channel of a team, and the load method used:
    the team's own in auto mode, else stationary."""
    method = team.staffing.method if team.staffing.mode == "auto" else "stationary"
    demands = [ChannelDemand.of(scenario, workload, name) for name in team.channels]
    return demands, [required_for_channel(demand, method) for demand in demands], method


def team_roster(index: int, team: Team, scenario: Scenario, workload: Workload) -> np.ndarray:
    """Scheduled agents on duty (before shrinkage) per interval for one team (int64)."""
    staffing = team.staffing
    if staffing.mode == "fixed":
        return _fixed_roster(staffing, scenario, workload)
    if staffing.mode == "roster":
        return roster_agents(index, staffing.file, scenario.horizon)
    _, required, _ = team_requirements(team, scenario, workload)
    return np.asarray(sum(auto_schedule(team, required, scenario.partner.shrinkage)))


def team_rosters(scenario: Scenario, workload: Workload) -> dict[str, np.ndarray]:
    """Scheduled agents on duty (before shrinkage) per interval, for every team.

    - ``fixed``: for each shift, ``⌊headcount · share⌋`` agents on the intervals whose start lies
      in the shift on its days (past midnight into the next day), summed over shifts; zero on
      closed days. Headcount at horizon start: hiring and attrition are left to the simulation.
    - ``roster``: the CSV's agents (whole numbers).
    - ``auto``: per channel ``⌈required · (1 + safety_factor) / (1 − shrinkage)⌉`` with the
      team's ``method``, summed over the team's channels (see :func:`staffing.plan`).

    Returns
    -------
    dict[str, numpy.ndarray]
        Team name to an int64 array of length ``workload.n_intervals``.
    """
    return {
        team.name: team_roster(index, team, scenario, workload)
        for index, team in enumerate(scenario.partner.teams)
    }


def scaled_rosters(rosters: Mapping[str, np.ndarray], factor: float) -> dict[str, np.ndarray]:
    """Every team roster times ``factor``, rounded to whole agents (``rint``), as int64."""
    if not math.isfinite(factor) or factor <= 0:
        raise InputError(f"a staffing factor must be > 0 (got {factor!r})")
    return {
        team: np.rint(np.asarray(roster, np.float64) * factor).astype(np.int64)
        for team, roster in rosters.items()
    }
