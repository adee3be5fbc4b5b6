"""A run's results folder, written while its replications arrive (files in ``docs/results.md``).

:class:`RunFolder` writes into a staging folder (:func:`reports.staging.staged_folder`): each
replication's parts and CSV rows as its :class:`reports.replication_files.ReplicationOutput`
arrives (:meth:`RunFolder.add`), then, once they are all there, the contract rows, the staffing
plan, the figures, the report and ``summary.json`` (:meth:`RunFolder.finish`). It keeps only
what the summary and the figures need (:class:`sla_eval.replication.RunTally`,
:class:`reports.interval_band.IntervalBand`), so its memory is flat in the number of
replications.

:meth:`RunFolder.adopt` starts from the replications of an earlier folder of the same scenario
and seed (``ccplan run --append``): their parts are linked (or copied, across file systems),
``kpis.csv`` is copied, and their KPI parts are evaluated again, in the workers, for the
summary and the figures (:class:`reports.replication_files.StoredReplication`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from reports.interval_band import IntervalBand
from reports.replication_files import (
    CONTACTS_DIR,
    KPIS_DIR,
    ReplicationFiles,
    ReplicationOutput,
    StoredReplication,
    stored_parts,
    write_part,
)
from sim.runner import MapFn
from sla_eval.evaluation import Evaluation
from sla_eval.replication import RunTally

__all__ = ["KPIS_CSV", "SUMMARY_FILE", "RunFolder"]

SUMMARY_FILE = "summary.json"
KPIS_CSV = "kpis.csv"
_PARTS_PER_SLOT = 4
"""Stored parts read and submitted at a time per worker (memory: a few MB each)."""


class RunFolder:
    """The results folder of one run, written into ``stage`` as replications arrive.

    Parameters
    ----------
    stage:
        The staging folder (empty but for the marker file).
    files:
        The ``reduce`` the replications ran with: its evaluator, band channels and whether the
        contact log is written.
    seed:
        The replications' root seed.
    """

    def __init__(self, stage: Path, files: ReplicationFiles, seed: int):
        self.stage = stage
        self.files = files
        self.tally = RunTally(files.evaluator, seed)
        self.band = IntervalBand(stage) if files.band_channels and files.views else None
        self._csv: IO[bytes] | None = None

    @property
    def replications(self) -> int:
        """Replications in the folder so far."""
        return len(self.tally.replications)

    def add(self, output: ReplicationOutput) -> None:
        """Write the next replication's files and keep its summary rows (in index order)."""
        self._keep(output)
        replication = output.replication
        write_part(self.stage / KPIS_DIR, replication, output.kpi_part)
        if output.contact_part is not None:
            write_part(self.stage / CONTACTS_DIR, replication, output.contact_part)
        self._append_csv(output.kpi_csv)

    def _keep(self, output: ReplicationOutput) -> None:
        self.tally.add(output.evaluation)
        if self.band is not None and output.series is not None:
            self.band.add(output.series)

    def _append_csv(self, text: bytes) -> None:
        if self._csv is None:
            self._csv = (self.stage / KPIS_CSV).open("ab")
            if self._csv.tell() == 0:
                self._csv.write(text)
                return
        self._csv.write(text[text.index(b"\n") + 1 :])

    def adopt(self, earlier: Path, map_fn: MapFn) -> None:
        """Take every replication of the results folder ``earlier`` (checked by the caller to
        be of the same scenario and seed, with replications ``0 .. n-1``)."""
        parts = stored_parts(earlier / KPIS_DIR)
        for folder in (KPIS_DIR, CONTACTS_DIR):
            if (earlier / folder).is_dir():
                _link_all(earlier / folder, self.stage / folder)
        shutil.copyfile(earlier / KPIS_CSV, self.stage / KPIS_CSV)
        stored = StoredReplication(self.files.evaluator, self.files.band_channels)
        chunk = _PARTS_PER_SLOT * max(1, int(getattr(map_fn, "slots", 1)))
        for begin in range(0, len(parts), chunk):
            data = [path.read_bytes() for path in parts[begin : begin + chunk]]
            for output in map_fn(stored, data):
                self._keep(output)

    def finish(self) -> Evaluation:
        """Close ``kpis.csv`` and return the run's evaluation (the rest is written by
        :func:`reports.results_folder.write_run_files`)."""
        if self._csv is not None:
            self._csv.close()
            self._csv = None
        return self.tally.evaluation()

    def close(self) -> None:
        """Release the temporary file of the band and the open CSV file."""
        if self._csv is not None:
            self._csv.close()
            self._csv = None
        if self.band is not None:
            self.band.close()


def _link_all(source: Path, target: Path) -> None:
    """Hard-link every file of ``source`` into a new folder ``target`` (copy when linking is
    not possible, as across file systems)."""
    target.mkdir()
    for path in _files(source):
        try:
            os.link(path, target / path.name)
        except OSError:
            shutil.copy2(path, target / path.name)


def _files(folder: Path) -> Iterator[Path]:
    return (path for path in sorted(folder.iterdir()) if path.is_file())
