"""Each peril warning shows on a scenario built to show it, and not on one built not to."""

from __future__ import annotations

from negotiate.perils import ABANDON_WARN_FRAC, PERIL_IDS, perils
from negotiate.pricing import price_levels


def _warnings(run) -> dict[str, dict]:
    scenario, runs, kpis = run
    priced = price_levels(scenario, scenario.contract, runs.levels, kpis, runs.workload)
    found = perils(scenario, priced, kpis, 0.10)
    assert {item["id"] for item in found} <= set(PERIL_IDS)
    return {item["id"]: item for item in found}


def test_known_scenario_shows_no_peril(known):
    # no abandonment, a 99 % target never met on average, every day missed at every level
    assert _warnings(known) == {}


def test_service_level_met_while_callers_abandon(perils_run):
    found = _warnings(perils_run["80%"])
    warning = found["abandon_cap"]
    assert warning["numbers"]["abandon_frac"] > ABANDON_WARN_FRAC
    assert warning["numbers"]["p_miss"] <= 0.10
    assert not warning["numbers"]["abandon_clause"]
    assert "abandonment cap" in warning["message"]
    assert f"{100 * warning['numbers']['abandon_frac']:.1f} %" in warning["message"]
    # the same queue with a 97.5 % target is not met where callers abandon most
    assert "abandon_cap" not in _warnings(perils_run["97.5%"])


def test_mean_on_target_still_misses_and_coin_flips(perils_run):
    found = _warnings(perils_run["97.5%"])
    mean = found["mean_is_not_enough"]["numbers"]
    assert mean["clause_value"] >= mean["target"] and mean["p_miss"] >= 0.2
    coin = found["coin_flip"]["numbers"]
    assert 0.2 <= coin["p_miss_min"] <= coin["p_miss_max"] <= 0.8
    assert coin["volume_per_period"] < 100
    # at 80 % the small queue is met on every day from one agent on: no coin flip
    quiet = _warnings(perils_run["80%"])
    assert "coin_flip" not in quiet and "mean_is_not_enough" not in quiet
