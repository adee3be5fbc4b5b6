"""The KPIs computed from the contact log, as cubes (definitions in :mod:`sla_eval.kpis`).

:class:`ContactKpis` builds the per-contact indicators and weights once; calling it with a
:class:`sla_eval.period_cells.Layout` places the contacts in the cells of every period kind,
sums every count and every real-valued weight into them in one go
(:class:`sla_eval.period_cells.Placed`), and each group of KPIs (volumes, service levels,
waits, deferrable work, first-contact resolution and escalations, handling and CSAT) is then
one method over those sums.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scenarios.errors import InputError
from sla_eval._codes import equals
from sla_eval.fcr import felt_fcr
from sla_eval.kpi_names import (
    Threshold,
    abandon_kpi,
    escalation_response_kpi,
    response_kpi,
    service_level_kpi,
)
from sla_eval.period_cells import Layout, Placed, ratio
from sla_eval.timeline import backlog_end

if TYPE_CHECKING:
    from sla_eval.kpis import KpiChannel

__all__ = ["ContactKpis", "Item"]

_P90 = 0.9
_TOP_BOX_FROM = 3.5
"""Scores from 3.5 round to 4 or 5: top box."""
_NEGATIVE_BELOW = 2.5
"""Scores below 2.5 round to 1 or 2: negative."""
_OUTCOMES = ("answered", "abandoned", "unfinished", "not_offered")
Item = tuple[str, np.ndarray, np.ndarray]
"""``(kpi name, cube of shape (R, P, C + 1), channel-slot mask of length C + 1)``."""
Key = str | tuple[object, ...]
"""What a summed weight is known by: a name, or a tuple naming a threshold's weights."""


def _rows(chosen: np.ndarray) -> slice | np.ndarray:
    """The rows where ``chosen`` is True, as an index that selects them fast: every row (a
    slice, no copy) or their positions (gathering is cheaper than a boolean mask)."""
    return slice(None) if chosen.all() else np.flatnonzero(chosen)


def _escalation_targets(contacts: pd.DataFrame, targets_s: Mapping[str, float]) -> np.ndarray:
    """Tier-2 target of each escalated contact (NaN for the others)."""
    escalated = contacts["escalated"].to_numpy(bool)
    kinds = contacts["escalation_type"]
    target = np.full(len(contacts), np.nan)
    for kind, seconds in targets_s.items():
        target[escalated & equals(kinds, kind)] = seconds
    unknown = escalated & np.isnan(target)
    if unknown.any():
        raise InputError(
            f"escalated contacts of type {sorted(set(kinds[unknown].astype(str)))} have no "
            f"tier-2 response target (targets given for {sorted(targets_s)})"
        )
    return target


