"""The time a team's partner pays for, per interval: agents on the roster and hires in training.

A partner pays every scheduled hour, not only the productive ones: shrinkage (breaks, meetings,
absence, coaching) takes time from production, not from the payroll. For one replication and
team, per interval ``i`` of length ``Δ``:

* **paid roster time** ``s_i · ∫_i H(t) dt / H_0``: the roster's scheduled agents before
  shrinkage ``s_i``, scaled by the employed headcount ``H(t)`` over the starting headcount
  ``H_0`` as :class:`sim.agents.Pool` scales who is on duty (``s_i · Δ`` for roster and auto
  teams, which have no headcount). New hires on the floor ("nesting" at a slower handle time)
  are in ``H(t)``, so their hours are paid roster time;
* **paid training time** ``f · |[j − T, j) ∩ [0, horizon)|`` for each hire joining production at
  ``j`` after ``T`` of training, ``f`` being the share of calendar time a full-timer is paid
  (``fte_hours_per_month / (30.4375 · 24 h)``). A hire joining inside the horizon counts when
  the team took it on (:func:`sim.agents.workforce_events`, the headcount cap); one joining
  after the horizon end counts while the cap, at the headcount of the horizon end, leaves room;
* **dropouts** (hires leaving during training, ``spec.dropout_s``): paid training time
  ``f · |[begin, leave) ∩ [0, horizon)|``;
* **hires**: each hire counted in the interval its training starts (its join, without
  training), when that lies in the horizon; dropouts too.

``H(t)`` is replayed from :func:`sim.agents.workforce_events` on the team's ``"attrition"``
stream, the very events the model ran (same key, same numbers: :mod:`sim.streams`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.agents import MONTH_S, TeamSpec, workforce_events
from sim.log import add_span
from sim.streams import Streams

__all__ = ["PaidTime", "paid_time", "trainee_paid_frac"]

_SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class PaidTime:
    """Per interval of one team: paid roster agent-seconds, paid training agent-seconds and hires
    starting training (float64 arrays of ``n_intervals``)."""

    paid_s: np.ndarray
    training_s: np.ndarray
    hires: np.ndarray


def trainee_paid_frac(fte_hours_per_month: float) -> float:
    """Share of calendar time a full-timer is paid: ``fte_hours_per_month · 3600 / month_s``."""
    return fte_hours_per_month * _SECONDS_PER_HOUR / MONTH_S


def _headcount_integral(events: list[tuple[float, int, int]], edges_s: np.ndarray) -> np.ndarray:
    """``∫ H(t) dt`` over each ``[edges[i], edges[i + 1])`` with ``H`` the employed headcount
    after the events (joins +1, departures -1) at or before ``t``."""
    start = sum(kind for t, kind, _ in events if t <= 0.0)
    later = [(t, kind) for t, kind, _ in events if 0.0 < t < edges_s[-1]]
    knots = np.array([0.0, *(t for t, _ in later), edges_s[-1]])
    level = np.array([start, *np.cumsum([kind for _, kind in later]) + start], np.float64)
    area = np.r_[0.0, np.cumsum(level * np.diff(knots))]
    return np.diff(np.interp(edges_s, knots, area))


def _trained(spec: TeamSpec, events: list[tuple[float, int, int]], horizon_s: float) -> list[float]:
    """Join times of the hires that are trained (module docstring)."""
    taken = {k for t, kind, k in events if kind == 1}
    joins = []
    employed_at_end = sum(kind for t, kind, _ in events if t < horizon_s)
    room = math.inf if spec.max_headcount is None else spec.max_headcount - employed_at_end
    for j, join_s in enumerate(spec.hire_join_s):
        if join_s < horizon_s:
            if spec.headcount + j in taken:  # type: ignore[operator]
                joins.append(join_s)
        elif room > 0:
            joins.append(join_s)
            room -= 1
    return joins


def paid_time(
    spec: TeamSpec,
    streams: Streams,
    *,
    interval_s: float,
    n_intervals: int,
    training_s: float = 0.0,
    trainee_frac: float = 0.0,
) -> PaidTime:
    """Paid time of one team in one replication (module docstring).

    Parameters
    ----------
    spec:
        The team as the model ran it (roster, headcount, hires' production starts, cap).
    streams:
        The replication's streams (the ``"attrition"`` stream of the team is replayed).
    interval_s, n_intervals:
        The interval grid of the horizon.
    training_s:
        Training length before a hire's production start.
    trainee_frac:
        Share of calendar time a hire in training is paid (:func:`trainee_paid_frac`).
    """
    horizon_s = interval_s * n_intervals
    edges_s = np.arange(n_intervals + 1, dtype=np.float64) * interval_s
    scheduled = np.asarray(spec.scheduled, np.float64)
    if spec.headcount is None:
        return PaidTime(scheduled * interval_s, np.zeros(n_intervals), np.zeros(n_intervals))
    events = workforce_events(spec, streams.rng("attrition", spec.name), horizon_s)
    paid = np.zeros(n_intervals)
    if spec.headcount > 0:
        paid = scheduled * _headcount_integral(events, edges_s) / spec.headcount
    training = [0.0] * n_intervals
    hires = np.zeros(n_intervals)
    spans = [(join_s - training_s, join_s) for join_s in _trained(spec, events, horizon_s)]
    for begin_s, end_s in [*spans, *spec.dropout_s]:
        add_span(training, max(begin_s, 0.0), min(end_s, horizon_s), interval_s)
        if 0.0 <= begin_s < horizon_s:
            hires[int(begin_s // interval_s)] += 1.0
    return PaidTime(paid, np.asarray(training) * trainee_frac, hires)
