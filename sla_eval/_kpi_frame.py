"""The long KPI table (:data:`sla_eval.kpis.KPI_COLUMNS`) from the KPI cubes of every kind.

Rows run kind by kind (in the layout's order), then KPI by KPI (in the items' order), then over
the cells ``(replication, period, channel slot)`` in that order, keeping the channel slots an
item is defined on. Each column is written once into an array of its final dtype; the text
columns are categoricals built from their codes.
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
    """The rows of one kind on one set of channel slots: their cells in the side-by-side cube
    and their replication, period, period start and channel code."""

    flat: np.ndarray
    replication: np.ndarray
    period: np.ndarray
    period_start: np.ndarray
    channel: np.ndarray


def _rows(layout: Layout, kind: int, slots: np.ndarray) -> _Rows:
    n_rep, n_period, n_slot = layout.shape
    first, last = layout.bounds[kind], layout.bounds[kind + 1]
    periods = layout.kinds[kind].periods
    rep = np.arange(n_rep)[:, None, None]
    position = np.arange(first, last)[None, :, None]
    slot = np.flatnonzero(slots)[None, None, :]
    shape = (n_rep, last - first, len(slot.ravel()))
    local = position - first
    return _Rows(
        flat=((rep * n_period + position) * n_slot + slot).ravel(),
        replication=np.broadcast_to(layout.replications[rep], shape).ravel().astype(np.int32),
        period=np.broadcast_to(periods["period"].to_numpy()[local], shape).ravel().astype(np.int32),
        period_start=np.broadcast_to(
            periods["period_start"].to_numpy().astype("datetime64[ns]")[local], shape
        ).ravel(),
        channel=np.broadcast_to(slot, shape).ravel(),
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
    blocks: list[tuple[int, int, np.ndarray, _Rows]] = []
    for k, kind in enumerate(layout.kinds):
        chosen = list(items)
        if kind.kind == "interval" and interval_kpis is not None:
            wanted = set(interval_kpis)
            chosen = [item for item in items if item[0] in wanted]
        rows: dict[bytes, _Rows] = {}
        for name, values, slots in chosen:
            key = slots.tobytes()
            if key not in rows:
                rows[key] = _rows(layout, k, slots)
            blocks.append((PERIOD_KINDS.index(kind.kind), kpi_code[name], values, rows[key]))
    n_rows = sum(len(part.flat) for _, _, _, part in blocks)
    channels = [*layout.channels, ALL_CHANNELS]
    replication = np.empty(n_rows, np.int32)
    period_kind = np.empty(n_rows, _codes(len(PERIOD_KINDS)))
    period = np.empty(n_rows, np.int32)
    period_start = np.empty(n_rows, "datetime64[ns]")
    channel = np.empty(n_rows, _codes(len(channels)))
    kpi = np.empty(n_rows, _codes(len(kpi_names)))
    value = np.empty(n_rows, np.float64)
    at = 0
    for kind_code, code, values, part in blocks:
        end = at + len(part.flat)
        replication[at:end] = part.replication
        period_kind[at:end] = kind_code
        period[at:end] = part.period
        period_start[at:end] = part.period_start
        channel[at:end] = part.channel
        kpi[at:end] = code
        np.take(values.reshape(-1), part.flat, out=value[at:end])
        at = end
    return pd.DataFrame(
        {
            "replication": replication,
            "period_kind": _categorical(period_kind, PERIOD_KINDS),
            "period": period,
            "period_start": period_start,
            "channel": _categorical(channel, channels),
            "kpi": _categorical(kpi, kpi_names),
            "value": value,
        }
    )


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(
        codes, dtype=pd.CategoricalDtype(list(categories)), validate=False
    )
