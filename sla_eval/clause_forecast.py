"""The contract forecast as the clauses read it: per period kind and channel, summed once.

A relief band or a forecast-based minimum volume compares a clause's period with the contract
forecast of its channel in that period: ``F(k, c, p) = Σ expected_contacts`` over the rows of
the forecast table of kind ``k`` with channel ``c`` (every channel for ``all``) and period
``p``. It depends on the scenario alone, so :class:`ClauseForecasts` sums it once per kind and
channel and keeps it: a run evaluates thousands of replications against the same forecast,
and the sums travel with the evaluator to the workers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import numpy as np
import pandas as pd

from scenarios.errors import InputError
from sla_eval.grids import frozen, positions_in
from sla_eval.period_cells import ALL_CHANNELS

__all__ = ["ClauseForecasts"]


class ClauseForecasts(Mapping[str, pd.DataFrame]):
    """The forecast tables by period kind (columns ``period``, ``channel``,
    ``expected_contacts``, as :func:`sla_eval.forecast.forecast_table` gives them), read as a
    mapping, with each channel's forecast per period summed once (:meth:`per_period`).

    Parameters
    ----------
    tables:
        The forecast table of every period kind forecast.
    """

    def __init__(self, tables: Mapping[str, pd.DataFrame]):
        self._tables = dict(tables)
        self._sums: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    @classmethod
    def of(cls, forecast: Mapping[str, pd.DataFrame]) -> ClauseForecasts:
        """``forecast`` itself when it already is one, else its tables wrapped."""
        return forecast if isinstance(forecast, ClauseForecasts) else cls(forecast)

    def __getitem__(self, kind: str) -> pd.DataFrame:
        return self._tables[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def prepare(self, keys: Iterable[tuple[str, str]]) -> ClauseForecasts:
        """Sum the forecast of every ``(kind, channel)`` of ``keys`` that is forecast now
        (before the object is shipped to the workers that read it); returns ``self``."""
        for kind, channel in keys:
            if kind in self._tables:
                self._sum(kind, channel)
        return self

    def _sum(self, kind: str, channel: str) -> tuple[np.ndarray, np.ndarray]:
        key = (kind, channel)
        if key not in self._sums:
            table = self._tables[kind]
            rows = table if channel == ALL_CHANNELS else table[table["channel"] == channel]
            summed = rows.groupby("period")["expected_contacts"].sum()
            self._sums[key] = (
                frozen(summed.index.to_numpy(np.int64)),
                frozen(summed.to_numpy(np.float64)),
            )
        return self._sums[key]

    def per_period(self, kind: str, channel: str, periods: np.ndarray) -> np.ndarray | None:
        """``F(kind, channel, p)`` for each of ``periods`` (module docstring); None when no
        forecast of ``kind`` was given.

        Raises
        ------
        InputError
            When the forecast has no volume of the channel in some of ``periods``.
        """
        if kind not in self._tables:
            return None
        forecast_periods, expected = self._sum(kind, channel)
        position, found = positions_in(forecast_periods, periods)
        if not found.all():
            missing = sorted(int(period) for period in np.asarray(periods)[~found])
            raise InputError(f"the forecast has no {channel!r} volume for periods {missing}")
        return expected[position]
