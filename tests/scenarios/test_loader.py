"""The generic loader on a small model of its own: locations, messages, extends and overrides."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from scenarios.errors import ScenarioError
from scenarios.loader import MAX_EXTENDS_CHAIN, load, load_model
from scenarios.units import Count, DurationS, Fraction


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Volume(_Model):
    per_day: Count | None = None
    per_week: Count | None = None


class HandleTime(_Model):
    mean: DurationS


class Channel(_Model):
    kind: Literal["realtime", "deferrable"]
    volume: Volume
    handle_time: HandleTime
    fcr: Fraction = 1.0
    intraday_profile: Literal["flat", "office"] | tuple[float, ...] = "flat"


class Fixed(_Model):
    mode: Literal["fixed"]
    headcount: int = Field(ge=0)


class Auto(_Model):
    mode: Literal["auto"]
    safety_factor: Fraction = 0.0


class Team(_Model):
    name: str
    channels: tuple[str, ...]
    staffing: Annotated[Fixed | Auto, Field(discriminator="mode")]


class Partner(_Model):
    name: str = Field(max_length=20)
    teams: tuple[Team, ...] = Field(max_length=2)


class Toy(_Model):
    name: str
    channels: dict[Annotated[str, Field(pattern=r"^[a-z]+$")], Channel]
    partner: Partner
    data_file: str | None = None

    @field_validator("data_file")
    @classmethod
    def _resolve(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else str(Path(info.context["base_dir"]) / value)


VALID = """\
name: test
channels:
  phone:
    kind: realtime
    volume: {per_day: 1.5k}
    handle_time: {mean: 3m}
    fcr: 70%
partner:
  name: Acme
  teams:
    - name: voice
      channels: [phone]
      staffing: {mode: fixed, headcount: 10}
"""


def write(folder: Path, name: str, text: str | bytes) -> str:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def lines_of(error: pytest.ExceptionInfo[ScenarioError], folder: Path) -> list[str]:
    """The error's lines with the temporary folder removed from file names."""
    return str(error.value).replace(str(folder) + os.sep, "").splitlines()


def problems(folder: Path, text: str, overrides: tuple[str, ...] = ()) -> list[str]:
    path = write(folder, "s.yaml", text)
    with pytest.raises(ScenarioError) as error:
        load_model(Toy, path, overrides)
    return lines_of(error, folder)


def test_valid_file_loads_with_friendly_units(tmp_path):
    toy = load_model(Toy, write(tmp_path, "s.yaml", VALID))
    phone = toy.channels["phone"]
    assert phone.volume.per_day == 1500.0
    assert phone.handle_time.mean == 180.0
    assert phone.fcr == 0.7
    assert toy.partner.teams[0].staffing.headcount == 10


