"""The ``ccplan`` command line: parse options, call the packages, print and write results.

Every command is thin: it parses its options, makes one library call (the workflows of
:mod:`reports.workflows` and :mod:`negotiate.workflow`, or a ``scenarios``/``staffing``
function) and prints the result with :mod:`reports.terminal`.
A user mistake (a :class:`scenarios.CcplanError`) prints one readable line per problem on
standard error and exits with code 2, never a traceback.

The packages a command needs are imported when it runs, so that ``ccplan --help`` and a command's
``--help`` start without pandas, SciPy, Numba or matplotlib.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, overload

import typer

from scenarios.errors import CcplanError, InputError, ScenarioError
from scenarios.limits import MAX_REPLICATIONS

if TYPE_CHECKING:
    import pandas as pd

    from sla_eval.thresholds import Threshold

app = typer.Typer(
    name="ccplan",
    help="Contact-centre simulation and SLA what-if planner.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _usage_pieces(argument: typer.core.TyperArgument, _ctx: object) -> list[str]:
    """An argument on the usage line as people write it: ``SCENARIO`` when required,
    ``[NAME]`` when optional, ``NAME...`` when repeated (typer writes ``{SCENARIO}``)."""
    name = argument.display_name_raw
    name = name if argument.required else f"[{name}]"
    return [name + ("..." if argument.nargs != 1 else "")]


setattr(typer.core.TyperArgument, "get_usage_pieces", _usage_pieces)  # noqa: B010

EXIT_USER_ERROR = 2


# --- scenario commands ---

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="PATH=VALUE",
        help="Override a field, e.g. --set partner.teams.voice.staffing.headcount=70 or "
        "--set contract.clauses.email_sla.target=85% (teams and clauses by name or index; "
        "repeatable).",
    ),
]


@app.command()
def validate(
    files: Annotated[list[str], typer.Argument(help="Scenario YAML files.", metavar="FILE")],
    set_: SetOption = None,
) -> None:
    """Check scenario files: print `ok FILE` or every problem; exit 2 if any file is invalid."""
    from reports.terminal import print_errors
    from scenarios.loader import load

    all_valid = True
    for file in files:
        try:
            load(file, set_ or ())
        except ScenarioError as error:
            all_valid = False
            print_errors(str(error).splitlines())
        else:
            typer.echo(f"ok {file}")
    if not all_valid:
        raise typer.Exit(EXIT_USER_ERROR)


def _write_csv(frame: pd.DataFrame, out: Path) -> None:
    """Write an interval table to ``--out`` (timestamps to the minute) and say so."""
    try:
        frame.to_csv(out, index=False, date_format="%Y-%m-%dT%H:%M")
    except OSError as error:
        raise InputError(f"--out: cannot write {out} ({error.strerror or error})") from None
    typer.echo(f"wrote {out}")


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
    from reports.terminal import print_demand
    from scenarios.demand import demand_by_day, expand
    from scenarios.loader import load

    scenario = load(file, set_ or ())
    workload = expand(scenario)
    print_demand(demand_by_day(workload), f"Expected demand: {scenario.name}")
    if out is not None:
        _write_csv(workload.to_frame(), out)


# --- staffing commands ---


@overload
def _duration_option(option: str, text: str) -> float: ...
@overload
def _duration_option(option: str, text: str | None) -> float | None: ...
def _duration_option(option: str, text: str | None) -> float | None:
    from scenarios.units import parse_duration_s

    if text is None:
        return None
    try:
        return parse_duration_s(text)
    except ValueError as error:
        raise InputError(f"{option}: {error} (got {text!r})") from None


@overload
def _fraction_option(option: str, text: str) -> float: ...
@overload
def _fraction_option(option: str, text: str | None) -> float | None: ...
def _fraction_option(option: str, text: str | None) -> float | None:
    from scenarios.units import parse_fraction

    if text is None:
        return None
    try:
        return parse_fraction(text)
    except ValueError as error:
        raise InputError(f"{option}: {error} (got {text!r})") from None


def _ratio_option(option: str, text: str | None) -> float | None:
    from scenarios.units import parse_ratio

    if text is None:
        return None
    try:
        return parse_ratio(text)
    except ValueError as error:
        raise InputError(f"{option}: {error} (got {text!r})") from None


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
    from reports.staff_terminal import print_measures
    from staffing.planning import rate_measures

    if calls_per_hour is None or aht is None or agents is None:
        raise InputError("erlang needs --calls-per-hour, --aht and --agents.")
    result = rate_measures(
        calls_per_hour,
        _duration_option("--aht", aht),
        agents,
        threshold_s=_duration_option("--threshold", threshold),
        patience_s=_duration_option("--patience", patience),
        sl_definition=sl_definition,
        short_abandon_s=_duration_option("--short-abandon", short_abandon),
    )
    print_measures(
        result.model, result.measures, patience is None, as_json, result.warnings, result.criterion
    )


def _staff_scenario(
    file: str,
    overrides: Sequence[str],
    out: Path | None,
    day_cv: float | None,
    confidence: float | None,
) -> None:
    from reports.staff_terminal import print_headcount, print_plan, print_tier2
    from reports.terminal import print_warnings
    from staffing.planning import plan_scenario

    staffing_plan = plan_scenario(file, overrides, day_cv=day_cv, confidence=confidence)
    scenario = staffing_plan.scenario
    print_warnings(staffing_plan.warnings)
    print_plan(staffing_plan.by_day, f"Staffing plan: {scenario.name}")
    print_headcount(staffing_plan.by_week, scenario.partner.fte_hours_per_week)
    print_tier2(staffing_plan.tier2, scenario.tier2 is not None and scenario.tier2.agents == "auto")
    if out is not None:
        _write_csv(staffing_plan.table, out)


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
    max_p_wait: Annotated[
        str | None, typer.Option("--max-p-wait", help="Cap on the probability of waiting.")
    ] = None,
    patience: PatienceOption = None,
    sl_definition: DefinitionOption = "offered",
    short_abandon: ShortAbandonOption = "0",
    day_cv: Annotated[
        str | None,
        typer.Option(
            "--day-cv",
            help="CV of a gamma day factor on the volume (forecast error, e.g. 8%): staff for "
            "the expected measures over it (with SCENARIO: every channel's day_cv).",
        ),
    ] = None,
    confidence: Annotated[
        str | None,
        typer.Option(
            "--confidence",
            help="Meet the targets on this share of days instead of in expectation (e.g. 90%; "
            "needs a day CV; with SCENARIO: every realtime channel's criterion).",
        ),
    ] = None,
    as_json: JsonOption = False,
    set_: SetOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE.csv", help="With SCENARIO: write the interval plan."),
    ] = None,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="With SCENARIO: correct the plan by simulation on common random numbers until "
            "every realtime channel meets its target per measurement period with --p-meet.",
        ),
    ] = False,
    p_meet: Annotated[
        str, typer.Option("--p-meet", help="With --verify: probability of meeting, e.g. 90%.")
    ] = "90%",
    block: Annotated[
        str, typer.Option("--block", help="With --verify: length of the blocks agents go to.")
    ] = "2h",
    replications: Annotated[
        int | None,
        typer.Option("--replications", help="With --verify: replications per round."),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="With --verify: root seed.")] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="With --verify: local worker processes.")
    ] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Smallest number of agents meeting every target (with --calls-per-hour and --aht), or
    with SCENARIO the interval staffing plan of every channel (per-day summary, headcount and
    FTE per week, tier 2; --out writes the full table; --verify checks it by simulation)."""
    from reports.staff_terminal import print_measures, print_verification
    from reports.terminal import RunProgress
    from staffing.planning import staff_rate
    from verify import verify_plan

    cv = _ratio_option("--day-cv", day_cv)
    level = _fraction_option("--confidence", confidence)
    if scenario_file is not None:
        if calls_per_hour is not None or aht is not None:
            raise InputError("staff takes a SCENARIO or --calls-per-hour and --aht, not both.")
        if not verify:
            _staff_scenario(scenario_file, set_ or (), out, cv, level)
            return
        with RunProgress(quiet) as progress:
            verified = verify_plan(
                scenario_file,
                set_ or (),
                day_cv=cv,
                confidence=level,
                p_meet=_fraction_option("--p-meet", p_meet),
                replications=replications,
                seed=seed,
                block_hours=_duration_option("--block", block) / 3600.0,
                workers=workers,
                progress=progress,
            )
        print_verification(verified)
        return
    if set_ or out is not None or verify:
        raise InputError("staff: --set, --out and --verify need a SCENARIO file.")
    if calls_per_hour is None or aht is None:
        raise InputError("staff needs --calls-per-hour and --aht (or a SCENARIO file).")
    targets = {
        "target_sl": _fraction_option("--target-sl", target_sl),
        "threshold_s": _duration_option("--threshold", threshold),
        "target_asa_s": _duration_option("--target-asa", target_asa),
        "max_abandon_frac": _fraction_option("--max-abandon", max_abandon),
        "max_occupancy_frac": _fraction_option("--max-occupancy", max_occupancy),
        "max_p_wait_frac": _fraction_option("--max-p-wait", max_p_wait),
    }
    result = staff_rate(
        calls_per_hour,
        _duration_option("--aht", aht),
        targets=targets,
        patience_s=_duration_option("--patience", patience),
        sl_definition=sl_definition,
        short_abandon_s=_duration_option("--short-abandon", short_abandon),
        day_cv=cv or 0.0,
        confidence=level,
    )
    print_measures(
        result.model, result.measures, patience is None, as_json, result.warnings, result.criterion
    )


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
    bool,
    typer.Option(
        "--contacts/--no-contacts",
        help="Write the contact logs (contacts.parquet/, the largest files; default off).",
    ),
]
IntervalsOption = Annotated[
    bool,
    typer.Option(
        "--intervals",
        help="Keep every interval KPI row in kpis.parquet/ (default: interval service levels "
        "only).",
    ),
]
ReportOption = Annotated[
    bool, typer.Option("--report/--no-report", help="Draw the figures and write report.html.")
]
EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        metavar="simpy|numba",
        help="simpy: the reference model; numba: compiled, the same logs, several times faster.",
    ),
]
RunEngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        metavar="auto|simpy|numba",
        help="simpy: the reference model; numba: compiled, the same logs, several times faster; "
        "auto: numba with --precision or from 100 replications, else simpy.",
    ),
]
FailIfOption = Annotated[
    list[str] | None,
    typer.Option(
        "--fail-if",
        metavar="'METRIC OP NUMBER'",
        help="Exit 1 when a threshold is crossed, e.g. --fail-if 'p_breach(email_sla) > 20%' "
        "(repeatable; metrics: p_breach, expected_net_credit, client_cost, CHANNEL.KPI, ...).",
    ),
]
_CPUS = os.cpu_count() or 1


