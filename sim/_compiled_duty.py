"""Numba kernels of the compiled engine's end of duty: a roster drop or a leaver of a team with
``end_of_duty: hand_back``, whose busy agents hand their contacts back to the head of their queue.

Mirrors :meth:`sim.model.ContactCentre._hand_back` and the hand-back steps of
:meth:`sim.agents.Pool.rebalance` and :meth:`sim.agents.Pool.dismiss` on the arrays of
:mod:`sim._compiled_layout`, then hands over to :mod:`sim._compiled_pools` for the rest (a
``finish_contact`` team's busy agents start their overtime there). Compiled into
:func:`sim._compiled_kernels.run`."""

from __future__ import annotations

from sim import _compiled_contacts as contacts
from sim import _compiled_pools as pools
from sim._compiled_layout import (
    A_BUSY_SINCE,
    A_CHANNEL,
    A_CONT,
    A_NCONT,
    A_ON_DUTY,
    A_VERSION,
    C_MAX_CHATS,
    K_DONE_AT,
    K_QNEXT,
    K_REMAINING,
    K_STATE,
    K_TIMER,
    K_WORK,
    L_IDLE,
    L_ON,
    O_AGENT,
    O_AGENTF,
    O_BUSY,
    O_CH,
    O_POOL,
    P_HAND_BACK,
    Q_HEAD,
    Q_TAIL,
    Q_WAITING,
    S_N,
    WAITING,
    contact_rows,
    kernel,
    row_of,
)


@kernel()
def hand_back(ib, fb, a, now):
    """``ContactCentre._hand_back``: the agent's contacts go back to the head of their queue,
    in order, with the work still to do (a single contact's end of service cancelled, a chat
    agent's timer made stale)."""
    row = row_of(ib, O_AGENT, a)
    n = ib[row + A_NCONT]
    if n == 0:
        return
    ch = ib[row + A_CHANNEL]
    c = row_of(ib, O_CH, ch)
    if ib[c + C_MAX_CHATS] == 1:
        kc, kf = contact_rows(ib, ib[row + A_CONT])
        ib[kc + K_TIMER] += 1  # the end of service on the calendar is no longer live
        fb[kf + K_REMAINING] = fb[kf + K_DONE_AT] - now
    else:
        contacts.progress(ib, fb, a, ch, now)
        ib[row + A_VERSION] += 1  # the chat timer is stale
        for j in range(n):
            kf = contact_rows(ib, ib[row + A_CONT + j])[1]
            work = fb[kf + K_WORK]
            fb[kf + K_REMAINING] = 0.0 if work < 0.0 else work  # Python's max(work, 0.0)
    since = fb[row_of(ib, O_AGENTF, a) + A_BUSY_SINCE]
    pools.add_span(fb, row_of(ib, O_BUSY, ch), since, now, ib[S_N])
    for j in range(n - 1, -1, -1):  # appendleft in reverse: the contacts keep their order
        k = ib[row + A_CONT + j]
        kc = contact_rows(ib, k)[0]
        ib[kc + K_STATE] = WAITING
        ib[kc + K_QNEXT] = ib[c + Q_HEAD]
        if ib[c + Q_HEAD] < 0:
            ib[c + Q_TAIL] = k
        ib[c + Q_HEAD] = k
        ib[c + Q_WAITING] += 1
    ib[row + A_NCONT] = 0
    ib[row + A_CHANNEL] = -1


@kernel()
def rebalance(m, p, interval, now):
    """``Pool.rebalance``: with ``hand_back`` idle agents go off first (longest idle first),
    then busy ones (first on, first off) hand their contacts back; then
    :func:`sim._compiled_pools.rebalance`."""
    ib, fb = m.ib, m.fb
    want = pools.target(ib, fb, p, interval)
    if ib[row_of(ib, O_POOL, p) + P_HAND_BACK]:
        while pools.list_length(ib, p, L_ON) > want and pools.list_head(ib, p, L_IDLE) >= 0:
            a = pools.popleft_agent(ib, p, L_IDLE)
            pools.remove_agent(ib, p, L_ON, a)
            pools.leave_duty(ib, fb, p, a, now)
        while pools.list_length(ib, p, L_ON) > want:
            a = pools.popleft_agent(ib, p, L_ON)
            hand_back(ib, fb, a, now)
            pools.leave_duty(ib, fb, p, a, now)
    pools.rebalance(ib, fb, p, want, now)


@kernel()
def dismiss(m, p, a, now):
    """``Pool.dismiss``: with ``hand_back`` a busy leaver on duty hands its contacts back
    first."""
    ib, fb = m.ib, m.fb
    row = row_of(ib, O_AGENT, a)
    if ib[row_of(ib, O_POOL, p) + P_HAND_BACK] and ib[row + A_ON_DUTY] and ib[row + A_NCONT]:
        hand_back(ib, fb, a, now)
        pools.append_agent(ib, p, L_IDLE, a)  # set_off_duty takes it from idle, as the model
    pools.dismiss(ib, fb, p, a, now)
