"""The ``ccplan`` command line: parse options, call the packages, print and write results.

Every command is thin: the work lives in ``scenarios``, ``staffing``, ``sim`` and ``sla_eval``.
A user mistake (a :class:`scenarios.CcplanError`) prints one readable line per problem on
standard error and exits with code 2, never a traceback.
"""

from __future__ import annotations

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
