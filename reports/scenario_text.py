"""The scenario in words for the report: escaped HTML tables of its channels, partner and
contract, and the names of the models behind its staffing.

Every function returns text; :func:`table` and :func:`esc` escape whatever they are given with
:func:`html.escape`, so scenario names and descriptions never become markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reports.text import clause_label, duration_text, sl_definition_text
from scenarios._base import WEEKDAYS, format_clock
from scenarios.contract import FRACTION_KPIS, SECONDS_KPIS
from scenarios.notices import pricing_text

if TYPE_CHECKING:
    from scenarios.calendar import OpeningHours
    from scenarios.channels import Channel, Volume
    from scenarios.contract import BandedScheme, Clause, FixedScheme, LinearScheme, PerUnitScheme
    from scenarios.distribution import Distribution
    from scenarios.partner import Absence, Pricing, Team
    from scenarios.scenario import Scenario

__all__ = [
    "clause_target",
    "clause_value",
    "esc",
    "eur",
    "forecast_error",
    "forecast_text",
    "norm",
    "percent",
    "scenario_section",
    "share",
    "staffing_model",
    "table",
    "team_staffing",
]


def esc(value: object) -> str:
    """``str(value)`` escaped for HTML text and attributes."""
    return html.escape(str(value), quote=True)


def _cell(cell: object) -> str:
    if isinstance(cell, tuple):
        main, note = cell
        return f'{esc(main)}<br><span class="ci">{esc(note)}</span>'
    return esc(cell)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], numeric_from: int) -> str:
    """An HTML table of text cells, escaped; a ``(text, note)`` cell shows the note below in
    small print. Columns from ``numeric_from`` on align right; no header row without headers."""
    head = "".join(f"<th>{esc(name)}</th>" for name in headers)
    head = f"<thead><tr>{head}</tr></thead>" if headers else ""
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{_cell(cell)}</td>'
            if index >= numeric_from
            else f"<td>{_cell(cell)}</td>"
            for index, cell in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f'<div class="wide"><table>{head}<tbody>{"".join(body)}</tbody></table></div>'


def percent(value: float | None) -> str:
    """A measured fraction as ``81.2 %`` with a no-break space (``-`` for None)."""
    return "-" if value is None else f"{100 * value:.1f}\u00a0%"


def share(value: float) -> str:
    """A given fraction as ``5 %``, ``0.5 %``, ``12 %`` with a no-break space."""
    return f"{100 * value:.4g}\u00a0%"


def eur(value: float | None) -> str:
    """An amount as ``12,345 EUR`` (``-`` for None)."""
    return "-" if value is None else f"{value:,.0f} EUR"


def clause_value(clause: Clause, value: float) -> str:
    """A value of the clause's KPI in its unit (percent, duration or score)."""
    if clause.kpi in FRACTION_KPIS:
        return share(value)
    return duration_text(value) if clause.kpi in SECONDS_KPIS else f"{value:g}"


def clause_target(clause: Clause) -> str:
    """The clause's target in its unit; a band as ``4 min to 8 min``."""
    if clause.target_min is not None:
        return f"{clause_value(clause, clause.target_min)} to {clause_value(clause, clause.target)}"
    return clause_value(clause, clause.target)


def _hours(hours: OpeningHours) -> str:
    """Opening hours as ``mon-fri 08:00-20:00, sat 09:00-17:00``."""
    if hours.is_24_7:
        return "24/7"
    groups: list[list] = []
    for day, window in enumerate(hours.windows_s):
        if window is not None and groups and groups[-1][1] == day - 1 and groups[-1][2] == window:
            groups[-1][1] = day
        elif window is not None:
            groups.append([day, day, window])
    parts = []
    for first, last, (start, end) in groups:
        days = WEEKDAYS[first] if first == last else f"{WEEKDAYS[first]}-{WEEKDAYS[last]}"
        parts.append(f"{days} {format_clock(start)}-{format_clock(end)}")
    return ", ".join(parts) or "closed"


