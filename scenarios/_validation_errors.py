"""Turn pydantic validation errors into :class:`~scenarios.errors.Problem` lines.

Each error's location is read against the model (:mod:`scenarios._schema_walk`) to get the
document's dotted path, then looked up in the document tree (:mod:`scenarios._yaml_source`) to
get the file, line and column where the value was written: the value itself, the key for an
unknown or badly named key, the nearest enclosing mapping for a missing field. Messages are
rules in plain words ("must be a number"), with a "did you mean" for misspelt keys and choices.

When a value fails every member of a union (``intraday_profile: ofice`` is neither a built-in
profile name nor a list of weights), the members' complaints are merged into one line; when
the value has the shape of one member (a list), only that member's complaints are kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from scenarios._base import did_you_mean
from scenarios._schema_walk import LocPath, field_names, follow_loc, literal_values
from scenarios._schema_walk import union_members as _union_members
from scenarios._yaml_source import Map, Mark, Node, Seq
from scenarios.errors import Problem

__all__ = ["locate", "problems_from_validation_error"]

_MAX_LISTED_FIELDS = 12

_PLAIN_MESSAGES = {
    "model_type": "must be a mapping of fields",
    "model_attributes_type": "must be a mapping of fields",
    "dict_type": "must be a mapping",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "set_type": "must be a list",
    "iterable_type": "must be a list",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_parsing_size": "must be a whole number of reasonable size",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "path_type": "must be a file path",
    "none_required": "must be null",
    "date_type": "must be a date written YYYY-MM-DD",
    "date_parsing": "must be a date written YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a date written YYYY-MM-DD",
    "date_from_datetime_inexact": "must be a date written YYYY-MM-DD, without a time of day",
    "datetime_type": "must be a date and time written YYYY-MM-DDTHH:MM",
    "datetime_parsing": "must be a date and time written YYYY-MM-DDTHH:MM",
    "datetime_from_date_parsing": "must be a date and time written YYYY-MM-DDTHH:MM",
    "datetime_object_invalid": "must be a date and time written YYYY-MM-DDTHH:MM",
    "time_type": "must be a time of day written HH:MM",
    "time_parsing": "must be a time of day written HH:MM",
}

_BOUND_MESSAGES = {
    "greater_than": ("gt", "must be greater than {}"),
    "greater_than_equal": ("ge", "must be at least {}"),
    "less_than": ("lt", "must be less than {}"),
    "less_than_equal": ("le", "must be at most {}"),
    "multiple_of": ("multiple_of", "must be a multiple of {}"),
}

_PREFIXES = ("Value error, ", "Assertion failed, ")
_MISSING = "required field is missing"


@dataclass(frozen=True)
class _Line:
    """One translated error before it becomes a Problem."""

    message: str
    hint: str
    path: tuple[str | int, ...]
    mark: Mark | None
    value: Any
    where: LocPath


def _shown(value: Any) -> Any:
    """The value for "(got ...)": none for mappings (the message names the field)."""
    if isinstance(value, dict):
        return Problem.NO_VALUE
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [item.isoformat() if isinstance(item, date) else item for item in value]
    return value


def _kind_of(value: Any) -> str:
    """What a parsed document is, in words."""
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, int | float):
        return "a number"
    return f"a {type(value).__name__}"


def _length_message(error: Mapping[str, Any]) -> str:
    ctx = error.get("ctx") or {}
    what = "characters" if error["type"].startswith("string") else "items"
    if error["type"].endswith("too_short"):
        minimum = ctx.get("min_length")
        return "must not be empty" if minimum == 1 else f"must have at least {minimum} {what}"
    actual = ctx.get("actual_length")
    if actual is None and isinstance(error.get("input"), str | list | tuple | dict):
        actual = len(error["input"])
    return f"must have at most {ctx.get('max_length')} {what}" + (
        f", not {actual}" if actual is not None else ""
    )


def _choice_hint(value: Any, choices: Sequence[Any]) -> str:
    if not isinstance(value, str):
        return ""
    return did_you_mean(value, [str(choice) for choice in choices])


def _rule(error: Mapping[str, Any], where: LocPath) -> tuple[str, str]:
    """The rule an error broke, in plain words, and a "did you mean" hint (or "")."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind in _PLAIN_MESSAGES:
        message = _PLAIN_MESSAGES[kind]
        if "error" in ctx and kind.endswith("_parsing"):
            message += f" ({ctx['error']})"
        return message, ""
    if kind in _BOUND_MESSAGES:
        key, template = _BOUND_MESSAGES[kind]
        return template.format(ctx.get(key)), ""
    if kind in ("too_short", "too_long", "string_too_short", "string_too_long"):
        return _length_message(error), ""
    if kind == "string_pattern_mismatch":
        return f"must match the pattern {ctx.get('pattern')}", ""
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", ""))
        choices = literal_values(where.annotation) or re.findall(r"'([^']*)'", expected)
        return f"must be {expected}", _choice_hint(value, choices)
    if kind == "extra_forbidden":
        return _unknown_field(str(where.path[-1]), where.parent)
    if kind == "missing":
        return _MISSING, ""
    message = error["msg"]
    for prefix in _PREFIXES:
        message = message.removeprefix(prefix)
    return message, ""


def _unknown_field(name: str, parent: Any) -> tuple[str, str]:
    known = list(field_names(parent) or ())
    hint = did_you_mean(name, known)
    if not hint and known:
        listed = ", ".join(known[:_MAX_LISTED_FIELDS])
        more = ", ..." if len(known) > _MAX_LISTED_FIELDS else ""
        hint = f"; expected one of {listed}{more}"
    return f"unknown field {name!r}", hint