def _fail_if(summary: dict, thresholds: list[Threshold]) -> None:
    """Print the thresholds checked against a run's summary; exit 1 when one is crossed."""
    if not thresholds:
        return
    from reports.terminal import print_thresholds
    from sla_eval.thresholds import check_thresholds

    results = check_thresholds(summary, thresholds)
    print_thresholds(results)
    if any(result.crossed for result in results):
        raise typer.Exit(1)


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
    engine: RunEngineOption = "auto",
    contacts: ContactsOption = False,
    intervals: IntervalsOption = False,
    report: ReportOption = True,
    append: Annotated[
        bool,
        typer.Option(
            "--append",
            help="Add the replications to the results folder of an earlier run of the same "
            "scenario and seed (new indices; the summary covers them all).",
        ),
    ] = False,
    precision: Annotated[
        list[str] | None,
        typer.Option(
            "--precision",
            metavar="TARGET",
            help="Grow until each 95 % half-width is met: 1pp (every clause's P(breach)) or "
            "500eur (expected net credit); repeatable.",
        ),
    ] = None,
    max_replications: Annotated[
        int,
        typer.Option(
            "--max-replications", help="With --precision: the most replications in the folder."
        ),
    ] = MAX_REPLICATIONS,
    fail_if: FailIfOption = None,
    xlsx: Annotated[
        bool,
        typer.Option(
            "--xlsx", help="Also write results.xlsx: KPI summary, clauses, weekly risk, staffing."
        ),
    ] = False,
) -> None:
    """Plan staffing, simulate and evaluate a scenario; print the summary and write the results
    folder (default results/<name>: summary.json, KPI tables, staffing plan, report.html,
    plots; contact logs with --contacts). With --fail-if: exit 1 when a threshold is crossed."""
    from reports import workflows
    from reports.answer_terminal import print_answer
    from reports.run_pipeline import RunOptions
    from reports.terminal import RunProgress, print_run
    from reports.workbook import WORKBOOK_FILE, add_workbook
    from sla_eval.precision import parse_precision, precision_lines
    from sla_eval.thresholds import parse_threshold

    thresholds = [parse_threshold(text) for text in fail_if or ()]
    options = RunOptions(
        contacts=contacts,
        intervals=intervals,
        report=report,
        append=append,
        targets=tuple(parse_precision(text) for text in precision or ()),
        max_replications=max_replications,
        extras=(add_workbook,) if xlsx else (),
        engine=engine,
    )
    with RunProgress(quiet or as_json) as progress:
        outcome = workflows.run(
            scenario_file,
            overrides=set_ or (),
            replications=replications,
            seed=seed,
            out=out,
            workers=workers,
            scheduler=scheduler,
            options=options,
            progress=progress,
        )
    if as_json:
        typer.echo(json.dumps(outcome.evaluation.summary))
    else:
        answer = outcome.answer
        if answer is not None:
            print_answer(answer)
        print_run(outcome.evaluation.summary, outcome.folder)
        if not contacts:
            typer.echo("Contact logs not written (--contacts writes them).")
        if xlsx:
            typer.echo(f"wrote {outcome.folder / WORKBOOK_FILE}")
    for line in precision_lines(outcome.checks, outcome.replications):
        typer.echo(line, err=as_json)
    _fail_if(outcome.evaluation.summary, thresholds)


