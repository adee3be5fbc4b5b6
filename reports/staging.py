"""Folders ccplan writes: complete or absent, never in the way of what ccplan did not write.

:func:`staged_folder` writes into a hidden sibling ``.<name>.partial-XXXX`` and renames it to
``out_dir`` only when every file is written and flushed to disk (``fsync`` of every file, of the
staging folder and, after the rename, of the parent). An existing ``out_dir`` is moved aside
(``.<name>.old-XXXX``) just before, and deleted after; so an interrupted or failed run never
leaves a folder that looks complete, and a previous result survives until the new one is whole.

**Ownership.** Every folder ccplan writes holds the marker file :data:`MARKER_FILE`. ccplan
replaces an existing ``out_dir`` only when it is empty or holds the marker; any other folder
(a user's files, the input scenarios) is refused with one line, before any work starts
(:func:`check_writable`), and never deleted.

**Concurrent writers.** Writers of folders in the same parent take turns where it matters: each
holds an exclusive ``flock`` on the parent folder while it creates its staging folder, and again
while it renames and cleans, but not while it writes (a run writes its folder as its
replications arrive, for as long as they take). A staging folder being written holds a ``flock``
of its own; holding the parent's, a writer removes the ``.<name>.partial-*`` siblings whose lock
is free and the ``.<name>.old-*`` ones, which an earlier, killed ccplan left behind.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from scenarios.errors import InputError

__all__ = [
    "MARKER_FILE",
    "check_writable",
    "claim_folder",
    "is_ccplan_folder",
    "replace_file",
    "staged_folder",
]

MARKER_FILE = ".ccplan-results"
"""Written into every folder ccplan writes; only such folders (or empty ones) are replaced."""
_MARKER_TEXT = "This folder was written by ccplan; ccplan may replace it.\n"
_FOLDER_MODE = 0o755
_STALE_KINDS = ("partial", "old")


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def is_ccplan_folder(folder: Path) -> bool:
    """Whether ``folder`` holds ccplan's marker file."""
    return (folder / MARKER_FILE).is_file()


