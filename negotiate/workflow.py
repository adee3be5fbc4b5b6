"""What ``ccplan negotiate`` does, as one function: :func:`negotiate`.

1. Screen staffing factors analytically (:mod:`staffing.screening`) and, unless levels are
   given, pick 11 levels over the range where the contract's clauses turn.
2. Simulate the scenario at every level on common random numbers
   (:func:`sim.levels.run_levels`), keeping each replication's KPI table only, and grow each
   level's replications until its expected service credit is known within the precision of
   :class:`negotiate.pricing.PrecisionRule`.
3. Price the contract at every level and analyse it (:func:`negotiate.analysis.analyse`).
4. Write ``negotiation.json``, the CSV tables, figures and ``report.html``
   (:func:`negotiate.report.write_negotiation`; fields in ``docs/negotiation.md``).

>>> from negotiate.workflow import negotiate
>>> outcome = negotiate("scenarios/examples/baseline.yaml", workers=2)  # doctest: +SKIP
>>> outcome.negotiation.document["best_response"]  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from negotiate.analysis import Negotiation, analyse
from negotiate.pricing import DEFAULT_ALPHA, LossModel, PrecisionRule, level_kpis, target_clause
from negotiate.report import write_negotiation
from negotiate.sensitivity import measurement_scenario
from reports.staging import check_writable
from scenarios.demand import Workload, expand
from scenarios.loader import ScenarioSource, resolve
from scenarios.scenario import Scenario
from sim.executors import executor
from sim.levels import Planned, check_counts, parse_levels, run_levels
from sim.progress import SILENT, Progress
from staffing.screening import crossings, screen_levels, screened_range

__all__ = ["DEFAULT_LEVELS", "NegotiationOutcome", "negotiate"]

DEFAULT_LEVELS = 11
"""Levels simulated over the screened range when none are given."""
RESULTS_ROOT = Path("results")


@dataclass(frozen=True, eq=False)
class NegotiationOutcome:
    """What :func:`negotiate` produced.

    Attributes
    ----------
    scenario:
        The scenario negotiated.
    negotiation:
        The analysis: ``negotiation.json`` and its tables (:class:`negotiate.analysis.Negotiation`).
    levels:
        The staffing factors simulated, ascending.
    kpis:
        Per level, the KPI table of its replications (day, week and month periods), on which
        other contract variants can be priced without simulating again
        (:func:`negotiate.pricing.price_levels`).
    workload:
        The scenario's expanded workload.
    folder:
        The folder written.
    """

    scenario: Scenario
    negotiation: Negotiation
    levels: tuple[float, ...]
    kpis: tuple[pd.DataFrame, ...]
    workload: Workload
    folder: Path


def negotiate(
    scenario: ScenarioSource,
    *,
    overrides: Sequence[str] = (),
    levels: Sequence[float] | str | None = None,
    replications: int = 10,
    max_replications: int = 400,
    seed: int | None = None,
    clause: str | None = None,
    max_miss_frac: float = DEFAULT_ALPHA,
    loss: LossModel | None = None,
    out: str | os.PathLike[str] | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress = SILENT,
    engine: str = "numba",
    planned: Planned | None = None,
) -> NegotiationOutcome:
    """Simulate the partner's staffing at several levels and price the contract at each.

    Parameters
    ----------
    scenario:
        A :class:`scenarios.Scenario`, or the scenario file to load with ``overrides``.
    levels:
        Staffing factors on every team roster, or their ``--levels`` text
        (:func:`sim.levels.parse_levels`); default :data:`DEFAULT_LEVELS` levels over the range
        the Erlang screen picks.
    replications, max_replications:
        Replications every level starts with, and the most it may grow to.
    seed:
        Default: the scenario's ``run.seed``.
    clause, max_miss_frac:
        The client's target clause (default: the first service-level clause) and the largest
        share of periods it may miss.
    loss:
        The client's loss model, for the loss-matching penalty.
    out:
        Default ``results/<name>_negotiation``.
    workers, scheduler, progress:
        Where replications run, and who is told of them.
    engine:
        ``"numba"`` (default: the compiled engine gives the SimPy model's logs to the bit,
        ``tests/sim/test_engine_examples.py``, several times faster) or ``"simpy"``
        (:func:`sim.runner.simulate`).
    planned:
        Told before each adaptive round of the replications every growing level will have and
        the round's expected wall time (:data:`sim.levels.Planned`), before they are submitted.

    Raises
    ------
    CcplanError
        For an invalid scenario, a scenario without a contract clause to target, bad levels or
        counts, or a folder that cannot be written.
    """
    factors = parse_levels(levels) if isinstance(levels, str) else levels
    loaded = resolve(scenario, overrides)
    target = target_clause(loaded, clause)
    root = loaded.run.seed if seed is None else seed
    check_counts(root, replications, max_replications, replications)
    workload = expand(loaded)
    screen = screen_levels(loaded, workload)
    screened: dict = {"range": None, "crossings": crossings(screen)}
    if factors is None:
        low, high = screened_range(screen)
        screened["range"] = [low, high]
        factors = parse_levels(f"{low}:{high}:{DEFAULT_LEVELS}")
    folder = Path(out) if out is not None else RESULTS_ROOT / f"{loaded.name}_negotiation"
    with executor(workers, scheduler) as map_fn:
        check_writable(folder)
        progress.start(replications * len(factors), 1)
        runs = run_levels(
            loaded,
            factors,
            seed=root,
            reduce=functools.partial(level_kpis, measurement_scenario(loaded, target)),
            replications=replications,
            max_replications=max_replications,
            wanted=PrecisionRule(loaded, workload, max_replications),
            workload=workload,
            map_fn=map_fn,
            progress=progress.replications_of,
            engine=engine,
            planned=planned,
        )
    kpis = tuple(pd.concat(tables, ignore_index=True) for tables in runs.reduced)
    negotiation = analyse(
        loaded,
        runs.levels,
        kpis,
        workload,
        seed=root,
        screening=screen,
        screened=screened,
        clause_id=target.id,
        alpha=max_miss_frac,
        loss=loss,
    )
    write_negotiation(folder, loaded, negotiation)
    return NegotiationOutcome(loaded, negotiation, runs.levels, kpis, workload, folder)
