"""The compiled engine's kernel: the processes and event loop of :class:`sim.model.ContactCentre`.

:func:`run` runs one replication held in an :data:`~sim._compiled_layout.Arrays` tuple (built
by :mod:`sim._compiled_input`) on the kernels of :mod:`sim._compiled_calendar`,
:mod:`sim._compiled_contacts`, :mod:`sim._compiled_duty` and :mod:`sim._compiled_pools`, each
mirroring the SimPy model's methods on arrays, so that the same events happen in the same order
at the same times and the logs are identical to the model's given the same draws.

**Resumable.** :func:`run` returns a status when it needs more than it was given (calendar
places, rows of retry draws of a channel, tier-2 handle times) *before* taking the next event;
the caller makes room and calls again, and the run goes on where it stopped.

**Compilation and cache.** Only :func:`run` is compiled for the caller, once per process, and
cached on disk (``cache=True``); the kernels it calls are compiled into it. Numba's cache checks
the source of the cached function's own file only, so :func:`run` is made with a fingerprint of
the other kernel modules' sources: a change to any of them compiles it again instead of loading
a stale copy.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

from sim import (
    _compiled_calendar,
    _compiled_contacts,
    _compiled_duty,
    _compiled_layout,
    _compiled_pools,
)
from sim._compiled_calendar import EMPTY, RETRIES, at, next_source, pop_event
from sim._compiled_contacts import (
    arrive,
    dispatch,
    finish,
    on_chat_timer,
    on_patience,
    record,
    stop_waiting,
    tier2_dispatch,
)
from sim._compiled_duty import dismiss, rebalance
from sim._compiled_layout import (
    A_NCONT,
    A_PRESENT,
    C_POOL,
    C_RD_N,
    DONE,
    E_A,
    EV_ARRIVAL,
    EV_CHAT,
    EV_CLOCK,
    EV_DONE,
    EV_OUTAGE,
    EV_PATIENCE,
    EV_RETRY,
    EV_T2,
    EV_WORKFORCE,
    F_HORIZON,
    F_INTERVAL,
    F_NOW,
    FINISHED,
    FIRST,
    K_AGENT,
    K_ANSWER,
    K_CH,
    K_OUTCOME,
    K_QNEXT,
    K_REMAINING,
    K_STATE,
    K_TIMER,
    NEED_HEAP,
    NEED_RETRY,
    NEED_T2,
    O_AGENT,
    O_ARR_OFF,
    O_ARR_T,
    O_CH,
    O_EV,
    O_HS,
    O_OUT,
    O_OUT_T,
    O_PLANS,
    O_POOL,
    O_T2CAP,
    O_WF,
    O_WF_T,
    P_PLAN_OFF,
    P_WF_END,
    P_WF_START,
    Q_DOWN,
    Q_HEAD,
    Q_RETRY_USED,
    Q_TAIL,
    Q_WAITING,
    S_HAS_T2,
    S_HEAP_CAP,
    S_MARGIN,
    S_N,
    S_NCH,
    S_NOUT,
    S_NPOOL,
    S_T2_CAP,
    UNFINISHED,
    WAITING,
    X_ENDED,
    X_FREE_N,
    X_NEXT_AGENT,
    X_STARTED,
    X_STATUS_ARG,
    X_T2_BUSY,
    X_T2_CAP,
    X_T2_QUEUED,
    contact_rows,
    kernel,
    row_of,
)
from sim._compiled_pools import hire, interval_index, leave_floor


@kernel()
def _clock(m, i, now):
    """One pass of ``ContactCentre._clock``'s loop at interval ``i``, then its next timeout."""
    ib = m.ib
    for p in range(ib[S_NPOOL]):
        rebalance(m, p, i, now)
    if ib[S_HAS_T2]:
        ib[X_T2_CAP] = ib[ib[O_T2CAP] + i]
        tier2_dispatch(m.ib, m.fb, now)
    for p in range(ib[S_NPOOL]):
        dispatch(m, p, now)
    if i + 1 < ib[S_N]:
        at(m.ib, m.fb, (i + 1) * m.fb[F_INTERVAL], EV_CLOCK, i + 1, 0, 0)
    else:
        at(m.ib, m.fb, m.fb[F_HORIZON], EV_CLOCK, ib[S_N], 0, 0)


