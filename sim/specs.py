"""Plain inputs of the simulation model, independent of the scenario file format.

:func:`sim.build.model_input` fills these from a ``Scenario``, its ``Workload`` and the team
rosters; tests build them directly (fixed arrival times, deterministic handle times, ...).
Per-interval arrays have length ``n_intervals``; times are seconds from the horizon start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scenarios.errors import InputError
from sim.agents import TeamSpec
from sim.streams import draw_unit

__all__ = ["ChannelSpec", "CsatSpec", "Dist", "ModelInput", "Retry", "TeamSpec", "Tier2Spec"]


@dataclass(frozen=True)
class Dist:
    """Shape of a distribution: ``kind`` (exponential, lognormal, gamma, deterministic), ``cv``.

    The mean comes from elsewhere (per interval for handle time and patience).
    """

    kind: str = "exponential"
    cv: float = 1.0

    def __post_init__(self) -> None:
        draw_unit(np.random.default_rng(0), self.kind, self.cv, 0)


@dataclass(frozen=True)
class Retry:
    """A contact coming back: with ``probability_frac``, after ``delay_mean_s`` shaped by
    ``delay``, on ``channel`` (``None`` = the same channel)."""

    probability_frac: float
    delay_mean_s: float
    delay: Dist = Dist()
    channel: str | None = None


@dataclass(frozen=True)
class CsatSpec:
    """Survey score ``clip(base + per_minute_waited * wait_min + unresolved * (not resolved)
    + escalated * (escalated), 1, 5)``, answered by ``response_rate_frac`` of the customers."""

    base: float
    per_minute_waited: float = 0.0
    unresolved: float = 0.0
    escalated: float = 0.0
    response_rate_frac: float = 1.0


@dataclass(frozen=True)
class ChannelSpec:
    """One channel.

    Attributes
    ----------
    realtime:
        True for phone/chat (arrivals in closed intervals are not offered; queued contacts may
        abandon), False for deferrable channels (backlog worked only in open intervals).
    is_open, aht_s:
        Open flag and mean handle time per interval (``aht_s`` of the interval of answer).
    patience_mean_s:
        Mean patience per interval of arrival; NaN (or ``None`` for all) = infinitely patient.
    fcr_frac, escalation_frac:
        Per interval of answer; ``None`` = 1 and 0.
    max_chats, speed_by_chats:
        Chat concurrency: with ``k`` chats in hand each progresses at ``speed_by_chats[k-1]``.
    """

    name: str
    realtime: bool
    is_open: np.ndarray
    aht_s: np.ndarray
    handle: Dist = Dist()
    patience_mean_s: np.ndarray | None = None
    patience: Dist = Dist()
    fcr_frac: np.ndarray | None = None
    escalation_frac: np.ndarray | None = None
    escalation_type: str = "operational"
    max_chats: int = 1
    speed_by_chats: tuple[float, ...] = (1.0,)
    repeat: Retry | None = None
    redial: Retry | None = None
    csat: CsatSpec | None = None

    def __post_init__(self) -> None:
        if self.max_chats < 1 or len(self.speed_by_chats) != self.max_chats:
            raise InputError(
                f"channel {self.name}: speed_by_chats needs max_chats={self.max_chats} entries "
                f"(got {self.speed_by_chats})"
            )
        if self.speed_by_chats[0] != 1.0 or min(self.speed_by_chats) <= 0.0:
            raise InputError(
                f"channel {self.name}: speed_by_chats must start at 1.0 and stay > 0 "
                f"(got {self.speed_by_chats})"
            )
        if self.escalation_type not in ("operational", "strategic"):
            raise InputError(
                f"channel {self.name}: unknown escalation type {self.escalation_type!r}"
            )


@dataclass(frozen=True)
class Tier2Spec:
    """Tier 2: ``agents`` on duty in its open intervals (or ``agents_by_interval``, whole
    agents per interval, when given), FIFO queue of escalations."""

    agents: int
    is_open: np.ndarray
    handle_mean_s: float
    handle: Dist = Dist()
    agents_by_interval: np.ndarray | None = None


@dataclass(frozen=True)
class ModelInput:
    """Everything one replication needs besides its random streams.

    ``arrivals`` maps channel name to sorted first-contact arrival times in ``[0, horizon)``;
    ``outages`` lists ``(channel, start_s, end_s)``; ``outage_queue`` says whether realtime
    contacts queue during an outage (else they are not offered).
    """

    interval_s: float
    n_intervals: int
    channels: tuple[ChannelSpec, ...]
    teams: tuple[TeamSpec, ...]
    arrivals: dict[str, np.ndarray]
    tier2: Tier2Spec | None = None
    outages: tuple[tuple[str, float, float], ...] = ()
    outage_queue: bool = False

    def __post_init__(self) -> None:
        names = [c.name for c in self.channels]
        team_of: dict[str, str] = {}
        for team in self.teams:
            for channel in team.channels:
                if channel not in names:
                    raise InputError(f"team {team.name} serves unknown channel {channel!r}")
                if channel in team_of:
                    raise InputError(
                        f"channel {channel} is in teams {team_of[channel]} and {team.name}"
                    )
                team_of[channel] = team.name
        missing = [n for n in names if n not in team_of]
        if missing:
            raise InputError(f"channels served by no team: {missing}")
        horizon_s = self.interval_s * self.n_intervals
        for name in names:
            times = np.asarray(self.arrivals.get(name, ()), dtype=np.float64)
            if times.size and (
                times[0] < 0.0 or times[-1] >= horizon_s or np.any(np.diff(times) < 0.0)
            ):
                raise InputError(f"arrivals of {name} must be sorted and in [0, {horizon_s})")
