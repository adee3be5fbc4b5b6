"""The first section of ``report.html``: the answer of the run (:mod:`reports.answer`) in
sentences and one table, before any input."""

from __future__ import annotations

from reports.answer import Answer, answer_sentences, answer_table
from reports.scenario_text import esc, table

__all__ = ["answer_section", "no_contract_answer"]


def answer_section(answer: Answer) -> str:
    """The money and the driving clause in two lead sentences, the clause table (id
    ``answer-table``; the driving clause first and marked, every clause together last) and
    the sentences on where and why it breaches and what would change it."""
    sentences = answer_sentences(answer)
    headers, rows = answer_table(answer)
    body = table(headers, rows, 3)
    marked = body.replace("<tr><td>", '<tr class="clause"><td>')
    if answer.driver is not None:
        marked = marked.replace(
            f'<tr class="clause"><td>{esc(answer.driver.clause.id)} (driver)</td>',
            f'<tr class="driver"><td>{esc(answer.driver.clause.id)} (driver)</td>',
            1,
        )
    last = marked.rfind('<tr class="clause">')
    marked = marked[:last] + '<tr class="total">' + marked[last + len('<tr class="clause">') :]
    marked = marked.replace("<table>", '<table id="answer-table">', 1)
    lead = "".join(f'<p class="lead">{esc(line)}</p>' for line in sentences[:2])
    rest = "".join(f"<p>{esc(line)}</p>" for line in sentences[2:])
    warnings = answer.summary.get("warnings") or ()
    if warnings:
        rest += (
            f"<p>The run has {len(warnings)} notice(s) about its inputs: see "
            '<a href="#warnings">Notices and warnings</a>.</p>'
        )
    return f'<div class="answer">{lead}{marked}{rest}</div>'


def no_contract_answer(replications: int) -> str:
    """The answer section of a scenario without a contract."""
    return (
        '<div class="answer"><p class="lead">The scenario has no contract: no money and no '
        f"breach to price. The channel KPIs over the horizon ({replications} replications) "
        'are in <a href="#channel-kpis">Channel KPIs</a>.</p></div>'
    )
