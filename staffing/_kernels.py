"""Numba kernels of the queueing formulas (private; the public wrappers validate input).

Every kernel works in load units: the offered load ``A = λ/μ`` in Erlang, thresholds and
patience divided by the mean handle time. No kernel evaluates ``A^N / N!``; all sums have
positive terms, so there is no cancellation, and large sums are rescaled so nothing overflows.

Notation (see ``shared/DOMAIN.md``): ``I_k = Σ_{j≤k} π_j / π_k = 1 / ErlangB(k, A)`` is the
reciprocal of the Erlang B blocking probability, computed with the stable forward recursion
``I_k = 1 + (k / A) · I_{k−1}`` (the inverse of ``B_k = A·B_{k−1} / (k + A·B_{k−1})``).
``J = Σ_{k<M} π_k / π_M`` is the probability mass of the states in which an arrival is served
at once, relative to the state ``M`` in which every server is busy.

The waiting part of M/M/N+M (Erlang A; Garnett, Mandelbaum and Reiman 2002; Mandelbaum and
Zeltyn, "The Palm/Erlang-A queue") is summed directly as the birth-death chain: with
``x = Nμ/θ``, ``y = λ/θ`` the states with ``n`` waiting have ``π_{N+n} = π_N · yⁿ / (x+1)ₙ``
(rising factorial), so ``𝒜(x, y) = x·eʸ·y^(−x)·γ(x, y) = Σₙ yⁿ/(x+1)ₙ = 1 + y·S(y)`` is the
confluent series of the regularised incomplete gamma function, summed with positive terms.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

import staffing._numba_cache  # noqa: F401  (before any kernel is decorated)

_START_SPAN_SQ = 64.0
"""The Erlang B recursion starts ``√((A−N)⁺² + 64·A)`` below the load (see ``_inv_erlang_b``)."""

_RESCALE_ABOVE = 1e250
_RESCALE_FACTOR = 1e-250
_LOG_RESCALE = 250.0 * math.log(10.0)
_SERIES_REL_TOL = 1e-17

SL_OFFERED = 0
SL_ANSWERED = 1
SL_EXCL_SHORT_ABANDONS = 2

N_MEASURES = 6
"""Measures returned by the metric kernels, in this order (columns of their output)."""
P_WAIT, SERVICE_LEVEL, ASA_S, OCCUPANCY, P_ABANDON, MEAN_WAIT_S = range(N_MEASURES)


@njit(cache=True)
def _inv_erlang_b(agents, load):
    """Return ``I_N = 1 / ErlangB(N, A)`` for ``N = agents`` (int64) and ``A = load > 0``.

    The recursion starts at ``k₀ = A − √(d² + 64·A)`` with ``d = max(A − N, 0)`` from the
    heavy-traffic value ``I ≈ A/(A − k₀)`` (Jagerman 1974; a few per cent off). The sensitivity
    of ``I_N`` to that start is ``Π_{k₀<k≤N} (k/A) · I_{k₀}/I_N ≲ exp(−64/2)``, far below
    rounding, so the result is exact to rounding while costing ``O(√A)`` steps instead of
    ``O(N)`` near the load. Returns ``inf`` when ``I_N`` overflows (blocking below 1e-308).
    """
    below = max(load - agents, 0.0)
    start = math.floor(load - math.sqrt(below * below + _START_SPAN_SQ * load))
    if start < 1:
        start = 0
        inv = 1.0
    else:
        inv = load / (load - start)
    inv_load = 1.0 / load
    for k in range(start + 1, agents + 1):
        inv = 1.0 + inv * (k * inv_load)
    return inv


@njit(cache=True)
def _patient_measures(no_wait_mass, capacity, load, threshold_ratio, out):
    """Fill ``out`` with the measures of a queue without abandonment (Erlang C when ``capacity``
    is the number of agents).

    Above the ``M`` states with a free server, waiting states are geometric with ratio
    ``ρ = A / capacity``, so ``P(W > 0) = 1 / (1 + J·(1 − ρ))``; for Erlang C this is
    ``C(N, A) = 1 / (1 + (N − A)·I_{N−1} / A)``, equal to ``N·B / (N − A·(1 − B))``.
    ``P(W > t) = P(W > 0)·exp(−(capacity − A)·t/AHT)`` and ``ASA = P(W > 0)·AHT/(capacity − A)``.
    Overload (``capacity ≤ A``) gives ``P(W > 0) = 1``, service level 0, infinite ASA,
    occupancy 1. ``threshold_ratio`` is threshold / AHT; ASA and mean wait are in AHT units.
    """
    if capacity <= load:
        out[P_WAIT] = 1.0
        out[SERVICE_LEVEL] = 0.0
        out[ASA_S] = math.inf
        out[OCCUPANCY] = 1.0
        out[P_ABANDON] = 0.0
        out[MEAN_WAIT_S] = math.inf
        return
    gap = capacity - load
    p_wait = 1.0 / (1.0 + no_wait_mass * gap / capacity)
    out[P_WAIT] = p_wait
    if p_wait > 0.0:
        out[SERVICE_LEVEL] = -math.expm1(math.log(p_wait) - gap * threshold_ratio)
    else:
        out[SERVICE_LEVEL] = 1.0
    out[ASA_S] = p_wait / gap
    out[OCCUPANCY] = load / capacity
    out[P_ABANDON] = 0.0
    out[MEAN_WAIT_S] = p_wait / gap


@njit(cache=True)
def _tail_sums(x, w, sums):
    """Sum the waiting-state series of M/M/N+M with positive terms; fill ``sums`` and return the
    log scale ``σ`` so that each true sum is ``sums[i]·e^σ``.

    With ``uₙ = wⁿ / ((x+1)(x+2)···(x+n+1))`` and ``Hₙ = Σ_{j≤n} 1/(x+1+j)``:
    ``sums[0] = S(w) = Σ uₙ``, ``sums[1] = D(w) = Σ (n+1)·uₙ``, ``sums[2] = Σ uₙ·Hₙ``.
    ``S`` gives ``𝒜 = 1 + y·S(y)``, ``D`` gives ``P(Ab) = π_N·D(y)`` (equal to ``𝒜 − x·S``
    without its cancellation) and the ``H`` sum gives the mean wait of served contacts, since an
    arrival with ``n`` ahead waits ``−log(U)/θ``, ``U ~ Beta(x, n+1)``.
    The loop stops when the ratio bound ``ρₙ = (n+2)/(n+1) · w/(x+n+2)`` of every later term
    is below 1 and the geometric tail bound of each sum is below 1e-17 of it.
    """
    term = 1.0 / (x + 1.0)
    harmonic = term
    s = term
    d = term
    h = term * harmonic
    log_scale = 0.0
    n = 0
    while True:
        ratio = w / (x + n + 2.0)
        bound = ratio * (n + 2.0) / (n + 1.0)
        if bound < 1.0:
            tail = bound / (1.0 - bound)
            if (
                term * tail <= _SERIES_REL_TOL * s
                and (n + 1.0) * term * tail <= _SERIES_REL_TOL * d
                and term * harmonic * tail <= _SERIES_REL_TOL * h
            ):
                break
        term *= ratio
        n += 1
        harmonic += 1.0 / (x + n + 1.0)
        s += term
        d += (n + 1.0) * term
        h += term * harmonic
        if d > _RESCALE_ABOVE:
            term *= _RESCALE_FACTOR
            s *= _RESCALE_FACTOR
            d *= _RESCALE_FACTOR
            h *= _RESCALE_FACTOR
            log_scale += _LOG_RESCALE
    sums[0] = s
    sums[1] = d
    sums[2] = h
    return log_scale


@njit(cache=True)
def _impatient_measures(
    no_wait_mass, capacity, load, patience_ratio, threshold_ratio, short_ratio, definition, out
):
    """Fill ``out`` with the measures of a queue with exponential patience (Erlang A when
    ``capacity`` is the number of agents and ``no_wait_mass = (N/A)·I_{N−1}``).

    With ``x = capacity·patience/AHT``, ``y = A·patience/AHT``, ``q = e^(−θt)`` and ``p = π_N``:
    ``P(W > 0) = p·(1 + y·S(y))``, ``P(Ab) = p·D(y)``, ``P(served, W > t) = p·x·E(t)·S(yq)``
    and ``P(Ab, W > s) = p·E(s)·D(yq_s)`` with ``E(t) = exp(y(1 − q) − θt(x + 1))``
    (Mandelbaum and Zeltyn; the last two from ``θ·Wₙ = −log U``, ``U ~ Beta(x, n+1)``).
    Service level (Jouini, Koole and Roubos 2013): offered ``P(served, W ≤ t)``, answered
    ``P(served, W ≤ t) / P(served)``, short abandons excluded
    ``P(served, W ≤ t) / (1 − P(Ab, W ≤ s))``. ASA is the mean wait of answered contacts,
    ``E[W; served] = p·x·Σ uₙ·Hₙ / θ``; the mean wait of all arrivals is ``P(Ab)/θ``.
    Times are in AHT units; ``threshold_ratio`` and ``short_ratio`` are divided by patience.
    ``P(served, 0 < W ≤ t)`` is the difference ``p·x·(S(y) − E(t)·S(yq))``: its absolute error
    is about 1e-12, so a service level far below that (deep overload) is rounding noise.
    """
    if not no_wait_mass < math.inf:
        out[P_WAIT] = 0.0
        out[SERVICE_LEVEL] = 1.0
        out[ASA_S] = 0.0
        out[OCCUPANCY] = load / capacity
        out[P_ABANDON] = 0.0
        out[MEAN_WAIT_S] = 0.0
        return
    x = capacity * patience_ratio
    y = load * patience_ratio
    sums = np.empty(3)
    log_scale = _tail_sums(x, y, sums)
    s_y, d_y, h_y = sums[0], sums[1], sums[2]
    unit = math.exp(-log_scale)
    total = (1.0 + no_wait_mass) * unit + y * s_y
    p = 1.0 / total
    p_no_wait = unit * no_wait_mass * p
    p_served_waiting = x * s_y * p
    p_served = p_no_wait + p_served_waiting
    # P(Ab) from its own positive series while small, else as 1 − P(served): both well
    # conditioned in their range, and neither can leave [0, 1] by rounding.
    p_abandon = d_y / total if d_y < 0.5 * total else 1.0 - p_served

    q = math.exp(-threshold_ratio)
    shift_scale = _tail_sums(x, y * q, sums)
    late = y * -math.expm1(-threshold_ratio) - threshold_ratio * (x + 1.0)
    served_late = p * x * sums[0] * math.exp(late + shift_scale - log_scale)
    # P(served, 0 < W ≤ t) is a difference of two sums that agree as t → 0; max() removes
    # only its rounding below zero.
    served_in_time = p_no_wait + max(0.0, p_served_waiting - served_late)

    out[P_WAIT] = (unit + y * s_y) / total
    if definition == SL_OFFERED:
        out[SERVICE_LEVEL] = served_in_time
    elif definition == SL_ANSWERED:
        out[SERVICE_LEVEL] = served_in_time / p_served if p_served > 0.0 else 0.0
    else:
        q_short = math.exp(-short_ratio)
        short_scale = _tail_sums(x, y * q_short, sums)
        late_short = y * -math.expm1(-short_ratio) - short_ratio * (x + 1.0)
        abandon_late = p * sums[1] * math.exp(late_short + short_scale - log_scale)
        out[SERVICE_LEVEL] = served_in_time / (p_served + abandon_late)
    waited_served = p * x * h_y * patience_ratio
    out[ASA_S] = waited_served / p_served if p_served > 0.0 else math.inf
    # The served load cannot exceed the capacity; min() only removes rounding above 1.
    out[OCCUPANCY] = min(1.0, load * p_served / capacity) if capacity > 0.0 else 1.0
    out[P_ABANDON] = p_abandon
    out[MEAN_WAIT_S] = p_abandon * patience_ratio


@njit(cache=True)
def zero_load_measures(out):
    """Measures without load: nobody waits, service level 1, occupancy 0."""
    out[:] = 0.0
    out[SERVICE_LEVEL] = 1.0


@njit(cache=True)
def _erlang_measures(agents, load, patience_ratio, threshold_ratio, short_ratio, definition, out):
    """Measures of Erlang C (``patience_ratio`` NaN) or Erlang A for ``agents`` (int64) agents.

    Times in ``out`` are in AHT units.
    """
    if load <= 0.0:
        zero_load_measures(out)
        return
    no_wait_mass = 0.0
    if agents > 0:
        no_wait_mass = agents / load * _inv_erlang_b(agents - 1, load)
    queue_measures(
        no_wait_mass,
        float(agents),
        load,
        patience_ratio,
        threshold_ratio,
        short_ratio,
        definition,
        out,
    )


@njit(cache=True)
def queue_measures(
    no_wait_mass, capacity, load, patience_ratio, threshold_ratio, short_ratio, definition, out
):
    """Dispatch to the patient (``patience_ratio`` NaN) or impatient measures."""
    if math.isnan(patience_ratio):
        _patient_measures(no_wait_mass, capacity, load, threshold_ratio, out)
    else:
        _impatient_measures(
            no_wait_mass,
            capacity,
            load,
            patience_ratio,
            threshold_ratio / patience_ratio,
            short_ratio / patience_ratio,
            definition,
            out,
        )


@njit(cache=True)
def erlang_b_kernel(agents, load, out):
    """Erlang B blocking ``1 / I_N`` for arrays of agents (float64, whole) and loads."""
    for i in range(load.size):
        if load[i] <= 0.0:
            out[i] = 0.0
        else:
            out[i] = 1.0 / _inv_erlang_b(int(agents[i]), load[i])


SETTINGS = ("aht_s", "patience_s", "threshold_s", "short_abandon_s")
"""Columns of the per-row ``settings`` array of the metric kernels (patience NaN: none)."""
TARGETS = ("target_sl", "target_asa_s", "max_abandon", "max_occupancy", "max_p_wait")
"""Further columns of the search kernels' ``settings`` (NaN: no such target)."""


