"""The cheapest hiring plan of the weekly capacity model: a mixed-integer programme solved by
HiGHS (:func:`scipy.optimize.milp`).

Variables, per planned team: the size ``x_c`` (integer) and the use ``y_c`` (binary) of a class
on each candidate date ``c``; with a ramp-down, the agents ``r_w`` (integer) released at the
start of week ``w``; per measurement period ``p`` its standardised worst slack ``g_p`` and the
steps ``b_{p,k}`` (binary) of a staircase in ``g_p``.

Constraints: ``min_size·y_c ≤ x_c ≤ max_size·y_c``; ``Σ y_c ≤ max_classes``;
``r_w ≤ max_per_week``; for every week ``w`` of period ``p`` a slack ``s_w ≤ m_w`` (the margin
``A_w − R_w + ½``, linear in ``x`` and ``r``) and ``s_w ≤ u_w``, so that ``Σ ω_w s_w`` is at
most the period margin ``M_p`` of :mod:`hire.capacity` (``σ_w`` at least :data:`SIGMA_MIN`);
``g_p ≤ Σ ω_w s_w/σ_p`` and ``g_p ≥ z_lo + Σ_k b_{p,k}·Δ_k`` with ``b_{p,k} ≥ b_{p,k+1}``.

**Expected total cost** (default): minimise labour and hiring of the classes and releases plus
``Σ_p C_p·P̂(g_p)``, ``C_p`` the credit of a breached period and ``P̂`` the staircase
``Φ(−z_k)`` on the grid :data:`Z_GRID` (``P̂ = 1`` below its first point, 0 above its last): an
upper bound of ``Φ(−g)`` that the binary steps make exact on the grid.

**Bounded risk** (``max_p_breach = α``): minimise labour and hiring subject to
``Σ ω_w s_w ≥ z_α·σ_p``, ``z_α = Φ⁻¹(1 − α)``, so ``P_p = Φ(−M_p/σ_p) ≤ α``, in every period
whose weeks a class can all reach (:func:`reachable`; a period that starts before the first
class can take contacts is what it is, and is reported).
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
    from hire.requirement import Weeks

__all__ = ["SIGMA_MIN", "Z_GRID", "Plan", "TeamPlan", "optimise", "staircase_p"]

Z_GRID = np.round(np.arange(-4.0, 4.0001, 0.2), 10)
"""Standardised slacks at which the staircase of P(breach) steps (41 points)."""
SIGMA_MIN = 0.05
"""Floor of a week's spread (agents): a deterministic week is met iff ``A_w ≥ R_w``."""
_RELEASE_ROOM = 1e4
TIME_LIMIT_S = 8.0
"""HiGHS stops here with the best plan found and its proven gap (``Plan.gap``)."""
MIP_GAP = 1e-7
"""Relative gap at which HiGHS calls a plan optimal."""


@dataclass(frozen=True)
class TeamPlan:
    """One team's plan: ``classes`` as ``(start, size)`` and ``releases`` as ``(date, agents)``,
    in date order."""

    team: str
    classes: tuple[tuple[date, int], ...]
    releases: tuple[tuple[date, int], ...] = ()


