"""Comparisons of a log column with one of its values, by category code when it is categorical.

The logs' text columns (``outcome``, ``contact_type``, ``escalation_type``, ``channel``) are
pandas categoricals; comparing one with a string compares every row's text, while its codes
compare as small integers: ``codes == categories.get_loc(value)`` gives the same mask many
times faster.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["equals"]


def equals(column: pd.Series, value: str) -> np.ndarray:
    """``column == value`` as a boolean array (False where the column is missing)."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return (column == value).to_numpy(bool)
    categories = column.cat.categories
    if value not in categories:
        return np.zeros(len(column), bool)
    return column.cat.codes.to_numpy() == categories.get_loc(value)
