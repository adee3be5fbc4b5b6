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


MAX_PIECES = 400
"""Pieces the adaptive quadrature of one row may hold at once before it accepts what it has."""
TOLERANCE = 1e-8
"""Accepted error of a piece, in shares of the whole row's calls (and time) per unit of the
day factor's range."""


@njit(cache=True)
def _kronrod_piece(
    low,
    high,
    overloaded,
    agents,
    scaled,
    fixed,
    ratios,
    definition,
    speeds,
    shape,
    kronrod,
    day,
    fine,
    coarse,
):
    """Integrate the days with factor in ``[low, high]`` by the 15-point Kronrod rule into
    ``fine`` and by its 7-point Gauss rule into ``coarse`` (``kronrod``: nodes, Kronrod and
    Gauss weights on [−1, 1]); ``overloaded`` days take the overload measures without
    evaluation."""
    fine[:] = 0.0
    coarse[:] = 0.0
    half = 0.5 * (high - low)
    middle = 0.5 * (high + low)
    log_norm = shape * math.log(shape) - math.lgamma(shape)
    for j in range(kronrod.shape[1]):
        v = middle + half * kronrod[0, j]
        density = half * math.exp(log_norm + (shape - 1.0) * math.log(v) - shape * v)
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
        _add_day(kronrod[1, j] * density, load, day, fine)
        if kronrod[2, j] != 0.0:
            _add_day(kronrod[2, j] * density, load, day, coarse)


@njit(cache=True)
def _piece_error(fine, coarse, calls_scale):
    """Largest difference of the two rules over the sums that carry a share (calls, service
    level, P(wait), P(Ab), occupancy), in shares of the row."""
    error = abs(fine[_OCCUPANCY] - coarse[_OCCUPANCY]) + abs(fine[_TIME] - coarse[_TIME])
    for k in (_CALLS, _SL, _P_WAIT, _P_ABANDON):
        error = max(error, abs(fine[k] - coarse[k]) / calls_scale)
    return error


@njit(cache=True)
def _adaptive(agents, scaled, fixed, ratios, definition, speeds, rule, kronrod, day, acc):
    """Adaptive Gauss–Kronrod over the day factor's range (``rule``: shape, then the edges of
    the first pieces), the pieces split where the measures change fast (:func:`_split_points`);
    a piece whose two rules differ by more than :data:`TOLERANCE` per unit of range is halved.
    """
    shape = rule[0]
    edges = rule[1:]
    low, high = edges[0], edges[edges.size - 1]
    abandons = not math.isnan(ratios[0])
    capacity = agents * speeds.size * speeds[speeds.size - 1]
    kink = math.inf
    if not abandons and scaled > 0.0:
        kink = (capacity - fixed) / scaled
    starts = np.empty(MAX_PIECES)
    ends = np.empty(MAX_PIECES)
    points = np.empty(edges.size + 3)
    count = _split_points(capacity, scaled, fixed, edges, points)
    held = 0
    for p in range(count - 1):
        starts[held] = points[p]
        ends[held] = points[p + 1]
        held += 1
    fine = np.zeros(9)
    coarse = np.zeros(9)
    calls_scale = max(scaled + fixed, 1e-300)
    while held > 0:
        held -= 1
        a, b = starts[held], ends[held]
        _kronrod_piece(a, b, a >= kink, agents, scaled, fixed, ratios, definition, speeds,
                       shape, kronrod, day, fine, coarse)  # fmt: skip
        error = _piece_error(fine, coarse, calls_scale)
        if error <= TOLERANCE * (b - a) / (high - low) or held + 2 > MAX_PIECES:
            acc += fine
        else:
            middle = 0.5 * (a + b)
            starts[held], ends[held] = a, middle
            starts[held + 1], ends[held + 1] = middle, b
            held += 2


@njit(cache=True)
def _split_points(capacity, scaled, fixed, edges, points):
    """The sorted first boundaries of the adaptive quadrature: the quantile ``edges`` and,
    inside them, ``v_c = (c − a_f)/a_s`` where the load reaches the capacity ``c`` and
    ``v_c ± 3δ``, ``δ = √c / a_s`` the width of the transition there (without patience
    ``v_c`` is a kink). Returns how many."""
    count = 0
    for e in edges:
        points[count] = e
        count += 1
    if scaled > 0.0:
        centre = (capacity - fixed) / scaled
        width = math.sqrt(max(capacity, 1.0)) / scaled
        for offset in (-3.0, 0.0, 3.0):
            v = centre + offset * width
            if edges[0] < v < edges[edges.size - 1]:
                points[count] = v
                count += 1
    points[:count].sort()
    return count


GAUSS_RATIOS = (2.0, 1.25)
"""The 8- and the 16-point Gauss rule of the gamma serve a row whose measures change on a
scale ``δ`` at least this many times the factor's CV (and which has no kink inside the range):
against direct integration their worst service-level error was 4e-7 and 1.4e-7 over loads of
10 to 2,500 Erlang, CVs of 2 to 40 %, patience of 1 to 10 minutes and thresholds of 20 and
60 seconds."""