@dataclass(frozen=True)
class Plan:
    """A hiring plan for every planned team; when solved, the MILP's objective (euros) and its
    proven relative gap (0: optimal; above it when the time limit stopped HiGHS, the plan is
    within that share of the best plan's variable cost)."""

    teams: tuple[TeamPlan, ...]
    objective_eur: float = float("nan")
    gap: float = 0.0


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
    base_margin = team.base.effective - team.required + 0.5
    constant = float(team.labour_eur(team.base).sum() + team.hiring_eur(team.base).sum())
    reach = reachable(team)
    # releases may lower a margin below the no-hire plan's: room for them under the staircase
    room = 0.0 if released is None else _RELEASE_ROOM
    for p in range(len(weeks.period_labels)):
        in_p, weight, spread = period_terms(team, weeks, p)
        credit = float(team.credit[p])
        if max_p_breach is None and credit <= 0.0:
            continue
        if max_p_breach is not None and not reach[in_p].all():
            continue
        # s_w ≤ m_w (base + Σ u·x) and s_w ≤ u_w: the week's margin as its period counts it
        slack = cols.add(in_p.size, 0.0, -np.inf, 0.0, 0)
        for k, week in enumerate(in_p):
            cols.high[slack[k]] = float(team.surplus_cap[week])
            rows.add(
                np.concatenate([[slack[k]], margin_cols]),
                np.concatenate([[1.0], -margin_unit[:, week]]),
                -np.inf,
                base_margin[week],
            )
        if max_p_breach is not None:
            rows.add(slack, weight, float(norm.isf(max_p_breach)) * spread, np.inf)
            continue
        base = float(weight @ np.minimum(base_margin[in_p], team.surplus_cap[in_p])) / spread
        z_lo = min(Z_GRID[0], base) - room
        gap = cols.add(1, 0.0, -np.inf, np.inf, 0)
        steps_z = np.concatenate([[z_lo], Z_GRID])
        delta = np.diff(steps_z)
        p_after = np.append(norm.sf(Z_GRID[:-1]), 0.0)
        p_before = np.concatenate([[1.0], p_after[:-1]])
        steps = cols.add(Z_GRID.size, -credit * (p_before - p_after), 0.0, 1.0, 1)
        constant += credit
        # g_p ≤ Σ ω_w s_w / σ_p, g_p ≥ z_lo + Σ_k b_k Δ_k
        rows.add(
            np.concatenate([gap, slack]), np.concatenate([[1.0], -weight / spread]), -np.inf, 0.0
        )
        rows.add(np.concatenate([gap, steps]), np.concatenate([[1.0], -delta]), z_lo, np.inf)
        for k in range(Z_GRID.size - 1):
            rows.add(steps[k : k + 2], np.array([1.0, -1.0]), 0.0, np.inf)
    return _TeamColumns(size, used, released), constant


def period_terms(
    team: TeamCapacity, weeks: Weeks, period: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """The weeks of a period, their weights ``ω_w`` (shares of its offered contacts, equal
    without contacts) and ``σ_p = Σ ω_w σ_w`` (:mod:`hire.capacity`)."""
    in_p = np.flatnonzero(weeks.period == period)
    contacts = team.contacts[in_p]
    total = contacts.sum()
    weight = contacts / total if total > 0 else np.full(in_p.size, 1.0 / in_p.size)
    return in_p, weight, float(weight @ sigma(team)[in_p])


def period_margin(team: TeamCapacity, weeks: Weeks, period: int, effective: np.ndarray) -> float:
    """``M_p/σ_p`` of a period with ``effective`` agents per week."""
    in_p, weight, spread = period_terms(team, weeks, period)
    margin = effective[in_p] - team.required[in_p] + 0.5
    return float(weight @ np.minimum(margin, team.surplus_cap[in_p])) / spread


def optimise(
    model: CapacityModel,
    max_p_breach: float | None = None,
    time_limit_s: float = TIME_LIMIT_S,
) -> Plan:
    """The plan of least expected total cost, or the cheapest plan whose P(breach) stays at or
    below ``max_p_breach`` in every period it can reach (module notes).

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
        options={"time_limit": time_limit_s, "mip_rel_gap": MIP_GAP},
    )
    if result.x is None:
        if max_p_breach is not None:
            raise InputError(
                f"no plan within the hiring_classes rules keeps P(breach) at or below "
                f"{max_p_breach:.0%} in every period classes can reach (raise max_size, "
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
    gap = float(getattr(result, "mip_gap", 0.0) or 0.0)
    return Plan(tuple(teams), float(result.fun) + constant, gap)


def shifted(plan: TeamPlan, index: int, days: int) -> TeamPlan:
    """``plan`` with class ``index`` starting ``days`` later (earlier when negative)."""
    classes = list(plan.classes)
    start, size = classes[index]
    classes[index] = (start + timedelta(days=days), size)
    return TeamPlan(plan.team, tuple(sorted(classes)), plan.releases)
