"""The arrays of the compiled engine for one replication: model input, draws and empty state.

:func:`model_arrays` turns a :class:`~sim.specs.ModelInput` into the tables of
:mod:`sim._compiled_layout`, packed into its flat buffers, with the first contacts' draws and
the hires and departures (:func:`sim.agents.workforce_events` on the ``"attrition"`` streams)
drawn as the SimPy model draws them; :func:`grown` gives a run that ran short of an array a
larger one.

Capacities: agents per pool are bounded in advance (a roster team never has more agents than
its largest interval asks for, a fixed-headcount team never more than its starting headcount
plus its hires); contact rows start at 1.25 times the first contacts, the calendar at 4096
slots, and grow when the run asks.
"""

from __future__ import annotations

import math

import numpy as np

from scenarios.errors import InputError
from sim import _compiled_layout as k
from sim._compiled_draws import Fates, Supply
from sim.agents import workforce_events
from sim.log import ESCALATION_CODE
from sim.specs import ModelInput
from sim.streams import Streams

__all__ = ["grown", "model_arrays"]

_HEAP_START = 4096
_HEAP_TABLES = ("O_HQ", "O_HS", "O_EV", "O_FREE")
"""The calendar's tables, last in ``ib`` (``O_HT`` last in ``fb``), so that growing them
copies the rest unchanged."""


class _Buffer:
    """A flat buffer being filled: a header, then tables one after the other."""

    def __init__(self, dtype: type, header: int):
        self.dtype = dtype
        self.parts: list[tuple[int, np.ndarray]] = [(0, np.zeros(header, dtype=dtype))]
        self.size = header

    def add(self, values, fill=None) -> int:
        """Append ``values`` (any shape), or a size filled with ``fill``, or a size left to be
        written later with ``fill=...``; return the offset."""
        offset = self.size
        if fill is ...:
            self.size += int(values)
            return offset
        if fill is not None:
            values = np.full(values, fill, dtype=self.dtype)
        values = np.ascontiguousarray(values, dtype=self.dtype).ravel()
        self.parts.append((offset, values))
        self.size += values.size
        return offset

    def array(self) -> np.ndarray:
        buffer = np.empty(self.size, dtype=self.dtype)
        for offset, values in self.parts:
            buffer[offset : offset + values.size] = values
        return buffer


def _per_interval(values, n: int, default: float) -> np.ndarray:
    if values is None:
        return np.full(n, default)
    values = np.asarray(values, dtype=np.float64)
    if values.shape != (n,):
        raise InputError(f"per-interval array of shape {values.shape}, expected ({n},)")
    return values


def _channels(inp: ModelInput, pool_of: dict[str, int], first: np.ndarray):
    """Channel rows of ``ib`` and ``fb``, and the per-interval channel table."""
    n, nch = int(inp.n_intervals), len(inp.channels)
    index = {spec.name: c for c, spec in enumerate(inp.channels)}
    width = max(spec.max_chats for spec in inp.channels)
    rows = np.zeros((nch, k.N_CH), dtype=np.int64)
    rowsf = np.ones((nch, k.C_SPEED + width))
    table = np.zeros((k.N_T, nch, n))
    starts = np.concatenate([[0], np.cumsum(first)[:-1]])
    for c, spec in enumerate(inp.channels):
        rep, red, csat = spec.repeat, spec.redial, spec.csat
        rows[c, : k.C_RD_N + 1] = (
            spec.realtime,
            spec.max_chats,
            c if rep is None or rep.channel is None else index[rep.channel],
            ESCALATION_CODE[spec.escalation_type],
            rep is not None,
            red is not None,
            csat is not None,
            pool_of[spec.name],
            starts[c],
            0,
            0,
        )
        rows[c, [k.Q_HEAD, k.Q_TAIL]] = -1
        rowsf[c, : k.C_SPEED] = 0.0
        if rep is not None:
            rowsf[c, [k.C_REP_P, k.C_REP_MEAN]] = rep.probability_frac, rep.delay_mean_s
        if red is not None:
            rowsf[c, [k.C_RED_P, k.C_RED_MEAN]] = red.probability_frac, red.delay_mean_s
        if csat is not None:
            rowsf[c, k.C_CS_BASE : k.C_SPEED] = (
                csat.base,
                csat.per_minute_waited,
                csat.unresolved,
                csat.escalated,
                csat.response_rate_frac,
            )
        rowsf[c, k.C_SPEED : k.C_SPEED + spec.max_chats] = spec.speed_by_chats
        table[k.T_OPEN, c] = _per_interval(spec.is_open, n, 0.0) != 0.0
        table[k.T_AHT, c] = _per_interval(spec.aht_s, n, 0.0)
        table[k.T_FCR, c] = _per_interval(spec.fcr_frac, n, 1.0)
        table[k.T_ESC, c] = _per_interval(spec.escalation_frac, n, 0.0)
        patience = _per_interval(spec.patience_mean_s, n, math.nan)
        table[k.T_PATIENCE, c] = np.where(np.isnan(patience), math.inf, patience)
    return rows, rowsf, table


