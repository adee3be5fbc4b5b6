"""Staffing for a target met with a given confidence over the day's volume factor."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from staffing import (
    erlang_metrics,
    required_agents,
    required_agents_with_confidence,
    volume_quantile_factor,
)


def test_quantile_factor_of_a_mean_one_gamma():
    factor = volume_quantile_factor(0.15, 0.9)
    draws = np.random.default_rng(5).gamma(1 / 0.15**2, 0.15**2, 200_000)
    assert draws.mean() == pytest.approx(1.0, abs=2e-3)
    assert (draws <= factor).mean() == pytest.approx(0.9, abs=4e-3)
    assert volume_quantile_factor(0.0, 0.9) == 1.0


def test_confidence_staffing_meets_the_target_on_the_quantile_day():
    rate, aht_s, cv, confidence = 1500.0, 240.0, 0.1, 0.9
    targets = {"target_sl": 0.8, "threshold_s": 20.0}
    agents = required_agents_with_confidence(
        rate, aht_s, day_cv=cv, confidence=confidence, **targets
    )
    assert agents > required_agents(rate, aht_s, **targets)
    quantile = stats.gamma.ppf(confidence, a=1 / cv**2, scale=cv**2)
    table = erlang_metrics(rate * quantile, aht_s, [agents - 1, agents], threshold_s=20)
    assert table["service_level"][0] < 0.8 <= table["service_level"][1]
    # The share of days meeting the target with these agents is at least the confidence.
    days = np.random.default_rng(9).gamma(1 / cv**2, cv**2, 4000)
    per_day = erlang_metrics(rate * days, aht_s, agents, threshold_s=20)["service_level"]
    assert (per_day >= 0.8).mean() >= confidence - 0.015
