"""What a scenario is: the validated model, the loader and the demand expansion."""

from scenarios.errors import CcplanError, InputError, Problem, ScenarioError

__all__ = ["CcplanError", "InputError", "Problem", "ScenarioError"]
