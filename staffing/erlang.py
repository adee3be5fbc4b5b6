"""Erlang B, Erlang C and Erlang A measures for a given number of agents.

Erlang C is M/M/N (infinitely patient callers); Erlang A is M/M/N+M (exponential patience,
Garnett, Mandelbaum and Reiman 2002). Both are computed by the Numba kernels in
:mod:`staffing._kernels`, exactly and stably from 0.01 to well over 10,000 Erlang.
Overload is a defined answer: with Erlang C and ``agents ≤ load`` every caller waits,
the service level is 0, the ASA infinite and the occupancy 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from scenarios.limits import MAX_OFFERED_LOAD_ERLANG
from staffing import _kernels as k
from staffing._inputs import (
    broadcast,
    check_array,
    offered_load,
    sl_definition_code,
)

__all__ = ["COLUMNS", "erlang_b", "erlang_metrics"]

COLUMNS: dict[str, str] = {
    "offered_load_erlangs": "float64",
    "agents": "int64",
    "p_wait": "float64",
    "service_level": "float64",
    "asa_s": "float64",
    "occupancy": "float64",
    "p_abandon": "float64",
    "mean_wait_s": "float64",
}
"""Columns and dtypes of :func:`erlang_metrics`."""

DEFAULT_THRESHOLD_S = 20.0


def erlang_b(agents: ArrayLike, load_erlangs: ArrayLike) -> float | np.ndarray:
    """Erlang B blocking probability ``B(N, A)`` of an M/M/N/N loss system.

    Computed by the recursion ``B₀ = 1, B_k = A·B_{k−1} / (k + A·B_{k−1})`` (in its reciprocal
    form, started ``9·√A`` below the load; see :mod:`staffing._kernels`), never ``A^N/N!``.

    Parameters
    ----------
    agents : int or array of int
        Number of servers ``N ≥ 0``.
    load_erlangs : float or array
        Offered load ``A = λ/μ ≥ 0`` in Erlang.

    Returns
    -------
    float or numpy.ndarray
        A float for scalar input, else an array of the broadcast length.
    """
    arrays, scalar = broadcast(
        {
            "agents": check_array("agents", agents, whole=True),
            "load_erlangs": check_array(
                "load_erlangs", load_erlangs, at_most=MAX_OFFERED_LOAD_ERLANG
            ),
        }
    )
    out = np.empty(arrays["agents"].size)
    k.erlang_b_kernel(arrays["agents"], arrays["load_erlangs"], out)
    return float(out[0]) if scalar else out


def erlang_metrics(
    calls_per_hour: ArrayLike,
    aht_s: ArrayLike,
    agents: ArrayLike,
    *,
    threshold_s: ArrayLike = DEFAULT_THRESHOLD_S,
    patience_s: ArrayLike | None = None,
    sl_definition: str = "offered",
    short_abandon_s: ArrayLike = 0.0,
) -> pd.DataFrame:
    """Queue measures for a given number of agents: Erlang C, or Erlang A with ``patience_s``.

    Every numeric argument is a scalar or a 1-D array; arrays must have equal lengths and give
    one row each (intervals, say).

    Parameters
    ----------
    calls_per_hour : float or array
        Arrival rate λ (≥ 0).
    aht_s : float or array
        Mean handle time 1/μ in seconds (> 0).
    agents : int or array of int
        Agents N answering (≥ 0).
    threshold_s : float or array, default 20
        Service-level threshold t in seconds.
    patience_s : float or array, optional
        Mean of the exponential patience 1/θ in seconds; absent means Erlang C.
    sl_definition : {"offered", "answered", "excl_short_abandons"}
        Denominator of the service level when callers abandon (Jouini, Koole and Roubos 2013):
        all offered calls (abandons fail), answered calls only, or offered minus the calls
        abandoned within ``short_abandon_s``. Without patience all three coincide.
    short_abandon_s : float or array, default 0
        Short-abandon threshold for ``excl_short_abandons``.

    Returns
    -------
    pandas.DataFrame
        One row per input row with the columns of :data:`COLUMNS`:

        ====================  ==================================================================
        offered_load_erlangs  A = λ·AHT
        agents                N
        p_wait                P(W > 0): Erlang C ``C = N·B / (N − A(1 − B))``; Erlang A ``𝒜·π_N``
        service_level         Erlang C ``1 − C·e^(−(Nμ−λ)t)``; Erlang A per ``sl_definition``
        asa_s                 mean wait of answered calls; Erlang C ``C / (Nμ − λ)``
        occupancy             served load / N (``A/N`` for Erlang C; 1 in overload)
        p_abandon             P(Ab) (0 for Erlang C)
        mean_wait_s           mean wait of all arrivals, ``P(Ab)/θ`` for Erlang A
        ====================  ==================================================================

        ``asa_s`` and ``mean_wait_s`` are ``inf`` in Erlang C overload (``N ≤ A``) and ``asa_s``
        is ``inf`` when no call is ever answered (Erlang A with no agents).
    """
    definition = sl_definition_code(sl_definition)
    load, agents, settings = metric_inputs(
        "calls_per_hour", calls_per_hour, aht_s, agents, threshold_s, patience_s, short_abandon_s
    )
    out = np.empty((load.size, k.N_MEASURES))
    k.erlang_metrics_kernel(agents, load, settings, definition, out)
    return measures_frame(load, agents, out)


def metric_inputs(
    rate_name: str,
    rate: ArrayLike,
    aht_s: ArrayLike,
    agents: ArrayLike,
    threshold_s: ArrayLike,
    patience_s: ArrayLike | None,
    short_abandon_s: ArrayLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate and broadcast the arguments of a metric function.

    Returns the offered load, the agents and the kernel ``settings`` (columns
    :data:`staffing._kernels.SETTINGS`), all float64.
    """
    arrays, _ = broadcast(
        {
            "rate": check_array(rate_name, rate),
            "aht_s": check_array("aht_s", aht_s, positive=True),
            "agents": check_array("agents", agents, whole=True),
            "threshold_s": check_array("threshold_s", threshold_s),
            "patience_s": check_array("patience_s", patience_s, positive=True, allow_none=True),
            "short_abandon_s": check_array("short_abandon_s", short_abandon_s),
        }
    )
    settings = np.column_stack([arrays[name] for name in k.SETTINGS])
    load = offered_load(arrays["rate"], arrays["aht_s"], arrays["patience_s"])
    return load, arrays["agents"], settings


def measures_frame(load: np.ndarray, agents: np.ndarray, out: np.ndarray) -> pd.DataFrame:
    """Build the :data:`COLUMNS` table from a kernel output (rows × ``N_MEASURES``)."""
    frame = pd.DataFrame(
        {
            "offered_load_erlangs": load,
            "agents": agents.astype(np.int64),
            "p_wait": out[:, k.P_WAIT],
            "service_level": out[:, k.SERVICE_LEVEL],
            "asa_s": out[:, k.ASA_S],
            "occupancy": out[:, k.OCCUPANCY],
            "p_abandon": out[:, k.P_ABANDON],
            "mean_wait_s": out[:, k.MEAN_WAIT_S],
        }
    )
    return frame.astype(COLUMNS)
