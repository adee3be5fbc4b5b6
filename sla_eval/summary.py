"""Distributions over replications: means with 95 % confidence intervals, quantiles, P(breach).

Every statistic treats the replications as independent samples x_1..x_n of a period KPI or an
amount of money:

* mean and its t-based 95 % confidence interval ``mean ± t_{0.975, n-1} * s / sqrt(n)`` with
  ``s`` the sample standard deviation (no interval for n < 2); for a share in [0, 1]
  (:func:`sla_eval.kpi_names.is_fraction_kpi`) the interval is intersected with [0, 1], which keeps
  its coverage since the true mean lies there, so a service level never shows "up to 104 %";
* quantiles 5, 50 and 95 % (linear interpolation between order statistics);
* P(breach) = share of replications with at least one breach (of the clause in the period, of
  the clause in any period, of any clause in any period), with the Wilson score 95 % interval
  (:func:`wilson_interval`; Wilson 1927, Agresti and Coull 1998), which stays inside [0, 1] and
  is not empty at 0 or n breaches: 4 replications that all breach give [51 %, 100 %], not a
  certain 100 %. A clause that never applied (no value, or below its minimum volume, in every
  replication) has no P(breach): null, "not applicable", never 0 %.

NaN samples (a KPI without denominator in a replication) are left out, and ``n`` says how many
counted. Money per replication and billing period (:func:`contract_totals`):
``net_credit = penalty - earned_back - bonus`` (what the partner gives back),
``client_cost = fee - net_credit``, ``partner_margin = client_cost - partner_cost`` with the
partner's cost of :mod:`sla_eval.partner_cost` (NaN when its labour cost is unknown).
:func:`summary_dict` gathers the horizon KPIs and the money into a JSON-ready dict
(floats, lists and None only).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import special

from sla_eval.grids import labels_of
from sla_eval.group_sums import Groups, key_positions
from sla_eval.kpi_names import is_fraction_kpi
from sla_eval.partner_cost import HOURS_KPIS

__all__ = [
    "CONTRACT_MONEY",
    "STAT_COLUMNS",
    "TOTAL_COLUMNS",
    "clip_fraction_intervals",
    "contract_totals",
    "describe",
    "share_with_interval",
    "summarise",
    "summary_dict",
    "wilson_interval",
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
    "relieved_eur",
    "labour_cost_eur",
    "hiring_cost_eur",
    "overhead_eur",
    "partner_cost_eur",
    "partner_margin_eur",
)
"""Money columns of :func:`contract_totals`."""
CONTRACT_MONEY = (
    "penalty_eur",
    "earned_back_eur",
    "bonus_eur",
    "net_credit_eur",
    "client_cost_eur",
    "partner_margin_eur",
)
"""The money a contract's terms move, compared between variants and staffing levels."""
_COSTS = ("labour_cost_eur", "hiring_cost_eur", "overhead_eur", "partner_cost_eur")
_Z95 = 1.959963984540054
"""Standard normal quantile 0.975."""
_QUANTILES = {"q05": 0.05, "q50": 0.5, "q95": 0.95}
_Q = np.array(list(_QUANTILES.values()))
_ALL = slice(None)


def _half_width(std: float | np.ndarray, n: int | np.ndarray) -> np.ndarray:
    """Half width ``t_{0.975, n-1} * s / sqrt(n)`` of the 95 % interval; NaN for n < 2."""
    n = np.asarray(n, np.float64)
    t = np.where(n >= 2, special.stdtrit(np.maximum(n - 1, 1), 0.975), np.nan)
    return t * std / np.sqrt(np.maximum(n, 1))


@lru_cache(maxsize=1024)
def _t975(n: int) -> float:
    """``t_{0.975, n-1}`` of :func:`_half_width` for one sample size (NaN for n < 2)."""
    return float(np.where(n >= 2, special.stdtrit(max(n - 1, 1), 0.975), np.nan))


