"""Random streams of one replication, keyed by purpose and name (common random numbers).

Every random quantity of the simulation comes from a numpy ``Generator`` built by
:class:`Streams` from the caller's seed. A stream is identified by the replication index, a
purpose (``"arrivals"``, ``"handle"``, ``"patience"``, ...) and a channel or team *name*, each
hashed with ``zlib.crc32`` into the ``spawn_key`` of a ``numpy.random.SeedSequence``:

    SeedSequence(entropy=seed, spawn_key=(replication, crc32(purpose), crc32(name)))

Keys are names, never positions, so adding a channel, reordering teams or changing the staffing
leaves every other stream unchanged: two what-ifs of one scenario see the same customers, and the
variance of their difference is small (common random numbers; Law, *Simulation Modeling and
Analysis*, 5th ed., section 11.2).

:class:`Draws` hands out the numbers of one stream in fixed-size chunks, one at a time
(:meth:`Draws.next`) or a chunk at a time (:meth:`Draws.chunk`), so the k-th contact of a channel
always receives the k-th number of its stream whatever happened to other contacts.

Unit-mean distributions (:func:`draw_unit`) turn a mean and a coefficient of variation into
samples: exponential, lognormal (``sigma**2 = log(1 + cv**2)``, ``mu = -sigma**2 / 2``),
gamma (shape ``1 / cv**2``, scale ``cv**2``) and deterministic.
"""

from __future__ import annotations

import zlib

import numpy as np

from scenarios.errors import InputError

__all__ = ["DISTRIBUTIONS", "Draws", "Streams", "draw_unit"]

DISTRIBUTIONS = ("exponential", "lognormal", "gamma", "deterministic")
_CHUNK = 1024


def _key(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


class Streams:
    """Factory of the independent random streams of replication ``replication`` of ``seed``.

    Parameters
    ----------
    seed:
        Non-negative integer seed of the run (``run.seed`` of the scenario).
    replication:
        Replication index ``r >= 0``.
    """

    def __init__(self, seed: int, replication: int):
        if int(seed) < 0 or int(replication) < 0:
            raise InputError(
                f"seed and replication must be >= 0 (got seed={seed}, replication={replication})"
            )
        self.seed = int(seed)
        self.replication = int(replication)

    def rng(self, purpose: str, name: str = "") -> np.random.Generator:
        """A fresh generator for ``purpose`` and channel/team ``name`` (same key, same numbers)."""
        sequence = np.random.SeedSequence(
            entropy=self.seed,
            spawn_key=(self.replication, _key(purpose), _key(name)),
        )
        return np.random.Generator(np.random.PCG64(sequence))

    def draws(self, purpose: str, name: str, kind: str = "uniform", cv: float = 1.0) -> Draws:
        """Numbers of one stream handed out one at a time (see :class:`Draws`)."""
        return Draws(self.rng(purpose, name), kind, cv)


def draw_unit(rng: np.random.Generator, kind: str, cv: float, size: int) -> np.ndarray:
    """Draw ``size`` samples of a distribution with mean 1 and coefficient of variation ``cv``.

    Parameters
    ----------
    kind:
        ``"exponential"`` (cv must be 1), ``"lognormal"``, ``"gamma"``, ``"deterministic"``
        (cv must be 0) or ``"uniform"`` (U(0, 1), cv ignored; for Bernoulli decisions).
    """
    if kind == "uniform":
        return rng.random(size)
    if kind == "exponential":
        if cv != 1.0:
            raise InputError(f"an exponential distribution has cv 1 (got cv={cv})")
        return rng.standard_exponential(size)
    if kind == "deterministic":
        if cv != 0.0:
            raise InputError(f"a deterministic distribution has cv 0 (got cv={cv})")
        return np.ones(size)
    if cv <= 0.0:
        raise InputError(f"a {kind} distribution needs cv > 0 (got cv={cv})")
    if kind == "lognormal":
        sigma2 = np.log1p(cv * cv)
        return rng.lognormal(-sigma2 / 2.0, np.sqrt(sigma2), size)
    if kind == "gamma":
        return rng.gamma(1.0 / (cv * cv), cv * cv, size)
    raise InputError(f"unknown distribution {kind!r}; expected one of {DISTRIBUTIONS}")


class Draws:
    """Sequential draws of one stream, generated in chunks of 1024.

    ``next()`` returns the following number as a Python float, ``chunk()`` the following
    numbers up to the end of the current chunk. Chunking keeps the cost per number small while
    the sequence stays a pure function of the stream.
    """

    __slots__ = ("_buffer", "_cv", "_kind", "_pos", "_rng")

    def __init__(self, rng: np.random.Generator, kind: str = "uniform", cv: float = 1.0):
        self._rng = rng
        self._kind = kind
        self._cv = float(cv)
        draw_unit(rng, kind, self._cv, 0)
        self._buffer: list[float] = []
        self._pos = 0

    def next(self) -> float:
        """The next number of the stream."""
        if self._pos == len(self._buffer):
            self._refill()
        value = self._buffer[self._pos]
        self._pos += 1
        return value

    def chunk(self) -> list[float]:
        """The next numbers of the stream up to the end of the current chunk (a whole chunk of
        1024 when the current one is used up)."""
        if self._pos == len(self._buffer):
            self._refill()
        values = self._buffer[self._pos :]
        self._pos = len(self._buffer)
        return values

    def _refill(self) -> None:
        self._buffer = draw_unit(self._rng, self._kind, self._cv, _CHUNK).tolist()
        self._pos = 0
