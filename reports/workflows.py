"""What ``ccplan run``, ``batch``, ``compare`` and ``sweep`` do, one function each.

Each function takes what the command line takes (a scenario or its file, overrides, run
settings, where to run and where to write), simulates, evaluates, writes the results folder and
returns a result object; the command line only parses its options, calls one of these and
prints the result, so a notebook does exactly what the command does:

>>> from reports.workflows import run
>>> outcome = run("scenarios/examples/mmn.yaml", replications=4, workers=2)  # doctest: +SKIP
>>> outcome.evaluation.summary["contract"]["p_breach"]  # doctest: +SKIP

=================  ========================================================================
function           writes (default folder)
=================  ========================================================================
:func:`run`        the results folder of one scenario (``results/<name>``;
                   ``docs/results.md``)
:func:`batch`      one results folder per scenario plus ``batch.csv`` and ``index.html``
:func:`compare`    ``compare.csv``, ``summaries.json``, ``warnings.json``, ``comparison.png``
                   (``results/compare_<A>_vs_<B>``)
:func:`sweep`      ``sweep.csv``/``.parquet``, ``summaries.json``, ``warnings.json`` and the
                   sweep figures
                   (``results/<name>_sweep``)
=================  ========================================================================

Replications run where ``workers`` and ``scheduler`` say (:func:`sim.executors.executor`); the
results do not depend on it. Comparisons and sweeps run every variant on common random numbers.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reports.answer import Answer
from reports.batch_index import batch_row, write_batch_index
from reports.results_folder import is_complete, write_folder
from reports.run_pipeline import DEFAULT_OPTIONS, FolderRun, RunOptions, simulate_into
from reports.staging import check_writable, claim_folder
from reports.sweep_headline import sweep_headline
from scenarios.discovery import find_scenario_files
from scenarios.errors import CcplanError, InputError
from scenarios.loader import ScenarioSource, load, resolve, resolve_many
from scenarios.scenario import Scenario
from scenarios.variants import Variant, load_variants, variant_grid
from sim.executors import executor
from sim.experiment import PreparedRun, run_variants
from sim.progress import SILENT, Progress
from sim.runner import Reduce
from sla_eval.comparison import (
    paired_differences,
    sweep_table,
    variant_warnings,
)
from sla_eval.evaluation import Evaluation
from sla_eval.precision import PrecisionCheck
from sla_eval.replication import ReplicationEvaluator, RunTally

__all__ = [
    "BatchOutcome",
    "ComparisonOutcome",
    "RunOutcome",
    "SweepOutcome",
    "batch",
    "compare",
    "run",
    "run_settings",
    "sweep",
]

RESULTS_ROOT = Path("results")
"""Where results folders go when no folder is given."""


@dataclass(frozen=True, eq=False)
class RunOutcome:
    """What :func:`run` produced.

    Attributes
    ----------
    scenario:
        The scenario run.
    seed:
        The replications' root seed.
    folder:
        The results folder written.
    done:
        What the run put in the folder (:class:`reports.run_pipeline.FolderRun`).
    """

    scenario: Scenario
    seed: int
    folder: Path
    done: FolderRun

    @property
    def replications(self) -> int:
        """Replications in the folder."""
        return self.done.replications

    @property
    def added(self) -> int:
        """Replications this run simulated (fewer than ``replications`` when appending)."""
        return self.done.added

    @property
    def evaluation(self) -> Evaluation:
        """KPIs, contract money and summary (:class:`sla_eval.evaluation.Evaluation`)."""
        return self.done.evaluation

    @property
    def checks(self) -> tuple[PrecisionCheck, ...]:
        """The precision targets measured on the folder (:mod:`sla_eval.precision`)."""
        return self.done.checks

    @property
    def answer(self) -> Answer | None:
        """The run's answer (:attr:`reports.run_pipeline.FolderRun.answer`); None without a
        contract."""
        return self.done.answer


@dataclass(frozen=True)
class BatchOutcome:
    """What :func:`batch` produced.

    Attributes
    ----------
    rows:
        One ``batch.csv`` row per scenario file, in the order found
        (:data:`reports.results_folder.BATCH_COLUMNS`).
    errors:
        The error lines of the scenarios that failed, in the order they failed, each starting
        with its file.
    folder:
        The batch folder.
    """

    rows: tuple[dict, ...]
    errors: tuple[str, ...]
    folder: Path

    @property
    def failed(self) -> bool:
        """Whether any scenario failed."""
        return any(row["status"] == "failed" for row in self.rows)


@dataclass(frozen=True, eq=False)
class ComparisonOutcome:
    """What :func:`compare` produced.

    Attributes
    ----------
    scenarios, evaluations:
        The scenarios compared (the reference first) and their evaluations.
    differences:
        Paired differences against the first (:func:`sla_eval.comparison.paired_differences`).
    replications, seed:
        The common replications and root seed.
    folder:
        The folder written.
    warnings:
        How the scenarios differ in horizon, interval or channels
        (:func:`sla_eval.comparison.variant_warnings`).
    """

    scenarios: tuple[Scenario, ...]
    evaluations: tuple[Evaluation, ...]
    differences: pd.DataFrame
    replications: int
    seed: int
    folder: Path
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class SweepOutcome:
    """What :func:`sweep` produced.

    Attributes
    ----------
    base:
        The scenario with the overrides only.
    grid:
        The variants, in the order run (:func:`scenarios.variants.variant_grid`).
    evaluations:
        One evaluation per variant.
    table:
        The tidy sweep table (:func:`sla_eval.comparison.sweep_table`).
    overview:
        Its headline, one row per variant with the values it varied and its costs
        (:func:`reports.sweep_headline.sweep_headline`).
    replications, seed:
        The common replications and root seed.
    folder:
        The folder written.
    warnings:
        How the variants differ in horizon, interval or channels
        (:func:`sla_eval.comparison.variant_warnings`).
    """

    base: Scenario
    grid: tuple[Variant, ...]
    evaluations: tuple[Evaluation, ...]
    table: pd.DataFrame
    overview: pd.DataFrame
    replications: int
    seed: int
    folder: Path
    warnings: tuple[str, ...] = ()


def run_settings(scenario: Scenario, replications: int | None, seed: int | None) -> tuple[int, int]:
    """The replications and seed to run: the given ones, else the scenario's ``run`` section."""
    return (
        scenario.run.replications if replications is None else replications,
        scenario.run.seed if seed is None else seed,
    )


