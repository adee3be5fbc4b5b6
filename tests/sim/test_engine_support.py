"""The compiled engine runs every field of the model's inputs and refuses, in one line naming
it, a field it does not mirror (``sim._compiled_support``)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from scenarios.errors import InputError
from sim._compiled_support import SUPPORTED
from sim.compiled import CompiledModel
from sim.specs import ChannelSpec, Dist, ModelInput, Retry, TeamSpec
from sim.streams import Streams

REFUSED: dict[type, frozenset[str]] = {}
"""Fields of the SimPy model's inputs the compiled engine refuses when set: none today."""


@pytest.mark.parametrize("cls", list(SUPPORTED), ids=lambda cls: cls.__name__)
def test_every_input_field_is_run_or_refused_by_name(cls):
    fields = {field.name for field in dataclasses.fields(cls)}
    assert fields - SUPPORTED[cls] == REFUSED.get(cls, frozenset())
    assert SUPPORTED[cls] <= fields  # no stale name


# Inputs of a feature the kernels do not mirror: the model's input classes with one field more.


@dataclasses.dataclass(frozen=True)
class _CallbackChannel(ChannelSpec):
    callback_frac: float = 0.0


@dataclasses.dataclass(frozen=True)
class _BreakTeam(TeamSpec):
    break_rule: str | None = None


@dataclasses.dataclass(frozen=True)
class _TruncatedDist(Dist):
    max_s: float | None = None


def _input(channel_cls=ChannelSpec, team_cls=TeamSpec, delay=None, **extra) -> ModelInput:
    """One phone channel whose abandoned calls redial (the redial delay shaped by ``delay``),
    one team; ``extra`` sets the added field of ``channel_cls`` or ``team_cls``."""
    n = 4
    channel_extra = {k: v for k, v in extra.items() if k == "callback_frac"}
    team_extra = {k: v for k, v in extra.items() if k == "break_rule"}
    phone = channel_cls(
        name="phone",
        realtime=True,
        is_open=np.ones(n, bool),
        aht_s=np.full(n, 300.0),
        patience_mean_s=np.full(n, 120.0),
        redial=Retry(0.5, 600.0, delay or Dist()),
        **channel_extra,
    )
    team = team_cls("t", ("phone",), np.full(n, 2.0), **team_extra)
    arrivals = {"phone": np.linspace(0.0, 3000.0, 40)}
    return ModelInput(900.0, n, (phone,), (team,), arrivals)


REFUSALS = {
    "channel": (
        {"channel_cls": _CallbackChannel, "callback_frac": 0.2},
        "input.channels[0].callback_frac",
    ),
    "team": ({"team_cls": _BreakTeam, "break_rule": "lunch"}, "input.teams[0].break_rule"),
    "nested": ({"delay": _TruncatedDist("exponential", 1.0, 900.0)},
               "input.channels[0].redial.delay.max_s"),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSALS)
def test_a_set_field_the_engine_does_not_mirror_is_refused_in_one_line(case):
    kwargs, path = REFUSALS[case]
    with pytest.raises(InputError) as error:
        CompiledModel(_input(**kwargs), Streams(0, 0))
    message = str(error.value)
    assert message == (
        f"the numba engine does not run {path}, a feature of the SimPy model only; "
        "run with --engine simpy"
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"channel_cls": _CallbackChannel},
        {"team_cls": _BreakTeam},
        {"delay": _TruncatedDist("exponential", 1.0)},
    ],
    ids=["channel", "team", "nested"],
)
def test_such_a_field_left_at_its_default_runs_with_the_same_logs(kwargs, same_logs):
    run = same_logs(_input(**kwargs))
    assert (run.contacts["contact_type"] == "redial").any()