@app.command()
def check(
    folder: Annotated[
        Path, typer.Argument(help="A results folder of ccplan run.", metavar="RESULTS_DIR")
    ],
    fail_if: Annotated[
        list[str],
        typer.Option(
            "--fail-if",
            metavar="'METRIC OP NUMBER'",
            help="A threshold, e.g. 'p_breach(email_sla) > 20%' (repeatable).",
        ),
    ],
) -> None:
    """Check a results folder's summary.json against thresholds, for pipelines: exit 1 when
    one is crossed, 2 on a bad expression or a folder without a summary."""
    from reports.results_folder import read_summary
    from sla_eval.thresholds import parse_threshold

    thresholds = [parse_threshold(text) for text in fail_if]
    summary = read_summary(folder)
    if summary is None:
        raise InputError(f"{folder}: no readable summary.json (not a ccplan results folder)")
    _fail_if(summary, thresholds)


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
    engine: RunEngineOption = "auto",
    contacts: ContactsOption = False,
    intervals: IntervalsOption = False,
    report: ReportOption = True,
) -> None:
    """Run every scenario found: one results folder each (DIR/<name>), plus batch.csv and
    index.html. A failing scenario is reported and the others still run; exit code 1 when any
    failed."""
    from reports import workflows
    from reports.run_pipeline import RunOptions
    from reports.terminal import RunProgress, print_batch, print_errors

    with RunProgress(quiet or as_json) as progress:
        outcome = workflows.batch(
            paths,
            out=out,
            resume=resume,
            overrides=set_ or (),
            replications=replications,
            seed=seed,
            workers=workers,
            scheduler=scheduler,
            options=RunOptions(
                contacts=contacts, intervals=intervals, report=report, engine=engine
            ),
            progress=progress,
        )
    print_errors(outcome.errors)
    if as_json:
        typer.echo(json.dumps(list(outcome.rows)))
    else:
        print_batch(outcome.rows, outcome.folder)
    if outcome.failed:
        raise typer.Exit(1)


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
    engine: EngineOption = "simpy",
) -> None:
    """Run scenarios on common random numbers (the first one's seed and replications unless
    given) and print paired differences against the first, with 95 % CIs, for every KPI and
    the money; writes compare.csv, summaries.json and comparison.png (default folder
    results/compare_<A>_vs_<B>)."""
    from reports import workflows
    from reports.terminal import RunProgress, print_comparison

    with RunProgress(quiet or as_json) as progress:
        outcome = workflows.compare(
            files,
            overrides=set_ or (),
            replications=replications,
            seed=seed,
            out=out,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            engine=engine,
        )
    if as_json:
        typer.echo(outcome.differences.to_json(orient="records"))
    else:
        print_comparison(
            outcome.differences,
            files,
            outcome.replications,
            outcome.seed,
            outcome.folder,
            outcome.warnings,
        )


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
    engine: EngineOption = "simpy",
) -> None:
    """Run a grid of variants on common random numbers (seed and replications of the scenario
    with --set only, unless given); writes the tidy table sweep.csv / sweep.parquet and plots of
    service level, P(breach) and expected net credit against the varied fields (default folder
    results/<name>_sweep)."""
    from reports import workflows
    from reports.terminal import RunProgress, print_sweep

    with RunProgress(quiet or as_json) as progress:
        outcome = workflows.sweep(
            scenario_file,
            vary,
            overrides=set_ or (),
            replications=replications,
            seed=seed,
            out=out,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            engine=engine,
        )
    if as_json:
        typer.echo(outcome.table.to_json(orient="records"))
    else:
        labels = [variant.label for variant in outcome.grid]
        print_sweep(
            labels,
            outcome.overview,
            outcome.base.name,
            outcome.replications,
            outcome.seed,
            outcome.folder,
            outcome.warnings,
        )


