"""One team's staffing for given channel demands: required, scheduled and productive agents.

- ``auto``: per channel ``scheduled = ⌈need·(1 + safety_factor)/(1 − shrinkage)⌉`` with
  ``need`` the channel's requirement (:func:`staffing.requirements.required_for_channel`,
  the team's ``method`` and each target's criterion), raised where the team would have fewer
  than ``min_agents`` productive agents while one of its channels is open (the difference goes
  to the first open channel in priority order); the team's roster is the sum.
- ``fixed`` and ``roster``: the roster is given (:func:`staffing.roster.base_roster`); a fixed
  team's is scaled by its expected headcount over its starting headcount, as the simulation
  scales it by the headcount it has (:mod:`staffing.headcount`), and its productive agents
  never exceed the headcount. The productive agents are split over the channels by
  :func:`allocate`.

Productive agents are ``round(scheduled·(1 − shrinkage))`` (half up), the simulation's rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from staffing.headcount import HeadcountPath
from staffing.requirements import ChannelDemand, required_for_channel
from staffing.roster import productive_agents, scheduled_agents

if TYPE_CHECKING:
    from scenarios.partner import Team

__all__ = ["TeamPlan", "allocate", "staff_team"]


@dataclass(frozen=True, eq=False)
class TeamPlan:
    """The staffing of one team.

    Attributes
    ----------
    method:
        The load method of its requirements (the team's own in auto mode, else stationary).
    required:
        Per channel (team order), the productive agents its target needs, or ``None``.
    roster:
        Scheduled agents on duty per interval before shrinkage, as the simulation takes them
        (a fixed team's at its starting headcount; the simulation scales it).
    scheduled:
        Scheduled agents the plan expects on duty (a fixed team's roster at its expected
        headcount; otherwise ``roster``).
    productive:
        Per channel, the productive agents answering it.
    headcount:
        A fixed team's expected headcount over time, else ``None``.
    """

    method: str
    required: list[np.ndarray | None]
    roster: np.ndarray
    scheduled: np.ndarray
    productive: list[np.ndarray]
    headcount: HeadcountPath | None


def allocate(
    productive: np.ndarray, required: list[np.ndarray | None], demands: list[ChannelDemand]
) -> list[np.ndarray]:
    """Split a blended team's productive agents over its channels.

    In priority order each channel gets up to its requirement. Agents left over work the
    deferrable backlogs, split in proportion to each deferrable channel's workload
    (contacts × AHT) of the interval, whole agents, the rounding remainder to the first; a team
    without deferrable channels (or without deferrable work in the interval) leaves them on its
    first channel.
    """
    remaining = productive.copy()
    shares = []
    for need in required:
        share = remaining if need is None else np.minimum(remaining, need)
        shares.append(share)
        remaining = remaining - share
    backlog = [i for i, demand in enumerate(demands) if demand.kind == "deferrable"]
    if backlog:
        work = np.array([demands[i].offered * demands[i].aht_s for i in backlog])
        total = work.sum(axis=0)
        weight = np.divide(work, total, out=np.zeros_like(work), where=total > 0)
        extra = np.floor(weight * remaining).astype(np.int64)
        extra[0] += remaining - extra.sum(axis=0)
        for row, i in enumerate(backlog):
            shares[i] = shares[i] + extra[row]
    else:
        shares[0] = shares[0] + remaining
    return shares


def _with_min_agents(
    need: list[np.ndarray], demands: list[ChannelDemand], min_agents: int
) -> list[np.ndarray]:
    """Raise the first open channel's need where the team's needs sum below ``min_agents``."""
    if min_agents <= 0:
        return need
    need = [n.copy() for n in need]
    short = np.maximum(min_agents - sum(need), 0)
    assigned = np.zeros(short.size, dtype=bool)
    for channel, demand in zip(need, demands, strict=True):
        here = demand.is_open & ~assigned & (short > 0)
        channel[here] += short[here]
        assigned |= here
    return need


def staff_team(
    team: Team,
    demands: list[ChannelDemand],
    *,
    shrinkage_frac: float,
    roster: np.ndarray | None,
    headcount: HeadcountPath | None = None,
    starting_headcount: int | None = None,
    start: list[np.ndarray | None] | None = None,
    floor: list[np.ndarray | None] | None = None,
) -> TeamPlan:
    """The :class:`TeamPlan` of ``team`` for ``demands`` (its channels in priority order).

    ``roster`` is the fixed or roster team's roster (``None`` in auto mode); ``headcount`` and
    ``starting_headcount`` scale a fixed team's roster; ``start`` are earlier requirements
    (first guesses of the searches); ``floor`` are requirements never to go below (the
    fixed point's monotone steps).
    """
    staffing = team.staffing
    method = staffing.method if staffing.mode == "auto" else "stationary"
    start = start or [None] * len(demands)
    floor = floor or [None] * len(demands)
    required = [
        required_for_channel(demand, method, guess, low)
        for demand, guess, low in zip(demands, start, floor, strict=True)
    ]
    if staffing.mode == "auto":
        needs = []
        for need in required:
            assert need is not None, "the scenario gives each channel of an auto team a target"
            needs.append(need)
        needs = _with_min_agents(needs, demands, team.min_agents)
        schedule = [scheduled_agents(n, shrinkage_frac, staffing.safety_factor) for n in needs]
        scheduled = np.sum(schedule, axis=0).astype(np.int64)
        productive = [productive_agents(s, shrinkage_frac) for s in schedule]
        return TeamPlan(method, required, scheduled, scheduled, productive, None)
    assert roster is not None, "a fixed or roster team has its roster"
    expected = roster.astype(np.float64)
    cap = None
    if headcount is not None and starting_headcount:
        expected = expected * headcount.headcount / starting_headcount
        cap = np.floor(headcount.headcount + 1e-9).astype(np.int64)
    total = productive_agents(expected, shrinkage_frac)
    if cap is not None:
        total = np.minimum(total, cap)
    productive = allocate(total, required, demands)
    scheduled = np.rint(expected).astype(np.int64)
    return TeamPlan(method, required, roster, scheduled, productive, headcount)
