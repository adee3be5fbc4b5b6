"""``--set dotted.path=value`` overrides, applied to a scenario document before validation.

An override names a field by its dotted path in the file (list items by index or by their
``name`` or ``id``: ``partner.teams.0.staffing.headcount=70``,
``partner.teams.voice.staffing.headcount=70``, ``contract.clauses.email_sla.target=85%``) and
gives the value as YAML, so ``80%``, ``2h``,
``2027-03-01``, ``[phone, chat]`` and ``{per_week: 9000}`` mean what they mean in a file. An
empty value or ``null`` removes the field, as ``null`` does in a file that ``extends`` another.

The path is checked against the schema first: an unknown field gets a "did you mean", a list
index must name an existing item, and a mapping of user-named entries (``channels``) must
already hold the entry unless the override sets the whole entry. A problem is reported against
the option (``--set path=value``) rather than a file line, and so are validation problems in
the values it set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from scenarios._base import did_you_mean
from scenarios._schema_walk import (
    UNKNOWN,
    child_type,
    field_names,
    is_mapping,
    is_sequence,
    literal_values,
    union_members,
)
from scenarios._yaml_source import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    Map,
    Mark,
    Node,
    Scalar,
    Seq,
    parse_text,
)
from scenarios.errors import Problem, ScenarioError

__all__ = ["Override", "apply_overrides", "parse_override"]

_RESOLVED_WHEN_READ = ("extends",)


@dataclass(frozen=True)
class Override:
    """One parsed ``--set`` option.

    Attributes
    ----------
    option:
        The option as written, ``--set path=value``; problems are reported against it.
    path:
        The dotted path split into its parts (still text; indices are read against the schema).
    value:
        The parsed value, or None to remove the field.
    """

    option: str
    path: tuple[str, ...]
    value: Node | None


def parse_override(text: str) -> Override:
    """Parse ``dotted.path=value``; the value is read as YAML.

    Raises
    ------
    ScenarioError
        When there is no ``=``, the path has an empty part, or the value is not valid YAML.
    """
    option = f"--set {text}"
    dotted, equals, value_text = text.partition("=")
    dotted = dotted.strip()
    parts = tuple(dotted.split("."))
    if not equals or not dotted or not all(part.strip() == part and part for part in parts):
        raise ScenarioError(
            [Problem("must be written dotted.path=value, e.g. run.seed=7", dotted, option)]
        )
    if len(parts) > MAX_DEPTH or len(value_text) > MAX_FILE_BYTES:
        message = f"is too large (at most {MAX_DEPTH} path parts and {MAX_FILE_BYTES} characters)"
        raise ScenarioError([Problem(message, "", option)])
    try:
        parsed = parse_text(value_text, option, with_lines=False)
        problems = parsed.problems
    except ScenarioError as error:
        problems = error.problems
    if problems:
        raise ScenarioError(
            [Problem(problem.message, dotted, option, value=value_text) for problem in problems]
        )
    value = parsed.root
    if isinstance(value, Scalar) and value.value is None:
        value = None
    return Override(option, parts, value)


def _node_child(node: Node | None, part: str | int) -> Node | None:
    if isinstance(node, Map) and isinstance(part, str):
        entry = node.entries.get(part)
        return entry[1] if entry else None
    if isinstance(node, Seq) and isinstance(part, int):
        return node.items[part]
    return None


def _member_with_field(members: Sequence[Any], part: str, node: Node | None) -> Any:
    """The union member that has field ``part``, preferring the one the document selects."""
    candidates = [member for member in members if part in (field_names(member) or {})]
    for member in candidates:
        if isinstance(node, Map) and _selects(member, node):
            return member
    return candidates[0] if candidates else None


def _selects(member: Any, node: Map) -> bool:
    """Whether the document's discriminator values (``mode: fixed``) pick this member."""
    for name, annotation in (field_names(member) or {}).items():
        choices = literal_values(annotation)
        entry = node.entries.get(name)
        if choices and entry and isinstance(entry[1], Scalar) and entry[1].value in choices:
            return True
    return False


