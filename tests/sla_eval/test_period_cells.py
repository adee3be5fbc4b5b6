"""The aggregations of ``sla_eval.period_cells`` against plain references computed kind by kind:
:func:`numpy.bincount` on the cells :func:`sla_eval.periods.period_index` gives (the sums to the
last bit), and pandas' group-by maximum and linear-interpolated quantile."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sla_eval.period_cells import Layout, kind_periods
from sla_eval.periods import PERIOD_KINDS

START = dt.date(2027, 1, 30)  # a Saturday: weeks and months cut by the horizon
INTERVAL_S = 900.0
HORIZON_S = 40 * 86400.0
WARMUP_S = 1000.0
CHANNELS = ("phone", "chat", "email")
REPLICATIONS = np.array([3, 7])


def _rows(seed: int, n: int = 5000):
    rng = np.random.default_rng(seed)
    times = rng.uniform(WARMUP_S, HORIZON_S, n)
    # moments on the grid and within rounding of it, on both sides
    grid = rng.integers(2, round(HORIZON_S / INTERVAL_S), 200) * INTERVAL_S
    times[:200] = grid
    times[200:300] = np.nextafter(grid[:100], 0.0)
    times[300:400] = np.nextafter(grid[100:], np.inf)
    times[400] = np.nextafter(86400.0, 0.0)
    replication = rng.choice(REPLICATIONS, n)
    code = rng.integers(0, len(CHANNELS), n)
    return replication, times, code, rng


@pytest.fixture(scope="module", params=[0, 1])
def placed(request):
    layout = Layout(
        REPLICATIONS,
        [kind_periods(START, kind, INTERVAL_S, HORIZON_S, WARMUP_S) for kind in PERIOD_KINDS],
        CHANNELS,
    )
    replication, times, code, rng = _rows(request.param)
    # the reference cells: period_index of every kind, no shortcut through the intervals
    cells = []
    _, n_period, n_slot = layout.shape
    rep = np.searchsorted(REPLICATIONS, replication)
    for kind, offset in zip(layout.kinds, layout.bounds[:-1], strict=True):
        cells.append((rep * n_period + kind.positions(times) + offset) * n_slot + code)
    return layout, layout.place(replication, times, code), np.array(cells), rng


def _with_all(cube: np.ndarray) -> np.ndarray:
    cube[..., -1] = cube[..., :-1].sum(axis=-1)
    return cube


def test_sums_equal_bincount_of_every_kind_to_the_last_bit(placed):
    layout, rows, cells, rng = placed
    weights = [rng.exponential(37.0, cells.shape[1]) for _ in range(3)]
    got = rows.sums(weights)
    for j, weight in enumerate(weights):
        expected = sum(np.bincount(kind, weight, minlength=layout.size) for kind in cells)
        assert np.array_equal(got[j], _with_all(expected.reshape(layout.shape)))


def test_counts_equal_bincount_of_every_kind(placed):
    layout, rows, cells, rng = placed
    weights = [rng.random(cells.shape[1]) < p for p in (0.1, 0.5, 0.9)]
    got = rows.counts(weights)
    assert len(rows.near) >= 200  # the moments within rounding of the grid
    for j, weight in enumerate(weights):
        expected = sum(np.bincount(kind[weight], minlength=layout.size) for kind in cells)
        assert np.array_equal(got[j], _with_all(expected.reshape(layout.shape).astype(float)))


@pytest.mark.parametrize("how", ["max", 0.9])
def test_maximum_and_quantile_equal_pandas_groupby(placed, how):
    layout, rows, cells, rng = placed
    chosen = np.flatnonzero(rng.random(cells.shape[1]) < 0.3)
    values = np.round(rng.exponential(100.0, len(chosen)), 1)  # ties included
    values[::50] = np.nan
    got = rows.maximum(chosen, values) if how == "max" else rows.quantile(chosen, values, how)
    expected = np.full(layout.size, np.nan)
    for kind in cells:
        grouped = pd.Series(values).groupby(kind[chosen])
        result = grouped.max() if how == "max" else grouped.quantile(how)
        expected[result.index.to_numpy()] = result.to_numpy()
    expected = expected.reshape(layout.shape)
    assert np.isnan(got[..., -1]).all()
    np.testing.assert_array_equal(got, expected)
