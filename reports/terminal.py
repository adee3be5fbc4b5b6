"""How ``ccplan`` shows results in a terminal: rich tables, aligned measures, error lines and a
progress bar.

Tables go to standard output at the terminal's width (a wide page when piped); error lines and
the progress bar go to standard error. Cells are formatted from the unit their column or row
names: fractions in per cent, seconds with ``s``, euros and counts with thousands separators.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from sla_eval.evaluation import channel_overview, clause_overview
from sla_eval.thresholds import ThresholdResult

PIPED_WIDTH_CHARS = 160
"""Width of tables written to a file or pipe, where no terminal sets it."""


def console() -> Console:
    """A console for standard output: the terminal's width, or a wide page when piped."""
    console = Console()
    return console if console.is_terminal else Console(width=PIPED_WIDTH_CHARS)


def print_warnings(lines: Iterable[str]) -> None:
    """Print every line as ``warning: LINE`` on standard error."""
    for line in lines:
        typer.echo(f"warning: {line}", err=True)


def print_errors(lines: Iterable[str]) -> None:
    """Print every line as ``error: LINE`` on standard error.

    Parameters
    ----------
    lines : iterable of str
        The problems, one a line (a ``CcplanError``'s text split into lines).
    """
    for line in lines:
        typer.echo(f"error: {line}", err=True)


def print_demand(summary: pd.DataFrame, title: str) -> None:
    """Print the expected demand per day and channel as a table.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``scenarios.demand.demand_by_day`` of a workload.
    title : str
        The table's title.
    """
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
    console().print(table)


class RunProgress:
    """A rich progress bar on standard error (replications and scenarios done, time left),
    or nothing when quiet; a :class:`sim.progress.Progress`.

    Use it as a context manager: the bar appears at the first :meth:`start` and is removed on
    exit.

    Parameters
    ----------
    quiet : bool
        Show nothing.
    """

    def __init__(self, quiet: bool):
        self._bar: Progress | None = None
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
        self._task: TaskID | None = None

    def __enter__(self) -> RunProgress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.stop()

    def start(self, replications: int, scenarios: int) -> None:
        """Show a bar for ``replications`` replications of ``scenarios`` scenarios."""
        if self._bar is None:
            return
        if self._task is None:
            self._task = self._bar.add_task(
                "simulating", total=replications, done=0, scenarios=scenarios
            )
            self._bar.start()
        else:
            self._bar.update(self._task, total=replications, scenarios=scenarios)

    def replication(self, result: object = None) -> None:
        """Count one more replication done (a runner's ``progress`` callback)."""
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task)

    def replications_of(self, finished: int, submitted: int) -> None:
        """Show ``finished`` of ``submitted`` replications (the total grows with adaptive
        rounds)."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=finished, total=submitted)

    def scenario(self) -> None:
        """Count one more scenario done."""
        if self._bar is not None and self._task is not None:
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


def _print_frame(
    frame: pd.DataFrame, title: str, unit_column: str = "", values: Sequence[str] = ()
) -> None:
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
    console().print(table)


_DIFFERENCE_HEADINGS = {"mean_reference": "reference", "mean_variant": "variant"}
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


def _count(n: int, noun: str) -> str:
    """``1 replication``, ``3 replications``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def p_breach_cell(entry: dict) -> str:
    """P(breach) with its Wilson 95 % interval, ``not applicable`` when the clause never
    applied."""
    if entry.get("p_breach") is None:
        return "not applicable"
    low, high = entry["p_breach_ci95"]
    return f"{entry['p_breach']:.1%} [{low:.0%}, {high:.0%}]"


