"""Numba kernels for chat (agents holding several chats) and deferrable backlogs (private)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

import staffing._numba_cache  # noqa: F401  (before any kernel is decorated)
from staffing._kernels import (
    N_MEASURES,
    TARGETS,
    meets_targets,
    queue_measures,
    row_ratios,
    row_targets,
    scale_times,
    zero_load_measures,
)

_CEIL_SLACK = 1e-9
"""Rounding slack before ``ceil`` so that 15.000000000000002 agents stay 15."""


@njit(cache=True)
def _departure_units(chats, agents, speeds):
    """Completion rate (in units of μ) with ``chats`` chats balanced over ``agents`` agents.

    ``q = ⌊n/N⌋`` chats each on ``N − r`` agents and ``q + 1`` on ``r = n mod N`` agents; an agent
    holding ``k`` chats completes at ``k·speeds[k−1]·μ``.
    """
    per_agent = chats // agents
    extra = chats - per_agent * agents
    rate = 0.0
    if per_agent > 0:
        rate += (agents - extra) * per_agent * speeds[per_agent - 1]
    if extra > 0:
        rate += extra * (per_agent + 1) * speeds[per_agent]
    return rate


@njit(cache=True)
def chat_no_wait_mass(agents, load, speeds):
    """``J = Σ_{n<M} π_n / π_M`` of the chat birth-death chain, ``M = N·K`` chat slots.

    Same reciprocal recursion as Erlang B, ``I_n = 1 + (d_n / A)·I_{n−1}`` with the balanced
    departure rate ``d_n`` instead of ``n``; ``J = (d_M / A)·I_{M−1}``.
    """
    if agents == 0:
        return 0.0
    slots = agents * speeds.size
    inv = 1.0
    for chats in range(1, slots):
        inv = 1.0 + inv * (_departure_units(chats, agents, speeds) / load)
    return _departure_units(slots, agents, speeds) / load * inv


@njit(cache=True)
def _chat_measures(agents, load, ratios, definition, speeds, row):
    """Chat measures of ``agents`` agents (times in AHT units) into ``row``."""
    if load <= 0.0:
        zero_load_measures(row)
        return
    capacity = agents * speeds.size * speeds[speeds.size - 1]
    queue_measures(
        chat_no_wait_mass(agents, load, speeds),
        capacity,
        load,
        ratios[0],
        ratios[1],
        ratios[2],
        definition,
        row,
    )


@njit(cache=True)
def chat_metrics_kernel(agents, load, settings, definition, speeds, out):
    """Chat measures per row into ``out`` (rows × ``N_MEASURES``), times in seconds;
    ``settings`` as for :func:`staffing._kernels.erlang_metrics_kernel`."""
    ratios = np.empty(3)
    for i in range(load.size):
        aht = row_ratios(settings, i, ratios)
        _chat_measures(int(agents[i]), load[i], ratios, definition, speeds, out[i])
        scale_times(out, i, aht)


@njit(cache=True)
def required_chat_kernel(load, settings, definition, speeds, out):
    """Smallest number of chat agents meeting every non-NaN target, per row; ``settings`` as
    for :func:`staffing._kernels.required_erlang_kernel`.

    The chain changes with the number of agents, so each candidate is evaluated afresh
    (``O(N·K)``); the search starts at ``A/c + β·√(A/c)`` (``c = K·speeds[K−1]`` chats' worth
    of capacity per agent, ``β`` from the previous row) and walks down or up by one agent.
    """
    ratios = np.empty(3)
    targets = np.empty(len(TARGETS))
    row = np.empty(N_MEASURES)
    per_agent = speeds.size * speeds[speeds.size - 1]
    beta = 1.0
    for i in range(load.size):
        a = load[i]
        if a <= 0.0:
            out[i] = 0.0
            continue
        aht = row_ratios(settings, i, ratios)
        row_targets(settings, i, aht, targets)
        lowest = 1
        if math.isnan(ratios[0]):
            lowest = max(lowest, math.floor(a / per_agent) + 1)
        agent_load = a / per_agent
        n = max(lowest, int(agent_load + beta * math.sqrt(agent_load)))
        if _chat_meets(n, a, ratios, definition, speeds, targets, row):
            while n > lowest and _chat_meets(n - 1, a, ratios, definition, speeds, targets, row):
                n -= 1
        else:
            n += 1
            while not _chat_meets(n, a, ratios, definition, speeds, targets, row):
                n += 1
        out[i] = n
        beta = (n - agent_load) / math.sqrt(agent_load)


@njit(cache=True)
def _chat_meets(agents, load, ratios, definition, speeds, targets, row):
    _chat_measures(agents, load, ratios, definition, speeds, row)
    return meets_targets(row, targets[0], targets[1], targets[2], targets[3], targets[4])


@njit(cache=True)
def backlog_required_kernel(arrivals, due, work_s, open_capacity_s, lookahead, out):
    """Agents per interval so that every contact is answered by the end of its due interval.

    ``arrivals[i]`` contacts arrive in interval ``i`` and are due by the end of interval
    ``due[i]`` (≥ i; ``n`` or more when the deadline falls after the horizon, which asks
    nothing of it). ``work_s[j]`` is the handle time of a contact worked in ``j``;
    ``open_capacity_s[j]`` the seconds one agent works in ``j`` (0 when closed). Work is done
    first in, first out and only once it has arrived. In each open interval the agents are the
    smallest constant staffing from this interval on that meets every deadline in the next
    ``lookahead`` intervals (the minimum constant rate), which levels the peaks a just-in-time
    rule would give at opening.
    """
    n = arrivals.size
    due_by = np.zeros(n)
    for i in range(n):
        if due[i] < n:
            due_by[int(due[i])] += arrivals[i]
    due_cum = np.cumsum(due_by)
    arrived_cum = np.cumsum(arrivals)
    done = 0.0
    for j in range(n):
        if open_capacity_s[j] <= 0.0:
            out[j] = 0.0
            continue
        need = 0.0
        per_agent = 0.0
        for k in range(j, min(n, j + lookahead + 1)):
            per_agent += open_capacity_s[k] / work_s[k]
            if per_agent > 0.0:
                need = max(need, (due_cum[k] - done) / per_agent)
        agents = max(0.0, math.ceil(need - _CEIL_SLACK))
        out[j] = agents
        done = min(arrived_cum[j], done + agents * open_capacity_s[j] / work_s[j])


@njit(cache=True)
def backlog_on_time_kernel(arrivals, due, work_s, open_capacity_s, agents, out):
    """Fraction of each interval's arrivals answered by the end of its due interval (fluid FIFO).

    The contacts of interval ``i`` occupy positions ``(C_{i−1}, C_i]`` of the cumulative
    arrivals; those at or below the work done by the end of ``due[i]`` are on time. NaN for an
    interval without arrivals or due after the horizon.
    """
    n = arrivals.size
    done_by = np.empty(n)
    done = 0.0
    arrived = 0.0
    for j in range(n):
        arrived += arrivals[j]
        done = min(arrived, done + agents[j] * open_capacity_s[j] / work_s[j])
        done_by[j] = done
    before = 0.0
    for i in range(n):
        if arrivals[i] <= 0.0 or due[i] >= n:
            out[i] = math.nan
        else:
            finished = done_by[int(due[i])] - before
            out[i] = min(1.0, max(0.0, finished / arrivals[i]))
        before += arrivals[i]


@njit(cache=True)
def fluid_served_kernel(arrivals, capacity, served, backlog):
    """Fluid first-in-first-out service: ``backlog[j]`` contacts wait at the start of interval
    ``j`` and ``served[j] = min(backlog[j] + arrivals[j], capacity[j])`` finish in it."""
    waiting = 0.0
    for j in range(arrivals.size):
        backlog[j] = waiting
        done = min(waiting + arrivals[j], capacity[j])
        served[j] = done
        waiting = waiting + arrivals[j] - done
