"""The ``ccplan`` command line: parse options, call the packages, print and write results.

Every command is thin: the work lives in ``scenarios``, ``staffing``, ``sim`` and ``sla_eval``.
A user mistake (a :class:`scenarios.CcplanError`) prints one readable line per problem on
standard error and exits with code 2, never a traceback.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from scenarios.errors import CcplanError, ScenarioError
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
