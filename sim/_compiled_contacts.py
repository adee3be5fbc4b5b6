"""Numba kernels of the compiled engine's contacts: a contact's way through the model (arrival,
queue, answer, chat progress, outcome, repeat or redial, tier 2).

Mirrors the contact methods of :class:`sim.model.ContactCentre` (each function names the method)
on the arrays of :mod:`sim._compiled_layout`, with the same arithmetic in the same order so that
times and decisions come out bit for bit the same. Compiled into
:func:`sim._compiled_kernels.run`."""

from __future__ import annotations

import math

import numpy as np

from sim import _compiled_pools as pools
from sim._compiled_calendar import after
from sim._compiled_layout import (
    A_BUSY_SINCE,
    A_CHANNEL,
    A_CONT,
    A_LINK,
    A_NCONT,
    A_ON_DUTY,
    A_POOL,
    A_PRODUCTION,
    A_SINCE,
    A_VERSION,
    ABANDONED,
    ANSWERED,
    C_CS_BASE,
    C_CS_ESC,
    C_CS_RATE,
    C_CS_UNRES,
    C_CS_WAIT,
    C_CSAT,
    C_ESC_CODE,
    C_FD_OFF,
    C_MAX_CHATS,
    C_POOL,
    C_RD_OFF,
    C_REALTIME,
    C_RED_MEAN,
    C_RED_P,
    C_REDIAL,
    C_REP_MEAN,
    C_REP_P,
    C_REPEAT,
    C_REPEAT_TO,
    C_SPEED,
    D_CSAT,
    D_ESC,
    D_FCR,
    D_HANDLE,
    D_PATIENCE,
    D_RED_D,
    D_RED_U,
    D_REP_D,
    D_REP_U,
    DONE,
    EV_CHAT,
    EV_DONE,
    EV_PATIENCE,
    EV_RETRY,
    EV_T2,
    F_HORIZON,
    F_INTERVAL,
    F_NOW,
    F_T2_MEAN,
    FIRST,
    K_AGENT,
    K_ANSWER,
    K_ARRIVAL,
    K_BUSINESS_WAIT,
    K_CH,
    K_CSAT,
    K_DONE_AT,
    K_END,
    K_ESC,
    K_FCR_PENALTY,
    K_OUTCOME,
    K_PARENT,
    K_QNEXT,
    K_REMAINING,
    K_RESOLVED,
    K_ROW,
    K_STATE,
    K_T2_RESPONSE,
    K_T2NEXT,
    K_TIMER,
    K_TYPE,
    K_WAITED,
    K_WORK,
    L_IDLE,
    L_ON,
    N_CF,
    N_CI,
    N_DRAWS,
    NOT_OFFERED,
    O_AGENT,
    O_AGENTF,
    O_BUSY,
    O_CH,
    O_CHF,
    O_FD,
    O_OPEN_BEFORE,
    O_POOL,
    O_POOLF,
    O_RD,
    O_T2D,
    P_AHT_M,
    P_CH,
    P_FCR_P,
    P_LEARNING,
    P_NCH,
    P_WEEKS,
    Q_DOWN,
    Q_FIRST_USED,
    Q_HEAD,
    Q_RETRY_USED,
    Q_TAIL,
    Q_WAITING,
    REDIAL,
    REPEAT,
    S_HAS_T2,
    S_N,
    S_NFIRST,
    S_OUTAGE_QUEUE,
    SERVING,
    T_AHT,
    T_ESC,
    T_FCR,
    T_OPEN,
    T_PATIENCE,
    WAITING,
    X_ENDED,
    X_NEXT_CONTACT,
    X_T2_BUSY,
    X_T2_CAP,
    X_T2_HEAD,
    X_T2_QUEUED,
    X_T2_TAIL,
    X_T2_USED,
    channel_table,
    contact_rows,
    kernel,
    row_of,
)
from sim.agents import WEEK_S


@kernel(inline=True)
def _open_s_until(ib, fb, ch, t):
    """``ContactLog._open_s_until`` of one time: open seconds of channel ``ch`` from the horizon
    start to ``t``."""
    n = ib[S_N]
    i = min(pools.interval_index(fb, t), n)
    before = fb[row_of(ib, O_OPEN_BEFORE, ch) + i]
    if i < n and fb[channel_table(ib, T_OPEN, ch, i)] != 0.0:
        return before + (t - i * fb[F_INTERVAL])
    return before


