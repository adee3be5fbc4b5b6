"""The weekly capacity model of ``ccplan hire``: per team and week, the agents the service
needs against the agents the team will have, and what a hiring class adds.

Weeks are seven days from the horizon start (the last may be shorter). For each fixed team with
``hiring_classes`` (a *planned* team):

**Required agents** ``R_w`` and their spread ``σ_R,w`` from the forecast error: the smallest
effective headcount whose shifts meet the team's targets over the week, from the staffing
engine's measures (:mod:`hire.requirement`).

**Available agents** ``A_w``: the nesting-weighted (``effective``) expected headcount in
production, averaged over the week (:func:`staffing.headcount.expected_headcount`, attrition,
dropout, nesting and releases), of the team's starting headcount and the classes held in the
file, plus ``Σ_c x_c·u_c,w`` for the classes a plan adds: ``u_c`` is the path of one hire of a
class starting on candidate date ``c`` (the flow is linear in the class sizes). The variance
of ``A_w`` from attrition is ``H₀·q_w(1 − q_w)``, ``q_w = e^{−ρ t_w}`` the survival of a
starting agent to the week (binomial leavers).

**Breach.** Week ``w`` of the team falls short with probability ``P_w = Φ(−m_w/σ_w)``, margin
``m_w = A_w − R_w + ½`` (the ½ a continuity correction: ``A_w = R_w`` meets the targets),
``σ_w² = σ_R,w² + Var A_w``. A measurement period is measured as a whole, so a short week is
made up by the surplus of the others: its margin is the contact-weighted mean
``M_p = Σ_{w∈p} ω_w·min(m_w, u_w)``, ``ω_w`` the week's share of the period's offered contacts
and ``u_w = max(1, 10 % of R_w, 4σ_w)`` the most surplus a week lends (:data:`SURPLUS_CAP`;
at ``4σ_w`` every week's own risk is negligible, so the cap never keeps a plan from a small
P(breach)), and
``P_p = Φ(−M_p/σ_p)`` with ``σ_p = Σ ω_w σ_w`` (the weeks' errors taken as fully correlated,
an upper bound).

**Money.** Labour: each agent in production paid ``hours_w`` (the shifts' hours of one agent
that week), each trainee the contract week (``fte_hours_per_week``·days/7) with
``paid_training``, at ``labour_cost_per_agent_hour_eur`` plus the overhead per FTE; hiring:
``cost_per_hire_eur`` per hire (dropouts included). The credit of a breached period is what the
team's service clauses (``service_level``, ``asa``, ``abandon_rate``,
``response_within_target`` on its channels) charge at a first miss (:func:`period_credit`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from hire.requirement import Weeks, contacts, required, required_sd, weeks_of
from scenarios.errors import InputError
from staffing import solve
from staffing.headcount import (
    MONTH_S,
    WEEK_S,
    Cohort,
    HeadcountPath,
    expected_headcount,
    team_cohorts,
    team_nesting,
    team_releases,
)

if TYPE_CHECKING:
    from scenarios.demand import Workload
    from scenarios.hiring_classes import HiringClasses
    from scenarios.partner import Team
    from scenarios.scenario import Scenario
    from staffing.fixed_point import WorkloadPlan

__all__ = ["CapacityModel", "TeamCapacity", "Weeks", "capacity_model"]

SURPLUS_CAP = 0.1
"""Surplus agents above a week's requirement count towards its period up to this share of the
requirement: beyond it a week's service is near its ceiling and lends no more."""
SURPLUS_SIGMAS = 4.0
"""... and at least this many standard deviations of the week's margin."""
SERVICE_KPIS = frozenset({"service_level", "asa", "abandon_rate", "response_within_target"})
"""Clause KPIs that capacity moves; a breach of the analytic model is a miss of these."""


