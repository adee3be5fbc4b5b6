"""Executors: one ``map``-like interface; the same results on one process, several and Dask."""

from __future__ import annotations

import json
import math

import pytest

from scenarios import load
from scenarios.errors import InputError
from sim.executors import Executor, executor
from sim.experiment import run_scenario, run_variants
from sla_eval.evaluation import evaluate_run
from sla_eval.replication import (
    KEPT_PERIOD_KINDS,
    ReplicationEvaluation,
    ReplicationEvaluator,
    RunTally,
)


def test_in_process_executor_is_lazy_map():
    with executor(1) as map_fn:
        assert isinstance(map_fn, Executor) and map_fn.slots == 1
        assert list(map_fn(abs, [-2, 3])) == [2, 3]


def test_process_pool_keeps_item_order():
    items = [3000, 1, 2, 10]
    with executor(2) as map_fn:
        assert map_fn.slots == 2 and map_fn.description == "2 processes"
        assert list(map_fn(math.factorial, items)) == [math.factorial(n) for n in items]


def test_bad_executor_arguments():
    for workers in (0, -1, 1.5, True):
        with pytest.raises(InputError, match="--workers must be a whole number"), executor(workers):
            pass
    with pytest.raises(InputError, match="'local' or a Dask address"), executor(1, "localhost"):
        pass


def test_progress_is_called_in_replication_order(small):
    scenario = load(small)
    seen = []
    with executor(1) as map_fn:
        run = run_scenario(
            scenario, replications=3, seed=7, map_fn=map_fn, progress=lambda r: seen.append(r)
        )
    assert seen == list(run.results) and run.replications == (0, 1, 2)
    assert sorted(run.contacts["replication"].unique()) == [0, 1, 2]
    assert set(run.plan["channel"]) == set(scenario.channels)
    assert set(run.rosters) == {team.name for team in scenario.partner.teams}


def test_variants_share_seed_and_indices(small):
    scenarios = [load(small), load(small, ["channels.phone.volume={per_week: 11000}"])]
    runs = list(run_variants(scenarios, replications=2, seed=5))
    assert [run.seed for run in runs] == [5, 5]
    assert [run.replications for run in runs] == [(0, 1), (0, 1)]
    chat = [run.contacts[run.contacts["channel"] == "chat"]["arrival_s"] for run in runs]
    assert chat[0].tolist() == chat[1].tolist()


def test_each_variant_keeps_what_its_own_reduce_makes(small):
    # The variants' replications are evaluated in the worker by each variant's own evaluator:
    # what comes back is the kept rows, and the tally's evaluation equals the evaluation of
    # the whole logs.
    scenarios = [load(small), load(small, ["channels.phone.volume={per_week: 11000}"])]

    def kept(prepared):
        return ReplicationEvaluator(prepared.scenario, prepared.workload).kept

    with executor(2) as map_fn:
        runs = list(run_variants(scenarios, replications=2, seed=5, map_fn=map_fn, reduce_for=kept))
    whole = list(run_variants(scenarios, replications=2, seed=5))
    for run, reference in zip(runs, whole, strict=True):
        assert all(isinstance(result, ReplicationEvaluation) for result in run.results)
        assert set(run.results[0].kpis["period_kind"]) <= set(KEPT_PERIOD_KINDS)
        tally = RunTally(ReplicationEvaluator(run.scenario, run.workload), run.seed)
        for result in run.results:
            tally.add(result)
        expected = evaluate_run(reference.scenario, reference)
        assert json.dumps(tally.evaluation().summary, sort_keys=True) == json.dumps(
            expected.summary, sort_keys=True
        )


def test_evaluation_reads_a_single_replication_too(small):
    scenario = load(small)
    run = run_scenario(scenario, replications=1, seed=7)
    evaluation = evaluate_run(scenario, run.results[0])
    assert evaluation.summary["seed"] is None
    assert evaluation.summary["replications"] == 1
    assert evaluation.summary["channels"] == evaluate_run(scenario, run).summary["channels"]


def test_same_summary_with_one_or_two_worker_processes(ccplan, small, tmp_path):
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / workers
        done = ccplan("run", small, "--workers", workers, "--out", out, "--json")
        assert done.code == 0, done.err
        outputs.append((out / "summary.json").read_bytes())
    assert outputs[0] == outputs[1]


@pytest.mark.slow
def test_same_summary_on_a_local_dask_cluster(ccplan, small, tmp_path):
    local = ccplan("run", small, "--workers", "1", "--out", tmp_path / "a", "--json")
    dask = ccplan(
        "run", small, "--scheduler", "local", "--workers", "2", "--out", tmp_path / "b", "--json"
    )
    assert dask.code == 0, dask.err
    assert (tmp_path / "a" / "summary.json").read_bytes() == (
        tmp_path / "b" / "summary.json"
    ).read_bytes()
    assert local.out == dask.out
