"""Demand shapes: stepped intraday weights, their normalisation and weekday shares."""

import numpy as np
import pytest

from scenarios.errors import InputError
from scenarios.profiles import interval_weights, normalised_shares, weekday_shares


def test_stepping_splits_each_hour_equally():
    hourly = np.arange(24.0)
    quarter = interval_weights(hourly, 900)
    assert quarter.shape == (96,)
    np.testing.assert_array_equal(quarter[8:12], [0.5, 0.5, 0.5, 0.5])
    np.testing.assert_allclose(quarter.reshape(24, 4).sum(axis=1), hourly)
    np.testing.assert_array_equal(interval_weights(hourly, 3600), hourly)
    np.testing.assert_array_equal(interval_weights(hourly, 1800)[:4], [0, 0, 0.5, 0.5])


@pytest.mark.parametrize("interval_s", [0, 1000, 7200])
def test_stepping_needs_an_interval_that_divides_an_hour(interval_s):
    with pytest.raises(InputError, match="divide an hour"):
        interval_weights(np.ones(24), interval_s)


def test_shares_normalise_over_the_mask_only():
    shares = normalised_shares(np.array([1.0, 2.0, 3.0, 4.0]), np.array([False, True, True, False]))
    np.testing.assert_allclose(shares, [0, 0.4, 0.6, 0])


def test_shares_over_zero_mass_are_an_error():
    with pytest.raises(InputError, match="zero on every selected interval"):
        normalised_shares(np.array([0.0, 0.0, 1.0]), np.array([True, True, False]))
    with pytest.raises(InputError, match="finite and >= 0"):
        normalised_shares(np.array([-1.0, 2.0]), np.array([True, True]))


def test_weekday_shares_normalise_over_open_days():
    weights = [1.2, 1.1, 1.0, 1.0, 0.9, 0.5, 7.0]
    shares = weekday_shares(weights, [True] * 6 + [False])
    np.testing.assert_allclose(shares, np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.5, 0.0]) / 5.7)


@pytest.mark.parametrize(
    ("weights", "open_days", "message"),
    [
        ([1.0] * 6, [True] * 7, "7 weekday weights and 7 open flags"),
        ([0.0] * 5 + [1.0, 1.0], [True] * 5 + [False] * 2, "give weight to a weekday"),
        ([1.0] * 6 + [-1.0], [True] * 7, "give weight to a weekday"),
    ],
)
def test_bad_weekday_weights(weights, open_days, message):
    with pytest.raises(InputError, match=message):
        weekday_shares(weights, open_days)
