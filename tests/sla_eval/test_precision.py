"""Precision targets: parsing, the replication counts that meet them, and their checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scenarios.errors import InputError
from sla_eval.precision import (
    parse_precision,
    precision_checks,
    precision_lines,
    share_replications_needed,
)
from sla_eval.summary import wilson_interval


def _wilson_half(share: float, n: int) -> float:
    low, high = wilson_interval(share * n, n)
    return (high - low) / 2


@pytest.mark.parametrize(("share", "limit"), [(0.5, 0.01), (0.05, 0.01), (0.3, 0.05)])
def test_share_replications_needed_is_the_fewest_meeting_the_wilson_interval(share, limit):
    n = share_replications_needed(share, limit)
    assert _wilson_half(share, n) <= limit < _wilson_half(share, n - 1)


def test_a_coin_flip_to_one_point_needs_about_9600_replications():
    # the normal approximation z^2 p (1-p) / limit^2 = 9,604; Wilson's interval is a little
    # narrower at this n
    assert 9500 <= share_replications_needed(0.5, 0.01) <= 9604


def test_parse_precision():
    assert parse_precision("1pp").limit == pytest.approx(0.01)
    assert parse_precision("1pp").kind == "p_breach"
    assert parse_precision(" 500EUR ").limit == 500.0
    assert parse_precision("500eur").kind == "net_credit"
    for bad in ("1 percent", "0pp", "100pp", "eur", "-1pp"):
        with pytest.raises(InputError, match="--precision"):
            parse_precision(bad)


def _tables(breaches: list[bool], credits: list[float]):
    n = len(breaches)
    contract = pd.DataFrame(
        {
            "clause": pd.Categorical(["a"] * n + ["never"] * n, categories=["a", "never"]),
            "replication": list(range(n)) * 2,
            "breach": breaches + [False] * n,
            "applicable": [True] * n + [False] * n,
        }
    )
    totals = pd.DataFrame({"replication": range(n), "net_credit_eur": credits})
    return contract, totals


def test_checks_measure_each_clause_and_the_credit():
    contract, totals = _tables([True, False] * 50, [1000.0, 3000.0] * 50)
    checks = precision_checks([parse_precision("5pp"), parse_precision("300eur")], contract, totals)
    by_what = {check.what: check for check in checks}
    breach = by_what["clause a"]
    assert breach.estimate == pytest.approx(0.5)
    assert breach.half_width == pytest.approx(_wilson_half(0.5, 100))
    assert not breach.met  # about 9.6 points at n = 100
    assert breach.needed == share_replications_needed(0.5, 0.05)
    assert by_what["clause never"].met and by_what["clause never"].estimate is None
    credit = by_what["net credit"]
    half = stats.t.ppf(0.975, 99) * np.std([1000.0, 3000.0] * 50, ddof=1) / 10
    assert credit.half_width == pytest.approx(half)
    assert credit.met == (half <= 300.0)
    lines = precision_lines(checks, 100)
    assert any(line.startswith("precision NOT met: clause a") for line in lines)
    assert any(line.startswith("precision met: clause never") for line in lines)


def test_checks_need_a_contract():
    with pytest.raises(InputError, match="contract"):
        precision_checks([parse_precision("1pp")], None, None)
