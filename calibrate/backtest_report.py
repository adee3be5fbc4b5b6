"""The files of a back-test: ``backtest.json`` (settings and the coverage table),
``backtest.csv`` (:data:`calibrate.backtest.COMPARISON_COLUMNS`) and ``backtest.png``: per
channel and KPI, the daily prediction interval as a band, the predicted median and the observed
value, red where it falls outside."""

from __future__ import annotations

import json

import numpy as np

from calibrate.figures import png

__all__ = ["backtest_figure", "write_backtest"]

_LABELS = {
    "offered": "offered contacts",
    "service_level": "service level",
    "response_within_target_frac": "answered in time",
    "asa_s": "ASA (s)",
    "mean_response_s": "mean response (s)",
    "abandon_frac": "abandoned",
    "occupancy_frac": "occupancy",
}


def backtest_figure(comparison):
    """Day-level bands against observations, one row per channel, one column per KPI."""
    from matplotlib.figure import Figure

    days = comparison[comparison["period_kind"] == "day"]
    channels = list(dict.fromkeys(days["channel"]))
    kpis = list(dict.fromkeys(days["kpi"]))
    height = 2.8 * len(channels) + 0.6
    figure = Figure(figsize=(3.3 * len(kpis), height))
    figure.subplots_adjust(
        left=0.05, right=0.99, top=1 - 1.0 / height, bottom=0.5 / height, wspace=0.3, hspace=0.55
    )
    axes = figure.subplots(len(channels), len(kpis), squeeze=False)
    for row, channel in enumerate(channels):
        for column, kpi in enumerate(kpis):
            axis = axes[row, column]
            part = days[(days["channel"] == channel) & (days["kpi"] == kpi)]
            if part.empty:
                axis.set_axis_off()
                continue
            x = part["period"].to_numpy()
            axis.fill_between(
                x,
                part["pi_low"],
                part["pi_high"],
                step="mid",
                color="#9ecae1",
                label="prediction interval",
            )
            axis.plot(
                x,
                part["predicted_median"],
                drawstyle="steps-mid",
                color="#08519c",
                lw=1,
                label="predicted median",
            )
            outside = part["inside"].to_numpy() == 0
            axis.plot(
                x[~outside],
                part["observed"].to_numpy()[~outside],
                "o",
                ms=3,
                color="#333333",
                label="observed",
            )
            axis.plot(
                x[outside],
                part["observed"].to_numpy()[outside],
                "o",
                ms=4,
                color="#d62728",
                label="observed, outside",
            )
            judged = part["inside"].notna().sum()
            share = part["inside"].sum() / judged if judged else np.nan
            axis.set_title(
                f"{channel}: {_LABELS.get(kpi, kpi)}\ncovered {share:.0%} of {judged} days",
                fontsize=9,
            )
            axis.set_xlabel("day of the simulated horizon", fontsize=8)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="upper center", ncol=4, fontsize=8)
    return figure


def write_backtest(result) -> None:
    """Write the three files of a :class:`calibrate.backtest.Backtest` into its folder."""
    out = result.out_dir
    result.comparison.to_csv(out / "backtest.csv", index=False, date_format="%Y-%m-%d")
    (out / "backtest.json").write_text(json.dumps(result.document, indent=2) + "\n")
    (out / "backtest.png").write_bytes(png(backtest_figure(result.comparison)))