# --- negotiation commands ---


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
    engine: EngineOption = "numba",
) -> None:
    """Sweep the partner's staffing on common random numbers and price the contract at every
    level: cost curves, the partner's best response, the client's required staffing, the fair
    and the loss-matching penalty, sensitivity tables and warnings (docs/negotiation.md).
    Writes negotiation.json, CSV tables and report.html (default results/<name>_negotiation)."""
    from negotiate.pricing import LossModel
    from negotiate.workflow import negotiate as negotiate_workflow
    from reports.terminal import RunProgress, print_negotiation
    from sim.levels import parse_levels

    factors = None if levels is None else parse_levels(levels)
    alpha = _fraction_option("--max-miss", max_miss)
    churn_frac = _fraction_option("--churn", churn)
    with RunProgress(quiet or as_json) as progress:
        outcome = negotiate_workflow(
            scenario_file,
            overrides=set_ or (),
            levels=factors,
            replications=replications,
            max_replications=max_replications,
            seed=seed,
            clause=clause,
            max_miss_frac=alpha,
            loss=LossModel(
                loss_per_abandoned, loss_per_unresolved, loss_per_lost_customer, churn_frac
            ),
            out=out,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            engine=engine,
            planned=None if quiet else _say_planned,
        )
    if as_json:
        typer.echo(json.dumps(outcome.negotiation.document))
    else:
        print_negotiation(outcome.negotiation.document, outcome.folder)


