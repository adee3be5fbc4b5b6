"""`ccplan erlang` and `ccplan staff` with numbers: output, JSON nulls, errors and exit code 2."""

from __future__ import annotations

import json

import pytest

import cli


def _run(monkeypatch, capsys, *args):
    monkeypatch.setattr("sys.argv", ["ccplan", *args])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    captured = capsys.readouterr()
    return exit_info.value.code or 0, captured.out, captured.err


def test_erlang_json_reproduces_published_values(monkeypatch, capsys):
    code, out, _ = _run(
        monkeypatch, capsys, "erlang", "--calls-per-hour", "200", "--aht", "3m",
        "--agents", "14", "--threshold", "20s", "--json",
    )  # fmt: skip
    assert code == 0
    result = json.loads(out)
    assert result["model"] == "erlang_c"
    assert result["offered_load_erlangs"] == pytest.approx(10.0)
    assert result["p_wait"] == pytest.approx(0.1741319, abs=5e-8)
    assert result["service_level"] == pytest.approx(0.88835, abs=5e-6)
    assert result["asa_s"] == pytest.approx(7.835937, abs=5e-7)
    assert result["p_abandon"] is None
    assert "note" not in result


def test_erlang_overload_prints_null_with_a_note(monkeypatch, capsys):
    code, out, _ = _run(
        monkeypatch, capsys, "erlang", "--calls-per-hour", "200", "--aht", "180",
        "--agents", "9", "--json",
    )  # fmt: skip
    result = json.loads(out)
    assert code == 0
    assert result["asa_s"] is None and "asa_s" in result["note"]
    assert result["service_level"] == 0.0


def test_erlang_a_json_has_abandonment(monkeypatch, capsys):
    _, out, _ = _run(
        monkeypatch, capsys, "erlang", "--calls-per-hour", "200", "--aht", "180",
        "--agents", "12", "--patience", "2m", "--sl-definition", "answered", "--json",
    )  # fmt: skip
    result = json.loads(out)
    assert result["model"] == "erlang_a"
    assert 0 < result["p_abandon"] < 0.1


def test_staff_prints_smallest_agents_meeting_all_targets(monkeypatch, capsys):
    code, out, _ = _run(
        monkeypatch, capsys, "staff", "--calls-per-hour", "200", "--aht", "180",
        "--target-sl", "80%", "--threshold", "20", "--max-occupancy", "0.7", "--json",
    )  # fmt: skip
    result = json.loads(out)
    assert code == 0
    assert result["agents"] == 15  # 14 meet 80/20 but run at 10/14 = 71 % occupancy
    assert result["occupancy"] <= 0.7


def test_staff_plain_output(monkeypatch, capsys):
    code, out, _ = _run(
        monkeypatch, capsys, "staff", "--calls-per-hour", "200", "--aht", "180",
        "--target-asa", "10s", "--patience", "120", "--max-abandon", "5%",
    )  # fmt: skip
    assert code == 0
    lines = dict(line.split(None, 1) for line in out.replace("service level", "SL").splitlines())
    assert lines["model"].startswith("Erlang A")
    assert lines["occupancy"].endswith(" %") and lines["ASA"].endswith(" s")
    assert "inf" not in out and "e-0" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["staff", "--calls-per-hour", "-5", "--aht", "180", "--target-sl", "0.8",
          "--threshold", "20"], "calls_per_hour must be ≥ 0"),
        (["staff", "--calls-per-hour", "5", "--aht", "180", "--target-sl", "1.2",
          "--threshold", "20"], "--target-sl: must be between 0 and 1"),
        (["staff", "--calls-per-hour", "5", "--aht", "180", "--threshold", "20"],
         "threshold_s needs target_sl"),
        (["staff", "--calls-per-hour", "5"], "staff needs --calls-per-hour and --aht"),
        (["staff", "s.yaml", "--aht", "60"], "not both"),
        (["staff", "--calls-per-hour", "5", "--aht", "60", "--out", "x.csv"], "need a SCENARIO"),
        (["erlang", "--calls-per-hour", "5", "--aht", "soon", "--agents", "2"],
         "--aht: must be a duration"),
        (["erlang", "--calls-per-hour", "5", "--aht", "60", "--agents", "-2"],
         "agents must be ≥ 0"),
    ],
)  # fmt: skip
def test_bad_arguments_give_one_line_and_exit_2(monkeypatch, capsys, args, message):
    code, out, err = _run(monkeypatch, capsys, *args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert message in err


def test_staff_with_forecast_error_staffs_for_the_expectation(monkeypatch, capsys):
    point = ["staff", "--calls-per-hour", "1500", "--aht", "4m", "--target-sl", "80%",
             "--threshold", "20s", "--patience", "3m", "--json"]  # fmt: skip
    _, out, _ = _run(monkeypatch, capsys, *point)
    _, noisy, _ = _run(monkeypatch, capsys, *point, "--day-cv", "10%")
    _, sure, _ = _run(monkeypatch, capsys, *point, "--day-cv", "10%", "--confidence", "90%")
    point, noisy, sure = (json.loads(text) for text in (out, noisy, sure))
    assert (point["criterion"], noisy["criterion"], sure["criterion"]) == (
        "point",
        "expected",
        "confidence 0.9",
    )
    assert point["agents"] < noisy["agents"] < sure["agents"]
    assert noisy["service_level"] >= 0.8


def test_erlang_warns_in_one_line_when_unstable_or_carried_by_abandonment(monkeypatch, capsys):
    code, out, err = _run(
        monkeypatch, capsys, "erlang", "--calls-per-hour", "200", "--aht", "180",
        "--agents", "10",
    )  # fmt: skip
    assert code == 0 and "service level" in out
    assert "inf" not in out and "unbounded" in out
    assert err.strip().splitlines() == [
        "warning: unstable: 10 agents carry at most 10 Erlang, the offered load is 10 Erlang; "
        "without abandonment (Erlang C) the queue grows without bound"
    ]
    _, out, err = _run(
        monkeypatch, capsys, "staff", "--calls-per-hour", "4000", "--aht", "6m",
        "--patience", "1m", "--target-sl", "80%", "--threshold", "30s", "--json",
    )  # fmt: skip
    result = json.loads(out)
    assert result["agents"] < result["offered_load_erlangs"]
    assert len(err.strip().splitlines()) == 1
    assert "below the offered load of 400 Erlang: abandonment carries the target" in err
    assert result["warnings"] == [err.strip().removeprefix("warning: ")]


def test_confidence_needs_a_day_cv(monkeypatch, capsys):
    code, _, err = _run(
        monkeypatch, capsys, "staff", "--calls-per-hour", "100", "--aht", "3m",
        "--target-sl", "80%", "--threshold", "20s", "--confidence", "90%",
    )  # fmt: skip
    assert code == 2 and "--confidence needs --day-cv above 0" in err