def run(
    scenario: ScenarioSource,
    *,
    overrides: Sequence[str] = (),
    replications: int | None = None,
    seed: int | None = None,
    out: str | os.PathLike[str] | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    options: RunOptions = DEFAULT_OPTIONS,
    progress: Progress = SILENT,
) -> RunOutcome:
    """Plan the staffing, simulate and evaluate a scenario and write its results folder.

    Parameters
    ----------
    scenario:
        A :class:`scenarios.Scenario`, or the scenario file to load with ``overrides``.
    replications, seed:
        Default: the scenario's ``run.replications`` and ``run.seed``.
    out:
        The results folder (default ``results/<name>``); written completely or not at all.
    workers, scheduler:
        Where replications run (:func:`sim.executors.executor`).
    options:
        What the folder keeps and how the run grows (:class:`reports.run_pipeline.RunOptions`:
        contact logs, interval rows, report, ``--append``, ``--precision``, the engine).
    progress:
        Told of every replication.

    Raises
    ------
    CcplanError
        For an invalid scenario, bad settings or a folder that cannot be written.
    """
    loaded = resolve(scenario, overrides)
    count, root = run_settings(loaded, replications, seed)
    folder = Path(out) if out is not None else RESULTS_ROOT / loaded.name
    with executor(workers, scheduler) as map_fn:
        check_writable(folder)
        progress.start(count, 1)
        done: FolderRun = simulate_into(folder, loaded, count, root, map_fn, progress, options)
    return RunOutcome(loaded, root, folder, done)


def _failure(file: str, error: Exception) -> tuple[dict, list[str]]:
    """The batch row and error lines of a scenario that failed."""
    lines = [
        line if line.startswith(file) else f"{file}: {line}"
        for line in str(error).splitlines() or [type(error).__name__]
    ]
    return batch_row(file, "failed", error=lines[0]), lines


