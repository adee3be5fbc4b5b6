"""Read a YAML scenario file into a tree that remembers where every key and value was written.

The tree (:class:`Scalar`, :class:`Map`, :class:`Seq`) is built from PyYAML's safe event
stream (libyaml when available), never from a loader that can build Python objects. Every node
and every mapping key carries a :class:`Mark` (file, 1-based line and column), so a validation
problem found later can be reported where the value was typed.

A hostile or careless file cannot hurt the machine:

- files larger than :data:`MAX_FILE_BYTES` are refused before parsing;
- nesting deeper than :data:`MAX_DEPTH` is refused while parsing (the tree is built without
  recursion), counting what aliases expand to;
- aliases may share a subtree, but a document whose aliases expand to more than
  :data:`MAX_VALUES` values is refused ("billion laughs"), as is an alias to its own ancestor;
- only the YAML core tags (``str``, ``int``, ``float``, ``bool``, ``null``, ``timestamp``,
  ``map``, ``seq``) are accepted.

Scalars follow YAML 1.1 as PyYAML's safe loader reads them, except that base-60 numbers are not
numbers: ``12:00`` stays the text ``"12:00"`` (YAML 1.2 dropped them, and clock times are
common in scenarios), and a plain ``=`` (YAML 1.1's "value" key) is text. Duplicate keys, keys
that are not text and disallowed tags are collected as problems (the first occurrence of a key
is kept) so they are reported with the rest.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from scenarios.errors import Problem, ScenarioError

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_VALUES",
    "Map",
    "Mark",
    "Node",
    "Parsed",
    "Scalar",
    "Seq",
    "parse_text",
    "read_file",
    "to_plain",
]

MAX_FILE_BYTES = 1 << 20
"""Largest scenario file accepted (1 MiB); real scenarios are a few kilobytes."""

MAX_DEPTH = 32
"""Deepest nesting of mappings and lists accepted; the schema itself needs about seven."""

MAX_VALUES = 100_000
"""Most values (scalars, mappings, lists) a document may hold once its aliases are expanded."""

_EventParser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(
    _TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")
)
_STR_TAG = _TAG + "str"
_NUMBER_TAGS = frozenset({_TAG + "int", _TAG + "float"})
_MERGE_TAG = _TAG + "merge"
_MAP_TAGS = frozenset({None, "!", _TAG + "map"})
_SEQ_TAGS = frozenset({None, "!", _TAG + "seq"})

# Characters YAML allows in a stream (YAML 1.1 section 5.1); anything else is refused with
# its position before the parser sees it.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


@dataclass(frozen=True)
class Mark:
    """Where something was written: a file (or ``--set ...``), and 1-based line and column."""

    file: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True, eq=False)
class Scalar:
    """A scalar value (str, int, float, bool, None, date or datetime) and where it was written."""

    value: Any
    mark: Mark


@dataclass(frozen=True, eq=False)
class Map:
    """A mapping with text keys; ``entries`` maps each key to ``(key mark, value node)``."""

    entries: dict[str, tuple[Mark, Node]]
    mark: Mark


@dataclass(frozen=True, eq=False)
class Seq:
    """A list of nodes and where it starts."""

    items: tuple[Node, ...]
    mark: Mark


Node = Scalar | Map | Seq


@dataclass(frozen=True)
class Parsed:
    """A parsed document: its root node (None for an empty file) and its non-fatal problems."""

    root: Node | None
    problems: tuple[Problem, ...]


class _ScalarReader(SafeConstructor, Resolver):
    """PyYAML's safe scalar resolution and construction, without a parser attached."""


_READER = _ScalarReader()


@dataclass(eq=False)
class _Open:
    """A mapping or list whose end event has not been seen yet."""

    mark: Mark
    anchor: str | None
    is_map: bool
    items: list[Node] = field(default_factory=list)
    entries: dict[str, tuple[Mark, Node]] = field(default_factory=dict)
    merges: list[Map] = field(default_factory=list)
    key: tuple[str, Mark] | object | None = None
    size: int = 1
    depth: int = 1


_DROP = object()
_MERGE = object()


