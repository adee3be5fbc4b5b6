"""The random numbers of the compiled engine, drawn in Python from the SimPy model's streams.

Every number the kernels use comes from the named streams of :mod:`sim.streams`, drawn here
exactly as the model draws it:

* per contact, :data:`~sim._compiled_layout.N_DRAWS` numbers from the streams that
  :class:`sim.contacts.Fates` reads (keyed by the channel name for first contacts, ``name/retry``
  for repeats and redials), a constant where the channel has no such decision;
* tier-2 handle times of unit mean from the ``"tier2_handle"`` stream.

First contacts' rows are drawn up front (exactly one per arrival); how many retry rows and
tier-2 handle times a run needs is not known in advance, so :class:`Supply` draws an estimate
up front and more, a block at a time, when the kernel asks. A stream's k-th number does not
depend on how many are drawn per call (NumPy's generators fill an array one number after the
other), so the k-th contact gets the numbers the model's chunked :class:`sim.streams.Draws`
give it.
"""

from __future__ import annotations

import math

import numpy as np

from sim._compiled_layout import N_DRAWS
from sim.specs import ChannelSpec, ModelInput
from sim.streams import Streams, draw_unit

__all__ = ["Fates", "Supply"]

_BLOCK = 1024


class Fates:
    """The per-contact streams of one channel (``name``, or ``name/retry``), in the columns of
    :class:`sim.contacts.Fates`."""

    def __init__(self, spec: ChannelSpec, streams: Streams, name: str):
        rep, red = spec.repeat, spec.redial
        columns = (
            ("handle", True, spec.handle.kind, spec.handle.cv, 0.0),
            ("patience", spec.patience_mean_s is not None, spec.patience.kind, spec.patience.cv,
             math.inf),
            ("fcr", spec.fcr_frac is not None, "uniform", 1.0, 0.0),
            ("escalation", spec.escalation_frac is not None, "uniform", 1.0, 1.0),
            ("csat", spec.csat is not None, "uniform", 1.0, 1.0),
            ("repeat", rep is not None, "uniform", 1.0, 1.0),
            ("repeat_delay", rep is not None, *_shape(rep), 0.0),
            ("redial", red is not None, "uniform", 1.0, 1.0),
            ("redial_delay", red is not None, *_shape(red), 0.0),
        )  # fmt: skip
        self._columns = [
            (streams.rng(purpose, name) if wanted else None, kind, cv, value)
            for purpose, wanted, kind, cv, value in columns
        ]
        for rng, kind, cv, _ in self._columns:
            if rng is not None:
                draw_unit(rng, kind, cv, 0)  # the model's check of the shape

    def draw(self, count: int, out: np.ndarray | None = None) -> np.ndarray:
        """The next ``count`` contacts' numbers, shape ``(N_DRAWS, count)`` (into ``out``)."""
        rows = np.empty((N_DRAWS, count)) if out is None else out
        for j, (rng, kind, cv, value) in enumerate(self._columns):
            rows[j] = draw_unit(rng, kind, cv, count) if rng is not None else value
        return rows


def _shape(retry) -> tuple[str, float]:
    return (retry.delay.kind, retry.delay.cv) if retry is not None else ("uniform", 1.0)


class Supply:
    """The draws handed out while a run goes on: retry rows per channel, tier-2 handle times.

    A stream is opened on first use; numbers come a block at a time, 1024 or as many again as
    already drawn, whichever is more.
    """

    def __init__(self, inp: ModelInput, streams: Streams):
        self._inp = inp
        self._streams = streams
        self._retry: dict[int, Fates] = {}
        self.retry_rows = [np.empty((N_DRAWS, 0)) for _ in inp.channels]
        self.tier2 = np.empty(0)
        if inp.tier2 is not None:
            handle = inp.tier2.handle
            self._tier2 = streams.rng("tier2_handle", "tier2")
            draw_unit(self._tier2, handle.kind, handle.cv, 0)

    def draw_ahead(self, retries: list[int], tier2: int) -> None:
        """Draw ``retries[c]`` retry rows of each channel and ``tier2`` handle times now."""
        for channel, count in enumerate(retries):
            if count:
                self.more_retries(channel, count)
        if tier2 and self._inp.tier2 is not None:
            self.more_tier2(tier2)

    def more_retries(self, channel: int, count: int | None = None) -> None:
        """Draw ``count`` more retry rows of channel index ``channel`` (default a block)."""
        if channel not in self._retry:
            spec = self._inp.channels[channel]
            self._retry[channel] = Fates(spec, self._streams, spec.name + "/retry")
        rows = self.retry_rows[channel]
        more = self._retry[channel].draw(count or max(_BLOCK, rows.shape[1]))
        self.retry_rows[channel] = np.concatenate([rows, more], axis=1)

    def more_tier2(self, count: int | None = None) -> None:
        """Draw ``count`` more tier-2 handle times of unit mean (default a block)."""
        tier2 = self._inp.tier2
        assert tier2 is not None, "tier-2 handle times are drawn for a model with tier 2"
        handle = tier2.handle
        more = draw_unit(self._tier2, handle.kind, handle.cv, count or max(_BLOCK, self.tier2.size))
        self.tier2 = np.concatenate([self.tier2, more])

    def retry_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The retry rows of every channel one after the other (a row of ``N_DRAWS`` numbers per
        contact), where each channel's rows start, and how many each has."""
        counts = np.array([rows.shape[1] for rows in self.retry_rows], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        return np.concatenate([rows.T for rows in self.retry_rows]), starts, counts
