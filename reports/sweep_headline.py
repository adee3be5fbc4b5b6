"""The headline of a sweep as a planner reads it: one row per variant with the values it varied
(not only its number), its service, its risk and its money.

Columns: ``variant``, one column per varied path with its value, the columns of
:func:`sla_eval.comparison.sweep_overview` (service within target per channel, ``p_breach``,
``expected_net_credit_eur``), and with a contract the means over replications of the partner's
cost over the horizon: ``partner_cost_eur`` (labour, hiring and overhead, the sum of the three
columns before it), ``labour_cost_eur``, ``hiring_cost_eur``, ``overhead_eur``, and the
``partner_margin_eur`` (:mod:`sla_eval.partner_cost`). A hand-made hiring sweep (varied
``hiring_classes`` sizes or start dates) thus puts the labour cost of each variant beside its
expected credit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from sla_eval.comparison import sweep_overview

if TYPE_CHECKING:
    from sla_eval.evaluation import Evaluation

__all__ = ["COST_COLUMNS", "sweep_headline"]

COST_COLUMNS = (
    "labour_cost_eur",
    "hiring_cost_eur",
    "overhead_eur",
    "partner_cost_eur",
    "partner_margin_eur",
)
"""Money columns of the headline, means over replications of the horizon's sums."""


def sweep_headline(
    table: pd.DataFrame, evaluations: Sequence[Evaluation], paths: Sequence[str]
) -> pd.DataFrame:
    """The headline of the module docstring.

    Parameters
    ----------
    table:
        The tidy sweep table (:func:`sla_eval.comparison.sweep_table`), whose ``paths``
        columns hold each variant's values.
    evaluations:
        One evaluation per variant, in variant order.
    paths:
        The varied paths.
    """
    overview = sweep_overview(table)
    values = table.drop_duplicates("variant").set_index("variant")[list(paths)]
    headline = values.join(overview.set_index("variant")).reset_index()
    money = []
    for evaluation in evaluations:
        totals = evaluation.totals
        if totals is None:
            money.append(dict.fromkeys(COST_COLUMNS, float("nan")))
            continue
        per_replication = totals.groupby("replication")[list(COST_COLUMNS)].sum(min_count=1)
        money.append(per_replication.mean().to_dict())
    if all(evaluation.totals is None for evaluation in evaluations):
        return headline
    return pd.concat([headline, pd.DataFrame(money)[list(COST_COLUMNS)]], axis=1)