@njit(cache=True)
def row_ratios(settings, i, ratios):
    """Fill ``ratios`` with patience, threshold and short-abandon threshold over AHT of row
    ``i``; return the AHT."""
    aht = settings[i, 0]
    ratios[0] = settings[i, 1] / aht
    ratios[1] = settings[i, 2] / aht
    ratios[2] = settings[i, 3] / aht
    return aht


@njit(cache=True)
def row_targets(settings, i, aht, targets):
    """Fill ``targets`` with row ``i``'s targets, the ASA target in AHT units."""
    for j in range(len(TARGETS)):
        targets[j] = settings[i, len(SETTINGS) + j]
    targets[1] /= aht


@njit(cache=True)
def scale_times(out, i, aht):
    """Turn the times of output row ``i`` from AHT units into seconds."""
    out[i, ASA_S] *= aht
    out[i, MEAN_WAIT_S] *= aht


@njit(cache=True)
def erlang_metrics_kernel(agents, load, settings, definition, out):
    """Erlang C/A measures per row into ``out`` (rows × ``N_MEASURES``), times in seconds.

    ``settings`` has the columns :data:`SETTINGS`; NaN patience selects Erlang C for the row.
    """
    ratios = np.empty(3)
    for i in range(load.size):
        aht = row_ratios(settings, i, ratios)
        _erlang_measures(
            int(agents[i]), load[i], ratios[0], ratios[1], ratios[2], definition, out[i]
        )
        scale_times(out, i, aht)


