"""Load scenario files: read, resolve ``extends``, apply ``--set`` overrides, validate.

:func:`load` returns a frozen, validated :class:`~scenarios.scenario.Scenario` or raises one
:class:`~scenarios.errors.ScenarioError` listing every problem found, each as
``FILE:LINE:COL: dotted.field.path: what is wrong (got VALUE)``, pointing at the file and line
where the offending value was written (a base file when the value came from the base, the
``--set`` option when it came from an override).

``extends: other.yaml`` (relative to the extending file) starts from the other file and merges
this one over it with JSON Merge Patch semantics (RFC 7386): mappings merge key by key, this
file wins, lists and other values are replaced whole, and ``key: null`` removes the key. A base
may extend another; a cycle, or a chain longer than :data:`MAX_EXTENDS_CHAIN`, is an error.
Relative file references (the ``file`` fields of volumes and rosters) resolve against the
directory of the file that wrote them, so a variant in another folder can extend a base that
names its CSV files relative to itself; a ``--set`` file reference resolves against the
directory of the file being loaded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar, overload

from pydantic import BaseModel, ValidationError

from scenarios._validation_errors import locate, problems_from_validation_error
from scenarios._yaml_source import Map, Node, Scalar, Seq, read_file, to_plain
from scenarios.data_checks import data_problems
from scenarios.errors import InputError, Problem, ScenarioError
from scenarios.overrides import apply_overrides
from scenarios.scenario import Scenario

__all__ = [
    "MAX_EXTENDS_CHAIN",
    "ScenarioSource",
    "load",
    "load_many",
    "load_model",
    "resolve",
    "resolve_many",
]

MAX_EXTENDS_CHAIN = 8
"""Most files one scenario may be built from through ``extends``."""

_M = TypeVar("_M", bound=BaseModel)
_EXTENDS = "extends"
_FILE_REFERENCE = "file"


@overload
def _anchor_file_references(node: Node, directory: str) -> Node: ...
@overload
def _anchor_file_references(node: None, directory: str) -> None: ...
def _anchor_file_references(node: Node | None, directory: str) -> Node | None:
    """``node`` with every relative ``file:`` reference made absolute against ``directory``."""
    if isinstance(node, Seq):
        return Seq(
            tuple(_anchor_file_references(item, directory) for item in node.items), node.mark
        )
    if not isinstance(node, Map):
        return node
    entries = {}
    for key, (key_mark, value) in node.entries.items():
        if (
            key == _FILE_REFERENCE
            and isinstance(value, Scalar)
            and isinstance(value.value, str)
            and value.value
            and not os.path.isabs(value.value)
        ):
            value = Scalar(os.path.normpath(os.path.join(directory, value.value)), value.mark)
        else:
            value = _anchor_file_references(value, directory)
        entries[key] = (key_mark, value)
    return Map(entries, node.mark)


def _merge_patch(target: Node | None, patch: Node) -> Node:
    """RFC 7386 merge of ``patch`` over ``target``; nodes keep the marks of where they came from."""
    if not isinstance(patch, Map):
        return patch
    entries = dict(target.entries) if isinstance(target, Map) else {}
    for key, (key_mark, value) in patch.entries.items():
        if isinstance(value, Scalar) and value.value is None:
            entries.pop(key, None)
        else:
            current = entries.get(key)
            entries[key] = (key_mark, _merge_patch(current[1] if current else None, value))
    return Map(entries, patch.mark)


def _read_chain(
    file: str, chain: tuple[tuple[str, str], ...], problems: list[Problem]
) -> Node | None:
    """Read ``file`` and the files it extends, merged; collect non-fatal problems.

    ``chain`` holds ``(file as named, real path)`` of the files that extend this one.
    """
    parsed = read_file(file)
    problems.extend(parsed.problems)
    root = _anchor_file_references(parsed.root, os.path.dirname(os.path.abspath(file)))
    if not isinstance(root, Map) or _EXTENDS not in root.entries:
        return root
    own = Map({key: entry for key, entry in root.entries.items() if key != _EXTENDS}, root.mark)
    target = root.entries[_EXTENDS][1]
    where = (target.mark.file, target.mark.line, target.mark.column)
    if not isinstance(target, Scalar) or not isinstance(target.value, str) or not target.value:
        message = "must be the path of the scenario file to extend, relative to this file"
        shown = target.value if isinstance(target, Scalar) else Problem.NO_VALUE
        problems.append(Problem(message, _EXTENDS, *where, shown))
        return own
    if "\0" in target.value:
        message = "holds a NUL character; no file path has one"
        problems.append(Problem(message, _EXTENDS, *where, target.value))
        return own
    base_file = os.path.normpath(os.path.join(os.path.dirname(file), target.value))
    chain = (*chain, (file, os.path.realpath(file)))
    reals = [real for _, real in chain]
    base_real = os.path.realpath(base_file)
    if base_real in reals:
        names = [name for name, _ in chain[reals.index(base_real) :]]
        cycle = " -> ".join([*names, base_file])
        raise ScenarioError([Problem(f"extends itself in a cycle: {cycle}", _EXTENDS, *where)])
    if len(chain) >= MAX_EXTENDS_CHAIN:
        message = f"a scenario may be built from at most {MAX_EXTENDS_CHAIN} files via extends"
        raise ScenarioError([Problem(message, _EXTENDS, *where)])
    if not os.path.exists(base_file):
        message = f"file to extend not found: {base_file}"
        raise ScenarioError([Problem(message, _EXTENDS, *where)])
    base = _read_chain(base_file, chain, problems)
    if not isinstance(base, Map):
        message = f"the file to extend must hold a mapping of fields: {base_file}"
        raise ScenarioError([*problems, Problem(message, _EXTENDS, *where)])
    return _merge_patch(base, own)


def _order(problems: Iterable[Problem], file: str, overrides: Sequence[str]) -> list[Problem]:
    """Sort problems: the loaded file, its bases, then the overrides in option order; by line."""
    options = [f"--set {text}" for text in overrides]
    files: list[str | None] = [file]

    def key(problem: Problem) -> tuple[int, int, int]:
        if problem.file in options:
            rank = len(options) + 1_000_000 + options.index(problem.file)
        else:
            if problem.file not in files:
                files.append(problem.file)
            rank = files.index(problem.file)
        return (rank, problem.line or 0, problem.column or 0)

    return sorted(problems, key=key)


def load_model(
    model: type[_M],
    path: str | os.PathLike[str],
    overrides: Sequence[str] = (),
    checks: Callable[[_M], Iterable[Problem]] | None = None,
) -> _M:
    """Load a YAML file as an instance of any pydantic ``model``, with extends and overrides.

    The document is validated with ``context={"base_dir": <directory of path>}``; then
    ``checks`` (if given) names the problems of the validated model, located like the others.

    Raises
    ------
    ScenarioError
        With every problem found, each located as described in the module docstring.
    """
    file = os.fspath(path)
    problems: list[Problem] = []
    root = _read_chain(file, (), problems)
    root, override_problems = apply_overrides(model, root, overrides)
    problems.extend(override_problems)
    if root is None:
        problems.append(Problem("the file is empty; a scenario is a mapping of fields", "", file))
    else:
        context = {"base_dir": str(Path(file).resolve().parent)}
        try:
            result = model.model_validate(to_plain(root), context=context)
        except ValidationError as error:
            problems.extend(problems_from_validation_error(error, model, root))
        except ScenarioError as error:
            problems.extend(locate(problem, root) for problem in error.problems)
        else:
            if checks is not None and not problems:
                problems.extend(locate(problem, root) for problem in checks(result))
            if not problems:
                return result
    raise ScenarioError(_order(problems, file, overrides))


def load(path: str | os.PathLike[str], overrides: Sequence[str] = ()) -> Scenario:
    """Load and validate one scenario file, its data files and the demand they add up to
    (:func:`scenarios.data_checks.data_problems`).

    Parameters
    ----------
    path:
        The YAML file.
    overrides:
        ``dotted.path=value`` strings applied in order after ``extends`` is resolved
        (see :mod:`scenarios.overrides`).

    Raises
    ------
    ScenarioError
        With every problem found.
    """
    return load_model(Scenario, path, overrides, checks=data_problems)


def load_many(
    paths: Iterable[str | os.PathLike[str]], overrides: Sequence[str] = ()
) -> tuple[Scenario, ...]:
    """Load several scenario files with the same overrides, reporting every problem at once.

    Two scenarios with the same ``name`` are an error, since results are filed by name.

    Raises
    ------
    ScenarioError
        With the problems of every invalid file.
    """
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    first_file_of: dict[str, str] = {}
    for path in paths:
        try:
            scenario = load(path, overrides)
        except ScenarioError as error:
            problems.extend(error.problems)
            continue
        name, file = scenario.name, os.fspath(path)
        if name in first_file_of:
            problems.append(
                Problem(
                    f"two scenarios are named {name!r} (also {first_file_of[name]})", "name", file
                )
            )
        first_file_of.setdefault(name, file)
        scenarios.append(scenario)
    if problems:
        raise ScenarioError(problems)
    return tuple(scenarios)


ScenarioSource = Scenario | str | os.PathLike[str]
"""A scenario given as a validated :class:`Scenario` or as the file to load."""


def resolve(source: ScenarioSource, overrides: Sequence[str] = ()) -> Scenario:
    """The scenario itself, or the one loaded from its file with ``overrides``.

    Raises
    ------
    ScenarioError
        When the file does not load.
    InputError
        For overrides given with a loaded scenario (they apply to files).
    """
    if isinstance(source, Scenario):
        if overrides:
            raise InputError("--set overrides apply to scenario files, not to a loaded scenario")
        return source
    return load(source, overrides)


def resolve_many(
    sources: Sequence[ScenarioSource], overrides: Sequence[str] = ()
) -> tuple[Scenario, ...]:
    """Every scenario of ``sources``, in order: files loaded with ``overrides`` as by
    :func:`load_many` (every problem at once), loaded scenarios taken as they are.

    Raises
    ------
    ScenarioError
        When a file does not load.
    InputError
        For overrides given with a loaded scenario, or two scenarios of the same name.
    """
    files = [source for source in sources if not isinstance(source, Scenario)]
    if overrides and len(files) < len(sources):
        raise InputError("--set overrides apply to scenario files, not to a loaded scenario")
    loaded = iter(load_many(files, overrides))
    scenarios = tuple(
        source if isinstance(source, Scenario) else next(loaded) for source in sources
    )
    names = [scenario.name for scenario in scenarios]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise InputError(f"two scenarios are named {twice[0]!r}; results are filed by name")
    return scenarios