def test_typical_mistakes_are_all_reported_with_lines(tmp_path):
    text = """\
name: test
channels:
  phone:
    kind: realtme
    volume: {per_day: 100, per_dya: 3}
    handle_time: {mean: 3 minutes}
    fcr: 120%
    intraday_profile: ofice
  chat:
    kind: realtime
    volume: {per_day: 10}
    handle_time: {}
    intraday_profile: [1, a]
  Bad:
    kind: deferrable
    volume: {}
    handle_time: {mean: 1h}
partner:
  name: Acme
  teams:
    - name: voice
      channels: [phone]
      staffing: {mode: fixed, headcount: -1}
    - name: chat
      channels: [chat]
      staffing: {mode: fxed}
    - channels: chat
      staffing: {headcount: 3}
partnr: 1
"""
    assert problems(tmp_path, text) == [
        "s.yaml:4:11: channels.phone.kind: must be 'realtime' or 'deferrable'; "
        "did you mean 'realtime'? (got 'realtme')",
        "s.yaml:5:28: channels.phone.volume.per_dya: unknown field 'per_dya'; "
        "did you mean 'per_day'?",
        "s.yaml:6:25: channels.phone.handle_time.mean: must be a duration such as 30s, 3m, 2h, "
        "1d or a number of seconds (got '3 minutes')",
        "s.yaml:7:10: channels.phone.fcr: must be between 0 and 1 (0% and 100%); "
        "write 80% for a percentage (got '120%')",
        "s.yaml:8:23: channels.phone.intraday_profile: must be 'flat' or 'office', or a list; "
        "did you mean 'office'? (got 'ofice')",
        "s.yaml:12:18: channels.chat.handle_time.mean: required field is missing",
        "s.yaml:13:27: channels.chat.intraday_profile.1: must be a number (got 'a')",
        "s.yaml:14:3: channels.Bad: must match the pattern ^[a-z]+$ (got 'Bad')",
        "s.yaml:23:42: partner.teams.0.staffing.headcount: must be at least 0 (got -1)",
        "s.yaml:26:24: partner.teams.1.staffing.mode: must be one of 'fixed', 'auto'; "
        "did you mean 'fixed'? (got 'fxed')",
        "s.yaml:27:7: partner.teams.2.name: required field is missing",
        "s.yaml:27:17: partner.teams.2.channels: must be a list (got 'chat')",
        "s.yaml:28:17: partner.teams.2.staffing.mode: required field is missing "
        "(one of 'fixed', 'auto')",
        "s.yaml:29:1: partnr: unknown field 'partnr'; did you mean 'partner'?",
    ]


def test_unknown_field_without_a_close_match_lists_the_fields(tmp_path):
    text = VALID.replace("    fcr: 70%\n", "    zzz: 1\n")
    assert problems(tmp_path, text) == [
        "s.yaml:7:5: channels.phone.zzz: unknown field 'zzz'; expected one of kind, volume, "
        "handle_time, fcr, intraday_profile"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2\n", "s.yaml:2:1: duplicate key 'a' (first written on line 1)"),
        ("1: x\n", "s.yaml:1:1: keys must be text; put the key in quotes (got 1)"),
        ("on: x\n", "s.yaml:1:1: keys must be text; put the key in quotes (got True)"),
        ("? [a]\n: x\n", "s.yaml:1:3: keys must be text, not a mapping or list"),
        (
            "a: !!python/object/apply:os.system [ls]\n",
            "s.yaml:1:4: YAML tag !!python/object/apply:os.system is not allowed here; "
            "scenario files use plain values",
        ),
        (
            "a: !foo 3\n",
            "s.yaml:1:4: YAML tag !foo is not allowed here; scenario files use plain values",
        ),
        (
            "a: <<\nb: {<<: 3}\n",
            "s.yaml:2:9: a merge key (<<) takes a mapping or a list of mappings",
        ),
    ],
)
def test_yaml_level_problems_are_reported_with_the_rest(tmp_path, text, expected):
    lines = problems(tmp_path, text)
    assert expected in lines
    assert any("name: required field is missing" in line for line in lines)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: [x\n",
            "s.yaml:2:1: invalid YAML: did not find expected ',' or ']' "
            "(while parsing a flow sequence on line 1)",
        ),
        (
            "a: 1\n b: 2\n",
            "s.yaml:2:3: invalid YAML: mapping values are not allowed in this context",
        ),
        ("a: 1\n---\nb: 2\n", "s.yaml:2:1: a scenario file holds one YAML document, not several"),
        ("a: *x\n", "s.yaml:1:4: alias *x is not defined before this point"),
        ("a: &x [1, *x]\n", "s.yaml:1:11: alias *x refers to a value that contains it"),
        ("a: b\x00\n", "s.yaml:1:5: character U+0000 is not allowed in YAML text"),
        ("", "s.yaml: the file is empty; a scenario is a mapping of fields"),
        ("# only a comment\n", "s.yaml: the file is empty; a scenario is a mapping of fields"),
        ("- a\n", "s.yaml:1:1: must be a mapping of fields (the file holds a list)"),
        ("root:x:0:0\n", "s.yaml:1:1: must be a mapping of fields (the file holds a text)"),
    ],
)
def test_unreadable_documents_give_one_located_problem(tmp_path, text, expected):
    assert problems(tmp_path, text) == [expected]