@njit(cache=True)
def meets_targets(row, target_sl, target_asa_ratio, max_abandon, max_occupancy, max_p_wait):
    """True when the measures in ``row`` (AHT units) meet every target that is not NaN."""
    return not (
        row[SERVICE_LEVEL] < target_sl
        or row[ASA_S] > target_asa_ratio
        or row[P_ABANDON] > max_abandon
        or row[OCCUPANCY] > max_occupancy
        or row[P_WAIT] > max_p_wait
    )


@njit(cache=True)
def _erlang_meets(agents, inv_prev, load, ratios, definition, targets, row):
    """Evaluate ``agents`` given ``inv_prev = I_{agents−1}``; ``ratios`` = patience, threshold
    and short-abandon threshold over AHT; ``targets`` = SL, ASA/AHT, abandon, occupancy, P(wait).
    """
    queue_measures(
        agents / load * inv_prev,
        float(agents),
        load,
        ratios[0],
        ratios[1],
        ratios[2],
        definition,
        row,
    )
    return meets_targets(row, targets[0], targets[1], targets[2], targets[3], targets[4])


SEARCH_SPAN_SQRT = 100.0
"""The search gives up (returns −1) above ``A + 100·√A + 100`` agents."""


@njit(cache=True)
def required_erlang_kernel(load, settings, definition, out):
    """Smallest number of agents meeting every non-NaN target, per row (−1 when none does).

    ``settings`` has the columns :data:`SETTINGS` then :data:`TARGETS`. The search starts at
    the square-root-staffing estimate ``A + β·√A`` with ``β`` carried from the previous row
    (Halfin and Whitt 1981; Borst, Mandelbaum and Reiman 2004), which is exact to an agent or
    two for smooth interval loads. Upwards it carries the Erlang B recursion
    ``I_N = 1 + (N/A)·I_{N−1}`` forward, so each further candidate costs O(1) plus the measures.
    If the estimate already meets the targets it jumps down 1, 2, 4, ... agents (a fresh
    recursion each time) until a count fails, then walks up again.
    Monotonicity in the agents (every measure improves with more agents) makes the first
    success the answer. Erlang C never returns ``N ≤ A`` (unstable). The limit
    ``A + 100·√A + 100`` only guards the loop: blocking underflows to zero long before it.
    """
    ratios = np.empty(3)
    targets = np.empty(len(TARGETS))
    row = np.empty(N_MEASURES)
    beta = 1.0
    for i in range(load.size):
        a = load[i]
        if a <= 0.0:
            out[i] = 0.0
            continue
        aht = row_ratios(settings, i, ratios)
        row_targets(settings, i, aht, targets)
        lowest = 1
        if math.isnan(ratios[0]):
            lowest = max(lowest, math.floor(a) + 1)
            if not math.isnan(targets[3]):
                lowest = max(lowest, math.floor(a / targets[3]))
        root = math.sqrt(a)
        limit = int(a + SEARCH_SPAN_SQRT * root + SEARCH_SPAN_SQRT)
        n = max(lowest, int(a + beta * root))
        inv_prev = _inv_erlang_b(n - 1, a)
        step = 1
        while n > lowest and _erlang_meets(n, inv_prev, a, ratios, definition, targets, row):
            n = max(lowest, n - step)
            inv_prev = _inv_erlang_b(n - 1, a)
            step *= 2
        inv_load = 1.0 / a
        while not _erlang_meets(n, inv_prev, a, ratios, definition, targets, row):
            inv_prev = 1.0 + inv_prev * (n * inv_load)
            n += 1
            if n > limit:
                n = -1
                break
        out[i] = n
        if n > 0:
            beta = (n - a) / root
