"""One replication of a scenario, and R replications on any executor.

Replication ``r`` depends only on the scenario, ``seed`` and ``r`` (its streams are keyed by
them, :mod:`sim.streams`), so the results are identical whatever the number of workers or the
executor. :func:`run_replications` takes a ``map``-like callable, ``map_fn(function, items)``
returning the results in order: the builtin ``map`` (one process), a process pool's ``map``
(``workers > 1``), or for instance ``lambda f, xs: client.gather(client.map(f, xs))`` with a
Dask client; the loop is written once.

``engine`` picks what runs a replication: ``"simpy"`` (default), the reference model of
:mod:`sim.model`, or ``"numba"``, the compiled engine of :mod:`sim.compiled`, which gives the
same logs from the same seed.

``reduce`` (a picklable function of a :class:`ReplicationResult`) runs where the replication
runs, and only what it returns travels back: a layer above passes its evaluation down this way
(the KPI and contract rows of a replication instead of its logs) without ``sim`` importing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scenarios.demand import Workload, expand
from scenarios.errors import InputError
from scenarios.scenario import Scenario
from sim.agents import WEEK_S
from sim.build import model_input
from sim.log import agent_frame, outage_frame
from sim.model import ContactCentre
from sim.paid_time import PaidTime, paid_time, trainee_paid_frac
from sim.streams import Streams
from staffing import team_rosters

__all__ = [
    "ENGINES",
    "MapFn",
    "Reduce",
    "ReducedTask",
    "ReplicationResult",
    "ReplicationTask",
    "run_replications",
    "simulate",
]

MapFn = Callable[[Callable, Iterable], Iterable]
ENGINES = ("simpy", "numba")
"""Values of ``engine``: the SimPy model (the reference) and the compiled engine."""


def _checked_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    return engine


def _engine_model(engine: str) -> type:
    """The model class of ``engine``; the compiled one (and Numba) is imported when asked for."""
    if _checked_engine(engine) == "simpy":
        return ContactCentre
    from sim.compiled import CompiledModel

    return CompiledModel


@dataclass(frozen=True)
class ReplicationResult:
    """The three log tables of one replication (schemas in :mod:`scenarios.log_tables`); the
    agent log holds the paid time of :mod:`sim.paid_time` too."""

    replication: int
    contacts: pd.DataFrame
    agents: pd.DataFrame
    outages: pd.DataFrame


def simulate(
    scenario: Scenario,
    replication: int,
    seed: int,
    *,
    workload: Workload | None = None,
    rosters: Mapping[str, np.ndarray] | None = None,
    engine: str = "simpy",
) -> ReplicationResult:
    """Simulate replication ``replication`` of ``scenario`` from ``SeedSequence(seed)``.

    Parameters
    ----------
    workload:
        ``scenarios.demand.expand(scenario)``, computed when absent.
    rosters:
        Scheduled agents on duty per team and interval before shrinkage,
        ``staffing.team_rosters(scenario, workload)`` when absent.
    engine:
        ``"simpy"`` (the reference model) or ``"numba"`` (the compiled engine, same logs).

    Raises
    ------
    InputError
        For an unknown engine.
    """
    engine_model = _engine_model(engine)  # an unknown engine fails before any work
    if workload is None:
        workload = expand(scenario)
    if rosters is None:
        rosters = team_rosters(scenario, workload)
    streams = Streams(seed, replication)
    model = engine_model(model_input(scenario, workload, rosters, streams), streams).run()
    names = scenario.channel_names
    usage = [
        (pool.name, pool.spec.channels, pool.staffed, pool.busy, pool.overtime)
        for pool in model.pools
    ]
    return ReplicationResult(
        replication=replication,
        contacts=model.log.frame(replication, names),
        agents=agent_frame(
            replication, workload.interval_s, usage, _paid(scenario, model, streams, workload)
        ),
        outages=outage_frame(replication, model.outage_rows, names),
    )


def _paid(
    scenario: Scenario, model: ContactCentre, streams: Streams, workload: Workload
) -> list[PaidTime]:
    """Paid roster and training time and hires of every team (:mod:`sim.paid_time`)."""
    frac = trainee_paid_frac(scenario.partner.fte_hours_per_month)
    teams = {team.name: team for team in scenario.partner.teams}
    paid = []
    for pool in model.pools:
        team = teams[pool.name]
        training_weeks, paid_training = 0.0, True
        if team.hiring is not None:
            training_weeks = team.hiring.training_weeks
        elif team.hiring_classes is not None:
            training_weeks = team.hiring_classes.training_weeks
            paid_training = team.hiring_classes.paid_training
        paid.append(
            paid_time(
                pool.spec,
                streams,
                interval_s=workload.interval_s,
                n_intervals=workload.n_intervals,
                training_s=training_weeks * WEEK_S,
                trainee_frac=frac if paid_training else 0.0,
            )
        )
    return paid


class ReplicationTask:
    """A picklable replication job: ``task(r)`` runs replication ``r`` with the task's rosters,
    ``task.run(r, rosters)`` with other rosters (staffing levels, :mod:`sim.levels`).

    The task carries the expanded workload to the worker (``Workload`` pickles by its fields),
    so the scenario is expanded once per run, by the caller. ``engine`` as in :func:`simulate`.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        workload: Workload,
        rosters: Mapping[str, np.ndarray],
        *,
        engine: str = "simpy",
    ):
        self.scenario = scenario
        self.seed = seed
        self.workload = workload
        self.rosters = rosters
        self.engine = _checked_engine(engine)

    def __call__(self, replication: int) -> ReplicationResult:
        return self.run(replication, self.rosters)

    def run(self, replication: int, rosters: Mapping[str, np.ndarray]) -> ReplicationResult:
        """Replication ``replication`` with ``rosters`` (scheduled agents per team)."""
        return simulate(
            self.scenario,
            replication,
            self.seed,
            workload=self.workload,
            rosters=rosters,
            engine=self.engine,
        )