@dataclass(frozen=True, eq=False)
class Flows:
    """Weekly flows of a workforce (arrays over weeks, or classes × weeks): ``effective`` and
    ``headcount`` (mean over the week), ``in_training`` (mean), ``hired``, ``left`` and
    ``released`` (sums)."""

    effective: np.ndarray
    headcount: np.ndarray
    in_training: np.ndarray
    hired: np.ndarray
    left: np.ndarray
    released: np.ndarray

    def scaled(self, sizes: np.ndarray) -> Flows:
        """``Σ_c sizes_c · flows_c`` of per-class unit flows."""
        return Flows(*(np.asarray(sizes, np.float64) @ getattr(self, f) for f in _FIELDS))

    def plus(self, other: Flows) -> Flows:
        """The sum of two workforces' flows."""
        return Flows(*(getattr(self, f) + getattr(other, f) for f in _FIELDS))


_FIELDS = ("effective", "headcount", "in_training", "hired", "left", "released")


@dataclass(frozen=True, eq=False)
class TeamCapacity:
    """One planned team of the weekly model (module notes).

    Attributes
    ----------
    name, index:
        The team and its position in ``partner.teams``.
    rules:
        Its ``hiring_classes``.
    required, required_sd:
        ``R_w`` and ``σ_R,w`` (effective agents in production).
    base, base_var:
        Flows without the classes a plan adds, and ``Var A_w`` from attrition.
    candidates, unit:
        Dates a class may start on, and the flows of one hire of each (classes × weeks).
    hours_per_agent, trainee_hours:
        Paid hours per week of an agent in production and of a trainee (0 unpaid).
    hour_cost, hire_cost, release_cost:
        Euros per paid hour (labour and overhead), per hire, per release.
    release_unit:
        Flows of one agent released at the start of each week (weeks × weeks), or None.
    credit:
        Credit of a breached measurement period, per period (euros).
    contacts, surplus_cap:
        Offered contacts of the team's measured channels per week (the weights of a period's
        weeks), and the most surplus agents a week may lend its period (:data:`SURPLUS_CAP`).
    """

    name: str
    index: int
    rules: HiringClasses
    required: np.ndarray
    required_sd: np.ndarray
    base: Flows
    base_var: np.ndarray
    candidates: tuple[date, ...]
    unit: Flows
    hours_per_agent: np.ndarray
    trainee_hours: np.ndarray
    hour_cost: float
    hire_cost: float
    release_cost: float
    release_unit: Flows | None
    credit: np.ndarray
    contacts: np.ndarray
    surplus_cap: np.ndarray

    def labour_eur(self, flows: Flows) -> np.ndarray:
        """Labour cost per week of ``flows`` (agents in production and trainees)."""
        hours = flows.headcount * self.hours_per_agent + flows.in_training * self.trainee_hours
        return hours * self.hour_cost

    def hiring_eur(self, flows: Flows) -> np.ndarray:
        """Hiring and release cost per week of ``flows``."""
        return flows.hired * self.hire_cost + flows.released * self.release_cost

    @property
    def unit_cost(self) -> np.ndarray:
        """Cost of one hire of each candidate class over the horizon."""
        return self.labour_eur(self.unit).sum(axis=-1) + self.hiring_eur(self.unit).sum(axis=-1)


@dataclass(frozen=True, eq=False)
class CapacityModel:
    """The weekly model of a scenario: its weeks and planned teams."""

    weeks: Weeks
    teams: tuple[TeamCapacity, ...]
    fte_hours_per_week: float


def _weekly(path: HeadcountPath, weeks: Weeks) -> Flows:
    index = weeks.of_interval(path.headcount.size)
    count = np.bincount(index, minlength=weeks.n).astype(np.float64)

    def mean(x: np.ndarray) -> np.ndarray:
        return np.bincount(index, weights=x, minlength=weeks.n) / count

    def total(x: np.ndarray) -> np.ndarray:
        return np.bincount(index, weights=x, minlength=weeks.n)

    return Flows(
        mean(path.effective),
        mean(path.headcount),
        mean(path.in_training),
        total(path.hired),
        total(path.left),
        total(path.released),
    )


