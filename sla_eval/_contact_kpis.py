"""The KPIs computed from the contact log, as cubes (definitions in :mod:`sla_eval.kpis`).

:class:`ContactKpis` builds the per-contact indicators and weights once; the period kinds are
then measured together, each weight computed once and summed with :func:`numpy.bincount` into
the cells of every kind (:class:`_Sums`), and each group of KPIs (volumes, service levels,
waits, deferrable work, first-contact resolution and escalations, handling and CSAT) is one
method.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from sla_eval.kpis import KpiChannel

__all__ = ["ContactKpis", "Item"]

_P90 = 0.9
_TOP_BOX_FROM = 3.5
"""Scores from 3.5 round to 4 or 5: top box."""
_NEGATIVE_BELOW = 2.5
"""Scores below 2.5 round to 1 or 2: negative."""
Item = tuple[str, np.ndarray, np.ndarray]
"""``(kpi name, cube of shape (R, P, C + 1), channel-slot mask of length C + 1)``."""


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


class _Sums:
    """Sums of per-contact weights into the cells of several period kinds at once, as one cube
    of their periods side by side (shape ``(R, P_1 + P_2 + ..., C + 1)``); the counts of
    offered, answered and abandoned contacts, which most KPIs divide by, are summed once.

    Every period boundary lies on the interval grid, so a count (a boolean weight) is summed
    once per (replication, interval, channel) cell and those sums are added up into each
    kind's cells: one pass over the contacts instead of one per kind, with the same result
    (sums of whole numbers are exact). A kind whose cells do not follow from the interval
    cells (a time within rounding of a boundary) and real-valued weights are summed from the
    contacts directly.
    """

    from_intervals = True
    """Sum counts through the interval cells (``False``: every sum straight from the contacts,
    the reference the tests hold the shortcut to)."""

    def __init__(self, cubes: Sequence[Cube], contacts: ContactKpis):
        self.cubes = tuple(cubes)
        self.cells = [
            cube.cells(contacts.replication, contacts.arrival, contacts.code) for cube in cubes
        ]
        self.bounds = np.cumsum([0] + [len(cube.periods) for cube in cubes])
        first = cubes[0]
        n_rep, n_code = len(first.replications), len(first.channels)
        n_int = round(contacts.horizon_s / first.interval_s)
        interval = np.floor(contacts.arrival / first.interval_s).astype(np.int64)
        rep = np.searchsorted(first.replications, contacts.replication)
        self.fine = (rep * n_int + interval) * n_code + contacts.code
        self.fine_size = n_rep * n_int * n_code
        fine_rep, fine_interval, fine_code = np.unravel_index(
            np.arange(self.fine_size), (n_rep, n_int, n_code)
        )
        self.maps: list[np.ndarray | None] = []
        for cube, cells in zip(cubes, self.cells, strict=True):
            position = cube.positions(np.arange(n_int) * first.interval_s)[fine_interval]
            to = (fine_rep * len(cube.periods) + position) * (n_code + 1) + fine_code
            to[position < 0] = 0  # intervals inside a skipped warm-up: no measured contact
            same = self.from_intervals and np.array_equal(to[self.fine], cells)
            self.maps.append(to if same else None)
        self.offered = self(contacts.offered)
        self.answered = self(contacts.answered)
        self.abandoned = self(contacts.abandoned)

    @property
    def shape(self) -> tuple[int, int, int]:
        n_rep, _, n_slot = self.cubes[0].shape
        return (n_rep, int(self.bounds[-1]), n_slot)

    def __call__(self, weights: np.ndarray) -> np.ndarray:
        counts = weights.dtype == bool
        weights = weights.astype(np.float64)
        fine = None
        parts = []
        for cube, cells, to in zip(self.cubes, self.cells, self.maps, strict=True):
            if counts and to is not None:
                if fine is None:
                    fine = np.bincount(self.fine, weights=weights, minlength=self.fine_size)
                parts.append(cube.sums(to, fine))
            else:
                parts.append(cube.sums(cells, weights))
        return np.concatenate(parts, axis=1)

    def reduce(self, pick: np.ndarray, values: np.ndarray, how: str | float) -> np.ndarray:
        """:meth:`Cube.reduce` of the ``pick``-ed contacts' ``values`` in every kind."""
        return np.concatenate(
            [
                cube.reduce(cells[pick], values, how)
                for cube, cells in zip(self.cubes, self.cells, strict=True)
            ],
            axis=1,
        )

    def split(self, items: list[Item]) -> list[list[Item]]:
        """The items of each kind: its periods' part of every cube."""
        return [
            [(name, value[:, start:end], slots) for name, value, slots in items]
            for start, end in zip(self.bounds[:-1], self.bounds[1:], strict=True)
        ]


