"""A hiring plan priced by the weekly capacity model: per team and week the required and
available FTE, the flows, the cost and the risk; per measurement period P(breach) and the
expected credit.

FTE are paid hours over the contract week (``partner.fte_hours_per_week``): the required FTE
``R_w·hours_w/h`` and the available FTE ``A_w·hours_w/h``, ``hours_w`` the shifts' hours of one
agent in week ``w`` (:mod:`hire.capacity`). ``p_short`` is ``Φ(−m_w/σ_w)`` of a week; a
team's period risk ``Φ(−M_p/σ_p)`` (:func:`hire.optimise.period_margin`), and the period's
P(breach) over the planned teams ``1 − Π(1 − P_team)`` (independent teams). ``objective_eur`` prices
the risk with the staircase ``P̂`` as the optimiser does (:func:`hire.optimise.staircase_p`),
so a plan's objective can be compared with the optimiser's; the other money uses ``Φ``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.stats import norm

from hire.optimise import period_margin, release_flows, sigma, staircase_p
from scenarios.errors import InputError

if TYPE_CHECKING:
    from hire.capacity import CapacityModel, Flows, TeamCapacity
    from hire.optimise import Plan, TeamPlan

__all__ = ["PlanFigures", "evaluate_plan", "team_flows"]


@dataclass(frozen=True, eq=False)
class PlanFigures:
    """What a plan costs and risks (module notes).

    ``weekly``: one row per team and week; ``periods``: one row per measurement period (team
    ``all``) and per team and period; the sums in euros over the horizon.
    """

    weekly: pd.DataFrame
    periods: pd.DataFrame
    labour_eur: float
    hiring_eur: float
    expected_credit_eur: float
    objective_eur: float

    @property
    def total_eur(self) -> float:
        """Labour, hiring and expected credit."""
        return self.labour_eur + self.hiring_eur + self.expected_credit_eur


def team_flows(team: TeamCapacity, plan: TeamPlan, n_weeks: int, week_starts: tuple) -> Flows:
    """The flows of a team under ``plan``: its base plus the plan's classes and releases.

    Raises
    ------
    InputError
        For a class on a date that is not a candidate of the team.
    """
    sizes = np.zeros(len(team.candidates))
    for start, size in plan.classes:
        if start not in team.candidates:
            raise InputError(
                f"team {team.name}: a class may not start on {start} (hiring_classes rules)"
            )
        sizes[team.candidates.index(start)] += size
    flows = team.base.plus(team.unit.scaled(sizes)) if sizes.size else team.base
    releases = np.zeros(n_weeks)
    for day, agents in plan.releases:
        releases[week_starts.index(day)] += agents
    extra = release_flows(team, releases)
    return flows if extra is None else flows.plus(extra)


def evaluate_plan(model: CapacityModel, plan: Plan) -> PlanFigures:
    """The weekly table, period risks and money of ``plan`` (module notes)."""
    weeks = model.weeks
    by_name = {p.team: p for p in plan.teams}
    rows, period_rows = [], []
    labour = hiring = credit = objective = 0.0
    survive = np.ones(len(weeks.period_labels))
    for team in model.teams:
        flows = team_flows(team, by_name[team.name], weeks.n, weeks.start)
        spread = sigma(team)
        margin = flows.effective - team.required + 0.5
        p_week = norm.sf(margin / spread)
        labour_w = team.labour_eur(flows)
        hiring_w = team.hiring_eur(flows)
        fte = team.hours_per_agent / model.fte_hours_per_week
        for w in range(weeks.n):
            rows.append(
                {
                    "team": team.name,
                    "week_start": weeks.start[w],
                    "period": weeks.period_labels[weeks.period[w]],
                    "required_fte": team.required[w] * fte[w],
                    "available_fte": flows.effective[w] * fte[w],
                    "required_agents": team.required[w],
                    "effective_agents": flows.effective[w],
                    "headcount": flows.headcount[w],
                    "hires_starting": flows.hired[w],
                    "in_training": flows.in_training[w],
                    "left": flows.left[w],
                    "released": flows.released[w],
                    "labour_eur": labour_w[w],
                    "hiring_eur": hiring_w[w],
                    "p_short": p_week[w],
                }
            )
        for p, label in enumerate(weeks.period_labels):
            z = period_margin(team, weeks, p, flows.effective)
            p_breach = float(norm.sf(z))
            stair = float(staircase_p(np.asarray(z)))
            survive[p] *= 1.0 - p_breach
            credit += team.credit[p] * p_breach
            objective += team.credit[p] * stair
            period_rows.append(
                {
                    "period": label,
                    "team": team.name,
                    "p_breach": p_breach,
                    "credit_if_breached_eur": float(team.credit[p]),
                    "expected_credit_eur": float(team.credit[p] * p_breach),
                }
            )
        labour += float(labour_w.sum())
        hiring += float(hiring_w.sum())
    objective += labour + hiring
    periods = pd.DataFrame(period_rows)
    totals = periods.groupby("period", sort=False)[
        ["credit_if_breached_eur", "expected_credit_eur"]
    ].sum()
    overall = pd.DataFrame(
        {
            "period": list(weeks.period_labels),
            "team": "all",
            "p_breach": 1.0 - survive,
            "credit_if_breached_eur": totals["credit_if_breached_eur"].to_numpy(),
            "expected_credit_eur": totals["expected_credit_eur"].to_numpy(),
        }
    )
    return PlanFigures(
        pd.DataFrame(rows),
        pd.concat([overall, periods], ignore_index=True),
        labour,
        hiring,
        credit,
        objective,
    )