def _path(
    cohorts: tuple[Cohort, ...],
    team: Team,
    workload: Workload,
    releases: tuple[tuple[float, float], ...] = (),
) -> HeadcountPath:
    return expected_headcount(
        cohorts,
        interval_s=workload.interval_s,
        n_intervals=workload.n_intervals,
        attrition_per_month_frac=team.attrition_per_month,
        nesting=team_nesting(team),
        releases=releases,
    )


def candidate_dates(rules: HiringClasses, scenario: Scenario) -> tuple[date, ...]:
    """Dates a new class may start: allowed by the rules, from ``lead_time_weeks`` after the
    horizon start, reaching production before the horizon end, not a day a held class starts."""
    horizon = scenario.horizon
    first = horizon.start + timedelta(days=math.ceil(rules.lead_time_weeks * 7 - 1e-9))
    last = horizon.end - timedelta(days=math.ceil(rules.training_weeks * 7 - 1e-9))
    held = {c.start for c in rules.classes}
    days = (first + timedelta(days=k) for k in range(max(0, (last - first).days + 1)))
    return tuple(d for d in days if rules.allows_start(d) and d not in held)


def period_credit(
    scenario: Scenario, team: Team, weeks: Weeks, roster_hours: np.ndarray
) -> np.ndarray:
    """Credit of a breached measurement period of ``team``, per period (module notes).

    Per service clause on the team's channels: ``fixed`` and ``banded`` schemes their (first
    band's) share of the period fee, ``linear`` its cap (else one point), ``per_unit`` its cap
    (else nothing); the sum at most ``at_risk_cap`` of the fee. The period fee is the contract's
    fixed fee prorated by days, or the pricing applied to the starting rosters' hours
    (``roster_hours``: per week, every team) when the fee is from the pricing.
    """
    contract = scenario.contract
    credit = np.zeros(len(weeks.period_labels))
    if contract is None:
        return credit
    days = np.bincount(weeks.period, weights=weeks.days.astype(np.float64))
    fixed = contract.fee.fixed_per_billing_period_eur
    billing_days = {"day": 1.0, "week": 7.0, "month": 30.4375, "quarter": 91.3125}
    if fixed is not None:
        fee = fixed * days / billing_days[contract.fee.billing_period]
    else:
        pricing = scenario.partner.pricing
        hours = np.bincount(weeks.period, weights=roster_hours)
        if pricing is None:
            fee = np.zeros_like(days)
        elif pricing.per_agent_hour_eur is not None:
            fee = hours * pricing.per_agent_hour_eur
        elif pricing.per_fte_month_eur is not None:
            fee = hours / scenario.partner.fte_hours_per_month * pricing.per_fte_month_eur
        else:
            fee = np.zeros_like(days)
    share = 0.0
    for clause in contract.clauses:
        if clause.kpi not in SERVICE_KPIS or clause.channel not in team.channels:
            continue
        penalty = clause.penalty
        if penalty is None:
            continue
        if penalty.scheme == "fixed":
            share += penalty.percent_of_fee
        elif penalty.scheme == "banded":
            share += penalty.bands[0].percent_of_fee
        elif penalty.scheme == "linear":
            if penalty.cap_percent_of_fee is not None:
                share += penalty.cap_percent_of_fee
            elif penalty.per_point_percent_of_fee is not None:
                share += penalty.per_point_percent_of_fee
        credit += 0.0 if penalty.scheme != "per_unit" else (penalty.cap_eur or 0.0)
    if contract.at_risk_cap is not None:
        share = min(share, contract.at_risk_cap)
    return credit + share * fee


