"""The ``ccplan`` command line: parse options, call the packages, print and write results.

Every command is thin: the work lives in ``scenarios``, ``staffing``, ``sim`` and ``sla_eval``.
A user mistake (a :class:`scenarios.CcplanError`) prints one readable line per problem on
standard error and exits with code 2, never a traceback.
"""

from __future__ import annotations

import sys

import typer

from scenarios.errors import CcplanError

app = typer.Typer(
    name="ccplan",
    help="Contact-centre simulation and SLA what-if planner.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_USER_ERROR = 2


# --- scenario commands ---


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