@njit(cache=True)
def expected_row(agents, scaled, fixed, ratios, definition, speeds, rule, kronrod, gauss, day, row):
    """Expected measures of ``agents`` agents over the day factor into ``row`` (AHT units).

    ``scaled`` and ``fixed`` are the two parts of the load; ``rule`` is the gamma shape then
    the edges of the first quadrature pieces (shape 0: no day factor), ``kronrod`` the
    Gauss–Kronrod nodes and weights, ``gauss[k]`` the nodes and weights of the Gauss rules of
    the gamma itself (8 and 16 points, zero weights padding); ``day`` is scratch space of
    ``N_MEASURES``. A row whose measures are smooth on the scale of the density (``δ`` at
    least :data:`GAUSS_RATIOS` times the CV, ``δ = √c / a_s``, and no kink in the range) takes
    a Gauss rule, exact for polynomials of degree ``2n − 1``; any other the adaptive
    Gauss–Kronrod quadrature (:func:`_adaptive`).
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
        kink_inside = not abandons and scaled > 0.0 and (capacity - fixed) / scaled < rule[-1]
        ratio = 0.0
        if scaled > 0.0:
            ratio = math.sqrt(max(capacity, 1.0)) / scaled * math.sqrt(rule[0])
        for which in range(len(GAUSS_RATIOS)):
            if kink_inside or ratio < GAUSS_RATIOS[which]:
                continue
            for j in range(gauss.shape[2]):
                if gauss[which, 1, j] == 0.0:
                    break
                load = scaled * gauss[which, 0, j] + fixed
                _day_measures(agents, load, ratios, definition, speeds, day)
                _add_day(gauss[which, 1, j], load, day, acc)
            _finish_row(acc, row)
            return
        _adaptive(agents, scaled, fixed, ratios, definition, speeds, rule, kronrod, day, acc)
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
    agents, scaled, fixed, settings, definition, speeds, rule, kronrod, gauss, out
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
            kronrod,
            gauss,
            day,
            out[i],
        )
        scale_times(out, i, aht)


@njit(cache=True)
def _meets(
    agents, scaled, fixed, ratios, definition, speeds, rule, kronrod, gauss, targets, day, row
):
    expected_row(agents, scaled, fixed, ratios, definition, speeds, rule, kronrod, gauss, day, row)
    return meets_targets(row, targets[0], targets[1], targets[2], targets[3], targets[4])


@njit(cache=True)
def required_expected_kernel(
    scaled, fixed, settings, definition, speeds, rule, kronrod, gauss, start, floor, out, measures
):
    """Smallest agents, at least ``floor``, whose expected measures meet every non-NaN target,
    per row.

    ``settings`` has the columns ``SETTINGS`` then ``TARGETS``; ``start`` is a first guess per
    row (the point-forecast staffing, or an earlier answer). Every expected measure improves
    with the agents (each day's does), so the search gallops from the guess (1, 2, 4, ... agents
    down while the targets are met, not below ``floor``, or up while they are not) and bisects
    between the last failing and the first meeting count: a guess one agent from the answer
    costs two evaluations, a guess at the floor that meets the targets one. Rows change
    smoothly, so each guess is moved by the previous row's answer minus its guess. ``out`` gets the
    agents (−1 when none up to ``A + 100·√A + 100`` of the busiest day meets the targets) and
    ``measures`` their expected measures in seconds.
    """
    ratios = np.empty(3)
    targets = np.empty(len(TARGETS))
    day = np.empty(N_MEASURES)
    best = np.empty(N_MEASURES)
    shift = 0
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
            kronrod,
            gauss,
            targets,
            day,
            row,
        )
        lowest = max(int(floor[i]), 0)
        guess = max(int(start[i]) + shift, lowest)
        # Gallop from the guess (steps 1, 2, 4, ...) to a failing and a meeting count, then
        # bisect between them; ``best`` keeps the measures of the smallest meeting count.
        if _meets(guess, *args):
            best[:] = row
            fail, meet, step = lowest - 1, guess, 1
            while meet > lowest:
                candidate = max(meet - step, lowest)
                if not _meets(candidate, *args):
                    fail = candidate
                    break
                best[:] = row
                meet, step = candidate, 2 * step
        else:
            fail, meet, step = guess, -1, 1
            while fail < limit:
                candidate = min(fail + step, limit)
                if _meets(candidate, *args):
                    best[:] = row
                    meet = candidate
                    break
                fail, step = candidate, 2 * step
        while meet > 0 and meet - fail > 1:
            middle = (fail + meet) // 2
            if _meets(middle, *args):
                best[:] = row
                meet = middle
            else:
                fail = middle
        out[i] = meet
        if meet > 0:
            shift = meet - int(start[i])
        row[:] = best
        scale_times(measures, i, aht)
