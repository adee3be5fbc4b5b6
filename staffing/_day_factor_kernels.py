"""Numba kernels of the measures expected over a random day factor (private).

A day's arrival rate is ``λ·V + λ_f``: a part ``λ`` scaled by the day factor ``V`` (first
contacts and the redials they cause) and a part ``λ_f`` that is not (repeat contacts of earlier
days). In load units the day's load is ``A = a_s·V + a_f``. The expectation over ``V`` (gamma with
shape ``k`` and mean 1) is a Gauss–Legendre quadrature of ``g(v)·f(v)`` over the range the caller
gives (:func:`staffing.day_factor.day_factor_rule`), with the gamma density
``f(v) = k^k·v^(k−1)·e^(−kv)/Γ(k)`` computed in log space.

Every expected measure is the measure of the whole day population, pooled the way a period KPI
pools it: the service level, P(wait), P(Ab) and mean wait are **call-weighted** (day ``j`` counts
with ``w_j·A_j``, its share of the calls), the ASA is weighted by answered calls
``w_j·A_j·(1 − P(Ab)_j)`` and the occupancy by time (``w_j``). A day whose load the agents cannot
carry (Erlang C, or chat without patience, at or above capacity) counts with the overload values
of :mod:`staffing._kernels`: service level 0, P(wait) 1, occupancy 1, infinite ASA and mean wait.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from staffing._channel_kernels import _chat_measures
from staffing._kernels import (
    ASA_S,
    MEAN_WAIT_S,
    N_MEASURES,
    OCCUPANCY,
    P_ABANDON,
    P_WAIT,
    SEARCH_SPAN_SQRT,
    SERVICE_LEVEL,
    TARGETS,
    _erlang_measures,
    meets_targets,
    row_ratios,
    row_targets,
    scale_times,
    zero_load_measures,
)

_TIME, _CALLS, _SL, _P_WAIT, _P_ABANDON, _MEAN_WAIT, _OCCUPANCY, _ANSWERED, _ASA = range(9)


@njit(cache=True)
def _day_measures(agents, load, ratios, definition, speeds, row):
    """Measures of one day's load: Erlang C/A for one chat per agent, else the chat chain."""
    if speeds.size > 1:
        _chat_measures(agents, load, ratios, definition, speeds, row)
    else:
        _erlang_measures(agents, load, ratios[0], ratios[1], ratios[2], definition, row)


@njit(cache=True)
def _add_day(weight, load, day, acc):
    """Add one day of ``load`` with measures ``day`` and probability ``weight`` to ``acc``."""
    acc[_TIME] += weight
    acc[_OCCUPANCY] += weight * day[OCCUPANCY]
    if load <= 0.0:
        return
    calls = weight * load
    acc[_CALLS] += calls
    acc[_SL] += calls * day[SERVICE_LEVEL]
    acc[_P_WAIT] += calls * day[P_WAIT]
    acc[_P_ABANDON] += calls * day[P_ABANDON]
    acc[_MEAN_WAIT] += calls * day[MEAN_WAIT_S]
    answered = calls * (1.0 - day[P_ABANDON])
    if answered > 0.0:
        acc[_ANSWERED] += answered
        acc[_ASA] += answered * day[ASA_S]


@njit(cache=True)
def _add_piece(
    low,
    high,
    nodes,
    overloaded,
    agents,
    scaled,
    fixed,
    ratios,
    definition,
    speeds,
    shape,
    legendre,
    day,
    acc,
):
    """Add the days with factor in ``[low, high]`` by ``nodes``-point Gauss–Legendre of
    ``g·f`` (``legendre[nodes]``: nodes then weights on [−1, 1]); ``overloaded`` days take the
    overload measures without evaluation."""
    if high <= low:
        return
    half = 0.5 * (high - low)
    middle = 0.5 * (high + low)
    log_norm = shape * math.log(shape) - math.lgamma(shape)
    for j in range(nodes):
        v = middle + half * legendre[nodes, 0, j]
        log_f = log_norm + (shape - 1.0) * math.log(v) - shape * v
        weight = half * legendre[nodes, 1, j] * math.exp(log_f)
        load = scaled * v + fixed
        if overloaded:
            day[SERVICE_LEVEL] = 0.0
            day[P_WAIT] = 1.0
            day[P_ABANDON] = 0.0
            day[OCCUPANCY] = 1.0
            day[ASA_S] = math.inf
            day[MEAN_WAIT_S] = math.inf
        else:
            _day_measures(agents, load, ratios, definition, speeds, day)
        _add_day(weight, load, day, acc)


