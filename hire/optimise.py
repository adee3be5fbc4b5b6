"""The cheapest hiring plan of the weekly capacity model: a mixed-integer programme solved by
HiGHS (:func:`scipy.optimize.milp`).

Variables, per planned team: the size ``x_c`` (integer) and the use ``y_c`` (binary) of a class
on each candidate date ``c``; with a ramp-down, the agents ``r_w`` (integer) released at the
start of week ``w``; per measurement period ``p`` its standardised worst slack ``g_p`` and the
steps ``b_{p,k}`` (binary) of a staircase in ``g_p``.

Constraints: ``min_size·y_c ≤ x_c ≤ max_size·y_c``; ``Σ y_c ≤ max_classes``;
``r_w ≤ max_per_week``; for every week ``w`` of period ``p``,
``g_p ≤ m_w/σ_w`` with the margin ``m_w = A_w − R_w + ½`` (linear in ``x`` and ``r``; the ½ is
the continuity correction of an integer requirement, so that ``A_w = R_w`` meets it) and
``σ_w = max(σ, σ_min)`` of :mod:`hire.capacity`; ``g_p ≥ z_lo + Σ_k b_{p,k}·Δ_k`` with
``b_{p,k} ≥ b_{p,k+1}``.

**Expected total cost** (default): minimise labour and hiring of the classes and releases plus
``Σ_p C_p·P̂(g_p)``, ``C_p`` the credit of a breached period and ``P̂`` the staircase
``Φ(−z_k)`` on the grid :data:`Z_GRID` (``P̂ = 1`` below its first point, 0 above its last): an
upper bound of ``Φ(−g)`` that the binary steps make exact on the grid.

**Bounded risk** (``max_p_breach = α``): minimise labour and hiring subject to ``m_w ≥ z_α·σ_w``
in every week a class can reach (:func:`reachable`; earlier weeks are what they are),
``z_α = Φ⁻¹(1 − α)``: ``P_w = Φ(−m_w/σ_w) ≤ α`` in those weeks and so in every period made of
them (a period's risk is its worst week's, :mod:`hire.capacity`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix
from scipy.stats import norm

from scenarios.errors import InputError

if TYPE_CHECKING:
    from hire.capacity import CapacityModel, Flows, TeamCapacity

__all__ = ["SIGMA_MIN", "Z_GRID", "Plan", "TeamPlan", "optimise", "staircase_p"]

Z_GRID = np.round(np.arange(-4.0, 4.0001, 0.2), 10)
"""Standardised slacks at which the staircase of P(breach) steps (41 points)."""
SIGMA_MIN = 0.05
"""Floor of a week's spread (agents): a deterministic week is met iff ``A_w ≥ R_w``."""
_RELEASE_ROOM = 1e4


@dataclass(frozen=True)
class TeamPlan:
    """One team's plan: ``classes`` as ``(start, size)`` and ``releases`` as ``(date, agents)``,
    in date order."""

    team: str
    classes: tuple[tuple[date, int], ...]
    releases: tuple[tuple[date, int], ...] = ()


@dataclass(frozen=True)
class Plan:
    """A hiring plan for every planned team, and the MILP's objective (euros) when solved."""

    teams: tuple[TeamPlan, ...]
    objective_eur: float = float("nan")


def staircase_p(z: np.ndarray) -> np.ndarray:
    """``P̂(z)``: ``Φ(−z_k)`` for the largest grid point ``z_k ≤ z``, 1 below the grid, 0 at or
    above its last point."""
    z = np.asarray(z, np.float64)
    k = np.searchsorted(Z_GRID, z + 1e-9, side="right") - 1
    p = np.where(k >= 0, norm.sf(Z_GRID[np.clip(k, 0, None)]), 1.0)
    return np.where(k >= Z_GRID.size - 1, 0.0, p)


def sigma(team: TeamCapacity) -> np.ndarray:
    """``σ_w``: the spread of a week's margin, at least :data:`SIGMA_MIN`."""
    return np.maximum(np.sqrt(team.required_sd**2 + team.base_var), SIGMA_MIN)