def _pools(inp: ModelInput, streams: Streams, horizon_s: float):
    """Pool rows of ``ib`` and ``fb``, scheduled agents, the workforce events, the number of
    employees per pool and the bound on agents."""
    n = int(inp.n_intervals)
    index = {spec.name: c for c, spec in enumerate(inp.channels)}
    width = k.P_CH + max(len(team.channels) for team in inp.teams)
    rows = np.zeros((len(inp.teams), width), dtype=np.int64)
    rowsf = np.zeros((len(inp.teams), k.N_POOLF))
    sched = np.zeros((len(inp.teams), n))
    events: list[tuple[float, int, int]] = []
    plans = agents = 0
    for p, team in enumerate(inp.teams):
        sched[p] = np.asarray(team.scheduled, dtype=np.float64)
        found = workforce_events(team, streams.rng("attrition", team.name), horizon_s)
        employees = 0 if team.headcount is None else team.headcount + len(team.hire_join_s)
        curve = team.learning
        rows[p, : k.P_EMPLOYED] = (
            -1 if team.headcount is None else team.headcount,
            len(team.channels),
            curve is not None,
            plans,
            len(events),
            len(events) + len(found),
        )
        rows[p, k.P_LISTS : k.P_LISTS + 9] = (-1, -1, 0) * 3
        rows[p, k.P_CH : k.P_CH + len(team.channels)] = [index[c] for c in team.channels]
        rowsf[p, k.P_SHRINK] = team.shrinkage_frac
        if curve is not None:
            rowsf[p, k.P_AHT_M :] = (
                curve.aht_multiplier,
                curve.fcr_penalty_frac,
                curve.weeks_to_proficiency,
            )
        events += found
        plans += employees
        largest = np.floor(sched[p] * (1.0 - team.shrinkage_frac) + 0.5).max(initial=0.0)
        agents += employees if team.headcount is not None else int(largest)
    return rows, rowsf, sched, events, plans, agents


def _outage_points(inp: ModelInput, horizon_s: float) -> list[tuple[float, int, int]]:
    """``Model._outage_process``'s points: (time, +1 down / -1 up, channel index), sorted by
    time, then change, then channel name."""
    index = {spec.name: c for c, spec in enumerate(inp.channels)}
    outages = [o for o in inp.outages if o[1] < horizon_s]
    points = sorted([(s, 1, c) for c, s, _ in outages] + [(e, -1, c) for c, _, e in outages])
    return [(t, delta, index[c]) for t, delta, c in points]


