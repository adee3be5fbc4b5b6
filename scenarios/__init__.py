"""What a scenario is: the validated model, the loader and the demand expansion.

>>> import scenarios
>>> scenario = scenarios.load("scenarios/examples/mmn.yaml")  # doctest: +SKIP
>>> workload = scenarios.expand(scenario)  # doctest: +SKIP
"""

from scenarios.demand import Workload, expand
from scenarios.errors import CcplanError, InputError, Problem, ScenarioError
from scenarios.loader import load, load_many
from scenarios.scenario import Scenario

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
