"""What the compiled engine runs: every field of the model's inputs it reads, and the refusal of
any other.

The compiled engine mirrors the SimPy model of :mod:`sim.model` field by field of its input
(:class:`~sim.specs.ModelInput` and the dataclasses it holds). :data:`SUPPORTED` lists, per
input class, the fields the engine reads; :func:`check_supported` walks an input and refuses, in
one line naming the field, any other field holding a value other than its default. A feature
added to the SimPy model as a new input field is thus refused by the compiled engine until the
kernels mirror it (and the field joins :data:`SUPPORTED`): never approximated silently.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from scenarios.errors import InputError
from sim.agents import Learning
from sim.specs import ChannelSpec, CsatSpec, Dist, ModelInput, Retry, TeamSpec, Tier2Spec

__all__ = ["SUPPORTED", "check_supported"]

SUPPORTED: dict[type, frozenset[str]] = {
    ModelInput: frozenset(
        ("interval_s", "n_intervals", "channels", "teams", "arrivals", "tier2", "outages",
         "outage_queue")
    ),
    ChannelSpec: frozenset(
        ("name", "realtime", "is_open", "aht_s", "handle", "patience_mean_s", "patience",
         "fcr_frac", "escalation_frac", "escalation_type", "max_chats", "speed_by_chats",
         "repeat", "redial", "csat")
    ),
    TeamSpec: frozenset(
        ("name", "channels", "scheduled", "shrinkage_frac", "headcount", "hire_join_s",
         "max_headcount", "attrition_per_month_frac", "learning", "end_of_duty",
         "present_frac", "round_u", "dropout_s", "release_s")
    ),
    Tier2Spec: frozenset(("agents", "is_open", "handle_mean_s", "handle", "agents_by_interval")),
    Retry: frozenset(("probability_frac", "delay_mean_s", "delay", "channel")),
    CsatSpec: frozenset(
        ("base", "per_minute_waited", "unresolved", "escalated", "response_rate_frac")
    ),
    Dist: frozenset(("kind", "cv")),
    Learning: frozenset(("aht_multiplier", "fcr_penalty_frac", "weeks_to_proficiency")),
}  # fmt: skip
"""Per input class, the fields the compiled engine reads (all of today's fields)."""


def _is_default(value: Any, field: dataclasses.Field) -> bool:
    default = field.default
    if default is dataclasses.MISSING:
        return False
    if value is default:
        return True
    return bool(np.isscalar(value) and np.isscalar(default) and value == default)


def _unsupported(value: Any, path: str) -> str | None:
    """The path of the first field of ``value`` (or of an input it holds) the engine does not
    read and that is set, else ``None``."""
    if isinstance(value, (tuple, list)):
        for j, item in enumerate(value):
            found = _unsupported(item, f"{path}[{j}]")
            if found is not None:
                return found
        return None
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return None
    known = next((names for cls, names in SUPPORTED.items() if isinstance(value, cls)), None)
    if known is None:
        return f"{path} ({type(value).__name__})"
    for field in dataclasses.fields(value):
        item = getattr(value, field.name)
        if field.name not in known:
            if not _is_default(item, field):
                return f"{path}.{field.name}"
            continue
        found = _unsupported(item, f"{path}.{field.name}")
        if found is not None:
            return found
    return None


def check_supported(inp: ModelInput) -> None:
    """Refuse an input holding a feature the compiled engine does not run.

    Raises
    ------
    InputError
        One line naming the field (as ``input.channels[0].name``), when a field outside
        :data:`SUPPORTED` is set to a value other than its default, or an input holds a
        dataclass the engine does not know.
    """
    found = _unsupported(inp, "input")
    if found is not None:
        raise InputError(
            f"the numba engine does not run {found}, a feature of the SimPy model only; "
            "run with --engine simpy"
        )
