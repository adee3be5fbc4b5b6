"""Per-interval CSV tables: values on the grid, and every problem named with file and line."""

import datetime as dt

import numpy as np
import pytest

from scenarios.errors import ScenarioError
from scenarios.interval_csv import read_interval_csv

START = dt.date(2027, 3, 1)
HOUR_S = 3600.0


def _write(tmp_path, text, name="volume.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _day_rows(value=lambda h: h):
    return "".join(f"2027-03-01T{h:02d}:00,{value(h)}\n" for h in range(24))


def _read(path, n_intervals=24, interval_s=HOUR_S):
    return read_interval_csv(
        path,
        "contacts",
        start=START,
        interval_s=interval_s,
        n_intervals=n_intervals,
        field_path="channels.phone.volume.file",
    )


def _messages(path, **kwargs):
    with pytest.raises(ScenarioError) as caught:
        _read(path, **kwargs)
    return [str(problem) for problem in caught.value.problems]


def test_values_land_on_their_intervals_in_any_row_order(tmp_path):
    rows = _day_rows().splitlines()
    text = "contacts,interval_start\n" + "".join(
        f"{r.split(',')[1]},{r.split(',')[0]}\n" for r in reversed(rows)
    )
    values = _read(_write(tmp_path, text))
    assert values.dtype == np.float64
    np.testing.assert_array_equal(values, np.arange(24.0))


def test_friendly_counts_spaces_blank_lines_and_bom_are_read(tmp_path):
    text = "\ufeffinterval_start, contacts\n2027-03-01 00:00 ,1.5k\n\n2027-03-01T00:30:00,2\n"
    values = _read(_write(tmp_path, text), n_intervals=2, interval_s=1800.0)
    np.testing.assert_array_equal(values, [1500.0, 2.0])


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    assert _messages(path) == [f"{path}: channels.phone.volume.file: file not found"]


def test_bad_header_is_reported_on_line_1(tmp_path):
    path = _write(tmp_path, "start,contacts\n" + _day_rows())
    assert _messages(path) == [
        f"{path}:1: channels.phone.volume.file: header must name the columns interval_start "
        "and contacts (got 'start,contacts')"
    ]


def test_every_bad_row_is_reported_with_its_line(tmp_path):
    text = (
        "interval_start,contacts\n"
        "2027-03-01T00:00,1\n"  # line 2, fine
        "2027-03-01T00:30,1\n"  # line 3, off the hourly grid
        "2027-03-02T00:00,1\n"  # line 4, after the horizon
        "yesterday,1\n"  # line 5
        "2027-03-01T01:00,-3\n"  # line 6
        "2027-03-01T00:00,2\n"  # line 7, duplicate of line 2
        "2027-03-01T02:00+01:00,1\n"  # line 8
        "2027-03-01T03:00\n"  # line 9, one field
    )
    path = _write(tmp_path, text)
    where = f"{path}:{{}}: channels.phone.volume.file: "
    assert _messages(path) == [
        where.format(3) + "interval_start is not on the 60-minute interval grid "
        "(got '2027-03-01T00:30')",
        where.format(4) + "interval_start is outside the horizon (got '2027-03-02T00:00')",
        where.format(5) + "interval_start must be an ISO local date-time such as "
        "2027-03-01T08:15 (got 'yesterday')",
        where.format(6) + "contacts must not be negative (got '-3')",
        where.format(7) + "interval_start repeats the interval of line 2 (got '2027-03-01T00:00')",
        where.format(8) + "interval_start must be a local date-time without a UTC offset "
        "(got '2027-03-01T02:00+01:00')",
        where.format(9) + "row must have 2 fields (got '2027-03-01T03:00')",
    ]


def test_missing_intervals_name_the_first_gap(tmp_path):
    rows = _day_rows().splitlines()
    path = _write(tmp_path, "interval_start,contacts\n" + "\n".join(rows[:5] + rows[7:]))
    assert _messages(path) == [
        f"{path}: channels.phone.volume.file: 2 of the horizon's 24 intervals have no row, "
        "the first one starting 2027-03-01T05:00"
    ]


def test_many_problems_are_capped(tmp_path):
    text = "interval_start,contacts\n" + "".join(f"bad{i},1\n" for i in range(30))
    messages = _messages(_write(tmp_path, text))
    assert len(messages) == 21
    assert messages[-1].endswith("10 more problems not shown")


def test_oversized_and_binary_files_are_refused(tmp_path, monkeypatch):
    path = _write(tmp_path, "interval_start,contacts\n" + _day_rows())
    monkeypatch.setattr("scenarios.interval_csv.MAX_DATA_FILE_BYTES", 100)
    size = path.stat().st_size
    assert _messages(path) == [
        f"{path}: channels.phone.volume.file: file is larger than the 100 bytes allowed "
        f"(got {size})"
    ]
    monkeypatch.undo()
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"interval_start,contacts\n\xff\xfe\x00")
    assert _messages(binary) == [
        f"{binary}: channels.phone.volume.file: file is not UTF-8 text (invalid start byte)"
    ]
