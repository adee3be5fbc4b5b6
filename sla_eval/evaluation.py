"""A run evaluated: the KPI table, the contract in money and the summary, from the logs alone.

:func:`evaluate_run` reads a *run-like* object, duck-typed so that it never needs the
simulation:

* ``results``: one object per replication, each with the log tables ``contacts``, ``agents``
  and ``outages`` of ``scenarios.log_tables`` (``agents`` and ``outages`` may be None); an object
  without ``results`` is itself the one replication;
* optionally ``workload``: the scenario's ``scenarios.Workload`` (the forecast that relief bands
  compare the volume with), else ``scenarios.expand(scenario)`` is computed;
* optionally ``seed``: the seed of the replications, copied into the summary.

``sim.experiment.ScenarioRun`` is one; so is a single ``sim.runner.ReplicationResult``. The KPI
table is computed one replication at a time and then joined, which takes half the memory and
less time than one call on every replication's logs together.

The summary is the ``summary.json`` document, field by field in ``docs/results.md`` and in
:mod:`reports.results_folder`. Channels are summarised over the whole horizon for the KPIs of
:data:`SUMMARY_KPIS`; each carries the target it is held to, if any: the channel's
``service_target`` for ``service_level`` (real-time) and ``response_within_target_frac``
(deferrable), and a contract clause whose KPI is exactly that KPI of that channel for the
others (``fcr``, ``escalation_rate``, ``csat``, ``asa``, ``abandon_rate`` without a short-abandon
limit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

import pandas as pd

from scenarios.demand import expand
from scenarios.fingerprint import fingerprint
from scenarios.notices import scenario_notices
from sla_eval.contract import clause_kpi
from sla_eval.partner_cost import margin_warning
from sla_eval.scenario_eval import (
    contract_forecasts,
    evaluate_scenario_contract,
    scenario_kpi_table,
    scenario_totals,
)
from sla_eval.summary import describe, summary_dict

if TYPE_CHECKING:
    from scenarios.scenario import Scenario

__all__ = [
    "SUMMARY_KPIS",
    "SUMMARY_SCHEMA",
    "Evaluation",
    "channel_overview",
    "clause_overview",
    "evaluate_run",
    "run_summary",
    "targets",
]

SUMMARY_SCHEMA = "ccplan.summary/2"
"""Value of ``schema`` in ``summary.json``; changes when a field changes meaning."""

SUMMARY_KPIS = (
    "offered",
    "answered",
    "abandon_frac",
    "service_level",
    "p_wait",
    "asa_s",
    "response_within_target_frac",
    "fcr_frac",
    "agent_fcr_frac",
    "escalation_frac",
    "complaint_frac",
    "aht_s",
    "occupancy_frac",
    "overtime_agent_s",
    "staff_availability_frac",
    "csat",
    "csat_top_box_frac",
    "csat_negative_frac",
)
"""KPIs listed for every channel in the summary (null where one does not apply)."""

_MIN, _MAX, _BAND = "min", "max", "band"


class ReplicationLogs(Protocol):
    """The log tables of one replication (``sim.runner.ReplicationResult`` is one)."""

    @property
    def contacts(self) -> pd.DataFrame: ...

    @property
    def agents(self) -> pd.DataFrame | None: ...

    @property
    def outages(self) -> pd.DataFrame | None: ...


class RunLogs(Protocol):
    """The replications of a run (``sim.experiment.ScenarioRun`` is one); it may also have
    ``workload`` and ``seed`` (see the module docstring)."""

    @property
    def results(self) -> Sequence[ReplicationLogs]: ...


@dataclass(frozen=True, eq=False)
class Evaluation:
    """What :func:`evaluate_run` computed.

    Attributes
    ----------
    kpis:
        The long KPI table (:data:`sla_eval.KPI_COLUMNS`): every period kind from
        :func:`evaluate_run`; the ``horizon`` rows only from a run evaluated replication by
        replication (:class:`sla_eval.replication.RunTally`), whose whole table is on disk.
    contract:
        Per replication, measurement period and clause (:data:`sla_eval.CONTRACT_COLUMNS`);
        None without a contract.
    totals:
        Money per replication and period (:func:`sla_eval.contract_totals`); None without a
        contract.
    summary:
        The JSON-ready ``summary.json`` document.
    """

    kpis: pd.DataFrame
    contract: pd.DataFrame | None
    totals: pd.DataFrame | None
    summary: dict


def targets(scenario: Scenario) -> dict[str, dict[str, dict]]:
    """The target of each channel KPI of :data:`SUMMARY_KPIS` (rules in the module docstring).

    Returns
    -------
    dict
        ``{channel: {kpi: {"value": float, "bound": "min" | "max", "source": str}}}`` where
        ``bound`` says whether the value is a minimum or a maximum and ``source`` is
        ``"service_target"`` or ``"clause <id>"``; only KPIs with a target appear.
    """
    found: dict[str, dict[str, dict]] = {name: {} for name in scenario.channels}
    for name, channel in scenario.channels.items():
        service = channel.service_target
        if service is not None:
            kpi = "service_level" if channel.kind == "realtime" else "response_within_target_frac"
            found[name][kpi] = {"value": service.target, "bound": _MIN, "source": "service_target"}
    clauses = () if scenario.contract is None else scenario.contract.clauses
    for clause in clauses:
        kpi = clause_kpi(clause)
        if clause.channel in found and kpi in SUMMARY_KPIS and kpi not in found[clause.channel]:
            found[clause.channel][kpi] = {
                "value": clause.target,
                "bound": _MIN if clause.higher_is_better else _MAX,
                "source": f"clause {clause.id}",
            }
            if clause.target_min is not None:
                found[clause.channel][kpi].update(bound=_BAND, min=clause.target_min)
    return found


def _channels(summary_channels: Mapping[str, dict], scenario: Scenario) -> dict[str, dict]:
    held_to = targets(scenario)
    return {
        channel: {
            kpi: None if stats is None else {**stats, "target": held_to.get(channel, {}).get(kpi)}
            for kpi, stats in kpis.items()
        }
        for channel, kpis in summary_channels.items()
    }


def _contract(summary_contract: dict | None, scenario: Scenario, forecast: dict) -> dict | None:
    if summary_contract is None:
        return None
    contract = scenario.contract
    assert contract is not None, "only a scenario with a contract has its summary"
    clauses = {clause.id: clause for clause in contract.clauses}
    described = {
        clause_id: {
            "kpi": clauses[clause_id].kpi,
            "channel": clauses[clause_id].channel,
            "target": clauses[clause_id].target,
            "target_min": clauses[clause_id].target_min,
            **entry,
        }
        for clause_id, entry in summary_contract["clauses"].items()
    }
    fee = contract.fee
    return {
        "measurement_period": contract.measurement_period,
        "billing_period": fee.billing_period,
        "fee_source": "pricing" if fee.from_pricing else "fixed",
        "fixed_fee_per_billing_period_eur": fee.fixed_per_billing_period_eur,
        **summary_contract,
        "forecast_error": {**summary_contract["forecast_error"], "channels": forecast},
        "clauses": described,
    }


def _forecast_by_channel(kpis: pd.DataFrame, forecasts: Mapping[str, pd.DataFrame] | None) -> dict:
    """Per channel: the contract forecast of first contacts over the measured horizon and
    ``<stats>`` of the first contacts that arrived."""
    if forecasts is None:
        return {}
    table = forecasts["horizon"]
    rows = kpis[(kpis["period_kind"] == "horizon") & (kpis["kpi"] == "first_contacts")]
    found = {}
    for channel, forecast in (
        table.groupby("channel", sort=False)["expected_contacts"].sum().items()
    ):
        arrived = rows.loc[rows["channel"] == channel, "value"]
        found[str(channel)] = {
            "forecast_contacts": float(forecast),
            "first_contacts": describe(arrived),
        }
    return found


def evaluate_run(scenario: Scenario, run_like: RunLogs | ReplicationLogs) -> Evaluation:
    """KPIs, contract money and summary of a run (the run-like object of the module docstring).

    Raises
    ------
    InputError
        When the logs do not fit the scenario (from :func:`sla_eval.scenario_kpi_table`).
    """
    # the run's replications, or the object itself as the one replication
    results = cast(Sequence[ReplicationLogs], getattr(run_like, "results", (run_like,)))
    kpis = pd.concat(
        [
            scenario_kpi_table(
                scenario, result.contacts, agents=result.agents, outages=result.outages
            )
            for result in results
        ],
        ignore_index=True,
    )
    contract = totals = forecasts = None
    if scenario.contract is not None:
        workload = getattr(run_like, "workload", None)
        if workload is None:
            workload = expand(scenario)
        forecasts = contract_forecasts(scenario, workload)
        contract = evaluate_scenario_contract(scenario, kpis, forecast=forecasts)
        totals = scenario_totals(scenario, contract, kpis)
    summary = run_summary(
        scenario, kpis, contract, totals, forecasts=forecasts, seed=getattr(run_like, "seed", None)
    )
    return Evaluation(kpis, contract, totals, summary)


def run_summary(
    scenario: Scenario,
    kpis: pd.DataFrame,
    contract: pd.DataFrame | None,
    totals: pd.DataFrame | None,
    *,
    forecasts: Mapping[str, pd.DataFrame] | None,
    seed: int | None,
) -> dict:
    """The ``summary.json`` document of evaluated replications (fields in ``docs/results.md``).

    Parameters
    ----------
    kpis:
        The long KPI table of the replications; its ``horizon`` rows are what is read.
    contract, totals:
        :func:`sla_eval.evaluate_scenario_contract` and :func:`sla_eval.scenario_totals` of
        the same replications (None without a contract), rows in the order those give for
        all of them at once.
    forecasts:
        :func:`sla_eval.contract_forecasts` of the scenario (None without a contract).
    seed:
        The replications' root seed, or None when unknown.
    """
    found = summary_dict(kpis, contract, totals, kpi_names=SUMMARY_KPIS)
    horizon = scenario.horizon
    money = _contract(found["contract"], scenario, _forecast_by_channel(kpis, forecasts))
    warnings = list(scenario_notices(scenario))
    margin = None if money is None else margin_warning(money, scenario)
    if margin is not None:
        warnings.append(margin)
    return {
        "schema": SUMMARY_SCHEMA,
        "scenario": scenario.name,
        "scenario_sha256": fingerprint(scenario),
        "description": scenario.description,
        "seed": None if seed is None else int(seed),
        "replications": found["replications"],
        "horizon": {
            "start": horizon.start.isoformat(),
            "days": horizon.days,
            "interval_s": float(horizon.interval_s),
            "warmup_s": float(scenario.run.warmup_s),
            "timezone": horizon.timezone,
        },
        "warnings": warnings,
        "channels": _channels(found["channels"], scenario),
        "contract": money,
    }


def channel_overview(summary: Mapping[str, Any]) -> pd.DataFrame:
    """Channel KPIs of a summary as a table, for printing.

    Returns
    -------
    pandas.DataFrame
        Columns ``channel``, ``kpi``, ``mean``, ``ci95_low``, ``ci95_high`` (NaN when
        unknown), ``target`` (NaN when none) and ``bound`` (``min``, ``max`` or empty); one
        row per KPI that applies to the channel.
    """
    rows = []
    for channel, kpis in summary["channels"].items():
        for kpi, stats in kpis.items():
            if stats is None:
                continue
            target = stats.get("target") or {}
            low, high = stats["ci95"]
            rows.append(
                {
                    "channel": channel,
                    "kpi": kpi,
                    "mean": _number(stats["mean"]),
                    "ci95_low": _number(low),
                    "ci95_high": _number(high),
                    "target": _number(target.get("value")),
                    "bound": target.get("bound", ""),
                }
            )
    return pd.DataFrame(
        rows, columns=["channel", "kpi", "mean", "ci95_low", "ci95_high", "target", "bound"]
    )


def clause_overview(summary: Mapping[str, Any]) -> pd.DataFrame:
    """Contract clauses of a summary as a table, for printing (empty without a contract).

    Returns
    -------
    pandas.DataFrame
        Columns ``clause``, ``kpi``, ``channel``, ``measurement_period``, ``target``,
        ``p_breach`` (None when the clause never applied), ``p_breach_ci95`` ([low, high]),
        ``expected_penalty_eur``, ``expected_bonus_eur``, ``expected_net_credit_eur``.
    """
    columns = [
        "clause",
        "kpi",
        "channel",
        "measurement_period",
        "target",
        "p_breach",
        "p_breach_ci95",
        "expected_penalty_eur",
        "expected_bonus_eur",
        "expected_net_credit_eur",
    ]
    contract = summary.get("contract")
    if contract is None:
        return pd.DataFrame(columns=columns)
    rows = [
        {"clause": clause_id, **{column: entry.get(column) for column in columns[1:]}}
        for clause_id, entry in contract["clauses"].items()
    ]
    return pd.DataFrame(rows, columns=columns)


def _number(value: float | None) -> float:
    return float("nan") if value is None else float(value)
