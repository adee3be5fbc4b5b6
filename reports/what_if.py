"""What would change a run's contract risk: a small sensitivity built into the run report.

No replication is simulated again. For a staffing change the Erlang screen
(:mod:`staffing.screening`) gives each service clause's value in every interval before and
after the change; their difference, averaged over the intervals of each measurement period
with the interval's expected first contacts as weights, is the period's move ``δ_p``. The
simulated values of every replication are moved by it and P(breach) counted again
(:func:`sla_eval.shifted_risk.shifted_p_breach`). The screen models ``service_level`` and
``response_within_target`` clauses (:data:`staffing.screening.SCREENED_KPIS`); the others are
listed as not modelled.

The changes, each of every team's roster as the simulation takes it
(:func:`staffing.team_rosters`):

* **one agent more / less** of the clause's team on duty in every interval the team works;
* the **staffing factor** ``f`` on every roster (:func:`staffing.roster.scaled_rosters`) that
  brings the clause to P(breach) <= :data:`LEVEL`: for a clause above the level the smallest
  ``f > 1`` that does, for one at or below it the smallest ``f < 1`` that keeps it there (the
  slack), searched by bisection on a grid of step :data:`FACTOR_STEP` over
  :data:`FACTOR_RANGE`.

* the **curve**: P(breach) of every screened clause at the staffing factors
  :data:`CURVE_FACTORS` (the run report draws it against the partner's labour cost).

The cost is bounded: ``1 + 2 · teams`` screens for the agents, at most
``2 · ⌈log2(grid size)⌉ + 2`` per clause for the factors and ``len(CURVE_FACTORS)`` for the
curve (screens are cached by factor); :class:`WhatIf` records how many screens ran and how long
they took.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sla_eval.shifted_risk import shifted_p_breach
from staffing import team_rosters
from staffing.roster import scaled_rosters
from staffing.screening import SCREENED_KPIS, channel_agents, clause_interval_values

if TYPE_CHECKING:
    from scenarios.contract import Clause
    from scenarios.demand import Workload
    from scenarios.scenario import Scenario

__all__ = [
    "CURVE_COLUMNS",
    "CURVE_FACTORS",
    "FACTOR_RANGE",
    "FACTOR_STEP",
    "LEVEL",
    "ClauseWhatIf",
    "WhatIf",
    "what_if",
]

LEVEL = 0.10
"""The P(breach) the staffing factor is searched for."""
FACTOR_STEP = 0.01
"""Step of the staffing factor grid."""
FACTOR_RANGE = (0.5, 2.0)
"""Smallest and largest staffing factor searched."""
CURVE_FACTORS = (0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3)
"""The staffing factors of the curve."""
CURVE_COLUMNS = ("factor", "clause", "p_breach", "p_breach_ci95_low", "p_breach_ci95_high")
"""Columns of :attr:`WhatIf.curve`."""

Risk = tuple[float, float, float]
"""P(breach) with its Wilson 95 % interval: ``(p, low, high)``."""


@dataclass(frozen=True)
class ClauseWhatIf:
    """The sensitivity of one screened clause.

    Attributes
    ----------
    clause, team:
        The clause id and the team serving its channel.
    p_breach:
        As simulated.
    plus_one, minus_one:
        With one agent more or less of ``team`` on duty in every interval it works.
    factor:
        The staffing factor on every roster that brings P(breach) to :data:`LEVEL` (module
        docstring); None when no factor of :data:`FACTOR_RANGE` does.
    factor_p_breach:
        P(breach) at ``factor`` (None with it).
    """

    clause: str
    team: str
    p_breach: Risk
    plus_one: Risk
    minus_one: Risk
    factor: float | None
    factor_p_breach: Risk | None


@dataclass(frozen=True)
class WhatIf:
    """The sensitivity of a run (module docstring).

    Attributes
    ----------
    level:
        :data:`LEVEL`.
    clauses:
        One entry per screened clause, in contract order.
    not_modelled:
        Ids of the clauses the screen does not model.
    curve:
        P(breach) of every screened clause at each of :data:`CURVE_FACTORS`
        (:data:`CURVE_COLUMNS`).
    screens, seconds:
        Screens evaluated and the time they took.
    """

    level: float
    clauses: tuple[ClauseWhatIf, ...]
    not_modelled: tuple[str, ...]
    curve: pd.DataFrame
    screens: int
    seconds: float


def _period_index(workload: Workload, rows: pd.DataFrame) -> np.ndarray:
    """The measurement period of every interval (-1 before the first)."""
    starts = rows.drop_duplicates("period").sort_values("period_start")
    origin = pd.Timestamp(workload.start)
    times = origin + pd.to_timedelta(np.asarray(workload.interval_start_s), unit="s")
    position = np.searchsorted(starts["period_start"].to_numpy(), times.to_numpy(), side="right")
    periods = starts["period"].to_numpy(np.int64)
    return np.where(position > 0, periods[np.maximum(position - 1, 0)], -1)


class _Screen:
    """Period means of the screened clauses for a set of rosters, counted."""

    def __init__(
        self, scenario: Scenario, workload: Workload, clauses: list[Clause], rows: pd.DataFrame
    ) -> None:
        self.scenario, self.workload, self.clauses = scenario, workload, clauses
        own = rows.assign(clause=rows["clause"].astype(str))
        self.periods = {c.id: _period_index(workload, own[own["clause"] == c.id]) for c in clauses}
        self.count = 0

    def means(self, rosters: Mapping[str, np.ndarray]) -> dict[str, dict[int, float]]:
        """Clause id -> period -> weighted mean of the screened value."""
        self.count += 1
        agents = channel_agents(self.scenario, self.workload, dict(rosters))
        found = {}
        for clause in self.clauses:
            values, weights = clause_interval_values(
                self.scenario, self.workload, clause, agents[clause.channel]
            )
            frame = pd.DataFrame(
                {"period": self.periods[clause.id], "v": np.nan_to_num(values) * weights}
            ).assign(w=weights)
            sums = frame[frame["w"] > 0].groupby("period")[["v", "w"]].sum()
            found[clause.id] = (sums["v"] / sums["w"]).to_dict()
        return found


def _shift(base: Mapping[int, float], other: Mapping[int, float]) -> dict[int, float]:
    return {period: other[period] - value for period, value in base.items() if period in other}


def _grid_index(grid: np.ndarray, factor: float) -> int:
    return int(np.argmin(np.abs(grid - factor)))


def _bisect(ok: Callable[[int], bool], low: int, high: int) -> int | None:
    """The smallest index in ``[low, high]`` where the monotone ``ok`` holds, or None."""
    if not ok(high):
        return None
    while low < high:
        middle = (low + high) // 2
        if ok(middle):
            high = middle
        else:
            low = middle + 1
    return low


def what_if(
    scenario: Scenario, workload: Workload, contract_rows: pd.DataFrame, level: float = LEVEL
) -> WhatIf:
    """The sensitivity of a run's screened clauses to staffing (module docstring).

    Parameters
    ----------
    contract_rows:
        The run's contract evaluation (:data:`sla_eval.CONTRACT_COLUMNS`).
    level:
        The P(breach) the staffing factor is searched for.
    """
    began = time.perf_counter()
    assert scenario.contract is not None, "only a contract has clauses to change"
    clauses = [
        clause
        for clause in scenario.contract.clauses
        if clause.kpi in SCREENED_KPIS and clause.channel in scenario.channels
    ]
    screen = _Screen(scenario, workload, clauses, contract_rows)
    rosters = team_rosters(scenario, workload)
    base = screen.means(rosters)
    moved = {}
    for team in scenario.partner.teams:
        roster = rosters[team.name]
        working = roster > 0
        for step in (1, -1):
            changed = dict(rosters)
            changed[team.name] = np.where(working, np.maximum(roster + step, 0), 0)
            moved[team.name, step] = screen.means(changed)
    grid = np.round(np.arange(FACTOR_RANGE[0], FACTOR_RANGE[1] + FACTOR_STEP / 2, FACTOR_STEP), 2)
    one = _grid_index(grid, 1.0)
    cache: dict[int, dict[str, dict[int, float]]] = {}

    def at(index: int) -> dict[str, dict[int, float]]:
        if index not in cache:
            cache[index] = screen.means(scaled_rosters(rosters, float(grid[index])))
        return cache[index]

    found = []
    for clause in clauses:
        served_by = scenario.team_of(clause.channel).name

        def risk(means: Mapping[str, Mapping[int, float]], clause: Clause = clause) -> Risk:
            return shifted_p_breach(
                contract_rows, clause, _shift(base[clause.id], means[clause.id])
            )

        simulated = risk(base)
        factor = None
        if not math.isnan(simulated[0]):
            above = simulated[0] > level
            low, high = (one + 1, len(grid) - 1) if above else (0, one)
            factor = _bisect(lambda i: risk(at(i))[0] <= level, low, high)
        found.append(
            ClauseWhatIf(
                clause=clause.id,
                team=served_by,
                p_breach=simulated,
                plus_one=risk(moved[served_by, 1]),
                minus_one=risk(moved[served_by, -1]),
                factor=None if factor is None else float(grid[factor]),
                factor_p_breach=None if factor is None else risk(at(factor)),
            )
        )
    curve = [
        (factor, clause.id, *shifted_p_breach(
            contract_rows, clause, _shift(base[clause.id], at(_grid_index(grid, factor))[clause.id])
        ))
        for factor in CURVE_FACTORS
        for clause in clauses
    ]  # fmt: skip
    return WhatIf(
        level=level,
        clauses=tuple(found),
        not_modelled=tuple(c.id for c in scenario.contract.clauses if c not in clauses),
        curve=pd.DataFrame(curve, columns=list(CURVE_COLUMNS)),
        screens=screen.count,
        seconds=time.perf_counter() - began,
    )
