"""A scenario run end to end, and variants of a scenario on common random numbers.

:func:`run_scenario` expands the workload, plans the staffing, builds the team rosters and runs
the replications ``0 .. R-1`` from one seed; it returns a :class:`ScenarioRun`, which is what
``sla_eval.evaluation.evaluate_run`` reads (the duck-typed ``contacts``, ``agents`` and
``outages`` tables of every replication together).

:func:`run_variants` runs several scenarios (the variants of a sweep, or the scenarios of a
comparison) with the **same seed and the same replication indices**, so replication ``r`` of every
variant sees the same random numbers wherever the variants agree (common random numbers; the
streams are keyed by purpose and channel, :mod:`sim.streams`). Their differences are then paired
per replication and their confidence intervals are much narrower than those of independent runs.

:func:`prepare_run` does the first steps only and returns a :class:`PreparedRun`, whose
replications a caller submits itself, by index and in as many rounds as it needs, keeping only
what a ``reduce`` function makes of each one where it ran (``reports.workflows`` evaluates each
replication in its worker this way, so that its memory does not grow with the replications).

>>> from scenarios import load
>>> from sim.executors import executor
>>> scenario = load("scenarios/examples/mmn.yaml")  # doctest: +SKIP
>>> with executor(workers=2) as map_fn:  # doctest: +SKIP
...     run = run_scenario(scenario, replications=4, seed=1, map_fn=map_fn)
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from scenarios.demand import Workload, expand
from scenarios.limits import MAX_REPLICATIONS, MAX_SEED
from scenarios.scenario import Scenario
from sim.runner import MapFn, Reduce, check_count, run_replications
from staffing import plan, team_rosters

__all__ = ["PreparedRun", "Progress", "ScenarioRun", "prepare_run", "run_scenario", "run_variants"]

Progress = Callable[[Any], None]
"""Called with each replication's result (or what ``reduce`` kept of it) as it arrives, in
replication order."""


@dataclass(frozen=True, eq=False)
class ScenarioRun:
    """Everything one run of a scenario produced.

    Attributes
    ----------
    scenario:
        The scenario that was run.
    seed:
        The seed of every replication (``SeedSequence(seed)``, keyed by replication index).
    workload:
        ``scenarios.expand(scenario)``.
    plan:
        The interval staffing plan, ``staffing.plan(scenario, workload)``.
    rosters:
        Scheduled agents per team and interval, ``staffing.team_rosters(scenario, workload)``.
    results:
        One :class:`sim.runner.ReplicationResult` per replication, in index order, or what
        ``reduce`` kept of it (then ``contacts``, ``agents`` and ``outages`` do not apply).
    """

    scenario: Scenario
    seed: int
    workload: Workload
    plan: pd.DataFrame
    rosters: Mapping[str, np.ndarray]
    results: tuple[Any, ...]

    @property
    def replications(self) -> tuple[int, ...]:
        """The replication indices, in order."""
        return tuple(result.replication for result in self.results)

    @cached_property
    def contacts(self) -> pd.DataFrame:
        """Contact logs of every replication, one table (``scenarios.log_tables``)."""
        return _concat(result.contacts for result in self.results)

    @cached_property
    def agents(self) -> pd.DataFrame:
        """Agent logs of every replication, one table."""
        return _concat(result.agents for result in self.results)

    @cached_property
    def outages(self) -> pd.DataFrame:
        """Outage logs of every replication, one table."""
        return _concat(result.outages for result in self.results)


def _concat(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(list(frames), ignore_index=True)


def _check(replications: int, seed: int) -> None:
    check_count("replications", replications, 1, MAX_REPLICATIONS)
    check_count("seed", seed, 0, MAX_SEED)


@dataclass(frozen=True, eq=False)
class PreparedRun:
    """A scenario ready to simulate: its workload and rosters, the seed, and (on first use) the
    staffing plan.

    ``prepared.replications(indices, map_fn=..., reduce=...)`` submits replications by index,
    as many times as wanted (rounds of a run grown until it is precise, replications added to an
    earlier run): replication ``r`` is the same whenever it runs.
    """

    scenario: Scenario
    seed: int
    workload: Workload
    rosters: Mapping[str, np.ndarray]
    engine: str = "simpy"

    @cached_property
    def plan(self) -> pd.DataFrame:
        """The interval staffing plan, ``staffing.plan(scenario, workload)`` (computed on first
        use, so that replications submitted before it run meanwhile)."""
        return plan(self.scenario, self.workload)

    def replications(
        self,
        indices: Iterable[int],
        *,
        map_fn: MapFn | None = None,
        reduce: Reduce | None = None,
    ) -> Iterator[Any]:
        """Submit replications ``indices`` (:func:`sim.runner.run_replications`); an iterator
        of their results, or of what ``reduce`` made of them in the worker, in order."""
        return run_replications(
            self.scenario,
            indices,
            self.seed,
            map_fn=map_fn or map,
            workload=self.workload,
            rosters=self.rosters,
            engine=self.engine,
            reduce=reduce,
        )


def prepare_run(scenario: Scenario, seed: int, engine: str = "simpy") -> PreparedRun:
    """Expand ``scenario`` and build its team rosters, ready to simulate from ``seed`` with
    ``engine`` (``"simpy"`` or ``"numba"``, :func:`sim.runner.simulate`).

    Raises
    ------
    InputError
        For a seed outside ``0 .. MAX_SEED``.
    """
    check_count("seed", seed, 0, MAX_SEED)
    workload = expand(scenario)
    return PreparedRun(scenario, int(seed), workload, team_rosters(scenario, workload), engine)


@dataclass(frozen=True)
class _Started:
    """A scenario whose replications are submitted; ``results`` yields them in order."""

    prepared: PreparedRun
    results: Iterator[Any]


def _start(
    scenario: Scenario,
    replications: int,
    seed: int,
    map_fn: MapFn | None,
    reduce_for: Callable[[PreparedRun], Reduce | None],
    engine: str,
) -> _Started:
    prepared = prepare_run(scenario, seed, engine)
    results = prepared.replications(range(replications), map_fn=map_fn, reduce=reduce_for(prepared))
    return _Started(prepared, results)


def _finish(started: _Started, progress: Progress | None) -> ScenarioRun:
    results = []
    for result in started.results:
        results.append(result)
        if progress is not None:
            progress(result)
    prepared = started.prepared
    return ScenarioRun(
        prepared.scenario,
        prepared.seed,
        prepared.workload,
        prepared.plan,
        prepared.rosters,
        tuple(results),
    )


def run_scenario(
    scenario: Scenario,
    *,
    replications: int,
    seed: int,
    map_fn: MapFn | None = None,
    progress: Progress | None = None,
    reduce: Reduce | None = None,
    engine: str = "simpy",
) -> ScenarioRun:
    """Plan, roster and simulate replications ``0 .. replications-1`` of ``scenario``.

    Parameters
    ----------
    replications, seed:
        How many replications, and the seed they all derive from.
    map_fn:
        Where they run (:func:`sim.executors.executor`); default this process.
    progress:
        Called with each result as it arrives, in order.
    reduce:
        What to keep of each replication, computed where it runs
        (:func:`sim.runner.run_replications`); the run's ``results`` are then its outputs.
    engine:
        ``"simpy"`` or ``"numba"`` (:func:`sim.runner.simulate`).

    Raises
    ------
    InputError
        For replications < 1 or a negative seed.
    """
    _check(replications, seed)
    started = _start(scenario, replications, int(seed), map_fn, lambda _: reduce, engine)
    return _finish(started, progress)


def run_variants(
    scenarios: Iterable[Scenario],
    *,
    replications: int,
    seed: int,
    map_fn: MapFn | None = None,
    progress: Progress | None = None,
    reduce_for: Callable[[PreparedRun], Reduce] | None = None,
    engine: str = "simpy",
) -> Iterator[ScenarioRun]:
    """Run every scenario on common random numbers; yield their runs in order.

    All variants use ``seed`` and the replication indices ``0 .. replications-1``. Work is
    submitted a few variants ahead, enough to keep ``map_fn.slots`` workers busy (an
    :class:`sim.executors.Executor` has them; any other ``map_fn`` counts as one slot), so that
    replications of several variants run at the same time while only those variants' logs are
    held in memory; with ``reduce_for``, a function of each variant's :class:`PreparedRun`
    giving its ``reduce`` (as in :func:`run_scenario`: a variant's evaluation needs its own
    scenario and workload), only what that keeps. ``engine`` as in :func:`run_scenario`.
    """
    _check(replications, seed)
    ahead = max(1, math.ceil(getattr(map_fn, "slots", 1) / replications))
    pending: deque[_Started] = deque()
    reduce: Callable[[PreparedRun], Reduce | None] = reduce_for or (lambda _: None)
    for scenario in scenarios:
        pending.append(_start(scenario, replications, int(seed), map_fn, reduce, engine))
        if len(pending) > ahead:
            yield _finish(pending.popleft(), progress)
    while pending:
        yield _finish(pending.popleft(), progress)
