"""A run evaluated replication by replication in its workers writes the folder an evaluation of
all replications at once would, and grows by ``--append`` and ``--precision``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reports import workflows
from reports.interval_band import BAND_KPIS, interval_series
from reports.replication_files import ReplicationFiles
from reports.run_folder import RunFolder
from reports.run_pipeline import LARGE_RUN, RunOptions, band_channels, run_engine
from scenarios.errors import InputError
from scenarios.loader import load
from sim.experiment import prepare_run, run_scenario
from sla_eval import replication
from sla_eval.evaluation import evaluate_run
from sla_eval.precision import parse_precision
from sla_eval.replication import ReplicationEvaluator

SMALL = Path(__file__).resolve().parents[1] / "cli" / "data" / "small.yaml"
KEYS = ["replication", "period_kind", "period_start", "channel", "kpi"]


def _json(document: dict) -> str:
    return json.dumps(document, sort_keys=True)


def _sorted(kpis: pd.DataFrame) -> pd.DataFrame:
    frame = kpis.assign(**{name: kpis[name].astype(str) for name in ("period_kind", "channel")})
    frame = frame.assign(kpi=frame["kpi"].astype(str))
    return frame.sort_values(KEYS, kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def at_once():
    """The small scenario's 3 replications simulated and evaluated all at once (as main)."""
    scenario = load(SMALL)
    return scenario, evaluate_run(scenario, run_scenario(scenario, replications=3, seed=7))


def test_summary_and_kpis_equal_the_evaluation_of_all_replications_at_once(at_once, tmp_path):
    expected = at_once[1]
    outcome = workflows.run(
        SMALL,
        replications=3,
        seed=7,
        out=tmp_path / "run",
        options=RunOptions(intervals=True, report=False),
    )
    assert _json(outcome.evaluation.summary) == _json(expected.summary)
    written = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert _json(written) == _json(json.loads(json.dumps(expected.summary)))
    stored = pd.read_parquet(tmp_path / "run" / "kpis.parquet")
    pd.testing.assert_frame_equal(
        _sorted(stored), _sorted(expected.kpis), check_categorical=False, check_dtype=False
    )
    contract = pd.read_csv(tmp_path / "run" / "contract.csv")
    assert len(contract) == len(expected.contract)
    assert not (tmp_path / "run" / "contacts.parquet").exists()


def test_day_and_week_rows_are_kept_for_the_first_replications_within_the_bound(
    at_once, monkeypatch
):
    # With room for the day and week rows of two replications, the third keeps its horizon
    # rows only; the summary, which reads the horizon rows, is the same.
    scenario, expected = at_once
    kpis = expected.kpis
    views = kpis["period_kind"].isin(["day", "week"]) & (kpis["replication"] == 0)
    monkeypatch.setattr(replication, "VIEW_ROWS", 2 * int(views.sum()))
    evaluator = ReplicationEvaluator(scenario, prepare_run(scenario, 7).workload)
    tally = replication.RunTally(evaluator, 7)
    for index in range(3):
        tally.add(evaluator.of_kpis(kpis[kpis["replication"] == index]))
    kept = tally.evaluation()
    assert tally.view_replications == 2
    day_or_week = kept.kpis[kept.kpis["period_kind"].isin(["day", "week"])]
    assert sorted(day_or_week["replication"].unique()) == [0, 1]
    assert sorted(kept.kpis.loc[kept.kpis["period_kind"] == "horizon", "replication"].unique()) == [
        0,
        1,
        2,
    ]
    assert _json(kept.summary) == _json(expected.summary)


def test_the_tally_joined_in_blocks_equals_the_evaluation_at_once(at_once, monkeypatch):
    scenario, expected = at_once
    monkeypatch.setattr(replication, "_CONSOLIDATE_EVERY", 2)
    evaluator = ReplicationEvaluator(scenario, prepare_run(scenario, 7).workload)
    tally = replication.RunTally(evaluator, 7)
    kpis = expected.kpis
    for index in range(3):
        tally.add(evaluator.of_kpis(kpis[kpis["replication"] == index]))
    assert len(tally._parts["kpis"]) == 2  # replications 0-1 joined, 2 on its own
    assert _json(tally.evaluation().summary) == _json(expected.summary)
    pd.testing.assert_frame_equal(tally.contract, expected.contract)


def test_the_interval_rows_gathered_on_disk_equal_those_of_the_whole_table(at_once, tmp_path):
    # What the interval views draw, read back from the temporary file of every replication's
    # interval service levels, equals the service rows of the all-at-once KPI table.
    scenario, expected = at_once

    prepared = prepare_run(scenario, 7)
    channels = band_channels(scenario)
    files = ReplicationFiles(
        ReplicationEvaluator(scenario, prepared.workload), channels, contacts=False, intervals=False
    )
    folder = RunFolder(tmp_path, files, 7)
    try:
        for output in prepared.replications(range(3), reduce=files):
            folder.add(output)
        assert folder.band is not None
        gathered = folder.band.rows()
    finally:
        folder.close()
    kpis = expected.kpis
    whole = kpis[
        (kpis["period_kind"] == "interval")
        & kpis["kpi"].isin(BAND_KPIS)
        & kpis["channel"].isin(channels)
        & kpis["value"].notna()
    ]
    key = ["replication", "channel", "period_start"]
    columns = [*key, "kpi", "value"]
    whole = whole.assign(channel=whole["channel"].astype(str), kpi=whole["kpi"].astype(str))
    gathered = gathered.assign(
        channel=gathered["channel"].astype(str), kpi=gathered["kpi"].astype(str)
    )
    got = gathered[columns].sort_values(key, ignore_index=True)
    want = whole[columns].sort_values(key, ignore_index=True)
    assert got["replication"].nunique() == 3
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_an_interval_series_needs_every_channel_with_the_same_intervals(at_once):
    kpis = at_once[1].kpis
    one = kpis[kpis["replication"] == kpis["replication"].iloc[0]]
    with pytest.raises(InputError, match="no interval service level for channel 'fax'"):
        interval_series(one, ["phone", "fax"])
    phone = (
        (one["channel"] == "phone").to_numpy()
        & (one["period_kind"] == "interval").to_numpy()
        & (one["kpi"] == "service_level").to_numpy()
    )
    shorter = one.drop(one.index[np.flatnonzero(phone)[:1]])
    with pytest.raises(InputError, match="channel 'email' has other intervals than 'phone'"):
        interval_series(shorter, ["phone", "email"])


