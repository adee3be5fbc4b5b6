"""Day-level forecast-error multipliers: gamma with mean 1 and the declared CV."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.errors import InputError
from sim.arrivals import draw_day_multipliers


def test_day_multipliers_have_mean_1_and_the_requested_cv():
    n, cv = 40_000, 0.2
    draws = draw_day_multipliers(np.random.default_rng(7), cv, n)
    assert draws.shape == (n,) and np.all(draws > 0)
    # the sample mean has standard error cv / sqrt(n) = 0.001: allow 4.5 standard errors
    assert abs(draws.mean() - 1.0) < 4.5 * cv / np.sqrt(n)
    # delta method for the sample CV of a gamma (skewness 2 cv, kurtosis 3 + 6 cv^2):
    # standard error cv * sqrt((1 + cv^2) / (2 n))
    cv_standard_error = cv * np.sqrt((1 + cv**2) / (2 * n))
    assert abs(draws.std(ddof=1) / draws.mean() - cv) < 4.5 * cv_standard_error


def test_day_multipliers_come_from_the_callers_generator():
    first = draw_day_multipliers(np.random.default_rng(3), 0.1, 5)
    again = draw_day_multipliers(np.random.default_rng(3), 0.1, 5)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(draw_day_multipliers(np.random.default_rng(3), 0.0, 3), 1.0)


@pytest.mark.parametrize(("cv", "n"), [(-0.1, 3), (float("nan"), 3), (0.1, -1)])
def test_day_multipliers_reject_bad_arguments(cv, n):
    with pytest.raises(InputError):
        draw_day_multipliers(np.random.default_rng(0), cv, n)