def model_arrays(inp: ModelInput, streams: Streams) -> tuple[k.Arrays, Supply]:
    """The arrays of replication ``streams.replication`` of ``inp``, and the supply of the
    draws the run will ask for as it goes.

    Raises
    ------
    InputError
        For an input without intervals or channels (the engine needs both).
    """
    n, nch, npool = int(inp.n_intervals), len(inp.channels), len(inp.teams)
    if n < 1 or not inp.channels:
        raise InputError("the numba engine needs at least one interval and one channel")
    interval_s = float(inp.interval_s)
    horizon_s = interval_s * n
    arrivals = [np.asarray(inp.arrivals.get(s.name, ()), dtype=np.float64) for s in inp.channels]
    first = np.array([times.size for times in arrivals], dtype=np.int64)
    pool_of = {name: p for p, team in enumerate(inp.teams) for name in team.channels}
    chan, chanf, chan_table = _channels(inp, pool_of, first)
    pools, poolsf, sched, events, plans, agents = _pools(inp, streams, horizon_s)
    points = _outage_points(inp, horizon_s)
    tier2 = inp.tier2
    max_chats = max(spec.max_chats for spec in inp.channels)
    agent_width = k.A_CONT + max_chats
    ib, fb = _Buffer(np.int64, k.N_HEADER), _Buffer(np.float64, k.N_FLOAT_HEADER)
    offsets = {
        "O_CH": ib.add(chan),
        "O_POOL": ib.add(pools),
        "O_AGENT": ib.add((agents + 1) * agent_width, fill=-1),
        "O_T2OPEN": ib.add(np.zeros(n) if tier2 is None else tier2.is_open),
        "O_ARR_OFF": ib.add(np.concatenate([[0], np.cumsum(first)])),
        "O_WF": ib.add([(kind, e) for _, kind, e in events] or np.zeros((0, 2))),
        "O_PLANS": ib.add(plans, fill=-1),
        "O_OUT": ib.add([(delta, c) for _, delta, c in points] or np.zeros((0, 2))),
        "O_CHF": fb.add(chanf),
        "O_CHT": fb.add(chan_table),
        "O_POOLF": fb.add(poolsf),
        "O_SCHED": fb.add(sched),
        "O_AVAIL": fb.add(np.floor(sched * (1.0 - poolsf[:, k.P_SHRINK : k.P_SHRINK + 1]) + 0.5)),
        "O_ARR_T": fb.add(np.concatenate(arrivals)),
        "O_WF_T": fb.add([t for t, _, _ in events]),
        "O_OUT_T": fb.add([t for t, _, _ in points]),
        "O_FD": fb.add(k.N_DRAWS * int(first.sum()), fill=...),
        "O_AGENTF": fb.add((agents + 1) * k.N_AGENTF, fill=0.0),
        "O_STAFFED": fb.add(npool * n, fill=0.0),
        "O_BUSY": fb.add(nch * n, fill=0.0),
        "O_OPEN_BEFORE": fb.add(
            np.concatenate([np.zeros((nch, 1)), np.cumsum(chan_table[k.T_OPEN], axis=1)], axis=1)
            * interval_s
        ),
    }
    margin = agents * max_chats + (0 if tier2 is None else tier2.agents) + 8
    cap = max(_HEAP_START, 2 * margin)
    offsets.update(_heap_tables(ib, fb, cap, np.arange(cap)))
    ib, fb = ib.array(), fb.array()
    for name, offset in offsets.items():
        ib[getattr(k, name)] = offset
    ib[[k.S_N, k.S_NCH, k.S_NPOOL, k.S_OUTAGE_QUEUE, k.S_HAS_T2, k.S_T2_AGENTS]] = (
        n,
        nch,
        npool,
        inp.outage_queue,
        tier2 is not None,
        0 if tier2 is None else tier2.agents,
    )
    ib[[k.S_NOUT, k.S_MARGIN, k.S_CHF_W, k.S_POOL_W, k.S_AGENT_W, k.S_AGENT_CAP]] = (
        len(points),
        margin,
        chanf.shape[1],
        pools.shape[1],
        agent_width,
        agents + 1,
    )
    ib[[k.S_HEAP_CAP, k.S_NFIRST, k.X_FREE_N, k.X_T2_HEAD, k.X_T2_TAIL]] = (
        cap,
        first.sum(),
        cap,
        -1,
        -1,
    )
    draws = fb[offsets["O_FD"] :][: k.N_DRAWS * first.sum()].reshape(k.N_DRAWS, -1)
    starts = np.cumsum(first) - first
    for spec, start, count in zip(inp.channels, starts, first, strict=True):
        Fates(spec, streams, spec.name).draw(int(count), out=draws[:, start : start + count])
    fb[[k.F_INTERVAL, k.F_HORIZON, k.F_PER_INTERVAL]] = interval_s, horizon_s, 1.0 / interval_s
    fb[k.F_WHOLE_INTERVAL] = float(interval_s).is_integer()
    fb[k.F_T2_MEAN] = 0.0 if tier2 is None else tier2.handle_mean_s
    supply = Supply(inp, streams)
    rd, _, _ = supply.retry_table()
    contacts = int(first.sum() * 1.25) + 1024
    arrays = k.Arrays(
        ib=ib,
        fb=fb,
        ci=np.zeros((contacts, k.N_CI), dtype=np.int64),
        cf=np.zeros((contacts, k.N_CF)),
        rd=rd,
        t2d=supply.tier2,
    )
    return arrays, supply