def _volume(volume: Volume) -> str:
    for name in ("per_day", "per_week", "per_month"):
        amount = getattr(volume, name)
        if amount is not None:
            return f"{amount:,.0f} {name.replace('_', ' ')}"
    assert volume.file is not None, "a volume is a count or a file"
    return f"file {volume.file.name}"


def _distribution(distribution: Distribution | None) -> str:
    if distribution is None:
        return "-"
    shape = distribution.distribution
    cv = f", cv {distribution.cv:g}" if distribution.cv else ""
    return f"{duration_text(distribution.mean)} ({shape}{cv})"


def norm(channel: Channel) -> str:
    """A channel's ``service_target`` as ``80 % within 30 s, per offered``."""
    target = channel.service_target
    if target is None:
        return "none"
    text = f"{share(target.target)} within {duration_text(target.threshold)}"
    if channel.kind == "deferrable":
        return f"{text}, business hours" if target.business_hours else text
    text = f"{text}, {sl_definition_text(target.sl_definition, target.short_abandon or 0.0)}"
    if target.max_p_wait is not None:
        text += f"; P(wait) at most {share(target.max_p_wait)}"
    if target.max_occupancy is not None:
        text += f"; occupancy at most {share(target.max_occupancy)}"
    if target.confidence is not None:  # criterion confidence
        text += f"; met on {share(target.confidence)} of days"
    return text


def _scheme(
    scheme: FixedScheme | LinearScheme | BandedScheme | PerUnitScheme, clause: Clause
) -> str:
    unit = (
        "point" if clause.kpi in FRACTION_KPIS else ("s" if clause.kpi in SECONDS_KPIS else "unit")
    )
    if scheme.scheme == "fixed":
        text = f"{share(scheme.percent_of_fee)} of fee"
    elif scheme.scheme == "linear":
        rate = scheme.per_point_percent_of_fee
        text = f"{share(rate)} of fee" if rate is not None else eur(scheme.per_point_eur)
        text += f" per {unit}"
    elif scheme.scheme == "banded":
        text = ", ".join(
            f"from {band.from_shortfall_points:g} {unit}s: {share(band.percent_of_fee)} of fee"
            for band in scheme.bands
        )
    else:
        text = f"{eur(scheme.eur_per_unit)} per {unit}"
        if scheme.dead_band_units:
            text += f" beyond {scheme.dead_band_units:g}"
    cap = getattr(scheme, "cap_percent_of_fee", None)
    if cap is not None:
        text += f", cap {share(cap)} of fee"
    cap_eur = getattr(scheme, "cap_eur", None)
    if cap_eur is not None:
        text += f", cap {eur(cap_eur)}"
    return text


def _bonus(clause: Clause) -> str:
    threshold = clause.bonus_threshold
    if clause.bonus is None or threshold is None:  # both or neither
        return "-"
    return f"above {clause_value(clause, threshold)}: {_scheme(clause.bonus, clause)}"


def _clause_terms(clause: Clause) -> str:
    terms = [f"pool {share(clause.pool)}"]
    if clause.measurement_period is not None:
        terms.append(f"measured per {clause.measurement_period}")
    if clause.min_volume:
        basis = " forecast" if clause.min_volume_basis == "forecast" else ""
        terms.append(f"min{basis} volume {clause.min_volume:,.0f}")
    if clause.relief_band is not None:
        terms.append(f"relief above forecast +{share(clause.relief_band)}")
    if clause.earn_back_periods is not None:
        terms.append(f"earn-back after {clause.earn_back_periods} met periods")
    if clause.repeat_miss is not None:
        rule = clause.repeat_miss
        terms.append(
            f"×{rule.multiplier:g} after {rule.misses} misses in {rule.window_periods} periods"
        )
    return "; ".join(terms)