def _quantiles(x: np.ndarray) -> np.ndarray:
    """``np.quantile(x, [0.05, 0.5, 0.95])`` (linear interpolation, Hyndman and Fan's method
    7) of a sample without NaN, by numpy's own steps (virtual index ``(n - 1) q``, the same
    partition, ``lerp``), so that the floats are numpy's without its fixed cost per call."""
    n = len(x)
    virtual = (n - 1) * _Q
    previous = np.floor(virtual)
    following = previous + 1
    above = virtual >= n - 1
    previous[above] = -1
    following[above] = -1
    previous_at, following_at = previous.astype(np.intp), following.astype(np.intp)
    arranged = x.copy()
    arranged.partition(np.unique(np.concatenate(([0, -1], previous_at, following_at))))
    low, high = arranged[previous_at], arranged[following_at]
    gamma = virtual - previous_at
    diff = high - low
    return np.where(gamma >= 0.5, high - diff * (1 - gamma), low + diff * gamma)


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
    std = x.std(ddof=1) if len(x) > 1 else np.nan
    half = float(_t975(len(x)) * std / math.sqrt(len(x)))
    quantiles = _quantiles(x)
    low, high = mean - half, mean + half
    if fraction:
        low, high = _clip_unit(low), _clip_unit(high)
    return {
        "n": len(x),
        "mean": mean,
        "ci95": [_json(low), _json(high)],
        **{name: float(q) for name, q in zip(_QUANTILES, quantiles, strict=True)},
    }


def wilson_interval(successes: float, n: float, z: float = _Z95) -> tuple[float, float]:
    r"""Wilson score interval of a share ``successes / n`` (95 % by default).

    .. math:: \frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    (Wilson 1927; Agresti and Coull 1998, *The American Statistician* 52). NaN for ``n = 0``.
    The interval always holds :math:`\hat p`: its ends are 0 at :math:`\hat p = 0` and 1 at
    :math:`\hat p = 1` exactly.
    """
    if n <= 0:
        return (math.nan, math.nan)
    p = successes / n
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / denominator
    half = z * math.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denominator
    # the interval holds p̂ (at p̂ = 0 the lower end is 0 exactly, which rounding may miss)
    return (min(max(0.0, centre - half), p), max(min(1.0, centre + half), p))


