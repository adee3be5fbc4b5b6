"""The KPIs computed from the contact log, as cubes (definitions in :mod:`sla_eval.kpis`).

Per-contact indicators and weights are built once; each period kind then only needs the cell
of every contact and one :func:`numpy.bincount` per sum.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from scenarios.errors import InputError
from sla_eval.fcr import felt_fcr
from sla_eval.kpi_names import (
    Threshold,
    abandon_kpi,
    escalation_response_kpi,
    response_kpi,
    service_level_kpi,
)
from sla_eval.period_cells import Cube, ratio
from sla_eval.timeline import backlog_end

__all__ = ["contact_kpis"]

_P90 = 0.9
Item = tuple[str, np.ndarray, np.ndarray]


def _escalation_targets(contacts: pd.DataFrame, targets_s: Mapping[str, float]) -> np.ndarray:
    """Tier-2 target of each escalated contact (NaN for the others)."""
    escalated = contacts["escalated"].to_numpy(bool)
    kinds = contacts["escalation_type"]
    target = np.full(len(contacts), np.nan)
    for kind, seconds in targets_s.items():
        target[escalated & (kinds == kind).to_numpy()] = seconds
    unknown = escalated & np.isnan(target)
    if unknown.any():
        raise InputError(
            f"escalated contacts of type {sorted(set(kinds[unknown].astype(str)))} have no "
            f"tier-2 response target (targets given for {sorted(targets_s)})"
        )
    return target


def _target_items(cube: Cube, specs: list, named: Mapping[str, np.ndarray]) -> list[Item]:
    """The plain ``service_level`` and ``response_within_target_frac``: each channel's target."""
    items = []
    for plain, kind in (
        ("service_level", "realtime"),
        ("response_within_target_frac", "deferrable"),
    ):
        value = np.full(cube.shape, np.nan)
        slots = np.zeros(cube.shape[2], bool)
        for c, spec in enumerate(specs):
            if spec.kind != kind or spec.target is None:
                continue
            if kind == "realtime":
                source = service_level_kpi(spec.sl_definition, spec.target)
            else:
                source = response_kpi(spec.target)
            value[..., c] = named[source][..., c]
            slots[c] = True
        if slots.any():
            items.append((plain, value, slots))
    return items


