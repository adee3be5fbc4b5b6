"""The (replication, period, channel) cells of one period kind, and fast aggregation into them.

A KPI is first computed as a "cube": a float64 array of shape ``(R, P, C + 1)`` over the
replications, the periods of one kind and the channels, whose last channel slot is the pooled
channel ``all``. Sums go through :func:`numpy.bincount` on a flat cell index, so a hundred
thousand contacts aggregate in milliseconds; no Python loop runs per contact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sla_eval.periods import period_index

__all__ = ["ALL_CHANNELS", "Cube", "ratio"]

ALL_CHANNELS = "all"


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` elementwise, NaN where the denominator is 0."""
    out = np.full(np.shape(numerator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


@dataclass(frozen=True, eq=False)
class Cube:
    """Cells of one period kind.

    Attributes
    ----------
    replications:
        Sorted replication indices (int64).
    periods:
        The kind's period table (:func:`sla_eval.periods.period_table`), consecutive periods.
    channels:
        Channel names, without ``all``.
    kind, start, interval_s:
        Period kind, horizon start date and interval length, to assign times to periods.
    """

    replications: np.ndarray
    periods: pd.DataFrame
    channels: tuple[str, ...]
    kind: str
    start: dt.date
    interval_s: float

    @property
    def shape(self) -> tuple[int, int, int]:
        return (len(self.replications), len(self.periods), len(self.channels) + 1)

    def positions(self, times_s: np.ndarray) -> np.ndarray:
        """Position of each moment's period in ``periods`` (negative inside a skipped warm-up)."""
        period = period_index(times_s, start=self.start, kind=self.kind, interval_s=self.interval_s)
        return period - int(self.periods["period"].iloc[0])

    def cells(
        self, replication: np.ndarray, times_s: np.ndarray, channel_code: np.ndarray
    ) -> np.ndarray:
        """Flat cell index of each row (replication, moment, channel code 0..C-1)."""
        rep = np.searchsorted(self.replications, replication)
        _, n_period, n_slot = self.shape
        return (rep * n_period + self.positions(times_s)) * n_slot + channel_code

    def sums(self, cells: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Sum of ``weights`` (or a count) per cell; the ``all`` slot is the sum over channels."""
        size = int(np.prod(self.shape))
        out = np.bincount(cells, weights=weights, minlength=size).astype(np.float64)
        out = out.reshape(self.shape)
        out[..., -1] = out[..., :-1].sum(axis=-1)
        return out

    def reduce(self, cells: np.ndarray, values: np.ndarray, how: str | float) -> np.ndarray:
        """``max`` or a quantile (a float in [0, 1]) of ``values`` per cell; NaN where empty.

        The ``all`` slot stays NaN: these statistics are not pooled across channels.
        """
        out = np.full(int(np.prod(self.shape)), np.nan)
        if len(cells):
            grouped = pd.Series(values).groupby(cells)
            result = grouped.max() if how == "max" else grouped.quantile(float(how))
            out[result.index.to_numpy()] = result.to_numpy()
        return out.reshape(self.shape)