def share_with_interval(flags: Iterable[bool] | pd.Series, applicable: bool = True) -> dict:
    """``{"p", "ci95": [low, high], "n"}`` of a share of replications with its Wilson interval;
    ``p`` and the interval null when not ``applicable`` or without replications."""
    values = np.asarray(
        list(flags) if not isinstance(flags, pd.Series | np.ndarray) else flags, bool
    )
    n = len(values)
    if not applicable or n == 0:
        return {"p": None, "ci95": [None, None], "n": n}
    low, high = wilson_interval(float(values.sum()), n)
    return {"p": float(values.mean()), "ci95": [low, high], "n": n}


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
    evaluation: pd.DataFrame, fees: pd.DataFrame, partner: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Money per replication and billing period over all clauses (columns in the module
    docstring).

    Parameters
    ----------
    evaluation:
        Output of :func:`sla_eval.contract.evaluate_contract` (rows settled in
        ``billing_period``).
    fees:
        The fee per replication and billing period (:func:`sla_eval.fees.billing_fees`).
    partner:
        The partner's hours and cost per replication and billing period
        (:func:`sla_eval.partner_cost.partner_cost`); without it they are NaN.

    Returns
    -------
    pandas.DataFrame
        ``replication``, ``period``, ``period_start`` (of the billing period), ``breach`` (any
        clause settled in it), :data:`TOTAL_COLUMNS` and the hours of
        :data:`sla_eval.partner_cost.HOURS_KPIS`.
    """
    keys = ["replication", "period"]
    key_columns = [fees[key].to_numpy() for key in keys]
    replication = evaluation["replication"].to_numpy()
    billed = evaluation["billing_period"].to_numpy()
    settled = Groups([replication, billed])
    summed = ["penalty_eur", "earned_back_eur", "bonus_eur", "relieved_eur"]
    sums = settled.sum(evaluation[summed].to_numpy(np.float64))
    breach = settled.any(evaluation["breach"].to_numpy(bool))
    fee_row = key_positions(key_columns, [replication[settled.first], billed[settled.first]])
    group_of_row = np.full(len(fees), -1)
    group_of_row[fee_row[fee_row >= 0]] = np.flatnonzero(fee_row >= 0)
    billed_here = group_of_row >= 0
    group = np.maximum(group_of_row, 0)
    money = {
        name: np.where(billed_here, sums[group, index], 0.0) if len(sums) else np.zeros(len(fees))
        for index, name in enumerate(summed)
    }
    columns = {
        **{key: fees[key].to_numpy() for key in (*keys, "period_start")},
        "breach": billed_here & breach[group] if len(breach) else np.zeros(len(fees), bool),
        "fee_eur": fees["fee_eur"].to_numpy(),
        **money,
    }
    columns["net_credit_eur"] = money["penalty_eur"] - money["earned_back_eur"] - money["bonus_eur"]
    columns["client_cost_eur"] = columns["fee_eur"] - columns["net_credit_eur"]
    costs = [*HOURS_KPIS, "labour_cost_eur", "hiring_cost_eur", "overhead_eur", "partner_cost_eur"]
    if partner is None:
        columns.update({column: np.full(len(fees), np.nan) for column in costs})
    else:
        row = key_positions([partner[key].to_numpy() for key in keys], key_columns)
        for column in costs:
            values = partner[column].to_numpy(np.float64)
            columns[column] = np.where(row >= 0, values[np.maximum(row, 0)], np.nan)
    columns["partner_margin_eur"] = columns["client_cost_eur"] - columns["partner_cost_eur"]
    # one block per column, so that a NaN in one column (a partner cost without labour rate)
    # never changes how pandas sums another (module docstring of sla_eval.group_sums)
    names = (*keys, "period_start", "breach", *TOTAL_COLUMNS, *HOURS_KPIS)
    return pd.concat([pd.Series(columns[name], name=name) for name in names], axis=1)


_MONEY_COLUMNS = ("penalty_eur", "earned_back_eur", "bonus_eur", "net_credit_eur", "relieved_eur")


def _money(columns: Mapping[str, np.ndarray], rows: np.ndarray | slice = _ALL) -> dict:
    """Expected amounts and distributions of per-replication money columns (those of
    ``columns`` at ``rows``)."""
    result = {}
    for column in _MONEY_COLUMNS:
        if column in columns:
            described = describe(columns[column][rows])
            result[f"expected_{column}"] = described["mean"]
            result[column] = described
    return result


def _breach_fields(breach: np.ndarray, applicable: bool) -> dict:
    """``p_breach`` (null when the clause never applied) and its Wilson ``p_breach_ci95``."""
    share = share_with_interval(breach, applicable)
    return {"p_breach": share["p"], "p_breach_ci95": share["ci95"]}


def _period_groups(period: np.ndarray, start: np.ndarray) -> tuple[Groups, np.ndarray, np.ndarray]:
    """The rows of each ``(period, period_start)`` in ascending order, with their keys."""
    groups = Groups([period, start])
    return groups, period[groups.first], start[groups.first]


_CLAUSE_COLUMNS = (
    "replication",
    "period",
    "period_start",
    "value",
    "penalty_eur",
    "earned_back_eur",
    "bonus_eur",
    "relieved_eur",
    "breach",
    "applicable",
)
"""Columns of the contract rows a clause's summary reads."""


def _clause_summary(rows: Mapping[str, np.ndarray], measured_per: str) -> dict:
    """The summary of one clause from its contract rows (:data:`_CLAUSE_COLUMNS` as arrays)
    measured per ``measured_per`` period."""
    columns = dict(rows)
    columns["net_credit_eur"] = (
        columns["penalty_eur"] - columns["earned_back_eur"] - columns["bonus_eur"]
    )
    breach, applicable = rows["breach"].astype(bool), rows["applicable"].astype(bool)
    by_rep = Groups([rows["replication"]])
    per_rep = {name: by_rep.sum(columns[name]) for name in _MONEY_COLUMNS}
    applied = by_rep.any(applicable)
    periods = []
    groups, period, start = _period_groups(rows["period"], rows["period_start"])
    for index, members in enumerate(groups.members()):
        share = np.count_nonzero(applicable[members]) / len(members)
        periods.append(
            {
                "period": int(period[index]),
                "period_start": pd.Timestamp(start[index]).isoformat(),
                **_breach_fields(breach[members], bool(share > 0)),
                "p_applicable": share,
                "value": describe(columns["value"][members]),
                **_money(columns, members),
            }
        )
    return {
        "measurement_period": measured_per,
        **_breach_fields(by_rep.any(breach), bool(applied.any())),
        "applicable_replications": int(np.count_nonzero(applied)),
        **_money(per_rep),
        "periods": periods,
    }


