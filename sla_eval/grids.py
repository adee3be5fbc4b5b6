"""A KPI table of one period kind as (replication x period) arrays, for the contract money.

:class:`KpiGrid` indexes the rows of one ``period_kind`` of the long KPI table
(:data:`sla_eval.KPI_COLUMNS`) once, so that :meth:`KpiGrid.get` of any KPI and channel only
scatters values into a ``(replications, periods)`` array.

The table's ``period_kind``, ``kpi`` and ``channel`` columns are read by their category codes
(the KPI table's own dtypes), so that picking the rows of a kind costs one integer comparison
per row and no string is made per row; columns of another dtype are factorized first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.errors import InputError
from sla_eval._codes import equals

__all__ = ["KpiGrid", "frozen", "kind_rows", "labels_of", "positions_in"]


def frozen(array: np.ndarray) -> np.ndarray:
    """``array`` made read-only, for arrays kept and shared between calls."""
    array.flags.writeable = False
    return array


def positions_in(keys: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``wanted`` is in the sorted array ``keys``: ``(positions, found)``, the
    positions clipped into ``keys`` and ``found`` False where a value is not in it."""
    wanted = np.asarray(wanted)
    position = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
    found = np.zeros(wanted.shape, bool) if len(keys) == 0 else keys[position] == wanted
    return position, found


def kind_rows(column: pd.Series, kind: str) -> np.ndarray:
    """Positions of the rows of ``column`` equal to ``kind``."""
    return np.flatnonzero(equals(column, kind))


def labels_of(column: pd.Series, rows: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Integer codes of ``column`` at ``rows`` (0-based, dense for categoricals' categories) and
    the name of each code."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categorical = column.array
        codes = categorical.codes[rows].astype(np.int64)
        names = [str(name) for name in categorical.categories.tolist()]
        if (codes < 0).any():  # a missing label is named like ``astype(str)`` names it
            codes = np.where(codes < 0, len(names), codes)
            names.append("nan")
        return codes, names
    codes, uniques = pd.factorize(column.to_numpy()[rows].astype(str))
    return codes.astype(np.int64), [str(name) for name in uniques]


class KpiGrid:
    """KPI values of one period kind as (replication x period) arrays.

    The rows are indexed once: each row's cell (replication and period positions) and the
    slice of rows of each (KPI, channel), so that :meth:`get` only scatters values.
    """

    def __init__(self, kpis: pd.DataFrame, kind: str):
        self.kind = kind
        rows = kind_rows(kpis["period_kind"], kind)
        if rows.size == 0:
            raise InputError(f"the KPI table has no {kind!r} periods")
        replication = kpis["replication"].to_numpy()[rows]
        period = kpis["period"].to_numpy()[rows]
        self.replications = np.unique(replication)
        self.periods, first = np.unique(period, return_index=True)
        self.period_start = kpis["period_start"].to_numpy()[rows[first]]
        kpi_code, kpi_names = labels_of(kpis["kpi"], rows)
        channel_code, channel_names = labels_of(kpis["channel"], rows)
        self._kpi_code = {name: code for code, name in enumerate(kpi_names)}
        self._channel_code = {name: code for code, name in enumerate(channel_names)}
        self._n_channels = len(channel_names)
        key_code = kpi_code * self._n_channels + channel_code
        cell = np.searchsorted(self.replications, replication) * len(self.periods)
        cell += np.searchsorted(self.periods, period)
        self.present = np.zeros(self.shape, bool)
        """Whether the table has any row of the cell (replication, period)."""
        self.present.flat[cell] = True
        order = np.argsort(key_code, kind="stable")
        self._cell = cell[order]
        self._value = kpis["value"].to_numpy(np.float64)[rows[order]]
        sorted_keys = key_code[order]
        self._keys, self._starts = np.unique(sorted_keys, return_index=True)
        self._ends = np.append(self._starts[1:], len(sorted_keys))
        pairs = np.sort(sorted_keys * self.present.size + self._cell)
        twice = np.flatnonzero(pairs[1:] == pairs[:-1])
        if twice.size:
            key = int(pairs[twice[0]] // self.present.size)
            raise InputError(
                f"the KPI table has {kpi_names[key // self._n_channels]!r} of channel "
                f"{channel_names[key % self._n_channels]!r} more than once in a {kind!r} "
                "period of a replication"
            )

    @classmethod
    def of(cls, kpis: pd.DataFrame | KpiGrid, kind: str) -> KpiGrid:
        """The grid of ``kind`` of a KPI table, or ``kpis`` itself when it is that grid
        already (callers that read one table several times index it once)."""
        if isinstance(kpis, KpiGrid):
            if kpis.kind != kind:
                raise ValueError(f"a {kpis.kind!r} grid was given where {kind!r} is read")
            return kpis
        return cls(kpis, kind)

    @property
    def shape(self) -> tuple[int, int]:
        """``(replications, periods)``."""
        return (len(self.replications), len(self.periods))

    def calendar_positions(self, periods: np.ndarray) -> np.ndarray:
        """Position of each of the grid's periods in ``periods``, the sorted periods of this
        kind in the calendar.

        Raises
        ------
        InputError
            Naming the grid's periods the calendar does not have.
        """
        position, found = positions_in(periods, self.periods)
        if not found.all():
            missing = sorted(int(period) for period in self.periods[~found])
            raise InputError(f"the calendar has no {self.kind} periods {missing} of the KPI table")
        return position

    def _rows(self, kpi: str, channel: str) -> slice | None:
        """The slice of the indexed rows holding ``kpi`` of ``channel``, None when none."""
        kpi_code, channel_code = self._kpi_code.get(kpi), self._channel_code.get(channel)
        if kpi_code is None or channel_code is None:
            return None
        key = kpi_code * self._n_channels + channel_code
        position = int(np.searchsorted(self._keys, key))
        if position == len(self._keys) or self._keys[position] != key:
            return None
        return slice(int(self._starts[position]), int(self._ends[position]))

    def has(self, kpi: str, channel: str) -> bool:
        """Whether the table holds ``kpi`` of ``channel``."""
        return self._rows(kpi, channel) is not None

    def get(self, kpi: str, channel: str) -> np.ndarray:
        """The KPI of the channel per replication and period (NaN where absent)."""
        rows = self._rows(kpi, channel)
        if rows is None:
            raise InputError(
                f"the KPI table has no {kpi!r} for channel {channel!r}; compute it with "
                "the clause's thresholds and the agent/outage logs it needs"
            )
        grid = np.full(self.shape, np.nan)
        grid.flat[self._cell[rows]] = self._value[rows]
        return grid