@kernel(inline=True)
def _interval(m, t):
    """The interval of time ``t``, kept below ``n`` (the model would fail there instead)."""
    return min(pools.interval_index(m.fb, t), m.ib[S_N] - 1)


@kernel(inline=True)
def stop_waiting(ib, fb, k, t):
    """Contact ``k`` stopped waiting at ``t``: its ``waited_until_s`` and business-hours wait
    (``ContactLog.frame``'s ``business_wait_s``)."""
    kc, kf = contact_rows(ib, k)
    ch = ib[kc + K_CH]
    fb[kf + K_WAITED] = t
    fb[kf + K_BUSINESS_WAIT] = _open_s_until(ib, fb, ch, t) - _open_s_until(
        ib, fb, ch, fb[kf + K_ARRIVAL]
    )


@kernel(inline=True)
def _draw(ib, fb, k, column):
    """Contact ``k``'s number of the draw ``column`` (``D_*``)."""
    kc = contact_rows(ib, k)[0]
    row = ib[kc + K_ROW]
    if ib[kc + K_TYPE] == FIRST:
        return fb[np.uint64(ib[O_FD] + column * ib[S_NFIRST] + row)]
    row += ib[row_of(ib, O_CH, ib[kc + K_CH]) + C_RD_OFF]
    return fb[np.uint64(ib[O_RD] + row * N_DRAWS + column)]


@kernel(inline=True)
def _queue_pop(ib, ch):
    """``ContactCentre._pop``: the first contact of the queue still waiting, else -1."""
    c = row_of(ib, O_CH, ch)
    k = ib[c + Q_HEAD]
    while k >= 0:
        kc = contact_rows(ib, k)[0]
        following = ib[kc + K_QNEXT]
        ib[c + Q_HEAD] = following
        if following < 0:
            ib[c + Q_TAIL] = -1
        if ib[kc + K_STATE] == WAITING:
            ib[c + Q_WAITING] -= 1
            return k
        k = following
    return -1


@kernel(inline=True)
def _free_agent(ib, ch):
    """``ContactCentre._free_agent``: the longest-idle agent, else (chat) the least loaded one."""
    p = ib[row_of(ib, O_CH, ch) + C_POOL]
    if pools.list_head(ib, p, L_IDLE) >= 0:
        return pools.popleft_agent(ib, p, L_IDLE)
    fewest = ib[row_of(ib, O_CH, ch) + C_MAX_CHATS]
    best = -1
    if fewest == 1:
        return best
    a = pools.list_head(ib, p, L_ON)
    while a >= 0:
        row = row_of(ib, O_AGENT, a)
        k = ib[row + A_NCONT]
        if k < fewest and ib[row + A_CHANNEL] == ch:
            best, fewest = a, k
            if k == 1:
                break
        a = ib[row + A_LINK + 2 * L_ON]
    return best


@kernel(inline=True)
def progress(ib, fb, a, ch, now):
    """``ContactCentre._progress``: advance the remaining work of the agent's chats to ``now``."""
    row, rowf = row_of(ib, O_AGENT, a), row_of(ib, O_AGENTF, a)
    n = ib[row + A_NCONT]
    if n:
        done = (now - fb[rowf + A_SINCE]) * fb[row_of(ib, O_CHF, ch) + C_SPEED + n - 1]
        for j in range(n):
            fb[contact_rows(ib, ib[row + A_CONT + j])[1] + K_WORK] -= done
    fb[rowf + A_SINCE] = now


@kernel(inline=True)
def _replan(ib, fb, a, ch):
    """``ContactCentre._replan``: a timer for the chat with the least remaining work."""
    row = row_of(ib, O_AGENT, a)
    ib[row + A_VERSION] += 1
    n = ib[row + A_NCONT]
    if n:
        first = ib[row + A_CONT]
        work = fb[contact_rows(ib, first)[1] + K_WORK]
        for j in range(1, n):
            k = ib[row + A_CONT + j]
            other = fb[contact_rows(ib, k)[1] + K_WORK]
            if other < work:
                first, work = k, other
        if work < 0.0:
            work = 0.0
        speed = fb[row_of(ib, O_CHF, ch) + C_SPEED + n - 1]
        after(ib, fb, work / speed, EV_CHAT, a, ib[row + A_VERSION], first)


