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
order**, each delivered as soon as it and the ones before it are done; so the loop over
replications is written once (:mod:`sim.runner`) and a progress bar follows the iterator. The
results depend only on the items, never on the executor (see :mod:`sim.runner`).

Dask (``dask[distributed]``) is imported only when a scheduler is asked for.
"""

from __future__ import annotations

import multiprocessing
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
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_process_context())
        try:
            yield Executor(pool.map, workers, f"{workers} processes")
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    with ExitStack() as stack:
        timeout_s = CONNECT_TIMEOUT_S if connect_timeout_s is None else connect_timeout_s
        client = _dask_client(scheduler, workers, timeout_s, stack)
        threads = sum(info["nthreads"] for info in client.scheduler_info()["workers"].values())
        assert client.scheduler is not None, "a connected client knows its scheduler"
        where = f"Dask {client.scheduler.address} ({threads} threads)"
        yield Executor(lambda function, items: _dask_map(client, function, items), threads, where)


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
    try:
        client = Client(scheduler, timeout=f"{timeout_s}s")
    except (OSError, TimeoutError) as error:
        raise InputError(
            f"--scheduler {scheduler}: cannot reach the Dask scheduler within {timeout_s:g} s "
            f"({type(error).__name__})"
        ) from None
    return stack.enter_context(client)


def _dask_map(client: Client, function: Callable, items: Iterable) -> Iterator:
    """Submit every item now; the returned iterator gathers the results in item order."""
    futures = client.map(function, list(items), pure=False)
    return _gather_in_order(futures)


def _gather_in_order(futures: list) -> Iterator:
    for index, future in enumerate(futures):
        yield future.result()
        futures[index] = None  # the cluster may free the result once it is delivered
