"""Layout of the compiled engine's arrays: where each table lives and what its columns mean.

One replication is held in two flat buffers (:data:`Arrays`), ``ib`` (int64) and ``fb``
(float64), holding every table. Two arrays keep calls between kernels cheap: Numba passes a
tuple of arrays by value, every array's shape and strides with it, and the cost showed (a kernel
a quarter slower with four more arrays). The tables that grow during a run come last
(:data:`GROWING`), so that :func:`sim._compiled_input.grown` can rebuild the buffers with more
room.

A table in a flat buffer is rows of a fixed width from an offset kept in the header of ``ib``
(``O_*``, for the float tables too; the width ``N_TABLES`` places further); a kernel finds where
a row starts with :func:`row_of` and adds a column constant:

===============================  ===============================================================
table (buffer, offset, width)    one row per
===============================  ===============================================================
scalars (``ib``, 0)              ``S_*`` model scalars, ``X_*`` run state, ``O_*`` offsets
scalars (``fb``, 0)              ``F_*``
channels (``ib``, ``O_CH``,      channel: ``C_*`` settings, where its draws start, ``Q_*`` queue,
``N_CH``)                        outage and draw counters
channels (``fb``, ``O_CHF``)     channel: ``C_REP_P`` ... ``C_CS_RATE``, then the speed of each
                                 chat with 1, 2, ... chats in hand (``C_SPEED + k - 1``)
per interval (``fb``, ``S_N``)   ``O_CHT``: table ``T_*`` x channel; ``O_SCHED``,
                                 ``O_PRESENT`` (share present), ``O_ROUND`` (rounding
                                 uniform), ``O_AVAIL``, ``O_STAFFED``: pool; ``O_BUSY``,
                                 ``O_OVERTIME``: channel
open time (``fb``,               channel: open seconds before interval ``i``, ``i`` = 0 .. ``S_N``
``O_OPEN_BEFORE``, ``S_N + 1``)  (the business-hours clock of ``sim.log.ContactLog``)
pools (``ib``, ``O_POOL``)       pool: ``P_*`` settings, agent lists (``P_LISTS + 3 L`` head,
                                 ``+ 1`` tail, ``+ 2`` length of list ``L_*``), end of duty
                                 (``P_HAND_BACK``), its channels in priority order from ``P_CH``
pools (``fb``, ``O_POOLF``, 3)   pool: learning curve
agents (``ib``, ``O_AGENT``)     agent: ``A_*``, list links (``A_LINK + 2 L`` next, ``+ 1``
                                 previous), overtime channel, contacts in hand from ``A_CONT``
agents (``fb``, ``O_AGENTF``, 5) agent: production start, presence, busy, progress and
                                 off-duty times (the last NaN unless finishing after duty)
arrivals (``fb``, ``O_ARR_T``)   first-contact arrival times, channel after channel
                                 (``ib[O_ARR_OFF + c]``: where channel ``c`` starts; and the end)
workforce (``fb`` / ``ib``)      hires and departures, pool after pool: time ``O_WF_T``; kind
                                 (+1 join, -1 leave) and employee ``O_WF`` (width 2);
                                 ``O_PLANS``: agent of each employee
outages (``fb`` / ``ib``)        points in time order: time ``O_OUT_T``; +1 / -1 and channel
                                 ``O_OUT`` (width 2)
first draws (``fb``, ``O_FD``,   draw ``D_*``: the first contacts, channel after channel
``S_NFIRST``)                    (``C_FD_OFF``)
tier-2 agents (``ib``)           ``O_T2CAP``: agents per interval (0 where closed)
contacts (``ib``, ``O_CI``,      contact (in arrival order, ``contact_id``): ``K_CH`` ... ``K_ROW``
``N_CI``; ``fb``, ``O_CF``,      (its row of draws), ``K_TIMER``; ``K_ARRIVAL`` ...
``N_CF``)                        ``K_REMAINING`` (:func:`contact_rows`)
retry draws (``fb``, ``O_RD``,   retry, channel after channel: ``C_RD_OFF`` .. ``C_RD_OFF +
``N_DRAWS``)                     ``C_RD_N`` of each channel
tier-2 times (``fb``, ``O_T2D``) handle times of unit mean, ``S_T2_CAP`` of them
calendar                         :mod:`sim._compiled_calendar`: heaps ``O_HT`` (``fb``),
                                 ``O_HQ``, ``O_HS`` (``N_HEAPS`` rows of ``S_HEAP_CAP``);
                                 ``O_EV`` (width 4: ``E_*``); ``O_FREE``
===============================  ===============================================================
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from typing import Any, TypeVar

import numba
import numpy as np

__all__ = ["Arrays", "kernel"]

_F = TypeVar("_F", bound=Callable[..., Any])
_njit: Any = numba.njit  # untyped: numba's type hints do not list its ``_nrt`` option


def kernel(*, inline: bool = False, cache: bool = False) -> Callable[[_F], _F]:
    """``numba.njit`` as every kernel of the engine is compiled: without Numba's runtime (the
    kernels allocate nothing, so no reference counting is needed), with NumPy's error model
    (no check for a division by zero), compiled into its callers with ``inline``, cached on
    disk with ``cache``."""
    mode = "always" if inline else "never"
    return _njit(_nrt=False, error_model="numpy", inline=mode, cache=cache)


# -- codes (the same as sim.log's; a test holds them equal) ---------------------------------------
FIRST, REPEAT, REDIAL = 0, 1, 2
ANSWERED, ABANDONED, NOT_OFFERED, UNFINISHED = 0, 1, 2, 3
WAITING, SERVING, DONE = 0, 1, 2
# run statuses
FINISHED, NEED_HEAP, NEED_T2, NEED_RETRY = 0, 1, 2, 3
# event kinds
EV_CLOCK, EV_WORKFORCE, EV_OUTAGE, EV_ARRIVAL, EV_PATIENCE, EV_DONE, EV_CHAT, EV_RETRY, EV_T2 = (
    range(9)
)
# -- header of ib: model scalars, run state, table offsets ----------------------------------------
S_N, S_NCH, S_NPOOL, S_OUTAGE_QUEUE, S_HAS_T2, S_NOUT, S_MARGIN = range(7)
S_HEAP_CAP, S_AGENT_CAP, S_NFIRST, S_T2_CAP = range(8, 12)
X_SEQ, X_HEAP_N = 12, 13  # X_HEAP_N + h: size of heap h, h < N_HEAPS
X_NEXT_CONTACT, X_NEXT_AGENT, X_ENDED, X_STARTED = range(16, 20)
X_STATUS_ARG, X_T2_BUSY, X_T2_CAP, X_T2_HEAD, X_T2_TAIL, X_T2_USED, X_T2_QUEUED = range(20, 27)
X_FREE_N = 27
N_HEAPS = 3
INT_TABLES = (
    "O_CH", "O_POOL", "O_AGENT", "O_T2CAP", "O_ARR_OFF", "O_WF", "O_PLANS", "O_OUT",
    "O_CI", "O_HQ", "O_HS", "O_EV", "O_FREE",
)  # fmt: skip
FLOAT_TABLES = (
    "O_CHF", "O_CHT", "O_POOLF", "O_SCHED", "O_PRESENT", "O_ROUND", "O_AVAIL", "O_ARR_T",
    "O_WF_T", "O_OUT_T", "O_FD", "O_AGENTF", "O_STAFFED", "O_BUSY", "O_OVERTIME",
    "O_OPEN_BEFORE", "O_CF", "O_RD", "O_T2D", "O_HT",
)  # fmt: skip
(
    O_CH, O_POOL, O_AGENT, O_T2CAP, O_ARR_OFF, O_WF, O_PLANS, O_OUT, O_CI, O_HQ, O_HS, O_EV,
    O_FREE, O_CHF, O_CHT, O_POOLF, O_SCHED, O_PRESENT, O_ROUND, O_AVAIL, O_ARR_T, O_WF_T,
    O_OUT_T, O_FD, O_AGENTF, O_STAFFED, O_BUSY, O_OVERTIME, O_OPEN_BEFORE, O_CF, O_RD, O_T2D,
    O_HT,
) = range(28, 28 + len(INT_TABLES) + len(FLOAT_TABLES))  # fmt: skip
N_TABLES = len(INT_TABLES) + len(FLOAT_TABLES)
N_HEADER = 28 + 2 * N_TABLES  # each table's offset, then each table's row width
GROWING = ("O_CI", "O_HQ", "O_HS", "O_EV", "O_FREE", "O_CF", "O_RD", "O_T2D", "O_HT")
"""The tables that grow during a run, last in their buffers."""
# header of fb
F_INTERVAL, F_HORIZON, F_T2_MEAN, F_NOW, F_PER_INTERVAL, F_WHOLE_INTERVAL = range(6)
N_FLOAT_HEADER = 6
# -- channels: ib row (N_CH columns) and fb row ---------------------------------------------------
C_REALTIME, C_MAX_CHATS, C_REPEAT_TO, C_ESC_CODE, C_REPEAT, C_REDIAL, C_CSAT, C_POOL = range(8)
C_FD_OFF, C_RD_OFF, C_RD_N = range(8, 11)
Q_HEAD, Q_TAIL, Q_WAITING, Q_DOWN, Q_FIRST_USED, Q_RETRY_USED = range(11, 17)
N_CH = 17
C_REP_P, C_REP_MEAN, C_RED_P, C_RED_MEAN, C_CS_BASE, C_CS_WAIT, C_CS_UNRES, C_CS_ESC, C_CS_RATE = (
    range(9)
)
C_SPEED = 9
T_OPEN, T_AHT, T_FCR, T_ESC, T_PATIENCE = range(5)
N_T = 5
# -- pools: ib row and fb row (N_POOLF) ------------------------------------------------
P_HEADCOUNT, P_NCH, P_LEARNING, P_PLAN_OFF, P_WF_START, P_WF_END, P_EMPLOYED = range(7)
P_LISTS = 7
P_HAND_BACK = 16
P_CH = 17
P_AHT_M, P_FCR_P, P_WEEKS = range(3)
N_POOLF = 3
L_ON, L_OFF, L_IDLE = 0, 1, 2
# -- agents: ib row and fb row (N_AGENTF) ---------------------------------------------
A_POOL, A_NCONT, A_CHANNEL, A_ON_DUTY, A_PRESENT, A_VERSION = range(6)
A_LINK = 6
A_OVERTIME_CHANNEL = 12
A_CONT = 13
A_PRODUCTION, A_PRESENT_SINCE, A_BUSY_SINCE, A_SINCE, A_OFF_DUTY_SINCE = range(5)
N_AGENTF = 5
# -- contacts: ib row (N_CI) and fb row (N_CF) ----------------------------------------------------
K_CH, K_TYPE, K_PARENT, K_OUTCOME, K_RESOLVED, K_ESC, K_AGENT, K_STATE, K_QNEXT = range(9)
K_T2NEXT, K_ROW, K_TIMER = 9, 10, 11
N_CI = 12
K_ARRIVAL, K_ANSWER, K_END, K_WAITED, K_CSAT, K_T2_RESPONSE, K_WORK, K_FCR_PENALTY = range(8)
K_BUSINESS_WAIT, K_DONE_AT, K_REMAINING = 8, 9, 10
N_CF = 11
# -- per-contact draws, in the order of sim.contacts.Fates ----------------------------------------
D_HANDLE, D_PATIENCE, D_FCR, D_ESC, D_CSAT, D_REP_U, D_REP_D, D_RED_U, D_RED_D = range(9)
N_DRAWS = 9
# -- calendar: an event's kind and payload (O_EV rows) --------------------------------------------
E_KIND, E_A, E_B, E_C = range(4)

Arrays = namedtuple("Arrays", ["ib", "fb"])
"""The two buffers of one replication."""


# -- where a row starts ---------------------------------------------------------------------------


@kernel(inline=True)
def row_of(ib, table, i):
    """Where row ``i`` of ``table`` (an ``O_*`` place) starts in its buffer: the table's offset
    plus ``i`` times its width (kept ``N_TABLES`` places after the offset)."""
    return ib[table] + i * ib[table + N_TABLES]


@kernel(inline=True)
def contact_rows(ib, k):
    """Where contact ``k``'s rows start in ``ib`` and in ``fb`` (:func:`row_of` with the
    contact tables' widths as constants, on the engine's hottest path)."""
    return ib[O_CI] + k * N_CI, ib[O_CF] + k * N_CF


@kernel(inline=True)
def channel_table(ib, t, c, i):
    """Index in ``fb`` of interval ``i`` of channel ``c`` in channel table ``t`` (``T_*``);
    unsigned (so indexing with it skips the check for a negative index): use it as an index
    only."""
    return np.uint64(ib[O_CHT] + (t * ib[S_NCH] + c) * ib[S_N] + i)
