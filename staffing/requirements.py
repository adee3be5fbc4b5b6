"""Required agents per interval for one scenario channel, and its predicted measures.

Chooses the model by channel: Erlang C (no patience) or Erlang A (patience; exponential with the
channel's mean, whatever its shape) for calls, the chat model when an agent holds more than one
chat, the fluid backlog for deferrable channels. The targets are the channel's
``service_target`` (service level, and ``max_p_wait`` and ``max_occupancy`` when given); the
offered load follows the team's ``method`` (see :mod:`staffing.time_varying`). Closed realtime
intervals need no agents and have no measures.

**Forecast error.** A realtime channel with a day-level forecast error (CV ``day_cv``) is
staffed by its target's ``criterion`` (:mod:`staffing.day_factor` for the conventions):

- ``expected``: the smallest agents whose measures expected over the gamma day factor meet the
  targets (days call-weighted; an overloaded day counts with service level 0);
- ``confidence`` with level ``c``: the agents meeting the targets on the day whose factor is
  the ``c``-quantile ``v_c``, so that ``P(day's measures meet the targets) ≥ c``
  (:func:`staffing.required_agents_with_confidence`).

The offered contacts of an interval are ``scaled + fixed``: the ``fixed`` part (repeat contacts
of earlier days) does not move with the day factor. Whatever the criterion, the predicted
measures are the expectations over the day factor; without forecast error both criteria are
the point forecast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from scenarios.errors import InputError
from staffing import _kernels as k
from staffing._inputs import SECONDS_PER_HOUR
from staffing.chat import required_chat_agents
from staffing.day_factor import _expected_search, expected_measures
from staffing.deferrable import backlog_on_time, required_backlog_agents
from staffing.search import required_agents
from staffing.time_varying import effective_load
from staffing.uncertainty import volume_quantile_factor

if TYPE_CHECKING:
    from scenarios.channels import ServiceTarget
    from scenarios.demand import Workload
    from scenarios.scenario import Scenario

__all__ = [
    "ChannelDemand",
    "effective_calls_per_hour",
    "predicted_measures",
    "required_for_channel",
    "service_level_of_rows",
]

MEASURES = ("service_level", "asa_s", "p_abandon", "occupancy", "p_wait")
_KERNEL_COLUMN = {
    "service_level": k.SERVICE_LEVEL,
    "asa_s": k.ASA_S,
    "p_abandon": k.P_ABANDON,
    "occupancy": k.OCCUPANCY,
    "p_wait": k.P_WAIT,
}


@dataclass(frozen=True)
class ChannelDemand:
    """What staffing needs of one channel: its workload arrays and scenario settings.

    Attributes
    ----------
    name, kind:
        Channel name and ``realtime`` / ``deferrable``.
    offered, aht_s, patience_s, is_open:
        Per-interval arrays: ``offered`` contacts per interval (all of them: first contacts,
        repeats and redials), mean handle time, patience (NaN when callers do not abandon),
        open flag.
    interval_s:
        Interval length in seconds.
    service_target:
        The channel's ``ServiceTarget`` or ``None``.
    speeds:
        ``speed_by_chats`` (``(1.0,)`` without concurrency).
    fixed:
        Of ``offered``, the contacts that do not move with the day factor (repeats); zeros
        when ``None``.
    day_cv:
        CV of the day factor (0: no forecast error).
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
    fixed: np.ndarray | None = field(default=None)
    day_cv: float = 0.0

    @classmethod
    def of(cls, scenario: Scenario, workload: Workload, name: str) -> ChannelDemand:
        """The first contacts of channel ``name`` of a scenario and its expanded workload."""
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
            day_cv=scenario.forecast_day_cv(name) if load.kind == "realtime" else 0.0,
        )

    @property
    def calls_per_hour(self) -> np.ndarray:
        """Offered contacts per hour in each interval."""
        return self.offered * (SECONDS_PER_HOUR / self.interval_s)

    @property
    def fixed_offered(self) -> np.ndarray:
        """Offered contacts per interval that do not move with the day factor."""
        return np.zeros_like(self.offered) if self.fixed is None else self.fixed

    def patience(self, rows: np.ndarray) -> np.ndarray | None:
        """Patience of the selected rows, or ``None`` when nobody abandons."""
        values = self.patience_s[rows]
        return None if np.isnan(values).all() else values


def effective_calls_per_hour(demand: ChannelDemand, method: str) -> np.ndarray:
    """The arrival rate whose stationary load equals the load of ``method`` per interval."""
    return _effective_rate(demand, demand.offered, method)


def _effective_rate(demand: ChannelDemand, offered: np.ndarray, method: str) -> np.ndarray:
    rate = offered * (SECONDS_PER_HOUR / demand.interval_s)
    load = effective_load(rate, demand.aht_s, interval_s=demand.interval_s, method=method)
    return load * SECONDS_PER_HOUR / demand.aht_s