def scenario_section(scenario: Scenario, replications: int, seed: int) -> str:
    """The scenario summary: horizon and run, channels with norms, partner, contract terms."""
    horizon = scenario.horizon
    closed = ", ".join(day.isoformat() for day in horizon.closed_days) or "none"
    facts = [
        (
            "horizon",
            f"{horizon.start.isoformat()} to {horizon.end.isoformat()} "
            f"({horizon.days} days, {duration_text(horizon.interval_s)} intervals, "
            f"{horizon.timezone}; closed days: {closed})",
        ),
        ("replications, seed", f"{replications}, {seed}"),
        ("warm-up", duration_text(scenario.run.warmup_s) if scenario.run.warmup_s else "none"),
    ]
    channels = [
        (
            name,
            channel.kind,
            _hours(channel.hours),
            _volume(channel.volume),
            _distribution(channel.handle_time),
            _distribution(channel.patience),
            f"{share(channel.resolution_probability)} (FCR window "
            f"{duration_text(channel.fcr_window)})",
            norm(channel),
        )
        for name, channel in scenario.channels.items()
    ]
    partner = scenario.partner
    teams = [
        (
            team.name,
            ", ".join(team.channels),
            team_staffing(team),
            team.end_of_duty.replace("_", " "),
            _absence(team.absence),
            str(team.min_agents) if team.min_agents else "-",
            f"{share(team.attrition_per_month)}",
            "-" if team.contracted_fte is None else f"{team.contracted_fte:g}",
        )
        for team in partner.teams
    ]
    parts = [
        table((), facts, 2),
        "<h3>Channels and their norms</h3>",
        table(
            (
                "channel",
                "kind",
                "hours",
                "volume",
                "handle time",
                "patience",
                "resolution probability",
                "norm",
            ),
            channels,
            8,
        ),
        f"<h3>Partner: {esc(partner.name)}</h3>",
        f"<p>Shrinkage {share(partner.shrinkage)}; pricing {esc(_pricing(partner.pricing))}; "
        f"labour cost {esc(eur(partner.labour_cost_per_agent_hour_eur))} per paid agent hour, "
        f"{esc(eur(partner.cost_per_hire_eur))} per hire, overhead "
        f"{esc(eur(partner.overhead_per_fte_month_eur))} per FTE and month "
        f"({partner.fte_hours_per_month:g} paid hours).</p>",
        table(
            (
                "team",
                "channels",
                "staffing",
                "end of duty",
                "absence",
                "min agents",
                "attrition per month",
                "contracted FTE",
            ),
            teams,
            5,
        ),
    ]
    contract = scenario.contract
    parts.append("<h3>Contract terms</h3>")
    if contract is None:
        parts.append('<p class="empty">No contract.</p>')
        return "".join(parts)
    fee = contract.fee
    fixed = fee.fixed_per_billing_period_eur
    fee_text = (
        f"{eur(fixed)} per {fee.billing_period}, prorated to each clause's period"
        if fixed is not None
        else f"the partner's pricing of what it delivered, billed per {fee.billing_period}"
    )
    cap = (
        f"{share(contract.at_risk_cap)} of the fee per {fee.billing_period}"
        if contract.at_risk_cap is not None
        else "none"
    )
    parts.append(
        f"<p>Fee: {esc(fee_text)}; clauses measured per {esc(contract.measurement_period)} "
        f"unless they say otherwise; at-risk cap: {esc(cap)}. {esc(forecast_text(scenario))}"
        "</p>"
    )
    clauses = [
        (
            clause.id,
            clause_label(clause),
            clause.channel,
            clause_target(clause),
            _scheme(clause.penalty, clause) if clause.penalty is not None else "-",
            _bonus(clause),
            _clause_terms(clause),
        )
        for clause in contract.clauses
    ]
    parts.append(
        table(("clause", "KPI", "channel", "target", "penalty", "bonus", "terms"), clauses, 7)
    )
    return "".join(parts)


def _absence(absence: Absence | None) -> str:
    if absence is None:
        return "shrinkage as a fixed share"
    if absence.distribution == "binomial":
        return "binomial per day"
    return f"beta-binomial per day, CV {share(absence.day_cv or 0.0)}"


