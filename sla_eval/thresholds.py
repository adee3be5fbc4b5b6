"""Thresholds on a run's results, for pipelines: ``p_breach(email_sla) > 20%``.

A threshold is ``METRIC OP NUMBER``: ``OP`` one of ``>``, ``>=``, ``<``, ``<=``; ``NUMBER`` a
number, ``20%`` for a fraction (0.2), or with the unit of its metric (``30s``, ``5000EUR``;
thousands separators ``5,000`` allowed). It is **crossed** when ``value OP NUMBER`` holds. The
metrics, read from ``summary.json`` (schema in :mod:`reports.results_folder`):

==================================  ==========================================================
metric                              value
==================================  ==========================================================
``p_breach``                        P(breach of any clause in any period)
``p_breach(CLAUSE)``                P(breach) of one clause
``expected_net_credit``             expected net credit over the horizon (EUR); also
                                    ``expected_penalty``, ``expected_bonus``,
                                    ``expected_earned_back``, each also per clause
                                    (``expected_penalty(CLAUSE)``)
``client_cost``                     expected client cost (EUR); also ``fee``,
                                    ``partner_cost``, ``partner_margin``
``CHANNEL.KPI``                     mean of a channel KPI over the horizon
                                    (``phone.service_level``, ``email.asa_s``, ``all.offered``)
==================================  ==========================================================

An ``_eur`` suffix is accepted on the money metrics. A bad expression, or a metric the summary
does not hold (a clause id that is not in the contract, a money metric without a contract),
raises :class:`scenarios.errors.InputError` naming the expression and what is wrong; a metric
that exists but has no value (a clause that never applied) is not crossed and says so.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scenarios.errors import InputError

__all__ = ["Threshold", "ThresholdResult", "check_thresholds", "parse_threshold"]

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
_PATTERN = re.compile(
    r"^\s*(?P<metric>[A-Za-z_][\w.]*)\s*(?:\(\s*(?P<argument>[^()\s]+)\s*\))?\s*"
    r"(?P<op>>=|<=|>|<)\s*(?P<number>[-+]?[\d,]*\.?\d+(?:[eE][-+]?\d+)?)\s*"
    r"(?P<unit>%|s|eur|EUR)?\s*$"
)
_MONEY = ("net_credit", "penalty", "bonus", "earned_back")
_TOTALS = ("client_cost", "fee", "partner_cost", "partner_margin")


@dataclass(frozen=True)
class Threshold:
    """A parsed threshold (module docstring).

    Attributes
    ----------
    text:
        The expression as given.
    metric, argument:
        The metric's name (without ``_eur``) and its clause, or None.
    op, limit:
        The comparison and its number (``20%`` is 0.2).
    """

    text: str
    metric: str
    argument: str | None
    op: str
    limit: float


@dataclass(frozen=True)
class ThresholdResult:
    """A threshold checked against a summary: ``value`` (None when the metric has none) and
    whether it is ``crossed``."""

    threshold: Threshold
    value: float | None
    crossed: bool


def parse_threshold(text: str) -> Threshold:
    """Parse ``METRIC OP NUMBER`` (module docstring).

    Raises
    ------
    InputError
        ``--fail-if 'TEXT': ...`` with the rule broken.
    """
    found = _PATTERN.match(text)
    if found is None:
        raise InputError(
            f"--fail-if {text!r}: expected METRIC OP NUMBER, e.g. 'p_breach(email_sla) > 20%' "
            "(OP one of >, >=, <, <=)"
        )
    metric = found["metric"]
    metric = metric[: -len("_eur")] if metric.endswith("_eur") else metric
    argument = found["argument"]
    money = metric.startswith("expected_") and metric.removeprefix("expected_") in _MONEY
    known = (
        metric == "p_breach"
        or money
        or (metric in _TOTALS and argument is None)
        or ("." in metric and argument is None)
    )
    if not known:
        raise InputError(
            f"--fail-if {text!r}: unknown metric {found['metric']!r} (p_breach, "
            "expected_net_credit, expected_penalty, expected_bonus, expected_earned_back, "
            "client_cost, fee, partner_cost, partner_margin or CHANNEL.KPI)"
        )
    unit = (found["unit"] or "").lower()
    wrong = (
        (unit == "eur" and not (money or metric in _TOTALS))
        or (unit == "s" and not metric.endswith("_s"))
        or (unit == "%" and (money or metric in _TOTALS))
    )
    if wrong:
        raise InputError(f"--fail-if {text!r}: the unit {found['unit']!r} does not fit {metric!r}")
    number = float(found["number"].replace(",", ""))
    return Threshold(
        text=text.strip(),
        metric=metric,
        argument=argument,
        op=found["op"],
        limit=number / 100.0 if found["unit"] == "%" else number,
    )


def _entry(summary: Mapping[str, Any], threshold: Threshold) -> Mapping[str, Any]:
    """The part of the summary the metric reads (the contract or one clause)."""
    contract = summary.get("contract")
    if contract is None:
        raise InputError(f"--fail-if {threshold.text!r}: the run has no contract")
    if threshold.argument is None:
        return contract
    clauses = contract["clauses"]
    if threshold.argument not in clauses:
        raise InputError(
            f"--fail-if {threshold.text!r}: no clause {threshold.argument!r} in the contract "
            f"(clauses: {', '.join(clauses)})"
        )
    return clauses[threshold.argument]


def _value(summary: Mapping[str, Any], threshold: Threshold) -> float | None:
    metric = threshold.metric
    if "." in metric:
        channel, kpi = metric.split(".", 1)
        channels = summary.get("channels") or {}
        if channel not in channels or kpi not in channels[channel]:
            raise InputError(
                f"--fail-if {threshold.text!r}: the summary has no KPI {kpi!r} of channel "
                f"{channel!r} (channels: {', '.join(channels)})"
            )
        stats = channels[channel][kpi]
        return None if stats is None else stats.get("mean")
    entry = _entry(summary, threshold)
    if metric == "p_breach":
        return entry.get("p_breach")
    if metric in _TOTALS:
        stats = entry.get(f"{metric}_eur")
        return None if stats is None else stats.get("mean")
    return entry.get(f"{metric}_eur")


def check_thresholds(
    summary: Mapping[str, Any], thresholds: list[Threshold]
) -> list[ThresholdResult]:
    """Every threshold against a run's ``summary.json``, in order.

    Raises
    ------
    InputError
        When a metric is not in the summary (module docstring).
    """
    results = []
    for threshold in thresholds:
        value = _value(summary, threshold)
        crossed = value is not None and _OPERATORS[threshold.op](value, threshold.limit)
        results.append(ThresholdResult(threshold, value, crossed))
    return results
