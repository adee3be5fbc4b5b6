"""group_sum and Groups give what pandas groupby gives, to the last bit and in its order;
key_positions finds rows by key."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sla_eval.group_sums import Groups, group_any, group_sum, key_positions


def _values(rng: np.random.Generator, n: int, missing: bool) -> np.ndarray:
    """Amounts over many magnitudes, with cancellations, and NaN and infinities if ``missing``."""
    values = rng.choice([1.0, 1e-3, 1e3, 1e8], n) * rng.normal(size=n)
    if missing:
        values[rng.random(n) < 0.1] = np.nan
        values[rng.random(n) < 0.02] = np.inf
        values[rng.random(n) < 0.02] = -np.inf
    return values


@pytest.mark.parametrize("rows", ["in group order", "shuffled"])
@pytest.mark.parametrize("missing", [False, True])
@pytest.mark.parametrize("seed", range(8))
def test_group_sum_is_pandas_bit_for_bit(seed, missing, rows):
    # pandas takes numpy's reduceat for rows in group order without NaN, Kahan otherwise:
    # both paths, against pandas summing each column as a block of its own.
    rng = np.random.default_rng(seed)
    n, n_groups = int(rng.integers(1, 300)), int(rng.integers(1, 12))
    labels = rng.integers(0, n_groups, n)
    if rows == "in group order":
        labels = np.sort(labels)
    values = np.column_stack([_values(rng, n, missing), _values(rng, n, missing)])
    for min_count in (0, 1):
        found = group_sum(values, labels, n_groups, min_count=min_count)
        for column in range(2):
            expected = (
                pd.Series(values[:, column])
                .groupby(labels)
                .sum(min_count=min_count)
                .reindex(range(n_groups), fill_value=0.0 if min_count == 0 else np.nan)
            )
            np.testing.assert_array_equal(found[:, column], expected.to_numpy())
            np.testing.assert_array_equal(
                group_sum(values[:, column], labels, n_groups, min_count), found[:, column]
            )


def test_the_two_summations_differ_where_pandas_does():
    values = np.array([1e16, 5.0, 1.0, 1.0, -1e16])
    # shuffled rows: Kahan keeps both ones of group 0 that left-to-right summation loses.
    assert group_sum(values, np.array([0, 1, 0, 0, 0]), 2).tolist() == [2.0, 5.0]
    money = np.array([2351.37285491613, 2551.2845599125, 2103.5934982104, 561.99652587])
    in_order = group_sum(money, np.zeros(4, np.int64), 1)[0]
    labels = np.array([0, 1, 0, 0, 0])
    shuffled = group_sum(np.insert(money, 1, 0.0), labels, 2)[0]
    assert in_order == pd.Series(money).groupby(np.zeros(4, np.int64)).sum().iloc[0]
    assert shuffled == pd.Series(np.insert(money, 1, 0.0)).groupby(labels).sum().iloc[0]
    assert in_order != shuffled  # the same four amounts, a different last bit


def test_group_any_and_key_positions():
    labels = np.array([0, 2, 2, 1])
    assert group_any(np.array([False, True, False, False]), labels, 3).tolist() == [
        False,
        False,
        True,
    ]
    table = [np.array([0, 0, 1, 1]), np.array([5, 6, 5, 6])]
    query = [np.array([1, 0, 2, 1]), np.array([5, 6, 5, 7])]
    assert key_positions(table, query).tolist() == [2, 1, -1, -1]
    assert key_positions([np.array([], np.int64)], [np.array([3])]).tolist() == [-1]


@pytest.mark.parametrize("sort", [True, False])
def test_groups_are_pandas_groups_in_pandas_order(sort):
    rng = np.random.default_rng(7)
    period = rng.integers(0, 4, 60)
    start = np.datetime64("2026-03-01", "ns") + rng.integers(0, 3, 60) * np.timedelta64(1, "D")
    frame = pd.DataFrame({"period": period, "start": start, "x": np.arange(60)})
    groups = Groups([period, start], sort=sort)
    expected = frame.groupby(["period", "start"], sort=sort)
    assert len(groups) == expected.ngroups
    for (key, group), first, members in zip(expected, groups.first, groups.members(), strict=True):
        assert (period[first], start[first]) == key
        assert members.tolist() == group["x"].tolist()
    assert Groups([np.zeros(0, np.int64)]).members() == []
