"""Agents and the pool (team) they belong to: shifts, shrinkage, hires, learning, attrition.

SimPy resources cannot change capacity, so agents are individual objects moved on and off duty
by the model at every interval boundary and workforce event (DESIGN.md).

**Agents on duty.** A team's roster gives the scheduled agents on duty per interval before
shrinkage, ``s_i``. The agents actually available are ``n_i = round(s_i * (1 - shrinkage))``
(shrinkage as a deterministic share of scheduled time; round half up). For a fixed-headcount
team the roster assumes the starting headcount ``H_0``; with hires and attrition the employed
headcount ``H(t)`` scales it: ``n_i = round(s_i * H(t) / H_0 * (1 - shrinkage))``, capped at
``H(t)``. Teams without a headcount (roster and auto modes) get as many proficient agents as
the roster asks for.

**Random absence.** With ``present_frac`` and ``round_u`` given (drawn per team and day by
:mod:`sim.build`), the share ``1 - shrinkage`` is replaced by the day's share present ``p_i``
and the rounding by ``⌊x + u_i⌋`` with the day's uniform ``u_i``:
``n_i = ⌊s_i * p_i + u_i⌋`` (times ``H(t) / H_0`` with a headcount), whose mean is exactly
``s_i * E[p_i]`` (randomised rounding).

**Shifts.** When ``n`` rises, the agents off duty longest come on; when it falls, the agents on
duty longest go off (first on, first off), so agents work contiguous shifts and rotate fairly.
What happens to a busy agent at the end of duty is the team's ``end_of_duty``:

- ``finish_contact``: the agent finishes the contacts in hand first; the time from the end of
  duty to leaving is **overtime** (``overtime`` per channel and interval), also counted as
  staffed time;
- ``hand_back``: idle agents leave first (those idle longest first), then busy agents, who
  hand their contacts back to the head of their queue with the work still to do (the model's
  ``hand_back`` callback), so the roster is an exact cap and there is no overtime.

**Hires and learning.** Hires join production at given times (after lead time and training).
With a learning curve ``(m, p, W)`` an agent with ``w`` weeks in production has handle-time
multiplier ``1 + (m - 1) * f`` and FCR penalty ``p * f`` with ``f = max(0, 1 - w / W)``;
agents employed at the horizon start are proficient.

**Attrition.** Each employed agent leaves after an exponential time with rate
``-log(1 - a) / month`` (``a`` = monthly attrition probability, month = 30.4375 days), drawn
from the team's ``"attrition"`` stream in hiring order. A release (ramp-down) ends the
employment of the employee hired last among those still employed.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from scenarios.errors import InputError
from sim.log import add_span

if TYPE_CHECKING:
    from sim.contacts import Contact

__all__ = ["END_OF_DUTY", "Agent", "Learning", "Pool", "TeamSpec", "workforce_events"]

MONTH_S = 30.4375 * 86400.0
WEEK_S = 7 * 86400.0
END_OF_DUTY = ("finish_contact", "hand_back")


@dataclass(frozen=True)
class Learning:
    """Learning curve of new hires: AHT multiplier and FCR penalty fading over ``weeks``."""

    aht_multiplier: float
    fcr_penalty_frac: float
    weeks_to_proficiency: float


@dataclass(frozen=True)
class TeamSpec:
    """What the model needs to know about one team (dedicated or blended pool).

    Attributes
    ----------
    name:
        Team name.
    channels:
        Channel names served, in priority order.
    scheduled:
        Scheduled agents on duty per interval before shrinkage (float64, ``n_intervals``).
    shrinkage_frac:
        Share of scheduled time not available for contacts, in [0, 1).
    headcount:
        Employed agents at the horizon start for a fixed-headcount team; ``None`` when the
        roster itself is the supply.
    hire_join_s:
        Production start of each requested hire, seconds from the horizon start, ascending.
    max_headcount:
        A hire joining when ``H(t)`` is already this large is not taken on; ``None`` = no cap.
    attrition_per_month_frac:
        Monthly probability that an agent leaves.
    learning:
        Learning curve of hires, or ``None``.
    end_of_duty:
        ``finish_contact`` or ``hand_back`` (module notes).
    present_frac, round_u:
        Per interval, the day's share of scheduled agents present and its rounding uniform
        (random absence, module notes); ``None`` for the deterministic share ``1 - shrinkage``.
    dropout_s:
        Hires who leave during training and never take contacts, as ``(training start, leaving
        time)`` each (paid while in training, :mod:`sim.paid_time`).
    release_s:
        Times at which one employee is released (ramp-down), ascending.
    """

    name: str
    channels: tuple[str, ...]
    scheduled: np.ndarray
    shrinkage_frac: float = 0.0
    headcount: int | None = None
    hire_join_s: tuple[float, ...] = ()
    max_headcount: int | None = None
    attrition_per_month_frac: float = 0.0
    learning: Learning | None = None
    end_of_duty: str = "finish_contact"
    present_frac: np.ndarray | None = None
    round_u: np.ndarray | None = None
    dropout_s: tuple[tuple[float, float], ...] = ()
    release_s: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if not 0.0 <= self.shrinkage_frac < 1.0:
            raise InputError(
                f"team {self.name}: shrinkage must be in [0, 1) (got {self.shrinkage_frac})"
            )
        if not 0.0 <= self.attrition_per_month_frac < 1.0:
            raise InputError(
                f"team {self.name}: attrition per month must be in [0, 1) "
                f"(got {self.attrition_per_month_frac})"
            )
        scheduled = np.asarray(self.scheduled, dtype=np.float64)
        if scheduled.ndim != 1 or np.any(~np.isfinite(scheduled)) or np.any(scheduled < 0):
            raise InputError(f"team {self.name}: scheduled agents must be finite and >= 0")
        if (
            self.hire_join_s or self.attrition_per_month_frac or self.dropout_s or self.release_s
        ) and self.headcount is None:
            raise InputError(
                f"team {self.name}: hires, releases and attrition need a fixed headcount"
            )
        if self.hire_join_s and self.headcount == 0:
            raise InputError(
                f"team {self.name}: the roster of a team starting with headcount 0 has no shift "
                "shape to scale with hires; give a starting headcount >= 1"
            )
        if self.end_of_duty not in END_OF_DUTY:
            raise InputError(
                f"team {self.name}: end_of_duty must be one of {', '.join(END_OF_DUTY)} "
                f"(got {self.end_of_duty!r})"
            )
        if (self.present_frac is None) != (self.round_u is None):
            raise InputError(f"team {self.name}: give present_frac and round_u together")
        for name in ("present_frac", "round_u"):
            values = getattr(self, name)
            if values is not None and (
                np.shape(values) != scheduled.shape
                or np.any(~((np.asarray(values) >= 0) & (np.asarray(values) <= 1)))
            ):
                raise InputError(f"team {self.name}: {name} needs one value in [0, 1] per interval")


class Agent:
    """One agent; ``contacts`` holds the contacts in hand (several only for chat).

    ``channel`` is the channel of those contacts (-1 when idle), ``present`` whether the agent
    is on the floor (on duty, or off duty but finishing), ``since`` and ``version`` the last
    re-plan of a chat agent's progress.
    """

    __slots__ = (
        "busy_since",
        "channel",
        "contacts",
        "id",
        "off_duty_since",
        "on_duty",
        "overtime_channel",
        "pool",
        "present",
        "present_since",
        "production_start_s",
        "since",
        "version",
    )

    def __init__(self, agent_id: int, pool: Pool, production_start_s: float):
        self.id = agent_id
        self.pool = pool
        self.production_start_s = production_start_s
        self.contacts: list[Contact] = []
        self.channel = -1
        self.on_duty = False
        self.present = False
        self.present_since = 0.0
        self.busy_since = 0.0
        self.since = 0.0
        self.version = 0
        self.off_duty_since = math.nan
        self.overtime_channel = -1

    def learning_factor(self, now_s: float) -> float:
        """``f = max(0, 1 - weeks in production / weeks to proficiency)`` (0 = proficient)."""
        learning = self.pool.learning
        if learning is None or self.production_start_s == -math.inf:
            return 0.0
        weeks = (now_s - self.production_start_s) / WEEK_S
        return max(0.0, 1.0 - weeks / learning.weeks_to_proficiency)


def workforce_events(
    spec: TeamSpec, rng: np.random.Generator, horizon_s: float
) -> list[tuple[float, int, int]]:
    """Hires and departures of a fixed-headcount team: sorted ``(time_s, +1 join / -1 leave, k)``.

    ``k`` numbers the employees: ``0 .. H_0 - 1`` employed at the start, then hires in joining
    order. Departure times are drawn in that order, one exponential per employee, so they do
    not depend on the queueing. A release (``spec.release_s``) ends the employment of the
    employee hired last among those still employed (last in, first out; attrition is
    memoryless, so who is released does not change when the others leave).
    """
    if spec.headcount is None:
        return []
    rate = -math.log1p(-spec.attrition_per_month_frac) / MONTH_S
    joins = [(-math.inf, 0, k) for k in range(spec.headcount)]
    joins += [(t, 0, spec.headcount + j) for j, t in enumerate(spec.hire_join_s) if t < horizon_s]
    timeline = sorted(joins + [(t, 1, -1) for t in spec.release_s if t < horizon_s])
    employed: dict[int, float] = {}  # employee -> leaving time, of those still employed
    leaving: list[tuple[float, int]] = []  # a min-heap of (leaving time, employee)
    final: dict[int, float] = {}  # employee -> when the employment ended (inf: not yet)
    for moment, kind, k in timeline:  # who left before one event left before the next
        if kind == 0:
            leave = max(moment, 0.0) + (rng.exponential(1.0 / rate) if rate > 0.0 else math.inf)
        while leaving and leaving[0][0] <= moment:
            _, gone = heapq.heappop(leaving)
            employed.pop(gone, None)
        if kind == 1:
            if employed:
                released = max(employed)
                del employed[released]
                final[released] = max(moment, 0.0)
            continue
        if spec.max_headcount is not None and len(employed) >= spec.max_headcount:
            continue
        employed[k] = final[k] = leave
        heapq.heappush(leaving, (leave, k))
    joined = {k: moment for moment, _, k in joins}
    events: list[tuple[float, int, int]] = []
    for k, end in final.items():
        events.append((joined[k], 1, k))
        if end < horizon_s:
            events.append((end, -1, k))
    events.sort()
    return events


class Pool:
    """The agents of one team and who of them is on duty, idle or partly busy with chats."""

    def __init__(self, spec: TeamSpec, channel_index: dict[str, int], interval_s: float):
        self.spec = spec
        self.name = spec.name
        self.learning = spec.learning
        self.channels = [channel_index[c] for c in spec.channels]
        scheduled = np.asarray(spec.scheduled, dtype=np.float64)
        if spec.present_frac is None:
            self.present_frac = np.full(scheduled.size, 1.0 - spec.shrinkage_frac)
            self.round_u = np.full(scheduled.size, 0.5)
        else:
            self.present_frac = np.asarray(spec.present_frac, dtype=np.float64)
            self.round_u = np.asarray(spec.round_u, dtype=np.float64)
        self.available = np.floor(scheduled * self.present_frac + self.round_u)
        self.hand_back = spec.end_of_duty == "hand_back"
        n = self.available.size
        self.interval_s = interval_s
        # agent-seconds on duty, and busy per channel index, per interval (see ``staffed`` and
        # ``busy``), kept as lists of floats for cheap scalar updates
        self._staffed_s = [0.0] * n
        self.busy_s = {c: [0.0] * n for c in self.channels}
        self.overtime_s = {c: [0.0] * n for c in self.channels}
        self.employed: dict[int, Agent] = {}
        self.on_duty: deque[Agent] = deque()
        self.off_duty: deque[Agent] = deque()
        self.idle: deque[Agent] = deque()

    @property
    def staffed(self) -> np.ndarray:
        """Agent-seconds on duty per interval, shape ``(n,)``."""
        return np.array(self._staffed_s)

    @property
    def busy(self) -> np.ndarray:
        """Agent-seconds with a contact of each of the team's channels (in priority order) per
        interval, shape ``(len(channels), n)``."""
        return np.array([self.busy_s[c] for c in self.channels])

    @property
    def overtime(self) -> np.ndarray:
        """Agent-seconds after the end of duty finishing contacts of each of the team's
        channels per interval, shape ``(len(channels), n)``."""
        return np.array([self.overtime_s[c] for c in self.channels])

    def target(self, interval: int) -> int:
        """Agents that should be on duty in ``interval`` given the current headcount."""
        i = min(interval, self.available.size - 1)
        headcount = self.spec.headcount
        if headcount is None:
            return int(self.available[i])
        if headcount == 0:
            return 0  # no employees and (by TeamSpec's rule) no hires
        scaled = math.floor(
            self.spec.scheduled[i] * len(self.employed) / headcount * self.present_frac[i]
            + self.round_u[i]
        )
        return min(scaled, len(self.employed))

    def set_off_duty(self, agent: Agent, now_s: float) -> None:
        """Take ``agent`` off duty; an idle agent leaves now, a busy one when its work is done
        (its overtime starts now)."""
        agent.on_duty = False
        if not agent.contacts:
            self.idle.remove(agent)
            self.leave_floor(agent, now_s)
        else:
            agent.off_duty_since = now_s
            agent.overtime_channel = agent.channel

    def _end_overtime(self, agent: Agent, now_s: float) -> None:
        if agent.off_duty_since == agent.off_duty_since:  # not NaN: finishing after duty
            channel = self.overtime_s[agent.overtime_channel]
            add_span(channel, agent.off_duty_since, now_s, self.interval_s)
            agent.off_duty_since = math.nan

    def leave_floor(self, agent: Agent, now_s: float) -> None:
        """Record the agent's presence (and overtime) until ``now_s``."""
        agent.present = False
        add_span(self._staffed_s, agent.present_since, now_s, self.interval_s)
        self._end_overtime(agent, now_s)

    def set_on_duty(self, agent: Agent, now_s: float) -> None:
        """Put ``agent`` on duty; it is idle unless still finishing earlier work."""
        agent.on_duty = True
        self.on_duty.append(agent)
        if not agent.present:
            agent.present = True
            agent.present_since = now_s
        self._end_overtime(agent, now_s)
        if not agent.contacts:
            self.idle.append(agent)

    def rebalance(
        self,
        interval: int,
        now_s: float,
        new_agent: Callable[[Pool], Agent],
        hand_back: Callable[[Agent, float], None] | None = None,
    ) -> None:
        """Move agents on or off duty to meet :meth:`target`; ``new_agent(pool)`` creates one.

        With ``end_of_duty: hand_back`` idle agents go off first and a busy one calls
        ``hand_back(agent, now_s)``, which must empty its hands, before it goes.
        """
        want = self.target(interval)
        on = self.on_duty
        if self.hand_back:
            while len(on) > want and self.idle:
                agent = self.idle.popleft()
                on.remove(agent)
                self._leave_duty(agent, now_s)
            while len(on) > want:
                agent = on.popleft()
                if hand_back is not None:
                    hand_back(agent, now_s)
                self._leave_duty(agent, now_s)
        while len(on) > want:
            agent = on.popleft()
            self.set_off_duty(agent, now_s)
            self.off_duty.append(agent)
        while len(on) < want:
            agent = self.off_duty.popleft() if self.off_duty else new_agent(self)
            self.set_on_duty(agent, now_s)

    def _leave_duty(self, agent: Agent, now_s: float) -> None:
        """An agent with empty hands, no longer on duty nor idle, goes off duty now."""
        agent.on_duty = False
        self.leave_floor(agent, now_s)
        self.off_duty.append(agent)

    def dismiss(
        self, agent: Agent, now_s: float, hand_back: Callable[[Agent, float], None] | None = None
    ) -> None:
        """Remove an employee who leaves the company (attrition); with ``hand_back`` a busy
        leaver hands its contacts back first."""
        del self.employed[agent.id]
        if agent.on_duty:
            self.on_duty.remove(agent)
            if self.hand_back and agent.contacts and hand_back is not None:
                hand_back(agent, now_s)
                self.idle.append(agent)  # set_off_duty takes an empty-handed agent from idle
            self.set_off_duty(agent, now_s)
        else:
            self.off_duty.remove(agent)
