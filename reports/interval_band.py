"""The interval service level of every replication, what the interval views draw
(:mod:`reports.run_figures`: the heatmap, the day-of-week profile; the report's worst
intervals).

Per channel with a service target, the KPI is ``service_level`` (real-time) or
``response_within_target_frac`` (deferrable), one value per interval of each replication (NaN in
an interval without contacts). Each replication's values (:func:`interval_series`, computed in
the worker) are appended to an unnamed temporary file by :class:`IntervalBand`, so that the
parent's memory stays flat however many replications there are (a month of 15-minute intervals
and four channels is 95 kB per replication: 950 MB for 10,000, on disk). The views read them
back as KPI rows (:meth:`IntervalBand.rows`), at most :data:`VIEW_VALUES` values: the first
replications up to that bound (a month of four channels: the first 2,100), which the views'
means and quantiles need no more of.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.errors import InputError
from sla_eval import among

__all__ = [
    "BAND_KPIS",
    "VIEW_VALUES",
    "IntervalBand",
    "IntervalSeries",
    "band_mask",
    "interval_series",
]

BAND_KPIS = ("service_level", "response_within_target_frac")
"""The KPI of a real-time channel and of a deferrable one (each channel has one of them)."""
VIEW_VALUES = 25_000_000
"""Most interval values :meth:`IntervalBand.rows` reads back (200 MB as float64)."""


def band_mask(kpis: pd.DataFrame, channels: Sequence[str]) -> np.ndarray:
    """Which rows of a KPI table are interval service levels of ``channels`` (its categorical
    columns are matched by their codes, without turning them into strings)."""
    return (
        among(kpis["period_kind"], ("interval",))
        & among(kpis["kpi"], BAND_KPIS)
        & among(kpis["channel"], channels)
    )


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
    pick = band_mask(kpis, channels)
    channel, kpi = kpis["channel"].cat, kpis["kpi"].cat
    channel_code = channel.codes.to_numpy()[pick]
    kpi_code = kpi.codes.to_numpy()[pick]
    all_starts = kpis["period_start"].to_numpy()[pick]
    all_values = kpis["value"].to_numpy(np.float64)[pick]
    starts: np.ndarray | None = None
    names, values = [], []
    for name, code in zip(channels, channel.categories.get_indexer(list(channels)), strict=True):
        own = np.flatnonzero(channel_code == code) if code >= 0 else np.empty(0, np.int64)
        if not own.size:
            raise InputError(f"the KPI table has no interval service level for channel {name!r}")
        own = own[np.argsort(all_starts[own], kind="stable")]
        own_starts = all_starts[own]
        if starts is None:
            starts = own_starts
        elif not np.array_equal(starts, own_starts):
            raise InputError(f"channel {name!r} has other intervals than {channels[0]!r}")
        names.append(str(kpi.categories[kpi_code[own[0]]]))
        values.append(all_values[own])
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

    def rows(self) -> pd.DataFrame:
        """The stored values as interval KPI rows (``replication``, ``period_kind``,
        ``period_start``, ``channel``, ``kpi``, ``value``; NaN values left out) of the first
        replications, as many as :data:`VIEW_VALUES` allows (at least one)."""
        first = self._first
        columns = ["replication", "period_kind", "period_start", "channel", "kpi", "value"]
        if first is None:
            return pd.DataFrame(columns=columns)
        self._file.flush()
        n_channels, n_intervals = first.values.shape
        kept = max(1, min(self.replications, VIEW_VALUES // max(1, n_channels * n_intervals)))
        shape = (self.replications, n_channels, n_intervals)
        stored = np.memmap(self._file, dtype=np.float64, mode="r", shape=shape)
        values = np.array(stored[:kept])
        del stored  # unmapped: the pages read leave this process's memory
        rows = kept * n_channels * n_intervals
        channel_codes = np.tile(np.repeat(np.arange(n_channels), n_intervals), kept)
        frame = pd.DataFrame(
            {
                "replication": np.repeat(np.arange(kept, dtype=np.int32), n_channels * n_intervals),
                "period_kind": pd.Categorical.from_codes(np.zeros(rows, np.int8), ["interval"]),
                "period_start": np.tile(first.starts, kept * n_channels),
                "channel": pd.Categorical.from_codes(channel_codes, list(first.channels)),
                "kpi": pd.Categorical(np.asarray(first.kpis)[channel_codes]),
                "value": values.ravel(),
            }
        )
        return frame[frame["value"].notna()].reset_index(drop=True)

    def close(self) -> None:
        """Delete the temporary file."""
        self._file.close()
