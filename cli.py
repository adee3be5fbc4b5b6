"""The ``ccplan`` command line: parse options, call the packages, print and write results.

Every command is thin: the work lives in ``scenarios``, ``staffing``, ``sim`` and ``sla_eval``.
A user mistake (a :class:`scenarios.CcplanError`) prints one readable line per problem on
standard error and exits with code 2, never a traceback.
"""

from __future__ import annotations

import functools
import json
import math
import os
import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from scenarios.demand import daily_summary, expand
from scenarios.discovery import find_scenario_files
from scenarios.errors import CcplanError, InputError, ScenarioError
from scenarios.loader import load, load_many
from scenarios.units import parse_duration_s, parse_fraction
from scenarios.variants import load_variants, variant_grid
from sim.executors import executor
from sim.experiment import run_scenario, run_variants
from sim.level_screening import crossings, screen_levels, screened_range
from sim.staffing_levels import check_counts, parse_levels, run_levels
from sla_eval.comparison import paired_differences, sweep_overview, sweep_table
from sla_eval.comparison_plots import comparison_pngs, sweep_pngs
from sla_eval.evaluation import channel_overview, clause_overview, evaluate_run
from sla_eval.negotiation import LossModel, PrecisionRule, level_kpis, target_clause
from sla_eval.negotiation_report import write_negotiation
from sla_eval.negotiation_sensitivity import measurement_scenario
from sla_eval.negotiation_summary import analyse
from sla_eval.results import (
    batch_row,
    check_writable,
    is_complete,
    write_batch_index,
    write_folder,
    write_results,
)
from staffing import erlang_metrics, plan, plan_summary, required_agents

