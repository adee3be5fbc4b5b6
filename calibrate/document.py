"""``calibration.json``: every estimate with its 95 % interval and the data behind it.

Each estimate is ``{"value", "ci95": [low, high], "n", "n_of"}`` (:meth:`Estimate.as_dict`).
Top-level fields: ``schema``, ``log`` (file, rows read, rows used, rows set aside per outcome,
days, zone), ``options``, ``channels`` (per channel: kind, contact counts, hours, volume,
intraday profile, handle time, patience, redial, repeat, felt FCR, escalation, concurrency),
``forecast_error``, ``closed_days``, ``staffing`` (source, method and bias) and ``scenario``
(the file written and ``not_expressed``: what was estimated but the scenario schema cannot
hold).
"""

from __future__ import annotations

from calibrate.grid import WEEKDAYS

__all__ = ["SCHEMA", "calibration_document"]

SCHEMA = "ccplan.calibration/1"


def _est(estimate) -> dict | None:
    return None if estimate is None else estimate.as_dict()


def _returns(fit) -> dict | None:
    if fit is None:
        return None
    return {
        "probability": _est(fit.probability),
        "delay_mean_s": _est(fit.delay_mean_s),
        "share_within_window": _est(fit.within_window),
        "to_channel": fit.to_channel,
        "contacts": fit.contacts,
        "returns": fit.returns,
        "method": "cure model with exponential delays, censored at the window and the log end",
    }


def _patience(fit) -> dict | None:
    if fit is None:
        return None
    return {
        "distribution": fit.distribution,
        "mean_s": _est(fit.mean_s),
        "cv": _est(fit.cv),
        "exponential_mean_s": _est(fit.exponential_mean_s),
        "lognormal_mean_s": _est(fit.lognormal_mean_s),
        "naive_abandoner_mean_s": {
            **fit.naive_mean_s.as_dict(),
            "note": "mean wait of the abandoners: biased low (ignores censoring), not used",
        },
        "aic": fit.aic,
        "abandons": fit.abandons,
        "offered": fit.offered,
        "method": "censored MLE (answered waits are right-censored patience); Kaplan-Meier "
        "curve in calibration.html",
    }


def _channel(channel) -> dict:
    volume = channel.volume
    handle = channel.handle_time
    return {
        "label": channel.label,
        "kind": channel.kind,
        "contacts": channel.counts,
        "hours": channel.hours.scenario_value(),
        "volume": {
            "per_week": _est(volume.per_week),
            "weekday_weights": {WEEKDAYS[d]: _est(w) for d, w in enumerate(volume.weekday_weights)},
            "growth_per_week": _est(volume.growth_per_week),
            "day_cv": _est(volume.day_cv),
            "days": volume.days,
        },
        "intraday_profile": [_est(w) for w in channel.intraday.weights],
        "handle_time": {
            "distribution": handle.distribution,
            "mean_s": _est(handle.mean_s),
            "cv": _est(handle.cv),
            "sample_mean_s": _est(handle.sample_mean_s),
            "aic": handle.aic,
            "zeros_left_out": handle.zeros,
        },
        "patience": _patience(channel.patience),
        "redial": _returns(channel.redial),
        "repeat": _returns(channel.repeat),
        "fcr_felt": _est(channel.fcr_felt),
        "escalation": _est(channel.escalation),
        "concurrency": _concurrency(channel.concurrency),
    }


def _concurrency(fit) -> dict | None:
    if fit is None:
        return None
    return {
        "max_chats": fit.max_chats,
        "work_mean_s": _est(fit.work_mean_s),
        "speed_by_chats": [_est(s) for s in fit.speeds],
        "speed_by_chats_written": list(fit.written),
        "method": "completions per agent-time at each number of chats held",
    }


def _not_expressed(calibration) -> list[str]:
    notes = [
        "intraday profile: one per channel (the log's is pooled over weekdays)",
        "partner pricing, contract and tier 2 are not in a contact log",
    ]
    channels = calibration.channels.values()
    if len(calibration.channels) > 1:
        notes.append(
            "forecast error: one day_cv for every channel (the pooled estimate); each channel's "
            "own is under channels.*.volume.day_cv, and the model draws the channels' day "
            "factors independently"
        )
    if any(c.repeat is not None for c in channels):
        notes.append(
            "fcr and repeat.probability cannot be told apart from a log (only their product): "
            "written as fcr = 1 - P(return) and repeat.probability = 100 %"
        )
    if any(c.escalation is not None for c in channels):
        notes.append("escalation probability: not written (the scenario needs tier-2 capacity)")
    if any(c.concurrency is not None for c in channels):
        notes.append(
            "chat concurrency: handle-time mean is the work of a chat handled alone; its family "
            "and CV are fitted to the observed durations, which include the slow-down"
        )
    if any(c.volume.growth_per_week is not None for c in channels):
        notes.append(
            "trend: a scenario volume has no trend; the level written is the log's average "
            "(or, with --trend, the level at its end)"
        )
    return notes


def calibration_document(calibration, settings) -> dict:
    """The JSON document of a :class:`calibrate.calibration.Calibration`."""
    log = calibration.log
    staffing = calibration.staffing
    teams = []
    if staffing is not None:
        for team in staffing.teams:
            working = team.agents > 0
            teams.append(
                {
                    "name": team.name,
                    "channels": list(team.channels),
                    "mean_agents_when_staffed": float(team.agents[working].mean())
                    if working.any()
                    else 0.0,
                    "mean_busy_agents_when_staffed": None
                    if team.busy is None or not working.any()
                    else float(team.busy[working].mean()),
                    "agent_hours": float(team.agents.sum() * settings.interval_s / 3600),
                }
            )
    used = int((log.contacts["outcome"] != "other").sum())
    return {
        "schema": SCHEMA,
        "log": {
            "file": log.source,
            "rows_read": log.rows_read,
            "rows_used": used,
            "rows_set_aside": log.set_aside,
            "start": str(log.start),
            "days": log.n_days,
            "timezone": log.timezone,
            "channels": dict(log.channel_labels),
            "customers": log.has_customers,
            "agents": len(log.agents),
        },
        "options": {
            "interval_s": settings.interval_s,
            "repeat_window_s": settings.repeat_window_s,
            "agent_gap_s": settings.gap_s,
            "trend": settings.trend,
            "kinds_stated": dict(settings.kinds),
            "seed": settings.seed,
        },
        "channels": {name: _channel(c) for name, c in calibration.channels.items()},
        "forecast_error": {
            "day_cv": _est(calibration.day_cv),
            "method": "negative binomial day model (weekday x trend), profile likelihood, "
            "one CV shared by the channels",
        },
        "closed_days": [str(d) for d in calibration.closed_days],
        "staffing": None
        if staffing is None
        else {
            "source": staffing.source,
            "method": staffing.method,
            "bias": staffing.bias,
            "teams": teams,
        },
        "scenario": {
            "file": calibration.scenario_path.name,
            "name": calibration.scenario.name,
            "not_expressed": _not_expressed(calibration),
        },
    }
