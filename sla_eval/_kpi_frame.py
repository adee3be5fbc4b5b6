"""The long KPI table (:data:`sla_eval.kpis.KPI_COLUMNS`) from the KPI cubes of every kind.

Rows run kind by kind (in the layout's order), then KPI by KPI (in the items' order), then over
the cells ``(replication, period, channel slot)`` in that order, keeping the channel slots an
item is defined on. The rows are gathered as flat indices into the cubes stacked side by side;
every column follows from those indices with a few whole-array operations, in its final dtype,
and the text columns are categoricals built from their codes.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sla_eval.period_cells import ALL_CHANNELS, Layout
from sla_eval.periods import PERIOD_KINDS

__all__ = ["kpi_frame"]

Item = tuple[str, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class _Rows:
    """The rows of one kind on some channel slots, in row order: their flat cell index in a
    cube and their replication, period, period start and channel code."""

    flat: np.ndarray
    replication: np.ndarray
    period: np.ndarray
    period_start: np.ndarray
    channel: np.ndarray


def _rows(layout: Layout, kind: int, slots: np.ndarray, channel_type: type) -> _Rows:
    n_rep, n_period, n_slot = layout.shape
    chosen = np.flatnonzero(slots)
    first, last = layout.bounds[kind], layout.bounds[kind + 1]
    shape = (n_rep, int(last - first), len(chosen))
    rep = np.arange(n_rep)[:, None, None]
    position = np.arange(first, last)[None, :, None]
    slot = chosen[None, None, :]

    def spread(values: np.ndarray) -> np.ndarray:
        return np.broadcast_to(values, shape).ravel()

    return _Rows(
        flat=((rep * n_period + position) * n_slot + slot).ravel(),
        replication=spread(layout.replications.astype(np.int32)[rep]),
        period=spread(layout.period[position]),
        period_start=spread(layout.period_start[position]),
        channel=spread(slot.astype(channel_type)),
    )


def _codes(n_categories: int) -> type[np.signedinteger]:
    return np.int8 if n_categories < np.iinfo(np.int8).max else np.int16


def kpi_frame(
    layout: Layout, items: Sequence[Item], interval_kpis: Collection[str] | None = None
) -> pd.DataFrame:
    """The long table of ``items`` (KPI cubes over ``layout``); the ``interval`` kind keeps
    only the KPIs in ``interval_kpis`` (None: every KPI). The KPI categories are every item's
    name, in order, either way."""
    kpi_names = list(dict.fromkeys(name for name, _, _ in items))
    kpi_code = {name: code for code, name in enumerate(kpi_names)}
    channels = [*layout.channels, ALL_CHANNELS]
    channel_type = _codes(len(channels))
    blocks: list[tuple[int, int, np.ndarray, _Rows]] = []
    for k, kind in enumerate(layout.kinds):
        rows: dict[bytes, _Rows] = {}
        for name, values, slots in items:
            if kind.kind == "interval" and interval_kpis is not None and name not in interval_kpis:
                continue
            key = slots.tobytes()
            if key not in rows:
                rows[key] = _rows(layout, k, slots, channel_type)
            blocks.append((PERIOD_KINDS.index(kind.kind), kpi_code[name], values, rows[key]))
    sizes = [len(part.flat) for _, _, _, part in blocks]
    n_rows = sum(sizes)
    replication = np.empty(n_rows, np.int32)
    period = np.empty(n_rows, np.int32)
    period_start = np.empty(n_rows, "datetime64[ns]")
    channel = np.empty(n_rows, channel_type)
    value = np.empty(n_rows, np.float64)
    at = 0
    for _, _, values, part in blocks:
        end = at + len(part.flat)
        replication[at:end] = part.replication
        period[at:end] = part.period
        period_start[at:end] = part.period_start
        channel[at:end] = part.channel
        value[at:end] = values.reshape(-1)[part.flat]
        at = end
    kind_codes = np.array([kind for kind, _, _, _ in blocks], _codes(len(PERIOD_KINDS)))
    kpi_codes = np.array([code for _, code, _, _ in blocks], _codes(len(kpi_names)))
    return pd.DataFrame(
        {
            "replication": replication,
            "period_kind": _categorical(np.repeat(kind_codes, sizes), PERIOD_KINDS),
            "period": period,
            "period_start": period_start,
            "channel": _categorical(channel, channels),
            "kpi": _categorical(np.repeat(kpi_codes, sizes), kpi_names),
            "value": value,
        },
        copy=False,
    )


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(
        codes, dtype=pd.CategoricalDtype(list(categories)), validate=False
    )
