"""required_agents against an exhaustive reference search, hand cases and bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.errors import InputError
from staffing import erlang_metrics, required_agents


def _reference(cases, definition, targets):
    """Smallest N in 0..found+1 meeting every target, by evaluating each N (vectorised)."""
    found = cases["found"]
    rows = np.repeat(np.arange(found.size), found + 2)
    agents = np.concatenate([np.arange(f + 2) for f in found])
    table = erlang_metrics(
        cases["calls_per_hour"][rows],
        cases["aht_s"][rows],
        agents,
        threshold_s=cases["threshold_s"][rows],
        patience_s=None if cases["patience_s"] is None else cases["patience_s"][rows],
        sl_definition=definition,
        short_abandon_s=cases["short_abandon_s"][rows],
    )
    ok = np.ones(rows.size, dtype=bool)
    if "target_sl" in targets:
        ok &= table["service_level"].to_numpy() >= targets["target_sl"][rows]
    if "target_asa_s" in targets:
        ok &= table["asa_s"].to_numpy() <= targets["target_asa_s"][rows]
    if "max_abandon_frac" in targets:
        ok &= table["p_abandon"].to_numpy() <= targets["max_abandon_frac"][rows]
    if "max_occupancy_frac" in targets:
        ok &= table["occupancy"].to_numpy() <= targets["max_occupancy_frac"][rows]
    if "max_p_wait_frac" in targets:
        ok &= table["p_wait"].to_numpy() <= targets["max_p_wait_frac"][rows]
    if cases["patience_s"] is None:
        ok &= agents > table["offered_load_erlangs"].to_numpy()
    first = np.full(found.size, -1)
    hits = np.flatnonzero(ok)
    case_of_hit = rows[hits]
    _, first_index = np.unique(case_of_hit, return_index=True)
    first[np.unique(case_of_hit)] = agents[hits[first_index]]
    return first


GROUPS = [
    # (cases, patience?, definition, target kinds)
    (3000, False, "offered", ("target_sl",)),
    (
        2000,
        False,
        "offered",
        ("target_sl", "target_asa_s", "max_occupancy_frac", "max_p_wait_frac"),
    ),
    (2000, True, "offered", ("target_sl", "max_abandon_frac")),
    (1500, True, "answered", ("target_sl", "target_asa_s")),
    (1500, True, "excl_short_abandons", ("target_sl", "max_occupancy_frac")),
]


@pytest.mark.parametrize(("size", "impatient", "definition", "kinds"), GROUPS)
def test_required_agents_equals_exhaustive_search(size, impatient, definition, kinds):
    rng = np.random.default_rng(size + len(kinds) + 7 * impatient)
    load = np.exp(rng.uniform(np.log(0.01), np.log(150.0), size))
    aht_s = rng.uniform(30.0, 600.0, size)
    cases = {
        "calls_per_hour": load * 3600.0 / aht_s,
        "aht_s": aht_s,
        "threshold_s": rng.uniform(0.0, 60.0, size),
        "patience_s": rng.uniform(10.0, 900.0, size) if impatient else None,
        "short_abandon_s": rng.uniform(0.0, 10.0, size),
    }
    draws = {
        "target_sl": rng.uniform(0.2, 0.95, size),
        "target_asa_s": rng.uniform(2.0, 60.0, size),
        "max_abandon_frac": rng.uniform(0.02, 0.3, size),
        "max_occupancy_frac": rng.uniform(0.5, 0.95, size),
        "max_p_wait_frac": rng.uniform(0.1, 0.9, size),
    }
    targets = {kind: draws[kind] for kind in kinds}
    found = required_agents(
        cases["calls_per_hour"],
        cases["aht_s"],
        threshold_s=cases["threshold_s"],
        patience_s=cases["patience_s"],
        sl_definition=definition,
        short_abandon_s=cases["short_abandon_s"],
        **targets,
    )
    cases["found"] = found
    np.testing.assert_array_equal(found, _reference(cases, definition, targets))


def test_published_staffing_and_scalar_shape():
    # 10 Erlang at 80/20: 13 agents give SL below 80 %, 14 give 0.88835.
    agents = required_agents(200, 180, target_sl=0.8, threshold_s=20)
    assert agents == 14 or erlang_metrics(200, 180, 13)["service_level"][0] >= 0.8
    assert isinstance(agents, int)
    assert required_agents(0, 180, target_sl=0.8, threshold_s=20) == 0


def test_erlang_a_needs_fewer_agents_than_erlang_c_and_arrays_keep_shape():
    rates = np.array([100.0, 1000.0, 10000.0])
    c = required_agents(rates, 180, target_sl=0.8, threshold_s=20)
    a = required_agents(rates, 180, target_sl=0.8, threshold_s=20, patience_s=120)
    assert c.dtype == np.int64 and c.shape == (3,)
    assert (a <= c).all()
    assert (c > rates * 180 / 3600).all()


def test_tiny_and_huge_loads():
    agents = required_agents([0.36, 200_000.0], 180, target_sl=0.8, threshold_s=20)
    assert agents[0] == 1
    table = erlang_metrics([200_000.0] * 2, 180, [agents[1] - 1, agents[1]], threshold_s=20)
    assert table["service_level"][0] < 0.8 <= table["service_level"][1]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold_s": 20}, "threshold_s needs target_sl"),
        ({"target_sl": 0.8}, "target_sl needs threshold_s"),
        ({"target_sl": 1.2, "threshold_s": 20}, "target_sl must be below 1"),
        ({"target_sl": 0.8, "threshold_s": -5}, "threshold_s must be ≥ 0"),
        ({"max_abandon_frac": 0.05}, "max_abandon_frac needs patience_s"),
        ({}, "give at least one target"),
        ({"target_asa_s": 0}, "target_asa_s must be above 0"),
        ({"max_occupancy_frac": 1.5}, "max_occupancy_frac must be at most 1"),
    ],
)
def test_bad_staffing_arguments(kwargs, message):
    with pytest.raises(InputError, match=message):
        required_agents(1000, 180, **kwargs)


def test_negative_rate_is_rejected():
    with pytest.raises(InputError, match="calls_per_hour must be ≥ 0"):
        required_agents(-5, 180, target_sl=0.8, threshold_s=20)
