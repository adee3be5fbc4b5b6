"""``ccplan hire SCENARIO``: how many to hire, and when, with the SLA risk of the plan priced.

1. The weekly capacity model of the teams with ``hiring_classes`` (:mod:`hire.capacity`).
2. The optimiser's plan: least expected total cost, or the cheapest plan whose P(breach) stays
   at or below ``max_p_breach`` (:mod:`hire.optimise`).
3. The plan and its neighbours simulated on common random numbers over the periods that matter
   (:mod:`hire.verify`), unless ``verify=False``.
4. The ``hire.json`` document (``docs/hire.md``), tables and the report (:mod:`hire.report`).

>>> from hire.workflow import hire
>>> outcome = hire("scenarios/examples/hire_launch.yaml", max_p_breach=0.1)  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hire.capacity import CapacityModel, capacity_model
from hire.evaluate import PlanFigures, evaluate_plan
from hire.optimise import Plan, optimise
from hire.report import write_hire
from hire.verify import PLAN_LABEL, Verified, verify
from reports.staging import check_writable
from scenarios.demand import expand
from scenarios.limits import MAX_REPLICATIONS, MAX_SEED
from scenarios.loader import ScenarioSource, resolve
from scenarios.scenario import Scenario
from sim.executors import executor
from sim.progress import SILENT, Progress
from sim.runner import check_count

__all__ = ["HIRE_SCHEMA", "HireOutcome", "hire"]

HIRE_SCHEMA = "ccplan.hire/1"
"""Value of ``schema`` in ``hire.json``."""
RESULTS_ROOT = Path("results")
DEFAULT_REPLICATIONS = 10
"""Replications per variant unless given (the scenario's ``run.replications`` at most)."""


@dataclass(frozen=True, eq=False)
class HireOutcome:
    """What ``ccplan hire`` found: the document, the model, the plan, its figures, the
    verification (None when skipped) and the folder written."""

    document: dict
    scenario: Scenario
    model: CapacityModel
    plan: Plan
    figures: PlanFigures
    verified: Verified | None
    folder: Path


def set_lines(scenario: Scenario, plan: Plan) -> list[str]:
    """The ``--set`` lines that hold ``plan`` in the scenario (classes added to those held)."""
    lines = []
    for team_plan in plan.teams:
        index = next(i for i, t in enumerate(scenario.partner.teams) if t.name == team_plan.team)
        rules = scenario.partner.teams[index].hiring_classes
        assert rules is not None, "a planned team has hiring classes"
        held = [(c.start, c.size) for c in rules.classes]
        classes = sorted([*held, *team_plan.classes])
        text = ", ".join(f"{{start: {d.isoformat()}, size: {n}}}" for d, n in classes)
        lines.append(f"partner.teams.{index}.hiring_classes.classes=[{text}]")
        if team_plan.releases:
            held_r = [(r.date, r.agents) for r in rules.releases]
            text = ", ".join(
                f"{{date: {d.isoformat()}, agents: {n}}}"
                for d, n in sorted([*held_r, *team_plan.releases])
            )
            lines.append(f"partner.teams.{index}.hiring_classes.releases=[{text}]")
    return lines


def _records(frame: pd.DataFrame) -> list[dict]:
    def clean(value: Any) -> Any:
        if isinstance(value, float | np.floating):
            return None if math.isnan(value) else round(float(value), 6)
        if isinstance(value, np.integer):
            return int(value)
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value

    return [{k: clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _plan_text(plan: Plan) -> str:
    parts = []
    for team_plan in plan.teams:
        if not team_plan.classes:
            continue
        classes = " and ".join(f"{n} on {d.isoformat()}" for d, n in team_plan.classes)
        parts.append(f"{team_plan.team}: hire {classes}")
    return "; ".join(parts) if parts else "hire no new class"


def _worst(periods: pd.DataFrame, label: str) -> dict | None:
    own = periods[periods["variant"] == label] if not periods.empty else periods
    if own.empty:
        return None
    row = own.loc[own["p_breach"].idxmax()]
    return {k: row[k] for k in ("period_start", "p_breach", "ci95_low", "ci95_high")}


def _changed(periods: pd.DataFrame, label: str) -> tuple[str, float, float, float, float] | None:
    """The period whose P(breach) a variant moves most from the plan's (simulated, then by the
    weekly model): its start, the plan's and the variant's P(breach) simulated and modelled."""
    plan = periods[periods["variant"] == PLAN_LABEL].set_index("period")
    own = periods[periods["variant"] == label].set_index("period")
    if own.empty:
        return None
    simulated = (own["p_breach"] - plan["p_breach"]).abs()
    modelled = (own["p_breach_model"] - plan["p_breach_model"]).abs().fillna(0.0)
    period = (simulated + 1e-6 * modelled).idxmax()
    return (
        str(plan.loc[period, "period_start"]),
        float(plan.loc[period, "p_breach"]),
        float(own.loc[period, "p_breach"]),
        float(plan.loc[period, "p_breach_model"]),
        float(own.loc[period, "p_breach_model"]),
    )


def recommendation(
    plan: Plan, figures: PlanFigures, verified: Verified | None, max_p_breach: float | None
) -> str:
    """One sentence: the plan, its money and risk, and what a week's delay does."""
    text = _plan_text(plan).capitalize()
    text += (
        f": labour and hiring {figures.labour_eur + figures.hiring_eur:,.0f} EUR, expected credit "
        f"{figures.expected_credit_eur:,.0f} EUR in the weekly model"
    )
    if verified is None or verified.periods.empty:
        return text + " (not verified by simulation)."
    worst = _worst(verified.periods, PLAN_LABEL)
    assert worst is not None, "the plan was simulated"
    text += (
        f"; simulated, its worst period (from {worst['period_start']}) breaches with "
        f"P = {worst['p_breach']:.0%} [{worst['ci95_low']:.0%}, {worst['ci95_high']:.0%}]"
    )
    if max_p_breach is not None:
        meets = worst["ci95_low"] <= max_p_breach
        text += f", {'consistent with' if meets else 'above'} the bound {max_p_breach:.0%}"
    later = [label for label in verified.variants if label.endswith("a week later")]
    if later:
        moved = _changed(verified.periods, later[0])
        if moved is not None:
            text += (
                f"; starting {later[0].split(': ')[1]}: P(breach) of the period from "
                f"{moved[0]} from {moved[1]:.0%} to {moved[2]:.0%} simulated "
                f"({moved[3]:.0%} to {moved[4]:.0%} in the weekly model)"
            )
    none = verified.differences
    if not none.empty and (none["variant"] == "no new class").any():
        own = none[none["variant"] == "no new class"].set_index("metric")["mean_difference"]
        text += (
            f"; without it the partner saves {-own['partner_cost_eur']:,.0f} EUR of cost and "
            f"pays {own['penalty_eur']:+,.0f} EUR of penalty"
        )
    return text + "."


def _document(
    scenario: Scenario,
    model: CapacityModel,
    plan: Plan,
    figures: PlanFigures,
    verified: Verified | None,
    max_p_breach: float | None,
    seconds: float,
) -> dict:
    horizon = scenario.horizon
    return {
        "schema": HIRE_SCHEMA,
        "scenario": scenario.name,
        "mode": "expected_cost" if max_p_breach is None else "max_p_breach",
        "max_p_breach": max_p_breach,
        "horizon": {"start": horizon.start.isoformat(), "days": horizon.days},
        "weeks": model.weeks.n,
        "measurement_period": "month"
        if scenario.contract is None
        else scenario.contract.measurement_period,
        "plan": [
            {
                "team": t.team,
                "classes": [{"start": d.isoformat(), "size": n} for d, n in t.classes],
                "releases": [{"date": d.isoformat(), "agents": n} for d, n in t.releases],
            }
            for t in plan.teams
        ],
        "set": set_lines(scenario, plan),
        "optimiser": {
            "seconds": round(seconds, 3),
            "objective_eur": plan.objective_eur,
            "gap": plan.gap,
        },
        "model": {
            "labour_eur": figures.labour_eur,
            "hiring_eur": figures.hiring_eur,
            "expected_credit_eur": figures.expected_credit_eur,
            "total_eur": figures.total_eur,
            "periods": _records(figures.periods),
        },
        "weekly": _records(figures.weekly),
        "verification": None
        if verified is None
        else {
            "days": verified.days,
            "replications": verified.replications,
            "seed": verified.seed,
            "variants": {
                label: [
                    {"team": t.team, "classes": [[d.isoformat(), n] for d, n in t.classes]}
                    for t in variant.teams
                ]
                for label, variant in verified.variants.items()
            },
            "periods": _records(verified.periods),
            "differences": _records(verified.differences),
        },
        "recommendation": recommendation(plan, figures, verified, max_p_breach),
    }


def hire(
    scenario: ScenarioSource,
    *,
    overrides: Sequence[str] = (),
    max_p_breach: float | None = None,
    replications: int | None = None,
    seed: int | None = None,
    verify_plan: bool = True,
    step: int = 2,
    out: str | os.PathLike[str] | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress = SILENT,
    engine: str = "numba",
) -> HireOutcome:
    """Plan the hiring classes of a scenario, verify the plan, write the folder.

    Parameters
    ----------
    scenario, overrides:
        A :class:`scenarios.Scenario`, or its file with ``--set`` overrides.
    max_p_breach:
        Bound on the P(breach) of every measurement period; None: least expected total cost.
    replications, seed:
        Replications per simulated variant (default :data:`DEFAULT_REPLICATIONS`, at most the
        scenario's) and their seed (default the scenario's).
    verify_plan, step:
        Whether to simulate the plan and its neighbours; hires added and removed by a neighbour.
    out:
        Default ``results/<name>_hire``.
    workers, scheduler, progress:
        Where the replications run, and who is told.
    engine:
        What simulates the verification: ``"numba"`` (default; the compiled engine gives the
        SimPy model's logs to the bit, ``tests/sim/test_engine_examples.py``) or ``"simpy"``.

    Raises
    ------
    CcplanError
        For an invalid scenario, one without ``hiring_classes``, a bound no plan meets, or bad
        counts.
    """
    loaded = resolve(scenario, overrides)
    root = loaded.run.seed if seed is None else seed
    count = (
        min(DEFAULT_REPLICATIONS, loaded.run.replications) if replications is None else replications
    )
    check_count("--replications", count, 2, MAX_REPLICATIONS)
    check_count("--seed", root, 0, MAX_SEED)
    folder = Path(out) if out is not None else RESULTS_ROOT / f"{loaded.name}_hire"
    check_writable(folder)
    workload = expand(loaded)
    model = capacity_model(loaded, workload)
    started = time.perf_counter()
    plan = optimise(model, max_p_breach)
    seconds = time.perf_counter() - started
    figures = evaluate_plan(model, plan)
    verified = None
    if verify_plan:
        with executor(workers, scheduler) as map_fn:
            verified = verify(
                loaded,
                model,
                plan,
                replications=count,
                seed=root,
                map_fn=map_fn,
                step=step,
                progress=progress,
                engine=engine,
            )
    document = _document(loaded, model, plan, figures, verified, max_p_breach, seconds)
    write_hire(folder, loaded, document, figures, verified)
    return HireOutcome(document, loaded, model, plan, figures, verified, folder)
