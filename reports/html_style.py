"""The style sheet and the page frame of ccplan's HTML reports (run, batch index, negotiation,
hire): plain text, no matplotlib or other heavy import, so that a page without figures does not
load them."""

from __future__ import annotations

from collections.abc import Sequence

from reports.scenario_text import esc

__all__ = ["ANSWER_CSS", "REPORT_CSS", "report_page", "section_nav_and_body"]

ANSWER_CSS = """
.answer { background: #f4f8fb; border-left: 4px solid #0072B2; padding: 4px 14px 6px; }
.answer p { margin: 6px 0; } .answer .lead { font-size: 16px; }
.answer table { font-size: 13px; margin: 6px 0 8px; } .answer td, .answer th { padding: 2px 6px; }
.answer tr.driver td { font-weight: bold; } .answer tr.total td { border-top: 2px solid #555; }
.answer .ci { font-size: 11px; }
"""
"""Style of the answer section (part of :data:`REPORT_CSS`)."""

_BASE_CSS = """
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; font-size: 15px;
  line-height: 1.45; color: #1a1a1a; max-width: 1140px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 26px; margin-bottom: 4px; } h2 { font-size: 20px; margin-top: 36px;
  border-bottom: 2px solid #0072B2; padding-bottom: 4px; } h3 { font-size: 16px; }
.meta, .caption { color: #444; } .caption { font-size: 14px; margin-top: 4px; }
.description { white-space: pre-wrap; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eef3f8; } tr:nth-child(even) td { background: #fafafa; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.ci { font-size: 12px; color: #555; } .wide { overflow-x: auto; }
img { max-width: 100%; height: auto; display: block; border: 1px solid #ddd; }
nav { line-height: 1.6; font-size: 13px; } nav a { white-space: nowrap; }
.empty { font-style: italic; color: #555; }
"""

REPORT_CSS = _BASE_CSS + ANSWER_CSS
"""The style of every report page."""


def report_page(title: str, body_html: str) -> str:
    """A whole report page: ``title`` as its title and first heading, the style sheet
    (:data:`REPORT_CSS`), then ``body_html``."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{REPORT_CSS}</style></head>"
        f"<body><h1>{esc(title)}</h1>{body_html}</body></html>"
    )


def section_nav_and_body(sections: Sequence[tuple[str, str, str]]) -> tuple[str, str]:
    """The navigation links and the ``<section>`` elements of ``(id, title, html)`` sections."""
    nav = " · ".join(f'<a href="#{key}">{esc(title)}</a>' for key, title, _ in sections)
    body = "".join(
        f'<section id="{key}"><h2>{esc(title)}</h2>{html}</section>'
        for key, title, html in sections
    )
    return nav, body
