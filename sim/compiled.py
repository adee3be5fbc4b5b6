"""The compiled engine: the SimPy model of :mod:`sim.model` run by Numba kernels.

:class:`CompiledModel` takes the same :class:`~sim.specs.ModelInput` and
:class:`~sim.streams.Streams` as :class:`sim.model.ContactCentre` and, after
:meth:`CompiledModel.run`, offers the same results: ``log`` (a :class:`ContactTable`, whose
``frame`` is the contact table of :data:`scenarios.log_tables.CONTACT_COLUMNS` as
``sim.log.ContactLog.frame`` builds it), ``pools`` (name, spec and the agent time of each team)
and ``outage_rows``; ``sim.runner.simulate(..., engine="numba")`` builds the log tables from
them as for the SimPy model.

It draws the same numbers from the same streams (:mod:`sim._compiled_input`) and processes the
same events in the same order (:mod:`sim._compiled_kernels`), so given the same input and seed
its logs are identical to the SimPy model's, every feature included: shifts, shrinkage and
random absence, the end of duty (overtime or handing contacts back), hires, learning curves,
attrition, blended pools, chat concurrency, backlogs and business hours, repeats, redials,
tier 2 (constant or per interval) and outages. An input field it does not mirror is refused
(:mod:`sim._compiled_support`). The differential tests in ``tests/sim`` hold the
two to that. The SimPy model stays the reference: a change to the model's behaviour is made
there first and mirrored in the kernels.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scenarios.log_tables import (
    CONTACT_COLUMNS,
    CONTACT_TYPES,
    ESCALATION_TYPES,
    OUTCOMES,
    check_columns,
)
from sim import _compiled_layout as k
from sim._compiled_input import grown, model_arrays
from sim._compiled_kernels import run
from sim._compiled_support import check_supported
from sim.agents import TeamSpec
from sim.specs import ModelInput
from sim.streams import Streams

__all__ = ["CompiledModel", "ContactTable", "PoolUsage"]


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
    overtime:
        Agent-seconds after the end of duty finishing a contact of each of the team's channels
        per interval, shape ``(len(spec.channels), n)``.
    """

    name: str
    spec: TeamSpec
    staffed: np.ndarray
    busy: np.ndarray
    overtime: np.ndarray


class CompiledModel:
    """One replication of ``inp`` on ``streams``, compiled; call :meth:`run`.

    Raises
    ------
    InputError
        For an input the engine cannot run: no interval or no channel, or a feature of the
        SimPy model the kernels do not mirror (:mod:`sim._compiled_support`).
    """

    def __init__(self, inp: ModelInput, streams: Streams):
        check_supported(inp)
        self.inp = inp
        self.horizon_s = float(inp.interval_s) * int(inp.n_intervals)
        self._arrays, self._supply = model_arrays(inp, streams)
        self.log: ContactTable | None = None
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
        count, ib = int(m.ib[k.X_NEXT_CONTACT]), m.ib
        self.log = ContactTable(
            ib[ib[k.O_CI] :][: count * k.N_CI].reshape(count, k.N_CI),
            m.fb[ib[k.O_CF] :][: count * k.N_CF].reshape(count, k.N_CF),
        )
        n, ib = int(self.inp.n_intervals), m.ib
        staffed = m.fb[ib[k.O_STAFFED] :][: len(self.inp.teams) * n].reshape(-1, n)
        busy = m.fb[ib[k.O_BUSY] :][: len(self.inp.channels) * n].reshape(-1, n)
        overtime = m.fb[ib[k.O_OVERTIME] :][: len(self.inp.channels) * n].reshape(-1, n)
        index = {spec.name: c for c, spec in enumerate(self.inp.channels)}
        self.pools = []
        for p, team in enumerate(self.inp.teams):
            rows = [index[c] for c in team.channels]
            self.pools.append(
                PoolUsage(team.name, team, staffed[p].copy(), busy[rows], overtime[rows])
            )
        return self


class ContactTable:
    """The contacts of a compiled run, one row per contact in arrival (``contact_id``) order:
    what :class:`sim.log.ContactLog` holds for the SimPy model, and its :meth:`frame`.

    The kernel records each contact's times, codes and business-hours wait in its row of the
    contact tables, so the frame is built from whole columns; ``len`` counts the contacts.
    """

    def __init__(self, ci: np.ndarray, cf: np.ndarray):
        self._ci, self._cf = ci, cf

    def __len__(self) -> int:
        return len(self._ci)

    def frame(self, replication: int, channel_names: Sequence[str]) -> pd.DataFrame:
        """The contact table of :data:`scenarios.log_tables.CONTACT_COLUMNS`."""
        ci, cf = np.ascontiguousarray(self._ci.T), np.ascontiguousarray(self._cf.T)  # by field

        def codes(column: int, categories: Sequence[str]) -> pd.Categorical:
            dtype = _categories(tuple(categories))
            return pd.Categorical.from_codes(ci[column].astype(np.int8), dtype=dtype)

        columns = {
            "replication": np.full(ci.shape[1], replication, dtype=np.int32),
            "contact_id": np.arange(ci.shape[1], dtype=np.int64),
            "channel": codes(k.K_CH, channel_names),
            "contact_type": codes(k.K_TYPE, CONTACT_TYPES),
            "parent_id": ci[k.K_PARENT],
            "arrival_s": cf[k.K_ARRIVAL],
            "answer_s": cf[k.K_ANSWER],
            "end_s": cf[k.K_END],
            "wait_s": cf[k.K_WAITED] - cf[k.K_ARRIVAL],
            "business_wait_s": cf[k.K_BUSINESS_WAIT],
            "handle_s": cf[k.K_END] - cf[k.K_ANSWER],
            "outcome": codes(k.K_OUTCOME, OUTCOMES),
            "resolved_first_contact": ci[k.K_RESOLVED] != 0,
            "escalated": ci[k.K_ESC] != 0,
            "escalation_type": codes(k.K_ESC, ESCALATION_TYPES),
            "tier2_response_s": cf[k.K_T2_RESPONSE],
            "agent_id": ci[k.K_AGENT].astype(np.int32),
            "csat_score": cf[k.K_CSAT],
        }
        frame = pd.DataFrame(columns, copy=False)
        check_columns(frame, CONTACT_COLUMNS)
        return frame


@functools.cache
def _categories(categories: tuple[str, ...]) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(list(categories))
