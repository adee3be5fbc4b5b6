"""Staffing levels on common random numbers (``sim.levels``) and the Erlang screen."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios import expand, load
from scenarios.errors import InputError
from sim.levels import parse_levels, run_levels
from staffing import erlang_metrics
from staffing.roster import scaled_rosters
from staffing.screening import crossings, screen_levels, screened_range


def test_parse_levels():
    assert parse_levels("0.8:1.2:5") == (0.8, 0.9, 1.0, 1.1, 1.2)
    assert parse_levels(" 1, 0.9,1.0 ,1.1") == (0.9, 1.0, 1.1)
    for bad in ("", "a,b", "0:1:3", "1:2:x", "2:1:3", "1,1"):
        with pytest.raises(InputError):
            parse_levels(bad)


def test_scaled_rosters_round_to_whole_agents():
    scaled = scaled_rosters({"voice": np.array([0, 1, 3, 35])}, 0.5)
    assert scaled["voice"].tolist() == [0, 0, 2, 18]  # rint: halves to even
    assert scaled["voice"].dtype == np.int64
    with pytest.raises(InputError):
        scaled_rosters({"voice": np.array([1])}, 0.0)


def _arrivals(result):
    first = result.contacts[result.contacts["contact_type"] == "first"]
    return first["arrival_s"].to_numpy()


def test_levels_share_their_customers_and_grow_on_demand(tmp_path, files):
    scenario = load(files.perils(tmp_path))
    asked = []

    def wanted(level, reduced):
        asked.append((level, len(reduced)))
        return {2: 3, 4: 9}[len(reduced)] if level == 0.5 else len(reduced)

    reports = []
    runs = run_levels(
        scenario,
        [1.0, 0.5],
        seed=11,
        reduce=_arrivals,
        replications=2,
        max_replications=6,
        step=2,
        wanted=wanted,
        progress=lambda finished, submitted: reports.append((finished, submitted)),
        planned=lambda counts, eta_s: reports.append((dict(counts), eta_s > 0)),
    )
    assert runs.levels == (0.5, 1.0)
    # rounds of 4, then 2 (3 wanted, but at least a step of 2), then 2 (9 wanted, limit 6):
    # the total shown grows with each round
    # each round is announced (the counts it grows to, a positive ETA) before it is submitted
    assert reports == [
        (1, 4), (2, 4), (3, 4), (4, 4), ({0.5: 4}, True),
        (5, 6), (6, 6), ({0.5: 6}, True), (7, 8), (8, 8),
    ]  # fmt: skip
    assert [len(items) for items in runs.reduced] == [6, 2]
    # replication r of both levels sees the same first contacts (common random numbers)
    for low, high in zip(runs.reduced[0], runs.reduced[1], strict=False):
        assert np.array_equal(low, high)
    assert not np.array_equal(runs.reduced[0][0], runs.reduced[0][1])
    # a level at the limit is not asked again, nor one that wanted no more
    assert asked == [(0.5, 2), (1.0, 2), (0.5, 4)]
    assert runs.rosters[0]["voice"].max() == 2 and runs.rosters[1]["voice"].max() == 4


def test_a_level_grows_to_its_wanted_count_in_one_round(tmp_path, files):
    scenario = load(files.perils(tmp_path))
    rounds = []
    runs = run_levels(
        scenario,
        [1.0],
        seed=11,
        reduce=_arrivals,
        replications=2,
        max_replications=20,
        step=1,
        wanted=lambda level, reduced: rounds.append(len(reduced)) or 7,
    )
    assert rounds == [2, 7] and len(runs.reduced[0]) == 7


def test_screen_is_erlang_c_on_a_flat_queue(tmp_path, files):
    scenario = load(files.known(tmp_path))
    workload = expand(scenario)
    screen = screen_levels(scenario, workload, np.array([32 / 35, 1.0]))
    expected = erlang_metrics(600.0, 180.0, np.array([32, 35]), threshold_s=20.0)
    assert np.allclose(screen["value"], expected["service_level"])
    # target 99 %: reached from 42 agents on (Erlang C 0.9933 there, 0.9889 at 41)
    grid = screen_levels(scenario, workload, np.arange(30, 46) / 35)
    assert crossings(grid)["phone_sl"] == pytest.approx(42 / 35)
    low, high = screened_range(grid)
    assert low == round(0.9 * 42 / 35, 2) and high == round(1.1 * 42 / 35, 2)


def test_screen_of_a_one_chat_channel_is_erlang(tmp_path, files):
    """``concurrency: {max_chats: 1}`` (no speeds needed) screens as one contact at a time,
    as the staffing plan does, instead of failing for the missing ``speed_by_chats``."""
    file = files.known(tmp_path)
    plain = load(file)
    one_chat = load(file, ["channels.phone.concurrency={max_chats: 1}"])
    factors = np.array([32 / 35, 1.0])
    assert one_chat.channels["phone"].concurrency is not None
    expected = screen_levels(plain, expand(plain), factors)["value"]
    assert np.allclose(screen_levels(one_chat, expand(one_chat), factors)["value"], expected)
