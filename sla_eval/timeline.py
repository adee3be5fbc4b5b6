"""KPIs measured over time rather than per contact: agent time (occupancy, overtime, paid
hours), uptime and backlog at period end.

Each function returns cubes of shape ``(R, P, C + 1)`` over the periods of every kind side by side
(see :class:`sla_eval.period_cells.Layout`).

* Agent time: sums of the agent log rows of the channel whose interval starts inside the period
  (rows of intervals starting before the warm-up end are left out): staffed, busy, overtime,
  paid and training agent-seconds and hires; occupancy = busy agent-seconds / staffed
  agent-seconds.
* Uptime = 1 - down seconds / measured seconds, where the measured time is the part of the
  period after the warm-up, restricted to the channel's open intervals when an opening mask is
  given. Overlapping outages count once. For ``all``, the system is down while any channel is
  down (the union of every outage) and measured while any channel is open.
* Backlog at the end of a period = contacts that arrived before the period end and had neither
  been answered nor abandoned by then: ``#(arrival < e) - #(leave < e)`` with leave = answer
  (answered), abandonment (abandoned), never (unfinished). Contacts that arrived during the
  warm-up count: the backlog is a state, not a property of the period's arrivals.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sla_eval.period_cells import Layout

__all__ = ["agent_sums", "backlog_end", "uptime_parts_s"]


def agent_sums(
    agents: pd.DataFrame,
    layout: Layout,
    channel_codes: np.ndarray,
    warmup_s: float,
    columns: tuple[str, ...],
) -> np.ndarray:
    """Sums of the agent log's ``columns`` per cell (rows of intervals starting after the
    warm-up): shape ``(len(columns), R, P, C + 1)``."""
    start_s = agents["interval_start_s"].to_numpy(np.float64)
    keep = start_s >= warmup_s
    placed = layout.place(
        agents["replication"].to_numpy(np.int64)[keep], start_s[keep], channel_codes[keep]
    )
    return placed.sums([agents[name].to_numpy(np.float64)[keep] for name in columns])


def _down_until(starts_s: np.ndarray, ends_s: np.ndarray, times_s: np.ndarray) -> np.ndarray:
    """Measure of the union of the ``[start, end)`` outages inside ``[0, t]`` for each ``t``."""
    order = np.argsort(starts_s, kind="stable")
    starts, ends = starts_s[order], ends_s[order]
    # A new block of merged outages begins where a start passes every earlier end.
    reach = np.maximum.accumulate(ends)
    first = np.flatnonzero(np.r_[True, starts[1:] > reach[:-1]])
    block_start = starts[first]
    lengths = np.maximum.reduceat(ends, first) - block_start
    before = np.r_[0.0, np.cumsum(lengths)]
    j = np.searchsorted(block_start, times_s, side="right") - 1
    jj = np.maximum(j, 0)
    inside = np.clip(times_s - block_start[jj], 0.0, lengths[jj])
    return np.where(j >= 0, before[jj] + inside, 0.0)


def uptime_parts_s(
    outages: pd.DataFrame,
    layout: Layout,
    *,
    horizon_s: float,
    warmup_s: float,
    open_intervals: Mapping[str, np.ndarray | None],
) -> tuple[np.ndarray, np.ndarray]:
    """Down seconds and measured seconds per cell from the outage log (OUTAGE_COLUMNS).

    ``open_intervals`` maps each channel to a boolean array over the horizon's intervals (True =
    open), or None to measure every second. Each interval's down and measured seconds are found
    once and summed into the periods of every kind, in interval order.
    """
    n_period = layout.shape[1]
    grid = np.arange(round(horizon_s / layout.interval_s) + 1, dtype=np.float64)
    grid *= layout.interval_s
    # the period of each interval in every kind, the kinds one after the other: a bincount
    # adds each period's intervals in interval order
    position = layout.interval_position.ravel()
    kept = np.flatnonzero(position >= 0)
    interval, position = kept % layout.n_intervals, position[kept]
    edges = np.maximum(grid, warmup_s)
    lengths = np.diff(edges)

    def by_period(per_interval: np.ndarray) -> np.ndarray:
        return np.bincount(position, per_interval[interval], minlength=n_period)

    masks = []
    for channel in layout.channels:
        mask = open_intervals.get(channel)
        masks.append(np.ones(len(grid) - 1, bool) if mask is None else np.asarray(mask, bool))
    masks.append(np.logical_or.reduce(masks))
    channel_codes = outages["channel"].cat.codes.to_numpy()
    channel_of = np.asarray(outages["channel"].cat.categories)[channel_codes]
    rep_of = outages["replication"].to_numpy(np.int64)
    start = outages["start_s"].to_numpy(np.float64)
    end = outages["end_s"].to_numpy(np.float64)
    down = np.zeros(layout.shape)
    measured = np.zeros(layout.shape)
    for slot, mask in enumerate(masks):
        measured[:, :, slot] = by_period(lengths * mask)
        pick = np.ones(len(channel_of), bool)
        if slot < len(layout.channels):
            pick = channel_of == layout.channels[slot]
        for r, replication in enumerate(layout.replications):
            rows = pick & (rep_of == replication)
            if not rows.any():
                continue
            down[r, :, slot] = by_period(np.diff(_down_until(start[rows], end[rows], edges)) * mask)
    return down, measured


def backlog_end(
    replication: np.ndarray,
    channel_codes: np.ndarray,
    arrival_s: np.ndarray,
    leave_s: np.ndarray,
    layout: Layout,
    channels: np.ndarray,
) -> np.ndarray:
    """Backlog at each period end per cell.

    The rows are the offered contacts of the whole horizon; ``leave_s`` is the answer time
    (answered), the abandonment time (abandoned) or infinity (unfinished). Only the channels
    where ``channels`` (bool per channel code) is True are counted; the ``all`` slot sums them.
    """
    period_end = layout.end_s
    out = np.zeros(layout.shape)
    for r, rep in enumerate(layout.replications):
        for code in np.flatnonzero(channels):
            rows = np.flatnonzero((replication == rep) & (channel_codes == code))
            arrived = np.searchsorted(_sorted(arrival_s[rows]), period_end, side="left")
            left = np.searchsorted(_sorted(leave_s[rows]), period_end, side="left")
            out[r, :, code] = arrived - left
    return layout.finish(out)


def _sorted(values: np.ndarray) -> np.ndarray:
    """``values`` sorted (the log's arrivals of a channel already are: not sorted again)."""
    return values if bool(np.all(values[1:] >= values[:-1])) else np.sort(values)