def _say_planned(counts: Mapping[float, int], eta_s: float) -> None:
    """Before an adaptive round of ``negotiate``: which levels grow to how many replications,
    and how long the round should take (on standard error)."""
    grown = ", ".join(f"{level:g} -> {count}" for level, count in sorted(counts.items()))
    typer.echo(
        f"growing {len(counts)} level(s) to a precise service credit (replications: {grown}); "
        f"about {eta_s / 60:.1f} min at the pace so far",
        err=True,
    )


@app.command()
def hire(
    scenario_file: Annotated[str, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    max_p_breach: Annotated[
        str | None,
        typer.Option(
            "--max-p-breach",
            help="Cheapest plan whose P(breach) stays at or below this in every measurement "
            "period (e.g. 10%); default: least expected labour + hiring + service credits.",
        ),
    ] = None,
    replications: Annotated[
        int | None,
        typer.Option("--replications", help="Replications per simulated variant (default 10)."),
    ] = None,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Skip the simulation of the plan and neighbours.")
    ] = False,
    seed: SeedOption = None,
    out: OutOption = None,
    workers: WorkersOption = _CPUS,
    scheduler: SchedulerOption = None,
    set_: SetOption = None,
    as_json: RunJsonOption = False,
    engine: EngineOption = "numba",
    quiet: QuietOption = False,
) -> None:
    """Plan hiring classes (dates and sizes) for the teams with hiring_classes on a weekly
    capacity model, verify the plan and its neighbours by simulation on common random numbers,
    and write hire.json, CSV tables, a chart and report.html (docs/hire.md; default
    results/<name>_hire)."""
    from hire.report import print_hire
    from hire.workflow import hire as hire_workflow
    from reports.terminal import RunProgress

    bound = _fraction_option("--max-p-breach", max_p_breach)
    with RunProgress(quiet or as_json) as progress:
        outcome = hire_workflow(
            scenario_file,
            overrides=set_ or (),
            max_p_breach=bound,
            replications=replications,
            seed=seed,
            verify_plan=not no_verify,
            out=out,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            engine=engine,
        )
    if as_json:
        typer.echo(json.dumps(outcome.document))
    else:
        print_hire(outcome.document, outcome.folder)