@njit(cache=True)
def _pieces(agents, scaled, fixed, abandons, speeds, rule, points, nodes):
    """Fill ``points`` with the sorted piece boundaries of one row and ``nodes`` with each
    piece's node count; return the number of boundaries.

    ``rule`` is the gamma shape, then pairs (quantile edge, nodes of the piece starting there)
    ending with the last edge. Where the measures change faster than the density (the capacity
    ``c`` is reached at ``v_c = (c − a_f)/a_s`` with a transition of width ``δ = √c / a_s``
    below a third of the factor's CV) the points ``v_c`` and ``v_c ± 3δ`` are added with the
    most nodes; without patience ``v_c`` is the kink above which every day is overloaded and is
    always added. An added point splits a piece into two with its node count each.
    """
    count = (rule.size - 1) // 2 + 1
    for p in range(count):
        points[p] = rule[1 + 2 * p]
        nodes[p] = rule[2 + 2 * p] if p < count - 1 else 0
    low, high = points[0], points[count - 1]
    if scaled > 0.0:
        capacity = agents * speeds.size * speeds[speeds.size - 1]
        centre = (capacity - fixed) / scaled
        width = math.sqrt(max(capacity, 1.0)) / scaled
        sharp = width < 1.0 / (3.0 * math.sqrt(rule[0]))
        most = 0
        for p in range(count - 1):
            most = max(most, nodes[p])
        for offset in (-3.0, 0.0, 3.0):
            v = centre + offset * width
            if not (sharp or (offset == 0.0 and not abandons)) or not low < v < high:
                continue
            at = count - 1
            while points[at - 1] > v:
                points[at] = points[at - 1]
                nodes[at] = nodes[at - 1]
                at -= 1
            points[at] = v
            nodes[at] = most if sharp else nodes[at - 1]
            if sharp:
                nodes[at - 1] = most
            count += 1
            nodes[count - 1] = 0
    return count


GAUSS_RATIO = 1.5
"""The Gauss rule of the gamma serves a row whose measures change on a scale ``δ`` at least
this many times the factor's CV (and which has no kink inside the range)."""


@njit(cache=True)
def expected_row(
    agents, scaled, fixed, ratios, definition, speeds, rule, legendre, gauss, day, row
):
    """Expected measures of ``agents`` agents over the day factor into ``row`` (AHT units).

    ``scaled`` and ``fixed`` are the two parts of the load; ``rule`` is the gamma shape then
    the quadrature pieces (see :func:`_pieces`; shape 0: no day factor), ``legendre[n]`` the
    ``n``-point Gauss–Legendre nodes and weights, ``gauss`` the nodes and weights of the Gauss
    rule of the gamma itself; ``day`` is scratch space of ``N_MEASURES``. A row whose measures
    are smooth on the scale of the density (``δ ≥ GAUSS_RATIO·cv`` and no kink in the range)
    takes the Gauss rule, exact for polynomials of degree ``2n − 1``; any other the pieces.
    """
    if scaled + fixed <= 0.0:
        zero_load_measures(row)
        return
    acc = np.zeros(9)
    if rule[0] == 0.0:
        _day_measures(agents, scaled + fixed, ratios, definition, speeds, day)
        _add_day(1.0, scaled + fixed, day, acc)
    else:
        abandons = not math.isnan(ratios[0])
        capacity = agents * speeds.size * speeds[speeds.size - 1]
        smooth = scaled > 0.0 and (
            math.sqrt(max(capacity, 1.0)) / scaled >= GAUSS_RATIO / math.sqrt(rule[0])
        )
        kink_inside = not abandons and scaled > 0.0 and (capacity - fixed) / scaled < rule[-1]
        if smooth and not kink_inside:
            for j in range(gauss.shape[1]):
                load = scaled * gauss[0, j] + fixed
                _day_measures(agents, load, ratios, definition, speeds, day)
                _add_day(gauss[1, j], load, day, acc)
            _finish_row(acc, row)
            return
        points = np.empty(rule.size)
        nodes = np.zeros(rule.size, dtype=np.int64)
        count = _pieces(agents, scaled, fixed, abandons, speeds, rule, points, nodes)
        kink = math.inf
        if not abandons:
            kink = (agents * speeds.size * speeds[speeds.size - 1] - fixed) / max(scaled, 1e-300)
        for p in range(count - 1):
            _add_piece(
                points[p],
                points[p + 1],
                nodes[p],
                points[p] >= kink,
                agents,
                scaled,
                fixed,
                ratios,
                definition,
                speeds,
                rule[0],
                legendre,
                day,
                acc,
            )
    _finish_row(acc, row)


