"""Run-time state of the model's contacts and channels.

:class:`Contact` is one customer contact in the system; :class:`Fates` draws, when a contact
arrives, every random number its future may need (handle time, patience, outcome decisions,
repeat and redial delays), from streams keyed by the channel name (``name/retry`` for repeats and
redials), so the k-th customer of a channel gets the same numbers in every what-if;
:class:`ChannelState` holds a channel's queue, outage state and per-interval parameters as
Python lists for fast indexing.
"""

from __future__ import annotations

import math
from collections import deque
from itertools import repeat
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from scenarios.errors import InputError
from sim.agents import Pool
from sim.log import ESCALATION_CODE
from sim.specs import ChannelSpec
from sim.streams import Draws, Streams

if TYPE_CHECKING:
    from sim.agents import Agent
    from sim.specs import Retry

__all__ = ["ChannelState", "Contact", "Fates"]


class _Timer(Protocol):
    """A planned callback on the calendar (:class:`sim.model._Callback`): emptying its
    ``callbacks`` cancels it."""

    callbacks: list[Any]


class Contact:
    """A contact in the system: identity, times, state (waiting, serving, done), its agent,
    and the random numbers drawn for it by :class:`Fates` (``handle_u`` unit handle time,
    ``patience`` unit patience, ``u_*`` uniforms of the outcome decisions, ``*_d`` unit
    delays); ``work`` is a chat's remaining work in seconds at speed 1; ``remaining`` the work
    left of a contact handed back at an end of duty (NaN otherwise), ``done_at`` and ``timer``
    the planned end of a single contact's service and its callback."""

    __slots__ = (
        "agent",
        "answer",
        "arrival",
        "ch",
        "ctype",
        "done_at",
        "fcr_penalty",
        "handle_u",
        "id",
        "parent",
        "patience",
        "redial_d",
        "redial_u",
        "remaining",
        "repeat_d",
        "repeat_u",
        "state",
        "timer",
        "u_csat",
        "u_esc",
        "u_fcr",
        "work",
    )

    # the slots' types (annotations only: no class attributes, the slots stay)
    agent: Agent
    answer: float
    arrival: float
    ch: int
    ctype: int
    done_at: float
    fcr_penalty: float
    handle_u: float
    id: int
    parent: int
    patience: float
    redial_d: float
    redial_u: float
    remaining: float
    repeat_d: float
    repeat_u: float
    state: int
    timer: _Timer
    u_csat: float
    u_esc: float
    u_fcr: float
    work: float


class Fates:
    """The per-contact draws of one channel for first contacts or for retries.

    Each stream gives exactly one number to every contact, so the streams advance in step:
    :meth:`fill` hands out the rows of a table built one chunk at a time, a column per stream
    (a constant for a decision the channel does not have).
    """

    def __init__(self, spec: ChannelSpec, streams: Streams, name: str):
        def maybe(
            purpose: str, wanted: bool, kind: str = "uniform", cv: float = 1.0
        ) -> Draws | None:
            return streams.draws(purpose, name, kind, cv) if wanted else None

        has_patience = spec.patience_mean_s is not None
        rep, red = spec.repeat, spec.redial
        self.handle = streams.draws("handle", name, spec.handle.kind, spec.handle.cv)
        # (stream or None, value when None) in the order of the fields set by ``fill``
        self._optional = (
            (maybe("patience", has_patience, spec.patience.kind, spec.patience.cv), math.inf),
            (maybe("fcr", spec.fcr_frac is not None), 0.0),
            (maybe("escalation", spec.escalation_frac is not None), 1.0),
            (maybe("csat", spec.csat is not None), 1.0),
            (maybe("repeat", rep is not None), 1.0),
            (maybe("repeat_delay", rep is not None, *_shape(rep)), 0.0),
            (maybe("redial", red is not None), 1.0),
            (maybe("redial_delay", red is not None, *_shape(red)), 0.0),
        )
        self._rows: list[tuple[float, ...]] = []
        self._pos = 0

    def fill(self, c: Contact) -> None:
        """Give ``c`` the next number of every stream."""
        if self._pos == len(self._rows):
            self._refill()
        (
            c.handle_u,
            c.patience,
            c.u_fcr,
            c.u_esc,
            c.u_csat,
            c.repeat_u,
            c.repeat_d,
            c.redial_u,
            c.redial_d,
        ) = self._rows[self._pos]
        self._pos += 1

    def _refill(self) -> None:
        handle = self.handle.chunk()
        columns = [
            draws.chunk() if draws is not None else repeat(value, len(handle))
            for draws, value in self._optional
        ]
        self._rows = list(zip(handle, *columns, strict=True))
        self._pos = 0


def _shape(retry: Retry | None) -> tuple[str, float]:
    return (retry.delay.kind, retry.delay.cv) if retry is not None else ("uniform", 1.0)


class ChannelState:
    """Run-time state of a channel: its FIFO queue (with lazily deleted abandoned contacts;
    ``waiting`` counts the live ones), ``down`` (number of outages in progress) and its
    per-interval parameters as lists."""

    def __init__(self, spec: ChannelSpec, index: int, n: int, streams: Streams):
        self.spec = spec
        self.index = index
        self.realtime = spec.realtime
        self.is_open = np.asarray(spec.is_open, dtype=bool).tolist()
        self.aht_s = np.asarray(spec.aht_s, dtype=np.float64).tolist()
        self.fcr = _per_interval(spec.fcr_frac, n, 1.0)
        self.esc = _per_interval(spec.escalation_frac, n, 0.0)
        patience = _per_interval(spec.patience_mean_s, n, math.nan)
        self.patience_s = [math.inf if math.isnan(p) else p for p in patience]
        self.esc_code = ESCALATION_CODE[spec.escalation_type]
        self.csat = spec.csat
        self.repeat = spec.repeat
        self.redial = spec.redial
        self.max_chats = spec.max_chats
        self.speeds = spec.speed_by_chats
        self.first = Fates(spec, streams, spec.name)
        self.retry = Fates(spec, streams, spec.name + "/retry")
        self.queue: deque[Contact] = deque()
        self.waiting = 0
        self.down = 0
        self.pool: Pool
        self.repeat_to = index
        if len(self.is_open) != n or len(self.aht_s) != n:
            raise InputError(f"channel {spec.name}: per-interval arrays need length {n}")


def _per_interval(values: np.ndarray | None, n: int, default: float) -> list[float]:
    if values is None:
        return [default] * n
    values = np.asarray(values, dtype=np.float64)
    if values.shape != (n,):
        raise InputError(f"per-interval array of shape {values.shape}, expected ({n},)")
    return values.tolist()
