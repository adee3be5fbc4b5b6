"""Reading contact logs: the documented format, column mapping, joined date and time columns,
time formats and zones, Parquet, set-aside rows, and every bad cell reported on its own line
with the file, row and column."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from calibrate import LogError, LogFormat, read_log
from tests.calibrate.conftest import contact


def test_the_documented_format(write_log):
    path = write_log(
        [
            contact(
                "2027-03-01T08:00:00",
                "2027-03-01T08:00:30",
                "2027-03-01T08:05:30",
                "answered",
                agent="ann",
                customer="c1",
                tier=1,
                id="x1",
            ),
            contact(
                "2027-03-01T08:01:00",
                None,
                "2027-03-01T08:02:15",
                "Abandoned",
                customer="c2",
                tier="",
                id="x2",
            ),
            contact("2027-03-02T09:00:00", None, "", "transferred", id="x3"),
            contact(
                "2027-03-02T09:10:00",
                "2027-03-02T09:10:00",
                "2027-03-02T09:20:00",
                "answered",
                agent="bob",
                customer="c1",
                tier=2,
                id="x4",
            ),
        ]
    )
    log = read_log(path)
    rows = log.contacts
    assert log.start == dt.date(2027, 3, 1) and log.n_days == 2
    assert log.rows_read == 4 and log.set_aside == {"transferred": 1}
    assert list(rows["outcome"]) == ["answered", "abandoned", "other", "answered"]
    assert rows["wait_s"].tolist()[:2] == [30.0, 75.0]
    assert rows["handle_s"].iloc[0] == 300.0 and np.isnan(rows["handle_s"].iloc[1])
    assert rows["end_s"].iloc[0] == 8 * 3600 + 330
    assert rows["tier"].tolist() == [1, 1, 1, 2]
    assert rows["customer"].iloc[0] == rows["customer"].iloc[3] != rows["customer"].iloc[1]
    assert log.agents == ("ann", "bob")


def test_column_mapping_joins_a_date_and_a_time_column(write_log):
    path = write_log(
        [
            {
                "Queue": "Phone NL",
                "day": "01/03/2027",
                "start": "08:00:00",
                "picked": "01/03/2027 08:00:10",
                "stop": "01/03/2027 08:03:10",
                "result": "answered",
            }
        ]
    )
    fmt = LogFormat(
        {
            "channel": "Queue",
            "arrival": "day+start",
            "answer": "picked",
            "end": "stop",
            "outcome": "result",
        },
        time_format="%d/%m/%Y %H:%M:%S",
    )
    log = read_log(path, fmt)
    assert log.channels == ("phone_nl",) and log.channel_labels == {"phone_nl": "Phone NL"}
    assert log.contacts["wait_s"].iloc[0] == 10.0
    assert log.contacts["arrival_s"].iloc[0] == 8 * 3600


def test_offsets_are_converted_to_the_centre_zone_and_durations_stay_real(write_log):
    # 2027-03-28 is the spring change in Amsterdam: 02:00 local does not exist
    path = write_log(
        [
            contact(
                "2027-03-28T00:30:00Z", "2027-03-28T00:59:00Z", "2027-03-28T01:10:00Z", "answered"
            ),
        ]
    )
    log = read_log(path, LogFormat(timezone="Europe/Amsterdam"))
    row = log.contacts.iloc[0]
    assert log.start == dt.date(2027, 3, 28)
    assert row["arrival_s"] == 1.5 * 3600  # 01:30 wall time (UTC+1)
    assert row["wait_s"] == 29 * 60  # the real wait, across the change to UTC+2
    assert row["end_s"] == 1.5 * 3600 + 40 * 60


def test_unix_times_and_parquet(tmp_path):
    frame = pd.DataFrame(
        {
            "channel": ["chat"],
            "arrival": [1_800_000_000.0],
            "answer": [1_800_000_060.0],
            "end": [1_800_000_360.0],
            "outcome": ["answered"],
        }
    )
    path = tmp_path / "log.parquet"
    frame.to_parquet(path)
    log = read_log(path, LogFormat(time_format="unix"))
    assert log.start == dt.date(2027, 1, 15)
    assert log.contacts["handle_s"].iloc[0] == 300.0


def test_parquet_with_timestamp_columns(tmp_path):
    times = pd.to_datetime(["2027-03-01 08:00:00", "2027-03-01 08:00:20", "2027-03-01 08:02:00"])
    frame = pd.DataFrame(
        {
            "channel": ["phone"],
            "arrival": [times[0]],
            "answer": [times[1]],
            "end": [times[2]],
            "outcome": ["answered"],
        }
    )
    path = tmp_path / "log.parquet"
    frame.to_parquet(path)
    assert read_log(path).contacts["wait_s"].iloc[0] == 20.0


def _problems(path, fmt=None) -> list[str]:
    with pytest.raises(LogError) as caught:
        read_log(path, fmt)
    return str(caught.value).splitlines()


def test_every_bad_cell_is_one_line_with_file_row_and_column(write_log):
    good = contact(
        "2027-03-01T08:00:00",
        "2027-03-01T08:00:30",
        "2027-03-01T08:05:00",
        "answered",
        id="a",
        tier=1,
    )
    path = write_log(
        [
            good,
            {**good, "arrival": "yesterday", "id": "b"},
            {**good, "answer": "2027-03-01T07:59:00", "id": "c"},
            {**good, "end": "2027-03-01T08:00:10", "id": "d"},
            {**good, "end": "2027-03-03T08:00:10", "id": "e"},
            {**good, "outcome": "", "id": "f"},
            {**good, "outcome": "abandoned", "id": "g"},
            {**good, "answer": "", "id": ""},
            {**good, "id": "a"},  # after the blank id of row 8
            {**good, "tier": 3, "id": "i"},
            {**good, "channel": "", "id": "j"},
            {**good, "arrival": "2027-03-01T08:00:00+01:00", "id": "k"},
        ]
    )
    lines = _problems(path)
    file = str(path)
    assert lines == [
        f"{file}, row 2, column arrival: cannot read the time as ISO 8601 (got 'yesterday')",
        f"{file}, row 3, column answer: the answer is before the arrival",
        f"{file}, row 4, column end: the end is before the answer",
        f"{file}, row 5, column end: a handle time over 24 hours is not plausible "
        "(got '48.0 hours')",
        f"{file}, row 6, column outcome: the outcome is empty",
        f"{file}, row 7, column answer: an abandoned contact has an answer time",
        f"{file}, row 8, column answer: an answered contact needs an answer time",
        f"{file}, row 9, column id: the id was already used (got 'a, first on row 1')",
        f"{file}, row 10, column tier: the tier must be 1 or 2 (got '3')",
        f"{file}, row 11, column channel: the channel is empty",
        f"{file}, row 12, column arrival: the column mixes times with and without a UTC offset "
        "(got '2027-03-01T08:00:00+01:00')",
    ]


def test_problems_name_the_users_columns_and_stop_after_twenty(write_log):
    rows = [{"q": "phone", "t0": "x", "t1": "", "t2": "", "res": "abandoned"}] * 30
    path = write_log(rows)
    fmt = LogFormat(
        {"channel": "q", "arrival": "t0", "answer": "t1", "end": "t2", "outcome": "res"}
    )
    lines = _problems(path, fmt)
    assert len(lines) == 21
    assert lines[0] == f"{path}, row 1, column t0: cannot read the time as ISO 8601 (got 'x')"
    assert lines[1] == f"{path}, row 1, column t2: the end of the contact is empty"
    assert lines[-1] == f"{path}: 40 more problems not shown"


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            {"arrival": "start"},
            "column start: no such column (mapped from --columns "
            "arrival=start); the file has channel, arrival, answer, end, outcome",
        ),
        ({"agent": "who"}, "column who: no such column"),
    ],
)
def test_a_missing_column(write_log, columns, message):
    path = write_log([contact("2027-03-01T08:00:00", None, "2027-03-01T08:01:00", "abandoned")])
    (line,) = _problems(path, LogFormat(columns))
    assert line.startswith(f"{path}, ") and message in line


def test_missing_required_column(write_log):
    path = write_log([{"channel": "phone", "arrival": "2027-03-01T08:00:00"}])
    lines = _problems(path)
    assert lines[0] == f"{path}, column answer: no such column; the file has channel, arrival"
    assert len(lines) == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"columns": {"arival": "x"}}, "'arival' is not a contact-log column"),
        ({"columns": {"channel": "a+b"}}, "only arrival, answer, end may join columns"),
        ({"timezone": "Mars/Olympus"}, "unknown IANA time zone"),
    ],
)
def test_bad_format_options(kwargs, message):
    with pytest.raises(Exception, match=message):
        LogFormat(**kwargs)


def test_unreadable_files(tmp_path):
    assert _problems(tmp_path / "none.csv") == [f"{tmp_path / 'none.csv'}: file not found"]
    other = tmp_path / "log.xlsx"
    other.write_text("channel,arrival,answer,end,outcome\n")
    assert "must be a .csv" in _problems(other)[0]
    empty = tmp_path / "empty.csv"
    empty.write_text("channel,arrival,answer,end,outcome\n")
    assert _problems(empty) == [f"{empty}: the log has no rows"]
    broken = tmp_path / "broken.csv"
    broken.write_text("channel,arrival,answer,end,outcome\nphone,1,2\n")
    assert _problems(broken)[0].startswith(f"{broken}: cannot read the table")


def test_channel_names_that_collide(write_log):
    row = contact("2027-03-01T08:00:00", None, "2027-03-01T08:01:00", "abandoned")
    path = write_log([{**row, "channel": "Phone NL"}, {**row, "channel": "phone-nl"}])
    (line,) = _problems(path)
    assert "both become the channel name 'phone_nl'" in line
