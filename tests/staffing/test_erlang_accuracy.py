"""Erlang B, C and A against 40-digit mpmath references over 0.01 to 10,000 Erlang."""

from __future__ import annotations

import math

import pytest

from staffing import erlang_b, erlang_metrics

AHT_S = 180.0
LOADS = [0.01, 0.3, 4.0, 37.0, 420.0, 3300.0, 10_000.0]


def _agents_around(load, offsets):
    return sorted({max(1, math.floor(load + b * math.sqrt(load))) for b in offsets})


def _rel_err(got, want):
    return abs(got - float(want)) / abs(float(want))


@pytest.mark.parametrize("load", LOADS)
def test_erlang_b_matches_mpmath(load, erlang_b_mp):
    agents = [*_agents_around(load, (-12, -4, -1, 0.3, 2, 6)), math.ceil(load) + 40]
    got = erlang_b(agents, load)
    for n, value in zip(agents, got, strict=True):
        assert _rel_err(value, erlang_b_mp(n, load)) <= 1e-12, (n, load)


@pytest.mark.parametrize("load", LOADS)
def test_erlang_c_matches_mpmath(load, erlang_c_mp):
    agents = [n for n in _agents_around(load, (0.05, 0.5, 1, 2, 4)) if n > load]
    threshold_s = 20.0
    got = erlang_metrics(load * 3600 / AHT_S, AHT_S, agents, threshold_s=threshold_s)
    for row in got.itertuples():
        want = erlang_c_mp(row.agents, load, threshold_s / AHT_S)
        assert _rel_err(row.p_wait, want["p_wait"]) <= 1e-12
        assert _rel_err(row.service_level, want["service_level"]) <= 1e-12
        assert _rel_err(row.asa_s, want["asa_s"] * AHT_S) <= 1e-12
        assert row.occupancy == pytest.approx(load / row.agents, rel=1e-15)


@pytest.mark.parametrize("load", [0.01, 0.3, 4.0, 37.0, 420.0, 3300.0, 10_000.0])
@pytest.mark.parametrize("patience_ratio", [0.25, 1.5])
def test_erlang_a_matches_mpmath(load, patience_ratio, erlang_a_mp):
    agents = _agents_around(load, (-1.5, 0.0, 1.5))
    threshold_s = 30.0
    got, answered = (
        erlang_metrics(
            load * 3600 / AHT_S,
            AHT_S,
            agents,
            threshold_s=threshold_s,
            patience_s=patience_ratio * AHT_S,
            sl_definition=definition,
        )
        for definition in ("offered", "answered")
    )
    for row, answered_sl in zip(got.itertuples(), answered["service_level"], strict=True):
        want = erlang_a_mp(row.agents, load, patience_ratio, threshold_s / AHT_S)
        assert _rel_err(row.p_wait, want["p_wait"]) <= 1e-9
        assert _rel_err(row.p_abandon, want["p_abandon"]) <= 1e-9
        assert _rel_err(row.service_level, want["service_level"]) <= 1e-9
        assert _rel_err(answered_sl, want["answered_sl"]) <= 1e-9
        assert _rel_err(row.asa_s, want["asa_s"] * AHT_S) <= 1e-9
        assert _rel_err(row.mean_wait_s, want["mean_wait_s"] * AHT_S) <= 1e-9