@kernel()
def _end(m, now):
    """``ContactCentre._end``: waiting contacts become unfinished (handed-back ones finish
    their remaining work), agents leave the floor."""
    ib, fb = m.ib, m.fb
    ib[X_ENDED] = 1
    for ch in range(ib[S_NCH]):
        c = row_of(ib, O_CH, ch)
        k = ib[c + Q_HEAD]
        while k >= 0:
            kc, kf = contact_rows(ib, k)
            if ib[kc + K_STATE] == WAITING:
                if fb[kf + K_ANSWER] == fb[kf + K_ANSWER]:  # handed back: finishes in the drain
                    record(m, k, ch, now + fb[kf + K_REMAINING])
                else:
                    ib[kc + K_STATE] = DONE
                    ib[kc + K_OUTCOME] = UNFINISHED
                    stop_waiting(m.ib, m.fb, k, now)
            k = ib[kc + K_QNEXT]
        ib[c + Q_HEAD], ib[c + Q_TAIL], ib[c + Q_WAITING] = -1, -1, 0
    for a in range(ib[X_NEXT_AGENT]):
        if ib[row_of(ib, O_AGENT, a) + A_PRESENT]:
            leave_floor(m.ib, m.fb, a, now)


@kernel()
def _workforce_next(m, p, j):
    """``ContactCentre._workforce``'s timeout for the pool's event ``j``, if before the horizon
    end."""
    if j < m.ib[row_of(m.ib, O_POOL, p) + P_WF_END] and m.fb[m.ib[O_WF_T] + j] < m.fb[F_HORIZON]:
        at(m.ib, m.fb, m.fb[m.ib[O_WF_T] + j], EV_WORKFORCE, p, j, 0)


@kernel()
def _workforce(m, p, j):
    """One step of ``ContactCentre._workforce``: a hire joins or an employee leaves."""
    ib = m.ib
    t = m.fb[ib[O_WF_T] + j]
    plan = ib[O_PLANS] + ib[row_of(ib, O_POOL, p) + P_PLAN_OFF] + ib[ib[O_WF] + 2 * j + 1]
    if ib[ib[O_WF] + 2 * j] == 1:
        ib[plan] = hire(m.ib, m.fb, p, t)
    else:
        dismiss(m, p, ib[plan], t)
    rebalance(m, p, interval_index(m.fb, t), t)
    dispatch(m, p, t)
    _workforce_next(m, p, j + 1)


@kernel()
def _outage_next(m, j):
    if j < m.ib[S_NOUT] and m.fb[m.ib[O_OUT_T] + j] < m.fb[F_HORIZON]:
        at(m.ib, m.fb, m.fb[m.ib[O_OUT_T] + j], EV_OUTAGE, j, 0, 0)


@kernel()
def _outage(m, j):
    """One step of ``ContactCentre._outage_process``: a channel goes down or comes back."""
    ib = m.ib
    ch = ib[ib[O_OUT] + 2 * j + 1]
    c = row_of(ib, O_CH, ch)
    ib[c + Q_DOWN] += ib[ib[O_OUT] + 2 * j]
    if ib[c + Q_DOWN] == 0:
        dispatch(m, ib[c + C_POOL], m.fb[ib[O_OUT_T] + j])
    _outage_next(m, j + 1)


@kernel()
def _start_processes(m):
    """``ContactCentre.__init__`` and the processes' first steps at time 0, in the model's order."""
    ib, fb = m.ib, m.fb
    for p in range(ib[S_NPOOL]):
        for j in range(
            ib[row_of(ib, O_POOL, p) + P_WF_START], ib[row_of(ib, O_POOL, p) + P_WF_END]
        ):
            if fb[ib[O_WF_T] + j] < 0.0:
                plan = (
                    ib[O_PLANS] + ib[row_of(ib, O_POOL, p) + P_PLAN_OFF] + ib[ib[O_WF] + 2 * j + 1]
                )
                ib[plan] = hire(m.ib, m.fb, p, -math.inf)
    _clock(m, 0, fb[F_NOW])
    for p in range(ib[S_NPOOL]):
        j = ib[row_of(ib, O_POOL, p) + P_WF_START]
        while j < ib[row_of(ib, O_POOL, p) + P_WF_END] and fb[ib[O_WF_T] + j] < 0.0:
            j += 1
        _workforce_next(m, p, j)
    for ch in range(ib[S_NCH]):
        start = ib[ib[O_ARR_OFF] + ch]
        if ib[ib[O_ARR_OFF] + ch + 1] > start:
            at(m.ib, m.fb, fb[ib[O_ARR_T] + start], EV_ARRIVAL, ch, start, 0)
    _outage_next(m, 0)


