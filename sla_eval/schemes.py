"""Penalty and bonus schemes as pure, vectorised functions of (units, fee, parameters).

``units`` is the shortfall below a clause target (penalties) or the excess above a bonus
threshold (bonuses) in scheme units: percentage points for fractional KPIs, seconds for ASA,
score points for CSAT. A non-positive or NaN ``units`` pays nothing in every scheme. ``fee_eur``
is the period fee. Arrays broadcast, so one call prices every replication and period.

=========  ==========================================================================
scheme     amount (euros)
=========  ==========================================================================
fixed      ``p * fee`` if ``units > 0``
linear     ``min(units * r, cap)`` with ``r = per_point_percent_of_fee * fee`` or
           ``per_point_eur`` and ``cap = cap_percent_of_fee * fee`` (no cap if absent)
banded     ``p_k * fee`` for the last band k with ``from_k <= units`` (nothing below the
           first band), if ``units > 0``
per_unit   ``min(max(units - dead_band, 0) * eur_per_unit, cap_eur)``
=========  ==========================================================================

:func:`scheme_eur` applies a scheme model of ``scenarios.contract`` (penalty or bonus).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from scenarios.errors import InputError

if TYPE_CHECKING:
    from scenarios.contract import BandedScheme, FixedScheme, LinearScheme, PerUnitScheme

__all__ = ["banded_eur", "fixed_eur", "linear_eur", "per_unit_eur", "scheme_eur"]


def _positive(units: np.ndarray) -> np.ndarray:
    return np.nan_to_num(np.asarray(units, dtype=np.float64), nan=0.0) > 0


def fixed_eur(units: np.ndarray, fee_eur: np.ndarray, percent_of_fee: float) -> np.ndarray:
    """``percent_of_fee * fee_eur`` wherever ``units > 0``, else 0."""
    return np.where(_positive(units), percent_of_fee * np.asarray(fee_eur, np.float64), 0.0)


def linear_eur(
    units: np.ndarray,
    fee_eur: np.ndarray,
    *,
    per_point_percent_of_fee: float | None = None,
    per_point_eur: float | None = None,
    cap_percent_of_fee: float | None = None,
) -> np.ndarray:
    """Per unit a share of the fee or a fixed amount, capped at a share of the fee."""
    if (per_point_percent_of_fee is None) == (per_point_eur is None):
        raise InputError("give exactly one of per_point_percent_of_fee or per_point_eur")
    fee = np.asarray(fee_eur, np.float64)
    rate: float | np.ndarray
    if per_point_eur is not None:
        rate = per_point_eur
    else:
        assert per_point_percent_of_fee is not None, "exactly one rate is given (checked above)"
        rate = per_point_percent_of_fee * fee
    amount = np.where(_positive(units), np.asarray(units, np.float64) * rate, 0.0)
    if cap_percent_of_fee is not None:
        amount = np.minimum(amount, cap_percent_of_fee * fee)
    return amount


def banded_eur(
    units: np.ndarray, fee_eur: np.ndarray, bands: Sequence[tuple[float, float]]
) -> np.ndarray:
    """``bands`` are ``(from_units, percent_of_fee)`` with increasing ``from_units``."""
    starts = np.array([start for start, _ in bands], np.float64)
    if len(starts) == 0 or np.any(np.diff(starts) <= 0):
        raise InputError(f"bands must be non-empty with increasing starts (got {list(bands)})")
    shares = np.r_[0.0, [share for _, share in bands]]
    positive = _positive(units)
    values = np.where(positive, np.asarray(units, np.float64), -np.inf)
    band = np.searchsorted(starts, values, side="right")
    return np.where(positive, shares[band] * np.asarray(fee_eur, np.float64), 0.0)


def per_unit_eur(
    units: np.ndarray,
    *,
    eur_per_unit: float,
    dead_band_units: float = 0.0,
    cap_eur: float | None = None,
) -> np.ndarray:
    """``eur_per_unit`` per unit beyond the dead band, capped at ``cap_eur``."""
    beyond = np.nan_to_num(np.asarray(units, np.float64), nan=0.0) - dead_band_units
    amount = np.maximum(beyond, 0.0) * eur_per_unit
    return amount if cap_eur is None else np.minimum(amount, cap_eur)


def scheme_eur(
    scheme: FixedScheme | LinearScheme | BandedScheme | PerUnitScheme,
    units: np.ndarray,
    fee_eur: np.ndarray,
) -> np.ndarray:
    """Apply a penalty or bonus model of ``scenarios.contract`` (dispatch on ``scheme``)."""
    kind = scheme.scheme
    units = np.asarray(units, np.float64)
    fee = np.broadcast_to(np.asarray(fee_eur, np.float64), units.shape)
    if scheme.scheme == "fixed":
        return fixed_eur(units, fee, scheme.percent_of_fee)
    if scheme.scheme == "linear":
        return linear_eur(
            units,
            fee,
            per_point_percent_of_fee=scheme.per_point_percent_of_fee,
            per_point_eur=scheme.per_point_eur,
            cap_percent_of_fee=scheme.cap_percent_of_fee,
        )
    if scheme.scheme == "banded":
        bands = [(band.from_shortfall_points, band.percent_of_fee) for band in scheme.bands]
        return banded_eur(units, fee, bands)
    if scheme.scheme == "per_unit":
        return per_unit_eur(
            units,
            eur_per_unit=scheme.eur_per_unit,
            dead_band_units=scheme.dead_band_units,
            cap_eur=scheme.cap_eur,
        )
    raise InputError(f"unknown scheme {kind!r}")
