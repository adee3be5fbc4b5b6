"""Offered load for time-varying demand: stationary, lagged and modified offered load."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.errors import InputError
from staffing import effective_load


def test_constant_rate_is_the_same_for_every_method():
    rate = np.full(20, 400.0)
    for method in ("stationary", "lagged", "modified_offered_load"):
        np.testing.assert_allclose(
            effective_load(rate, 300.0, interval_s=900, method=method), 400 * 300 / 3600
        )


def test_lagged_by_one_interval_when_aht_equals_the_interval():
    rate = np.array([0.0, 0.0, 360.0, 720.0, 0.0])
    load = effective_load(rate, 900.0, interval_s=900, method="lagged")
    np.testing.assert_allclose(load, [0.0, 0.0, 0.0, 90.0, 180.0])


def test_modified_offered_load_matches_a_fine_ode_solution():
    rate_per_hour = np.array([0.0, 0.0, 600.0, 1200.0, 1200.0, 200.0, 0.0])
    aht_s, interval_s = 1200.0, 900.0
    load = effective_load(
        rate_per_hour, aht_s, interval_s=interval_s, method="modified_offered_load"
    )
    steps = 9000
    dt = interval_s / steps
    level, want = 0.0, []
    for rate in rate_per_hour / 3600:
        total = 0.0
        for _ in range(steps):  # midpoint rule on m' = λ − m/AHT
            half = level + 0.5 * dt * (rate - level / aht_s)
            new_level = level + dt * (rate - half / aht_s)
            total += 0.5 * (level + new_level)
            level = new_level
        want.append(total / steps)
    np.testing.assert_allclose(load, want, rtol=1e-6, atol=1e-9)
    assert load[3] < 1200 * aht_s / 3600  # the load lags the rising rate


def test_unknown_method():
    with pytest.raises(InputError, match="method must be one of"):
        effective_load([1.0], 100.0, interval_s=900, method="sipp")
