"""The compiled engine's event calendar: SimPy's heap of events, on arrays.

SimPy orders its calendar by ``(time, priority, event id)``; every event the model schedules
once its processes have started has ``NORMAL`` priority, so this calendar orders
``(time, sequence number)`` with numbers given in scheduling order, and events come out in the
model's order. Times are computed with the model's operations: ``now + delay`` for a timeout of
``delay`` (:func:`after`) and ``now + (t - now)`` for a process waiting until ``t`` (:func:`at`).

Where an event waits does not change that order, only the cost of finding the next one: repeats
and redials, scheduled hours or days ahead, wait in heap :data:`RETRIES` (hundreds of them in a
busy month); the arrivals and the interval clock, at most one per channel and one for the clock
but two events in five, in heap :data:`PROCESSES`; every other event (ends of service, chat
timers, patience, tier 2, hires and outages; a few dozen at a time) in heap 0. The next event is
the earliest of the three heaps' first. Each heap is binary, of (time ``O_HT``, sequence
number ``O_HQ``, slot ``O_HS``) per position (a row of ``S_HEAP_CAP`` each), and takes its first
event out bottom-up: the hole left at the top moves down along the earlier children to a leaf,
where the last event fills it and moves up (Floyd's variant: one comparison per level on the
way down, and the last event rarely moves far up). An event's kind and payload stay in its slot
of ``O_EV`` while it waits; slots are recycled through the stack ``O_FREE``. Heap positions are
unsigned integers: NumPy-style indexing checks a signed index for a negative value, and on this
hot path that check costs measurably. Compiled into :func:`sim._compiled_kernels.run`.
"""

from __future__ import annotations

import math

import numpy as np

from sim._compiled_layout import (
    E_A,
    E_B,
    E_C,
    E_KIND,
    EV_ARRIVAL,
    EV_CLOCK,
    EV_RETRY,
    F_NOW,
    N_HEAPS,
    O_EV,
    O_FREE,
    O_HQ,
    O_HS,
    O_HT,
    S_HEAP_CAP,
    X_FREE_N,
    X_HEAP_N,
    X_SEQ,
    kernel,
)

RETRIES = 1
"""Index of the heap of repeats and redials."""
PROCESSES = 2
"""Index of the heap of the arrivals and the interval clock."""
EMPTY = -1
""":func:`next_source` of an empty calendar."""
_U = np.uint64
_ZERO, _ONE = np.uint64(0), np.uint64(1)


@kernel(inline=True)
def _earlier(t1, q1, t2, q2):
    """Whether ``(t1, q1)`` comes before ``(t2, q2)``, without branches."""
    return (t1 < t2) | ((t1 == t2) & (q1 < q2))


@kernel(inline=True)
def _sift_up(ib, fb, ht, hq, hs, j, t, seq, slot):
    """Put the event ``(t, seq, slot)`` into the hole at position ``j`` of the heap at ``ht``,
    ``hq``, ``hs``, moving later parents down into the hole."""
    while j > _ZERO:
        parent = (j - _ONE) >> _ONE
        if _earlier(fb[ht + parent], ib[hq + parent], t, seq):
            break
        fb[ht + j], ib[hq + j], ib[hs + j] = fb[ht + parent], ib[hq + parent], ib[hs + parent]
        j = parent
    fb[ht + j], ib[hq + j], ib[hs + j] = t, seq, slot


@kernel(inline=True)
def push(ib, fb, t, kind, a, b, c):
    """Schedule an event at time ``t`` (``Environment.schedule``)."""
    seq = ib[X_SEQ]
    ib[X_SEQ] = seq + 1
    ib[X_FREE_N] -= 1
    slot = ib[ib[O_FREE] + ib[X_FREE_N]]
    ev = ib[O_EV] + 4 * slot
    ib[ev + E_KIND], ib[ev + E_A], ib[ev + E_B], ib[ev + E_C] = kind, a, b, c
    h = RETRIES if kind == EV_RETRY else (PROCESSES if kind in (EV_ARRIVAL, EV_CLOCK) else 0)
    cap = ib[S_HEAP_CAP]
    ht, hq, hs = _U(ib[O_HT] + h * cap), _U(ib[O_HQ] + h * cap), _U(ib[O_HS] + h * cap)
    size = ib[X_HEAP_N + h]
    ib[X_HEAP_N + h] = size + 1
    _sift_up(ib, fb, ht, hq, hs, _U(size), t, seq, slot)


@kernel(inline=True)
def next_source(ib, fb):
    """The heap the next event waits in, or :data:`EMPTY`."""
    cap = ib[S_HEAP_CAP]
    best, tb, qb = EMPTY, math.inf, 0
    for h in range(N_HEAPS):
        if ib[X_HEAP_N + h] > 0:
            t, q = fb[ib[O_HT] + h * cap], ib[ib[O_HQ] + h * cap]
            if best == EMPTY or _earlier(t, q, tb, qb):
                best, tb, qb = h, t, q
    return best


@kernel(inline=True)
def pop_event(ib, fb, h):
    """Take the first event of heap ``h``; its time becomes ``now``; return its kind and
    payload."""
    cap = ib[S_HEAP_CAP]
    ht, hq, hs = _U(ib[O_HT] + h * cap), _U(ib[O_HQ] + h * cap), _U(ib[O_HS] + h * cap)
    fb[F_NOW] = fb[ht]
    slot = ib[hs]
    ib[ib[O_FREE] + ib[X_FREE_N]] = slot
    ib[X_FREE_N] += 1
    n = ib[X_HEAP_N + h] - 1
    ib[X_HEAP_N + h] = n
    un = _U(n)
    j = _U(0)
    while True:
        child = j + j + _ONE
        if child >= un:
            break
        if child + _ONE < un:
            right = _earlier(
                fb[ht + child + _ONE], ib[hq + child + _ONE], fb[ht + child], ib[hq + child]
            )
            child += _ONE if right else _ZERO
        fb[ht + j], ib[hq + j], ib[hs + j] = fb[ht + child], ib[hq + child], ib[hs + child]
        j = child
    _sift_up(ib, fb, ht, hq, hs, j, fb[ht + un], ib[hq + un], ib[hs + un])
    ev = ib[O_EV] + 4 * slot
    return ib[ev + E_KIND], ib[ev + E_A], ib[ev + E_B], ib[ev + E_C]


@kernel()
def after(ib, fb, delay, kind, a, b, c):
    """``_Callback(env, delay, ...)``: an event ``delay`` seconds after now."""
    push(ib, fb, fb[F_NOW] + delay, kind, a, b, c)


@kernel()
def at(ib, fb, t, kind, a, b, c):
    """``yield env.timeout(t - env.now)``: the event at ``now + (t - now)``."""
    now = fb[F_NOW]
    push(ib, fb, now + (t - now), kind, a, b, c)
