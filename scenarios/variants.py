"""``--vary path=v1,v2,...`` options: a grid of scenario variants for a sweep.

Each ``--vary`` names one field by its dotted path (as ``--set`` does, :mod:`scenarios.overrides`)
and lists values separated by commas; a value is YAML, so commas inside brackets, braces or
quotes belong to the value (``--vary 'channels.phone.volume={per_week: 9000},{per_week: 10800}'``).
Several ``--vary`` options give every combination, the first option varying slowest:

>>> [v.label for v in variant_grid(["run.seed=1,2", "horizon.days=7,14"])][:3]
['run.seed=1, horizon.days=7', 'run.seed=1, horizon.days=14', 'run.seed=2, horizon.days=7']

:func:`load_variants` loads the scenario once per variant with the ``--set`` overrides followed
by the variant's own, so every value is checked exactly as a ``--set`` would be, and reports
the problems of all variants at once (located at the ``--vary`` option).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Sequence
from dataclasses import dataclass

from scenarios.errors import InputError, Problem, ScenarioError
from scenarios.loader import load
from scenarios.scenario import Scenario

__all__ = ["MAX_VARIANTS", "Variant", "load_variants", "parse_vary", "variant_grid"]

MAX_VARIANTS = 1000
"""Largest grid a sweep accepts."""
_OPENING, _CLOSING, _QUOTES = "[{(", "]})", "'\""


@dataclass(frozen=True)
class Variant:
    """One point of the grid.

    Attributes
    ----------
    settings:
        ``(path, value text)`` for every varied field, in ``--vary`` order.
    """

    settings: tuple[tuple[str, str], ...]

    @property
    def label(self) -> str:
        """``path=value, path=value``: names the variant in tables and plots."""
        return ", ".join(f"{path}={value}" for path, value in self.settings)

    @property
    def overrides(self) -> tuple[str, ...]:
        """The settings as ``--set`` overrides (``path=value``)."""
        return tuple(f"{path}={value}" for path, value in self.settings)


def _split_values(text: str, option: str) -> list[str]:
    """Split on commas outside brackets, braces and quotes."""
    values: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in _QUOTES:
            quote = char
        elif char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth -= 1
            if depth < 0:
                raise InputError(f"{option}: unbalanced {char!r}")
        elif char == "," and depth == 0:
            values.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    if depth or quote:
        raise InputError(f"{option}: unclosed bracket or quote")
    values.append("".join(current).strip())
    return values


def parse_vary(text: str) -> tuple[str, tuple[str, ...]]:
    """Parse one ``path=v1,v2,...`` into the path and its values (as text).

    Raises
    ------
    InputError
        Without ``=``, with an empty path or value, or with a value given twice.
    """
    option = f"--vary {text}"
    path, equals, values_text = text.partition("=")
    path = path.strip()
    if not equals or not path:
        raise InputError(f"{option}: must be written path=v1,v2,... e.g. horizon.days=7,14")
    values = _split_values(values_text, option)
    if any(not value for value in values):
        raise InputError(f"{option}: every value must be non-empty (got {values_text!r})")
    repeated = sorted({value for value in values if values.count(value) > 1})
    if repeated:
        raise InputError(f"{option}: value given twice: {', '.join(repeated)}")
    return path, tuple(values)


def variant_grid(varies: Sequence[str]) -> tuple[Variant, ...]:
    """Every combination of the ``--vary`` options' values (first option slowest).

    Raises
    ------
    InputError
        For a bad option (:func:`parse_vary`), a path varied twice, no option, or more than
        :data:`MAX_VARIANTS` variants.
    """
    if not varies:
        raise InputError("sweep needs at least one --vary path=v1,v2,...")
    parsed = [parse_vary(text) for text in varies]
    paths = [path for path, _ in parsed]
    twice = sorted({path for path in paths if paths.count(path) > 1})
    if twice:
        raise InputError(f"--vary: {', '.join(twice)} is varied twice; give its values once")
    size = 1
    for _, values in parsed:
        size *= len(values)
    if size > MAX_VARIANTS:
        raise InputError(f"--vary: {size} variants; a sweep runs at most {MAX_VARIANTS}")
    return tuple(
        Variant(tuple(zip(paths, combination, strict=True)))
        for combination in itertools.product(*(values for _, values in parsed))
    )


def _at_vary_option(problem: Problem, variant: Variant) -> Problem:
    """Report a problem of a variant's own setting at the ``--vary`` option it came from."""
    for override in variant.overrides:
        if problem.file == f"--set {override}":
            return dataclasses.replace(problem, file=f"--vary {override}")
    return problem


def load_variants(
    path: str | os.PathLike[str], grid: Sequence[Variant], overrides: Sequence[str] = ()
) -> tuple[Scenario, ...]:
    """Load the scenario of every variant (``overrides`` first, then the variant's settings).

    Raises
    ------
    ScenarioError
        With the problems of every variant that does not load, each listed once.
    """
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    for variant in grid:
        try:
            scenarios.append(load(path, (*overrides, *variant.overrides)))
        except ScenarioError as error:
            for problem in error.problems:
                located = _at_vary_option(problem, variant)
                if located not in problems:
                    problems.append(located)
    if problems:
        raise ScenarioError(problems)
    return tuple(scenarios)
