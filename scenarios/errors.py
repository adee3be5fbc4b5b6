"""The project's exceptions.

Every error a user can cause derives from :class:`CcplanError`; the CLI turns each one into
readable lines and exit code 2, never a traceback. Scenario problems carry where they are
(file, line, column, dotted field path), the rule that was broken and the value that broke it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["CcplanError", "InputError", "Problem", "ScenarioError"]

_VALUE_REPR_MAX_CHARS = 80
_WHERE_MAX_CHARS = 300
_MESSAGE_MAX_CHARS = 300
_PATH_MAX_CHARS = 120


class CcplanError(Exception):
    """Base class of every error ccplan raises on purpose for a user mistake."""


class InputError(CcplanError, ValueError):
    """A bad argument to a public function or a CLI option (negative rate, target above 1, ...)."""


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short_repr(value: Any) -> str:
    return _shortened(repr(value), _VALUE_REPR_MAX_CHARS)


_NO_VALUE = object()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario.

    Attributes
    ----------
    message:
        What is wrong and the rule, e.g. ``"must be at most 1 (100%)"``.
    path:
        Dotted field path, e.g. ``"channels.phone.handle_time.mean"``; empty for the document.
    file, line, column:
        Where in which file (1-based line and column), when known.
    value:
        The offending value, or the sentinel ``Problem.NO_VALUE`` when there is none.
    """

    message: str
    path: str = ""
    file: str | None = None
    line: int | None = None
    column: int | None = None
    value: Any = _NO_VALUE

    NO_VALUE = _NO_VALUE

    def __str__(self) -> str:
        where = _shortened(self.file or "<scenario>", _WHERE_MAX_CHARS)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: "
        if self.path:
            text += f"{_shortened(self.path, _PATH_MAX_CHARS)}: "
        text += _shortened(self.message, _MESSAGE_MAX_CHARS)
        if self.value is not _NO_VALUE:
            text += f" (got {_short_repr(self.value)})"
        return text


class ScenarioError(CcplanError):
    """A scenario file (or an override) is invalid; holds every problem found, not only the first.

    ``str(error)`` gives one line per problem in the form
    ``FILE:LINE:COL: dotted.field.path: what is wrong (got VALUE)``.
    """

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("ScenarioError needs at least one problem")
        super().__init__("\n".join(str(p) for p in self.problems))
