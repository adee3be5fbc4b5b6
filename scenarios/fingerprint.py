"""A scenario's fingerprint: one hash of everything its results depend on.

The fingerprint is the SHA-256 of the validated scenario in canonical JSON (after ``extends`` and
``--set``, every default filled in) and of the bytes of every data file it names (volume and
roster CSVs). Two scenarios with the same fingerprint give the same results for the same seed
and replications; an edited file, an override or a changed data file changes it. The run's
replications and seed (:data:`RUN_COUNTS`) are left out: they say how many replications and
from which seed, not what is simulated, and results folders record them beside it, so that
``--set run.replications=...`` does not stop ``ccplan run --append``. Results folders
keep it (``summary.json``), so that ``ccplan batch --resume`` reuses only results of the same
inputs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from scenarios.scenario import Scenario

__all__ = ["RUN_COUNTS", "fingerprint"]

RUN_COUNTS = {"run": {"replications", "seed"}}
"""The fields the fingerprint leaves out (``pydantic`` ``exclude`` form)."""


def _data_files(model: BaseModel) -> Iterator[Path]:
    """Every file path held anywhere in ``model``, in field order."""
    for name in type(model).model_fields:
        yield from _paths_in(getattr(model, name))


def _paths_in(value: object) -> Iterator[Path]:
    if isinstance(value, Path):
        yield value
    elif isinstance(value, BaseModel):
        yield from _data_files(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _paths_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _paths_in(item)


def fingerprint(scenario: Scenario) -> str:
    """The hex SHA-256 of the scenario and of its data files (module docstring)."""
    digest = hashlib.sha256(scenario.model_dump_json(exclude=RUN_COUNTS).encode("utf-8"))
    for path in _data_files(scenario):
        digest.update(b"\0file\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