def _heap_tables(ib: _Buffer, fb: _Buffer, cap: int, free: np.ndarray) -> dict[str, int]:
    """Append the calendar's heaps and slots of ``cap`` places, with the stack ``free``."""
    return {
        "O_HQ": ib.add(k.N_HEAPS * cap, fill=0),
        "O_HS": ib.add(k.N_HEAPS * cap, fill=0),
        "O_EV": ib.add(4 * cap, fill=0),
        "O_FREE": ib.add(np.concatenate([free, np.full(cap - free.size, -1)])),
        "O_HT": fb.add(k.N_HEAPS * cap, fill=0.0),
    }


def grown(m: k.Arrays, status: int, supply: Supply) -> k.Arrays:
    """``m`` with the array the run ran short of (``status`` of the kernel) made larger."""
    if status == k.NEED_HEAP:
        return _grown_heap(m)
    if status == k.NEED_CONTACTS:
        rows = m.ci.shape[0] + m.ci.shape[0] // 2 + 1024
        return m._replace(ci=_resized(m.ci, rows), cf=_resized(m.cf, rows))
    if status == k.NEED_T2:
        supply.more_tier2()
        return m._replace(t2d=supply.tier2)
    if status == k.NEED_RETRY:
        supply.more_retries(int(m.ib[k.X_STATUS_ARG]))
        rd, starts, counts = supply.retry_table()
        rows = m.ib[k.O_CH] + k.N_CH * np.arange(len(counts))
        m.ib[rows + k.C_RD_OFF] = starts
        m.ib[rows + k.C_RD_N] = counts
        return m._replace(rd=rd)
    raise RuntimeError(f"unknown status {status} of the compiled engine")


def _resized(values: np.ndarray, rows: int) -> np.ndarray:
    grown_values = np.zeros((rows, *values.shape[1:]), dtype=values.dtype)
    grown_values[: values.shape[0]] = values
    return grown_values


def _grown_heap(m: k.Arrays) -> k.Arrays:
    """``m`` with a calendar of twice the places (heaps, slots and free stack copied)."""
    ib, fb = m.ib, m.fb
    cap = int(ib[k.S_HEAP_CAP])
    free_n = int(ib[k.X_FREE_N])
    free = ib[ib[k.O_FREE] : ib[k.O_FREE] + free_n]
    ints, floats = _Buffer(np.int64, 0), _Buffer(np.float64, 0)
    ints.parts, ints.size = [(0, ib[: ib[k.O_HQ]])], int(ib[k.O_HQ])
    floats.parts, floats.size = [(0, fb[: ib[k.O_HT]])], int(ib[k.O_HT])
    offsets = _heap_tables(ints, floats, 2 * cap, np.concatenate([free, np.arange(cap, 2 * cap)]))
    new_ib, new_fb = ints.array(), floats.array()
    for name, offset in offsets.items():
        new_ib[getattr(k, name)] = offset
    rows = k.N_HEAPS
    for old_buffer, new_buffer, name in (
        (ib, new_ib, "O_HQ"),
        (ib, new_ib, "O_HS"),
        (fb, new_fb, "O_HT"),
    ):
        old_start, new_start = ib[getattr(k, name)], new_ib[getattr(k, name)]
        old = old_buffer[old_start : old_start + rows * cap].reshape(rows, cap)
        new_buffer[new_start : new_start + rows * 2 * cap].reshape(rows, 2 * cap)[:, :cap] = old
    new_ib[new_ib[k.O_EV] : new_ib[k.O_EV] + 4 * cap] = ib[ib[k.O_EV] : ib[k.O_EV] + 4 * cap]
    new_ib[k.S_HEAP_CAP] = 2 * cap
    new_ib[k.X_FREE_N] = free_n + cap
    return m._replace(ib=new_ib, fb=new_fb)