def _pricing(pricing: Pricing | None) -> str:
    return "none" if pricing is None else pricing_text(pricing)


def forecast_text(scenario: Scenario) -> str:
    """The contract forecast and the forecast bias, in words."""
    assert scenario.contract is not None, "only a contract has a forecast"
    forecast = scenario.contract.forecast
    parts = []
    for name in scenario.channels:
        own = forecast.channels.get(name)
        if own is None:
            continue
        if own.factor is not None:
            parts.append(f"{name} {share(own.factor)} of the expected demand")
        else:
            assert own.contacts is not None, "a channel forecast is a factor or contacts"
            counts = ", ".join(f"{count:,.0f}" for count in own.contacts)
            parts.append(f"{name} {counts} first contacts per {own.period}")
    text = f"Contract forecast: {share(forecast.factor)} of the scenario's expected demand"
    text += f" ({'; '.join(parts)})." if parts else "."
    biases = [
        f"x{bias.factor:g} on {', '.join(bias.channels) if bias.channels else 'every channel'}"
        + (f" from {bias.start}" if bias.start else "")
        + (f" to {bias.end}" if bias.end else "")
        for bias in scenario.events.forecast_bias
    ]
    if biases:
        text += " Demand that arrives, against that: " + "; ".join(biases) + "."
    return text


def team_staffing(team: Team) -> str:
    """Where a team's scheduled agents come from."""
    staffing = team.staffing
    if staffing.mode == "fixed":
        return f"fixed shifts, headcount {staffing.headcount}"
    if staffing.mode == "roster":
        return f"roster file {staffing.file.name}"
    return f"auto ({staffing.method} load, safety factor {share(staffing.safety_factor)})"


def staffing_model(scenario: Scenario, name: str) -> str:
    """The model giving the channel's required agents (as in ``staffing.requirements``)."""
    channel = scenario.channels[name]
    if channel.service_target is None:
        return "none (no service target: no required agents)"
    if channel.kind == "deferrable":
        return (
            "deferrable backlog (fluid): enough agents to answer every contact within "
            f"{duration_text(channel.service_target.threshold)}"
        )
    team = next(team for team in scenario.partner.teams if name in team.channels)
    method = team.staffing.method if team.staffing.mode == "auto" else "stationary"
    load = f"; {method} offered load per interval"
    if channel.concurrency is not None and len(channel.concurrency.speeds) > 1:
        speeds = ", ".join(f"{speed:g}" for speed in channel.concurrency.speeds)
        return (
            "chat approximation: birth-death chain over balanced agents, up to "
            f"{channel.concurrency.max_chats} chats per agent at speeds {speeds}{load}"
        )
    if channel.patience is None:
        return f"Erlang C (M/M/N, no abandonment){load}"
    patience = channel.patience
    text = f"Erlang A (M/M/N+M), exponential patience with mean {duration_text(patience.mean)}"
    if patience.distribution != "exponential":
        text += f" (the simulation draws the scenario's {patience.distribution} patience)"
    return text + load


def forecast_error(scenario: Scenario) -> str:
    """The forecast error the simulation draws, in words."""
    error = scenario.events.forecast_error
    if error is None or (error.day_cv == 0 and error.interval_overdispersion == 0):
        return (
            "None: arrivals are Poisson around the forecast. Real day-to-day volume "
            "uncertainty is larger, so the period SLA risk shown here is a lower bound."
        )
    channels = ", ".join(error.channels) if error.channels else "every channel"
    text = f"A gamma volume factor with mean 1 and CV {share(error.day_cv)} per channel and day"
    if error.interval_overdispersion > 0:
        text += f", and one with CV {share(error.interval_overdispersion)} per interval"
    return (
        f"{text}, on {channels}. The staffing plan meets each realtime target by its criterion "
        "over the day factor (the expected measures, or a share of days); the simulation "
        "draws the factors, so period KPIs carry the forecast error."
    )
