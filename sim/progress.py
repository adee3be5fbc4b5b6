"""What a long piece of work reports as it goes: a protocol that a progress bar implements.

The workflows (``reports.workflows``, ``negotiate.workflow``) call a :class:`Progress` at fixed
points; the command line passes a rich progress bar, a notebook passes nothing
(:data:`SILENT`). ``start`` may be called more than once for work that is submitted in rounds.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["SILENT", "Progress", "Silent"]


class Progress(Protocol):
    """Receives the progress of replications and scenarios."""

    def start(self, replications: int, scenarios: int) -> None:
        """``replications`` replications of ``scenarios`` scenarios are about to run."""

    def replication(self, result: object = None) -> None:
        """One more replication is done (a runner's ``progress`` callback)."""

    def replications_of(self, finished: int, submitted: int) -> None:
        """``finished`` of the ``submitted`` replications are done (adaptive rounds)."""

    def scenario(self) -> None:
        """One more scenario is done."""


class Silent:
    """A :class:`Progress` that shows nothing."""

    def start(self, replications: int, scenarios: int) -> None:
        """Nothing to show."""

    def replication(self, result: object = None) -> None:
        """Nothing to show."""

    def replications_of(self, finished: int, submitted: int) -> None:
        """Nothing to show."""

    def scenario(self) -> None:
        """Nothing to show."""


SILENT: Progress = Silent()
"""The progress of work nobody watches."""