def reachable(team: TeamCapacity) -> np.ndarray:
    """Weeks in which some candidate class (or a release) changes the available agents: the
    weeks a plan can act on; the bound holds there."""
    moved = np.any(team.unit.effective > 0, axis=0) if len(team.candidates) else np.zeros(0, bool)
    if team.release_unit is not None:
        moved = moved | np.any(team.release_unit.effective != 0, axis=0)
    return (
        np.asarray(moved, dtype=bool).reshape(-1)
        if moved.size
        else np.zeros(team.required.size, dtype=bool)
    )


def release_flows(team: TeamCapacity, releases: np.ndarray) -> Flows | None:
    """Flows of ``releases[w]`` agents released at the start of each week (None: none)."""
    if team.release_unit is None or not np.any(releases):
        return None
    return team.release_unit.scaled(releases)


class _Columns:
    """Column bookkeeping of the programme."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.low: list[float] = []
        self.high: list[float] = []
        self.integer: list[int] = []

    def add(
        self, n: int, cost: np.ndarray | float, low: float, high: float, integer: int
    ) -> np.ndarray:
        start = len(self.cost)
        self.cost += list(np.broadcast_to(np.asarray(cost, np.float64), (n,)))
        self.low += [low] * n
        self.high += [high] * n
        self.integer += [integer] * n
        return np.arange(start, start + n)


class _Rows:
    """Sparse rows ``low ≤ a·v ≤ high``."""

    def __init__(self) -> None:
        self.r: list[int] = []
        self.c: list[int] = []
        self.v: list[float] = []
        self.low: list[float] = []
        self.high: list[float] = []

    def add(self, cols: np.ndarray, vals: np.ndarray, low: float, high: float) -> None:
        row = len(self.low)
        keep = np.asarray(vals) != 0
        self.r += [row] * int(keep.sum())
        self.c += list(np.asarray(cols)[keep])
        self.v += list(np.asarray(vals, np.float64)[keep])
        self.low.append(low)
        self.high.append(high)


@dataclass
class _TeamColumns:
    size: np.ndarray
    used: np.ndarray
    released: np.ndarray | None


def _team_programme(
    model: CapacityModel,
    team: TeamCapacity,
    cols: _Columns,
    rows: _Rows,
    max_p_breach: float | None,
) -> tuple[_TeamColumns, float]:
    """Add one team's columns and rows; return them and the constant of its objective."""
    rules = team.rules
    n_c = len(team.candidates)
    weeks = model.weeks
    size = cols.add(n_c, team.unit_cost, 0.0, float(rules.max_size), 1)
    used = cols.add(n_c, 0.0, 0.0, 1.0, 1)
    for c in range(n_c):
        rows.add(np.array([size[c], used[c]]), np.array([1.0, -rules.min_size]), 0.0, np.inf)
        rows.add(np.array([size[c], used[c]]), np.array([1.0, -rules.max_size]), -np.inf, 0.0)
    if rules.max_classes is not None and n_c:
        held = len(rules.classes)
        rows.add(used, np.ones(n_c), -np.inf, float(max(rules.max_classes - held, 0)))
    released = None
    margin_cols, margin_unit = size, team.unit.effective
    if team.release_unit is not None and rules.ramp_down is not None:
        cap = rules.ramp_down.max_per_week
        unit = team.release_unit
        cost = team.labour_eur(unit).sum(axis=1) + team.release_cost
        released = cols.add(weeks.n, cost, 0.0, float(cap or 100_000), 1)
        margin_cols = np.concatenate([size, released])
        margin_unit = np.vstack([team.unit.effective, unit.effective])
    spread = sigma(team)
    base_margin = team.base.effective - team.required + 0.5
    constant = float(team.labour_eur(team.base).sum() + team.hiring_eur(team.base).sum())
    if max_p_breach is not None:
        z_alpha = float(norm.isf(max_p_breach))
        for w in np.flatnonzero(reachable(team)):
            need = z_alpha * spread[w] - base_margin[w]
            rows.add(margin_cols, margin_unit[:, w], need, np.inf)
        return _TeamColumns(size, used, released), constant
    # releases may lower a margin below the no-hire plan's: room for them under the staircase
    room = 0.0 if released is None else _RELEASE_ROOM
    for p in range(len(weeks.period_labels)):
        in_p = np.flatnonzero(weeks.period == p)
        credit = float(team.credit[p])
        if credit <= 0.0 or in_p.size == 0:
            continue
        worst = float(np.min(base_margin[in_p] / spread[in_p]))
        z_lo = min(Z_GRID[0], worst) - room
        gap = cols.add(1, 0.0, -np.inf, np.inf, 0)
        steps_z = np.concatenate([[z_lo], Z_GRID])
        delta = np.diff(steps_z)
        p_after = np.append(norm.sf(Z_GRID[:-1]), 0.0)
        p_before = np.concatenate([[1.0], p_after[:-1]])
        steps = cols.add(Z_GRID.size, -credit * (p_before - p_after), 0.0, 1.0, 1)
        constant += credit
        for week in in_p:
            # g_p ≤ (base + Σ u·x) / σ_w
            rows.add(
                np.concatenate([[gap[0]], margin_cols]),
                np.concatenate([[1.0], -margin_unit[:, week] / spread[week]]),
                -np.inf,
                base_margin[week] / spread[week],
            )
        rows.add(np.concatenate([gap, steps]), np.concatenate([[1.0], -delta]), z_lo, np.inf)
        for k in range(Z_GRID.size - 1):
            rows.add(steps[k : k + 2], np.array([1.0, -1.0]), 0.0, np.inf)
    return _TeamColumns(size, used, released), constant