def _forecast_error(evaluation: pd.DataFrame) -> dict:
    """Who paid for demand above the contract forecast: credits the relief bands waived (the
    client) and penalties paid in periods whose first contacts exceeded the forecast (the
    partner), summed per replication."""
    above = evaluation["first_contacts"].to_numpy() > evaluation["forecast_contacts"].to_numpy()
    kept = np.where(above, evaluation["penalty_eur"].to_numpy(), 0.0)
    by_rep = Groups([evaluation["replication"].to_numpy()])
    return {
        "relieved_eur": describe(by_rep.sum(evaluation["relieved_eur"].to_numpy())),
        "kept_above_forecast_eur": describe(by_rep.sum(kept)),
    }


def _channel_kpis(rows: pd.DataFrame) -> dict[str, dict]:
    """:func:`describe` of the values of each channel and KPI of ``rows``, channels and KPIs
    in the order they first appear."""
    every = np.arange(len(rows))
    channel_code, channel_names = labels_of(rows["channel"], every)
    kpi_code, kpi_names = labels_of(rows["kpi"], every)
    groups = Groups([channel_code, kpi_code], sort=False)
    values = rows["value"].to_numpy()
    channels: dict[str, dict] = {}
    for first, members in zip(groups.first, groups.members(), strict=True):
        kpi = kpi_names[kpi_code[first]]
        channels.setdefault(channel_names[channel_code[first]], {})[kpi] = describe(
            values[members], fraction=is_fraction_kpi(kpi)
        )
    return channels


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
    channels = _channel_kpis(rows)
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
    # pandas' own sum: how it sums a column depends on the table's blocks (sla_eval.group_sums)
    grouped = totals.groupby("replication")
    sums = grouped[[*TOTAL_COLUMNS, *HOURS_KPIS]].sum(min_count=1)
    per_rep = {name: sums[name].to_numpy(np.float64) for name in sums.columns}
    contract = {
        **_breach_fields(grouped["breach"].any().to_numpy(bool), True),
        "replications": len(sums),
        **_money(per_rep),
    }
    for column in ("fee_eur", "client_cost_eur", "relieved_eur", *_COSTS, *HOURS_KPIS):
        contract[column] = describe(per_rep[column])
    contract["partner_margin_eur"] = describe(per_rep["partner_margin_eur"])
    client = pd.Series(per_rep["client_cost_eur"]).mean()
    margin = pd.Series(per_rep["partner_margin_eur"]).mean()
    contract["partner_margin_frac"] = (
        None if not (np.isfinite(margin) and client > 0) else float(margin / client)
    )
    contract["forecast_error"] = _forecast_error(evaluation)
    money = {name: totals[name].to_numpy(np.float64) for name in TOTAL_COLUMNS}
    breach = totals["breach"].to_numpy(bool)
    groups, period, start = _period_groups(
        totals["period"].to_numpy(), totals["period_start"].to_numpy()
    )
    contract["periods"] = [
        {
            "period": int(period[index]),
            "period_start": pd.Timestamp(start[index]).isoformat(),
            **_breach_fields(breach[members], True),
            "fee_eur": describe(money["fee_eur"][members]),
            "client_cost_eur": describe(money["client_cost_eur"][members]),
            "partner_cost_eur": describe(money["partner_cost_eur"][members]),
            **_money(money, members),
        }
        for index, members in enumerate(groups.members())
    ]
    every = np.arange(len(evaluation))
    clause_code, clause_names = labels_of(evaluation["clause"], every)
    kind_code, kind_names = labels_of(evaluation["period_kind"], every)
    rows = {name: evaluation[name].to_numpy() for name in _CLAUSE_COLUMNS}
    clauses = Groups([clause_code], sort=False)
    contract["clauses"] = {
        clause_names[clause_code[first]]: _clause_summary(
            {name: column[members] for name, column in rows.items()},
            kind_names[kind_code[first]],
        )
        for first, members in zip(clauses.first, clauses.members(), strict=True)
    }
    result["contract"] = contract
    return result
