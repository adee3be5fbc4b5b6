"""What a scenario is: the validated model, the loader and the demand expansion.

>>> import scenarios
>>> scenario = scenarios.load("scenarios/examples/mmn.yaml")  # doctest: +SKIP
>>> workload = scenarios.expand(scenario)  # doctest: +SKIP

The names below are imported from their modules on first use (PEP 562), so that importing a
light module of the package (``scenarios.errors``, say) does not load the schema, NumPy and
pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scenarios.demand import Workload, expand
    from scenarios.errors import CcplanError, InputError, Problem, ScenarioError
    from scenarios.loader import load, load_many
    from scenarios.scenario import Scenario

_MODULE_OF = {
    "CcplanError": "scenarios.errors",
    "InputError": "scenarios.errors",
    "Problem": "scenarios.errors",
    "Scenario": "scenarios.scenario",
    "ScenarioError": "scenarios.errors",
    "Workload": "scenarios.demand",
    "expand": "scenarios.demand",
    "load": "scenarios.loader",
    "load_many": "scenarios.loader",
}

__all__ = [
    "CcplanError",
    "InputError",
    "Problem",
    "Scenario",
    "ScenarioError",
    "Workload",
    "expand",
    "load",
    "load_many",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'scenarios' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
