"""``calibration.html``: one self-contained page (PNG figures as data URIs, inline style, no
script) with every estimate, its 95 % interval and the contacts behind it, the fits drawn
(:mod:`calibrate.figures`), the staffing and what the scenario could not express."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from calibrate.figures import channel_figure, png, staffing_figure
from calibrate.grid import WEEKDAYS

__all__ = ["write_calibration_report"]

_CSS = """
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; font-size: 14px;
  max-width: 1200px; margin: 24px auto; padding: 0 16px; color: #1a1a1a; }
table { border-collapse: collapse; margin: 8px 0 16px; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; } .note { color: #555; }
"""


def _esc(text: object) -> str:
    return html.escape(str(text))


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "%":
        return f"{value:.1%}"
    if unit == "s":
        return f"{value:,.1f} s"
    return f"{value:,.4g}"


def _row(label: str, estimate, unit: str = "") -> str:
    if estimate is None:
        return f"<tr><td>{_esc(label)}</td><td colspan=3>not estimated</td></tr>"
    return (
        f"<tr><td>{_esc(label)}</td><td>{_number(estimate.value, unit)}</td>"
        f"<td>{_number(estimate.low, unit)} to {_number(estimate.high, unit)}</td>"
        f"<td>{estimate.n:,} {_esc(estimate.per)}</td></tr>"
    )


def _image(data: bytes, alt: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{_esc(alt)}">'


def _channel_table(channel) -> str:
    v = channel.volume
    rows = [
        _row("first contacts per week", v.per_week),
        _row("day-level CV (forecast error)", v.day_cv, "%"),
        _row("growth per week", v.growth_per_week, "%"),
    ]
    rows += [
        _row(f"weekday weight {WEEKDAYS[d]}", w)
        for d, w in enumerate(v.weekday_weights)
        if w is not None
    ]
    h = channel.handle_time
    rows += [
        _row(f"handle time mean ({h.distribution}, by AIC)", h.mean_s, "s"),
        _row("handle time CV", h.cv),
        _row("handle time plain mean", h.sample_mean_s, "s"),
    ]
    p = channel.patience
    if p is not None:
        rows += [
            _row(f"patience mean ({p.distribution}, censored MLE)", p.mean_s, "s"),
            _row("patience mean, exponential MLE", p.exponential_mean_s, "s"),
            _row("patience mean, lognormal MLE", p.lognormal_mean_s, "s"),
            _row("naive mean wait of abandoners (biased, not used)", p.naive_mean_s, "s"),
        ]
    for label, fit in (("redial", channel.redial), ("repeat", channel.repeat)):
        if fit is not None:
            rows += [
                _row(f"{label} probability", fit.probability, "%"),
                _row(f"{label} mean delay", fit.delay_mean_s, "s"),
            ]
    rows += [_row("felt FCR (no return in the window)", channel.fcr_felt, "%")]
    if channel.escalation is not None:
        rows.append(_row("escalation to tier 2", channel.escalation, "%"))
    head = "<tr><th>estimate</th><th>value</th><th>95 % CI</th><th>behind it</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def write_calibration_report(path: Path, calibration) -> None:
    """Write ``calibration.html`` for a :class:`calibrate.calibration.Calibration`."""
    document = calibration.document
    log = document["log"]
    parts = [
        f"<h1>Calibration of {_esc(calibration.scenario.name)}</h1>",
        f"<p>From <code>{_esc(log['file'])}</code>: {log['rows_read']:,} rows, "
        f"{log['rows_used']:,} answered or abandoned, {log['days']} days from {log['start']} "
        f"({_esc(log['timezone'])}). Set aside: "
        f"{_esc(', '.join(f'{k} {v:,}' for k, v in log['rows_set_aside'].items()) or 'none')}."
        f" Scenario written: <code>{_esc(calibration.scenario_path.name)}</code>.</p>",
    ]
    if calibration.day_cv is not None:
        parts.append(
            "<h2>Forecast error shared by the channels</h2><table>"
            + _row("day-level CV", calibration.day_cv, "%")
            + "</table>"
        )
    contacts = calibration.log.contacts
    for name, channel in calibration.channels.items():
        rows = contacts[(contacts["channel"] == name) & (contacts["outcome"] == "answered")]
        figure = channel_figure(channel, rows["handle_s"].to_numpy())
        parts += [
            f"<h2>{_esc(name)} ({_esc(channel.label)}, {channel.kind})</h2>",
            f"<p>Hours: <code>{_esc(channel.hours.scenario_value())}</code></p>",
            _channel_table(channel),
            _image(png(figure), f"fits of {name}"),
        ]
    staffing = calibration.staffing
    if staffing is not None:
        parts += [
            "<h2>Staffing</h2>",
            f"<p>{_esc(staffing.source)}: {_esc(staffing.method)}. "
            f"Bias: {_esc(staffing.bias)}.</p>",
            _image(
                png(staffing_figure(staffing, calibration.scenario.horizon.interval_s)), "staffing"
            ),
        ]
    notes = "".join(f"<li>{_esc(n)}</li>" for n in document["scenario"]["not_expressed"])
    parts.append(f"<h2>What the scenario cannot express</h2><ul>{notes}</ul>")
    closed = ", ".join(document["closed_days"]) or "none"
    parts.append(f"<p class=note>Closed days found: {_esc(closed)}.</p>")
    page = (
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>calibration</title>"
        f"<style>{_CSS}</style></head><body>{''.join(parts)}</body></html>\n"
    )
    path.write_text(page, encoding="utf-8")
