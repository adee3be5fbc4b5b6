"""Deferrable channels (email, social): agents that answer every contact within its response
target, honouring opening hours.

Method (a fluid, first-in-first-out backlog; deterministic expected volumes)
---------------------------------------------------------------------------
1. **Deadlines.** With ``h = ⌊response / interval⌋`` intervals, contacts arriving in an open
   interval ``i`` are due by the end of interval ``i + h``; a contact arriving at ``s_i + u``
   is then due at ``s_{i+h} + u`` at the latest, so a uniform first-in-first-out flow meets it
   exactly. With ``business_hours`` the ``h`` intervals are counted in open intervals only and a
   contact arriving while closed starts its clock at the next opening. Without it the deadline
   is wall-clock; work whose deadline falls while the channel is closed must be finished before
   it closes, or, if it arrived after closing, as soon as it reopens (it is late regardless).
   Deadlines after the horizon ask nothing of it.
2. **Agents.** Work is done in arrival order and only after it arrives. In each open interval
   the agents are the smallest whole number that, kept constant from this interval on, meets
   every deadline in the next ``h`` intervals (the minimum constant rate over the response
   window, whose work has already arrived), so a backlog found at opening is spread over the
   intervals before its deadline instead of landing on the last one.
3. **Predicted service level** of given agents: the share of each interval's contacts finished
   by its deadline under the same fluid flow.

The fluid model answers every contact within the target; it ignores the randomness of arrivals
and handle times, and the service-level target fraction does not lower the staffing. The
simulation measures the real share answered in time. Handle time is taken at the interval in
which the work is done. See Bhulai and Koole (2003) for blending such work with calls.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from scenarios.errors import InputError
from staffing import _channel_kernels as ck
from staffing._inputs import check_array

__all__ = ["backlog_on_time", "due_intervals", "required_backlog_agents"]


def due_intervals(
    is_open: ArrayLike, *, interval_s: float, response_s: float, business_hours: bool
) -> np.ndarray:
    """Index of the interval by whose end each interval's arrivals must be answered.

    Returns an int64 array; ``len(is_open)`` marks a deadline after the horizon.
    """
    is_open = np.asarray(is_open, dtype=bool)
    if is_open.ndim != 1:
        raise InputError(f"is_open must be a 1-D array (got shape {is_open.shape}).")
    check_array("interval_s", interval_s, positive=True)
    check_array("response_s", response_s)
    n = is_open.size
    steps = math.floor(response_s / interval_s + 1e-9)
    open_index = np.flatnonzero(is_open)
    if open_index.size == 0:
        return np.full(n, n, dtype=np.int64)
    rank = np.cumsum(is_open)  # open intervals up to and including i
    if business_hours:
        due_rank = np.where(is_open, rank + steps, rank + max(steps, 1))
        due = np.full(n, n, dtype=np.int64)
        inside = due_rank <= open_index.size
        due[inside] = open_index[due_rank[inside] - 1]
        return due
    wall = np.arange(n) + steps
    due = np.full(n, n, dtype=np.int64)
    inside = wall < n
    last_open = np.where(rank > 0, open_index[np.maximum(rank - 1, 0)], -1)
    clipped = np.minimum(wall, n - 1)
    before = last_open[clipped]
    next_rank = rank[clipped]  # open intervals up to the deadline; the next one is this rank
    after = np.where(
        next_rank < open_index.size, open_index[np.minimum(next_rank, open_index.size - 1)], n
    )
    arrived_before_close = before >= np.arange(n)
    due[inside] = np.where(arrived_before_close, before, after)[inside]
    return due


def _prepare(
    arrivals: ArrayLike,
    aht_s: ArrayLike,
    is_open: ArrayLike,
    interval_s: float,
    response_s: float,
    business_hours: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    arrivals = np.atleast_1d(check_array("arrivals", arrivals))
    work_s = np.broadcast_to(check_array("aht_s", aht_s, positive=True), arrivals.shape)
    is_open = np.asarray(is_open, dtype=bool)
    if is_open.shape != arrivals.shape:
        raise InputError(
            f"is_open must have the length of arrivals ({arrivals.size}, got {is_open.size})."
        )
    due = due_intervals(
        is_open, interval_s=interval_s, response_s=response_s, business_hours=business_hours
    )
    capacity_s = np.where(is_open, float(interval_s), 0.0)
    return arrivals, np.ascontiguousarray(work_s, dtype=np.float64), due, capacity_s


def required_backlog_agents(
    arrivals: ArrayLike,
    aht_s: ArrayLike,
    is_open: ArrayLike,
    *,
    interval_s: float,
    response_s: float,
    business_hours: bool,
) -> np.ndarray:
    """Agents per interval answering every contact within ``response_s`` (see module notes).

    Parameters
    ----------
    arrivals : array
        Expected contacts arriving per interval (also while closed: they wait).
    aht_s : float or array
        Handle time per contact in seconds.
    is_open : array of bool
        Whether agents work the channel in the interval.
    interval_s, response_s : float
        Interval length and response target in seconds.
    business_hours : bool
        Count the response target in opening hours only.

    Returns
    -------
    numpy.ndarray of int64
        Agents per interval; 0 while closed.
    """
    arrivals, work_s, due, capacity_s = _prepare(
        arrivals, aht_s, is_open, interval_s, response_s, business_hours
    )
    window = math.floor(response_s / interval_s + 1e-9)
    out = np.empty(arrivals.size)
    ck.backlog_required_kernel(arrivals, due.astype(np.float64), work_s, capacity_s, window, out)
    return out.astype(np.int64)


def backlog_on_time(
    arrivals: ArrayLike,
    aht_s: ArrayLike,
    is_open: ArrayLike,
    agents: ArrayLike,
    *,
    interval_s: float,
    response_s: float,
    business_hours: bool,
) -> np.ndarray:
    """Share of each interval's arrivals answered by its deadline with ``agents`` per interval.

    NaN where nothing arrives or the deadline falls after the horizon.
    """
    arrivals, work_s, due, capacity_s = _prepare(
        arrivals, aht_s, is_open, interval_s, response_s, business_hours
    )
    agents = np.broadcast_to(check_array("agents", agents), arrivals.shape).astype(np.float64)
    out = np.empty(arrivals.size)
    ck.backlog_on_time_kernel(arrivals, due.astype(np.float64), work_s, capacity_s, agents, out)
    return out
