"""Demand shapes: intraday profiles, weekday shares and event day factors (hand-computed)."""

import numpy as np
import pytest

from scenarios.errors import InputError
from scenarios.profiles import (
    BUILTIN_PROFILES,
    hourly_weights,
    interval_weights,
    launch_uplift,
    learning_fade,
    normalised_shares,
    weekday_shares,
)


@pytest.mark.parametrize("name", ["flat", "office", "extended", "evening"])
def test_builtin_profiles_have_24_positive_weights(name):
    weights = hourly_weights(name)
    assert weights.shape == (24,)
    assert weights.dtype == np.float64
    assert np.all(weights > 0)


def test_builtin_names_are_the_documented_ones():
    assert list(BUILTIN_PROFILES) == ["flat", "office", "extended", "evening"]


def test_user_table_is_returned_as_given():
    table = list(range(24))
    np.testing.assert_array_equal(hourly_weights(table), np.arange(24.0))


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ("lunch", "unknown intraday profile 'lunch'"),
        ([1.0] * 23, "24 hourly weights"),
        ([1.0] * 23 + [-1.0], "must not be negative"),
        ([0.0] * 24, "must not all be zero"),
        ([1.0] * 23 + [float("nan")], "must be finite"),
    ],
)
def test_bad_profiles_are_rejected(profile, message):
    with pytest.raises(InputError, match=message):
        hourly_weights(profile)


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


def test_weekday_shares():
    shares = weekday_shares([1.2, 1.1, 1.0, 1.0, 0.9, 0.5, 0.0])
    np.testing.assert_allclose(shares, np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.5, 0.0]) / 5.7)
    with pytest.raises(InputError, match="7 weekday weights"):
        weekday_shares([1.0] * 6)
    with pytest.raises(InputError, match="must not all be zero"):
        weekday_shares([0.0] * 7)


def test_launch_uplift_halves_every_half_life():
    uplift = launch_uplift([-1, 0, 7, 14, 3.5], uplift=0.4, half_life_days=7)
    np.testing.assert_allclose(uplift, [0.0, 0.4, 0.2, 0.1, 0.4 / np.sqrt(2)])


def test_learning_fade_is_linear_to_zero():
    fade = learning_fade([-1, 0, 7, 14, 21, 30], learning_days=21)
    np.testing.assert_allclose(fade, [0.0, 1.0, 2 / 3, 1 / 3, 0.0, 0.0])


@pytest.mark.parametrize("function", [launch_uplift, learning_fade])
def test_event_scales_must_be_positive(function):
    args = (0.4, 0.0) if function is launch_uplift else (0.0,)
    with pytest.raises(InputError, match="must be positive"):
        function([0, 1], *args)
