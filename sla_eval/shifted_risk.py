"""P(breach) of a clause when its measured values move: the arithmetic of a what-if.

A what-if that does not simulate again (the run report's "what would change it") estimates how
a change of staffing moves a clause's KPI in each measurement period, ``δ_p``, and asks what
P(breach) the simulated replications would have had with it. :func:`shifted_p_breach` moves
the value of every replication ``r`` in period ``p`` to ``v_rp + δ_p`` (clipped to [0, 1] for
shares) and counts a breach where the row applied, was not relieved and the moved value falls
short of the target (``Clause.shortfall_units > 0`` after rounding to 1e-9 units, as
:mod:`sla_eval.contract` rounds it):

.. math::

    \\hat p(δ) = \\frac{1}{R} \\sum_r \\mathbf 1\\Big[\\exists p:\\ a_{rp} \\wedge \\neg l_{rp}
    \\wedge s(v_{rp} + δ_p) > 0\\Big]

with ``a`` applicable, ``l`` relieved and ``s`` the shortfall. The applicability and the relief
of a row are kept as simulated (they depend on volumes, which a staffing change does not move).
With ``δ = 0`` the estimate is the simulated P(breach) of the clause. The interval is Wilson's
(:func:`sla_eval.summary.wilson_interval`); it holds the sampling error of the replications, not
the error of ``δ``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scenarios.contract import FRACTION_KPIS
from sla_eval.summary import wilson_interval

if TYPE_CHECKING:
    from scenarios.contract import Clause

__all__ = ["shifted_p_breach"]

_ROUND_UNITS = 9


def shifted_p_breach(
    rows: pd.DataFrame, clause: Clause, shift: Mapping[int, float]
) -> tuple[float, float, float]:
    """P(breach) of ``clause`` with its values moved by ``shift`` (module docstring), and its
    Wilson 95 % interval.

    Parameters
    ----------
    rows:
        The contract evaluation (:data:`sla_eval.CONTRACT_COLUMNS`); the rows of other clauses
        are ignored.
    clause:
        The ``scenarios.contract.Clause``.
    shift:
        Period index (of the clause's measurement period) to ``δ_p`` in the clause's KPI units;
        a period not in it does not move.

    Returns
    -------
    tuple of float
        ``(p, low, high)``; NaN for all three when the clause has no row.
    """
    own = rows[rows["clause"].astype(str) == clause.id]
    if own.empty:
        return (np.nan, np.nan, np.nan)
    periods = own["period"].to_numpy(np.int64)
    delta = np.array([float(shift.get(int(period), 0.0)) for period in periods])
    values = own["value"].to_numpy(np.float64) + delta
    if clause.kpi in FRACTION_KPIS:
        values = np.clip(values, 0.0, 1.0)
    short = np.round(clause.shortfall_units(values), _ROUND_UNITS) > 0
    breach = own["applicable"].to_numpy(bool) & ~own["relieved"].to_numpy(bool) & short
    per_replication = pd.Series(breach).groupby(own["replication"].to_numpy()).any()
    hits = float(per_replication.sum())
    low, high = wilson_interval(hits, len(per_replication))
    return (hits / len(per_replication), low, high)
