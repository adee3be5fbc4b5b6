"""Numba kernels of the compiled engine's pools: agent lists, shifts, hires and departures.

Mirrors :class:`sim.agents.Pool` (and the agent bookkeeping of :class:`sim.model.ContactCentre`)
on the arrays of :mod:`sim._compiled_layout`: a pool's agents on duty, off duty and idle are
three doubly linked lists kept in the order of the model's deques, so "first on, first off" and
"longest idle first" pick the same agents. Compiled into :func:`sim._compiled_kernels.run`."""

from __future__ import annotations

import math

from numba import njit

from sim._compiled_layout import (
    A_LINK,
    A_NCONT,
    A_ON_DUTY,
    A_POOL,
    A_PRESENT,
    A_PRESENT_SINCE,
    A_PRODUCTION,
    A_VERSION,
    F_INTERVAL,
    F_PER_INTERVAL,
    F_WHOLE_INTERVAL,
    L_IDLE,
    L_OFF,
    L_ON,
    N_AGENTF,
    N_TABLES,
    O_AGENT,
    O_AGENTF,
    O_AVAIL,
    O_POOL,
    O_POOLF,
    O_SCHED,
    O_STAFFED,
    P_EMPLOYED,
    P_HEADCOUNT,
    P_LISTS,
    P_SHRINK,
    S_AGENT_CAP,
    S_N,
    X_NEXT_AGENT,
    row_of,
)