def print_run(summary: dict, out_dir: Path) -> None:
    """Print a run's warnings, KPIs with 95 % CIs, its clauses and money, and the folder.

    Parameters
    ----------
    summary : dict
        The run's ``summary.json`` document (``sla_eval.evaluation``).
    out_dir : pathlib.Path
        The results folder written.
    """
    print_warnings(summary.get("warnings") or ())
    replications = summary["replications"]
    overview = channel_overview(summary)
    overview = _with_ci(overview, "kpi")
    title = (
        f"{summary['scenario']}: KPIs over the horizon, mean and 95 % CI "
        f"({_count(replications, 'replication')}, seed {summary['seed']})"
    )
    _print_frame(overview, title, "kpi", ("mean", "target"))
    contract = summary["contract"]
    if contract is not None:
        clauses = clause_overview(summary).rename(columns=_CLAUSE_HEADINGS)
        clauses["p_breach"] = [p_breach_cell(entry) for entry in contract["clauses"].values()]
        clauses = clauses.rename(columns={"p_breach": "P(breach) [95% CI]"})
        _print_frame(
            clauses.drop(columns=["p_breach_ci95"]),
            f"Clauses (means over {_count(replications, 'replication')}; P(breach) with its "
            "Wilson interval)",
            "kpi",
            ("target",),
        )
        money = {key: _cell("_eur", contract[f"expected_{key}_eur"]) for key in _MONEY_WORDS}
        typer.echo(
            f"over {_count(replications, 'replication')}: P(breach, any clause and period) "
            f"{p_breach_cell(contract)}; expected "
            + ", ".join(f"{_MONEY_WORDS[key]} {text} EUR" for key, text in money.items())
        )
        margin = contract.get("partner_margin_frac")
        typer.echo(
            f"expected client cost {_cell('_eur', contract['client_cost_eur']['mean'])} EUR "
            f"(fee {_cell('_eur', contract['fee_eur']['mean'])}); partner cost "
            f"{_cell('_eur', contract['partner_cost_eur']['mean'])} EUR for "
            f"{_cell('_eur', contract['paid_agent_hours']['mean'])} paid agent hours; margin "
            f"{_cell('_eur', contract['partner_margin_eur']['mean'])} EUR"
            + ("" if margin is None else f" ({margin:.1%} of the client cost)")
        )
    typer.echo(f"wrote {out_dir}")


def print_batch(rows: Sequence[dict], out: Path) -> None:
    """Print a batch's rows (file, status, folder) and how many scenarios went well.

    Parameters
    ----------
    rows : sequence of dict
        ``reports.results_folder.batch_row`` of every scenario, in order.
    out : pathlib.Path
        The batch results folder.
    """
    shown = ["file", "scenario", "status", "results_from", "p_breach", "expected_net_credit_eur"]
    _print_frame(pd.DataFrame(rows)[shown], f"Batch: {out}")
    failed = sum(row["status"] == "failed" for row in rows)
    reused = sum(row["status"] == "skipped" for row in rows)
    typer.echo(
        f"{len(rows) - failed} of {len(rows)} scenarios ok ({len(rows) - failed - reused} run "
        f"now, {reused} reused from earlier runs); wrote {out}"
    )


def _points(value: float) -> str:
    """A difference of two fractions in percentage points: ``+2.1 pt``."""
    return "-" if value is None or math.isnan(value) else f"{100 * value:+.1f} pt"


def _difference_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """The ``difference`` and its CI as text: points for fractions, the metric's unit else."""
    shown = frame.copy()
    texts, intervals = [], []
    for row in frame.itertuples(index=False):
        unit = row.metric
        fraction = unit.endswith("_frac") or unit in _PERCENT_UNITS
        text = _points if fraction else (lambda value, unit=unit: _cell(unit, value))
        texts.append(text(row.mean_difference))
        intervals.append(f"{text(row.ci95_low)} .. {text(row.ci95_high)}")
    position = shown.columns.get_loc("ci95_low")
    shown = shown.drop(columns=["mean_difference", "ci95_low", "ci95_high"])
    shown.insert(position - 1, "difference", texts)
    shown.insert(position, "95% CI", intervals)
    return shown