def _tag_line(error: Mapping[str, Any], where: LocPath, root: Node | None) -> _Line:
    """A discriminated union whose tag (``mode: fxed``) is missing or not one of the choices."""
    ctx = error.get("ctx") or {}
    field = str(ctx.get("discriminator", "")).strip("'\"")
    path = (*where.path, field)
    tags = [
        str(tag)
        for member in _union_members(where.annotation) or ()
        for tag in literal_values((field_names(member) or {}).get(field))
    ]
    listed = ", ".join(repr(tag) for tag in tags)
    if error["type"] == "union_tag_not_found":
        return _Line(
            f"required field is missing (one of {listed})",
            "",
            path,
            _mark_at(root, path)[0],
            Problem.NO_VALUE,
            where,
        )
    tag = ctx.get("tag")
    return _Line(
        f"must be one of {listed}",
        _choice_hint(tag, tags),
        path,
        _mark_at(root, path)[0],
        tag,
        where,
    )


def _mark_at(root: Node | None, path: Sequence[str | int]) -> tuple[Mark | None, Mark | None]:
    """Marks of the value at ``path`` (or of its nearest enclosing node) and of its key."""
    node = root
    key_mark = None
    for segment in path:
        if isinstance(node, Map) and str(segment) in node.entries:
            key_mark, node = node.entries[str(segment)]
        elif isinstance(node, Seq) and isinstance(segment, int) and 0 <= segment < len(node.items):
            key_mark, node = None, node.items[segment]
        else:
            return (node.mark if node is not None else None), None
    return (node.mark if node is not None else None), key_mark


def _line(error: Mapping[str, Any], model: type[BaseModel], root: Node | None) -> _Line:
    where = follow_loc(model, error["loc"])
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return _tag_line(error, where, root)
    message, hint = _rule(error, where)
    value_mark, key_mark = _mark_at(root, where.path)
    if error["type"] in ("missing", "extra_forbidden", "too_long", "string_too_long") or (
        error["type"] == "cross_field" and error.get("input") is None
    ):
        value = Problem.NO_VALUE
    elif not where.path:
        # the document itself: say what it is, never echo it (it may be any file on the disk)
        message += f" (the file holds {_kind_of(error.get('input'))})"
        value = Problem.NO_VALUE
    else:
        value = _shown(error.get("input"))
    if (error["type"] == "extra_forbidden" or where.is_key) and key_mark is not None:
        value_mark = key_mark
    return _Line(message, hint, where.path, value_mark, value, where)


def _union_site(line: _Line) -> tuple[tuple[str | int, ...], str | int, int]:
    site = line.where.union_site
    assert site is not None, "only the lines of a failed union are grouped"
    return site


def _merge_union_lines(lines: list[_Line]) -> list[_Line]:
    """Keep one account per failed union: see the module docstring."""
    sites: dict[tuple[str | int, ...], list[_Line]] = {}
    for line in lines:
        if line.where.union_site is not None:
            path, _, _ = line.where.union_site
            sites.setdefault(path, []).append(line)
    merged: list[_Line] = []
    done: set[tuple[str | int, ...]] = set()
    for line in lines:
        site = line.where.union_site
        if site is None:
            merged.append(line)
            continue
        if site[0] in done:
            continue
        done.add(site[0])
        group = sites[site[0]]
        deep = [item for item in group if _union_site(item)[2] > 0]
        if deep:
            label = _union_site(deep[0])[1]
            merged.extend(item for item in deep if _union_site(item)[1] == label)
            continue
        messages = [item.message for item in group]
        text = messages[0] + "".join(
            ", or " + message.removeprefix("must be ") for message in messages[1:]
        )
        hint = next((item.hint for item in group if item.hint), "")
        first = group[0]
        merged.append(_Line(text, hint, first.path, first.mark, first.value, first.where))
    return merged


def _without_explained_missing(lines: list[_Line]) -> list[_Line]:
    """Drop "required field is missing" where a misspelt key of that name was just reported."""
    suggested = {
        (line.path[:-1], line.hint)
        for line in lines
        if line.message.startswith("unknown field ") and line.hint
    }
    return [
        line
        for line in lines
        if line.message != _MISSING
        or (line.path[:-1], f"; did you mean {line.path[-1]!r}?") not in suggested
    ]


def _problem(message: str, path: Sequence[str | int], mark: Mark | None, value: Any) -> Problem:
    dotted = ".".join(str(segment) for segment in path)
    if mark is None:
        return Problem(message, dotted, value=value)
    return Problem(message, dotted, mark.file, mark.line, mark.column, value)


def problems_from_validation_error(
    error: ValidationError, model: type[BaseModel], root: Node | None
) -> list[Problem]:
    """One Problem per distinct complaint of ``error``, located in the document ``root``."""
    lines = _merge_union_lines([_line(item, model, root) for item in error.errors()])
    problems: list[Problem] = []
    for line in _without_explained_missing(lines):
        problem = _problem(line.message + line.hint, line.path, line.mark, line.value)
        if problem not in problems:
            problems.append(problem)
    return problems


def locate(problem: Problem, root: Node | None) -> Problem:
    """Give a problem that names only a dotted path the file and line of that path."""
    if problem.file is not None:
        return problem
    path = [int(part) if part.isdigit() else part for part in problem.path.split(".") if part]
    return _problem(problem.message, path, _mark_at(root, path)[0], problem.value)
