"""The loader never fails with anything but a ScenarioError, whatever it is fed.

Random YAML-ish text, random data structures and mutated examples (keys dropped or misspelt,
values swapped or replaced by values of the wrong type, random ``--set`` options) must give
either a valid Scenario or a ScenarioError whose every problem names a file.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios.errors import ScenarioError
from scenarios.loader import load
from scenarios.scenario import Scenario

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "scenarios" / "examples").glob("*.yaml"))

_FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_counter = itertools.count()

_TOKENS = [
    "name",
    "channels",
    "phone",
    "kind",
    "realtime",
    "horizon",
    "days",
    "partner",
    "teams",
    "extends",
    "mode",
    "fixed",
    ":",
    ": ",
    " ",
    "\n",
    "\n  ",
    "\n    ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "*b",
    "!!str ",
    "!!python/object:os.system ",
    "!custom ",
    "<<: ",
    "? ",
    "'",
    '"',
    "# c",
    "1",
    "-1.5",
    "1e999",
    ".nan",
    "80%",
    "3m",
    "2027-03-01",
    "2027-02-30",
    "12:00",
    "null",
    "~",
    "true",
    "on",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "|\n  ",
    ">\n  ",
    "\t",
    "\x00",
    "é",
    "\ufeff",
    "extends: missing.yaml\n",
    "extends: fuzz.yaml\n",
]

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["80%", "3m", "1.5k", "24/7", "08:00-20:00", "phone", "fixed", "closed"]),
    st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _leaves(value: Any, prefix: tuple = ()) -> list[tuple[tuple, Any]]:
    """Every scalar inside nested dicts and lists, with its path."""
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*prefix, key))]
    if isinstance(value, list):
        return [
            leaf for index, item in enumerate(value) for leaf in _leaves(item, (*prefix, index))
        ]
    return [(prefix, value)]


def _coerced_yes_no(document: Any, scenario: Scenario) -> list[tuple]:
    """Paths where the document wrote a yes/no value and the model holds something else at the
    same path (a number made of a bool, as YAML 1.1 ``no`` -> 0 would be)."""
    dumped = scenario.model_dump()
    coerced = []
    for path, value in _leaves(document):
        if not isinstance(value, bool):
            continue
        try:
            held = _get(dumped, path)
        except (KeyError, IndexError, TypeError):
            continue  # the model holds this part in another shape
        if not isinstance(held, bool):
            coerced.append((path, value, held))
    return coerced


def _check(path: Path, overrides: list[str] = (), document: Any = None) -> None:
    try:
        result = load(path, overrides)
    except ScenarioError as error:
        assert error.problems
        assert all(problem.file for problem in error.problems), str(error)
    else:
        assert isinstance(result, Scenario)
        if document is not None and not overrides:
            assert _coerced_yes_no(document, result) == []


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _write(folder: Path, text: str | bytes) -> Path:
    path = folder / f"doc{next(_counter)}.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


@_FUZZ
@given(st.lists(st.sampled_from(_TOKENS), max_size=60).map("".join))
def test_yaml_ish_text(folder, text):
    _check(_write(folder, text))


@_FUZZ
@given(st.binary(max_size=200))
def test_random_bytes(folder, data):
    _check(_write(folder, data))


@_FUZZ
@given(_values, st.lists(st.text(max_size=30), max_size=3))
def test_random_documents_and_overrides(folder, value, overrides):
    _check(_write(folder, yaml.safe_dump(value, allow_unicode=True)), overrides, value)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside nested dicts and lists."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _get(document: Any, path: tuple) -> Any:
    for part in path:
        document = document[part]
    return document


def _mutate(document: Any, data: st.DataObject) -> None:
    paths = _paths(document)
    path = data.draw(st.sampled_from(paths))
    parent, last = _get(document, path[:-1]), path[-1]
    action = data.draw(st.sampled_from(["drop", "rename", "replace", "swap"]))
    if action == "drop":
        del parent[last]
    elif action == "rename" and isinstance(parent, dict):
        new_name = data.draw(st.sampled_from([last[:-1], last + "s", last.upper(), "x" + last]))
        parent[new_name] = parent.pop(last)
    elif action == "swap":
        other = data.draw(st.sampled_from(paths))
        try:
            other_parent = _get(document, other[:-1])
            parent[last], other_parent[other[-1]] = other_parent[other[-1]], parent[last]
        except (KeyError, IndexError, TypeError):
            parent[last] = None
    else:
        parent[last] = data.draw(_values)


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.name for path in EXAMPLES])
@_FUZZ
@given(data=st.data())
def test_mutated_examples(folder, example, data):
    document = yaml.safe_load(example.read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 3))):
        _mutate(document, data)
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    path = folder / example.name.replace(".yaml", f"_{next(_counter)}.yaml")
    path.write_text(text, encoding="utf-8")
    for csv in example.parent.glob("*.csv"):
        if not (folder / csv.name).exists():
            (folder / csv.name).write_bytes(csv.read_bytes())
    _check(path, document=document)


def test_the_oracle_sees_a_yes_no_value_held_as_a_number():
    scenario = load(EXAMPLES[0])
    document = {"horizon": {"days": True}}
    assert _coerced_yes_no(document, scenario) == [
        (("horizon", "days"), True, scenario.horizon.days)
    ]
