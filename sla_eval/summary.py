"""Distributions over replications: means with 95 % confidence intervals, quantiles, P(breach).

Every statistic treats the replications as independent samples x_1..x_n of a period KPI or an
amount of money:

* mean and its t-based 95 % confidence interval ``mean ± t_{0.975, n-1} * s / sqrt(n)`` with
  ``s`` the sample standard deviation (no interval for n < 2); for a share in [0, 1]
  (:func:`sla_eval.kpi_names.is_fraction_kpi`) the interval is intersected with [0, 1], which keeps
  its coverage since the true mean lies there, so a service level never shows "up to 104 %";
* quantiles 5, 50 and 95 % (linear interpolation between order statistics);
* P(breach) = share of replications with at least one breach (of the clause in the period, of
  the clause in any period, of any clause in any period).

NaN samples (a KPI without denominator in a replication) are left out, and ``n`` says how many
counted. Money per replication and period (:func:`contract_totals`):
``net_credit = penalty - earned_back - bonus`` (what the partner gives back),
``client_cost = fee - net_credit``, ``partner_margin = client_cost - labour cost`` with the
labour cost ``labour_cost_per_agent_hour_eur * staffed agent hours`` (NaN when unknown).
:func:`summary_dict` gathers the horizon KPIs and the money into a JSON-ready dict
(floats, lists and None only).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import special

from sla_eval.kpi_names import is_fraction_kpi
from sla_eval.period_cells import ALL_CHANNELS

__all__ = [
    "CONTRACT_MONEY",
    "STAT_COLUMNS",
    "TOTAL_COLUMNS",
    "clip_fraction_intervals",
    "contract_totals",
    "describe",
    "summarise",
    "summary_dict",
]

STAT_COLUMNS = ("n", "mean", "ci95_low", "ci95_high", "q05", "q50", "q95")
"""Statistic columns of :func:`summarise`."""
TOTAL_COLUMNS = (
    "fee_eur",
    "penalty_eur",
    "earned_back_eur",
    "bonus_eur",
    "net_credit_eur",
    "client_cost_eur",
    "labour_cost_eur",
    "partner_margin_eur",
)
"""Money columns of :func:`contract_totals`."""
CONTRACT_MONEY = tuple(c for c in TOTAL_COLUMNS if c not in ("fee_eur", "labour_cost_eur"))
"""The money a contract's terms move, compared between variants and staffing levels:
:data:`TOTAL_COLUMNS` without the fee and the labour cost."""
_QUANTILES = {"q05": 0.05, "q50": 0.5, "q95": 0.95}


def _half_width(std: float | np.ndarray, n: int | np.ndarray) -> np.ndarray:
    """Half width ``t_{0.975, n-1} * s / sqrt(n)`` of the 95 % interval; NaN for n < 2."""
    n = np.asarray(n, np.float64)
    t = np.where(n >= 2, special.stdtrit(np.maximum(n - 1, 1), 0.975), np.nan)
    return t * std / np.sqrt(np.maximum(n, 1))


def summarise(frame: pd.DataFrame, by: Sequence[str], value: str = "value") -> pd.DataFrame:
    """Statistics of ``value`` over the rows of each ``by`` group (the replications).

    Returns one row per group with the ``by`` columns and :data:`STAT_COLUMNS`.
    """
    grouped = frame.groupby(list(by), observed=True, sort=True)[value]
    out = grouped.agg(n="count", mean="mean", std="std")
    for name, q in _QUANTILES.items():
        out[name] = grouped.quantile(q)
    half = _half_width(out["std"].to_numpy(), out["n"].to_numpy())
    out["ci95_low"] = out["mean"] - half
    out["ci95_high"] = out["mean"] + half
    out["n"] = out["n"].astype(np.int64)
    return out.reset_index()[[*by, *STAT_COLUMNS]]


def describe(samples: Iterable[float], *, fraction: bool = False) -> dict:
    """JSON-ready statistics of one sample: ``n``, ``mean``, ``ci95`` [low, high], quantiles.

    With ``fraction`` the samples are shares and the interval is clipped to [0, 1].
    """
    x = np.asarray(samples if isinstance(samples, np.ndarray | pd.Series) else list(samples))
    x = x.astype(np.float64)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return {"n": 0, "mean": None, "ci95": [None, None], "q05": None, "q50": None, "q95": None}
    mean = float(x.mean())
    half = float(_half_width(x.std(ddof=1) if len(x) > 1 else np.nan, len(x)))
    quantiles = np.quantile(x, list(_QUANTILES.values()))
    low, high = mean - half, mean + half
    if fraction:
        low, high = _clip_unit(low), _clip_unit(high)
    return {
        "n": len(x),
        "mean": mean,
        "ci95": [_json(low), _json(high)],
        **{name: float(q) for name, q in zip(_QUANTILES, quantiles, strict=True)},
    }


def _clip_unit(value: float) -> float:
    """``value`` clipped to [0, 1] (NaN stays NaN)."""
    return value if math.isnan(value) else min(max(value, 0.0), 1.0)


def clip_fraction_intervals(table: pd.DataFrame, name_column: str) -> pd.DataFrame:
    """``table`` (with :data:`STAT_COLUMNS`) with the intervals of share KPIs clipped to [0, 1].

    ``name_column`` holds the KPI name of each row (:func:`sla_eval.kpi_names.is_fraction_kpi`).
    """
    shares = table[name_column].astype(str).map(is_fraction_kpi).to_numpy(bool)
    table = table.copy()
    for column in ("ci95_low", "ci95_high"):
        table.loc[shares, column] = table.loc[shares, column].clip(0.0, 1.0)
    return table


def _json(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def contract_totals(
    evaluation: pd.DataFrame,
    kpis: pd.DataFrame | None = None,
    *,
    labour_cost_per_agent_hour_eur: float | None = None,
    period_kind: str | None = None,
) -> pd.DataFrame:
    """Money per replication and period over all clauses (columns in the module docstring).

    Parameters
    ----------
    evaluation:
        Output of :func:`sla_eval.contract.evaluate_contract`.
    kpis, labour_cost_per_agent_hour_eur, period_kind:
        For the partner's labour cost: the KPI table (with ``staffed_agent_hours`` of ``all``),
        the hourly cost and the measurement period kind. Without them the labour cost and the
        margin are NaN.

    Returns
    -------
    pandas.DataFrame
        ``replication``, ``period``, ``period_start``, ``breach`` (any clause) and
        :data:`TOTAL_COLUMNS`.
    """
    keys = ["replication", "period", "period_start"]
    grouped = evaluation.groupby(keys, sort=True)
    out = grouped[["penalty_eur", "earned_back_eur", "bonus_eur"]].sum()
    out["fee_eur"] = grouped["fee_eur"].first()
    out["breach"] = grouped["breach"].any()
    out = out.reset_index()
    out["net_credit_eur"] = out["penalty_eur"] - out["earned_back_eur"] - out["bonus_eur"]
    out["client_cost_eur"] = out["fee_eur"] - out["net_credit_eur"]
    out["labour_cost_eur"] = np.nan
    if kpis is not None and labour_cost_per_agent_hour_eur is not None:
        hours = kpis[
            (kpis["period_kind"] == period_kind)
            & (kpis["kpi"] == "staffed_agent_hours")
            & (kpis["channel"] == ALL_CHANNELS)
        ].set_index(["replication", "period"])["value"]
        index = pd.MultiIndex.from_frame(out[["replication", "period"]])
        out["labour_cost_eur"] = labour_cost_per_agent_hour_eur * hours.reindex(index).to_numpy()
    out["partner_margin_eur"] = out["client_cost_eur"] - out["labour_cost_eur"]
    return out[[*keys, "breach", *TOTAL_COLUMNS]]


def _money(frame: pd.DataFrame) -> dict:
    """Expected amounts and distributions of per-replication money columns."""
    result = {}
    for column in ("penalty_eur", "earned_back_eur", "bonus_eur", "net_credit_eur"):
        if column in frame:
            described = describe(frame[column])
            result[f"expected_{column}"] = described["mean"]
            result[column] = described
    return result


def _clause_summary(rows: pd.DataFrame) -> dict:
    rows = rows.assign(
        net_credit_eur=rows["penalty_eur"] - rows["earned_back_eur"] - rows["bonus_eur"]
    )
    per_rep = rows.groupby("replication").agg(
        penalty_eur=("penalty_eur", "sum"),
        earned_back_eur=("earned_back_eur", "sum"),
        bonus_eur=("bonus_eur", "sum"),
        net_credit_eur=("net_credit_eur", "sum"),
        breach=("breach", "any"),
    )
    periods = []
    for (period, start), group in rows.groupby(["period", "period_start"], sort=True):
        periods.append(
            {
                "period": int(period),
                "period_start": pd.Timestamp(start).isoformat(),
                "p_breach": float(group["breach"].mean()),
                "p_applicable": float(group["applicable"].mean()),
                "value": describe(group["value"]),
                **_money(group),
            }
        )
    return {"p_breach": float(per_rep["breach"].mean()), **_money(per_rep), "periods": periods}


def summary_dict(
    kpis: pd.DataFrame,
    evaluation: pd.DataFrame | None = None,
    totals: pd.DataFrame | None = None,
    *,
    kpi_names: Sequence[str] | None = None,
    period_kind: str = "horizon",
) -> dict:
    """JSON-ready summary over replications.

    Parameters
    ----------
    kpis:
        The long KPI table.
    evaluation, totals:
        Outputs of :func:`sla_eval.contract.evaluate_contract` and :func:`contract_totals`;
        without them ``contract`` is None.
    kpi_names:
        KPIs listed for every channel, None where a KPI does not apply to it; default: every
        KPI the table has for the channel.
    period_kind:
        Which periods the channel KPIs are summarised over (default the whole horizon, period 0).

    Returns
    -------
    dict
        ``replications``; ``channels.<channel>.<kpi>`` = :func:`describe` of the KPI over the
        replications (``mean``, ``ci95``, ``q05``, ``q50``, ``q95``, ``n``) for the first
        period of ``period_kind``; ``contract`` with ``expected_penalty_eur``,
        ``expected_earned_back_eur``, ``expected_bonus_eur``, ``expected_net_credit_eur`` and
        their distributions (summed over the periods of a replication), ``p_breach`` (any
        clause, any period), ``client_cost_eur`` and ``partner_margin_eur`` distributions,
        ``periods`` (per period: ``p_breach`` and the money), ``clauses.<id>`` (``p_breach``
        over the horizon, money, and ``periods`` with ``p_breach``, ``p_applicable``,
        ``value`` and the money).
    """
    rows = kpis[kpis["period_kind"] == period_kind]
    rows = rows[rows["period"] == rows["period"].min()]
    channels: dict[str, dict] = {}
    for (channel, kpi), group in rows.groupby(
        [rows["channel"].astype(str), rows["kpi"].astype(str)], sort=False
    ):
        channels.setdefault(channel, {})[kpi] = describe(
            group["value"], fraction=is_fraction_kpi(kpi)
        )
    if kpi_names is not None:
        channels = {
            channel: {name: found.get(name) for name in kpi_names}
            for channel, found in channels.items()
        }
    result = {
        "replications": int(kpis["replication"].nunique()),
        "channels": channels,
        "contract": None,
    }
    if evaluation is None or totals is None:
        return result
    per_rep = totals.groupby("replication")[list(TOTAL_COLUMNS)].sum(min_count=1)
    per_rep["breach"] = totals.groupby("replication")["breach"].any()
    contract = {"p_breach": float(per_rep["breach"].mean()), **_money(per_rep)}
    contract["client_cost_eur"] = describe(per_rep["client_cost_eur"])
    contract["partner_margin_eur"] = describe(per_rep["partner_margin_eur"])
    contract["periods"] = [
        {
            "period": int(period),
            "period_start": pd.Timestamp(start).isoformat(),
            "p_breach": float(group["breach"].mean()),
            "client_cost_eur": describe(group["client_cost_eur"]),
            **_money(group),
        }
        for (period, start), group in totals.groupby(["period", "period_start"], sort=True)
    ]
    contract["clauses"] = {
        str(clause): _clause_summary(group)
        for clause, group in evaluation.groupby("clause", observed=True, sort=False)
    }
    result["contract"] = contract
    return result
