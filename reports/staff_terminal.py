"""Terminal output of ``ccplan erlang`` and ``ccplan staff``: the measures of one rate, and of a
scenario's plan the days, headcount and FTE per week, tier 2, and the simulation's verification
(tables in the style of :mod:`reports.terminal`)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Protocol

import pandas as pd
import typer
from rich.table import Table

from reports.terminal import console, print_warnings

__all__ = [
    "print_headcount",
    "print_measures",
    "print_plan",
    "print_tier2",
    "print_verification",
]


class Verification(Protocol):
    """What :func:`print_verification` reads of a ``verify.VerifiedPlan`` (a package above
    this one, so it is described here, not imported)."""

    @property
    def period_kind(self) -> str: ...
    @property
    def p_meet(self) -> float: ...
    @property
    def replications(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def rounds(self) -> pd.DataFrame: ...
    @property
    def added(self) -> pd.DataFrame: ...
    @property
    def met(self) -> bool: ...


def _number(value: float, digits: int = 1) -> str:
    return "-" if pd.isna(value) else f"{value:,.{digits}f}"


def print_measures(
    model: str,
    row: pd.Series,
    patient: bool,
    as_json: bool,
    warnings: Sequence[str] = (),
    criterion: str = "point",
) -> None:
    """Print one row of queueing measures as JSON (inf as null plus a note) or aligned lines,
    and each warning as one ``warning:`` line on standard error.

    Parameters
    ----------
    model : str
        ``erlang_c`` or ``erlang_a``.
    row : pandas.Series
        One row of ``staffing.erlang_metrics``.
    patient : bool
        True when callers never abandon (Erlang C): ``p_abandon`` is shown as missing.
    as_json : bool
        Print one JSON object instead of ``name value`` lines (with a ``warnings`` list).
    warnings : sequence of str
        One line each (``staffing.load_warnings``).
    criterion : str
        ``point``, ``expected`` (measures expected over the day factor) or ``confidence …``.
    """
    print_warnings(warnings)
    fields = {
        "model": model,
        "criterion": criterion,
        "offered_load_erlangs": float(row["offered_load_erlangs"]),
        "agents": int(row["agents"]),
        "p_wait": float(row["p_wait"]),
        "service_level": float(row["service_level"]),
        "asa_s": float(row["asa_s"]),
        "occupancy": float(row["occupancy"]),
        "p_abandon": None if patient else float(row["p_abandon"]),
    }
    infinite = [k for k, v in fields.items() if isinstance(v, float) and math.isinf(v)]
    if as_json:
        for key in infinite:
            fields[key] = None
        if infinite:
            fields["note"] = (
                f"{', '.join(infinite)} infinite: the agents cannot keep up with the load "
                "(or none is ever answered)"
            )
        fields["warnings"] = list(warnings)
        typer.echo(json.dumps(fields))
        return
    for label, text in _measure_lines(fields):
        typer.echo(f"{label:<16} {text}")


_MODELS = {
    "erlang_c": "Erlang C (callers never abandon)",
    "erlang_a": "Erlang A (with abandonment)",
}


def _share(value: float) -> str:
    return f"{100 * value:.1f} %"


def _seconds(value: float) -> str:
    if math.isinf(value):
        return "unbounded: the agents cannot keep up, the queue grows without limit"
    return f"{value:,.1f} s" + (f" ({value / 60:.1f} min)" if value >= 120 else "")


def _measure_lines(fields: dict) -> list[tuple[str, str]]:
    """The measures as a planner reads them: shares in per cent, times in seconds, the load
    in Erlang, never a raw float or ``inf``."""
    abandon = fields["p_abandon"]
    return [
        ("model", _MODELS.get(fields["model"], fields["model"])),
        ("criterion", fields["criterion"]),
        ("offered load", f"{fields['offered_load_erlangs']:,.2f} Erlang"),
        ("agents", f"{fields['agents']:,}"),
        ("P(wait)", _share(fields["p_wait"])),
        ("service level", _share(fields["service_level"])),
        ("ASA", _seconds(fields["asa_s"])),
        ("occupancy", _share(fields["occupancy"])),
        ("P(abandon)", "- (Erlang C: nobody abandons)" if abandon is None else _share(abandon)),
    ]


def print_plan(summary: pd.DataFrame, title: str) -> None:
    """Print a staffing plan's summary per day, channel and team as a table.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``staffing.plan_by_day`` of an interval plan.
    title : str
        The table's title.
    """
    table = Table(title=title)
    headings = ("date", "channel", "team", "contacts", "of them repeats, redials")
    for heading in (
        *headings,
        "required h",
        "scheduled h",
        "service level",
        "abandoned",
        "intervals < target",
    ):
        table.add_column(heading, justify="left" if heading in headings[:3] else "right")
    for row in summary.itertuples(index=False):
        table.add_row(
            f"{row.date:%Y-%m-%d %a}",
            str(row.channel),
            str(row.team),
            f"{row.contacts:,.0f}",
            f"{row.repeats:,.0f}, {row.redials:,.0f}",
            "-" if pd.isna(row.required_agent_hours) else f"{row.required_agent_hours:,.1f}",
            f"{row.scheduled_agent_hours:,.1f}",
            "-" if pd.isna(row.service_level) else f"{row.service_level:.1%}",
            "-" if pd.isna(row.p_abandon) else f"{row.p_abandon:.1%}",
            str(row.intervals_below_target),
        )
    console().print(table)


def print_headcount(by_week: pd.DataFrame, contract_hours: float) -> None:
    """Print headcount and FTE per team and week (``staffing.plan_by_week``); FTE are paid
    hours over ``contract_hours`` a week."""
    table = Table(title=f"Headcount and FTE per week (FTE = paid hours / {contract_hours:g} h)")
    headings = ("week of", "days", "team", "in production", "in training", "hired", "left")
    for heading in (*headings, "scheduled h", "paid h", "FTE"):
        table.add_column(heading, justify="left" if heading in ("week of", "team") else "right")
    for row in by_week.itertuples(index=False):
        table.add_row(
            f"{row.week_start:%Y-%m-%d %a}",
            str(row.days),
            str(row.team),
            _number(row.headcount),
            _number(row.in_training),
            _number(row.hired),
            _number(row.left),
            _number(row.scheduled_agent_hours),
            _number(row.paid_hours),
            _number(row.fte),
        )
    console().print(table)


def print_tier2(tier2: pd.DataFrame | None, auto: bool) -> None:
    """Print tier 2 per day: escalations, agent hours and the share finished in time."""
    if tier2 is None:
        return
    hours = (tier2["interval_start"].iloc[1] - tier2["interval_start"].iloc[0]) / pd.Timedelta(
        1, "h"
    )
    frame = tier2.assign(
        date=tier2["interval_start"].dt.normalize(),
        escalations=tier2["escalations_per_hour"] * hours,
        agent_hours=tier2["agents"] * hours,
        in_time=tier2["on_time"] * tier2["escalations_per_hour"] * hours,
    )
    days = frame.groupby("date").agg(
        escalations=("escalations", "sum"),
        agent_hours=("agent_hours", "sum"),
        most_agents=("agents", "max"),
        in_time=("in_time", "sum"),
    )
    title = "Tier 2 per day (" + ("agents planned: auto" if auto else "fixed agents") + ")"
    table = Table(title=title)
    for heading in ("date", "escalations", "agent hours", "most agents", "finished in time"):
        table.add_column(heading, justify="left" if heading == "date" else "right")
    for date, row in days.iterrows():
        share = row["in_time"] / row["escalations"] if row["escalations"] > 0 else float("nan")
        table.add_row(
            f"{date:%Y-%m-%d %a}",
            _number(row["escalations"]),
            _number(row["agent_hours"]),
            str(int(row["most_agents"])),
            "-" if pd.isna(share) else f"{share:.1%}",
        )
    console().print(table)


def print_verification(verified: Verification) -> None:
    """Print a verified plan (``verify.VerifiedPlan``): P(meet) per round and channel, and the
    agents added per interval block."""
    rounds = Table(
        title=(
            f"Simulated P(meet) per {verified.period_kind} (target: {verified.p_meet:.0%}; "
            f"{verified.replications} replications per round, seed {verified.seed}, common "
            "random numbers)"
        )
    )
    for heading in ("round", "channel", "P(meet)", "mean SL", "quantile SL", "periods"):
        rounds.add_column(heading, justify="left" if heading == "channel" else "right")
    rounds.add_column("productive agent-hours added", justify="right")
    for row in verified.rounds.itertuples(index=False):
        rounds.add_row(
            str(row.round),
            str(row.channel),
            f"{row.p_meet:.0%}",
            f"{row.mean_service_level:.1%}",
            f"{row.quantile_service_level:.1%}",
            str(row.periods),
            _number(row.productive_hours_added),
        )
    console().print(rounds)
    if verified.added.empty:
        typer.echo("No agents added: the analytic plan meets every target with that probability.")
    else:
        added = Table(title="Agents added per interval block")
        for heading in ("block start", "hours", "channel", "team", "productive", "scheduled"):
            numeric = heading in ("productive", "scheduled", "hours")
            added.add_column(heading, justify="right" if numeric else "left")
        added.add_column("scheduled agent-hours", justify="right")
        for row in verified.added.itertuples(index=False):
            added.add_row(
                f"{row.block_start:%Y-%m-%d %a %H:%M}",
                f"{row.block_hours:g}",
                str(row.channel),
                str(row.team),
                f"+{row.productive_added}",
                f"+{row.scheduled_added}",
                _number(row.agent_hours_added),
            )
        console().print(added)
    if not verified.met:
        typer.echo(
            "Not every channel reached the probability: channels of fixed or roster teams are "
            "not corrected, or the rounds ran out (see the last round)."
        )