@kernel(inline=True)
def _start(ib, fb, a, k, ch, now, i):
    """``ContactCentre._start``: agent ``a`` answers contact ``k`` of channel ``ch`` at ``now``;
    a contact handed back at an end of duty resumes its remaining work."""
    kc, kf = contact_rows(ib, k)
    ib[kc + K_STATE] = SERVING
    ib[kc + K_AGENT] = a
    row = row_of(ib, O_AGENT, a)
    work = fb[kf + K_REMAINING]
    if work != work:  # NaN: not handed back
        fb[kf + K_ANSWER] = now
        p = ib[row + A_POOL]
        work = _draw(ib, fb, k, D_HANDLE) * fb[channel_table(ib, T_AHT, ch, i)]
        fb[kf + K_FCR_PENALTY] = 0.0
        if ib[row_of(ib, O_POOL, p) + P_LEARNING]:
            f = 0.0
            start = fb[row_of(ib, O_AGENTF, a) + A_PRODUCTION]
            if start != -math.inf:
                f = 1.0 - (now - start) / WEEK_S / fb[row_of(ib, O_POOLF, p) + P_WEEKS]
                if not f > 0.0:
                    f = 0.0
            work *= 1.0 + (fb[row_of(ib, O_POOLF, p) + P_AHT_M] - 1.0) * f
            fb[kf + K_FCR_PENALTY] = fb[row_of(ib, O_POOLF, p) + P_FCR_P] * f
    n = ib[row + A_NCONT]
    if n == 0:
        fb[row_of(ib, O_AGENTF, a) + A_BUSY_SINCE] = now
        ib[row + A_CHANNEL] = ch
    if ib[row_of(ib, O_CH, ch) + C_MAX_CHATS] == 1:
        ib[row + A_CONT + n] = k
        ib[row + A_NCONT] = n + 1
        fb[kf + K_DONE_AT] = now + work
        ib[kc + K_TIMER] += 1  # the end of service below is the contact's live timer
        after(ib, fb, work, EV_DONE, k, ib[kc + K_TIMER], 0)
    else:
        progress(ib, fb, a, ch, now)
        fb[kf + K_WORK] = work
        ib[row + A_CONT + n] = k
        ib[row + A_NCONT] = n + 1
        _replan(ib, fb, a, ch)


@kernel()
def _take_work(m, a, now):
    """``ContactCentre._take_work``: start the next waiting contact(s) the agent may take."""
    ib, fb = m.ib, m.fb
    if ib[X_ENDED]:
        return False
    row = row_of(ib, O_AGENT, a)
    p = ib[row + A_POOL]
    i = _interval(m, now)
    busy = ib[row + A_NCONT] > 0
    for j in range(1 if busy else ib[row_of(ib, O_POOL, p) + P_NCH]):
        ch = ib[row + A_CHANNEL] if busy else ib[row_of(ib, O_POOL, p) + P_CH + j]
        c = row_of(ib, O_CH, ch)
        if ib[c + Q_WAITING] == 0 or ib[c + Q_DOWN] != 0:
            continue
        if not (ib[c + C_REALTIME] or fb[channel_table(ib, T_OPEN, ch, i)] != 0.0):
            continue
        taken = False
        while ib[row + A_NCONT] < ib[c + C_MAX_CHATS]:
            k = _queue_pop(ib, ch)
            if k < 0:
                break
            _start(ib, fb, a, k, ch, now, i)
            taken = True
        if taken:
            return True
    return False


@kernel()
def dispatch(m, p, now):
    """``ContactCentre._dispatch``: waiting work to idle agents, then to chat agents with room."""
    ib = m.ib
    while pools.list_head(ib, p, L_IDLE) >= 0 and _take_work(
        m, pools.list_head(ib, p, L_IDLE), now
    ):
        pools.popleft_agent(ib, p, L_IDLE)
    a = pools.list_head(ib, p, L_ON)
    while a >= 0:
        row = row_of(ib, O_AGENT, a)
        n = ib[row + A_NCONT]
        if n and n < ib[row_of(ib, O_CH, ib[row + A_CHANNEL]) + C_MAX_CHATS]:
            _take_work(m, a, now)
        a = ib[row + A_LINK + 2 * L_ON]


