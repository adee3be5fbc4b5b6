"""Each clause's KPI per calendar period, over replications: the mean with its 95 % interval and
the chance that the period misses the clause's target.

:func:`clause_period_risk` reads the long KPI table (:data:`sla_eval.KPI_COLUMNS`) and a
contract, and measures every clause over periods of one kind (a week, say) whatever the kind
the contract measures it over, so a monthly clause shows which week carries its risk. A period
**misses** when the clause's KPI has a value and falls short of the target
(``Clause.shortfall_units > 0``, rounded to 1e-9 units as the contract evaluation rounds it).
Minimum volumes, relief bands and the money are the contract's matter
(:mod:`sla_eval.contract`): ``p_miss`` is about service, not penalties.

Columns (:data:`PERIOD_RISK_COLUMNS`):

======================  ==============  ==================================================
column                  dtype           meaning
======================  ==============  ==================================================
``clause``              str             clause id
``channel``             str             the clause's channel (or ``all``)
``kpi``                 str             the KPI's name in the KPI table
``period_kind``         str             the kind of period measured
``period``              int64           period index of that kind
``period_start``        datetime64[ns]  first moment of the period inside the horizon
``target``              float64         the clause's target
``n``                   int64           replications with a value in the period
``mean``                float64         mean of the value over them
``ci95_low``            float64         t-based 95 % interval of the mean (clipped to
``ci95_high``                           [0, 1] for shares; NaN for n < 2)
``p_miss``              float64         share of those replications that miss the target
``p_miss_ci95_low``     float64         its Wilson 95 % interval
``p_miss_ci95_high``
======================  ==============  ==================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scenarios.contract import FRACTION_KPIS
from sla_eval.contract import clause_kpi
from sla_eval.grids import kind_rows, labels_of
from sla_eval.group_sums import Groups
from sla_eval.summary import describe, share_with_interval, wilson_interval

if TYPE_CHECKING:
    from scenarios.contract import Contract

__all__ = ["PERIOD_RISK_COLUMNS", "clause_p_breach", "clause_period_risk"]

PERIOD_RISK_COLUMNS = (
    "clause",
    "channel",
    "kpi",
    "period_kind",
    "period",
    "period_start",
    "target",
    "n",
    "mean",
    "ci95_low",
    "ci95_high",
    "p_miss",
    "p_miss_ci95_low",
    "p_miss_ci95_high",
)
_ROUND_UNITS = 9


def clause_period_risk(kpis: pd.DataFrame, contract: Contract, kind: str) -> pd.DataFrame:
    """Every clause measured over periods of ``kind`` (module docstring); one row per clause
    and period with a value in some replication, clauses in contract order.

    Parameters
    ----------
    kpis:
        The long KPI table with rows of ``kind``.
    contract:
        The ``scenarios.contract.Contract`` whose clauses are measured.
    kind:
        ``day``, ``week``, ``month``, ``quarter`` or ``horizon``.
    """
    rows = kind_rows(kpis["period_kind"], kind)
    channel_code, channel_names = labels_of(kpis["channel"], rows)
    kpi_code, kpi_names = labels_of(kpis["kpi"], rows)
    measured = kpis["value"].to_numpy(np.float64)[rows]
    period = kpis["period"].to_numpy()[rows]
    start = kpis["period_start"].to_numpy()[rows]
    found = []
    for clause in contract.clauses:
        name = clause_kpi(clause)
        own = np.flatnonzero(
            _is(channel_code, channel_names, clause.channel)
            & _is(kpi_code, kpi_names, name)
            & ~np.isnan(measured)
        )
        if own.size == 0:
            continue
        fraction = clause.kpi in FRACTION_KPIS
        groups = Groups([period[own], start[own]])
        for first, members in zip(groups.first, groups.members(), strict=True):
            values = measured[own[members]]
            missed = np.round(clause.shortfall_units(values), _ROUND_UNITS) > 0
            stats = describe(values, fraction=fraction)
            low, high = wilson_interval(float(missed.sum()), len(missed))
            found.append(
                (
                    clause.id,
                    clause.channel,
                    name,
                    kind,
                    int(period[own[first]]),
                    pd.Timestamp(start[own[first]]),
                    float(clause.target),
                    stats["n"],
                    stats["mean"],
                    *(np.nan if value is None else value for value in stats["ci95"]),
                    float(missed.mean()),
                    low,
                    high,
                )
            )
    table = pd.DataFrame(found, columns=list(PERIOD_RISK_COLUMNS))
    return table.astype({"period": "int64", "n": "int64", "period_start": "datetime64[ns]"})


def clause_p_breach(evaluation: pd.DataFrame) -> dict[str, dict]:
    """P(breach) of every clause of a contract evaluation (:data:`sla_eval.CONTRACT_COLUMNS`)
    as ``summary.json`` has it: ``{clause: {"p_breach", "p_breach_ci95"}}``, the share of
    replications with a breach in at least one period and its Wilson interval; null when the
    clause never applied. Clauses in order of first appearance."""
    every = np.arange(len(evaluation))
    clause_code, clause_names = labels_of(evaluation["clause"], every)
    replication = evaluation["replication"].to_numpy()
    breach = evaluation["breach"].to_numpy(bool)
    applicable = evaluation["applicable"].to_numpy(bool)
    found = {}
    clauses = Groups([clause_code], sort=False)
    for first, members in zip(clauses.first, clauses.members(), strict=True):
        per_replication = Groups([replication[members]])
        share = share_with_interval(
            per_replication.any(breach[members]),
            bool(per_replication.any(applicable[members]).any()),
        )
        found[clause_names[clause_code[first]]] = {
            "p_breach": share["p"],
            "p_breach_ci95": share["ci95"],
        }
    return found


def _is(codes: np.ndarray, names: list[str], name: str) -> np.ndarray:
    """Which of ``codes`` (labels of :func:`sla_eval.grids.labels_of`) stand for ``name``."""
    return codes == names.index(name) if name in names else np.zeros(len(codes), bool)
