"""What ``ccplan calibrate`` and ``ccplan backtest`` print: a table of the main estimates (each
with its 95 % interval) or of the back-test's coverage, the files written, and the rows set
aside; or the JSON document with ``--json``."""

from __future__ import annotations

import json
import math

from rich.console import Console
from rich.table import Table

__all__ = ["print_backtest", "print_calibration"]

_WIDE = 160


def _console() -> Console:
    console = Console()
    return console if console.is_terminal else Console(width=_WIDE)


def _ci(estimate, unit: str = "") -> str:
    if estimate is None:
        return "-"

    def text(value: float) -> str:
        if not math.isfinite(value):
            return "?"
        if unit == "%":
            return f"{value:.1%}"
        if unit == "s":
            return f"{value:,.0f}s"
        return f"{value:,.0f}"

    return f"{text(estimate.value)} [{text(estimate.low)}, {text(estimate.high)}]"


def print_calibration(calibration, as_json: bool = False) -> None:
    """Print a :class:`calibrate.Calibration`."""
    if as_json:
        print(json.dumps(calibration.document))
        return
    table = Table(title=f"Calibrated {calibration.scenario.name} (95 % CI)")
    for heading in (
        "channel",
        "kind",
        "per week",
        "day CV",
        "handle time",
        "patience",
        "redial",
        "repeat",
        "felt FCR",
    ):
        table.add_column(heading, justify="left" if heading in ("channel", "kind") else "right")
    for name, c in calibration.channels.items():
        patience = None if c.patience is None else c.patience.mean_s
        handle = f"{c.handle_time.distribution} {_ci(c.handle_time.mean_s, 's')}"
        if c.concurrency is not None:  # the scenario holds the work of a chat handled alone
            handle = f"{_ci(c.concurrency.work_mean_s, 's')} alone, {c.concurrency.max_chats} max"
        table.add_row(
            name,
            c.kind,
            _ci(c.volume.per_week),
            _ci(c.volume.day_cv, "%"),
            handle,
            _ci(patience, "s"),
            _ci(None if c.redial is None else c.redial.probability, "%"),
            _ci(None if c.repeat is None else c.repeat.probability, "%"),
            _ci(c.fcr_felt, "%"),
        )
    console = _console()
    console.print(table)
    log = calibration.document["log"]
    aside = ", ".join(f"{k} {v:,}" for k, v in log["rows_set_aside"].items()) or "none"
    console.print(f"{log['rows_read']:,} rows read, {log['rows_used']:,} used; set aside: {aside}")
    if calibration.day_cv is not None:
        console.print(f"forecast error (day CV, shared): {_ci(calibration.day_cv, '%')}")
    out = calibration.out_dir
    console.print(
        f"wrote {calibration.scenario_path}, {out / 'calibration.json'}, "
        f"{out / 'calibration.html'}",
        soft_wrap=True,
    )


def print_backtest(result, as_json: bool = False) -> None:
    """Print a :class:`calibrate.Backtest`: coverage of the daily prediction intervals."""
    if as_json:
        print(json.dumps(result.document))
        return
    document = result.document
    table = Table(
        title=f"Back-test from {document['train_until']}: {document['test_days']} days, "
        f"{document['replications']} replications, {document['level']:.0%} intervals"
    )
    for heading in (
        "period",
        "channel",
        "KPI",
        "periods",
        "covered",
        "95 % CI",
        "nominal",
        "MAE",
        "ok",
    ):
        table.add_column(
            heading, justify="left" if heading in ("period", "channel", "KPI") else "right"
        )
    for row in result.coverage.itertuples(index=False):
        table.add_row(
            row.period_kind,
            row.channel,
            row.kpi,
            str(row.periods),
            f"{row.coverage:.0%}",
            f"{row.coverage_ci95_low:.0%}-{row.coverage_ci95_high:.0%}",
            f"{row.nominal:.1%}",
            f"{row.mae:,.3g}",
            "yes" if row.within_binomial_error else "no",
        )
    console = _console()
    console.print(table)
    console.print(
        f"staffing: {document['staffing']['source']}; wrote {result.out_dir}", soft_wrap=True
    )
