"""The interval service level over replications: mean and 5-95 % band per channel and interval,
what the ``interval_sl`` figure draws (:mod:`reports.run_figures`).

Per channel with a service target, the KPI is ``service_level`` (real-time) or
``response_within_target_frac`` (deferrable), one value per interval of each replication (NaN in
an interval without contacts). :func:`interval_band` computes the band from a KPI table in
memory. A long run uses :class:`IntervalBand` instead: each replication's values
(:func:`interval_series`, computed in the worker) are appended to an unnamed temporary file and
the band is computed from it a block of intervals at a time, so that memory stays flat however
many replications there are (a month of 15-minute intervals and four channels is 95 kB per
replication: 950 MB for 10,000, on disk). Both give the same numbers: the band of each block
is computed by the same grouped mean and quantiles, over the values in replication order.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.errors import InputError

__all__ = ["BAND_COLUMNS", "BAND_KPIS", "IntervalBand", "IntervalSeries", "interval_band"]

BAND_KPIS = ("service_level", "response_within_target_frac")
"""The KPI of a real-time channel and of a deferrable one (each channel has one of them)."""
BAND_COLUMNS = ("channel", "kpi", "period_start", "mean", "q05", "q95")
"""Columns of a band table: per channel and interval start, the mean over replications and the
5 % and 95 % quantiles (linear interpolation; NaN values left out)."""
_QUANTILES = (0.05, 0.95)
_BLOCK_VALUES = 4_000_000
"""Values read from the temporary file at once (32 MB)."""


def _service_rows(kpis: pd.DataFrame, channels: Sequence[str]) -> pd.DataFrame:
    rows = kpis[(kpis["period_kind"] == "interval") & kpis["kpi"].isin(BAND_KPIS)]
    rows = rows.assign(channel=rows["channel"].astype(str), kpi=rows["kpi"].astype(str))
    return rows[rows["channel"].isin(list(channels))]


def _band_of(values: pd.Series, starts: pd.Series | np.ndarray) -> pd.DataFrame:
    """Mean and 5-95 % quantiles of ``values`` per interval start (grouped, sorted)."""
    grouped = values.groupby(starts, sort=True)
    band = grouped.quantile(list(_QUANTILES)).unstack()
    return pd.DataFrame(
        {"mean": grouped.mean(), "q05": band[_QUANTILES[0]], "q95": band[_QUANTILES[1]]}
    )


def interval_band(kpis: pd.DataFrame, channels: Sequence[str]) -> pd.DataFrame:
    """The band table (:data:`BAND_COLUMNS`) of ``channels``, in that order, from a long KPI
    table with ``interval`` periods.

    Raises
    ------
    InputError
        When a channel has no interval service level in the table.
    """
    rows = _service_rows(kpis, channels)
    frames = []
    for channel in channels:
        own = rows[rows["channel"] == channel]
        if own.empty:
            raise InputError(f"the KPI table has no interval service level for channel {channel!r}")
        band = _band_of(own["value"].reset_index(drop=True), own["period_start"].to_numpy())
        band = band.rename_axis("period_start").reset_index()
        frames.append(band.assign(channel=channel, kpi=own["kpi"].iloc[0]))
    if not frames:
        return pd.DataFrame(columns=list(BAND_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(BAND_COLUMNS)]


@dataclass(frozen=True, eq=False)
class IntervalSeries:
    """One replication's interval service level of each band channel.

    Attributes
    ----------
    channels, kpis:
        The channels and the KPI of each.
    starts:
        The interval starts (datetime64), in order.
    values:
        ``(channels, intervals)`` float64, NaN without contacts.
    """

    channels: tuple[str, ...]
    kpis: tuple[str, ...]
    starts: np.ndarray
    values: np.ndarray


def interval_series(kpis: pd.DataFrame, channels: Sequence[str]) -> IntervalSeries:
    """The :class:`IntervalSeries` of one replication's KPI table.

    Raises
    ------
    InputError
        When a channel has no interval service level, or the channels' intervals differ.
    """
    rows = _service_rows(kpis, channels)
    starts: np.ndarray | None = None
    names, values = [], []
    for channel in channels:
        own = rows[rows["channel"] == channel].sort_values("period_start", kind="stable")
        if own.empty:
            raise InputError(f"the KPI table has no interval service level for channel {channel!r}")
        own_starts = own["period_start"].to_numpy()
        if starts is None:
            starts = own_starts
        elif not np.array_equal(starts, own_starts):
            raise InputError(f"channel {channel!r} has other intervals than {channels[0]!r}")
        names.append(str(own["kpi"].iloc[0]))
        values.append(own["value"].to_numpy(np.float64))
    assert starts is not None, "at least one channel"
    return IntervalSeries(tuple(channels), tuple(names), starts, np.vstack(values))


class IntervalBand:
    """The interval service levels of a run's replications, gathered on disk.

    Parameters
    ----------
    folder:
        Where the unnamed temporary file lives (it has no name there and disappears when
        closed, whatever happens).
    """

    def __init__(self, folder: Path):
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 (closed by close())
        self._first: IntervalSeries | None = None
        self.replications = 0

    def add(self, series: IntervalSeries) -> None:
        """Append the next replication's values (in replication order)."""
        first = self._first
        if first is None:
            self._first = first = series
        elif series.values.shape != first.values.shape or series.channels != first.channels:
            raise InputError("a replication has other channels or intervals than the first")
        self._file.write(np.ascontiguousarray(series.values, np.float64).tobytes())
        self.replications += 1

    def table(self) -> pd.DataFrame:
        """The band table (:data:`BAND_COLUMNS`) over every replication added."""
        first = self._first
        if first is None:
            return pd.DataFrame(columns=list(BAND_COLUMNS))
        self._file.flush()
        n_channels, n_intervals = first.values.shape
        shape = (self.replications, n_channels, n_intervals)
        block = max(1, _BLOCK_VALUES // self.replications)
        frames = []
        for index, channel in enumerate(first.channels):
            parts = []
            for begin in range(0, n_intervals, block):
                end = min(begin + block, n_intervals)
                stored = np.memmap(self._file, dtype=np.float64, mode="r", shape=shape)
                values = np.array(stored[:, index, begin:end])
                del stored  # unmapped: the pages read leave this process's memory
                starts = first.starts[begin:end]
                parts.append(
                    _band_of(pd.Series(values.T.ravel()), np.repeat(starts, self.replications))
                )
            band = pd.concat(parts).rename_axis("period_start").reset_index()
            frames.append(band.assign(channel=channel, kpi=first.kpis[index]))
        return pd.concat(frames, ignore_index=True)[list(BAND_COLUMNS)]

    def close(self) -> None:
        """Delete the temporary file."""
        self._file.close()