_stopped_by: list[int] = []
"""The signal that stopped the command, once one has."""


def _stop(signum: int, _frame: object) -> None:
    """Ctrl-C or ``SIGTERM``: unwind, so that worker processes end and staging folders go.

    Later signals of the same kind are ignored while the cleanup runs; whatever the interrupted
    code raises on its way out is not reported (the command exits ``128 + signum``).
    """
    _stopped_by.append(signum)
    signal.signal(signum, signal.SIG_IGN)
    sys.unraisablehook = lambda _unraisable: None
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


# --- calibration from contact logs (package calibrate) ---

LogArgument = Annotated[str, typer.Argument(help="Contact log, CSV or Parquet.", metavar="LOG")]
ColumnsOption = Annotated[
    str | None, typer.Option("--columns", metavar="NEW=OLD,...", help="Map your columns.")
]
TimeFormatOption = Annotated[
    str | None, typer.Option("--time-format", help="strftime pattern or 'unix' (default ISO).")
]
TimezoneOption = Annotated[str, typer.Option("--timezone", help="The centre's IANA time zone.")]
StaffingOption = Annotated[
    str | None, typer.Option("--staffing", metavar="FILE.csv", help="Agents per interval.")
]
KindOption = Annotated[
    list[str] | None, typer.Option("--kind", metavar="CH=KIND", help="realtime or deferrable.")
]
IntervalOption = Annotated[str, typer.Option("--interval", help="15m, 30m or 60m.")]
WindowOption = Annotated[str, typer.Option("--repeat-window", help="Window of a return.")]
GapOption = Annotated[str, typer.Option("--agent-gap", help="Longest idle gap on duty.")]


