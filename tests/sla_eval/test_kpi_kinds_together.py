"""The period kinds measured together (``sla_eval.period_cells.Layout``): counts summed once per
interval cell and added up into every kind give the KPI table the contacts placed kind by kind
give, to the last bit, and each kind's part is the table of that kind alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scenarios.loader import load
from sim import run_replications
from sla_eval import period_cells
from sla_eval.periods import PERIOD_KINDS
from sla_eval.scenario_eval import scenario_kpi_table

EXAMPLES = Path(__file__).parents[2] / "scenarios" / "examples"


@pytest.fixture(scope="module")
def logs():
    # two replications of three days after a warm-up off the interval grid (1000 s), with
    # deferrable channels (backlog, business hours), tier 2, and weeks and months cut by the
    # horizon; and a contact within rounding of a day boundary
    scenario = load(
        EXAMPLES / "baseline.yaml",
        ["horizon.start=2027-01-30", "horizon.days=3", "run.warmup=1000s"],
    )
    results = list(run_replications(scenario, 2, 4))
    contacts = pd.concat([r.contacts for r in results], ignore_index=True)
    contacts.loc[5, "arrival_s"] = np.nextafter(86400.0, 0.0)
    agents = pd.concat([r.agents for r in results], ignore_index=True)
    outages = pd.concat([r.outages for r in results], ignore_index=True)
    return scenario, contacts, agents, outages


def _table(logs, kinds=PERIOD_KINDS) -> pd.DataFrame:
    scenario, contacts, agents, outages = logs
    return scenario_kpi_table(
        scenario, contacts, agents=agents, outages=outages, period_kinds=kinds
    )


def test_counts_through_the_interval_cells_equal_the_direct_sums(logs, monkeypatch):
    shortcut = _table(logs)
    # every moment off the grid placed kind by kind with period_index: the direct sums
    monkeypatch.setattr(period_cells, "_NEAR_GRID", 1.0)
    direct = _table(logs)
    assert len(direct) > 50_000 and direct["value"].notna().sum() > 30_000
    pd.testing.assert_frame_equal(shortcut, direct, check_exact=True)


def test_each_kind_measured_with_the_others_equals_it_measured_alone(logs):
    together = _table(logs)
    for kind in PERIOD_KINDS:
        alone = _table(logs, (kind,))
        part = together[together["period_kind"] == kind].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, alone, check_exact=True, check_categorical=False)


@pytest.mark.parametrize("kinds", [PERIOD_KINDS, ("interval",), ("day", "interval")])
@pytest.mark.parametrize("kept", [("service_level", "response_within_target_frac"), ()])
def test_interval_kpis_keep_exactly_those_interval_rows(logs, kinds, kept):
    scenario, contacts, agents, outages = logs
    full = _table(logs, kinds)
    restricted = scenario_kpi_table(
        scenario, contacts, agents=agents, outages=outages, period_kinds=kinds, interval_kpis=kept
    )
    wanted = (full["period_kind"] != "interval") | full["kpi"].isin(kept)
    expected = full[wanted.to_numpy()].reset_index(drop=True)
    pd.testing.assert_frame_equal(restricted, expected, check_exact=True)
    interval = restricted[restricted["period_kind"] == "interval"]
    assert set(interval["kpi"].astype(str)) == set(kept)
    assert (len(interval) > 0) == bool(kept)
