"""Results folders: everything a run produced, written so that a folder is complete or absent.

A run's results folder holds:

=====================  ==========================================================================
file                   content
=====================  ==========================================================================
``summary.json``       the summary (:func:`sla_eval.evaluation.evaluate_run`), schema below
``kpis.csv``           the long KPI table (:data:`sla_eval.KPI_COLUMNS`) for weeks and longer
                       periods (day rows are in the Parquet parts, and interval rows with
                       ``intervals=True``: a month of them is about 400 MB of text for 20
                       replications)
``kpis.parquet/``      the table with its dtypes, day rows and interval service levels
                       included (every interval row with ``intervals=True``): a folder of one
                       Parquet part per replication (``part-000000.parquet`` ...;
                       :mod:`reports.replication_files`), read as one table by
                       ``pandas.read_parquet``
``contract.csv``       per replication, measurement period and clause (:data:`sla_eval.
                       CONTRACT_COLUMNS`); only with a contract
``staffing.csv``       the interval staffing plan (``staffing.PLAN_COLUMNS``): the workload the
                       simulation sees, required, scheduled and productive agents, expected
                       measures and the teams' expected headcount per interval
``headcount.csv``      headcount (in production, in training, hired, left), paid hours and FTE
                       per team and week (``staffing.PLAN_WEEK_COLUMNS``)
``contacts.parquet/``  the contact log of every replication (``scenarios.log_tables``), one part
                       per replication like ``kpis.parquet``; left out with ``contacts=False``
``report.html``        the self-contained report (:mod:`reports.run_report`); left out with
                       ``report=False``
``*.png``              its figures (:mod:`reports.run_figures`); left out with ``report=False``
=====================  ==========================================================================

Times in the CSV files are local wall-clock times ``YYYY-MM-DDTHH:MM``.

**Staging.** Every folder is written through :func:`reports.staging.staged_folder`: complete or
absent, flushed to disk, marked as ccplan's (``.ccplan-results``) and never written over a
folder ccplan did not write. A run writes its parts and ``kpis.csv`` as its replications arrive
(:class:`reports.run_folder.RunFolder`) and the rest with :func:`write_run_files` at the end.

**What recomputes a folder.** ``kpis.parquet`` holds every KPI row of every replication;
``contract.csv``, the money, ``summary.json`` and the figures are functions of it and the
scenario (:class:`sla_eval.replication.ReplicationEvaluator`), which is how ``ccplan run
--append`` adds replications to a folder: ``summary.json`` names the scenario's fingerprint, seed
and replications, and the parts are evaluated again.

**summary.json** (schema ``ccplan.summary/1``; every number a JSON number or null, never NaN).
``<stats>`` is ``{"n", "mean", "ci95": [low, high], "q05", "q50", "q95"}`` over replications
(:func:`sla_eval.describe`: t-based 95 % interval, null for n < 2; quantiles by linear
interpolation; ``n`` counts replications where the value exists).

==========================================  ===================================================
field                                       meaning
==========================================  ===================================================
``schema``                                  ``"ccplan.summary/1"``
``scenario``, ``description``               the scenario's name and description (or null)
``scenario_sha256``                         fingerprint of the inputs: the resolved scenario
                                            (after ``extends`` and ``--set``) and its data
                                            files (:mod:`scenarios.fingerprint`)
``seed``                                    seed of every replication
``replications``                            number of replications (indices 0 .. n-1)
``horizon.start``, ``.days``                first day (ISO date) and length
``horizon.interval_s``, ``.warmup_s``       interval length and warm-up (seconds)
``horizon.timezone``                        IANA time zone of the local times
``channels.<c>.<kpi>``                      ``<stats>`` of the KPI over the horizon (after the
                                            warm-up) plus ``target``; null when the KPI does not
                                            apply to the channel. ``<c>`` is every channel and
                                            ``all`` (the channels pooled); ``<kpi>`` each of
                                            ``offered``, ``answered``, ``abandon_frac``,
                                            ``service_level``, ``p_wait``, ``asa_s``,
                                            ``response_within_target_frac``, ``fcr_frac``,
                                            ``escalation_frac``, ``aht_s``, ``occupancy_frac``,
                                            ``overtime_agent_s``, ``csat`` (definitions in
                                            :mod:`sla_eval.kpis`)
``channels.<c>.<kpi>.target``               ``{"value", "bound": "min"|"max", "source"}`` or
                                            null (:func:`sla_eval.evaluation.targets`)
``contract``                                null without a contract, else:
``contract.measurement_period``             ``day``, ``week``, ``month`` or ``quarter``
``contract.p_breach``                       share of replications with a breach of any clause
                                            in any period
``contract.expected_penalty_eur``           mean over replications of the penalties summed over
                                            periods and clauses (after caps)
``contract.expected_earned_back_eur``       the same for penalties returned by earn-back
``contract.expected_bonus_eur``             the same for bonuses
``contract.expected_net_credit_eur``        the same for penalty - earned back - bonus (what
                                            the partner gives back)
``contract.penalty_eur`` (and               ``<stats>`` of those sums over replications
``earned_back_eur``, ``bonus_eur``,
``net_credit_eur``, ``client_cost_eur``,
``partner_margin_eur``)
``contract.periods[]``                      per measurement period: ``period``,
                                            ``period_start``, ``p_breach``, the four
                                            ``expected_*_eur``, their ``<stats>``,
                                            ``client_cost_eur``
``contract.clauses.<id>``                   ``kpi``, ``channel``, ``target``, ``p_breach`` (any
                                            period), ``expected_penalty_eur``,
                                            ``expected_earned_back_eur``,
                                            ``expected_bonus_eur``,
                                            ``expected_net_credit_eur``, their ``<stats>``, and
                                            ``periods[]`` (``period``, ``period_start``,
                                            ``p_breach``, ``p_applicable``, ``value``
                                            ``<stats>``, the money)
==========================================  ===================================================
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from reports.replication_files import CONTACTS_DIR, csv_bytes, stores_intervals
from reports.staging import staged_folder
from scenarios.fingerprint import fingerprint
from scenarios.scenario import Scenario
from sla_eval.evaluation import SUMMARY_SCHEMA, Evaluation
from staffing import plan_by_week

if TYPE_CHECKING:
    from reports.answer import Answer

__all__ = [
    "SUMMARY_FILE",
    "is_complete",
    "read_summary",
    "write_folder",
    "write_json",
    "write_run_files",
]

SUMMARY_FILE = "summary.json"


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a table as CSV (:func:`reports.replication_files.csv_bytes`)."""
    path.write_bytes(csv_bytes(frame))