def test_billion_laughs_is_refused_without_expanding(tmp_path):
    rows = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    rows += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    assert problems(tmp_path, "\n".join(rows) + "\n") == [
        "s.yaml:5:55: the document expands to more than 100000 values"
    ]


def test_deep_nesting_is_refused_also_through_aliases(tmp_path):
    assert problems(tmp_path, "a: " + "[" * 40 + "]" * 40 + "\n") == [
        "s.yaml:1:35: nested deeper than 32 levels"
    ]
    rows = ["a0: &a0 " + "[" * 20 + "]" * 20, "a1: &a1 " + "[" * 20 + "*a0" + "]" * 20]
    assert problems(tmp_path, "\n".join(rows) + "\n") == [
        "s.yaml:2:29: nested deeper than 32 levels (through aliases)"
    ]


def test_files_that_are_not_small_utf8_text_are_refused(tmp_path):
    cases = {
        "big.yaml": b"a: " + b"x" * (1 << 20),
        "latin1.yaml": b"name: test\ndescription: caf\xe9\n",
    }
    expected = {
        "big.yaml": "big.yaml: file is larger than 1048576 bytes (1 MiB)",
        "latin1.yaml": "latin1.yaml:2: is not UTF-8 text (byte 0xe9 cannot be decoded)",
    }
    for name, data in cases.items():
        with pytest.raises(ScenarioError) as error:
            load_model(Toy, write(tmp_path, name, data))
        assert lines_of(error, tmp_path) == [expected[name]]
    with pytest.raises(ScenarioError) as error:
        load_model(Toy, tmp_path / "missing.yaml")
    assert lines_of(error, tmp_path) == ["missing.yaml: file not found"]
    with pytest.raises(ScenarioError) as error:
        load_model(Toy, tmp_path)
    assert str(error.value) == f"{tmp_path}: is a directory, not a scenario file"


def test_yaml_scalars_keep_clock_times_and_merge_keys_work(tmp_path):
    text = (
        VALID.replace("name: test", "name: 12:00")
        .replace(
            "    fcr: 70%\n", "    fcr: 70%\n  chat: &chat\n    <<: *phone\n    kind: deferrable\n"
        )
        .replace("  phone:\n", "  phone: &phone\n")
    )
    text = text.replace("name: 12:00", "name: 12:00\n")
    toy = load_model(Toy, write(tmp_path, "s.yaml", text))
    assert toy.name == "12:00"
    assert toy.channels["chat"].kind == "deferrable"
    assert toy.channels["chat"].handle_time.mean == 180.0


def test_implicit_yaml_value_tag_stays_text(tmp_path):
    # YAML 1.1 reads a plain "=" as the "value" key tag; it is just text in a scenario
    assert (
        load_model(Toy, write(tmp_path, "s.yaml", VALID.replace("name: test", "name: ="))).name
        == "="
    )


def test_base_dir_is_the_directory_of_the_loaded_file(tmp_path):
    (tmp_path / "sub").mkdir()
    path = write(tmp_path / "sub", "s.yaml", VALID + "data_file: volume.csv\n")
    assert load_model(Toy, path).data_file == str((tmp_path / "sub").resolve() / "volume.csv")


# --- extends ---


def test_extends_merges_mappings_replaces_lists_and_null_deletes(tmp_path):
    write(tmp_path, "base.yaml", VALID + "data_file: x.csv\n")
    child = """\
extends: base.yaml
name: child
channels:
  phone:
    fcr: 80%
  chat:
    kind: deferrable
    volume: {per_week: 700}
    handle_time: {mean: 1h}
partner:
  teams:
    - name: all
      channels: [phone, chat]
      staffing: {mode: auto}
data_file: null
"""
    toy = load_model(Toy, write(tmp_path, "child.yaml", child))
    assert toy.name == "child"
    assert toy.channels["phone"].fcr == 0.8
    assert toy.channels["phone"].volume.per_day == 1500.0
    assert toy.channels["chat"].volume.per_week == 700.0
    assert toy.partner.name == "Acme"
    assert [team.name for team in toy.partner.teams] == ["all"]
    assert toy.data_file is None