def batch(
    paths: Sequence[str],
    *,
    out: str | os.PathLike[str],
    resume: bool = False,
    overrides: Sequence[str] = (),
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    options: RunOptions = DEFAULT_OPTIONS,
    progress: Progress = SILENT,
) -> BatchOutcome:
    """Run every scenario found under ``paths`` into ``out/<name>``, plus ``batch.csv`` and
    ``index.html``.

    A scenario that fails to load or run becomes a ``failed`` row with its error; the others
    still run. With ``resume``, a scenario whose folder already holds complete results of the
    same name, seed and replications is ``skipped``.

    Parameters
    ----------
    paths:
        Scenario files, folders or glob patterns (:func:`scenarios.discovery.find_scenario_files`).
    out:
        The batch folder.
    overrides, replications, seed, workers, scheduler, options, progress:
        As in :func:`run`, for every scenario (``--append`` and precision targets do not
        apply to a batch).

    Raises
    ------
    CcplanError
        When no scenario file is found or the batch folder cannot be written.
    """
    folder = Path(out)
    files = [str(file) for file in find_scenario_files(paths)]
    by_file: dict[str, dict] = {}
    errors: list[str] = []
    loaded: list[tuple[str, Scenario, int, int]] = []
    names: set[str] = set()
    for file in files:
        try:
            scenario = load(file, overrides)
            if scenario.name in names:
                raise InputError(f"another scenario of this batch is named {scenario.name!r}")
        except CcplanError as error:
            by_file[file], lines = _failure(file, error)
            errors.extend(lines)
            continue
        names.add(scenario.name)
        loaded.append((file, scenario, *run_settings(scenario, replications, seed)))
    claim_folder(folder)
    for _, scenario, _, _ in loaded:
        check_writable(folder / scenario.name)
    with executor(workers, scheduler) as map_fn:
        progress.start(sum(count for _, _, count, _ in loaded), len(loaded))
        for file, scenario, count, root in loaded:
            target = folder / scenario.name
            if resume and is_complete(
                target,
                scenario=scenario,
                seed=root,
                replications=count,
                contacts=options.contacts,
                intervals=options.intervals,
            ):
                by_file[file] = batch_row(file, "skipped", str(target))
            else:
                try:
                    simulate_into(target, scenario, count, root, map_fn, progress, options)
                except Exception as error:  # one scenario's failure must not stop the batch
                    by_file[file], lines = _failure(file, error)
                    errors.extend(lines)
                else:
                    by_file[file] = batch_row(file, "ok", str(target))
            progress.scenario()
    rows = tuple(by_file[file] for file in files)
    write_batch_index(folder, rows)
    return BatchOutcome(rows, tuple(errors), folder)


def _kept_evaluation(prepared: PreparedRun) -> Reduce:
    """What a variant's workers keep of each replication: its evaluation's kept rows (no
    interval rows are measured: a comparison reads the horizon)."""
    return ReplicationEvaluator(prepared.scenario, prepared.workload, interval_kpis=()).kept


def _evaluate_variants(
    scenarios: Sequence[Scenario],
    replications: int,
    seed: int,
    workers: int,
    scheduler: str | None,
    folder: Path,
    progress: Progress,
    engine: str,
) -> tuple[Evaluation, ...]:
    """Evaluations of the scenarios on common random numbers, in order; each replication is
    evaluated in the worker that simulated it, so the parent holds no contact log."""
    with executor(workers, scheduler) as map_fn:
        check_writable(folder)
        progress.start(replications * len(scenarios), len(scenarios))
        runs = run_variants(
            scenarios,
            replications=replications,
            seed=seed,
            map_fn=map_fn,
            progress=progress.replication,
            reduce_for=_kept_evaluation,
            engine=engine,
        )
        evaluations = []
        for run in runs:
            tally = RunTally(ReplicationEvaluator(run.scenario, run.workload), run.seed)
            for kept in run.results:
                tally.add(kept)
            evaluations.append(tally.evaluation())
            progress.scenario()
    return tuple(evaluations)