@app.command(name="calibrate")
def calibrate_command(
    log: LogArgument,
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Folder to write.")],
    columns: ColumnsOption = None,
    time_format: TimeFormatOption = None,
    timezone: TimezoneOption = "UTC",
    interval: IntervalOption = "15m",
    staffing: StaffingOption = None,
    kind: KindOption = None,
    repeat_window: WindowOption = "7d",
    agent_gap: GapOption = "30m",
    trend: Annotated[bool, typer.Option("--trend", help="Volume at the log's end level.")] = False,
    sl_threshold: Annotated[str, typer.Option("--sl-threshold")] = "20s",
    response_threshold: Annotated[str, typer.Option("--response-threshold")] = "2h",
    name: Annotated[str | None, typer.Option("--name", help="Scenario name.")] = None,
    as_json: RunJsonOption = False,
) -> None:
    """Calibrate a scenario from a contact log (docs/contact-log.md): writes the scenario YAML
    with its rosters, calibration.json (every estimate with its 95 % CI and the contacts
    behind it) and calibration.html."""
    from calibrate import calibrate_log, options, terminal

    log_format, settings = options.inputs(
        columns,
        time_format,
        timezone,
        interval,
        staffing,
        kind,
        repeat_window,
        agent_gap,
        trend=trend,
        sl_threshold=sl_threshold,
        response_threshold=response_threshold,
        name=name,
    )
    result = calibrate_log(log, out, log_format=log_format, settings=settings)
    terminal.print_calibration(result, as_json)


@app.command(name="backtest")
def backtest_command(
    log: LogArgument,
    train_until: Annotated[str, typer.Option("--train-until", help="First day predicted.")],
    scenario: Annotated[
        str | None, typer.Option("--scenario", help="Test this scenario (else calibrate one).")
    ] = None,
    out: OutOption = None,
    staffing: StaffingOption = None,
    replications: Annotated[int, typer.Option("--replications")] = 40,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    level: Annotated[str, typer.Option("--level", help="Prediction interval level.")] = "90%",
    warmup_days: Annotated[int, typer.Option("--warmup-days")] = 1,
    workers: Annotated[int, typer.Option("--workers", help="Local worker processes.")] = 1,
    columns: ColumnsOption = None,
    time_format: TimeFormatOption = None,
    timezone: TimezoneOption = "UTC",
    interval: IntervalOption = "15m",
    kind: KindOption = None,
    repeat_window: WindowOption = "7d",
    agent_gap: GapOption = "30m",
    as_json: RunJsonOption = False,
) -> None:
    """Back-test against a contact log: calibrate up to --train-until (or take --scenario),
    simulate the days after it with the observed staffing and compare per day and week;
    writes backtest.json, backtest.csv and backtest.png (default results/<log>_backtest)."""
    from calibrate import backtest, options, terminal

    log_format, settings = options.inputs(
        columns, time_format, timezone, interval, staffing, kind, repeat_window, agent_gap
    )
    result = backtest(
        log,
        out or Path("results") / f"{Path(log).name.split('.')[0]}_backtest",
        train_until=options.parse_date("--train-until", train_until),
        scenario=scenario,
        log_format=log_format,
        settings=settings,
        replications=replications,
        seed=seed,
        level=options.parse_level("--level", level),
        warmup_days=warmup_days,
        workers=workers,
    )
    terminal.print_backtest(result, as_json)


def main() -> None:
    """Console-script entry point: run the app, turning user errors into exit code 2, and
    Ctrl-C or ``SIGTERM`` into an orderly exit without a traceback."""
    previous = {number: signal.signal(number, _stop) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        app()
    except CcplanError as error:
        from reports.terminal import print_errors

        print_errors(str(error).splitlines())
        sys.exit(EXIT_USER_ERROR)
    except Exception:
        if not _stopped_by:
            raise
        sys.exit(128 + _stopped_by[0])
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


if __name__ == "__main__":
    main()