def write_json(path: Path, document: Any) -> None:
    """Write a JSON document (NaN refused: a summary holds null instead)."""
    path.write_text(json.dumps(document, indent=2, allow_nan=False) + "\n", encoding="utf-8")


def read_summary(out_dir: str | os.PathLike[str]) -> dict | None:
    """The ``summary.json`` of a results folder, or None when the folder holds no readable one."""
    try:
        summary = json.loads((Path(out_dir) / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(summary, dict) or summary.get("schema") != SUMMARY_SCHEMA:
        return None
    return summary


def is_complete(
    out_dir: str | os.PathLike[str],
    *,
    scenario: Scenario,
    seed: int,
    replications: int,
    contacts: bool,
    intervals: bool = False,
) -> bool:
    """Whether ``out_dir`` holds the complete results of exactly these inputs (what
    ``ccplan batch --resume`` reuses): the same scenario fingerprint
    (:func:`scenarios.fingerprint.fingerprint`: the resolved scenario and its data files), seed
    and number of replications, the contact log when it is asked for, and every interval KPI
    row when they are asked for."""
    summary = read_summary(out_dir)
    return (
        summary is not None
        and (
            summary.get("scenario"),
            summary.get("scenario_sha256"),
            summary.get("seed"),
            summary.get("replications"),
        )
        == (scenario.name, fingerprint(scenario), seed, replications)
        and (not contacts or (Path(out_dir) / CONTACTS_DIR).is_dir())
        and (not intervals or stores_intervals(Path(out_dir)))
    )


def _write_report(
    stage: Path,
    scenario: Scenario,
    plan: pd.DataFrame,
    evaluation: Evaluation,
    interval_rows: pd.DataFrame | None,
    seed: int,
    answer: Answer | None,
) -> None:
    # the figures (matplotlib) are imported only when a report is drawn
    from reports.figure_style import write_pngs
    from reports.run_figures import run_pngs
    from reports.run_report import write_report

    kpis = evaluation.kpis
    if interval_rows is not None and not interval_rows.empty:
        kpis = pd.concat([kpis, interval_rows], ignore_index=True)
    tables = (plan, kpis, evaluation.contract, evaluation.totals)
    pngs = run_pngs(scenario, *tables)
    write_pngs(pngs, stage)
    write_report(
        stage / "report.html",
        scenario,
        *tables,
        seed=seed,
        pngs=pngs,
        summary=evaluation.summary,
        answer=answer,
    )


def write_run_files(
    stage: Path,
    scenario: Scenario,
    plan: pd.DataFrame,
    evaluation: Evaluation,
    *,
    interval_rows: pd.DataFrame | None,
    report: bool = True,
    answer: Answer | None = None,
) -> None:
    """Write the files of a run that need every replication (``kpis.parquet``, ``kpis.csv`` and
    ``contacts.parquet`` are written as the replications arrive, :mod:`reports.run_folder`).

    Parameters
    ----------
    stage:
        The staging folder of the results folder.
    plan:
        The staffing plan table (``staffing.plan``).
    evaluation:
        The run's evaluation (:meth:`sla_eval.replication.RunTally.evaluation`).
    interval_rows:
        The interval service levels the views draw (:meth:`reports.interval_band.IntervalBand.
        rows`), None when no channel has a service target.
    report:
        Draw the figures and write ``report.html``.
    answer:
        The run's answer (:func:`reports.answer.run_answer`) for the report, computed there when
        None.
    """
    if evaluation.contract is not None:
        _write_csv(evaluation.contract, stage / "contract.csv")
    _write_csv(plan, stage / "staffing.csv")
    _write_csv(plan_by_week(plan, scenario), stage / "headcount.csv")
    if report:
        seed = evaluation.summary["seed"]
        _write_report(stage, scenario, plan, evaluation, interval_rows, seed, answer)
    write_json(stage / SUMMARY_FILE, evaluation.summary)


def write_folder(
    out_dir: str | os.PathLike[str],
    *,
    tables: Mapping[str, pd.DataFrame] | None = None,
    documents: Mapping[str, Any] | None = None,
    pngs: Mapping[str, bytes] | None = None,
) -> Path:
    """Write a staged folder of ``<name>.csv`` and ``<name>.parquet`` per table,
    ``<name>.json`` per document and ``<stem>.png`` per figure; returns its path."""
    out_dir = Path(out_dir)
    with staged_folder(out_dir) as stage:
        for name, table in (tables or {}).items():
            _write_csv(table, stage / f"{name}.csv")
            table.to_parquet(stage / f"{name}.parquet", index=False)
        for name, document in (documents or {}).items():
            write_json(stage / f"{name}.json", document)
        if pngs:
            from reports.figure_style import write_pngs

            write_pngs(pngs, stage)
    return out_dir