def optimise(
    model: CapacityModel, max_p_breach: float | None = None, time_limit_s: float = 60.0
) -> Plan:
    """The plan of least expected total cost, or the cheapest plan whose P(breach) stays at or
    below ``max_p_breach`` in every week (module notes).

    Raises
    ------
    InputError
        When no plan within the class rules meets ``max_p_breach``, or HiGHS finds none in time.
    """
    if max_p_breach is not None and not 0.0 < max_p_breach < 1.0:
        raise InputError(
            f"--max-p-breach must lie strictly between 0% and 100% (got {max_p_breach})"
        )
    cols, rows = _Columns(), _Rows()
    parts, constant = [], 0.0
    for team in model.teams:
        part, const = _team_programme(model, team, cols, rows, max_p_breach)
        parts.append(part)
        constant += const
    n = len(cols.cost)
    matrix = coo_matrix((rows.v, (rows.r, rows.c)), shape=(len(rows.low), n)).tocsr()
    result = milp(
        c=np.asarray(cols.cost),
        integrality=np.asarray(cols.integer),
        bounds=Bounds(np.asarray(cols.low), np.asarray(cols.high)),
        constraints=LinearConstraint(matrix, np.asarray(rows.low), np.asarray(rows.high)),
        options={"time_limit": time_limit_s, "mip_rel_gap": 1e-7},
    )
    if result.x is None:
        if max_p_breach is not None:
            raise InputError(
                f"no plan within the hiring_classes rules keeps P(breach) at or below "
                f"{max_p_breach:.0%} in every week a class can reach (raise max_size, "
                "max_classes or the bound)"
            )
        raise InputError(f"the hiring optimiser found no plan: {result.message}")
    x = np.round(result.x).astype(np.int64)
    teams = []
    for team, part in zip(model.teams, parts, strict=True):
        classes = tuple(
            (team.candidates[c], int(x[col])) for c, col in enumerate(part.size) if x[col] > 0
        )
        releases: tuple[tuple[date, int], ...] = ()
        if part.released is not None:
            releases = tuple(
                (model.weeks.start[w], int(x[col]))
                for w, col in enumerate(part.released)
                if x[col] > 0
            )
        teams.append(TeamPlan(team.name, classes, releases))
    return Plan(tuple(teams), float(result.fun) + constant)


def shifted(plan: TeamPlan, index: int, days: int) -> TeamPlan:
    """``plan`` with class ``index`` starting ``days`` later (earlier when negative)."""
    classes = list(plan.classes)
    start, size = classes[index]
    classes[index] = (start + timedelta(days=days), size)
    return TeamPlan(plan.team, tuple(sorted(classes)), plan.releases)
