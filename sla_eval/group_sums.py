r"""Sums by group as pandas' ``groupby(...).sum()`` computes them, in numpy.

pandas 3 sums a float column per group in one of two ways
(``pandas.core.groupby.ops.BaseGrouper._cython_operation``):

* when the group of each row never decreases down the table (the rows come sorted by group)
  and the column has no NaN: ``numpy.add.reduceat`` over each group's run of rows, numpy's
  own summation (the first value plus the pairwise sum of the others);
* otherwise Kahan's compensated summation (Kahan 1965) over the group's rows in table order,
  NaN left out (``pandas._libs.groupby.group_sum``): with ``s`` the sum and ``c`` the
  compensation of the group, for each of its values ``x``

  .. math:: y = x - c,\quad t = s + y,\quad c = (t - s) - y\ (0 \text{ when NaN}),\quad s = t

:func:`group_sum` takes the same path and the same steps in the same order, column by column,
so it gives pandas' floats to the last bit, without pandas' fixed cost per call (a
replication's contract has a few dozen rows, and that cost was most of the time of its
money). The Kahan steps run over every group at once: the first row of every group, then the
second, and so on.

:func:`key_positions` finds rows by a key of integer columns (replication and period), the
join the sums are read back through.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["Groups", "group_any", "group_sum", "key_positions"]


class Groups:
    """The rows of a table grouped by the distinct values of key columns, as
    ``DataFrame.groupby(keys, sort=...)`` groups them (rows with a missing key are kept).

    Parameters
    ----------
    columns:
        The key columns, one value per row.
    sort:
        Groups in ascending key order (lexicographic over the columns) when True, else in the
        order of their first row.

    Attributes
    ----------
    labels:
        Group of each row, ``0 .. n - 1`` in group order.
    first:
        The first row of each group (its key is ``column[first]``).
    """

    def __init__(self, columns: Sequence[np.ndarray], sort: bool = True):
        code = np.zeros(len(columns[0]), np.int64)
        for column in columns:
            values, inverse = np.unique(np.asarray(column), return_inverse=True)
            code = code * len(values) + inverse.ravel()
        _, first, labels = np.unique(code, return_index=True, return_inverse=True)
        labels = labels.ravel()
        if not sort:
            rank = np.empty(len(first), np.int64)
            rank[np.argsort(first, kind="stable")] = np.arange(len(first))
            labels, first = rank[labels], np.sort(first)
        self.labels = labels
        self.first = first

    def __len__(self) -> int:
        return len(self.first)

    def members(self) -> list[np.ndarray]:
        """The rows of each group, in table order."""
        if not len(self):
            return []
        order = np.argsort(self.labels, kind="stable")
        ends = np.cumsum(np.bincount(self.labels, minlength=len(self)))
        return np.split(order, ends[:-1])

    def sum(self, values: np.ndarray, min_count: int = 0) -> np.ndarray:
        """:func:`group_sum` of ``values`` per group."""
        return group_sum(values, self.labels, len(self), min_count)

    def any(self, flags: np.ndarray) -> np.ndarray:
        """:func:`group_any` of ``flags`` per group."""
        return group_any(flags, self.labels, len(self))


def group_sum(
    values: np.ndarray, labels: np.ndarray, n_groups: int, min_count: int = 0
) -> np.ndarray:
    """Sum of ``values`` per group as pandas computes it (module docstring), NaN left out.

    Parameters
    ----------
    values:
        ``(N,)`` or ``(N, K)`` floats, one row per row of the table; each column is summed
        on its own (as pandas sums a column of its own block).
    labels:
        ``(N,)`` group of each row in ``[0, n_groups)``, numbered as pandas numbers the
        groups (:class:`Groups`).
    n_groups:
        Number of groups.
    min_count:
        A group with fewer non-NaN values gets NaN (pandas' ``min_count``).

    Returns
    -------
    numpy.ndarray
        ``(n_groups,)`` or ``(n_groups, K)`` float64; 0 for a group without values (when
        ``min_count`` is 0).
    """
    values = np.asarray(values, np.float64)
    columns = values[:, None] if values.ndim == 1 else values
    labels = np.asarray(labels, np.int64)
    total = np.zeros((n_groups, columns.shape[1]))
    counted = np.zeros(total.shape, np.int64)
    sorted_rows = len(labels) > 0 and bool(np.all(labels[1:] >= labels[:-1]))
    for index in range(columns.shape[1]):
        column = columns[:, index]
        if sorted_rows and not np.isnan(column).any():
            starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
            total[labels[starts], index] = np.add.reduceat(column, starts)
            counted[labels[starts], index] = np.diff(starts, append=len(labels))
        else:
            total[:, index], counted[:, index] = _kahan_sum(column, labels, n_groups)
    if min_count > 0:
        total[counted < min_count] = np.nan
    return total[:, 0] if values.ndim == 1 else total


def _kahan_sum(
    column: np.ndarray, labels: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """pandas' Kahan sum of one column per group, and the non-NaN values counted."""
    order = np.argsort(labels, kind="stable")
    group = labels[order]
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if len(group) else group
    rank = np.arange(len(group)) - np.repeat(first, np.diff(np.r_[first, len(group)]))
    total = np.zeros(n_groups)
    compensation = np.zeros(n_groups)
    counted = np.zeros(n_groups, np.int64)
    for step in range(int(rank.max()) + 1 if len(rank) else 0):
        at = rank == step
        owner = group[at]
        x = column[order[at]]
        present = ~np.isnan(x)
        s, c = total[owner], compensation[owner]
        with np.errstate(invalid="ignore"):  # infinities of both signs give NaN, as in pandas
            y = x - c
            t = s + y
            c_next = (t - s) - y
        c_next[np.isnan(c_next)] = 0.0  # an infinite value: pandas keeps the infinity
        total[owner] = np.where(present, t, s)
        compensation[owner] = np.where(present, c_next, c)
        counted[owner] += present
    return total, counted


def group_any(flags: np.ndarray, labels: np.ndarray, n_groups: int) -> np.ndarray:
    """Whether any row of each group is set."""
    out = np.zeros(n_groups, bool)
    out[np.asarray(labels)[np.asarray(flags, bool)]] = True
    return out


def key_positions(table: Sequence[np.ndarray], query: Sequence[np.ndarray]) -> np.ndarray:
    """Position in ``table`` of the row with each key of ``query``, -1 where none.

    Parameters
    ----------
    table, query:
        The same number of integer key columns (such as replication and period); the keys of
        ``table`` are unique.
    """
    low = [min(_low(t), _low(q)) for t, q in zip(table, query, strict=True)]
    span = [max(_high(t), _high(q)) - lo + 1 for t, q, lo in zip(table, query, low, strict=True)]
    table_key, query_key = _combined(table, low, span), _combined(query, low, span)
    order = np.argsort(table_key, kind="stable")
    position = np.searchsorted(table_key[order], query_key)
    position = np.minimum(position, max(len(order) - 1, 0))
    if len(order) == 0:
        return np.full(len(query_key), -1, np.int64)
    found = table_key[order][position] == query_key
    return np.where(found, order[position], -1)


def _low(column: np.ndarray) -> int:
    return int(column.min()) if len(column) else 0


def _high(column: np.ndarray) -> int:
    return int(column.max()) if len(column) else 0


def _combined(columns: Sequence[np.ndarray], low: list[int], span: list[int]) -> np.ndarray:
    """One int64 per row: the key columns as digits of mixed radix ``span``."""
    key = np.zeros(len(columns[0]), np.int64)
    for column, lo, size in zip(columns, low, span, strict=True):
        key = key * size + (np.asarray(column, np.int64) - lo)
    return key
