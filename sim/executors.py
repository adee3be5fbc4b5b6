"""Where replications run: one context manager giving a ``map``-like callable for every executor.

:func:`executor` yields an :class:`Executor`, a callable ``executor(function, items)`` with the
signature of :data:`sim.runner.MapFn` that :func:`sim.runner.run_replications` accepts:

====================================  ========================================================
arguments                             runs on
====================================  ========================================================
``workers=1`` (default)               this process, one item after the other (builtin ``map``)
``workers=K``                         K local worker processes (``ProcessPoolExecutor``,
                                      forkserver with the packages preloaded)
``scheduler="local"``                 a local Dask cluster of ``workers`` single-threaded
                                      worker processes, started here and closed on exit
``scheduler="tcp://HOST:PORT"``       the Dask scheduler at that address (connected within
                                      ``connect_timeout_s``; its workers must be able to import
                                      ``ccplan``'s packages)
====================================  ========================================================

Every executor submits all items when called and returns an iterator of the results **in item
order**, each delivered as soon as it and the ones before it are done (local processes send
long runs of items in chunks of up to 8, and deliver a chunk's results together); so the loop over
replications is written once (:mod:`sim.runner`) and a progress bar follows the iterator. The
results depend only on the items, never on the executor (see :mod:`sim.runner`).

Local worker processes never outlive the run: they ignore Ctrl-C (the parent handles it and
prints one line), they are ended at once when the block that opened the executor raises (an
interrupt, a ``SIGTERM`` turned into an exit by the command line), and each one ends itself as
soon as the parent process is gone, even when it was killed with ``SIGKILL``; the fork server and
the resource tracker then end with the last worker.

Dask (``dask[distributed]``) is imported only when a scheduler is asked for.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING

from scenarios.errors import InputError

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["CONNECT_TIMEOUT_S", "LOCAL_SCHEDULER", "Executor", "executor"]

LOCAL_SCHEDULER = "local"
"""``scheduler`` value that starts a local Dask cluster."""
CONNECT_TIMEOUT_S = 10.0
"""Default time to reach a remote Dask scheduler, in seconds."""
_STOP_TIMEOUT_S = 5.0
_CONNECT_GRACE_S = 2.0
_REASON_MAX_CHARS = 120
_PARENT_POLL_S = 0.5
_PARENT_GONE_EXIT = 1


class Executor:
    """A ``map``-like callable: ``executor(function, items)`` -> iterator of results in order.

    Attributes
    ----------
    slots:
        How many items run at the same time (worker processes, or Dask worker threads); callers
        use it to decide how much work to submit ahead.
    description:
        Where the work runs, for messages (``"1 process"``, ``"4 processes"``,
        ``"Dask tcp://10.0.0.5:8786 (8 threads)"``).
    """

    def __init__(self, map_fn: Callable[[Callable, Iterable], Iterator], slots: int, where: str):
        self._map_fn = map_fn
        self.slots = slots
        self.description = where

    def __call__(self, function: Callable, items: Iterable) -> Iterator:
        return self._map_fn(function, items)


def _check_workers(workers: int) -> None:
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(f"--workers must be a whole number >= 1 (got {workers!r})")


@contextmanager
def executor(
    workers: int = 1,
    scheduler: str | None = None,
    *,
    connect_timeout_s: float | None = None,
) -> Iterator[Executor]:
    """Open an executor (table in the module docstring) and close it on exit.

    Parameters
    ----------
    workers:
        Local worker processes (without ``scheduler``), or the workers of the local Dask
        cluster (``scheduler="local"``); ignored for a remote scheduler.
    scheduler:
        None for local processes, ``"local"`` for a local Dask cluster, or the address of a
        Dask scheduler (``tcp://HOST:PORT``).
    connect_timeout_s:
        How long to try to reach a remote scheduler (default :data:`CONNECT_TIMEOUT_S`).

    Raises
    ------
    InputError
        For ``workers`` < 1, or a scheduler that cannot be reached in time (naming the address).
    """
    _check_workers(workers)
    if scheduler is None and workers == 1:
        yield Executor(map, 1, "1 process")
        return
    if scheduler is None:
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_process_context(),
            initializer=_start_worker,
            initargs=(os.getpid(),),
        )
        try:
            yield Executor(_chunked(pool, workers), workers, f"{workers} processes")
        except BaseException:
            _stop_now(pool)
            raise
        pool.shutdown(wait=True)
        return
    with ExitStack() as stack:
        timeout_s = CONNECT_TIMEOUT_S if connect_timeout_s is None else connect_timeout_s
        client = _dask_client(scheduler, workers, timeout_s, stack)
        threads = sum(info["nthreads"] for info in client.scheduler_info()["workers"].values())
        assert client.scheduler is not None, "a connected client knows its scheduler"
        where = f"Dask {client.scheduler.address} ({threads} threads)"
        yield Executor(lambda function, items: _dask_map(client, function, items), threads, where)


_MOST_PER_CHUNK = 8
_CHUNKS_PER_WORKER = 4


def _chunked(pool: ProcessPoolExecutor, workers: int) -> Callable[[Callable, Iterable], Iterator]:
    """``pool.map`` sending the items in chunks: up to :data:`_MOST_PER_CHUNK` items to a
    message while there are at least :data:`_CHUNKS_PER_WORKER` chunks per worker. The function
    (a replication task carries its scenario, workload and rosters, about 0.6 MB) is pickled
    once per chunk instead of once per item; a result arrives with the rest of its chunk."""

    def chunked_map(function: Callable, items: Iterable) -> Iterator:
        listed = list(items)
        size = max(1, min(_MOST_PER_CHUNK, len(listed) // (_CHUNKS_PER_WORKER * workers)))
        return pool.map(function, listed, chunksize=size)

    return chunked_map


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the worker processes now (an interrupted run).

    A worker ended while it sends a result leaves half a message in the result pipe; closing
    this process's copy of the pipe's writing end lets the pool's reader see the end of the
    pipe instead of waiting for the rest forever (``ProcessPoolExecutor`` offers no public way
    to end its workers before Python 3.14).
    """
    processes = list(getattr(pool, "_processes", {}).values())
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(_STOP_TIMEOUT_S)
    if results is not None:
        results._writer.close()


def _start_worker(parent_pid: int) -> None:
    """Set up a worker process: Ctrl-C is the parent's to handle (no tracebacks from workers),
    and the worker ends itself when the parent process is gone, whatever killed it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(
        target=_exit_with, args=(parent_pid,), name="ccplan-parent-watch", daemon=True
    ).start()


def _exit_with(parent_pid: int) -> None:
    """Wait until the process ``parent_pid`` has ended, then end this process at once."""
    try:
        handle = os.pidfd_open(parent_pid)
    except (AttributeError, OSError):
        handle = None
    if handle is not None:
        select.select([handle], [], [])
    else:
        while _alive(parent_pid):
            time.sleep(_PARENT_POLL_S)
    os._exit(_PARENT_GONE_EXIT)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


WORKER_PRELOAD = ("scenarios", "staffing", "sim.runner")
"""Modules the fork server imports once, so that each worker process starts warm."""


def _process_context() -> multiprocessing.context.BaseContext:
    """Start method of local worker processes: a fork server that has imported the packages.

    A fork server forks workers from a clean single-threaded process (unlike ``fork``, which
    would copy a parent that may run progress-bar or Dask threads), and its preloaded imports
    spare each worker the second or two that ``spawn`` spends importing NumPy, pandas, SimPy
    and the Numba kernels again.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(WORKER_PRELOAD))
    return context


