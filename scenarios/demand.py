"""The demand model: a scenario expanded into a per-channel, per-interval workload.

:func:`expand` turns a validated :class:`~scenarios.scenario.Scenario` into a :class:`Workload`:
for each channel and interval, the expected arrivals, mean handle time, FCR, escalation
probability and mean patience. The workload holds no randomness; forecast error is drawn by the
simulation with :func:`sim.arrivals.draw_day_multipliers`.

Conventions
-----------
Normal volume
    ``volume.per_week``, ``per_day`` and ``per_month`` are the expected contacts of a normal
    period, before events. Each is turned into a weekly volume ``V``; the weekday weights,
    normalised over the weekdays that receive contacts, ``s_d = w_d * recv_d /
    sum_e (w_e * recv_e)`` (:func:`scenarios.profiles.weekday_shares`), spread it over the week,
    so day ``t`` receives ``V * s_weekday(t)``. A realtime channel receives contacts on the
    weekdays it opens (a weekday without opening hours receives nothing, whatever its weight);
    a deferrable channel receives them on every weekday, because customers write on weekends
    too and their messages wait for opening (give a weekday the weight 0 to model a day without
    messages). The scenario's default weight is 1 for every weekday.

    - ``per_week``: ``V = per_week``;
    - ``per_day``: the volume of an average day on which contacts arrive, ``V = per_day * n``
      with ``n`` the number of weekdays with ``s_d > 0`` (5 for a Monday-to-Friday realtime
      channel, 7 for a deferrable one with default weights);
    - ``per_month``: ``V = per_month * 7 / 30.4375``, a month being 365.25 / 12 = 30.4375 days
      (:data:`DAYS_PER_MONTH`), so a 28-day horizon receives ``per_month * 28 / 30.4375``.

    A per-interval file (``volume.file``) is taken as is: its rows are the normal volume of each
    interval and no profile or weekday weight reshapes it.
Within a day
    The 24 hourly weights of the intraday profile are stepped onto the intervals
    (:func:`scenarios.profiles.interval_weights`) and normalised over the intervals that receive
    the day's demand. On a realtime channel those are the channel's opening window of that
    weekday, so the profile only shapes open hours and nothing is lost. On a deferrable channel
    they are all 24 hours: contacts keep arriving by the 24-hour profile while the channel is
    closed and wait for opening.
Closed days
    A closed day (``horizon.closed_days``) keeps its demand: on realtime channels it arrives in
    the weekday's usual window and is not offered, on deferrable channels it arrives and waits.
    ``is_open`` is false for every interval of a closed day.
Events
    Applied per day to every volume form, the per-interval file included (leave the events out
    when the file already holds them). With ``t_k`` the days since launch ``k`` (0 on its date,
    no effect before it), volume is multiplied by
    ``m_peak(t) * (1 + sum_k uplift_k * 0.5 ** (t_k / half_life_k))`` (``Launch.volume_factor``).
    With ``learn_k = max(0, 1 - t_k / learning_days_k)`` (``Launch.learn``) and ``p_k`` the
    launch's ``share_of_contacts``, the channel's mean handle time is
    ``aht * (1 + sum_k p_k * aht_uplift_k * learn_k)`` and its FCR
    ``max(0, fcr - sum_k p_k * min(fcr, fcr_drop_k * learn_k))``. For one launch these are the
    exact mix of the concerned contacts (handle time ``aht * (1 + aht_uplift * learn)``, FCR
    ``max(0, fcr - fcr_drop * learn)``) and the others; overlapping launches add their effects.
    Handle time and FCR are constant within a day. Escalation probability and patience are the
    channel's own, in every interval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from scenarios._base import FrozenDict
from scenarios.data_files import volume_contacts
from scenarios.errors import InputError
from scenarios.profiles import interval_weights, normalised_shares, weekday_shares

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from scenarios.calendar import Horizon
    from scenarios.channels import Channel, Volume
    from scenarios.events import Events
    from scenarios.scenario import Scenario

__all__ = [
    "COLUMNS",
    "DAYS_PER_MONTH",
    "SUMMARY_COLUMNS",
    "ChannelWorkload",
    "Workload",
    "demand_by_day",
    "expand",
]

DAYS_PER_MONTH = 365.25 / 12
"""Mean length of a month in days (30.4375), used to convert ``per_month`` volumes."""

_SECONDS_PER_HOUR = 3600.0
_SECONDS_PER_DAY = 86_400
_KINDS = ("realtime", "deferrable")

COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "interval": "int32",
        "interval_start": "datetime64[ns]",
        "channel": "category",
        "kind": "category",
        "is_open": "bool",
        "expected_arrivals": "float64",
        "arrivals_per_hour": "float64",
        "aht_s": "float64",
        "fcr_frac": "float64",
        "escalation_frac": "float64",
        "patience_s": "float64",
    }
)
"""Columns and dtypes of :meth:`Workload.to_frame`."""

SUMMARY_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "date": "datetime64[ns]",
        "channel": "category",
        "kind": "category",
        "expected_contacts": "float64",
        "not_offered": "float64",
        "mean_aht_s": "float64",
        "peak_per_hour": "float64",
    }
)
"""Columns and dtypes of :func:`demand_by_day`."""


def _rebuild(instance: DataclassInstance) -> tuple[type, tuple[Any, ...]]:
    """Pickle a frozen dataclass by its fields, so unpickling validates and freezes it again."""
    return type(instance), tuple(getattr(instance, field.name) for field in fields(instance))


@dataclass(frozen=True, eq=False)
class ChannelWorkload:
    """Expected demand of one channel, one value per interval (arrays are read-only).

    Attributes
    ----------
    kind:
        ``"realtime"`` or ``"deferrable"``.
    expected_arrivals:
        Expected contacts arriving in the interval (float64), after profiles, weekdays, closed
        days, peaks and launches; no random noise. On a realtime channel the arrivals of a
        closed interval are not offered; on a deferrable channel they wait for opening.
    is_open:
        Whether the channel is open in the interval (bool): inside its opening window and not on
        a closed day.
    aht_s:
        Mean handle time of the interval's contacts in seconds, launch effects included.
    fcr_frac:
        Probability that the agent resolves a contact at first contact.
    escalation_frac:
        Probability that a handled contact is escalated to tier 2 (0 without escalation).
    patience_s:
        Mean patience in seconds; NaN when customers do not abandon.
    """

    kind: str
    expected_arrivals: np.ndarray
    is_open: np.ndarray
    aht_s: np.ndarray
    fcr_frac: np.ndarray
    escalation_frac: np.ndarray
    patience_s: np.ndarray

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise InputError(f"kind must be realtime or deferrable (got {self.kind!r})")
        size = np.shape(self.expected_arrivals)
        for field in fields(self)[1:]:
            dtype = bool if field.name == "is_open" else np.float64
            array = np.array(getattr(self, field.name), dtype=dtype)
            if array.ndim != 1 or array.shape != size:
                raise InputError(
                    f"{field.name} must be a 1-d array of the same length as expected_arrivals "
                    f"(got shape {array.shape}, expected {size})"
                )
            array.setflags(write=False)
            object.__setattr__(self, field.name, array)

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return _rebuild(self)

    @property
    def offered(self) -> np.ndarray:
        """Expected contacts offered to agents: all arrivals, except realtime ones while closed."""
        if self.kind == "deferrable":
            return self.expected_arrivals
        return np.where(self.is_open, self.expected_arrivals, 0.0)

    @property
    def not_offered(self) -> np.ndarray:
        """Expected realtime arrivals while closed (zero on deferrable channels)."""
        return self.expected_arrivals - self.offered


@dataclass(frozen=True, eq=False)
class Workload:
    """Expected demand of every channel over the horizon's interval grid.

    Attributes
    ----------
    interval_s:
        Interval length in seconds.
    n_intervals:
        Number of intervals in the horizon.
    start:
        First day of the horizon; interval 0 starts at its midnight (local wall time).
    interval_start_s:
        Start of each interval in seconds from the horizon start (float64, read-only).
    channels:
        Channel name to :class:`ChannelWorkload`, in scenario order (read-only mapping).
    """

    interval_s: float
    n_intervals: int
    start: dt.date
    interval_start_s: np.ndarray
    channels: Mapping[str, ChannelWorkload]

    def __post_init__(self) -> None:
        starts = np.array(self.interval_start_s, dtype=np.float64)
        if starts.shape != (self.n_intervals,):
            raise InputError(
                f"interval_start_s must have n_intervals = {self.n_intervals} entries "
                f"(got shape {starts.shape})"
            )
        for name, channel in self.channels.items():
            if channel.expected_arrivals.shape != starts.shape:
                raise InputError(
                    f"channel {name!r} has {channel.expected_arrivals.size} intervals, "
                    f"expected {self.n_intervals}"
                )
        starts.setflags(write=False)
        object.__setattr__(self, "interval_start_s", starts)
        object.__setattr__(self, "channels", FrozenDict(self.channels))

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return _rebuild(self)

    @property
    def intervals_per_day(self) -> int:
        """Number of intervals in one day."""
        return int(_SECONDS_PER_DAY // self.interval_s)

    @property
    def n_days(self) -> int:
        """Number of days in the horizon."""
        return self.n_intervals // self.intervals_per_day

    @property
    def day_of_interval(self) -> np.ndarray:
        """Day index (0-based from :attr:`start`) of each interval, int64."""
        return np.arange(self.n_intervals, dtype=np.int64) // self.intervals_per_day

    def _interval_timestamps(self) -> np.ndarray:
        origin = np.datetime64(self.start, "ns")
        return origin + (self.interval_start_s * 1e9).astype("timedelta64[ns]")

    def to_frame(self) -> pd.DataFrame:
        """Tidy table, one row per channel and interval (channels in scenario order).

        ==================== ============== ==================================================
        column               dtype          meaning
        ==================== ============== ==================================================
        ``interval``         int32          interval index from the horizon start
        ``interval_start``   datetime64[ns] local wall-clock start of the interval
        ``channel``          category       channel name
        ``kind``             category       ``realtime`` or ``deferrable``
        ``is_open``          bool           channel open (window, not a closed day)
        ``expected_arrivals`` float64       expected contacts arriving in the interval
        ``arrivals_per_hour`` float64       ``expected_arrivals * 3600 / interval_s``
        ``aht_s``            float64        mean handle time, seconds
        ``fcr_frac``         float64        first-contact resolution probability
        ``escalation_frac``  float64        escalation probability
        ``patience_s``       float64        mean patience, seconds; NaN when none
        ==================== ============== ==================================================
        """
        names = list(self.channels)
        stack = list(self.channels.values())

        def joined(attribute: str) -> np.ndarray | list[float]:
            return np.concatenate([getattr(c, attribute) for c in stack]) if stack else []

        arrivals = np.asarray(joined("expected_arrivals"), dtype=np.float64)
        data = {
            "interval": np.tile(np.arange(self.n_intervals, dtype=np.int32), len(stack)),
            "interval_start": np.tile(self._interval_timestamps(), len(stack)),
            "channel": pd.Categorical(np.repeat(names, self.n_intervals), categories=names),
            "kind": pd.Categorical(
                np.repeat([c.kind for c in stack], self.n_intervals), categories=_KINDS
            ),
            "is_open": np.asarray(joined("is_open"), dtype=bool),
            "expected_arrivals": arrivals,
            "arrivals_per_hour": arrivals * (_SECONDS_PER_HOUR / self.interval_s),
        }
        for attribute in ("aht_s", "fcr_frac", "escalation_frac", "patience_s"):
            data[attribute] = np.asarray(joined(attribute), dtype=np.float64)
        return pd.DataFrame(data, columns=list(COLUMNS)).astype(dict(COLUMNS))


def demand_by_day(workload: Workload) -> pd.DataFrame:
    """Per-day, per-channel totals of a workload (days first, then channels in order).

    ===================== ============== ====================================================
    column                dtype          meaning
    ===================== ============== ====================================================
    ``date``              datetime64[ns] the day (midnight)
    ``channel``           category       channel name
    ``kind``              category       ``realtime`` or ``deferrable``
    ``expected_contacts`` float64        expected arrivals of the day, offered or not
    ``not_offered``       float64        of which realtime arrivals while closed
    ``mean_aht_s``        float64        mean handle time of the offered contacts, weighted by
                                         expected arrivals; NaN when none is offered
    ``peak_per_hour``     float64        highest offered arrival rate of one interval, per hour
    ===================== ============== ====================================================
    """
    n_days, per_day = workload.n_days, workload.intervals_per_day
    names = list(workload.channels)
    per_channel = []
    for channel in workload.channels.values():
        arrivals = channel.expected_arrivals.reshape(n_days, per_day)
        offered = channel.offered.reshape(n_days, per_day)
        offered_total = offered.sum(axis=1)
        handle = (offered * channel.aht_s.reshape(n_days, per_day)).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_aht_s = np.where(offered_total > 0, handle / offered_total, np.nan)
        per_channel.append(
            (
                arrivals.sum(axis=1),
                arrivals.sum(axis=1) - offered_total,
                mean_aht_s,
                offered.max(axis=1) * (_SECONDS_PER_HOUR / workload.interval_s),
            )
        )
    days = np.datetime64(workload.start, "ns") + np.arange(n_days).astype("timedelta64[D]")

    def by_day(column: int) -> np.ndarray:
        if not per_channel:
            return np.empty(0)
        return np.column_stack([values[column] for values in per_channel]).reshape(-1)

    data = {
        "date": np.repeat(days, len(names)),
        "channel": pd.Categorical(np.tile(names, n_days), categories=names),
        "kind": pd.Categorical(
            np.tile([c.kind for c in workload.channels.values()], n_days), categories=_KINDS
        ),
        "expected_contacts": by_day(0),
        "not_offered": by_day(1),
        "mean_aht_s": by_day(2),
        "peak_per_hour": by_day(3),
    }
    return pd.DataFrame(data, columns=list(SUMMARY_COLUMNS)).astype(dict(SUMMARY_COLUMNS))


def _weekly_volume(volume: Volume, shares: np.ndarray) -> float:
    """Weekly volume ``V`` of a per_day, per_week or per_month form (see the module docstring)."""
    if volume.per_week is not None:
        return volume.per_week
    if volume.per_day is not None:
        return volume.per_day * np.count_nonzero(shares)
    assert volume.per_month is not None, "without a file, one of the three forms is given"
    return volume.per_month * 7.0 / DAYS_PER_MONTH


def _normal_volume(name: str, channel: Channel, horizon: Horizon) -> np.ndarray:
    """Expected arrivals per day and interval before events, shape ``(days, intervals_per_day)``."""
    n_days, per_day = horizon.days, horizon.intervals_per_day
    if channel.volume.file is not None:
        values = volume_contacts(name, channel.volume.file, horizon)
        return values.reshape(n_days, per_day)
    receiving_days = [
        window is not None or not channel.is_realtime for window in channel.hours.windows_s
    ]
    shares = weekday_shares(channel.weekday_weights, receiving_days)
    weekdays = (horizon.start.weekday() + np.arange(n_days)) % 7
    day_volume = _weekly_volume(channel.volume, shares) * shares[weekdays]
    weights = interval_weights(channel.hourly_weights, horizon.interval_s)
    windows = channel.hours.open_mask(horizon.start, n_days, horizon.interval_s)
    receiving = windows.reshape(n_days, per_day) if channel.is_realtime else None
    volume = np.zeros((n_days, per_day))
    for day in np.flatnonzero(day_volume):
        mask = receiving[day] if receiving is not None else np.ones(per_day, dtype=bool)
        volume[day] = day_volume[day] * normalised_shares(weights, mask)
    return volume


def _concerns(channels: Sequence[str] | None, name: str) -> bool:
    return channels is None or name in channels


def _day_effects(
    name: str, channel: Channel, events: Events, horizon: Horizon
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-day volume factor, mean handle time and FCR of a channel after peaks and launches."""
    days = np.arange(horizon.days)
    volume_factor = np.ones(horizon.days)
    for peak in events.peaks:
        if _concerns(peak.channels, name):
            first, last = horizon.day_offset(peak.start), horizon.day_offset(peak.end)
            volume_factor[(days >= first) & (days <= last)] *= peak.multiplier
    uplift = np.zeros(horizon.days)
    aht_uplift = np.zeros(horizon.days)
    fcr_drop = np.zeros(horizon.days)
    fcr = channel.resolution_probability
    for launch in events.launches:
        if _concerns(launch.channels, name):
            days_since = days - horizon.day_offset(launch.date)
            learn = launch.learn(days_since)
            uplift += launch.volume_factor(days_since) - 1.0
            aht_uplift += launch.share_of_contacts * launch.aht_uplift * learn
            fcr_drop += launch.share_of_contacts * np.minimum(fcr, launch.fcr_drop * learn)
    aht_s = channel.handle_time.mean * (1.0 + aht_uplift)
    return volume_factor * (1.0 + uplift), aht_s, np.maximum(fcr - fcr_drop, 0.0)