@kernel()
def arrive(m, ch, ctype, parent):
    """``ContactCentre._arrive``: a new contact of channel ``ch`` now, with its row of draws."""
    ib, fb = m.ib, m.fb
    now = fb[F_NOW]
    k = ib[X_NEXT_CONTACT]
    ib[X_NEXT_CONTACT] = k + 1
    kc, kf = contact_rows(ib, k)
    for column in range(N_CI):
        ib[kc + column] = -1
    ib[kc + K_CH], ib[kc + K_TYPE], ib[kc + K_PARENT] = ch, ctype, parent
    ib[kc + K_RESOLVED], ib[kc + K_ESC] = 0, 0
    for column in range(N_CF):
        fb[kf + column] = math.nan
    fb[kf + K_ARRIVAL] = now
    c = row_of(ib, O_CH, ch)
    used = c + (Q_FIRST_USED if ctype == FIRST else Q_RETRY_USED)
    ib[kc + K_ROW] = ib[used] + (ib[c + C_FD_OFF] if ctype == FIRST else 0)
    ib[used] += 1
    i = _interval(m, now)
    realtime = ib[c + C_REALTIME] != 0
    down = ib[c + Q_DOWN] != 0
    is_open = fb[channel_table(ib, T_OPEN, ch, i)] != 0.0
    if realtime and (not is_open or (down and not ib[S_OUTAGE_QUEUE])):
        ib[kc + K_STATE] = DONE
        ib[kc + K_OUTCOME] = NOT_OFFERED
        return
    if not down and (realtime or is_open):
        a = _free_agent(ib, ch)
        if a >= 0:
            _start(ib, fb, a, k, ch, now, i)
            return
    ib[kc + K_STATE] = WAITING
    tail = ib[c + Q_TAIL]
    if tail >= 0:
        ib[contact_rows(ib, tail)[0] + K_QNEXT] = k
    else:
        ib[c + Q_HEAD] = k
    ib[c + Q_TAIL] = k
    ib[c + Q_WAITING] += 1
    patience = _draw(ib, fb, k, D_PATIENCE) * fb[channel_table(ib, T_PATIENCE, ch, i)]
    if patience < math.inf:
        after(ib, fb, patience, EV_PATIENCE, k, 0, 0)


@kernel(inline=True)
def _retry(ib, fb, ch, ctype, parent, delay):
    """``ContactCentre._retry``: a repeat or redial arriving before the horizon end."""
    if fb[F_NOW] + delay < fb[F_HORIZON]:
        after(ib, fb, delay, EV_RETRY, ch, ctype, parent)


@kernel()
def tier2_dispatch(ib, fb, now):
    """``ContactCentre._tier2_dispatch``: tier-2 agents take escalations first in, first out."""
    while ib[X_T2_HEAD] >= 0 and ib[X_T2_BUSY] < ib[X_T2_CAP] and not ib[X_ENDED]:
        k = ib[X_T2_HEAD]
        ib[X_T2_HEAD] = ib[contact_rows(ib, k)[0] + K_T2NEXT]
        if ib[X_T2_HEAD] < 0:
            ib[X_T2_TAIL] = -1
        kf = contact_rows(ib, k)[1]
        fb[kf + K_T2_RESPONSE] = now - fb[kf + K_END]
        ib[X_T2_BUSY] += 1
        handle = fb[ib[O_T2D] + ib[X_T2_USED]] * fb[F_T2_MEAN]
        ib[X_T2_USED] += 1
        after(ib, fb, handle, EV_T2, 0, 0, 0)


@kernel()
def record(m, k, ch, now):
    """``ContactCentre._record``: log answered contact ``k`` of channel ``ch`` (its agent in
    ``K_AGENT``) ending at ``now``; return whether it was resolved and its escalation code."""
    ib, fb = m.ib, m.fb
    c, cq = row_of(ib, O_CH, ch), row_of(ib, O_CHF, ch)
    kc, kf = contact_rows(ib, k)
    ib[kc + K_STATE] = DONE
    answer = fb[kf + K_ANSWER]
    i = _interval(m, answer)
    fcr = fb[channel_table(ib, T_FCR, ch, i)]
    resolved = _draw(ib, fb, k, D_FCR) < fcr - fb[kf + K_FCR_PENALTY]
    escalates = _draw(ib, fb, k, D_ESC) < fb[channel_table(ib, T_ESC, ch, i)]
    esc = ib[c + C_ESC_CODE] if escalates else 0
    if ib[c + C_CSAT] and _draw(ib, fb, k, D_CSAT) < fb[cq + C_CS_RATE]:
        wait = answer - fb[kf + K_ARRIVAL]
        score = fb[cq + C_CS_BASE] + fb[cq + C_CS_WAIT] * wait / 60.0
        score += fb[cq + C_CS_UNRES] * (0.0 if resolved else 1.0) + fb[cq + C_CS_ESC] * (
            1.0 if esc != 0 else 0.0
        )
        score = score if score > 1.0 else 1.0
        fb[kf + K_CSAT] = score if score < 5.0 else 5.0
    fb[kf + K_END] = now
    stop_waiting(ib, fb, k, answer)
    ib[kc + K_OUTCOME] = ANSWERED
    ib[kc + K_RESOLVED] = 1 if resolved else 0
    ib[kc + K_ESC] = esc
    return resolved, esc


