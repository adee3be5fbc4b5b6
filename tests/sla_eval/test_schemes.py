"""Penalty and bonus schemes: hand-computed amounts and properties."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scenarios.contract import BandedScheme, FixedScheme, LinearScheme, PerUnitScheme
from scenarios.errors import InputError
from sla_eval.schemes import banded_eur, fixed_eur, linear_eur, per_unit_eur, scheme_eur

FEE = 250_000.0
units_st = st.floats(min_value=-50, max_value=500, allow_nan=False)
fee_st = st.floats(min_value=0, max_value=1e7, allow_nan=False)


def test_fixed_pays_a_share_of_the_fee_on_any_miss():
    # 5 % of 250,000 = 12,500 for any positive shortfall; nothing at 0, below 0 or NaN.
    got = fixed_eur(np.array([0.01, 3.0, 0.0, -2.0, np.nan]), FEE, 0.05)
    assert got.tolist() == [12_500.0, 12_500.0, 0.0, 0.0, 0.0]


def test_linear_per_point_with_cap():
    # 1 % of the fee per point = 2,500 per point; cap 5 % = 12,500.
    # 3 points -> 7,500; 4.5 points -> 11,250; 7 points -> 17,500 capped at 12,500.
    got = linear_eur(
        np.array([3.0, 4.5, 7.0, 0.0]), FEE, per_point_percent_of_fee=0.01, cap_percent_of_fee=0.05
    )
    assert got == pytest.approx([7_500.0, 11_250.0, 12_500.0, 0.0])
    # 2,000 euro per point, no cap: 7 points -> 14,000.
    assert linear_eur(np.array([7.0]), FEE, per_point_eur=2000.0).tolist() == [14_000.0]
    with pytest.raises(InputError):
        linear_eur(np.array([1.0]), FEE)


def test_banded_takes_the_last_band_reached():
    bands = [(0.0, 0.02), (5.0, 0.05), (10.0, 0.08)]
    # 0.5 points -> band 0: 2 % = 5,000; exactly 5 -> 5 % = 12,500; 9.9 -> 12,500;
    # 12 -> 8 % = 20,000; 0 or below -> nothing.
    got = banded_eur(np.array([0.5, 5.0, 9.9, 12.0, 0.0, -1.0]), FEE, bands)
    assert got == pytest.approx([5_000.0, 12_500.0, 12_500.0, 20_000.0, 0.0, 0.0])
    # A first band from 2 points: 1 point pays nothing.
    assert banded_eur(np.array([1.0]), FEE, [(2.0, 0.03)]).tolist() == [0.0]
    with pytest.raises(InputError):
        banded_eur(np.array([1.0]), FEE, [(5.0, 0.02), (5.0, 0.03)])


def test_per_unit_with_dead_band_and_cap():
    # ASA 30 s target, 200 euro per second above, 5 s dead band, cap 5,000:
    # 12 s above -> (12 - 5) * 200 = 1,400; 4 s -> 0; 40 s -> 7,000 capped at 5,000.
    got = per_unit_eur(
        np.array([12.0, 4.0, 40.0, np.nan]), eur_per_unit=200.0, dead_band_units=5.0, cap_eur=5000.0
    )
    assert got.tolist() == [1_400.0, 0.0, 5_000.0, 0.0]


@given(a=units_st, b=units_st, fee=fee_st, rate=st.floats(0, 0.2), cap=st.floats(0, 0.3))
def test_linear_is_monotone_and_capped(a, b, fee, rate, cap):
    low, high = sorted((a, b))
    amounts = linear_eur(
        np.array([low, high]), fee, per_point_percent_of_fee=rate, cap_percent_of_fee=cap
    )
    assert 0.0 <= amounts[0] <= amounts[1] <= cap * fee * (1 + 1e-12) + 1e-9


@given(
    a=units_st,
    b=units_st,
    fee=fee_st,
    starts=st.lists(st.floats(0, 100), min_size=1, max_size=5, unique=True),
    shares=st.lists(st.floats(0, 1), min_size=5, max_size=5),
)
def test_banded_is_monotone_and_below_the_top_band(a, b, fee, starts, shares):
    bands = list(zip(sorted(starts), sorted(shares), strict=False))
    low, high = sorted((a, b))
    amounts = banded_eur(np.array([low, high]), fee, bands)
    assert 0.0 <= amounts[0] <= amounts[1] <= bands[-1][1] * fee


@given(
    a=units_st, b=units_st, rate=st.floats(0, 1000), band=st.floats(0, 50), cap=st.floats(0, 1e5)
)
def test_per_unit_is_monotone_and_capped(a, b, rate, band, cap):
    low, high = sorted((a, b))
    amounts = per_unit_eur(
        np.array([low, high]), eur_per_unit=rate, dead_band_units=band, cap_eur=cap
    )
    assert 0.0 <= amounts[0] <= amounts[1] <= cap


@given(a=units_st, b=units_st, fee=fee_st, share=st.floats(0, 1))
def test_fixed_is_monotone_and_at_most_its_share(a, b, fee, share):
    low, high = sorted((a, b))
    amounts = fixed_eur(np.array([low, high]), fee, share)
    assert 0.0 <= amounts[0] <= amounts[1] <= share * fee


def test_scheme_models_priced_by_hand():
    """Each scheme model of the contract, priced through ``scheme_eur`` (dispatch on ``scheme``)."""
    fee = 200_000.0
    assert _eur(FixedScheme(scheme="fixed", percent_of_fee="5%"), 0.1, fee) == 10_000
    assert _eur(FixedScheme(scheme="fixed", percent_of_fee="5%"), 0.0, fee) == 0
    linear = LinearScheme(scheme="linear", per_point_percent_of_fee="1%", cap_percent_of_fee="3%")
    assert _eur(linear, 2.5, fee) == pytest.approx(5_000)
    assert _eur(linear, 4.0, fee) == pytest.approx(6_000)  # capped at 3%
    per_eur = LinearScheme(scheme="linear", per_point_eur=2000)
    assert _eur(per_eur, 3.5, fee) == 7000 and _eur(per_eur, -1, fee) == 0
    banded = BandedScheme(
        scheme="banded",
        bands=[
            {"from_shortfall_points": 0, "percent_of_fee": "2%"},
            {"from_shortfall_points": 5, "percent_of_fee": "5%"},
        ],
    )
    assert _eur(banded, 0.5, fee) == pytest.approx(4_000)
    assert _eur(banded, 5.0, fee) == pytest.approx(10_000)
    assert _eur(banded, 0.0, fee) == 0
    per_unit = PerUnitScheme(scheme="per_unit", eur_per_unit=200, dead_band_units=15, cap_eur=2_000)
    assert _eur(per_unit, 20.0, fee) == 1_000  # 5 s beyond the dead band
    assert _eur(per_unit, 40.0, fee) == 2_000
    assert _eur(per_unit, 10.0, fee) == 0


def _eur(model, units, fee):
    return float(scheme_eur(model, np.array([units]), fee)[0])
