"""Service measures expected over the day's volume factor, and staffing for their expectation.

When a day's volume is the forecast times a random factor ``V`` (gamma with mean 1 and
coefficient of variation ``cv``, as ``events.forecast_error.day_cv`` declares and the
simulation draws it), the service level of a period is not the service level of its expected
rate: staffed to the point forecast, a period misses its target on about half the days and the
expected service level falls quickly with ``cv`` (Jongbloed and Koole 2001; Whitt 2006). This
module computes the **expected measures** over ``V`` and the smallest staffing whose expected
measures meet the targets (the ``expected`` staffing criterion of a scenario).

Conventions, used everywhere in ``staffing``
--------------------------------------------
- The rate of a day is ``λ·V + λ_f``: ``λ`` (``calls_per_hour``) moves with the day factor,
  ``λ_f`` (``fixed_calls_per_hour``, default 0) does not. The scenario plan puts first contacts
  and redials in ``λ`` and the repeat contacts of earlier days in ``λ_f``.
- **Days are call-weighted.** The expected service level is
  ``E[(λV + λ_f)·SL(N, λV + λ_f)] / E[λV + λ_f]``: a busy day counts in proportion to its calls,
  as a period's service level pools its calls. P(wait), P(Ab) and the mean wait are weighted the
  same way, the ASA by answered calls and the occupancy by time.
- **An overloaded day** (Erlang C, or chat without patience, with the load at or above the
  agents' capacity) counts with service level 0, P(wait) 1 and occupancy 1, and makes the
  expected ASA and mean wait infinite: every call of such a day waits and the queue grows. With
  abandonment (Erlang A) every day has finite measures.

Quadrature
----------
``E[g(V)] = ∫ g(v)·f(v) dv``. A day's measures change fastest where its load reaches the
agents' capacity ``c`` (``N`` for Erlang, ``N·K·s_K`` for chat), within ``δ = √c / a_s`` in
factor units. Where that is wide against the factor's spread (``δ ≥ 2·cv``, or ``≥ 1.25·cv``)
and no kink lies in the range, the 8-point (or 16-point) Gauss rule of the gamma itself
(generalised Gauss–Laguerre; nodes and weights from the eigen-decomposition of its Jacobi
matrix, Golub and Welsch 1969) integrates it. Otherwise an adaptive Gauss–Kronrod quadrature
(15 points, QUADPACK's ``qk15``) runs over ``[F⁻¹(10⁻¹²), F⁻¹(1 − 10⁻¹²)]`` (gamma quantiles from
``scipy.special.gammaincinv``), first split at the quantiles :data:`EDGES` and at ``v_c`` and
``v_c ± 3δ``, halving every piece whose 15- and 7-point answers differ by more than ``10⁻⁸`` of
the row per unit of range; without patience the measures have a kink at ``v_c`` and the part
above it (every day overloaded) needs only the density, computed in log space. Against direct
integration (Simpson's rule on 20,001 points per side of the kink, scipy's gamma density) the
expected service level, P(wait) and P(Ab) agree to better than 1e-6 for loads of 10 to 5,000
Erlang, CVs of 2 to 40 %, with and without patience (``tests/staffing/test_day_factor.py``). A
zero CV gives the measures at the expected rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special

from scenarios.errors import InputError
from staffing import _channel_kernels as ck
from staffing import _day_factor_kernels as dk
from staffing import _kernels as k
from staffing._inputs import check_array, sl_definition_code
from staffing.chat import _speeds
from staffing.erlang import DEFAULT_THRESHOLD_S, measures_frame, metric_inputs
from staffing.search import agents_found, search_inputs

__all__ = ["MAX_DAY_CV", "day_factor_rule", "expected_metrics", "required_agents_expected"]

MAX_DAY_CV = 2.0
"""Largest day CV the quadrature accepts (a gamma factor this wide is almost surely a typo)."""
EDGES = (1e-12, 1e-4, 0.5, 1.0 - 1e-4, 1.0 - 1e-12)
"""Quantiles of the day factor that bound the first pieces of the adaptive quadrature."""
GAUSS_NODES = (8, 16)
"""Nodes of the Gauss rules of the gamma, used where the measures are smooth on its scale."""
_KRONROD_NODES = (
    0.991455371120812639206854697526329,
    0.949107912342758524526189684047851,
    0.864864423359769072789712788640926,
    0.741531185599394439863864773280788,
    0.586087235467691130294144845693013,
    0.405845151377397166906606412076961,
    0.207784955007898467600689403773245,
    0.0,
)
_KRONROD_WEIGHTS = (
    0.022935322010529224963732008058970,
    0.063092092629978553290700663189204,
    0.104790010322250183839876322541518,
    0.140653259715525918745189590510238,
    0.169004726639267902826583426598550,
    0.190350578064785409913256402421014,
    0.204432940075298892414161999234649,
    0.209482141084727828012999174891714,
)
_GAUSS_WEIGHTS = (
    0.129484966168869693270611432679082,
    0.279705391489276667901467771423780,
    0.381830050505118944950369775488975,
    0.417959183673469387755102040816327,
)
"""The 15-point Kronrod rule and its embedded 7-point Gauss rule on [−1, 1] (the nodes
``±x_k`` with odd ``k`` and 0 are Gauss nodes; QUADPACK's ``qk15``, Piessens et al. 1983)."""


@lru_cache(maxsize=64)
def _rule(day_cv: float) -> np.ndarray:
    if day_cv == 0.0:
        return np.zeros(1)
    shape = 1.0 / day_cv**2
    rule = np.concatenate([[shape], special.gammaincinv(shape, EDGES) / shape])
    rule.setflags(write=False)
    return rule


@lru_cache(maxsize=1)
def _kronrod() -> np.ndarray:
    nodes = np.array(_KRONROD_NODES)
    weights = np.array(_KRONROD_WEIGHTS)
    gauss = np.zeros(8)
    gauss[1::2] = _GAUSS_WEIGHTS
    table = np.vstack(
        [
            np.concatenate([-nodes[:-1], nodes[::-1]]),
            np.concatenate([weights[:-1], weights[::-1]]),
            np.concatenate([gauss[:-1], gauss[::-1]]),
        ]
    )
    table.setflags(write=False)
    return table


def _gauss_rule(shape: float, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``nodes``-point Gauss rule of the gamma with shape ``shape`` and mean 1 (Golub and
    Welsch: eigen-decomposition of the Jacobi matrix of the Laguerre weight ``x^(k−1)e^(−x)``,
    diagonal ``2j + k``, off-diagonal ``√(j(j + k − 1))``; nodes divided by ``k``)."""
    j = np.arange(nodes, dtype=np.float64)
    jacobi = np.diag(2.0 * j + shape) + np.diag(np.sqrt(j[1:] * (j[1:] + shape - 1.0)), 1)
    values, vectors = np.linalg.eigh(jacobi, UPLO="U")
    weights = vectors[0] ** 2
    return values / shape, weights / weights.sum()


@lru_cache(maxsize=64)
def _gauss(day_cv: float) -> np.ndarray:
    """The 8- and 16-point Gauss rules of the gamma, as ``(2, 2, 16)`` (nodes, weights; the
    8-point rule padded with zero weights)."""
    table = np.zeros((2, 2, max(GAUSS_NODES)))
    table[:, 0, :] = 1.0
    if day_cv > 0.0:
        for which, nodes in enumerate(GAUSS_NODES):
            values, weights = _gauss_rule(1.0 / day_cv**2, nodes)
            table[which, 0, :nodes] = values
            table[which, 1, :nodes] = weights
    table.setflags(write=False)
    return table


def day_factor_rule(day_cv: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The quadratures of a gamma day factor with mean 1 and CV ``day_cv``.

    Returns ``(rule, kronrod, gauss)``: ``rule`` is the shape ``1/cv²`` then the factors at the
    quantiles :data:`EDGES` (``[0]`` for a zero CV); ``kronrod`` the 15-point Gauss–Kronrod
    nodes, Kronrod weights and embedded Gauss weights on ``[−1, 1]``; ``gauss`` the nodes and
    weights of the :data:`GAUSS_NODES`-point Gauss rules of the gamma. All are read-only and
    cached.
    """
    check_array("day_cv", day_cv)
    if day_cv > MAX_DAY_CV:
        raise InputError(f"day_cv must be at most {MAX_DAY_CV:g} (got {day_cv!r}).")
    return _rule(float(day_cv)), _kronrod(), _gauss(float(day_cv))


def _fixed_load(fixed_calls_per_hour: ArrayLike, settings: np.ndarray) -> np.ndarray:
    """The fixed part's load in Erlang per row (``settings[:, 0]`` is the AHT)."""
    rate = check_array("fixed_calls_per_hour", fixed_calls_per_hour)
    if rate.ndim == 1 and rate.size != settings.shape[0]:
        raise InputError(
            "fixed_calls_per_hour must have the length of the other arrays "
            f"({settings.shape[0]}, got {rate.size})."
        )
    return np.ascontiguousarray(np.broadcast_to(rate, settings.shape[:1]) * settings[:, 0] / 3600.0)


def _kernel_speeds(speed_by_chats: Sequence[float] | None) -> np.ndarray:
    return np.ones(1) if speed_by_chats is None else _speeds(speed_by_chats)


def expected_metrics(
    calls_per_hour: ArrayLike,
    aht_s: ArrayLike,
    agents: ArrayLike,
    *,
    day_cv: float,
    fixed_calls_per_hour: ArrayLike = 0.0,
    threshold_s: ArrayLike = DEFAULT_THRESHOLD_S,
    patience_s: ArrayLike | None = None,
    sl_definition: str = "offered",
    short_abandon_s: ArrayLike = 0.0,
    speed_by_chats: Sequence[float] | None = None,
) -> pd.DataFrame:
    """Measures expected over the day factor for given agents (see the module notes).

    Arguments as :func:`staffing.erlang_metrics` (``speed_by_chats``: as
    :func:`staffing.chat_metrics`, ``None`` for one contact per agent), plus ``day_cv`` and
    ``fixed_calls_per_hour``. Returns the columns of :data:`staffing.erlang.COLUMNS`;
    ``offered_load_erlangs`` is the expected load ``(λ + λ_f)·AHT``. With ``day_cv = 0`` the
    result equals :func:`staffing.erlang_metrics` (or ``chat_metrics``) at ``λ + λ_f``.
    """
    load, agents, out = expected_measures(
        calls_per_hour,
        aht_s,
        agents,
        day_cv=day_cv,
        fixed_calls_per_hour=fixed_calls_per_hour,
        threshold_s=threshold_s,
        patience_s=patience_s,
        sl_definition=sl_definition,
        short_abandon_s=short_abandon_s,
        speed_by_chats=speed_by_chats,
    )
    return measures_frame(load, agents, out)


def expected_measures(
    calls_per_hour: ArrayLike,
    aht_s: ArrayLike,
    agents: ArrayLike,
    *,
    day_cv: float,
    fixed_calls_per_hour: ArrayLike,
    threshold_s: ArrayLike,
    patience_s: ArrayLike | None,
    sl_definition: str,
    short_abandon_s: ArrayLike,
    speed_by_chats: Sequence[float] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`expected_metrics` as arrays: the load, the agents and the kernel output (rows ×
    ``N_MEASURES``, columns in the order of :mod:`staffing._kernels`, times in seconds)."""
    definition = sl_definition_code(sl_definition)
    speeds = _kernel_speeds(speed_by_chats)
    scaled, agents, settings = metric_inputs(
        "calls_per_hour", calls_per_hour, aht_s, agents, threshold_s, patience_s, short_abandon_s
    )
    fixed = _fixed_load(fixed_calls_per_hour, settings)
    rule, kronrod, gauss = day_factor_rule(day_cv)
    out = np.empty((scaled.size, k.N_MEASURES))
    dk.expected_metrics_kernel(
        agents, scaled, fixed, settings, definition, speeds, rule, kronrod, gauss, out
    )
    return scaled + fixed, agents, out


def required_agents_expected(
    calls_per_hour: ArrayLike,
    aht_s: ArrayLike,
    *,
    day_cv: float,
    fixed_calls_per_hour: ArrayLike = 0.0,
    patience_s: ArrayLike | None = None,
    sl_definition: str = "offered",
    short_abandon_s: ArrayLike = 0.0,
    speed_by_chats: Sequence[float] | None = None,
    start_agents: ArrayLike | None = None,
    **targets: ArrayLike | None,
) -> int | np.ndarray:
    """Smallest agents whose **expected** measures over the day factor meet every target.

    ``targets`` are those of :func:`staffing.required_agents` (``target_sl`` with
    ``threshold_s``, ``target_asa_s``, ``max_abandon_frac``, ``max_occupancy_frac``,
    ``max_p_wait_frac``), each compared with its expectation as defined in the module notes.
    ``start_agents`` is a first guess per row (default: the point-forecast staffing at
    ``λ + λ_f``); the answer does not depend on it. With ``day_cv = 0`` this is
    :func:`staffing.required_agents` (or :func:`staffing.required_chat_agents`).
    """
    agents, _ = _expected_search(
        calls_per_hour,
        aht_s,
        day_cv=day_cv,
        fixed_calls_per_hour=fixed_calls_per_hour,
        patience_s=patience_s,
        sl_definition=sl_definition,
        short_abandon_s=short_abandon_s,
        speed_by_chats=speed_by_chats,
        start_agents=start_agents,
        **targets,
    )
    return agents


def _expected_search(
    calls_per_hour: ArrayLike,
    aht_s: ArrayLike,
    *,
    day_cv: float,
    fixed_calls_per_hour: ArrayLike,
    patience_s: ArrayLike | None,
    sl_definition: str,
    short_abandon_s: ArrayLike,
    speed_by_chats: Sequence[float] | None,
    start_agents: ArrayLike | None,
    floor_agents: ArrayLike | None = None,
    **targets: ArrayLike | None,
) -> tuple[int | np.ndarray, np.ndarray]:
    """:func:`required_agents_expected` (never below ``floor_agents``) and the expected
    measures of the answer (rows × ``k.N_MEASURES``, times in seconds)."""
    definition = sl_definition_code(sl_definition)
    speeds = _kernel_speeds(speed_by_chats)
    scaled, settings, scalar = search_inputs(
        "calls_per_hour", calls_per_hour, aht_s, patience_s, short_abandon_s, **targets
    )
    fixed = _fixed_load(fixed_calls_per_hour, settings)
    load = scaled + fixed
    if start_agents is None:
        start = np.empty(load.size)
        if speeds.size > 1:
            ck.required_chat_kernel(load, settings, definition, speeds, start)
        else:
            k.required_erlang_kernel(load, settings, definition, start)
        start = np.where(start < 0, np.floor(load), start)
    else:
        start = np.ascontiguousarray(
            np.broadcast_to(check_array("start_agents", start_agents, whole=True), load.shape)
        )
    floor = np.zeros(load.size)
    if floor_agents is not None:
        floor = np.ascontiguousarray(
            np.broadcast_to(check_array("floor_agents", floor_agents, whole=True), load.shape)
        )
    rule, kronrod, gauss = day_factor_rule(day_cv)
    out = np.empty(load.size)
    measures = np.empty((load.size, k.N_MEASURES))
    dk.required_expected_kernel(
        scaled,
        fixed,
        settings,
        definition,
        speeds,
        rule,
        kronrod,
        gauss,
        start,
        floor,
        out,
        measures,
    )
    return agents_found(out, load, scalar), measures