def test_extends_chain_points_errors_at_the_file_that_wrote_the_value(tmp_path):
    write(tmp_path, "base.yaml", VALID.replace("fcr: 70%", "fcr: 170%"))
    write(tmp_path, "middle.yaml", "extends: base.yaml\npartner:\n  name: 5\n")
    path = write(tmp_path, "top.yaml", "extends: middle.yaml\nchannels:\n  phone:\n    kind: x\n")
    with pytest.raises(ScenarioError) as error:
        load_model(Toy, path)
    assert lines_of(error, tmp_path) == [
        "top.yaml:4:11: channels.phone.kind: must be 'realtime' or 'deferrable' (got 'x')",
        "base.yaml:7:10: channels.phone.fcr: must be between 0 and 1 (0% and 100%); "
        "write 80% for a percentage (got '170%')",
        "middle.yaml:3:9: partner.name: must be text (got 5)",
    ]


def test_extends_cycle_names_the_chain(tmp_path):
    write(tmp_path, "a.yaml", "extends: b.yaml\nname: a\n")
    write(tmp_path, "b.yaml", "extends: c.yaml\n")
    write(tmp_path, "c.yaml", "extends: ./b.yaml\n")
    with pytest.raises(ScenarioError) as error:
        load_model(Toy, tmp_path / "a.yaml")
    folder = str(tmp_path) + os.sep
    assert str(error.value).replace(folder, "") == (
        "c.yaml:1:10: extends: extends itself in a cycle: b.yaml -> c.yaml -> b.yaml"
    )


def test_extends_problems(tmp_path):
    write(tmp_path, "self.yaml", "extends: self.yaml\n")
    write(tmp_path, "missing.yaml", "extends: nowhere.yaml\n")
    write(tmp_path, "number.yaml", VALID + "extends: 3\n")
    write(tmp_path, "nul.yaml", VALID + 'extends: "base\\0.yaml"\n')
    write(tmp_path, "list.yaml", "- 1\n")
    write(tmp_path, "from_list.yaml", VALID + "extends: list.yaml\n")
    for index in range(MAX_EXTENDS_CHAIN + 1):
        write(tmp_path, f"chain{index}.yaml", f"extends: chain{index + 1}.yaml\n")
    write(tmp_path, f"chain{MAX_EXTENDS_CHAIN + 1}.yaml", VALID)
    expected = {
        "self.yaml": ["self.yaml:1:10: extends: extends itself in a cycle: self.yaml -> self.yaml"],
        "missing.yaml": ["missing.yaml:1:10: extends: file to extend not found: nowhere.yaml"],
        "number.yaml": [
            "number.yaml:14:10: extends: must be the path of the scenario file to extend, "
            "relative to this file (got 3)"
        ],
        "nul.yaml": [
            "nul.yaml:14:10: extends: holds a NUL character; no file path has one "
            "(got 'base\\x00.yaml')"
        ],
        "from_list.yaml": [
            "from_list.yaml:14:10: extends: the file to extend must hold a mapping of fields: "
            "list.yaml"
        ],
        "chain0.yaml": [
            f"chain{MAX_EXTENDS_CHAIN - 1}.yaml:1:10: extends: a scenario may be built from at "
            f"most {MAX_EXTENDS_CHAIN} files via extends"
        ],
    }
    for name, lines in expected.items():
        with pytest.raises(ScenarioError) as error:
            load_model(Toy, tmp_path / name)
        assert lines_of(error, tmp_path) == lines, name


# --- overrides ---


