"""One-line warnings about a staffing the formulas answer but a planner should look at twice.

- **Unstable load**: without abandonment (Erlang C, or chat without patience) agents at or below
  the offered load ``N ≤ A`` (capacity ``N·K·s_K`` for chat) cannot keep up: the queue grows
  without bound, every caller waits, the service level is 0.
- **Abandonment carries the target**: with patience, agents below the offered load ``N < A`` can
  still meet a service-level target, because enough callers hang up to leave the others a short
  wait (Garnett, Mandelbaum and Reiman 2002; DOMAIN.md: "an 80/20 clause alone can be met in
  large centres with fewer agents than the offered load while many callers abandon").
"""

from __future__ import annotations

import pandas as pd

__all__ = ["measure_warnings", "plan_warnings"]


def measure_warnings(
    load_erlangs: float, agents: int, *, abandons: bool, p_abandon: float, capacity: float
) -> list[str]:
    """The warnings of one staffing: ``agents`` (of ``capacity`` contacts at once) at
    ``load_erlangs``, with or without abandonment."""
    if not abandons and capacity <= load_erlangs:
        return [
            f"unstable: {agents} agents carry at most {capacity:g} Erlang, the offered load is "
            f"{load_erlangs:.4g} Erlang; without abandonment (Erlang C) the queue grows without "
            "bound"
        ]
    if abandons and capacity < load_erlangs:
        return [
            f"{agents} agents are below the offered load of {load_erlangs:.4g} Erlang: "
            f"abandonment carries the target ({p_abandon:.1%} of callers abandon)"
        ]
    return []


def plan_warnings(table: pd.DataFrame, capacity_per_agent: dict[str, float]) -> list[str]:
    """One line per realtime channel of a plan (:func:`staffing.plan`) with open intervals
    staffed at or below their effective load, and per team below its ``min_agents``.

    ``capacity_per_agent`` is the contacts an agent carries at once per channel
    (``K·s_K`` for chat, 1 otherwise); abandonment is read from the plan's ``p_abandon``
    (channels without patience have none).
    """
    lines = []
    realtime = table[(table["kind"] == "realtime") & table["is_open"]]
    for channel, rows in realtime.groupby("channel", observed=True, sort=False):
        capacity = rows["productive_agents"] * capacity_per_agent.get(str(channel), 1.0)
        load = rows["effective_load_erlangs"]
        abandons = bool(rows["p_abandon"].gt(0).any())
        short = (capacity < load) if abandons else (capacity <= load)
        if not short.any():
            continue
        if abandons:
            worst = float(rows.loc[short, "p_abandon"].max())
            lines.append(
                f"{channel}: {int(short.sum())} open intervals are staffed below their offered "
                f"load; abandonment carries the target there (up to {worst:.1%} abandon)"
            )
        else:
            lines.append(
                f"{channel}: unstable in {int(short.sum())} open intervals: the agents are at or "
                "below the offered load and nobody abandons (Erlang C), so the queue grows"
            )
    team_open = table.groupby(["team", "interval"], observed=True)["is_open"].any()
    team_agents = table.groupby(["team", "interval"], observed=True)["productive_agents"].sum()
    minimum = table.groupby(["team", "interval"], observed=True)["min_agents"].first()
    below = team_open & (team_agents < minimum)
    for team, count in below.groupby(level="team", observed=True).sum().items():
        if count:
            lines.append(
                f"team {team}: {int(count)} open intervals have fewer productive agents than "
                f"its min_agents ({int(minimum.loc[team].iloc[0])})"
            )
    return lines
