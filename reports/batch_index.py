"""The index of a batch folder: ``batch.csv`` and ``index.html``, one row per scenario file."""

from __future__ import annotations

import os
from collections.abc import Sequence
from html import escape as esc
from pathlib import Path

import pandas as pd

from reports.results_folder import read_summary
from reports.staging import claim_folder, replace_file
from scenarios.errors import InputError

__all__ = ["BATCH_COLUMNS", "batch_row", "write_batch_index"]

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


def write_batch_index(out_dir: str | os.PathLike[str], rows: Sequence[dict]) -> None:
    """Write ``batch.csv`` and ``index.html`` (a table linking every report) into ``out_dir``.

    Each file is written beside and renamed over the old one, so it is never half-written.

    Raises
    ------
    InputError
        When ``out_dir`` cannot be written or holds files ccplan did not write.
    """
    folder = claim_folder(out_dir)
    table = pd.DataFrame(list(rows), columns=list(BATCH_COLUMNS))
    try:
        replace_file(folder / "batch.csv", table.to_csv(index=False))
        replace_file(folder / "index.html", _index_html(table))
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError(f"cannot write the batch index to {out_dir}: {reason}") from None
