"""The partner's cost: paid hours, hiring and overhead, and how plausible its margin is.

A partner pays every scheduled hour: shrinkage (breaks, training, meetings, absence) takes time
from production, not from the payroll. Per replication and period, from the KPI table's
``all`` row (the agent log, ``sim.paid_time``), with ``r`` the labour cost per agent hour:

=====================  ======================================================================
cost                   amount
=====================  ======================================================================
``labour_cost_eur``    ``r · paid_agent_hours`` (scheduled agents before shrinkage, scaled with
                       the headcount; hires on the floor, nesting, included)
``hiring_cost_eur``    ``r · training_agent_hours + cost_per_hire_eur · hires`` (hires in
                       training are paid and not productive)
``overhead_eur``       ``overhead_per_fte_month_eur · (paid + training hours) /
                       fte_hours_per_month`` (seats, systems, supervision per paid FTE)
``partner_cost_eur``   the sum; NaN when ``r`` is unknown
=====================  ======================================================================

The partner margin is client cost minus partner cost. Typical BPO gross margins are 10-30 %
of revenue; :func:`margin_warning` flags a mean margin below -10 % or above 40 % of the client
cost, naming the inputs that drive it (a model showing 50 % is counting hours wrong, or its fee
and costs do not belong together).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sla_eval.grids import KpiGrid
from sla_eval.period_cells import ALL_CHANNELS

if TYPE_CHECKING:
    from scenarios.partner import Partner
    from scenarios.scenario import Scenario


__all__ = [
    "HOURS_KPIS",
    "MARGIN_BAND_FRAC",
    "PARTNER_COST_COLUMNS",
    "PartnerCosts",
    "margin_warning",
    "partner_cost",
]

HOURS_KPIS = ("paid_agent_hours", "training_agent_hours", "hires")
"""KPIs (``all`` row) the partner's cost is computed from."""
PARTNER_COST_COLUMNS = (
    *HOURS_KPIS,
    "labour_cost_eur",
    "hiring_cost_eur",
    "overhead_eur",
    "partner_cost_eur",
)
"""Columns of :func:`partner_cost` besides ``replication`` and ``period``."""
MARGIN_BAND_FRAC = (-0.10, 0.40)
"""Plausible partner margin as a share of the client cost; outside it, a warning."""


@dataclass(frozen=True)
class PartnerCosts:
    """The partner's cost rates (``scenarios.partner.Partner``).

    Attributes
    ----------
    labour_per_agent_hour_eur:
        Cost of one paid agent hour; None when unknown (no cost, no margin).
    cost_per_hire_eur:
        Recruiting cost of one hire.
    overhead_per_fte_month_eur:
        Overhead per paid FTE and month.
    fte_hours_per_month:
        Paid hours of one full-timer per month.
    """

    labour_per_agent_hour_eur: float | None
    cost_per_hire_eur: float = 0.0
    overhead_per_fte_month_eur: float = 0.0
    fte_hours_per_month: float = 160.0

    @classmethod
    def of(cls, partner: Partner) -> PartnerCosts:
        """The rates of a ``scenarios.partner.Partner``."""
        return cls(
            partner.labour_cost_per_agent_hour_eur,
            partner.cost_per_hire_eur,
            partner.overhead_per_fte_month_eur,
            partner.fte_hours_per_month,
        )


def partner_cost(kpis: pd.DataFrame | KpiGrid, kind: str, costs: PartnerCosts) -> pd.DataFrame:
    """The partner's hours and cost per replication and period of ``kind`` (module docstring),
    from the KPI table ``kpis`` or its :class:`sla_eval.grids.KpiGrid` of ``kind``.

    Returns
    -------
    pandas.DataFrame
        ``replication``, ``period`` and :data:`PARTNER_COST_COLUMNS`; paid hours are NaN when
        the KPI table has no agent log (training hours and hires absent from it count 0), costs
        NaN when the labour cost is unknown.
    """
    grid = KpiGrid.of(kpis, kind)
    cells = grid.present.ravel()
    hours = {}
    for name in HOURS_KPIS:
        if grid.has(name, ALL_CHANNELS):
            hours[name] = grid.get(name, ALL_CHANNELS).ravel()[cells]
        else:  # no agent log: paid hours unknown; no hires' records: none hired or trained
            hours[name] = np.full(cells.sum(), np.nan if name == "paid_agent_hours" else 0.0)
    rate = np.nan if costs.labour_per_agent_hour_eur is None else costs.labour_per_agent_hour_eur
    paid, training, hires = (hours[name] for name in HOURS_KPIS)
    labour = rate * paid
    hiring = rate * training + costs.cost_per_hire_eur * hires
    overhead = costs.overhead_per_fte_month_eur * ((paid + training) / costs.fte_hours_per_month)
    n_rep, n_period = grid.shape
    return pd.DataFrame(
        {
            "replication": np.repeat(grid.replications, n_period)[cells],
            "period": np.tile(grid.periods, n_rep)[cells],
            **hours,
            "labour_cost_eur": labour,
            "hiring_cost_eur": hiring,
            "overhead_eur": overhead,
            "partner_cost_eur": labour + hiring + overhead,
        }
    )


def _mean(contract: dict, name: str) -> float:
    stats = contract.get(name) or {}
    value = stats.get("mean")
    return math.nan if value is None else float(value)


def margin_warning(contract: dict, scenario: Scenario) -> str | None:
    """One line when the mean partner margin lies outside :data:`MARGIN_BAND_FRAC` of the mean
    client cost, naming the inputs behind both; None inside it or when unknown.

    Parameters
    ----------
    contract:
        The ``contract`` section of a summary (means of ``client_cost_eur``,
        ``partner_margin_eur``, the cost parts and hours).
    scenario:
        The ``scenarios.Scenario`` whose inputs are named.
    """
    client, margin = _mean(contract, "client_cost_eur"), _mean(contract, "partner_margin_eur")
    if not (math.isfinite(client) and math.isfinite(margin)) or client <= 0:
        return None
    share = margin / client
    low, high = MARGIN_BAND_FRAC
    if low <= share <= high:
        return None
    assert scenario.contract is not None, "only a contract has a margin"
    partner, fee = scenario.partner, scenario.contract.fee
    fixed = fee.fixed_per_billing_period_eur
    source = (
        f"contract.fee.fixed_eur {fixed:,.0f} EUR per {fee.billing_period}"
        if fixed is not None
        else "partner.pricing (contract.fee from_pricing)"
    )
    return (
        f"partner margin {share:.0%} of the client cost is outside the plausible "
        f"{low:.0%} to {high:.0%} (BPO gross margins are typically 10-30 %): client cost "
        f"{client:,.0f} EUR from {source}; partner cost {_mean(contract, 'partner_cost_eur'):,.0f}"
        f" EUR = {_mean(contract, 'paid_agent_hours'):,.0f} paid hours (shrinkage "
        f"{partner.shrinkage:.0%} included) x partner.labour_cost_per_agent_hour_eur "
        f"{partner.labour_cost_per_agent_hour_eur:g} + hiring "
        f"{_mean(contract, 'hiring_cost_eur'):,.0f} (partner.cost_per_hire_eur "
        f"{partner.cost_per_hire_eur:g}) + overhead {_mean(contract, 'overhead_eur'):,.0f} "
        f"(partner.overhead_per_fte_month_eur {partner.overhead_per_fte_month_eur:g})"
    )
