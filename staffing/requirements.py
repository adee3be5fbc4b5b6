"""Required agents per interval for one scenario channel, and its predicted measures.

Chooses the model by channel: Erlang C (no patience) or Erlang A (patience; exponential with the
channel's mean, whatever its shape) for calls, the chat model when an agent holds more than one
chat, the fluid backlog for deferrable channels. The targets are the channel's
``service_target``; the offered load follows the team's ``method`` (see
:mod:`staffing.time_varying`). Closed realtime intervals need no agents and have no measures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from scenarios.errors import InputError
from staffing._inputs import SECONDS_PER_HOUR
from staffing.chat import chat_metrics, required_chat_agents
from staffing.deferrable import backlog_on_time, required_backlog_agents
from staffing.erlang import erlang_metrics
from staffing.search import required_agents
from staffing.time_varying import effective_load

if TYPE_CHECKING:
    from scenarios.channels import ServiceTarget
    from scenarios.demand import Workload
    from scenarios.scenario import Scenario

__all__ = [
    "ChannelDemand",
    "effective_calls_per_hour",
    "predicted_measures",
    "required_for_channel",
]

MEASURES = ("service_level", "asa_s", "p_abandon", "occupancy")


@dataclass(frozen=True)
class ChannelDemand:
    """What staffing needs of one channel: its workload arrays and scenario settings.

    Attributes
    ----------
    name, kind:
        Channel name and ``realtime`` / ``deferrable``.
    offered, aht_s, patience_s, is_open:
        Per-interval arrays from the workload (``offered`` in contacts per interval; patience
        NaN when callers do not abandon).
    interval_s:
        Interval length in seconds.
    service_target:
        The channel's ``ServiceTarget`` or ``None``.
    speeds:
        ``speed_by_chats`` (``(1.0,)`` without concurrency).
    """

    name: str
    kind: str
    offered: np.ndarray
    aht_s: np.ndarray
    patience_s: np.ndarray
    is_open: np.ndarray
    interval_s: float
    service_target: ServiceTarget | None
    speeds: tuple[float, ...]

    @classmethod
    def of(cls, scenario: Scenario, workload: Workload, name: str) -> ChannelDemand:
        """Collect the channel ``name`` of a scenario and its expanded workload."""
        channel = scenario.channels[name]
        load = workload.channels[name]
        return cls(
            name=name,
            kind=load.kind,
            offered=np.asarray(load.offered, dtype=np.float64),
            aht_s=np.asarray(load.aht_s, dtype=np.float64),
            patience_s=np.asarray(load.patience_s, dtype=np.float64),
            is_open=np.asarray(load.is_open, dtype=bool),
            interval_s=float(workload.interval_s),
            service_target=channel.service_target,
            speeds=channel.concurrency.speeds if channel.concurrency else (1.0,),
        )

    @property
    def calls_per_hour(self) -> np.ndarray:
        """Offered contacts per hour in each interval."""
        return self.offered * (SECONDS_PER_HOUR / self.interval_s)

    def patience(self, rows: np.ndarray) -> np.ndarray | None:
        """Patience of the selected rows, or ``None`` when nobody abandons."""
        values = self.patience_s[rows]
        return None if np.isnan(values).all() else values


def effective_calls_per_hour(demand: ChannelDemand, method: str) -> np.ndarray:
    """The arrival rate whose stationary load equals the load of ``method`` per interval."""
    load = effective_load(
        demand.calls_per_hour, demand.aht_s, interval_s=demand.interval_s, method=method
    )
    return load * SECONDS_PER_HOUR / demand.aht_s


def _realtime_kwargs(demand: ChannelDemand, rows: np.ndarray) -> dict[str, Any]:
    target = demand.service_target
    assert target is not None, "called for a channel with a service target only"
    kwargs: dict[str, Any] = {"patience_s": demand.patience(rows)}
    if kwargs["patience_s"] is not None:
        kwargs["sl_definition"] = target.sl_definition
        kwargs["short_abandon_s"] = target.short_abandon or 0.0
    return kwargs


def required_for_channel(demand: ChannelDemand, method: str = "stationary") -> np.ndarray | None:
    """Productive agents the channel needs per interval (int64), or ``None`` without a target.

    Realtime: the smallest agents meeting ``service_target`` (threshold, target, SL definition,
    short abandons) in each open interval, for the load of ``method``. Deferrable: the backlog
    staffing answering every contact within ``service_target.threshold`` (business hours as
    set); ``method`` does not apply.
    """
    target = demand.service_target
    if target is None:
        return None
    if demand.kind == "deferrable":
        return required_backlog_agents(
            demand.offered,
            demand.aht_s,
            demand.is_open,
            interval_s=demand.interval_s,
            response_s=target.threshold,
            business_hours=target.business_hours,
        )
    if target.target == 1.0:
        raise InputError(
            f"channel {demand.name}: a service-level target of 100% cannot be staffed for; "
            "give a target below 100%."
        )
    rows = np.flatnonzero(demand.is_open)
    required = np.zeros(demand.offered.size, dtype=np.int64)
    if rows.size == 0:
        return required
    rate = effective_calls_per_hour(demand, method)[rows]
    targets = {"target_sl": target.target, "threshold_s": target.threshold}
    kwargs: dict[str, Any] = _realtime_kwargs(demand, rows) | targets
    if len(demand.speeds) > 1:
        required[rows] = required_chat_agents(
            rate, demand.aht_s[rows], speed_by_chats=demand.speeds, **kwargs
        )
    else:
        required[rows] = required_agents(rate, demand.aht_s[rows], **kwargs)
    return required


def predicted_measures(
    demand: ChannelDemand, agents: np.ndarray, method: str = "stationary"
) -> dict[str, np.ndarray]:
    """Service level, ASA, abandonment and occupancy per interval with ``agents`` productive,
    at the load of ``method`` (the load the staffing was computed for).

    Realtime measures are NaN while closed, and the service level is NaN without a target.
    Deferrable channels report the share of each interval's arrivals answered within the
    response target (fluid backlog); their ASA and occupancy are NaN and abandonment 0.
    """
    size = demand.offered.size
    out = {name: np.full(size, math.nan) for name in MEASURES}
    target = demand.service_target
    if demand.kind == "deferrable":
        out["p_abandon"][:] = 0.0
        if target is not None:
            out["service_level"] = backlog_on_time(
                demand.offered,
                demand.aht_s,
                demand.is_open,
                agents,
                interval_s=demand.interval_s,
                response_s=target.threshold,
                business_hours=target.business_hours,
            )
        return out
    rows = np.flatnonzero(demand.is_open)
    if rows.size == 0:
        return out
    kwargs: dict[str, Any] = {"threshold_s": 0.0 if target is None else target.threshold}
    if target is not None:
        kwargs |= _realtime_kwargs(demand, rows)
    else:
        kwargs["patience_s"] = demand.patience(rows)
    args = (effective_calls_per_hour(demand, method)[rows], demand.aht_s[rows], agents[rows])
    if len(demand.speeds) > 1:
        table = chat_metrics(*args, speed_by_chats=demand.speeds, **kwargs)
    else:
        table = erlang_metrics(*args, **kwargs)
    for name in MEASURES:
        out[name][rows] = table[name].to_numpy()
    if target is None:
        out["service_level"][rows] = math.nan
    return out
