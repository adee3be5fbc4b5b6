"""Chat: agents who hold up to K chats at once, each chat slowing as the agent takes more.

The model is the birth-death approximation of Tezcan and Zhang (2014) and Legros and Jouini
(2019): with ``n`` chats in the system and ``N`` agents, chats are spread evenly (``⌊n/N⌋`` or
``⌈n/N⌉`` per agent) and an agent holding ``k`` chats completes them at ``k·s_k·μ``, where
``s_k = speed_by_chats[k−1]`` and ``1/μ`` is the handle time of a chat handled alone. Once all
``N·K`` slots are taken, chats wait for a slot (first reply) and, with patience, abandon at
rate θ; the waiting part is then exactly the Erlang C / Erlang A tail with capacity
``N·K·s_K`` (see :mod:`staffing._kernels`). The service level, ASA and abandonment refer to
the wait for an agent (the first reply); occupancy is the served load over that capacity.
With ``K = 1`` this is Erlang C / A; with ``s_k = 1`` for every ``k`` it is Erlang C / A with
``N·K`` servers.

Balanced assignment is an approximation: a real router fills agents unevenly and chats end at
different times, so the model is slightly optimistic. Against the simulation (least-loaded
routing, exponential handle times of 480 s, speeds [1, 0.75, 0.6], patience 120 s, 60
replicated days, ``tests/staffing/test_chat.py``, marked slow): P(wait) 0.005–0.01 too low
(about 5 % relative), abandonment 0.002–0.005 too low, service level within 0.6 points.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from scenarios.errors import InputError
from staffing import _channel_kernels as ck
from staffing._inputs import check_array, sl_definition_code
from staffing._kernels import N_MEASURES
from staffing.erlang import DEFAULT_THRESHOLD_S, measures_frame, metric_inputs
from staffing.search import agents_found, search_inputs

__all__ = ["chat_metrics", "required_chat_agents"]


def _speeds(speed_by_chats: Sequence[float]) -> np.ndarray:
    speeds = check_array("speed_by_chats", speed_by_chats, positive=True, at_most=1.0)
    speeds = np.atleast_1d(speeds)
    if speeds.size == 0 or speeds[0] != 1.0:
        raise InputError(f"speed_by_chats must start with 1.0 (got {list(speeds)}).")
    throughput = speeds * np.arange(1, speeds.size + 1)
    if np.any(np.diff(throughput) < 0):
        raise InputError(f"speed_by_chats must not lower k·speed as k grows (got {list(speeds)}).")
    return np.ascontiguousarray(speeds)


def chat_metrics(
    chats_per_hour: ArrayLike,
    aht_s: ArrayLike,
    agents: ArrayLike,
    *,
    speed_by_chats: Sequence[float],
    threshold_s: ArrayLike = DEFAULT_THRESHOLD_S,
    patience_s: ArrayLike | None = None,
    sl_definition: str = "offered",
    short_abandon_s: ArrayLike = 0.0,
) -> pd.DataFrame:
    """Chat measures for a given number of agents (same columns as :func:`erlang_metrics`).

    Parameters
    ----------
    chats_per_hour, aht_s, agents : float or array
        Arrival rate, handle time of a chat handled alone, agents.
    speed_by_chats : sequence of float
        ``speed_by_chats[k−1]``: rate multiplier of each chat while its agent holds ``k``;
        first 1.0, values in (0, 1], ``k·speed`` non-decreasing. Its length is K.
    threshold_s, patience_s, sl_definition, short_abandon_s
        As in :func:`staffing.erlang_metrics`, for the wait until the first reply.

    Returns
    -------
    pandas.DataFrame
        :data:`staffing.erlang.COLUMNS`; ``occupancy`` is the served load over ``N·K·s_K``.
    """
    speeds = _speeds(speed_by_chats)
    definition = sl_definition_code(sl_definition)
    load, agents, settings = metric_inputs(
        "chats_per_hour", chats_per_hour, aht_s, agents, threshold_s, patience_s, short_abandon_s
    )
    out = np.empty((load.size, N_MEASURES))
    ck.chat_metrics_kernel(agents, load, settings, definition, speeds, out)
    return measures_frame(load, agents, out)


def required_chat_agents(
    chats_per_hour: ArrayLike,
    aht_s: ArrayLike,
    *,
    speed_by_chats: Sequence[float],
    patience_s: ArrayLike | None = None,
    sl_definition: str = "offered",
    short_abandon_s: ArrayLike = 0.0,
    **targets: ArrayLike | None,
) -> int | np.ndarray:
    """Smallest number of chat agents meeting every given target.

    Arguments as in :func:`staffing.required_agents` (``targets``: ``target_sl`` with
    ``threshold_s``, ``target_asa_s``, ``max_abandon_frac``, ``max_occupancy_frac``,
    ``max_p_wait_frac``), plus ``speed_by_chats``. Each candidate re-solves the chat chain
    (``O(N·K)``), starting from the square-root estimate on the agent-equivalent load
    ``A / (K·s_K)``.
    """
    speeds = _speeds(speed_by_chats)
    definition = sl_definition_code(sl_definition)
    load, settings, scalar = search_inputs(
        "chats_per_hour", chats_per_hour, aht_s, patience_s, short_abandon_s, **targets
    )
    out = np.empty(load.size)
    ck.required_chat_kernel(load, settings, definition, speeds, out)
    return agents_found(out, load, scalar)
