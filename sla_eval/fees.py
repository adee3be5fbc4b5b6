"""The fee: what the client pays per period, before credits.

A **fixed fee** ``X`` is stated once per billing period (a month unless the contract says
otherwise) and prorated to any period ``P`` by :func:`sla_eval.periods.billing_share`:
``fee(P) = X · share(P)``, with ``share(P) = Σ m_i / L(b_i)`` over the measured seconds ``m_i``
of the intervals in ``P`` and the calendar length ``L(b_i)`` of their billing period. A week of
March is charged 7/31 of the March fee, two simulated days 2/31: the periods of any kind add up
to the same fee, so a clause measured weekly never changes what the client pays for the month.

A **fee from pricing** prices what was delivered in the period (KPIs of the table):

=====================  ======================================================================
pricing                fee of a period
=====================  ======================================================================
``per_contact_eur``    ``Σ_c price_c · answered_c``
``per_agent_hour_eur`` ``price · staffed_agent_hours`` (production hours: agents on duty after
                       shrinkage, the hours a per-hour price is usually billed for)
``per_fte_month_eur``  ``price · paid_agent_hours / fte_hours_per_month`` (an FTE is the paid
                       hours of one full-timer)
=====================  ======================================================================

Shares of the fee (penalties, bonuses, pools, the at-risk cap) follow the fee of the period
they are measured in.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scenarios.errors import InputError
from sla_eval.grids import KpiGrid, frozen
from sla_eval.period_cells import ALL_CHANNELS
from sla_eval.periods import Calendar, billing_share

if TYPE_CHECKING:
    from scenarios.commitments import Fee
    from scenarios.partner import Pricing


__all__ = ["BILLING_FEE_COLUMNS", "billing_fees", "period_fee"]

BILLING_FEE_COLUMNS = ("replication", "period", "period_start", "fee_eur")
"""Columns of :func:`billing_fees`."""


def _share_grid(calendar: Calendar | None, grid: KpiGrid, billing: str) -> np.ndarray:
    """``billing_share`` of the grid's periods as a ``(1, P)`` array; without a calendar each
    period of the billing kind is a whole one."""
    if calendar is None:
        if grid.kind != billing:
            raise InputError(
                f"prorating a fee per {billing} to {grid.kind} periods needs the calendar "
                "(the horizon's start, interval, length and warm-up)"
            )
        return np.ones((1, grid.shape[1]))
    periods, share = _billing_share(calendar, grid.kind, billing)
    return share[grid.calendar_positions(periods)][None, :]


@lru_cache(maxsize=64)
def _billing_share(calendar: Calendar, kind: str, billing: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`sla_eval.periods.billing_share` as ``(periods, shares)`` arrays; it depends on
    the calendar alone, so a run computes it once per process."""
    share = billing_share(calendar, kind, billing)
    return frozen(share.index.to_numpy(np.int64)), frozen(share.to_numpy(np.float64))


def period_fee(
    grid: KpiGrid,
    fee: Fee,
    pricing: Pricing | None,
    fte_hours_per_month: float,
    calendar: Calendar | None = None,
) -> np.ndarray:
    """The fee of every period of ``grid`` (module docstring), shape ``(R, P)`` or ``(1, P)``.

    Parameters
    ----------
    grid:
        The KPI table at the period kind wanted.
    fee, pricing:
        The contract's ``Fee`` and the partner's ``Pricing`` (for a fee ``from_pricing``).
    fte_hours_per_month:
        Paid hours of one FTE per month.
    calendar:
        The measured horizon; needed to prorate a fixed fee to another kind than billing.
    """
    fixed = fee.fixed_per_billing_period_eur
    if fixed is not None:
        return float(fixed) * _share_grid(calendar, grid, fee.billing_period)
    if pricing is None:
        raise InputError("the contract fee is from_pricing but no partner pricing was given")
    if pricing.per_contact_eur is not None:
        priced = np.zeros(grid.shape)
        for channel, price in pricing.per_contact_eur.items():
            priced += price * grid.get("answered", channel)
        return priced
    if pricing.per_agent_hour_eur is not None:
        return pricing.per_agent_hour_eur * grid.get("staffed_agent_hours", ALL_CHANNELS)
    paid = grid.get("paid_agent_hours", ALL_CHANNELS)
    return pricing.per_fte_month_eur * paid / fte_hours_per_month


def billing_fees(
    kpis: pd.DataFrame | KpiGrid,
    fee: Fee,
    pricing: Pricing | None = None,
    fte_hours_per_month: float = 160.0,
    calendar: Calendar | None = None,
) -> pd.DataFrame:
    """The fee per replication and billing period (columns :data:`BILLING_FEE_COLUMNS`) of the
    KPI table ``kpis`` (or its :class:`sla_eval.grids.KpiGrid` of the billing period)."""
    grid = KpiGrid.of(kpis, fee.billing_period)
    amounts = np.broadcast_to(
        period_fee(grid, fee, pricing, fte_hours_per_month, calendar), grid.shape
    )
    n_rep, n_period = grid.shape
    return pd.DataFrame(
        {
            "replication": np.repeat(grid.replications, n_period).astype(np.int64),
            "period": np.tile(grid.periods, n_rep).astype(np.int64),
            "period_start": np.tile(grid.period_start, n_rep).astype("datetime64[ns]"),
            "fee_eur": amounts.ravel().astype(np.float64),
        }
    )
