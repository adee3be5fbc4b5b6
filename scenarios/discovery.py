"""Scenario files named on a command line: files, folders and glob patterns.

:func:`find_scenario_files` turns each argument into files:

* an existing file: itself (whatever its suffix);
* an existing folder: its ``*.yaml`` and ``*.yml`` files, not those of sub-folders;
* otherwise a glob pattern (``*``, ``?``, ``[...]``; ``**`` crosses folders): the matching
  ``*.yaml`` and ``*.yml`` files.

The result is sorted by path and each file appears once, however many arguments name it.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path

from scenarios.errors import InputError

__all__ = ["SCENARIO_SUFFIXES", "find_scenario_files"]

SCENARIO_SUFFIXES = (".yaml", ".yml")
_GLOB_CHARACTERS = "*?["


def _is_scenario(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in SCENARIO_SUFFIXES


def _matches(argument: str) -> list[Path]:
    path = Path(argument)
    if path.is_file():
        return [path]
    if path.is_dir():
        return [child for child in path.iterdir() if _is_scenario(child)]
    if any(char in argument for char in _GLOB_CHARACTERS):
        return [
            Path(found)
            for found in glob.glob(argument, recursive=True)
            if _is_scenario(Path(found))
        ]
    raise InputError(f"{argument}: no such file or folder")


def find_scenario_files(arguments: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The scenario files that ``arguments`` name (rules in the module docstring).

    Raises
    ------
    InputError
        For an argument that names no scenario file (a missing path, an empty folder, a
        pattern without matches), naming it.
    """
    found: dict[Path, Path] = {}
    for argument in arguments:
        matches = _matches(os.fspath(argument))
        if not matches:
            raise InputError(f"{os.fspath(argument)}: no scenario files (*.yaml, *.yml) found")
        for path in matches:
            found.setdefault(path.resolve(), path)
    return sorted(found.values(), key=lambda path: str(path))
