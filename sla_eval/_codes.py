"""Small-integer codes of log columns, for masks and indices computed without sorting or
comparing text.

* A categorical column compared with one of its values: comparing the column with a string
  compares every row's text, while its codes compare as small integers:
  ``codes == categories.get_loc(value)`` gives the same mask many times faster.
* Replication indices as positions ``0..R-1`` among the distinct replications: from a count
  per index when the indices span a short range (a table of a few replications), else through
  a hash table (:func:`pandas.factorize`); never a sort of every row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["among", "equals", "replication_positions"]

_SHORT_RANGE = 4096
"""Replication indices spanning at most this many values are counted in an array."""


def equals(column: pd.Series, value: str) -> np.ndarray:
    """``column == value`` as a boolean array (False where the column is missing)."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return (column == value).to_numpy(bool)
    categories = column.cat.categories
    if value not in categories:
        return np.zeros(len(column), bool)
    return column.cat.codes.to_numpy() == categories.get_loc(value)


def among(column: pd.Series, values: Sequence[str]) -> np.ndarray:
    """Whether each row of ``column`` is one of ``values``, as a boolean array (False where the
    column is missing); a categorical column through a lookup table of its codes."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return column.isin(list(values)).to_numpy(bool)
    categories = column.cat.categories
    lookup = np.zeros(len(categories) + 1, bool)  # the last entry is code -1: missing
    lookup[categories.get_indexer(list(values))] = True
    lookup[-1] = False
    return lookup[column.cat.codes.to_numpy()]


def replication_positions(replication: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct replication indices, sorted (int64), and each row's position among them."""
    replication = np.asarray(replication, np.int64)
    if not len(replication):
        return replication, replication
    low, high = int(replication.min()), int(replication.max())
    if low == high:
        return np.array([low]), np.zeros(len(replication), np.int64)
    if high - low < _SHORT_RANGE:
        present = np.bincount(replication - low) > 0
        position = np.cumsum(present) - 1
        return np.flatnonzero(present) + low, position[replication - low]
    codes, distinct = pd.factorize(replication, sort=True)
    return np.asarray(distinct, np.int64), codes.astype(np.int64)
