"""A run evaluated one replication at a time, where each replication runs.

:class:`ReplicationEvaluator` is a picklable function from one replication's logs (the
``contacts``, ``agents`` and ``outages`` tables of ``scenarios.log_tables``) to its
:class:`ReplicationEvaluation`: the long KPI table, the contract rows and the money per billing
period of that replication alone. A runner applies it in the worker that simulated the
replication (``reduce`` of ``sim.runner.run_replications``), so the logs never travel.

:class:`RunTally` gathers what a run keeps of each replication, in replication order: the
``horizon`` KPI rows, the contract rows and the money, a few kilobytes per replication whatever
the length of the horizon, and gives the run's :class:`sla_eval.evaluation.Evaluation`. The
day and week rows, which the views read, are kept for the first replications up to
:data:`VIEW_ROWS` rows (:attr:`RunTally.view_replications`). Its
summary is the one :func:`sla_eval.evaluation.evaluate_run` computes from every log at once,
byte for byte: contract clauses and money are separable by replication (every cap, pool,
repeat multiplier and earn-back acts within one replication), and the tally restores the row
order of an evaluation of all replications together (clause first, then replication and
period), which is the order the summary's sums and quantiles read them in.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pandas as pd

from sla_eval._codes import among, equals
from sla_eval.evaluation import Evaluation, ReplicationLogs, run_summary
from sla_eval.scenario_eval import (
    contract_forecasts,
    evaluate_scenario_contract,
    scenario_kpi_table,
    scenario_totals,
)

if TYPE_CHECKING:
    from scenarios.demand import Workload
    from scenarios.scenario import Scenario

__all__ = [
    "KEPT_PERIOD_KINDS",
    "VIEW_ROWS",
    "ReplicationEvaluation",
    "ReplicationEvaluator",
    "RunTally",
]

KEPT_PERIOD_KINDS = ("horizon", "week", "day")
"""The period kinds whose KPI rows a run keeps in memory: what its summary reads (the horizon)
and what the report's answer, weekly risk and workbook read (days and weeks). Interval rows stay
in the worker."""
VIEW_ROWS = 4_000_000
"""Most ``day`` and ``week`` KPI rows a run keeps (27 bytes a row: about 110 MB). A month of four
channels has about 5,100 of them a replication, so the first 780 replications keep theirs; the
later ones keep their ``horizon`` rows only, and the parent's memory stops growing with them
but for those few rows, the contract rows and the money."""
_CONSOLIDATE_EVERY = 256
"""Replications gathered as separate tables before they are joined into one (fewer objects)."""


@dataclass(frozen=True, eq=False)
class ReplicationEvaluation:
    """One replication evaluated.

    Attributes
    ----------
    replication:
        Its index.
    kpis:
        Its long KPI table (:data:`sla_eval.KPI_COLUMNS`), or only the rows a run keeps
        (:meth:`kept`).
    contract:
        Its contract rows (:data:`sla_eval.CONTRACT_COLUMNS`); None without a contract.
    totals:
        Its money per billing period (:func:`sla_eval.scenario_totals`); None without a
        contract.
    """

    replication: int
    kpis: pd.DataFrame
    contract: pd.DataFrame | None
    totals: pd.DataFrame | None

    def kept(self) -> ReplicationEvaluation:
        """The same with the KPI rows of :data:`KEPT_PERIOD_KINDS` only (itself when it has no
        other rows)."""
        keep = among(self.kpis["period_kind"], KEPT_PERIOD_KINDS)
        if keep.all():
            return self
        return replace(self, kpis=self.kpis[keep].reset_index(drop=True))


class ReplicationEvaluator:
    """``evaluator(logs)``: the :class:`ReplicationEvaluation` of one replication's logs.

    Picklable (it holds the scenario and the contract forecast), so that it can run in the
    worker that simulated the replication.

    Parameters
    ----------
    scenario:
        The scenario simulated.
    workload:
        Its ``scenarios.expand(scenario)``: the forecast relief bands compare with.
    interval_kpis:
        The KPIs of the ``interval`` rows (None: all; ``()``: none), as in
        :func:`sla_eval.scenario_eval.scenario_kpi_table`: a run that stores the interval
        service levels only measures those.
    """

    def __init__(
        self,
        scenario: Scenario,
        workload: Workload,
        interval_kpis: Collection[str] | None = None,
    ):
        self.scenario = scenario
        self.forecasts = (
            None if scenario.contract is None else contract_forecasts(scenario, workload)
        )
        self.interval_kpis = None if interval_kpis is None else tuple(interval_kpis)

    def __call__(self, logs: ReplicationLogs) -> ReplicationEvaluation:
        kpis = scenario_kpi_table(
            self.scenario,
            logs.contacts,
            agents=logs.agents,
            outages=logs.outages,
            interval_kpis=self.interval_kpis,
        )
        return self.of_kpis(kpis)

    def kept(self, logs: ReplicationLogs) -> ReplicationEvaluation:
        """``self(logs).kept()``: what a run keeps of the replication, made where it ran (a
        ``reduce`` for ``sim``; the interval rows never travel)."""
        return self(logs).kept()

    def of_kpis(self, kpis: pd.DataFrame) -> ReplicationEvaluation:
        """The evaluation of one replication's KPI table (every period kind but ``interval``
        is read): the contract rows and money computed from it."""
        replication = int(kpis["replication"].iloc[0])
        if self.scenario.contract is None:
            return ReplicationEvaluation(replication, kpis, None, None)
        contract = evaluate_scenario_contract(self.scenario, kpis, forecast=self.forecasts)
        totals = scenario_totals(self.scenario, contract, kpis)
        return ReplicationEvaluation(replication, kpis, contract, totals)


class RunTally:
    """The kept part of every replication of a run, in order, and the run's evaluation.

    Parameters
    ----------
    evaluator:
        The evaluator that made the replications' evaluations (its scenario and forecast).
    seed:
        The replications' root seed (copied into the summary).
    """

    def __init__(self, evaluator: ReplicationEvaluator, seed: int):
        self.evaluator = evaluator
        self.seed = int(seed)
        self.replications: list[int] = []
        self._parts: dict[str, list[pd.DataFrame]] = {"kpis": [], "contract": [], "totals": []}
        self._pending = 0
        self._view_rows = 0
        self._views_closed = False
        self.view_replications = 0
        """How many replications (the first ones) keep their day and week rows."""

    def add(self, evaluation: ReplicationEvaluation) -> None:
        """Keep the horizon KPI rows, contract rows and money of the next replication (its
        index must be above those added before)."""
        if self.replications and evaluation.replication <= self.replications[-1]:
            raise ValueError(
                f"replication {evaluation.replication} added after {self.replications[-1]}"
            )
        kept = evaluation.kept()
        self.replications.append(kept.replication)
        self._parts["kpis"].append(self._within_view_rows(kept.kpis))
        if kept.contract is not None and kept.totals is not None:
            self._parts["contract"].append(kept.contract)
            self._parts["totals"].append(kept.totals)
        self._pending += 1
        if self._pending >= _CONSOLIDATE_EVERY:
            self._consolidate()

    def _within_view_rows(self, kpis: pd.DataFrame) -> pd.DataFrame:
        """``kpis`` whole while the day and week rows kept stay within :data:`VIEW_ROWS` (and
        for the first replication in any case), its horizon rows once they would not."""
        views = ~equals(kpis["period_kind"], "horizon")
        count = int(views.sum())
        if self._views_closed or (self.view_replications and self._view_rows + count > VIEW_ROWS):
            self._views_closed = True
            return kpis[~views].reset_index(drop=True)
        self._view_rows += count
        self.view_replications += 1
        return kpis

    def _consolidate(self) -> None:
        """Join the tables added since the last call into one block (the blocks before stay
        as they are: joining everything each time would copy the run's rows again and again)."""
        if self._pending:
            for frames in self._parts.values():
                done = len(frames) - self._pending
                if frames and done >= 0 and len(frames) - done > 1:
                    frames[done:] = [pd.concat(frames[done:], ignore_index=True)]
        self._pending = 0

    @property
    def kpis(self) -> pd.DataFrame:
        """The kept KPI rows of every replication, in replication order."""
        self._consolidate()
        return _joined(self._parts["kpis"])

    @property
    def contract(self) -> pd.DataFrame | None:
        """The contract rows of every replication in the order of an evaluation of all of them
        at once (clause, then replication and period); None without a contract."""
        if self.evaluator.scenario.contract is None:
            return None
        self._consolidate()
        rows = _joined(self._parts["contract"])
        order = rows["clause"].cat.codes.to_numpy()
        return rows.iloc[order.argsort(kind="stable")].reset_index(drop=True)

    @property
    def totals(self) -> pd.DataFrame | None:
        """The money per replication and billing period; None without a contract."""
        if self.evaluator.scenario.contract is None:
            return None
        self._consolidate()
        return _joined(self._parts["totals"])

    def evaluation(self) -> Evaluation:
        """The run's evaluation: the kept KPI rows, the contract rows, the money and the
        summary (the same document :func:`sla_eval.evaluation.evaluate_run` gives)."""
        if not self.replications:
            raise ValueError("no replication to evaluate")
        kpis, contract, totals = self.kpis, self.contract, self.totals
        summary = run_summary(
            self.evaluator.scenario,
            kpis,
            contract,
            totals,
            forecasts=self.evaluator.forecasts,
            seed=self.seed,
        )
        return Evaluation(kpis, contract, totals, summary)


def _joined(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    frames = list(frames)
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