def compare(
    scenarios: Sequence[ScenarioSource],
    *,
    overrides: Sequence[str] = (),
    replications: int | None = None,
    seed: int | None = None,
    out: str | os.PathLike[str] | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress = SILENT,
    engine: str = "simpy",
) -> ComparisonOutcome:
    """Run scenarios on common random numbers and difference them against the first.

    Parameters
    ----------
    scenarios:
        Two or more scenarios or scenario files (files load with ``overrides``); the first is
        the reference.
    replications, seed:
        Default: the first scenario's ``run`` section.
    out:
        Default ``results/compare_<A>_vs_<B>...``.
    workers, scheduler, progress:
        As in :func:`run`.
    engine:
        As :attr:`reports.run_pipeline.RunOptions.engine`.

    Raises
    ------
    CcplanError
        For fewer than two scenarios, invalid ones, or a folder that cannot be written.
    """
    if len(scenarios) < 2:
        raise InputError("compare needs at least two scenario files")
    loaded = resolve_many(scenarios, overrides)
    count, root = run_settings(loaded[0], replications, seed)
    name = "compare_" + "_vs_".join(scenario.name for scenario in loaded)
    folder = Path(out) if out is not None else RESULTS_ROOT / name
    evaluations = _evaluate_variants(
        loaded, count, root, workers, scheduler, folder, progress, engine
    )
    differences = paired_differences(
        {scenario.name: ev for scenario, ev in zip(loaded, evaluations, strict=True)}
    )
    warnings = tuple(variant_warnings(loaded))
    from reports.comparison_figures import comparison_pngs  # matplotlib: only to draw

    write_folder(
        folder,
        tables={"compare": differences},
        documents={
            "summaries": {
                scenario.name: ev.summary for scenario, ev in zip(loaded, evaluations, strict=True)
            },
            "warnings": list(warnings),
        },
        pngs=comparison_pngs(differences),
    )
    return ComparisonOutcome(loaded, evaluations, differences, count, root, folder, warnings)


def sweep(
    scenario_file: str | os.PathLike[str],
    vary: Sequence[str],
    *,
    overrides: Sequence[str] = (),
    replications: int | None = None,
    seed: int | None = None,
    out: str | os.PathLike[str] | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress = SILENT,
    engine: str = "simpy",
) -> SweepOutcome:
    """Run every combination of the ``vary`` options' values on common random numbers.

    Parameters
    ----------
    scenario_file:
        The scenario file; each variant loads it with ``overrides`` and then its settings.
    vary:
        ``path=v1,v2,...`` options (:func:`scenarios.variants.variant_grid`).
    replications, seed:
        Default: the ``run`` section of the scenario with ``overrides`` only.
    out:
        Default ``results/<name>_sweep``.
    workers, scheduler, progress:
        As in :func:`run`.
    engine:
        As :attr:`reports.run_pipeline.RunOptions.engine`.

    Raises
    ------
    CcplanError
        For bad ``vary`` options, a variant that does not load, or a folder that cannot be
        written.
    """
    grid = variant_grid(vary)
    base = load(scenario_file, overrides)
    scenarios = load_variants(scenario_file, grid, overrides)
    count, root = run_settings(base, replications, seed)
    folder = Path(out) if out is not None else RESULTS_ROOT / f"{base.name}_sweep"
    evaluations = _evaluate_variants(
        scenarios, count, root, workers, scheduler, folder, progress, engine
    )
    table = sweep_table(evaluations, [variant.settings for variant in grid])
    warnings = tuple(variant_warnings(scenarios))
    from reports.comparison_figures import sweep_pngs  # matplotlib: only to draw

    write_folder(
        folder,
        tables={"sweep": table},
        documents={"summaries": [ev.summary for ev in evaluations], "warnings": list(warnings)},
        pngs=sweep_pngs(table, [path for path, _ in grid[0].settings]),
    )
    overview = sweep_headline(table, evaluations, [path for path, _ in grid[0].settings])
    return SweepOutcome(base, grid, evaluations, table, overview, count, root, folder, warnings)