@njit(cache=True)
def _finish_row(acc, row):
    """The expected measures from the accumulated sums."""
    row[SERVICE_LEVEL] = acc[_SL] / acc[_CALLS]
    row[P_WAIT] = acc[_P_WAIT] / acc[_CALLS]
    row[P_ABANDON] = acc[_P_ABANDON] / acc[_CALLS]
    row[MEAN_WAIT_S] = acc[_MEAN_WAIT] / acc[_CALLS]
    row[OCCUPANCY] = acc[_OCCUPANCY] / acc[_TIME]
    row[ASA_S] = acc[_ASA] / acc[_ANSWERED] if acc[_ANSWERED] > 0.0 else math.inf


@njit(cache=True)
def expected_metrics_kernel(
    agents, scaled, fixed, settings, definition, speeds, rule, legendre, gauss, out
):
    """Expected measures per row into ``out`` (rows × ``N_MEASURES``), times in seconds.

    ``scaled`` and ``fixed`` are the load parts in Erlang; ``settings`` has the columns
    ``SETTINGS`` of :mod:`staffing._kernels`; ``speeds`` of length 1 selects Erlang C/A.
    """
    ratios = np.empty(3)
    day = np.empty(N_MEASURES)
    for i in range(scaled.size):
        aht = row_ratios(settings, i, ratios)
        expected_row(
            int(agents[i]),
            scaled[i],
            fixed[i],
            ratios,
            definition,
            speeds,
            rule,
            legendre,
            gauss,
            day,
            out[i],
        )
        scale_times(out, i, aht)


@njit(cache=True)
def _meets(
    agents, scaled, fixed, ratios, definition, speeds, rule, legendre, gauss, targets, day, row
):
    expected_row(agents, scaled, fixed, ratios, definition, speeds, rule, legendre, gauss, day, row)
    return meets_targets(row, targets[0], targets[1], targets[2], targets[3], targets[4])


@njit(cache=True)
def required_expected_kernel(
    scaled, fixed, settings, definition, speeds, rule, legendre, gauss, start, floor, out, measures
):
    """Smallest agents, at least ``floor``, whose expected measures meet every non-NaN target,
    per row.

    ``settings`` has the columns ``SETTINGS`` then ``TARGETS``; ``start`` is a first guess per
    row (the point-forecast staffing, or an earlier answer). Every expected measure improves
    with the agents (each day's does), so the search walks down from a guess that meets the
    targets (not below ``floor``), or up from one that does not, and the first change is the
    answer; a guess at the floor that meets the targets costs one evaluation. ``out`` gets the
    agents (−1 when none up to ``A + 100·√A + 100`` of the busiest node meets the targets) and
    ``measures`` their expected measures in seconds.
    """
    ratios = np.empty(3)
    targets = np.empty(len(TARGETS))
    day = np.empty(N_MEASURES)
    for i in range(scaled.size):
        row = measures[i]
        if scaled[i] + fixed[i] <= 0.0:
            out[i] = 0.0
            zero_load_measures(row)
            continue
        aht = row_ratios(settings, i, ratios)
        row_targets(settings, i, aht, targets)
        busiest = scaled[i] * max(rule[rule.size - 1], 1.0) + fixed[i]
        limit = int(busiest + SEARCH_SPAN_SQRT * math.sqrt(busiest) + SEARCH_SPAN_SQRT)
        args = (
            scaled[i],
            fixed[i],
            ratios,
            definition,
            speeds,
            rule,
            legendre,
            gauss,
            targets,
            day,
            row,
        )
        lowest = max(int(floor[i]), 0)
        n = max(int(start[i]), lowest)
        if _meets(n, *args):
            while n > lowest and _meets(n - 1, *args):
                n -= 1
            _meets(n, *args)
        else:
            n += 1
            while not _meets(n, *args):
                n += 1
                if n > limit:
                    n = -1
                    break
        out[i] = n
        scale_times(measures, i, aht)