def expand(scenario: Scenario) -> Workload:
    """Expand a scenario into its expected per-interval workload.

    Applies, per channel, the normal volume (weekly volume, weekday shares and intraday profile,
    or the per-interval file), closed days and opening hours, seasonal peaks and launches, as
    set out in the module docstring. Nothing random: see :func:`sim.arrivals.draw_day_multipliers`.

    Parameters
    ----------
    scenario:
        A validated scenario.

    Returns
    -------
    Workload
        One :class:`ChannelWorkload` per channel, in scenario order.

    Raises
    ------
    ScenarioError
        When a channel's per-interval volume file is unreadable or does not cover the horizon.
    """
    horizon = scenario.horizon
    per_day = horizon.intervals_per_day
    channels = {}
    for name, channel in scenario.channels.items():
        volume = _normal_volume(name, channel, horizon)
        volume_factor, aht_s, fcr_frac = _day_effects(name, channel, scenario.events, horizon)
        escalation = channel.escalation.probability if channel.escalation else 0.0
        patience_s = channel.patience.mean if channel.patience else np.nan
        channels[name] = ChannelWorkload(
            kind=channel.kind,
            expected_arrivals=(volume * volume_factor[:, None]).reshape(-1),
            is_open=horizon.open_mask(channel.hours),
            aht_s=np.repeat(aht_s, per_day),
            fcr_frac=np.repeat(fcr_frac, per_day),
            escalation_frac=np.full(horizon.n_intervals, escalation),
            patience_s=np.full(horizon.n_intervals, patience_s),
        )
    return Workload(
        interval_s=horizon.interval_s,
        n_intervals=horizon.n_intervals,
        start=horizon.start,
        interval_start_s=np.arange(horizon.n_intervals) * horizon.interval_s,
        channels=channels,
    )