class ContactKpis:
    """The contact log prepared for measuring: call it with the
    :class:`sla_eval.period_cells.Layout` of the period kinds to get the KPI cubes of every
    kind side by side, as a list of :data:`Item`.

    Contacts are measured in the period of their arrival, from ``warmup_s`` to ``horizon_s``;
    the backlog at a period's end counts every offered contact.

    Parameters
    ----------
    contacts:
        The contact log (``scenarios.log_tables.CONTACT_COLUMNS``).
    channel_codes:
        Each contact's channel position in ``channels``.
    channels:
        Channel name -> :class:`sla_eval.kpis.KpiChannel`, in order.
    horizon_s, warmup_s, fcr_window_s:
        The measured span and the repeat window of felt FCR (:func:`sla_eval.fcr.felt_fcr`).
    escalation_targets_s, escalation_thresholds_s:
        Tier-2 response target per escalation type, and further thresholds measured.
    """

    def __init__(
        self,
        contacts: pd.DataFrame,
        channel_codes: np.ndarray,
        channels: Mapping[str, KpiChannel],
        *,
        horizon_s: float,
        warmup_s: float,
        fcr_window_s: float,
        escalation_targets_s: Mapping[str, float],
        escalation_thresholds_s: Sequence[float],
    ):
        self.specs = list(channels.values())
        self.realtime_slots = np.array([s.kind == "realtime" for s in self.specs] + [False])
        self.deferrable_slots = np.array([s.kind == "deferrable" for s in self.specs] + [False])
        self.every_slot = np.ones(len(self.specs) + 1, bool)
        self.thresholds = tuple(
            dict.fromkeys(t for spec in self.specs for t in spec.all_thresholds())
        )
        self.short_abandons_s = tuple(
            dict.fromkeys(a for spec in self.specs for a in spec.all_short_abandons_s())
        )
        self.escalation_thresholds_s = tuple(dict.fromkeys(escalation_thresholds_s))
        self.horizon_s = horizon_s
        outcome = contacts["outcome"]
        outcomes = {name: equals(outcome, name) for name in _OUTCOMES}
        self._prepare_backlog(contacts, channel_codes, outcomes)
        self._prepare_measured(
            contacts,
            channel_codes,
            outcomes,
            horizon_s,
            warmup_s,
            fcr_window_s,
            escalation_targets_s,
        )

    def _prepare_backlog(
        self, contacts: pd.DataFrame, channel_codes: np.ndarray, outcomes: Mapping[str, np.ndarray]
    ) -> None:
        """Arrival and leaving time of every offered contact (``inf`` while still waiting)."""
        offered = _rows(~outcomes["not_offered"])
        leave = np.where(
            outcomes["answered"],
            contacts["answer_s"].to_numpy(np.float64),
            np.where(outcomes["abandoned"], contacts["end_s"].to_numpy(np.float64), np.inf),
        )
        self.backlog_rows = (
            contacts["replication"].to_numpy(np.int64)[offered],
            channel_codes[offered],
            contacts["arrival_s"].to_numpy(np.float64)[offered],
            leave[offered],
        )

    def _prepare_measured(
        self,
        contacts: pd.DataFrame,
        channel_codes: np.ndarray,
        outcomes: Mapping[str, np.ndarray],
        horizon_s: float,
        warmup_s: float,
        fcr_window_s: float,
        escalation_targets_s: Mapping[str, float],
    ) -> None:
        """Indicators and weights of the contacts that arrived in the measured span."""
        windows = np.array([spec.fcr_window_s or fcr_window_s for spec in self.specs], np.float64)
        fcr_judged, fcr_resolved = felt_fcr(
            contacts, window_s=windows[channel_codes], horizon_s=horizon_s
        )
        arrival = contacts["arrival_s"].to_numpy(np.float64)
        rows = _rows((arrival >= warmup_s) & (arrival < horizon_s))
        self.replication = contacts["replication"].to_numpy(np.int64)[rows]
        self.arrival, self.code = arrival[rows], channel_codes[rows]
        self.wait = contacts["wait_s"].to_numpy(np.float64)[rows]
        self.business_wait = contacts["business_wait_s"].to_numpy(np.float64)[rows]
        self.answered = outcomes["answered"][rows]
        self.abandoned = outcomes["abandoned"][rows]
        self.unfinished = outcomes["unfinished"][rows]
        self.not_offered = outcomes["not_offered"][rows]
        self.offered = ~self.not_offered
        self.first = equals(contacts["contact_type"], "first")[rows]
        self.wait_answered = np.where(self.answered, self.wait, 0.0)
        handle = contacts["handle_s"].to_numpy(np.float64)[rows]
        self.handle = np.where(self.answered, handle, 0.0)
        self.escalated = self.answered & contacts["escalated"].to_numpy(bool)[rows]
        self.complaint = self.escalated & equals(contacts["escalation_type"], "strategic")[rows]
        self.agent_resolved = (
            self.answered & contacts["resolved_first_contact"].to_numpy(bool)[rows]
        )
        self.score = contacts["csat_score"].to_numpy(np.float64)[rows]
        self.scored = self.answered & ~np.isnan(self.score)
        # a 1-5 survey records whole points: the score rounded half up
        self.top_box = self.scored & (self.score >= _TOP_BOX_FROM)
        self.negative = self.scored & (self.score < _NEGATIVE_BELOW)
        self.fcr_judged, self.fcr_resolved = fcr_judged[rows], fcr_resolved[rows]
        self.esc_target = _escalation_targets(contacts, escalation_targets_s)[rows]
        self.esc_response = contacts["tier2_response_s"].to_numpy(np.float64)[rows]
        self.esc_open_s = horizon_s - contacts["end_s"].to_numpy(np.float64)[rows]
        self.is_deferrable = self.deferrable_slots[self.code]

    def __call__(self, layout: Layout) -> list[Item]:
        """The KPI cubes over the cells of ``layout``."""
        placed = layout.place(self.replication, self.arrival, self.code)
        counted = self._counted()
        real = {
            "wait_answered": self.wait_answered,
            "handle": self.handle,
            "score": np.where(self.scored, self.score, 0.0),
        }
        n: dict[Key, np.ndarray] = dict(
            zip(counted, placed.counts(list(counted.values())), strict=True)
        )
        n.update(zip(real, placed.sums(list(real.values())), strict=True))
        named: dict[str, np.ndarray] = {}
        items = self._volumes(n)
        items += self._thresholds(n, named)
        items += self._short_abandons(n)
        items += self._targets(layout.shape, named)
        items += self._waits(n, placed)
        items += self._deferrable(placed, layout)
        items += self._resolution(n)
        items += self._handling(n)
        return items

    def _counted(self) -> dict[Key, np.ndarray]:
        """Every boolean weight a KPI counts, by key: the volumes, each threshold's contacts
        within it and judged against it, the short abandons, the waits, the resolution and
        escalation outcomes and the survey answers."""
        wait, answered, offered = self.wait, self.answered, self.offered
        unfinished = self.unfinished
        counted: dict[Key, np.ndarray] = {
            "offered": offered,
            "answered": answered,
            "abandoned": self.abandoned,
            "not_offered": self.not_offered,
            "first": self.first,
        }
        for threshold in self.thresholds:
            t = threshold.threshold_s
            measures = set()
            if self._slots_with("realtime", threshold).any():
                measures.add("wait")
                counted[("short", threshold.short_abandon_s)] = self.abandoned & (
                    wait <= threshold.short_abandon_s
                )
            if self._slots_with("deferrable", threshold).any():
                measures.add("business" if threshold.business_hours else "wait")
            for measure in sorted(measures):
                response = self.business_wait if measure == "business" else wait
                within = response <= t
                counted[("within", measure, t)] = answered & within
                counted[("judged", measure, t)] = offered & ~(unfinished & within)
        for a in self.short_abandons_s:
            counted[("short", a)] = self.abandoned & (wait <= a)
        counted["waited"] = offered & (wait > 0)
        counted.update(
            fcr_resolved=self.fcr_resolved,
            fcr_judged=self.fcr_judged,
            agent_resolved=self.agent_resolved,
            escalated=self.escalated,
            complaint=self.complaint,
        )
        for name, target in self._tier2_targets():
            escalated = self.escalated
            counted[("in_time", name)] = escalated & (self.esc_response <= target)
            counted[("judged", name)] = escalated & (
                ~np.isnan(self.esc_response) | (self.esc_open_s >= target)
            )
        counted.update(scored=self.scored, top_box=self.top_box, negative=self.negative)
        return counted

    def _tier2_targets(self) -> list[tuple[str, np.ndarray]]:
        """Each tier-2 response KPI and the target of every contact (NaN: not escalated)."""
        return [(escalation_response_kpi(), self.esc_target)] + [
            (escalation_response_kpi(t), np.where(self.escalated, t, np.nan))
            for t in self.escalation_thresholds_s
        ]

    def _slots_with(self, kind: str, threshold: Threshold) -> np.ndarray:
        chosen = [s.kind == kind and threshold in s.all_thresholds() for s in self.specs]
        return np.array([*chosen, False])

    def _volumes(self, n: Mapping[Key, np.ndarray]) -> list[Item]:
        """Offered, answered, not offered, first contacts, abandoned and the abandon share."""
        return [
            ("offered", n["offered"], self.every_slot),
            ("answered", n["answered"], self.every_slot),
            ("not_offered", n["not_offered"], self.every_slot),
            ("first_contacts", n["first"], self.every_slot),
            ("abandoned", n["abandoned"], self.realtime_slots),
            ("abandon_frac", ratio(n["abandoned"], n["offered"]), self.realtime_slots),
        ]

    def _thresholds(self, n: Mapping[Key, np.ndarray], named: dict[str, np.ndarray]) -> list[Item]:
        """Service level under every definition (real-time) and the share answered within the
        threshold (deferrable), for every threshold some channel is measured with; each is
        also recorded in ``named``."""
        items: list[Item] = []
        for threshold in self.thresholds:
            t, a = threshold.threshold_s, threshold.short_abandon_s
            rt_slots = self._slots_with("realtime", threshold)
            if rt_slots.any():
                within, judged = n[("within", "wait", t)], n[("judged", "wait", t)]
                short = n[("short", a)]
                for definition, value in (
                    ("offered", ratio(within, judged)),
                    ("answered", ratio(within, n["answered"])),
                    ("excl_short_abandons", ratio(within, judged - short)),
                    ("short_abandons_met", ratio(within + short, judged)),
                ):
                    named[service_level_kpi(definition, threshold)] = value
                    items.append((service_level_kpi(definition, threshold), value, rt_slots))
            df_slots = self._slots_with("deferrable", threshold)
            if df_slots.any():
                measure = "business" if threshold.business_hours else "wait"
                name = response_kpi(threshold)
                named[name] = ratio(n[("within", measure, t)], n[("judged", measure, t)])
                items.append((name, named[name], df_slots))
        return items

    def _short_abandons(self, n: Mapping[Key, np.ndarray]) -> list[Item]:
        """The abandon share counting only abandons after each short-abandon limit."""
        items: list[Item] = []
        for a in self.short_abandons_s:
            chosen = [s.kind == "realtime" and a in s.all_short_abandons_s() for s in self.specs]
            short = n[("short", a)]
            late = ratio(n["abandoned"] - short, n["offered"] - short)
            items.append((abandon_kpi(a), late, np.array([*chosen, False])))
        return items

    def _targets(self, shape: tuple[int, int, int], named: Mapping[str, np.ndarray]) -> list[Item]:
        """The plain ``service_level`` and ``response_within_target_frac``: each channel's
        target."""
        items: list[Item] = []
        for plain, kind in (
            ("service_level", "realtime"),
            ("response_within_target_frac", "deferrable"),
        ):
            value = np.full(shape, np.nan)
            slots = np.zeros(shape[2], bool)
            for c, spec in enumerate(self.specs):
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

    def _waits(self, n: Mapping[Key, np.ndarray], placed: Placed) -> list[Item]:
        """Probability of waiting, mean and longest wait (real-time), mean response
        (deferrable)."""
        offered = np.flatnonzero(self.offered)
        mean_wait = ratio(n["wait_answered"], n["answered"])
        return [
            ("p_wait", ratio(n["waited"], n["offered"]), self.realtime_slots),
            ("asa_s", mean_wait, self.realtime_slots),
            ("max_wait_s", placed.maximum(offered, self.wait[offered]), self.realtime_slots),
            ("mean_response_s", mean_wait, self.deferrable_slots),
        ]

    def _deferrable(self, placed: Placed, layout: Layout) -> list[Item]:
        """The 90th percentile response and the backlog at each period's end."""
        pick = np.flatnonzero(self.answered & self.is_deferrable)
        p90 = placed.quantile(pick, self.wait[pick], _P90)
        backlog = backlog_end(*self.backlog_rows, layout, self.deferrable_slots[:-1])
        return [
            ("p90_response_s", p90, self.deferrable_slots),
            ("backlog_end", backlog, np.r_[self.deferrable_slots[:-1], True]),
        ]

    def _resolution(self, n: Mapping[Key, np.ndarray]) -> list[Item]:
        """Felt and agent-reported FCR, the escalation and complaint shares and the tier-2
        response within each target."""
        answered = n["answered"]
        items: list[Item] = [
            ("fcr_frac", ratio(n["fcr_resolved"], n["fcr_judged"]), self.every_slot),
            ("agent_fcr_frac", ratio(n["agent_resolved"], answered), self.every_slot),
            ("escalation_frac", ratio(n["escalated"], answered), self.every_slot),
            ("complaint_frac", ratio(n["complaint"], answered), self.every_slot),
        ]
        for name, _ in self._tier2_targets():
            in_time = ratio(n[("in_time", name)], n[("judged", name)])
            items.append((name, in_time, self.every_slot))
        return items

    def _handling(self, n: Mapping[Key, np.ndarray]) -> list[Item]:
        """Mean handle time, mean CSAT score, the share of answered contacts scored and the
        shares of top-box (4-5) and negative (1-2) scores among them."""
        n_answered, n_scored = n["answered"], n["scored"]
        return [
            ("aht_s", ratio(n["handle"], n_answered), self.every_slot),
            ("csat", ratio(n["score"], n_scored), self.every_slot),
            ("csat_response_frac", ratio(n_scored, n_answered), self.every_slot),
            ("csat_top_box_frac", ratio(n["top_box"], n_scored), self.every_slot),
            ("csat_negative_frac", ratio(n["negative"], n_scored), self.every_slot),
        ]
