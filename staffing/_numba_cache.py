"""Where Numba keeps the compiled kernels: a user cache folder, never the installed package.

Numba's default puts its cache files in the ``__pycache__`` folder beside the source, which for
an installed ccplan is ``site-packages/staffing/__pycache__``. A later ``pip install`` of another
ccplan (the README's second command after its first) removes only the files it installed and
leaves that folder behind, where Python then finds an empty namespace package ``staffing``. So
the kernels cache under ``$NUMBA_CACHE_DIR`` when the user sets it, else under
``$XDG_CACHE_HOME/ccplan/numba`` (default ``~/.cache/ccplan/numba``), else, when that folder
cannot be created, under the temporary folder.

Import this module before any ``@njit(cache=True)`` decorator runs: Numba picks the cache folder
when a function is decorated.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from numba.core import config

__all__ = ["cache_dir"]


def _candidates() -> list[Path]:
    home_cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    temporary = Path(tempfile.gettempdir()) / f"ccplan-numba-{os.getuid()}"
    return [Path(home_cache) / "ccplan" / "numba", temporary]


def cache_dir() -> Path:
    """The folder Numba caches ccplan's kernels in (module docstring)."""
    explicit = os.environ.get("NUMBA_CACHE_DIR")
    if explicit:
        return Path(explicit)
    for candidate in _candidates():
        try:
            candidate.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(candidate, os.W_OK):
            return candidate
    return _candidates()[-1]


config.CACHE_DIR = str(cache_dir())  # type: ignore[attr-defined]  # set from the environment at import
