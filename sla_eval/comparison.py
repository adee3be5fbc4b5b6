"""Variants compared on common random numbers: paired differences, and the sweep table.

Every metric is a per-replication value: each channel KPI of
:data:`sla_eval.evaluation.SUMMARY_KPIS` over the horizon (``channel`` = the channel or ``all``),
and the contract money summed over the measurement periods of the replication (``channel`` =
``contract``; metrics ``penalty_eur``, ``earned_back_eur``, ``bonus_eur``, ``net_credit_eur``,
``client_cost_eur``, ``partner_margin_eur`` and ``breach``, 1 when any clause was breached in
any period, whose mean is P(breach)); :func:`replication_metrics`.

**Paired differences** (:func:`paired_differences`). Variants run with the same seed and the
same replication indices see the same random numbers where they agree, so replication ``r``
of variant ``v`` and of the reference ``a`` form a pair and the difference ``d_r = x_{v,r} -
x_{a,r}`` removes the noise they share. Over the ``n`` replications where both values exist,
the mean difference ``d̄`` has the t-based 95 % interval ``d̄ ± t_{0.975, n-1} s_d / sqrt(n)``
(the paired t interval; Law, *Simulation Modeling and Analysis*, 5th ed., section 10.2.1,
on common random numbers section 11.2). It is narrower than the interval of independent runs
whenever the variants' values are positively correlated, which common random numbers make
them.

**Sweep table** (:func:`sweep_table`). One row per variant, channel and metric with the
statistics of :func:`sla_eval.summarise` and one column per varied field; the interval of
``breach`` is the Wilson interval of P(breach).

Both tables list the contract's money first (:func:`money_first`). Variants that differ in
horizon, interval or channels are not like for like: :func:`variant_warnings` says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from scenarios.errors import InputError
from sla_eval.evaluation import SUMMARY_KPIS
from sla_eval.summary import CONTRACT_MONEY, clip_fraction_intervals, summarise, wilson_interval

if TYPE_CHECKING:
    from scenarios.scenario import Scenario

__all__ = [
    "CONTRACT_ROW",
    "DIFFERENCE_COLUMNS",
    "money_first",
    "paired_differences",
    "replication_metrics",
    "sweep_overview",
    "sweep_table",
    "variant_warnings",
]

CONTRACT_ROW = "contract"
"""``channel`` of the contract metrics."""
DIFFERENCE_COLUMNS = (
    "variant",
    "reference",
    "channel",
    "metric",
    "n",
    "mean_reference",
    "mean_variant",
    "mean_difference",
    "ci95_low",
    "ci95_high",
)
"""Columns of :func:`paired_differences`."""


class Evaluated(Protocol):
    """What the comparisons read of an evaluation (:class:`sla_eval.evaluation.Evaluation`)."""

    @property
    def kpis(self) -> pd.DataFrame: ...

    @property
    def totals(self) -> pd.DataFrame | None: ...


_KEYS = ["replication", "channel", "metric"]
_SERVICE_KPIS = ("service_level", "response_within_target_frac")


def replication_metrics(evaluation: Evaluated) -> pd.DataFrame:
    """Every metric of one evaluation per replication (module docstring).

    Parameters
    ----------
    evaluation:
        Anything with ``kpis`` (the long KPI table) and ``totals`` (:func:`sla_eval.
        contract_totals`, or None without a contract), such as
        :class:`sla_eval.evaluation.Evaluation`.

    Returns
    -------
    pandas.DataFrame
        Columns ``replication`` (int), ``channel`` (str), ``metric`` (str), ``value``
        (float64, NaN where the KPI has no denominator).
    """
    kpis = evaluation.kpis
    rows = kpis[(kpis["period_kind"] == "horizon") & kpis["kpi"].isin(SUMMARY_KPIS)]
    frames = [
        pd.DataFrame(
            {
                "replication": rows["replication"].to_numpy(np.int64),
                "channel": rows["channel"].astype(str).to_numpy(),
                "metric": rows["kpi"].astype(str).to_numpy(),
                "value": rows["value"].to_numpy(np.float64),
            }
        )
    ]
    totals = evaluation.totals
    if totals is not None:
        per_rep = totals.groupby("replication")[list(CONTRACT_MONEY)].sum(min_count=1)
        per_rep["breach"] = totals.groupby("replication")["breach"].any().astype(np.float64)
        money = per_rep.reset_index().melt(
            id_vars="replication", var_name="metric", value_name="value"
        )
        frames.append(
            money.assign(
                replication=money["replication"].astype(np.int64),
                channel=CONTRACT_ROW,
                value=money["value"].astype(np.float64),
            )[[*_KEYS, "value"]]
        )
    return pd.concat(frames, ignore_index=True)


_METRIC_ORDER = (*CONTRACT_MONEY, "breach")


def money_first(table: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """``table`` with the contract rows first (money in :data:`CONTRACT_MONEY` order, then
    ``breach``), the channel rows after them, within each group of the ``by`` columns."""
    contract = (table["channel"] != CONTRACT_ROW).astype(int)
    metric = table["metric"].map({m: i for i, m in enumerate(_METRIC_ORDER)}).fillna(-1)
    keyed = table.assign(_contract=contract, _metric=metric, _row=np.arange(len(table)))
    keys = [*by, "_contract", "_metric", "_row"]
    ordered = keyed.sort_values(keys, kind="stable")
    return ordered.drop(columns=["_contract", "_metric", "_row"]).reset_index(drop=True)


def variant_warnings(scenarios: Sequence[Scenario]) -> list[str]:
    """One line per way the scenarios differ in horizon (start, days, warm-up), interval length
    or channels from the first: their totals are not like for like."""
    first = scenarios[0]
    found = []
    checks = (
        (
            "horizon",
            lambda s: f"{s.horizon.days} days from {s.horizon.start}, warm-up {s.run.warmup_s:g} s",
        ),
        ("interval", lambda s: f"{s.horizon.interval_s:g} s"),
        ("channels", lambda s: ", ".join(s.channels)),
    )
    for what, of in checks:
        own = of(first)
        for other in scenarios[1:]:
            if of(other) != own:
                found.append(
                    f"{other.name} and {first.name} differ in {what} ({of(other)} vs {own}): "
                    "counts and money over the horizon are not like for like"
                )
    return found


def paired_differences(evaluations: Mapping[str, Evaluated]) -> pd.DataFrame:
    """Paired differences of every metric between each variant and the first (the reference).

    Parameters
    ----------
    evaluations:
        Label to evaluation (as in :func:`replication_metrics`), in order; the first is the
        reference. All must hold the same replication indices.

    Returns
    -------
    pandas.DataFrame
        :data:`DIFFERENCE_COLUMNS`: per variant (not the reference), channel and metric, the
        number of pairs ``n``, both means over those pairs, the mean difference (variant minus
        reference) and its 95 % interval (NaN for n < 2).

    Raises
    ------
    InputError
        With fewer than two evaluations, or replication indices that differ (no pairs).
    """
    labels = list(evaluations)
    if len(labels) < 2:
        raise InputError("a comparison needs at least two variants")
    metrics = {label: replication_metrics(evaluations[label]) for label in labels}
    reference = labels[0]
    expected = set(metrics[reference]["replication"])
    frames = []
    for label in labels[1:]:
        if set(metrics[label]["replication"]) != expected:
            raise InputError(
                f"{label!r} and {reference!r} have different replications; run them with the "
                "same seed and replication count to pair them"
            )
        paired = metrics[reference].merge(
            metrics[label], on=_KEYS, suffixes=("_reference", "_variant")
        )
        paired["difference"] = paired["value_variant"] - paired["value_reference"]
        paired = paired[paired["difference"].notna()]
        stats = summarise(paired, ["channel", "metric"], value="difference")
        means = paired.groupby(["channel", "metric"], as_index=False, sort=True)[
            ["value_reference", "value_variant"]
        ].mean()
        stats = stats.merge(means, on=["channel", "metric"])
        frames.append(
            pd.DataFrame(
                {
                    "variant": label,
                    "reference": reference,
                    "channel": stats["channel"],
                    "metric": stats["metric"],
                    "n": stats["n"],
                    "mean_reference": stats["value_reference"],
                    "mean_variant": stats["value_variant"],
                    "mean_difference": stats["mean"],
                    "ci95_low": stats["ci95_low"],
                    "ci95_high": stats["ci95_high"],
                }
            )
        )
    return money_first(pd.concat(frames, ignore_index=True)[list(DIFFERENCE_COLUMNS)], ["variant"])


def sweep_table(
    evaluations: Sequence[Evaluated], settings: Sequence[Sequence[tuple[str, str]]]
) -> pd.DataFrame:
    """The tidy sweep results: statistics of every metric for every variant.

    Parameters
    ----------
    evaluations:
        One evaluation per variant (as in :func:`replication_metrics`).
    settings:
        Per variant, its ``(path, value text)`` pairs (``scenarios.variants.Variant.settings``).

    Returns
    -------
    pandas.DataFrame
        ``variant`` (the variant's position), one column per varied path holding the value
        (a number when every value of that path reads as one, else the text), ``channel``,
        ``metric`` and :data:`sla_eval.STAT_COLUMNS`.
    """
    if len(evaluations) != len(settings):
        raise InputError("give one list of settings per evaluation")
    frames = []
    for index, (evaluation, pairs) in enumerate(zip(evaluations, settings, strict=True)):
        metrics = replication_metrics(evaluation)
        stats = summarise(metrics, ["channel", "metric"])
        stats = clip_fraction_intervals(stats, "metric")
        breach = (stats["channel"] == CONTRACT_ROW) & (stats["metric"] == "breach")
        if breach.any():
            flags = metrics.loc[
                (metrics["channel"] == CONTRACT_ROW) & (metrics["metric"] == "breach"), "value"
            ]
            low, high = wilson_interval(float(flags.sum()), len(flags))
            stats.loc[breach, ["ci95_low", "ci95_high"]] = [low, high]
        stats = money_first(stats)
        stats.insert(0, "variant", index)
        for position, (path, value) in enumerate(pairs):
            stats.insert(1 + position, path, value)
        frames.append(stats)
    table = pd.concat(frames, ignore_index=True)
    for path, _ in settings[0] if settings else ():
        numbers = pd.to_numeric(table[path], errors="coerce")
        if numbers.notna().all():
            table[path] = numbers
    return table


def sweep_overview(table: pd.DataFrame) -> pd.DataFrame:
    """The headline of a sweep table, one row per variant, for printing.

    Returns
    -------
    pandas.DataFrame
        ``variant`` (its position in the grid), ``<channel>_within_target_frac`` per channel
        with a service KPI (its ``service_level`` or ``response_within_target_frac`` mean),
        and with a contract ``p_breach`` and ``expected_net_credit_eur``.
    """
    service = table[table["metric"].isin(_SERVICE_KPIS) & (table["channel"] != "all")]
    wide = service.pivot(index="variant", columns="channel", values="mean")
    wide = wide[list(dict.fromkeys(service["channel"]))]
    wide.columns = [f"{channel}_within_target_frac" for channel in wide.columns]
    contract = table[table["channel"] == CONTRACT_ROW]
    for metric, column in (("breach", "p_breach"), ("net_credit_eur", "expected_net_credit_eur")):
        rows = contract[contract["metric"] == metric].set_index("variant")["mean"]
        if not rows.empty:
            wide[column] = rows
    return wide.reset_index()
