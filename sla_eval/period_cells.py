"""The (replication, period, channel) cells of the period kinds, and fast aggregation into them.

A KPI is first computed as a "cube": a float64 array of shape ``(R, P, C + 1)`` over the
replications, the periods of every kind measured side by side (the periods of the first kind,
then those of the second, ...) and the channels, whose last channel slot is the pooled channel
``all``. :class:`Layout` holds those cells; :meth:`Layout.place` finds the cell of every row of a
log once, and :class:`Placed` aggregates weights into the cells of every kind with whole-array
operations: no Python loop runs per row.

Every period boundary lies on the interval grid (the interval divides a day), so the period of
a moment in every kind follows from its interval ``floor(t / interval_s)`` through a table of
the intervals' periods. Counts (sums of booleans) are summed once per (replication, channel,
interval), every weight in one sparse matrix product, and those sums added up over each
period's intervals with :func:`numpy.add.reduceat`: one pass over the rows for every kind, and
exact, as sums of whole numbers are. Real-valued weights are summed straight into each kind's
cells, adding the rows in row order, the order a :func:`numpy.bincount` per kind takes, so they
equal it to the last bit. The maximum goes through the interval cells like the counts (it does
not depend on the order); a quantile sorts each kind's cells once.

A moment within rounding of a grid point but not on it (``t / interval_s`` rounds to a whole
number ``t`` is not a multiple of) may fall in one interval by ``floor(t / interval_s)`` and in
a day by ``floor(t / 86400)`` that does not contain that interval; such moments are placed kind
by kind with :func:`sla_eval.periods.period_index`, so every kind's assignment stays the one the
kind measured alone gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from sla_eval.periods import period_index, period_table

__all__ = ["ALL_CHANNELS", "KindPeriods", "Layout", "Placed", "kind_periods", "ratio"]

ALL_CHANNELS = "all"
_NEAR_GRID = 1e-6
"""Moments whose ``t / interval_s`` lies this close to a whole number (and that are not on the
grid) are placed kind by kind."""


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` elementwise, NaN where the denominator is 0."""
    out = np.full(np.shape(numerator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


@dataclass(frozen=True, eq=False)
class KindPeriods:
    """The periods of one kind over a measured horizon (:func:`kind_periods`).

    Attributes
    ----------
    kind, start, interval_s:
        Period kind, horizon start date and interval length.
    periods:
        The kind's :func:`sla_eval.periods.period_table` (consecutive periods).
    interval_period:
        Position in ``periods`` of the period holding each interval of the horizon (-1 for an
        interval inside a skipped warm-up).
    first_interval:
        The first interval of each period in ``periods``.
    """

    kind: str
    start: dt.date
    interval_s: float
    periods: pd.DataFrame
    interval_period: np.ndarray
    first_interval: np.ndarray

    @property
    def single_intervals(self) -> bool:
        """Whether every period is one interval long."""
        return len(self.first_interval) == len(self.interval_period) - self.first_interval[0]

    def positions(self, times_s: np.ndarray) -> np.ndarray:
        """Position in ``periods`` of each moment's period, from
        :func:`sla_eval.periods.period_index` (negative inside a skipped warm-up)."""
        period = period_index(times_s, start=self.start, kind=self.kind, interval_s=self.interval_s)
        return period - int(self.periods["period"].iloc[0])


@lru_cache(maxsize=64)
def kind_periods(
    start: dt.date, kind: str, interval_s: float, horizon_s: float, warmup_s: float
) -> KindPeriods:
    """The :class:`KindPeriods` of ``kind`` over ``[warmup_s, horizon_s)`` (cached: it depends
    on these settings only; its arrays are read-only)."""
    periods = period_table(
        start=start, kind=kind, interval_s=interval_s, horizon_s=horizon_s, warmup_s=warmup_s
    )
    grid_s = np.arange(round(horizon_s / interval_s), dtype=np.float64) * interval_s
    period = period_index(grid_s, start=start, kind=kind, interval_s=interval_s)
    position = period - int(periods["period"].iloc[0])
    position[position < 0] = -1
    first = np.round(periods["start_s"].to_numpy() / interval_s).astype(np.int64)
    for array in (position, first):
        array.setflags(write=False)
    return KindPeriods(kind, start, interval_s, periods, position, first)


@dataclass(frozen=True, eq=False)
class _Grid:
    """What a :class:`Layout` needs besides the replication indices and channel names
    (:func:`_grid`)."""

    bounds: np.ndarray
    shape: tuple[int, int, int]
    start_s: np.ndarray
    end_s: np.ndarray
    period: np.ndarray
    period_start: np.ndarray
    interval_position: np.ndarray
    fine_cell: np.ndarray
    fine_starts: tuple[np.ndarray, ...]


def _grid(kinds: tuple[KindPeriods, ...], n_rep: int, n_code: int) -> _Grid:
    """The side-by-side periods of ``kinds`` and the cells of ``n_rep`` replications and
    ``n_code`` channels (read-only)."""
    bounds = np.cumsum([0] + [len(k.periods) for k in kinds])
    n_period, n_slot = int(bounds[-1]), n_code + 1
    interval_position = np.stack(
        [
            np.where(k.interval_period >= 0, k.interval_period + offset, -1)
            for k, offset in zip(kinds, bounds[:-1], strict=True)
        ]
    )
    # the fine cells (replication, channel, interval): the cell of each in every kind, and the
    # first fine cell of every (replication, channel, period), the segments the fine sums are
    # added up over
    rep_channel = np.arange(n_rep * n_code)
    rep, code = np.divmod(rep_channel, n_code)
    fine_cell = np.stack(
        [
            np.where(
                position[None, :] >= 0,
                (rep[:, None] * n_period + position[None, :]) * n_slot + code[:, None],
                -1,
            ).ravel()
            for position in interval_position
        ],
        axis=1,
    )
    starts = rep_channel[:, None] * len(kinds[0].interval_period)
    grid = _Grid(
        bounds=bounds,
        shape=(n_rep, n_period, n_slot),
        start_s=np.concatenate([k.periods["start_s"].to_numpy() for k in kinds]),
        end_s=np.concatenate([k.periods["end_s"].to_numpy() for k in kinds]),
        period=np.concatenate([k.periods["period"].to_numpy(np.int32) for k in kinds]),
        period_start=np.concatenate(
            [k.periods["period_start"].to_numpy().astype("datetime64[ns]") for k in kinds]
        ),
        interval_position=interval_position,
        fine_cell=fine_cell,
        fine_starts=tuple((starts + k.first_interval[None, :]).ravel() for k in kinds),
    )
    for array in (
        grid.bounds,
        grid.start_s,
        grid.end_s,
        grid.period,
        grid.period_start,
        grid.interval_position,
        grid.fine_cell,
        *grid.fine_starts,
    ):
        array.setflags(write=False)
    return grid


_cached_grid = lru_cache(maxsize=4)(_grid)
""":func:`_grid` kept for the next tables: those of one replication at a time share it."""
_CACHED_REPLICATIONS = 8
"""Grids of at most this many replications are cached (their fine-cell maps grow with it)."""


class Layout:
    """The cells of several period kinds side by side: cubes of shape ``(R, P, C + 1)`` with
    ``P = P_1 + ... + P_K`` (kind ``k`` owns the periods ``bounds[k]:bounds[k + 1]``).

    Parameters
    ----------
    replications:
        Sorted replication indices (int64).
    kinds:
        The :class:`KindPeriods` of every kind measured, over one horizon.
    channels:
        Channel names, without ``all``.
    """

    def __init__(
        self, replications: np.ndarray, kinds: Sequence[KindPeriods], channels: tuple[str, ...]
    ):
        self.replications = replications
        self.kinds = tuple(kinds)
        self.channels = channels
        self.interval_s = self.kinds[0].interval_s
        self.n_intervals = len(self.kinds[0].interval_period)
        build = _cached_grid if len(replications) <= _CACHED_REPLICATIONS else _grid
        grid = build(self.kinds, len(replications), len(channels))
        self.bounds, self.shape = grid.bounds, grid.shape
        self.start_s, self.end_s = grid.start_s, grid.end_s
        self.period, self.period_start = grid.period, grid.period_start
        self.interval_position = grid.interval_position
        self.fine_cell, self.fine_starts = grid.fine_cell, grid.fine_starts

    @property
    def size(self) -> int:
        """Number of cells."""
        return int(np.prod(self.shape))

    def place(
        self, replication: np.ndarray, times_s: np.ndarray, channel_codes: np.ndarray
    ) -> Placed:
        """The cells of rows at ``times_s`` (in periods that are measured) of every kind."""
        times = np.asarray(times_s, np.float64)
        scaled = times / self.interval_s
        interval = np.clip(np.floor(scaled).astype(np.int64), 0, self.n_intervals - 1)
        whole = np.rint(scaled)
        near = np.flatnonzero(
            (np.abs(scaled - whole) < _NEAR_GRID) & (times != whole * self.interval_s)
        )
        rep = np.searchsorted(self.replications, replication)
        fine = (rep * len(self.channels) + channel_codes) * self.n_intervals + interval
        near_cells = np.empty((len(self.kinds), len(near)), np.int64)
        _, n_period, n_slot = self.shape
        for k, (kind, offset) in enumerate(zip(self.kinds, self.bounds[:-1], strict=True)):
            position = kind.positions(times[near]) + offset
            near_cells[k] = (rep[near] * n_period + position) * n_slot + channel_codes[near]
        return Placed(self, fine, near, near_cells)

    def finish(self, cubes: np.ndarray) -> np.ndarray:
        """``cubes`` (shape ``(..., R, P, C + 1)``) with the ``all`` slot the sum over the
        channels."""
        cubes[..., -1] = cubes[..., :-1].sum(axis=-1)
        return cubes


@dataclass(frozen=True, eq=False)
class Placed:
    """Rows placed in the cells of a :class:`Layout` (:meth:`Layout.place`).

    Attributes
    ----------
    layout:
        The cells.
    fine:
        The (replication, channel, interval) cell of each row.
    near, near_cells:
        The rows placed kind by kind (module docstring) and their cell in each kind, shape
        ``(K, len(near))``.
    """

    layout: Layout
    fine: np.ndarray
    near: np.ndarray
    near_cells: np.ndarray

    def _split(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which of ``rows`` (indices) are placed through their interval, and which kind by
        kind (positions in ``rows``)."""
        if not len(self.near):
            return np.ones(len(rows), bool), rows[:0]
        is_near = np.isin(rows, self.near)
        return ~is_near, np.flatnonzero(is_near)

    def _near_cells(self, rows: np.ndarray) -> np.ndarray:
        """Cells (shape ``(K, n)``) of ``rows``, rows placed kind by kind."""
        return self.near_cells[:, np.searchsorted(self.near, rows)]

    def cells(self, kind: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Flat cell index in kind ``kind`` of ``rows`` (indices, None: every row)."""
        rows = np.arange(len(self.fine)) if rows is None and len(self.near) else rows
        if rows is None:
            return self.layout.fine_cell[self.fine, kind]
        cells = self.layout.fine_cell[self.fine[rows], kind]
        _, near = self._split(rows)
        cells[near] = self._near_cells(rows[near])[kind]
        return cells

    def _by_period(self, fine: np.ndarray, how: np.ufunc, out: np.ndarray) -> None:
        """Combine the fine cells' ``fine`` (shape ``(n_fine, m)``) over each period's
        intervals with ``how`` (:meth:`numpy.ufunc.reduceat`; a period of one interval is that
        interval) into ``out`` (shape ``(m, R, P, C + 1)``), the ``all`` slot combined over the
        channels the same way."""
        layout = self.layout
        n_rep, _, n_slot = layout.shape
        for kind, starts, first, last in zip(
            layout.kinds, layout.fine_starts, layout.bounds[:-1], layout.bounds[1:], strict=True
        ):
            # the intervals between one (replication, channel)'s last period and the next's
            # first lie in a skipped warm-up: nothing was placed in them
            combined = fine[starts] if kind.single_intervals else how.reduceat(fine, starts)
            combined = combined.reshape(n_rep, n_slot - 1, last - first, fine.shape[1])
            out[:, :, first:last, :-1] = combined.transpose(3, 0, 2, 1)
            out[:, :, first:last, -1] = how.reduce(combined, axis=1).transpose(2, 0, 1)

    def _fine_counts(self, weights: Sequence[np.ndarray], rows: np.ndarray | None) -> np.ndarray:
        """Number of ``rows`` (None: all) where each of ``weights`` is True per fine cell, shape
        ``(n_fine, len(weights))``: the product of the rows' one-hot fine cells (a sparse
        matrix, fine cells x rows) with the weights as columns."""
        from scipy import sparse  # imported on first use, not when sla_eval is

        fine = self.fine if rows is None else self.fine[rows]
        n_fine = len(self.layout.fine_cell)
        # whole numbers are exact in float32 below 2**24, more than any fine cell holds
        # unless there are that many rows
        exact = np.float32 if len(fine) < 2**24 else np.float64
        one_hot = sparse.csc_matrix(
            (np.ones(len(fine), exact), fine, np.arange(len(fine) + 1)), shape=(n_fine, len(fine))
        )
        columns = np.stack([weight if rows is None else weight[rows] for weight in weights], axis=1)
        return np.asarray(one_hot @ columns.astype(exact), np.float64)

    def counts(self, weights: Sequence[np.ndarray]) -> np.ndarray:
        """Number of rows where each boolean array of ``weights`` is True, per cell: shape
        ``(len(weights), R, P, C + 1)``, the ``all`` slot the sum over the channels."""
        layout = self.layout
        regular = None
        if len(self.near):
            is_regular = np.ones(len(self.fine), bool)
            is_regular[self.near] = False
            regular = np.flatnonzero(is_regular)
        out = np.zeros((len(weights), *layout.shape))
        self._by_period(self._fine_counts(weights, regular), np.add, out)
        if len(self.near):
            flat = out.reshape(len(weights), -1)
            cells = self.near_cells.ravel()
            for j, weight in enumerate(weights):
                repeated = np.tile(weight[self.near].astype(np.float64), len(layout.kinds))
                flat[j] += np.bincount(cells, weights=repeated, minlength=layout.size)
            layout.finish(out)
        return out

    def sums(self, weights: Sequence[np.ndarray]) -> np.ndarray:
        """Sum of each real-valued array of ``weights`` per cell, in row order: shape
        ``(len(weights), R, P, C + 1)``, the ``all`` slot the sum over the channels.

        The product of the rows' one-hot cells (a sparse matrix, cells x rows, one entry per
        kind in each column) with the weights as columns, which adds the rows column by column:
        each cell receives its rows' weights in row order, as :func:`numpy.bincount` of every
        kind does, so the sums equal it to the last bit.
        """
        from scipy import sparse  # imported on first use, not when sla_eval is

        layout = self.layout
        n_kind = len(layout.kinds)
        cells = layout.fine_cell[self.fine]
        if len(self.near):
            cells[self.near] = self.near_cells.T
        one_hot = sparse.csc_matrix(
            (np.ones(cells.size), cells.ravel(), np.arange(0, cells.size + 1, n_kind)),
            shape=(layout.size, len(cells)),
        )
        summed = one_hot @ np.stack(weights, axis=1)
        return layout.finish(np.ascontiguousarray(summed.T).reshape(len(weights), *layout.shape))

    def maximum(self, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Largest of the ``values`` of ``rows`` (indices; NaN skipped) per cell; NaN where
        there is none and in the ``all`` slot (not pooled across channels)."""
        layout = self.layout
        known = ~np.isnan(values)
        rows, values = rows[known], values[known]
        regular, near = self._split(rows)
        n_fine = len(layout.fine_cell)
        fine_index = self.fine[rows[regular]]
        counted = np.bincount(fine_index, minlength=n_fine).astype(np.float64)
        longest = np.full(n_fine, -np.inf)
        np.maximum.at(longest, fine_index, values[regular])
        out = np.zeros((2, *layout.shape))
        self._by_period(counted[:, None], np.add, out[:1])
        self._by_period(longest[:, None], np.maximum, out[1:])
        flat = out.reshape(2, -1)
        for cells in self._near_cells(rows[near]):
            flat[0, cells] += 1
            np.maximum.at(flat[1], cells, values[near])
        longest = out[1]
        longest[out[0] == 0] = np.nan
        longest[..., -1] = np.nan
        return longest

    def quantile(self, rows: np.ndarray, values: np.ndarray, q: float) -> np.ndarray:
        """The ``q`` quantile of the ``values`` of ``rows`` (indices; NaN skipped) per cell;
        NaN where there is none and in the ``all`` slot.

        Linear interpolation between the order statistics, as :meth:`pandas.Series.quantile`:
        with the ``n`` values of a cell sorted, ``x = q (n - 1)``, ``i = floor(x)``,
        ``f = x - i``, the quantile is ``v_i`` when ``f = 0`` and ``v_i + (v_{i+1} - v_i) f``
        otherwise.
        """
        known = ~np.isnan(values)
        by_value = np.argsort(values[known], kind="stable")
        rows, values = rows[known][by_value], values[known][by_value]
        size = self.layout.size
        out = np.full(size, np.nan)
        key_type = np.uint16 if size <= np.iinfo(np.uint16).max else np.int64
        for k in range(len(self.layout.kinds)):
            cell = self.cells(k, rows)
            order = np.argsort(cell.astype(key_type), kind="stable")
            cell, sorted_values = cell[order], values[order]
            if not len(cell):
                continue
            first = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
            count = np.diff(np.r_[first, len(cell)])
            position = q * (count - 1).astype(np.float64)
            index = position.astype(np.int64)
            fraction = np.fmod(position, 1.0)
            low = sorted_values[first + index]
            high = sorted_values[first + np.minimum(index + 1, count - 1)]
            out[cell[first]] = np.where(fraction == 0.0, low, low + (high - low) * fraction)
        return out.reshape(self.layout.shape)
