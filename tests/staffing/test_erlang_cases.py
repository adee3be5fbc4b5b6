"""Erlang measures: published values, the birth-death oracle, edge cases and bad arguments."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scenarios.errors import InputError
from staffing import COLUMNS_ERLANG, erlang_b, erlang_metrics


def _calls_per_hour(load, aht_s):
    return load * 3600.0 / aht_s


def test_published_erlang_c_values():
    table = erlang_metrics(_calls_per_hour(10, 180), 180, [14, 11], threshold_s=20)
    assert table["p_wait"][0] == pytest.approx(0.1741319, abs=5e-8)
    assert table["service_level"][0] == pytest.approx(0.88835, abs=5e-6)
    assert table["asa_s"][0] == pytest.approx(7.835937, abs=5e-7)
    assert table["p_wait"][1] == pytest.approx(0.6821182, abs=5e-8)
    assert table["service_level"][1] == pytest.approx(0.3896138, abs=5e-8)
    second = erlang_metrics(0.2 * 3600, 240, 55, threshold_s=15)
    assert second["offered_load_erlangs"][0] == pytest.approx(48.0)
    assert second["p_wait"][0] == pytest.approx(0.2387, abs=5e-5)
    assert second["asa_s"][0] == pytest.approx(8.184, abs=5e-4)
    assert second["service_level"][0] == pytest.approx(0.8459, abs=5e-5)


def test_erlang_b_small_hand_values():
    # B(1, A) = A / (1 + A); B(2, 1) = (1/2) / (1 + 1 + 1/2) = 0.2
    assert erlang_b(1, 3.0) == pytest.approx(0.75, rel=1e-15)
    assert erlang_b(2, 1.0) == pytest.approx(0.2, rel=1e-15)
    assert erlang_b(0, 5.0) == 1.0
    assert erlang_b(3, 0.0) == 0.0


@pytest.mark.parametrize(
    ("agents", "load", "patience_ratio"),
    [(14, 10.0, 2 / 3), (9, 10.0, 1 / 3), (3, 5.0, 0.5), (30, 25.0, 5.0), (1, 0.4, 0.2)],
)
def test_erlang_a_matches_birth_death_chain(agents, load, patience_ratio, birth_death_oracle):
    aht_s, threshold_s, short_s = 100.0, 20.0, 6.0
    want = birth_death_oracle(agents, load, patience_ratio, threshold_s / aht_s, short_s / aht_s)
    for definition in ("offered", "answered", "excl_short_abandons"):
        got = erlang_metrics(
            _calls_per_hour(load, aht_s),
            aht_s,
            agents,
            threshold_s=threshold_s,
            patience_s=patience_ratio * aht_s,
            sl_definition=definition,
            short_abandon_s=short_s,
        ).iloc[0]
        assert got["service_level"] == pytest.approx(want[definition], rel=1e-9)
    assert got["p_wait"] == pytest.approx(want["p_wait"], rel=1e-9)
    assert got["p_abandon"] == pytest.approx(want["p_abandon"], rel=1e-9)
    assert got["asa_s"] == pytest.approx(want["asa_s"] * aht_s, rel=1e-9)
    assert got["occupancy"] == pytest.approx(load * (1 - want["p_abandon"]) / agents, rel=1e-9)


def test_practitioner_definitions_example_ordering():
    # With abandonment, per answered >= short abandons excluded >= per offered.
    table = {
        d: erlang_metrics(
            600, 180, 28, threshold_s=20, patience_s=60, sl_definition=d, short_abandon_s=5
        )["service_level"][0]
        for d in ("offered", "answered", "excl_short_abandons")
    }
    assert table["answered"] > table["excl_short_abandons"] > table["offered"]


def test_erlang_c_overload_is_a_defined_answer():
    table = erlang_metrics(_calls_per_hour(20, 180), 180, [20, 15, 0], threshold_s=20)
    assert (table["p_wait"] == 1.0).all()
    assert (table["service_level"] == 0.0).all()
    assert np.isinf(table["asa_s"]).all()
    assert (table["occupancy"] == 1.0).all()


def test_erlang_a_overload_and_no_agents_are_finite_where_defined():
    table = erlang_metrics(_calls_per_hour(5000, 180), 180, [100, 0], threshold_s=20, patience_s=60)
    assert table["p_wait"].tolist() == pytest.approx([1.0, 1.0])
    assert table["p_abandon"][1] == pytest.approx(1.0)
    # Heavily overloaded: served load is about N (throughput bound), the rest abandons.
    assert table["p_abandon"][0] == pytest.approx(1 - 100 / 5000, rel=1e-3)
    assert table["service_level"][1] == 0.0
    assert math.isinf(table["asa_s"][1])
    assert not table.drop(columns="asa_s").isna().any().any()


def test_zero_load_and_huge_staffing():
    table = erlang_metrics([0.0, 1.0], 180, [3, 400], threshold_s=20, patience_s=60)
    assert table["service_level"].tolist() == [1.0, 1.0]
    assert table["p_wait"].tolist() == [0.0, 0.0]
    assert table["asa_s"].tolist() == [0.0, 0.0]


def test_metrics_table_matches_columns():
    table = erlang_metrics([100, 200], [180, 200], [8, 14])
    assert list(table.columns) == list(COLUMNS_ERLANG)
    assert {c: str(t) for c, t in table.dtypes.items()} == COLUMNS_ERLANG


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"calls_per_hour": -1}, "calls_per_hour must be ≥ 0"),
        ({"aht_s": 0}, "aht_s must be above 0"),
        ({"agents": 2.5}, "agents must be a whole number"),
        ({"agents": [1, 2, 3], "aht_s": [1, 2]}, "same length"),
        ({"sl_definition": "all"}, "sl_definition must be one of"),
        ({"patience_s": float("nan")}, "patience_s must be finite"),
        ({"threshold_s": "soon"}, "threshold_s must be a number"),
    ],
)
def test_bad_arguments_raise_input_error(kwargs, message):
    arguments = {"calls_per_hour": 100, "aht_s": 180, "agents": 10} | kwargs
    with pytest.raises(InputError, match=message):
        erlang_metrics(**arguments)