def _split_rates(
    demand: ChannelDemand, method: str, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Effective rates (per hour) of the scaled and the fixed part on ``rows``; every method is
    linear in the rate, so they add up to :func:`effective_calls_per_hour`."""
    fixed = _effective_rate(demand, demand.fixed_offered, method)
    scaled = np.clip(effective_calls_per_hour(demand, method) - fixed, 0.0, None)
    return scaled[rows], fixed[rows]


def _realtime_kwargs(demand: ChannelDemand, rows: np.ndarray) -> dict[str, Any]:
    target = demand.service_target
    assert target is not None, "called for a channel with a service target only"
    kwargs: dict[str, Any] = {"patience_s": demand.patience(rows)}
    if kwargs["patience_s"] is not None:
        kwargs["sl_definition"] = target.sl_definition
        kwargs["short_abandon_s"] = target.short_abandon or 0.0
    return kwargs


def _targets(target: ServiceTarget) -> dict[str, Any]:
    targets: dict[str, Any] = {"target_sl": target.target, "threshold_s": target.threshold}
    if target.max_p_wait is not None:
        targets["max_p_wait_frac"] = target.max_p_wait
    if target.max_occupancy is not None:
        targets["max_occupancy_frac"] = target.max_occupancy
    return targets


def required_for_channel(
    demand: ChannelDemand,
    method: str = "stationary",
    start: np.ndarray | None = None,
    floor: np.ndarray | None = None,
) -> np.ndarray | None:
    """Productive agents the channel needs per interval (int64), or ``None`` without a target.

    Realtime: the smallest agents meeting ``service_target`` in each open interval, for the load
    of ``method``, by the target's criterion (module notes). Deferrable: the backlog staffing
    answering every contact within ``service_target.threshold`` (business hours as set);
    ``method`` and the criterion do not apply. ``start`` is a first guess of the expected
    criterion's search (an earlier answer; the answer does not depend on it), ``floor`` agents
    to stay at or above (the answer is then ``max(floor, requirement)``).
    """
    target = demand.service_target
    if target is None:
        return None
    if demand.kind == "deferrable":
        required = required_backlog_agents(
            demand.offered,
            demand.aht_s,
            demand.is_open,
            interval_s=demand.interval_s,
            response_s=target.threshold,
            business_hours=target.business_hours,
        )
        return required if floor is None else np.maximum(required, floor)
    if target.target == 1.0:
        raise InputError(
            f"channel {demand.name}: a service-level target of 100% cannot be staffed for; "
            "give a target below 100%."
        )
    rows = np.flatnonzero(demand.is_open)
    required = np.zeros(demand.offered.size, dtype=np.int64)
    if rows.size == 0:
        return required
    scaled, fixed = _split_rates(demand, method, rows)
    kwargs: dict[str, Any] = _realtime_kwargs(demand, rows) | _targets(target)
    chat: dict[str, Any] = {"speed_by_chats": demand.speeds} if len(demand.speeds) > 1 else {}
    if demand.day_cv == 0.0 or target.criterion == "confidence":
        factor = 1.0
        if demand.day_cv > 0.0:
            assert target.confidence is not None, "criterion confidence has a level (scenario)"
            factor = volume_quantile_factor(demand.day_cv, target.confidence)
        search = required_chat_agents if chat else required_agents
        required[rows] = search(scaled * factor + fixed, demand.aht_s[rows], **chat, **kwargs)
    else:
        # without abandonment every SL definition counts the same contacts
        kwargs.setdefault("sl_definition", "offered")
        kwargs.setdefault("short_abandon_s", 0.0)
        required[rows], _ = _expected_search(
            scaled,
            demand.aht_s[rows],
            day_cv=demand.day_cv,
            fixed_calls_per_hour=fixed,
            speed_by_chats=demand.speeds if chat else None,
            start_agents=None if start is None else start[rows],
            floor_agents=None if floor is None else floor[rows],
            **kwargs,
        )
    if floor is not None:
        required = np.maximum(required, floor)
    return required


def predicted_measures(
    demand: ChannelDemand, agents: np.ndarray, method: str = "stationary"
) -> dict[str, np.ndarray]:
    """Service level, ASA, abandonment, occupancy and P(wait) per interval with ``agents``
    productive, at the load of ``method`` (the load the staffing was computed for), expected
    over the day factor (module notes).

    Realtime measures are NaN while closed, and the service level is NaN without a target.
    Deferrable channels report the share of each interval's arrivals answered within the
    response target (fluid backlog); their ASA, occupancy and P(wait) are NaN and
    abandonment 0.
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
    scaled, fixed = _split_rates(demand, method, rows)
    kwargs.setdefault("sl_definition", "offered")
    kwargs.setdefault("short_abandon_s", 0.0)
    _, _, table = expected_measures(
        scaled,
        demand.aht_s[rows],
        agents[rows],
        day_cv=demand.day_cv,
        fixed_calls_per_hour=fixed,
        speed_by_chats=demand.speeds if len(demand.speeds) > 1 else None,
        **kwargs,
    )
    for name in MEASURES:
        out[name][rows] = table[:, _KERNEL_COLUMN[name]]
    if target is None:
        out["service_level"][rows] = math.nan
    return out


def service_level_of_rows(
    demand: ChannelDemand,
    method: str,
    rows: np.ndarray,
    agents: np.ndarray,
    load_factor: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Expected service level of a realtime channel with a target on the open ``rows`` only,
    with ``agents`` there and the offered load times ``load_factor`` (per row): the measure of
    :func:`predicted_measures` for a few intervals at a time, or for a load the simulation
    found to behave like another (``staff --verify``)."""
    target = demand.service_target
    if demand.kind != "realtime" or target is None:
        raise InputError(f"channel {demand.name}: a service level needs a realtime target")
    scaled, fixed = _split_rates(demand, method, rows)
    kwargs = _realtime_kwargs(demand, rows)
    kwargs.setdefault("sl_definition", "offered")
    kwargs.setdefault("short_abandon_s", 0.0)
    _, _, table = expected_measures(
        scaled * load_factor,
        demand.aht_s[rows],
        agents,
        day_cv=demand.day_cv,
        fixed_calls_per_hour=fixed * load_factor,
        threshold_s=target.threshold,
        speed_by_chats=demand.speeds if len(demand.speeds) > 1 else None,
        **kwargs,
    )
    return table[:, k.SERVICE_LEVEL]
