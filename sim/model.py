"""The SimPy model of one replication: queues, agents, abandonment, chat, backlog, tier 2.

Processes (plain generator functions) drive the clock: one interval clock that moves agents
on and off duty and opens deferrable channels, one workforce process per fixed-headcount team
(hires, attrition) and one outage process. Contacts and agents are plain objects; an arrival,
a service or a patience deadline is a single timed callback on the SimPy calendar
(:class:`_Callback`, scheduled exactly like an ``env.timeout``) that moves the contact on (a
channel's first arrival is scheduled by a process starting at time 0, and each arrival's
callback schedules the next).

**Abandonment.** DESIGN.md writes a waiting customer as ``req | env.timeout(patience)``: a
process per customer and a condition event per wait. Here a waiting contact sits in its
channel's FIFO deque and one timeout carries its patience deadline; whichever comes first, an
agent taking it or the deadline, marks it, and the other one finds it marked and does nothing
(lazy deletion). It is the same race on the same event calendar, decided by the same times,
at a fraction of the events. Measured on M/M/40+M (``benchmarks/bench_sim.py``), the bare
loop written with ``req | env.timeout(patience)`` and one process per customer handles about
half as many contacts per second as this whole model, logging included (numbers in the
"Simulation" section of ``benchmarks/README.md``).

**Routing.** A contact goes to the team's longest-idle agent; a chat may also join an agent
already holding fewer than ``max_chats`` chats of its channel (the least loaded one). A freed
agent takes the head of the first non-empty queue of its team's channels in priority order;
a chat agent still holding chats only takes more chats of that channel. No pre-emption.

**Chat concurrency.** Each chat carries its remaining work (seconds at speed 1); with ``k``
chats in hand every one progresses at ``speed_by_chats[k-1]``, so the next completion is at
``min(work) / speed``. Every change of ``k`` updates the remaining work and re-plans; a stale
timer is recognised by its version number.

**Opening hours and outages.** Realtime arrivals in a closed interval, or during an outage
with ``outage_queue`` false, are not offered; queued realtime contacts stay served while agents
are on duty. Deferrable contacts always join the backlog, which agents work only in open
intervals. Nothing of a channel is answered while it is down.

**Outcomes.** When handling ends the contact is resolved with probability
``fcr_frac[answer interval] - learning penalty``, escalated with ``escalation_frac``; an
unresolved contact repeats with ``repeat.probability_frac`` after the repeat delay and an
abandoned one redials with ``redial.probability_frac``, both as new contacts linked by
``parent_id`` if they arrive before the horizon end. Every decision uses numbers drawn when the
contact arrives, from streams keyed by channel (first contacts) or channel + ``/retry``, so
the k-th customer of a channel gets the same numbers in every what-if.

**End of duty.** When a team's roster drops (:mod:`sim.agents`), a busy agent of a
``finish_contact`` team finishes its contacts (overtime); one of a ``hand_back`` team hands them
back (:meth:`ContactCentre._hand_back`): each returns to the head of its queue with its
remaining work, keeps its first answer time (the service level counts the first answer; its
``handle_s`` then includes the wait for the next agent) and does not abandon. With exponential
work this is exactly the preemptive M_t/M/s_t queue.

**Horizon end.** At ``n_intervals * interval_s`` contacts still waiting become
``unfinished``; contacts in service finish (the run drains them), as do handed-back contacts
still waiting, but nothing new is answered and tier 2 picks up nothing more.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator, Iterator
from operator import attrgetter
from typing import Any

import numpy as np
import simpy

from sim.agents import Agent, Pool, workforce_events
from sim.contacts import ChannelState, Contact
from sim.log import CONTACT_TYPE_CODE, OUTCOME_CODE, ContactLog, add_span
from sim.specs import ModelInput
from sim.streams import Streams

__all__ = ["ContactCentre"]

_WAITING, _SERVING, _DONE = 0, 1, 2
_FIRST, _REPEAT, _REDIAL = (CONTACT_TYPE_CODE[k] for k in ("first", "repeat", "redial"))
_ANSWERED, _ABANDONED, _NOT_OFFERED, _UNFINISHED = (
    OUTCOME_CODE[k] for k in ("answered", "abandoned", "not_offered", "unfinished")
)
_NAN = math.nan
_WORK = attrgetter("work")


class _Callback:
    """``callback(self)`` on the SimPy calendar after ``delay_s``, with ``self.value``.

    What ``env.timeout(delay_s, value).callbacks.append(callback)`` does, scheduled the same
    way (so the order of events is the same), for the events nothing waits on: a plain object
    with the two things ``Environment.step`` reads, its ``callbacks`` and its ``_ok`` flag.
    """

    __slots__ = ("callbacks", "value")
    _ok = True

    def __init__(
        self,
        env: simpy.Environment,
        delay_s: float,
        callback: Callable[[_Callback], None],
        value: Any,  # whatever its callback reads: a contact, a tuple of them, None
    ) -> None:
        if delay_s < 0.0:
            raise ValueError(f"negative delay {delay_s}")
        self.callbacks = [callback]
        self.value = value
        # a stand-in for a Timeout: Environment.step reads only callbacks and _ok
        env.schedule(self, simpy.events.NORMAL, delay_s)  # type: ignore[arg-type]


class ContactCentre:
    """One replication of a :class:`~sim.specs.ModelInput` on the given random streams.

    Call :meth:`run`; then ``log`` holds the contacts, ``pools`` the agent usage and
    ``outages`` the outage rows.
    """

    def __init__(self, inp: ModelInput, streams: Streams):
        self.inp = inp
        self.env = simpy.Environment()
        self.interval_s = float(inp.interval_s)
        self.n = int(inp.n_intervals)
        self.horizon_s = self.interval_s * self.n
        self.ended = False
        self.channels = [
            ChannelState(spec, k, self.n, streams) for k, spec in enumerate(inp.channels)
        ]
        self.log = ContactLog(self.interval_s, [spec.is_open for spec in inp.channels])
        index = {c.spec.name: c.index for c in self.channels}
        for ch in self.channels:
            if ch.spec.repeat is not None and ch.spec.repeat.channel is not None:
                ch.repeat_to = index[ch.spec.repeat.channel]
        self.pools = [Pool(team, index, self.interval_s) for team in inp.teams]
        for pool in self.pools:
            for c in pool.channels:
                self.channels[c].pool = pool
        self.next_contact_id = 0
        self.next_agent_id = 0
        self.agents: list[Agent] = []
        self.outages = [o for o in inp.outages if o[1] < self.horizon_s]
        self.outage_rows = [(c, s, min(e, self.horizon_s)) for c, s, e in self.outages]
        self.tier2 = inp.tier2
        self.t2_queue: deque[tuple[int, float]] = deque()
        self.t2_busy = 0
        self.t2_capacity = 0
        if self.tier2 is not None:
            self.t2_open = np.asarray(self.tier2.is_open, dtype=bool).tolist()
            by_interval = self.tier2.agents_by_interval
            self.t2_agents = (
                [self.tier2.agents] * self.n
                if by_interval is None
                else np.asarray(by_interval, dtype=np.int64).tolist()
            )
            self.t2_handle = streams.draws(
                "tier2_handle", "tier2", self.tier2.handle.kind, self.tier2.handle.cv
            )
        self._start_processes(streams)

    # -- processes ------------------------------------------------------------------------

    def _start_processes(self, streams: Streams) -> None:
        env = self.env
        env.process(self._clock())
        for pool in self.pools:
            events = workforce_events(
                pool.spec, streams.rng("attrition", pool.name), self.horizon_s
            )
            plans = {}
            for t, kind, k in events:
                if kind == 1 and t < 0.0:
                    plans[k] = self._hire(pool, -math.inf)
            env.process(self._workforce(pool, [e for e in events if e[0] >= 0.0], plans))
        for ch in self.channels:
            times = self.inp.arrivals.get(ch.spec.name)
            if times is not None and len(times):
                env.process(self._source(ch, np.asarray(times, dtype=np.float64).tolist()))
        if self.outages:
            env.process(self._outage_process())

    def _clock(self) -> Generator[simpy.Event, Any, None]:
        env = self.env
        for i in range(self.n):
            if i:
                yield env.timeout(i * self.interval_s - env.now)
            now = env.now
            for pool in self.pools:
                pool.rebalance(i, now, self._new_agent, self._hand_back)
            if self.tier2 is not None:
                self.t2_capacity = self.t2_agents[i] if self.t2_open[i] else 0
                self._tier2_dispatch(now)
            for pool in self.pools:
                self._dispatch(pool, now)
        yield env.timeout(self.horizon_s - env.now)
        self._end(env.now)

    def _source(self, ch: ChannelState, times: list[float]) -> Generator[simpy.Event, Any, None]:
        """Process scheduling the first arrival of ``ch`` at its start; it yields no event."""
        self._next_arrival((ch, iter(times)))
        yield from ()

    def _next_arrival(self, source: tuple[ChannelState, Iterator[float]]) -> None:
        t = next(source[1], None)
        if t is not None:
            _Callback(self.env, t - self.env.now, self._on_arrival, source)

    def _on_arrival(self, event: _Callback) -> None:
        source: tuple[ChannelState, Iterator[float]] = event.value
        self._arrive(source[0], _FIRST, -1)
        self._next_arrival(source)

    def _workforce(
        self, pool: Pool, events: list[tuple[float, int, int]], plans: dict[int, Agent]
    ) -> Generator[simpy.Event, Any, None]:
        env = self.env
        for t, kind, k in events:
            if t >= self.horizon_s:
                return
            yield env.timeout(t - env.now)
            if kind == 1:
                plans[k] = self._hire(pool, t)
            else:
                pool.dismiss(plans.pop(k), t, self._hand_back)
            pool.rebalance(int(t // self.interval_s), t, self._new_agent, self._hand_back)
            self._dispatch(pool, t)

    def _outage_process(self) -> Generator[simpy.Event, Any, None]:
        env = self.env
        index = {c.spec.name: c for c in self.channels}
        points = sorted(
            [(s, 1, name) for name, s, _ in self.outages]
            + [(e, -1, name) for name, _, e in self.outages]
        )
        for t, delta, name in points:
            if t >= self.horizon_s:
                return
            yield env.timeout(t - env.now)
            ch = index[name]
            ch.down += delta
            if not ch.down:
                self._dispatch(ch.pool, t)

    # -- agents -----------------------------------------------------------------------------

    def _hire(self, pool: Pool, production_start_s: float) -> Agent:
        agent = self._new_agent(pool, production_start_s)
        pool.employed[agent.id] = agent
        pool.off_duty.append(agent)
        return agent

    def _new_agent(self, pool: Pool, production_start_s: float = -math.inf) -> Agent:
        agent = Agent(self.next_agent_id, pool, production_start_s)
        self.next_agent_id += 1
        self.agents.append(agent)
        return agent

    def _dispatch(self, pool: Pool, now: float) -> None:
        """Give waiting work to the pool's idle agents and to chat agents with room."""
        idle = pool.idle
        while idle and self._take_work(idle[0], now):
            idle.popleft()
        for agent in pool.on_duty:
            if agent.contacts and len(agent.contacts) < self.channels[agent.channel].max_chats:
                self._take_work(agent, now)

    def _take_work(self, agent: Agent, now: float) -> bool:
        """Start the next waiting contact(s) the agent may take; False if there was none."""
        if self.ended:
            return False
        candidates = (agent.channel,) if agent.contacts else agent.pool.channels
        i = int(now // self.interval_s)
        for c in candidates:
            ch = self.channels[c]
            if not ch.waiting or ch.down or not (ch.realtime or ch.is_open[i]):
                continue
            taken = False
            while len(agent.contacts) < ch.max_chats:
                contact = self._pop(ch)
                if contact is None:
                    break
                self._start(agent, contact, ch, now, i)
                taken = True
            if taken:
                return True
        return False

    @staticmethod
    def _pop(ch: ChannelState) -> Contact | None:
        queue = ch.queue
        while queue:
            contact = queue.popleft()
            if contact.state == _WAITING:
                ch.waiting -= 1
                return contact
        return None

    def _free_agent(self, ch: ChannelState) -> Agent | None:
        """The longest-idle agent of the team, else (chat) the first agent on duty holding
        the fewest chats of ``ch`` below ``max_chats``; ``None`` if there is none."""
        pool = ch.pool
        if pool.idle:
            return pool.idle.popleft()
        if ch.max_chats == 1:
            return None
        best, fewest = None, ch.max_chats
        for agent in pool.on_duty:
            k = len(agent.contacts)
            if k < fewest and agent.channel == ch.index:
                best, fewest = agent, k
                if k == 1:  # an agent holding chats holds at least one
                    break
        return best

    # -- contacts ---------------------------------------------------------------------------

    def _arrive(self, ch: ChannelState, ctype: int, parent: int) -> None:
        now = self.env.now
        c = Contact()
        c.id = self.next_contact_id
        self.next_contact_id += 1
        c.ch = ch.index
        c.ctype = ctype
        c.parent = parent
        c.arrival = now
        c.answer = _NAN
        c.remaining = _NAN
        (ch.first if ctype == _FIRST else ch.retry).fill(c)
        i = int(now // self.interval_s)
        if ch.realtime and (not ch.is_open[i] or (ch.down and not self.inp.outage_queue)):
            c.state = _DONE
            self.log.add(c, outcome=_NOT_OFFERED)
            return
        if not ch.down and (ch.realtime or ch.is_open[i]):
            agent = self._free_agent(ch)
            if agent is not None:
                self._start(agent, c, ch, now, i)
                return
        c.state = _WAITING
        ch.queue.append(c)
        ch.waiting += 1
        patience = c.patience * ch.patience_s[i]
        if patience < math.inf:
            _Callback(self.env, patience, self._on_patience, c)

    def _start(self, agent: Agent, c: Contact, ch: ChannelState, now: float, i: int) -> None:
        """Answer ``c`` (of channel ``ch``) by ``agent`` at ``now``, in interval ``i``; a
        contact handed back at an end of duty resumes its remaining work."""
        c.state = _SERVING
        c.agent = agent
        if c.remaining == c.remaining:  # handed back: answered before, work left
            work = c.remaining
        else:
            c.answer = now
            learning = agent.pool.learning
            work = c.handle_u * ch.aht_s[i]
            c.fcr_penalty = 0.0
            if learning is not None:
                f = agent.learning_factor(now)
                work *= 1.0 + (learning.aht_multiplier - 1.0) * f
                c.fcr_penalty = learning.fcr_penalty_frac * f
        if not agent.contacts:
            agent.busy_since = now
            agent.channel = c.ch
        if ch.max_chats == 1:
            agent.contacts.append(c)
            c.done_at = now + work
            c.timer = _Callback(self.env, work, self._on_done, c)
        else:
            self._progress(agent, ch, now)
            c.work = work
            agent.contacts.append(c)
            self._replan(agent, ch)

    def _progress(self, agent: Agent, ch: ChannelState, now: float) -> None:
        """Advance the remaining work of the agent's chats to ``now``."""
        if agent.contacts:
            done = (now - agent.since) * ch.speeds[len(agent.contacts) - 1]
            for c in agent.contacts:
                c.work -= done
        agent.since = now

    def _replan(self, agent: Agent, ch: ChannelState) -> None:
        agent.version += 1
        if agent.contacts:
            first = min(agent.contacts, key=_WORK)
            delay = max(first.work, 0.0) / ch.speeds[len(agent.contacts) - 1]
            _Callback(self.env, delay, self._on_chat_timer, (agent, agent.version, first))

    def _on_chat_timer(self, event: _Callback) -> None:
        agent: Agent
        version: int
        c: Contact
        agent, version, c = event.value
        if version != agent.version:
            return
        now = self.env.now
        ch = self.channels[c.ch]
        self._progress(agent, ch, now)
        agent.contacts.remove(c)
        self._replan(agent, ch)
        self._finish(agent, c, ch, now)

    def _on_done(self, event: _Callback) -> None:
        c: Contact = event.value
        agent = c.agent
        agent.contacts.clear()
        self._finish(agent, c, self.channels[c.ch], self.env.now)

    def _hand_back(self, agent: Agent, now: float) -> None:
        """End of duty with ``hand_back``: the agent's contacts go back to the head of their
        queue, in order, with the work still to do (their timers are cancelled; an answered
        contact does not abandon)."""
        if not agent.contacts:
            return
        ch = self.channels[agent.channel]
        if ch.max_chats == 1:
            c = agent.contacts[0]
            c.timer.callbacks = []  # the SimPy calendar finds nothing to call
            c.remaining = c.done_at - now
        else:
            self._progress(agent, ch, now)
            agent.version += 1  # the chat timer is stale
            for c in agent.contacts:
                c.remaining = max(c.work, 0.0)
        add_span(agent.pool.busy_s[ch.index], agent.busy_since, now, self.interval_s)
        for c in reversed(agent.contacts):
            c.state = _WAITING
            ch.queue.appendleft(c)
            ch.waiting += 1
        agent.contacts.clear()
        agent.channel = -1

    def _finish(self, agent: Agent, c: Contact, ch: ChannelState, now: float) -> None:
        """Record a handled contact (already removed from the agent) and free the agent."""
        row, resolved, esc = self._record(c, ch, now, agent.id)
        if esc and self.tier2 is not None and not self.ended:
            self.t2_queue.append((row, now))
            self._tier2_dispatch(now)
        repeat = ch.repeat
        if not resolved and repeat is not None and c.repeat_u < repeat.probability_frac:
            self._retry(
                self.channels[ch.repeat_to], _REPEAT, c.id, c.repeat_d * repeat.delay_mean_s
            )
        pool = agent.pool
        if not agent.contacts:
            add_span(pool.busy_s[c.ch], agent.busy_since, now, self.interval_s)
            agent.channel = -1
        if self.ended:
            return
        if not agent.on_duty:
            if not agent.contacts:
                pool.leave_floor(agent, now)
        elif not self._take_work(agent, now) and not agent.contacts:
            pool.idle.append(agent)

    def _record(
        self, c: Contact, ch: ChannelState, now: float, agent_id: int
    ) -> tuple[int, bool, int]:
        """Log an answered contact ending at ``now``: its row, whether resolved, its escalation
        code."""
        c.state = _DONE
        i = int(c.answer // self.interval_s)
        resolved = c.u_fcr < ch.fcr[i] - c.fcr_penalty
        esc = ch.esc_code if c.u_esc < ch.esc[i] else 0
        csat = _NAN
        survey = ch.csat
        if survey is not None and c.u_csat < survey.response_rate_frac:
            wait = c.answer - c.arrival
            score = survey.base + survey.per_minute_waited * wait / 60.0
            score += survey.unresolved * (not resolved) + survey.escalated * (esc != 0)
            csat = min(5.0, max(1.0, score))
        row = self.log.add(
            c,
            answer_s=c.answer,
            end_s=now,
            waited_until_s=c.answer,
            outcome=_ANSWERED,
            resolved=resolved,
            escalation_type=esc,
            agent_id=agent_id,
            csat_score=csat,
        )
        return row, resolved, esc

    def _on_patience(self, event: _Callback) -> None:
        c: Contact = event.value
        if c.state != _WAITING or self.ended or c.answer == c.answer:  # answered: on hold
            return
        now = self.env.now
        c.state = _DONE
        ch = self.channels[c.ch]
        ch.waiting -= 1
        self._log_unanswered(c, now, now, _ABANDONED)
        redial = ch.redial
        if redial is not None and c.redial_u < redial.probability_frac:
            self._retry(ch, _REDIAL, c.id, c.redial_d * redial.delay_mean_s)

    def _log_unanswered(self, c: Contact, now: float, end_s: float, outcome: int) -> None:
        """Log a contact that stopped waiting at ``now`` without an answer."""
        self.log.add(c, end_s=end_s, waited_until_s=now, outcome=outcome)

    def _retry(self, ch: ChannelState, ctype: int, parent: int, delay: float) -> None:
        if self.env.now + delay < self.horizon_s:
            _Callback(self.env, delay, self._on_retry, (ch, ctype, parent))

    def _on_retry(self, event: _Callback) -> None:
        self._arrive(*event.value)

    # -- tier 2 and horizon end -------------------------------------------------------------

    def _tier2_dispatch(self, now: float) -> None:
        queue = self.t2_queue
        while queue and self.t2_busy < self.t2_capacity and not self.ended:
            row, escalated_s = queue.popleft()
            self.log.set_tier2(row, now - escalated_s)
            self.t2_busy += 1
            assert self.tier2 is not None, "without tier 2 its capacity stays 0"
            handle = self.t2_handle.next() * self.tier2.handle_mean_s
            _Callback(self.env, handle, self._on_tier2_done, None)

    def _on_tier2_done(self, event: _Callback) -> None:
        self.t2_busy -= 1
        self._tier2_dispatch(self.env.now)

    def _end(self, now: float) -> None:
        self.ended = True
        for ch in self.channels:
            for c in ch.queue:
                if c.state != _WAITING:
                    continue
                if c.answer == c.answer:  # handed back: finishes its work in the drain
                    self._record(c, ch, now + c.remaining, c.agent.id)
                else:
                    c.state = _DONE
                    self._log_unanswered(c, now, _NAN, _UNFINISHED)
            ch.queue.clear()
            ch.waiting = 0
        for agent in self.agents:
            if agent.present:
                agent.pool.leave_floor(agent, now)

    def run(self) -> ContactCentre:
        """Simulate the horizon and drain the contacts in service; return ``self``."""
        self.env.run()
        return self
