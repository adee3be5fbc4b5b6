"""``--vary`` grids and the scenario files a batch finds."""

from __future__ import annotations

import pytest

from scenarios.discovery import find_scenario_files
from scenarios.errors import InputError, ScenarioError
from scenarios.variants import MAX_VARIANTS, load_variants, parse_vary, variant_grid


def test_values_split_on_top_level_commas_only():
    assert parse_vary("channels.phone.volume={per_week: 9000},{per_week: 1.1e4}") == (
        "channels.phone.volume",
        ("{per_week: 9000}", "{per_week: 1.1e4}"),
    )
    assert parse_vary("a.b=[phone, chat], [chat]") == ("a.b", ("[phone, chat]", "[chat]"))
    assert parse_vary("name='x,y',z") == ("name", ("'x,y'", "z"))


def test_grid_is_every_combination_first_option_slowest():
    grid = variant_grid(["run.seed=1,2", "horizon.days=7,14,21"])
    assert [variant.overrides for variant in grid][:4] == [
        ("run.seed=1", "horizon.days=7"),
        ("run.seed=1", "horizon.days=14"),
        ("run.seed=1", "horizon.days=21"),
        ("run.seed=2", "horizon.days=7"),
    ]
    assert len(grid) == 6
    assert grid[4].label == "run.seed=2, horizon.days=14"


def test_grid_errors():
    with pytest.raises(InputError, match="at least one --vary"):
        variant_grid([])
    with pytest.raises(InputError, match=r"run\.seed is varied twice"):
        variant_grid(["run.seed=1,2", "run.seed=3"])
    many = [f"p{i}=" + ",".join(map(str, range(10))) for i in range(4)]
    with pytest.raises(InputError, match=f"10000 variants; a sweep runs at most {MAX_VARIANTS}"):
        variant_grid(many)
    with pytest.raises(InputError, match="unbalanced"):
        parse_vary("a=1],2")


def test_variants_load_with_the_set_overrides_first(small):
    grid = variant_grid(["partner.teams.0.staffing.headcount=50,70"])
    scenarios = load_variants(small, grid, ["run.seed=3"])
    assert [s.partner.teams[0].staffing.headcount for s in scenarios] == [50, 70]
    assert {s.run.seed for s in scenarios} == {3}


def test_every_bad_variant_is_reported_once(small):
    grid = variant_grid(["horizon.days=0,1,800", "run.seed=1,2"])
    with pytest.raises(ScenarioError) as caught:
        load_variants(small, grid, ["run.sed=1"])
    lines = str(caught.value).splitlines()
    assert lines[0] == "--set run.sed=1: run.sed: unknown field 'sed' in run; did you mean 'seed'?"
    assert len(lines) == len(set(lines)) == 3
    assert lines[1].startswith("--vary horizon.days=0: horizon.days: must be at least 1")
    assert lines[2].startswith("--vary horizon.days=800: horizon.days: ")


def _tree(root):
    (root / "sub").mkdir(parents=True)
    for name in ("b.yaml", "a.yml", "notes.txt", "sub/c.yaml"):
        (root / name).write_text("x: 1\n")
    return root


def test_folders_globs_and_files_sorted_once(tmp_path):
    root = _tree(tmp_path / "s")
    found = find_scenario_files([root / "b.yaml", root, str(root / "**" / "*.yaml")])
    assert found == [root / "a.yml", root / "b.yaml", root / "sub" / "c.yaml"]
    assert find_scenario_files([root / "notes.txt"]) == [root / "notes.txt"]


def test_a_path_that_matches_nothing_is_an_error(tmp_path):
    root = _tree(tmp_path / "s")
    with pytest.raises(InputError, match="no such file or folder"):
        find_scenario_files([root / "missing.yaml"])
    with pytest.raises(InputError, match=r"no scenario files \(\*\.yaml, \*\.yml\) found"):
        find_scenario_files([root / "*.json"])
    (root / "empty").mkdir()
    with pytest.raises(InputError, match="no scenario files"):
        find_scenario_files([root, root / "empty"])
