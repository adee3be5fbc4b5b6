"""Volume and roster files as spreadsheets (scenarios.data_files): the same values as the
CSV files, the same row checks, problems named FILE:ROW."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from scenarios import load
from scenarios.data_files import read_interval_file, roster_agents
from scenarios.errors import ScenarioError
from scenarios.interval_csv import read_interval_csv

EXAMPLES = Path(__file__).parents[2] / "scenarios" / "examples"


def _book(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _horizon(days: int = 1):
    return load(EXAMPLES / "mmn.yaml", [f"horizon.days={days}"]).horizon


def test_a_spreadsheet_reads_like_its_csv(tmp_path):
    horizon = _horizon()
    starts = [dt.datetime(2027, 3, 1) + i * dt.timedelta(seconds=horizon.interval_s) for i in
              range(horizon.n_intervals)]  # fmt: skip
    values = [float(i % 7) + 0.5 for i in range(horizon.n_intervals)]
    book = _book(
        tmp_path / "v.xlsx", [["interval_start", "contacts"], *zip(starts, values, strict=True)]
    )
    csv = tmp_path / "v.csv"
    csv.write_text(
        "interval_start,contacts\n"
        + "".join(f"{s:%Y-%m-%dT%H:%M},{v}\n" for s, v in zip(starts, values, strict=True))
    )
    assert horizon.start == dt.date(2027, 3, 1)
    from_book = read_interval_file(book, "contacts", horizon, "channels.phone.volume.file")
    grid = {"start": horizon.start, "interval_s": horizon.interval_s}
    from_csv = read_interval_csv(csv, "contacts", n_intervals=horizon.n_intervals, **grid)
    np.testing.assert_array_equal(from_book, from_csv)
    np.testing.assert_array_equal(from_book, values)


def test_bad_rows_are_named_file_and_row(tmp_path):
    horizon = _horizon()
    step = dt.timedelta(seconds=horizon.interval_s)
    rows = [["interval_start", "agents"]]
    rows += [[dt.datetime(2027, 3, 1) + i * step, 3] for i in range(horizon.n_intervals)]
    rows[3][1] = 2.5  # sheet row 4 (row 1 is the header): not whole
    rows[5][0] = "yesterday"  # sheet row 6
    path = _book(tmp_path / "r.xlsx", rows)
    with pytest.raises(ScenarioError) as caught:
        read_interval_file(path, "agents", horizon, "partner.teams.0.staffing.file", whole=True)
    messages = [str(problem) for problem in caught.value.problems]
    where = f"{path}:{{}}: partner.teams.0.staffing.file: "
    assert messages[0] == where.format(4) + "agents must be a whole number (got '2.5')"
    assert messages[1].startswith(where.format(6) + "interval_start must be an ISO local")


def test_a_file_that_is_no_workbook_is_one_clear_problem(tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_text("interval_start,agents\n")
    with pytest.raises(ScenarioError, match=r"r\.xlsx: .*cannot read the spreadsheet"):
        read_interval_file(path, "agents", _horizon(), "partner.teams.0.staffing.file")
    with pytest.raises(ScenarioError, match="file not found"):
        read_interval_file(tmp_path / "no.xlsx", "agents", _horizon(), "x")


def test_a_scenario_takes_its_roster_from_a_spreadsheet(tmp_path):
    scenario = load(EXAMPLES / "mmn.yaml")
    rows = (EXAMPLES / "mmn_roster.csv").read_text().splitlines()
    header, data = rows[0].split(","), [row.split(",") for row in rows[1:] if row]
    time, agents = header.index("interval_start"), header.index("agents")
    book = _book(
        tmp_path / "roster.xlsx",
        [["interval_start", "agents"],
         *([dt.datetime.fromisoformat(r[time]), int(r[agents])] for r in data)],
    )  # fmt: skip
    from_book = load(EXAMPLES / "mmn.yaml", [f"partner.teams.0.staffing.file={book}"])

    def roster(loaded):
        return roster_agents(0, loaded.partner.teams[0].staffing.file, loaded.horizon)

    assert str(from_book.partner.teams[0].staffing.file).endswith("roster.xlsx")
    np.testing.assert_array_equal(roster(from_book), roster(scenario))
