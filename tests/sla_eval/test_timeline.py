"""The down-time measure of a union of outages against a one-second brute force."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sla_eval.timeline import _down_until

outage_st = st.tuples(st.integers(0, 300), st.integers(0, 100)).map(lambda p: (p[0], p[0] + p[1]))


@given(outages=st.lists(outage_st, min_size=1, max_size=8))
def test_down_until_matches_a_brute_force_union(outages):
    covered = np.zeros(400, bool)
    for start, end in outages:
        covered[start:end] = True
    times = np.arange(0, 401, 7, dtype=np.float64)
    starts = np.array([s for s, _ in outages], np.float64)
    ends = np.array([e for _, e in outages], np.float64)
    expected = [covered[: int(t)].sum() for t in times]
    assert _down_until(starts, ends, times).tolist() == expected
