"""The ``ccplan`` command line: parse options, call the packages, print and write results.

Every command is thin: the work lives in ``scenarios``, ``staffing``, ``sim`` and ``sla_eval``.
A user mistake (a :class:`scenarios.CcplanError`) prints one readable line per problem on
standard error and exits with code 2, never a traceback.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from scenarios.demand import daily_summary, expand
from scenarios.errors import CcplanError, InputError, ScenarioError
from scenarios.loader import load
from scenarios.units import parse_duration_s, parse_fraction
from staffing import erlang_metrics, plan, plan_summary, required_agents

app = typer.Typer(
    name="ccplan",
    help="Contact-centre simulation and SLA what-if planner.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_USER_ERROR = 2


# --- scenario commands ---

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="PATH=VALUE",
        help="Override a field, e.g. --set partner.teams.0.staffing.headcount=70 (repeatable).",
    ),
]


@app.command()
def validate(
    files: Annotated[list[str], typer.Argument(help="Scenario YAML files.", metavar="FILE")],
    set_: SetOption = None,
) -> None:
    """Check scenario files: print `ok FILE` or every problem; exit 2 if any file is invalid."""
    all_valid = True
    for file in files:
        try:
            load(file, set_ or ())
        except ScenarioError as error:
            all_valid = False
            for line in str(error).splitlines():
                typer.echo(f"error: {line}", err=True)
        else:
            typer.echo(f"ok {file}")
    if not all_valid:
        raise typer.Exit(EXIT_USER_ERROR)


def _demand_table(summary: pd.DataFrame, title: str) -> Table:
    table = Table(title=title)
    for heading in ("date", "channel", "contacts", "not offered", "mean AHT s", "peak /h"):
        table.add_column(heading, justify="left" if heading in ("date", "channel") else "right")
    for row in summary.itertuples(index=False):
        table.add_row(
            f"{row.date:%Y-%m-%d %a}",
            str(row.channel),
            f"{row.expected_contacts:,.1f}",
            f"{row.not_offered:,.1f}",
            "-" if pd.isna(row.mean_aht_s) else f"{row.mean_aht_s:,.0f}",
            f"{row.peak_per_hour:,.1f}",
        )
    return table


@app.command()
def demand(
    file: Annotated[str, typer.Argument(help="Scenario YAML file.", metavar="FILE")],
    set_: SetOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE.csv", help="Write the per-interval table as CSV."),
    ] = None,
) -> None:
    """Print the expected demand per day and channel (contacts, of which not offered because
    the channel is closed, mean handle time, peak interval rate); optionally write the
    per-interval table."""
    scenario = load(file, set_ or ())
    workload = expand(scenario)
    Console().print(_demand_table(daily_summary(workload), f"Expected demand: {scenario.name}"))
    if out is not None:
        try:
            workload.to_frame().to_csv(out, index=False, date_format="%Y-%m-%dT%H:%M")
        except OSError as error:
            raise InputError(f"--out: cannot write {out} ({error.strerror or error})") from None
        typer.echo(f"wrote {out}")


# --- staffing commands ---


def _duration_option(option: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return parse_duration_s(text)
    except ValueError as error:
        raise InputError(f"{option}: {error} (got {text!r})") from None


def _fraction_option(option: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return parse_fraction(text)
    except ValueError as error:
        raise InputError(f"{option}: {error} (got {text!r})") from None


def _print_measures(model: str, row: pd.Series, patient: bool, as_json: bool) -> None:
    """Print one row of measures as JSON (inf as null plus a note) or as aligned lines."""
    fields = {
        "model": model,
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
        typer.echo(json.dumps(fields))
        return
    for key, value in fields.items():
        shown = "-" if value is None else f"{value:.6g}" if isinstance(value, float) else value
        typer.echo(f"{key:<21} {shown}")


CallsOption = Annotated[
    float | None, typer.Option("--calls-per-hour", help="Arrival rate (contacts per hour).")
]
AhtOption = Annotated[
    str | None, typer.Option("--aht", help="Mean handle time: seconds or 3m, 180s.")
]
PatienceOption = Annotated[
    str | None,
    typer.Option("--patience", help="Mean exponential patience; gives Erlang A (else Erlang C)."),
]
DefinitionOption = Annotated[
    str,
    typer.Option(
        "--sl-definition", help="offered | answered | excl_short_abandons (with --patience)."
    ),
]
ShortAbandonOption = Annotated[
    str, typer.Option("--short-abandon", help="Short-abandon threshold (excl_short_abandons).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@app.command()
def erlang(
    calls_per_hour: CallsOption = None,
    aht: AhtOption = None,
    agents: Annotated[int | None, typer.Option("--agents", help="Agents answering.")] = None,
    threshold: Annotated[str, typer.Option("--threshold", help="Service-level threshold.")] = "20s",
    patience: PatienceOption = None,
    sl_definition: DefinitionOption = "offered",
    short_abandon: ShortAbandonOption = "0",
    as_json: JsonOption = False,
) -> None:
    """Erlang C (or Erlang A with --patience) measures for a number of agents."""
    if calls_per_hour is None or aht is None or agents is None:
        raise InputError("erlang needs --calls-per-hour, --aht and --agents.")
    table = erlang_metrics(
        calls_per_hour,
        _duration_option("--aht", aht),
        agents,
        threshold_s=_duration_option("--threshold", threshold),
        patience_s=_duration_option("--patience", patience),
        sl_definition=sl_definition,
        short_abandon_s=_duration_option("--short-abandon", short_abandon),
    )
    model = "erlang_c" if patience is None else "erlang_a"
    _print_measures(model, table.iloc[0], patience is None, as_json)


def _staff_targets(calls_per_hour, aht, targets, patience, sl_definition, short_abandon, as_json):
    aht_s = _duration_option("--aht", aht)
    patience_s = _duration_option("--patience", patience)
    short_abandon_s = _duration_option("--short-abandon", short_abandon)
    agents = required_agents(
        calls_per_hour,
        aht_s,
        patience_s=patience_s,
        sl_definition=sl_definition,
        short_abandon_s=short_abandon_s,
        **targets,
    )
    table = erlang_metrics(
        calls_per_hour,
        aht_s,
        agents,
        threshold_s=targets["threshold_s"] or 0.0,
        patience_s=patience_s,
        sl_definition=sl_definition,
        short_abandon_s=short_abandon_s,
    )
    model = "erlang_c" if patience is None else "erlang_a"
    _print_measures(model, table.iloc[0], patience is None, as_json)


def _plan_table(summary: pd.DataFrame, title: str) -> Table:
    table = Table(title=title)
    headings = ("date", "channel", "team", "contacts", "required h", "scheduled h", "FTE")
    for heading in (*headings, "service level", "intervals < target"):
        table.add_column(heading, justify="left" if heading in headings[:3] else "right")
    for row in summary.itertuples(index=False):
        table.add_row(
            f"{row.date:%Y-%m-%d %a}",
            str(row.channel),
            str(row.team),
            f"{row.contacts:,.0f}",
            "-" if pd.isna(row.required_agent_hours) else f"{row.required_agent_hours:,.1f}",
            f"{row.scheduled_agent_hours:,.1f}",
            f"{row.scheduled_fte:,.1f}",
            "-" if pd.isna(row.service_level) else f"{row.service_level:.1%}",
            str(row.intervals_below_target),
        )
    return table


def _staff_scenario(file: str, overrides, out: Path | None) -> None:
    scenario = load(file, overrides)
    table = plan(scenario, expand(scenario))
    title = f"Staffing plan: {scenario.name}"
    Console().print(_plan_table(plan_summary(table, scenario), title))
    if out is not None:
        try:
            table.to_csv(out, index=False, date_format="%Y-%m-%dT%H:%M")
        except OSError as error:
            raise InputError(f"--out: cannot write {out} ({error.strerror or error})") from None
        typer.echo(f"wrote {out}")


@app.command()
def staff(
    scenario_file: Annotated[
        str | None,
        typer.Argument(help="Scenario YAML file: plan every channel.", metavar="SCENARIO"),
    ] = None,
    calls_per_hour: CallsOption = None,
    aht: AhtOption = None,
    target_sl: Annotated[
        str | None, typer.Option("--target-sl", help="Service-level target, 0.8 or 80%.")
    ] = None,
    threshold: Annotated[
        str | None, typer.Option("--threshold", help="Service-level threshold.")
    ] = None,
    target_asa: Annotated[
        str | None, typer.Option("--target-asa", help="Largest mean wait of answered calls.")
    ] = None,
    max_abandon: Annotated[
        str | None, typer.Option("--max-abandon", help="Abandonment cap (needs --patience).")
    ] = None,
    max_occupancy: Annotated[
        str | None, typer.Option("--max-occupancy", help="Occupancy cap.")
    ] = None,
    patience: PatienceOption = None,
    sl_definition: DefinitionOption = "offered",
    short_abandon: ShortAbandonOption = "0",
    as_json: JsonOption = False,
    set_: SetOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE.csv", help="With SCENARIO: write the interval plan."),
    ] = None,
) -> None:
    """Smallest number of agents meeting every target (with --calls-per-hour and --aht), or
    with SCENARIO the interval staffing plan of every channel (per-day summary; --out writes
    the full table)."""
    if scenario_file is not None:
        if calls_per_hour is not None or aht is not None:
            raise InputError("staff takes a SCENARIO or --calls-per-hour and --aht, not both.")
        _staff_scenario(scenario_file, set_ or (), out)
        return
    if set_ or out is not None:
        raise InputError("staff: --set and --out need a SCENARIO file.")
    if calls_per_hour is None or aht is None:
        raise InputError("staff needs --calls-per-hour and --aht (or a SCENARIO file).")
    targets = {
        "target_sl": _fraction_option("--target-sl", target_sl),
        "threshold_s": _duration_option("--threshold", threshold),
        "target_asa_s": _duration_option("--target-asa", target_asa),
        "max_abandon_frac": _fraction_option("--max-abandon", max_abandon),
        "max_occupancy_frac": _fraction_option("--max-occupancy", max_occupancy),
    }
    _staff_targets(calls_per_hour, aht, targets, patience, sl_definition, short_abandon, as_json)


def main() -> None:
    """Console-script entry point: run the app, turning user errors into exit code 2."""
    try:
        app()
    except CcplanError as error:
        for line in str(error).splitlines():
            typer.echo(f"error: {line}", err=True)
        sys.exit(EXIT_USER_ERROR)


if __name__ == "__main__":
    main()