class _Builder:
    """Builds the node tree from parser events with an explicit stack (no recursion)."""

    def __init__(self, file: str, with_lines: bool):
        self.file = file
        self.with_lines = with_lines
        self.problems: list[Problem] = []
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[Node, int, int]] = {}
        self.root: Node | None = None
        self.documents = 0

    def mark(self, event: yaml.Event) -> Mark:
        if not self.with_lines:
            return Mark(self.file)
        return Mark(self.file, event.start_mark.line + 1, event.start_mark.column + 1)

    def fatal(self, event: yaml.Event, message: str) -> ScenarioError:
        mark = self.mark(event)
        return ScenarioError([Problem(message, "", mark.file, mark.line, mark.column)])

    def feed(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.fatal(event, "a scenario file holds one YAML document, not several")
        elif isinstance(event, yaml.ScalarEvent):
            self.add(event, self.scalar(event), 1, 0)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            self.start(event)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            self.end(event)
        elif isinstance(event, yaml.AliasEvent):
            self.alias(event)

    def scalar(self, event: yaml.Event) -> Scalar:
        mark = self.mark(event)
        text = event.value
        explicit = event.tag not in (None, "!")
        tag = event.tag if explicit else _READER.resolve(yaml.ScalarNode, text, event.implicit)
        if tag == _MERGE_TAG and not explicit:
            return Scalar(_MERGE, mark)
        if tag not in _SCALAR_TAGS:
            if explicit:
                self.problems.append(Problem(_tag_message(event.tag), "", *_where(mark)))
            return Scalar(text, mark)
        if tag == _STR_TAG or (tag in _NUMBER_TAGS and ":" in text and not explicit):
            return Scalar(text, mark)
        node = yaml.ScalarNode(tag, text, event.start_mark, event.end_mark, event.style)
        try:
            value = _READER.yaml_constructors[tag](_READER, node)
        except (ValueError, OverflowError, yaml.YAMLError):
            # an impossible date (2027-02-30) or a number too long to convert stays text, which
            # the schema then rejects with its own rule
            value = text
        return Scalar(value, mark)

    def start(self, event: yaml.Event) -> None:
        is_map = isinstance(event, yaml.MappingStartEvent)
        if event.tag not in (_MAP_TAGS if is_map else _SEQ_TAGS):
            self.problems.append(Problem(_tag_message(event.tag), "", *_where(self.mark(event))))
        if len(self.stack) >= MAX_DEPTH:
            raise self.fatal(event, f"nested deeper than {MAX_DEPTH} levels")
        self.stack.append(_Open(self.mark(event), event.anchor, is_map))

    def end(self, event: yaml.Event) -> None:
        done = self.stack.pop()
        if done.is_map:
            entries = dict(done.entries)
            for merged in done.merges:
                for key, entry in merged.entries.items():
                    entries.setdefault(key, entry)
            node: Node = Map(entries, done.mark)
        else:
            node = Seq(tuple(done.items), done.mark)
        if done.anchor is not None:
            self.anchors[done.anchor] = (node, done.size, done.depth)
        self.add(event, node, done.size, done.depth)

    def alias(self, event: yaml.Event) -> None:
        if any(item.anchor == event.anchor for item in self.stack):
            raise self.fatal(event, f"alias *{event.anchor} refers to a value that contains it")
        if event.anchor not in self.anchors:
            raise self.fatal(event, f"alias *{event.anchor} is not defined before this point")
        node, size, depth = self.anchors[event.anchor]
        self.add(event, node, size, depth)

    def add(self, event: yaml.Event, node: Node, size: int, depth: int) -> None:
        in_key_place = bool(self.stack) and self.stack[-1].is_map and self.stack[-1].key is None
        if isinstance(node, Scalar) and node.value is _MERGE and not in_key_place:
            node = Scalar("<<", node.mark)
        if isinstance(event, yaml.ScalarEvent) and event.anchor is not None:
            self.anchors[event.anchor] = (node, size, depth)
        if not self.stack:
            self.root = node
            return
        parent = self.stack[-1]
        parent.size += size
        parent.depth = max(parent.depth, depth + 1)
        if parent.size > MAX_VALUES:
            raise self.fatal(event, f"the document expands to more than {MAX_VALUES} values")
        if len(self.stack) + depth > MAX_DEPTH:
            raise self.fatal(event, f"nested deeper than {MAX_DEPTH} levels (through aliases)")
        if not parent.is_map:
            parent.items.append(node)
        elif parent.key is None:
            parent.key = self.key(node, parent)
        else:
            key, parent.key = parent.key, None
            if key is _MERGE:
                self.merge(node, parent)
            elif isinstance(key, tuple):  # not _DROP
                parent.entries[key[0]] = (key[1], node)

    def merge(self, node: Node, parent: _Open) -> None:
        sources = node.items if isinstance(node, Seq) else (node,)
        if not all(isinstance(source, Map) for source in sources):
            self.problems.append(
                Problem(
                    "a merge key (<<) takes a mapping or a list of mappings", "", *_where(node.mark)
                )
            )
            return
        parent.merges.extend(source for source in sources if isinstance(source, Map))

    def key(self, node: Node, parent: _Open) -> tuple[str, Mark] | object:
        if isinstance(node, Scalar) and node.value is _MERGE:
            return _MERGE
        if not isinstance(node, Scalar) or not isinstance(node.value, str):
            if isinstance(node, Scalar):
                message, shown = "keys must be text; put the key in quotes", node.value
            else:
                message, shown = "keys must be text, not a mapping or list", Problem.NO_VALUE
            self.problems.append(Problem(message, "", *_where(node.mark), shown))
            return _DROP
        if node.value in parent.entries:
            first = parent.entries[node.value][0]
            self.problems.append(
                Problem(
                    f"duplicate key {node.value!r} (first written on line {first.line})",
                    "",
                    *_where(node.mark),
                )
            )
            return _DROP
        return (node.value, node.mark)


def _tag_message(tag: str) -> str:
    shown = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
    return f"YAML tag {shown} is not allowed here; scenario files use plain values"


def _where(mark: Mark) -> tuple[str, int | None, int | None]:
    return (mark.file, mark.line, mark.column)


def _syntax_problem(error: yaml.MarkedYAMLError, file: str, with_lines: bool) -> Problem:
    mark = error.problem_mark or error.context_mark
    message = f"invalid YAML: {error.problem or error.context}"
    if error.context and error.context_mark is not None and error.problem and with_lines:
        message += f" ({error.context} on line {error.context_mark.line + 1})"
    if mark is None or not with_lines:
        return Problem(message, "", file)
    return Problem(message, "", file, mark.line + 1, mark.column + 1)


def parse_text(text: str, file: str, *, with_lines: bool = True) -> Parsed:
    """Parse YAML text into a node tree.

    Parameters
    ----------
    text:
        The document.
    file:
        Name used in marks and problems (a path, or ``--set path=value`` for an override).
    with_lines:
        Record line and column in the marks; false for a one-line override, whose problems
        are reported against the whole ``--set`` option.

    Raises
    ------
    ScenarioError
        For a YAML syntax error, a character YAML does not allow, several documents, or a
        document beyond the bounds (:data:`MAX_DEPTH`, :data:`MAX_VALUES`).
    """
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - text.rfind("\n", 0, bad.start())
        message = f"character U+{ord(bad.group()):04X} is not allowed in YAML text"
        raise ScenarioError([Problem(message, "", file, line, column)])
    builder = _Builder(file, with_lines)
    try:
        for event in yaml.parse(text, Loader=_EventParser):
            builder.feed(event)
    except yaml.MarkedYAMLError as error:
        raise ScenarioError([_syntax_problem(error, file, with_lines)]) from None
    except yaml.YAMLError as error:
        raise ScenarioError([Problem(f"invalid YAML: {error}", "", file)]) from None
    return Parsed(builder.root, tuple(builder.problems))


def read_file(path: str | os.PathLike[str]) -> Parsed:
    """Read and parse a scenario file, refusing anything that is not a small UTF-8 text file.

    Marks name the file as ``str(path)``, as the user wrote it.

    Raises
    ------
    ScenarioError
        When the file is missing, unreadable, not a regular file, larger than
        :data:`MAX_FILE_BYTES`, not UTF-8, or not valid YAML (see :func:`parse_text`).
    """
    file = os.fspath(path)

    def refuse(message: str, line: int | None = None) -> ScenarioError:
        return ScenarioError([Problem(message, "", file, line)])

    try:
        info = os.stat(file)
        if stat.S_ISDIR(info.st_mode):
            raise refuse("is a directory, not a scenario file")
        if not stat.S_ISREG(info.st_mode):
            raise refuse("is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise refuse(f"file is larger than {MAX_FILE_BYTES} bytes (1 MiB)")
        with open(file, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise refuse("file not found") from None
    except OSError as error:
        raise refuse(f"cannot read the file: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise refuse(f"file is larger than {MAX_FILE_BYTES} bytes (1 MiB)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise refuse(
            f"is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be decoded)", line
        ) from None
    return parse_text(text, file)


def to_plain(node: Node | None) -> Any:
    """Convert a node tree into plain dicts, lists and scalars for validation.

    Dates stay :class:`datetime.date` objects. Shared (aliased) subtrees are copied, which the
    bounds checked while parsing keep small.
    """
    if isinstance(node, Map):
        return {key: to_plain(value) for key, (_, value) in node.entries.items()}
    if isinstance(node, Seq):
        return [to_plain(item) for item in node.items]
    return None if node is None else node.value