@kernel()
def finish(m, a, k, ch, now):
    """``ContactCentre._finish``: log a handled contact (already out of the agent's hands),
    decide its outcome, escalate, repeat, and give the agent its next work."""
    ib, fb = m.ib, m.fb
    c, cq = row_of(ib, O_CH, ch), row_of(ib, O_CHF, ch)
    resolved, esc = record(m, k, ch, now)
    if esc and ib[S_HAS_T2] and not ib[X_ENDED]:
        tail = ib[X_T2_TAIL]
        if tail >= 0:
            ib[contact_rows(ib, tail)[0] + K_T2NEXT] = k
        else:
            ib[X_T2_HEAD] = k
        ib[X_T2_TAIL] = k
        ib[X_T2_QUEUED] += 1
        tier2_dispatch(ib, fb, now)
    if not resolved and ib[c + C_REPEAT] and _draw(ib, fb, k, D_REP_U) < fb[cq + C_REP_P]:
        delay = _draw(ib, fb, k, D_REP_D) * fb[cq + C_REP_MEAN]
        _retry(ib, fb, ib[c + C_REPEAT_TO], REPEAT, k, delay)
    row = row_of(ib, O_AGENT, a)
    if ib[row + A_NCONT] == 0:
        since = fb[row_of(ib, O_AGENTF, a) + A_BUSY_SINCE]
        pools.add_span(fb, row_of(ib, O_BUSY, ch), since, now, ib[S_N])
        ib[row + A_CHANNEL] = -1
    if ib[X_ENDED]:
        return
    if not ib[row + A_ON_DUTY]:
        if ib[row + A_NCONT] == 0:
            pools.leave_floor(ib, fb, a, now)
    elif not _take_work(m, a, now) and ib[row + A_NCONT] == 0:
        pools.append_agent(ib, ib[row + A_POOL], L_IDLE, a)


@kernel()
def on_chat_timer(m, a, version, k):
    """``ContactCentre._on_chat_timer``: the agent's chat with the least work is done (if the
    timer is still the agent's last plan)."""
    ib, fb = m.ib, m.fb
    row = row_of(ib, O_AGENT, a)
    if version != ib[row + A_VERSION]:
        return
    now = fb[F_NOW]
    ch = ib[contact_rows(ib, k)[0] + K_CH]
    progress(ib, fb, a, ch, now)
    n = ib[row + A_NCONT]
    j = 0
    while ib[row + A_CONT + j] != k:
        j += 1
    for jj in range(j, n - 1):
        ib[row + A_CONT + jj] = ib[row + A_CONT + jj + 1]
    ib[row + A_NCONT] = n - 1
    _replan(ib, fb, a, ch)
    finish(m, a, k, ch, now)


@kernel()
def on_patience(ib, fb, k):
    """``ContactCentre._on_patience``: a waiting contact abandons; it may redial."""
    kc, kf = contact_rows(ib, k)
    answer = fb[kf + K_ANSWER]
    if ib[kc + K_STATE] != WAITING or ib[X_ENDED] or answer == answer:  # answered: on hold
        return
    now = fb[F_NOW]
    ch = ib[kc + K_CH]
    c = row_of(ib, O_CH, ch)
    ib[kc + K_STATE] = DONE
    ib[c + Q_WAITING] -= 1
    fb[kf + K_END] = now
    stop_waiting(ib, fb, k, now)
    ib[kc + K_OUTCOME] = ABANDONED
    if ib[c + C_REDIAL] and _draw(ib, fb, k, D_RED_U) < fb[row_of(ib, O_CHF, ch) + C_RED_P]:
        delay = _draw(ib, fb, k, D_RED_D) * fb[row_of(ib, O_CHF, ch) + C_RED_MEAN]
        _retry(ib, fb, ch, REDIAL, k, delay)
