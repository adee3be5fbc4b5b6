"""The "headcount over time" figure of a plan: per team and week, agents in production and in
training, hires and leavers, and FTE.

Drawn from :func:`staffing.plan_by_week`: per team one panel with the agents in production at
the start of each week and those in training (stacked bars), the week's hires and leavers
(markers) and the FTE (paid hours over the contract week, a line). Teams without a headcount
(``auto`` and ``roster``) show their FTE only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from reports.figure_style import COLORS, new_figure, styled
from scenarios.errors import InputError

__all__ = ["headcount_figure"]

_NEEDED = {"week_start", "team", "headcount", "in_training", "hired", "left", "fte"}


@styled
def headcount_figure(by_week: pd.DataFrame, contract_hours: float) -> Figure:
    """Headcount over time per team (module notes); ``contract_hours``: hours of one FTE a
    week, for the axis label."""
    missing = _NEEDED - set(by_week)
    if missing:
        raise InputError(f"the weekly plan lacks columns {sorted(missing)}")
    teams = list(dict.fromkeys(by_week["team"].astype(str)))
    figure = new_figure(1.2 + 2.2 * len(teams))
    axes = figure.subplots(len(teams), 1, sharex=True, squeeze=False)[:, 0]
    for axis, team in zip(axes, teams, strict=True):
        own = by_week[by_week["team"].astype(str) == team].sort_values("week_start")
        x = np.arange(len(own))
        production = own["headcount"].to_numpy(np.float64)
        training = own["in_training"].to_numpy(np.float64)
        if not np.isnan(production).all():
            axis.bar(x, production, color=COLORS[0], width=0.7)
            axis.bar(x, np.nan_to_num(training), bottom=production, color=COLORS[1], width=0.7)
            axis.plot(x, own["hired"].to_numpy(), "^", color=COLORS[2], markersize=7)
            axis.plot(x, own["left"].to_numpy(), "v", color=COLORS[5], markersize=7)
        axis.plot(x, own["fte"].to_numpy(), color=COLORS[6], marker="o", markersize=3)
        axis.set_title(f"{team}: agents per week", fontsize=11)
        axis.set_ylabel("agents / FTE")
        axis.set_ylim(bottom=0)
        labels = [f"{stamp:%d %b}" for stamp in pd.DatetimeIndex(own["week_start"])]
        axis.set_xticks(x, labels)
    axes[-1].set_xlabel("week starting")
    handles = [
        Patch(color=COLORS[0], label="in production (week start)"),
        Patch(color=COLORS[1], label="in training"),
        Line2D([], [], marker="^", linestyle="", color=COLORS[2], label="hired in the week"),
        Line2D([], [], marker="v", linestyle="", color=COLORS[5], label="left in the week"),
        Line2D([], [], color=COLORS[6], marker="o", label=f"FTE (paid h / {contract_hours:g} h)"),
    ]
    figure.legend(handles=handles, loc="outside upper center", ncols=len(handles))
    return figure
