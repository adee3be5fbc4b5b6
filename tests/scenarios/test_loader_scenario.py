"""Loading real scenarios: typical mistakes in the baseline, extends and --set on the schema."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scenarios.errors import ScenarioError
from scenarios.loader import load, load_many

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"
BASELINE = EXAMPLES / "baseline.yaml"


def baseline_with(old: str, new: str) -> str:
    text = BASELINE.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def problems_of(path: Path, overrides: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(ScenarioError) as error:
        load(path, overrides)
    return str(error.value).replace(str(path.parent) + os.sep, "").splitlines()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "volume: {per_week: 9000}",
            "volum: {per_week: 9000}",
            ["b.yaml:25:5: channels.phone.volum: unknown field 'volum'; did you mean 'volume'?"],
            id="typo-in-key",
        ),
        pytest.param(
            "handle_time: {mean: 6m,",
            "handle_time: {mean: 6 mins,",
            [
                "b.yaml:28:25: channels.phone.handle_time.mean: must be a duration such as 30s, "
                "3m, 2h, 1d or a number of seconds (got '6 mins')"
            ],
            id="wrong-unit",
        ),
        pytest.param(
            "    resolution_probability: 75%",
            "    resolution_probability: 175%",
            [
                "b.yaml:30:29: channels.phone.resolution_probability: must be between 0 and 1 "
                "(0% and 100%); write 80% for a percentage (got '175%')"
            ],
            id="bad-percentage",
        ),
        pytest.param(
            "      channel: phone\n      threshold: 30s",
            "      channel: phnoe\n      threshold: 30s",
            [
                "b.yaml:141:16: contract.clauses.0.channel: is not a defined channel; "
                "did you mean 'phone'? (got 'phnoe')"
            ],
            id="unknown-channel-in-clause",
        ),
        pytest.param(
            "        mode: fixed\n        headcount: 70",
            "        mode: fxed\n        headcount: 70",
            [
                "b.yaml:90:15: partner.teams.0.staffing.mode: must be one of 'fixed', 'roster', "
                "'auto'; did you mean 'fixed'? (got 'fxed')"
            ],
            id="bad-staffing-mode",
        ),
        pytest.param(
            "intraday_profile: office\n    weekday",
            "intraday_profile: ofice\n    weekday",
            [
                "b.yaml:26:23: channels.phone.intraday_profile: must be 'flat', 'office', "
                "'extended' or 'evening', or a list; did you mean 'office'? (got 'ofice')"
            ],
            id="profile-name-or-list",
        ),
        pytest.param(
            "weekday_weights: {mon: 1.2,",
            "weekday_weights: {mon: 1.2, mon: 3,",
            ["b.yaml:27:33: duplicate key 'mon' (first written on line 27)"],
            id="duplicate-key",
        ),
        pytest.param(
            "- {channels: [phone, chat], mtbf: 30d, mttr: 2h}",
            "- {channels: [phone, chta], mtbf: 30d, mttr: 2h}",
            [
                "b.yaml:129:26: outages.random.0.channels.1: is not a defined channel; "
                "did you mean 'chat'? (got 'chta')"
            ],
            id="unknown-channel-in-list",
        ),
    ],
)
def test_typical_mistakes_in_the_baseline(tmp_path, old, new, expected):
    path = tmp_path / "b.yaml"
    path.write_text(baseline_with(old, new), encoding="utf-8")
    assert problems_of(path) == expected


def test_several_mistakes_are_reported_at_once_in_file_order(tmp_path):
    text = baseline_with("  days: 31", "  days: 800")
    text = text.replace("  replications: 20", "  replications: 20000")
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    assert problems_of(path) == [
        "b.yaml:16:9: horizon.days: must be at most 731 (got 800)",
        "b.yaml:221:17: run.replications: must be at most 10000 (got 20000)",
    ]


def test_overrides_on_the_baseline():
    scenario = load(
        BASELINE,
        [
            "partner.teams.0.staffing.headcount=80",
            "channels.phone.resolution_probability=65%",
            "run.seed=7",
        ],
    )
    assert scenario.partner.teams[0].staffing.headcount == 80
    assert scenario.channels["phone"].resolution_probability == 0.65
    assert scenario.run.seed == 7


def test_bad_override_path_and_value():
    assert problems_of(
        BASELINE,
        (
            "run.sed=5",
            "partner.teams.0.staffing.headcount=abc",
            "channels.phone.resolution_probability=80",
        ),
    ) == [
        "--set run.sed=5: run.sed: unknown field 'sed' in run; did you mean 'seed'?",
        "--set partner.teams.0.staffing.headcount=abc: partner.teams.0.staffing.headcount: "
        "must be a whole number (got 'abc')",
        "--set channels.phone.resolution_probability=80: channels.phone.resolution_probability: "
        "must be between 0 and 1 (0% and 100%); write 80% for a percentage (got 80)",
    ]
    assert problems_of(BASELINE, ("contract.clauses.0.channel=chatt",)) == [
        "--set contract.clauses.0.channel=chatt: contract.clauses.0.channel: is not a defined "
        "channel; did you mean 'chat'? (got 'chatt')",
    ]


def test_variant_extends_the_baseline_and_errors_point_at_each_file(tmp_path):
    base = tmp_path / "baseline.yaml"
    base.write_text(baseline_with("  days: 31", "  days: 0"), encoding="utf-8")
    variant = tmp_path / "variant.yaml"
    variant.write_text(
        "extends: baseline.yaml\nname: variant\npartner:\n  shrinkage: 130%\n", encoding="utf-8"
    )
    assert problems_of(variant) == [
        "variant.yaml:4:14: partner.shrinkage: must be between 0 and 1 (0% and 100%); "
        "write 80% for a percentage (got '130%')",
        "baseline.yaml:16:9: horizon.days: must be at least 1 (got 0)",
    ]
    base.write_text(BASELINE.read_text(encoding="utf-8"), encoding="utf-8")
    variant.write_text(
        "extends: baseline.yaml\nname: variant\npartner:\n  shrinkage: 25%\nevents: null\n",
        encoding="utf-8",
    )
    scenario = load(variant)
    assert scenario.name == "variant"
    assert scenario.partner.shrinkage == 0.25
    assert scenario.events.forecast_error is None
    assert scenario.partner.teams == load(BASELINE).partner.teams


def test_extends_cycle_on_scenarios(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nname: a\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nname: b\n", encoding="utf-8")
    assert problems_of(tmp_path / "a.yaml") == [
        "b.yaml:1:10: extends: extends itself in a cycle: a.yaml -> b.yaml -> a.yaml"
    ]


def test_load_many_reports_every_file_and_duplicate_names(tmp_path):
    copy = tmp_path / "copy.yaml"
    copy.write_text(BASELINE.read_text(encoding="utf-8"), encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        load_many([BASELINE, copy, broken])
    assert str(error.value).replace(str(tmp_path) + os.sep, "").splitlines() == [
        f"copy.yaml: name: two scenarios are named 'baseline' (also {BASELINE})",
        "broken.yaml:2:1: invalid YAML: did not find expected node content "
        "(while parsing a flow node on line 2)",
    ]
    assert [scenario.name for scenario in load_many([BASELINE])] == ["baseline"]


def test_a_variant_in_another_folder_keeps_the_base_csv_files(tmp_path):
    # mmn.yaml names its roster relative to itself (mmn_roster.csv, beside it)
    variant = tmp_path / "elsewhere" / "variant.yaml"
    variant.parent.mkdir()
    variant.write_text(f"extends: {EXAMPLES / 'mmn.yaml'}\nname: variant\n", encoding="utf-8")
    scenario = load(variant)
    roster = scenario.partner.teams[0].staffing.file
    assert roster == EXAMPLES / "mmn_roster.csv"


def test_a_relative_csv_written_in_the_variant_resolves_beside_the_variant(tmp_path):
    variant = tmp_path / "variant.yaml"
    variant.write_text(
        f"extends: {EXAMPLES / 'mmn.yaml'}\nname: variant\n"
        "partner: {teams: [{name: agents, channels: [phone], "
        "staffing: {mode: roster, file: mine.csv}}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        load(variant)
    assert f"file not found: {tmp_path / 'mine.csv'}" in str(caught.value)
