"""A scenario simulated at several staffing levels on common random numbers, with adaptive
replication counts.

A **staffing level** is a factor ``f > 0`` on every team roster of the scenario: in each interval
a team has ``rint(f * scheduled)`` agents on duty (before shrinkage), where ``scheduled`` is
``staffing.team_rosters(scenario, workload)`` (``f = 1`` is the scenario as written; tier 2's
planned agents scale too when its ``agents`` are ``auto``). Every level
runs the replication indices ``0, 1, 2, ...`` from the same seed, so replication ``r`` of two
levels sees the same customers (the streams are keyed by replication, purpose and name, not by
staffing; :mod:`sim.streams`): differences between levels are paired and their confidence
intervals narrow (common random numbers).

:func:`run_levels` keeps only what ``reduce`` makes of each replication (the KPI table, say), in
the worker, so memory stays small whatever the number of levels. Replications are added to a
level in rounds: after each round, ``wanted(level, reduced)`` names the count the level should
reach (its projected need), at least ``step`` more and at most ``max_replications``; the
function deciding it lives with the money analysis (``negotiate.pricing``), so this module
never learns what a contract is.

:func:`parse_levels` reads the ``--levels`` option: ``0.8,0.9,1`` or ``LOW:HIGH:COUNT``.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from scenarios.demand import Workload, expand
from scenarios.errors import InputError
from scenarios.limits import MAX_REPLICATIONS, MAX_SEED
from scenarios.scenario import Scenario
from sim.runner import MapFn, Reduce, ReplicationTask, check_count
from staffing import team_rosters
from staffing.roster import scaled_rosters

__all__ = ["LevelRuns", "check_counts", "parse_levels", "run_levels"]

Wanted = Callable[[float, Sequence[Any]], int]
"""``wanted(level, reduced)``: how many replications a level with these should have in all
(no more than it has: it is done)."""
Planned = Callable[[Mapping[float, int], float], None]
"""``planned(counts, eta_s)``: before an adaptive round, the replications each growing level
will have in all, and the round's expected wall time in seconds."""
_MAX_LEVELS = 200


