"""Hypothesis properties of the Erlang measures: bounds, monotonicity, Erlang A versus C."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from staffing import erlang_metrics, required_agents

loads = st.floats(min_value=0.01, max_value=2000.0)
ahts = st.floats(min_value=10.0, max_value=1800.0)
thresholds = st.floats(min_value=0.0, max_value=300.0)
patiences = st.floats(min_value=1.0, max_value=3600.0)
definitions = st.sampled_from(["offered", "answered", "excl_short_abandons"])

PROBABILITIES = ["p_wait", "service_level", "occupancy", "p_abandon"]


def _sweep(load, aht_s, threshold_s, patience_s, definition, span):
    low = max(0, int(load - span * np.sqrt(load)) - 2)
    agents = np.arange(low, int(load + span * np.sqrt(load)) + 5)
    table = erlang_metrics(
        load * 3600.0 / aht_s,
        aht_s,
        agents,
        threshold_s=threshold_s,
        patience_s=patience_s,
        sl_definition=definition,
        short_abandon_s=min(5.0, threshold_s),
    )
    return table


@settings(max_examples=60, deadline=None)
@given(loads, ahts, thresholds, st.none() | patiences, definitions)
def test_probabilities_in_unit_interval_and_monotone_in_agents(
    load, aht_s, threshold_s, patience_s, definition
):
    table = _sweep(load, aht_s, threshold_s, patience_s, definition, span=4)
    values = table[PROBABILITIES].to_numpy()
    assert np.isfinite(values).all()
    assert ((values >= 0) & (values <= 1)).all()
    slack = 1e-11  # absolute rounding of differences of O(1) sums (service level near 0)
    assert (np.diff(table["p_wait"]) <= slack).all()
    assert (np.diff(table["service_level"]) >= -slack).all()
    assert (np.diff(table["p_abandon"]) <= slack).all()
    assert (np.diff(table["occupancy"]) <= slack).all()
    asa = table["asa_s"].to_numpy()
    finite = np.isfinite(asa)
    assert (np.diff(asa[finite]) <= slack * (1 + asa[finite][:-1])).all()
    assert not np.isnan(asa).any()


@settings(max_examples=60, deadline=None)
@given(loads, ahts, thresholds, patiences)
def test_erlang_a_answered_service_level_at_least_erlang_c(load, aht_s, threshold_s, patience_s):
    erlang_c = _sweep(load, aht_s, threshold_s, None, "offered", span=3)
    erlang_a = _sweep(load, aht_s, threshold_s, patience_s, "answered", span=3)
    assert (erlang_a["service_level"] >= erlang_c["service_level"] - 1e-12).all()
    assert (erlang_a["p_wait"] <= erlang_c["p_wait"] + 1e-12).all()


@settings(max_examples=40, deadline=None)
@given(loads, ahts, st.floats(min_value=0.05, max_value=0.99), thresholds)
def test_required_agents_exceed_load_and_meet_the_target(load, aht_s, target, threshold_s):
    agents = required_agents(
        load * 3600.0 / aht_s, aht_s, target_sl=target, threshold_s=threshold_s
    )
    assert agents > load
    table = erlang_metrics(
        load * 3600.0 / aht_s, aht_s, [agents - 1, agents], threshold_s=threshold_s
    )
    assert table["service_level"][1] >= target > table["service_level"][0] or agents - 1 <= load
