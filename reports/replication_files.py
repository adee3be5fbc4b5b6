"""What a worker makes of one replication for its results folder, and how the folder stores it.

:class:`ReplicationFiles` is the ``reduce`` a run passes to ``sim`` (it runs in the worker
that simulated the replication): it evaluates the replication
(:class:`sla_eval.replication.ReplicationEvaluator`) and encodes its files, so that only a
:class:`ReplicationOutput` travels back: the KPI table as one Parquet part, its week and longer
rows as CSV text, the contact log as a Parquet part when asked for, the rows the summary reads
and the interval service levels the figure draws. The parent writes the bytes as they come and
keeps the small part; its memory does not grow with the replications' logs.

**Parts.** ``kpis.parquet`` and ``contacts.parquet`` are folders of one Parquet file per
replication, ``part-000000.parquet`` to ``part-NNNNNN.parquet`` (:func:`part_name`), each with
the table's columns and dtypes; ``pandas.read_parquet`` and ``pyarrow.parquet.read_table`` read
the folder as one table, in replication order. A KPI part holds two row groups: the ``interval``
rows, then the rest (days and longer), so that :func:`read_stored` reads what the summary needs
without decoding the interval rows. :class:`StoredReplication` evaluates a stored part again
(``ccplan run --append``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pa_parquet

from reports.interval_band import BAND_KPIS, IntervalSeries, band_mask, interval_series
from sla_eval.evaluation import ReplicationLogs
from sla_eval.replication import ReplicationEvaluation, ReplicationEvaluator

__all__ = [
    "CONTACTS_DIR",
    "CSV_LEFT_OUT",
    "KPIS_DIR",
    "ReplicationFiles",
    "ReplicationOutput",
    "StoredReplication",
    "csv_bytes",
    "part_name",
    "part_replication",
    "read_stored",
    "stored_parts",
    "stores_intervals",
    "write_part",
]

KPIS_DIR = "kpis.parquet"
CONTACTS_DIR = "contacts.parquet"
_DATE_FORMAT = "%Y-%m-%dT%H:%M"
_INTERVAL = "interval"
CSV_LEFT_OUT = ("interval", "day")
"""Period kinds ``kpis.csv`` leaves to ``kpis.parquet`` (day rows are most of the rest: 15 MB of
text for 20 replications of a 61-day horizon)."""


def part_name(replication: int) -> str:
    """File name of replication ``replication``'s part (sorted names are in replication
    order)."""
    return f"part-{replication:06d}.parquet"


def csv_bytes(frame: pd.DataFrame, *, header: bool = True) -> bytes:
    """A table as CSV text, written with pyarrow (several times faster than pandas on the KPI
    table; converted on one thread: a worker process gains nothing from starting a thread pool
    for each table). Datetime columns become local times ``YYYY-MM-DDTHH:MM``, formatted once per
    distinct value."""
    columns = {}
    for name in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[name]):
            times = pd.Categorical(frame[name])
            columns[name] = times.rename_categories(times.categories.strftime(_DATE_FORMAT))
    table = pa.Table.from_pandas(frame.assign(**columns), preserve_index=False, nthreads=1)
    buffer = io.BytesIO()
    pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(include_header=header))
    return buffer.getvalue()


def _parquet_bytes(frame: pd.DataFrame, split: int | None = None) -> bytes:
    """``frame`` as Parquet, one row group, or two split before row ``split``."""
    table = pa.Table.from_pandas(frame, preserve_index=False, nthreads=1)
    buffer = io.BytesIO()
    with pa_parquet.ParquetWriter(buffer, table.schema) as writer:
        if split is None:
            writer.write_table(table, row_group_size=max(len(frame), 1))
        else:
            writer.write_table(table.slice(0, split), row_group_size=max(split, 1))
            rest = len(frame) - split
            writer.write_table(table.slice(split), row_group_size=max(rest, 1))
    return buffer.getvalue()


def _kpi_part(kpis: pd.DataFrame) -> bytes:
    """The KPI table as a part of two row groups: its ``interval`` rows (which the KPI table
    lists first), then the others."""
    interval = (kpis["period_kind"] == _INTERVAL).to_numpy()
    split = int(interval.sum())
    if not interval[:split].all():
        raise ValueError("the KPI table must list its interval rows first")
    return _parquet_bytes(kpis, split)


@dataclass(frozen=True, eq=False)
class ReplicationOutput:
    """One replication, as a worker returns it.

    Attributes
    ----------
    evaluation:
        What the run keeps (:meth:`sla_eval.replication.ReplicationEvaluation.kept`).
    series:
        The interval service level of each channel with a service target, or None when none
        has one or the views are not drawn.
    kpi_part:
        The KPI table as a Parquet part (empty for a replication read back from its part).
    kpi_csv:
        Its week and longer rows as CSV text with a header line (empty when read back).
    contact_part:
        The contact log as a Parquet part, or None.
    """

    evaluation: ReplicationEvaluation
    series: IntervalSeries | None
    kpi_part: bytes = b""
    kpi_csv: bytes = b""
    contact_part: bytes | None = None

    @property
    def replication(self) -> int:
        """The replication index."""
        return self.evaluation.replication


class ReplicationFiles:
    """``files(logs)``: the :class:`ReplicationOutput` of one replication (picklable: the
    ``reduce`` of ``sim.runner.run_replications``).

    Parameters
    ----------
    evaluator:
        Evaluates the replication's logs.
    band_channels:
        The channels with a service target, whose interval service level the figure draws.
    contacts:
        Encode the contact log too.
    intervals:
        Store every ``interval`` KPI row; otherwise only the interval service levels of
        ``band_channels`` (what the figure and ``--append`` read), a small share of them.
    views:
        Send back the interval series the report's views draw (:class:`ReplicationOutput`
        ``series``); a run without a report does not read them.
    """

    def __init__(
        self,
        evaluator: ReplicationEvaluator,
        band_channels: Sequence[str],
        *,
        contacts: bool,
        intervals: bool,
        views: bool = True,
    ):
        self.evaluator = evaluator
        self.band_channels = tuple(band_channels)
        self.contacts = contacts
        self.intervals = intervals
        self.views = views

    def __call__(self, logs: ReplicationLogs) -> ReplicationOutput:
        evaluation = self.evaluator(logs)
        kpis = evaluation.kpis
        stored = kpis if self.intervals else _band_rows_only(kpis, self.band_channels)
        return ReplicationOutput(
            evaluation=evaluation.kept(),
            series=_series(kpis, self.band_channels) if self.views else None,
            kpi_part=_kpi_part(stored),
            kpi_csv=csv_bytes(kpis[~kpis["period_kind"].isin(CSV_LEFT_OUT).to_numpy()]),
            contact_part=_parquet_bytes(logs.contacts) if self.contacts else None,
        )


def _band_rows_only(kpis: pd.DataFrame, channels: Sequence[str]) -> pd.DataFrame:
    """The KPI table without its ``interval`` rows but the service levels of ``channels``."""
    interval = (kpis["period_kind"] == _INTERVAL).to_numpy(bool)
    return kpis[~interval | band_mask(kpis, channels)].reset_index(drop=True)


def _series(kpis: pd.DataFrame, channels: Sequence[str]) -> IntervalSeries | None:
    return interval_series(kpis, channels) if channels else None


def stores_intervals(folder: Path) -> bool:
    """Whether the results folder's KPI parts hold every interval row (``--intervals``), not
    the service levels only."""
    parts = stored_parts(folder / KPIS_DIR)
    if not parts:
        return False
    kpis = pa_parquet.ParquetFile(parts[0]).read_row_group(0, columns=["kpi"]).column("kpi")
    return bool(set(kpis.to_pylist()) - set(BAND_KPIS))


def read_stored(data: bytes, band_channels: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """From a stored KPI part: its rows but the interval ones, and the interval rows of the
    service KPIs of ``band_channels`` (empty without any)."""
    part = pa_parquet.ParquetFile(pa.BufferReader(data))
    groups = part.metadata.num_row_groups
    rest = part.read_row_groups(list(range(1, groups))).to_pandas()
    interval = part.read_row_group(0).to_pandas() if band_channels else rest.iloc[:0]
    return rest, interval


class StoredReplication:
    """``stored(data)``: the :class:`ReplicationOutput` (without files) of a replication from
    the bytes of its stored KPI part, evaluated again (picklable; it runs in a worker).

    Parameters
    ----------
    evaluator, band_channels:
        As in :class:`ReplicationFiles`.
    """

    def __init__(self, evaluator: ReplicationEvaluator, band_channels: Sequence[str]):
        self.evaluator = evaluator
        self.band_channels = tuple(band_channels)

    def __call__(self, data: bytes) -> ReplicationOutput:
        rest, interval = read_stored(data, self.band_channels)
        evaluation = self.evaluator.of_kpis(rest).kept()
        return ReplicationOutput(evaluation, _series(interval, self.band_channels))


def write_part(folder: Path, replication: int, data: bytes) -> None:
    """Write a part into ``folder`` (created when missing)."""
    folder.mkdir(exist_ok=True)
    (folder / part_name(replication)).write_bytes(data)


def stored_parts(folder: Path) -> list[Path]:
    """The parts in ``folder``, in replication order."""
    return sorted(folder.glob("part-*.parquet"))


def part_replication(path: Path) -> int:
    """The replication index in a part's name."""
    return int(path.stem.removeprefix("part-"))
