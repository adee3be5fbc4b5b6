"""The sweep headline: the varied values (not only variant numbers) and the partner's cost."""

from __future__ import annotations

import pytest

from reports.workflows import sweep


def test_the_headline_shows_the_values_varied_and_the_costs(small, tmp_path):
    outcome = sweep(
        small,
        ["partner.teams.0.staffing.headcount=50,70"],
        replications=2,
        out=tmp_path / "sweep",
    )
    headline = outcome.overview
    assert headline["partner.teams.0.staffing.headcount"].tolist() == [50, 70]
    money = headline[["labour_cost_eur", "hiring_cost_eur", "overhead_eur"]].sum(axis=1)
    assert headline["partner_cost_eur"].to_numpy() == pytest.approx(money.to_numpy())
    # twenty more agents on the same shifts cost more labour
    assert headline["labour_cost_eur"][1] > headline["labour_cost_eur"][0] > 0
    # the means are those of the evaluations' totals
    totals = outcome.evaluations[1].totals
    expected = totals.groupby("replication")["partner_cost_eur"].sum().mean()
    assert headline["partner_cost_eur"][1] == pytest.approx(expected)
