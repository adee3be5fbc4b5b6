"""The answer of a run (:mod:`reports.answer`) in a terminal: its sentences and one rich table,
printed before the details of ``ccplan run``."""

from __future__ import annotations

import textwrap

from rich.table import Table

from reports.answer import Answer, answer_sentences, answer_table
from reports.terminal import console

__all__ = ["print_answer"]

_MEASURES = 1
"""The column of the answer table left out here (what the clause measures, in words)."""


def _text(cell: object) -> str:
    if isinstance(cell, tuple):
        return " ".join(str(part) for part in cell)
    return str(cell)


def print_answer(answer: Answer) -> None:
    """Print the money and the driving clause, the clause table without its column of words
    (the driving clause first, every clause together last) and the sentences on where and why
    it breaches and what would change it."""
    out = console()
    sentences = answer_sentences(answer)
    width = min(out.width, 120)
    for sentence in sentences[:2]:
        out.print(textwrap.fill(sentence, width), highlight=False)
    headers, rows = answer_table(answer)
    table = Table(title="Clauses: P(breach) with its Wilson 95 % interval, money in EUR")
    for index, header in enumerate(headers):
        if index != _MEASURES:
            table.add_column(header, justify="right" if index >= 3 else "left")
    for index, row in enumerate(rows):
        driver = index == 0 and answer.driver is not None
        table.add_row(
            *(_text(cell) for column, cell in enumerate(row) if column != _MEASURES),
            style="bold" if driver else None,
            end_section=index == len(rows) - 2,
        )
    out.print(table)
    for sentence in sentences[2:]:
        out.print(textwrap.fill(sentence, width), highlight=False)
