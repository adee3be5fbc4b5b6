"""Tier 2: the escalations it receives and the agents it needs.

Escalations arrive at the end of their contact's handling (:mod:`staffing.fixed_point`). Tier 2
works them first in, first out while open; the plan treats them as a deferrable backlog
(:mod:`staffing.deferrable`) whose response target is the strictest of the escalation types
the channels send (``tier2.response_targets``). With ``agents: auto`` tier 2 has, per open
interval, the fluid staffing that finishes every escalation within that target (a pick-up within
the target, which the ``escalation_response`` KPI measures, is then certain in the fluid model);
otherwise ``agents`` on duty while open. No shrinkage applies to tier 2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from staffing.deferrable import backlog_on_time, required_backlog_agents

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


def tier2_plan(scenario, workload, escalations: np.ndarray) -> Tier2Plan | None:
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
    kwargs = {
        "interval_s": workload.interval_s,
        "response_s": response_s,
        "business_hours": False,
    }
    required = required_backlog_agents(escalations, aht_s, is_open, **kwargs)
    auto = tier2.agents == "auto"
    agents = required if auto else np.where(is_open, tier2.agents, 0).astype(np.int64)
    on_time = backlog_on_time(escalations, aht_s, is_open, agents, **kwargs)
    return Tier2Plan(auto, escalations, required, agents, on_time, response_s, aht_s, is_open)
