"""Masks of categorical columns by their codes equal the masks of their text."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sla_eval import among
from sla_eval._codes import equals

TEXT = ["day", "week", None, "horizon", "day", "interval"]


def test_among_and_equals_match_the_text_comparison_with_missing_rows():
    for column in (pd.Series(TEXT, dtype="category"), pd.Series(TEXT, dtype=object)):
        assert among(column, ("day", "horizon", "quarter")).tolist() == [
            True, False, False, True, True, False,
        ]  # fmt: skip
        assert not among(column, ()).any()
        assert np.array_equal(equals(column, "day"), among(column, ("day",)))
        assert not equals(column, "quarter").any()
