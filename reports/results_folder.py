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
``staffing.csv``       the interval staffing plan (``staffing.PLAN_COLUMNS``)
``contacts.parquet``   the contact log of every replication (``scenarios.log_tables``); left out
                       with ``contacts=False``
``report.html``        the self-contained report (:mod:`reports.run_report`)
``*.png``              its figures (:mod:`reports.run_figures`)
=====================  ==========================================================================

Times in the CSV files are local wall-clock times ``YYYY-MM-DDTHH:MM``.

**Staging.** :func:`staged_folder` writes into a hidden sibling ``.<name>.partial-XXXX`` and
renames it to ``out_dir`` only when every file is written. An existing ``out_dir`` is moved aside
(``.<name>.old-XXXX``) just before, and deleted after; so an interrupted or failed run never
leaves a folder that looks complete, and a previous result survives until the new one is whole.
A run killed outright may leave the hidden ``.partial`` folder behind, never ``out_dir``.

**summary.json** (schema ``ccplan.summary/1``; every number a JSON number or null, never NaN).
``<stats>`` is ``{"n", "mean", "ci95": [low, high], "q05", "q50", "q95"}`` over replications
(:func:`sla_eval.describe`: t-based 95 % interval, null for n < 2; quantiles by linear
interpolation; ``n`` counts replications where the value exists).

==========================================  ===================================================
field                                       meaning
==========================================  ===================================================
``schema``                                  ``"ccplan.summary/1"``
``scenario``, ``description``               the scenario's name and description (or null)
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
                                            ``csat`` (definitions in :mod:`sla_eval.kpis`)
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
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from html import escape as esc
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pa_parquet

from reports.figure_style import write_pngs
from reports.run_figures import run_pngs
from reports.run_report import write_report
from scenarios.errors import InputError
from sla_eval.evaluation import SUMMARY_SCHEMA, Evaluation

__all__ = [
    "BATCH_COLUMNS",
    "SUMMARY_FILE",
    "batch_row",
    "check_writable",
    "is_complete",
    "read_summary",
    "staged_folder",
    "write_batch_index",
    "write_folder",
    "write_json",
    "write_results",
]

SUMMARY_FILE = "summary.json"
_DATE_FORMAT = "%Y-%m-%dT%H:%M"
_FOLDER_MODE = 0o755
BATCH_COLUMNS = (
    "file",
    "scenario",
    "status",
    "folder",
    "replications",
    "seed",
    "p_breach",
    "p_breach_ci95_low",
    "p_breach_ci95_high",
    "expected_net_credit_eur",
    "error",
)
"""Columns of ``batch.csv``: ``status`` is ``ok``, ``skipped`` (complete results kept by
``--resume``) or ``failed`` (with ``error``, its first line); ``folder`` is relative to the batch
folder; the numbers come from the scenario's ``summary.json`` (P(breach) with its Wilson 95 %
interval)."""


def _new_stage(out_dir: Path) -> Path:
    """Create the hidden sibling folder the results are written into."""
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        if out_dir.exists() and not out_dir.is_dir():
            raise InputError(f"cannot write results to {out_dir}: it exists and is not a folder")
        stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
        stage.chmod(_FOLDER_MODE)
    except OSError as error:
        raise InputError(f"cannot write results to {out_dir}: {_reason(error)}") from None
    return stage


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def check_writable(out_dir: str | os.PathLike[str]) -> None:
    """Fail now, with one clear line, if results cannot be written to ``out_dir`` later.

    Creates the missing parent folders, then a staging folder that it removes again.

    Raises
    ------
    InputError
        Naming ``out_dir`` and the reason.
    """
    _new_stage(Path(out_dir)).rmdir()