app = typer.Typer(
    name="ccplan",
    help="Contact-centre simulation and SLA what-if planner.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_USER_ERROR = 2
PIPED_WIDTH_CHARS = 160
"""Width of tables written to a file or pipe, where no terminal sets it."""


def _console() -> Console:
    """A console for standard output: the terminal's width, or a wide page when piped."""
    console = Console()
    return console if console.is_terminal else Console(width=PIPED_WIDTH_CHARS)


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
    _console().print(_demand_table(daily_summary(workload), f"Expected demand: {scenario.name}"))
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
    _console().print(_plan_table(plan_summary(table, scenario), title))
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


# --- run commands ---

ReplicationsOption = Annotated[
    int | None,
    typer.Option("--replications", help="Replications (default: the scenario's run.replications)."),
]
SeedOption = Annotated[
    int | None, typer.Option("--seed", help="Root seed (default: the scenario's run.seed).")
]
WorkersOption = Annotated[
    int,
    typer.Option(
        "--workers",
        help="Local worker processes (default: one per CPU); Dask workers with --scheduler local.",
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="Run on Dask: 'local' starts a local cluster, tcp://HOST:PORT joins one.",
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]
RunJsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")]
OutOption = Annotated[
    Path | None,
    typer.Option("--out", metavar="DIR", help="Results folder (default: see above)."),
]
ContactsOption = Annotated[
    bool, typer.Option("--contacts/--no-contacts", help="Write contacts.parquet.")
]
_CPUS = os.cpu_count() or 1


class _Progress:
    """A rich progress bar on standard error (replications and scenarios done, time left),
    or nothing when quiet."""

    def __init__(self, replications: int, scenarios: int, quiet: bool):
        self._bar = None
        if quiet:
            return
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("replications, {task.fields[done]}/{task.fields[scenarios]} scenarios"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._bar.add_task(
            "simulating", total=replications, done=0, scenarios=scenarios
        )

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self._bar is not None:
            self._bar.stop()

    def replication(self, _result: object = None) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def replications_of(self, finished: int, submitted: int) -> None:
        """Show ``finished`` of ``submitted`` replications (the total grows with adaptive
        rounds)."""
        if self._bar is not None:
            self._bar.update(self._task, completed=finished, total=submitted)

    def scenario(self) -> None:
        if self._bar is not None:
            done = self._bar.tasks[0].fields["done"] + 1
            self._bar.update(self._task, done=done)


_PERCENT_UNITS = (
    "service_level",
    "p_wait",
    "p_breach",
    "breach",
    "abandon_rate",
    "response_within_target",
    "fcr",
    "escalation_rate",
    "escalation_response",
    "uptime",
)
"""Units (KPI or column names) whose values are fractions shown in per cent."""


def _cell(unit: str, value: object) -> str:
    """A table cell: fractions in %, seconds, euros and counts as people read them; ``unit``
    is the KPI or column name the value is measured in."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if unit.endswith("_eur") or unit in ("offered", "answered"):
        return f"{value:,.0f}"
    if unit.endswith("_s"):
        return f"{value:,.1f} s"
    if unit.endswith("_frac") or unit in _PERCENT_UNITS:
        return f"{value:.1%}"
    if unit in ("n", "seed", "replications"):
        return f"{value:.0f}"
    return f"{value:.4g}"


def _print_frame(frame: pd.DataFrame, title: str, unit_column: str = "", values=()) -> None:
    """Print a DataFrame as a rich table; cells of the ``values`` columns are in the unit that
    the row's ``unit_column`` names, the others in their column's."""
    table = Table(title=title)
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(str(column), justify="right" if numeric else "left")
    for row in frame.to_dict("records"):
        table.add_row(
            *(
                _cell(row[unit_column] if column in values else column, value)
                for column, value in row.items()
            )
        )
    _console().print(table)


_DIFFERENCE_HEADINGS = {
    "mean_reference": "reference",
    "mean_variant": "variant",
    "mean_difference": "difference",
}
_CLAUSE_HEADINGS = {
    "expected_penalty_eur": "penalty_eur",
    "expected_bonus_eur": "bonus_eur",
    "expected_net_credit_eur": "net_credit_eur",
}
_MONEY_WORDS = {"penalty": "penalty", "bonus": "bonus", "net_credit": "net credit"}


def _with_ci(frame: pd.DataFrame, unit_column: str) -> pd.DataFrame:
    """``ci95_low`` and ``ci95_high`` replaced by one text column ``95% CI`` (``low .. high``)."""
    texts = [
        f"{_cell(unit, low)} .. {_cell(unit, high)}"
        for unit, low, high in frame[[unit_column, "ci95_low", "ci95_high"]].itertuples(index=False)
    ]
    position = frame.columns.get_loc("ci95_low")
    frame = frame.drop(columns=["ci95_low", "ci95_high"])
    frame.insert(position, "95% CI", texts)
    return frame


def _print_run(summary: dict, out_dir: Path) -> None:
    overview = channel_overview(summary)
    overview = _with_ci(overview, "kpi")
    title = (
        f"{summary['scenario']}: KPIs over the horizon, mean and 95 % CI "
        f"({summary['replications']} replications, seed {summary['seed']})"
    )
    _print_frame(overview, title, "kpi", ("mean", "target"))
    contract = summary["contract"]
    if contract is not None:
        clauses = clause_overview(summary).rename(columns=_CLAUSE_HEADINGS)
        _print_frame(
            clauses,
            f"Clauses (measured per {contract['measurement_period']})",
            "kpi",
            ("target",),
        )
        money = {key: _cell("_eur", contract[f"expected_{key}_eur"]) for key in _MONEY_WORDS}
        typer.echo(
            f"P(breach, any clause and period) {contract['p_breach']:.1%}; expected "
            + ", ".join(f"{_MONEY_WORDS[key]} {text} EUR" for key, text in money.items())
            + f"; expected client cost {_cell('_eur', contract['client_cost_eur']['mean'])} EUR"
        )
    typer.echo(f"wrote {out_dir}")


def _run_into(out_dir, scenario, replications, seed, map_fn, progress, contacts):
    """Simulate, evaluate and write one scenario's results folder; its evaluation."""
    result = run_scenario(
        scenario,
        replications=replications,
        seed=seed,
        map_fn=map_fn,
        progress=progress.replication,
    )
    evaluation = evaluate_run(scenario, result)
    write_results(out_dir, scenario, result, evaluation, contacts=contacts)
    return evaluation


def _run_settings(scenario, replications: int | None, seed: int | None) -> tuple[int, int]:
    return (
        scenario.run.replications if replications is None else replications,
        scenario.run.seed if seed is None else seed,
    )


@app.command()
def run(
    scenario_file: Annotated[str, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    replications: ReplicationsOption = None,
    seed: SeedOption = None,
    out: OutOption = None,
    workers: WorkersOption = _CPUS,
    scheduler: SchedulerOption = None,
    set_: SetOption = None,
    as_json: RunJsonOption = False,
    quiet: QuietOption = False,
    contacts: ContactsOption = True,
) -> None:
    """Plan staffing, simulate and evaluate a scenario; print the summary and write the results
    folder (default results/<name>: summary.json, KPI tables, staffing plan, contacts,
    report.html, plots)."""
    scenario = load(scenario_file, set_ or ())
    replications, seed = _run_settings(scenario, replications, seed)
    out_dir = out or Path("results") / scenario.name
    with executor(workers, scheduler) as map_fn:
        check_writable(out_dir)
        with _Progress(replications, 1, quiet or as_json) as progress:
            evaluation = _run_into(
                out_dir, scenario, replications, seed, map_fn, progress, contacts
            )
    if as_json:
        typer.echo(json.dumps(evaluation.summary))
    else:
        _print_run(evaluation.summary, out_dir)


@app.command()
def batch(
    paths: Annotated[
        list[str], typer.Argument(help="Scenario files, folders or glob patterns.", metavar="PATH")
    ],
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Batch results folder.")],
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip scenarios whose results are complete.")
    ] = False,
    replications: ReplicationsOption = None,
    seed: SeedOption = None,
    workers: WorkersOption = _CPUS,
    scheduler: SchedulerOption = None,
    set_: SetOption = None,
    as_json: RunJsonOption = False,
    quiet: QuietOption = False,
    contacts: ContactsOption = True,
) -> None:
    """Run every scenario found: one results folder each (DIR/<name>), plus batch.csv and
    index.html. A failing scenario is reported and the others still run; exit code 1 when any
    failed."""
    files = [str(file) for file in find_scenario_files(paths)]
    by_file: dict[str, dict] = {}
    loaded, names = [], set()
    for file in files:
        try:
            scenario = load(file, set_ or ())
            if scenario.name in names:
                raise InputError(f"another scenario of this batch is named {scenario.name!r}")
        except CcplanError as error:
            by_file[file] = _batch_failure(file, error)
            continue
        names.add(scenario.name)
        loaded.append((file, scenario, *_run_settings(scenario, replications, seed)))
    with executor(workers, scheduler) as map_fn:
        if loaded:
            check_writable(out / loaded[0][1].name)
        total = sum(count for *_, count, _ in loaded)
        with _Progress(total, len(loaded), quiet or as_json) as progress:
            for file, scenario, count, root in loaded:
                folder = out / scenario.name
                if resume and is_complete(
                    folder, scenario=scenario.name, seed=root, replications=count
                ):
                    by_file[file] = batch_row(file, "skipped", str(folder))
                else:
                    by_file[file] = _batch_one(
                        file, scenario, folder, count, root, map_fn, progress, contacts
                    )
                progress.scenario()
    rows = [by_file[file] for file in files]
    write_batch_index(out, rows)
    failed = [row for row in rows if row["status"] == "failed"]
    if as_json:
        typer.echo(json.dumps(rows))
    else:
        _print_frame(pd.DataFrame(rows).drop(columns=["error"]), f"Batch: {out}")
        typer.echo(f"{len(rows) - len(failed)} of {len(rows)} scenarios ok; wrote {out}")
    if failed:
        raise typer.Exit(1)


def _batch_failure(file: str, error: Exception) -> dict:
    lines = [
        line if line.startswith(file) else f"{file}: {line}"
        for line in str(error).splitlines() or [type(error).__name__]
    ]
    for line in lines:
        typer.echo(f"error: {line}", err=True)
    return batch_row(file, "failed", error=lines[0])


def _batch_one(file, scenario, folder, replications, seed, map_fn, progress, contacts) -> dict:
    """Run, evaluate and write one scenario of a batch; a failure becomes its row."""
    try:
        _run_into(folder, scenario, replications, seed, map_fn, progress, contacts)
    except Exception as error:  # one scenario's failure must not stop the batch
        return _batch_failure(file, error)
    return batch_row(file, "ok", str(folder))


def _crn_runs(scenarios, replications, seed, workers, scheduler, out_dir, quiet):
    """Evaluations of the scenarios on common random numbers, as they finish."""
    with executor(workers, scheduler) as map_fn:
        check_writable(out_dir)
        with _Progress(replications * len(scenarios), len(scenarios), quiet) as progress:
            runs = run_variants(
                scenarios,
                replications=replications,
                seed=seed,
                map_fn=map_fn,
                progress=progress.replication,
            )
            evaluations = []
            for scenario, result in zip(scenarios, runs, strict=True):
                evaluations.append(evaluate_run(scenario, result))
                progress.scenario()
    return evaluations


@app.command()
def compare(
    files: Annotated[
        list[str], typer.Argument(help="Two or more scenario files.", metavar="SCENARIO")
    ],
    replications: ReplicationsOption = None,
    seed: SeedOption = None,
    out: OutOption = None,
    workers: WorkersOption = _CPUS,
    scheduler: SchedulerOption = None,
    set_: SetOption = None,
    as_json: RunJsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Run scenarios on common random numbers (the first one's seed and replications unless
    given) and print paired differences against the first, with 95 % CIs, for every KPI and
    the money; writes compare.csv, summaries.json and comparison.png (default folder
    results/compare_<A>_vs_<B>)."""
    if len(files) < 2:
        raise InputError("compare needs at least two scenario files")
    scenarios = load_many(files, set_ or ())
    replications, seed = _run_settings(scenarios[0], replications, seed)
    out_dir = out or Path("results") / ("compare_" + "_vs_".join(s.name for s in scenarios))
    evaluations = _crn_runs(
        scenarios, replications, seed, workers, scheduler, out_dir, quiet or as_json
    )
    differences = paired_differences(
        {scenario.name: ev for scenario, ev in zip(scenarios, evaluations, strict=True)}
    )
    summaries = {
        scenario.name: ev.summary for scenario, ev in zip(scenarios, evaluations, strict=True)
    }
    write_folder(
        out_dir,
        tables={"compare": differences},
        documents={"summaries": summaries},
        pngs=comparison_pngs(differences),
    )
    if as_json:
        typer.echo(differences.to_json(orient="records"))
        return
    shown = _with_ci(differences[differences["n"] > 0], "metric")
    shown = shown.drop(columns=["reference"] if len(files) > 2 else ["reference", "variant"])
    title = (
        f"{', '.join(files[1:])} minus {files[0]}: paired differences, mean and 95 % CI "
        f"({replications} replications, seed {seed})"
    )
    shown = shown.rename(columns=_DIFFERENCE_HEADINGS)
    _print_frame(shown, title, "metric", tuple(_DIFFERENCE_HEADINGS.values()))
    typer.echo(f"wrote {out_dir}")


@app.command()
def sweep(
    scenario_file: Annotated[str, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    vary: Annotated[
        list[str],
        typer.Option(
            "--vary",
            metavar="PATH=V1,V2,...",
            help="A field and its values (repeatable: every combination is run).",
        ),
    ],
    replications: ReplicationsOption = None,
    seed: SeedOption = None,
    out: OutOption = None,
    workers: WorkersOption = _CPUS,
    scheduler: SchedulerOption = None,
    set_: SetOption = None,
    as_json: RunJsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Run a grid of variants on common random numbers (seed and replications of the scenario
    with --set only, unless given); writes the tidy table sweep.csv / sweep.parquet and plots of
    service level, P(breach) and expected net credit against the varied fields (default folder
    results/<name>_sweep)."""
    grid = variant_grid(vary)
    base = load(scenario_file, set_ or ())
    scenarios = load_variants(scenario_file, grid, set_ or ())
    replications, seed = _run_settings(base, replications, seed)
    out_dir = out or Path("results") / f"{base.name}_sweep"
    evaluations = _crn_runs(
        scenarios, replications, seed, workers, scheduler, out_dir, quiet or as_json
    )
    table = sweep_table(evaluations, [variant.settings for variant in grid])
    paths = [path for path, _ in grid[0].settings]
    write_folder(
        out_dir,
        tables={"sweep": table},
        documents={"summaries": [ev.summary for ev in evaluations]},
        pngs=sweep_pngs(table, paths),
    )
    if as_json:
        typer.echo(table.to_json(orient="records"))
        return
    for index, variant in enumerate(grid):
        typer.echo(f"variant {index}: {variant.label}")
    title = f"Sweep of {base.name} ({replications} replications, seed {seed}; means)"
    _print_frame(sweep_overview(table), title)
    typer.echo(f"wrote {out_dir}")


# --- negotiation commands ---


def _negotiation_summary(document: dict, out_dir: Path) -> None:
    target = document["target"]
    clause = target["clause"]
    rows = [
        {
            "level": entry["level"],
            "replications": entry["replications"],
            "labour_cost_eur": entry["labour_cost_eur"]["mean"],
            "credit_eur": entry["credit_eur"]["mean"],
            "net_credit_eur": entry["net_credit_eur"]["mean"],
            "partner_margin_eur": entry["partner_margin_eur"]["mean"],
            "miss_frac": entry["clauses"][clause]["p_miss"],
            "p_breach": entry["p_breach"],
        }
        for entry in document["levels"]
    ]
    title = (
        f"{document['scenario']}: money over the horizon by staffing level (means; miss_frac: "
        f"largest share of {document['measurement_period']}s {clause} misses)"
    )
    _print_frame(pd.DataFrame(rows), title)
    best, required = document["best_response"], document["client_requirement"]
    typer.echo(
        f"partner's best response: {best['level']:g}x (margin "
        f"{_cell('_eur', best['partner_margin_eur']['mean'])} EUR, {clause} misses "
        f"{best['p_miss']:.1%} of periods)"
        + {"low": "; lowest level simulated", "high": "; highest level simulated"}.get(
            best["at_edge"] or "", ""
        )
    )
    typer.echo(
        "client's required staffing: "
        + (
            f"{required['level']:g}x"
            if required["level"] is not None
            else f"none of the levels keeps misses within {target['alpha']:.0%}"
        )
    )
    fair = document["fair_penalty"]
    if fair is not None:
        typer.echo(
            "fair incentive-compatible penalty: "
            + (
                f"{_cell('_eur', fair['per_point_eur'])} EUR per point per period"
                + (
                    " (the clause alone: caps as written cannot do it)"
                    if fair["caps_lifted"]
                    else ""
                )
                if fair["found"]
                else "none up to one period fee per point"
            )
        )
    matched = document["loss_matching"]
    if matched is not None:
        typer.echo(
            f"loss-matching penalty: {_cell('_eur', matched['per_point_eur'])} EUR per point"
        )
    for warning in document["warnings"]:
        typer.echo(f"warning [{warning['id']}]: {warning['message']}")
    typer.echo(f"wrote {out_dir}")


@app.command()
def negotiate(
    scenario_file: Annotated[str, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    levels: Annotated[
        str | None,
        typer.Option(
            "--levels",
            metavar="F1,F2,...|LOW:HIGH:COUNT",
            help="Staffing factors on the team rosters (default: 11 levels over the range the "
            "Erlang screen picks).",
        ),
    ] = None,
    replications: Annotated[
        int, typer.Option("--replications", help="Replications every level starts with.")
    ] = 10,
    max_replications: Annotated[
        int,
        typer.Option(
            "--max-replications",
            help="Replications a level may grow to while its expected service credit's 95 % CI "
            "half-width is above 10 % of the value and 500 EUR (it grows to its projected need "
            "if that is within this limit).",
        ),
    ] = 400,
    seed: SeedOption = None,
    out: OutOption = None,
    workers: WorkersOption = _CPUS,
    scheduler: SchedulerOption = None,
    set_: SetOption = None,
    clause: Annotated[
        str | None,
        typer.Option("--clause", help="The client's target clause (default: first service level)."),
    ] = None,
    max_miss: Annotated[
        str,
        typer.Option(
            "--max-miss", help="Largest share of periods the target clause may miss (e.g. 10%)."
        ),
    ] = "10%",
    loss_per_abandoned: Annotated[
        float,
        typer.Option(
            "--loss-per-abandoned",
            min=0.0,
            metavar="EUR",
            help="Client's loss per abandoned contact on the target clause's channel.",
        ),
    ] = 0.0,
    loss_per_unresolved: Annotated[
        float,
        typer.Option(
            "--loss-per-unresolved",
            min=0.0,
            metavar="EUR",
            help="Client's loss per contact not resolved at first contact.",
        ),
    ] = 0.0,
    loss_per_lost_customer: Annotated[
        float,
        typer.Option(
            "--loss-per-lost-customer",
            min=0.0,
            metavar="EUR",
            help="Value of a customer who leaves (times --churn per failed contact).",
        ),
    ] = 0.0,
    churn: Annotated[
        str,
        typer.Option("--churn", help="Share of customers with a failed contact who leave."),
    ] = "0%",
    as_json: RunJsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Sweep the partner's staffing on common random numbers and price the contract at every
    level: cost curves, the partner's best response, the client's required staffing, the fair
    and the loss-matching penalty, sensitivity tables and warnings (docs/negotiation.md).
    Writes negotiation.json, CSV tables and report.html (default results/<name>_negotiation)."""
    factors = None if levels is None else parse_levels(levels)
    alpha = _fraction_option("--max-miss", max_miss)
    churn_frac = _fraction_option("--churn", churn)
    loss = LossModel(loss_per_abandoned, loss_per_unresolved, loss_per_lost_customer, churn_frac)
    scenario = load(scenario_file, set_ or ())
    target = target_clause(scenario, clause)
    seed = scenario.run.seed if seed is None else seed
    check_counts(seed, replications, max_replications, replications)
    workload = expand(scenario)
    screen = screen_levels(scenario, workload)
    screened = {"range": None, "crossings": crossings(screen)}
    if factors is None:
        low, high = screened_range(screen)
        screened["range"] = [low, high]
        factors = parse_levels(f"{low}:{high}:11")
    out_dir = out or Path("results") / f"{scenario.name}_negotiation"
    reduce = functools.partial(level_kpis, measurement_scenario(scenario, target))
    with executor(workers, scheduler) as map_fn:
        check_writable(out_dir)
        with _Progress(replications * len(factors), 1, quiet or as_json) as progress:
            runs = run_levels(
                scenario,
                factors,
                seed=seed,
                reduce=reduce,
                replications=replications,
                max_replications=max_replications,
                wanted=PrecisionRule(scenario, workload, max_replications),
                map_fn=map_fn,
                progress=progress.replications_of,
            )
    kpis = [pd.concat(tables, ignore_index=True) for tables in runs.reduced]
    negotiation = analyse(
        scenario,
        runs.levels,
        kpis,
        runs.workload,
        seed=seed,
        screening=screen,
        screened=screened,
        clause_id=target.id,
        alpha=alpha,
        loss=loss,
    )
    write_negotiation(out_dir, scenario, negotiation)
    if as_json:
        typer.echo(json.dumps(negotiation.document))
    else:
        _negotiation_summary(negotiation.document, out_dir)


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
