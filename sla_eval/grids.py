"""A KPI table of one period kind as (replication x period) arrays, for the contract money.

:class:`KpiGrid` indexes the rows of one ``period_kind`` of the long KPI table
(:data:`sla_eval.KPI_COLUMNS`) once, so that :meth:`KpiGrid.get` of any KPI and channel only
scatters values into a ``(replications, periods)`` array.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.errors import InputError

__all__ = ["KpiGrid"]


class KpiGrid:
    """KPI values of one period kind as (replication x period) arrays.

    The rows are indexed once: each row's cell (replication and period positions) and the
    slice of rows of each (KPI, channel), so that :meth:`get` only scatters values.
    """

    def __init__(self, kpis: pd.DataFrame, kind: str):
        self.kind = kind
        rows = kpis[kpis["period_kind"] == kind]
        if rows.empty:
            raise InputError(f"the KPI table has no {kind!r} periods")
        replication = rows["replication"].to_numpy()
        period = rows["period"].to_numpy()
        self.replications = np.unique(replication)
        self.periods, first = np.unique(period, return_index=True)
        self.period_start = rows["period_start"].to_numpy()[first]
        kpi_code, kpi_names = pd.factorize(rows["kpi"].astype(str))
        channel_code, channel_names = pd.factorize(rows["channel"].astype(str))
        key_code = kpi_code * len(channel_names) + channel_code
        cell = np.searchsorted(self.replications, replication) * len(self.periods)
        cell += np.searchsorted(self.periods, period)
        order = np.argsort(key_code, kind="stable")
        self._cell = cell[order]
        self._value = rows["value"].to_numpy(np.float64)[order]
        codes = np.unique(key_code)
        bounds = np.searchsorted(key_code[order], codes, side="left")
        ends = np.searchsorted(key_code[order], codes, side="right")
        self._slices = {
            (kpi_names[code // len(channel_names)], channel_names[code % len(channel_names)]): (
                slice(low, high)
            )
            for code, low, high in zip(codes, bounds, ends, strict=True)
        }
        for key, rows_of_key in self._slices.items():
            if len(np.unique(self._cell[rows_of_key])) < rows_of_key.stop - rows_of_key.start:
                raise InputError(
                    f"the KPI table has {key[0]!r} of channel {key[1]!r} more than once in a "
                    f"{kind!r} period of a replication"
                )

    @property
    def shape(self) -> tuple[int, int]:
        """``(replications, periods)``."""
        return (len(self.replications), len(self.periods))

    def has(self, kpi: str, channel: str) -> bool:
        """Whether the table holds ``kpi`` of ``channel``."""
        return (kpi, channel) in self._slices

    def get(self, kpi: str, channel: str) -> np.ndarray:
        """The KPI of the channel per replication and period (NaN where absent)."""
        rows = self._slices.get((kpi, channel))
        if rows is None:
            raise InputError(
                f"the KPI table has no {kpi!r} for channel {channel!r}; compute it with "
                "the clause's thresholds and the agent/outage logs it needs"
            )
        grid = np.full(self.shape, np.nan)
        grid.flat[self._cell[rows]] = self._value[rows]
        return grid
