"""Follow a field path through a pydantic model's type annotations.

Used to turn a pydantic error location into the document's dotted path (pydantic inserts the
chosen member of a union, such as the ``fixed`` of a discriminated ``staffing``, which is not
a key of the document), to list the fields allowed at a path (for "did you mean"), and to check
a ``--set`` path against the schema before it touches the document.

Types are read from ``model_fields``: models step by field name (the alias when one is set),
``dict[str, X]`` by any key, ``tuple[X, ...]`` and ``list[X]`` by index, and a union of several
members by the member's label. A step the walker cannot follow gives :data:`UNKNOWN`, and every
later step stays unknown.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Tag

__all__ = [
    "UNKNOWN",
    "LocPath",
    "child_type",
    "field_names",
    "follow_loc",
    "is_mapping",
    "is_sequence",
    "literal_values",
    "strip",
    "union_members",
]

UNKNOWN: Any = object()
"""The type at a path the walker could not follow."""

_UNION_ORIGINS = (Union, types.UnionType)
_SEQUENCE_ORIGINS = (tuple, list, Sequence)
_MAPPING_ORIGINS = (dict, Mapping)


def strip(annotation: Any) -> Any:
    """Remove ``Annotated`` wrappers and the ``None`` of an optional type."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in _UNION_ORIGINS:
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def field_names(annotation: Any) -> dict[str, Any] | None:
    """Fields of a model type as ``{name as written in files: annotation}``, else None."""
    annotation = strip(annotation)
    if not _is_model(annotation):
        return None
    names = {}
    for name, info in annotation.model_fields.items():
        alias = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
        names[alias or name] = info.annotation
    return names


def union_members(annotation: Any) -> tuple[Any, ...] | None:
    """Members of a union of several non-None types, else None."""
    annotation = strip(annotation)
    if get_origin(annotation) not in _UNION_ORIGINS:
        return None
    return tuple(arg for arg in get_args(annotation) if arg is not type(None))


def literal_values(annotation: Any) -> tuple[Any, ...]:
    """The allowed values of a ``Literal`` type, else ``()``."""
    annotation = strip(annotation)
    return get_args(annotation) if get_origin(annotation) is Literal else ()


def _labels(member: Any) -> set[str]:
    """Labels pydantic may use for a union member in an error location."""
    labels: set[str] = set()
    if get_origin(member) is Annotated:
        labels.update(meta.tag for meta in get_args(member)[1:] if isinstance(meta, Tag))
    core = strip(member)
    if _is_model(core):
        labels.add(core.__name__)
        for field_annotation in (field_names(core) or {}).values():
            labels.update(str(value) for value in literal_values(field_annotation))
    return labels


def _member_for_label(members: tuple[Any, ...], label: Any) -> Any:
    for member in members:
        if isinstance(label, str) and label in _labels(member):
            return member
    non_models = [member for member in members if not _is_model(strip(member))]
    return non_models[0] if len(non_models) == 1 else UNKNOWN


def child_type(annotation: Any, segment: str | int) -> Any:
    """Type one real step below ``annotation`` (a field, a mapping key or a list index)."""
    if annotation is UNKNOWN:
        return UNKNOWN
    fields = field_names(annotation)
    if fields is not None:
        return fields.get(segment, UNKNOWN) if isinstance(segment, str) else UNKNOWN
    annotation = strip(annotation)
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in _MAPPING_ORIGINS and isinstance(segment, str):
        return args[1] if len(args) == 2 else UNKNOWN
    if origin in _SEQUENCE_ORIGINS and isinstance(segment, int):
        if origin is not tuple or (len(args) == 2 and args[1] is Ellipsis):
            return args[0] if args else UNKNOWN
        return args[segment] if 0 <= segment < len(args) else UNKNOWN
    return UNKNOWN


def is_mapping(annotation: Any) -> bool:
    """Whether the type is a mapping with user-chosen keys (``dict[str, X]``)."""
    return annotation is not UNKNOWN and get_origin(strip(annotation)) in _MAPPING_ORIGINS


def is_sequence(annotation: Any) -> bool:
    """Whether the type is a list or tuple."""
    return annotation is not UNKNOWN and get_origin(strip(annotation)) in _SEQUENCE_ORIGINS


@dataclass(frozen=True)
class LocPath:
    """A pydantic error location read against the model.

    Attributes
    ----------
    path:
        The document's path: the location without union member labels and ``[key]`` markers.
    union_site:
        For an error inside a union: ``(path to the union, member label, labels after it)``
        for the first union on the way, where "labels after it" is the number of location
        segments that follow the label (0: the error is about the member as a whole).
    annotation:
        The type at the end of the path, or :data:`UNKNOWN`.
    parent:
        The type of the value that holds the last path segment, or :data:`UNKNOWN`.
    is_key:
        The error is about a mapping key rather than its value (pydantic's ``[key]``).
    """

    path: tuple[str | int, ...]
    union_site: tuple[tuple[str | int, ...], str | int, int] | None
    annotation: Any
    parent: Any
    is_key: bool


def follow_loc(model: type[BaseModel], loc: Sequence[str | int]) -> LocPath:
    """Read a pydantic error location ``loc`` against ``model``."""
    annotation: Any = model
    parent: Any = UNKNOWN
    path: list[str | int] = []
    site = None
    is_key = False
    for index, segment in enumerate(loc):
        members = union_members(annotation) if annotation is not UNKNOWN else None
        if members is not None:
            if site is None:
                site = (tuple(path), segment, len(loc) - index - 1)
            annotation = _member_for_label(members, segment)
            continue
        if segment == "[key]":
            is_key = True
            continue
        parent, annotation = annotation, child_type(annotation, segment)
        path.append(segment)
    return LocPath(tuple(path), site, annotation, parent, is_key)