def _dask_client(scheduler: str, workers: int, timeout_s: float, stack: ExitStack) -> Client:
    """A Dask client of a new local cluster or of the scheduler at ``scheduler``."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError(
            f"--scheduler {scheduler}: Dask is not installed (pip install 'dask[distributed]')"
        ) from None
    if scheduler == LOCAL_SCHEDULER:
        cluster = stack.enter_context(
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
        )
        return stack.enter_context(Client(cluster))
    if not scheduler.startswith("tcp://"):
        raise InputError(
            f"--scheduler must be 'local' or a Dask address tcp://HOST:PORT (got {scheduler!r})"
        )
    return stack.enter_context(_connected(Client, scheduler, timeout_s))


def _connected(client_type: type[Client], scheduler: str, timeout_s: float) -> Client:
    """A client of the Dask scheduler at ``scheduler`` that has answered a first request, within
    ``timeout_s`` in all.

    The connection and the first request run in a helper thread that this one stops waiting for
    at the deadline: whatever listens at the address (a dashboard, a web server, nothing), the
    caller gets one line, never a hang or a crash.
    """
    outcome: dict[str, Client | BaseException] = {}

    def connect() -> None:
        try:
            client = client_type(scheduler, timeout=f"{timeout_s}s")
            client.scheduler_info()
            outcome["client"] = client
        except BaseException as error:  # reported below as one line, whatever it is
            outcome["error"] = error

    helper = threading.Thread(target=connect, name="ccplan-dask-connect", daemon=True)
    helper.start()
    helper.join(timeout_s + _CONNECT_GRACE_S)
    client = outcome.get("client")
    if isinstance(client, client_type):
        return client
    error = outcome.get("error")
    reason = "no answer" if error is None else f"{type(error).__name__}: {error}".splitlines()[0]
    raise InputError(
        f"--scheduler {scheduler}: no Dask scheduler answered within {timeout_s:g} s "
        f"({_shortened(reason)}); give the scheduler's tcp:// address, not its dashboard's"
    )


def _shortened(text: str) -> str:
    return text if len(text) <= _REASON_MAX_CHARS else text[: _REASON_MAX_CHARS - 3] + "..."


def _dask_map(client: Client, function: Callable, items: Iterable) -> Iterator:
    """Submit every item now; the returned iterator gathers the results in item order."""
    futures = client.map(function, list(items), pure=False)
    return _gather_in_order(futures)


def _gather_in_order(futures: list) -> Iterator:
    for index, future in enumerate(futures):
        yield future.result()
        futures[index] = None  # the cluster may free the result once it is delivered