Reduce = Callable[[ReplicationResult], Any]
"""Turns one replication's logs into what is kept (runs in the worker; must be picklable)."""


class ReducedTask:
    """A picklable job: ``task(r)`` simulates replication ``r`` with ``replication`` (a
    :class:`ReplicationTask`) and returns ``reduce`` of its result, so that the logs never
    leave the process that made them."""

    def __init__(self, replication: ReplicationTask, reduce: Reduce):
        self.replication = replication
        self.reduce = reduce

    def __call__(self, replication: int) -> Any:
        return self.reduce(self.replication(replication))


def run_replications(
    scenario: Scenario,
    replications: int | Iterable[int],
    seed: int,
    *,
    map_fn: MapFn | None = None,
    workload: Workload | None = None,
    rosters: Mapping[str, np.ndarray] | None = None,
    engine: str = "simpy",
    reduce: Reduce | None = None,
) -> Iterator[Any]:
    """Run replications ``0 .. R-1`` (or the given indices); an iterator of results in order.

    Parameters
    ----------
    map_fn:
        ``map``-like executor ``map_fn(function, items)`` returning results in item order;
        :func:`sim.executors.executor` gives one for local processes and Dask. Default: the
        builtin ``map``, in this process.
    workload, rosters:
        As in :func:`simulate`; computed once here when absent.
    engine:
        As in :func:`simulate`.
    reduce:
        Applied to each :class:`ReplicationResult` where it was simulated; the iterator then
        yields what it returns (default: the results themselves).

    Raises
    ------
    InputError
        For an unknown engine.
    """
    _checked_engine(engine)
    indices = list(range(replications)) if isinstance(replications, int) else list(replications)
    if workload is None:
        workload = expand(scenario)
    if rosters is None:
        rosters = team_rosters(scenario, workload)
    task = ReplicationTask(scenario, int(seed), workload, dict(rosters), engine=engine)
    job: Callable[[int], Any] = task if reduce is None else ReducedTask(task, reduce)
    return iter((map_fn or map)(job, indices))


def check_count(name: str, value: object, low: int, high: int) -> None:
    """Raise :class:`InputError` unless ``value`` is a whole number from ``low`` to ``high``."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"{name} must be a whole number from {low} to {high:,} (got {value!r})")
