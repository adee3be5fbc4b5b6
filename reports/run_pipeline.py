"""One scenario simulated into its results folder, a replication at a time, in constant memory.

:func:`simulate_into` is what ``ccplan run`` and ``ccplan batch`` do for each scenario: it
prepares the scenario (:func:`sim.experiment.prepare_run`), submits its replications with
:class:`reports.replication_files.ReplicationFiles` as the ``reduce`` (each worker evaluates its
own replication and encodes its files), writes what comes back into a staging folder
(:class:`reports.run_folder.RunFolder`) and, once every replication is in, the files that need
all of them (:func:`reports.results_folder.write_run_files`) and any ``extras``. The parent
holds only the horizon KPI rows, contract rows and money of each replication: a few kilobytes,
whatever the horizon.

Two ways to grow a run:

* **append** (``ccplan run --append``): the replications of the existing folder are taken over
  and new ones get the next indices. Replication ``r`` draws from the streams of
  ``SeedSequence(seed)`` keyed by ``r`` (:mod:`sim.streams`) whatever run made it, so the pooled
  folder is the one a single run of all the replications would have written. Refused when the
  folder's scenario fingerprint (:func:`scenarios.fingerprint.fingerprint`) or seed differ, or
  when it keeps contact logs or interval rows and this run would not (or the reverse).
* **precision** (``--precision``): after each batch, every target is measured
  (:func:`sla_eval.precision.precision_checks`); the run grows to the largest projected count of
  the targets not met, at least one more replication per worker, and stops when all are met or
  at ``max_replications``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from reports.answer import Answer, run_answer
from reports.interval_band import BAND_KPIS
from reports.replication_files import (
    CONTACTS_DIR,
    KPIS_DIR,
    ReplicationFiles,
    stored_parts,
    stores_intervals,
)
from reports.results_folder import read_summary, write_run_files
from reports.run_folder import RunFolder
from reports.staging import staged_folder
from scenarios.errors import InputError
from scenarios.fingerprint import fingerprint
from scenarios.limits import MAX_REPLICATIONS
from scenarios.scenario import Scenario
from sim.experiment import PreparedRun, prepare_run
from sim.progress import Progress
from sim.runner import ENGINES, MapFn, check_count
from sla_eval.evaluation import Evaluation
from sla_eval.precision import PrecisionCheck, PrecisionTarget, precision_checks
from sla_eval.replication import ReplicationEvaluator

__all__ = [
    "AUTO_ENGINE",
    "DEFAULT_OPTIONS",
    "LARGE_RUN",
    "Extra",
    "FolderRun",
    "RunOptions",
    "band_channels",
    "run_engine",
    "simulate_into",
]

Extra = Callable[[Path, Scenario, Evaluation, pd.DataFrame], None]
"""``extra(stage, scenario, evaluation, plan)`` writes one more file into the staged results folder
(an optional workbook, say) before it becomes the results folder."""


AUTO_ENGINE = "auto"
"""The ``engine`` that lets :func:`run_engine` choose."""
LARGE_RUN = 100
"""Replications from which ``auto`` runs the compiled engine."""


@dataclass(frozen=True)
class RunOptions:
    """What a run writes and how far it grows.

    Attributes
    ----------
    contacts:
        Write the contact logs (``contacts.parquet/``).
    intervals:
        Keep every ``interval`` KPI row in ``kpis.parquet/`` (otherwise the interval service
        levels only).
    report:
        Draw the figures and write ``report.html``.
    append:
        Add the replications to those of the existing folder.
    targets:
        Precision targets (:func:`sla_eval.precision.parse_precision`).
    max_replications:
        The most replications in the folder when growing to ``targets``.
    extras:
        More files for the staged folder (:data:`Extra`), written last.
    engine:
        ``"simpy"`` or ``"numba"``, what simulates a replication (:func:`sim.runner.simulate`),
        or ``"auto"``: :func:`run_engine` chooses.
    """

    contacts: bool = False
    intervals: bool = False
    report: bool = True
    append: bool = False
    targets: tuple[PrecisionTarget, ...] = ()
    max_replications: int = MAX_REPLICATIONS
    extras: tuple[Extra, ...] = ()
    engine: str = AUTO_ENGINE


DEFAULT_OPTIONS = RunOptions()
"""No contact logs, no interval rows but the service levels, the report, no growing, the
engine :func:`run_engine` chooses."""


def run_engine(engine: str, replications: int, targets: Sequence[PrecisionTarget]) -> str:
    """The engine a run uses: ``engine`` itself, unless it is ``"auto"``: then the compiled
    engine (``"numba"``) for a run grown to precision targets or of at least
    :data:`LARGE_RUN` replications, the SimPy model (``"simpy"``, the reference) otherwise.

    Both engines write the same logs from the same seed (the differential tests of
    ``tests/sim``), so the choice changes the time a run takes, never its results. The
    compiled engine's kernels load from Numba's cache in about 0.3 s, but compile once after
    an install (about 25 s), which a short run would not win back.

    Raises
    ------
    InputError
        For an unknown engine.
    """
    if engine not in (AUTO_ENGINE, *ENGINES):
        raise InputError(f"--engine must be auto, simpy or numba (got {engine!r})")
    if engine != AUTO_ENGINE:
        return engine
    return "numba" if targets or replications >= LARGE_RUN else "simpy"


@dataclass(frozen=True, eq=False)
class FolderRun:
    """What :func:`simulate_into` produced.

    Attributes
    ----------
    evaluation:
        The run's evaluation: horizon KPI rows, contract rows, money and summary.
    replications:
        Replications in the folder (earlier ones included when appending).
    added:
        Replications this run simulated.
    checks:
        The precision targets measured on the final folder (empty without targets).
    prepared:
        The scenario as simulated: its workload and staffing plan.
    """

    evaluation: Evaluation
    replications: int
    added: int
    checks: tuple[PrecisionCheck, ...]
    prepared: PreparedRun

    @cached_property
    def answer(self) -> Answer | None:
        """The run's answer (:func:`reports.answer.run_answer`, with the run's own plan),
        computed once, on first use (the report and the terminal both open with it); None
        without a contract."""
        prepared, evaluation = self.prepared, self.evaluation
        return run_answer(
            prepared.scenario,
            prepared.plan,
            evaluation.kpis,
            evaluation.contract,
            evaluation.summary,
            prepared.workload,
        )


def band_channels(scenario: Scenario) -> tuple[str, ...]:
    """The channels with a service target, whose interval service level the figure draws."""
    return tuple(
        name for name, channel in scenario.channels.items() if channel.service_target is not None
    )


def check_appendable(folder: Path, scenario: Scenario, seed: int, options: RunOptions) -> int:
    """The replications of the results folder ``folder`` that a run may append to.

    Raises
    ------
    InputError
        When ``folder`` holds no complete results, or results of another scenario (fingerprint)
        or seed, or with other files kept (contact logs, interval rows).
    """
    summary = read_summary(folder)
    if summary is None:
        raise InputError(f"{folder}: --append needs a complete results folder (no summary.json)")
    if summary.get("scenario_sha256") != fingerprint(scenario):
        raise InputError(
            f"{folder}: --append refused: the folder holds another scenario (fingerprint "
            f"{str(summary.get('scenario_sha256'))[:12]}, this one {fingerprint(scenario)[:12]})"
        )
    if summary.get("seed") != seed:
        raise InputError(
            f"{folder}: --append refused: the folder's seed is {summary.get('seed')}, "
            f"this run's {seed}"
        )
    count = summary.get("replications")
    parts = stored_parts(folder / KPIS_DIR)
    if not isinstance(count, int) or len(parts) != count:
        raise InputError(f"{folder}: --append needs the folder's {count} KPI parts in kpis.parquet")
    for kept, name, flag in (
        ((folder / CONTACTS_DIR).is_dir(), "contact logs", "--contacts"),
        (stores_intervals(folder), "interval KPI rows", "--intervals"),
    ):
        wanted = options.contacts if flag == "--contacts" else options.intervals
        if kept != wanted:
            has, use = ("keeps", "with") if kept else ("does not keep", "without")
            raise InputError(
                f"{folder}: --append refused: the folder {has} {name}; run {use} {flag} to add "
                "to it"
            )
    return count


def _grown_to(checks: Sequence[PrecisionCheck], have: int, slots: int, most: int) -> int:
    """The replications to have after the next batch: the largest projection of a target not
    met, at least ``slots`` more, at most ``most``."""
    needed = max(check.needed for check in checks if not check.met)
    return min(most, max(needed, have + slots))


def simulate_into(
    folder: Path,
    scenario: Scenario,
    replications: int,
    seed: int,
    map_fn: MapFn,
    progress: Progress,
    options: RunOptions,
) -> FolderRun:
    """Simulate ``replications`` more replications of ``scenario`` into its results folder.

    Parameters
    ----------
    folder:
        The results folder; written completely or not at all (``docs/results.md``).
    replications:
        Replications to add (the first batch, when growing to precision targets).
    seed:
        The root seed.
    map_fn:
        Where replications run (:func:`sim.executors.executor`).
    progress:
        Told of every replication (the caller starts it); started again with the new total
        when a batch is added.
    options:
        What to write and how to grow (:class:`RunOptions`).

    Raises
    ------
    InputError
        For a refused ``--append`` or a folder that cannot be written.
    """
    check_count("--max-replications", options.max_replications, 1, MAX_REPLICATIONS)
    earlier = check_appendable(folder, scenario, seed, options) if options.append else 0
    check_count("replications", earlier + replications, 1, MAX_REPLICATIONS)
    engine = run_engine(options.engine, earlier + replications, options.targets)
    prepared = prepare_run(scenario, seed, engine)
    files = ReplicationFiles(
        ReplicationEvaluator(scenario, prepared.workload, None if options.intervals else BAND_KPIS),
        band_channels(scenario),
        contacts=options.contacts,
        intervals=options.intervals,
        views=options.report,
    )
    slots = max(1, int(getattr(map_fn, "slots", 1)))
    with staged_folder(folder) as stage:
        run = RunFolder(stage, files, seed)
        try:
            if earlier:
                run.adopt(folder, map_fn)
            target = earlier + replications
            checks: tuple[PrecisionCheck, ...] = ()
            while True:
                indices = range(run.replications, target)
                for output in prepared.replications(indices, map_fn=map_fn, reduce=files):
                    run.add(output)
                    progress.replication()
                if not options.targets:
                    break
                checks = tuple(
                    precision_checks(options.targets, run.tally.contract, run.tally.totals)
                )
                if all(check.met for check in checks) or target >= options.max_replications:
                    break
                target = _grown_to(checks, target, slots, options.max_replications)
                progress.start(target - earlier, 1)
            evaluation = run.finish()
            views = None if run.band is None else run.band.rows()
            done = FolderRun(
                evaluation, run.replications, run.replications - earlier, checks, prepared
            )
            write_run_files(
                stage,
                scenario,
                prepared.plan,
                evaluation,
                interval_rows=views,
                report=options.report,
                answer=done.answer if options.report else None,
            )
            for extra in options.extras:
                extra(stage, scenario, evaluation, prepared.plan)
        finally:
            run.close()
    return done
