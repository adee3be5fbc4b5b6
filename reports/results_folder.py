"""Results folders: everything a run produced, written so that a folder is complete or absent.

:func:`write_results` writes one run into ``out_dir``:

=====================  ==========================================================================
file                   content
=====================  ==========================================================================
``summary.json``       the summary (:func:`sla_eval.evaluation.evaluate_run`), schema below
``kpis.csv``           the long KPI table (:data:`sla_eval.KPI_COLUMNS`) for days and longer
                       periods (interval rows make a month of 20 replications about 400 MB
                       of text; they are in the Parquet file)
``kpis.parquet``       the whole table, interval rows included, with its dtypes
``contract.csv``       per replication, measurement period and clause (:data:`sla_eval.
                       CONTRACT_COLUMNS`); only with a contract
``staffing.csv``       the interval staffing plan (``staffing.PLAN_COLUMNS``): the workload the
                       simulation sees, required, scheduled and productive agents, expected
                       measures and the teams' expected headcount per interval
``headcount.csv``      headcount (in production, in training, hired, left), paid hours and FTE
                       per team and week (``staffing.PLAN_WEEK_COLUMNS``)
``contacts.parquet``   the contact log of every replication (``scenarios.log_tables``); left out
                       with ``contacts=False``
``report.html``        the self-contained report (:mod:`reports.run_report`)
``*.png``              its figures (:mod:`reports.run_figures`)
=====================  ==========================================================================

Times in the CSV files are local wall-clock times ``YYYY-MM-DDTHH:MM``.

**Staging.** Every folder is written through :func:`reports.staging.staged_folder`: complete or
absent, flushed to disk, marked as ccplan's (``.ccplan-results``) and never written over a
folder ccplan did not write.

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
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pa_parquet

from reports.figure_style import write_pngs
from reports.run_figures import run_pngs
from reports.run_report import write_report
from reports.staging import staged_folder
from scenarios.fingerprint import fingerprint
from scenarios.scenario import Scenario
from sla_eval.evaluation import SUMMARY_SCHEMA, Evaluation, ReplicationLogs
from staffing import plan_by_week

if TYPE_CHECKING:
    from sim.experiment import ScenarioRun

__all__ = [
    "SUMMARY_FILE",
    "is_complete",
    "read_summary",
    "write_folder",
    "write_json",
    "write_results",
]

SUMMARY_FILE = "summary.json"
CONTACTS_FILE = "contacts.parquet"
_DATE_FORMAT = "%Y-%m-%dT%H:%M"


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a table as CSV with pyarrow (several times faster than pandas on the KPI table).

    Datetime columns become local times ``YYYY-MM-DDTHH:MM``, formatted once per distinct value.
    """
    columns = {}
    for name in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[name]):
            times = pd.Categorical(frame[name])
            columns[name] = times.rename_categories(times.categories.strftime(_DATE_FORMAT))
    table = pa.Table.from_pandas(frame.assign(**columns), preserve_index=False)
    pa_csv.write_csv(table, path)


def _write_contacts(results: Iterable[ReplicationLogs], path: Path) -> None:
    """The contact logs of the replications into one Parquet file, one row group each (never
    all of them in memory at once)."""
    writer = None
    try:
        for result in results:
            table = pa.Table.from_pandas(result.contacts, preserve_index=False)
            if writer is None:
                writer = pa_parquet.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


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
) -> bool:
    """Whether ``out_dir`` holds the complete results of exactly these inputs (what
    ``ccplan batch --resume`` reuses): the same scenario fingerprint
    (:func:`scenarios.fingerprint.fingerprint`: the resolved scenario and its data files), seed
    and number of replications, and the contact log when it is asked for."""
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
        and (not contacts or (Path(out_dir) / CONTACTS_FILE).is_file())
    )


def _write_report(
    stage: Path, scenario: Scenario, run_like: ScenarioRun, evaluation: Evaluation
) -> None:
    tables = (run_like.plan, evaluation.kpis, evaluation.contract, evaluation.totals)
    pngs = run_pngs(scenario, *tables)
    write_pngs(pngs, stage)
    write_report(
        stage / "report.html",
        scenario,
        *tables,
        seed=run_like.seed,
        pngs=pngs,
        summary=evaluation.summary,
    )


def write_results(
    out_dir: str | os.PathLike[str],
    scenario: Scenario,
    run_like: ScenarioRun,
    evaluation: Evaluation,
    *,
    contacts: bool = True,
) -> Path:
    """Write the results folder of one run (files in the module docstring); returns its path.

    Parameters
    ----------
    run_like:
        The simulated run (:class:`sim.experiment.ScenarioRun`): the run-like object of
        :mod:`sla_eval.evaluation` with its ``plan`` (the staffing plan table).
    evaluation:
        :func:`sla_eval.evaluation.evaluate_run` of the same run.
    contacts:
        Write ``contacts.parquet`` (the largest file).

    Raises
    ------
    InputError
        When the folder cannot be written; nothing is left at ``out_dir`` then (an older
        result there stays as it was).
    """
    out_dir = Path(out_dir)
    with staged_folder(out_dir) as stage:
        kpis = evaluation.kpis
        _write_csv(kpis[kpis["period_kind"] != "interval"], stage / "kpis.csv")
        evaluation.kpis.to_parquet(stage / "kpis.parquet", index=False)
        if evaluation.contract is not None:
            _write_csv(evaluation.contract, stage / "contract.csv")
        _write_csv(run_like.plan, stage / "staffing.csv")
        _write_csv(plan_by_week(run_like.plan, scenario), stage / "headcount.csv")
        if contacts:
            _write_contacts(getattr(run_like, "results", (run_like,)), stage / CONTACTS_FILE)
        _write_report(stage, scenario, run_like, evaluation)
        write_json(stage / SUMMARY_FILE, evaluation.summary)
    return out_dir


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
        write_pngs(pngs or {}, stage)
    return out_dir
