"""The "Assumptions" section of ``report.html``: how the numbers of a run were made
(:func:`assumptions_section`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reports.scenario_text import esc, forecast_error, share, staffing_model, table, team_staffing

if TYPE_CHECKING:
    from scenarios.scenario import Scenario

__all__ = ["SL_DEFINITIONS", "assumptions_section"]

SL_DEFINITIONS = {
    "offered": "answered within t / offered (every abandon is a miss)",
    "answered": "answered within t / answered (abandons left out)",
    "excl_short_abandons": "answered within t / (offered - abandoned within s)",
    "short_abandons_met": "(answered within t + abandoned within s) / offered",
}
"""Formula of each service-level definition, in the words of the report."""


def assumptions_section(scenario: Scenario) -> str:
    """The report's assumptions: service-level definitions in use, the staffing model per
    channel and what the plan sizes, felt and reported FCR, forecast error, the period a contact
    counts in, and the statistics."""
    used = {
        channel.service_target.sl_definition
        for channel in scenario.channels.values()
        if channel.service_target is not None and channel.kind == "realtime"
    }
    clauses = scenario.contract.clauses if scenario.contract is not None else ()
    used |= {clause.sl_definition for clause in clauses if clause.kpi == "service_level"}
    definitions: list[tuple[str, str]] = [
        (name, SL_DEFINITIONS[name]) for name in SL_DEFINITIONS if name in used
    ]
    deferrable = [name for name, channel in scenario.channels.items() if channel.kind != "realtime"]
    if deferrable:
        definitions.append(
            (
                f"deferrable ({', '.join(deferrable)})",
                "answered within t / received; t counted in opening hours only where business "
                "hours are set",
            )
        )
    teams = {name: team for team in scenario.partner.teams for name in team.channels}
    models = [
        (name, channel.kind, staffing_model(scenario, name), team_staffing(teams[name]))
        for name, channel in scenario.channels.items()
    ]
    period = scenario.contract.measurement_period if scenario.contract is not None else "-"
    return "".join(
        [
            "<h3>Service-level definitions used</h3>",
            "<p>t is the threshold and s the short-abandon limit of the norm or clause. A contact "
            "still waiting at the horizon end counts as a miss once its wait passed t and is left "
            "out before.</p>",
            table(("definition", "formula"), definitions, 2),
            "<h3>Staffing model per channel</h3>",
            table(("channel", "kind", "required agents from", "scheduled agents from"), models, 4),
            f"<p>Shrinkage {share(scenario.partner.shrinkage)} removes agents on duty from "
            "production. The plan sizes the workload the simulation sees: first contacts plus "
            "the expected repeats and redials (a fixed point with the abandonment the plan "
            "predicts) and escalations to tier 2; its measures are expected over the day-level "
            "forecast error (days weighted by their calls, an overloaded day at service level "
            "0). They are steady-state formulas per interval: they carry no queue from one "
            "interval to the next, and leave out outages, random absence and new hires' "
            "learning. The simulation has all of them, and every KPI, credit and P(breach) "
            "here comes from it.</p>",
            "<h3>First-contact resolution: felt and reported</h3>",
            "<p>Each channel's resolution probability p is the chance the agent resolves a "
            "contact; the agents' own verdict is the reported FCR. The customer feels a contact "
            "as resolved when no repeat follows within the channel's FCR window W (7 days unless "
            "set). An unresolved contact comes back with the repeat probability q after its "
            "delay D, so the felt FCR is 1 - (1 - p) q P(D &le; W): higher than p when some "
            "unresolved customers never come back or come back late. Contacts whose window "
            "reaches past the horizon end are not judged (a horizon shorter than the window "
            "has no felt FCR).</p>",
            "<h3>Forecast error</h3>",
            f"<p>{esc(forecast_error(scenario))}</p>",
            "<h3>Which period a contact counts in</h3>",
            "<p>Every contact counts in the period of its arrival (interval, day, measurement "
            f"period: {esc(period)}), even when its wait or handling runs into the next one; "
            "contacts arriving in the warm-up are not measured. Repeats and redials are new "
            "contacts in the period they arrive.</p>",
            "<h3>Statistics</h3>",
            "<p>Replications are independent samples. Means carry a t-based 95 % confidence "
            "interval (mean ± t<sub>0.975, n-1</sub>·s/√n); spreads are the 5 % and 95 % "
            "quantiles over replications.</p>",
        ]
    )
