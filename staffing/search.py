"""The smallest number of agents that meets every given target at once (Erlang C or Erlang A)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from scenarios.errors import InputError
from staffing import _kernels as k
from staffing._inputs import broadcast, check_array, offered_load, sl_definition_code

__all__ = ["required_agents"]


TARGET_ARGUMENTS = (
    "target_sl",
    "threshold_s",
    "target_asa_s",
    "max_abandon_frac",
    "max_occupancy_frac",
    "max_p_wait_frac",
)


def _staffing_targets(
    *,
    target_sl: ArrayLike | None = None,
    threshold_s: ArrayLike | None = None,
    target_asa_s: ArrayLike | None = None,
    max_abandon_frac: ArrayLike | None = None,
    max_occupancy_frac: ArrayLike | None = None,
    max_p_wait_frac: ArrayLike | None = None,
    patience_s: ArrayLike | None = None,
) -> dict[str, np.ndarray | None]:
    """Validate the targets of a staffing search (shared by the Erlang and chat searches).

    Returns the checked arrays (``None`` for an absent target) keyed by kernel argument name.
    """
    if (target_sl is None) != (threshold_s is None):
        given, missing = ("target_sl", "threshold_s")[:: 1 if target_sl is not None else -1]
        raise InputError(f"{given} needs {missing}: a service level is 'target within threshold'.")
    if max_abandon_frac is not None and patience_s is None:
        raise InputError("max_abandon_frac needs patience_s: without patience nobody abandons.")
    targets = {
        "target_sl": check_array("target_sl", target_sl, positive=True, below=1.0, allow_none=True),
        "threshold_s": check_array("threshold_s", threshold_s, allow_none=True),
        "target_asa_s": check_array("target_asa_s", target_asa_s, positive=True, allow_none=True),
        "max_abandon": check_array(
            "max_abandon_frac", max_abandon_frac, positive=True, at_most=1.0, allow_none=True
        ),
        "max_occupancy": check_array(
            "max_occupancy_frac", max_occupancy_frac, positive=True, at_most=1.0, allow_none=True
        ),
        "max_p_wait": check_array(
            "max_p_wait_frac", max_p_wait_frac, positive=True, at_most=1.0, allow_none=True
        ),
    }
    if all(targets[name] is None for name in targets if name != "threshold_s"):
        raise InputError(
            "give at least one target: target_sl with threshold_s, target_asa_s, "
            "max_abandon_frac, max_occupancy_frac or max_p_wait_frac."
        )
    if targets["threshold_s"] is None:
        targets["threshold_s"] = np.zeros(())
    return targets


def required_agents(
    calls_per_hour: ArrayLike,
    aht_s: ArrayLike,
    *,
    target_sl: ArrayLike | None = None,
    threshold_s: ArrayLike | None = None,
    patience_s: ArrayLike | None = None,
    sl_definition: str = "offered",
    target_asa_s: ArrayLike | None = None,
    max_abandon_frac: ArrayLike | None = None,
    max_occupancy_frac: ArrayLike | None = None,
    short_abandon_s: ArrayLike = 0.0,
    max_p_wait_frac: ArrayLike | None = None,
) -> int | np.ndarray:
    """Smallest number of agents meeting every given target at once.

    Erlang C without ``patience_s``, Erlang A (M/M/N+M) with it; the measures are those of
    :func:`staffing.erlang_metrics`. The search starts at the square-root-staffing estimate
    ``N ≈ A + β·√A`` (Halfin and Whitt 1981; Borst, Mandelbaum and Reiman 2004), with ``β``
    taken from the previous row rather than hard-coded, and walks upwards carrying the Erlang B
    recursion forward (O(1) per candidate) or downwards while one agent fewer still meets
    every target. Every measure is monotone in the number of agents, so the result is exact.

    Parameters
    ----------
    calls_per_hour, aht_s : float or array
        Arrival rate and mean handle time; scalars or equal-length 1-D arrays.
    target_sl, threshold_s : float or array, optional
        Service level at least ``target_sl`` (in (0, 1)) within ``threshold_s`` seconds; give
        both or neither.
    patience_s : float or array, optional
        Mean exponential patience; selects Erlang A.
    sl_definition : {"offered", "answered", "excl_short_abandons"}
        Service-level definition with abandonment (see :func:`staffing.erlang_metrics`).
    target_asa_s : float or array, optional
        Mean wait of answered calls at most this.
    max_abandon_frac : float or array, optional
        Abandonment probability at most this (needs ``patience_s``).
    max_occupancy_frac : float or array, optional
        Occupancy (served load / agents) at most this.
    short_abandon_s : float or array, default 0
        Short-abandon threshold of ``excl_short_abandons``.
    max_p_wait_frac : float or array, optional
        Probability of waiting at all at most this.

    Returns
    -------
    int or numpy.ndarray of int64
        An int for scalar input, else one count per row. Zero load needs zero agents; Erlang C
        always needs more agents than the load.

    Raises
    ------
    scenarios.errors.InputError
        A bad argument, no target given, or a target no staffing up to ``A + 100·√A + 100``
        meets.
    """
    definition = sl_definition_code(sl_definition)
    load, settings, scalar = search_inputs(
        "calls_per_hour",
        calls_per_hour,
        aht_s,
        patience_s,
        short_abandon_s,
        target_sl=target_sl,
        threshold_s=threshold_s,
        target_asa_s=target_asa_s,
        max_abandon_frac=max_abandon_frac,
        max_occupancy_frac=max_occupancy_frac,
        max_p_wait_frac=max_p_wait_frac,
    )
    out = np.empty(load.size)
    k.required_erlang_kernel(load, settings, definition, out)
    return agents_found(out, load, scalar)


def search_inputs(
    rate_name: str,
    rate: ArrayLike,
    aht_s: ArrayLike,
    patience_s: ArrayLike | None,
    short_abandon_s: ArrayLike,
    **targets: ArrayLike | None,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Validate and broadcast the arguments of a staffing search.

    Returns the offered load, the kernel ``settings`` (columns ``SETTINGS`` then ``TARGETS`` of
    :mod:`staffing._kernels`, NaN for an absent target) and whether every input was a scalar.
    """
    unknown = set(targets) - set(TARGET_ARGUMENTS)
    if unknown:
        raise InputError(
            f"unknown target {sorted(unknown)[0]!r}; targets are {', '.join(TARGET_ARGUMENTS)}."
        )
    checked = _staffing_targets(patience_s=patience_s, **targets)
    arrays, scalar = broadcast(
        {
            "rate": check_array(rate_name, rate),
            "aht_s": check_array("aht_s", aht_s, positive=True),
            "patience_s": check_array("patience_s", patience_s, positive=True, allow_none=True),
            "short_abandon_s": check_array("short_abandon_s", short_abandon_s),
            **checked,
        }
    )
    settings = np.column_stack([arrays[name] for name in (*k.SETTINGS, *k.TARGETS)])
    return offered_load(arrays["rate"], arrays["aht_s"], arrays["patience_s"]), settings, scalar


def agents_found(out: np.ndarray, load: np.ndarray, scalar: bool) -> int | np.ndarray:
    """The search result as int (scalar input) or int64 array; InputError if none was found."""
    agents = out.astype(np.int64)
    if np.any(agents < 0):
        worst = float(load[np.flatnonzero(agents < 0)[0]])
        raise InputError(
            f"no number of agents up to {k.SEARCH_SPAN_SQRT:g}·√A above the load meets the "
            f"targets (first at offered load {worst:g} Erlang); relax a target."
        )
    return int(agents[0]) if scalar else agents