def _check_replaceable(out_dir: Path, shown: object) -> None:
    """Refuse an ``out_dir`` that exists and is neither a folder ccplan wrote nor empty."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise InputError(f"cannot write results to {shown}: it exists and is not a folder")
    if is_ccplan_folder(out_dir) or not any(out_dir.iterdir()):
        return
    raise InputError(
        f"cannot write results to {shown}: the folder holds files ccplan did not write; "
        "give a new or empty folder (ccplan only replaces folders it wrote)"
    )


def check_writable(out_dir: str | os.PathLike[str]) -> None:
    """Fail now, with one clear line, if results cannot be written to ``out_dir`` later.

    Refuses a folder ccplan may not replace (module docstring), creates the missing parent
    folders, then a staging folder that it removes again.

    Raises
    ------
    InputError
        Naming ``out_dir`` and the reason.
    """
    shown, target = out_dir, _absolute(out_dir)
    with _parent_locked(target, shown):
        _check_replaceable(target, shown)
        _new_stage(target, shown).rmdir()


def _absolute(out_dir: str | os.PathLike[str]) -> Path:
    """``out_dir`` made absolute, so that ``.`` and ``""`` name the folder they are."""
    return Path(os.path.abspath(out_dir))


@contextmanager
def _parent_locked(out_dir: Path, shown: object) -> Iterator[None]:
    """Hold an exclusive lock on ``out_dir``'s parent folder (created if missing)."""
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(out_dir.parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        raise InputError(f"cannot write results to {shown}: {_reason(error)}") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing the descriptor releases the lock


def _remove_stale(out_dir: Path) -> None:
    """Remove the staging and set-aside folders of ``out_dir`` that a killed run left (a staging
    folder whose lock another writer holds is in use, and stays)."""
    for kind in _STALE_KINDS:
        for stale in out_dir.parent.glob(f".{out_dir.name}.{kind}-*"):
            if not stale.is_dir() or stale.is_symlink():
                continue
            try:
                handle = _locked(stale, blocking=False)
            except BlockingIOError:
                continue
            except OSError:
                handle = None
            try:
                shutil.rmtree(stale, ignore_errors=True)
            finally:
                if handle is not None:
                    os.close(handle)


def _locked(folder: Path, *, blocking: bool = True) -> int:
    """A descriptor of ``folder`` holding an exclusive ``flock`` on it (released when closed);
    BlockingIOError when another holds it and not ``blocking``."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except OSError:
        os.close(handle)
        raise
    return handle


def _new_stage(out_dir: Path, shown: object) -> Path:
    """Create the hidden sibling folder the results are written into."""
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
        stage.chmod(_FOLDER_MODE)
    except OSError as error:
        raise InputError(f"cannot write results to {shown}: {_reason(error)}") from None
    return stage


_FSYNC_THREADS = 16
"""Files flushed at the same time (``fsync`` waits for the disk, not for Python: a folder of
10,000 parts takes seconds instead of half a minute)."""


def _fsync_tree(folder: Path) -> None:
    """Flush every file under ``folder``, then the folders below it, then ``folder`` itself,
    to disk."""
    files, folders = [], []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            files.append(path)
        elif path.is_dir():
            folders.append(path)
    with ThreadPoolExecutor(_FSYNC_THREADS) as pool:
        list(pool.map(_fsync, files, [os.O_RDONLY] * len(files)))
        list(pool.map(_fsync, folders, [os.O_RDONLY | os.O_DIRECTORY] * len(folders)))
    _fsync(folder, os.O_RDONLY | os.O_DIRECTORY)


def _fsync(path: Path, flags: int) -> None:
    handle = os.open(path, flags)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _swap_in(stage: Path, out_dir: Path, shown: object) -> None:
    """Rename ``stage`` to ``out_dir``, replacing an existing ``out_dir`` only at this point."""
    _check_replaceable(out_dir, shown)
    if not out_dir.exists():
        stage.rename(out_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    old.rmdir()
    out_dir.rename(old)
    try:
        stage.rename(out_dir)
    except OSError:
        old.rename(out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staged_folder(out_dir: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield an empty hidden folder to write into; it becomes ``out_dir`` when the block ends.

    The folder gets the marker file; its files are flushed to disk before the rename. If the
    block raises (or is interrupted), the staging folder is removed and ``out_dir`` is left as
    it was.

    Raises
    ------
    InputError
        When the folder cannot be created or written, or ``out_dir`` is a folder ccplan may not
        replace (naming ``out_dir``).
    """
    shown, target = out_dir, _absolute(out_dir)
    with _parent_locked(target, shown):  # another run swaps its folder in under this lock
        _check_replaceable(target, shown)
        _remove_stale(target)
        stage = _new_stage(target, shown)
        try:
            in_use = _locked(stage)
        except OSError as error:
            shutil.rmtree(stage, ignore_errors=True)
            raise InputError(f"cannot write results to {shown}: {_reason(error)}") from None
    try:
        (stage / MARKER_FILE).write_text(_MARKER_TEXT, encoding="utf-8")
        yield stage
        _fsync_tree(stage)
        with _parent_locked(target, shown):
            _swap_in(stage, target, shown)
            _fsync(target.parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        shutil.rmtree(stage, ignore_errors=True)
        raise InputError(f"cannot write results to {shown}: {_reason(error)}") from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    finally:
        os.close(in_use)


def replace_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` beside it, flush it to disk and rename it over ``path``, so
    that ``path`` is never half-written."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    _fsync(partial, os.O_RDONLY)
    os.replace(partial, path)
    _fsync(path.parent, os.O_RDONLY | os.O_DIRECTORY)


def claim_folder(folder: str | os.PathLike[str]) -> Path:
    """Create ``folder`` if needed and mark it as ccplan's; a folder that holds files ccplan
    did not write is refused (for folders ccplan adds files to, such as a batch folder).

    Raises
    ------
    InputError
        Naming ``folder`` and the reason.
    """
    shown, target = folder, _absolute(folder)
    _check_replaceable(target, shown)
    try:
        target.mkdir(parents=True, exist_ok=True)
        if not is_ccplan_folder(target):
            (target / MARKER_FILE).write_text(_MARKER_TEXT, encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot write results to {shown}: {_reason(error)}") from None
    return target
