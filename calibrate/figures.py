"""Figures of a calibration (matplotlib, imported when drawing): one panel set per channel --
day totals against the fitted day model with its 90 % band, weekday weights, intraday profile,
handle-time fits with a QQ plot, and the Kaplan–Meier patience curve against the censored fits
and the naive estimate -- and the staffing of each team over its first two weeks."""

from __future__ import annotations

import io

import numpy as np
from scipy import stats

from calibrate.grid import SECONDS_PER_DAY, WEEKDAYS

__all__ = ["channel_figure", "png", "staffing_figure"]

_BAND = "#9ecae1"
_FIT = "#08519c"
_DATA = "#333333"
_ALT = ("#e6550d", "#31a354", "#756bb1")


def png(figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def _days(axis, volume) -> None:
    c = volume.day_cv.value
    mu = volume.fitted
    if c > 0:
        r = 1 / (c * c)
        low, high = stats.nbinom.ppf([[0.05], [0.95]], r, r / (r + mu))
    else:
        low, high = stats.poisson.ppf([[0.05], [0.95]], mu)
    order = np.argsort(volume.day_index)
    x = volume.day_index[order]
    axis.fill_between(x, low[order], high[order], color=_BAND, step="mid", label="90 % band")
    axis.plot(x, mu[order], color=_FIT, drawstyle="steps-mid", label="day model")
    axis.plot(x, volume.counts[order], "o", ms=3, color=_DATA, label="observed")
    axis.set(title=f"first contacts per day (day CV {c:.1%})", xlabel="day of the log")
    axis.legend(fontsize=7)


def _weekdays(axis, volume) -> None:
    present = [(d, w) for d, w in enumerate(volume.weekday_weights) if w is not None]
    x = [d for d, _ in present]
    values = np.array([w.value for _, w in present])
    errors = np.array([[w.value - w.low, w.high - w.value] for _, w in present]).T
    axis.bar(x, values, color=_BAND, yerr=errors, capsize=3)
    axis.set_xticks(range(7), WEEKDAYS)
    axis.set(title="weekday weights (95 % CI)")


def _intraday(axis, intraday) -> None:
    edges = np.arange(25)
    low = np.array([w.low for w in intraday.weights])
    high = np.array([w.high for w in intraday.weights])
    axis.stairs(high, edges, baseline=low, fill=True, color=_BAND, label="95 % CI")
    axis.stairs(intraday.values, edges, color=_FIT, label="estimate")
    axis.set(title="intraday profile (share of the day)", xlabel="hour", xlim=(0, 24))
    axis.legend(fontsize=7)


def _handle(axis_hist, axis_qq, fit, handle_s) -> None:
    x = handle_s[handle_s > 0]
    top = np.quantile(x, 0.99)
    density, edges = np.histogram(x[x <= top], bins=60, density=True)
    axis_hist.stairs(density, edges, fill=True, color=_BAND)
    grid = np.linspace(top / 200, top, 200)
    families = {"lognormal": stats.lognorm, "gamma": stats.gamma, "exponential": stats.expon}
    for colour, (family, dist) in zip(_ALT, families.items(), strict=True):
        style = "-" if family == fit.distribution else "--"
        axis_hist.plot(
            grid,
            dist.pdf(grid, *fit.params[family]),
            style,
            color=colour,
            label=f"{family} AIC {fit.aic[family]:.0f}",
        )
    axis_hist.set(title=f"handle time (mean {fit.mean_s.value:.0f} s)", xlabel="seconds")
    axis_hist.legend(fontsize=7)
    theory, data = fit.qq
    axis_qq.plot(theory, data, ".", ms=3, color=_DATA)
    edge = max(theory.max(), data.max())
    axis_qq.plot([0, edge], [0, edge], color=_FIT, lw=1)
    axis_qq.set(
        title=f"QQ plot, {fit.distribution}",
        xlabel="fitted quantile (s)",
        ylabel="observed quantile (s)",
    )


def _patience(axis, fit) -> None:
    t, survival, low, high = fit.km
    axis.fill_between(t, low, high, color=_BAND, step="post", label="Kaplan-Meier 95 %")
    axis.step(t, survival, where="post", color=_DATA, label="Kaplan-Meier")
    axis.plot(
        t,
        np.exp(-t / fit.exponential_mean_s.value),
        color=_ALT[0],
        label=f"exponential, mean {fit.exponential_mean_s.value:.0f} s",
    )
    sigma, scale = fit.lognormal
    axis.plot(
        t,
        stats.lognorm.sf(t, sigma, scale=scale),
        "--",
        color=_ALT[1],
        label=f"lognormal, mean {fit.lognormal_mean_s.value:.0f} s",
    )
    axis.plot(
        t,
        np.exp(-t / fit.naive_mean_s.value),
        ":",
        color=_ALT[2],
        label=f"naive (abandoners), mean {fit.naive_mean_s.value:.0f} s",
    )
    axis.set(title="patience: P(still waiting | no answer)", xlabel="seconds", ylim=(0, 1.02))
    axis.legend(fontsize=7)


def channel_figure(channel, handle_s: np.ndarray):
    """The panels of one :class:`calibrate.calibration.ChannelCalibration`."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(13, 7.4))
    figure.subplots_adjust(left=0.05, right=0.98, top=0.89, bottom=0.08, wspace=0.25, hspace=0.35)
    axes = figure.subplots(2, 3)
    _days(axes[0, 0], channel.volume)
    _weekdays(axes[0, 1], channel.volume)
    _intraday(axes[0, 2], channel.intraday)
    _handle(axes[1, 0], axes[1, 1], channel.handle_time, handle_s)
    if channel.concurrency is not None:
        axes[1, 0].set_title(
            f"chat durations (mean {channel.handle_time.mean_s.value:.0f} s); work alone "
            f"{channel.concurrency.work_mean_s.value:.0f} s"
        )
    if channel.patience is not None:
        _patience(axes[1, 2], channel.patience)
    else:
        axes[1, 2].set_axis_off()
        axes[1, 2].text(0.5, 0.5, "no abandons: no patience to estimate", ha="center")
    figure.suptitle(f"{channel.name} ({channel.kind})")
    return figure


def staffing_figure(staffing, interval_s: float, days: int = 14):
    """Agents per interval of each team over the first ``days`` days."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(13, 2.6 * len(staffing.teams)))
    figure.subplots_adjust(left=0.05, right=0.98, top=0.95, bottom=0.08, hspace=0.6)
    axes = np.atleast_1d(figure.subplots(len(staffing.teams), 1, squeeze=False)[:, 0])
    n = round(days * SECONDS_PER_DAY / interval_s)
    for axis, team in zip(axes, staffing.teams, strict=True):
        x = np.arange(min(n, team.agents.size)) * interval_s / SECONDS_PER_DAY
        axis.step(x, team.agents[: x.size], where="post", color=_FIT, label=staffing.source)
        if team.busy is not None:
            axis.step(x, team.busy[: x.size], where="post", color=_ALT[0], label="busy agents")
        axis.set(title=f"team {team.name}: agents taking contacts", xlabel="day of the log")
        axis.legend(fontsize=7)
    return figure
