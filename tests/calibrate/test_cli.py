"""``ccplan calibrate`` and ``ccplan backtest``: the files written, the table printed, and bad
input as one ``error:`` line per problem with exit code 2 and no traceback."""

from __future__ import annotations

import json

import pytest

from calibrate import export_replication
from reports.staging import MARKER_FILE
from scenarios import load
from sim import simulate
from tests.calibrate.conftest import DESK, contact


@pytest.fixture(scope="module")
def desk_files(tmp_path_factory):
    """Four weeks of the desk, as a contact log and a staffing file."""
    scenario = load(DESK, ["horizon.days=28"])
    folder = tmp_path_factory.mktemp("desk_cli")
    return export_replication(scenario, simulate(scenario, 0, 2), folder)


def test_calibrate_writes_a_scenario_that_validates(ccplan, desk_files, tmp_path):
    log_path, _ = desk_files
    done = ccplan(
        "calibrate", log_path, "--out", tmp_path, "--name", "desk_again", "--interval", "60m"
    )
    assert done.code == 0, done.err
    assert "phone" in done.out and "wrote" in done.out
    assert "not_offered" in done.out  # the rows set aside are reported
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        MARKER_FILE,
        "calibration.html",
        "calibration.json",
        "desk_again.yaml",
        "staffing_phone.csv",
    ]
    assert ccplan("validate", tmp_path / "desk_again.yaml").code == 0
    assert load(tmp_path / "desk_again.yaml").horizon.interval_s == 3600


def test_calibrate_json_with_a_staffing_file(ccplan, desk_files, tmp_path):
    log_path, staffing_path = desk_files
    options = ["--staffing", staffing_path, "--json", "--kind", "phone=realtime"]
    done = ccplan("calibrate", log_path, "--out", tmp_path, *options)
    assert done.code == 0, done.err
    document = json.loads(done.out)
    assert document["staffing"]["source"] == "file"
    phone = document["channels"]["phone"]
    assert phone["patience"]["naive_abandoner_mean_s"]["note"].startswith("mean wait")
    assert load(tmp_path / "calibrated_contacts.yaml").partner.teams[0].staffing.mode == "roster"


def test_backtest_prints_the_coverage(ccplan, desk_files, tmp_path):
    log_path, staffing_path = desk_files
    given = ["--scenario", DESK, "--staffing", staffing_path, "--replications", "19"]
    done = ccplan("backtest", log_path, "--train-until", "2027-01-18", "--out", tmp_path, *given)
    assert done.code == 0, done.err
    assert "service_level" in done.out and "covered" in done.out
    assert (tmp_path / "backtest.json").exists()


def _one_error(done) -> str:
    assert done.code == 2
    lines = done.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.err
    assert "Traceback" not in done.err
    return lines[0]


def test_a_bad_cell_is_one_line_and_exit_2(ccplan, write_log, tmp_path):
    path = write_log(
        [contact("2027-03-01T08:00:00", "2027-03-01 07:00", "2027-03-01T08:05:00", "answered")]
    )
    line = _one_error(ccplan("calibrate", path, "--out", tmp_path / "out"))
    assert line == f"error: {path}, row 1, column answer: the answer is before the arrival"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--columns", "arrival"], "--columns: write new=old pairs"),
        (["--columns", "start=arrival"], "'start' is not a contact-log column"),
        (["--timezone", "Nowhere/Land"], "--timezone: unknown IANA time zone"),
        (["--interval", "20m"], "--interval must be 15m, 30m or 60m"),
        (["--interval", "soon"], "--interval: "),
        (["--kind", "phone"], "--kind: write CHANNEL=realtime"),
        (["--kind", "fax=realtime"], "--kind names channels not in the log: fax"),
        (["--kind", "phone=slow"], "the kind must be realtime or deferrable"),
        (["--staffing", "missing.csv"], "missing.csv: file not found"),
    ],
)
def test_bad_calibrate_options(ccplan, desk_files, tmp_path, options, message):
    log_path, _ = desk_files
    line = _one_error(ccplan("calibrate", log_path, "--out", tmp_path / "out", *options))
    assert message in line


def test_bad_backtest_date(ccplan, desk_files, tmp_path):
    log_path, _ = desk_files
    line = _one_error(ccplan("backtest", log_path, "--train-until", "18/01/2027"))
    assert line == "error: --train-until: write a date as YYYY-MM-DD (got '18/01/2027')"


def test_a_bad_staffing_file(ccplan, desk_files, tmp_path):
    log_path, _ = desk_files
    staffing = tmp_path / "staff.csv"
    staffing.write_text("interval_start,agents\n2027-01-04T08:00,3\n2027-01-04T08:10,2.5\n")
    done = ccplan("calibrate", log_path, "--out", tmp_path / "out", "--staffing", staffing)
    assert done.code == 2
    assert done.err.splitlines() == [
        f"error: {staffing}, row 2, column interval_start: not on the 15-minute interval grid "
        "(got '2027-01-04T08:10')",
        f"error: {staffing}, row 2, column agents: must be a whole number >= 0 (got '2.5')",
    ]
    assert not (tmp_path / "out").exists()


def test_too_little_history(ccplan, write_log, tmp_path):
    rows = [
        contact(f"2027-03-0{day}T08:00:00", None, f"2027-03-0{day}T08:01:00", "abandoned")
        for day in (1, 2, 3)
    ]
    path = write_log([*rows, {**rows[0], "channel": "chat"}])
    done = ccplan("calibrate", path, "--out", tmp_path / "out")
    assert done.code == 2
    assert done.err.splitlines() == [
        f"error: {path}: the log spans 3 days; at least 7 are needed to calibrate weekday patterns",
        f"error: {path}, column channel: channel 'chat' has 0 answered contacts; at least 10 "
        "are needed to calibrate it",
        f"error: {path}, column channel: channel 'phone' has 0 answered contacts; at least 10 "
        "are needed to calibrate it",
    ]