def test_overrides_set_create_index_and_delete(tmp_path):
    path = write(tmp_path, "s.yaml", VALID + "data_file: x.csv\n")
    toy = load_model(
        Toy,
        path,
        [
            "partner.teams.0.staffing.headcount=70",
            "channels.phone.fcr=55%",
            "channels.phone.intraday_profile=[1, 2, 3]",
            "channels.chat={kind: deferrable, volume: {per_week: 1k}, handle_time: {mean: 2h}}",
            "data_file=null",
            "name=with=equals",
        ],
    )
    assert toy.partner.teams[0].staffing.headcount == 70
    assert toy.channels["phone"].fcr == 0.55
    assert toy.channels["phone"].intraday_profile == (1.0, 2.0, 3.0)
    assert toy.channels["chat"].handle_time.mean == 7200.0
    assert toy.data_file is None
    assert toy.name == "with=equals"


def test_override_problems_are_reported_against_the_option(tmp_path):
    lines = problems(
        tmp_path,
        VALID,
        (
            "partner.teams.0.staffing.headcunt=5",
            "partner.teams.3.name=x",
            "channels.phon.fcr=1",
            "name.first=x",
            "nonsense",
            "name=[",
            "extends=other.yaml",
            "channels.phone.volume.per_day=abc",
            "channels.phone.fcr=",
        ),
    )
    assert lines == [
        "--set partner.teams.0.staffing.headcunt=5: partner.teams.0.staffing.headcunt: unknown "
        "field 'headcunt' in partner.teams.0.staffing; did you mean 'headcount'?",
        "--set partner.teams.3.name=x: partner.teams.3.name: partner.teams is a list of 1 items; "
        "'3' is not an index 0..0 nor the name of an item (voice)",
        "--set channels.phon.fcr=1: channels.phon.fcr: channels has no entry 'phon'; "
        "did you mean 'phone'?",
        "--set name.first=x: name.first: name is a single value; it has no field 'first'",
        "--set nonsense: nonsense: must be written dotted.path=value, e.g. run.seed=7",
        "--set name=[: name: invalid YAML: did not find expected node content (got '[')",
        "--set extends=other.yaml: extends: 'extends' is resolved when the file is read; "
        "edit the file instead",
        "--set channels.phone.volume.per_day=abc: channels.phone.volume.per_day: must be a "
        "number, optionally with a k or M suffix such as 1.5k (got 'abc')",
    ]


def test_override_that_removes_a_required_field_is_a_missing_field(tmp_path):
    assert problems(tmp_path, VALID, ("channels.phone.kind=null",)) == [
        "s.yaml:4:5: channels.phone.kind: required field is missing"
    ]


def test_keys_on_an_overridden_path_keep_their_file_position(tmp_path):
    text = VALID.replace("  phone:", "  Phone:").replace("channels: [phone]", "channels: [Phone]")
    assert problems(tmp_path, text, ("channels.Phone.fcr=50%",)) == [
        "s.yaml:3:3: channels.Phone: must match the pattern ^[a-z]+$ (got 'Phone')"
    ]


def test_too_long_values_give_their_length_not_their_contents(tmp_path):
    team = "{name: t, channels: [phone], staffing: {mode: auto}}"
    overrides = (f"partner.teams=[{team}, {team}, {team}]", f"partner.name={'x' * 30}")
    assert problems(tmp_path, VALID, overrides) == [
        f"--set partner.teams=[{team}, {team}, {team}]: partner.teams: must have at most 2 "
        "items, not 3",
        f"--set partner.name={'x' * 30}: partner.name: must have at most 20 characters, not 30",
    ]


def test_list_items_are_addressed_by_name_or_id(tmp_path):
    example = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "baseline.yaml"
    by_name = load(
        example,
        ["partner.teams.voice.staffing.headcount=90", "contract.clauses.email_response.target=85%"],
    )
    by_index = load(
        example, ["partner.teams.0.staffing.headcount=90", "contract.clauses.3.target=85%"]
    )
    assert by_name == by_index
    assert by_name.partner.teams[0].staffing.headcount == 90
    with pytest.raises(ScenarioError, match=r"nor the name of an item .*did you mean 'voice'"):
        load(example, ["partner.teams.voic.staffing.headcount=90"])
