"""The index of a batch folder: ``batch.csv`` and ``index.html``, one row per scenario file."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from html import escape as esc
from pathlib import Path

import pandas as pd

from reports.html_style import REPORT_CSS
from reports.results_folder import SUMMARY_FILE, read_summary
from reports.staging import claim_folder, replace_file
from scenarios.errors import InputError

__all__ = ["BATCH_COLUMNS", "batch_row", "write_batch_index"]

BATCH_COLUMNS = (
    "file",
    "scenario",
    "status",
    "folder",
    "results_from",
    "replications",
    "seed",
    "p_breach",
    "p_breach_ci95_low",
    "p_breach_ci95_high",
    "expected_net_credit_eur",
    "error",
)
"""Columns of ``batch.csv`` before the per-clause ones: ``status`` is ``ok`` (run now),
``skipped`` (complete results kept by ``--resume``) or ``failed`` (with ``error``, its first
line); ``folder`` is relative to the batch folder; ``results_from`` is when the folder's
``summary.json`` was written (UTC, ISO 8601; empty without one); the numbers come from the
scenario's ``summary.json`` (P(breach) with its Wilson 95 % interval). Then, for every clause id
of any scenario in order of first appearance, ``p_breach:<id>`` and
``expected_net_credit_eur:<id>`` (empty for a scenario without that clause)."""


def _results_from(folder: str) -> str:
    """When ``folder``'s summary was written (UTC, to the minute), or ``""``."""
    try:
        stamp = (Path(folder) / SUMMARY_FILE).stat().st_mtime
    except OSError:
        return ""
    return dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


def batch_row(file: str, status: str, folder: str = "", *, error: str = "") -> dict:
    """One row of ``batch.csv`` (:data:`BATCH_COLUMNS` and the per-clause columns), numbers
    read from ``folder``'s summary when it has one."""
    summary = read_summary(folder) if folder else None
    contract = (summary or {}).get("contract") or {}
    row = {
        "file": file,
        "scenario": (summary or {}).get("scenario", ""),
        "status": status,
        "folder": Path(folder).name if folder else "",
        "results_from": _results_from(folder) if summary is not None else "",
        "replications": (summary or {}).get("replications"),
        "seed": (summary or {}).get("seed"),
        "p_breach": contract.get("p_breach"),
        "p_breach_ci95_low": (contract.get("p_breach_ci95") or [None, None])[0],
        "p_breach_ci95_high": (contract.get("p_breach_ci95") or [None, None])[1],
        "expected_net_credit_eur": contract.get("expected_net_credit_eur"),
        "error": error,
    }
    for clause, entry in (contract.get("clauses") or {}).items():
        row[f"p_breach:{clause}"] = entry.get("p_breach")
        row[f"expected_net_credit_eur:{clause}"] = entry.get("expected_net_credit_eur")
    return row


_STATUS_TEXT = {"ok": "run now", "failed": "failed"}
_INDEX_CSS = """
.status { font-weight: bold; white-space: nowrap; } .ok { color: #00704A; }
.skipped { color: #555; } .failed { color: #B03A00; }
td.clauses { font-size: 12px; } td.clauses span { white-space: nowrap; margin-right: 10px; }
"""


def _status(row: pd.Series) -> str:
    if row["status"] == "skipped":
        text = f"reused from {row['results_from'] or 'an earlier run'}"
    else:
        text = _STATUS_TEXT.get(row["status"], str(row["status"]))
    return f'<span class="status {esc(row["status"])}">{esc(text)}</span>'


def _risk(p: object, low: object, high: object) -> str:
    if pd.isna(p):
        return ""
    interval = "" if pd.isna(low) else f" [{low:.0%}, {high:.0%}]"
    return f"{p:.1%}{interval}"


def _clauses(row: pd.Series, clauses: Sequence[str]) -> str:
    parts = [
        f"<span>{esc(clause)} {row[f'p_breach:{clause}']:.0%}</span>"
        for clause in clauses
        if not pd.isna(row[f"p_breach:{clause}"]) and row[f"p_breach:{clause}"] > 0
    ]
    return "".join(parts) or '<span class="empty">no breach</span>'


def _index_html(rows: pd.DataFrame, clauses: Sequence[str]) -> str:
    cells = []
    for _, row in rows.iterrows():
        link = esc(row["folder"])
        name = f'<a href="{link}/report.html">{link}</a>' if row["status"] != "failed" else link
        credit = row["expected_net_credit_eur"]
        values = [
            esc(row["file"]),
            name,
            _status(row),
            _risk(row["p_breach"], row["p_breach_ci95_low"], row["p_breach_ci95_high"]),
            "" if pd.isna(credit) else f"{credit:,.0f}",
            "" if row["status"] == "failed" else _clauses(row, clauses),
            esc(row["error"]),
        ]
        classes = ["", "", "", "num", "num", "clauses", ""]
        cells.append(
            "<tr>"
            + "".join(
                f'<td class="{kind}">{value}</td>' if kind else f"<td>{value}</td>"
                for kind, value in zip(classes, values, strict=True)
            )
            + "</tr>"
        )
    heads = (
        "file",
        "results",
        "status",
        "P(breach) [95 % CI]",
        "expected net credit (EUR)",
        "P(breach) of the clauses that breach",
        "error",
    )
    counts = rows["status"].value_counts()
    line = (
        f"{len(rows)} scenarios: {counts.get('ok', 0)} run now, {counts.get('skipped', 0)} "
        f"reused from earlier runs (--resume), {counts.get('failed', 0)} failed."
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>ccplan batch</title>'
        f"<style>{REPORT_CSS}{_INDEX_CSS}</style></head><body>"
        f'<h1>ccplan batch</h1><p class="meta">{esc(line)}</p><div class="wide"><table><thead><tr>'
        + "".join(f"<th>{head}</th>" for head in heads)
        + "</tr></thead><tbody>"
        + "".join(cells)
        + "</tbody></table></div></body></html>\n"
    )


def write_batch_index(out_dir: str | os.PathLike[str], rows: Sequence[dict]) -> None:
    """Write ``batch.csv`` and ``index.html`` (a table linking every report, with the status
    of this run and of reused results) into ``out_dir``.

    Each file is written beside and renamed over the old one, so it is never half-written.

    Raises
    ------
    InputError
        When ``out_dir`` cannot be written or holds files ccplan did not write.
    """
    folder = claim_folder(out_dir)
    extra = list(dict.fromkeys(key for row in rows for key in row if key not in BATCH_COLUMNS))
    table = pd.DataFrame(list(rows), columns=[*BATCH_COLUMNS, *extra])
    clauses = [key.split(":", 1)[1] for key in extra if key.startswith("p_breach:")]
    try:
        replace_file(folder / "batch.csv", table.to_csv(index=False))
        replace_file(folder / "index.html", _index_html(table, clauses))
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError(f"cannot write the batch index to {out_dir}: {reason}") from None