def contact_kpis(
    contacts: pd.DataFrame,
    channel_codes: np.ndarray,
    channels: Mapping[str, object],
    *,
    horizon_s: float,
    warmup_s: float,
    fcr_window_s: float,
    escalation_targets_s: Mapping[str, float],
    escalation_thresholds_s: Sequence[float],
) -> Callable[[Cube], list[Item]]:
    """Prepare the contact log; return a function giving the KPI cubes of one period kind.

    Each item is ``(kpi name, cube of shape (R, P, C + 1), channel-slot mask of length C + 1)``.
    """
    specs = list(channels.values())
    realtime_slots = np.array([spec.kind == "realtime" for spec in specs] + [False])
    deferrable_slots = np.array([spec.kind == "deferrable" for spec in specs] + [False])
    every_slot = np.ones(len(specs) + 1, bool)

    fcr_judged, fcr_resolved = felt_fcr(contacts, window_s=fcr_window_s, horizon_s=horizon_s)
    esc_target = _escalation_targets(contacts, escalation_targets_s)
    esc_response = contacts["tier2_response_s"].to_numpy(np.float64)
    esc_open_s = horizon_s - contacts["end_s"].to_numpy(np.float64)
    all_outcome = contacts["outcome"]
    all_offered = (all_outcome != "not_offered").to_numpy()
    leave = np.where(
        (all_outcome == "answered").to_numpy(),
        contacts["answer_s"].to_numpy(np.float64),
        np.where(
            (all_outcome == "abandoned").to_numpy(),
            contacts["end_s"].to_numpy(np.float64),
            np.inf,
        ),
    )
    backlog_rows = (
        contacts["replication"].to_numpy(np.int64)[all_offered],
        channel_codes[all_offered],
        contacts["arrival_s"].to_numpy(np.float64)[all_offered],
        leave[all_offered],
    )

    arrival = contacts["arrival_s"].to_numpy(np.float64)
    rows = (arrival >= warmup_s) & (arrival < horizon_s)
    replication = contacts["replication"].to_numpy(np.int64)[rows]
    arrival, code = arrival[rows], channel_codes[rows]
    wait = contacts["wait_s"].to_numpy(np.float64)[rows]
    business_wait = contacts["business_wait_s"].to_numpy(np.float64)[rows]
    answered = (all_outcome == "answered").to_numpy()[rows]
    abandoned = (all_outcome == "abandoned").to_numpy()[rows]
    unfinished = (all_outcome == "unfinished").to_numpy()[rows]
    not_offered = ~all_offered[rows]
    offered = ~not_offered
    first = (contacts["contact_type"] == "first").to_numpy()[rows]
    wait_answered = np.where(answered, wait, 0.0)
    handle = np.where(answered, contacts["handle_s"].to_numpy(np.float64)[rows], 0.0)
    escalated = answered & contacts["escalated"].to_numpy(bool)[rows]
    score = contacts["csat_score"].to_numpy(np.float64)[rows]
    scored = answered & ~np.isnan(score)
    fcr_judged, fcr_resolved = fcr_judged[rows], fcr_resolved[rows]
    esc_target, esc_response, esc_open_s = esc_target[rows], esc_response[rows], esc_open_s[rows]
    is_deferrable = deferrable_slots[code]

    def slots_with(kind: str, threshold: Threshold) -> np.ndarray:
        chosen = [spec.kind == kind and threshold in spec.all_thresholds() for spec in specs]
        return np.array([*chosen, False])

    def measure(cube: Cube) -> list[Item]:
        cells = cube.cells(replication, arrival, code)

        def total(weights: np.ndarray) -> np.ndarray:
            return cube.sums(cells, weights.astype(np.float64))

        n_offered, n_answered, n_abandoned = total(offered), total(answered), total(abandoned)
        items: list[Item] = [
            ("offered", n_offered, every_slot),
            ("answered", n_answered, every_slot),
            ("not_offered", total(not_offered), every_slot),
            ("first_contacts", total(first), every_slot),
            ("abandoned", n_abandoned, realtime_slots),
            ("abandon_frac", ratio(n_abandoned, n_offered), realtime_slots),
        ]
        named: dict[str, np.ndarray] = {}
        for spec_threshold in dict.fromkeys(t for spec in specs for t in spec.all_thresholds()):
            t, a = spec_threshold.threshold_s, spec_threshold.short_abandon_s
            rt_slots = slots_with("realtime", spec_threshold)
            if rt_slots.any():
                within = total(answered & (wait <= t))
                judged = total(offered & ~(unfinished & (wait <= t)))
                short = total(abandoned & (wait <= a))
                for definition, value in (
                    ("offered", ratio(within, judged)),
                    ("answered", ratio(within, n_answered)),
                    ("excl_short_abandons", ratio(within, judged - short)),
                    ("short_abandons_met", ratio(within + short, judged)),
                ):
                    named[service_level_kpi(definition, spec_threshold)] = value
                    items.append((service_level_kpi(definition, spec_threshold), value, rt_slots))
            df_slots = slots_with("deferrable", spec_threshold)
            if df_slots.any():
                response = business_wait if spec_threshold.business_hours else wait
                within = total(answered & (response <= t))
                judged = total(offered & ~(unfinished & (response <= t)))
                name = response_kpi(spec_threshold)
                named[name] = ratio(within, judged)
                items.append((name, named[name], df_slots))
        for a in dict.fromkeys(a for spec in specs for a in spec.all_short_abandons_s()):
            chosen = [
                spec.kind == "realtime" and a in spec.all_short_abandons_s() for spec in specs
            ]
            short = total(abandoned & (wait <= a))
            late = ratio(n_abandoned - short, n_offered - short)
            items.append((abandon_kpi(a), late, np.array([*chosen, False])))
        items += _target_items(cube, specs, named)
        mean_wait = ratio(total(wait_answered), n_answered)
        items += [
            ("p_wait", ratio(total(offered & (wait > 0)), n_offered), realtime_slots),
            ("asa_s", mean_wait, realtime_slots),
            ("max_wait_s", cube.reduce(cells[offered], wait[offered], "max"), realtime_slots),
            ("mean_response_s", mean_wait, deferrable_slots),
        ]
        pick = answered & is_deferrable
        p90 = cube.reduce(cells[pick], wait[pick], _P90)
        backlog = backlog_end(*backlog_rows, cube, deferrable_slots[:-1])
        items += [
            ("p90_response_s", p90, deferrable_slots),
            ("backlog_end", backlog, np.r_[deferrable_slots[:-1], True]),
        ]
        n_escalated = total(escalated)
        items += [
            ("fcr_frac", ratio(total(fcr_resolved), total(fcr_judged)), every_slot),
            ("escalation_frac", ratio(n_escalated, n_answered), every_slot),
        ]
        for name, target in [(escalation_response_kpi(), esc_target)] + [
            (escalation_response_kpi(t), np.where(escalated, t, np.nan))
            for t in dict.fromkeys(escalation_thresholds_s)
        ]:
            in_time = escalated & (esc_response <= target)
            judged = escalated & (~np.isnan(esc_response) | (esc_open_s >= target))
            items.append((name, ratio(total(in_time), total(judged)), every_slot))
        n_scored = total(scored)
        items += [
            ("aht_s", ratio(total(handle), n_answered), every_slot),
            ("csat", ratio(total(np.where(scored, score, 0.0)), n_scored), every_slot),
            ("csat_response_frac", ratio(n_scored, n_answered), every_slot),
        ]
        return items

    return measure
