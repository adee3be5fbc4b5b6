"""Notices about a valid scenario: deprecated field names, and inputs that are given but unused.

A notice is one line a person should read before trusting the numbers, never an error: the
scenario runs as written. :func:`scenario_notices` lists them in document order; the run's
summary (``warnings``), its report and the terminal repeat them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scenarios.partner import Pricing
    from scenarios.scenario import Scenario

__all__ = ["pricing_text", "scenario_notices"]


def pricing_text(pricing: Pricing) -> str:
    """The partner's pricing in words: ``32 EUR per production hour``."""
    if pricing.per_agent_hour_eur is not None:
        return f"{pricing.per_agent_hour_eur:,.2f} EUR per production hour"
    if pricing.per_fte_month_eur is not None:
        return f"{pricing.per_fte_month_eur:,.2f} EUR per FTE month"
    prices = pricing.per_contact_eur or {}
    return ", ".join(f"{name} {price:,.2f} EUR per contact" for name, price in prices.items())


def scenario_notices(scenario: Scenario) -> tuple[str, ...]:
    """Every notice of ``scenario``, one line each.

    - ``channels.<c>.fcr``: the deprecated name of ``resolution_probability`` (one line for
      every channel using it);
    - ``contract.fee.fixed_per_period_eur``: the former name of ``fixed_eur``;
    - a fixed fee beside a ``partner.pricing`` block: which of the two sets the fee.
    """
    notes = []
    old = [name for name, channel in scenario.channels.items() if channel.fcr is not None]
    if old:
        notes.append(
            f"fcr is deprecated (channels {', '.join(old)}): write resolution_probability, the "
            "chance the agent resolves a contact; the FCR customers feel is measured "
            "(docs/results.md)"
        )
    contract = scenario.contract
    if contract is None:
        return tuple(notes)
    fee = contract.fee
    if fee.fixed_per_period_eur is not None:
        notes.append(
            "contract.fee.fixed_per_period_eur is deprecated: write fixed_eur, the fee per "
            f"billing_period ({fee.billing_period})"
        )
    pricing = scenario.partner.pricing
    fixed = fee.fixed_per_billing_period_eur
    if fixed is not None and pricing is not None:
        notes.append(
            f"the fixed fee of {fixed:,.0f} EUR per {fee.billing_period} sets the fee; "
            f"partner.pricing ({pricing_text(pricing)}) is not used (use contract.fee "
            "from_pricing: true to price what the partner delivers)"
        )
    return tuple(notes)