class ContactKpis:
    """The contact log prepared for measuring: call it with the :class:`Cube` of each period
    kind to get the KPI cubes of every kind as lists of :data:`Item`.

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
        self.escalation_thresholds_s = tuple(dict.fromkeys(escalation_thresholds_s))
        self.horizon_s = horizon_s
        self._prepare_backlog(contacts, channel_codes)
        self._prepare_measured(
            contacts, channel_codes, horizon_s, warmup_s, fcr_window_s, escalation_targets_s
        )

    def _prepare_backlog(self, contacts: pd.DataFrame, channel_codes: np.ndarray) -> None:
        """Arrival and leaving time of every offered contact (``inf`` while still waiting)."""
        outcome = contacts["outcome"]
        offered = (outcome != "not_offered").to_numpy()
        leave = np.where(
            (outcome == "answered").to_numpy(),
            contacts["answer_s"].to_numpy(np.float64),
            np.where(
                (outcome == "abandoned").to_numpy(),
                contacts["end_s"].to_numpy(np.float64),
                np.inf,
            ),
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
        rows = (arrival >= warmup_s) & (arrival < horizon_s)
        outcome = contacts["outcome"][rows]
        self.replication = contacts["replication"].to_numpy(np.int64)[rows]
        self.arrival, self.code = arrival[rows], channel_codes[rows]
        self.wait = contacts["wait_s"].to_numpy(np.float64)[rows]
        self.business_wait = contacts["business_wait_s"].to_numpy(np.float64)[rows]
        self.answered = (outcome == "answered").to_numpy()
        self.abandoned = (outcome == "abandoned").to_numpy()
        self.unfinished = (outcome == "unfinished").to_numpy()
        self.not_offered = (outcome == "not_offered").to_numpy()
        self.offered = ~self.not_offered
        self.first = (contacts["contact_type"] == "first").to_numpy()[rows]
        self.wait_answered = np.where(self.answered, self.wait, 0.0)
        handle = contacts["handle_s"].to_numpy(np.float64)[rows]
        self.handle = np.where(self.answered, handle, 0.0)
        self.escalated = self.answered & contacts["escalated"].to_numpy(bool)[rows]
        strategic = (contacts["escalation_type"] == "strategic").to_numpy()[rows]
        self.complaint = self.escalated & strategic
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

    def __call__(self, cubes: Sequence[Cube]) -> list[list[Item]]:
        """The KPI cubes of each period kind's :class:`Cube`, in order."""
        if not cubes:
            return []
        total = _Sums(cubes, self)
        items = self._volumes(total)
        named: dict[str, np.ndarray] = {}
        items += self._thresholds(total, named)
        items += self._short_abandons(total)
        items += self._targets(total.shape, named)
        items += self._waits(total)
        items += self._deferrable(total)
        items += self._resolution(total)
        items += self._handling(total)
        return total.split(items)

    def _slots_with(self, kind: str, threshold: Threshold) -> np.ndarray:
        chosen = [s.kind == kind and threshold in s.all_thresholds() for s in self.specs]
        return np.array([*chosen, False])

    def _volumes(self, total: _Sums) -> list[Item]:
        """Offered, answered, not offered, first contacts, abandoned and the abandon share."""
        n_offered, n_abandoned = total.offered, total.abandoned
        return [
            ("offered", n_offered, self.every_slot),
            ("answered", total.answered, self.every_slot),
            ("not_offered", total(self.not_offered), self.every_slot),
            ("first_contacts", total(self.first), self.every_slot),
            ("abandoned", n_abandoned, self.realtime_slots),
            ("abandon_frac", ratio(n_abandoned, n_offered), self.realtime_slots),
        ]

    def _thresholds(self, total: _Sums, named: dict[str, np.ndarray]) -> list[Item]:
        """Service level under every definition (real-time) and the share answered within the
        threshold (deferrable), for every threshold some channel is measured with; each is
        also recorded in ``named``."""
        items: list[Item] = []
        n_answered = total.answered
        wait, answered, offered, unfinished = (
            self.wait,
            self.answered,
            self.offered,
            self.unfinished,
        )
        for threshold in dict.fromkeys(t for spec in self.specs for t in spec.all_thresholds()):
            t, a = threshold.threshold_s, threshold.short_abandon_s
            rt_slots = self._slots_with("realtime", threshold)
            if rt_slots.any():
                within = total(answered & (wait <= t))
                judged = total(offered & ~(unfinished & (wait <= t)))
                short = total(self.abandoned & (wait <= a))
                for definition, value in (
                    ("offered", ratio(within, judged)),
                    ("answered", ratio(within, n_answered)),
                    ("excl_short_abandons", ratio(within, judged - short)),
                    ("short_abandons_met", ratio(within + short, judged)),
                ):
                    named[service_level_kpi(definition, threshold)] = value
                    items.append((service_level_kpi(definition, threshold), value, rt_slots))
            df_slots = self._slots_with("deferrable", threshold)
            if df_slots.any():
                response = self.business_wait if threshold.business_hours else wait
                within = total(answered & (response <= t))
                judged = total(offered & ~(unfinished & (response <= t)))
                name = response_kpi(threshold)
                named[name] = ratio(within, judged)
                items.append((name, named[name], df_slots))
        return items

    def _short_abandons(self, total: _Sums) -> list[Item]:
        """The abandon share counting only abandons after each short-abandon limit."""
        items: list[Item] = []
        n_offered, n_abandoned = total.offered, total.abandoned
        for a in dict.fromkeys(a for spec in self.specs for a in spec.all_short_abandons_s()):
            chosen = [s.kind == "realtime" and a in s.all_short_abandons_s() for s in self.specs]
            short = total(self.abandoned & (self.wait <= a))
            late = ratio(n_abandoned - short, n_offered - short)
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

    def _waits(self, total: _Sums) -> list[Item]:
        """Probability of waiting, mean and longest wait (real-time), mean response
        (deferrable)."""
        offered, wait = self.offered, self.wait
        mean_wait = ratio(total(self.wait_answered), total.answered)
        longest = total.reduce(offered, wait[offered], "max")
        return [
            ("p_wait", ratio(total(offered & (wait > 0)), total.offered), self.realtime_slots),
            ("asa_s", mean_wait, self.realtime_slots),
            ("max_wait_s", longest, self.realtime_slots),
            ("mean_response_s", mean_wait, self.deferrable_slots),
        ]

    def _deferrable(self, total: _Sums) -> list[Item]:
        """The 90th percentile response and the backlog at each period's end."""
        pick = self.answered & self.is_deferrable
        p90 = total.reduce(pick, self.wait[pick], _P90)
        backlog = np.concatenate(
            [
                backlog_end(*self.backlog_rows, cube, self.deferrable_slots[:-1])
                for cube in total.cubes
            ],
            axis=1,
        )
        return [
            ("p90_response_s", p90, self.deferrable_slots),
            ("backlog_end", backlog, np.r_[self.deferrable_slots[:-1], True]),
        ]

    def _resolution(self, total: _Sums) -> list[Item]:
        """Felt and agent-reported FCR, the escalation and complaint shares and the tier-2
        response within each target."""
        escalated = self.escalated
        answered = total.answered
        items: list[Item] = [
            ("fcr_frac", ratio(total(self.fcr_resolved), total(self.fcr_judged)), self.every_slot),
            ("agent_fcr_frac", ratio(total(self.agent_resolved), answered), self.every_slot),
            ("escalation_frac", ratio(total(escalated), answered), self.every_slot),
            ("complaint_frac", ratio(total(self.complaint), answered), self.every_slot),
        ]
        for name, target in [(escalation_response_kpi(), self.esc_target)] + [
            (escalation_response_kpi(t), np.where(escalated, t, np.nan))
            for t in self.escalation_thresholds_s
        ]:
            in_time = escalated & (self.esc_response <= target)
            judged = escalated & (~np.isnan(self.esc_response) | (self.esc_open_s >= target))
            items.append((name, ratio(total(in_time), total(judged)), self.every_slot))
        return items

    def _handling(self, total: _Sums) -> list[Item]:
        """Mean handle time, mean CSAT score, the share of answered contacts scored and the
        shares of top-box (4-5) and negative (1-2) scores among them."""
        n_answered, n_scored = total.answered, total(self.scored)
        return [
            ("aht_s", ratio(total(self.handle), n_answered), self.every_slot),
            (
                "csat",
                ratio(total(np.where(self.scored, self.score, 0.0)), n_scored),
                self.every_slot,
            ),
            ("csat_response_frac", ratio(n_scored, n_answered), self.every_slot),
            ("csat_top_box_frac", ratio(total(self.top_box), n_scored), self.every_slot),
            ("csat_negative_frac", ratio(total(self.negative), n_scored), self.every_slot),
        ]