def test_without_intervals_the_parts_keep_only_the_service_levels(tmp_path):
    workflows.run(
        SMALL, replications=1, seed=7, out=tmp_path / "r", options=RunOptions(report=False)
    )
    stored = pd.read_parquet(tmp_path / "r" / "kpis.parquet")
    interval = stored[stored["period_kind"] == "interval"]
    assert set(interval["kpi"].astype(str)) <= {"service_level", "response_within_target_frac"}
    assert len(interval) > 0
    assert (stored["period_kind"] == "day").any()


def test_append_pools_to_the_folder_one_run_of_all_replications_writes(tmp_path):
    options = RunOptions(report=False)
    workflows.run(SMALL, replications=2, seed=7, out=tmp_path / "a", options=options)
    appended = workflows.run(
        SMALL,
        replications=2,
        seed=7,
        out=tmp_path / "a",
        options=RunOptions(report=False, append=True),
    )
    assert (appended.replications, appended.added) == (4, 2)
    whole = workflows.run(SMALL, replications=4, seed=7, out=tmp_path / "b", options=options)
    assert _json(appended.evaluation.summary) == _json(whole.evaluation.summary)
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "a" / "kpis.parquet"),
        pd.read_parquet(tmp_path / "b" / "kpis.parquet"),
    )
    assert (tmp_path / "a" / "kpis.csv").read_bytes() == (tmp_path / "b" / "kpis.csv").read_bytes()


def test_append_is_refused_for_another_seed_scenario_or_kept_files(ccplan, tmp_path):
    folder = tmp_path / "a"
    assert ccplan("run", SMALL, "--replications", 1, "--out", folder, "--no-report").code == 0
    before = (folder / "summary.json").read_bytes()
    seed = ccplan("run", SMALL, "--out", folder, "--append", "--seed", 8, "--no-report")
    assert seed.code == 2 and "seed is 7" in seed.err and "8" in seed.err
    other = ccplan(
        "run", SMALL, "--out", folder, "--append", "--set", "run.seed=7", "--set",
        "partner.teams.0.staffing.headcount=71", "--no-report",
    )  # fmt: skip
    assert other.code == 2 and "another scenario" in other.err
    contacts = ccplan("run", SMALL, "--out", folder, "--append", "--contacts", "--no-report")
    assert contacts.code == 2 and "--contacts" in contacts.err
    missing = ccplan("run", SMALL, "--out", tmp_path / "none", "--append", "--no-report")
    assert missing.code == 2 and "summary.json" in missing.err
    assert (folder / "summary.json").read_bytes() == before


def test_precision_grows_until_met_or_the_maximum(tmp_path):
    target = parse_precision("20pp")
    outcome = workflows.run(
        SMALL,
        replications=2,
        seed=7,
        out=tmp_path / "p",
        options=RunOptions(report=False, targets=(target,), max_replications=12),
    )
    assert outcome.replications > 2, "two replications cannot give a 20 pp Wilson interval"
    assert outcome.checks and all(check.target == target for check in outcome.checks)
    if all(check.met for check in outcome.checks):
        assert all(check.half_width is None or check.half_width <= 0.2 for check in outcome.checks)
    else:
        assert outcome.replications == 12
    assert outcome.evaluation.summary["replications"] == outcome.replications


def test_precision_says_which_targets_were_not_met(ccplan, tmp_path):
    done = ccplan(
        "run", SMALL, "--out", tmp_path / "p", "--no-report", "--precision", "1pp",
        "--precision", "1eur", "--max-replications", 3,
    )  # fmt: skip
    assert done.code == 0
    assert "precision NOT met: net credit" in done.out
    assert "after 3 replications" in done.out
    bad = ccplan("run", SMALL, "--out", tmp_path / "q", "--precision", "1 percent")
    assert bad.code == 2 and "--precision" in bad.err


def test_auto_runs_the_compiled_engine_for_precision_and_large_runs():
    one_pp = (parse_precision("1pp"),)
    assert run_engine("auto", 10, ()) == "simpy"
    assert run_engine("auto", LARGE_RUN, ()) == "numba"
    assert run_engine("auto", 10, one_pp) == "numba"
    assert run_engine("simpy", 10_000, one_pp) == "simpy"
    assert run_engine("numba", 1, ()) == "numba"
    with pytest.raises(InputError, match="--engine must be auto, simpy or numba"):
        run_engine("fast", 10, ())


def test_the_run_help_states_when_auto_runs_the_compiled_engine(ccplan):
    text = " ".join(ccplan("run", "--help").out.replace("\u2502", " ").split())
    assert f"from {LARGE_RUN} replications" in text