def print_comparison(
    differences: pd.DataFrame,
    files: Sequence[str],
    replications: int,
    seed: int,
    out_dir: Path,
    warnings: Sequence[str] = (),
) -> None:
    """Print the warnings, then paired differences against the first scenario with 95 % CIs
    (money first; differences of fractions in percentage points), and the folder.

    Parameters
    ----------
    differences : pandas.DataFrame
        ``sla_eval.comparison.paired_differences`` of the scenarios.
    files : sequence of str
        The scenario files as given, the reference first.
    replications, seed : int
        The common replications and root seed.
    out_dir : pathlib.Path
        The results folder written.
    warnings : sequence of str
        How the scenarios differ (``sla_eval.comparison.variant_warnings``).
    """
    print_warnings(warnings)
    shown = _difference_cells(differences[differences["n"] > 0])
    shown = shown.drop(columns=["reference"] if len(files) > 2 else ["reference", "variant"])
    shown = shown.rename(columns={"variant": "scenario"})
    title = (
        f"{', '.join(files[1:])} minus {files[0]}: paired differences, mean and 95 % CI over "
        f"{replications} replications (seed {seed}); fractions differ in percentage points"
    )
    shown = shown.rename(columns=_DIFFERENCE_HEADINGS)
    _print_frame(shown, title, "metric", ("reference", "variant"))
    typer.echo(f"wrote {out_dir}")


def print_sweep(
    labels: Sequence[str],
    overview: pd.DataFrame,
    name: str,
    replications: int,
    seed: int,
    out_dir: Path,
    warnings: Sequence[str] = (),
) -> None:
    """Print the variants of a sweep, their means and the folder.

    Parameters
    ----------
    labels : sequence of str
        Each variant's settings as text, in variant order.
    overview : pandas.DataFrame
        ``sla_eval.comparison.sweep_overview`` of the sweep table.
    name : str
        The swept scenario's name.
    replications, seed : int
        The common replications and root seed.
    out_dir : pathlib.Path
        The results folder written.
    warnings : sequence of str
        How the variants differ (``sla_eval.comparison.variant_warnings``).
    """
    print_warnings(warnings)
    for index, label in enumerate(labels):
        typer.echo(f"variant {index}: {label}")
    _print_frame(
        overview, f"Sweep of {name} (means over {replications} replications each, seed {seed})"
    )
    typer.echo(f"wrote {out_dir}")


def print_negotiation(document: dict, out_dir: Path) -> None:
    """Print a negotiation's money by staffing level, its findings, warnings and the folder.

    Parameters
    ----------
    document : dict
        The ``negotiation.json`` document (docs/negotiation.md).
    out_dir : pathlib.Path
        The results folder written.
    """
    target = document["target"]
    clause = target["clause"]
    rows = [
        {
            "level": entry["level"],
            "replications": entry["replications"],
            "partner_cost_eur": entry["partner_cost_eur"]["mean"],
            "credit_eur": entry["credit_eur"]["mean"],
            "net_credit_eur": entry["net_credit_eur"]["mean"],
            "partner_margin_eur": entry["partner_margin_eur"]["mean"],
            "miss_frac": entry["clauses"][clause]["p_miss"],
            "P(breach) [95% CI]": p_breach_cell(entry),
        }
        for entry in document["levels"]
    ]
    title = (
        f"{document['scenario']}: money over the horizon by staffing level (means over each "
        f"level's replications; miss_frac: largest share of periods {clause} misses)"
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


def _threshold_value(result: ThresholdResult) -> str:
    metric = result.threshold.metric
    if result.value is None:
        return "no value (not applicable)"
    if metric == "p_breach":
        return _cell("_frac", result.value)
    if "." in metric:
        return _cell(metric.split(".", 1)[1], result.value)
    return f"{_cell('_eur', result.value)} EUR"


def print_thresholds(results: Sequence[ThresholdResult]) -> None:
    """Print one line per threshold (``--fail-if``): its value and whether it is crossed;
    crossed ones on standard error."""
    for result in results:
        state = "CROSSED" if result.crossed else "ok"
        line = f"fail-if {result.threshold.text}: {_threshold_value(result)} -> {state}"
        typer.echo(line, err=result.crossed)
