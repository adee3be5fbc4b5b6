"""The data files a scenario names, read on the horizon's interval grid: volume forecasts
(``channels.<c>.volume.file``) and rosters (``partner.teams.<i>.staffing.file``).

One reader per kind, used by the demand expansion, the staffing plan and the checks made when
a scenario is loaded, so every file is held to the same rules (:mod:`scenarios.interval_csv`):
volumes are non-negative contacts, rosters whole agents, both within :mod:`scenarios.limits`.

A file whose name ends in ``.xlsx`` is read as a spreadsheet (openpyxl): the first worksheet,
its first row the header, held to the same rules row by row, problems named ``FILE:ROW``. A
date-time cell is taken as the local time it shows (``2027-03-01T08:15``); a number as is; an
empty cell as empty text.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from scenarios._base import MAX_DATA_FILE_BYTES
from scenarios.calendar import Horizon
from scenarios.errors import Problem, ScenarioError
from scenarios.interval_csv import read_interval_csv, read_interval_rows
from scenarios.limits import MAX_AGENTS, MAX_CONTACTS_PER_REPLICATION

__all__ = ["SPREADSHEET_SUFFIX", "read_interval_file", "roster_agents", "volume_contacts"]

SPREADSHEET_SUFFIX = ".xlsx"
"""The suffix of a data file read as a spreadsheet."""


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    return str(value)


def _sheet_rows(path: Path, field_path: str) -> Iterator[tuple[int, list[str]]]:
    """``(row number, cells as text)`` of the first worksheet of a workbook."""
    import zipfile

    import openpyxl  # imported here: only spreadsheets need it
    from openpyxl.utils.exceptions import InvalidFileException

    def problem(message: str) -> ScenarioError:
        return ScenarioError([Problem(message, field_path, os.fspath(path))])

    try:
        if os.stat(path).st_size > MAX_DATA_FILE_BYTES:
            raise problem(f"file is larger than the {MAX_DATA_FILE_BYTES} bytes allowed")
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise problem("file not found") from None
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise problem(f"cannot read the spreadsheet ({error})") from None
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in row]
    finally:
        book.close()


def read_interval_file(
    file: Path,
    value_column: str,
    horizon: Horizon,
    field_path: str,
    *,
    whole: bool = False,
    at_most: float = math.inf,
) -> np.ndarray:
    """A per-interval table from a CSV file or, by its ``.xlsx`` suffix, a spreadsheet (rules
    of :mod:`scenarios.interval_csv`: values whole if asked and at most ``at_most``)."""
    if Path(file).suffix.lower() == SPREADSHEET_SUFFIX:
        return read_interval_rows(
            _sheet_rows(Path(file), field_path), value_column, file=os.fspath(file),
            start=horizon.start, interval_s=horizon.interval_s, n_intervals=horizon.n_intervals,
            field_path=field_path, whole=whole, at_most=at_most,
        )  # fmt: skip
    return read_interval_csv(
        file, value_column, start=horizon.start, interval_s=horizon.interval_s,
        n_intervals=horizon.n_intervals, field_path=field_path, whole=whole, at_most=at_most,
    )  # fmt: skip


def volume_contacts(channel: str, file: Path, horizon: Horizon) -> np.ndarray:
    """Expected contacts per interval of a channel's volume file (float64, one per interval).

    Raises
    ------
    ScenarioError
        For every problem of the file, naming file and line.
    """
    return read_interval_file(
        file,
        "contacts",
        horizon,
        f"channels.{channel}.volume.file",
        at_most=MAX_CONTACTS_PER_REPLICATION,
    )


def roster_agents(team_index: int, file: Path, horizon: Horizon) -> np.ndarray:
    """Scheduled agents per interval of a team's roster file (int64, one per interval).

    Raises
    ------
    ScenarioError
        For every problem of the file, naming file and line.
    """
    agents = read_interval_file(
        file,
        "agents",
        horizon,
        f"partner.teams.{team_index}.staffing.file",
        whole=True,
        at_most=MAX_AGENTS,
    )
    return agents.astype(np.int64)