def _team_capacity(
    scenario: Scenario, workload: Workload, plan: WorkloadPlan, weeks: Weeks, index: int
) -> TeamCapacity:
    team = scenario.partner.teams[index]
    rules = team.hiring_classes
    assert rules is not None, "a planned team has hiring classes"
    partner = scenario.partner
    if partner.labour_cost_per_agent_hour_eur is None:
        raise InputError(
            "partner.labour_cost_per_agent_hour_eur: ccplan hire needs the cost of a paid hour"
        )
    base = _weekly(
        _path(team_cohorts(team, scenario), team, workload, team_releases(team, scenario)), weeks
    )
    candidates = candidate_dates(rules, scenario)
    units = []
    for day in candidates:
        employed = (day - scenario.horizon.start).days * 86400.0
        cohort = Cohort(1.0, employed, employed + rules.training_weeks * WEEK_S, rules.dropout)
        units.append(_weekly(_path((cohort,), team, workload), weeks))
    unit = Flows(
        *(np.array([getattr(u, f) for u in units]).reshape(len(units), weeks.n) for f in _FIELDS)
    )
    roster = np.asarray(plan.teams[team.name].roster, np.float64)
    hours = np.bincount(weeks.of_interval(roster.size), weights=roster, minlength=weeks.n) * (
        workload.interval_s / 3600.0
    )
    starting = team.staffing.headcount  # type: ignore[union-attr]
    need = required(plan, scenario, team, weeks, np.ones(weeks.n))
    rate = -math.log1p(-team.attrition_per_month) / MONTH_S
    mid = (np.arange(weeks.n) * 7 + weeks.days / 2.0) * 86400.0
    survive = np.exp(-rate * mid)
    overhead = partner.overhead_per_fte_month_eur / partner.fte_hours_per_month
    release_unit = None
    if rules.ramp_down is not None:
        paths = [
            _weekly(_path((), team, workload, ((7.0 * 86400.0 * w, 1.0),)), weeks)
            for w in range(weeks.n)
        ]
        release_unit = Flows(*(np.array([getattr(p, f) for p in paths]) for f in _FIELDS))
    all_hours = np.zeros(weeks.n)
    for other in plan.teams.values():
        all_hours += np.bincount(
            weeks.of_interval(other.roster.size),
            weights=np.asarray(other.roster, np.float64),
            minlength=weeks.n,
        ) * (workload.interval_s / 3600.0)
    need_sd = required_sd(scenario, team, weeks, workload, need)
    variance = starting * survive * (1.0 - survive)
    spread_sq = need_sd**2 + variance
    return TeamCapacity(
        name=team.name,
        index=index,
        rules=rules,
        required=need,
        required_sd=need_sd,
        base=base,
        base_var=variance,
        candidates=candidates,
        unit=unit,
        hours_per_agent=hours / starting,
        trainee_hours=(partner.fte_hours_per_week * weeks.days / 7.0) * float(rules.paid_training),
        hour_cost=partner.labour_cost_per_agent_hour_eur + overhead,
        hire_cost=partner.cost_per_hire_eur,
        release_cost=0.0 if rules.ramp_down is None else rules.ramp_down.cost_per_release_eur,
        release_unit=release_unit,
        credit=period_credit(scenario, team, weeks, all_hours),
        contacts=contacts(plan, team, weeks),
        surplus_cap=np.maximum.reduce(
            [SURPLUS_CAP * need, np.ones(weeks.n), SURPLUS_SIGMAS * np.sqrt(spread_sq)]
        ),
    )


def capacity_model(scenario: Scenario, workload: Workload) -> CapacityModel:
    """The weekly capacity model of every team with ``hiring_classes`` (module notes).

    Raises
    ------
    InputError
        Without a team with ``hiring_classes``, or without the labour cost.
    """
    planned = [
        i for i, team in enumerate(scenario.partner.teams) if team.hiring_classes is not None
    ]
    if not planned:
        raise InputError(
            "ccplan hire plans the teams with hiring_classes; the scenario has none "
            "(partner.teams.N.hiring_classes)"
        )
    weeks = weeks_of(scenario, workload)
    plan = solve(scenario, workload)
    teams = tuple(_team_capacity(scenario, workload, plan, weeks, i) for i in planned)
    return CapacityModel(weeks, teams, scenario.partner.fte_hours_per_week)