@kernel(inline=True)
def _short_of(m, source):
    """The status to return before taking the next event (from ``source``) if an array is too
    small, else FINISHED."""
    ib = m.ib
    if ib[X_FREE_N] < ib[S_MARGIN]:
        return NEED_HEAP
    if ib[S_HAS_T2] and ib[S_T2_CAP] < ib[X_T2_QUEUED] + 1:
        return NEED_T2
    if source == RETRIES:
        ch = ib[ib[O_EV] + 4 * ib[ib[O_HS] + ib[S_HEAP_CAP]] + E_A]
        if ib[row_of(ib, O_CH, ch) + Q_RETRY_USED] >= ib[row_of(ib, O_CH, ch) + C_RD_N]:
            ib[X_STATUS_ARG] = ch
            return NEED_RETRY
    return FINISHED


@kernel()
def _run(m):
    """Run the model until the calendar is empty or an array is too small (the status)."""
    ib = m.ib
    if not ib[X_STARTED]:
        ib[X_STARTED] = 1
        _start_processes(m)
    while True:
        source = next_source(m.ib, m.fb)
        if source == EMPTY:
            break
        status = _short_of(m, source)
        if status != FINISHED:
            return status
        kind, a, b, c = pop_event(m.ib, m.fb, source)
        if kind == EV_ARRIVAL:
            arrive(m, a, FIRST, -1)
            if b + 1 < ib[ib[O_ARR_OFF] + a + 1]:
                at(m.ib, m.fb, m.fb[ib[O_ARR_T] + b + 1], EV_ARRIVAL, a, b + 1, 0)
        elif kind == EV_DONE:
            kc = contact_rows(ib, a)[0]
            if b == ib[kc + K_TIMER]:  # else cancelled: the contact was handed back
                ib[row_of(ib, O_AGENT, ib[kc + K_AGENT]) + A_NCONT] = 0
                finish(m, ib[kc + K_AGENT], a, ib[kc + K_CH], m.fb[F_NOW])
        elif kind == EV_PATIENCE:
            on_patience(m.ib, m.fb, a)
        elif kind == EV_CHAT:
            on_chat_timer(m, a, b, c)
        elif kind == EV_RETRY:
            arrive(m, a, b, c)
        elif kind == EV_T2:
            ib[X_T2_BUSY] -= 1
            tier2_dispatch(m.ib, m.fb, m.fb[F_NOW])
        elif kind == EV_CLOCK:
            if a < ib[S_N]:
                _clock(m, a, m.fb[F_NOW])
            else:
                _end(m, m.fb[F_NOW])
        elif kind == EV_WORKFORCE:
            _workforce(m, a, b)
        else:
            _outage(m, a)
    return FINISHED


def _fingerprint() -> str:
    """SHA-256 of the sources of the kernel modules :func:`run` compiles in."""
    digest = hashlib.sha256()
    modules = (
        _compiled_calendar,
        _compiled_contacts,
        _compiled_duty,
        _compiled_layout,
        _compiled_pools,
    )
    for module in modules:
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def _entry(fingerprint: str):
    """The cached entry point; ``fingerprint`` keys its cache (Numba hashes a closure's cells)."""

    @kernel(cache=True)
    def run(arrays):
        """Run (or go on running) the replication in ``arrays``.

        Returns
        -------
        int
            ``FINISHED``, or ``NEED_HEAP``, ``NEED_T2``, ``NEED_RETRY``
            (the channel in ``st[X_STATUS_ARG]``): grow that array and call again.
        """
        fingerprint  # noqa: B018 - the cache key
        return _run(arrays)

    return run


run = _entry(_fingerprint())