@njit(_nrt=False, error_model="numpy", inline="always")
def interval_index(fb, t):
    """Python's ``int(t // interval_s)``. Where that is exact (a whole number of seconds per
    interval, ``t`` in ``[0, 2**52)``, so the products below are exact) without ``fmod``: the
    floor of ``t`` times the reciprocal, corrected by one where it rounded across a whole
    number."""
    interval_s = fb[F_INTERVAL]
    if fb[F_WHOLE_INTERVAL] != 0.0 and 0.0 <= t < 4503599627370496.0:
        q = math.floor(t * fb[F_PER_INTERVAL])
        if q * interval_s > t:
            return q - 1
        if (q + 1) * interval_s <= t:
            return q + 1
        return q
    return int(t // interval_s)


# -- agent lists ----------------------------------------------------------------------------------


@njit(_nrt=False, error_model="numpy", inline="always")
def list_head(ib, p, lst):
    """First agent of list ``lst`` (``L_*``) of pool ``p``, -1 if it is empty."""
    return ib[row_of(ib, O_POOL, p) + P_LISTS + 3 * lst]


@njit(_nrt=False, error_model="numpy", inline="always")
def list_length(ib, p, lst):
    """Number of agents in list ``lst`` of pool ``p``."""
    return ib[row_of(ib, O_POOL, p) + P_LISTS + 3 * lst + 2]


@njit(_nrt=False, error_model="numpy")
def append_agent(ib, p, lst, a):
    """``deque.append``: agent ``a`` at the end of list ``lst`` of pool ``p``."""
    head = row_of(ib, O_POOL, p) + P_LISTS + 3 * lst
    link = row_of(ib, O_AGENT, a) + A_LINK + 2 * lst
    tail = ib[head + 1]
    ib[link], ib[link + 1] = -1, tail
    if tail >= 0:
        ib[row_of(ib, O_AGENT, tail) + A_LINK + 2 * lst] = a
    else:
        ib[head] = a
    ib[head + 1] = a
    ib[head + 2] += 1


@njit(_nrt=False, error_model="numpy")
def remove_agent(ib, p, lst, a):
    """``deque.remove``: agent ``a`` out of list ``lst`` of pool ``p``."""
    head = row_of(ib, O_POOL, p) + P_LISTS + 3 * lst
    link = row_of(ib, O_AGENT, a) + A_LINK + 2 * lst
    following, previous = ib[link], ib[link + 1]
    if previous >= 0:
        ib[row_of(ib, O_AGENT, previous) + A_LINK + 2 * lst] = following
    else:
        ib[head] = following
    if following >= 0:
        ib[row_of(ib, O_AGENT, following) + A_LINK + 2 * lst + 1] = previous
    else:
        ib[head + 1] = previous
    ib[head + 2] -= 1


@njit(_nrt=False, error_model="numpy")
def popleft_agent(ib, p, lst):
    """``deque.popleft``."""
    a = list_head(ib, p, lst)
    remove_agent(ib, p, lst, a)
    return a


@njit(_nrt=False, error_model="numpy")
def add_span(fb, at, start_s, end_s, n):
    """:func:`sim.log.add_span` on the ``n`` per-interval values of ``fb`` from ``at``."""
    interval_s = fb[F_INTERVAL]
    i = interval_index(fb, start_s)
    while start_s < end_s and i < n:
        stop = min(end_s, (i + 1) * interval_s)
        fb[at + i] += stop - start_s
        start_s = stop
        i += 1


# -- pools: sim.agents.Pool -----------------------------------------------------------------------


@njit(_nrt=False, error_model="numpy")
def _new_agent(ib, fb, p, production_start_s):
    """``ContactCentre._new_agent``: the next agent id, off the floor."""
    a = ib[X_NEXT_AGENT]
    if a >= ib[S_AGENT_CAP]:
        raise ValueError("more agents than the bound computed for the pools")
    ib[X_NEXT_AGENT] = a + 1
    row = row_of(ib, O_AGENT, a)
    for column in range(ib[O_AGENT + N_TABLES]):
        ib[row + column] = -1
    ib[row + A_POOL] = p
    ib[row + A_NCONT] = 0
    ib[row + A_ON_DUTY] = 0
    ib[row + A_PRESENT] = 0
    ib[row + A_VERSION] = 0
    rowf = row_of(ib, O_AGENTF, a)
    for column in range(N_AGENTF):
        fb[rowf + column] = 0.0
    fb[rowf + A_PRODUCTION] = production_start_s
    return a


@njit(_nrt=False, error_model="numpy")
def hire(ib, fb, p, production_start_s):
    """``ContactCentre._hire``."""
    a = _new_agent(ib, fb, p, production_start_s)
    ib[row_of(ib, O_POOL, p) + P_EMPLOYED] += 1
    append_agent(ib, p, L_OFF, a)
    return a


@njit(_nrt=False, error_model="numpy")
def _target(ib, fb, p, interval):
    """``Pool.target``."""
    i = min(interval, ib[S_N] - 1)
    headcount = ib[row_of(ib, O_POOL, p) + P_HEADCOUNT]
    if headcount < 0:
        return int(fb[row_of(ib, O_AVAIL, p) + i])
    if headcount == 0:
        return 0
    employed = ib[row_of(ib, O_POOL, p) + P_EMPLOYED]
    scheduled = fb[row_of(ib, O_SCHED, p) + i]
    shrink = fb[row_of(ib, O_POOLF, p) + P_SHRINK]
    return min(math.floor(scheduled * employed / headcount * (1.0 - shrink) + 0.5), employed)


@njit(_nrt=False, error_model="numpy")
def leave_floor(ib, fb, a, now):
    """``Pool.leave_floor``."""
    ib[row_of(ib, O_AGENT, a) + A_PRESENT] = 0
    since = fb[row_of(ib, O_AGENTF, a) + A_PRESENT_SINCE]
    staffed = row_of(ib, O_STAFFED, ib[row_of(ib, O_AGENT, a) + A_POOL])
    add_span(fb, staffed, since, now, ib[S_N])


@njit(_nrt=False, error_model="numpy")
def _set_off_duty(ib, fb, p, a, now):
    """``Pool.set_off_duty``."""
    ib[row_of(ib, O_AGENT, a) + A_ON_DUTY] = 0
    if ib[row_of(ib, O_AGENT, a) + A_NCONT] == 0:
        remove_agent(ib, p, L_IDLE, a)
        leave_floor(ib, fb, a, now)


@njit(_nrt=False, error_model="numpy")
def _set_on_duty(ib, fb, p, a, now):
    """``Pool.set_on_duty``."""
    row = row_of(ib, O_AGENT, a)
    ib[row + A_ON_DUTY] = 1
    append_agent(ib, p, L_ON, a)
    if not ib[row + A_PRESENT]:
        ib[row + A_PRESENT] = 1
        fb[row_of(ib, O_AGENTF, a) + A_PRESENT_SINCE] = now
    if ib[row + A_NCONT] == 0:
        append_agent(ib, p, L_IDLE, a)


@njit(_nrt=False, error_model="numpy")
def rebalance(ib, fb, p, interval, now):
    """``Pool.rebalance``: first on, first off; new agents when nobody is off duty."""
    want = _target(ib, fb, p, interval)
    while list_length(ib, p, L_ON) > want:
        a = popleft_agent(ib, p, L_ON)
        _set_off_duty(ib, fb, p, a, now)
        append_agent(ib, p, L_OFF, a)
    while list_length(ib, p, L_ON) < want:
        off = list_length(ib, p, L_OFF) > 0
        a = popleft_agent(ib, p, L_OFF) if off else _new_agent(ib, fb, p, -math.inf)
        _set_on_duty(ib, fb, p, a, now)


@njit(_nrt=False, error_model="numpy")
def dismiss(ib, fb, p, a, now):
    """``Pool.dismiss``."""
    ib[row_of(ib, O_POOL, p) + P_EMPLOYED] -= 1
    if ib[row_of(ib, O_AGENT, a) + A_ON_DUTY]:
        remove_agent(ib, p, L_ON, a)
        _set_off_duty(ib, fb, p, a, now)
    else:
        remove_agent(ib, p, L_OFF, a)
