"""Numba kernels of the compiled engine's pools: agent lists, shifts, hires and departures.

Mirrors :class:`sim.agents.Pool` (and the agent bookkeeping of :class:`sim.model.ContactCentre`)
on the arrays of :mod:`sim._compiled_layout`: a pool's agents on duty, off duty and idle are
three doubly linked lists kept in the order of the model's deques, so "first on, first off" and
"longest idle first" pick the same agents. Compiled into :func:`sim._compiled_kernels.run`."""

from __future__ import annotations

import math

from sim._compiled_layout import (
    A_CHANNEL,
    A_LINK,
    A_NCONT,
    A_OFF_DUTY_SINCE,
    A_ON_DUTY,
    A_OVERTIME_CHANNEL,
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
    O_OVERTIME,
    O_POOL,
    O_PRESENT,
    O_ROUND,
    O_SCHED,
    O_STAFFED,
    P_EMPLOYED,
    P_HEADCOUNT,
    P_LISTS,
    S_AGENT_CAP,
    S_N,
    X_NEXT_AGENT,
    kernel,
    row_of,
)


@kernel(inline=True)
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


@kernel(inline=True)
def list_head(ib, p, lst):
    """First agent of list ``lst`` (``L_*``) of pool ``p``, -1 if it is empty."""
    return ib[row_of(ib, O_POOL, p) + P_LISTS + 3 * lst]


@kernel(inline=True)
def list_length(ib, p, lst):
    """Number of agents in list ``lst`` of pool ``p``."""
    return ib[row_of(ib, O_POOL, p) + P_LISTS + 3 * lst + 2]


@kernel()
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


@kernel()
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


@kernel()
def popleft_agent(ib, p, lst):
    """``deque.popleft``."""
    a = list_head(ib, p, lst)
    remove_agent(ib, p, lst, a)
    return a


@kernel()
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


@kernel()
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
    fb[rowf + A_OFF_DUTY_SINCE] = math.nan
    return a


@kernel()
def hire(ib, fb, p, production_start_s):
    """``ContactCentre._hire``."""
    a = _new_agent(ib, fb, p, production_start_s)
    ib[row_of(ib, O_POOL, p) + P_EMPLOYED] += 1
    append_agent(ib, p, L_OFF, a)
    return a


@kernel()
def target(ib, fb, p, interval):
    """``Pool.target``."""
    i = min(interval, ib[S_N] - 1)
    headcount = ib[row_of(ib, O_POOL, p) + P_HEADCOUNT]
    if headcount < 0:
        return int(fb[row_of(ib, O_AVAIL, p) + i])
    if headcount == 0:
        return 0
    employed = ib[row_of(ib, O_POOL, p) + P_EMPLOYED]
    scheduled = fb[row_of(ib, O_SCHED, p) + i]
    present = fb[row_of(ib, O_PRESENT, p) + i]
    return min(
        math.floor(scheduled * employed / headcount * present + fb[row_of(ib, O_ROUND, p) + i]),
        employed,
    )


@kernel()
def _end_overtime(ib, fb, a, now):
    """``Pool._end_overtime``: the overtime of an agent finishing after its duty ends now."""
    rowf = row_of(ib, O_AGENTF, a)
    since = fb[rowf + A_OFF_DUTY_SINCE]
    if since == since:  # not NaN: finishing after duty
        channel = ib[row_of(ib, O_AGENT, a) + A_OVERTIME_CHANNEL]
        add_span(fb, row_of(ib, O_OVERTIME, channel), since, now, ib[S_N])
        fb[rowf + A_OFF_DUTY_SINCE] = math.nan


@kernel()
def leave_floor(ib, fb, a, now):
    """``Pool.leave_floor``: presence (and overtime) recorded until ``now``."""
    ib[row_of(ib, O_AGENT, a) + A_PRESENT] = 0
    since = fb[row_of(ib, O_AGENTF, a) + A_PRESENT_SINCE]
    staffed = row_of(ib, O_STAFFED, ib[row_of(ib, O_AGENT, a) + A_POOL])
    add_span(fb, staffed, since, now, ib[S_N])
    _end_overtime(ib, fb, a, now)


@kernel()
def set_off_duty(ib, fb, p, a, now):
    """``Pool.set_off_duty``: an idle agent leaves now, a busy one starts its overtime."""
    row = row_of(ib, O_AGENT, a)
    ib[row + A_ON_DUTY] = 0
    if ib[row + A_NCONT] == 0:
        remove_agent(ib, p, L_IDLE, a)
        leave_floor(ib, fb, a, now)
    else:
        fb[row_of(ib, O_AGENTF, a) + A_OFF_DUTY_SINCE] = now
        ib[row + A_OVERTIME_CHANNEL] = ib[row + A_CHANNEL]


@kernel()
def leave_duty(ib, fb, p, a, now):
    """``Pool._leave_duty``: an agent with empty hands, no longer on duty nor idle, goes off
    duty now."""
    ib[row_of(ib, O_AGENT, a) + A_ON_DUTY] = 0
    leave_floor(ib, fb, a, now)
    append_agent(ib, p, L_OFF, a)


@kernel()
def _set_on_duty(ib, fb, p, a, now):
    """``Pool.set_on_duty``."""
    row = row_of(ib, O_AGENT, a)
    ib[row + A_ON_DUTY] = 1
    append_agent(ib, p, L_ON, a)
    if not ib[row + A_PRESENT]:
        ib[row + A_PRESENT] = 1
        fb[row_of(ib, O_AGENTF, a) + A_PRESENT_SINCE] = now
    _end_overtime(ib, fb, a, now)
    if ib[row + A_NCONT] == 0:
        append_agent(ib, p, L_IDLE, a)


@kernel()
def rebalance(ib, fb, p, want, now):
    """``Pool.rebalance`` after the hand-back steps (``sim._compiled_contacts.rebalance``):
    ``want`` agents on duty, first on, first off; new agents when nobody is off duty."""
    while list_length(ib, p, L_ON) > want:
        a = popleft_agent(ib, p, L_ON)
        set_off_duty(ib, fb, p, a, now)
        append_agent(ib, p, L_OFF, a)
    while list_length(ib, p, L_ON) < want:
        off = list_length(ib, p, L_OFF) > 0
        a = popleft_agent(ib, p, L_OFF) if off else _new_agent(ib, fb, p, -math.inf)
        _set_on_duty(ib, fb, p, a, now)


@kernel()
def dismiss(ib, fb, p, a, now):
    """``Pool.dismiss``."""
    ib[row_of(ib, O_POOL, p) + P_EMPLOYED] -= 1
    if ib[row_of(ib, O_AGENT, a) + A_ON_DUTY]:
        remove_agent(ib, p, L_ON, a)
        set_off_duty(ib, fb, p, a, now)
    else:
        remove_agent(ib, p, L_OFF, a)
