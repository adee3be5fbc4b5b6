"""The compiled engine: the SimPy model of :mod:`sim.model` run by Numba kernels.

:class:`CompiledModel` takes the same :class:`~sim.specs.ModelInput` and
:class:`~sim.streams.Streams` as :class:`sim.model.Model` and, after :meth:`CompiledModel.run`,
offers the same results: ``log`` (a :class:`sim.log.ContactLog`), ``pools`` (name, spec and the
agent time of each team) and ``outage_rows``; ``sim.runner.simulate(..., engine="numba")``
builds the log tables from them exactly as for the SimPy model.

It draws the same numbers from the same streams (:mod:`sim._compiled_input`) and processes the
same events in the same order (:mod:`sim._compiled_kernels`), so given the same input and seed
its logs are identical to the SimPy model's, every feature included: shifts, shrinkage,
hires, learning curves, attrition, blended pools, chat concurrency, backlogs and business
hours, repeats, redials, tier 2 and outages. The differential tests in ``tests/sim`` hold the
two to that. The SimPy model stays the reference: a change to the model's behaviour is made
there first and mirrored in the kernels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import _compiled_layout as k
from sim._compiled_input import grown, model_arrays
from sim._compiled_kernels import run
from sim.agents import TeamSpec
from sim.log import ContactLog
from sim.specs import ModelInput
from sim.streams import Streams

__all__ = ["CompiledModel", "PoolUsage"]


@dataclass(frozen=True)
class PoolUsage:
    """Agent time of one team, as :class:`sim.agents.Pool` reports it.

    Attributes
    ----------
    staffed:
        Agent-seconds on duty per interval, shape ``(n,)``.
    busy:
        Agent-seconds with a contact of each of the team's channels (in priority order) per
        interval, shape ``(len(spec.channels), n)``.
    """

    name: str
    spec: TeamSpec
    staffed: np.ndarray
    busy: np.ndarray


class CompiledModel:
    """One replication of ``inp`` on ``streams``, compiled; call :meth:`run`.

    Raises
    ------
    InputError
        For an input the engine cannot run (no interval or no channel).
    """

    def __init__(self, inp: ModelInput, streams: Streams):
        self.inp = inp
        self.horizon_s = float(inp.interval_s) * int(inp.n_intervals)
        self._arrays, self._supply = model_arrays(inp, streams)
        self.log: ContactLog | None = None
        self.pools: list[PoolUsage] = []
        self.outage_rows = [
            (c, s, min(e, self.horizon_s)) for c, s, e in inp.outages if s < self.horizon_s
        ]

    def run(self) -> CompiledModel:
        """Simulate the horizon and drain the contacts in service; return ``self``."""
        m = self._arrays
        while (status := run(m)) != k.FINISHED:
            m = grown(m, status, self._supply)
        self._arrays = m
        self.log = self._contact_log(m)
        n, ib = int(self.inp.n_intervals), m.ib
        staffed = m.fb[ib[k.O_STAFFED] :][: len(self.inp.teams) * n].reshape(-1, n)
        busy = m.fb[ib[k.O_BUSY] :][: len(self.inp.channels) * n].reshape(-1, n)
        index = {spec.name: c for c, spec in enumerate(self.inp.channels)}
        self.pools = [
            PoolUsage(team.name, team, staffed[p].copy(), busy[[index[c] for c in team.channels]])
            for p, team in enumerate(self.inp.teams)
        ]
        return self

    def _contact_log(self, m: k.Arrays) -> ContactLog:
        """The contacts in a :class:`ContactLog`, one row per contact in arrival order."""
        log = ContactLog(self.inp.interval_s, [spec.is_open for spec in self.inp.channels])
        count = int(m.ib[k.X_NEXT_CONTACT])
        ci, cf = m.ci[:count], m.cf[:count]
        columns = {
            "contact_id": ("q", np.arange(count, dtype=np.int64)),
            "channel": ("h", ci[:, k.K_CH]),
            "contact_type": ("b", ci[:, k.K_TYPE]),
            "parent_id": ("q", ci[:, k.K_PARENT]),
            "arrival_s": ("d", cf[:, k.K_ARRIVAL]),
            "answer_s": ("d", cf[:, k.K_ANSWER]),
            "end_s": ("d", cf[:, k.K_END]),
            "waited_until_s": ("d", cf[:, k.K_WAITED]),
            "outcome": ("b", ci[:, k.K_OUTCOME]),
            "resolved": ("b", ci[:, k.K_RESOLVED]),
            "escalation_type": ("b", ci[:, k.K_ESC]),
            "agent_id": ("i", ci[:, k.K_AGENT]),
            "csat_score": ("d", cf[:, k.K_CSAT]),
        }
        for name, (code, values) in columns.items():
            setattr(log, name, np.ascontiguousarray(values, dtype=code).view(_Column))
        response = cf[:, k.K_T2_RESPONSE]
        rows = np.flatnonzero(~np.isnan(response))
        log.tier2_response_s = dict(zip(rows.tolist(), response[rows].tolist(), strict=True))
        return log


class _Column(np.ndarray):
    """A column of the contact log as NumPy holds it, read by :meth:`ContactLog.frame` like the
    ``array.array`` columns the SimPy model appends to (through the buffer protocol, and its
    ``typecode`` to release it), without copying it into one."""

    @property
    def typecode(self) -> str:
        return self.dtype.char
