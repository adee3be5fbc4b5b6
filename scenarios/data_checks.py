"""Checks of a validated scenario that need its data: the files it names and the demand they
and its fields add up to.

:func:`data_problems` reads every volume and roster file (:mod:`scenarios.data_files`) and then
expands the demand, refusing what :mod:`scenarios.limits` calls implausible: more expected
contacts in one replication than ``MAX_CONTACTS_PER_REPLICATION``, an interval whose offered
load exceeds ``MAX_OFFERED_LOAD_ERLANG`` or whose arrivals within one mean patience exceed
``MAX_ARRIVALS_PER_PATIENCE``. :func:`scenarios.loader.load` runs it, so ``ccplan validate``
reports the same problems as ``ccplan run``, each naming its file and line.
"""

from __future__ import annotations

import numpy as np

from scenarios.data_files import roster_agents, volume_contacts
from scenarios.demand import Workload, expand
from scenarios.errors import CcplanError, Problem, ScenarioError
from scenarios.limits import (
    MAX_ARRIVALS_PER_PATIENCE,
    MAX_CONTACTS_PER_REPLICATION,
    MAX_OFFERED_LOAD_ERLANG,
)
from scenarios.scenario import Scenario

__all__ = ["data_problems"]

_SECONDS_PER_HOUR = 3600.0


def _file_problems(scenario: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    horizon = scenario.horizon
    for name, channel in scenario.channels.items():
        if channel.volume.file is not None:
            try:
                volume_contacts(name, channel.volume.file, horizon)
            except ScenarioError as error:
                problems.extend(error.problems)
    for index, team in enumerate(scenario.partner.teams):
        if team.staffing.mode == "roster":
            try:
                roster_agents(index, team.staffing.file, horizon)
            except ScenarioError as error:
                problems.extend(error.problems)
    return problems


def _demand_problems(workload: Workload) -> list[Problem]:
    problems: list[Problem] = []
    total = 0.0
    for name, channel in workload.channels.items():
        contacts = float(channel.expected_arrivals.sum())
        total += contacts
        if contacts > MAX_CONTACTS_PER_REPLICATION:
            problems.append(
                Problem(
                    f"expects {contacts:,.0f} contacts in one replication; at most "
                    f"{MAX_CONTACTS_PER_REPLICATION:,} (a plausibility limit)",
                    f"channels.{name}.volume",
                )
            )
            continue
        per_hour = channel.expected_arrivals * (_SECONDS_PER_HOUR / workload.interval_s)
        load = float(np.max(per_hour * channel.aht_s, initial=0.0)) / _SECONDS_PER_HOUR
        if load > MAX_OFFERED_LOAD_ERLANG:
            problems.append(
                Problem(
                    f"offers {load:,.0f} Erlang in its busiest interval; at most "
                    f"{MAX_OFFERED_LOAD_ERLANG:,.0f} (a plausibility limit)",
                    f"channels.{name}",
                )
            )
        patience = np.nan_to_num(channel.patience_s, nan=0.0)
        waiting = float(np.max(per_hour * patience, initial=0.0)) / _SECONDS_PER_HOUR
        if waiting > MAX_ARRIVALS_PER_PATIENCE:
            problems.append(
                Problem(
                    f"has {waiting:,.0f} arrivals within one mean patience in its busiest "
                    f"interval; at most {MAX_ARRIVALS_PER_PATIENCE:,.0f} (a plausibility limit)",
                    f"channels.{name}.patience",
                )
            )
    if not problems and total > MAX_CONTACTS_PER_REPLICATION:
        problems.append(
            Problem(
                f"the channels expect {total:,.0f} contacts in one replication; at most "
                f"{MAX_CONTACTS_PER_REPLICATION:,} (a plausibility limit)",
                "channels",
            )
        )
    return problems


def data_problems(scenario: Scenario) -> list[Problem]:
    """Every problem of the scenario's data files, else of the demand they add up to (module
    docstring); empty when the scenario is fine."""
    problems = _file_problems(scenario)
    if problems:
        return problems
    try:
        workload = expand(scenario)
    except CcplanError as error:
        return [Problem(line, "") for line in str(error).splitlines()]
    return _demand_problems(workload)
