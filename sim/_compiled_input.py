"""The arrays of the compiled engine for one replication: model input, draws and empty state.

:func:`model_arrays` turns a :class:`~sim.specs.ModelInput` into the tables of
:mod:`sim._compiled_layout`, packed into its flat buffers, with the first contacts' draws and
the hires and departures (:func:`sim.agents.workforce_events` on the ``"attrition"`` streams)
drawn as the SimPy model draws them; :func:`grown` rebuilds the buffers of a run that ran
short of room.

Capacities: agents per pool are bounded in advance (a roster team never has more agents than
its largest interval asks for, a fixed-headcount team never more than its starting headcount
plus its hires). Every contact takes one row of draws, of a first contact or of a retry, so the
contact table has a row per row of draws: it grows with the retry draws, which, like the
tier-2 handle times, start at an estimate (:func:`_retry_estimate`) and grow when the run asks;
the calendar starts at 4096 places (or twice what one event can schedule) and doubles.
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
        buffer: np.ndarray = np.empty(self.size, dtype=self.dtype)
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
    """Pool rows of ``ib`` and ``fb``; per interval the scheduled agents, the share present and
    the rounding uniform (``sim.agents.Pool``'s ``present_frac`` and ``round_u``); the workforce
    events, the number of employees per pool and the bound on agents."""
    n = int(inp.n_intervals)
    index = {spec.name: c for c, spec in enumerate(inp.channels)}
    width = k.P_CH + max(len(team.channels) for team in inp.teams)
    rows = np.zeros((len(inp.teams), width), dtype=np.int64)
    rowsf = np.zeros((len(inp.teams), k.N_POOLF))
    sched, present, round_u = (np.zeros((len(inp.teams), n)) for _ in range(3))
    events: list[tuple[float, int, int]] = []
    plans = agents = 0
    for p, team in enumerate(inp.teams):
        sched[p] = np.asarray(team.scheduled, dtype=np.float64)
        if team.present_frac is None or team.round_u is None:
            present[p], round_u[p] = 1.0 - team.shrinkage_frac, 0.5
        else:
            present[p] = np.asarray(team.present_frac, dtype=np.float64)
            round_u[p] = np.asarray(team.round_u, dtype=np.float64)
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
        rows[p, k.P_HAND_BACK] = team.end_of_duty == "hand_back"
        rows[p, k.P_CH : k.P_CH + len(team.channels)] = [index[c] for c in team.channels]
        if curve is not None:
            rowsf[p, k.P_AHT_M :] = (
                curve.aht_multiplier,
                curve.fcr_penalty_frac,
                curve.weeks_to_proficiency,
            )
        events += found
        plans += employees
        largest = np.floor(sched[p] * present[p] + round_u[p]).max(initial=0.0)
        agents += employees if team.headcount is not None else int(largest)
    return rows, rowsf, (sched, present, round_u), events, plans, agents


def _tier2_capacity(inp: ModelInput) -> np.ndarray:
    """Tier-2 agents per interval: ``ContactCentre.t2_agents`` where tier 2 is open, else 0."""
    n, tier2 = int(inp.n_intervals), inp.tier2
    if tier2 is None:
        return np.zeros(n, dtype=np.int64)
    by_interval = tier2.agents_by_interval
    agents = (
        np.full(n, tier2.agents, dtype=np.int64)
        if by_interval is None
        else np.asarray(by_interval, dtype=np.int64)
    )
    is_open = np.asarray(tier2.is_open, dtype=bool)
    if agents.shape != (n,) or is_open.shape != (n,):
        raise InputError(f"tier 2's agents and open flags need one value per interval ({n})")
    return np.where(is_open, agents, 0)


def _outage_points(inp: ModelInput, horizon_s: float) -> list[tuple[float, int, int]]:
    """``ContactCentre._outage_process``'s points: (time, +1 down / -1 up, channel index), sorted by
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
    pools, poolsf, (sched, present, round_u), events, plans, agents = _pools(
        inp, streams, horizon_s
    )
    points = _outage_points(inp, horizon_s)
    tier2 = inp.tier2
    t2_capacity = _tier2_capacity(inp)
    max_chats = max(spec.max_chats for spec in inp.channels)
    agent_width = k.A_CONT + max_chats
    ints, floats = _Buffer(np.int64, k.N_HEADER), _Buffer(np.float64, k.N_FLOAT_HEADER)
    offsets = {
        "O_CH": ints.add(chan),
        "O_POOL": ints.add(pools),
        "O_AGENT": ints.add((agents + 1) * agent_width, fill=-1),
        "O_T2CAP": ints.add(t2_capacity),
        "O_ARR_OFF": ints.add(np.concatenate([[0], np.cumsum(first)])),
        "O_WF": ints.add([(kind, e) for _, kind, e in events] or np.zeros((0, 2))),
        "O_PLANS": ints.add(plans, fill=-1),
        "O_OUT": ints.add([(delta, c) for _, delta, c in points] or np.zeros((0, 2))),
        "O_CHF": floats.add(chanf),
        "O_CHT": floats.add(chan_table),
        "O_POOLF": floats.add(poolsf),
        "O_SCHED": floats.add(sched),
        "O_PRESENT": floats.add(present),
        "O_ROUND": floats.add(round_u),
        "O_AVAIL": floats.add(np.floor(sched * present + round_u)),
        "O_ARR_T": floats.add(np.concatenate(arrivals)),
        "O_WF_T": floats.add([t for t, _, _ in events]),
        "O_OUT_T": floats.add([t for t, _, _ in points]),
        "O_FD": floats.add(k.N_DRAWS * int(first.sum()), fill=...),
        "O_AGENTF": floats.add((agents + 1) * k.N_AGENTF, fill=0.0),
        "O_STAFFED": floats.add(npool * n, fill=0.0),
        "O_BUSY": floats.add(nch * n, fill=0.0),
        "O_OVERTIME": floats.add(nch * n, fill=0.0),
        "O_OPEN_BEFORE": floats.add(
            np.concatenate([np.zeros((nch, 1)), np.cumsum(chan_table[k.T_OPEN], axis=1)], axis=1)
            * interval_s
        ),
    }
    margin = agents * max_chats + int(t2_capacity.max(initial=0)) + 8
    heap = max(_HEAP_START, 2 * margin)
    supply = Supply(inp, streams)
    supply.draw_ahead(*_retry_estimate(inp, first))
    rd, starts, counts = supply.retry_table()
    offsets.update(
        _growing_tables(ints, floats, int(first.sum() + counts.sum()), heap, rd, supply.tier2)
    )
    ib, fb = ints.array(), floats.array()
    for name, offset in offsets.items():
        ib[getattr(k, name)] = offset
    ib[[k.S_N, k.S_NCH, k.S_NPOOL, k.S_OUTAGE_QUEUE, k.S_HAS_T2]] = (
        n,
        nch,
        npool,
        inp.outage_queue,
        tier2 is not None,
    )
    ib[[k.S_NOUT, k.S_MARGIN, k.S_AGENT_CAP]] = len(points), margin, agents + 1
    widths = {
        "O_CH": k.N_CH, "O_CHF": chanf.shape[1], "O_POOL": pools.shape[1], "O_POOLF": k.N_POOLF,
        "O_AGENT": agent_width, "O_AGENTF": k.N_AGENTF, "O_CI": k.N_CI, "O_CF": k.N_CF,
        "O_SCHED": n, "O_PRESENT": n, "O_ROUND": n, "O_AVAIL": n, "O_STAFFED": n, "O_BUSY": n,
        "O_OVERTIME": n, "O_OPEN_BEFORE": n + 1,
    }  # fmt: skip
    for name, width in widths.items():
        ib[getattr(k, name) + k.N_TABLES] = width
    ib[[k.S_NFIRST, k.X_FREE_N, k.X_T2_HEAD, k.X_T2_TAIL]] = first.sum(), heap, -1, -1
    _set_capacities(ib, heap, starts, counts, supply.tier2.size)
    draws = fb[offsets["O_FD"] :][: k.N_DRAWS * first.sum()].reshape(k.N_DRAWS, -1)
    for spec, start, count in zip(inp.channels, np.cumsum(first) - first, first, strict=True):
        Fates(spec, streams, spec.name).draw(int(count), out=draws[:, start : start + count])
    fb[[k.F_INTERVAL, k.F_HORIZON, k.F_PER_INTERVAL]] = interval_s, horizon_s, 1.0 / interval_s
    fb[k.F_WHOLE_INTERVAL] = float(interval_s).is_integer()
    fb[k.F_T2_MEAN] = 0.0 if tier2 is None else tier2.handle_mean_s
    return k.Arrays(ib=ib, fb=fb), supply


def _retry_estimate(inp: ModelInput, first: np.ndarray) -> tuple[list[int], int]:
    """Retry rows per channel and tier-2 handle times to draw up front: a quarter more than the
    channels' settings lead one to expect (a tenth of the contacts that may redial taken to
    abandon), so that a run seldom has to ask for more (which rebuilds the buffers)."""
    index = {spec.name: c for c, spec in enumerate(inp.channels)}
    into = np.zeros(len(inp.channels))
    escalated = 0.0
    for c, spec in enumerate(inp.channels):
        fcr = 1.0 if spec.fcr_frac is None else float(np.mean(spec.fcr_frac))
        if spec.repeat is not None:
            target = c if spec.repeat.channel is None else index[spec.repeat.channel]
            into[target] += first[c] * spec.repeat.probability_frac * (1.0 - fcr)
        if spec.redial is not None:
            into[c] += first[c] * spec.redial.probability_frac * 0.1
        if spec.escalation_frac is not None:
            escalated += first[c] * float(np.mean(spec.escalation_frac))
    share = min(0.9, into.sum() / max(1.0, first.sum()))
    rows = [int(1.25 * r / (1.0 - share)) + 256 if r > 0 else 0 for r in into]
    tier2 = int(1.25 * escalated / (1.0 - share)) + 256 if inp.tier2 is not None else 0
    return rows, tier2


def _growing_tables(
    ib: _Buffer, fb: _Buffer, contacts: int, heap: int, rd: np.ndarray, t2d: np.ndarray
) -> dict[str, int]:
    """Append the tables that grow (:data:`~sim._compiled_layout.GROWING`), in that order:
    room for ``contacts`` contacts and a calendar of ``heap`` places, the retry draws ``rd``
    and the tier-2 handle times ``t2d``."""
    return {
        "O_CI": ib.add(contacts * k.N_CI, fill=...),
        "O_HQ": ib.add(k.N_HEAPS * heap, fill=0),
        "O_HS": ib.add(k.N_HEAPS * heap, fill=0),
        "O_EV": ib.add(4 * heap, fill=0),
        "O_FREE": ib.add(np.arange(heap)),
        "O_CF": fb.add(contacts * k.N_CF, fill=...),
        "O_RD": fb.add(rd),
        "O_T2D": fb.add(t2d),
        "O_HT": fb.add(k.N_HEAPS * heap, fill=0.0),
    }


def _set_capacities(ib, heap, starts, counts, t2d) -> None:
    ib[[k.S_HEAP_CAP, k.S_T2_CAP]] = heap, t2d
    rows = ib[k.O_CH] + k.N_CH * np.arange(len(counts))
    ib[rows + k.C_RD_OFF] = starts
    ib[rows + k.C_RD_N] = counts


def grown(m: k.Arrays, status: int, supply: Supply) -> k.Arrays:
    """``m`` rebuilt with more room for what the run ran short of (``status`` of the kernel):
    the buffers' fixed part copied, the growing tables copied into larger ones."""
    ib = m.ib
    heap = int(ib[k.S_HEAP_CAP])
    if status == k.NEED_HEAP:
        heap *= 2
    elif status == k.NEED_T2:
        supply.more_tier2()
    elif status == k.NEED_RETRY:
        supply.more_retries(int(ib[k.X_STATUS_ARG]))
    else:
        raise RuntimeError(f"unknown status {status} of the compiled engine")
    rd, starts, counts = supply.retry_table()
    return _rebuilt(m, int(ib[k.S_NFIRST] + counts.sum()), heap, rd, starts, counts, supply.tier2)


def _rebuilt(m: k.Arrays, contacts, heap, rd, starts, counts, t2d) -> k.Arrays:
    ib, fb = m.ib, m.fb
    ints, floats = _Buffer(np.int64, 0), _Buffer(np.float64, 0)
    ints.parts, ints.size = [(0, ib[: ib[k.O_CI]])], int(ib[k.O_CI])
    floats.parts, floats.size = [(0, fb[: ib[k.O_CF]])], int(ib[k.O_CF])
    offsets = _growing_tables(ints, floats, contacts, heap, rd, t2d)
    new_ib, new_fb = ints.array(), floats.array()
    for name, offset in offsets.items():
        new_ib[getattr(k, name)] = offset
    old_heap, free_n = int(ib[k.S_HEAP_CAP]), int(ib[k.X_FREE_N])
    _set_capacities(new_ib, heap, starts, counts, t2d.size)
    count = int(ib[k.X_NEXT_CONTACT])
    for old, new, name, width in ((ib, new_ib, "O_CI", k.N_CI), (fb, new_fb, "O_CF", k.N_CF)):
        size = count * width
        new[new_ib[getattr(k, name)] :][:size] = old[ib[getattr(k, name)] :][:size]
    for old, new, name in ((ib, new_ib, "O_HQ"), (ib, new_ib, "O_HS"), (fb, new_fb, "O_HT")):
        rows = old[ib[getattr(k, name)] :][: k.N_HEAPS * old_heap].reshape(k.N_HEAPS, old_heap)
        new[new_ib[getattr(k, name)] :][: k.N_HEAPS * heap].reshape(k.N_HEAPS, heap)[
            :, :old_heap
        ] = rows
    new_ib[new_ib[k.O_EV] :][: 4 * old_heap] = ib[ib[k.O_EV] :][: 4 * old_heap]
    free = new_ib[new_ib[k.O_FREE] :][:heap]
    free[:free_n] = ib[ib[k.O_FREE] :][:free_n]
    free[free_n : free_n + heap - old_heap] = np.arange(old_heap, heap)
    new_ib[k.X_FREE_N] = free_n + heap - old_heap
    return k.Arrays(ib=new_ib, fb=new_fb)
