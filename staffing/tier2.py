"""Tier 2: the escalations it receives and the agents it needs.

Escalations arrive at the end of their contact's handling (:mod:`staffing.fixed_point`). Tier 2
works them first in, first out while open; the plan treats them as a deferrable backlog
(:mod:`staffing.deferrable`) whose response target is the strictest of the escalation types
the channels send (``tier2.response_targets``). With ``agents: auto`` tier 2 has, per open
interval, the fluid staffing that finishes every escalation within that target, an escalation
that arrives while tier 2 is closed as soon as it reopens (:func:`staffing.deferrable.
required_backlog_agents`); otherwise ``agents`` on duty while open. No shrinkage applies to
tier 2. The plan's share in time counts the target on the wall clock, as the
``escalation_response`` KPI does: an escalation that waits through a closed tier 2 past its
target is late whatever the staffing. The fluid model has no queueing randomness: the
simulation's share is lower.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from staffing._channel_kernels import backlog_on_time_kernel
from staffing.deferrable import required_backlog_agents

if TYPE_CHECKING:
    from scenarios.demand import Workload
    from scenarios.scenario import Scenario

__all__ = ["Tier2Plan", "tier2_plan"]


@dataclass(frozen=True, eq=False)
class Tier2Plan:
    """Tier 2 per interval.

    Attributes
    ----------
    auto:
        Whether its agents are planned (``tier2.agents: auto``).
    escalations:
        Expected escalations arriving per interval.
    required:
        Agents finishing every escalation within ``response_s`` (fluid backlog).
    agents:
        Agents on duty (int64): ``required`` when auto, else ``tier2.agents`` while open.
    on_time:
        Share of each interval's escalations finished within ``response_s`` with ``agents``.
    response_s, aht_s:
        The response target used and tier 2's mean handle time.
    is_open:
        Tier 2's opening intervals.
    """

    auto: bool
    escalations: np.ndarray
    required: np.ndarray
    agents: np.ndarray
    on_time: np.ndarray
    response_s: float
    aht_s: float
    is_open: np.ndarray


def tier2_plan(scenario: Scenario, workload: Workload, escalations: np.ndarray) -> Tier2Plan | None:
    """The :class:`Tier2Plan` of a scenario for ``escalations`` per interval (``None`` without
    a ``tier2`` section)."""
    tier2 = scenario.tier2
    if tier2 is None:
        return None
    types = {
        channel.escalation.type
        for channel in scenario.channels.values()
        if channel.escalation is not None and channel.escalation.probability > 0
    }
    targets = tier2.response_targets
    response_s = min((getattr(targets, kind) for kind in types), default=targets.operational)
    is_open = scenario.horizon.open_mask(tier2.hours)
    aht_s = tier2.handle_time.mean
    required = required_backlog_agents(
        escalations,
        aht_s,
        is_open,
        interval_s=workload.interval_s,
        response_s=response_s,
        business_hours=False,
    )
    auto = tier2.agents == "auto"
    agents = required if auto else np.where(is_open, tier2.agents, 0).astype(np.int64)
    on_time = _picked_up_in_time(
        escalations, aht_s, is_open, agents, workload.interval_s, response_s
    )
    return Tier2Plan(auto, escalations, required, agents, on_time, response_s, aht_s, is_open)


def _picked_up_in_time(
    escalations: np.ndarray,
    aht_s: float,
    is_open: np.ndarray,
    agents: np.ndarray,
    interval_s: float,
    response_s: float,
) -> np.ndarray:
    """Share of each interval's escalations the fluid backlog finishes by the end of the
    interval holding ``arrival + response`` on the wall clock (an escalation waiting through a
    closed tier 2 past its target is late, as the KPI counts it); NaN without escalations or
    with the deadline after the horizon."""
    n = escalations.size
    due = np.arange(n) + int(response_s // interval_s)
    capacity_s = np.where(is_open, float(interval_s), 0.0)
    out = np.empty(n)
    backlog_on_time_kernel(
        np.ascontiguousarray(escalations, dtype=np.float64),
        np.minimum(due, n).astype(np.float64),
        np.full(n, float(aht_s)),
        capacity_s,
        np.asarray(agents, dtype=np.float64),
        out,
    )
    return out
