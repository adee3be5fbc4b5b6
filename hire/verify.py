"""The recommended hiring plan and its neighbours, simulated on common random numbers.

The weekly model (:mod:`hire.capacity`) is an approximation; this module checks its plan by
the simulation itself. Variants: the plan; each class one week earlier and one week later (when
the rules allow that date); the largest class ``± step`` hires (within its size bounds); no new
class. Each variant is the scenario with its classes written into ``hiring_classes.classes``,
run over the **periods that matter**: from the horizon start to the end of the last
measurement period in which some variant's analytic P(breach) reaches
:data:`MATTERS_P` (the simulation must start where the headcount is known). All variants
use the same seed and replication indices, so they see the same customers, absences and
leavers where they agree (common random numbers; Law, *Simulation Modeling and Analysis*, 5th
ed., section 11.2), and their differences are paired (:func:`sla_eval.paired_differences`).

Per variant and period: P(breach) of the **service clauses** on the planned teams' channels
(``service_level``, ``asa``, ``abandon_rate``, ``response_within_target``: what hiring moves),
with its Wilson 95 % interval, and the mean credit of those clauses; per variant the paired
differences of the contract money and the partner's cost against the plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hire.capacity import SERVICE_KPIS
from hire.evaluate import evaluate_plan
from hire.optimise import Plan, TeamPlan, shifted
from scenarios.demand import expand
from scenarios.hiring_classes import HiringClass, Release
from sim.progress import SILENT, Progress
from sim.runner import run_replications
from sla_eval.evaluation import evaluate_run
from sla_eval.summary import summarise, wilson_interval
from staffing import team_rosters

if TYPE_CHECKING:
    from hire.capacity import CapacityModel
    from scenarios.scenario import Scenario
    from sim.runner import MapFn

__all__ = ["MATTERS_P", "Verified", "neighbours", "plan_scenario", "verify"]

MONEY = ("partner_cost_eur", "labour_cost_eur", "hiring_cost_eur", "penalty_eur", "net_credit_eur")
"""Money per replication compared between variants (sums over the simulated periods)."""
MATTERS_P = 0.005
"""Analytic P(breach) from which a measurement period is simulated."""
PLAN_LABEL = "plan"


@dataclass(frozen=True, eq=False)
class Verified:
    """What the simulation showed (module notes).

    Attributes
    ----------
    variants:
        Label to plan, the recommended plan first (``"plan"``).
    periods:
        Per variant and period: ``p_breach`` with ``ci95_low``/``ci95_high`` and ``n``
        replications, ``mean_credit_eur`` of the service clauses, and the analytic
        ``p_breach_model``.
    differences:
        Per variant but the plan and per metric (:data:`MONEY`): ``n`` pairs, both means, the
        mean paired difference (variant minus plan) and its t-based 95 % interval.
    days, replications, seed:
        The simulated days from the horizon start, replications per variant, the seed.
    """

    variants: dict[str, Plan]
    periods: pd.DataFrame
    differences: pd.DataFrame
    days: int
    replications: int
    seed: int


def neighbours(model: CapacityModel, plan: Plan, step: int = 2) -> dict[str, Plan]:
    """The plan and its neighbours by label (module notes), the plan first."""
    out = {PLAN_LABEL: plan}
    none = Plan(tuple(TeamPlan(t.team, (), t.releases) for t in plan.teams))
    for t, team_plan in enumerate(plan.teams):
        team = model.teams[t]
        for i, (start, _) in enumerate(team_plan.classes):
            for days, word in ((-7, "earlier"), (7, "later")):
                moved = shifted(team_plan, i, days)
                taken = [c[0] for c in moved.classes]
                if all(d in team.candidates for d in taken) and len(set(taken)) == len(taken):
                    label = f"{team.name}: class of {start} a week {word}"
                    out[label] = _with(plan, t, moved)
        if team_plan.classes:
            i = max(range(len(team_plan.classes)), key=lambda k: team_plan.classes[k][1])
            start, size = team_plan.classes[i]
            for delta in (-step, step):
                new = size + delta
                if team.rules.min_size <= new <= team.rules.max_size:
                    classes = list(team_plan.classes)
                    classes[i] = (start, new)
                    sign = "+" if delta > 0 else "-"
                    out[f"{team.name}: {sign}{abs(delta)} hires on {start}"] = _with(
                        plan, t, TeamPlan(team.name, tuple(classes), team_plan.releases)
                    )
    if any(t.classes for t in plan.teams):
        out["no new class"] = none
    return out


def _with(plan: Plan, index: int, team_plan: TeamPlan) -> Plan:
    teams = list(plan.teams)
    teams[index] = team_plan
    return Plan(tuple(teams))


def plan_scenario(scenario: Scenario, plan: Plan, days: int | None = None) -> Scenario:
    """``scenario`` with the plan's classes and releases added to ``hiring_classes`` (those
    starting inside the first ``days`` days, the horizon cut to them when given)."""
    horizon = scenario.horizon
    if days is not None:
        horizon = horizon.model_copy(update={"days": days})
    end = horizon.start + timedelta(days=horizon.days - 1)
    by_name = {p.team: p for p in plan.teams}
    teams = []
    for team in scenario.partner.teams:
        rules = team.hiring_classes
        if rules is None or team.name not in by_name:
            teams.append(team)
            continue
        own = by_name[team.name]
        held = [c for c in rules.classes if c.start <= end]
        added = [HiringClass(start=s, size=n) for s, n in own.classes if s <= end]
        releases = [r for r in rules.releases if r.date <= end]
        releases += [Release(date=d, agents=n) for d, n in own.releases if d <= end]
        classes = tuple(sorted([*held, *added], key=lambda c: c.start))
        new_rules = rules.model_copy(update={"classes": classes, "releases": tuple(releases)})
        teams.append(team.model_copy(update={"hiring_classes": new_rules}))
    partner = scenario.partner.model_copy(update={"teams": tuple(teams)})
    return scenario.model_copy(update={"partner": partner, "horizon": horizon})


def _days_that_matter(model: CapacityModel, variants: dict[str, Plan], scenario: Scenario) -> int:
    weeks = model.weeks
    last = -1
    for plan in variants.values():
        periods = evaluate_plan(model, plan).periods
        risky = periods[(periods["team"] == "all") & (periods["p_breach"] >= MATTERS_P)]
        for label in risky["period"]:
            last = max(last, weeks.period_labels.index(label))
    if last < 0:
        last = 0
    in_last = np.flatnonzero(weeks.period == last)
    end_week = int(in_last.max())
    days = int(weeks.days[: end_week + 1].sum())
    end = weeks.start[end_week] + timedelta(days=int(weeks.days[end_week]))
    if scenario.contract is not None and scenario.contract.measurement_period == "month":
        # a monthly period ends with its month, which may run past the week
        label = weeks.period_labels[last]
        year, month = int(label[:4]), int(label[5:7])
        first_next = date(year + month // 12, month % 12 + 1, 1)
        days = min((first_next - scenario.horizon.start).days, scenario.horizon.days)
    elif end > scenario.horizon.end:
        days = scenario.horizon.days
    return max(days, 1)


def _service_clauses(scenario: Scenario, model: CapacityModel) -> set[str]:
    channels = {c for t in model.teams for c in scenario.partner.teams[t.index].channels}
    if scenario.contract is None:
        return set()
    return {
        c.id for c in scenario.contract.clauses if c.kpi in SERVICE_KPIS and c.channel in channels
    }


def _period_rows(
    label: str, contract: pd.DataFrame | None, clauses: set[str], replications: int
) -> list[dict[str, Any]]:
    if contract is None or not clauses:
        return []
    own = contract[contract["clause"].isin(clauses)]
    per = own.groupby(["period", "period_start", "replication"], observed=True).agg(
        breach=("breach", "any"), credit=("penalty_eur", "sum")
    )
    rows = []
    for (period, start), group in per.groupby(level=[0, 1], observed=True):
        hits = int(group["breach"].sum())
        n = len(group)
        low, high = wilson_interval(hits, n)
        rows.append(
            {
                "variant": label,
                "period": int(period),
                "period_start": pd.Timestamp(start).date().isoformat(),
                "n": n,
                "p_breach": hits / n,
                "ci95_low": float(low),
                "ci95_high": float(high),
                "mean_credit_eur": float(group["credit"].mean()),
            }
        )
    return rows


def verify(
    scenario: Scenario,
    model: CapacityModel,
    plan: Plan,
    *,
    replications: int,
    seed: int,
    map_fn: MapFn = map,
    step: int = 2,
    progress: Progress = SILENT,
    engine: str = "numba",
) -> Verified:
    """Simulate the plan and its neighbours over the periods that matter (module notes), with
    ``engine`` (:func:`sim.runner.simulate`)."""
    variants = neighbours(model, plan, step)
    days = _days_that_matter(model, variants, scenario)
    clauses = _service_clauses(scenario, model)
    money = {}
    period_rows: list[dict[str, Any]] = []
    progress.start(replications * len(variants), 1)
    workload = None
    for label, variant in variants.items():
        cut = plan_scenario(scenario, variant, days)
        if workload is None:
            workload = expand(cut)
        rosters = team_rosters(cut, workload)
        results = []
        for result in run_replications(
            cut,
            replications,
            seed,
            map_fn=map_fn,
            workload=workload,
            rosters=rosters,
            engine=engine,
        ):
            results.append(result)
            progress.replication()
        run = SimpleNamespace(results=results, workload=workload, seed=seed)
        evaluation = evaluate_run(cut, run)
        if evaluation.totals is not None:
            money[label] = evaluation.totals.groupby("replication")[list(MONEY)].sum()
        period_rows += _period_rows(label, evaluation.contract, clauses, replications)
    periods = pd.DataFrame(period_rows)
    differences = _differences(money)
    if not periods.empty:
        periods = _with_model(periods, model, variants)
    return Verified(variants, periods, differences, days, replications, seed)


def _differences(money: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Paired differences of :data:`MONEY` per variant against the plan (replication pairs:
    the same seed and indices, Law 2015, section 10.2.1)."""
    if PLAN_LABEL not in money or len(money) < 2:
        return pd.DataFrame()
    reference = money[PLAN_LABEL]
    frames = []
    for label, table in money.items():
        if label == PLAN_LABEL:
            continue
        pairs = (
            (table - reference)
            .reset_index()
            .melt(id_vars="replication", var_name="metric", value_name="difference")
        )
        stats = summarise(pairs, ["metric"], value="difference")
        stats["variant"] = label
        stats["mean_plan"] = stats["metric"].map(reference.mean())
        stats["mean_variant"] = stats["metric"].map(table.mean())
        frames.append(stats)
    columns = [
        "variant",
        "metric",
        "n",
        "mean_plan",
        "mean_variant",
        "mean",
        "ci95_low",
        "ci95_high",
    ]
    out = pd.concat(frames, ignore_index=True)[columns]
    return out.rename(columns={"mean": "mean_difference"})


def _with_model(
    periods: pd.DataFrame, model: CapacityModel, variants: dict[str, Plan]
) -> pd.DataFrame:
    """Add the analytic P(breach) of each simulated period (by its order in the horizon)."""
    model_p = {}
    for label, plan in variants.items():
        overall = evaluate_plan(model, plan).periods
        overall = overall[overall["team"] == "all"].reset_index(drop=True)
        for k, p in enumerate(overall["p_breach"]):
            model_p[(label, k)] = float(p)
    keys = zip(periods["variant"], periods["period"], strict=True)
    return periods.assign(p_breach_model=[model_p.get(k, math.nan) for k in keys])