def _swap_in(stage: Path, out_dir: Path) -> None:
    """Rename ``stage`` to ``out_dir``, replacing an existing ``out_dir`` only at this point."""
    if not out_dir.exists():
        stage.rename(out_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    old.rmdir()
    out_dir.rename(old)
    try:
        stage.rename(out_dir)
    except OSError:
        old.rename(out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staged_folder(out_dir: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield an empty hidden folder to write into; it becomes ``out_dir`` when the block ends.

    If the block raises (or is interrupted), the staging folder is removed and ``out_dir`` is
    left as it was.

    Raises
    ------
    InputError
        When the folder cannot be created or written (naming ``out_dir``).
    """
    out_dir = Path(out_dir)
    stage = _new_stage(out_dir)
    try:
        yield stage
        _swap_in(stage, out_dir)
    except OSError as error:
        shutil.rmtree(stage, ignore_errors=True)
        raise InputError(f"cannot write results to {out_dir}: {_reason(error)}") from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


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


def _write_contacts(results: Iterable[Any], path: Path) -> None:
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
    out_dir: str | os.PathLike[str], *, scenario: str, seed: int, replications: int
) -> bool:
    """Whether ``out_dir`` holds the complete results of this scenario, seed and number of
    replications (what ``ccplan batch --resume`` skips)."""
    summary = read_summary(out_dir)
    return summary is not None and (
        summary.get("scenario"),
        summary.get("seed"),
        summary.get("replications"),
    ) == (scenario, seed, replications)


def _write_report(stage: Path, scenario: Any, run_like: Any, evaluation: Evaluation) -> None:
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
    scenario: Any,
    run_like: Any,
    evaluation: Evaluation,
    *,
    contacts: bool = True,
) -> Path:
    """Write the results folder of one run (files in the module docstring); returns its path.

    Parameters
    ----------
    run_like:
        The run-like object of :mod:`sla_eval.evaluation`, here also with ``plan`` (the
        staffing plan table).
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
        if contacts:
            _write_contacts(getattr(run_like, "results", (run_like,)), stage / "contacts.parquet")
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


def batch_row(file: str, status: str, folder: str = "", *, error: str = "") -> dict:
    """One row of ``batch.csv`` (:data:`BATCH_COLUMNS`), numbers read from ``folder``'s
    summary when it has one."""
    summary = read_summary(folder) if folder else None
    contract = (summary or {}).get("contract") or {}
    return {
        "file": file,
        "scenario": (summary or {}).get("scenario", ""),
        "status": status,
        "folder": Path(folder).name if folder else "",
        "replications": (summary or {}).get("replications"),
        "seed": (summary or {}).get("seed"),
        "p_breach": contract.get("p_breach"),
        "p_breach_ci95_low": (contract.get("p_breach_ci95") or [None, None])[0],
        "p_breach_ci95_high": (contract.get("p_breach_ci95") or [None, None])[1],
        "expected_net_credit_eur": contract.get("expected_net_credit_eur"),
        "error": error,
    }


def _index_html(rows: pd.DataFrame) -> str:
    cells = []
    for row in rows.itertuples(index=False):
        link = esc(row.folder)
        name = f'<a href="{link}/report.html">{link}</a>' if row.status != "failed" else link
        numbers = [
            "" if pd.isna(value) else f"{value:{spec}}"
            for value, spec in ((row.p_breach, ".1%"), (row.expected_net_credit_eur, ",.0f"))
        ]
        if numbers[0]:
            numbers[0] += f" [{row.p_breach_ci95_low:.0%}, {row.p_breach_ci95_high:.0%}]"
        values = [esc(row.file), name, esc(row.status), *numbers, esc(row.error)]
        cells.append("<tr>" + "".join(f"<td>{value}</td>" for value in values) + "</tr>")
    heads = (
        "file",
        "results",
        "status",
        "P(breach) [95 % CI]",
        "expected net credit (EUR)",
        "error",
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>ccplan batch</title>'
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style></head><body>"
        "<h1>ccplan batch</h1><table><tr>"
        + "".join(f"<th>{head}</th>" for head in heads)
        + "</tr>"
        + "".join(cells)
        + "</table></body></html>\n"
    )


def _replace_file(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def write_batch_index(out_dir: str | os.PathLike[str], rows: Sequence[dict]) -> None:
    """Write ``batch.csv`` and ``index.html`` (a table linking every report) into ``out_dir``.

    Each file is written beside and renamed over the old one, so it is never half-written.
    """
    out_dir = Path(out_dir)
    table = pd.DataFrame(list(rows), columns=list(BATCH_COLUMNS))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _replace_file(out_dir / "batch.csv", table.to_csv(index=False))
        _replace_file(out_dir / "index.html", _index_html(table))
    except OSError as error:
        raise InputError(f"cannot write the batch index to {out_dir}: {_reason(error)}") from None