def _level_text(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"--levels: {text.strip()!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"--levels: staffing factors must be > 0 (got {text.strip()!r})")
    return value


def parse_levels(text: str) -> tuple[float, ...]:
    """Staffing factors from ``"0.8,0.85,0.9"`` or ``"LOW:HIGH:COUNT"`` (COUNT evenly spaced
    factors from LOW to HIGH inclusive), sorted and without duplicates.

    Raises
    ------
    InputError
        One line naming the problem: not a number, a factor <= 0, a range with LOW >= HIGH or
        COUNT < 2, more than 200 levels, fewer than two distinct levels.
    """
    text = text.strip()
    if text.count(":") == 2:
        low_text, high_text, count_text = text.split(":")
        low, high = _level_text(low_text), _level_text(high_text)
        if not re.fullmatch(r"[0-9]+", count_text.strip()) or int(count_text) < 2:
            raise InputError(f"--levels LOW:HIGH:COUNT needs a whole COUNT >= 2 (got {text!r})")
        if low >= high:
            raise InputError(f"--levels LOW:HIGH:COUNT needs LOW < HIGH (got {text!r})")
        count = int(count_text)
        if count > _MAX_LEVELS:
            raise InputError(f"--levels: at most {_MAX_LEVELS} levels (got {count})")
        return tuple(float(round(value, 10)) for value in np.linspace(low, high, count))
    if ":" in text:
        raise InputError(
            f"--levels must be a list 0.8,0.9,1 or a range LOW:HIGH:COUNT (got {text!r})"
        )
    levels = sorted({_level_text(part) for part in text.split(",")})
    if len(levels) < 2:
        raise InputError(f"--levels needs at least two different factors (got {text!r})")
    if len(levels) > _MAX_LEVELS:
        raise InputError(f"--levels: at most {_MAX_LEVELS} levels (got {len(levels)})")
    return tuple(levels)


class _LevelTask:
    """A picklable job: ``task((level_index, replication))`` simulates one replication at one
    level (through :class:`sim.runner.ReplicationTask`) and reduces it."""

    def __init__(
        self,
        replication: ReplicationTask,
        rosters: Sequence[Mapping[str, np.ndarray]],
        reduce: Reduce,
    ):
        self.replication = replication
        self.rosters = rosters
        self.reduce = reduce

    def __call__(self, item: tuple[int, int]) -> tuple[int, int, Any]:
        level, replication = item
        result = self.replication.run(replication, self.rosters[level])
        return level, replication, self.reduce(result)


@dataclass(frozen=True)
class LevelRuns:
    """What :func:`run_levels` produced.

    Attributes
    ----------
    levels:
        The staffing factors, ascending.
    seed:
        The seed of every replication.
    workload:
        ``scenarios.expand(scenario)``.
    rosters:
        Per level, the scaled scheduled agents per team and interval.
    reduced:
        Per level, ``reduce`` of replications ``0 .. n-1`` in index order (``n`` may differ
        between levels; the first ``min n`` replications are common to all).
    """

    levels: tuple[float, ...]
    seed: int
    workload: Workload
    rosters: tuple[Mapping[str, np.ndarray], ...]
    reduced: tuple[tuple[Any, ...], ...]


def check_counts(seed: int, replications: int, max_replications: int, step: int) -> None:
    """Raise :class:`InputError` unless ``0 <= seed <= MAX_SEED``, ``replications >= 2``,
    ``replications <= max_replications <= MAX_REPLICATIONS`` and ``step >= 1`` are whole
    numbers (limits in :mod:`scenarios.limits`)."""
    for name, value, low, high in (
        ("seed", seed, 0, MAX_SEED),
        ("replications", replications, 2, MAX_REPLICATIONS),
        ("max_replications", max_replications, replications, MAX_REPLICATIONS),
        ("step", step, 1, MAX_REPLICATIONS),
    ):
        check_count(name, value, low, high)


def run_levels(
    scenario: Scenario,
    levels: Sequence[float],
    *,
    seed: int,
    reduce: Reduce,
    replications: int,
    max_replications: int | None = None,
    step: int | None = None,
    wanted: Wanted | None = None,
    workload: Workload | None = None,
    map_fn: MapFn | None = None,
    progress: Callable[[int, int], None] | None = None,
    engine: str = "simpy",
    planned: Planned | None = None,
) -> LevelRuns:
    """Simulate ``scenario`` at each staffing factor on common random numbers.

    Parameters
    ----------
    levels:
        Staffing factors (> 0) on the team rosters.
    seed:
        Root seed of every replication at every level.
    reduce:
        What to keep of a replication (runs where the replication runs).
    replications:
        Replications every level starts with (>= 2).
    max_replications, step:
        Adaptive rounds: after each round, every level that grew in it and has fewer than
        ``max_replications`` (default ``replications``: no adaptation) is asked
        ``wanted(level, reduced)``; while that is more than it has, the level grows to it, by
        at least ``step`` (default ``replications``) and to at most ``max_replications``,
        with the next indices.
    workload:
        ``scenarios.expand(scenario)``, computed here when absent.
    map_fn:
        ``map``-like executor (:func:`sim.executors.executor`); default this process. All the
        replications of a round (every level needing more) are submitted at once.
    progress:
        Called as each replication finishes with ``(finished, submitted)``: the replications
        finished so far and those submitted so far (which grows with each adaptive round).
    engine:
        ``"simpy"`` or ``"numba"`` (:func:`sim.runner.simulate`).
    planned:
        Called before each adaptive round (not the first) with the new count of every level
        that grows and the round's expected wall time: the wall time per replication so far
        times the replications it adds.
    """
    max_replications = replications if max_replications is None else max_replications
    step = replications if step is None else step
    check_counts(seed, replications, max_replications, step)
    factors = tuple(sorted({float(level) for level in levels}))
    if not factors:
        raise InputError("give at least one staffing level")
    if workload is None:
        workload = expand(scenario)
    base = team_rosters(scenario, workload)
    rosters = tuple(scaled_rosters(base, factor) for factor in factors)
    replication = ReplicationTask(scenario, int(seed), workload, base, engine=engine)
    task = _LevelTask(replication, rosters, reduce)
    reduced: list[list[Any]] = [[] for _ in factors]
    counts = {index: replications for index in range(len(factors))}
    finished = submitted = 0
    started_s = time.monotonic()
    while counts:
        items = [
            (index, replication)
            for index, count in counts.items()
            for replication in range(len(reduced[index]), count)
        ]
        submitted += len(items)
        for level, _replication, value in _results(task, items, map_fn):
            reduced[level].append(value)
            finished += 1
            if progress is not None:
                progress(finished, submitted)
        if wanted is None:
            break
        grown, counts = counts, {}
        for index in grown:
            have = len(reduced[index])
            if have < max_replications:
                count = wanted(factors[index], tuple(reduced[index]))
                if count > have:
                    counts[index] = min(max(count, have + step), max_replications)
        if counts and planned is not None:
            added = sum(count - len(reduced[index]) for index, count in counts.items())
            per_replication_s = (time.monotonic() - started_s) / max(finished, 1)
            grown_to = {factors[index]: count for index, count in counts.items()}
            planned(grown_to, added * per_replication_s)
    return LevelRuns(
        levels=factors,
        seed=int(seed),
        workload=workload,
        rosters=rosters,
        reduced=tuple(tuple(items) for items in reduced),
    )


def _results(task: _LevelTask, items: list, map_fn: MapFn | None) -> Iterator[tuple]:
    return iter((map_fn or map)(task, items))