def _checked_path(
    model: type[BaseModel], override: Override, root: Node | None
) -> tuple[str | int, ...]:
    """The override's path with list indices as ints, after checking it against the schema."""
    annotation: Any = model
    node = root
    path: list[str | int] = []
    for position, text in enumerate(override.path):
        where = ".".join(str(part) for part in path) or "the scenario"
        members = union_members(annotation)
        if members is not None:
            annotation = _member_with_field(members, text, node)
            if annotation is None:
                known = {name for member in members for name in field_names(member) or {}}
                raise _path_error(override, f"unknown field {text!r} in {where}", text, known)
        fields = field_names(annotation)
        part: str | int = text
        if fields is not None and text not in fields:
            if text in _RESOLVED_WHEN_READ and not path:
                message = f"{text!r} is resolved when the file is read; edit the file instead"
                raise _path_error(override, message, "", ())
            raise _path_error(override, f"unknown field {text!r} in {where}", text, fields)
        if is_mapping(annotation):
            is_last = position == len(override.path) - 1
            existing = node.entries if isinstance(node, Map) else {}
            if not is_last and text not in existing:
                raise _path_error(override, f"{where} has no entry {text!r}", text, existing)
        elif is_sequence(annotation) or (annotation is UNKNOWN and isinstance(node, Seq)):
            part = _index(override, where, text, node)
        elif fields is None and annotation is not UNKNOWN:
            message = f"{where} is a single value; it has no field {text!r}"
            raise _path_error(override, message, "", ())
        path.append(part)
        annotation = child_type(annotation, part)
        node = _node_child(node, part)
    return tuple(path)


_ITEM_KEYS = ("name", "id")
"""Fields that name the items of a list (teams, shifts, peaks, launches by ``name``; contract
clauses by ``id``), so that ``--set`` can address an item by them."""


def _item_names(node: Node | None) -> list[str | None]:
    """The name (or id) of each item of the document's list, None where an item has none."""
    names: list[str | None] = []
    for item in node.items if isinstance(node, Seq) else ():
        entries = item.entries if isinstance(item, Map) else {}
        found = [entries[key][1] for key in _ITEM_KEYS if key in entries]
        names.append(str(found[0].value) if found and isinstance(found[0], Scalar) else None)
    return names


def _index(override: Override, where: str, text: str, node: Node | None) -> int:
    """The index of the list item that ``text`` names: its position, or its ``name``/``id``."""
    count = len(node.items) if isinstance(node, Seq) else 0
    if re.fullmatch(r"[0-9]+", text) and int(text) < count:
        return int(text)
    names = _item_names(node)
    if text in names:
        return names.index(text)
    if not count:
        message = f"{where} has no items to set; set the whole list instead"
        raise _path_error(override, message, "", ())
    named = [name for name in names if name is not None]
    message = f"{where} is a list of {count} items; {text!r} is not an index 0..{count - 1}"
    if named:
        message += f" nor the name of an item ({', '.join(named)})"
    raise _path_error(override, message, text, named)


def _path_error(override: Override, message: str, name: str, known: Iterable[str]) -> ScenarioError:
    hint = did_you_mean(name, known) if name else ""
    return ScenarioError([Problem(message + hint, ".".join(override.path), override.option)])


def _set(
    node: Node | None, path: Sequence[str | int], value: Node | None, mark: Mark
) -> Node | None:
    """A copy of ``node`` with ``path`` set to ``value`` (removed when ``value`` is None).

    Keys already in the document keep their marks; new keys and values get the option's.
    """
    if not path:
        return value
    part, rest = path[0], path[1:]
    if isinstance(part, int) and isinstance(node, Seq):
        items = list(node.items)
        new_item = _set(items[part], rest, value, mark)
        if new_item is None:
            del items[part]
        else:
            items[part] = new_item
        return Seq(tuple(items), node.mark)
    entries = dict(node.entries) if isinstance(node, Map) else {}
    key_mark, current = entries.get(str(part), (mark, None))
    new = _set(current, rest, value, mark)
    if new is None:
        entries.pop(str(part), None)
    else:
        entries[str(part)] = (key_mark, new)
    return Map(entries, node.mark if isinstance(node, Map) else mark)


def apply_overrides(
    model: type[BaseModel], root: Node | None, options: Iterable[str]
) -> tuple[Node | None, list[Problem]]:
    """Apply ``--set`` options in order to a document; return it and the options' problems.

    A faulty option is reported and skipped; the others still apply, so that every problem of
    one command line is reported at once.
    """
    problems: list[Problem] = []
    for text in options:
        try:
            override = parse_override(text)
            path = _checked_path(model, override, root)
        except ScenarioError as error:
            problems.extend(error.problems)
            continue
        root = _set(root, path, override.value, Mark(override.option))
    return root, problems
